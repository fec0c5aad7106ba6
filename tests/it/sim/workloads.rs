//! StatefulSets, DaemonSets and ControllerRevisions: the real kubectl
//! against `ops-tui demo --serve`, each command with what kubectl printed
//! and the state that results.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::common;

use common::demo::Demo;

const FAST: &[&str] = &["--speed", "10"];
const DB_16_3: &str = "registry.example.com/shop/postgres:16.3";
const DB_16_4: &str = "registry.example.com/shop/postgres:16.4";
const AGENT: &str = "registry.example.com/platform/log-agent:3.2.1";

fn jsonpath(demo: &Demo, resource: &str, path: &str) -> String {
    demo.ok(&["get", resource, "-o", &format!("jsonpath={path}")])
}

/// The revisions `kubectl rollout history` lists.
fn revisions(demo: &Demo, workload: &str) -> Vec<u32> {
    demo.ok(&["rollout", "history", workload])
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

/// Pods of `app` that are not being deleted, as (name, image, uid, node),
/// sorted by name.
fn pods(demo: &Demo, app: &str) -> Vec<(String, String, String, String)> {
    let out = demo.ok(&[
        "get",
        "pods",
        "-l",
        &format!("app={app}"),
        "-o",
        "jsonpath={range .items[*]}{.metadata.name} {.spec.containers[0].image} {.metadata.uid} {.spec.nodeName} {.metadata.deletionTimestamp}{\"\\n\"}{end}",
    ]);
    let mut pods: Vec<_> = out
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .filter(|w| w.len() == 4)
        .map(|w| (w[0].clone(), w[1].clone(), w[2].clone(), w[3].clone()))
        .collect();
    pods.sort();
    pods
}

/// Waits (bounded) until `done` holds of the pods of `app`.
fn wait_pods(
    demo: &Demo,
    app: &str,
    what: &str,
    done: impl Fn(&[(String, String, String, String)]) -> bool,
) -> Vec<(String, String, String, String)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = pods(demo, app);
        let total = demo
            .ok(&["get", "pods", "-l", &format!("app={app}"), "-o", "name"])
            .lines()
            .count();
        if total == now.len() && done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: never happened: {now:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn images(pods: &[(String, String, String, String)]) -> Vec<&str> {
    pods.iter().map(|p| p.1.as_str()).collect()
}

#[test]
fn get_status_and_history_of_the_scenario_workloads() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&["get", "sts,ds,controllerrevisions"]);
    let lines: Vec<&str> = out.lines().collect();
    for (row, cells) in [
        ("statefulset.apps/db", vec!["3/3"]),
        (
            "daemonset.apps/log-agent",
            vec!["3", "3", "3", "3", "3", "<none>"],
        ),
    ] {
        let line = lines
            .iter()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no {row} in:\n{out}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&words[1..=cells.len()], cells.as_slice(), "{line}");
    }
    for columns in [
        ["NAME", "READY", "AGE"].as_slice(),
        &[
            "NAME",
            "DESIRED",
            "CURRENT",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "NODE SELECTOR",
            "AGE",
        ],
        &["NAME", "CONTROLLER", "REVISION", "AGE"],
    ] {
        assert!(
            lines.iter().any(|l| {
                let words: Vec<&str> = l
                    .split("   ")
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .collect();
                words == columns
            }),
            "no header {columns:?} in:\n{out}"
        );
    }
    let revisions_out = demo.ok(&["get", "controllerrevisions", "--no-headers"]);
    let mut owners: Vec<(String, String)> = revisions_out
        .lines()
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[1].to_string(), w[2].to_string())
        })
        .collect();
    owners.sort();
    assert_eq!(
        owners,
        [
            ("daemonset.apps/log-agent".to_string(), "1".to_string()),
            ("statefulset.apps/db".to_string(), "1".to_string()),
            ("statefulset.apps/db".to_string(), "2".to_string()),
        ]
    );
    let wide = demo.ok(&["get", "sts,ds", "-o", "wide"]);
    assert!(
        wide.contains(DB_16_4) && wide.contains(AGENT) && wide.contains("app=log-agent"),
        "{wide}"
    );

    // The pods: db-0..2 at the current revision; a log agent on each node.
    let db = pods(&demo, "db");
    assert_eq!(
        db.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
        ["db-0", "db-1", "db-2"]
    );
    assert!(db.iter().all(|p| p.1 == DB_16_4));
    let current = jsonpath(&demo, "sts/db", "{.status.currentRevision}");
    assert_eq!(
        current,
        jsonpath(&demo, "sts/db", "{.status.updateRevision}")
    );
    assert_eq!(
        jsonpath(
            &demo,
            "pod/db-1",
            "{.metadata.labels.controller-revision-hash}"
        ),
        current
    );
    assert_eq!(
        jsonpath(
            &demo,
            "pod/db-1",
            "{.metadata.labels.statefulset\\.kubernetes\\.io/pod-name} {.metadata.labels.apps\\.kubernetes\\.io/pod-index} {.metadata.ownerReferences[0].kind}"
        ),
        "db-1 1 StatefulSet"
    );
    let mut nodes: Vec<String> = pods(&demo, "log-agent").into_iter().map(|p| p.3).collect();
    nodes.sort();
    assert_eq!(nodes, ["sim-node-1", "sim-node-2", "sim-node-3"]);

    let status = demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);
    assert_eq!(
        status.trim(),
        "partitioned roll out complete: 3 new pods have been updated..."
    );
    let status = demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=60s"]);
    assert_eq!(
        status.trim(),
        "daemon set \"log-agent\" successfully rolled out"
    );

    let history = demo.ok(&["rollout", "history", "sts/db"]);
    assert!(
        history.contains("1         postgres 16.3") && history.contains("2         postgres 16.4"),
        "{history}"
    );
    let first = demo.ok(&["rollout", "history", "sts/db", "--revision=1"]);
    assert!(
        first.contains(DB_16_3) && !first.contains(DB_16_4),
        "{first}"
    );
    assert_eq!(revisions(&demo, "ds/log-agent"), [1]);

    // `get all` lists them too.
    let all = demo.ok(&["get", "all"]);
    assert!(
        all.contains("statefulset.apps/db") && all.contains("daemonset.apps/log-agent"),
        "{all}"
    );
}

