//! `portcullis-dev bench-tui`: the frame budget of the biggest screens, measured through the
//! controller the app runs (keys and results in as Messages, frames drawn on ratatui's test
//! backend): the API list with 10,000 APIs, the audit list with 50,000 events, one filter
//! keystroke over 100,000 APIs, and the peak memory with 50,000 events held.
//! Figures only: `scripts/bench tui` prints them, nothing here passes or fails.

use crate::domain::{Api, ApiKind, AuditEvent, Feed, Stage, events_from_trail_file};
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::message::Message;
use crate::tui::theme::Styles;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct BenchTuiArgs {
    /// APIs on the drawn API list.
    #[arg(long, default_value_t = 10_000)]
    pub apis: usize,
    /// Events on the audit list.
    #[arg(long, default_value_t = 50_000)]
    pub events: usize,
    /// APIs the filter keystrokes run over.
    #[arg(long, default_value_t = 100_000)]
    pub filter_rows: usize,
    /// Frames (or keystrokes) per measurement.
    #[arg(long, default_value_t = 50)]
    pub frames: usize,
    /// (Internal) load this kept catalog, draw the first frame, print the peak RSS and exit.
    #[arg(long, hide = true)]
    pub first_frame: Option<std::path::PathBuf>,
}

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

pub fn run(args: BenchTuiArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.first_frame {
        return first_frame(path);
    }
    println!("terminal {WIDTH}x{HEIGHT}; median and worst of {} runs each", args.frames);
    // Memory first, so the peak is the audit screen's own.
    let base = peak_rss_kib();
    let mut audit = audit_app(args.events);
    let mut term = terminal();
    let drawn = time_frames(args.frames, || draw(&mut term, &mut audit));
    let peak = peak_rss_kib();
    report(&format!("draw the audit list, {} events", args.events), &drawn);
    let j = time_frames(args.frames, || {
        audit.handle(key(KeyCode::Char('j')));
        draw(&mut term, &mut audit)
    });
    report("one `j` on the audit list (key + frame)", &j);
    println!(
        "peak memory with {} events held: {:.1} MB (process peak RSS; {:.1} MB before loading them; {:.1} MB resident now)",
        args.events,
        peak as f64 / 1024.0,
        base as f64 / 1024.0,
        rss_kib("VmRSS:") as f64 / 1024.0
    );
    drop(audit);

    let mut list = api_app(args.apis);
    let drawn = time_frames(args.frames, || draw(&mut term, &mut list));
    report(&format!("draw the API list, {} APIs", args.apis), &drawn);
    drop(list);

    let mut big = api_app(args.filter_rows);
    // As in the app, a big list is matched on other threads, which wake the loop when done.
    let (woke, wakes) = std::sync::mpsc::channel::<()>();
    big.shared.wake = Some(std::sync::Arc::new(move || {
        let _ = woke.send(());
    }));
    big.handle(key(KeyCode::Char('/')));
    // Type a filter one character at a time, then delete it again, several times over. Each
    // keystroke is timed on the input loop (the key and the frame after it), and until the
    // frame that shows its rows. The first character matches all 100,000 rows.
    let typed: Vec<char> = "payments-api-7".chars().collect();
    let (mut on_loop, mut shown, mut first) = (Vec::new(), Vec::new(), Vec::new());
    let keystroke = |code: KeyCode, big: &mut App, term: &mut Terminal<TestBackend>| {
        let t = Instant::now();
        big.handle(key(code));
        draw(term, big);
        let on = t.elapsed();
        let pending = big.root::<crate::tui::screens::catalog::CatalogScreen>().is_some_and(|c| c.filtering());
        if pending && wakes.recv().is_ok() {
            big.handle(Message::Tick);
            draw(term, big);
        }
        (on, t.elapsed())
    };
    for _ in 0..(args.frames / (2 * typed.len())).max(2) {
        for (n, c) in typed.iter().enumerate() {
            let (on, all) = keystroke(KeyCode::Char(*c), &mut big, &mut term);
            on_loop.push(on);
            shown.push(all);
            if n == 0 {
                first.push(all);
            }
        }
        for _ in &typed {
            let (on, all) = keystroke(KeyCode::Backspace, &mut big, &mut term);
            on_loop.push(on);
            shown.push(all);
        }
    }
    let rows = big.root::<crate::tui::screens::catalog::CatalogScreen>().map_or(0, |c| c.rows().len());
    assert_eq!(rows, args.filter_rows, "the filter typed and deleted again leaves every row");
    for v in [&mut on_loop, &mut shown, &mut first] {
        v.sort();
    }
    report(&format!("filter keystroke over {} APIs, on the input loop", args.filter_rows), &on_loop);
    report("  the same, until the frame showing its rows", &shown);
    report("  the first character (matched against every row)", &first);
    drop(big);
    warm_start(args.apis)?;
    Ok(())
}

