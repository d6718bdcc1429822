//! `:findings`: the findings (by severity, then rule, with counts), a rule's detail, `o` to the
//! resource, `/`, and the catalog's FINDINGS column. The findings are the real rules' over
//! the fixture estate (the worker's job, done here the same way).

mod tui_fixtures;

use crossterm::event::KeyCode;
use portcullis::governance::{self, Estate, LintConfig, Selection};
use portcullis::tui::app::App;
use portcullis::tui::command::Command;
use portcullis::tui::data::FindingsView;
use portcullis::tui::jobs::Output;
use portcullis::tui::message::Message;
use portcullis::tui::screens::findings::RuleScreen;
use portcullis::tui::screens::findings::{FindingsLoaded, LoadFindings};
use tui_fixtures::access::{key, plan};
use tui_fixtures::*;

const NOW: i64 = 1_796_083_200; // 2026-12-01

fn view() -> FindingsView {
    let apis = apis();
    let payments = payments_api();
    let plans = vec![plan("p1", "standard", &[(&payments.id, &payments.stages[0].name)], &["k1"])];
    let keys = vec![key("k1", "acme-prod", &["p1"], true), key("k2", "forgotten", &[], true)];
    let config = LintConfig::default();
    let estate = Estate {
        apis: &apis,
        plans: &plans,
        keys: &keys,
        partners: &[],
        domains: &[],
        integrations: &[],
        now: NOW,
        config: &config,
    };
    let report = governance::evaluate(&estate, &Selection::default());
    let evaluated = apis.iter().map(|a| (a.region.clone(), a.id.clone())).collect();
    FindingsView { report, problems: vec![], warnings: vec![], evaluated }
}

fn opened() -> App {
    let mut app = catalog_app_with(apis(), false);
    app.take_commands();
    command(&mut app, "findings");
    let request = match app.take_commands().as_slice() {
        [Command::Job { request, job }] if job.get::<LoadFindings>().is_some() => *request,
        other => panic!("expected the findings' job, got {other:?}"),
    };
    app.handle(Message::Done { request, output: Output::new(FindingsLoaded(Ok(view()))) });
    app
}

/// Move the selection down to the row that holds `needle` (counted from the first data row).
fn down_to(app: &mut App, needle: &str) {
    let rows = rows(render(app).backend().buffer());
    let header = rows.iter().position(|r| r.contains("SEVERITY")).expect("the table's header");
    let at = rows.iter().position(|r| r.contains(needle)).unwrap_or_else(|| panic!("{needle}: {rows:#?}"));
    for _ in 0..at - header - 1 {
        press(app, KeyCode::Down);
    }
}

#[test]
fn findings_by_severity_then_rule_with_counts() {
    let mut app = opened();
    let text = screen(&mut app);
    assert!(
        text.contains("findings: 0 critical · 0 high · 19 medium · 13 low · 4 info · 0 waived · 0 exempt"),
        "{text}"
    );
    insta::assert_snapshot!("findings_list", render(&mut app).backend());
    let rows = rows(render(&mut app).backend().buffer());
    let header = rows.iter().position(|r| r.contains("SEVERITY")).unwrap();
    assert!(rows[header + 1].contains("medium    owasp-api4-stage-no-plan (3)"), "worst first, by rule: {rows:#?}");
    // `/` narrows (a rule's heading stays over its findings).
    char_key(&mut app, '/');
    chars(&mut app, "key-no-plan");
    press(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("key-no-plan (1)") && text.contains("API key in no usage plan"), "{text}");
    assert!(text.contains("key forgotten is in no usage plan"), "{text}");
}

#[test]
fn a_rule_shows_why_and_how_to_fix_its_finding() {
    let mut app = opened();
    down_to(&mut app, "stage-execution-logging (");
    press(&mut app, KeyCode::Down); // its first finding
    press(&mut app, KeyCode::Enter);
    let rule = app.screen::<RuleScreen>().expect("the rule");
    assert_eq!(rule.rule, "stage-execution-logging");
    let text = screen(&mut app);
    assert!(text.contains("APIGateway.1") && text.contains("apigateway_restapi_logging_enabled"), "{text}");
    assert!(
        text.contains("aws apigateway update-stage --rest-api-id a1b2c3d4e5") && text.contains("Why it matters"),
        "{text}"
    );
    insta::assert_snapshot!("findings_rule", render(&mut app).backend());
}

