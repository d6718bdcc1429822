//! The operations, step by step. Each step writes its intent to the journal, checks AWS
//! before it acts (adopting what an interrupted run made: a key with the chosen value, a
//! client of the chosen name, a key already in the plan), and writes its outcome.

use super::journal::{Journal, JournalError};
use super::values::{self, fingerprint};
use super::{Credentials, Destination, OpKind, Operation, handover};
use crate::aws::cognito::{self, PoolInfo};
use crate::aws::keys;
use crate::aws::{AwsContext, AwsError, ErrorKind, plans};
use crate::domain::{
    ApiKey, Partner, Secret, TAG_PARTNER, TAG_RETIRE_AFTER, TAG_ROTATES, UsagePlan, check_partner_id, parse_time,
    quote, rfc3339,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// What every operation needs: the region's clients and the settings that shape it.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub ctx: &'a AwsContext,
    pub state: Option<&'a Path>,
    pub grace: Duration,
    pub retire_delete_after: Duration,
    /// How credentials handed over to stdout are shown.
    pub show: Show,
}

/// How the credentials for stdout are shown: printed (a table for people, or JSON), or left
/// to the caller (the TUI shows them in a dialog; its screen owns the terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Table,
    Json,
    Caller,
}

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// Checked before anything changed: nothing was done.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

fn refused(text: impl Into<String>) -> OpError {
    OpError::Refused(text.into())
}

fn ids(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// `20261201T120000Z`: a second app client's name suffix, and its creation time where the
/// endpoint does not say (moto).
pub fn stamp(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    t.format(&format).unwrap_or_default()
}

fn day(t: time::OffsetDateTime) -> String {
    format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day())
}

// ------------------------------------------------------------------------- onboard

#[derive(Debug, Clone, PartialEq)]
pub struct OnboardRequest {
    pub partner: String,
    pub pool: String,
    pub plans: Vec<String>,
    pub scopes: Vec<String>,
    pub destination: Destination,
}

/// What onboarding will make, checked: the pool (with its token URL), the plans.
#[derive(Debug, Clone)]
pub struct OnboardPlan {
    pub request: OnboardRequest,
    pub pool: PoolInfo,
    pub plans: Vec<UsagePlan>,
    pub key_name: String,
}

impl OnboardPlan {
    /// The equivalent AWS CLI commands.
    pub fn aws_cli(&self, region: &str) -> Vec<String> {
        let r = format!("--region {}", quote(region));
        let p = &self.request.partner;
        let mut out = vec![format!(
            "aws cognito-idp create-user-pool-client --user-pool-id {} --client-name {} --generate-secret \
             --allowed-o-auth-flows client_credentials --allowed-o-auth-flows-user-pool-client \
             --allowed-o-auth-scopes {} {r}",
            quote(&self.pool.id),
            quote(p),
            self.request.scopes.iter().map(|s| quote(s)).collect::<Vec<_>>().join(" ")
        )];
        out.push(format!(
            "aws apigateway create-api-key --name {} --customer-id {} --tags {} --enabled {r}",
            quote(&self.key_name),
            quote(p),
            quote(&format!("{TAG_PARTNER}={p}"))
        ));
        out.extend(self.plans.iter().map(|plan| {
            format!(
                "aws apigateway create-usage-plan-key --usage-plan-id {} --key-id <new key id> --key-type API_KEY {r}",
                quote(&plan.id)
            )
        }));
        if let Destination::SecretsManager { name, kms_key } = &self.request.destination {
            let kms = kms_key.as_ref().map(|k| format!(" --kms-key-id {}", quote(k))).unwrap_or_default();
            out.insert(
                0,
                format!(
                    "aws secretsmanager create-secret --name {}{kms} --secret-string file://credentials.json {r}",
                    quote(name)
                ),
            );
        }
        out
    }

    pub fn describe(&self) -> String {
        let plans: Vec<&str> = self.plans.iter().map(|p| p.name.as_str()).collect();
        format!(
            "onboard partner {}: an app client with scopes {} in pool {}, an API key in {}; credentials to {}",
            self.request.partner,
            self.request.scopes.join(", "),
            self.pool.id,
            plans.join(", "),
            self.request.destination.describe()
        )
    }
}

