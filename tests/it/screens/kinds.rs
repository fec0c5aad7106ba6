//! Deployments, StatefulSets and DaemonSets side by side: the Rollouts
//! pane with mixed kinds in every state kubectl gives them, and the
//! workload view of a StatefulSet and of a DaemonSet (pods, ControllerRevision
//! history, conditions, events).

use super::*;
use ops_tui::kinds::WorkloadKind;
use ops_tui::kube::model::{EventRow, PodPhase, PodRow, ReplicaSetRow, Strategy, WorkloadRow};
use ops_tui::kube::{Change, KubeMsg};
use ops_tui::state::actions::Dialog;

const NOW: i64 = 1_000_000;

fn workload(kind: WorkloadKind, name: &str, f: &dyn Fn(&mut WorkloadRow)) -> WorkloadRow {
    let mut row = WorkloadRow {
        kind,
        name: name.into(),
        uid: format!("uid-{name}"),
        generation: 4,
        observed_generation: 4,
        desired: 3,
        replicas: 3,
        updated: 3,
        ready: 3,
        available: 3,
        images: vec![format!("registry.example.com/shop/{name}:2.0.0")],
        created_at: Some(NOW - 86_400),
        ..WorkloadRow::default()
    };
    f(&mut row);
    row
}

fn revision(owner: &str, hash: &str, number: i64, image: &str) -> ReplicaSetRow {
    ReplicaSetRow {
        name: format!("{owner}-{hash}"),
        uid: format!("cr-{owner}-{number}"),
        owner: format!("uid-{owner}"),
        revision: number,
        images: vec![format!("registry.example.com/shop/{image}")],
        created_at: Some(NOW - 3_600 * number),
        ..ReplicaSetRow::default()
    }
}

fn pod(name: &str, owner: &str, hash: &str, ready: bool) -> PodRow {
    PodRow {
        name: name.into(),
        owner: format!("uid-{owner}").into(),
        phase: if ready {
            PodPhase::Running
        } else {
            PodPhase::Pending
        },
        ready,
        node: Some("node-1".into()),
        started_at: Some(NOW - 600),
        containers: vec![owner.into()].into(),
        status: if ready {
            "Running"
        } else {
            "ContainerCreating"
        }
        .into(),
        ready_containers: u32::from(ready),
        revision_hash: Some(hash.into()),
        ..PodRow::default()
    }
}

