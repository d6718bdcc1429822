//! Try it against wiremock: every auth mode asserted on the exact request (x-api-key; a bearer
//! token from a mocked token endpoint with basic auth, grant_type and scopes, cached; SigV4 for
//! execute-api), SigV4 checked against botocore, a timeout, and `--curl` run by a real curl.
//! The stage is a wiremock server (`invoke_urls`); API Gateway's GetApiKey (REST JSON) and
//! Cognito (JSON 1.1) answer from another, in their wire formats.

mod common;

use common::answer;
use common::replay_credentials as credentials;
use portcullis::aws::{self, AwsContext};
use portcullis::config::Settings;
use portcullis::domain::{Api, ApiKind, Authorizer, Method, Stage};
use portcullis::tryit::auth::{AuthChoice, AuthEnv};
use portcullis::tryit::token::TokenCache;
use portcullis::tryit::{self, CallSpec};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn rest_method(path: &str, verb: &str, auth: &str, key: bool, scopes: &[&str]) -> Method {
    Method {
        path: path.into(),
        method: verb.into(),
        authorization: auth.into(),
        authorizer_id: (auth == "COGNITO_USER_POOLS").then(|| "au1".to_string()),
        api_key_required: key,
        integration_type: Some("HTTP_PROXY".into()),
        integration_uri: None,
        resource_id: "r1".into(),
        operation_name: None,
        authorization_scopes: scopes.iter().map(|s| s.to_string()).collect(),
    }
}

/// A REST API `a1` in eu-west-1 with stage prod: GET /orders/{id} (API key), POST /orders
/// (Cognito with a scope), GET /admin (IAM), GET /health (none), GET /profile (Cognito, no scope).
fn shop() -> Api {
    Api {
        id: "a1".into(),
        name: "shop".into(),
        kind: ApiKind::Rest,
        region: "eu-west-1".into(),
        account: Default::default(),
        description: None,
        endpoint_type: Some("REGIONAL".into()),
        tags: Default::default(),
        created_date: None,
        api_endpoint: None,
        stages: vec![Stage { name: "prod".into(), ..Default::default() }],
        authorizers: vec![Authorizer {
            id: "au1".into(),
            name: "partners".into(),
            kind: "COGNITO_USER_POOLS".into(),
            identity_source: Some("method.request.header.Authorization".into()),
            provider: vec!["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_pool".into()],
            audience: vec![],
        }],
        methods: Some(vec![
            rest_method("/orders/{id}", "GET", "NONE", true, &[]),
            rest_method("/orders", "POST", "COGNITO_USER_POOLS", false, &["partners/write"]),
            rest_method("/admin", "GET", "AWS_IAM", false, &[]),
            rest_method("/health", "GET", "NONE", false, &[]),
            rest_method("/profile", "GET", "COGNITO_USER_POOLS", false, &[]),
        ]),
        routes: None,
        error: None,
    }
}

struct World {
    aws: MockServer,
    stage: MockServer,
    ctx: AwsContext,
    invoke: BTreeMap<String, String>,
    tokens_at: BTreeMap<String, String>,
}

async fn world() -> World {
    credentials();
    let (aws, stage) = (MockServer::start().await, MockServer::start().await);
    let ctx = aws::connect(&Settings::for_endpoint(&["eu-west-1"], aws.uri())).await.unwrap().remove(0);
    let invoke = BTreeMap::from([("a1/prod".to_string(), format!("{}/prod", stage.uri()))]);
    let tokens_at = BTreeMap::from([("eu-west-1_pool".to_string(), format!("{}/oauth2/token", aws.uri()))]);
    World { aws, stage, ctx, invoke, tokens_at }
}

fn get(p: &str) -> CallSpec {
    CallSpec { method: "GET".into(), path: p.into(), ..Default::default() }
}

