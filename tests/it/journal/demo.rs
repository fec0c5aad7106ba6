//! `ops-tui demo` starts each run with a fresh journal of its own (its
//! cluster starts fresh too); `--keep-journal` continues the previous one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::Pty;

const WAIT: Duration = Duration::from_secs(30);

/// Every journal file under `dir`, with its text.
fn journals(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let Ok(services) = std::fs::read_dir(dir) else {
        return found;
    };
    for service in services.filter_map(Result::ok) {
        for file in std::fs::read_dir(service.path())
            .unwrap()
            .filter_map(Result::ok)
        {
            found.push((file.path(), std::fs::read_to_string(file.path()).unwrap()));
        }
    }
    found
}

fn texts(journals: &[(PathBuf, String)]) -> Vec<&str> {
    journals.iter().map(|(_, t)| t.as_str()).collect()
}

/// Runs the demo until it has journaled something, then quits it; returns
/// what it printed on the way out.
fn run_demo(dir: &Path, extra: &[&str]) -> String {
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut args = vec!["demo", "--speed", "10"];
    args.extend(extra);
    let mut pty = Pty::spawn(dir, &args, &[("TMPDIR", tmp.to_str().unwrap())], 160, 40);
    pty.wait_for("LIVE", WAIT);
    // The dashboard says where its journal is.
    pty.wait_for("demo: the journal is", WAIT);
    assert!(
        pty.screen_text().contains("data/demo/journals"),
        "{}",
        pty.screen_text()
    );
    // Checks that changed state are journaled as they answer.
    let journals_dir = dir.join("data/demo/journals");
    let start = Instant::now();
    while journals(&journals_dir).iter().all(|(_, t)| t.is_empty()) {
        assert!(start.elapsed() < WAIT, "nothing was journaled");
        std::thread::sleep(Duration::from_millis(100));
    }
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
    String::from_utf8_lossy(&pty.raw).into_owned()
}

#[test]
fn each_demo_starts_a_fresh_journal_and_keep_journal_continues_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run_demo(dir.path(), &[]);
    assert!(
        out.contains("its journal is in") && out.contains("data/demo/journals"),
        "the demo says where its journal is: {out}"
    );
    let first = journals(&data.join("demo/journals"));
    assert!(!first.is_empty());
    assert!(
        journals(&data.join("journals")).is_empty(),
        "the demo does not write the journals of real environments"
    );

    // A second run starts afresh; the first run's journal is kept aside.
    run_demo(dir.path(), &[]);
    let second = journals(&data.join("demo/journals"));
    let previous = journals(&data.join("demo/journals.previous"));
    assert_eq!(
        texts(&previous),
        texts(&first),
        "the previous run's journal is kept aside"
    );
    for ((_, now), (_, before)) in second.iter().zip(&first) {
        assert!(
            !now.starts_with(before.as_str()),
            "the second run continued the first's journal"
        );
    }

    // --keep-journal continues the previous run's (the checks it knows
    // unchanged are not journaled again).
    run_demo(dir.path(), &["--keep-journal"]);
    let third = journals(&data.join("demo/journals"));
    for ((_, now), (_, before)) in third.iter().zip(&second) {
        assert!(
            now.starts_with(before.as_str()),
            "--keep-journal continues it"
        );
    }
    assert_eq!(
        texts(&journals(&data.join("demo/journals.previous"))),
        texts(&first)
    );
}
