//! Handing the credentials over, once: to a new file (mode 0600, never overwriting one that
//! was there), to one AWS Secrets Manager secret, or to stdout. A durable destination is
//! written before the first call that makes a value live (`prepare`), completed with the ids
//! at the end (`complete`), and read back by `reconcile` to finish an interrupted operation.

use super::{Credentials, Destination};
use crate::aws::{AwsContext, AwsError, ErrorKind, secrets};
use crate::domain::Call;
use std::io::Write;

/// How credentials handed over to stdout are shown: printed with the caller's writer (the CLI
/// gives its stdout; a table for people, or JSON), or left to the caller (the TUI shows them in
/// a dialog, since its screen owns the terminal). partners/ never writes to a terminal itself.
#[derive(Debug, Clone, Copy)]
pub enum Show {
    Print { json: bool, write: fn(&str) -> std::io::Result<()> },
    Caller,
}

/// Refuse a destination that already exists (before the operation starts).
pub async fn check_free(ctx: &AwsContext, dest: &Destination) -> Result<(), String> {
    match dest {
        Destination::Stdout => Ok(()),
        Destination::File { path } if path.exists() => Err(format!(
            "{} already exists: the credentials go to a new file (it is never overwritten)",
            path.display()
        )),
        Destination::File { path } => match path.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(dir) if !dir.is_dir() => Err(format!("{}: no such directory", dir.display())),
            _ => Ok(()),
        },
        Destination::SecretsManager { name, .. } => match secrets::exists(ctx, name).await {
            Ok(true) => Err(format!("secret {name} already exists: the credentials go to a new secret")),
            Ok(false) => Ok(()),
            Err(e) => Err(e.to_string()),
        },
    }
}

fn json(creds: &Credentials) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&creds.to_json(true)).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Write the credentials known so far (the values portcullis chose) before they go live.
/// Taken up again after a crash, a destination this operation made is written anew.
pub async fn prepare(ctx: &AwsContext, dest: &Destination, creds: &Credentials, partner: &str) -> Result<(), AwsError> {
    match dest {
        Destination::Stdout => Ok(()),
        // The file is this operation's (it did not exist when it began): one a crash left is replaced.
        Destination::File { path } => replace_file(path, &json(creds)).map_err(|e| file_error(path, e)),
        Destination::SecretsManager { name, kms_key } => {
            let text = String::from_utf8_lossy(&json(creds)).into_owned();
            match secrets::create(ctx, name, kms_key.as_deref(), text, partner).await {
                Ok(()) => Ok(()),
                // Made by this operation before a crash (it was checked absent at the start).
                Err(_) if secrets::exists(ctx, name).await.unwrap_or(false) => put_secret(ctx, name, creds).await,
                Err(e) => Err(e),
            }
        }
    }
}

/// Write the whole hand-over (ids included) where it goes; stdout prints it, once (a table
/// for people, or JSON).
pub async fn complete(ctx: &AwsContext, dest: &Destination, creds: &Credentials, show: Show) -> Result<(), AwsError> {
    match dest {
        Destination::Stdout => match show {
            Show::Print { json, write } => {
                let v = creds.to_json(true);
                let text = if json { pretty(&v) } else { as_table(&v) };
                write(&text).map_err(|e| AwsError::new(ErrorKind::Other, "write", e.to_string()))
            }
            Show::Caller => Ok(()),
        },
        Destination::File { path } => replace_file(path, &json(creds)).map_err(|e| file_error(path, e)),
        Destination::SecretsManager { name, .. } => put_secret(ctx, name, creds).await,
    }
}

/// What a durable destination holds (to finish an interrupted operation).
pub async fn read_back(ctx: &AwsContext, dest: &Destination) -> Result<Option<Credentials>, AwsError> {
    let text = match dest {
        Destination::Stdout => return Ok(None),
        Destination::File { path } => match std::fs::read(path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(file_error(path, e)),
        },
        Destination::SecretsManager { name, .. } => match secrets::read(ctx, name).await? {
            Some(text) => text,
            None => return Ok(None),
        },
    };
    Ok(serde_json::from_str(&text).ok().map(|v| Credentials::from_json(&v)))
}

async fn put_secret(ctx: &AwsContext, name: &str, creds: &Credentials) -> Result<(), AwsError> {
    secrets::put(ctx, name, String::from_utf8_lossy(&json(creds)).into_owned()).await
}

fn file_error(path: &std::path::Path, e: std::io::Error) -> AwsError {
    AwsError::new(ErrorKind::Other, "export", format!("{}: {e}", path.display()))
}

fn options() -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o
}

/// Write to a temporary name beside it, fsync, rename over: never a half-written file.
fn replace_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut f = options().create(true).truncate(true).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The hand-over as JSON, one object.
pub fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// The hand-over as `field  value` lines, for people.
pub fn as_table(v: &serde_json::Value) -> String {
    let Some(m) = v.as_object() else { return String::new() };
    let width = m.keys().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in m {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => {
                a.iter().map(|x| x.as_str().unwrap_or_default()).collect::<Vec<_>>().join(", ")
            }
            other => other.to_string(),
        };
        out.push_str(&format!("{k:width$}  {}\n", crate::sanitize::for_terminal(&text)));
    }
    out
}

/// The AWS calls handing over to `dest` makes before the credentials go live (a new secret).
pub fn prepare_calls(dest: &Destination, partner: &str) -> Vec<Call> {
    match dest {
        Destination::SecretsManager { name, kms_key } => vec![
            Call::new("secretsmanager", "create-secret")
                .arg("--name", name)
                .opt("--kms-key-id", kms_key.as_deref())
                .later("--secret-string", "credentials JSON")
                .arg("--tags", format!("Key={},Value={partner}", crate::domain::TAG_PARTNER)),
        ],
        Destination::Stdout | Destination::File { .. } => vec![],
    }
}

/// The AWS calls completing the hand-over makes (the secret written again with the ids).
pub fn complete_calls(dest: &Destination) -> Vec<Call> {
    match dest {
        Destination::SecretsManager { name, .. } => vec![
            Call::new("secretsmanager", "put-secret-value")
                .arg("--secret-id", name)
                .later("--secret-string", "credentials JSON with the new ids"),
        ],
        Destination::Stdout | Destination::File { .. } => vec![],
    }
}
