//! Onboarding: an app client (client credentials), an API key in the plans, the credentials
//! handed over once.

use super::{
    Env, OpError, attach_steps, client_step, complete_handover, day, handover_step, ids, key_step, now, refused,
};
use crate::aws::cognito::{self, PoolInfo};
use crate::aws::{ErrorKind, keys, plans};
use crate::domain::{Call, Plan, UsagePlan, attach_new_key_call, check_partner_id, partner_key_tags, rfc3339};
use crate::partners::journal::Journal;
use crate::partners::values::{self, fingerprint};
use crate::partners::{Credentials, Destination, OpKind, Operation, Strategy, handover};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct OnboardRequest {
    pub partner: String,
    pub pool: String,
    pub plans: Vec<String>,
    pub scopes: Vec<String>,
    pub destination: Destination,
}

/// What onboarding will make, checked: the pool (with its token URL), the plans, the key's name
/// and tags.
#[derive(Debug, Clone, PartialEq)]
pub struct OnboardPlan {
    pub request: OnboardRequest,
    pub region: String,
    pub pool: PoolInfo,
    pub plans: Vec<UsagePlan>,
    pub key_name: String,
    pub key_tags: BTreeMap<String, String>,
}

/// `create-user-pool-client` for a client-credentials client with a secret of ours.
pub(super) fn create_client_call(pool: &str, name: &str, scopes: &[String]) -> Call {
    Call::new("cognito-idp", "create-user-pool-client")
        .arg("--user-pool-id", pool)
        .arg("--client-name", name)
        .later("--client-secret", "generated secret")
        .switch("--allowed-o-auth-flows-user-pool-client")
        .values("--allowed-o-auth-flows", &["client_credentials".to_string()])
        .values("--allowed-o-auth-scopes", scopes)
}

/// `create-api-key` for a partner's key with a value of ours.
pub(super) fn create_key_call(name: &str, partner: &str, tags: &BTreeMap<String, String>) -> Call {
    Call::new("apigateway", "create-api-key")
        .arg("--name", name)
        .arg("--customer-id", partner)
        .later("--value", "generated key value")
        .switch("--enabled")
        .tags(tags)
}

impl OnboardPlan {
    pub fn plan(&self) -> Plan {
        let req = &self.request;
        let mut calls = handover::prepare_calls(&req.destination, &req.partner);
        calls.push(create_client_call(&self.pool.id, &req.partner, &req.scopes));
        calls.push(create_key_call(&self.key_name, &req.partner, &self.key_tags));
        calls.extend(self.plans.iter().map(|p| attach_new_key_call(&p.id)));
        calls.extend(handover::complete_calls(&req.destination));
        Plan::new(self.describe(), &self.region, calls)
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
    check_pool(&req, &pool)?;
    let chosen = chosen_plans(env, &req.plans).await?;
    let existing = crate::partners::list(ctx, Some(&req.pool), env.state, env.grace, Some(&req.partner)).await?;
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
    let key_tags = partner_key_tags(&req.partner, Some(&req.pool));
    Ok(OnboardPlan { request: req, region: ctx.region.clone(), pool, plans: chosen, key_name, key_tags })
}

fn check_pool(req: &OnboardRequest, pool: &PoolInfo) -> Result<(), OpError> {
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
    Ok(())
}

/// The plans, each found, no two covering the same API stage.
async fn chosen_plans(env: Env<'_>, ids: &[String]) -> Result<Vec<UsagePlan>, OpError> {
    let mut chosen: Vec<UsagePlan> = Vec::new();
    for id in ids {
        let plan = plans::get_plan(env.ctx, id).await.map_err(|e| match e.kind {
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
    Ok(chosen)
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
        id: crate::partners::operation_id(now()).map_err(refused)?,
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
        strategy: Strategy::NewPartner.to_string(),
        ..Default::default()
    };
    let creds = steps(env, &mut journal, &op, creds).await?;
    journal.finish()?;
    Ok(creds)
}

/// The steps, in the order of the plan's calls; a resumed onboarding takes them up too.
pub(super) async fn steps(
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
    handover_step(ctx, journal, destination, &creds, &op.partner).await?;
    let client_id = client_step(ctx, journal, &pool, &op.partner, scopes, &secret).await?;
    let tags = partner_key_tags(&op.partner, op.user_pool_id.as_deref());
    let key_id = key_step(ctx, journal, &op.partner, key_name, &key_value, &tags).await?;
    attach_steps(ctx, journal, &key_id, plans).await?;
    journal.intent("finalize")?;
    // What the endpoint holds is what is handed over (an emulator may keep its own secret).
    let (_, held) = cognito::describe(ctx, &pool, &client_id).await?;
    creds.client_secret = held.or(Some(secret));
    creds.client_id = Some(client_id.clone());
    creds.api_key_id = Some(key_id.clone());
    complete_handover(env, destination, &mut creds).await?;
    journal.record_done("finalize", ids(&[("clientId", &client_id), ("keyId", &key_id)]))?;
    Ok(creds)
}

/// Undo an onboarding that cannot go forward: the key with the journal's value fingerprint and
/// the app client named for the partner (neither existed when it began) are deleted.
pub(super) async fn back(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<Vec<String>, OpError> {
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
