//! A test per rule: a clean estate has no finding; each change makes exactly the finding it
//! should, on the resource the matching AWS control or Prowler check reports on; and the edges
//! (OPTIONS, `$default`, PRIVATE endpoints and WAF, caching off, per-stage v2 access logs).

use super::*;
use crate::aws::domains::{DomainName, Integration};
use crate::domain::{
    AccessLog, AppClient, Authorizer, ClientSecretInfo, Method, PartnerKey, PlanStage, Quota, Route, Stage, Throttle,
};
use std::collections::BTreeMap;

const NOW: i64 = 1_796_083_200; // 2026-12-01T00:00:00Z
const RECENT: &str = "2026-11-01T00:00:00Z";

fn owner() -> BTreeMap<String, String> {
    BTreeMap::from([("owner".to_string(), "team-payments".to_string())])
}

fn stage(name: &str) -> Stage {
    Stage {
        name: name.into(),
        description: Some("what it is".into()),
        tracing_enabled: true,
        web_acl_arn: Some("arn:aws:wafv2:eu-west-1:1:regional/webacl/w/1".into()),
        throttle: Some(Throttle { rate_limit: Some(100.0), burst_limit: Some(200) }),
        execution_logging: Some("ERROR".into()),
        data_trace: Some(false),
        metrics_enabled: Some(true),
        access_log: Some(AccessLog {
            destination_arn: Some("arn:aws:logs:eu-west-1:1:log-group:a".into()),
            format: None,
        }),
        client_certificate_id: Some("cert1".into()),
        tags: owner(),
        ..Default::default()
    }
}

fn method(path: &str, verb: &str, auth: &str, key: bool) -> Method {
    Method {
        path: path.into(),
        method: verb.into(),
        authorization: auth.into(),
        authorizer_id: (auth == "COGNITO_USER_POOLS").then(|| "au1".to_string()),
        api_key_required: key,
        integration_type: None,
        integration_uri: None,
        resource_id: format!("res{}", path.len()),
        operation_name: None,
        authorization_scopes: vec![],
    }
}

fn route(key: &str, auth: &str) -> Route {
    Route {
        route_key: key.into(),
        authorization: auth.into(),
        authorizer_id: (auth == "JWT").then(|| "au2".to_string()),
        route_id: format!("rt{}", key.len()),
        target: None,
        authorization_scopes: vec![],
    }
}

fn authorizer(id: &str) -> Authorizer {
    Authorizer {
        id: id.into(),
        name: "partners".into(),
        kind: "COGNITO_USER_POOLS".into(),
        identity_source: None,
        provider: vec![],
        audience: vec![],
    }
}

fn rest() -> Api {
    Api {
        id: "r1".into(),
        name: "orders".into(),
        kind: ApiKind::Rest,
        region: "eu-west-1".into(),
        account: Default::default(),
        description: Some("Orders".into()),
        endpoint_type: Some("REGIONAL".into()),
        tags: owner(),
        created_date: None,
        api_endpoint: None,
        stages: vec![stage("prod")],
        authorizers: vec![authorizer("au1")],
        methods: Some(vec![method("/orders", "GET", "COGNITO_USER_POOLS", true)]),
        routes: None,
        error: None,
    }
}

fn http() -> Api {
    Api {
        id: "h1".into(),
        kind: ApiKind::Http,
        name: "rates".into(),
        stages: vec![stage("$default")],
        authorizers: vec![authorizer("au2")],
        methods: None,
        routes: Some(vec![route("GET /rates", "JWT")]),
        ..rest()
    }
}

fn plan() -> UsagePlan {
    UsagePlan {
        id: "p1".into(),
        name: "standard".into(),
        description: None,
        throttle: Some(Throttle { rate_limit: Some(10.0), burst_limit: Some(20) }),
        quota: Some(Quota { limit: 1000, period: "MONTH".into(), offset: 0 }),
        api_stages: vec![PlanStage { api_id: "r1".into(), stage: "prod".into(), throttle: BTreeMap::new() }],
        key_ids: vec!["k1".into()],
        tags: BTreeMap::new(),
        region: "eu-west-1".into(),
        account: Default::default(),
        error: None,
    }
}

