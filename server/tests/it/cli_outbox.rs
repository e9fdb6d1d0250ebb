//! The outbox of a real `cognate dev`: a sign-up on the sample client puts
//! its code on `/_dev/outbox` (HTML and JSON), and after the server stops
//! `cognate outbox --json` prints it (docs/architecture.md, "Mail and SMS").

use crate::common::process::{Running, cognate};
use crate::common::users::{PASSWORD, attr, six_digits};

/// The sample client's id, from the banner line `app client  <id>  (no secret)`.
fn sample_client_id(banner: &str) -> String {
    banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("app client"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no app client in the banner:\n{banner}"))
        .to_owned()
}

fn get(url: &str, accept: &str) -> (u16, String) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let resp = reqwest::Client::new()
                .get(url)
                .header("accept", accept)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        })
}

#[test]
fn sign_up_code_reaches_the_dev_page_and_cognate_outbox_json() {
    let dir = tempfile::tempdir().unwrap();
    let empty = cognate(&["outbox"], dir.path(), &[]).output().unwrap();
    assert!(!empty.status.success(), "no database yet: a clear error");
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no database"));

    let server = Running::start(&["dev"], dir.path(), &[]);
    let client_id = sample_client_id(&server.banner);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = crate::common::sdk_client(&server.url, None);
    let out = rt
        .block_on(
            sdk.sign_up()
                .client_id(&client_id)
                .username("zoe")
                .password(PASSWORD)
                .user_attributes(attr("email", "zoe@example.com"))
                .send(),
        )
        .expect("sign up on the sample client");
    assert_eq!(
        out.code_delivery_details().and_then(|d| d.destination()),
        Some("z***@e***")
    );

    let (status, json) = get(&format!("{}/_dev/outbox", server.url), "application/json");
    assert_eq!(status, 200);
    let messages: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(messages[0]["recipient"], "zoe@example.com");
    let code = six_digits(messages[0]["body"].as_str().unwrap()).expect("a code");
    let (status, html) = get(&format!("{}/_dev/outbox", server.url), "text/html");
    assert_eq!(status, 200);
    assert!(
        html.contains("zoe@example.com") && html.contains(&code),
        "{html}"
    );

    assert_eq!(server.terminate(), Some(0));

    let printed = cognate(&["outbox", "--json", "--limit", "5"], dir.path(), &[])
        .output()
        .unwrap();
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let stdout = String::from_utf8(printed.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let m = &lines[0];
    assert_eq!(m["recipient"], "zoe@example.com");
    assert_eq!(m["channel"], "EMAIL");
    assert_eq!(m["subject"], "Your verification code");
    assert_eq!(m["body"], format!("Your verification code is {code}. "));
    assert!(m["time"].as_str().is_some_and(|t| t.ends_with('Z')));

    let text = cognate(&["outbox"], dir.path(), &[]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("zoe@example.com") && text.contains(&code),
        "{text}"
    );
}
