//! Signing in through a SAML 2.0 identity provider, on SQLite and
//! PostgreSQL: the IdP is pysaml2 (end2end/python/saml_idp.py, signing
//! with the xmlsec1 CLI) on a random port, driven as a browser would
//! (reqwest with cookies, no redirects followed): authorize → the IdP's
//! SSO (HTTP-Redirect) → its auto-posting form → `/saml2/idpresponse` →
//! Cognate's code → tokens. Each refusal comes from the real IdP's output
//! (its test knobs): another key, an expired assertion, another audience,
//! another InResponseTo, a response posted twice. With EncryptedResponses
//! the IdP encrypts to the pool's certificate (RSA-OAEP, AES-128-GCM). Identity pools take the
//! same IdP's responses as SAML logins (SamlProviderARNs). Without the test venv
//! the tests say SKIPPED, except under CI or COGNATE_REQUIRE_POSTGRES=1.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;

use crate::common::hosted::{
    PKCE_VERIFIER, browser, hidden, location, query_param, redeem_code, s256,
};
use crate::common::python::python_or_skip;
use crate::common::{TestServer, error_name, jwt_claims};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{IdentityProviderTypeType, OAuthFlowType};
use reqwest::StatusCode;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

on_both_backends!(
    a_saml_sign_in_creates_the_external_user_and_issues_cognates_tokens,
    a_response_signed_with_another_key_is_refused,
    an_expired_assertion_is_refused,
    an_assertion_for_another_audience_is_refused,
    a_response_to_another_request_is_refused,
    an_unsigned_response_is_refused,
    a_response_posted_twice_is_refused,
    encrypted_responses_are_decrypted_then_verified,
    an_assertion_encrypted_to_another_key_is_refused,
    a_linked_saml_identity_signs_in_as_the_local_user,
    signed_requests_carry_an_rsa_sha256_signature,
    bad_metadata_is_invalid_parameter_and_writes_nothing,
    an_idp_initiated_sign_in_needs_idp_init_and_its_assertion_is_used_once,
    logout_ends_the_idp_session_with_idp_signout,
    a_signed_logout_request_from_the_idp_ends_the_session,
);

const APP_CALLBACK: &str = "https://app.example.com/cb";
const PROVIDER: &str = "Corp";
const APP_SIGNED_OUT: &str = "https://app.example.com/signed-out";

/// The pysaml2 IdP on a free port, for the pool's SP; killed when dropped.
struct Idp {
    _child: Child,
    _dir: tempfile::TempDir,
    url: String,
}

/// `sp_cert` (base64 DER) is what the SP's metadata names for encryption.
async fn start_idp(python: &PathBuf, sp_entity_id: &str, acs: &str, sp_cert: &str) -> Idp {
    let dir = tempfile::tempdir().unwrap();
    let script = crate::common::python::script("saml_idp.py");
    let mut child = Command::new(python)
        .arg(script)
        .arg(dir.path())
        .env("SAML_SP_ENTITY_ID", sp_entity_id)
        .env("SAML_SP_ACS", acs)
        .env("SAML_SP_CERT", sp_cert)
        .env("PYTHONWARNINGS", "ignore")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start saml_idp.py");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
        .await
        .expect("the IdP starts in time")
        .unwrap()
        .expect("the IdP says READY");
    let url = ready
        .strip_prefix("READY ")
        .expect("READY <url>")
        .to_owned();
    Idp {
        _child: child,
        _dir: dir,
        url,
    }
}

/// The pool with its SAML provider "Corp" (the IdP's MetadataURL), the
/// app's client of it, and the IdP.
struct Setup {
    pool: String,
    client_id: String,
    idp: Idp,
}

