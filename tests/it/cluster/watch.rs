//! The dashboard's view of the cluster, fed by the real watches over HTTP
//! from the simulator: it converges on the cluster's state, and stays right
//! through dropped watches, an API server restart and a forced relist.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use ops_sim::SimOptions;
use ops_sim::cluster::{Timing, lock};
use ops_sim::scenario::ScenarioName;
use ops_sim::store::Kind;
use ops_tui::kube::model::{PodPhase, WorkloadKind};
use ops_tui::kube::rollout::Rollout;
use ops_tui::kube::{KubeconfigError, connect, watch};
use ops_tui::state::Msg;
use ops_tui::state::cluster::ClusterState;
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(30);

/// Applies messages until `cond` holds (bounded).
async fn until(
    rx: &mut mpsc::Receiver<Msg>,
    state: &mut ClusterState,
    what: &str,
    cond: impl Fn(&ClusterState) -> bool,
) {
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        state.refresh(jiff::Timestamp::now().as_second());
        if cond(state) {
            return;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(Msg::Kube(_, m))) => state.update(m, jiff::Timestamp::now().as_second()),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watches ended"),
            Err(_) => panic!("{what}: not within {LIMIT:?}; rows: {:#?}", state.rows),
        }
    }
}

/// The Deployments' rows, by name (the scenario's other kinds are judged
/// on their own).
fn names(state: &ClusterState) -> Vec<&str> {
    let mut n: Vec<&str> = deployments(state).map(|r| r.name.as_str()).collect();
    n.sort();
    n
}

fn deployments(state: &ClusterState) -> impl Iterator<Item = &ops_tui::kube::cluster::RolloutRow> {
    state
        .rows
        .iter()
        .filter(|r| r.kind == WorkloadKind::Deployment)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_view_follows_the_cluster_through_restarts_and_relists() {
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::GoLive),
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = ops_sim::kubeconfig::write(dir.path(), &sim.kubeconfig("shop-prod")).unwrap();
    let conn = connect(Some(&path), Some("demo"), None).await.unwrap();
    assert_eq!(
        (
            conn.context.as_str(),
            conn.namespace.as_str(),
            conn.user.as_str()
        ),
        ("demo", "shop-prod", "admin")
    );
    let (tx, mut rx) = mpsc::channel(4096);
    let task = tokio::spawn(async move {
        watch::watch_all(
            &conn,
            &ops_tui::kube::watch::Scope::One(conn.namespace.clone()),
            None,
            0,
            ops_tui::sink::Sink {
                tx,
                wrap: Msg::Kube,
            },
        )
        .await
    });
    let mut state = ClusterState::new(Vec::new());

    // The release in progress completes, and every row is there once.
    until(&mut rx, &mut state, "api complete", |s| {
        deployments(s).count() == 4
            && s.rows
                .iter()
                .all(|r| r.rollout.as_ref().is_some_and(Rollout::is_complete))
    })
    .await;
    assert_eq!(names(&state), ["api", "web-blue", "web-green", "worker"]);
    // The StatefulSet and DaemonSet, as kubectl rollout status judges them,
    // with their pods counted and their revision from ControllerRevisions.
    let db = state.rows.iter().find(|r| r.name == "db").unwrap();
    assert_eq!(db.kind, WorkloadKind::StatefulSet);
    assert_eq!(
        db.rollout
            .as_ref()
            .unwrap()
            .message(WorkloadKind::StatefulSet),
        "partitioned roll out complete: 3 new pods have been updated..."
    );
    assert_eq!(db.pods.get(&PodPhase::Running), Some(&3));
    assert_eq!(db.workload.as_ref().unwrap().revision, 2);
    let agent = state.rows.iter().find(|r| r.name == "log-agent").unwrap();
    assert_eq!(agent.kind, WorkloadKind::DaemonSet);
    assert_eq!(
        agent
            .rollout
            .as_ref()
            .unwrap()
            .message(WorkloadKind::DaemonSet),
        "daemon set \"log-agent\" successfully rolled out"
    );
    assert_eq!(agent.pods.get(&PodPhase::Running), Some(&3));
    let api = state.rows.iter().find(|r| r.name == "api").unwrap();
    assert_eq!(api.workload.as_ref().unwrap().revision, 2);
    // The old pods finish terminating: three running pods remain.
    until(&mut rx, &mut state, "old api pods gone", |s| {
        let api = s.rows.iter().find(|r| r.name == "api");
        api.is_some_and(|r| r.pods.len() == 1 && r.pods.get(&PodPhase::Running) == Some(&3))
    })
    .await;

    // Dropped watches: the view keeps up with a change made after.
    sim.drop_watches();
    {
        let mut c = lock(&sim.cluster);
        c.store.delete(Kind::Deployment, "shop-prod", "web-blue");
    }
    until(
        &mut rx,
        &mut state,
        "web-blue gone after a dropped watch",
        |s| names(s) == ["api", "web-green", "worker"],
    )
    .await;

    // The API server restarts and forgets its history meanwhile: the watches
    // relist, and a Deployment deleted during the outage leaves no stale row.
    sim.restart_api();
    {
        let mut c = lock(&sim.cluster);
        c.store.delete(Kind::Deployment, "shop-prod", "web-green");
        c.store.compact();
    }
    until(
        &mut rx,
        &mut state,
        "web-green gone after a restart and relist",
        |s| names(s) == ["api", "worker"] && s.trouble().is_none(),
    )
    .await;
    task.abort();
}

