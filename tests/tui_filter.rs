//! The row you filtered to is the row you open: in every list, a new filter puts the highlight
//! on its best match (the first row), even when the row highlighted before still matches, and
//! `enter` / `d` act on what is highlighted.

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::tui::screens::catalog::CatalogScreen;
use portcullis::tui::screens::keys::KeysScreen;
use portcullis::tui::screens::plans::{PlanDetailScreen, PlansScreen};
use tui_fixtures::access::access_app;
use tui_fixtures::*;

/// Filter the top screen's list to `text` (typed, then kept with enter).
fn filter(app: &mut portcullis::tui::app::App, text: &str) {
    char_key(app, '/');
    type_text(app, text);
    press(app, KeyCode::Enter);
}

/// Three APIs whose names differ by a digit; the first is highlighted before filtering.
fn orders() -> Vec<portcullis::domain::Api> {
    (0..3)
        .map(|i| {
            let mut a = payments_api();
            a.name = format!("orders-000{i}");
            a.id = format!("ord000{i}xyz");
            a
        })
        .collect()
}

#[test]
fn the_catalog_highlights_the_best_match_and_d_opens_its_docs() {
    let mut app = catalog_app_with(orders(), false);
    app.take_commands();
    let selected = |app: &portcullis::tui::app::App| {
        app.screen::<CatalogScreen>().and_then(|s| s.selected_api(app.store())).map(|a| a.name.clone())
    };
    assert_eq!(selected(&app).as_deref(), Some("orders-0000"), "highlighted before");
    filter(&mut app, "orders-0001");
    assert_eq!(selected(&app).as_deref(), Some("orders-0001"), "the best match, on the first row");
    char_key(&mut app, 'd');
    assert!(app.top().title().contains("docs"), "{}", app.top().title());
    let text = screen(&mut app);
    assert!(text.contains("docs: orders-0001"), "{text}");
}

#[test]
fn the_catalog_enter_opens_the_filtered_row() {
    let mut app = catalog_app_with(orders(), false);
    app.take_commands();
    press(&mut app, KeyCode::Down); // orders-0001 highlighted
    filter(&mut app, "orders-0002");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("orders-0002"), "{}", screen(&mut app));
}

#[test]
fn plans_keys_and_partners_highlight_the_best_match() {
    let mut app = access_app(false);
    command(&mut app, "plans");
    app.take_commands();
    assert!(app.screen::<PlansScreen>().is_some());
    filter(&mut app, "sandbox");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen::<PlanDetailScreen>().map(|s| s.plan.clone()).as_deref(), Some("p2"), "enter opens it");

    let mut app = access_app(false);
    command(&mut app, "keys");
    press(&mut app, KeyCode::Down); // globex-prod highlighted
    filter(&mut app, "acme-sandbox");
    let keys = app.screen::<KeysScreen>().unwrap();
    assert_eq!(
        keys.list.selected().map(|i| app.store().keys.loaded().unwrap()[i].name.clone()).as_deref(),
        Some("acme-sandbox")
    );

    let mut app = loaded_at(tui_fixtures::partners::partners_store(false), apis(), "09:30:00");
    command(&mut app, "partners");
    let request = request_of(&app.take_commands()[0]);
    let view = tui_fixtures::partners::view(vec![]);
    app.handle(done(request, portcullis::tui::screens::partners::jobs::PartnersLoaded(Ok(view))));
    press(&mut app, KeyCode::Down); // bolt
    filter(&mut app, "dune");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.top().title(), "dune", "enter opens the partner filtered to");
}
