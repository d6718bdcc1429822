//! The controller driven by keys, mouse events and results: the commands it emits,
//! the state it reaches and the screen it draws.

mod tui_fixtures;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use portcullis::domain::Api;
use portcullis::tui::app::App;
use portcullis::tui::keymap::Keymap;
use portcullis::tui::message::Message;
use portcullis::tui::state::{ApiSort, AppState, DetailData, Loadable, Mode, Pane, Screen, Status};
use portcullis::tui::theme::Styles;
use tui_fixtures::*;

// ---------------------------------------------------------------- input helpers

fn key_with(code: KeyCode, modifiers: KeyModifiers) -> Message {
    Message::Key(KeyEvent::new(code, modifiers))
}

fn press(app: &mut App, code: KeyCode) {
    app.handle(key_with(code, KeyModifiers::NONE));
}

fn char_key(app: &mut App, c: char) {
    let modifiers = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
    app.handle(key_with(KeyCode::Char(c), modifiers));
}

fn ctrl(app: &mut App, c: char) {
    app.handle(key_with(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        char_key(app, c);
    }
}

fn scroll(app: &mut App, kind: MouseEventKind) {
    app.handle(Message::Mouse(MouseEvent { kind, column: 10, row: 5, modifiers: KeyModifiers::NONE }));
}

// ---------------------------------------------------------------- app helpers

/// A started app whose first load has been answered with `apis`.
fn app_with(apis: Vec<Api>, keymap: Keymap) -> App {
    let mut app = App::new(AppState::new(connection(false)), keymap, Styles::default());
    app.start();
    assert_eq!(app.take_commands(), vec![Message::LoadApis { request: 1 }]);
    app.handle(Message::ApisLoaded { request: 1, result: Ok(apis), at: "10:15:00".into() });
    app
}

fn loaded_app() -> App {
    app_with(apis(), Keymap::default_map())
}

/// Names of the API list's rows, in display order.
fn shown_names(app: &App) -> Vec<String> {
    let apis = app.state.apis.loaded().expect("APIs are loaded");
    app.state.api_rows.iter().map(|&i| apis[i].name.clone()).collect()
}

fn selected_name(app: &App) -> String {
    app.state.selected_api().expect("an API is selected").name.clone()
}

/// Select the API named `name` with j/k.
fn select_api(app: &mut App, name: &str) {
    let target = shown_names(app).iter().position(|n| n == name).expect("the API is listed");
    char_key(app, 'g');
    for _ in 0..target {
        char_key(app, 'j');
    }
    assert_eq!(selected_name(app), name);
}

/// The request id of the single `LoadApiDetail` command just emitted, checking its API.
fn expect_detail_request(app: &mut App, api: &Api) -> u64 {
    match app.take_commands().as_slice() {
        [Message::LoadApiDetail { request, api: a }] if **a == *api => *request,
        other => panic!("expected one LoadApiDetail for {}, got {other:?}", api.name),
    }
}

/// Open `api`'s detail screen and answer the load with `data`.
fn open_detail(app: &mut App, api: &Api, data: DetailData) {
    select_api(app, &api.name);
    press(app, KeyCode::Enter);
    let request = expect_detail_request(app, api);
    app.handle(Message::ApiDetailLoaded { request, api: api_ref(api), result: Ok(data) });
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
    let mut app = App::new(AppState::new(connection(false)), Keymap::default_map(), Styles::default());
    app.start();
    assert_eq!(app.take_commands(), vec![Message::LoadApis { request: 1 }]);
    assert_eq!(app.take_commands(), vec![], "commands are handed out once");
    assert_eq!(app.state.apis, Loadable::Loading { request: 1 });
    assert!(screen(&mut app).contains("⠋ Loading APIs…"));

    // A result for another request is ignored.
    app.handle(Message::ApisLoaded { request: 7, result: Ok(vec![legacy_api()]), at: "10:14:00".into() });
    assert_eq!(app.state.apis, Loadable::Loading { request: 1 });
    assert!(app.state.api_rows.is_empty());
    assert_eq!(app.state.last_refresh, None);

    app.handle(Message::ApisLoaded { request: 1, result: Ok(apis()), at: "10:15:00".into() });
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    assert_eq!(app.state.last_refresh.as_deref(), Some("10:15:00"));
    assert_eq!(header(&mut app), " portcullis apis │ profile dev │ region eu-west-1,us-east-1 │ refreshed 10:15:00");
    let text = screen(&mut app);
    assert!(text.contains("APIs (4)"), "{text}");
    assert!(text.contains("│payments-api"), "{text}");

    // The same request answered twice: the second answer is stale too.
    app.handle(Message::ApisLoaded { request: 1, result: Ok(vec![legacy_api()]), at: "10:16:00".into() });
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    assert_eq!(app.state.last_refresh.as_deref(), Some("10:15:00"));
}

#[test]
fn a_failed_first_load_shows_the_error_and_ctrl_r_retries() {
    let mut app = App::new(AppState::new(connection(false)), Keymap::default_map(), Styles::default());
    app.start();
    app.take_commands();
    let error = "GetRestApis: could not reach the endpoint".to_string();
    app.handle(Message::ApisLoaded { request: 1, result: Err(error.clone()), at: "10:15:00".into() });
    assert_eq!(app.state.apis, Loadable::Failed(error));
    let text = screen(&mut app);
    assert!(text.contains("✗ Could not load APIs"), "{text}");
    assert!(text.contains("GetRestApis: could not reach the endpoint"), "{text}");
    assert_eq!(app.state.last_refresh, None);

    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![Message::LoadApis { request: 2 }]);
    assert_eq!(app.state.apis, Loadable::Loading { request: 2 });
}

