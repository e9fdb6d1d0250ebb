//! Lockout after repeated failed sign-ins, as Cognito does it (developer
//! guide, "User sign-in: lockout behavior for failed sign-in attempts"):
//! after five failures the user is locked out for one second, doubling with
//! each further failure up to about fifteen minutes; a successful sign-in,
//! or fifteen quiet minutes, clears the count. Attempts made while locked
//! out fail at once and do not extend the lockout. The same for every face
//! and every first factor (password or SRP).

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
}
