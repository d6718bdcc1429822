//! The rules. Each one is a [`Rule`] declared next to its check, in the file of its subject:
//! `stage` (a stage's settings), `api` (an API, its methods and its routes), `edge` (HTTP API
//! integrations and custom domains) and `access` (usage plans, API keys and partners). This
//! file lists them in the order of docs/governance.md, runs them, and builds the findings they record.

mod access;
mod api;
mod edge;
mod stage;

pub use stage::secret_like;

use super::{
    Estate, Exemption, Finding, Report, ResourceType, Rule, Selection, api_arn, method_arn, route_arn, stage_arn,
};
use crate::aws::domains::{DomainName, Integration};
use crate::domain::{Api, ApiKey, ApiKind, Method, Partner, Route, Stage, Throttle, UsagePlan};
use std::fmt::Display;

const SH_DOC: &str = "https://docs.aws.amazon.com/securityhub/latest/userguide/apigateway-controls.html";
const OWASP: &str = "https://owasp.org/API-Security/editions/2023/en/0x11-t10/";
const PROWLER: &str = "https://hub.prowler.com/check?service=apigateway";
const CONFIG: &str = "https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html";

/// Every rule, in the order of the table in docs/governance.md.
pub const RULES: &[Rule] = &[
    stage::EXECUTION_LOGGING,
    stage::CLIENT_CERTIFICATE,
    stage::XRAY_TRACING,
    stage::WAF,
    stage::CACHE_ENCRYPTED,
    api::ROUTE_AUTHORIZATION,
    stage::V2_ACCESS_LOGGING,
    edge::PRIVATE_INTEGRATION_TLS,
    edge::DOMAIN_TLS_POLICY,
    api::REST_AUTHORIZERS,
    api::REST_PUBLIC_WITHOUT_AUTHORIZER,
    api::V2_AUTHORIZERS,
    stage::VARIABLE_SECRET,
    api::ENDPOINT_TYPE,
    stage::DESCRIPTION,
    stage::REST_ACCESS_LOGGING,
    api::REQUIRED_TAGS,
    stage::V2_DEFAULT_ROUTE_METRICS,
    api::NO_AUTH,
    api::OPEN_WRITE,
    api::KEY_ONLY,
    stage::NO_PLAN,
    access::PLAN_NO_THROTTLE,
    access::PLAN_NO_QUOTA,
    stage::NO_THROTTLE,
    stage::DATA_TRACE,
    api::NO_DESCRIPTION,
    api::NO_OWNER,
    access::KEY_MAX_AGE,
    access::KEY_DISABLED_KEPT,
    access::KEY_NO_PLAN,
    access::KEY_NO_CUSTOMER,
    access::SECRET_MAX_AGE,
    access::ROTATION_UNFINISHED,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// A rule's check: the kind of resource it looks at, and the function that looks at one of
/// them (given the estate too where the rule needs the config, the plans or the time). The
/// function records what it finds in [`Out`], which knows the rule: a check cannot report for
/// another rule.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Every API. A check that also looks at the API's stages, methods or routes says so.
    Api(fn(&Estate, &Api, &mut Out)),
    /// Every stage of every API.
    Stage(fn(&Estate, &Api, &Stage, &mut Out)),
    /// Every method of a REST API, when they were read.
    Method(fn(&Api, &Method, &mut Out)),
    /// Every route of an HTTP API, when they were read.
    Route(fn(&Api, &Route, &mut Out)),
    /// Every HTTP API integration.
    Integration(fn(&Integration, &mut Out)),
    /// Every custom domain name.
    Domain(fn(&DomainName, &mut Out)),
    Plan(fn(&UsagePlan, &mut Out)),
    Key(fn(&Estate, &ApiKey, &mut Out)),
    Partner(fn(&Estate, &Partner, &mut Out)),
}

impl Check {
    /// Calls the check on every resource of its kind in the estate.
    fn run(self, e: &Estate, out: &mut Out) {
        match self {
            Check::Api(f) => e.apis.iter().for_each(|api| f(e, api, out)),
            Check::Stage(f) => e.apis.iter().for_each(|api| api.stages.iter().for_each(|s| f(e, api, s, out))),
            Check::Method(f) => e.apis.iter().for_each(|api| rest_methods(api).iter().for_each(|m| f(api, m, out))),
            Check::Route(f) => e.apis.iter().for_each(|api| http_routes(api).iter().for_each(|r| f(api, r, out))),
            Check::Integration(f) => e.integrations.iter().for_each(|i| f(i, out)),
            Check::Domain(f) => e.domains.iter().for_each(|d| f(d, out)),
            Check::Plan(f) => e.plans.iter().for_each(|p| f(p, out)),
            Check::Key(f) => e.keys.iter().for_each(|k| f(e, k, out)),
            Check::Partner(f) => e.partners.iter().for_each(|p| f(e, p, out)),
        }
    }
}

