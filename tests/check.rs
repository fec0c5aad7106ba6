//! `ops-tui check` end to end against `ops-tui demo --serve`: the exit
//! codes for go, no-go and warnings (with and without --strict), and the
//! JSON and JUnit documents.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};

use common::demo::Demo;
use serde_json::Value;

fn check(demo: &Demo, extra: &[&str]) -> Output {
    let runbook = demo.dir.join("demo.toml");
    let mut args = vec![
        "check",
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        demo.kubeconfig.to_str().unwrap(),
        "--timeout",
        "20s",
    ];
    args.extend_from_slice(extra);
    Command::new(common::BIN)
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ops-tui check")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("an exit code")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

fn find<'a>(doc: &'a Value, kind: &str, name: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind && c["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {doc:#}"))
}

#[test]
fn go_then_warnings_then_no_go_with_json_and_junit() {
    let demo = Demo::start(&["--speed", "10"]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);

    // Everything healthy: go, exit 0.
    let out = check(&demo, &[]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("GO: "), "{}", stdout(&out));

    // JSON: the documented shape, every kind, the burst skipped.
    let doc = json(&check(&demo, &["--format", "json"]));
    assert_eq!(doc["service"], "shop");
    assert_eq!(doc["env"], "demo");
    assert_eq!(doc["passed"], true);
    assert_eq!(doc["strict"], false);
    let checks = doc["checks"].as_array().unwrap();
    for c in checks {
        for key in ["kind", "name", "status", "value", "detail"] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    let kinds: std::collections::BTreeSet<&str> =
        checks.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["alerts", "probe", "rollout", "signal"]
    );
    assert_eq!(
        doc["summary"]["ok"].as_u64().unwrap() as usize,
        checks.len()
    );
    assert_eq!(doc["skipped"], serde_json::json!(["rate-limit"]));
    assert_eq!(find(&doc, "rollout", "api")["status"], "ok");

    // A paused rollout is a warning: go, unless --strict.
    demo.ok(&["rollout", "pause", "deploy/worker"]);
    let out = check(&demo, &["--only", "rollouts"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("warn    rollout  worker"),
        "{}",
        stdout(&out)
    );
    let out = check(&demo, &["--only", "rollouts", "--strict"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("NO-GO"), "{}", stdout(&out));
    demo.ok(&["rollout", "resume", "deploy/worker"]);

    // A service that refuses connections: no-go, exit 1, with the reason.
    demo.fault("/faults/refuse?service=worker");
    let out = check(&demo, &["--only", "probes,alerts", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let doc = json(&out);
    assert_eq!(doc["passed"], false);
    let worker = find(&doc, "probe", "worker-health");
    assert_eq!(worker["status"], "fail");
    assert!(
        worker["detail"].as_str().unwrap().contains("refused"),
        "{worker}"
    );
    assert_eq!(find(&doc, "probe", "api-health")["status"], "ok");

    // JUnit: well-formed, one testcase per check, the failure with its evidence.
    let out = check(&demo, &["--only", "probes", "--format", "junit"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let xml = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let root = xml.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(root.attribute("tests").unwrap(), cases.len().to_string());
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed, ["worker-health"]);
    assert_eq!(root.attribute("failures").unwrap(), "1");
    let failure = cases
        .iter()
        .find(|c| c.attribute("name") == Some("worker-health"))
        .unwrap()
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(failure.attribute("message").unwrap().contains("refused"));
    assert!(
        cases
            .iter()
            .any(|c| c.attribute("name") == Some("rate-limit")
                && c.children().any(|n| n.has_tag_name("skipped")))
    );
}

#[test]
fn a_configuration_error_exits_2_before_checking_anything() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::BIN)
        .args(["check", "--runbook", "runbooks/demo.toml", "--env", "nope"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no environment \"nope\""));
    let out = Command::new(common::BIN)
        .arg("check")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("check needs a runbook"));
}
