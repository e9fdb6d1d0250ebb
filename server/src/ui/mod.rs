//! Hosted-UI routes: a GET renders an app/ page, a POST handles its form.

pub mod assets;
pub mod home;
pub mod hosted;
pub mod logo;
pub mod outbox;
pub mod theme;
