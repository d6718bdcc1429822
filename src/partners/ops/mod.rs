//! The operations, step by step. Each is checked first into a plan value (`check_*`): what it
//! will call, in order, which the CLI's prompt and `--dry-run` and the TUI's review show; the
//! executor then takes that same value. Each step writes its intent to the journal, checks AWS
//! before it acts (adopting what an interrupted run made: a key with the chosen value, a client
//! of the chosen name, a key already in the plan), and writes its outcome.

mod cleanup;
mod offboard;
mod onboard;
mod reconcile;
mod rotate;

pub use super::Strategy;
pub use super::handover::Show;
pub use cleanup::Cleanup;
pub use offboard::{OffboardPlan, Offboarded, Placed, check_offboard, offboard};
pub use onboard::{OnboardPlan, OnboardRequest, check_onboard, onboard};
pub use reconcile::{Action, ActionKind, ReconcilePlan, Todo, due, reconcile, resume};
pub use rotate::{Credential, RotatePlan, check_rotate, rotate};

use super::journal::{Journal, JournalError};
use super::{Credentials, handover};
use crate::aws::cognito;
use crate::aws::keys;
use crate::aws::{AwsContext, AwsError};
use crate::domain::{Plan, Secret};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// What every operation needs: the region's clients and the settings that shape it.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// Where the operation is (the partner pool's region, else the one region named).
    pub ctx: &'a AwsContext,
    /// Every account and region of the connection (`ctx` among them): where a partner's keys
    /// may be, for the operations that cover all of them (offboarding).
    pub all: &'a [AwsContext],
    pub state: Option<&'a Path>,
    pub grace: Duration,
    pub retire_delete_after: Duration,
    /// How credentials handed over to stdout are shown (the caller's sink).
    pub show: Show,
}

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// Checked before anything changed: nothing was done.
    #[error("{0}")]
    Refused(String),
    /// Cannot be done as asked: something only the caller can say is missing (what to pass is
    /// said); nothing was done.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// A partner change, checked: the one value the review shows and the executor runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Onboard(Box<OnboardPlan>),
    Rotate(Box<RotatePlan>),
    Offboard(Box<OffboardPlan>),
    Reconcile(Box<ReconcilePlan>),
}

/// What a change did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The credentials it handed over (onboard, rotate).
    HandedOver(Box<Credentials>),
    /// What it did, and what is left (offboard).
    Offboarded(Offboarded),
    /// The actions, each marked done or not (reconcile).
    Reconciled(Vec<Action>),
}

impl Change {
    /// Its calls in order, with their AWS CLI equivalents.
    pub fn plan(&self) -> Plan {
        match self {
            Change::Onboard(p) => p.plan(),
            Change::Rotate(p) => p.plan(),
            Change::Offboard(p) => p.plan(),
            Change::Reconcile(p) => p.plan(),
        }
    }

    /// A few words for a status line (`rotate partner acme's API key`).
    pub fn title(&self) -> String {
        match self {
            Change::Onboard(p) => format!("onboard partner {}", p.request.partner),
            Change::Rotate(p) if p.credential == Credential::Key => {
                format!("rotate partner {}'s API key", p.partner.id)
            }
            Change::Rotate(p) => format!("rotate partner {}'s client secret", p.partner.id),
            Change::Offboard(p) => format!("offboard partner {}", p.partner.id),
            Change::Reconcile(p) => format!("reconcile {} thing(s)", p.fixable()),
        }
    }

    /// What must be typed to go ahead where a plain yes is not enough: the partner id for what
    /// cannot be undone (an offboarding, a retirement at once).
    pub fn typed(&self) -> Option<&str> {
        match self {
            Change::Offboard(p) => Some(&p.partner.id),
            Change::Rotate(p) if p.now => Some(&p.partner.id),
            Change::Onboard(_) | Change::Rotate(_) | Change::Reconcile(_) => None,
        }
    }

    /// The lines that say what will happen, above the calls.
    pub fn describe(&self) -> Vec<String> {
        match self {
            Change::Onboard(p) => vec![p.describe()],
            Change::Rotate(p) => vec![p.describe()],
            Change::Offboard(p) => vec![p.describe()],
            Change::Reconcile(p) => p.describe(),
        }
    }

    pub fn region(&self) -> &str {
        match self {
            Change::Onboard(p) => &p.region,
            Change::Rotate(p) => &p.region,
            Change::Offboard(p) => &p.region,
            Change::Reconcile(p) => &p.region,
        }
    }
}

/// Carry out a checked change.
pub async fn execute(env: Env<'_>, change: &Change) -> Result<Outcome, OpError> {
    Ok(match change {
        Change::Onboard(p) => Outcome::HandedOver(Box::new(onboard(env, p).await?)),
        Change::Rotate(p) => Outcome::HandedOver(Box::new(rotate(env, p).await?)),
        Change::Offboard(p) => Outcome::Offboarded(offboard(env, p).await?),
        Change::Reconcile(p) => {
            let mut actions = p.actions.clone();
            reconcile(env, &mut actions).await?;
            Outcome::Reconciled(actions)
        }
    })
}

