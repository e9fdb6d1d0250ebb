//! What the hosted-UI tests do as a browser would: a cookie-keeping client
//! that follows no redirects, and reading forms and redirects.

use reqwest::header::LOCATION;

/// A browser: keeps cookies, follows no redirects (the tests read them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the form field `name` in a page's HTML.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let v = html[tag_start..tag_end].split("value=\"").nth(1)?;
    Some(v[..v.find('"')?].replace("&amp;", "&"))
}

/// Posts a hosted page's form to `{server_url}/{pool_id}/{action}`: its
/// CSRF token and flow, and `fields`.
pub async fn post_page_form(
    server_url: &str,
    pool_id: &str,
    b: &reqwest::Client,
    html: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("csrf".to_owned(), hidden(html, "csrf").expect("csrf")),
        ("flow".to_owned(), hidden(html, "flow").expect("flow")),
    ];
    form.extend(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    b.post(format!("{server_url}/{pool_id}/{action}"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// A query member of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Where a redirect points ("" for none).
pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A PKCE code verifier (RFC 7636 §4.1: 43 to 128 characters).
pub const PKCE_VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";

/// RFC 7636 §4.2: the S256 challenge of a verifier.
pub fn s256(verifier: &str) -> String {
    use base64::Engine as _;
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d.as_ref())
}

/// Opens the hosted sign-in page of an authorization request (the code
/// flow with PKCE, [`PKCE_VERIFIER`], state `s`, `scope`) and posts its
/// form with `username` and `password`: the response redirects to
/// `callback` with the code when the sign-in succeeds.
pub async fn hosted_password_sign_in(
    server_url: &str,
    pool_id: &str,
    client_id: &str,
    callback: &str,
    scope: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let b = browser();
    let authorize = format!(
        "{server_url}/{pool_id}/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={callback}&state=s&scope={scope}&code_challenge={}&code_challenge_method=S256",
        s256(PKCE_VERIFIER)
    );
    let html = b.get(authorize).send().await.unwrap().text().await.unwrap();
    let form = [
        ("csrf", hidden(&html, "csrf").expect("csrf")),
        ("flow", hidden(&html, "flow").expect("flow")),
        ("username", username.to_owned()),
        ("password", password.to_owned()),
    ];
    b.post(format!("{server_url}/{pool_id}/login"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The app redeems Cognate's code from its callback URL (state
/// `app-state`, PKCE with [`PKCE_VERIFIER`]) at the pool's token
/// endpoint: the token response.
pub async fn redeem_code(
    pool_url: &str,
    client_id: &str,
    redirect_uri: &str,
    app_callback: &str,
) -> serde_json::Value {
    assert!(app_callback.starts_with(redirect_uri), "{app_callback}");
    assert_eq!(
        query_param(app_callback, "state").as_deref(),
        Some("app-state")
    );
    let code = query_param(app_callback, "code").expect("code");
    let r = reqwest::Client::new()
        .post(format!("{pool_url}/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    r.json().await.unwrap()
}
