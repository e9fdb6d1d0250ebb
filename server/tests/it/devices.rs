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
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType, DeviceType, NewDeviceMetadataType, UserPoolMfaType,
};

on_both_backends!(
    device_configuration_is_kept_and_makes_devices,
    devices_confirm_list_update_forget,
    another_users_device_is_not_found,
    a_remembered_device_signs_in_with_device_srp_and_skips_mfa,
    without_challenge_required_on_new_device_a_remembered_device_still_answers_mfa,
    hosted_mfa_remembers_the_browser_which_then_skips_mfa,
    hosted_remember_device_prompt_asks_first,
    hosted_browser_device_without_challenge_required_still_answers_mfa,
);

const PASSWORD: &str = "Correct-Horse-9";

async fn tracking_pool(s: &TestServer, on_prompt: bool) -> (String, String) {
    tracking_pool_with(s, true, on_prompt).await
}

async fn tracking_pool_with(
    s: &TestServer,
    challenge_required: bool,
    on_prompt: bool,
) -> (String, String) {
    let pool_id = s
        .pool(|b| {
            b.device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(challenge_required)
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
    assert!(config.challenge_required_on_new_device());
    assert!(config.device_only_remembered_on_user_prompt());

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

/// Cognito's SRP as amazon-cognito-identity-js computes it for devices
/// (AuthenticationHelper with the DeviceGroupKey as its pool name),
/// written here from RFC 5054 and the client's formulas with num-bigint,
/// so the test does not trust the server's own SRP code.
mod reference_srp {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use hkdf::Hkdf;
    use hmac::{Hmac, Mac};
    use num_bigint::BigUint;
    use sha2::{Digest, Sha256};

    /// RFC 5054 Appendix A, the 3072-bit group; g = 2.
    const N_HEX: &str = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
        "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
        "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
        "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
        "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
        "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
        "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
        "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
        "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );

    fn n() -> BigUint {
        BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap()
    }

    fn g() -> BigUint {
        BigUint::from(2u8)
    }

    /// The client's padHex: big-endian bytes with a 0x00 in front when the
    /// top bit is set.
    fn pad(x: &BigUint) -> Vec<u8> {
        let b = x.to_bytes_be();
        if b[0] & 0x80 != 0 {
            [&[0u8][..], &b].concat()
        } else {
            b
        }
    }

    fn h(parts: &[&[u8]]) -> Vec<u8> {
        let mut d = Sha256::new();
        for p in parts {
            d.update(p);
        }
        d.finalize().to_vec()
    }

    fn x(salt: &BigUint, group: &str, key: &str, secret: &str) -> BigUint {
        let inner = h(&[format!("{group}{key}:{secret}").as_bytes()]);
        BigUint::from_bytes_be(&h(&[&pad(salt), &inner]))
    }

    /// ConfirmDevice's DeviceSecretVerifierConfig for the device's random
    /// secret: base64(padHex(salt)) and base64(padHex(g^x)).
    pub fn verifier(group: &str, key: &str, secret: &str) -> (String, String) {
        let salt = BigUint::from_bytes_be(&rand_bytes::<16>());
        let v = g().modpow(&x(&salt, group, key, secret), &n());
        (B64.encode(pad(&salt)), B64.encode(pad(&v)))
    }

    fn rand_bytes<const L: usize>() -> [u8; L] {
        let mut out = [0u8; L];
        for chunk in out.chunks_mut(16) {
            let r = uuid::Uuid::new_v4().into_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
        out
    }

    pub struct Client {
        a: BigUint,
        big_a: BigUint,
    }

    impl Client {
        pub fn new() -> Self {
            let a = BigUint::from_bytes_be(&rand_bytes::<32>());
            let big_a = g().modpow(&a, &n());
            Self { a, big_a }
        }

        pub fn srp_a_hex(&self) -> String {
            self.big_a.to_str_radix(16)
        }

        /// PASSWORD_CLAIM_SIGNATURE for DEVICE_PASSWORD_VERIFIER.
        #[allow(clippy::too_many_arguments)]
        pub fn signature(
            &self,
            group: &str,
            key: &str,
            secret: &str,
            salt_hex: &str,
            srp_b_hex: &str,
            secret_block: &str,
            timestamp: &str,
        ) -> String {
            let n = n();
            let b = BigUint::parse_bytes(srp_b_hex.as_bytes(), 16).unwrap();
            let salt = BigUint::parse_bytes(salt_hex.as_bytes(), 16).unwrap();
            let k = BigUint::from_bytes_be(&h(&[&pad(&n), &pad(&g())]));
            let u = BigUint::from_bytes_be(&h(&[&pad(&self.big_a), &pad(&b)]));
            let x = x(&salt, group, key, secret);
            let gx = g().modpow(&x, &n);
            let base = (&b + &n - (k * gx) % &n) % &n;
            let s = base.modpow(&(&self.a + &u * &x), &n);
            let hk = Hkdf::<Sha256>::new(Some(&pad(&u)), &pad(&s));
            let mut okm = [0u8; 16];
            hk.expand(b"Caldera Derived Key", &mut okm).unwrap();
            let mut mac = Hmac::<Sha256>::new_from_slice(&okm).unwrap();
            mac.update(group.as_bytes());
            mac.update(key.as_bytes());
            mac.update(&B64.decode(secret_block).unwrap());
            mac.update(timestamp.as_bytes());
            B64.encode(mac.finalize().into_bytes())
        }
    }
}

const PHONE: &str = "+12065551212";
/// The client's clock is not bounded; any time in Cognito's format works.
const TIMESTAMP: &str = "Tue Nov 3 00:18:20 UTC 2026";

/// USER_PASSWORD_AUTH with a DEVICE_KEY, as a client that remembers its
/// device signs in.
async fn sign_in_from(
    s: &TestServer,
    client_id: &str,
    username: &str,
    device_key: &str,
) -> Result<
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
> {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("DEVICE_KEY", device_key)
        .send()
        .await
}

/// DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER with `secret` as the
/// device's secret.
async fn device_srp(
    s: &TestServer,
    client_id: &str,
    session: &str,
    username: &str,
    key: &str,
    group: &str,
    secret: &str,
) -> Result<
    cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cip::error::SdkError<cip::operation::respond_to_auth_challenge::RespondToAuthChallengeError>,
> {
    let c = reference_srp::Client::new();
    let out = s
        .public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .session(session)
        .challenge_responses("USERNAME", username)
        .challenge_responses("DEVICE_KEY", key)
        .challenge_responses("SRP_A", c.srp_a_hex())
        .send()
        .await
        .expect("DEVICE_SRP_AUTH answered");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let p = out.challenge_parameters().unwrap();
    let signature = c.signature(
        group,
        key,
        secret,
        &p["SALT"],
        &p["SRP_B"],
        &p["SECRET_BLOCK"],
        TIMESTAMP,
    );
    let mut req = s
        .public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .challenge_responses("USERNAME", username)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &p["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", TIMESTAMP)
        .challenge_responses("DEVICE_KEY", key);
    if let Some(session) = out.session() {
        req = req.session(session);
    }
    req.send().await
}

async fn a_remembered_device_signs_in_with_device_srp_and_skips_mfa(s: TestServer) {
    let (pool_id, client_id) = tracking_pool(&s, false).await;
    s.admin_user(&pool_id, "alice", PASSWORD, &[]).await;
    s.admin_user(&pool_id, "bob", PASSWORD, &[]).await;
    s.admin_set_attr(&pool_id, "alice", "phone_number", PHONE)
        .await;
    // Bob signs in before MFA is on (he has no phone).
    let (_, bob_device) = sign_in(&s, &client_id, "bob").await;
    assert!(bob_device.is_some());
    let bob_refresh = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "bob")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
        .await;

    // First sign-in: SMS MFA, then a new device, which the client
    // confirms with its SRP verifier; remembered at once.
    let result = sms_mfa_sign_in(&s, &pool_id, &client_id).await;
    let refresh = result.refresh_token().unwrap().to_owned();
    let secret = "device-random-secret";
    let (key, group) = confirm_new_device(&s, &result, secret).await;

    // Second sign-in from the device: DEVICE_SRP_AUTH instead of MFA.
    let out = sign_in_from(&s, &client_id, "alice", &key).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let session = out.session().unwrap().to_owned();
    let done = device_srp(&s, &client_id, &session, "alice", &key, &group, secret)
        .await
        .unwrap();
    let result = done.authentication_result().expect("tokens without MFA");
    assert!(result.access_token().is_some());
    assert!(result.new_device_metadata().is_none());

    // A device that does not know its secret is refused.
    let out = sign_in_from(&s, &client_id, "alice", &key).await.unwrap();
    let wrong = device_srp(
        &s,
        &client_id,
        out.session().unwrap(),
        "alice",
        &key,
        &group,
        "not-the-secret",
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&wrong), "NotAuthorizedException");

    // Refresh from the device works; from someone else's, it does not.
    let refreshed = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .auth_parameters("DEVICE_KEY", &key)
        .send()
        .await
        .unwrap();
    assert!(refreshed.authentication_result().is_some());
    let got = s
        .public()
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(&refresh)
        .device_key(&key)
        .send()
        .await
        .unwrap();
    assert!(got.authentication_result().is_some());

    // Bob presents Alice's device: refused, and her device is unchanged.
    let bob = sign_in_from(&s, &client_id, "bob", &key).await.unwrap_err();
    assert_eq!(error_name(&bob), "ResourceNotFoundException");
    let stolen = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &bob_refresh)
        .auth_parameters("DEVICE_KEY", &key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&stolen), "ResourceNotFoundException");
    let stolen = s
        .public()
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(&bob_refresh)
        .device_key(&key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&stolen), "ResourceNotFoundException");
    let d = s
        .admin()
        .admin_get_device()
        .user_pool_id(&pool_id)
        .username("alice")
        .device_key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attribute(d.device().unwrap(), "dev:device_remembered_status"),
        Some("remembered")
    );

    // A device no longer remembered signs in with MFA again.
    set_status(
        &s,
        &pool_id,
        &key,
        DeviceRememberedStatusType::NotRemembered,
    )
    .await;
    let out = sign_in_from(&s, &client_id, "alice", &key).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
}

