//! The tokens of a sign-in, the same for every face: RS256 ID and access
//! tokens with Cognito's claims, lifetimes from the app client, and an opaque
//! refresh token stored only as its SHA-256 hash. Also the check every
//! token-authorized action runs on the access token it is given.
//!
//! One sign-in is one `origin_jti`: the refresh token row carries it, and so
//! does every access and ID token issued from the sign-in or from refreshing
//! it, so revoking the row revokes them all (Cognito API: RevokeToken).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::Idp;
use super::auth::Metadata;
use super::pre_token_generation::PreTokenCall;
use super::user_sessions::Requester;
use crate::clock::Timestamp;
use crate::crypto::{SecretString, random_bytes};
use crate::error::{CognitoError, Result};
use crate::model::{Group, User, UserPool, UserPoolClient};
use crate::store::refresh_tokens::RefreshTokenRecord;
use crate::tokens::{TokenError, TokenUse};

/// The scope of tokens from the Cognito API's sign-in flows: it lets the
/// access token call the user's own actions (GetUser, ChangePassword, …).
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// The longest lifetime of an access or ID token (one day).
const MAX_ACCESS_TOKEN_SECONDS: i64 = 86_400;

/// The prefix of our refresh tokens, so the format can change later.
const REFRESH_PREFIX: &str = "v1.";

/// Tokens as the AuthenticationResult carries them.
#[derive(Clone)]
pub struct IssuedTokens {
    pub access_token: SecretString,
    pub id_token: SecretString,
    /// On sign-in, and on a refresh under RefreshTokenRotation.
    pub refresh_token: Option<SecretString>,
    /// The access token's lifetime in seconds.
    pub expires_in: i64,
    /// A sign-in's new device, when the pool tracks devices.
    pub new_device: Option<super::devices::NewDeviceMetadata>,
}

impl fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedTokens")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// What tokens of one sign-in share.
#[derive(Clone, Debug)]
pub struct Grant {
    pub origin_jti: String,
    pub auth_time: Timestamp,
    pub scopes: Vec<String>,
    /// OpenID Connect: the authorization request's nonce, for the ID token.
    pub nonce: Option<String>,
}

/// Why tokens are signed: PreTokenGeneration's `triggerSource` (developer
/// guide: "Pre token generation Lambda trigger sources").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// The hosted UI's sign-in, redeemed at the token endpoint.
    HostedAuth,
    /// The end of the API's sign-in flows.
    Authentication,
    /// The end of a sign-in that answered NEW_PASSWORD_REQUIRED.
    NewPasswordChallenge,
    /// REFRESH_TOKEN_AUTH and the refresh_token grant.
    RefreshTokens,
    /// The client_credentials grant (V3_0 events only).
    ClientCredentials,
}

impl TokenSource {
    pub fn trigger_source(self) -> &'static str {
        match self {
            Self::HostedAuth => "TokenGeneration_HostedAuth",
            Self::Authentication => "TokenGeneration_Authentication",
            Self::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            Self::RefreshTokens => "TokenGeneration_RefreshTokens",
            Self::ClientCredentials => "TokenGeneration_ClientCredentials",
        }
    }
}

/// SHA-256 of a refresh token: the only form the store keeps.
pub fn refresh_token_hash(token: &str) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

/// A new opaque refresh token: 256 random bits.
fn new_refresh_token() -> SecretString {
    SecretString::new(format!(
        "{REFRESH_PREFIX}{}",
        B64URL.encode(random_bytes::<32>())
    ))
}

/// Cognito API: GetTokensFromRefreshToken, RefreshTokenReuseException.
pub fn reuse() -> CognitoError {
    CognitoError::RefreshTokenReuse(
        "The refresh token was replaced by rotation and used again; its sign-in is revoked.".into(),
    )
}

/// A refresh token checked by [`Idp::redeem`].
#[derive(Debug)]
pub(crate) struct Redeemed {
    pub pool: UserPool,
    pub user: User,
    pub grant: Grant,
    /// The hash of the token presented.
    presented: Vec<u8>,
    /// The hash of the sign-in's current token (the presented one, unless
    /// that was retired within the grace period).
    current: Vec<u8>,
}

