//! Try it in the TUI: `t` on a method of the API detail (or an operation of the docs, or `:try`,
//! or a history entry) opens its request; `enter` sends it; the answer (status, times, headers,
//! folded JSON) shows; `e` edits, `b` edits the body beside the schema, `|` filters it with jq,
//! `enter` sends again, `esc` cancels a call in flight. Snapshots of the request form with each
//! auth, the body editor, the answer (folded, headers, jq, errors, big and binary bodies) and
//! the history.

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::tryit::auth::AuthChoice;
use portcullis::tryit::send::CallResponse;
use portcullis::tui::app::App;
use portcullis::tui::command::{Body, Command, Slot};
use portcullis::tui::data::Called;
use portcullis::tui::dialogs::Dialog;
use portcullis::tui::jobs::Output;
use portcullis::tui::message::Message;
use portcullis::tui::screens::try_it::TryScreen;
use portcullis::tui::screens::try_it::jobs::{Call, CallDone, HistoryLoaded, Jq, JqDone, LoadHistory};
use portcullis::tui::store::DetailData;
use tui_fixtures::*;

/// The payments API's detail, its method `nth` row selected, then `t`.
fn try_row(rows_down: usize) -> App {
    let mut app = catalog_app_with(apis(), false);
    open_detail(&mut app, &payments_api(), DetailData::Rest(payments_tree()));
    app.take_commands();
    for _ in 0..rows_down {
        press(&mut app, KeyCode::Down);
    }
    char_key(&mut app, 't');
    app
}

fn answer(status: u16, body: &str, headers: &[(&str, &str)]) -> Called {
    Called {
        response: CallResponse {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            time_ms: 84,
            first_byte_ms: 80,
            body: body.as_bytes().to_vec(),
        },
        said: vec!["none".into()],
        operation: "GET /health".into(),
        url: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/health".into(),
        curl: "curl -sS -X GET https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/health -H \"x-api-key: $PORTCULLIS_API_KEY\"".into(),
        curl_with_secrets: portcullis::domain::Secret::new("curl ... -H 'x-api-key: k1VALUE'"),
        body_file: None,
        body_size: body.len() as u64,
    }
}

fn the_call(app: &mut App) -> (u64, Call) {
    let sent = app.take_commands();
    match sent.as_slice() {
        [c] if job::<Call>(c).is_some() => (request_of(c), job::<Call>(c).cloned().unwrap()),
        other => panic!("expected one call, got {other:?}"),
    }
}

fn called(request: u64, result: Result<Called, String>) -> Message {
    done(request, CallDone(result))
}

