//! The audit screen: snapshots (the list, the "loading more" row, a failed page, the error
//! state, an event's folded record, a malformed record, the filter form, the source picker)
//! and interactions (the commands sent: opening, pages as the user scrolls, the cache,
//! filters, the trail picker, pivots from other screens and jumps back to resources).

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::domain::AuditSource;
use portcullis::domain::{ApiKey, Feed, LookupPage, Trail};
use portcullis::tui::app::App;
use portcullis::tui::command::{Command, Slot};
use portcullis::tui::dialogs::{Dialog, FormKind};
use portcullis::tui::jobs::Output;
use portcullis::tui::loadable::Loadable;
use portcullis::tui::message::Message;
use portcullis::tui::screens::Nav;
use portcullis::tui::screens::audit::jobs::{AuditOpened, AuditPageLoaded, LoadAuditPage, OpenAudit, SaveAuditCache};
use portcullis::tui::screens::audit::jobs::{LoadTrails, TrailsLoaded};
use portcullis::tui::screens::audit::{AUTO_PAGES, AuditScreen, AuditView, RecordScreen};
use portcullis::tui::screens::catalog::jobs::LoadDetail;
use portcullis::tui::screens::keys::KeysScreen;
use portcullis::tui::screens::stage::StageScreen;
use portcullis::tui::store::{Status, Store};
use std::collections::BTreeMap;
use tui_fixtures::audit::*;
use tui_fixtures::*;

fn key(id: &str, name: &str) -> ApiKey {
    ApiKey {
        id: id.into(),
        name: name.into(),
        description: None,
        enabled: true,
        customer_id: None,
        created_date: None,
        last_updated_date: None,
        plan_ids: vec![],
        tags: BTreeMap::new(),
        region: "eu-west-1".into(),
        account: Default::default(),
        error: None,
        value: None,
    }
}

/// The catalog, the keys k1 and k2, no plans, and the audit view of `query()` (the last 7
/// days of LookupEvents) over `feed`.
fn store(feed: Loadable<Feed>) -> Store {
    let mut store = new_store(false);
    store.catalog.apis = Loadable::Loaded(apis());
    store.keys = Loadable::Loaded(vec![key("k1", "acme-prod"), key("k2", "globex-prod")]);
    store.plans = Loadable::Loaded(vec![]);
    let mut view = AuditView::new(query(), "7d".into(), None, AuditSource::Lookup);
    view.feed = feed;
    store.audit = Some(view);
    store
}

/// The app on the catalog over [`store`]. Not started through a catalog load, so the header
/// shows no refresh time (as in the snapshots).
fn app_with(feed: Loadable<Feed>) -> App {
    new_app(store(feed))
}

/// On the audit list over `feed`, 20 rows a page, with no page in flight.
fn on_audit(feed: Loadable<Feed>) -> App {
    let mut app = app_with(feed);
    let list = AuditScreen::default();
    list.view.set_page(20);
    app.navigate(Nav::Push(Box::new(list)));
    // Pushing the list syncs it, and a list shorter than a page asks for the next one at once:
    // that request is dropped, so each test starts from a list with nothing in flight.
    let sent = app.take_commands();
    assert!(matches!(sent.as_slice(), [] | [_]) && sent.iter().all(|c| job::<LoadAuditPage>(c).is_some()), "{sent:?}");
    let a = audit_mut(&mut app);
    a.loading_more = None;
    a.auto_pages = 0;
    app
}

fn audit_app(more: bool) -> App {
    on_audit(Loadable::Loaded(feed(more)))
}

fn audit(app: &App) -> &AuditView {
    app.store().audit.as_ref().expect("an audit view")
}

fn audit_mut(app: &mut App) -> &mut AuditView {
    app.shared.store.audit.as_mut().expect("an audit view")
}

/// The ids of the events on the audit list, in order.
fn shown_ids(app: &App) -> Vec<String> {
    let list = app.screen::<AuditScreen>().expect("on the audit list");
    list.rows(app.store()).iter().map(|e| e.event_id.clone()).collect()
}

// ---------------------------------------------------------------- snapshots

#[test]
fn audit_list_newest_first_with_the_more_row() {
    let mut app = audit_app(true);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    assert!(
        text.contains("server filter EventSource=apigateway.amazonaws.com | EventSource=cognito-idp.amazonaws.com")
    );
    assert!(text.contains("evil\\x1b[31m"), "the escape is shown escaped, not sent: {text}");
    // The error code in the error colour.
    let buffer = terminal.backend().buffer();
    let y = row_of(buffer, "AccessDenied");
    let x = rows(buffer)[y as usize].find("AccessDenied").unwrap();
    let x = rows(buffer)[y as usize][..x].chars().count() as u16;
    assert_eq!(buffer[(x, y)].fg, app.styles.error.fg.unwrap());
}

