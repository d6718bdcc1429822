//! CloudTrail LookupEvents is not in moto: these tests replay responses in the wire format of
//! the CloudTrail API reference (JSON 1.1: `Events`, `NextToken`, epoch-second `EventTime`,
//! `CloudTrailEvent` as a JSON string; throttling as HTTP 400 `ThrottlingException`).

mod common;

use portcullis::aws::{self, AwsContext, audit};
use portcullis::config::Settings;
use portcullis::domain::{AuditQuery, parse_time};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::replay_credentials as credentials;

async fn context(server: &MockServer) -> AwsContext {
    let settings = Settings::for_endpoint(&["eu-west-1"], server.uri());
    aws::connect(&settings).await.unwrap().remove(0)
}

fn query() -> AuditQuery {
    AuditQuery {
        since: parse_time("2026-11-20T00:00:00Z").unwrap(),
        until: parse_time("2026-11-27T00:00:00Z").unwrap(),
        event_name: Some("CreateApiKey".into()),
        event_sources: vec!["apigateway.amazonaws.com".into()],
        user: None,
        resource: None,
        errors_only: false,
        read_only: None,
        limit: 100,
    }
}

/// An event as LookupEvents returns it; `record` is the CloudTrailEvent string.
fn event(id: &str, secs: i64, user: &str, record: &str) -> serde_json::Value {
    json!({
        "EventId": id, "EventName": "CreateApiKey", "ReadOnly": "false", "AccessKeyId": "ASIAEXAMPLE",
        "EventTime": secs, "EventSource": "apigateway.amazonaws.com", "Username": user,
        "Resources": [{"ResourceType": "AWS::ApiGateway::ApiKey", "ResourceName": format!("key-{id}")}],
        "CloudTrailEvent": record
    })
}

fn record(id: &str, ip: &str, error: Option<&str>) -> String {
    let mut r = json!({"eventVersion": "1.09", "eventID": id, "eventTime": "2026-11-21T10:00:00Z", "eventSource": "apigateway.amazonaws.com",
        "eventName": "CreateApiKey", "awsRegion": "eu-west-1", "sourceIPAddress": ip, "userAgent": "aws-cli/2", "readOnly": false,
        "userIdentity": {"type": "IAMUser", "userName": "jane"}});
    if let Some(e) = error {
        r["errorCode"] = json!(e);
    }
    r.to_string()
}

const DAY: i64 = 1_795_255_200; // 2026-11-21T10:00:00Z

#[tokio::test]
async fn pages_follow_next_token_with_one_attribute_and_filter_the_rest_locally() {
    credentials();
    let server = MockServer::start().await;
    let page1 = json!({"Events": [
        event("e1", DAY + 300, "jane", &record("e1", "203.0.113.1", None)),
        event("e2", DAY + 200, "bob", &record("e2", "203.0.113.2", Some("AccessDenied"))),
    ], "NextToken": "page-2"});
    let page2 = json!({"Events": [event("e3", DAY + 100, "jane", &record("e3", "203.0.113.3", None))]});
    Mock::given(method("POST"))
        .and(body_string_contains("\"NextToken\":\"page-2\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(page2))
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page1))
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let ctx = context(&server).await;
    let mut q = query();
    q.user = Some("jan".into());
    let (events, filters) = audit::lookup(&ctx, &q, None).await.unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e1", "e3"], "newest first; bob filtered out client-side");
    assert_eq!(filters, vec![Some(audit::ServerFilter::new("EventName", "CreateApiKey"))]);
    assert_eq!(events[0].source_ip.as_deref(), Some("203.0.113.1"));
    assert_eq!(events[0].resources[0].name, "key-e1");
    for r in server.received_requests().await.unwrap() {
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["LookupAttributes"], json!([{"AttributeKey": "EventName", "AttributeValue": "CreateApiKey"}]));
        assert_eq!(body["MaxResults"], 50);
    }
}

#[tokio::test]
async fn throttling_backs_off_without_an_error() {
    credentials();
    let server = MockServer::start().await;
    let throttled =
        ResponseTemplate::new(400).set_body_json(json!({"__type": "ThrottlingException", "message": "Rate exceeded"}));
    Mock::given(method("POST")).respond_with(throttled).up_to_n_times(3).with_priority(1).mount(&server).await;
    let ok = json!({"Events": [event("e9", DAY, "jane", &record("e9", "198.51.100.7", None))]});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok))
        .with_priority(2)
        .mount(&server)
        .await;
    let (events, _) = audit::lookup(&context(&server).await, &query(), None).await.expect("no error shown");
    assert_eq!(events.len(), 1);
    assert!(server.received_requests().await.unwrap().len() >= 4, "three throttled answers, then the page");
}

#[tokio::test]
async fn a_malformed_cloudtrail_event_still_lists_with_its_own_fields() {
    credentials();
    let server = MockServer::start().await;
    let page = json!({"Events": [event("bad1", DAY, "jane", "{\"eventVersion\": \"1.0\", \"sourceIP")]});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(page)).mount(&server).await;
    let ctx = context(&server).await;
    let (events, _) = audit::lookup(&ctx, &query(), None).await.unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!((e.event_id.as_str(), e.username.as_deref()), ("bad1", Some("jane")));
    assert_eq!(e.event_time, "2026-11-21T10:00:00Z");
    assert!(e.source_ip.is_none(), "nothing invented from the broken record");
    assert_eq!(
        e.record.as_deref(),
        Some("{\"eventVersion\": \"1.0\", \"sourceIP"),
        "kept as it came, for the detail view"
    );
}

