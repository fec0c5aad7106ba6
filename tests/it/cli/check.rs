//! `ops-tui check` end to end against `ops-tui demo --serve`: the exit
//! codes for go, no-go and warnings (with and without --strict), and the
//! JSON and JUnit documents.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

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
        ["alerts", "job", "probe", "rollout", "signal"]
    );
    // Every check passes; on a loaded machine a latency may pass only at
    // the warn tier, which still passes the gate.
    let not_ok: Vec<String> = checks
        .iter()
        .filter(|c| c["status"] != "ok")
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        (doc["summary"]["ok"].as_u64().unwrap() + doc["summary"]["warn"].as_u64().unwrap())
            as usize,
        checks.len(),
        "{not_ok:?}"
    );
    assert!(
        not_ok.iter().all(|c| c.contains("\"status\":\"warn\"")),
        "{not_ok:?}"
    );
    assert_eq!(doc["skipped"], serde_json::json!(["rate-limit"]));
    assert_eq!(find(&doc, "rollout", "api")["status"], "ok");
    // The StatefulSet, the DaemonSet and the migration Job, each judged
    // for its kind; the checklist's job check too.
    assert_eq!(find(&doc, "rollout", "db")["status"], "ok");
    assert_eq!(find(&doc, "rollout", "log-agent")["status"], "ok");
    assert_eq!(find(&doc, "job", "db-migrate")["status"], "ok");
    assert_eq!(find(&doc, "job", "db-migrate")["value"], "complete");

    // --include-bursts runs the burst probe too, and skips nothing.
    let doc = json(&check(
        &demo,
        &["--only", "probes", "--include-bursts", "--format", "json"],
    ));
    assert_eq!(doc["skipped"], serde_json::json!([]), "{doc:#}");
    let burst = find(&doc, "probe", "rate-limit");
    assert_ne!(burst["status"], "unknown", "{burst}");

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

/// Runs `ops-tui check` on a runbook written from `text`.
fn check_runbook(text: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ops-tui.toml");
    std::fs::write(&path, text).unwrap();
    Command::new(common::BIN)
        .args(["check", "--runbook", path.to_str().unwrap()])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_gate_with_nothing_to_check_is_a_configuration_error_not_a_go() {
    let only_a_burst = r#"
[service]
name = "api"

[env.prod]
vars = { base = "http://127.0.0.1:9" }

[[probe]]
name = "rate-limit"
url = "${base}/api"
burst = 5
fail = ["[STATUS_COUNT].429 > 0"]
"#;
    for (extra, needle) in [
        (
            &["--only", "rollouts"][..],
            "--only rollouts: nothing to check: the runbook lists no [[workload]]",
        ),
        (
            &["--only", "signals"][..],
            "--only signals: nothing to check: the runbook has no [[signal]]",
        ),
        (
            &["--only", "alerts"][..],
            "--only alerts: nothing to check: the environment names no Prometheus",
        ),
        (
            &["--only", "probes"][..],
            "its only probes send bursts (rate-limit): pass --include-bursts",
        ),
        (
            &[][..],
            "nothing to check: the runbook has no probes, signals, workloads or Prometheus",
        ),
    ] {
        let out = check_runbook(only_a_burst, extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{extra:?}: {stderr}");
        assert!(stderr.contains(needle), "{extra:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{extra:?}: no verdict is printed");
    }
}

#[test]
fn one_hanging_probe_times_out_alone_and_the_others_keep_their_results() {
    use std::io::{Read, Write};
    // One server answers at once; the other accepts and never answers.
    let answering = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let ok_port = answering.local_addr().unwrap().port();
    let hang_port = hanging.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in answering.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    let held = std::thread::spawn(move || {
        // Holds the connection open, silent, until the test ends.
        let conn = hanging.accept();
        std::thread::sleep(std::time::Duration::from_secs(15));
        drop(conn);
    });
    let runbook = format!(
        r#"
[service]
name = "api"

[env.prod]

[[probe]]
name = "answers"
url = "http://127.0.0.1:{ok_port}/health"
timeout = "30s"

[[probe]]
name = "hangs"
url = "http://127.0.0.1:{hang_port}/health"
timeout = "30s"
"#
    );
    let started = std::time::Instant::now();
    let out = check_runbook(&runbook, &["--timeout", "2s", "--format", "json"]);
    let took = started.elapsed();
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let doc = json(&out);
    assert_eq!(find(&doc, "probe", "answers")["status"], "ok", "{doc:#}");
    let hangs = find(&doc, "probe", "hangs");
    assert_eq!(hangs["status"], "fail", "{hangs}");
    assert!(
        hangs["detail"]
            .as_str()
            .unwrap_or("")
            .contains("no answer within 2s"),
        "{hangs}"
    );
    assert!(
        took < std::time::Duration::from_secs(12),
        "the gate waited {took:?} for a probe past its --timeout"
    );
    drop(held);
}

/// A runbook on the demo's cluster (context `demo`, namespace `shop-prod`)
/// with only the workloads named.
fn rollouts_runbook(dir: &std::path::Path, workloads: &[&str]) -> std::path::PathBuf {
    let mut text = String::from(
        "[service]\nname = \"shop\"\n\n[env.demo]\ncontext = \"demo\"\nnamespace = \"shop-prod\"\n",
    );
    for w in workloads {
        text.push_str(&format!("\n[[workload]]\nname = \"{w}\"\n"));
    }
    let path = dir.join("ops-tui.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn check_rollouts(demo: &Demo, runbook: &std::path::Path, format: &str) -> Output {
    Command::new(common::BIN)
        .args(["check", "--runbook", runbook.to_str().unwrap()])
        .args(["--kubeconfig", demo.kubeconfig.to_str().unwrap()])
        .args(["--timeout", "20s", "--format", format])
        .env("NO_COLOR", "1")
        .output()
        .expect("run ops-tui check")
}

#[test]
fn a_workload_that_never_existed_or_was_deleted_is_missing_and_fails_the_gate() {
    let demo = Demo::start(&["--speed", "10"]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    let dir = tempfile::tempdir().unwrap();

    // A workload the cluster never had.
    let runbook = rollouts_runbook(dir.path(), &["api", "ghost"]);
    let out = check_rollouts(&demo, &runbook, "text");
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(text.contains("missing"), "{text}");
    assert!(
        text.contains("deployment/ghost missing in namespace shop-prod"),
        "{text}"
    );
    assert!(!text.contains("waiting for the first list"), "{text}");
    let doc = json(&check_rollouts(&demo, &runbook, "json"));
    let ghost = find(&doc, "rollout", "ghost");
    assert_eq!(
        (&ghost["status"], &ghost["value"]),
        (&Value::from("fail"), &Value::from("missing")),
        "{doc:#}"
    );
    assert_eq!(find(&doc, "rollout", "api")["status"], "ok", "{doc:#}");
    assert_eq!(doc["passed"], false);

    // A workload deleted through the API.
    let runbook = rollouts_runbook(dir.path(), &["api"]);
    let out = check_rollouts(&demo, &runbook, "text");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    demo.ok(&["delete", "deployment", "api"]);
    let out = check_rollouts(&demo, &runbook, "json");
    let doc = json(&out);
    assert_eq!(code(&out), 1, "{doc:#}");
    let api = find(&doc, "rollout", "api");
    assert_eq!(
        (&api["status"], &api["value"], &api["detail"]),
        (
            &Value::from("fail"),
            &Value::from("missing"),
            &Value::from("deployment/api missing in namespace shop-prod")
        ),
        "{doc:#}"
    );
}
