//! Usage plans and API keys in the TUI: snapshots (plans, plan detail with the usage chart,
//! keys with masked values, every dialog) and interactions (the Messages emitted).

mod tui_fixtures;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portcullis::domain::{ApiKey, DayUsage, Mutation, PlanStage, Quota, Secret, Throttle, Usage, UsagePlan};
use portcullis::tui::app::App;
use portcullis::tui::message::Message;
use portcullis::tui::state::{AppState, KeyForm, ListView, Loadable, Modal, Screen, Status};
use std::collections::BTreeMap;
use tui_fixtures::*;

fn plan(id: &str, name: &str, stages: &[(&str, &str)], keys: &[&str]) -> UsagePlan {
    UsagePlan {
        id: id.into(),
        name: name.into(),
        description: Some(format!("{name} partner tier")),
        throttle: Some(Throttle { rate_limit: Some(50.0), burst_limit: Some(100) }),
        quota: Some(Quota { limit: 1000, period: "MONTH".into(), offset: 0 }),
        api_stages: stages
            .iter()
            .map(|(a, s)| PlanStage {
                api_id: a.to_string(),
                stage: s.to_string(),
                throttle: BTreeMap::from([(
                    "/payments/GET".to_string(),
                    Throttle { rate_limit: Some(5.0), burst_limit: Some(10) },
                )]),
            })
            .collect(),
        key_ids: keys.iter().map(|k| k.to_string()).collect(),
        tags: BTreeMap::new(),
        region: "eu-west-1".into(),
    }
}

fn key(id: &str, name: &str, plans: &[&str], enabled: bool) -> ApiKey {
    ApiKey {
        id: id.into(),
        name: name.into(),
        description: None,
        enabled,
        customer_id: Some(name.split('-').next().unwrap_or("").into()),
        created_date: Some("2026-10-01T08:00:00Z".into()),
        last_updated_date: Some("2026-11-02T09:00:00Z".into()),
        plan_ids: plans.iter().map(|p| p.to_string()).collect(),
        tags: BTreeMap::from([("tier".into(), "gold".into())]),
        region: "eu-west-1".into(),
        value: Some(Secret::new(format!("{id}VALUEabcdefghij0123456789{}", &id[..2]))),
    }
}

const VALUE_K1: &str = "k1VALUEabcdefghij0123456789k1";

fn usage() -> Usage {
    let days = |base: i64| -> Vec<DayUsage> {
        (0..7)
            .map(|i| DayUsage {
                date: format!("2026-11-{:02}", 21 + i),
                used: base * (i + 1),
                remaining: 1000 - base * (i + 1) * (i + 2) / 2,
            })
            .collect()
    };
    Usage {
        plan_id: "p1".into(),
        start_date: "2026-11-21".into(),
        end_date: "2026-11-27".into(),
        keys: BTreeMap::from([("k1".into(), days(30)), ("k2".into(), days(5))]),
    }
}

fn state() -> AppState {
    let mut s = AppState::new(connection(false));
    s.apis = Loadable::Loaded(apis());
    s.last_refresh = Some("09:30:00".into());
    s.refresh_api_rows();
    s.plans = Loadable::Loaded(vec![
        plan("p1", "gold", &[("a1b2c3d4e5", "prod")], &["k1", "k2"]),
        plan("p2", "sandbox", &[("a1b2c3d4e5", "dev")], &["k3"]),
    ]);
    s.keys = Loadable::Loaded(vec![
        key("k1", "acme-prod", &["p1"], true),
        key("k2", "globex-prod", &["p1"], true),
        key("k3", "acme-sandbox", &["p2"], false),
    ]);
    s
}

fn on(screen: Screen) -> App {
    let mut s = state();
    s.stack.push(screen);
    new_app(s)
}

fn keys_app() -> App {
    on(Screen::Keys { view: ListView::default() })
}

