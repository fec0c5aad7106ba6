//! The dashboard's view of the cluster, fed by the real watches over HTTP
//! from the simulator: it converges on the cluster's state, and stays right
//! through dropped watches, an API server restart and a forced relist.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use ops_tui::kube::model::PodPhase;
use ops_tui::kube::rollout::Rollout;
use ops_tui::kube::{connect, watch};
use ops_tui::sim::SimOptions;
use ops_tui::sim::cluster::{Timing, lock};
use ops_tui::sim::scenario::ScenarioName;
use ops_tui::sim::store::Kind;
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

fn names(state: &ClusterState) -> Vec<&str> {
    let mut n: Vec<&str> = state.rows.iter().map(|r| r.name.as_str()).collect();
    n.sort();
    n
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
    let path = ops_tui::sim::kubeconfig::write(dir.path(), &sim.kubeconfig("shop-prod")).unwrap();
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
    let task = tokio::spawn(async move { watch::watch_all(&conn, 0, tx).await });
    let mut state = ClusterState::new(Vec::new());

    // The release in progress completes, and every row is there once.
    until(&mut rx, &mut state, "api complete", |s| {
        s.rows.len() == 4 && s.rows.iter().all(|r| r.rollout == Some(Rollout::Complete))
    })
    .await;
    assert_eq!(names(&state), ["api", "web-blue", "web-green", "worker"]);
    let api = state.rows.iter().find(|r| r.name == "api").unwrap();
    assert_eq!(api.deployment.as_ref().unwrap().revision, 2);
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
    let path = ops_tui::sim::kubeconfig::write(dir.path(), &sim.kubeconfig("shop-prod")).unwrap();
    let conn = connect(Some(&path), Some("demo-viewer"), None)
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::channel(4096);
    let task = tokio::spawn(async move { watch::watch_all(&conn, 0, tx).await });
    let mut state = ClusterState::new(Vec::new());
    until(
        &mut rx,
        &mut state,
        "pods forbidden, deployments listed",
        |s| {
            s.rows.len() == 4
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
        err.starts_with(&format!("kubeconfig {}", missing.display())),
        "{err}"
    );
    let sim = common::sim::start().await;
    let path = ops_tui::sim::kubeconfig::write(dir.path(), &sim.kubeconfig("shop")).unwrap();
    let err = connect(Some(&path), Some("prod"), None)
        .await
        .err()
        .unwrap();
    assert_eq!(
        err,
        "no context \"prod\" in the kubeconfig (it has: demo, demo-viewer)"
    );
}