// ---------------------------------------------------------------- fuzzy filter

#[test]
fn fuzzy_filter_narrows_widens_clears_and_keeps() {
    let mut app = loaded_app();
    char_key(&mut app, '/');
    assert_eq!(app.state.mode, Mode::Filter);

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
    assert_eq!(app.state.api_view.filter, "or");
    assert_eq!(shown_names(&app), ["orders-api", "inventory-api"]);

    // Esc clears the filter and closes the input.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.mode, Mode::Normal);
    assert_eq!(app.state.api_view.filter, "");
    assert_eq!(shown_names(&app), SORTED_BY_NAME);

    // Enter keeps the filter; normal keys work on the narrowed list.
    char_key(&mut app, '/');
    type_text(&mut app, "team-");
    let kept = shown_names(&app);
    assert_eq!(kept, ["orders-api", "payments-api"]);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.mode, Mode::Normal);
    assert_eq!(app.state.api_view.filter, "team-");
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
    assert_eq!(app.state.api_view.filter, "qjd");
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
    assert_eq!(app.take_commands(), vec![Message::LoadApiDetail { request: 2, api: Box::new(orders.clone()) }]);
    assert!(
        matches!(app.state.screen(), Screen::ApiDetail { api, pane: Pane::Resources, .. } if *api == api_ref(&orders))
    );
    let text = screen(&mut app);
    assert!(text.contains("⠋ Loading routes…"), "{text}");
    assert!(text.contains("apis › api"), "{text}");

    app.handle(Message::ApiDetailLoaded {
        request: 2,
        api: api_ref(&orders),
        result: Ok(DetailData::Http(orders_routes())),
    });
    let text = screen(&mut app);
    assert!(text.contains("GET    /orders"), "{text}");
    assert!(text.contains("POST   /orders"), "{text}");
    assert!(text.contains("orders-jwt"), "{text}");

    // Back and in again: the loaded detail is reused.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.stack, vec![Screen::ApiList]);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_commands(), vec![]);
    assert!(screen(&mut app).contains("GET    /orders"));
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
    match app.state.screen() {
        Screen::ApiDetail { pane, resources, stages, .. } => {
            assert_eq!(*pane, Pane::Resources);
            assert_eq!(resources.selected, 2);
            assert_eq!(stages.selected, 0);
        }
        other => panic!("expected the detail screen, got {other:?}"),
    }
    // Enter on a resource row does nothing.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.stack.len(), 2);

    // Tab: the stages pane, where j moves the stage selection.
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, 'j');
    match app.state.screen() {
        Screen::ApiDetail { pane, resources, stages, .. } => {
            assert_eq!(*pane, Pane::Stages);
            assert_eq!(resources.selected, 2, "the resources selection is kept");
            assert_eq!(stages.selected, 1);
        }
        other => panic!("expected the detail screen, got {other:?}"),
    }

    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.screen(), &Screen::Stage { api: api_ref(&payments), stage: "staging".into(), scroll: 0 });
    let text = screen(&mut app);
    assert!(text.contains("payments-api › stage staging"), "{text}");
    assert!(text.contains("execution logs  ERROR"), "{text}");
    assert!(text.contains("lambdaAlias     beta"), "{text}");
    assert!(header(&mut app).starts_with(" portcullis apis › api › stage staging │"));

    // Esc pops one screen at a time; the detail keeps its pane and selection.
    press(&mut app, KeyCode::Esc);
    match app.state.screen() {
        Screen::ApiDetail { pane, stages, .. } => {
            assert_eq!(*pane, Pane::Stages);
            assert_eq!(stages.selected, 1);
        }
        other => panic!("expected the detail screen, got {other:?}"),
    }
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.stack, vec![Screen::ApiList]);
    assert_eq!(selected_name(&app), "payments-api", "the list selection is kept");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.stack, vec![Screen::ApiList]);
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
    press(&mut app, KeyCode::Enter);
    expect_detail_request(&mut app, &inventory_api());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.api_view.filter, "inv");
    assert_eq!(shown_names(&app), ["inventory-api"]);

    // At the root esc clears it.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.api_view.filter, "");
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
    assert_eq!(app.state.mode, Mode::Filter);
    type_text(&mut app, "stag");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.mode, Mode::Normal);
    assert!(screen(&mut app).contains("stages (1) /stag"), "{}", screen(&mut app));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.screen(), &Screen::Stage { api: api_ref(&payments), stage: "staging".into(), scroll: 0 });
    press(&mut app, KeyCode::Esc);

    // Back on the resources pane the kept filter is still there; esc leaves the screen.
    press(&mut app, KeyCode::Tab);
    assert!(screen(&mut app).contains("┌ resources /custom "));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.stack, vec![Screen::ApiList]);

    // Docs: the filter narrows the document's lines.
    char_key(&mut app, 'd');
    let request = match app.take_commands().as_slice() {
        [Message::LoadDocs { request, .. }] => *request,
        other => panic!("expected LoadDocs, got {other:?}"),
    };
    app.handle(Message::DocsLoaded { request, api: api_ref(&payments), stage: "prod".into(), result: Ok(doc_lines()) });
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
    assert_eq!(
        app.take_commands(),
        vec![Message::LoadDocs { request: 2, api: Box::new(payments.clone()), stage: "prod".into() }]
    );
    assert!(screen(&mut app).contains("Loading the API definition…"));

    // A result for another stage is not this screen's.
    let other = Message::DocsLoaded { request: 2, api: api_ref(&payments), stage: "dev".into(), result: Ok(vec![]) };
    app.handle(other);
    assert!(app.state.docs.get(&(api_ref(&payments), "prod".into())).is_some_and(Loadable::is_loading));

    app.handle(Message::DocsLoaded {
        request: 2,
        api: api_ref(&payments),
        stage: "prod".into(),
        result: Ok(doc_lines()),
    });
    let text = screen(&mut app);
    assert!(text.contains("docs: payments-api (prod)"), "{text}");
    assert!(text.contains("Payments API"), "{text}");
    assert!(text.contains("GET /payments  listPayments — List payments"), "{text}");

    // From the detail's stages pane, docs follow the selected stage.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    let detail = expect_detail_request(&mut app, &payments);
    assert_eq!(detail, 3);
    press(&mut app, KeyCode::Tab);
    char_key(&mut app, 'G');
    char_key(&mut app, 'd');
    assert_eq!(
        app.take_commands(),
        vec![Message::LoadDocs { request: 4, api: Box::new(payments.clone()), stage: "dev".into() }]
    );

    // From a stage screen, docs are that stage's.
    press(&mut app, KeyCode::Esc);
    char_key(&mut app, 'k');
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.screen(), &Screen::Stage { api: api_ref(&payments), stage: "staging".into(), scroll: 0 });
    char_key(&mut app, 'd');
    assert_eq!(
        app.take_commands(),
        vec![Message::LoadDocs { request: 5, api: Box::new(payments), stage: "staging".into() }]
    );
    assert!(matches!(app.state.screen(), Screen::Docs { stage, .. } if stage == "staging"));
}

