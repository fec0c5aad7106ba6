//! The view folds records as they arrive to what folding the whole
//! journal gives, and keeps only the newest Timeline rows.

use super::*;
use crate::journal::{Evidence, Step};
use crate::state::timeline;

fn rec(at: &str, entry: Entry) -> Record {
    Record {
        entry_id: String::new(),
        at: at.into(),
        user: "ann".into(),
        kube_user: None,
        entry,
    }
}

fn item(id: &str, text: &str, period: Option<u64>) -> ChecklistRow {
    ChecklistRow::Item {
        id: id.into(),
        phase: id.split_once('/').map_or("", |(p, _)| p).into(),
        text: text.into(),
        check: None,
        period,
        guide: None,
    }
}

fn tick(item: &str, text: &str, run: Option<&str>, reason: Option<&str>) -> Entry {
    Entry::Tick {
        item: item.into(),
        text: text.into(),
        run: run.map(String::from),
        evidence: vec![Evidence {
            kind: "probe".into(),
            name: "health".into(),
            status: "ok".into(),
            value: "200".into(),
            detail: None,
            conditions: Vec::new(),
        }],
        reason: reason.map(String::from),
    }
}

/// A journal with every kind of record: ticks of a renamed item (an
/// orphan), overrides, skips, unticks, recurring runs, notes (one
/// backdated), stars, milestones, checks and actions in several steps.
fn journal() -> Vec<Record> {
    let mut records = Vec::new();
    for day in 1..=3 {
        let at = format!("2026-11-2{day}T06:00:00Z");
        let run = format!("2026-11-2{day}");
        records.push(rec(&at, tick("daily/logs", "Logs clean", Some(&run), None)));
    }
    let t = |m: u32| format!("2026-11-23T07:{m:02}:00Z");
    records.extend([
        rec(
            &t(1),
            tick("go/old-wording", "Smoke test the checkout", None, None),
        ),
        rec(&t(2), tick("go/db", "DB migrated", None, Some("known lag"))),
        rec(
            &t(3),
            Entry::Skip {
                item: "go/docs".into(),
                text: "Docs".into(),
                run: None,
                reason: "no change".into(),
            },
        ),
        rec(&t(4), tick("go/cache", "Cache warm (old text)", None, None)),
        rec(&t(5), tick("go/flags", "Flags on", None, None)),
        rec(
            &t(6),
            Entry::Untick {
                item: "go/flags".into(),
                run: None,
            },
        ),
        rec(
            &t(7),
            Entry::Note {
                text: "later".into(),
                item: Some("go/db".into()),
                happened_at: None,
                starred: true,
            },
        ),
        rec(
            &t(8),
            Entry::Note {
                text: "earlier, backdated".into(),
                item: Some("go/db".into()),
                happened_at: Some(t(0)),
                starred: false,
            },
        ),
        rec(
            &t(9),
            Entry::Milestone {
                milestone: Milestone::Detected,
                happened_at: Some(t(0)),
            },
        ),
        rec(
            &t(10),
            Entry::Milestone {
                milestone: Milestone::Mitigated,
                happened_at: None,
            },
        ),
        rec(
            &t(11),
            Entry::Check {
                check: "probe:health".into(),
                status: "fail".into(),
                text: "probe health: failing".into(),
            },
        ),
    ]);
    for (m, step) in [
        (12, Step::Preview),
        (13, Step::Confirmed),
        (14, Step::Outcome),
    ] {
        records.push(rec(
            &t(m),
            Entry::Action {
                id: "a1".into(),
                step,
                summary: "scale api".into(),
                request: None,
                ok: Some(true),
                detail: None,
            },
        ));
    }
    records.push(rec(
        &t(15),
        Entry::Star {
            key: records[4].key(),
            on: true,
        },
    ));
    records.push(rec(
        &t(16),
        Entry::Check {
            check: "probe:health".into(),
            status: "ok".into(),
            text: "probe health: ok".into(),
        },
    ));
    records
}

fn rows() -> Vec<ChecklistRow> {
    vec![
        item("daily/logs", "Logs clean", Some(86_400)),
        item("go/smoke-test", "Smoke test the checkout flow", None),
        item("go/db", "DB migrated", None),
        item("go/docs", "Docs", None),
        item("go/cache", "Cache warm", None),
        item("go/flags", "Flags on", None),
    ]
}