/// Whether `token` has the shape of one of our refresh tokens.
pub fn looks_like_refresh_token(token: &str) -> bool {
    token
        .strip_prefix(REFRESH_PREFIX)
        .is_some_and(|rest| rest.len() == 43 && B64URL.decode(rest).is_ok())
}

impl Idp {
    /// Issues the tokens of a new sign-in: a fresh origin_jti, auth_time
    /// now, and a refresh token stored as its hash.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_sign_in_tokens(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        scopes: Vec<String>,
        source: TokenSource,
        metadata: &Metadata,
        requester: &Requester,
    ) -> Result<IssuedTokens> {
        let grant = Grant {
            origin_jti: Uuid::new_v4().to_string(),
            auth_time: self.clock.now(),
            scopes,
            nonce: None,
        };
        self.issue_grant_tokens(pool, client, user, grant, source, metadata, requester)
            .await
    }

    /// Issues the tokens of `grant` with a refresh token stored as its hash;
    /// a tracked session records `requester` as its caller.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_grant_tokens(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        grant: Grant,
        source: TokenSource,
        metadata: &Metadata,
        requester: &Requester,
    ) -> Result<IssuedTokens> {
        let now = self.clock.now();
        let token = new_refresh_token();
        self.store
            .put_refresh_token(&RefreshTokenRecord {
                token_hash: refresh_token_hash(token.expose()),
                pool_id: pool.id.clone(),
                client_id: client.client_id.clone(),
                sub: user.sub,
                origin_jti: grant.origin_jti.clone(),
                auth_time: grant.auth_time,
                created: now,
                // Cognito API: UserPoolClientType, RefreshTokenValidity.
                expires: now.plus_seconds(client.refresh_token_seconds()),
                revoked: None,
                scopes: grant.scopes.clone(),
            })
            .await?;
        self.touch_token_session(pool, &grant.origin_jti, requester)
            .await?;
        self.evict_token_sessions(pool, user.sub, &grant.origin_jti)
            .await?;
        let mut tokens = self
            .sign_tokens(pool, client, user, &grant, source, metadata)
            .await?;
        tokens.refresh_token = Some(token);
        Ok(tokens)
    }

    /// The refresh token's sign-in, if it may still be used by `client`:
    /// Cognito API: InitiateAuth, REFRESH_TOKEN_AUTH. The caller checks the
    /// client's secret hash against the returned user.
    pub async fn redeem_refresh_token(
        &self,
        client: &UserPoolClient,
        token: &str,
    ) -> Result<(UserPool, User, Grant)> {
        let r = self.redeem(client, token).await?;
        Ok((r.pool, r.user, r.grant))
    }

    /// Checks a refresh token, the current one of its sign-in or, under
    /// rotation, one it replaced: within the client's RetryGracePeriodSeconds
    /// that one still works (a retry after a lost answer); after it, its
    /// use means a copy is in the wrong hands, and the whole sign-in is
    /// revoked (RFC 9700 §4.14.2): RefreshTokenReuseException.
    pub(crate) async fn redeem(&self, client: &UserPoolClient, token: &str) -> Result<Redeemed> {
        let invalid = || CognitoError::NotAuthorized("Invalid Refresh Token".into());
        if !looks_like_refresh_token(token) {
            return Err(invalid());
        }
        let hash = refresh_token_hash(token);
        let (record, retired) = match self.store.get_refresh_token(&hash).await? {
            Some(r) => (r, None),
            None => match self.store.get_retired_refresh_token(&hash).await? {
                Some((r, at)) => (r, Some(at)),
                None => return Err(invalid()),
            },
        };
        if record.client_id != client.client_id || record.pool_id != client.user_pool_id {
            return Err(invalid());
        }
        if record.revoked.is_some() {
            return Err(CognitoError::NotAuthorized(
                "Refresh Token has been revoked".into(),
            ));
        }
        let now = self.clock.now();
        if now >= record.expires {
            return Err(CognitoError::NotAuthorized(
                "Refresh Token has expired".into(),
            ));
        }
        if let Some(at) = retired {
            let grace = client.rotation_grace_seconds().unwrap_or(0);
            if now >= at.plus_seconds(grace) {
                self.store
                    .revoke_refresh_token(&record.origin_jti, now)
                    .await?;
                tracing::warn!(
                    pool = %record.pool_id,
                    client = %record.client_id,
                    "a rotated refresh token was used again; its sign-in is revoked"
                );
                return Err(reuse());
            }
        }
        let pool = self.pool(&record.pool_id).await.map_err(|_| invalid())?;
        let user = self
            .store
            .get_user_by_sub(&pool.id, record.sub)
            .await?
            .ok_or_else(invalid)?;
        if !user.enabled {
            return Err(CognitoError::NotAuthorized("User is disabled.".into()));
        }
        Ok(Redeemed {
            pool,
            user,
            grant: Grant {
                origin_jti: record.origin_jti,
                auth_time: record.auth_time,
                scopes: record.scopes,
                nonce: None,
            },
            presented: hash,
            current: record.token_hash,
        })
    }

    /// Under the client's RefreshTokenRotation (GetTokensFromRefreshToken and
    /// the token endpoint's refresh_token grant), a new refresh token for the
    /// sign-in of `redeemed` (same origin_jti, same expiry), which replaces
    /// the one presented; `None` when rotation is off. Call it last, once
    /// every check passed, so a refused request rotates nothing.
    pub(crate) async fn rotate(
        &self,
        client: &UserPoolClient,
        redeemed: &Redeemed,
    ) -> Result<Option<SecretString>> {
        let Some(grace) = client.rotation_grace_seconds() else {
            return Ok(None);
        };
        let mut current = redeemed.current.clone();
        // Two refreshes with one token race here: the loser finds its token
        // retired a moment ago and rotates the winner's, within the grace.
        for _ in 0..3 {
            let token = new_refresh_token();
            let now = self.clock.now();
            if self
                .store
                .rotate_refresh_token(
                    &redeemed.grant.origin_jti,
                    &current,
                    &refresh_token_hash(token.expose()),
                    now,
                )
                .await?
            {
                return Ok(Some(token));
            }
            let Some((record, at)) = self
                .store
                .get_retired_refresh_token(&redeemed.presented)
                .await?
            else {
                break;
            };
            if record.revoked.is_some() || now >= at.plus_seconds(grace.max(1)) {
                break;
            }
            current = record.token_hash;
        }
        Err(CognitoError::NotAuthorized("Invalid Refresh Token".into()))
    }

    /// Cognito API: GetTokensFromRefreshToken — new ID and access tokens,
    /// and under RefreshTokenRotation a new refresh token. The client
    /// authenticates with ClientSecret when it has one.
    pub async fn get_tokens_from_refresh_token(
        &self,
        client_id: &str,
        token: &str,
        client_secret: Option<&str>,
        device_key: Option<&str>,
        metadata: &Metadata,
        requester: &Requester,
    ) -> Result<IssuedTokens> {
        if let Some(key) = device_key {
            super::devices::check_device_key(key)?;
        }
        let (_, client) = self.client_by_id(client_id).await?;
        if let Some(secret) = &client.client_secret {
            let given = client_secret.unwrap_or("");
            if !crate::crypto::constant_time_eq(secret.as_bytes(), given.as_bytes()) {
                return Err(CognitoError::NotAuthorized(format!(
                    "Unable to verify secret for client {}",
                    client.client_id
                )));
            }
        }
        // A rotating client refreshes here only, and needs no
        // ALLOW_REFRESH_TOKEN_AUTH (developer guide, "Refresh token
        // rotation"); any other refreshes as REFRESH_TOKEN_AUTH would.
        if client.rotation_grace_seconds().is_none()
            && !client.allows(crate::model::client::AuthFlow::RefreshToken)
        {
            return Err(CognitoError::invalid_parameter(
                "REFRESH_TOKEN_AUTH flow not enabled for this client",
            ));
        }
        let redeemed = self.redeem(&client, token).await?;
        // A refresh from a device names one of the user's own devices.
        if let Some(key) = device_key {
            self.user_device(&redeemed.user, key).await?;
        }
        self.touch_token_session(&redeemed.pool, &redeemed.grant.origin_jti, requester)
            .await?;
        let mut tokens = self
            .sign_tokens(
                &redeemed.pool,
                &client,
                &redeemed.user,
                &redeemed.grant,
                TokenSource::RefreshTokens,
                metadata,
            )
            .await?;
        tokens.refresh_token = self.rotate(&client, &redeemed).await?;
        Ok(tokens)
    }

    /// Signs the ID and access tokens of a grant (no refresh token), as
    /// the pool's PreTokenGeneration function customizes them.
    pub async fn sign_tokens(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        grant: &Grant,
        source: TokenSource,
        metadata: &Metadata,
    ) -> Result<IssuedTokens> {
        let groups = self.user_groups(&pool.id, user.sub).await?;
        let now = self.clock.now();
        let issuer = self.issuer(&pool.id);
        let event_id = Uuid::new_v4().to_string();
        let mut access = access_claims(&issuer, client, user, grant, &groups, &event_id, now);
        let mut id = id_claims(&issuer, client, user, grant, &groups, &event_id, now);
        let call = PreTokenCall {
            pool,
            client,
            user: Some(user),
            groups: &groups,
            scopes: &grant.scopes,
            source,
            metadata,
        };
        if let Some(customization) = self.pre_token_generation(call).await? {
            customization.apply(&mut id, &mut access);
        }
        let keys = self.pool_keys(&pool.id).await?;
        let access_token = keys.keys.active.sign(&access)?;
        // OpenID Connect Core §3.1.3.6 and §3.2.2.9: nonce and at_hash in
        // ID tokens of the OAuth flows (those with the openid scope).
        if grant.scopes.iter().any(|s| s == "openid") {
            if let Some(nonce) = &grant.nonce {
                id.insert("nonce".into(), json!(nonce));
            }
            id.insert("at_hash".into(), json!(at_hash(&access_token)));
        }
        Ok(IssuedTokens {
            access_token: SecretString::new(access_token),
            id_token: SecretString::new(keys.keys.active.sign(&id)?),
            refresh_token: None,
            expires_in: client.access_token_seconds(),
            new_device: None,
        })
    }

    /// Deletes refresh-token rows no token can need any more: expired for
    /// longer than an access token can live (Cognito API:
    /// UserPoolClientType, AccessTokenValidity, at most one day), so a
    /// revoked sign-in stays revoked while any of its tokens could be used.
    /// Safe to run on every node at once.
    pub async fn purge_expired_refresh_tokens(&self) -> Result<u64> {
        let before = self.clock.now().plus_seconds(-MAX_ACCESS_TOKEN_SECONDS);
        let tokens = self.store.delete_expired_refresh_tokens(before).await?;
        // SSO-session records older than the hosted UI's session lifetime
        // can resume nothing.
        let sso_before = self
            .clock
            .now()
            .plus_seconds(-self.settings.sso_session_seconds);
        let sso = self.store.delete_old_sso_sessions(sso_before).await?;
        Ok(tokens + sso)
    }

    /// The user's groups in Cognito's token order: by precedence (lowest
    /// first, unset last), then by name.
    async fn user_groups(&self, pool_id: &str, sub: Uuid) -> Result<Vec<Group>> {
        let mut groups = self.store.groups_of_user(pool_id, sub).await?;
        groups.sort_by(|a, b| {
            (a.precedence.is_none(), a.precedence, &a.group_name).cmp(&(
                b.precedence.is_none(),
                b.precedence,
                &b.group_name,
            ))
        });
        Ok(groups)
    }

    /// Checks an access token as every token-authorized action of the
    /// Cognito API must (GetUser, ChangePassword, UpdateUserAttributes,
    /// GlobalSignOut, SetUserMFAPreference, …): [`Idp::verify_access_token`],
    /// then the `aws.cognito.signin.user.admin` scope. This is the one place
    /// that decides it, so a hosted-UI token with `openid` alone can read
    /// userInfo but cannot change the account.
    ///
    /// Cognito API: each self-service action, "Authorize this action with a
    /// signed-in user's access token. It must include the scope
    /// aws.cognito.signin.user.admin."
    pub async fn authenticate_access_token(
        &self,
        token: &str,
    ) -> Result<(UserPool, User, Map<String, Value>)> {
        let (pool, user, claims) = self.verify_access_token(token).await?;
        require_admin_scope(&claims)?;
        Ok((pool, user, claims))
    }

    /// Checks an access token whatever its scopes: the signature against
    /// the JWKS of the pool named by `iss`, expiry on the Idp clock,
    /// `token_use=access`, that its sign-in was not revoked, and that the
    /// user still exists and is enabled. The caller checks the scopes it
    /// needs (userInfo: `openid`).
    ///
    /// Cognito's answers: NotAuthorizedException "Invalid Access Token",
    /// "Access Token has expired", "Access Token has been revoked", "User is
    /// disabled."; UserNotFoundException for a deleted user.
    pub(crate) async fn verify_access_token(
        &self,
        token: &str,
    ) -> Result<(UserPool, User, Map<String, Value>)> {
        let invalid = || TokenError::Malformed.to_cognito(TokenUse::Access);
        let pool_id = self.unverified_pool_id(token).ok_or_else(invalid)?;
        let pool = match self.pool(&pool_id).await {
            Ok(p) => p,
            Err(CognitoError::ResourceNotFound(_)) => return Err(invalid()),
            Err(e) => return Err(e),
        };
        let now = self.clock.now();
        let keys = self.pool_keys(&pool.id).await?;
        let claims = match keys.verifier.verify(token, TokenUse::Access, None, now) {
            // A key made or rotated on another node: reload once.
            Err(TokenError::UnknownKey) => self.reload_pool_keys(&pool.id).await?.verifier.verify(
                token,
                TokenUse::Access,
                None,
                now,
            ),
            other => other,
        }
        .map_err(|e| e.to_cognito(TokenUse::Access))?;

        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(invalid)?;
        // Every access token we issue names its sign-in.
        let origin = claims
            .get("origin_jti")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        let Some((user, revoked)) = self
            .store
            .get_user_and_revocation(&pool.id, sub, origin)
            .await?
        else {
            return Err(CognitoError::UserNotFound("User does not exist.".into()));
        };
        if revoked {
            return Err(CognitoError::NotAuthorized(
                "Access Token has been revoked".into(),
            ));
        }
        if !user.enabled {
            return Err(CognitoError::NotAuthorized("User is disabled.".into()));
        }
        Ok((pool, user, claims))
    }

    /// The pool and `sub` of an access token whose signature and expiry
    /// check, from cached keys and without a database read: what the faces
    /// count a token-authorized request against (rate limits), before the
    /// action runs its full check. None for any token that does not verify.
    pub async fn access_token_subject(&self, token: &str) -> Option<(String, Uuid)> {
        let pool_id = self.unverified_pool_id(token)?;
        let pool = self.pool(&pool_id).await.ok()?;
        let keys = self.pool_keys(&pool.id).await.ok()?;
        let claims = keys
            .verifier
            .verify(token, TokenUse::Access, None, self.clock.now())
            .ok()?;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())?;
        Some((pool.id, sub))
    }

    /// The pool id named by a token's `iss`, read before any check: only
    /// to choose the keys that then verify it.
    fn unverified_pool_id(&self, token: &str) -> Option<String> {
        // A JWT larger than this is not one of ours.
        if token.len() > 16 * 1024 {
            return None;
        }
        let payload = token.split('.').nth(1)?;
        let bytes = B64URL.decode(payload).ok()?;
        let claims: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
        let iss = claims.get("iss")?.as_str()?;
        let pool_id = iss
            .strip_prefix(&self.settings.public_url)?
            .strip_prefix('/')?;
        crate::ids::is_valid_user_pool_id(pool_id).then(|| pool_id.to_owned())
    }
}

