//! The data several screens share: the catalog (with API details and docs), plans, keys,
//! partners, findings, the audit feed, the changes in flight, a revealed value and the
//! clipboard. A job's output puts shared data here (`Deliver`); a screen's own data goes to the
//! screen. Screens read it, and rebuild their cached rows when the generation of what they
//! show has moved on.

use super::data::audit::AuditView;
use super::loadable::Loadable;
use crate::domain::{Api, ApiKey, CreatedKey, UsagePlan};
use crate::openapi::DocLine;
use std::collections::HashMap;

pub use super::data::{ApiRef, DetailData, DetailRow};

/// A message on the status line.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Info(String),
    Error(String),
}

/// Header facts and settings: how portcullis was started.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub profile: String,
    pub regions: String,
    pub endpoint: Option<String>,
    pub read_only: bool,
    /// Seconds until a copied value is cleared from the clipboard (config `clipboard_clear_secs`).
    pub clipboard_clear_secs: u64,
    /// The audit source `:audit` opens with (config `audit_source`).
    pub audit_source: crate::domain::AuditSource,
    /// Keep each fresh catalog for the next start (the cache is on: not with `--no-cache`).
    pub keep_catalog: bool,
    /// The partner user pool (config `partner_pool`).
    pub partner_pool: Option<String>,
    /// Read the findings once the catalog is in (config `background_findings`), for the
    /// catalog's FINDINGS column.
    pub background_findings: bool,
    /// Accounts are read (`[accounts]`, `--accounts`): the tables say each row's account.
    pub accounts: bool,
}

impl Default for Connection {
    fn default() -> Self {
        Connection {
            profile: String::new(),
            regions: String::new(),
            endpoint: None,
            read_only: false,
            clipboard_clear_secs: 30,
            audit_source: crate::domain::AuditSource::Lookup,
            keep_catalog: false,
            partner_pool: None,
            background_findings: false,
            accounts: false,
        }
    }
}

/// How often each kind of data changed: a screen keeps the generation its rows were built from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generations {
    pub apis: u64,
    pub details: u64,
    pub docs: u64,
    pub plans: u64,
    pub keys: u64,
    pub audit: u64,
    pub partners: u64,
    pub findings: u64,
}

pub use crate::partners::run::View as PartnersView;

/// The API catalog: the APIs listed, what was read of each (methods or routes, docs), and how
/// the list is kept fresh. Read by the catalog, the API, stage, docs and try-it screens.
#[derive(Debug, Default)]
pub struct Catalog {
    pub apis: Loadable<Vec<Api>>,
    /// A refresh in flight while the loaded list stays on screen.
    pub refresh: Option<u64>,
    /// An incomplete API being read again (its request id).
    pub rereading: Option<(u64, ApiRef)>,
    pub last_refresh: Option<String>,
    /// The catalog shown came from the cache, saved then (RFC 3339), until a fresh one arrives.
    pub cached_at: Option<String>,
    pub details: HashMap<ApiRef, Loadable<DetailData>>,
    pub docs: HashMap<(ApiRef, String), Loadable<Vec<DocLine>>>,
}

/// The changes in flight, one at a time of each kind, so no result is dropped: their request ids.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    /// A key change (the keys and plans screens).
    pub key: Option<u64>,
    /// A partner change (the partners screens, or a review approved over any screen).
    pub partner: Option<u64>,
}

/// A value shown unmasked for a while (10 seconds): an API key's, or an app client's secret read
/// for it (the keys and partners screens).
#[derive(Debug, Default)]
pub struct Reveal {
    /// The key (or app client) whose value is shown.
    pub id: Option<String>,
    /// A revealed app client's secret (its id and value), held only while it shows.
    pub client_secret: Option<(String, crate::domain::Secret)>,
    /// Bumped at every reveal, so an earlier timer does not hide a later reveal early.
    pub generation: u64,
}

impl Reveal {
    /// Show `id`'s value; returns the generation its timer hides.
    pub fn show(&mut self, id: &str) -> u64 {
        self.id = Some(id.to_string());
        self.generation += 1;
        self.generation
    }

    pub fn shows(&self, id: &str) -> bool {
        self.id.as_deref() == Some(id)
    }
}

/// What portcullis put in the clipboard (copied from any screen or dialog).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Clipboard {
    /// Bumped at every copy, so a pending clear does not wipe a later copy.
    pub generation: u64,
    /// A copied value is still in the clipboard: cleared on quit too.
    pub pending: bool,
}

