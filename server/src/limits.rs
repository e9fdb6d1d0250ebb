//! Rate limits on the requests an attacker would repeat: sign-in, one-time
//! codes and account recovery, per source IP and per user (a client and a
//! username, or a token's `sub`), plus the hourly cap on the messages one
//! user is sent (SMS pumping), which core counts at every send
//! ([`MessageCap`]). Two tables, [`API`] and [`ROUTES`], say which limit
//! each action and each route meets. Over a limit, the Cognito API answers
//! TooManyRequestsException; the hosted UI and the OAuth endpoints answer
//! HTTP 429 with Retry-After. GCRA buckets from `governor`, kept in memory
//! per node.

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

/// Which limit a request meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Counted per source IP (not for calls signed with an admin key) and
    /// per user it names, in this category.
    Counted(Category),
    /// Not limited, and why.
    Open(&'static str),
}

use Category::{Account, Authentication, Codes, Recovery};
use Rule::{Counted, Open};

const ADMIN: Rule = Open("signed with an admin key: servers call it on behalf of many users");

/// Every action of the user-pool API (the action table, api/actions) and
/// its limit. A test holds the two tables to the same names.
pub const API: &[(&str, Rule)] = &[
    ("CreateUserPool", ADMIN),
    ("DescribeUserPool", ADMIN),
    ("UpdateUserPool", ADMIN),
    ("DeleteUserPool", ADMIN),
    ("ListUserPools", ADMIN),
    ("CreateUserPoolClient", ADMIN),
    ("DescribeUserPoolClient", ADMIN),
    ("UpdateUserPoolClient", ADMIN),
    ("DeleteUserPoolClient", ADMIN),
    ("ListUserPoolClients", ADMIN),
    ("AdminCreateUser", ADMIN),
    ("AdminGetUser", ADMIN),
    ("AdminGetUserAuthFactors", ADMIN),
    ("AdminDeleteUser", ADMIN),
    ("AdminUpdateUserAttributes", ADMIN),
    ("AdminDeleteUserAttributes", ADMIN),
    ("AdminSetUserPassword", ADMIN),
    ("AdminEnableUser", ADMIN),
    ("AdminDisableUser", ADMIN),
    ("AdminConfirmSignUp", ADMIN),
    ("AdminResetUserPassword", ADMIN),
    ("ListUsers", ADMIN),
    ("CreateGroup", ADMIN),
    ("GetGroup", ADMIN),
    ("UpdateGroup", ADMIN),
    ("DeleteGroup", ADMIN),
    ("ListGroups", ADMIN),
    ("AdminAddUserToGroup", ADMIN),
    ("AdminRemoveUserFromGroup", ADMIN),
    ("AdminListGroupsForUser", ADMIN),
    ("ListUsersInGroup", ADMIN),
    ("SignUp", Counted(Codes)),
    ("ConfirmSignUp", Counted(Codes)),
    ("ResendConfirmationCode", Counted(Codes)),
    ("ForgotPassword", Counted(Recovery)),
    ("ConfirmForgotPassword", Counted(Recovery)),
    ("ChangePassword", Counted(Authentication)),
    ("GetUser", Counted(Account)),
    ("GetUserAuthFactors", Counted(Account)),
    ("StartWebAuthnRegistration", Counted(Account)),
    ("CompleteWebAuthnRegistration", Counted(Account)),
    ("ListWebAuthnCredentials", Counted(Account)),
    ("DeleteWebAuthnCredential", Counted(Account)),
    ("UpdateUserAttributes", Counted(Codes)),
    ("DeleteUserAttributes", Counted(Account)),
    ("DeleteUser", Counted(Account)),
    ("GetUserAttributeVerificationCode", Counted(Codes)),
    ("VerifyUserAttribute", Counted(Codes)),
    ("InitiateAuth", Counted(Authentication)),
    ("RespondToAuthChallenge", Counted(Authentication)),
    ("AdminInitiateAuth", Counted(Authentication)),
    ("AdminRespondToAuthChallenge", Counted(Authentication)),
    ("GlobalSignOut", Counted(Account)),
    ("RevokeToken", Counted(Authentication)),
    ("GetTokensFromRefreshToken", Counted(Authentication)),
    ("AdminUserGlobalSignOut", ADMIN),
    ("SetUserPoolMfaConfig", ADMIN),
    ("GetUserPoolMfaConfig", ADMIN),
    ("AdminSetUserMFAPreference", ADMIN),
    ("AssociateSoftwareToken", Counted(Codes)),
    ("VerifySoftwareToken", Counted(Codes)),
    ("SetUserMFAPreference", Counted(Codes)),
    ("AdminDeleteSoftwareToken", ADMIN),
    // the legacy MFA setting, as SetUserMFAPreference
    ("SetUserSettings", Counted(Codes)),
    ("AdminSetUserSettings", ADMIN),
    ("CreateResourceServer", ADMIN),
    ("DescribeResourceServer", ADMIN),
    ("UpdateResourceServer", ADMIN),
    ("DeleteResourceServer", ADMIN),
    ("ListResourceServers", ADMIN),
    ("CreateUserPoolDomain", ADMIN),
    ("DescribeUserPoolDomain", ADMIN),
    ("UpdateUserPoolDomain", ADMIN),
    ("DeleteUserPoolDomain", ADMIN),
    ("SetUICustomization", ADMIN),
    ("GetUICustomization", ADMIN),
    ("CreateIdentityProvider", ADMIN),
    ("DescribeIdentityProvider", ADMIN),
    ("UpdateIdentityProvider", ADMIN),
    ("DeleteIdentityProvider", ADMIN),
    ("ListIdentityProviders", ADMIN),
    ("GetIdentityProviderByIdentifier", ADMIN),
    ("AdminLinkProviderForUser", ADMIN),
    ("AdminDisableProviderForUser", ADMIN),
    ("GetSigningCertificate", ADMIN),
    // remembered devices: an access token each (ConfirmDevice's verifier
    // proves nothing by itself)
    ("ConfirmDevice", Counted(Account)),
    ("GetDevice", Counted(Account)),
    ("ListDevices", Counted(Account)),
    ("UpdateDeviceStatus", Counted(Account)),
    ("ForgetDevice", Counted(Account)),
    ("AdminGetDevice", ADMIN),
    ("AdminListDevices", ADMIN),
    ("AdminUpdateDeviceStatus", ADMIN),
    ("AdminForgetDevice", ADMIN),
    // user sessions: an access token each
    ("ListUserSessions", Counted(Account)),
    ("RevokeUserSession", Counted(Account)),
    ("AdminListUserSessions", ADMIN),
    ("AdminRevokeUserSession", ADMIN),
    ("GetUserPoolSessionConfiguration", ADMIN),
    ("SetUserPoolSessionConfiguration", ADMIN),
    ("GetUserPoolClientSessionConfiguration", ADMIN),
    ("SetUserPoolClientSessionConfiguration", ADMIN),
];