#[test]
fn d_on_an_api_without_stages_explains_why_there_are_no_docs() {
    let mut app = loaded_app();
    select_api(&mut app, "legacy-admin");
    char_key(&mut app, 'd');
    assert_eq!(app.take_commands(), vec![]);
    assert_eq!(app.state.stack, vec![Screen::ApiList]);
    assert_eq!(footer(&mut app), " ✗ this API has no deployed stage: its documentation is exported from a stage");
    // The next action clears the message.
    char_key(&mut app, 'k');
    assert_eq!(app.state.status, None);
}

// ---------------------------------------------------------------- command line

#[test]
fn command_line_completes_jumps_and_reports_errors() {
    let mut app = loaded_app();
    char_key(&mut app, ':');
    assert_eq!(app.state.mode, Mode::Command(String::new()));
    type_text(&mut app, "fi");
    assert_eq!(app.state.mode, Mode::Command("fi".into()));
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.state.mode, Mode::Command("findings".into()));
    assert!(footer(&mut app).starts_with(":findings█"));

    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.mode, Mode::Normal);
    assert_eq!(app.state.screen(), &Screen::NotBuilt { name: "findings".into() });
    let text = screen(&mut app);
    assert!(text.contains("The findings screen is not built yet; it is planned for a later release."), "{text}");
    assert!(text.contains("apis › findings"), "{text}");

    char_key(&mut app, ':');
    type_text(&mut app, "apis");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.stack, vec![Screen::ApiList]);
    assert!(screen(&mut app).contains("APIs (4)"));

    char_key(&mut app, ':');
    type_text(&mut app, "zzz");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.status, Some(Status::Error("unknown command `:zzz`; try :apis, :help".into())));
    assert_eq!(footer(&mut app), " ✗ unknown command `:zzz`; try :apis, :help");
    assert_eq!(app.state.stack, vec![Screen::ApiList]);

    char_key(&mut app, ':');
    type_text(&mut app, "p");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.status, Some(Status::Error("`:p` is ambiguous: plans, partners".into())));

    // Esc and a backspace on empty input close the command line without running anything.
    char_key(&mut app, ':');
    type_text(&mut app, "q");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.state.mode, Mode::Normal);
    assert!(!app.quit);
    char_key(&mut app, ':');
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.state.mode, Mode::Normal);

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
    assert_eq!(app.state.api_sort, ApiSort::Name);
    assert!(screen(&mut app).contains("NAME ▲"));

    char_key(&mut app, 's');
    assert_eq!(app.state.api_sort, ApiSort::Id);
    // Ids: a1b2c3d4e5 payments, h7t7k9q2r1 orders, q1w2e3r4t5 legacy, z9y8x7w6v5 inventory.
    assert_eq!(shown_names(&app), ["payments-api", "orders-api", "legacy-admin", "inventory-api"]);
    let text = screen(&mut app);
    assert!(text.contains("ID ▲"), "{text}");
    assert!(!text.contains("NAME ▲"), "{text}");

    char_key(&mut app, 'S');
    assert!(app.state.api_view.sort_reverse);
    assert_eq!(shown_names(&app), ["inventory-api", "legacy-admin", "orders-api", "payments-api"]);
    assert!(screen(&mut app).contains("ID ▼"));

    // Kind: http before rest, ties by name; still reversed.
    char_key(&mut app, 's');
    assert_eq!(app.state.api_sort, ApiSort::Kind);
    assert_eq!(shown_names(&app), ["payments-api", "legacy-admin", "inventory-api", "orders-api"]);
    char_key(&mut app, 'S');
    assert_eq!(shown_names(&app), ["orders-api", "inventory-api", "legacy-admin", "payments-api"]);

    // Owner (past region, endpoint and stages): the owner tag, else the team tag; none sorts first.
    for _ in 0..4 {
        char_key(&mut app, 's');
    }
    assert_eq!(app.state.api_sort, ApiSort::Owner);
    assert_eq!(shown_names(&app), ["legacy-admin", "orders-api", "payments-api", "inventory-api"]);

    // Created, then round to Name again.
    char_key(&mut app, 's');
    assert_eq!(app.state.api_sort, ApiSort::Created);
    assert_eq!(shown_names(&app), ["legacy-admin", "inventory-api", "payments-api", "orders-api"]);
    char_key(&mut app, 's');
    assert_eq!(app.state.api_sort, ApiSort::Name);
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
}

