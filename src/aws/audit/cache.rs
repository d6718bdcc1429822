//! The on-disk audit cache: events already fetched, per account, region, source and server
//! filter, under `$XDG_CACHE_HOME/portcullis/audit/` (default `~/.cache/portcullis/audit/`).
//!
//! One JSON file per cursor: its coverage (the time range known complete) and its events.
//! Files are written whole to a temporary name and renamed, readable by the owner only; a file
//! that cannot be read is ignored (and replaced on the next write): the cache only saves work.

use crate::domain::{AuditEvent, Coverage, Feed, ServerFilter};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// At most this many events per file (the newest); the coverage shrinks to match.
pub const MAX_EVENTS: usize = 20_000;

/// The cache directory: `$XDG_CACHE_HOME/portcullis` or `~/.cache/portcullis`.
pub fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".cache")))
        .map(|d| d.join("portcullis"))
}

/// Where one cursor's events live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    /// The AWS account id; with an emulator, its endpoint too (emulators reuse account ids).
    pub account: String,
    pub region: String,
    /// `lookup` (the event history).
    pub source: String,
    pub filter: Option<ServerFilter>,
}

impl CacheKey {
    /// The key of a LookupEvents cursor.
    pub fn lookup(account: &str, region: &str, filter: &Option<ServerFilter>) -> CacheKey {
        CacheKey {
            account: account.into(),
            region: region.into(),
            source: crate::domain::AuditSource::Lookup.to_string(),
            filter: filter.clone(),
        }
    }

    pub fn path(&self, root: &Path) -> PathBuf {
        let file = format!("{}.json", safe(&ServerFilter::label(&self.filter)));
        root.join("audit").join(safe(&self.account)).join(safe(&self.region)).join(safe(&self.source)).join(file)
    }
}

/// Letters, digits and `.-_=` stay; anything else becomes `_` (no separators, no `..`).
pub fn safe(s: &str) -> String {
    let out: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() || "-_=".contains(c) || c == '.' { c } else { '_' }).collect();
    if out.chars().all(|c| c == '.') { out.replace('.', "_") } else { out }
}

/// An event with its full record (the record is not part of the JSON output contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub event: AuditEvent,
    pub record: Option<String>,
}

/// One cursor's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CacheFile {
    pub coverage: Option<Coverage>,
    pub events: Vec<StoredEvent>,
}

impl CacheFile {
    pub fn new(coverage: Coverage, events: &[&AuditEvent]) -> CacheFile {
        let mut coverage = coverage;
        let mut kept: Vec<&&AuditEvent> = events.iter().collect();
        kept.sort_by(|a, b| b.event_time.cmp(&a.event_time));
        if kept.len() > MAX_EVENTS {
            kept.truncate(MAX_EVENTS);
            if let Some(t) = kept.last().and_then(|e| crate::domain::parse_time(&e.event_time)) {
                coverage.oldest = coverage.oldest.max(t);
            }
        }
        let events = kept.into_iter().map(|e| StoredEvent { event: (*e).clone(), record: e.record.clone() }).collect();
        CacheFile { coverage: Some(coverage), events }
    }

    pub fn into_events(self) -> Vec<AuditEvent> {
        restore(self.events)
    }
}

/// The files of the cursors in `which` (their coverage and their own events); none when the
/// feed has no account.
pub fn files_for(feed: &Feed, which: impl Fn(usize) -> bool) -> Vec<(CacheKey, CacheFile)> {
    let Some(account) = &feed.account else { return vec![] };
    feed.cursors
        .iter()
        .enumerate()
        .filter(|(i, _)| which(*i))
        .map(|(i, c)| {
            let mine = feed.owned_by(i);
            (CacheKey::lookup(&of_cursor(account, c), &c.region, &c.filter), CacheFile::new(c.coverage, &mine))
        })
        .collect()
}

/// The cache's account for a cursor: the feed's (`id@endpoint` with an emulator), with the
/// cursor's own account id in place of the id when it reads another account.
pub fn of_cursor(feed_account: &str, c: &crate::domain::Cursor) -> String {
    of_account(feed_account, c.account.as_deref())
}

/// The cache's account for `account` (the feed's own when `None`).
pub fn of_account(feed_account: &str, account: Option<&str>) -> String {
    match account {
        Some(id) => format!("{id}{}", feed_account.find('@').map_or("", |at| &feed_account[at..])),
        None => feed_account.to_string(),
    }
}

/// The cache of a trail's S3 logs: the events of every log file read, by the file's key.
pub struct S3Key(CacheKey);

/// At most this many events are kept per bucket; the oldest files go first.
pub const MAX_S3_EVENTS: usize = 100_000;

impl S3Key {
    pub fn new(account: &str, region: &str, bucket: &str, prefix: &str) -> S3Key {
        let source = format!("s3_{bucket}_{}", prefix.trim_matches('/'));
        S3Key(CacheKey { account: account.into(), region: region.into(), source, filter: None })
    }

