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
pub use plan::{Arg, Call, Place, Plan};
pub use secret::Secret;

/// The account an object lives in, as every listing's JSON carries it (`account`: the id,
/// `accountName`); both `null` when the credentials' own account is read alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct AccountRef {
    #[serde(rename = "account", default)]
    pub id: Option<String>,
    #[serde(rename = "accountName", default)]
    pub name: Option<String>,
}

impl AccountRef {
    pub fn new(id: Option<String>, name: Option<String>) -> AccountRef {
        AccountRef { id, name }
    }

    /// The ACCOUNT column: its name, else its id, else `-`.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("-")
    }
}