#[test]
fn audit_loading_more_row() {
    let mut app = audit_app(true);
    audit_mut(&mut app).loading_more = Some(99);
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn audit_failed_page_keeps_the_events() {
    let mut app = audit_app(true);
    audit_mut(&mut app).error = Some("LookupEvents was throttled (ThrottlingException): try again".into());
    let text = screen(&mut app);
    insta::assert_snapshot!(render(&mut app).backend());
    assert!(text.contains("CreateApiKey") && text.contains("✗ LookupEvents was throttled"), "{text}");
}

#[test]
fn audit_error_state() {
    let mut f = feed(true);
    f.events.clear();
    let mut app = on_audit(Loadable::Loaded(f));
    audit_mut(&mut app).error = Some(
        "LookupEvents is not supported by this endpoint (HTTP 500 without an AWS error code; an emulator?)".into(),
    );
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn audit_initial_loading_and_failed_open() {
    let mut app = on_audit(Loadable::Loading { request: 1 });
    assert!(screen(&mut app).contains("Loading audit events"));
    let mut app = on_audit(Loadable::Failed("none of the 3 trail log files could be read".into()));
    let text = screen(&mut app);
    assert!(text.contains("Could not load audit events") && text.contains("none of the 3"), "{text}");
}

/// Down to the event `id` on the list, then enter: its record.
fn open_event(app: &mut App, id: &str) {
    let pos = shown_ids(app).iter().position(|e| e == id).unwrap();
    for _ in 0..pos {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Enter);
}

#[test]
fn audit_event_detail_folded() {
    let mut app = audit_app(false);
    open_event(&mut app, "e3");
    assert!(app.screen::<RecordScreen>().is_some_and(|r| r.id == "e3"), "on {}", app.top().title());
    let text = screen(&mut app);
    insta::assert_snapshot!(render(&mut app).backend());
    assert!(text.contains("\"sessionContext\": { … 2 keys }"), "nested containers start folded: {text}");
    // Unfold it: move to its line and press enter.
    let line = rows(render(&mut app).backend().buffer()).iter().position(|r| r.contains("sessionContext")).unwrap();
    for _ in 0..(line - 2) {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("\"sessionIssuer\": { … 2 keys }") && !text.contains("sessionContext\": {…"), "{text}");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("\"sessionContext\": { … 2 keys }"), "folds again");
}

#[test]
fn audit_event_with_a_malformed_record() {
    let mut app = audit_app(false);
    open_event(&mut app, "e6");
    let text = screen(&mut app);
    insta::assert_snapshot!(render(&mut app).backend());
    assert!(text.contains("the CloudTrail record is not valid JSON"), "{text}");
}

#[test]
fn audit_filter_form_and_source_picker() {
    let mut app = audit_app(false);
    char_key(&mut app, 'f');
    insta::assert_snapshot!("audit_filter_form", render(&mut app).backend());
    press(&mut app, KeyCode::Esc);
    let trails = vec![Trail {
        name: "org-trail".into(),
        home_region: "eu-west-1".into(),
        bucket: "org-cloudtrail-logs".into(),
        prefix: Some("acme".into()),
        multi_region: true,
    }];
    char_key(&mut app, 'T');
    let request = match app.take_commands().as_slice() {
        [Command::Job { request, job }] if job.get::<LoadTrails>().is_some() => *request,
        other => panic!("{other:?}"),
    };
    app.handle(Message::Done { request, output: Output::new(TrailsLoaded(Ok(trails))) });
    insta::assert_snapshot!("audit_source_picker", render(&mut app).backend());
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    // The same query, its range (`last 7d`, relative) ending now, not when the view was opened.
    let now = time::OffsetDateTime::now_utc();
    assert!(
        matches!(sent.as_slice(), [c] if matches!(job::<OpenAudit>(c), Some(OpenAudit { source, query })
            if source.to_string() == "s3://org-cloudtrail-logs/acme"
                && query.until - query.since == time::Duration::days(7)
                && (now - query.until).abs() < time::Duration::minutes(1)
                && query.event_sources == self::query().event_sources)),
        "the trail's logs, same query: {sent:?}"
    );
    assert!(audit(&app).feed.is_loading());
}

// ---------------------------------------------------------------- interactions

#[test]
fn opening_plans_the_cursors_then_pages_fill_the_screen_and_are_cached() {
    let mut app = new_app(new_store(false));
    command(&mut app, "audit");
    let sent = app.take_commands();
    let (request, q) = match sent.as_slice() {
        [c] if job::<OpenAudit>(c).is_some_and(|j| j.source == AuditSource::Lookup) => {
            (request_of(c), job::<OpenAudit>(c).map(|j| j.query.clone()).unwrap())
        }
        other => panic!("{other:?}"),
    };
    app.screen::<AuditScreen>().expect("on the audit list").view.set_page(20);
    assert_eq!(q.event_sources, [APIGW, COGNITO], "API Gateway and Cognito by default");
    assert_eq!(q.until - q.since, time::Duration::hours(24));
    let f = Feed {
        cursors: vec![cursor(APIGW, true), cursor(COGNITO, true)],
        account: Some("123456789012".into()),
        ..Default::default()
    };
    app.handle(done(request, AuditOpened { result: Ok(f), problems: vec![] }));
    let page_request = match app.take_commands().as_slice() {
        [c] if job::<LoadAuditPage>(c).is_some_and(|j| j.cursors.len() == 2) => request_of(c),
        other => panic!("an empty screen asks for the first page: {other:?}"),
    };
    // A stale answer (an older request) is dropped.
    app.handle(done(page_request - 1, AuditPageLoaded { pages: vec![] }));
    assert_eq!(audit(&app).loading_more, Some(page_request));
    assert!(app.take_commands().is_empty(), "the stale answer changed nothing");
    let page = LookupPage { events: events()[..2].to_vec(), next_token: Some("t2".into()) };
    app.handle(done(page_request, AuditPageLoaded { pages: vec![(0, Ok(page)), (1, Ok(LookupPage::default()))] }));
    let sent = app.take_commands();
    assert!(
        job::<SaveAuditCache>(&sent[0]).is_some_and(|j| j.changed == [0, 1] && j.feed.account.is_some()),
        "both cursors got a page: both are written to the account's cache: {sent:?}"
    );
    assert!(job::<LoadAuditPage>(&sent[1]).is_some(), "2 rows do not fill 20: another page: {sent:?}");
    assert_eq!(audit(&app).feed.loaded().unwrap().cursors[0].windows[0].token.as_deref(), Some("t2"));
    assert!(!audit(&app).feed.loaded().unwrap().cursors[1].has_more(), "the cognito cursor is done");
}

#[test]
fn filling_the_screen_stops_after_a_few_pages_until_the_user_scrolls() {
    let mut app = audit_app(true);
    audit_mut(&mut app).query.user = Some("nobody-matches".into());
    for _ in 0..AUTO_PAGES + 2 {
        // What a returned page does: ask again if the screen is still not full.
        let request = app.shared.request_id();
        audit_mut(&mut app).loading_more = Some(request);
        app.handle(done(request, AuditPageLoaded { pages: vec![] }));
    }
    let asked = app.take_commands().iter().filter(|m| job::<LoadAuditPage>(m).is_some()).count();
    assert_eq!(asked, AUTO_PAGES, "at most {AUTO_PAGES} pages on their own");
    press(&mut app, KeyCode::Down);
    assert!(
        matches!(app.take_commands().as_slice(), [c] if job::<LoadAuditPage>(c).is_some()),
        "a key press near the end asks again"
    );
}

#[test]
fn enter_on_the_more_row_retries_after_an_error() {
    let mut app = audit_app(true);
    audit_mut(&mut app).error = Some("throttled".into());
    char_key(&mut app, 'G');
    assert!(app.take_commands().iter().any(|m| job::<LoadAuditPage>(m).is_some()), "scrolling to the end retries");
    assert_eq!(audit(&app).error, None);
}

#[test]
fn the_loaded_list_filters_locally_when_the_server_calls_would_not_change() {
    let mut app = audit_app(false);
    char_key(&mut app, 'e');
    assert!(app.take_commands().is_empty(), "errors only is applied here, no new LookupEvents call");
    assert_eq!(shown_ids(&app), ["e2"]);
    assert!(screen(&mut app).contains("local filters errors only"));
    // A different time range means different calls: the query is opened again.
    char_key(&mut app, 'f');
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "1h");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [c] if job::<OpenAudit>(c).is_some_and(|j| j.query.until - j.query.since == time::Duration::hours(1) && j.query.errors_only)),
        "{sent:?}"
    );
    assert_eq!(audit(&app).since, "1h");
}