async fn setup_with(s: &TestServer, extra: &[(&str, &str)]) -> Option<Setup> {
    let python = python_or_skip()?;
    let pool = s.pool(|b| b.pool_name("saml")).await;
    let acs = format!("{}/{pool}/saml2/idpresponse", s.url);
    let sp_cert = &pool_certificate(s, &pool).await;
    let idp = start_idp(
        &python,
        &format!("urn:amazon:cognito:sp:{pool}"),
        &acs,
        sp_cert,
    )
    .await;
    let mut details: HashMap<String, String> =
        HashMap::from([("MetadataURL".into(), format!("{}/metadata", idp.url))]);
    for (k, v) in extra {
        details.insert((*k).into(), (*v).into());
    }
    s.admin()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name(PROVIDER)
        .provider_type(IdentityProviderTypeType::Saml)
        .set_provider_details(Some(details))
        .attribute_mapping("email", "email")
        .attribute_mapping("given_name", "givenName")
        .send()
        .await
        .expect("create the SAML provider");
    let (client_id, _) = s
        .code_client(&pool, APP_CALLBACK, &["openid", "email", "profile"], |c| {
            c.supported_identity_providers("COGNITO")
                .supported_identity_providers(PROVIDER)
                .allowed_o_auth_flows(OAuthFlowType::Code)
                .logout_urls(APP_SIGNED_OUT)
        })
        .await;
    Some(Setup {
        pool,
        client_id,
        idp,
    })
}

/// GetSigningCertificate: the pool's SAML certificate (base64 DER).
async fn pool_certificate(s: &TestServer, pool: &str) -> String {
    s.admin()
        .get_signing_certificate()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap()
}

/// DescribeIdentityProvider's ProviderDetails of the pool's "Corp".
async fn provider_details(s: &TestServer, pool: &str) -> HashMap<String, String> {
    let d = s
        .admin()
        .describe_identity_provider()
        .user_pool_id(pool)
        .provider_name(PROVIDER)
        .send()
        .await
        .unwrap();
    d.identity_provider()
        .unwrap()
        .provider_details()
        .unwrap()
        .clone()
}

async fn setup(s: &TestServer) -> Option<Setup> {
    setup_with(s, &[]).await
}

fn authorize_url(s: &TestServer, x: &Setup) -> String {
    format!(
        "{}/{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={APP_CALLBACK}&state=app-state&scope=openid+email+profile&code_challenge={}&code_challenge_method=S256&identity_provider={PROVIDER}",
        s.url,
        x.pool,
        x.client_id,
        s256(PKCE_VERIFIER)
    )
}

/// The app's request: where Cognate sends the browser (the IdP's SSO URL
/// with the AuthnRequest).
async fn to_idp(s: &TestServer, x: &Setup, b: &reqwest::Client) -> String {
    let r = b.get(authorize_url(s, x)).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let to = location(&r);
    assert!(
        to.starts_with(&format!("{}/sso/redirect?", x.idp.url)),
        "{to}"
    );
    assert!(query_param(&to, "SAMLRequest").is_some(), "{to}");
    assert!(query_param(&to, "RelayState").is_some(), "{to}");
    to
}

