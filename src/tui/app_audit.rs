//! The controller's part for the audit screen: opening a query, pages as the user scrolls,
//! filters, the source picker, pivots from other screens and jumps back to resources.

use super::app::App;
use super::app_access::{Edit, Pick};
use super::message::Message;
use super::state::{
    AUTO_PAGES, ApiRef, AuditForm, AuditView, ListView, Loadable, Modal, Pane, PlanRow, Screen, Status, default_folds,
    default_query, json_lines,
};
use crate::domain::{AuditQuery, Feed, LookupPage, Touched, Trail};
use crossterm::event::KeyEvent;

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

impl App {
    // ---------- opening ----------

    /// `:audit`: the last query (kept while the app runs), or the last 24 hours.
    pub(crate) fn open_audit(&mut self) {
        self.state.stack = vec![Screen::ApiList, Screen::Audit { view: ListView::default() }];
        let failed = self.state.audit.as_ref().is_some_and(|a| matches!(a.feed, Loadable::Failed(_)));
        if self.state.audit.is_none() || failed {
            let source = self.state.audit_source.clone();
            self.start_audit(default_query(now(), None), "24h".into(), None, source);
        }
        // Pages stop while the screen is not shown: back on it, carry on.
        self.maybe_more_audit(false);
    }

    /// From a key, plan, API or stage: its audit trail.
    pub(crate) fn pivot_to_audit(&mut self) {
        let Some((resource, filter)) = self.selected_resource() else {
            self.state.status = Some(Status::Error("nothing selected to show the audit trail of".into()));
            return;
        };
        // The source and time range in use stay; the other filters give way to the resource.
        let mut q = default_query(now(), Some(resource));
        let (source, since, until) = match &self.state.audit {
            Some(a) => {
                (q.since, q.until) = a.current_range();
                (a.source.clone(), a.since.clone(), a.until.clone())
            }
            None => (self.state.audit_source.clone(), "24h".to_string(), None),
        };
        let mut view = ListView::default();
        view.set_filter(filter);
        self.state.stack.push(Screen::Audit { view });
        self.start_audit(q, since, until, source);
    }

    /// The selected resource's id, and a `/` filter that narrows further (a stage's name).
    fn selected_resource(&self) -> Option<(String, String)> {
        let s = &self.state;
        let api = |r: &ApiRef| r.id.clone();
        match s.screen() {
            Screen::ApiList => s.selected_api().map(|a| (a.id.clone(), String::new())),
            Screen::ApiDetail { api: r, pane: Pane::Stages, stages, .. } => {
                let a = s.api(r)?;
                let shown = super::views::detail::filtered_stages(a, &stages.filter);
                let stage = shown.get(stages.selected).and_then(|i| a.stages.get(*i)).map(|st| st.name.clone());
                Some((api(r), stage.unwrap_or_default()))
            }
            Screen::ApiDetail { api: r, .. } | Screen::Docs { api: r, .. } => Some((api(r), String::new())),
            Screen::Stage { api: r, stage, .. } => Some((api(r), stage.clone())),
            Screen::Keys { view } => {
                s.filtered_keys(&view.filter).get(view.selected).map(|k| (k.id.clone(), String::new()))
            }
            Screen::Plans { view } => {
                s.filtered_plans(&view.filter).get(view.selected).map(|p| (p.id.clone(), String::new()))
            }
            Screen::PlanDetail { plan, view } => match s.plan_rows(plan, &view.filter).get(view.selected) {
                Some(PlanRow::Key(k)) => Some((k.clone(), String::new())),
                _ => Some((plan.clone(), String::new())),
            },
            _ => None,
        }
    }

    fn start_audit(&mut self, query: AuditQuery, since: String, until: Option<String>, source: String) {
        let request = self.state.request_id();
        let mut view = AuditView::new(query.clone(), since, until, source.clone());
        view.feed = Loadable::Loading { request };
        self.state.audit = Some(view);
        self.outbox.push(Message::OpenAudit { request, query: Box::new(query), source });
    }

    /// Apply a new query: when LookupEvents would get the same calls, the loaded events are
    /// filtered again here at once; otherwise the query is opened anew (the cache still helps).
    fn apply_query(&mut self, query: AuditQuery, since: String, until: Option<String>, source: String) {
        if let Some(a) = &mut self.state.audit {
            let same_calls = a.source == source
                && a.query.since == query.since
                && a.query.until == query.until
                && crate::domain::server_filters(&a.query) == crate::domain::server_filters(&query);
            if same_calls && a.feed.loaded().is_some() {
                a.query = query;
                (a.since, a.until) = (since, until);
                return self.maybe_more_audit(true);
            }
        }
        self.start_audit(query, since, until, source);
    }

