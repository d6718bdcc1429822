//! A list's selection, scroll offset and filter, plus the fuzzy filter every list uses.
//! Virtualised: only the visible window is built. The offset and the height of the last
//! frame live in cells, so a screen draws from `&self` and still scrolls with its selection.

use crate::tui::action::Action;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::cell::Cell;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListView {
    /// Index into the filtered rows.
    pub selected: usize,
    /// First visible filtered row (set while drawing).
    offset: Cell<usize>,
    /// Rows the list showed in the last frame (page up/down move by this much).
    height: Cell<usize>,
    pub filter: String,
    pub sort_reverse: bool,
}

impl ListView {
    pub fn with_filter(filter: &str) -> ListView {
        ListView { filter: filter.to_string(), ..Default::default() }
    }

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

    pub fn offset(&self) -> usize {
        self.offset.get()
    }

    /// Rows in the last frame (10 before the first frame).
    pub fn page(&self) -> usize {
        match self.height.get() {
            0 => 10,
            h => h,
        }
    }

    /// As if a frame of `rows` rows had been drawn (tests that do not draw).
    pub fn set_page(&self, rows: usize) {
        self.height.set(rows);
    }

    /// Scroll so the selection is visible in `height` rows; returns the visible range.
    pub fn window(&self, len: usize, height: usize) -> std::ops::Range<usize> {
        let selected = self.selected.min(len.saturating_sub(1));
        let height = height.max(1);
        self.height.set(height);
        let mut offset = self.offset.get();
        if selected < offset {
            offset = selected;
        } else if selected >= offset + height {
            offset = selected + 1 - height;
        }
        offset = offset.min(len.saturating_sub(height));
        self.offset.set(offset);
        offset..(offset + height).min(len)
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.selected = 0;
        self.offset.set(0);
    }

    /// Apply a movement action over `len` rows; false for any other action.
    pub fn apply(&mut self, action: Action, len: usize) -> bool {
        let page = self.page();
        match action {
            Action::Up => self.up(1),
            Action::Down => self.down(1, len),
            Action::PageUp => self.up(page),
            Action::PageDown => self.down(page, len),
            Action::Top => self.top(),
            Action::Bottom => self.bottom(len),
            _ => return false,
        }
        true
    }

    /// Mouse wheel: three rows at a time.
    pub fn scroll(&mut self, delta: isize, len: usize) {
        if delta < 0 { self.up(delta.unsigned_abs()) } else { self.down(delta as usize, len) }
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

/// A list's rows after its filter, cached: rebuilt only when the data's generation or the
/// filter changes. When the new filter only adds to the end of the old one (typing), only
/// the rows that matched before are matched again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilteredRows {
    /// (index into the haystacks, score), in haystack order.
    matched: Vec<(usize, u32)>,
    /// The data generation and the filter the rows were built for.
    built: Option<(u64, String)>,
}

impl FilteredRows {
    /// Rebuild if `generation` or `filter` differ from the last build; true if it rebuilt.
    pub fn update(&mut self, generation: u64, filter: &str, haystacks: &[String]) -> bool {
        if let Some((g, f)) = &self.built
            && *g == generation
            && f == filter
        {
            return false;
        }
        let narrowing = match &self.built {
            Some((g, old)) => *g == generation && narrows(old, filter),
            None => false,
        };
        self.matched = if narrowing {
            let previous: Vec<usize> = self.matched.iter().map(|(i, _)| *i).collect();
            let scored = fuzzy_scores(filter, previous.iter().map(|&i| haystacks[i].as_str()));
            scored.into_iter().map(|(k, s)| (previous[k], s)).collect()
        } else {
            fuzzy_scores(filter, haystacks.iter().map(String::as_str))
        };
        self.built = Some((generation, filter.to_string()));
        true
    }

    pub fn matched(&self) -> &[(usize, u32)] {
        &self.matched
    }

    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.matched.iter().map(|(i, _)| *i)
    }

    /// The haystack index of row `k`.
    pub fn get(&self, k: usize) -> Option<usize> {
        self.matched.get(k).map(|(i, _)| *i)
    }

    pub fn len(&self) -> usize {
        self.matched.len()
    }

    pub fn is_empty(&self) -> bool {
        self.matched.is_empty()
    }

    /// Forget the last build (the next update rebuilds whatever it is given).
    pub fn invalidate(&mut self) {
        self.built = None;
    }
}

/// Does `new` match a subset of what `old` matched? True when it only appends to `old` and
/// neither uses negation or an end anchor (the atoms that can match more as they grow).
fn narrows(old: &str, new: &str) -> bool {
    let plain = |s: &str| !s.contains(['!', '$', '\\']);
    !old.trim().is_empty() && new.starts_with(old) && plain(old) && plain(new)
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
        assert_eq!(l.page(), 10);
    }

    #[test]
    fn fuzzy_matches_subsequences() {
        let names = ["payments-api", "orders-api", "shipments-api"];
        assert_eq!(fuzzy_filter("paym", names.iter().copied()), vec![0]);
        assert_eq!(fuzzy_filter("ments", names.iter().copied()), vec![0, 2]);
        assert_eq!(fuzzy_filter("", names.iter().copied()), vec![0, 1, 2]);
        assert!(fuzzy_filter("zzz", names.iter().copied()).is_empty());
    }

    #[test]
    fn cached_rows_rebuild_only_on_change_and_narrow_when_typing() {
        let hay: Vec<String> = ["payments-api", "orders-api", "shipments-api"].map(String::from).to_vec();
        let mut rows = FilteredRows::default();
        assert!(rows.update(1, "", &hay));
        assert!(!rows.update(1, "", &hay), "same generation and filter: kept");
        assert!(rows.update(1, "ments", &hay));
        assert_eq!(rows.indices().collect::<Vec<_>>(), vec![0, 2]);
        assert!(rows.update(1, "ments-a", &hay), "typing narrows the previous matches");
        assert_eq!(rows.indices().collect::<Vec<_>>(), vec![0, 2]);
        assert!(rows.update(1, "ments-a !ship", &hay));
        assert_eq!(rows.indices().collect::<Vec<_>>(), vec![0]);
        assert!(rows.update(1, "ments", &hay), "a shorter filter starts again");
        assert_eq!(rows.len(), 2);
        assert!(rows.update(2, "ments", &hay), "new data rebuilds");
        assert!(narrows("pay", "paym") && !narrows("!pay", "!paym") && !narrows("pay", "pa"));
    }
}
