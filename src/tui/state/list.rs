//! A list's selection, scroll offset and filter; virtualised: only the visible window is built.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListView {
    /// Index into the filtered rows.
    pub selected: usize,
    /// First visible filtered row.
    pub offset: usize,
    pub filter: String,
    pub sort_reverse: bool,
}

impl ListView {
    pub fn up(&mut self, n: usize) {
        self.selected = self.selected.saturating_sub(n);
    }

    pub fn down(&mut self, n: usize, len: usize) {
        self.selected = (self.selected + n).min(len.saturating_sub(1));
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self, len: usize) {
        self.selected = len.saturating_sub(1);
    }

    /// Keep the selection inside `len` rows.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Scroll so the selection is visible in `height` rows; returns the visible range.
    pub fn window(&mut self, len: usize, height: usize) -> std::ops::Range<usize> {
        self.clamp(len);
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
        self.offset..(self.offset + height).min(len)
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.selected = 0;
        self.offset = 0;
    }
}

/// Indices of the haystacks that fuzzy-match `filter` (all of them when it is empty), in input order.
pub fn fuzzy_filter<'a>(filter: &str, haystacks: impl Iterator<Item = &'a str>) -> Vec<usize> {
    fuzzy_scores(filter, haystacks).into_iter().map(|(i, _)| i).collect()
}

/// Like [`fuzzy_filter`], with each match's score (higher is better; 0 without a filter).
/// The pattern takes fzf's syntax: `'exact`, `^prefix`, `suffix$`, `!not`, space = and.
pub fn fuzzy_scores<'a>(filter: &str, haystacks: impl Iterator<Item = &'a str>) -> Vec<(usize, u32)> {
    if filter.trim().is_empty() {
        return haystacks.enumerate().map(|(i, _)| (i, 0)).collect();
    }
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    haystacks
        .enumerate()
        .filter_map(|(i, h)| pattern.score(Utf32Str::new(h, &mut buf), &mut matcher).map(|s| (i, s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_follows_selection() {
        let mut l = ListView::default();
        assert_eq!(l.window(100, 10), 0..10);
        l.down(15, 100);
        assert_eq!(l.window(100, 10), 6..16);
        l.up(10);
        assert_eq!(l.window(100, 10), 5..15);
        l.bottom(100);
        assert_eq!(l.window(100, 10), 90..100);
        assert_eq!(l.window(3, 10), 0..3);
    }

    #[test]
    fn fuzzy_matches_subsequences() {
        let names = ["payments-api", "orders-api", "shipments-api"];
        assert_eq!(fuzzy_filter("paym", names.iter().copied()), vec![0]);
        assert_eq!(fuzzy_filter("ments", names.iter().copied()), vec![0, 2]);
        assert_eq!(fuzzy_filter("", names.iter().copied()), vec![0, 1, 2]);
        assert!(fuzzy_filter("zzz", names.iter().copied()).is_empty());
    }
}