    pub fn load(&self, root: &Path) -> std::collections::BTreeMap<String, Vec<AuditEvent>> {
        let path = self.0.path(root).with_file_name("files.json");
        let Ok(text) = std::fs::read(&path) else { return Default::default() };
        match serde_json::from_slice::<std::collections::BTreeMap<String, Vec<StoredEvent>>>(&text) {
            Ok(files) => files.into_iter().map(|(k, v)| (k, restore(v))).collect(),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring an unreadable audit cache file");
                Default::default()
            }
        }
    }

    /// Keep the newest files (by the date folder in their key) up to the cap.
    pub fn save(&self, root: &Path, mut files: std::collections::BTreeMap<String, Vec<AuditEvent>>) {
        let mut total: usize = files.values().map(Vec::len).sum();
        if total > MAX_S3_EVENTS {
            let mut by_day: Vec<(String, String)> = files.keys().map(|k| (day_of(k), k.clone())).collect();
            by_day.sort();
            for (_, key) in by_day {
                if total <= MAX_S3_EVENTS {
                    break;
                }
                total -= files.remove(&key).map_or(0, |v| v.len());
            }
        }
        let stored: std::collections::BTreeMap<String, Vec<StoredEvent>> =
            files.into_iter().map(|(k, v)| (k, v.into_iter().map(StoredEvent::from).collect())).collect();
        let path = self.0.path(root).with_file_name("files.json");
        if let Err(e) = write_json(&path, &stored) {
            tracing::warn!(path = %path.display(), error = %e, "could not write the audit cache");
        }
    }
}

/// `YYYY/MM/DD` of a log file's key (`…/CloudTrail/<region>/YYYY/MM/DD/<file>`).
fn day_of(key: &str) -> String {
    let parts: Vec<&str> = key.split('/').collect();
    let at = parts.iter().position(|p| *p == "CloudTrail").map_or(0, |i| i + 2);
    parts.get(at..at + 3).map(|d| d.join("/")).unwrap_or_default()
}

impl From<AuditEvent> for StoredEvent {
    fn from(mut event: AuditEvent) -> StoredEvent {
        let record = event.record.take();
        StoredEvent { event, record }
    }
}

fn restore(stored: Vec<StoredEvent>) -> Vec<AuditEvent> {
    stored
        .into_iter()
        .map(|s| {
            let mut e = s.event;
            e.record = s.record;
            e
        })
        .collect()
}

/// The file for `key`, or `None` when there is none or it is unreadable.
pub fn load(root: &Path, key: &CacheKey) -> Option<CacheFile> {
    let text = std::fs::read(key.path(root)).ok()?;
    match serde_json::from_slice(&text) {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::warn!(path = %key.path(root).display(), error = %e, "ignoring an unreadable audit cache file");
            None
        }
    }
}

/// Write the file for `key` (whole, then renamed into place; owner-only permissions).
pub fn save(root: &Path, key: &CacheKey, file: &CacheFile) -> std::io::Result<()> {
    write_json(&key.path(root), file)
}

/// Write `value` as JSON to a temporary name readable by the owner only, synced, then renamed.
pub fn write_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let dir = path.parent().expect("the path has a directory");
    std::fs::create_dir_all(dir)?;
    // Unique per write: two saves of the same directory may run at once.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{}.{n}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp)?;
    std::io::Write::write_all(&mut f, &serde_json::to_vec(value)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_safe_paths() {
        let key = CacheKey {
            account: "123456789012@http://127.0.0.1:5000".into(),
            region: "../eu-west-1".into(),
            source: "lookup".into(),
            filter: Some(ServerFilter::new("EventSource", "apigateway.amazonaws.com")),
        };
        let p = key.path(Path::new("/c"));
        assert_eq!(
            p,
            Path::new(
                "/c/audit/123456789012_http___127.0.0.1_5000/.._eu-west-1/lookup/EventSource=apigateway.amazonaws.com.json"
            )
        );
        assert!(!p.components().any(|c| c == std::path::Component::ParentDir));
        assert_eq!(safe(".."), "__");
    }

    #[test]
    fn log_files_are_dated_by_their_folder() {
        assert_eq!(day_of("p/AWSLogs/1/CloudTrail/eu-west-1/2026/11/24/1_CloudTrail_x.json.gz"), "2026/11/24");
        assert!(
            day_of("AWSLogs/1/CloudTrail/us-east-1/2026/11/25/f")
                > day_of("AWSLogs/1/CloudTrail/eu-west-1/2026/11/24/f")
        );
    }

    #[test]
    fn a_cursor_saves_what_it_fetched_even_when_the_record_names_another_region() {
        let q = crate::domain::AuditQuery {
            since: crate::domain::parse_time("2026-11-20T00:00:00Z").unwrap(),
            until: crate::domain::parse_time("2026-11-27T00:00:00Z").unwrap(),
            event_name: None,
            event_sources: vec![],
            user: None,
            resource: Some("ARN-or-id".into()),
            errors_only: false,
            read_only: None,
            limit: 10,
        };
        let now = crate::domain::parse_time("2026-11-27T12:00:00Z").unwrap();
        let filter = Some(ServerFilter::new("ResourceName", "arn-OR-ID"));
        let cursor = crate::domain::Cursor::plan("eu-west-1", filter, &q, None, now);
        let mut feed = Feed { cursors: vec![cursor], account: Some("1".into()), ..Default::default() };
        let event: AuditEvent = serde_json::from_value(serde_json::json!({
            "eventId": "x", "eventTime": "2026-11-21T00:00:00Z", "eventName": "UpdateStage",
            "eventSource": "apigateway.amazonaws.com", "username": null, "sourceIp": null, "region": "us-east-1",
            "errorCode": null, "errorMessage": null, "readOnly": false, "resources": [], "userAgent": null
        }))
        .unwrap();
        let page = crate::domain::LookupPage { events: vec![event], next_token: None };
        feed.apply_pages(vec![(0, Ok(page))], now).unwrap();
        let files = files_for(&feed, |_| true);
        assert_eq!(files[0].1.events.len(), 1, "kept although region and resource name differ in form");
    }
}
