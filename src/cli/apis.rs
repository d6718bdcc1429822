//! `portcullis apis [--detail] [--output table|json]`

use super::Output;
use super::table::Table;
use crate::aws::{self, catalog};
use crate::config::Settings;
use crate::domain::Api;

#[derive(Debug, clap::Args)]
pub struct ApisArgs {
    /// Also list every method (REST) and route (HTTP).
    #[arg(long)]
    pub detail: bool,
    /// Table for people, or JSON (stable field names) for scripts.
    #[arg(long, short, value_enum, default_value_t)]
    pub output: Output,
}

pub async fn run(args: ApisArgs, settings: &Settings) -> anyhow::Result<()> {
    let contexts = aws::connect(settings).await?;
    let catalog =
        catalog::list_all(&contexts, if args.detail { catalog::Depth::Detail } else { catalog::Depth::Summary })
            .await?;
    let apis = &catalog.apis;
    let text = match args.output {
        Output::Json => serde_json::to_string_pretty(apis)? + "\n",
        Output::Table => table(apis, args.detail, super::table::use_colour()),
    };
    super::write_stdout(&text)?;
    let incomplete: Vec<String> = apis
        .iter()
        .filter_map(|a| {
            let e = a.error.as_deref()?;
            Some(format!("API {} ({}, {}) is incomplete: {e}", a.name, a.id, a.region))
        })
        .collect();
    super::report_incomplete(&incomplete, incomplete.len(), "API", &catalog.region_errors, &contexts)
}

pub fn table(apis: &[Api], detail: bool, colour: bool) -> String {
    let mut t = Table::new(&["NAME", "ID", "KIND", "ACCOUNT", "REGION", "ENDPOINT", "STAGES", "OWNER", "CREATED"]);
    for a in apis {
        let stages: Vec<&str> = a.stages.iter().map(|s| s.name.as_str()).collect();
        t.row(vec![
            a.name.clone(),
            a.id.clone(),
            a.kind.label().to_string(),
            a.account.label().to_string(),
            a.region.clone(),
            a.endpoint_type.clone().unwrap_or_default(),
            stages.join(","),
            a.owner().unwrap_or("-").to_string(),
            a.created_date.as_deref().map(|d| d.get(..10).unwrap_or(d)).unwrap_or("-").to_string(),
        ]);
    }
    t.account_column(apis.iter().any(|a| a.account.id.is_some()));
    let mut out = t.render(colour);
    if detail {
        out.push_str(&detail_table(apis, colour));
    }
    out
}

fn detail_table(apis: &[Api], colour: bool) -> String {
    let mut t = Table::new(&["API", "METHOD/ROUTE", "PATH", "AUTH", "AUTHORIZER", "API KEY", "INTEGRATION"]);
    for a in apis {
        for m in a.methods.iter().flatten() {
            let authz = a.authorizer_name(m.authorizer_id.as_deref()).unwrap_or("-").to_string();
            let key = if m.api_key_required { "required" } else { "-" };
            t.row(vec![
                a.name.clone(),
                m.method.clone(),
                m.path.clone(),
                m.authorization.clone(),
                authz,
                key.into(),
                m.integration_type.clone().unwrap_or_default(),
            ]);
        }
        for r in a.routes.iter().flatten() {
            let (verb, path) = r.route_key.split_once(' ').unwrap_or((&r.route_key, ""));
            let authz = a.authorizer_name(r.authorizer_id.as_deref()).unwrap_or("-").to_string();
            t.row(vec![
                a.name.clone(),
                verb.into(),
                path.into(),
                r.authorization.clone(),
                authz,
                "-".into(),
                r.target.clone().unwrap_or_default(),
            ]);
        }
    }
    format!("\n{}", t.render(colour))
}
