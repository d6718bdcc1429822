//! The audit screen: CloudTrail events newest first with a "loading more" row, the filters in
//! force (which one went to LookupEvents), and one event's record as folded, highlighted JSON.

use super::{SPINNER, panel, placeholder};
use crate::domain::AuditEvent;
use crate::sanitize::one_line;
use crate::tui::state::{AppState, AuditView, JsonKind, JsonLine, Scalar, Screen, json_lines, visible_lines};
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use std::collections::BTreeSet;

/// The event's record as JSON; a record that is not JSON is shown beside the listing's fields.
pub fn record_value(e: &AuditEvent) -> serde_json::Value {
    let listing = serde_json::to_value(e).unwrap_or_default();
    match e.record.as_deref().map(serde_json::from_str::<serde_json::Value>) {
        Some(Ok(v)) => v,
        Some(Err(err)) => serde_json::json!({
            "note": "the CloudTrail record is not valid JSON: shown as received, after the listing's fields",
            "parseError": err.to_string(),
            "listing": listing,
            "record": e.record,
        }),
        None => listing,
    }
}

/// The record's lines (all of them; [`visible_lines`] says which show).
pub fn event_doc(state: &AppState, id: &str) -> Vec<JsonLine> {
    state.audit_event(id).map(|e| json_lines(&record_value(e))).unwrap_or_default()
}

/// How many lines show with `folded` containers closed.
pub fn event_len(state: &AppState, id: &str, folded: &BTreeSet<usize>) -> usize {
    visible_lines(&event_doc(state, id), folded).len()
}

/// Whether the list ends with a row about more events (loading, more to fetch, or an error).
fn more_row(a: &AuditView) -> bool {
    a.loading_more.is_some() || a.has_more() || a.error.is_some()
}

/// Rows of the list: the events after `/`, plus the "more" row.
pub fn list_len(state: &AppState, filter: &str) -> usize {
    let extra = state.audit.as_ref().is_some_and(more_row);
    state.audit_rows(filter).len() + usize::from(extra)
}

fn source_label(a: &AuditView) -> String {
    if a.is_lookup() {
        "event history (LookupEvents)".into()
    } else {
        format!("trail logs {}", one_line(&a.source, 60))
    }
}

fn range_label(a: &AuditView) -> String {
    match &a.until {
        Some(u) => format!("{} → {}", one_line(&a.since, 30), one_line(u, 30)),
        None if a.relative() => format!("last {}", one_line(&a.since, 10)),
        None => format!("since {}", one_line(&a.since, 30)),
    }
}

/// Two lines over the table: source, range and counts; which filter the server got, which apply here.
fn info_lines<'a>(a: &AuditView, shown: usize, s: &Styles) -> Vec<Line<'a>> {
    let (held, cached, pages) = a.feed.loaded().map_or((0, 0, 0), |f| (f.events.len(), f.from_cache, f.pages()));
    let mut counts = format!("{shown} shown of {held} loaded");
    if a.is_lookup() {
        counts.push_str(&format!(" · {cached} from cache · {pages} LookupEvents pages"));
    } else if let Some((files, from_cache)) = a.feed.loaded().and_then(|f| f.files) {
        counts.push_str(&format!(" · {files} log files ({from_cache} from cache)"));
    }
    let server = a.server_filters();
    let server = if !a.is_lookup() {
        "none (trail logs are read by date folder)".to_string()
    } else if server.is_empty() {
        "-".into()
    } else {
        server.join(" | ")
    };
    let local = a.local_filters();
    let local = if local.is_empty() { "-".to_string() } else { local.join(", ") };
    vec![
        Line::from(vec![
            Span::styled(" source ", s.muted),
            Span::styled(source_label(a), s.header_key),
            Span::styled("  range ", s.muted),
            Span::styled(range_label(a), s.header_key),
            Span::styled(format!("  {counts}"), s.muted),
        ]),
        Line::from(vec![
            Span::styled(" server filter ", s.muted),
            Span::styled(one_line(&server, 120), s.accent),
            Span::styled("  local filters ", s.muted),
            Span::styled(one_line(&local, 80), s.tag),
        ]),
    ]
}