/// The warm start, from process start to the first frame showing a kept catalog of `n` APIs:
/// this program started again (`--first-frame`) on a kept catalog, ten times.
fn warm_start(n: usize) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let path = dir.join("catalog.json");
    crate::tui::screens::catalog::cache::save(&path, &apis(n), time::OffsetDateTime::now_utc())?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let exe = std::env::current_exe()?;
    let mut times = Vec::new();
    let mut rss = String::new();
    for _ in 0..10 {
        let t = Instant::now();
        let out = std::process::Command::new(&exe).args(["bench-tui", "--first-frame"]).arg(&path).output()?;
        times.push(t.elapsed());
        anyhow::ensure!(out.status.success(), "the first-frame run failed: {}", String::from_utf8_lossy(&out.stderr));
        rss = String::from_utf8_lossy(&out.stdout).trim().to_string();
    }
    times.sort();
    let _ = std::fs::remove_dir_all(&dir);
    let what =
        format!("warm start: process start to the first frame, {n} kept APIs ({:.1} MB file)", size as f64 / 1e6);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let verdict = if times[times.len() / 2] <= Duration::from_millis(100) { "within" } else { "OVER" };
    println!(
        "{what}\n  median {:.1} ms  worst {:.1} ms  ({verdict} the 100 ms budget); {rss}",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    Ok(())
}

/// The child of [`warm_start`]: load the kept catalog, draw the first frame, report the peak RSS.
fn first_frame(path: &std::path::Path) -> anyhow::Result<()> {
    let mut app = new_app();
    app.start_cached(crate::tui::screens::catalog::cache::load(path));
    anyhow::ensure!(app.store().catalog.apis.loaded().is_some(), "the kept catalog did not load");
    let mut term = terminal();
    draw(&mut term, &mut app);
    println!("peak RSS with the catalog loaded {:.1} MB", peak_rss_kib() as f64 / 1024.0);
    Ok(())
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("portcullis-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test backend")
}

fn draw(term: &mut Terminal<TestBackend>, app: &mut App) {
    term.draw(|f| app.draw(f)).expect("draw");
}

fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn new_app() -> App {
    App::new(crate::tui::store::Store::new(Default::default()), Keymap::default_map(), Styles::default())
}

/// The app on its API list with `n` APIs loaded through the same messages as a real start.
fn api_app(n: usize) -> App {
    let mut app = new_app();
    app.start();
    let request = first_request(&mut app);
    let loaded = crate::tui::screens::catalog::jobs::ApisLoaded { result: Ok(apis(n)), at: "00:00:00".into() };
    app.handle(Message::Done { request, output: crate::tui::jobs::Output::new(loaded) });
    app
}

/// The app on `:audit` with `n` events from trail logs (parsed by the S3 source's parser).
fn audit_app(n: usize) -> App {
    let mut app = api_app(10);
    for c in ":audit".chars() {
        app.handle(key(KeyCode::Char(c)));
    }
    app.handle(key(KeyCode::Enter));
    let request = first_request(&mut app);
    let feed = Feed { events: events(n), files: Some((n / 1000, 0)), ..Default::default() };
    let opened = crate::tui::screens::audit::jobs::AuditOpened { result: Ok(feed), problems: vec![] };
    app.handle(Message::Done { request, output: crate::tui::jobs::Output::new(opened) });
    app
}

