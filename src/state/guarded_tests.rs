use super::*;
use crate::journal::Entry;
use crate::kinds::WorkloadKind;
use crate::kube::model::{ReplicaSetRow, WorkloadRow};
use crate::kube::{Change, KubeMsg};
use crate::prom::signal::{Reading, SignalState};
use crate::state::actions::{Dialog, RevisionChoice};
use crate::state::signals::SignalMsg;
use crate::state::tests::{press, state};
use crate::state::{Effect, Msg, actions, update};
use crossterm::event::KeyCode;

const NOW: i64 = 1_795_400_000;

fn api(revision: i64, rolling: bool) -> WorkloadRow {
    WorkloadRow {
        kind: WorkloadKind::Deployment,
        name: "payments-api".into(),
        uid: "uid-api".into(),
        generation: revision,
        observed_generation: revision,
        desired: 2,
        replicas: if rolling { 3 } else { 2 },
        updated: if rolling { 1 } else { 2 },
        ready: 2,
        available: 2,
        revision,
        progressing_reason: Some(
            if rolling {
                "ReplicaSetUpdated"
            } else {
                "NewReplicaSetAvailable"
            }
            .into(),
        ),
        ..WorkloadRow::default()
    }
}

fn replicaset(revision: i64) -> ReplicaSetRow {
    ReplicaSetRow {
        name: format!("payments-api-{revision}"),
        uid: format!("rs-{revision}"),
        owner: "uid-api".into(),
        revision,
        created_at: Some(NOW - 3600 + revision),
        ..ReplicaSetRow::default()
    }
}

fn tick(s: &mut AppState) {
    let now = s.now + 5;
    update(s, Msg::Tick(String::new(), now));
}

fn error_rate(s: &mut AppState, value: f64) {
    let state = crate::prom::signal::judge(Some(value), None, None);
    let state = if value > 0.01 {
        SignalState::Fail
    } else if value > 0.005 {
        SignalState::Warn
    } else {
        state
    };
    let reading = Reading {
        value: Some(value),
        series: 1,
        worst_labels: String::new(),
        state,
        by_pod: Vec::new(),
    };
    let at = s.now;
    update(
        s,
        Msg::Signal(
            0,
            SignalMsg::Reading {
                name: "error-rate".into(),
                at,
                reading,
            },
        ),
    );
}

fn kube(s: &mut AppState, m: KubeMsg) {
    update(s, Msg::Kube(0, m));
}

/// The regression events the state asked to journal, as (subject,
/// status, text).
fn regression_events(s: &mut AppState) -> Vec<(String, String, String)> {
    s.effects
        .drain(..)
        .filter_map(|e| match e {
            Effect::Act(actions::Request::Record(Entry::Event {
                event: crate::journal::EventKind::Regression,
                subject,
                status,
                text,
            })) => Some((subject, status, text)),
            _ => None,
        })
        .collect()
}

/// The example runbook's dashboard, connected, with payments-api at
/// revision 6 complete and the error rate low.
fn started() -> AppState {
    let mut s = state();
    s.now = NOW;
    update(&mut s, Msg::Journal(Vec::new()));
    kube(
        &mut s,
        KubeMsg::Connected {
            context: "prod".into(),
            namespace: "payments".into(),
            user: "ann".into(),
        },
    );
    kube(
        &mut s,
        KubeMsg::ReplicaSets(Change::Reset(vec![replicaset(5), replicaset(6)])),
    );
    kube(
        &mut s,
        KubeMsg::Workloads(WorkloadKind::Deployment, Change::Reset(vec![api(6, false)])),
    );
    error_rate(&mut s, 0.001);
    tick(&mut s);
    s.effects.clear();
    s
}

