//! Screen snapshots of the TUI, driven through the app (keys, results) into a 120x30 test backend.
//! Text snapshots do not capture styles, so focus and selection styles are asserted cell by cell.

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::domain::Api;
use portcullis::tui::app::App;
use portcullis::tui::screens::Nav;
use portcullis::tui::screens::api::{ApiScreen, Pane};
use portcullis::tui::screens::catalog::CatalogScreen;
use portcullis::tui::screens::help::HelpScreen;
use portcullis::tui::screens::stage::StageScreen;
use portcullis::tui::store::DetailData;
use portcullis::tui::theme::Styles;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use tui_fixtures::*;

// ---------------------------------------------------------------- app builders

/// The catalog loaded, refreshed at a fixed time.
fn catalog_app() -> App {
    catalog_app_with(apis(), false)
}

/// The payments API's detail screen with its resource tree loaded, `pane` focused.
fn rest_detail_app(pane: Pane) -> App {
    let mut app = catalog_app();
    open_detail(&mut app, &payments_api(), DetailData::Rest(payments_tree()));
    if pane == Pane::Stages {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.screen::<ApiScreen>().expect("on the detail screen").pane, pane);
    app
}

/// The orders API's detail screen with its routes loaded.
fn http_detail_app() -> App {
    let mut app = catalog_app();
    open_detail(&mut app, &orders_api(), DetailData::Http(orders_routes()));
    app
}

fn draw_buffer(app: &mut App) -> Buffer {
    render(app).backend().buffer().clone()
}

/// Cells `x0..x1` of row `y`.
fn cells(buffer: &Buffer, y: u16, xs: std::ops::Range<u16>) -> Vec<&ratatui::buffer::Cell> {
    xs.map(|x| &buffer[(x, y)]).collect()
}

// ---------------------------------------------------------------- snapshots

