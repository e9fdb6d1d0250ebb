//! Per-pool RS256 signing keys and the JWTs they sign. Each pool has its
//! own RSA-2048 keys: the private half is sealed under the master key, the
//! public half is published as a JWK in the pool's JWKS. The newest key that
//! is not retired signs; every key still stored verifies, so rotation does
//! not break tokens in flight.

use std::collections::HashMap;
use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::clock::Timestamp;
use crate::crypto::MasterKey;
use crate::error::{CognitoError, Result};
use crate::store::SigningKey;

/// The record id a signing key's private half is sealed under.
pub fn signing_key_record_id(pool_id: &str, kid: &str) -> String {
    format!("signing-key:{pool_id}:{kid}")
}

/// A public RSA key as published in a JWKS (RFC 7517 §4, RFC 7518 §6.3.1),
/// with the members Cognito publishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub alg: String,
    /// The public exponent, base64url without padding.
    pub e: String,
    pub kid: String,
    pub kty: String,
    /// The modulus, base64url without padding.
    pub n: String,
    #[serde(rename = "use")]
    pub use_: String,
}

impl Jwk {
    fn rsa(n: &[u8], e: &[u8]) -> Self {
        let (n, e) = (B64URL.encode(n), B64URL.encode(e));
        Self {
            alg: "RS256".into(),
            kid: thumbprint(&n, &e),
            kty: "RSA".into(),
            use_: "sig".into(),
            e,
            n,
        }
    }
}

/// `kid` is the key's RFC 7638 JWK thumbprint (SHA-256, base64url): the
/// same key always gets the same kid, and anyone can recompute it.
fn thumbprint(n: &str, e: &str) -> String {
    // RFC 7638 §3.2: required members only, lexicographic order, no spaces.
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    B64URL.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        canonical.as_bytes(),
    ))
}

/// A pool's private signing key, ready to sign.
pub struct Signer {
    key: KeyPair,
    jwk: Jwk,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.jwk.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    fn from_key_pair(key: KeyPair) -> Self {
        let public = PublicKeyComponents::<Vec<u8>>::from(key.public_key());
        let jwk = Jwk::rsa(&public.n, &public.e);
        Self { key, jwk }
    }

    pub fn kid(&self) -> &str {
        &self.jwk.kid
    }

    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Signs `claims` as a compact JWS (RFC 7515 §7.1) with Cognito's
    /// header, `{"kid":…,"alg":"RS256"}`. About a millisecond of CPU.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String> {
        // Cognito's header carries only kid and alg, in that order.
        let header = format!(r#"{{"kid":"{}","alg":"RS256"}}"#, self.jwk.kid);
        let payload = serde_json::to_vec(claims).map_err(CognitoError::internal)?;
        let mut jwt = String::with_capacity(header.len() * 4 / 3 + payload.len() * 4 / 3 + 350);
        B64URL.encode_string(header.as_bytes(), &mut jwt);
        jwt.push('.');
        B64URL.encode_string(&payload, &mut jwt);
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                jwt.as_bytes(),
                &mut sig,
            )
            .map_err(|_| CognitoError::internal("RS256 signing failed"))?;
        jwt.push('.');
        B64URL.encode_string(&sig, &mut jwt);
        Ok(jwt)
    }
}

/// Makes a new RSA-2048 signing key for a pool: the record to store (private
/// key sealed as PKCS#8 under `signing-key:{pool_id}:{kid}`) and the signer.
/// Key generation takes tens of milliseconds of CPU: run it on a blocking
/// thread (e.g. [`crate::credential::PasswordHasher::run`]).
pub fn new_signing_key(
    master: &MasterKey,
    pool_id: &str,
    now: Timestamp,
) -> Result<(SigningKey, Signer)> {
    let key = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| CognitoError::internal("RSA key generation failed"))?;
    let pkcs8 = Zeroizing::new(
        key.as_der()
            .map_err(|_| CognitoError::internal("RSA key export failed"))?
            .as_ref()
            .to_vec(),
    );
    let signer = Signer::from_key_pair(key);
    let record = SigningKey {
        pool_id: pool_id.to_owned(),
        kid: signer.kid().to_owned(),
        sealed_private_key: master.seal(&signing_key_record_id(pool_id, signer.kid()), &pkcs8),
        public_jwk: serde_json::to_string(signer.jwk()).map_err(CognitoError::internal)?,
        created: now,
        retired: None,
    };
    Ok((record, signer))
}

