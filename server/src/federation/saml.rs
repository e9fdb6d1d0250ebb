//! Signing in through a SAML 2.0 identity provider, with samael (its
//! XML signatures checked by libxmlsec1; nothing here parses a signature
//! by hand): the IdP's metadata read and checked, the AuthnRequest sent by
//! the HTTP-Redirect binding (SAML Bindings §3.4), and the Response posted
//! back verified (SAML Profiles §4.1.4.3: signature with the metadata's
//! certificate, issuer, audience, recipient, validity window,
//! InResponseTo; an EncryptedAssertion decrypted with the pool's key
//! first, XML Encryption §4.2). What leaves this module is the NameID and the
//! attributes, as claims the AttributeMapping names.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use cognate_core::clock::Timestamp;
use cognate_core::service::identity_providers::{MetadataSource, SamlMetadata};
use cognate_core::service::{SAML_ISSUER_CLAIM, SAML_NAME_ID_CLAIM};
use samael::crypto::AllowedSignatureAlgorithm;
use samael::metadata::{EntityDescriptor, HTTP_REDIRECT_BINDING};
use samael::schema::Assertion;
use samael::service_provider::ServiceProvider;
use serde_json::{Map, Value};

/// Metadata documents larger than this are refused (real ones are a few
/// kilobytes; an aggregate of a federation is not one IdP).
const MAX_METADATA_BYTES: usize = 1024 * 1024;

/// Cognito's service-provider entity id for a pool (the Audience it
/// requires and the Issuer of its requests).
pub fn sp_entity_id(pool_id: &str) -> String {
    format!("urn:amazon:cognito:sp:{pool_id}")
}

/// The metadata from MetadataURL (fetched with the federation client,
/// bounded by its timeout, no redirects) or MetadataFile, checked.
pub async fn read_metadata(
    http: &reqwest::Client,
    source: MetadataSource<'_>,
) -> Result<SamlMetadata, String> {
    let document = match source {
        MetadataSource::File(text) => text.to_owned(),
        MetadataSource::Url(url) => {
            let response = http
                .get(url)
                .send()
                .await
                .map_err(|e| crate::http::error_chain(&e))?;
            if !response.status().is_success() {
                return Err(format!("HTTP {}", response.status()));
            }
            let bytes = response.bytes().await.map_err(|e| e.to_string())?;
            if bytes.len() > MAX_METADATA_BYTES {
                return Err("the metadata document is larger than 1 MB".into());
            }
            String::from_utf8(bytes.to_vec()).map_err(|_| "the metadata is not UTF-8 text")?
        }
    };
    let (sso, slo) = check_metadata(&document)?;
    Ok(SamlMetadata {
        sso_redirect_url: sso,
        slo_redirect_url: slo,
        document,
    })
}

/// SAML Metadata §2.4.3: an IDPSSODescriptor with a signing certificate
/// and an HTTP-Redirect SingleSignOnService; its SSO and SLO
/// (HTTP-Redirect) locations.
pub fn check_metadata(document: &str) -> Result<(String, Option<String>), String> {
    let entity = EntityDescriptor::from_str(document)
        .map_err(|e| format!("it is not a SAML EntityDescriptor ({e})"))?;
    if entity.entity_id.as_ref().is_none_or(String::is_empty) {
        return Err("the EntityDescriptor has no entityID".into());
    }
    if entity
        .idp_sso_descriptors
        .as_ref()
        .is_none_or(Vec::is_empty)
    {
        return Err("the metadata has no IDPSSODescriptor".into());
    }
    let sp = ServiceProvider {
        idp_metadata: entity,
        ..ServiceProvider::default()
    };
    match sp.idp_signing_certs() {
        Ok(Some(_)) => {}
        Ok(None) => return Err("the IDPSSODescriptor names no signing certificate".into()),
        Err(e) => return Err(format!("a certificate does not parse: {e}")),
    }
    let sso = sp
        .sso_binding_location(HTTP_REDIRECT_BINDING)
        .ok_or("the IDPSSODescriptor has no HTTP-Redirect SingleSignOnService")?;
    for url in std::iter::once(&sso) {
        let parsed = reqwest::Url::parse(url).map_err(|_| format!("{url} is not a URL"))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(format!("{url} is not an https URL"));
        }
    }
    let slo = sp.slo_binding_location(HTTP_REDIRECT_BINDING);
    Ok((sso, slo))
}

