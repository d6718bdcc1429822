//! Aligned text tables for people: sanitised cells, truncated long values, colour only on a terminal.

use crate::sanitize;
use std::io::IsTerminal;
use unicode_width::UnicodeWidthStr;

/// Longest a cell may be before it is cut with `…`.
pub const MAX_CELL: usize = 48;

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

static COLOUR: std::sync::OnceLock<super::ColorWhen> = std::sync::OnceLock::new();

/// `--color` as given (once, at start).
pub fn set_colour(when: super::ColorWhen) {
    let _ = COLOUR.set(when);
}

/// Colour as `--color` says; by default when stdout is a terminal and NO_COLOR is not set.
pub fn use_colour() -> bool {
    match COLOUR.get().copied().unwrap_or_default() {
        super::ColorWhen::Always => true,
        super::ColorWhen::Never => false,
        super::ColorWhen::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table { header: header.iter().map(|h| h.to_string()).collect(), rows: vec![] }
    }

    /// Leave out a column (ACCOUNT when one account is read), from the header and every row.
    pub fn without(&mut self, column: &str) {
        let Some(at) = self.header.iter().position(|h| h == column) else { return };
        self.header.remove(at);
        for row in &mut self.rows {
            if at < row.len() {
                row.remove(at);
            }
        }
    }

    /// The ACCOUNT column stays only when some row has an account (accounts were asked for).
    pub fn account_column(&mut self, shown: bool) {
        if !shown {
            self.without("ACCOUNT");
        }
    }

    /// Add a row; remote text is sanitised and truncated here.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.iter().map(|c| sanitize::one_line(c, MAX_CELL)).collect());
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.header.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate() {
                w[i] = w[i].max(c.width());
            }
        }
        w
    }

    pub fn render(&self, colour: bool) -> String {
        let widths = self.widths();
        let mut out = line(&self.header, &widths);
        if colour {
            out = format!("\x1b[1m{}\x1b[0m", out.trim_end_matches('\n')) + "\n";
        }
        for row in &self.rows {
            out.push_str(&line(row, &widths));
        }
        out
    }
}

fn line(cells: &[String], widths: &[usize]) -> String {
    let last = cells.len().saturating_sub(1);
    let mut s = String::new();
    for (i, c) in cells.iter().enumerate() {
        s.push_str(c);
        if i < last {
            s.push_str(&" ".repeat(widths[i] - c.width() + 2));
        }
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_escapes_are_visible() {
        let mut t = Table::new(&["NAME", "ID"]);
        t.row(vec!["a\x1b[31mred".into(), "id1".into()]);
        t.row(vec!["short".into(), "id2".into()]);
        let out = t.render(false);
        assert!(!out.contains('\x1b'), "{out:?}");
        let lines: Vec<&str> = out.lines().collect();
        let col = lines[0].find("ID").unwrap();
        assert_eq!(lines[2].find("id2").unwrap(), col);
        assert_eq!(lines[1].find("id1").unwrap(), col);
    }

    #[test]
    fn long_cells_are_cut() {
        let mut t = Table::new(&["NAME"]);
        t.row(vec!["n".repeat(100)]);
        let out = t.render(false);
        assert!(out.lines().nth(1).unwrap().ends_with('…'));
    }
}
