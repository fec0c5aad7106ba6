//! The command line, run as the real binary: `validate`, `paths`,
//! completions and the exit codes of configuration errors; `check` (the
//! go/no-go gate and its JSON and JUnit reports); `report` (the journal as
//! Markdown).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod commands;
mod crash_loop;
mod guard;
mod report;
mod usage;

/// `ops-tui check --only ONLY --format json` against a demo: its one
/// check's outcome and the exit code.
fn check_one(
    demo: &crate::common::demo::Demo,
    runbook: &std::path::Path,
    only: &str,
) -> (serde_json::Value, i32) {
    let out = std::process::Command::new(crate::common::BIN)
        .args(["check", "--runbook", runbook.to_str().unwrap()])
        .args(["--kubeconfig", demo.kubeconfig.to_str().unwrap()])
        .args(["--timeout", "20s", "--format", "json", "--only", only])
        .env("NO_COLOR", "1")
        .output()
        .expect("run ops-tui check");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let checks = doc["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "{doc:#}");
    (checks[0].clone(), out.status.code().unwrap())
}