/// Every route of the HTTP faces (router.rs) and its limit: the per-IP
/// count is taken by `throttle::by_route` before the handler runs; pages that name
/// a user count it too (hosted/). A test holds this table to router.rs.
pub const ROUTES: &[(&str, Rule)] = &[
    // OAuth 2.0: a code, a refresh token or a client secret can be guessed.
    ("POST /{pool_id}/oauth2/token", Counted(Authentication)),
    ("POST /{pool_id}/oauth2/revoke", Counted(Authentication)),
    (
        "GET /{pool_id}/oauth2/userInfo",
        Open("a signed access token: nothing to guess"),
    ),
    (
        "POST /{pool_id}/oauth2/userInfo",
        Open("a signed access token: nothing to guess"),
    ),
    // The hosted UI: forms are counted where they are posted.
    (
        "GET /{pool_id}/oauth2/authorize",
        Open("renders a page or resumes a session; no secret is tried"),
    ),
    ("GET /{pool_id}/login", Open("renders a page")),
    ("POST /{pool_id}/login", Counted(Authentication)),
    ("POST /{pool_id}/challenge", Counted(Authentication)),
    ("POST /{pool_id}/passkey", Counted(Authentication)),
    ("POST /{pool_id}/device", Counted(Authentication)),
    ("GET /{pool_id}/signup", Open("renders a page")),
    ("POST /{pool_id}/signup", Counted(Codes)),
    ("POST /{pool_id}/confirmUser", Counted(Codes)),
    ("GET /{pool_id}/forgotPassword", Open("renders a page")),
    ("POST /{pool_id}/forgotPassword", Counted(Recovery)),
    ("POST /{pool_id}/confirmForgotPassword", Counted(Recovery)),
    (
        "GET /{pool_id}/logout",
        Open("ends a session; no secret is tried"),
    ),
    (
        "POST /{pool_id}/federate",
        Open("a redirect to an identity provider; no secret is tried"),
    ),
    // An upstream code is tried there, but only with the state this
    // browser's session holds (single use): nothing to guess.
    ("GET /{pool_id}/oauth2/idpresponse", Counted(Authentication)),
    // Sign in with Apple's form_post answer, sealed and sent on to the GET.
    (
        "POST /{pool_id}/oauth2/idpresponse",
        Counted(Authentication),
    ),
    // A SAML response is verified there, but only against the request
    // this browser's session holds (single use): nothing to guess.
    ("GET /{pool_id}/saml2/idpresponse", Counted(Authentication)),
    // The IdP's HTTP-POST answer, sealed and sent on to the GET.
    ("POST /{pool_id}/saml2/idpresponse", Counted(Authentication)),
    (
        "GET /{pool_id}/saml2/logout",
        Open("continues a logout after the IdP's; no secret is tried"),
    ),
    (
        "GET /{pool_id}/oauth2/idplogout",
        Open("continues a logout after the provider's; no secret is tried"),
    ),
    // Public documents and assets.
    (
        "GET /identity/.well-known/openid-configuration",
        Open("a public document"),
    ),
    (
        "GET /identity/.well-known/jwks.json",
        Open("a public document"),
    ),
    ("GET /health", Open("operations")),
    ("GET /", Open("the landing page")),
    (
        "POST /",
        Open(
            "the AWS APIs: user pools per action (API); identity pools' and STS's public operations per source address",
        ),
    ),
    ("GET /static/{*path}", Open("static assets")),
    (
        "GET /{pool_id}/.well-known/openid-configuration",
        Open("a public document"),
    ),
    ("GET /{pool_id}/.well-known/jwks.json", Open("public keys")),
    ("GET /{pool_id}/ui/logo/{file}", Open("a public image")),
    (
        "GET /{pool_id}/ui/theme/{file}",
        Open("a public stylesheet"),
    ),
    ("GET /_dev/outbox", Open("cognate dev only, on loopback")),
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
    /// By category, except Account (limited per user only).
    per_ip: [Limiter<IpAddr>; 3],
    per_user: Limiter<(Category, String)>,
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
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
        }
    }

    /// The limit of a Cognito API action (unknown actions are refused
    /// before limits apply).
    pub fn for_action(action: &str) -> Rule {
        lookup(API, action)
    }

    /// The limit of the route `path` (as routed, `/{pool_id}/…`) for
    /// `method`.
    pub fn for_route(method: &str, path: &str) -> Rule {
        ROUTES
            .iter()
            .find(|(r, _)| r.split_once(' ') == Some((method, path)))
            .map_or(Open("not in the table"), |(_, rule)| *rule)
    }

    /// Counts one request of `category`; refuses it when over a limit.
    pub fn check(&self, category: Category, caller: &Caller<'_>) -> Result<(), Limited> {
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
                    .check_key(&(category, key))
                    .map_err(|n| self.limited(&n))?;
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
    }
}

