//! Remembered devices through the AWS SDK for Rust on SQLite and
//! PostgreSQL: the pool's DeviceConfiguration, NewDeviceMetadata at
//! sign-in, ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus,
//! ForgetDevice and their Admin* versions; another user's device key is a
//! device that does not exist (ResourceNotFoundException), nothing changed.

use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cip::types::{
    AuthFlowType, DeviceConfigurationType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType, DeviceType, NewDeviceMetadataType,
};

on_both_backends!(
    device_configuration_is_kept_and_makes_devices,
    devices_confirm_list_update_forget,
    another_users_device_is_not_found,
);

const PASSWORD: &str = "Correct-Horse-9";

async fn tracking_pool(s: &TestServer, on_prompt: bool) -> (String, String) {
    let pool_id = s
        .pool(|b| {
            b.device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(on_prompt)
                    .build(),
            )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    (pool_id, client_id)
}

/// USER_PASSWORD_AUTH: the access token and the new device, if any.
async fn sign_in(
    s: &TestServer,
    client_id: &str,
    username: &str,
) -> (String, Option<NewDeviceMetadataType>) {
    let out = s
        .public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("sign in");
    let result = out.authentication_result().expect("tokens");
    (
        result.access_token().expect("access token").to_owned(),
        result.new_device_metadata().cloned(),
    )
}

/// A salt and verifier as amazon-cognito-identity-js sends them (base64);
/// ConfirmDevice keeps them sealed.
fn verifier(tag: u8) -> DeviceSecretVerifierConfigType {
    DeviceSecretVerifierConfigType::builder()
        .salt(B64.encode([tag; 16]))
        .password_verifier(B64.encode([tag.wrapping_add(1); 384]))
        .build()
}

fn attribute<'a>(d: &'a DeviceType, name: &str) -> Option<&'a str> {
    d.device_attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

async fn device_configuration_is_kept_and_makes_devices(s: TestServer) {
    let (pool_id, client_id) = tracking_pool(&s, true).await;
    let pool = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let config = pool.user_pool().unwrap().device_configuration().unwrap();
    assert_eq!(config.challenge_required_on_new_device(), Some(true));
    assert_eq!(config.device_only_remembered_on_user_prompt(), Some(true));

    s.admin_user(&pool_id, "alice", PASSWORD, &[]).await;
    let (_, device) = sign_in(&s, &client_id, "alice").await;
    let device = device.expect("NewDeviceMetadata when the pool tracks devices");
    let key = device.device_key().unwrap();
    let (region, id) = key.split_once('_').unwrap();
    assert_eq!(region, pool_id.split('_').next().unwrap());
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{key}");
    assert!(!device.device_group_key().unwrap().is_empty());
    // Each sign-in without a device key is a new device.
    let (_, again) = sign_in(&s, &client_id, "alice").await;
    assert_ne!(again.unwrap().device_key(), Some(key));

    // UpdateUserPool without DeviceConfiguration stops tracking.
    s.admin()
        .update_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let pool = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert!(pool.user_pool().unwrap().device_configuration().is_none());
    let (_, none) = sign_in(&s, &client_id, "alice").await;
    assert!(none.is_none(), "{none:?}");
}

