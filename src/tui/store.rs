//! The data several screens read: the catalog, API details and docs, plans, keys, usage, the
//! audit feed, and the state of changes in flight. A job's output puts its data here
//! (`Deliver`); screens read it, and rebuild their cached rows when the generation of what they
//! show has moved on.

use super::data::audit::AuditView;
use super::loadable::Loadable;
use crate::domain::{Api, ApiKey, CreatedKey, Trail, Usage, UsagePlan};
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
    pub usage: u64,
    pub audit: u64,
    pub partners: u64,
    pub call: u64,
    pub jq: u64,
    pub history: u64,
    pub findings: u64,
}

pub use crate::partners::run::View as PartnersView;

#[derive(Debug, Default)]
pub struct Store {
    pub connection: Connection,
    pub apis: Loadable<Vec<Api>>,
    /// A refresh in flight while the loaded list stays on screen.
    pub apis_refresh: Option<u64>,
    /// An incomplete API being read again (its request id).
    pub rereading: Option<(u64, ApiRef)>,
    pub last_refresh: Option<String>,
    /// The catalog shown came from the cache, saved then (RFC 3339), until a fresh one arrives.
    pub cached_at: Option<String>,
    pub details: HashMap<ApiRef, Loadable<DetailData>>,
    pub docs: HashMap<(ApiRef, String), Loadable<Vec<DocLine>>>,
    pub plans: Loadable<Vec<UsagePlan>>,
    pub keys: Loadable<Vec<ApiKey>>,
    /// GetUsage per plan id.
    pub usage: HashMap<String, Loadable<Usage>>,
    /// The audit screen's query and events (kept when the screen is left).
    pub audit: Option<AuditView>,
    /// DescribeTrails for the source picker: the request in flight, then its answer.
    pub trails: Loadable<Vec<Trail>>,
    /// A key change in flight (its request id): one at a time, so no result is dropped.
    pub mutating: Option<u64>,
    pub partners: Loadable<PartnersView>,
    /// The last call's answer (try it).
    pub call: Loadable<crate::tui::data::Called>,
    /// The jq filter's outputs over the last call's body.
    pub jq: Loadable<Vec<String>>,
    /// The request history, oldest first.
    pub history: Loadable<Vec<crate::tryit::history::Entry>>,
    /// The governance findings, and their count per API (the catalog's FINDINGS column).
    pub findings: Loadable<crate::tui::data::FindingsView>,
    pub findings_per_api: std::collections::HashMap<(String, String), (usize, crate::governance::Severity)>,
    /// A partner change in flight (its request id), one at a time.
    pub partner_change: Option<u64>,
    /// The key (or app client) whose value is shown unmasked (for 10 seconds).
    pub revealed: Option<String>,
    /// A revealed app client's secret (its id and value), held only while it shows.
    pub client_secret: Option<(String, crate::domain::Secret)>,
    /// Bumped at every reveal, so an earlier timer does not hide a later reveal early.
    pub reveal_generation: u64,
    /// Bumped at every copy, so a pending clear does not wipe a later copy.
    pub clipboard_generation: u64,
    /// A copied value is still in the clipboard: cleared on quit too.
    pub clipboard_pending: bool,
    pub generations: Generations,
}

impl Store {
    pub fn new(connection: Connection) -> Store {
        Store { connection, ..Default::default() }
    }

    pub fn api(&self, r: &ApiRef) -> Option<&Api> {
        self.apis.loaded()?.iter().find(|a| a.id == r.id && a.region == r.region)
    }

    pub fn api_by_id(&self, id: &str) -> Option<&Api> {
        self.apis.loaded()?.iter().find(|a| a.id == id)
    }

    pub fn plan(&self, id: &str) -> Option<&UsagePlan> {
        self.plans.loaded()?.iter().find(|p| p.id == id)
    }

    pub fn key(&self, id: &str) -> Option<&ApiKey> {
        self.keys.loaded()?.iter().find(|k| k.id == id)
    }

    pub fn detail(&self, r: &ApiRef) -> Option<&DetailData> {
        self.details.get(r)?.loaded()
    }

    pub fn doc(&self, r: &ApiRef, stage: &str) -> Option<&Loadable<Vec<DocLine>>> {
        self.docs.get(&(r.clone(), stage.to_string()))
    }

    /// Is anything loading (for the header's spinner)?
    pub fn busy(&self) -> bool {
        self.apis.is_loading()
            || self.apis_refresh.is_some()
            || self.rereading.is_some()
            || self.details.values().any(Loadable::is_loading)
            || self.docs.values().any(Loadable::is_loading)
            || self.audit.as_ref().is_some_and(|a| a.feed.is_loading() || a.loading_more.is_some())
            || self.partners.is_loading()
            || self.call.is_loading()
            || self.jq.is_loading()
            || self.partner_change.is_some()
    }

    /// Which region a new key goes to: the first loaded plan's or API's, else the first named.
    pub fn default_region(&self) -> String {
        self.plans
            .loaded()
            .and_then(|p| p.first())
            .map(|p| p.region.clone())
            .or_else(|| self.apis.loaded().and_then(|a| a.first()).map(|a| a.region.clone()))
            .unwrap_or_else(|| self.connection.regions.split(',').next().unwrap_or_default().to_string())
    }
}

