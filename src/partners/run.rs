//! Partners for an interactive caller (the TUI): the view of every partner with what is due,
//! and a reviewed change carried out (checked again first, like the CLI does).

use super::Policy;
use super::ops::{self, Change, Credential, Env, OnboardRequest, Outcome, Show};
use super::{Credentials, Destination};
use crate::aws::{AwsContext, cognito};
use crate::domain::Partner;

/// What `:partners` shows: the partners (every region), the partner pool, and what reconcile
/// would do now (in the pool's region).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    pub partners: Vec<Partner>,
    pub pool: Option<cognito::PoolInfo>,
    pub due: Vec<ops::Action>,
    /// The region changes go to (the pool's, else the first).
    pub region: String,
    /// The account they go to (the credentials' own), when accounts are read.
    pub account: Option<String>,
    /// When it was read (RFC 3339): credential ages count from then.
    pub read_at: String,
}

/// A partner change, as the TUI asks for it.
#[derive(Debug, Clone, PartialEq)]
pub enum PartnerOp {
    Onboard {
        partner: String,
        region: String,
        plans: Vec<String>,
        scopes: Vec<String>,
        destination: Destination,
    },
    /// `now`: retire the old credential at once (a leaked one), not after the grace.
    Rotate {
        partner: String,
        region: String,
        credential: Credential,
        destination: Destination,
        now: bool,
    },
    Offboard {
        partner: String,
        region: String,
    },
    Reconcile {
        partner: Option<String>,
        region: String,
    },
}

impl PartnerOp {
    /// One line: what it does.
    pub fn describe(&self) -> String {
        match self {
            PartnerOp::Onboard { partner, .. } => format!("onboard partner {partner}"),
            PartnerOp::Rotate { partner, credential: Credential::Key, .. } => {
                format!("rotate partner {partner}'s API key")
            }
            PartnerOp::Rotate { partner, credential: Credential::Secret, .. } => {
                format!("rotate partner {partner}'s client secret")
            }
            PartnerOp::Offboard { partner, .. } => format!("offboard partner {partner}"),
            PartnerOp::Reconcile { partner: Some(p), .. } => format!("reconcile partner {p}"),
            PartnerOp::Reconcile { partner: None, .. } => "reconcile the partners".into(),
        }
    }

    pub fn region(&self) -> &str {
        match self {
            PartnerOp::Onboard { region, .. }
            | PartnerOp::Rotate { region, .. }
            | PartnerOp::Offboard { region, .. }
            | PartnerOp::Reconcile { region, .. } => region,
        }
    }
}

fn env<'a>(ctx: &'a AwsContext, all: &'a [AwsContext], settings: &'a Policy) -> Env<'a> {
    Env {
        ctx,
        all,
        state: settings.state_dir.as_deref(),
        grace: settings.grace,
        retire_delete_after: settings.retire_delete_after,
        show: Show::Caller,
    }
}

/// The region of a pool id (`eu-west-1_AbC`), if it names one of `contexts`.
fn pool_context<'a>(contexts: &'a [AwsContext], pool: Option<&str>) -> Option<&'a AwsContext> {
    let region = pool?.split('_').next()?;
    context(contexts, region).ok()
}

pub async fn load_view(contexts: &[AwsContext], settings: &Policy) -> Result<View, String> {
    let pool = settings.pool.as_deref();
    let state = settings.state_dir.as_deref();
    let listed = super::list_all(contexts, pool, state, settings.grace, None).await.map_err(|e| e.to_string())?;
    let home = pool_context(contexts, pool).or(contexts.first()).ok_or("no region")?;
    let pool_info = match pool {
        Some(p) if pool_context(contexts, Some(p)).is_some() => {
            Some(cognito::pool_info(home, p).await.map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let due = ops::due(env(home, contexts, settings), pool, None).await.map_err(|e| e.to_string())?;
    Ok(View {
        partners: listed.items,
        pool: pool_info,
        due,
        region: home.region.clone(),
        account: home.account_id.clone(),
        read_at: crate::domain::rfc3339(time::OffsetDateTime::now_utc()),
    })
}

/// The context of `region` in the credentials' own account (the TUI's changes go there).
fn context<'a>(contexts: &'a [AwsContext], region: &str) -> Result<&'a AwsContext, String> {
    crate::aws::own_in(contexts, region).ok_or_else(|| format!("no client for region {region}"))
}

/// Check `op` into the change the review shows (nothing changes here).
pub async fn plan(contexts: &[AwsContext], settings: &Policy, op: &PartnerOp) -> Result<Change, String> {
    let ctx = context(contexts, op.region())?;
    let e = env(ctx, contexts, settings);
    let pool = settings.pool.as_deref();
    let text = |e: ops::OpError| e.to_string();
    Ok(match op {
        PartnerOp::Onboard { partner, plans, scopes, destination, .. } => {
            let pool = pool.ok_or("no partner user pool: set partner_pool in the config")?.to_string();
            let req = OnboardRequest {
                partner: partner.clone(),
                pool,
                plans: plans.clone(),
                scopes: scopes.clone(),
                destination: destination.clone(),
            };
            Change::Onboard(Box::new(ops::check_onboard(e, req).await.map_err(text)?))
        }
        PartnerOp::Rotate { partner, credential, destination, now, .. } => {
            let plan = ops::check_rotate(e, partner, pool, *credential, destination.clone(), *now).await;
            Change::Rotate(Box::new(plan.map_err(text)?))
        }
        PartnerOp::Offboard { partner, .. } => {
            Change::Offboard(Box::new(ops::check_offboard(e, partner, pool).await.map_err(text)?))
        }
        PartnerOp::Reconcile { partner, .. } => {
            let actions = ops::due(e, pool, partner.as_deref()).await.map_err(text)?;
            Change::Reconcile(Box::new(ops::ReconcilePlan { region: ctx.region.clone(), actions }))
        }
    })
}

/// What a change the TUI ran gave: the credentials it handed over, and a warning to show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Executed {
    pub credentials: Option<Credentials>,
    pub warning: Option<String>,
}

/// Carry out the change the review showed.
pub async fn execute(contexts: &[AwsContext], settings: &Policy, change: &Change) -> Result<Executed, String> {
    let ctx = context(contexts, change.region())?;
    Ok(match ops::execute(env(ctx, contexts, settings), change).await.map_err(|e| e.to_string())? {
        Outcome::HandedOver(creds) => Executed { credentials: Some(*creds), warning: None },
        Outcome::Offboarded(o) => Executed { credentials: None, warning: o.warning() },
        Outcome::Reconciled(_) => Executed::default(),
    })
}
