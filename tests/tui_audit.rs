//! The audit screen: snapshots (the list, the "loading more" row, a failed page, the error
//! state, an event's folded record, a malformed record, the filter form, the source picker)
//! and interactions (the Messages emitted: opening, pages as the user scrolls, the cache,
//! filters, the trail picker, pivots from other screens and jumps back to resources).

mod tui_fixtures;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portcullis::domain::{
    ApiKey, AuditEvent, AuditQuery, AuditResource, Coverage, Cursor, Feed, LookupPage, ServerFilter, Trail, parse_time,
};
use portcullis::tui::app::App;
use portcullis::tui::message::Message;
use portcullis::tui::state::{AUTO_PAGES, AppState, AuditView, ListView, Loadable, Modal, Screen, Status};
use std::collections::BTreeMap;
use tui_fixtures::*;

fn t(s: &str) -> time::OffsetDateTime {
    parse_time(s).unwrap()
}

fn query() -> AuditQuery {
    AuditQuery {
        since: t("2026-11-20T12:00:00Z"),
        until: t("2026-11-27T12:00:00Z"),
        event_name: None,
        event_sources: vec!["apigateway.amazonaws.com".into(), "cognito-idp.amazonaws.com".into()],
        user: None,
        resource: None,
        errors_only: false,
        read_only: None,
        limit: usize::MAX,
    }
}

fn record(id: &str, time: &str, name: &str, user: &str, params: serde_json::Value) -> String {
    serde_json::json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time, "eventSource": "apigateway.amazonaws.com",
        "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15",
        "userIdentity": {"type": "AssumedRole", "arn": format!("arn:aws:sts::123456789012:assumed-role/Admin/{user}"),
                         "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"},
                                            "attributes": {"mfaAuthenticated": "true"}}},
        "requestParameters": params, "responseElements": null, "readOnly": name.starts_with("Get"),
        "eventType": "AwsApiCall", "recipientAccountId": "123456789012"
    })
    .to_string()
}

#[allow(clippy::too_many_arguments)]
fn ev(
    id: &str,
    time: &str,
    name: &str,
    source: &str,
    user: &str,
    error: Option<&str>,
    res: &[(&str, &str)],
) -> AuditEvent {
    let params: serde_json::Map<String, serde_json::Value> =
        res.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string()))).collect();
    AuditEvent {
        event_id: id.into(),
        event_time: time.into(),
        event_name: name.into(),
        event_source: source.into(),
        username: Some(user.into()),
        source_ip: Some("203.0.113.7".into()),
        region: Some("eu-west-1".into()),
        error_code: error.map(String::from),
        error_message: None,
        read_only: Some(name.starts_with("Get") || name.starts_with("Describe")),
        resources: res
            .iter()
            .map(|(k, v)| {
                let kind = match *k {
                    "apiKey" => "AWS::ApiGateway::ApiKey",
                    "usagePlanId" => "AWS::ApiGateway::UsagePlan",
                    "restApiId" => "AWS::ApiGateway::RestApi",
                    "stageName" => "AWS::ApiGateway::Stage",
                    _ => "AWS::Cognito::UserPool",
                };
                AuditResource { kind: kind.into(), name: v.to_string() }
            })
            .collect(),
        user_agent: Some("aws-cli/2.15".into()),
        record: Some(record(id, time, name, user, serde_json::Value::Object(params))),
    }
}

const APIGW: &str = "apigateway.amazonaws.com";
const COGNITO: &str = "cognito-idp.amazonaws.com";

fn events() -> Vec<AuditEvent> {
    let mut broken = ev("e6", "2026-11-23T08:00:00Z", "UpdateUsagePlan", APIGW, "ops", None, &[("usagePlanId", "p1")]);
    broken.record = Some("{\"eventVersion\":\"1.09\",\"eventID\":\"e6\",\"requestParameters\":{\"usag".into());
    vec![
        ev("e1", "2026-11-27T09:15:02Z", "CreateApiKey", APIGW, "jane", None, &[("apiKey", "k1")]),
        ev("e2", "2026-11-27T08:40:11Z", "DeleteApiKey", APIGW, "intern", Some("AccessDenied"), &[("apiKey", "k9")]),
        ev(
            "e3",
            "2026-11-26T17:02:45Z",
            "UpdateStage",
            APIGW,
            "deploy-pipeline",
            None,
            &[("restApiId", "a1b2c3d4e5"), ("stageName", "prod")],
        ),
        ev(
            "e4",
            "2026-11-25T11:30:00Z",
            "DescribeUserPoolClient",
            COGNITO,
            "platform",
            None,
            &[("userPoolId", "eu-west-1_AbCdEf")],
        ),
        ev("e5", "2026-11-24T10:00:00Z", "GetApiKeys", APIGW, "evil\u{1b}[31mred", None, &[]),
        broken,
    ]
}

