//! Drawing the audit list: where events come from and which filters apply, the events, and
//! the row after the last one (loading, more to fetch, or what went wrong).

use super::{AuditScreen, AuditView};
use crate::domain::AuditEvent;
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::screens::Paint;
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder, spinner};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

/// Whether the list ends with a row about more events (loading, more to fetch, or an error).
pub(super) fn more_row(a: &AuditView) -> bool {
    a.loading_more.is_some() || a.has_more() || a.error.is_some()
}

fn source_label(a: &AuditView) -> String {
    if a.is_lookup() {
        "event history (LookupEvents)".into()
    } else {
        format!("trail logs {}", one_line(&a.source.to_string(), 60))
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

pub(super) fn draw_list(screen: &AuditScreen, frame: &mut Frame, area: Rect, p: &Paint) {
    let s = p.styles;
    let view = &screen.view;
    let Some(a) = &p.store.audit else { return };
    let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", one_line(&view.filter, 30)) };
    let title = format!(" audit{filter} ");
    if let Some(ph) = placeholder(&a.feed, "audit events", p) {
        frame.render_widget(ph.block(panel(title, s, true)), area);
        return;
    }
    let shown = screen.shown();
    let [info, body] = Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(info_lines(a, shown, s)), info);
    if shown == 0 && a.feed.loaded().is_some_and(|f| f.events.is_empty()) && a.error.is_some() {
        frame.render_widget(failed(a, p).block(panel(title, s, true)), body);
        return;
    }
    let extra = more_row(a);
    let len = shown + usize::from(extra);
    // ACCOUNT (the account each event was recorded in) when accounts are read.
    let accounts = p.store.connection.accounts;
    let mut header = vec!["TIME (UTC)", "EVENT", "SOURCE", "USER", "SOURCE IP", "RESOURCES", "ERROR"];
    if accounts {
        header.push("ACCOUNT");
    }
    let header = Row::new(header);
    let mut widths = vec![
        Constraint::Length(19),
        Constraint::Fill(3),
        Constraint::Length(11),
        Constraint::Fill(2),
        Constraint::Length(15),
        Constraint::Fill(2),
        Constraint::Length(14),
    ];
    if accounts {
        widths.push(Constraint::Length(14));
    }
    let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
    let events = |i: usize| screen.event_at(p.store, i);
    let height = table.render(frame, body, view, len, s, |i| match events(i) {
        Some(e) => event_row(e, accounts, s),
        None => Row::new([""]),
    });
    if extra && (shown - view.offset()) < height {
        let y = body.y + 2 + (shown - view.offset()) as u16;
        let row = Rect { x: body.x + 1, y, width: body.width.saturating_sub(2), height: 1 };
        let style = if view.selected == shown { s.row_selected } else { Style::default() };
        frame.render_widget(Paragraph::new(more_line(a, p)).style(style), row);
    }
    if len == 0 && body.height > 3 {
        let inner = Rect { x: body.x + 1, y: body.y + 2, width: body.width.saturating_sub(2), height: 1 };
        let edit = p.keys(Context::Audit, Action::EditFilters);
        let none = format!("no events match in {} · {edit} changes the filters and the range", range_label(a));
        frame.render_widget(Paragraph::new(Span::styled(none, s.muted)), inner);
    }
}

/// The row after the last event: loading, more to fetch, or what went wrong.
fn more_line<'a>(a: &AuditView, p: &Paint) -> Line<'a> {
    let s = p.styles;
    if a.loading_more.is_some() {
        let frame = spinner(p.tick);
        return Line::from(Span::styled(format!("{frame} loading more events (LookupEvents, 50 a page)…"), s.spinner));
    }
    let enter = p.keymap.keys_for(Context::Audit, Action::Select).into_iter().next().unwrap_or_default();
    if let Some(e) = &a.error {
        return Line::from(vec![
            Span::styled(format!("✗ {}", one_line(e, 160)), s.error),
            Span::styled(format!("  · {enter} retries"), s.muted),
        ]);
    }
    Line::from(Span::styled(format!("↓ more events: scroll down or press {enter} to load the next page"), s.muted))
}

fn failed<'a>(a: &AuditView, p: &Paint) -> Paragraph<'a> {
    let s = p.styles;
    let e = a.error.clone().unwrap_or_default();
    let enter = p.keymap.keys_for(Context::Audit, Action::Select).into_iter().next().unwrap_or_default();
    let refresh = p.keys(Context::Audit, Action::Refresh);
    let source = p.keys(Context::Audit, Action::PickSource);
    let edit = p.keys(Context::Audit, Action::EditFilters);
    Paragraph::new(vec![
        Line::from(Span::styled("✗ Could not load audit events", s.error)),
        Line::from(Span::styled(crate::sanitize::for_terminal(&e).into_owned(), s.text)),
        Line::from(""),
        Line::from(Span::styled(
            format!(
                "{enter} or {refresh} retries · {source} reads a trail's S3 logs instead · {edit} changes the filters"
            ),
            s.muted,
        )),
    ])
    .wrap(Wrap { trim: false })
}

fn event_row<'a>(e: &AuditEvent, accounts: bool, s: &Styles) -> Row<'a> {
    let time = one_line(e.event_time.get(..19).unwrap_or(&e.event_time), 19).replace('T', " ");
    let resources: Vec<&str> = e.resources.iter().map(|r| short_resource(&r.name)).collect();
    let name_style = if e.read_only == Some(true) { s.muted } else { s.text };
    let mut cells = vec![
        Cell::from(Span::styled(time, s.muted)),
        Cell::from(Span::styled(one_line(&e.event_name, 60), name_style)),
        Cell::from(one_line(e.event_source.trim_end_matches(".amazonaws.com"), 20)),
        Cell::from(Span::styled(one_line(e.username.as_deref().unwrap_or("-"), 60), s.accent)),
        Cell::from(one_line(e.source_ip.as_deref().unwrap_or("-"), 40)),
        Cell::from(Span::styled(one_line(&resources.join(" "), 80), s.tag)),
        Cell::from(Span::styled(one_line(e.error_code.as_deref().unwrap_or(""), 40), s.error)),
    ];
    if accounts {
        cells.push(Cell::from(Span::styled(one_line(e.account.label(), 20), s.muted)));
    }
    Row::new(cells)
}

/// The part of an ARN after `::/` (`restapis/x9/stages/dev`); plain ids as they are.
fn short_resource(name: &str) -> &str {
    name.split_once("::/").map_or(name, |(_, rest)| rest)
}