/// OpenID Connect Core §3.1.3.6: the left half of SHA-256 of the access
/// token's ASCII, base64url (RS256 uses SHA-256).
pub fn at_hash(access_token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    B64URL.encode(&digest.as_ref()[..16])
}

/// Cognito API: the user's own actions require an access token with the
/// `aws.cognito.signin.user.admin` scope.
pub fn require_admin_scope(claims: &Map<String, Value>) -> Result<()> {
    let has = claims
        .get("scope")
        .and_then(Value::as_str)
        .is_some_and(|s| s.split(' ').any(|x| x == ADMIN_SCOPE));
    if has {
        Ok(())
    } else {
        Err(CognitoError::NotAuthorized(
            "Access Token does not have required scopes".into(),
        ))
    }
}

fn group_names(groups: &[Group]) -> Value {
    Value::Array(
        groups
            .iter()
            .map(|g| Value::String(g.group_name.clone()))
            .collect(),
    )
}

/// The access token's claims, as Cognito's (developer guide: "Understanding
/// the access token").
fn access_claims(
    issuer: &str,
    client: &UserPoolClient,
    user: &User,
    grant: &Grant,
    groups: &[Group],
    event_id: &str,
    now: Timestamp,
) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("sub".into(), json!(user.sub.to_string()));
    if !groups.is_empty() {
        c.insert("cognito:groups".into(), group_names(groups));
    }
    c.insert("iss".into(), json!(issuer));
    c.insert("client_id".into(), json!(client.client_id));
    c.insert("origin_jti".into(), json!(grant.origin_jti));
    c.insert("event_id".into(), json!(event_id));
    c.insert("token_use".into(), json!("access"));
    c.insert("scope".into(), json!(grant.scopes.join(" ")));
    c.insert("auth_time".into(), json!(grant.auth_time.seconds()));
    c.insert(
        "exp".into(),
        json!(now.seconds() + client.access_token_seconds()),
    );
    c.insert("iat".into(), json!(now.seconds()));
    c.insert("jti".into(), json!(Uuid::new_v4().to_string()));
    c.insert("username".into(), json!(user.username));
    c.insert("version".into(), json!(2));
    c
}

