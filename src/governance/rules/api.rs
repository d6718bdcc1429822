//! The rules on an API, its REST methods and its HTTP routes: who may call them (Security
//! Hub's APIGateway.8, Prowler's authorizer checks, OWASP API2) and what the inventory says
//! about them (endpoint type, tags, description and owner: AWS Config and OWASP API9).
//!
//! OPTIONS methods and routes (CORS preflight) are exempt from the authorization rules, and
//! listed as such.

use super::{CONFIG, Check, OWASP, Out, PROWLER, SH_DOC, blank, http_routes, rest_methods};
use crate::domain::{Api, ApiKind, Method, Route};
use crate::governance::{Estate, Rule, Severity, method_arn, route_arn};

const PREFLIGHT: &str = "OPTIONS (CORS preflight) is exempt";
const PREFLIGHT_WHY: &str = "OPTIONS (CORS preflight) is exempt: browsers send it without credentials";

/// CORS preflight, which browsers send without credentials.
fn is_preflight(verb: &str) -> bool {
    verb.eq_ignore_ascii_case("OPTIONS")
}

/// An `OPTIONS ...` route.
fn route_exempt(r: &Route) -> bool {
    r.route_key.split(' ').next().is_some_and(is_preflight)
}

/// Methods that change data (`ANY` can).
fn writes(verb: &str) -> bool {
    matches!(verb.to_ascii_uppercase().as_str(), "POST" | "PUT" | "PATCH" | "DELETE" | "ANY")
}

/// A route that changes data: by its verb, or `$default`, which takes every method.
fn route_writes(r: &Route) -> bool {
    let verb = r.route_key.split(' ').next().unwrap_or_default();
    writes(verb) || r.route_key == "$default"
}

/// A method with no authorization and no API key.
fn open(m: &Method) -> bool {
    m.authorization == "NONE" && !m.api_key_required
}

/// The endpoint type, REGIONAL when not said (HTTP APIs).
fn endpoint(api: &Api) -> &str {
    api.endpoint_type.as_deref().unwrap_or("REGIONAL")
}

pub(super) const ROUTE_AUTHORIZATION: Rule = Rule {
    id: "route-authorization",
    title: "HTTP API route without an authorization type",
    severity: Severity::Medium,
    why: "A route with authorization NONE can be called by anyone on the internet.",
    fix: "aws apigatewayv2 update-route --api-id {api} --route-id {route} --authorization-type JWT --authorizer-id AUTHORIZER",
    references: &[SH_DOC],
    security_hub: Some("APIGateway.8"),
    prowler: None,
    counterpart: Some("api-gwv2-authorization-type-configured"),
    check: Check::Route(route_authorization),
};

fn route_authorization(api: &Api, r: &Route, out: &mut Out) {
    if route_exempt(r) {
        out.exempt(route_arn(api, &r.route_id), PREFLIGHT_WHY);
    } else if r.authorization == "NONE" {
        out.route(api, r, "authorization NONE");
    }
}

pub(super) const REST_AUTHORIZERS: Rule = Rule {
    id: "rest-authorizers",
    title: "REST API without an authorizer (at API level or on every method)",
    severity: Severity::Medium,
    why: "Methods without an authorizer rely on nothing but obscurity or an API key, which identifies a caller but does not authenticate one.",
    fix: "aws apigateway create-authorizer --rest-api-id {api} --name NAME --type COGNITO_USER_POOLS --provider-arns POOL_ARN --identity-source method.request.header.Authorization",
    references: &[PROWLER],
    security_hub: None,
    prowler: Some("apigateway_restapi_authorizers_enabled"),
    counterpart: None,
    check: Check::Api(rest_authorizers),
};

/// Names the first five methods that have none.
fn rest_authorizers(_: &Estate, api: &Api, out: &mut Out) {
    let unprotected: Vec<&Method> =
        rest_methods(api).iter().filter(|m| !is_preflight(&m.method) && m.authorization == "NONE").collect();
    if api.authorizers.is_empty() && !unprotected.is_empty() {
        let names: Vec<String> = unprotected.iter().take(5).map(|m| format!("{} {}", m.method, m.path)).collect();
        let n = unprotected.len();
        out.api(api, format!("has no authorizer and {n} method(s) without one: {}", names.join(", ")));
    }
}

