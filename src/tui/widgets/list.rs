//! A list's selection, scroll offset and filter, plus the fuzzy filter every list uses.
//! Virtualised: only the visible window is built. The offset and the height of the last
//! frame live in cells, so a screen draws from `&self` and still scrolls with its selection.

use crate::tui::action::Action;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
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
    let hay: Vec<&str> = haystacks.collect();
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    // Past PARALLEL_FROM rows, fuzzy atoms are matched greedily (linear time, a score that is
    // not always the best alignment's): the list stays responsive while typing.
    let greedy = hay.len() >= PARALLEL_FROM;
    let score = |part: &[&str], base: usize| {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        part.iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let h = Utf32Str::new(h, &mut buf);
                let s = if greedy { greedy_score(&pattern, h, &mut matcher) } else { pattern.score(h, &mut matcher) };
                s.map(|s| (base + i, s))
            })
            .collect::<Vec<_>>()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if hay.len() < PARALLEL_FROM || threads < 2 {
        return score(&hay, 0);
    }
    // Big lists are matched on every core: each thread a contiguous part, the parts in order.
    let chunk = hay.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> =
            hay.chunks(chunk).enumerate().map(|(n, part)| s.spawn(move || score(part, n * chunk))).collect();
        parts.into_iter().flat_map(|p| p.join().unwrap_or_default()).collect()
    })
}

/// Lists at least this long are matched on several threads, fuzzy atoms greedily.
const PARALLEL_FROM: usize = 20_000;

/// [`Pattern::score`] with fuzzy atoms matched greedily; the other kinds as the pattern does.
fn greedy_score(pattern: &Pattern, haystack: Utf32Str<'_>, matcher: &mut Matcher) -> Option<u32> {
    let mut total = 0u32;
    for atom in &pattern.atoms {
        let score = if atom.kind == AtomKind::Fuzzy && !atom.negative {
            matcher.config.ignore_case = true;
            matcher.config.normalize = true;
            matcher.fuzzy_match_greedy(haystack, atom.needle_text())
        } else {
            atom.score(haystack, matcher)
        };
        total += u32::from(score?);
    }
    Some(total)
}

pub use crate::tui::context::Wake;

/// What the next match works on.
enum Base {
    /// Every haystack.
    All,
    /// The rows an earlier, shorter filter matched (typing narrows).
    Rows(Vec<usize>),
}

/// A match running on another thread, for `(generation, filter)`.
struct Pending {
    generation: u64,
    filter: String,
    rx: std::sync::mpsc::Receiver<Vec<(usize, u32)>>,
}

/// A list's rows after its filter, cached: rebuilt only when the data's generation or the
/// filter changes. When the new filter only adds to the end of an earlier one (typing), only
/// the rows that matched that one are matched again; going back to an earlier filter
/// (backspace) takes its rows back. Big lists match on other threads while the loop goes on
/// ([`FilteredRows::update_shared`]): the rows in force stay until the new ones arrive.
#[derive(Default)]
pub struct FilteredRows {
    /// (index into the haystacks, score), in haystack order.
    matched: Vec<(usize, u32)>,
    /// The data generation and the filter the rows were built for.
    built: Option<(u64, String)>,
    /// The matches of the shorter filters typed on the way to this one.
    earlier: Vec<(String, Vec<(usize, u32)>)>,
    pending: Option<Pending>,
}

impl std::fmt::Debug for FilteredRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilteredRows").field("rows", &self.matched.len()).field("built", &self.built).finish()
    }
}

impl FilteredRows {
    /// Rebuild if `generation` or `filter` differ from the last build; true if it rebuilt.
    pub fn update(&mut self, generation: u64, filter: &str, haystacks: &[String]) -> bool {
        self.pending = None;
        if self.is_for(generation, filter) {
            return false;
        }
        if let Some(base) = self.prepare(generation, filter) {
            self.matched = match_on(filter, haystacks, &base);
            self.built = Some((generation, filter.to_string()));
        }
        true
    }

    /// Like [`FilteredRows::update`]; a big list (with a way to wake the loop) is matched on
    /// other threads: `poll` takes the rows when they are there. True if the rows changed now.
    pub fn update_shared(
        &mut self,
        generation: u64,
        filter: &str,
        haystacks: &std::sync::Arc<Vec<String>>,
        wake: Option<&Wake>,
    ) -> bool {
        let Some(wake) = wake.filter(|_| haystacks.len() >= PARALLEL_FROM && !filter.trim().is_empty()) else {
            return self.update(generation, filter, haystacks);
        };
        let running = self.pending.as_ref().is_some_and(|p| p.generation == generation && p.filter == filter);
        if running {
            return false;
        }
        self.pending = None;
        if self.is_for(generation, filter) {
            return false;
        }
        let Some(base) = self.prepare(generation, filter) else { return true };
        let (tx, rx) = std::sync::mpsc::channel();
        let (hay, text, wake) = (haystacks.clone(), filter.to_string(), wake.clone());
        std::thread::spawn(move || {
            // A send fails when a newer filter replaced this one: nobody waits for it then.
            if tx.send(match_on(&text, &hay, &base)).is_ok() {
                wake();
            }
        });
        self.pending = Some(Pending { generation, filter: filter.to_string(), rx });
        false
    }

