//! What every screen shares: the header (breadcrumbs, connection, spinner), the footer (the
//! typed filter or command, the status line, or key hints from the keymap) and the dialog on top.

use super::action::{Action, Context};
use super::context::Paint;
use super::dialogs::Dialog;
use super::keymap::Keymap;
use super::prompt::Mode;
use super::screens::{Screen, complete_command};
use super::store::Status;
use super::theme::Styles;
use super::widgets::spinner;
use super::widgets::text_input::{Caret, TextInput};
use crate::sanitize;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the router hands the chrome to draw: the screens (the top one last), the dialog in
/// front, the typing mode and the status line.
pub struct View<'a> {
    pub stack: &'a [Box<dyn Screen>],
    pub dialog: Option<&'a Dialog>,
    pub mode: &'a Mode,
    pub status: Option<&'a Status>,
}

impl View<'_> {
    fn top(&self) -> &dyn Screen {
        self.stack.last().expect("the root screen is never popped").as_ref()
    }
}

pub fn draw(frame: &mut Frame, app: &View, p: &Paint) {
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(frame.area());
    frame.render_widget(header_line(app, p), header);
    app.top().draw(frame, body, p);
    frame.render_widget(footer_line(app, p), footer);
    if let Some(dialog) = app.dialog {
        dialog.draw(frame, p);
    }
}

fn header_line<'a>(app: &View, p: &Paint) -> Paragraph<'a> {
    let s = p.styles;
    let c = &p.store.connection;
    let sep = Span::styled(" │ ", s.muted);
    let crumbs: Vec<String> = app.stack.iter().map(|screen| screen.title()).collect();
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
    if p.store.busy() || app.stack.iter().any(|screen| screen.busy()) {
        spans.extend([sep.clone(), Span::styled(format!("{} loading", spinner(p.tick)), s.spinner)]);
    }
    if let Some(at) = &p.store.catalog.cached_at {
        let age = super::data::cache::age(at, time::OffsetDateTime::now_utc());
        let doing = if p.store.catalog.refresh.is_some() { " · refreshing" } else { "" };
        spans.extend([sep, Span::styled(format!("cached {age}{doing}"), s.warning)]);
    } else if let Some(t) = &p.store.catalog.last_refresh {
        spans.extend([sep, Span::styled(format!("refreshed {t}"), s.muted)]);
    }
    Paragraph::new(Line::from(spans)).style(s.header)
}

fn footer_line<'a>(app: &View, p: &Paint) -> Paragraph<'a> {
    let s = p.styles;
    let line = match (app.mode, app.status) {
        (Mode::Filter(input), _) => filter_line(input, p),
        (Mode::Command(input), _) => command_line(input, p),
        (_, Some(Status::Error(e))) => Line::from(Span::styled(format!(" ✗ {}", sanitize::for_terminal(e)), s.error)),
        (_, Some(Status::Info(i))) => Line::from(Span::styled(format!(" {}", sanitize::for_terminal(i)), s.success)),
        _ => hints(p.keymap, app.top().context(), s),
    };
    Paragraph::new(line).style(s.footer)
}

fn filter_line<'a>(input: &TextInput, p: &Paint) -> Line<'a> {
    let s = p.styles;
    let mut spans = vec![Span::styled("/", s.filter)];
    spans.extend(input.spans(s.filter, Caret::Shown));
    let keep = p.keys(Context::Filter, Action::Submit);
    let clear = p.keys(Context::Filter, Action::Cancel);
    spans.push(Span::styled(format!("   {keep} keep · {clear} clear"), s.muted));
    Line::from(spans)
}

fn command_line<'a>(input: &TextInput, p: &Paint) -> Line<'a> {
    let s = p.styles;
    let mut spans = vec![Span::styled(":", s.command_line)];
    spans.extend(input.spans(s.command_line, Caret::Shown));
    spans.push(Span::raw("  "));
    for o in complete_command(input.value()) {
        spans.push(Span::styled(format!(" {o} "), s.muted));
    }
    let complete = p.keys(Context::CommandLine, Action::Complete);
    let go = p.keys(Context::CommandLine, Action::Submit);
    let cancel = p.keys(Context::CommandLine, Action::Cancel);
    spans.push(Span::styled(format!("  {complete} complete · {go} go · {cancel} cancel"), s.muted));
    Line::from(spans)
}

/// Footer hints come from the keymap: the context's own bindings, then the global ones.
fn hints<'a>(keymap: &Keymap, context: Context, s: &Styles) -> Line<'a> {
    let mut spans = vec![Span::raw(" ")];
    // `A` pivots from a resource: no hint where nothing can be selected for it.
    let pivot_here = |a| a == Action::Audit && matches!(context, Context::Audit | Context::Help);
    for (keys, action) in keymap.hints(context).into_iter().filter(|(_, a)| is_hint_worthy(*a) && !pivot_here(*a)) {
        spans.push(Span::styled(format!("<{keys}>"), s.footer_key));
        spans.push(Span::styled(format!(" {}  ", action.description()), s.footer));
    }
    Line::from(spans)
}

fn is_hint_worthy(a: Action) -> bool {
    use Action::*;
    !matches!(a, Up | Down | PageUp | PageDown | Top | Bottom | Left | Right | PrevPane)
}
