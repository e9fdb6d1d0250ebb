//! Lockout after repeated failed sign-ins, as Cognito does it (developer
//! guide, "User sign-in: lockout behavior for failed sign-in attempts"):
//! after five failures the user is locked out for one second, doubling with
//! each further failure up to about fifteen minutes; a successful sign-in,
//! or fifteen quiet minutes, clears the count. Attempts made while locked
//! out fail at once and do not extend the lockout. The same for every face
//! and every first factor (password or SRP).

use serde::{Deserialize, Serialize};

use super::Idp;
use super::codes::{CodePurpose, MAX_FAILED_ATTEMPTS, attempts_exceeded, code_mismatch};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::user::Lockout;
use crate::model::{User, UserPool};
use crate::store::ghosts::GhostRecord;

/// Failures allowed before the first lockout.
pub const FREE_FAILURES: u32 = 5;
/// The first lockout; each further failure doubles it.
pub const FIRST_LOCKOUT_MS: i64 = 1_000;
/// The longest lockout (Cognito: "about 15 minutes").
pub const MAX_LOCKOUT_MS: i64 = 15 * 60 * 1_000;
/// A quiet spell after which earlier failures are forgotten.
pub const RESET_AFTER_MS: i64 = 15 * 60 * 1_000;

/// Cognito API: InitiateAuth, NotAuthorizedException while locked out.
pub fn locked_out() -> CognitoError {
    CognitoError::NotAuthorized("Password attempts exceeded".into())
}

/// How long the lockout lasts after the `failures`-th failure, if at all.
pub fn lockout_after(failures: u32) -> Option<i64> {
    let extra = failures.checked_sub(FREE_FAILURES)?;
    // 1 s · 2^extra, capped; 2^10 s already exceeds the cap.
    Some(
        FIRST_LOCKOUT_MS
            .saturating_mul(1 << extra.min(10))
            .min(MAX_LOCKOUT_MS),
    )
}

impl Lockout {
    /// Whether a sign-in attempt at `now` must be refused unheard.
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// Counts one failure at `now`.
    fn record_failure(&mut self, now: Timestamp) {
        let quiet = self
            .last_failure
            .is_some_and(|t| now.millis() - t.millis() >= RESET_AFTER_MS);
        if quiet {
            *self = Lockout::default();
        }
        self.failures = self.failures.saturating_add(1);
        self.last_failure = Some(now);
        self.locked_until = lockout_after(self.failures).map(|ms| Timestamp(now.millis() + ms));
    }
}

/// The ghost record of sign-in failures on a name no user has.
const GHOST_SIGN_IN: &str = "sign-in";

/// What a ghost record holds: a lockout like a user's, and the attempts on
/// a simulated code like a user's `StoredCode`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
struct GhostDoc {
    #[serde(default, skip_serializing_if = "Lockout::is_clear")]
    lockout: Lockout,
    #[serde(default, skip_serializing_if = "is_zero")]
    code_failures: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn ghost_code_purpose(purpose: CodePurpose<'_>) -> String {
    format!("code:{}", purpose.key())
}

/// Names no user has, under PreventUserExistenceErrors: they lock out and
/// run out of code attempts as a real user does, or the sixth failed
/// attempt would tell which accounts exist. Kept in the store like a user's
/// counts — so they survive restarts and are shared by nodes — and each
/// costs the same store read and write as a real user's failure.
impl Idp {
    async fn ghost(&self, pool: &UserPool, name: &str, purpose: &str) -> Result<GhostDoc> {
        let record = self
            .store
            .get_ghost(&pool.id, &name.to_lowercase(), purpose)
            .await?;
        let now = self.clock.now();
        Ok(record
            .filter(|r| now < r.expires)
            .and_then(|r| serde_json::from_str(&r.doc).ok())
            .unwrap_or_default())
    }

    async fn put_ghost(
        &self,
        pool: &UserPool,
        name: &str,
        purpose: &str,
        doc: &GhostDoc,
        expires: Timestamp,
    ) -> Result<()> {
        self.store
            .put_ghost(&GhostRecord {
                pool_id: pool.id.clone(),
                name: name.to_lowercase(),
                purpose: purpose.to_owned(),
                doc: serde_json::to_string(doc).map_err(CognitoError::internal)?,
                expires,
            })
            .await
    }

    /// Refuses an attempt on the unknown `name` while it is locked out.
    pub(crate) async fn check_ghost_not_locked_out(
        &self,
        pool: &UserPool,
        name: &str,
    ) -> Result<()> {
        if self
            .ghost(pool, name, GHOST_SIGN_IN)
            .await?
            .lockout
            .is_locked(self.clock.now())
        {
            return Err(locked_out());
        }
        Ok(())
    }

