//! One line of text input (the `/` filter, the `:` command line, form fields) over
//! `ratatui-textarea`, which does the editing: insert and delete, cursor and word moves,
//! emacs-style shortcuts (ctrl-a/e/k/w), undo; ctrl-u deletes to the start of the line, as in
//! a shell (the text area's own ctrl-u is undo). Drawn as spans, so it sits inside a line of
//! other text, with the cursor as a reversed cell (a block at the end of the text).

use crate::sanitize::for_terminal;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui_textarea::{CursorMove, TextArea};

/// Whether the text shows where the cursor is (the focused field does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caret {
    Shown,
    Hidden,
}

#[derive(Debug, Clone, Default)]
pub struct TextInput {
    /// Boxed: a text area is large, and dialogs hold several.
    area: Box<TextArea<'static>>,
}

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

impl TextInput {
    pub fn new(text: &str) -> TextInput {
        let mut area = TextArea::from([text.to_string()]);
        area.move_cursor(CursorMove::End);
        TextInput { area: Box::new(area) }
    }

    pub fn value(&self) -> &str {
        self.area.lines().first().map(String::as_str).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    /// Replace the text (the cursor goes to its end).
    pub fn set(&mut self, text: &str) {
        *self = TextInput::new(text);
    }

    /// Edit with a key; true if the text changed. A line break never gets in: it is one line.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if key.code == KeyCode::Enter || (ctrl && key.code == KeyCode::Char('m')) {
            return false;
        }
        let changed =
            if ctrl && key.code == KeyCode::Char('u') { self.area.delete_line_by_head() } else { self.area.input(key) };
        if self.area.lines().len() > 1 {
            let joined = self.area.lines().concat();
            self.set(&joined);
        }
        changed
    }

    /// The text as spans in `style`; with the cursor shown, the character under it reversed
    /// (a block after the text when the cursor is at its end). Control characters are made inert.
    pub fn spans(&self, style: Style, cursor: Caret) -> Vec<Span<'static>> {
        let text = self.value();
        if cursor == Caret::Hidden {
            return vec![Span::styled(for_terminal(text).into_owned(), style)];
        }
        let col = self.area.cursor().1;
        let at = text.char_indices().nth(col).map_or(text.len(), |(i, _)| i);
        let (before, rest) = text.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next();
        let after: String = chars.collect();
        let mut out = vec![Span::styled(for_terminal(before).into_owned(), style)];
        match under {
            Some(c) => {
                out.push(Span::styled(
                    for_terminal(&c.to_string()).into_owned(),
                    style.add_modifier(Modifier::REVERSED),
                ));
                out.push(Span::styled(for_terminal(&after).into_owned(), style));
            }
            None => out.push(Span::styled("█", style)),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn ctrl_u_deletes_to_the_start_as_in_a_shell() {
        let mut t = TextInput::new("/orders/{id}");
        assert!(t.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        assert_eq!(t.value(), "");
    }

    #[test]
    fn edits_through_the_textarea_and_stays_one_line() {
        let mut t = TextInput::new("pay");
        assert!(t.input(key(KeyCode::Char('s'))));
        assert_eq!(t.value(), "pays");
        t.input(key(KeyCode::Left));
        t.input(key(KeyCode::Backspace));
        assert_eq!(t.value(), "pas");
        t.input(key(KeyCode::Enter));
        assert_eq!(t.value(), "pas", "enter does not break the line");
        t.input(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL));
        assert_eq!(t.value(), "s", "ctrl-j deletes to the start of the line");
        let spans = t.spans(Style::default(), Caret::Shown);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "s", "the cursor is on the s");
        t.input(key(KeyCode::End));
        let text: String = t.spans(Style::default(), Caret::Shown).iter().map(|s| s.content.to_string()).collect();
        assert_eq!(text, "s█");
    }
}
