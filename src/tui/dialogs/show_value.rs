//! A new key's value, shown this once; it can be copied (and is cleared from the clipboard later).

use super::{Step, keys_slash};
use crate::domain::Secret;
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::context::Paint;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone)]
pub struct ShowValue {
    pub name: String,
    pub value: Secret,
}

impl ShowValue {
    pub(super) fn on_action(&mut self, action: Option<Action>) -> Step {
        match action {
            Some(Action::Copy) => Step::Copy(self.value.clone()),
            Some(Action::Cancel) => Step::Close,
            _ => Step::Stay,
        }
    }

    pub(super) fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let s = p.styles;
        let copy = keys_slash(p, Context::ShowValue, Action::Copy);
        let close = keys_slash(p, Context::ShowValue, Action::Cancel).split('/').next().unwrap_or_default().to_string();
        vec![
            Line::from(Span::styled(format!("Key {} was created. Its value:", for_terminal(&self.name)), s.text)),
            Line::from(""),
            Line::from(Span::styled(format!("  {}", self.value.expose()), s.warning)),
            Line::from(""),
            Line::from(Span::styled(
                format!("It is shown this once. {copy} copies it (cleared from the clipboard later) · {close} closes"),
                s.muted,
            )),
        ]
    }
}
