//! The rules: their table, and one check each (a pure function of the estate).

use super::{
    Estate, Exemption, Finding, Report, ResourceType, Rule, Selection, Severity, age_days, api_arn, epoch, key_arn,
    method_arn, partner_arn, plan_arn, route_arn, stage_arn,
};
use crate::domain::{Api, ApiKind, Method, Route, Stage};

const SH_DOC: &str = "https://docs.aws.amazon.com/securityhub/latest/userguide/apigateway-controls.html";
const OWASP: &str = "https://owasp.org/API-Security/editions/2023/en/0x11-t10/";
const PROWLER: &str = "https://hub.prowler.com/check?service=apigateway";
const CONFIG: &str = "https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html";

macro_rules! rule {
    ($id:literal, $sev:ident, $title:literal, $why:literal, $fix:literal, [$($r:expr),*], $sh:expr, $pr:expr, $cp:expr) => {
        Rule {
            id: $id,
            title: $title,
            severity: Severity::$sev,
            why: $why,
            fix: $fix,
            references: &[$($r),*],
            security_hub: $sh,
            prowler: $pr,
            counterpart: $cp,
        }
    };
}

/// Every rule, in the order of the README's table.
pub const RULES: &[Rule] = &[
    rule!(
        "stage-execution-logging",
        Medium,
        "REST stage without execution logging (ERROR or INFO)",
        "Without execution logs there is no record of how API Gateway handled a request (authorizer and integration errors, throttling), which incident response and audits need.",
        "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/logging/loglevel,value=ERROR",
        [SH_DOC],
        Some("APIGateway.1"),
        Some("apigateway_restapi_logging_enabled"),
        Some("api-gw-execution-logging-enabled")
    ),
    rule!(
        "stage-client-certificate",
        Medium,
        "REST stage without a client certificate for its backend",
        "A client certificate lets the backend verify that requests come from API Gateway, not from anyone who found the integration endpoint.",
        "aws apigateway generate-client-certificate; aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/clientCertificateId,value=CERT_ID",
        [SH_DOC],
        Some("APIGateway.2"),
        Some("apigateway_restapi_client_certificate_enabled"),
        Some("api-gw-ssl-enabled")
    ),
    rule!(
        "stage-xray-tracing",
        Low,
        "REST stage without X-Ray tracing",
        "Tracing shows where latency and errors come from across API Gateway and its integrations.",
        "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/tracingEnabled,value=true",
        [SH_DOC],
        Some("APIGateway.3"),
        Some("apigateway_restapi_tracing_enabled"),
        Some("api-gw-xray-enabled")
    ),
    rule!(
        "stage-waf",
        Medium,
        "REST stage without an AWS WAF web ACL",
        "A web ACL filters common attacks (injection, bad bots, floods) before they reach the API.",
        "aws wafv2 associate-web-acl --web-acl-arn WEB_ACL_ARN --resource-arn arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}",
        [SH_DOC],
        Some("APIGateway.4"),
        Some("apigateway_restapi_waf_acl_attached"),
        Some("api-gw-associated-with-waf")
    ),
    rule!(
        "stage-cache-encrypted",
        Medium,
        "REST stage caches responses unencrypted",
        "Cached responses can hold personal or secret data; encrypted at rest they stay protected.",
        "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/caching/dataEncrypted,value=true",
        [SH_DOC],
        Some("APIGateway.5"),
        Some("apigateway_restapi_cache_encrypted"),
        Some("api-gw-cache-encrypted")
    ),
    rule!(
        "route-authorization",
        Medium,
        "HTTP API route without an authorization type",
        "A route with authorization NONE can be called by anyone on the internet.",
        "aws apigatewayv2 update-route --api-id {api} --route-id {route} --authorization-type JWT --authorizer-id AUTHORIZER",
        [SH_DOC],
        Some("APIGateway.8"),
        None,
        Some("api-gwv2-authorization-type-configured")
    ),
    rule!(
        "v2-stage-access-logging",
        Medium,
        "HTTP API stage without access logging",
        "Access logs record who called what and when; without them abuse cannot be traced.",
        "aws apigatewayv2 update-stage --api-id {api} --stage-name {stage} --access-log-settings DestinationArn=LOG_GROUP_ARN,Format='$context.requestId'",
        [SH_DOC],
        Some("APIGateway.9"),
        Some("apigatewayv2_api_access_logging_enabled"),
        Some("api-gwv2-access-logs-enabled")
    ),
    rule!(
        "v2-private-integration-tls",
        Medium,
        "HTTP API private integration (VPC link) without TLS",
        "Traffic from API Gateway to the private backend crosses the VPC unencrypted and unauthenticated unless the integration verifies a TLS server name.",
        "aws apigatewayv2 update-integration --api-id {api} --integration-id {integration} --tls-config ServerNameToVerify=BACKEND_HOST (and an HTTPS URI)",
        [SH_DOC],
        Some("APIGateway.10"),
        None,
        Some("apigatewayv2-integration-private-https-enabled")
    ),
    rule!(
        "domain-tls-policy",
        Medium,
        "Custom domain name without a TLS 1.3 security policy",
        "Older security policies (TLS_1_0, TLS_1_2) allow weaker protocol versions and ciphers; AWS's 2025 policies negotiate TLS 1.3.",
        "aws apigateway update-domain-name --domain-name {domain} --patch-operations op=replace,path=/securityPolicy,value=SecurityPolicy_TLS13_1_3_2025_09",
        [SH_DOC, "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html"],
        Some("APIGateway.11"),
        None,
        Some("apigateway-domain-name-tls-check")
    ),
    rule!(
        "rest-authorizers",
        Medium,
        "REST API without an authorizer (at API level or on every method)",
        "Methods without an authorizer rely on nothing but obscurity or an API key, which identifies a caller but does not authenticate one.",
        "aws apigateway create-authorizer --rest-api-id {api} --name NAME --type COGNITO_USER_POOLS --provider-arns POOL_ARN --identity-source method.request.header.Authorization",
        [PROWLER],
        None,
        Some("apigateway_restapi_authorizers_enabled"),
        None
    ),
    rule!(
        "rest-public-without-authorizer",
        High,
        "Public REST API endpoint without any authorizer",
        "An EDGE or REGIONAL API is reachable from the internet; with no authorizer at all, anyone can call every method that has no IAM auth.",
        "Add an authorizer (aws apigateway create-authorizer ...) and set it on the methods, or make the endpoint PRIVATE",
        [PROWLER],
        None,
        Some("apigateway_restapi_public_with_authorizer"),
        None
    ),
    rule!(
        "v2-api-authorizers",
        Medium,
        "HTTP API with routes that no authorizer protects (checked per route)",
        "Prowler passes an HTTP API that has any authorizer; what matters is whether each route uses one.",
        "aws apigatewayv2 update-route --api-id {api} --route-id {route} --authorization-type JWT --authorizer-id AUTHORIZER",
        [PROWLER],
        None,
        Some("apigatewayv2_api_authorizers_enabled"),
        None
    ),
    rule!(
        "stage-variable-secret",
        High,
        "Stage variable that looks like a secret",
        "Stage variables are readable by anyone with apigateway:GET and appear in exports and logs; secrets belong in Secrets Manager.",
        "Move the value to AWS Secrets Manager and read it in the integration; aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=remove,path=/variables/{name}",
        ["https://docs.aws.amazon.com/apigateway/latest/developerguide/stage-variables.html"],
        None,
        Some("apigateway_restapi_no_secrets_in_stage_variables"),
        None
    ),
    rule!(
        "endpoint-type",
        Low,
        "API endpoint type not in the allowed list",
        "Teams often require REGIONAL (behind their own CloudFront and WAF) or PRIVATE endpoints; EDGE APIs bypass that.",
        "Recreate or update the API with an allowed endpoint type (aws apigateway update-rest-api --patch-operations op=replace,path=/endpointConfiguration/types/EDGE,value=REGIONAL)",
        [CONFIG],
        None,
        None,
        Some("api-gw-endpoint-type-check")
    ),
    rule!(
        "stage-description",
        Info,
        "Stage without a description",
        "A stage's description tells the next operator what it is for and who uses it.",
        "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/description,value=TEXT",
        [CONFIG],
        None,
        None,
        Some("apigateway-stage-description")
    ),
    rule!(
        "rest-stage-access-logging",
        Medium,
        "REST stage without access logging",
        "Access logs record who called what and when; execution logs alone do not name the caller.",
        "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN",
        [CONFIG],
        None,
        None,
        Some("apigateway-stage-access-logs-enabled")
    ),
    rule!(
        "required-tags",
        Low,
        "API or stage without a required tag",
        "Ownership and cost tags route incidents and bills to the right team.",
        "aws apigateway tag-resource --resource-arn {arn} --tags owner=TEAM",
        [CONFIG],
        None,
        None,
        Some("api-gw-rest-api-tagged / api-gw-stage-tagged")
    ),
    rule!(
        "v2-default-route-metrics",
        Info,
        "HTTP API stage without detailed metrics on its default route",
        "Per-route metrics show which route errors or slows down; without them only API totals exist.",
        "aws apigatewayv2 update-stage --api-id {api} --stage-name {stage} --default-route-settings DetailedMetricsEnabled=true",
        [CONFIG],
        None,
        None,
        Some("api-gwv2-stage-default-route-detailed-metrics-enabled")
    ),
    rule!(
        "owasp-api2-no-auth",
        High,
        "Method or route with no authorization and no API key",
        "OWASP API2:2023 Broken Authentication: anyone can call it.",
        "Set an authorizer or IAM auth on it (and an API key for metering)",
        [OWASP],
        None,
        None,
        Some("OWASP API2:2023")
    ),
    rule!(
        "owasp-api2-open-write",
        Critical,
        "Method or route that changes data with no authorization and no API key",
        "OWASP API2:2023 Broken Authentication: anyone on the internet can create, change or delete through it.",
        "Set an authorizer or IAM auth on it now; until then, remove the route or the method",
        [OWASP],
        None,
        None,
        Some("OWASP API2:2023")
    ),
    rule!(
        "owasp-api2-key-only",
        Medium,
        "Method whose only authentication is an API key",
        "OWASP API2:2023: API keys identify and meter callers; they are shared, long-lived and not meant as authentication.",
        "Add an authorizer (Cognito, JWT, Lambda) or IAM auth and keep the key for the usage plan",
        [OWASP, "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html"],
        None,
        None,
        Some("OWASP API2:2023")
    ),
    rule!(
        "owasp-api4-stage-no-plan",
        Medium,
        "REST stage in no usage plan",
        "OWASP API4:2023 Unrestricted Resource Consumption: without a plan no caller has a quota or rate of their own.",
        "aws apigateway update-usage-plan --usage-plan-id {plan} --patch-operations op=add,path=/apiStages,value={api}:{stage}",
        [OWASP],
        None,
        None,
        Some("OWASP API4:2023")
    ),
    rule!(
        "owasp-api4-plan-no-throttle",
        Medium,
        "Usage plan without throttling",
        "OWASP API4:2023: a key in this plan can send as fast as the account allows, starving other callers.",
        "aws apigateway update-usage-plan --usage-plan-id {plan} --patch-operations op=replace,path=/throttle/rateLimit,value=100 op=replace,path=/throttle/burstLimit,value=200",
        [OWASP],
        None,
        None,
        Some("OWASP API4:2023")
    ),
    rule!(
        "owasp-api4-plan-no-quota",
        Low,
        "Usage plan without a quota",
        "OWASP API4:2023: without a quota a key's total use has no bound.",
        "aws apigateway update-usage-plan --usage-plan-id {plan} --patch-operations op=replace,path=/quota/limit,value=100000 op=replace,path=/quota/period,value=MONTH",
        [OWASP],
        None,
        None,
        Some("OWASP API4:2023")
    ),
    rule!(
        "owasp-api4-stage-no-throttle",
        Medium,
        "Stage without throttling",
        "OWASP API4:2023: without a stage limit one caller (or a loop) can use the account's whole request rate.",
        "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/throttling/rateLimit,value=100",
        [OWASP],
        None,
        None,
        Some("OWASP API4:2023")
    ),
    rule!(
        "owasp-api8-data-trace",
        High,
        "Full request and response logging on a production stage",
        "OWASP API8:2023 Security Misconfiguration: data trace writes whole bodies (tokens, personal data) to CloudWatch Logs.",
        "aws apigateway update-stage --rest-api-id {api} --stage-name {stage} --patch-operations op=replace,path=/*/*/logging/dataTrace,value=false",
        [OWASP],
        None,
        None,
        Some("OWASP API8:2023")
    ),
    rule!(
        "owasp-api9-no-description",
        Low,
        "API without a description",
        "OWASP API9:2023 Improper Inventory Management: an API nobody can describe is one nobody maintains.",
        "aws apigateway update-rest-api --rest-api-id {api} --patch-operations op=replace,path=/description,value=TEXT",
        [OWASP],
        None,
        None,
        Some("OWASP API9:2023")
    ),
    rule!(
        "owasp-api9-no-owner",
        Medium,
        "API without an owner tag",
        "OWASP API9:2023: without an owner, no one answers for the API's incidents, deprecation or data.",
        "aws apigateway tag-resource --resource-arn arn:aws:apigateway:{region}::/restapis/{api} --tags owner=TEAM",
        [OWASP],
        None,
        None,
        Some("OWASP API9:2023")
    ),
    rule!(
        "key-max-age",
        Medium,
        "API key older than the maximum age",
        "A key never rotated has had the most chances to leak; rotation bounds the damage.",
        "portcullis partners rotate {partner} --key (or create a new key, move callers, disable the old one)",
        ["https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-setup-api-keys.html"],
        None,
        None,
        None
    ),
    rule!(
        "key-disabled-kept",
        Low,
        "Disabled API key kept for a long time",
        "A disabled key serves no one and can be re-enabled by mistake; delete it once its grace is over.",
        "aws apigateway delete-api-key --api-key {key}",
        ["https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-setup-api-keys.html"],
        None,
        None,
        None
    ),
    rule!(
        "key-no-plan",
        Low,
        "API key in no usage plan",
        "A key in no plan opens nothing: it is left over, or a caller is missing access.",
        "aws apigateway create-usage-plan-key --usage-plan-id {plan} --key-id {key} --key-type API_KEY, or delete the key",
        ["https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html"],
        None,
        None,
        None
    ),
    rule!(
        "key-no-customer",
        Info,
        "API key without a customer id",
        "The customer id ties a key to the partner it was issued to (audits, offboarding, usage per partner).",
        "aws apigateway update-api-key --api-key {key} --patch-operations op=replace,path=/customerId,value={partner}",
        ["https://docs.aws.amazon.com/apigateway/latest/api/API_ApiKey.html"],
        None,
        None,
        None
    ),
    rule!(
        "secret-max-age",
        Medium,
        "Partner client secret older than the maximum age",
        "A client secret never rotated has had the most chances to leak.",
        "portcullis partners rotate {partner} --secret",
        ["https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html"],
        None,
        None,
        None
    ),
    rule!(
        "rotation-unfinished",
        High,
        "Credential rotation left unfinished past its grace",
        "Both the old and the new credential still work: the rotation's point (the old one stops) has not happened.",
        "portcullis partners reconcile",
        ["https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html"],
        None,
        None,
        None
    ),
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

fn finding(
    rule_id: &'static str,
    resource: String,
    resource_type: ResourceType,
    region: &str,
    message: String,
) -> Finding {
    let r = rule(rule_id).expect("a rule of the table");
    let remediation = r.fix.replace("{region}", region).replace("{arn}", &resource);
    Finding {
        rule_id,
        severity: r.severity,
        title: r.title,
        resource,
        resource_type,
        region: region.to_string(),
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
    }
}

/// Where the findings of one run go: only the selected rules' are kept.
struct Out<'a> {
    report: &'a mut Report,
    selection: &'a Selection,
}