fn cursor(source: &str, more: bool) -> Cursor {
    let mut c = Cursor::plan(
        "eu-west-1",
        Some(ServerFilter::new("EventSource", source)),
        &query(),
        None,
        t("2026-11-27T12:00:00Z"),
    );
    c.coverage = Coverage { oldest: t("2026-11-21T00:00:00Z"), newest: t("2026-11-27T11:45:00Z") };
    // Fetched down to the 21st so far.
    c.windows[0].reached = t("2026-11-21T00:00:00Z");
    if !more {
        c.windows.clear();
    }
    c.pages = 2;
    c
}

fn feed(more: bool) -> Feed {
    let mut f = Feed { cursors: vec![cursor(APIGW, more), cursor(COGNITO, more)], ..Default::default() };
    f.add(events());
    f.from_cache = 4;
    f.account = Some("123456789012".into());
    f
}

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
        value: None,
    }
}

fn state(feed: Loadable<Feed>) -> AppState {
    let mut s = AppState::new(connection(false));
    s.apis = Loadable::Loaded(apis());
    s.refresh_api_rows();
    s.keys = Loadable::Loaded(vec![key("k1", "acme-prod"), key("k2", "globex-prod")]);
    s.plans = Loadable::Loaded(vec![]);
    let mut view = AuditView::new(query(), "7d".into(), None, "lookup".into());
    view.feed = feed;
    s.audit = Some(view);
    s
}

fn on(screen: Screen, feed: Loadable<Feed>) -> App {
    let mut s = state(feed);
    s.stack.push(screen);
    let mut app = new_app(s);
    app.page = 20;
    app
}

fn audit_app(more: bool) -> App {
    on(Screen::Audit { view: ListView::default() }, Loadable::Loaded(feed(more)))
}