#[tokio::test]
async fn a_forbidden_watch_is_reported_and_the_others_keep_working() {
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::GoLive),
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    lock(&sim.cluster).faults.forbidden.push(Kind::Pod);
    let dir = tempfile::tempdir().unwrap();
    let path = ops_sim::kubeconfig::write(dir.path(), &sim.kubeconfig("shop-prod")).unwrap();
    let conn = connect(Some(&path), Some("demo-viewer"), None)
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::channel(4096);
    let task = tokio::spawn(async move {
        watch::watch_all(
            &conn,
            &ops_tui::kube::watch::Scope::One(conn.namespace.clone()),
            None,
            0,
            ops_tui::sink::Sink {
                tx,
                wrap: Msg::Kube,
            },
        )
        .await
    });
    let mut state = ClusterState::new(Vec::new());
    until(
        &mut rx,
        &mut state,
        "pods forbidden, deployments listed",
        |s| {
            deployments(s).count() == 4
                && s.trouble()
                    .is_some_and(|(r, _, forbidden, _)| r.name() == "pods" && forbidden)
        },
    )
    .await;
    let (_, error, _, _) = state.trouble().unwrap();
    assert!(error.contains("cannot list resource \"pods\""), "{error}");
    task.abort();
}

#[tokio::test]
async fn connection_errors_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = connect(Some(&missing), None, None).await.err().unwrap();
    assert!(
        matches!(&err, KubeconfigError::Unreadable { path: Some(p), .. } if *p == missing),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.starts_with(&format!("kubeconfig {}", missing.display())),
        "{err}"
    );
    let sim = common::sim::start().await;
    let path = ops_sim::kubeconfig::write(dir.path(), &sim.kubeconfig("shop")).unwrap();
    let err = connect(Some(&path), Some("prod"), None)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&err, KubeconfigError::NoContext { name, .. } if name == "prod"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no context \"prod\" in the kubeconfig (it has: demo, demo-viewer)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workload_view_gets_pods_history_conditions_events_and_services_from_the_watches() {
    use ops_tui::state::workload::derive;
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::Incident),
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    let ns = sim.namespace().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = ops_sim::kubeconfig::write(dir.path(), &sim.kubeconfig(&ns)).unwrap();
    let conn = connect(Some(&path), Some("demo"), None).await.unwrap();
    let (tx, mut rx) = mpsc::channel(4096);
    let task = tokio::spawn(async move {
        watch::watch_all(
            &conn,
            &ops_tui::kube::watch::Scope::One(conn.namespace.clone()),
            None,
            0,
            ops_tui::sink::Sink {
                tx,
                wrap: Msg::Kube,
            },
        )
        .await
    });
    let mut state = ClusterState::new(Vec::new());
    // A release that crash-loops: its Warning events, its failing pods and
    // every revision reach the view.
    let client = common::sim::client(&sim, "demo").await;
    let api: kube::Api<k8s_openapi::api::apps::v1::Deployment> = kube::Api::namespaced(client, &ns);
    api.patch(
        "api",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Strategic(serde_json::json!({"spec": {"template": {"spec": {
            "containers": [{"name": "api", "image": "registry.example.com/shop/api:1.6.0-crash"}]
        }}}})),
    )
    .await
    .unwrap();
    until(&mut rx, &mut state, "a crash loop in the view", |s| {
        let w = derive(s, WorkloadKind::Deployment, "api");
        w.history.len() >= 3
            && w.pods
                .first()
                .is_some_and(|p| p.phase == PodPhase::Failing && p.restarts > 0)
            && w.events.iter().any(|e| e.warning && e.reason == "BackOff")
            && w.events
                .iter()
                .any(|e| e.kind == "Deployment" && e.reason == "ScalingReplicaSet")
    })
    .await;
    let w = derive(&state, WorkloadKind::Deployment, "api");
    let current: Vec<i64> = w
        .history
        .iter()
        .filter(|r| r.current)
        .map(|r| r.revision)
        .collect();
    assert_eq!(
        current,
        [w.workload.unwrap().revision],
        "exactly the Deployment's revision is current"
    );
    assert!(
        w.history.windows(2).all(|p| p[0].revision > p[1].revision),
        "newest first"
    );
    let crashing = w.pods.first().unwrap();
    assert_eq!(crashing.containers.len(), 1);
    assert!(
        ["CrashLoopBackOff", "Error"].contains(&crashing.status.as_str()),
        "{}",
        crashing.status
    );
    assert!(
        w.workload
            .unwrap()
            .conditions
            .iter()
            .any(|c| c.type_ == "Progressing"),
        "conditions are projected"
    );
    assert!(!state.services.is_empty(), "services are watched");
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runbooks_selector_narrows_the_pods_watched() {
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::GoLive),
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = ops_sim::kubeconfig::write(dir.path(), &sim.kubeconfig("shop-prod")).unwrap();
    let conn = connect(Some(&path), Some("demo"), None).await.unwrap();
    let (tx, mut rx) = mpsc::channel(4096);
    let task = tokio::spawn(async move {
        watch::watch_all(
            &conn,
            &ops_tui::kube::watch::Scope::One(conn.namespace.clone()),
            Some("app in (api,worker)"),
            0,
            ops_tui::sink::Sink {
                tx,
                wrap: Msg::Kube,
            },
        )
        .await
    });
    let mut state = ClusterState::new(Vec::new());
    until(&mut rx, &mut state, "api and worker pods", |s| {
        let count = |prefix: &str| s.pods.keys().filter(|p| p.starts_with(prefix)).count();
        count("api-") >= 3
            && count("worker-") >= 2
            && s.workloads
                .keys()
                .filter(|(kind, _)| *kind == WorkloadKind::Deployment)
                .count()
                == 4
    })
    .await;
    assert!(
        state
            .pods
            .keys()
            .all(|p| p.starts_with("api-") || p.starts_with("worker-")),
        "only the selected pods: {:?}",
        state.pods.keys().collect::<Vec<_>>()
    );
    assert!(
        state
            .workload(WorkloadKind::Deployment, "web-blue")
            .is_some(),
        "Deployments stay namespace-wide"
    );
    task.abort();
}