impl Out<'_> {
    fn push(&mut self, f: Finding) {
        if self.selection.includes(f.rule_id) {
            self.report.findings.push(f);
        }
    }

    fn exempt(&mut self, rule_id: &'static str, resource: String, reason: &str) {
        if self.selection.includes(rule_id) {
            self.report.exemptions.push(Exemption { rule_id, resource, reason: reason.to_string() });
        }
    }
}

fn stage_finding(rule_id: &'static str, api: &Api, stage: &Stage, message: String) -> Finding {
    let mut f = finding(rule_id, stage_arn(api, &stage.name), ResourceType::Stage, &api.region, message);
    f.api_id = Some(api.id.clone());
    f.stage = Some(stage.name.clone());
    f.remediation = f.remediation.replace("{api}", &api.id).replace("{stage}", &stage.name);
    f
}

fn api_finding(rule_id: &'static str, api: &Api, message: String) -> Finding {
    let kind = if api.kind == ApiKind::Rest { ResourceType::RestApi } else { ResourceType::HttpApi };
    let mut f = finding(rule_id, api_arn(api), kind, &api.region, message);
    f.api_id = Some(api.id.clone());
    f.remediation = f.remediation.replace("{api}", &api.id);
    f
}

fn method_finding(rule_id: &'static str, api: &Api, m: &Method, message: String) -> Finding {
    let mut f =
        finding(rule_id, method_arn(api, &m.resource_id, &m.method), ResourceType::Method, &api.region, message);
    f.api_id = Some(api.id.clone());
    f.path = Some(m.path.clone());
    f.method = Some(m.method.clone());
    f.remediation = f.remediation.replace("{api}", &api.id);
    f
}

