//! End-to-end: the real binary in a pseudo-terminal (tmux), against moto with the sample estate.
//! Open the catalog, filter, drill in, the plans, keys and audit screens, onboard a partner
//! through the wizard, quit; then check the terminal was restored.

mod common;

use common::{moto, unique_region};
use portcullis::config::Settings;
use portcullis::dev::estate::{self, EstateSpec};
use std::process::Command;
use std::time::{Duration, Instant};

/// tmux on a server of our own (not the developer's, whose environment and config would leak in).
fn tmux(name: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", name, "-f", "/dev/null"]);
    c
}

struct Session {
    name: String,
    dir: tempfile::TempDir,
}

impl Session {
    /// The TUI in `region` on `endpoint`, with `config` as its config file; `tag` tells
    /// sessions of one run apart.
    fn start(tag: &str, region: &str, endpoint: &str, config: &str) -> Session {
        let name = format!("portcullis-e2e-{tag}-{}", std::process::id());
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("portcullis")).unwrap();
        std::fs::write(dir.path().join("portcullis/config.toml"), config).unwrap();
        let bin = env!("CARGO_BIN_EXE_portcullis");
        let d = dir.path().display();
        let script = format!(
            "stty -a > {d}/before; {bin} --endpoint-url {endpoint} --region {region}; echo EXIT=$?; stty -a > {d}/after; sleep 600"
        );
        let status = tmux(&name)
            .args(["new-session", "-d", "-s", &name, "-x", "120", "-y", "30"])
            .args([
                "-e",
                "AWS_ACCESS_KEY_ID=testing",
                "-e",
                "AWS_SECRET_ACCESS_KEY=testing",
                "-e",
                "TERM=xterm-256color",
            ])
            .args(["-e", &format!("XDG_CONFIG_HOME={d}"), "-e", &format!("XDG_CACHE_HOME={d}/cache")])
            .args(["-e", &format!("XDG_STATE_HOME={d}/state")])
            .args(["sh", "-c", &script])
            .status()
            .expect("tmux must be installed (scripts/test installs it)");
        assert!(status.success(), "tmux new-session failed");
        Session { name, dir }
    }

    fn screen(&self) -> String {
        let out = tmux(&self.name).args(["capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            tmux(&self.name).args(["send-keys", "-t", &self.name, k]).status().unwrap();
            // Escape followed at once by a key reads as Alt+key: leave a gap.
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn type_text(&self, text: &str) {
        tmux(&self.name).args(["send-keys", "-t", &self.name, "-l", text]).status().unwrap();
    }

    /// Wait until the screen shows every `present` and none of `absent` (a capture can
    /// catch a frame half-written, so single looks are not trusted).
    fn wait_until(&self, present: &[&str], absent: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if present.iter().all(|p| s.contains(p)) && !absent.iter().any(|a| s.contains(a)) {
                return s;
            }
            let waited = start.elapsed();
            assert!(waited < Duration::from_secs(30), "timed out: want {present:?}, not {absent:?}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until `ok` holds for the screen.
    fn wait_until_fn(&self, ok: impl Fn(&str) -> bool, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting for {what}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&[needle], &[])
    }

    fn display(&self, format: &str) -> String {
        let out = tmux(&self.name).args(["display-message", "-p", "-t", &self.name, format]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux(&self.name).args(["kill-server"]).status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn browse_filter_drill_in_and_quit_restores_the_terminal() {
    let region = unique_region();
    let settings = Settings::for_endpoint(&[region], moto().endpoint());
    let ctx = portcullis::aws::connect(&settings).await.unwrap().remove(0);
    let built = estate::build(&ctx, &EstateSpec::default()).await.unwrap();

    // The demo's stand-in for the stages (src/dev/standin/upstream.py), in front of this estate.
    let upstream_dir = tempfile::tempdir().unwrap();
    let upstream = common::demo::start(region, upstream_dir.path(), false, true);
    let upstream_config = upstream.tables(upstream_dir.path());
    let config = format!("partner_pool = \"{}\"\n{upstream_config}", built.user_pool_id);
    let s = Session::start("moto", region, &moto().endpoint(), &config);
    s.wait_until(&["APIs (9)", "payments-api", "tracking-events", "rates-quotes"], &[]);
    assert_eq!(s.display("#{alternate_on}"), "1", "the TUI uses the alternate screen");

    s.keys(&["/"]);
    s.type_text("paymnts");
    // A fuzzy filter: the best match first (a random API id elsewhere can hold the letters too).
    let first_row = |w: &str| w.lines().nth(3).unwrap_or_default().trim_start_matches('│').to_string();
    s.wait_until_fn(|w| w.contains("/paymnts") && first_row(w).starts_with("payments-api"), "payments-api first");
    s.keys(&["Enter", "Enter"]);
    s.wait_until(&["/payments/{paymentId}/refunds", "COGNITO_USER_POOLS", "partners-cognito", "stages (2)"], &[]);
    s.keys(&["Tab", "Enter"]);
    s.wait_until(&["invoke URL", "execute-api", ".amazonaws.com/dev", "execution logs"], &[]);
    s.keys(&["Escape", "Escape"]);
    s.wait_until_fn(|w| w.contains("/paymnts") && first_row(w).starts_with("payments-api"), "the filtered list");
    s.keys(&[":"]);
    s.type_text("pla");
    s.keys(&["Tab", "Enter"]);
    s.wait_until(&["usage plans (3)", "sandbox", "premium", "1000 per day"], &[]);
    s.keys(&[":"]);
    s.type_text("keys");
    s.keys(&["Enter"]);
    s.wait_until(&["API keys (11)", "bluefin-markets", "••••••••"], &[]);
    // The audit screen: moto has no LookupEvents, so the error says so; the trail picker
    // (DescribeTrails) switches to the estate's trail logs in S3.
    s.keys(&[":"]);
    s.type_text("audit");
    s.keys(&["Enter"]);
    s.wait_until(&["Could not load audit events", "LookupEvents", "T reads a trail's S3 logs"], &[]);
    s.keys(&["T"]);
    s.wait_for(&format!("trail kestrel-{region}"));
    s.keys(&["Down", "Enter"]);
    // The newest events: the burst of key reads from one address, 40 minutes ago.
    s.wait_until(&["trail logs s3://kestrel-trail-", "GetApiKey", "ci-runner"], &["Could not load"]);
    s.keys(&["f"]);
    s.wait_for("audit filters");
    s.keys(&["BSpace", "BSpace", "BSpace"]);
    s.type_text("7d");
    s.keys(&["Enter"]);
    s.wait_until_fn(|w| w.contains("range last 7d") && loaded(w) > 200, "the week's events");
    s.keys(&["/"]);
    s.type_text("AccessDenied");
    s.keys(&["Enter", "Enter"]);
    s.wait_until(
        &["\"eventName\": \"DeleteApiKey\"", "\"errorCode\": \"AccessDenied\"", "\"userName\": \"intern\""],
        &[],
    );
    // Partners: every status of the estate, then onboarding walked through the wizard.
    s.keys(&[":"]);
    s.type_text("partners");
    s.keys(&["Enter"]);
    s.wait_until(&["partners (5)", "bluefin-markets", "rotating until", "incomplete: no app client"], &[]);
    s.keys(&["n"]);
    s.wait_for("onboard a partner");
    s.type_text("echo-freight");
    s.keys(&["Tab"]);
    s.type_text(&built.plan_ids[1]);
    s.keys(&["Enter"]);
    s.wait_until(&["onboard partner echo-freight", "Equivalent AWS CLI", "create-user-pool-client"], &[]);
    s.keys(&["Enter"]);
    let shown = s.wait_until(&["new credentials", "client secret", "API key", "oauth2/token"], &[]);
    assert!(shown.contains("echo-freight: new partner"), "{shown}");
    s.keys(&["Escape"]);
    s.wait_until(&["partners (6)", "echo-freight"], &["new credentials"]);
    let listed = portcullis::partners::list(
        &ctx,
        Some(&built.user_pool_id),
        None,
        std::time::Duration::ZERO,
        Some("echo-freight"),
    )
    .await
    .unwrap();
    assert_eq!(listed.first().map(|p| p.status.as_str()), Some("ok"), "onboarded, read back through the SDK");
    assert_eq!(listed[0].keys[0].plan_ids, [built.plan_ids[1].clone()]);
    s.keys(&["Escape"]);
    // Try it: :try, an API in the sandbox plan (every partner has an enabled sandbox key in it),
    // its method that needs an API key and no other auth, on dev; a partner's key gets 200 from
    // the stand-in, none gets 403.
    let plans = ctx.apigw.get_usage_plans().send().await.unwrap();
    let sandbox = plans.items().iter().find(|p| p.name() == Some("sandbox")).unwrap();
    let covered = sandbox.api_stages()[0].api_id().unwrap().to_string();
    let api = built.apis.iter().find(|a| a.id == covered).unwrap();
    let keyed = api.methods.iter().find(|m| m.authorization == "NONE" && m.api_key_required).unwrap();
    let sub = keyed.path.rsplit('/').next().unwrap();
    let path: String =
        keyed.path.split('/').map(|seg| if seg.starts_with('{') { "p-1" } else { seg }).collect::<Vec<_>>().join("/");
    s.keys(&[":"]);
    s.type_text("try");
    s.keys(&["Enter"]);
    s.wait_until(&["try: choose an API", &api.name], &[]);
    s.keys(&["/"]);
    s.type_text(&api.name);
    s.keys(&["Enter", "Enter"]);
    s.wait_until(&["choose an operation", &keyed.path, "API key + NONE"], &[]);
    s.keys(&["/"]);
    s.type_text(&format!("dev GET {sub}"));
    s.keys(&["Enter", "Enter"]);
    s.wait_until(&["it demands: an API key, NONE", "requires an API key"], &[]);
    s.keys(&["C-u"]);
    s.type_text(&path);
    s.keys(&["Tab", "Tab", "Tab", "C-u"]);
    s.type_text("partner:northpeak-outdoor");
    s.keys(&["Enter"]);
    s.wait_until(&["HTTP 200", "x-api-key of", &format!("\"{sub}\": [")], &["Forbidden"]);
    s.keys(&["e", "Tab", "Tab", "Tab", "C-u"]);
    s.type_text("none");
    s.keys(&["Enter"]);
    s.wait_until(&["HTTP 403", "API Gateway: ForbiddenException: Forbidden"], &["HTTP 200"]);
    // Both calls are in the history, newest first, without the key.
    s.keys(&["H"]);
    s.wait_until(&["request history (2)", "partner:northpeak-outdoor", &path], &[]);
    let history = std::fs::read_to_string(s.dir.path().join("state/portcullis/history.jsonl")).unwrap();
    assert!(
        !history.to_lowercase().contains("x-api-key") && history.contains("partner:northpeak-outdoor"),
        "{history}"
    );
    s.keys(&["Escape", "Escape", "Escape", "Escape", "Escape", "Escape", "q"]);
    s.wait_for("EXIT=0");

    assert_eq!(s.display("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(s.display("#{cursor_flag}"), "1", "cursor visible again");
    let before = std::fs::read_to_string(s.dir.path().join("before")).unwrap();
    let after = wait_for_file(&s.dir.path().join("after"));
    assert_eq!(before, after, "terminal modes (raw mode off, echo on) restored");
}

/// The demo as `scripts/demo` runs it: the front first (moto behind it), the sample estate
/// built through it (its documentation parts and a second client secret are the front's), the
/// TUI on the front. What moto lacks shows real data: a plan's usage chart, the event history
/// (LookupEvents, a second page), the docs of a REST API (parameters, schemas) and of an HTTP
/// API (ExportApi), and a client-secret rotation by Cognito's two-secret model.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_estate_through_the_front_fills_every_screen() {
    let region = unique_region();
    let dir = tempfile::tempdir().unwrap();
    // As `scripts/demo` starts it: before any estate, so no tables yet.
    let demo = common::demo::start(region, dir.path(), true, false);
    let front_url = demo.front();
    let settings = Settings::for_endpoint(&[region], front_url.clone());
    let ctx = portcullis::aws::connect(&settings).await.unwrap().remove(0);
    let built = estate::build(&ctx, &EstateSpec::default()).await.unwrap();
    assert!(
        built.documentation_parts > 50,
        "documentation parts made through the front: {}",
        built.documentation_parts
    );
    let tables = demo.tables_now(region, dir.path());
    let config = format!("partner_pool = \"{}\"\n{tables}", built.user_pool_id);
    let s = Session::start("front", region, &front_url, &config);
    s.wait_until(&["APIs (9)", "payments-api", "tracking-events"], &[]);

    // A plan's usage: GetUsage answered by the front, drawn as bars.
    s.keys(&[":"]);
    s.type_text("plans");
    s.keys(&["Enter"]);
    s.wait_until(&["usage plans (3)", "sandbox"], &[]);
    s.keys(&["Enter"]);
    let chart = s.wait_until(&["requests per day, all keys", "% used", "█"], &["not available"]);
    assert!(chart.matches('█').count() > 20, "bars: {chart}");

    // The event history: LookupEvents, the last 24 hours, then a second page.
    s.keys(&[":"]);
    s.type_text("audit");
    s.keys(&["Enter"]);
    s.wait_until(&["LookupEvents pages", "range last 24h", "GetApiKey", "ci-runner"], &["Could not load"]);
    // One page per event source (API Gateway, Cognito) to start; the end of the list fetches
    // the next: a second page of one source, more than a page of events.
    s.keys(&["G"]);
    s.wait_until_fn(|w| lookup_pages(w) >= 3 && loaded(w) > 50, "a second LookupEvents page");
    s.keys(&["/"]);
    s.type_text("AccessDenied");
    s.keys(&["Enter"]);
    s.wait_until(&["1 shown of", "intern"], &[]);
    s.keys(&["Home", "Enter"]);
    s.wait_until(&["\"eventName\": \"DeleteApiKey\"", "\"userName\": \"intern\""], &[]);
    s.keys(&["Escape", "Escape", "Escape"]);

    // A REST API's docs: parameters, the request body's schema, the responses.
    s.keys(&[":"]);
    s.type_text("apis");
    s.keys(&["Enter"]);
    s.keys(&["/"]);
    s.type_text("payments-api");
    s.keys(&["Enter", "d"]);
    s.wait_until(&["List payments", "Parameters", "limit (query", "Responses"], &["Could not"]);
    // The docs' `/` keeps the lines that match: the request bodies (the models' schemas) and a header.
    s.keys(&["/"]);
    s.type_text("Request body");
    s.keys(&["Enter"]);
    s.wait_until(&["Request body (application/json, required)"], &[]);
    s.keys(&["/", "C-u"]);
    s.type_text("enum:");
    s.keys(&["Enter"]);
    s.wait_until(&["status", "status: string (enum: pending | active"], &[]);
    s.keys(&["/", "C-u"]);
    s.type_text("Idempotency");
    s.keys(&["Enter"]);
    s.wait_until(&["Idempotency-Key (header) string", "Repeat a create safely"], &[]);
    s.keys(&["Escape", "Escape"]);
    // An HTTP API's docs: ExportApi, answered by the front.
    s.keys(&["/"]);
    s.keys(&["C-u"]);
    s.type_text("tracking-events");
    s.keys(&["Enter", "d"]);
    s.wait_until(&["GET /tracking/{id}", "Default response for GET /tracking", "OpenAPI 3.0"], &["Could not"]);
    s.keys(&["/"]);
    s.type_text("(path");
    s.keys(&["Enter"]);
    s.wait_until(&["id (path, required) string"], &[]);
    s.keys(&["Escape", "Escape"]);

    // A partner's client secret rotated by Cognito's two-secret model: a second secret, both
    // valid for the grace period.
    s.keys(&[":"]);
    s.type_text("partners");
    s.keys(&["Enter"]);
    s.wait_until(&["partners (5)", "northpeak-outdoor", "rotating until"], &[]);
    s.keys(&["/"]);
    s.type_text("northpeak");
    s.keys(&["Enter", "R"]);
    // The rotation's form (after the grace, shown here once: as it comes), then its review.
    s.wait_until(&["rotate the client secret", "after the grace", "shown here once"], &[]);
    s.keys(&["Enter"]);
    s.wait_until(&["rotate partner northpeak-outdoor's client secret", "add-user-pool-client-secret"], &[]);
    s.keys(&["Enter"]);
    s.wait_until(&["new credentials", "second secret", "client secret"], &[]);
    let client = built.clients.iter().find(|(p, _)| p == "northpeak-outdoor").map(|c| c.1.clone()).unwrap();
    let secrets = portcullis::aws::cognito::list_secrets(&ctx, &built.user_pool_id, &client).await.unwrap();
    assert_eq!(secrets.map(|s| s.len()), Some(2), "the old secret and the new one");
    s.keys(&["Escape", "Escape", "Escape", "q"]);
    s.wait_for("EXIT=0");
}

/// `N` in the audit screen's `... · N LookupEvents pages`.
fn lookup_pages(screen: &str) -> usize {
    counted(screen, " LookupEvents pages")
}

/// `N` in `... shown of N loaded`.
fn loaded(screen: &str) -> usize {
    counted(screen, " loaded")
}

/// The number just before `after` on the screen; 0 when `after` is not there.
fn counted(screen: &str, after: &str) -> usize {
    let Some(at) = screen.find(after) else { return 0 };
    screen[..at].rsplit(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn wait_for_file(path: &std::path::Path) -> String {
    let start = Instant::now();
    loop {
        match std::fs::read_to_string(path) {
            Ok(text) if text.ends_with('\n') => return text,
            _ if start.elapsed() > Duration::from_secs(10) => panic!("{} was not written", path.display()),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The TUI ends with its terminal: the pty closed under it (the tmux server killed, as a
/// closed terminal window does) while a load is running against an endpoint that never
/// answers, and the process is gone within seconds, not left spinning.
#[test]
fn the_tui_exits_when_its_terminal_goes_away_even_with_a_load_running() {
    // An endpoint that accepts and never answers: the catalog load stays in flight.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let mut open = vec![];
        for stream in listener.incoming().take(16).flatten() {
            open.push(stream);
        }
    });
    let name = format!("portcullis-e2e-hup-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let status = tmux(&name)
        .args(["new-session", "-d", "-s", &name, "-x", "100", "-y", "30"])
        .args(["-e", "AWS_ACCESS_KEY_ID=testing", "-e", "AWS_SECRET_ACCESS_KEY=testing", "-e", "TERM=xterm-256color"])
        .args(["-e", &format!("XDG_CONFIG_HOME={d}"), "-e", &format!("XDG_CACHE_HOME={d}/cache")])
        .args([env!("CARGO_BIN_EXE_portcullis"), "--endpoint-url", &endpoint, "--region", "eu-west-1"])
        .status()
        .expect("tmux must be installed (scripts/test installs it)");
    assert!(status.success());
    let pid = tmux(&name).args(["display", "-p", "-t", &name, "#{pane_pid}"]).output().unwrap();
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let shown = tmux(&name).args(["capture-pane", "-p", "-t", &name]).output().unwrap();
        if String::from_utf8_lossy(&shown.stdout).contains("Loading") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(proc_dir.exists(), "portcullis ({pid}) runs, its load in flight");
    let _ = tmux(&name).args(["kill-server"]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while proc_dir.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!proc_dir.exists(), "portcullis ({pid}) still runs after its terminal went away");
    drop(held);
}
