use super::*;
use crate::journal::Record;
use crate::kube::model::{PodRow, WorkloadRow};
use crate::kube::{Change, KubeMsg};
use crate::prom::alerts::{Alert, AlertState};
use crate::state::signals::SignalMsg;
use crate::state::tests::state;
use crate::state::{Msg, update};

const NOW: i64 = 1_795_400_000;

fn started(journal: Vec<Record>) -> AppState {
    let mut s = state();
    s.now = NOW;
    update(&mut s, Msg::Journal(journal));
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Connected {
                context: "prod".into(),
                namespace: "payments".into(),
                user: "ann".into(),
            },
        ),
    );
    s.effects.clear();
    s
}

/// The events the state asked to journal, in order.
fn events(s: &mut AppState) -> Vec<Entry> {
    s.effects
        .drain(..)
        .filter_map(|e| match e {
            Effect::Act(actions::Request::Record(entry @ Entry::Event { .. })) => Some(entry),
            _ => None,
        })
        .collect()
}

fn tick(s: &mut AppState) {
    let now = s.now + 1;
    update(s, Msg::Tick(String::new(), now));
}

fn kube(s: &mut AppState, m: KubeMsg) {
    update(s, Msg::Kube(0, m));
}

fn record(entry: &Entry) -> Record {
    Record {
        entry_id: String::new(),
        at: "2026-11-23T06:00:00Z".into(),
        user: "ann".into(),
        kube_user: None,
        entry: entry.clone(),
    }
}

fn deployment(name: &str, failed: bool) -> WorkloadRow {
    WorkloadRow {
        name: name.into(),
        uid: format!("uid-{name}"),
        desired: 2,
        replicas: 2,
        updated: 2,
        ready: 2,
        available: 2,
        progressing_reason: failed.then(|| "ProgressDeadlineExceeded".into()),
        ..WorkloadRow::default()
    }
}

fn crash_looping(name: &str, restarts: i32) -> PodRow {
    PodRow {
        name: name.into(),
        owner: "rs".into(),
        restarts,
        status: "CrashLoopBackOff".into(),
        last_termination: Some("Error (exit 1)".into()),
        ..PodRow::default()
    }
}

#[test]
fn a_failed_rollout_and_its_recovery_are_journaled_once_each() {
    let mut s = started(Vec::new());
    let both = |api_failed| {
        KubeMsg::Workloads(
            crate::kinds::WorkloadKind::Deployment,
            Change::Reset(vec![
                deployment("payments-api", api_failed),
                deployment("payments-worker", false),
            ]),
        )
    };
    kube(&mut s, both(false));
    tick(&mut s);
    assert!(events(&mut s).is_empty(), "a complete rollout is not news");
    kube(&mut s, both(true));
    tick(&mut s);
    let failed = Entry::Event {
        event: EventKind::Rollout,
        subject: "deployment/payments-api".into(),
        status: "fail".into(),
        text: "rollout of deployment/payments-api failed: deployment \"payments-api\" exceeded its progress deadline".into(),
    };
    assert_eq!(events(&mut s), std::slice::from_ref(&failed));
    tick(&mut s);
    assert!(events(&mut s).is_empty(), "once");
    // A restart that has read it: nothing; then the recovery, once.
    let mut again = started(vec![record(&failed)]);
    kube(&mut again, both(true));
    tick(&mut again);
    assert!(events(&mut again).is_empty());
    kube(&mut again, both(false));
    tick(&mut again);
    let recovered = events(&mut again);
    assert!(
        matches!(&recovered[..], [Entry::Event { event: EventKind::Rollout, status, text, .. }]
            if status == "ok" && text == "rollout of deployment/payments-api recovered: complete"),
        "{recovered:?}"
    );
    tick(&mut again);
    assert!(events(&mut again).is_empty());
    // The Timeline says both.
    update(
        &mut again,
        Msg::JournalMore(vec![record(&failed), record(&recovered[0])]),
    );
    let rows: Vec<(&str, &str, Option<bool>)> = again
        .timeline
        .iter()
        .map(|r| (r.kind, r.text.as_str(), r.ok))
        .collect();
    assert!(rows.contains(&("rollout", "rollout of deployment/payments-api failed: deployment \"payments-api\" exceeded its progress deadline", Some(false))), "{rows:?}");
    assert!(
        rows.contains(&(
            "rollout",
            "rollout of deployment/payments-api recovered: complete",
            Some(true)
        )),
        "{rows:?}"
    );
}

#[test]
fn a_crash_loop_is_journaled_once_per_pod_with_its_restart_count() {
    let mut s = started(Vec::new());
    kube(
        &mut s,
        KubeMsg::Workloads(
            crate::kinds::WorkloadKind::Deployment,
            Change::Reset(vec![deployment("payments-api", false)]),
        ),
    );
    kube(
        &mut s,
        KubeMsg::Pods(Change::Reset(vec![crash_looping("payments-api-1-a", 3)])),
    );
    tick(&mut s);
    let first = Entry::Event {
        event: EventKind::CrashLoop,
        subject: "pod/payments-api-1-a".into(),
        status: "fail".into(),
        text: "pod/payments-api-1-a in CrashLoopBackOff (3 restarts, last: Error (exit 1))".into(),
    };
    assert_eq!(events(&mut s), std::slice::from_ref(&first));
    // More restarts of the same pod, or a restart of the dashboard that
    // has read the entry: nothing. Another pod: its own entry.
    kube(
        &mut s,
        KubeMsg::Pods(Change::Reset(vec![crash_looping("payments-api-1-a", 5)])),
    );
    tick(&mut s);
    assert!(events(&mut s).is_empty());
    let mut again = started(vec![record(&first)]);
    kube(
        &mut again,
        KubeMsg::Workloads(
            crate::kinds::WorkloadKind::Deployment,
            Change::Reset(vec![deployment("payments-api", false)]),
        ),
    );
    kube(
        &mut again,
        KubeMsg::Pods(Change::Reset(vec![
            crash_looping("payments-api-1-a", 9),
            crash_looping("payments-api-1-b", 1),
        ])),
    );
    tick(&mut again);
    let second = events(&mut again);
    assert!(
        matches!(&second[..], [Entry::Event { subject, .. }] if subject == "pod/payments-api-1-b"),
        "{second:?}"
    );
    update(&mut again, Msg::JournalMore(vec![record(&first)]));
    assert_eq!(again.timeline[0].kind, "crash loop");
    assert_eq!(
        again.timeline[0].text,
        "pod/payments-api-1-a in CrashLoopBackOff (3 restarts, last: Error (exit 1))"
    );
}

