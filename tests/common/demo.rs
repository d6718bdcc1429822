//! The stand-ins (`src/dev/standin/upstream.py`) in front of the tests' moto: the stages'
//! upstream, and with `--front` the AWS endpoint: the proxy (the `portcullis-dev` binary) in
//! front of the front, which answers what moto lacks.

use super::moto;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The running process (killed when dropped), its front's URL (with `--front`) and its upstream's.
pub struct Demo {
    child: Child,
    pub front: Option<String>,
    pub upstream: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python(dir: &Path) -> Command {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut c = Command::new(format!("{root}/.venv/bin/python"));
    c.arg(format!("{root}/src/dev/standin/upstream.py"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        // Its log (a line per answer) next to the test's files, not in the test run's output.
        .stderr(Stdio::from(std::fs::File::create(dir.join("upstream.log")).unwrap()));
    c
}

/// Start it for `region`, with the front or not; with `tables`, the [invoke_urls] and
/// [token_urls] of what moto holds now are written to `dir/upstream.toml` first.
pub fn start(region: &str, dir: &Path, front: bool, tables: bool) -> Demo {
    let mut cmd = python(dir);
    cmd.args(["--moto", &moto().endpoint(), "--regions", region]);
    if front {
        cmd.args(["--front", env!("CARGO_BIN_EXE_portcullis-dev")]);
    }
    if tables {
        cmd.arg("--config-out").arg(dir.join("upstream.toml"));
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("the test virtual environment runs upstream.py");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut port = |prefix: &str| {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let p = line.trim().strip_prefix(prefix).unwrap_or_else(|| panic!("upstream.py: {line:?}")).to_string();
        format!("http://127.0.0.1:{p}")
    };
    let front = front.then(|| port("FRONT_PORT="));
    let upstream = port("UPSTREAM_PORT=");
    Demo { child, front, upstream }
}

impl Demo {
    /// The front's URL (started with `front`).
    pub fn front(&self) -> String {
        self.front.clone().expect("started with --front")
    }

    /// The tables written at start (`tables`).
    pub fn tables(&self, dir: &Path) -> String {
        std::fs::read_to_string(dir.join("upstream.toml")).unwrap()
    }

    /// The tables for what moto holds now (`--only-config`), as `scripts/demo` writes them once
    /// the estate is built.
    pub fn tables_now(&self, region: &str, dir: &Path) -> String {
        let out = dir.join("upstream-now.toml");
        let status = python(dir)
            .args(["--only-config", &self.upstream, "--moto", &moto().endpoint(), "--regions", region, "--config-out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success(), "upstream.py --only-config");
        std::fs::read_to_string(&out).unwrap()
    }
}
