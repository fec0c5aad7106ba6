//! kube-rs against the simulated API server over HTTP: rollouts, scaling,
//! restarts, rollbacks, pause, crash loops, dry runs, RBAC and watches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

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

async fn ready_deployment(name: &str, replicas: i32, image: &str) -> (ops_sim::Sim, kube::Client) {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment(name, replicas, image)).await;
    wait_deployment(&c, name, LIMIT, "first rollout", complete).await;
    (sim, c)
}

async fn replica_sets(c: &kube::Client, app: &str) -> Vec<ReplicaSet> {
    let rs: Api<ReplicaSet> = Api::namespaced(c.clone(), NS);
    let mut items = rs
        .list(&ListParams::default().labels(&format!("app={app}")))
        .await
        .unwrap()
        .items;
    items.sort_by_key(revision);
    items
}

fn replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(0)
}

#[tokio::test]
async fn scaling_through_the_subresource() {
    let (_sim, c) = ready_deployment("api", 2, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let scale = api.get_scale("api").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(2));
    assert_eq!(scale.status.unwrap().selector.as_deref(), Some("app=api"));
    api.patch_scale(
        "api",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 5}})),
    )
    .await
    .unwrap();
    let d = wait_deployment(&c, "api", LIMIT, "scaled to 5", |d| {
        complete(d) && d.status.as_ref().unwrap().ready_replicas == Some(5)
    })
    .await;
    assert_eq!(d.spec.replicas, Some(5));
    // Scaling does not create a new revision.
    assert_eq!(replica_sets(&c, "api").await.len(), 1);
    // Negative replicas are refused with 422 Invalid.
    let err = api
        .patch_scale(
            "api",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": -1}})),
        )
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 422);
            assert_eq!(s.reason, "Invalid");
            assert!(
                s.message.contains("must be greater than or equal to 0"),
                "{}",
                s.message
            );
        }
        other => panic!("expected a 422, got {other:?}"),
    }
}

#[tokio::test]
async fn a_restarted_at_patch_rolls_a_new_replica_set() {
    let (_sim, c) = ready_deployment("api", 3, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let before = api.get("api").await.unwrap();
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-23T05:00:00Z"}}}}});
    api.patch("api", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    let after = wait_deployment(&c, "api", LIMIT, "restart rollout", |d| {
        complete(d) && d.metadata.generation > before.metadata.generation
    })
    .await;
    assert_eq!(
        after.metadata.generation,
        Some(before.metadata.generation.unwrap() + 1)
    );
    let sets = replica_sets(&c, "api").await;
    assert_eq!(sets.len(), 2);
    assert_eq!((revision(&sets[0]), replicas(&sets[0])), (1, 0));
    assert_eq!((revision(&sets[1]), replicas(&sets[1])), (2, 3));
    // Every pod now belongs to the new ReplicaSet.
    let pods: Api<Pod> = Api::namespaced(c.clone(), NS);
    let hash = sets[1].metadata.labels.as_ref().unwrap()["pod-template-hash"].clone();
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let list = pods
            .list(&ListParams::default().labels("app=api"))
            .await
            .unwrap()
            .items;
        if list.len() == 3
            && list
                .iter()
                .all(|p| p.metadata.labels.as_ref().unwrap()["pod-template-hash"] == hash)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "old pods linger: {}",
            list.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The controller recorded what it did.
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(c.clone(), NS);
    let events = events
        .list(&ListParams::default().fields("involvedObject.name=api"))
        .await
        .unwrap()
        .items;
    let messages: Vec<String> = events.iter().filter_map(|e| e.message.clone()).collect();
    let new_name = sets[1].metadata.name.clone().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with(&format!("Scaled up replica set {new_name} from 0 to"))),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Scaled down replica set") && m.ends_with("to 0")),
        "{messages:?}"
    );
}

