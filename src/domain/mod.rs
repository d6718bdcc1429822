//! Small typed structs for what the AWS layer returns. No SDK types here.

mod catalog;
mod secret;

pub use catalog::*;
pub use secret::Secret;
