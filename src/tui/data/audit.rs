//! The audit screens' shared state (kept in the store while the app runs): the query, where
//! events come from, what has loaded. The filter form over it is the screen's (screens/audit).

use crate::domain::{AuditEvent, AuditQuery, AuditSource, Feed, ServerFilter, parse_since, parse_time};
use crate::tui::loadable::Loadable;

/// The audit screen's query and its results.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditView {
    pub query: AuditQuery,
    /// The time range as typed (`24h`, or an RFC 3339 time), for the title and the form.
    pub since: String,
    pub until: Option<String>,
    pub source: AuditSource,
    pub feed: Loadable<Feed>,
    /// A page request in flight.
    pub loading_more: Option<u64>,
    /// The last page failed (the events already loaded stay).
    pub error: Option<String>,
    /// Pages fetched since the last key press: filling the screen stops after a few.
    pub auto_pages: usize,
}

/// Pages fetched on their own (to fill the screen) before the user is asked to scroll for more.
pub const AUTO_PAGES: usize = 6;

impl AuditView {
    pub fn new(query: AuditQuery, since: String, until: Option<String>, source: AuditSource) -> AuditView {
        AuditView {
            query,
            since,
            until,
            source,
            feed: Loadable::NotLoaded,
            loading_more: None,
            error: None,
            auto_pages: 0,
        }
    }

    /// The range in use, now: an open-ended range (no `until`) moves with the clock, a closed one
    /// keeps its instants.
    pub fn current_range(&self) -> (time::OffsetDateTime, time::OffsetDateTime) {
        let q = &self.query;
        if self.until.is_some() {
            return (q.since, q.until);
        }
        let until = time::OffsetDateTime::now_utc();
        (parse_since(&self.since, until).unwrap_or(until - (q.until - q.since)), until)
    }

    /// Is the range relative to now (`24h`), rather than from an absolute time?
    pub fn relative(&self) -> bool {
        self.until.is_none() && parse_time(&self.since).is_none()
    }

    pub fn is_lookup(&self) -> bool {
        self.source == AuditSource::Lookup
    }

    /// Indices of the events to show (newest first), before the `/` filter.
    pub fn visible(&self) -> Vec<usize> {
        self.feed.loaded().map(|f| f.visible_indices(&self.query)).unwrap_or_default()
    }

    pub fn event(&self, i: usize) -> Option<&AuditEvent> {
        self.feed.loaded()?.events.get(i)
    }

    pub fn event_by_id(&self, id: &str) -> Option<&AuditEvent> {
        self.feed.loaded()?.events.iter().find(|e| e.event_id == id)
    }

    pub fn has_more(&self) -> bool {
        self.feed.loaded().is_some_and(Feed::has_more)
    }

    /// The filters LookupEvents got, one per cursor kind (`EventSource=…`).
    pub fn server_filters(&self) -> Vec<String> {
        let Some(feed) = self.feed.loaded() else { return vec![] };
        let mut out: Vec<String> = Vec::new();
        for c in &feed.cursors {
            let l = ServerFilter::label(&c.filter);
            if !out.contains(&l) {
                out.push(l);
            }
        }
        out
    }

    /// The filters applied here, after the server's answer (everything the server did not take).
    pub fn local_filters(&self) -> Vec<String> {
        let q = &self.query;
        let server = self.server_filters().join(" ");
        let mut out = vec![];
        let mut add = |label: &str, v: &Option<String>, key: &str| {
            if let Some(v) = v
                && !(self.is_lookup() && server.contains(&format!("{key}={v}")))
            {
                out.push(format!("{label}~{v}"));
            }
        };
        add("resource", &q.resource, "ResourceName");
        add("event", &q.event_name, "EventName");
        add("user", &q.user, "Username");
        let sources_on_server = self.is_lookup() && q.event_sources.iter().all(|s| server.contains(s));
        if !q.event_sources.is_empty() && !sources_on_server {
            let short: Vec<&str> = q.event_sources.iter().map(|s| s.trim_end_matches(".amazonaws.com")).collect();
            out.push(format!("source in {}", short.join(",")));
        }
        if q.errors_only {
            out.push("errors only".into());
        }
        match q.read_only {
            Some(true) => out.push("read-only".into()),
            Some(false) => out.push("mutating".into()),
            None => {}
        }
        out
    }
}
