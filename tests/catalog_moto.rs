//! AWS integration tests: the catalog through the same `aws/` functions the app uses,
//! over HTTP to a moto server started by the harness (tests/common).

mod common;

use common::{moto, unique_region};
use portcullis::aws::{self, AwsContext, ErrorKind, catalog};
use portcullis::config::Settings;
use portcullis::dev::estate::{self, EstateSpec, EstateSummary, ExpectedApi};
use portcullis::domain::Api;
use std::collections::BTreeMap;

fn settings(region: &str, endpoint: String) -> Settings {
    moto(); // starts moto and sets the test credentials before any SDK call reads them
    Settings::for_endpoint(&[region], endpoint)
}

async fn context(region: &str) -> AwsContext {
    let mut c = aws::connect(&settings(region, moto().endpoint())).await.expect("connect");
    assert_eq!(c.len(), 1);
    c.remove(0)
}

async fn build(ctx: &AwsContext, rest: usize, http: usize, plans: bool) -> EstateSummary {
    let spec = EstateSpec { rest_apis: rest, http_apis: http, with_plans_and_keys: plans, ..Default::default() };
    estate::build(ctx, &spec).await.expect("estate builds")
}

/// Compare what the catalog read with what the estate builder created.
fn assert_matches(expected: &[ExpectedApi], got: &[Api]) {
    assert_eq!(got.len(), expected.len(), "API count");
    for e in expected {
        let a = got.iter().find(|a| a.id == e.id).unwrap_or_else(|| panic!("{} ({}) missing", e.name, e.id));
        assert_eq!(a.name, e.name);
        assert_eq!(a.kind.label(), e.kind);
        assert_eq!(a.description.as_deref(), Some(e.description.as_str()));
        let tags: BTreeMap<String, String> = e.tags.clone().into_iter().collect();
        assert_eq!(a.tags, tags, "tags of {}", e.name);
        assert_stages(e, a);
        assert_methods(e, a);
        assert_routes(e, a);
    }
}

fn assert_stages(e: &ExpectedApi, a: &Api) {
    let names: Vec<&str> = a.stages.iter().map(|s| s.name.as_str()).collect();
    let want: Vec<&str> = e.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, want, "stages of {}", e.name);
    for (s, w) in a.stages.iter().zip(&e.stages) {
        assert_eq!(s.description.as_deref(), Some(w.description.as_str()));
        assert_eq!(s.tracing_enabled, w.tracing, "{} {} tracing", e.name, s.name);
        assert_eq!(s.cache_enabled, w.cache, "{} {} cache", e.name, s.name);
        if e.kind == "rest" {
            assert_eq!(s.deployment_id.as_deref(), Some(w.deployment_id.as_str()));
        }
    }
}

fn assert_methods(e: &ExpectedApi, a: &Api) {
    if e.kind != "rest" {
        return;
    }
    let mut got: Vec<_> = a
        .methods
        .as_ref()
        .expect("detail loaded")
        .iter()
        .map(|m| {
            (
                m.path.clone(),
                m.method.clone(),
                m.authorization.clone(),
                m.authorizer_id.clone(),
                m.api_key_required,
                m.integration_type.clone(),
            )
        })
        .collect();
    let mut want: Vec<_> = e
        .methods
        .iter()
        .map(|m| {
            (
                m.path.clone(),
                m.method.clone(),
                m.authorization.clone(),
                m.authorizer_id.clone(),
                m.api_key_required,
                Some(m.integration_type.clone()),
            )
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "methods of {}", e.name);
}

fn assert_routes(e: &ExpectedApi, a: &Api) {
    if e.kind != "http" {
        return;
    }
    let mut got: Vec<_> = a
        .routes
        .as_ref()
        .expect("detail loaded")
        .iter()
        .map(|r| (r.route_key.clone(), r.authorization.clone(), r.authorizer_id.clone()))
        .collect();
    let mut want: Vec<_> =
        e.routes.iter().map(|r| (r.route_key.clone(), r.authorization.clone(), r.authorizer_id.clone())).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "routes of {}", e.name);
}

#[tokio::test]
async fn sample_estate_reads_back_exactly() {
    let ctx = context(unique_region()).await;
    let built = build(&ctx, 7, 2, true).await;
    assert_eq!(built.plan_ids.len(), 3);
    assert_eq!(built.key_ids.len(), 11, "two per partner, and the successor of the rotating partner's key");
    let apis = catalog::list_apis(&ctx, catalog::Depth::Detail).await.expect("list");
    assert_matches(&built.apis, &apis);
    // Authorizers: a Cognito one on REST APIs, a JWT one on HTTP APIs (derived from routes under moto).
    let http = apis.iter().find(|a| a.name == "tracking-events").unwrap();
    assert_eq!(http.authorizers.len(), 1);
    assert_eq!(http.authorizers[0].kind, "JWT");
    // The portal's audience, and every partner app client's id (client-credentials tokens carry
    // `client_id`, no `aud`).
    assert_eq!(http.authorizers[0].audience[0], "kestrel-partner-portal");
    assert_eq!(http.authorizers[0].audience.len(), 1 + 4, "{:?}", http.authorizers[0].audience);
    let rest = apis.iter().find(|a| a.name == "payments-api").unwrap();
    assert_eq!(rest.authorizers[0].kind, "COGNITO_USER_POOLS");
}

