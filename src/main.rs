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
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let code = match cli.command {
        Some(cmd) => runtime.block_on(portcullis::cli::run(cmd, settings)),
        None => runtime.block_on(portcullis::tui::run(settings)),
    };
    std::process::exit(code);
}
