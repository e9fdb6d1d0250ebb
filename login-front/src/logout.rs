//! `{prefix}/logout`: clears the session, then sends the browser to the
//! provider's logout — Cognito's `/logout?client_id&logout_uri`, or OpenID
//! Connect RP-Initiated Logout 1.0 (`end_session_endpoint` with
//! `id_token_hint` and `post_logout_redirect_uri`) — or straight back.
//!
//! It takes POST only, from the app's own pages: a GET, or a POST whose
//! `Origin` is another site's, would let any page sign the user out
//! (cross-site request forgery). Browsers send `Origin` with every POST,
//! but as `null` from a page with `Referrer-Policy: no-referrer` (Fetch
//! Standard, "append a request `Origin` header"); then, or without one,
//! the browser's own `Sec-Fetch-Site: same-origin` must vouch for it, and
//! a request with neither is refused.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use openidconnect::url::Url;
use tower_sessions::Session;

use crate::LoginFront;
use crate::config::ProviderLogout;
use crate::error::{LoginFrontError, see_other};
use crate::session::{self, store_error};

pub(crate) async fn logout(
    State(lf): State<LoginFront>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    if !same_origin(&headers, lf.origin()) {
        return LoginFrontError::ForeignOrigin.into_response();
    }
    let id_token = session::signed_in(&session)
        .await
        .ok()
        .flatten()
        .map(|s| s.id_token);
    if let Err(e) = session.flush().await {
        return store_error(e).render(&lf.login_path());
    }
    let config = lf.config();
    let back = config
        .post_logout_redirect_url
        .clone()
        .unwrap_or_else(|| format!("{}/", lf.origin()));
    let target = match &config.logout {
        ProviderLogout::LocalOnly => None,
        ProviderLogout::Cognito { domain } => with_query(
            &format!("{}/logout", domain.trim_end_matches('/')),
            &[
                ("client_id", Some(config.client_id.as_str())),
                ("logout_uri", Some(back.as_str())),
            ],
        ),
        ProviderLogout::Discovery => match lf.provider().metadata().await {
            Ok(m) => m
                .additional_metadata()
                .end_session_endpoint
                .as_ref()
                .and_then(|ep| {
                    // RP-Initiated Logout 1.0 §2.
                    with_query(
                        ep.as_str(),
                        &[
                            ("id_token_hint", id_token.as_deref()),
                            ("post_logout_redirect_uri", Some(back.as_str())),
                            ("client_id", Some(config.client_id.as_str())),
                        ],
                    )
                }),
            Err(e) => {
                tracing::warn!(error = %e, "provider logout skipped");
                None
            }
        },
    };
    see_other(&target.unwrap_or(back))
}

fn with_query(base: &str, pairs: &[(&str, Option<&str>)]) -> Option<String> {
    let mut url = Url::parse(base).ok()?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
    }
    Some(url.to_string())
}

/// Whether a POST comes from a page of `origin` (the app's own).
fn same_origin(headers: &HeaderMap, origin: &str) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match header("origin") {
        Some(o) if o != "null" => o == origin,
        _ => header("sec-fetch-site") == Some("same-origin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_the_apps_own_pages_may_sign_out() {
        let app = "https://app.example";
        assert!(same_origin(
            &headers(&[("origin", "https://app.example")]),
            app
        ));
        assert!(same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            app
        ));
        // A no-referrer page's own form: Origin null, vouched for by Fetch metadata.
        assert!(same_origin(
            &headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            app
        ));
        for refused in [
            headers(&[("origin", "https://evil.example")]),
            headers(&[("origin", "https://app.example.evil.example")]),
            headers(&[("origin", "null")]),
            headers(&[("origin", "null"), ("sec-fetch-site", "cross-site")]),
            // Origin wins over a same-origin claim.
            headers(&[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-origin"),
            ]),
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[]),
        ] {
            assert!(!same_origin(&refused, app), "{refused:?}");
        }
    }
}
