//! Help, generated from the keymap: what every key does, per screen.

use super::panel;
use crate::tui::action::Context;
use crate::tui::keymap::Keymap;
use crate::tui::state::{AppState, Screen, fuzzy_filter};
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

/// (keys, description) rows; an empty `keys` is a section heading.
pub fn all_lines(keymap: &Keymap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
        out.push((String::new(), section(ctx).to_string()));
        let global = keymap.hints(Context::Global);
        let own = keymap.hints(ctx).into_iter().filter(|h| ctx == Context::Global || !global.contains(h));
        out.extend(own.map(|(k, a)| (k, a.description().to_string())));
    }
    out.push((String::new(), "Typing modes".into()));
    out.push(("/ …".into(), "filter: type to narrow the list (fuzzy), enter keeps it, esc clears it".into()));
    out.push((": …".into(), "command: apis plans keys partners audit try findings help quit; tab completes".into()));
    out.push((String::new(), "Dialogs".into()));
    out.push(("enter / y".into(), "confirm; esc or n cancels; a delete asks you to type the key's name".into()));
    out.push(("tab / shift-tab".into(), "next / previous field in the create form; space toggles enabled".into()));
    out.push(("A".into(), "on a key, plan, API or stage: its audit trail (CloudTrail events that name it)".into()));
    out
}

fn section(ctx: Context) -> &'static str {
    match ctx {
        Context::Global => "Everywhere",
        Context::List => "Lists (apis)",
        Context::Detail => "API detail",
        Context::Docs => "Docs and stage detail",
        Context::Help => "This help",
        Context::Keys => "API keys (:keys)",
        Context::Plans => "Usage plans (:plans)",
        Context::Audit => "Audit trail (:audit) and an event's record",
    }
}

pub fn filtered(keymap: &Keymap, filter: &str) -> Vec<(String, String)> {
    let lines = all_lines(keymap);
    let hay: Vec<String> = lines.iter().map(|(k, d)| format!("{k} {d}")).collect();
    fuzzy_filter(filter, hay.iter().map(String::as_str)).into_iter().map(|i| lines[i].clone()).collect()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &mut AppState, s: &Styles, keymap: &Keymap) -> usize {
    let Screen::Help { mut view } = state.screen().clone() else { return 0 };
    let lines = filtered(keymap, &view.filter);
    let title = if view.filter.is_empty() { " help ".to_string() } else { format!(" help /{} ", view.filter) };
    let table = VirtualTable {
        header: Some(Row::new(["KEYS", "ACTION"])),
        widths: vec![Constraint::Length(22), Constraint::Fill(1)],
        block: panel(title, s, true),
        focused: true,
    };
    let height = table.render(frame, area, &mut view, lines.len(), s, |i| help_row(&lines[i], s));
    if let Screen::Help { view: v } = state.screen_mut() {
        *v = view;
    }
    height
}

fn help_row<'a>((keys, desc): &(String, String), s: &Styles) -> Row<'a> {
    if keys.is_empty() {
        return Row::new([Cell::from(Span::styled(desc.clone(), s.title))]);
    }
    Row::new([Cell::from(Span::styled(format!("  {keys}"), s.footer_key)), Cell::from(desc.clone())])
}
