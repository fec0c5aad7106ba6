//! The journal's append and whole read.
use super::*;

#[test]
fn an_append_after_a_torn_line_starts_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::for_env(dir.path(), "shop", "prod");
    j.append(&action(Step::Preview)).unwrap();
    let mut f = OpenOptions::new().append(true).open(&j.path).unwrap();
    f.write_all(b"{\"at\":\"2026-").unwrap();
    j.append(&action(Step::Outcome)).unwrap();
    let c = j.read().unwrap();
    assert_eq!(c.records.len(), 2, "the record after the fragment is kept");
    assert_eq!(
        c.warnings.len(),
        1,
        "the fragment is reported: {:?}",
        c.warnings
    );
}

#[test]
fn every_kind_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::for_env(dir.path(), "shop", "prod");
    let entries = vec![
        Entry::Tick {
            item: "post/errors".into(),
            text: "Error rate below 1%".into(),
            run: Some("2026-11-23".into()),
            evidence: vec![Evidence {
                kind: "signal".into(),
                name: "error-rate".into(),
                status: "fail".into(),
                value: "2.1%".into(),
                detail: Some("fail when > 1%".into()),
                conditions: vec!["✗ [STATUS] == 200 ([STATUS] = 503)".into()],
            }],
            reason: Some("known spike from a load test".into()),
        },
        Entry::Untick {
            item: "post/errors".into(),
            run: None,
        },
        Entry::Skip {
            item: "pre/docs".into(),
            text: "Docs".into(),
            run: None,
            reason: "no user-facing change".into(),
        },
        Entry::Note {
            text: "paged by the CDN team".into(),
            item: None,
            happened_at: Some("2026-11-23T05:40:00Z".into()),
            starred: true,
        },
        Entry::Milestone {
            milestone: Milestone::Mitigated,
            happened_at: None,
        },
        Entry::Check {
            check: "probe:health".into(),
            status: "fail".into(),
            text: "probe health: failing (HTTP 503)".into(),
        },
        Entry::Star {
            key: "2026-11-23T06:00:00Z|ann".into(),
            on: true,
        },
    ];
    for e in &entries {
        j.append(&Record::now(None, e.clone())).unwrap();
    }
    let read: Vec<Entry> = j
        .read()
        .unwrap()
        .records
        .into_iter()
        .map(|r| r.entry)
        .collect();
    assert_eq!(read, entries);
}

fn action(step: Step) -> Record {
    Record::now(
        Some("admin".into()),
        Entry::Action {
            id: "a1".into(),
            step,
            summary: "scale deployment/api from 3 to 5".into(),
            request: None,
            ok: None,
            detail: None,
        },
    )
}

#[test]
fn appends_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::for_env(dir.path(), "Shop API", "prod");
    assert!(j.path.ends_with("journals/shop-api/prod.jsonl"));
    j.append(&action(Step::Preview)).unwrap();
    let outcome = action(Step::Outcome);
    j.append(&outcome).unwrap();
    let c = j.read().unwrap();
    assert_eq!(c.records.len(), 2);
    assert!(c.warnings.is_empty());
    // Read back with its id.
    assert!(!c.records[1].entry_id.is_empty());
    assert_ne!(c.records[0].entry_id, c.records[1].entry_id);
    assert_eq!(c.records[1], outcome.clone_with_at(&c.records[1].at));
}

#[test]
fn a_text_a_server_sent_is_written_masked_and_printable() {
    let dir = tempfile::tempdir().unwrap();
    let mut secrets = Secrets::new();
    secrets.add("s3cr3t-t0ken-canary");
    let j = Journal::for_env(dir.path(), "shop", "prod").with_secrets(secrets);
    j.append(&Record::now(
        None,
        Entry::Event {
            event: EventKind::Alert,
            subject: "Leak{query=\x1b[2J}".into(),
            status: "fail".into(),
            text: "alert Leak firing: \x1b]0;pwned\x07\x1b[31mleaked s3cr3t-t0ken-canary".into(),
        },
    ))
    .unwrap();
    let c = j.read().unwrap();
    let Entry::Event { subject, text, .. } = &c.records[0].entry else {
        panic!("not an event: {:?}", c.records[0]);
    };
    assert_eq!(subject, "Leak{query=\\x1b[2J}");
    assert_eq!(
        text,
        "alert Leak firing: \\x1b]0;pwned\\x07\\x1b[31mleaked ••••"
    );
}