fn key() -> ApiKey {
    ApiKey {
        id: "k1".into(),
        name: "acme-prod".into(),
        description: None,
        enabled: true,
        customer_id: Some("acme".into()),
        created_date: Some(RECENT.into()),
        last_updated_date: Some(RECENT.into()),
        plan_ids: vec!["p1".into()],
        tags: BTreeMap::new(),
        region: "eu-west-1".into(),
        account: Default::default(),
        error: None,
        value: None,
    }
}

fn partner() -> Partner {
    Partner {
        id: "acme".into(),
        region: "eu-west-1".into(),
        account: Default::default(),
        user_pool_id: Some("eu-west-1_Pool".into()),
        app_clients: vec![AppClient {
            client_id: "c1".into(),
            name: "acme".into(),
            scopes: vec![],
            created_date: Some(RECENT.into()),
            secrets: vec![ClientSecretInfo { id: None, created_date: Some(RECENT.into()) }],
            flows: vec![],
        }],
        keys: vec![PartnerKey {
            region: "eu-west-1".into(),
            account: Default::default(),
            id: "k1".into(),
            name: "acme-prod".into(),
            enabled: true,
            created_date: Some(RECENT.into()),
            plan_ids: vec!["p1".into()],
            retire_after: None,
            rotates: None,
        }],
        plan_ids: vec!["p1".into()],
        scopes: vec![],
        status: "ok".into(),
        oldest_credential_date: Some(RECENT.into()),
        regions: vec!["eu-west-1".into()],
        accounts: vec![],
        error: None,
    }
}

struct World {
    apis: Vec<Api>,
    plans: Vec<UsagePlan>,
    keys: Vec<ApiKey>,
    partners: Vec<Partner>,
    domains: Vec<DomainName>,
    integrations: Vec<Integration>,
    config: LintConfig,
}

fn clean() -> World {
    World {
        apis: vec![rest(), http()],
        plans: vec![plan()],
        keys: vec![key()],
        partners: vec![partner()],
        domains: vec![DomainName {
            name: "api.example.com".into(),
            region: "eu-west-1".into(),
            account: Default::default(),
            security_policy: Some("SecurityPolicy_TLS13_1_3_2025_09".into()),
        }],
        integrations: vec![Integration {
            api_id: "h1".into(),
            region: "eu-west-1".into(),
            account: Default::default(),
            id: "i1".into(),
            connection_type: Some("VPC_LINK".into()),
            tls_server_name: Some("rates.internal".into()),
        }],
        config: LintConfig::default(),
    }
}

fn lint(w: &World) -> Report {
    let estate = Estate {
        apis: &w.apis,
        plans: &w.plans,
        keys: &w.keys,
        partners: &w.partners,
        domains: &w.domains,
        integrations: &w.integrations,
        now: NOW,
        config: &w.config,
    };
    evaluate(&estate, &Selection::default())
}

/// (rule, resource) of every finding.
fn found(w: &World) -> Vec<(&'static str, String)> {
    lint(w).findings.into_iter().map(|f| (f.rule_id, f.resource)).collect()
}

const STAGE: &str = "arn:aws:apigateway:eu-west-1::/restapis/r1/stages/prod";
const API: &str = "arn:aws:apigateway:eu-west-1::/restapis/r1";
const V2_STAGE: &str = "arn:aws:apigateway:eu-west-1::/apis/h1/stages/$default";

/// `change` to a clean world gives exactly `want`.
fn only(change: impl FnOnce(&mut World), want: &[(&str, &str)]) {
    let mut w = clean();
    change(&mut w);
    let got = found(&w);
    let want: Vec<(&str, String)> = want.iter().map(|(r, a)| (*r, a.to_string())).collect();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(got_sorted, want_sorted, "all findings: {got:?}");
}

#[test]
fn a_clean_estate_has_no_finding() {
    assert_eq!(found(&clean()), vec![]);
    assert!(lint(&clean()).exemptions.is_empty());
}