#[tokio::test]
async fn rolling_back_reuses_the_old_replica_set_with_a_new_revision() {
    let (_sim, c) = ready_deployment("api", 2, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let set_image = |image: &str| json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": image}]}}}});
    api.patch(
        "api",
        &PatchParams::default(),
        &Patch::Strategic(set_image("shop/api:2.0")),
    )
    .await
    .unwrap();
    wait_deployment(&c, "api", LIMIT, "v2 rollout", |d| {
        complete(d) && d.metadata.generation == Some(2)
    })
    .await;
    let first = replica_sets(&c, "api").await[0].metadata.name.clone();
    // Back to the first template.
    api.patch(
        "api",
        &PatchParams::default(),
        &Patch::Strategic(set_image("shop/api:1.0")),
    )
    .await
    .unwrap();
    let d = wait_deployment(&c, "api", LIMIT, "rollback", |d| {
        complete(d) && d.metadata.generation == Some(3)
    })
    .await;
    let sets = replica_sets(&c, "api").await;
    assert_eq!(sets.len(), 2, "no third ReplicaSet");
    // The old ReplicaSet took revision 3; revision 1 is gone from the history.
    let current = sets.iter().find(|rs| rs.metadata.name == first).unwrap();
    assert_eq!(revision(current), 3);
    assert_eq!(replicas(current), 2);
    let revisions: Vec<i64> = sets.iter().map(revision).collect();
    assert_eq!(revisions, [2, 3]);
    assert_eq!(
        d.metadata.annotations.unwrap()["deployment.kubernetes.io/revision"],
        "3"
    );
}

#[tokio::test]
async fn a_paused_deployment_does_not_roll_until_resumed() {
    let (_sim, c) = ready_deployment("api", 2, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    api.patch(
        "api",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"paused": true}})),
    )
    .await
    .unwrap();
    api.patch("api", &PatchParams::default(), &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": "shop/api:2.0"}]}}}}))).await.unwrap();
    // Both patches observed (the paused condition alone may predate the
    // image change), and the Deployment says it is paused.
    let d = wait_deployment(&c, "api", LIMIT, "paused condition", |d| {
        d.status.as_ref().and_then(|s| s.observed_generation) == d.metadata.generation
            && d.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c.reason.as_deref() == Some("DeploymentPaused"))
                })
    })
    .await;
    assert_eq!(d.status.unwrap().observed_generation, d.metadata.generation);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        replica_sets(&c, "api").await.len(),
        1,
        "a paused Deployment rolled"
    );
    api.patch(
        "api",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"paused": false}})),
    )
    .await
    .unwrap();
    wait_deployment(&c, "api", LIMIT, "resumed rollout", |d| {
        complete(d) && d.status.as_ref().unwrap().updated_replicas == Some(2)
    })
    .await;
    assert_eq!(replica_sets(&c, "api").await.len(), 2);
}

#[tokio::test]
async fn a_crashing_image_stalls_and_exceeds_its_progress_deadline() {
    let (_sim, c) = ready_deployment("api", 2, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let patch = json!({"spec": {"progressDeadlineSeconds": 2, "template": {"spec": {"containers": [{"name": "api", "image": "shop/api:2.0-crash"}]}}}});
    api.patch("api", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    let d = wait_deployment(&c, "api", LIMIT, "ProgressDeadlineExceeded", |d| {
        d.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| {
                cs.iter().any(|c| {
                    c.type_.as_deref() == Some("Progressing")
                        && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
                        && c.status.as_deref() == Some("False")
                })
            })
    })
    .await;
    // The old pods keep serving: availability holds within maxUnavailable.
    let status = d.status.unwrap();
    assert!(status.available_replicas.unwrap_or(0) >= 1, "{status:?}");
    // The new pods crash-loop.
    let pods: Api<Pod> = Api::namespaced(c.clone(), NS);
    let crashing = pods
        .list(&ListParams::default().labels("app=api"))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        // It has died and been restarted, and never became ready.
                        let died = c
                            .last_state
                            .as_ref()
                            .and_then(|s| s.terminated.as_ref())
                            .is_some_and(|t| {
                                t.reason.as_deref() == Some("Error") && t.exit_code == 1
                            });
                        c.restart_count > 0 && died && !c.ready
                    })
                })
        })
        .count();
    assert!(crashing >= 1, "no crash-looping pod");
}

