//! The controller driven by keys, mouse events and results: the commands it emits,
//! the state it reaches and the screen it draws.

mod tui_fixtures;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use portcullis::domain::Api;
use portcullis::tui::app::{App, Mode};
use portcullis::tui::command::{Command, Slot};
use portcullis::tui::keymap::Keymap;
use portcullis::tui::loadable::Loadable;
use portcullis::tui::message::Message;
use portcullis::tui::screens::api::{ApiScreen, Pane};
use portcullis::tui::screens::catalog::{ApiSort, CatalogScreen};
use portcullis::tui::screens::docs::DocsScreen;
use portcullis::tui::screens::help::HelpScreen;
use portcullis::tui::screens::stage::StageScreen;
use portcullis::tui::store::{DetailData, Status};
use portcullis::tui::theme::Styles;
use portcullis::tui::widgets::list::ListView;
use tui_fixtures::*;

// ---------------------------------------------------------------- app helpers

/// A started app whose first load has been answered with `apis`.
fn app_with(apis: Vec<Api>) -> App {
    loaded_at(new_store(false), apis, "10:15:00")
}

fn loaded_app() -> App {
    app_with(apis())
}

/// The API list: always the root of the stack, whatever is on top.
fn catalog(app: &App) -> &CatalogScreen {
    app.stack[0].as_any().downcast_ref::<CatalogScreen>().expect("the API list is the root screen")
}

/// The API detail screen on top.
fn detail(app: &App) -> &ApiScreen {
    app.screen::<ApiScreen>().expect("the API detail screen is on top")
}

/// Only the API list is open.
fn assert_on_the_list(app: &App) {
    assert_eq!(app.stack.len(), 1, "only the API list is open");
    assert!(app.screen::<CatalogScreen>().is_some());
}

/// The stage screen of `api`'s `stage` is on top, scrolled to its first line.
fn assert_stage(app: &App, api: &Api, stage: &str) {
    let s = app.screen::<StageScreen>().expect("a stage screen is on top");
    assert_eq!(s.api, api_ref(api));
    assert_eq!(s.stage, stage);
    assert_eq!(s.scroll.selected, 0, "the stage opens at its first line");
}

/// Names of the API list's rows, in display order.
fn shown_names(app: &App) -> Vec<String> {
    let apis = app.store().catalog.apis.loaded().expect("APIs are loaded");
    catalog(app).rows().iter().map(|&i| apis[i].name.clone()).collect()
}

fn selected_name(app: &App) -> String {
    catalog(app).selected_api(app.store()).expect("an API is selected").name.clone()
}

/// What the `:` command line holds, if it is open.
fn command_line(app: &App) -> Option<&str> {
    match &app.mode {
        Mode::Command(input) => Some(input.value()),
        _ => None,
    }
}

/// The request id of the single `LoadApiDetail` command just emitted, checking its API.
fn expect_detail_request(app: &mut App, api: &Api) -> u64 {
    match app.take_commands().as_slice() {
        [c] if job::<LoadDetail>(c).is_some_and(|j| *j.0 == *api) => request_of(c),
        other => panic!("expected one LoadApiDetail for {}, got {other:?}", api.name),
    }
}

fn footer(app: &mut App) -> String {
    screen(app).lines().last().unwrap_or_default().trim_end().to_string()
}

fn header(app: &mut App) -> String {
    screen(app).lines().next().unwrap_or_default().trim_end().to_string()
}

const SORTED_BY_NAME: [&str; 4] = ["inventory-api", "legacy-admin", "orders-api", "payments-api"];

// ---------------------------------------------------------------- loading

