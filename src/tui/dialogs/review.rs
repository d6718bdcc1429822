//! The review of a partner change before it runs: what it does, the AWS CLI equivalent of the
//! calls the checked change will make (the same value the worker then carries out), and (for
//! what cannot be undone: an offboarding, a retirement at once) the partner id typed.

use super::{Answer, Step, keys_or};
use crate::partners::Destination;
use crate::partners::ops::Change;
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::context::Paint;
use crate::tui::widgets::text_input::{Caret, TextInput};
use crossterm::event::KeyEvent;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub title: &'static str,
    /// What will happen, a line each.
    pub describe: Vec<String>,
    pub aws_cli: Vec<String>,
    /// What must be typed to go ahead, if a plain yes is not enough.
    pub typed: Option<String>,
    pub input: TextInput,
    pub change: Change,
}

impl Review {
    /// The review of a checked change: its lines and calls come from the change itself.
    pub fn of(change: Change) -> Review {
        let (title, notes) = notes(&change);
        let mut describe = change.describe();
        describe.extend(notes);
        Review {
            title,
            describe,
            aws_cli: change.plan().cli(),
            typed: change.typed().map(str::to_string),
            input: TextInput::default(),
            change,
        }
    }

    pub fn context(&self) -> Context {
        if self.typed.is_some() { Context::TypedConfirm } else { Context::Confirm }
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> Step {
        match (action, &self.typed) {
            (Some(Action::Cancel), _) => Step::Close,
            (Some(Action::Confirm), None) => Step::Answer(Answer::Reviewed(Box::new(self.change.clone()))),
            (Some(Action::Confirm), Some(word)) if self.input.value() == *word => {
                Step::Answer(Answer::Reviewed(Box::new(self.change.clone())))
            }
            (Some(Action::Confirm), Some(_)) => Step::Refuse("that is not the partner id: nothing was changed".into()),
            (_, Some(_)) => {
                self.input.input(key);
                Step::Stay
            }
            (_, None) => Step::Stay,
        }
    }

    /// The lines the dialog draws (before they wrap to its width).
    pub fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let s = p.styles;
        let mut lines: Vec<Line> =
            self.describe.iter().map(|d| Line::from(Span::styled(for_terminal(d).into_owned(), s.text))).collect();
        if !self.aws_cli.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled("Equivalent AWS CLI:", s.muted)));
            lines.extend(
                self.aws_cli.iter().map(|c| Line::from(Span::styled(format!("  {}", for_terminal(c)), s.accent))),
            );
        }
        lines.push(Line::from(""));
        match &self.typed {
            Some(word) => {
                lines.push(Line::from(Span::styled(
                    format!("Type the partner id ({}) to go ahead:", for_terminal(word)),
                    s.warning,
                )));
                let mut prompt = vec![Span::styled("> ", s.command_line)];
                prompt.extend(self.input.spans(s.command_line, Caret::Shown));
                lines.push(Line::from(prompt));
                let go = keys_or(p, Context::TypedConfirm, Action::Confirm);
                let cancel = keys_or(p, Context::TypedConfirm, Action::Cancel);
                lines.push(Line::from(Span::styled(
                    format!("{go} goes ahead when it matches · {cancel} cancels"),
                    s.muted,
                )));
            }
            None => {
                let go = keys_or(p, Context::Confirm, Action::Confirm);
                let cancel = keys_or(p, Context::Confirm, Action::Cancel);
                lines.push(Line::from(Span::styled(format!("{go}: go ahead · {cancel}: cancel"), s.muted)));
            }
        }
        lines
    }
}

/// The title, and what a person should know beside the calls.
fn notes(change: &Change) -> (&'static str, Vec<String>) {
    let shown = |d: &Destination| match d {
        Destination::Stdout => "The new credentials are shown here once.".to_string(),
        other => format!("The new credentials are written to {} (not shown).", other.describe()),
    };
    match change {
        Change::Onboard(p) => (" onboard ", vec![shown(&p.request.destination)]),
        Change::Rotate(p) if p.now => {
            (" rotate ", vec!["The old credential stops working at once.".into(), shown(&p.destination)])
        }
        Change::Rotate(p) => (
            " rotate ",
            vec![
                "Old and new both work for the grace period; then reconcile retires the old one.".into(),
                shown(&p.destination),
            ],
        ),
        Change::Offboard(_) => {
            (" offboard ", vec!["Traffic with its keys stops at once. This cannot be undone.".into()])
        }
        Change::Reconcile(_) => (" reconcile ", vec![]),
    }
}
