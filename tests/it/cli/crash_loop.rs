//! A rollout whose new pods crash-loop fails `ops-tui check` at once,
//! naming the pod and the reason, rather than ten minutes later when the
//! progress deadline passes: against `ops-tui demo --serve` at real speed,
//! with its crash fault (api's image gets a `-crash` tag, a new revision).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::common;

use common::demo::Demo;
use serde_json::Value;

const RUNBOOK: &str = r#"[service]
name = "shop"

[env.demo]
context = "demo"
namespace = "shop-prod"

[[workload]]
name = "api"

[[phase]]
name = "Deploy"
items = [{ text = "api rolled out", check = "rollout:api" }]
"#;

/// The rollouts check's outcome and the exit code.
fn rollout(demo: &Demo, runbook: &std::path::Path) -> (Value, i32) {
    super::check_one(demo, runbook, "rollouts")
}

#[test]
fn check_fails_within_seconds_of_a_crash_loop_in_the_new_revision() {
    let demo = Demo::start(&[]);
    demo.wait_only_current_pods("api", Duration::from_secs(60));
    let dir = tempfile::tempdir().unwrap();
    let runbook = dir.path().join("ops-tui.toml");
    std::fs::write(&runbook, RUNBOOK).unwrap();
    // The scenario's own rollout first.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (check, code) = rollout(&demo, &runbook);
        if check["status"] == "ok" {
            assert_eq!(code, 0);
            break;
        }
        assert!(Instant::now() < deadline, "never complete: {check}");
        std::thread::sleep(Duration::from_millis(300));
    }

    demo.fault("/faults/crash?workload=api");
    let started = Instant::now();
    let (check, code) = loop {
        let (check, code) = rollout(&demo, &runbook);
        if check["status"] == "fail" {
            break (check, code);
        }
        // Until a new pod has crashed: rolling, a warning.
        assert_eq!(check["status"], "warn", "{check}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not failed within 30 s: {check}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(code, 1, "{check}");
    let detail = check["detail"].as_str().unwrap();
    // The pod, why, and kubectl's own message, still waiting: the
    // progress deadline (600 s) is far off.
    assert!(
        detail.starts_with("pod api-") && detail.contains("of the new revision: CrashLoopBackOff"),
        "{detail}"
    );
    assert!(
        detail.contains("Waiting for deployment \"api\""),
        "{detail}"
    );
    let pod = detail
        .trim_start_matches("pod ")
        .split_whitespace()
        .next()
        .unwrap();
    let status = demo.ok(&[
        "get",
        "pod",
        pod,
        "-o",
        "jsonpath={.status.containerStatuses[0].state.waiting.reason}",
    ]);
    assert_eq!(status.trim(), "CrashLoopBackOff", "{pod}");
}
