use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ops_tui::cli::Cli::parse();
    ops_tui::app::main(cli)
}
