//! The worker, driven directly and through the app: every command gives its result (or, for
//! the few that answer nothing, none), a panicking task gives the command's failed result,
//! loads in one slot are "latest wins" (ctrl-r pressed ten times sends GetRestApis at most
//! twice), and a cancelled or superseded load never answers. The AWS side is a wiremock server
//! answering in API Gateway's, CloudTrail's and S3's wire formats (or with errors).

mod common;
mod tui_fixtures;

use common::replay_credentials as credentials;
use portcullis::config::Settings;
use portcullis::domain::{Api, ApiKind, AuditQuery, Mutation, Secret};
use portcullis::tui::command::{Command, Slot};
use portcullis::tui::jobs::done_later;
use portcullis::tui::message::Message;
use portcullis::tui::screens::audit::jobs::{LoadAuditPage, OpenAudit, SaveAuditCache};
use portcullis::tui::screens::keys::jobs::ClearClipboard;
use portcullis::tui::screens::keys::jobs::{Mutate, Mutated};
use portcullis::tui::screens::plans::jobs::{KeysLoaded, LoadKeys, LoadPlans, LoadUsage, PlansLoaded};
use portcullis::tui::worker::{Worker, guarded};
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;
use tui_fixtures::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn worker(server: &MockServer) -> (Worker, mpsc::UnboundedReceiver<Message>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Worker::new(Settings::for_endpoint(&["eu-west-1"], server.uri()), tx), rx)
}

fn api() -> Box<Api> {
    let mut a = payments_api();
    a.kind = ApiKind::Rest;
    Box::new(a)
}

fn query() -> Box<AuditQuery> {
    let now = time::OffsetDateTime::now_utc();
    Box::new(portcullis::tui::screens::audit::default_query(now, None))
}

/// The request id a result answers.
fn answers(m: &Message) -> Option<u64> {
    match m {
        // A timer's message carries no request (0).
        Message::Done { request, .. } if *request != 0 => Some(*request),
        _ => None,
    }
}

/// Results received within `wait` (or until `enough` arrived), warnings left out.
async fn results_until(rx: &mut mpsc::UnboundedReceiver<Message>, enough: usize, wait: Duration) -> Vec<Message> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while out.len() < enough
        && let Ok(Some(m)) = tokio::time::timeout_at(deadline, rx.recv()).await
    {
        if !matches!(m, Message::Warning(_)) {
            out.push(m);
        }
    }
    out
}

/// Every result received within `wait`.
async fn results(rx: &mut mpsc::UnboundedReceiver<Message>, wait: Duration) -> Vec<Message> {
    results_until(rx, usize::MAX, wait).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_gives_its_result() {
    credentials();
    // Nothing is mounted: every AWS call gets a 500, so every load fails, and says so.
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    let (w, mut rx) = worker(&server);
    let commands = vec![
        cmd(1, LoadApis),
        cmd(2, LoadDetail(api())),
        cmd(3, LoadDocs { api: api(), stage: "prod".into() }),
        cmd(4, LoadPlans),
        cmd(5, LoadKeys),
        cmd(6, LoadUsage { plan: "p1".into(), region: "eu-west-1".into(), account: None }),
        cmd(
            7,
            Mutate {
                mutation: Mutation::SetEnabled { key_id: "k1".into(), name: "acme".into(), enabled: false },
                region: "eu-west-1".into(),
                account: None,
            },
        ),
        cmd(8, OpenAudit { query: query(), source: "s3://trail-bucket".parse().unwrap() }),
        cmd(9, LoadAuditPage { cursors: vec![] }),
        cmd(10, portcullis::tui::screens::audit::jobs::LoadTrails),
    ];
    for c in commands {
        w.execute(c);
    }
    w.execute(Command::After { millis: 10, message: Box::new(done_later(ClearClipboard { generation: 3 })) });
    // A save answers that it is done (the cache is off: nothing written); the clipboard is the
    // loop's and a cancel of an idle slot answers nothing.
    w.execute(cmd(11, SaveAuditCache { feed: Box::default(), changed: vec![0] }));
    w.execute(Command::Clipboard(Secret::new("x")));
    w.execute(Command::Cancel(Slot::Usage("nothing runs here".into())));
    let got = results_until(&mut rx, 12, Duration::from_secs(30)).await;
    let mut ids: Vec<u64> = got.iter().filter_map(answers).collect();
    ids.sort();
    assert_eq!(ids, (1..=11).collect::<Vec<_>>(), "one result per job, each with its request id: {got:?}");
    assert!(got.contains(&done_later(ClearClipboard { generation: 3 })), "the timer sent its message back");
    let late = results(&mut rx, Duration::from_millis(300)).await;
    assert!(late.is_empty(), "nothing else: {late:?}");
    let failed = |m: &Message| match m {
        Message::Done { output, .. } if output.get::<PlansLoaded>().is_some() => {
            output.get::<PlansLoaded>().is_some_and(|o| o.0.is_err())
        }
        Message::Done { output, .. } if output.get::<KeysLoaded>().is_some() => {
            output.get::<KeysLoaded>().is_some_and(|o| o.0.is_err())
        }
        Message::Done { output, .. } if output.get::<Mutated>().is_some() => {
            output.get::<Mutated>().is_some_and(|o| o.result.is_err())
        }
        _ => true,
    };
    assert!(got.iter().all(failed), "the 500s are failures, not empty lists: {got:?}");
}

#[tokio::test]
async fn a_panicking_task_gives_the_commands_failed_result() {
    let command = cmd(42, LoadKeys);
    let result = guarded(&command, async { panic!("a bug in a load") }).await;
    match result {
        Some(Message::Done { request: 42, output }) if output.get::<KeysLoaded>().is_some_and(|o| o.0.is_err()) => {
            let e = output.get::<KeysLoaded>().and_then(|o| o.0.clone().err()).unwrap_or_default();
            assert!(e.contains("internal error"), "{e}");
        }
        other => panic!("expected a failed KeysLoaded for request 42, got {other:?}"),
    }
    let quiet = Command::Clipboard(Secret::new("x"));
    assert_eq!(guarded(&quiet, async { panic!("nothing to answer") }).await, None);
    let fine = guarded(&command, async { Some(Message::Tick) }).await;
    assert_eq!(fine, Some(Message::Tick), "a task that does not panic gives its own result");
}

/// GetRestApis answers after `delay`, with two APIs; each has one stage and no authorizer.
async fn slow_catalog(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    let rest = json!({"item": [{"id": "a1", "name": "one"}, {"id": "a2", "name": "two"}]});
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(ResponseTemplate::new(200).set_body_json(rest).set_delay(delay))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"^/restapis/[^/]+/stages$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [{"stageName": "prod"}]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"^/restapis/[^/]+/authorizers$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": []})))
        .mount(&server)
        .await;
    common::answer(&server, "GET", "/v2/apis", 200, json!({"items": []})).await;
    server
}

async fn count(server: &MockServer, p: &str) -> usize {
    server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == p).count()
}

