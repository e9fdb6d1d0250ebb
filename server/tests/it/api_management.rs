//! User pools and app clients through the AWS SDK for Rust, on SQLite and
//! PostgreSQL (Cognito API: CreateUserPool … ListUserPoolClients).

use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider::types::{
    DeletionProtectionType, ExplicitAuthFlowsType, PasswordPolicyType, UserPoolPolicyType,
};

on_both_backends!(
    pools_are_created_described_updated_listed_and_deleted,
    deletion_protection_blocks_delete,
    clients_have_ids_secrets_and_cognito_defaults,
    client_rules_are_enforced,
    user_pool_tier_and_web_authn_configuration_are_kept_not_dropped,
);

async fn pools_are_created_described_updated_listed_and_deleted(s: TestServer) {
    let admin = s.admin();
    let created = admin
        .create_user_pool()
        .pool_name("orders")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_symbols(false)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool = created.user_pool().unwrap();
    let id = pool.id().unwrap().to_owned();
    assert!(id.starts_with("us-east-1_"));
    assert_eq!(
        pool.arn().unwrap(),
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}")
    );
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(10));
    assert!(!policy.require_symbols());
    assert!(pool.creation_date().is_some());

    let described = admin
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool().unwrap().name(), Some("orders"));
    assert!(
        described
            .user_pool()
            .unwrap()
            .schema_attributes()
            .iter()
            .any(|a| a.name() == Some("email"))
    );

    admin
        .update_user_pool()
        .user_pool_id(&id)
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let described = admin
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().mfa_configuration(),
        Some(&aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Optional)
    );
    // Name stays: it is immutable.
    assert_eq!(described.user_pool().unwrap().name(), Some("orders"));

    for i in 0..3 {
        admin
            .create_user_pool()
            .pool_name(format!("p{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = admin
            .list_user_pools()
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        assert!(page.user_pools().len() <= 2);
        seen.extend(page.user_pools().iter().map(|p| p.id().unwrap().to_owned()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 4);
    let err = admin
        .list_user_pools()
        .max_results(61)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");

    admin
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let err = admin
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

async fn deletion_protection_blocks_delete(s: TestServer) {
    let admin = s.admin();
    let id = admin
        .create_user_pool()
        .pool_name("guarded")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let err = admin
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    admin
        .update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    admin
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
}

async fn clients_have_ids_secrets_and_cognito_defaults(s: TestServer) {
    let admin = s.admin();
    let pool = admin
        .create_user_pool()
        .pool_name("apps")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap();
    let c = admin
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("web")
        .generate_secret(true)
        .send()
        .await
        .unwrap();
    let client = c.user_pool_client().unwrap();
    let client_id = client.client_id().unwrap();
    assert_eq!(client_id.len(), 26);
    assert_eq!(client.client_secret().unwrap().len(), 51);
    assert_eq!(client.refresh_token_validity(), 30);
    assert!(
        client
            .explicit_auth_flows()
            .contains(&ExplicitAuthFlowsType::AllowUserSrpAuth)
    );
    assert_eq!(client.auth_session_validity(), Some(3));
    assert_eq!(client.enable_token_revocation(), Some(true));

    let updated = admin
        .update_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .client_name("web2")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.user_pool_client().unwrap().client_name(),
        Some("web2")
    );
    // The secret survives an update.
    assert_eq!(
        updated.user_pool_client().unwrap().client_secret(),
        client.client_secret()
    );
    let described = admin
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .user_pool_client()
            .unwrap()
            .explicit_auth_flows()
            .len(),
        2
    );
    let listed = admin
        .list_user_pool_clients()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.user_pool_clients().len(), 1);
    admin
        .delete_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap();
    let err = admin
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

async fn client_rules_are_enforced(s: TestServer) {
    let admin = s.admin();
    let pool = admin
        .create_user_pool()
        .pool_name("rules")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap();
    let err = admin
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("bad")
        .callback_urls("http://example.com/cb")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("bad")
        .access_token_validity(2)
        .token_validity_units(
            aws_sdk_cognitoidentityprovider::types::TokenValidityUnitsType::builder()
                .access_token(aws_sdk_cognitoidentityprovider::types::TimeUnitsType::Days)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .create_user_pool_client()
        .user_pool_id("us-east-1_nosuchpool")
        .client_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

/// Cognito API: CreateUserPool / UpdateUserPool UserPoolTier and
/// SetUserPoolMfaConfig WebAuthnConfiguration are stored and answered back
/// (they used to be accepted and dropped).
async fn user_pool_tier_and_web_authn_configuration_are_kept_not_dropped(s: TestServer) {
    use aws_sdk_cognitoidentityprovider::types::{
        UserPoolTierType, UserVerificationType, WebAuthnConfigurationType,
    };
    let admin = s.admin();
    let tier_of = |id: String| {
        let admin = admin.clone();
        async move {
            admin
                .describe_user_pool()
                .user_pool_id(id)
                .send()
                .await
                .unwrap()
                .user_pool()
                .unwrap()
                .user_pool_tier()
                .cloned()
        }
    };
    let plus = s.pool(|b| b.user_pool_tier(UserPoolTierType::Plus)).await;
    assert_eq!(tier_of(plus.clone()).await, Some(UserPoolTierType::Plus));
    let default = s.pool(|b| b).await;
    assert_eq!(
        tier_of(default).await,
        Some(UserPoolTierType::Essentials),
        "CreateUserPool's default"
    );
    admin
        .update_user_pool()
        .user_pool_id(&plus)
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await
        .unwrap();
    assert_eq!(tier_of(plus.clone()).await, Some(UserPoolTierType::Lite));
    // Passkeys need ESSENTIALS (see feature_plans.rs).
    let passkeys = || {
        WebAuthnConfigurationType::builder()
            .relying_party_id("auth.example.com")
            .user_verification(UserVerificationType::Required)
            .build()
    };
    let lite = admin
        .set_user_pool_mfa_config()
        .user_pool_id(&plus)
        .web_authn_configuration(passkeys())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&lite), "FeatureUnavailableInTierException");
    admin
        .update_user_pool()
        .user_pool_id(&plus)
        .user_pool_tier(UserPoolTierType::Essentials)
        .send()
        .await
        .unwrap();

    let set = admin
        .set_user_pool_mfa_config()
        .user_pool_id(&plus)
        .web_authn_configuration(passkeys())
        .send()
        .await
        .unwrap();
    let w = set.web_authn_configuration().expect("answered back");
    assert_eq!(w.relying_party_id(), Some("auth.example.com"));
    assert_eq!(w.user_verification(), Some(&UserVerificationType::Required));
    let got = admin
        .get_user_pool_mfa_config()
        .user_pool_id(&plus)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.web_authn_configuration()
            .and_then(|w| w.relying_party_id()),
        Some("auth.example.com")
    );
    let bad = admin
        .set_user_pool_mfa_config()
        .user_pool_id(&plus)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id("https://auth.example.com/")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&bad), "InvalidParameterException");
}
