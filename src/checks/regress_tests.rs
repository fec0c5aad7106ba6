use super::*;
use crate::kinds::WorkloadKind;

fn id() -> WorkloadId {
    WorkloadId::new(WorkloadKind::Deployment, "shop", "api")
}

fn rollout(revision: &str, stage: Stage, started: Option<i64>) -> RolloutSeen {
    RolloutSeen {
        id: id(),
        revision: revision.into(),
        stage,
        started,
        completed: None,
    }
}

fn error_rule(worse: Option<f64>, margin: f64, per_revision: bool) -> SignalRule {
    SignalRule {
        name: "errors".into(),
        unit: Some(Unit::Percent),
        warn: Some(Threshold::parse("> 1%").unwrap()),
        fail: Some(Threshold::parse("> 5%").unwrap()),
        worse,
        margin,
        per_revision: per_revision.then(|| "pod".to_string()),
    }
}

fn guard(rule: SignalRule) -> Guard {
    Guard::new(Rules {
        signals: vec![rule],
        ..Rules::default()
    })
}

/// The error signal at `v`, with `history`.
fn errors(v: f64, history: &[(i64, f64)]) -> Seen {
    let rule = error_rule(None, 0.0, false);
    Seen {
        check: "signal:errors".into(),
        status: rule.status_of(v),
        value: Some(v),
        text: rule.show(v),
        history: history.to_vec(),
        by_pod: Vec::new(),
    }
}

fn probe(status: Status) -> Seen {
    Seen {
        check: "probe:health".into(),
        status,
        value: None,
        text: word(status).into(),
        history: Vec::new(),
        by_pod: Vec::new(),
    }
}

fn none(_: &WorkloadId, _: &str) -> Option<bool> {
    None
}

/// api's revision 1, complete long ago, seen at `now`: not followed.
fn settled(g: &mut Guard, checks: &[Seen], now: i64) {
    let c = g.observe(
        &[rollout("1", Stage::Complete, Some(0))],
        checks,
        &none,
        now,
    );
    assert!(c.is_empty(), "{c:?}");
}

/// One look: api at `revision` in `stage`, the checks, at `now`.
fn step(g: &mut Guard, revision: &str, stage: Stage, checks: &[Seen], now: i64) -> Vec<Change> {
    g.observe(&[rollout(revision, stage, None)], checks, &none, now)
}

fn regressed(changes: &[Change]) -> Vec<&Regression> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Regressed { regression, .. } => Some(regression),
            _ => None,
        })
        .collect()
}

#[test]
fn a_check_that_turns_to_fail_during_a_rollout_is_its_regression_until_it_passes_again() {
    let mut g = guard(error_rule(None, 0.0, false));
    // Revision 6 complete long ago: seen, not followed.
    let c = g.observe(
        &[rollout("6", Stage::Complete, Some(0))],
        &[errors(0.001, &[]), probe(Status::Ok)],
        &none,
        10_000,
    );
    assert!(c.is_empty(), "{c:?}");
    // Revision 7 starts.
    let c = g.observe(
        &[rollout("7", Stage::Rolling, Some(10_005))],
        &[errors(0.001, &[]), probe(Status::Ok)],
        &none,
        10_010,
    );
    assert_eq!(
        c,
        vec![Change::Following {
            id: id(),
            revision: "7".into()
        }]
    );
    assert!(!g.regressed(&id()));
    // The probe fails 90 s in.
    let c = g.observe(
        &[rollout("7", Stage::Rolling, None)],
        &[errors(0.001, &[]), probe(Status::Fail)],
        &none,
        10_100,
    );
    let r = regressed(&c);
    assert_eq!(r.len(), 1, "{c:?}");
    assert_eq!(r[0].check, "probe:health");
    assert_eq!(r[0].why, "went from ok to fail");
    assert_eq!(r[0].baseline, "ok");
    assert!(g.regressed(&id()));
    assert_eq!(g.open().count(), 1);
    // Still failing: nothing new.
    let c = g.observe(
        &[rollout("7", Stage::Rolling, None)],
        &[errors(0.001, &[]), probe(Status::Fail)],
        &none,
        10_110,
    );
    assert!(c.is_empty(), "{c:?}");
    // Unknown is not a recovery.
    let c = g.observe(
        &[rollout("7", Stage::Rolling, None)],
        &[errors(0.001, &[]), probe(Status::Unknown)],
        &none,
        10_120,
    );
    assert!(c.is_empty(), "{c:?}");
    let c = g.observe(
        &[rollout("7", Stage::Rolling, None)],
        &[errors(0.001, &[]), probe(Status::Ok)],
        &none,
        10_130,
    );
    assert_eq!(
        c,
        vec![Change::Cleared {
            id: id(),
            revision: "7".into(),
            check: "probe:health".into(),
            value: "ok".into()
        }]
    );
    assert!(!g.regressed(&id()));
}