/// Opens a stored signing key. Fails if it was sealed for another record or
/// key, or if the private key does not match the recorded kid.
pub fn open_signing_key(master: &MasterKey, record: &SigningKey) -> Result<Signer> {
    let pkcs8 = Zeroizing::new(master.open(
        &signing_key_record_id(&record.pool_id, &record.kid),
        &record.sealed_private_key,
    )?);
    let key = KeyPair::from_pkcs8(&pkcs8).map_err(|e| {
        CognitoError::internal(format!("signing key {} does not parse: {e}", record.kid))
    })?;
    let signer = Signer::from_key_pair(key);
    if signer.kid() != record.kid {
        return Err(CognitoError::internal(format!(
            "signing key {} does not match its kid",
            record.kid
        )));
    }
    Ok(signer)
}

/// The public half of a stored key.
pub fn public_jwk(record: &SigningKey) -> Result<Jwk> {
    serde_json::from_str(&record.public_jwk).map_err(|e| {
        CognitoError::internal(format!("stored JWK {} does not parse: {e}", record.kid))
    })
}

/// A pool's keys: the one that signs, and all that verify.
#[derive(Debug)]
pub struct PoolKeys {
    pub active: Signer,
    pub all: Vec<Jwk>,
}

impl PoolKeys {
    /// Builds the key set from the Store's records: the newest key that is
    /// not retired signs. `None` if every key is retired (or there are
    /// none): the caller makes a new one.
    pub fn open(master: &MasterKey, records: &[SigningKey]) -> Result<Option<Self>> {
        let Some(newest) = records
            .iter()
            .filter(|r| r.retired.is_none())
            .max_by_key(|r| r.created)
        else {
            return Ok(None);
        };
        let active = open_signing_key(master, newest)?;
        let all = records.iter().map(public_jwk).collect::<Result<Vec<_>>>()?;
        Ok(Some(Self { active, all }))
    }

    /// The JWKS document, `{"keys":[…]}` (RFC 7517 §5).
    pub fn jwks(&self) -> Value {
        serde_json::json!({ "keys": self.all })
    }

    pub fn jwks_json(&self) -> String {
        self.jwks().to_string()
    }

    /// A verifier of tokens issued by `issuer` with any of these keys.
    pub fn verifier(&self, issuer: &str) -> Result<Verifier> {
        Verifier::new(issuer, &self.all)
    }
}

/// Which token a caller expects (the `token_use` claim).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    Id,
    Access,
}

impl TokenUse {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

/// Why a token was refused. The caller decides what the client sees; the
/// [`CognitoError`] conversion gives Cognito's messages.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed RS256 JWT")]
    Malformed,
    #[error("the token's kid is not a key of this pool")]
    UnknownKey,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    #[error("the token has the wrong token_use")]
    WrongTokenUse,
    #[error("the token was issued to another client")]
    WrongClient,
}

impl TokenError {
    /// Cognito's NotAuthorizedException for a token of this kind.
    pub fn to_cognito(&self, token_use: TokenUse) -> CognitoError {
        let kind = match token_use {
            TokenUse::Id => "Id",
            TokenUse::Access => "Access",
        };
        match self {
            Self::Expired => CognitoError::NotAuthorized(format!("{kind} Token has expired")),
            _ => CognitoError::NotAuthorized(format!("Invalid {kind} Token")),
        }
    }
}

