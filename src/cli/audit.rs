//! `portcullis audit`: CloudTrail events for the API estate, from LookupEvents or a trail's S3 logs.

use super::table::Table;
use super::{Output, write_stdout};
use crate::aws::{self, audit};
use crate::config::Settings;
use crate::domain::{AuditEvent, AuditQuery, AuditSource, DEFAULT_SOURCES, parse_since, sort_newest_first};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// `lookup` (CloudTrail event history, the last 90 days) or `s3://BUCKET[/PREFIX]` (a trail's logs).
    #[arg(long, default_value = "lookup")]
    pub source: AuditSource,
    /// 1h, 24h, 7d (any number of m, h or d) or an RFC 3339 time.
    #[arg(long, default_value = "24h")]
    pub since: String,
    /// RFC 3339; default now.
    #[arg(long)]
    pub until: Option<String>,
    /// Only this event name (`CreateApiKey`).
    #[arg(long)]
    pub event_name: Option<String>,
    /// Repeatable; default API Gateway and Cognito; `all` for every source.
    #[arg(long)]
    pub event_source: Vec<String>,
    /// User name (or a part of it).
    #[arg(long)]
    pub user: Option<String>,
    /// Resource name or ARN (or a part of it).
    #[arg(long)]
    pub resource: Option<String>,
    /// Only events that failed.
    #[arg(long)]
    pub errors: bool,
    /// At most this many events.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Only this account's events (its id), when accounts are read.
    #[arg(long)]
    pub account: Option<String>,
    /// Table for people, or JSON (stable field names) for scripts.
    #[arg(long, short, value_enum, default_value_t)]
    pub output: Output,
}

pub fn query(args: &AuditArgs, now: time::OffsetDateTime) -> anyhow::Result<AuditQuery> {
    let until = match &args.until {
        Some(u) => {
            crate::domain::parse_time(u).ok_or_else(|| anyhow::anyhow!("--until `{u}` is not an RFC 3339 time"))?
        }
        None => now,
    };
    let sources = match args.event_source.as_slice() {
        [] => DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect(),
        [all] if all == "all" => vec![],
        given => given.to_vec(),
    };
    Ok(AuditQuery {
        since: parse_since(&args.since, now).map_err(|e| anyhow::anyhow!("--since: {e}"))?,
        until,
        event_name: args.event_name.clone(),
        event_sources: sources,
        user: args.user.clone(),
        resource: args.resource.clone(),
        errors_only: args.errors,
        read_only: None,
        limit: args.limit,
    })
}

pub async fn run(args: AuditArgs, settings: &Settings) -> anyhow::Result<()> {
    let mut q = query(&args, time::OffsetDateTime::now_utc())?;
    let mut contexts = aws::connect(settings).await?;
    if let (Some(a), AuditSource::Lookup) = (&args.account, &args.source) {
        // The event history of that account alone (with one account read, there is only it); a
        // trail's bucket is read as it is (an organisation trail's is in one account), its
        // events filtered below.
        contexts.retain(|c| c.account_id.as_deref().is_none_or(|id| id == a));
        if contexts.is_empty() {
            return Err(super::usage_error(format!("account {a} is not one of those read: pass it with --accounts")));
        }
    }
    let mut events = Vec::new();
    let mut failed = Vec::new();
    let lookup = args.source == AuditSource::Lookup;
    // One event more than asked for tells whether the limit cut the list (LookupEvents pages
    // stop there); the trail's logs are read whole anyway, so all their matches are counted.
    q.limit = if lookup { args.limit.saturating_add(1) } else { usize::MAX };
    if let AuditSource::S3 { bucket, prefix } = &args.source {
        let prefix = AuditSource::key_prefix(prefix);
        let ctx = audit::bucket_context(&contexts, bucket).await.ok_or_else(|| anyhow::anyhow!("no region"))?;
        let found = audit::from_s3(ctx, bucket, &prefix, &q, settings.cache_dir.as_deref()).await?;
        for p in &found.problems {
            eprintln!("warning: s3://{bucket}/{}: {}", p.key, p.problem);
        }
        if found.files_read == 0 && !found.problems.is_empty() {
            anyhow::bail!("none of the {} trail log files could be read", found.problems.len());
        }
        events = found.events;
    } else {
        // Every account and region at once, each within its own LookupEvents rate; merged below.
        let cache = settings.cache_dir.as_deref();
        let read = aws::bounded(&contexts, &contexts, |ctx| audit::lookup(ctx, &q, cache)).await;
        for (ctx, r) in contexts.iter().zip(read) {
            match r {
                Ok((found, filters)) => {
                    let sent: Vec<String> =
                        filters.iter().flatten().map(|f| format!("{}={}", f.key, f.value)).collect();
                    tracing::info!(place = %ctx.place(), server_filter = %sent.join(" | "), "LookupEvents");
                    events.extend(found);
                }
                Err(e) if contexts.len() == 1 => return Err(e.into()),
                Err(e) => failed.push((ctx.place(), e)),
            }
        }
    }
    if let Some(a) = &args.account {
        // A trail's logs hold every account an organisation trail delivers.
        events.retain(|e| e.account.id.as_deref().is_none_or(|id| id == a));
    }
    sort_newest_first(&mut events);
    if let Some(notice) = limit_notice(events.len(), args.limit, lookup) {
        eprintln!("{notice}");
    }
    events.truncate(args.limit);
    let text = match args.output {
        Output::Json => serde_json::to_string_pretty(&events)? + "\n",
        Output::Table => table(&events),
    };
    write_stdout(&text)?;
    super::report_incomplete(&[], 0, "event", &failed, &contexts)
}

/// What to say on stderr when `--limit` cut the list of `matched` events.
pub fn limit_notice(matched: usize, limit: usize, lookup: bool) -> Option<String> {
    if matched <= limit {
        return None;
    }
    Some(if lookup {
        format!("showing the newest {} matching events; --limit N shows more", thousands(limit))
    } else {
        format!("showing {} of {} matching events; --limit N shows more", thousands(limit), thousands(matched))
    })
}

/// 1807 -> `1,807`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn table(events: &[AuditEvent]) -> String {
    let mut t = Table::new(&["TIME", "EVENT", "SOURCE", "USER", "SOURCE IP", "RESOURCES", "ERROR", "ACCOUNT"]);
    for e in events {
        let resources: Vec<&str> = e.resources.iter().map(|r| r.name.as_str()).collect();
        t.row(vec![
            e.event_time.clone(),
            e.event_name.clone(),
            e.event_source.trim_end_matches(".amazonaws.com").to_string(),
            e.username.clone().unwrap_or_else(|| "-".into()),
            e.source_ip.clone().unwrap_or_else(|| "-".into()),
            resources.join(","),
            e.error_code.clone().unwrap_or_default(),
            e.account.label().to_string(),
        ]);
    }
    // Trail records name their account even when one is read: the column shows for several.
    let accounts: std::collections::BTreeSet<&Option<String>> = events.iter().map(|e| &e.account.id).collect();
    t.account_column(accounts.len() > 1);
    t.render(super::table::use_colour())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_notice_says_what_was_left_out() {
        assert_eq!(limit_notice(100, 100, false), None, "nothing cut");
        assert_eq!(
            limit_notice(1807, 100, false).as_deref(),
            Some("showing 100 of 1,807 matching events; --limit N shows more")
        );
        assert_eq!(
            limit_notice(101, 100, true).as_deref(),
            Some("showing the newest 100 matching events; --limit N shows more")
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
