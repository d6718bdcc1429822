//! The rules on a stage's settings: Security Hub's APIGateway.1-5 and .9, AWS Config's stage
//! rules, a secret in a stage variable, and OWASP API4 and API8 where the stage decides them.

use super::{CONFIG, Check, OWASP, Out, SH_DOC, blank, throttles};
use crate::domain::{Api, ApiKind, Stage};
use crate::governance::{Estate, Rule, Severity};

/// Most of Security Hub's stage controls are for REST stages only.
fn rest(api: &Api) -> bool {
    api.kind == ApiKind::Rest
}

/// An access log with a destination.
fn access_logged(stage: &Stage) -> bool {
    stage.access_log.as_ref().and_then(|a| a.destination_arn.as_ref()).is_some()
}

pub(super) const EXECUTION_LOGGING: Rule = Rule {
    id: "stage-execution-logging",
    title: "REST stage without execution logging (ERROR or INFO)",
    severity: Severity::Medium,
    why: "Without execution logs there is no record of how API Gateway handled a request (authorizer and integration errors, throttling), which incident response and audits need.",
    fix: "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/logging/loglevel,value=ERROR",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.1"),
    prowler: Some("apigateway_restapi_logging_enabled"),
    counterpart: Some("api-gw-execution-logging-enabled"),
    check: Check::Stage(execution_logging),
};

fn execution_logging(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    let level = stage.execution_logging.as_deref().unwrap_or("OFF");
    if rest(api) && !matches!(level, "ERROR" | "INFO") {
        out.stage(api, stage, format!("execution logging is {level}"));
    }
}

pub(super) const CLIENT_CERTIFICATE: Rule = Rule {
    id: "stage-client-certificate",
    title: "REST stage without a client certificate for its backend",
    severity: Severity::Medium,
    why: "A client certificate lets the backend verify that requests come from API Gateway, not from anyone who found the integration endpoint.",
    fix: "aws apigateway generate-client-certificate; aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/clientCertificateId,value=CERT_ID",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.2"),
    prowler: Some("apigateway_restapi_client_certificate_enabled"),
    counterpart: Some("api-gw-ssl-enabled"),
    check: Check::Stage(client_certificate),
};

fn client_certificate(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if rest(api) && stage.client_certificate_id.is_none() {
        out.stage(api, stage, "no client certificate");
    }
}

pub(super) const XRAY_TRACING: Rule = Rule {
    id: "stage-xray-tracing",
    title: "REST stage without X-Ray tracing",
    severity: Severity::Low,
    why: "Tracing shows where latency and errors come from across API Gateway and its integrations.",
    fix: "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/tracingEnabled,value=true",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.3"),
    prowler: Some("apigateway_restapi_tracing_enabled"),
    counterpart: Some("api-gw-xray-enabled"),
    check: Check::Stage(xray_tracing),
};

fn xray_tracing(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if rest(api) && !stage.tracing_enabled {
        out.stage(api, stage, "X-Ray tracing is off");
    }
}

pub(super) const WAF: Rule = Rule {
    id: "stage-waf",
    title: "REST stage without an AWS WAF web ACL",
    severity: Severity::Medium,
    why: "A web ACL filters common attacks (injection, bad bots, floods) before they reach the API.",
    fix: "aws wafv2 associate-web-acl --web-acl-arn WEB_ACL_ARN --resource-arn arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.4"),
    prowler: Some("apigateway_restapi_waf_acl_attached"),
    counterpart: Some("api-gw-associated-with-waf"),
    check: Check::Stage(waf),
};

fn waf(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if rest(api) && stage.web_acl_arn.is_none() {
        let private = if api.endpoint_type.as_deref() == Some("PRIVATE") {
            " (a PRIVATE API: the control still applies)"
        } else {
            ""
        };
        out.stage(api, stage, format!("no WAF web ACL{private}"));
    }
}