#[test]
fn start_loads_the_catalog_and_drops_stale_results() {
    let mut app = new_app(new_store(false));
    app.start();
    assert_eq!(app.take_commands(), vec![cmd(1, LoadApis)]);
    assert_eq!(app.take_commands(), vec![], "commands are handed out once");
    assert_eq!(app.store().catalog.apis, Loadable::Loading { request: 1 });
    assert!(screen(&mut app).contains("⠋ Loading APIs…"));

    // A result for another request is ignored.
    app.handle(done(7, ApisLoaded { result: Ok(vec![legacy_api()]), at: "10:14:00".into() }));
    assert_eq!(app.store().catalog.apis, Loadable::Loading { request: 1 });
    assert!(catalog(&app).rows().is_empty());
    assert_eq!(app.store().catalog.last_refresh, None);

    app.handle(done(1, ApisLoaded { result: Ok(apis()), at: "10:15:00".into() }));
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    assert_eq!(app.store().catalog.last_refresh.as_deref(), Some("10:15:00"));
    assert_eq!(header(&mut app), " portcullis apis │ profile dev │ region eu-west-1,us-east-1 │ refreshed 10:15:00");
    let text = screen(&mut app);
    assert!(text.contains("APIs (4)"), "{text}");
    assert!(text.contains("│payments-api"), "{text}");

    // The same request answered twice: the second answer is stale too.
    app.handle(done(1, ApisLoaded { result: Ok(vec![legacy_api()]), at: "10:16:00".into() }));
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    assert_eq!(app.store().catalog.last_refresh.as_deref(), Some("10:15:00"));
}

#[test]
fn a_failed_first_load_shows_the_error_and_ctrl_r_retries() {
    let mut app = new_app(new_store(false));
    app.start();
    app.take_commands();
    let error = "GetRestApis: could not reach the endpoint".to_string();
    app.handle(done(1, ApisLoaded { result: Err(error.clone()), at: "10:15:00".into() }));
    assert_eq!(app.store().catalog.apis, Loadable::Failed(error));
    let text = screen(&mut app);
    assert!(text.contains("✗ Could not load APIs"), "{text}");
    assert!(text.contains("GetRestApis: could not reach the endpoint"), "{text}");
    assert_eq!(app.store().catalog.last_refresh, None);

    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![cmd(2, LoadApis)]);
    assert_eq!(app.store().catalog.apis, Loadable::Loading { request: 2 });
}

// ---------------------------------------------------------------- fuzzy filter

#[test]
fn fuzzy_filter_narrows_widens_clears_and_keeps() {
    let mut app = loaded_app();
    char_key(&mut app, '/');
    assert!(matches!(app.mode, Mode::Filter(_)), "{:?}", app.mode);

    // Best match first: "or" starts orders-api's name but is inside inventory-api's.
    type_text(&mut app, "or");
    assert_eq!(shown_names(&app), ["orders-api", "inventory-api"]);
    type_text(&mut app, "de");
    assert_eq!(shown_names(&app), ["orders-api"]);
    let text = screen(&mut app);
    assert!(text.contains("APIs (1/4) /orde"), "{text}");
    assert!(text.contains("│orders-api"), "{text}");
    assert!(!text.contains("payments-api"), "{text}");
    assert_eq!(footer(&mut app), "/orde█   enter keep · esc clear");

    // Backspace widens again.
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(catalog(&app).view.filter, "or");
    assert_eq!(shown_names(&app), ["orders-api", "inventory-api"]);

    // Esc clears the filter and closes the input.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(catalog(&app).view.filter, "");
    assert_eq!(shown_names(&app), SORTED_BY_NAME);

    // Enter keeps the filter; normal keys work on the narrowed list.
    char_key(&mut app, '/');
    type_text(&mut app, "team-");
    let kept = shown_names(&app);
    assert_eq!(kept, ["orders-api", "payments-api"]);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(catalog(&app).view.filter, "team-");
    char_key(&mut app, 'j');
    assert_eq!(selected_name(&app), "payments-api");
    char_key(&mut app, 'j');
    assert_eq!(selected_name(&app), "payments-api", "the selection stays inside the filtered rows");
    let text = screen(&mut app);
    assert!(text.contains("APIs (2/4) /team-"), "{text}");
}

#[test]
fn typing_in_the_filter_does_not_trigger_bindings() {
    let mut app = loaded_app();
    char_key(&mut app, '/');
    type_text(&mut app, "qjd");
    assert!(!app.quit, "q is typed, not quit");
    assert_eq!(catalog(&app).view.filter, "qjd");
    assert_eq!(app.take_commands(), vec![], "d is typed, not open docs");
    assert_eq!(shown_names(&app), Vec::<String>::new());
    assert!(screen(&mut app).contains("APIs (0/4) /qjd"));
}

