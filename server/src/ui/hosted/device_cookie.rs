//! The hosted UI's remembered-device cookie: the sealed `BrowserDevice` of
//! core's `devices.rs` (device key and the secret only this browser holds),
//! one cookie per pool (its name carries the pool id, and it is sealed for
//! that pool). HttpOnly, SameSite=Lax, Secure as the session cookie is, and
//! long-lived: a device stays remembered until it is forgotten.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use cognate_core::service::devices::BrowserDevice;

use crate::sessions::is_local_http;
use crate::state::AppState;

/// How long the browser keeps the cookie: a year, renewed by each
/// remembering (the device record, not the cookie, decides whether it
/// still counts).
const MAX_AGE_SECONDS: u32 = 365 * 24 * 60 * 60;

/// `cognate_device_<poolId>`; `__Host-` first when Secure (RFC 6265bis
/// §4.1.3.2: no Domain, Path=/, so a sibling subdomain cannot plant one).
fn name(state: &AppState, pool_id: &str) -> (String, bool) {
    let secure = !is_local_http(&state.public_url);
    let prefix = if secure { "__Host-" } else { "" };
    (format!("{prefix}cognate_device_{pool_id}"), secure)
}

/// The browser's remembered device for this pool, if its cookie opens.
pub fn read(state: &AppState, headers: &HeaderMap, pool_id: &str) -> Option<BrowserDevice> {
    let (name, _) = name(state, pool_id);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(name.as_str())?.strip_prefix('='))
        .find_map(|v| state.idp.open_browser_device(pool_id, v))
}

/// Adds the cookie holding `sealed` (from `Idp::remember_browser_device`)
/// to a response.
pub fn set(state: &AppState, pool_id: &str, sealed: &str, mut response: Response) -> Response {
    let (name, secure) = name(state, pool_id);
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{name}={sealed}; Path=/; Max-Age={MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax{secure}"
    );
    match HeaderValue::from_str(&value) {
        Ok(v) => {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
        Err(e) => tracing::warn!(error = %e, "device cookie not set"),
    }
    response
}
