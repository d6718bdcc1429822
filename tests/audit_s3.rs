//! The S3 trail-log source against moto's S3: files in CloudTrail's layout and record format,
//! over several days and two regions, with a digest file, a non-gzip file, a truncated JSON
//! file, and a broken file outside the time range (which must not even be read).

mod common;

use common::{moto, unique_region};
use flate2::Compression;
use flate2::write::GzEncoder;
use portcullis::aws::{self, AwsContext, audit};
use portcullis::config::Settings;
use portcullis::domain::{AuditQuery, DEFAULT_SOURCES, parse_time};
use serde_json::json;
use std::io::Write;

const ACCOUNT: &str = "123456789012";

async fn context(region: &str) -> AwsContext {
    moto();
    let s = Settings::for_endpoint(&[region], moto().endpoint());
    aws::connect(&s).await.unwrap().remove(0)
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn record(id: &str, time: &str, source: &str, name: &str, user: &str, error: Option<&str>) -> serde_json::Value {
    let mut r = json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time, "eventSource": source, "eventName": name,
        "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.10", "userAgent": "console.amazonaws.com",
        "userIdentity": {"type": "IAMUser", "userName": user, "arn": format!("arn:aws:iam::{ACCOUNT}:user/{user}")},
        "requestParameters": {"restApiId": "api123"}, "responseElements": null, "requestID": format!("req-{id}"),
        "readOnly": name.starts_with("Get"), "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT
    });
    if let Some(e) = error {
        r["errorCode"] = json!(e);
        r["errorMessage"] = json!("User is not authorized");
    }
    r
}

fn log_key(region: &str, day: &str, suffix: &str) -> String {
    let stamp = day.replace('/', "");
    format!("AWSLogs/{ACCOUNT}/CloudTrail/{region}/{day}/{ACCOUNT}_CloudTrail_{region}_{stamp}T1000Z_{suffix}.json.gz")
}

async fn create_bucket(ctx: &AwsContext, bucket: &str) {
    portcullis::dev::estate::trail::create_bucket(ctx, bucket).await.unwrap();
}

async fn put(ctx: &AwsContext, bucket: &str, key: &str, body: Vec<u8>) {
    ctx.s3.put_object().bucket(bucket).key(key).body(body.into()).send().await.unwrap();
}

/// The trail: 7 good records over 3 days in 2 regions, and the traps.
async fn trail(ctx: &AwsContext, bucket: &str) {
    create_bucket(ctx, bucket).await;
    let api = "apigateway.amazonaws.com";
    let file = |records: Vec<serde_json::Value>| gz(json!({ "Records": records }).to_string().as_bytes());
    put(
        ctx,
        bucket,
        &log_key("eu-west-1", "2026/11/24", "a1"),
        file(vec![
            record("e1", "2026-11-24T09:00:00Z", api, "CreateApiKey", "jane", None),
            record("e2", "2026-11-24T11:00:00Z", "cognito-idp.amazonaws.com", "CreateUserPoolClient", "ops", None),
        ]),
    )
    .await;
    put(
        ctx,
        bucket,
        &log_key("eu-west-1", "2026/11/25", "b2"),
        file(vec![
            record("e3", "2026-11-25T08:00:00Z", api, "GetRestApis", "bob", Some("AccessDenied")),
            record("e4", "2026-11-25T12:00:00Z", api, "UpdateStage", "jane", None),
        ]),
    )
    .await;
    put(
        ctx,
        bucket,
        &log_key("us-east-1", "2026/11/26", "c3"),
        file(vec![
            record("e5", "2026-11-26T07:00:00Z", api, "DeleteApiKey", "jane", None),
            record("e6", "2026-11-26T08:00:00Z", "ec2.amazonaws.com", "RunInstances", "ops", None),
            record("e7", "2026-11-26T09:00:00Z", api, "CreateUsagePlanKey", "bob", Some("ConflictException")),
        ]),
    )
    .await;
    let digest = format!(
        "AWSLogs/{ACCOUNT}/CloudTrail-Digest/eu-west-1/2026/11/25/{ACCOUNT}_CloudTrail-Digest_eu-west-1_x.json.gz"
    );
    put(ctx, bucket, &digest, gz(b"{\"digestStartTime\":\"2026-11-25T00:00:00Z\"}")).await;
    put(ctx, bucket, &log_key("us-east-1", "2026/11/26", "notgzip"), b"this is not gzip".to_vec()).await;
    put(ctx, bucket, &log_key("eu-west-1", "2026/11/25", "truncated"), gz(b"{\"Records\":[{\"eventID\":\"x\"")).await;
    put(ctx, bucket, &log_key("eu-west-1", "2026/10/01", "outside"), b"broken, but outside the range".to_vec()).await;
}

