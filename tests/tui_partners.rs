//! `:partners` in the TUI: snapshots (the list with every status, a partner's detail, the
//! onboarding form and its review, the credentials shown once, the rotate, offboard and
//! reconcile reviews) and interactions (the commands each sends, what is refused).

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::domain::Secret;
use portcullis::partners::ops::{Change, Credential, ReconcilePlan};
use portcullis::partners::{Credentials, Destination};
use portcullis::tui::app::App;
use portcullis::tui::command::{Command, PartnerOp};
use portcullis::tui::dialogs::Dialog;
use portcullis::tui::jobs::Output;
use portcullis::tui::message::Message;
use portcullis::tui::screens::audit::jobs::OpenAudit;
use portcullis::tui::screens::partners::jobs::{
    ChangeDone, ChangePlanned, ClientSecretRead, LoadPartners, PartnersLoaded, PlanChange, ReadClientSecret, RunChange,
};
use portcullis::tui::screens::partners::{PartnerDetailScreen, PartnersScreen};
use portcullis::tui::store::PartnersView;
use tui_fixtures::partners::*;
use tui_fixtures::*;

/// `:partners` over the access fixtures, answered with `view`; the outbox emptied.
fn partners_app(read_only: bool, view: PartnersView) -> App {
    let mut app = loaded_at(partners_store(read_only), apis(), "09:30:00");
    command(&mut app, "partners");
    let request = match app.take_commands().as_slice() {
        [c] if job::<LoadPartners>(c).is_some() => request_of(c),
        other => panic!("expected the partners to load, got {other:?}"),
    };
    assert!(app.screen::<PartnersScreen>().is_some(), "on {}", app.top().title());
    app.handle(done(request, PartnersLoaded(Ok(view))));
    app
}

fn the_change(app: &mut App) -> (u64, Change) {
    match app.take_commands().as_slice() {
        [c] if job::<RunChange>(c).is_some() => (request_of(c), job::<RunChange>(c).map(|j| j.0.clone()).unwrap()),
        other => panic!("expected one partner change, got {other:?}"),
    }
}

/// The check the app asked for is `op`; answered with `change` (as the worker's check gives
/// it), which opens its review.
fn planned(app: &mut App, op: PartnerOp, change: Change) {
    let request = match app.take_commands().as_slice() {
        [c] if job::<PlanChange>(c).is_some() => {
            assert_eq!(job::<PlanChange>(c).map(|j| &j.0), Some(&op), "the change checked");
            request_of(c)
        }
        other => panic!("expected a partner change to be checked, got {other:?}"),
    };
    assert!(app.dialogs.is_empty(), "no review before the plan is back");
    app.handle(done(request, ChangePlanned(Ok(Box::new(change)))));
    assert!(matches!(app.dialogs.last(), Some(Dialog::Review(_))), "the review opens with the plan");
}

fn new_credentials() -> Credentials {
    Credentials {
        partner: "echo".into(),
        region: "eu-west-1".into(),
        user_pool_id: Some("eu-west-1_pool".into()),
        client_id: Some("c-echo".into()),
        client_secret: Some(Secret::new("SECRETsecretSECRETsecret0123456789abcdef01234567")),
        api_key_id: Some("k9".into()),
        api_key: Some(Secret::new("KEYkeyKEYkeyKEYkeyKEYkey0123456789abcdef")),
        plan_ids: vec!["p1".into()],
        scopes: vec!["partners/read".into()],
        token_url: Some("https://kestrel.auth.eu-west-1.amazoncognito.com/oauth2/token".into()),
        invoke_urls: vec!["https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod".into()],
        strategy: "new partner".into(),
        exported_to: None,
    }
}

// ---------------------------------------------------------------- snapshots

#[test]
fn the_list_shows_every_status() {
    let mut app = partners_app(false, view(vec![]));
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    for status in ["ok", "rotating until 2026-12-05T00:00:00Z", "incomplete: no app client", "interrupted: onboard"] {
        assert!(text.contains(status), "{status}: {text}");
    }
    assert!(text.contains("6 months"), "the oldest credential's age, from when the view was read: {text}");
    let y = row_of(terminal.backend().buffer(), "incomplete: no app client");
    let x = rows(terminal.backend().buffer())[y as usize].find("incomplete").unwrap();
    let x = rows(terminal.backend().buffer())[y as usize][..x].chars().count() as u16;
    assert_eq!(terminal.backend().buffer()[(x, y)].fg, app.styles.error.fg.unwrap(), "a wrong status is red");
}

