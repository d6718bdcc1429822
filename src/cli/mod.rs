//! The command line: global flags, subcommands, and their table/JSON rendering.

pub mod apis;
pub mod audit;
pub mod call;
pub mod confirm;
pub mod keys;
pub mod lint;
pub mod partners;
pub mod plans;
pub mod table;

use crate::config::{Overrides, Settings};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "portcullis", version, about = "A terminal developer portal for AWS API Gateway")]
pub struct Cli {
    /// AWS profile (standard AWS config: SSO, credential_process, ... all work).
    #[arg(long, global = true, env = "PORTCULLIS_PROFILE")]
    pub profile: Option<String>,
    /// Region(s): repeat or comma-separate; `all` for every region.
    #[arg(long, global = true)]
    pub region: Vec<String>,
    /// Send every AWS call to this endpoint (an emulator, LocalStack, a proxy).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Refuse every mutation.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Colour theme: default, light, high-contrast, or a user theme.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Config file (default: ~/.config/portcullis/config.toml).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// API Gateway control-plane requests per second (0 = unpaced).
    #[arg(long, global = true)]
    pub pace_rps: Option<f64>,
    /// Neither read nor write the caches in the XDG cache dir (audit events already fetched; the TUI's last catalog).
    #[arg(long, global = true)]
    pub no_cache: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List REST and HTTP APIs with their stages (and methods/routes with --detail).
    Apis(apis::ApisArgs),
    /// Usage plans: throttle, quota, API stages, keys; `plans usage` for requests per day.
    Plans(plans::PlansArgs),
    /// API keys (never their values); create, enable, disable, delete, attach, detach.
    Keys(keys::KeysArgs),
    /// Partners across Cognito and API Gateway: onboard, rotate, offboard, reconcile.
    Partners(partners::PartnersArgs),
    /// Call an operation of an API stage, authenticated the way the method demands.
    Call(call::CallArgs),
    /// CloudTrail events for API Gateway and Cognito (or any source), from LookupEvents or S3 logs.
    Audit(audit::AuditArgs),
    /// Governance findings for every API, stage, route, plan, key and partner (JSON, SARIF; exit 3 at the threshold).
    Lint(lint::LintArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    #[default]
    Table,
    Json,
}

impl Cli {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            profile: self.profile.clone(),
            regions: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            read_only: self.read_only,
            theme: self.theme.clone(),
            config: self.config.clone(),
            pace_rps: self.pace_rps,
            no_cache: self.no_cache,
        }
    }
}

/// Mutations and single-plan reads act on exactly one region.
pub fn one_region(contexts: &[crate::aws::AwsContext]) -> anyhow::Result<&crate::aws::AwsContext> {
    match contexts {
        [one] => Ok(one),
        _ => anyhow::bail!("this command acts on one region: name it with --region"),
    }
}

/// After a listing is printed: say on stderr what could not be read completely (`lines`, about
/// `count` items) and each region that failed; exit 1 when there is any.
pub fn report_incomplete(
    lines: &[String],
    count: usize,
    noun: &str,
    region_errors: &[(String, crate::aws::AwsError)],
    regions: usize,
) -> anyhow::Result<()> {
    for line in lines {
        eprintln!("warning: {line}");
    }
    for (region, e) in region_errors {
        eprintln!("warning: {region}: {e}");
    }
    match (count, region_errors.len()) {
        (0, 0) => Ok(()),
        (n, 0) => {
            anyhow::bail!(
                "{n} {noun}(s) could not be read completely (their `error` field says what); the others are whole"
            )
        }
        (_, r) => anyhow::bail!("{r} of {regions} regions could not be read; the output holds the others"),
    }
}

/// Print to stdout; a closed pipe (`| head`) is not an error.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// An exit code other than 1 (2 usage, 3/4/5 a call's answer with --check-status, 3 lint's
/// threshold), with what to say.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: i32,
    pub message: String,
}

/// Exit 2: the command cannot run as given (what to pass is said).
pub fn usage_error(message: impl Into<String>) -> anyhow::Error {
    Exit { code: 2, message: message.into() }.into()
}

/// Run a subcommand; returns the process exit code.
pub async fn run(command: Command, settings: Settings) -> i32 {
    let result = match command {
        Command::Apis(args) => apis::run(args, &settings).await,
        Command::Plans(args) => plans::run(args, &settings).await,
        Command::Keys(args) => keys::run(args, &settings).await,
        Command::Audit(args) => audit::run(args, &settings).await,
        Command::Partners(args) => partners::run(args, &settings).await,
        Command::Call(args) => call::run(args, &settings).await,
        Command::Lint(args) => lint::run(args, &settings).await,
    };
    match result {
        Ok(()) => 0,
        // Codes of their own: 2 usage, 3/4/5 for a call's answer with --check-status, 3 lint's threshold.
        Err(e) if e.downcast_ref::<Exit>().is_some() => {
            let exit = e.downcast_ref::<Exit>().expect("checked");
            eprintln!("{}{}", if exit.code == 2 { "error: " } else { "" }, exit.message);
            exit.code
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
