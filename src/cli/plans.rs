//! `portcullis plans [--output json]` and `portcullis plans usage PLAN_ID [--key K] [--days N]`.

use super::table::Table;
use super::{Output, one_region, write_stdout};
use crate::aws::{self, plans};
use crate::config::Settings;
use crate::domain::{Usage, UsagePlan};

#[derive(Debug, clap::Args)]
pub struct PlansArgs {
    #[command(subcommand)]
    pub command: Option<PlansCommand>,
    /// Table for people, or JSON (stable field names) for scripts.
    #[arg(long, short, value_enum, default_value_t, global = true)]
    pub output: Output,
}

#[derive(Debug, clap::Subcommand)]
pub enum PlansCommand {
    /// Requests per day for a plan's keys (or one key) over the last N days.
    Usage {
        /// The usage plan's id.
        plan_id: String,
        /// Only this key's requests.
        #[arg(long)]
        key: Option<String>,
        /// How many days back (1 to 90).
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=90))]
        days: u32,
    },
}

pub async fn run(args: PlansArgs, settings: &Settings) -> anyhow::Result<()> {
    let contexts = aws::connect(settings).await?;
    match args.command {
        None => {
            let listed = aws::across_regions(&contexts, plans::list_plans).await?;
            let all = &listed.items;
            let text = match args.output {
                Output::Json => serde_json::to_string_pretty(all)? + "\n",
                Output::Table => plans_table(all),
            };
            write_stdout(&text)?;
            let incomplete: Vec<String> = all
                .iter()
                .filter_map(|p| Some(format!("usage plan {} ({}, {}): {}", p.name, p.id, p.region, p.error.as_ref()?)))
                .collect();
            super::report_incomplete(&incomplete, incomplete.len(), "usage plan", &listed.region_errors, &contexts)
        }
        Some(PlansCommand::Usage { plan_id, key, days }) => {
            let ctx = one_region(&contexts)?;
            let usage = plans::usage(ctx, &plan_id, key.as_deref(), days).await?;
            let text = match args.output {
                Output::Json => serde_json::to_string_pretty(&usage)? + "\n",
                Output::Table => usage_table(&usage),
            };
            Ok(write_stdout(&text)?)
        }
    }
}

pub fn plans_table(plans: &[UsagePlan]) -> String {
    let mut t = Table::new(&["NAME", "ID", "THROTTLE", "QUOTA", "API STAGES", "KEYS", "ACCOUNT", "REGION"]);
    for p in plans {
        let throttle = p.throttle.as_ref().map_or("-".into(), |t| {
            format!("{}/s burst {}", t.rate_limit.unwrap_or_default(), t.burst_limit.unwrap_or_default())
        });
        let quota = p.quota.as_ref().map_or("-".into(), |q| format!("{}/{}", q.limit, q.period.to_lowercase()));
        let stages: Vec<String> = p.api_stages.iter().map(|s| format!("{}/{}", s.api_id, s.stage)).collect();
        t.row(vec![
            p.name.clone(),
            p.id.clone(),
            throttle,
            quota,
            stages.join(","),
            p.key_ids.len().to_string(),
            p.account.label().to_string(),
            p.region.clone(),
        ]);
    }
    t.account_column(plans.iter().any(|p| p.account.id.is_some()));
    t.render(super::table::use_colour())
}

pub fn usage_table(u: &Usage) -> String {
    let mut t = Table::new(&["KEY", "DATE", "USED", "REMAINING"]);
    for (key, days) in &u.keys {
        for d in days {
            t.row(vec![key.clone(), d.date.clone(), d.used.to_string(), d.remaining.to_string()]);
        }
    }
    let mut out = format!("usage plan {} from {} to {}\n", u.plan_id, u.start_date, u.end_date);
    out.push_str(&t.render(super::table::use_colour()));
    out
}
