//! A moto server (a local fake of the AWS APIs) for integration tests.
//!
//! One server is started per test binary, on first use of [`moto()`]; it is
//! `scripts/moto_run.py` run by `.venv/bin/python`, which `scripts/venv` (run
//! by `scripts/test`) installs. The script exits by itself once this test
//! process is gone, so an interrupted test run never leaves moto behind.
//!
//! Tests in one binary run in parallel against that one server. Keep them
//! apart with [`unique_region()`]: moto keeps a separate estate per region.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// How long `moto_run.py` may take to print its `MOTO_PORT=` line.
const PORT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long, after that, the port may take to accept a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The running moto server of this test binary.
pub struct Moto {
    port: u16,
    /// Held for the lifetime of the test binary; the child exits on its own
    /// when this process does (see `scripts/moto_run.py`).
    _child: Mutex<Child>,
}

static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();

/// The moto server for this test binary, started on first call.
///
/// Also sets dummy AWS credentials in the environment (see [`test_env`]).
/// Panics, failing the test, if moto cannot be started: tests never skip.
#[track_caller]
pub fn moto() -> &'static Moto {
    match MOTO.get_or_init(start) {
        Ok(moto) => moto,
        Err(message) => panic!("{message}"),
    }
}

impl Moto {
    /// The endpoint URL to give the AWS SDK, e.g. `http://127.0.0.1:40123`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Real AWS region names, each handed out once per test binary by
/// [`unique_region()`]. moto accepts all of them for API Gateway (v1 and v2)
/// and Cognito. `us-east-1` is last, so that a test which hard-codes it is
/// the least likely to share it with another.
const REGIONS: &[&str] = &[
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-east-1",
    "ca-central-1",
    "ca-west-1",
    "sa-east-1",
    "af-south-1",
    "me-south-1",
    "me-central-1",
    "il-central-1",
    "mx-central-1",
    "us-east-1",
];

static NEXT_REGION: AtomicUsize = AtomicUsize::new(0);

/// A region no other caller in this test binary has been given, so a test
/// that creates and lists resources there sees only its own.
pub fn unique_region() -> &'static str {
    let index = NEXT_REGION.fetch_add(1, Ordering::Relaxed);
    REGIONS.get(index).copied().unwrap_or_else(|| {
        panic!(
            "unique_region(): all {} regions are already taken in this test binary; \
             split the tests into more files (each test binary has its own moto) \
             or add regions to REGIONS in tests/common/moto.rs",
            REGIONS.len()
        )
    })
}

/// Dummy credentials for moto, and no profile, so that the SDK never looks
/// at the developer's real AWS configuration. Called by [`moto()`].
pub fn test_env() {
    // SAFETY: edition 2024 marks environment writes unsafe because another
    // thread could be reading the environment at the same time. This runs
    // once, inside moto()'s OnceLock initialisation, before any test in this
    // binary has built an AWS client.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_PROFILE");
    }
}

fn start() -> Result<Moto, String> {
    test_env();

    let repo = Path::new(REPO);
    let python = repo.join(".venv/bin/python");
    let script = repo.join("scripts/moto_run.py");
    let log_path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-{}.log", std::process::id()));
    let fail = |why: String| failure(&why, &log_path);

    if !python.exists() {
        return Err(fail(format!("{} does not exist", python.display())));
    }
    let log = File::create(&log_path).map_err(|err| fail(format!("cannot create {}: {err}", log_path.display())))?;

    let mut child = Command::new(&python)
        .arg(&script)
        .arg("0")
        .current_dir(repo)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|err| fail(format!("cannot run {}: {err}", python.display())))?;

    let port = match read_port(&mut child) {
        Ok(port) => port,
        Err(why) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail(why));
        }
    };

    if let Err(why) = wait_for_connect(&mut child, port) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(fail(why));
    }

    Ok(Moto { port, _child: Mutex::new(child) })
}

/// Reads the `MOTO_PORT=<port>` line from the child's stdout, with a timeout.
fn read_port(child: &mut Child) -> Result<u16, String> {
    let stdout = child.stdout.take().ok_or_else(|| "moto_run.py has no stdout pipe".to_string())?;
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("moto-stdout".into())
        .spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let mut sent = false;
            // Keep draining until EOF so the pipe stays open while moto runs.
            while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                if !sent && let Some(port) = line.trim().strip_prefix("MOTO_PORT=") {
                    let port = port.parse::<u16>().map_err(|err| format!("bad port line {:?}: {err}", line.trim()));
                    let _ = sender.send(port);
                    sent = true;
                }
                line.clear();
            }
        })
        .map_err(|err| format!("cannot spawn the moto stdout reader: {err}"))?;

    match receiver.recv_timeout(PORT_TIMEOUT) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => {
            Err(format!("moto_run.py printed no MOTO_PORT= line within {} s", PORT_TIMEOUT.as_secs()))
        }
        Err(RecvTimeoutError::Disconnected) => {
            let status = child.wait().map_or_else(|err| format!("unknown status: {err}"), |s| s.to_string());
            Err(format!("moto_run.py exited ({status}) before printing MOTO_PORT="))
        }
    }
}

fn wait_for_connect(child: &mut Child, port: u16) -> Result<(), String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + CONNECT_TIMEOUT;
    loop {
        let Err(error) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
            return Ok(());
        };
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("moto_run.py exited ({status}) after printing its port"));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "nothing accepted connections on {address} within {} s: {error}",
                CONNECT_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn failure(why: &str, log_path: &Path) -> String {
    let log = std::fs::read_to_string(log_path).unwrap_or_default();
    let log = log.trim();
    let tail_start = log.char_indices().rev().nth(3999).map_or(0, |(index, _)| index);
    let log_section = if log.is_empty() {
        String::new()
    } else {
        format!("\n--- end of {} ---\n{}\n---", log_path.display(), &log[tail_start..])
    };
    format!(
        "moto could not be started: {why}.\n\
         The integration tests need moto in {REPO}/.venv: run `scripts/test`, \
         which installs it (via scripts/venv) and then runs the tests.{log_section}"
    )
}
