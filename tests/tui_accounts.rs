//! Accounts in the TUI: the API list's ACCOUNT column (only when accounts are read), `/` by an
//! account's name, and `:accounts` (each account's status and what to do, what the screens
//! have read of it; enter filters the API list to it).

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::aws::accounts::{AccountInfo, Status};
use portcullis::domain::AccountRef;
use portcullis::tui::app::App;
use portcullis::tui::command::Command;
use portcullis::tui::screens::accounts::jobs::{AccountsLoaded, LoadAccounts};
use tui_fixtures::*;

const DENIED: &str = "cannot assume PortcullisReadOnly in 222233334444 (AccessDenied: no): create the role there or leave the account out with --accounts";

/// The fixture APIs, the payments API in the member account `payments`, the rest in the own one.
fn spread_apis() -> Vec<portcullis::domain::Api> {
    apis()
        .into_iter()
        .map(|mut a| {
            a.account = if a.id == payments_api().id {
                AccountRef::new(Some("111122223333".into()), Some("payments".into()))
            } else {
                AccountRef::new(Some("123456789012".into()), Some("platform".into()))
            };
            a
        })
        .collect()
}

fn accounts() -> Vec<AccountInfo> {
    let info = |id: &str, name: &str, status, error: Option<&str>, own| AccountInfo {
        id: id.into(),
        name: Some(name.into()),
        status,
        error: error.map(String::from),
        role_arn: None,
        own,
    };
    vec![
        info("123456789012", "platform", Status::Ok, None, true),
        info("111122223333", "payments", Status::Ok, None, false),
        info("222233334444", "locked", Status::Denied, Some(DENIED), false),
    ]
}

fn opened(apis: Vec<portcullis::domain::Api>) -> App {
    let mut app = catalog_app_with(apis, false);
    app.take_commands();
    command(&mut app, "accounts");
    let request = match app.take_commands().as_slice() {
        [c @ Command::Job { .. }] if job::<LoadAccounts>(c).is_some() => request_of(c),
        other => panic!("expected the accounts' job, got {other:?}"),
    };
    app.handle(done(request, AccountsLoaded(Ok(accounts()))));
    app
}

#[test]
fn the_api_list_has_an_account_column_only_when_accounts_are_read() {
    let mut one = catalog_app_with(apis(), false);
    let header = rows(render(&mut one).backend().buffer()).into_iter().find(|r| r.contains("NAME")).unwrap();
    assert!(!header.contains("ACCOUNT"), "{header}");
    let mut many = catalog_app_with(spread_apis(), false);
    let text = rows(render(&mut many).backend().buffer());
    let header = text.iter().find(|r| r.contains("NAME")).unwrap();
    assert!(header.contains("ACCOUNT") && header.find("ACCOUNT") < header.find("REGION"), "{header}");
    let payments = text.iter().find(|r| r.contains(&payments_api().name)).unwrap();
    assert!(payments.contains("payments"), "{payments}");
    // `/` matches an account's name.
    char_key(&mut many, '/');
    chars(&mut many, "payments");
    press(&mut many, KeyCode::Enter);
    let shown = screen(&mut many);
    assert!(shown.contains(&payments_api().name), "{shown}");
    assert!(!shown.contains(&orders_api().name), "{shown}");
}

#[test]
fn accounts_show_their_status_and_what_to_do_and_enter_filters_the_api_list() {
    let mut app = opened(spread_apis());
    let text = rows(render(&mut app).backend().buffer());
    let row = |needle: &str| text.iter().find(|r| r.contains(needle)).unwrap_or_else(|| panic!("{needle}: {text:#?}"));
    let locked = row("222233334444");
    assert!(locked.contains("denied") && locked.contains("cannot assume PortcullisReadOnly"), "{locked}");
    // Selected, its error is shown whole under the table.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let under = rows(render(&mut app).backend().buffer());
    assert!(
        under.iter().any(|r| r.trim_start().starts_with("cannot assume PortcullisReadOnly in 222233334444")),
        "the error under the table: {under:#?}"
    );
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    // APIs per account, from the loaded catalog.
    let payments = row("111122223333");
    assert!(payments.contains("ok"), "{payments}");
    let cells: Vec<&str> = payments.split_whitespace().collect();
    assert!(cells.contains(&"1"), "one API in payments: {payments}");
    // Enter on payments: the API list filtered to it.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let shown = screen(&mut app);
    assert!(shown.contains("/payments"), "{shown}");
    assert!(shown.contains(&payments_api().name) && !shown.contains(&orders_api().name), "{shown}");
}

#[test]
fn the_audit_list_says_each_events_account_when_accounts_are_read() {
    use portcullis::domain::AuditSource;
    use portcullis::tui::loadable::Loadable;
    use portcullis::tui::screens::Nav;
    use portcullis::tui::screens::audit::{AuditScreen, AuditView};
    use tui_fixtures::audit::{feed, query};
    let on_audit = |accounts: bool| {
        let mut store = new_store(false);
        store.connection.accounts = accounts;
        let mut f = feed(false);
        for (i, e) in f.events.iter_mut().enumerate() {
            e.account = AccountRef::new(Some(format!("11112222333{}", i % 2)), Some(format!("team-{}", i % 2)));
        }
        let mut view = AuditView::new(query(), "7d".into(), None, AuditSource::Lookup);
        view.feed = Loadable::Loaded(f);
        store.audit = Some(view);
        let mut app = new_app(store);
        app.navigate(Nav::Push(Box::new(AuditScreen::default())));
        app
    };
    let header =
        |app: &mut App| rows(render(app).backend().buffer()).into_iter().find(|r| r.contains("TIME (UTC)")).unwrap();
    assert!(!header(&mut on_audit(false)).contains("ACCOUNT"));
    let mut app = on_audit(true);
    assert!(header(&mut app).contains("ACCOUNT"), "{}", header(&mut app));
    let text = screen(&mut app);
    assert!(text.contains("team-0") && text.contains("team-1"), "{text}");
}