fn route_finding(rule_id: &'static str, api: &Api, r: &Route, message: String) -> Finding {
    let mut f = finding(rule_id, route_arn(api, &r.route_id), ResourceType::Route, &api.region, message);
    f.api_id = Some(api.id.clone());
    f.route_key = Some(r.route_key.clone());
    f.remediation = f.remediation.replace("{api}", &api.id).replace("{route}", &r.route_id);
    f
}

pub(super) fn run_all(estate: &Estate, selection: &Selection, report: &mut Report) {
    let mut out = Out { report, selection };
    for api in estate.apis {
        api_rules(estate, api, &mut out);
        for stage in &api.stages {
            stage_rules(estate, api, stage, &mut out);
        }
        match api.kind {
            ApiKind::Rest => method_rules(api, &mut out),
            ApiKind::Http => route_rules(api, &mut out),
        }
    }
    edge_rules(estate, &mut out);
    plan_rules(estate, &mut out);
    key_rules(estate, &mut out);
    partner_rules(estate, &mut out);
}

fn is_preflight(verb: &str) -> bool {
    verb.eq_ignore_ascii_case("OPTIONS")
}

fn api_rules(estate: &Estate, api: &Api, out: &mut Out) {
    let c = estate.config;
    if api.description.as_deref().is_none_or(|d| d.trim().is_empty()) {
        out.push(api_finding("owasp-api9-no-description", api, format!("{} has no description", api.name)));
    }
    if api.owner().is_none() {
        out.push(api_finding("owasp-api9-no-owner", api, format!("{} has no owner tag (owner or team)", api.name)));
    }
    for tag in &c.required_tags {
        if !api.tags.contains_key(tag) {
            out.push(api_finding("required-tags", api, format!("{} lacks the tag `{tag}`", api.name)));
        }
    }
    let endpoint = api.endpoint_type.as_deref().unwrap_or("REGIONAL");
    if !c.allowed_endpoint_types.iter().any(|t| t.eq_ignore_ascii_case(endpoint)) {
        let allowed = c.allowed_endpoint_types.join(", ");
        out.push(api_finding("endpoint-type", api, format!("{} is {endpoint} (allowed: {allowed})", api.name)));
    }
    match api.kind {
        ApiKind::Rest => {
            let Some(methods) = &api.methods else { return };
            let unprotected: Vec<&Method> =
                methods.iter().filter(|m| !is_preflight(&m.method) && m.authorization == "NONE").collect();
            if api.authorizers.is_empty() && !unprotected.is_empty() {
                let names: Vec<String> =
                    unprotected.iter().take(5).map(|m| format!("{} {}", m.method, m.path)).collect();
                out.push(api_finding(
                    "rest-authorizers",
                    api,
                    format!(
                        "{} has no authorizer and {} method(s) without one: {}",
                        api.name,
                        unprotected.len(),
                        names.join(", ")
                    ),
                ));
            }
            let public = !endpoint.eq_ignore_ascii_case("PRIVATE");
            if public && api.authorizers.is_empty() {
                out.push(api_finding(
                    "rest-public-without-authorizer",
                    api,
                    format!("{} is a public {endpoint} endpoint with no authorizer", api.name),
                ));
            }
        }
        ApiKind::Http => {
            let Some(routes) = &api.routes else { return };
            let open: Vec<&Route> = routes.iter().filter(|r| !route_exempt(r) && r.authorization == "NONE").collect();
            if !open.is_empty() {
                let names: Vec<&str> = open.iter().take(5).map(|r| r.route_key.as_str()).collect();
                let any = if api.authorizers.is_empty() { "no authorizer" } else { "authorizers" };
                out.push(api_finding(
                    "v2-api-authorizers",
                    api,
                    format!("{} has {any}, and {} route(s) use none: {}", api.name, open.len(), names.join(", ")),
                ));
            }
        }
    }
}

