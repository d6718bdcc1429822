//! `portcullis-dev estate`: build the sample estate into an emulator.

use super::estate;
use crate::aws;
use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct EstateArgs {
    #[arg(long, default_value_t = 7)]
    pub rest_apis: usize,
    #[arg(long, default_value_t = 2)]
    pub http_apis: usize,
    /// Base URL HTTP_PROXY integrations forward to.
    #[arg(long)]
    pub upstream: Option<String>,
    /// Write `partner_pool = "<first region's pool id>"` (a config line) to this file.
    #[arg(long)]
    pub partner_pool_out: Option<std::path::PathBuf>,
    /// Make it an organisation: this account its management account, two workload accounts with
    /// APIs, plans and partner keys of their own, and one whose role portcullis may not assume.
    #[arg(long)]
    pub organization: bool,
}

pub async fn run(args: EstateArgs, settings: &Settings) -> anyhow::Result<()> {
    let contexts = aws::connect(settings).await?;
    let mut spec = estate::EstateSpec { rest_apis: args.rest_apis, http_apis: args.http_apis, ..Default::default() };
    if let Some(u) = args.upstream {
        spec.upstream = u;
    }
    for (i, ctx) in contexts.iter().enumerate() {
        let s = estate::build(ctx, &spec).await?;
        if let (0, Some(path)) = (i, &args.partner_pool_out) {
            std::fs::write(path, format!("partner_pool = \"{}\"\n", s.user_pool_id))?;
        }
        eprintln!(
            "built in {}: {} APIs, {} usage plans, {} API keys, user pool {}",
            ctx.region,
            s.apis.len(),
            s.plan_ids.len(),
            s.key_ids.len(),
            s.user_pool_id
        );
        if s.documentation_parts == 0 {
            eprintln!("  no documentation parts: this endpoint does not have them (the demo's front does)");
        }
        if let Some((bucket, events)) = &s.trail {
            eprintln!(
                "  trail logs: {events} events in s3://{bucket} (portcullis audit --source s3://{bucket} --since 7d)"
            );
        }
    }
    if args.organization {
        organization(settings, &spec).await?;
    }
    Ok(())
}

/// The organisation: its member accounts, and a smaller estate in each workload account (a few
/// APIs, plans, the partners' keys; no trail, no custom domain of its own).
async fn organization(settings: &Settings, spec: &estate::EstateSpec) -> anyhow::Result<()> {
    let org = estate::org::create(settings).await?;
    let members = aws::connect(&estate::org::member_settings(settings, &org)?).await?;
    let member_spec = estate::EstateSpec { rest_apis: 2, http_apis: 1, with_trail: false, ..spec.clone() };
    for ctx in members.iter().filter(|c| !c.is_own()) {
        let s = estate::build(ctx, &member_spec).await?;
        eprintln!("built in {}: {} APIs, {} API keys", ctx.place(), s.apis.len(), s.key_ids.len());
    }
    for p in members.first().map(|c| c.reach.warnings()).unwrap_or_default() {
        eprintln!("  {p}");
    }
    eprintln!(
        "organisation: {} member accounts; {} ({}) has no role portcullis may assume",
        org.members.len() + 1,
        estate::org::LOCKED,
        org.locked
    );
    Ok(())
}
