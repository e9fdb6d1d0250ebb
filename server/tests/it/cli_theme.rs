//! `cognate theme` against the data directory of a running `cognate serve`:
//! it sets what SetUICustomization sets, with the same checks, the hosted UI
//! serves it at once, and a client's theme overrides its pool's (issue 4,
//! "Themes": set through SetUICustomization and the CLI).

use std::path::Path;
use std::process::Output;

use crate::common::process::{Running, cognate};
use crate::common::{ADMIN_KEY_ID, ADMIN_SECRET};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-really-but-png-signed";
const ADMIN_ENV: [(&str, &str); 2] = [
    ("COGNATE_ADMIN_ACCESS_KEY_ID", ADMIN_KEY_ID),
    ("COGNATE_ADMIN_SECRET_ACCESS_KEY", ADMIN_SECRET),
];

fn theme(data: &Path, args: &[&str]) -> Output {
    let mut all = vec!["theme"];
    all.extend_from_slice(args);
    cognate(&all, data, &[])
        .output()
        .expect("run cognate theme")
}

fn stdout_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "cognate theme failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn refused_with(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected a refusal, got success");
    assert!(stderr.contains(needle), "stderr lacks {needle:?}: {stderr}");
}

#[test]
fn theme_set_and_show_use_setuicustomization_rules_and_reach_the_hosted_ui() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    refused_with(
        &theme(&data, &["show", "--user-pool-id", "us-east-1_AbCdEf123"]),
        "no database",
    );

    let server = Running::start(&["serve"], &data, &ADMIN_ENV);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = crate::common::admin_client(&server.url);
    let (pool, client) = rt.block_on(async {
        let pool = sdk
            .create_user_pool()
            .pool_name("themed")
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        let client = sdk
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("web")
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap();
        (pool, client)
    });

    let files = dir.path();
    std::fs::write(files.join("brand.css"), ":root { --accent: #7a1fa2; }").unwrap();
    std::fs::write(files.join("client.css"), ":root { --radius: 0; }").unwrap();
    std::fs::write(
        files.join("evil.css"),
        "@import 'https://evil.example/x.css';",
    )
    .unwrap();
    std::fs::write(files.join("logo.png"), PNG).unwrap();
    let path = |name: &str| files.join(name).to_str().unwrap().to_owned();

    // Cognito API: SetUICustomization needs a domain on the pool.
    refused_with(
        &theme(
            &data,
            &["set", "--user-pool-id", &pool, "--css", &path("brand.css")],
        ),
        "InvalidParameterException: There has to be an existing domain",
    );
    rt.block_on(
        sdk.create_user_pool_domain()
            .user_pool_id(&pool)
            .domain("themed-cli")
            .send(),
    )
    .unwrap();

    let set = stdout_json(&theme(
        &data,
        &[
            "set",
            "--user-pool-id",
            &pool,
            "--css",
            &path("brand.css"),
            "--logo",
            &path("logo.png"),
        ],
    ));
    assert_eq!(set["UserPoolId"], pool.as_str());
    assert_eq!(set["ClientId"], "ALL");
    assert_eq!(set["CSS"], ":root { --accent: #7a1fa2; }");
    let logo = set["ImageUrl"].as_str().expect("a logo URL");
    assert!(
        logo.contains(&format!("/{pool}/ui/logo/ALL.png?v=")),
        "{logo}"
    );

    // The running server serves what the command stored.
    assert_eq!(
        server.get(&format!("/{pool}/ui/theme/ALL.css")),
        ":root { --accent: #7a1fa2; }"
    );

    // The same checks as the API: no @import, a clear error, nothing changed.
    refused_with(
        &theme(
            &data,
            &["set", "--user-pool-id", &pool, "--css", &path("evil.css")],
        ),
        "InvalidParameterException",
    );
    refused_with(
        &theme(
            &data,
            &[
                "set",
                "--user-pool-id",
                &pool,
                "--css",
                &path("missing.css"),
            ],
        ),
        "cannot read",
    );
    refused_with(
        &theme(
            &data,
            &[
                "show",
                "--user-pool-id",
                &pool,
                "--client-id",
                "nosuchclient0000000000000",
            ],
        ),
        "ResourceNotFoundException",
    );

    // A client's theme overrides its pool's; a client without one shows the pool's.
    let shown = stdout_json(&theme(
        &data,
        &["show", "--user-pool-id", &pool, "--client-id", &client],
    ));
    assert_eq!(shown["CSS"], ":root { --accent: #7a1fa2; }");
    stdout_json(&theme(
        &data,
        &[
            "set",
            "--user-pool-id",
            &pool,
            "--client-id",
            &client,
            "--css",
            &path("client.css"),
        ],
    ));
    let shown = stdout_json(&theme(
        &data,
        &["show", "--user-pool-id", &pool, "--client-id", &client],
    ));
    assert_eq!(shown["ClientId"], client.as_str());
    assert_eq!(shown["CSS"], ":root { --radius: 0; }");
    let pool_theme = stdout_json(&theme(&data, &["show", "--user-pool-id", &pool]));
    assert_eq!(pool_theme["CSS"], ":root { --accent: #7a1fa2; }");

    // What GetUICustomization over the API returns agrees with the command.
    let api = rt
        .block_on(
            sdk.get_ui_customization()
                .user_pool_id(&pool)
                .client_id(&client)
                .send(),
        )
        .unwrap();
    assert_eq!(
        api.ui_customization().and_then(|c| c.css()),
        Some(":root { --radius: 0; }")
    );

    // `set` with neither file clears the theme, as SetUICustomization does.
    let cleared = stdout_json(&theme(&data, &["set", "--user-pool-id", &pool]));
    assert!(cleared.get("CSS").is_none() && cleared.get("ImageUrl").is_none());
    server.terminate();
}
