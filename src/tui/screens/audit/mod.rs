//! The audit trail: CloudTrail events newest first, paged in from LookupEvents as the user
//! scrolls (or read from a trail's S3 logs), the filters in force, and one event's record
//! (record.rs). The query and the events live in the store, so `:audit` comes back to them.

mod draw;
pub mod jobs;
mod record;
mod view;

pub use record::RecordScreen;
pub use view::{AUDIT_FORM_LABELS, AUTO_PAGES, AuditView, default_query, filter_form, form_query};

use super::{Nav, Paint, Screen, Shared, Target};
use crate::domain::{AuditEvent, AuditQuery, AuditSource, Touched, Trail};
use crate::tui::action::{Action, Context};
use crate::tui::command::{Command, Slot};
use crate::tui::dialogs::{Answer, Dialog, FormKind, Pick, Picker};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, Store};
use crate::tui::widgets::list::{FilteredRows, ListView};
use ratatui::Frame;
use ratatui::layout::Rect;

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Who asked for the next page: the user (scrolling, enter) resets the count of pages fetched
/// on their own; filling the screen stops after a few.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    ByUser,
    Auto,
}

/// Open a query: the view is replaced, its events load.
fn start(query: AuditQuery, since: String, until: Option<String>, source: AuditSource, sh: &mut Shared) {
    if sh.store.audit.as_ref().is_some_and(|a| a.loading_more.is_some()) {
        sh.outbox.push(Command::Cancel(Slot::AuditPage));
    }
    let q = Box::new(query.clone());
    let src = source.clone();
    let request = crate::tui::jobs::start(sh, jobs::OpenAudit { query: q, source: src });
    let mut view = AuditView::new(query, since, until, source);
    view.feed = Loadable::Loading { request };
    sh.store.audit = Some(view);
    sh.store.generations.audit += 1;
}

/// Apply a new query: when LookupEvents would get the same calls, the loaded events are
/// filtered again here at once; otherwise the query is opened anew (the cache still helps).
fn apply_query(query: AuditQuery, since: String, until: Option<String>, source: AuditSource, sh: &mut Shared) -> bool {
    if let Some(a) = &mut sh.store.audit {
        let same_calls = a.source == source
            && a.query.since == query.since
            && a.query.until == query.until
            && crate::domain::server_filters(&a.query) == crate::domain::server_filters(&query);
        if same_calls && a.feed.loaded().is_some() {
            a.query = query;
            (a.since, a.until) = (since, until);
            sh.store.generations.audit += 1;
            return true;
        }
    }
    // Asked anew: a range relative to now (`24h`) ends now, not when the last query was opened.
    let mut query = query;
    (query.since, query.until) =
        AuditView::new(query.clone(), since.clone(), until.clone(), source.clone()).current_range();
    start(query, since, until, source, sh);
    false
}

fn refresh(sh: &mut Shared) {
    let Some(a) = &sh.store.audit else { return };
    let mut q = a.query.clone();
    (q.since, q.until) = a.current_range();
    let (since, until, source) = (a.since.clone(), a.until.clone(), a.source.clone());
    start(q, since, until, source, sh);
}

fn toggle_errors(sh: &mut Shared) {
    let Some(a) = &sh.store.audit else { return };
    let mut q = a.query.clone();
    q.errors_only = !q.errors_only;
    let (since, until, source) = (a.since.clone(), a.until.clone(), a.source.clone());
    apply_query(q, since, until, source, sh);
}

/// The source picker of an audit screen: the trails it asked for (DescribeTrails), then the
/// picker once they are listed.
#[derive(Debug, Default)]
pub struct SourcePicker {
    pub(super) trails: Loadable<Vec<Trail>>,
}

impl SourcePicker {
    fn ask(&mut self, sh: &mut Shared) {
        let request = crate::tui::jobs::start(sh, jobs::LoadTrails);
        self.trails = Loadable::Loading { request };
        sh.info("listing trails (DescribeTrails)…");
    }

    /// Once the trails asked for are listed: the picker, or why there is none (taken once).
    fn answered(&mut self, sh: &mut Shared) -> Nav {
        match std::mem::take(&mut self.trails) {
            Loadable::Loaded(t) => source_picker(&t, sh),
            Loadable::Failed(e) => {
                sh.error(format!("could not list trails: {e}"));
                Nav::Stay
            }
            other => {
                self.trails = other;
                Nav::Stay
            }
        }
    }
}

