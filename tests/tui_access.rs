//! Usage plans and API keys in the TUI: snapshots (plans, plan detail with the usage chart,
//! keys with masked values, every dialog) and interactions (the commands sent).

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::domain::{Mutation, Secret};
use portcullis::tui::command::Command;
use portcullis::tui::dialogs::{Confirm, Dialog, ShowValue};
use portcullis::tui::loadable::Loadable;
use portcullis::tui::screens::api::ApiScreen;
use portcullis::tui::screens::keys::KeysScreen;
use portcullis::tui::screens::keys::jobs::{ClearClipboard, HideValue, Mutate, Mutated};
use portcullis::tui::screens::plans::jobs::{LoadKeys, LoadPlans, LoadUsage};
use portcullis::tui::screens::plans::{PlanDetailScreen, PlansScreen};
use portcullis::tui::store::Status;
use portcullis::tui::widgets::list::ListView;
use tui_fixtures::access::*;
use tui_fixtures::*;

// ---------------------------------------------------------------- snapshots

#[test]
fn plans_screen() {
    let mut app = access_app(false);
    command(&mut app, "plans");
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn plan_detail_with_usage_chart() {
    let mut app = plan_detail_app("p1", Ok(usage()));
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

/// The chart has a scale (its highest value, 0), and a key's daily quota is a line on it where it
/// fits (at most twice the highest day), named in the axis; above that the axis says so.
#[test]
fn the_usage_chart_has_a_scale_and_a_keys_daily_quota_line() {
    let mut app = plan_detail_app("p1", Ok(usage()));
    for p in app.shared.store.plans.loaded_mut().unwrap() {
        p.quota = Some(portcullis::domain::Quota { limit: 300, period: "DAY".into(), offset: 0 });
    }
    app.shared.store.generations.plans += 1;
    let text = screen(&mut app);
    assert!(text.contains("245 ┤") && text.contains("0 ┤"), "the scale: {text}");
    assert!(!text.contains('┈'), "all keys together: the quota is per key, no line: {text}");
    // The key row (after the plan's one API stage).
    press(&mut app, KeyCode::Down);
    let terminal = render(&mut app);
    let lines = rows(terminal.backend().buffer());
    let at = lines.iter().position(|l| l.contains("┈┈┈")).unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(lines[at].contains("quota 300"), "the quota's line, named: {}", lines[at]);
    let zero = lines.iter().position(|l| l.contains("0 ┤")).expect("the scale's 0");
    assert!(at < zero, "the quota line is on the scale, above 0");
    // A quota far above the usage is said, not drawn.
    for p in app.shared.store.plans.loaded_mut().unwrap() {
        p.quota = Some(portcullis::domain::Quota { limit: 100_000, period: "DAY".into(), offset: 0 });
    }
    app.shared.store.generations.plans += 1;
    let text = screen(&mut app);
    assert!(text.contains("quota ↑") && !text.contains("┈"), "{text}");
}

#[test]
fn usage_unavailable_is_a_plain_state() {
    let mut app = plan_detail_app("p2", Err(portcullis::aws::plans::USAGE_UNAVAILABLE.into()));
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

/// The keys screen in an area of its own, narrow: the value column keeps its width and the
/// masked value stays whole; a revealed value shows in full only while it is revealed.
#[test]
fn keys_screen_in_its_own_narrow_area() {
    let mut app = keys_app();
    let terminal = render_top(&app, 90, 7);
    insta::assert_snapshot!(terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    assert!(text.contains("••••••••89k1") && !text.contains(VALUE_K1), "{text}");
    char_key(&mut app, 'v');
    let text = rows(render_top(&app, 90, 7).backend().buffer()).join("\n");
    assert!(text.contains(VALUE_K1), "revealed: {text}");
}

#[test]
fn confirm_dialog() {
    let mut app = keys_app();
    char_key(&mut app, 'e');
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn typed_delete_prompt() {
    let mut app = keys_app();
    char_key(&mut app, 'D');
    chars(&mut app, "acme");
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn create_form_and_its_confirmation() {
    let mut app = keys_app();
    char_key(&mut app, 'n');
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
    char_key(&mut app, 'a');
    insta::assert_snapshot!("attach_picker", render(&mut app).backend());
    app.dialogs = vec![Dialog::ShowValue(ShowValue {
        name: "initech-prod".into(),
        value: Secret::new("NEWVALUE0123456789abcdefghij"),
    })];
    insta::assert_snapshot!("new_value", render(&mut app).backend());
}

// ---------------------------------------------------------------- interactions

#[test]
fn commands_open_plans_and_keys_and_load_them() {
    let mut app = new_app(new_store(false));
    command(&mut app, "plans");
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [p, k] if job::<LoadPlans>(p).is_some() && job::<LoadKeys>(k).is_some()),
        "{sent:?}"
    );
    assert!(app.screen::<PlansScreen>().is_some(), "on {}", app.top().title());
    command(&mut app, "keys");
    assert!(app.screen::<KeysScreen>().is_some(), "on {}", app.top().title());
    assert!(app.take_commands().is_empty(), "already loading: not asked twice");
}

#[test]
fn plan_detail_loads_usage_and_jumps_to_the_api() {
    let mut app = access_app(false);
    command(&mut app, "plans");
    press(&mut app, KeyCode::Enter);
    let detail = app.screen::<PlanDetailScreen>().unwrap_or_else(|| panic!("on {}", app.top().title()));
    assert_eq!(detail.plan, "p1");
    assert_eq!(detail.view, ListView::default());
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [c] if job::<LoadUsage>(c).is_some_and(|j| j.plan == "p1" && j.region == "eu-west-1")),
        "{sent:?}"
    );
    press(&mut app, KeyCode::Enter); // the first row: the API stage
    assert!(app.screen::<ApiScreen>().is_some_and(|s| s.api.id == "a1b2c3d4e5"), "on {}", app.top().title());
}

#[test]
fn toggle_asks_then_emits_the_mutation() {
    let mut app = keys_app();
    char_key(&mut app, 'e');
    let want = Mutation::SetEnabled { key_id: "k1".into(), name: "acme-prod".into(), enabled: false };
    let asked = Confirm::new(want.clone(), "eu-west-1".into());
    assert!(matches!(app.dialogs.as_slice(), [Dialog::Confirm(c)] if *c == asked), "{:?}", app.dialogs);
    assert!(app.take_commands().is_empty(), "nothing happens before the confirmation");
    char_key(&mut app, 'n');
    assert!(app.dialogs.is_empty() && app.take_commands().is_empty());
    char_key(&mut app, 'e');
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    let request = match sent.as_slice() {
        [c] if job::<Mutate>(c).is_some_and(|j| j.mutation == want && j.region == "eu-west-1") => request_of(c),
        other => panic!("expected the mutation, got {other:?}"),
    };
    app.handle(done(request, Mutated { description: want.describe(), result: Ok(None) }));
    assert!(
        matches!(&app.shared.status, Some(Status::Info(m)) if m.starts_with("done: disable API key acme-prod")),
        "{:?}",
        app.shared.status
    );
    let reload = app.take_commands();
    assert!(
        matches!(reload.as_slice(), [k, p] if job::<LoadKeys>(k).is_some() && job::<LoadPlans>(p).is_some()),
        "{reload:?}"
    );
}

#[test]
fn delete_needs_the_exact_name() {
    let mut app = keys_app();
    char_key(&mut app, 'D');
    chars(&mut app, "acme-pro");
    press(&mut app, KeyCode::Enter);
    assert!(app.take_commands().is_empty(), "a wrong name deletes nothing");
    assert!(
        matches!(&app.shared.status, Some(Status::Error(e)) if e.contains("does not match")),
        "{:?}",
        app.shared.status
    );
    chars(&mut app, "d");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [c] if matches!(job::<Mutate>(c), Some(Mutate { mutation: Mutation::DeleteKey { key_id, .. }, .. }) if key_id == "k1")),
        "{sent:?}"
    );
}

