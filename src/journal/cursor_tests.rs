//! The incremental reader: appends in pieces, an incomplete last line
//! completed later, a file that shrank or was replaced.

use std::fs::OpenOptions;
use std::io::Write;

use super::*;
use crate::journal::{Entry, Journal, Record};

fn note(text: &str) -> Record {
    Record {
        entry_id: String::new(),
        at: "2026-11-23T06:00:00Z".into(),
        user: "ann".into(),
        kube_user: None,
        entry: Entry::Note {
            text: text.into(),
            item: None,
            happened_at: None,
            starred: false,
        },
    }
}

fn line(text: &str) -> Vec<u8> {
    let mut l = serde_json::to_vec(&note(text)).unwrap();
    l.push(b'\n');
    l
}

fn texts(batch: &Batch) -> Vec<String> {
    batch
        .records
        .iter()
        .map(|(_, r)| match &r.entry {
            Entry::Note { text, .. } => text.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::for_env(dir.path(), "shop", "prod");
    std::fs::create_dir_all(j.path.parent().unwrap()).unwrap();
    (dir, j)
}

fn append(j: &Journal, bytes: &[u8]) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&j.path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

#[test]
fn reads_only_what_was_appended_since() {
    let (_dir, j) = journal();
    let mut c = Cursor::new();
    let b = c.read(&j, usize::MAX).unwrap();
    assert!(b.done && b.records.is_empty() && !b.reset, "no file yet");
    j.append(&note("one")).unwrap();
    j.append(&note("two")).unwrap();
    let b = c.read(&j, usize::MAX).unwrap();
    assert_eq!(texts(&b), ["one", "two"]);
    assert!(!b.reset);
    assert_eq!(
        b.records[1].0,
        line("one").len() as u64,
        "each with its offset"
    );
    let b = c.read(&j, usize::MAX).unwrap();
    assert!(b.records.is_empty() && b.done, "nothing new");
    j.append(&note("three")).unwrap();
    let b = c.read(&j, usize::MAX).unwrap();
    assert_eq!(texts(&b), ["three"]);
    assert_eq!(c.offset(), std::fs::metadata(&j.path).unwrap().len());
}

#[test]
fn a_batch_holds_at_most_max_records_and_says_when_more_wait() {
    let (_dir, j) = journal();
    for i in 0..5 {
        j.append(&note(&i.to_string())).unwrap();
    }
    let mut c = Cursor::new();
    let b = c.read(&j, 2).unwrap();
    assert_eq!((texts(&b), b.done), (vec!["0".into(), "1".into()], false));
    let mut rest = Vec::new();
    c.read_all(&j, 2, |b| rest.extend(texts(&b))).unwrap();
    assert_eq!(rest, ["2", "3", "4"]);
}

#[test]
fn a_line_appended_in_pieces_is_read_once_complete() {
    let (_dir, j) = journal();
    let whole = line("in pieces");
    let (a, rest) = whole.split_at(10);
    let (b, c_) = rest.split_at(rest.len() - 1);
    let mut c = Cursor::new();
    append(&j, a);
    let first = c.read(&j, usize::MAX).unwrap();
    assert!(first.records.is_empty());
    assert_eq!(first.warnings.len(), 1, "{:?}", first.warnings);
    assert!(first.warnings[0].contains(":1: the last line is incomplete"));
    append(&j, b);
    // The whole record, its newline still to come, reads as a record.
    let second = c.read(&j, usize::MAX).unwrap();
    assert_eq!(texts(&second), ["in pieces"], "read once whole");
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
    append(&j, c_);
    let third = c.read(&j, usize::MAX).unwrap();
    assert!(third.records.is_empty(), "read once: {:?}", texts(&third));
    assert!(third.warnings.is_empty(), "{:?}", third.warnings);
    assert!(!third.reset, "its newline is no rewrite");
}

#[test]
fn a_last_record_without_its_newline_is_read_and_the_next_append_follows_it() {
    let (_dir, j) = journal();
    let mut first = line("by hand");
    first.pop();
    append(&j, &first);
    let mut c = Cursor::new();
    let b = c.read(&j, usize::MAX).unwrap();
    assert_eq!(texts(&b), ["by hand"]);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    // An append starts a line of its own after it.
    j.append(&note("next")).unwrap();
    let b = c.read(&j, usize::MAX).unwrap();
    assert_eq!(texts(&b), ["next"]);
    assert!(!b.reset && b.warnings.is_empty(), "{:?}", b.warnings);
    assert_eq!(j.read().unwrap().records.len(), 2);
}

#[test]
fn a_torn_line_followed_by_an_append_is_passed_over_and_the_append_read() {
    let (_dir, j) = journal();
    j.append(&note("before")).unwrap();
    append(&j, b"{\"at\":\"2026-");
    let mut c = Cursor::new();
    let b = c.read(&j, usize::MAX).unwrap();
    assert_eq!(texts(&b), ["before"]);
    assert_eq!(b.warnings.len(), 1, "{:?}", b.warnings);
    // The next append starts on its own line after the fragment.
    j.append(&note("after")).unwrap();
    let b = c.read(&j, usize::MAX).unwrap();
    assert_eq!(texts(&b), ["after"]);
    assert!(b.warnings.is_empty(), "already reported: {:?}", b.warnings);
    // A fresh reader reads the same records and names the fragment.
    let whole = j.read().unwrap();
    assert_eq!(whole.records.len(), 2);
    assert!(
        whole.warnings[0].contains(":2: skipped"),
        "{:?}",
        whole.warnings
    );
}

#[test]
fn a_file_that_shrank_or_was_replaced_is_read_from_the_start() {
    let (_dir, j) = journal();
    for t in ["one", "two", "three"] {
        j.append(&note(t)).unwrap();
    }
    let mut c = Cursor::new();
    assert_eq!(c.read(&j, usize::MAX).unwrap().records.len(), 3);
    // Truncated and written again, shorter.
    std::fs::write(&j.path, line("fresh")).unwrap();
    let b = c.read(&j, usize::MAX).unwrap();
    assert!(b.reset);
    assert_eq!(texts(&b), ["fresh"]);
    // Replaced by another file (a rename over it), longer than before.
    let other = j.path.with_extension("new");
    let mut text = Vec::new();
    for t in ["a", "b", "c", "d", "e"] {
        text.extend(line(t));
    }
    std::fs::write(&other, &text).unwrap();
    std::fs::rename(&other, &j.path).unwrap();
    let b = c.read(&j, usize::MAX).unwrap();
    assert!(b.reset);
    assert_eq!(texts(&b), ["a", "b", "c", "d", "e"]);
    // Removed: an empty journal.
    std::fs::remove_file(&j.path).unwrap();
    let b = c.read(&j, usize::MAX).unwrap();
    assert!(b.reset && b.records.is_empty());
}

#[test]
fn a_file_rewritten_in_place_with_another_line_break_is_read_again() {
    let (_dir, j) = journal();
    let mut text = line("first");
    text.extend(line("second"));
    std::fs::write(&j.path, &text).unwrap();
    let mut c = Cursor::new();
    assert_eq!(c.read(&j, usize::MAX).unwrap().records.len(), 2);
    // Same inode, longer, and the old end is no longer a line's end.
    let mut f = OpenOptions::new().write(true).open(&j.path).unwrap();
    let mut other = line("a much longer first line than before");
    other.extend(line("x"));
    f.write_all(&other).unwrap();
    drop(f);
    let b = c.read(&j, usize::MAX).unwrap();
    assert!(b.reset, "{:?}", texts(&b));
    assert_eq!(texts(&b), ["a much longer first line than before", "x"]);
}

#[test]
fn action_records_before_the_last_lines_are_passed_over() {
    let (_dir, j) = journal();
    let action = |id: &str| Record {
        entry_id: String::new(),
        at: "2026-11-23T06:00:00Z".into(),
        user: "ann".into(),
        kube_user: None,
        entry: Entry::Action {
            id: id.into(),
            step: crate::journal::Step::Outcome,
            summary: "a \"kind\":\"note\" in a summary".into(),
            request: Some(serde_json::json!({"kind": "Deployment"})),
            ok: Some(true),
            detail: None,
        },
    };
    for i in 0..4 {
        j.append(&action(&format!("old{i}"))).unwrap();
        j.append(&note(&format!("note{i}"))).unwrap();
    }
    j.append(&action("new")).unwrap();
    let mut c = Cursor::new();
    c.skim_before_last(&j, 2).unwrap();
    let mut ids = Vec::new();
    c.read_all(&j, usize::MAX, |b| {
        for (_, r) in b.records {
            ids.push(match r.entry {
                Entry::Action { id, .. } => id,
                Entry::Note { text, .. } => text,
                _ => String::new(),
            });
        }
    })
    .unwrap();
    // Before the last two lines, actions and notes on the whole fold into
    // nothing the screen shows.
    assert_eq!(ids, ["note3", "new"]);
    // A note whose text reads like an action is a note.
    let mut c = Cursor::new();
    j.append(&note("\"kind\":\"action\"")).unwrap();
    j.append(&action("newer")).unwrap();
    c.skim_before_last(&j, 1).unwrap();
    let mut seen = 0;
    c.read_all(&j, usize::MAX, |b| seen += b.records.len())
        .unwrap();
    assert_eq!(seen, 1, "only the last line is read");
}
