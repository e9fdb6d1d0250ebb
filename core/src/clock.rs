//! The one source of "now". Every expiry reads it, so tests can move time
//! forward instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch. On the wire (serde) it is Cognito's
/// date format: epoch seconds as a JSON number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.epoch_seconds_f64())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let secs = f64::deserialize(d)?;
        Ok(Timestamp((secs * 1000.0).round() as i64))
    }
}

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
    /// Cognito's wire format for dates: epoch seconds as a JSON number.
    pub fn epoch_seconds_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    pub fn plus_seconds(self, s: i64) -> Self {
        Timestamp(self.0.saturating_add(s.saturating_mul(1000)))
    }
}

/// A clock: the system's, or a settable one for tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that stands still at `start` until moved with [`Clock::advance`].
    pub fn manual(start: Timestamp) -> Self {
        Self {
            fixed: Some(Arc::new(AtomicI64::new(start.0))),
        }
    }

    pub fn now(&self) -> Timestamp {
        match &self.fixed {
            Some(t) => Timestamp(t.load(Ordering::SeqCst)),
            None => Timestamp(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or(0),
            ),
        }
    }

    /// Moves a manual clock forward; a system clock ignores it.
    pub fn advance(&self, millis: i64) {
        if let Some(t) = &self.fixed {
            t.fetch_add(millis, Ordering::SeqCst);
        }
    }

    pub fn set(&self, at: Timestamp) {
        if let Some(t) = &self.fixed {
            t.store(at.0, Ordering::SeqCst);
        }
    }

    pub fn is_manual(&self) -> bool {
        self.fixed.is_some()
    }
}
