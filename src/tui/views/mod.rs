//! One file per screen, plus the header and footer every screen shares.

pub mod audit;
pub mod catalog;
pub mod detail;
pub mod dialog;
pub mod docs;
pub mod help;
pub mod keys;
pub mod plans;
pub mod stage;

use super::action::Context;
use super::keymap::Keymap;
use super::state::{AppState, Mode, Screen, Status, complete_command};
use super::theme::Styles;
use crate::sanitize;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub(crate) const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Draw everything; returns the height of the main list (for page up/down).
pub fn draw(frame: &mut Frame, state: &mut AppState, styles: &Styles, keymap: &Keymap) -> usize {
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(frame.area());
    frame.render_widget(header_line(state, styles), header);
    let rows = draw_screen(frame, body, state, styles, keymap);
    frame.render_widget(footer_line(state, styles, keymap), footer);
    if let Some(modal) = &state.modal {
        dialog::draw(frame, modal, styles);
    }
    rows
}

fn draw_screen(frame: &mut Frame, area: Rect, state: &mut AppState, styles: &Styles, keymap: &Keymap) -> usize {
    match state.screen().clone() {
        Screen::ApiList => catalog::draw(frame, area, state, styles),
        Screen::ApiDetail { .. } => detail::draw(frame, area, state, styles),
        Screen::Stage { api, stage, scroll } => stage::draw(frame, area, state, styles, &api, &stage, scroll),
        Screen::Docs { .. } => docs::draw(frame, area, state, styles),
        Screen::Help { .. } => help::draw(frame, area, state, styles, keymap),
        Screen::NotBuilt { name } => not_built(frame, area, styles, &name),
        Screen::Plans { .. } => plans::draw_list(frame, area, state, styles),
        Screen::PlanDetail { .. } => plans::draw_detail(frame, area, state, styles),
        Screen::Keys { .. } => keys::draw(frame, area, state, styles),
        Screen::Audit { .. } => audit::draw_list(frame, area, state, styles),
        Screen::AuditEvent { .. } => audit::draw_event(frame, area, state, styles),
    }
}

fn header_line<'a>(state: &'a AppState, s: &Styles) -> Paragraph<'a> {
    let c = &state.connection;
    let sep = Span::styled(" │ ", s.muted);
    let crumbs: Vec<String> = state.stack.iter().map(Screen::title).collect();
    let mut spans = vec![
        Span::styled(" portcullis ", s.title),
        Span::styled(crumbs.join(" › "), s.header),
        sep.clone(),
        Span::styled("profile ", s.muted),
        Span::styled(c.profile.clone(), s.header_key),
        sep.clone(),
        Span::styled("region ", s.muted),
        Span::styled(c.regions.clone(), s.header_key),
    ];
    if let Some(e) = &c.endpoint {
        spans.extend([sep.clone(), Span::styled("endpoint ", s.muted), Span::styled(e.clone(), s.header_key)]);
    }
    if c.read_only {
        spans.extend([sep.clone(), Span::styled("READ-ONLY", s.warning)]);
    }
    if state.busy() {
        let frame = SPINNER[(state.tick % SPINNER.len() as u64) as usize];
        spans.extend([sep.clone(), Span::styled(format!("{frame} loading"), s.spinner)]);
    }
    if let Some(t) = &state.last_refresh {
        spans.extend([sep, Span::styled(format!("refreshed {t}"), s.muted)]);
    }
    Paragraph::new(Line::from(spans)).style(s.header)
}

fn footer_line<'a>(state: &'a AppState, s: &Styles, keymap: &Keymap) -> Paragraph<'a> {
    let line = match (&state.mode, &state.status) {
        (Mode::Filter, _) => Line::from(vec![
            Span::styled("/", s.filter),
            Span::styled(current_filter(state).to_string(), s.filter),
            Span::styled("█", s.filter),
            Span::styled("   enter keep · esc clear", s.muted),
        ]),
        (Mode::Command(input), _) => command_line(input, s),
        (_, Some(Status::Error(e))) => Line::from(Span::styled(format!(" ✗ {}", sanitize::for_terminal(e)), s.error)),
        (_, Some(Status::Info(i))) => Line::from(Span::styled(format!(" {}", sanitize::for_terminal(i)), s.success)),
        _ => hints(keymap, context_of(state.screen()), s),
    };
    Paragraph::new(line).style(s.footer)
}