/// A namespace with a Deployment, two StatefulSets (one rolling a
/// partition, one OnDelete) and two DaemonSets (one rolling, one done).
fn mixed() -> AppState {
    let mut s = empty("default");
    s.now = NOW;
    let sts = WorkloadKind::StatefulSet;
    let ds = WorkloadKind::DaemonSet;
    let msgs = vec![
        KubeMsg::Connected {
            context: "prod".into(),
            namespace: "shop-prod".into(),
            user: "admin".into(),
        },
        KubeMsg::Workloads(
            WorkloadKind::Deployment,
            Change::Reset(vec![workload(WorkloadKind::Deployment, "api", &|r| {
                r.revision = 7
            })]),
        ),
        KubeMsg::Workloads(
            sts,
            Change::Reset(vec![
                workload(sts, "db", &|r| {
                    r.strategy = Strategy::Partitioned(Some(1));
                    r.updated = 1;
                    r.current_replicas = 2;
                    r.current_revision = Some("db-5c9d7b".into());
                    r.update_revision = Some("db-6f8b4c".into());
                    r.images = vec!["registry.example.com/shop/postgres:16.4".into()];
                }),
                workload(sts, "cache", &|r| {
                    r.strategy = Strategy::OnDelete;
                    r.updated = 1;
                }),
            ]),
        ),
        KubeMsg::Workloads(
            ds,
            Change::Reset(vec![
                workload(ds, "log-agent", &|r| {
                    r.updated = 3;
                    r.available = 2;
                    r.ready = 2;
                }),
                workload(ds, "node-exporter", &|_| {}),
            ]),
        ),
        KubeMsg::ControllerRevisions(Change::Reset(vec![
            revision("db", "5c9d7b", 1, "postgres:16.3"),
            revision("db", "6f8b4c", 2, "postgres:16.4"),
            revision("log-agent", "7d9f", 3, "log-agent:2.0.0"),
            revision("log-agent", "4b2c", 2, "log-agent:1.9.0"),
        ])),
        KubeMsg::Pods(Change::Reset(vec![
            pod("db-0", "db", "db-5c9d7b", true),
            pod("db-1", "db", "db-5c9d7b", true),
            pod("db-2", "db", "db-6f8b4c", true),
            pod("log-agent-x7k2p", "log-agent", "7d9f", true),
            pod("log-agent-q4m9z", "log-agent", "7d9f", true),
            pod("log-agent-b2n8w", "log-agent", "7d9f", false),
        ])),
        KubeMsg::Events(Change::Reset(vec![
            EventRow {
                name: "e1".into(),
                kind: "StatefulSet".into(),
                object: "db".into(),
                reason: "SuccessfulCreate".into(),
                message: "create Pod db-2 in StatefulSet db successful".into(),
                count: 1,
                last_seen: Some(NOW - 120),
                ..EventRow::default()
            },
            EventRow {
                name: "e2".into(),
                kind: "Pod".into(),
                object: "log-agent-b2n8w".into(),
                reason: "Pulling".into(),
                message: "Pulling image \"registry.example.com/shop/log-agent:2.0.0\"".into(),
                count: 1,
                last_seen: Some(NOW - 30),
                ..EventRow::default()
            },
        ])),
    ];
    for m in msgs {
        update(&mut s, Msg::Kube(0, m));
    }
    s.cluster.refresh(NOW);
    s
}

fn select(s: &mut AppState, kind: WorkloadKind, name: &str) {
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == name && r.kind == kind)
        .unwrap();
}

#[test]
fn rollouts_pane_with_mixed_kinds() {
    let mut s = mixed();
    select(&mut s, WorkloadKind::StatefulSet, "db");
    let screen = render(&s, 140, 24);
    // kubectl's own words for each kind, and the kind on every row.
    for needle in [
        "▲ rolling  db            sts",
        "▲ rolling  log-agent     ds",
        "○ ondelete cache         sts",
        "✓ complete api           deploy",
        "✓ complete node-exporter ds",
        "r2 16.4",
        "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been",
    ] {
        assert!(screen.contains(needle), "{needle:?} not in\n{screen}");
    }
    assert_snapshot!("rollouts_mixed_kinds_140x24", screen);
    select(&mut s, WorkloadKind::DaemonSet, "log-agent");
    let screen = render(&s, 80, 24);
    assert!(
        screen.contains("▲ rolling  log-agent     ds     2/3"),
        "{screen}"
    );
    assert!(
        screen.contains("Waiting for daemon set \"log-agent\" rollout"),
        "{screen}"
    );
    assert_snapshot!("rollouts_mixed_kinds_80x24", screen);
}

#[test]
fn statefulset_and_daemonset_workload_views() {
    let mut s = mixed();
    select(&mut s, WorkloadKind::StatefulSet, "db");
    press(&mut s, KeyCode::Enter);
    s.size = (140, 36);
    let screen = render(&s, 140, 36);
    for needle in [
        "statefulset/db ▲ rolling",
        "revision 2 · partition 1",
        "r2    ● current 2h    postgres:16.4                pods 1/3",
        "r1              60m   postgres:16.3                pods 2/2",
        "db-0",
        "create Pod db-2 in StatefulSet db successful",
    ] {
        assert!(screen.contains(needle), "{needle:?} not in\n{screen}");
    }
    assert_snapshot!("workload_view_statefulset_140x36", screen);
    press(&mut s, KeyCode::Esc);
    select(&mut s, WorkloadKind::DaemonSet, "log-agent");
    press(&mut s, KeyCode::Enter);
    let screen = render(&s, 140, 36);
    for needle in [
        "daemonset/log-agent ▲ rolling",
        "2/3 ready",
        "revision 3",
        "log-agent-b2n8w",
        "Pulling image",
    ] {
        assert!(screen.contains(needle), "{needle:?} not in\n{screen}");
    }
    assert_snapshot!("workload_view_daemonset_140x36", screen);
}

