//! `plans` and `keys` as the real binary against moto: JSON contracts, mutations with
//! --yes / --dry-run / no terminal, read-only, and that key values never reach a log.

mod common;

use common::{moto, unique_region};
use portcullis::aws::{self, AwsContext, keys};
use portcullis::config::Settings;
use portcullis::dev::estate::{self, EstateSpec};
use portcullis::domain::NewKey;
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Output;

async fn context(region: &str) -> AwsContext {
    moto();
    let s = Settings::for_endpoint(&[region], moto().endpoint());
    aws::connect(&s).await.unwrap().remove(0)
}

fn run(region: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, std::ffi::OsStr::new(*v))).collect();
    common::run_cli(region, args, &env)
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON value")
}

/// 5 REST APIs, 5 plans (one per API's prod stage), 60 keys spread over the plans.
async fn sixty_keys(ctx: &AwsContext) -> (Vec<String>, Vec<String>) {
    let spec = EstateSpec { rest_apis: 5, http_apis: 0, with_plans_and_keys: false, ..Default::default() };
    let built = estate::build(ctx, &spec).await.unwrap();
    let mut plan_ids = Vec::new();
    for (i, api) in built.apis.iter().enumerate() {
        let stage = aws_sdk_apigateway::types::ApiStage::builder().api_id(&api.id).stage("prod").build();
        let quota = aws_sdk_apigateway::types::QuotaSettings::builder()
            .limit(1000 * (i as i32 + 1))
            .period(aws_sdk_apigateway::types::QuotaPeriodType::Week)
            .build();
        let p = ctx.apigw.create_usage_plan().name(format!("tier-{i}")).api_stages(stage).quota(quota).send().await;
        plan_ids.push(p.unwrap().id().unwrap().to_string());
    }
    let mut key_ids = Vec::new();
    for i in 0..60 {
        let k =
            ctx.apigw.create_api_key().name(format!("partner-{:02}-key", i)).customer_id(format!("partner-{}", i % 6));
        let k =
            k.enabled(i % 7 != 0).description(format!("key number {i}")).tags("n", i.to_string()).send().await.unwrap();
        let id = k.id().unwrap().to_string();
        for p in [i % 5, (i + 2) % 5].iter().take(1 + i % 2) {
            ctx.apigw
                .create_usage_plan_key()
                .usage_plan_id(&plan_ids[*p])
                .key_id(&id)
                .key_type("API_KEY")
                .send()
                .await
                .unwrap();
        }
        key_ids.push(id);
    }
    (plan_ids, key_ids)
}

