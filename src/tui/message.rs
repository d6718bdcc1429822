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

/// A detail or docs page from the warm cache, for the load `request` in flight.
#[derive(Debug, Clone, PartialEq)]
pub enum Cached {
    Detail { request: u64, api: ApiRef, data: DetailData, authorizers: Vec<Authorizer>, saved_at: String },
    Docs { request: u64, api: ApiRef, stage: String, lines: Vec<DocLine>, saved_at: String },
}

/// What `:findings` shows: the report, what could not be read, the waivers' warnings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FindingsView {
    pub report: crate::governance::Report,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
    /// The APIs the rules saw (`(region, id)`): an API created since shows no count.
    pub evaluated: Vec<(String, String)>,
}

impl FindingsView {
    /// Unwaived findings per API (`(region, id)`): how many, and the worst severity.
    pub fn per_api(&self) -> std::collections::HashMap<(String, String), (usize, crate::governance::Severity)> {
        let mut out: std::collections::HashMap<(String, String), (usize, crate::governance::Severity)> =
            self.evaluated.iter().map(|k| (k.clone(), (0, crate::governance::Severity::Info))).collect();
        for f in self.report.findings.iter().filter(|f| !f.waived) {
            let Some(id) = &f.api_id else { continue };
            let e = out.entry((f.region.clone(), id.clone())).or_insert((0, f.severity));
            e.1 = if e.0 == 0 { f.severity } else { e.1.max(f.severity) };
            e.0 += 1;
        }
        out
    }
}

/// A call that came back.
#[derive(Debug, Clone, PartialEq)]
pub struct Called {
    pub response: crate::tryit::send::CallResponse,
    /// How it was authenticated, for people (`x-api-key of key k1`).
    pub said: Vec<String>,
    pub operation: String,
    pub url: String,
    /// The call as curl, secrets as environment variables.
    pub curl: String,
    /// The call as curl with its secrets (copied only when asked for).
    pub curl_with_secrets: crate::domain::Secret,
    /// A body over the size limit went whole to this temporary file; `response.body` holds its start.
    pub body_file: Option<std::path::PathBuf>,
    /// The whole body's size.
    pub body_size: u64,
}
