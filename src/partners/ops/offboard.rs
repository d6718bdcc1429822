//! Offboarding: every key disabled first (traffic stops at once), then taken out of its plans
//! and deleted, then the app clients deleted.

use super::{Cleanup, Env, OpError, now, refused};
use crate::aws::{cognito, keys};
use crate::domain::{ApiKey, Partner, Plan, rfc3339};
use crate::partners::journal::Journal;
use crate::partners::{OpKind, Operation};
use std::collections::BTreeMap;

/// What offboarding will remove, step by step.
#[derive(Debug, Clone, PartialEq)]
pub struct OffboardPlan {
    pub partner: Partner,
    pub region: String,
    pub steps: Vec<Cleanup>,
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

    pub fn plan(&self) -> Plan {
        Plan::new(self.describe(), &self.region, self.steps.iter().map(Cleanup::call).collect())
    }
}

/// The steps for the keys and the app clients as they are now: the enabled keys disabled,
/// then each key out of its plans and deleted, then each client deleted.
fn steps_for(keys: &[ApiKey], pool: Option<&str>, clients: &[String]) -> Vec<Cleanup> {
    let mut out: Vec<Cleanup> =
        keys.iter().filter(|k| k.enabled).map(|k| Cleanup::DisableKey { key: k.id.clone() }).collect();
    for k in keys {
        out.extend(k.plan_ids.iter().map(|p| Cleanup::Detach { key: k.id.clone(), plan: p.clone() }));
        out.push(Cleanup::DeleteKey { key: k.id.clone() });
    }
    if let Some(pool) = pool {
        out.extend(clients.iter().map(|c| Cleanup::DeleteClient { pool: pool.to_string(), client: c.clone() }));
    }
    out
}

/// What the partner has now, as steps (read afresh: a resumed run does what is left).
async fn read_steps(env: Env<'_>, partner: &str, pool: Option<&str>) -> Result<Vec<Cleanup>, OpError> {
    let keys = keys::list_keys(env.ctx, Some(partner)).await?;
    let clients = match pool {
        Some(pool) => cognito::client_names(env.ctx, pool).await?,
        None => vec![],
    };
    let clients: Vec<String> =
        clients.into_iter().filter(|(_, n)| cognito::names_partner(n, partner)).map(|(id, _)| id).collect();
    Ok(steps_for(&keys, pool, &clients))
}

pub async fn check_offboard(env: Env<'_>, partner: &str, pool: Option<&str>) -> Result<OffboardPlan, OpError> {
    // Never a partial offboarding for want of the pool: its app clients must be found too.
    let pool = super::known_pool(env, partner, pool).await?;
    let found = crate::partners::list(env.ctx, Some(&pool), env.state, env.grace, Some(partner)).await?;
    let Some(p) = found.into_iter().next() else { return Err(refused(format!("partner {partner} not found"))) };
    // The partner's pool as the listing has it (none outside the pool's region: keys only).
    let steps = read_steps(env, partner, p.user_pool_id.as_deref()).await?;
    Ok(OffboardPlan { partner: p, region: env.ctx.region.clone(), steps })
}

/// What an offboarding did, and what the partner gained since the review (not removed unseen:
/// offboard again to remove it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Offboarded {
    pub partner: String,
    pub done: Vec<String>,
    /// The AWS CLI calls that would remove what is left.
    pub left: Vec<String>,
}

impl Offboarded {
    /// The warning for what is left, if anything is.
    pub fn warning(&self) -> Option<String> {
        (!self.left.is_empty()).then(|| {
            format!(
                "partner {} gained credentials after the review; offboard again to remove them: {}",
                self.partner,
                self.left.join("; ")
            )
        })
    }
}

/// The reviewed steps, in order; then what the partner gained since the review is read.
pub async fn offboard(env: Env<'_>, plan: &OffboardPlan) -> Result<Offboarded, OpError> {
    let op = Operation {
        id: crate::partners::operation_id(now()).map_err(refused)?,
        partner: plan.partner.id.clone(),
        region: env.ctx.region.clone(),
        started: rfc3339(now()),
        user_pool_id: plan.partner.user_pool_id.clone(),
        kind: OpKind::Offboard,
    };
    let mut journal = Journal::begin(env.state, &op)?;
    let done = run_steps(env, &mut journal, &plan.steps).await?;
    journal.finish()?;
    // Best effort: the offboarding is done whatever this read says.
    let left = read_steps(env, &op.partner, op.user_pool_id.as_deref()).await.unwrap_or_default();
    let left = left.iter().map(|s| s.call().cli(&env.ctx.region)).collect();
    Ok(Offboarded { partner: op.partner, done, left })
}

/// A resumed offboarding: what is left, read afresh.
pub(super) async fn resume(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<Vec<String>, OpError> {
    let steps = read_steps(env, &op.partner, op.user_pool_id.as_deref()).await?;
    run_steps(env, journal, &steps).await
}

async fn run_steps(env: Env<'_>, journal: &mut Journal, steps: &[Cleanup]) -> Result<Vec<String>, OpError> {
    let mut done = Vec::new();
    for s in steps {
        let step = s.step();
        journal.intent(&step)?;
        s.run(env.ctx).await?;
        journal.record_done(&step, BTreeMap::new())?;
        done.extend(s.done());
    }
    Ok(done)
}
