//! A form: text fields (edited through ratatui-textarea) and choices, one focused at a time.
//! The screen that opened it reads the values when it is submitted, and may open it again
//! with an error.

use super::{Answer, Step};
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::context::Paint;
use crate::tui::widgets::text_input::{Caret, TextInput};
use crossterm::event::KeyEvent;
use ratatui::text::{Line, Span};

/// What the form is for.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    /// A new API key in this region.
    NewKey {
        region: String,
    },
    AuditFilters,
    /// Onboarding a partner in this region.
    Onboard {
        region: String,
    },
    /// Rotating a partner's key or client secret: how, and where the new one goes.
    Rotate {
        partner: String,
        region: String,
        credential: crate::partners::ops::Credential,
    },
    /// A request to try.
    Try(Box<TryForm>),
    /// A jq filter over the answer's body.
    Jq,
}

/// What a request form is for: `method` on the API's stage.
#[derive(Debug, Clone, PartialEq)]
pub struct TryForm {
    pub api: crate::tui::store::ApiRef,
    pub stage: String,
    pub method: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Text {
        label: &'static str,
        input: TextInput,
    },
    /// A choice among `choices` (a check box is `[ ]` / `[x]`); the toggle key moves it on.
    Choice {
        label: &'static str,
        choices: Vec<&'static str>,
        chosen: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// Labels are right-aligned to this width.
    pub label_width: usize,
    /// Lines of advice under the fields.
    pub notes: Vec<String>,
    /// What a check box is (in the hint: `toggles enabled`), and what submitting does.
    pub toggles: &'static str,
    pub submit: &'static str,
}

impl Form {
    pub fn text(label: &'static str, value: &str) -> Field {
        Field::Text { label, input: TextInput::new(value) }
    }

    pub fn check(label: &'static str, on: bool) -> Field {
        Field::Choice { label, choices: vec!["[ ]", "[x]"], chosen: usize::from(on) }
    }

    /// The text of field `i` (empty for a choice).
    pub fn value(&self, i: usize) -> &str {
        match self.fields.get(i) {
            Some(Field::Text { input, .. }) => input.value(),
            _ => "",
        }
    }

    /// Which choice field `i` has.
    pub fn chosen(&self, i: usize) -> usize {
        match self.fields.get(i) {
            Some(Field::Choice { chosen, .. }) => *chosen,
            _ => 0,
        }
    }

    pub fn with_error(mut self, error: String) -> Form {
        self.error = Some(error);
        self
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> Step {
        let n = self.fields.len().max(1);
        match action {
            Some(Action::Cancel) => return Step::Close,
            Some(Action::Submit) => return Step::Answer(Answer::Submitted(self.clone())),
            Some(Action::NextField) => self.focus = (self.focus + 1) % n,
            Some(Action::PrevField) => self.focus = (self.focus + n - 1) % n,
            Some(Action::Toggle) if self.toggle() => {}
            _ => {
                if let Some(Field::Text { input, .. }) = self.fields.get_mut(self.focus) {
                    input.input(key);
                }
            }
        }
        Step::Stay
    }

    /// Move the focused choice on; false when a text field has the focus (the key is typed).
    fn toggle(&mut self) -> bool {
        match self.fields.get_mut(self.focus) {
            Some(Field::Choice { choices, chosen, .. }) => {
                *chosen = (*chosen + 1) % choices.len().max(1);
                true
            }
            _ => false,
        }
    }

    pub(super) fn title(&self) -> &'static str {
        match self.kind {
            FormKind::NewKey { .. } => " new API key ",
            FormKind::AuditFilters => " audit filters ",
            FormKind::Onboard { .. } => " onboard a partner ",
            FormKind::Rotate { credential: crate::partners::ops::Credential::Key, .. } => " rotate the API key ",
            FormKind::Rotate { .. } => " rotate the client secret ",
            FormKind::Try(_) => " request ",
            FormKind::Jq => " jq filter ",
        }
    }

    pub(super) fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let s = p.styles;
        let w = self.label_width;
        let mut lines: Vec<Line> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let focused = self.focus == i;
                let style = if focused { s.command_line } else { s.text };
                let (label, mut value) = match f {
                    Field::Text { label, input } => {
                        let caret = if focused { Caret::Shown } else { Caret::Hidden };
                        (*label, input.spans(style, caret))
                    }
                    Field::Choice { label, choices, chosen } => {
                        (*label, vec![Span::styled(choices.get(*chosen).copied().unwrap_or("").to_string(), style)])
                    }
                };
                let mut spans = vec![Span::styled(format!("{label:>w$}  "), s.muted)];
                spans.append(&mut value);
                Line::from(spans)
            })
            .collect();
        lines.push(Line::from(""));
        if let Some(e) = &self.error {
            lines.push(Line::from(Span::styled(format!("✗ {}", for_terminal(e)), s.error)));
        }
        lines.extend(self.notes.iter().map(|n| Line::from(Span::styled(n.clone(), s.muted))));
        lines.push(Line::from(Span::styled(self.hint(p), s.muted)));
        lines
    }

    fn hint(&self, p: &Paint) -> String {
        let first = |a| p.keymap.keys_for(Context::Form, a).into_iter().next().unwrap_or_default();
        // Toggling is said only where the form has something to toggle.
        let toggles = if self.fields.iter().any(|f| matches!(f, Field::Choice { .. })) {
            format!(" · {} toggles{}", first(Action::Toggle), self.toggles)
        } else {
            String::new()
        };
        format!(
            "{}/{} move{toggles} · {} {} · {} cancels",
            first(Action::NextField),
            first(Action::PrevField),
            first(Action::Submit),
            self.submit,
            first(Action::Cancel)
        )
    }
}
