//! Partner operations: onboard, rotate, offboard and reconcile, each a list of idempotent
//! steps recorded in a write-ahead journal (journal.rs), with the credentials handed over once
//! (handover.rs). The partner view itself is derived from AWS each time (`list`).
//!
//! Crash safety: the values portcullis chooses (an API key's value, a client secret) are
//! generated locally (values.rs) and written to their destination before the call that makes
//! them live; every step checks AWS before it acts (adopting what an interrupted run made);
//! `reconcile` takes up what a killed process left, forward where the credentials were handed
//! over to a file or a secret, back (everything it made deleted) where they were not.

pub mod crash;
pub mod handover;
pub mod journal;
pub mod ops;
pub mod run;
pub mod values;

use crate::aws::{AwsContext, AwsError, cognito, keys};
use crate::domain::{Partner, PartnerSources, Secret, Unfinished};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What shapes the partner operations (from the settings): the partner pool, where the
/// journal lives, how long a rotation's grace lasts and a retired key is kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub pool: Option<String>,
    pub state_dir: Option<PathBuf>,
    pub grace: std::time::Duration,
    pub retire_delete_after: std::time::Duration,
}

/// Where the credentials go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Destination {
    /// Printed once on stdout.
    Stdout,
    /// A new file, mode 0600 (never overwritten).
    File { path: PathBuf },
    /// One AWS Secrets Manager secret (JSON).
    #[serde(rename_all = "camelCase")]
    SecretsManager { name: String, kms_key: Option<String> },
}

impl Destination {
    /// Can the values be read back after a crash (so an interrupted operation goes forward)?
    pub fn durable(&self) -> bool {
        !matches!(self, Destination::Stdout)
    }

    pub fn describe(&self) -> String {
        match self {
            Destination::Stdout => "stdout".into(),
            Destination::File { path } => path.display().to_string(),
            Destination::SecretsManager { name, .. } => format!("secretsmanager:{name}"),
        }
    }
}

/// How credentials were (or will be) made: the hand-over says it as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    NewPartner,
    NewApiKey,
    /// Cognito's two-secret model: a second secret on the same app client.
    SecondSecret,
    /// The fallback where the endpoint has no two-secret model: a second app client.
    SecondClient,
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Strategy::NewPartner => "new partner",
            Strategy::NewApiKey => "new API key",
            Strategy::SecondSecret => "second secret",
            Strategy::SecondClient => "second app client",
        })
    }
}

/// One operation, as its journal's first line holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// `<UTC time>-<random>`: unique, and sorts by start.
    pub id: String,
    pub partner: String,
    pub region: String,
    pub started: String,
    pub user_pool_id: Option<String>,
    #[serde(flatten)]
    pub kind: OpKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum OpKind {
    #[serde(rename_all = "camelCase")]
    Onboard {
        plans: Vec<String>,
        scopes: Vec<String>,
        destination: Destination,
        key_name: String,
        key_fingerprint: String,
        secret_fingerprint: String,
    },
    #[serde(rename_all = "camelCase")]
    RotateKey {
        old_key: String,
        plans: Vec<String>,
        key_name: String,
        key_fingerprint: String,
        retire_after: String,
        destination: Destination,
        /// The new key's tags as the reviewed plan has them (absent in journals of older runs:
        /// then they are derived from the old key again).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_tags: Option<std::collections::BTreeMap<String, String>>,
        /// `--now`: the old key is disabled as soon as the new one is handed over.
        #[serde(default)]
        now: bool,
    },
    #[serde(rename_all = "camelCase")]
    RotateSecret {
        client_id: String,
        /// The second app client's name, where the endpoint has no two-secret model.
        fallback_client: String,
        secret_fingerprint: String,
        destination: Destination,
        /// The client's secrets when the rotation began: any other is the one it added.
        #[serde(default)]
        existing_secrets: Vec<String>,
        #[serde(default)]
        now: bool,
    },
    /// The places (accounts and regions) it takes keys away in besides the operation's own
    /// region (empty in journals of older runs: the operation's region alone).
    #[serde(rename_all = "camelCase")]
    Offboard {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        places: Vec<crate::domain::Place>,
    },
}