// ---------------------------------------------------------------- help

#[test]
fn help_is_generated_from_the_keymap() {
    let mut app = loaded_app();
    char_key(&mut app, '?');
    assert_eq!(app.state.screen(), &Screen::Help { view: Default::default() });
    let text = screen(&mut app);
    for expected in ["Everywhere", "q/ctrl-c", "ctrl-r", "refresh", "fuzzy filter", "Lists (apis)"] {
        assert!(text.contains(expected), "help lacks {expected:?}:\n{text}");
    }
    let refresh_row = text.lines().find(|l| l.contains("ctrl-r")).unwrap();
    assert!(refresh_row.contains("refresh"), "{refresh_row}");

    // In help, ? toggles it closed and q goes back instead of quitting.
    char_key(&mut app, '?');
    assert_eq!(app.state.stack, vec![Screen::ApiList]);
    char_key(&mut app, '?');
    assert_eq!(app.state.stack.len(), 2);
    char_key(&mut app, 'q');
    assert!(!app.quit);
    assert_eq!(app.state.stack, vec![Screen::ApiList]);
}

// ---------------------------------------------------------------- refresh

#[test]
fn refresh_keeps_the_list_and_a_failed_refresh_keeps_it_too() {
    let mut app = loaded_app();
    select_api(&mut app, "orders-api");
    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![Message::LoadApis { request: 2 }]);
    assert_eq!(app.state.apis_refresh, Some(2));
    assert!(app.state.apis.loaded().is_some(), "the list stays while refreshing");
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    let text = screen(&mut app);
    assert!(text.contains("│orders-api"), "{text}");
    assert!(header(&mut app).contains("│ ⠋ loading │ refreshed 10:15:00"));

    let error = "GetRestApis: could not reach the endpoint".to_string();
    app.handle(Message::ApisLoaded { request: 2, result: Err(error), at: "10:20:00".into() });
    assert_eq!(app.state.apis_refresh, None);
    assert_eq!(shown_names(&app), SORTED_BY_NAME);
    assert_eq!(selected_name(&app), "orders-api");
    assert_eq!(app.state.last_refresh.as_deref(), Some("10:15:00"), "a failed refresh is no refresh");
    assert_eq!(footer(&mut app), " ✗ refresh failed: GetRestApis: could not reach the endpoint");
    let text = screen(&mut app);
    assert!(text.contains("APIs (4)"), "{text}");
    assert!(!text.contains("loading"), "{text}");

    // A successful refresh replaces the list.
    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![Message::LoadApis { request: 3 }]);
    assert_eq!(app.state.status, None, "the next action clears the error");
    app.handle(Message::ApisLoaded { request: 3, result: Ok(vec![orders_api(), legacy_api()]), at: "10:21:00".into() });
    assert_eq!(shown_names(&app), ["legacy-admin", "orders-api"]);
    assert_eq!(app.state.last_refresh.as_deref(), Some("10:21:00"));
    assert!(screen(&mut app).contains("APIs (2)"));
}

