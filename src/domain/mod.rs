//! Small typed structs for what the AWS layer returns. No SDK types here.

mod access;
mod audit;
mod audit_feed;
mod catalog;
mod partner;
pub mod plan;
mod redact;
mod secret;

pub use access::*;
pub use audit::*;
pub use audit_feed::*;
pub use catalog::*;
pub use partner::*;
pub use plan::{Arg, Call, Plan};
pub use secret::Secret;
