//! Everything the screens draw from.

use super::Modal;
use super::{ApiRef, ApiSort, ListView, Loadable, Mode, Screen, fuzzy_scores};
use crate::domain::{Api, ApiKey, ResourceNode, Route, Usage, UsagePlan};
use crate::openapi::DocLine;
use std::collections::HashMap;

/// Methods (REST, as a resource tree) or routes (HTTP) of one API.
#[derive(Debug, Clone, PartialEq)]
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

/// A message on the status line.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Info(String),
    Error(String),
}

/// Header facts: how portcullis was started.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Connection {
    pub profile: String,
    pub regions: String,
    pub endpoint: Option<String>,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppState {
    pub connection: Connection,
    pub apis: Loadable<Vec<Api>>,
    /// A refresh in flight while the loaded list stays on screen.
    pub apis_refresh: Option<u64>,
    pub api_view: ListView,
    pub api_sort: ApiSort,
    /// Filtered and sorted indices into the loaded APIs.
    pub api_rows: Vec<usize>,
    pub details: HashMap<ApiRef, Loadable<DetailData>>,
    pub docs: HashMap<(ApiRef, String), Loadable<Vec<DocLine>>>,
    pub plans: Loadable<Vec<UsagePlan>>,
    pub keys: Loadable<Vec<ApiKey>>,
    /// GetUsage per plan id.
    pub usage: HashMap<String, Loadable<Usage>>,
    pub modal: Option<Modal>,
    /// The audit screen's query and events (kept when the screen is left).
    pub audit: Option<super::AuditView>,
    /// The audit source the screen opens with (config `audit_source`).
    pub audit_source: String,
    /// A DescribeTrails in flight (for the source picker).
    pub trails_request: Option<u64>,
    /// The key whose value is shown unmasked (for 10 seconds).
    pub revealed: Option<String>,
    /// Bumped at every copy, so a pending clear does not wipe a later copy.
    pub clipboard_generation: u64,
    /// A copied value is still in the clipboard: cleared on quit too.
    pub clipboard_pending: bool,
    /// Bumped at every reveal, so an earlier timer does not hide a later reveal early.
    pub reveal_generation: u64,
    /// Seconds until a copied value is cleared from the clipboard (config `clipboard_clear_secs`).
    pub clipboard_clear_secs: u64,
    /// A mutation in flight (its request id).
    pub mutating: Option<u64>,
    pub stack: Vec<Screen>,
    pub mode: Mode,
    pub status: Option<Status>,
    pub tick: u64,
    pub last_refresh: Option<String>,
    pub next_request: u64,
}

impl AppState {
    pub fn new(connection: Connection) -> AppState {
        AppState {
            connection,
            stack: vec![Screen::ApiList],
            clipboard_clear_secs: 30,
            audit_source: "lookup".into(),
            ..Default::default()
        }
    }

    pub fn screen(&self) -> &Screen {
        self.stack.last().unwrap_or(&Screen::ApiList)
    }

    pub fn screen_mut(&mut self) -> &mut Screen {
        if self.stack.is_empty() {
            self.stack.push(Screen::ApiList);
        }
        self.stack.last_mut().expect("stack is not empty")
    }

    pub fn request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    pub fn api(&self, r: &ApiRef) -> Option<&Api> {
        self.apis.loaded()?.iter().find(|a| a.id == r.id && a.region == r.region)
    }

    pub fn selected_api(&self) -> Option<&Api> {
        let idx = *self.api_rows.get(self.api_view.selected)?;
        self.apis.loaded()?.get(idx)
    }

    /// Is anything loading (for the spinner)?
    pub fn busy(&self) -> bool {
        self.apis.is_loading()
            || self.apis_refresh.is_some()
            || self.details.values().any(Loadable::is_loading)
            || self.docs.values().any(Loadable::is_loading)
            || self.audit.as_ref().is_some_and(|a| a.feed.is_loading() || a.loading_more.is_some())
    }

    /// Recompute the API list's filtered, sorted rows; the selected API stays selected.
    pub fn refresh_api_rows(&mut self) {
        let selected = self.selected_api().map(|a| (a.region.clone(), a.id.clone()));
        self.compute_api_rows();
        let Some((region, id)) = selected else { return };
        let apis = self.apis.loaded().map(Vec::as_slice).unwrap_or_default();
        if let Some(pos) = self.api_rows.iter().position(|&i| apis[i].id == id && apis[i].region == region) {
            self.api_view.selected = pos;
        }
    }

    fn compute_api_rows(&mut self) {
        let Some(apis) = self.apis.loaded() else {
            self.api_rows.clear();
            return;
        };
        let hay: Vec<String> = apis.iter().map(api_haystack).collect();
        let mut rows = fuzzy_scores(&self.api_view.filter, hay.iter().map(String::as_str));
        let (sort, reverse) = (self.api_sort, self.api_view.sort_reverse);
        // Best match first while filtering; the chosen column order breaks ties.
        rows.sort_by(|(a, sa), (b, sb)| {
            let by_column = compare(&apis[*a], &apis[*b], sort);
            sb.cmp(sa).then(if reverse { by_column.reverse() } else { by_column })
        });
        self.api_rows = rows.into_iter().map(|(i, _)| i).collect();
        self.api_view.clamp(self.api_rows.len());
    }
}