#[test]
fn only_the_latest_refresh_counts() {
    let mut app = loaded_app();
    ctrl(&mut app, 'r');
    ctrl(&mut app, 'r');
    assert_eq!(app.take_commands(), vec![Message::LoadApis { request: 2 }, Message::LoadApis { request: 3 }]);
    app.handle(Message::ApisLoaded { request: 2, result: Ok(vec![legacy_api()]), at: "10:20:00".into() });
    assert_eq!(shown_names(&app), SORTED_BY_NAME, "the superseded refresh is dropped");
    assert_eq!(app.state.apis_refresh, Some(3));
    app.handle(Message::ApisLoaded { request: 3, result: Ok(vec![orders_api()]), at: "10:21:00".into() });
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
    app.handle(Message::ApiDetailLoaded { request: 2, api: api_ref(&payments), result: Ok(old) });
    assert_eq!(app.state.details[&api_ref(&payments)], Loadable::Loading { request: 3 });
    assert!(screen(&mut app).contains("⠋ Loading resources…"));

    // A result for an API that was never opened is dropped as well.
    let orders = orders_api();
    app.handle(Message::ApiDetailLoaded { request: 3, api: api_ref(&orders), result: Ok(DetailData::Http(vec![])) });
    assert!(!app.state.details.contains_key(&api_ref(&orders)));

    app.handle(Message::ApiDetailLoaded {
        request: 3,
        api: api_ref(&payments),
        result: Ok(DetailData::Rest(payments_tree())),
    });
    assert_eq!(app.state.details[&api_ref(&payments)], Loadable::Loaded(DetailData::Rest(payments_tree())));
    let text = screen(&mut app);
    assert!(text.contains("/payments/{paymentId}/refunds"), "{text}");

    // A failure shows in the pane.
    ctrl(&mut app, 'r');
    let request = expect_detail_request(&mut app, &payments);
    app.handle(Message::ApiDetailLoaded {
        request,
        api: api_ref(&payments),
        result: Err("GetResources: denied".into()),
    });
    let text = screen(&mut app);
    assert!(text.contains("✗ Could not load resources"), "{text}");
    assert!(text.contains("GetResources: denied"), "{text}");
}

