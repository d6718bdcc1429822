//! Rotation: a new API key in the same plans, or a new client secret (Cognito's two-secret
//! model, else a second app client); old and new both work for the grace period.

use super::onboard::{create_client_call, create_key_call};
use super::{
    Env, OpError, attach_steps, client_step, complete_handover, day, handover_step, ids, key_step, now, refused, stamp,
};
use crate::aws::cognito::{self, PoolInfo};
use crate::aws::{ErrorKind, keys};
use crate::domain::{
    ApiKey, Call, Partner, Plan, TAG_RETIRE_AFTER, TAG_ROTATES, TAG_USER_POOL, attach_new_key_call, partner_key_tags,
    rfc3339, set_enabled_call,
};
use crate::partners::journal::Journal;
use crate::partners::values::{self, fingerprint};
use crate::partners::{Credentials, Destination, OpKind, Operation, Strategy, handover};
use std::collections::BTreeMap;

/// Which credential a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Key,
    Secret,
}

/// A rotation, checked: what it replaces and how, with every value its calls will carry.
#[derive(Debug, Clone, PartialEq)]
pub struct RotatePlan {
    pub partner: Partner,
    pub region: String,
    pub credential: Credential,
    pub destination: Destination,
    /// `--now`: the old credential is retired at once.
    pub now: bool,
    pub old_key: Option<ApiKey>,
    /// The new key's name and tags (a key rotation).
    pub key_name: String,
    pub key_tags: BTreeMap<String, String>,
    pub client_id: Option<String>,
    pub strategy: Strategy,
    /// The second app client's name (the fallback strategy).
    pub fallback_client: Option<String>,
    pub pool: Option<PoolInfo>,
    pub retire_after: time::OffsetDateTime,
    /// The app client's secrets now (two-secret model): any other one is the rotation's.
    pub existing_secrets: Vec<String>,
}

impl RotatePlan {
    pub fn describe(&self) -> String {
        let until = if self.now { "at once".to_string() } else { format!("after {}", rfc3339(self.retire_after)) };
        match self.credential {
            Credential::Key => format!(
                "rotate partner {}'s API key {}: a new key in the same plans; the old one is retired {until}; credentials to {}",
                self.partner.id,
                self.old_key.as_ref().map_or("", |k| k.id.as_str()),
                self.destination.describe()
            ),
            Credential::Secret => format!(
                "rotate partner {}'s client secret ({} of app client {}); the old one is retired {until}; credentials to {}",
                self.partner.id,
                self.strategy,
                self.client_id.as_deref().unwrap_or_default(),
                self.destination.describe()
            ),
        }
    }

    pub fn plan(&self) -> Plan {
        let mut calls = handover::prepare_calls(&self.destination, &self.partner.id);
        calls.extend(self.new_credential_calls());
        calls.extend(handover::complete_calls(&self.destination));
        if self.now {
            calls.extend(self.retire_calls());
        }
        Plan::new(self.describe(), &self.region, calls)
    }

    fn pool_id(&self) -> &str {
        self.partner.user_pool_id.as_deref().unwrap_or_default()
    }

    fn new_credential_calls(&self) -> Vec<Call> {
        let client = self.client_id.as_deref().unwrap_or_default();
        match (self.credential, &self.old_key, &self.fallback_client) {
            (Credential::Key, Some(old), _) => {
                let mut out = vec![create_key_call(&self.key_name, &self.partner.id, &self.key_tags)];
                out.extend(old.plan_ids.iter().map(|p| attach_new_key_call(p)));
                out
            }
            (Credential::Key, None, _) => vec![],
            (Credential::Secret, _, None) => vec![
                Call::new("cognito-idp", "add-user-pool-client-secret")
                    .arg("--user-pool-id", self.pool_id())
                    .arg("--client-id", client)
                    .later("--client-secret", "generated secret"),
            ],
            (Credential::Secret, _, Some(name)) => vec![create_client_call(self.pool_id(), name, &self.partner.scopes)],
        }
    }

