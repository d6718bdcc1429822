//! Screen snapshots of the TUI, rendered from hand-built state into a 120x30 test backend.
//! Text snapshots do not capture styles, so focus and selection styles are asserted cell by cell.

mod tui_fixtures;

use portcullis::domain::Api;
use portcullis::tui::app::App;
use portcullis::tui::state::{AppState, DetailData, ListView, Loadable, Mode, Pane, Screen};
use portcullis::tui::theme::Styles;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use tui_fixtures::*;

// ---------------------------------------------------------------- state builders

/// The catalog loaded, refreshed at a fixed time.
fn loaded_state(apis: Vec<Api>, read_only: bool) -> AppState {
    let mut state = AppState::new(connection(read_only));
    state.apis = Loadable::Loaded(apis);
    state.last_refresh = Some("09:30:00".into());
    state.refresh_api_rows();
    state
}

fn catalog_app() -> App {
    new_app(loaded_state(apis(), false))
}

fn detail_screen(api: &Api, pane: Pane) -> Screen {
    Screen::ApiDetail { api: api_ref(api), pane, resources: ListView::default(), stages: ListView::default() }
}

/// The payments API's detail screen with its resource tree loaded.
fn rest_detail_app(pane: Pane) -> App {
    let mut state = loaded_state(apis(), false);
    let api = payments_api();
    state.details.insert(api_ref(&api), Loadable::Loaded(DetailData::Rest(payments_tree())));
    state.stack.push(detail_screen(&api, pane));
    new_app(state)
}

/// The orders API's detail screen with its routes loaded.
fn http_detail_app() -> App {
    let mut state = loaded_state(apis(), false);
    let api = orders_api();
    state.details.insert(api_ref(&api), Loadable::Loaded(DetailData::Http(orders_routes())));
    state.stack.push(detail_screen(&api, Pane::Resources));
    new_app(state)
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
    let mut state = loaded_state(apis(), false);
    state.api_view.set_filter("team-".into());
    state.refresh_api_rows();
    let mut app = new_app(state);
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
    let mut state = loaded_state(apis(), false);
    let api = payments_api();
    state.stack.push(detail_screen(&api, Pane::Stages));
    state.stack.push(Screen::Stage { api: api_ref(&api), stage: "prod".into(), scroll: 0 });
    let mut app = new_app(state);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn http_default_stage_detail() {
    let mut state = loaded_state(apis(), false);
    let api = orders_api();
    state.stack.push(Screen::Stage { api: api_ref(&api), stage: "$default".into(), scroll: 0 });
    let mut app = new_app(state);
    let text = rows(&draw_buffer(&mut app)).join("\n");
    assert!(text.contains("https://h7t7k9q2r1.execute-api.us-east-1.amazonaws.com/ "), "{text}");
    assert!(text.contains("auto deploy     on"), "{text}");
    assert!(text.contains("rate 50 req/s, burst 100"), "{text}");
}

#[test]
fn docs_view() {
    let mut state = loaded_state(apis(), false);
    let api = payments_api();
    state.docs.insert((api_ref(&api), "prod".into()), Loadable::Loaded(doc_lines()));
    state.stack.push(Screen::Docs { api: api_ref(&api), stage: "prod".into(), view: ListView::default() });
    let mut app = new_app(state);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn help() {
    let mut state = loaded_state(apis(), false);
    state.stack.push(Screen::Help { view: ListView::default() });
    let mut app = new_app(state);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn error_state() {
    let mut state = AppState::new(connection(false));
    state.apis = Loadable::Failed(
        "GetRestApis: could not reach the endpoint https://apigateway.eu-west-1.amazonaws.com (dispatch failure: \
         connection refused)"
            .into(),
    );
    let mut app = new_app(state);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn loading_state() {
    let mut state = AppState::new(connection(false));
    state.apis = Loadable::Loading { request: 1 };
    let mut app = new_app(state);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn command_line_open() {
    let mut state = loaded_state(apis(), false);
    state.mode = Mode::Command("p".into());
    let mut app = new_app(state);
    let terminal = render(&mut app);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn not_built_screen() {
    let mut state = loaded_state(apis(), false);
    state.stack.push(Screen::NotBuilt { name: "audit".into() });
    let mut app = new_app(state);
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
    let mut state = loaded_state(vec![evil_api(), payments_api()], false);
    let mut app = new_app(state.clone());

    // The list: the name column is narrower than the escaped name, so its start shows.
    let list = draw_buffer(&mut app);
    assert_inert(&list);
    let list_text = rows(&list).join("\n");
    assert!(list_text.contains(r"\x1b[31mevil\x1b]0;pwned"), "{list_text}");
    assert!(list_text.contains(r"\x1b[5mblinky"), "{list_text}");

    // The detail screen shows the whole name in its title, and the description.
    let evil = evil_api();
    state.stack.push(detail_screen(&evil, Pane::Resources));
    state.details.insert(api_ref(&evil), Loadable::Loaded(DetailData::Rest(vec![])));
    let mut app = new_app(state.clone());
    let detail = draw_buffer(&mut app);
    assert_inert(&detail);
    let detail_text = rows(&detail).join("\n");
    assert!(detail_text.contains(&format!(" {EVIL_SHOWN} ")), "{detail_text}");
    assert!(detail_text.contains(r"clears\x1b[2J the <U+202E>screen"), "{detail_text}");

    // The stage screen and the docs screen name the API in their titles.
    state.stack.push(Screen::Stage { api: api_ref(&evil), stage: "v1".into(), scroll: 0 });
    let stage = draw_buffer(&mut new_app(state.clone()));
    assert_inert(&stage);
    assert!(rows(&stage).join("\n").contains(&format!(" {EVIL_SHOWN} › stage v1 ")));

    state.stack.pop();
    state.docs.insert((api_ref(&evil), "v1".into()), Loadable::Loaded(doc_lines()));
    state.stack.push(Screen::Docs { api: api_ref(&evil), stage: "v1".into(), view: ListView::default() });
    let docs = draw_buffer(&mut new_app(state));
    assert_inert(&docs);
    assert!(rows(&docs).join("\n").contains(&format!(" docs: {EVIL_SHOWN} (v1) ")));
}

// ---------------------------------------------------------------- styles

#[test]
fn selected_row_uses_the_selection_style() {
    let styles = Styles::default();
    let mut app = catalog_app();
    app.state.api_view.selected = 1;
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
    let mut app = new_app(loaded_state(apis(), true));
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