#[test]
fn create_form_validates_and_builds_the_key() {
    let mut app = keys_app();
    char_key(&mut app, 'n');
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.dialogs.as_slice(), [Dialog::Form(form)] if form.error.as_deref() == Some("a name is required")),
        "{:?}",
        app.dialogs
    );
    chars(&mut app, "initech-prod");
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    chars(&mut app, "p1, p2");
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, ' '); // disabled
    press(&mut app, KeyCode::Enter);
    let [Dialog::Confirm(Confirm { mutation: Mutation::CreateKey(new), .. })] = app.dialogs.as_slice() else {
        panic!("{:?}", app.dialogs)
    };
    assert_eq!(new.name, "initech-prod");
    assert_eq!(new.plan_ids, ["p1", "p2"]);
    assert!(!new.enabled && new.customer_id.is_none());
}

#[test]
fn reveal_hides_again_and_copy_clears_the_clipboard_later() {
    let mut app = keys_app();
    char_key(&mut app, 'v');
    assert_eq!(app.store().reveal.id.as_deref(), Some("k1"));
    assert!(screen(&mut app).contains(VALUE_K1));
    let sent = app.take_commands();
    let first = done(0, HideValue { key: "k1".into(), generation: 1 });
    assert!(matches!(sent.as_slice(), [Command::After { millis: 10_000, message }] if **message == first), "{sent:?}");
    char_key(&mut app, 'v'); // revealed again: the first timer must not hide it
    app.take_commands();
    app.handle(first);
    assert!(screen(&mut app).contains(VALUE_K1), "a later reveal keeps its own 10 s");
    app.handle(done(0, HideValue { key: "k1".into(), generation: 2 }));
    assert!(!screen(&mut app).contains(VALUE_K1));

    char_key(&mut app, 'c');
    let sent = app.take_commands();
    match sent.as_slice() {
        [Command::Clipboard(v), Command::After { millis: 30_000, message }] => {
            assert_eq!(v.expose(), VALUE_K1);
            assert_eq!(**message, done(0, ClearClipboard { generation: 1 }));
        }
        other => panic!("{other:?}"),
    }
    char_key(&mut app, 'j');
    char_key(&mut app, 'c'); // a later copy: the first clear must not wipe it
    app.take_commands();
    app.handle(done(0, ClearClipboard { generation: 1 }));
    assert!(app.take_commands().is_empty(), "a later copy is not cleared by an earlier timer");
    app.handle(done(0, ClearClipboard { generation: 2 }));
    let sent = app.take_commands();
    assert!(matches!(sent.as_slice(), [Command::Clipboard(v)] if v.expose().is_empty()), "{sent:?}");
}

