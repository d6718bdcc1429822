//! Dialogs over the current screen, each a keymap context: confirm (with the AWS CLI
//! equivalent), typed confirm (destructive changes), picker, form, and a new value shown once.
//! A dialog turns keys into a [`Step`]; what it was opened for comes back to the screen that
//! opened it as an [`Answer`].

mod body;
mod confirm;
mod form;
mod handover;
mod picker;
mod review;
mod show_value;

pub use body::{BodyEditor, check_json};
pub use confirm::{Confirm, TypedConfirm};
pub use form::{Field, Form, FormKind, TryForm};
pub use handover::Handover;
pub use picker::{Pick, Picker};
pub use review::Review;
pub use show_value::ShowValue;

use super::action::{Action, Context};
use super::context::Paint;
use crate::domain::{Mutation, Secret};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

#[derive(Debug, Clone)]
pub enum Dialog {
    Confirm(Confirm),
    TypedConfirm(TypedConfirm),
    Picker(Picker),
    Form(Form),
    ShowValue(ShowValue),
    /// A partner change, reviewed before it runs.
    Review(Box<Review>),
    /// New partner credentials, shown once.
    Handover(Box<Handover>),
    /// A request's JSON body, with the operation's schema beside it.
    Body(Box<BodyEditor>),
}

/// What a dialog was for, once it is answered.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Go ahead with the change.
    Confirmed { mutation: Mutation, region: String },
    /// The option chosen (its value), with what the picker was for.
    Picked { pick: Pick, value: String },
    /// The form as submitted (the screen checks it, and may open it again with an error).
    Submitted(Form),
    /// Go ahead with the partner change.
    Reviewed(Box<crate::partners::ops::Change>),
    /// The body as edited.
    Body(String),
}

/// What a key did in a dialog.
pub enum Step {
    Stay,
    Close,
    /// Close, and hand this to the screen.
    Answer(Answer),
    /// Stay open; the app copies this to the clipboard.
    Copy(Secret),
    /// A message on the status line (e.g. the typed name does not match).
    Refuse(String),
}

impl Dialog {
    pub fn context(&self) -> Context {
        match self {
            Dialog::Confirm(_) => Context::Confirm,
            Dialog::TypedConfirm(_) => Context::TypedConfirm,
            Dialog::Picker(_) => Context::Picker,
            Dialog::Form(_) => Context::Form,
            Dialog::ShowValue(_) | Dialog::Handover(_) => Context::ShowValue,
            Dialog::Review(r) => r.context(),
            Dialog::Body(_) => Context::Body,
        }
    }

    /// `action` is the key's binding in this dialog's context, if it has one.
    pub fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> Step {
        match self {
            Dialog::Confirm(d) => d.on_action(action),
            Dialog::TypedConfirm(d) => d.on_key(key, action),
            Dialog::Picker(d) => d.on_action(action),
            Dialog::Form(d) => d.on_key(key, action),
            Dialog::ShowValue(d) => d.on_action(action),
            Dialog::Review(d) => d.on_key(key, action),
            Dialog::Handover(d) => d.on_action(action),
            Dialog::Body(d) => d.on_key(key, action),
        }
    }

    pub fn draw(&self, frame: &mut Frame, p: &Paint) {
        let (title, lines) = match self {
            Dialog::Confirm(d) => (" confirm ", d.lines(p)),
            Dialog::TypedConfirm(d) => (" delete ", d.lines(p)),
            Dialog::Picker(d) => (d.title(), d.lines(p)),
            Dialog::Form(d) => (d.title(), d.lines(p)),
            Dialog::ShowValue(d) => (" new API key ", d.lines(p)),
            Dialog::Review(d) => (d.title, d.lines(p)),
            Dialog::Handover(d) => (" new credentials ", d.lines(p)),
            Dialog::Body(d) => return d.draw(frame, p),
        };
        popup(frame, title, lines, p);
    }
}

impl Dialog {
    /// The dialog that shows what a result asked to show.
    pub fn of(show: crate::tui::data::Show) -> Dialog {
        match show {
            crate::tui::data::Show::NewKey { name, value } => Dialog::ShowValue(ShowValue { name, value }),
            crate::tui::data::Show::Credentials(c) => Dialog::Handover(Box::new(Handover::new(*c))),
            crate::tui::data::Show::Review(change) => Dialog::Review(Box::new(Review::of(*change))),
        }
    }
}

/// A centred box, as tall as its wrapped lines.
fn popup(frame: &mut Frame, title: &str, lines: Vec<Line<'static>>, p: &Paint) {
    let s = p.styles;
    let width = 100.min(frame.area().width);
    let inner = width.saturating_sub(2).max(1);
    let paragraph = Paragraph::new(lines).style(s.popup).wrap(Wrap { trim: false });
    let rows = u16::try_from(paragraph.line_count(inner)).unwrap_or(u16::MAX);
    let height = rows.saturating_add(2).min(frame.area().height);
    let area = centered(frame.area(), width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.popup_border)
        .title(Span::styled(title.to_string(), s.title));
    frame.render_widget(Clear, area);
    frame.render_widget(paragraph.block(block), area);
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(v);
    h
}

/// `enter or y` for a hint: the keys of `action` in `context`, from the keymap.
pub(crate) fn keys_or(p: &Paint, context: Context, action: Action) -> String {
    p.keymap.keys_for(context, action).join(" or ")
}

/// `tab/shift-tab` for a hint.
pub(crate) fn keys_slash(p: &Paint, context: Context, action: Action) -> String {
    p.keymap.keys_for(context, action).join("/")
}