fn command_line<'a>(input: &str, s: &Styles) -> Line<'a> {
    let options = complete_command(input);
    let mut spans =
        vec![Span::styled(format!(":{input}"), s.command_line), Span::styled("█", s.command_line), Span::raw("  ")];
    for o in options {
        spans.push(Span::styled(format!(" {o} "), s.muted));
    }
    spans.push(Span::styled("  tab complete · enter go · esc cancel", s.muted));
    Line::from(spans)
}

pub fn context_of(screen: &Screen) -> Context {
    match screen {
        Screen::ApiList | Screen::NotBuilt { .. } => Context::List,
        Screen::ApiDetail { .. } => Context::Detail,
        Screen::Stage { .. } | Screen::Docs { .. } => Context::Docs,
        Screen::Help { .. } => Context::Help,
        Screen::Plans { .. } | Screen::PlanDetail { .. } => Context::Plans,
        Screen::Keys { .. } => Context::Keys,
        Screen::Audit { .. } | Screen::AuditEvent { .. } => Context::Audit,
    }
}

/// Footer hints come from the keymap: the context's own bindings, then the global ones.
fn hints<'a>(keymap: &Keymap, context: Context, s: &Styles) -> Line<'a> {
    let mut spans = vec![Span::raw(" ")];
    // `A` pivots from a resource: no hint where nothing can be selected for it.
    let pivot_here = |a| a == super::action::Action::Audit && matches!(context, Context::Audit | Context::Help);
    for (keys, action) in keymap.hints(context).into_iter().filter(|(_, a)| is_hint_worthy(*a) && !pivot_here(*a)) {
        spans.push(Span::styled(format!("<{keys}>"), s.footer_key));
        spans.push(Span::styled(format!(" {}  ", action.description()), s.footer));
    }
    Line::from(spans)
}

fn is_hint_worthy(a: super::action::Action) -> bool {
    use super::action::Action::*;
    !matches!(a, Up | Down | PageUp | PageDown | Top | Bottom | Left | Right | PrevPane)
}

fn current_filter(state: &AppState) -> &str {
    match state.screen() {
        Screen::ApiList => &state.api_view.filter,
        Screen::ApiDetail { pane: super::state::Pane::Resources, resources, .. } => &resources.filter,
        Screen::ApiDetail { stages, .. } => &stages.filter,
        Screen::Docs { view, .. } | Screen::Help { view } => &view.filter,
        Screen::Plans { view } | Screen::PlanDetail { view, .. } | Screen::Keys { view } => &view.filter,
        Screen::Audit { view } | Screen::AuditEvent { view, .. } => &view.filter,
        _ => "",
    }
}

fn not_built(frame: &mut Frame, area: Rect, s: &Styles, name: &str) -> usize {
    let text = vec![
        Line::from(Span::styled(format!(":{name}"), s.title)),
        Line::from(""),
        Line::from(Span::styled(
            format!("The {name} screen is not built yet; it is planned for a later release."),
            s.text,
        )),
        Line::from(Span::styled("esc goes back · :apis opens the catalog", s.muted)),
    ];
    let block = panel(format!(" {name} "), s, true);
    frame.render_widget(Paragraph::new(text).block(block).wrap(Wrap { trim: true }), area);
    0
}

/// A bordered panel with a title; the focused one uses the focus colour.
pub fn panel<'a>(title: String, s: &Styles, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { s.border_focused } else { s.border })
        .title(Span::styled(title, s.title))
}

/// The message shown in place of a list while it loads or after it failed.
pub fn placeholder<'a, T>(l: &super::state::Loadable<T>, what: &str, s: &Styles, tick: u64) -> Option<Paragraph<'a>> {
    use super::state::Loadable;
    let line = match l {
        Loadable::NotLoaded => Line::from(Span::styled(format!("{what}: not loaded yet"), s.muted)),
        Loadable::Loading { .. } => {
            let frame = SPINNER[(tick % SPINNER.len() as u64) as usize];
            Line::from(Span::styled(format!("{frame} Loading {what}…"), s.spinner))
        }
        Loadable::Failed(e) => {
            return Some(
                Paragraph::new(vec![
                    Line::from(Span::styled(format!("✗ Could not load {what}"), s.error)),
                    Line::from(Span::styled(sanitize::for_terminal(e).into_owned(), s.text)),
                    Line::from(""),
                    Line::from(Span::styled("ctrl-r retries · check --profile, --region and --endpoint-url", s.muted)),
                ])
                .wrap(Wrap { trim: false }),
            );
        }
        Loadable::Loaded(_) => return None,
    };
    Some(Paragraph::new(line))
}