fn route_exempt(r: &Route) -> bool {
    r.route_key.split(' ').next().is_some_and(is_preflight)
}

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

fn stage_rules(estate: &Estate, api: &Api, stage: &Stage, out: &mut Out) {
    let c = estate.config;
    let rest = api.kind == ApiKind::Rest;
    if rest {
        let level = stage.execution_logging.as_deref().unwrap_or("OFF");
        if !matches!(level, "ERROR" | "INFO") {
            out.push(stage_finding(
                "stage-execution-logging",
                api,
                stage,
                format!("{} {}: execution logging is {level}", api.name, stage.name),
            ));
        }
        if stage.client_certificate_id.is_none() {
            out.push(stage_finding(
                "stage-client-certificate",
                api,
                stage,
                format!("{} {}: no client certificate", api.name, stage.name),
            ));
        }
        if !stage.tracing_enabled {
            out.push(stage_finding(
                "stage-xray-tracing",
                api,
                stage,
                format!("{} {}: X-Ray tracing is off", api.name, stage.name),
            ));
        }
        if stage.web_acl_arn.is_none() {
            let private = if api.endpoint_type.as_deref() == Some("PRIVATE") {
                " (a PRIVATE API: the control still applies)"
            } else {
                ""
            };
            out.push(stage_finding(
                "stage-waf",
                api,
                stage,
                format!("{} {}: no WAF web ACL{private}", api.name, stage.name),
            ));
        }
        // Caching off: the control does not evaluate the stage.
        if stage.cache_enabled && stage.cache_encrypted != Some(true) {
            out.push(stage_finding(
                "stage-cache-encrypted",
                api,
                stage,
                format!("{} {}: the cache is on and not encrypted", api.name, stage.name),
            ));
        }
        if stage.access_log.as_ref().and_then(|a| a.destination_arn.as_ref()).is_none() {
            out.push(stage_finding(
                "rest-stage-access-logging",
                api,
                stage,
                format!("{} {}: no access log", api.name, stage.name),
            ));
        }
        let in_plan =
            estate.plans.iter().any(|p| p.api_stages.iter().any(|s| s.api_id == api.id && s.stage == stage.name));
        if !in_plan {
            out.push(stage_finding(
                "owasp-api4-stage-no-plan",
                api,
                stage,
                format!("{} {}: in no usage plan", api.name, stage.name),
            ));
        }
    } else {
        if stage.access_log.as_ref().and_then(|a| a.destination_arn.as_ref()).is_none() {
            out.push(stage_finding(
                "v2-stage-access-logging",
                api,
                stage,
                format!("{} {}: no access log", api.name, stage.name),
            ));
        }
        if stage.metrics_enabled != Some(true) {
            out.push(stage_finding(
                "v2-default-route-metrics",
                api,
                stage,
                format!("{} {}: detailed metrics are off on the default route", api.name, stage.name),
            ));
        }
    }
    if stage.description.as_deref().is_none_or(|d| d.trim().is_empty()) {
        out.push(stage_finding(
            "stage-description",
            api,
            stage,
            format!("{} {}: no description", api.name, stage.name),
        ));
    }
    for tag in &c.required_tags {
        if !stage.tags.contains_key(tag) {
            out.push(stage_finding(
                "required-tags",
                api,
                stage,
                format!("{} {}: lacks the tag `{tag}`", api.name, stage.name),
            ));
        }
    }
    // A limit of 0 or below (-1: not set) does not throttle.
    let throttled = stage
        .throttle
        .as_ref()
        .is_some_and(|t| t.rate_limit.is_some_and(|r| r > 0.0) || t.burst_limit.is_some_and(|b| b > 0));
    if !throttled {
        out.push(stage_finding(
            "owasp-api4-stage-no-throttle",
            api,
            stage,
            format!("{} {}: no throttling", api.name, stage.name),
        ));
    }
    let production = c.production_stages.iter().any(|p| p.eq_ignore_ascii_case(&stage.name));
    if production && stage.data_trace == Some(true) {
        out.push(stage_finding(
            "owasp-api8-data-trace",
            api,
            stage,
            format!("{} {}: data trace (full request and response logging) is on", api.name, stage.name),
        ));
    }
    for (name, value) in &stage.variables {
        if secret_like(name, value) {
            let mut f = stage_finding(
                "stage-variable-secret",
                api,
                stage,
                format!("{} {}: stage variable `{name}` looks like a secret", api.name, stage.name),
            );
            f.remediation = f.remediation.replace("{name}", name);
            out.push(f);
        }
    }
}

