//! Commands: what the worker does, in the imperative (LoadApis). The controller queues them in
//! its outbox; the loop hands them to the worker, which matches every one of them.

use super::message::Message;
use super::store::ApiRef;
use crate::domain::{Api, AuditQuery, Cursor, Feed, Mutation, Secret};
pub use crate::partners::ops::Change;
pub use crate::partners::run::PartnerOp;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    LoadApis {
        request: u64,
    },
    LoadApiDetail {
        request: u64,
        api: Box<Api>,
    },
    /// Read an incomplete API of the catalog again (its stages).
    RereadApi {
        request: u64,
        api: Box<Api>,
    },
    LoadDocs {
        request: u64,
        api: Box<Api>,
        stage: String,
    },
    LoadPlans {
        request: u64,
    },
    LoadKeys {
        request: u64,
    },
    LoadUsage {
        request: u64,
        plan: String,
        region: String,
    },
    Mutate {
        request: u64,
        mutation: Mutation,
        region: String,
    },
    /// Open an audit query: plan its cursors and read the cache (LookupEvents), or read the
    /// trail's log files (S3).
    OpenAudit {
        request: u64,
        query: Box<AuditQuery>,
        source: String,
    },
    /// One more page for every cursor that has more.
    LoadAuditPage {
        request: u64,
        cursors: Vec<Cursor>,
    },
    /// Write the cache files of the cursors a page moved on (no result comes back).
    SaveAuditCache {
        feed: Box<Feed>,
        changed: Vec<usize>,
    },
    LoadTrails {
        request: u64,
    },
    /// The partners, the partner pool, and what reconcile would do.
    LoadPartners {
        request: u64,
    },
    /// Check a partner change into the plan its review shows (nothing changes).
    PlanPartnerChange {
        request: u64,
        op: Box<PartnerOp>,
    },
    /// A reviewed partner change, carried out as it was reviewed (one at a time).
    PartnerChange {
        request: u64,
        change: Box<Change>,
    },
    /// Call an operation of an API stage (try it).
    Call {
        request: u64,
        api: Box<Api>,
        stage: String,
        spec: Box<crate::tryit::CallSpec>,
        auth: crate::tryit::auth::AuthChoice,
    },
    /// A jq filter over a call's body (off the UI thread: a filter can take long).
    Jq {
        request: u64,
        filter: String,
        body: Body,
    },
    /// Every governance rule over the estate (read whole: methods, routes, plans, keys, partners).
    LoadFindings {
        request: u64,
    },
    /// The request history, newest last.
    LoadHistory {
        request: u64,
    },
    /// Remove one entry from the history (then it is read again).
    DeleteHistory {
        request: u64,
        entry: Box<crate::tryit::history::Entry>,
    },
    /// An app client's secret, read when it is to be revealed or copied (DescribeUserPoolClient).
    ReadClientSecret {
        request: u64,
        region: String,
        client_id: String,
        then: SecretUse,
    },
    /// Keep the catalog for the next start (the warm start; no result comes back).
    SaveCatalog {
        apis: Box<Vec<Api>>,
    },
    /// Write to the clipboard with OSC 52 (done by the loop: it owns the terminal).
    Clipboard(Secret),
    /// Send `message` back after `millis` (reveal and clipboard timeouts).
    After {
        millis: u64,
        message: Box<Message>,
    },
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
    Findings,
}

impl Command {
    /// The slot a load runs in; `None` for what runs alongside everything (changes, timers).
    pub fn slot(&self) -> Option<Slot> {
        match self {
            Command::LoadApis { .. } => Some(Slot::Apis),
            Command::LoadApiDetail { api, .. } => Some(Slot::Detail(ApiRef::of(api))),
            Command::RereadApi { api, .. } => Some(Slot::Api(ApiRef::of(api))),
            Command::LoadDocs { api, stage, .. } => Some(Slot::Docs(ApiRef::of(api), stage.clone())),
            Command::LoadPlans { .. } => Some(Slot::Plans),
            Command::LoadKeys { .. } => Some(Slot::Keys),
            Command::LoadUsage { plan, .. } => Some(Slot::Usage(plan.clone())),
            Command::OpenAudit { .. } => Some(Slot::Audit),
            Command::LoadAuditPage { .. } => Some(Slot::AuditPage),
            Command::LoadTrails { .. } => Some(Slot::Trails),
            Command::LoadPartners { .. } => Some(Slot::Partners),
            Command::PlanPartnerChange { .. } => Some(Slot::PartnerPlan),
            Command::Call { .. } => Some(Slot::Call),
            Command::Jq { .. } => Some(Slot::Jq),
            Command::LoadFindings { .. } => Some(Slot::Findings),
            Command::LoadHistory { .. } | Command::DeleteHistory { .. } => Some(Slot::History),
            Command::Mutate { .. }
            | Command::PartnerChange { .. }
            | Command::ReadClientSecret { .. }
            | Command::SaveAuditCache { .. }
            | Command::SaveCatalog { .. }
            | Command::Clipboard(_)
            | Command::After { .. }
            | Command::Cancel(_) => None,
        }
    }