pub fn draw_list(frame: &mut Frame, area: Rect, state: &mut AppState, s: &Styles) -> usize {
    let Screen::Audit { mut view } = state.screen().clone() else { return 0 };
    let Some(a) = state.audit.clone() else { return 0 };
    let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", one_line(&view.filter, 30)) };
    let title = format!(" audit{filter} ");
    if let Some(p) = placeholder(&a.feed, "audit events", s, state.tick) {
        frame.render_widget(p.block(panel(title, s, true)), area);
        return area.height as usize;
    }
    let rows = state.audit_rows(&view.filter);
    let [info, body] = Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(info_lines(&a, rows.len(), s)), info);
    if rows.is_empty() && a.feed.loaded().is_some_and(|f| f.events.is_empty()) && a.error.is_some() {
        let p = failed(&a, s);
        frame.render_widget(p.block(panel(title, s, true)), body);
        return body.height as usize;
    }
    let extra = more_row(&a);
    let len = rows.len() + usize::from(extra);
    let header = Row::new(["TIME (UTC)", "EVENT", "SOURCE", "USER", "SOURCE IP", "RESOURCES", "ERROR"]);
    let widths = vec![
        Constraint::Length(19),
        Constraint::Fill(3),
        Constraint::Length(11),
        Constraint::Fill(2),
        Constraint::Length(15),
        Constraint::Fill(2),
        Constraint::Length(14),
    ];
    let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
    let height = table.render(frame, body, &mut view, len, s, |i| match rows.get(i) {
        Some(e) => event_row(e, s),
        None => Row::new([""]),
    });
    if extra && (rows.len() - view.offset) < height {
        let y = body.y + 2 + (rows.len() - view.offset) as u16;
        let row = Rect { x: body.x + 1, y, width: body.width.saturating_sub(2), height: 1 };
        let style = if view.selected == rows.len() { s.row_selected } else { Style::default() };
        frame.render_widget(Paragraph::new(more_line(&a, state.tick, s)).style(style), row);
    }
    if len == 0 && body.height > 3 {
        let inner = Rect { x: body.x + 1, y: body.y + 2, width: body.width.saturating_sub(2), height: 1 };
        let none = format!("no events match in {} · f changes the filters and the range", range_label(&a));
        frame.render_widget(Paragraph::new(Span::styled(none, s.muted)), inner);
    }
    if let Screen::Audit { view: v } = state.screen_mut() {
        *v = view;
    }
    height
}

/// The row after the last event: loading, more to fetch, or what went wrong.
fn more_line<'a>(a: &AuditView, tick: u64, s: &Styles) -> Line<'a> {
    if a.loading_more.is_some() {
        let frame = SPINNER[(tick % SPINNER.len() as u64) as usize];
        return Line::from(Span::styled(format!("{frame} loading more events (LookupEvents, 50 a page)…"), s.spinner));
    }
    if let Some(e) = &a.error {
        return Line::from(vec![
            Span::styled(format!("✗ {}", one_line(e, 160)), s.error),
            Span::styled("  · enter retries", s.muted),
        ]);
    }
    Line::from(Span::styled("↓ more events: scroll down or press enter to load the next page", s.muted))
}

fn failed<'a>(a: &AuditView, s: &Styles) -> Paragraph<'a> {
    let e = a.error.clone().unwrap_or_default();
    Paragraph::new(vec![
        Line::from(Span::styled("✗ Could not load audit events", s.error)),
        Line::from(Span::styled(crate::sanitize::for_terminal(&e).into_owned(), s.text)),
        Line::from(""),
        Line::from(Span::styled(
            "enter or ctrl-r retries · T reads a trail's S3 logs instead · f changes the filters",
            s.muted,
        )),
    ])
    .wrap(Wrap { trim: false })
}

