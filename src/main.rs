use clap::Parser;
use portcullis::cli::Cli;
use portcullis::config::Settings;

fn main() {
    portcullis::tui::worker::capture_local_offset();
    let cli = Cli::parse();
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
/// The TUI logs nothing: the screen is the terminal.
fn init_cli_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