async fn devices_confirm_list_update_forget(s: TestServer) {
    let (pool_id, client_id) = tracking_pool(&s, true).await;
    s.admin_user(&pool_id, "alice", PASSWORD, &[]).await;
    let (token, first) = sign_in(&s, &client_id, "alice").await;
    let first = first.unwrap().device_key().unwrap().to_owned();
    let (_, second) = sign_in(&s, &client_id, "alice").await;
    let second = second.unwrap().device_key().unwrap().to_owned();
    let (_, unconfirmed) = sign_in(&s, &client_id, "alice").await;
    let unconfirmed = unconfirmed.unwrap().device_key().unwrap().to_owned();

    // ConfirmDevice: on user prompt, the user must still choose.
    for (key, tag) in [(&first, 1u8), (&second, 2)] {
        let out = s
            .public()
            .confirm_device()
            .access_token(&token)
            .device_key(key)
            .device_name(format!("device {tag}"))
            .device_secret_verifier_config(verifier(tag))
            .send()
            .await
            .unwrap();
        assert!(out.user_confirmation_necessary());
    }
    let got = s
        .public()
        .get_device()
        .access_token(&token)
        .device_key(&first)
        .send()
        .await
        .unwrap();
    let d = got.device().unwrap();
    assert_eq!(d.device_key(), Some(first.as_str()));
    assert_eq!(attribute(d, "device_name"), Some("device 1"));
    assert_eq!(
        attribute(d, "dev:device_remembered_status"),
        Some("not_remembered")
    );
    assert!(d.device_create_date().is_some());

    // The verifier is sealed at rest: its base64 is nowhere in the rows.
    let rows = s.raw_rows("SELECT doc FROM devices").await;
    assert_eq!(rows.len(), 3);
    let clear = B64.encode([2u8; 384]);
    assert!(rows.iter().all(|r| !r.contains(&clear[..64])), "{rows:?}");

    // UpdateDeviceStatus, then the admin's view of it.
    s.public()
        .update_device_status()
        .access_token(&token)
        .device_key(&first)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    let admin_view = s
        .admin()
        .admin_get_device()
        .user_pool_id(&pool_id)
        .username("alice")
        .device_key(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attribute(admin_view.device().unwrap(), "dev:device_remembered_status"),
        Some("remembered")
    );
    s.admin()
        .admin_update_device_status()
        .user_pool_id(&pool_id)
        .username("alice")
        .device_key(&second)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    let bad = s
        .public()
        .update_device_status()
        .access_token(&token)
        .device_key(&first)
        .device_remembered_status(DeviceRememberedStatusType::from("forever"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&bad), "InvalidParameterException");

    // ListDevices pages by Limit; the unconfirmed device is not listed.
    let mut keys = Vec::new();
    let mut token_page: Option<String> = None;
    loop {
        let page = s
            .public()
            .list_devices()
            .access_token(&token)
            .limit(1)
            .set_pagination_token(token_page.clone())
            .send()
            .await
            .unwrap();
        assert!(page.devices().len() <= 1);
        keys.extend(
            page.devices()
                .iter()
                .filter_map(|d| d.device_key().map(str::to_owned)),
        );
        token_page = page.pagination_token().map(str::to_owned);
        if token_page.is_none() {
            break;
        }
    }
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(keys, expected);
    assert!(!keys.contains(&unconfirmed));
    let all = s
        .admin()
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(all.devices().len(), 2);
    let over = s
        .public()
        .list_devices()
        .access_token(&token)
        .limit(61)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&over), "InvalidParameterException");

    // ForgetDevice and AdminForgetDevice.
    s.public()
        .forget_device()
        .access_token(&token)
        .device_key(&first)
        .send()
        .await
        .unwrap();
    let gone = s
        .public()
        .get_device()
        .access_token(&token)
        .device_key(&first)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&gone), "ResourceNotFoundException");
    s.admin()
        .admin_forget_device()
        .user_pool_id(&pool_id)
        .username("alice")
        .device_key(&second)
        .send()
        .await
        .unwrap();
    let again = s
        .admin()
        .admin_forget_device()
        .user_pool_id(&pool_id)
        .username("alice")
        .device_key(&second)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&again), "ResourceNotFoundException");
    let malformed = s
        .public()
        .get_device()
        .access_token(&token)
        .device_key("no-underscore")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&malformed), "InvalidParameterException");
}

async fn another_users_device_is_not_found(s: TestServer) {
    let (pool_id, client_id) = tracking_pool(&s, false).await;
    s.admin_user(&pool_id, "alice", PASSWORD, &[]).await;
    s.admin_user(&pool_id, "bob", PASSWORD, &[]).await;
    let (alice, device) = sign_in(&s, &client_id, "alice").await;
    let key = device.unwrap().device_key().unwrap().to_owned();
    let (bob, _) = sign_in(&s, &client_id, "bob").await;

    // Bob cannot confirm, read, update or forget Alice's device.
    let confirm = s
        .public()
        .confirm_device()
        .access_token(&bob)
        .device_key(&key)
        .device_secret_verifier_config(verifier(9))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&confirm), "ResourceNotFoundException");
    // Without the prompt, ConfirmDevice remembers the device at once.
    let out = s
        .public()
        .confirm_device()
        .access_token(&alice)
        .device_key(&key)
        .device_name("phone")
        .device_secret_verifier_config(verifier(3))
        .send()
        .await
        .unwrap();
    assert!(!out.user_confirmation_necessary());
    let get = s
        .public()
        .get_device()
        .access_token(&bob)
        .device_key(&key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&get), "ResourceNotFoundException");
    let update = s
        .public()
        .update_device_status()
        .access_token(&bob)
        .device_key(&key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&update), "ResourceNotFoundException");
    let forget = s
        .public()
        .forget_device()
        .access_token(&bob)
        .device_key(&key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&forget), "ResourceNotFoundException");
    let admin = s
        .admin()
        .admin_forget_device()
        .user_pool_id(&pool_id)
        .username("bob")
        .device_key(&key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&admin), "ResourceNotFoundException");
    let listed = s
        .public()
        .list_devices()
        .access_token(&bob)
        .send()
        .await
        .unwrap();
    assert!(listed.devices().is_empty());

    // Alice's device is as she left it.
    let d = s
        .public()
        .get_device()
        .access_token(&alice)
        .device_key(&key)
        .send()
        .await
        .unwrap();
    let d = d.device().unwrap();
    assert_eq!(attribute(d, "device_name"), Some("phone"));
    assert_eq!(
        attribute(d, "dev:device_remembered_status"),
        Some("remembered")
    );
}
