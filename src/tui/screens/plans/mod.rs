//! Usage plans: the list, and one plan's API stages, keys and usage chart (detail.rs).

mod detail;
pub mod jobs;

pub use detail::{PlanDetailScreen, PlanRow, quota_line, usage_chart};

use super::{Nav, Paint, Screen, Shared};
use crate::domain::{Throttle, UsagePlan};
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, Store};
use crate::tui::widgets::list::{FilterList, ListView};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

pub fn load_plans(sh: &mut Shared) {
    let request = crate::tui::jobs::start(sh, jobs::LoadPlans);
    sh.store.plans = Loadable::Loading { request };
}

pub fn load_keys(sh: &mut Shared) {
    let request = crate::tui::jobs::start(sh, jobs::LoadKeys);
    sh.store.keys = Loadable::Loading { request };
}

/// Load what is not there (or failed); what is loading or loaded stays.
pub fn ensure_plans(sh: &mut Shared) {
    if matches!(sh.store.plans, Loadable::NotLoaded | Loadable::Failed(_)) {
        load_plans(sh);
    }
}

pub fn ensure_keys(sh: &mut Shared) {
    if matches!(sh.store.keys, Loadable::NotLoaded | Loadable::Failed(_)) {
        load_keys(sh);
    }
}

pub fn throttle_text(t: &Option<Throttle>) -> String {
    t.as_ref().map_or("-".into(), |t| {
        format!("{}/s burst {}", t.rate_limit.unwrap_or_default(), t.burst_limit.unwrap_or_default())
    })
}

fn quota_text(p: &UsagePlan) -> String {
    p.quota.as_ref().map_or("-".into(), |q| format!("{} per {}", q.limit, q.period.to_lowercase()))
}

/// A plan's detail, or (while plans load, or for a plan not listed yet) the list filtered to it.
pub fn open_plan(id: &str, sh: &mut Shared) -> Box<dyn Screen> {
    if sh.store.plan(id).is_some() {
        return PlanDetailScreen::open(id, sh);
    }
    if !sh.store.plans.is_loading() {
        load_plans(sh);
    }
    let mut screen = PlansScreen::new(id);
    screen.sync(sh);
    Box::new(screen)
}

#[derive(Debug)]
pub struct PlansScreen {
    pub list: FilterList,
}

impl PlansScreen {
    fn new(filter: &str) -> PlansScreen {
        PlansScreen { list: FilterList::with_filter(filter) }
    }

    /// `:plans`: the plans (and the keys, for names), loaded if they are not yet.
    pub fn open(sh: &mut Shared) -> Box<dyn Screen> {
        ensure_plans(sh);
        if sh.store.keys.loaded().is_none() && !sh.store.keys.is_loading() {
            load_keys(sh);
        }
        let mut screen = PlansScreen::new("");
        screen.sync(sh);
        Box::new(screen)
    }

    pub fn plans<'a>(&'a self, store: &'a Store) -> impl Iterator<Item = &'a UsagePlan> + 'a {
        let all = store.plans.loaded().map(Vec::as_slice).unwrap_or_default();
        self.list.indices().map(move |i| &all[i])
    }

    fn selected<'a>(&self, store: &'a Store) -> Option<&'a UsagePlan> {
        store.plans.loaded()?.get(self.list.selected()?)
    }
}

impl Screen for PlansScreen {
    fn title(&self) -> String {
        "plans".into()
    }

    fn context(&self) -> Context {
        Context::Plans
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.list.apply(action) {
            return Nav::Stay;
        }
        match action {
            Action::Select => match self.selected(&sh.store).map(|p| (p.id.clone(), p.error.is_some())) {
                // A plan whose keys could not be read: enter reads the plans again.
                Some((id, true)) if !sh.store.plans.is_loading() => {
                    sh.info(format!("reading usage plan {id} again"));
                    load_plans(sh);
                    Nav::Stay
                }
                Some((id, _)) => Nav::Push(PlanDetailScreen::open(&id, sh)),
                None => Nav::Stay,
            },
            Action::Refresh => {
                load_plans(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        let plans = sh.store.plans.loaded().map(Vec::as_slice).unwrap_or_default();
        // The API names are part of what `/` matches (and of the rows): built again when either changes.
        let store = &sh.store;
        let hay = || {
            plans
                .iter()
                .map(|p| format!("{} {} {} {}", p.name, p.id, p.region, stage_names(p, store).join(" ")))
                .collect()
        };
        self.list.sync(sh.store.generations.plans + sh.store.generations.apis, hay);
        Nav::Stay
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.list.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.list.view.filter)
    }

    fn filtered(&mut self, sh: &mut Shared) {
        self.list.refilter(sh.wake.as_ref());
    }

    fn selected_resource(&self, store: &Store) -> Option<(String, String)> {
        self.selected(store).map(|p| (p.id.clone(), String::new()))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let title = format!(" usage plans ({}) ", p.store.plans.loaded().map_or(0, Vec::len));
        if let Some(ph) = placeholder(&p.store.plans, "usage plans", p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let plans: Vec<&UsagePlan> = self.plans(p.store).collect();
        // ACCOUNT before REGION when accounts are read.
        let accounts = plans.iter().any(|x| x.account.id.is_some());
        let mut header = vec!["NAME", "ID", "THROTTLE", "QUOTA", "API STAGES", "KEYS", "REGION"];
        if accounts {
            header.insert(6, "ACCOUNT");
        }
        let header = Row::new(header);
        let mut widths = vec![
            Constraint::Fill(2),
            Constraint::Length(11),
            Constraint::Length(18),
            Constraint::Length(20),
            Constraint::Fill(3),
            Constraint::Length(5),
            Constraint::Length(14),
        ];
        if accounts {
            widths.insert(6, Constraint::Length(14));
        }
        let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
        table.render(frame, area, &self.list.view, plans.len(), s, |i| plan_row(plans[i], p.store, accounts, s));
    }
}

/// A plan's API stages as `api-name/stage` where the catalog knows the API, else by its id.
fn stage_names(p: &UsagePlan, store: &Store) -> Vec<String> {
    let name = |id: &str| {
        let api = ApiRef { region: p.region.clone(), id: id.to_string(), account: p.account.id.clone() };
        store.api(&api).map_or_else(|| id.to_string(), |a| a.name.clone())
    };
    p.api_stages.iter().map(|st| format!("{}/{}", name(&st.api_id), st.stage)).collect()
}

fn plan_row<'a>(p: &UsagePlan, store: &Store, accounts: bool, s: &crate::tui::theme::Styles) -> Row<'a> {
    let stages = stage_names(p, store);
    // A plan whose keys could not be read is marked, and its key count is unknown.
    let (name, keys) = match &p.error {
        Some(_) => (Span::styled(format!("! {}", one_line(&p.name, 40)), s.error), "?".to_string()),
        None => (Span::styled(one_line(&p.name, 40), s.accent), p.key_ids.len().to_string()),
    };
    let mut cells = vec![
        Cell::from(name),
        Cell::from(Span::styled(one_line(&p.id, 12), s.muted)),
        Cell::from(throttle_text(&p.throttle)),
        Cell::from(quota_text(p)),
        Cell::from(one_line(&stages.join(", "), 80)),
        Cell::from(keys),
        Cell::from(one_line(&p.region, 16)),
    ];
    if accounts {
        cells.insert(6, Cell::from(one_line(p.account.label(), 20)));
    }
    Row::new(cells)
}