#[test]
fn pause_and_scale_say_why_they_do_not_apply_to_the_kind() {
    let mut s = mixed();
    select(&mut s, WorkloadKind::StatefulSet, "db");
    press(&mut s, KeyCode::Char('p'));
    let notice = s.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("statefulset/db cannot be paused"),
        "{notice}"
    );
    assert!(s.dialog().is_none());
    select(&mut s, WorkloadKind::DaemonSet, "log-agent");
    press(&mut s, KeyCode::Char('s'));
    let notice = s.notice.clone().unwrap_or_default();
    assert!(notice.contains("no replica count"), "{notice}");
    assert!(s.dialog().is_none());
    // Scaling a StatefulSet opens the scale dialog, named as kubectl names it.
    select(&mut s, WorkloadKind::StatefulSet, "db");
    press(&mut s, KeyCode::Char('s'));
    let screen = render(&s, 100, 30);
    assert!(screen.contains("Scale statefulset/db"), "{screen}");
}

/// `mixed()` plus a migration Job that completed, a CronJob whose newest
/// Job failed, and an HPA scaling `api`.
fn with_batch() -> AppState {
    use ops_tui::kube::model::{BatchRow, ConditionRow, HpaRow};
    let mut s = mixed();
    let job =
        |name: &str, uid: &str, cronjob: Option<&str>, created: i64, outcome: &str| WorkloadRow {
            kind: WorkloadKind::Job,
            name: name.into(),
            uid: uid.into(),
            created_at: Some(created),
            images: vec!["registry.example.com/shop/migrate:1.5.0".into()],
            conditions: vec![ConditionRow {
                type_: outcome.into(),
                status: "True".into(),
                reason: (outcome == "Failed").then(|| "BackoffLimitExceeded".into()),
                message: (outcome == "Failed")
                    .then(|| "Job has reached the specified backoff limit".into()),
                updated_at: None,
            }],
            batch: Some(Box::new(BatchRow {
                completions: Some(1),
                parallelism: 1,
                backoff_limit: 6,
                succeeded: i32::from(outcome == "Complete"),
                failed: if outcome == "Failed" { 7 } else { 0 },
                started_at: Some(created),
                completed_at: Some(created + 42),
                cronjob: cronjob.map(String::from),
                ..BatchRow::default()
            })),
            ..WorkloadRow::default()
        };
    let msgs = vec![
        KubeMsg::Workloads(
            WorkloadKind::Job,
            Change::Reset(vec![
                job(
                    "db-migrate",
                    "uid-db-migrate",
                    None,
                    NOW - 3_600,
                    "Complete",
                ),
                job(
                    "report-29000",
                    "uid-r1",
                    Some("uid-report"),
                    NOW - 90_000,
                    "Complete",
                ),
                job(
                    "report-29100",
                    "uid-r2",
                    Some("uid-report"),
                    NOW - 3_000,
                    "Failed",
                ),
            ]),
        ),
        KubeMsg::Workloads(
            WorkloadKind::CronJob,
            Change::Reset(vec![WorkloadRow {
                kind: WorkloadKind::CronJob,
                name: "report".into(),
                uid: "uid-report".into(),
                images: vec!["registry.example.com/shop/report:2.0.0".into()],
                batch: Some(Box::new(BatchRow {
                    schedule: "0 3 * * *".into(),
                    last_schedule: Some(NOW - 3_000),
                    last_successful: Some(NOW - 90_000),
                    job_template: Some(serde_json::json!({
                        "metadata": {"labels": {"app": "report"}},
                        "spec": {"template": {"spec": {"restartPolicy": "Never",
                            "containers": [{"name": "report", "image": "registry.example.com/shop/report:2.0.0"}]}}}
                    })),
                    ..BatchRow::default()
                })),
                ..WorkloadRow::default()
            }]),
        ),
        KubeMsg::Hpas(Change::Reset(vec![HpaRow {
            name: "api".into(),
            target_kind: "Deployment".into(),
            target: "api".into(),
            min: 2,
            max: 6,
            current: 3,
            desired: 3,
            metrics: vec![("cpu".into(), "45%".into(), "70%".into())],
            conditions: vec![ConditionRow {
                type_: "ScalingLimited".into(),
                status: "False".into(),
                reason: Some("DesiredWithinRange".into()),
                message: Some("the desired count is within the acceptable range".into()),
                updated_at: None,
            }],
        }])),
    ];
    for m in msgs {
        update(&mut s, Msg::Kube(0, m));
    }
    s.cluster.refresh(NOW);
    s
}