#[test]
fn security_hub_stage_controls_report_on_the_stage() {
    only(|w| w.apis[0].stages[0].execution_logging = Some("OFF".into()), &[("stage-execution-logging", STAGE)]);
    only(|w| w.apis[0].stages[0].execution_logging = None, &[("stage-execution-logging", STAGE)]);
    only(|w| w.apis[0].stages[0].execution_logging = Some("INFO".into()), &[]);
    only(|w| w.apis[0].stages[0].client_certificate_id = None, &[("stage-client-certificate", STAGE)]);
    only(|w| w.apis[0].stages[0].tracing_enabled = false, &[("stage-xray-tracing", STAGE)]);
    only(|w| w.apis[0].stages[0].web_acl_arn = None, &[("stage-waf", STAGE)]);
    // A PRIVATE API without a web ACL fails APIGateway.4 as Security Hub has it (the message says PRIVATE).
    let mut w = clean();
    w.apis[0].endpoint_type = Some("PRIVATE".into());
    w.apis[0].stages[0].web_acl_arn = None;
    let r = lint(&w);
    assert_eq!(r.findings.len(), 1);
    assert!(r.findings[0].rule_id == "stage-waf" && r.findings[0].message.contains("PRIVATE"));
    assert_eq!(r.findings[0].security_hub, Some("APIGateway.4"));
    assert_eq!(r.findings[0].prowler, Some("apigateway_restapi_waf_acl_attached"));
    // APIGateway.5: caching off is not evaluated; on and unencrypted fails.
    only(|w| w.apis[0].stages[0].cache_encrypted = Some(false), &[]);
    only(
        |w| {
            w.apis[0].stages[0].cache_enabled = true;
            w.apis[0].stages[0].cache_encrypted = Some(false);
        },
        &[("stage-cache-encrypted", STAGE)],
    );
    only(
        |w| {
            w.apis[0].stages[0].cache_enabled = true;
            w.apis[0].stages[0].cache_encrypted = Some(true);
        },
        &[],
    );
    only(|w| w.apis[0].stages[0].access_log = None, &[("rest-stage-access-logging", STAGE)]);
}

#[test]
fn http_stages_are_checked_each_and_never_for_execution_logs() {
    // Execution logging, certificates, X-Ray and WAF are REST-only controls.
    only(
        |w| {
            let s = &mut w.apis[1].stages[0];
            (s.execution_logging, s.client_certificate_id, s.tracing_enabled, s.web_acl_arn) =
                (None, None, false, None);
        },
        &[],
    );
    // Per stage: a second stage without access logs fails alone.
    only(
        |w| {
            let mut dev = stage("dev");
            dev.access_log = None;
            w.apis[1].stages.push(dev);
        },
        &[("v2-stage-access-logging", "arn:aws:apigateway:eu-west-1::/apis/h1/stages/dev")],
    );
    only(|w| w.apis[1].stages[0].metrics_enabled = Some(false), &[("v2-default-route-metrics", V2_STAGE)]);
}

