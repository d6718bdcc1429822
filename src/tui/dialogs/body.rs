//! The request body editor (`b` on a request): the JSON body in a multi-line text area
//! (ratatui-textarea: undo, word moves, paste), checked as it is typed (the error at its line
//! and column), the operation's parameters and schemas from the API's docs beside it.
//! `ctrl-s` keeps the text as it is (valid or not: an invalid body is refused at send unless
//! sent with the explicit key); `esc` leaves the body as it was.

use super::{Answer, Step};
use crate::openapi::{DocLine, LineKind};
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::context::Paint;
use crate::tui::loadable::Loadable;
use crate::tui::store::ApiRef;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::TextArea;

#[derive(Debug, Clone)]
pub struct BodyEditor {
    area: Box<TextArea<'static>>,
    pub title: String,
    /// Whose docs show beside it: the API, the stage they were exported from, the method and
    /// the path as defined (read from the store as they load).
    pub source: (ApiRef, String, String, String),
}

/// Is `text` JSON? An empty body is no body, and fine.
pub fn check_json(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Ok(());
    }
    serde_json::from_str::<serde_json::Value>(text)
        .map(|_| ())
        .map_err(|e| format!("not valid JSON at line {}, column {}: {e}", e.line(), e.column()))
}

impl BodyEditor {
    pub fn new(title: String, text: &str, source: (ApiRef, String, String, String)) -> BodyEditor {
        let lines: Vec<String> =
            if text.is_empty() { vec![String::new()] } else { text.lines().map(str::to_string).collect() };
        let mut area = TextArea::from(lines);
        area.set_cursor_line_style(Style::default());
        // Where typing goes on: the end of the text.
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        BodyEditor { area: Box::new(area), title, source }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> Step {
        match action {
            Some(Action::Submit) => Step::Answer(Answer::Body(self.text())),
            Some(Action::Cancel) => Step::Close,
            _ => {
                self.area.input(key);
                Step::Stay
            }
        }
    }

    /// Most of the screen: the text on the left (with the check under it), the schema on the right.
    pub fn draw(&self, frame: &mut Frame, p: &Paint) {
        let s = p.styles;
        let full = frame.area();
        // Over the screen, between the header line and the footer.
        let area = Rect { x: full.x, y: full.y + 1, width: full.width, height: full.height.saturating_sub(2) };
        frame.render_widget(Clear, area);
        let [left, right] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
        let [text, check] = Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(left);
        let (keep, cancel) = (p.keys(Context::Body, Action::Submit), p.keys(Context::Body, Action::Cancel));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(s.popup_border)
            .title(Span::styled(format!(" {} ", for_terminal(&self.title)), s.title))
            .title_bottom(Span::styled(format!(" {keep} keeps it · {cancel} leaves it as it was "), s.muted));
        let mut editor = (*self.area).clone();
        editor.set_style(s.popup);
        editor.set_line_number_style(s.muted);
        editor.set_block(block);
        frame.render_widget(&editor, text);
        let verdict = match check_json(&self.text()) {
            Ok(()) if self.text().trim().is_empty() => Line::from(Span::styled(" no body", s.muted)),
            Ok(()) => Line::from(Span::styled(" valid JSON", s.success)),
            Err(e) => Line::from(Span::styled(format!(" {e}"), s.error)),
        };
        frame.render_widget(Paragraph::new(verdict).style(s.popup), check);
        let (api, stage, method, path) = &self.source;
        let note = |t: String| vec![Line::from(Span::styled(t, s.muted))];
        let lines: Vec<Line> = match p.store.doc(api, stage) {
            Some(l) if l.loaded().is_some() => {
                let doc = l.loaded().map(Vec::as_slice).unwrap_or_default();
                match crate::openapi::operation_section(doc, method, path) {
                    Some(section) => section.iter().map(|l| schema_line(l, s)).collect(),
                    None => note(format!("the API's docs have no {method} {}", for_terminal(path))),
                }
            }
            Some(Loadable::Failed(e)) => note(format!("no docs: {}", for_terminal(e))),
            _ => note("loading the API's docs…".into()),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(s.popup_border)
            .title(Span::styled(" the operation's docs ", s.title));
        let para = Paragraph::new(lines).block(block).style(s.popup).wrap(ratatui::widgets::Wrap { trim: false });
        frame.render_widget(para, right);
    }
}

fn schema_line<'a>(l: &DocLine, s: &crate::tui::theme::Styles) -> Line<'a> {
    let style = match l.kind {
        LineKind::Title | LineKind::Heading | LineKind::Operation => s.title,
        LineKind::Label => s.accent,
        LineKind::Muted => s.muted,
        LineKind::Field | LineKind::Text => s.text,
    };
    let indent = "  ".repeat(usize::from(l.indent));
    Line::from(Span::styled(format!("{indent}{}", for_terminal(&l.text)), style))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_names_line_and_column() {
        assert!(check_json("").is_ok() && check_json("  \n").is_ok());
        assert!(check_json("{\"a\": [1, 2]}").is_ok());
        let e = check_json("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert!(e.contains("line 3, column 7"), "{e}");
    }

    #[test]
    fn keeps_every_line() {
        let api = ApiRef::new("eu-west-1", "a1");
        let source = (api, "prod".into(), "POST".into(), "/orders".into());
        let ed = BodyEditor::new("t".into(), "{\n  \"a\": 1\n}", source);
        assert_eq!(ed.text(), "{\n  \"a\": 1\n}");
    }
}
