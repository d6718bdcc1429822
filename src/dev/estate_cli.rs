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
    Ok(())
}
