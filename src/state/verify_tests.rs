use super::*;
use crate::journal::Record;
use crate::prom::signal::{Reading, SignalState};
use crate::state::checklist::Regression;
use crate::state::signals::SignalMsg;
use crate::state::tests::state;
use crate::state::{Msg, Pane, update};

const ITEM: &str = "post-deployment/error-rate-below-1";
const NOW: i64 = 1_795_400_000;

/// The example runbook's dashboard, its (empty) journal read.
fn started(journal: Vec<Record>) -> AppState {
    let mut s = state();
    s.now = NOW;
    update(&mut s, Msg::Journal(journal));
    s.effects.clear();
    s
}

/// The entries the state asked to journal, in order.
fn journaled(s: &mut AppState) -> Vec<Entry> {
    s.effects
        .drain(..)
        .filter_map(|e| match e {
            Effect::Act(actions::Request::Record(entry)) => Some(entry),
            _ => None,
        })
        .collect()
}

/// The error rate as Prometheus answered.
fn error_rate(s: &mut AppState, value: Option<f64>, state: SignalState) {
    s.now += 10;
    let reading = Reading {
        value,
        series: 1,
        worst_labels: String::new(),
        state,
        by_pod: Vec::new(),
    };
    let name = "error-rate".to_string();
    let at = s.now;
    update(s, Msg::Signal(0, SignalMsg::Reading { name, at, reading }));
}

fn record(user: &str, at: &str, entry: Entry) -> Record {
    Record {
        entry_id: String::new(),
        at: at.into(),
        user: user.into(),
        kube_user: None,
        entry,
    }
}

fn verifies(entries: &[Entry]) -> Vec<&Entry> {
    entries
        .iter()
        .filter(|e| matches!(e, Entry::Verify { .. } | Entry::Regress { .. }))
        .collect()
}

#[test]
fn an_item_is_verified_once_when_its_check_passes_and_not_again_after_a_restart() {
    let mut s = started(Vec::new());
    error_rate(&mut s, Some(0.001), SignalState::Ok);
    let entries = journaled(&mut s);
    let verify = Entry::Verify {
        item: ITEM.into(),
        text: "Error rate below 1%".into(),
        run: None,
        evidence: vec![Evidence {
            kind: "signal".into(),
            name: "error-rate".into(),
            status: "ok".into(),
            value: "0.1%".into(),
            detail: None,
            conditions: Vec::new(),
        }],
    };
    assert_eq!(verifies(&entries), [&verify], "{entries:?}");
    // Passing again before the entry is read back: nothing new.
    error_rate(&mut s, Some(0.002), SignalState::Ok);
    assert!(verifies(&journaled(&mut s)).is_empty());

    // Read back: the item is done, verified by its check, and counts.
    let journal = vec![record("ann", "2026-11-23T06:00:00Z", verify.clone())];
    update(&mut s, Msg::JournalMore(journal.clone()));
    assert!(matches!(
        s.items.get(ITEM),
        Some(ItemState::Done {
            verified: true,
            regressed: None,
            reason: None,
            stale: false,
            ..
        })
    ));
    assert_eq!(
        s.timeline[0].text,
        "verified by its check: Error rate below 1% (signal error-rate)"
    );
    assert_eq!(s.timeline[0].ok, Some(true));

    // A restart (or a second dashboard) that has read the journal and
    // sees the check pass writes nothing, long after the first wrote it.
    let mut again = started(journal);
    again.now += 3_600;
    error_rate(&mut again, Some(0.001), SignalState::Ok);
    assert!(verifies(&journaled(&mut again)).is_empty());
}

