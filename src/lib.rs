//! ops-tui: a terminal operations console for on-call engineers.
//!
//! The binary (`src/main.rs`) only parses the command line and dispatches;
//! everything else lives in these modules so that tests can reach it.

/// `eprintln!` that never panics: when the terminal is gone (a closed pty,
/// a hung-up session), writing to stderr fails, and a message about the way
/// out must not become a panic on the way out.
/// Control characters in the message (from a runbook, a server, the
/// cluster) are written as visible escapes, never sent to the terminal.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stderr(), "{}", $crate::printable::printable(&text));
    }};
}

pub mod action;
pub mod app;
pub mod checks;
pub mod cli;
pub mod cmd;
pub mod condition;
pub mod config;
pub mod filter;
pub mod human;
pub mod journal;
pub mod kinds;
pub mod kube;
#[cfg(test)]
mod layers;
pub mod logging;
pub mod position;
pub mod printable;
pub mod probe;
pub mod prom;
pub mod report;
pub mod runbook;
pub mod secrets;
pub mod sink;
pub mod state;
pub mod status;
pub mod term;
pub mod ui;
