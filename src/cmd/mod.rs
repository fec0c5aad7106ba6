//! The command line's subcommands, one file each, and the dashboard's
//! start; they share their helpers from [`common`].

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::config::paths::Paths;
use common::{EXIT_CONFIG, print_out};

pub mod check;
pub mod common;
pub mod dashboard;
#[cfg(feature = "demo")]
pub mod demo;
pub mod guard;
pub mod import;
pub mod report;
pub mod validate;

/// Runs what the command line asks for.
pub fn main(cli: Cli) -> ExitCode {
    let paths = Paths::discover();
    if !matches!(
        cli.command,
        Some(Command::Completions { .. } | Command::Paths)
    ) && let Err(e) = crate::cli::check_named(&cli.dashboard, paths.config_dir.as_deref())
    {
        say!("error: {e}");
        return ExitCode::from(EXIT_CONFIG);
    }
    match cli.command {
        Some(Command::Validate { path }) => validate::run(
            path.or(cli.dashboard.runbook.clone()),
            &cli.dashboard,
            &paths,
        ),
        Some(Command::Check(check)) => check::run(&check, &cli.dashboard),
        Some(Command::Guard(guard)) => guard::run(&guard, &cli.dashboard, &paths),
        Some(Command::Import { guide, output }) => import::run(&guide, output.as_deref()),
        Some(Command::Report(report)) => report::run(&report, &cli.dashboard, &paths),
        #[cfg(feature = "demo")]
        Some(Command::Demo(demo)) => demo::run(&demo, &cli.dashboard, &paths),
        Some(Command::Paths) => {
            print_out(&paths.describe());
            ExitCode::SUCCESS
        }
        Some(Command::Completions { shell }) => {
            print_out(&crate::cli::completions(shell));
            ExitCode::SUCCESS
        }
        None => dashboard::dashboard(&cli.dashboard, &paths),
    }
}