/// Check everything before anything is made: the id, the pool (it needs a domain for the token
/// URL), the scopes (the pool's resource servers have them), the plans (they exist, one plan
/// per API stage), that the partner does not exist yet, and that the destination is free.
pub async fn check_onboard(env: Env<'_>, req: OnboardRequest) -> Result<OnboardPlan, OpError> {
    let ctx = env.ctx;
    check_partner_id(&req.partner).map_err(refused)?;
    if req.plans.is_empty() {
        return Err(refused("name at least one usage plan with --plan"));
    }
    let pool = cognito::pool_info(ctx, &req.pool).await?;
    if pool.token_url.is_none() {
        return Err(refused(format!(
            "user pool {} has no domain, so it has no token URL for client credentials: add one (aws cognito-idp create-user-pool-domain)",
            req.pool
        )));
    }
    if req.scopes.is_empty() {
        return Err(refused(format!(
            "name at least one scope with --scope (the pool has: {})",
            pool.scopes.join(", ")
        )));
    }
    if let Some(s) = req.scopes.iter().find(|s| !pool.scopes.contains(s)) {
        return Err(refused(format!(
            "scope {s} is not in user pool {} (it has: {})",
            req.pool,
            pool.scopes.join(", ")
        )));
    }
    let mut chosen: Vec<UsagePlan> = Vec::new();
    for id in &req.plans {
        let plan = plans::get_plan(ctx, id).await.map_err(|e| match e.kind {
            ErrorKind::NotFound => refused(format!("usage plan {id} not found")),
            _ => e.into(),
        })?;
        if let Some((earlier, s)) = chosen.iter().find_map(|c| plan.shared_stages(c).first().map(|s| (c, *s))) {
            return Err(refused(format!(
                "usage plans {} and {} both cover API stage {}/{}; a key can be in only one plan per API stage",
                earlier.name, plan.name, s.api_id, s.stage
            )));
        }
        chosen.push(plan);
    }
    let existing = super::list(ctx, Some(&req.pool), env.state, env.grace, Some(&req.partner)).await?;
    if let Some(p) = existing.first() {
        return Err(refused(format!(
            "partner {} exists already ({} key(s), {} app client(s)): rotate its credentials instead",
            p.id,
            p.keys.len(),
            p.app_clients.len()
        )));
    }
    handover::check_free(ctx, &req.destination).await.map_err(refused)?;
    let key_name = format!("{}-{}", req.partner, day(now()));
    Ok(OnboardPlan { request: req, pool, plans: chosen, key_name })
}

