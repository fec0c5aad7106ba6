//! The real kubectl against `ops-tui demo --serve`: every command the
//! simulator promises, with what kubectl printed and the state that results.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::demo::Demo;

const FAST: &[&str] = &["--speed", "10"];

fn jsonpath(demo: &Demo, resource: &str, path: &str) -> String {
    demo.ok(&["get", resource, "-o", &format!("jsonpath={path}")])
}

fn revisions(demo: &Demo, deploy: &str) -> Vec<u32> {
    let history = demo.ok(&["rollout", "history", &format!("deploy/{deploy}")]);
    history
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn get_lists_everything_like_a_real_cluster() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&["get", "deploy,rs,pods,svc", "-o", "wide"]);
    for needle in [
        "deployment.apps/api",
        "deployment.apps/web-blue",
        "deployment.apps/web-green",
        "deployment.apps/worker",
        "READY   UP-TO-DATE   AVAILABLE",
        "replicaset.apps/api-",
        "pod/worker-",
        "Running",
        "service/web",
        "app=web,version=blue",
        "registry.example.com/shop/api:",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    let namespaces = demo.ok(&["get", "namespaces"]);
    assert!(
        namespaces.contains("shop-prod") && namespaces.contains("Active"),
        "{namespaces}"
    );
    // The release in progress finishes.
    let status = demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    assert!(
        status.contains("deployment \"api\" successfully rolled out"),
        "{status}"
    );
    assert_eq!(
        jsonpath(
            &demo,
            "deploy/api",
            "{.spec.template.spec.containers[0].image}"
        ),
        "registry.example.com/shop/api:1.5.0"
    );
    let events = demo.ok(&["get", "events"]);
    assert!(
        events.contains("ScalingReplicaSet") && events.contains("deployment/api"),
        "{events}"
    );
    assert!(
        events.contains("Scheduled") && events.contains("Started container api"),
        "{events}"
    );
}

#[test]
fn scale_restart_pause_and_resume() {
    let demo = Demo::start(FAST);
    // web-blue, which no HorizontalPodAutoscaler manages (worker's would
    // put its replicas back, as on a real cluster).
    let out = demo.ok(&["scale", "deploy/web-blue", "--replicas=4"]);
    assert_eq!(out.trim(), "deployment.apps/web-blue scaled");
    demo.ok(&["rollout", "status", "deploy/web-blue", "--timeout=60s"]);
    assert_eq!(
        jsonpath(&demo, "deploy/web-blue", "{.status.readyReplicas}"),
        "4"
    );
    assert_eq!(
        demo.ok(&["get", "pods", "-l", "app=web,version=blue", "-o", "name"])
            .lines()
            .count(),
        4
    );

    let out = demo.ok(&["rollout", "restart", "deploy/worker"]);
    assert_eq!(out.trim(), "deployment.apps/worker restarted");
    let restarted = jsonpath(
        &demo,
        "deploy/worker",
        "{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
    );
    assert!(!restarted.is_empty(), "no restartedAt annotation");
    demo.ok(&["rollout", "status", "deploy/worker", "--timeout=60s"]);
    assert_eq!(revisions(&demo, "worker"), [1, 2]);

    let out = demo.ok(&["rollout", "pause", "deploy/web-green"]);
    assert_eq!(out.trim(), "deployment.apps/web-green paused");
    assert_eq!(
        jsonpath(&demo, "deploy/web-green", "{.spec.paused}"),
        "true"
    );
    demo.ok(&[
        "set",
        "image",
        "deploy/web-green",
        "web=registry.example.com/shop/web:2.5.0",
    ]);
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert_eq!(
        revisions(&demo, "web-green"),
        [1],
        "a paused Deployment rolled"
    );
    let out = demo.ok(&["rollout", "resume", "deploy/web-green"]);
    assert_eq!(out.trim(), "deployment.apps/web-green resumed");
    demo.ok(&["rollout", "status", "deploy/web-green", "--timeout=60s"]);
    assert_eq!(revisions(&demo, "web-green"), [1, 2]);
}