/// The IdP's answer to the request at `sso` (with test knobs): its form's
/// action, SAMLResponse and RelayState.
async fn idp_form(b: &reqwest::Client, sso: &str, knobs: &str) -> (String, String, String) {
    let r = b.get(format!("{sso}{knobs}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|a| a.split('"').next())
        .expect("the form's action")
        .to_owned();
    (
        action,
        hidden(&html, "SAMLResponse").expect("SAMLResponse"),
        hidden(&html, "RelayState").expect("RelayState"),
    )
}

/// The browser posts the IdP's form; Cognate sends it on to the GET of
/// the same endpoint, which answers.
async fn post_to_acs(
    b: &reqwest::Client,
    action: &str,
    saml_response: &str,
    relay_state: &str,
) -> reqwest::Response {
    let r = b
        .post(action)
        .form(&[("SAMLResponse", saml_response), ("RelayState", relay_state)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let next = reqwest::Url::parse(action)
        .unwrap()
        .join(&location(&r))
        .unwrap();
    assert_eq!(next.path(), reqwest::Url::parse(action).unwrap().path());
    b.get(next).send().await.unwrap()
}

/// The whole sign-in with the IdP's `knobs`: Cognate's last answer.
async fn sign_in(s: &TestServer, x: &Setup, b: &reqwest::Client, knobs: &str) -> reqwest::Response {
    let sso = to_idp(s, x, b).await;
    let (action, response, relay) = idp_form(b, &sso, knobs).await;
    assert_eq!(action, format!("{}/{}/saml2/idpresponse", s.url, x.pool));
    post_to_acs(b, &action, &response, &relay).await
}

/// The app redeems Cognate's code: the ID token's claims.
async fn redeem(s: &TestServer, x: &Setup, app_callback: &str) -> serde_json::Value {
    let pool_url = format!("{}/{}", s.url, x.pool);
    let body = redeem_code(&pool_url, &x.client_id, APP_CALLBACK, app_callback).await;
    jwt_claims(body["id_token"].as_str().unwrap())
}

async fn user_count(s: &TestServer, pool: &str) -> usize {
    s.admin()
        .list_users()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap()
        .users()
        .len()
}

/// A refused response: the hosted error page, no redirect, no user.
async fn assert_refused(s: &TestServer, x: &Setup, r: reqwest::Response) {
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(location(&r).is_empty());
    let html = r.text().await.unwrap();
    assert!(html.contains("<html"), "{html}");
    assert_eq!(user_count(s, &x.pool).await, 0);
}

async fn a_saml_sign_in_creates_the_external_user_and_issues_cognates_tokens(s: TestServer) {
    let Some(x) = setup(&s).await else { return };
    // DescribeIdentityProvider answers the endpoints Cognito derives from
    // the metadata, and never the document Cognate keeps.
    let details = provider_details(&s, &x.pool).await;
    assert_eq!(
        details.get("SSORedirectBindingURI"),
        Some(&format!("{}/sso/redirect", x.idp.url))
    );
    assert_eq!(
        details.get("SLORedirectBindingURI"),
        Some(&format!("{}/slo/redirect", x.idp.url))
    );
    assert!(details.keys().all(|k| !k.starts_with('_')), "{details:?}");

    let b = browser();
    let sso = to_idp(&s, &x, &b).await;
    // SAML Core §3.4.1: Cognito's SP entity id and our ACS in the request.
    let request = inflate(&query_param(&sso, "SAMLRequest").unwrap());
    assert!(
        request.contains(&format!("urn:amazon:cognito:sp:{}", x.pool)),
        "{request}"
    );
    assert!(
        request.contains(&format!("{}/{}/saml2/idpresponse", s.url, x.pool)),
        "{request}"
    );
    let (action, response, relay) = idp_form(&b, &sso, "").await;
    let r = post_to_acs(&b, &action, &response, &relay).await;
    let done = location(&r);
    let id = redeem(&s, &x, &done).await;
    assert_eq!(id["cognito:username"], format!("{PROVIDER}_alice"));
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], false);
    assert_eq!(id["given_name"], "Alice");
    let identities = id["identities"].as_array().expect("identities claim");
    assert_eq!(identities[0]["providerName"], PROVIDER);
    assert_eq!(identities[0]["providerType"], "SAML");
    assert_eq!(identities[0]["userId"], "alice");
    assert_eq!(identities[0]["issuer"], format!("{}/metadata", x.idp.url));
    let group = format!("{}_{PROVIDER}", x.pool);
    assert_eq!(id["cognito:groups"], serde_json::json!([group]));
    assert_eq!(
        s.admin_status(&x.pool, &format!("{PROVIDER}_alice")).await,
        "EXTERNAL_PROVIDER"
    );

    // Another sign-in (another browser) lands on the same user.
    let b2 = browser();
    let r = sign_in(&s, &x, &b2, "").await;
    let id2 = redeem(&s, &x, &location(&r)).await;
    assert_eq!(id2["sub"], id["sub"]);
    assert_eq!(user_count(&s, &x.pool).await, 1);
}

/// The AuthnRequest of an HTTP-Redirect URL (SAML Bindings §3.4.4.1:
/// DEFLATE, then base64).
fn inflate(b64: &str) -> String {
    use base64::Engine as _;
    use std::io::Read as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let mut out = String::new();
    flate2::read::DeflateDecoder::new(raw.as_slice())
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// A sign-in whose response the IdP makes with `knobs`: refused.
async fn refused_with(s: &TestServer, knobs: &str) {
    let Some(x) = setup(s).await else { return };
    let r = sign_in(s, &x, &browser(), knobs).await;
    assert_refused(s, &x, r).await;
}

async fn a_response_signed_with_another_key_is_refused(s: TestServer) {
    refused_with(&s, "&forge=1").await;
}

async fn an_expired_assertion_is_refused(s: TestServer) {
    refused_with(&s, "&expired=1").await;
}

async fn an_assertion_for_another_audience_is_refused(s: TestServer) {
    refused_with(&s, "&audience=urn:amazon:cognito:sp:another-pool").await;
}

async fn a_response_to_another_request_is_refused(s: TestServer) {
    refused_with(&s, "&in_response_to=_not-our-request").await;
}

async fn an_unsigned_response_is_refused(s: TestServer) {
    refused_with(&s, "&unsigned=1").await;
}

/// The pool's provider with EncryptedResponses on.
async fn encrypted_setup(s: &TestServer) -> Option<Setup> {
    setup_with(s, &[("EncryptedResponses", "true")]).await
}

async fn encrypted_responses_are_decrypted_then_verified(s: TestServer) {
    let Some(x) = encrypted_setup(&s).await else {
        return;
    };
    // Cognito API: DescribeIdentityProvider answers the certificate the
    // IdP encrypts to (the pool's, as GetSigningCertificate answers).
    let details = provider_details(&s, &x.pool).await;
    let pool_cert = pool_certificate(&s, &x.pool).await;
    assert_eq!(details.get("EncryptedResponses"), Some(&"true".to_owned()));
    assert_eq!(details.get("ActiveEncryptionCertificate"), Some(&pool_cert));

    // With encryption on, a plain (signed, valid) assertion is refused.
    let r = sign_in(&s, &x, &browser(), "").await;
    assert_refused(&s, &x, r).await;

    // The IdP encrypts to the certificate of the SP's metadata.
    let b = browser();
    let sso = to_idp(&s, &x, &b).await;
    let (action, response, relay) = idp_form(&b, &sso, "&encrypt=1").await;
    let xml = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &response).unwrap(),
    )
    .unwrap();
    assert!(xml.contains("EncryptedAssertion"), "{xml}");
    assert!(!xml.contains("alice@example.com"), "{xml}");
    let r = post_to_acs(&b, &action, &response, &relay).await;
    let id = redeem(&s, &x, &location(&r)).await;
    assert_eq!(id["cognito:username"], format!("{PROVIDER}_alice"));
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["given_name"], "Alice");
    // The decrypted assertion is used once, as a plain one.
    let r = post_to_acs(&b, &action, &response, &relay).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Only the assertion signed, inside the encryption: verified after
    // decrypting (the same user).
    let r = sign_in(&s, &x, &browser(), "&encrypt=1&sign=assertion").await;
    let id2 = redeem(&s, &x, &location(&r)).await;
    assert_eq!(id2["sub"], id["sub"]);
    // AES-128-CBC inside a signed Response: the signature covered the
    // ciphertext, so it is decrypted (and its padding removed).
    let r = sign_in(&s, &x, &browser(), "&encrypt=cbc").await;
    let id3 = redeem(&s, &x, &location(&r)).await;
    assert_eq!(id3["sub"], id["sub"]);

    // Encrypted, but for another audience or another request, signed by
    // another key, unsigned, expired, or with Triple DES: refused.
    for knobs in [
        "&encrypt=1&audience=urn:amazon:cognito:sp:another-pool",
        "&encrypt=1&in_response_to=_not-our-request",
        "&encrypt=1&forge=1",
        "&encrypt=1&forge=1&sign=assertion",
        "&encrypt=1&unsigned=1",
        "&encrypt=1&expired=1",
        "&encrypt=3des",
        // CBC with only the assertion signed: unauthenticated ciphertext
        // is never decrypted (no padding oracle).
        "&encrypt=cbc&sign=assertion",
    ] {
        let r = sign_in(&s, &x, &browser(), knobs).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{knobs}");
    }
    assert_eq!(user_count(&s, &x.pool).await, 1);

    // Turned off again: the certificate is no longer answered.
    s.admin()
        .update_identity_provider()
        .user_pool_id(&x.pool)
        .provider_name(PROVIDER)
        .provider_details("EncryptedResponses", "false")
        .provider_details("MetadataURL", format!("{}/metadata", x.idp.url))
        .send()
        .await
        .unwrap();
    let details = provider_details(&s, &x.pool).await;
    assert_eq!(details.get("ActiveEncryptionCertificate"), None);
}