fn invoke_urls(region: &str, plans: &[UsagePlan]) -> Vec<String> {
    let mut out: Vec<String> = plans
        .iter()
        .flat_map(|p| p.api_stages.iter())
        .map(|s| format!("https://{}.execute-api.{region}.amazonaws.com/{}", s.api_id, s.stage))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Onboard: the values chosen, the journal begun, then the steps.
pub async fn onboard(env: Env<'_>, plan: &OnboardPlan) -> Result<Credentials, OpError> {
    let key_value = values::api_key_value().map_err(refused)?;
    let secret = values::client_secret_value().map_err(refused)?;
    let req = &plan.request;
    let op = Operation {
        id: super::operation_id(now()).map_err(refused)?,
        partner: req.partner.clone(),
        region: env.ctx.region.clone(),
        started: rfc3339(now()),
        user_pool_id: Some(req.pool.clone()),
        kind: OpKind::Onboard {
            plans: req.plans.clone(),
            scopes: req.scopes.clone(),
            destination: req.destination.clone(),
            key_name: plan.key_name.clone(),
            key_fingerprint: fingerprint(&key_value),
            secret_fingerprint: fingerprint(&secret),
        },
    };
    let mut journal = Journal::begin(env.state, &op)?;
    // Checked again under the partner's lock: another process may have onboarded it meanwhile.
    let clients = cognito::client_names(env.ctx, &req.pool).await?;
    let keys_now = keys::list_keys(env.ctx, Some(&req.partner)).await?;
    if clients.iter().any(|(_, n)| cognito::names_partner(n, &req.partner)) || !keys_now.is_empty() {
        journal.finish()?;
        return Err(refused(format!(
            "partner {} exists already (made while this onboarding was checked)",
            req.partner
        )));
    }
    let creds = Credentials {
        partner: req.partner.clone(),
        region: env.ctx.region.clone(),
        user_pool_id: Some(req.pool.clone()),
        client_secret: Some(secret),
        api_key: Some(key_value),
        plan_ids: req.plans.clone(),
        scopes: req.scopes.clone(),
        token_url: plan.pool.token_url.clone(),
        invoke_urls: invoke_urls(&env.ctx.region, &plan.plans),
        strategy: "new partner".into(),
        ..Default::default()
    };
    let creds = onboard_steps(env, &mut journal, &op, creds).await?;
    journal.finish()?;
    Ok(creds)
}

async fn onboard_steps(
    env: Env<'_>,
    journal: &mut Journal,
    op: &Operation,
    mut creds: Credentials,
) -> Result<Credentials, OpError> {
    let ctx = env.ctx;
    let OpKind::Onboard { plans, scopes, destination, key_name, .. } = &op.kind else {
        return Err(refused("not an onboarding"));
    };
    let pool = op.user_pool_id.clone().unwrap_or_default();
    let (Some(key_value), Some(secret)) = (creds.api_key.clone(), creds.client_secret.clone()) else {
        return Err(refused("the credentials' values are missing"));
    };
    if journal.done("handover").is_none() {
        journal.intent("handover")?;
        handover::prepare(ctx, destination, &creds, &op.partner).await?;
        journal.record_done("handover", BTreeMap::new())?;
    }
    let client_id = client_step(ctx, journal, &pool, &op.partner, scopes, &secret).await?;
    let tags = async { Ok(BTreeMap::from([(TAG_PARTNER.to_string(), op.partner.clone())])) };
    let key_id = key_step(ctx, journal, &op.partner, key_name, &key_value, tags).await?;
    attach_steps(ctx, journal, &key_id, plans).await?;
    journal.intent("finalize")?;
    // What the endpoint holds is what is handed over (an emulator may keep its own secret).
    let (_, held) = cognito::describe(ctx, &pool, &client_id).await?;
    creds.client_secret = held.or(Some(secret));
    creds.client_id = Some(client_id.clone());
    creds.api_key_id = Some(key_id.clone());
    if destination.durable() {
        creds.exported_to = Some(destination.describe());
    }
    handover::complete(ctx, destination, &creds, env.show).await?;
    journal.record_done("finalize", ids(&[("clientId", &client_id), ("keyId", &key_id)]))?;
    Ok(creds)
}

/// Undo an onboarding that cannot go forward: the key with the journal's value fingerprint and
/// the app client named for the partner (neither existed when it began) are deleted.
async fn onboard_back(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<Vec<String>, OpError> {
    let ctx = env.ctx;
    let OpKind::Onboard { key_fingerprint, .. } = &op.kind else { return Ok(vec![]) };
    let pool = op.user_pool_id.clone().unwrap_or_default();
    let mut undone = Vec::new();
    journal.intent("undo")?;
    for id in keys::find_by_fingerprint(ctx, &op.partner, key_fingerprint, fingerprint).await? {
        keys::delete_if_there(ctx, &id).await?;
        undone.push(format!("deleted API key {id}"));
    }
    for (id, _) in cognito::client_names(ctx, &pool).await?.into_iter().filter(|(_, n)| *n == op.partner) {
        cognito::delete_client(ctx, &pool, &id).await?;
        undone.push(format!("deleted app client {id}"));
    }
    journal.record_done("undo", BTreeMap::new())?;
    Ok(undone)
}

/// The `create-client` step: a client named `name` made by an interrupted run is this one
/// (none of that name existed when the operation began), else it is made now.
async fn client_step(
    ctx: &AwsContext,
    journal: &mut Journal,
    pool: &str,
    name: &str,
    scopes: &[String],
    secret: &Secret,
) -> Result<String, OpError> {
    if let Some(id) = journal.done("create-client").and_then(|d| d.get("clientId")).cloned() {
        return Ok(id);
    }
    journal.intent("create-client")?;
    let found = cognito::client_names(ctx, pool).await?.into_iter().find(|(_, n)| n == name);
    let id = match found {
        Some((id, _)) => id,
        None => cognito::create_client(ctx, pool, name, scopes, secret).await?,
    };
    journal.record_done("create-client", ids(&[("clientId", &id)]))?;
    Ok(id)
}

/// The `create-key` step: the partner's key with this value, made by an interrupted run, is
/// this one; else it is made now with the `tags` (read only when it is made).
async fn key_step(
    ctx: &AwsContext,
    journal: &mut Journal,
    partner: &str,
    name: &str,
    value: &Secret,
    tags: impl std::future::Future<Output = Result<BTreeMap<String, String>, OpError>>,
) -> Result<String, OpError> {
    if let Some(id) = journal.done("create-key").and_then(|d| d.get("keyId")).cloned() {
        return Ok(id);
    }
    journal.intent("create-key")?;
    let id = match keys::find_by_value(ctx, partner, value).await? {
        Some(id) => id,
        None => keys::create_with_value(ctx, name, partner, value, &tags.await?).await?,
    };
    journal.record_done("create-key", ids(&[("keyId", &id)]))?;
    Ok(id)
}

/// One `attach:<plan>` step per plan (a key already in the plan is done).
async fn attach_steps(ctx: &AwsContext, journal: &mut Journal, key_id: &str, plans: &[String]) -> Result<(), OpError> {
    for plan in plans {
        let step = format!("attach:{plan}");
        if journal.done(&step).is_none() {
            journal.intent(&step)?;
            keys::add_to_plan(ctx, key_id, plan).await?;
            journal.record_done(&step, BTreeMap::new())?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------- rotate

/// Which credential a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Key,
    Secret,
}

/// A rotation, checked: what it replaces and how.
#[derive(Debug, Clone)]
pub struct RotatePlan {
    pub partner: Partner,
    pub credential: Credential,
    pub destination: Destination,
    /// `--now`: the old credential is retired at once.
    pub now: bool,
    pub old_key: Option<ApiKey>,
    pub client_id: Option<String>,
    /// `second secret` (two-secret model) or `second app client` (the fallback).
    pub strategy: String,
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

    pub fn aws_cli(&self, region: &str) -> Vec<String> {
        let r = format!("--region {}", quote(region));
        match (self.credential, &self.old_key) {
            (Credential::Key, Some(old)) => {
                let mut out = vec![format!(
                    "aws apigateway create-api-key --name {}-{} --customer-id {} --tags {} --enabled {r}",
                    quote(&self.partner.id),
                    day(now()),
                    quote(&self.partner.id),
                    quote(&format!("{TAG_ROTATES}={},{TAG_RETIRE_AFTER}={}", old.id, rfc3339(self.retire_after)))
                )];
                out.extend(old.plan_ids.iter().map(|p| {
                    format!(
                        "aws apigateway create-usage-plan-key --usage-plan-id {} --key-id <new key id> --key-type API_KEY {r}",
                        quote(p)
                    )
                }));
                if self.now {
                    out.push(format!(
                        "aws apigateway update-api-key --api-key {} --patch-operations op=replace,path=/enabled,value=false {r}",
                        quote(&old.id)
                    ));
                }
                out
            }
            (Credential::Key, None) => vec![],
            (Credential::Secret, _) => {
                let pool = self.partner.user_pool_id.clone().unwrap_or_default();
                let client = self.client_id.clone().unwrap_or_default();
                if self.strategy == STRATEGY_TWO_SECRETS {
                    vec![format!(
                        "aws cognito-idp add-user-pool-client-secret --user-pool-id {} --client-id {} {r}",
                        quote(&pool),
                        quote(&client)
                    )]
                } else {
                    vec![format!(
                        "aws cognito-idp create-user-pool-client --user-pool-id {} --client-name {}/{} --generate-secret \
                         --allowed-o-auth-flows client_credentials --allowed-o-auth-flows-user-pool-client {r}",
                        quote(&pool),
                        quote(&self.partner.id),
                        stamp(now())
                    )]
                }
            }
        }
    }
}

pub const STRATEGY_TWO_SECRETS: &str = "second secret";
pub const STRATEGY_SECOND_CLIENT: &str = "second app client";

/// Check a rotation: the partner exists, has the credential, and is not rotating it already.
pub async fn check_rotate(
    env: Env<'_>,
    partner: &str,
    pool: Option<&str>,
    credential: Credential,
    destination: Destination,
    at_once: bool,
) -> Result<RotatePlan, OpError> {
    let ctx = env.ctx;
    let found = super::list(ctx, pool, env.state, env.grace, Some(partner)).await?;
    let Some(p) = found.into_iter().next() else { return Err(refused(format!("partner {partner} not found"))) };
    if p.status.starts_with("interrupted") {
        return Err(refused(format!(
            "partner {partner}: {}; run `portcullis partners reconcile {partner}` first",
            p.status
        )));
    }
    handover::check_free(ctx, &destination).await.map_err(refused)?;
    let retire_after = if at_once { now() } else { now() + time::Duration::try_from(env.grace).unwrap_or_default() };
    let mut plan = RotatePlan {
        partner: p,
        credential,
        destination,
        now: at_once,
        old_key: None,
        client_id: None,
        strategy: String::new(),
        pool: None,
        retire_after,
        existing_secrets: vec![],
    };
    match credential {
        Credential::Key => {
            let keys = keys::list_keys(ctx, Some(partner)).await?;
            if let Some(k) = keys
                .iter()
                .find(|k| k.enabled && plan.partner.keys.iter().any(|pk| pk.id == k.id && pk.retire_after.is_some()))
            {
                return Err(refused(format!(
                    "partner {partner} is rotating key {} already (retired after {}); `partners reconcile` finishes it",
                    k.id,
                    plan.partner
                        .keys
                        .iter()
                        .find(|pk| pk.id == k.id)
                        .and_then(|pk| pk.retire_after.clone())
                        .unwrap_or_default()
                )));
            }
            // The newest enabled key is the one in use.
            let old = keys.iter().filter(|k| k.enabled).max_by(|a, b| a.created_date.cmp(&b.created_date)).cloned();
            let Some(old) = old else {
                return Err(refused(format!("partner {partner} has no enabled API key to rotate")));
            };
            // Its plans read for this key alone (a listing's may be incomplete under faults).
            let old = keys::get_key(ctx, &old.id).await?;
            plan.strategy = "new API key".into();
            plan.old_key = Some(old);
        }
        Credential::Secret => {
            let pool = pool
                .ok_or_else(|| refused("no partner user pool: set partner_pool in the config or pass --user-pool"))?;
            let clients = &plan.partner.app_clients;
            let client = match clients.as_slice() {
                [] => return Err(refused(format!("partner {partner} has no app client"))),
                [one] => one.clone(),
                _ => {
                    return Err(refused(format!(
                        "partner {partner} has {} app clients (a rotation by a second client is running); `partners reconcile` finishes it",
                        clients.len()
                    )));
                }
            };
            plan.strategy = match cognito::list_secrets(ctx, pool, &client.client_id).await? {
                Some(s) if s.len() >= 2 => {
                    return Err(refused(format!(
                        "app client {} has two secrets already (Cognito allows two): a rotation is running; `partners reconcile` finishes it",
                        client.client_id
                    )));
                }
                Some(s) => {
                    plan.existing_secrets = s.into_iter().filter_map(|x| x.id).collect();
                    STRATEGY_TWO_SECRETS.into()
                }
                None => STRATEGY_SECOND_CLIENT.into(),
            };
            plan.client_id = Some(client.client_id.clone());
            plan.pool = Some(cognito::pool_info(ctx, pool).await?);
        }
    }
    Ok(plan)
}

pub async fn rotate(env: Env<'_>, plan: &RotatePlan) -> Result<Credentials, OpError> {
    let p = &plan.partner;
    let mut creds = Credentials {
        partner: p.id.clone(),
        region: env.ctx.region.clone(),
        user_pool_id: p.user_pool_id.clone(),
        strategy: plan.strategy.clone(),
        ..Default::default()
    };
    let kind = match plan.credential {
        Credential::Key => {
            let old = plan.old_key.as_ref().ok_or_else(|| refused("no key to rotate"))?;
            let value = values::api_key_value().map_err(refused)?;
            let kind = OpKind::RotateKey {
                old_key: old.id.clone(),
                plans: old.plan_ids.clone(),
                key_name: format!("{}-{}", p.id, day(now())),
                key_fingerprint: fingerprint(&value),
                retire_after: rfc3339(plan.retire_after),
                destination: plan.destination.clone(),
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
                fallback_client: if plan.strategy == STRATEGY_TWO_SECRETS {
                    String::new()
                } else {
                    format!("{}/{}", p.id, stamp(now()))
                },
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
        id: super::operation_id(now()).map_err(refused)?,
        partner: p.id.clone(),
        region: env.ctx.region.clone(),
        started: rfc3339(now()),
        user_pool_id: p.user_pool_id.clone(),
        kind,
    };
    let mut journal = Journal::begin(env.state, &op)?;
    let creds = rotate_steps(env, &mut journal, &op, creds).await?;
    retire_now(env, &mut journal, &op).await?;
    journal.finish()?;
    Ok(creds)
}

async fn rotate_steps(
    env: Env<'_>,
    journal: &mut Journal,
    op: &Operation,
    mut creds: Credentials,
) -> Result<Credentials, OpError> {
    let ctx = env.ctx;
    let destination = op.destination().cloned().unwrap_or(Destination::Stdout);
    if journal.done("handover").is_none() {
        journal.intent("handover")?;
        handover::prepare(ctx, &destination, &creds, &op.partner).await?;
        journal.record_done("handover", BTreeMap::new())?;
    }
    match &op.kind {
        OpKind::RotateKey { old_key, plans, key_name, retire_after, .. } => {
            let value = creds.api_key.clone().ok_or_else(|| refused("the new key's value is missing"))?;
            // The new key carries the old one's tags (none of ours) and says what it replaces.
            let tags = async {
                let old = keys::get_key(ctx, old_key).await?;
                let mut tags: BTreeMap<String, String> =
                    old.tags.into_iter().filter(|(k, _)| !k.starts_with("portcullis:")).collect();
                tags.insert(TAG_PARTNER.into(), op.partner.clone());
                tags.insert(TAG_ROTATES.into(), old_key.clone());
                tags.insert(TAG_RETIRE_AFTER.into(), retire_after.clone());
                Ok(tags)
            };
            let key_id = key_step(ctx, journal, &op.partner, key_name, &value, tags).await?;
            attach_steps(ctx, journal, &key_id, plans).await?;
            creds.api_key_id = Some(key_id);
        }
        OpKind::RotateSecret { client_id, fallback_client, existing_secrets, .. } => {
            let pool = op.user_pool_id.clone().unwrap_or_default();
            let secret = creds.client_secret.clone().ok_or_else(|| refused("the new secret's value is missing"))?;
            if fallback_client.is_empty() {
                if journal.done("add-secret").is_none() {
                    journal.intent("add-secret")?;
                    let listed = cognito::list_secrets(ctx, &pool, client_id).await?.unwrap_or_default();
                    // A secret that was not there when the rotation began is this one (adopted after a crash).
                    let ours = listed.iter().find(|s| s.id.as_ref().is_some_and(|id| !existing_secrets.contains(id)));
                    let id = match ours {
                        Some(s) => s.id.clone().unwrap_or_default(),
                        None => match cognito::add_secret(ctx, &pool, client_id, &secret).await? {
                            Some(s) => s.id.unwrap_or_default(),
                            None => return Err(refused("this endpoint has no AddUserPoolClientSecret")),
                        },
                    };
                    journal.record_done("add-secret", ids(&[("secretId", &id)]))?;
                }
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
    if destination.durable() {
        creds.exported_to = Some(destination.describe());
    }
    handover::complete(ctx, &destination, &creds, env.show).await?;
    journal.record_done("finalize", BTreeMap::new())?;
    Ok(creds)
}

/// `--now`: the old credential retires at once (a leaked one), once the new one is handed
/// over. Idempotent, so a resumed rotation does it too.
async fn retire_now(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<(), OpError> {
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
async fn rotate_back(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<Vec<String>, OpError> {
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

// ------------------------------------------------------------------------- offboard

/// What offboarding will remove.
#[derive(Debug, Clone)]
pub struct OffboardPlan {
    pub partner: Partner,
}

impl OffboardPlan {
    pub fn describe(&self) -> String {
        format!(
            "offboard partner {}: disable and delete {} API key(s), delete {} app client(s)",
            self.partner.id,
            self.partner.keys.len(),
            self.partner.app_clients.len()
        )
    }

    pub fn aws_cli(&self, region: &str) -> Vec<String> {
        let r = format!("--region {}", quote(region));
        let p = &self.partner;
        let mut out: Vec<String> = p
            .keys
            .iter()
            .map(|k| {
                format!(
                    "aws apigateway update-api-key --api-key {} --patch-operations op=replace,path=/enabled,value=false {r}",
                    quote(&k.id)
                )
            })
            .collect();
        for k in &p.keys {
            out.extend(k.plan_ids.iter().map(|plan| {
                format!(
                    "aws apigateway delete-usage-plan-key --usage-plan-id {} --key-id {} {r}",
                    quote(plan),
                    quote(&k.id)
                )
            }));
        }
        out.extend(p.keys.iter().map(|k| format!("aws apigateway delete-api-key --api-key {} {r}", quote(&k.id))));
        let pool = p.user_pool_id.clone().unwrap_or_default();
        out.extend(p.app_clients.iter().map(|c| {
            format!(
                "aws cognito-idp delete-user-pool-client --user-pool-id {} --client-id {} {r}",
                quote(&pool),
                quote(&c.client_id)
            )
        }));
        out
    }
}

pub async fn check_offboard(env: Env<'_>, partner: &str, pool: Option<&str>) -> Result<OffboardPlan, OpError> {
    let found = super::list(env.ctx, pool, env.state, env.grace, Some(partner)).await?;
    match found.into_iter().next() {
        Some(p) => Ok(OffboardPlan { partner: p }),
        None => Err(refused(format!("partner {partner} not found"))),
    }
}

pub async fn offboard(env: Env<'_>, plan: &OffboardPlan) -> Result<Vec<String>, OpError> {
    let op = Operation {
        id: super::operation_id(now()).map_err(refused)?,
        partner: plan.partner.id.clone(),
        region: env.ctx.region.clone(),
        started: rfc3339(now()),
        user_pool_id: plan.partner.user_pool_id.clone(),
        kind: OpKind::Offboard,
    };
    let mut journal = Journal::begin(env.state, &op)?;
    let done = offboard_steps(env, &mut journal, &op).await?;
    journal.finish()?;
    Ok(done)
}

/// Disable every key first (that stops traffic at once), then take them out of their plans,
/// delete them and the app clients. Read afresh each time: a resumed run does what is left.
async fn offboard_steps(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<Vec<String>, OpError> {
    let ctx = env.ctx;
    let mut done = Vec::new();
    let keys = keys::list_keys(ctx, Some(&op.partner)).await?;
    for k in keys.iter().filter(|k| k.enabled) {
        let step = format!("disable:{}", k.id);
        journal.intent(&step)?;
        match keys::set_enabled(ctx, &k.id, false).await {
            Err(e) if e.kind != ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
        journal.record_done(&step, BTreeMap::new())?;
        done.push(format!("disabled API key {}", k.id));
    }
    for k in &keys {
        for plan in &k.plan_ids {
            let step = format!("detach:{}:{plan}", k.id);
            journal.intent(&step)?;
            keys::remove_from_plan(ctx, &k.id, plan).await?;
            journal.record_done(&step, BTreeMap::new())?;
        }
        let step = format!("delete-key:{}", k.id);
        journal.intent(&step)?;
        keys::delete_if_there(ctx, &k.id).await?;
        journal.record_done(&step, BTreeMap::new())?;
        done.push(format!("deleted API key {}", k.id));
    }
    if let Some(pool) = &op.user_pool_id {
        for (id, _) in
            cognito::client_names(ctx, pool).await?.into_iter().filter(|(_, n)| cognito::names_partner(n, &op.partner))
        {
            let step = format!("delete-client:{id}");
            journal.intent(&step)?;
            cognito::delete_client(ctx, pool, &id).await?;
            journal.record_done(&step, BTreeMap::new())?;
            done.push(format!("deleted app client {id}"));
        }
    }
    Ok(done)
}

// ------------------------------------------------------------------------- reconcile

/// One thing reconcile did, would do (`--dry-run`), or cannot do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub partner: String,
    /// `resume`, `undo`, `retire`, `delete`, `cannot fix`.
    pub kind: String,
    pub what: String,
    /// The AWS CLI equivalent, when it is one call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_cli: Option<String>,
    pub done: bool,
    #[serde(skip)]
    pub todo: Todo,
}

/// What an action does, typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Todo {
    /// Take up the operation in this journal file.
    Resume(std::path::PathBuf),
    DisableKey(String),
    DeleteKey(String),
    DeleteSecret {
        client: String,
        secret: String,
    },
    DeleteClient(String),
    #[default]
    Nothing,
}

/// What is due: interrupted operations, old credentials past their time, and what is wrong
/// that reconcile cannot fix. Nothing changes here.
pub async fn due(env: Env<'_>, pool: Option<&str>, only: Option<&str>) -> Result<Vec<Action>, OpError> {
    let ctx = env.ctx;
    let r = format!("--region {}", quote(&ctx.region));
    let mut out = Vec::new();
    let dir = super::journal::journal_dir(env.state).ok();
    for (path, op) in dir.as_deref().map(super::journal::unfinished).transpose()?.unwrap_or_default() {
        if op.region != ctx.region || only.is_some_and(|o| o != op.partner) {
            continue;
        }
        let forward = op.destination().is_none_or(Destination::durable);
        out.push(Action {
            partner: op.partner.clone(),
            kind: if forward { "resume" } else { "undo" }.into(),
            what: format!("{} begun {} ({})", op.label(), op.started, path.display()),
            aws_cli: None,
            done: false,
            todo: Todo::Resume(path.clone()),
        });
    }
    let t = now();
    let after = time::Duration::try_from(env.retire_delete_after).unwrap_or_default();
    let grace = time::Duration::try_from(env.grace).unwrap_or_default();
    // A partner with an operation to take up gets nothing else until that is done (an undone
    // rotation must not be followed by retiring the key it was to replace).
    let interrupted: Vec<String> = out.iter().map(|a| a.partner.clone()).collect();
    for p in super::list(ctx, pool, env.state, env.grace, only).await? {
        if interrupted.contains(&p.id) {
            continue;
        }
        for k in &p.keys {
            let Some(retire) = k.retire_after.as_deref().and_then(parse_time) else { continue };
            if k.enabled && retire <= t {
                out.push(Action {
                    partner: p.id.clone(),
                    kind: "retire".into(),
                    what: format!("disable API key {} (retire after {})", k.id, rfc3339(retire)),
                    aws_cli: Some(format!(
                        "aws apigateway update-api-key --api-key {} --patch-operations op=replace,path=/enabled,value=false {r}",
                        quote(&k.id)
                    )),
                    done: false,
                    todo: Todo::DisableKey(k.id.clone()),
                });
            } else if !k.enabled && retire + after <= t {
                out.push(Action {
                    partner: p.id.clone(),
                    kind: "delete".into(),
                    what: format!(
                        "delete API key {} (retired {}, kept {} days)",
                        k.id,
                        rfc3339(retire),
                        after.whole_days()
                    ),
                    aws_cli: Some(format!("aws apigateway delete-api-key --api-key {} {r}", quote(&k.id))),
                    done: false,
                    todo: Todo::DeleteKey(k.id.clone()),
                });
            }
        }
        let pool_id = p.user_pool_id.clone().unwrap_or_default();
        for c in p.app_clients.iter().filter(|c| c.secrets.len() > 1) {
            let newest = c.secrets.iter().filter_map(|s| s.created_date.as_deref().and_then(parse_time)).max();
            if newest.is_some_and(|n| n + grace <= t) {
                for s in &c.secrets[..c.secrets.len() - 1] {
                    let id = s.id.clone().unwrap_or_default();
                    out.push(Action {
                        partner: p.id.clone(),
                        kind: "delete".into(),
                        what: format!("delete client secret {id} of app client {} (its successor's grace has ended)", c.client_id),
                        aws_cli: Some(format!(
                            "aws cognito-idp delete-user-pool-client-secret --user-pool-id {} --client-id {} --client-secret-id {} {r}",
                            quote(&pool_id),
                            quote(&c.client_id),
                            quote(&id)
                        )),
                        done: false,
                        todo: Todo::DeleteSecret { client: c.client_id.clone(), secret: id.clone() },
                    });
                }
            }
        }
        // Only the clients a rotation makes or replaces (`<id>`, `<id>/<UTC time>`), and only
        // when the newest is a rotation's.
        let mut by_age: Vec<_> = p.app_clients.iter().filter(|c| c.rotates()).collect();
        by_age.sort_by(|a, b| a.created_date.cmp(&b.created_date));
        if by_age.len() > 1 && by_age.last().is_some_and(|c| c.name.contains('/')) {
            let newest = by_age.last().and_then(|c| c.created_date.as_deref().and_then(parse_time));
            if newest.is_some_and(|n| n + grace <= t) {
                for c in &by_age[..by_age.len() - 1] {
                    out.push(Action {
                        partner: p.id.clone(),
                        kind: "delete".into(),
                        what: format!("delete app client {} ({}; replaced by a newer client)", c.client_id, c.name),
                        aws_cli: Some(format!(
                            "aws cognito-idp delete-user-pool-client --user-pool-id {} --client-id {} {r}",
                            quote(&pool_id),
                            quote(&c.client_id)
                        )),
                        done: false,
                        todo: Todo::DeleteClient(c.client_id.clone()),
                    });
                }
            }
        }
        if p.status.starts_with("incomplete") {
            out.push(Action {
                partner: p.id.clone(),
                kind: "cannot fix".into(),
                what: format!("{} (onboard or offboard it)", p.status),
                aws_cli: None,
                done: false,
                todo: Todo::Nothing,
            });
        }
    }
    Ok(out)
}

/// Carry out what `due` found (all but what it cannot fix).
pub async fn reconcile(env: Env<'_>, pool: Option<&str>, actions: &mut [Action]) -> Result<(), OpError> {
    let ctx = env.ctx;
    let pool = pool.unwrap_or_default();
    for a in actions.iter_mut() {
        if let Todo::Resume(path) = &a.todo {
            let lines = resume(env, path).await?;
            let said = if lines.is_empty() { "nothing was left to do".to_string() } else { lines.join("; ") };
            a.what = format!("{}: {said}", a.what);
            a.done = true;
            continue;
        }
        let _lock = super::journal::lock_partner(env.state, &a.partner)?;
        match &a.todo {
            Todo::DisableKey(id) => keys::set_enabled(ctx, id, false).await?,
            Todo::DeleteKey(id) => keys::delete_if_there(ctx, id).await?,
            Todo::DeleteSecret { client, secret } => cognito::delete_secret(ctx, pool, client, secret).await?,
            Todo::DeleteClient(id) => cognito::delete_client(ctx, pool, id).await?,
            Todo::Resume(_) | Todo::Nothing => continue,
        }
        a.done = true;
    }
    Ok(())
}

/// Take up one interrupted operation: forward where its credentials are in a durable
/// destination (read back from there), back where they are not (or cannot be read).
pub async fn resume(env: Env<'_>, path: &Path) -> Result<Vec<String>, OpError> {
    let (mut journal, op) = Journal::resume(path)?;
    if journal.done("finalize").is_some() {
        // Handed over: what is left is a retirement asked for with --now, and the last line.
        retire_now(env, &mut journal, &op).await?;
        journal.finish()?;
        return Ok(vec![]);
    }
    let dest = op.destination().cloned();
    let back = match &dest {
        Some(d) if d.durable() => handover::read_back(env.ctx, d).await?.filter(|c| matches_journal(&op, c)),
        _ => None,
    };
    let lines = match (&op.kind, back) {
        (OpKind::Offboard, _) => offboard_steps(env, &mut journal, &op).await?,
        (OpKind::Onboard { .. }, Some(creds)) => {
            let c = onboard_steps(env, &mut journal, &op, creds).await?;
            vec![format!("onboarded (credentials in {})", c.exported_to.unwrap_or_default())]
        }
        (OpKind::RotateKey { .. } | OpKind::RotateSecret { .. }, Some(creds)) => {
            let c = rotate_steps(env, &mut journal, &op, creds).await?;
            retire_now(env, &mut journal, &op).await?;
            vec![format!("rotated (credentials in {})", c.exported_to.unwrap_or_default())]
        }
        (OpKind::Onboard { .. }, None) => onboard_back(env, &mut journal, &op).await?,
        (OpKind::RotateKey { .. } | OpKind::RotateSecret { .. }, None) => rotate_back(env, &mut journal, &op).await?,
    };
    journal.finish()?;
    Ok(lines)
}

/// The values in a destination are this operation's (their fingerprints are the journal's).
fn matches_journal(op: &Operation, c: &Credentials) -> bool {
    let fp = |s: &Option<Secret>| s.as_ref().map(fingerprint);
    match &op.kind {
        // The client secret handed over is what the endpoint holds: the key's value decides.
        OpKind::Onboard { key_fingerprint, .. } => fp(&c.api_key).as_ref() == Some(key_fingerprint),
        OpKind::RotateKey { key_fingerprint, .. } => fp(&c.api_key).as_ref() == Some(key_fingerprint),
        // The fallback hands over what the new client holds; before it is made, the chosen value.
        OpKind::RotateSecret { secret_fingerprint, fallback_client, .. } => {
            !fallback_client.is_empty() || fp(&c.client_secret).as_ref() == Some(secret_fingerprint)
        }
        OpKind::Offboard => true,
    }
}
