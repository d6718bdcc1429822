//! `portcullis-dev`: the demo's and the benchmarks' helper commands (built only with the
//! `dev-tools` feature; `cargo install --path .` leaves it out).

use clap::{Parser, Subcommand};
use portcullis::config::{Overrides, Settings};
use portcullis::dev::standin::proxy;
use portcullis::dev::{bench_accounts, bench_docs, bench_parse, bench_tui, estate_cli};

#[derive(Debug, Parser)]
#[command(name = "portcullis-dev", about = "Demo and benchmark helpers for portcullis (not the product)")]
struct DevCli {
    /// AWS profile.
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Region(s): repeat or comma-separate.
    #[arg(long, global = true)]
    region: Vec<String>,
    /// The emulator's endpoint.
    #[arg(long, global = true)]
    endpoint_url: Option<String>,
    #[command(subcommand)]
    command: DevCommand,
}

#[derive(Debug, Subcommand)]
enum DevCommand {
    /// Build the sample estate into an emulator (used by scripts/demo).
    Estate(estate_cli::EstateArgs),
    /// Time the trail-log parser over local files (scripts/bench audit).
    BenchParse(bench_parse::BenchParseArgs),
    /// Time drawing and filtering the TUI's biggest screens (scripts/bench tui).
    BenchTui(bench_tui::BenchTuiArgs),
    /// The docs screen over a big generated API definition: time to show, peak memory, a filter keystroke.
    BenchDocs(bench_docs::BenchDocsArgs),
    /// The catalog of many accounts against one account's, through a proxy with a latency (scripts/bench accounts).
    BenchAccounts(bench_accounts::BenchAccountsArgs),
    /// A local proxy that fails, throttles and slows requests like AWS under load (scripts/bench).
    Proxy(proxy::ProxyArgs),
}

fn main() {
    portcullis::tui::worker::capture_local_offset();
    let cli = DevCli::parse();
    let overrides =
        Overrides { profile: cli.profile, regions: cli.region, endpoint_url: cli.endpoint_url, ..Default::default() };
    let result = match cli.command {
        DevCommand::Estate(args) => match Settings::load(overrides) {
            Ok(settings) => {
                tokio::runtime::Runtime::new().expect("tokio runtime").block_on(estate_cli::run(args, &settings))
            }
            Err(e) => Err(e.into()),
        },
        DevCommand::BenchParse(args) => bench_parse::run(args),
        DevCommand::BenchTui(args) => bench_tui::run(args),
        DevCommand::BenchDocs(args) => bench_docs::run(args),
        DevCommand::BenchAccounts(args) => bench_accounts::run(args),
        DevCommand::Proxy(args) => proxy::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
