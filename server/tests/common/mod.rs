//! Shared test helpers. Each test starts its own server with its own data.
#![allow(dead_code)]

pub mod process;
