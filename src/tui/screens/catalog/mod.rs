//! The API list: REST and HTTP APIs of every region together, sortable, filterable,
//! virtualised. Its rows (filtered and sorted indices) are rebuilt only when the catalog or
//! the filter changes; the sort order is computed once per column.

pub use crate::tui::data::cache;
pub mod jobs;

use super::{Nav, Paint, Screen, Shared, Target};
use crate::domain::Api;
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, Store};
use crate::tui::widgets::list::{FilteredRows, ListView};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

const COLUMNS: [&str; 8] = ["NAME", "ID", "KIND", "REGION", "ENDPOINT", "STAGES", "OWNER", "CREATED"];
/// Where the ACCOUNT column goes when accounts are read: before REGION.
const ACCOUNT_AT: usize = 3;

/// Sort columns of the API list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiSort {
    #[default]
    Name,
    Id,
    Kind,
    Region,
    Endpoint,
    Stages,
    Owner,
    Created,
}

impl ApiSort {
    pub const ALL: [ApiSort; 8] = [
        ApiSort::Name,
        ApiSort::Id,
        ApiSort::Kind,
        ApiSort::Region,
        ApiSort::Endpoint,
        ApiSort::Stages,
        ApiSort::Owner,
        ApiSort::Created,
    ];

    pub fn next(self) -> ApiSort {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    pub fn column(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// What the column sorts by, for one API.
    fn key(self, x: &Api) -> String {
        match self {
            ApiSort::Name => x.name.to_lowercase(),
            ApiSort::Id => x.id.clone(),
            ApiSort::Kind => x.kind.label().into(),
            ApiSort::Region => x.region.clone(),
            ApiSort::Endpoint => x.endpoint_type.clone().unwrap_or_default(),
            ApiSort::Stages => format!("{:05}", x.stages.len()),
            ApiSort::Owner => x.owner().unwrap_or("").to_lowercase(),
            ApiSort::Created => x.created_date.clone().unwrap_or_default(),
        }
    }
}

/// `s` and `S`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortChange {
    NextColumn,
    Reverse,
}

/// What the API list's filter matches: name first (so name matches score best), then id, kind,
/// region, owner, and the account (name and id) when accounts are read.
pub fn api_haystack(a: &Api) -> String {
    let mut text = format!("{} {} {} {} {}", a.name, a.id, a.kind.label(), a.region, a.owner().unwrap_or(""));
    for part in [&a.account.name, &a.account.id].into_iter().flatten() {
        text.push(' ');
        text.push_str(part);
    }
    text
}

/// The catalog kept from the last run, shown until the fresh one arrives.
pub fn show_cached(cached: Option<cache::CachedCatalog>, sh: &mut Shared) {
    if let Some(c) = cached {
        (sh.store.catalog.apis, sh.store.catalog.cached_at) = (Loadable::Loaded(c.apis), Some(c.saved_at));
        sh.store.generations.apis += 1;
    }
}

/// A catalog answer; a fresh one is kept for the next start (when the cache is on).
pub fn take_apis(request: u64, result: Result<Vec<Api>, String>, at: String, sh: &mut Shared) {
    match sh.store.take_apis(request, result, at) {
        Ok(true) => {
            if sh.store.connection.keep_catalog {
                let apis = Box::new(sh.store.catalog.apis.loaded().cloned().unwrap_or_default());
                crate::tui::jobs::start(sh, jobs::SaveCatalog(apis));
            }
            // The FINDINGS column fills without opening :findings (once; ctrl-r there reads again).
            if sh.store.connection.background_findings && matches!(sh.store.findings, Loadable::NotLoaded) {
                super::findings::load(sh);
            }
        }
        Ok(_) => {}
        Err(e) => sh.error(e),
    }
}

/// An incomplete API read again; what still fails is on the status line.
pub fn take_reread(request: u64, api: &ApiRef, result: Result<Option<Api>, String>, sh: &mut Shared) {
    match sh.store.take_reread(request, api, result) {
        Ok(false) => {}
        Ok(true) => match sh.store.api(api).and_then(|a| a.error.clone()) {
            Some(still) => sh.error(format!("API {} is still incomplete: {still}", api.id)),
            None => sh.info(format!("API {} read again", api.id)),
        },
        Err(e) => sh.error(e),
    }
}

/// An API's authorizers, read with its detail.
pub fn take_authorizers(api: &ApiRef, result: Result<Vec<crate::domain::Authorizer>, String>, sh: &mut Shared) {
    if let Err(e) = sh.store.take_authorizers(api, result) {
        sh.error(e);
    }
}

/// How the catalog loads: a reload keeps the loaded list on screen (the header shows the spinner).
pub fn load_apis(sh: &mut Shared) {
    let request = crate::tui::jobs::start(sh, jobs::LoadApis);
    if sh.store.catalog.apis.loaded().is_some() {
        sh.store.catalog.refresh = Some(request);
    } else {
        sh.store.catalog.apis = Loadable::Loading { request };
    }
}

#[derive(Debug, Default)]
pub struct CatalogScreen {
    pub view: ListView,
    pub sort: ApiSort,
    /// Filtered and sorted indices into the loaded APIs.
    rows: Vec<usize>,
    matched: FilteredRows,
    haystacks: std::sync::Arc<Vec<String>>,
    /// The APIs in the column order (ties in catalog order), ascending and descending.
    order: Vec<usize>,
    order_reversed: Vec<usize>,
    /// The catalog generation the haystacks and ranks are for.
    built: Option<u64>,
    /// The selected API, as of the rows in force: kept across a new catalog, whose indices differ.
    keep: Option<ApiRef>,
    /// The filter changed and its rows are not in yet: they highlight the first row.
    new_filter: bool,
    /// The FINDINGS column: unwaived findings per API (`(region, id)`), their count and worst
    /// severity, as of the findings generation.
    findings: (Option<u64>, crate::tui::data::FindingsPerApi),
    /// Some API has an account (accounts are read): the ACCOUNT column shows.
    accounts: bool,
}

impl CatalogScreen {
    pub fn new() -> CatalogScreen {
        CatalogScreen::default()
    }