#[test]
fn partners_of_several_regions_say_their_region() {
    let one = rows(render(&mut partners_app(false, view(vec![]))).backend().buffer()).join("\n");
    assert!(!one.contains("REGION"), "one region: no column for it");
    let mut two = view(vec![]);
    let mut elsewhere = two.partners[0].clone();
    elsewhere.region = "us-east-1".into();
    elsewhere.regions = vec!["us-east-1".into()];
    two.partners.push(elsewhere);
    // A partner whose keys are in both regions is one row: it says how many.
    two.partners[1].regions = vec!["eu-west-1".into(), "us-east-1".into()];
    let mut app = partners_app(false, two);
    let text = rows(render(&mut app).backend().buffer()).join("\n");
    assert!(text.contains("PARTNER            REGION"), "{text}");
    assert!(text.contains("us-east-1") && text.contains("eu-west-1"), "{text}");
    assert!(text.lines().any(|l| l.contains("bolt") && l.contains("2 regions")), "{text}");
    // The last row (the same id in us-east-1) opens that region's partner.
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Enter);
    let detail = rows(render(&mut app).backend().buffer()).join("\n");
    assert!(detail.contains("(us-east-1)") && !detail.contains("(eu-west-1)"), "{detail}");
}

#[test]
fn a_partners_detail_shows_every_credential_masked() {
    let mut app = partners_app(false, view(vec![]));
    press(&mut app, KeyCode::Enter);
    assert!(app.screen::<PartnerDetailScreen>().is_some(), "on {}", app.top().title());
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    for needle in
        ["k1  acme-prod  enabled", "c-acme--1780300800", "gold (p1)", "partners/read", "oauth2/token", "execute-api"]
    {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(text.contains("••••••••89k1") && !text.contains(tui_fixtures::access::VALUE_K1), "masked: {text}");
    // v reveals the key's value for a while (a timer hides it again).
    char_key(&mut app, 'v');
    assert!(screen(&mut app).contains(tui_fixtures::access::VALUE_K1));
    let sent = app.take_commands();
    assert!(matches!(sent.as_slice(), [Command::After { millis: 10_000, .. }]), "{sent:?}");
}

#[test]
fn onboarding_walks_the_form_the_review_and_shows_the_credentials_once() {
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'n');
    insta::assert_snapshot!("onboard_form", render(&mut app).backend());
    chars(&mut app, "echo");
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "p1");
    press(&mut app, KeyCode::Enter);
    let asked = PartnerOp::Onboard {
        partner: "echo".into(),
        region: "eu-west-1".into(),
        plans: vec!["p1".into()],
        scopes: vec!["partners/read".into()],
        destination: Destination::Stdout,
    };
    planned(&mut app, asked, onboard_change());
    insta::assert_snapshot!("onboard_review", render(&mut app).backend());
    assert!(app.take_commands().is_empty(), "nothing runs before the review is confirmed");
    press(&mut app, KeyCode::Enter);
    let (request, change) = the_change(&mut app);
    assert_eq!(change, onboard_change(), "what runs is the plan reviewed");
    assert!(app.store().in_flight.partner.is_some(), "one change at a time");
    char_key(&mut app, 'n');
    assert!(app.dialogs.is_empty(), "a second change waits: {:?}", app.shared.status);
    let executed = portcullis::partners::run::Executed { credentials: Some(new_credentials()), warning: None };
    app.handle(done(request, ChangeDone { description: change.title(), result: Ok(executed) }));
    assert!(matches!(app.dialogs.last(), Some(Dialog::Handover(_))));
    let terminal = render(&mut app);
    insta::assert_snapshot!("credentials_once", terminal.backend());
    let text = rows(terminal.backend().buffer()).join("\n");
    assert!(text.contains("SECRETsecretSECRETsecret") && text.contains("KEYkeyKEYkey"), "handed over: {text}");
    let reloads = app.take_commands();
    assert!(reloads.iter().any(|c| job::<LoadPartners>(c).is_some()), "the partners load again: {reloads:?}");
    char_key(&mut app, 'c');
    let copied = app.take_commands();
    assert!(
        matches!(copied.as_slice(), [Command::Clipboard(v), Command::After { .. }] if v.expose().starts_with("SECRET")),
        "the client secret is copied: {copied:?}"
    );
    press(&mut app, KeyCode::Down);
    char_key(&mut app, 'c');
    let copied = app.take_commands();
    assert!(matches!(copied.as_slice(), [Command::Clipboard(v), ..] if v.expose().starts_with("KEY")), "{copied:?}");
    press(&mut app, KeyCode::Esc);
    assert!(app.dialogs.is_empty());
    assert!(!screen(&mut app).contains("SECRETsecret"), "shown once: gone with the dialog");
}

#[test]
fn a_wrong_form_says_why_and_sends_nothing() {
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'n');
    chars(&mut app, "Echo Logistics");
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "p1");
    press(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("not a partner id"), "{text}");
    assert!(matches!(app.dialogs.last(), Some(Dialog::Form(_))), "the form stays open");
    assert!(app.take_commands().is_empty());
}