/// The service provider Cognate is for a pool towards this IdP.
fn service_provider(
    document: &str,
    entity_id: &str,
    acs_url: &str,
    idp_initiated: bool,
) -> Result<ServiceProvider, String> {
    let idp_metadata = EntityDescriptor::from_str(document).map_err(|e| e.to_string())?;
    Ok(ServiceProvider {
        entity_id: Some(entity_id.to_owned()),
        acs_url: Some(acs_url.to_owned()),
        idp_metadata,
        allow_idp_initiated: idp_initiated,
        allowed_signature_algorithms: Some(ALLOWED_SIGNATURES.to_vec()),
        ..ServiceProvider::default()
    })
}

/// SAML Core §3.4.1 and Bindings §3.4: the AuthnRequest to the IdP's SSO
/// endpoint by HTTP-Redirect, signed (SigAlg rsa-sha256) when the provider
/// asks for signed requests; the URL and the request's ID.
pub fn authn_request(
    document: &str,
    sso_url: &str,
    pool_id: &str,
    acs_url: &str,
    relay_state: &str,
    signing_key: Option<&[u8]>,
) -> Result<(String, String), String> {
    let sp = service_provider(document, &sp_entity_id(pool_id), acs_url, false)?;
    let mut request = sp
        .make_authentication_request(sso_url)
        .map_err(|e| e.to_string())?;
    // SAML Core §1.3.4: an ID unguessable by others (samael's is 32 bits).
    request.id = format!(
        "_{}",
        hex::encode(cognate_core::crypto::random_bytes::<20>())
    );
    let url = match signing_key {
        Some(pkcs8) => {
            let key = openssl::pkey::PKey::private_key_from_pkcs8(pkcs8)
                .map_err(|e| format!("the pool's signing key: {e}"))?;
            request.signed_redirect(relay_state, &key)
        }
        None => request.redirect(relay_state),
    }
    .map_err(|e| e.to_string())?
    .ok_or("the request has no destination")?;
    Ok((url.to_string(), request.id))
}

/// A response that verified: the user's claims, the assertion's ID and
/// until when it may be replayed.
pub struct Verified {
    pub claims: Map<String, Value>,
    /// The request the assertion says it answers, if any.
    pub in_response_to: Option<String>,
    /// The NameID (and its Format) and the IdP's SessionIndex: what a
    /// LogoutRequest names (SAML Core §3.7.1).
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    pub assertion_id: String,
    pub not_on_or_after: Timestamp,
}

/// Whom a response must be for: the Audience and the ACS URL
/// (Destination, Recipient).
pub struct For<'a> {
    pub audience: &'a str,
    pub acs_url: &'a str,
}

