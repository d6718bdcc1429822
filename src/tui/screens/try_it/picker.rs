//! `:try`: choose an API (fuzzy, `/`), then one of its operations on one of its stages; the
//! request opens as from the API detail. The operations come from the API's methods or routes
//! (loaded when the API is chosen), every stage listed for each.

use super::TryScreen;
use crate::domain::ApiKind;
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::screens::api::{Reload, load_detail};
use crate::tui::screens::{Nav, Paint, Screen, Shared};
use crate::tui::store::{ApiRef, DetailData, Store};
use crate::tui::widgets::list::{FilterList, ListView};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

/// One operation on one stage: stage, method, path, what it demands.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub stage: String,
    pub method: String,
    pub path: String,
    pub auth: String,
}

/// Every operation of the API on every stage (a route's `ANY` is tried as `GET`).
pub fn operations(store: &Store, api: &ApiRef) -> Vec<Op> {
    let (Some(a), Some(detail)) = (store.api(api), store.detail(api)) else { return vec![] };
    let ops: Vec<(String, String, String)> = match detail {
        DetailData::Rest(tree) => tree
            .iter()
            .flat_map(|n| n.methods.iter())
            .map(|m| {
                let key = if m.api_key_required { "API key + " } else { "" };
                (m.method.clone(), m.path.clone(), format!("{key}{}", m.authorization))
            })
            .collect(),
        DetailData::Http(routes) => routes
            .iter()
            .map(|r| {
                let (m, p) = r.route_key.split_once(' ').unwrap_or(("GET", "/"));
                (m.to_string(), p.to_string(), r.authorization.clone())
            })
            .collect(),
    };
    a.stages
        .iter()
        .flat_map(|st| {
            ops.iter().map(|(m, p, auth)| Op {
                stage: st.name.clone(),
                method: if m == "ANY" { "GET".into() } else { m.clone() },
                path: p.clone(),
                auth: auth.clone(),
            })
        })
        .collect()
}

#[derive(Debug)]
pub struct TryPicker {
    /// `None`: choosing the API; else choosing one of its operations.
    pub api: Option<ApiRef>,
    /// The API's name, for the title.
    name: String,
    pub list: FilterList,
    built: Option<(u64, u64)>,
}

impl TryPicker {
    pub fn open(sh: &mut Shared) -> Box<dyn Screen> {
        let mut screen = TryPicker { api: None, name: String::new(), list: FilterList::default(), built: None };
        screen.sync(sh);
        Box::new(screen)
    }

    /// The operations of `api` (those of `stage` when given: the `/` filter starts with it).
    pub fn operations_of(api: &ApiRef, stage: Option<&str>, sh: &mut Shared) -> Nav {
        load_detail(api, Reload::IfMissing, sh);
        let name = sh.store.api(api).map_or_else(|| api.id.clone(), |a| a.name.clone());
        let mut next = TryPicker { api: Some(api.clone()), name, list: FilterList::default(), built: None };
        next.sync(sh);
        if let Some(stage) = stage {
            next.list.view.set_filter(stage.to_string());
            next.list.refilter(sh.wake.as_ref());
        }
        Nav::Push(Box::new(next))
    }

    fn apis<'a>(&self, store: &'a Store) -> &'a [crate::domain::Api] {
        store.catalog.apis.loaded().map(Vec::as_slice).unwrap_or_default()
    }
}

impl Screen for TryPicker {
    fn title(&self) -> String {
        match &self.api {
            None => "try: an API".into(),
            Some(_) => format!("try: an operation of {}", self.name),
        }
    }

    fn context(&self) -> Context {
        Context::History
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.list.apply(action) {
            return Nav::Stay;
        }
        if action != Action::Select {
            return Nav::Unused;
        }
        let Some(i) = self.list.best_first().get(self.list.view.selected).copied() else { return Nav::Unused };
        match &self.api {
            None => {
                let Some(a) = self.apis(&sh.store).get(i) else { return Nav::Stay };
                if a.stages.is_empty() {
                    sh.error(format!("{} has no deployed stage to call", a.name));
                    return Nav::Stay;
                }
                let api = ApiRef::of(a);
                Self::operations_of(&api, None, sh)
            }
            Some(api) => match operations(&sh.store, api).get(i) {
                Some(op) => Nav::Push(TryScreen::open(api, &op.stage, &op.method, &op.path)),
                None => Nav::Stay,
            },
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        let g = (sh.store.generations.apis, sh.store.generations.details);
        if self.built == Some(g) {
            return Nav::Stay;
        }
        self.built = Some(g);
        let hay: Vec<String> = match &self.api {
            None => {
                self.apis(&sh.store).iter().map(|a| format!("{} {} {} {:?}", a.name, a.id, a.region, a.kind)).collect()
            }
            Some(api) => operations(&sh.store, api)
                .iter()
                .map(|o| format!("{} {} {} {}", o.stage, o.method, o.path, o.auth))
                .collect(),
        };
        self.list.sync(g.0.wrapping_mul(1 << 20).wrapping_add(g.1), || hay);
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

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let view = &self.list.view;
        let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", for_terminal(&view.filter)) };
        let shown: Vec<usize> = self.list.best_first();
        let enter = p.keys(Context::History, Action::Select);
        match &self.api {
            None => {
                let title = format!(" try: choose an API ({enter}){filter} ");
                if let Some(ph) = placeholder(&p.store.catalog.apis, "the catalog", p) {
                    return frame.render_widget(ph.block(panel(title, s, true)), area);
                }
                let apis = self.apis(p.store);
                let header = Row::new(["NAME", "TYPE", "REGION", "ID", "STAGES"]);
                let widths = vec![
                    Constraint::Fill(1),
                    Constraint::Length(5),
                    Constraint::Length(15),
                    Constraint::Length(12),
                    Constraint::Fill(1),
                ];
                let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
                table.render(frame, area, view, shown.len(), s, |i| {
                    let a = &apis[shown[i]];
                    let stages: Vec<&str> = a.stages.iter().map(|st| st.name.as_str()).collect();
                    let kind = if a.kind == ApiKind::Rest { "REST" } else { "HTTP" };
                    Row::new([
                        Cell::from(for_terminal(&a.name).into_owned()),
                        Cell::from(kind),
                        Cell::from(a.region.clone()),
                        Cell::from(a.id.clone()),
                        Cell::from(Span::styled(for_terminal(&stages.join(", ")).into_owned(), s.muted)),
                    ])
                });
            }
            Some(api) => {
                let name = p.store.api(api).map(|a| a.name.clone()).unwrap_or_else(|| api.id.clone());
                let title = format!(" try {}: choose an operation ({enter}){filter} ", for_terminal(&name));
                let loadable = p.store.catalog.details.get(api).unwrap_or(&Loadable::NotLoaded);
                if let Some(ph) = placeholder(loadable, "the API's methods", p) {
                    return frame.render_widget(ph.block(panel(title, s, true)), area);
                }
                let ops = operations(p.store, api);
                let header = Row::new(["STAGE", "METHOD", "PATH", "AUTH"]);
                let widths =
                    vec![Constraint::Length(12), Constraint::Length(8), Constraint::Fill(1), Constraint::Length(28)];
                let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
                table.render(frame, area, view, shown.len(), s, |i| {
                    let o = &ops[shown[i]];
                    Row::new([
                        Cell::from(for_terminal(&o.stage).into_owned()),
                        Cell::from(o.method.clone()),
                        Cell::from(for_terminal(&o.path).into_owned()),
                        Cell::from(Span::styled(o.auth.clone(), s.muted)),
                    ])
                });
            }
        }
    }
}
