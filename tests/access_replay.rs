//! What moto cannot show for plans and keys: GetUsage (moto answers 404) in API Gateway's wire
//! format, and proof that read-only mode sends no mutating request at all (a recording server).

mod common;

use portcullis::aws::{self, AwsContext, ErrorKind, keys, plans};
use portcullis::config::Settings;
use portcullis::domain::NewKey;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::answer;
use common::replay_credentials as credentials;

async fn context(server: &MockServer, read_only: bool) -> AwsContext {
    let settings = Settings { read_only, ..Settings::for_endpoint(&["eu-central-1"], server.uri()) };
    aws::connect(&settings).await.unwrap().remove(0)
}

#[tokio::test]
async fn get_usage_pages_become_days_per_key() {
    credentials();
    let server = MockServer::start().await;
    // GetUsage's documented shape: usagePlanId, startDate, endDate, position, and `values`:
    // key id -> one [used, remaining] pair per day from startDate.
    Mock::given(method("GET"))
        .and(path("/usageplans/p1/usage"))
        .and(query_param("limit", "500"))
        .and(query_param("keyId", "k1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "usagePlanId": "p1", "startDate": "2026-11-25", "endDate": "2026-11-27",
            "values": {"k1": [[120, 9880], [0, 9880], [430, 9450]]}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let ctx = context(&server, false).await;
    let u = plans::usage(&ctx, "p1", Some("k1"), 3).await.unwrap();
    let days = &u.keys["k1"];
    assert_eq!(days.len(), 3);
    assert_eq!((days[0].used, days[0].remaining), (120, 9880));
    assert_eq!((days[2].used, days[2].remaining), (430, 9450));
    assert_eq!(days.iter().map(|d| d.used).sum::<i64>(), 550);
    let request = &server.received_requests().await.unwrap()[0];
    let q: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    assert!(q.iter().any(|(k, _)| k == "startDate") && q.iter().any(|(k, _)| k == "endDate"), "{q:?}");
}

#[tokio::test]
async fn unsupported_get_usage_is_a_clear_state() {
    credentials();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/usageplans/p1/usage"))
        .respond_with(ResponseTemplate::new(404).set_body_string("<html>Not Found</html>"))
        .mount(&server)
        .await;
    let err = plans::usage(&context(&server, false).await, "p1", None, 7).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotImplemented);
    assert_eq!(err.message, plans::USAGE_UNAVAILABLE);
}

#[tokio::test]
async fn read_only_sends_no_mutating_request() {
    credentials();
    let server = MockServer::start().await; // answers 404 to anything: every request is recorded
    let ctx = context(&server, true).await;
    let new = NewKey { name: "x".into(), plan_ids: vec!["p1".into()], enabled: true, ..Default::default() };
    let results = [
        keys::create_key(&ctx, &new).await.map(|_| ()),
        keys::set_enabled(&ctx, "k1", false).await,
        keys::delete_key(&ctx, "k1").await,
        keys::attach(&ctx, "k1", "p1").await,
        keys::detach(&ctx, "k1", "p1").await,
    ];
    for r in results {
        assert_eq!(r.unwrap_err().kind, ErrorKind::Refused);
    }
    let sent = server.received_requests().await.unwrap();
    let mutating: Vec<String> =
        sent.iter().filter(|r| r.method.as_str() != "GET").map(|r| format!("{} {}", r.method, r.url)).collect();
    assert!(mutating.is_empty(), "mutating requests sent in read-only mode: {mutating:?}");
    assert!(sent.is_empty(), "refused before any call: {} requests", sent.len());
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// No usage plans, and (lowest priority) no keys of any name: what a create lists first.
async fn no_plans(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/apikeys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": []})))
        .with_priority(10)
        .mount(server)
        .await;
    answer(server, "GET", "/usageplans", 200, json!({"item": []})).await;
}

fn api_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("x-amzn-ErrorType", code).set_body_json(json!({"message": message}))
}

#[tokio::test]
async fn a_lost_create_answer_is_checked_by_listing_not_retried() {
    credentials();
    let server = MockServer::start().await;
    no_plans(&server).await;
    // The create happened, but its answer arrives broken (as when a connection drops).
    Mock::given(method("POST"))
        .and(path("/apikeys"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": \"new1\", \"val"))
        .mount(&server)
        .await;
    // An older key of the same name existed before; only the new one can be ours.
    let old = json!({"id": "old1", "name": "acme-prod", "enabled": true, "createdDate": now_secs() - 30, "customerId": "acme"});
    let key =
        json!({"id": "new1", "name": "acme-prod", "enabled": true, "createdDate": now_secs(), "customerId": "acme"});
    let listing = |items: serde_json::Value| ResponseTemplate::new(200).set_body_json(json!({ "item": items }));
    Mock::given(method("GET"))
        .and(path("/apikeys"))
        .and(query_param("name", "acme-prod"))
        .respond_with(listing(json!([old.clone()])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/apikeys"))
        .and(query_param("name", "acme-prod"))
        .respond_with(listing(json!([old, key])))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/apikeys/new1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "new1", "name": "acme-prod", "enabled": true, "value": "RECOVEREDvalue0123456789"}),
        ))
        .mount(&server)
        .await;
    let new =
        NewKey { name: "acme-prod".into(), customer_id: Some("acme".into()), enabled: true, ..Default::default() };
    let created = keys::create_key(&context(&server, false).await, &new).await.expect("recovered");
    assert!(created.recovered);
    assert_eq!(created.key.id, "new1");
    assert_eq!(created.value.expose(), "RECOVEREDvalue0123456789");
    let posts = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 1, "CreateApiKey was not retried blindly");
}