/// The sources to pick from: the event history, then every trail's logs.
fn source_picker(trails: &[Trail], sh: &mut Shared) -> Nav {
    let lookup = AuditSource::Lookup.to_string();
    let mut options = vec![("CloudTrail event history (LookupEvents, last 90 days)".to_string(), lookup)];
    options.extend(trails.iter().map(|t| {
        let scope = if t.multi_region { "all regions" } else { t.home_region.as_str() };
        (format!("trail {} ({scope}) · {}", t.name, t.source()), t.source().to_string())
    }));
    let current = sh.store.audit.as_ref().map(|a| a.source.to_string()).unwrap_or_default();
    let selected = options.iter().position(|(_, s)| *s == current).unwrap_or(0);
    Nav::Dialog(Dialog::Picker(Picker::new(Pick::AuditSource, options, selected)))
}

/// The keys both audit screens share: filters, source, errors only, refresh.
fn shared_action(action: Action, picker: &mut SourcePicker, sh: &mut Shared) -> Option<Nav> {
    match action {
        Action::EditFilters => {
            let form = sh.store.audit.as_ref().map(filter_form)?;
            Some(Nav::Dialog(Dialog::Form(form)))
        }
        Action::PickSource => {
            picker.ask(sh);
            Some(Nav::Stay)
        }
        Action::ToggleErrors => {
            toggle_errors(sh);
            Some(Nav::Stay)
        }
        Action::Refresh => {
            refresh(sh);
            Some(Nav::Stay)
        }
        _ => None,
    }
}

/// A dialog the audit screens opened has its answer.
fn shared_answer(answer: Answer, sh: &mut Shared) -> Nav {
    match answer {
        Answer::Submitted(form) if form.kind == FormKind::AuditFilters => match form_query(&form, now()) {
            Ok((mut q, since, until)) => {
                let source = sh.store.audit.as_ref().map_or(AuditSource::Lookup, |a| a.source.clone());
                // The same range as typed keeps the same instants, so other changes can apply at once.
                if let Some(a) = sh.store.audit.as_ref().filter(|a| a.since == since && a.until == until) {
                    (q.since, q.until) = (a.query.since, a.query.until);
                }
                apply_query(q, since, until, source, sh);
                Nav::Stay
            }
            Err(e) => Nav::Dialog(Dialog::Form(form.with_error(e))),
        },
        Answer::Picked { pick: Pick::AuditSource, value } => {
            let value = match value.parse::<AuditSource>() {
                Ok(v) => v,
                Err(e) => {
                    sh.error(e);
                    return Nav::Stay;
                }
            };
            if let Some(a) = sh.store.audit.clone() {
                let mut q = a.query.clone();
                (q.since, q.until) = a.current_range();
                start(q, a.since, a.until, value, sh);
            }
            Nav::Stay
        }
        _ => Nav::Unused,
    }
}

/// From an event to the key, plan, API or stage it touched, if it still exists.
fn jump(event: &AuditEvent, sh: &mut Shared) -> Nav {
    let gone = |sh: &mut Shared, what: &str, id: &str| {
        sh.error(format!("{what} {id} no longer exists (or is in a region not shown)"));
        Nav::Stay
    };
    match event.touched() {
        Some(Touched::Key(id)) => {
            if sh.store.keys.loaded().is_some() && sh.store.key(&id).is_none() {
                return gone(sh, "API key", &id);
            }
            Nav::Go(Target::Keys { filter: id })
        }
        Some(Touched::Plan(id)) => {
            if sh.store.plans.loaded().is_some() && sh.store.plan(&id).is_none() {
                return gone(sh, "usage plan", &id);
            }
            Nav::Go(Target::Plan { id })
        }
        Some(Touched::Api { id, stage }) => {
            if sh.store.catalog.apis.loaded().is_none() {
                sh.error(format!("the catalog is not loaded yet: try again when :apis shows API {id}"));
                return Nav::Stay;
            }
            match sh.store.api_by_id(&id).map(ApiRef::of) {
                Some(api) => Nav::Go(Target::Api { api, stage }),
                None => gone(sh, "API", &id),
            }
        }
        None => {
            sh.error("this event names no key, plan, API or stage");
            Nav::Stay
        }
    }
}

