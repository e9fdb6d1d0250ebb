//! Cognito API: GetSigningCertificate — each pool's SAML signing
//! certificate: a self-signed RSA-2048 X.509 certificate made once, on first
//! request, and kept (the private key sealed under the master key) so that
//! the SAML service provider's metadata and signed requests use the same one.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256, RsaKeySize};
use zeroize::Zeroizing;

use super::Idp;
use crate::clock::Timestamp;
use crate::crypto::MasterKey;
use crate::error::{CognitoError, Result};
use crate::store::SamlSigningCertificate;

/// Cognito's signing certificates are valid for ten years.
const VALIDITY_DAYS: i64 = 3650;

/// What the pool's SAML signing key is sealed for.
pub fn saml_key_record_id(pool_id: &str) -> String {
    format!("saml-signing-key:{pool_id}")
}

impl Idp {
    /// Cognito API: GetSigningCertificate — the certificate, base64 DER;
    /// ResourceNotFoundException for an unknown pool.
    pub async fn get_signing_certificate(&self, pool_id: &str) -> Result<String> {
        self.pool(pool_id).await?;
        let cert = self.saml_signing_certificate(pool_id).await?;
        Ok(STANDARD.encode(&cert.certificate_der))
    }

    /// The pool's SAML signing certificate, made now if it has none. Two
    /// nodes racing both insert-if-absent and re-read: both answer the first.
    pub async fn saml_signing_certificate(&self, pool_id: &str) -> Result<SamlSigningCertificate> {
        if let Some(cert) = self.store.saml_certificate(pool_id).await? {
            return Ok(cert);
        }
        let made = new_saml_certificate(&self.master_key, pool_id, self.clock.now())?;
        self.store.add_saml_certificate(&made).await?;
        self.store
            .saml_certificate(pool_id)
            .await?
            .ok_or_else(|| CognitoError::internal("SAML certificate vanished after insert"))
    }
}

/// A new self-signed certificate for the pool, its key sealed.
pub fn new_saml_certificate(
    master: &MasterKey,
    pool_id: &str,
    now: Timestamp,
) -> Result<SamlSigningCertificate> {
    let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)
        .map_err(|_| CognitoError::internal("RSA key generation failed"))?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, pool_id);
    dn.push(DnType::OrganizationalUnitName, "Cognate");
    params.distinguished_name = dn;
    let start = time::OffsetDateTime::from_unix_timestamp(now.0.div_euclid(1000))
        .map_err(CognitoError::internal)?;
    params.not_before = start;
    params.not_after = start + time::Duration::days(VALIDITY_DAYS);
    let mut serial = [0u8; 16];
    SystemRandom::new()
        .fill(&mut serial)
        .map_err(|_| CognitoError::internal("no randomness"))?;
    serial[0] &= 0x7f; // RFC 5280 §4.1.2.2: a positive integer
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let cert = params
        .self_signed(&key)
        .map_err(|_| CognitoError::internal("certificate signing failed"))?;
    let pkcs8 = Zeroizing::new(key.serialize_der());
    Ok(SamlSigningCertificate {
        pool_id: pool_id.to_owned(),
        sealed_private_key: master.seal(&saml_key_record_id(pool_id), &pkcs8),
        certificate_der: cert.der().to_vec(),
        created: now,
    })
}

/// Opens the pool's SAML signing key (PKCS #8 DER); fails if it was sealed
/// for another pool or altered.
pub fn open_saml_key(
    master: &MasterKey,
    cert: &SamlSigningCertificate,
) -> Result<Zeroizing<Vec<u8>>> {
    Ok(Zeroizing::new(master.open(
        &saml_key_record_id(&cert.pool_id),
        &cert.sealed_private_key,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::KeyPair as _;

    #[test]
    fn sealed_key_opens_for_its_pool_only_and_matches_the_certificate() {
        let master = MasterKey::from_bytes(&[7; 32]).unwrap();
        let cert =
            new_saml_certificate(&master, "us-east-1_abc", Timestamp(1_700_000_000_000)).unwrap();
        let pkcs8 = open_saml_key(&master, &cert).unwrap();
        let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pkcs8).unwrap();
        let public = key.public_key().as_ref().to_vec();
        // The certificate carries the same RSA public key (PKCS #1 inside the SPKI).
        assert!(
            cert.certificate_der
                .windows(public.len())
                .any(|w| w == public.as_slice())
        );
        let mut moved = cert.clone();
        moved.pool_id = "us-east-1_other".into();
        assert!(open_saml_key(&master, &moved).is_err());
        assert!(
            !cert
                .sealed_private_key
                .windows(16)
                .any(|w| pkcs8.windows(16).any(|p| p == w))
        );
    }
}
