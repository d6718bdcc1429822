//! The whole estate, read once for the governance rules: the catalog with methods and routes,
//! keys and plans (one read for both), partners from those keys, custom domains and HTTP API
//! integrations; shared by `portcullis lint` and `:findings`. The rules themselves
//! (governance/) are pure functions of what is read here.

use crate::aws::{self, AwsContext, catalog};
use crate::config::Settings;
use crate::domain::{Api, ApiKey, Partner, UsagePlan};

static NO_ACCOUNT: crate::domain::AccountRef = crate::domain::AccountRef { id: None, name: None };

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
        Err(e) => Ok((keys, plans, vec![], Some(format!("{}: partners: {e}", ctx.place())))),
    }
}

pub async fn read(contexts: &[AwsContext], settings: &Settings) -> Result<Read, aws::AwsError> {
    let (catalog, regions) = tokio::join!(
        catalog::list_all(contexts, catalog::Depth::Detail),
        aws::bounded(contexts, contexts, |c| region(c, settings))
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
            Err(e) => out.problems.push(format!("{}: keys, plans or partners: {e}", ctx.place())),
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
        .filter_map(|a| {
            Some((contexts.iter().position(|c| c.is_at(a.account.id.as_deref(), &a.region))?, a.id.clone()))
        })
        .collect();
    let (domains, integrations) = tokio::join!(
        aws::bounded(contexts, contexts, aws::domains::domain_names),
        aws::bounded(contexts, &http, |(c, id)| aws::domains::integrations(&contexts[*c], id))
    );
    for (ctx, d) in contexts.iter().zip(domains) {
        match d {
            Ok(d) => out.domains.extend(d),
            Err(e) => out.problems.push(format!("{}: custom domain names: {e}", ctx.place())),
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
    // The rules run over one account at a time (a key, a plan and an API refer to each other
    // within an account), and each finding carries its account.
    let mut accounts: Vec<&crate::domain::AccountRef> = read
        .apis
        .iter()
        .map(|a| &a.account)
        .chain(read.plans.iter().map(|p| &p.account))
        .chain(read.keys.iter().map(|k| &k.account))
        .chain(read.partners.iter().map(|p| &p.account))
        .chain(read.domains.iter().map(|d| &d.account))
        .collect();
    accounts.sort();
    accounts.dedup_by(|a, b| a.id == b.id);
    if accounts.is_empty() {
        accounts.push(&NO_ACCOUNT);
    }
    let mut report = crate::governance::Report::default();
    for account in accounts {
        let mine = |a: &crate::domain::AccountRef| a.id == account.id;
        let apis: Vec<Api> = read.apis.iter().filter(|a| mine(&a.account)).cloned().collect();
        let plans: Vec<UsagePlan> = read.plans.iter().filter(|p| mine(&p.account)).cloned().collect();
        let keys: Vec<ApiKey> = read.keys.iter().filter(|k| mine(&k.account)).cloned().collect();
        let partners: Vec<Partner> = read.partners.iter().filter(|p| mine(&p.account)).cloned().collect();
        let domains: Vec<_> = read.domains.iter().filter(|d| mine(&d.account)).cloned().collect();
        let integrations: Vec<_> = read.integrations.iter().filter(|i| mine(&i.account)).cloned().collect();
        let estate = crate::governance::Estate {
            apis: &apis,
            plans: &plans,
            keys: &keys,
            partners: &partners,
            domains: &domains,
            integrations: &integrations,
            now,
            config: &settings.lint,
        };
        let mut part = crate::governance::evaluate(&estate, selection);
        for f in &mut part.findings {
            f.account = account.clone();
        }
        report.findings.extend(part.findings);
        report.exemptions.extend(part.exemptions);
    }
    let warnings = crate::governance::waivers::apply(&mut report.findings, waivers, now);
    (report, warnings)
}