#[test]
fn a_method_is_tried_and_its_answer_shown() {
    // Rows: /, /health, GET /health.
    let mut app = try_row(2);
    assert!(app.screen::<TryScreen>().is_some(), "on {}", app.top().title());
    assert!(matches!(app.dialogs.last(), Some(Dialog::Form(_))), "the request opens at once");
    insta::assert_snapshot!("try_form", render(&mut app).backend());
    press(&mut app, KeyCode::Enter);
    let (request, call) = the_call(&mut app);
    let Call { spec, auth, stage, api } = call;
    assert_eq!((spec.method.as_str(), spec.path.as_str(), auth), ("GET", "/health", AuthChoice::Auto));
    assert_eq!(stage, payments_api().stages[0].name);
    assert!(api.methods.as_ref().is_some_and(|m| m.len() == 6), "the call carries the API's methods");
    let body = r#"{"status":"ok","checks":{"db":"up"}}"#;
    app.handle(called(request, Ok(answer(200, body, &[("content-type", "application/json")]))));
    let terminal = render(&mut app);
    insta::assert_snapshot!("try_answer", terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    assert!(text.contains("HTTP 200  84 ms (first byte 80 ms)") && text.contains("\"db\": \"up\""), "{text}");
    // Copy as curl: with placeholders, or with the secrets when asked for apart.
    char_key(&mut app, 'c');
    let copied = app.take_commands();
    assert!(
        matches!(copied.as_slice(), [Command::Clipboard(v), Command::After { .. }] if v.expose().contains("$PORTCULLIS_API_KEY")),
        "{copied:?}"
    );
    char_key(&mut app, 'C');
    let copied = app.take_commands();
    assert!(matches!(copied.as_slice(), [Command::Clipboard(v), ..] if v.expose().contains("k1VALUE")), "{copied:?}");
    assert!(!screen(&mut app).contains("k1VALUE"), "never on screen");
    // Again, as it is (authenticated anew by the worker).
    press(&mut app, KeyCode::Enter);
    let (request, _) = the_call(&mut app);
    // esc while it is out cancels it; the screen stays.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.take_commands(), vec![Command::Cancel(Slot::Call)]);
    assert!(app.screen::<TryScreen>().is_some());
    app.handle(called(request, Ok(answer(200, "{}", &[]))));
    assert!(screen(&mut app).contains("cancelled"), "a late answer to a cancelled call is dropped");
    // e edits the request again.
    char_key(&mut app, 'e');
    assert!(matches!(app.dialogs.last(), Some(Dialog::Form(_))));
}

/// The request form's text, for the auth snapshots.
fn form_text(app: &mut App) -> String {
    screen(app)
}

#[test]
fn a_request_that_cannot_be_sent_says_why() {
    // Rows: /, /health, GET /health, /payments, GET, POST, /payments/{paymentId}, DELETE, GET.
    let mut app = try_row(8);
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("fill in the path parameter {paymentId}"));
    assert!(app.take_commands().is_empty(), "nothing sent");
    for _ in 0..11 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "p-77");
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    for _ in 0..4 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "partner:acme");
    press(&mut app, KeyCode::Enter);
    let (request, call) = the_call(&mut app);
    let Call { spec, auth, .. } = call;
    assert_eq!(spec.path, "/payments/p-77");
    assert_eq!(auth, AuthChoice::Partner("acme".into()));
    let forbidden =
        answer(403, r#"{"message":"Forbidden"}"#, &[("x-amzn-ErrorType", "ForbiddenException:http://internal")]);
    app.handle(called(request, Ok(forbidden)));
    let text = screen(&mut app);
    assert!(text.contains("HTTP 403") && text.contains("API Gateway: ForbiddenException: Forbidden"), "{text}");
    insta::assert_snapshot!("try_forbidden", render(&mut app).backend());
    // No answer at all: what went wrong, plainly.
    press(&mut app, KeyCode::Enter);
    let (request, _) = the_call(&mut app);
    app.handle(called(
        request,
        Err("no response: connection refused (is the stage's URL right? [invoke_urls])".into()),
    ));
    let text = screen(&mut app);
    assert!(text.contains("connection refused"), "{text}");
    insta::assert_snapshot!("try_unreachable", render(&mut app).backend());
}

const PAYMENTS_DOC: &str = r##"{"swagger":"2.0","info":{"title":"payments","version":"1"},
 "paths":{"/payments":{"post":{"operationId":"createPayment","summary":"Take a payment",
   "parameters":[{"name":"Idempotency-Key","in":"header","required":true,"type":"string"},
     {"name":"body","in":"body","required":true,"schema":{"$ref":"#/definitions/Payment"}}],
   "responses":{"201":{"description":"Created","schema":{"$ref":"#/definitions/Payment"}}}}}},
 "definitions":{"Payment":{"type":"object","required":["amount","currency"],
   "properties":{"amount":{"type":"integer"},"currency":{"type":"string","enum":["EUR","USD"]},
     "reference":{"type":"string"}}}}}"##;