// ---------------------------------------------------------------- drill-down and back

#[test]
fn enter_loads_the_selected_api_and_caches_it() {
    let mut app = loaded_app();
    char_key(&mut app, 'j');
    char_key(&mut app, 'j');
    assert_eq!(selected_name(&app), "orders-api");
    press(&mut app, KeyCode::Enter);
    let orders = orders_api();
    assert_eq!(app.take_commands(), vec![cmd(2, LoadDetail(Box::new(orders.clone())))]);
    assert_eq!(detail(&app).api, api_ref(&orders));
    assert_eq!(detail(&app).pane, Pane::Resources);
    let text = screen(&mut app);
    assert!(text.contains("⠋ Loading routes…"), "{text}");
    assert!(text.contains("apis › api"), "{text}");

    app.handle(done(2, ApiDetailLoaded { api: api_ref(&orders), result: Ok(DetailData::Http(orders_routes())) }));
    let text = screen(&mut app);
    assert!(text.contains("GET     /orders"), "{text}");
    assert!(text.contains("POST    /orders"), "{text}");
    assert!(text.contains("orders-jwt"), "{text}");

    // Back and in again: the loaded detail is reused.
    press(&mut app, KeyCode::Esc);
    assert_on_the_list(&app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_commands(), vec![]);
    assert!(screen(&mut app).contains("GET     /orders"));
}

#[test]
fn drill_down_to_a_stage_and_back() {
    let mut app = loaded_app();
    let payments = payments_api();
    open_detail(&mut app, &payments, DetailData::Rest(payments_tree()));
    let text = screen(&mut app);
    assert!(text.contains("/payments/{paymentId}/refunds"), "{text}");
    assert!(text.contains("legacy-token"), "{text}");

    // j moves in the resources pane (rows: /, /health, GET /health, /payments, ...).
    char_key(&mut app, 'j');
    char_key(&mut app, 'j');
    let d = detail(&app);
    assert_eq!(d.pane, Pane::Resources);
    assert_eq!(d.resources.selected, 2);
    assert_eq!(d.stages.selected, 0);
    // Enter on a resource row does nothing.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.stack.len(), 2);

    // Tab: the stages pane, where j moves the stage selection.
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, 'j');
    let d = detail(&app);
    assert_eq!(d.pane, Pane::Stages);
    assert_eq!(d.resources.selected, 2, "the resources selection is kept");
    assert_eq!(d.stages.selected, 1);

    press(&mut app, KeyCode::Enter);
    assert_stage(&app, &payments, "staging");
    let text = screen(&mut app);
    assert!(text.contains("payments-api › stage staging"), "{text}");
    assert!(text.contains("execution logs  ERROR"), "{text}");
    assert!(text.contains("lambdaAlias     beta"), "{text}");
    assert!(header(&mut app).starts_with(" portcullis apis › api › stage staging │"));

    // Esc pops one screen at a time; the detail keeps its pane and selection.
    press(&mut app, KeyCode::Esc);
    let d = detail(&app);
    assert_eq!(d.pane, Pane::Stages);
    assert_eq!(d.stages.selected, 1);
    press(&mut app, KeyCode::Esc);
    assert_on_the_list(&app);
    assert_eq!(selected_name(&app), "payments-api", "the list selection is kept");
    press(&mut app, KeyCode::Esc);
    assert_on_the_list(&app);
    assert!(!app.quit);
}

#[test]
fn esc_at_the_root_clears_a_kept_filter() {
    let mut app = loaded_app();
    char_key(&mut app, '/');
    type_text(&mut app, "inv");
    press(&mut app, KeyCode::Enter);
    assert_eq!(shown_names(&app), ["inventory-api"]);

    // Into the detail and back: the filter is still there.
    let inventory = inventory_api();
    press(&mut app, KeyCode::Enter);
    expect_detail_request(&mut app, &inventory);
    press(&mut app, KeyCode::Esc);
    // Leaving while the detail loads stops that load.
    assert_eq!(app.take_commands(), vec![Command::Cancel(Slot::Detail(api_ref(&inventory)))]);
    assert_eq!(catalog(&app).view.filter, "inv");
    assert_eq!(shown_names(&app), ["inventory-api"]);

    // At the root esc clears it.
    press(&mut app, KeyCode::Esc);
    assert_eq!(catalog(&app).view.filter, "");
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    assert!(screen(&mut app).contains("APIs (4)"));
}