/// SAML Profiles §4.1.4.3: the posted `SAMLResponse` verified for `sp`:
/// samael checks the XML signature (Response or Assertion) against the
/// metadata's certificates, the issuer, Destination and Recipient (the
/// ACS), the validity window, the Audience and InResponseTo (`request_id`;
/// None only for an unsolicited response). `now` is the server's clock,
/// checked too. With `decryption_key` (the pool's PKCS#8 key, when the
/// provider has EncryptedResponses) the assertion must be encrypted.
pub fn verify_response(
    document: &str,
    sp: &For<'_>,
    saml_response: &str,
    request_id: Option<&str>,
    now: Timestamp,
    decryption_key: Option<&[u8]>,
) -> Result<Verified, String> {
    let audience = sp.audience.to_owned();
    let sp = service_provider(document, sp.audience, sp.acs_url, request_id.is_none())?;
    let ids: Vec<&str> = request_id.into_iter().collect();
    let compact: String = saml_response
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let assertion = match decryption_key {
        None => sp
            .parse_base64_response(&compact, Some(ids.as_slice()))
            .map_err(|e| e.to_string())?,
        Some(pkcs8) => decrypted_assertion(&sp, &compact, &ids, pkcs8)?,
    };
    // samael accepts an assertion without an AudienceRestriction; Cognito
    // requires its own audience (SAML Core §2.5.1.4).
    let restricted = assertion
        .conditions
        .as_ref()
        .and_then(|c| c.audience_restrictions.as_ref())
        .is_some_and(|rs| !rs.is_empty() && rs.iter().all(|r| r.audience.contains(&audience)));
    if !restricted {
        return Err(format!("the assertion is not for the audience {audience}"));
    }
    let not_on_or_after = expiry(&assertion).ok_or("the assertion has no NotOnOrAfter")?;
    if not_on_or_after <= now {
        return Err("the assertion has expired".into());
    }
    let subject_name = assertion.subject.as_ref().and_then(|s| s.name_id.as_ref());
    let name_id = subject_name
        .map(|n| n.value.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or("the assertion has no NameID")?;
    let name_id_format = subject_name.and_then(|n| n.format.clone());
    let session_index = assertion
        .authn_statements
        .iter()
        .flatten()
        .find_map(|a| a.session_index.clone());
    let mut claims = Map::new();
    for statement in assertion.attribute_statements.iter().flatten() {
        for attribute in &statement.attributes {
            let Some(name) = attribute.name.as_deref() else {
                continue;
            };
            let values: Vec<&str> = attribute
                .values
                .iter()
                .filter_map(|v| v.value.as_deref())
                .collect();
            if values.is_empty() {
                continue;
            }
            // Cognito maps a multi-valued attribute as its values joined.
            claims.insert(name.to_owned(), Value::String(values.join(",")));
            if let Some(friendly) = attribute.friendly_name.as_deref() {
                claims
                    .entry(friendly.to_owned())
                    .or_insert_with(|| Value::String(values.join(",")));
            }
        }
    }
    claims.insert(SAML_NAME_ID_CLAIM.into(), Value::String(name_id.clone()));
    if let Some(issuer) = assertion.issuer.value.clone() {
        claims.insert(SAML_ISSUER_CLAIM.into(), Value::String(issuer));
    }
    Ok(Verified {
        in_response_to: in_response_to(&assertion).map(str::to_owned),
        name_id,
        name_id_format,
        session_index,
        claims,
        assertion_id: assertion.id,
        not_on_or_after,
    })
}

/// The signature algorithms accepted (algorithm substitution: only the
/// SHA-2 families).
const ALLOWED_SIGNATURES: [AllowedSignatureAlgorithm; 6] = [
    AllowedSignatureAlgorithm::RsaSha256,
    AllowedSignatureAlgorithm::RsaSha384,
    AllowedSignatureAlgorithm::RsaSha512,
    AllowedSignatureAlgorithm::EcdsaSha256,
    AllowedSignatureAlgorithm::EcdsaSha384,
    AllowedSignatureAlgorithm::EcdsaSha512,
];

/// Cognito API: ProviderDetails, EncryptedResponses: the Response's
/// assertion is an EncryptedAssertion (XML Encryption: RSA-OAEP key
/// transport to the pool's certificate, AES-128-GCM or AES-128-CBC data —
/// what samael decrypts; Triple DES and RSA 1.5 are refused), and a plain
/// assertion is refused.
/// The signature is checked where the IdP put it, in the order it made
/// it: a signed Response covers the encrypted form, so it is verified
/// before decrypting (and only the signed content is decrypted); an
/// assertion signed inside the encryption is verified after. Either way
/// the decrypted assertion takes the EncryptedAssertion's place in the
/// Response and samael checks the rest as for a plain one.
fn decrypted_assertion(
    sp: &ServiceProvider,
    encoded: &str,
    ids: &[&str],
    pkcs8: &[u8],
) -> Result<Assertion, String> {
    use base64::Engine as _;
    use samael::crypto::{Crypto, CryptoProvider as _, ReduceMode};
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| e.to_string())?;
    let xml = std::str::from_utf8(&bytes).map_err(|e| e.to_string())?;
    let (plain_assertions, encrypted_assertions, signed) = {
        let (doc, mut ctx) = xpath_context(xml)?;
        let mut values = |path: &str| -> Vec<String> {
            ctx.findnodes(path, doc.get_root_element().as_ref())
                .unwrap_or_default()
                .iter()
                .map(libxml::tree::Node::get_content)
                .collect()
        };
        let plain = values("/samlp:Response/saml:Assertion").len();
        let encrypted = values("/samlp:Response/saml:EncryptedAssertion").len();
        let signatures = values("/samlp:Response/ds:Signature").len();
        let references = values("/samlp:Response/ds:Signature/ds:SignedInfo/ds:Reference/@URI");
        let id = values("/samlp:Response/@ID").pop().unwrap_or_default();
        // A Response signature is trusted below for all the Response
        // holds, so it must sign the Response itself (its one Reference
        // is the Response's ID, an ID no other element carries): XML
        // Signature wrapping otherwise.
        let signed = match signatures {
            0 => false,
            1 if !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
                && references == [format!("#{id}")]
                && values(&format!("//*[@ID='{id}']")).len() == 1 =>
            {
                true
            }
            _ => return Err("the Response's signature does not sign the Response".into()),
        };
        (plain, encrypted, signed)
    };
    if plain_assertions > 0 || encrypted_assertions != 1 {
        return Err("the assertion is not encrypted, and the provider encrypts responses".into());
    }
    let key = openssl::pkey::PKey::private_key_from_pkcs8(pkcs8)
        .map_err(|e| format!("the pool's key: {e}"))?;
    if !signed {
        let plain = with_assertion_decrypted(xml, &key, Ciphertext::Unauthenticated)?;
        return sp
            .parse_xml_response(&plain, Some(ids))
            .map_err(|e| e.to_string());
    }
    let certs = sp
        .idp_signing_certs()
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let signed = Crypto::reduce_xml_to_signed_with_allowed_algorithms(
        xml,
        &certs,
        ReduceMode::default(),
        Some(&ALLOWED_SIGNATURES),
    )
    .map_err(|_| "the response's signature does not verify with the IdP's certificates")?;
    let plain = with_assertion_decrypted(&signed, &key, Ciphertext::Signed)?;
    // The signature is verified and covered the assertion it encrypted:
    // samael checks the decrypted Response's content without verifying
    // again (the Response's signature was over the encrypted form).
    let verified_sp = ServiceProvider {
        idp_metadata: EntityDescriptor {
            entity_id: sp.idp_metadata.entity_id.clone(),
            ..EntityDescriptor::default()
        },
        entity_id: sp.entity_id.clone(),
        acs_url: sp.acs_url.clone(),
        allow_idp_initiated: sp.allow_idp_initiated,
        allowed_signature_algorithms: sp.allowed_signature_algorithms.clone(),
        ..ServiceProvider::default()
    };
    verified_sp
        .parse_xml_response(&plain, Some(ids))
        .map_err(|e| e.to_string())
}