#[test]
fn the_body_is_edited_beside_its_schema_and_checked_before_sending() {
    // POST /payments: row 5 (its methods sorted: GET, POST).
    let mut app = try_row(5);
    press(&mut app, KeyCode::Esc); // the form closes; the request stays
    char_key(&mut app, 'b');
    let api = payments_api();
    let doc = portcullis::openapi::render_lines(&portcullis::openapi::parse(PAYMENTS_DOC).unwrap());
    answer_docs(&mut app, &api, &api.stages[0].name, doc);
    assert!(matches!(app.dialogs.last(), Some(Dialog::Body(_))));
    // Lines typed as a user would, the second with a missing value.
    chars(&mut app, "{");
    press(&mut app, KeyCode::Enter);
    chars(&mut app, "  \"amount\": ,");
    press(&mut app, KeyCode::Enter);
    chars(&mut app, "  \"currency\": \"EUR\"");
    press(&mut app, KeyCode::Enter);
    chars(&mut app, "}");
    let text = screen(&mut app);
    assert!(text.contains("not valid JSON at line 2, column 13"), "{text}");
    assert!(text.contains("createPayment") && text.contains("currency"), "the schema beside it: {text}");
    insta::assert_snapshot!("try_body_editor", render(&mut app).backend());
    // ctrl-s keeps it as it is; enter refuses it (its line and column), `!` sends it anyway.
    ctrl(&mut app, 's');
    assert!(app.dialogs.is_empty());
    press(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("line 2, column 13") && text.contains("! sends it anyway"), "{text}");
    assert!(app.take_commands().is_empty(), "nothing sent");
    char_key(&mut app, '!');
    let (_, call) = the_call(&mut app);
    let Call { spec, .. } = call;
    assert_eq!(spec.body.as_deref(), Some(b"{\n  \"amount\": ,\n  \"currency\": \"EUR\"\n}".as_slice()));
    // Fixed in the editor (esc would leave it as it was), then sent with enter.
    char_key(&mut app, 'b');
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Backspace);
    chars(&mut app, "5,");
    let text = screen(&mut app);
    assert!(text.contains(" valid JSON") && !text.contains("not valid"), "{text}");
    ctrl(&mut app, 's');
    press(&mut app, KeyCode::Enter);
    let (_, call) = the_call(&mut app);
    let Call { spec, .. } = call;
    let sent: serde_json::Value = serde_json::from_slice(spec.body.as_deref().unwrap()).unwrap();
    assert_eq!(sent, serde_json::json!({"amount": 5, "currency": "EUR"}));
}

#[test]
fn the_editor_shows_what_each_auth_needs() {
    // GET /health: no auth.
    let mut app = try_row(2);
    let text = form_text(&mut app);
    assert!(text.contains("it demands: NONE"), "{text}");
    insta::assert_snapshot!("try_auth_none", render(&mut app).backend());
    // POST /payments: an API key and a Cognito authorizer without scopes (an ID token).
    let mut app = try_row(5);
    let text = form_text(&mut app);
    assert!(text.contains("it demands: an API key, COGNITO_USER_POOLS"), "{text}");
    assert!(text.contains("requires an API key: use key:KEY_ID or partner:ID"), "{text}");
    insta::assert_snapshot!("try_auth_key", render(&mut app).backend());
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    for _ in 0..4 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "partner:acme");
    press(&mut app, KeyCode::Enter);
    app.take_commands();
    char_key(&mut app, 'e');
    let text = form_text(&mut app);
    assert!(text.contains("so it expects an") && text.contains("which client credentials cannot give"), "{text}");
    insta::assert_snapshot!("try_auth_id_token", render(&mut app).backend());
    // DELETE /payments/{paymentId}: IAM, signed with the profile's credentials (nothing to choose).
    let mut app = try_row(7);
    let text = form_text(&mut app);
    assert!(text.contains("it demands: AWS_IAM") && !text.contains("auth auto:"), "{text}");
    insta::assert_snapshot!("try_auth_iam", render(&mut app).backend());
    // POST .../refunds: an API key and a Lambda authorizer (the key is asked for first).
    let mut app = try_row(10);
    let text = form_text(&mut app);
    assert!(text.contains("it demands: an API key, CUSTOM") && text.contains("requires an API key"), "{text}");
}

fn answered(body: &str, headers: &[(&str, &str)]) -> App {
    let mut app = try_row(2);
    press(&mut app, KeyCode::Enter);
    let (request, _) = the_call(&mut app);
    app.handle(called(request, Ok(answer(200, body, headers))));
    app
}

const ORDERS: &str = r#"{"items":[{"id":"o-1","lines":[{"sku":"a","qty":2}],"total":{"amount":12,"currency":"EUR"}},{"id":"o-2","lines":[],"total":{"amount":3,"currency":"EUR"}}],"next":null}"#;