// ---------------------------------------------------------------- mouse

#[test]
fn mouse_scroll_moves_the_selection() {
    let mut app = app_with(many_apis(12), Keymap::default_map());
    assert_eq!(app.state.api_view.selected, 0);
    scroll(&mut app, MouseEventKind::ScrollDown);
    assert_eq!(app.state.api_view.selected, 3);
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
    assert_eq!(app.state.api_view.selected, 0);
}

#[test]
fn page_keys_use_the_drawn_height() {
    let mut app = app_with(many_apis(40), Keymap::default_map());
    render(&mut app);
    // 30 rows: header bar, footer, two borders, column headers leave 25.
    assert_eq!(app.page, 25);
    app.handle(key_with(KeyCode::PageDown, KeyModifiers::NONE));
    assert_eq!(app.state.api_view.selected, 25);
    char_key(&mut app, 'G');
    assert_eq!(app.state.api_view.selected, 39);
    let text = screen(&mut app);
    assert!(text.contains("│svc-39"), "{text}");
    assert!(!text.contains("│svc-00"), "{text}");
    ctrl(&mut app, 'b');
    assert_eq!(app.state.api_view.selected, 14);
}

// ---------------------------------------------------------------- keymap and lifecycle

#[test]
fn a_user_keymap_changes_the_quit_key() {
    let keymap = Keymap::with_overrides("keymap.toml", "[global]\nquit = [\"x\"]\n").expect("valid override");
    let mut app = app_with(apis(), keymap);
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

#[test]
fn commands_fed_to_handle_go_to_the_outbox() {
    let mut app = loaded_app();
    app.handle(Message::LoadApis { request: 42 });
    assert_eq!(app.take_commands(), vec![Message::LoadApis { request: 42 }]);
}