/// Whether the encrypted assertion was covered by a verified signature
/// before it is decrypted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ciphertext {
    /// Inside a Response whose signature verified.
    Signed,
    /// Only what it decrypts to may be signed.
    Unauthenticated,
}

/// The Response `xml` with its one EncryptedAssertion replaced by the
/// Assertion it decrypts to with `key`.
fn with_assertion_decrypted(
    xml: &str,
    key: &openssl::pkey::PKey<openssl::pkey::Private>,
    ciphertext: Ciphertext,
) -> Result<String, String> {
    use samael::crypto::{Crypto, CryptoProvider as _};
    use samael::schema::CipherValue;
    const AES128_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
    const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
    let (doc, mut ctx) = xpath_context(xml)?;
    let root = doc.get_root_element();
    let mut find = |path: &str| -> Result<libxml::tree::Node, String> {
        let mut found = ctx.findnodes(path, root.as_ref()).unwrap_or_default();
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(format!("the response has no {path}")),
            _ => Err(format!("the response has more than one {path}")),
        }
    };
    let data = "/samlp:Response/saml:EncryptedAssertion/xenc:EncryptedData";
    let data_method = find(&format!("{data}/xenc:EncryptionMethod/@Algorithm"))?.get_content();
    let value = find(&format!("{data}/xenc:CipherData/xenc:CipherValue"))?.get_content();
    // SAML Core §2.5.4 and XML Encryption §3.5.1: the EncryptedKey in the
    // EncryptedData's KeyInfo, or beside it in the EncryptedAssertion.
    let encrypted_key = find(&format!("{data}/ds:KeyInfo/xenc:EncryptedKey"))
        .or_else(|_| find("/samlp:Response/saml:EncryptedAssertion/xenc:EncryptedKey"))?;
    let mut key_ctx = ctx_for(&doc)?;
    let mut under_key = |path: &str| -> Result<String, String> {
        let found = key_ctx
            .findnodes(path, Some(&encrypted_key))
            .unwrap_or_default();
        match found.as_slice() {
            [one] => Ok(one.get_content()),
            _ => Err(format!("the EncryptedKey has not one {path}")),
        }
    };
    let key_method = under_key("xenc:EncryptionMethod/@Algorithm")?;
    // RSA 1.5 key transport is open to padding-oracle attacks (XML
    // Encryption 1.1 §5.5.1 marks it not recommended): RSA-OAEP only.
    if key_method != RSA_OAEP_MGF1P {
        return Err(format!(
            "the assertion's key transport {key_method} is refused"
        ));
    }
    // AES-CBC is not authenticated: decrypting forged CBC ciphertext and
    // telling bad padding apart is a padding oracle (Jager and Somorovsky,
    // "How to break XML Encryption", 2011). CBC is decrypted only when a
    // verified Response signature covered it; GCM carries its own tag.
    if data_method == AES128_CBC && ciphertext == Ciphertext::Unauthenticated {
        return Err("an AES-CBC assertion must come in a signed Response".into());
    }
    let wrapped = under_key("xenc:CipherData/xenc:CipherValue")?;
    let data_key =
        Crypto::decrypt_assertion_key_info(&CipherValue { value: wrapped }, &key_method, key)
            .map_err(|e| {
                format!("the assertion's key does not decrypt with the pool's key ({e})")
            })?;
    let mut plain =
        Crypto::decrypt_assertion_value_info(&CipherValue { value }, &data_method, &data_key)
            .map_err(|e| format!("the assertion does not decrypt ({e})"))?;
    if data_method == AES128_CBC {
        // XML Encryption §5.2: the last octet counts the padding octets
        // (samael decrypts CBC without removing them).
        let pad = usize::from(*plain.last().ok_or("the assertion is empty")?);
        if pad == 0 || pad > 16 || pad > plain.len() {
            return Err("the decrypted assertion's padding is wrong".into());
        }
        plain.truncate(plain.len() - pad);
    }
    let plain = String::from_utf8(plain).map_err(|_| "the decrypted assertion is not UTF-8")?;
    let assertion = match plain.trim_start().strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map(|(_, a)| a)
            .ok_or("the decrypted assertion is not XML")?,
        None => plain.as_str(),
    };
    let (start, end) = element_span(xml, "EncryptedAssertion")?;
    Ok(format!(
        "{}{}{}",
        &xml[..start],
        assertion.trim(),
        &xml[end..]
    ))
}

