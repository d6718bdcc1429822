//! Drawing the API detail: the info panel, the resources or routes table, the stages table.

use super::{ApiScreen, Pane};
use crate::domain::{Api, Method, Route, Stage};
use crate::sanitize::{for_terminal, one_line};
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::screens::Paint;
use crate::tui::store::DetailRow;
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

pub(super) fn draw(screen: &ApiScreen, frame: &mut Frame, area: Rect, p: &Paint) {
    let s = p.styles;
    let Some(a) = p.store.api(&screen.api) else {
        let reload = p.keys(Context::List, Action::Refresh);
        let gone = format!("This API is no longer in the catalog ({reload} on the list reloads it).");
        frame.render_widget(Paragraph::new(gone), area);
        return;
    };
    let stage_height = (a.stages.len() as u16 + 3).clamp(4, 10);
    let info_height = if a.error.is_some() { 7 } else { 6 };
    let [info, main, bottom] =
        Layout::vertical([Constraint::Length(info_height), Constraint::Fill(1), Constraint::Length(stage_height)])
            .areas(area);
    frame.render_widget(info_panel(a, s), info);
    draw_resources(screen, frame, main, a, p);
    draw_stages(screen, frame, bottom, a, p);
}

fn info_panel<'a>(a: &Api, s: &Styles) -> Paragraph<'a> {
    let tags: Vec<String> = a.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let auths: Vec<String> = a.authorizers.iter().map(|x| format!("{} ({})", x.name, x.kind)).collect();
    let field = |k: &str, v: String| {
        Line::from(vec![Span::styled(format!("{k:<12}"), s.muted), Span::styled(for_terminal(&v).into_owned(), s.text)])
    };
    let lines = vec![
        field(
            "id",
            format!(
                "{}   kind {}   region {}   endpoint {}",
                a.id,
                a.kind.label(),
                a.region,
                a.endpoint_type.as_deref().unwrap_or("-")
            ),
        ),
        field("description", a.description.clone().unwrap_or_else(|| "-".into())),
        field("tags", if tags.is_empty() { "-".into() } else { tags.join("  ") }),
        field("authorizers", if auths.is_empty() { "-".into() } else { auths.join(", ") }),
    ];
    let mut lines = lines;
    if let Some(e) = &a.error {
        // What could not be read after every retry: the rest of the API is shown as loaded.
        lines.push(Line::from(vec![
            Span::styled(format!("{:<12}", "incomplete"), s.error),
            Span::styled(for_terminal(e).into_owned(), s.error),
        ]));
    }
    Paragraph::new(lines).block(panel(format!(" {} ", one_line(&a.name, 60)), s, false))
}

