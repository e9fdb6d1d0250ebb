//! A small OpenID provider for the federation tests, on a random local
//! port: discovery, authorize (signs the user in at once), token (an RS256
//! ID token), JWKS, an optional end-session endpoint that records what it
//! was sent, and a Sign in with Apple mode (client-secret JWT checked,
//! form_post answers).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cognate_core::Timestamp;
use cognate_core::crypto::MasterKey;
use cognate_core::tokens::{Signer, new_signing_key};
use serde_json::{Value, json};

/// The provider in the test: what it issued and what it was asked.
pub struct Peer {
    pub base: String,
    signer: Signer,
    end_session: bool,
    /// Sign in with Apple: the token endpoint takes only a client-secret
    /// JWT signed by this key, and authorize answers by form_post.
    apple: Option<Apple>,
    nonce: Mutex<Option<String>>,
    pub issued: Mutex<Option<String>>,
    pub logouts: Mutex<Vec<HashMap<String, String>>>,
}

/// What Apple checks of the client secret (Apple: "Creating a client
/// secret"): its ES256 signature with the developer's public key, `kid`,
/// `iss` (team), `sub` (client), `aud`.
pub struct Apple {
    pub public_pem: String,
    pub key_id: String,
    pub team_id: String,
}

async fn discovery(State(p): State<Arc<Peer>>) -> Json<Value> {
    let b = &p.base;
    let mut doc = json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/authorize"),
        "token_endpoint": format!("{b}/token"),
        "jwks_uri": format!("{b}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    if p.end_session {
        doc["end_session_endpoint"] = json!(format!("{b}/end_session"));
    }
    Json(doc)
}

/// Signs the user in at once: back to the redirect URI with a code; for
/// `response_mode=form_post`, the form's fields as JSON (the test posts
/// them as the browser would).
async fn authorize(
    State(p): State<Arc<Peer>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    *p.nonce.lock().unwrap() = q.get("nonce").cloned();
    if q.get("response_mode").map(String::as_str) == Some("form_post") {
        return Json(json!({
            "action": q["redirect_uri"],
            "code": "peer-code",
            "state": q["state"],
        }))
        .into_response();
    }
    let back = format!(
        "{}?code=peer-code&state={}",
        q["redirect_uri"],
        urlencode(&q["state"])
    );
    Redirect::to(&back).into_response()
}

async fn token(State(p): State<Arc<Peer>>, Form(f): Form<HashMap<String, String>>) -> Response {
    if let Some(apple) = &p.apple
        && let Err(why) = check_apple_secret(apple, &f)
    {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_client", "why": why})),
        )
            .into_response();
    }
    if f.get("code").map(String::as_str) != Some("peer-code") {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut claims = serde_json::Map::new();
    for (k, v) in [
        ("iss", json!(p.base)),
        ("sub", json!("peer-user-1")),
        (
            "aud",
            json!(f.get("client_id").cloned().unwrap_or_default()),
        ),
        ("iat", json!(now)),
        ("exp", json!(now + 600)),
        ("nonce", json!(p.nonce.lock().unwrap().clone())),
        ("email", json!("pat@peer.example")),
    ] {
        claims.insert(k.into(), v);
    }
    let id_token = p.signer.sign(&claims).unwrap();
    *p.issued.lock().unwrap() = Some(id_token.clone());
    Json(json!({
        "access_token": "peer-access-token",
        "token_type": "Bearer",
        "expires_in": 600,
        "id_token": id_token,
    }))
    .into_response()
}

async fn jwks(State(p): State<Arc<Peer>>) -> Json<Value> {
    Json(json!({ "keys": [p.signer.jwk()] }))
}

/// RP-Initiated Logout 1.0 §2–3: records the request, back with `state`.
async fn end_session(
    State(p): State<Arc<Peer>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    p.logouts.lock().unwrap().push(q.clone());
    let back = format!(
        "{}?state={}",
        q["post_logout_redirect_uri"],
        urlencode(&q["state"])
    );
    Redirect::to(&back).into_response()
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_owned()
}

pub async fn start_peer(end_session_endpoint: bool, apple: Option<Apple>) -> Arc<Peer> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (_, signer) = new_signing_key(&MasterKey::generate(), "peer", Timestamp(0)).unwrap();
    let peer = Arc::new(Peer {
        base,
        signer,
        end_session: end_session_endpoint,
        apple,
        nonce: Mutex::new(None),
        issued: Mutex::new(None),
        logouts: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/jwks", get(jwks))
        .route("/end_session", get(end_session))
        .with_state(peer.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    peer
}

fn check_apple_secret(apple: &Apple, form: &HashMap<String, String>) -> Result<(), String> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let secret = form.get("client_secret").ok_or("no client_secret")?;
    let client_id = form.get("client_id").ok_or("no client_id")?;
    let header = decode_header(secret).map_err(|e| e.to_string())?;
    if header.alg != Algorithm::ES256 || header.kid.as_deref() != Some(apple.key_id.as_str()) {
        return Err(format!("header {header:?}"));
    }
    let key = DecodingKey::from_ec_pem(apple.public_pem.as_bytes()).map_err(|e| e.to_string())?;
    let mut v = Validation::new(Algorithm::ES256);
    v.set_audience(&["https://appleid.apple.com"]);
    v.set_issuer(&[apple.team_id.as_str()]);
    v.sub = Some(client_id.clone());
    v.set_required_spec_claims(&["exp", "iat", "aud", "iss", "sub"]);
    decode::<Value>(secret, &key, &v).map_err(|e| e.to_string())?;
    Ok(())
}