#[test]
fn routes_need_an_authorization_type_except_preflight() {
    let open = format!("arn:aws:apigateway:eu-west-1::/apis/h1/routes/rt{}", "OPTIONS /rates/{id}".len());
    only(
        |w| w.apis[1].routes.as_mut().unwrap().push(route("GET /quotes", "NONE")),
        &[
            ("route-authorization", "arn:aws:apigateway:eu-west-1::/apis/h1/routes/rt11"),
            ("owasp-api2-no-auth", "arn:aws:apigateway:eu-west-1::/apis/h1/routes/rt11"),
            ("v2-api-authorizers", "arn:aws:apigateway:eu-west-1::/apis/h1"),
        ],
    );
    // A write open to anyone is critical.
    only(
        |w| w.apis[1].routes.as_mut().unwrap().push(route("POST /rates", "NONE")),
        &[
            ("route-authorization", "arn:aws:apigateway:eu-west-1::/apis/h1/routes/rt11"),
            ("owasp-api2-open-write", "arn:aws:apigateway:eu-west-1::/apis/h1/routes/rt11"),
            ("v2-api-authorizers", "arn:aws:apigateway:eu-west-1::/apis/h1"),
        ],
    );
    // $default is checked like any other route (it takes every method: writes too).
    only(
        |w| w.apis[1].routes.as_mut().unwrap().push(route("$default", "NONE")),
        &[
            ("route-authorization", "arn:aws:apigateway:eu-west-1::/apis/h1/routes/rt8"),
            ("owasp-api2-open-write", "arn:aws:apigateway:eu-west-1::/apis/h1/routes/rt8"),
            ("v2-api-authorizers", "arn:aws:apigateway:eu-west-1::/apis/h1"),
        ],
    );
    // OPTIONS: exempt, and listed as such.
    let mut w = clean();
    w.apis[1].routes.as_mut().unwrap().push(route("OPTIONS /rates/{id}", "NONE"));
    let r = lint(&w);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.exemptions.len(), 2);
    assert!(r.exemptions.iter().all(|e| e.resource == open && e.reason.contains("OPTIONS")));
    // The API has an authorizer, but a route uses none: Prowler would pass it, this does not.
    let mut w = clean();
    w.apis[1].routes.as_mut().unwrap().push(route("GET /rates/{id}", "NONE"));
    let f: Vec<_> = lint(&w).findings.into_iter().filter(|f| f.rule_id == "v2-api-authorizers").collect();
    assert!(f.len() == 1 && f[0].message.contains("has authorizers, and 1 route(s) use none: GET /rates/{id}"));
}

#[test]
fn rest_methods_authorizers_and_owasp_api2() {
    let m = |path: &str, verb: &str| format!("{API}/resources/res{}/methods/{verb}", path.len());
    only(
        |w| w.apis[0].methods.as_mut().unwrap().push(method("/health", "GET", "NONE", false)),
        &[("owasp-api2-no-auth", &m("/health", "GET"))],
    );
    only(
        |w| w.apis[0].methods.as_mut().unwrap().push(method("/items", "GET", "NONE", true)),
        &[("owasp-api2-key-only", &m("/items", "GET"))],
    );
    only(
        |w| w.apis[0].methods.as_mut().unwrap().push(method("/orders", "DELETE", "NONE", false)),
        &[("owasp-api2-open-write", &m("/orders", "DELETE"))],
    );
    // IAM is authentication.
    only(|w| w.apis[0].methods.as_mut().unwrap().push(method("/admin", "DELETE", "AWS_IAM", false)), &[]);
    // No authorizer at all: the API (public) and its open method.
    only(
        |w| {
            w.apis[0].authorizers.clear();
            w.apis[0].methods = Some(vec![method("/orders", "GET", "NONE", true)]);
        },
        &[
            ("rest-authorizers", API),
            ("rest-public-without-authorizer", API),
            ("owasp-api2-key-only", &m("/orders", "GET")),
        ],
    );
    // PRIVATE with no authorizer: not the public-endpoint check.
    only(
        |w| {
            w.apis[0].authorizers.clear();
            w.apis[0].endpoint_type = Some("PRIVATE".into());
            w.apis[0].methods = Some(vec![method("/orders", "GET", "AWS_IAM", false)]);
        },
        &[],
    );
    // OPTIONS with NONE: exempt, visible.
    let mut w = clean();
    w.apis[0].methods.as_mut().unwrap().push(method("/orders", "OPTIONS", "NONE", false));
    let r = lint(&w);
    assert!(r.findings.is_empty() && r.exemptions.len() == 2, "{r:?}");
}

#[test]
fn private_integrations_and_domains() {
    let integ = "arn:aws:apigateway:eu-west-1::/apis/h1/integrations/i1";
    only(|w| w.integrations[0].tls_server_name = None, &[("v2-private-integration-tls", integ)]);
    // Over the internet: not a private integration, not evaluated.
    only(
        |w| {
            w.integrations[0].tls_server_name = None;
            w.integrations[0].connection_type = Some("INTERNET".into());
        },
        &[],
    );
    let domain = "arn:aws:apigateway:eu-west-1::/domainnames/api.example.com";
    only(|w| w.domains[0].security_policy = Some("TLS_1_2".into()), &[("domain-tls-policy", domain)]);
    only(|w| w.domains[0].security_policy = None, &[("domain-tls-policy", domain)]);
}

