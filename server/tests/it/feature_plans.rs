//! Feature plans (UserPoolTier) through the AWS SDK for Rust: what a LITE
//! or ESSENTIALS pool cannot configure is refused with Cognito's
//! FeatureUnavailableInTierException, a downgrade with such a feature on
//! with TierChangeNotAllowedException; `enforce_feature_plans = false`
//! lifts the gates. Managed login (ManagedLoginVersion 2) needs ESSENTIALS;
//! a downgrade is refused while a client rotates refresh tokens or a domain
//! serves managed login; SMS_OTP needs the pool's SmsConfiguration.

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

async fn managed_login_rotation_and_sms_otp_are_gated(s: TestServer) {
    // Cognito's developer guide: LITE has the classic hosted UI only.
    let lite = s.pool(|b| b.user_pool_tier(UserPoolTierType::Lite)).await;
    let err = s
        .admin()
        .create_user_pool_domain()
        .user_pool_id(&lite)
        .domain("lite-managed")
        .managed_login_version(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "FeatureUnavailableInTierException");
    s.admin()
        .create_user_pool_domain()
        .user_pool_id(&lite)
        .domain("lite-classic")
        .managed_login_version(1)
        .send()
        .await
        .expect("the classic hosted UI");
    let err = s
        .admin()
        .update_user_pool_domain()
        .user_pool_id(&lite)
        .domain("lite-classic")
        .managed_login_version(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "FeatureUnavailableInTierException");
    let described = s
        .admin()
        .describe_user_pool_domain()
        .domain("lite-classic")
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .domain_description()
            .and_then(|d| d.managed_login_version()),
        Some(1)
    );

    // A downgrade to LITE waits until managed login and rotation are off.
    let pool = s.pool(|b| b).await;
    s.admin()
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("essentials-managed")
        .managed_login_version(2)
        .send()
        .await
        .expect("ESSENTIALS has managed login");
    let (client_id, _) = s
        .app_client(&pool, |c| c.refresh_token_rotation(rotation()))
        .await;
    let downgrade = || {
        s.admin()
            .update_user_pool()
            .user_pool_id(&pool)
            .user_pool_tier(UserPoolTierType::Lite)
            .send()
    };
    let err = downgrade().await.unwrap_err();
    assert_eq!(error_name(&err), "TierChangeNotAllowedException");
    s.admin()
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .client_name("app")
        .send()
        .await
        .expect("rotation off");
    let err = downgrade().await.unwrap_err();
    assert_eq!(error_name(&err), "TierChangeNotAllowedException");
    s.admin()
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("essentials-managed")
        .managed_login_version(1)
        .send()
        .await
        .expect("classic hosted UI");
    downgrade().await.expect("nothing needs ESSENTIALS now");

    // SMS_OTP sends through the pool's SmsConfiguration.
    let sms_otp = UserPoolPolicyType::builder()
        .sign_in_policy(
            SignInPolicyType::builder()
                .allowed_first_auth_factors(AuthFactorType::Password)
                .allowed_first_auth_factors(AuthFactorType::SmsOtp)
                .build(),
        )
        .build();
    let err = s
        .admin()
        .create_user_pool()
        .pool_name("no-sms")
        .policies(sms_otp.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let sms = cip::types::SmsConfigurationType::builder()
        .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
        .build();
    s.pool(|b| b.policies(sms_otp).sms_configuration(sms)).await;
}

on_both_backends!(
    lite_pools_refuse_essentials_features,
    managed_login_rotation_and_sms_otp_are_gated,
);

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