    pub(crate) fn refresh_audit(&mut self) {
        let Some(a) = self.state.audit.clone() else { return };
        let mut q = a.query.clone();
        (q.since, q.until) = a.current_range();
        self.start_audit(q, a.since, a.until, a.source);
    }

    // ---------- results ----------

    pub(crate) fn on_audit_opened(&mut self, request: u64, result: Result<Feed, String>, problems: Vec<String>) {
        let Some(a) = &mut self.state.audit else { return };
        if !a.feed.accept(request, result) {
            return;
        }
        a.auto_pages = 0;
        if !problems.is_empty() {
            let n = problems.len();
            self.state.status =
                Some(Status::Error(format!("{n} trail log file(s) could not be read: {}", problems.join("; "))));
        }
        self.maybe_more_audit(false);
    }

    pub(crate) fn on_audit_page(&mut self, request: u64, pages: Vec<(usize, Result<LookupPage, String>)>) {
        let Some(a) = &mut self.state.audit else { return };
        if a.loading_more != Some(request) {
            return;
        }
        a.loading_more = None;
        let Some(feed) = a.feed.loaded_mut() else { return };
        // Only the cursors that got a page are written again.
        let changed: Vec<usize> = pages.iter().filter(|(_, p)| p.is_ok()).map(|(i, _)| *i).collect();
        if let Err(e) = feed.apply_pages(pages, now()) {
            a.error = Some(e);
        }
        let files = crate::cache::files_for(feed, |i| changed.contains(&i));
        if !files.is_empty() {
            self.outbox.push(Message::SaveAuditCache { files });
        }
        self.maybe_more_audit(false);
    }

    pub(crate) fn on_trails(&mut self, request: u64, result: Result<Vec<Trail>, String>) {
        if self.state.trails_request != Some(request) {
            return;
        }
        self.state.trails_request = None;
        let trails = match result {
            Ok(t) => t,
            Err(e) => return self.state.status = Some(Status::Error(format!("could not list trails: {e}"))),
        };
        let mut options = vec![("CloudTrail event history (LookupEvents, last 90 days)".to_string(), "lookup".into())];
        options.extend(trails.iter().map(|t| {
            let scope = if t.multi_region { "all regions" } else { t.home_region.as_str() };
            (format!("trail {} ({scope}) · {}", t.name, t.source()), t.source())
        }));
        let current = self.state.audit.as_ref().map(|a| a.source.clone()).unwrap_or_default();
        let selected = options.iter().position(|(_, s)| *s == current).unwrap_or(0);
        self.state.modal = Some(Modal::PickSource { options, selected });
    }

    // ---------- paging ----------

    /// Fetch the next page when the selection is within a screen of the end. Pages fetched on
    /// their own (to fill the screen) stop after a few; a key press starts the count again.
    pub(crate) fn maybe_more_audit(&mut self, by_user: bool) {
        let page = self.page;
        let Screen::Audit { view } = self.state.screen() else { return };
        let rows = self.state.audit_rows(&view.filter).len();
        let selected = view.selected;
        let Some(a) = &mut self.state.audit else { return };
        if by_user {
            a.auto_pages = 0;
        }
        let wanted = a.loading_more.is_none() && a.has_more() && (by_user || a.error.is_none());
        if !wanted || selected + page < rows || a.auto_pages >= AUTO_PAGES {
            return;
        }
        a.auto_pages += 1;
        a.error = None;
        let cursors = a.feed.loaded().map(|f| f.cursors.clone()).unwrap_or_default();
        let request = self.state.request_id();
        if let Some(a) = &mut self.state.audit {
            a.loading_more = Some(request);
        }
        self.outbox.push(Message::LoadAuditPage { request, cursors });
    }

    // ---------- actions ----------

    /// Enter: the event's record; on the "more" row, load more; in a record, fold or unfold.
    pub(crate) fn audit_select(&mut self) {
        match self.state.screen().clone() {
            Screen::Audit { view } => {
                let rows = self.state.audit_rows(&view.filter);
                match rows.get(view.selected) {
                    Some(e) => {
                        let id = e.event_id.clone();
                        let folded = default_folds(&json_lines(&super::views::audit::record_value(e)));
                        self.state.stack.push(Screen::AuditEvent { id, view: ListView::default(), folded });
                    }
                    None => self.maybe_more_audit(true),
                }
            }
            Screen::AuditEvent { id, view, mut folded } => {
                let Some(e) = self.state.audit_event(&id) else { return };
                let lines = json_lines(&super::views::audit::record_value(e));
                let shown = super::state::visible_lines(&lines, &folded);
                let Some(&line) = shown.get(view.selected) else { return };
                if matches!(lines[line].kind, super::state::JsonKind::Open { .. }) && !folded.remove(&line) {
                    folded.insert(line);
                }
                if let Screen::AuditEvent { folded: f, .. } = self.state.screen_mut() {
                    *f = folded;
                }
            }
            _ => {}
        }
    }

