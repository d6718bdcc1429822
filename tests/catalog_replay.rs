//! What moto cannot show: pagination (moto ignores `limit` and never returns a `position` or
//! `nextToken`), throttling and credential errors. These tests drive the real SDK over HTTP to
//! a wiremock server that replays responses in API Gateway's own wire format (REST JSON, as
//! documented in the API Gateway v1 and v2 API references).

mod common;

use portcullis::aws::{self, AwsContext, ErrorKind, catalog};
use portcullis::config::Settings;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::answer;
use common::replay_credentials as credentials;

async fn context(server: &MockServer) -> AwsContext {
    let settings = Settings::for_endpoint(&["eu-west-1"], server.uri());
    aws::connect(&settings).await.unwrap().remove(0)
}

fn rest_api(id: &str) -> serde_json::Value {
    json!({"id": id, "name": format!("api-{id}"), "createdDate": 1764000000, "endpointConfiguration": {"types": ["REGIONAL"]}, "tags": {"owner": "team-a"}})
}

async fn empty_children(server: &MockServer) {
    for p in [r"^/restapis/[^/]+/stages$", r"^/restapis/[^/]+/authorizers$"] {
        Mock::given(method("GET"))
            .and(wiremock::matchers::path_regex(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": []})))
            .mount(server)
            .await;
    }
    answer(server, "GET", "/v2/apis", 200, json!({"items": []})).await;
}

#[tokio::test]
async fn rest_apis_follow_position_with_the_maximum_page_size() {
    credentials();
    let server = MockServer::start().await;
    let page1: Vec<_> = (0..500).map(|i| rest_api(&format!("a{i:03}"))).collect();
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .and(query_param("limit", "500"))
        .and(query_param_is_missing("position"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": page1, "position": "cGFnZTI="})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .and(query_param("limit", "500"))
        .and(query_param("position", "cGFnZTI="))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [rest_api("b000"), rest_api("b001")]})))
        .expect(1)
        .mount(&server)
        .await;
    empty_children(&server).await;
    let ctx = context(&server).await;
    let apis = catalog::list_apis(&ctx, catalog::Depth::Summary).await.expect("list");
    assert_eq!(apis.len(), 502);
    assert!(apis.iter().any(|a| a.id == "b001"));
    assert_eq!(apis[0].created_date.as_deref(), Some("2025-11-24T16:00:00Z"));
    assert_eq!(apis[0].endpoint_type.as_deref(), Some("REGIONAL"));
}