#[test]
fn the_detail_and_docs_lists_filter_too() {
    let mut app = loaded_app();
    let payments = payments_api();
    open_detail(&mut app, &payments, DetailData::Rest(payments_tree()));

    // Resources: method rows match on verb, path, authorization and integration.
    char_key(&mut app, '/');
    type_text(&mut app, "custom");
    press(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("┌ resources /custom "), "{text}");
    let shown: Vec<&str> = text.lines().filter(|l| l.contains("HTTP_PROXY") || l.contains("AWS_PROXY")).collect();
    assert_eq!(shown.len(), 1, "{text}");
    assert!(shown[0].contains("POST") && shown[0].contains("legacy-token"), "{text}");
    assert!(!text.contains("/health"), "{text}");

    // The stages pane filters too, and enter opens the stage that is shown selected.
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, '/');
    assert!(matches!(app.mode, Mode::Filter(_)), "{:?}", app.mode);
    type_text(&mut app, "stag");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert!(screen(&mut app).contains("stages (1) /stag"), "{}", screen(&mut app));
    press(&mut app, KeyCode::Enter);
    assert_stage(&app, &payments, "staging");
    press(&mut app, KeyCode::Esc);

    // Back on the resources pane the kept filter is still there; esc leaves the screen.
    press(&mut app, KeyCode::Tab);
    assert!(screen(&mut app).contains("┌ resources /custom "));
    press(&mut app, KeyCode::Esc);
    assert_on_the_list(&app);

    // Docs: the filter narrows the document's lines.
    char_key(&mut app, 'd');
    answer_docs(&mut app, &payments, "prod", doc_lines());
    char_key(&mut app, '/');
    type_text(&mut app, "Payment id");
    let text = screen(&mut app);
    assert!(text.contains("docs: payments-api (prod) /Payment id"), "{text}");
    assert!(text.contains("paymentId (path, required) string — Payment id"), "{text}");
    assert!(!text.contains("listPayments"), "{text}");
}

// ---------------------------------------------------------------- docs

#[test]
fn d_loads_the_docs_of_the_first_stage_or_the_selected_one() {
    let mut app = loaded_app();
    let payments = payments_api();
    select_api(&mut app, "payments-api");
    char_key(&mut app, 'd');
    assert_eq!(app.take_commands(), vec![cmd(2, LoadDocs { api: Box::new(payments.clone()), stage: "prod".into() })]);
    assert!(screen(&mut app).contains("Loading the API definition…"));

    // A result for another stage is not this screen's.
    let other = done(2, DocsLoaded { api: api_ref(&payments), stage: "dev".into(), result: Ok(vec![]) });
    app.handle(other);
    assert!(app.store().catalog.docs.get(&(api_ref(&payments), "prod".into())).is_some_and(Loadable::is_loading));

    app.handle(done(2, DocsLoaded { api: api_ref(&payments), stage: "prod".into(), result: Ok(doc_lines()) }));
    let text = screen(&mut app);
    assert!(text.contains("docs: payments-api (prod)"), "{text}");
    assert!(text.contains("Payments API"), "{text}");
    assert!(text.contains("GET /payments  listPayments — List payments"), "{text}");

    // From the detail's stages pane, docs follow the selected stage.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    assert_eq!(expect_detail_request(&mut app, &payments), 3);
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, 'G');
    char_key(&mut app, 'd');
    assert_eq!(app.take_commands(), vec![cmd(4, LoadDocs { api: Box::new(payments.clone()), stage: "dev".into() })]);

    // Leaving the docs while they load stops that load.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.take_commands(), vec![Command::Cancel(Slot::Docs(api_ref(&payments), "dev".into()))]);

    // From a stage screen, docs are that stage's.
    char_key(&mut app, 'k');
    press(&mut app, KeyCode::Enter);
    assert_stage(&app, &payments, "staging");
    char_key(&mut app, 'd');
    assert_eq!(app.take_commands(), vec![cmd(5, LoadDocs { api: Box::new(payments), stage: "staging".into() })]);
    assert_eq!(app.screen::<DocsScreen>().expect("the docs screen is on top").stage, "staging");
}

