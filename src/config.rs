//! Config file + flags + environment -> one `Settings` value.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config file, `~/.config/portcullis/config.toml` (or `--config`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub profile: Option<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    pub theme: Option<String>,
    pub read_only: Option<bool>,
    /// Seconds before a value copied to the clipboard is cleared (default 30).
    pub clipboard_clear_secs: Option<u64>,
    #[serde(default)]
    pub pacing: Pacing,
    /// Where the audit screen reads events: `lookup` (default) or `s3://BUCKET[/PREFIX]`.
    pub audit_source: Option<String>,
    /// The Cognito user pool whose app clients are the partners' (`--user-pool` overrides).
    pub partner_pool: Option<String>,
    /// How long old and new credentials both work after a rotation (default `7d`).
    pub rotation_grace: Option<String>,
    /// How long a retired (disabled) key is kept before it is deleted (default `7d`).
    pub retire_delete_after: Option<String>,
    /// Base URLs for API stages, `"API_ID/STAGE" = "URL"` (custom domains, `sam local`, the demo).
    #[serde(default)]
    pub invoke_urls: std::collections::BTreeMap<String, String>,
    /// Token URLs for user pools, `"POOL_ID" = "URL"` (custom domains, the demo).
    #[serde(default)]
    pub token_urls: std::collections::BTreeMap<String, String>,
    /// Seconds a call may take (try it; default 30).
    pub call_timeout_secs: Option<u64>,
    /// A response body over this many MB goes to a temporary file (try it; default 10).
    #[serde(default)]
    pub body_limit_mb: Option<u64>,
    /// Try it: follow redirects to the same origin (default: never follow).
    #[serde(default)]
    pub follow_redirects: Option<bool>,
    /// The TUI reads the governance findings in the background once the catalog is in (for
    /// its FINDINGS column; default true; off for very large accounts).
    #[serde(default)]
    pub background_findings: Option<bool>,
    /// What the governance rules are configured with (`portcullis lint`, `:findings`).
    #[serde(default)]
    pub lint: crate::governance::LintConfig,
    /// The accounts read besides the credentials' own (`--accounts` picks among them).
    pub accounts: Option<crate::aws::accounts::AccountsConfig>,
}

/// Client-side pacing of the API Gateway control plane.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pacing {
    /// Requests per second; 0 turns pacing off.
    pub apigateway_rps: Option<f64>,
    pub apigateway_burst: Option<u32>,
}

/// Command-line values that override the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    pub read_only: bool,
    pub theme: Option<String>,
    pub config: Option<PathBuf>,
    pub pace_rps: Option<f64>,
    pub no_cache: bool,
    /// `--accounts all|ID[,ID...]` (repeatable).
    pub accounts: Vec<String>,
}

/// Everything the app needs to know about how it was started.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: Option<String>,
    /// Empty: the region from the standard AWS configuration.
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    pub read_only: bool,
    pub theme: String,
    pub config_dir: Option<PathBuf>,
    /// `None`: the default for the endpoint (on for AWS, off for a custom endpoint).
    pub pace_rps: Option<f64>,
    pub pace_burst: Option<u32>,
    pub no_color: bool,
    pub clipboard_clear_secs: u64,
    /// The audit cache's root; `None` with `--no-cache`.
    pub cache_dir: Option<PathBuf>,
    /// The audit screen's first source (config `audit_source`).
    pub audit_source: crate::domain::AuditSource,
    /// The partner user pool (config `partner_pool`, or `--user-pool`).
    pub partner_pool: Option<String>,
    pub rotation_grace: std::time::Duration,
    pub retire_delete_after: std::time::Duration,
    /// Where operations in flight are journalled (`$XDG_STATE_HOME/portcullis`).
    pub state_dir: Option<PathBuf>,
    pub invoke_urls: std::collections::BTreeMap<String, String>,
    pub token_urls: std::collections::BTreeMap<String, String>,
    pub call_timeout: std::time::Duration,
    /// Bytes of a response body kept in memory; a larger one goes to a temporary file.
    pub body_limit: usize,
    pub lint: crate::governance::LintConfig,
    /// Try it: follow redirects to the same origin (`follow_redirects`, `portcullis call --follow`).
    pub follow_redirects: bool,
    /// Read the findings in the background once the catalog is in (`background_findings`).
    pub background_findings: bool,
    /// Which accounts are read, and how their credentials are had (`[accounts]`, `--accounts`);
    /// `None`: the credentials' own account alone.
    pub accounts: Option<crate::aws::accounts::AccountsPlan>,
}

impl crate::aws::Clients for Settings {
    fn clients(&self) -> crate::aws::ClientConfig {
        crate::aws::ClientConfig {
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            regions: self.regions.clone(),
            pace_rps: self.pace_rps,
            pace_burst: self.pace_burst,
            read_only: self.read_only,
            accounts: self.accounts.clone(),
        }
    }
}

impl Settings {
    /// What the partner operations need of the settings.
    pub fn partner_policy(&self) -> crate::partners::Policy {
        crate::partners::Policy {
            pool: self.partner_pool.clone(),
            state_dir: self.state_dir.clone(),
            grace: self.rotation_grace,
            retire_delete_after: self.retire_delete_after,
        }
    }
}

/// Seven days: the default grace of a rotation and the time a retired key is kept.
pub const SEVEN_DAYS: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

pub use crate::domain::parse_duration;

