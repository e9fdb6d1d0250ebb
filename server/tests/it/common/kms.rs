//! A KMS API peer for the custom sender tests: a small axum server on a
//! random port speaking KMS's JSON protocol (`POST /`, `X-Amz-Target:
//! TrentService.<Action>`, awsJson1_1), as AWS KMS answers it for one
//! symmetric key: GenerateDataKey gives a fresh random data key and a
//! CiphertextBlob the peer keeps; Decrypt gives the data key back for that
//! blob when the key and the encryption context are the ones it was
//! generated under. Every call is recorded. [`open`] decrypts a custom
//! sender's `code` as the function would: the AWS Encryption SDK with a KMS
//! keyring for the key, against this peer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use aws_esdk::client as esdk_client;
use aws_esdk::material_providers::client as mpl_client;
use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use super::lambda::{self, Peer, start_peer};
use super::{Backend, TestServer};

/// The key the peer holds, as a pool's KMSKeyID names it.
pub const KEY_ARN: &str =
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub const KMS_KEY_ID: &str = "AKIAKMSTESTKEY000001";
pub const KMS_SECRET: &str = "kms-test-secret-access-key";

/// One call the peer received.
#[derive(Clone, Debug)]
pub struct KmsCall {
    /// E.g. `GenerateDataKey`.
    pub action: String,
    pub key_id: String,
    pub context: Value,
    /// Signed (SigV4) with the configured access key, for KMS in us-east-1.
    pub scoped: bool,
}

/// A data key the peer generated: what its blob opens to, and under what.
struct DataKey {
    context: Value,
    plaintext: Vec<u8>,
}

#[derive(Default)]
pub struct KmsPeer {
    calls: Mutex<Vec<KmsCall>>,
    keys: Mutex<HashMap<Vec<u8>, DataKey>>,
}

impl KmsPeer {
    pub fn calls(&self) -> Vec<KmsCall> {
        self.calls.lock().unwrap().clone()
    }
}

/// KMS's error answer: `__type` and message, status 400.
fn kms_error(kind: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [("content-type", "application/x-amz-json-1.1")],
        axum::Json(json!({"__type": kind, "message": message})),
    )
        .into_response()
}

fn kms_ok(body: Value) -> Response {
    (
        StatusCode::OK,
        [("content-type", "application/x-amz-json-1.1")],
        axum::Json(body),
    )
        .into_response()
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut out).unwrap();
    out
}

async fn handle(State(peer): State<Arc<KmsPeer>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let action = header("x-amz-target")
        .strip_prefix("TrentService.")
        .unwrap_or("")
        .to_owned();
    let auth = header("authorization");
    let scoped = auth.starts_with("AWS4-HMAC-SHA256 ")
        && auth.contains(&format!("Credential={KMS_KEY_ID}/"))
        && auth.contains("/us-east-1/kms/aws4_request");
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let key_id = request["KeyId"].as_str().unwrap_or("").to_owned();
    let context = request
        .get("EncryptionContext")
        .cloned()
        .unwrap_or_else(|| json!({}));
    peer.calls.lock().unwrap().push(KmsCall {
        action: action.clone(),
        key_id: key_id.clone(),
        context: context.clone(),
        scoped,
    });
    if key_id != KEY_ARN {
        return kms_error(
            "NotFoundException",
            &format!("Key '{key_id}' does not exist"),
        );
    }
    match action.as_str() {
        "GenerateDataKey" => {
            let bytes = request["NumberOfBytes"].as_u64().unwrap_or(32) as usize;
            let plaintext = random_bytes(bytes);
            // A blob only this peer can map back, as KMS's are.
            let blob = random_bytes(48);
            peer.keys.lock().unwrap().insert(
                blob.clone(),
                DataKey {
                    context,
                    plaintext: plaintext.clone(),
                },
            );
            kms_ok(json!({
                "CiphertextBlob": B64.encode(&blob),
                "Plaintext": B64.encode(&plaintext),
                "KeyId": KEY_ARN,
            }))
        }
        "Decrypt" => {
            let blob = request["CiphertextBlob"]
                .as_str()
                .and_then(|b| B64.decode(b).ok())
                .unwrap_or_default();
            let keys = peer.keys.lock().unwrap();
            match keys.get(&blob) {
                Some(k) if k.context == context => kms_ok(json!({
                    "KeyId": KEY_ARN,
                    "Plaintext": B64.encode(&k.plaintext),
                    "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                })),
                _ => kms_error("InvalidCiphertextException", ""),
            }
        }
        _ => kms_error("UnsupportedOperationException", &action),
    }
}

/// The peer on a random port.
pub async fn start_kms() -> (Arc<KmsPeer>, SocketAddr) {
    let peer = Arc::new(KmsPeer::default());
    let app = axum::Router::new()
        .route("/", post(handle))
        .with_state(peer.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (peer, addr)
}

/// A Cognate whose functions run at the Lambda peer and whose KMS is at
/// `kms` (the KMS peer, or an address nobody answers at).
pub async fn server_with_kms(kms: SocketAddr) -> (TestServer, Arc<Peer>) {
    let (functions, lambda_addr) = start_peer().await;
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.lambda_endpoint = Some(format!("http://{lambda_addr}"));
        c.lambda_access_key_id = Some(lambda::KEY_ID.into());
        c.lambda_secret_access_key = Some(cognate::config::Secret::new(lambda::SECRET));
        c.kms_endpoint = Some(format!("http://{kms}"));
        c.kms_access_key_id = Some(KMS_KEY_ID.into());
        c.kms_secret_access_key = Some(cognate::config::Secret::new(KMS_SECRET));
    })
    .await
    .unwrap();
    (s, functions)
}

/// What a custom sender function does with `code`: base64-decodes it and
/// decrypts it with the AWS Encryption SDK and a KMS keyring for
/// [`KEY_ARN`], KMS being the peer at `kms`. The plaintext, and the
/// message's encryption context.
pub async fn open(kms: SocketAddr, code: &str) -> (String, HashMap<String, String>) {
    use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
    let message = B64.decode(code).expect("the code is base64");
    let client = aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(format!("http://{kms}"))
            .credentials_provider(Credentials::new(KMS_KEY_ID, KMS_SECRET, None, None, "test"))
            .build(),
    );
    // The Encryption SDK blocks its thread on KMS: off the runtime's workers.
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        runtime.block_on(async move {
            let esdk =
                esdk_client::Client::from_conf(AwsEncryptionSdkConfig::builder().build().unwrap())
                    .unwrap();
            let mpl =
                mpl_client::Client::from_conf(MaterialProvidersConfig::builder().build().unwrap())
                    .unwrap();
            let keyring = mpl
                .create_aws_kms_keyring()
                .kms_key_id(KEY_ARN)
                .kms_client(client)
                .send()
                .await
                .expect("keyring");
            let out = esdk
                .decrypt()
                .ciphertext(message)
                .keyring(keyring)
                .send()
                .await
                .expect("the code decrypts");
            let plaintext = out.plaintext.expect("plaintext");
            (
                String::from_utf8(plaintext.into_inner()).expect("UTF-8"),
                out.encryption_context.unwrap_or_default(),
            )
        })
    })
    .await
    .unwrap()
}
