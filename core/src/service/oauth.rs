//! OAuth 2.0 and OpenID Connect in the core, shared by the OAuth endpoints
//! and the hosted UI: the checks of an authorization request (RFC 6749
//! §4.1.1, RFC 7636, OpenID Connect Core §3.1.2), authorization codes
//! (single use, five minutes, bound to the client, the redirect URI and the
//! PKCE challenge), the token endpoint's grants, client authentication,
//! userInfo and the tokens of a client acting for itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::Idp;
use super::auth::NO_METADATA;
use super::pre_token_generation::PreTokenCall;
use super::tokens::{Grant, TokenSource, refresh_token_hash};
use super::user_sessions::Requester;
use crate::clock::Timestamp;
use crate::crypto::{SecretString, constant_time_eq, random_bytes};
use crate::error::CognitoError;
use crate::model::client::OAuthFlow;
use crate::model::{User, UserPool, UserPoolClient};
use crate::store::oauth::{AuthCodeRecord, CodeGrant, Redemption};

/// RFC 6749 §4.1.2: codes live briefly; Cognito's live five minutes.
pub const CODE_LIFETIME_SECONDS: i64 = 300;

/// The scopes OpenID Connect and Cognito define; others are resource-server
/// scopes (`{identifier}/{name}`).
pub const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    super::tokens::ADMIN_SCOPE,
];

/// RFC 6749 §4.1.2.1 and §5.2, OpenID Connect Core §3.1.2.6: error codes
/// by their wire names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthErrorCode {
    InvalidRequest,
    UnauthorizedClient,
    AccessDenied,
    UnsupportedResponseType,
    InvalidScope,
    ServerError,
    LoginRequired,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
    InvalidToken,
    UnsupportedTokenType,
}

impl OAuthErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::LoginRequired => "login_required",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidToken => "invalid_token",
            Self::UnsupportedTokenType => "unsupported_token_type",
        }
    }
}

/// An OAuth error: the code and a description for the developer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub code: OAuthErrorCode,
    pub description: String,
}

impl OAuthError {
    pub fn new(code: OAuthErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }
}

impl From<CognitoError> for OAuthError {
    fn from(e: CognitoError) -> Self {
        match e {
            CognitoError::InternalError(_) => {
                OAuthError::new(OAuthErrorCode::ServerError, "internal error")
            }
            other => OAuthError::new(OAuthErrorCode::InvalidRequest, other.message()),
        }
    }
}

type OResult<T> = std::result::Result<T, OAuthError>;

fn oauth(code: OAuthErrorCode, description: &str) -> OAuthError {
    OAuthError::new(code, description)
}

/// The query of `GET /oauth2/authorize`, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub lang: Option<String>,
    pub identity_provider: Option<String>,
    /// Cognito: an identifier (IdpIdentifiers) of the provider to go to.
    pub idp_identifier: Option<String>,
    pub max_age: Option<String>,
}

/// An authorization request that passed every check; carried (sealed)
/// through the sign-in pages until a code is issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidAuthorize {
    pub pool_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// `code`, or `token` for the implicit flow.
    pub response_type: String,
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// `none`, `login`, or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// OpenID Connect Core §3.1.2.1: the longest time since the user's
    /// sign-in, in seconds, after which they sign in again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
}

/// What the token endpoint answers.
#[derive(Clone)]
pub struct OAuthTokens {
    pub access_token: SecretString,
    pub id_token: Option<SecretString>,
    pub refresh_token: Option<SecretString>,
    pub expires_in: i64,
}

impl std::fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// RFC 7636 §4.1: 43–128 unreserved characters.
fn is_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
pub fn s256(verifier: &str) -> String {
    B64URL.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ))
}

fn client_has_flow(client: &UserPoolClient, flow: OAuthFlow) -> bool {
    client.config.allowed_o_auth_flows_user_pool_client
        && client
            .config
            .allowed_o_auth_flows
            .as_ref()
            .is_some_and(|f| f.contains(&flow))
}