#[tokio::test]
async fn dry_run_changes_nothing() {
    let (_sim, c) = ready_deployment("api", 2, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let before = api.get("api").await.unwrap();
    let dry = PatchParams {
        dry_run: true,
        ..PatchParams::default()
    };
    let answered = api
        .patch("api", &dry, &Patch::Merge(json!({"spec": {"replicas": 7}})))
        .await
        .unwrap();
    assert_eq!(
        answered.spec.replicas,
        Some(7),
        "the dry run answers with the result"
    );
    let scaled = api
        .patch_scale("api", &dry, &Patch::Merge(json!({"spec": {"replicas": 9}})))
        .await
        .unwrap();
    assert_eq!(scaled.spec.unwrap().replicas, Some(9));
    let created = api
        .create(
            &PostParams {
                dry_run: true,
                ..PostParams::default()
            },
            &deployment("other", 1, "x:1"),
        )
        .await
        .unwrap();
    assert_eq!(created.metadata.name.as_deref(), Some("other"));
    let pods: Api<Pod> = Api::namespaced(c.clone(), NS);
    let pod = pods.list(&ListParams::default()).await.unwrap().items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    pods.delete(
        &pod,
        &kube::api::DeleteParams {
            dry_run: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = api.get("api").await.unwrap();
    assert_eq!(after.spec.replicas, Some(2));
    assert_eq!(after.metadata.generation, before.metadata.generation);
    assert!(api.get_opt("other").await.unwrap().is_none());
    assert!(
        pods.get(&pod)
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_none()
    );
}

#[tokio::test]
async fn the_viewer_reads_but_every_mutation_is_forbidden() {
    let (sim, _admin) = ready_deployment("api", 1, "shop/api:1.0").await;
    let viewer = client(&sim, "demo-viewer").await;
    let api: Api<Deployment> = Api::namespaced(viewer.clone(), NS);
    assert_eq!(
        api.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );
    let forbidden = |e: kube::Error| match e {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
            s.message
        }
        other => panic!("expected 403, got {other:?}"),
    };
    let msg = forbidden(
        api.patch_scale(
            "api",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(
        msg,
        "deployments.apps \"api\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"shop\""
    );
    let msg = forbidden(
        api.patch(
            "api",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"paused": true}})),
        )
        .await
        .unwrap_err(),
    );
    assert!(
        msg.contains("cannot patch resource \"deployments\""),
        "{msg}"
    );
    let pods: Api<Pod> = Api::namespaced(viewer, NS);
    let pod = pods.list(&ListParams::default()).await.unwrap().items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    let msg = forbidden(pods.delete(&pod, &Default::default()).await.unwrap_err());
    assert!(
        msg.contains("cannot delete resource \"pods\" in API group \"\""),
        "{msg}"
    );
}

