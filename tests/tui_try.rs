//! Try it in the TUI: `t` on a method of the API detail opens its request; `enter` sends it;
//! the answer (status, times, headers, pretty JSON) shows; `e` edits, `enter` sends again,
//! `esc` cancels a call in flight. Snapshots of the request form and the answer.

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::tryit::auth::AuthChoice;
use portcullis::tryit::send::CallResponse;
use portcullis::tui::app::App;
use portcullis::tui::command::{Command, Slot};
use portcullis::tui::dialogs::Dialog;
use portcullis::tui::message::{Called, Message};
use portcullis::tui::screens::try_it::TryScreen;
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
    }
}

fn the_call(app: &mut App) -> (u64, Command) {
    let sent = app.take_commands();
    match sent.as_slice() {
        [c @ Command::Call { request, .. }] => (*request, c.clone()),
        other => panic!("expected one call, got {other:?}"),
    }
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
    let Command::Call { spec, auth, stage, api, .. } = call else { unreachable!() };
    assert_eq!((spec.method.as_str(), spec.path.as_str(), auth), ("GET", "/health", AuthChoice::Auto));
    assert_eq!(stage, payments_api().stages[0].name);
    assert!(api.methods.as_ref().is_some_and(|m| m.len() == 6), "the call carries the API's methods");
    let body = r#"{"status":"ok","checks":{"db":"up"}}"#;
    app.handle(Message::Called { request, result: Ok(answer(200, body, &[("content-type", "application/json")])) });
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
    app.handle(Message::Called { request, result: Ok(answer(200, "{}", &[])) });
    assert!(screen(&mut app).contains("cancelled"), "a late answer to a cancelled call is dropped");
    // e edits the request again.
    char_key(&mut app, 'e');
    assert!(matches!(app.dialogs.last(), Some(Dialog::Form(_))));
}

#[test]
fn a_request_that_cannot_be_sent_says_why_in_the_form() {
    // Rows: /, /health, GET /health, /payments, POST, GET, /payments/{paymentId}, GET.
    let mut app = try_row(7);
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("fill in the path parameter {paymentId}"));
    assert!(app.take_commands().is_empty(), "nothing sent");
    // Fill it in, and a body that is not JSON: its line and column.
    for _ in 0..11 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "p-77");
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    chars(&mut app, "{\"amount\": }");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("line 1, column 12"), "{}", screen(&mut app));
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, " 5}");
    press(&mut app, KeyCode::Tab);
    for _ in 0..4 {
        press(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "partner:acme");
    press(&mut app, KeyCode::Enter);
    let (request, call) = the_call(&mut app);
    let Command::Call { spec, auth, .. } = call else { unreachable!() };
    assert_eq!(spec.path, "/payments/p-77");
    assert_eq!(spec.body.as_deref(), Some(br#"{"amount": 5}"#.as_slice()));
    assert_eq!(auth, AuthChoice::Partner("acme".into()));
    let forbidden =
        answer(403, r#"{"message":"Forbidden"}"#, &[("x-amzn-ErrorType", "ForbiddenException:http://internal")]);
    app.handle(Message::Called { request, result: Ok(forbidden) });
    let text = screen(&mut app);
    assert!(text.contains("HTTP 403") && text.contains("API Gateway: ForbiddenException"), "{text}");
}
