//! The write-ahead journal of partner operations in flight: one JSON-lines file per operation
//! in `<state dir>/journal/`, `<partner>--<operation id>.jsonl`, readable by the owner only.
//! The operation is written first (`begin`); before each AWS call its intent, after it its
//! outcome (with the ids it made), each line fsync'd before the process goes on. A finished
//! operation's file is removed. A lock file per partner keeps two processes from running
//! operations on one partner at once. The journal holds ids and fingerprints, never a secret.

use super::Operation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "camelCase")]
pub enum Record {
    Begin { at: String, operation: Box<Operation> },
    Intent { at: String, step: String },
    Done { at: String, step: String, ids: BTreeMap<String, String> },
    Finished { at: String },
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no state directory (set XDG_STATE_HOME or HOME): the journal of partner operations lives there")]
    NoStateDir,
    #[error("another portcullis is running an operation on partner {0}; wait for it to finish")]
    Busy(String),
    #[error(
        "partner {partner} has an unfinished operation ({operation}); run `portcullis partners reconcile {partner}` first"
    )]
    Unfinished { partner: String, operation: String },
    #[error("journal {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("journal {path} cannot be read: {message}")]
    Corrupt { path: PathBuf, message: String },
}

/// An operation's journal, open for appending, with its partner's lock held.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    _lock: File,
    /// What the journal already says was done (on a resumed operation), step -> ids.
    done: BTreeMap<String, BTreeMap<String, String>>,
}

fn now() -> String {
    crate::domain::rfc3339(time::OffsetDateTime::now_utc())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.to_path_buf(), source }
}

pub fn journal_dir(state: Option<&Path>) -> Result<PathBuf, JournalError> {
    Ok(state.ok_or(JournalError::NoStateDir)?.join("journal"))
}

/// Take the partner's lock (not waiting: a second process is told at once).
fn lock(dir: &Path, partner: &str) -> Result<File, JournalError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(format!("{partner}.lock"));
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(io(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Busy(partner.to_string())),
        Err(std::fs::TryLockError::Error(e)) => Err(JournalError::Io { path, source: e }),
    }
}

/// Hold a partner's lock for changes outside an operation (reconcile's retirements).
pub fn lock_partner(state: Option<&Path>, partner: &str) -> Result<File, JournalError> {
    lock(&journal_dir(state)?, partner)
}

impl Journal {
    /// Start `op`: refused while the partner has an unfinished operation or another process
    /// holds its lock.
    pub fn begin(state: Option<&Path>, op: &Operation) -> Result<Journal, JournalError> {
        let dir = journal_dir(state)?;
        let lock = lock(&dir, op.partner())?;
        if let Some((_, other)) = unfinished(&dir)?.into_iter().find(|(_, o)| o.partner() == op.partner()) {
            return Err(JournalError::Unfinished { partner: op.partner().to_string(), operation: other.label() });
        }
        let path = dir.join(format!("{}--{}.jsonl", op.partner(), op.id()));
        let mut options = OpenOptions::new();
        options.create_new(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(io(&path))?;
        let mut j = Journal { path, file, _lock: lock, done: BTreeMap::new() };
        j.append(&Record::Begin { at: now(), operation: Box::new(op.clone()) })?;
        // The new file's name must survive a crash too.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(j)
    }

    /// Take up an unfinished operation again (its lock held): the operation and what was done.
    pub fn resume(path: &Path) -> Result<(Journal, Operation), JournalError> {
        let (op, records) = read(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let lock = lock(dir, op.partner())?;
        // A last line cut short by a crash is dropped, so the next record starts a line of its own.
        let bytes = std::fs::read(path).map_err(io(path))?;
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let f = OpenOptions::new().write(true).open(path).map_err(io(path))?;
            f.set_len(keep as u64).map_err(io(path))?;
            f.sync_all().map_err(io(path))?;
        }
        let file = OpenOptions::new().append(true).open(path).map_err(io(path))?;
        let mut done = BTreeMap::new();
        for r in records {
            if let Record::Done { step, ids, .. } = r {
                done.insert(step, ids);
            }
        }
        Ok((Journal { path: path.to_path_buf(), file, _lock: lock, done }, op))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ids a step recorded when it was done (on a resumed operation).
    pub fn done(&self, step: &str) -> Option<&BTreeMap<String, String>> {
        self.done.get(step)
    }

    fn append(&mut self, r: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(r)
            .map_err(|e| JournalError::Corrupt { path: self.path.clone(), message: e.to_string() })?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(io(&self.path))?;
        self.file.sync_all().map_err(io(&self.path))
    }

    /// Before an AWS call: what is about to be done.
    pub fn intent(&mut self, step: &str) -> Result<(), JournalError> {
        self.append(&Record::Intent { at: now(), step: step.to_string() })?;
        super::crash::point(step, "before");
        Ok(())
    }

    /// After it: done, with the ids it made or found.
    pub fn record_done(&mut self, step: &str, ids: BTreeMap<String, String>) -> Result<(), JournalError> {
        super::crash::point(step, "sent");
        self.append(&Record::Done { at: now(), step: step.to_string(), ids: ids.clone() })?;
        self.done.insert(step.to_string(), ids);
        super::crash::point(step, "after");
        Ok(())
    }

    /// The operation is complete: its file goes.
    pub fn finish(mut self) -> Result<(), JournalError> {
        self.append(&Record::Finished { at: now() })?;
        std::fs::remove_file(&self.path).map_err(io(&self.path))
    }
}

/// Read a journal file: its operation and records. A last line cut short by a crash is
/// ignored (its fsync never returned, so nothing acted on it).
pub fn read(path: &Path) -> Result<(Operation, Vec<Record>), JournalError> {
    let file = File::open(path).map_err(io(path))?;
    let mut records = Vec::new();
    let lines: Vec<String> = std::io::BufReader::new(file).lines().collect::<Result<_, _>>().map_err(io(path))?;
    let last = lines.len().saturating_sub(1);
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<Record>(line) {
            Ok(r) => records.push(r),
            Err(_) if i == last => {}
            Err(e) => {
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    message: format!("line {}: {e}", i + 1),
                });
            }
        }
    }
    match records.first() {
        Some(Record::Begin { operation, .. }) => Ok(((**operation).clone(), records)),
        _ => Err(JournalError::Corrupt {
            path: path.to_path_buf(),
            message: "it does not start with the operation".into(),
        }),
    }
}

