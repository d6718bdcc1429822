//! Drawing the keys table: values masked unless revealed.

use super::KeysScreen;
use crate::domain::ApiKey;
use crate::sanitize::one_line;
use crate::tui::screens::Paint;
use crate::tui::store::Store;
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

pub(super) fn draw(screen: &KeysScreen, frame: &mut Frame, area: Rect, p: &Paint) {
    let s = p.styles;
    let view = &screen.list.view;
    let total = p.store.keys.loaded().map_or(0, Vec::len);
    let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", one_line(&view.filter, 30)) };
    let title = format!(" API keys ({total}){filter} ");
    if let Some(ph) = placeholder(&p.store.keys, "API keys", p) {
        frame.render_widget(ph.block(panel(title, s, true)), area);
        return;
    }
    let keys: Vec<&ApiKey> = screen.keys(p.store).collect();
    // A revealed value is shown whole (up to 40 characters): where the table is too narrow for
    // it, the two date columns give way while it shows.
    let revealed = p.store.reveal.id.is_some();
    // ACCOUNT (the last column) when accounts are read.
    let accounts = keys.iter().any(|k| k.account.id.is_some());
    let shown = |column: usize| {
        !(revealed && area.width < WIDE_ENOUGH && (column == 4 || column == 5)) && (column != ACCOUNT || accounts)
    };
    let header = Row::new(COLUMNS.iter().enumerate().filter(|(c, _)| shown(*c)).map(|(_, h)| *h));
    let widths = [
        Constraint::Min(if revealed { 12 } else { 26 }),
        Constraint::Length(11),
        Constraint::Fill(2),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Fill(2),
        Constraint::Fill(2),
        // Wide enough for a 40-character value while one is revealed.
        Constraint::Length(if revealed { 42 } else { 14 }),
        Constraint::Length(14),
    ];
    let widths = widths.into_iter().enumerate().filter(|(c, _)| shown(*c)).map(|(_, w)| w).collect();
    let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
    table.render(frame, area, view, keys.len(), s, |i| {
        Row::new(key_cells(p.store, keys[i], s).into_iter().enumerate().filter(|(c, _)| shown(*c)).map(|(_, x)| x))
    });
}

const COLUMNS: [&str; 10] =
    ["NAME", "ID", "CUSTOMER", "ENABLED", "CREATED", "UPDATED", "PLANS", "TAGS", "VALUE", "ACCOUNT"];
const ACCOUNT: usize = 9;

/// Below this width a revealed value does not fit beside every column.
const WIDE_ENOUGH: u16 = 120;

fn day(d: &Option<String>) -> String {
    d.as_deref().map_or("-".to_string(), |d| d.get(..10).unwrap_or(d).to_string())
}

fn key_cells<'a>(store: &Store, k: &ApiKey, s: &Styles) -> Vec<Cell<'a>> {
    let plans: Vec<String> =
        k.plan_ids.iter().map(|id| store.plan(id).map_or(id.clone(), |p| p.name.clone())).collect();
    let tags: Vec<String> = k.tags.iter().map(|(a, b)| format!("{a}={b}")).collect();
    let revealed = store.reveal.shows(&k.id);
    let value = match (&k.value, revealed) {
        (Some(v), true) => Span::styled(v.expose().to_string(), s.warning),
        _ => Span::styled(k.masked(), s.muted),
    };
    // A key whose plans may be incomplete (a plan's keys could not be read) is marked.
    let (name, plans) = match &k.error {
        Some(_) => (Span::styled(format!("! {}", one_line(&k.name, 50)), s.error), format!("{}?", plans.join(","))),
        None => (Span::raw(one_line(&k.name, 50)), plans.join(",")),
    };
    vec![
        Cell::from(name),
        Cell::from(Span::styled(one_line(&k.id, 12), s.muted)),
        Cell::from(Span::styled(one_line(k.customer_id.as_deref().unwrap_or("-"), 30), s.tag)),
        Cell::from(if k.enabled { Span::styled("yes", s.success) } else { Span::styled("no", s.error) }),
        Cell::from(day(&k.created_date)),
        Cell::from(day(&k.last_updated_date)),
        Cell::from(one_line(&plans, 40)),
        Cell::from(one_line(&tags.join(" "), 40)),
        Cell::from(value),
        Cell::from(one_line(k.account.label(), 20)),
    ]
}