async fn call(
    w: &World,
    tokens: &TokenCache,
    spec: &CallSpec,
    auth: AuthChoice,
) -> Result<tryit::send::CallResponse, String> {
    let http = tryit::send::client(Duration::from_secs(5)).unwrap();
    let env = AuthEnv { ctx: &w.ctx, http: &http, tokens, token_urls: &w.tokens_at };
    let (req, resolved, _) =
        tryit::prepare(&env, &shop(), "prod", spec, &auth, &w.invoke).await.map_err(|e| e.to_string())?;
    tryit::send(&http, &w.ctx, &req, &resolved, "eu-west-1").await
}

fn header_of(r: &wiremock::Request, name: &str) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn an_api_key_method_gets_the_keys_value_read_at_send_time() {
    let w = world().await;
    answer(
        &w.aws,
        "GET",
        "/apikeys/k1",
        200,
        json!({"id": "k1", "name": "acme-prod", "enabled": true, "value": "k1VALUEabcdefghij0123456789"}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/prod/orders/42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 42})))
        .mount(&w.stage)
        .await;
    let resp = call(&w, &TokenCache::default(), &get("/orders/42"), AuthChoice::Key("k1".into())).await.unwrap();
    assert_eq!(resp.status, 200);
    let sent = &w.stage.received_requests().await.unwrap()[0];
    assert_eq!(header_of(sent, "x-api-key").as_deref(), Some("k1VALUEabcdefghij0123456789"));
    let asked = &w.aws.received_requests().await.unwrap()[0];
    assert!(asked.url.query().is_some_and(|q| q.contains("includeValue=true")), "{}", asked.url);
    // Without a key, auto says what to pass instead of sending a call that API Gateway refuses.
    let err = call(&w, &TokenCache::default(), &get("/orders/42"), AuthChoice::Auto).await.unwrap_err();
    assert!(err.contains("requires an API key") && err.contains("--auth key:KEY_ID"), "{err}");
}

/// Partner acme's app client c1 in pool eu-west-1_pool (its secret), and its key k1 in plan p1
/// covering a1/prod.
async fn acme(w: &World) {
    let target = |op: &str| {
        Mock::given(method("POST"))
            .and(header("x-amz-target", format!("AWSCognitoIdentityProviderService.{op}").as_str()))
    };
    let ok = |body: serde_json::Value| {
        ResponseTemplate::new(200).insert_header("content-type", "application/x-amz-json-1.1").set_body_json(body)
    };
    target("ListUserPoolClients")
        .respond_with(ok(
            json!({"UserPoolClients": [{"ClientId": "c1", "ClientName": "acme", "UserPoolId": "eu-west-1_pool"}]}),
        ))
        .mount(&w.aws)
        .await;
    target("DescribeUserPoolClient").respond_with(ok(json!({"UserPoolClient": {"ClientId": "c1", "ClientName": "acme", "ClientSecret": "c1SECRETxyz0123456789abcd", "AllowedOAuthScopes": ["partners/write"], "CreationDate": 1764000000}}))).mount(&w.aws).await;
    target("ListUserPoolClientSecrets")
        .respond_with(ok(
            json!({"ClientSecrets": [{"ClientSecretId": "c1--1764000000", "ClientSecretCreateDate": 1764000000}]}),
        ))
        .mount(&w.aws)
        .await;
}