    /// `--now`: what retires the old credential once the new one is handed over.
    fn retire_calls(&self) -> Vec<Call> {
        let client = self.client_id.as_deref().unwrap_or_default();
        match (self.credential, &self.old_key, &self.fallback_client) {
            (Credential::Key, Some(old), _) => vec![set_enabled_call(&old.id, false)],
            (Credential::Key, None, _) => vec![],
            (Credential::Secret, _, None) => self
                .existing_secrets
                .iter()
                .map(|id| {
                    Call::new("cognito-idp", "delete-user-pool-client-secret")
                        .arg("--user-pool-id", self.pool_id())
                        .arg("--client-id", client)
                        .arg("--client-secret-id", id)
                })
                .collect(),
            (Credential::Secret, _, Some(_)) => vec![
                Call::new("cognito-idp", "delete-user-pool-client")
                    .arg("--user-pool-id", self.pool_id())
                    .arg("--client-id", client),
            ],
        }
    }
}

/// The new key's tags: the old key's own (none of portcullis's), the partner, its user pool (as
/// the old key records it, else as the listing knows it), what it replaces and when that retires.
fn rotation_tags(old: &ApiKey, partner: &str, pool: Option<&str>, retire_after: &str) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> =
        old.tags.iter().filter(|(k, _)| !k.starts_with("portcullis:")).map(|(k, v)| (k.clone(), v.clone())).collect();
    let pool = old.tags.get(TAG_USER_POOL).map(String::as_str).or(pool);
    tags.extend(partner_key_tags(partner, pool));
    tags.insert(TAG_ROTATES.into(), old.id.clone());
    tags.insert(TAG_RETIRE_AFTER.into(), retire_after.to_string());
    tags
}

/// Check a rotation: the partner exists, has the credential, and is not rotating it already.
/// A key rotation hands over one new key: it covers the keys of one place. A partner with keys
/// in several places connected is refused with where they are and how to pick one (nothing
/// rotated without a word).
async fn one_place(env: Env<'_>, partner: &str) -> Result<(), OpError> {
    let places: Vec<String> = super::keys_everywhere(env, partner)
        .await?
        .into_iter()
        .filter(|(_, keys)| keys.iter().any(|k| k.customer_id.as_deref() == Some(partner)))
        .map(|(place, _)| place.label())
        .collect();
    if places.len() > 1 {
        return Err(OpError::Usage(format!(
            "partner {partner} has API keys in {} places ({}); a key rotation hands over one new key for one \
             place: pick it with --accounts ID and --region REGION (nothing was changed)",
            places.len(),
            places.join(", ")
        )));
    }
    Ok(())
}

pub async fn check_rotate(
    env: Env<'_>,
    partner: &str,
    pool: Option<&str>,
    credential: Credential,
    destination: Destination,
    at_once: bool,
) -> Result<RotatePlan, OpError> {
    let ctx = env.ctx;
    // A secret is rotated in the partner's own pool, which must be known.
    let pool = match credential {
        Credential::Secret => Some(super::partner_pool(env, partner, pool).await?),
        Credential::Key => pool.map(str::to_string),
    };
    let found = crate::partners::list(ctx, pool.as_deref(), env.state, env.grace, Some(partner)).await?;
    let Some(p) = found.into_iter().next() else { return Err(refused(format!("partner {partner} not found"))) };
    if p.status.starts_with("interrupted") {
        return Err(refused(format!(
            "partner {partner}: {}; run `portcullis partners reconcile {partner}` first",
            p.status
        )));
    }
    if credential == Credential::Key {
        one_place(env, partner).await?;
    }
    handover::check_free(ctx, &destination).await.map_err(refused)?;
    let retire_after = if at_once { now() } else { now() + time::Duration::try_from(env.grace).unwrap_or_default() };
    let mut plan = RotatePlan {
        key_name: format!("{}-{}", p.id, day(now())),
        partner: p,
        region: ctx.region.clone(),
        credential,
        destination,
        now: at_once,
        old_key: None,
        key_tags: BTreeMap::new(),
        client_id: None,
        strategy: Strategy::NewApiKey,
        fallback_client: None,
        pool: None,
        retire_after,
        existing_secrets: vec![],
    };
    match credential {
        Credential::Key => check_key(env, &mut plan).await?,
        Credential::Secret => check_secret(env, pool.as_deref().unwrap_or_default(), &mut plan).await?,
    }
    Ok(plan)
}