fn alerts(s: &mut AppState, firing: &[&str]) {
    let list = firing
        .iter()
        .map(|name| Alert {
            name: (*name).into(),
            state: AlertState::Firing,
            severity: Some("critical".into()),
            labels: [("alertname", *name), ("severity", "critical")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            summary: Some("5xx above 1%".into()),
            active_at: Some(s.now - 300),
            value: 1.0,
        })
        .collect();
    let at = s.now;
    update(
        s,
        Msg::Signal(
            0,
            SignalMsg::Alerts {
                at,
                result: Ok(list),
            },
        ),
    );
}

#[test]
fn an_alert_firing_and_resolving_is_journaled_once_each_and_the_alerts_check_with_it() {
    let mut s = started(Vec::new());
    alerts(&mut s, &[]);
    assert!(
        s.effects.iter().all(|e| !matches!(
            e,
            Effect::Act(actions::Request::Record(Entry::Event { .. }))
        )),
        "{:?}",
        s.effects
    );
    s.effects.clear();
    alerts(&mut s, &["HighErrorRate"]);
    let entries: Vec<Entry> = s
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(actions::Request::Record(e)) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let firing = Entry::Event {
        event: EventKind::Alert,
        subject: "HighErrorRate{severity=critical}".into(),
        status: "fail".into(),
        text: "alert HighErrorRate firing (critical): 5xx above 1%".into(),
    };
    assert!(entries.contains(&firing), "{entries:?}");
    // The checklist's `alerts` check, journaled for the report.
    assert!(
        entries
            .iter()
            .any(|e| matches!(e, Entry::Check { check, status, .. }
            if check == "alerts" && status == "fail")),
        "{entries:?}"
    );
    s.effects.clear();
    alerts(&mut s, &["HighErrorRate"]);
    assert!(events(&mut s).is_empty(), "once");

    // A restart that has read it: nothing while it fires; resolved once.
    let mut again = started(vec![record(&firing)]);
    alerts(&mut again, &["HighErrorRate"]);
    assert!(events(&mut again).is_empty());
    alerts(&mut again, &[]);
    let resolved = Entry::Event {
        event: EventKind::Alert,
        subject: "HighErrorRate{severity=critical}".into(),
        status: "ok".into(),
        text: "alert HighErrorRate{severity=critical} resolved".into(),
    };
    assert_eq!(events(&mut again), std::slice::from_ref(&resolved));
    alerts(&mut again, &[]);
    assert!(events(&mut again).is_empty());
    update(
        &mut again,
        Msg::JournalMore(vec![record(&firing), record(&resolved)]),
    );
    let rows: Vec<(&str, &str, Option<bool>)> = again
        .timeline
        .iter()
        .map(|r| (r.kind, r.text.as_str(), r.ok))
        .collect();
    assert!(
        rows.contains(&(
            "alert",
            "alert HighErrorRate firing (critical): 5xx above 1%",
            Some(false)
        )),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "alert",
            "alert HighErrorRate{severity=critical} resolved",
            Some(true)
        )),
        "{rows:?}"
    );
    // Resolved, it is forgotten: firing again is a new occurrence.
    alerts(&mut again, &["HighErrorRate"]);
    assert_eq!(events(&mut again), [firing]);
}

#[test]
fn a_fault_injected_in_the_demo_is_journaled_and_one_that_failed_is_not() {
    let mut s = started(Vec::new());
    let fault = crate::state::faults::Fault {
        label: "crash-loop the api Deployment",
        name: "crash",
        params: &[("workload", "api")],
    };
    update(&mut s, Msg::Injected(fault, Ok("api crash-looping".into())));
    let entry = Entry::Event {
        event: EventKind::Fault,
        subject: "crash workload=api".into(),
        status: "info".into(),
        text: "fault injected in the demo: crash-loop the api Deployment (api crash-looping)"
            .into(),
    };
    assert_eq!(events(&mut s), std::slice::from_ref(&entry));
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("injected: crash-loop the api Deployment"))
    );
    update(&mut s, Msg::Injected(fault, Err("no such workload".into())));
    assert!(events(&mut s).is_empty());
    assert_eq!(
        s.notice.as_deref(),
        Some("could not inject crash-loop the api Deployment: no such workload")
    );
    update(&mut s, Msg::JournalMore(vec![record(&entry)]));
    assert_eq!(
        (
            s.timeline[0].kind,
            s.timeline[0].text.as_str(),
            s.timeline[0].ok
        ),
        (
            "fault",
            "fault injected in the demo: crash-loop the api Deployment (api crash-looping)",
            None
        )
    );
}
