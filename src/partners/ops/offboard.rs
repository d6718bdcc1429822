//! Offboarding: every key disabled first (traffic stops at once), then taken out of its plans
//! and deleted, then the app clients deleted.

use super::{Cleanup, Env, OpError, context_at, now, place_of, refused};
use crate::aws::{AwsContext, cognito, keys};
use crate::domain::{ApiKey, Partner, Place, Plan, rfc3339};
use crate::partners::journal::Journal;
use crate::partners::{OpKind, Operation};
use std::collections::{BTreeMap, BTreeSet};

/// One step of an offboarding, and where it goes (a partner's keys may be in several accounts
/// and regions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub at: Place,
    pub step: Cleanup,
}

/// What offboarding will remove, step by step, in every place the partner has keys.
#[derive(Debug, Clone, PartialEq)]
pub struct OffboardPlan {
    pub partner: Partner,
    pub region: String,
    /// The operation's own place (the partner pool's region).
    pub home: Place,
    pub steps: Vec<Placed>,
}

impl OffboardPlan {
    pub fn describe(&self) -> String {
        let places: BTreeSet<&Place> = self.steps.iter().map(|s| &s.at).collect();
        let spread = match places.len() {
            0 | 1 => String::new(),
            n => format!(" in {n} places ({})", places.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")),
        };
        format!(
            "offboard partner {}: disable and delete {} API key(s){spread}, delete {} app client(s)",
            self.partner.id,
            self.partner.keys.len(),
            self.partner.app_clients.len()
        )
    }

    pub fn plan(&self) -> Plan {
        let calls = self.steps.iter().map(|s| s.step.call().at(s.at.clone())).collect();
        let mut plan = Plan::new(self.describe(), &self.region, calls);
        plan.account = self.home.account.clone();
        plan
    }

    /// The other places it goes to (recorded in the journal, so a resumed run looks there too).
    fn places(&self) -> Vec<Place> {
        let all: BTreeSet<&Place> = self.steps.iter().map(|s| &s.at).filter(|p| **p != self.home).collect();
        all.into_iter().cloned().collect()
    }
}

/// The steps for the keys (in every place) and the app clients as they are now: every enabled
/// key disabled first (traffic stops at once everywhere), then each key out of its plans and
/// deleted, then each client deleted (in the pool's place).
fn steps_for(keys: &[(Place, Vec<ApiKey>)], home: &Place, pool: Option<&str>, clients: &[String]) -> Vec<Placed> {
    let placed = |at: &Place, step| Placed { at: at.clone(), step };
    let mut out: Vec<Placed> = keys
        .iter()
        .flat_map(|(at, ks)| ks.iter().filter(|k| k.enabled).map(move |k| (at, k)))
        .map(|(at, k)| placed(at, Cleanup::DisableKey { key: k.id.clone() }))
        .collect();
    for (at, ks) in keys {
        for k in ks {
            out.extend(k.plan_ids.iter().map(|p| placed(at, Cleanup::Detach { key: k.id.clone(), plan: p.clone() })));
            out.push(placed(at, Cleanup::DeleteKey { key: k.id.clone() }));
        }
    }
    if let Some(pool) = pool {
        out.extend(
            clients.iter().map(|c| placed(home, Cleanup::DeleteClient { pool: pool.to_string(), client: c.clone() })),
        );
    }
    out
}

/// What the partner has now in `places` (besides the operation's own), as steps (read afresh:
/// a resumed run does what is left).
async fn read_steps(env: Env<'_>, partner: &str, pool: Option<&str>, places: &[Place]) -> Result<Vec<Placed>, OpError> {
    let home = place_of(env.ctx);
    let mut contexts = vec![env.ctx];
    for p in places.iter().filter(|p| **p != home) {
        let Some(ctx) = context_at(env, p) else {
            return Err(OpError::Usage(format!(
                "partner {partner}'s offboarding also takes keys away in {}: connect to it (pass --accounts and \
                 --region to include it; nothing was changed there)",
                p.label()
            )));
        };
        contexts.push(ctx);
    }
    let read = crate::aws::bounded(env.all, contexts.iter().copied(), |c| keys::list_keys(c, Some(partner))).await;
    let mut keys = Vec::new();
    for (c, k) in contexts.iter().zip(read) {
        keys.push((place_of(c), k?));
    }
    let clients = match pool {
        Some(pool) => cognito::client_names(env.ctx, pool).await?,
        None => vec![],
    };
    let clients: Vec<String> =
        clients.into_iter().filter(|(_, n)| cognito::names_partner(n, partner)).map(|(id, _)| id).collect();
    Ok(steps_for(&keys, &home, pool, &clients))
}

/// The places of the connection other than the operation's own.
fn other_places(env: Env<'_>) -> Vec<Place> {
    let home = place_of(env.ctx);
    env.all.iter().map(place_of).filter(|p| *p != home).collect()
}

pub async fn check_offboard(env: Env<'_>, partner: &str, pool: Option<&str>) -> Result<OffboardPlan, OpError> {
    // Never a partial offboarding for want of an account: a key there would stay.
    let unread = env.ctx.reach.warnings();
    if !unread.is_empty() {
        return Err(OpError::Usage(format!(
            "cannot offboard partner {partner} while accounts cannot be read (a key of it there would stay): {}; \
             fix their role, or name the accounts to cover with --accounts (nothing was changed)",
            unread.join("; ")
        )));
    }
    // Never a partial offboarding for want of the pool: its app clients must be found too.
    let pool = super::known_pool(env, partner, pool).await?;
    let contexts: Vec<AwsContext> = env.all.to_vec();
    let contexts = if contexts.is_empty() { vec![env.ctx.clone()] } else { contexts };
    let found = crate::partners::list_all(&contexts, Some(&pool), env.state, env.grace, Some(partner)).await?;
    if let Some((place, e)) = found.region_errors.first() {
        return Err(OpError::Refused(format!(
            "partner {partner}'s keys in {place} cannot be read ({e}): nothing was changed"
        )));
    }
    let Some(p) = found.items.into_iter().next() else { return Err(refused(format!("partner {partner} not found"))) };
    // The partner's pool as the listing has it (none outside the pool's region: keys only).
    let steps = read_steps(env, partner, p.user_pool_id.as_deref(), &other_places(env)).await?;
    Ok(OffboardPlan { partner: p, region: env.ctx.region.clone(), home: place_of(env.ctx), steps })
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
        kind: OpKind::Offboard { places: plan.places() },
    };
    let mut journal = Journal::begin(env.state, &op)?;
    let done = run_steps(env, &mut journal, &plan.steps).await?;
    journal.finish()?;
    // What the partner gained since the review, in every place connected; a read that fails is
    // said (the offboarding is done whatever it says).
    let left = match read_steps(env, &op.partner, op.user_pool_id.as_deref(), &other_places(env)).await {
        Ok(steps) => OffboardPlan { steps, ..plan.clone() }.plan().cli(),
        Err(e) => vec![format!(
            "(what is left could not be read: {e}; run `portcullis partners offboard {}` again)",
            op.partner
        )],
    };
    Ok(Offboarded { partner: op.partner, done, left })
}

/// A resumed offboarding: what is left, read afresh.
pub(super) async fn resume(env: Env<'_>, journal: &mut Journal, op: &Operation) -> Result<Vec<String>, OpError> {
    let places = match &op.kind {
        OpKind::Offboard { places } => places.clone(),
        _ => vec![],
    };
    let steps = read_steps(env, &op.partner, op.user_pool_id.as_deref(), &places).await?;
    run_steps(env, journal, &steps).await
}

async fn run_steps(env: Env<'_>, journal: &mut Journal, steps: &[Placed]) -> Result<Vec<String>, OpError> {
    let mut done = Vec::new();
    for s in steps {
        let ctx = context_at(env, &s.at).ok_or_else(|| {
            OpError::Usage(format!("{} is not connected: pass --accounts and --region to include it", s.at.label()))
        })?;
        let step = s.step.step();
        journal.intent(&step)?;
        s.step.run(ctx).await?;
        journal.record_done(&step, BTreeMap::new())?;
        done.extend(
            s.step.done().map(|d| if s.at == place_of(env.ctx) { d } else { format!("{d} ({})", s.at.label()) }),
        );
    }
    Ok(done)
}