fn refused(text: impl Into<String>) -> OpError {
    OpError::Refused(text.into())
}

/// The user pool of `partner`'s app clients, for an operation that touches them: the one its keys
/// record (`portcullis:user-pool`), else `given` (the flag or the config). Refused as a usage
/// error, with what to pass, when nobody can tell.
async fn known_pool(env: Env<'_>, partner: &str, given: Option<&str>) -> Result<String, OpError> {
    let keys = keys_everywhere(env, partner).await?.into_iter().flat_map(|(_, k)| k).collect::<Vec<_>>();
    let recorded = crate::domain::recorded_pool(&keys, partner).map_err(OpError::Usage)?;
    let Some(pool) = recorded.or(given.map(str::to_string)) else {
        if keys.iter().all(|k| k.customer_id.as_deref() != Some(partner)) {
            return Err(OpError::Usage(format!(
                "partner {partner} has no API key here, and without its user pool its app clients cannot be \
                 looked for: pass --user-pool POOL (nothing was changed)"
            )));
        }
        return Err(OpError::Usage(format!(
            "cannot tell the user pool of partner {partner}: its keys record none ({}) and no partner_pool is \
             set; pass --user-pool POOL (nothing was changed)",
            crate::domain::TAG_USER_POOL
        )));
    };
    Ok(pool)
}

/// [`known_pool`], and in this region (a pool lives in one: its id starts with it).
async fn partner_pool(env: Env<'_>, partner: &str, given: Option<&str>) -> Result<String, OpError> {
    let pool = known_pool(env, partner, given).await?;
    match pool.split_once('_') {
        Some((region, _)) if region != env.ctx.region => Err(OpError::Usage(format!(
            "the user pool of partner {partner} is {pool}, in {region}: pass --region {region} (nothing was changed)"
        ))),
        _ => Ok(pool),
    }
}

/// The place of a context, as plans and journals name it.
pub fn place_of(ctx: &AwsContext) -> crate::domain::Place {
    crate::domain::Place::new(ctx.account_id.clone(), ctx.region.clone())
}

/// The context of `place` among the connection's; `None` when it is not connected.
fn context_at<'a>(env: Env<'a>, place: &crate::domain::Place) -> Option<&'a AwsContext> {
    env.all.iter().chain(std::iter::once(env.ctx)).find(|c| place_of(c) == *place)
}

/// `partner`'s keys in every place of the connection (the operation's own first).
async fn keys_everywhere(
    env: Env<'_>,
    partner: &str,
) -> Result<Vec<(crate::domain::Place, Vec<crate::domain::ApiKey>)>, OpError> {
    let mut places: Vec<&AwsContext> = vec![env.ctx];
    places.extend(env.all.iter().filter(|c| place_of(c) != place_of(env.ctx)));
    let read = crate::aws::bounded(env.all, places.iter().copied(), |c| keys::list_keys(c, Some(partner))).await;
    let mut out = Vec::new();
    for (c, keys) in places.iter().zip(read) {
        out.push((place_of(c), keys?));
    }
    Ok(out)
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

/// The `handover` step: a durable destination written before anything goes live.
async fn handover_step(
    ctx: &AwsContext,
    journal: &mut Journal,
    destination: &super::Destination,
    creds: &Credentials,
    partner: &str,
) -> Result<(), OpError> {
    if journal.done("handover").is_none() {
        journal.intent("handover")?;
        handover::prepare(ctx, destination, creds, partner).await?;
        journal.record_done("handover", BTreeMap::new())?;
    }
    Ok(())
}

/// The hand-over completed (the `finalize` step's own part): where the credentials went is
/// said in them when it is durable, then they are written there (or shown).
async fn complete_handover(
    env: Env<'_>,
    destination: &super::Destination,
    creds: &mut Credentials,
) -> Result<(), OpError> {
    if destination.durable() {
        creds.exported_to = Some(destination.describe());
    }
    handover::complete(env.ctx, destination, creds, env.show).await?;
    Ok(())
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
/// this one; else it is made now with the `tags`.
async fn key_step(
    ctx: &AwsContext,
    journal: &mut Journal,
    partner: &str,
    name: &str,
    value: &Secret,
    tags: &BTreeMap<String, String>,
) -> Result<String, OpError> {
    if let Some(id) = journal.done("create-key").and_then(|d| d.get("keyId")).cloned() {
        return Ok(id);
    }
    journal.intent("create-key")?;
    let id = match keys::find_by_value(ctx, partner, value).await? {
        Some(id) => id,
        None => keys::create_with_value(ctx, name, partner, value, tags).await?,
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