#[tokio::test]
async fn http_apis_and_routes_follow_next_token() {
    credentials();
    let server = MockServer::start().await;
    answer(&server, "GET", "/restapis", 200, json!({"item": []})).await;
    let api = |id: &str| json!({"apiId": id, "name": id, "protocolType": "HTTP", "routeSelectionExpression": "$request.method $request.path", "apiEndpoint": format!("https://{id}.execute-api.eu-west-1.amazonaws.com")});
    let ws = json!({"apiId": "ws1", "name": "chat", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"});
    Mock::given(method("GET"))
        .and(path("/v2/apis"))
        .and(query_param("maxResults", "500"))
        .and(query_param_is_missing("nextToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [api("h1"), ws], "nextToken": "t2"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/apis"))
        .and(query_param("nextToken", "t2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [api("h2")]})))
        .expect(1)
        .mount(&server)
        .await;
    for id in ["h1", "h2"] {
        Mock::given(method("GET"))
            .and(path(format!("/v2/apis/{id}/stages")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"items": [{"stageName": "$default", "autoDeploy": true}]})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET")).and(path(format!("/v2/apis/{id}/authorizers")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [{"authorizerId": "au1", "name": "jwt", "authorizerType": "JWT", "identitySource": ["$request.header.Authorization"], "jwtConfiguration": {"audience": ["aud"], "issuer": "https://issuer"}}]}))).mount(&server).await;
        Mock::given(method("GET")).and(path(format!("/v2/apis/{id}/routes"))).and(query_param_is_missing("nextToken"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [{"routeId": "r1", "routeKey": "GET /a", "authorizationType": "JWT", "authorizerId": "au1"}], "nextToken": "r2"}))).mount(&server).await;
        Mock::given(method("GET"))
            .and(path(format!("/v2/apis/{id}/routes")))
            .and(query_param("nextToken", "r2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"items": [{"routeId": "r2", "routeKey": "GET /b", "authorizationType": "NONE"}]}),
            ))
            .mount(&server)
            .await;
    }
    let ctx = context(&server).await;
    let apis = catalog::list_apis(&ctx, catalog::Depth::Detail).await.expect("list");
    let ids: Vec<&str> = apis.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["h1", "h2"], "WebSocket APIs are not HTTP APIs");
    let routes: Vec<&str> = apis[0].routes.as_ref().unwrap().iter().map(|r| r.route_key.as_str()).collect();
    assert_eq!(routes, ["GET /a", "GET /b"]);
    assert_eq!(apis[0].authorizers[0].provider, vec!["https://issuer".to_string()]);
    assert_eq!(apis[1].stages[0].auto_deploy, Some(true));
}

#[tokio::test]
async fn resources_follow_position() {
    credentials();
    let server = MockServer::start().await;
    let method_json = |auth: &str| json!({"httpMethod": "GET", "authorizationType": auth, "apiKeyRequired": true, "methodIntegration": {"type": "HTTP_PROXY"}});
    Mock::given(method("GET")).and(path("/restapis/a1/resources")).and(query_param("limit", "500")).and(query_param("embed", "methods")).and(query_param_is_missing("position"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [{"id": "r0", "path": "/"}, {"id": "r1", "path": "/a", "resourceMethods": {"GET": method_json("AWS_IAM")}}], "position": "n2"})))
        .expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/restapis/a1/resources"))
        .and(query_param("position", "n2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"item": [{"id": "r2", "path": "/a/b", "resourceMethods": {"GET": method_json("NONE")}}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let ctx = context(&server).await;
    let (methods, paths) = catalog::rest_methods(&ctx, "a1").await.expect("resources");
    assert_eq!(paths, ["/", "/a", "/a/b"]);
    let got: Vec<(&str, &str, bool, Option<&str>)> = methods
        .iter()
        .map(|m| (m.path.as_str(), m.authorization.as_str(), m.api_key_required, m.integration_type.as_deref()))
        .collect();
    assert_eq!(got, [("/a", "AWS_IAM", true, Some("HTTP_PROXY")), ("/a/b", "NONE", true, Some("HTTP_PROXY"))]);
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("x-amzn-ErrorType", code).set_body_json(json!({"message": message}))
}

#[tokio::test]
async fn throttling_is_retried_then_succeeds() {
    credentials();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(error(429, "TooManyRequestsException", "Too Many Requests"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [rest_api("x1")]})))
        .with_priority(2)
        .mount(&server)
        .await;
    empty_children(&server).await;
    let ctx = context(&server).await;
    let apis = catalog::list_apis(&ctx, catalog::Depth::Summary).await.expect("retried");
    assert_eq!(apis.len(), 1);
    let calls = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/restapis").count();
    assert_eq!(calls, 2, "one throttled attempt, one retry");
}

#[tokio::test]
async fn persistent_throttling_is_a_clear_error() {
    credentials();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(error(429, "TooManyRequestsException", "Too Many Requests"))
        .mount(&server)
        .await;
    empty_children(&server).await;
    let err = catalog::list_apis(&context(&server).await, catalog::Depth::Summary).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert!(err.message.contains("GetRestApis was throttled"), "{}", err.message);
    let calls = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/restapis").count();
    assert_eq!(calls, aws::clients::READ_ATTEMPTS as usize, "reads get {} attempts", aws::clients::READ_ATTEMPTS);
}

/// Five failures in a row (HTTP 500 InternalFailure, as API Gateway sends under load) would
/// sink a 3-attempt client; a read gets more attempts and the listing comes back whole.
#[tokio::test]
async fn a_run_of_server_errors_is_retried_until_the_read_succeeds() {
    credentials();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(error(500, "InternalFailure", "Internal server error"))
        .up_to_n_times(5)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [rest_api("x1"), rest_api("x2")]})))
        .with_priority(2)
        .mount(&server)
        .await;
    empty_children(&server).await;
    let apis = catalog::list_apis(&context(&server).await, catalog::Depth::Summary).await.expect("retried");
    assert_eq!(apis.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["x1", "x2"]);
    let calls = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/restapis").count();
    assert_eq!(calls, 6, "five failures, then the answer");
}