pub(super) const CACHE_ENCRYPTED: Rule = Rule {
    id: "stage-cache-encrypted",
    title: "REST stage caches responses unencrypted",
    severity: Severity::Medium,
    why: "Cached responses can hold personal or secret data; encrypted at rest they stay protected.",
    fix: "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/caching/dataEncrypted,value=true",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.5"),
    prowler: Some("apigateway_restapi_cache_encrypted"),
    counterpart: Some("api-gw-cache-encrypted"),
    check: Check::Stage(cache_encrypted),
};

/// Caching off: the control does not evaluate the stage.
fn cache_encrypted(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if rest(api) && stage.cache_enabled && stage.cache_encrypted != Some(true) {
        out.stage(api, stage, "the cache is on and not encrypted");
    }
}

pub(super) const V2_ACCESS_LOGGING: Rule = Rule {
    id: "v2-stage-access-logging",
    title: "HTTP API stage without access logging",
    severity: Severity::Medium,
    why: "Access logs record who called what and when; without them abuse cannot be traced.",
    fix: "aws apigatewayv2 update-stage --api-id {api} --stage-name {stage} --access-log-settings DestinationArn=LOG_GROUP_ARN,Format='$context.requestId'",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.9"),
    prowler: Some("apigatewayv2_api_access_logging_enabled"),
    counterpart: Some("api-gwv2-access-logs-enabled"),
    check: Check::Stage(v2_access_logging),
};

fn v2_access_logging(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if !rest(api) && !access_logged(stage) {
        out.stage(api, stage, "no access log");
    }
}

pub(super) const VARIABLE_SECRET: Rule = Rule {
    id: "stage-variable-secret",
    title: "Stage variable that looks like a secret",
    severity: Severity::High,
    why: "Stage variables are readable by anyone with apigateway:GET and appear in exports and logs; secrets belong in Secrets Manager.",
    fix: "Move the value to AWS Secrets Manager and read it in the integration; aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=remove,path=/variables/{name}",
    references: &["https://docs.aws.amazon.com/apigateway/latest/developerguide/stage-variables.html"],
    security_hub: None,
    prowler: Some("apigateway_restapi_no_secrets_in_stage_variables"),
    counterpart: None,
    check: Check::Stage(variable_secret),
};

/// One finding per variable; the fix names it.
fn variable_secret(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    for (name, value) in &stage.variables {
        if secret_like(name, value) {
            let f = out.stage(api, stage, format!("stage variable `{name}` looks like a secret"));
            f.remediation = f.remediation.replace("{name}", name);
        }
    }
}

pub(super) const DESCRIPTION: Rule = Rule {
    id: "stage-description",
    title: "Stage without a description",
    severity: Severity::Info,
    why: "A stage's description tells the next operator what it is for and who uses it.",
    fix: "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/description,value=TEXT",
    references: &[CONFIG],
    security_hub: None,
    prowler: None,
    counterpart: Some("apigateway-stage-description"),
    check: Check::Stage(description),
};

fn description(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if blank(stage.description.as_deref()) {
        out.stage(api, stage, "no description");
    }
}

pub(super) const REST_ACCESS_LOGGING: Rule = Rule {
    id: "rest-stage-access-logging",
    title: "REST stage without access logging",
    severity: Severity::Medium,
    why: "Access logs record who called what and when; execution logs alone do not name the caller.",
    fix: "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN",
    references: &[CONFIG],
    security_hub: None,
    prowler: None,
    counterpart: Some("apigateway-stage-access-logs-enabled"),
    check: Check::Stage(rest_access_logging),
};

fn rest_access_logging(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if rest(api) && !access_logged(stage) {
        out.stage(api, stage, "no access log");
    }
}

pub(super) const V2_DEFAULT_ROUTE_METRICS: Rule = Rule {
    id: "v2-default-route-metrics",
    title: "HTTP API stage without detailed metrics on its default route",
    severity: Severity::Info,
    why: "Per-route metrics show which route errors or slows down; without them only API totals exist.",
    fix: "aws apigatewayv2 update-stage --api-id {api} --stage-name {stage} --default-route-settings DetailedMetricsEnabled=true",
    references: &[CONFIG],
    security_hub: None,
    prowler: None,
    counterpart: Some("api-gwv2-stage-default-route-detailed-metrics-enabled"),
    check: Check::Stage(v2_default_route_metrics),
};