#[test]
fn d_on_an_api_without_stages_explains_why_there_are_no_docs() {
    let mut app = loaded_app();
    select_api(&mut app, "legacy-admin");
    char_key(&mut app, 'd');
    assert_eq!(app.take_commands(), vec![]);
    assert_on_the_list(&app);
    assert_eq!(footer(&mut app), " ✗ this API has no deployed stage: its documentation is exported from a stage");
    // The next action clears the message.
    char_key(&mut app, 'k');
    assert_eq!(app.shared.status, None);
}

// ---------------------------------------------------------------- command line

#[test]
fn command_line_completes_jumps_and_reports_errors() {
    let mut app = loaded_app();
    char_key(&mut app, ':');
    assert_eq!(command_line(&app), Some(""));
    type_text(&mut app, "fi");
    assert_eq!(command_line(&app), Some("fi"));
    press(&mut app, KeyCode::Tab);
    assert_eq!(command_line(&app), Some("findings"));
    assert!(footer(&mut app).starts_with(":findings█"));

    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert!(
        app.screen::<portcullis::tui::screens::findings::FindingsScreen>().is_some(),
        "the findings screen is on top"
    );
    let text = screen(&mut app);
    assert!(text.contains("apis › findings") && text.contains("Loading the findings"), "{text}");

    command(&mut app, "apis");
    assert_on_the_list(&app);
    assert!(screen(&mut app).contains("APIs (4)"));

    command(&mut app, "zzz");
    assert_eq!(app.shared.status, Some(Status::Error("unknown command `:zzz`; try :apis, :help".into())));
    assert_eq!(footer(&mut app), " ✗ unknown command `:zzz`; try :apis, :help");
    assert_on_the_list(&app);

    command(&mut app, "p");
    assert_eq!(app.shared.status, Some(Status::Error("`:p` is ambiguous: plans, partners".into())));

    // Esc and a backspace on empty input close the command line without running anything.
    char_key(&mut app, ':');
    type_text(&mut app, "q");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.quit);
    char_key(&mut app, ':');
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.mode, Mode::Normal);

    char_key(&mut app, ':');
    type_text(&mut app, "q");
    assert!(!app.quit, "q is typed into the command line");
    press(&mut app, KeyCode::Enter);
    assert!(app.quit);
}

// ---------------------------------------------------------------- sort

#[test]
fn s_cycles_the_sort_column_and_shift_s_reverses() {
    let mut app = loaded_app();
    assert_eq!(catalog(&app).sort, ApiSort::Name);
    assert!(screen(&mut app).contains("NAME ▲"));

    char_key(&mut app, 's');
    assert_eq!(catalog(&app).sort, ApiSort::Id);
    // Ids: a1b2c3d4e5 payments, h7t7k9q2r1 orders, q1w2e3r4t5 legacy, z9y8x7w6v5 inventory.
    assert_eq!(shown_names(&app), ["payments-api", "orders-api", "legacy-admin", "inventory-api"]);
    let text = screen(&mut app);
    assert!(text.contains("ID ▲"), "{text}");
    assert!(!text.contains("NAME ▲"), "{text}");

    char_key(&mut app, 'S');
    assert!(catalog(&app).view.sort_reverse);
    assert_eq!(shown_names(&app), ["inventory-api", "legacy-admin", "orders-api", "payments-api"]);
    assert!(screen(&mut app).contains("ID ▼"));

    // Kind: http before rest, ties by name; still reversed.
    char_key(&mut app, 's');
    assert_eq!(catalog(&app).sort, ApiSort::Kind);
    assert_eq!(shown_names(&app), ["payments-api", "legacy-admin", "inventory-api", "orders-api"]);
    char_key(&mut app, 'S');
    assert_eq!(shown_names(&app), ["orders-api", "inventory-api", "legacy-admin", "payments-api"]);

    // Owner (past region, endpoint and stages): the owner tag, else the team tag; none sorts first.
    for _ in 0..4 {
        char_key(&mut app, 's');
    }
    assert_eq!(catalog(&app).sort, ApiSort::Owner);
    assert_eq!(shown_names(&app), ["legacy-admin", "orders-api", "payments-api", "inventory-api"]);

    // Created, then round to Name again.
    char_key(&mut app, 's');
    assert_eq!(catalog(&app).sort, ApiSort::Created);
    assert_eq!(shown_names(&app), ["legacy-admin", "inventory-api", "payments-api", "orders-api"]);
    char_key(&mut app, 's');
    assert_eq!(catalog(&app).sort, ApiSort::Name);
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
}