/// Runs the selected rules, each over the whole estate (`evaluate` orders what they find).
pub(super) fn run_all(estate: &Estate, selection: &Selection, report: &mut Report) {
    for rule in RULES.iter().filter(|r| selection.includes(r.id)) {
        rule.check.run(estate, &mut Out { rule, report: &mut *report });
    }
}

/// Where one rule's check records its findings and exemptions: every one is that rule's.
pub struct Out<'a> {
    rule: &'static Rule,
    report: &'a mut Report,
}

impl Out<'_> {
    /// Records a finding on `resource`; its remediation is the rule's fix with the region and
    /// the ARN filled in, for the caller to fill in the rest.
    fn finding(
        &mut self,
        resource: String,
        resource_type: ResourceType,
        region: &str,
        message: String,
    ) -> &mut Finding {
        let r = self.rule;
        let remediation = r.fix.replace("{region}", region).replace("{arn}", &resource);
        let findings = &mut self.report.findings;
        findings.push(Finding {
            rule_id: r.id,
            severity: r.severity,
            title: r.title,
            resource,
            resource_type,
            region: region.to_string(),
            // The account is the caller's to set (the rules run over one account at a time).
            account: Default::default(),
            api_id: None,
            stage: None,
            path: None,
            method: None,
            route_key: None,
            plan_id: None,
            key_id: None,
            partner: None,
            message,
            remediation,
            security_hub: r.security_hub,
            prowler: r.prowler,
            waived: false,
            waiver: None,
        });
        let last = findings.len() - 1;
        &mut findings[last]
    }

    /// Records that the rule does not apply to `resource`, and why.
    fn exempt(&mut self, resource: String, reason: &str) {
        self.report.exemptions.push(Exemption { rule_id: self.rule.id, resource, reason: reason.to_string() });
    }

    /// A finding on an API: "NAME said".
    fn api(&mut self, api: &Api, said: impl Display) -> &mut Finding {
        let kind = if api.kind == ApiKind::Rest { ResourceType::RestApi } else { ResourceType::HttpApi };
        let f = self.finding(api_arn(api), kind, &api.region, format!("{} {said}", api.name));
        f.api_id = Some(api.id.clone());
        f.remediation = f.remediation.replace("{api}", &api.id);
        f
    }

    /// A finding on a stage: "API STAGE: said".
    fn stage(&mut self, api: &Api, stage: &Stage, said: impl Display) -> &mut Finding {
        let message = format!("{} {}: {said}", api.name, stage.name);
        let f = self.finding(stage_arn(api, &stage.name), ResourceType::Stage, &api.region, message);
        f.api_id = Some(api.id.clone());
        f.stage = Some(stage.name.clone());
        f.remediation = f.remediation.replace("{api}", &api.id).replace("{stage}", &stage.name);
        f
    }

    /// A finding on a REST method: "API VERB PATH: said".
    fn method(&mut self, api: &Api, m: &Method, said: &str) -> &mut Finding {
        let message = format!("{} {} {}: {said}", api.name, m.method, m.path);
        let f = self.finding(method_arn(api, &m.resource_id, &m.method), ResourceType::Method, &api.region, message);
        f.api_id = Some(api.id.clone());
        f.path = Some(m.path.clone());
        f.method = Some(m.method.clone());
        f.remediation = f.remediation.replace("{api}", &api.id);
        f
    }

    /// A finding on an HTTP API route: "API ROUTE_KEY: said".
    fn route(&mut self, api: &Api, r: &Route, said: &str) -> &mut Finding {
        let message = format!("{} {}: {said}", api.name, r.route_key);
        let f = self.finding(route_arn(api, &r.route_id), ResourceType::Route, &api.region, message);
        f.api_id = Some(api.id.clone());
        f.route_key = Some(r.route_key.clone());
        f.remediation = f.remediation.replace("{api}", &api.id).replace("{route}", &r.route_id);
        f
    }
}

/// A REST API's methods (none when they were not read, or for an HTTP API).
fn rest_methods(api: &Api) -> &[Method] {
    match (&api.kind, &api.methods) {
        (ApiKind::Rest, Some(methods)) => methods,
        _ => &[],
    }
}

/// An HTTP API's routes (none when they were not read, or for a REST API).
fn http_routes(api: &Api) -> &[Route] {
    match (&api.kind, &api.routes) {
        (ApiKind::Http, Some(routes)) => routes,
        _ => &[],
    }
}

/// No text, or only spaces.
fn blank(text: Option<&str>) -> bool {
    text.is_none_or(|d| d.trim().is_empty())
}

/// A rate or burst limit above 0 throttles; 0 or below (-1: not set) does not.
fn throttles(t: Option<&Throttle>) -> bool {
    t.is_some_and(|t| t.rate_limit.is_some_and(|r| r > 0.0) || t.burst_limit.is_some_and(|b| b > 0))
}
