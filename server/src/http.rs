//! HTTP helpers every face shares: responses that must not be cached, and
//! redirects that carry parameters. No face's types here, so the OAuth
//! endpoints and the hosted UI both use it without using each other.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

/// RFC 6749 §5.1 (tokens, errors) and the hosted UI's pages (CSRF tokens,
/// sign-in state): never cached.
pub fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// A 302 to `uri` with `params` added to its query (or fragment), not cached.
pub fn redirect_with(uri: &str, fragment: bool, params: &[(&str, String)]) -> Response {
    let encoded = serde_urlencoded::to_string(params).unwrap_or_default();
    let target = if fragment {
        format!("{uri}#{encoded}")
    } else if uri.contains('?') {
        format!("{uri}&{encoded}")
    } else {
        format!("{uri}?{encoded}")
    };
    no_store(Redirect::to(&target).into_response())
}

/// A 302 to a path of our own, not cached.
pub fn redirect(to: &str) -> Response {
    no_store(Redirect::to(to).into_response())
}

/// An outbound call's error and its sources, as one line for the caller
/// (an upstream that could not be reached says why).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut why = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        why = format!("{why}: {s}");
        source = s.source();
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(r: &Response) -> &str {
        r.headers()[header::LOCATION].to_str().unwrap()
    }

    #[test]
    fn parameters_join_the_query_or_the_fragment() {
        let p = [("code", "a b".to_owned()), ("state", "x&y".to_owned())];
        let r = redirect_with("https://app/cb", false, &p);
        assert_eq!(location(&r), "https://app/cb?code=a+b&state=x%26y");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        let r = redirect_with("https://app/cb?k=v", false, &p);
        assert_eq!(location(&r), "https://app/cb?k=v&code=a+b&state=x%26y");
        let r = redirect_with("https://app/cb", true, &p);
        assert_eq!(location(&r), "https://app/cb#code=a+b&state=x%26y");
    }
}