/// Every unfinished operation in the journal directory, oldest first.
/// The unfinished operations of the state directory: none when it has no journal (or cannot be
/// read: listings go on without it).
pub fn unfinished_in(state: Option<&Path>) -> Vec<Operation> {
    journal_dir(state)
        .ok()
        .and_then(|d| unfinished(&d).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|(_, op)| op)
        .collect()
}

pub fn unfinished(dir: &Path) -> Result<Vec<(PathBuf, Operation)>, JournalError> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(vec![]) };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().is_some_and(|x| x == "jsonl") {
            let (op, records) = read(&path)?;
            if !records.iter().any(|r| matches!(r, Record::Finished { .. })) {
                out.push((path, op));
            }
        }
    }
    out.sort_by(|a, b| a.1.started().cmp(b.1.started()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partners::{OpKind, Operation};

    fn op(partner: &str, id: &str) -> Operation {
        Operation {
            id: id.into(),
            partner: partner.into(),
            region: "eu-west-1".into(),
            started: "2026-12-01T10:00:00Z".into(),
            user_pool_id: Some("pool".into()),
            kind: OpKind::Offboard { places: vec![] },
        }
    }

    #[test]
    fn one_operation_per_partner_and_a_torn_line_survives_resume() {
        let dir = tempfile::tempdir().unwrap();
        let state = Some(dir.path());
        let mut j = Journal::begin(state, &op("acme", "1")).unwrap();
        j.intent("disable:k1").unwrap();
        assert!(matches!(Journal::begin(state, &op("acme", "2")), Err(JournalError::Busy(_))), "locked");
        let other = Journal::begin(state, &op("bolt", "3")).expect("another partner is free");
        other.finish().unwrap();
        let path = j.path().to_path_buf();
        drop(j);
        match Journal::begin(state, &op("acme", "4")) {
            Err(JournalError::Unfinished { partner, operation }) => {
                assert_eq!((partner.as_str(), operation.as_str()), ("acme", "offboard"))
            }
            other => panic!("an unfinished operation blocks the next: {other:?}"),
        }
        // A crash in the middle of a line: the line is ignored, and resume starts a new one.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"record\":\"done\",\"at\":")
            .unwrap();
        let (mut j, resumed) = Journal::resume(&path).unwrap();
        assert_eq!(resumed, op("acme", "1"));
        j.record_done("disable:k1", BTreeMap::from([("keyId".to_string(), "k1".to_string())])).unwrap();
        let (_, records) = read(&path).unwrap();
        assert!(matches!(records.last(), Some(Record::Done { step, .. }) if step == "disable:k1"), "{records:?}");
        assert_eq!(unfinished(&journal_dir(state).unwrap()).unwrap().len(), 1);
        j.finish().unwrap();
        assert!(!path.exists() && unfinished(&journal_dir(state).unwrap()).unwrap().is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let lock = journal_dir(state).unwrap().join("acme.lock");
            assert_eq!(std::fs::metadata(lock).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
