//! Signing in through an upstream OpenID Connect or OAuth 2.0 provider
//! (OIDC and the social presets): the authorization request with state,
//! nonce and PKCE, and at the callback the code exchanged and the ID token
//! verified against the upstream's JWKS (OpenID Connect Core §3.1.3.7),
//! with the openidconnect crate. The upstream's tokens live only in this
//! module's locals; the claims, and the ID token kept (sealed in the
//! browser's session) as the hint of an upstream logout, are all that
//! leaves it.

use cognate_core::model::identity_provider::{IdentityProvider, ProviderType};
use cognate_core::service::Idp;
use openidconnect::core::{CoreClient, CoreIdToken, CoreJsonWebKeySet, CoreTokenResponse};
use openidconnect::{
    AccessToken, AuthType, AuthorizationCode, ClientId, ClientSecret, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, TokenResponse, TokenUrl,
};
use serde_json::{Map, Value};

/// Where an upstream is reached, from its ProviderDetails or its preset.
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub attributes_url: Option<String>,
    pub jwks_uri: Option<String>,
    pub issuer: Option<String>,
    /// OIDC's attributes_request_method: POST sends the access token in
    /// the body (RFC 6750 §2.2), GET in the header.
    pub attributes_post: bool,
}

impl Endpoints {
    /// An OIDC provider's own endpoints, or a social provider's preset
    /// (configured or built in); None for SAML.
    pub fn of(idp: &Idp, provider: &IdentityProvider) -> Option<Self> {
        let d = &provider.provider_details;
        match provider.provider_type {
            ProviderType::Saml => None,
            ProviderType::Oidc => Some(Self {
                authorize_url: d.get("authorize_url")?.clone(),
                token_url: d.get("token_url")?.clone(),
                attributes_url: d.get("attributes_url").cloned(),
                jwks_uri: d.get("jwks_uri").cloned(),
                issuer: d.get("oidc_issuer").cloned(),
                attributes_post: d.get("attributes_request_method").map(String::as_str)
                    == Some("POST"),
            }),
            _ => {
                let p = idp.preset(provider)?;
                Some(Self {
                    authorize_url: p.authorize_url,
                    token_url: p.token_url,
                    attributes_url: p.attributes_url,
                    jwks_uri: p.jwks_uri,
                    issuer: p.oidc_issuer,
                    attributes_post: false,
                })
            }
        }
    }
}

/// What the browser's session keeps between the redirect upstream and the
/// callback: the secrets that bind the answer to this browser.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Dance {
    pub provider_name: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// The sealed hosted-UI flow (the app's authorization request).
    pub flow: String,
    /// Epoch milliseconds after which the answer is refused.
    pub expires: i64,
}

fn random_text() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(cognate_core::crypto::random_bytes::<32>())
}

/// The authorization request to the upstream (RFC 6749 §4.1.1, OpenID
/// Connect Core §3.1.2.1, RFC 7636 §4.3) and what to keep for its answer.
pub fn start(
    provider: &IdentityProvider,
    e: &Endpoints,
    redirect_uri: &str,
) -> Result<(String, String, String, String), String> {
    let state = random_text();
    let nonce = random_text();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut url = reqwest::Url::parse(&e.authorize_url).map_err(|e| e.to_string())?;
    let client_id = provider
        .provider_details
        .get("client_id")
        .ok_or("no client_id")?;
    let scopes = provider.scopes().join(" ");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", "S256");
        if !scopes.is_empty() {
            q.append_pair("scope", &scopes);
        }
        if e.issuer.is_some() {
            q.append_pair("nonce", &nonce);
        }
        // Apple: name and email scopes are answered only by form_post.
        if provider.provider_type == ProviderType::SignInWithApple {
            q.append_pair("response_mode", "form_post");
        }
    }
    Ok((url.to_string(), state, nonce, verifier.secret().clone()))
}

/// How the upstream's answer failed: it did not answer (in time), or what
/// it answered does not verify.
#[derive(Debug)]
pub enum Failure {
    Unavailable(String),
    Refused(String),
}

fn refused(why: impl std::fmt::Display) -> Failure {
    Failure::Refused(why.to_string())
}