async fn check_key(env: Env<'_>, plan: &mut RotatePlan) -> Result<(), OpError> {
    let partner = plan.partner.id.clone();
    let keys = keys::list_keys(env.ctx, Some(&partner)).await?;
    let rotating = |k: &ApiKey| plan.partner.keys.iter().find(|pk| pk.id == k.id && pk.retire_after.is_some());
    if let Some(pk) = keys.iter().filter(|k| k.enabled).find_map(rotating) {
        return Err(refused(format!(
            "partner {partner} is rotating key {} already (retired after {}); `partners reconcile` finishes it",
            pk.id,
            pk.retire_after.clone().unwrap_or_default()
        )));
    }
    // The newest enabled key is the one in use.
    let old = keys.iter().filter(|k| k.enabled).max_by(|a, b| a.created_date.cmp(&b.created_date)).cloned();
    let Some(old) = old else {
        return Err(refused(format!("partner {partner} has no enabled API key to rotate")));
    };
    // Its plans and tags read for this key alone (a listing's may be incomplete under faults).
    let old = keys::get_key(env.ctx, &old.id).await?;
    let pool = plan.partner.user_pool_id.as_deref();
    plan.key_tags = rotation_tags(&old, &partner, pool, &rfc3339(plan.retire_after));
    plan.old_key = Some(old);
    Ok(())
}

async fn check_secret(env: Env<'_>, pool: &str, plan: &mut RotatePlan) -> Result<(), OpError> {
    let partner = plan.partner.id.clone();
    let client = match plan.partner.app_clients.as_slice() {
        [] => return Err(refused(format!("partner {partner} has no app client"))),
        [one] => one.clone(),
        more => {
            return Err(refused(format!(
                "partner {partner} has {} app clients (a rotation by a second client is running); `partners reconcile` finishes it",
                more.len()
            )));
        }
    };
    match cognito::list_secrets(env.ctx, pool, &client.client_id).await? {
        Some(s) if s.len() >= 2 => {
            return Err(refused(format!(
                "app client {} has two secrets already (Cognito allows two): a rotation is running; `partners reconcile` finishes it",
                client.client_id
            )));
        }
        Some(s) => {
            plan.existing_secrets = s.into_iter().filter_map(|x| x.id).collect();
            plan.strategy = Strategy::SecondSecret;
        }
        None => {
            plan.strategy = Strategy::SecondClient;
            plan.fallback_client = Some(format!("{partner}/{}", stamp(now())));
        }
    }
    plan.client_id = Some(client.client_id.clone());
    plan.pool = Some(cognito::pool_info(env.ctx, pool).await?);
    Ok(())
}

pub async fn rotate(env: Env<'_>, plan: &RotatePlan) -> Result<Credentials, OpError> {
    let p = &plan.partner;
    let mut creds = Credentials {
        partner: p.id.clone(),
        region: env.ctx.region.clone(),
        user_pool_id: p.user_pool_id.clone(),
        strategy: plan.strategy.to_string(),
        ..Default::default()
    };
    let kind = match plan.credential {
        Credential::Key => {
            let old = plan.old_key.as_ref().ok_or_else(|| refused("no key to rotate"))?;
            let value = values::api_key_value().map_err(refused)?;
            let kind = OpKind::RotateKey {
                old_key: old.id.clone(),
                plans: old.plan_ids.clone(),
                key_name: plan.key_name.clone(),
                key_fingerprint: fingerprint(&value),
                retire_after: rfc3339(plan.retire_after),
                destination: plan.destination.clone(),
                key_tags: Some(plan.key_tags.clone()),
                now: plan.now,
            };
            creds.api_key = Some(value);
            creds.plan_ids = old.plan_ids.clone();
            kind
        }
        Credential::Secret => {
            let secret = values::client_secret_value().map_err(refused)?;
            let client = plan.client_id.clone().unwrap_or_default();
            let kind = OpKind::RotateSecret {
                client_id: client.clone(),
                fallback_client: plan.fallback_client.clone().unwrap_or_default(),
                secret_fingerprint: fingerprint(&secret),
                destination: plan.destination.clone(),
                existing_secrets: plan.existing_secrets.clone(),
                now: plan.now,
            };
            creds.client_secret = Some(secret);
            creds.client_id = Some(client);
            creds.scopes = p.scopes.clone();
            creds.token_url = plan.pool.as_ref().and_then(|x| x.token_url.clone());
            kind
        }
    };
    let op = Operation {
        id: crate::partners::operation_id(now()).map_err(refused)?,
        partner: p.id.clone(),
        region: env.ctx.region.clone(),
        started: rfc3339(now()),
        user_pool_id: p.user_pool_id.clone(),
        kind,
    };
    let mut journal = Journal::begin(env.state, &op)?;
    if let Err(e) = still_as_reviewed(env, plan).await {
        journal.finish()?;
        return Err(e);
    }
    let creds = steps(env, &mut journal, &op, creds).await?;
    retire_now(env, &mut journal, &op).await?;
    journal.finish()?;
    Ok(creds)
}