async fn an_assertion_encrypted_to_another_key_is_refused(s: TestServer) {
    let Some(x) = encrypted_setup(&s).await else {
        return;
    };
    let r = sign_in(&s, &x, &browser(), "&encrypt=other").await;
    assert_refused(&s, &x, r).await;
}

async fn a_response_posted_twice_is_refused(s: TestServer) {
    let Some(x) = setup(&s).await else { return };
    let b = browser();
    let sso = to_idp(&s, &x, &b).await;
    let (action, response, relay) = idp_form(&b, &sso, "").await;
    let r = post_to_acs(&b, &action, &response, &relay).await;
    redeem(&s, &x, &location(&r)).await;
    // The same response again, in the same browser: refused.
    let r = post_to_acs(&b, &action, &response, &relay).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // And with a new request's RelayState: it answers another request.
    let sso = to_idp(&s, &x, &b).await;
    let relay2 = query_param(&sso, "RelayState").unwrap();
    let r = post_to_acs(&b, &action, &response, &relay2).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(user_count(&s, &x.pool).await, 1);
}

async fn a_linked_saml_identity_signs_in_as_the_local_user(s: TestServer) {
    let Some(x) = setup(&s).await else { return };
    s.admin_user(&x.pool, "bob", "Local-Passw0rd!", &[]).await;
    let bob_sub = s.admin_attr(&x.pool, "bob", "sub").await.unwrap();
    s.link_subject(&x.pool, "bob", PROVIDER, "robert").await;
    let r = sign_in(&s, &x, &browser(), "&user=robert").await;
    let id = redeem(&s, &x, &location(&r)).await;
    assert_eq!(id["sub"], bob_sub);
    assert_eq!(id["cognito:username"], "bob");
    assert_eq!(user_count(&s, &x.pool).await, 1);
}