    /// Counts a failed sign-in on the unknown `name`.
    pub(crate) async fn record_ghost_sign_in_failure(
        &self,
        pool: &UserPool,
        name: &str,
    ) -> Result<()> {
        let mut doc = self.ghost(pool, name, GHOST_SIGN_IN).await?;
        let now = self.clock.now();
        if doc.lockout.is_locked(now) {
            return Ok(());
        }
        doc.lockout.record_failure(now);
        let quiet = now.millis() + RESET_AFTER_MS;
        let expires = doc
            .lockout
            .locked_until
            .map_or(quiet, |t| t.millis().max(quiet));
        self.put_ghost(pool, name, GHOST_SIGN_IN, &doc, Timestamp(expires))
            .await
    }

    /// A simulated code "sent" to the unknown `name`: its attempts start
    /// from zero, as a real new code's do.
    pub(crate) async fn issue_ghost_code(
        &self,
        pool: &UserPool,
        name: &str,
        purpose: CodePurpose<'_>,
    ) -> Result<()> {
        self.spend_message_budget(pool, &super::messages::ghost_recipient(name))?;
        let expires = self.clock.now().plus_seconds(purpose.lifetime_seconds());
        self.put_ghost(
            pool,
            name,
            &ghost_code_purpose(purpose),
            &GhostDoc::default(),
            expires,
        )
        .await
    }

    /// A code tried on the unknown `name`: CodeMismatchException, or
    /// LimitExceededException once a simulated code has had as many wrong
    /// tries as a real one survives (see `codes.rs`).
    pub(crate) async fn refuse_ghost_code(
        &self,
        pool: &UserPool,
        name: &str,
        purpose: CodePurpose<'_>,
    ) -> CognitoError {
        let key = ghost_code_purpose(purpose);
        let record = match self
            .store
            .get_ghost(&pool.id, &name.to_lowercase(), &key)
            .await
        {
            Ok(Some(r)) => r,
            Ok(None) => return code_mismatch(),
            Err(e) => return e,
        };
        let mut doc: GhostDoc = serde_json::from_str(&record.doc).unwrap_or_default();
        if doc.code_failures >= MAX_FAILED_ATTEMPTS {
            return attempts_exceeded();
        }
        doc.code_failures += 1;
        match self.put_ghost(pool, name, &key, &doc, record.expires).await {
            Ok(()) => code_mismatch(),
            Err(e) => e,
        }
    }

    /// Housekeeping: forgets ghost records that say nothing any more.
    pub async fn purge_expired_ghosts(&self) -> Result<u64> {
        self.store.delete_expired_ghosts(self.clock.now()).await
    }

    /// Refuses a sign-in attempt while `user` is locked out.
    pub(crate) fn check_not_locked_out(&self, user: &User) -> Result<()> {
        if user.settings.lockout.is_locked(self.clock.now()) {
            return Err(locked_out());
        }
        Ok(())
    }

    /// Counts a failed sign-in of `user` (a wrong password or SRP proof).
    pub(crate) async fn record_sign_in_failure(&self, pool: &UserPool, user: &User) -> Result<()> {
        let (_guard, mut fresh) = self.lock_user(pool, user).await?;
        let now = self.clock.now();
        // A failure that raced with the lockout starting does not extend it.
        if fresh.settings.lockout.is_locked(now) {
            return Ok(());
        }
        fresh.settings.lockout.record_failure(now);
        self.store.update_user(pool, &fresh).await
    }

    /// Forgets earlier failures after a successful first factor.
    pub(crate) async fn clear_sign_in_failures(
        &self,
        pool: &UserPool,
        user: &mut User,
    ) -> Result<()> {
        if user.settings.lockout.is_clear() {
            return Ok(());
        }
        let (_guard, mut fresh) = self.lock_user(pool, user).await?;
        fresh.settings.lockout = Lockout::default();
        self.store.update_user(pool, &fresh).await?;
        *user = fresh;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_starts_after_five_failures_and_doubles_to_fifteen_minutes() {
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(1_000));
        assert_eq!(lockout_after(6), Some(2_000));
        assert_eq!(lockout_after(7), Some(4_000));
        assert_eq!(lockout_after(14), Some(512_000));
        assert_eq!(lockout_after(15), Some(MAX_LOCKOUT_MS));
        assert_eq!(lockout_after(u32::MAX), Some(MAX_LOCKOUT_MS));
    }

    #[test]
    fn quiet_fifteen_minutes_forget_failures() {
        let mut l = Lockout::default();
        for i in 0..4 {
            l.record_failure(Timestamp(i * 1000));
        }
        assert_eq!(l.failures, 4);
        l.record_failure(Timestamp(3000 + RESET_AFTER_MS));
        assert_eq!(l.failures, 1);
        assert!(!l.is_locked(Timestamp(3000 + RESET_AFTER_MS)));
    }
}