/// The request id of the first command the app queued.
fn first_request(app: &mut App) -> u64 {
    let commands = app.take_commands();
    let text = format!("{:?}", commands.first());
    text.split("request: ")
        .nth(1)
        .and_then(|r| r.split([',', ' ', '}']).next())
        .and_then(|r| r.parse().ok())
        .unwrap_or(1)
}

fn apis(n: usize) -> Vec<Api> {
    (0..n)
        .map(|i| Api {
            id: format!("a{i:09}"),
            name: format!("{}-api-{i}", ["payments", "orders", "ledger", "search", "identity"][i % 5]),
            kind: if i % 10 == 0 { ApiKind::Http } else { ApiKind::Rest },
            region: ["eu-west-1", "us-east-1"][i % 2].into(),
            account: Default::default(),
            description: Some(format!("API number {i}")),
            endpoint_type: Some("REGIONAL".into()),
            tags: [("owner".to_string(), format!("team-{}", i % 40))].into(),
            created_date: Some("2026-01-02T03:04:05Z".into()),
            api_endpoint: None,
            stages: ["dev", "prod"].iter().map(|s| Stage { name: s.to_string(), ..Default::default() }).collect(),
            authorizers: vec![],
            methods: None,
            routes: None,
            error: None,
        })
        .collect()
}

/// `n` CloudTrail records, written as trail files of 1,000 records and read back one file at a
/// time by the app's own parser (as the S3 source does), so the generator adds little to the peak.
fn events(n: usize) -> Vec<AuditEvent> {
    let mut events = Vec::with_capacity(n);
    for start in (0..n).step_by(1000) {
        let records: Vec<String> = (start..n.min(start + 1000)).map(record).collect();
        let file = format!("{{\"Records\":[{}]}}", records.join(","));
        drop(records);
        let (mut parsed, _) = events_from_trail_file(file.as_bytes()).expect("the generated trail file parses");
        events.append(&mut parsed);
    }
    events.sort_by(|a, b| b.event_time.cmp(&a.event_time));
    events
}

/// One record in CloudTrail's layout (about 900 bytes).
fn record(i: usize) -> String {
    let names = ["CreateApiKey", "GetRestApis", "UpdateStage", "DeleteApiKey", "CreateUsagePlanKey"];
    let sources = ["apigateway.amazonaws.com", "cognito-idp.amazonaws.com"];
    let mut r = serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:jane",
            "arn": "arn:aws:sts::123456789012:assumed-role/Admin/jane", "accountId": "123456789012",
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}}},
        "eventTime": format!("2026-11-{:02}T{:02}:{:02}:{:02}Z", 1 + (i / 2000) % 28, (i / 60) % 24, i % 60, i % 60),
        "eventSource": sources[i % 2],
        "eventName": names[i % names.len()],
        "awsRegion": "eu-west-1",
        "sourceIPAddress": format!("203.0.113.{}", i % 250),
        "userAgent": "aws-cli/2.15.0 Python/3.11",
        "requestParameters": {"restApiId": format!("api{:05}", i % 97), "usagePlanId": format!("plan{}", i % 13)},
        "responseElements": {"id": format!("k{i}"), "name": format!("key-{i}"), "enabled": true},
        "requestID": format!("req-{i}"),
        "eventID": format!("ev-{i:08}"),
        "readOnly": i % 5 == 1,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
    });
    if i.is_multiple_of(17) {
        r["errorCode"] = "AccessDenied".into();
    }
    r.to_string()
}

fn time_frames(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    f(); // warm up
    let mut out: Vec<Duration> = (0..n.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    out.sort();
    out
}

fn report(what: &str, sorted: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = sorted[sorted.len() / 2];
    let worst = sorted[sorted.len() - 1];
    let verdict = if median <= Duration::from_millis(4) { "within" } else { "OVER" };
    println!("{what:<56} median {:8.3} ms  worst {:8.3} ms  ({verdict} the 4 ms budget)", ms(median), ms(worst));
}

/// The process's peak resident set (VmHWM), in KiB; 0 where /proc is not there.
fn peak_rss_kib() -> u64 {
    rss_kib("VmHWM:")
}

/// A size line of /proc/self/status (`VmHWM:`, `VmRSS:`), in KiB.
fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
