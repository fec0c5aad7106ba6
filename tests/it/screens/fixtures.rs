//! States the snapshots share: payments-api mid-incident (a crash-looping
//! revision, conditions and events), and probe results and signal readings
//! with a little history.

use super::*;

/// payments-api mid-incident: a crash-looping new revision, three
/// revisions, conditions and events (some Warnings).
pub(super) fn incident() -> AppState {
    use ops_tui::kube::model::{
        ConditionRow, EventRow, PodPhase, PodRow, ReplicaSetRow, ServiceRow, WorkloadRow,
    };
    use ops_tui::kube::{Change, KubeMsg};
    let mut s = example("staging");
    s.now = 1_000_000;
    let labels = |colour: &str| {
        [("app", "payments-api"), ("version", colour)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let deployment = |name: &str, uid: &str, colour: &str, available| WorkloadRow {
        name: name.into(),
        uid: uid.into(),
        generation: 4,
        observed_generation: 4,
        desired: 3,
        replicas: 4,
        updated: 2,
        ready: available,
        available,
        revision: 3,
        images: vec!["registry.example.com/payments/api:2.2.0-crash".into()],
        template_labels: labels(colour),
        conditions: vec![
            ConditionRow {
                type_: "Available".into(),
                status: "True".into(),
                reason: Some("MinimumReplicasAvailable".into()),
                message: Some("Deployment has minimum availability.".into()),
                updated_at: Some(1_000_000 - 3600),
            },
            ConditionRow {
                type_: "Progressing".into(),
                status: "True".into(),
                reason: Some("ReplicaSetUpdated".into()),
                message: Some("ReplicaSet \"payments-api-7c9d\" is progressing.".into()),
                updated_at: Some(1_000_000 - 240),
            },
        ],
        ..WorkloadRow::default()
    };
    let rs = |name: &str, uid: &str, revision, image: &str, desired, cause: Option<&str>| {
        ReplicaSetRow {
            name: name.into(),
            uid: uid.into(),
            owner: "d1".into(),
            revision,
            desired,
            ready: desired,
            images: vec![format!("registry.example.com/payments/api:{image}")],
            change_cause: cause.map(String::from),
            created_at: Some(1_000_000 - 86_400 / revision),
        }
    };
    let pod =
        |name: &str, owner: &str, phase, status: &str, ready, restarts, last: Option<&str>| {
            PodRow {
                name: name.into(),
                owner: owner.into(),
                phase,
                ready,
                restarts,
                last_restart_at: last.map(|_| 1_000_000 - 30),
                last_termination: last.map(String::from).map(Into::into),
                node: Some("node-2".into()),
                started_at: Some(1_000_000 - 600),
                containers: vec!["api".into()].into(),
                status: status.into(),
                ready_containers: u32::from(ready),
                revision_hash: None,
                uid: format!("uid-{name}").into(),
                grace_seconds: Some(30),
                resources: ops_tui::kube::model::Resources {
                    cpu_request: Some(100),
                    cpu_limit: Some(500),
                    memory_request: Some(256 << 20),
                    memory_limit: Some(512 << 20),
                }
                .into(),
            }
        };
    let event =
        |name: &str, warning, reason: &str, kind: &str, object: &str, message: &str, count, ago| {
            EventRow {
                name: name.into(),
                kind: kind.into(),
                object: object.into(),
                warning,
                reason: reason.into(),
                message: message.into(),
                count,
                last_seen: Some(1_000_000 - i64::from(ago)),
            }
        };
    let msgs = vec![
        KubeMsg::Connected {
            context: "staging".into(),
            namespace: "payments-staging".into(),
            user: "admin".into(),
        },
        KubeMsg::Workloads(
            ops_tui::kinds::WorkloadKind::Deployment,
            Change::Reset(vec![deployment("payments-api", "d1", "blue", 2), {
                let mut green = deployment("payments-api-green", "d2", "green", 3);
                green.updated = 3;
                green.replicas = 3;
                green.ready = 3;
                green
            }]),
        ),
        KubeMsg::ReplicaSets(Change::Reset(vec![
            rs("payments-api-5f6a", "r1", 1, "2.0.4", 0, None),
            rs(
                "payments-api-6b7c",
                "r2",
                2,
                "2.1.0",
                2,
                Some("release 2.1.0"),
            ),
            rs(
                "payments-api-7c9d",
                "r3",
                3,
                "2.2.0-crash",
                2,
                Some("release 2.2.0"),
            ),
        ])),
        KubeMsg::Pods(Change::Reset(vec![
            pod(
                "payments-api-6b7c-aaaaa",
                "r2",
                PodPhase::Running,
                "Running",
                true,
                0,
                None,
            ),
            pod(
                "payments-api-6b7c-bbbbb",
                "r2",
                PodPhase::Running,
                "Running",
                true,
                0,
                None,
            ),
            pod(
                "payments-api-7c9d-ccccc",
                "r3",
                PodPhase::Failing,
                "CrashLoopBackOff",
                false,
                5,
                Some("Error"),
            ),
            pod(
                "payments-api-7c9d-ddddd",
                "r3",
                PodPhase::Pending,
                "ContainerCreating",
                false,
                0,
                None,
            ),
        ])),
        KubeMsg::Events(Change::Reset(vec![
            event(
                "e1",
                false,
                "ScalingReplicaSet",
                "Deployment",
                "payments-api",
                "Scaled up replica set payments-api-7c9d to 2",
                1,
                300,
            ),
            event(
                "e2",
                true,
                "BackOff",
                "Pod",
                "payments-api-7c9d-ccccc",
                "Back-off restarting failed container api in pod payments-api-7c9d-ccccc",
                12,
                20,
            ),
            event(
                "e3",
                false,
                "Pulled",
                "Pod",
                "payments-api-7c9d-ccccc",
                "Container image \"registry.example.com/payments/api:2.2.0-crash\" already present on machine",
                6,
                60,
            ),
            event(
                "e4",
                false,
                "SuccessfulCreate",
                "ReplicaSet",
                "payments-api-7c9d",
                "Created pod: payments-api-7c9d-ddddd",
                1,
                200,
            ),
        ])),
        KubeMsg::Services(Change::Reset(vec![ServiceRow {
            name: "payments-api".into(),
            selector: labels("blue"),
        }])),
    ];
    for m in msgs {
        update(&mut s, Msg::Kube(0, m));
    }
    s.cluster.refresh(s.now);
    s
}

pub(super) fn open_workload(s: &mut AppState) {
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-api")
        .unwrap();
    press(s, KeyCode::Enter);
}

/// A probe result as the probe module makes it: the conditions judged on
/// what was observed.
pub(super) fn probe_result(
    s: &AppState,
    name: &str,
    observed: ops_tui::condition::Observed,
    failure: Option<ops_tui::probe::Failure>,
    cert_not_after: Option<i64>,
) -> ops_tui::probe::ProbeResult {
    use ops_tui::condition::{Condition, judge};
    let p = s
        .runbook
        .as_ref()
        .unwrap()
        .probes()
        .find(|p| p.name.get_ref() == name)
        .unwrap();
    let parse = |list: &[toml::Spanned<String>]| {
        list.iter()
            .map(|c| Condition::parse(c.get_ref()).unwrap())
            .collect::<Vec<_>>()
    };
    let verdict = judge(&parse(&p.fail), &parse(&p.warn), &observed);
    let failure = failure.or_else(|| {
        verdict.first_failing().map(|e| {
            ops_tui::probe::Failure::Condition(format!("{} ({})", e.condition, e.resolved))
        })
    });
    ops_tui::probe::ProbeResult {
        name: name.into(),
        at: s.now,
        observed,
        verdict,
        failure,
        cert_not_after,
        requests: 1,
    }
}

pub(super) fn observed(
    status: u16,
    ms: f64,
    body: &str,
    headers: &[(&str, &str)],
) -> ops_tui::condition::Observed {
    ops_tui::condition::Observed {
        connected: true,
        status: Some(status),
        response_time_ms: Some(ms),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
        ..Default::default()
    }
}

pub(super) fn with_probes(failing: bool) -> AppState {
    let mut s = example("staging");
    s.now = 1_000_000;
    add_probes(&mut s, failing);
    s
}

/// Probe results (with a little history) for the example's probes.
pub(super) fn add_probes(s: &mut AppState, failing: bool) {
    use ops_tui::probe::Failure;
    let s = &mut *s;
    let day = 86_400;
    let results = if !failing {
        let mut slow = observed(200, 420.0, r#"{"status":"healthy"}"#, &[]);
        slow.certificate_expiration = Some(jiff::SignedDuration::from_secs(60 * day));
        vec![
            probe_result(s, "health", slow, None, Some(s.now + 60 * day)),
            probe_result(
                s,
                "ready",
                observed(503, 12.0, "not ready", &[]),
                Some(Failure::Http(503)),
                None,
            ),
            probe_result(
                s,
                "headers",
                observed(
                    200,
                    30.0,
                    "",
                    &[
                        ("Strict-Transport-Security", "max-age=63072000"),
                        ("X-Frame-Options", "DENY"),
                    ],
                ),
                None,
                Some(s.now + 60 * day),
            ),
        ]
    } else {
        let none = ops_tui::condition::Observed::default();
        vec![
            probe_result(
                s,
                "health",
                none.clone(),
                Some(Failure::Tls("certificate expired".into())),
                Some(s.now - 3 * day),
            ),
            probe_result(s, "ready", none.clone(), Some(Failure::Timeout), None),
            probe_result(s, "headers", observed(200, 25.0, "", &[]), None, None),
            probe_result(
                s,
                "cors",
                none,
                Some(Failure::Refused("Connection refused (os error 111)".into())),
                None,
            ),
        ]
    };
    for mut r in results {
        // A little history for the sparklines.
        for k in 0..8u32 {
            let mut past = r.clone();
            past.observed.response_time_ms = r
                .observed
                .response_time_ms
                .map(|ms| ms * f64::from(k + 1) / 8.0);
            past.at = s.now - i64::from(8 - k) * 10;
            update(s, Msg::Probe(0, Box::new(past)));
        }
        r.at = s.now;
        update(s, Msg::Probe(0, Box::new(r)));
    }
}

pub(super) fn with_signals(
    values: [(Option<f64>, ops_tui::prom::signal::SignalState); 2],
    alerts: bool,
) -> AppState {
    let mut s = example("staging");
    s.now = 1_000_000;
    add_signals(&mut s, values, alerts);
    s
}

/// Readings, their history and the alerts for the example's signals.
pub(super) fn add_signals(
    s: &mut AppState,
    values: [(Option<f64>, ops_tui::prom::signal::SignalState); 2],
    alerts: bool,
) {
    use ops_tui::prom::alerts::{Alert, AlertState};
    use ops_tui::prom::signal::Reading;
    use ops_tui::state::signals::SignalMsg;
    for (name, (value, state)) in ["error-rate", "p95-latency"].into_iter().zip(values) {
        let points: Vec<(i64, f64)> = (0..60)
            .map(|i| {
                (
                    s.now - 1800 + i * 30,
                    value.unwrap_or(0.0) * (0.5 + f64::from(i as i32 % 7) / 10.0),
                )
            })
            .collect();
        update(
            s,
            Msg::Signal(
                0,
                SignalMsg::Range {
                    name: name.into(),
                    points,
                },
            ),
        );
        update(
            s,
            Msg::Signal(
                0,
                SignalMsg::Reading {
                    name: name.into(),
                    at: 1_000_000 - 40,
                    reading: Reading {
                        value: value.filter(|_| {
                            !matches!(state, ops_tui::prom::signal::SignalState::Unreachable(_))
                        }),
                        series: if name == "error-rate" { 3 } else { 1 },
                        worst_labels: if name == "error-rate" {
                            "{route=\"/v1/charges\"}".into()
                        } else {
                            String::new()
                        },
                        state,
                        by_pod: Vec::new(),
                    },
                },
            ),
        );
    }
    let alert = |name: &str, state, summary: &str| Alert {
        name: name.into(),
        state,
        severity: Some("critical".into()),
        labels: [("alertname".to_string(), name.to_string())]
            .into_iter()
            .collect(),
        summary: Some(summary.into()),
        active_at: Some(1_000_000 - 300),
        value: 1.0,
    };
    let list = if alerts {
        vec![
            alert(
                "HighErrorRate",
                AlertState::Firing,
                "5xx above 1% for 5 minutes",
            ),
            alert("SlowCheckout", AlertState::Pending, "p95 above 1s"),
        ]
    } else {
        Vec::new()
    };
    update(
        s,
        Msg::Signal(
            0,
            SignalMsg::Alerts {
                at: 1_000_000 - 10,
                result: Ok(list),
            },
        ),
    );
}
