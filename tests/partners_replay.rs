//! What moto cannot show: Cognito's two-secret model (moto has no Add/List/Delete
//! UserPoolClientSecret). The real SDK talks to a wiremock server that answers in the wire
//! format of the Cognito API reference: JSON 1.1 over `POST /`, the operation in
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`, timestamps in epoch seconds,
//! errors as `{"__type": ..., "message": ...}` with HTTP 400. API Gateway's reads (REST JSON)
//! answer with acme's one key in one plan.

mod common;

use common::answer;
use common::replay_credentials as credentials;
use portcullis::aws::{self, AwsContext, ErrorKind, cognito};
use portcullis::config::Settings;
use portcullis::partners::ops::{self, Credential, Env};
use portcullis::partners::{Destination, values};
use serde_json::{Value, json};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TARGET: &str = "AWSCognitoIdentityProviderService";
const DAY: i64 = 86_400;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn context(server: &MockServer) -> AwsContext {
    aws::connect(&Settings::for_endpoint(&["eu-west-1"], server.uri())).await.unwrap().remove(0)
}

fn cognito_answer(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("content-type", "application/x-amz-json-1.1").set_body_json(body)
}

fn cognito_error(kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(400)
        .insert_header("content-type", "application/x-amz-json-1.1")
        .insert_header("x-amzn-ErrorType", kind)
        .set_body_json(json!({"__type": kind, "message": message}))
}

fn op(name: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST")).and(header("x-amz-target", format!("{TARGET}.{name}").as_str()))
}

/// Partner acme: app client c1 in pool `pool`, with the secrets given (id, created epoch).
async fn acme(server: &MockServer, secrets: &[(&str, i64)]) {
    op("ListUserPoolClients")
        .respond_with(cognito_answer(
            json!({"UserPoolClients": [{"ClientId": "c1", "UserPoolId": "pool", "ClientName": "acme"}]}),
        ))
        .mount(server)
        .await;
    op("DescribeUserPoolClient")
        .respond_with(cognito_answer(json!({"UserPoolClient": {
            "ClientId": "c1", "ClientName": "acme", "UserPoolId": "pool", "ClientSecret": "the-first-secret-0123456789",
            "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["partners/read"], "CreationDate": now() - 90 * DAY}})))
        .mount(server)
        .await;
    let listed: Vec<Value> =
        secrets.iter().map(|(id, at)| json!({"ClientSecretId": id, "ClientSecretCreateDate": at})).collect();
    op("ListUserPoolClientSecrets").respond_with(cognito_answer(json!({"ClientSecrets": listed}))).mount(server).await;
    op("DescribeUserPool")
        .respond_with(cognito_answer(json!({"UserPool": {"Id": "pool", "Domain": "kestrel-partners"}})))
        .mount(server)
        .await;
    op("ListResourceServers")
        .respond_with(cognito_answer(json!({"ResourceServers": [{"Identifier": "partners", "UserPoolId": "pool", "Name": "p", "Scopes": [{"ScopeName": "read", "ScopeDescription": "r"}]}]})))
        .mount(server)
        .await;
    let key = json!({"id": "k1", "name": "acme-1", "customerId": "acme", "enabled": true, "createdDate": now() - 90 * DAY, "tags": {"partner": "acme"}});
    answer(server, "GET", "/apikeys", 200, json!({"item": [key]})).await;
    answer(
        server,
        "GET",
        "/usageplans",
        200,
        json!({"item": [{"id": "p1", "name": "gold", "apiStages": [{"apiId": "a1", "stage": "prod"}]}]}),
    )
    .await;
    answer(
        server,
        "GET",
        "/usageplans/p1/keys",
        200,
        json!({"item": [{"id": "k1", "type": "API_KEY", "name": "acme-1"}]}),
    )
    .await;
}

fn env<'a>(ctx: &'a AwsContext, state: &'a std::path::Path) -> Env<'a> {
    Env {
        ctx,
        all: std::slice::from_ref(ctx),
        state: Some(state),
        grace: std::time::Duration::from_secs(7 * DAY as u64),
        retire_delete_after: std::time::Duration::ZERO,
        show: ops::Show::Print { json: true, write: portcullis::cli::write_stdout },
    }
}

async fn requests(server: &MockServer, name: &str) -> Vec<Value> {
    let target = format!("{TARGET}.{name}");
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.headers.get("x-amz-target").is_some_and(|v| v.to_str().unwrap_or_default() == target))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// The rotation adds a second secret whose value was chosen locally and written to the export
/// file before the call; the old secret stays (both work), and the hand-over says which way.
#[tokio::test]
async fn a_secret_rotation_adds_a_second_secret_handed_over_before_it_goes_live() {
    credentials();
    let server = MockServer::start().await;
    acme(&server, &[("c1--1700000000", now() - 90 * DAY)]).await;
    op("AddUserPoolClientSecret")
        .respond_with(cognito_answer(
            json!({"ClientSecretDescriptor": {"ClientSecretId": "c1--1764590000", "ClientSecretCreateDate": now()}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let ctx = context(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret.json");
    let e = env(&ctx, dir.path());
    let plan =
        ops::check_rotate(e, "acme", Some("pool"), Credential::Secret, Destination::File { path: file.clone() }, false)
            .await
            .expect("the rotation is possible");
    assert_eq!(plan.strategy, ops::Strategy::SecondSecret, "the endpoint lists secrets: the two-secret model");
    assert!(
        plan.plan().cli()[0]
            .starts_with("aws cognito-idp add-user-pool-client-secret --user-pool-id pool --client-id c1")
    );
    let creds = ops::rotate(e, &plan).await.expect("rotated");
    let exported: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let added = &requests(&server, "AddUserPoolClientSecret").await[0];
    assert_eq!((added["UserPoolId"].as_str(), added["ClientId"].as_str()), (Some("pool"), Some("c1")));
    let sent = added["ClientSecret"].as_str().expect("a custom value, chosen locally");
    assert_eq!(sent.len(), 48);
    assert_eq!(exported["clientSecret"].as_str(), Some(sent), "the value sent is the value handed over");
    assert_eq!(exported["strategy"], "second secret");
    assert_eq!(exported["tokenUrl"], "https://kestrel-partners.auth.eu-west-1.amazoncognito.com/oauth2/token");
    assert_eq!(creds.client_id.as_deref(), Some("c1"), "the same app client");
    assert!(requests(&server, "DeleteUserPoolClientSecret").await.is_empty(), "the old secret stays during the grace");
}

/// Two active secrets: Cognito allows no third, so a rotation is refused before it starts; an
/// add that the service refuses anyway is its LimitExceededException.
#[tokio::test]
async fn a_third_secret_is_refused() {
    credentials();
    let server = MockServer::start().await;
    acme(&server, &[("c1--1700000000", now() - 90 * DAY), ("c1--1764000000", now() - DAY)]).await;
    op("AddUserPoolClientSecret")
        .respond_with(cognito_error(
            "LimitExceededException",
            "Maximum number of client secrets reached for this app client",
        ))
        .mount(&server)
        .await;
    let ctx = context(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let refused =
        ops::check_rotate(env(&ctx, dir.path()), "acme", Some("pool"), Credential::Secret, Destination::Stdout, false)
            .await;
    assert!(refused.unwrap_err().to_string().contains("two secrets already"));
    let err = cognito::add_secret(&ctx, "pool", "c1", &values::client_secret_value().unwrap()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded, "{err}");
    assert!(err.message.contains("AddUserPoolClientSecret"), "{err}");
    let listed = cognito::list_secrets(&ctx, "pool", "c1").await.unwrap().expect("the endpoint lists secrets");
    let ids: Vec<&str> = listed.iter().filter_map(|s| s.id.as_deref()).collect();
    assert_eq!(ids, ["c1--1700000000", "c1--1764000000"], "oldest first");
}

/// The last secret cannot be deleted: the service's error comes back as it is, named.
#[tokio::test]
async fn the_last_secret_cannot_be_deleted() {
    credentials();
    let server = MockServer::start().await;
    op("DeleteUserPoolClientSecret")
        .respond_with(cognito_error(
            "InvalidParameterException",
            "Cannot delete the last client secret of an app client",
        ))
        .mount(&server)
        .await;
    let ctx = context(&server).await;
    let err = cognito::delete_secret(&ctx, "pool", "c1", "c1--1700000000").await.unwrap_err();
    assert!(err.message.contains("Cannot delete the last client secret"), "{err}");
    assert_eq!(requests(&server, "DeleteUserPoolClientSecret").await[0]["ClientSecretId"], "c1--1700000000");
}

/// After the grace (measured from the new secret's creation date, no tag needed) reconcile
/// deletes the old secret; before it, nothing is due.
#[tokio::test]
async fn reconcile_deletes_the_old_secret_once_the_new_one_is_past_its_grace() {
    credentials();
    let server = MockServer::start().await;
    acme(&server, &[("c1--old", now() - 90 * DAY), ("c1--new", now() - 8 * DAY)]).await;
    op("DeleteUserPoolClientSecret").respond_with(cognito_answer(json!({}))).expect(1).mount(&server).await;
    let ctx = context(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let e = env(&ctx, dir.path());
    let mut due = ops::due(e, Some("pool"), None).await.unwrap();
    let kinds: Vec<(String, &str)> = due.iter().map(|a| (a.kind.to_string(), a.partner.as_str())).collect();
    assert_eq!(kinds, [("delete".to_string(), "acme")], "{due:?}");
    assert!(
        due[0]
            .aws_cli
            .as_deref()
            .unwrap()
            .contains("delete-user-pool-client-secret --user-pool-id pool --client-id c1 --client-secret-id c1--old")
    );
    ops::reconcile(e, &mut due).await.unwrap();
    assert!(due[0].done);
    let deleted = requests(&server, "DeleteUserPoolClientSecret").await;
    assert_eq!(deleted[0]["ClientSecretId"], "c1--old", "the old one, never the new");
    // Within the grace: nothing to do.
    let long = Env { grace: std::time::Duration::from_secs(30 * DAY as u64), ..e };
    assert!(ops::due(long, Some("pool"), None).await.unwrap().is_empty());
}

/// A two-secret rotation killed after its AddUserPoolClientSecret took effect: the resumed run
/// adopts the secret that was not there when it began (by id, whatever the clocks say: this
/// one's creation date is before the operation's start) and never adds a third.
#[tokio::test]
async fn a_resumed_secret_rotation_adopts_the_secret_it_added() {
    use portcullis::partners::journal::Journal;
    use portcullis::partners::{Credentials, OpKind, Operation};
    credentials();
    let server = MockServer::start().await;
    acme(&server, &[("c1--old", now() - 90 * DAY), ("c1--new", now() - 3600)]).await;
    op("AddUserPoolClientSecret").respond_with(cognito_answer(json!({}))).expect(0).mount(&server).await;
    let ctx = context(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret.json");
    let secret = values::client_secret_value().unwrap();
    let operation = Operation {
        id: "20261201T120000Z-resumed".into(),
        partner: "acme".into(),
        region: "eu-west-1".into(),
        started: "2099-01-01T00:00:00Z".into(),
        user_pool_id: Some("pool".into()),
        kind: OpKind::RotateSecret {
            client_id: "c1".into(),
            fallback_client: String::new(),
            secret_fingerprint: values::fingerprint(&secret),
            destination: Destination::File { path: file.clone() },
            existing_secrets: vec!["c1--old".into()],
            now: false,
        },
    };
    let handed = Credentials {
        partner: "acme".into(),
        client_id: Some("c1".into()),
        client_secret: Some(secret.clone()),
        ..Default::default()
    };
    std::fs::write(&file, serde_json::to_vec(&handed.to_json(true)).unwrap()).unwrap();
    let mut journal = Journal::begin(Some(dir.path()), &operation).unwrap();
    journal.intent("handover").unwrap();
    journal.record_done("handover", Default::default()).unwrap();
    journal.intent("add-secret").unwrap();
    let path = journal.path().to_path_buf();
    drop(journal);
    ops::resume(env(&ctx, dir.path()), &path).await.expect("resumed");
    assert!(!path.exists(), "finished");
    let exported: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(exported["clientSecret"].as_str(), Some(secret.expose()), "the value handed over before the crash");
    assert!(requests(&server, "AddUserPoolClientSecret").await.is_empty(), "no third secret");
}
