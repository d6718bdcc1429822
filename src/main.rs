use clap::Parser;
use portcullis::cli::Cli;
use portcullis::config::Settings;

fn main() {
    portcullis::tui::worker::capture_local_offset();
    let cli = Cli::parse();
    portcullis::cli::table::set_colour(cli.color);
    let settings = match Settings::load(cli.overrides()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if cli.command.is_some() {
        init_cli_logging();
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let code = match cli.command {
        Some(cmd) => runtime.block_on(portcullis::cli::run(cmd, settings)),
        None => runtime.block_on(portcullis::tui::run(settings)),
    };
    std::process::exit(code);
}

/// Subcommands log to stderr (stdout carries only the output), filtered by `RUST_LOG`, off by default.
/// The TUI logs nothing: the screen is the terminal. The SDK's own trace output prints whole
/// response bodies and outputs, API key values included, so its runtime is capped at debug
/// however verbose `RUST_LOG` asks to be (tests/access_cli.rs checks this).
fn init_cli_logging() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let wanted = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let caps = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("aws_smithy_runtime", LevelFilter::DEBUG)
        .with_target("aws_smithy_runtime_api", LevelFilter::DEBUG)
        .with_target("aws_smithy_http", LevelFilter::DEBUG)
        .with_target("hyper", LevelFilter::INFO)
        .with_target("hyper_util", LevelFilter::INFO)
        .with_target("h2", LevelFilter::INFO)
        .with_target("rustls", LevelFilter::INFO);
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(false);
    tracing_subscriber::registry().with(wanted).with(caps).with(fmt).init();
}