#[test]
fn a_torn_last_line_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::for_env(dir.path(), "shop", "prod");
    j.append(&action(Step::Preview)).unwrap();
    let mut f = OpenOptions::new().append(true).open(&j.path).unwrap();
    f.write_all(b"{\"at\":\"2026-").unwrap();
    let c = j.read().unwrap();
    assert_eq!(c.records.len(), 1);
    assert_eq!(c.warnings.len(), 1);
    assert!(
        c.warnings[0].contains(":2: the last line is incomplete"),
        "{}",
        c.warnings[0]
    );
}

#[test]
fn an_unwritable_directory_is_an_error_that_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("journals");
    std::fs::write(&blocker, "not a directory").unwrap();
    let j = Journal::for_env(dir.path(), "shop", "prod");
    let e = j.append(&action(Step::Confirmed)).unwrap_err().to_string();
    assert!(e.starts_with("cannot write the journal"), "{e}");
    assert!(e.contains("prod.jsonl"), "{e}");
}

impl Record {
    fn clone_with_at(&self, at: &str) -> Record {
        Record {
            at: at.to_string(),
            ..self.clone()
        }
    }
}

#[test]
fn older_journals_read_and_a_newer_kind_is_a_warning_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::for_env(dir.path(), "shop", "prod");
    std::fs::create_dir_all(j.path.parent().unwrap()).unwrap();
    std::fs::write(
        &j.path,
        concat!(
            r#"{"at":"2026-11-23T06:00:00Z","user":"ann","kind":"note","text":"old"}"#,
            "\n",
            r#"{"at":"2026-11-23T06:01:00Z","user":"ann","kind":"from_the_future","x":1}"#,
            "\n",
            r#"{"at":"2026-11-23T06:02:00Z","user":"ann","kind":"check","check":"probe:health","status":"ok","text":"probe health: ok"}"#,
            "\n",
        ),
    )
    .unwrap();
    let c = j.read().unwrap();
    assert_eq!(c.records.len(), 2);
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(c.warnings[0].contains(":2: skipped"), "{:?}", c.warnings);
    assert_eq!(
        check_statuses(&c.records)
            .get("probe:health")
            .map(String::as_str),
        Some("ok")
    );
}

#[test]
fn a_record_without_an_id_gets_one_from_its_content_the_same_wherever_read() {
    let line =
        r#"{"at":"2026-11-23T06:00:00Z","user":"ann","kind":"note","text":"db failover done"}"#;
    let a = Journal::for_env(std::path::Path::new("/nonexistent"), "s", "e")
        .parse(line)
        .unwrap();
    let b: Record = serde_json::from_str(line).unwrap();
    assert!(a.entry_id.is_empty());
    assert_eq!(a.id(), b.id());
    assert!(a.id().starts_with('h'), "{}", a.id());
    // Written out, it keeps that id; another text has another.
    let kept = a.clone().with_id();
    assert_eq!(kept.entry_id, a.id());
    assert_eq!(kept.id(), a.id());
    let other =
        r#"{"at":"2026-11-23T06:00:00Z","user":"ann","kind":"note","text":"db failover undone"}"#;
    let c: Record = serde_json::from_str(other).unwrap();
    assert_ne!(c.id(), a.id());
    // An id of its own is used as is.
    let own: Record = serde_json::from_str(
        r#"{"at":"2026-11-23T06:00:00Z","user":"ann","entry_id":"x-1","kind":"note","text":"n"}"#,
    )
    .unwrap();
    assert_eq!(own.id(), "x-1");
}

#[test]
fn a_record_is_read_again_at_the_offset_its_line_starts() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::for_env(dir.path(), "shop", "prod");
    let (a, b) = (action(Step::Preview), action(Step::Outcome));
    j.append_all(&[a.clone(), b.clone()]).unwrap();
    let mut offsets = Vec::new();
    Cursor::new()
        .read_all(&j, 10, |batch| {
            offsets.extend(batch.records.iter().map(|(at, _)| *at))
        })
        .unwrap();
    assert_eq!(offsets.len(), 2);
    assert_eq!(j.record_at(offsets[1]).unwrap(), Some(b));
    assert_eq!(j.record_at(offsets[0]).unwrap(), Some(a));
    // Not at a line's start: no record.
    assert_eq!(j.record_at(offsets[1] + 3).unwrap(), None);
}