#[test]
fn a_done_item_regresses_once_with_when_and_why_and_is_verified_again_when_it_passes() {
    let verified = record(
        "ann",
        "2026-11-23T06:00:00Z",
        Entry::Verify {
            item: ITEM.into(),
            text: "Error rate below 1%".into(),
            run: None,
            evidence: Vec::new(),
        },
    );
    let mut s = started(vec![verified.clone()]);
    error_rate(&mut s, Some(0.02), SignalState::Fail);
    let entries = journaled(&mut s);
    let [Entry::Regress { item, evidence, .. }] = verifies(&entries)[..] else {
        panic!("one regression: {entries:?}");
    };
    assert_eq!(item, ITEM);
    assert_eq!(
        crate::journal::regress_why(evidence),
        "signal error-rate: 2% (fail when > 1%)"
    );
    error_rate(&mut s, Some(0.03), SignalState::Fail);
    assert!(verifies(&journaled(&mut s)).is_empty(), "once");

    let regressed = record("bob", "2026-11-23T06:10:00Z", verifies(&entries)[0].clone());
    let journal = vec![verified.clone(), regressed.clone()];
    update(&mut s, Msg::Journal(journal.clone()));
    assert_eq!(
        s.items.get(ITEM),
        Some(&ItemState::Done {
            by: "ann".into(),
            at: "2026-11-23T06:00:00Z".into(),
            reason: None,
            stale: false,
            verified: true,
            regressed: Some(Regression {
                at: "2026-11-23T06:10:00Z".into(),
                why: "signal error-rate: 2% (fail when > 1%)".into(),
            }),
        }),
        "still done, shown regressed"
    );
    assert_eq!(
        (s.timeline[0].text.as_str(), s.timeline[0].ok),
        (
            "regressed: Error rate below 1% — signal error-rate: 2% (fail when > 1%)",
            Some(false)
        )
    );

    // A restart with the regression journaled, the check still failing:
    // nothing new. Once it passes: verified again, journaled once.
    let mut again = started(journal.clone());
    error_rate(&mut again, Some(0.02), SignalState::Fail);
    assert!(verifies(&journaled(&mut again)).is_empty());
    error_rate(&mut again, Some(0.001), SignalState::Ok);
    let entries = journaled(&mut again);
    assert!(
        matches!(verifies(&entries)[..], [Entry::Verify { item, .. }] if item == ITEM),
        "{entries:?}"
    );
    let mut journal = journal;
    journal.push(record(
        "bob",
        "2026-11-23T06:20:00Z",
        verifies(&entries)[0].clone(),
    ));
    update(&mut again, Msg::Journal(journal));
    assert!(matches!(
        again.items.get(ITEM),
        Some(ItemState::Done {
            verified: true,
            regressed: None,
            ..
        })
    ));
}

#[test]
fn a_ticked_item_regresses_but_an_override_untick_or_skip_stands() {
    let tick = |reason: Option<&str>| Entry::Tick {
        item: ITEM.into(),
        text: "Error rate below 1%".into(),
        run: None,
        evidence: Vec::new(),
        reason: reason.map(String::from),
    };
    // Ticked by a person while the check passed: it regresses.
    let mut s = started(vec![record("ann", "2026-11-23T06:00:00Z", tick(None))]);
    error_rate(&mut s, Some(0.02), SignalState::Fail);
    assert!(matches!(
        verifies(&journaled(&mut s))[..],
        [Entry::Regress { .. }]
    ));
    // A person's later word stands against the check.
    let untick = Entry::Untick {
        item: ITEM.into(),
        run: None,
    };
    let skip = Entry::Skip {
        item: ITEM.into(),
        text: "Error rate below 1%".into(),
        run: None,
        reason: "no traffic yet".into(),
    };
    for (entry, value, status) in [
        (tick(Some("known noisy")), Some(0.02), SignalState::Fail),
        (untick, Some(0.001), SignalState::Ok),
        (skip.clone(), Some(0.001), SignalState::Ok),
        (skip, Some(0.02), SignalState::Fail),
    ] {
        let mut s = started(vec![record("ann", "2026-11-23T06:00:00Z", entry.clone())]);
        error_rate(&mut s, value, status);
        assert!(verifies(&journaled(&mut s)).is_empty(), "{entry:?}");
    }
    // No data, or a check not yet read, neither verifies nor regresses.
    let mut s = started(Vec::new());
    error_rate(&mut s, None, SignalState::NoData);
    assert!(journaled(&mut s).is_empty());
}

