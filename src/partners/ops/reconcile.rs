//! Reconcile: what is due (interrupted operations, old credentials past their time) and what
//! is wrong that it cannot fix; then what is due, carried out.

use super::{Cleanup, Env, OpError, now, offboard, onboard, rotate};
use crate::domain::{Partner, Place, Plan, Secret, parse_time, rfc3339};
use crate::partners::journal::{self, Journal};
use crate::partners::values::fingerprint;
use crate::partners::{Credentials, Destination, OpKind, Operation, handover};
use std::path::Path;

/// What an action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ActionKind {
    /// An interrupted operation taken up forward (its credentials are in a durable place).
    #[serde(rename = "resume")]
    Resume,
    /// An interrupted operation undone (its credentials were lost with the process).
    #[serde(rename = "undo")]
    Undo,
    /// An old key disabled after its grace.
    #[serde(rename = "retire")]
    Retire,
    /// A retired key, an old secret or a replaced client deleted.
    #[serde(rename = "delete")]
    Delete,
    /// Wrong, but not reconcile's to fix (a partner half made by hand).
    #[serde(rename = "cannot fix")]
    CannotFix,
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        f.write_str(&text)
    }
}

/// One thing reconcile did, would do (`--dry-run`), or cannot do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub partner: String,
    pub kind: ActionKind,
    pub what: String,
    /// The AWS CLI equivalent, when it is one call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_cli: Option<String>,
    pub done: bool,
    #[serde(skip)]
    pub todo: Todo,
    /// Where its call goes when not where reconcile runs (a key in another account or region).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
}

/// What an action does, typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Todo {
    /// Take up the operation in this journal file.
    Resume(std::path::PathBuf),
    Clean(Cleanup),
    #[default]
    Nothing,
}

impl Action {
    fn new(partner: &str, kind: ActionKind, what: String, todo: Todo, region: &str) -> Action {
        let aws_cli = match &todo {
            Todo::Clean(c) => Some(c.call().cli(region)),
            Todo::Resume(_) | Todo::Nothing => None,
        };
        Action { partner: partner.to_string(), kind, what, aws_cli, done: false, todo, place: None }
    }

    /// The action, done in `place` (its AWS CLI line says where).
    fn at(mut self, place: Place, home: &Place) -> Action {
        if place == *home {
            return self;
        }
        if let Todo::Clean(c) = &self.todo {
            let mut plan = Plan::new("", &home.region, vec![c.call().at(place.clone())]);
            plan.account = home.account.clone();
            self.aws_cli = plan.cli().into_iter().next();
        }
        self.what = format!("{} (in {})", self.what, place.label());
        self.place = Some(place);
        self
    }

    pub fn fixable(&self) -> bool {
        self.kind != ActionKind::CannotFix
    }
}

/// What reconcile will do: the actions found due, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconcilePlan {
    pub region: String,
    pub actions: Vec<Action>,
}

impl ReconcilePlan {
    pub fn fixable(&self) -> usize {
        self.actions.iter().filter(|a| a.fixable()).count()
    }

    pub fn plan(&self) -> Plan {
        let calls = self.actions.iter().filter_map(|a| match (&a.todo, &a.place) {
            (Todo::Clean(c), Some(place)) => Some(c.call().at(place.clone())),
            (Todo::Clean(c), None) => Some(c.call()),
            (Todo::Resume(_) | Todo::Nothing, _) => None,
        });
        Plan::new(format!("carry out {} reconcile action(s)", self.fixable()), &self.region, calls.collect())
    }

    pub fn describe(&self) -> Vec<String> {
        let mut out = vec![format!("{} thing(s) are due:", self.fixable())];
        out.extend(
            self.actions.iter().filter(|a| a.fixable()).map(|a| format!("  {} {}: {}", a.kind, a.partner, a.what)),
        );
        out
    }

    /// The plan narrowed to one partner's actions.
    pub fn only(&self, partner: Option<&str>) -> ReconcilePlan {
        let actions = self.actions.iter().filter(|a| partner.is_none_or(|p| a.partner == p)).cloned().collect();
        ReconcilePlan { region: self.region.clone(), actions }
    }
}