pub(super) const REST_PUBLIC_WITHOUT_AUTHORIZER: Rule = Rule {
    id: "rest-public-without-authorizer",
    title: "Public REST API endpoint without any authorizer",
    severity: Severity::High,
    why: "An EDGE or REGIONAL API is reachable from the internet; with no authorizer at all, anyone can call every method that has no IAM auth.",
    fix: "Add an authorizer (aws apigateway create-authorizer ...) and set it on the methods, or make the endpoint PRIVATE",
    references: &[PROWLER],
    security_hub: None,
    prowler: Some("apigateway_restapi_public_with_authorizer"),
    counterpart: None,
    check: Check::Api(rest_public_without_authorizer),
};

/// Only where the methods were read: the authorizers are read with them.
fn rest_public_without_authorizer(_: &Estate, api: &Api, out: &mut Out) {
    let read = api.kind == ApiKind::Rest && api.methods.is_some();
    let endpoint = endpoint(api);
    if read && !endpoint.eq_ignore_ascii_case("PRIVATE") && api.authorizers.is_empty() {
        out.api(api, format!("is a public {endpoint} endpoint with no authorizer"));
    }
}

pub(super) const V2_AUTHORIZERS: Rule = Rule {
    id: "v2-api-authorizers",
    title: "HTTP API with routes that no authorizer protects (checked per route)",
    severity: Severity::Medium,
    why: "Prowler passes an HTTP API that has any authorizer; what matters is whether each route uses one.",
    fix: "aws apigatewayv2 update-route --api-id {api} --route-id {route} --authorization-type JWT --authorizer-id AUTHORIZER",
    references: &[PROWLER],
    security_hub: None,
    prowler: Some("apigatewayv2_api_authorizers_enabled"),
    counterpart: None,
    check: Check::Api(v2_authorizers),
};

/// One finding per API, naming the first five routes that use none.
fn v2_authorizers(_: &Estate, api: &Api, out: &mut Out) {
    let open: Vec<&Route> = http_routes(api).iter().filter(|r| !route_exempt(r) && r.authorization == "NONE").collect();
    if !open.is_empty() {
        let names: Vec<&str> = open.iter().take(5).map(|r| r.route_key.as_str()).collect();
        let any = if api.authorizers.is_empty() { "no authorizer" } else { "authorizers" };
        out.api(api, format!("has {any}, and {} route(s) use none: {}", open.len(), names.join(", ")));
    }
}

pub(super) const ENDPOINT_TYPE: Rule = Rule {
    id: "endpoint-type",
    title: "API endpoint type not in the allowed list",
    severity: Severity::Low,
    why: "Teams often require REGIONAL (behind their own CloudFront and WAF) or PRIVATE endpoints; EDGE APIs bypass that.",
    fix: "Recreate or update the API with an allowed endpoint type (aws apigateway update-rest-api --patch-operations op=replace,path=/endpointConfiguration/types/EDGE,value=REGIONAL)",
    references: &[CONFIG],
    security_hub: None,
    prowler: None,
    counterpart: Some("api-gw-endpoint-type-check"),
    check: Check::Api(endpoint_type),
};

fn endpoint_type(e: &Estate, api: &Api, out: &mut Out) {
    let allowed = &e.config.allowed_endpoint_types;
    let endpoint = endpoint(api);
    if !allowed.iter().any(|t| t.eq_ignore_ascii_case(endpoint)) {
        out.api(api, format!("is {endpoint} (allowed: {})", allowed.join(", ")));
    }
}

pub(super) const REQUIRED_TAGS: Rule = Rule {
    id: "required-tags",
    title: "API or stage without a required tag",
    severity: Severity::Low,
    why: "Ownership and cost tags route incidents and bills to the right team.",
    fix: "aws apigateway tag-resource --resource-arn {arn} --tags owner=TEAM",
    references: &[CONFIG],
    security_hub: None,
    prowler: None,
    counterpart: Some("api-gw-rest-api-tagged / api-gw-stage-tagged"),
    check: Check::Api(required_tags),
};

/// The API's tags, then each of its stages'.
fn required_tags(e: &Estate, api: &Api, out: &mut Out) {
    let required = &e.config.required_tags;
    for tag in required.iter().filter(|t| !api.tags.contains_key(*t)) {
        out.api(api, format!("lacks the tag `{tag}`"));
    }
    for stage in &api.stages {
        for tag in required.iter().filter(|t| !stage.tags.contains_key(*t)) {
            out.stage(api, stage, format!("lacks the tag `{tag}`"));
        }
    }
}