fn allowed_scopes(client: &UserPoolClient) -> &[String] {
    client
        .config
        .allowed_o_auth_scopes
        .as_deref()
        .unwrap_or(&[])
}

fn parse_scopes(scope: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

impl Idp {
    /// The first checks of an authorization request: the pool, the client
    /// and the redirect URI. RFC 6749 §4.1.2.1: when these fail the user
    /// sees an error page and is never redirected.
    pub async fn authorize_client(
        &self,
        pool_id: &str,
        params: &AuthorizeParams,
    ) -> Result<(UserPool, UserPoolClient, String), CognitoError> {
        let pool = self.pool(pool_id).await?;
        let client_id = params
            .client_id
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| CognitoError::invalid_parameter("client_id is missing."))?;
        let client = self.client(&pool.id, client_id).await?;
        // RFC 6749 §3.1.2.3 / Cognito: the redirect URI must be one of the
        // client's CallbackURLs, compared exactly.
        let redirect_uri = params
            .redirect_uri
            .as_deref()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| CognitoError::invalid_parameter("redirect_uri is missing."))?;
        let registered = client
            .config
            .callback_urls
            .as_ref()
            .is_some_and(|urls| urls.iter().any(|u| u == redirect_uri));
        if !registered {
            return Err(CognitoError::invalid_parameter(
                "redirect_uri is not one of the app client's callback URLs.",
            ));
        }
        Ok((pool, client, redirect_uri.to_owned()))
    }

    /// The remaining checks; their errors go back to the redirect URI.
    pub fn check_authorize(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        redirect_uri: &str,
        p: &AuthorizeParams,
    ) -> OResult<ValidAuthorize> {
        use OAuthErrorCode as E;
        let response_type = p.response_type.as_deref().unwrap_or("");
        let flow = match response_type {
            "code" => OAuthFlow::Code,
            "token" => OAuthFlow::Implicit,
            "" => return Err(oauth(E::InvalidRequest, "response_type is missing")),
            _ => {
                return Err(oauth(
                    E::UnsupportedResponseType,
                    "response_type must be code or token",
                ));
            }
        };
        if !client_has_flow(client, flow) {
            return Err(oauth(
                E::UnauthorizedClient,
                "the app client may not use this response_type",
            ));
        }
        // Cognito: no scope asks for every scope the client may have.
        let requested = parse_scopes(p.scope.as_deref());
        let scopes = if requested.is_empty() {
            allowed_scopes(client).to_vec()
        } else {
            requested
        };
        if scopes.is_empty() {
            return Err(oauth(E::InvalidScope, "the app client has no OAuth scopes"));
        }
        if let Some(bad) = scopes.iter().find(|s| !allowed_scopes(client).contains(s)) {
            return Err(oauth(
                E::InvalidScope,
                &format!("the scope {bad} is not allowed for this app client"),
            ));
        }
        // RFC 7636 §4.3 and §7.2: S256 only; a public client must use it.
        let code_challenge = match (
            p.code_challenge.as_deref(),
            p.code_challenge_method.as_deref(),
        ) {
            (None, None) => None,
            (Some(c), Some("S256")) if is_pkce_string(c) => Some(c.to_owned()),
            (Some(_), Some("S256")) => {
                return Err(oauth(E::InvalidRequest, "code_challenge is malformed"));
            }
            (Some(_), None | Some("plain")) => {
                return Err(oauth(
                    E::InvalidRequest,
                    "code_challenge_method must be S256; plain is not supported",
                ));
            }
            (None, Some(_)) => {
                return Err(oauth(E::InvalidRequest, "code_challenge is missing"));
            }
            (Some(_), Some(_)) => {
                return Err(oauth(
                    E::InvalidRequest,
                    "code_challenge_method must be S256",
                ));
            }
        };
        if flow == OAuthFlow::Code && code_challenge.is_none() && client.client_secret.is_none() {
            return Err(oauth(
                E::InvalidRequest,
                "PKCE (code_challenge with S256) is required for clients without a secret",
            ));
        }
        // OpenID Connect Core §3.1.2.1: prompt=none with anything else is an error.
        let prompt = p.prompt.as_deref().filter(|s| !s.is_empty());
        if let Some(prompt) = prompt
            && prompt.split(' ').any(|v| v == "none")
            && prompt != "none"
        {
            return Err(oauth(
                E::InvalidRequest,
                "prompt=none cannot be combined with other values",
            ));
        }
        // OpenID Connect Core §3.1.2.1: max_age is a non-negative integer.
        let max_age = match p.max_age.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    return Err(oauth(
                        E::InvalidRequest,
                        "max_age must be a non-negative integer",
                    ));
                }
            },
        };
        if p.nonce.as_ref().is_some_and(|n| n.len() > 512)
            || p.state.as_ref().is_some_and(|s| s.len() > 2048)
        {
            return Err(oauth(E::InvalidRequest, "nonce or state is too long"));
        }
        Ok(ValidAuthorize {
            pool_id: pool.id.clone(),
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            response_type: response_type.to_owned(),
            scopes,
            state: p.state.clone(),
            nonce: p.nonce.clone().filter(|n| !n.is_empty()),
            code_challenge,
            prompt: prompt.map(str::to_owned),
            max_age,
        })
    }

    /// Issues an authorization code for `user`, who signed in at `auth_time`.
    pub async fn issue_authorization_code(
        &self,
        request: &ValidAuthorize,
        user: &User,
        auth_time: Timestamp,
    ) -> Result<SecretString, CognitoError> {
        let code = SecretString::new(B64URL.encode(random_bytes::<32>()));
        self.store
            .put_auth_code(&AuthCodeRecord {
                code_hash: refresh_token_hash(code.expose()),
                pool_id: request.pool_id.clone(),
                client_id: request.client_id.clone(),
                sub: user.sub,
                expires: self.clock.now().plus_seconds(CODE_LIFETIME_SECONDS),
                used: None,
                grant: CodeGrant {
                    redirect_uri: request.redirect_uri.clone(),
                    scopes: request.scopes.clone(),
                    code_challenge: request.code_challenge.clone(),
                    nonce: request.nonce.clone(),
                    auth_time,
                    origin_jti: Uuid::new_v4().to_string(),
                    session_epoch: user.settings.session_epoch,
                },
            })
            .await?;
        Ok(code)
    }

    /// Implicit flow (response_type=token): an access token (and an ID
    /// token with `openid`) for `user`, no refresh token.
    pub async fn implicit_tokens(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        request: &ValidAuthorize,
        user: &User,
        auth_time: Timestamp,
    ) -> Result<OAuthTokens, CognitoError> {
        let grant = Grant {
            origin_jti: Uuid::new_v4().to_string(),
            auth_time,
            scopes: request.scopes.clone(),
            nonce: request.nonce.clone(),
        };
        let t = self
            .sign_tokens(
                pool,
                client,
                user,
                &grant,
                TokenSource::HostedAuth,
                &NO_METADATA,
            )
            .await?;
        let openid = grant.scopes.iter().any(|s| s == "openid");
        Ok(OAuthTokens {
            access_token: t.access_token,
            id_token: openid.then_some(t.id_token),
            refresh_token: None,
            expires_in: t.expires_in,
        })
    }

    /// RFC 6749 §2.3.1: the client of a token or revocation request, by
    /// `client_secret_basic` or `client_secret_post` (or none, for a public
    /// client). Secrets are compared in constant time.
    pub async fn authenticate_oauth_client(
        &self,
        pool_id: &str,
        client_id: &str,
        secret: Option<&str>,
    ) -> OResult<(UserPool, UserPoolClient)> {
        let invalid = || {
            oauth(
                OAuthErrorCode::InvalidClient,
                "client authentication failed",
            )
        };
        if !crate::ids::is_valid_client_id(client_id) {
            return Err(invalid());
        }
        let pool = self.pool(pool_id).await.map_err(|_| invalid())?;
        let client = match self.client(&pool.id, client_id).await {
            Ok(c) => c,
            Err(CognitoError::ResourceNotFound(_)) => return Err(invalid()),
            Err(e) => return Err(e.into()),
        };
        match (&client.client_secret, secret) {
            (Some(expected), Some(given))
                if constant_time_eq(expected.as_bytes(), given.as_bytes()) => {}
            (None, None) => {}
            _ => return Err(invalid()),
        }
        Ok((pool, client))
    }

    /// The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6). A
    /// code presented twice revokes what the first redemption issued
    /// (RFC 6749 §4.1.2).
    pub async fn exchange_code(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        requester: &Requester,
    ) -> OResult<OAuthTokens> {
        use OAuthErrorCode as E;
        let grant_error = |d: &str| oauth(E::InvalidGrant, d);
        if code.is_empty() || code.len() > 256 {
            return Err(grant_error("the authorization code is invalid"));
        }
        let now = self.clock.now();
        let record = match self
            .store
            .redeem_auth_code(&refresh_token_hash(code), now)
            .await?
        {
            Redemption::Redeemed(r) => r,
            Redemption::Replayed(r) => {
                self.store
                    .revoke_refresh_token(&r.grant.origin_jti, now)
                    .await?;
                tracing::warn!(pool = %r.pool_id, client = %r.client_id, "authorization code replayed; its tokens are revoked");
                return Err(grant_error("the authorization code was already used"));
            }
            Redemption::Unknown => return Err(grant_error("the authorization code is invalid")),
        };
        if record.client_id != client.client_id || record.pool_id != pool.id {
            return Err(grant_error(
                "the authorization code was issued to another client",
            ));
        }
        if now >= record.expires {
            return Err(grant_error("the authorization code has expired"));
        }
        if redirect_uri != Some(record.grant.redirect_uri.as_str()) {
            return Err(grant_error(
                "redirect_uri does not match the authorization request",
            ));
        }
        match (&record.grant.code_challenge, code_verifier) {
            (Some(challenge), verifier) => {
                let verifier = verifier
                    .filter(|v| is_pkce_string(v))
                    .ok_or_else(|| grant_error("code_verifier is missing or malformed"))?;
                if !constant_time_eq(s256(verifier).as_bytes(), challenge.as_bytes()) {
                    return Err(grant_error(
                        "code_verifier does not match the code_challenge",
                    ));
                }
            }
            // RFC 9700 §2.1.1 (PKCE downgrade): a verifier for a code issued
            // without a challenge means the request was tampered with.
            (None, Some(_)) => {
                return Err(grant_error(
                    "code_verifier was sent but the authorization request had no code_challenge",
                ));
            }
            (None, None) => {}
        }
        let user = self
            .store
            .get_user_by_sub(&pool.id, record.sub)
            .await?
            .ok_or_else(|| grant_error("the user can no longer sign in"))?;
        self.may_get_tokens(&user, record.grant.session_epoch)
            .map_err(|_| grant_error("the user can no longer sign in"))?;
        let grant = Grant {
            origin_jti: record.grant.origin_jti.clone(),
            auth_time: record.grant.auth_time,
            scopes: record.grant.scopes.clone(),
            nonce: record.grant.nonce.clone(),
        };
        let tokens = self
            .issue_tokens_for_grant(pool, client, &user, grant, requester)
            .await?;
        Ok(tokens)
    }

    /// The refresh_token grant (RFC 6749 §6): new access and ID tokens for
    /// the refresh token's sign-in, with its scopes.
    pub async fn refresh_grant(
        &self,
        client: &UserPoolClient,
        refresh_token: &str,
        requester: &Requester,
    ) -> OResult<OAuthTokens> {
        let redeemed = self
            .redeem(client, refresh_token)
            .await
            .map_err(|e| match e {
                CognitoError::InternalError(_) => OAuthError::from(e),
                other => OAuthError::new(OAuthErrorCode::InvalidGrant, other.message()),
            })?;
        let openid = redeemed.grant.scopes.iter().any(|s| s == "openid");
        self.touch_token_session(&redeemed.pool, &redeemed.grant.origin_jti, requester)
            .await?;
        let t = self
            .sign_tokens(
                &redeemed.pool,
                client,
                &redeemed.user,
                &redeemed.grant,
                TokenSource::RefreshTokens,
                &NO_METADATA,
            )
            .await?;
        // RFC 9700 §4.14.2: under the client's RefreshTokenRotation the
        // answer carries a new refresh token, which replaces this one.
        let refresh_token = self.rotate(client, &redeemed).await.map_err(|e| match e {
            CognitoError::InternalError(_) => OAuthError::from(e),
            other => OAuthError::new(OAuthErrorCode::InvalidGrant, other.message()),
        })?;
        Ok(OAuthTokens {
            access_token: t.access_token,
            id_token: openid.then_some(t.id_token),
            refresh_token,
            expires_in: t.expires_in,
        })
    }

    /// The client_credentials grant (RFC 6749 §4.4): a confidential client
    /// with the flow allowed gets an access token for resource-server
    /// scopes only; no user, no refresh token.
    pub async fn client_credentials(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        scope: Option<&str>,
    ) -> OResult<OAuthTokens> {
        use OAuthErrorCode as E;
        if client.client_secret.is_none() || !client_has_flow(client, OAuthFlow::ClientCredentials)
        {
            return Err(oauth(
                E::UnauthorizedClient,
                "the app client may not use the client_credentials grant",
            ));
        }
        let custom: Vec<String> = allowed_scopes(client)
            .iter()
            .filter(|s| !STANDARD_SCOPES.contains(&s.as_str()))
            .cloned()
            .collect();
        let requested = parse_scopes(scope);
        let scopes = if requested.is_empty() {
            custom.clone()
        } else {
            requested
        };
        if scopes.is_empty() || scopes.iter().any(|s| !custom.contains(s)) {
            return Err(oauth(
                E::InvalidScope,
                "client_credentials takes only the app client's resource-server scopes",
            ));
        }
        let now = self.clock.now();
        let claims = json!({
            "sub": client.client_id,
            "token_use": "access",
            "scope": scopes.join(" "),
            "auth_time": now.seconds(),
            "iss": self.issuer(&pool.id),
            "exp": now.seconds() + client.access_token_seconds(),
            "iat": now.seconds(),
            "version": 2,
            "jti": Uuid::new_v4().to_string(),
            "client_id": client.client_id,
        });
        let Value::Object(mut claims) = claims else {
            return Err(OAuthError::new(E::ServerError, "internal error"));
        };
        let call = PreTokenCall {
            pool,
            client,
            user: None,
            groups: &[],
            scopes: &scopes,
            source: TokenSource::ClientCredentials,
            metadata: &NO_METADATA,
        };
        if let Some(customization) = self.pre_token_generation(call).await? {
            customization.apply(&mut Map::new(), &mut claims);
        }
        let keys = self.pool_keys(&pool.id).await?;
        let access = keys.keys.active.sign(&claims)?;
        Ok(OAuthTokens {
            access_token: SecretString::new(access),
            id_token: None,
            refresh_token: None,
            expires_in: client.access_token_seconds(),
        })
    }

    /// OpenID Connect Core §5.3: the claims the access token's scopes allow
    /// (Cognito: the userInfo endpoint needs the `openid` scope). Only a
    /// token of the pool whose endpoint is called (RFC 6750 §3.1:
    /// invalid_token for one issued elsewhere).
    pub async fn userinfo(&self, pool_id: &str, access_token: &str) -> OResult<Map<String, Value>> {
        let invalid = |d: &str| OAuthError::new(OAuthErrorCode::InvalidToken, d);
        let (pool, user, claims) =
            self.verify_access_token(access_token)
                .await
                .map_err(|e| match e {
                    CognitoError::InternalError(_) => OAuthError::from(e),
                    other => invalid(other.message()),
                })?;
        if pool.id != pool_id {
            return Err(invalid("the access token was issued by another user pool"));
        }
        let scopes: Vec<&str> = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or("")
            .split(' ')
            .collect();
        let admin = scopes.contains(&super::tokens::ADMIN_SCOPE);
        if !scopes.contains(&"openid") && !admin {
            return Err(invalid("the access token lacks the openid scope"));
        }
        Ok(userinfo_claims(&user, &scopes, admin))
    }

    /// Housekeeping: deletes authorization codes expired for a day (a day
    /// of spent codes lets a late replay still be recognised) and expired
    /// browser sessions. Safe on every node at once.
    pub async fn purge_expired_oauth(&self) -> Result<u64, CognitoError> {
        let now = self.clock.now();
        let codes = self
            .store
            .delete_expired_auth_codes(now.plus_seconds(-86_400))
            .await?;
        let sessions = self.store.delete_expired_web_sessions(now).await?;
        Ok(codes + sessions)
    }

    /// Signs the tokens of a grant and stores its refresh token.
    async fn issue_tokens_for_grant(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        grant: Grant,
        requester: &Requester,
    ) -> Result<OAuthTokens, CognitoError> {
        let t = self
            .issue_grant_tokens(
                pool,
                client,
                user,
                grant.clone(),
                TokenSource::HostedAuth,
                &NO_METADATA,
                requester,
            )
            .await?;
        let openid = grant.scopes.iter().any(|s| s == "openid");
        Ok(OAuthTokens {
            access_token: t.access_token,
            id_token: openid.then_some(t.id_token),
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
        })
    }
}