fn press(app: &mut App, code: KeyCode) {
    app.handle(Message::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn chars(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

// ---------------------------------------------------------------- snapshots

#[test]
fn plans_screen() {
    let mut app = on(Screen::Plans { view: ListView::default() });
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn plan_detail_with_usage_chart() {
    let mut app = on(Screen::PlanDetail { plan: "p1".into(), view: ListView::default() });
    app.state.usage.insert("p1".into(), Loadable::Loaded(usage()));
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    // k1 used 30+60+...+210 = 840 of 1000 this period: over 80 %, in the warning colour.
    assert!(text.contains("840 used, 160 remaining, 84% used") && text.contains("fullest key k1"), "{text}");
    let y = row_of(terminal.backend().buffer(), "84% used");
    let x = rows(terminal.backend().buffer())[y as usize].find("840").unwrap();
    let x = text.lines().nth(y as usize).unwrap()[..x].chars().count() as u16;
    assert_eq!(terminal.backend().buffer()[(x, y)].fg, app.styles.warning.fg.unwrap());
}

#[test]
fn usage_unavailable_is_a_plain_state() {
    let mut app = on(Screen::PlanDetail { plan: "p2".into(), view: ListView::default() });
    app.state.usage.insert("p2".into(), Loadable::Failed(portcullis::aws::plans::USAGE_UNAVAILABLE.into()));
    let text = screen(&mut app);
    assert!(text.contains("usage data not available from this endpoint"), "{text}");
    assert!(!text.contains("Could not load"), "not shown as a failure to retry: {text}");
}

#[test]
fn keys_screen_masks_values() {
    let mut app = keys_app();
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    assert!(text.contains("••••••••89k1") && !text.contains(VALUE_K1), "{text}");
}

#[test]
fn confirm_dialog() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('e'));
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn typed_delete_prompt() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('D'));
    chars(&mut app, "acme");
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn create_form_and_its_confirmation() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('n'));
    chars(&mut app, "initech-prod");
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "initech");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "p1");
    insta::assert_snapshot!("create_form", render(&mut app).backend());
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("create_confirm", render(&mut app).backend());
}

#[test]
fn attach_picker_and_new_value_dialogs() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('a'));
    insta::assert_snapshot!("attach_picker", render(&mut app).backend());
    app.state.modal =
        Some(Modal::ShowValue { name: "initech-prod".into(), value: Secret::new("NEWVALUE0123456789abcdefghij") });
    insta::assert_snapshot!("new_value", render(&mut app).backend());
}

// ---------------------------------------------------------------- interactions

#[test]
fn commands_open_plans_and_keys_and_load_them() {
    let mut app = new_app(AppState::new(connection(false)));
    chars(&mut app, ":plans");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    assert!(matches!(sent.as_slice(), [Message::LoadPlans { .. }, Message::LoadKeys { .. }]), "{sent:?}");
    assert!(matches!(app.state.screen(), Screen::Plans { .. }));
    chars(&mut app, ":keys");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.state.screen(), Screen::Keys { .. }));
    assert!(app.take_commands().is_empty(), "already loading: not asked twice");
}

#[test]
fn plan_detail_loads_usage_and_jumps_to_the_api() {
    let mut app = on(Screen::Plans { view: ListView::default() });
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.screen(), &Screen::PlanDetail { plan: "p1".into(), view: ListView::default() });
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Message::LoadUsage { plan, region, .. }] if plan == "p1" && region == "eu-west-1"),
        "{sent:?}"
    );
    press(&mut app, KeyCode::Enter); // the first row: the API stage
    assert!(
        matches!(app.state.screen(), Screen::ApiDetail { api, .. } if api.id == "a1b2c3d4e5"),
        "{:?}",
        app.state.screen()
    );
}

#[test]
fn toggle_asks_then_emits_the_mutation() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('e'));
    let want = Mutation::SetEnabled { key_id: "k1".into(), name: "acme-prod".into(), enabled: false };
    assert_eq!(app.state.modal, Some(Modal::Confirm { mutation: want.clone(), region: "eu-west-1".into() }));
    assert!(app.take_commands().is_empty(), "nothing happens before the confirmation");
    press(&mut app, KeyCode::Char('n'));
    assert!(app.state.modal.is_none() && app.take_commands().is_empty());
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    let request = match sent.as_slice() {
        [Message::Mutate { request, mutation, region }] if *mutation == want && region == "eu-west-1" => *request,
        other => panic!("expected the mutation, got {other:?}"),
    };
    app.handle(Message::Mutated { request, description: want.describe(), result: Ok(None) });
    assert!(matches!(&app.state.status, Some(Status::Info(m)) if m.starts_with("done: disable API key acme-prod")));
    let reload = app.take_commands();
    assert!(matches!(reload.as_slice(), [Message::LoadKeys { .. }, Message::LoadPlans { .. }]), "{reload:?}");
}

#[test]
fn delete_needs_the_exact_name() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('D'));
    chars(&mut app, "acme-pro");
    press(&mut app, KeyCode::Enter);
    assert!(app.take_commands().is_empty(), "a wrong name deletes nothing");
    assert!(matches!(&app.state.status, Some(Status::Error(e)) if e.contains("does not match")));
    chars(&mut app, "d");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Message::Mutate { mutation: Mutation::DeleteKey { key_id, .. }, .. }] if key_id == "k1"),
        "{sent:?}"
    );
}

