//! Paging an audit query over LookupEvents, with what the on-disk cache already holds.
//!
//! LookupEvents takes one lookup attribute, so a query becomes one cursor per region and
//! server filter (two by default: the API Gateway and Cognito event sources). Each cursor
//! keeps the time windows still to fetch, newest first. What an earlier run fetched is its
//! *coverage*, a contiguous time range known complete: a new run fetches only the gap above
//! it (what is new) and, as the user scrolls, the range below it.

use super::audit::{AuditEvent, AuditQuery, parse_time, sort_newest_first};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// CloudTrail delivers events to the event history within about 15 minutes: coverage never
/// claims the last 15 minutes, so a late event is fetched on the next run.
pub const SETTLE: time::Duration = time::Duration::minutes(15);

/// The lookup attribute sent to the server (LookupEvents takes one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerFilter {
    pub key: String,
    pub value: String,
}

impl ServerFilter {
    pub fn new(key: &str, value: &str) -> ServerFilter {
        ServerFilter { key: key.to_string(), value: value.to_string() }
    }

    /// `EventSource=apigateway.amazonaws.com`, also the cache file's name.
    pub fn label(f: &Option<ServerFilter>) -> String {
        f.as_ref().map_or_else(|| "(none)".to_string(), |f| format!("{}={}", f.key, f.value))
    }
}

/// The most selective single attribute of the query (LookupEvents takes one): a resource (or
/// each of several), else an event name, else a user, else one call per event source.
pub fn server_filters(q: &AuditQuery) -> Vec<Option<ServerFilter>> {
    let one = |key, value: &String| vec![Some(ServerFilter::new(key, value))];
    // Several resources (a partner's keys and app clients, `,` between them): one each.
    if let Some(r) = &q.resource {
        return r
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| Some(ServerFilter::new("ResourceName", x)))
            .collect();
    }
    if let Some(n) = &q.event_name {
        return one("EventName", n);
    }
    if let Some(u) = &q.user {
        return one("Username", u);
    }
    match q.event_sources.as_slice() {
        [] => vec![None],
        sources => sources.iter().map(|s| Some(ServerFilter::new("EventSource", s))).collect(),
    }
}

/// A CloudTrail trail (DescribeTrails): where its log files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    pub name: String,
    pub home_region: String,
    pub bucket: String,
    pub prefix: Option<String>,
    pub multi_region: bool,
}

impl Trail {
    /// The audit source for this trail's logs (`s3://bucket/prefix`).
    pub fn source(&self) -> AuditSource {
        let prefix = self.prefix.as_deref().map(|p| p.trim_matches('/')).filter(|p| !p.is_empty());
        AuditSource::S3 { bucket: self.bucket.clone(), prefix: prefix.unwrap_or_default().to_string() }
    }
}

/// Where audit events come from: CloudTrail's event history (LookupEvents), or a trail's log
/// files in S3. Written `lookup` and `s3://BUCKET[/PREFIX]` in the config and on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuditSource {
    #[default]
    Lookup,
    /// `prefix` without slashes at either end; empty for the bucket's root.
    S3 { bucket: String, prefix: String },
}

impl AuditSource {
    /// The S3 prefix to list under (`org/trail/`, or empty).
    pub fn key_prefix(prefix: &str) -> String {
        if prefix.is_empty() { String::new() } else { format!("{prefix}/") }
    }
}

impl std::fmt::Display for AuditSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditSource::Lookup => f.write_str("lookup"),
            AuditSource::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            AuditSource::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

impl std::str::FromStr for AuditSource {
    type Err = String;

    fn from_str(text: &str) -> Result<AuditSource, String> {
        if text == "lookup" {
            return Ok(AuditSource::Lookup);
        }
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| format!("`{text}` is not an audit source: `lookup` or s3://BUCKET[/PREFIX]"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("`{text}` names no bucket"));
        }
        Ok(AuditSource::S3 { bucket: bucket.to_string(), prefix: prefix.trim_matches('/').to_string() })
    }
}

