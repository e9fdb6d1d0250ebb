//! Rate limits on the actions an attacker would repeat: sign-in, one-time
//! codes and account recovery, per source IP and per user (a client and a
//! username), plus an hourly cap on the messages one user can be sent (SMS
//! pumping). Over a limit, the Cognito API answers TooManyRequestsException
//! (hosted UI and OAuth endpoints: HTTP 429 with Retry-After). GCRA
//! buckets from `governor`, kept in memory per node.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::Value;

use crate::config::Config;

/// What an action is, for rate limiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// InitiateAuth, RespondToAuthChallenge and their Admin forms.
    Authentication,
    /// Sign-up, confirmation and verification codes, authenticator apps.
    Codes,
    /// Forgotten passwords.
    Recovery,
    /// The signed-in user's own account, authorized by their access token
    /// (GetUser, DeleteUser, …): limited per user only.
    Account,
}

/// Cognito API actions by category; whether each sends a message; and
/// where the username is in its input.
const ACTIONS: &[(&str, Category, bool)] = &[
    ("InitiateAuth", Category::Authentication, false),
    ("RespondToAuthChallenge", Category::Authentication, false),
    ("AdminInitiateAuth", Category::Authentication, false),
    (
        "AdminRespondToAuthChallenge",
        Category::Authentication,
        false,
    ),
    ("SignUp", Category::Codes, true),
    ("ConfirmSignUp", Category::Codes, false),
    ("ResendConfirmationCode", Category::Codes, true),
    ("GetUserAttributeVerificationCode", Category::Codes, true),
    ("VerifyUserAttribute", Category::Codes, false),
    ("AssociateSoftwareToken", Category::Codes, false),
    ("VerifySoftwareToken", Category::Codes, false),
    ("ForgotPassword", Category::Recovery, true),
    ("ConfirmForgotPassword", Category::Recovery, false),
    // Authorized by an access token: counted against the token's user.
    // ChangePassword guesses a password, as a sign-in does; an attribute
    // update can send a verification code.
    ("ChangePassword", Category::Authentication, false),
    ("UpdateUserAttributes", Category::Codes, true),
    ("SetUserMFAPreference", Category::Codes, false),
    ("GetUser", Category::Account, false),
    ("DeleteUser", Category::Account, false),
    ("DeleteUserAttributes", Category::Account, false),
    ("GlobalSignOut", Category::Account, false),
];

/// Whom a request is counted against.
pub struct Caller<'a> {
    /// The source address; None for calls signed with an admin key, which
    /// servers make on behalf of many users.
    pub ip: Option<IpAddr>,
    /// The app client or pool, and the username, when the request names one.
    pub user: Option<(&'a str, String)>,
}

/// Refused: try again after this long.
#[derive(Debug)]
pub struct Limited {
    pub retry_after: Duration,
}

type Limiter<K> = Option<DefaultKeyedRateLimiter<K>>;

pub struct RateLimits {
    /// By category, except Account (see `per_ip_index`).
    per_ip: [Limiter<IpAddr>; 3],
    per_user: Limiter<(Category, String)>,
    messages_per_user: Limiter<String>,
    clock: DefaultClock,
    /// Checks since idle buckets were last forgotten.
    checks: AtomicU32,
}

/// How often (in checks) idle buckets are forgotten, so memory stays bounded.
const SWEEP_EVERY: u32 = 10_000;

/// A quota of `per_second` with a burst of one second's worth; None when 0.
fn per_second<K: std::hash::Hash + Eq + Clone>(per_second: f64) -> Limiter<K> {
    if per_second.is_nan() || per_second <= 0.0 {
        return None;
    }
    let burst = NonZeroU32::new(per_second.ceil().min(f64::from(u32::MAX)) as u32)?;
    let period = Duration::from_secs_f64(1.0 / per_second);
    Quota::with_period(period).map(|q| RateLimiter::dashmap(q.allow_burst(burst)))
}

fn per_hour<K: std::hash::Hash + Eq + Clone>(per_hour: u32) -> Limiter<K> {
    let n = NonZeroU32::new(per_hour)?;
    Quota::with_period(Duration::from_secs(3600) / n.get())
        .map(|q| RateLimiter::dashmap(q.allow_burst(n)))
}

impl RateLimits {
    pub fn new(config: &Config) -> Self {
        Self {
            per_ip: [
                per_second(config.rate_limit_auth_per_ip),
                per_second(config.rate_limit_codes_per_ip),
                per_second(config.rate_limit_recovery_per_ip),
            ],
            per_user: per_second(config.rate_limit_per_user),
            messages_per_user: per_hour(config.rate_limit_messages_per_user_per_hour),
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
        }
    }

    /// The category of a Cognito API action, if it is limited.
    pub fn category(action: &str) -> Option<(Category, bool)> {
        ACTIONS
            .iter()
            .find(|(a, ..)| *a == action)
            .map(|(_, c, sends)| (*c, *sends))
    }