    /// The request id a command carries (0 for those without one).
    pub fn request(&self) -> u64 {
        let mut c = self.clone();
        c.request_mut().map_or(0, |r| *r)
    }

    /// The command with its request id zeroed: two loads of the same thing compare equal.
    pub fn what(&self) -> Command {
        let mut c = self.clone();
        if let Some(r) = c.request_mut() {
            *r = 0;
        }
        c
    }

    fn request_mut(&mut self) -> Option<&mut u64> {
        match self {
            Command::LoadApis { request }
            | Command::LoadApiDetail { request, .. }
            | Command::RereadApi { request, .. }
            | Command::LoadDocs { request, .. }
            | Command::LoadPlans { request }
            | Command::LoadKeys { request }
            | Command::LoadUsage { request, .. }
            | Command::Mutate { request, .. }
            | Command::OpenAudit { request, .. }
            | Command::LoadAuditPage { request, .. }
            | Command::LoadTrails { request }
            | Command::LoadPartners { request }
            | Command::Call { request, .. }
            | Command::Jq { request, .. }
            | Command::LoadFindings { request }
            | Command::LoadHistory { request }
            | Command::DeleteHistory { request, .. }
            | Command::PartnerChange { request, .. }
            | Command::PlanPartnerChange { request, .. }
            | Command::ReadClientSecret { request, .. } => Some(request),
            Command::SaveAuditCache { .. }
            | Command::SaveCatalog { .. }
            | Command::Clipboard(_)
            | Command::After { .. }
            | Command::Cancel(_) => None,
        }
    }

    /// The result a command gives when it fails as a whole (no endpoint, a panic in its task):
    /// made here alone. `None` for commands that answer nothing.
    pub fn failed(&self, error: &str) -> Option<Message> {
        let e = || error.to_string();
        Some(match self {
            Command::LoadApis { request } => {
                Message::ApisLoaded { request: *request, result: Err(e()), at: super::worker::now_hms() }
            }
            Command::LoadApiDetail { request, api } => {
                Message::ApiDetailLoaded { request: *request, api: ApiRef::of(api), result: Err(e()) }
            }
            Command::RereadApi { request, api } => {
                Message::ApiReread { request: *request, api: ApiRef::of(api), result: Err(e()) }
            }
            Command::LoadDocs { request, api, stage } => {
                Message::DocsLoaded { request: *request, api: ApiRef::of(api), stage: stage.clone(), result: Err(e()) }
            }
            Command::LoadPlans { request } => Message::PlansLoaded { request: *request, result: Err(e()) },
            Command::LoadKeys { request } => Message::KeysLoaded { request: *request, result: Err(e()) },
            Command::LoadUsage { request, plan, .. } => {
                Message::UsageLoaded { request: *request, plan: plan.clone(), result: Err(e()) }
            }
            Command::Mutate { request, mutation, .. } => {
                Message::Mutated { request: *request, description: mutation.describe(), result: Err(e()) }
            }
            Command::OpenAudit { request, .. } => {
                Message::AuditOpened { request: *request, result: Err(e()), problems: vec![] }
            }
            Command::LoadAuditPage { request, .. } => {
                Message::AuditPageLoaded { request: *request, pages: vec![(usize::MAX, Err(e()))] }
            }
            Command::LoadTrails { request } => Message::TrailsLoaded { request: *request, result: Err(e()) },
            Command::LoadPartners { request } => Message::PartnersLoaded { request: *request, result: Err(e()) },
            Command::Call { request, .. } => Message::Called { request: *request, result: Err(e()) },
            Command::Jq { request, .. } => Message::JqDone { request: *request, result: Err(e()) },
            Command::LoadFindings { request } => Message::FindingsLoaded { request: *request, result: Err(e()) },
            Command::LoadHistory { request } | Command::DeleteHistory { request, .. } => {
                Message::HistoryLoaded { request: *request, result: Err(e()) }
            }
            Command::PlanPartnerChange { request, .. } => {
                Message::PartnerPlanned { request: *request, result: Err(e()) }
            }
            Command::PartnerChange { request, change } => {
                Message::PartnerChanged { request: *request, description: change.title(), result: Err(e()) }
            }
            Command::ReadClientSecret { client_id, then, .. } => {
                Message::ClientSecretRead { client_id: client_id.clone(), then: *then, result: Err(e()) }
            }
            Command::SaveAuditCache { .. }
            | Command::SaveCatalog { .. }
            | Command::Clipboard(_)
            | Command::After { .. }
            | Command::Cancel(_) => return None,
        })
    }
}