fn query() -> AuditQuery {
    AuditQuery {
        since: parse_time("2026-11-24T00:00:00Z").unwrap(),
        until: parse_time("2026-11-26T23:59:59Z").unwrap(),
        event_name: None,
        event_sources: DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect(),
        user: None,
        resource: None,
        errors_only: false,
        read_only: None,
        limit: 100,
    }
}

fn ids(events: &[portcullis::domain::AuditEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event_id.as_str()).collect()
}

#[tokio::test]
async fn trail_logs_load_newest_first_and_report_broken_files() {
    let ctx = context(unique_region()).await;
    let bucket = format!("trail-{}", ctx.region);
    trail(&ctx, &bucket).await;
    let found = audit::from_s3(&ctx, &bucket, "", &query(), None).await.unwrap();
    assert_eq!(ids(&found.events), ["e7", "e5", "e4", "e3", "e2", "e1"], "newest first; ec2 is not a default source");
    assert_eq!(found.files_read, 3);
    let problems: Vec<(&str, &str)> =
        found.problems.iter().map(|p| (p.key.rsplit('_').next().unwrap(), p.problem.as_str())).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|(k, p)| *k == "notgzip.json.gz" && p.starts_with("not a gzip file")), "{problems:?}");
    assert!(
        problems.iter().any(|(k, p)| *k == "truncated.json.gz" && p.starts_with("not a CloudTrail log file")),
        "{problems:?}"
    );
    let e3 = found.events.iter().find(|e| e.event_id == "e3").unwrap();
    assert_eq!(
        (e3.username.as_deref(), e3.error_code.as_deref(), e3.read_only),
        (Some("bob"), Some("AccessDenied"), Some(true))
    );
    assert_eq!(e3.resources[0].name, "api123");
}

#[tokio::test]
async fn filters_give_exact_results() {
    let ctx = context(unique_region()).await;
    let bucket = format!("trail-filters-{}", ctx.region);
    trail(&ctx, &bucket).await;
    let run = |q: AuditQuery| {
        let (ctx, bucket) = (&ctx, &bucket);
        async move { audit::from_s3(ctx, bucket, "", &q, None).await.unwrap().events }
    };
    let mut q = query();
    q.errors_only = true;
    assert_eq!(ids(&run(q).await), ["e7", "e3"]);
    let mut q = query();
    q.user = Some("JANE".into());
    assert_eq!(ids(&run(q).await), ["e5", "e4", "e1"]);
    let mut q = query();
    q.event_name = Some("CreateApiKey".into());
    assert_eq!(ids(&run(q).await), ["e1"]);
    let mut q = query();
    q.event_sources = vec![];
    assert_eq!(run(q).await.len(), 7, "any source includes ec2");
    let mut q = query();
    q.event_sources = vec!["cognito-idp.amazonaws.com".into()];
    assert_eq!(ids(&run(q).await), ["e2"]);
    let mut q = query();
    q.since = parse_time("2026-11-25T10:00:00Z").unwrap();
    q.until = parse_time("2026-11-26T07:30:00Z").unwrap();
    assert_eq!(ids(&run(q).await), ["e5", "e4"]);
    let mut q = query();
    q.resource = Some("api1".into());
    q.limit = 2;
    assert_eq!(ids(&run(q).await), ["e7", "e5"], "limit keeps the newest");
}

