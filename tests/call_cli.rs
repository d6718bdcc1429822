//! `portcullis call` through the real binary: the API and its methods read from moto, the
//! stage answered by wiremock (`[invoke_urls]` in the config: moto does not serve execute-api).
//! Outputs, exit codes (0 answered, 3/4/5 with --check-status, 1 no answer, 2 usage).

mod common;

use common::{moto, run_cli, unique_region};
use portcullis::config::Settings;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A REST API `shop` with GET /items (open) and GET /items/{id} (API key), deployed to prod.
async fn shop(region: &str) -> String {
    let ctx = portcullis::aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let api = ctx.apigw.create_rest_api().name("shop").send().await.unwrap();
    let (id, root) = (api.id().unwrap().to_string(), api.root_resource_id().unwrap().to_string());
    let items = ctx.apigw.create_resource().rest_api_id(&id).parent_id(&root).path_part("items").send().await.unwrap();
    let one = ctx
        .apigw
        .create_resource()
        .rest_api_id(&id)
        .parent_id(items.id().unwrap())
        .path_part("{id}")
        .send()
        .await
        .unwrap();
    for (resource, key) in [(items.id().unwrap(), false), (one.id().unwrap(), true)] {
        let m =
            ctx.apigw.put_method().rest_api_id(&id).resource_id(resource).http_method("GET").authorization_type("NONE");
        m.api_key_required(key).send().await.unwrap();
        let i = ctx.apigw.put_integration().rest_api_id(&id).resource_id(resource).http_method("GET");
        i.r#type(aws_sdk_apigateway::types::IntegrationType::Mock).send().await.unwrap();
    }
    ctx.apigw.create_deployment().rest_api_id(&id).stage_name("prod").send().await.unwrap();
    id
}

struct Env {
    region: &'static str,
    dir: tempfile::TempDir,
}