#[test]
fn read_only_refuses_in_the_ui_too() {
    let mut app = keys_app_with(true);
    for c in ['n', 'e', 'a', 'x', 'D'] {
        char_key(&mut app, c);
        assert!(app.dialogs.is_empty(), "{c} opened a dialog in read-only mode");
        assert!(
            matches!(&app.shared.status, Some(Status::Error(e)) if e.contains("read-only")),
            "{c}: {:?}",
            app.shared.status
        );
    }
    assert!(app.take_commands().is_empty());
}

#[test]
fn a_failed_mutation_shows_the_error_and_keeps_the_list() {
    let mut app = keys_app();
    char_key(&mut app, 'x');
    press(&mut app, KeyCode::Enter); // pick p1
    press(&mut app, KeyCode::Enter); // confirm
    let request = match app.take_commands().as_slice() {
        [c] if matches!(job::<Mutate>(c), Some(Mutate { mutation: Mutation::Detach { plan_id, .. }, .. }) if plan_id == "p1") => {
            request_of(c)
        }
        other => panic!("{other:?}"),
    };
    app.handle(done(request, Mutated { description: "x".into(), result: Err("throttled: retry".into()) }));
    assert_eq!(app.shared.status, Some(Status::Error("throttled: retry".into())));
    assert_eq!(app.store().keys.loaded().map(Vec::len), Some(3));
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
        app.dialogs.push(Dialog::Confirm(Confirm::new(mutation, "eu-west-1".into())));
        insta::assert_snapshot!(name, render(&mut app).backend());
    }
}

/// A plan whose keys could not be read is in the list, marked `!` with its key count unknown;
/// enter reads the plans again instead of opening a detail built on missing keys. A key whose
/// plans may be incomplete is marked in the keys list.
#[test]
fn incomplete_plans_and_keys_are_marked_and_enter_reads_again() {
    let mut store = access_store(false);
    if let Loadable::Loaded(plans) = &mut store.plans {
        let first = &mut plans[0];
        (first.error, first.key_ids) = (Some("its keys could not be read: GetUsagePlanKeys failed".into()), vec![]);
    }
    if let Loadable::Loaded(keys) = &mut store.keys {
        keys[0].error = Some("plans may be incomplete".into());
    }
    let mut app = loaded_at(store, apis(), "09:30:00");
    command(&mut app, "plans");
    let text = screen(&mut app);
    let name = app.shared.store.plans.loaded().unwrap()[0].name.clone();
    let line = text.lines().find(|l| l.contains(&name)).unwrap_or_default();
    assert!(line.contains(&format!("! {name}")) && line.contains(" ? "), "{text}");
    let other = app.shared.store.plans.loaded().unwrap()[1].name.clone();
    assert!(!text.contains(&format!("! {other}")), "only the incomplete plan is marked: {text}");
    press(&mut app, KeyCode::Enter);
    let sent = app.take_commands();
    assert!(matches!(sent.as_slice(), [p] if job::<LoadPlans>(p).is_some()), "{sent:?}");
    assert!(app.screen::<PlansScreen>().is_some(), "still on the list: {}", app.top().title());
    command(&mut app, "keys");
    let text = screen(&mut app);
    let key = app.shared.store.keys.loaded().unwrap()[0].name.clone();
    assert!(text.contains(&format!("! {key}")), "{text}");
}
