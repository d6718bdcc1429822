//! The API's exported OpenAPI/Swagger document as browsable docs.

use super::{panel, placeholder};
use crate::openapi::{DocLine, LineKind};
use crate::sanitize::for_terminal;
use crate::tui::state::{ApiRef, AppState, Loadable, Screen, fuzzy_filter};
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

/// The document lines that match the filter.
pub fn filtered<'a>(state: &'a AppState, api: &ApiRef, stage: &str, filter: &str) -> Vec<&'a DocLine> {
    let Some(Loadable::Loaded(lines)) = state.docs.get(&(api.clone(), stage.to_string())) else { return vec![] };
    let keep = fuzzy_filter(filter, lines.iter().map(|l| l.text.as_str()));
    keep.into_iter().map(|i| &lines[i]).collect()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &mut AppState, s: &Styles) -> usize {
    let Screen::Docs { api, stage, mut view } = state.screen().clone() else { return 0 };
    let name = state.api(&api).map(|a| a.name.clone()).unwrap_or_default();
    let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", view.filter) };
    let title = format!(" docs: {} ({}){} ", for_terminal(&name), for_terminal(&stage), for_terminal(&filter));
    let loadable = state.docs.get(&(api.clone(), stage.clone())).cloned().unwrap_or_default();
    if let Some(p) = placeholder(&loadable, "the API definition", s, state.tick) {
        frame.render_widget(p.block(panel(title, s, true)), area);
        return area.height as usize;
    }
    let lines = filtered(state, &api, &stage, &view.filter);
    let table =
        VirtualTable { header: None, widths: vec![Constraint::Fill(1)], block: panel(title, s, true), focused: true };
    let height =
        table.render(frame, area, &mut view, lines.len(), s, |i| Row::new([Cell::from(doc_line(lines[i], s))]));
    if let Screen::Docs { view: v, .. } = state.screen_mut() {
        *v = view;
    }
    height
}

fn style(kind: LineKind, s: &Styles) -> Style {
    match kind {
        LineKind::Title => s.title,
        LineKind::Heading => s.accent,
        LineKind::Operation => s.method_get,
        LineKind::Label => s.header_key,
        LineKind::Field => s.json_key,
        LineKind::Text => s.text,
        LineKind::Muted => s.muted,
    }
}

fn doc_line<'a>(l: &DocLine, s: &Styles) -> Line<'a> {
    let indent = "  ".repeat(l.indent as usize);
    let text = for_terminal(&l.text).into_owned();
    if l.kind == LineKind::Operation {
        let (verb, rest) = text.split_once(' ').unwrap_or((&text, ""));
        return Line::from(vec![
            Span::raw(indent),
            Span::styled(verb.to_string(), super::detail::verb_style(verb, s)),
            Span::styled(format!(" {rest}"), s.title),
        ]);
    }
    Line::from(vec![Span::raw(indent), Span::styled(text, style(l.kind, s))])
}