// ---------------------------------------------------------------- help

#[test]
fn help_is_generated_from_the_keymap() {
    let mut app = loaded_app();
    char_key(&mut app, '?');
    assert_eq!(app.stack.len(), 2, "help opens on top of the list");
    assert_eq!(app.screen::<HelpScreen>().expect("the help screen is on top").view, ListView::default());
    let text = screen(&mut app);
    for expected in ["Everywhere", "q/ctrl-c", "ctrl-r", "refresh", "fuzzy filter", "Lists (apis)"] {
        assert!(text.contains(expected), "help lacks {expected:?}:\n{text}");
    }
    let refresh_row = text.lines().find(|l| l.contains("ctrl-r")).unwrap();
    assert!(refresh_row.contains("refresh"), "{refresh_row}");

    // In help, ? toggles it closed and q goes back instead of quitting.
    char_key(&mut app, '?');
    assert_on_the_list(&app);
    char_key(&mut app, '?');
    assert_eq!(app.stack.len(), 2);
    char_key(&mut app, 'q');
    assert!(!app.quit);
    assert_on_the_list(&app);
}

// ---------------------------------------------------------------- refresh

#[test]
fn refresh_keeps_the_list_and_a_failed_refresh_keeps_it_too() {
    let mut app = loaded_app();
    select_api(&mut app, "orders-api");
    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![cmd(2, LoadApis)]);
    assert_eq!(app.store().catalog.refresh, Some(2));
    assert!(app.store().catalog.apis.loaded().is_some(), "the list stays while refreshing");
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    let text = screen(&mut app);
    assert!(text.contains("│orders-api"), "{text}");
    assert!(header(&mut app).contains("│ ⠋ loading │ refreshed 10:15:00"));

    let error = "GetRestApis: could not reach the endpoint".to_string();
    app.handle(done(2, ApisLoaded { result: Err(error), at: "10:20:00".into() }));
    assert_eq!(app.store().catalog.refresh, None);
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    assert_eq!(selected_name(&app), "orders-api");
    assert_eq!(app.store().catalog.last_refresh.as_deref(), Some("10:15:00"), "a failed refresh is no refresh");
    assert_eq!(footer(&mut app), " ✗ refresh failed: GetRestApis: could not reach the endpoint");
    let text = screen(&mut app);
    assert!(text.contains("APIs (4)"), "{text}");
    assert!(!text.contains("loading"), "{text}");

    // A successful refresh replaces the list.
    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![cmd(3, LoadApis)]);
    assert_eq!(app.shared.status, None, "the next action clears the error");
    app.handle(done(3, ApisLoaded { result: Ok(vec![orders_api(), legacy_api()]), at: "10:21:00".into() }));
    assert_eq!(shown_names(&app), ["legacy-admin", "orders-api"]);
    assert_eq!(app.store().catalog.last_refresh.as_deref(), Some("10:21:00"));
    assert!(screen(&mut app).contains("APIs (2)"));
}

