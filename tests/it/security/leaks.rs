//! Secrets never leak, and printed text is safe. Canary secrets sit in
//! every place a runbook and a kubeconfig hold them: a header from the
//! process environment, a literal `Authorization`, a query value from the
//! environment, a URL password, a Prometheus token, a value in a signal's
//! query, a kubeconfig token. Real servers on 127.0.0.1 echo them back (a
//! 401 quoting the header, Prometheus quoting the expanded query, with
//! escape sequences in its error). Then everything ops-tui wrote or showed
//! is searched: `check` in each format, the dashboard's screen, journal
//! and log, the report, and the rendered probe detail (that one, which
//! sets the canaries in this process's environment, is in
//! `tests/setenv/leaks.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::leaky::{ENV, KUBE, LITERAL_AUTH, WAIT, assert_no_secret, files, setup};
use ops_tui::secrets::MASK;

#[test]
fn check_masks_every_secret_in_every_format() {
    let s = setup("");
    let runbook = s.runbook.to_str().unwrap();
    let kubeconfig = s.kubeconfig.to_str().unwrap();
    let mut written = Vec::new();
    for format in ["text", "json", "junit"] {
        let out = s.run(&[
            "check",
            "--runbook",
            runbook,
            "--kubeconfig",
            kubeconfig,
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(1), "no-go: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Each probe's evidence quotes what the server echoed, masked; the
        // signal's error quotes the query, masked.
        assert!(stdout.matches(MASK).count() >= 6, "{format}:\n{stdout}");
        written.push((format!("check {format} stdout"), out.stdout));
        written.push((format!("check {format} stderr"), out.stderr));
    }
    s.assert_sent();
    files(&s.dir.path().join("data"), &mut written);
    assert_no_secret(&written);
}

/// Waits (bounded) until the file holds `needle`.
fn wait_for_file(path: &Path, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never held {needle:?}:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_dashboard_its_journal_log_and_report_mask_every_secret() {
    let s = setup("");
    let args = [
        "--runbook",
        s.runbook.to_str().unwrap(),
        "--kubeconfig",
        s.kubeconfig.to_str().unwrap(),
    ];
    let mut env: Vec<(&str, &str)> = ENV.to_vec();
    env.push(("OPS_TUI_LOG", "trace"));
    let mut pty = common::Pty::spawn(s.dir.path(), &args, &env, 160, 45);
    pty.wait_for("failing", WAIT);
    let journal = s.dir.path().join("data/journals/leaky/prod.jsonl");
    // Each check's change is journaled with what it saw: the echoes.
    for check in [
        "probe:auth",
        "probe:key",
        "probe:query",
        "probe:userinfo",
        "probe:kube",
        "signal:errors",
    ] {
        wait_for_file(&journal, &format!("\"check\":\"{check}\""));
    }
    // The hostile alert is an event; no text journaled (the alert's
    // summary, the signal's error) holds a control character, and the
    // signal's entry quotes Prometheus's error, masked.
    let text = wait_for_file(&journal, "\"kind\":\"event\"");
    let entries: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(m) => m.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let events: Vec<&serde_json::Value> = entries.iter().filter(|e| e["kind"] == "event").collect();
    assert!(
        events.iter().any(|e| e["event"] == "alert"
            && e["text"]
                .as_str()
                .is_some_and(|t| t.contains("\\x1b]0;pwned\\x07") && t.contains(MASK))),
        "{text}"
    );
    for entry in &entries {
        let mut all = Vec::new();
        strings(entry, &mut all);
        assert!(
            all.iter().all(|s| !s.chars().any(char::is_control)),
            "a control character was journaled: {entry}"
        );
    }
    assert!(
        entries.iter().any(|e| e["check"] == "signal:errors"
            && e["text"]
                .as_str()
                .is_some_and(|t| t.contains("parse error") && t.contains(MASK))),
        "{text}"
    );
    // The probe detail: a literal Authorization shows masked.
    pty.send(b"2");
    pty.send(b"\r");
    pty.wait_for(&format!("Authorization: Bearer {MASK}"), WAIT);
    pty.send(b"\x1b");
    pty.wait_gone("Authorization: Bearer", WAIT);
    // Everything shown so far (the note's editor, next, shows what the
    // operator types).
    let screen = pty.raw.clone();
    // A note quoting secrets the journal knows (the kubeconfig's token,
    // the runbook's literal header) is masked when written.
    pty.send(b"n");
    pty.send(format!("pasted {KUBE} and {LITERAL_AUTH}\r").as_bytes());
    wait_for_file(&journal, &format!("pasted {MASK} and {MASK}"));
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());

    let report = s.run(&[
        "report",
        "--runbook",
        s.runbook.to_str().unwrap(),
        "--env",
        "prod",
    ]);
    assert!(report.status.success(), "{report:?}");
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(
        text.contains(&format!("pasted {MASK} and {MASK}")),
        "{text}"
    );
    s.assert_sent();
    let mut written = vec![
        ("screen".to_string(), screen),
        ("report stdout".to_string(), report.stdout),
        ("report stderr".to_string(), report.stderr),
    ];
    files(&s.dir.path().join("data"), &mut written);
    assert!(
        written.iter().any(|(n, _)| n.ends_with("prod.jsonl")),
        "the journal was written"
    );
    assert!(
        written
            .iter()
            .any(|(n, b)| n.contains("logs") && !b.is_empty()),
        "a log was written"
    );
    assert_no_secret(&written);
}

#[test]
fn validate_and_check_print_no_escape_sequence() {
    // Names with escape sequences in them, written as TOML escapes.
    let s = setup("\\u001b]0;pwned\\u0007\\u001b[31m");
    let runbook = s.runbook.to_str().unwrap();
    let validate = s.run(&["validate", runbook]);
    assert!(validate.status.success(), "{validate:?}");
    let check = s.run(&["check", "--runbook", runbook, "--format", "text"]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    // A runbook with an error that quotes a name.
    let broken = s.dir.path().join("broken.toml");
    let text = std::fs::read_to_string(&s.runbook).unwrap().replace(
        "check = \"alerts\"",
        "check = \"probe:nope\\u001b]0;pwned\\u0007\"",
    );
    std::fs::write(&broken, text).unwrap();
    let invalid = s.run(&["validate", broken.to_str().unwrap()]);
    assert_eq!(invalid.status.code(), Some(2), "{invalid:?}");
    for (name, out) in [
        ("validate", &validate),
        ("check", &check),
        ("invalid", &invalid),
    ] {
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !bytes.contains(&0x1b) && !bytes.contains(&0x07),
                "{name} {stream} carries a raw control character:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    // The names are there, their escapes visible.
    let shown = |out: &Output| {
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    assert!(
        shown(&validate).contains("\\x1b]0;pwned\\x07\\x1b[31mauth"),
        "{}",
        shown(&validate)
    );
    assert!(
        shown(&check).contains("\\x1b]0;pwned\\x07\\x1b[31mauth"),
        "{}",
        shown(&check)
    );
    assert!(
        shown(&check).contains("\\x1b]0;pwned\\x07\\x1b[31mparse error"),
        "{}",
        shown(&check)
    );
    assert!(
        shown(&invalid).contains("probe:nope\\x1b]0;pwned\\x07"),
        "{}",
        shown(&invalid)
    );
}