/// AdminUpdateDeviceStatus of Alice's device `key`.
async fn set_status(s: &TestServer, pool_id: &str, key: &str, status: DeviceRememberedStatusType) {
    s.admin()
        .admin_update_device_status()
        .user_pool_id(pool_id)
        .username("alice")
        .device_key(key)
        .device_remembered_status(status)
        .send()
        .await
        .unwrap();
}

/// Cognito API: DeviceConfigurationType — "Whether or not
/// ChallengeRequiredOnNewDevice is true, users who sign in with devices
/// that have not been confirmed or remembered must still provide a second
/// factor"; when it is false, a remembered device proves itself with
/// DEVICE_SRP_AUTH and then MFA is asked all the same.
async fn without_challenge_required_on_new_device_a_remembered_device_still_answers_mfa(
    s: TestServer,
) {
    let (pool_id, client_id) = tracking_pool_with(&s, false, false).await;
    s.admin_user(&pool_id, "alice", PASSWORD, &[]).await;
    s.admin_set_attr(&pool_id, "alice", "phone_number", PHONE)
        .await;
    s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
        .await;
    let result = sms_mfa_sign_in(&s, &pool_id, &client_id).await;
    let secret = "device-random-secret";
    let (key, group) = confirm_new_device(&s, &result, secret).await;

    // The remembered device answers DEVICE_SRP_AUTH…
    let out = sign_in_from(&s, &client_id, "alice", &key).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let done = device_srp(
        &s,
        &client_id,
        out.session().unwrap(),
        "alice",
        &key,
        &group,
        secret,
    )
    .await
    .unwrap();
    // …and is then asked for MFA, with no tokens yet.
    assert!(done.authentication_result().is_none());
    assert_eq!(done.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let code = s.code_sent_to(&pool_id, PHONE).await;
    let tokens = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(done.session().unwrap())
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("SMS_MFA_CODE", code)
        .challenge_responses("DEVICE_KEY", &key)
        .send()
        .await
        .unwrap();
    let result = tokens.authentication_result().expect("tokens after MFA");
    assert!(result.access_token().is_some());
    // Signed in from a known device: no new one.
    assert!(result.new_device_metadata().is_none());
}

/// Alice's USER_PASSWORD_AUTH answered with the SMS MFA code: the tokens.
async fn sms_mfa_sign_in(
    s: &TestServer,
    pool_id: &str,
    client_id: &str,
) -> cip::types::AuthenticationResultType {
    let out = s
        .public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let code = s.code_sent_to(pool_id, PHONE).await;
    let done = s
        .public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("SMS_MFA_CODE", code)
        .send()
        .await
        .unwrap();
    done.authentication_result().expect("tokens").clone()
}

/// ConfirmDevice of a sign-in's new device, named "laptop", with the SRP
/// verifier of `secret` (remembered at once: the pools here do not ask);
/// its key and group key.
async fn confirm_new_device(
    s: &TestServer,
    result: &cip::types::AuthenticationResultType,
    secret: &str,
) -> (String, String) {
    let device = result.new_device_metadata().expect("a new device");
    let key = device.device_key().unwrap().to_owned();
    let group = device.device_group_key().unwrap().to_owned();
    let (salt, verifier) = reference_srp::verifier(&group, &key, secret);
    let confirmed = s
        .public()
        .confirm_device()
        .access_token(result.access_token().unwrap())
        .device_key(&key)
        .device_name("laptop")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .salt(salt)
                .password_verifier(verifier)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(!confirmed.user_confirmation_necessary());
    (key, group)
}

mod hosted {
    //! The hosted UI's remembered devices: after MFA the browser becomes a
    //! device of the user (asked first under DeviceOnlyRememberedOnUserPrompt),
    //! held by a sealed cookie; the same browser then skips MFA while the
    //! device is remembered; a forgotten device or another user's cookie
    //! does not.

    use super::*;
    pub use crate::common::hosted::post_page_form;
    use crate::common::hosted::{PKCE_VERIFIER, location, query_param, s256};
    use reqwest::StatusCode;

    pub const CALLBACK: &str = "https://app.example/callback";
    pub const AGENT: &str = "CognateTestBrowser/1.0";

    /// A browser with a User-Agent (the device's name) that keeps cookies
    /// and follows no redirects.
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .user_agent(AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A pool tracking devices with SMS MFA on, its hosted client, and
    /// `alice` and `bob` with phones (their own numbers).
    pub async fn app(
        s: &TestServer,
        challenge_required: bool,
        on_prompt: bool,
    ) -> (String, String) {
        let (pool_id, _) = tracking_pool_with(s, challenge_required, on_prompt).await;
        let (client_id, _) = s.code_client(&pool_id, CALLBACK, &["openid"], |c| c).await;
        for (user, phone) in [("alice", PHONE), ("bob", BOB_PHONE)] {
            s.admin_user(&pool_id, user, PASSWORD, &[]).await;
            s.admin_set_attr(&pool_id, user, "phone_number", phone)
                .await;
        }
        s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
            .await;
        (pool_id, client_id)
    }

    pub const BOB_PHONE: &str = "+12065550199";

    /// What a hosted password sign-in led to.
    pub enum Step {
        /// The SMS MFA page.
        Mfa(String),
        /// Straight to the app.
        Callback,
    }

    fn set_cookies(r: &reqwest::Response) -> Vec<String> {
        r.headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    fn at_callback(r: &reqwest::Response) -> bool {
        let to = location(r);
        to.starts_with(CALLBACK) && query_param(&to, "code").is_some()
    }

    /// A new authorization request in `lang` (`prompt=login`: the
    /// browser's SSO session does not answer it), its sign-in form posted
    /// with `username`'s password.
    pub async fn password_step(
        s: &TestServer,
        pool_id: &str,
        client_id: &str,
        b: &reqwest::Client,
        username: &str,
        lang: &str,
    ) -> Step {
        let url = format!(
            "{}/{pool_id}/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={CALLBACK}&state=s&scope=openid&code_challenge={}&code_challenge_method=S256&lang={lang}&prompt=login",
            s.url,
            s256(PKCE_VERIFIER)
        );
        let r = b.get(url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", location(&r));
        let html = r.text().await.unwrap();
        let fields = [
            ("username", username),
            ("password", PASSWORD),
            ("lang", lang),
        ];
        let r = post_page_form(&s.url, pool_id, b, &html, "login", &fields).await;
        if r.status().is_redirection() {
            assert!(at_callback(&r), "{}", location(&r));
            return Step::Callback;
        }
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("name=\"code\""), "the MFA page: {html}");
        Step::Mfa(html)
    }

    /// The MFA page answered with the code texted to `phone`: the
    /// response.
    pub async fn answer_mfa(
        s: &TestServer,
        pool_id: &str,
        b: &reqwest::Client,
        html: &str,
        phone: &str,
        lang: &str,
    ) -> reqwest::Response {
        let code = s.code_sent_to(pool_id, phone).await;
        post_page_form(
            &s.url,
            pool_id,
            b,
            html,
            "challenge",
            &[("code", &code), ("lang", lang)],
        )
        .await
    }

    /// A full sign-in that must ask MFA: the response after the code.
    pub async fn sign_in_with_mfa(
        s: &TestServer,
        pool_id: &str,
        client_id: &str,
        b: &reqwest::Client,
        username: &str,
        phone: &str,
    ) -> reqwest::Response {
        match password_step(s, pool_id, client_id, b, username, "en").await {
            Step::Mfa(html) => answer_mfa(s, pool_id, b, &html, phone, "en").await,
            Step::Callback => panic!("{username} was not asked for MFA"),
        }
    }

    /// The response redirected to the app; the device cookie it set.
    pub fn device_cookie(pool_id: &str, r: &reqwest::Response) -> Option<String> {
        assert!(r.status().is_redirection(), "{}", r.status());
        assert!(at_callback(r), "{}", location(r));
        set_cookies(r)
            .into_iter()
            .find(|c| c.starts_with(&format!("cognate_device_{pool_id}=")))
    }

    pub async fn devices_of(s: &TestServer, pool_id: &str, user: &str) -> Vec<DeviceType> {
        s.admin()
            .admin_list_devices()
            .user_pool_id(pool_id)
            .username(user)
            .send()
            .await
            .unwrap()
            .devices()
            .to_vec()
    }

    pub fn skipped_mfa(step: Step) -> bool {
        matches!(step, Step::Callback)
    }
}

async fn hosted_mfa_remembers_the_browser_which_then_skips_mfa(s: TestServer) {
    use hosted::*;
    let (pool_id, client_id) = app(&s, true, false).await;
    let b = browser();

    // MFA on the hosted UI, then remembered without asking: a cookie of
    // the pool, HttpOnly, SameSite=Lax, long-lived, holding no key in the
    // clear.
    let r = sign_in_with_mfa(&s, &pool_id, &client_id, &b, "alice", PHONE).await;
    let cookie = device_cookie(&pool_id, &r).expect("the device cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    // The device is a real device of Alice's, named by the browser.
    let devices = devices_of(&s, &pool_id, "alice").await;
    assert_eq!(devices.len(), 1, "{devices:?}");
    let key = devices[0].device_key().unwrap().to_owned();
    assert!(!cookie.contains(&key), "the cookie is sealed: {cookie}");
    assert_eq!(
        attribute(&devices[0], "dev:device_remembered_status"),
        Some("remembered")
    );
    assert_eq!(attribute(&devices[0], "device_name"), Some(AGENT));
    // ListDevices with Alice's own token lists it too.
    let tokens = sms_mfa_sign_in(&s, &pool_id, &client_id_api(&s, &pool_id).await).await;
    let access = tokens.access_token().unwrap().to_owned();
    let listed = s
        .public()
        .list_devices()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert!(
        listed
            .devices()
            .iter()
            .any(|d| d.device_key() == Some(key.as_str()))
    );

    // The same browser signs in again without MFA.
    assert!(skipped_mfa(
        password_step(&s, &pool_id, &client_id, &b, "alice", "en").await
    ));
    // Another browser is asked.
    let other = browser();
    assert!(!skipped_mfa(
        password_step(&s, &pool_id, &client_id, &other, "alice", "en").await
    ));

    // Bob's browser, remembered for Bob, is nothing for Alice.
    let bobs = browser();
    let r = sign_in_with_mfa(&s, &pool_id, &client_id, &bobs, "bob", BOB_PHONE).await;
    assert!(device_cookie(&pool_id, &r).is_some());
    assert!(skipped_mfa(
        password_step(&s, &pool_id, &client_id, &bobs, "bob", "en").await
    ));
    assert!(!skipped_mfa(
        password_step(&s, &pool_id, &client_id, &bobs, "alice", "en").await
    ));
    assert_eq!(devices_of(&s, &pool_id, "alice").await.len(), 1);

    // Not remembered any more: MFA again.
    set_status(
        &s,
        &pool_id,
        &key,
        DeviceRememberedStatusType::NotRemembered,
    )
    .await;
    assert!(!skipped_mfa(
        password_step(&s, &pool_id, &client_id, &b, "alice", "en").await
    ));
    set_status(&s, &pool_id, &key, DeviceRememberedStatusType::Remembered).await;
    assert!(skipped_mfa(
        password_step(&s, &pool_id, &client_id, &b, "alice", "en").await
    ));

    // Forgotten (ForgetDevice with her token): MFA again, and the device
    // is gone.
    s.public()
        .forget_device()
        .access_token(&access)
        .device_key(&key)
        .send()
        .await
        .unwrap();
    assert!(devices_of(&s, &pool_id, "alice").await.is_empty());
    let Step::Mfa(html) = password_step(&s, &pool_id, &client_id, &b, "alice", "en").await else {
        panic!("a forgotten device skipped MFA");
    };
    // Answering MFA remembers the browser anew; AdminForgetDevice forgets
    // it as well.
    let r = answer_mfa(&s, &pool_id, &b, &html, PHONE, "en").await;
    assert!(device_cookie(&pool_id, &r).is_some());
    let devices = devices_of(&s, &pool_id, "alice").await;
    assert_eq!(devices.len(), 1);
    s.admin()
        .admin_forget_device()
        .user_pool_id(&pool_id)
        .username("alice")
        .device_key(devices[0].device_key().unwrap())
        .send()
        .await
        .unwrap();
    assert!(!skipped_mfa(
        password_step(&s, &pool_id, &client_id, &b, "alice", "en").await
    ));
}

/// An API client (USER_PASSWORD_AUTH) of the pool.
async fn client_id_api(s: &TestServer, pool_id: &str) -> String {
    s.client(pool_id, false, false).await.0
}

async fn hosted_remember_device_prompt_asks_first(s: TestServer) {
    use crate::common::hosted::hidden;
    use hosted::*;
    let (pool_id, client_id) = app(&s, true, true).await;
    let b = browser();

    // In French: "Mémoriser cet appareil ?", a form with its CSRF token.
    let Step::Mfa(html) = password_step(&s, &pool_id, &client_id, &b, "alice", "fr").await else {
        panic!("MFA first");
    };
    let r = answer_mfa(&s, &pool_id, &b, &html, PHONE, "fr").await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Mémoriser cet appareil"), "{page}");
    assert!(page.contains("name=\"remember\""));
    assert!(hidden(&page, "csrf").is_some());
    // A forged form (no CSRF token) is refused.
    let forged = b
        .post(format!("{}/{pool_id}/device", s.url))
        .form(&[
            ("flow", hidden(&page, "flow").unwrap()),
            ("remember", "yes".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::FORBIDDEN);
    // "Not now": signed in, nothing remembered.
    let r = post_page_form(&s.url, &pool_id, &b, &page, "device", &[("remember", "no")]).await;
    assert!(device_cookie(&pool_id, &r).is_none());
    assert!(devices_of(&s, &pool_id, "alice").await.is_empty());
    let Step::Mfa(html) = password_step(&s, &pool_id, &client_id, &b, "alice", "en").await else {
        panic!("MFA again after not now");
    };
    // "Remember this device": remembered, and the next sign-in skips MFA.
    let r = answer_mfa(&s, &pool_id, &b, &html, PHONE, "en").await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Remember this device"), "{page}");
    let r = post_page_form(
        &s.url,
        &pool_id,
        &b,
        &page,
        "device",
        &[("remember", "yes")],
    )
    .await;
    assert!(device_cookie(&pool_id, &r).is_some());
    assert_eq!(devices_of(&s, &pool_id, "alice").await.len(), 1);
    assert!(skipped_mfa(
        password_step(&s, &pool_id, &client_id, &b, "alice", "en").await
    ));
}

async fn hosted_browser_device_without_challenge_required_still_answers_mfa(s: TestServer) {
    use hosted::*;
    let (pool_id, client_id) = app(&s, false, false).await;
    let b = browser();
    let r = sign_in_with_mfa(&s, &pool_id, &client_id, &b, "alice", PHONE).await;
    // The browser is remembered (a device of Alice's)…
    assert!(device_cookie(&pool_id, &r).is_some());
    assert_eq!(devices_of(&s, &pool_id, "alice").await.len(), 1);
    // …but ChallengeRequiredOnNewDevice=false asks MFA of it all the same.
    assert!(!skipped_mfa(
        password_step(&s, &pool_id, &client_id, &b, "alice", "en").await
    ));
}