/// The JSON claims of a (verified) compact JWS.
fn payload(jwt: &str) -> Option<Map<String, Value>> {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The callback's code exchanged (with the PKCE verifier), the ID token
/// verified (signature against the upstream's JWKS, iss, aud, exp, nonce),
/// and the user's attributes read where the provider gives them only so:
/// the upstream's claims.
pub async fn finish(
    http: &reqwest::Client,
    provider: &IdentityProvider,
    e: &Endpoints,
    redirect_uri: &str,
    code: &str,
    dance: &Dance,
) -> Result<(Map<String, Value>, Option<String>), Failure> {
    let d = &provider.provider_details;
    let client_id = ClientId::new(d.get("client_id").cloned().unwrap_or_default());
    let jwks = match &e.jwks_uri {
        Some(uri) => {
            let url = openidconnect::JsonWebKeySetUrl::new(uri.clone()).map_err(refused)?;
            CoreJsonWebKeySet::fetch_async(&url, http)
                .await
                .map_err(|e| Failure::Unavailable(format!("keys: {e}")))?
        }
        None => CoreJsonWebKeySet::new(vec![]),
    };
    let issuer =
        IssuerUrl::new(e.issuer.clone().unwrap_or_else(|| e.token_url.clone())).map_err(refused)?;
    let mut client = CoreClient::new(client_id, issuer, jwks)
        .set_token_uri(TokenUrl::new(e.token_url.clone()).map_err(refused)?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(refused)?)
        .set_auth_type(AuthType::RequestBody);
    if provider.provider_type == ProviderType::SignInWithApple {
        client = client.set_client_secret(ClientSecret::new(apple_client_secret(d)?));
    } else if let Some(secret) = d.get("client_secret") {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    let tokens: CoreTokenResponse = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(dance.pkce_verifier.clone()))
        .request_async(http)
        .await
        .map_err(|e| {
            use openidconnect::RequestTokenError as E;
            match e {
                E::ServerResponse(r) => refused(format!("token endpoint: {r}")),
                E::Request(r) => Failure::Unavailable(format!("token endpoint: {r}")),
                E::Parse(p, _) => refused(format!("unreadable token response: {p}")),
                E::Other(o) => Failure::Unavailable(o),
            }
        })?;
    // An ID token is read only from a provider that names its issuer and
    // keys (OIDC, Google, Apple); an OAuth 2.0 provider (Facebook, Amazon)
    // is read at its attributes URL.
    let id_token = tokens.id_token().filter(|_| e.issuer.is_some());
    let mut claims = match id_token {
        Some(id_token) => verified_claims(&client, id_token, &dance.nonce)?,
        None if e.issuer.is_some() => {
            return Err(refused("the provider answered no ID token"));
        }
        None => Map::new(),
    };
    // OIDC providers answer more on userInfo; OAuth 2.0 providers only there.
    let read_attributes = provider.provider_type == ProviderType::Oidc || id_token.is_none();
    if let (Some(url), true) = (&e.attributes_url, read_attributes) {
        let more = attributes(http, provider, e, url, tokens.access_token()).await?;
        // OpenID Connect Core §5.3.2: the userInfo `sub` is the ID token's.
        if let (Some(a), Some(b)) = (claims.get("sub"), more.get("sub"))
            && a != b
        {
            return Err(refused("userInfo names another subject"));
        }
        for (k, v) in more {
            claims.entry(k).or_insert(v);
        }
    }
    Ok((claims, id_token.map(|t| t.to_string())))
}

/// Apple's token endpoint takes as client secret a JWT the developer signs
/// (Apple: "Creating a client secret"): ES256 with the private key of
/// `key_id`, `iss` the team, `sub` the client (Services ID), `aud`
/// `https://appleid.apple.com`; short-lived, made for each exchange.
fn apple_client_secret(d: &std::collections::BTreeMap<String, String>) -> Result<String, Failure> {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let get = |k: &str| {
        d.get(k)
            .cloned()
            .ok_or_else(|| refused(format!("Sign in with Apple needs {k}")))
    };
    let pem = get("private_key")?;
    let key = EncodingKey::from_ec_pem(pem.as_bytes())
        .map_err(|_| refused("private_key is not an EC (P-256) key in PEM"))?;
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(get("key_id")?);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let claims = serde_json::json!({
        "iss": get("team_id")?,
        "iat": now,
        "exp": now + 300,
        "aud": "https://appleid.apple.com",
        "sub": get("client_id")?,
    });
    jsonwebtoken::encode(&header, &claims, &key).map_err(refused)
}

/// Apple's `user` (form_post, first sign-in only): the name it gives
/// nowhere else, as claims the AttributeMapping can name (`firstName`,
/// `lastName`, `name`, `email`), never over the ID token's own.
pub fn add_apple_user(claims: &mut Map<String, Value>, user: &str) {
    let Ok(Value::Object(user)) = serde_json::from_str::<Value>(user) else {
        return;
    };
    let name = user.get("name").and_then(Value::as_object);
    let part = |k: &str| name.and_then(|n| n.get(k)).and_then(Value::as_str);
    let (first, last) = (part("firstName"), part("lastName"));
    let mut add = |k: &str, v: &str| {
        claims
            .entry(k.to_owned())
            .or_insert_with(|| Value::String(v.to_owned()));
    };
    if let Some(f) = first {
        add("firstName", f);
    }
    if let Some(l) = last {
        add("lastName", l);
    }
    let full = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !full.is_empty() {
        add("name", &full);
    }
    if let Some(email) = user.get("email").and_then(Value::as_str) {
        add("email", email);
    }
}

/// OpenID Connect Discovery §3 and RP-Initiated Logout 1.0 §2.1: the
/// provider's `end_session_endpoint`, if its discovery document names one
/// (None when it names none or cannot be read in time: the local logout
/// goes on without it).
pub async fn end_session_endpoint(http: &reqwest::Client, issuer: &str) -> Option<String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc: Value = match http.get(&url).send().await {
        Ok(r) if r.status().is_success() => r.json().await.ok()?,
        Ok(r) => {
            tracing::info!(status = %r.status(), "upstream discovery for logout refused");
            return None;
        }
        Err(e) => {
            tracing::info!(error = %e, "upstream discovery for logout unreachable");
            return None;
        }
    };
    let endpoint = doc.get("end_session_endpoint")?.as_str()?;
    let parsed = reqwest::Url::parse(endpoint).ok()?;
    matches!(parsed.scheme(), "https" | "http").then(|| endpoint.to_owned())
}