/// The userInfo claims for `scopes` (OpenID Connect Core §5.4), with
/// Cognito's `username`; `aws.cognito.signin.user.admin` reads them all.
pub fn userinfo_claims(user: &User, scopes: &[&str], all: bool) -> Map<String, Value> {
    let by_scope: &[(&str, &[&str])] = &[
        ("email", &["email", "email_verified"]),
        ("phone", &["phone_number", "phone_number_verified"]),
        (
            "profile",
            &[
                "name",
                "family_name",
                "given_name",
                "middle_name",
                "nickname",
                "preferred_username",
                "profile",
                "picture",
                "website",
                "gender",
                "birthdate",
                "zoneinfo",
                "locale",
                "updated_at",
                "address",
            ],
        ),
    ];
    let mut out = Map::new();
    out.insert("sub".into(), json!(user.sub.to_string()));
    for a in &user.attributes {
        let allowed = all
            || by_scope
                .iter()
                .any(|(scope, names)| scopes.contains(scope) && names.contains(&a.name.as_str()));
        if allowed {
            let value = match a.name.as_str() {
                "email_verified" | "phone_number_verified" => json!(a.value == "true"),
                _ => json!(a.value),
            };
            out.insert(a.name.clone(), value);
        }
    }
    out.insert("username".into(), json!(user.username));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(is_pkce_string(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!is_pkce_string("short"));
        assert!(!is_pkce_string(&"a".repeat(129)));
        assert!(!is_pkce_string(&format!("{}+", "a".repeat(50))));
    }

    #[test]
    fn scopes_are_split_and_deduplicated() {
        assert_eq!(
            parse_scopes(Some("openid  email openid")),
            vec!["openid".to_owned(), "email".to_owned()]
        );
        assert!(parse_scopes(None).is_empty());
    }
}