#[test]
fn json_folds_and_the_headers_open() {
    let mut app = answered(ORDERS, &[("content-type", "application/json"), ("x-amzn-RequestId", "r-1")]);
    let text = screen(&mut app);
    assert!(text.contains("▸ headers (2)") && !text.contains("x-amzn-RequestId: r-1"), "{text}");
    // Down to `"items": [` and fold it.
    let row = rows(render(&mut app).backend().buffer()).iter().position(|l| l.contains("\"items\": [")).unwrap();
    let first = rows(render(&mut app).backend().buffer()).iter().position(|l| l.contains("HTTP 200")).unwrap();
    for _ in 0..row - first {
        press(&mut app, KeyCode::Down);
    }
    char_key(&mut app, ' ');
    let text = screen(&mut app);
    assert!(text.contains("\"items\": [ … 2 items ],") && !text.contains("o-1"), "{text}");
    insta::assert_snapshot!("try_answer_folded", render(&mut app).backend());
    // Up to the headers row: open them.
    let at = rows(render(&mut app).backend().buffer()).iter().position(|l| l.contains("headers (2)")).unwrap();
    for _ in 0..row - at {
        press(&mut app, KeyCode::Up);
    }
    char_key(&mut app, ' ');
    let text = screen(&mut app);
    assert!(text.contains("▾ headers (2)") && text.contains("x-amzn-RequestId: r-1"), "{text}");
    insta::assert_snapshot!("try_answer_headers", render(&mut app).backend());
    // `/` filters the lines.
    char_key(&mut app, '/');
    chars(&mut app, "RequestId");
    press(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("x-amzn-RequestId") && !text.contains("HTTP 200"), "{text}");
}

#[test]
fn jq_runs_off_the_ui_thread_with_its_error_inline() {
    let mut app = answered(ORDERS, &[("content-type", "application/json")]);
    char_key(&mut app, '|');
    assert!(matches!(app.dialogs.last(), Some(Dialog::Form(_))));
    press(&mut app, KeyCode::Backspace);
    chars(&mut app, ".items[] | {id, total: .total.amount}");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    let request = match sent.as_slice() {
        [c] if job::<Jq>(c).is_some() => {
            let Some(Jq { filter, body }) = job::<Jq>(c) else { unreachable!() };
            assert_eq!(filter, ".items[] | {id, total: .total.amount}");
            // The worker's job, run here the same way: the real jaq filter over the body.
            let Body::Bytes(bytes) = body else { panic!("in memory") };
            assert_eq!(bytes.as_slice(), ORDERS.as_bytes());
            request_of(c)
        }
        other => panic!("expected one Jq, got {other:?}"),
    };
    assert!(screen(&mut app).contains("(running)"));
    let outputs = portcullis::tryit::jq::run(".items[] | {id, total: .total.amount}", ORDERS.as_bytes()).unwrap();
    app.handle(done(request, JqDone(Ok(outputs))));
    let text = screen(&mut app);
    assert!(text.contains("(2 outputs)") && text.contains("\"total\": 12") && !text.contains("\"sku\""), "{text}");
    insta::assert_snapshot!("try_jq", render(&mut app).backend());
    // A filter that does not compile is refused in the form, nothing sent.
    char_key(&mut app, '|');
    for _ in 0..60 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, ".items[");
    press(&mut app, KeyCode::Enter);
    assert!(app.take_commands().is_empty());
    assert!(matches!(app.dialogs.last(), Some(Dialog::Form(f)) if f.error.is_some()), "the error in the form");
    // One that fails on the body: its error inline, where the outputs would be.
    for _ in 0..10 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, ".items | keys | error(\"boom\")");
    press(&mut app, KeyCode::Enter);
    let (request, filter) = match app.take_commands().as_slice() {
        [c] if job::<Jq>(c).is_some() => (request_of(c), job::<Jq>(c).map(|j| j.filter.clone()).unwrap()),
        other => panic!("expected one Jq, got {other:?}"),
    };
    let result = portcullis::tryit::jq::run(&filter, ORDERS.as_bytes());
    assert!(result.is_err());
    app.handle(done(request, JqDone(result)));
    let text = screen(&mut app);
    assert!(text.contains("jq error:") && text.contains("boom"), "{text}");
    // An empty filter shows the body again.
    char_key(&mut app, '|');
    for _ in 0..60 {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("\"sku\": \"a\""));
}

#[test]
fn big_and_binary_bodies_show_what_they_are() {
    let mut app = try_row(2);
    press(&mut app, KeyCode::Enter);
    let (request, _) = the_call(&mut app);
    let mut big = answer(200, "line one\nline two", &[("content-type", "text/plain")]);
    big.body_file = Some("/tmp/portcullis-body-x1.bin".into());
    big.body_size = 20 * 1024 * 1024;
    app.handle(called(request, Ok(big)));
    let text = screen(&mut app);
    assert!(
        text.contains("20971520 bytes") && text.contains("/tmp/portcullis-body-x1.bin") && text.contains("line two"),
        "{text}"
    );
    // jq over a big body reads its file.
    char_key(&mut app, '|');
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.take_commands().as_slice(), [c] if matches!(job::<Jq>(c), Some(Jq { body: Body::File(p), .. }) if p.ends_with("portcullis-body-x1.bin")))
    );
    press(&mut app, KeyCode::Enter);
    let (request, _) = the_call(&mut app);
    let png = Called {
        response: CallResponse {
            status: 200,
            headers: vec![("content-type".into(), "image/png".into())],
            time_ms: 5,
            first_byte_ms: 4,
            body: vec![0x89, b'P', b'N', b'G', 0, 0xff, 0xfe],
        },
        body_size: 7,
        ..answer(200, "", &[])
    };
    app.handle(called(request, Ok(png)));
    let text = screen(&mut app);
    assert!(text.contains("(7 bytes of image/png"), "{text}");
}

