//! Choose one of a list: a usage plan to attach a key to (or detach it from), the audit source.

use super::{Answer, Step, keys_slash};
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::context::Paint;
use ratatui::text::{Line, Span};

/// What the choice is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    Attach { key_id: String, region: String },
    Detach { key_id: String, region: String },
    AuditSource,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub pick: Pick,
    /// (label, value) pairs.
    pub options: Vec<(String, String)>,
    pub selected: usize,
}

impl Picker {
    pub fn new(pick: Pick, options: Vec<(String, String)>, selected: usize) -> Picker {
        Picker { pick, options, selected }
    }

    pub(super) fn on_action(&mut self, action: Option<Action>) -> Step {
        match action {
            Some(Action::Cancel) => Step::Close,
            Some(Action::Select) => match self.options.get(self.selected) {
                Some((_, value)) => Step::Answer(Answer::Picked { pick: self.pick.clone(), value: value.clone() }),
                None => Step::Close,
            },
            Some(Action::Up) => {
                self.selected = self.selected.saturating_sub(1);
                Step::Stay
            }
            Some(Action::Down) => {
                self.selected = (self.selected + 1).min(self.options.len().saturating_sub(1));
                Step::Stay
            }
            _ => Step::Stay,
        }
    }

    pub(super) fn title(&self) -> &'static str {
        match self.pick {
            Pick::Attach { .. } => " attach to plan ",
            Pick::Detach { .. } => " detach from plan ",
            Pick::AuditSource => " audit source ",
        }
    }

    /// One line per option (the selected one highlighted), a blank line, then the keys' hint.
    pub(super) fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let s = p.styles;
        let mut lines: Vec<Line> = self
            .options
            .iter()
            .enumerate()
            .map(|(i, (label, _))| {
                let style = if i == self.selected { s.row_selected } else { s.text };
                Line::from(Span::styled(format!(" {} ", for_terminal(label)), style))
            })
            .collect();
        let moves = format!(
            "{}/{}",
            keys_slash(p, Context::Picker, Action::Up).split('/').next().unwrap_or_default(),
            keys_slash(p, Context::Picker, Action::Down).split('/').next().unwrap_or_default()
        );
        let choose = keys_slash(p, Context::Picker, Action::Select);
        let cancel = keys_slash(p, Context::Picker, Action::Cancel);
        let what = if self.pick == Pick::AuditSource { "reads from there" } else { "reviews" };
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(format!("{moves} choose · {choose} {what} · {cancel} cancels"), s.muted)));
        lines
    }
}