/// Results, as the app hands them over. Each returns whether it was taken (a stale result,
/// for a request that a newer one replaced, is dropped).
impl Store {
    pub fn take_apis(&mut self, request: u64, result: Result<Vec<Api>, String>, at: String) -> Result<bool, String> {
        let fresh = if self.apis_refresh == Some(request) {
            self.apis_refresh = None;
            let apis = result.map_err(|e| format!("refresh failed: {e}"))?;
            self.apis = Loadable::Loaded(apis);
            // Methods and docs may have changed too: load them again when next opened.
            self.details.retain(|_, l| l.is_loading());
            self.docs.retain(|_, l| l.is_loading());
            true
        } else {
            let ok = result.is_ok();
            self.apis.accept(request, result) && ok
        };
        if fresh {
            self.last_refresh = Some(at);
            self.cached_at = None;
        }
        self.generations.apis += 1;
        Ok(fresh)
    }

    pub fn take_detail(&mut self, request: u64, api: &ApiRef, result: Result<DetailData, String>) {
        if self.details.get_mut(api).is_some_and(|e| e.accept(request, result)) {
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
        if self.rereading.as_ref().map(|(r, _)| *r) != Some(request) {
            return Ok(false);
        }
        self.rereading = None;
        let fresh = result.map_err(|e| format!("API {} could not be read again: {e}", api.id))?;
        let Some(apis) = self.apis.loaded_mut() else { return Ok(true) };
        match (apis.iter().position(|a| a.id == api.id && a.region == api.region), fresh) {
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
        let entry =
            self.apis.loaded_mut().and_then(|apis| apis.iter_mut().find(|a| a.id == api.id && a.region == api.region));
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
                if self.details.get_mut(&api).is_some_and(|e| e.show_cached(request, data, saved_at)) {
                    self.generations.details += 1;
                    // The authorizers the kept methods name, until the fresh ones come.
                    let entry = self.apis.loaded_mut().and_then(|all| all.iter_mut().find(|a| ApiRef::of(a) == api));
                    if let Some(a) = entry.filter(|a| a.authorizers.is_empty() && !authorizers.is_empty()) {
                        a.authorizers = authorizers;
                        self.generations.apis += 1;
                    }
                }
            }
            Cached::Docs { request, api, stage, lines, saved_at } => {
                if self.docs.get_mut(&(api, stage)).is_some_and(|e| e.show_cached(request, lines, saved_at)) {
                    self.generations.docs += 1;
                }
            }
        }
    }

    pub fn take_docs(&mut self, request: u64, key: (ApiRef, String), result: Result<Vec<DocLine>, String>) {
        if self.docs.get_mut(&key).is_some_and(|e| e.accept(request, result)) {
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

    pub fn take_call(&mut self, request: u64, result: Result<crate::tui::data::Called, String>) {
        if self.call.accept(request, result) {
            self.generations.call += 1;
            // A filter's outputs were of the body before.
            self.jq = Loadable::NotLoaded;
            self.generations.jq += 1;
        }
    }

    pub fn take_jq(&mut self, request: u64, result: Result<Vec<String>, String>) {
        if self.jq.accept(request, result) {
            self.generations.jq += 1;
        }
    }

    pub fn take_findings(&mut self, request: u64, result: Result<crate::tui::data::FindingsView, String>) {
        if self.findings.accept(request, result) {
            self.findings_per_api = self.findings.loaded().map(|f| f.per_api()).unwrap_or_default();
            self.generations.findings += 1;
        }
    }

    pub fn take_history(&mut self, request: u64, result: Result<Vec<crate::tryit::history::Entry>, String>) {
        if self.history.accept(request, result) {
            self.generations.history += 1;
        }
    }

    pub fn take_partners(&mut self, request: u64, result: Result<PartnersView, String>) {
        if self.partners.accept(request, result) {
            self.generations.partners += 1;
        }
    }

    /// A partner change finished: `None` when it is not the change in flight.
    pub fn take_partner_change<T>(&mut self, request: u64, result: T) -> Option<T> {
        (self.partner_change == Some(request)).then(|| {
            self.partner_change = None;
            result
        })
    }

    pub fn take_usage(&mut self, request: u64, plan: &str, result: Result<Usage, String>) {
        if self.usage.get_mut(plan).is_some_and(|e| e.accept(request, result)) {
            self.generations.usage += 1;
        }
    }

    /// A key change finished: `None` when it is not the change in flight.
    pub fn take_mutated(
        &mut self,
        request: u64,
        result: Result<Option<CreatedKey>, String>,
    ) -> Option<Result<Option<CreatedKey>, String>> {
        if self.mutating != Some(request) {
            return None;
        }
        self.mutating = None;
        Some(result)
    }

    /// Hide, unless the value was revealed again since (that reveal has its own timer).
    pub fn hide_value(&mut self, key: &str, generation: u64) {
        if self.revealed.as_deref() == Some(key) && generation == self.reveal_generation {
            self.revealed = None;
            self.client_secret = None;
            self.generations.keys += 1;
        }
    }

    /// True when the clipboard should be cleared: nothing was copied through portcullis since.
    pub fn clipboard_expired(&mut self, generation: u64) -> bool {
        let expired = generation == self.clipboard_generation;
        if expired {
            self.clipboard_pending = false;
        }
        expired
    }

    pub fn take_trails(&mut self, request: u64, result: Result<Vec<Trail>, String>) -> bool {
        self.trails.accept(request, result)
    }
}
