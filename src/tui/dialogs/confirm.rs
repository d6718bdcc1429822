//! Confirmations: what will change and the equivalent AWS CLI calls; a destructive change
//! asks for the resource's name to be typed.

use super::{Answer, Step, keys_or};
use crate::domain::Mutation;
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::context::Paint;
use crate::tui::widgets::text_input::{Caret, TextInput};
use crossterm::event::KeyEvent;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub mutation: Mutation,
    pub region: String,
}

impl Confirm {
    pub fn new(mutation: Mutation, region: String) -> Confirm {
        Confirm { mutation, region }
    }

    pub(super) fn on_action(&mut self, action: Option<Action>) -> Step {
        match action {
            Some(Action::Confirm) => Step::Answer(self.answer()),
            Some(Action::Cancel) => Step::Close,
            _ => Step::Stay,
        }
    }

    fn answer(&self) -> Answer {
        Answer::Confirmed { mutation: self.mutation.clone(), region: self.region.clone() }
    }

    /// The lines the dialog draws (before they wrap to its width).
    pub fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let mut lines = change_lines(&self.mutation, &self.region, p);
        let go = keys_or(p, Context::Confirm, Action::Confirm);
        let cancel = keys_or(p, Context::Confirm, Action::Cancel);
        lines.push(Line::from(Span::styled(format!("{go}: go ahead · {cancel}: cancel"), p.styles.muted)));
        lines
    }
}

/// What will change, and the AWS CLI calls that do the same.
fn change_lines(m: &Mutation, region: &str, p: &Paint) -> Vec<Line<'static>> {
    let s = p.styles;
    let mut lines = vec![
        Line::from(Span::styled(format!("This will {}.", for_terminal(&m.describe())), s.text)),
        Line::from(""),
        Line::from(Span::styled("Equivalent AWS CLI:", s.muted)),
    ];
    lines.extend(
        m.plan(region).cli().into_iter().map(|c| Line::from(Span::styled(format!("  {}", for_terminal(&c)), s.accent))),
    );
    lines.push(Line::from(""));
    lines
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypedConfirm {
    pub mutation: Mutation,
    pub region: String,
    /// What must be typed (the key's name, or its id when it has none).
    pub expected: String,
    pub input: TextInput,
}

impl TypedConfirm {
    pub fn new(mutation: Mutation, region: String, expected: String) -> TypedConfirm {
        TypedConfirm { mutation, region, expected, input: TextInput::default() }
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> Step {
        match action {
            Some(Action::Cancel) => Step::Close,
            Some(Action::Confirm) if self.input.value() == self.expected => {
                Step::Answer(Answer::Confirmed { mutation: self.mutation.clone(), region: self.region.clone() })
            }
            Some(Action::Confirm) => Step::Refuse("the name does not match: nothing was deleted".into()),
            _ => {
                self.input.input(key);
                Step::Stay
            }
        }
    }

    /// The lines the dialog draws (before they wrap to its width).
    pub fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let s = p.styles;
        let mut lines = change_lines(&self.mutation, &self.region, p);
        lines.push(Line::from(Span::styled(
            format!("Type the key's name ({}) to delete it:", for_terminal(&self.expected)),
            s.warning,
        )));
        let mut prompt = vec![Span::styled("> ", s.command_line)];
        prompt.extend(self.input.spans(s.command_line, Caret::Shown));
        lines.push(Line::from(prompt));
        let go = keys_or(p, Context::TypedConfirm, Action::Confirm);
        let cancel = keys_or(p, Context::TypedConfirm, Action::Cancel);
        lines.push(Line::from(Span::styled(format!("{go} deletes when the name matches · {cancel} cancels"), s.muted)));
        lines
    }
}
