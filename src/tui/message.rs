//! Messages into the controller: input, ticks, and results in the past tense (ApisLoaded).
//! Commands, what the worker is asked to do, are apart in `command.rs`.

use super::store::{ApiRef, DetailData, PartnersView};
use crate::domain::{Api, ApiKey, Authorizer, CreatedKey, Feed, LookupPage, Secret, Trail, Usage, UsagePlan};
use crate::openapi::DocLine;
use crate::partners::Credentials;
use crossterm::event::{KeyEvent, MouseEvent};

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    // ---- input ----
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    Tick,
    /// SIGTERM / SIGHUP: leave cleanly.
    Terminate,

    // ---- results ----
    ApisLoaded {
        request: u64,
        result: Result<Vec<Api>, String>,
        at: String,
    },
    ApiDetailLoaded {
        request: u64,
        api: ApiRef,
        result: Result<DetailData, String>,
    },
    /// An incomplete API read again: `None` when it was deleted since.
    ApiReread {
        request: u64,
        api: ApiRef,
        result: Result<Option<Api>, String>,
    },
    /// An API's authorizers, read with its detail (the catalog does not read them).
    AuthorizersLoaded {
        api: ApiRef,
        result: Result<Vec<Authorizer>, String>,
    },
    /// What was kept from the last run for a load in flight, shown until its answer.
    Cached(Cached),
    DocsLoaded {
        request: u64,
        api: ApiRef,
        stage: String,
        result: Result<Vec<DocLine>, String>,
    },
    PlansLoaded {
        request: u64,
        result: Result<Vec<UsagePlan>, String>,
    },
    KeysLoaded {
        request: u64,
        result: Result<Vec<ApiKey>, String>,
    },
    UsageLoaded {
        request: u64,
        plan: String,
        result: Result<Usage, String>,
    },
    Mutated {
        request: u64,
        description: String,
        result: Result<Option<CreatedKey>, String>,
    },
    PartnersLoaded {
        request: u64,
        result: Result<PartnersView, String>,
    },
    /// A call's answer (try it): the response, with how it was authenticated.
    Called {
        request: u64,
        result: Result<Called, String>,
    },
    /// A jq filter's outputs (each a JSON text), or its error.
    JqDone {
        request: u64,
        result: Result<Vec<String>, String>,
    },
    /// The governance findings over the whole estate.
    FindingsLoaded {
        request: u64,
        result: Result<FindingsView, String>,
    },
    /// The request history, oldest first.
    HistoryLoaded {
        request: u64,
        result: Result<Vec<crate::tryit::history::Entry>, String>,
    },
    /// An app client's secret, read to be revealed or copied.
    ClientSecretRead {
        client_id: String,
        then: super::command::SecretUse,
        result: Result<Secret, String>,
    },
    /// A partner change checked into the plan its review shows.
    PartnerPlanned {
        request: u64,
        result: Result<Box<crate::partners::ops::Change>, String>,
    },
    /// A partner change finished: the credentials it handed over, if it made any.
    PartnerChanged {
        request: u64,
        description: String,
        result: Result<Option<Credentials>, String>,
    },
    AuditOpened {
        request: u64,
        result: Result<Feed, String>,
        /// Trail log files that could not be read (S3), as `key: problem`.
        problems: Vec<String>,
    },
    AuditPageLoaded {
        request: u64,
        pages: Vec<(usize, Result<LookupPage, String>)>,
    },
    TrailsLoaded {
        request: u64,
        result: Result<Vec<Trail>, String>,
    },
    HideValue {
        key: String,
        generation: u64,
    },
    ClearClipboard {
        generation: u64,
    },
    /// Something went partly wrong (e.g. one region failed); shown on the status line.
    Warning(String),
}

pub use super::data::{Cached, Called, FindingsView};