#[test]
fn nothing_is_journaled_on_its_own_between_a_switch_and_reading_the_new_journal() {
    let mut s = started(Vec::new());
    s.auto.ready = false;
    error_rate(&mut s, Some(0.001), SignalState::Ok);
    assert!(journaled(&mut s).is_empty());
    // The first batch of a long journal is not the whole of it.
    update(&mut s, Msg::Journal(Vec::new()));
    error_rate(&mut s, Some(0.001), SignalState::Ok);
    assert!(journaled(&mut s).is_empty());
    update(&mut s, Msg::JournalRead);
    assert!(!verifies(&journaled(&mut s)).is_empty());
}

#[test]
fn a_restart_journals_neither_no_data_nor_the_first_state_of_an_unchanged_check() {
    let ok = record(
        "ann",
        "2026-11-23T06:00:00Z",
        Entry::Check {
            check: "signal:error-rate".into(),
            status: "ok".into(),
            text: "signal error-rate: ok".into(),
        },
    );
    let verified = record(
        "ann",
        "2026-11-23T06:00:00Z",
        Entry::Verify {
            item: ITEM.into(),
            text: "Error rate below 1%".into(),
            run: None,
            evidence: Vec::new(),
        },
    );
    let mut s = started(vec![ok, verified]);
    // Before its first answer a signal has no data: not news.
    error_rate(&mut s, None, SignalState::NoData);
    error_rate(&mut s, Some(0.001), SignalState::Ok);
    assert!(journaled(&mut s).is_empty(), "{:?}", s.effects);
    // Once known, losing it is a change.
    error_rate(&mut s, None, SignalState::NoData);
    assert_eq!(
        journaled(&mut s),
        [Entry::Check {
            check: "signal:error-rate".into(),
            status: "unknown".into(),
            text: "signal error-rate: no data".into(),
        }]
    );
    // With nothing journaled for it, a first known state is news.
    let mut fresh = started(Vec::new());
    error_rate(&mut fresh, None, SignalState::NoData);
    assert!(journaled(&mut fresh).is_empty());
    error_rate(&mut fresh, Some(0.02), SignalState::Fail);
    assert!(journaled(&mut fresh).iter().any(
        |e| matches!(e, Entry::Check { check, status, .. } if check == "signal:error-rate" && status == "fail")
    ));
}

#[test]
fn space_on_a_verified_item_ticks_it_as_a_person_and_on_a_regressed_one_unticks_it() {
    use crate::state::tests::char;
    let verified = record(
        "ann",
        "2026-11-23T06:00:00Z",
        Entry::Verify {
            item: ITEM.into(),
            text: "Error rate below 1%".into(),
            run: None,
            evidence: Vec::new(),
        },
    );
    let select = |s: &mut AppState| {
        char(s, '4');
        let row = s
            .checklist
            .iter()
            .position(|r| matches!(r, ChecklistRow::Item { id, .. } if id == ITEM))
            .unwrap();
        s.selected[crate::state::Pane::Checklist.index()] = row;
    };
    let mut s = started(vec![verified.clone()]);
    error_rate(&mut s, Some(0.001), SignalState::Ok);
    s.effects.clear();
    select(&mut s);
    char(&mut s, ' ');
    assert!(
        matches!(&journaled(&mut s)[..], [Entry::Tick { item, reason: None, evidence, .. }]
            if item == ITEM && evidence.len() == 1),
        "a person confirms what the check verified"
    );
    let regressed = record(
        "ann",
        "2026-11-23T06:10:00Z",
        Entry::Regress {
            item: ITEM.into(),
            text: "Error rate below 1%".into(),
            run: None,
            evidence: Vec::new(),
        },
    );
    let mut s = started(vec![verified, regressed]);
    select(&mut s);
    char(&mut s, ' ');
    assert!(
        matches!(&journaled(&mut s)[..], [Entry::Untick { item, .. }] if item == ITEM),
        "a regressed item is no longer done once someone says so"
    );
}

#[test]
fn a_query_prometheus_refuses_is_journaled_as_the_first_state_with_its_error() {
    let mut s = started(Vec::new());
    error_rate(
        &mut s,
        None,
        SignalState::Error("Prometheus rejected the query: \x1b[31mparse error".into()),
    );
    assert_eq!(
        journaled(&mut s),
        [Entry::Check {
            check: "signal:error-rate".into(),
            status: "unknown".into(),
            text: "signal error-rate: error (Prometheus rejected the query: \\x1b[31mparse error)"
                .into(),
        }]
    );
    // Once journaled, the same state is not written again.
    error_rate(
        &mut s,
        None,
        SignalState::Error("Prometheus rejected the query: parse error".into()),
    );
    assert!(journaled(&mut s).is_empty());
}