/// The query's first answer: the feed (cursors planned, cache read) or the trail's events.
pub fn take_opened(request: u64, result: Result<crate::domain::Feed, String>, problems: Vec<String>, sh: &mut Shared) {
    let Some(a) = &mut sh.store.audit else { return };
    if !a.feed.accept(request, result) {
        return;
    }
    a.auto_pages = 0;
    sh.store.generations.audit += 1;
    if !problems.is_empty() {
        let n = problems.len();
        sh.error(format!("{n} trail log file(s) could not be read: {}", problems.join("; ")));
    }
}

/// A round of pages: taken into the feed; the cursors that moved on are written to the cache
/// (by the worker).
pub fn take_page(request: u64, pages: Vec<(usize, Result<crate::domain::LookupPage, String>)>, sh: &mut Shared) {
    let Some(a) = &mut sh.store.audit else { return };
    if a.loading_more != Some(request) {
        return;
    }
    a.loading_more = None;
    let Some(feed) = a.feed.loaded_mut() else { return };
    let changed: Vec<usize> = pages.iter().filter(|(_, p)| p.is_ok()).map(|(i, _)| *i).collect();
    if let Err(e) = feed.apply_pages(pages, now()) {
        a.error = Some(e);
    }
    let save = (feed.account.is_some() && !changed.is_empty()).then(|| Box::new(feed.clone()));
    if let Some(feed) = save {
        crate::tui::jobs::start(sh, jobs::SaveAuditCache { feed, changed });
    }
    sh.store.generations.audit += 1;
}

#[derive(Debug, Default)]
pub struct AuditScreen {
    pub view: ListView,
    /// Indices into the feed's events that the query shows (newest first).
    visible: Vec<usize>,
    haystacks: std::sync::Arc<Vec<String>>,
    /// After the `/` filter: indices into `visible`.
    rows: FilteredRows,
    built: Option<u64>,
    pub(super) source: SourcePicker,
}

impl AuditScreen {
    fn with_filter(filter: String) -> AuditScreen {
        AuditScreen { view: ListView::with_filter(&filter), ..Default::default() }
    }

    /// `:audit`: the last query (kept while the app runs), or the last 24 hours.
    pub fn open(sh: &mut Shared) -> Box<dyn Screen> {
        let failed = sh.store.audit.as_ref().is_some_and(|a| matches!(a.feed, Loadable::Failed(_)));
        if sh.store.audit.is_none() || failed {
            let source = sh.store.connection.audit_source.clone();
            start(default_query(now(), None), "24h".into(), None, source, sh);
        }
        let mut screen = AuditScreen::default();
        screen.sync(sh);
        Box::new(screen)
    }

    /// From a key, plan, API or stage: its audit trail. The source and time range in use stay;
    /// the other filters give way to the resource.
    pub fn pivot(resource: String, filter: String, sh: &mut Shared) -> Box<dyn Screen> {
        let mut q = default_query(now(), Some(resource));
        let (source, since, until) = match &sh.store.audit {
            Some(a) => {
                (q.since, q.until) = a.current_range();
                (a.source.clone(), a.since.clone(), a.until.clone())
            }
            None => (sh.store.connection.audit_source.clone(), "24h".to_string(), None),
        };
        start(q, since, until, source, sh);
        let mut screen = AuditScreen::with_filter(filter);
        screen.sync(sh);
        Box::new(screen)
    }

    /// The events shown, in order.
    pub fn rows<'a>(&'a self, store: &'a Store) -> Vec<&'a AuditEvent> {
        let Some(a) = &store.audit else { return vec![] };
        self.rows.indices().filter_map(|k| a.event(self.visible[k])).collect()
    }

    pub fn shown(&self) -> usize {
        self.rows.len()
    }

