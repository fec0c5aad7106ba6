//! What the subcommands share: exit codes, output, the runbook's path,
//! the async runtime and the log.

use std::path::PathBuf;

use crate::config::paths::Paths;

/// Exit code for a configuration error (bad runbook, unknown environment).
pub const EXIT_CONFIG: u8 = 2;

/// Writes to stdout; a closed pipe (`| head`) is not worth a panic.
pub fn print_out(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
}

/// The runbook to use: `--runbook`, else `./ops-tui.toml` if it exists.
pub fn runbook_path(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| {
        let default = PathBuf::from("ops-tui.toml");
        default.exists().then_some(default)
    })
}

/// A multi-threaded runtime with two workers: the UI loop and the sources.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("ops-tui: cannot start the runtime: {e}"))
}

/// Starts logging; the guard flushes the log when dropped.
pub fn start_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    crate::logging::init(paths.log_dir.as_deref()).ok()
}