/// The state directory: `$XDG_STATE_HOME/portcullis` or `~/.local/state/portcullis`.
pub fn state_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".local/state")))
        .map(|d| d.join("portcullis"))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
}

/// The config directory: `$XDG_CONFIG_HOME/portcullis` or `~/.config/portcullis`.
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))
        .map(|d| d.join("portcullis"))
}

pub fn parse_file(path: &Path, text: &str) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: e.to_string() })
}

fn read_file(explicit: Option<&Path>, dir: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let path = match (explicit, dir) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(d)) => d.join("config.toml"),
        (None, None) => return Ok(FileConfig::default()),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_file(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => Ok(FileConfig::default()),
        Err(source) => Err(ConfigError::Read { path, source }),
    }
}

/// Split `--region a,b --region c` into regions; `all` is kept as a marker.
pub fn split_regions(values: &[String]) -> Vec<String> {
    values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

impl Settings {
    /// Settings for an explicit endpoint and regions, everything else at its default (no config
    /// file read): what the tests and tools that drive an emulator or a replay server need.
    pub fn for_endpoint(regions: &[&str], endpoint: impl Into<String>) -> Settings {
        Settings {
            profile: None,
            regions: regions.iter().map(|r| r.to_string()).collect(),
            endpoint_url: Some(endpoint.into()),
            read_only: false,
            theme: "default".into(),
            config_dir: None,
            pace_rps: None,
            pace_burst: None,
            no_color: true,
            clipboard_clear_secs: 30,
            cache_dir: None,
            audit_source: crate::domain::AuditSource::Lookup,
            partner_pool: None,
            rotation_grace: SEVEN_DAYS,
            retire_delete_after: SEVEN_DAYS,
            state_dir: None,
            invoke_urls: Default::default(),
            token_urls: Default::default(),
            call_timeout: std::time::Duration::from_secs(30),
            body_limit: 10 * 1024 * 1024,
            lint: Default::default(),
            follow_redirects: false,
            background_findings: true,
            accounts: None,
        }
    }

    pub fn load(o: Overrides) -> Result<Settings, ConfigError> {
        let dir = config_dir();
        let file = read_file(o.config.as_deref(), dir.as_deref())?;
        let regions = split_regions(&o.regions);
        let path = o.config.clone().or_else(|| dir.as_ref().map(|d| d.join("config.toml"))).unwrap_or_default();
        let duration = |v: &Option<String>| match v {
            None => Ok(SEVEN_DAYS),
            Some(t) => parse_duration(t).map_err(|message| ConfigError::Parse { path: path.clone(), message }),
        };
        let (rotation_grace, retire_delete_after) =
            (duration(&file.rotation_grace)?, duration(&file.retire_delete_after)?);
        let audit_source = match &file.audit_source {
            Some(text) => text.parse().map_err(|message| ConfigError::Parse { path: path.clone(), message })?,
            None => crate::domain::AuditSource::Lookup,
        };
        let accounts = crate::aws::accounts::AccountsPlan::from(file.accounts.as_ref(), &split_regions(&o.accounts))
            .map_err(|message| ConfigError::Parse { path: path.clone(), message })?;
        Ok(Settings {
            profile: o.profile.or(file.profile),
            regions: if regions.is_empty() { file.regions } else { regions },
            endpoint_url: o.endpoint_url.or(file.endpoint_url),
            read_only: o.read_only || file.read_only.unwrap_or(false),
            theme: o.theme.or(file.theme).unwrap_or_else(|| "default".into()),
            config_dir: dir,
            pace_rps: o.pace_rps.or(file.pacing.apigateway_rps),
            pace_burst: file.pacing.apigateway_burst,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            clipboard_clear_secs: file.clipboard_clear_secs.unwrap_or(30),
            cache_dir: if o.no_cache { None } else { crate::aws::audit::cache::cache_dir() },
            audit_source,
            partner_pool: file.partner_pool,
            rotation_grace,
            retire_delete_after,
            state_dir: state_dir(),
            invoke_urls: file.invoke_urls,
            token_urls: file.token_urls,
            call_timeout: std::time::Duration::from_secs(file.call_timeout_secs.unwrap_or(30)),
            body_limit: (file.body_limit_mb.unwrap_or(10) as usize).saturating_mul(1024 * 1024),
            lint: file.lint,
            follow_redirects: file.follow_redirects.unwrap_or(false),
            background_findings: file.background_findings.unwrap_or(true),
            accounts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_split_on_commas_and_repeats() {
        let v = vec!["us-east-1,eu-west-1".to_string(), " ap-south-1 ".to_string()];
        assert_eq!(split_regions(&v), ["us-east-1", "eu-west-1", "ap-south-1"]);
    }

    #[test]
    fn unknown_config_key_is_a_readable_error() {
        let err = parse_file(Path::new("c.toml"), "themee = \"light\"\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("c.toml") && msg.contains("themee"), "{msg}");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("7d"), Ok(SEVEN_DAYS));
        assert_eq!(parse_duration("12h").unwrap().as_secs(), 43_200);
        assert_eq!(parse_duration("90").unwrap().as_secs(), 90);
        assert!(parse_duration("7 weeks").unwrap_err().contains("not a duration"));
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn pacing_parses() {
        let f = parse_file(Path::new("c"), "[pacing]\napigateway_rps = 2.5\n").unwrap();
        assert_eq!(f.pacing.apigateway_rps, Some(2.5));
    }
}
