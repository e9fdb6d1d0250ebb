//! Feature plans (UserPoolTier) through the AWS SDK for Rust: what a LITE
//! or ESSENTIALS pool cannot configure is refused with Cognito's
//! FeatureUnavailableInTierException, a downgrade with such a feature on
//! with TierChangeNotAllowedException; `enforce_feature_plans = false`
//! lifts the gates.

use crate::common::{Backend, TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    AdvancedSecurityModeType, AuthFactorType, EmailMfaConfigType, FeatureType,
    RefreshTokenRotationType, SignInPolicyType, UserPoolAddOnsType, UserPoolPolicyType,
    UserPoolTierType,
};

fn email_otp_policy() -> UserPoolPolicyType {
    UserPoolPolicyType::builder()
        .sign_in_policy(
            SignInPolicyType::builder()
                .allowed_first_auth_factors(AuthFactorType::Password)
                .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                .build(),
        )
        .build()
}

fn rotation() -> RefreshTokenRotationType {
    RefreshTokenRotationType::builder()
        .feature(FeatureType::Enabled)
        .build()
        .unwrap()
}

fn threat_protection() -> UserPoolAddOnsType {
    UserPoolAddOnsType::builder()
        .advanced_security_mode(AdvancedSecurityModeType::Enforced)
        .build()
        .unwrap()
}

async fn lite_pools_refuse_essentials_features(s: TestServer) {
    let err = s
        .admin()
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .policies(email_otp_policy())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "FeatureUnavailableInTierException");

    let lite = s.pool(|b| b.user_pool_tier(UserPoolTierType::Lite)).await;
    let err = s
        .admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&lite)
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "FeatureUnavailableInTierException");
    let err = s
        .admin()
        .create_user_pool_client()
        .user_pool_id(&lite)
        .client_name("app")
        .refresh_token_rotation(rotation())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "FeatureUnavailableInTierException");
    // What LITE has still works, and nothing was half-written.
    let (client_id, _) = s.app_client(&lite, |c| c).await;
    let described = s
        .admin()
        .describe_user_pool_client()
        .user_pool_id(&lite)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert!(
        described
            .user_pool_client()
            .unwrap()
            .refresh_token_rotation()
            .is_none()
    );
    let mfa = s
        .admin()
        .get_user_pool_mfa_config()
        .user_pool_id(&lite)
        .send()
        .await
        .unwrap();
    assert!(mfa.email_mfa_configuration().is_none());

    // ESSENTIALS has them; threat protection needs PLUS.
    let essentials = s.pool(|b| b.policies(email_otp_policy())).await;
    let err = s
        .admin()
        .update_user_pool()
        .user_pool_id(&essentials)
        .user_pool_add_ons(threat_protection())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "FeatureUnavailableInTierException");
    s.admin()
        .update_user_pool()
        .user_pool_id(&essentials)
        .user_pool_tier(UserPoolTierType::Plus)
        .user_pool_add_ons(threat_protection())
        .send()
        .await
        .expect("PLUS has threat protection");

    // A downgrade while email MFA is on is refused until it is off.
    s.admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&essentials)
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .unwrap();
    let err = s
        .admin()
        .update_user_pool()
        .user_pool_id(&essentials)
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "TierChangeNotAllowedException");
    let described = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&essentials)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().and_then(|p| p.user_pool_tier()),
        Some(&UserPoolTierType::Plus)
    );
}

on_both_backends!(lite_pools_refuse_essentials_features);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_hosted_servers_may_lift_the_gates() {
    let s = TestServer::start_with(Backend::Sqlite, |c| c.enforce_feature_plans = false)
        .await
        .expect("sqlite");
    let lite = s
        .pool(|b| {
            b.user_pool_tier(UserPoolTierType::Lite)
                .policies(email_otp_policy())
        })
        .await;
    s.admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&lite)
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .expect("no gate");
    s.app_client(&lite, |c| c.refresh_token_rotation(rotation()))
        .await;
    let described = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&lite)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().and_then(|p| p.user_pool_tier()),
        Some(&UserPoolTierType::Lite)
    );
}
