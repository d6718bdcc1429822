//! Every request sent, as a recipe to send again: `$XDG_STATE_HOME/portcullis/history.jsonl`
//! (the owner's only, the newest 1,000). Never a secret: no token, key value or signature, no
//! `Authorization`, `x-api-key`, `Cookie` or `X-Amz-*` header; the auth is kept as a reference
//! (`partner:acme`), so a replay authenticates again.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// At most this many entries are kept (the oldest go first).
pub const CAP: usize = 1000;
/// A body longer than this is kept cut to it.
pub const BODY_CAP: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub at: String,
    pub api_id: String,
    pub region: String,
    pub stage: String,
    pub method: String,
    /// The concrete path, and the method or route it matched (`GET /orders/{id}`).
    pub path: String,
    pub operation: String,
    pub query: Vec<(String, String)>,
    /// The headers given, without any that can carry a secret.
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    #[serde(default)]
    pub body_cut: bool,
    /// How it was authenticated, as a reference (`auto`, `key:k1`, `partner:acme`, `iam`).
    pub auth: String,
    pub status: Option<u16>,
    pub time_ms: Option<u64>,
    pub error: Option<String>,
}

/// Can this header carry a secret? (Those are never kept.)
pub fn secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "authorization" | "x-api-key" | "cookie" | "proxy-authorization") || n.starts_with("x-amz-")
}

pub fn path(state: &Path) -> PathBuf {
    state.join("history.jsonl")
}

/// The entries, oldest first (lines that do not parse are skipped).
pub fn load(state: &Path) -> Vec<Entry> {
    let Ok(text) = std::fs::read_to_string(path(state)) else { return vec![] };
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Add `entry` (its headers filtered, its body cut), keeping the newest [`CAP`], written to a
/// temporary file and renamed (0600).
pub fn append(state: &Path, mut entry: Entry) -> std::io::Result<()> {
    entry.headers.retain(|(k, _)| !secret_header(k));
    if let Some(b) = &mut entry.body
        && b.len() > BODY_CAP
    {
        let mut cut = BODY_CAP;
        while !b.is_char_boundary(cut) {
            cut -= 1;
        }
        b.truncate(cut);
        entry.body_cut = true;
    }
    rewrite(state, |all| {
        all.push(entry);
        let skip = all.len().saturating_sub(CAP);
        all.drain(..skip);
    })
}

/// Remove `entry` (the first one equal to it); false if it is no longer there.
pub fn delete(state: &Path, entry: &Entry) -> std::io::Result<bool> {
    let mut found = false;
    rewrite(state, |all| {
        if let Some(i) = all.iter().position(|e| e == entry) {
            all.remove(i);
            found = true;
        }
    })?;
    Ok(found)
}

/// Read every entry, change them, write them back (to a temporary file renamed over the
/// history, 0600), under a lock: one writer at a time (the TUI and a CLI, two calls).
fn rewrite(state: &Path, change: impl FnOnce(&mut Vec<Entry>)) -> std::io::Result<()> {
    std::fs::create_dir_all(state)?;
    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(state.join("history.lock"))?;
    lock.lock()?;
    // A history that cannot be read is never written over (only a missing one starts empty).
    let mut all = match std::fs::read_to_string(path(state)) {
        Ok(text) => text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
        Err(e) => return Err(e),
    };
    change(&mut all);
    let file = path(state);
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = state.join(format!(".history.{}.{n}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp)?;
    for e in &all {
        let mut line = serde_json::to_vec(e)?;
        line.push(b'\n');
        f.write_all(&line)?;
    }
    f.sync_all()?;
    std::fs::rename(tmp, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> Entry {
        Entry {
            at: format!("2026-12-01T10:00:{:02}Z", i % 60),
            api_id: "a1".into(),
            region: "eu-west-1".into(),
            stage: "prod".into(),
            method: "GET".into(),
            path: format!("/orders/{i}"),
            operation: "GET /orders/{id}".into(),
            query: vec![],
            headers: vec![
                ("x-trace".into(), "t".into()),
                ("Authorization".into(), "Bearer secret".into()),
                ("X-Amz-Date".into(), "20261201T100000Z".into()),
                ("x-api-key".into(), "k".into()),
            ],
            body: None,
            body_cut: false,
            auth: "partner:acme".into(),
            status: Some(200),
            time_ms: Some(12),
            error: None,
        }
    }

    #[test]
    fn keeps_the_newest_thousand_without_secret_headers() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..CAP + 5 {
            append(dir.path(), entry(i)).unwrap();
        }
        let all = load(dir.path());
        assert_eq!(all.len(), CAP);
        assert_eq!(all[0].path, "/orders/5", "the oldest went first");
        assert_eq!(all.last().unwrap().path, format!("/orders/{}", CAP + 4));
        assert_eq!(all[0].headers, vec![("x-trace".to_string(), "t".to_string())]);
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(!text.contains("Bearer") && !text.contains("X-Amz") && !text.to_lowercase().contains("x-api-key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(path(dir.path())).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let mut big = entry(0);
        big.body = Some("é".repeat(BODY_CAP));
        append(dir.path(), big).unwrap();
        let last = load(dir.path()).pop().unwrap();
        assert!(last.body_cut && last.body.as_ref().unwrap().len() <= BODY_CAP);
        // Deleting one entry keeps the others, in order.
        let before = load(dir.path());
        assert!(delete(dir.path(), &before[1]).unwrap());
        let after = load(dir.path());
        assert_eq!(after.len(), before.len() - 1);
        assert_eq!((&after[0], &after[1]), (&before[0], &before[2]));
        assert!(!delete(dir.path(), &before[1]).unwrap(), "already gone");
    }
}