/// The namespaces of a SAML response, for XPath.
const NAMESPACES: [(&str, &str); 4] = [
    ("samlp", "urn:oasis:names:tc:SAML:2.0:protocol"),
    ("saml", "urn:oasis:names:tc:SAML:2.0:assertion"),
    ("ds", "http://www.w3.org/2000/09/xmldsig#"),
    ("xenc", "http://www.w3.org/2001/04/xmlenc#"),
];

/// `xml` parsed by libxml2 (no external entities, no network) and an
/// XPath context over it.
fn xpath_context(xml: &str) -> Result<(libxml::tree::Document, libxml::xpath::Context), String> {
    let doc = libxml::parser::Parser::default()
        .parse_string(xml)
        .map_err(|e| format!("the response is not XML ({e:?})"))?;
    let ctx = ctx_for(&doc)?;
    Ok((doc, ctx))
}

fn ctx_for(doc: &libxml::tree::Document) -> Result<libxml::xpath::Context, String> {
    let ctx = libxml::xpath::Context::new(doc).map_err(|_| "no XPath context")?;
    for (prefix, href) in NAMESPACES {
        ctx.register_namespace(prefix, href)
            .map_err(|_| "no XPath namespace")?;
    }
    Ok(ctx)
}

/// Where the one element named `local` (with any prefix) starts and ends
/// in `xml`; more than one, or none, is an error.
fn element_span(xml: &str, local: &str) -> Result<(usize, usize), String> {
    let mut opens = Vec::new();
    let mut closes = Vec::new();
    for (at, _) in xml.match_indices(local) {
        let after = xml[at + local.len()..].chars().next();
        let head = &xml[..at];
        let name_start = head
            .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || "_.-".contains(c))
            .len();
        let head = &head[..name_start];
        let head = match head.strip_suffix(':') {
            Some(h) => h.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || "_.-".contains(c)),
            None if name_start == at => head,
            None => continue,
        };
        if head.ends_with("</") && after == Some('>') {
            closes.push(at + local.len() + 1);
        } else if head.ends_with('<') && matches!(after, Some(c) if c == '>' || c.is_whitespace()) {
            opens.push(head.len() - 1);
        }
    }
    match (opens.as_slice(), closes.as_slice()) {
        ([start], [end]) if start < end => Ok((*start, *end)),
        _ => Err(format!("the response has not exactly one {local}")),
    }
}