fn press(app: &mut App, code: KeyCode) {
    app.handle(Message::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn chars(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn audit(app: &App) -> &AuditView {
    app.state.audit.as_ref().unwrap()
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
    app.state.audit.as_mut().unwrap().loading_more = Some(99);
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn audit_failed_page_keeps_the_events() {
    let mut app = audit_app(true);
    app.state.audit.as_mut().unwrap().error =
        Some("LookupEvents was throttled (ThrottlingException): try again".into());
    let text = screen(&mut app);
    insta::assert_snapshot!(render(&mut app).backend());
    assert!(text.contains("CreateApiKey") && text.contains("✗ LookupEvents was throttled"), "{text}");
}

#[test]
fn audit_error_state() {
    let mut f = feed(true);
    f.events.clear();
    let mut app = on(Screen::Audit { view: ListView::default() }, Loadable::Loaded(f));
    app.state.audit.as_mut().unwrap().error = Some(
        "LookupEvents is not supported by this endpoint (HTTP 500 without an AWS error code; an emulator?)".into(),
    );
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn audit_initial_loading_and_failed_open() {
    let mut app = on(Screen::Audit { view: ListView::default() }, Loadable::Loading { request: 1 });
    assert!(screen(&mut app).contains("Loading audit events"));
    let mut app = on(
        Screen::Audit { view: ListView::default() },
        Loadable::Failed("none of the 3 trail log files could be read".into()),
    );
    let text = screen(&mut app);
    assert!(text.contains("Could not load audit events") && text.contains("none of the 3"), "{text}");
}

fn open_event(app: &mut App, id: &str) {
    let pos = app.state.audit_rows("").iter().position(|e| e.event_id == id).unwrap();
    for _ in 0..pos {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Enter);
}

#[test]
fn audit_event_detail_folded() {
    let mut app = audit_app(false);
    open_event(&mut app, "e3");
    assert!(matches!(app.state.screen(), Screen::AuditEvent { id, .. } if id == "e3"));
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
    press(&mut app, KeyCode::Char('f'));
    insta::assert_snapshot!("audit_filter_form", render(&mut app).backend());
    press(&mut app, KeyCode::Esc);
    let trails = vec![Trail {
        name: "org-trail".into(),
        home_region: "eu-west-1".into(),
        bucket: "org-cloudtrail-logs".into(),
        prefix: Some("acme".into()),
        multi_region: true,
    }];
    press(&mut app, KeyCode::Char('T'));
    let request = match app.take_commands().as_slice() {
        [Message::LoadTrails { request }] => *request,
        other => panic!("{other:?}"),
    };
    app.handle(Message::TrailsLoaded { request, result: Ok(trails) });
    insta::assert_snapshot!("audit_source_picker", render(&mut app).backend());
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Message::OpenAudit { source, query, .. }] if source == "s3://org-cloudtrail-logs/acme" && query.since == t("2026-11-20T12:00:00Z")),
        "the trail's logs, same query: {sent:?}"
    );
    assert!(audit(&app).feed.is_loading());
}

// ---------------------------------------------------------------- interactions

#[test]
fn opening_plans_the_cursors_then_pages_fill_the_screen_and_are_cached() {
    let mut app = new_app(AppState::new(connection(false)));
    app.page = 20;
    chars(&mut app, ":audit");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    let (request, q) = match sent.as_slice() {
        [Message::OpenAudit { request, query, source }] if source == "lookup" => (*request, query.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(q.event_sources, [APIGW, COGNITO], "API Gateway and Cognito by default");
    assert_eq!(q.until - q.since, time::Duration::hours(24));
    let mut f = Feed { account: Some("123456789012".into()), ..Default::default() };
    f.cursors = vec![cursor(APIGW, true), cursor(COGNITO, true)];
    app.handle(Message::AuditOpened { request, result: Ok(f), problems: vec![] });
    let page_request = match app.take_commands().as_slice() {
        [Message::LoadAuditPage { request, cursors }] if cursors.len() == 2 => *request,
        other => panic!("an empty screen asks for the first page: {other:?}"),
    };
    // A stale answer (an older request) is dropped.
    app.handle(Message::AuditPageLoaded { request: page_request - 1, pages: vec![] });
    assert_eq!(audit(&app).loading_more, Some(page_request));
    assert!(app.take_commands().is_empty(), "the stale answer changed nothing");
    let page = LookupPage { events: events()[..2].to_vec(), next_token: Some("t2".into()) };
    app.handle(Message::AuditPageLoaded {
        request: page_request,
        pages: vec![(0, Ok(page)), (1, Ok(LookupPage::default()))],
    });
    let sent = app.take_commands();
    assert!(matches!(&sent[0], Message::SaveAuditCache { files } if files.len() == 2), "{sent:?}");
    assert!(matches!(&sent[1], Message::LoadAuditPage { .. }), "2 rows do not fill 20: another page: {sent:?}");
    assert_eq!(audit(&app).feed.loaded().unwrap().cursors[0].windows[0].token.as_deref(), Some("t2"));
    assert!(!audit(&app).feed.loaded().unwrap().cursors[1].has_more(), "the cognito cursor is done");
}

#[test]
fn filling_the_screen_stops_after_a_few_pages_until_the_user_scrolls() {
    let mut app = on(Screen::Audit { view: ListView::default() }, Loadable::Loaded(feed(true)));
    app.state.audit.as_mut().unwrap().query.user = Some("nobody-matches".into());
    for _ in 0..AUTO_PAGES + 2 {
        app.state.audit.as_mut().unwrap().loading_more = None;
        // What a returned page does: ask again if the screen is still not full.
        let request = app.state.request_id();
        app.state.audit.as_mut().unwrap().loading_more = Some(request);
        app.handle(Message::AuditPageLoaded { request, pages: vec![] });
    }
    let asked = app.take_commands().iter().filter(|m| matches!(m, Message::LoadAuditPage { .. })).count();
    assert_eq!(asked, AUTO_PAGES, "at most {AUTO_PAGES} pages on their own");
    press(&mut app, KeyCode::Down);
    assert!(
        matches!(app.take_commands().as_slice(), [Message::LoadAuditPage { .. }]),
        "a key press near the end asks again"
    );
}

#[test]
fn enter_on_the_more_row_retries_after_an_error() {
    let mut app = audit_app(true);
    app.state.audit.as_mut().unwrap().error = Some("throttled".into());
    press(&mut app, KeyCode::Char('G'));
    assert!(
        app.take_commands().iter().any(|m| matches!(m, Message::LoadAuditPage { .. })),
        "scrolling to the end retries"
    );
    assert_eq!(audit(&app).error, None);
}

#[test]
fn the_loaded_list_filters_locally_when_the_server_calls_would_not_change() {
    let mut app = audit_app(false);
    press(&mut app, KeyCode::Char('e'));
    assert!(app.take_commands().is_empty(), "errors only is applied here, no new LookupEvents call");
    let ids: Vec<String> = app.state.audit_rows("").iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids, ["e2"]);
    assert!(screen(&mut app).contains("local filters errors only"));
    // A different time range means different calls: the query is opened again.
    press(&mut app, KeyCode::Char('f'));
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "1h");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Message::OpenAudit { query, .. }] if query.until - query.since == time::Duration::hours(1) && query.errors_only),
        "{sent:?}"
    );
    assert_eq!(audit(&app).since, "1h");
}

