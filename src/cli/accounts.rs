//! `portcullis accounts [--output table|json]`: every account read, whether it could be, and
//! what it holds (APIs, partners, findings).

use super::Output;
use super::table::Table;
use crate::aws::accounts::{AccountInfo, Status};
use crate::aws::{self, AwsContext};
use crate::config::Settings;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct AccountsArgs {
    /// Table for people, or JSON (stable field names) for scripts.
    #[arg(long, short, value_enum, default_value_t)]
    pub output: Output,
}

/// One account as `accounts --output json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRow {
    pub id: String,
    pub name: Option<String>,
    /// `ok`, `denied` (its role could not be assumed) or `failed` (its reads failed).
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub regions: Vec<String>,
    pub apis: usize,
    pub partners: usize,
    /// Findings not waived, of every severity.
    pub findings: usize,
    /// When it was read (RFC 3339).
    pub read_at: String,
}

pub async fn run(args: AccountsArgs, settings: &Settings) -> anyhow::Result<()> {
    let contexts = aws::connect(settings).await?;
    let read = crate::estate::read(&contexts, settings).await?;
    let now = time::OffsetDateTime::now_utc();
    let selection = crate::governance::Selection::default();
    let (report, _) = crate::estate::lint(&read, settings, &selection, &[], now.unix_timestamp());
    let infos = accounts_of(&contexts).await;
    let rows: Vec<AccountRow> = infos.iter().map(|i| row(i, &contexts, &read, &report, now)).collect();
    let text = match args.output {
        Output::Json => serde_json::to_string_pretty(&rows)? + "\n",
        Output::Table => table(&rows),
    };
    super::write_stdout(&text)?;
    let bad: Vec<&AccountRow> = rows.iter().filter(|r| r.status != Status::Ok).collect();
    for r in &bad {
        eprintln!("warning: {}", r.error.as_deref().unwrap_or("cannot be read"));
    }
    let problems = contexts.first().map(|c| c.reach.problems.clone()).unwrap_or_default();
    for p in &problems {
        eprintln!("warning: {p}");
    }
    if !bad.is_empty() {
        anyhow::bail!("{} of {} accounts could not be read; the others are listed", bad.len(), rows.len());
    }
    for p in &read.problems {
        eprintln!("warning: {p}");
    }
    if !problems.is_empty() {
        anyhow::bail!("the organisation's accounts could not be listed; the accounts read are listed above");
    }
    if !read.problems.is_empty() {
        anyhow::bail!("{} read(s) failed (above): some counts are of what could be read", read.problems.len());
    }
    Ok(())
}

/// The accounts of the connection; the credentials' own alone when none were asked for (a row
/// that says why, when even its id cannot be had).
async fn accounts_of(contexts: &[AwsContext]) -> Vec<AccountInfo> {
    aws::accounts::of_connection(contexts).await.unwrap_or_else(|e| {
        let error = Some(e.to_string());
        vec![AccountInfo { id: "unknown".into(), name: None, status: Status::Failed, error, role_arn: None, own: true }]
    })
}

fn row(
    info: &AccountInfo,
    contexts: &[AwsContext],
    read: &crate::estate::Read,
    report: &crate::governance::Report,
    now: time::OffsetDateTime,
) -> AccountRow {
    // Without accounts asked for, every object is the one account's (their account is unset).
    let single = contexts.first().is_some_and(|c| c.account_id.is_none());
    let mine = |a: &crate::domain::AccountRef| single || a.id.as_deref() == Some(info.id.as_str());
    let places: Vec<&AwsContext> =
        contexts.iter().filter(|c| single || c.account_id.as_deref() == Some(info.id.as_str())).collect();
    let partners: std::collections::BTreeSet<&str> =
        read.partners.iter().filter(|p| mine(&p.account)).map(|p| p.id.as_str()).collect();
    let mut out = AccountRow {
        id: info.id.clone(),
        name: info.name.clone(),
        status: info.status,
        error: info.error.clone(),
        regions: places.iter().map(|c| c.region.clone()).collect(),
        apis: read.apis.iter().filter(|a| mine(&a.account)).count(),
        partners: partners.len(),
        findings: report.findings.iter().filter(|f| !f.waived && mine(&f.account)).count(),
        read_at: crate::domain::rfc3339(now),
    };
    // Readable, but every region's reads failed: the account is failed, with the first reason.
    let failed: Vec<&String> = places
        .iter()
        .filter_map(|c| read.problems.iter().find(|p| p.starts_with(&format!("{}: ", c.place()))))
        .collect();
    if out.status == Status::Ok && !places.is_empty() && failed.len() == places.len() {
        out.status = Status::Failed;
        out.error = Some(format!("{} could not be read: {}", info.id, failed[0]));
    }
    out
}

pub fn table(rows: &[AccountRow]) -> String {
    let mut t = Table::new(&["ACCOUNT", "NAME", "STATUS", "REGIONS", "APIS", "PARTNERS", "FINDINGS", "ERROR"]);
    for r in rows {
        t.row(vec![
            r.id.clone(),
            r.name.clone().unwrap_or_else(|| "-".into()),
            r.status.label().to_string(),
            r.regions.join(","),
            r.apis.to_string(),
            r.partners.to_string(),
            r.findings.to_string(),
            r.error.clone().unwrap_or_default(),
        ]);
    }
    t.render(super::table::use_colour())
}
