//! The command line: global flags, subcommands, and their table/JSON rendering.

pub mod accounts;
pub mod apis;
pub mod audit;
pub mod call;
pub mod confirm;
pub mod iam_policy;
pub mod keys;
pub mod lint;
pub mod partners;
pub mod plans;
pub mod table;

use crate::config::{Overrides, Settings};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The heading the global options are listed under in every command's `--help`.
const GLOBAL: &str = "Global options";

/// The exit codes every command shares (their `--help` says them).
pub const EXIT_CODES: &str = "Exit codes:
  0  success
  1  failure: an AWS error, a change not confirmed or not carried out
  2  usage or configuration error: a bad flag or value, a bad config file, something to pass";

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "A terminal developer portal for AWS API Gateway",
    long_about = "A terminal developer portal for AWS API Gateway. Without a command it opens the TUI; each \
                  command prints a table, or JSON with --output json.",
    after_help = EXIT_CODES_MAIN
)]
pub struct Cli {
    /// AWS profile (standard AWS config: SSO, credential_process, ... all work).
    #[arg(long, global = true, env = "PORTCULLIS_PROFILE", help_heading = GLOBAL)]
    pub profile: Option<String>,
    /// Region(s): repeat or comma-separate; `all` for every region.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub region: Vec<String>,
    /// Account(s) to read: `all` (the organisation's, or the config's list) or ids, comma-separated;
    /// the credentials' own account is always one of them.
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "all|ID[,ID...]")]
    pub accounts: Vec<String>,
    /// Send every AWS call to this endpoint (an emulator, LocalStack, a proxy).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub endpoint_url: Option<String>,
    /// Refuse every mutation.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub read_only: bool,
    /// Colour theme of the TUI: default, light, high-contrast, or a user theme.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub theme: Option<String>,
    /// Config file (default: ~/.config/portcullis/config.toml).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// API Gateway control-plane requests per second (0 = unpaced).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub pace_rps: Option<f64>,
    /// Neither read nor write the caches in the XDG cache dir (audit events already fetched; the TUI's last catalog).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_cache: bool,
    /// Colour in the CLI's tables: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t, help_heading = GLOBAL)]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Option<Command>,
}

const EXIT_CODES_MAIN: &str = "Exit codes:
  0  success
  1  failure: an AWS error, a change not confirmed or not carried out
  2  usage or configuration error: a bad flag or value, a bad config file, something to pass
  3  `lint`: findings at or above --fail-on; `call --check-status`: a 3xx answer (4 a 4xx, 5 a 5xx)";

/// When the CLI's tables use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorWhen {
    // On a terminal, unless NO_COLOR is set (to anything but the empty string).
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List REST and HTTP APIs with their stages (and methods/routes with --detail).
    #[command(after_help = EXIT_CODES)]
    Apis(apis::ApisArgs),
    /// Usage plans: throttle, quota, API stages, keys; `plans usage` for requests per day.
    #[command(after_help = EXIT_CODES)]
    Plans(plans::PlansArgs),
    /// API keys (never their values); create, enable, disable, delete, attach, detach.
    #[command(after_help = EXIT_CODES)]
    Keys(keys::KeysArgs),
    /// Partners across Cognito and API Gateway: onboard, rotate, offboard, reconcile.
    #[command(after_help = partners::EXIT_CODES)]
    Partners(partners::PartnersArgs),
    /// Call an operation of an API stage, authenticated the way the method demands.
    #[command(after_help = call::EXIT_CODES)]
    Call(call::CallArgs),
    /// CloudTrail events for API Gateway and Cognito (or any source), from LookupEvents or S3 logs.
    #[command(after_help = EXIT_CODES)]
    Audit(audit::AuditArgs),
    /// Governance findings for every API, stage, route, plan, key and partner (JSON, SARIF; exit 3 at the threshold).
    #[command(after_help = lint::EXIT_CODES)]
    Lint(lint::LintArgs),
    /// Every account read (its own, the organisation's or the config's list): status, APIs, partners, findings.
    #[command(after_help = EXIT_CODES)]
    Accounts(accounts::AccountsArgs),
    /// The IAM policy the role in each account needs (read-only, or --changes), or its trust policy (--trust).
    #[command(name = "iam-policy", after_help = EXIT_CODES)]
    IamPolicy(iam_policy::IamPolicyArgs),
    /// Shell completions (bash, zsh, fish, powershell, elvish) on stdout.
    #[command(
        after_help = "Install, e.g.: portcullis completions bash > ~/.local/share/bash-completion/completions/portcullis"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// The man page (roff) on stdout, or with --dir one page per command written there.
    Man {
        /// Write portcullis.1 and portcullis-COMMAND.1 for every command into this directory.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
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
            accounts: self.accounts.clone(),
        }
    }
}

/// `portcullis completions SHELL`: clap_complete's script for the whole command tree.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "portcullis", &mut out);
    Ok(write_stdout(&String::from_utf8_lossy(&out))?)
}