fn v2_default_route_metrics(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if !rest(api) && stage.metrics_enabled != Some(true) {
        out.stage(api, stage, "detailed metrics are off on the default route");
    }
}

pub(super) const NO_PLAN: Rule = Rule {
    id: "owasp-api4-stage-no-plan",
    title: "REST stage in no usage plan",
    severity: Severity::Medium,
    why: "OWASP API4:2023 Unrestricted Resource Consumption: without a plan no caller has a quota or rate of their own.",
    fix: "aws apigateway update-usage-plan --usage-plan-id {plan} --patch-operations op=add,path=/apiStages,value={api}:{stage}",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API4:2023"),
    check: Check::Stage(no_plan),
};

fn no_plan(e: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    let in_plan = || e.plans.iter().any(|p| p.api_stages.iter().any(|s| s.api_id == api.id && s.stage == stage.name));
    if rest(api) && !in_plan() {
        out.stage(api, stage, "in no usage plan");
    }
}

pub(super) const NO_THROTTLE: Rule = Rule {
    id: "owasp-api4-stage-no-throttle",
    title: "Stage without throttling",
    severity: Severity::Medium,
    why: "OWASP API4:2023: without a stage limit one caller (or a loop) can use the account's whole request rate.",
    fix: "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/throttling/rateLimit,value=100",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API4:2023"),
    check: Check::Stage(no_throttle),
};

fn no_throttle(_: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    if !throttles(stage.throttle.as_ref()) {
        out.stage(api, stage, "no throttling");
    }
}

pub(super) const DATA_TRACE: Rule = Rule {
    id: "owasp-api8-data-trace",
    title: "Full request and response logging on a production stage",
    severity: Severity::High,
    why: "OWASP API8:2023 Security Misconfiguration: data trace writes whole bodies (tokens, personal data) to CloudWatch Logs.",
    fix: "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/logging/dataTrace,value=false",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API8:2023"),
    check: Check::Stage(data_trace),
};

/// Only on the stages the config names as production.
fn data_trace(e: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    let production = e.config.production_stages.iter().any(|p| p.eq_ignore_ascii_case(&stage.name));
    if production && stage.data_trace == Some(true) {
        out.stage(api, stage, "data trace (full request and response logging) is on");
    }
}

// ---------------------------------------------------------------- what looks like a secret

/// The words of a name: `partnerApiToken`, `partner_api_token`, `partner-api-token` all give
/// `partner`, `api`, `token`.
fn words(name: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            out.push(String::new());
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push(String::new());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.last_mut().expect("one at least").push(c.to_ascii_lowercase());
    }
    out.retain(|w| !w.is_empty());
    out
}

/// Names that say secret (whole words: `dbPassword`, `apiKey`, `clientSecret`, not
/// `cacheKeyPrefix` or `authUrl`), and values that look like one (long and random). An empty
/// value is no secret.
pub fn secret_like(name: &str, value: &str) -> bool {
    if value.trim().is_empty() {
        return false;
    }
    let w = words(name);
    let has = |x: &str| w.iter().any(|v| v == x);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    let named = ["token", "secret", "password", "passwd", "pwd", "credential", "credentials", "apikey", "passphrase"]
        .iter()
        .any(|x| has(x))
        || ["api", "access", "private", "signing", "secret", "client"].iter().any(|a| pair(a, "key"));
    named || high_entropy(value)
}

/// At least 24 characters of lower case, upper case and digits with Shannon entropy over 4 bits
/// per character; not an ARN, a URL, a host, a path or a UUID.
fn high_entropy(v: &str) -> bool {
    let uuid = v.len() == 36 && v.chars().filter(|c| *c == '-').count() == 4;
    if v.len() < 24 || v.contains(' ') || v.starts_with("arn:") || v.contains("://") || v.contains('.') || uuid {
        return false;
    }
    let classes = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
    ];
    if !classes.iter().all(|c| *c) {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in v.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let len = v.chars().count() as f64;
    let entropy: f64 = counts.values().map(|&n| n as f64 / len).map(|p| -p * p.log2()).sum();
    entropy > 4.0
}
