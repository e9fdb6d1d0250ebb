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
        if let Some((feature, needs)) = first_gap(mfa_features(pool), tier) {
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