#[test]
fn the_form_with_the_same_range_filters_locally_and_returning_to_the_screen_resumes_paging() {
    let mut app = audit_app(true);
    char_key(&mut app, 'f');
    for _ in 0..7 {
        press(&mut app, KeyCode::Tab); // to "read-only / mutating"
    }
    press(&mut app, KeyCode::Char(' ')); // mutating only
    press(&mut app, KeyCode::Enter);
    assert!(
        !app.take_commands().iter().any(|m| job::<OpenAudit>(m).is_some()),
        "same range, same server filters: no new query"
    );
    assert_eq!(audit(&app).query.read_only, Some(false));
    let list = app.screen::<AuditScreen>().expect("on the audit list");
    assert!(list.rows(app.store()).iter().all(|e| e.read_only == Some(false)));

    // Leave the screen while a page is on its way: leaving stops it, and its answer arriving
    // while :keys is shown asks for no further page. Back on :audit, paging carries on.
    let request = audit(&app).loading_more.expect("the re-filtered list asked for its next page");
    command(&mut app, "keys");
    audit_mut(&mut app).query.user = Some("nobody".into());
    app.handle(done(request, AuditPageLoaded { pages: vec![] }));
    let sent = app.take_commands();
    assert!(sent.contains(&Command::Cancel(Slot::AuditPage)), "leaving the list stops its page: {sent:?}");
    assert!(!sent.iter().any(|m| job::<LoadAuditPage>(m).is_some()), "{sent:?}");
    command(&mut app, "audit");
    assert!(
        matches!(app.take_commands().as_slice(), [c] if job::<LoadAuditPage>(c).is_some()),
        "the empty screen asks for more at once"
    );
}