#[tokio::test]
async fn a_watch_from_a_compacted_version_gets_410_and_a_relist_recovers() {
    let (sim, c) = ready_deployment("api", 1, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let old_rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    // More changes, then the history is compacted.
    api.patch_scale(
        "api",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 2}})),
    )
    .await
    .unwrap();
    ops_sim::cluster::lock(&sim.cluster).store.compact();
    let mut stream = api
        .watch(&WatchParams::default(), &old_rv)
        .await
        .unwrap()
        .boxed();
    match stream.next().await {
        Some(Ok(WatchEvent::Error(e))) => {
            assert_eq!(e.code, 410);
            assert_eq!(e.reason, "Expired");
        }
        other => panic!("expected 410 Gone, got {other:?}"),
    }
    // The relist gives a current version that a watch accepts.
    let list = api.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items[0].spec.replicas, Some(2));
    let rv = list.metadata.resource_version.unwrap();
    api.patch_scale(
        "api",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 3}})),
    )
    .await
    .unwrap();
    let mut stream = api
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    // As from the real API server, the watch gives every change after the
    // relist's version in order: the controller may still be writing the
    // status of the scale to 2 (a pod becoming ready), and those writes
    // come first, each newer than the last; then the scale to 3.
    let mut last: u64 = rv.parse().unwrap();
    loop {
        let event = tokio::time::timeout(LIMIT, stream.next()).await.unwrap();
        let Some(Ok(WatchEvent::Modified(d))) = event else {
            panic!("expected MODIFIED, got {event:?}");
        };
        let version: u64 = d
            .metadata
            .resource_version
            .as_deref()
            .unwrap()
            .parse()
            .unwrap();
        assert!(version > last, "{version} after {last}");
        last = version;
        match d.spec.replicas {
            Some(3) => break,
            Some(2) => continue,
            other => panic!("expected 2 replicas then 3, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn selectors_pagination_and_errors_behave_like_the_api_server() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    for name in ["api", "web", "worker"] {
        create(&c, &deployment(name, 1, "shop/x:1")).await;
    }
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let names = |l: kube::core::ObjectList<Deployment>| {
        l.items
            .into_iter()
            .map(|d| d.metadata.name.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("app in (api,web)"))
                .await
                .unwrap()
        ),
        ["api", "web"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("app!=api"))
                .await
                .unwrap()
        ),
        ["web", "worker"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().fields("metadata.name=worker"))
                .await
                .unwrap()
        ),
        ["worker"]
    );
    let page = api.list(&ListParams::default().limit(2)).await.unwrap();
    let token = page.metadata.continue_.clone().unwrap();
    assert_eq!(names(page), ["api", "web"]);
    let rest = api
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .unwrap();
    assert!(rest.metadata.continue_.as_deref().unwrap_or("").is_empty());
    assert_eq!(names(rest), ["worker"]);
    match api.get("nope").await.unwrap_err() {
        kube::Error::Api(s) => assert_eq!(
            (s.code, s.reason.as_str(), s.message.as_str()),
            (404, "NotFound", "deployments.apps \"nope\" not found")
        ),
        other => panic!("{other:?}"),
    }
    // A stale resourceVersion on update is a conflict.
    let mut d = api.get("api").await.unwrap();
    d.metadata.resource_version = Some("1".into());
    match api
        .replace("api", &PostParams::default(), &d)
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (409, "Conflict")),
        other => panic!("{other:?}"),
    }
    // A patch that cannot apply is 422.
    let bad = Patch::Json::<()>(
        serde_json::from_value(json!([{"op": "replace", "path": "/spec/nope/x", "value": 1}]))
            .unwrap(),
    );
    match api
        .patch("api", &PatchParams::default(), &bad)
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (422, "Invalid")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_deleted_pod_is_replaced_by_its_replica_set() {
    let (_sim, c) = ready_deployment("api", 2, "shop/api:1.0").await;
    let pods: Api<Pod> = Api::namespaced(c.clone(), NS);
    let victim = pods.list(&ListParams::default()).await.unwrap().items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    pods.delete(&victim, &Default::default()).await.unwrap();
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let list = pods.list(&ListParams::default()).await.unwrap().items;
        let names: Vec<String> = list
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        let ready = list
            .iter()
            .filter(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
            .count();
        if !names.contains(&victim) && names.len() == 2 && ready == 2 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not replaced: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn dropped_watches_end_and_a_restarted_api_server_comes_back_with_its_state() {
    let (sim, c) = ready_deployment("api", 1, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut stream = api
        .watch(&WatchParams::default().timeout(60), &rv)
        .await
        .unwrap()
        .boxed();
    sim.drop_watches();
    let ended = tokio::time::timeout(LIMIT, async {
        while let Some(item) = stream.next().await {
            if item.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the watch did not end");

    sim.restart_api();
    // Requests fail while it is down, then work again with the same state.
    let deadline = tokio::time::Instant::now() + LIMIT;
    let mut failed = false;
    loop {
        match api.get("api").await {
            Ok(d) if failed || tokio::time::Instant::now() > deadline => {
                assert_eq!(d.spec.replicas, Some(1));
                break;
            }
            Ok(_) => {}
            Err(_) => failed = true,
        }
        assert!(
            tokio::time::Instant::now() < deadline + LIMIT,
            "the API server did not come back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(failed, "the restart was not noticed");
}

/// Pods that count: not being deleted.
async fn live_pods(c: &kube::Client, app: &str) -> Vec<Pod> {
    let pods: Api<Pod> = Api::namespaced(c.clone(), NS);
    pods.list(&ListParams::default().labels(&format!("app={app}")))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect()
}

fn is_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

#[tokio::test]
async fn a_rolling_update_stays_within_max_surge_and_max_unavailable() {
    let mut d = deployment("api", 4, "shop/api:1.0");
    d.spec.strategy = Some(
        serde_json::from_value(
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}),
        )
        .unwrap(),
    );
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &d).await;
    wait_deployment(&c, "api", LIMIT, "first rollout", complete).await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    api.patch("api", &PatchParams::default(), &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": "shop/api:2.0"}]}}}}))).await.unwrap();
    // Sample the pods until the rollout completes: never more than 4 + 1
    // live pods, never fewer than 4 - 1 ready ones.
    let deadline = tokio::time::Instant::now() + LIMIT;
    let (mut most, mut fewest_ready) = (0, usize::MAX);
    loop {
        let pods = live_pods(&c, "api").await;
        most = most.max(pods.len());
        fewest_ready = fewest_ready.min(pods.iter().filter(|p| is_ready(p)).count());
        let d = api.get("api").await.unwrap();
        if complete(&d) && d.metadata.generation == Some(2) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the rollout did not complete"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(most <= 5, "{most} live pods: more than replicas + maxSurge");
    assert!(
        fewest_ready >= 3,
        "{fewest_ready} ready pods: fewer than replicas - maxUnavailable"
    );
    assert!(
        most == 5 || fewest_ready == 3,
        "the rollout used neither surge nor unavailability"
    );
}

#[tokio::test]
async fn recreate_stops_every_old_pod_before_starting_new_ones() {
    let mut d = deployment("api", 3, "shop/api:1.0");
    d.spec.strategy = Some(serde_json::from_value(json!({"type": "Recreate"})).unwrap());
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &d).await;
    wait_deployment(&c, "api", LIMIT, "first rollout", complete).await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    api.patch("api", &PatchParams::default(), &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": "shop/api:2.0"}]}}}}))).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(c.clone(), NS);
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        // Any pod at all (terminating included): never old and new together.
        let all = pods
            .list(&ListParams::default().labels("app=api"))
            .await
            .unwrap()
            .items;
        let image = |p: &Pod| {
            p.spec.as_ref().unwrap().containers[0]
                .image
                .clone()
                .unwrap()
        };
        let old = all.iter().filter(|p| image(p) == "shop/api:1.0").count();
        let new = all.iter().filter(|p| image(p) == "shop/api:2.0").count();
        assert!(old == 0 || new == 0, "{old} old and {new} new pods at once");
        let d = api.get("api").await.unwrap();
        if complete(&d) && d.metadata.generation == Some(2) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the rollout did not complete"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn revision_history_limit_prunes_old_replica_sets() {
    let mut d = deployment("api", 1, "shop/api:1");
    d.spec.revision_history_limit = Some(1);
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &d).await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    for v in 2..=4 {
        wait_deployment(&c, "api", LIMIT, "rollout", |d| {
            complete(d) && d.metadata.generation == Some(v - 1)
        })
        .await;
        let image = format!("shop/api:{v}");
        api.patch("api", &PatchParams::default(), &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": image}]}}}}))).await.unwrap();
    }
    wait_deployment(&c, "api", LIMIT, "last rollout", |d| {
        complete(d) && d.metadata.generation == Some(4)
    })
    .await;
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let revisions: Vec<i64> = replica_sets(&c, "api").await.iter().map(revision).collect();
        if revisions == [3, 4] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "history not pruned: {revisions:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn crash_loops_record_back_off_events() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 1, "shop/api:1.0-crash")).await;
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(c.clone(), NS);
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let list = events
            .list(&ListParams::default().fields("involvedObject.kind=Pod"))
            .await
            .unwrap()
            .items;
        let reasons: Vec<(String, String)> = list
            .iter()
            .map(|e| {
                (
                    e.reason.clone().unwrap_or_default(),
                    e.type_.clone().unwrap_or_default(),
                )
            })
            .collect();
        if reasons.contains(&("BackOff".into(), "Warning".into()))
            && reasons.contains(&("Unhealthy".into(), "Warning".into()))
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no BackOff/Unhealthy events: {reasons:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn watches_send_bookmarks_and_end_after_timeout_seconds() {
    let (_sim, c) = ready_deployment("api", 1, "shop/api:1.0").await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let params = WatchParams::default().timeout(3); // bookmarks are on by default
    let mut stream = api.watch(&params, &rv).await.unwrap().boxed();
    let started = tokio::time::Instant::now();
    let mut bookmark = false;
    let ended = tokio::time::timeout(LIMIT, async {
        while let Some(event) = stream.next().await {
            if let Ok(WatchEvent::Bookmark(b)) = event {
                assert!(!b.metadata.resource_version.is_empty());
                bookmark = true;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the watch did not end");
    assert!(bookmark, "no bookmark");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "ended too early: {:?}",
        started.elapsed()
    );
}