/// What the API list's filter matches: name first (so name matches score best), then id, kind, region, owner.
pub fn api_haystack(a: &Api) -> String {
    format!("{} {} {} {} {}", a.name, a.id, a.kind.label(), a.region, a.owner().unwrap_or(""))
}

fn compare(a: &Api, b: &Api, sort: ApiSort) -> std::cmp::Ordering {
    let key = |x: &Api| -> String {
        match sort {
            ApiSort::Name => x.name.to_lowercase(),
            ApiSort::Id => x.id.clone(),
            ApiSort::Kind => x.kind.label().into(),
            ApiSort::Region => x.region.clone(),
            ApiSort::Endpoint => x.endpoint_type.clone().unwrap_or_default(),
            ApiSort::Stages => format!("{:05}", x.stages.len()),
            ApiSort::Owner => x.owner().unwrap_or("").to_lowercase(),
            ApiSort::Created => x.created_date.clone().unwrap_or_default(),
        }
    };
    key(a).cmp(&key(b)).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
}

impl AppState {
    pub fn plan(&self, id: &str) -> Option<&UsagePlan> {
        self.plans.loaded()?.iter().find(|p| p.id == id)
    }

    pub fn key(&self, id: &str) -> Option<&ApiKey> {
        self.keys.loaded()?.iter().find(|k| k.id == id)
    }

    /// The keys shown on the keys screen, after the filter.
    pub fn filtered_keys(&self, filter: &str) -> Vec<&ApiKey> {
        let Some(keys) = self.keys.loaded() else { return vec![] };
        let hay: Vec<String> = keys.iter().map(key_haystack).collect();
        super::fuzzy_filter(filter, hay.iter().map(String::as_str)).into_iter().map(|i| &keys[i]).collect()
    }

    /// The plans shown on the plans screen, after the filter.
    pub fn filtered_plans(&self, filter: &str) -> Vec<&UsagePlan> {
        let Some(plans) = self.plans.loaded() else { return vec![] };
        let hay: Vec<String> = plans.iter().map(|p| format!("{} {} {}", p.name, p.id, p.region)).collect();
        super::fuzzy_filter(filter, hay.iter().map(String::as_str)).into_iter().map(|i| &plans[i]).collect()
    }

    /// The plan detail's rows: its API stages, then its keys.
    pub fn plan_rows(&self, plan_id: &str, filter: &str) -> Vec<PlanRow> {
        let Some(plan) = self.plan(plan_id) else { return vec![] };
        let stages =
            plan.api_stages.iter().enumerate().map(|(i, s)| (PlanRow::Stage(i), format!("{} {}", s.api_id, s.stage)));
        let keys = plan.key_ids.iter().map(|k| {
            let name = self.key(k).map(|k| k.name.clone()).unwrap_or_default();
            (PlanRow::Key(k.clone()), format!("{k} {name}"))
        });
        let rows: Vec<(PlanRow, String)> = stages.chain(keys).collect();
        super::fuzzy_filter(filter, rows.iter().map(|(_, h)| h.as_str()))
            .into_iter()
            .map(|i| rows[i].0.clone())
            .collect()
    }
}

/// One row of the plan detail screen.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanRow {
    /// Index into the plan's `api_stages`.
    Stage(usize),
    Key(String),
}

pub fn key_haystack(k: &ApiKey) -> String {
    format!("{} {} {} {}", k.name, k.id, k.customer_id.as_deref().unwrap_or(""), k.region)
}

impl AppState {
    /// The audit list's rows after the `/` filter.
    pub fn audit_rows(&self, filter: &str) -> Vec<&crate::domain::AuditEvent> {
        let Some(a) = &self.audit else { return vec![] };
        let events = a.events();
        let hay: Vec<String> = events.iter().map(|e| audit_haystack(e)).collect();
        super::fuzzy_filter(filter, hay.iter().map(String::as_str)).into_iter().map(|i| events[i]).collect()
    }

    pub fn audit_event(&self, id: &str) -> Option<&crate::domain::AuditEvent> {
        self.audit.as_ref()?.feed.loaded()?.events.iter().find(|e| e.event_id == id)
    }
}

pub fn audit_haystack(e: &crate::domain::AuditEvent) -> String {
    let resources: Vec<&str> = e.resources.iter().map(|r| r.name.as_str()).collect();
    format!(
        "{} {} {} {} {} {}",
        e.event_name,
        e.username.as_deref().unwrap_or(""),
        resources.join(" "),
        e.event_source,
        e.source_ip.as_deref().unwrap_or(""),
        e.error_code.as_deref().unwrap_or("")
    )
}
