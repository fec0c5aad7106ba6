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

/// The tokio runtime could not start (threads, the I/O driver).
#[derive(Debug, thiserror::Error)]
#[error("ops-tui: cannot start the runtime: {0}")]
pub struct RuntimeError(#[source] pub std::io::Error);

/// A multi-threaded runtime with two workers: the UI loop and the sources.
pub fn runtime() -> Result<tokio::runtime::Runtime, RuntimeError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(RuntimeError)
}

/// Starts logging; the guard flushes the log when dropped.
pub fn start_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    crate::logging::init(paths.log_dir.as_deref()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_error_keeps_the_io_error() {
        let err = RuntimeError(std::io::Error::from(std::io::ErrorKind::OutOfMemory));
        assert_eq!(err.0.kind(), std::io::ErrorKind::OutOfMemory);
        assert!(
            err.to_string()
                .starts_with("ops-tui: cannot start the runtime: ")
        );
        assert!(runtime().is_ok());
    }
}