#[tokio::test]
async fn a_lost_create_answer_without_a_key_is_an_error_and_not_retried() {
    credentials();
    let server = MockServer::start().await;
    no_plans(&server).await;
    Mock::given(method("POST"))
        .and(path("/apikeys"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": "))
        .mount(&server)
        .await;
    answer(&server, "GET", "/apikeys", 200, json!({"item": []})).await;
    let new = NewKey { name: "ghost".into(), enabled: true, ..Default::default() };
    let err = keys::create_key(&context(&server, false).await, &new).await.unwrap_err();
    assert!(err.message.contains("checked: no new key named ghost exists now"), "{}", err.message);
    let posts = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn throttled_create_waits_and_creates_once() {
    credentials();
    let server = MockServer::start().await;
    no_plans(&server).await;
    Mock::given(method("POST"))
        .and(path("/apikeys"))
        .respond_with(api_error(429, "TooManyRequestsException", "Too Many Requests"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let created = json!({"id": "k9", "name": "burst", "enabled": true, "value": "VALUEafterTHROTTLE012345"});
    Mock::given(method("POST"))
        .and(path("/apikeys"))
        .respond_with(ResponseTemplate::new(201).set_body_json(created.clone()))
        .with_priority(2)
        .mount(&server)
        .await;
    answer(&server, "GET", "/apikeys/k9", 200, created).await;
    let new = NewKey { name: "burst".into(), enabled: true, ..Default::default() };
    let done = keys::create_key(&context(&server, false).await, &new).await.unwrap();
    assert!(!done.recovered);
    assert_eq!(done.value.expose(), "VALUEafterTHROTTLE012345");
    let posts = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 2, "one throttled (nothing created), one that created the key");
}

#[tokio::test]
async fn the_ten_thousand_and_first_key_is_a_clear_error() {
    credentials();
    let server = MockServer::start().await;
    no_plans(&server).await;
    Mock::given(method("POST"))
        .and(path("/apikeys"))
        .respond_with(api_error(429, "LimitExceededException", "API Key limit exceeded: 10000"))
        .mount(&server)
        .await;
    let new = NewKey { name: "one-too-many".into(), enabled: true, ..Default::default() };
    let err = keys::create_key(&context(&server, false).await, &new).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded);
    assert!(err.message.contains("an AWS limit is reached") && err.message.contains("10000"), "{}", err.message);
}

#[tokio::test]
async fn a_lost_answer_never_adopts_someone_elses_key() {
    credentials();
    let server = MockServer::start().await;
    no_plans(&server).await;
    Mock::given(method("POST"))
        .and(path("/apikeys"))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .mount(&server)
        .await;
    // After the failure a new key of that name exists, but for another customer.
    let theirs = json!({"id": "other1", "name": "shared-name", "enabled": true, "createdDate": now_secs(), "customerId": "globex"});
    Mock::given(method("GET"))
        .and(path("/apikeys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": []})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/apikeys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [theirs]})))
        .with_priority(2)
        .mount(&server)
        .await;
    let new =
        NewKey { name: "shared-name".into(), customer_id: Some("acme".into()), enabled: true, ..Default::default() };
    let err = keys::create_key(&context(&server, false).await, &new).await.unwrap_err();
    assert!(err.message.contains("no new key named shared-name"), "{}", err.message);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.iter().filter(|r| r.method.as_str() == "POST").count(), 1, "not retried");
    assert_eq!(sent.iter().filter(|r| r.method.as_str() == "DELETE").count(), 0, "nothing deleted");
}