/// The data several screens share. A screen's own data (a call's answer, a plan's usage, the
/// history, the trails for the source picker) lives in the screen, delivered to it by its jobs.
#[derive(Debug, Default)]
pub struct Store {
    pub connection: Connection,
    pub catalog: Catalog,
    pub plans: Loadable<Vec<UsagePlan>>,
    pub keys: Loadable<Vec<ApiKey>>,
    pub partners: Loadable<PartnersView>,
    /// The governance findings (the findings screen, and the catalog's FINDINGS column).
    pub findings: Loadable<crate::tui::data::FindingsView>,
    /// The audit query and its events (the audit list and the record viewer; kept when left,
    /// so a pivot keeps its source and time range).
    pub audit: Option<AuditView>,
    pub in_flight: InFlight,
    pub reveal: Reveal,
    pub clipboard: Clipboard,
    pub generations: Generations,
}

impl Store {
    pub fn new(connection: Connection) -> Store {
        Store { connection, ..Default::default() }
    }

    pub fn api(&self, r: &ApiRef) -> Option<&Api> {
        self.catalog.apis.loaded()?.iter().find(|a| r.is(a))
    }

    pub fn api_by_id(&self, id: &str) -> Option<&Api> {
        self.catalog.apis.loaded()?.iter().find(|a| a.id == id)
    }

    pub fn plan(&self, id: &str) -> Option<&UsagePlan> {
        self.plans.loaded()?.iter().find(|p| p.id == id)
    }

    pub fn key(&self, id: &str) -> Option<&ApiKey> {
        self.keys.loaded()?.iter().find(|k| k.id == id)
    }

    pub fn detail(&self, r: &ApiRef) -> Option<&DetailData> {
        self.catalog.details.get(r)?.loaded()
    }

    pub fn doc(&self, r: &ApiRef, stage: &str) -> Option<&Loadable<Vec<DocLine>>> {
        self.catalog.docs.get(&(r.clone(), stage.to_string()))
    }

    /// Is anything loading (for the header's spinner)?
    pub fn busy(&self) -> bool {
        self.catalog.apis.is_loading()
            || self.catalog.refresh.is_some()
            || self.catalog.rereading.is_some()
            || self.catalog.details.values().any(Loadable::is_loading)
            || self.catalog.docs.values().any(Loadable::is_loading)
            || self.audit.as_ref().is_some_and(|a| a.feed.is_loading() || a.loading_more.is_some())
            || self.partners.is_loading()
            || self.in_flight.partner.is_some()
    }

    /// Which region a new key goes to: the first loaded plan's or API's, else the first named.
    pub fn default_region(&self) -> String {
        self.plans
            .loaded()
            .and_then(|p| p.first())
            .map(|p| p.region.clone())
            .or_else(|| self.catalog.apis.loaded().and_then(|a| a.first()).map(|a| a.region.clone()))
            .unwrap_or_else(|| self.connection.regions.split(',').next().unwrap_or_default().to_string())
    }
}

/// Results, as the app hands them over. Each returns whether it was taken (a stale result,
/// for a request that a newer one replaced, is dropped).
impl Store {
    pub fn take_apis(&mut self, request: u64, result: Result<Vec<Api>, String>, at: String) -> Result<bool, String> {
        let fresh = if self.catalog.refresh == Some(request) {
            self.catalog.refresh = None;
            let apis = result.map_err(|e| format!("refresh failed: {e}"))?;
            self.catalog.apis = Loadable::Loaded(apis);
            // Methods and docs may have changed too: load them again when next opened.
            self.catalog.details.retain(|_, l| l.is_loading());
            self.catalog.docs.retain(|_, l| l.is_loading());
            true
        } else {
            let ok = result.is_ok();
            self.catalog.apis.accept(request, result) && ok
        };
        if fresh {
            self.catalog.last_refresh = Some(at);
            self.catalog.cached_at = None;
        }
        self.generations.apis += 1;
        Ok(fresh)
    }

    pub fn take_detail(&mut self, request: u64, api: &ApiRef, result: Result<DetailData, String>) {
        if self.catalog.details.get_mut(api).is_some_and(|e| e.accept(request, result)) {
            self.generations.details += 1;
        }
    }

