//! `:accounts`: every account read, its status (ok, denied, failed) with what to do, and what
//! it holds as the other screens have read it (APIs, partners, findings). Enter filters the API
//! list to the account.

pub mod jobs;

use super::{Nav, Paint, Screen, Shared, Target};
use crate::aws::accounts::{AccountInfo, Status};
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::store::Store;
use crate::tui::widgets::list::{FilterList, ListView};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

#[derive(Debug)]
pub struct AccountsScreen {
    pub accounts: Loadable<Vec<AccountInfo>>,
    pub list: FilterList,
    generation: u64,
}

impl AccountsScreen {
    pub fn open(sh: &mut Shared) -> Box<dyn Screen> {
        let mut screen = AccountsScreen { accounts: Loadable::NotLoaded, list: FilterList::in_order(), generation: 0 };
        screen.load(sh);
        Box::new(screen)
    }

    fn load(&mut self, sh: &mut Shared) {
        let request = crate::tui::jobs::start(sh, jobs::LoadAccounts);
        self.accounts = Loadable::Loading { request };
    }

    fn take(&mut self, request: u64, result: Result<Vec<AccountInfo>, String>) {
        if self.accounts.accept(request, result) {
            self.generation += 1;
        }
    }

    fn all(&self) -> &[AccountInfo] {
        self.accounts.loaded().map(Vec::as_slice).unwrap_or_default()
    }

    pub fn selected(&self) -> Option<&AccountInfo> {
        self.all().get(self.list.selected()?)
    }

    /// The accounts shown, in order.
    pub fn shown(&self) -> Vec<&AccountInfo> {
        let all = self.all();
        self.list.indices().map(|i| &all[i]).collect()
    }
}

/// What the other screens have read of an account: APIs, partners, findings (`None` where that
/// data is not loaded). With one account read every object is its own.
pub fn counts(a: &AccountInfo, single: bool, store: &Store) -> (Option<usize>, Option<usize>, Option<usize>) {
    let mine = |id: &Option<String>| single || id.as_deref() == Some(a.id.as_str());
    let apis = store.catalog.apis.loaded().map(|v| v.iter().filter(|x| mine(&x.account.id)).count());
    let partners = store
        .partners
        .loaded()
        .map(|v| v.partners.iter().filter(|p| mine(&p.account.id) || p.accounts.contains(&a.id)).count());
    let findings =
        store.findings.loaded().map(|f| f.report.findings.iter().filter(|x| !x.waived && mine(&x.account.id)).count());
    (apis, partners, findings)
}

impl Screen for AccountsScreen {
    fn title(&self) -> String {
        "accounts".into()
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.list.apply(action) {
            return Nav::Stay;
        }
        match action {
            // The API list, filtered to the account (its name, else its id).
            Action::Select => match self.selected() {
                Some(a) => Nav::Go(Target::Catalog { filter: a.name.clone().unwrap_or_else(|| a.id.clone()) }),
                None => Nav::Unused,
            },
            Action::Refresh => {
                self.load(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, _sh: &mut Shared) -> Nav {
        let all = self.accounts.loaded().map(Vec::as_slice).unwrap_or_default();
        let hay = || all.iter().map(|a| format!("{} {} {}", a.label(), a.id, a.status.label())).collect();
        self.list.sync(self.generation, hay);
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

    fn busy(&self) -> bool {
        self.accounts.is_loading()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let title = format!(" accounts ({}) ", self.all().len());
        if let Some(ph) = placeholder(&self.accounts, "accounts", p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let shown = self.shown();
        let single = self.all().len() == 1 && self.all()[0].own;
        let header = Row::new(["ACCOUNT", "NAME", "STATUS", "APIS", "PARTNERS", "FINDINGS", "ERROR"]);
        let widths = vec![
            Constraint::Length(13),
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(5),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Fill(3),
        ];
        let count = |n: Option<usize>| n.map_or("·".to_string(), |n| n.to_string());
        // The selected account's error whole, under the table (a row cuts it at the width).
        let (area, below) = match self.selected().and_then(|a| a.error.as_deref()) {
            Some(e) if area.height > 8 => {
                let [table, error] =
                    ratatui::layout::Layout::vertical([Constraint::Min(4), Constraint::Length(3)]).areas(area);
                let text = ratatui::widgets::Paragraph::new(Span::styled(one_line(e, 1000), s.error))
                    .wrap(ratatui::widgets::Wrap { trim: true });
                (table, Some((error, text)))
            }
            _ => (area, None),
        };
        if let Some((at, text)) = below {
            frame.render_widget(text, at);
        }
        let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
        table.render(frame, area, &self.list.view, shown.len(), s, |i| {
            let a = shown[i];
            let (apis, partners, findings) = counts(a, single, p.store);
            let status = match a.status {
                Status::Ok => Span::styled("ok", s.success),
                other => Span::styled(other.label(), s.error),
            };
            Row::new(vec![
                Cell::from(Span::styled(a.id.clone(), s.muted)),
                Cell::from(one_line(a.name.as_deref().unwrap_or("-"), 40)),
                Cell::from(status),
                Cell::from(count(apis)),
                Cell::from(count(partners)),
                Cell::from(count(findings)),
                Cell::from(Span::styled(one_line(a.error.as_deref().unwrap_or(""), 200), s.error)),
            ])
        });
    }
}