const NOW: i64 = 1_764_000_000;

#[test]
fn folding_as_records_arrive_gives_what_folding_the_whole_journal_gives() {
    let records = journal();
    let now = "2026-11-23T12:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    // Arriving one at a time, and in two batches, through the state.
    let mut view = JournalView::default();
    for r in &records {
        view.add(r);
    }
    let items = view.items(&rows(), now);
    assert_eq!(items, crate::state::fold::fold(&records, &rows(), now));
    assert!(
        matches!(
            items.get("go/smoke-test"),
            Some(ItemState::Done { stale: true, .. })
        ),
        "the orphan is adopted, stale: {items:?}"
    );
    assert!(matches!(
        items.get("go/cache"),
        Some(ItemState::Done { stale: true, .. })
    ));
    assert!(matches!(
        items.get("go/db"),
        Some(ItemState::Done {
            reason: Some(_),
            stale: false,
            ..
        })
    ));
    assert!(matches!(
        items.get("go/docs"),
        Some(ItemState::Skipped { .. })
    ));
    assert_eq!(items.get("go/flags"), Some(&ItemState::Open));
    assert!(
        matches!(items.get("daily/logs"), Some(ItemState::Done { at, .. }) if at.starts_with("2026-11-23"))
    );
    assert_eq!(view.notes(), &checklist::notes(&records));
    assert_eq!(view.notes()["go/db"][0].text, "earlier, backdated");
    assert_eq!(view.timeline(), timeline::rows(&records));
    assert_eq!(
        view.check_statuses()
            .get("probe:health")
            .map(String::as_str),
        Some("ok")
    );
    let detected = "2026-11-23T07:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    assert_eq!(view.incident(NOW), Some((detected, Milestone::Mitigated)));

    let mut split = crate::state::tests::state();
    split.checklist = rows();
    split.now = now;
    split.journal_read(records[..7].to_vec(), true);
    split.journal_read(records[7..].to_vec(), false);
    let mut whole = crate::state::tests::state();
    whole.checklist = rows();
    whole.now = now;
    whole.journal_read(records.clone(), true);
    assert_eq!(split.items, whole.items);
    assert_eq!(split.timeline, whole.timeline);
    assert_eq!(split.item_notes, whole.item_notes);
    assert_eq!(split.check_statuses, whole.check_statuses);
    assert_eq!(split.incident(), whole.incident());
    // A reset drops what was folded before.
    split.journal_read(records[..1].to_vec(), true);
    assert_eq!(split.timeline.len(), 1);
    assert!(split.item_notes.is_empty());
}

#[test]
fn the_timeline_keeps_the_newest_rows_and_an_action_once() {
    let mut records = Vec::new();
    for i in 0..50 {
        records.push(rec(
            &format!("2026-11-23T06:{:02}:{:02}Z", i / 60, i % 60),
            Entry::Action {
                id: format!("a{}", i / 2),
                step: if i % 2 == 0 {
                    Step::Preview
                } else {
                    Step::Outcome
                },
                summary: format!("action {}", i / 2),
                request: None,
                ok: Some(true),
                detail: None,
            },
        ));
    }
    let mut view = JournalView::new(10);
    for r in &records {
        view.add(r);
    }
    let all = timeline::rows(&records);
    assert_eq!(all.len(), 25, "one row per action");
    assert_eq!(view.timeline(), all[..10].to_vec(), "the newest ten");
    // An action whose first step left the window still shows once.
    let mut view = JournalView::new(3);
    for r in &records[..47] {
        view.add(r);
    }
    view.add(&records[47]);
    view.add(&records[48]);
    let texts: Vec<_> = view.timeline().into_iter().map(|r| r.text).collect();
    assert_eq!(
        texts,
        [
            "action 24 (previewed, not confirmed)",
            "action 23",
            "action 22"
        ]
    );
}

