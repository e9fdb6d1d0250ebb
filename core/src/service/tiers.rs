//! Feature plans (Cognito API: UserPoolTier): what a LITE or ESSENTIALS
//! pool may not configure, refused as Cognito refuses it
//! (FeatureUnavailableInTierException; TierChangeNotAllowedException for a
//! downgrade while such a feature is on), so code tested here fails the
//! same way on AWS. The server's `enforce_feature_plans = false` lifts the
//! gates for self-hosted use; the tier is still stored and described.
//!
//! Cognito developer guide, "User pool feature plans": Essentials adds
//! choice-based sign-in (passwordless and passkeys), email MFA, password
//! history, access-token customization and refresh-token rotation; Plus
//! adds threat protection.

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::client::UserPoolClientConfig;
use crate::model::lambda::EventVersion;
use crate::model::pool::{AuthFactor, UserPoolConfig, UserPoolTier};
use crate::model::{UserPool, UserPoolClient};

/// A feature and the lowest tier that has it.
type Gate = (&'static str, UserPoolTier);

fn rank(tier: UserPoolTier) -> u8 {
    match tier {
        UserPoolTier::Lite => 0,
        UserPoolTier::Essentials => 1,
        UserPoolTier::Plus => 2,
    }
}

fn tier_name(tier: UserPoolTier) -> &'static str {
    match tier {
        UserPoolTier::Lite => "LITE",
        UserPoolTier::Essentials => "ESSENTIALS",
        UserPoolTier::Plus => "PLUS",
    }
}

/// The features UpdateUserPool and CreateUserPool configure.
fn config_features(config: &UserPoolConfig) -> Vec<Gate> {
    let mut used = Vec::new();
    if config
        .policies
        .sign_in_policy
        .allowed_first_auth_factors
        .iter()
        .any(|f| *f != AuthFactor::Password)
    {
        used.push((
            "Choice-based sign-in (SignInPolicy)",
            UserPoolTier::Essentials,
        ));
    }
    if config
        .policies
        .password_policy
        .password_history_size
        .is_some_and(|n| n > 0)
    {
        used.push(("Password history", UserPoolTier::Essentials));
    }
    if config
        .lambda_config
        .pre_token_generation()
        .is_some_and(|(_, v)| v > EventVersion::V1)
    {
        used.push((
            "Access token customization (PreTokenGeneration V2_0, V3_0)",
            UserPoolTier::Essentials,
        ));
    }
    let security_mode = config
        .user_pool_add_ons
        .as_ref()
        .and_then(|a| a.get("AdvancedSecurityMode"))
        .and_then(|m| m.as_str());
    if matches!(security_mode, Some("AUDIT" | "ENFORCED")) {
        used.push((
            "Threat protection (AdvancedSecurityMode)",
            UserPoolTier::Plus,
        ));
    }
    used
}

/// The features SetUserPoolMfaConfig configures.
fn mfa_features(pool: &UserPool) -> Vec<Gate> {
    let mut used = Vec::new();
    if pool.email_mfa_configuration.is_some() {
        used.push(("Email MFA", UserPoolTier::Essentials));
    }
    if pool.web_authn_configuration.is_some() {
        used.push(("Passkeys (WebAuthnConfiguration)", UserPoolTier::Essentials));
    }
    used
}

/// The features other actions than UpdateUserPool turned on, which a
/// downgrade must find off: SetUserPoolMfaConfig's and session tracking.
fn kept_features(pool: &UserPool) -> Vec<Gate> {
    let mut used = mfa_features(pool);
    if pool.session_config().tracking() {
        used.push(("User session tracking", UserPoolTier::Essentials));
    }
    used
}

fn unavailable((feature, needs): Gate, tier: UserPoolTier) -> CognitoError {
    CognitoError::FeatureUnavailableInTier(format!(
        "{feature} is not available in the {} feature plan; it needs {} or higher.",
        tier_name(tier),
        tier_name(needs)
    ))
}

fn first_gap(features: Vec<Gate>, tier: UserPoolTier) -> Option<Gate> {
    features
        .into_iter()
        .find(|(_, needs)| rank(tier) < rank(*needs))
}

impl Idp {
    fn plans_enforced(&self) -> bool {
        self.settings.enforce_feature_plans
    }