/// Checked again under the partner's lock, since a review can stay open a while: the client's
/// secrets are still the ones the plan saw (a secret added meanwhile would be taken for ours,
/// and `--now` would delete the ones it did not see).
async fn still_as_reviewed(env: Env<'_>, plan: &RotatePlan) -> Result<(), OpError> {
    if plan.credential != Credential::Secret || plan.fallback_client.is_some() {
        return Ok(());
    }
    let (pool, client) = (plan.pool_id(), plan.client_id.as_deref().unwrap_or_default());
    let now: Vec<String> = cognito::list_secrets(env.ctx, pool, client)
        .await?
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| s.id)
        .collect();
    if now != plan.existing_secrets {
        return Err(refused(format!(
            "app client {client}'s secrets changed since the review ({} now, {} then): nothing was done; check again",
            now.join(", "),
            plan.existing_secrets.join(", ")
        )));
    }
    Ok(())
}

/// The steps, in the order of the plan's calls; a resumed rotation takes them up too.
pub(super) async fn steps(
    env: Env<'_>,
    journal: &mut Journal,
    op: &Operation,
    mut creds: Credentials,
) -> Result<Credentials, OpError> {
    let ctx = env.ctx;
    let destination = op.destination().cloned().unwrap_or(Destination::Stdout);
    handover_step(ctx, journal, &destination, &creds, &op.partner).await?;
    match &op.kind {
        OpKind::RotateKey { old_key, plans, key_name, retire_after, key_tags, .. } => {
            let value = creds.api_key.clone().ok_or_else(|| refused("the new key's value is missing"))?;
            // A journal of an older run has no tags: derived again, and only if the key is yet to be made.
            let tags = match (key_tags, journal.done("create-key")) {
                (Some(t), _) => t.clone(),
                (None, Some(_)) => BTreeMap::new(),
                (None, None) => {
                    let old = keys::get_key(ctx, old_key).await?;
                    rotation_tags(&old, &op.partner, op.user_pool_id.as_deref(), retire_after)
                }
            };
            let key_id = key_step(ctx, journal, &op.partner, key_name, &value, &tags).await?;
            attach_steps(ctx, journal, &key_id, plans).await?;
            creds.api_key_id = Some(key_id);
        }
        OpKind::RotateSecret { client_id, fallback_client, existing_secrets, .. } => {
            let pool = op.user_pool_id.clone().unwrap_or_default();
            let secret = creds.client_secret.clone().ok_or_else(|| refused("the new secret's value is missing"))?;
            if fallback_client.is_empty() {
                add_secret_step(env, journal, &pool, client_id, existing_secrets, &secret).await?;
            } else {
                let new_id = client_step(ctx, journal, &pool, fallback_client, &creds.scopes, &secret).await?;
                let (_, held) = cognito::describe(ctx, &pool, &new_id).await?;
                creds.client_secret = held.or(Some(secret));
                creds.client_id = Some(new_id);
            }
        }
        _ => return Err(refused("not a rotation")),
    }
    journal.intent("finalize")?;
    complete_handover(env, &destination, &mut creds).await?;
    journal.record_done("finalize", BTreeMap::new())?;
    Ok(creds)
}