#[tokio::test]
async fn audit_cli_prints_json_and_warns_about_broken_files() {
    let region = unique_region();
    let ctx = context(region).await;
    let bucket = format!("trail-cli-{region}");
    trail(&ctx, &bucket).await;
    let cache = tempfile::tempdir().unwrap();
    let source = format!("s3://{bucket}");
    let args = ["audit", "--source", &source, "--since", "2026-11-24T00:00:00Z", "--until", "2026-11-26T23:59:59Z"];
    let out = common::run_cli(
        region,
        &[&args[..], &["--output", "json"]].concat(),
        &[("XDG_CACHE_HOME", cache.path().as_os_str())],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "broken files do not change the exit code: {stderr}");
    assert_eq!(stderr.matches("warning: s3://").count(), 2, "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON array");
    let first = &v[0];
    assert_eq!(v.as_array().unwrap().len(), 6);
    for field in [
        "eventId",
        "eventTime",
        "eventName",
        "eventSource",
        "username",
        "sourceIp",
        "region",
        "errorCode",
        "readOnly",
        "resources",
    ] {
        assert!(first.get(field).is_some(), "field {field}");
    }
    assert_eq!(first["eventId"], "e7");
    assert_eq!(first["resources"][0], json!({"type": "AWS::ApiGateway::RestApi", "name": "api123"}));
    let cached = std::fs::read_dir(cache.path().join("portcullis/audit")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(cached, 1, "the CLI keeps what it read in the XDG cache dir");
    assert!(!stderr.contains("--limit N shows more"), "all 6 shown, nothing said: {stderr}");

    // A limit that cuts the list says so on stderr (the trail's logs give the total).
    let out = common::run_cli(region, &[&args[..], &["--output", "json", "--limit", "2"]].concat(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("showing 2 of 6 matching events; --limit N shows more"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON array");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn nothing_readable_is_a_failure() {
    let region = unique_region();
    let ctx = context(region).await;
    let bucket = format!("trail-broken-{region}");
    create_bucket(&ctx, &bucket).await;
    put(&ctx, &bucket, &log_key("eu-west-1", "2026/11/25", "junk"), b"junk".to_vec()).await;
    let source = format!("s3://{bucket}/");
    let args = ["audit", "--source", &source, "--since", "2026-11-24T00:00:00Z", "--until", "2026-11-26T00:00:00Z"];
    let out = common::run_cli(region, &[&args[..], &["--no-cache"]].concat(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("none of the 1 trail log files could be read"));
}

#[tokio::test]
async fn the_sample_estate_has_a_readable_trail() {
    let ctx = context(unique_region()).await;
    let spec = portcullis::dev::estate::EstateSpec { rest_apis: 3, http_apis: 0, ..Default::default() };
    let built = portcullis::dev::estate::build(&ctx, &spec).await.unwrap();
    let (bucket, written) = built.trail.clone().expect("trail logs written");
    // A few hundred events over the week, most of them in the last 24 hours.
    assert!((200..=600).contains(&written), "{written} events");
    let mut q = query();
    let now = time::OffsetDateTime::now_utc();
    (q.since, q.until, q.limit) = (now - time::Duration::days(7), now, 10_000);
    let found = audit::from_s3(&ctx, &bucket, "", &q, None).await.unwrap();
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.events.len(), written, "every event within the week");
    let day_ago = now - time::Duration::days(1);
    let recent = found.events.iter().filter(|e| parse_time(&e.event_time) > Some(day_ago)).count();
    assert!(recent * 2 > written, "most in the last 24 hours: {recent} of {written}");
    let oldest = found.events.iter().filter_map(|e| parse_time(&e.event_time)).min().unwrap();
    assert!(oldest < now - time::Duration::days(5), "the week is told from its start: {oldest}");
    // What the story tells: the key rotation, the secret rotation, plan changes.
    let named = |n: &str| found.events.iter().filter(|e| e.event_name == n).count();
    assert_eq!(named("CreateApiKey"), built.key_ids.len() + 3, "each key made, and 3 throttled tries");
    assert!(named("UpdateUsagePlan") >= 3, "plan changes");
    // moto has no two-secret model, so no second secret was added and the trail does not say so.
    assert_eq!((built.second_secret, named("AddUserPoolClientSecret")), (false, 0));
    // The burst: one address, many key-value reads within minutes.
    let burst: Vec<_> = found
        .events
        .iter()
        .filter(|e| e.source_ip.as_deref() == Some(portcullis::dev::estate::trail::BURST_IP))
        .collect();
    assert!(burst.len() >= portcullis::dev::estate::trail::BURST_CALLS, "{}", burst.len());
    let times: Vec<_> = burst.iter().filter_map(|e| parse_time(&e.event_time)).collect();
    let span = *times.iter().max().unwrap() - *times.iter().min().unwrap();
    assert!(span < time::Duration::minutes(10), "a burst: {span}");
    // Failed calls of several kinds; the intern's denied delete names the key it touched.
    q.errors_only = true;
    let failed = audit::from_s3(&ctx, &bucket, "", &q, None).await.unwrap().events;
    let codes: std::collections::BTreeSet<_> = failed.iter().filter_map(|e| e.error_code.as_deref()).collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        ["AccessDenied", "BadRequestException", "ConflictException", "NotFoundException", "TooManyRequestsException"]
    );
    let denied: Vec<_> = failed.iter().filter(|e| e.error_code.as_deref() == Some("AccessDenied")).collect();
    assert_eq!(denied.len(), 1);
    assert_eq!((denied[0].event_name.as_str(), denied[0].username.as_deref()), ("DeleteApiKey", Some("intern")));
    assert_eq!(denied[0].resources[0].name, built.key_ids[0], "the event names the key it touched");
}

#[tokio::test]
async fn files_read_once_come_from_the_cache_and_only_new_files_are_downloaded() {
    let ctx = context(unique_region()).await;
    let bucket = format!("trail-cache-{}", ctx.region);
    trail(&ctx, &bucket).await;
    let cache = tempfile::tempdir().unwrap();
    let first = audit::from_s3(&ctx, &bucket, "", &query(), Some(cache.path())).await.unwrap();
    assert_eq!((first.files_read, first.files_cached, first.problems.len()), (3, 0, 2));

    // Overwrite a file already read: were it downloaded again, its events would change.
    let replaced = json!({"Records": [record("zz", "2026-11-24T10:00:00Z", "apigateway.amazonaws.com", "DeleteStage", "mallory", None)]});
    put(&ctx, &bucket, &log_key("eu-west-1", "2026/11/24", "a1"), gz(replaced.to_string().as_bytes())).await;
    // And deliver a new file: that one is downloaded.
    let new = json!({"Records": [record("e8", "2026-11-26T20:00:00Z", "apigateway.amazonaws.com", "UpdateStage", "ci", None)]});
    put(&ctx, &bucket, &log_key("eu-west-1", "2026/11/26", "late"), gz(new.to_string().as_bytes())).await;

    let second = audit::from_s3(&ctx, &bucket, "", &query(), Some(cache.path())).await.unwrap();
    assert_eq!(second.files_read, 4);
    assert_eq!(second.files_cached, 3, "the three files read before");
    assert_eq!(ids(&second.events), ["e8", "e7", "e5", "e4", "e3", "e2", "e1"]);
    assert_eq!(second.problems.len(), 2, "broken files are not cached: they are tried (and reported) again");
    let e1 = second.events.iter().find(|e| e.event_id == "e1").unwrap();
    assert!(e1.record.as_deref().is_some_and(|r| r.contains("\"eventID\":\"e1\"")), "records are kept in the cache");

    // --no-cache (no directory): everything from S3, so the overwritten file shows.
    let fresh = audit::from_s3(&ctx, &bucket, "", &query(), None).await.unwrap();
    assert!(ids(&fresh.events).contains(&"zz") && !ids(&fresh.events).contains(&"e1"));
}