/// Attach reads the key, the plans it is in (GetUsagePlans with keyId), the target plan and its
/// keys: four reads whatever the number of plans in the account, then the attach itself. The
/// key's plan covers the same API stage as the target here, so the check must see it.
#[tokio::test]
async fn attach_reads_only_the_keys_plans_and_the_target() {
    credentials();
    let server = MockServer::start().await;
    let stage = json!([{"apiId": "a1", "stage": "prod"}]);
    answer(&server, "GET", "/apikeys/k1", 200, json!({"id": "k1", "name": "acme", "enabled": true})).await;
    Mock::given(method("GET"))
        .and(path("/usageplans"))
        .and(query_param("keyId", "k1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"item": [{"id": "gold", "name": "gold", "apiStages": [{"apiId": "a9", "stage": "prod"}]}]}),
        ))
        .mount(&server)
        .await;
    let p2 = json!({"id": "p2", "name": "p2", "apiStages": [{"apiId": "a2", "stage": "prod"}]});
    answer(&server, "GET", "/usageplans/p2", 200, p2).await;
    answer(&server, "GET", "/usageplans/p2/keys", 200, json!({"item": []})).await;
    answer(&server, "POST", "/usageplans/p2/keys", 201, json!({"id": "k1", "type": "API_KEY", "name": "acme"})).await;
    let ctx = context(&server, false).await;
    keys::attach(&ctx, "k1", "p2").await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let seen: Vec<String> = requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    assert_eq!(
        seen,
        [
            "GET /apikeys/k1",
            "GET /usageplans",
            "GET /usageplans/p2",
            "GET /usageplans/p2/keys",
            "POST /usageplans/p2/keys"
        ],
        "no listing of every plan"
    );
    assert_eq!(
        requests[1].url.query_pairs().find(|(k, _)| k == "keyId").map(|(_, v)| v.to_string()),
        Some("k1".into())
    );

    // Now make the key's plan cover the target's stage: refused before any change.
    server.reset().await;
    answer(&server, "GET", "/apikeys/k1", 200, json!({"id": "k1", "name": "acme", "enabled": true})).await;
    let gold = json!({"item": [{"id": "gold", "name": "gold", "apiStages": stage}]});
    answer(&server, "GET", "/usageplans", 200, gold).await;
    let p3 = json!({"id": "p3", "name": "p3", "apiStages": stage});
    answer(&server, "GET", "/usageplans/p3", 200, p3).await;
    answer(&server, "GET", "/usageplans/p3/keys", 200, json!({"item": []})).await;
    let e = keys::attach(&ctx, "k1", "p3").await.unwrap_err();
    assert!(e.message.contains("already in usage plan gold for API stage a1/prod"), "{}", e.message);
    assert!(!server.received_requests().await.unwrap().iter().any(|r| r.method.as_str() == "POST"));
}

/// Changes keep the standard 3 attempts (each checks after a lost answer itself): an
/// UpdateApiKey that keeps failing is tried three times, not eight.
#[tokio::test]
async fn a_failing_change_is_tried_three_times_not_eight() {
    credentials();
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/apikeys/k1"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("x-amzn-ErrorType", "InternalFailure")
                .set_body_json(json!({"message": "Internal server error"})),
        )
        .mount(&server)
        .await;
    let ctx = context(&server, false).await;
    let err = keys::set_enabled(&ctx, "k1", false).await.unwrap_err();
    assert!(err.message.contains("UpdateApiKey"), "{}", err.message);
    let calls = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "PATCH").count();
    assert_eq!(calls, aws::clients::CHANGE_ATTEMPTS as usize);
}

