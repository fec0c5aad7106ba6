//! The `scale` scenario: 500 workloads (460 Deployments, 20 StatefulSets,
//! 20 DaemonSets) and 20,000 pods load, list through the API with
//! pagination, and roll.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use ops_sim::SimOptions;
use ops_sim::cluster::Timing;
use ops_sim::scenario::{ScaleSize, ScenarioName};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_deployments_and_twenty_thousand_pods() {
    let started = Instant::now();
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::Scale),
        size: ScaleSize {
            deployments: 500,
            pods: 20_000,
            namespaces: 1,
        },
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    let seeded = started.elapsed();
    assert_eq!(sim.counts(), (460, 20_000));
    let client = common::sim::client(&sim, "demo").await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "scale");
    let list = deployments.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 460);
    assert!(
        list.items
            .iter()
            .all(|d| d.status.as_ref().and_then(|s| s.ready_replicas) == d.spec.replicas)
    );
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), "scale");
    let sets = sets.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(sets.len(), 20);
    assert!(sets.iter().all(|s| {
        let status = s.status.as_ref().unwrap();
        status.ready_replicas == s.spec.replicas
            && status.current_revision == status.update_revision
    }));
    let daemons: Api<DaemonSet> = Api::namespaced(client.clone(), "scale");
    let daemons = daemons.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(daemons.len(), 20);
    assert!(
        daemons
            .iter()
            .all(|d| d.status.as_ref().unwrap().number_ready == 3)
    );
    // Pods, a page of 500 at a time as kube-rs watchers list them.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "scale");
    let listing = Instant::now();
    let mut total = 0;
    let mut token: Option<String> = None;
    for _ in 0..100 {
        let mut lp = ListParams::default().limit(500);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = pods.list(&lp).await.unwrap();
        total += page.items.len();
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    assert_eq!(total, 20_000);
    let listed = listing.elapsed();
    // One Deployment rolls among all the others.
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "now"}}}}});
    deployments
        .patch(
            "app-0007",
            &PatchParams::default(),
            &Patch::Strategic(patch),
        )
        .await
        .unwrap();
    let d = common::sim::wait_deployment_in(
        &client,
        "scale",
        "app-0007",
        Duration::from_secs(60),
        "rollout at scale",
        |d| common::sim::complete(d) && d.metadata.generation == Some(2),
    )
    .await;
    assert_eq!(d.status.unwrap().updated_replicas, d.spec.replicas);
    println!(
        "scale: seeded in {seeded:?}, listed 20,000 pods in {listed:?}, total {:?}",
        started.elapsed()
    );
}

/// A read of 5,000 pods' usage comes in parts of about `PART` as it is parsed,
/// then the rest: together the figures of one whole read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_usage_read_comes_in_parts_that_make_the_whole() {
    use ops_tui::kube::KubeMsg;
    use ops_tui::kube::metrics::{PART, UsageReport, Where, read, read_in_parts};
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::Scale),
        size: ScaleSize {
            deployments: 50,
            pods: 5_000,
            namespaces: 1,
        },
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    let client = common::sim::client(&sim, "demo").await;
    let place = Where::One("scale".into());
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let out = ops_tui::sink::Sink {
        tx,
        wrap: |_, msg: KubeMsg| msg,
    };
    let report = read_in_parts(&client, &place, Some((&out, 7))).await;
    drop(out);
    let mut names = Vec::new();
    let mut parts = 0;
    while let Some(msg) = rx.recv().await {
        let KubeMsg::UsagePart(part) = msg else {
            panic!("not a part: {msg:?}");
        };
        // Sent once a piece of the answer brings it to `PART` or more.
        assert!(
            part.len() >= PART && part.len() < 2 * PART,
            "{}",
            part.len()
        );
        parts += 1;
        names.extend(part.iter().map(|(n, _)| n.to_string()));
    }
    let UsageReport::Read { pods: rest, .. } = report else {
        panic!("{report:?}");
    };
    assert!(parts >= 1, "no part");
    assert!(rest.len() < 2 * PART, "{} in the rest", rest.len());
    names.extend(rest.iter().map(|(n, _)| n.to_string()));
    names.sort();
    let UsageReport::Read { pods: whole, .. } = read(&client, &place).await else {
        panic!("no whole read");
    };
    let whole: Vec<String> = whole.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(names.len(), 5_000);
    assert_eq!(names, whole);
}
