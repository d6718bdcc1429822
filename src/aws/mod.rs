//! Plain async functions over the SDK clients, returning domain types. No UI imports.

pub mod audit;
pub mod catalog;
pub mod clients;
pub mod error;
pub mod keys;
pub mod pacing;
pub mod paging;
pub mod plans;

pub use clients::{AwsContext, connect};
pub use error::{AwsError, ErrorKind};