#[test]
fn the_walkthrough_stays_on_an_item_that_regresses() {
    let verified = record(
        "ann",
        "2026-11-23T06:00:00Z",
        Entry::Verify {
            item: ITEM.into(),
            text: "Error rate below 1%".into(),
            run: None,
            evidence: Vec::new(),
        },
    );
    let mut s = started(vec![verified.clone()]);
    let row = s
        .checklist
        .iter()
        .position(|r| matches!(r, ChecklistRow::Item { id, .. } if id == ITEM))
        .expect("the item's row");
    s.screen = crate::state::screen::Screen::Walkthrough { scroll: 0 };
    s.focus = Pane::Checklist;
    s.selected[Pane::Checklist.index()] = row;
    let regressed = record(
        "bob",
        "2026-11-23T06:10:00Z",
        Entry::Regress {
            item: ITEM.into(),
            text: "Error rate below 1%".into(),
            run: None,
            evidence: Vec::new(),
        },
    );
    update(&mut s, Msg::Journal(vec![verified, regressed]));
    assert!(
        matches!(
            s.items.get(ITEM),
            Some(ItemState::Done {
                regressed: Some(_),
                ..
            })
        ),
        "{:?}",
        s.items.get(ITEM)
    );
    assert_eq!(s.selected[Pane::Checklist.index()], row, "not moved on");
}

/// A dashboard on a runbook whose item checks that the alerting rules
/// are loaded.
fn with_rules_item() -> AppState {
    let text = r#"
[service]
name = "api"

[env.prod]
prometheus = "http://127.0.0.1:9"

[[phase]]
name = "Go-live"
items = [{ text = "Alerting rules loaded", check = "alerts:configured=HighErrorRate,HighLatency" }]
"#;
    let rb = crate::runbook::Runbook::parse(std::path::Path::new("x.toml"), text).unwrap();
    let target = crate::runbook::select::select(Some(&rb), &Default::default()).unwrap();
    let mut s = AppState::new(
        target,
        Some(rb),
        crate::config::theme::Theme::builtin("default"),
        crate::config::keymap::Keymap::load("default", None).0,
    );
    s.now = NOW;
    update(&mut s, Msg::Journal(Vec::new()));
    s.effects.clear();
    s
}

fn rules(s: &mut AppState, result: Result<Vec<&str>, &str>) {
    s.now += 15;
    let at = s.now;
    let result = result
        .map(|r| r.into_iter().map(String::from).collect())
        .map_err(String::from);
    update(s, Msg::Signal(0, SignalMsg::AlertRules { at, result }));
}

#[test]
fn an_alerts_configured_item_is_verified_when_the_rules_are_loaded() {
    let mut s = with_rules_item();
    rules(&mut s, Ok(vec!["HighErrorRate"]));
    assert!(
        verifies(&journaled(&mut s)).is_empty(),
        "one of the two rules is not loaded"
    );
    rules(&mut s, Err("cannot connect to 127.0.0.1:9"));
    assert!(
        verifies(&journaled(&mut s)).is_empty(),
        "unknown is no pass"
    );
    rules(&mut s, Ok(vec!["HighLatency", "HighErrorRate", "Other"]));
    let entries = journaled(&mut s);
    let [Entry::Verify { evidence, .. }] = verifies(&entries)[..] else {
        panic!("{entries:?}");
    };
    assert_eq!(
        (evidence[0].name.as_str(), evidence[0].value.as_str()),
        (
            "alerts:configured=HighErrorRate,HighLatency",
            "2 of 2 loaded"
        )
    );
    // Rules read long ago are stale: not a pass any more.
    s.now += 3600;
    let sources = s.sources();
    assert!(
        sources
            .alert_rules
            .as_ref()
            .is_err_and(|e| e.starts_with("stale: the rules were last read")),
        "{:?}",
        sources.alert_rules
    );
}