/// SAML Bindings §3.4.4.1: a message by HTTP-Redirect — DEFLATE, base64,
/// the query member `param`, the RelayState, and when a key is given the
/// SigAlg and Signature (rsa-sha256) over them.
fn redirect_url(
    destination: &str,
    param: &str,
    xml: &str,
    relay_state: &str,
    signing_key: Option<&[u8]>,
) -> Result<String, String> {
    use base64::Engine as _;
    use std::io::Write as _;
    let mut deflated =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflated
        .write_all(xml.as_bytes())
        .map_err(|e| e.to_string())?;
    let deflated = deflated.finish().map_err(|e| e.to_string())?;
    let mut url = url::Url::parse(destination).map_err(|e| e.to_string())?;
    url.query_pairs_mut()
        .append_pair(
            param,
            &base64::engine::general_purpose::STANDARD.encode(deflated),
        )
        .append_pair("RelayState", relay_state);
    let url = match signing_key {
        Some(pkcs8) => {
            let key = openssl::pkey::PKey::private_key_from_pkcs8(pkcs8)
                .map_err(|e| format!("the pool's signing key: {e}"))?;
            samael::crypto::sign_url(url, &key).map_err(|e| e.to_string())?
        }
        None => url,
    };
    Ok(url.to_string())
}