#[tokio::test]
async fn a_cognito_method_gets_a_client_credentials_token_cached_until_shortly_before_it_expires() {
    let w = world().await;
    acme(&w).await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "eyJ.token.one", "expires_in": 3600, "token_type": "Bearer"})),
        )
        .expect(1)
        .mount(&w.aws)
        .await;
    Mock::given(method("POST"))
        .and(path("/prod/orders"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&w.stage)
        .await;
    let tokens = TokenCache::default();
    let post = CallSpec {
        method: "POST".into(),
        path: "/orders".into(),
        body: Some(br#"{"sku": "x"}"#.to_vec()),
        ..Default::default()
    };
    for _ in 0..10 {
        assert_eq!(call(&w, &tokens, &post, AuthChoice::Partner("acme".into())).await.unwrap().status, 201);
    }
    let token_requests: Vec<_> =
        w.aws.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == "/oauth2/token").collect();
    assert_eq!(token_requests.len(), 1, "one token for ten calls");
    let lookups = w
        .aws
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.headers.get("x-amz-target").is_some())
        .count();
    // ListUserPoolClients, then DescribeUserPoolClient and ListUserPoolClientSecrets twice (the
    // partner's clients, then the secret): once, for the first call; none for the nine after it.
    assert_eq!(lookups, 5, "the app client is looked up for the first call only");
    let t = &token_requests[0];
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode("c1:c1SECRETxyz0123456789abcd");
    assert_eq!(
        header_of(t, "authorization"),
        Some(format!("Basic {basic}")),
        "HTTP basic auth with the client id and secret"
    );
    let form = String::from_utf8_lossy(&t.body);
    assert!(form.contains("grant_type=client_credentials") && form.contains("scope=partners%2Fwrite"), "{form}");
    let sent = w.stage.received_requests().await.unwrap();
    assert_eq!(sent.len(), 10);
    assert!(sent.iter().all(|r| header_of(r, "authorization").as_deref() == Some("Bearer eyJ.token.one")));
    assert_eq!(header_of(&sent[0], "content-type").as_deref(), Some("application/json"));
    assert_eq!(sent[0].body, br#"{"sku": "x"}"#);
}

#[tokio::test]
async fn a_token_about_to_expire_is_asked_for_again() {
    let w = world().await;
    acme(&w).await;
    // expires_in 60: within the 60 s margin, so it is used once and never again.
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "short", "expires_in": 60})))
        .expect(2)
        .mount(&w.aws)
        .await;
    Mock::given(method("POST"))
        .and(path("/prod/orders"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&w.stage)
        .await;
    let tokens = TokenCache::default();
    let post = CallSpec { method: "POST".into(), path: "/orders".into(), ..Default::default() };
    for _ in 0..2 {
        call(&w, &tokens, &post, AuthChoice::Partner("acme".into())).await.unwrap();
    }
    // A Cognito method without scopes wants an ID token: said before anything is sent.
    let err = call(&w, &tokens, &get("/profile"), AuthChoice::Partner("acme".into())).await.unwrap_err();
    assert!(err.contains("expects an ID token"), "{err}");
}

#[tokio::test]
async fn an_iam_method_is_signed_for_execute_api_in_the_apis_region() {
    let w = world().await;
    Mock::given(method("GET")).and(path("/prod/admin")).respond_with(ResponseTemplate::new(200)).mount(&w.stage).await;
    assert_eq!(call(&w, &TokenCache::default(), &get("/admin"), AuthChoice::Auto).await.unwrap().status, 200);
    let sent = &w.stage.received_requests().await.unwrap()[0];
    let auth = header_of(sent, "authorization").expect("signed");
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=replay/"), "{auth}");
    assert!(auth.contains("/eu-west-1/execute-api/aws4_request"), "{auth}");
    assert!(auth.contains("SignedHeaders=") && auth.contains("x-amz-date"), "{auth}");
    assert!(header_of(sent, "x-amz-date").is_some_and(|d| d.len() == 16 && d.ends_with('Z')));
}

/// The same request signed by portcullis and by botocore (in the test virtual environment), at
/// the same instant with the same credentials: the same Authorization header.
#[test]
fn sigv4_matches_botocore() {
    let creds = aws_credential_types::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "test",
    );
    let at = std::time::UNIX_EPOCH + Duration::from_secs(1_764_590_400); // 2025-12-01T12:00:00Z
    let url = "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod/orders/42?limit=5&b=x%20y";
    let body = br#"{"sku":"x"}"#;
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let ours = portcullis::tryit::sigv4::sign_headers("POST", url, &headers, body, &creds, "eu-west-1", at).unwrap();
    let ours = ours.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.clone()).unwrap();
    let script = r#"
import datetime, sys
from unittest import mock
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, body = sys.argv[1], sys.argv[2]
req = AWSRequest(method="POST", url=url, data=body.encode(), headers={"content-type": "application/json"})
at = datetime.datetime(2025, 12, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
    botocore.auth.SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "execute-api", "eu-west-1").add_auth(req)
