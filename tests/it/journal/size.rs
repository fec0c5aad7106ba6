//! A long journal (about a year of a busy service) in the real binary: the
//! dashboard opens it within bounded memory and shows the right checklist
//! and Timeline; another instance's appends still arrive. Memory is read
//! from /proc (the peak resident set, VmHWM); nothing here is timed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::Write;
use std::time::Duration;

use common::Pty;
use ops_tui::journal::{Entry, Journal, Record};

/// Generous: a debug build parses the long journal slowly.
const WAIT: Duration = Duration::from_secs(180);

/// The journal's size: 1 GiB, about seven million lines.
const SIZE: u64 = 1 << 30;

/// The peak resident set the dashboard may reach on it.
const MAX_HWM_KB: u64 = 100 * 1024;

fn runbook(dir: &std::path::Path) -> std::path::PathBuf {
    let items: Vec<String> = (1..=12).map(|i| format!("  \"Step {i:02}\",")).collect();
    let text = format!(
        "[service]\nname = \"shop\"\n\n[env.prod]\ncontext = \"prod\"\n\n[[phase]]\nname = \"Go-live\"\nitems = [\n{}\n]\n",
        items.join("\n")
    );
    let path = dir.join("ops-tui.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Writes about `size` bytes of journal lines as ops-tui writes them: check
/// changes, actions in four steps, notes, ticks and unticks, milestones.
/// Every early tick of Step 01..12 is taken back at the end of its cycle.
fn write_long_journal(path: &std::path::Path, size: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut written = 0u64;
    let mut i = 0u64;
    while written < size {
        let at = format!(
            "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            1 + (i / 2_000_000) % 12,
            1 + (i / 80_000) % 28,
            (i / 3_600) % 24,
            (i / 60) % 60,
            i % 60
        );
        let user = ["ann", "bob", "cy"][(i % 3) as usize];
        let step = i % 12 + 1;
        let line = match i % 20 {
            0..=8 => format!(
                r#"{{"at":"{at}","user":"{user}","kind":"check","check":"probe:p{}","status":"{}","text":"probe p{}: {} (HTTP {})"}}"#,
                i % 7,
                if i.is_multiple_of(2) { "ok" } else { "fail" },
                i % 7,
                if i.is_multiple_of(2) { "ok" } else { "failing" },
                if i.is_multiple_of(2) { 200 } else { 503 }
            ),
            9..=12 => {
                let kind = ["preview", "dry_run", "confirmed", "outcome"][(i % 20 - 9) as usize];
                format!(
                    r#"{{"at":"{at}","user":"{user}","kube_user":"admin","kind":"action","id":"act-{}","step":"{kind}","summary":"scale deployment/api from 3 to 5","request":{{"verb":"PATCH","path":"/apis/apps/v1/namespaces/shop/deployments/api/scale","body":{{"spec":{{"replicas":5}}}}}},"ok":true}}"#,
                    i / 20
                )
            }
            13 | 14 => format!(
                r#"{{"at":"{at}","user":"{user}","kind":"note","text":"note {i}: checked the dashboards, nothing unusual","item":"go-live/step-{step:02}"}}"#
            ),
            15 => format!(
                r#"{{"at":"{at}","user":"{user}","kind":"tick","item":"go-live/step-{step:02}","text":"Step {step:02}","evidence":[{{"kind":"probe","name":"health","status":"ok","value":"200"}}]}}"#
            ),
            16 => format!(
                r#"{{"at":"{at}","user":"{user}","kind":"untick","item":"go-live/step-{step:02}"}}"#
            ),
            17 => format!(
                r#"{{"at":"{at}","user":"{user}","kind":"milestone","milestone":"detected"}}"#
            ),
            18 => format!(
                r#"{{"at":"{at}","user":"{user}","kind":"milestone","milestone":"resolved"}}"#
            ),
            _ => format!(
                r#"{{"at":"{at}","user":"{user}","kind":"note","text":"a note on the whole, number {i}"}}"#
            ),
        };
        out.write_all(line.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
        written += line.len() as u64 + 1;
        i += 1;
    }
    // Every step left open: an untick after each.
    for step in 1..=12 {
        writeln!(
            out,
            r#"{{"at":"2025-12-31T00:00:00Z","user":"ann","kind":"untick","item":"go-live/step-{step:02}"}}"#
        )
        .unwrap();
    }
    out.flush().unwrap();
}

fn record(user: &str, entry: Entry) -> Record {
    Record {
        entry_id: String::new(),
        at: "2026-01-01T10:00:00Z".into(),
        user: user.into(),
        kube_user: None,
        entry,
    }
}

fn tick(step: u32) -> Entry {
    Entry::Tick {
        item: format!("go-live/step-{step:02}"),
        text: format!("Step {step:02}"),
        run: None,
        evidence: Vec::new(),
        reason: None,
    }
}

/// The peak resident set of a process, in kB.
fn hwm_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_long_journal_opens_within_bounded_memory_and_shows_its_newest_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path());
    let journal = Journal::for_env(&dir.path().join("data"), "shop", "prod");
    write_long_journal(&journal.path, SIZE);
    // The newest entries, as ops-tui appends them.
    journal.append(&record("dora", tick(3))).unwrap();
    journal
        .append(&record(
            "dora",
            Entry::Note {
                text: "the newest note of the year".into(),
                item: Some("go-live/step-05".into()),
                happened_at: None,
                starred: false,
            },
        ))
        .unwrap();
    let args = ["--runbook", path.to_str().unwrap()];
    let mut pty = Pty::spawn(dir.path(), &args, &[("USER", "ann")], 160, 40);
    // Checklist: the newest tick, and nothing else done.
    pty.wait_for("Go-live", WAIT);
    pty.send(b"4");
    pty.wait_for("[x] Step 03", WAIT);
    let screen = pty.screen_text();
    for step in [1, 2, 4, 5] {
        assert!(
            screen.contains(&format!("[ ] Step {step:02}")),
            "Step {step:02} is open: {screen}"
        );
    }
    // Timeline: newest first.
    pty.send(b"5");
    pty.wait_for("dora note [go-live/step-05]: the new", WAIT);
    pty.wait_for("dora done: Step 03", WAIT);
    let pid = pty.pid().unwrap();
    let hwm = hwm_kb(pid);
    assert!(
        hwm < MAX_HWM_KB,
        "peak resident set {hwm} kB on a {} MB journal",
        SIZE >> 20
    );

    // Another instance's append arrives, read from where the last read
    // ended.
    journal.append(&record("erin", tick(7))).unwrap();
    pty.send(b"4");
    pty.wait_for("[x] Step 07", WAIT);
    assert!(hwm_kb(pid) < MAX_HWM_KB);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}
