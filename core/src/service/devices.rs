//! Remembered devices (Cognito API: ConfirmDevice, GetDevice, ListDevices,
//! UpdateDeviceStatus, ForgetDevice and their Admin* versions, and
//! AuthenticationResultType's NewDeviceMetadata).
//!
//! A pool with a DeviceConfiguration tracks devices: every sign-in through
//! the API that did not come from a known device makes a new one and
//! answers its key and group key. The client then confirms it with the
//! device's SRP verifier (salt and verifier of `x = H(salt ‖ H(group ‖
//! key ‖ ":" ‖ secret))`, as amazon-cognito-identity-js computes them);
//! the verifier is sealed at rest. A device key names one user's device:
//! another user's key is a device that does not exist for them.
//!
//! The hosted UI remembers a browser the same way (`BrowserDevice`): a
//! real device of the user whose random secret lives only in a sealed
//! cookie; the device record keeps a MAC of it, sealed like a verifier.
//! Both faces skip MFA on a remembered device by one rule,
//! [`remembered_device_skips_mfa`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use std::collections::BTreeMap;

use super::Idp;
use super::auth::{
    Attempt, AuthOutcome, Challenge, Face, Params, SRP_V_BYTES, incorrect, required,
};
use super::session::{AuthSession, ChallengeName, SrpState, invalid_session};
use crate::error::{CognitoError, Result};
use crate::model::device::{Device, DeviceStatus};
use crate::model::validate;
use crate::model::{User, UserPool, UserPoolClient};
use crate::srp;

/// Cognito API: NewDeviceMetadataType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    pub device_key: String,
    pub device_group_key: String,
}

/// ListDevices' Limit: 0–60; none (or 0) asks for the most.
const MAX_LIST: i64 = 60;

/// The device's SRP record as sealed: `Salt` and `PasswordVerifier` as the
/// client sent them (base64).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceVerifier {
    pub salt: String,
    pub password_verifier: String,
}

/// What a device record keeps sealed: ConfirmDevice's SRP record, or the
/// MAC of a hosted-UI browser's secret.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum StoredVerifier {
    Srp(DeviceVerifier),
    Browser {
        #[serde(rename = "BrowserSecretMac")]
        browser_secret_mac: String,
    },
}

/// The purpose a browser device's secret is MACed for.
const BROWSER_SECRET_MAC: &str = "hosted-device-secret";

/// The record id a browser's device cookie is sealed for: one pool's.
fn browser_cookie_record(pool_id: &str) -> String {
    format!("hosted-device:{pool_id}")
}

/// A hosted-UI browser's remembered device, as its cookie carries it
/// (sealed under the master key for the pool): the device key and the
/// random secret only the browser holds.
#[derive(Clone, Serialize, Deserialize)]
pub struct BrowserDevice {
    #[serde(rename = "k")]
    pub device_key: String,
    #[serde(rename = "s")]
    secret: String,
}

impl std::fmt::Debug for BrowserDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserDevice")
            .field("device_key", &self.device_key)
            .field("secret", &"***")
            .finish()
    }
}

impl Drop for BrowserDevice {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

/// What the hosted UI does with the browser after a sign-in that answered
/// MFA, by the pool's DeviceConfiguration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrowserDeviceChoice {
    /// DeviceOnlyRememberedOnUserPrompt: ask "Remember this device?".
    Ask,
    /// Remembered without asking.
    Remember,
}

/// Cognito API: DeviceConfigurationType, ChallengeRequiredOnNewDevice —
/// "When true, a remembered device can sign in with device authentication
/// instead of SMS and TOTP factors for MFA"; when false, MFA is asked
/// from remembered devices too. The one rule of the API's device SRP and
/// the hosted UI's device cookie.
pub fn remembered_device_skips_mfa(pool: &UserPool) -> bool {
    pool.config
        .device_configuration
        .is_some_and(|c| c.challenge_required_on_new_device)
}

pub(crate) fn no_such_device() -> CognitoError {
    CognitoError::ResourceNotFound("Device does not exist.".into())
}

