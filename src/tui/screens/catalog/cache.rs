//! The warm start: the last catalog the TUI loaded, kept in the XDG cache dir
//! (`<cache>/portcullis/catalog/<profile>/<endpoint>/<regions>.json`, the owner's only, written
//! to a temporary name and renamed), shown at once on the next start while the fresh one loads.
//! A file that is corrupt, truncated or of another format is ignored (and replaced by the next
//! save). `--no-cache` neither reads nor writes it. The CLI never reads it: scripts get live data.

use crate::aws::audit::cache::{safe, write_json};
use crate::config::Settings;
use crate::domain::Api;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bumped whenever the file's shape changes: an older file is ignored.
pub const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct CachedCatalog {
    pub format: u32,
    /// When it was loaded from AWS (RFC 3339).
    pub saved_at: String,
    pub apis: Vec<Api>,
}

/// Where the catalog of this profile (and access key, when one is set in the environment),
/// endpoint and regions is kept; `None` with `--no-cache`.
pub fn path(settings: &Settings) -> Option<PathBuf> {
    let root = settings.cache_dir.as_ref()?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut who = settings.profile.clone().or_else(|| env("AWS_PROFILE")).unwrap_or_else(|| "default".into());
    if let Some(key_id) = env("AWS_ACCESS_KEY_ID") {
        // The key id names the account's user, not a secret: kept apart, not shown.
        who.push('-');
        who.push_str(&format!("{:016x}", fnv(key_id.as_bytes())));
    }
    let endpoint = settings.endpoint_url.clone().unwrap_or_else(|| "aws".into());
    // Without --region the region comes from the environment or the profile: keep them apart.
    let regions = match (settings.regions.is_empty(), env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION"))) {
        (false, _) => settings.regions.join(","),
        (true, Some(r)) => r,
        (true, None) => "profile".to_string(),
    };
    Some(root.join("catalog").join(safe(&who)).join(safe(&endpoint)).join(format!("{}.json", safe(&regions))))
}

/// The cached catalog at `path`, if it is whole and of this format.
pub fn load(path: &Path) -> Option<CachedCatalog> {
    let bytes = std::fs::read(path).ok()?;
    let cached: CachedCatalog = serde_json::from_slice(&bytes).ok()?;
    (cached.format == FORMAT).then_some(cached)
}

pub fn save(path: &Path, apis: &[Api], saved_at: time::OffsetDateTime) -> std::io::Result<()> {
    let saved_at = saved_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    #[derive(Serialize)]
    struct Out<'a> {
        format: u32,
        saved_at: String,
        apis: &'a [Api],
    }
    write_json(path, &Out { format: FORMAT, saved_at, apis })
}

/// FNV-1a: a stable short name for the access key id.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// How long ago `saved_at` was, for the header (`12 min ago`).
pub fn age(saved_at: &str, now: time::OffsetDateTime) -> String {
    let Some(then) = crate::domain::parse_time(saved_at) else { return "some time ago".into() };
    let secs = (now - then).whole_seconds().max(0);
    match secs {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(id: &str) -> Api {
        Api {
            id: id.into(),
            name: format!("api-{id}"),
            kind: crate::domain::ApiKind::Rest,
            region: "eu-west-1".into(),
            description: None,
            endpoint_type: Some("REGIONAL".into()),
            tags: Default::default(),
            created_date: None,
            api_endpoint: None,
            stages: vec![crate::domain::Stage { name: "prod".into(), ..Default::default() }],
            authorizers: vec![],
            methods: None,
            routes: None,
            error: None,
        }
    }

    #[test]
    fn round_trips_and_ignores_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog/default/aws/eu-west-1.json");
        let now = crate::domain::parse_time("2026-12-01T10:00:00Z").unwrap();
        save(&path, &[api("a1"), api("a2")], now).unwrap();
        let back = load(&path).expect("a saved catalog loads");
        assert_eq!(back.apis, vec![api("a1"), api("a2")]);
        assert_eq!(age(&back.saved_at, now + time::Duration::minutes(12)), "12 min ago");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
        assert!(load(&path).is_none(), "a truncated file is ignored");
        std::fs::write(&path, b"\x00garbage").unwrap();
        assert!(load(&path).is_none(), "a corrupt file is ignored");
        std::fs::write(&path, r#"{"format": 0, "saved_at": "", "apis": []}"#).unwrap();
        assert!(load(&path).is_none(), "an older format is ignored");
        save(&path, &[api("a3")], now).unwrap();
        assert_eq!(load(&path).unwrap().apis, vec![api("a3")], "and replaced by the next save");
    }

    #[test]
    fn no_cache_means_no_path() {
        let mut s = Settings::for_endpoint(&["eu-west-1"], "http://127.0.0.1:1");
        assert!(path(&s).is_none(), "for_endpoint has no cache dir");
        s.cache_dir = Some("/tmp/x".into());
        let p = path(&s).unwrap();
        assert!(p.starts_with("/tmp/x/catalog"), "{}", p.display());
        assert!(p.to_string_lossy().ends_with("eu-west-1.json"));
    }
}