/// A time range known to hold every event of one cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    #[serde(with = "time::serde::rfc3339")]
    pub oldest: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub newest: OffsetDateTime,
}

/// A time range still to fetch, and the page token inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub token: Option<String>,
    /// Below the coverage: each page extends the coverage downwards. Above it (what is new):
    /// the coverage grows only when the whole window is fetched.
    pub below: bool,
    /// Everything from `end` down to here has been fetched (pages come newest first).
    pub reached: OffsetDateTime,
}

impl Window {
    fn new(start: OffsetDateTime, end: OffsetDateTime, below: bool) -> Window {
        Window { start, end, token: None, below, reached: end }
    }
}

/// One region and server filter of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub region: String,
    /// The account it reads, when accounts were asked for (each account and region has its own
    /// LookupEvents budget and its own cache file).
    pub account: Option<String>,
    pub filter: Option<ServerFilter>,
    /// Still to fetch, in order.
    pub windows: Vec<Window>,
    pub coverage: Coverage,
    /// Pages fetched in this run (the LookupEvents budget spent).
    pub pages: usize,
    /// The last page failed: this cursor does not hold the others back until it works again.
    pub failed: bool,
}

/// What one LookupEvents call returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LookupPage {
    pub events: Vec<AuditEvent>,
    pub next_token: Option<String>,
}

impl Cursor {
    /// The windows to fetch for `q`, given what the cache covers; `now` bounds the coverage.
    pub fn plan(
        region: &str,
        filter: Option<ServerFilter>,
        q: &AuditQuery,
        cached: Option<Coverage>,
        now: OffsetDateTime,
    ) -> Cursor {
        let top = q.until.min(now - SETTLE).max(q.since);
        let (coverage, windows) = match cached {
            // Only a cache that overlaps the query's range can be extended contiguously.
            Some(c) if c.oldest <= q.until && c.newest >= q.since && c.oldest <= c.newest => {
                let mut w = vec![];
                if q.until > c.newest {
                    // Overlap by another settling time: an event delivered late is still found.
                    w.push(Window::new((c.newest - SETTLE).max(q.since), q.until, false));
                }
                if q.since < c.oldest {
                    w.push(Window::new(q.since, c.oldest, true));
                }
                (c, w)
            }
            _ => (Coverage { oldest: top, newest: top }, vec![Window::new(q.since, q.until, true)]),
        };
        Cursor { region: region.to_string(), account: None, filter, windows, coverage, pages: 0, failed: false }
    }

    pub fn has_more(&self) -> bool {
        !self.windows.is_empty()
    }

    /// Take in one page of the first window; `now` bounds the coverage.
    pub fn apply(&mut self, page: &LookupPage, now: OffsetDateTime) {
        let Some(w) = self.windows.first_mut() else { return };
        self.pages += 1;
        self.failed = false;
        let oldest = page.events.iter().filter_map(|e| parse_time(&e.event_time)).min();
        w.token = page.next_token.clone();
        let done = w.token.is_none();
        w.reached = if done { w.start } else { oldest.map_or(w.reached, |t| t.min(w.reached)) };
        if w.below {
            self.coverage.oldest = self.coverage.oldest.min(w.reached);
        } else if done {
            self.coverage.newest = self.coverage.newest.max(w.end.min(now - SETTLE));
        }
        if done {
            self.windows.remove(0);
        }
    }

    /// Events older than this may still be missing: the window being fetched has reached it.
    fn complete_down_to(&self) -> Option<OffsetDateTime> {
        if self.failed {
            return None;
        }
        self.windows.first().map(|w| w.reached)
    }
}

