//! Passkeys (Cognito API: StartWebAuthnRegistration,
//! CompleteWebAuthnRegistration, ListWebAuthnCredentials,
//! DeleteWebAuthnCredential, and USER_AUTH's WEB_AUTHN challenge), checked
//! by kanidm's webauthn-rs: attestation on registration, assertions with
//! their relying party, origin, signature and sign counter on sign-in.
//! webauthn-rs's passkey ceremonies always require user verification, which
//! is stricter than WebAuthnConfiguration's `preferred`. The ceremony state
//! between calls and every stored credential are sealed under the master
//! key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::Value;
use url::Url;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Webauthn, WebauthnBuilder, WebauthnError,
};

use super::Idp;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::pool::AuthFactor;
use crate::model::user::StoredPasskey;
use crate::model::{User, UserPool};

/// Cognito's quota of passkeys per user.
const MAX_PASSKEYS: usize = 20;
/// How long a registration ceremony may take (WebAuthn's usual timeout).
const REGISTRATION_SECONDS: i64 = 300;

/// Cognito API: WebAuthnCredentialDescription.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasskeyDescription {
    pub credential_id: String,
    pub friendly_credential_name: String,
    pub relying_party_id: String,
    pub authenticator_transports: Vec<String>,
    pub created_at: Timestamp,
}

/// The relying party of `pool`: WebAuthnConfiguration's RelyingPartyId, or
/// the pool's custom domain. Origins are that host over https, with any
/// port and any subdomain (an app served under the domain); for the
/// relying party `localhost`, http://localhost on any port too.
pub(crate) fn relying_party(pool: &UserPool) -> Result<(Webauthn, String)> {
    let rp_id = pool
        .web_authn_configuration
        .as_ref()
        .and_then(|w| w.relying_party_id.clone())
        .or_else(|| pool.custom_domain.clone())
        .ok_or_else(|| {
            CognitoError::WebAuthnConfigurationMissing(
                "The user pool has no relying party id (SetUserPoolMfaConfig WebAuthnConfiguration) and no custom domain.".into(),
            )
        })?;
    let origin = Url::parse(&format!("https://{rp_id}")).map_err(CognitoError::internal)?;
    let local_http = Url::parse("http://localhost").map_err(CognitoError::internal)?;
    let webauthn = WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|b| {
            let b = b
                .rp_name(&pool.name)
                .allow_subdomains(true)
                .allow_any_port(true);
            // WebAuthn Level 3 §5.1.3 and browsers: http://localhost is a
            // secure context, so a relying party `localhost` (and only it)
            // also takes pages served over http, on any port.
            match rp_id == "localhost" {
                true => b.append_allowed_origin(&local_http),
                false => b,
            }
            .build()
        })
        .map_err(CognitoError::internal)?;
    Ok((webauthn, rp_id))
}

/// Cognito's exceptions for what the browser's answer got wrong.
pub(crate) fn ceremony_error(e: WebauthnError) -> CognitoError {
    match e {
        WebauthnError::InvalidRPOrigin => {
            CognitoError::WebAuthnOriginNotAllowed("The credential's origin is not allowed.".into())
        }
        WebauthnError::InvalidRPIDHash => CognitoError::WebAuthnRelyingPartyMismatch(
            "The credential is for another relying party.".into(),
        ),
        WebauthnError::ChallengeNotFound | WebauthnError::MismatchedChallenge => {
            CognitoError::WebAuthnChallengeNotFound("The challenge does not match.".into())
        }
        WebauthnError::COSEKeyInvalidType | WebauthnError::CredentialAlteredAlgFromRequest => {
            CognitoError::WebAuthnCredentialNotSupported(
                "The credential's algorithm is not supported.".into(),
            )
        }
        WebauthnError::CredentialPossibleCompromise => counter_went_backwards(),
        other => {
            CognitoError::WebAuthnClientMismatch(format!("The credential was refused: {other}."))
        }
    }
}

/// Cognito API: RespondToAuthChallenge, Errors — NotAuthorizedException
/// (the action names no WebAuthn exception).
fn counter_went_backwards() -> CognitoError {
    CognitoError::NotAuthorized("The passkey's sign count did not advance.".into())
}

/// The passkey's stored sign count (webauthn-rs keeps the credential's
/// fields private without its `danger-credential-internals` feature; its
/// serialized form has them).
fn sign_count(passkey: &Passkey) -> u32 {
    serde_json::to_value(passkey)
        .ok()
        .and_then(|v| v.get("cred")?.get("counter")?.as_u64())
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(0)
}

fn record_of(user: &User, what: &str) -> String {
    format!("passkey:{what}:{}:{}", user.pool_id, user.sub)
}

/// A credential id as Cognito names it: base64url, no padding.
fn credential_id(passkey: &Passkey) -> String {
    let id: &[u8] = passkey.cred_id().as_ref();
    B64URL.encode(id)
}

