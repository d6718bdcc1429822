//! `portcullis-dev bench-docs`: a big API definition (2,000 operations, 500 schemas by default)
//! through the docs screen as the app runs it: the parse and expansion (the docs job's work, off
//! the async threads), the lines delivered and the first frame drawn, the peak memory, and the
//! CPU of one filter keystroke on the docs. Figures only: `scripts/bench docs` prints them.

use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::message::Message;
use crate::tui::theme::Styles;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct BenchDocsArgs {
    #[arg(long, default_value_t = 2_000)]
    pub operations: usize,
    #[arg(long, default_value_t = 500)]
    pub schemas: usize,
    /// Keystrokes measured.
    #[arg(long, default_value_t = 20)]
    pub keys: usize,
}

/// The document: `schemas` objects of 12 properties, each referring to two others (a wide
/// reference graph), and `operations` operations taking and returning them.
pub fn document(operations: usize, schemas: usize) -> String {
    let name = |i: usize| format!("Schema{}", i % schemas.max(1));
    let mut components = serde_json::Map::new();
    for i in 0..schemas {
        let mut props = serde_json::Map::new();
        for p in 0..10 {
            props.insert(
                format!("field{p}"),
                json!({"type": "string", "description": format!("field {p} of {}", name(i))}),
            );
        }
        props.insert("next".into(), json!({"$ref": format!("#/components/schemas/{}", name(i + 1))}));
        props.insert(
            "items".into(),
            json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{}", name(i + 7))}}),
        );
        components.insert(
            name(i),
            json!({"type": "object", "description": format!("the {i}th schema"), "properties": props}),
        );
    }
    let mut paths = serde_json::Map::new();
    for i in 0..operations {
        let body =
            json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", name(i))}}}});
        let ok = json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", name(i + 3))}}}});
        paths.insert(
            format!("/resource{i}/{{id}}"),
            json!({"post": {"summary": format!("operation {i}"), "description": prose(i), "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                            "requestBody": body, "responses": {"200": ok}}}),
        );
    }
    let doc: Value = json!({"openapi": "3.0.1", "info": {"title": "big", "version": "1"}, "paths": paths,
                            "components": {"schemas": components}});
    doc.to_string()
}

/// An operation's description, about a kilobyte of text (as real ones run).
fn prose(i: usize) -> String {
    format!("Operation {i} of the big API. ").repeat(36)
}

pub fn run(args: BenchDocsArgs) -> anyhow::Result<()> {
    let text = document(args.operations, args.schemas);
    println!(
        "document: {} operations, {} schemas, {:.1} MB of JSON; terminal 200x50",
        args.operations,
        args.schemas,
        text.len() as f64 / 1e6
    );
    let base = peak_rss_kib();
    let t = Instant::now();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let doc = crate::openapi::parse_within(&text, &stop).map_err(|e| anyhow::anyhow!("{e}"))?;
    let lines = crate::openapi::render_lines_within(&doc, &stop).unwrap_or_default();
    let parsed = t.elapsed();
    drop(doc);
    let n = lines.len();
    let cut = lines.iter().filter(|l| l.text.starts_with("… (truncated")).count();
    let ops_cut = {
        let mut current_cut = false;
        let mut count = 0;
        for l in &lines {
            if l.kind == crate::openapi::LineKind::Operation {
                current_cut = false;
            } else if !current_cut && l.text.starts_with("… (truncated") {
                current_cut = true;
                count += 1;
            }
        }
        count
    };
    let mut app = docs_app(lines);
    let mut term = Terminal::new(TestBackend::new(200, 50))?;
    term.draw(|f| app.draw(f))?;
    let shown = t.elapsed();
    println!("parse and expand (the docs job)       {:8.0} ms  ({n} lines)", ms(parsed));
    println!("cut for the document's budget         {cut:8} trees, in {ops_cut} operations (each marked)");
    println!("until the first frame shows them      {:8.0} ms", ms(shown));
    println!(
        "peak memory                           {:8.1} MB  (process peak RSS; {:.1} MB before)",
        peak_rss_kib() as f64 / 1024.0,
        base as f64 / 1024.0
    );
    app.handle(key(KeyCode::Char('/')));
    let typed: Vec<char> = "resource1999".chars().cycle().take(args.keys.max(1)).collect();
    let mut times: Vec<Duration> = typed
        .iter()
        .map(|c| {
            let t = Instant::now();
            app.handle(key(KeyCode::Char(*c)));
            term.draw(|f| app.draw(f)).expect("draw");
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "one filter keystroke (key + frame)    {:8.1} ms median, {:.1} ms worst (of {})",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The app on an API's docs, the lines delivered as the docs job delivers them.
fn docs_app(lines: Vec<crate::openapi::DocLine>) -> App {
    let mut app = App::new(crate::tui::store::Store::new(Default::default()), Keymap::default_map(), Styles::default());
    app.shared.width = 200;
    app.start();
    let request = first_request(&mut app);
    let api = crate::domain::Api {
        id: "big0000001".into(),
        name: "big".into(),
        kind: crate::domain::ApiKind::Rest,
        region: "eu-west-1".into(),
        account: Default::default(),
        description: None,
        endpoint_type: Some("REGIONAL".into()),
        tags: Default::default(),
        created_date: None,
        api_endpoint: None,
        stages: vec![crate::domain::Stage { name: "prod".into(), ..Default::default() }],
        authorizers: vec![],
        methods: None,
        routes: None,
        error: None,
    };
    let loaded =
        crate::tui::screens::catalog::jobs::ApisLoaded { result: Ok(vec![api.clone()]), at: "00:00:00".into() };
    app.handle(Message::Done { request, output: crate::tui::jobs::Output::new(loaded) });
    app.handle(key(KeyCode::Char('d')));
    let request = first_request(&mut app);
    let docs = crate::tui::screens::catalog::jobs::DocsLoaded {
        api: crate::tui::store::ApiRef::of(&api),
        stage: "prod".into(),
        result: Ok(lines),
    };
    app.handle(Message::Done { request, output: crate::tui::jobs::Output::new(docs) });
    app
}

fn first_request(app: &mut App) -> u64 {
    let text = format!("{:?}", app.take_commands().first());
    text.split("request: ")
        .nth(1)
        .and_then(|r| r.split([',', ' ', '}']).next())
        .and_then(|r| r.parse().ok())
        .unwrap_or(1)
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
