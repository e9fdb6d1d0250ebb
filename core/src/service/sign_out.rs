//! Ending sign-ins: RevokeToken (one sign-in, by its refresh token),
//! GlobalSignOut and AdminUserGlobalSignOut (every sign-in of a user).
//! Revoking a sign-in's refresh-token row revokes every access and ID token
//! that carries its origin_jti (see `tokens.rs`).

use super::Idp;
use super::tokens::{looks_like_refresh_token, refresh_token_hash};
use crate::crypto::constant_time_eq;
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPool};

impl Idp {
    /// Cognito API: RevokeToken — revokes the refresh token and every access
    /// token issued from the same sign-in. A token that is unknown (or
    /// already revoked) is not an error (RFC 7009 §2.2). With `linked`
    /// (RevokeAssociatedSessions LINKED) and session tracking on, the
    /// user's hosted-UI sessions end too: the one the sign-in came through
    /// is not recorded, so all of them (see `user_sessions.rs`).
    pub async fn revoke_token(
        &self,
        token: &str,
        client_id: &str,
        client_secret: Option<&str>,
        linked: bool,
    ) -> Result<()> {
        let unauthorized = |m: &str| CognitoError::Unauthorized(m.to_owned());
        let client = match self.client_by_id(client_id).await {
            Ok((_, client)) => client,
            Err(CognitoError::ResourceNotFound(_)) => {
                return Err(unauthorized("Invalid client id."));
            }
            Err(e) => return Err(e),
        };
        // RFC 7009 §2.1: a confidential client authenticates.
        if let Some(secret) = &client.client_secret {
            let given = client_secret.unwrap_or("");
            if !constant_time_eq(secret.as_bytes(), given.as_bytes()) {
                return Err(unauthorized("Invalid client secret."));
            }
        }
        // Cognito API: UserPoolClientType, EnableTokenRevocation.
        if client.config.enable_token_revocation == Some(false) {
            return Err(CognitoError::UnsupportedOperation(
                "Token revocation is not enabled for this app client.".into(),
            ));
        }
        if !looks_like_refresh_token(token) {
            return Err(CognitoError::UnsupportedTokenType(
                "Unsupported token type; only refresh tokens can be revoked.".into(),
            ));
        }
        let hash = refresh_token_hash(token);
        // A token that rotation replaced still names its sign-in.
        let record = match self.store.get_refresh_token(&hash).await? {
            Some(r) => r,
            None => match self.store.get_retired_refresh_token(&hash).await? {
                Some((r, _)) => r,
                None => return Ok(()),
            },
        };
        // RFC 7009 §2.1: a client revokes only its own tokens.
        if record.client_id != client.client_id {
            return Err(unauthorized("The token was not issued to this client."));
        }
        self.store
            .revoke_refresh_token(&record.origin_jti, self.clock.now())
            .await?;
        if linked {
            let (pool, _) = self.client_by_id(client_id).await?;
            if pool.session_config().tracking()
                && let Some(user) = self.store.get_user_by_sub(&pool.id, record.sub).await?
            {
                let (_guard, mut user) = self.lock_user(&pool, &user).await?;
                self.end_sessions(&mut user);
                self.store.update_user(&pool, &user).await?;
            }
        }
        Ok(())
    }

    /// Cognito API: GlobalSignOut — with the user's access token, revokes
    /// every sign-in of the user (their refresh tokens and, through
    /// origin_jti, their access and ID tokens).
    pub async fn global_sign_out(&self, access_token: &str) -> Result<()> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        let n = self.sign_out_everywhere(&pool, &user).await?;
        tracing::info!(pool_id = %pool.id, sub = %user.sub, revoked = n, "global sign-out");
        Ok(())
    }

    /// Every sign-in of the user ends: refresh tokens (and through them
    /// access and ID tokens), hosted-UI sessions and unredeemed codes.
    async fn sign_out_everywhere(&self, pool: &UserPool, user: &User) -> Result<u64> {
        let (_guard, mut user) = self.lock_user(pool, user).await?;
        self.end_sessions(&mut user);
        self.store.update_user(pool, &user).await?;
        self.store
            .revoke_user_refresh_tokens(&pool.id, user.sub, self.clock.now())
            .await
    }

    /// Cognito API: AdminUserGlobalSignOut — as GlobalSignOut, for an
    /// administrator naming the user.
    pub async fn admin_user_global_sign_out(&self, pool_id: &str, username: &str) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        let n = self.sign_out_everywhere(&pool, &user).await?;
        tracing::info!(pool_id, sub = %user.sub, revoked = n, "admin global sign-out");
        Ok(())
    }
}