/// Cognito API: DeviceKeyType, 1–55 characters `[\w-]+_[0-9a-f-]+`.
pub fn check_device_key(key: &str) -> Result<()> {
    // The id part cannot hold '_', so it follows the last one.
    let shape_ok = key.len() <= 55
        && key.rsplit_once('_').is_some_and(|(region, id)| {
            !region.is_empty()
                && !id.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f' | '-'))
        });
    if shape_ok {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'deviceKey' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+",
        ))
    }
}

fn random_group_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let bytes = crate::crypto::random_bytes::<9>();
    let tail: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("-{tail}")
}

impl Idp {
    /// The device a sign-in makes when the pool tracks devices; none when
    /// it does not.
    pub(crate) async fn new_device(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<Option<NewDeviceMetadata>> {
        if pool.config.device_configuration.is_none() {
            return Ok(None);
        }
        let region = pool.id.split('_').next().unwrap_or("us-east-1");
        let now = self.clock.now();
        let device = Device {
            device_key: format!("{region}_{}", Uuid::new_v4()),
            pool_id: pool.id.clone(),
            sub: user.sub,
            group_key: random_group_key(),
            name: None,
            status: None,
            sealed_verifier: None,
            created: now,
            modified: now,
            last_authenticated: now,
        };
        self.store.put_device(&device).await?;
        Ok(Some(NewDeviceMetadata {
            device_key: device.device_key,
            device_group_key: device.group_key,
        }))
    }

    /// The user's device with this key; ResourceNotFound for an unknown
    /// key and for another user's.
    pub(crate) async fn user_device(&self, user: &User, device_key: &str) -> Result<Device> {
        check_device_key(device_key)?;
        match self.store.get_device(device_key).await? {
            Some(d) if d.pool_id == user.pool_id && d.sub == user.sub => Ok(d),
            _ => Err(no_such_device()),
        }
    }

    /// The device's sealed SRP record, opened; None until ConfirmDevice.
    pub(crate) fn device_verifier(&self, device: &Device) -> Result<Option<DeviceVerifier>> {
        let Some(sealed) = &device.sealed_verifier else {
            return Ok(None);
        };
        match self.stored_verifier(device, sealed)? {
            StoredVerifier::Srp(v) => Ok(Some(v)),
            StoredVerifier::Browser { .. } => Ok(None),
        }
    }

    fn stored_verifier(&self, device: &Device, sealed: &str) -> Result<StoredVerifier> {
        let plain = self.master_key.open_text(&device.seal_id(), sealed)?;
        serde_json::from_str(&plain.into_inner()).map_err(CognitoError::internal)
    }

    /// ConfirmDevice: stores the device's SRP verifier and name. Answers
    /// UserConfirmationNecessary: whether the user must still choose to
    /// remember it (the pool's DeviceOnlyRememberedOnUserPrompt); if not,
    /// it is remembered now.
    pub async fn confirm_device(
        &self,
        access_token: &str,
        device_key: &str,
        verifier: Option<DeviceVerifier>,
        device_name: Option<String>,
    ) -> Result<bool> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        let mut device = self.user_device(&user, device_key).await?;
        if let Some(name) = &device_name {
            validate::len_between("deviceName", name, 1, 1024)?;
        }
        let verifier = verifier.ok_or_else(|| {
            CognitoError::invalid_parameter("DeviceSecretVerifierConfig is required.")
        })?;
        for (field, value) in [
            ("passwordVerifier", &verifier.password_verifier),
            ("salt", &verifier.salt),
        ] {
            if value.is_empty() || BASE64.decode(value).is_err() {
                return Err(CognitoError::invalid_parameter(format!(
                    "DeviceSecretVerifierConfig.{field} is not valid base64."
                )));
            }
        }
        let on_prompt = pool
            .config
            .device_configuration
            .is_some_and(|c| c.device_only_remembered_on_user_prompt);
        let plain = serde_json::to_string(&verifier).map_err(CognitoError::internal)?;
        device.sealed_verifier = Some(self.master_key.seal_text(&device.seal_id(), &plain));
        device.name = device_name.or(device.name);
        device.status = Some(if on_prompt {
            DeviceStatus::NotRemembered
        } else {
            DeviceStatus::Remembered
        });
        device.modified = self.clock.now();
        if !self.store.update_device(&device).await? {
            return Err(no_such_device());
        }
        Ok(on_prompt)
    }

