//! `portcullis lint`: every governance rule over the estate, read once with the loaders of the
//! catalog (with methods and routes), keys and plans (one read for both), and partners (from
//! those keys), then evaluated in memory. Table, JSON or SARIF; exit 0 when nothing at or above
//! `--fail-on` (default high) is left unwaived, 3 when something is, 1 when the estate could
//! not be read completely (what was read is still linted and printed), 2 on a usage error.

use super::call::Exit;
use super::table::Table;
use super::write_stdout;
use crate::aws;
use crate::config::Settings;
use crate::governance::{self, Report, Selection, Severity, waivers};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LintOutput {
    #[default]
    Table,
    Json,
    Sarif,
}

/// lint's exit codes (its `--help` says them).
pub const EXIT_CODES: &str = "Exit codes:
  0  nothing unwaived at or above --fail-on (default high)
  1  the estate could not be read completely (the findings of what was read are still printed)
  2  usage: an unknown rule, a bad waiver file, a bad flag
  3  unwaived findings at or above --fail-on";

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Exit 3 when an unwaived finding is at or above this severity.
    #[arg(long, default_value = "high", value_parser = ["info", "low", "medium", "high", "critical"])]
    pub fail_on: String,
    /// Only these rules (ids, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Not these rules.
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
    /// The waivers file (default: portcullis-waivers.toml in the current directory, if there is one).
    #[arg(long)]
    pub waivers: Option<std::path::PathBuf>,
    /// Table for people, JSON for scripts, or SARIF 2.1.0 for code scanning.
    #[arg(long, value_enum, default_value_t = LintOutput::Table)]
    pub output: LintOutput,
    /// In SARIF, keep waived results, marked as suppressed (GitHub ignores suppressions).
    #[arg(long)]
    pub sarif_include_waived: bool,
}

fn usage(message: impl Into<String>) -> anyhow::Error {
    Exit { code: 2, message: message.into() }.into()
}

pub async fn run(args: LintArgs, settings: &Settings) -> anyhow::Result<()> {
    let selection = Selection { only: args.rules.clone(), skip: args.skip.clone() };
    selection.check().map_err(usage)?;
    let fail_on: Severity = args.fail_on.parse().map_err(usage)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let waivers = waivers::load(args.waivers.as_deref(), now).map_err(usage)?;

    let contexts = aws::connect(settings).await?;
    let read = crate::estate::read(&contexts, settings).await?;
    let (report, warnings) = crate::estate::lint(&read, settings, &selection, &waivers, now);
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let problems = &read.problems;
    let text = match args.output {
        LintOutput::Json => serde_json::to_string_pretty(&json(&report))? + "\n",
        LintOutput::Sarif => {
            let account = match contexts.first() {
                // The account alone (the cache's key adds the endpoint after an `@`).
                Some(ctx) => aws::audit::account(ctx)
                    .await
                    .map(|a| a.split('@').next().unwrap_or_default().to_string())
                    .unwrap_or_else(|_| "unknown".into()),
                None => "unknown".into(),
            };
            let places: Vec<(Option<String>, String)> =
                contexts.iter().map(|c| (c.account_id.clone(), c.region.clone())).collect();
            let log = governance::sarif::log(&report, &account, &places, args.sarif_include_waived);
            serde_json::to_string_pretty(&log)? + "\n"
        }
        LintOutput::Table => table(&report),
    };
    write_stdout(&text)?;
    for p in problems {
        eprintln!("warning: {p}");
    }
    let accounts = super::unreadable_accounts(&contexts);
    if !problems.is_empty() || !accounts.is_empty() {
        return Err(Exit {
            code: 1,
            message: format!(
                "error: the estate could not be read completely ({} problem(s) above); the findings are of what was read",
                problems.len() + accounts.len()
            ),
        }
        .into());
    }
    let failing = report.findings.iter().filter(|f| !f.waived && f.severity >= fail_on).count();
    if failing > 0 {
        return Err(Exit { code: 3, message: format!("{failing} finding(s) at or above {}", fail_on.label()) }.into());
    }
    Ok(())
}

/// `{summary, findings, exemptions}`.
pub fn json(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "summary": governance::summary(report),
        "findings": report.findings,
        "exemptions": report.exemptions,
    })
}

pub fn table(report: &Report) -> String {
    let mut t = Table::new(&["SEVERITY", "RULE", "RESOURCE", "MESSAGE", "WAIVED"]);
    for f in &report.findings {
        let resource = f.resource.split_once("::/").map_or(f.resource.as_str(), |(_, r)| r).to_string();
        t.row(vec![
            f.severity.label().to_string(),
            f.rule_id.to_string(),
            resource,
            f.message.clone(),
            if f.waived { "waived".into() } else { String::new() },
        ]);
    }
    let s = governance::summary(report);
    format!(
        "{}\n{} critical, {} high, {} medium, {} low, {} info; {} waived, {} exempt by design\n",
        t.render(super::table::use_colour()).trim_end(),
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.info,
        s.waived,
        s.exempt
    )
}