/// Methods that change data (`ANY` can).
fn writes(verb: &str) -> bool {
    matches!(verb.to_ascii_uppercase().as_str(), "POST" | "PUT" | "PATCH" | "DELETE" | "ANY")
}

fn method_rules(api: &Api, out: &mut Out) {
    let Some(methods) = &api.methods else { return };
    for m in methods {
        let what = format!("{} {} {}", api.name, m.method, m.path);
        if is_preflight(&m.method) {
            if m.authorization == "NONE" {
                let arn = method_arn(api, &m.resource_id, &m.method);
                out.exempt(
                    "owasp-api2-no-auth",
                    arn.clone(),
                    "OPTIONS (CORS preflight) is exempt: browsers send it without credentials",
                );
                out.exempt("owasp-api2-key-only", arn, "OPTIONS (CORS preflight) is exempt");
            }
            continue;
        }
        match (m.authorization.as_str(), m.api_key_required) {
            ("NONE", false) if writes(&m.method) => out.push(method_finding(
                "owasp-api2-open-write",
                api,
                m,
                format!("{what}: changes data with no authorization and no API key"),
            )),
            ("NONE", false) => out.push(method_finding(
                "owasp-api2-no-auth",
                api,
                m,
                format!("{what}: no authorization and no API key"),
            )),
            ("NONE", true) => out.push(method_finding(
                "owasp-api2-key-only",
                api,
                m,
                format!("{what}: an API key is its only authentication"),
            )),
            _ => {}
        }
    }
}

