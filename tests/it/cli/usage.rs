//! `ops-tui check --only usage` end to end against `ops-tui demo --serve`:
//! the `usage:api` check passes, warns, then fails as a memory leak makes
//! api's memory climb (the figures the simulator's metrics API serves), and
//! is unknown, never a pass, once the cluster has no metrics API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::common;

use common::demo::Demo;
use serde_json::Value;

/// api's memory bounded at 300 MiB (warn) and 400 MiB (fail): its
/// containers start near 180 MiB and are OOM-killed at their 512 MiB limit.
const RUNBOOK: &str = r#"[service]
name = "shop"

[env.demo]
context = "demo"
namespace = "shop-prod"

[[workload]]
name = "api"
usage = { warn = ["memory < 300Mi"], fail = ["memory < 400Mi"] }

[[phase]]
name = "After"
items = [{ text = "api memory within bounds", check = "usage:api" }]
"#;

/// The usage check's outcome and the exit code.
fn usage(demo: &Demo, runbook: &std::path::Path) -> (Value, i32) {
    super::check_one(demo, runbook, "usage")
}

#[test]
fn usage_passes_warns_and_fails_as_memory_leaks_and_is_unknown_without_metrics() {
    let demo = Demo::start(&["--speed", "60"]);
    let dir = tempfile::tempdir().unwrap();
    let runbook = dir.path().join("ops-tui.toml");
    std::fs::write(&runbook, RUNBOOK).unwrap();

    // Before the leak: within bounds (once the first scrape is in).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (check, code) = usage(&demo, &runbook);
        if check["status"] == "ok" {
            assert_eq!(code, 0);
            assert_eq!(check["kind"], "usage");
            assert!(
                check["value"].as_str().unwrap().contains("memory"),
                "{check}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "never ok: {check}");
        std::thread::sleep(Duration::from_millis(300));
    }

    // Leaking: warn from 300 MiB, fail from 400 MiB, naming the pod.
    demo.fault("/faults/memory-leak?workload=api&rate=32");
    let mut seen: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (check, code) = usage(&demo, &runbook);
        let status = check["status"].as_str().unwrap().to_string();
        match status.as_str() {
            "warn" => {
                assert_eq!(code, 0, "a warning passes the gate without --strict");
                let detail = check["detail"].as_str().unwrap();
                assert!(
                    detail.starts_with("pod api-") && detail.contains("not memory < 300Mi"),
                    "{check}"
                );
            }
            "fail" => {
                assert_eq!(code, 1);
                assert!(
                    check["detail"]
                        .as_str()
                        .unwrap()
                        .contains("not memory < 400Mi"),
                    "{check}"
                );
            }
            _ => {}
        }
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "fail" {
            break;
        }
        assert!(Instant::now() < deadline, "never failed: {seen:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
    let warned = seen.iter().position(|s| s == "warn");
    assert!(
        warned.is_some_and(|w| w < seen.len() - 1),
        "warn before fail: {seen:?}"
    );

    // No metrics API: unknown, and the gate says no-go.
    demo.fault("/faults/metrics?off=1");
    let (check, code) = usage(&demo, &runbook);
    assert_eq!(check["status"], "unknown", "{check}");
    assert_eq!(code, 1);
    assert!(
        check["detail"].as_str().unwrap().contains("metrics API"),
        "{check}"
    );
}
