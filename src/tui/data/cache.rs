//! The warm start: the last catalog the TUI loaded, kept in the XDG cache dir
//! (`<cache>/portcullis/catalog/<profile>/<endpoint>/<regions>.json`, the owner's only, written
//! to a temporary name and renamed), shown at once on the next start while the fresh one loads.
//! The details (methods or routes) and docs that were opened are kept beside it, one file each
//! in `<regions>.d/`, and shown at once when opened again while they are read afresh.
//! A file that is corrupt, truncated or of another format is ignored (and replaced by the next
//! save). `--no-cache` neither reads nor writes it. The CLI never reads it: scripts get live data.

use crate::aws::audit::cache::{safe, write_json};
use crate::config::Settings;
use crate::domain::Api;
use crate::tui::data::ApiRef;
use serde::de::DeserializeOwned;
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
    // The accounts read (their source, role and selection) are part of what the catalog is of.
    let accounts = match &settings.accounts {
        Some(plan) => format!("-accounts-{:016x}", fnv(format!("{plan:?}").as_bytes())),
        None => String::new(),
    };
    let file = format!("{}{accounts}.json", safe(&regions));
    Some(root.join("catalog").join(safe(&who)).join(safe(&endpoint)).join(file))
}

/// The cached catalog at `path`, if it is whole and of this format.
pub fn load(path: &Path) -> Option<CachedCatalog> {
    let bytes = std::fs::read(path).ok()?;
    let cached: CachedCatalog = serde_json::from_slice(&bytes).ok()?;
    (cached.format == FORMAT).then_some(cached)
}

pub fn save(path: &Path, apis: &[Api], saved_at: time::OffsetDateTime) -> std::io::Result<()> {
    let saved_at = crate::domain::rfc3339(saved_at);
    #[derive(Serialize)]
    struct Out<'a> {
        format: u32,
        saved_at: String,
        apis: &'a [Api],
    }
    write_json(path, &Out { format: FORMAT, saved_at, apis })
}

/// One opened detail or docs page, kept beside the catalog.
#[derive(Debug, Serialize, Deserialize)]
pub struct CachedItem<T> {
    pub format: u32,
    /// When it was read from AWS (RFC 3339).
    pub saved_at: String,
    pub data: T,
}

/// An opened API's methods or routes, with the authorizers they name (the catalog does not
/// read those).
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptDetail {
    pub detail: crate::tui::store::DetailData,
    pub authorizers: Vec<crate::domain::Authorizer>,
}

/// What an item is: an API's methods or routes, or one stage's docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    Detail,
    Docs(&'a str),
}

/// Where `item` of `api` is kept, beside the catalog file `catalog`.
pub fn item_path(catalog: &Path, api: &ApiRef, item: Item) -> PathBuf {
    let dir = catalog.with_extension("d");
    let name = match item {
        Item::Detail => format!("detail~{}~{}.json", safe(&api.region), safe(&api.id)),
        Item::Docs(stage) => format!("docs~{}~{}~{}.json", safe(&api.region), safe(&api.id), safe(stage)),
    };
    dir.join(name)
}

/// The item at `path`, if it is whole and of this format.
pub fn load_item<T: DeserializeOwned>(path: &Path) -> Option<CachedItem<T>> {
    let bytes = std::fs::read(path).ok()?;
    let cached: CachedItem<T> = serde_json::from_slice(&bytes).ok()?;
    (cached.format == FORMAT).then_some(cached)
}

pub fn save_item<T: Serialize>(path: &Path, data: &T, saved_at: time::OffsetDateTime) -> std::io::Result<()> {
    let saved_at = crate::domain::rfc3339(saved_at);
    write_json(path, &CachedItem { format: FORMAT, saved_at, data })
}

/// Remove the kept items of APIs that are no longer in the catalog (deleted since).
pub fn prune(catalog: &Path, apis: &[Api]) {
    let Ok(entries) = std::fs::read_dir(catalog.with_extension("d")) else { return };
    let listed: std::collections::HashSet<(String, String)> =
        apis.iter().map(|a| (safe(&a.region), safe(&a.id))).collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().trim_end_matches(".json").to_string();
        let mut parts = name.split('~').skip(1);
        let (Some(region), Some(id)) = (parts.next(), parts.next()) else { continue };
        if !listed.contains(&(region.to_string(), id.to_string())) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// FNV-1a: a stable short name for the access key id.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// ` · cached 12 min ago, refreshing` while a kept value shows in place of a load, else empty
/// (for a panel's title).
pub fn note<T>(l: &crate::tui::loadable::Loadable<T>) -> String {
    l.cached_at()
        .map_or(String::new(), |at| format!(" · cached {}, refreshing", age(at, time::OffsetDateTime::now_utc())))
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
            account: Default::default(),
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
    fn items_round_trip_beside_the_catalog_and_go_with_their_api() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("catalog/default/aws/eu-west-1.json");
        let now = crate::domain::parse_time("2026-12-01T10:00:00Z").unwrap();
        let (a1, a2) = (ApiRef::of(&api("a1")), ApiRef::of(&api("a2")));
        let (detail, docs) = (item_path(&catalog, &a1, Item::Detail), item_path(&catalog, &a2, Item::Docs("prod")));
        assert!(detail.starts_with(dir.path().join("catalog/default/aws/eu-west-1.d")), "{}", detail.display());
        save_item(&detail, &vec!["GET /a".to_string()], now).unwrap();
        save_item(&docs, &vec!["line".to_string()], now).unwrap();
        let back: CachedItem<Vec<String>> = load_item(&detail).unwrap();
        assert_eq!((back.data, back.saved_at.as_str()), (vec!["GET /a".to_string()], "2026-12-01T10:00:00Z"));
        assert!(load_item::<Vec<u32>>(&detail).is_none(), "of another shape: ignored");
        std::fs::write(&docs, b"{\"format\": 1, \"saved").unwrap();
        assert!(load_item::<Vec<String>>(&docs).is_none(), "a truncated item is ignored");
        save_item(&docs, &vec!["line".to_string()], now).unwrap();
        prune(&catalog, &[api("a2")]);
        assert!(!detail.exists(), "a1 left the catalog: its detail goes");
        assert!(load_item::<Vec<String>>(&docs).is_some(), "a2 is still listed: its docs stay");
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