#[test]
fn runs_of_recurring_phases_that_ended_are_forgotten() {
    let records = journal();
    let mut view = JournalView::default();
    for r in &records {
        view.add(r);
    }
    let day = |d: &str| {
        format!("2026-11-{d}T12:00:00Z")
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second()
    };
    view.prune(&rows(), day("23"));
    assert_eq!(
        view.items(&rows(), day("23")),
        crate::state::fold::fold(&records, &rows(), day("23"))
    );
    assert!(matches!(
        view.items(&rows(), day("23")).get("daily/logs"),
        Some(ItemState::Done { .. })
    ));
    assert_eq!(
        view.items(&rows(), day("24")).get("daily/logs"),
        None,
        "a fresh run"
    );
    assert_eq!(
        view.checklist.run_count(),
        6,
        "the two earlier runs are gone"
    );
}

/// A journal of `n` records of every kind that folds, in a pseudo-random
/// order of items, runs, checks, events and milestones (times rising).
/// Its last tenth names one item, check and event subject only, and has
/// no milestones: what the others were is decided before it.
fn generated(n: u64, seed: u64) -> Vec<Record> {
    use crate::journal::EventKind;
    let mut x = seed;
    let mut next = move |m: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % m
    };
    let items = ["go/a", "go/b", "go/c", "go/old", "daily/logs", "daily/gone"];
    let mut out = Vec::new();
    for i in 0..n {
        let at = jiff::Timestamp::from_second(1_795_000_000 + i as i64 * 37)
            .map(|t| t.to_string())
            .unwrap_or_default();
        let late = i >= n - n / 10;
        let item = if late {
            "go/a"
        } else {
            items[next(items.len() as u64) as usize]
        };
        let one = |k: u64| if late { 0 } else { k };
        let run = item
            .starts_with("daily/")
            .then(|| format!("2026-11-{:02}", 10 + next(3)));
        let entry = match next(12) {
            0 | 1 => tick(item, &format!("T{}", next(2)), run.as_deref(), None),
            2 => Entry::Verify {
                item: item.into(),
                text: "T0".into(),
                run,
                evidence: Vec::new(),
            },
            3 => Entry::Untick {
                item: item.into(),
                run,
            },
            4 => Entry::Skip {
                item: item.into(),
                text: "T0".into(),
                run,
                reason: format!("r{}", next(5)),
            },
            5 => Entry::Regress {
                item: item.into(),
                text: "T0".into(),
                run,
                evidence: Vec::new(),
            },
            6 => Entry::Check {
                check: format!("probe:p{}", one(next(4))),
                status: ["ok", "fail", "warn"][next(3) as usize].into(),
                text: format!("c{i}"),
            },
            7 => Entry::Event {
                event: [EventKind::Alert, EventKind::Rollout, EventKind::CrashLoop]
                    [next(3) as usize],
                subject: format!("s{}", one(next(3))),
                status: ["fail", "ok"][next(2) as usize].into(),
                text: format!("e{i}"),
            },
            8 if !late => Entry::Milestone {
                milestone: Milestone::ALL[next(4) as usize],
                happened_at: None,
            },
            9 => Entry::Note {
                text: format!("n{i}"),
                item: (next(2) == 0).then(|| item.to_string()),
                happened_at: None,
                starred: false,
            },
            10 => Entry::Star {
                key: format!("k{}", next(50)),
                on: next(2) == 0,
            },
            _ => Entry::Action {
                id: format!("a{}", i / 4),
                step: Step::Preview,
                summary: "scale".into(),
                request: None,
                ok: None,
                detail: None,
            },
        };
        out.push(rec(&at, entry));
    }
    out
}

