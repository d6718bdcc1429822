//! Small typed structs for what the AWS layer returns. No SDK types here.

mod access;
mod catalog;
mod secret;

pub use access::*;
pub use catalog::*;
pub use secret::Secret;
