//! Remembered devices: Cognito's DeviceType. A device is made at sign-in
//! (NewDeviceMetadata) when the pool tracks devices, gets its SRP verifier
//! with ConfirmDevice, and is remembered or not (UpdateDeviceStatus).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Timestamp;

/// Cognito API: DeviceRememberedStatusType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Remembered,
    NotRemembered,
}

impl DeviceStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "remembered" => Some(Self::Remembered),
            "not_remembered" => Some(Self::NotRemembered),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Remembered => "remembered",
            Self::NotRemembered => "not_remembered",
        }
    }
}

/// One device of one user, as stored. The SRP verifier is sealed under the
/// master key for this device's record; it is never stored in the clear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// `<region>_<uuid>`, unique across pools.
    pub device_key: String,
    pub pool_id: String,
    pub sub: Uuid,
    pub group_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `None` until ConfirmDevice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeviceStatus>,
    /// The sealed `(salt, verifier)` of ConfirmDevice's
    /// DeviceSecretVerifierConfig; `None` until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_verifier: Option<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub last_authenticated: Timestamp,
}

impl Device {
    /// The record id the verifier is sealed for.
    pub fn seal_id(&self) -> String {
        format!("device-verifier:{}:{}", self.pool_id, self.device_key)
    }
}