/// Checks tokens against a pool's JWKS: signature (RS256 only), issuer,
/// expiry against the caller's clock, token_use, and optionally the client.
pub struct Verifier {
    issuer: String,
    keys: HashMap<String, DecodingKey>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.issuer)
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Verifier {
    pub fn new(issuer: &str, jwks: &[Jwk]) -> Result<Self> {
        let mut keys = HashMap::new();
        for jwk in jwks {
            if jwk.kty != "RSA" || jwk.alg != "RS256" {
                continue;
            }
            let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).map_err(|e| {
                CognitoError::internal(format!("JWK {} is not an RSA key: {e}", jwk.kid))
            })?;
            keys.insert(jwk.kid.clone(), key);
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            keys,
        })
    }

    /// Verifies `token` and returns its claims. `client_id`, when given,
    /// must be the ID token's `aud` or the access token's `client_id`.
    pub fn verify(
        &self,
        token: &str,
        token_use: TokenUse,
        client_id: Option<&str>,
        now: Timestamp,
    ) -> std::result::Result<Map<String, Value>, TokenError> {
        let claims = self.verify_claims(token, now)?;
        if claims.get("token_use").and_then(Value::as_str) != Some(token_use.as_str()) {
            return Err(TokenError::WrongTokenUse);
        }
        if let Some(client_id) = client_id {
            let holder = match token_use {
                TokenUse::Id => claims.get("aud"),
                TokenUse::Access => claims.get("client_id"),
            };
            if holder.and_then(Value::as_str) != Some(client_id) {
                return Err(TokenError::WrongClient);
            }
        }
        Ok(claims)
    }

    /// Verifies the signature (RS256 only), issuer and expiry of `token`,
    /// whatever kind of token it is, and returns its claims.
    pub fn verify_claims(
        &self,
        token: &str,
        now: Timestamp,
    ) -> std::result::Result<Map<String, Value>, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        // RFC 8725 §3.1: accept only the algorithm we sign with.
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::Malformed);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self.keys.get(&kid).ok_or(TokenError::UnknownKey)?;

        let mut validation = Validation::new(Algorithm::RS256);
        // Expiry is checked below against the application's clock.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
        validation.set_issuer(&[&self.issuer]);
        let data =
            jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::InvalidSignature => TokenError::BadSignature,
                    ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                    _ => TokenError::Malformed,
                }
            })?;
        let claims = data.claims;

        // RFC 7519 §4.1.4: expired at or after exp.
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(TokenError::Malformed)?;
        if now.seconds() >= exp {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use serde_json::json;

    use super::*;

    const POOL: &str = "us-east-1_AbC123xyz";
    const ISS: &str = "http://localhost:9229/us-east-1_AbC123xyz";
    const NOW: Timestamp = Timestamp(1_800_000_000_000);

    // RSA generation is slow: make the two test keys once.
    static MASTER: LazyLock<MasterKey> = LazyLock::new(MasterKey::generate);
    static OLD: LazyLock<SigningKey> =
        LazyLock::new(|| new_signing_key(&MASTER, POOL, Timestamp(1_000)).unwrap().0);
    static NEW: LazyLock<SigningKey> =
        LazyLock::new(|| new_signing_key(&MASTER, POOL, Timestamp(2_000)).unwrap().0);

    fn claims(token_use: &str, exp_in: i64) -> Map<String, Value> {
        let v = json!({
            "sub": "7d3a1f9e-52c4-4b8e-a6d0-1e2f3a4b5c6d",
            "iss": ISS,
            "client_id": "client123",
            "aud": "client123",
            "token_use": token_use,
            "exp": NOW.seconds() + exp_in,
            "iat": NOW.seconds(),
        });
        v.as_object().unwrap().clone()
    }

    fn keys() -> PoolKeys {
        PoolKeys::open(&MASTER, &[NEW.clone(), OLD.clone()])
            .unwrap()
            .unwrap()
    }

    #[test]
    fn signed_tokens_verify_with_the_pools_jwks() {
        let keys = keys();
        assert_eq!(keys.active.kid(), NEW.kid);
        let token = keys.active.sign(&claims("access", 3600)).unwrap();
        let header: Value =
            serde_json::from_slice(&B64URL.decode(token.split('.').next().unwrap()).unwrap())
                .unwrap();
        assert_eq!(header, json!({"kid": NEW.kid, "alg": "RS256"}));
        let v = keys.verifier(ISS).unwrap();
        let got = v
            .verify(&token, TokenUse::Access, Some("client123"), NOW)
            .unwrap();
        assert_eq!(got["sub"], "7d3a1f9e-52c4-4b8e-a6d0-1e2f3a4b5c6d");
    }

    #[test]
    fn rfc7519_expired_tokens_are_refused() {
        let keys = keys();
        let v = keys.verifier(ISS).unwrap();
        let token = keys.active.sign(&claims("id", 60)).unwrap();
        assert!(v.verify(&token, TokenUse::Id, None, NOW).is_ok());
        assert_eq!(
            v.verify(&token, TokenUse::Id, None, NOW.plus_seconds(60)),
            Err(TokenError::Expired)
        );
        let mut no_exp = claims("id", 60);
        no_exp.remove("exp");
        let token = keys.active.sign(&no_exp).unwrap();
        assert_eq!(
            v.verify(&token, TokenUse::Id, None, NOW),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn issuer_token_use_and_client_are_checked() {
        let keys = keys();
        let token = keys.active.sign(&claims("access", 3600)).unwrap();
        let v = keys.verifier(ISS).unwrap();
        assert_eq!(
            v.verify(&token, TokenUse::Id, None, NOW),
            Err(TokenError::WrongTokenUse)
        );
        assert_eq!(
            v.verify(&token, TokenUse::Access, Some("other"), NOW),
            Err(TokenError::WrongClient)
        );
        let other = keys
            .verifier("http://localhost:9229/us-east-1_Other")
            .unwrap();
        assert_eq!(
            other.verify(&token, TokenUse::Access, None, NOW),
            Err(TokenError::WrongIssuer)
        );
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let keys = keys();
        let v = keys.verifier(ISS).unwrap();
        let token = keys.active.sign(&claims("access", 3600)).unwrap();
        let parts: Vec<&str> = token.split('.').collect();

        let mut forged = claims("access", 3600);
        forged.insert("sub".into(), json!("someone-else"));
        let forged_payload = B64URL.encode(serde_json::to_vec(&forged).unwrap());
        let t = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(
            v.verify(&t, TokenUse::Access, None, NOW),
            Err(TokenError::BadSignature)
        );

        // alg=none and HS256 headers are refused before any key is used.
        for header in [
            json!({"alg": "none", "kid": NEW.kid}),
            json!({"alg": "HS256", "kid": NEW.kid}),
        ] {
            let h = B64URL.encode(header.to_string());
            let t = format!("{h}.{}.{}", parts[1], parts[2]);
            assert_eq!(
                v.verify(&t, TokenUse::Access, None, NOW),
                Err(TokenError::Malformed)
            );
        }
        let h = B64URL.encode(json!({"alg": "RS256", "kid": "nope"}).to_string());
        assert_eq!(
            v.verify(
                &format!("{h}.{}.{}", parts[1], parts[2]),
                TokenUse::Access,
                None,
                NOW
            ),
            Err(TokenError::UnknownKey)
        );
        for junk in ["", "a.b", "a.b.c", "...", "é.é.é", &"x".repeat(10_000)] {
            assert!(v.verify(junk, TokenUse::Access, None, NOW).is_err());
        }
        // A token of another pool's key does not verify here.
        let (_, stranger) = new_signing_key(&MASTER, "us-east-1_Other", NOW).unwrap();
        let t = stranger.sign(&claims("access", 3600)).unwrap();
        assert_eq!(
            v.verify(&t, TokenUse::Access, None, NOW),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn rotation_keeps_old_tokens_valid() {
        let old_only = PoolKeys::open(&MASTER, std::slice::from_ref(&*OLD))
            .unwrap()
            .unwrap();
        let old_token = old_only.active.sign(&claims("id", 3600)).unwrap();
        let mut retired = OLD.clone();
        retired.retired = Some(Timestamp(3_000));
        let keys = PoolKeys::open(&MASTER, &[retired.clone(), NEW.clone()])
            .unwrap()
            .unwrap();
        assert_eq!(keys.active.kid(), NEW.kid);
        assert_eq!(keys.all.len(), 2);
        let v = keys.verifier(ISS).unwrap();
        assert!(v.verify(&old_token, TokenUse::Id, None, NOW).is_ok());
        assert!(PoolKeys::open(&MASTER, &[retired]).unwrap().is_none());
        assert!(PoolKeys::open(&MASTER, &[]).unwrap().is_none());
    }

    #[test]
    fn jwks_has_cognitos_shape_and_deterministic_kids() {
        let keys = keys();
        let jwks = keys.jwks();
        let first = &jwks["keys"][0];
        let mut members: Vec<&String> = first.as_object().unwrap().keys().collect();
        members.sort();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(first["kty"], "RSA");
        assert_eq!(first["alg"], "RS256");
        assert_eq!(first["use"], "sig");
        assert_eq!(first["e"], "AQAB");
        assert_eq!(
            B64URL.decode(first["n"].as_str().unwrap()).unwrap().len(),
            256
        );
        // The kid is the RFC 7638 thumbprint, recomputed from n and e.
        let (n, e) = (first["n"].as_str().unwrap(), first["e"].as_str().unwrap());
        assert_eq!(first["kid"], thumbprint(n, e));
        assert_eq!(thumbprint(n, e).len(), 43);
        // Reopening the sealed key gives the same kid.
        assert_eq!(open_signing_key(&MASTER, &NEW).unwrap().kid(), NEW.kid);
        let parsed: Value = serde_json::from_str(&keys.jwks_json()).unwrap();
        assert_eq!(parsed, jwks);
    }

    #[test]
    fn rfc7638_thumbprint_example() {
        // RFC 7638 §3.1's example key and thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(
            thumbprint(n, "AQAB"),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn sealed_keys_open_only_for_their_record() {
        let mut moved = NEW.clone();
        moved.pool_id = "us-east-1_Other".into();
        assert!(open_signing_key(&MASTER, &moved).is_err());
        assert!(open_signing_key(&MasterKey::generate(), &NEW).is_err());
        let mut relabelled = NEW.clone();
        relabelled.kid = OLD.kid.clone();
        assert!(open_signing_key(&MASTER, &relabelled).is_err());
        let signer = open_signing_key(&MASTER, &NEW).unwrap();
        assert!(!format!("{signer:?}").contains("KeyPair"));
    }

    #[test]
    fn errors_map_to_cognitos_messages() {
        assert_eq!(
            TokenError::Expired.to_cognito(TokenUse::Access).message(),
            "Access Token has expired"
        );
        assert_eq!(
            TokenError::BadSignature.to_cognito(TokenUse::Id).message(),
            "Invalid Id Token"
        );
    }
}
