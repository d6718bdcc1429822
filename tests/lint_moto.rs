//! `portcullis lint` against moto: a small estate built here through the SDK with planted
//! violations, whose findings must be exactly the expected set (rule and resource); the
//! exemptions listed; waivers counted; the exit code at each threshold; SARIF valid against
//! the SARIF 2.1.0 JSON schema (tests/data, the OASIS schema serde-sarif ships), with every
//! result located and fingerprinted the same in two runs.

mod common;

use aws_sdk_apigateway::types::{
    EndpointConfiguration, EndpointType, Op, PatchOperation, QuotaSettings, ThrottleSettings,
};
use common::{moto, unique_region};
use portcullis::config::Settings;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

struct Built {
    rest: String,
    get: String,
    delete: String,
    options: String,
    http: String,
    http_get: String,
    http_options: String,
    loose_key: String,
    bare_plan: String,
    domain: String,
    integration: String,
}

fn patch(path: &str, value: &str) -> PatchOperation {
    PatchOperation::builder().op(Op::Replace).path(path).value(value).build()
}

async fn build(region: &str) -> Built {
    let settings = Settings::for_endpoint(&[region], moto().endpoint());
    let ctx = portcullis::aws::connect(&settings).await.unwrap().remove(0);
    let owner = HashMap::from([("owner".to_string(), "team-lint".to_string())]);
    // REST: no authorizer; GET /orders open, OPTIONS /orders open (CORS preflight).
    let api = ctx
        .apigw
        .create_rest_api()
        .name("lint-orders")
        .description("Orders for the lint test")
        .set_tags(Some(owner.clone()))
        .endpoint_configuration(EndpointConfiguration::builder().types(EndpointType::Regional).build())
        .send()
        .await
        .unwrap();
    let rest = api.id().unwrap().to_string();
    let root = ctx.apigw.get_resources().rest_api_id(&rest).send().await.unwrap();
    let root = root.items()[0].id().unwrap().to_string();
    let orders =
        ctx.apigw.create_resource().rest_api_id(&rest).parent_id(&root).path_part("orders").send().await.unwrap();
    let orders = orders.id().unwrap().to_string();
    for verb in ["GET", "OPTIONS", "DELETE"] {
        let m = ctx.apigw.put_method().rest_api_id(&rest).resource_id(&orders).http_method(verb);
        m.authorization_type("NONE").send().await.unwrap();
        let i = ctx.apigw.put_integration().rest_api_id(&rest).resource_id(&orders).http_method(verb);
        i.r#type(aws_sdk_apigateway::types::IntegrationType::Mock).send().await.unwrap();
    }
    let dep = ctx.apigw.create_deployment().rest_api_id(&rest).send().await.unwrap();
    ctx.apigw
        .create_stage()
        .rest_api_id(&rest)
        .stage_name("prod")
        .deployment_id(dep.id().unwrap())
        .description("Production")
        .variables("dbPassword", "hunter2")
        .variables("backendHost", "orders.internal.example.com")
        .set_tags(Some(owner.clone()))
        .send()
        .await
        .unwrap();
    // Logged, traced, throttled, access-logged; data trace on (a production stage).
    ctx.apigw
        .update_stage()
        .rest_api_id(&rest)
        .stage_name("prod")
        .patch_operations(patch("/tracingEnabled", "true"))
        .patch_operations(patch("/*/*/logging/loglevel", "ERROR"))
        .patch_operations(patch("/*/*/logging/dataTrace", "true"))
        .patch_operations(patch("/*/*/throttling/rateLimit", "100"))
        .patch_operations(patch("/*/*/throttling/burstLimit", "200"))
        .patch_operations(patch(
            "/accessLogSettings/destinationArn",
            "arn:aws:logs:us-east-1:123456789012:log-group:access",
        ))
        .send()
        .await
        .unwrap();
    // A plan covering it, with throttle and quota; another with neither, covering nothing.
    let plan = ctx
        .apigw
        .create_usage_plan()
        .name("lint-standard")
        .api_stages(aws_sdk_apigateway::types::ApiStage::builder().api_id(&rest).stage("prod").build())
        .throttle(ThrottleSettings::builder().rate_limit(10.0).burst_limit(20).build())
        .quota(QuotaSettings::builder().limit(1000).period(aws_sdk_apigateway::types::QuotaPeriodType::Month).build())
        .send()
        .await
        .unwrap();
    let bare = ctx.apigw.create_usage_plan().name("lint-bare").send().await.unwrap();
    let key = ctx.apigw.create_api_key().name("acme-prod").customer_id("acme").enabled(true).send().await.unwrap();
    let req = ctx.apigw.create_usage_plan_key().usage_plan_id(plan.id().unwrap()).key_id(key.id().unwrap());
    req.key_type("API_KEY").send().await.unwrap();
    let loose = ctx.apigw.create_api_key().name("forgotten").enabled(true).send().await.unwrap();
    // HTTP: GET /rates open, OPTIONS /rates open; $default throttled with detailed metrics, no access log.
    let h = ctx
        .apigw2
        .create_api()
        .name("lint-rates")
        .description("Rates for the lint test")
        .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
        .set_tags(Some(owner.clone()))
        .send()
        .await
        .unwrap();
    let http = h.api_id().unwrap().to_string();
    let mut route_ids = vec![];
    for key in ["GET /rates", "OPTIONS /rates"] {
        let r = ctx.apigw2.create_route().api_id(&http).route_key(key).send().await.unwrap();
        route_ids.push(r.route_id().unwrap().to_string());
    }
    let settings = aws_sdk_apigatewayv2::types::RouteSettings::builder()
        .detailed_metrics_enabled(true)
        .throttling_rate_limit(50.0)
        .throttling_burst_limit(100)
        .build();
    ctx.apigw2
        .create_stage()
        .api_id(&http)
        .stage_name("$default")
        .description("default stage")
        .default_route_settings(settings)
        .set_tags(Some(owner))
        .send()
        .await
        .unwrap();
    // A custom domain on TLS_1_2 (APIGateway.11) and a VPC-link integration without TLS (.10).
    let domain = format!("lint.{region}.example.com");
    ctx.apigw
        .create_domain_name()
        .domain_name(&domain)
        .regional_certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/lint")
        .endpoint_configuration(EndpointConfiguration::builder().types(EndpointType::Regional).build())
        .security_policy(aws_sdk_apigateway::types::SecurityPolicy::Tls12)
        .send()
        .await
        .unwrap();
    let integration = ctx
        .apigw2
        .create_integration()
        .api_id(&http)
        .integration_type(aws_sdk_apigatewayv2::types::IntegrationType::HttpProxy)
        .integration_method("ANY")
        .integration_uri("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/rates/1/2")
        .connection_type(aws_sdk_apigatewayv2::types::ConnectionType::VpcLink)
        .connection_id("vl-rates")
        .payload_format_version("1.0")
        .send()
        .await
        .unwrap();
    let method =
        |verb: &str| format!("arn:aws:apigateway:{region}::/restapis/{rest}/resources/{orders}/methods/{verb}");
    Built {
        get: method("GET"),
        delete: method("DELETE"),
        options: method("OPTIONS"),
        http_get: format!("arn:aws:apigateway:{region}::/apis/{http}/routes/{}", route_ids[0]),
        http_options: format!("arn:aws:apigateway:{region}::/apis/{http}/routes/{}", route_ids[1]),
        rest,
        http: http.clone(),
        loose_key: loose.id().unwrap().to_string(),
        bare_plan: bare.id().unwrap().to_string(),
        domain: format!("arn:aws:apigateway:{region}::/domainnames/{domain}"),
        integration: format!(
            "arn:aws:apigateway:{region}::/apis/{http}/integrations/{}",
            integration.integration_id().unwrap()
        ),
    }
}

