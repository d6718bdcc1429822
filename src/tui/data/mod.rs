//! The data the TUI's parts share, apart from the view: which API a result is for, an API's
//! methods or routes, what a call gave, the findings, what the warm cache kept, the clock. The
//! store, the commands, the messages, the worker and the screens all use these; they use no
//! screen, dialog or widget.

pub mod audit;
pub mod cache;

use crate::domain::{Api, Authorizer, ResourceNode, Route};
use crate::openapi::DocLine;
use std::sync::OnceLock;

/// Which API (REST ids and HTTP ids can collide across regions and accounts).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiRef {
    pub region: String,
    pub id: String,
    /// Its account, when accounts are read (`None`: the credentials' own, or any).
    pub account: Option<String>,
}

impl ApiRef {
    pub fn of(api: &Api) -> ApiRef {
        ApiRef { region: api.region.clone(), id: api.id.clone(), account: api.account.id.clone() }
    }

    /// An API of `region` in the credentials' own account (or any, with one account read).
    pub fn new(region: impl Into<String>, id: impl Into<String>) -> ApiRef {
        ApiRef { region: region.into(), id: id.into(), account: None }
    }

    /// Is `api` the one this names (an unnamed account matches any)?
    pub fn is(&self, api: &Api) -> bool {
        api.id == self.id
            && api.region == self.region
            && self.account.as_ref().is_none_or(|a| api.account.id.as_ref() == Some(a))
    }
}

/// Methods (REST, as a resource tree) or routes (HTTP) of one API.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DetailData {
    Rest(Vec<ResourceNode>),
    Http(Vec<Route>),
}

/// One row of the detail screen's resources pane.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailRow<'a> {
    Resource(&'a ResourceNode),
    Method(&'a ResourceNode, &'a crate::domain::Method),
    Route(&'a Route),
}

impl DetailData {
    pub fn rows(&self) -> Vec<DetailRow<'_>> {
        match self {
            DetailData::Rest(tree) => tree
                .iter()
                .flat_map(|n| {
                    std::iter::once(DetailRow::Resource(n))
                        .chain(n.methods.iter().map(move |m| DetailRow::Method(n, m)))
                })
                .collect(),
            DetailData::Http(routes) => routes.iter().map(DetailRow::Route).collect(),
        }
    }
}

impl DetailRow<'_> {
    /// Text the fuzzy filter matches against.
    pub fn haystack(&self) -> String {
        match self {
            DetailRow::Resource(n) => n.path.clone(),
            DetailRow::Method(n, m) => {
                format!("{} {} {} {}", m.method, n.path, m.authorization, m.integration_type.as_deref().unwrap_or(""))
            }
            DetailRow::Route(r) => format!("{} {}", r.route_key, r.authorization),
        }
    }
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

/// Unwaived findings per API (`(region, id)`): how many, and the worst severity.
pub type FindingsPerApi = std::collections::HashMap<(String, String), (usize, crate::governance::Severity)>;

impl FindingsView {
    /// Unwaived findings per API (`(region, id)`): how many, and the worst severity.
    pub fn per_api(&self) -> FindingsPerApi {
        let mut out: FindingsPerApi =
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

/// What a result asks to be shown to the person, once, over whatever screen is on top (the
/// router opens the dialog for it): a new key's value, new credentials, a change to review.
#[derive(Debug, Clone, PartialEq)]
pub enum Show {
    NewKey { name: String, value: crate::domain::Secret },
    Credentials(Box<crate::partners::Credentials>),
    Review(Box<crate::partners::ops::Change>),
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

static LOCAL_OFFSET: OnceLock<Option<time::UtcOffset>> = OnceLock::new();

/// Read the local UTC offset; call before any other thread starts (the OS call is not
/// thread-safe, so the `time` crate refuses it later).
pub fn capture_local_offset() {
    let _ = LOCAL_OFFSET.set(time::UtcOffset::current_local_offset().ok());
}

/// Wall-clock time as HH:MM:SS, local when the offset is known, else marked UTC.
pub fn now_hms() -> String {
    let f = time::macros::format_description!("[hour]:[minute]:[second]");
    let now = time::OffsetDateTime::now_utc();
    match LOCAL_OFFSET.get().copied().flatten() {
        Some(offset) => now.to_offset(offset).format(&f).unwrap_or_default(),
        None => format!("{} UTC", now.format(&f).unwrap_or_default()),
    }
}