fn route_rules(api: &Api, out: &mut Out) {
    let Some(routes) = &api.routes else { return };
    for r in routes {
        if route_exempt(r) {
            let arn = route_arn(api, &r.route_id);
            out.exempt(
                "route-authorization",
                arn.clone(),
                "OPTIONS (CORS preflight) is exempt: browsers send it without credentials",
            );
            out.exempt("owasp-api2-no-auth", arn, "OPTIONS (CORS preflight) is exempt");
            continue;
        }
        if r.authorization == "NONE" {
            let what = format!("{} {}", api.name, r.route_key);
            out.push(route_finding("route-authorization", api, r, format!("{what}: authorization NONE")));
            // `$default` takes every method.
            let verb = r.route_key.split(' ').next().unwrap_or_default();
            let (rule, said) = if writes(verb) || r.route_key == "$default" {
                ("owasp-api2-open-write", "changes data with no authorization (HTTP APIs have no API keys)")
            } else {
                ("owasp-api2-no-auth", "no authorization (HTTP APIs have no API keys)")
            };
            out.push(route_finding(rule, api, r, format!("{what}: {said}")));
        }
    }
}

/// APIGateway.10 (v2 integrations over a VPC link verify a TLS server name) and .11 (custom
/// domains on a TLS 1.3-era security policy).
fn edge_rules(estate: &Estate, out: &mut Out) {
    for i in estate.integrations.iter().filter(|i| i.connection_type.as_deref() == Some("VPC_LINK")) {
        if i.tls_server_name.as_deref().is_none_or(str::is_empty) {
            let arn = format!("arn:aws:apigateway:{}::/apis/{}/integrations/{}", i.region, i.api_id, i.id);
            let mut f = finding(
                "v2-private-integration-tls",
                arn,
                ResourceType::Integration,
                &i.region,
                format!("integration {} of API {} goes over a VPC link without TLS", i.id, i.api_id),
            );
            f.api_id = Some(i.api_id.clone());
            f.remediation = f.remediation.replace("{api}", &i.api_id).replace("{integration}", &i.id);
            out.push(f);
        }
    }
    for d in estate.domains {
        let policy = d.security_policy.as_deref().unwrap_or("TLS_1_0");
        if !policy.to_ascii_uppercase().contains("TLS13") {
            let arn = format!("arn:aws:apigateway:{}::/domainnames/{}", d.region, d.name);
            let mut f = finding(
                "domain-tls-policy",
                arn,
                ResourceType::DomainName,
                &d.region,
                format!("{} uses {policy}", d.name),
            );
            f.remediation = f.remediation.replace("{domain}", &d.name);
            out.push(f);
        }
    }
}

