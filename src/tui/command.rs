//! Commands: what the worker (or the loop) is asked to do. Every load and change is a feature's
//! typed job (src/tui/jobs.rs); the rest is what is generic: the clipboard, a timer, a cancel.
//! The controller queues them in its outbox; the loop hands them to the worker.

use super::jobs::JobBox;
use super::message::Message;
use super::store::ApiRef;
use crate::domain::Secret;
pub use crate::partners::run::PartnerOp;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A feature's load or change (src/tui/jobs.rs): what it calls and returns is its own.
    Job { request: u64, job: JobBox },
    /// Write to the clipboard with OSC 52 (done by the loop: it owns the terminal).
    Clipboard(Secret),
    /// Send `message` back after `millis` (reveal and clipboard timeouts).
    After { millis: u64, message: Box<Message> },
    /// Stop the load in `slot`, if one runs, and forget the one waiting behind it.
    Cancel(Slot),
}

/// A response body for jq: in memory, or in the temporary file a large one went to. Its
/// `Debug` gives the size, never the bytes.
#[derive(Clone, PartialEq)]
pub enum Body {
    Bytes(std::sync::Arc<Vec<u8>>),
    File(std::path::PathBuf),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Bytes(b) => write!(f, "Body({} bytes)", b.len()),
            Body::File(p) => write!(f, "Body(file {})", p.display()),
        }
    }
}

/// What a secret read at the user's request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretUse {
    Reveal,
    Copy,
}

/// Where a load runs: at most one at a time per slot. A newer load of the same thing waits
/// behind the one in flight (only the newest waits; the ones it replaced never run); a load
/// of something else cancels the one in flight.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    Apis,
    Api(ApiRef),
    Detail(ApiRef),
    Docs(ApiRef, String),
    Plans,
    Keys,
    Usage(String),
    Audit,
    AuditPage,
    Trails,
    Partners,
    PartnerPlan,
    Call,
    Jq,
    History,
    /// A feature's job: the feature, and what in it (an id, or empty for the feature's one load).
    Feature(&'static str, String),
}

impl Command {
    /// The slot a load runs in; `None` for what runs alongside everything (changes, timers).
    pub fn slot(&self) -> Option<Slot> {
        match self {
            Command::Job { job, .. } => job.0.slot(),
            Command::Clipboard(_) | Command::After { .. } | Command::Cancel(_) => None,
        }
    }

    /// The request id a command carries (0 for those without one).
    pub fn request(&self) -> u64 {
        match self {
            Command::Job { request, .. } => *request,
            Command::Clipboard(_) | Command::After { .. } | Command::Cancel(_) => 0,
        }
    }

    /// The command with its request id zeroed: two loads of the same thing compare equal.
    pub fn what(&self) -> Command {
        match self {
            Command::Job { job, .. } => Command::Job { request: 0, job: job.clone() },
            other => other.clone(),
        }
    }

    /// The result a command gives when it fails as a whole (no endpoint, a panic in its task):
    /// made here alone. `None` for commands that answer nothing.
    pub fn failed(&self, error: &str) -> Option<Message> {
        match self {
            Command::Job { request, job } => {
                Some(Message::Done { request: *request, output: job.0.failed(error.into()) })
            }
            Command::Clipboard(_) | Command::After { .. } | Command::Cancel(_) => None,
        }
    }
}
