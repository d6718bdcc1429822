//! The whole estate, read once for the governance rules: the catalog with methods and routes,
//! keys and plans (one read for both), partners from those keys, custom domains and HTTP API
//! integrations; shared by `portcullis lint` and `:findings`. The rules themselves
//! (governance/) are pure functions of what is read here.

use crate::aws::{self, AwsContext, catalog};
use crate::config::Settings;
use crate::domain::{Api, ApiKey, Partner, UsagePlan};

/// The estate as read, and what could not be read (the rules run on the rest).
#[derive(Debug, Default)]
pub struct Read {
    pub apis: Vec<Api>,
    pub plans: Vec<UsagePlan>,
    pub keys: Vec<ApiKey>,
    pub partners: Vec<Partner>,
    pub domains: Vec<crate::aws::domains::DomainName>,
    pub integrations: Vec<crate::aws::domains::Integration>,
    pub problems: Vec<String>,
}

/// The keys, plans and partners of a region; partners that cannot be read (Cognito) leave the
/// keys and plans (and their findings) in, with the error said.
async fn region(
    ctx: &AwsContext,
    settings: &Settings,
) -> Result<(Vec<ApiKey>, Vec<UsagePlan>, Vec<Partner>, Option<String>), aws::AwsError> {
    let (keys, plans) = aws::keys::keys_and_plans(ctx, None, aws::keys::Values::Skip).await?;
    let pool = settings.partner_pool.as_deref();
    let state = settings.state_dir.as_deref();
    match crate::partners::from_keys(ctx, pool, state, settings.rotation_grace, None, &keys).await {
        Ok(partners) => Ok((keys, plans, partners, None)),
        Err(e) => Ok((keys, plans, vec![], Some(format!("{}: partners: {e}", ctx.region)))),
    }
}

pub async fn read(contexts: &[AwsContext], settings: &Settings) -> Result<Read, aws::AwsError> {
    let (catalog, regions) = tokio::join!(
        catalog::list_all(contexts, catalog::Depth::Detail),
        futures::future::join_all(contexts.iter().map(|c| region(c, settings)))
    );
    let catalog = catalog?;
    let mut out = Read { apis: catalog.apis, ..Default::default() };
    out.problems = catalog.region_errors.iter().map(|(r, e)| format!("{r}: {e}")).collect();
    for (ctx, r) in contexts.iter().zip(regions) {
        match r {
            Ok((k, p, partners, problem)) => {
                out.keys.extend(k);
                out.plans.extend(p);
                out.partners.extend(partners);
                out.problems.extend(problem);
            }
            Err(e) => out.problems.push(format!("{}: keys, plans or partners: {e}", ctx.region)),
        }
    }
    let problems = out
        .apis
        .iter()
        .filter_map(|a| Some(format!("API {} ({}): {}", a.name, a.id, a.error.as_ref()?)))
        .chain(
            out.plans.iter().filter_map(|p| Some(format!("usage plan {} ({}): {}", p.name, p.id, p.error.as_ref()?))),
        )
        .chain(out.partners.iter().filter_map(|p| Some(format!("partner {}: {}", p.id, p.error.as_ref()?))))
        .chain(out.keys.iter().find_map(|k| Some(format!("keys: {}", k.error.as_ref()?))))
        .collect::<Vec<_>>();
    out.problems.extend(problems);
    // Custom domains per region, and the HTTP APIs' integrations (one call per HTTP API).
    let http: Vec<(usize, String)> = out
        .apis
        .iter()
        .filter(|a| a.kind == crate::domain::ApiKind::Http)
        .filter_map(|a| Some((contexts.iter().position(|c| c.region == a.region)?, a.id.clone())))
        .collect();
    let (domains, integrations) = tokio::join!(
        futures::future::join_all(contexts.iter().map(aws::domains::domain_names)),
        futures::future::join_all(http.iter().map(|(c, id)| aws::domains::integrations(&contexts[*c], id)))
    );
    for (ctx, d) in contexts.iter().zip(domains) {
        match d {
            Ok(d) => out.domains.extend(d),
            Err(e) => out.problems.push(format!("{}: custom domain names: {e}", ctx.region)),
        }
    }
    for ((_, id), i) in http.iter().zip(integrations) {
        match i {
            Ok(i) => out.integrations.extend(i),
            Err(e) => out.problems.push(format!("HTTP API {id}: integrations: {e}")),
        }
    }
    Ok(out)
}

/// The rules over what was read, with the waivers applied: the report and the waivers' warnings.
pub fn lint(
    read: &Read,
    settings: &Settings,
    selection: &crate::governance::Selection,
    waivers: &[crate::governance::waivers::Waiver],
    now: i64,
) -> (crate::governance::Report, Vec<String>) {
    let estate = crate::governance::Estate {
        apis: &read.apis,
        plans: &read.plans,
        keys: &read.keys,
        partners: &read.partners,
        domains: &read.domains,
        integrations: &read.integrations,
        now,
        config: &settings.lint,
    };
    let mut report = crate::governance::evaluate(&estate, selection);
    let warnings = crate::governance::waivers::apply(&mut report.findings, waivers, now);
    (report, warnings)
}