#[tokio::test]
async fn stage_settings_are_read() {
    let ctx = context(unique_region()).await;
    build(&ctx, 3, 1, false).await;
    let apis = catalog::list_apis(&ctx, catalog::Depth::Summary).await.expect("list");
    let payments = apis.iter().find(|a| a.name == "payments-api").unwrap();
    let prod = payments.stages.iter().find(|s| s.name == "prod").unwrap();
    assert_eq!(prod.execution_logging.as_deref(), Some("ERROR"));
    let t = prod.throttle.as_ref().unwrap();
    assert_eq!((t.rate_limit, t.burst_limit), (Some(500.0), Some(1000)));
    assert_eq!(prod.access_log.as_ref().and_then(|l| l.format.as_deref()), Some("$context.requestId $context.status"));
    assert_eq!(prod.variables.get("backendHost").map(String::as_str), Some("prod.backend.internal"));
    let dev = payments.stages.iter().find(|s| s.name == "dev").unwrap();
    assert_eq!(dev.execution_logging.as_deref(), Some("INFO"));
    assert!(dev.access_log.is_none());
    let http = apis.iter().find(|a| a.kind.label() == "http").unwrap();
    let default = &http.stages[0];
    assert_eq!(default.name, "$default");
    assert_eq!(default.auto_deploy, Some(true));
    let t = default.throttle.as_ref().unwrap();
    assert_eq!((t.rate_limit, t.burst_limit), (Some(50.0), Some(100)));
    assert!(payments.methods.is_none() && http.routes.is_none(), "no detail without --detail");
}

#[tokio::test]
async fn more_than_a_hundred_rest_apis_are_all_listed() {
    let ctx = context(unique_region()).await;
    let built = build(&ctx, 120, 0, false).await;
    let apis = catalog::list_apis(&ctx, catalog::Depth::Summary).await.expect("list");
    assert_eq!(apis.len(), 120);
    let mut want: Vec<&str> = built.apis.iter().map(|a| a.name.as_str()).collect();
    let mut got: Vec<&str> = apis.iter().map(|a| a.name.as_str()).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn names_with_escape_sequences_are_kept_exactly() {
    let ctx = context(unique_region()).await;
    let evil = "billing\x1b[31m-red\x1b]0;pwned\x07\u{202e}gnp.exe";
    ctx.apigw.create_rest_api().name(evil).description("desc\x1b[2J").send().await.expect("create");
    let apis = catalog::list_apis(&ctx, catalog::Depth::Summary).await.expect("list");
    assert_eq!(apis.len(), 1);
    assert_eq!(apis[0].name, evil, "the domain keeps the exact string");
    let table = portcullis::cli::apis::table(&apis, false, false);
    assert!(!table.contains('\x1b') && !table.contains('\x07') && !table.contains('\u{202e}'), "{table:?}");
    assert!(table.contains("billing\\x1b[31m-red\\x1b]0;pwned\\x07<U+202E>gnp."), "{table}");
}

#[tokio::test]
async fn unknown_api_is_a_clear_not_found() {
    let ctx = context(unique_region()).await;
    let err = catalog::rest_stages(&ctx, "nope123456").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(err.message.contains("GetStages"), "{}", err.message);
}

#[tokio::test]
async fn unreachable_endpoint_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let ctx = aws::connect(&settings("us-east-1", format!("http://127.0.0.1:{port}"))).await.unwrap().remove(0);
    let err = catalog::list_apis(&ctx, catalog::Depth::Summary).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err}");
    assert!(err.message.contains("could not reach"), "{}", err.message);
}

#[tokio::test]
async fn read_only_refuses_to_build() {
    let mut s = settings(unique_region(), moto().endpoint());
    s.read_only = true;
    let ctx = aws::connect(&s).await.unwrap().remove(0);
    let err = estate::build(&ctx, &EstateSpec::default()).await.unwrap_err();
    assert!(err.message.contains("read-only"), "{}", err.message);
    let apis = catalog::list_apis(&ctx, catalog::Depth::Summary).await.unwrap();
    assert!(apis.is_empty(), "nothing was created");
}

#[tokio::test]
async fn several_regions_load_together() {
    let (r1, r2) = (unique_region(), unique_region());
    build(&context(r1).await, 2, 1, false).await;
    build(&context(r2).await, 1, 0, false).await;
    let mut s = settings(r1, moto().endpoint());
    s.regions = vec![r1.to_string(), r2.to_string()];
    let contexts = aws::connect(&s).await.unwrap();
    let apis = catalog::list_all(&contexts, catalog::Depth::Summary).await.unwrap().apis;
    assert_eq!(apis.iter().filter(|a| a.region == r1).count(), 3);
    assert_eq!(apis.iter().filter(|a| a.region == r2).count(), 1);
}