print(req.headers["Authorization"])
"#;
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let out = std::process::Command::new(&python)
        .args(["-c", script, url, std::str::from_utf8(body).unwrap()])
        .output()
        .unwrap_or_else(|e| {
            panic!("the test virtual environment's python ({}) must run (scripts/test makes it): {e}", python.display())
        });
    assert!(out.status.success(), "botocore failed: {}", String::from_utf8_lossy(&out.stderr));
    let theirs = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(ours, theirs, "the SigV4 Authorization header differs from botocore's");
}

#[tokio::test]
async fn a_slow_stage_times_out_with_a_clear_error() {
    let w = world().await;
    Mock::given(method("GET"))
        .and(path("/prod/health"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&w.stage)
        .await;
    let http = tryit::send::client(Duration::from_millis(300)).unwrap();
    let tokens = TokenCache::default();
    let env = AuthEnv { ctx: &w.ctx, http: &http, tokens: &tokens, token_urls: &w.tokens_at };
    let (req, resolved, _) =
        tryit::prepare(&env, &shop(), "prod", &get("/health"), &AuthChoice::Auto, &w.invoke).await.unwrap();
    let err = tryit::send(&http, &w.ctx, &req, &resolved, "eu-west-1").await.unwrap_err();
    assert!(err.contains("timeout"), "{err}");
}

/// `--curl` with placeholders, run by a real curl with the placeholders in its environment,
/// sends the request portcullis sends.
#[tokio::test]
async fn the_curl_command_sends_the_same_request() {
    let w = world().await;
    answer(&w.aws, "GET", "/apikeys/k1", 200, json!({"id": "k1", "value": "k1VALUEabcdefghij0123456789"})).await;
    Mock::given(method("GET"))
        .and(path("/prod/orders/7"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&w.stage)
        .await;
    let http = tryit::send::client(Duration::from_secs(5)).unwrap();
    let tokens = TokenCache::default();
    let env = AuthEnv { ctx: &w.ctx, http: &http, tokens: &tokens, token_urls: &w.tokens_at };
    let mut spec = get("/orders/7");
    spec.query = vec![("note".into(), "it's \"quoted\" ünïcode".into())];
    spec.headers = vec![("x-trace".into(), "a'b\"c".into()), ("cookie".into(), "session=abc123".into())];
    let (req, resolved, _) =
        tryit::prepare(&env, &shop(), "prod", &spec, &AuthChoice::Key("k1".into()), &w.invoke).await.unwrap();
    let command = tryit::curl(&req, &resolved, "eu-west-1", false);
    assert!(command.contains("$PORTCULLIS_API_KEY") && !command.contains("k1VALUE"), "placeholders: {command}");
    assert!(
        command.contains("\"cookie: $PORTCULLIS_COOKIE\"") && !command.contains("abc123"),
        "a typed secret header too: {command}"
    );
    tryit::send(&http, &w.ctx, &req, &resolved, "eu-west-1").await.unwrap();
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("{command} -o /dev/null")])
        .env("PORTCULLIS_API_KEY", "k1VALUEabcdefghij0123456789")
        .env("PORTCULLIS_COOKIE", "session=abc123")
        .status()
        .expect("curl runs");
    assert!(status.success());
    let sent = w.stage.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    let (ours, curls) = (&sent[0], &sent[1]);
    assert_eq!(ours.url, curls.url, "same URL and query");
    for h in ["x-api-key", "x-trace", "cookie"] {
        assert_eq!(header_of(ours, h), header_of(curls, h), "{h}");
    }
}

