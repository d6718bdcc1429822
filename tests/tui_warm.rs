//! The warm start: the catalog kept from the last run is on screen before any AWS answer
//! (the endpoint holds every response for seconds), then replaced by the fresh one (APIs
//! deleted since vanish, new ones appear, the selection stays), which is kept for the next
//! start. A corrupt file is ignored; `--no-cache` neither reads nor writes (unit tests in
//! src/tui/screens/catalog/cache.rs cover the file itself: 0600, atomic, formats).

mod common;
mod tui_fixtures;

use common::replay_credentials as credentials;
use portcullis::config::Settings;
use portcullis::tui::message::Message;
use portcullis::tui::screens::catalog::{CatalogScreen, cache};
use portcullis::tui::worker::Worker;
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;
use tui_fixtures::*;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn names(app: &portcullis::tui::app::App) -> Vec<String> {
    let c = app.root::<CatalogScreen>().expect("the catalog is the root");
    let apis = app.store().catalog.apis.loaded().expect("a catalog is shown");
    c.rows().iter().map(|&i| apis[i].name.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cached_catalog_shows_at_once_then_the_fresh_one_replaces_it() {
    credentials();
    let server = MockServer::start().await;
    let fresh = json!({"item": [{"id": "pay1", "name": "payments-api"}, {"id": "new1", "name": "brand-new-api"}]});
    Mock::given(method("GET"))
        .and(path("/restapis"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fresh).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    for p in [r"^/restapis/[^/]+/stages$"] {
        Mock::given(method("GET"))
            .and(path_regex(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": [{"stageName": "prod"}]})))
            .mount(&server)
            .await;
    }
    common::answer(&server, "GET", "/v2/apis", 200, json!({"items": []})).await;

    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_endpoint(&["eu-west-1"], server.uri());
    settings.cache_dir = Some(dir.path().to_path_buf());
    let file = cache::path(&settings).expect("the cache is on");
    // Last run: payments (same id as now) and a legacy API deleted since.
    let mut payments = payments_api();
    (payments.id, payments.region) = ("pay1".into(), "eu-west-1".into());
    let mut legacy = legacy_api();
    legacy.region = "eu-west-1".into();
    let saved = time::OffsetDateTime::now_utc() - time::Duration::minutes(12);
    cache::save(&file, &[legacy, payments], saved).unwrap();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(settings.clone(), tx);
    let mut store = new_store(false);
    store.connection.keep_catalog = true;
    let mut app = new_app(store);
    app.start_cached(cache::load(&file));
    assert_eq!(names(&app), ["legacy-admin", "payments-api"], "the kept catalog, before any answer");
    assert!(header(&mut app).contains("cached 12 min ago · refreshing"), "{}", header(&mut app));
    select_api(&mut app, "payments-api");
    for c in app.take_commands() {
        worker.execute(c);
    }

    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(rx.try_recv().is_err(), "the endpoint has not answered yet");
    assert_eq!(names(&app), ["legacy-admin", "payments-api"], "still shown while the refresh runs");

    let answer = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("the refresh answers");
    app.handle(answer.expect("a message"));
    assert_eq!(names(&app), ["brand-new-api", "payments-api"], "deleted APIs vanish, new ones appear");
    let c = app.root::<CatalogScreen>().unwrap();
    assert_eq!(c.selected_api(app.store()).map(|a| a.id.as_str()), Some("pay1"), "the selection stays");
    let head = header(&mut app);
    assert!(head.contains("refreshed") && !head.contains("cached"), "{head}");

    // The fresh catalog is kept for the next start.
    for c in app.take_commands() {
        worker.execute(c);
    }
    let mut kept = None;
    for _ in 0..50 {
        kept = cache::load(&file).filter(|k| k.apis.iter().any(|a| a.id == "new1"));
        if kept.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids: Vec<String> = kept.expect("the fresh catalog was saved").apis.into_iter().map(|a| a.id).collect();
    assert_eq!(ids, ["new1", "pay1"]);
}

#[test]
fn a_corrupt_cache_file_is_ignored_and_the_catalog_loads_as_usual() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_endpoint(&["eu-west-1"], "http://127.0.0.1:9");
    settings.cache_dir = Some(dir.path().to_path_buf());
    let file = cache::path(&settings).unwrap();
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"{\"format\": 1, \"saved_at\": \"2026-12-01T").unwrap();
    let mut app = new_app(new_store(false));
    app.start_cached(cache::load(&file));
    assert!(app.store().catalog.apis.is_loading(), "no catalog to show: it loads as on a first start");
    assert!(app.store().catalog.cached_at.is_none());
}

fn header(app: &mut portcullis::tui::app::App) -> String {
    rows(render(app).backend().buffer())[0].clone()
}

#[test]
fn without_the_cache_nothing_is_kept() {
    // --no-cache: Settings::cache_dir is None, so there is no path, and the app sends no save.
    let settings = Settings::for_endpoint(&["eu-west-1"], "http://127.0.0.1:9");
    assert!(cache::path(&settings).is_none());
    let mut app = new_app(new_store(false));
    app.start();
    app.take_commands();
    app.handle(done(1, ApisLoaded { result: Ok(apis()), at: "10:00:00".into() }));
    assert_eq!(app.take_commands(), vec![], "keep_catalog is off: no SaveCatalog");
}

/// The methods (REST) at `/restapis/pay1/resources` and an OpenAPI export of stage prod, in
/// API Gateway's REST JSON, answered after `delay`; `path` names the one resource.
async fn detail_and_docs(server: &MockServer, resource: &str, delay: Duration) {
    let method_json = json!({"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": false});
    let body = json!({"item": [{"id": "r1", "path": resource, "resourceMethods": {"GET": method_json}}]});
    Mock::given(method("GET"))
        .and(path("/restapis/pay1/resources"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body).set_delay(delay))
        .mount(server)
        .await;
    let doc = json!({"openapi": "3.0.1", "info": {"title": "payments", "version": "1"},
        "paths": {resource: {"get": {"summary": format!("read {resource}"), "responses": {"200": {"description": "ok"}}}}}});
    Mock::given(method("GET"))
        .and(path("/restapis/pay1/stages/prod/exports/oas30"))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc).set_delay(delay))
        .mount(server)
        .await;
}

/// The next message from the worker, within `secs`.
async fn next(rx: &mut mpsc::UnboundedReceiver<Message>, secs: u64) -> Message {
    tokio::time::timeout(Duration::from_secs(secs), rx.recv()).await.expect("an answer in time").expect("a message")
}

/// An API detail and a docs page opened in one run are kept; opened again (the next start, or
/// after a refresh) they show at once, marked cached, while the endpoint holds its answer for
/// two seconds; the fresh answer then replaces them (and is kept in turn).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_details_and_docs_show_at_once_the_next_time() {
    credentials();
    let server = MockServer::start().await;
    detail_and_docs(&server, "/charges", Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_endpoint(&["eu-west-1"], server.uri());
    settings.cache_dir = Some(dir.path().to_path_buf());
    let mut payments = payments_api();
    (payments.id, payments.region) = ("pay1".into(), "eu-west-1".into());

    // Two runs of the app over the same cache: the first reads and keeps, the second shows.
    let mut seen = vec![];
    for run in 0..2 {
        if run == 1 {
            server.reset().await;
            detail_and_docs(&server, "/refunds", Duration::from_secs(2)).await;
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let worker = Worker::new(settings.clone(), tx);
        let mut app = loaded_at(new_store(false), vec![payments.clone()], "09:30:00");
        select_api(&mut app, "payments-api");
        press(&mut app, crossterm::event::KeyCode::Enter);
        for c in app.take_commands() {
            worker.execute(c);
        }
        let started = std::time::Instant::now();
        app.handle(next(&mut rx, 10).await);
        let text = screen(&mut app);
        seen.push((started.elapsed(), text.contains("/charges"), text.contains("cached just now, refreshing")));
        if run == 1 {
            app.handle(next(&mut rx, 10).await);
            let text = screen(&mut app);
            assert!(text.contains("/refunds") && !text.contains("/charges") && !text.contains("cached"), "{text}");
        }
        press(&mut app, crossterm::event::KeyCode::Char('d'));
        for c in app.take_commands() {
            worker.execute(c);
        }
        let started = std::time::Instant::now();
        app.handle(next(&mut rx, 10).await);
        let text = screen(&mut app);
        seen.push((started.elapsed(), text.contains("read /charges"), text.contains("cached just now, refreshing")));
        if run == 1 {
            app.handle(next(&mut rx, 10).await);
            let text = screen(&mut app);
            assert!(text.contains("read /refunds") && !text.contains("cached"), "{text}");
        }
    }
    let (first_detail, first_docs, detail, docs) = (&seen[0], &seen[1], &seen[2], &seen[3]);
    assert!(first_detail.1 && !first_detail.2 && first_docs.1 && !first_docs.2, "the first run reads live: {seen:?}");
    assert!(detail.1 && detail.2 && detail.0 < Duration::from_secs(1), "the kept detail, at once: {seen:?}");
    assert!(docs.1 && docs.2 && docs.0 < Duration::from_secs(1), "the kept docs, at once: {seen:?}");
    let file = cache::path(&settings).unwrap();
    let api = portcullis::tui::store::ApiRef::new("eu-west-1", "pay1");
    let kept: cache::CachedItem<cache::KeptDetail> =
        cache::load_item(&cache::item_path(&file, &api, cache::Item::Detail)).expect("kept");
    assert!(format!("{:?}", kept.data.detail).contains("/refunds"), "the fresh detail is kept in turn");
}