#[test]
fn a_bad_time_in_the_form_is_explained_and_nothing_is_sent() {
    let mut app = audit_app(false);
    char_key(&mut app, 'f');
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "soon");
    press(&mut app, KeyCode::Enter);
    assert!(app.take_commands().is_empty());
    assert!(matches!(
        app.dialogs.last(),
        Some(Dialog::Form(form)) if form.kind == FormKind::AuditFilters && form.error.as_deref().is_some_and(|e| e.contains("since"))
    ));
}

#[test]
fn pivots_from_a_key_and_a_stage_open_the_audit_filtered_to_them() {
    let mut app = app_with(Loadable::Loaded(feed(false)));
    command(&mut app, "keys");
    assert!(app.screen::<KeysScreen>().is_some(), "on {}", app.top().title());
    char_key(&mut app, 'A');
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [c] if job::<OpenAudit>(c).is_some_and(|j| j.query.resource.as_deref() == Some("k1")
            && j.source == AuditSource::Lookup
            && j.query.until - j.query.since == time::Duration::days(7))),
        "the key, in the range in use: {sent:?}"
    );
    assert!(app.screen::<AuditScreen>().is_some(), "on {}", app.top().title());

    let payments = api_ref(&payments_api());
    let mut app = app_with(Loadable::NotLoaded);
    app.navigate(Nav::Push(Box::new(StageScreen::new(payments.clone(), "prod".into()))));
    char_key(&mut app, 'A');
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [c] if job::<OpenAudit>(c).is_some_and(|j| j.query.resource.as_deref() == Some(payments.id.as_str()))),
        "{sent:?}"
    );
    assert!(app.screen::<AuditScreen>().is_some_and(|list| list.view.filter == "prod"), "the stage narrows the list");
}

#[test]
fn from_an_event_to_the_resource_it_touched() {
    let mut app = audit_app(false);
    char_key(&mut app, 'o'); // e1: CreateApiKey of k1
    assert!(app.screen::<KeysScreen>().is_some_and(|k| k.list.view.filter == "k1"), "on {}", app.top().title());

    let mut app = audit_app(false);
    open_event(&mut app, "e2"); // DeleteApiKey of k9, which is gone
    char_key(&mut app, 'o');
    assert!(app.screen::<RecordScreen>().is_some(), "stays put");
    assert!(
        matches!(&app.shared.status, Some(Status::Error(e)) if e.contains("k9 no longer exists")),
        "{:?}",
        app.shared.status
    );

    let mut app = audit_app(false);
    open_event(&mut app, "e3"); // UpdateStage of the payments API's prod stage
    char_key(&mut app, 'o');
    assert!(app.screen::<StageScreen>().is_some_and(|s| s.stage == "prod"), "on {}", app.top().title());
    assert!(app.take_commands().iter().any(|m| job::<LoadDetail>(m).is_some()));
}

#[test]
fn a_cursor_that_is_behind_holds_older_events_back_on_screen() {
    let mut f = feed(true);
    // The cognito cursor has only reached 2026-11-26: nothing older shows yet.
    f.cursors[1].windows[0].reached = t("2026-11-26T00:00:00Z");
    let mut app = on_audit(Loadable::Loaded(f));
    assert_eq!(shown_ids(&app), ["e1", "e2", "e3"]);
    assert!(screen(&mut app).contains("3 shown of 6 loaded"));
}

/// A new filter highlights its first match (the newest), and enter opens that event's record,
/// not the one highlighted before.
#[test]
fn a_filtered_event_is_the_one_enter_opens() {
    let mut app = audit_app(false);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    char_key(&mut app, '/');
    chars(&mut app, "CreateApiKey");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert!(app.screen::<RecordScreen>().is_some_and(|r| r.id == "e1"), "on {}", app.top().title());
}
