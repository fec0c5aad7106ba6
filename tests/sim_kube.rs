//! kube-rs against the simulated API server over HTTP: rollouts, scaling,
//! restarts, rollbacks, pause, crash loops, dry runs, RBAC and watches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::sim::{NS, client, complete, create, deployment, start, wait_deployment};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::watcher;
use serde_json::json;

const LIMIT: Duration = Duration::from_secs(20);

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_rollout_runs_to_completion_and_a_watch_sees_it() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 3, "shop/api:1.0")).await;
    // Watch the Deployment from the beginning until it is complete.
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let mut stream = watcher(
        api.clone(),
        watcher::Config::default().fields("metadata.name=api"),
    )
    .boxed();
    let done = tokio::time::timeout(LIMIT, async {
        while let Some(event) = stream.next().await {
            if let Ok(watcher::Event::Apply(d)) = event
                && complete(&d)
            {
                return d;
            }
        }
        panic!("the watch ended");
    })
    .await
    .expect("the rollout completes");
    let status = done.status.unwrap();
    assert_eq!(status.ready_replicas, Some(3));
    let progressing = status
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_.as_deref() == Some("Progressing"))
        .unwrap();
    assert_eq!(
        progressing.reason.as_deref(),
        Some("NewReplicaSetAvailable")
    );
    // One ReplicaSet, revision 1, with the pod-template-hash label; three ready pods.
    let rs: Api<ReplicaSet> = Api::namespaced(c.clone(), NS);
    let sets = rs
        .list(&ListParams::default().labels("app=api"))
        .await
        .unwrap();
    assert_eq!(sets.items.len(), 1);
    assert_eq!(revision(&sets.items[0]), 1);
    assert!(
        sets.items[0]
            .metadata
            .labels
            .as_ref()
            .unwrap()
            .contains_key("pod-template-hash")
    );
    let pods: Api<Pod> = Api::namespaced(c.clone(), NS);
    let pods = pods
        .list(&ListParams::default().labels("app=api"))
        .await
        .unwrap();
    assert_eq!(pods.items.len(), 3);
    for p in &pods.items {
        let st = p.status.as_ref().unwrap();
        assert_eq!(st.phase.as_deref(), Some("Running"));
        assert!(p.spec.as_ref().unwrap().node_name.is_some());
    }
}
