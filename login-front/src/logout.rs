//! `{prefix}/logout`: clears the session, then sends the browser to the
//! provider's logout — Cognito's `/logout?client_id&logout_uri`, or OpenID
//! Connect RP-Initiated Logout 1.0 (`end_session_endpoint` with
//! `id_token_hint` and `post_logout_redirect_uri`) — or straight back.

use axum::extract::State;
use axum::response::Response;
use openidconnect::url::Url;
use tower_sessions::Session;

use crate::LoginFront;
use crate::config::ProviderLogout;
use crate::error::see_other;
use crate::session::{self, store_error};

pub(crate) async fn logout(State(lf): State<LoginFront>, session: Session) -> Response {
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
