//! One module per hosted-UI page.

pub mod home;
pub mod hosted;
pub mod outbox;