/// What is due: interrupted operations, old credentials past their time, and what is wrong
/// that reconcile cannot fix. Nothing changes here.
pub async fn due(env: Env<'_>, pool: Option<&str>, only: Option<&str>) -> Result<Vec<Action>, OpError> {
    let ctx = env.ctx;
    let mut out = interrupted(env, only)?;
    // A partner with an operation to take up gets nothing else until that is done (an undone
    // rotation must not be followed by retiring the key it was to replace).
    let waiting: Vec<String> = out.iter().map(|a| a.partner.clone()).collect();
    // One partner: its pool must be known (a usage error otherwise); all: each one whose pool
    // nobody can tell is reported, since its app clients cannot be checked.
    let pool = match only {
        Some(id) if out.is_empty() => Some(super::known_pool(env, id, pool).await?),
        _ => pool.map(str::to_string),
    };
    let keys = if pool.is_none() { crate::aws::keys::list_keys(ctx, only).await? } else { vec![] };
    for p in crate::partners::list(ctx, pool.as_deref(), env.state, env.grace, only).await? {
        if waiting.contains(&p.id) {
            continue;
        }
        if pool.is_none() && matches!(crate::domain::recorded_pool(&keys, &p.id), Ok(None)) {
            let what = "its user pool is unknown (its keys record none and no partner_pool is set): pass \
                        --user-pool POOL to check its app clients";
            out.push(Action::new(&p.id, ActionKind::CannotFix, what.to_string(), Todo::Nothing, &ctx.region));
        }
        out.extend(key_actions(env, &p));
        out.extend(secret_actions(env, &p));
        out.extend(client_actions(env, &p));
        if p.status.starts_with("incomplete") {
            let what = format!("{} (onboard or offboard it)", p.status);
            out.push(Action::new(&p.id, ActionKind::CannotFix, what, Todo::Nothing, &ctx.region));
        }
    }
    // Keys past their retirement in the other places connected (a rotation there): keys only.
    // A partner with any operation unfinished (in whatever region it was begun) waits for it.
    let journaled: Vec<String> = journal::unfinished_in(env.state).into_iter().map(|op| op.partner).collect();
    let home = super::place_of(ctx);
    for other in env.all.iter().filter(|c| super::place_of(c) != home) {
        for p in crate::partners::list(other, None, env.state, env.grace, only).await? {
            if !waiting.contains(&p.id) && !journaled.contains(&p.id) && !p.status.starts_with("interrupted") {
                out.extend(key_actions(env, &p).into_iter().map(|a| a.at(super::place_of(other), &home)));
            }
        }
    }
    // Accounts that cannot be read: what is due there is not known.
    for w in ctx.reach.warnings() {
        let what = format!("not checked: {w}");
        out.push(Action::new("-", ActionKind::CannotFix, what, Todo::Nothing, &ctx.region));
    }
    Ok(out)
}

/// The operations a killed process left in this region.
fn interrupted(env: Env<'_>, only: Option<&str>) -> Result<Vec<Action>, OpError> {
    let dir = journal::journal_dir(env.state).ok();
    let mut out = Vec::new();
    for (path, op) in dir.as_deref().map(journal::unfinished).transpose()?.unwrap_or_default() {
        if op.region != env.ctx.region || only.is_some_and(|o| o != op.partner) {
            continue;
        }
        let kind =
            if op.destination().is_none_or(Destination::durable) { ActionKind::Resume } else { ActionKind::Undo };
        let what = format!("{} begun {} ({})", op.label(), op.started, path.display());
        out.push(Action::new(&op.partner, kind, what, Todo::Resume(path.clone()), &env.ctx.region));
    }
    Ok(out)
}

/// Keys past their retirement: disabled; retired ones kept long enough: deleted.
fn key_actions(env: Env<'_>, p: &Partner) -> Vec<Action> {
    let t = now();
    let after = time::Duration::try_from(env.retire_delete_after).unwrap_or_default();
    let mut out = Vec::new();
    for k in &p.keys {
        let Some(retire) = k.retire_after.as_deref().and_then(parse_time) else { continue };
        let (kind, what, todo) = if k.enabled && retire <= t {
            let what = format!("disable API key {} (retire after {})", k.id, rfc3339(retire));
            (ActionKind::Retire, what, Cleanup::DisableKey { key: k.id.clone() })
        } else if !k.enabled && retire + after <= t {
            let what =
                format!("delete API key {} (retired {}, kept {} days)", k.id, rfc3339(retire), after.whole_days());
            (ActionKind::Delete, what, Cleanup::DeleteKey { key: k.id.clone() })
        } else {
            continue;
        };
        out.push(Action::new(&p.id, kind, what, Todo::Clean(todo), &env.ctx.region));
    }
    out
}

