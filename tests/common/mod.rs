//! Shared helpers for the integration tests (`mod common;` in each test file).
// Not every test binary uses every helper (or every re-export below).
#![allow(dead_code, unused_imports)]

pub mod demo;
pub mod moto;
pub mod partners;

pub use moto::{Moto, moto, test_env, unique_region};

static REPLAY_CREDENTIALS: std::sync::Once = std::sync::Once::new();

/// Dummy credentials for the replay (wiremock) tests; every test calls this first, before
/// anything reads the environment.
pub fn replay_credentials() {
    // SAFETY: called first in every test of the binary, so no other thread reads the environment yet.
    REPLAY_CREDENTIALS.call_once(|| unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "replay");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "replay");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

/// Run the real binary against the test's moto in `region`, with test credentials, no config
/// file, no log filter and no terminal on stdin; `env` adds or overrides variables.
pub fn run_cli(region: &str, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> std::process::Output {
    run_cli_at(&moto().endpoint(), region, args, env)
}

/// Like [`run_cli`], against any endpoint (a replay server, a proxy).
pub fn run_cli_at(
    endpoint: &str,
    region: &str,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"));
    c.args(["--endpoint-url", endpoint, "--region", region]).args(args);
    c.env("AWS_ACCESS_KEY_ID", "testing").env("AWS_SECRET_ACCESS_KEY", "testing").env_remove("AWS_PROFILE");
    c.env("XDG_CONFIG_HOME", std::env::temp_dir().join("portcullis-test-no-config")).env_remove("RUST_LOG");
    c.env("XDG_CACHE_HOME", std::env::temp_dir().join(format!("portcullis-test-cache-{}", std::process::id())));
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(std::process::Stdio::null()).output().expect("run portcullis")
}

/// Replay one AWS answer: `method path` gets `status` with a JSON body.
pub async fn answer(
    server: &wiremock::MockServer,
    method: &str,
    path: impl Into<String>,
    status: u16,
    body: serde_json::Value,
) {
    wiremock::Mock::given(wiremock::matchers::method(method))
        .and(wiremock::matchers::path(path.into()))
        .respond_with(wiremock::ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

/// The credentials' own account in moto (the management account of an organisation).
pub const OWN_ACCOUNT: &str = "123456789012";

/// The SDK configuration of `account` at `endpoint` as a reader independent of portcullis has
/// it: the credentials' own, or a role assumed there with aws-config's own provider (moto's
/// account isolation puts the calls in that account).
pub async fn sdk_of(endpoint: &str, account: &str, region: &str) -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region};
    let base = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region.to_string()))
        .load()
        .await;
    if account == OWN_ACCOUNT {
        return base;
    }
    let role = format!("arn:aws:iam::{account}:role/PortcullisReadOnly");
    let provider =
        aws_config::sts::AssumeRoleProvider::builder(role).session_name("second-reader").configure(&base).build().await;
    let shared = aws_credential_types::provider::SharedCredentialsProvider::new(provider);
    base.into_builder().credentials_provider(shared).build()
}
