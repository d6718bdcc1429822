//! The catalog in the weather of a real account: through a local proxy in front of moto that
//! fails requests (HTTP 500 InternalFailure, some as dropped connections) from fixed seeds, or
//! imposes API Gateway's account bucket (10 requests/s, burst 40, HTTP 429
//! TooManyRequestsException). Every listing must come back complete and exact, and the pacing
//! must keep the bucket from ever answering 429.

mod common;

use common::{moto, unique_region};
use portcullis::aws::{self, catalog, keys, plans};
use portcullis::config::Settings;
use portcullis::dev::estate::{self, EstateSpec};
use portcullis::dev::standin::limits::Limit;
use portcullis::dev::standin::proxy::{Proxy, Weather};
use std::time::Duration;

async fn build(region: &str, rest: usize, http: usize) {
    let ctx = aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    estate::build(&ctx, &EstateSpec { rest_apis: rest, http_apis: http, ..Default::default() }).await.unwrap();
}

/// A REST API with one method and no authorizer at all (the estate's APIs all have one).
async fn plain_api(region: &str, name: &str) {
    let ctx = aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let api = ctx.apigw.create_rest_api().name(name).send().await.unwrap();
    let (id, root) = (api.id().unwrap(), api.root_resource_id().unwrap());
    let put = ctx.apigw.put_method().rest_api_id(id).resource_id(root).http_method("GET").authorization_type("NONE");
    put.send().await.unwrap();
}

async fn listing(region: &str, endpoint: String, pace: Option<(f64, u32)>) -> serde_json::Value {
    let mut settings = Settings::for_endpoint(&[region], endpoint);
    if let Some((rps, burst)) = pace {
        (settings.pace_rps, settings.pace_burst) = (Some(rps), Some(burst));
    }
    let contexts = aws::connect(&settings).await.unwrap();
    let listed = catalog::list_all(&contexts, catalog::Depth::Detail).await.expect("the listing completes");
    let plans = plans::list_plans(&contexts[0]).await.expect("the plans list");
    let keys = keys::list_keys(&contexts[0], None).await.expect("the keys list");
    serde_json::json!({"apis": listed.apis, "plans": plans, "keys": keys})
}

/// Every listed item (API, plan, key) without an `error` field.
fn all_whole(listing: &serde_json::Value) -> bool {
    ["apis", "plans", "keys"].iter().all(|k| listing[k].as_array().unwrap().iter().all(|a| a.get("error").is_none()))
}

/// Ten runs with 10 % of requests failing (a quarter of them dropped connections), each seed
/// fixed, each listing the APIs (with detail), the usage plans and the keys. A run makes about
/// 100 calls; with 3 attempts a call is lost once in 1,000
/// (0.1^3), so a 3-attempt client would lose about one run in ten; with 8 attempts, one call
/// in 10^8. Every run must equal the listing made without faults, field for field.
#[tokio::test]
async fn every_listing_through_the_fault_proxy_is_complete_and_exact() {
    let region = unique_region();
    build(region, 24, 3).await;
    for name in ["plain-a", "plain-b", "plain-c"] {
        plain_api(region, name).await;
    }
    let clean = listing(region, moto().endpoint(), None).await;
    assert_eq!(clean["apis"].as_array().map(Vec::len), Some(30));
    assert!(clean["plans"].as_array().is_some_and(|p| !p.is_empty()), "the estate has plans");
    assert!(clean["keys"].as_array().is_some_and(|k| !k.is_empty()), "the estate has keys");
    assert!(all_whole(&clean));
    // Fewest calls: GetAuthorizers goes only to the REST APIs one of whose methods names an
    // authorizer, once each (one page): the three plain ones get none.
    let counter = Proxy::start(&moto().endpoint(), Weather::default()).await.unwrap();
    assert_eq!(listing(region, counter.url(), None).await, clean);
    let rest: Vec<&serde_json::Value> =
        clean["apis"].as_array().unwrap().iter().filter(|a| a["kind"] == "rest").collect();
    let guarded = rest
        .iter()
        .filter(|a| a["methods"].as_array().is_some_and(|l| l.iter().any(|m| m["authorizerId"].is_string())))
        .count();
    assert_eq!((rest.len(), guarded), (27, 24), "the estate's REST APIs name an authorizer, the plain ones do not");
    let ops = counter.counts().operations;
    assert_eq!(ops.get("GET /restapis/{}/authorizers"), Some(&guarded), "{ops:?}");
    let mut faults = 0;
    for seed in 1..=10u64 {
        let weather = Weather { fault_rate: 0.10, drop_share: 0.25, seed, ..Default::default() };
        let proxy = Proxy::start(&moto().endpoint(), weather).await.unwrap();
        let seen = listing(region, proxy.url(), None).await;
        assert!(all_whole(&seen), "seed {seed}: {seen}");
        assert_eq!(seen, clean, "seed {seed}: the listing through the faults is the listing without them");
        let c = proxy.counts();
        faults += c.faults + c.dropped;
    }
    assert!(faults >= 50, "the proxy did fail requests ({faults} over ten runs)");
}

/// Through API Gateway's account bucket (10 requests/s, burst 40) with 20 ms of latency, a
/// `--detail` listing of about 60 calls: with `--pace-rps 10` and with the pacing portcullis
/// uses against AWS (8/s, burst 20), the bucket never answers 429.
#[tokio::test]
async fn paced_listings_are_never_throttled_by_the_account_bucket() {
    let region = unique_region();
    build(region, 16, 2).await;
    for pace in [(10.0, 20), (aws::pacing::DEFAULT_APIGATEWAY_RPS, aws::pacing::DEFAULT_APIGATEWAY_BURST)] {
        let weather = Weather {
            limits: vec![Limit::api_gateway(10.0, 40.0)],
            latency: Duration::from_millis(20),
            ..Default::default()
        };
        let proxy = Proxy::start(&moto().endpoint(), weather).await.unwrap();
        let mut settings = Settings::for_endpoint(&[region], proxy.url());
        (settings.pace_rps, settings.pace_burst) = (Some(pace.0), Some(pace.1));
        let contexts = aws::connect(&settings).await.unwrap();
        let listed = catalog::list_all(&contexts, catalog::Depth::Detail).await.unwrap();
        assert_eq!(listed.apis.len(), 18);
        let c = proxy.counts();
        assert_eq!(c.throttled, 0, "pacing {pace:?}: {c:?}");
        assert!(c.requests > 40, "more calls than the bucket's burst went through the proxy: {c:?}");
    }
    // Unpaced, the same listing does hit the bucket: the test can tell.
    let weather = Weather { limits: vec![Limit::api_gateway(10.0, 40.0)], ..Default::default() };
    let proxy = Proxy::start(&moto().endpoint(), weather).await.unwrap();
    let contexts = aws::connect(&Settings::for_endpoint(&[region], proxy.url())).await.unwrap();
    let listed = catalog::list_all(&contexts, catalog::Depth::Detail).await.unwrap();
    assert_eq!(listed.apis.len(), 18, "retried through the throttles");
    assert!(proxy.counts().throttled > 0, "unpaced, the bucket answers 429: {:?}", proxy.counts());
}
