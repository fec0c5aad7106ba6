//! Logging with `tracing` to a file, never to the terminal: the dashboard
//! owns the screen. `OPS_TUI_LOG` sets the filter (default `info`).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Why logging is off.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// No data directory was found for the log file.
    #[error("no directory for the log file")]
    NoDirectory,
    #[error("cannot create {}: {source}", .dir.display())]
    CreateDir {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the log in {}: {source}", .dir.display())]
    Open {
        dir: std::path::PathBuf,
        source: tracing_appender::rolling::InitError,
    },
    /// A global subscriber is set already.
    #[error("cannot start logging: {0}")]
    Subscriber(String),
}

/// Starts logging to `<dir>/ops-tui.log`. Returns the guard that flushes the
/// log on drop, or why logging is off.
pub fn init(dir: Option<&Path>) -> Result<WorkerGuard, LogError> {
    let dir = dir.ok_or(LogError::NoDirectory)?;
    std::fs::create_dir_all(dir).map_err(|source| LogError::CreateDir {
        dir: dir.to_path_buf(),
        source,
    })?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("ops-tui")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir)
        .map_err(|source| LogError::Open {
            dir: dir.to_path_buf(),
            source,
        })?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("OPS_TUI_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| LogError::Subscriber(e.to_string()))?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_kinds_a_caller_can_match() {
        assert!(matches!(init(None), Err(LogError::NoDirectory)));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let under_a_file = file.join("logs");
        let err = init(Some(&under_a_file)).unwrap_err();
        assert!(
            matches!(&err, LogError::CreateDir { dir, .. } if *dir == under_a_file),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("cannot create "), "{err}");
    }
}
