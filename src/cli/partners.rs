//! `portcullis partners` and its operations: onboard, rotate, offboard, reconcile.

use super::confirm::{Change, Decision, MutationFlags, Refused, decide_change};
use super::table::Table;
use super::{Output, one_region, write_stdout};
use crate::aws::{self, AwsContext};
use crate::config::Settings;
use crate::domain::Partner;
use crate::partners::ops::{self, Credential, Env, OnboardRequest, OpError};
use crate::partners::{Credentials, Destination, handover};
use std::path::PathBuf;

/// The partner commands' exit codes (their `--help` says them).
pub const EXIT_CODES: &str = "Exit codes:
  0  done (or listed)
  1  failed or not confirmed; offboard: the partner gained credentials after the review (they are named,
     not removed); reconcile: actions left undone, or a fix it cannot make
  2  usage: the partner's user pool cannot be told (pass --user-pool), a bad flag or value";

#[derive(Debug, clap::Args)]
pub struct PartnersArgs {
    #[command(subcommand)]
    pub command: Option<PartnersCommand>,
    /// The partner user pool (default: `partner_pool` in the config).
    #[arg(long, global = true)]
    pub user_pool: Option<String>,
    /// Table for people, or JSON (stable field names) for scripts.
    #[arg(long, short, value_enum, default_value_t, global = true)]
    pub output: Output,
}

/// Where the credentials go (stdout when neither is given).
#[derive(Debug, Clone, clap::Args)]
pub struct HandoverArgs {
    /// Write the credentials as JSON to this new file (mode 0600; never overwritten).
    #[arg(long, conflicts_with = "secret_name")]
    pub export: Option<PathBuf>,
    /// Store them in this new AWS Secrets Manager secret (JSON) instead.
    #[arg(long)]
    pub secret_name: Option<String>,
    /// The KMS key for the secret (default: the account's Secrets Manager key).
    #[arg(long, requires = "secret_name")]
    pub kms_key: Option<String>,
}