#[test]
fn rotations_are_reviewed_first() {
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'r');
    assert!(matches!(app.dialogs.last(), Some(Dialog::Form(_))), "the rotation's form first");
    press(&mut app, KeyCode::Enter);
    planned(&mut app, rotate(Credential::Key), rotate_key_change());
    insta::assert_snapshot!("rotate_key_review", render(&mut app).backend());
    press(&mut app, KeyCode::Enter);
    let (_, change) = the_change(&mut app);
    assert_eq!(change, rotate_key_change(), "what runs is the plan reviewed");
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'R');
    press(&mut app, KeyCode::Enter);
    planned(&mut app, rotate(Credential::Secret), rotate_secret_change());
    assert!(screen(&mut app).contains("add-user-pool-client-secret --user-pool-id eu-west-1_pool --client-id c-acme"));
    press(&mut app, KeyCode::Esc);
    assert!(app.take_commands().is_empty(), "cancelled: nothing sent");
}

/// The rotation's form offers what `partners rotate` does: the old credential retired at once
/// (`--now`) and the new one written to a file or a Secrets Manager secret (`--export`,
/// `--secret-name`); what it asks for is the change checked.
#[test]
fn a_rotation_can_retire_at_once_and_hand_over_to_a_file() {
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'r');
    insta::assert_snapshot!("rotate_form", render(&mut app).backend());
    char_key(&mut app, ' '); // old one: at once
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, ' '); // credentials: a new file
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "/tmp/acme-new.json");
    press(&mut app, KeyCode::Enter);
    let asked = PartnerOp::Rotate {
        partner: "acme".into(),
        region: "eu-west-1".into(),
        credential: Credential::Key,
        destination: Destination::File { path: "/tmp/acme-new.json".into() },
        now: true,
    };
    let commands = app.take_commands();
    let job = commands.iter().find_map(job::<PlanChange>).unwrap_or_else(|| panic!("{commands:?}"));
    assert_eq!(job.0, asked);
    // A file asked for without its name: the form says so and stays.
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'r');
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, ' ');
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("name the file or the secret"), "{}", screen(&mut app));
    assert!(app.take_commands().is_empty());
}

#[test]
fn offboarding_needs_the_partner_id_typed() {
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'D');
    planned(&mut app, PartnerOp::Offboard { partner: "acme".into(), region: "eu-west-1".into() }, offboard_change());
    insta::assert_snapshot!("offboard_review", render(&mut app).backend());
    chars(&mut app, "acm");
    press(&mut app, KeyCode::Enter);
    assert!(app.take_commands().is_empty(), "not the id: nothing sent");
    assert!(screen(&mut app).contains("not the partner id"));
    chars(&mut app, "e");
    press(&mut app, KeyCode::Enter);
    let (_, change) = the_change(&mut app);
    assert_eq!(change, offboard_change());
}

#[test]
fn what_is_due_is_proposed_once_when_the_partners_load() {
    let mut app = partners_app(false, view(dune_due()));
    assert!(matches!(app.dialogs.last(), Some(Dialog::Review(_))), "reconcile is proposed");
    insta::assert_snapshot!("reconcile_review", render(&mut app).backend());
    press(&mut app, KeyCode::Esc);
    assert!(app.take_commands().is_empty(), "nothing changes without asking");
    press(&mut app, KeyCode::Down);
    assert!(app.dialogs.is_empty(), "proposed once per load, not on every key");
    // Asked for again, it is checked afresh (the view may be a while old by then).
    char_key(&mut app, 'X');
    let due = Change::Reconcile(Box::new(ReconcilePlan { region: "eu-west-1".into(), actions: dune_due() }));
    planned(&mut app, PartnerOp::Reconcile { partner: None, region: "eu-west-1".into() }, due);
    press(&mut app, KeyCode::Enter);
    let (_, change) = the_change(&mut app);
    let Change::Reconcile(plan) = change else { panic!("a reconcile, got {change:?}") };
    assert_eq!(plan.actions, dune_due(), "what runs is what was reviewed");
}

#[test]
fn read_only_refuses_before_any_dialog_and_a_failed_change_keeps_the_list() {
    let mut app = partners_app(true, view(dune_due()));
    assert!(app.dialogs.is_empty(), "read-only: reconcile is not proposed");
    for k in ['n', 'r', 'R', 'D', 'X'] {
        char_key(&mut app, k);
        assert!(app.dialogs.is_empty(), "{k}");
        assert!(screen(&mut app).contains("read-only"), "{k}");
    }
    assert!(app.take_commands().is_empty());
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'r');
    press(&mut app, KeyCode::Enter);
    let request = request_of(&app.take_commands()[0]);
    let error = "partner acme is rotating key k1 already".to_string();
    app.handle(done(request, ChangePlanned(Err(error))));
    assert!(app.dialogs.is_empty(), "a refused check opens no review");
    let text = screen(&mut app);
    assert!(text.contains("rotating key k1 already") && text.contains("bolt"), "{text}");
    assert!(app.store().in_flight.partner.is_none());
}