impl Operation {
    pub fn partner(&self) -> &str {
        &self.partner
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn started(&self) -> &str {
        &self.started
    }

    /// `onboard`, `rotate key`, `rotate secret`, `offboard`.
    pub fn label(&self) -> String {
        match self.kind {
            OpKind::Onboard { .. } => "onboard",
            OpKind::RotateKey { .. } => "rotate key",
            OpKind::RotateSecret { .. } => "rotate secret",
            OpKind::Offboard { .. } => "offboard",
        }
        .to_string()
    }

    pub fn destination(&self) -> Option<&Destination> {
        match &self.kind {
            OpKind::Onboard { destination, .. }
            | OpKind::RotateKey { destination, .. }
            | OpKind::RotateSecret { destination, .. } => Some(destination),
            OpKind::Offboard { .. } => None,
        }
    }
}

/// A new operation id: the start time and 8 random characters.
pub fn operation_id(now: time::OffsetDateTime) -> Result<String, String> {
    Ok(format!("{}-{}", ops::stamp(now), values::generate(8)?.expose().to_lowercase()))
}

/// The credentials handed over once: what onboard and rotate print, export or store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Credentials {
    pub partner: String,
    pub region: String,
    pub user_pool_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub api_key_id: Option<String>,
    pub api_key: Option<Secret>,
    pub plan_ids: Vec<String>,
    pub scopes: Vec<String>,
    pub token_url: Option<String>,
    pub invoke_urls: Vec<String>,
    /// How it was done: `new partner`, `new API key`, `second secret` (the two-secret model)
    /// or `second app client` (the fallback).
    pub strategy: String,
    pub exported_to: Option<String>,
}

impl Credentials {
    /// The JSON object; with `values` the secrets are in it (the export file, the secret, the
    /// one print on stdout), without them it says only where they went.
    pub fn to_json(&self, values: bool) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: serde_json::Value| {
            if !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()) {
                m.insert(k.to_string(), v);
            }
        };
        put("partner", self.partner.clone().into());
        put("region", self.region.clone().into());
        put("userPoolId", self.user_pool_id.clone().into());
        put("clientId", self.client_id.clone().into());
        if values {
            put("clientSecret", self.client_secret.as_ref().map(|s| s.expose().to_string()).into());
        }
        put("apiKeyId", self.api_key_id.clone().into());
        if values {
            put("apiKey", self.api_key.as_ref().map(|s| s.expose().to_string()).into());
        }
        put("planIds", self.plan_ids.clone().into());
        put("scopes", self.scopes.clone().into());
        put("tokenUrl", self.token_url.clone().into());
        put("invokeUrls", self.invoke_urls.clone().into());
        put("strategy", self.strategy.clone().into());
        put("exportedTo", self.exported_to.clone().into());
        serde_json::Value::Object(m)
    }

    /// Back from an export file or a secret (to resume an interrupted operation).
    pub fn from_json(v: &serde_json::Value) -> Credentials {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let list = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        Credentials {
            partner: s("partner").unwrap_or_default(),
            region: s("region").unwrap_or_default(),
            user_pool_id: s("userPoolId"),
            client_id: s("clientId"),
            client_secret: s("clientSecret").map(Secret::new),
            api_key_id: s("apiKeyId"),
            api_key: s("apiKey").map(Secret::new),
            plan_ids: list("planIds"),
            scopes: list("scopes"),
            token_url: s("tokenUrl"),
            invoke_urls: list("invokeUrls"),
            strategy: s("strategy").unwrap_or_default(),
            exported_to: s("exportedTo"),
        }
    }
}