#[tokio::test]
async fn default_sources_are_two_lookups_and_requests_are_paced() {
    credentials();
    let server = MockServer::start().await;
    let cognito = json!({"Events": [{"EventId": "c1", "EventName": "CreateUserPoolClient", "EventTime": DAY + 50,
        "EventSource": "cognito-idp.amazonaws.com", "Username": "ops", "CloudTrailEvent": "{}"}]});
    Mock::given(method("POST"))
        .and(body_string_contains("cognito-idp.amazonaws.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(cognito))
        .with_priority(1)
        .mount(&server)
        .await;
    let apigw = json!({"Events": [event("a1", DAY + 10, "jane", "{}")], "NextToken": "more"});
    Mock::given(method("POST"))
        .and(body_string_contains("\"NextToken\":\"more\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Events": []})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(apigw))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut q = query();
    q.event_name = None;
    q.event_sources = portcullis::domain::DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect();
    let start = std::time::Instant::now();
    let (events, filters) = audit::lookup(&context(&server).await, &q, None).await.unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["c1", "a1"]);
    assert_eq!(filters.len(), 2, "one EventSource lookup per default source");
    // Three requests at 2 per second (burst 2) take at least half a second.
    assert!(start.elapsed() >= std::time::Duration::from_millis(450), "{:?}", start.elapsed());
}

/// GetCallerIdentity in STS's wire format (query protocol, XML), for the cache's account key.
async fn mount_sts(server: &MockServer) {
    let xml = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/jane</Arn>
    <UserId>AIDAEXAMPLEUSERID</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>4c6a2e1b-1f7a-4a54-9d1c-0e5f1f0c9a11</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#;
    Mock::given(method("POST"))
        .and(body_string_contains("Action=GetCallerIdentity"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(xml, "text/xml"))
        .with_priority(1)
        .mount(server)
        .await;
}

async fn lookups(server: &MockServer) -> Vec<serde_json::Value> {
    let requests = server.received_requests().await.unwrap();
    requests.iter().filter(|r| !r.body.starts_with(b"Action=")).map(|r| r.body_json().unwrap()).collect()
}

#[tokio::test]
async fn the_cache_serves_what_was_fetched_and_only_the_new_range_is_asked_for() {
    credentials();
    let cache = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    mount_sts(&server).await;
    let page = json!({"Events": [event("e1", DAY, "jane", &record("e1", "203.0.113.1", None)),
                                  event("e2", DAY - 3600, "jane", &record("e2", "203.0.113.2", None))]});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .with_priority(2)
        .mount(&server)
        .await;
    let ctx = context(&server).await;
    let q = query();
    let (first, _) = audit::lookup(&ctx, &q, Some(cache.path())).await.unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(lookups(&server).await.len(), 1);
    let files: Vec<_> = walk(cache.path());
    assert_eq!(files.len(), 1, "one file for the one cursor: {files:?}");
    let path = files[0].to_string_lossy().to_string();
    assert!(path.contains("/audit/123456789012_http___127.0.0.1_"), "account and endpoint: {path}");
    assert!(path.ends_with("/eu-west-1/lookup/EventName=CreateApiKey.json"), "{path}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the owner only");
    }

    // The same query again: everything is covered, so not one LookupEvents call.
    server.reset().await;
    mount_sts(&server).await;
    let (again, _) = audit::lookup(&ctx, &q, Some(cache.path())).await.unwrap();
    assert_eq!(again, first, "the same events, records included, from the cache");
    assert!(lookups(&server).await.is_empty(), "no LookupEvents budget spent");

    // Twelve more hours: only the new range is asked for; old and new events are merged.
    server.reset().await;
    mount_sts(&server).await;
    let newer = json!({"Events": [event("e3", DAY + 86_400, "jane", &record("e3", "203.0.113.3", None))]});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(newer))
        .with_priority(2)
        .mount(&server)
        .await;
    // With a limit of 1 the cache alone holds enough events, but they may be older than what is
    // new: the new range is fetched first.
    let mut later = q.clone();
    later.until = parse_time("2026-11-27T12:00:00Z").unwrap();
    later.limit = 1;
    let (newest, _) = audit::lookup(&ctx, &later, Some(cache.path())).await.unwrap();
    let ids: Vec<&str> = newest.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e3"]);
    let asked = lookups(&server).await;
    assert_eq!(asked.len(), 1);
    let start = asked[0]["StartTime"].as_f64().unwrap() as i64;
    let expected = parse_time("2026-11-26T23:45:00Z").unwrap().unix_timestamp();
    assert_eq!(start, expected, "from the old coverage's end, less 15 minutes for late deliveries");

    // Everything is covered again: old and new events together, no call.
    server.reset().await;
    mount_sts(&server).await;
    later.limit = 100;
    let (merged, _) = audit::lookup(&ctx, &later, Some(cache.path())).await.unwrap();
    let ids: Vec<&str> = merged.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e3", "e1", "e2"]);
    assert!(lookups(&server).await.is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