impl HandoverArgs {
    fn destination(&self) -> Destination {
        match (&self.export, &self.secret_name) {
            (Some(path), _) => Destination::File { path: path.clone() },
            (None, Some(name)) => Destination::SecretsManager { name: name.clone(), kms_key: self.kms_key.clone() },
            (None, None) => Destination::Stdout,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum PartnersCommand {
    /// Onboard a partner: an app client (client credentials), an API key in the plans, the
    /// credentials handed over once.
    #[command(after_help = EXIT_CODES)]
    Onboard {
        /// The partner's id (a slug: its keys' customer id, its app clients' name).
        id: String,
        /// A usage plan for the partner's key (repeatable; at least one).
        #[arg(long = "plan", required = true)]
        plans: Vec<String>,
        /// A scope the app client may ask for, `<resource server>/<scope>` (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[command(flatten)]
        handover: HandoverArgs,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Rotate the API key or the client secret; old and new both work during the grace.
    #[command(after_help = EXIT_CODES)]
    Rotate {
        /// The partner's id (a slug: its keys' customer id, its app clients' name).
        id: String,
        /// Rotate the API key: a new key in the same plans, the old one retired after the grace.
        #[arg(long, conflicts_with = "secret", required_unless_present = "secret")]
        key: bool,
        /// Rotate the app client's secret (Cognito's two-secret model, else a second app client).
        #[arg(long)]
        secret: bool,
        /// How long both work (default: `rotation_grace` in the config, 7d).
        #[arg(long, value_parser = crate::config::parse_duration)]
        grace: Option<std::time::Duration>,
        /// Retire the old credential at once (a leaked one); asks for the partner id.
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        handover: HandoverArgs,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Offboard a partner: disable every key, then delete keys and app clients (asks for the id).
    #[command(after_help = EXIT_CODES)]
    Offboard {
        /// The partner's id (a slug: its keys' customer id, its app clients' name).
        id: String,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Finish what is due (retirements past their date), take up interrupted operations, and
    /// report what cannot be fixed.
    #[command(after_help = EXIT_CODES)]
    Reconcile {
        /// Only this partner (default: every partner).
        id: Option<String>,
        #[command(flatten)]
        flags: MutationFlags,
    },
}

pub async fn run(args: PartnersArgs, settings: &Settings) -> anyhow::Result<()> {
    let mut settings = settings.clone();
    if args.user_pool.is_some() {
        settings.partner_pool = args.user_pool.clone();
    }
    let contexts = aws::connect(&settings).await?;
    let pool = settings.partner_pool.clone();
    let env = |ctx, grace: Option<std::time::Duration>| Env {
        ctx,
        all: &contexts,
        state: settings.state_dir.as_deref(),
        grace: grace.unwrap_or(settings.rotation_grace),
        retire_delete_after: settings.retire_delete_after,
        show: ops::Show::Print { json: args.output == Output::Json, write: write_stdout },
    };
    let Some(command) = args.command else {
        return list(&contexts, pool.as_deref(), &settings, args.output).await;
    };
    // Offboarding and reconcile cover every place connected (a partner's keys in several
    // accounts and regions); onboarding and rotation act on one.
    let spread = matches!(command, PartnersCommand::Offboard { .. } | PartnersCommand::Reconcile { .. });
    let ctx = if spread { home(&contexts, pool.as_deref())? } else { one_region(&contexts)? };
    let need_pool = || pool.clone().ok_or_else(|| anyhow::anyhow!(NO_POOL));
    match command {
        PartnersCommand::Onboard { id, plans, scopes, handover, flags } => {
            let req =
                OnboardRequest { partner: id, pool: need_pool()?, plans, scopes, destination: handover.destination() };
            let plan = ops::check_onboard(env(ctx, None), req).await.map_err(op_error)?;
            if confirm(ctx, &Change::of_plan(plan.plan(), None), &flags)? == Decision::DryRun {
                return Ok(());
            }
            let creds = ops::onboard(env(ctx, None), &plan).await.map_err(op_error)?;
            said(&creds, args.output)
        }
        PartnersCommand::Rotate { id, key, secret: _, grace, now, handover, flags } => {
            let credential = if key { Credential::Key } else { Credential::Secret };
            if grace.is_some() && !key {
                // A secret's grace counts from its creation date with rotation_grace: nothing keeps another.
                anyhow::bail!("--grace applies to --key; a client secret's grace is rotation_grace in the config");
            }
            let e = env(ctx, grace);
            let plan = ops::check_rotate(e, &id, pool.as_deref(), credential, handover.destination(), now)
                .await
                .map_err(op_error)?;
            let typed = now.then(|| {
                (id.clone(), format!("The old credential stops working at once: type the partner id ({id}): "))
            });
            if confirm(ctx, &Change::of_plan(plan.plan(), typed), &flags)? == Decision::DryRun {
                return Ok(());
            }
            let creds = ops::rotate(e, &plan).await.map_err(op_error)?;
            eprintln!("strategy: {}", creds.strategy);
            said(&creds, args.output)
        }
        PartnersCommand::Offboard { id, flags } => {
            let plan = ops::check_offboard(env(ctx, None), &id, pool.as_deref()).await.map_err(op_error)?;
            let typed = Some((id.clone(), format!("Type the partner id ({id}) to offboard it: ")));
            if confirm(ctx, &Change::of_plan(plan.plan(), typed), &flags)? == Decision::DryRun {
                return Ok(());
            }
            let done = ops::offboard(env(ctx, None), &plan).await.map_err(op_error)?;
            for line in &done.done {
                eprintln!("done: {line}");
            }
            match done.warning() {
                Some(w) => anyhow::bail!(w),
                None => Ok(()),
            }
        }
        PartnersCommand::Reconcile { id, flags } => {
            let e = env(ctx, None);
            let actions = ops::due(e, pool.as_deref(), id.as_deref()).await.map_err(op_error)?;
            let mut plan = ops::ReconcilePlan { region: ctx.region.clone(), actions };
            if plan.fixable() > 0 {
                match confirm(ctx, &Change::of_plan(plan.plan(), None), &flags) {
                    Ok(Decision::Go) => ops::reconcile(e, &mut plan.actions).await.map_err(op_error)?,
                    Ok(Decision::DryRun) => {}
                    Err(refused) => eprintln!("{refused}"),
                }
            }
            let actions = plan.actions;
            let text = match args.output {
                Output::Json => serde_json::to_string_pretty(&actions)? + "\n",
                Output::Table => actions_table(&actions),
            };
            write_stdout(&text)?;
            match actions.iter().filter(|a| !a.done && a.fixable()).count() {
                0 if actions.iter().all(ops::Action::fixable) => Ok(()),
                0 => anyhow::bail!("some partners need a fix reconcile cannot make (see above)"),
                n if flags.dry_run => {
                    eprintln!("{n} action(s) due (dry run: nothing changed)");
                    Ok(())
                }
                n => anyhow::bail!("{n} action(s) not carried out"),
            }
        }
    }
}

/// Where an operation that covers every place is journalled and finds the app clients: the
/// partner pool's region in the credentials' own account, else the first place.
fn home<'a>(contexts: &'a [AwsContext], pool: Option<&str>) -> anyhow::Result<&'a AwsContext> {
    let region = pool.and_then(|p| p.split_once('_')).map(|(r, _)| r);
    let found = region.and_then(|r| aws::own_in(contexts, r));
    found.or(contexts.first()).ok_or_else(|| anyhow::anyhow!("no region to act in"))
}

const NO_POOL: &str = "no partner user pool: set partner_pool in the config or pass --user-pool";

fn confirm(ctx: &AwsContext, change: &Change, flags: &MutationFlags) -> anyhow::Result<Decision> {
    // A dry run changes nothing, so it is allowed in read-only mode.
    if !flags.dry_run {
        ctx.check_writable(&change.describe)?;
    }
    decide_change(change, &ctx.region, flags).map_err(|Refused(r)| anyhow::anyhow!(r))
}

fn op_error(e: OpError) -> anyhow::Error {
    match e {
        OpError::Usage(m) => super::usage_error(m),
        other => anyhow::anyhow!(other.to_string()),
    }
}

/// After the hand-over: the credentials were printed once already (stdout), or where they went
/// is said (without their values).
fn said(creds: &Credentials, output: Output) -> anyhow::Result<()> {
    if creds.exported_to.is_none() {
        return Ok(());
    }
    let v = creds.to_json(false);
    let text = match output {
        Output::Json => handover::pretty(&v),
        Output::Table => handover::as_table(&v),
    };
    Ok(write_stdout(&text)?)
}

async fn list(contexts: &[AwsContext], pool: Option<&str>, settings: &Settings, output: Output) -> anyhow::Result<()> {
    if pool.is_none() {
        eprintln!("note: {NO_POOL}; partners are shown from their API keys alone");
    }
    let state = settings.state_dir.as_deref();
    let listed = crate::partners::list_all(contexts, pool, state, settings.rotation_grace, None).await?;
    let text = match output {
        Output::Json => serde_json::to_string_pretty(&listed.items)? + "\n",
        Output::Table => partners_table(&listed.items, time::OffsetDateTime::now_utc()),
    };
    write_stdout(&text)?;
    let incomplete: Vec<String> = listed
        .items
        .iter()
        .filter_map(|p| Some(format!("partner {} ({}): {}", p.id, p.region, p.error.as_ref()?)))
        .collect();
    super::report_incomplete(&incomplete, incomplete.len(), "partner", &listed.region_errors, contexts)
}

pub use crate::domain::credential_age as age;

pub fn partners_table(partners: &[Partner], now: time::OffsetDateTime) -> String {
    let mut t = Table::new(&[
        "PARTNER",
        "APP CLIENTS",
        "KEYS",
        "PLANS",
        "SCOPES",
        "OLDEST CREDENTIAL",
        "STATUS",
        "ACCOUNT",
        "REGION",
    ]);
    for p in partners {
        t.row(vec![
            p.id.clone(),
            p.app_clients.len().to_string(),
            format!("{}/{}", p.enabled_keys(), p.keys.len()),
            p.plan_ids.join(","),
            p.scopes.join(" "),
            age(p.oldest_credential_date.as_deref(), now),
            p.status.clone(),
            p.accounts.join(","),
            p.regions.join(","),
        ]);
    }
    t.account_column(partners.iter().any(|p| !p.accounts.is_empty()));
    t.render(super::table::use_colour())
}

fn actions_table(actions: &[ops::Action]) -> String {
    if actions.is_empty() {
        return "nothing to reconcile\n".into();
    }
    let mut t = Table::new(&["PARTNER", "ACTION", "WHAT", "DONE"]);
    for a in actions {
        t.row(vec![a.partner.clone(), a.kind.to_string(), a.what.clone(), if a.done { "yes" } else { "no" }.into()]);
    }
    t.render(super::table::use_colour())
}