pub(super) const NO_AUTH: Rule = Rule {
    id: "owasp-api2-no-auth",
    title: "Method or route with no authorization and no API key",
    severity: Severity::High,
    why: "OWASP API2:2023 Broken Authentication: anyone can call it.",
    fix: "Set an authorizer or IAM auth on it (and an API key for metering)",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API2:2023"),
    check: Check::Api(no_auth),
};

/// Methods and routes that only read (those that write are `owasp-api2-open-write`'s).
fn no_auth(_: &Estate, api: &Api, out: &mut Out) {
    for m in rest_methods(api) {
        if is_preflight(&m.method) {
            if m.authorization == "NONE" {
                out.exempt(method_arn(api, &m.resource_id, &m.method), PREFLIGHT_WHY);
            }
        } else if open(m) && !writes(&m.method) {
            out.method(api, m, "no authorization and no API key");
        }
    }
    for r in http_routes(api) {
        if route_exempt(r) {
            out.exempt(route_arn(api, &r.route_id), PREFLIGHT);
        } else if r.authorization == "NONE" && !route_writes(r) {
            out.route(api, r, "no authorization (HTTP APIs have no API keys)");
        }
    }
}

pub(super) const OPEN_WRITE: Rule = Rule {
    id: "owasp-api2-open-write",
    title: "Method or route that changes data with no authorization and no API key",
    severity: Severity::Critical,
    why: "OWASP API2:2023 Broken Authentication: anyone on the internet can create, change or delete through it.",
    fix: "Set an authorizer or IAM auth on it now; until then, remove the route or the method",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API2:2023"),
    check: Check::Api(open_write),
};

/// Methods and routes that change data.
fn open_write(_: &Estate, api: &Api, out: &mut Out) {
    for m in rest_methods(api).iter().filter(|m| !is_preflight(&m.method) && open(m) && writes(&m.method)) {
        out.method(api, m, "changes data with no authorization and no API key");
    }
    for r in http_routes(api).iter().filter(|r| !route_exempt(r) && r.authorization == "NONE" && route_writes(r)) {
        out.route(api, r, "changes data with no authorization (HTTP APIs have no API keys)");
    }
}

pub(super) const KEY_ONLY: Rule = Rule {
    id: "owasp-api2-key-only",
    title: "Method whose only authentication is an API key",
    severity: Severity::Medium,
    why: "OWASP API2:2023: API keys identify and meter callers; they are shared, long-lived and not meant as authentication.",
    fix: "Add an authorizer (Cognito, JWT, Lambda) or IAM auth and keep the key for the usage plan",
    references: &[
        OWASP,
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html",
    ],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API2:2023"),
    check: Check::Method(key_only),
};

fn key_only(api: &Api, m: &Method, out: &mut Out) {
    if is_preflight(&m.method) {
        if m.authorization == "NONE" {
            out.exempt(method_arn(api, &m.resource_id, &m.method), PREFLIGHT);
        }
    } else if m.authorization == "NONE" && m.api_key_required {
        out.method(api, m, "an API key is its only authentication");
    }
}

pub(super) const NO_DESCRIPTION: Rule = Rule {
    id: "owasp-api9-no-description",
    title: "API without a description",
    severity: Severity::Low,
    why: "OWASP API9:2023 Improper Inventory Management: an API nobody can describe is one nobody maintains.",
    fix: "aws apigateway update-rest-api --rest-api-id {api} --patch-operations op=replace,path=/description,value=TEXT",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API9:2023"),
    check: Check::Api(no_description),
};

fn no_description(_: &Estate, api: &Api, out: &mut Out) {
    if blank(api.description.as_deref()) {
        out.api(api, "has no description");
    }
}

pub(super) const NO_OWNER: Rule = Rule {
    id: "owasp-api9-no-owner",
    title: "API without an owner tag",
    severity: Severity::Medium,
    why: "OWASP API9:2023: without an owner, no one answers for the API's incidents, deprecation or data.",
    fix: "aws apigateway tag-resource --resource-arn arn:aws:apigateway:{region}::/restapis/{api} --tags owner=TEAM",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API9:2023"),
    check: Check::Api(no_owner),
};

fn no_owner(_: &Estate, api: &Api, out: &mut Out) {
    if api.owner().is_none() {
        out.api(api, "has no owner tag (owner or team)");
    }
}