fn lookup(table: &[(&str, Rule)], name: &str) -> Rule {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Open("not in the table"), |(_, r)| *r)
}

/// The hourly cap on messages to one user, which core counts before every
/// code or invitation it sends, from any action or face.
pub struct MessageCap {
    per_user: Limiter<String>,
    clock: DefaultClock,
    checks: AtomicU32,
}

impl MessageCap {
    pub fn new(config: &Config) -> Self {
        Self {
            per_user: per_hour(config.rate_limit_messages_per_user_per_hour),
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
        }
    }
}

impl cognate_core::service::messages::MessageBudget for MessageCap {
    fn spend(&self, pool_id: &str, recipient: &str) -> Result<(), Duration> {
        let Some(limiter) = &self.per_user else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&format!("{pool_id}\0{recipient}"))
            .map_err(|n| n.wait_time_from(self.clock.now()))
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

    fn limits(user: f64) -> RateLimits {
        let config = Config {
            rate_limit_auth_per_ip: 2.0,
            rate_limit_per_user: user,
            ..Config::default()
        };
        RateLimits::new(&config)
    }

    #[test]
    fn per_ip_bucket_allows_its_burst_then_refuses() {
        let l = limits(0.0);
        let caller = Caller {
            ip: Some("192.0.2.1".parse().unwrap()),
            user: None,
        };
        assert!(l.check(Category::Authentication, &caller).is_ok());
        assert!(l.check(Category::Authentication, &caller).is_ok());
        let refused = l.check(Category::Authentication, &caller).unwrap_err();
        assert!(refused.retry_after > Duration::ZERO);
        assert!(refused.retry_after <= Duration::from_secs(1));
        // Another address has its own bucket; admin calls have none.
        let other = Caller {
            ip: Some("192.0.2.2".parse().unwrap()),
            user: None,
        };
        assert!(l.check(Category::Authentication, &other).is_ok());
        let admin = Caller {
            ip: None,
            user: None,
        };
        for _ in 0..10 {
            assert!(l.check(Category::Authentication, &admin).is_ok());
        }
    }