#[test]
fn jobs_cronjobs_and_an_autoscaler_in_the_rollouts_pane() {
    let mut s = with_batch();
    select(&mut s, WorkloadKind::CronJob, "report");
    let screen = render(&s, 160, 30);
    for needle in [
        "✗ failed   report        cj     0 3 * * *",
        "report-29100",
        "✓ complete db-migrate    job    ████████ 1/1",
        "hpa 2-6",
        "its last Job report-29100 failed: BackoffLimitExceeded",
    ] {
        assert!(screen.contains(needle), "{needle:?} not in\n{screen}");
    }
    // A CronJob's Jobs are not rows of their own.
    assert!(!screen.contains("report-29000 "), "{screen}");
    assert_snapshot!("rollouts_jobs_cronjobs_hpa_160x30", screen);
}

#[test]
fn a_cronjobs_view_lists_its_jobs_newest_first() {
    let mut s = with_batch();
    select(&mut s, WorkloadKind::CronJob, "report");
    press(&mut s, KeyCode::Enter);
    let screen = render(&s, 140, 30);
    for needle in [
        "cronjob/report ✗ failed",
        "schedule 0 3 * * * · last scheduled 50m ago · last succeeded 25h ago",
        "Jobs 2 ",
        "report-29100             ● newest",
        "job \"report-29100\" failed: BackoffLimitExceeded",
        "job \"report-29000\" completed: 1/1 succeeded in 42s",
    ] {
        assert!(screen.contains(needle), "{needle:?} not in\n{screen}");
    }
    assert_snapshot!("workload_view_cronjob_140x30", screen);
}

#[test]
fn scaling_a_workload_an_hpa_steers_warns_and_offers_its_range() {
    let mut s = with_batch();
    select(&mut s, WorkloadKind::Deployment, "api");
    press(&mut s, KeyCode::Char('s'));
    let screen = render(&s, 120, 30);
    assert!(
        screen.contains("hpa/api scales it between 2 and 6"),
        "{screen}"
    );
    assert_snapshot!("dialog_scale_hpa_managed_120x30", screen);
    // MIN-MAX: the HPA's range is changed, through the dry run.
    for c in "3-8".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    let Some(Dialog::Checking { plan, .. }) = s.dialog() else {
        panic!("no dry run: {:?}", s.dialog());
    };
    assert_eq!(plan.summary, "change hpa/api from 2-6 to 3-8 replicas");
    // A count: scaled, with the warning that the HPA sets it back.
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('s'));
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Enter);
    let Some(Dialog::Checking { plan, warning, .. }) = s.dialog() else {
        panic!("no dry run: {:?}", s.dialog());
    };
    assert_eq!(plan.summary, "scale deployment/api from 3 to 5 replicas");
    assert!(
        warning
            .as_deref()
            .is_some_and(|w| w.contains("will set its own count again")),
        "{warning:?}"
    );
}

