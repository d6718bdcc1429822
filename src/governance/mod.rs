//! Governance: rules over what the catalog, plans, keys and partners loaders read, evaluated
//! in memory (pure functions of domain data, no AWS call). Each rule has an id, a title, a
//! severity, why it matters, how to fix it and references, and names the AWS Security Hub
//! control and the Prowler check it matches, reporting on the same resource they report on
//! (a stage for APIGateway.1-5 and .9, an API for Prowler's authorizer checks), so the outputs
//! can be compared line by line.
//!
//! Built-in exemptions stay visible: OPTIONS methods and routes (CORS preflight) are listed as
//! exempt from the authorization rules, not silently passed.

pub mod rules;
pub mod sarif;
pub mod waivers;

use crate::domain::{Api, ApiKey, ApiKind, Partner, UsagePlan};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub code scanning's `security-severity` (critical 9.0, high 7.0, medium 4.0, low 2.0).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.0",
            Severity::High => "7.0",
            Severity::Medium => "4.0",
            Severity::Low => "2.0",
            Severity::Info => "0.0",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|v| v.label() == s)
            .ok_or_else(|| format!("`{s}` is not a severity: info, low, medium, high or critical"))
    }
}

/// What a rule is, for people and for SARIF, and its check. Not comparable: the check is a
/// function pointer, and those do not compare reliably (a rule's id names it).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub why: &'static str,
    pub fix: &'static str,
    pub references: &'static [&'static str],
    /// The AWS Security Hub control with the same semantics (`APIGateway.4`).
    pub security_hub: Option<&'static str>,
    /// The Prowler check it matches (`apigateway_restapi_waf_acl_attached`).
    pub prowler: Option<&'static str>,
    /// The AWS Config rule or OWASP API Top 10 (2023) entry it stands for, if any.
    pub counterpart: Option<&'static str>,
    /// The kind of resource the rule looks at and the function that looks at one of them.
    #[serde(skip)]
    pub check: rules::Check,
}

/// The kind of resource a finding is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceType {
    RestApi,
    HttpApi,
    Stage,
    Method,
    Route,
    UsagePlan,
    ApiKey,
    Partner,
    /// An HTTP API's integration.
    Integration,
    /// A custom domain name.
    DomainName,
}

/// One finding. Fields that do not apply are null (the JSON contract spells every one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// The resource's ARN in AWS's own form.
    pub resource: String,
    pub resource_type: ResourceType,
    pub region: String,
    #[serde(flatten)]
    pub account: crate::domain::AccountRef,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub path: Option<String>,
    pub method: Option<String>,
    pub route_key: Option<String>,
    pub plan_id: Option<String>,
    pub key_id: Option<String>,
    pub partner: Option<String>,
    pub message: String,
    pub remediation: String,
    pub security_hub: Option<&'static str>,
    pub prowler: Option<&'static str>,
    pub waived: bool,
    /// The waiver's reason and expiry, when waived.
    pub waiver: Option<String>,
}

/// A resource a rule does not apply to by design, listed so that nothing passes unseen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exemption {
    pub rule_id: &'static str,
    pub resource: String,
    pub reason: String,
}

/// What the rules are configured with (`[lint]` in the config).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LintConfig {
    /// Endpoint types an API may have (AWS Config's api-gw-endpoint-type-check).
    pub allowed_endpoint_types: Vec<String>,
    /// Tag keys every API and stage must carry.
    pub required_tags: Vec<String>,
    pub max_key_age_days: i64,
    pub max_secret_age_days: i64,
    /// A disabled key kept longer than this is flagged.
    pub disabled_key_days: i64,
    /// Stage names that are production (data trace there is flagged).
    pub production_stages: Vec<String>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            allowed_endpoint_types: vec!["REGIONAL".into(), "PRIVATE".into()],
            required_tags: vec!["owner".into()],
            max_key_age_days: 365,
            max_secret_age_days: 180,
            disabled_key_days: 30,
            production_stages: vec!["prod".into(), "production".into(), "live".into()],
        }
    }
}

/// Everything the rules look at: read once by the loaders, evaluated in memory.
pub struct Estate<'a> {
    pub apis: &'a [Api],
    pub plans: &'a [UsagePlan],
    pub keys: &'a [ApiKey],
    pub partners: &'a [Partner],
    pub domains: &'a [crate::aws::domains::DomainName],
    pub integrations: &'a [crate::aws::domains::Integration],
    /// Now, as seconds since the epoch (ages count from it).
    pub now: i64,
    pub config: &'a LintConfig,
}