/// SAML Core §3.7.1: the LogoutRequest for a user the IdP signed in, sent
/// by HTTP-Redirect to its SingleLogoutService; the URL and the request's ID.
pub fn logout_request(
    slo_url: &str,
    pool_id: &str,
    name_id: &str,
    name_id_format: Option<&str>,
    session_index: Option<&str>,
    relay_state: &str,
    signing_key: Option<&[u8]>,
) -> Result<(String, String), String> {
    use samael::traits::ToXml as _;
    let id = format!(
        "_{}",
        hex::encode(cognate_core::crypto::random_bytes::<20>())
    );
    let request = samael::schema::LogoutRequest {
        id: Some(id.clone()),
        version: Some("2.0".into()),
        issue_instant: Some(Utc::now()),
        destination: Some(slo_url.to_owned()),
        issuer: Some(samael::schema::Issuer {
            format: Some("urn:oasis:names:tc:SAML:2.0:nameid-format:entity".into()),
            value: Some(sp_entity_id(pool_id)),
            ..Default::default()
        }),
        signature: None,
        session_index: session_index.map(str::to_owned),
        name_id: Some(samael::schema::NameID {
            format: name_id_format.map(str::to_owned),
            value: name_id.to_owned(),
        }),
    };
    let xml = request.to_string().map_err(|e| format!("{e:?}"))?;
    let url = redirect_url(slo_url, "SAMLRequest", &xml, relay_state, signing_key)?;
    Ok((url, id))
}

/// SAML Core §3.7.2: the IdP's LogoutResponse by HTTP-Redirect (its
/// `SAMLResponse`), read: the request it answers, and whether it says
/// Success. A signed one (SigAlg, Signature) must verify with a
/// certificate of the metadata (SAML Bindings §3.4.4.1).
pub fn logout_response(document: &str, url: &url::Url) -> Result<(String, bool), String> {
    if url.query_pairs().any(|(k, _)| k == "Signature") {
        redirect_signed_by_idp(document, url, false)?;
    }
    let xml = inflated(url, "SAMLResponse")?;
    let response: samael::schema::LogoutResponse = xml.parse().map_err(|e| format!("{e:?}"))?;
    let success = response
        .status
        .as_ref()
        .and_then(|s| s.status_code.value.as_deref())
        == Some("urn:oasis:names:tc:SAML:2.0:status:Success");
    let answers = response.in_response_to.ok_or("no InResponseTo")?;
    Ok((answers, success))
}

/// The IdP's signature on a redirect-bound message (SAML Bindings
/// §3.4.4.1), checked against the certificates of its metadata.
fn redirect_signed_by_idp(document: &str, url: &url::Url, request: bool) -> Result<(), String> {
    let sp = service_provider(document, "", "", false)?;
    let certs = sp
        .idp_signing_certs()
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let verified = certs.iter().any(|c| {
        samael::crypto::UrlVerifier::from_x509(c)
            .and_then(|v| {
                if request {
                    v.verify_signed_request_url(url)
                } else {
                    v.verify_signed_response_url(url)
                }
            })
            .unwrap_or(false)
    });
    if verified {
        Ok(())
    } else {
        Err("the message's signature does not verify with the IdP's certificates".into())
    }
}

/// The XML of a redirect-bound message's `param` (inflated, at most 1 MB).
fn inflated(url: &url::Url, param: &str) -> Result<String, String> {
    use base64::Engine as _;
    use std::io::Read as _;
    let encoded = url
        .query_pairs()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("no {param}"))?;
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| e.to_string())?;
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(deflated.as_slice())
        .take(1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|e| e.to_string())?;
    Ok(xml)
}

/// An IdP-initiated LogoutRequest (SAML Profiles §4.4.4.1: the IdP must
/// sign it), verified: its ID and the NameID it ends.
pub fn idp_logout_request(document: &str, url: &url::Url) -> Result<(String, String), String> {
    redirect_signed_by_idp(document, url, true)?;
    let request: samael::schema::LogoutRequest = inflated(url, "SAMLRequest")?
        .parse()
        .map_err(|e| format!("{e:?}"))?;
    let entity: EntityDescriptor = document.parse().map_err(|e| format!("{e}"))?;
    let issuer = request.issuer.as_ref().and_then(|i| i.value.clone());
    if issuer.is_none() || issuer != entity.entity_id {
        return Err("the LogoutRequest is not from the IdP".into());
    }
    let id = request.id.ok_or("the LogoutRequest has no ID")?;
    let name_id = request
        .name_id
        .ok_or("the LogoutRequest has no NameID")?
        .value;
    Ok((id, name_id.trim().to_owned()))
}