    /// GetDevice.
    pub async fn get_device(&self, access_token: &str, device_key: &str) -> Result<Device> {
        let (_, user, _) = self.authenticate_access_token(access_token).await?;
        self.user_device(&user, device_key).await
    }

    /// AdminGetDevice.
    pub async fn admin_get_device(
        &self,
        pool_id: &str,
        username: &str,
        device_key: &str,
    ) -> Result<Device> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.user_device(&user, device_key).await
    }

    /// ListDevices.
    pub async fn list_devices(
        &self,
        access_token: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<(Vec<Device>, Option<String>)> {
        let (_, user, _) = self.authenticate_access_token(access_token).await?;
        self.devices_of(&user, limit, token).await
    }

    /// AdminListDevices.
    pub async fn admin_list_devices(
        &self,
        pool_id: &str,
        username: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<(Vec<Device>, Option<String>)> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.devices_of(&user, limit, token).await
    }

    /// A page of the user's confirmed devices (one a sign-in made but the
    /// client never confirmed is not listed).
    async fn devices_of(
        &self,
        user: &User,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<(Vec<Device>, Option<String>)> {
        let limit = match limit {
            Some(n) => {
                validate::int_between("limit", n, 0, MAX_LIST)?;
                if n == 0 { MAX_LIST } else { n }
            }
            None => MAX_LIST,
        };
        let page = self
            .store
            .list_devices(
                &user.pool_id,
                user.sub,
                usize::try_from(limit).unwrap_or(60),
                token,
            )
            .await?;
        let devices = page
            .items
            .into_iter()
            .filter(|d| d.status.is_some())
            .collect();
        Ok((devices, page.next))
    }

    /// UpdateDeviceStatus.
    pub async fn update_device_status(
        &self,
        access_token: &str,
        device_key: &str,
        status: Option<&str>,
    ) -> Result<()> {
        let (_, user, _) = self.authenticate_access_token(access_token).await?;
        self.set_device_status(&user, device_key, status).await
    }

    /// AdminUpdateDeviceStatus.
    pub async fn admin_update_device_status(
        &self,
        pool_id: &str,
        username: &str,
        device_key: &str,
        status: Option<&str>,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.set_device_status(&user, device_key, status).await
    }

    async fn set_device_status(
        &self,
        user: &User,
        device_key: &str,
        status: Option<&str>,
    ) -> Result<()> {
        // Cognito API: DeviceRememberedStatusType; leaving it out is
        // not_remembered.
        let status = match status {
            None => DeviceStatus::NotRemembered,
            Some(s) => DeviceStatus::parse(s).ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{s}' at 'deviceRememberedStatus' \
                     failed to satisfy constraint: Member must satisfy enum value set: \
                     [remembered, not_remembered]"
                ))
            })?,
        };
        let mut device = self.user_device(user, device_key).await?;
        if device.status.is_none() {
            // Never confirmed: nothing to remember it by.
            return Err(no_such_device());
        }
        device.status = Some(status);
        device.modified = self.clock.now();
        if !self.store.update_device(&device).await? {
            return Err(no_such_device());
        }
        Ok(())
    }

    /// ForgetDevice.
    pub async fn forget_device(&self, access_token: &str, device_key: &str) -> Result<()> {
        let (_, user, _) = self.authenticate_access_token(access_token).await?;
        self.drop_device(&user, device_key).await
    }

    /// AdminForgetDevice.
    pub async fn admin_forget_device(
        &self,
        pool_id: &str,
        username: &str,
        device_key: &str,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.drop_device(&user, device_key).await
    }

    async fn drop_device(&self, user: &User, device_key: &str) -> Result<()> {
        let device = self.user_device(user, device_key).await?;
        if !self
            .store
            .delete_device(&user.pool_id, user.sub, &device.device_key)
            .await?
        {
            return Err(no_such_device());
        }
        Ok(())
    }
}