async fn signed_requests_carry_an_rsa_sha256_signature(s: TestServer) {
    let Some(x) = setup_with(&s, &[("RequestSigningAlgorithm", "rsa-sha256")]).await else {
        return;
    };
    let b = browser();
    let sso = to_idp(&s, &x, &b).await;
    // SAML Bindings §3.4.4.1: SigAlg and Signature over the query.
    assert_eq!(
        query_param(&sso, "SigAlg").as_deref(),
        Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    );
    assert!(query_param(&sso, "Signature").is_some());
    // The signature verifies with the pool's certificate (GetSigningCertificate).
    let cert = s
        .admin()
        .get_signing_certificate()
        .user_pool_id(&x.pool)
        .send()
        .await
        .unwrap()
        .certificate()
        .unwrap()
        .to_owned();
    let query = reqwest::Url::parse(&sso)
        .unwrap()
        .query()
        .unwrap()
        .to_owned();
    let signed = query.split("&Signature=").next().unwrap();
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(cert)
        .unwrap();
    let (_, parsed) = x509_parser::parse_x509_certificate(&der).unwrap();
    let spki = parsed.public_key().subject_public_key.data.to_vec();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(query_param(&sso, "Signature").unwrap())
        .unwrap();
    aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        spki,
    )
    .verify(signed.as_bytes(), &signature)
    .expect("the request's signature verifies with the pool's certificate");
    // And the sign-in goes through.
    let (action, response, relay) = idp_form(&b, &sso, "").await;
    let r = post_to_acs(&b, &action, &response, &relay).await;
    redeem(&s, &x, &location(&r)).await;
}

async fn bad_metadata_is_invalid_parameter_and_writes_nothing(s: TestServer) {
    let pool = s.pool(|b| b.pool_name("saml-bad")).await;
    let create = |details: Vec<(&str, String)>| {
        let details: HashMap<String, String> = details
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        s.admin()
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name(PROVIDER)
            .provider_type(IdentityProviderTypeType::Saml)
            .set_provider_details(Some(details))
            .send()
    };
    let cases = [
        (
            vec![("MetadataFile", "<html>not metadata</html>".to_owned())],
            "EntityDescriptor",
        ),
        (
            vec![(
                "MetadataFile",
                r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:sp"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.com/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>"#.to_owned(),
            )],
            "IDPSSODescriptor",
        ),
        (
            vec![(
                "MetadataFile",
                r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:idp"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#.to_owned(),
            )],
            "signing certificate",
        ),
        (
            // A port nothing listens on.
            vec![("MetadataURL", unreachable_url())],
            "MetadataURL",
        ),
        (
            vec![
                ("MetadataFile", "<x/>".to_owned()),
                ("EncryptedResponses", "yes".to_owned()),
            ],
            "EncryptedResponses",
        ),
    ];
    for (details, needle) in cases {
        let e = create(details).await.unwrap_err();
        assert_eq!(error_name(&e), "InvalidParameterException");
        let msg = cip::error::ProvideErrorMetadata::message(&e)
            .unwrap_or_default()
            .to_owned();
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
    let listed = s
        .admin()
        .list_identity_providers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(listed.providers().is_empty());
}

fn unreachable_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/metadata")
}

