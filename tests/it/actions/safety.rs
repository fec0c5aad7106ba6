//! The real binary in a pseudo-terminal against `demo --serve`: nothing but
//! a deliberate, confirmed keystroke changes the cluster (pastes and keys
//! typed ahead do not), a frozen API server shows as STALE, and a mutation
//! whose answer never comes is "outcome unknown" until it is read back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::Pty;
use common::demo::Demo;

const WAIT: Duration = Duration::from_secs(20);

/// Longer than the arming delay of a confirm button: a person's pause
/// between reading a dialog and pressing enter.
const READ_THE_DIALOG: Duration = Duration::from_millis(700);

fn paste(text: &str) -> Vec<u8> {
    let mut bytes = b"\x1b[200~".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(b"\x1b[201~");
    bytes
}

/// The dashboard on the demo's cluster with no runbook: every Deployment,
/// no protection (the environment the attacks were tried in).
fn bare_dashboard(demo: &Demo, dir: &std::path::Path, cols: u16, rows: u16) -> Pty {
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = ["--kubeconfig", &kubeconfig, "--context", "demo"];
    let mut pty = Pty::spawn(dir, &args, &[("USER", "oncall")], cols, rows);
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete api", WAIT);
    // Every kind listed (the CronJob's list may come last), then the
    // first row, api, selected: the keyed actions act on it.
    pty.wait_for("report-nightly", WAIT);
    pty.select_first_row("deployment \"api\" successfully rolled out", WAIT);
    pty
}

/// Writes that are not server-side dry runs.
fn real_writes(demo: &Demo) -> Vec<String> {
    demo.writes()
        .into_iter()
        .filter(|w| !w.contains("dryRun"))
        .collect()
}