/// After calls with every auth mode, the history holds no secret byte: no key value, token,
/// client secret, signature or bearer value (each call recorded as `call` records it).
#[tokio::test]
async fn the_history_of_every_auth_mode_holds_no_secret() {
    let w = world().await;
    acme(&w).await;
    answer(&w.aws, "GET", "/apikeys/k1", 200, json!({"id": "k1", "value": "k1VALUEabcdefghij0123456789"})).await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "eyJ.secret.token", "expires_in": 3600})),
        )
        .mount(&w.aws)
        .await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).mount(&w.stage).await;
    // SAFETY: set before any thread of this test reads it; no other test reads this variable.
    unsafe { std::env::set_var("PORTCULLIS_TEST_BEARER", "bearerVALUE42") };
    let state = tempfile::tempdir().unwrap();
    let tokens = TokenCache::default();
    let http = tryit::send::client(Duration::from_secs(5)).unwrap();
    let env = AuthEnv { ctx: &w.ctx, http: &http, tokens: &tokens, token_urls: &w.tokens_at };
    let post =
        CallSpec { method: "POST".into(), path: "/orders".into(), body: Some(b"{}".to_vec()), ..Default::default() };
    for (spec, auth) in [
        (get("/orders/1"), AuthChoice::Key("k1".into())),
        (post.clone(), AuthChoice::Partner("acme".into())),
        (get("/admin"), AuthChoice::Iam),
        (get("/health"), AuthChoice::Bearer("PORTCULLIS_TEST_BEARER".into())),
    ] {
        let (req, resolved, op) = tryit::prepare(&env, &shop(), "prod", &spec, &auth, &w.invoke).await.unwrap();
        let result = tryit::send(&http, &w.ctx, &req, &resolved, "eu-west-1").await;
        assert_eq!(result.as_ref().map(|r| r.status), Ok(200));
        tryit::history::append(state.path(), tryit::history_entry(&shop(), "prod", &spec, &op, &auth, &result))
            .unwrap();
    }
    let sent = w.stage.received_requests().await.unwrap();
    let signature = sent.iter().find_map(|r| header_of(r, "authorization").filter(|a| a.starts_with("AWS4"))).unwrap();
    let text = std::fs::read_to_string(tryit::history::path(state.path())).unwrap();
    assert_eq!(text.lines().count(), 4);
    for secret in [
        "k1VALUEabcdefghij0123456789",
        "eyJ.secret.token",
        "c1SECRETxyz0123456789abcd",
        "bearerVALUE42",
        &signature[signature.len() - 64..],
    ] {
        assert!(!text.contains(secret), "the history holds a secret ({secret})");
    }
    for reference in ["key:k1", "partner:acme", "iam", "bearer:PORTCULLIS_TEST_BEARER"] {
        assert!(text.contains(&format!("\"auth\":\"{reference}\"")), "{reference}: {text}");
    }
}

/// Redirects: never followed by default; with `follow`, only to the same origin (the request
/// carries its credentials), so a redirect to another host comes back as it was.
#[tokio::test]
async fn redirects_are_followed_only_when_asked_and_only_to_the_same_origin() {
    let stage = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/prod/old"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/prod/new", stage.uri())))
        .mount(&stage)
        .await;
    Mock::given(method("GET"))
        .and(path("/prod/new"))
        .respond_with(ResponseTemplate::new(200).set_body_string("moved here"))
        .mount(&stage)
        .await;
    Mock::given(method("GET"))
        .and(path("/prod/away"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/steal", elsewhere.uri())))
        .mount(&stage)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&elsewhere).await;
    let req = |p: &str| tryit::send::CallRequest {
        method: "GET".into(),
        url: format!("{}{p}", stage.uri()),
        headers: vec![("x-api-key".into(), tryit::send::Value::Secret(portcullis::domain::Secret::new("k1VALUE")))],
        body: None,
    };
    let plain = tryit::send::client(Duration::from_secs(5)).unwrap();
    assert_eq!(tryit::send::send(&plain, &req("/prod/old")).await.unwrap().status, 302, "not followed by default");
    let follow = tryit::send::client_with(Duration::from_secs(5), true).unwrap();
    let r = tryit::send::send(&follow, &req("/prod/old")).await.unwrap();
    assert_eq!((r.status, r.body.as_slice()), (200, b"moved here".as_slice()));
    let r = tryit::send::send(&follow, &req("/prod/away")).await.unwrap();
    assert_eq!(r.status, 302, "another origin is not followed");
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "the key never went to another host");
}