#[test]
fn create_form_validates_and_builds_the_key() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&app.state.modal, Some(Modal::CreateForm { form, .. }) if form.error.as_deref() == Some("a name is required"))
    );
    chars(&mut app, "initech-prod");
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    chars(&mut app, "p1, p2");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' ')); // disabled
    press(&mut app, KeyCode::Enter);
    let Some(Modal::Confirm { mutation: Mutation::CreateKey(new), .. }) = &app.state.modal else {
        panic!("{:?}", app.state.modal)
    };
    assert_eq!(new.name, "initech-prod");
    assert_eq!(new.plan_ids, ["p1", "p2"]);
    assert!(!new.enabled && new.customer_id.is_none());
}

#[test]
fn reveal_hides_again_and_copy_clears_the_clipboard_later() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('v'));
    assert_eq!(app.state.revealed.as_deref(), Some("k1"));
    assert!(screen(&mut app).contains(VALUE_K1));
    let sent = app.take_commands();
    let first = Message::HideValue { key: "k1".into(), generation: 1 };
    assert!(matches!(sent.as_slice(), [Message::After { millis: 10_000, message }] if **message == first));
    press(&mut app, KeyCode::Char('v')); // revealed again: the first timer must not hide it
    app.take_commands();
    app.handle(first);
    assert!(screen(&mut app).contains(VALUE_K1), "a later reveal keeps its own 10 s");
    app.handle(Message::HideValue { key: "k1".into(), generation: 2 });
    assert!(!screen(&mut app).contains(VALUE_K1));

    press(&mut app, KeyCode::Char('c'));
    let sent = app.take_commands();
    match sent.as_slice() {
        [Message::Clipboard(v), Message::After { millis: 30_000, message }] => {
            assert_eq!(v.expose(), VALUE_K1);
            assert_eq!(**message, Message::ClearClipboard { generation: 1 });
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('c')); // a later copy: the first clear must not wipe it
    app.take_commands();
    app.handle(Message::ClearClipboard { generation: 1 });
    assert!(app.take_commands().is_empty(), "a later copy is not cleared by an earlier timer");
    app.handle(Message::ClearClipboard { generation: 2 });
    assert!(matches!(app.take_commands().as_slice(), [Message::Clipboard(v)] if v.expose().is_empty()));
}

#[test]
fn read_only_refuses_in_the_ui_too() {
    let mut s = state();
    s.connection.read_only = true;
    s.stack.push(Screen::Keys { view: ListView::default() });
    let mut app = new_app(s);
    for c in ['n', 'e', 'a', 'x', 'D'] {
        press(&mut app, KeyCode::Char(c));
        assert!(app.state.modal.is_none(), "{c} opened a dialog in read-only mode");
        assert!(matches!(&app.state.status, Some(Status::Error(e)) if e.contains("read-only")));
    }
    assert!(app.take_commands().is_empty());
}

#[test]
fn a_failed_mutation_shows_the_error_and_keeps_the_list() {
    let mut app = keys_app();
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Enter); // pick p1
    press(&mut app, KeyCode::Enter); // confirm
    let request = match app.take_commands().as_slice() {
        [Message::Mutate { request, mutation: Mutation::Detach { plan_id, .. }, .. }] if plan_id == "p1" => *request,
        other => panic!("{other:?}"),
    };
    app.handle(Message::Mutated { request, description: "x".into(), result: Err("throttled: retry".into()) });
    assert_eq!(app.state.status, Some(Status::Error("throttled: retry".into())));
    assert_eq!(app.state.keys.loaded().map(Vec::len), Some(3));
    let _ = KeyForm::new();
}

#[test]
fn every_confirmation_dialog() {
    let cases = [
        ("confirm_enable", Mutation::SetEnabled { key_id: "k3".into(), name: "acme-sandbox".into(), enabled: true }),
        ("confirm_attach", Mutation::Attach { key_id: "k3".into(), plan_id: "p1".into() }),
        ("confirm_detach", Mutation::Detach { key_id: "k1".into(), plan_id: "p1".into() }),
    ];
    for (name, mutation) in cases {
        let mut app = keys_app();
        app.state.modal = Some(Modal::Confirm { mutation, region: "eu-west-1".into() });
        insta::assert_snapshot!(name, render(&mut app).backend());
    }
}