    /// Take the rows of a finished background match; true if the rows changed.
    pub fn poll(&mut self) -> bool {
        let Some(p) = &self.pending else { return false };
        let Ok(matched) = p.rx.try_recv() else { return false };
        let p = self.pending.take().expect("checked above");
        self.matched = matched;
        self.built = Some((p.generation, p.filter));
        true
    }

    /// Is a background match running?
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    fn is_for(&self, generation: u64, filter: &str) -> bool {
        self.built.as_ref().is_some_and(|(g, f)| *g == generation && f == filter)
    }

    /// Keep what helps with `filter`; `None` when an earlier match is for it (now in force).
    /// The rows in force stay until the new ones replace them.
    fn prepare(&mut self, generation: u64, filter: &str) -> Option<Base> {
        match &self.built {
            Some((g, f)) if *g == generation => {
                if !self.earlier.iter().any(|(e, _)| e == f) {
                    self.earlier.push((f.clone(), self.matched.clone()));
                }
            }
            _ => self.earlier.clear(),
        }
        // Keep the earlier matches that the new filter narrows (or that are for it).
        self.earlier.retain(|(f, _)| f == filter || narrows(f, filter));
        let closest = self.earlier.iter().enumerate().max_by_key(|(_, (f, _))| f.len()).map(|(i, _)| i);
        match closest {
            Some(i) if self.earlier[i].0 == filter => {
                self.matched = self.earlier.remove(i).1;
                self.built = Some((generation, filter.to_string()));
                None
            }
            Some(i) => Some(Base::Rows(self.earlier[i].1.iter().map(|(k, _)| *k).collect())),
            None => Some(Base::All),
        }
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
        self.earlier.clear();
        self.pending = None;
    }
}

/// A filterable list over one kind of data: its view, its haystacks (rebuilt when the data's
/// generation moves on) and its cached rows. What most screens hold. While a filter is set the
/// best match comes first (ties in the list's order), as fzf does, and a new filter puts the
/// highlight on it; a document (`in_order`) keeps its own order.
#[derive(Debug, Default)]
pub struct FilterList {
    pub view: ListView,
    rows: FilteredRows,
    haystacks: std::sync::Arc<Vec<String>>,
    built: Option<u64>,
    /// Keep the list's order while filtering (a document's lines), instead of the best first.
    in_order: bool,
    /// The rows shown: items, the best match first while filtering.
    order: Vec<usize>,
    /// The filter `order` is for: rows for another one move the highlight to the first row.
    ordered_for: Option<String>,
}

impl FilterList {
    pub fn with_filter(filter: &str) -> FilterList {
        FilterList { view: ListView::with_filter(filter), ..Default::default() }
    }

    /// A list that keeps its own order while filtering (a document's lines).
    pub fn in_order() -> FilterList {
        FilterList { in_order: true, ..Default::default() }
    }

    /// The rows in force, ordered; a first set of rows for a new filter puts the highlight on
    /// the first row (the best match), even where the row highlighted before still matches.
    fn reorder(&mut self) {
        self.order = if self.in_order { self.rows.indices().collect() } else { self.best_first() };
        let filter = self.view.filter.clone();
        if self.ordered_for.as_ref().is_some_and(|f| *f != filter) {
            self.view.selected = 0;
        }
        self.ordered_for = Some(filter);
        self.view.clamp(self.order.len());
    }

    /// Catch up with data of `generation`: `hay` gives each item's haystack. True if it rebuilt.
    /// (With the same data, a background match that finished is taken.)
    pub fn sync(&mut self, generation: u64, hay: impl FnOnce() -> Vec<String>) -> bool {
        if self.built == Some(generation) {
            return self.poll();
        }
        self.built = Some(generation);
        self.haystacks = std::sync::Arc::new(hay());
        self.rows.invalidate();
        self.refilter(None);
        true
    }

    /// The filter changed (big lists match on other threads when `wake` is given).
    pub fn refilter(&mut self, wake: Option<&Wake>) {
        let generation = self.built.unwrap_or_default();
        self.rows.update_shared(generation, &self.view.filter, &self.haystacks, wake);
        if !self.rows.is_pending() {
            self.reorder();
        }
    }

    /// Take the rows of a finished background match; true if they changed.
    pub fn poll(&mut self) -> bool {
        let changed = self.rows.poll();
        if changed {
            self.reorder();
        }
        changed
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The item shown at row `k`.
    pub fn get(&self, k: usize) -> Option<usize> {
        self.order.get(k).copied()
    }

    /// The selected item.
    pub fn selected(&self) -> Option<usize> {
        self.get(self.view.selected)
    }

    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.order.iter().copied()
    }

    /// The rows, the best match first while filtering (ties in their own order): for pickers,
    /// where what was typed should land on the row it names.
    pub fn best_first(&self) -> Vec<usize> {
        let mut m = self.rows.matched().to_vec();
        if !self.view.filter.trim().is_empty() {
            m.sort_by_key(|&(i, score)| (std::cmp::Reverse(score), i));
        }
        m.into_iter().map(|(i, _)| i).collect()
    }