fn event_row<'a>(e: &AuditEvent, s: &Styles) -> Row<'a> {
    let time = one_line(e.event_time.get(..19).unwrap_or(&e.event_time), 19).replace('T', " ");
    let resources: Vec<&str> = e.resources.iter().map(|r| short_resource(&r.name)).collect();
    let name_style = if e.read_only == Some(true) { s.muted } else { s.text };
    Row::new(vec![
        Cell::from(Span::styled(time, s.muted)),
        Cell::from(Span::styled(one_line(&e.event_name, 60), name_style)),
        Cell::from(one_line(e.event_source.trim_end_matches(".amazonaws.com"), 20)),
        Cell::from(Span::styled(one_line(e.username.as_deref().unwrap_or("-"), 60), s.accent)),
        Cell::from(one_line(e.source_ip.as_deref().unwrap_or("-"), 40)),
        Cell::from(Span::styled(one_line(&resources.join(" "), 80), s.tag)),
        Cell::from(Span::styled(one_line(e.error_code.as_deref().unwrap_or(""), 40), s.error)),
    ])
}

/// The part of an ARN after `::/` (`restapis/x9/stages/dev`); plain ids as they are.
fn short_resource(name: &str) -> &str {
    name.split_once("::/").map_or(name, |(_, rest)| rest)
}

pub fn draw_event(frame: &mut Frame, area: Rect, state: &mut AppState, s: &Styles) -> usize {
    let Screen::AuditEvent { id, mut view, folded } = state.screen().clone() else { return 0 };
    let Some(e) = state.audit_event(&id).cloned() else {
        let p = Paragraph::new(Span::styled("this event is no longer loaded (esc goes back)", s.muted));
        frame.render_widget(p.block(panel(" event ".into(), s, true)), area);
        return 0;
    };
    let title =
        format!(" {} · {} · {} ", one_line(&e.event_name, 40), one_line(&e.event_time, 30), one_line(&e.event_id, 40));
    let doc = event_doc(state, &id);
    let shown = visible_lines(&doc, &folded);
    let block = panel(title, s, true);
    let table = VirtualTable { header: None, widths: vec![Constraint::Fill(1)], block, focused: true };
    let height = table.render(frame, area, &mut view, shown.len(), s, |i| {
        let at = shown[i];
        Row::new([Cell::from(json_line(&doc, at, folded.contains(&at), s))])
    });
    if let Screen::AuditEvent { view: v, .. } = state.screen_mut() {
        *v = view;
    }
    height
}

fn json_line<'a>(doc: &[JsonLine], at: usize, folded: bool, s: &Styles) -> Line<'a> {
    let l = &doc[at];
    let mut spans = vec![Span::raw("  ".repeat(l.depth))];
    if let Some(k) = &l.key {
        spans.push(Span::styled(format!("\"{}\"", one_line(k, 80)), s.json_key));
        spans.push(Span::styled(": ", s.muted));
    }
    let comma = if l.comma { "," } else { "" };
    match &l.kind {
        JsonKind::Scalar(v) => {
            let (text, style) = match v {
                Scalar::Str(x) => (format!("\"{}\"", one_line(x, 400)), s.json_string),
                Scalar::Num(n) => (n.clone(), s.json_number),
                Scalar::Bool(b) => (b.to_string(), s.json_bool),
                Scalar::Null => ("null".into(), s.json_null),
            };
            spans.push(Span::styled(text, style));
            spans.push(Span::styled(comma.to_string(), s.muted));
        }
        JsonKind::Open { bracket, children, close } => {
            let end = if *bracket == '{' { '}' } else { ']' };
            let what = match (*bracket, *children) {
                ('{', 1) => "key",
                ('{', _) => "keys",
                (_, 1) => "item",
                _ => "items",
            };
            let after = if doc[*close].comma { "," } else { "" };
            match (*children, folded) {
                (0, _) => spans.push(Span::styled(format!("{bracket}{end}{comma}"), s.muted)),
                (n, true) => {
                    spans.push(Span::styled(bracket.to_string(), s.muted));
                    spans.push(Span::styled(format!(" … {n} {what} "), s.accent));
                    spans.push(Span::styled(format!("{end}{after}"), s.muted));
                }
                _ => spans.push(Span::styled(bracket.to_string(), s.muted)),
            }
        }
        JsonKind::Close(c) => spans.push(Span::styled(format!("{c}{comma}"), s.muted)),
    }
    Line::from(spans)
}