fn plan_rules(estate: &Estate, out: &mut Out) {
    for p in estate.plans {
        let throttled = p
            .throttle
            .as_ref()
            .is_some_and(|t| t.rate_limit.is_some_and(|r| r > 0.0) || t.burst_limit.is_some_and(|b| b > 0));
        let at = |rule: &'static str, msg: String| {
            let mut f = finding(rule, plan_arn(p), ResourceType::UsagePlan, &p.region, msg);
            f.plan_id = Some(p.id.clone());
            f.remediation = f.remediation.replace("{plan}", &p.id);
            f
        };
        if !throttled {
            out.push(at("owasp-api4-plan-no-throttle", format!("usage plan {} has no throttle", p.name)));
        }
        if p.quota.is_none() {
            out.push(at("owasp-api4-plan-no-quota", format!("usage plan {} has no quota", p.name)));
        }
    }
}

fn key_rules(estate: &Estate, out: &mut Out) {
    let c = estate.config;
    for k in estate.keys {
        let at = |rule: &'static str, msg: String| {
            let mut f = finding(rule, key_arn(&k.region, &k.id), ResourceType::ApiKey, &k.region, msg);
            f.key_id = Some(k.id.clone());
            f.partner = k.customer_id.clone();
            f.remediation = f
                .remediation
                .replace("{key}", &k.id)
                .replace("{partner}", k.customer_id.as_deref().unwrap_or("PARTNER"));
            f
        };
        if let Some(age) = age_days(k.created_date.as_deref(), estate.now)
            && k.enabled
            && age > c.max_key_age_days
        {
            out.push(at("key-max-age", format!("key {} is {age} days old (maximum {})", k.name, c.max_key_age_days)));
        }
        if !k.enabled
            && let Some(age) = age_days(k.last_updated_date.as_deref().or(k.created_date.as_deref()), estate.now)
            && age > c.disabled_key_days
        {
            out.push(at("key-disabled-kept", format!("key {} has been disabled for {age} days", k.name)));
        }
        if k.plan_ids.is_empty() && k.error.is_none() {
            out.push(at("key-no-plan", format!("key {} is in no usage plan", k.name)));
        }
        if k.customer_id.as_deref().is_none_or(str::is_empty) {
            out.push(at("key-no-customer", format!("key {} has no customer id", k.name)));
        }
    }
}