/// A client's older secret once its successor's grace has ended.
fn secret_actions(env: Env<'_>, p: &Partner) -> Vec<Action> {
    let grace = time::Duration::try_from(env.grace).unwrap_or_default();
    let pool = p.user_pool_id.clone().unwrap_or_default();
    let mut out = Vec::new();
    for c in p.app_clients.iter().filter(|c| c.secrets.len() > 1) {
        let newest = c.secrets.iter().filter_map(|s| s.created_date.as_deref().and_then(parse_time)).max();
        if newest.is_none_or(|n| n + grace > now()) {
            continue;
        }
        for s in &c.secrets[..c.secrets.len() - 1] {
            let id = s.id.clone().unwrap_or_default();
            let what =
                format!("delete client secret {id} of app client {} (its successor's grace has ended)", c.client_id);
            let todo = Cleanup::DeleteSecret { pool: pool.clone(), client: c.client_id.clone(), secret: id };
            out.push(Action::new(&p.id, ActionKind::Delete, what, Todo::Clean(todo), &env.ctx.region));
        }
    }
    out
}

/// Only the clients a rotation makes or replaces (`<id>`, `<id>/<UTC time>`), and only when
/// the newest is a rotation's and its grace has ended: the older ones deleted.
fn client_actions(env: Env<'_>, p: &Partner) -> Vec<Action> {
    let grace = time::Duration::try_from(env.grace).unwrap_or_default();
    let pool = p.user_pool_id.clone().unwrap_or_default();
    let mut by_age: Vec<_> = p.app_clients.iter().filter(|c| c.rotates()).collect();
    by_age.sort_by(|a, b| a.created_date.cmp(&b.created_date));
    let Some(newest) = by_age.last().filter(|c| by_age.len() > 1 && c.name.contains('/')) else { return vec![] };
    if newest.created_date.as_deref().and_then(parse_time).is_none_or(|n| n + grace > now()) {
        return vec![];
    }
    by_age[..by_age.len() - 1]
        .iter()
        .map(|c| {
            let what = format!("delete app client {} ({}; replaced by a newer client)", c.client_id, c.name);
            let todo = Cleanup::DeleteClient { pool: pool.clone(), client: c.client_id.clone() };
            Action::new(&p.id, ActionKind::Delete, what, Todo::Clean(todo), &env.ctx.region)
        })
        .collect()
}

/// Carry out the actions (all but what reconcile cannot fix), each under its partner's lock.
pub async fn reconcile(env: Env<'_>, actions: &mut [Action]) -> Result<(), OpError> {
    for a in actions.iter_mut() {
        match &a.todo {
            Todo::Resume(path) => {
                let lines = resume(env, path).await?;
                let said = if lines.is_empty() { "nothing was left to do".to_string() } else { lines.join("; ") };
                a.what = format!("{}: {said}", a.what);
            }
            Todo::Clean(c) => {
                let _lock = journal::lock_partner(env.state, &a.partner)?;
                let ctx = match &a.place {
                    Some(place) => super::context_at(env, place).ok_or_else(|| {
                        OpError::Usage(format!("{} is not connected: pass --accounts and --region", place.label()))
                    })?,
                    None => env.ctx,
                };
                c.run(ctx).await?;
            }
            Todo::Nothing => continue,
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
        rotate::retire_now(env, &mut journal, &op).await?;
        journal.finish()?;
        return Ok(vec![]);
    }
    let dest = op.destination().cloned();
    let back = match &dest {
        Some(d) if d.durable() => handover::read_back(env.ctx, d).await?.filter(|c| matches_journal(&op, c)),
        _ => None,
    };
    let lines = match (&op.kind, back) {
        (OpKind::Offboard { .. }, _) => offboard::resume(env, &mut journal, &op).await?,
        (OpKind::Onboard { .. }, Some(creds)) => {
            let c = onboard::steps(env, &mut journal, &op, creds).await?;
            vec![format!("onboarded (credentials in {})", c.exported_to.unwrap_or_default())]
        }
        (OpKind::RotateKey { .. } | OpKind::RotateSecret { .. }, Some(creds)) => {
            let c = rotate::steps(env, &mut journal, &op, creds).await?;
            rotate::retire_now(env, &mut journal, &op).await?;
            vec![format!("rotated (credentials in {})", c.exported_to.unwrap_or_default())]
        }
        (OpKind::Onboard { .. }, None) => onboard::back(env, &mut journal, &op).await?,
        (OpKind::RotateKey { .. } | OpKind::RotateSecret { .. }, None) => rotate::back(env, &mut journal, &op).await?,
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
        OpKind::Offboard { .. } => true,
    }
}