    #[test]
    fn messages_to_one_user_are_capped_per_hour() {
        use cognate_core::service::messages::MessageBudget;
        let cap = MessageCap::new(&Config {
            rate_limit_messages_per_user_per_hour: 3,
            ..Config::default()
        });
        for _ in 0..3 {
            assert!(cap.spend("pool", "ann").is_ok());
        }
        let wait = cap.spend("pool", "ann").unwrap_err();
        assert!(wait > Duration::from_secs(60));
        // Each user, in each pool, has a budget of their own.
        assert!(cap.spend("pool", "bob").is_ok());
        assert!(cap.spend("other-pool", "ann").is_ok());
    }

    #[test]
    fn every_action_of_the_action_table_has_a_limit_entry() {
        let table: Vec<&str> = API.iter().map(|(a, _)| *a).collect();
        let actions: Vec<&str> = crate::api::actions::names().collect();
        assert_eq!(
            table, actions,
            "API must list the action table, in its order"
        );
        // Every action that takes no AWS credentials is counted.
        for name in actions {
            let public = crate::api::actions::access(name) == Some(crate::api::Access::Public);
            if public {
                assert!(
                    matches!(RateLimits::for_action(name), Counted(_)),
                    "{name} takes no credentials and must be counted"
                );
            }
        }
    }

    #[test]
    fn every_route_of_the_router_has_a_limit_entry() {
        let routes = routes_of(include_str!("router.rs"));
        assert!(routes.len() >= 20, "router.rs parsed: {routes:?}");
        for route in &routes {
            assert!(
                ROUTES.iter().any(|(r, _)| r == route),
                "{route} (router.rs) has no entry in limits::ROUTES"
            );
        }
        for (route, _) in ROUTES {
            assert!(
                routes.iter().any(|r| r == route),
                "limits::ROUTES names {route}, which router.rs does not route"
            );
        }
    }

    #[test]
    fn oauth_endpoints_that_take_a_secret_are_counted() {
        for path in ["/{pool_id}/oauth2/token", "/{pool_id}/oauth2/revoke"] {
            assert_eq!(RateLimits::for_route("POST", path), Counted(Authentication));
        }
    }

    /// `"METHOD /path"` for each `.route("/path", get(..).post(..))` of
    /// router.rs.
    fn routes_of(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for call in source.split(".route(").skip(1) {
            let call = call.trim_start();
            let Some(rest) = call.strip_prefix('"') else {
                continue;
            };
            let Some(end) = rest.find('"') else { continue };
            let path = &rest[..end];
            // The handlers: up to the call's closing parenthesis.
            let mut depth = 1;
            let mut len = 0;
            for (i, ch) in rest[end..].char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    len = i;
                    break;
                }
            }
            let handlers = &rest[end..end + len];
            for (method, marker) in [("GET", "get("), ("POST", "post(")] {
                let found = handlers.match_indices(marker).any(|(i, _)| {
                    i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if found {
                    out.push(format!("{method} {path}"));
                }
            }
        }
        out
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
