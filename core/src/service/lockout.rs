//! Lockout after repeated failed sign-ins, as Cognito does it (developer
//! guide, "User sign-in: lockout behavior for failed sign-in attempts"):
//! after five failures the user is locked out for one second, doubling with
//! each further failure up to about fifteen minutes; a successful sign-in,
//! or fifteen quiet minutes, clears the count. Attempts made while locked
//! out fail at once and do not extend the lockout. The same for every face
//! and every first factor (password or SRP).

use std::collections::HashMap;
use std::sync::Mutex;

use super::Idp;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::user::Lockout;
use crate::model::{User, UserPool};

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

/// Lockouts of names no user has. Under PreventUserExistenceErrors an
/// unknown name must lock out like a real one, or the sixth failed attempt
/// would tell which accounts exist. Kept in memory, so one node's view, and
/// bounded: when full, entries past their quiet spell go first.
#[derive(Default)]
pub(crate) struct GhostLockouts(Mutex<HashMap<(String, String), Lockout>>);

/// Most unknown names tracked at once.
const GHOST_CAPACITY: usize = 10_000;

impl GhostLockouts {
    fn key(pool_id: &str, name: &str) -> (String, String) {
        (pool_id.to_owned(), name.to_lowercase())
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Lockout>> {
        // A panic elsewhere while holding the lock leaves a usable map.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuses an attempt on `name` while it is locked out.
    pub(crate) fn check(&self, pool_id: &str, name: &str, now: Timestamp) -> Result<()> {
        match self.entries().get(&Self::key(pool_id, name)) {
            Some(l) if l.is_locked(now) => Err(locked_out()),
            _ => Ok(()),
        }
    }

    /// Counts one failed attempt on `name`.
    pub(crate) fn record_failure(&self, pool_id: &str, name: &str, now: Timestamp) {
        let mut entries = self.entries();
        let lockout = entries.entry(Self::key(pool_id, name)).or_default();
        if !lockout.is_locked(now) {
            lockout.record_failure(now);
        }
        if entries.len() > GHOST_CAPACITY {
            entries.retain(|_, l| {
                l.last_failure
                    .is_some_and(|t| now.millis() - t.millis() < RESET_AFTER_MS)
            });
            if entries.len() > GHOST_CAPACITY {
                entries.clear();
            }
        }
    }
}

impl Idp {
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

    #[test]
    fn unknown_names_lock_out_like_users_and_the_map_stays_bounded() {
        let pool = "us-east-1_Ghost";
        let ghosts = GhostLockouts::default();
        for i in 0..5 {
            assert!(ghosts.check(pool, "Nobody", Timestamp(i)).is_ok());
            ghosts.record_failure(pool, "nobody", Timestamp(i));
        }
        let err = ghosts.check(pool, "NOBODY", Timestamp(10)).unwrap_err();
        assert_eq!(err.message(), "Password attempts exceeded");
        assert!(ghosts.check(pool, "nobody", Timestamp(4 + 1_000)).is_ok());

        for i in 0..GHOST_CAPACITY as i64 + 1 {
            ghosts.record_failure(pool, &format!("n{i}"), Timestamp(RESET_AFTER_MS + 10));
        }
        assert!(ghosts.entries().len() <= GHOST_CAPACITY);
    }
}
