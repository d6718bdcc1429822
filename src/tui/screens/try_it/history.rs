//! The request history (`:history`, `H` on a request): every call sent, newest first, as a
//! recipe: when, status, method, API and stage, path, the auth reference. `/` filters,
//! `enter` opens the request again (it authenticates anew when sent), `d` deletes an entry.

use super::TryScreen;
use super::jobs::LoadHistory;
use crate::sanitize::for_terminal;
use crate::tryit::CallSpec;
use crate::tryit::history::Entry;
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::screens::{Nav, Paint, Screen, Shared};
use crate::tui::store::ApiRef;
use crate::tui::widgets::list::{FilterList, ListView};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

#[derive(Debug)]
pub struct HistoryScreen {
    pub list: FilterList,
    /// The history, oldest first (read when the screen opens, again after a delete).
    pub(super) history: Loadable<Vec<Entry>>,
    /// Bumped at every answer, so the rows are built again.
    answers: u64,
}

/// The API's name when the catalog has it, else its id.
fn api_name(store: &crate::tui::store::Store, e: &Entry) -> String {
    let api = ApiRef::new(e.region.clone(), e.api_id.clone());
    store.api(&api).map_or_else(|| e.api_id.clone(), |a| a.name.clone())
}

/// What `/` matches an entry against.
fn haystack(store: &crate::tui::store::Store, e: &Entry) -> String {
    let name = api_name(store, e);
    format!("{} {} {} {} {} {name} {} {}", e.at, e.method, e.path, e.operation, e.api_id, e.stage, e.auth)
}

impl HistoryScreen {
    pub fn open(sh: &mut Shared) -> Box<dyn Screen> {
        let request = crate::tui::jobs::start(sh, LoadHistory { delete: None });
        let history = Loadable::Loading { request };
        let mut screen = HistoryScreen { list: FilterList::default(), history, answers: 0 };
        screen.sync(sh);
        Box::new(screen)
    }

    /// The history read (or the delete done and the history read again).
    pub(super) fn take(&mut self, request: u64, result: Result<Vec<Entry>, String>) {
        if self.history.accept(request, result) {
            self.answers += 1;
        }
    }

    /// The entries newest first.
    fn entries(&self) -> Vec<&Entry> {
        self.history.loaded().map(|h| h.iter().rev().collect()).unwrap_or_default()
    }

    fn selected(&self) -> Option<&Entry> {
        let i = self.list.indices().nth(self.list.view.selected)?;
        self.entries().get(i).copied()
    }
}

impl Screen for HistoryScreen {
    fn title(&self) -> String {
        "history".into()
    }

    fn context(&self) -> Context {
        Context::History
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.list.apply(action) {
            return Nav::Stay;
        }
        match action {
            Action::Select => {
                let Some(e) = self.selected().cloned() else { return Nav::Stay };
                let api = ApiRef::new(e.region.clone(), e.api_id.clone());
                if sh.store.api(&api).is_none() {
                    sh.error(format!("API {} ({}) is not in the catalog any more", e.api_id, e.region));
                    return Nav::Stay;
                }
                let template = e.operation.split_once(' ').map_or(e.path.as_str(), |(_, p)| p).to_string();
                let spec = CallSpec {
                    method: e.method.clone(),
                    path: e.path.clone(),
                    query: e.query.clone(),
                    headers: e.headers.clone(),
                    body: e.body.clone().map(String::into_bytes),
                };
                let auth = e.auth.parse().unwrap_or(crate::tryit::auth::AuthChoice::Auto);
                if e.body_cut {
                    sh.error(
                        "the history kept only the first 256 KiB of this body: it is not what was sent (b shows it)",
                    );
                }
                Nav::Push(TryScreen::reopen(&api, &e.stage, &template, spec, auth))
            }
            Action::Delete => {
                let Some(e) = self.selected().cloned() else { return Nav::Stay };
                let request = crate::tui::jobs::start(sh, LoadHistory { delete: Some(Box::new(e)) });
                // The list stays on screen until the history is read again.
                let stale = self.history.loaded().cloned().unwrap_or_default();
                self.history = Loadable::Refreshing { request, stale, saved_at: None };
                sh.info("deleting the entry…");
                Nav::Stay
            }
            Action::Refresh => {
                let request = crate::tui::jobs::start(sh, LoadHistory { delete: None });
                self.history = Loadable::Loading { request };
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        let entries: Vec<&Entry> = self.history.loaded().map(|h| h.iter().rev().collect()).unwrap_or_default();
        self.list.sync(self.answers, || entries.into_iter().map(|e| haystack(&sh.store, e)).collect());
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
        let entries = self.entries();
        let title = format!(" request history ({}){filter} ", entries.len());
        // Kept on screen while a delete reads the history again.
        if entries.is_empty() {
            let block = panel(title, s, true);
            match placeholder(&self.history, "the history", p) {
                Some(ph) => frame.render_widget(ph.block(block), area),
                None => {
                    let text = "no requests yet: t on a method, route or operation sends one";
                    frame.render_widget(
                        ratatui::widgets::Paragraph::new(Span::styled(text, s.muted)).block(block),
                        area,
                    );
                }
            }
            return;
        }
        let shown: Vec<usize> = self.list.indices().collect();
        let header = Row::new(["WHEN", "STATUS", "METHOD", "API / STAGE", "PATH", "AUTH", "MS"]);
        let table = VirtualTable {
            header: Some(header),
            widths: vec![
                Constraint::Length(20),
                Constraint::Length(7),
                Constraint::Length(7),
                Constraint::Length(24),
                Constraint::Fill(1),
                Constraint::Length(28),
                Constraint::Length(6),
            ],
            block: panel(title, s, true),
            focused: true,
        };
        table.render(frame, area, view, shown.len(), s, |i| {
            let e = entries[shown[i]];
            let (status, style) = match (e.status, &e.error) {
                (Some(code), _) if code < 300 => (code.to_string(), s.success),
                (Some(code), _) if code < 400 => (code.to_string(), s.warning),
                (Some(code), _) => (code.to_string(), s.error),
                (None, _) => ("error".into(), s.error),
            };
            let at = e.at.get(..19).unwrap_or(&e.at).replace('T', " ");
            Row::new([
                Cell::from(Span::styled(at, s.muted)),
                Cell::from(Span::styled(status, style)),
                Cell::from(e.method.clone()),
                Cell::from(for_terminal(&format!("{} / {}", api_name(p.store, e), e.stage)).into_owned()),
                Cell::from(for_terminal(&e.path).into_owned()),
                Cell::from(Span::styled(for_terminal(&e.auth).into_owned(), s.muted)),
                Cell::from(e.time_ms.map(|t| t.to_string()).unwrap_or_default()),
            ])
        });
    }

    fn busy(&self) -> bool {
        self.history.is_loading()
    }
}