    /// Counts one request of `category`; refuses it when over a limit.
    pub fn check(
        &self,
        category: Category,
        sends_message: bool,
        caller: &Caller<'_>,
    ) -> Result<(), Limited> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.retain_recent();
        }
        let index = match category {
            Category::Authentication => Some(0),
            Category::Codes => Some(1),
            Category::Recovery => Some(2),
            Category::Account => None,
        };
        let per_ip = index.and_then(|i| self.per_ip[i].as_ref());
        if let (Some(limiter), Some(ip)) = (per_ip, caller.ip) {
            limiter.check_key(&ip).map_err(|n| self.limited(&n))?;
        }
        if let Some((scope, name)) = &caller.user {
            let key = format!("{scope}\0{name}");
            if let Some(limiter) = &self.per_user {
                limiter
                    .check_key(&(category, key.clone()))
                    .map_err(|n| self.limited(&n))?;
            }
            if sends_message && let Some(limiter) = &self.messages_per_user {
                limiter.check_key(&key).map_err(|n| self.limited(&n))?;
            }
        }
        Ok(())
    }

    fn limited(&self, not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> Limited {
        Limited {
            retry_after: not_until.wait_time_from(self.clock.now()),
        }
    }

    /// Forgets buckets that are full again.
    fn retain_recent(&self) {
        for l in self.per_ip.iter().flatten() {
            l.retain_recent();
        }
        if let Some(l) = &self.per_user {
            l.retain_recent();
        }
        if let Some(l) = &self.messages_per_user {
            l.retain_recent();
        }
    }
}

/// Who a token-authorized request is about: the verified `sub` of its
/// access token within its pool, so one token's requests share a bucket
/// whatever else they name.
pub async fn token_user(
    idp: &cognate_core::service::Idp,
    body: &Value,
) -> Option<(String, String)> {
    let token = body.get("AccessToken").and_then(Value::as_str)?;
    let (pool_id, sub) = idp.access_token_subject(token).await?;
    Some((pool_id, sub.to_string()))
}

/// Who a Cognito API request is about: its client (or pool, for admin
/// calls) and the username it names, lower-cased so case variants of one
/// name share a bucket.
pub fn api_user(body: &Value) -> Option<(&str, String)> {
    let scope = body
        .get("ClientId")
        .or_else(|| body.get("UserPoolId"))
        .and_then(Value::as_str)?;
    let name = body
        .get("Username")
        .or_else(|| body.pointer("/AuthParameters/USERNAME"))
        .or_else(|| body.pointer("/ChallengeResponses/USERNAME"))
        .and_then(Value::as_str)?;
    Some((scope, name.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(user: f64, messages: u32) -> RateLimits {
        let config = Config {
            rate_limit_auth_per_ip: 2.0,
            rate_limit_per_user: user,
            rate_limit_messages_per_user_per_hour: messages,
            ..Config::default()
        };
        RateLimits::new(&config)
    }

    #[test]
    fn per_ip_bucket_allows_its_burst_then_refuses() {
        let l = limits(0.0, 0);
        let caller = Caller {
            ip: Some("192.0.2.1".parse().unwrap()),
            user: None,
        };
        assert!(l.check(Category::Authentication, false, &caller).is_ok());
        assert!(l.check(Category::Authentication, false, &caller).is_ok());
        let refused = l
            .check(Category::Authentication, false, &caller)
            .unwrap_err();
        assert!(refused.retry_after > Duration::ZERO);
        assert!(refused.retry_after <= Duration::from_secs(1));
        // Another address has its own bucket; admin calls have none.
        let other = Caller {
            ip: Some("192.0.2.2".parse().unwrap()),
            user: None,
        };
        assert!(l.check(Category::Authentication, false, &other).is_ok());
        let admin = Caller {
            ip: None,
            user: None,
        };
        for _ in 0..10 {
            assert!(l.check(Category::Authentication, false, &admin).is_ok());
        }
    }

    #[test]
    fn messages_to_one_user_are_capped_per_hour() {
        let l = limits(0.0, 3);
        let caller = |name: &str| Caller {
            ip: None,
            user: Some(("client", name.to_owned())),
        };
        for _ in 0..3 {
            assert!(l.check(Category::Recovery, true, &caller("ann")).is_ok());
        }
        let refused = l
            .check(Category::Recovery, true, &caller("ann"))
            .unwrap_err();
        assert!(refused.retry_after > Duration::from_secs(60));
        // Checking a code sends nothing and is not capped.
        assert!(l.check(Category::Recovery, false, &caller("ann")).is_ok());
        assert!(l.check(Category::Recovery, true, &caller("bob")).is_ok());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        assert!(per_second::<u8>(0.0).is_none());
        assert!(per_hour::<u8>(0).is_none());
    }

    #[test]
    fn usernames_are_found_in_every_shape_of_input() {
        let j = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        assert_eq!(
            api_user(&j(
                r#"{"ClientId":"c","AuthParameters":{"USERNAME":"Ann"}}"#
            )),
            Some(("c", "ann".into()))
        );
        assert_eq!(
            api_user(&j(r#"{"UserPoolId":"p","Username":"bob"}"#)),
            Some(("p", "bob".into()))
        );
        assert_eq!(
            api_user(&j(
                r#"{"ClientId":"c","ChallengeResponses":{"USERNAME":"x"}}"#
            )),
            Some(("c", "x".into()))
        );
        assert_eq!(api_user(&j(r#"{"ClientId":"c"}"#)), None);
    }
}