    /// Is a filter being matched on other threads (the rows shown are the previous ones)?
    pub fn filtering(&self) -> bool {
        self.matched.is_pending()
    }

    /// The APIs shown, in order.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    pub fn selected_api<'a>(&self, store: &'a Store) -> Option<&'a Api> {
        store.catalog.apis.loaded()?.get(*self.rows.get(self.view.selected)?)
    }

    /// New data: haystacks, column order and rows at once; the API selected before stays.
    fn reload(&mut self, store: &Store) {
        self.built = Some(store.generations.apis);
        let apis = store.catalog.apis.loaded().map(Vec::as_slice).unwrap_or_default();
        self.haystacks = std::sync::Arc::new(apis.iter().map(api_haystack).collect());
        self.accounts = apis.iter().any(|a| a.account.id.is_some());
        self.rank_by_column(apis);
        self.matched.update(store.generations.apis, &self.view.filter, &self.haystacks);
        let keep = self.keep.clone();
        self.reorder_keeping(store, keep);
    }

    /// Catch up with a catalog that changed while another screen was on top.
    fn catch_up(&mut self, store: &Store) {
        if self.built != Some(store.generations.apis) {
            self.reload(store);
        }
    }

    /// The filter changed: a big catalog is matched on other threads (the rows in force stay
    /// until `sync` takes the new ones).
    fn refilter(&mut self, sh: &Shared) {
        let (store, generation) = (&sh.store, sh.store.generations.apis);
        // The rows of a new filter highlight its best match (the first row), whatever was before.
        self.new_filter = true;
        if self.matched.update_shared(generation, &self.view.filter, &self.haystacks, sh.wake.as_ref()) {
            self.reorder(store);
        }
    }

    /// The rows from the matches, in score then column order; the selected API stays selected
    /// (the first row, the best match, once a new filter's rows are in).
    fn reorder(&mut self, store: &Store) {
        let keep = if std::mem::take(&mut self.new_filter) {
            self.view.selected = 0;
            None
        } else {
            self.selected_api(store).map(ApiRef::of)
        };
        self.reorder_keeping(store, keep);
    }

