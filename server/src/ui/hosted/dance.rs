//! What the browser's session keeps around a sign-in through an upstream
//! provider (OIDC or SAML): the dance while it is upstream, the upstream
//! session after (for `/logout`), the provider an app client may use, and
//! the sealed hop of a cross-site POST back to a GET. Shared by
//! `federation.rs` (OIDC) and `saml.rs`, which do not use each other's.

use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_core::model::UserPoolClient;
use cognate_core::model::identity_provider::IdentityProvider;

use super::error::HostedError;
use super::flow::Context;
use crate::http::redirect;
use crate::state::AppState;

/// How long the browser may stay upstream (as a hosted flow may last).
pub const DANCE_SECONDS: i64 = 15 * 60;

/// The upstream sign-in behind the browser's SSO session for a pool.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct UpstreamSession {
    pub provider_name: String,
    pub id_token: Option<String>,
    /// A SAML sign-in's NameID, its Format and the IdP's SessionIndex:
    /// what a LogoutRequest names.
    #[serde(default)]
    pub saml: Option<SamlSignIn>,
}

pub fn upstream_key(pool_id: &str) -> String {
    format!("upstream:{pool_id}")
}

/// What `/logout` needs of a SAML sign-in to end it at the IdP.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct SamlSignIn {
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

/// The provider `name` (or the one `identifier` names), if the app client
/// may use it (Cognito API: SupportedIdentityProviders).
pub async fn supported(
    cx: &Context,
    name: Option<&str>,
    identifier: Option<&str>,
) -> Result<IdentityProvider, HostedError> {
    let idp = &cx.state.idp;
    let unavailable = || HostedError::refused(cx.lang, "error.provider_unavailable");
    let provider = match (name, identifier) {
        (Some(n), _) => idp.identity_provider(&cx.pool.id, n).await,
        (None, Some(i)) => match idp
            .store
            .find_identity_provider_by_identifier(&cx.pool.id, i)
            .await
        {
            Ok(Some(p)) => idp.identity_provider(&cx.pool.id, &p.provider_name).await,
            Ok(None) => return Err(unavailable()),
            Err(e) => Err(e),
        },
        (None, None) => return Err(unavailable()),
    }
    .map_err(|_| unavailable())?;
    let allowed = cx
        .client
        .config
        .supported_identity_providers
        .as_deref()
        .unwrap_or_default()
        .contains(&provider.provider_name);
    if allowed {
        Ok(provider)
    } else {
        Err(unavailable())
    }
}

/// When a dance begun now is over (epoch milliseconds): the browser may
/// stay upstream as long as a hosted flow may last.
pub fn dance_expiry(cx: &Context) -> i64 {
    cx.state
        .idp
        .clock
        .now()
        .plus_seconds(DANCE_SECONDS)
        .millis()
}

/// Keeps `dance` in the browser's session under `key`, and sends the
/// browser to the provider at `url`.
pub async fn keep_and_go(
    cx: &Context,
    key: &str,
    dance: &impl serde::Serialize,
    url: &str,
) -> Result<Response, HostedError> {
    cx.session
        .insert(key, dance)
        .await
        .map_err(|e| HostedError::internal(cx.lang, e))?;
    Ok(redirect(url))
}

/// A cross-site form POST sent on, sealed under `record`, by a 303 to the
/// GET of the same endpoint (`idpresponse?form=…`): a top-level navigation
/// that carries the SameSite=Lax session cookie.
pub fn sealed_to_get(state: &AppState, record: &str, form: &impl serde::Serialize) -> Response {
    let json = zeroize::Zeroizing::new(serde_json::to_vec(form).unwrap_or_default());
    let sealed = URL_SAFE_NO_PAD.encode(state.idp.master_key.seal(record, &json));
    let mut r = redirect(&format!("idpresponse?form={sealed}"));
    *r.status_mut() = axum::http::StatusCode::SEE_OTHER;
    r
}

/// Whether the app client lets users sign in with the pool's own
/// usernames and passwords: COGNITO among its SupportedIdentityProviders
/// (a client that names none is taken as the pool's own, as Cognate's
/// clients were before federation).
pub fn allows_cognito(client: &UserPoolClient) -> bool {
    client
        .config
        .supported_identity_providers
        .as_ref()
        .is_none_or(|p| p.iter().any(|p| p == "COGNITO"))
}

/// The one provider of a client that supports exactly one and not the
/// pool's own sign-in: Cognito's hosted UI goes straight there.
pub fn only_provider(client: &UserPoolClient) -> Option<&str> {
    match client.config.supported_identity_providers.as_deref() {
        Some([one]) if one != "COGNITO" => Some(one),
        _ => None,
    }
}
