//! One module per hosted-UI page.

pub mod home;
