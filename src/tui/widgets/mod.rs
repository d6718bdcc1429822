//! Reusable pieces: the virtual table, list state and fuzzy filter, text input, JSON lines,
//! and the panel, spinner and placeholder every screen uses.

pub mod json;
pub mod list;
pub mod text_input;
pub mod vtable;

use super::action::{Action, Context};
use super::context::Paint;
use super::loadable::Loadable;
use super::theme::Styles;
use crate::sanitize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(tick: u64) -> &'static str {
    SPINNER[(tick % SPINNER.len() as u64) as usize]
}

/// A bordered panel with a title; the focused one uses the focus colour.
pub fn panel<'a>(title: String, s: &Styles, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { s.border_focused } else { s.border })
        .title(Span::styled(title, s.title))
}

/// The message shown in place of a list while it loads or after it failed (a failed AWS read:
/// retry, and check where it reads from).
pub fn placeholder<'a, T>(l: &Loadable<T>, what: &str, p: &Paint) -> Option<Paragraph<'a>> {
    let retry = p.keys(Context::Global, Action::Refresh);
    placeholder_with(l, what, &format!("{retry} retries · check --profile, --region and --endpoint-url"), p)
}

/// [`placeholder`], with what to do after a failure said by the caller (the advice that fits).
pub fn placeholder_with<'a, T>(l: &Loadable<T>, what: &str, hint: &str, p: &Paint) -> Option<Paragraph<'a>> {
    let s = p.styles;
    let line = match l {
        Loadable::NotLoaded => Line::from(Span::styled(format!("{what}: not loaded yet"), s.muted)),
        Loadable::Loading { .. } => Line::from(Span::styled(format!("{} Loading {what}…", spinner(p.tick)), s.spinner)),
        Loadable::Failed(e) => {
            return Some(
                Paragraph::new(vec![
                    Line::from(Span::styled(format!("✗ Could not load {what}"), s.error)),
                    Line::from(Span::styled(sanitize::for_terminal(e).into_owned(), s.text)),
                    Line::from(""),
                    Line::from(Span::styled(hint.to_string(), s.muted)),
                ])
                .wrap(Wrap { trim: false }),
            );
        }
        Loadable::Loaded(_) | Loadable::Refreshing { .. } => return None,
    };
    Some(Paragraph::new(line))
}