/// `portcullis man`: the page rendered by clap_mangen from the command tree (at run time, so it
/// is always the binary's own), with the exit codes as a section of their own.
fn man(dir: Option<PathBuf>) -> anyhow::Result<()> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    match dir {
        None => Ok(write_stdout(&String::from_utf8_lossy(&man_page(&cmd, "portcullis")?))?),
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            write_pages(&cmd, "portcullis", &dir)
        }
    }
}

fn write_pages(cmd: &clap::Command, name: &str, dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::write(dir.join(format!("{name}.1")), man_page(cmd, name)?)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(())
}

fn man_page(cmd: &clap::Command, name: &str) -> anyhow::Result<Vec<u8>> {
    // The page's name is the command's path (`portcullis-partners-rotate`); a one-shot command, so
    // the few bytes of its name may live as long as the process.
    let name: &'static str = Box::leak(name.to_string().into_boxed_str());
    let after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
    let cmd = cmd.clone().name(name).after_help(None::<&str>).after_long_help(None::<&str>);
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    if cmd.get_subcommands().next().is_some() {
        man.render_subcommands_section(&mut out)?;
    }
    out.extend(after_help_section(&after).into_bytes());
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// A command's after-help as man sections: its exit codes as a tagged list (`.TP`), anything
/// else as a paragraph.
fn after_help_section(after: &str) -> String {
    let roff = |t: &str| t.replace('\\', "\\\\").replace('-', "\\-");
    let Some(codes) = after.strip_prefix("Exit codes:") else {
        return if after.is_empty() { String::new() } else { format!(".SH NOTES\n{}\n", roff(after)) };
    };
    let mut out = String::from(".SH \"EXIT CODES\"\n");
    for line in codes.lines().filter(|l| !l.trim().is_empty()) {
        match line.trim_start().split_once("  ") {
            Some((code, text)) if line.starts_with("  ") && !line.starts_with("   ") => {
                out.push_str(&format!(".TP\n{code}\n{}\n", roff(text.trim())))
            }
            _ => out.push_str(&format!("{}\n", roff(line.trim()))),
        }
    }
    out
}

/// Mutations and single-plan reads act on exactly one region.
pub fn one_region(contexts: &[crate::aws::AwsContext]) -> anyhow::Result<&crate::aws::AwsContext> {
    match contexts {
        [one] => Ok(one),
        [first, ..] if first.account_id.is_some() => {
            Err(usage_error("this command acts on one account and region: name them with --accounts ID and --region"))
        }
        _ => Err(usage_error("this command acts on one region: name it with --region")),
    }
}

/// After a listing is printed: say on stderr what could not be read completely (`lines`, about
/// `count` items), each account that cannot be read and each region that failed; exit 1 when
/// there is any.
pub fn report_incomplete(
    lines: &[String],
    count: usize,
    noun: &str,
    region_errors: &[(String, crate::aws::AwsError)],
    contexts: &[crate::aws::AwsContext],
) -> anyhow::Result<()> {
    let accounts = unreadable_accounts(contexts);
    for line in lines {
        eprintln!("warning: {line}");
    }
    for (region, e) in region_errors {
        eprintln!("warning: {region}: {e}");
    }
    let mut parts = Vec::new();
    if !accounts.is_empty() {
        let of = contexts.first().map_or(0, |c| c.reach.accounts.len());
        parts.push(format!("{} of {of} accounts", accounts.len()));
    }
    if !region_errors.is_empty() {
        parts.push(format!("{} of {} regions", region_errors.len(), contexts.len()));
    }
    match (count, parts.is_empty()) {
        (0, true) => Ok(()),
        (n, true) => {
            anyhow::bail!(
                "{n} {noun}(s) could not be read completely (their `error` field says what); the others are whole"
            )
        }
        (_, false) => anyhow::bail!("{} could not be read; the output holds the others", parts.join(" and ")),
    }
}

/// Say on stderr each account of the connection that cannot be read (and an organisation that
/// could not be listed), with what to do; the lines said.
pub fn unreadable_accounts(contexts: &[crate::aws::AwsContext]) -> Vec<String> {
    let warnings = contexts.first().map(|c| c.reach.warnings()).unwrap_or_default();
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    warnings
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
        Command::Completions { shell } => completions(shell),
        Command::Man { dir } => man(dir),
        Command::Apis(args) => apis::run(args, &settings).await,
        Command::Plans(args) => plans::run(args, &settings).await,
        Command::Keys(args) => keys::run(args, &settings).await,
        Command::Audit(args) => audit::run(args, &settings).await,
        Command::Partners(args) => partners::run(args, &settings).await,
        Command::Call(args) => call::run(args, &settings).await,
        Command::Lint(args) => lint::run(args, &settings).await,
        Command::Accounts(args) => accounts::run(args, &settings).await,
        Command::IamPolicy(args) => iam_policy::run(args),
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