    /// An incomplete API read again: it replaces its entry (or leaves, when deleted since).
    /// True if it was the read in flight.
    pub fn take_reread(
        &mut self,
        request: u64,
        api: &ApiRef,
        result: Result<Option<Api>, String>,
    ) -> Result<bool, String> {
        if self.catalog.rereading.as_ref().map(|(r, _)| *r) != Some(request) {
            return Ok(false);
        }
        self.catalog.rereading = None;
        let fresh = result.map_err(|e| format!("API {} could not be read again: {e}", api.id))?;
        let Some(apis) = self.catalog.apis.loaded_mut() else { return Ok(true) };
        match (apis.iter().position(|a| api.is(a)), fresh) {
            (Some(i), Some(a)) => apis[i] = a,
            (Some(i), None) => {
                apis.remove(i);
            }
            (None, _) => {}
        }
        self.generations.apis += 1;
        Ok(true)
    }

    /// An API's authorizers, into its catalog entry; an error is returned to be shown.
    pub fn take_authorizers(
        &mut self,
        api: &ApiRef,
        result: Result<Vec<crate::domain::Authorizer>, String>,
    ) -> Result<(), String> {
        let found = result.map_err(|e| format!("the authorizers of API {} could not be read: {e}", api.id))?;
        let entry = self.catalog.apis.loaded_mut().and_then(|apis| apis.iter_mut().find(|a| api.is(a)));
        if let Some(a) = entry {
            a.authorizers = found;
            self.generations.apis += 1;
        }
        Ok(())
    }

    /// A kept detail or docs page for a load in flight: shown until the answer replaces it.
    pub fn take_cached(&mut self, cached: crate::tui::data::Cached) {
        use crate::tui::data::Cached;
        match cached {
            Cached::Detail { request, api, data, authorizers, saved_at } => {
                if self.catalog.details.get_mut(&api).is_some_and(|e| e.show_cached(request, data, saved_at)) {
                    self.generations.details += 1;
                    // The authorizers the kept methods name, until the fresh ones come.
                    let entry =
                        self.catalog.apis.loaded_mut().and_then(|all| all.iter_mut().find(|a| ApiRef::of(a) == api));
                    if let Some(a) = entry.filter(|a| a.authorizers.is_empty() && !authorizers.is_empty()) {
                        a.authorizers = authorizers;
                        self.generations.apis += 1;
                    }
                }
            }
            Cached::Docs { request, api, stage, lines, saved_at } => {
                if self.catalog.docs.get_mut(&(api, stage)).is_some_and(|e| e.show_cached(request, lines, saved_at)) {
                    self.generations.docs += 1;
                }
            }
        }
    }

    pub fn take_docs(&mut self, request: u64, key: (ApiRef, String), result: Result<Vec<DocLine>, String>) {
        if self.catalog.docs.get_mut(&key).is_some_and(|e| e.accept(request, result)) {
            self.generations.docs += 1;
        }
    }

    pub fn take_plans(&mut self, request: u64, result: Result<Vec<UsagePlan>, String>) {
        if self.plans.accept(request, result) {
            self.generations.plans += 1;
        }
    }

    pub fn take_keys(&mut self, request: u64, result: Result<Vec<ApiKey>, String>) {
        if self.keys.accept(request, result) {
            self.generations.keys += 1;
        }
    }

    pub fn take_findings(&mut self, request: u64, result: Result<crate::tui::data::FindingsView, String>) {
        if self.findings.accept(request, result) {
            self.generations.findings += 1;
        }
    }

    pub fn take_partners(&mut self, request: u64, result: Result<PartnersView, String>) {
        if self.partners.accept(request, result) {
            self.generations.partners += 1;
        }
    }

    /// A partner change finished: `None` when it is not the change in flight.
    pub fn take_partner_change<T>(&mut self, request: u64, result: T) -> Option<T> {
        (self.in_flight.partner == Some(request)).then(|| {
            self.in_flight.partner = None;
            result
        })
    }

    /// A key change finished: `None` when it is not the change in flight.
    pub fn take_mutated(
        &mut self,
        request: u64,
        result: Result<Option<CreatedKey>, String>,
    ) -> Option<Result<Option<CreatedKey>, String>> {
        if self.in_flight.key != Some(request) {
            return None;
        }
        self.in_flight.key = None;
        Some(result)
    }

    /// Hide, unless the value was revealed again since (that reveal has its own timer).
    pub fn hide_value(&mut self, key: &str, generation: u64) {
        if self.reveal.shows(key) && generation == self.reveal.generation {
            self.reveal.id = None;
            self.reveal.client_secret = None;
            self.generations.keys += 1;
        }
    }

    /// True when the clipboard should be cleared: nothing was copied through portcullis since.
    pub fn clipboard_expired(&mut self, generation: u64) -> bool {
        let expired = generation == self.clipboard.generation;
        if expired {
            self.clipboard.pending = false;
        }
        expired
    }
}
