//! Extractors for the app's handlers: [`User`] (the verified ID-token
//! claims of the signed-in user) and [`AccessToken`] (refreshed with the
//! refresh token before it expires, one refresh at a time per session).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use openidconnect::{OAuth2TokenResponse, RefreshToken, TokenResponse};
use serde_json::{Map, Value};
use tower_sessions::Session;

use crate::LoginFront;
use crate::error::LoginFrontError;
use crate::provider::{AnyNonce, TokenFailure, token_failure};
use crate::session::{self, SIGNED_IN, SignedIn, store_error};

/// The signed-in user: the claims of the ID token verified at sign-in (or
/// at the last refresh). Anonymous requests are redirected to sign in;
/// take `Option<User>` to serve them instead.
#[derive(Clone, Debug)]
pub struct User {
    /// The `sub` claim.
    pub subject: String,
    /// Every claim of the ID token (`email`, `cognito:username`, …).
    pub claims: Map<String, Value>,
}

impl User {
    /// A string claim, e.g. `email`.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    fn from_signed_in(s: SignedIn) -> Self {
        Self {
            subject: s
                .claims
                .get("sub")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            claims: s.claims,
        }
    }
}

/// A current access token for calling APIs on the user's behalf; it never
/// leaves the server. `Debug` hides it.
#[derive(Clone)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<hidden>)")
    }
}

/// The login front and session of a request, put there by
/// [`LoginFront::session_layer`].
pub(crate) fn context(
    ext: &axum::http::Extensions,
) -> Result<(LoginFront, Session), LoginFrontError> {
    let missing = || {
        LoginFrontError::Config(
            "no session layer: wrap the app in LoginFront::session_layer".into(),
        )
    };
    let lf = ext.get::<LoginFront>().cloned().ok_or_else(missing)?;
    let session = ext.get::<Session>().cloned().ok_or_else(missing)?;
    Ok((lf, session))
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = LoginFrontError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let (lf, session) = context(&parts.extensions)?;
        match session::signed_in(&session).await? {
            Some(s) => Ok(User::from_signed_in(s)),
            None => Err(lf.sign_in_required(&parts.uri)),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for User {
    type Rejection = LoginFrontError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        let (_, session) = context(&parts.extensions)?;
        Ok(session::signed_in(&session)
            .await?
            .map(User::from_signed_in))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AccessToken {
    type Rejection = LoginFrontError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let (lf, session) = context(&parts.extensions)?;
        lf.access_token(&session, &parts.uri).await
    }
}

enum Refresh {
    /// The provider refused: the sign-in is over.
    Refused(String),
    /// The provider could not be asked: try again later.
    Unavailable(String),
}

impl LoginFront {
    fn needs_refresh(&self, s: &SignedIn) -> bool {
        let leeway = self.config().refresh_leeway.as_secs().min(i64::MAX as u64) as i64;
        s.expires_at
            .is_some_and(|exp| exp.saturating_sub(leeway) <= self.now())
    }

    /// The session's access token, refreshed first when it expires within
    /// the leeway. A refused refresh ends the session (SignInRequired).
    pub async fn access_token(
        &self,
        session: &Session,
        uri: &axum::http::Uri,
    ) -> Result<AccessToken, LoginFrontError> {
        let Some(current) = session::signed_in(session).await? else {
            return Err(self.sign_in_required(uri));
        };
        if !self.needs_refresh(&current) {
            return Ok(AccessToken(current.access_token));
        }
        let Some(id) = session.id() else {
            return Err(self.sign_in_required(uri));
        };
        let lock = self.refresh_lock(id);
        let _one_at_a_time = lock.lock().await;
        // Another request of this session may have refreshed while we
        // waited: read the record again from the store.
        session.load().await.map_err(store_error)?;
        let Some(current) = session::signed_in(session).await? else {
            return Err(self.sign_in_required(uri));
        };
        if !self.needs_refresh(&current) {
            return Ok(AccessToken(current.access_token));
        }
        match self.refresh(&current).await {
            Ok(fresh) => {
                let token = fresh.access_token.clone();
                session
                    .insert(SIGNED_IN, fresh)
                    .await
                    .map_err(store_error)?;
                // Saved now, under the lock, so the next waiter reads it.
                session.save().await.map_err(store_error)?;
                Ok(AccessToken(token))
            }
            Err(Refresh::Refused(why)) => {
                tracing::info!(why, "refresh refused: the session ends");
                session.flush().await.map_err(store_error)?;
                Err(self.sign_in_required(uri))
            }
            Err(Refresh::Unavailable(why)) => Err(LoginFrontError::ProviderUnavailable(why)),
        }
    }

    async fn refresh(&self, old: &SignedIn) -> Result<SignedIn, Refresh> {
        let Some(refresh_token) = &old.refresh_token else {
            return Err(Refresh::Refused("no refresh token".into()));
        };
        let m = self
            .provider()
            .metadata()
            .await
            .map_err(|e| Refresh::Unavailable(e.to_string()))?;
        let client = self.provider().client(&m);
        self.count_refresh();
        let token = client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.clone()))
            .map_err(|e| Refresh::Unavailable(e.to_string()))?
            .request_async(&self.provider().http)
            .await
            .map_err(|e| match token_failure(e) {
                TokenFailure::Refused(why) => Refresh::Refused(why),
                TokenFailure::Unavailable(why) => Refresh::Unavailable(why),
            })?;
        let now = self.now();
        let (mut id_token, mut claims) = (old.id_token.clone(), old.claims.clone());
        if let Some(fresh) = token.id_token() {
            let verified = self
                .provider()
                .verify_id_token(fresh, token.access_token(), AnyNonce)
                .await
                .map_err(|e| match e {
                    LoginFrontError::ProviderUnavailable(why) => Refresh::Unavailable(why),
                    other => Refresh::Refused(other.to_string()),
                })?;
            // OIDC Core §12.2: the same subject as at sign-in.
            if verified.claims.get("sub") != old.claims.get("sub") {
                return Err(Refresh::Refused(
                    "the refreshed ID token names another subject".into(),
                ));
            }
            id_token = fresh.to_string();
            claims = verified.claims;
        }
        Ok(SignedIn {
            id_token,
            access_token: token.access_token().secret().clone(),
            // RFC 6749 §6: a new refresh token replaces the old one when sent.
            refresh_token: token
                .refresh_token()
                .map(|r| r.secret().clone())
                .or_else(|| old.refresh_token.clone()),
            expires_at: token
                .expires_in()
                .map(|d| now.saturating_add(d.as_secs() as i64)),
            claims,
        })
    }
}