impl Idp {
    pub(crate) fn seal_json<T: serde::Serialize>(&self, record: &str, value: &T) -> Result<String> {
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(value).map_err(CognitoError::internal)?);
        Ok(B64URL.encode(self.master_key.seal(record, &plain)))
    }

    pub(crate) fn open_json<T: serde::de::DeserializeOwned>(
        &self,
        record: &str,
        sealed: &str,
    ) -> Result<T> {
        let bytes = B64URL.decode(sealed).map_err(CognitoError::internal)?;
        let plain = zeroize::Zeroizing::new(self.master_key.open(record, &bytes)?);
        serde_json::from_slice(&plain).map_err(CognitoError::internal)
    }

    /// The user's passkeys, opened.
    pub(crate) fn passkeys_of(&self, user: &User) -> Result<Vec<Passkey>> {
        user.settings
            .passkeys
            .iter()
            .map(|p| self.open_json(&record_of(user, &p.id), &p.sealed))
            .collect()
    }

    /// StartWebAuthnRegistration: the browser's creation options; the
    /// ceremony's state waits sealed in the user's record.
    pub async fn start_web_authn_registration(&self, access_token: &str) -> Result<Value> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        self.start_passkey_registration(&pool, &user).await
    }

    /// The hosted UI's offer after a sign-in (as Cognito's managed login
    /// makes it): creation options when the pool takes passkeys and the
    /// user has none yet.
    pub async fn hosted_passkey_offer(&self, pool: &UserPool, user: &User) -> Option<Value> {
        if !user.settings.passkeys.is_empty()
            || require_passkeys(pool).is_err()
            || relying_party(pool).is_err()
        {
            return None;
        }
        match self.start_passkey_registration(pool, user).await {
            Ok(options) => Some(options),
            Err(e) => {
                tracing::warn!(pool = %pool.id, error = %e, "no passkey offer");
                None
            }
        }
    }

    /// A registration ceremony for `user`: the browser's creation options;
    /// the state waits sealed in the user's record.
    pub async fn start_passkey_registration(&self, pool: &UserPool, user: &User) -> Result<Value> {
        require_passkeys(pool)?;
        let (webauthn, _) = relying_party(pool)?;
        let (_guard, mut user) = self.lock_user(pool, user).await?;
        if user.settings.passkeys.len() >= MAX_PASSKEYS {
            return Err(CognitoError::LimitExceeded(
                "The user has the most passkeys a user may have.".into(),
            ));
        }
        let exclude = self
            .passkeys_of(&user)?
            .iter()
            .map(|p| p.cred_id().clone())
            .collect();
        let display = user.attribute("email").unwrap_or(&user.username).to_owned();
        let (options, state) = webauthn
            .start_passkey_registration(user.sub, &user.username, &display, Some(exclude))
            .map_err(CognitoError::internal)?;
        let expires = self.clock.now().plus_seconds(REGISTRATION_SECONDS);
        user.settings.passkey_registration =
            Some(self.seal_json(&record_of(&user, "registration"), &(state, expires))?);
        user.modified = self.clock.now();
        self.store.update_user(pool, &user).await?;
        let options = serde_json::to_value(&options).map_err(CognitoError::internal)?;
        Ok(options.get("publicKey").cloned().unwrap_or(options))
    }

    /// CompleteWebAuthnRegistration: the browser's answer, checked against
    /// the pending ceremony; the passkey is kept sealed.
    pub async fn complete_web_authn_registration(
        &self,
        access_token: &str,
        credential: Value,
    ) -> Result<()> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        self.complete_passkey_registration(&pool, &user, credential)
            .await
    }

    /// The browser's answer to `user`'s registration ceremony, checked; the
    /// passkey is kept sealed.
    pub async fn complete_passkey_registration(
        &self,
        pool: &UserPool,
        user: &User,
        credential: Value,
    ) -> Result<()> {
        require_passkeys(pool)?;
        let (webauthn, rp_id) = relying_party(pool)?;
        let (_guard, mut user) = self.lock_user(pool, user).await?;
        let not_found = || {
            CognitoError::WebAuthnChallengeNotFound(
                "No passkey registration is waiting; call StartWebAuthnRegistration.".into(),
            )
        };
        let sealed = user
            .settings
            .passkey_registration
            .clone()
            .ok_or_else(not_found)?;
        let (state, expires): (PasskeyRegistration, Timestamp) =
            self.open_json(&record_of(&user, "registration"), &sealed)?;
        if self.clock.now() >= expires {
            return Err(not_found());
        }
        let credential: RegisterPublicKeyCredential =
            serde_json::from_value(credential).map_err(|e| {
                CognitoError::invalid_parameter(format!(
                    "Credential is not a WebAuthn credential: {e}"
                ))
            })?;
        let passkey = webauthn
            .finish_passkey_registration(&credential, &state)
            .map_err(ceremony_error)?;
        let id = credential_id(&passkey);
        if user.settings.passkeys.iter().any(|p| p.id == id) {
            return Err(CognitoError::invalid_parameter(
                "This passkey is registered already.",
            ));
        }
        user.settings.passkeys.push(StoredPasskey {
            sealed: self.seal_json(&record_of(&user, &id), &passkey)?,
            id,
            relying_party_id: rp_id,
            created: self.clock.now(),
        });
        user.settings.passkey_registration = None;
        user.modified = self.clock.now();
        self.store.update_user(pool, &user).await
    }

    /// ListWebAuthnCredentials: MaxResults 0–20, NextToken an offset.
    pub async fn list_web_authn_credentials(
        &self,
        access_token: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<(Vec<PasskeyDescription>, Option<String>)> {
        let (_, user, _) = self.authenticate_access_token(access_token).await?;
        let limit = match max_results {
            Some(n) => {
                crate::model::validate::int_between("maxResults", n, 0, 20)?;
                usize::try_from(n).unwrap_or(20)
            }
            None => 20,
        };
        let start = match next_token {
            Some(t) => t
                .parse::<usize>()
                .map_err(|_| CognitoError::invalid_parameter("Invalid NextToken."))?,
            None => 0,
        };
        let all = &user.settings.passkeys;
        let page: Vec<PasskeyDescription> = all
            .iter()
            .skip(start)
            .take(limit)
            .map(|p| PasskeyDescription {
                credential_id: p.id.clone(),
                friendly_credential_name: "passkey".into(),
                relying_party_id: p.relying_party_id.clone(),
                authenticator_transports: Vec::new(),
                created_at: p.created,
            })
            .collect();
        let end = start + page.len();
        let next = (end < all.len() && limit > 0).then(|| end.to_string());
        Ok((page, next))
    }

    /// DeleteWebAuthnCredential.
    pub async fn delete_web_authn_credential(
        &self,
        access_token: &str,
        credential_id: &str,
    ) -> Result<()> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        let before = user.settings.passkeys.len();
        user.settings.passkeys.retain(|p| p.id != credential_id);
        if user.settings.passkeys.len() == before {
            return Err(CognitoError::ResourceNotFound(
                "The user has no passkey with this credential id.".into(),
            ));
        }
        user.modified = self.clock.now();
        self.store.update_user(&pool, &user).await
    }

    /// USER_AUTH WEB_AUTHN: the assertion options for the user's passkeys,
    /// and the ceremony state to seal in the session.
    pub(crate) fn start_passkey_sign_in(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<(Value, PasskeyAuthentication)> {
        let (webauthn, _) = relying_party(pool)?;
        let passkeys = self.passkeys_of(user)?;
        let (options, state) = webauthn
            .start_passkey_authentication(&passkeys)
            .map_err(CognitoError::internal)?;
        let options = serde_json::to_value(&options).map_err(CognitoError::internal)?;
        Ok((options.get("publicKey").cloned().unwrap_or(options), state))
    }

    /// USER_AUTH WEB_AUTHN answered: the assertion checked, its passkey's
    /// sign counter moved on. A counter that went backwards (a cloned
    /// authenticator) or any other failure refuses the sign-in.
    pub(crate) async fn finish_passkey_sign_in(
        &self,
        pool: &UserPool,
        user: &User,
        state: &PasskeyAuthentication,
        credential: &str,
    ) -> Result<User> {
        let (webauthn, _) = relying_party(pool)?;
        let credential: PublicKeyCredential = serde_json::from_str(credential).map_err(|e| {
            CognitoError::invalid_parameter(format!("CREDENTIAL is not a WebAuthn assertion: {e}"))
        })?;
        let result = webauthn
            .finish_passkey_authentication(&credential, state)
            .map_err(ceremony_error)?;
        let (_guard, mut fresh) = self.lock_user(pool, user).await?;
        let raw: &[u8] = result.cred_id().as_ref();
        let id = B64URL.encode(raw);
        let record = record_of(&fresh, &id);
        let stored = fresh
            .settings
            .passkeys
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(super::auth::incorrect)?;
        let mut passkey: Passkey = self.open_json(&record, &stored.sealed)?;
        // WebAuthn §7.2 step 22: a sign count not above the stored one
        // signals a cloned authenticator. webauthn-rs compares with the
        // passkey as it was when this ceremony began, which misses an
        // assertion held back while another sign-in moved the count on;
        // compare with the stored passkey, under the user's lock.
        let stored_count = sign_count(&passkey);
        if (result.counter() > 0 || stored_count > 0) && result.counter() <= stored_count {
            return Err(counter_went_backwards());
        }
        if passkey.update_credential(&result) == Some(true) {
            stored.sealed = self.seal_json(&record, &passkey)?;
            self.store.update_user(pool, &fresh).await?;
        }
        Ok(fresh)
    }
}

/// The pool lets users sign in with passkeys (its SignInPolicy).
fn require_passkeys(pool: &UserPool) -> Result<()> {
    if pool
        .config
        .policies
        .sign_in_policy
        .allows(AuthFactor::WebAuthn)
    {
        Ok(())
    } else {
        Err(CognitoError::WebAuthnNotEnabled(
            "Passkeys are not among the user pool's AllowedFirstAuthFactors.".into(),
        ))
    }
}