#[test]
fn the_audit_trail_of_a_partner_covers_its_keys_and_app_clients() {
    let mut app = partners_app(false, view(vec![]));
    char_key(&mut app, 'A');
    let sent = app.take_commands();
    let query = sent.iter().find_map(|c| job::<OpenAudit>(c).map(|j| j.query.clone()));
    assert_eq!(query.and_then(|q| q.resource).as_deref(), Some("k1,k3,c-acme,acme"), "{sent:?}");
}

#[test]
fn a_client_secret_is_read_only_to_be_revealed_or_copied() {
    use portcullis::tui::command::SecretUse;
    let mut app = partners_app(false, view(vec![]));
    press(&mut app, KeyCode::Enter);
    app.take_commands();
    assert!(screen(&mut app).contains("c-acme  acme  created 2026-06-01T08:00:00Z  secret ••••••••"));
    for _ in 0..8 {
        press(&mut app, KeyCode::Down);
    }
    char_key(&mut app, 'v');
    let sent = app.take_commands();
    assert!(
        matches!(sent.as_slice(), [Command::Job { job, .. }]
            if job.get::<ReadClientSecret>().is_some_and(|j| j.client_id == "c-acme" && j.then == SecretUse::Reveal)),
        "{sent:?}"
    );
    let value = "clientSECRETvalue0123456789abcdef";
    let read = |then| {
        let read = ClientSecretRead { client_id: "c-acme".into(), then, result: Ok(Secret::new(value)) };
        Message::Done { request: 0, output: Output::new(read) }
    };
    app.handle(read(SecretUse::Reveal));
    assert!(screen(&mut app).contains(value), "revealed");
    let hide = match app.take_commands().as_slice() {
        [Command::After { millis: 10_000, message }] => (**message).clone(),
        other => panic!("a timer hides it: {other:?}"),
    };
    app.handle(hide);
    assert!(!screen(&mut app).contains(value), "hidden again after 10 s");
    assert!(app.store().reveal.client_secret.is_none(), "and not kept");
    char_key(&mut app, 'c');
    assert!(matches!(app.take_commands().as_slice(),
        [Command::Job { job, .. }] if job.get::<ReadClientSecret>().is_some_and(|j| j.then == SecretUse::Copy)));
    app.handle(read(SecretUse::Copy));
    let copied = app.take_commands();
    assert!(
        matches!(copied.as_slice(), [Command::Clipboard(v), Command::After { .. }] if v.expose() == value),
        "{copied:?}"
    );
    assert!(!screen(&mut app).contains(value), "copying does not show it");
}

fn rotate(credential: Credential) -> PartnerOp {
    PartnerOp::Rotate {
        partner: "acme".into(),
        region: "eu-west-1".into(),
        credential,
        destination: Destination::Stdout,
        now: false,
    }
}

/// An action a screen cannot use now is said, not dropped: rotating with no partner selected.
#[test]
fn an_unused_action_is_said_on_the_status_line() {
    let empty = PartnersView { partners: vec![], ..view(vec![]) };
    let mut app = partners_app(false, empty);
    char_key(&mut app, 'r');
    assert!(app.take_commands().is_empty() && app.dialogs.is_empty(), "nothing to rotate");
    let said = format!("{:?}", app.shared.status);
    assert!(said.contains("rotate") && said.contains("nothing selected"), "{said}");
}

/// With accounts read, the onboarding form offers the plans of the place it goes to (the view's
/// region in the credentials' own account), not another account's plan of the same region.
#[test]
fn the_onboarding_form_offers_the_plans_of_its_own_account() {
    let mut app = partners_app(false, PartnersView { account: Some("123456789012".into()), ..view(vec![]) });
    let plans = app.shared.store.plans.loaded_mut().expect("plans");
    for p in plans.iter_mut() {
        p.account = portcullis::domain::AccountRef::new(Some("123456789012".into()), None);
    }
    let mut elsewhere = plans[0].clone();
    elsewhere.id = "p-other".into();
    elsewhere.name = "other-account-plan".into();
    elsewhere.account = portcullis::domain::AccountRef::new(Some("210000000042".into()), None);
    plans.push(elsewhere);
    char_key(&mut app, 'n');
    let text = screen(&mut app);
    assert!(!text.contains("other-account-plan") && !text.contains("p-other"), "{text}");
    let own = app.store().plans.loaded().unwrap()[0].name.clone();
    assert!(text.contains(&own), "{text}");
}