#[test]
fn a_rollout_that_raises_the_error_rate_is_marked_and_journaled_and_u_opens_its_rollback() {
    let mut s = started();
    assert!(s.guard.followed.is_empty(), "revision 6 completed long ago");
    // Revision 7 starts rolling.
    kube(&mut s, KubeMsg::ReplicaSets(Change::Upsert(replicaset(7))));
    kube(
        &mut s,
        KubeMsg::Workloads(WorkloadKind::Deployment, Change::Upsert(api(7, true))),
    );
    tick(&mut s);
    let followed = regression_events(&mut s);
    assert_eq!(followed.len(), 1, "{followed:?}");
    assert_eq!(followed[0].0, "deployment/payments-api@7 baseline");
    assert!(
        followed[0].2.contains("signal error-rate 0.1%"),
        "{followed:?}"
    );
    // 90 s later the error rate fails.
    s.now += 90;
    error_rate(&mut s, 0.04);
    let found = regression_events(&mut s);
    assert_eq!(found.len(), 1, "{found:?}");
    let (subject, status, text) = &found[0];
    assert_eq!(subject, "deployment/payments-api@7 signal:error-rate");
    assert_eq!(status, "fail");
    assert_eq!(
        text,
        "regression of deployment/payments-api revision 7: signal error-rate 4% (baseline 0.1%), went from ok to fail, 1m30s after the rollout began"
    );
    let id =
        crate::kube::cluster::WorkloadId::new(WorkloadKind::Deployment, "payments", "payments-api");
    assert!(s.guard.regressed(&id));
    // U: the rollback of payments-api, revision 6 to be chosen.
    s.focus = crate::state::Pane::Health;
    press(&mut s, KeyCode::Char('U'));
    let Some(Dialog::Loading {
        deployment,
        prefer,
        because,
        id: asked,
        ..
    }) = s.dialog().cloned()
    else {
        panic!("{:?} {:?}", s.dialog(), s.notice);
    };
    assert_eq!(deployment, "payments-api");
    assert_eq!(prefer, Some(6));
    assert!(
        because
            .as_deref()
            .is_some_and(|b| b.contains("signal error-rate 4% (baseline 0.1%)")),
        "{because:?}"
    );
    let choice = |revision: i64, current: bool| RevisionChoice {
        revision,
        images: vec![format!("api:{revision}")],
        change_cause: None,
        current,
        diff: Vec::new(),
        plan: Err("not in this test".into()),
    };
    update(
        &mut s,
        Msg::Revisions(
            asked,
            Ok(vec![choice(7, true), choice(5, false), choice(6, false)]),
        ),
    );
    let Some(Dialog::PickRevision {
        selected,
        choices,
        because,
        ..
    }) = s.dialog()
    else {
        panic!("{:?}", s.dialog());
    };
    assert_eq!(
        choices[*selected].revision, 6,
        "the revision before 7, not the first listed"
    );
    assert!(because.is_some());
    // Rolled back: revision 8 (6's template) rolls out; the error rate
    // falls and the regression of revision 7 clears.
    s.set_dialog(None);
    kube(
        &mut s,
        KubeMsg::Workloads(WorkloadKind::Deployment, Change::Upsert(api(8, true))),
    );
    tick(&mut s);
    let baseline = regression_events(&mut s);
    assert_eq!(baseline.len(), 1, "{baseline:?}");
    assert_eq!(baseline[0].0, "deployment/payments-api@8 baseline");
    error_rate(&mut s, 0.001);
    let cleared = regression_events(&mut s);
    assert_eq!(
        cleared,
        vec![(
            "deployment/payments-api@7 signal:error-rate".to_string(),
            "ok".to_string(),
            "regression of deployment/payments-api revision 7 cleared: signal error-rate 0.1%"
                .to_string()
        )]
    );
    assert!(!s.guard.regressed(&id));
}

#[test]
fn u_with_no_regression_open_says_so_and_opens_nothing() {
    let mut s = started();
    press(&mut s, KeyCode::Char('U'));
    assert!(s.dialog().is_none());
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("no regression open")),
        "{:?}",
        s.notice
    );
}

#[test]
fn a_restarted_dashboard_does_not_journal_the_same_regression_twice() {
    let mut s = started();
    kube(&mut s, KubeMsg::ReplicaSets(Change::Upsert(replicaset(7))));
    kube(
        &mut s,
        KubeMsg::Workloads(WorkloadKind::Deployment, Change::Upsert(api(7, true))),
    );
    tick(&mut s);
    s.now += 30;
    error_rate(&mut s, 0.04);
    let first: Vec<Entry> = s
        .effects
        .drain(..)
        .filter_map(|e| match e {
            Effect::Act(actions::Request::Record(entry @ Entry::Event { .. })) => Some(entry),
            _ => None,
        })
        .collect();
    assert_eq!(first.len(), 2, "{first:?}");
    // Another dashboard reads that journal; the rollout is still rolling.
    let mut again = state();
    again.now = s.now + 10;
    let records = first
        .into_iter()
        .map(|entry| crate::journal::Record {
            entry_id: String::new(),
            at: "2026-11-23T06:00:00Z".into(),
            user: "ann".into(),
            kube_user: None,
            entry,
        })
        .collect();
    update(&mut again, Msg::Journal(records));
    kube(
        &mut again,
        KubeMsg::Connected {
            context: "prod".into(),
            namespace: "payments".into(),
            user: "ann".into(),
        },
    );
    kube(
        &mut again,
        KubeMsg::ReplicaSets(Change::Reset(vec![replicaset(6), replicaset(7)])),
    );
    kube(
        &mut again,
        KubeMsg::Workloads(WorkloadKind::Deployment, Change::Reset(vec![api(7, true)])),
    );
    // Its history holds the values before the rollout began.
    update(
        &mut again,
        Msg::Signal(
            0,
            SignalMsg::Range {
                name: "error-rate".into(),
                points: (0..10).map(|i| (NOW - 3600 + i * 60, 0.001)).collect(),
            },
        ),
    );
    error_rate(&mut again, 0.04);
    tick(&mut again);
    assert!(
        again
            .guard
            .regressed(&crate::kube::cluster::WorkloadId::new(
                WorkloadKind::Deployment,
                "payments",
                "payments-api"
            ))
    );
    assert_eq!(regression_events(&mut again), Vec::new());
}