/// The device's SRP record as the group arithmetic takes it: the salt in
/// its `padHex` form and v as 384 big-endian bytes (the client sends
/// `padHex(v)`, which may carry a sign byte or be shorter).
fn srp_record(v: &DeviceVerifier) -> Result<srp::SrpVerifier> {
    let bad = || CognitoError::internal("stored device verifier is malformed");
    let salt = BASE64.decode(&v.salt).map_err(|_| bad())?;
    let verifier = BASE64.decode(&v.password_verifier).map_err(|_| bad())?;
    let strip = |b: &[u8]| -> Vec<u8> {
        let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
        b[first..].to_vec()
    };
    let v = strip(&verifier);
    if v.is_empty() || v.len() > SRP_V_BYTES {
        return Err(bad());
    }
    let mut padded = vec![0u8; SRP_V_BYTES - v.len()];
    padded.extend_from_slice(&v);
    Ok(srp::SrpVerifier {
        salt: srp::pad_hex(&strip(&salt)),
        verifier: padded,
    })
}

impl Idp {
    /// The device a sign-in comes from (its DEVICE_KEY), or a new one:
    /// a known device of the user is marked as used and answers no
    /// NewDeviceMetadata; another user's key is refused, nothing changed.
    pub(crate) async fn sign_in_device(
        &self,
        pool: &UserPool,
        user: &User,
        at: Attempt<'_>,
    ) -> Result<Option<NewDeviceMetadata>> {
        if pool.config.device_configuration.is_none() {
            return Ok(None);
        }
        match at.device_key {
            Some(key) => {
                let mut device = self.user_device(user, key).await?;
                device.last_authenticated = self.clock.now();
                self.store.update_device(&device).await?;
                Ok(None)
            }
            None => self.new_device(pool, user).await,
        }
    }

