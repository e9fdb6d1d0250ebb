//! The return path remembered across a sign-in. Only a same-origin,
//! relative path is kept (`/x?y`); anything a browser could read as another
//! origin (`//evil`, `/\evil`, `https://evil`, control characters) is
//! refused, so `/login?return_to=` is no open redirect (RFC 6749 §10.15).

use openidconnect::url::Url;

const MAX_LEN: usize = 2048;

/// The normalized path and query of `candidate` if it is a safe same-origin
/// relative path, else None.
pub fn safe_return_to(candidate: &str) -> Option<String> {
    if candidate.len() > MAX_LEN || !candidate.starts_with('/') {
        return None;
    }
    // Browsers treat `\` as `/` and drop tabs and newlines inside URLs.
    if candidate
        .chars()
        .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    {
        return None;
    }
    if candidate.starts_with("//") {
        return None;
    }
    let base = Url::parse("http://same-origin.invalid/").ok()?;
    let joined = base.join(candidate).ok()?;
    if joined.origin() != base.origin() {
        return None;
    }
    let mut out = joined.path().to_owned();
    // Dot segments can collapse `/..//evil` into `//evil`.
    if out.starts_with("//") || !out.starts_with('/') {
        return None;
    }
    if let Some(q) = joined.query() {
        out.push('?');
        out.push_str(q);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn same_origin_paths_are_kept() {
        assert_eq!(safe_return_to("/").as_deref(), Some("/"));
        assert_eq!(
            safe_return_to("/orders/7?tab=items").as_deref(),
            Some("/orders/7?tab=items")
        );
        assert_eq!(safe_return_to("/a/../b").as_deref(), Some("/b"));
    }

    #[test]
    fn anything_another_origin_could_hide_in_is_refused() {
        for bad in [
            "//evil.example",
            "//evil.example/x",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\tevil",
            "/\n/evil.example",
            "/..//evil.example",
            "/./..//evil.example",
            "",
        ] {
            assert_eq!(safe_return_to(bad), None, "{bad:?}");
        }
    }
}