#[test]
fn the_baseline_is_the_median_of_the_values_before_the_rollout_and_a_factor_over_it_regresses() {
    let mut g = guard(error_rule(Some(3.0), 0.001, false));
    g.observe(
        &[rollout("6", Stage::Complete, Some(0))],
        &[errors(0.002, &[])],
        &none,
        1000,
    );
    // Noisy history before the change: 0.1%..0.4%, one spike of 9%: the
    // median is 0.2%.
    let history: Vec<(i64, f64)> = (0..10)
        .map(|i| (1000 - 300 + i * 30, 0.001 + 0.001 * (i % 4) as f64))
        .chain([(995, 0.09)])
        .collect();
    let c = step(
        &mut g,
        "7",
        Stage::Rolling,
        &[errors(0.002, &history)],
        1000,
    );
    assert_eq!(c.len(), 1, "{c:?}");
    let base = &g.followed[0].baselines["signal:errors"];
    assert_eq!(base.value, Some(0.002), "the median, not the spike");
    assert_eq!(base.status, Status::Ok);
    // Twice the baseline, and within the margin: no regression.
    for (at, v) in [(1030, 0.005), (1060, 0.0034), (1090, 0.0058)] {
        let c = g.observe(
            &[rollout("7", Stage::Rolling, None)],
            &[errors(v, &history)],
            &none,
            at,
        );
        assert!(c.is_empty(), "{v}: {c:?}");
    }
    // 4.5× and above the margin, though still only a warning.
    let c = step(
        &mut g,
        "7",
        Stage::Rolling,
        &[errors(0.009, &history)],
        1120,
    );
    let r = regressed(&c);
    assert_eq!(r.len(), 1, "{c:?}");
    assert_eq!(r[0].why, "4.5× its baseline");
    assert_eq!(r[0].value, "0.9%");
    assert_eq!(r[0].baseline, "0.2%");
}

