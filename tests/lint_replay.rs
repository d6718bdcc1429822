//! `portcullis lint` when the estate cannot be read completely: API Gateway's REST JSON
//! replayed (wiremock), one usage plan's keys failing after every retry. What was read is still
//! linted and printed, stderr says what is missing, and the exit code is 1 (not 3), so CI tells
//! "incomplete" from "findings".

mod common;

use common::answer;
use common::replay_credentials as credentials;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn an_incomplete_read_still_lints_what_was_read_and_exits_1() {
    credentials();
    let server = MockServer::start().await;
    let stage = json!({"stageName": "prod", "deploymentId": "d1", "description": "Production", "tracingEnabled": false,
        "methodSettings": {"*/*": {"loggingLevel": "ERROR", "throttlingRateLimit": 10.0, "throttlingBurstLimit": 20}}});
    let api = json!({"id": "a1", "name": "orders", "description": "Orders", "tags": {"owner": "team"},
        "endpointConfiguration": {"types": ["REGIONAL"]}, "createdDate": 1764000000});
    answer(&server, "GET", "/restapis", 200, json!({"item": [api]})).await;
    answer(&server, "GET", "/restapis/a1/stages", 200, json!({"item": [stage]})).await;
    answer(&server, "GET", "/restapis/a1/resources", 200, json!({"item": []})).await;
    answer(&server, "GET", "/restapis/a1/authorizers", 200, json!({"item": []})).await;
    answer(&server, "GET", "/v2/apis", 200, json!({"items": []})).await;
    answer(&server, "GET", "/domainnames", 200, json!({"item": []})).await;
    answer(&server, "GET", "/v2/domainnames", 200, json!({"items": []})).await;
    let plan = |id: &str| {
        json!({"id": id, "name": format!("plan-{id}"), "apiStages": [{"apiId": "a1", "stage": "prod"}],
            "throttle": {"rateLimit": 10.0, "burstLimit": 20}, "quota": {"limit": 100, "period": "DAY", "offset": 0}})
    };
    answer(&server, "GET", "/usageplans", 200, json!({"item": [plan("p1"), plan("p2")]})).await;
    answer(
        &server,
        "GET",
        "/usageplans/p1/keys",
        200,
        json!({"item": [{"id": "k1", "type": "API_KEY", "name": "acme-prod"}]}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/usageplans/p2/keys"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("x-amzn-ErrorType", "InternalFailure")
                .set_body_json(json!({"message": "Internal server error"})),
        )
        .mount(&server)
        .await;
    let key =
        json!({"id": "k1", "name": "acme-prod", "customerId": "acme", "enabled": true, "createdDate": 1764000000});
    answer(&server, "GET", "/apikeys", 200, json!({"item": [key]})).await;

    let out = common::run_cli_at(&server.uri(), "eu-central-1", &["lint", "--output", "json"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "incomplete beats findings: {stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the findings of what was read");
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["ruleId"].as_str().unwrap()).collect();
    assert!(rules.contains(&"stage-xray-tracing") && rules.contains(&"stage-waf"), "{rules:?}");
    assert!(stderr.contains("usage plan plan-p2 (p2)") && stderr.contains("GetUsagePlanKeys"), "{stderr}");
    assert!(stderr.contains("could not be read completely"), "{stderr}");
}