    fn reorder_keeping(&mut self, store: &Store, selected: Option<ApiRef>) {
        let apis = store.catalog.apis.loaded().map(Vec::as_slice).unwrap_or_default();
        let order = if self.view.sort_reverse { &self.order_reversed } else { &self.order };
        self.rows = if self.view.filter.trim().is_empty() {
            order.clone()
        } else {
            // Best match first while filtering; the column order breaks ties (a stable sort of
            // the matches taken in column order).
            let mut score = vec![None; apis.len()];
            for &(i, s) in self.matched.matched() {
                score[i] = Some(s);
            }
            let mut rows: Vec<usize> = order.iter().copied().filter(|&i| score[i].is_some()).collect();
            rows.sort_by_key(|&i| std::cmp::Reverse(score[i]));
            rows
        };
        self.view.clamp(self.rows.len());
        if let Some(r) = selected
            && let Some(pos) = self.rows.iter().position(|&i| apis.get(i).is_some_and(|a| ApiRef::of(a) == r))
        {
            self.view.selected = pos;
        }
        self.keep = self.selected_api(store).map(ApiRef::of);
    }

    /// Both orders are stable, so equal keys keep the catalog's order in either direction.
    fn rank_by_column(&mut self, apis: &[Api]) {
        let keys: Vec<(String, String)> = apis.iter().map(|a| (self.sort.key(a), a.name.to_lowercase())).collect();
        let mut order: Vec<usize> = (0..apis.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        let mut reversed = order.clone();
        reversed.sort_by(|&a, &b| keys[b].cmp(&keys[a]));
        self.order = order;
        self.order_reversed = reversed;
    }

    fn sort_by(&mut self, change: SortChange, store: &Store) {
        match change {
            SortChange::NextColumn => self.sort = self.sort.next(),
            SortChange::Reverse => self.view.sort_reverse = !self.view.sort_reverse,
        }
        let apis = store.catalog.apis.loaded().map(Vec::as_slice).unwrap_or_default();
        self.rank_by_column(apis);
        self.reorder(store);
    }

    /// Enter: the API's detail; on an incomplete API, read it again first (its detail says
    /// what is missing until then).
    fn open_selected(&self, sh: &mut Shared) -> Nav {
        let Some(api) = self.selected_api(&sh.store).cloned() else { return Nav::Stay };
        let api_ref = ApiRef::of(&api);
        if api.error.is_some() && sh.store.catalog.rereading.is_none() {
            sh.info(format!("reading API {} again…", crate::sanitize::one_line(&api.name, 40)));
            let request = crate::tui::jobs::start(sh, jobs::RereadApi(Box::new(api)));
            sh.store.catalog.rereading = Some((request, api_ref));
            return Nav::Stay;
        }
        Nav::Go(super::Target::Api { api: api_ref, stage: None })
    }

    fn open_docs(&self, sh: &mut Shared) -> Nav {
        let Some(api) = self.selected_api(&sh.store).map(ApiRef::of) else { return Nav::Stay };
        Nav::Go(super::Target::Docs { api, stage: 0 })
    }

    fn title(&self, store: &Store) -> String {
        let total = store.catalog.apis.loaded().map_or(0, Vec::len);
        let busy = if self.matched.is_pending() { " filtering…" } else { "" };
        match self.view.filter.is_empty() {
            true => format!(" APIs ({total}){busy} "),
            false => format!(" APIs ({}/{total}) /{}{busy} ", self.rows.len(), one_line(&self.view.filter, 30)),
        }
    }
}

impl Screen for CatalogScreen {
    fn title(&self) -> String {
        "apis".into()
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.view.apply(action, self.rows.len()) {
            self.keep = self.selected_api(&sh.store).map(ApiRef::of);
            return Nav::Stay;
        }
        match action {
            Action::Select => self.open_selected(sh),
            Action::SortNext => {
                self.sort_by(SortChange::NextColumn, &sh.store);
                Nav::Stay
            }
            Action::SortReverse => {
                self.sort_by(SortChange::Reverse, &sh.store);
                Nav::Stay
            }
            Action::OpenDocs => self.open_docs(sh),
            Action::Refresh => {
                load_apis(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        if self.findings.0 != Some(sh.store.generations.findings) {
            let per_api = sh.store.findings.loaded().map(|f| f.per_api()).unwrap_or_default();
            self.findings = (Some(sh.store.generations.findings), per_api);
        }
        if self.built != Some(sh.store.generations.apis) {
            self.reload(&sh.store);
        } else if self.matched.poll() {
            self.reorder(&sh.store);
        }
        Nav::Stay
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.view.filter)
    }

    fn filtered(&mut self, sh: &mut Shared) {
        self.refilter(sh);
    }

    fn selected_resource(&self, store: &Store) -> Option<(String, String)> {
        self.selected_api(store).map(|a| (a.id.clone(), String::new()))
    }

    /// Select the API (clearing the filter), so going back from its detail lands on it; or
    /// show the APIs a filter matches (an account's).
    fn focus(&mut self, target: &Target, sh: &mut Shared) -> bool {
        if let Target::Catalog { filter } = target {
            self.catch_up(&sh.store);
            self.view.set_filter(filter.clone());
            self.refilter(sh);
            return true;
        }
        let Target::ApiInCatalog(api) = target else { return false };
        self.catch_up(&sh.store);
        self.view.set_filter(String::new());
        self.matched.update(sh.store.generations.apis, "", &self.haystacks);
        self.reorder_keeping(&sh.store, Some(api.clone()));
        self.keep.as_ref() == Some(api)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let title = self.title(p.store);
        if let Some(ph) = placeholder(&p.store.catalog.apis, "APIs", p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let apis = p.store.catalog.apis.loaded().map(Vec::as_slice).unwrap_or_default();
        let rows = &self.rows;
        // FINDINGS (not a sort column): unwaived governance findings, once :findings has read them.
        let mut cells: Vec<Cell> = COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| Cell::from(sort_label(c, i, self.sort, self.view.sort_reverse)))
            .chain(std::iter::once(Cell::from("FINDINGS")))
            .collect();
        let mut widths = widths();
        if self.accounts {
            // ACCOUNT (its name, else its id) before REGION; not a sort column.
            cells.insert(ACCOUNT_AT, Cell::from("ACCOUNT"));
            widths.insert(ACCOUNT_AT, Constraint::Length(14));
        }
        let header = Row::new(cells);
        let findings = &self.findings.1;
        let accounts = self.accounts;
        let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
        table.render(frame, area, &self.view, rows.len(), s, |i| match apis.get(rows[i]) {
            Some(a) => {
                let f = findings.get(&(a.region.clone(), a.id.clone())).copied();
                api_row(a, s, f, accounts)
            }
            None => Row::new([""]),
        });
    }
}

fn sort_label(name: &str, index: usize, sort: ApiSort, reverse: bool) -> String {
    match (sort.column() == index, reverse) {
        (true, false) => format!("{name} ▲"),
        (true, true) => format!("{name} ▼"),
        _ => name.to_string(),
    }
}

fn widths() -> Vec<Constraint> {
    vec![
        Constraint::Fill(3),
        Constraint::Length(11),
        Constraint::Length(5),
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Fill(1),
        Constraint::Fill(2),
        Constraint::Length(10),
        Constraint::Length(8),
    ]
}

/// `findings`: the API's count and worst severity; `None` until the findings are read (or for
/// an API they did not see).
fn api_row<'a>(
    a: &Api,
    s: &crate::tui::theme::Styles,
    findings: Option<(usize, crate::governance::Severity)>,
    accounts: bool,
) -> Row<'a> {
    let stages: Vec<&str> = a.stages.iter().map(|st| st.name.as_str()).collect();
    // An API some of whose reads failed is marked; its detail says what is missing.
    let name = match &a.error {
        Some(_) => Cell::from(Span::styled(format!("! {}", one_line(&a.name, 60)), s.error)),
        None => Cell::from(one_line(&a.name, 60)),
    };
    let mut cells = vec![
        name,
        Cell::from(Span::styled(one_line(&a.id, 12), s.muted)),
        Cell::from(Span::styled(a.kind.label(), s.accent)),
        Cell::from(one_line(&a.region, 16)),
        Cell::from(one_line(a.endpoint_type.as_deref().unwrap_or(""), 10)),
        Cell::from(one_line(&stages.join(","), 40)),
        Cell::from(Span::styled(one_line(a.owner().unwrap_or("-"), 30), s.tag)),
        Cell::from(Span::styled(
            a.created_date.as_deref().map_or("-", |d| d.get(..10).unwrap_or(d)).to_string(),
            s.muted,
        )),
        match findings {
            None => Cell::from(Span::styled("·", s.muted)),
            Some((0, _)) => Cell::from(Span::styled("0", s.success)),
            Some((n, worst)) => Cell::from(Span::styled(n.to_string(), super::findings::severity_style(worst, s))),
        },
    ];
    if accounts {
        cells.insert(ACCOUNT_AT, Cell::from(one_line(a.account.label(), 20)));
    }
    Row::new(cells)
}