#[test]
fn only_the_latest_refresh_counts() {
    let mut app = loaded_app();
    ctrl(&mut app, 'r');
    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![cmd(2, LoadApis), cmd(3, LoadApis)]);
    app.handle(done(2, ApisLoaded { result: Ok(vec![legacy_api()]), at: "10:20:00".into() }));
    assert_eq!(shown_names(&app), SORTED_BY_NAME, "the superseded refresh is dropped");
    assert_eq!(app.store().catalog.refresh, Some(3));
    app.handle(done(3, ApisLoaded { result: Ok(vec![orders_api()]), at: "10:21:00".into() }));
    assert_eq!(shown_names(&app), ["orders-api"]);
}

#[test]
fn stale_detail_results_are_dropped() {
    let mut app = loaded_app();
    let payments = payments_api();
    select_api(&mut app, "payments-api");
    press(&mut app, KeyCode::Enter);
    assert_eq!(expect_detail_request(&mut app, &payments), 2);
    // ctrl-r on the detail screen reloads it (a new request).
    ctrl(&mut app, 'r');
    assert_eq!(expect_detail_request(&mut app, &payments), 3);

    let old = DetailData::Rest(payments_tree().into_iter().take(1).collect());
    app.handle(done(2, ApiDetailLoaded { api: api_ref(&payments), result: Ok(old) }));
    assert_eq!(app.store().catalog.details[&api_ref(&payments)], Loadable::Loading { request: 3 });
    assert!(screen(&mut app).contains("⠋ Loading resources…"));

    // A result for an API that was never opened is dropped as well.
    let orders = orders_api();
    app.handle(done(3, ApiDetailLoaded { api: api_ref(&orders), result: Ok(DetailData::Http(vec![])) }));
    assert!(!app.store().catalog.details.contains_key(&api_ref(&orders)));

    app.handle(done(3, ApiDetailLoaded { api: api_ref(&payments), result: Ok(DetailData::Rest(payments_tree())) }));
    assert_eq!(app.store().catalog.details[&api_ref(&payments)], Loadable::Loaded(DetailData::Rest(payments_tree())));
    let text = screen(&mut app);
    assert!(text.contains("/payments/{paymentId}/refunds"), "{text}");

    // A failure shows in the pane.
    ctrl(&mut app, 'r');
    let request = expect_detail_request(&mut app, &payments);
    app.handle(done(request, ApiDetailLoaded { api: api_ref(&payments), result: Err("GetResources: denied".into()) }));
    let text = screen(&mut app);
    assert!(text.contains("✗ Could not load resources"), "{text}");
    assert!(text.contains("GetResources: denied"), "{text}");
}

// ---------------------------------------------------------------- mouse

#[test]
fn mouse_scroll_moves_the_selection() {
    let mut app = app_with(many_apis(12));
    assert_eq!(catalog(&app).view.selected, 0);
    scroll(&mut app, MouseEventKind::ScrollDown);
    assert_eq!(catalog(&app).view.selected, 3);
    assert_eq!(selected_name(&app), "svc-03");
    scroll(&mut app, MouseEventKind::ScrollDown);
    scroll(&mut app, MouseEventKind::ScrollDown);
    scroll(&mut app, MouseEventKind::ScrollDown);
    assert_eq!(selected_name(&app), "svc-11", "clamped at the last row");
    scroll(&mut app, MouseEventKind::ScrollUp);
    assert_eq!(selected_name(&app), "svc-08");

    // The drawn highlight follows: rows start at y = 3 (header bar, border, column headers).
    let terminal = render(&mut app);
    let buffer = terminal.backend().buffer();
    let row = row_of(buffer, "│svc-08");
    assert_eq!(row, 3 + 8);
    assert_eq!(buffer[(5, row)].bg, Styles::default().row_selected.bg.unwrap());
    assert_ne!(buffer[(5, row - 1)].bg, Styles::default().row_selected.bg.unwrap());

    scroll(&mut app, MouseEventKind::ScrollUp);
    scroll(&mut app, MouseEventKind::ScrollUp);
    scroll(&mut app, MouseEventKind::ScrollUp);
    assert_eq!(catalog(&app).view.selected, 0);
}