/// Hand the app's commands to the worker, as the event loop does.
fn flush(app: &mut portcullis::tui::app::App, w: &Worker) {
    for c in app.take_commands() {
        w.execute(c);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_r_ten_times_sends_get_rest_apis_at_most_twice() {
    credentials();
    let server = slow_catalog(Duration::from_millis(400)).await;
    let (w, mut rx) = worker(&server);
    let mut app = new_app(new_store(false));
    app.start();
    flush(&mut app, &w);
    for m in results_until(&mut rx, 1, Duration::from_secs(5)).await {
        app.handle(m);
    }
    assert_eq!(app.store().catalog.apis.loaded().map(Vec::len), Some(2), "the first load arrived");
    let (first_lists, first_stages) = (count(&server, "/restapis").await, count(&server, "/restapis/a1/stages").await);
    assert_eq!((first_lists, first_stages), (1, 1));

    // Ten presses, 20 ms apart, faster than one GetRestApis answers.
    for _ in 0..10 {
        ctrl(&mut app, 'r');
        flush(&mut app, &w);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for m in results(&mut rx, Duration::from_secs(3)).await {
        app.handle(m);
    }
    let lists = count(&server, "/restapis").await - first_lists;
    let stages = count(&server, "/restapis/a1/stages").await - first_stages;
    assert!(lists <= 2, "ten ctrl-r sent {lists} GetRestApis (at most 2: the one running and the newest)");
    assert!(lists >= 1, "the refresh ran");
    assert_eq!(stages, lists, "each GetRestApis that ran read the stages once, no more");
    assert_eq!(app.store().catalog.refresh, None, "the newest refresh answered and was taken");
    assert!(app.store().catalog.last_refresh.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_or_superseded_load_never_answers() {
    credentials();
    let server = slow_catalog(Duration::from_millis(500)).await;
    // The trail's S3 listing answers slowly too.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&server)
        .await;
    let (w, mut rx) = worker(&server);
    w.execute(cmd(1, LoadApis));
    tokio::time::sleep(Duration::from_millis(100)).await;
    w.execute(Command::Cancel(Slot::Apis));
    // A different query in the audit slot cancels the one running.
    w.execute(cmd(2, OpenAudit { query: query(), source: "s3://old-bucket".parse().unwrap() }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    w.execute(cmd(3, OpenAudit { query: query(), source: "s3://new-bucket".parse().unwrap() }));
    let got = results(&mut rx, Duration::from_millis(2500)).await;
    let ids: Vec<u64> = got.iter().filter_map(answers).collect();
    assert_eq!(ids, vec![3], "only the newest audit query answered; the cancelled catalog load never did: {got:?}");
}

/// A feature's job, as the tests declare one: waits, then answers its number (or panics).
#[derive(Debug, Clone, PartialEq)]
struct Echo {
    n: u32,
    millis: u64,
    panics: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Echoed(Result<u32, String>);

impl portcullis::tui::jobs::Deliver for Echoed {
    fn deliver(self, _request: u64, sh: &mut portcullis::tui::jobs::To<'_>) {
        sh.info(format!("{:?}", self.0));
    }
}

impl portcullis::tui::jobs::Job for Echo {
    type Output = Echoed;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Feature("echo", String::new()))
    }

    async fn run(self, _env: portcullis::tui::jobs::Env) -> Echoed {
        tokio::time::sleep(Duration::from_millis(self.millis)).await;
        assert!(!self.panics, "a bug in a job");
        Echoed(Ok(self.n))
    }

    fn failed(&self, error: String) -> Echoed {
        Echoed(Err(error))
    }
}

fn echo(request: u64, n: u32, millis: u64, panics: bool) -> Command {
    cmd(request, Echo { n, millis, panics })
}

fn cmd(request: u64, job: impl portcullis::tui::jobs::Job) -> Command {
    Command::Job { request, job: portcullis::tui::jobs::JobBox::new(job) }
}

fn echoed(m: &Message) -> Option<(u64, Echoed)> {
    match m {
        Message::Done { request, output } => Some((*request, output.get::<Echoed>()?.clone())),
        _ => None,
    }
}

/// A feature's job runs like any load: its output comes back with its request id, a newer job
/// of another kind in its slot cancels it, and a panic in it gives its failed output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_features_job_answers_is_superseded_and_survives_a_panic() {
    credentials();
    let server = MockServer::start().await;
    let (w, mut rx) = worker(&server);
    w.execute(echo(1, 1, 400, false));
    w.execute(echo(2, 2, 10, false));
    let got: Vec<(u64, Echoed)> =
        results(&mut rx, Duration::from_millis(800)).await.iter().filter_map(echoed).collect();
    assert_eq!(got, [(2, Echoed(Ok(2)))], "the first was cancelled by the second");
    w.execute(echo(3, 3, 0, true));
    let got: Vec<(u64, Echoed)> =
        results(&mut rx, Duration::from_millis(500)).await.iter().filter_map(echoed).collect();
    match got.as_slice() {
        [(3, Echoed(Err(e)))] => assert!(e.contains("internal error"), "{e}"),
        other => panic!("expected job 3's failed output, got {other:?}"),
    }
}

/// A big document, 4,000 operations with wide request schemas: seconds of parsing and
/// expanding in a debug build.
fn big_export() -> String {
    let properties: serde_json::Map<String, serde_json::Value> = (0..60)
        .map(|i| (format!("field{i}"), json!({"type": "string", "description": "a field of the order"})))
        .collect();
    let mut paths = serde_json::Map::new();
    for i in 0..4_000 {
        paths.insert(
            format!("/orders{i}"),
            json!({"post": {"summary": "create", "requestBody": {"content": {"application/json": {"schema":
                {"$ref": "#/components/schemas/Order"}}}}, "responses": {"200": {"description": "ok"}}}}),
        );
    }
    json!({"openapi": "3.0.1", "info": {"title": "big", "version": "1"}, "paths": paths,
           "components": {"schemas": {"Order": {"type": "object", "properties": properties}}}})
    .to_string()
}

/// The docs are parsed and expanded off the async threads: on a single-threaded runtime, a job
/// queued behind a big document's load still answers first; and a docs load cancelled while it
/// works never answers.
#[tokio::test]
async fn a_big_documents_load_never_holds_up_the_other_jobs_and_can_be_cancelled() {
    credentials();
    let server = MockServer::start().await;
    let api = api();
    let export = format!("/restapis/{}/stages/prod/exports/oas30", api.id);
    Mock::given(method("GET"))
        .and(path(export))
        .respond_with(ResponseTemplate::new(200).set_body_string(big_export()))
        .mount(&server)
        .await;
    let (w, mut rx) = worker(&server);
    w.execute(cmd(1, LoadDocs { api: api.clone(), stage: "prod".into() }));
    w.execute(echo(2, 2, 200, false));
    let first = results_until(&mut rx, 1, Duration::from_secs(60)).await;
    assert_eq!(first.iter().filter_map(answers).collect::<Vec<_>>(), [2], "the other job answered first");
    let docs = results_until(&mut rx, 1, Duration::from_secs(120)).await;
    assert_eq!(docs.iter().filter_map(answers).collect::<Vec<_>>(), [1], "and the docs after it");

    // Cancelled while it works: no answer, and the worker goes on at once.
    w.execute(cmd(3, LoadDocs { api: api.clone(), stage: "prod".into() }));
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.execute(Command::Cancel(Slot::Docs(portcullis::tui::store::ApiRef::of(&api), "prod".into())));
    w.execute(echo(4, 4, 0, false));
    let after = results(&mut rx, Duration::from_secs(5)).await;
    assert_eq!(after.iter().filter_map(answers).collect::<Vec<_>>(), [4], "the cancelled load never answers");
}
