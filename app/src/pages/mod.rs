//! One module per hosted-UI page.

pub mod home;
pub mod outbox;