#[test]
fn a_skimmed_first_read_folds_to_what_reading_every_line_gives() {
    let rows = vec![
        item("go/a", "T0", None),
        item("go/b", "T1", None),
        item("go/c", "T0", None),
        item("daily/logs", "T0", Some(86_400)),
    ];
    let now = jiff::Timestamp::from_second(1_795_000_000 + 5_000 * 37)
        .map(|t| t.as_second())
        .unwrap_or(0);
    for seed in 1..=12 {
        let dir = tempfile::tempdir().unwrap();
        let journal = crate::journal::Journal::for_env(dir.path(), "shop", "prod");
        // As ops-tui writes them, and for odd seeds every third line with
        // the keys in sorted order, as an earlier version wrote them.
        let sorted = seed % 2 == 1;
        let mut text = Vec::new();
        for (i, r) in generated(5_000, seed).iter().enumerate() {
            let line = if sorted && i % 3 == 0 {
                serde_json::to_vec(&serde_json::to_value(r).unwrap()).unwrap()
            } else {
                serde_json::to_vec(r).unwrap()
            };
            text.extend(line);
            text.push(b'\n');
        }
        std::fs::create_dir_all(journal.path.parent().unwrap()).unwrap();
        std::fs::write(&journal.path, text).unwrap();
        let fold = |keep: Option<usize>| {
            let mut c = crate::journal::Cursor::new();
            if let Some(keep) = keep {
                c.skim_before_last(&journal, keep).unwrap();
            }
            let old = c.skimmed_until();
            let mut view = JournalView::new(40);
            c.read_all(&journal, 700, |b| {
                assert!(b.warnings.is_empty(), "{:?}", b.warnings);
                for (at, r) in &b.records {
                    if *at < old {
                        view.add_old(r);
                    } else {
                        view.add(r);
                    }
                }
            })
            .unwrap();
            view
        };
        let (whole, skimmed) = (fold(None), fold(Some(400)));
        assert_eq!(
            skimmed.items(&rows, now),
            whole.items(&rows, now),
            "seed {seed}"
        );
        assert_eq!(skimmed.notes(), whole.notes(), "seed {seed}");
        assert_eq!(
            skimmed.check_statuses(),
            whole.check_statuses(),
            "seed {seed}"
        );
        assert_eq!(
            skimmed.event_statuses(),
            whole.event_statuses(),
            "seed {seed}"
        );
        assert_eq!(skimmed.incident(now), whole.incident(now), "seed {seed}");
        assert_eq!(skimmed.timeline(), whole.timeline(), "seed {seed}");
        if !sorted {
            assert!(
                skimmed.records < whole.records / 2,
                "most lines passed over: {} of {}",
                skimmed.records,
                whole.records
            );
        }
    }
}

#[test]
fn the_union_of_two_journals_folds_the_same_whatever_order_they_arrive_in() {
    let rows = [item("p/smoke", "Smoke tests pass", None)];
    // Ann ticked, Bob unticked a minute later, Ann ticked again after.
    let ann = rec(
        "2026-12-03T10:00:00Z",
        tick("p/smoke", "Smoke tests pass", None, None),
    );
    let mut bob = rec(
        "2026-12-03T10:01:00.5Z",
        Entry::Untick {
            item: "p/smoke".into(),
            run: None,
        },
    );
    bob.user = "bob".into();
    let ann_again = rec(
        "2026-12-03T10:02:00Z",
        tick("p/smoke", "Smoke tests pass", None, None),
    );
    let orders = [
        [&ann, &bob, &ann_again],
        [&bob, &ann, &ann_again],
        [&ann_again, &bob, &ann],
        [&bob, &ann_again, &ann],
    ];
    for order in orders {
        let mut view = JournalView::default();
        for r in order {
            view.add(r);
        }
        let states = view.items(&rows, 0);
        assert!(
            matches!(&states["p/smoke"], ItemState::Done { at, .. } if at == "2026-12-03T10:02:00Z"),
            "{order:?}: {states:?}"
        );
    }
    // Without Ann's second tick, Bob's untick is the last word, even when
    // Ann's earlier tick arrives after it.
    for order in [[&ann, &bob], [&bob, &ann]] {
        let mut view = JournalView::default();
        for r in order {
            view.add(r);
        }
        assert!(
            matches!(view.items(&rows, 0)["p/smoke"], ItemState::Open),
            "{order:?}"
        );
    }
}

#[test]
fn two_words_written_at_the_same_instant_fold_alike_in_either_order() {
    let rows = [item("p/smoke", "Smoke tests pass", None)];
    let mut tick = rec(
        "2026-12-03T10:00:00Z",
        tick("p/smoke", "Smoke tests pass", None, None),
    );
    tick.entry_id = "b".into();
    let mut untick = rec(
        "2026-12-03T10:00:00Z",
        Entry::Untick {
            item: "p/smoke".into(),
            run: None,
        },
    );
    untick.entry_id = "a".into();
    for order in [[&tick, &untick], [&untick, &tick]] {
        let mut view = JournalView::default();
        for r in order {
            view.add(r);
        }
        // The greater id ("b", the tick) is the last word.
        assert!(
            matches!(view.items(&rows, 0)["p/smoke"], ItemState::Done { .. }),
            "{order:?}"
        );
    }
}