fn verified_claims(
    client: &CoreClient<
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
    >,
    id_token: &CoreIdToken,
    nonce: &str,
) -> Result<Map<String, Value>, Failure> {
    let verifier = client.id_token_verifier();
    id_token
        .claims(&verifier, &Nonce::new(nonce.to_owned()))
        .map_err(|e| refused(format!("ID token: {e}")))?;
    payload(&id_token.to_string()).ok_or_else(|| refused("unreadable ID token claims"))
}

/// The user's attributes from the provider's attributes URL (OIDC
/// userInfo, Facebook's Graph `me`, Amazon's profile), with the access
/// token; Facebook's URL names the mapped fields.
async fn attributes(
    http: &reqwest::Client,
    provider: &IdentityProvider,
    e: &Endpoints,
    url: &str,
    token: &AccessToken,
) -> Result<Map<String, Value>, Failure> {
    let mut url = url.to_owned();
    if provider.provider_type == ProviderType::Facebook && url.ends_with('=') {
        let mut fields: Vec<&str> = provider
            .attribute_mapping
            .values()
            .map(String::as_str)
            .collect();
        fields.push("id");
        fields.sort_unstable();
        fields.dedup();
        url.push_str(&fields.join(","));
    }
    let request = if e.attributes_post {
        http.post(&url).form(&[("access_token", token.secret())])
    } else {
        http.get(&url).bearer_auth(token.secret())
    };
    let response = request
        .send()
        .await
        .map_err(|e| Failure::Unavailable(format!("attributes: {e}")))?;
    if !response.status().is_success() {
        return Err(refused(format!("attributes: HTTP {}", response.status())));
    }
    response
        .json::<Map<String, Value>>()
        .await
        .map_err(|e| refused(format!("attributes: {e}")))
}