/// What a lint run found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub exemptions: Vec<Exemption>,
}

/// Which rules run: all, or those named, less those skipped.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

impl Selection {
    pub fn includes(&self, id: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|r| r == id)) && !self.skip.iter().any(|r| r == id)
    }

    /// Every id named must be a rule.
    pub fn check(&self) -> Result<(), String> {
        for id in self.only.iter().chain(&self.skip) {
            if rules::rule(id).is_none() {
                return Err(format!("`{id}` is not a rule (portcullis lint --rules takes ids such as stage-waf)"));
            }
        }
        Ok(())
    }
}

/// Every rule selected over the estate, findings ordered by severity (worst first), rule, resource.
pub fn evaluate(estate: &Estate, selection: &Selection) -> Report {
    let mut report = Report::default();
    rules::run_all(estate, selection, &mut report);
    report.findings.sort_by(|a, b| {
        (b.severity, a.rule_id, &a.resource, &a.message).cmp(&(a.severity, b.rule_id, &b.resource, &b.message))
    });
    report.exemptions.sort_by(|a, b| (a.rule_id, &a.resource).cmp(&(b.rule_id, &b.resource)));
    report
}

// ---------------------------------------------------------------- ARNs and locations

/// `arn:aws:apigateway:REGION::/restapis/ID` (REST) or `/apis/ID` (HTTP).
pub fn api_arn(api: &Api) -> String {
    let kind = if api.kind == ApiKind::Rest { "restapis" } else { "apis" };
    format!("arn:aws:apigateway:{}::/{kind}/{}", api.region, api.id)
}

pub fn stage_arn(api: &Api, stage: &str) -> String {
    format!("{}/stages/{stage}", api_arn(api))
}

/// A REST method: `.../restapis/ID/resources/RESOURCE_ID/methods/VERB`.
pub fn method_arn(api: &Api, resource_id: &str, verb: &str) -> String {
    format!("{}/resources/{resource_id}/methods/{verb}", api_arn(api))
}

/// An HTTP API route: `.../apis/ID/routes/ROUTE_ID`.
pub fn route_arn(api: &Api, route_id: &str) -> String {
    format!("{}/routes/{route_id}", api_arn(api))
}

pub fn plan_arn(plan: &UsagePlan) -> String {
    format!("arn:aws:apigateway:{}::/usageplans/{}", plan.region, plan.id)
}

pub fn key_arn(region: &str, id: &str) -> String {
    format!("arn:aws:apigateway:{region}::/apikeys/{id}")
}

/// A partner's app client: `arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL/client/ID` needs
/// the account, which API Gateway ARNs lack: the partner is named as the pool and its id.
pub fn partner_arn(p: &Partner) -> String {
    format!("arn:aws:cognito-idp:{}::userpool/{}/partner/{}", p.region, p.user_pool_id.as_deref().unwrap_or("-"), p.id)
}

/// Days from an RFC 3339 date to `now` (None when there is no date or it does not parse).
pub fn age_days(date: Option<&str>, now: i64) -> Option<i64> {
    let t = time::OffsetDateTime::parse(date?, &time::format_description::well_known::Rfc3339).ok()?;
    Some((now - t.unix_timestamp()) / 86_400)
}

/// Seconds since the epoch of an RFC 3339 date.
pub fn epoch(date: &str) -> Option<i64> {
    time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339).ok().map(|t| t.unix_timestamp())
}

/// The counts per severity, and the waived ones (not counted by severity).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub waived: usize,
    /// Resources a rule does not apply to by design (listed in `exemptions`).
    pub exempt: usize,
}

pub fn summary(report: &Report) -> Summary {
    let mut s = Summary { exempt: report.exemptions.len(), ..Default::default() };
    for f in &report.findings {
        if f.waived {
            s.waived += 1;
            continue;
        }
        *match f.severity {
            Severity::Critical => &mut s.critical,
            Severity::High => &mut s.high,
            Severity::Medium => &mut s.medium,
            Severity::Low => &mut s.low,
            Severity::Info => &mut s.info,
        } += 1;
    }
    s
}

#[cfg(test)]
mod tests;