    /// Apply a movement action; false for any other action.
    pub fn apply(&mut self, action: Action) -> bool {
        let len = self.order.len();
        self.view.apply(action, len)
    }
}

/// Match `filter` on the base's haystacks; indices into all of them.
fn match_on(filter: &str, haystacks: &[String], base: &Base) -> Vec<(usize, u32)> {
    match base {
        Base::All => fuzzy_scores(filter, haystacks.iter().map(String::as_str)),
        Base::Rows(rows) => {
            let scored = fuzzy_scores(filter, rows.iter().map(|&k| haystacks[k].as_str()));
            scored.into_iter().map(|(k, s)| (rows[k], s)).collect()
        }
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
    fn a_picker_puts_the_best_match_first() {
        let mut list = FilterList::default();
        list.sync(1, || {
            vec!["customers-api cmkhvc83rs us-east-1 Rest".into(), "rates-quotes yptdbdgw us-east-1 Http".into()]
        });
        list.view.set_filter("rates".into());
        list.refilter(None);
        assert_eq!(list.indices().collect::<Vec<_>>(), [1, 0], "both match, the one named first");
        assert_eq!(list.best_first(), [1, 0], "the one named first");
        assert_eq!(list.selected(), Some(1), "highlighted");
        let mut doc = FilterList::in_order();
        doc.sync(1, || vec!["customers-api cmkhvc83rs us-east-1 Rest".into(), "rates-quotes yptdbdgw".into()]);
        doc.view.set_filter("rates".into());
        doc.refilter(None);
        assert_eq!(doc.indices().collect::<Vec<_>>(), [0, 1], "a document keeps its order");
        list.view.set_filter(String::new());
        list.refilter(None);
        assert_eq!(list.best_first(), [0, 1]);
    }

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
        assert!(rows.update(1, "ments", &hay), "a shorter filter takes back its earlier matches");
        assert_eq!(rows.indices().collect::<Vec<_>>(), vec![0, 2]);
        assert!(rows.update(1, "me", &hay), "one never typed is matched again");
        assert_eq!(rows.len(), 2);
        assert!(rows.update(2, "ments", &hay), "new data rebuilds");
        assert!(narrows("pay", "paym") && !narrows("!pay", "!paym") && !narrows("pay", "pa"));
    }

    #[test]
    fn big_lists_match_on_other_threads_and_the_newest_filter_wins() {
        let hay: std::sync::Arc<Vec<String>> =
            std::sync::Arc::new((0..PARALLEL_FROM + 10).map(|i| format!("api-{i} team-{}", i % 7)).collect());
        let (tx, rx) = std::sync::mpsc::channel();
        let wake: Wake = std::sync::Arc::new(move || {
            let _ = tx.send(());
        });
        let mut rows = FilteredRows::default();
        assert!(rows.update_shared(1, "", &hay, Some(&wake)), "no filter: at once");
        assert_eq!(rows.len(), hay.len());
        assert!(!rows.update_shared(1, "api-1999", &hay, Some(&wake)), "not yet: another thread matches");
        assert!(rows.is_pending() && rows.len() == hay.len(), "the rows in force stay meanwhile");
        assert!(!rows.update_shared(1, "api-20000", &hay, Some(&wake)), "a newer filter replaces it");
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the match wakes the loop");
        let mut taken = rows.poll();
        while !taken {
            rx.recv_timeout(std::time::Duration::from_secs(10)).expect("woken again");
            taken = rows.poll();
        }
        assert!(!rows.is_pending());
        let mut inline = FilteredRows::default();
        inline.update(1, "api-20000", &hay);
        assert_eq!(rows.matched(), inline.matched(), "the newest filter's rows, as matched inline");
        assert!(rows.indices().any(|i| hay[i] == "api-20000 team-1"));
        assert!(!rows.update_shared(1, "api-20000", &hay, Some(&wake)), "the same filter again: nothing to do");
        assert!(!rows.update(1, "api-20000", &hay));
    }

    #[test]
    fn a_filter_list_takes_its_background_match_when_it_syncs() {
        let n = PARALLEL_FROM + 5;
        let (tx, rx) = std::sync::mpsc::channel();
        let wake: Wake = std::sync::Arc::new(move || {
            let _ = tx.send(());
        });
        let mut list = FilterList::default();
        list.sync(1, || (0..n).map(|i| format!("item-{i}")).collect());
        list.view.set_filter("item-2000".into());
        list.refilter(Some(&wake));
        assert_eq!(list.len(), n, "the rows in force stay while it matches");
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("woken");
        let mut taken = list.sync(1, Vec::new);
        while !taken {
            rx.recv_timeout(std::time::Duration::from_secs(10)).expect("woken again");
            taken = list.sync(1, Vec::new);
        }
        assert!(list.len() < n && !list.is_empty(), "the same data: sync takes the finished match ({})", list.len());
    }
}