    /// DEVICE_SRP_AUTH, when the sign-in presents DEVICE_KEY of a device
    /// the user has remembered and the pool tracks devices; another
    /// user's key is ResourceNotFound.
    pub(crate) async fn device_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        at: Attempt<'_>,
    ) -> Result<Option<Challenge>> {
        let Some(key) = at.device_key.filter(|_| at.face == Face::Api) else {
            return Ok(None);
        };
        if pool.config.device_configuration.is_none() {
            return Ok(None);
        }
        let device = self.user_device(user, key).await?;
        // A hosted browser's device has no SRP record: it proves itself
        // only by its cookie, on the hosted UI.
        if device.status != Some(DeviceStatus::Remembered)
            || self.device_verifier(&device)?.is_none()
        {
            return Ok(None);
        }
        let mut session = self.session_for(pool, client, Some(user), ChallengeName::DeviceSrpAuth);
        session.device = Some(device.device_key.clone());
        Ok(Some(Challenge {
            name: ChallengeName::DeviceSrpAuth,
            parameters: BTreeMap::from([
                ("USERNAME".to_owned(), user.username.clone()),
                ("DEVICE_KEY".to_owned(), device.device_key),
            ]),
            session: Some(session.seal(&self.master_key)?),
            available: None,
        }))
    }

    /// The device named by DEVICE_KEY, which must be the session's.
    async fn session_device(
        &self,
        user: &User,
        session: &AuthSession,
        responses: &Params,
    ) -> Result<(Device, DeviceVerifier)> {
        let key = required(responses, "DEVICE_KEY")?;
        if session.device.as_deref() != Some(key) {
            return Err(invalid_session());
        }
        let device = self.user_device(user, key).await?;
        let verifier = self.device_verifier(&device)?.ok_or_else(no_such_device)?;
        Ok((device, verifier))
    }

    /// DEVICE_SRP_AUTH answered with SRP_A: DEVICE_PASSWORD_VERIFIER with
    /// the device's salt, B and the sealed secret block.
    pub(crate) async fn device_password_verifier_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        session: &AuthSession,
        responses: &Params,
    ) -> Result<Challenge> {
        let srp_a = required(responses, "SRP_A")?;
        let (device, verifier) = self.session_device(user, session, responses).await?;
        let record = srp_record(&verifier)?;
        let challenge = self.hasher.srp_challenge(&record).await?;
        let state = challenge.to_bytes();
        let mut next = self.session_for(
            pool,
            client,
            Some(user),
            ChallengeName::DevicePasswordVerifier,
        );
        next.device = Some(device.device_key.clone());
        next.srp = Some(SrpState {
            a: srp_a.to_owned(),
            b: BASE64.encode(&state[..state.len() - SRP_V_BYTES]),
        });
        let block = next.seal_secret_block(&self.master_key)?;
        Ok(Challenge {
            name: ChallengeName::DevicePasswordVerifier,
            parameters: BTreeMap::from([
                ("SALT".to_owned(), record.salt_hex()),
                ("SRP_B".to_owned(), challenge.srp_b_hex()),
                ("SECRET_BLOCK".to_owned(), block),
                ("USERNAME".to_owned(), user.username.clone()),
                ("DEVICE_KEY".to_owned(), device.device_key),
            ]),
            session: Some(next.seal(&self.master_key)?),
            available: None,
        })
    }

    /// DEVICE_PASSWORD_VERIFIER: the device's proof over the group key and
    /// device key (amazon-cognito-identity-js's AuthenticationHelper with
    /// the DeviceGroupKey as its pool name). A remembered device then skips
    /// MFA when the pool's ChallengeRequiredOnNewDevice says so.
    pub(crate) async fn answer_device_password_verifier(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        mut user: User,
        session: &AuthSession,
        responses: &Params,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = required(responses, "TIMESTAMP")?;
        let block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let Some(timestamp) = srp::canonical_timestamp(timestamp) else {
            return Err(CognitoError::invalid_parameter(
                "TIMESTAMP is not in the format 'ddd MMM d HH:mm:ss UTC yyyy'.",
            ));
        };
        self.check_not_locked_out(&user)?;
        let state = session.srp.as_ref().ok_or_else(invalid_session)?;
        let (device, verifier) = self.session_device(&user, session, responses).await?;
        let record = srp_record(&verifier)?;
        let mut bytes =
            zeroize::Zeroizing::new(BASE64.decode(&state.b).map_err(|_| invalid_session())?);
        bytes.extend_from_slice(&record.verifier);
        let challenge = srp::ServerChallenge::from_bytes(&bytes).map_err(|_| invalid_session())?;
        // The group key has no '_', so it is its own "pool name".
        let proof = self
            .hasher
            .srp_verify(
                challenge,
                &state.a,
                block,
                &timestamp,
                signature,
                &device.group_key,
                &device.device_key,
            )
            .await;
        match proof {
            Ok(()) => {}
            Err(srp::SrpError::SignatureMismatch) => {
                self.record_sign_in_failure(pool, &user).await?;
                return Err(incorrect());
            }
            Err(e) => return Err(e.into()),
        }
        self.clear_sign_in_failures(pool, &mut user).await?;
        let at = Attempt {
            device_key: Some(device.device_key.as_str()),
            ..at
        };
        if !remembered_device_skips_mfa(pool)
            && let Some(challenge) = self.mfa_challenge(pool, client, &user).await?
        {
            return Ok(AuthOutcome::Challenge(challenge));
        }
        self.signed_in(pool, client, user, at).await
    }
}

impl Idp {
    /// After a hosted sign-in that answered MFA: whether to remember the
    /// browser, ask first, or (the pool tracks no devices) neither.
    pub fn browser_device_choice(&self, pool: &UserPool) -> Option<BrowserDeviceChoice> {
        let config = pool.config.device_configuration?;
        Some(if config.device_only_remembered_on_user_prompt {
            BrowserDeviceChoice::Ask
        } else {
            BrowserDeviceChoice::Remember
        })
    }