#[test]
fn statefulset_set_image_undo_and_undo_to_a_revision() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&[
        "set",
        "image",
        "sts/db",
        "db=registry.example.com/shop/postgres:16.5",
    ]);
    assert_eq!(out.trim(), "statefulset.apps/db image updated");
    let status = demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);
    assert!(
        status.contains("new pods have been updated...")
            && status
                .trim_end()
                .ends_with("partitioned roll out complete: 3 new pods have been updated..."),
        "{status}"
    );
    let db = wait_pods(&demo, "db", "16.5 everywhere", |p| {
        p.len() == 3
            && p.iter()
                .all(|p| p.1 == "registry.example.com/shop/postgres:16.5")
    });
    assert_eq!(db.len(), 3);
    assert_eq!(revisions(&demo, "sts/db"), [1, 2, 3]);
    let events = demo.ok(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.kind=StatefulSet",
    ]);
    assert!(
        events.contains("delete Pod db-2 in StatefulSet db successful")
            && events.contains("create Pod db-0 in StatefulSet db successful"),
        "{events}"
    );

    // Undo: back to 16.4, whose revision 2 becomes 4.
    let out = demo.ok(&["rollout", "undo", "sts/db"]);
    assert_eq!(out.trim(), "statefulset.apps/db rolled back");
    demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);
    wait_pods(&demo, "db", "16.4 again", |p| {
        p.len() == 3 && images(p).iter().all(|i| *i == DB_16_4)
    });
    assert_eq!(revisions(&demo, "sts/db"), [1, 3, 4], "revision 2 became 4");
    let four = demo.ok(&["rollout", "history", "sts/db", "--revision=4"]);
    assert!(four.contains(DB_16_4), "{four}");

    // To revision 1 (16.3): it becomes 5.
    let out = demo.ok(&["rollout", "undo", "sts/db", "--to-revision=1"]);
    assert_eq!(out.trim(), "statefulset.apps/db rolled back");
    demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);
    wait_pods(&demo, "db", "16.3", |p| {
        p.len() == 3 && images(p).iter().all(|i| *i == DB_16_3)
    });
    assert_eq!(revisions(&demo, "sts/db"), [3, 4, 5]);
    assert_eq!(
        jsonpath(&demo, "sts/db", "{.status.currentRevision}"),
        jsonpath(&demo, "sts/db", "{.status.updateRevision}")
    );
    // Already there: kubectl compares the revision with the template and skips.
    let out = demo.ok(&["rollout", "undo", "sts/db", "--to-revision=5"]);
    assert_eq!(
        out.trim(),
        "statefulset.apps/db skipped rollback (current template already matches revision 5)"
    );
    let out = demo.kubectl(&["rollout", "undo", "sts/db", "--to-revision=9"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("unable to find specified revision 9 in history"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_partitioned_update_stops_at_the_partition() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&[
        "patch",
        "sts/db",
        "-p",
        r#"{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}"#,
    ]);
    assert_eq!(out.trim(), "statefulset.apps/db patched");
    demo.ok(&[
        "set",
        "image",
        "sts/db",
        "db=registry.example.com/shop/postgres:17.0",
    ]);
    let status = demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);
    assert!(
        status
            .trim_end()
            .ends_with("partitioned roll out complete: 1 new pods have been updated..."),
        "{status}"
    );
    let db = wait_pods(&demo, "db", "db-2 updated", |p| {
        p.len() == 3 && p[2].1.ends_with(":17.0")
    });
    assert_eq!(images(&db)[..2], [DB_16_4, DB_16_4]);
    // Still: nothing below the partition moves.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        images(&pods(&demo, "db")),
        [DB_16_4, DB_16_4, "registry.example.com/shop/postgres:17.0"]
    );
    let current = jsonpath(&demo, "sts/db", "{.status.currentRevision}");
    let update = jsonpath(&demo, "sts/db", "{.status.updateRevision}");
    assert_ne!(current, update);
    assert_eq!(
        jsonpath(
            &demo,
            "sts/db",
            "{.status.updatedReplicas} {.status.currentReplicas}"
        ),
        "1 2"
    );

    // Partition 0: the rest follows, and the update revision becomes current.
    demo.ok(&[
        "patch",
        "sts/db",
        "-p",
        r#"{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}"#,
    ]);
    let status = demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);
    assert!(
        status
            .trim_end()
            .ends_with("partitioned roll out complete: 3 new pods have been updated..."),
        "{status}"
    );
    wait_pods(&demo, "db", "all at 17.0", |p| {
        p.len() == 3 && p.iter().all(|p| p.1.ends_with(":17.0"))
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while jsonpath(&demo, "sts/db", "{.status.currentRevision}") != update {
        assert!(
            Instant::now() < deadline,
            "the update revision never became current"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn scale_delete_a_pod_on_delete_and_the_viewer() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&["scale", "sts/db", "--replicas=5"]);
    assert_eq!(out.trim(), "statefulset.apps/db scaled");
    demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);
    let db = wait_pods(&demo, "db", "five pods", |p| p.len() == 5);
    assert_eq!(db[4].0, "db-4");
    assert_eq!(jsonpath(&demo, "sts/db", "{.status.readyReplicas}"), "5");
    let out = demo.ok(&["scale", "sts/db", "--replicas=2"]);
    assert_eq!(out.trim(), "statefulset.apps/db scaled");
    let db = wait_pods(&demo, "db", "two pods", |p| p.len() == 2);
    assert_eq!(db[1].0, "db-1");

    // A deleted pod comes back with the same name and a new identity.
    let before = db[1].2.clone();
    let out = demo.ok(&["delete", "pod", "db-1"]);
    assert_eq!(out.trim(), "pod \"db-1\" deleted");
    let db = wait_pods(&demo, "db", "db-1 recreated", |p| {
        p.len() == 2 && p[1].2 != before
    });
    assert_eq!(db[1].0, "db-1");
    demo.ok(&["rollout", "status", "sts/db", "--timeout=60s"]);

    // OnDelete: a new template changes nothing until a pod is deleted.
    demo.ok(&[
        "patch",
        "sts/db",
        "--type=merge",
        "-p",
        r#"{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}"#,
    ]);
    demo.ok(&[
        "set",
        "image",
        "sts/db",
        "db=registry.example.com/shop/postgres:17.0",
    ]);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(images(&pods(&demo, "db")), [DB_16_4, DB_16_4]);
    let out = demo.kubectl(&["rollout", "status", "sts/db", "--timeout=10s"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("rollout status is only available for RollingUpdate strategy type"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    demo.ok(&["delete", "pod", "db-0"]);
    wait_pods(&demo, "db", "db-0 at 17.0", |p| {
        p.len() == 2 && p[0].1.ends_with(":17.0") && p[1].1 == DB_16_4
    });

    // The viewer may read the scale, not change it.
    let out = demo.kubectl(&[
        "--context",
        "demo-viewer",
        "scale",
        "sts/db",
        "--replicas=1",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "User \"viewer\" cannot patch resource \"statefulsets/scale\" in API group \"apps\""
        ),
        "{stderr}"
    );
}

#[test]
fn daemonset_restart_set_image_and_undo() {
    let demo = Demo::start(FAST);
    let before = pods(&demo, "log-agent");
    let out = demo.ok(&["rollout", "restart", "ds/log-agent"]);
    assert_eq!(out.trim(), "daemonset.apps/log-agent restarted");
    let status = demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=60s"]);
    assert!(
        status.contains("Waiting for daemon set \"log-agent\" rollout to finish: ")
            && status
                .trim_end()
                .ends_with("daemon set \"log-agent\" successfully rolled out"),
        "{status}"
    );
    // Each node's pod was replaced, one pod per node still.
    let after = wait_pods(&demo, "log-agent", "replaced", |p| {
        p.len() == 3 && p.iter().all(|a| before.iter().all(|b| a.2 != b.2))
    });
    let mut nodes: Vec<&str> = after.iter().map(|p| p.3.as_str()).collect();
    nodes.sort();
    assert_eq!(nodes, ["sim-node-1", "sim-node-2", "sim-node-3"]);
    let restarted = jsonpath(
        &demo,
        "ds/log-agent",
        "{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
    );
    assert!(!restarted.is_empty());
    assert_eq!(revisions(&demo, "ds/log-agent"), [1, 2]);
    assert_eq!(
        jsonpath(
            &demo,
            "ds/log-agent",
            "{.metadata.generation} {.metadata.annotations.deprecated\\.daemonset\\.template\\.generation}"
        ),
        "2 2"
    );

    let out = demo.ok(&[
        "set",
        "image",
        "ds/log-agent",
        "log-agent=registry.example.com/platform/log-agent:3.3.0",
    ]);
    assert_eq!(out.trim(), "daemonset.apps/log-agent image updated");
    demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=60s"]);
    wait_pods(&demo, "log-agent", "3.3.0", |p| {
        p.len() == 3 && p.iter().all(|p| p.1.ends_with(":3.3.0"))
    });
    let out = demo.ok(&["rollout", "undo", "ds/log-agent"]);
    assert_eq!(out.trim(), "daemonset.apps/log-agent rolled back");
    demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=60s"]);
    wait_pods(&demo, "log-agent", "3.2.1 again", |p| {
        p.len() == 3 && p.iter().all(|p| p.1 == AGENT)
    });
    assert_eq!(
        revisions(&demo, "ds/log-agent"),
        [1, 3, 4],
        "revision 2 became 4"
    );
    let events = demo.ok(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.kind=DaemonSet",
    ]);
    assert!(
        events.contains("SuccessfulDelete") && events.contains("Created pod: log-agent-"),
        "{events}"
    );
}

/// The body of the one PATCH to `path` among the writes after the first `from`.
fn patch_body(demo: &Demo, from: usize, path: &str) -> String {
    let bodies = demo.write_bodies();
    let patches: Vec<&(String, String)> = bodies[from..]
        .iter()
        .filter(|(r, _)| r.starts_with("PATCH ") && r.contains(path))
        .collect();
    assert_eq!(patches.len(), 1, "{bodies:?}");
    patches[0].1.clone()
}

/// The data of a workload's ControllerRevision with `revision`, as served.
fn revision_data(demo: &Demo, owner: &str, revision: i64) -> serde_json::Value {
    let list: serde_json::Value =
        serde_json::from_str(&demo.ok(&["get", "controllerrevisions", "-o", "json"])).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["metadata"]["ownerReferences"][0]["name"] == owner
                && r["revision"].as_i64() == Some(revision)
        })
        .unwrap_or_else(|| panic!("no revision {revision} of {owner}"))["data"]
        .clone()
}

#[test]
fn rollout_undo_sends_the_revisions_data_as_a_strategic_merge_patch() {
    let demo = Demo::start(FAST);

    // StatefulSet: the data of revision 1 (16.3), byte for byte.
    let want = revision_data(&demo, "db", 1);
    let from = demo.write_bodies().len();
    demo.ok(&["rollout", "undo", "sts/db"]);
    let sts_body = patch_body(
        &demo,
        from,
        "/apis/apps/v1/namespaces/shop-prod/statefulsets/db",
    );
    assert_eq!(sts_body, serde_json::to_string(&want).unwrap());
    let parsed: serde_json::Value = serde_json::from_str(&sts_body).unwrap();
    assert_eq!(parsed["spec"]["template"]["$patch"], "replace");
    assert_eq!(
        parsed["spec"]["template"]["spec"]["containers"][0]["image"],
        DB_16_3
    );
    println!("rollout undo sts/db PATCH body: {sts_body}");

    // DaemonSet: a second revision first, then back to the first.
    demo.ok(&[
        "set",
        "image",
        "ds/log-agent",
        "log-agent=registry.example.com/platform/log-agent:3.3.0",
    ]);
    demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=60s"]);
    let want = revision_data(&demo, "log-agent", 1);
    let from = demo.write_bodies().len();
    demo.ok(&["rollout", "undo", "ds/log-agent"]);
    let ds_body = patch_body(
        &demo,
        from,
        "/apis/apps/v1/namespaces/shop-prod/daemonsets/log-agent",
    );
    assert_eq!(ds_body, serde_json::to_string(&want).unwrap());
    let parsed: serde_json::Value = serde_json::from_str(&ds_body).unwrap();
    assert_eq!(
        parsed["spec"]["template"]["spec"]["containers"][0]["image"],
        AGENT
    );
    println!("rollout undo ds/log-agent PATCH body: {ds_body}");
    demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=60s"]);
    wait_pods(&demo, "log-agent", "3.2.1 again", |p| {
        p.len() == 3 && p.iter().all(|p| p.1 == AGENT)
    });
}
