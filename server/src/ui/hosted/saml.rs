//! Signing in through a SAML 2.0 identity provider of the pool: the
//! browser goes to the IdP with an AuthnRequest (HTTP-Redirect binding)
//! whose RelayState names the dance kept in its session (single use, as
//! the OIDC state), and the IdP posts the Response to
//! `/saml2/idpresponse` (HTTP-POST binding). A cross-site POST carries no
//! SameSite=Lax session cookie, so the posted form goes on, sealed, by a
//! 303 to `GET /saml2/idpresponse`, where the response is verified
//! (`federation/saml.rs`), its assertion used once, and the core decides
//! the user as for any federated sign-in.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_core::model::identity_provider::{IdentityProvider, ProviderType};
use cognate_core::service::identity_providers::SAML_METADATA_DETAIL;
use cognate_core::service::oauth::AuthorizeParams;
use cognate_core::service::saml_certificate::saml_key_record_id;

use cognate_app::pages::hosted::Lang;

use super::dance::{
    SamlSignIn, UpstreamSession, dance_expiry, keep_and_go, sealed_to_get, supported, upstream_key,
};
use super::error::HostedError;
use super::flow::{Context, Flow, Session, language, sso_key};
use crate::domain_routing::PoolDomainOrigin;
use crate::federation::saml;
use crate::http::redirect;
use crate::state::AppState;

/// How long a logout may stay at the IdP (as a hosted flow may last).
const DANCE_SECONDS: i64 = 15 * 60;
/// How long a posted response, sealed, may take to come back as a GET.
const POSTED_SECONDS: i64 = 60;
const POSTED_RECORD: &str = "saml-posted-response";

fn dance_key(relay_state: &str) -> String {
    format!("saml:{relay_state}")
}

/// What the browser's session keeps while it is at the IdP.
#[derive(serde::Serialize, serde::Deserialize)]
struct SamlDance {
    provider_name: String,
    /// The AuthnRequest's ID: the Response must answer it (InResponseTo).
    request_id: String,
    /// The sealed hosted-UI flow (the app's authorization request).
    flow: String,
    /// Epoch milliseconds after which the answer is refused.
    expires: i64,
}

/// `{issuer}/saml2/idpresponse`, or on the pool's domain when the flow
/// began there: the assertion consumer service.
pub fn acs_url(state: &AppState, pool_id: &str, origin: Option<&str>) -> String {
    match origin {
        Some(origin) => format!("{origin}/saml2/idpresponse"),
        None => format!("{}/saml2/idpresponse", state.idp.issuer(pool_id)),
    }
}

/// The pool's SAML key (PKCS#8 DER), for a signed request.
async fn signing_key(
    state: &AppState,
    pool_id: &str,
) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    let cert = state
        .idp
        .saml_signing_certificate(pool_id)
        .await
        .map_err(|e| e.to_string())?;
    state
        .idp
        .master_key
        .open(&saml_key_record_id(pool_id), &cert.sealed_private_key)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| e.to_string())
}

/// Sends the browser to the IdP with an AuthnRequest, the dance kept in
/// its session under the RelayState.
pub async fn go_to_idp(cx: &Context, provider: &IdentityProvider) -> Result<Response, HostedError> {
    let unavailable = || HostedError::refused(cx.lang, "error.provider_unavailable");
    let d = &provider.provider_details;
    let document = d.get(SAML_METADATA_DETAIL).ok_or_else(unavailable)?;
    let sso = d.get("SSORedirectBindingURI").ok_or_else(unavailable)?;
    let acs = acs_url(&cx.state, &cx.pool.id, cx.flow.origin.as_deref());
    let relay_state = URL_SAFE_NO_PAD.encode(cognate_core::crypto::random_bytes::<32>());
    // Cognito API: CreateIdentityProvider, RequestSigningAlgorithm.
    let key = match d.get("RequestSigningAlgorithm").map(String::as_str) {
        Some("rsa-sha256") => Some(
            signing_key(&cx.state, &cx.pool.id)
                .await
                .map_err(|e| HostedError::internal(cx.lang, e))?,
        ),
        _ => None,
    };
    let (url, request_id) = saml::authn_request(
        document,
        sso,
        &cx.pool.id,
        &acs,
        &relay_state,
        key.as_ref().map(|k| k.as_slice()),
    )
    .map_err(|e| HostedError::internal(cx.lang, e))?;
    let dance = SamlDance {
        provider_name: provider.provider_name.clone(),
        request_id,
        flow: cx.flow.seal(&cx.state),
        expires: dance_expiry(cx),
    };
    keep_and_go(cx, &dance_key(&relay_state), &dance, &url).await
}