fn entry(path: &str, status: u16, auth: &str) -> portcullis::tryit::history::Entry {
    let api = payments_api();
    portcullis::tryit::history::Entry {
        at: "2026-12-01T10:00:00Z".into(),
        api_id: api.id.clone(),
        region: api.region.clone(),
        stage: api.stages[0].name.clone(),
        method: "GET".into(),
        path: path.into(),
        operation: "GET /payments/{paymentId}".into(),
        query: vec![("expand".into(), "refunds".into())],
        headers: vec![("x-trace".into(), "t1".into())],
        body: None,
        body_cut: false,
        auth: auth.into(),
        status: Some(status),
        time_ms: Some(42),
        error: None,
    }
}

#[test]
fn the_history_lists_reopens_and_deletes() {
    let mut app = catalog_app_with(apis(), false);
    open_detail(&mut app, &payments_api(), DetailData::Rest(payments_tree()));
    app.take_commands();
    command(&mut app, "history");
    let request = match app.take_commands().as_slice() {
        [Command::Job { request, job }] if job.get::<LoadHistory>().is_some_and(|j| j.delete.is_none()) => *request,
        other => panic!("expected the history to load, got {other:?}"),
    };
    let entries = vec![entry("/payments/p-1", 200, "partner:acme"), entry("/payments/p-2", 403, "none")];
    app.handle(history_loaded(request, entries.clone()));
    let text = screen(&mut app);
    assert!(text.contains("request history (2)"), "{text}");
    let (p2, p1) =
        (row_of(render(&mut app).backend().buffer(), "p-2"), row_of(render(&mut app).backend().buffer(), "p-1"));
    assert!(p2 < p1, "newest first");
    insta::assert_snapshot!("try_history", render(&mut app).backend());
    // d deletes the selected (newest) entry; the list is read again.
    char_key(&mut app, 'd');
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Command::Job { job, .. }]
            if job.get::<LoadHistory>().and_then(|j| j.delete.as_deref()) == Some(&entries[1])),
        "{sent:?}"
    );
    // enter re-opens an entry: its recipe in the form, its auth reference.
    let request = request_of(&sent[0]);
    app.handle(history_loaded(request, entries[..1].to_vec()));
    press(&mut app, KeyCode::Enter);
    let t = app.screen::<TryScreen>().expect("the request again");
    assert_eq!((t.spec.path.as_str(), t.template.as_str()), ("/payments/p-1", "/payments/{paymentId}"));
    assert_eq!(t.auth, AuthChoice::Partner("acme".into()));
    let text = screen(&mut app);
    assert!(text.contains("expand=refunds") && text.contains("x-trace: t1"), "{text}");
}

#[test]
fn try_on_its_own_chooses_an_api_then_an_operation() {
    let mut app = catalog_app_with(apis(), false);
    command(&mut app, "try");
    let text = screen(&mut app);
    assert!(text.contains("try: choose an API"), "{text}");
    char_key(&mut app, '/');
    chars(&mut app, &payments_api().name);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let api = payments_api();
    let request = match app.take_commands().as_slice() {
        [c] if job::<LoadDetail>(c).is_some_and(|j| j.0.id == api.id) => request_of(c),
        other => panic!("expected the API's methods loaded, got {other:?}"),
    };
    app.handle(done(request, ApiDetailLoaded { api: api_ref(&api), result: Ok(DetailData::Rest(payments_tree())) }));
    let text = screen(&mut app);
    assert!(text.contains("choose an operation") && text.contains("/payments/{paymentId}"), "{text}");
    insta::assert_snapshot!("try_picker_operations", render(&mut app).backend());
    char_key(&mut app, '/');
    chars(&mut app, "DELETE");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let t = app.screen::<TryScreen>().expect("the request");
    assert_eq!((t.spec.method.as_str(), t.template.as_str()), ("DELETE", "/payments/{paymentId}"));
}

