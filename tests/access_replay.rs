//! What moto cannot show for plans and keys: GetUsage (moto answers 404) in API Gateway's wire
//! format, and proof that read-only mode sends no mutating request at all (a recording server).

use portcullis::aws::{self, AwsContext, ErrorKind, keys, plans};
use portcullis::config::Settings;
use portcullis::domain::NewKey;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

static CREDENTIALS: std::sync::Once = std::sync::Once::new();

fn credentials() {
    // SAFETY: every test calls this first, before anything reads the environment.
    CREDENTIALS.call_once(|| unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "replay");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "replay");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

async fn context(server: &MockServer, read_only: bool) -> AwsContext {
    let settings = Settings {
        profile: None,
        regions: vec!["eu-central-1".into()],
        endpoint_url: Some(server.uri()),
        read_only,
        theme: "default".into(),
        config_dir: None,
        pace_rps: None,
        pace_burst: None,
        no_color: true,
    };
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
