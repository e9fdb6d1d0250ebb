//! Equal time for users that do not exist. When a client hides user
//! existence (PreventUserExistenceErrors ENABLED), the answer for an unknown
//! name must not come back sooner than the real one would (CONVENTIONS.md
//! §5): each paced step keeps a moving average of how long its real path
//! takes, and the simulated path waits that long.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

// tokio's Instant, so tests run on tokio's paused clock instead of sleeping.
use tokio::time::Instant;

/// A step whose real and simulated paths are paced alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// ForgotPassword and ResendConfirmationCode: a code issued and sent.
    CodeSent,
    /// ConfirmSignUp and ConfirmForgotPassword with a wrong code.
    CodeRefused,
    /// USER_AUTH: an EMAIL_OTP or SMS_OTP sign-in code issued and sent.
    SignInCodeSent,
    /// USER_AUTH: a wrong EMAIL_OTP or SMS_OTP sign-in code.
    SignInCodeRefused,
}

/// Longest a simulated answer waits, whatever the average says.
const CEILING: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Pacing {
    averages: Mutex<HashMap<Step, Duration>>,
}

impl Pacing {
    /// Notes how long the real path took (an exponential moving average).
    pub fn record(&self, step: Step, started: Instant) {
        let took = started.elapsed().min(CEILING);
        if let Ok(mut map) = self.averages.lock() {
            let avg = map.entry(step).or_insert(took);
            *avg = (*avg * 4 + took) / 5;
        }
    }

    /// Waits until the simulated path has taken as long as the real one does.
    pub async fn pad(&self, step: Step, started: Instant) {
        let target = self
            .averages
            .lock()
            .ok()
            .and_then(|m| m.get(&step).copied())
            .unwrap_or_default()
            .min(CEILING);
        let elapsed = started.elapsed();
        if target > elapsed {
            tokio::time::sleep(target - elapsed).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // tokio's paused clock: time moves only when every task waits, so the
    // durations below are exact, not timings of a loaded machine.
    #[tokio::test(start_paused = true)]
    async fn simulated_paths_wait_as_long_as_real_ones() {
        let p = Pacing::default();
        let start = Instant::now();
        p.pad(Step::CodeSent, start).await;
        assert_eq!(start.elapsed(), Duration::ZERO, "nothing to match yet");

        let real = Instant::now();
        tokio::time::sleep(Duration::from_millis(60)).await;
        p.record(Step::CodeSent, real);
        let start = Instant::now();
        p.pad(Step::CodeSent, start).await;
        assert_eq!(start.elapsed(), Duration::from_millis(60));
        let start = Instant::now();
        p.pad(Step::CodeRefused, start).await;
        assert_eq!(start.elapsed(), Duration::ZERO, "steps are apart");
    }
}