/// SAML Core §3.7.2: the LogoutResponse (Success) to an IdP's request, by
/// HTTP-Redirect to its SingleLogoutService.
pub fn logout_response_to_idp(
    slo_url: &str,
    pool_id: &str,
    in_response_to: &str,
    relay_state: &str,
    signing_key: Option<&[u8]>,
) -> Result<String, String> {
    use samael::traits::ToXml as _;
    let response = samael::schema::LogoutResponse {
        id: Some(format!(
            "_{}",
            hex::encode(cognate_core::crypto::random_bytes::<20>())
        )),
        in_response_to: Some(in_response_to.to_owned()),
        version: Some("2.0".into()),
        issue_instant: Some(Utc::now()),
        destination: Some(slo_url.to_owned()),
        consent: None,
        issuer: Some(samael::schema::Issuer {
            format: Some("urn:oasis:names:tc:SAML:2.0:nameid-format:entity".into()),
            value: Some(sp_entity_id(pool_id)),
            ..Default::default()
        }),
        signature: None,
        status: Some(samael::schema::Status {
            status_code: samael::schema::StatusCode {
                value: Some("urn:oasis:names:tc:SAML:2.0:status:Success".into()),
            },
            status_message: None,
            status_detail: None,
        }),
    };
    let xml = response.to_string().map_err(|e| format!("{e:?}"))?;
    redirect_url(slo_url, "SAMLResponse", &xml, relay_state, signing_key)
}

fn in_response_to(a: &Assertion) -> Option<&str> {
    a.subject
        .as_ref()?
        .subject_confirmations
        .as_ref()?
        .iter()
        .find_map(|c| {
            c.subject_confirmation_data
                .as_ref()?
                .in_response_to
                .as_deref()
        })
}

/// The earliest NotOnOrAfter of the assertion's conditions and bearer
/// confirmation: until then its ID is remembered against replay.
fn expiry(a: &Assertion) -> Option<Timestamp> {
    let conditions = a.conditions.as_ref().and_then(|c| c.not_on_or_after);
    let confirmation = a
        .subject
        .as_ref()
        .and_then(|s| s.subject_confirmations.as_ref())
        .and_then(|cs| {
            cs.iter()
                .filter_map(|c| c.subject_confirmation_data.as_ref()?.not_on_or_after)
                .min()
        });
    let t: DateTime<Utc> = match (conditions, confirmation) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(Timestamp(t.timestamp_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_encrypted_assertion_is_found_whatever_its_prefix() {
        let xml = r#"<p:Response xmlns:p="p"><ns1:EncryptedAssertion><x/></ns1:EncryptedAssertion><EncryptedAssertionX/></p:Response>"#;
        let (start, end) = element_span(xml, "EncryptedAssertion").unwrap();
        assert_eq!(
            &xml[start..end],
            "<ns1:EncryptedAssertion><x/></ns1:EncryptedAssertion>"
        );
        let plain = r#"<Response><EncryptedAssertion a="1">x</EncryptedAssertion></Response>"#;
        let (start, end) = element_span(plain, "EncryptedAssertion").unwrap();
        assert_eq!(
            &plain[start..end],
            r#"<EncryptedAssertion a="1">x</EncryptedAssertion>"#
        );
        // Two (a wrapping attempt) or none: refused.
        let two = "<R><EncryptedAssertion>a</EncryptedAssertion><EncryptedAssertion>b</EncryptedAssertion></R>";
        assert!(element_span(two, "EncryptedAssertion").is_err());
        assert!(element_span("<R/>", "EncryptedAssertion").is_err());
    }

    #[test]
    fn metadata_without_an_idp_descriptor_is_named() {
        let doc = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:x"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>"#;
        let why = check_metadata(doc).unwrap_err();
        assert!(why.contains("IDPSSODescriptor"), "{why}");
        let why = check_metadata("<html>not metadata</html>").unwrap_err();
        assert!(why.contains("EntityDescriptor"), "{why}");
    }
}