/// Cognito's IdP-initiated sign-in: the RelayState is the app's
/// authorization request; the IdP posts an unsolicited response.
fn idp_init_relay_state(x: &Setup) -> String {
    serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", x.client_id.as_str()),
        ("redirect_uri", APP_CALLBACK),
        ("scope", "openid email"),
        ("state", "app-state"),
        ("identity_provider", PROVIDER),
        ("code_challenge", s256(PKCE_VERIFIER).as_str()),
        ("code_challenge_method", "S256"),
    ])
    .unwrap()
}

async fn an_idp_initiated_sign_in_needs_idp_init_and_its_assertion_is_used_once(s: TestServer) {
    let Some(x) = setup(&s).await else { return };
    let b = browser();
    let relay = idp_init_relay_state(&x);
    let init = format!(
        "{}/idp-init?RelayState={}",
        x.idp.url,
        url::form_urlencoded::byte_serialize(relay.as_bytes()).collect::<String>()
    );
    // IDPInit is off: an unsolicited response is refused.
    let (action, response, relay_back) = idp_form(&b, &init, "").await;
    assert_eq!(relay_back, relay);
    let r = post_to_acs(&b, &action, &response, &relay_back).await;
    assert_refused(&s, &x, r).await;

    let details: HashMap<String, String> = HashMap::from([
        ("MetadataURL".into(), format!("{}/metadata", x.idp.url)),
        ("IDPInit".into(), "true".into()),
    ]);
    s.admin()
        .update_identity_provider()
        .user_pool_id(&x.pool)
        .provider_name(PROVIDER)
        .set_provider_details(Some(details))
        .send()
        .await
        .unwrap();
    let (action, response, relay_back) = idp_form(&b, &init, "").await;
    let r = post_to_acs(&b, &action, &response, &relay_back).await;
    let id = redeem(&s, &x, &location(&r)).await;
    assert_eq!(id["cognito:username"], format!("{PROVIDER}_alice"));
    // SAML Profiles §4.1.4.5: the same assertion again is a replay.
    let r = post_to_acs(&browser(), &action, &response, &relay_back).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // An unsolicited response must not claim to answer a request.
    let (action, response, relay_back) = idp_form(&b, &init, "&in_response_to=_forged").await;
    let r = post_to_acs(&b, &action, &response, &relay_back).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

/// SAML Profiles §4.4: with IDPSignout, `/logout` sends a LogoutRequest
/// for the signed-in NameID to the IdP's SLO endpoint; its LogoutResponse
/// at `/saml2/logout` goes on to the app's logout URI, once.
async fn logout_ends_the_idp_session_with_idp_signout(s: TestServer) {
    let Some(x) = setup_with(&s, &[("IDPSignout", "true")]).await else {
        return;
    };
    let b = browser();
    let r = sign_in(&s, &x, &b, "").await;
    redeem(&s, &x, &location(&r)).await;
    let r = b
        .get(format!(
            "{}/{}/logout?client_id={}&logout_uri={APP_SIGNED_OUT}",
            s.url, x.pool, x.client_id
        ))
        .send()
        .await
        .unwrap();
    let slo_url = location(&r);
    assert!(
        slo_url.starts_with(&format!("{}/slo/redirect?", x.idp.url)),
        "{slo_url}"
    );
    let request = inflate(&query_param(&slo_url, "SAMLRequest").unwrap());
    assert!(request.contains("LogoutRequest"), "{request}");
    assert!(request.contains(">alice<"), "{request}");
    let r = b.get(&slo_url).send().await.unwrap();
    let back = location(&r);
    assert!(
        back.starts_with(&format!("{}/{}/saml2/logout?", s.url, x.pool)),
        "{back}"
    );
    let r = b.get(&back).send().await.unwrap();
    assert_eq!(location(&r), APP_SIGNED_OUT);
    let logged_out = reqwest::get(format!("{}/logged-out", x.idp.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(logged_out.trim(), "alice");
    // The answer is used once.
    let r = b.get(&back).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The Cognate session is over: the sign-in page, not a code.
    let plain = authorize_url(&s, &x).replace(&format!("&identity_provider={PROVIDER}"), "");
    let r = b.get(plain).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// SAML Profiles §4.4.4: the IdP's own LogoutRequest (signed) ends the
/// browser's Cognate session and is answered with a LogoutResponse; one
/// signed with another key ends nothing.
async fn a_signed_logout_request_from_the_idp_ends_the_session(s: TestServer) {
    let Some(x) = setup_with(&s, &[("IDPSignout", "true")]).await else {
        return;
    };
    let b = browser();
    let r = sign_in(&s, &x, &b, "").await;
    redeem(&s, &x, &location(&r)).await;
    // Without identity_provider, a live SSO session answers at once.
    let plain = authorize_url(&s, &x).replace(&format!("&identity_provider={PROVIDER}"), "");
    let session_alive = |b: reqwest::Client, plain: String| async move {
        let r = b.get(plain).send().await.unwrap();
        r.status().is_redirection() && location(&r).starts_with(APP_CALLBACK)
    };
    assert!(session_alive(b.clone(), plain.clone()).await);
    // Signed with another key: refused, the session lives on.
    let r = b
        .get(format!("{}/slo/initiate?forge=1", x.idp.url))
        .send()
        .await
        .unwrap();
    let to_sp = location(&r);
    assert!(
        to_sp.starts_with(&format!("{}/{}/saml2/logout?", s.url, x.pool)),
        "{to_sp}"
    );
    assert!(query_param(&to_sp, "Signature").is_some());
    let r = b.get(&to_sp).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(session_alive(b.clone(), plain.clone()).await);
    // Another user's logout ends nothing either.
    let r = b
        .get(format!("{}/slo/initiate?user=mallory", x.idp.url))
        .send()
        .await
        .unwrap();
    let r = b.get(location(&r)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(session_alive(b.clone(), plain.clone()).await);
    // The IdP's own: the session ends and the IdP hears Success.
    let r = b
        .get(format!("{}/slo/initiate", x.idp.url))
        .send()
        .await
        .unwrap();
    let r = b.get(location(&r)).send().await.unwrap();
    let back = location(&r);
    assert!(
        back.starts_with(&format!("{}/slo/redirect?", x.idp.url)),
        "{} {back}",
        r.status()
    );
    let r = b.get(&back).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answers = reqwest::get(format!("{}/logout-answers", x.idp.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(answers.trim(), "urn:oasis:names:tc:SAML:2.0:status:Success");
    assert!(!session_alive(b.clone(), plain).await);
}

// ------------------------------------------------- identity pools (issue 16)

/// SAML logins of identity pools (SamlProviderARNs), against the same IdP.
mod identity_pool {
    use super::*;

    const SAML_ARN: &str = "arn:aws:iam::123456789012:saml-provider/Corp";
    const UNCONFIGURED_ARN: &str = "arn:aws:iam::123456789012:saml-provider/Other";
    const AUTH_ROLE: &str = "arn:aws:iam::123456789012:role/Cognito_Saml_Role";
    /// STS AssumeRoleWithSAML's audience and recipient.
    const AWS_SAML: &str = "https://signin.aws.amazon.com/saml";

    /// The IdP answering for AWS (audience and recipient AWS_SAML), and the
    /// server with that IdP as the IAM SAML provider SAML_ARN.
    struct IdentityFixture {
        server: TestServer,
        idp: Idp,
        _metadata: tempfile::NamedTempFile,
    }

    impl IdentityFixture {
        async fn start(backend: cognate_core::test_support::Backend) -> Option<Self> {
            let python = python_or_skip()?;
            let idp = start_idp(&python, AWS_SAML, AWS_SAML, "").await;
            let metadata = reqwest::get(format!("{}/metadata", idp.url))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), metadata).unwrap();
            let path = file.path().to_str().unwrap().to_owned();
            let server = TestServer::start_with(backend, |c| {
                c.iam_saml_providers.insert(
                    SAML_ARN.into(),
                    cognate::config::IamSamlProviderConfig {
                        metadata_file: path,
                    },
                );
            })
            .await?;
            Some(Self {
                server,
                idp,
                _metadata: file,
            })
        }

        /// An unsolicited response of the IdP, with its test knobs.
        async fn saml_response(&self, knobs: &str) -> String {
            let (_, response, _) = idp_form(
                &browser(),
                &format!("{}/idp-init?RelayState=x", self.idp.url),
                knobs,
            )
            .await;
            response
        }
    }

    cognate_core::on_both_backends!(IdentityFixture::start; an_identity_pool_takes_saml_logins);

    async fn an_identity_pool_takes_saml_logins(f: IdentityFixture) {
        use crate::identity_pools::{caller_arn, credentials_of, identity_client, identity_of};
        use aws_sdk_cognitoidentity::error::ProvideErrorMetadata as _;
        let url = &f.server.url;
        let admin = identity_client(url, true);
        let pool = admin
            .create_identity_pool()
            .identity_pool_name("saml")
            .allow_unauthenticated_identities(false)
            .saml_provider_arns(SAML_ARN)
            .saml_provider_arns(UNCONFIGURED_ARN)
            .send()
            .await
            .expect("create identity pool")
            .identity_pool_id()
            .to_owned();
        admin
            .set_identity_pool_roles()
            .identity_pool_id(&pool)
            .roles("authenticated", AUTH_ROLE)
            .send()
            .await
            .unwrap();
        let public = identity_client(url, false);
        // GetId and GetCredentialsForIdentity with the IdP's response.
        let response = f.saml_response("").await;
        let identity = identity_of(&public, &pool, SAML_ARN, &response).await;
        let creds = credentials_of(&public, &identity, SAML_ARN, &response).await;
        let c = creds.credentials().expect("credentials");
        let arn = caller_arn(url, c).await;
        assert!(
            arn.starts_with("arn:aws:sts::123456789012:assumed-role/Cognito_Saml_Role/"),
            "{arn}"
        );
        // Another response for the same NameID is the same identity; another
        // user is another.
        let again = f.saml_response("").await;
        assert_eq!(
            identity_of(&public, &pool, SAML_ARN, &again).await,
            identity
        );
        let bob = f.saml_response("&user=bob").await;
        assert_ne!(identity_of(&public, &pool, SAML_ARN, &bob).await, identity);

        // Refusals, in AWS's words.
        let refusal = |key: &'static str, token: String| {
            let public = public.clone();
            let pool = pool.clone();
            async move {
                let e = public
                    .get_id()
                    .identity_pool_id(pool)
                    .logins(key, token)
                    .send()
                    .await
                    .expect_err("refused")
                    .into_service_error();
                (
                    e.code().unwrap_or("?").to_owned(),
                    e.message().unwrap_or_default().to_owned(),
                )
            }
        };
        let (code, msg) = refusal(SAML_ARN, f.saml_response("&forge=1").await).await;
        assert_eq!(code, "NotAuthorizedException");
        assert_eq!(msg, "Invalid login token. Couldn't verify signed token.");
        let (code, msg) = refusal(SAML_ARN, f.saml_response("&expired=1").await).await;
        assert_eq!(code, "NotAuthorizedException");
        assert_eq!(msg, "Invalid login token. Token expired.");
        let (code, msg) = refusal(
            SAML_ARN,
            f.saml_response("&audience=urn:amazon:cognito:sp:another-pool")
                .await,
        )
        .await;
        assert_eq!(code, "NotAuthorizedException");
        assert_eq!(msg, "Invalid login token. Incorrect token audience.");
        let (code, _) = refusal(SAML_ARN, "bm90IFNBTUw=".into()).await;
        assert_eq!(code, "NotAuthorizedException");
        let (code, msg) = refusal(UNCONFIGURED_ARN, response.clone()).await;
        assert_eq!(code, "NotAuthorizedException");
        assert!(msg.contains("iam_saml_providers"), "{msg}");
    }
}
