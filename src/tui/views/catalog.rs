//! The API list: REST and HTTP APIs together, sortable, filterable, virtualised.

use super::{panel, placeholder};
use crate::domain::Api;
use crate::sanitize::one_line;
use crate::tui::state::{ApiSort, AppState};
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

const COLUMNS: [&str; 8] = ["NAME", "ID", "KIND", "REGION", "ENDPOINT", "STAGES", "OWNER", "CREATED"];

pub fn draw(frame: &mut Frame, area: Rect, state: &mut AppState, s: &Styles) -> usize {
    let title = title(state);
    if let Some(p) = placeholder(&state.apis, "APIs", s, state.tick) {
        frame.render_widget(p.block(panel(title, s, true)), area);
        return area.height.saturating_sub(3) as usize;
    }
    let apis = state.apis.loaded().map(Vec::as_slice).unwrap_or_default();
    let rows = &state.api_rows;
    let header = Row::new(
        COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| Cell::from(sort_label(c, i, state.api_sort, state.api_view.sort_reverse))),
    );
    let table = VirtualTable { header: Some(header), widths: widths(), block: panel(title, s, true), focused: true };
    table.render(frame, area, &mut state.api_view, rows.len(), s, |i| api_row(&apis[rows[i]], s))
}

fn title(state: &AppState) -> String {
    let total = state.apis.loaded().map_or(0, Vec::len);
    let shown = state.api_rows.len();
    let filter = &state.api_view.filter;
    match (filter.is_empty(), total) {
        (true, _) => format!(" APIs ({total}) "),
        (false, _) => format!(" APIs ({shown}/{total}) /{} ", one_line(filter, 30)),
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
    ]
}

fn api_row<'a>(a: &Api, s: &Styles) -> Row<'a> {
    let stages: Vec<&str> = a.stages.iter().map(|st| st.name.as_str()).collect();
    Row::new(vec![
        Cell::from(one_line(&a.name, 60)),
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
    ])
}