    /// Remembers the hosted UI's browser as a device of `user`: a device
    /// record (listed by ListDevices, removed by ForgetDevice) keeping the
    /// sealed MAC of a new random secret, and the sealed cookie value that
    /// carries the secret to the browser. `name` is the browser's
    /// User-Agent (Cognito's `device_name`).
    pub async fn remember_browser_device(
        &self,
        pool: &UserPool,
        user: &User,
        name: Option<&str>,
    ) -> Result<String> {
        let Some(created) = self.new_device(pool, user).await? else {
            return Err(CognitoError::internal("the pool tracks no devices"));
        };
        let browser = BrowserDevice {
            device_key: created.device_key,
            secret: BASE64.encode(crate::crypto::random_bytes::<32>()),
        };
        let mut device = self.user_device(user, &browser.device_key).await?;
        let stored = StoredVerifier::Browser {
            browser_secret_mac: BASE64.encode(
                self.master_key
                    .mac(BROWSER_SECRET_MAC, browser.secret.as_bytes()),
            ),
        };
        let plain = zeroize::Zeroizing::new(
            serde_json::to_string(&stored).map_err(CognitoError::internal)?,
        );
        device.sealed_verifier = Some(self.master_key.seal_text(&device.seal_id(), &plain));
        // Cognito API: DeviceType's device_name, at most 1024 characters.
        device.name = name
            .map(|n| n.chars().take(1024).collect::<String>())
            .filter(|n| !n.is_empty());
        device.status = Some(DeviceStatus::Remembered);
        device.modified = self.clock.now();
        if !self.store.update_device(&device).await? {
            return Err(no_such_device());
        }
        let cookie =
            zeroize::Zeroizing::new(serde_json::to_vec(&browser).map_err(CognitoError::internal)?);
        Ok(B64URL.encode(
            self.master_key
                .seal(&browser_cookie_record(&pool.id), &cookie),
        ))
    }

    /// The browser device a cookie value carries, if it opens for this
    /// pool; anything else is no device.
    pub fn open_browser_device(&self, pool_id: &str, cookie: &str) -> Option<BrowserDevice> {
        let sealed = B64URL.decode(cookie).ok()?;
        let plain = zeroize::Zeroizing::new(
            self.master_key
                .open_quietly(&browser_cookie_record(pool_id), &sealed)?,
        );
        serde_json::from_slice(&plain).ok()
    }

    /// Whether the hosted sign-in's browser is a remembered device of
    /// `user` that skips MFA: the device exists for this user, is
    /// remembered, its secret matches (constant time), and the pool's
    /// rule lets remembered devices skip MFA. A forgotten device, another
    /// user's cookie or a wrong secret is simply no device: MFA is asked.
    pub(crate) async fn browser_device_skips_mfa(
        &self,
        pool: &UserPool,
        user: &User,
        at: Attempt<'_>,
    ) -> Result<bool> {
        let Some(browser) = at.browser_device.filter(|_| at.face == Face::HostedUi) else {
            return Ok(false);
        };
        if !remembered_device_skips_mfa(pool) {
            return Ok(false);
        }
        let Ok(mut device) = self.user_device(user, &browser.device_key).await else {
            return Ok(false);
        };
        if device.status != Some(DeviceStatus::Remembered) {
            return Ok(false);
        }
        let Some(sealed) = device.sealed_verifier.clone() else {
            return Ok(false);
        };
        let StoredVerifier::Browser { browser_secret_mac } =
            self.stored_verifier(&device, &sealed)?
        else {
            return Ok(false);
        };
        let given = BASE64.encode(
            self.master_key
                .mac(BROWSER_SECRET_MAC, browser.secret.as_bytes()),
        );
        if !crate::crypto::constant_time_eq(given.as_bytes(), browser_secret_mac.as_bytes()) {
            return Ok(false);
        }
        device.last_authenticated = self.clock.now();
        self.store.update_device(&device).await?;
        Ok(true)
    }
}
