//! End-to-end: the real binary in a pseudo-terminal (tmux), against moto with the sample estate.
//! Open the catalog, filter, drill in, go back, quit; then check the terminal was restored.

mod common;

use common::{moto, unique_region};
use portcullis::aws::estate::{self, EstateSpec};
use portcullis::config::Settings;
use std::process::Command;
use std::time::{Duration, Instant};

struct Session {
    name: String,
    dir: tempfile::TempDir,
}

impl Session {
    fn start(region: &str) -> Session {
        let name = format!("portcullis-e2e-{}", std::process::id());
        let dir = tempfile::tempdir().unwrap();
        let bin = env!("CARGO_BIN_EXE_portcullis");
        let d = dir.path().display();
        let script = format!(
            "stty -a > {d}/before; {bin} --endpoint-url {} --region {region}; echo EXIT=$?; stty -a > {d}/after; sleep 600",
            moto().endpoint()
        );
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &name, "-x", "120", "-y", "30"])
            .args([
                "-e",
                "AWS_ACCESS_KEY_ID=testing",
                "-e",
                "AWS_SECRET_ACCESS_KEY=testing",
                "-e",
                "TERM=xterm-256color",
            ])
            .args(["-e", &format!("XDG_CONFIG_HOME={d}")])
            .arg(script)
            .status()
            .expect("tmux must be installed (scripts/test installs it)");
        assert!(status.success(), "tmux new-session failed");
        Session { name, dir }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux").args(["capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux").args(["send-keys", "-t", &self.name, k]).status().unwrap();
            // Escape followed at once by a key reads as Alt+key: leave a gap.
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn type_text(&self, text: &str) {
        Command::new("tmux").args(["send-keys", "-t", &self.name, "-l", text]).status().unwrap();
    }

    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting for {needle:?}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn display(&self, format: &str) -> String {
        let out = Command::new("tmux").args(["display-message", "-p", "-t", &self.name, format]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn browse_filter_drill_in_and_quit_restores_the_terminal() {
    let region = unique_region();
    let settings = Settings {
        profile: None,
        regions: vec![region.into()],
        endpoint_url: Some(moto().endpoint()),
        read_only: false,
        theme: "default".into(),
        config_dir: None,
        pace_rps: None,
        pace_burst: None,
        no_color: false,
    };
    let ctx = portcullis::aws::connect(&settings).await.unwrap().remove(0);
    estate::build(&ctx, &EstateSpec::default()).await.unwrap();

    let s = Session::start(region);
    let first = s.wait_for("APIs (9)");
    assert!(first.contains("payments-api") && first.contains("tracking-events"), "{first}");
    assert_eq!(s.display("#{alternate_on}"), "1", "the TUI uses the alternate screen");

    s.keys(&["/"]);
    s.type_text("paymnts");
    let filtered = s.wait_for("APIs (1/9)");
    assert!(filtered.contains("payments-api") && !filtered.contains("orders-api"), "{filtered}");
    s.keys(&["Enter", "Enter"]);
    let detail = s.wait_for("/payments/{paymentId}/refunds");
    assert!(detail.contains("COGNITO_USER_POOLS") && detail.contains("partners-cognito"), "{detail}");
    s.keys(&["Tab", "Enter"]);
    let stage = s.wait_for("invoke URL");
    assert!(stage.contains("execute-api") && stage.contains("/dev"), "{stage}");
    s.keys(&["Escape", "Escape"]);
    s.wait_for("APIs (1/9)");
    s.keys(&[":"]);
    s.type_text("pla");
    s.keys(&["Tab", "Enter"]);
    s.wait_for("not built yet");
    s.keys(&["Escape", "q"]);
    s.wait_for("EXIT=0");

    assert_eq!(s.display("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(s.display("#{cursor_flag}"), "1", "cursor visible again");
    let before = std::fs::read_to_string(s.dir.path().join("before")).unwrap();
    let after = wait_for_file(&s.dir.path().join("after"));
    assert_eq!(before, after, "terminal modes (raw mode off, echo on) restored");
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