/// Every partner as one row, across the regions and accounts of `contexts`: each one's keys
/// wherever they are (each with its region and account), its app clients in the partner pool,
/// its plans, and its status from all of them.
pub async fn list_all(
    contexts: &[AwsContext],
    pool: Option<&str>,
    state: Option<&Path>,
    grace: std::time::Duration,
    only: Option<&str>,
) -> Result<crate::aws::Regional<Partner>, AwsError> {
    let mut listed = crate::aws::across_regions(contexts, |c| list(c, pool, state, grace, only)).await?;
    let unfinished: Vec<Unfinished> = journal::unfinished_in(state)
        .into_iter()
        .map(|op| Unfinished { operation: op.label(), partner: op.partner })
        .collect();
    let rows = std::mem::take(&mut listed.items);
    listed.items = crate::domain::join(rows, &unfinished, grace, time::OffsetDateTime::now_utc());
    Ok(listed)
}

/// The partners in one region: keys (with their plans), the partner pool's app clients, and
/// the journal's unfinished operations. Without a partner pool only the keys count.
pub async fn list(
    ctx: &AwsContext,
    pool: Option<&str>,
    state: Option<&Path>,
    grace: std::time::Duration,
    only: Option<&str>,
) -> Result<Vec<Partner>, AwsError> {
    let all_keys = keys::list_keys(ctx, only).await?;
    from_keys(ctx, pool, state, grace, only, &all_keys).await
}

/// [`list`] over keys already read (`lint` reads them once for every rule). Each partner's app
/// clients are read from its own user pool: the one its keys record (`portcullis:user-pool`),
/// else `pool` (the flag or the config).
pub async fn from_keys(
    ctx: &AwsContext,
    pool: Option<&str>,
    state: Option<&Path>,
    grace: std::time::Duration,
    only: Option<&str>,
    all_keys: &[crate::domain::ApiKey],
) -> Result<Vec<Partner>, AwsError> {
    let unfinished: Vec<Unfinished> = journal::unfinished_in(state)
        .into_iter()
        .filter(|op| op.region == ctx.region)
        .map(|op| Unfinished { operation: op.label(), partner: op.partner })
        .collect();
    // The pools the partners' keys record, read in one pass (several for one partner: none is its own).
    let mut recorded: std::collections::HashMap<&str, std::collections::BTreeSet<&str>> = Default::default();
    for k in all_keys {
        if let (Some(id), Some(p)) = (k.customer_id.as_deref(), k.tags.get(crate::domain::TAG_USER_POOL)) {
            recorded.entry(id).or_default().insert(p);
        }
    }
    let own = |id: &str| match recorded.get(id).filter(|p| p.len() == 1).and_then(|p| p.first()) {
        Some(p) => Some(p.to_string()),
        None => pool.map(str::to_string),
    };
    let mut pools: std::collections::BTreeSet<Option<String>> =
        all_keys.iter().filter_map(|k| k.customer_id.as_deref()).map(own).collect();
    pools.insert(pool.map(str::to_string));
    let mut out = Vec::new();
    for group in pools {
        let mut found = in_pool(ctx, group.as_deref(), grace, only, all_keys, &unfinished).await?;
        found.retain(|p| own(&p.id) == group && only.is_none_or(|o| p.id == o));
        out.extend(found);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The partners as seen with the app clients of `pool` (in this region; elsewhere keys only).
async fn in_pool(
    ctx: &AwsContext,
    pool: Option<&str>,
    grace: std::time::Duration,
    only: Option<&str>,
    all_keys: &[crate::domain::ApiKey],
    unfinished: &[Unfinished],
) -> Result<Vec<Partner>, AwsError> {
    // A pool lives in one region (its id starts with it) of the credentials' own account:
    // elsewhere there are only keys.
    let pool = pool.filter(|p| p.split('_').next().is_none_or(|r| r == ctx.region || !p.contains('_')));
    let pool = pool.filter(|_| ctx.is_own());
    let clients = match pool {
        Some(p) => cognito::partner_clients(ctx, p, only).await?,
        None => vec![],
    };
    let src = PartnerSources {
        region: &ctx.region,
        account: ctx.account_ref(),
        user_pool_id: pool,
        keys: all_keys,
        clients: &clients,
        unfinished,
        grace,
    };
    Ok(crate::domain::assemble(&src, time::OffsetDateTime::now_utc()))
}
