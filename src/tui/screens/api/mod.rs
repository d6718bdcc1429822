//! API detail: facts about the API, its resource tree (REST) or routes (HTTP), and its stages.
//! Methods and routes load when the screen opens (once per catalog load); tab switches panes.

mod draw;

pub use draw::verb_style;

use super::{Nav, Paint, Screen, Shared};
use crate::tui::action::{Action, Context};
use crate::tui::command::{Command, Slot};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, DetailRow, Store};
use crate::tui::widgets::list::{FilteredRows, ListView, fuzzy_filter};
use ratatui::Frame;
use ratatui::layout::Rect;

/// The detail screen's two panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Resources,
    Stages,
}

/// Whether a load goes out when the data is already there (or on its way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reload {
    /// Only if it is not loaded or loading yet.
    IfMissing,
    /// Always (ctrl-r).
    Always,
}

/// Load an API's methods (REST) or routes (HTTP).
pub fn load_detail(api_ref: &ApiRef, reload: Reload, sh: &mut Shared) {
    let Some(api) = sh.store.api(api_ref).cloned() else { return };
    let present = sh.store.catalog.details.get(api_ref).is_some_and(|l| l.loaded().is_some() || l.is_loading());
    if present && reload == Reload::IfMissing {
        return;
    }
    let request = crate::tui::jobs::start(sh, super::catalog::jobs::LoadDetail(Box::new(api)));
    sh.store.catalog.details.insert(api_ref.clone(), Loadable::Loading { request });
}

#[derive(Debug)]
pub struct ApiScreen {
    pub api: ApiRef,
    pub pane: Pane,
    pub resources: ListView,
    pub stages: ListView,
    /// Resource rows after the filter (indices into the detail's rows).
    rows: FilteredRows,
    /// Stage indices after the filter.
    stage_rows: Vec<usize>,
    built: Option<(u64, u64)>,
}

impl ApiScreen {
    /// The screen for `api`, its methods or routes loading if they are not there yet.
    pub fn open(api: &ApiRef, sh: &mut Shared) -> Box<dyn Screen> {
        load_detail(api, Reload::IfMissing, sh);
        let mut screen = ApiScreen {
            api: api.clone(),
            pane: Pane::Resources,
            resources: ListView::default(),
            stages: ListView::default(),
            rows: FilteredRows::default(),
            stage_rows: vec![],
            built: None,
        };
        screen.sync(sh);
        Box::new(screen)
    }

    fn view(&mut self) -> &mut ListView {
        match self.pane {
            Pane::Resources => &mut self.resources,
            Pane::Stages => &mut self.stages,
        }
    }

    fn rebuild(&mut self, store: &Store) {
        let haystacks: Vec<String> = match store.detail(&self.api) {
            Some(data) => data.rows().iter().map(DetailRow::haystack).collect(),
            None => vec![],
        };
        self.rows.invalidate();
        self.rows.update(store.generations.details, &self.resources.filter, &haystacks);
        self.resources.clamp(self.rows.len());
        self.stage_rows = match store.api(&self.api) {
            Some(a) => fuzzy_filter(&self.stages.filter, a.stages.iter().map(|s| s.name.as_str())),
            None => vec![],
        };
        self.stages.clamp(self.stage_rows.len());
    }

    /// The selected stage's name (in the stages pane).
    fn selected_stage(&self, store: &Store) -> Option<String> {
        let a = store.api(&self.api)?;
        let i = *self.stage_rows.get(self.stages.selected)?;
        a.stages.get(i).map(|s| s.name.clone())
    }

    fn open_stage(&self, store: &Store) -> Nav {
        match (self.pane, self.selected_stage(store)) {
            (Pane::Stages, Some(stage)) => Nav::Go(super::Target::Stage { api: self.api.clone(), stage }),
            _ => Nav::Unused,
        }
    }

    fn open_docs(&self) -> Nav {
        let index = match self.pane {
            Pane::Stages => self.stage_rows.get(self.stages.selected).copied().unwrap_or(0),
            Pane::Resources => 0,
        };
        Nav::Go(super::Target::Docs { api: self.api.clone(), stage: index })
    }

    /// `t` on a method or route: its request, on the selected stage (or the first).
    fn try_it(&self, store: &Store) -> Nav {
        let Some(data) = store.detail(&self.api) else { return Nav::Stay };
        let rows = data.rows();
        let Some(row) = self.rows.indices().nth(self.resources.selected).and_then(|i| rows.get(i)) else {
            return Nav::Stay;
        };
        let (method, path) = match row {
            DetailRow::Method(_, m) => (m.method.clone(), m.path.clone()),
            DetailRow::Route(r) => {
                let (m, p) = r.route_key.split_once(' ').unwrap_or(("GET", "/"));
                (m.to_string(), p.to_string())
            }
            DetailRow::Resource(_) => return Nav::Stay,
        };
        let method = if method == "ANY" { "GET".to_string() } else { method };
        let stage = self.selected_stage(store).or_else(|| store.api(&self.api)?.stages.first().map(|s| s.name.clone()));
        let Some(stage) = stage else { return Nav::Stay };
        Nav::Go(super::Target::Try { api: self.api.clone(), stage, method, path })
    }

    /// Rows in the focused pane.
    fn len(&self) -> usize {
        match self.pane {
            Pane::Resources => self.rows.len(),
            Pane::Stages => self.stage_rows.len(),
        }
    }

    fn switch_pane(&mut self) -> Nav {
        self.pane = if self.pane == Pane::Resources { Pane::Stages } else { Pane::Resources };
        Nav::Stay
    }
}

impl Screen for ApiScreen {
    fn title(&self) -> String {
        "api".into()
    }

    fn context(&self) -> Context {
        Context::Detail
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        let len = self.len();
        if self.view().apply(action, len) {
            return Nav::Stay;
        }
        match action {
            Action::Select => self.open_stage(&sh.store),
            Action::OpenDocs => self.open_docs(),
            Action::Try => self.try_it(&sh.store),
            Action::Left | Action::Right | Action::NextPane | Action::PrevPane => self.switch_pane(),
            Action::Refresh => {
                load_detail(&self.api, Reload::Always, sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        // A reloaded catalog drops the methods it had: load them again while this screen shows.
        if !sh.store.catalog.details.contains_key(&self.api) {
            load_detail(&self.api, Reload::IfMissing, sh);
        }
        let g = (sh.store.generations.details, sh.store.generations.apis);
        if self.built != Some(g) {
            self.built = Some(g);
            self.rebuild(&sh.store);
        }
        Nav::Stay
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(self.view())
    }

    fn filter(&self) -> Option<&str> {
        Some(match self.pane {
            Pane::Resources => &self.resources.filter,
            Pane::Stages => &self.stages.filter,
        })
    }

    fn filtered(&mut self, sh: &mut Shared) {
        self.rebuild(&sh.store);
    }

    fn selected_resource(&self, store: &Store) -> Option<(String, String)> {
        let stage =
            if self.pane == Pane::Stages { self.selected_stage(store).unwrap_or_default() } else { String::new() };
        Some((self.api.id.clone(), stage))
    }

    fn leave(&mut self, sh: &mut Shared) {
        if sh.store.catalog.details.get(&self.api).is_some_and(Loadable::is_loading) {
            sh.store.catalog.details.remove(&self.api);
            sh.outbox.push(Command::Cancel(Slot::Detail(self.api.clone())));
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        draw::draw(self, frame, area, p);
    }
}
