//! The hosted UI's pages: pure Leptos views rendered on the server from
//! props. No I/O here; the server loads data and passes it in.

pub mod i18n;
pub mod layout;
pub mod pages;
