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
