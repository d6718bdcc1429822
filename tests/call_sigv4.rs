//! A SigV4-signed call sends its query exactly as it signs it: the stages' stand-in
//! (src/dev/standin/upstream.py) recomputes the signature with botocore from the request as it
//! arrived (botocore takes the query as received: a `+` stays a `+`), so any difference between
//! what was signed and what was sent is a 403 there. The API is moto's, its stage the stand-in's.

mod common;

use common::{moto, run_cli, unique_region};
use portcullis::config::Settings;

/// A REST API `ledger` with GET /entries behind AWS_IAM, deployed to prod; its id.
async fn ledger(region: &str) -> String {
    let ctx = portcullis::aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let api = ctx.apigw.create_rest_api().name("ledger").send().await.unwrap();
    let (id, root) = (api.id().unwrap().to_string(), api.root_resource_id().unwrap().to_string());
    let entries = ctx.apigw.create_resource().rest_api_id(&id).parent_id(&root).path_part("entries").send().await;
    let resource = entries.unwrap().id().unwrap().to_string();
    let m = ctx.apigw.put_method().rest_api_id(&id).resource_id(&resource).http_method("GET");
    m.authorization_type("AWS_IAM").send().await.unwrap();
    let i = ctx.apigw.put_integration().rest_api_id(&id).resource_id(&resource).http_method("GET");
    i.r#type(aws_sdk_apigateway::types::IntegrationType::Mock).send().await.unwrap();
    ctx.apigw.create_deployment().rest_api_id(&id).stage_name("prod").send().await.unwrap();
    id
}

/// Every kind of character a query can hold, and repeated keys and empty values.
const QUERIES: &[&str] = &[
    "reason=dup entry",
    "a+b=c+d",
    "q=x&y",
    "eq=a=b",
    "pct=100% sure %20",
    "uni=café ☕ Ωmega",
    "reserved=:/?#[]@!$'()*,;",
    "tilde=~-_.",
    "tag=b",
    "tag=a",
    "empty=",
    "=nameless",
];

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_query_is_sent_as_it_was_signed() {
    let region = unique_region();
    let id = ledger(region).await;
    let dir = tempfile::tempdir().unwrap();
    let upstream = common::demo::start(region, dir.path(), false, true);
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(config_dir.join("portcullis")).unwrap();
    std::fs::write(config_dir.join("portcullis/config.toml"), upstream.tables(dir.path())).unwrap();
    let env = [("XDG_CONFIG_HOME", config_dir.as_os_str())];
    let call = |queries: &[&str]| {
        let mut args = vec!["call", &id, "--stage", "prod", "GET", "/entries", "--auth", "iam", "--check-status"];
        for q in queries {
            args.extend(["--query", q]);
        }
        run_cli(region, &args, &env)
    };
    for q in QUERIES {
        let out = call(&[q]);
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "--query {q:?}: the stand-in's botocore did not accept the signature: {said}");
    }
    let out = call(QUERIES);
    assert!(out.status.success(), "all at once: {}", String::from_utf8_lossy(&out.stderr));

    // The curl copied carries the same encoding (a space is %20, a + is %2B, never a bare +).
    let mut args = vec!["call", &id, "--stage", "prod", "GET", "/entries", "--auth", "iam", "--curl"];
    args.extend(["--query", "reason=dup entry", "--query", "a+b=c+d"]);
    let out = run_cli(region, &args, &env);
    let curl = String::from_utf8_lossy(&out.stdout);
    assert!(curl.contains("/entries?reason=dup%20entry&a%2Bb=c%2Bd"), "{curl}");
}

#[test]
fn the_query_is_encoded_the_sigv4_way() {
    let pairs: Vec<(String, String)> = [("reason", "dup entry"), ("a+b", "c&d=e"), ("u", "é~"), ("e", "")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(portcullis::tryit::sigv4_query(&pairs), "reason=dup%20entry&a%2Bb=c%26d%3De&u=%C3%A9~&e=");
}