    fn event_at<'a>(&self, store: &'a Store, row: usize) -> Option<&'a AuditEvent> {
        let k = self.rows.get(row)?;
        store.audit.as_ref()?.event(self.visible[k])
    }

    /// Rows of the list: the events after `/`, plus the "more" row.
    fn len(&self, store: &Store) -> usize {
        self.rows.len() + usize::from(store.audit.as_ref().is_some_and(draw::more_row))
    }

    fn rebuild(&mut self, store: &Store) {
        let Some(a) = &store.audit else {
            self.visible.clear();
            self.haystacks = Default::default();
            self.rows = FilteredRows::default();
            return;
        };
        self.visible = a.visible();
        self.haystacks =
            std::sync::Arc::new(self.visible.iter().filter_map(|&i| a.event(i)).map(audit_haystack).collect());
        self.rows.invalidate();
        self.rows.update(store.generations.audit, &self.view.filter, &self.haystacks);
        self.view.clamp(self.len(store));
    }

    /// Fetch the next page when the selection is within a screen of the end. Pages fetched on
    /// their own (to fill the screen) stop after a few; a key press starts the count again.
    fn more(&mut self, paging: Paging, sh: &mut Shared) {
        let (rows, selected, page) = (self.rows.len(), self.view.selected, self.view.page());
        let Some(a) = &mut sh.store.audit else { return };
        if paging == Paging::ByUser {
            a.auto_pages = 0;
        }
        let wanted = a.loading_more.is_none() && a.has_more() && (paging == Paging::ByUser || a.error.is_none());
        if !wanted || selected + page < rows || a.auto_pages >= AUTO_PAGES {
            return;
        }
        a.auto_pages += 1;
        a.error = None;
        let cursors = a.feed.loaded().map(|f| f.cursors.clone()).unwrap_or_default();
        let request = crate::tui::jobs::start(sh, jobs::LoadAuditPage { cursors });
        if let Some(a) = &mut sh.store.audit {
            a.loading_more = Some(request);
        }
    }

    /// Enter: the event's record; on the "more" row, load more.
    fn select(&mut self, sh: &mut Shared) -> Nav {
        match self.event_at(&sh.store, self.view.selected) {
            Some(e) => Nav::Push(Box::new(RecordScreen::new(e))),
            None => {
                self.more(Paging::ByUser, sh);
                Nav::Stay
            }
        }
    }
}

/// What `/` matches in an event.
pub fn audit_haystack(e: &AuditEvent) -> String {
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

impl Screen for AuditScreen {
    fn title(&self) -> String {
        "audit".into()
    }

    fn context(&self) -> Context {
        Context::Audit
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.view.apply(action, self.len(&sh.store)) {
            self.more(Paging::ByUser, sh);
            return Nav::Stay;
        }
        if let Some(nav) = shared_action(action, &mut self.source, sh) {
            if action == Action::ToggleErrors {
                self.sync(sh);
                self.more(Paging::ByUser, sh);
            }
            return nav;
        }
        match action {
            Action::Select => self.select(sh),
            Action::Jump => match self.event_at(&sh.store, self.view.selected).cloned() {
                Some(e) => jump(&e, sh),
                None => Nav::Stay,
            },
            _ => Nav::Unused,
        }
    }

    fn on_answer(&mut self, answer: Answer, sh: &mut Shared) -> Nav {
        let nav = shared_answer(answer, sh);
        self.sync(sh);
        self.more(Paging::ByUser, sh);
        nav
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        if self.built != Some(sh.store.generations.audit) {
            self.built = Some(sh.store.generations.audit);
            self.rebuild(&sh.store);
        } else if self.rows.poll() {
            self.view.clamp(self.len(&sh.store));
        }
        self.more(Paging::Auto, sh);
        self.source.answered(sh)
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.view.filter)
    }

    fn filtered(&mut self, sh: &mut Shared) {
        let generation = sh.store.generations.audit;
        self.rows.update_shared(generation, &self.view.filter, &self.haystacks, sh.wake.as_ref());
        self.view.clamp(self.len(&sh.store));
        self.more(Paging::ByUser, sh);
    }

    /// Pages stop while the screen is not shown (back on it, they carry on).
    fn leave(&mut self, sh: &mut Shared) {
        if let Some(a) = &mut sh.store.audit
            && a.loading_more.take().is_some()
        {
            sh.outbox.push(Command::Cancel(Slot::AuditPage));
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        draw::draw_list(self, frame, area, p);
    }
}