/// Plans p1 and p2 (p2's keys can never be read: HTTP 500 after every retry) and keys k1 (in
/// p1) and k2, in API Gateway's REST JSON.
async fn a_plan_whose_keys_fail(server: &MockServer) {
    let plan =
        |id: &str| json!({"id": id, "name": format!("plan-{id}"), "apiStages": [{"apiId": "a1", "stage": "prod"}]});
    answer(server, "GET", "/usageplans", 200, json!({"item": [plan("p1"), plan("p2")]})).await;
    let key_entry = json!({"id": "k1", "type": "API_KEY", "name": "acme-prod", "value": "k1VALUEabcdefghij0123456789"});
    answer(server, "GET", "/usageplans/p1/keys", 200, json!({"item": [key_entry]})).await;
    Mock::given(method("GET"))
        .and(path("/usageplans/p2/keys"))
        .respond_with(api_error(500, "InternalFailure", "Internal server error"))
        .mount(server)
        .await;
    let key = |id: &str| json!({"id": id, "name": format!("acme-{id}"), "customerId": "acme", "enabled": true, "createdDate": 1764000000});
    answer(server, "GET", "/apikeys", 200, json!({"item": [key("k1"), key("k2")]})).await;
}

/// A plan whose keys cannot be read after every retry: `plans` prints every plan, that one with
/// an `error` field (and the others without), names it on stderr and exits 1; `keys` prints
/// every key, each saying its `planIds` may be incomplete, and exits 1. Never an empty stdout.
#[tokio::test]
async fn a_plan_that_cannot_be_read_leaves_plans_and_keys_listed() {
    credentials();
    let server = MockServer::start().await;
    a_plan_whose_keys_fail(&server).await;
    let out = common::run_cli_at(&server.uri(), "eu-central-1", &["plans", "--output", "json"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let plans: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON list");
    assert_eq!(plans[0]["id"], "p1");
    assert_eq!(plans[0]["keyIds"], json!(["k1"]));
    assert!(plans[0].get("error").is_none(), "no error field when all loaded: {}", plans[0]);
    assert_eq!(plans[1]["id"], "p2");
    assert_eq!(plans[1]["apiStages"][0]["apiId"], "a1", "what did load is there");
    assert!(plans[1]["error"].as_str().is_some_and(|e| e.contains("GetUsagePlanKeys")), "{}", plans[1]);
    assert!(stderr.contains("usage plan plan-p2 (p2, eu-central-1)"), "{stderr}");
    assert!(stderr.contains("1 usage plan(s) could not be read completely"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("k1VALUE"), "no key value in the output");

    let out = common::run_cli_at(&server.uri(), "eu-central-1", &["keys", "--output", "json"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let keys: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON list");
    let ids: Vec<&str> = keys.as_array().unwrap().iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["k1", "k2"]);
    assert_eq!(keys[0]["planIds"], json!(["p1"]), "the plans that were read still count");
    for k in keys.as_array().unwrap() {
        assert!(k["error"].as_str().is_some_and(|e| e.contains("p2")), "{k}");
    }
    assert!(stderr.contains("the keys of usage plan p2 could not be read"), "{stderr}");
    assert!(stderr.contains("2 key(s) could not be read completely"), "{stderr}");
}

/// The plan list itself failing leaves the keys listed without their plans (and says so).
#[tokio::test]
async fn keys_are_listed_when_the_plans_cannot_be_read() {
    credentials();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/usageplans"))
        .respond_with(api_error(503, "ServiceUnavailableException", "Service unavailable"))
        .mount(&server)
        .await;
    let key = json!({"id": "k1", "name": "acme-prod", "customerId": "acme", "enabled": true});
    answer(&server, "GET", "/apikeys", 200, json!({"item": [key]})).await;
    let listed = keys::list_keys(&context(&server, false).await, None).await.expect("the keys still list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].plan_ids.is_empty());
    let error = listed[0].error.as_deref().unwrap_or_default();
    assert!(error.starts_with("plans unknown") && error.contains("GetUsagePlans"), "{error}");
}