impl Env {
    async fn new(stage_url: &str) -> (Env, String) {
        let region = unique_region();
        let id = shop(region).await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("portcullis")).unwrap();
        let config = format!("[invoke_urls]\n\"{id}/prod\" = \"{stage_url}/prod\"\n");
        std::fs::write(dir.path().join("portcullis/config.toml"), config).unwrap();
        (Env { region, dir }, id)
    }

    fn call(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["call"];
        all.extend_from_slice(args);
        run_cli(self.region, &all, &[("XDG_CONFIG_HOME", self.dir.path().as_os_str())])
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn a_call_prints_the_answer_and_exits_by_what_came_back() {
    let stage = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/prod/items"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request", "r1")
                .set_body_json(serde_json::json!({"items": [1, 2]})),
        )
        .mount(&stage)
        .await;
    Mock::given(method("GET"))
        .and(path("/prod/items/9"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-amzn-ErrorType", "ForbiddenException")
                .set_body_json(serde_json::json!({"message": "Forbidden"})),
        )
        .mount(&stage)
        .await;
    let (env, _) = Env::new(&stage.uri()).await;

    let out = env.call(&["shop", "GET", "/items", "--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["status"].as_u64(), v["body"]["items"][1].as_u64()), (Some(200), Some(2)), "{v}");
    assert_eq!(v["headers"]["x-request"], "r1");
    assert!(v["timeMs"].is_u64());

    let body = env.call(&["shop", "GET", "/items"]);
    assert_eq!(String::from_utf8_lossy(&body.stdout).trim(), r#"{"items":[1,2]}"#);
    let headers = env.call(&["shop", "GET", "/items", "-o", "headers"]);
    assert!(String::from_utf8_lossy(&headers.stdout).starts_with("HTTP 200\n"));

    // A 403 is an answer (exit 0) unless --check-status asks for httpie's convention (4).
    let forbidden = env.call(&["shop", "GET", "/items/9", "--auth", "none"]);
    assert_eq!(forbidden.status.code(), Some(0), "{}", stderr(&forbidden));
    let checked = env.call(&["shop", "GET", "/items/9", "--auth", "none", "--check-status"]);
    assert_eq!(checked.status.code(), Some(4));
    assert!(stderr(&checked).contains("HTTP 403 ForbiddenException: Forbidden"), "{}", stderr(&checked));

    // jq on the body: its outputs; a filter that does not parse stops before sending (2); one
    // that fails on this body is exit 1 with jq's error.
    let jq = env.call(&["shop", "GET", "/items", "--jq", ".items[1]"]);
    assert_eq!((jq.status.code(), String::from_utf8_lossy(&jq.stdout).trim().to_string()), (Some(0), "2".to_string()));
    let as_json = env.call(&["shop", "GET", "/items", "--jq", ".items[]", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&as_json.stdout).unwrap();
    assert_eq!(v["body"], serde_json::json!([1, 2]), "several outputs in json output are an array");
    let sent = stage.received_requests().await.unwrap().len();
    let bad = env.call(&["shop", "GET", "/items", "--jq", ".items["]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("does not parse"));
    assert_eq!(stage.received_requests().await.unwrap().len(), sent, "a bad filter sends nothing");
    let failing = env.call(&["shop", "GET", "/items", "--jq", ".items.name"]);
    assert_eq!(failing.status.code(), Some(1), "{}", stderr(&failing));
    assert!(stderr(&failing).contains("jq: "));
    assert_eq!(String::from_utf8_lossy(&failing.stdout).trim(), r#"{"items":[1,2]}"#, "the body as it came");

    // --curl sends nothing.
    let before = stage.received_requests().await.unwrap().len();
    let curl = env.call(&["shop", "GET", "/items", "--query", "q=a b", "--curl"]);
    assert_eq!(curl.status.code(), Some(0), "{}", stderr(&curl));
    assert!(
        String::from_utf8_lossy(&curl.stdout).starts_with("curl -sS -X GET "),
        "{}",
        String::from_utf8_lossy(&curl.stdout)
    );
    assert_eq!(stage.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn what_cannot_be_called_is_a_usage_error_naming_what_is_wrong() {
    let stage = MockServer::start().await;
    let (env, id) = Env::new(&stage.uri()).await;
    for (args, said) in [
        (vec!["nope", "GET", "/items"], "no API with the id or name nope"),
        (vec!["shop", "GET", "/items/{id}"], "the path still has the parameter {id}"),
        (vec!["shop", "GET", "/basket"], "matches no method or route"),
        (vec!["shop", "GET", "/items", "--stage", "dev"], "has no stage dev"),
        (vec!["shop", "GET", "/items/3"], "requires an API key"),
        (vec!["shop", "POST", "/items", "--data", "{\"a\": 1,\n \"b\": }"], "not valid JSON"),
        (vec!["shop", "GET", "/items", "--auth", "token"], "is not an auth"),
        (vec!["shop", "GET", "/items", "--auth", "bearer:PORTCULLIS_NO_SUCH_VAR"], "the environment has no"),
    ] {
        let out = env.call(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(said), "{args:?}: {}", stderr(&out));
    }
    let bad_json = env.call(&["shop", "POST", "/items", "--data", "{\"a\": 1,\n \"b\": }"]);
    assert!(stderr(&bad_json).contains("line 2, column"), "{}", stderr(&bad_json));
    assert!(stage.received_requests().await.unwrap().is_empty(), "nothing was sent");
    let file = env.dir.path().join("bad.json");
    std::fs::write(&file, "{\"a\": ").unwrap();
    let from_file = env.call(&["shop", "POST", "/items", "--data", &format!("@{}", file.display())]);
    assert_eq!(from_file.status.code(), Some(2), "a file is checked too: {}", stderr(&from_file));
    // --curl reads no secret: a key that does not exist is a placeholder all the same.
    let curl = env.call(&["shop", "GET", "/items/3", "--auth", "key:nokey123", "--curl"]);
    assert_eq!(curl.status.code(), Some(0), "{}", stderr(&curl));
    assert!(String::from_utf8_lossy(&curl.stdout).contains("$PORTCULLIS_API_KEY"));
    let by_id = env.call(&[&id, "GET", "/items", "--curl"]);
    assert_eq!(by_id.status.code(), Some(0), "an id works as well as a name: {}", stderr(&by_id));
}

#[tokio::test]
async fn no_answer_is_exit_1() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (env, _) = Env::new(&closed).await;
    let out = env.call(&["shop", "GET", "/items"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("could not connect"), "{}", stderr(&out));
}

/// With trace logging on, the key a call sends never reaches the log.
#[tokio::test]
async fn a_calls_key_never_reaches_the_log() {
    let stage = MockServer::start().await;
    Mock::given(method("GET")).and(path("/prod/items/5")).respond_with(ResponseTemplate::new(200)).mount(&stage).await;
    let (env, _) = Env::new(&stage.uri()).await;
    let ctx =
        portcullis::aws::connect(&Settings::for_endpoint(&[env.region], moto().endpoint())).await.unwrap().remove(0);
    let value = "callKEYvalue0123456789abcdefghijklmnop";
    let key = ctx.apigw.create_api_key().name("caller").value(value).enabled(true).send().await.unwrap();
    let mut args = vec!["call", "shop", "GET", "/items/5", "--auth"];
    let auth = format!("key:{}", key.id().unwrap());
    args.push(&auth);
    let state = env.dir.path().join("state");
    let vars = [
        ("XDG_CONFIG_HOME", env.dir.path().as_os_str()),
        ("XDG_STATE_HOME", state.as_os_str()),
        ("RUST_LOG", "trace".as_ref()),
    ];
    args.extend(["--header", "Authorization: Bearer user-given-secret", "--header", "x-trace: t1"]);
    let out = run_cli(env.region, &args, &vars);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sent = &stage.received_requests().await.unwrap()[0];
    assert_eq!(sent.headers.get("x-api-key").and_then(|v| v.to_str().ok()), Some(value), "the key was sent");
    let log = stderr(&out);
    assert!(log.lines().count() > 50, "trace logging was on ({} lines)", log.lines().count());
    assert!(!log.contains(value), "the key's value reached the log");
    // The history keeps the recipe: the auth as a reference, no secret header, no value.
    let history = std::fs::read_to_string(state.join("portcullis/history.jsonl")).expect("the call is in the history");
    assert!(!history.contains(value) && !history.contains("user-given-secret"), "{history}");
    let entry: serde_json::Value = serde_json::from_str(history.lines().last().unwrap()).unwrap();
    assert_eq!(entry["auth"], auth.as_str());
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["operation"], "GET /items/{id}");
    assert_eq!(entry["headers"], serde_json::json!([["x-trace", "t1"]]));
}

#[tokio::test]
async fn a_binary_body_is_written_as_it_came() {
    let stage = MockServer::start().await;
    let bytes = vec![0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0x10];
    Mock::given(method("GET"))
        .and(path("/prod/items"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "image/png").set_body_bytes(bytes.clone()),
        )
        .mount(&stage)
        .await;
    let (env, _) = Env::new(&stage.uri()).await;
    let out = env.call(&["shop", "GET", "/items"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, bytes, "the bytes, not a lossy text");
    let json = env.call(&["shop", "GET", "/items", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["bodyBase64"], "iVBOR/8AEA==");
}