#[test]
fn the_soak_window_watches_after_completion_then_the_rollout_passes() {
    let mut g = guard(error_rule(None, 0.0, false));
    g.rules.soak.insert("api".into(), 120);
    settled(&mut g, &[probe(Status::Ok)], 5000);
    step(&mut g, "2", Stage::Rolling, &[probe(Status::Ok)], 5010);
    step(&mut g, "2", Stage::Complete, &[probe(Status::Ok)], 5040);
    assert_eq!(g.followed[0].completed, Some(5040));
    // 100 s after completion: still in the soak, a failure counts.
    let c = step(&mut g, "2", Stage::Complete, &[probe(Status::Fail)], 5140);
    assert_eq!(regressed(&c).len(), 1, "{c:?}");
    // The soak ends with a regression open: still followed until it clears.
    let c = step(&mut g, "2", Stage::Complete, &[probe(Status::Fail)], 5200);
    assert!(c.is_empty(), "{c:?}");
    let c = step(&mut g, "2", Stage::Complete, &[probe(Status::Ok)], 5210);
    assert!(matches!(c[0], Change::Cleared { .. }), "{c:?}");
    assert!(matches!(c[1], Change::Passed { .. }), "{c:?}");
    assert!(g.followed.is_empty());
    // After the soak, a failure is nobody's rollout.
    let c = step(&mut g, "2", Stage::Complete, &[probe(Status::Fail)], 5300);
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn a_clean_rollout_passes_its_soak_with_no_regression() {
    let mut g = guard(error_rule(Some(2.0), 0.0, false));
    g.rules.soak_override = Some(60);
    settled(&mut g, &[errors(0.001, &[])], 100);
    step(&mut g, "2", Stage::Rolling, &[errors(0.001, &[])], 110);
    let mut all = Vec::new();
    for t in 0..30 {
        let stage = if t < 10 {
            Stage::Rolling
        } else {
            Stage::Complete
        };
        let v = 0.001 + 0.0004 * ((t % 3) as f64);
        all.extend(g.observe(
            &[rollout("2", stage, None)],
            &[errors(v, &[])],
            &none,
            120 + t * 5,
        ));
    }
    assert_eq!(
        all,
        vec![Change::Passed {
            id: id(),
            revision: "2".into()
        }]
    );
}

#[test]
fn the_new_revisions_pods_are_compared_with_the_old_ones() {
    let mut g = guard(error_rule(None, 0.001, true));
    settled(&mut g, &[errors(0.002, &[])], 100);
    step(&mut g, "2", Stage::Rolling, &[errors(0.002, &[])], 110);
    let is_new = |_: &WorkloadId, pod: &str| -> Option<bool> {
        pod.strip_prefix("api-").map(|rest| rest.starts_with("new"))
    };
    let mut seen = errors(0.004, &[]);
    seen.by_pod = vec![
        ("api-old-1".into(), 0.002),
        ("api-old-2".into(), 0.004),
        ("api-new-1".into(), 0.03),
        ("other-1".into(), 0.5),
    ];
    let c = g.observe(
        &[rollout("2", Stage::Rolling, None)],
        &[seen.clone()],
        &is_new,
        120,
    );
    let r = regressed(&c);
    assert_eq!(r.len(), 1, "{c:?}");
    assert_eq!(
        r[0].why,
        "the new revision's pods are worse: new pods 3% vs old 0.3% (1 new, 2 old)"
    );
    // Equal pods: it clears.
    seen.by_pod[2].1 = 0.003;
    let c = g.observe(&[rollout("2", Stage::Rolling, None)], &[seen], &is_new, 130);
    assert!(matches!(c[..], [Change::Cleared { .. }]), "{c:?}");
}

#[test]
fn a_rollback_is_a_new_rollout_whose_failing_baseline_is_not_its_regression() {
    let mut g = guard(error_rule(None, 0.0, false));
    settled(&mut g, &[errors(0.001, &[])], 100);
    step(&mut g, "2", Stage::Rolling, &[errors(0.001, &[])], 110);
    let c = step(&mut g, "2", Stage::Complete, &[errors(0.2, &[])], 150);
    assert_eq!(regressed(&c).len(), 1);
    // Rolled back: revision 3 (the old template) starts with errors high.
    let c = step(&mut g, "3", Stage::Rolling, &[errors(0.2, &[])], 160);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(g.followed.len(), 2);
    assert_eq!(g.followed[1].previous.as_deref(), Some("2"));
    assert!(g.current(&id()).is_some_and(|f| f.revision == "3"));
    // Errors fall: revision 2's regression clears, and it is done with.
    let c = step(&mut g, "3", Stage::Complete, &[errors(0.001, &[])], 200);
    assert_eq!(
        c,
        vec![Change::Cleared {
            id: id(),
            revision: "2".into(),
            check: "signal:errors".into(),
            value: "0.1%".into()
        }]
    );
    assert_eq!(g.followed.len(), 1);
    assert!(!g.regressed(&id()));
}

#[test]
fn following_from_first_sight_takes_the_baseline_from_before_the_rollout_or_none() {
    let mut g = guard(error_rule(None, 0.0, false));
    let history = [(700, 0.001), (760, 0.001), (820, 0.001)];
    // Rolling since 900, first seen at 1000 with errors failing.
    let c = g.observe(
        &[rollout("7", Stage::Rolling, Some(900))],
        &[errors(0.2, &history), probe(Status::Fail)],
        &none,
        1000,
    );
    let f = &g.followed[0];
    assert_eq!(f.started, 900);
    assert_eq!(f.baselines["signal:errors"].status, Status::Ok);
    assert_eq!(f.baselines["probe:health"].status, Status::Unknown);
    let r = regressed(&c);
    assert_eq!(r.len(), 1, "only the signal has a baseline: {c:?}");
    assert_eq!(r[0].check, "signal:errors");
    let c = step(
        &mut g,
        "7",
        Stage::Rolling,
        &[errors(0.2, &history), probe(Status::Fail)],
        1010,
    );
    assert!(c.is_empty(), "{c:?}");
    // Completed long ago: not followed.
    let mut g = guard(error_rule(None, 0.0, false));
    let c = g.observe(
        &[rollout("7", Stage::Complete, Some(100))],
        &[errors(0.2, &history)],
        &none,
        5000,
    );
    assert!(c.is_empty() && g.followed.is_empty(), "{c:?}");
}

#[test]
fn a_check_unknown_when_following_began_takes_its_first_known_state_within_the_grace() {
    let mut g = guard(error_rule(None, 0.0, false));
    settled(&mut g, &[probe(Status::Unknown)], 100);
    step(&mut g, "2", Stage::Rolling, &[probe(Status::Unknown)], 110);
    step(&mut g, "2", Stage::Rolling, &[probe(Status::Ok)], 120);
    let c = step(&mut g, "2", Stage::Rolling, &[probe(Status::Fail)], 130);
    assert_eq!(regressed(&c).len(), 1, "{c:?}");
    // Past the grace, a first state is not a baseline.
    let mut g = guard(error_rule(None, 0.0, false));
    settled(&mut g, &[probe(Status::Unknown)], 100);
    step(&mut g, "2", Stage::Rolling, &[probe(Status::Unknown)], 110);
    step(&mut g, "2", Stage::Rolling, &[probe(Status::Fail)], 200);
    let c = step(&mut g, "2", Stage::Rolling, &[probe(Status::Fail)], 210);
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn low_values_are_worse_when_the_thresholds_trip_on_low_ones() {
    let rule = SignalRule {
        name: "success".into(),
        unit: Some(Unit::Percent),
        warn: None,
        fail: Some(Threshold::parse("< 90%").unwrap()),
        worse: Some(2.0),
        margin: 0.0,
        per_revision: None,
    };
    assert!(!rule.high_is_bad());
    assert!(rule.worse_than(0.4, 0.99, 2.0));
    assert!(!rule.worse_than(0.6, 0.99, 2.0));
    assert!(!rule.worse_than(2.0, 0.99, 2.0), "higher is better");
    let high = error_rule(Some(2.0), 0.01, false);
    assert!(!high.worse_than(0.005, 0.0, 2.0), "within the margin");
    assert!(
        high.worse_than(0.02, 0.0, 2.0),
        "up from zero past the margin"
    );
    assert!(!high.worse_than(f64::NAN, 0.001, 2.0));
}

#[test]
fn the_number_of_rollouts_followed_is_bounded() {
    let mut g = guard(error_rule(None, 0.0, false));
    let rollouts: Vec<RolloutSeen> = (0..MAX_FOLLOWED + 10)
        .map(|i| RolloutSeen {
            id: WorkloadId::new(WorkloadKind::Deployment, "shop", &format!("w{i}")),
            revision: "1".into(),
            stage: Stage::Rolling,
            started: Some(100),
            completed: None,
        })
        .collect();
    g.observe(&rollouts, &[probe(Status::Ok)], &none, 100);
    assert_eq!(g.followed.len(), MAX_FOLLOWED);
}

#[test]
fn a_rollout_completed_within_its_soak_is_followed_for_the_rest_of_it() {
    let history: Vec<(i64, f64)> = (0..20).map(|i| (i * 60, 0.001)).collect();
    let mut g = guard(error_rule(None, 0.0, false));
    // Made at 900, complete at 1000, first seen at 1100: 500 s of soak left.
    let mut seen = rollout("7", Stage::Complete, Some(900));
    seen.completed = Some(1000);
    g.observe(&[seen.clone()], &[errors(0.001, &history)], &none, 1100);
    let f = &g.followed[0];
    assert_eq!((f.started, f.completed), (900, Some(1000)));
    assert_eq!(f.baselines["signal:errors"].value, Some(0.001));
    let c = g.observe(&[seen.clone()], &[errors(0.001, &history)], &none, 1599);
    assert!(c.is_empty(), "{c:?}");
    let c = g.observe(&[seen], &[errors(0.001, &history)], &none, 1600);
    assert_eq!(
        c,
        vec![Change::Passed {
            id: id(),
            revision: "7".into()
        }]
    );
    // A reused ReplicaSet (a rollback to revision 5's template): made an
    // hour before it completed, so the rollout is taken to begin at its
    // completion.
    let mut g = guard(error_rule(None, 0.0, false));
    let mut seen = rollout("8", Stage::Complete, Some(1000 - 3600));
    seen.completed = Some(1000);
    g.observe(&[seen], &[errors(0.001, &history)], &none, 1100);
    assert_eq!(g.followed[0].started, 1000);
    // Completed longer ago than the soak: not followed.
    let mut g = guard(error_rule(None, 0.0, false));
    let mut seen = rollout("8", Stage::Complete, Some(100));
    seen.completed = Some(200);
    g.observe(
        &[seen],
        &[errors(0.001, &history)],
        &none,
        200 + DEFAULT_SOAK,
    );
    assert!(g.followed.is_empty());
}

#[test]
fn a_rollback_started_during_a_regression_is_judged_from_where_it_started() {
    let mut g = guard(error_rule(Some(3.0), 0.01, false));
    // Five quiet minutes, then the bad revision 2 for a minute.
    let mut history: Vec<(i64, f64)> = (0..10).map(|i| (1000 + i * 30, 0.002)).collect();
    settled(&mut g, &[errors(0.002, &history)], 1300);
    step(
        &mut g,
        "2",
        Stage::Rolling,
        &[errors(0.002, &history)],
        1300,
    );
    history.extend([(1330, 0.04), (1360, 0.08)]);
    let c = step(&mut g, "2", Stage::Rolling, &[errors(0.08, &history)], 1360);
    assert_eq!(regressed(&c).len(), 1, "{c:?}");
    // Rolled back at 1365: the median of the five minutes before is still
    // the quiet 0.2%, but revision 3 starts with 8% and a failing signal.
    let c = step(&mut g, "3", Stage::Rolling, &[errors(0.08, &history)], 1365);
    assert!(regressed(&c).is_empty(), "{c:?}");
    let base = &g.current(&id()).unwrap().baselines["signal:errors"];
    assert_eq!((base.status, base.value), (Status::Fail, Some(0.08)));
    // Falling: revision 2's regression clears, and revision 3 has none.
    history.push((1390, 0.03));
    let c = step(&mut g, "3", Stage::Rolling, &[errors(0.03, &history)], 1390);
    assert!(regressed(&c).is_empty(), "{c:?}");
    let c = step(
        &mut g,
        "3",
        Stage::Complete,
        &[errors(0.002, &history)],
        1420,
    );
    assert!(
        matches!(&c[..], [Change::Cleared { revision, .. }] if revision == "2"),
        "{c:?}"
    );
}