#[test]
fn set_image_history_and_undo() {
    let demo = Demo::start(FAST);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    assert_eq!(revisions(&demo, "api"), [1, 2]);
    let out = demo.ok(&[
        "set",
        "image",
        "deploy/api",
        "api=registry.example.com/shop/api:1.6.0",
    ]);
    assert_eq!(out.trim(), "deployment.apps/api image updated");
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    assert_eq!(revisions(&demo, "api"), [1, 2, 3]);
    let detail = demo.ok(&["rollout", "history", "deploy/api", "--revision=3"]);
    assert!(
        detail.contains("registry.example.com/shop/api:1.6.0"),
        "{detail}"
    );

    // Undo goes back to the previous template: its ReplicaSet takes revision 4.
    let out = demo.ok(&["rollout", "undo", "deploy/api"]);
    assert_eq!(out.trim(), "deployment.apps/api rolled back");
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    assert_eq!(
        jsonpath(
            &demo,
            "deploy/api",
            "{.spec.template.spec.containers[0].image}"
        ),
        "registry.example.com/shop/api:1.5.0"
    );
    assert_eq!(revisions(&demo, "api"), [1, 3, 4], "revision 2 became 4");

    let out = demo.ok(&["rollout", "undo", "deploy/api", "--to-revision=1"]);
    assert_eq!(out.trim(), "deployment.apps/api rolled back");
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    assert_eq!(
        jsonpath(
            &demo,
            "deploy/api",
            "{.spec.template.spec.containers[0].image}"
        ),
        "registry.example.com/shop/api:1.4.2"
    );
    assert_eq!(revisions(&demo, "api"), [3, 4, 5]);
    // Still three ReplicaSets, all pods on the current one.
    assert_eq!(
        demo.ok(&["get", "rs", "-l", "app=api", "-o", "name"])
            .lines()
            .count(),
        3
    );
}