/// The ID token's claims, as Cognito's (developer guide: "Understanding the
/// identity (ID) token"): the attributes the client may read, with the
/// `_verified` flags as booleans.
fn id_claims(
    issuer: &str,
    client: &UserPoolClient,
    user: &User,
    grant: &Grant,
    groups: &[Group],
    event_id: &str,
    now: Timestamp,
) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("sub".into(), json!(user.sub.to_string()));
    let readable = client
        .config
        .read_attributes
        .as_ref()
        .filter(|r| !r.is_empty());
    for a in &user.attributes {
        // The `identities` claim of a federated user is always there
        // (developer guide: "Understanding the identity (ID) token").
        let always = a.name == "identities";
        if a.name == "sub" || (!always && readable.is_some_and(|r| !r.contains(&a.name))) {
            continue;
        }
        let value = match a.name.as_str() {
            "identities" => serde_json::from_str(&a.value).unwrap_or_else(|_| json!(a.value)),
            "email_verified" | "phone_number_verified" => json!(a.value == "true"),
            "updated_at" => a
                .value
                .parse::<i64>()
                .map_or_else(|_| json!(a.value), |n| json!(n)),
            _ => json!(a.value),
        };
        c.insert(a.name.clone(), value);
    }
    if !groups.is_empty() {
        c.insert("cognito:groups".into(), group_names(groups));
        let roles: Vec<&str> = groups
            .iter()
            .filter_map(|g| g.role_arn.as_deref())
            .collect();
        if !roles.is_empty() {
            c.insert("cognito:roles".into(), json!(roles));
            // The role of the group with the lowest precedence.
            c.insert("cognito:preferred_role".into(), json!(roles[0]));
        }
    }
    c.insert("iss".into(), json!(issuer));
    c.insert("cognito:username".into(), json!(user.username));
    c.insert("origin_jti".into(), json!(grant.origin_jti));
    c.insert("aud".into(), json!(client.client_id));
    c.insert("event_id".into(), json!(event_id));
    c.insert("token_use".into(), json!("id"));
    c.insert("auth_time".into(), json!(grant.auth_time.seconds()));
    c.insert(
        "exp".into(),
        json!(now.seconds() + client.id_token_seconds()),
    );
    c.insert("iat".into(), json!(now.seconds()));
    c.insert("jti".into(), json!(Uuid::new_v4().to_string()));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_token_shape() {
        let t = format!("{REFRESH_PREFIX}{}", B64URL.encode(random_bytes::<32>()));
        assert!(looks_like_refresh_token(&t));
        assert!(!looks_like_refresh_token("v1.short"));
        assert!(!looks_like_refresh_token("eyJhbGciOi.x.y"));
        assert_eq!(refresh_token_hash(&t).len(), 32);
    }

    #[test]
    fn admin_scope_is_required() {
        let mut c = Map::new();
        assert!(require_admin_scope(&c).is_err());
        c.insert(
            "scope".into(),
            json!("openid aws.cognito.signin.user.admin"),
        );
        assert!(require_admin_scope(&c).is_ok());
    }
}