    /// CreateUserPool and UpdateUserPool: the new settings fit the new
    /// tier; on UpdateUserPool, what SetUserPoolMfaConfig turned on must
    /// be turned off before a downgrade.
    pub(crate) fn check_pool_tier(&self, pool: &UserPool) -> Result<()> {
        if !self.plans_enforced() {
            return Ok(());
        }
        let tier = pool.config.user_pool_tier;
        if let Some(gap) = first_gap(config_features(&pool.config), tier) {
            return Err(unavailable(gap, tier));
        }
        if let Some((feature, needs)) = first_gap(kept_features(pool), tier) {
            return Err(CognitoError::TierChangeNotAllowed(format!(
                "The user pool cannot change to the {} feature plan while {feature} is on; turn it off first (it needs {}).",
                tier_name(tier),
                tier_name(needs)
            )));
        }
        Ok(())
    }

    /// SetUserPoolMfaConfig: email MFA and passkeys need ESSENTIALS.
    pub(crate) fn check_mfa_tier(&self, pool: &UserPool) -> Result<()> {
        if !self.plans_enforced() {
            return Ok(());
        }
        let tier = pool.config.user_pool_tier;
        match first_gap(mfa_features(pool), tier) {
            Some(gap) => Err(unavailable(gap, tier)),
            None => Ok(()),
        }
    }

    /// UpdateUserPool: a downgrade below ESSENTIALS is refused while an app
    /// client rotates refresh tokens or a domain serves managed login
    /// (Cognito API: UpdateUserPool, TierChangeNotAllowedException); they
    /// must be turned off first.
    pub(crate) async fn check_clients_fit_tier(&self, pool: &UserPool) -> Result<()> {
        let tier = pool.config.user_pool_tier;
        if !self.plans_enforced() || rank(tier) >= rank(UserPoolTier::Essentials) {
            return Ok(());
        }
        let mut token: Option<String> = None;
        loop {
            let page = self
                .store
                .list_clients(&pool.id, 60, token.as_deref())
                .await?;
            if let Some(c) = page
                .items
                .iter()
                .find(|c| UserPoolClient::rotation_of(&c.config).is_some())
            {
                return Err(CognitoError::TierChangeNotAllowed(format!(
                    "The user pool cannot change to the {} feature plan while app client {} \
                     rotates refresh tokens; turn RefreshTokenRotation off first (it needs ESSENTIALS).",
                    tier_name(tier),
                    c.client_id
                )));
            }
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        if let Some(d) = self
            .store
            .pool_domains(&pool.id)
            .await?
            .into_iter()
            .find(|d| d.managed_login_version >= 2)
        {
            return Err(CognitoError::TierChangeNotAllowed(format!(
                "The user pool cannot change to the {} feature plan while domain {} uses managed \
                 login (ManagedLoginVersion 2); set it to 1 first (it needs ESSENTIALS).",
                tier_name(tier),
                d.domain
            )));
        }
        Ok(())
    }

    /// CreateUserPoolDomain and UpdateUserPoolDomain: managed login
    /// (ManagedLoginVersion 2) needs ESSENTIALS or PLUS; a LITE pool has
    /// the classic hosted UI only (developer guide, "User pool managed
    /// login").
    pub(crate) fn check_managed_login_tier(&self, pool: &UserPool, version: i64) -> Result<()> {
        if !self.plans_enforced() || version < 2 {
            return Ok(());
        }
        let tier = pool.config.user_pool_tier;
        let gate = (
            "Managed login (ManagedLoginVersion 2)",
            UserPoolTier::Essentials,
        );
        match first_gap(vec![gate], tier) {
            Some(gap) => Err(unavailable(gap, tier)),
            None => Ok(()),
        }
    }

    /// SetUserPoolSessionConfiguration and
    /// SetUserPoolClientSessionConfiguration need ESSENTIALS or PLUS.
    pub(crate) fn check_session_tier(&self, pool: &UserPool) -> Result<()> {
        if !self.plans_enforced() {
            return Ok(());
        }
        let tier = pool.config.user_pool_tier;
        let gate = ("Session management", UserPoolTier::Essentials);
        match first_gap(vec![gate], tier) {
            Some(gap) => Err(unavailable(gap, tier)),
            None => Ok(()),
        }
    }

    /// CreateUserPoolClient and UpdateUserPoolClient: refresh-token
    /// rotation needs ESSENTIALS.
    pub(crate) fn check_client_tier(
        &self,
        pool: &UserPool,
        config: &UserPoolClientConfig,
    ) -> Result<()> {
        if !self.plans_enforced() {
            return Ok(());
        }
        let tier = pool.config.user_pool_tier;
        let rotation = UserPoolClient::rotation_of(config).is_some();
        let features = if rotation {
            vec![("Refresh token rotation", UserPoolTier::Essentials)]
        } else {
            Vec::new()
        };
        match first_gap(features, tier) {
            Some(gap) => Err(unavailable(gap, tier)),
            None => Ok(()),
        }
    }
}
