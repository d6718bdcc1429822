//! `portcullis keys` and its mutations: create, enable, disable, delete, attach, detach.

use super::confirm::{Decision, MutationFlags, decide};
use super::table::Table;
use super::{Output, one_region, write_stdout};
use crate::aws::{self, AwsContext, keys};
use crate::config::Settings;
use crate::domain::{ApiKey, CreatedKey, Mutation, NewKey};

#[derive(Debug, clap::Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: Option<KeysCommand>,
    /// Only this partner's keys.
    #[arg(long)]
    pub customer_id: Option<String>,
    /// Table for people, or JSON (stable field names) for scripts.
    #[arg(long, short, value_enum, default_value_t, global = true)]
    pub output: Output,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Create a key (its value is printed once, on stdout) and attach it to plans.
    Create {
        /// The key's name.
        #[arg(long)]
        name: String,
        /// Its customer id: a partner's id makes it that partner's key.
        #[arg(long)]
        customer_id: Option<String>,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// A usage plan to attach the key to (repeatable).
        #[arg(long = "plan")]
        plans: Vec<String>,
        /// Create the key disabled.
        #[arg(long)]
        disabled: bool,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Enable a key.
    Enable {
        /// The key's id.
        key_id: String,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Disable a key (calls with it start failing).
    Disable {
        /// The key's id.
        key_id: String,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Delete a key for good (asks you to type its name).
    Delete {
        /// The key's id.
        key_id: String,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Attach a key to a usage plan.
    Attach {
        /// The key's id.
        key_id: String,
        /// The usage plan's id.
        #[arg(long)]
        plan: String,
        #[command(flatten)]
        flags: MutationFlags,
    },
    /// Detach a key from a usage plan.
    Detach {
        /// The key's id.
        key_id: String,
        /// The usage plan's id.
        #[arg(long)]
        plan: String,
        #[command(flatten)]
        flags: MutationFlags,
    },
}

pub async fn run(args: KeysArgs, settings: &Settings) -> anyhow::Result<()> {
    let contexts = aws::connect(settings).await?;
    let Some(command) = args.command else {
        return list(&contexts, args.customer_id.as_deref(), args.output).await;
    };
    // A change to a key goes where the key is; a new key to the one account and region named.
    let key = match &command {
        KeysCommand::Create { .. } => None,
        KeysCommand::Enable { key_id, .. }
        | KeysCommand::Disable { key_id, .. }
        | KeysCommand::Delete { key_id, .. }
        | KeysCommand::Attach { key_id, .. }
        | KeysCommand::Detach { key_id, .. } => Some(key_id.clone()),
    };
    let ctx = match &key {
        Some(id) if contexts.len() > 1 => holder(&contexts, id).await?,
        _ => one_region(&contexts)?,
    };
    match command {
        KeysCommand::Create { name, customer_id, description, plans, disabled, flags } => {
            let new = NewKey { name, customer_id, description, plan_ids: plans, enabled: !disabled };
            create(ctx, new, &flags, args.output).await
        }
        KeysCommand::Enable { key_id, flags } => set_enabled(ctx, &key_id, true, &flags).await,
        KeysCommand::Disable { key_id, flags } => set_enabled(ctx, &key_id, false, &flags).await,
        KeysCommand::Delete { key_id, flags } => delete(ctx, &key_id, &flags).await,
        KeysCommand::Attach { key_id, plan, flags } => {
            let m = Mutation::Attach { key_id: key_id.clone(), plan_id: plan.clone() };
            mutate(ctx, &m, &flags).await
        }
        KeysCommand::Detach { key_id, plan, flags } => {
            let m = Mutation::Detach { key_id: key_id.clone(), plan_id: plan.clone() };
            mutate(ctx, &m, &flags).await
        }
    }
}

async fn list(contexts: &[AwsContext], customer: Option<&str>, output: Output) -> anyhow::Result<()> {
    let listed = aws::across_regions(contexts, |c| keys::list_keys(c, customer)).await?;
    let all = &listed.items;
    let text = match output {
        Output::Json => serde_json::to_string_pretty(all)? + "\n",
        Output::Table => keys_table(all),
    };
    write_stdout(&text)?;
    // The keys share one reason per region (their plans); it is said once per region.
    let mut incomplete: Vec<String> =
        all.iter().filter_map(|k| Some(format!("{}: {}", k.region, k.error.as_ref()?))).collect();
    incomplete.dedup();
    let n = all.iter().filter(|k| k.error.is_some()).count();
    super::report_incomplete(&incomplete, n, "key", &listed.region_errors, contexts)
}

/// The one account and region that holds key `id`, among several read; refused (exit 2) when
/// several do, with where it is and the flags that pick one.
async fn holder<'a>(contexts: &'a [AwsContext], id: &str) -> anyhow::Result<&'a AwsContext> {
    let found = aws::bounded(contexts, contexts, |c| keys::get_key(c, id)).await;
    let mut held = Vec::new();
    for (c, r) in contexts.iter().zip(found) {
        match r {
            Ok(_) => held.push(c),
            Err(e) if e.kind == aws::ErrorKind::NotFound => {}
            Err(e) => anyhow::bail!("{}: {e}", c.place()),
        }
    }
    match held.as_slice() {
        [one] => Ok(one),
        [] => anyhow::bail!("API key {id} not found in any account and region read"),
        many => {
            let places: Vec<String> = many.iter().map(|c| c.place()).collect();
            Err(super::usage_error(format!(
                "API key {id} is in {}: pick one with --accounts ID and --region REGION",
                places.join(", ")
            )))
        }
    }
}

pub fn keys_table(keys: &[ApiKey]) -> String {
    let mut t = Table::new(&["NAME", "ID", "CUSTOMER", "ENABLED", "CREATED", "UPDATED", "PLANS", "ACCOUNT", "REGION"]);
    let day = |d: &Option<String>| d.as_deref().map_or("-".to_string(), |d| d.get(..10).unwrap_or(d).to_string());
    for k in keys {
        t.row(vec![
            k.name.clone(),
            k.id.clone(),
            k.customer_id.clone().unwrap_or_else(|| "-".into()),
            if k.enabled { "yes".into() } else { "no".into() },
            day(&k.created_date),
            day(&k.last_updated_date),
            k.plan_ids.join(","),
            k.account.label().to_string(),
            k.region.clone(),
        ]);
    }
    t.account_column(keys.iter().any(|k| k.account.id.is_some()));
    t.render(super::table::use_colour())
}

/// Refuse early in read-only mode (the AWS layer refuses too), then confirm, then run.
async fn mutate(ctx: &AwsContext, m: &Mutation, flags: &MutationFlags) -> anyhow::Result<()> {
    // A dry run changes nothing, so it is allowed in read-only mode.
    if !flags.dry_run {
        ctx.check_writable(&m.describe())?;
    }
    if decide(m, &ctx.region, flags)? == Decision::DryRun {
        return Ok(());
    }
    keys::apply(ctx, m).await?;
    eprintln!("done: {}", crate::sanitize::for_terminal(&m.describe()));
    Ok(())
}

async fn set_enabled(ctx: &AwsContext, key_id: &str, enabled: bool, flags: &MutationFlags) -> anyhow::Result<()> {
    let key = keys::get_key(ctx, key_id).await?;
    let m = Mutation::SetEnabled { key_id: key_id.into(), name: key.name, enabled };
    mutate(ctx, &m, flags).await
}

async fn delete(ctx: &AwsContext, key_id: &str, flags: &MutationFlags) -> anyhow::Result<()> {
    let key = keys::get_key(ctx, key_id).await?;
    let m = Mutation::DeleteKey { key_id: key_id.into(), name: key.name };
    mutate(ctx, &m, flags).await
}

async fn create(ctx: &AwsContext, new: NewKey, flags: &MutationFlags, output: Output) -> anyhow::Result<()> {
    let m = Mutation::CreateKey(new.clone());
    if !flags.dry_run {
        ctx.check_writable(&m.describe())?;
    }
    if decide(&m, &ctx.region, flags)? == Decision::DryRun {
        return Ok(());
    }
    let created = keys::apply(ctx, &m).await?.ok_or_else(|| anyhow::anyhow!("the create gave no key"))?;
    if created.recovered {
        eprintln!("note: the create call's answer was lost, but the key was found and is used as created");
    }
    write_stdout(&created_text(&created, output)?)?;
    Ok(())
}

/// The one place a key's value is printed: stdout, once, right after it was created.
fn created_text(c: &CreatedKey, output: Output) -> anyhow::Result<String> {
    let k = &c.key;
    Ok(match output {
        Output::Json => {
            let v = serde_json::json!({
                "id": k.id, "name": k.name, "customerId": k.customer_id, "planIds": k.plan_ids, "value": c.value.expose(),
            });
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Output::Table => format!(
            "id        {}\nname      {}\ncustomer  {}\nplans     {}\nvalue     {}\n\nThe value is shown this once; store it now.\n",
            k.id,
            crate::sanitize::for_terminal(&k.name),
            crate::sanitize::for_terminal(k.customer_id.as_deref().unwrap_or("-")),
            k.plan_ids.join(","),
            c.value.expose()
        ),
    })
}