#[test]
fn an_operation_of_the_docs_is_tried() {
    let mut app = catalog_app_with(apis(), false);
    open_detail(&mut app, &payments_api(), DetailData::Rest(payments_tree()));
    app.take_commands();
    char_key(&mut app, 'd');
    let api = payments_api();
    let doc = portcullis::openapi::render_lines(&portcullis::openapi::parse(PAYMENTS_DOC).unwrap());
    answer_docs(&mut app, &api, &api.stages[0].name, doc);
    // On a line under the operation's title.
    char_key(&mut app, '/');
    chars(&mut app, "Idempotency");
    press(&mut app, KeyCode::Enter);
    char_key(&mut app, 't');
    let t = app.screen::<TryScreen>().expect("the request");
    assert_eq!((t.spec.method.as_str(), t.template.as_str()), ("POST", "/payments"));
}

#[test]
fn a_request_opened_from_another_never_shows_its_answer() {
    let mut app = answered(ORDERS, &[("content-type", "application/json")]);
    char_key(&mut app, 'H');
    let request = match app.take_commands().as_slice() {
        [Command::Job { request, job }] if job.get::<LoadHistory>().is_some_and(|j| j.delete.is_none()) => *request,
        other => panic!("expected the history to load, got {other:?}"),
    };
    app.handle(history_loaded(request, vec![entry("/payments/p-9", 200, "none")]));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc); // the form closes
    let text = screen(&mut app);
    assert!(text.contains("no call yet") && !text.contains("HTTP 200") && !text.contains("o-1"), "{text}");
    char_key(&mut app, 'c');
    assert!(app.take_commands().is_empty(), "nothing to copy: the other request's curl is not this one's");
}

fn history_loaded(request: u64, entries: Vec<portcullis::tryit::history::Entry>) -> Message {
    Message::Done { request, output: Output::new(HistoryLoaded(Ok(entries))) }
}

/// A partner without a key for the stage is told what would fix it: the plans that cover the
/// stage and its keys to attach, or that no plan covers it.
#[test]
fn a_partner_without_a_key_for_the_stage_is_told_what_would_fix_it() {
    use portcullis::tryit::auth::no_key_advice;
    use tui_fixtures::access::{key, plan};
    let api = payments_api();
    let plans = vec![plan("p1", "sandbox", &[(&api.id, "dev")], &[]), plan("p2", "gold", &[(&api.id, "prod")], &[])];
    let keys = vec![key("k9", "acme-old", &["p2"], true), key("k8", "acme-off", &[], false)];
    let said = no_key_advice("acme", &api, "dev", &plans, &keys);
    assert!(said.contains("payments-api") && said.contains("sandbox (p1)") && !said.contains("gold"), "{said}");
    assert!(said.contains("(k9)") && !said.contains("k8") && said.contains("`a` on the key in :keys"), "{said}");
    assert!(!said.contains("--profile"), "no advice that does not fit: {said}");
    let none = no_key_advice("acme", &api, "test", &plans, &keys);
    assert!(none.contains("no usage plan covers that stage"), "{none}");
    let keyless = no_key_advice("acme", &api, "dev", &plans, &[]);
    assert!(keyless.contains("no enabled key to attach"), "{keyless}");
}

/// In the history, a new filter highlights its best match, and enter reopens that entry (not
/// the one highlighted before).
#[test]
fn the_history_opens_the_entry_filtered_to() {
    let mut app = catalog_app_with(apis(), false);
    open_detail(&mut app, &payments_api(), DetailData::Rest(payments_tree()));
    app.take_commands();
    command(&mut app, "history");
    let request = request_of(&app.take_commands()[0]);
    let entries = vec![
        entry("/payments/p-1", 200, "none"),
        entry("/payments/p-2", 200, "none"),
        entry("/payments/p-3", 200, "none"),
    ];
    app.handle(history_loaded(request, entries));
    press(&mut app, KeyCode::Down); // p-2 (newest first: p-3, p-2, p-1)
    char_key(&mut app, '/');
    chars(&mut app, "p-1");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let t = app.screen::<TryScreen>().expect("the request again");
    assert_eq!(t.spec.path, "/payments/p-1");
}