#[test]
fn page_keys_use_the_drawn_height() {
    let mut app = app_with(many_apis(40));
    render(&mut app);
    // 30 rows: header bar, footer, two borders, column headers leave 25 (the list keeps the
    // height of its last frame: what `app.page` used to hold).
    assert_eq!(catalog(&app).view.page(), 25);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(catalog(&app).view.selected, 25);
    char_key(&mut app, 'G');
    assert_eq!(catalog(&app).view.selected, 39);
    let text = screen(&mut app);
    assert!(text.contains("│svc-39"), "{text}");
    assert!(!text.contains("│svc-00"), "{text}");
    ctrl(&mut app, 'b');
    assert_eq!(catalog(&app).view.selected, 14);
}

// ---------------------------------------------------------------- keymap and lifecycle

#[test]
fn a_user_keymap_changes_the_quit_key() {
    let keymap = Keymap::with_overrides("keymap.toml", "[global]\nquit = [\"x\"]\n").expect("valid override");
    let mut app = loaded_app();
    app.shared.keymap = keymap;
    char_key(&mut app, 'q');
    assert!(!app.quit, "q no longer quits");
    assert!(footer(&mut app).contains("<x> quit"));

    char_key(&mut app, '?');
    let help_row = screen(&mut app).lines().find(|l| l.contains(" quit")).map(str::to_string);
    assert_eq!(
        help_row.as_deref().map(|r| r.split_whitespace().take(3).collect::<Vec<_>>()),
        Some(vec!["│", "x", "quit"])
    );
    press(&mut app, KeyCode::Esc);

    char_key(&mut app, 'x');
    assert!(app.quit);
}

#[test]
fn ctrl_c_quits_and_releases_and_terminate_are_handled() {
    let mut app = loaded_app();
    app.handle(Message::Key(KeyEvent::new_with_kind(KeyCode::Char('q'), KeyModifiers::NONE, KeyEventKind::Release)));
    assert!(!app.quit, "key releases are ignored");
    ctrl(&mut app, 'c');
    assert!(app.quit);

    let mut app = loaded_app();
    app.handle(Message::Terminate);
    assert!(app.quit);
}

/// Commands are no longer messages (nothing can be fed to `handle` to queue one): what is
/// sent waits in the outbox, in order, until taken once.
#[test]
fn commands_sent_go_to_the_outbox() {
    let mut app = loaded_app();
    assert_eq!(app.shared.send(|request| cmd(request, LoadApis)), 2);
    app.shared.outbox.push(Command::Cancel(Slot::Apis));
    assert_eq!(app.take_commands(), vec![cmd(2, LoadApis), Command::Cancel(Slot::Apis)]);
    assert_eq!(app.take_commands(), vec![]);
}

/// A new catalog whose order differs keeps the API that was selected (not the row number).
#[test]
fn a_new_catalog_keeps_the_selected_api_when_its_row_moves() {
    let mut app = app_with(vec![payments_api(), legacy_api()]);
    select_api(&mut app, "payments-api");
    ctrl(&mut app, 'r');
    let request = app.take_commands()[0].request();
    let fresh = vec![orders_api(), inventory_api(), payments_api()];
    app.handle(done(request, ApisLoaded { result: Ok(fresh), at: "10:30:00".into() }));
    assert_eq!(selected_name(&app), "payments-api");
}

/// Jumping to an API in the catalog after the catalog changed while another screen was on
/// top: the catalog catches up first (it used to index the old rows into the new list).
#[test]
fn jumping_to_an_api_after_the_catalog_shrank_elsewhere() {
    use portcullis::tui::screens::{Nav, Target, catalog::load_apis, help::HelpScreen};
    let mut app = app_with(vec![payments_api(), orders_api(), legacy_api(), inventory_api()]);
    select_api(&mut app, "payments-api");
    let help = HelpScreen::open(&app.shared.keymap);
    app.navigate(Nav::Push(help));
    load_apis(&mut app.shared);
    let request = app.take_commands()[0].request();
    app.handle(done(request, ApisLoaded { result: Ok(vec![orders_api()]), at: "10:31:00".into() }));
    app.navigate(Nav::Go(Target::ApiInCatalog(api_ref(&orders_api()))));
    assert_eq!(app.stack.len(), 2, "the catalog, then the API's detail");
    assert_eq!(selected_name(&app), "orders-api");
}
