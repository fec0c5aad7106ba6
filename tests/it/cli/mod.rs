//! The command line, run as the real binary: `validate`, `paths`,
//! completions and the exit codes of configuration errors; `check` (the
//! go/no-go gate and its JSON and JUnit reports); `report` (the journal as
//! Markdown).

mod check;
mod commands;
mod crash_loop;
mod report;
mod usage;