#[test]
fn a_cronjob_is_suspended_and_run_now_and_a_finished_job_says_why_it_does_not_rerun() {
    let mut s = with_batch();
    select(&mut s, WorkloadKind::CronJob, "report");
    // The footer says what r and p do to a CronJob.
    let footer = render(&s, 160, 30);
    assert!(
        footer.contains("r run now") && footer.contains("p suspend"),
        "{footer}"
    );
    press(&mut s, KeyCode::Char('p'));
    let Some(Dialog::Checking { plan, .. }) = s.dialog() else {
        panic!("no dry run: {:?}", s.dialog());
    };
    assert_eq!(
        plan.summary,
        "suspend cronjob/report (no new Jobs until resumed)"
    );
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('r'));
    let Some(Dialog::Checking { plan, .. }) = s.dialog() else {
        panic!("no dry run: {:?}", s.dialog());
    };
    assert!(
        plan.summary
            .starts_with("run cronjob/report now: create job/report-manual-"),
        "{}",
        plan.summary
    );
    assert_eq!(plan.verb, "POST");
    press(&mut s, KeyCode::Esc);
    select(&mut s, WorkloadKind::Job, "db-migrate");
    press(&mut s, KeyCode::Char('r'));
    let notice = s.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("job/db-migrate has finished (Complete)"),
        "{notice}"
    );
    press(&mut s, KeyCode::Char('u'));
    let notice = s.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("has no revisions to roll back to"),
        "{notice}"
    );
}

#[test]
fn a_running_jobs_view_and_the_retry_of_its_pod_in_a_crash_loop() {
    use ops_tui::kube::model::BatchRow;
    let mut s = with_batch();
    let seed = WorkloadRow {
        kind: WorkloadKind::Job,
        name: "seed".into(),
        uid: "uid-seed".into(),
        created_at: Some(NOW - 300),
        images: vec!["registry.example.com/shop/seed:1.0".into()],
        batch: Some(Box::new(BatchRow {
            completions: Some(2),
            parallelism: 2,
            backoff_limit: 4,
            active: 2,
            succeeded: 0,
            failed: 1,
            started_at: Some(NOW - 300),
            ..BatchRow::default()
        })),
        ..WorkloadRow::default()
    };
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(WorkloadKind::Job, Change::Upsert(seed)),
        ),
    );
    let mut looping = pod("seed-k2x9p", "seed", "", false);
    looping.phase = PodPhase::Failing;
    looping.status = "CrashLoopBackOff".into();
    looping.restarts = 4;
    let running = pod("seed-q7m3z", "seed", "", true);
    for p in [looping, running] {
        update(&mut s, Msg::Kube(0, KubeMsg::Pods(Change::Upsert(p))));
    }
    s.cluster.refresh(NOW + 60);
    select(&mut s, WorkloadKind::Job, "seed");
    press(&mut s, KeyCode::Enter);
    let screen = render(&s, 140, 30);
    for needle in [
        "job/seed ▲ running · 0 of 2 succeeded · 2 active · 1 failed (backoff limit 4) · parallelism 2",
        "seed-k2x9p CrashLoopBackOff",
        "A Job has no revisions: it runs once.",
    ] {
        assert!(screen.contains(needle), "{needle:?} not in\n{screen}");
    }
    assert_snapshot!("workload_view_job_140x30", screen);
    press(&mut s, KeyCode::Char('r'));
    let Some(Dialog::Checking { plan, .. }) = s.dialog() else {
        panic!("no dry run: {:?} {:?}", s.dialog(), s.notice);
    };
    assert_eq!(
        plan.summary,
        "delete pod/seed-k2x9p of job/seed (its controller starts a new pod)"
    );
    assert_eq!(plan.path, "/api/v1/namespaces/shop-prod/pods/seed-k2x9p");
}