/// The IdP's answer by the HTTP-POST binding (SAML Bindings §3.5.4);
/// `form` is the same, sealed by [`idp_post`].
#[derive(serde::Deserialize, serde::Serialize, Default)]
pub struct SamlPost {
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
    #[serde(default, skip_serializing)]
    form: Option<String>,
    /// Epoch milliseconds the POST arrived (set when sealed).
    #[serde(default)]
    posted: i64,
}

/// `POST /saml2/idpresponse`: the form sealed and sent on by a 303 to the
/// GET, a top-level navigation that carries the session cookie.
pub async fn idp_post(
    State(state): State<AppState>,
    axum::Form(mut answer): axum::Form<SamlPost>,
) -> Response {
    answer.posted = state.idp.clock.now().millis();
    sealed_to_get(&state, POSTED_RECORD, &answer)
}

/// `GET /saml2/idpresponse`.
pub async fn idp_response(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(q): Query<SamlPost>,
    origin: Option<Extension<PoolDomainOrigin>>,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, HostedError> {
    let lang = language(None, &headers);
    let unknown = || HostedError::refused(lang, "error.federation_unknown");
    let now = state.idp.clock.now();
    let answer = q
        .form
        .as_deref()
        .and_then(|sealed| URL_SAFE_NO_PAD.decode(sealed).ok())
        .and_then(|b| state.idp.master_key.open_quietly(POSTED_RECORD, &b))
        .and_then(|json| serde_json::from_slice::<SamlPost>(&json).ok())
        .filter(|a| now.millis() - a.posted <= POSTED_SECONDS * 1000)
        .ok_or_else(unknown)?;
    let response = answer.saml_response.as_deref().ok_or_else(unknown)?;
    // Cognito: the endpoint takes assertions of up to 100,000 characters.
    if response.len() > 100_000 {
        return Err(unknown());
    }
    // The RelayState binds the answer to this browser's request; used once.
    let relay = answer.relay_state.as_deref().unwrap_or_default();
    let dance: Option<SamlDance> = session.remove(&dance_key(relay)).await.ok().flatten();
    let (cx, provider, request_id) = match dance {
        Some(dance) => {
            if now.millis() >= dance.expires {
                return Err(HostedError::expired(lang));
            }
            let cx = Context::open(&state, session, lang, &pool_id, Some(&dance.flow)).await?;
            let provider = state
                .idp
                .identity_provider(&cx.pool.id, &dance.provider_name)
                .await
                .map_err(|_| HostedError::refused(lang, "error.provider_unavailable"))?;
            (cx, provider, Some(dance.request_id))
        }
        None => {
            let origin = origin.map(|Extension(o)| o.0);
            let (cx, provider) =
                idp_initiated(&state, &pool_id, relay, origin, lang, session).await?;
            (cx, provider, None)
        }
    };
    let document = provider
        .provider_details
        .get(SAML_METADATA_DETAIL)
        .ok_or_else(|| HostedError::refused(lang, "error.provider_unavailable"))?;
    let acs = acs_url(&state, &cx.pool.id, cx.flow.origin.as_deref());
    let refused = |why: String| {
        tracing::info!(provider = %provider.provider_name, %why, "SAML response refused");
        HostedError::refused(lang, "error.upstream_refused")
    };
    let audience = saml::sp_entity_id(&cx.pool.id);
    let sp = saml::For {
        audience: &audience,
        acs_url: &acs,
    };
    // Cognito API: ProviderDetails, EncryptedResponses: the IdP encrypts
    // to the pool's certificate (ActiveEncryptionCertificate).
    let decryption_key = if provider.flag("EncryptedResponses") {
        Some(
            signing_key(&state, &cx.pool.id)
                .await
                .map_err(|e| HostedError::internal(lang, e))?,
        )
    } else {
        None
    };
    let verified = saml::verify_response(
        document,
        &sp,
        response,
        request_id.as_deref(),
        now,
        decryption_key.as_ref().map(|k| k.as_slice()),
    )
    .map_err(refused)?;
    if request_id.is_none() && verified.in_response_to.is_some() {
        return Err(refused(
            "an unsolicited response answers a request we did not send".into(),
        ));
    }
    // SAML Profiles §4.1.4.5: an assertion is accepted once.
    let first_use = state
        .idp
        .store
        .use_saml_assertion(
            &cx.pool.id,
            &verified.assertion_id,
            verified.not_on_or_after,
            now,
        )
        .await
        .map_err(|e| HostedError::internal(lang, e))?;
    if !first_use {
        return Err(refused("the assertion was used already".into()));
    }
    let user = state
        .idp
        .federated_sign_in(&cx.pool, &cx.client, &provider, &verified.claims)
        .await
        .map_err(|e| cx.error(e))?;
    let upstream = UpstreamSession {
        provider_name: provider.provider_name.clone(),
        id_token: None,
        saml: Some(SamlSignIn {
            name_id: verified.name_id.clone(),
            name_id_format: verified.name_id_format.clone(),
            session_index: verified.session_index.clone(),
        }),
    };
    if let Err(e) = cx
        .session
        .insert(&upstream_key(&cx.pool.id), &upstream)
        .await
    {
        tracing::warn!(error = %e, "upstream session not kept");
    }
    cx.signed_in(&user).await
}

/// Cognito's IdP-initiated sign-in ("Implement IdP-initiated SAML
/// sign-in"): no request of ours is answered, so the RelayState carries
/// the request the app would have sent to `/oauth2/authorize` (client_id,
/// redirect_uri, response_type, scope, identity_provider or
/// idp_identifier), checked as that endpoint checks it; only a SAML
/// provider with IDPInit takes unsolicited responses.
async fn idp_initiated(
    state: &AppState,
    pool_id: &str,
    relay: &str,
    origin: Option<String>,
    lang: Lang,
    session: Session,
) -> Result<(Context, IdentityProvider), HostedError> {
    let unknown = || HostedError::refused(lang, "error.federation_unknown");
    let params: AuthorizeParams = serde_urlencoded::from_str(relay).map_err(|_| unknown())?;
    if params.identity_provider.is_none() && params.idp_identifier.is_none() {
        return Err(unknown());
    }
    let idp = &state.idp;
    let (pool, client, redirect_uri) = idp
        .authorize_client(pool_id, &params)
        .await
        .map_err(|e| HostedError::core(lang, e))?;
    let request = idp
        .check_authorize(&pool, &client, &redirect_uri, &params)
        .map_err(|_| unknown())?;
    let mut flow = Flow::new(request, idp.clock.now());
    flow.origin = origin;
    let cx = Context {
        state: state.clone(),
        session,
        lang,
        pool,
        client,
        flow,
        // A federated sign-in asks no MFA, so no remembered device.
        device: None,
        user_agent: None,
        ip: None,
    };
    let provider = supported(
        &cx,
        params.identity_provider.as_deref(),
        params.idp_identifier.as_deref(),
    )
    .await?;
    if provider.provider_type != ProviderType::Saml || !provider.flag("IDPInit") {
        tracing::info!(provider = %provider.provider_name, "unsolicited SAML response refused: IDPInit is off");
        return Err(unknown());
    }
    Ok((cx, provider))
}

/// A LogoutRequest sent, kept in the session under its RelayState.
#[derive(serde::Serialize, serde::Deserialize)]
struct SamlLogout {
    provider_name: String,
    request_id: String,
    /// Where `/logout` was going (already checked).
    target: Option<String>,
    expires: i64,
}

fn logout_key(relay_state: &str) -> String {
    format!("saml-logout:{relay_state}")
}

/// SAML Profiles §4.4 (single logout), with IDPSignout: `/logout` sends
/// the browser to the IdP's SingleLogoutService with a LogoutRequest for
/// the NameID it signed in; the IdP answers at `/saml2/logout`, which goes
/// on to `target`. None (the local logout goes on alone) when the provider
/// does not sign out there or names no SLO endpoint.
pub async fn logout_at_idp(
    state: &AppState,
    pool_id: &str,
    provider: &IdentityProvider,
    upstream: UpstreamSession,
    target: Option<String>,
    session: &Session,
) -> Option<String> {
    let signed_in = upstream.saml?;
    if !provider.flag("IDPSignout") {
        return None;
    }
    let slo = provider.provider_details.get("SLORedirectBindingURI")?;
    let relay_state = URL_SAFE_NO_PAD.encode(cognate_core::crypto::random_bytes::<32>());
    let key = match provider
        .provider_details
        .get("RequestSigningAlgorithm")
        .map(String::as_str)
    {
        Some("rsa-sha256") => Some(signing_key(state, pool_id).await.ok()?),
        _ => None,
    };
    let (url, request_id) = saml::logout_request(
        slo,
        pool_id,
        &signed_in.name_id,
        signed_in.name_id_format.as_deref(),
        signed_in.session_index.as_deref(),
        &relay_state,
        key.as_ref().map(|k| k.as_slice()),
    )
    .map_err(|e| tracing::warn!(error = %e, "SAML LogoutRequest not made"))
    .ok()?;
    let pending = SamlLogout {
        provider_name: provider.provider_name.clone(),
        request_id,
        target,
        expires: state.idp.clock.now().plus_seconds(DANCE_SECONDS).millis(),
    };
    session
        .insert(&logout_key(&relay_state), &pending)
        .await
        .ok()?;
    Some(url)
}

/// `GET /saml2/logout`: the IdP's LogoutResponse (HTTP-Redirect) to the
/// LogoutRequest this browser's session holds under the RelayState
/// (once), then on to where `/logout` was going, else the signed-out page;
/// or an IdP-initiated LogoutRequest (see [`idp_initiated_logout`]).
pub async fn logout_response(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, HostedError> {
    let lang = language(None, &headers);
    let unknown = || HostedError::refused(lang, "error.federation_unknown");
    let url = reqwest::Url::parse(&format!("http://local{uri}")).map_err(|_| unknown())?;
    if url.query_pairs().any(|(k, _)| k == "SAMLRequest") {
        return idp_initiated_logout(&state, &pool_id, &url, lang, session).await;
    }
    let relay = url
        .query_pairs()
        .find(|(k, _)| k == "RelayState")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(unknown)?;
    let pending: SamlLogout = session
        .remove(&logout_key(&relay))
        .await
        .ok()
        .flatten()
        .ok_or_else(unknown)?;
    if state.idp.clock.now().millis() >= pending.expires {
        return Err(HostedError::expired(lang));
    }
    // The IdP that answers is the one the session signed in with; its
    // metadata checks a signed answer.
    let provider = state
        .idp
        .identity_provider(&pool_id, &pending.provider_name)
        .await
        .map_err(|_| unknown())?;
    let document = provider
        .provider_details
        .get(SAML_METADATA_DETAIL)
        .ok_or_else(unknown)?;
    let (answers, success) = saml::logout_response(document, &url).map_err(|why| {
        tracing::info!(provider = %provider.provider_name, %why, "SAML LogoutResponse refused");
        unknown()
    })?;
    if answers != pending.request_id {
        return Err(unknown());
    }
    if !success {
        tracing::info!(provider = %provider.provider_name, "the IdP did not end its session");
    }
    Ok(match pending.target {
        Some(t) => redirect(&t),
        None => super::pages::signed_out(lang),
    })
}

/// SAML Profiles §4.4.4: the IdP ends the user's session. Its
/// LogoutRequest (signed, as §4.4.4.1 requires of it) for the NameID this
/// browser signed in with through it ends the browser's Cognate session
/// for the pool; the IdP gets a LogoutResponse at its SLO endpoint.
async fn idp_initiated_logout(
    state: &AppState,
    pool_id: &str,
    url: &reqwest::Url,
    lang: Lang,
    session: Session,
) -> Result<Response, HostedError> {
    let unknown = || HostedError::refused(lang, "error.federation_unknown");
    let upstream: UpstreamSession = session
        .get(&upstream_key(pool_id))
        .await
        .ok()
        .flatten()
        .ok_or_else(unknown)?;
    let signed_in = upstream.saml.as_ref().ok_or_else(unknown)?;
    let provider = state
        .idp
        .identity_provider(pool_id, &upstream.provider_name)
        .await
        .map_err(|_| unknown())?;
    let d = &provider.provider_details;
    let document = d.get(SAML_METADATA_DETAIL).ok_or_else(unknown)?;
    let slo = d.get("SLORedirectBindingURI").ok_or_else(unknown)?;
    let (request_id, name_id) = saml::idp_logout_request(document, url).map_err(|why| {
        tracing::info!(provider = %provider.provider_name, %why, "SAML LogoutRequest refused");
        unknown()
    })?;
    if name_id != signed_in.name_id {
        return Err(unknown());
    }
    let _ = session.remove_value(&sso_key(pool_id)).await;
    let _ = session.remove_value(&upstream_key(pool_id)).await;
    let _ = session.cycle_id().await;
    let relay_state = url
        .query_pairs()
        .find(|(k, _)| k == "RelayState")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let key = match d.get("RequestSigningAlgorithm").map(String::as_str) {
        Some("rsa-sha256") => Some(
            signing_key(state, pool_id)
                .await
                .map_err(|e| HostedError::internal(lang, e))?,
        ),
        _ => None,
    };
    let to = saml::logout_response_to_idp(
        slo,
        pool_id,
        &request_id,
        &relay_state,
        key.as_ref().map(|k| k.as_slice()),
    )
    .map_err(|e| HostedError::internal(lang, e))?;
    Ok(redirect(&to))
}