fn lint(region: &str, args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"));
    c.args(["--endpoint-url", &moto().endpoint(), "--region", region]).args(&all).current_dir(dir);
    c.env("AWS_ACCESS_KEY_ID", "testing").env("AWS_SECRET_ACCESS_KEY", "testing").env_remove("AWS_PROFILE");
    c.env("XDG_CONFIG_HOME", dir.join("no-config")).env("XDG_STATE_HOME", dir.join("state")).env_remove("RUST_LOG");
    let out = c.stdin(std::process::Stdio::null()).output().expect("run portcullis");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn pairs(v: &Value) -> BTreeSet<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["ruleId"].as_str().unwrap().to_string(), f["resource"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn lint_finds_exactly_what_was_planted() {
    let region = unique_region();
    let b = build(region).await;
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = lint(region, &["--output", "json"], dir.path());
    assert_eq!(code, 3, "a critical and high findings: exit 3; stderr: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let stage = format!("arn:aws:apigateway:{region}::/restapis/{}/stages/prod", b.rest);
    let api = format!("arn:aws:apigateway:{region}::/restapis/{}", b.rest);
    let v2_stage = format!("arn:aws:apigateway:{region}::/apis/{}/stages/$default", b.http);
    let v2_api = format!("arn:aws:apigateway:{region}::/apis/{}", b.http);
    let key = format!("arn:aws:apigateway:{region}::/apikeys/{}", b.loose_key);
    let bare = format!("arn:aws:apigateway:{region}::/usageplans/{}", b.bare_plan);
    let want: BTreeSet<(String, String)> = [
        // The REST stage: no client certificate, no WAF (moto has neither), data trace on prod,
        // a password in a stage variable (backendHost is not a secret).
        ("stage-client-certificate", &stage),
        ("stage-waf", &stage),
        ("owasp-api8-data-trace", &stage),
        ("stage-variable-secret", &stage),
        // The REST API: public, no authorizer; its GET open.
        ("rest-authorizers", &api),
        ("rest-public-without-authorizer", &api),
        ("owasp-api2-no-auth", &b.get),
        ("owasp-api2-open-write", &b.delete),
        // The HTTP API: GET /rates open; its stage without an access log.
        ("route-authorization", &b.http_get),
        ("owasp-api2-no-auth", &b.http_get),
        ("v2-api-authorizers", &v2_api),
        ("v2-stage-access-logging", &v2_stage),
        ("v2-private-integration-tls", &b.integration),
        // The custom domain still on TLS_1_2.
        ("domain-tls-policy", &b.domain),
        // The bare plan, the forgotten key.
        ("owasp-api4-plan-no-throttle", &bare),
        ("owasp-api4-plan-no-quota", &bare),
        ("key-no-plan", &key),
        ("key-no-customer", &key),
    ]
    .iter()
    .map(|(r, a)| (r.to_string(), a.to_string()))
    .collect();
    assert_eq!(pairs(&v), want, "findings: {}", serde_json::to_string_pretty(&v["findings"]).unwrap());
    let summary = &v["summary"];
    assert_eq!((summary["critical"].as_u64(), summary["high"].as_u64()), (Some(1), Some(5)), "{summary}");
    // OPTIONS are exempt and listed.
    let exempt: BTreeSet<(String, String)> = v["exemptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["ruleId"].as_str().unwrap().to_string(), e["resource"].as_str().unwrap().to_string()))
        .collect();
    let want_exempt: BTreeSet<(String, String)> = [
        ("owasp-api2-no-auth", &b.options),
        ("owasp-api2-key-only", &b.options),
        ("route-authorization", &b.http_options),
        ("owasp-api2-no-auth", &b.http_options),
    ]
    .iter()
    .map(|(r, a)| (r.to_string(), a.to_string()))
    .collect();
    assert_eq!(exempt, want_exempt);
    // Every field of the contract is there, null where it does not apply.
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["ruleId"] == "stage-waf").unwrap();
    for field in [
        "ruleId",
        "severity",
        "title",
        "resource",
        "resourceType",
        "region",
        "apiId",
        "stage",
        "path",
        "method",
        "routeKey",
        "planId",
        "keyId",
        "partner",
        "message",
        "remediation",
        "securityHub",
        "prowler",
        "waived",
        "waiver",
    ] {
        assert!(f.get(field).is_some(), "{field} missing in {f}");
    }
    assert_eq!(
        (f["securityHub"].as_str(), f["stage"].as_str(), f["planId"].as_null()),
        (Some("APIGateway.4"), Some("prod"), Some(()))
    );
}

#[tokio::test]
async fn thresholds_waivers_and_sarif() {
    let region = unique_region();
    let b = build(region).await;
    let dir = tempfile::tempdir().unwrap();
    // One critical (the open DELETE), five high: each threshold's exit code.
    for (fail_on, want) in [("critical", 3), ("high", 3), ("medium", 3), ("info", 3)] {
        assert_eq!(
            lint(region, &["--fail-on", fail_on, "--output", "json"], dir.path()).0,
            want,
            "--fail-on {fail_on}"
        );
    }
    // Only the low and info rules: nothing at or above high.
    let (code, ..) = lint(region, &["--rules", "key-no-plan,key-no-customer"], dir.path());
    assert_eq!(code, 0);
    let (code, ..) = lint(region, &["--rules", "key-no-plan", "--fail-on", "low"], dir.path());
    assert_eq!(code, 3);
    let (code, _, err) = lint(region, &["--rules", "no-such-rule"], dir.path());
    assert!(code == 2 && err.contains("no-such-rule"), "{code} {err}");
    // Waivers: the critical and the highs waived (`*` stays within a segment, `**` crosses) (portcullis-waivers.toml in the current
    // directory), one expired, one matching nothing.
    let waivers = format!(
        r#"
[[waiver]]
rule = "stage-variable-secret"
resource = "arn:aws:apigateway:{region}::/restapis/{rest}/stages/*"
reason = "rotated next sprint"
expires = "{soon}"

[[waiver]]
rule = "*"
resource = "arn:aws:apigateway:{region}::/restapis/{rest}"
reason = "the lint test's own API"
expires = "{soon}"

[[waiver]]
rule = "*"
resource = "arn:aws:apigateway:{region}::/restapis/{rest}/**"
reason = "the lint test's own API, everything in it"
expires = "{soon}"

[[waiver]]
rule = "*"
resource = "arn:aws:apigateway:{region}::/apis/{http}/**"
reason = "the lint test's own API"
expires = "{soon}"

[[waiver]]
rule = "key-no-plan"
resource = "*"
reason = "old"
expires = "2020-01-01"

[[waiver]]
rule = "stage-waf"
resource = "arn:aws:apigateway:{region}::/restapis/nothing/stages/*"
reason = "matches nothing"
expires = "{soon}"
"#,
        rest = b.rest,
        http = b.http,
        soon = (time::OffsetDateTime::now_utc() + time::Duration::days(30)).date(),
    );
    std::fs::write(dir.path().join("portcullis-waivers.toml"), waivers).unwrap();
    let (code, out, err) = lint(region, &["--output", "json"], dir.path());
    assert_eq!(code, 0, "every critical and high is waived: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["waived"].as_u64(), Some(12), "{}", v["summary"]);
    assert!(err.contains("expired on 2020-01-01") && err.contains("matches no finding"), "{err}");
    let waived = v["findings"].as_array().unwrap().iter().find(|f| f["ruleId"] == "stage-variable-secret").unwrap();
    assert!(
        waived["waived"].as_bool().unwrap() && waived["waiver"].as_str().unwrap().starts_with("rotated next sprint")
    );
    // A waiver a year and more ahead is refused: exit 2.
    std::fs::write(
        dir.path().join("far.toml"),
        "[[waiver]]\nrule = \"stage-waf\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"2099-01-01\"\n",
    )
    .unwrap();
    let (code, _, err) = lint(region, &["--waivers", "far.toml"], dir.path());
    assert!(code == 2 && err.contains("more than a year ahead"), "{code} {err}");

    // SARIF: valid against the schema; waived results left out (or marked with the flag);
    // every result located and fingerprinted, the same in a second run.
    std::fs::remove_file(dir.path().join("portcullis-waivers.toml")).unwrap();
    let (_, first, _) = lint(region, &["--output", "sarif"], dir.path());
    let (_, second, _) = lint(region, &["--output", "sarif"], dir.path());
    let sarif: Value = serde_json::from_str(&first).unwrap();
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sarif-schema-2.1.0.json");
    let file = dir.path().join("out.sarif");
    std::fs::write(&file, &first).unwrap();
    let check = std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python"))
        .args([
            "-c",
            "import json,sys,jsonschema; jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2]))); print('valid')",
            schema,
        ])
        .arg(&file)
        .output()
        .expect("the test virtual environment has jsonschema");
    assert!(check.status.success(), "SARIF invalid: {}", String::from_utf8_lossy(&check.stderr));
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["automationDetails"]["id"], format!("portcullis/lint/123456789012/{region}/"));
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 18);
    let located = |r: &Value| {
        let loc = &r["locations"][0];
        (
            loc["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            loc["physicalLocation"]["region"]["startLine"].as_i64(),
            loc["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().to_string(),
            r["partialFingerprints"]["portcullisResource/v1"].as_str().unwrap().to_string(),
        )
    };
    let stage_result = results.iter().find(|r| r["ruleId"] == "stage-waf").unwrap();
    let (uri, line, arn, _) = located(stage_result);
    assert_eq!(uri, format!("aws/123456789012/{region}/apigateway/restapis/{}/stages/prod", b.rest));
    assert_eq!((line, arn), (Some(1), format!("arn:aws:apigateway:{region}::/restapis/{}/stages/prod", b.rest)));
    let again: Value = serde_json::from_str(&second).unwrap();
    let a: BTreeSet<_> = results.iter().map(located).collect();
    let b2: BTreeSet<_> = again["runs"][0]["results"].as_array().unwrap().iter().map(located).collect();
    assert_eq!(a, b2, "locations and fingerprints stable across runs");
    assert_eq!(a.iter().map(|l| &l.3).collect::<BTreeSet<_>>().len(), 18, "a fingerprint per result");
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    let waf = rules.iter().find(|r| r["id"] == "stage-waf").unwrap();
    assert_eq!(waf["properties"]["security-severity"], "4.0");
}
