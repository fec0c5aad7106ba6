//! The journal under stress: two writers at once, and a SIGKILL of the real
//! binary while items are being ticked: every tick the screen acknowledged
//! is in the journal after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::Pty;
use ops_tui::journal::{Entry, Journal, Record};

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn two_writers_at_once_never_interleave_or_lose_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let writers: Vec<_> = ["ann", "bob"]
        .into_iter()
        .map(|user| {
            let journal = Journal::for_env(dir.path(), "shop", "prod");
            std::thread::spawn(move || {
                for i in 0..200 {
                    let record = Record {
                        entry_id: String::new(),
                        at: format!("2026-11-23T06:00:{:02}Z", i % 60),
                        user: user.into(),
                        kube_user: None,
                        entry: Entry::Note {
                            // Long enough that a torn write would show.
                            text: format!("{user} {i} {}", "x".repeat(2000)),
                            item: None,
                            happened_at: None,
                            starred: false,
                        },
                    };
                    journal.append(&record).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let contents = Journal::for_env(dir.path(), "shop", "prod").read().unwrap();
    assert!(contents.warnings.is_empty(), "{:?}", contents.warnings);
    assert_eq!(contents.records.len(), 400);
    for user in ["ann", "bob"] {
        let mine: Vec<usize> = contents
            .records
            .iter()
            .filter(|r| r.user == user)
            .map(|r| match &r.entry {
                Entry::Note { text, .. } => text.split(' ').nth(1).unwrap().parse().unwrap(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            mine,
            (0..200).collect::<Vec<_>>(),
            "{user}'s lines in order"
        );
    }
}

/// A runbook of twelve manual items.
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

#[test]
fn every_tick_the_screen_acknowledged_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path());
    let args = ["--runbook", path.to_str().unwrap()];
    let mut pty = Pty::spawn(dir.path(), &args, &[("USER", "ann")], 120, 30);
    pty.wait_for("Go-live", WAIT);
    pty.send(b"4");
    // Tick items one after another without waiting, then note what the
    // screen shows as done, and kill the process at once.
    for _ in 0..8 {
        pty.send(b"j ");
    }
    pty.wait_for("[x] Step 03", WAIT);
    let screen = pty.screen_text();
    let acknowledged: Vec<String> = (1..=12)
        .map(|i| format!("Step {i:02}"))
        .filter(|s| screen.contains(&format!("[x] {s}")))
        .collect();
    assert!(acknowledged.len() >= 3, "{screen}");
    let pid = pty.pid().unwrap();
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
    pty.wait_exit(WAIT);

    // After a restart, the journal holds every acknowledged tick and the
    // screen shows them done again.
    let journal = Journal::for_env(&dir.path().join("data"), "shop", "prod");
    let contents = journal.read().unwrap();
    let ticked: Vec<String> = contents
        .records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Tick { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    for s in &acknowledged {
        assert!(
            ticked.contains(s),
            "{s} was shown done but is not in the journal: {ticked:?}"
        );
    }
    let mut pty = Pty::spawn(dir.path(), &args, &[("USER", "ann")], 120, 30);
    pty.wait_for("Go-live", WAIT);
    for s in &acknowledged {
        pty.wait_for(&format!("[x] {s}"), WAIT);
    }
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn two_instances_on_one_environment_see_each_others_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path());
    let args = ["--runbook", path.to_str().unwrap()];
    let mut ann = Pty::spawn(dir.path(), &args, &[("USER", "ann")], 120, 30);
    let mut bob = Pty::spawn(dir.path(), &args, &[("USER", "bob")], 120, 30);
    ann.wait_for("Go-live", WAIT);
    bob.wait_for("Go-live", WAIT);
    ann.send(b"4j ");
    ann.wait_for("[x] Step 01", WAIT);
    bob.send(b"4");
    bob.wait_for("[x] Step 01", WAIT);
    bob.wait_for("ann", WAIT);
    bob.send(b"jj ");
    bob.wait_for("[x] Step 02", WAIT);
    ann.wait_for("[x] Step 02", WAIT);
    for pty in [&mut ann, &mut bob] {
        pty.send(b"q");
        assert!(pty.wait_exit(WAIT).success());
    }
}

#[test]
fn an_entry_whose_time_is_not_a_timestamp_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "prod");
    std::fs::create_dir_all(journal.path.parent().unwrap()).unwrap();
    let lines = [
        r#"{"at":"2026-11-23T06:00:00Z","user":"ann","kind":"note","text":"first"}"#,
        r#"{"at":"not a date","user":"bob","kind":"note","text":"bad"}"#,
        r#"{"at":"","user":"bob","kind":"note","text":"empty"}"#,
        r#"{"at":"2026-11-23T06:01:00+01:00","user":"ann","kind":"note","text":"last"}"#,
    ];
    std::fs::write(&journal.path, lines.join("\n") + "\n").unwrap();
    let contents = journal.read().unwrap();
    let texts: Vec<String> = contents
        .records
        .iter()
        .map(|r| match &r.entry {
            Entry::Note { text, .. } => text.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(texts, ["first", "last"]);
    assert_eq!(contents.warnings.len(), 2, "{:?}", contents.warnings);
    assert!(
        contents.warnings[0].contains("prod.jsonl:2: skipped an unreadable line")
            && contents.warnings[0].contains("\"at\" is not an RFC 3339 timestamp: \"not a date\""),
        "{}",
        contents.warnings[0]
    );
    assert!(
        contents.warnings[1].contains("prod.jsonl:3: "),
        "{}",
        contents.warnings[1]
    );
}

/// The login name of this process's user, as /etc/passwd gives it.
fn passwd_login() -> Option<String> {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() }.to_string();
    std::fs::read_to_string("/etc/passwd")
        .ok()?
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == uid)
        .map(|f| f[0].to_string())
}

#[test]
fn without_user_in_the_environment_the_journal_names_the_login_from_the_password_database() {
    let Some(login) = passwd_login() else {
        eprintln!("skipped: this user has no /etc/passwd entry");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path());
    let args = ["--runbook", path.to_str().unwrap()];
    // Empty counts as unset, as it does for a shell.
    let unset = [("USER", ""), ("LOGNAME", ""), ("USERNAME", "")];
    let mut pty = Pty::spawn(dir.path(), &args, &unset, 120, 30);
    pty.wait_for("Go-live", WAIT);
    pty.send(b"4");
    pty.send(b"j ");
    pty.wait_for("[x] Step 01", WAIT);
    pty.send(b"q");
    pty.wait_exit(WAIT);
    let journal = Journal::for_env(&dir.path().join("data"), "shop", "prod");
    let users: Vec<String> = journal
        .read()
        .unwrap()
        .records
        .iter()
        .filter(|r| matches!(r.entry, Entry::Tick { .. }))
        .map(|r| r.user.clone())
        .collect();
    assert_eq!(users, [login], "not a uid");
}