#[tokio::test]
async fn keys_and_plans_json_match_what_aws_reports() {
    let region = unique_region();
    let ctx = context(region).await;
    let (plan_ids, _) = sixty_keys(&ctx).await;
    // What AWS reports, read with the SDK directly.
    let sdk_keys = ctx.apigw.get_api_keys().limit(500).send().await.unwrap();
    let mut membership: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &plan_ids {
        for k in ctx.apigw.get_usage_plan_keys().usage_plan_id(p).limit(500).send().await.unwrap().items() {
            membership.entry(k.id().unwrap().to_string()).or_default().push(p.clone());
        }
    }
    let keys = json(&run(region, &["keys", "--output", "json"], &[]));
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 60);
    for k in sdk_keys.items() {
        let id = k.id().unwrap();
        let j = keys.iter().find(|j| j["id"] == id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(j["name"], k.name().unwrap());
        assert_eq!(j["description"], k.description().unwrap());
        assert_eq!(j["enabled"], k.enabled());
        assert_eq!(j["customerId"], k.customer_id().unwrap());
        assert_eq!(
            j["createdDate"],
            k.created_date().unwrap().fmt(aws_smithy_types::date_time::Format::DateTime).unwrap()
        );
        assert_eq!(j["tags"]["n"], k.tags().unwrap()["n"].as_str());
        let mut want = membership.get(id).cloned().unwrap_or_default();
        want.sort();
        let mut got: Vec<String> =
            j["planIds"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        got.sort();
        assert_eq!(got, want, "plans of {id}");
        assert!(j.get("value").is_none(), "never the value");
    }
    let partner = json(&run(region, &["keys", "--customer-id", "partner-3", "--output", "json"], &[]));
    assert_eq!(partner.as_array().unwrap().len(), 10);

    let plans = json(&run(region, &["plans", "--output", "json"], &[]));
    let plans = plans.as_array().unwrap();
    assert_eq!(plans.len(), 5);
    for p in ctx.apigw.get_usage_plans().limit(500).send().await.unwrap().items() {
        let j = plans.iter().find(|j| j["id"] == p.id().unwrap()).unwrap();
        assert_eq!(j["name"], p.name().unwrap());
        let q = p.quota().unwrap();
        assert_eq!(
            (j["quota"]["limit"].as_i64(), j["quota"]["period"].as_str()),
            (Some(q.limit() as i64), Some("WEEK"))
        );
        assert_eq!(j["quota"]["offset"], q.offset());
        let s = &p.api_stages()[0];
        assert_eq!(j["apiStages"][0]["apiId"], s.api_id().unwrap());
        assert_eq!(j["apiStages"][0]["stage"], "prod");
        let mut want: Vec<&str> = membership
            .iter()
            .filter(|(_, ps)| ps.contains(&p.id().unwrap().to_string()))
            .map(|(k, _)| k.as_str())
            .collect();
        want.sort();
        let got: Vec<&str> = j["keyIds"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(got, want, "keys of plan {}", p.name().unwrap());
        assert!(j["throttle"].is_null(), "no throttle was set");
        assert!(j.get("description").is_some());
    }
}

#[tokio::test]
async fn create_prints_the_value_once_and_mutations_ask_first() {
    let region = unique_region();
    let ctx = context(region).await;
    let built = estate::build(&ctx, &EstateSpec { rest_apis: 4, http_apis: 0, ..Default::default() }).await.unwrap();
    let before = keys::list_keys(&ctx, None).await.unwrap().len();

    // --dry-run: the AWS CLI equivalent, nothing changes.
    let dry = run(region, &["keys", "create", "--name", "dry", "--plan", &built.plan_ids[1], "--dry-run"], &[]);
    assert!(dry.status.success());
    let text = String::from_utf8(dry.stdout).unwrap();
    assert!(text.starts_with("aws apigateway create-api-key --name dry --enabled --region"), "{text}");
    // No --yes and no terminal: refused, non-zero, nothing changes.
    let refused = run(region, &["keys", "create", "--name", "unasked"], &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pass --yes"));
    // Read-only: refused even with --yes.
    let ro = run(region, &["--read-only", "keys", "create", "--name", "ro", "--yes"], &[]);
    assert_eq!(ro.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&ro.stderr).contains("read-only"));
    assert_eq!(keys::list_keys(&ctx, None).await.unwrap().len(), before, "nothing was created");

    let created = json(&run(
        region,
        &[
            "keys",
            "create",
            "--name",
            "acme",
            "--customer-id",
            "acme",
            "--plan",
            &built.plan_ids[1],
            "--yes",
            "--output",
            "json",
        ],
        &[],
    ));
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["planIds"], serde_json::json!([built.plan_ids[1]]));
    let sdk = ctx.apigw.get_api_key().api_key(id).include_value(true).send().await.unwrap();
    assert_eq!(created["value"], sdk.value().unwrap());

    let off = run(region, &["keys", "disable", id, "--yes"], &[]);
    assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
    assert!(!ctx.apigw.get_api_key().api_key(id).send().await.unwrap().enabled());
    let detach = run(region, &["keys", "detach", id, "--plan", &built.plan_ids[1], "--yes"], &[]);
    assert!(detach.status.success());
    let unknown = run(region, &["keys", "enable", "nokey12345", "--yes"], &[]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("API key nokey12345 not found"));
    let usage = run(region, &["keys", "attach", id], &[]);
    assert_eq!(usage.status.code(), Some(2), "missing --plan is a usage error");
    let del = run(region, &["keys", "delete", id], &[]);
    assert_eq!(del.status.code(), Some(1), "delete without --yes and without a terminal is refused");
    assert!(run(region, &["keys", "delete", id, "--yes"], &[]).status.success());
    assert!(ctx.apigw.get_api_key().api_key(id).send().await.is_err());
}

#[tokio::test]
async fn key_values_never_reach_logs_or_debug_output() {
    let region = unique_region();
    let ctx = context(region).await;
    let built = estate::build(&ctx, &EstateSpec { rest_apis: 3, http_apis: 0, ..Default::default() }).await.unwrap();
    let trace = [("RUST_LOG", "trace")];
    let mut values = Vec::new();
    let mut logs = String::new();
    for (name, output) in [("log-scan-json", "json"), ("log-scan-table", "table")] {
        let out = run(
            region,
            &["keys", "create", "--name", name, "--plan", &built.plan_ids[1], "--yes", "--output", output],
            &trace,
        );
        assert!(out.status.success());
        let stdout = String::from_utf8(out.stdout).unwrap();
        let value = stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("\"value\": \"").or(l.strip_prefix("value     ")))
            .map(|v| v.trim_end_matches(['"', ',']).to_string())
            .expect("the value is printed once on stdout");
        values.push(value);
        logs.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    for args in [&["keys"][..], &["keys", "--output", "json"], &["plans", "--output", "json"]] {
        let out = run(region, args, &trace);
        assert!(out.status.success());
        logs.push_str(&String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(values.iter().all(|v| !stdout.contains(v.as_str())), "a listing printed a value");
    }
    assert!(logs.lines().count() > 100, "trace logging was on ({} lines)", logs.lines().count());
    for v in &values {
        assert_eq!(v.len(), 40, "moto generates 40-character values: {v}");
        assert!(!logs.contains(v.as_str()), "a key value reached the log");
    }
    // And every Debug rendering of what the library hands out.
    let created = keys::create_key(&ctx, &NewKey { name: "debug-scan".into(), enabled: true, ..Default::default() })
        .await
        .unwrap();
    let listed = keys::list_keys(&ctx, None).await.unwrap();
    // The TUI's listing holds every value (for the masked column): its Debug must not show them.
    let with_values = keys::list_keys_with(&ctx, None, keys::Values::Read).await.unwrap();
    assert!(with_values.iter().any(|k| k.value.as_ref().is_some_and(|v| v.expose() == created.value.expose())));
    let output =
        portcullis::tui::jobs::Output::new(portcullis::tui::screens::plans::jobs::KeysLoaded(Ok(with_values.clone())));
    let message = portcullis::tui::message::Message::Done { request: 1, output };
    let value = keys::key_value(&ctx, &created.key.id).await.unwrap();
    let rendered =
        format!("{created:?} {created:#?} {listed:?} {with_values:?} {with_values:#?} {message:?} {value:?} {value}");
    let all_values: Vec<String> =
        with_values.iter().filter_map(|k| k.value.as_ref().map(|v| v.expose().to_string())).collect();
    assert!(all_values.len() >= 3);
    for v in
        values.iter().map(String::as_str).chain([created.value.expose()]).chain(all_values.iter().map(String::as_str))
    {
        assert!(!rendered.contains(v), "Debug output shows a value");
    }
}