#[test]
fn api_list() {
    let mut app = catalog_app();
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn api_list_filtered() {
    let mut app = catalog_app();
    char_key(&mut app, '/');
    type_text(&mut app, "team-");
    press(&mut app, KeyCode::Enter);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn api_detail_rest_resources() {
    let mut app = rest_detail_app(Pane::Resources);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn api_detail_http_routes() {
    let mut app = http_detail_app();
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn stage_detail() {
    // The stages pane's first stage (prod), opened with enter.
    let mut app = rest_detail_app(Pane::Stages);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen::<StageScreen>().expect("on the stage screen").stage, "prod");
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn http_default_stage_detail() {
    let mut app = catalog_app();
    let api = orders_api();
    app.navigate(Nav::Push(Box::new(StageScreen::new(api_ref(&api), "$default".into()))));
    let text = rows(&draw_buffer(&mut app)).join("\n");
    assert!(text.contains("https://h7t7k9q2r1.execute-api.us-east-1.amazonaws.com/ "), "{text}");
    assert!(text.contains("auto deploy     on"), "{text}");
    assert!(text.contains("rate 50 req/s, burst 100"), "{text}");
}

#[test]
fn docs_view() {
    let mut app = catalog_app();
    let api = payments_api();
    select_api(&mut app, &api.name);
    char_key(&mut app, 'd');
    answer_docs(&mut app, &api, "prod", doc_lines());
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

/// A description longer than the screen is wide goes on over the next rows (broken at spaces,
/// under its own indent), never cut at the edge; and the rows follow the terminal's width.
#[test]
fn long_descriptions_in_the_docs_wrap() {
    use portcullis::openapi::{DocLine, LineKind};
    let mut app = catalog_app();
    let api = payments_api();
    select_api(&mut app, &api.name);
    char_key(&mut app, 'd');
    let long = "Creates a payment for an order. ".repeat(12) + "THE-END";
    let mut lines = doc_lines();
    lines.insert(1, DocLine { indent: 1, kind: LineKind::Text, text: long.clone() });
    answer_docs(&mut app, &api, "prod", lines);
    let text = screen(&mut app);
    assert!(text.contains("THE-END"), "the end of the description shows: {text}");
    let wrapped: Vec<&str> = text.lines().filter(|l| l.contains("Creates a payment")).collect();
    assert!(wrapped.len() >= 3, "over several rows: {wrapped:#?}");
    let all: Vec<&str> = text.lines().collect();
    let first = all.iter().position(|l| l.contains("Creates a payment")).unwrap();
    let last = all.iter().position(|l| l.contains("THE-END")).unwrap();
    for row in &all[first..=last] {
        let inner = row.trim_start_matches('│');
        assert!(inner.starts_with("  ") && !inner.starts_with("   "), "under its indent: {row}");
        assert!(!inner.trim_end_matches('│').trim_end().ends_with("paym"), "broken at a space: {row}");
    }
    // Narrower: more rows (the event loop sets the width, then a Resize follows).
    app.shared.width = 60;
    app.handle(portcullis::tui::message::Message::Resize);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(60, 40)).unwrap();
    terminal.draw(|f| app.draw(f)).unwrap();
    let narrow = rows(terminal.backend().buffer()).join("\n");
    assert!(narrow.contains("THE-END"), "{narrow}");
    let narrow_rows = narrow.lines().filter(|l| l.contains("Creates a payment")).count();
    assert!(narrow_rows > wrapped.len(), "{narrow}");
}

#[test]
fn help() {
    let mut app = catalog_app();
    char_key(&mut app, '?');
    let help = app.screen::<HelpScreen>().expect("help is on top");
    let lines: Vec<(String, String)> = help.lines().cloned().collect();
    for (keys, action) in [("q/ctrl-c", "quit"), ("ctrl-r", "refresh"), ("/", "fuzzy filter"), ("d", "open docs")] {
        assert!(lines.iter().any(|(k, a)| k == keys && a == action), "help lacks {keys} {action}: {lines:?}");
    }
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn error_state() {
    let error = "GetRestApis: could not reach the endpoint https://apigateway.eu-west-1.amazonaws.com (dispatch failure: \
                 connection refused)";
    let mut app = new_app(new_store(false));
    app.start();
    app.handle(done(1, ApisLoaded { result: Err(error.into()), at: "09:30:00".into() }));
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn loading_state() {
    let mut app = new_app(new_store(false));
    app.start();
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn command_line_open() {
    let mut app = catalog_app();
    chars(&mut app, ":p");
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

// ---------------------------------------------------------------- hostile text

const EVIL_NAME: &str = "\x1b[31mevil\x1b]0;pwned\x07\u{202E}txt.exe";
const EVIL_SHOWN: &str = r"\x1b[31mevil\x1b]0;pwned\x07<U+202E>txt.exe";

fn evil_api() -> Api {
    let mut api = inventory_api();
    api.id = "e1v2i3l4a5".into();
    api.name = EVIL_NAME.into();
    api.description = Some("clears\x1b[2J the \u{202E}screen".into());
    api.tags.insert("owner".into(), "\x1b[5mblinky".into());
    api
}

fn assert_inert(buffer: &Buffer) {
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            assert!(
                !symbol.contains(['\x1b', '\x07', '\u{202E}']) && !symbol.chars().any(char::is_control),
                "raw control or bidi character at ({x}, {y}): {symbol:?}"
            );
        }
    }
}

#[test]
fn hostile_names_are_shown_escaped() {
    let mut app = catalog_app_with(vec![evil_api(), payments_api()], false);

    // The list: the name column is narrower than the escaped name, so its start shows.
    let list = draw_buffer(&mut app);
    assert_inert(&list);
    let list_text = rows(&list).join("\n");
    assert!(list_text.contains(r"\x1b[31mevil\x1b]0;pwned"), "{list_text}");
    assert!(list_text.contains(r"\x1b[5mblinky"), "{list_text}");

    // The detail screen shows the whole name in its title, and the description.
    let evil = evil_api();
    open_detail(&mut app, &evil, DetailData::Rest(vec![]));
    let detail = draw_buffer(&mut app);
    assert_inert(&detail);
    let detail_text = rows(&detail).join("\n");
    assert!(detail_text.contains(&format!(" {EVIL_SHOWN} ")), "{detail_text}");
    assert!(detail_text.contains(r"clears\x1b[2J the <U+202E>screen"), "{detail_text}");

    // The stage screen and the docs screen name the API in their titles.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let stage = draw_buffer(&mut app);
    assert_inert(&stage);
    assert!(rows(&stage).join("\n").contains(&format!(" {EVIL_SHOWN} › stage v1 ")));

    press(&mut app, KeyCode::Esc);
    char_key(&mut app, 'd');
    answer_docs(&mut app, &evil, "v1", doc_lines());
    let docs = draw_buffer(&mut app);
    assert_inert(&docs);
    assert!(rows(&docs).join("\n").contains(&format!(" docs: {EVIL_SHOWN} (v1) ")));
}

// ---------------------------------------------------------------- styles

#[test]
fn selected_row_uses_the_selection_style() {
    let styles = Styles::default();
    let mut app = catalog_app();
    press(&mut app, KeyCode::Down);
    assert_eq!(app.screen::<CatalogScreen>().expect("on the API list").view.selected, 1);
    let buffer = draw_buffer(&mut app);
    // Rows: 0 header bar, 1 top border, 2 column headers, 3.. APIs (sorted by name).
    let selected = row_of(&buffer, "legacy-admin");
    assert_eq!(selected, 4);
    let row_bg = styles.row_selected.bg.expect("the default theme gives selected rows a background");
    for cell in cells(&buffer, selected, 1..119) {
        assert_eq!(cell.bg, row_bg, "selected row background");
        assert!(cell.modifier.contains(Modifier::BOLD), "selected row is bold");
    }
    for y in [3, 5, 6] {
        for cell in cells(&buffer, y, 1..119) {
            assert_ne!(cell.bg, row_bg, "row {y} is not selected");
        }
    }
    // The list is the only pane: its border has the focus colour.
    assert_eq!(buffer[(0, 1)].symbol(), "┌");
    assert_eq!(buffer[(0, 1)].fg, styles.border_focused.fg.unwrap());
}

#[test]
fn detail_focus_follows_the_pane() {
    let styles = Styles::default();
    let focused = styles.border_focused.fg.unwrap();
    let unfocused = styles.border.fg.unwrap();
    assert_ne!(focused, unfocused);
    let selected_bg = styles.row_selected.bg.unwrap();
    let unfocused_bg = styles.row_selected_unfocused.bg.unwrap();

    for pane in [Pane::Resources, Pane::Stages] {
        let buffer = draw_buffer(&mut rest_detail_app(pane));
        let info = row_of(&buffer, "┌ payments-api ");
        let resources = row_of(&buffer, "┌ resources ");
        let stages = row_of(&buffer, "┌ stages (3)");
        let (res_border, stage_border) =
            if pane == Pane::Resources { (focused, unfocused) } else { (unfocused, focused) };
        assert_eq!(buffer[(0, info)].fg, unfocused, "{pane:?}: the info panel never has focus");
        assert_eq!(buffer[(0, resources)].fg, res_border, "{pane:?}: resources border");
        assert_eq!(buffer[(119, resources + 3)].fg, res_border, "{pane:?}: resources right border");
        assert_eq!(buffer[(0, stages)].fg, stage_border, "{pane:?}: stages border");

        // The first row of each table is selected: highlighted strongly in the focused pane only.
        let (res_bg, stage_bg) =
            if pane == Pane::Resources { (selected_bg, unfocused_bg) } else { (unfocused_bg, selected_bg) };
        assert_eq!(buffer[(2, resources + 2)].bg, res_bg, "{pane:?}: selected resource row");
        assert_eq!(buffer[(2, stages + 2)].bg, stage_bg, "{pane:?}: selected stage row");
        let first_stage: String = rows(&buffer)[stages as usize + 2].chars().skip(1).take(5).collect();
        assert_eq!(first_stage, "prod ");
    }
}

#[test]
fn header_shows_read_only() {
    let styles = Styles::default();
    let mut app = catalog_app_with(apis(), true);
    let buffer = draw_buffer(&mut app);
    let header = &rows(&buffer)[0];
    assert_eq!(
        header.trim_end(),
        " portcullis apis │ profile dev │ region eu-west-1,us-east-1 │ READ-ONLY │ refreshed 09:30:00"
    );
    // Columns, not bytes: the separators are multi-byte characters.
    let start = header[..header.find("READ-ONLY").unwrap()].chars().count() as u16;
    for cell in cells(&buffer, 0, start..start + 9) {
        assert_eq!(cell.fg, styles.warning.fg.unwrap(), "READ-ONLY uses the warning style");
    }

    let buffer = draw_buffer(&mut catalog_app());
    assert!(!rows(&buffer)[0].contains("READ-ONLY"));
}

/// An API some of whose reads failed after every retry: marked on the list, and its detail
/// says what is missing while showing what did load.
#[test]
fn an_incomplete_api_is_marked_and_its_detail_says_why() {
    let mut orders = orders_api();
    orders.error = Some("GetStages failed: Internal server error".into());
    let mut app = catalog_app_with(vec![payments_api(), orders], false);
    let text = screen(&mut app);
    let row = text.lines().find(|l| l.contains("orders-api")).expect("the API is listed");
    assert!(row.contains("! orders-api"), "{row}");
    assert!(!text.lines().any(|l| l.contains("! payments-api")), "the whole one is not marked");
    let orders = app.store().catalog.apis.loaded().unwrap().iter().find(|a| a.name == "orders-api").cloned().unwrap();
    // (Enter would read it again first: the detail is opened directly, as a jump from elsewhere does.)
    let detail = ApiScreen::open(&api_ref(&orders), &mut app.shared);
    app.navigate(Nav::Push(detail));
    let request = app.take_commands().iter().map(|c| c.request()).next().expect("the detail loads");
    app.handle(done(request, ApiDetailLoaded { api: api_ref(&orders), result: Ok(DetailData::Http(orders_routes())) }));
    let text = screen(&mut app);
    assert!(text.contains("incomplete  GetStages failed: Internal server error"), "{text}");
}

/// Enter on an incomplete API reads it again (no detail yet); the answer replaces the entry,
/// and enter then opens the detail.
#[test]
fn enter_on_an_incomplete_api_reads_it_again() {
    let mut orders = orders_api();
    orders.error = Some("GetStages failed: Internal server error".into());
    let mut app = catalog_app_with(vec![payments_api(), orders.clone()], false);
    select_api(&mut app, "orders-api");
    press(&mut app, KeyCode::Enter);
    let request = match app.take_commands().as_slice() {
        [c] if job::<RereadApi>(c).is_some_and(|j| j.0.id == orders.id) => request_of(c),
        other => panic!("expected a RereadApi of the orders API, got {other:?}"),
    };
    assert!(app.screen::<CatalogScreen>().is_some(), "still on the list while it is read again");
    let whole = orders_api();
    app.handle(done(request, ApiReread { api: api_ref(&whole), result: Ok(Some(Box::new(whole.clone()))) }));
    assert!(!screen(&mut app).contains("! orders-api"), "the mark is gone");
    press(&mut app, KeyCode::Enter);
    assert!(app.screen::<ApiScreen>().is_some_and(|d| d.api == api_ref(&whole)), "now enter opens the detail");
}