    pub(crate) fn edit_audit_filters(&mut self) {
        if let Some(a) = &self.state.audit {
            self.state.modal = Some(Modal::AuditFilter { form: AuditForm::from_view(a) });
        }
    }

    pub(crate) fn toggle_audit_errors(&mut self) {
        let Some(a) = self.state.audit.clone() else { return };
        let mut q = a.query;
        q.errors_only = !q.errors_only;
        self.apply_query(q, a.since, a.until, a.source);
    }

    pub(crate) fn pick_audit_source(&mut self) {
        let request = self.state.request_id();
        self.state.trails_request = Some(request);
        self.state.status = Some(Status::Info("listing trails (DescribeTrails)…".into()));
        self.outbox.push(Message::LoadTrails { request });
    }

    /// From an event to the key, plan, API or stage it touched, if it still exists.
    pub(crate) fn jump_to_touched(&mut self) {
        let event = match self.state.screen() {
            Screen::Audit { view } => self.state.audit_rows(&view.filter).get(view.selected).map(|e| (*e).clone()),
            Screen::AuditEvent { id, .. } => self.state.audit_event(id).cloned(),
            _ => None,
        };
        let Some(event) = event else { return };
        match event.touched() {
            Some(Touched::Key(id)) => self.jump_to_key(&id),
            Some(Touched::Plan(id)) => self.jump_to_plan(&id),
            Some(Touched::Api { id, stage }) => self.jump_to_api_id(&id, stage),
            None => self.state.status = Some(Status::Error("this event names no key, plan, API or stage".into())),
        }
    }

    fn gone(&mut self, what: &str, id: &str) {
        self.state.status = Some(Status::Error(format!("{what} {id} no longer exists (or is in a region not shown)")));
    }

    fn jump_to_key(&mut self, id: &str) {
        if self.state.keys.loaded().is_some() && self.state.key(id).is_none() {
            return self.gone("API key", id);
        }
        self.open_keys(id);
    }

    fn jump_to_plan(&mut self, id: &str) {
        if self.state.plans.loaded().is_some() && self.state.plan(id).is_none() {
            return self.gone("usage plan", id);
        }
        match self.state.plan(id).cloned() {
            Some(plan) => {
                self.state.stack.push(Screen::PlanDetail { plan: plan.id.clone(), view: ListView::default() });
                self.load_usage(&plan);
            }
            None => {
                let mut view = ListView::default();
                view.set_filter(id.to_string());
                self.state.stack.push(Screen::Plans { view });
                if !self.state.plans.is_loading() {
                    self.load_plans();
                }
            }
        }
    }

    fn jump_to_api_id(&mut self, id: &str, stage: Option<String>) {
        if self.state.apis.loaded().is_none() {
            self.state.status =
                Some(Status::Error(format!("the catalog is not loaded yet: try again when :apis shows API {id}")));
            return;
        }
        let Some(api) = self.state.apis.loaded().and_then(|apis| apis.iter().find(|a| a.id == id)).cloned() else {
            return self.gone("API", id);
        };
        let api_ref = ApiRef { region: api.region.clone(), id: api.id.clone() };
        self.push_api_detail(&api_ref);
        if let Some(stage) = stage.filter(|s| api.stages.iter().any(|st| &st.name == s)) {
            self.state.stack.push(Screen::Stage { api: api_ref, stage, scroll: 0 });
        }
    }

    // ---------- dialogs ----------

    pub(crate) fn audit_filter_key(&mut self, key: KeyEvent, mut form: AuditForm) -> Option<Modal> {
        match super::app_access::edit(&key, &mut form) {
            Edit::Cancel => return None,
            Edit::Submit => match form.to_query(now()) {
                Ok((mut q, since, until)) => {
                    let source = self.state.audit.as_ref().map_or_else(|| "lookup".into(), |a| a.source.clone());
                    // The same range as typed keeps the same instants, so other changes can apply at once.
                    if let Some(a) = self.state.audit.as_ref().filter(|a| a.since == since && a.until == until) {
                        (q.since, q.until) = (a.query.since, a.query.until);
                    }
                    self.apply_query(q, since, until, source);
                    return None;
                }
                Err(e) => form.error = Some(e),
            },
            Edit::Stay => {}
        }
        Some(Modal::AuditFilter { form })
    }

    pub(crate) fn pick_source_key(
        &mut self,
        key: KeyEvent,
        options: Vec<(String, String)>,
        mut selected: usize,
    ) -> Option<Modal> {
        match super::app_access::pick(&key, &mut selected, options.len()) {
            Pick::Cancel => None,
            Pick::Choose => {
                let source = options.get(selected)?.1.clone();
                let a = self.state.audit.clone()?;
                self.start_audit(a.query, a.since, a.until, source);
                None
            }
            Pick::Stay => Some(Modal::PickSource { options, selected }),
        }
    }
}