fn partner_rules(estate: &Estate, out: &mut Out) {
    let c = estate.config;
    for p in estate.partners {
        let at = |rule: &'static str, msg: String| {
            let mut f = finding(rule, partner_arn(p), ResourceType::Partner, &p.region, msg);
            f.partner = Some(p.id.clone());
            f.remediation = f.remediation.replace("{partner}", &p.id);
            f
        };
        // A client without a secret (a public client) has nothing to age.
        for client in p.app_clients.iter().filter(|c| !c.secrets.is_empty()) {
            // The newest secret counts: an older one is what a rotation keeps for its grace.
            let newest = client.secrets.iter().filter_map(|s| s.created_date.as_deref()).filter_map(epoch).max();
            let created = newest.or_else(|| client.created_date.as_deref().and_then(epoch));
            if let Some(t) = created {
                let age = (estate.now - t) / 86_400;
                if age > c.max_secret_age_days {
                    out.push(at(
                        "secret-max-age",
                        format!(
                            "{}: the client secret of {} is {age} days old (maximum {})",
                            p.id, client.client_id, c.max_secret_age_days
                        ),
                    ));
                }
            }
        }
        for k in p.keys.iter().filter(|k| k.enabled) {
            if let Some(t) = k.retire_after.as_deref().and_then(epoch)
                && t < estate.now
            {
                let days = (estate.now - t) / 86_400;
                let mut f = at(
                    "rotation-unfinished",
                    format!("{}: key {} was to be retired {days} day(s) ago and still works", p.id, k.id),
                );
                f.key_id = Some(k.id.clone());
                out.push(f);
            }
        }
    }
}
