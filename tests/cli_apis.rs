//! The `apis` CLI twin, run as the real binary against moto.

mod common;

use common::{moto, unique_region};
use portcullis::aws::{self};
use portcullis::config::Settings;
use portcullis::dev::estate::{self, EstateSpec};
use serde_json::Value;
use std::process::Command;

fn settings(region: &str) -> Settings {
    Settings::for_endpoint(&[region], moto().endpoint())
}

fn portcullis(region: &str, args: &[&str]) -> std::process::Output {
    common::run_cli(region, args, &[])
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn apis_detail_json_lists_every_api_stage_method_and_route() {
    let region = unique_region();
    let ctx = aws::connect(&settings(region)).await.unwrap().remove(0);
    let spec = EstateSpec { rest_apis: 100, http_apis: 10, with_plans_and_keys: false, ..Default::default() };
    let built = estate::build(&ctx, &spec).await.unwrap();
    let out = portcullis(region, &["apis", "--detail", "--output", "json"]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is exactly one JSON value");
    let arr = json.as_array().expect("an array");
    assert_eq!(arr.len(), 110);
    for e in &built.apis {
        let a = arr.iter().find(|a| a["id"] == e.id.as_str()).unwrap_or_else(|| panic!("{} missing", e.name));
        assert_eq!(a["name"], e.name.as_str());
        assert_eq!(a["kind"], e.kind);
        assert_eq!(a["region"], region);
        assert_eq!(a["description"], e.description.as_str());
        assert!(a["createdDate"].is_string());
        for (k, v) in &e.tags {
            assert_eq!(a["tags"][k], v.as_str());
        }
        let stages: Vec<&str> = a["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        let want: Vec<&str> = e.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(stages, want);
        for (s, w) in a["stages"].as_array().unwrap().iter().zip(&e.stages) {
            assert_eq!(s["tracingEnabled"], w.tracing);
            assert_eq!(s["cacheEnabled"], w.cache);
            assert_eq!(s["description"], w.description.as_str());
            for field in ["deploymentId", "webAclArn", "throttle"] {
                assert!(s.get(field).is_some(), "stage field {field}");
            }
        }
        if e.kind == "rest" {
            let mut got: Vec<(String, String, String, Value, bool, String)> = a["methods"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["path"].as_str().unwrap().into(),
                        m["method"].as_str().unwrap().into(),
                        m["authorization"].as_str().unwrap().into(),
                        m["authorizerId"].clone(),
                        m["apiKeyRequired"].as_bool().unwrap(),
                        m["integrationType"].as_str().unwrap().into(),
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
                        m.authorizer_id.clone().map_or(Value::Null, Value::from),
                        m.api_key_required,
                        m.integration_type.clone(),
                    )
                })
                .collect();
            got.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
            want.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
            assert_eq!(got, want, "methods of {}", e.name);
            assert!(a.get("routes").is_none());
        } else {
            let mut got: Vec<(String, String, Value)> = a["routes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["routeKey"].as_str().unwrap().into(),
                        r["authorization"].as_str().unwrap().into(),
                        r["authorizerId"].clone(),
                    )
                })
                .collect();
            let mut want: Vec<_> = e
                .routes
                .iter()
                .map(|r| {
                    (
                        r.route_key.clone(),
                        r.authorization.clone(),
                        r.authorizer_id.clone().map_or(Value::Null, Value::from),
                    )
                })
                .collect();
            got.sort_by(|x, y| x.0.cmp(&y.0));
            want.sort_by(|x, y| x.0.cmp(&y.0));
            assert_eq!(got, want, "routes of {}", e.name);
            assert!(a.get("methods").is_none());
        }
    }
    let scopes = strs(&arr.iter().find(|a| a["kind"] == "http").unwrap()["routes"][0]["authorizationScopes"]);
    assert!(scopes.iter().all(|s| s.ends_with("/read")));
}

#[tokio::test]
async fn apis_table_and_plain_json_without_detail() {
    let region = unique_region();
    let ctx = aws::connect(&settings(region)).await.unwrap().remove(0);
    let evil = "ops\x1b]0;owned\x07-api";
    ctx.apigw.create_rest_api().name(evil).send().await.unwrap();
    let table = portcullis(region, &["apis"]);
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("NAME"), "no colour when stdout is not a terminal: {text:?}");
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.contains("ops\\x1b]0;owned\\x07-api"), "{text}");
    let json = portcullis(region, &["apis", "--output", "json"]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v[0]["name"], evil, "JSON keeps the exact string");
    assert!(v[0].get("methods").is_none(), "no methods without --detail");
}

/// `--color always` colours the header even into a pipe; `never` never, whatever the terminal;
/// `auto` (the default) not into a pipe, nor with NO_COLOR.
#[tokio::test]
async fn color_says_when_the_tables_are_coloured() {
    let region = unique_region();
    let ctx = aws::connect(&settings(region)).await.unwrap().remove(0);
    ctx.apigw.create_rest_api().name("plain").send().await.unwrap();
    let text = |args: &[&str], env: &[(&str, &std::ffi::OsStr)]| {
        let out = common::run_cli(region, args, env);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(text(&["--color", "always", "apis"], &[]).starts_with("\x1b[1mNAME"));
    assert!(
        text(&["apis", "--color", "always"], &[]).starts_with("\x1b[1mNAME"),
        "a global option, after the command too"
    );
    assert!(!text(&["--color", "never", "apis"], &[]).contains('\x1b'));
    assert!(!text(&["apis"], &[("NO_COLOR", "1".as_ref())]).contains('\x1b'));
    assert!(!text(&["--color", "auto", "apis"], &[]).contains('\x1b'), "auto: not into a pipe");
}

#[test]
fn bad_config_is_a_readable_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "regoins = [\"us-east-1\"]\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["--config", file.to_str().unwrap(), "apis"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("regoins") && err.contains("config.toml"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unreachable_endpoint_fails_with_a_clear_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args([
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "--region",
            "us-east-1",
            "apis",
            "--output",
            "json",
        ])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not reach the endpoint"));
}

/// A newcomer with no credentials anywhere, on a machine whose instance-metadata endpoint
/// refuses everything (a local server answering 403): the message is the no-credentials one,
/// not a network error.
#[tokio::test]
async fn no_credentials_and_a_refusing_metadata_endpoint_say_no_credentials() {
    let imds = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(403))
        .mount(&imds)
        .await;
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.uri())
        .args(["--region", "us-east-1", "apis"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run portcullis");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no AWS credentials found; set a profile with --profile"), "{stderr}");
    assert!(!stderr.contains("could not reach"), "{stderr}");
    assert!(!imds.received_requests().await.unwrap_or_default().is_empty(), "the metadata endpoint was asked");
}