#[tokio::test]
async fn expired_credentials_and_access_denied_say_what_to_do() {
    credentials();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(error(403, "ExpiredTokenException", "The security token included in the request is expired"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/apis"))
        .respond_with(error(
            403,
            "AccessDeniedException",
            "User: arn:aws:iam::1:user/x is not authorized to perform: apigateway:GET",
        ))
        .mount(&server)
        .await;
    let ctx = context(&server).await;
    let err = catalog::list_rest_apis(&ctx).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ExpiredCredentials);
    assert!(err.message.contains("aws sso login --profile"), "{}", err.message);
    let err = catalog::list_http_apis(&ctx).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied);
    assert!(err.message.contains("GetApis"), "{}", err.message);
}

/// One API whose stages can never be read (HTTP 500 after every retry): the other APIs are
/// printed whole, that one with what did load and an `error` field, stderr names it, exit 1.
#[tokio::test]
async fn one_api_that_cannot_be_read_leaves_the_others_whole() {
    credentials();
    let server = MockServer::start().await;
    answer(&server, "GET", "/restapis", 200, json!({"item": [rest_api("ok1"), rest_api("bad"), rest_api("ok2")]}))
        .await;
    Mock::given(method("GET"))
        .and(path("/restapis/bad/stages"))
        .respond_with(error(500, "InternalFailure", "Internal server error"))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"^/restapis/[^/]+/stages$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [{"stageName": "prod"}]})))
        .with_priority(2)
        .mount(&server)
        .await;
    empty_children(&server).await;
    let out = common::run_cli_at(&server.uri(), "eu-west-1", &["apis", "--output", "json"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let apis: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON list");
    let ids: Vec<&str> = apis.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["bad", "ok1", "ok2"], "every API is printed (sorted by name)");
    for a in apis.as_array().unwrap() {
        match a["id"].as_str() {
            Some("bad") => {
                assert!(a["error"].as_str().is_some_and(|e| e.contains("GetStages")), "{a}");
                assert_eq!(a["name"], "api-bad", "what did load is there");
                assert_eq!(a["stages"], json!([]));
            }
            _ => {
                assert!(a.get("error").is_none(), "no error field when all loaded: {a}");
                assert_eq!(a["stages"][0]["name"], "prod");
            }
        }
    }
    assert!(stderr.contains("API api-bad (bad, eu-west-1) is incomplete"), "{stderr}");
}

/// Only what the fields need is read: `apis` (no --detail) asks for stages alone; with --detail
/// GetAuthorizers goes only to the API one of whose methods names an authorizer.
#[tokio::test]
async fn get_authorizers_only_for_apis_whose_methods_name_one() {
    credentials();
    let server = MockServer::start().await;
    answer(&server, "GET", "/restapis", 200, json!({"item": [rest_api("plain"), rest_api("guarded")]})).await;
    let method_json = |auth: &str, authorizer: Option<&str>| json!({"httpMethod": "GET", "authorizationType": auth, "authorizerId": authorizer, "apiKeyRequired": false});
    for (id, auth, authorizer) in [("plain", "NONE", None), ("guarded", "COGNITO_USER_POOLS", Some("au1"))] {
        let body =
            json!({"item": [{"id": "r1", "path": "/a", "resourceMethods": {"GET": method_json(auth, authorizer)}}]});
        answer(&server, "GET", format!("/restapis/{id}/resources"), 200, body).await;
    }
    let authorizers = json!({"item": [{"id": "au1", "name": "pool", "type": "COGNITO_USER_POOLS"}]});
    answer(&server, "GET", "/restapis/guarded/authorizers", 200, authorizers).await;
    empty_children(&server).await;
    let count = |p: &'static str| {
        let server = &server;
        async move { server.received_requests().await.unwrap().iter().filter(|r| r.url.path().ends_with(p)).count() }
    };

    let ctx = context(&server).await;
    let apis = catalog::list_apis(&ctx, catalog::Depth::Summary).await.unwrap();
    assert_eq!(apis.len(), 2);
    assert_eq!((count("/authorizers").await, count("/resources").await), (0, 0), "the summary reads stages only");
    assert_eq!(count("/stages").await, 2);

    let apis = catalog::list_apis(&ctx, catalog::Depth::Detail).await.unwrap();
    let paths: Vec<String> =
        server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_string()).collect();
    assert_eq!(count("/authorizers").await, 1, "one GetAuthorizers, for the API that uses one: {paths:?}");
    assert!(paths.contains(&"/restapis/guarded/authorizers".to_string()));
    let guarded = apis.iter().find(|a| a.id == "guarded").unwrap();
    assert_eq!(guarded.authorizer_name(Some("au1")), Some("pool"));
    assert!(apis.iter().find(|a| a.id == "plain").unwrap().authorizers.is_empty());
}
