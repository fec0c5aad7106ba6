//! The journal: every record among junk lines (torn, not JSON, not UTF-8)
//! is read back in order, every other line is a warning, and an append
//! after whatever the file ends with reads back last.

use super::*;

use ops_tui::journal::{Entry, Evidence, Journal, Milestone, Record, Step};
use proptest::sample::{Index, select};
/// One line of a journal file.
#[derive(Debug, Clone)]
enum JournalLine {
    /// A record as `append` writes it, with text around it (white space
    /// that JSON allows: spaces, tabs, a carriage return).
    Record(Record, &'static str, &'static str),
    /// Bytes without a newline: garbage, invalid UTF-8.
    Junk(Vec<u8>),
    /// A record cut short.
    Torn(Record, Index),
    /// A very long line of one byte.
    Long(u8, usize),
}

fn text_field() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => ".{0,24}",
        1 => Just(String::new()),
        1 => (1usize..5_000).prop_map(|n| "é".repeat(n)),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    let entry = prop_oneof![
        (
            text_field(),
            text_field(),
            prop::option::of(text_field()),
            prop::option::of(text_field()),
            prop::collection::vec((text_field(), text_field()), 0..2)
        )
            .prop_map(|(item, text, run, reason, ev)| Entry::Tick {
                item,
                text,
                run,
                evidence: ev
                    .into_iter()
                    .map(|(name, value)| Evidence {
                        kind: "probe".into(),
                        name,
                        status: "ok".into(),
                        value,
                        detail: None,
                        conditions: Vec::new(),
                    })
                    .collect(),
                reason,
            }),
        (text_field(), prop::option::of(text_field()))
            .prop_map(|(item, run)| Entry::Untick { item, run }),
        (text_field(), text_field(), text_field()).prop_map(|(item, text, reason)| Entry::Skip {
            item,
            text,
            run: None,
            reason
        }),
        (text_field(), prop::option::of(text_field()), any::<bool>()).prop_map(
            |(text, item, starred)| Entry::Note {
                text,
                item,
                happened_at: None,
                starred
            }
        ),
        select(Milestone::ALL.to_vec()).prop_map(|milestone| Entry::Milestone {
            milestone,
            happened_at: None
        }),
        (text_field(), any::<bool>()).prop_map(|(key, on)| Entry::Star { key, on }),
        (text_field(), text_field(), text_field()).prop_map(|(check, status, text)| {
            Entry::Check {
                check,
                status,
                text,
            }
        }),
        (
            text_field(),
            select(vec![
                Step::Preview,
                Step::DryRun,
                Step::Confirmed,
                Step::Outcome
            ]),
            text_field(),
            prop::option::of(any::<bool>()),
            prop::option::of(text_field())
        )
            .prop_map(|(id, step, summary, ok, detail)| Entry::Action {
                id,
                step,
                summary: summary.clone(),
                request: Some(serde_json::json!({ "verb": "PATCH", "path": summary, "n": -1 })),
                ok,
                detail,
            }),
    ]
    // On the heap: the union of every kind's value tree is too big for a
    // test thread's stack in a debug build.
    .boxed();
    // `at` is a timestamp, or the line is not a record (see
    // `an_entry_whose_time_is_not_a_timestamp_is_skipped_with_a_warning`).
    let at = (0i64..4_102_444_800, 0i32..1_000_000_000).prop_map(|(s, ns)| {
        jiff::Timestamp::new(s, ns)
            .map(|t| t.to_string())
            .unwrap_or_default()
    });
    (at, text_field(), prop::option::of(text_field()), entry).prop_map(
        |(at, user, kube_user, entry)| Record {
            entry_id: String::new(),
            at,
            user,
            kube_user,
            entry,
        },
    )
}

fn journal_line() -> impl Strategy<Value = JournalLine> {
    prop_oneof![
        4 => (record(), select(vec!["", " ", "\t"]), select(vec!["", " ", "\r", " \t\r"]))
            .prop_map(|(r, before, after)| JournalLine::Record(r, before, after)),
        3 => prop::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..64)
            .prop_map(JournalLine::Junk),
        2 => (record(), any::<Index>()).prop_map(|(r, i)| JournalLine::Torn(r, i)),
        1 => (select(vec![b'x', b'{', b' ', 0xff, b'"']), 1usize..300_000)
            .prop_map(|(b, n)| JournalLine::Long(b, n)),
    ]
}

impl JournalLine {
    fn bytes(&self) -> Vec<u8> {
        match self {
            JournalLine::Record(r, before, after) => {
                let mut out = before.as_bytes().to_vec();
                out.extend(serde_json::to_vec(r).unwrap());
                out.extend(after.as_bytes());
                out
            }
            JournalLine::Junk(b) => b.clone(),
            JournalLine::Torn(r, i) => {
                let full = serde_json::to_vec(r).unwrap();
                full[..i.index(full.len())].to_vec()
            }
            JournalLine::Long(b, n) => vec![*b; *n],
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn journal_reads_every_record_among_junk(
        lines in prop::collection::vec(journal_line(), 0..12),
        trailing_newline in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::for_env(dir.path(), "shop", "prod");
        std::fs::create_dir_all(journal.path.parent().unwrap()).unwrap();
        let encoded: Vec<Vec<u8>> = lines.iter().map(JournalLine::bytes).collect();
        let mut file = encoded.join(&b'\n');
        if trailing_newline && !file.is_empty() {
            file.push(b'\n');
        }
        std::fs::write(&journal.path, &file).unwrap();

        let reader = journal.clone();
        let contents = bounded("Journal::read", move || reader.read())
            .map_err(|e| TestCaseError::fail(format!("read failed: {e}")))?;

        // Each written record comes back, in order (junk that happens to be
        // a record may come back too).
        let mut read = contents.records.iter();
        for line in &lines {
            if let JournalLine::Record(r, _, _) = line {
                prop_assert!(
                    read.any(|got| got == r),
                    "record not read back: {r:?}\nwarnings: {:?}",
                    contents.warnings
                );
            }
        }
        // Every line that is not blank is a record or a warning.
        let non_blank = encoded
            .iter()
            .filter(|b| !String::from_utf8_lossy(b).trim().is_empty())
            .count();
        prop_assert_eq!(
            contents.records.len() + contents.warnings.len(),
            non_blank,
            "warnings: {:?}",
            contents.warnings
        );
        // A record appended after whatever the file ends with reads back
        // last, and the records before it are unchanged.
        let appended = Record { entry_id: String::new(),
            at: "2026-11-23T06:00:00Z".into(),
            user: "fuzz".into(),
            kube_user: None,
            entry: Entry::Note {
                text: "appended".into(),
                item: None,
                happened_at: None,
                starred: false,
            },
        };
        journal.append(&appended).unwrap();
        let after = journal.read().unwrap();
        prop_assert_eq!(after.records.last(), Some(&appended));
        prop_assert_eq!(&after.records[..after.records.len() - 1], &contents.records[..]);
    }
}