/// The `add-secret` step: a secret that was not there when the rotation began is this one
/// (adopted after a crash), else it is added now.
async fn add_secret_step(
    env: Env<'_>,
    journal: &mut Journal,
    pool: &str,
    client_id: &str,
    existing: &[String],
    secret: &crate::domain::Secret,
) -> Result<(), OpError> {
    if journal.done("add-secret").is_some() {
        return Ok(());
    }
    journal.intent("add-secret")?;
    let listed = cognito::list_secrets(env.ctx, pool, client_id).await?.unwrap_or_default();
    let ours = listed.iter().find(|s| s.id.as_ref().is_some_and(|id| !existing.contains(id)));
    let id = match ours {
        Some(s) => s.id.clone().unwrap_or_default(),
        None => match cognito::add_secret(env.ctx, pool, client_id, secret).await? {
            Some(s) => s.id.unwrap_or_default(),
            None => return Err(refused("this endpoint has no AddUserPoolClientSecret")),
        },
    };
    journal.record_done("add-secret", ids(&[("secretId", &id)]))?;
    Ok(())
}

/// `--now`: the old credential retires at once (a leaked one), once the new one is handed
/// over. Idempotent, so a resumed rotation does it too.
pub(super) async fn retire_now(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<(), OpError> {
    let ctx = env.ctx;
    let pool = op.user_pool_id.clone().unwrap_or_default();
    let now = matches!(op.kind, OpKind::RotateKey { now: true, .. } | OpKind::RotateSecret { now: true, .. });
    if !now || journal.done("retire-old").is_some() {
        return Ok(());
    }
    journal.intent("retire-old")?;
    match &op.kind {
        OpKind::RotateKey { old_key, .. } => match keys::set_enabled(ctx, old_key, false).await {
            Err(e) if e.kind != ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        },
        OpKind::RotateSecret { client_id, fallback_client, existing_secrets, .. } if fallback_client.is_empty() => {
            for id in existing_secrets {
                cognito::delete_secret(ctx, &pool, client_id, id).await?;
            }
        }
        OpKind::RotateSecret { client_id, fallback_client, .. } => {
            // Only once the second client is there (it was handed over before this step).
            let names = cognito::client_names(ctx, &pool).await?;
            if names.iter().any(|(_, n)| n == fallback_client) {
                cognito::delete_client(ctx, &pool, client_id).await?;
            }
        }
        _ => {}
    }
    journal.record_done("retire-old", BTreeMap::new())?;
    Ok(())
}

/// Undo a rotation that cannot go forward: the new key (by its value's fingerprint), the new
/// secret (added after the operation began), or the second app client.
pub(super) async fn back(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<Vec<String>, OpError> {
    let ctx = env.ctx;
    let pool = op.user_pool_id.clone().unwrap_or_default();
    let mut undone = Vec::new();
    journal.intent("undo")?;
    match &op.kind {
        OpKind::RotateKey { key_fingerprint, .. } => {
            for id in keys::find_by_fingerprint(ctx, &op.partner, key_fingerprint, fingerprint).await? {
                keys::delete_if_there(ctx, &id).await?;
                undone.push(format!("deleted API key {id}"));
            }
        }
        OpKind::RotateSecret { client_id, fallback_client, existing_secrets, .. } if fallback_client.is_empty() => {
            let listed = cognito::list_secrets(ctx, &pool, client_id).await?.unwrap_or_default();
            let added = listed.iter().filter_map(|s| s.id.as_ref()).filter(|id| !existing_secrets.contains(id));
            for id in added {
                cognito::delete_secret(ctx, &pool, client_id, id).await?;
                undone.push(format!("deleted client secret {id}"));
            }
        }
        OpKind::RotateSecret { fallback_client, .. } => {
            for (id, _) in cognito::client_names(ctx, &pool).await?.into_iter().filter(|(_, n)| n == fallback_client) {
                cognito::delete_client(ctx, &pool, &id).await?;
                undone.push(format!("deleted app client {id}"));
            }
        }
        _ => {}
    }
    journal.record_done("undo", BTreeMap::new())?;
    Ok(undone)
}