/// Everything known about one query: its cursors and the events fetched or cached so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Feed {
    pub cursors: Vec<Cursor>,
    /// Every event held (cached or fetched), unfiltered, deduplicated by id.
    pub events: Vec<AuditEvent>,
    /// How many of `events` came from the on-disk cache.
    pub from_cache: usize,
    /// The account the cache files are kept under (`None`: no cache).
    pub account: Option<String>,
    /// Trail logs (S3): log files whose events count, and how many of them came from the cache.
    pub files: Option<(usize, usize)>,
    /// The ids of each cursor's events (what it fetched or its cache file held), by cursor index.
    pub owned: Vec<std::collections::HashSet<String>>,
}

impl Feed {
    pub fn has_more(&self) -> bool {
        self.cursors.iter().any(Cursor::has_more)
    }

    /// Add a cursor's events (fetched, or from its cache file), skipping ids already held.
    pub fn add_owned(&mut self, cursor: usize, events: Vec<AuditEvent>) {
        if self.owned.len() <= cursor {
            self.owned.resize_with(cursor + 1, Default::default);
        }
        self.owned[cursor].extend(events.iter().map(|e| e.event_id.clone()));
        self.add(events);
    }

    /// The events `cursor` fetched or was cached with.
    pub fn owned_by(&self, cursor: usize) -> Vec<&AuditEvent> {
        let Some(ids) = self.owned.get(cursor) else { return vec![] };
        self.events.iter().filter(|e| ids.contains(&e.event_id)).collect()
    }

    /// Add events, skipping ids already held.
    pub fn add(&mut self, events: impl IntoIterator<Item = AuditEvent>) {
        let mut seen: std::collections::HashSet<String> = self.events.iter().map(|e| e.event_id.clone()).collect();
        for e in events {
            if seen.insert(e.event_id.clone()) {
                self.events.push(e);
            }
        }
        sort_newest_first(&mut self.events);
    }

    /// Older events may still arrive from a cursor that is behind: nothing older than the
    /// newest such point is shown yet, so the list is always in order.
    pub fn frontier(&self) -> Option<OffsetDateTime> {
        self.cursors.iter().filter_map(Cursor::complete_down_to).max()
    }

