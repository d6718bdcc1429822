//! Help, generated from the keymap (every context's bindings, the dialogs' too) and from the
//! screen registry (the `:` commands).

use super::{Nav, Paint, SCREENS, Screen, Shared};
use crate::tui::action::{Action, Context};
use crate::tui::keymap::Keymap;
use crate::tui::widgets::list::{FilteredRows, ListView};
use crate::tui::widgets::panel;
use crate::tui::widgets::vtable::VirtualTable;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

#[derive(Debug)]
pub struct HelpScreen {
    pub view: ListView,
    /// (keys, description); an empty `keys` is a section heading.
    lines: Vec<(String, String)>,
    haystacks: Vec<String>,
    rows: FilteredRows,
}

impl HelpScreen {
    pub fn open(keymap: &Keymap) -> Box<dyn Screen> {
        let lines = all_lines(keymap);
        let haystacks = lines.iter().map(|(k, d)| format!("{k} {d}")).collect();
        let mut screen = HelpScreen { view: ListView::default(), lines, haystacks, rows: FilteredRows::default() };
        screen.rows.update(0, "", &screen.haystacks);
        Box::new(screen)
    }

    pub fn lines(&self) -> impl Iterator<Item = &(String, String)> {
        self.rows.indices().map(|i| &self.lines[i])
    }
}

/// Every context's own bindings (the global ones once, under "Everywhere"), then the screens.
pub fn all_lines(keymap: &Keymap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let global = keymap.hints(Context::Global);
    for ctx in Context::ALL {
        out.push((String::new(), ctx.title().to_string()));
        let own = keymap.hints(ctx).into_iter().filter(|h| ctx == Context::Global || !global.contains(h));
        out.extend(own.map(|(k, a)| (k, a.description().to_string())));
    }
    let command = keymap.keys_for(Context::Global, Action::Command).join("/");
    out.push((String::new(), format!("Screens ({command}name; a unique prefix is enough)")));
    for e in SCREENS {
        out.push((format!("{command}{}", e.name), e.about.to_string()));
    }
    out
}

impl Screen for HelpScreen {
    fn title(&self) -> String {
        "help".into()
    }

    fn context(&self) -> Context {
        Context::Help
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.view.apply(action, self.rows.len()) {
            return Nav::Stay;
        }
        match action {
            Action::Refresh => {
                super::catalog::load_apis(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.view.filter)
    }

    fn filtered(&mut self, _sh: &mut Shared) {
        self.rows.update(0, &self.view.filter, &self.haystacks);
        self.view.clamp(self.rows.len());
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let shown: Vec<&(String, String)> = self.lines().collect();
        let title =
            if self.view.filter.is_empty() { " help ".to_string() } else { format!(" help /{} ", self.view.filter) };
        let table = VirtualTable {
            header: Some(Row::new(["KEYS", "ACTION"])),
            widths: vec![Constraint::Length(22), Constraint::Fill(1)],
            block: panel(title, s, true),
            focused: true,
        };
        table.render(frame, area, &self.view, shown.len(), s, |i| {
            let (keys, desc) = shown[i];
            if keys.is_empty() {
                return Row::new([Cell::from(Span::styled(desc.clone(), s.title))]);
            }
            Row::new([Cell::from(Span::styled(format!("  {keys}"), s.footer_key)), Cell::from(desc.clone())])
        });
    }
}