#[test]
fn secrets_in_stage_variables() {
    assert!(rules::secret_like("dbPassword", "x"));
    assert!(rules::secret_like("api_token", "x"));
    assert!(rules::secret_like("partnerApiKey", "x") && rules::secret_like("CLIENT_SECRET", "x"));
    assert!(!rules::secret_like("api_token", ""), "an empty value is no secret");
    assert!(rules::secret_like("backend", "sk_live_9fQ2xL7pA3vR8mZ1cN4tB6"));
    // Names that only contain a secret word, and values that are only long.
    for (name, value) in [
        ("cacheKeyPrefix", "orders"),
        ("authUrl", "https://auth.example.com"),
        ("kmsKeyId", "1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("backendHost", "orders.internal.example.com"),
        ("lambdaAlias", "OrdersHandlerProdAlias2024"),
        ("fn", "arn:aws:lambda:eu-west-1:123456789012:function:OrdersHandler2024"),
        ("requestId", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ("url", "https://orders.example.com/v1/abcdefGHIJK12345"),
    ] {
        assert!(!rules::secret_like(name, value), "{name} = {value}");
    }
    only(
        |w| {
            w.apis[0].stages[0].variables.insert("paymentsApiKey".into(), "x".into());
            w.apis[0].stages[0].variables.insert("region".into(), "eu-west-1".into());
        },
        &[("stage-variable-secret", STAGE)],
    );
}

#[test]
fn config_rules_and_owasp_inventory() {
    only(|w| w.apis[0].endpoint_type = Some("EDGE".into()), &[("endpoint-type", API)]);
    let mut w = clean();
    w.config.allowed_endpoint_types = vec!["EDGE".into(), "REGIONAL".into()];
    w.apis[0].endpoint_type = Some("EDGE".into());
    assert_eq!(found(&w), vec![], "allowed by configuration");
    only(|w| w.apis[0].stages[0].description = None, &[("stage-description", STAGE)]);
    only(|w| w.apis[0].description = None, &[("owasp-api9-no-description", API)]);
    only(
        |w| {
            w.apis[0].tags.clear();
        },
        &[("owasp-api9-no-owner", API), ("required-tags", API)],
    );
    only(|w| w.apis[0].stages[0].tags.clear(), &[("required-tags", STAGE)]);
    let mut w = clean();
    w.config.required_tags = vec!["owner".into(), "cost-center".into()];
    let f = found(&w);
    assert_eq!(f.iter().filter(|(r, _)| *r == "required-tags").count(), 4, "2 APIs and 2 stages lack cost-center");
}

#[test]
fn owasp_api4_and_api8() {
    only(|w| w.plans[0].api_stages.clear(), &[("owasp-api4-stage-no-plan", STAGE)]);
    only(
        |w| w.plans[0].throttle = None,
        &[("owasp-api4-plan-no-throttle", "arn:aws:apigateway:eu-west-1::/usageplans/p1")],
    );
    only(|w| w.plans[0].quota = None, &[("owasp-api4-plan-no-quota", "arn:aws:apigateway:eu-west-1::/usageplans/p1")]);
    only(|w| w.apis[0].stages[0].throttle = None, &[("owasp-api4-stage-no-throttle", STAGE)]);
    only(|w| w.apis[0].stages[0].data_trace = Some(true), &[("owasp-api8-data-trace", STAGE)]);
    // Not a production stage.
    only(
        |w| {
            w.apis[0].stages[0].name = "dev".into();
            w.apis[0].stages[0].data_trace = Some(true);
            w.plans[0].api_stages[0].stage = "dev".into();
        },
        &[],
    );
}

#[test]
fn credential_hygiene() {
    let key = "arn:aws:apigateway:eu-west-1::/apikeys/k1";
    let partner = "arn:aws:cognito-idp:eu-west-1::userpool/eu-west-1_Pool/partner/acme";
    only(|w| w.keys[0].created_date = Some("2025-11-01T00:00:00Z".into()), &[("key-max-age", key)]);
    only(|w| w.keys[0].created_date = Some("2025-12-02T00:00:00Z".into()), &[]);
    only(
        |w| {
            w.keys[0].enabled = false;
            w.keys[0].last_updated_date = Some("2026-10-01T00:00:00Z".into());
        },
        &[("key-disabled-kept", key)],
    );
    only(|w| w.keys[0].enabled = false, &[]);
    only(|w| w.keys[0].plan_ids.clear(), &[("key-no-plan", key)]);
    only(|w| w.keys[0].customer_id = None, &[("key-no-customer", key)]);
    only(
        |w| w.partners[0].app_clients[0].secrets[0].created_date = Some("2026-01-01T00:00:00Z".into()),
        &[("secret-max-age", partner)],
    );
    // A rotation's newer secret counts.
    only(
        |w| {
            let c = &mut w.partners[0].app_clients[0];
            c.secrets[0].created_date = Some("2026-01-01T00:00:00Z".into());
            c.secrets.push(ClientSecretInfo { id: Some("c1--2".into()), created_date: Some(RECENT.into()) });
        },
        &[],
    );
    only(
        |w| w.partners[0].keys[0].retire_after = Some("2026-11-20T00:00:00Z".into()),
        &[("rotation-unfinished", partner)],
    );
    only(|w| w.partners[0].keys[0].retire_after = Some("2026-12-20T00:00:00Z".into()), &[]);
}

#[test]
fn findings_are_ordered_and_counted_and_selected() {
    let mut w = clean();
    w.apis[0].stages[0].data_trace = Some(true);
    w.apis[0].stages[0].tracing_enabled = false;
    w.keys[0].customer_id = None;
    let r = lint(&w);
    let order: Vec<Severity> = r.findings.iter().map(|f| f.severity).collect();
    assert_eq!(order, [Severity::High, Severity::Low, Severity::Info]);
    let s = summary(&r);
    assert_eq!((s.high, s.low, s.info, s.waived), (1, 1, 1, 0));
    let estate = Estate {
        apis: &w.apis,
        plans: &w.plans,
        keys: &w.keys,
        partners: &w.partners,
        domains: &[],
        integrations: &[],
        now: NOW,
        config: &w.config,
    };
    let sel = Selection {
        only: vec!["stage-xray-tracing".into(), "key-no-customer".into()],
        skip: vec!["key-no-customer".into()],
    };
    let r = evaluate(&estate, &sel);
    assert_eq!(r.findings.iter().map(|f| f.rule_id).collect::<Vec<_>>(), ["stage-xray-tracing"]);
    assert!(Selection { only: vec!["nope".into()], skip: vec![] }.check().is_err());
    // Every rule's table entry is whole, and every id is unique.
    let mut ids: Vec<&str> = rules::RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules::RULES.len());
    assert!(rules::RULES.iter().all(|r| !r.why.is_empty() && !r.fix.is_empty() && !r.references.is_empty()));
}

#[test]
fn remediations_name_the_resource() {
    let mut w = clean();
    w.apis[0].stages[0].tracing_enabled = false;
    let f = &lint(&w).findings[0];
    assert_eq!(
        f.remediation,
        "aws apigateway update-stage --rest-api-id r1 --stage-name prod --patch-operations op=replace,path=/tracingEnabled,value=true"
    );
    assert_eq!((f.api_id.as_deref(), f.stage.as_deref(), f.region.as_str()), (Some("r1"), Some("prod"), "eu-west-1"));
}

#[test]
fn the_governance_page_lists_every_rule() {
    let page = include_str!("../../docs/governance.md");
    for r in rules::RULES {
        assert!(
            page.contains(&format!("| `{}` | {} |", r.id, r.severity.label())),
            "docs/governance.md lacks {}",
            r.id
        );
    }
}