    /// The events to show for `q`: matching, newest first, none past the frontier.
    pub fn visible<'a>(&'a self, q: &'a AuditQuery) -> impl Iterator<Item = &'a AuditEvent> + 'a {
        let frontier = self.frontier();
        self.events
            .iter()
            .filter(move |e| q.matches(e) && frontier.is_none_or(|f| parse_time(&e.event_time).is_some_and(|t| t >= f)))
    }

    /// Like [`Feed::visible`], as indices into `events`.
    pub fn visible_indices(&self, q: &AuditQuery) -> Vec<usize> {
        let frontier = self.frontier();
        self.events
            .iter()
            .enumerate()
            .filter(|(_, e)| q.matches(e) && frontier.is_none_or(|f| parse_time(&e.event_time).is_some_and(|t| t >= f)))
            .map(|(i, _)| i)
            .collect()
    }

    /// Take in one round of pages (cursor index, page or error); the first error is returned,
    /// the pages that came back still count.
    pub fn apply_pages(
        &mut self,
        pages: Vec<(usize, Result<LookupPage, String>)>,
        now: OffsetDateTime,
    ) -> Result<(), String> {
        let mut first_error = None;
        for (i, page) in pages {
            match (page, self.cursors.get_mut(i)) {
                (Ok(page), Some(c)) => {
                    c.apply(&page, now);
                    self.add_owned(i, page.events);
                }
                (Err(e), c) => {
                    if let Some(c) = c {
                        c.failed = true;
                    }
                    first_error.get_or_insert(e);
                }
                _ => {}
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Pages fetched in this run, across cursors.
    pub fn pages(&self) -> usize {
        self.cursors.iter().map(|c| c.pages).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `s3://bucket/prefix`: the bucket, and the prefix to list under (with its slash).
    fn s3(url: &str) -> Result<(String, String), String> {
        match url.parse::<AuditSource>()? {
            AuditSource::S3 { bucket, prefix } => Ok((bucket, AuditSource::key_prefix(&prefix))),
            AuditSource::Lookup => Err("lookup".into()),
        }
    }

    #[test]
    fn s3_urls() {
        assert_eq!(s3("s3://logs").unwrap(), ("logs".into(), String::new()));
        assert_eq!(s3("s3://logs/org/trail/").unwrap(), ("logs".into(), "org/trail/".into()));
        assert!(s3("logs/x").is_err());
        assert!(s3("s3:///x").is_err());
    }
    use crate::domain::AuditResource;

    fn t(s: &str) -> OffsetDateTime {
        parse_time(s).unwrap()
    }

    fn q(since: &str, until: &str) -> AuditQuery {
        AuditQuery {
            since: t(since),
            until: t(until),
            event_name: None,
            event_sources: vec![],
            user: None,
            resource: None,
            errors_only: false,
            read_only: None,
            limit: usize::MAX,
        }
    }

    fn ev(id: &str, time: &str) -> AuditEvent {
        AuditEvent {
            event_id: id.into(),
            event_time: time.into(),
            event_name: "UpdateStage".into(),
            event_source: "apigateway.amazonaws.com".into(),
            username: None,
            source_ip: None,
            region: None,
            account: Default::default(),
            error_code: None,
            error_message: None,
            read_only: Some(false),
            resources: vec![AuditResource { kind: "x".into(), name: "y".into() }],
            user_agent: None,
            record: None,
        }
    }

    const NOW: &str = "2026-11-27T12:00:00Z";

    #[test]
    fn without_a_cache_one_window_is_fetched_page_by_page() {
        let query = q("2026-11-26T12:00:00Z", NOW);
        let mut c = Cursor::plan("eu-west-1", None, &query, None, t(NOW));
        assert_eq!(c.windows.len(), 1);
        let page = LookupPage { events: vec![ev("a", "2026-11-27T10:00:00Z")], next_token: Some("n1".into()) };
        c.apply(&page, t(NOW));
        assert_eq!(c.windows[0].token.as_deref(), Some("n1"));
        assert_eq!(c.coverage.oldest, t("2026-11-27T10:00:00Z"));
        assert_eq!(c.coverage.newest, t("2026-11-27T11:45:00Z"), "the last 15 minutes are not claimed");
        c.apply(&LookupPage::default(), t(NOW));
        assert!(!c.has_more());
        assert_eq!(c.coverage.oldest, t("2026-11-26T12:00:00Z"));
    }

    #[test]
    fn a_cache_leaves_only_the_new_gap_and_the_older_range() {
        let cached = Coverage { oldest: t("2026-11-27T00:00:00Z"), newest: t("2026-11-27T09:00:00Z") };
        let query = q("2026-11-26T12:00:00Z", NOW);
        let mut c = Cursor::plan("eu-west-1", None, &query, Some(cached), t(NOW));
        let spans: Vec<(OffsetDateTime, OffsetDateTime, bool)> =
            c.windows.iter().map(|w| (w.start, w.end, w.below)).collect();
        assert_eq!(
            spans,
            vec![
                (t("2026-11-27T08:45:00Z"), t(NOW), false), // overlapping by 15 minutes for late events
                (t("2026-11-26T12:00:00Z"), t("2026-11-27T00:00:00Z"), true)
            ]
        );
        // The new gap, in two pages: coverage grows only when it is complete.
        c.apply(&LookupPage { events: vec![ev("n", "2026-11-27T11:00:00Z")], next_token: Some("x".into()) }, t(NOW));
        assert_eq!(c.coverage.newest, t("2026-11-27T09:00:00Z"));
        c.apply(&LookupPage::default(), t(NOW));
        assert_eq!(c.coverage.newest, t("2026-11-27T11:45:00Z"));
        assert!(c.windows[0].below);
    }

    #[test]
    fn a_query_inside_the_coverage_fetches_nothing() {
        let cached = Coverage { oldest: t("2026-11-20T00:00:00Z"), newest: t("2026-11-27T11:00:00Z") };
        let c = Cursor::plan("r", None, &q("2026-11-21T00:00:00Z", "2026-11-26T00:00:00Z"), Some(cached), t(NOW));
        assert!(!c.has_more());
        let disjoint = Coverage { oldest: t("2026-10-01T00:00:00Z"), newest: t("2026-10-02T00:00:00Z") };
        let c = Cursor::plan("r", None, &q("2026-11-26T00:00:00Z", NOW), Some(disjoint), t(NOW));
        assert_eq!(c.windows.len(), 1, "a cache that does not touch the range is not extended");
        assert_eq!(c.coverage.oldest, c.coverage.newest);
    }

    #[test]
    fn a_cursor_that_is_behind_holds_older_events_back() {
        let query = q("2026-11-20T00:00:00Z", NOW);
        let mut a = Cursor::plan("r", Some(ServerFilter::new("EventSource", "a")), &query, None, t(NOW));
        let b = Cursor::plan("r", Some(ServerFilter::new("EventSource", "b")), &query, None, t(NOW));
        a.apply(
            &LookupPage {
                events: vec![ev("1", "2026-11-27T11:00:00Z"), ev("2", "2026-11-25T00:00:00Z")],
                next_token: Some("t".into()),
            },
            t(NOW),
        );
        let mut feed = Feed { cursors: vec![a, b], ..Default::default() };
        feed.add(vec![
            ev("2", "2026-11-25T00:00:00Z"),
            ev("1", "2026-11-27T11:00:00Z"),
            ev("1", "2026-11-27T11:00:00Z"),
        ]);
        assert_eq!(feed.events.len(), 2, "duplicates are dropped");
        // b has fetched nothing: its events may be anywhere below 11:45.
        assert!(feed.visible(&query).next().is_none());
        feed.cursors[1]
            .apply(&LookupPage { events: vec![ev("3", "2026-11-26T00:00:00Z")], next_token: Some("u".into()) }, t(NOW));
        feed.add(vec![ev("3", "2026-11-26T00:00:00Z")]);
        let shown: Vec<&str> = feed.visible(&query).map(|e| e.event_id.as_str()).collect();
        assert_eq!(shown, vec!["1", "3"], "event 2 waits until b has passed 2026-11-25");
        feed.cursors[1].apply(&LookupPage::default(), t(NOW));
        feed.cursors[0].apply(&LookupPage::default(), t(NOW));
        assert_eq!(feed.visible(&query).count(), 3);
    }

    #[test]
    fn cached_events_wait_for_the_new_gap_and_a_failed_cursor_holds_nothing_back() {
        let query = q("2026-11-20T00:00:00Z", NOW);
        let cached = Coverage { oldest: t("2026-11-20T00:00:00Z"), newest: t("2026-11-26T00:00:00Z") };
        let a = Cursor::plan("r", None, &query, Some(cached), t(NOW));
        let mut feed = Feed { cursors: vec![a], ..Default::default() };
        feed.add_owned(0, vec![ev("old", "2026-11-25T00:00:00Z")]);
        assert_eq!(feed.visible(&query).count(), 0, "events newer than the cache may be missing: nothing yet");
        let page = LookupPage { events: vec![ev("new", "2026-11-27T10:00:00Z")], next_token: None };
        feed.apply_pages(vec![(0, Ok(page))], t(NOW)).unwrap();
        let shown: Vec<&str> = feed.visible(&query).map(|e| e.event_id.as_str()).collect();
        assert_eq!(shown, ["new", "old"]);
        assert_eq!(feed.owned_by(0).len(), 2);

        let b = Cursor::plan("r2", None, &query, None, t(NOW));
        feed.cursors.push(b);
        assert_eq!(feed.visible(&query).count(), 0, "a new cursor that has fetched nothing holds all back");
        let err = feed.apply_pages(vec![(1, Err("AccessDenied".into()))], t(NOW)).unwrap_err();
        assert_eq!(err, "AccessDenied");
        assert_eq!(feed.visible(&query).count(), 2, "a failing cursor does not hide the others' events");
    }
}