#[test]
fn o_jumps_to_the_resource() {
    // A stage's finding: the API's detail with that stage on top.
    let mut app = opened();
    down_to(&mut app, "stage-execution-logging (");
    press(&mut app, KeyCode::Down);
    char_key(&mut app, 'o');
    let stage = app.screen::<portcullis::tui::screens::stage::StageScreen>().expect("the stage");
    assert_eq!(stage.api.id, payments_api().id);
    // A key's finding: the keys screen filtered to it.
    let mut app = opened();
    char_key(&mut app, '/');
    chars(&mut app, "key-no-plan");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    char_key(&mut app, 'o');
    assert!(app.screen::<portcullis::tui::screens::keys::KeysScreen>().is_some(), "on {}", app.top().title());
    // On a heading, o says what it needs.
    let mut app = opened();
    char_key(&mut app, 'o');
    assert!(screen(&mut app).contains("o jumps from a finding"));
    // A: the audit trail of the finding's resource.
    let mut app = opened();
    down_to(&mut app, "stage-execution-logging (");
    press(&mut app, KeyCode::Down);
    char_key(&mut app, 'A');
    assert!(app.top().title().contains("audit"), "on {}", app.top().title());
}

#[test]
fn the_catalog_shows_findings_per_api_in_the_worst_colour() {
    let mut app = opened();
    press(&mut app, KeyCode::Esc);
    let text = screen(&mut app);
    assert!(text.contains("FINDINGS"), "{text}");
    insta::assert_snapshot!("findings_catalog_column", render(&mut app).backend());
    let per = view().per_api();
    let payments = payments_api();
    let (n, _) = per[&(payments.region.clone(), payments.id.clone())];
    let row = rows(render(&mut app).backend().buffer()).into_iter().find(|r| r.contains("payments-api")).unwrap();
    assert!(row.trim_end_matches('│').trim_end().ends_with(&n.to_string()), "{row}");
}

/// With `background_findings` (the config's default), the findings are read once the catalog is
/// in, and the FINDINGS column fills without `:findings` ever being opened; without it the
/// column waits for `:findings` (`·`) and nothing is read.
#[test]
fn the_findings_column_fills_in_the_background_once_the_catalog_is_in() {
    let mut store = new_store(false);
    store.connection.background_findings = true;
    let mut app = loaded_at(store, apis(), "09:30:00");
    let request = match app.take_commands().as_slice() {
        [.., Command::Job { request, job }] if job.get::<LoadFindings>().is_some() => *request,
        other => panic!("expected the findings' job after the catalog, got {other:?}"),
    };
    let row = |app: &mut App| rows(render(app).backend().buffer()).into_iter().find(|r| r.contains("payments-api"));
    assert!(row(&mut app).unwrap().trim_end_matches('│').trim_end().ends_with('·'), "not read yet");
    app.handle(Message::Done { request, output: Output::new(FindingsLoaded(Ok(view()))) });
    let payments = payments_api();
    let (n, _) = view().per_api()[&(payments.region.clone(), payments.id.clone())];
    let shown = row(&mut app).unwrap();
    assert!(shown.trim_end_matches('│').trim_end().ends_with(&n.to_string()), "{shown}");
    assert_eq!(app.top().title(), "apis", "still on the catalog");

    let mut quiet = catalog_app_with(apis(), false);
    let jobs = quiet.take_commands();
    assert!(jobs.iter().all(|c| !matches!(c, Command::Job { job, .. } if job.get::<LoadFindings>().is_some())));
}

/// A new filter highlights its first match, and enter opens that finding's rule (not the row
/// highlighted before).
#[test]
fn a_filtered_finding_is_the_one_enter_opens() {
    let mut app = opened();
    down_to(&mut app, "stage-execution-logging (");
    press(&mut app, KeyCode::Down);
    char_key(&mut app, '/');
    chars(&mut app, "key forgotten");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let rule = app.screen::<RuleScreen>().unwrap_or_else(|| panic!("on {}", app.top().title()));
    assert_eq!(rule.rule, "key-no-plan");
}
