//! Making untrusted remote text safe to put on a terminal.
//!
//! API names, descriptions and tags come from other people's AWS accounts.
//! Printed raw, a control sequence in them could recolour the screen, move
//! the cursor, set the window title or (with some terminals) do worse.
//! Bidirectional formatting characters can visually reorder text so that
//! what is shown differs from what is there. Everything here turns such
//! characters into visible, inert text.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The marker appended by [`one_line`] when text was cut.
const ELLIPSIS: char = '…';

/// Returns `s` unchanged (borrowed) when it is harmless, otherwise a copy in
/// which every control character is written as a visible escape (`\x1b`,
/// `\n`, `\t`, `\r`, `\x9b`) and every bidirectional formatting character as
/// `<U+202E>` style text.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    match s.char_indices().find(|&(_, c)| needs_escape(c)) {
        None => Cow::Borrowed(s),
        Some((first, _)) => Cow::Owned(escape_from(s, first)),
    }
}

/// Sanitises `s` with [`for_terminal`] and cuts it to at most `max_width`
/// terminal columns, ending with `…` when anything was cut.
pub fn one_line(s: &str, max_width: usize) -> String {
    let clean = for_terminal(s);
    if clean.width() <= max_width {
        return clean.into_owned();
    }
    truncate_with_ellipsis(&clean, max_width)
}

/// Whether `c` must not reach the terminal as is.
fn needs_escape(c: char) -> bool {
    is_control(c) || is_bidi_format(c)
}

/// C0 controls, DEL and C1 controls.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Bidirectional formatting characters (and the Unicode line/paragraph
/// separators, which some terminals treat as line breaks).
fn is_bidi_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Builds the escaped copy; `first` is the byte offset of the first character
/// that needs escaping, everything before it is copied verbatim.
fn escape_from(s: &str, first: usize) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Appends `c` to `out`, escaped if necessary.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_control(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_bidi_format(c) => {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        }
        c => out.push(c),
    }
}

/// Keeps the longest prefix of `s` that fits in `max_width - 1` columns and
/// appends the ellipsis. `s` must already be sanitised.
fn truncate_with_ellipsis(s: &str, max_width: usize) -> String {
    if max_width == 0 {
        return String::new();
    }
    let budget = max_width - 1;
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push(ELLIPSIS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harmless_text_is_borrowed() {
        let s = "Pet Store API — ünïcödé 日本語 \\ backslash";
        assert!(matches!(for_terminal(s), Cow::Borrowed(_)));
        assert_eq!(for_terminal(s), s);
    }

    #[test]
    fn escape_sequences_become_visible() {
        let s = "\x1b[31mred\x1b]0;title\x07";
        assert_eq!(for_terminal(s), r"\x1b[31mred\x1b]0;title\x07");
    }

    #[test]
    fn whitespace_controls_use_short_escapes() {
        assert_eq!(for_terminal("a\nb\rc\td"), r"a\nb\rc\td");
    }

    #[test]
    fn del_and_c1_controls_are_escaped() {
        assert_eq!(for_terminal("x\u{7f}y\u{9b}z\u{80}"), r"x\x7fy\x9bz\x80");
        assert_eq!(for_terminal("\0"), r"\x00");
    }

    #[test]
    fn bidi_characters_are_named() {
        assert_eq!(for_terminal("abc\u{202e}def"), "abc<U+202E>def");
        assert_eq!(for_terminal("\u{2066}\u{061c}"), "<U+2066><U+061C>");
        assert_eq!(for_terminal("\u{200f}"), "<U+200F>");
    }

    #[test]
    fn one_line_keeps_short_text() {
        assert_eq!(one_line("hello", 5), "hello");
        assert_eq!(one_line("hello", 10), "hello");
    }

    #[test]
    fn one_line_truncates_with_ellipsis() {
        assert_eq!(one_line("hello world", 6), "hello…");
        assert_eq!(one_line("hello", 1), "…");
        assert_eq!(one_line("hello", 0), "");
    }

    #[test]
    fn one_line_counts_wide_characters() {
        // Each CJK character is two columns wide.
        assert_eq!(one_line("日本語です", 6), "日本…");
        assert_eq!(one_line("日本語です", 5), "日本…");
        assert_eq!(one_line("日本語です", 10), "日本語です");
    }

    #[test]
    fn one_line_sanitises_before_measuring() {
        assert_eq!(one_line("a\nb", 10), r"a\nb");
        assert_eq!(one_line("a\nbcdef", 4), r"a\n…");
    }
}