#[test]
fn the_viewer_is_refused_and_a_crash_loop_misses_its_deadline() {
    let demo = Demo::start(FAST);
    let out = demo.kubectl(&[
        "--context",
        "demo-viewer",
        "scale",
        "deploy/api",
        "--replicas=1",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("deployments.apps \"api\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"shop-prod\""),
        "{stderr}"
    );
    // The viewer can read.
    assert!(
        demo.ok(&["--context", "demo-viewer", "get", "deploy"])
            .contains("worker")
    );

    demo.ok(&[
        "patch",
        "deploy/worker",
        "-p",
        r#"{"spec":{"progressDeadlineSeconds":2}}"#,
    ]);
    demo.ok(&[
        "set",
        "image",
        "deploy/worker",
        "worker=registry.example.com/shop/worker:1.5.0-crash",
    ]);
    let out = demo.kubectl(&["rollout", "status", "deploy/worker", "--timeout=60s"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("deployment \"worker\" exceeded its progress deadline"),
        "{stderr}"
    );
    let pods = demo.ok(&["get", "pods", "-l", "app=worker"]);
    assert!(
        pods.contains("CrashLoopBackOff") || pods.contains("Error") || pods.contains("("),
        "{pods}"
    );
}

#[test]
fn serve_prints_where_everything_is_and_cleans_up_on_sigterm() {
    let mut demo = Demo::start(FAST);
    for label in [
        "kubeconfig",
        "runbook",
        "api server  https://127.0.0.1:",
        "prometheus  http://127.0.0.1:",
        "control",
        "service     api",
        "service     web",
        "service     worker",
    ] {
        assert!(
            demo.banner.contains(label),
            "{label} missing from:\n{}",
            demo.banner
        );
    }
    let runbook = demo.dir.join("demo.toml");
    let text = std::fs::read_to_string(&runbook).unwrap();
    // The runbook points at this demo's ports, not the defaults.
    assert!(text.contains(demo.service("api")), "{text}");
    assert!(text.contains(&demo.prometheus));
    assert!(demo.kubeconfig.exists());
    let status = demo.stop();
    assert!(status.success(), "{status:?}");
    assert!(!demo.dir.exists(), "the temporary files were not removed");
}

/// A kube client for the demo's `demo` context.
async fn kube_client(demo: &Demo) -> kube::Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(&demo.kubeconfig).unwrap();
    let options = kube::config::KubeConfigOptions {
        context: Some("demo".into()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_rollback_makes_the_same_change_as_kubectl_rollout_undo() {
    use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
    use kube::Api;
    use kube::api::ListParams;
    use ops_tui::kube::actions::send;
    use ops_tui::kube::rollback::{rollback, template_diff};

    let demo = Demo::start(FAST);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    let client = kube_client(&demo).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "shop-prod");
    let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "shop-prod");
    let revision_of = |rs: &ReplicaSet| {
        rs.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"].clone()
    };
    let find = |revision: &str| {
        let sets = sets.clone();
        let revision = revision.to_string();
        async move {
            sets.list(&ListParams::default().labels("app=api"))
                .await
                .unwrap()
                .items
                .into_iter()
                .find(|rs| revision_of(rs) == revision)
                .unwrap()
        }
    };

    // An annotation of the Deployment's own, which no ReplicaSet carries:
    // kubectl drops it on a rollback.
    demo.ok(&["annotate", "deploy/api", "team=payments"]);

    // Ours: back to revision 1 (1.4.2), with the diff a person would read.
    let current = deployments.get("api").await.unwrap();
    assert_eq!(
        current.metadata.annotations.as_ref().unwrap()["team"],
        "payments"
    );
    let target = find("1").await;
    let diff = template_diff(
        &current.spec.template,
        target.spec.template.as_ref().unwrap(),
    );
    assert_eq!(
        diff,
        ["api: image registry.example.com/shop/api:1.5.0 → registry.example.com/shop/api:1.4.2"]
    );
    let plan = rollback("shop-prod", &current, &target).unwrap();
    assert_eq!(plan.summary, "roll back deployment/api to revision 1");
    send(&client, &plan, false, false).await.unwrap();
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    let ours = deployments.get("api").await.unwrap();

    // kubectl: forward to 1.5.0 again, then (annotated as before) undo to
    // where 1.4.2 now lives.
    demo.ok(&["rollout", "undo", "deploy/api"]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    demo.ok(&["annotate", "--overwrite", "deploy/api", "team=payments"]);
    let revision = revision_of(
        &sets
            .list(&ListParams::default().labels("app=api"))
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|rs| {
                rs.spec
                    .template
                    .as_ref()
                    .unwrap()
                    .spec
                    .as_ref()
                    .unwrap()
                    .containers[0]
                    .image
                    .as_deref()
                    == Some("registry.example.com/shop/api:1.4.2")
            })
            .unwrap(),
    );
    demo.ok(&[
        "rollout",
        "undo",
        "deploy/api",
        &format!("--to-revision={revision}"),
    ]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    let theirs = deployments.get("api").await.unwrap();

    assert_eq!(
        ours.spec.template, theirs.spec.template,
        "the pod templates differ"
    );
    let annotations = |d: &Deployment| {
        let mut a = d.metadata.annotations.clone().unwrap_or_default();
        a.remove("deployment.kubernetes.io/revision");
        a
    };
    assert_eq!(annotations(&ours), annotations(&theirs));
    assert!(
        !annotations(&ours).contains_key("team"),
        "kubectl drops the Deployment's own annotations"
    );
    // Refusals: already current, and paused.
    let now = deployments.get("api").await.unwrap();
    let current_rs = find(&revision_of(
        &sets
            .list(&ListParams::default().labels("app=api"))
            .await
            .unwrap()
            .items
            .into_iter()
            .max_by_key(|rs| revision_of(rs).parse::<i64>().unwrap())
            .unwrap(),
    ))
    .await;
    assert!(
        rollback("shop-prod", &now, &current_rs)
            .unwrap_err()
            .to_string()
            .starts_with("skipped rollback: deployment/api already runs revision")
    );
    let mut paused = now.clone();
    paused.spec.paused = Some(true);
    assert!(
        rollback("shop-prod", &paused, &target)
            .unwrap_err()
            .to_string()
            .contains("is paused")
    );
}

/// ConfigMaps as the real API server keeps them: kubectl creates one from
/// a file, labels, lists (with the `cm` short name and a label selector),
/// prints and replaces it, and a replace from a stale resourceVersion is
/// a conflict, not an overwrite.
#[test]
fn configmaps_are_created_read_and_updated_with_optimistic_concurrency() {
    let demo = Demo::start(FAST);
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    let cm = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "journal-0"},
        "data": {"entries": "{\"id\":1}"}
    });
    std::fs::write(&first, cm.to_string()).unwrap();
    // The simulator serves no OpenAPI document for kubectl to validate with.
    demo.ok(&["create", "--validate=false", "-f", first.to_str().unwrap()]);
    demo.ok(&[
        "label",
        "cm",
        "journal-0",
        "app.kubernetes.io/managed-by=ops-tui",
    ]);
    let listed = demo.ok(&["get", "cm", "-l", "app.kubernetes.io/managed-by=ops-tui"]);
    assert!(
        listed.contains("journal-0") && listed.contains("DATA"),
        "{listed}"
    );
    assert_eq!(
        jsonpath(&demo, "cm/journal-0", "{.data.entries}"),
        "{\"id\":1}"
    );
    let fresh = demo.ok(&["get", "cm", "journal-0", "-o", "json"]);
    let mut doc: serde_json::Value = serde_json::from_str(&fresh).unwrap();
    doc["data"]["entries"] = "{\"id\":1}\n{\"id\":2}".into();
    let path = dir.path().join("cm.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    demo.ok(&["replace", "--validate=false", "-f", path.to_str().unwrap()]);
    // The same body again carries the resourceVersion it was read at:
    // another writer came first, so it is refused.
    let out = demo.kubectl(&["replace", "--validate=false", "-f", path.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a stale update was accepted");
    assert!(
        said.contains("the object has been modified") || said.contains("Conflict"),
        "{said}"
    );
    assert_eq!(
        jsonpath(&demo, "cm/journal-0", "{.data.entries}"),
        "{\"id\":1}\n{\"id\":2}"
    );
}

/// Leases (coordination.k8s.io) other than the nodes' are stored: kubectl
/// creates, lists (with their holder) and reads them; the nodes' own
/// still answer. Events can be created, and kubectl lists them and
/// `describe` shows them on their object.
#[test]
fn leases_and_events_are_created_and_read_by_kubectl() {
    let demo = Demo::start(FAST);
    let dir = tempfile::tempdir().unwrap();
    let lease = serde_json::json!({
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "ops-tui-presence-ann", "labels": {"app.kubernetes.io/managed-by": "ops-tui"}},
        "spec": {"holderIdentity": "ann", "leaseDurationSeconds": 30}
    });
    let path = dir.path().join("lease.json");
    std::fs::write(&path, lease.to_string()).unwrap();
    demo.ok(&["create", "--validate=false", "-f", path.to_str().unwrap()]);
    let listed = demo.ok(&[
        "get",
        "leases",
        "-l",
        "app.kubernetes.io/managed-by=ops-tui",
    ]);
    assert!(
        listed.contains("ops-tui-presence-ann")
            && listed.contains("HOLDER")
            && listed.contains("ann"),
        "{listed}"
    );
    assert_eq!(
        jsonpath(
            &demo,
            "lease/ops-tui-presence-ann",
            "{.spec.leaseDurationSeconds}"
        ),
        "30"
    );
    let nodes = demo.ok(&["get", "leases", "-n", "kube-node-lease"]);
    assert!(nodes.lines().count() > 1, "{nodes}");

    let uid = jsonpath(&demo, "deployment/api", "{.metadata.uid}");
    let event = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "api.18f00000000000a1"},
        "involvedObject": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "namespace": "shop-prod", "uid": uid},
        "reason": "OpsTuiScaled",
        "message": "scale deployment/api from 3 to 5 replicas, by ann",
        "type": "Normal",
        "source": {"component": "ops-tui"},
        "firstTimestamp": jiff::Timestamp::now().to_string(),
        "lastTimestamp": jiff::Timestamp::now().to_string(),
        "count": 1
    });
    let path = dir.path().join("event.json");
    std::fs::write(&path, event.to_string()).unwrap();
    demo.ok(&["create", "--validate=false", "-f", path.to_str().unwrap()]);
    let events = demo.ok(&["get", "events"]);
    assert!(
        events.contains("OpsTuiScaled") && events.contains("deployment/api"),
        "{events}"
    );
    let described = demo.ok(&["describe", "deployment", "api"]);
    assert!(
        described.contains("OpsTuiScaled") && described.contains("from 3 to 5"),
        "{described}"
    );
}