fn journal_actions(dir: &std::path::Path, service: &str, env: &str) -> Vec<String> {
    let journal = ops_tui::journal::Journal::for_env(&dir.join("data"), service, env);
    let Ok(contents) = journal.read() else {
        return Vec::new();
    };
    contents
        .records
        .iter()
        .filter_map(|r| match &r.entry {
            ops_tui::journal::Entry::Action { step, summary, .. } => {
                Some(format!("{step:?} {summary}"))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_bracketed_paste_with_newlines_and_action_keys_never_reaches_the_cluster() {
    let demo = Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let mut pty = bare_dashboard(&demo, dir.path(), 140, 36);
    let attack = "checked worker logs, looks fine\rr\rs\r5\ru\rp\rb\r\r";
    // Onto every pane: dropped, with a notice.
    for pane in ["1", "2", "3", "4", "5"] {
        pty.send(pane.as_bytes());
        pty.send(&paste(attack));
        pty.wait_for("paste ignored", WAIT);
        pty.send(b"1");
        pty.wait_gone("paste ignored", WAIT);
    }
    // Into the note editor: text, and the editor stays open.
    pty.send(b"n");
    pty.wait_for("A note for the timeline", WAIT);
    pty.send(&paste(attack));
    pty.wait_for("checked worker logs, looks fine", WAIT);
    assert!(pty.screen_text().contains("A note for the timeline"));
    pty.send(b"\x1b");
    pty.wait_gone("A note for the timeline", WAIT);
    // Into the scale box: refused (not a number), nothing sent.
    pty.send(b"s");
    pty.wait_for("Scale deployment/api", WAIT);
    pty.send(&paste(attack));
    pty.wait_for("type a number of replicas", WAIT);
    pty.send(b"\x1b");
    pty.wait_gone("Scale deployment/api", WAIT);
    // Into the log filter.
    pty.send(b"l");
    pty.wait_for("Logs", WAIT);
    pty.send(b"/");
    pty.wait_for("filter: ", WAIT);
    pty.send(&paste(attack));
    pty.wait_for("checked worker logs", WAIT);
    // One esc ends the filter, the next closes the logs, the last the
    // workload view (sent apart: an esc and a key in one read are alt+key).
    pty.send(b"\x1b");
    pty.wait_gone("checked worker logs", WAIT);
    pty.send(b"\x1b");
    pty.wait_for("Revisions ", WAIT);
    pty.send(b"\x1b");
    pty.wait_for("✓ complete api", WAIT);
    // Ctrl-c in a text field cancels the field; the dashboard stays.
    pty.send(b"n");
    pty.wait_for("A note for the timeline", WAIT);
    pty.send(b"\x03");
    pty.wait_gone("A note for the timeline", WAIT);
    assert!(pty.screen_text().contains("Rollouts"));
    // The simulator saw no write at all, not even a dry run.
    assert_eq!(demo.writes(), Vec::<String>::new());
    assert_eq!(
        journal_actions(dir.path(), "no-runbook", "demo"),
        Vec::<String>::new()
    );
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

/// The notes in the journal, oldest first.
fn journal_notes(dir: &std::path::Path, service: &str, env: &str) -> Vec<String> {
    let journal = ops_tui::journal::Journal::for_env(&dir.join("data"), service, env);
    let Ok(contents) = journal.read() else {
        return Vec::new();
    };
    contents
        .records
        .iter()
        .filter_map(|r| match &r.entry {
            ops_tui::journal::Entry::Note { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_megabyte_pasted_into_the_note_editor_is_cut_to_the_cap_and_the_ui_answers() {
    use ops_tui::state::actions::MAX_FIELD_CHARS;
    let demo = Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let mut pty = bare_dashboard(&demo, dir.path(), 80, 24);
    // 1 MiB of lines, with keys that act on the dashboard among them.
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 1 << 20 {
        n += 1;
        text.push_str(&format!("line {n:06} checked worker logs q r s u b\n"));
    }
    let pasted = text.chars().count();
    pty.send(b"n");
    pty.wait_for("A note for the timeline", WAIT);
    // Generous: a shared, noisy machine. What counts is that it is taken
    // at all, then that the keys still answer.
    let started = Instant::now();
    pty.send(&paste(&text));
    pty.wait_for("paste cut short: kept ", Duration::from_secs(30));
    assert!(started.elapsed() < Duration::from_secs(30));
    // The frame under way is drawn to its end before it is read.
    let mut screen = pty.screen_text();
    loop {
        pty.shows_within("\u{0}", Duration::from_millis(300));
        let now = pty.screen_text();
        if now == screen {
            break;
        }
        screen = now;
    }
    // The notice says how much was kept of how much, on one row fitted
    // with an ellipsis at 80 columns.
    let notice = screen
        .lines()
        .find(|l| l.contains("paste cut short"))
        .unwrap()
        .to_string();
    let kept: usize = notice
        .split("kept ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count kept: {notice:?}"));
    assert!(
        kept <= MAX_FIELD_CHARS && kept > MAX_FIELD_CHARS / 2,
        "{notice:?}"
    );
    assert!(
        notice.contains(&format!("kept {kept} of {pasted} characters")),
        "{notice:?}"
    );
    assert!(notice.trim_end().ends_with('…'), "{notice:?}");
    // The editor is still open, its keys in view below the text cut from
    // the top; the pasted keys acted on nothing.
    let rows: Vec<&str> = screen.lines().collect();
    let row = |text: &str| rows.iter().position(|r| r.contains(text));
    assert_eq!(
        screen.matches("A note for the timeline").count(),
        1,
        "{screen}"
    );
    let (Some(above), Some(cursor), Some(keys)) = (
        row("more lines above"),
        row("▏"),
        row("enter saves it to the journal"),
    ) else {
        panic!("the editor's end and keys are not in view:\n{screen}")
    };
    assert!(above < cursor && cursor < keys, "{screen}");
    assert_eq!(demo.writes(), Vec::<String>::new());
    // Enter saves it: the note in the journal holds at most the cap.
    pty.send(b"\r");
    pty.wait_gone("A note for the timeline", WAIT);
    let deadline = Instant::now() + WAIT;
    let notes = loop {
        let notes = journal_notes(dir.path(), "no-runbook", "demo");
        if !notes.is_empty() || Instant::now() > deadline {
            break notes;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(notes.len(), 1, "one note journaled");
    let note = &notes[0];
    assert!(note.chars().count() <= MAX_FIELD_CHARS, "{}", note.len());
    assert!(note.starts_with("line 000001 checked worker logs q r s u b\nline 000002 "));
    assert!(
        text.starts_with(note.as_str()),
        "the note is the start of the paste"
    );
    // Still responsive: the editor opens and esc closes it, the
    // dashboard quits on q.
    pty.send(b"n");
    pty.wait_for("A note for the timeline", WAIT);
    pty.send(b"\x1b");
    pty.wait_gone("A note for the timeline", WAIT);
    assert_eq!(demo.writes(), Vec::<String>::new());
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn keys_typed_ahead_of_a_confirm_dialog_do_not_confirm_it() {
    let demo = Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = ["--kubeconfig", &kubeconfig, "--context", "demo"];
    // A long arming delay, so that "before it is armed" does not depend on
    // how fast this machine is.
    let mut pty = Pty::spawn(
        dir.path(),
        &args,
        &[("OPS_TUI_CONFIRM_DELAY_MS", "4000")],
        140,
        36,
    );
    pty.wait_for("✓ complete api", WAIT);
    // Every kind listed (the CronJob's list may come last), then the
    // first row, api, selected: `r` acts on it.
    pty.wait_for("report-nightly", WAIT);
    pty.wait_for("✓ complete db-migrate", WAIT);
    pty.select_first_row("deployment \"api\" successfully rolled out", WAIT);
    // A terminal without bracketed paste: the note's text arrives as keys,
    // then `r` and enter at once.
    pty.send(b"nchecked worker logs, looks fine\rr\r\r");
    pty.wait_for("the server-side dry run passed", WAIT);
    // Enter as soon as the dialog is drawn: ignored, with a hint.
    pty.send(b"\r");
    pty.wait_for("press it again", WAIT);
    assert_eq!(real_writes(&demo), Vec::<String>::new());
    assert!(
        pty.screen_text()
            .contains("Confirm: restart deployment/api")
    );
    // A deliberate enter, once the dialog has been read.
    std::thread::sleep(Duration::from_millis(4500));
    pty.send(b"\r");
    pty.wait_for("done: restart deployment/api", WAIT);
    // The change, then the Event it leaves on the Deployment.
    let writes = real_writes(&demo);
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert!(
        writes[0].starts_with("PATCH /apis/apps/v1/namespaces/shop-prod/deployments/api?")
            || writes[0] == "PATCH /apis/apps/v1/namespaces/shop-prod/deployments/api",
        "{writes:?}"
    );
    assert!(
        writes[1].starts_with("POST /api/v1/namespaces/shop-prod/events"),
        "{writes:?}"
    );
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn a_frozen_api_server_turns_the_header_stale_and_checks_unknown() {
    let demo = Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let runbook = demo.dir.join("demo.toml");
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig,
        "--context",
        "demo",
    ];
    let mut pty = Pty::spawn(dir.path(), &args, &[], 200, 50);
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete api", WAIT);
    pty.send(b"4");
    pty.wait_for("(rollout:api ✓", WAIT);
    demo.signal(libc::SIGSTOP);
    let frozen = Instant::now();
    // The threshold is 15 s of silence; the heartbeat asks every 5 s.
    pty.wait_for("STALE", Duration::from_secs(40));
    let seen_after = frozen.elapsed();
    // The checks that read the cluster are unknown, with the reason.
    pty.wait_for("(rollout:api ?", WAIT);
    pty.wait_for("[15s old] ✓ complete api", WAIT);
    // Waited for, not read at once: the frame may still be arriving.
    pty.wait_for("(rollout:* ?", WAIT);
    let screen = pty.screen_text();
    assert!(!screen.contains(" LIVE "), "{screen}");
    demo.signal(libc::SIGCONT);
    pty.wait_for("LIVE", Duration::from_secs(40));
    pty.wait_for("(rollout:api ✓", WAIT);
    assert!(
        seen_after >= Duration::from_secs(14),
        "STALE came before the threshold: {seen_after:?}"
    );
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn a_mutation_the_server_never_answers_is_outcome_unknown_then_read_back() {
    let demo = Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let mut pty = bare_dashboard(&demo, dir.path(), 160, 40);
    pty.send(b"s");
    pty.wait_for("Scale deployment/api", WAIT);
    pty.send(b"\x7f4\r");
    pty.wait_for("the server-side dry run passed", WAIT);
    std::thread::sleep(READ_THE_DIALOG);
    demo.signal(libc::SIGSTOP);
    pty.send(b"\r");
    pty.wait_for("SENDING", WAIT);
    // The deadline passes: the dialog and the header say so.
    pty.wait_for("Outcome unknown", Duration::from_secs(40));
    pty.wait_for("OUTCOME UNKNOWN", WAIT);
    // Closing the dialog leaves the header's word.
    pty.send(b"\x1b");
    pty.wait_gone("Outcome unknown", WAIT);
    assert!(pty.screen_text().contains("OUTCOME UNKNOWN"));
    demo.signal(libc::SIGCONT);
    // Whether the request that was cut off applied is the server's
    // business; what the console says must be what the cluster holds.
    pty.wait_for("read back, it", Duration::from_secs(60));
    pty.wait_gone("OUTCOME UNKNOWN", WAIT);
    let applied = pty.screen_text().contains("read back, it applied");
    let replicas = demo.ok(&["get", "deploy/api", "-o", "jsonpath={.spec.replicas}"]);
    assert_eq!(replicas, if applied { "4" } else { "3" });
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
    let steps = journal_actions(dir.path(), "no-runbook", "demo");
    let steps: Vec<&str> = steps
        .iter()
        .map(|s| s.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["Preview", "DryRun", "Confirmed", "Unanswered", "ReadBack"]
    );
}

/// A runbook with one burst probe against `url`.
fn burst_runbook(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("ops-tui.toml");
    std::fs::write(
        &path,
        format!(
            "[service]\nname = \"bursty\"\n\n[env.local]\nnamespace = \"default\"\n\n\
             [[probe]]\nname = \"rate-limit\"\nurl = \"{url}/api\"\nburst = 12\n\
             fail = [\"[STATUS_COUNT].429 > 0\"]\n"
        ),
    )
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_a_burst_and_a_burst_is_journaled_as_an_action() {
    let server = common::https::Server::fixed(429, &[], "slow down", None).await;
    let dir = tempfile::tempdir().unwrap();
    let runbook = burst_runbook(dir.path(), &server.url("http"));
    let runbook = runbook.to_str().unwrap();
    // Read-only: R says why, and the service sees nothing.
    let mut pty = Pty::spawn(
        dir.path(),
        &["--runbook", runbook, "--read-only"],
        &[("USER", "oncall")],
        140,
        36,
    );
    pty.wait_for("Health", WAIT);
    pty.send(b"2R");
    pty.wait_for("read-only", WAIT);
    assert!(
        !pty.screen_text().contains("requests to"),
        "no burst dialog"
    );
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
    assert_eq!(
        server.seen().len(),
        0,
        "a read-only burst reached the service"
    );
    assert_eq!(
        journal_actions(dir.path(), "bursty", "local"),
        Vec::<String>::new()
    );
    // Writable: confirmed, sent, and journaled like every action.
    let mut pty = Pty::spawn(
        dir.path(),
        &["--runbook", runbook],
        &[("USER", "oncall")],
        140,
        36,
    );
    pty.wait_for("Health", WAIT);
    pty.send(b"2R");
    pty.wait_for("12 requests", WAIT);
    std::thread::sleep(READ_THE_DIALOG);
    pty.send(b"\r");
    let deadline = Instant::now() + WAIT;
    while server.seen().len() < 12 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.seen().len(), 12);
    pty.wait_for("burst of probe rate-limit", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
    assert_eq!(
        journal_actions(dir.path(), "bursty", "local"),
        [
            "Confirmed burst of probe rate-limit: 12 requests",
            "Outcome burst of probe rate-limit: 12 requests"
        ]
    );
}
