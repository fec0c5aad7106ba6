//! Secrets never reach the screen, the log, the journal, the report or the
//! check output: an end-to-end run against `demo --serve` with a probe
//! header and a Prometheus token from the process environment and the
//! kubeconfig's bearer token, then a search of everything the tool wrote.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::Pty;
use common::demo::Demo;

const WAIT: Duration = Duration::from_secs(30);
const HEADER_SECRET: &str = "hdr-secret-7f3a9c1e55d0";
const PROM_SECRET: &str = "prom-secret-2b8e6d4f10aa";

/// Every file under `dir`, read as bytes.
fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p.display().to_string(), bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn no_secret_reaches_the_screen_the_log_the_journal_the_report_or_check() {
    let demo = Demo::start(&["--speed", "10"]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    // The kubeconfig's bearer tokens.
    let kubeconfig = std::fs::read_to_string(&demo.kubeconfig).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&kubeconfig).unwrap();
    let tokens: Vec<String> = parsed["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["user"]["token"].as_str())
        .map(String::from)
        .filter(|t| t.len() >= 16)
        .collect();
    assert_eq!(tokens.len(), 2, "{kubeconfig}");
    // The demo runbook, with a secret header and a Prometheus token.
    let dir = tempfile::tempdir().unwrap();
    let runbook = dir.path().join("ops-tui.toml");
    let text = std::fs::read_to_string(demo.dir.join("demo.toml"))
        .unwrap()
        .replacen(
            "name = \"api-health\"",
            "name = \"api-health\"\nheaders = { Authorization = \"Bearer ${OPS_TEST_HEADER_SECRET}\" }",
            1,
        )
        .replace(
            "protected = true",
            "protected = true\nprometheus_token = \"${OPS_TEST_PROM_SECRET}\"",
        );
    std::fs::write(&runbook, text).unwrap();
    let secrets = [
        ("OPS_TEST_HEADER_SECRET", HEADER_SECRET),
        ("OPS_TEST_PROM_SECRET", PROM_SECRET),
    ];
    let kubeconfig_path = demo.kubeconfig.to_str().unwrap().to_string();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig_path,
        "--context",
        "demo",
    ];
    let mut env: Vec<(&str, &str)> = secrets.to_vec();
    env.push(("OPS_TUI_LOG", "trace"));
    let mut pty = Pty::spawn(dir.path(), &args, &env, 160, 45);
    pty.wait_for("LIVE", WAIT);
    // The probe with the secret header, in the pane and its detail view.
    pty.send(b"2");
    pty.wait_for("api-health", WAIT);
    pty.send(b"\r");
    pty.wait_for("Authorization: Bearer ${OPS_TEST_HEADER_SECRET}", WAIT);
    pty.send(b"\x1b");
    pty.wait_gone("Authorization: Bearer", WAIT);
    // The Rollouts pane's keys in the footer: the Esc was read on its own
    // (an Esc and a key in one read are Alt+key).
    pty.send(b"1");
    pty.wait_for("s scale", WAIT);
    pty.wait_for("✓ complete api", WAIT);
    // The first row, api, selected once every kind is listed.
    // (A runbook workload not listed yet sorts first, as loading.)
    pty.wait_for("✓ complete db-migrate", WAIT);
    pty.wait_for("✓ complete log-agent", WAIT);
    pty.select_first_row("deployment \"api\" successfully rolled out", WAIT);
    // An action, journaled. What is typed goes into the dialog only once it
    // is open; before that, `4` would focus the Checklist.
    pty.send(b"s");
    pty.wait_for("Scale deployment/api", WAIT);
    pty.send(b"\x7f4\r");
    pty.wait_for("the server-side dry run passed", WAIT);
    pty.send(b"api");
    // A confirm button takes a key once its dialog has been on screen a moment.
    std::thread::sleep(std::time::Duration::from_millis(700));
    pty.send(b"\r");
    pty.wait_for("done: scale deployment/api", WAIT);
    // A note, journaled.
    pty.send(b"n");
    pty.wait_for("A note for the timeline", WAIT);
    pty.send(b"all fine\r");
    pty.wait_gone("A note for the timeline", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());

    // check and report, with the secrets in their environment.
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(common::BIN);
        cmd.args(args)
            .env("OPS_TUI_DATA_DIR", dir.path().join("data"))
            .env("OPS_TUI_LOG", "trace");
        for (k, v) in secrets {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let check = run(&[
        "check",
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig_path,
        "--format",
        "json",
    ]);
    let report = run(&[
        "report",
        "--runbook",
        runbook.to_str().unwrap(),
        "--env",
        "demo",
    ]);
    assert!(String::from_utf8_lossy(&report.stdout).contains("scale deployment/api"));

    let mut written: Vec<(String, Vec<u8>)> = vec![
        ("screen".into(), pty.raw.clone()),
        ("check stdout".into(), check.stdout),
        ("check stderr".into(), check.stderr),
        ("report stdout".into(), report.stdout),
        ("report stderr".into(), report.stderr),
    ];
    files(&dir.path().join("data"), &mut written);
    assert!(
        written.iter().any(|(name, _)| name.contains("journals")),
        "the journal was written"
    );
    assert!(
        written
            .iter()
            .any(|(name, bytes)| name.contains("logs") && !bytes.is_empty()),
        "the log was written"
    );
    let mut needles: Vec<&str> = vec![HEADER_SECRET, PROM_SECRET];
    needles.extend(tokens.iter().map(String::as_str));
    for (name, bytes) in &written {
        for needle in &needles {
            assert!(
                !contains(bytes, needle),
                "a secret ({}…) is in {name}",
                &needle[..6]
            );
        }
    }
}

/// Starts `demo --serve --port 0` with `TMPDIR` set, and returns it with
/// its temporary directory once the banner is out (bounded).
fn serve_demo(tmp: &Path) -> (std::process::Child, std::path::PathBuf) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(common::BIN)
        .args(["demo", "--serve", "--port", "0"])
        .env("TMPDIR", tmp)
        .env("OPS_TUI_DATA_DIR", tmp.join("data"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut kubeconfig = None;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = rx.recv_timeout(left).expect("the demo's banner");
        if let Some(rest) = line.trim_start().strip_prefix("kubeconfig ") {
            kubeconfig = rest.split_whitespace().next().map(std::path::PathBuf::from);
        }
        if line.contains("Ctrl-C stops") {
            break;
        }
    }
    let dir = kubeconfig.unwrap().parent().unwrap().to_path_buf();
    (child, dir)
}

#[test]
fn a_killed_demo_leaves_a_private_directory_that_the_next_demo_removes() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let (mut first, dir) = serve_demo(tmp.path());
    assert!(dir.starts_with(tmp.path()), "{}", dir.display());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "only its owner may enter it");
    assert_eq!(mode(&dir.join("kubeconfig")), 0o600);
    assert_eq!(
        std::fs::read_to_string(dir.join("pid")).unwrap().trim(),
        first.id().to_string()
    );
    // SIGKILL: no chance to clean up.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(dir.join("kubeconfig").exists(), "left behind by the kill");
    // Look-alikes that are not stale: one of a live process, one being
    // set up (no pid file yet).
    let live = tmp.path().join("ops-tui-demo-live");
    std::fs::create_dir(&live).unwrap();
    std::fs::write(live.join("pid"), std::process::id().to_string()).unwrap();
    let starting = tmp.path().join("ops-tui-demo-starting");
    std::fs::create_dir(&starting).unwrap();

    let (mut second, next) = serve_demo(tmp.path());
    assert!(!dir.exists(), "the next demo removed the stale directory");
    assert!(live.exists() && starting.exists());
    assert_ne!(next, dir);
    // SIGTERM: it stops and removes its own.
    // SAFETY: signals the child this test started, by its id.
    unsafe { libc::kill(second.id() as i32, libc::SIGTERM) };
    assert!(second.wait().unwrap().success());
    assert!(
        !next.exists(),
        "a demo stopped by a signal removes its directory"
    );
}