fn draw_resources(screen: &ApiScreen, frame: &mut Frame, area: Rect, a: &Api, p: &Paint) {
    let s = p.styles;
    let view = &screen.resources;
    let focused = screen.pane == Pane::Resources;
    let what = if a.kind == crate::domain::ApiKind::Rest { "resources" } else { "routes" };
    let filter_note = if view.filter.is_empty() { String::new() } else { format!(" /{}", one_line(&view.filter, 30)) };
    let loadable = p.store.catalog.details.get(&screen.api).unwrap_or(&Loadable::NotLoaded);
    let title = format!(" {what}{filter_note}{} ", crate::tui::screens::catalog::cache::note(loadable));
    if let Some(ph) = placeholder(loadable, what, p) {
        frame.render_widget(ph.block(panel(title, s, focused)), area);
        return;
    }
    let Some(data) = loadable.loaded() else { return };
    let all = data.rows();
    let shown: Vec<usize> = screen.rows.indices().collect();
    let header = Row::new(["METHOD", "PATH", "AUTH", "AUTHORIZER", "API KEY", "INTEGRATION"]);
    let widths = vec![
        Constraint::Length(7),
        Constraint::Fill(3),
        Constraint::Length(19),
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    let table = VirtualTable { header: Some(header), widths, block: panel(title, s, focused), focused };
    table.render(frame, area, view, shown.len(), s, |i| detail_row(a, &all[shown[i]], s));
}

fn detail_row<'a>(a: &Api, row: &DetailRow, s: &Styles) -> Row<'a> {
    match row {
        DetailRow::Resource(n) => Row::new(vec![
            Cell::from(""),
            Cell::from(Span::styled(format!("{}{}", indent(n.depth), one_line(&n.path, 80)), s.accent)),
        ]),
        DetailRow::Method(n, m) => method_row(a, n.depth, m, s),
        DetailRow::Route(r) => route_row(a, r, s),
    }
}

pub fn verb_style(verb: &str, s: &Styles) -> Style {
    match verb {
        "GET" => s.method_get,
        "POST" => s.method_post,
        "PUT" | "PATCH" => s.method_put,
        "DELETE" => s.method_delete,
        _ => s.method_other,
    }
}

fn auth_cell<'a>(auth: &str, s: &Styles) -> Cell<'a> {
    Cell::from(Span::styled(one_line(auth, 20), if auth == "NONE" { s.auth_none } else { s.auth_secured }))
}

/// A resource's indentation in the tree (the root is not indented).
fn indent(depth: usize) -> String {
    "  ".repeat(depth.saturating_sub(1))
}

/// A method: its verb under METHOD, its resource's path under PATH (at the resource's depth,
/// so the tree still reads as one).
fn method_row<'a>(a: &Api, depth: usize, m: &Method, s: &Styles) -> Row<'a> {
    Row::new(vec![
        Cell::from(Span::styled(one_line(&m.method, 10), verb_style(&m.method, s))),
        Cell::from(Span::styled(format!("{}{}", indent(depth), one_line(&m.path, 80)), s.text)),
        auth_cell(&m.authorization, s),
        Cell::from(one_line(a.authorizer_name(m.authorizer_id.as_deref()).unwrap_or("-"), 30)),
        Cell::from(if m.api_key_required { Span::styled("required", s.warning) } else { Span::styled("-", s.muted) }),
        Cell::from(one_line(m.integration_type.as_deref().unwrap_or(""), 20)),
    ])
}

fn route_row<'a>(a: &Api, r: &Route, s: &Styles) -> Row<'a> {
    // `$default` (no verb) catches every method and path.
    let (verb, path) = r.route_key.split_once(' ').unwrap_or(("ANY", r.route_key.as_str()));
    Row::new(vec![
        Cell::from(Span::styled(one_line(verb, 10), verb_style(verb, s))),
        Cell::from(one_line(path, 80)),
        auth_cell(&r.authorization, s),
        Cell::from(one_line(a.authorizer_name(r.authorizer_id.as_deref()).unwrap_or("-"), 30)),
        Cell::from(Span::styled("n/a", s.muted)),
        Cell::from(one_line(r.target.as_deref().unwrap_or("-"), 40)),
    ])
}

fn draw_stages(screen: &ApiScreen, frame: &mut Frame, area: Rect, a: &Api, p: &Paint) {
    let s = p.styles;
    let view = &screen.stages;
    let focused = screen.pane == Pane::Stages;
    let shown = &screen.stage_rows;
    let header = Row::new(["STAGE", "DEPLOYMENT", "LOGGING", "TRACING", "THROTTLE", "CACHE", "DESCRIPTION"]);
    let widths = vec![
        Constraint::Length(12),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(14),
        Constraint::Length(6),
        Constraint::Fill(1),
    ];
    let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", one_line(&view.filter, 20)) };
    let enter = p.keymap.keys_for(Context::Detail, Action::Select).into_iter().next().unwrap_or_default();
    let title = format!(" stages ({}){filter} — {enter} for details ", shown.len());
    let table = VirtualTable { header: Some(header), widths, block: panel(title, s, focused), focused };
    table.render(frame, area, view, shown.len(), s, |i| stage_row(&a.stages[shown[i]], s));
}

fn stage_row<'a>(st: &Stage, s: &Styles) -> Row<'a> {
    let throttle = st.throttle.as_ref().map_or("-".to_string(), |t| {
        format!(
            "{}/{}",
            t.rate_limit.map_or("-".into(), |r| r.to_string()),
            t.burst_limit.map_or("-".into(), |b| b.to_string())
        )
    });
    let yes = |b: bool| if b { Span::styled("on", s.success) } else { Span::styled("off", s.muted) };
    Row::new(vec![
        Cell::from(Span::styled(one_line(&st.name, 12), s.accent)),
        Cell::from(one_line(st.deployment_id.as_deref().unwrap_or("-"), 12)),
        Cell::from(one_line(st.execution_logging.as_deref().unwrap_or("OFF"), 8)),
        Cell::from(yes(st.tracing_enabled)),
        Cell::from(throttle),
        Cell::from(yes(st.cache_enabled)),
        Cell::from(one_line(st.description.as_deref().unwrap_or("-"), 80)),
    ])
}