#[test]
fn the_form_with_the_same_range_filters_locally_and_returning_to_the_screen_resumes_paging() {
    let mut app = audit_app(true);
    press(&mut app, KeyCode::Char('f'));
    for _ in 0..7 {
        press(&mut app, KeyCode::Tab); // to "read-only / mutating"
    }
    press(&mut app, KeyCode::Char(' ')); // mutating only
    press(&mut app, KeyCode::Enter);
    assert!(
        !app.take_commands().iter().any(|m| matches!(m, Message::OpenAudit { .. })),
        "same range, same server filters: no new query"
    );
    assert_eq!(audit(&app).query.read_only, Some(false));
    assert!(app.state.audit_rows("").iter().all(|e| e.read_only == Some(false)));

    // Leave the screen while a page is on its way; it arrives while :keys is shown, so no further
    // page is asked for then. Back on :audit, paging carries on.
    let request = audit(&app).loading_more.expect("the re-filtered list asked for its next page");
    chars(&mut app, ":keys");
    press(&mut app, KeyCode::Enter);
    app.state.audit.as_mut().unwrap().query.user = Some("nobody".into());
    app.handle(Message::AuditPageLoaded { request, pages: vec![] });
    assert!(!app.take_commands().iter().any(|m| matches!(m, Message::LoadAuditPage { .. })));
    chars(&mut app, ":audit");
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.take_commands().as_slice(), [Message::LoadAuditPage { .. }]),
        "the empty screen asks for more at once"
    );
}

#[test]
fn a_bad_time_in_the_form_is_explained_and_nothing_is_sent() {
    let mut app = audit_app(false);
    press(&mut app, KeyCode::Char('f'));
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "soon");
    press(&mut app, KeyCode::Enter);
    assert!(app.take_commands().is_empty());
    assert!(
        matches!(&app.state.modal, Some(Modal::AuditFilter { form }) if form.error.as_deref().is_some_and(|e| e.contains("since")))
    );
}

#[test]
fn pivots_from_a_key_and_a_stage_open_the_audit_filtered_to_them() {
    let mut app = on(Screen::Keys { view: ListView::default() }, Loadable::Loaded(feed(false)));
    press(&mut app, KeyCode::Char('A'));
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Message::OpenAudit { query, source, .. }] if query.resource.as_deref() == Some("k1") && source == "lookup"
            && query.until - query.since == time::Duration::days(7)),
        "the key, in the range in use: {sent:?}"
    );
    assert!(matches!(app.state.screen(), Screen::Audit { .. }));

    let payments = api_ref(&payments_api());
    let mut app = on(Screen::Stage { api: payments.clone(), stage: "prod".into(), scroll: 0 }, Loadable::NotLoaded);
    press(&mut app, KeyCode::Char('A'));
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Message::OpenAudit { query, .. }] if query.resource.as_deref() == Some(payments.id.as_str())),
        "{sent:?}"
    );
    assert!(
        matches!(app.state.screen(), Screen::Audit { view } if view.filter == "prod"),
        "the stage narrows the list"
    );
}

#[test]
fn from_an_event_to_the_resource_it_touched() {
    let mut app = audit_app(false);
    press(&mut app, KeyCode::Char('o')); // e1: CreateApiKey of k1
    assert!(matches!(app.state.screen(), Screen::Keys { view } if view.filter == "k1"), "{:?}", app.state.screen());

    let mut app = audit_app(false);
    open_event(&mut app, "e2"); // DeleteApiKey of k9, which is gone
    press(&mut app, KeyCode::Char('o'));
    assert!(matches!(app.state.screen(), Screen::AuditEvent { .. }), "stays put");
    assert!(
        matches!(&app.state.status, Some(Status::Error(e)) if e.contains("k9 no longer exists")),
        "{:?}",
        app.state.status
    );

    let mut app = audit_app(false);
    open_event(&mut app, "e3"); // UpdateStage of the payments API's prod stage
    press(&mut app, KeyCode::Char('o'));
    assert!(matches!(app.state.screen(), Screen::Stage { stage, .. } if stage == "prod"), "{:?}", app.state.screen());
    assert!(app.take_commands().iter().any(|m| matches!(m, Message::LoadApiDetail { .. })));
}

#[test]
fn a_cursor_that_is_behind_holds_older_events_back_on_screen() {
    let mut f = feed(true);
    // The cognito cursor has only reached 2026-11-26: nothing older shows yet.
    f.cursors[1].windows[0].reached = t("2026-11-26T00:00:00Z");
    let mut app = on(Screen::Audit { view: ListView::default() }, Loadable::Loaded(f));
    let ids: Vec<String> = app.state.audit_rows("").iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids, ["e1", "e2", "e3"]);
    assert!(screen(&mut app).contains("3 shown of 6 loaded"));
}
