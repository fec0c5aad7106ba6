//! Nodes, scheduling and namespaces with the real kubectl against `ops-tui
//! demo --serve`: `get nodes`, `describe nodes` (conditions, capacity, the
//! node's pods, allocated resources, events), `cordon`/`uncordon`, the node
//! condition fault and its taints, `delete pod`, `get -A` over several
//! namespaces, and RBAC refused in one namespace.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::common;

use common::demo::Demo;

const FAST: &[&str] = &["--speed", "10"];
const TWO_NAMESPACES: &[&str] = &["--speed", "10", "--namespaces", "2"];
const LIMIT: Duration = Duration::from_secs(60);
const NODES: [&str; 3] = ["sim-node-1", "sim-node-2", "sim-node-3"];

fn jsonpath(demo: &Demo, resource: &str, path: &str) -> String {
    demo.ok(&["get", resource, "-o", &format!("jsonpath={path}")])
}

/// Columns of a kubectl table line (two spaces or more apart).
fn columns(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

fn row(table: &str, name: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == name))
        .unwrap_or_else(|| panic!("no row {name} in:\n{table}"));
    columns(line)
}

/// kubectl that must fail; returns its stderr.
fn refused(demo: &Demo, args: &[&str]) -> String {
    let out = demo.kubectl(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "kubectl {args:?} succeeded:\n{stderr}"
    );
    stderr
}

/// Pods of every namespace as (namespace, name, node, phase).
fn pods_everywhere(demo: &Demo) -> Vec<(String, String, String, String)> {
    demo.ok(&[
        "get",
        "pods",
        "-A",
        "-o",
        "jsonpath={range .items[*]}{.metadata.namespace} {.metadata.name} {.spec.nodeName} {.status.phase}{\"\\n\"}{end}",
    ])
    .lines()
    .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
    .filter(|w| w.len() == 4)
    .map(|w| (w[0].clone(), w[1].clone(), w[2].clone(), w[3].clone()))
    .collect()
}

/// The nodes the pods of `app` run on, once every one of them is Running
/// and `count` of them are there (bounded).
fn nodes_of(demo: &Demo, app: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + LIMIT;
    loop {
        let out = demo.ok(&[
            "get",
            "pods",
            "-l",
            &format!("app={app}"),
            "-o",
            "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}{\"\\n\"}{end}",
        ]);
        let rows: Vec<Vec<&str>> = out
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        let live: Vec<&Vec<&str>> = rows.iter().filter(|r| r.len() == 2).collect();
        if live.len() == count && rows.len() == count && live.iter().all(|r| r[1] == "Running") {
            return live.iter().map(|r| r[0].to_string()).collect();
        }
        assert!(
            Instant::now() < deadline,
            "{app}: never {count} running pods:\n{out}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `kubectl describe nodes`, one text per node.
fn described(demo: &Demo) -> BTreeMap<String, String> {
    let out = demo.ok(&["describe", "nodes"]);
    let mut by_node = BTreeMap::new();
    for part in out.split("\nName:").map(|p| p.trim_start_matches("Name:")) {
        let name = part
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        by_node.insert(name, part.to_string());
    }
    by_node
}

#[test]
fn get_and_describe_nodes_with_their_pods_and_allocated_resources() {
    let demo = Demo::start(FAST);
    let nodes = demo.ok(&["get", "nodes"]);
    assert_eq!(
        columns(nodes.lines().next().unwrap()),
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    );
    for node in NODES {
        let r = row(&nodes, node);
        assert_eq!(
            (r[1].as_str(), r[2].as_str(), r[4].as_str()),
            ("Ready", "worker", "v1.32.0"),
            "{nodes}"
        );
    }
    let wide = demo.ok(&["get", "nodes", "-o", "wide"]);
    assert!(
        wide.contains("INTERNAL-IP")
            && wide.contains("192.168.49.2")
            && wide.contains("containerd://"),
        "{wide}"
    );
    let yaml = demo.ok(&["get", "node", "sim-node-2", "-o", "yaml"]);
    for needle in [
        "kind: Node",
        "kubernetes.io/hostname: sim-node-2",
        "podCIDR: 10.244.1.0/24",
        "allocatable:",
        "type: InternalIP",
        "kubeletVersion: v1.32.0",
        "reason: KubeletReady",
        "lastHeartbeatTime:",
    ] {
        assert!(yaml.contains(needle), "missing {needle:?} in:\n{yaml}");
    }

    // The field selectors describe uses: the node's pods that have not
    // ended.
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    // Without api's pods, which the release may still be replacing.
    let pods: Vec<(String, String, String, String)> = pods_everywhere(&demo)
        .into_iter()
        .filter(|(_, name, _, _)| !name.starts_with("api-"))
        .collect();
    let on_first = demo.ok(&[
        "get",
        "pods",
        "-A",
        "--field-selector",
        "spec.nodeName=sim-node-1,status.phase!=Succeeded,status.phase!=Failed",
        "-o",
        "name",
    ]);
    let expected: BTreeSet<String> = pods
        .iter()
        .filter(|(_, _, node, phase)| {
            node == "sim-node-1" && phase != "Succeeded" && phase != "Failed"
        })
        .map(|(_, name, _, _)| format!("pod/{name}"))
        .collect();
    let got: BTreeSet<String> = on_first
        .lines()
        .filter(|l| !l.starts_with("pod/api-"))
        .map(String::from)
        .collect();
    assert_eq!(got, expected);

    let by_node = described(&demo);
    for node in NODES {
        let text = &by_node[node];
        for needle in [
            "Roles:              worker",
            "Unschedulable:      false",
            "Capacity:",
            "cpu:                4",
            "pods:               110",
            "Allocatable:",
            "cpu:                3920m",
            "Kubelet Version:            v1.32.0",
            "Allocated resources:",
        ] {
            assert!(
                text.contains(needle),
                "{node}: missing {needle:?} in:\n{text}"
            );
        }
        let holder = text
            .lines()
            .find(|l| l.contains("HolderIdentity:"))
            .unwrap();
        assert!(holder.ends_with(node), "{holder}");
        let ready = text
            .lines()
            .find(|l| l.trim_start().starts_with("Ready "))
            .unwrap();
        assert!(
            ready.contains("True") && ready.contains("KubeletReady"),
            "{ready}"
        );
        // Every pod that runs there is listed, and only those.
        let running: Vec<&(String, String, String, String)> = pods
            .iter()
            .filter(|(_, _, n, phase)| n == node && phase == "Running")
            .collect();
        assert!(!running.is_empty(), "{node} runs nothing: {pods:?}");
        for (ns, name, _, _) in running {
            assert!(
                text.lines().any(|l| l.contains(ns) && l.contains(name)),
                "{node}: {name} not listed:\n{text}"
            );
        }
        let listed = text
            .lines()
            .filter(|l| l.split_whitespace().next() == Some("shop-prod") && l.contains("100m (2%)"))
            .count();
        let count: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("Non-terminated Pods:"))
            .and_then(|l| {
                l.trim()
                    .trim_start_matches('(')
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap();
        assert_eq!(listed, count, "{text}");
        // Each pod requests 100m of CPU and 256Mi: the totals add up.
        let cpu = text
            .lines()
            .find(|l| l.trim_start().starts_with("cpu ") && l.contains('%'))
            .unwrap();
        let millis = count * 100;
        let total = if millis.is_multiple_of(1000) {
            format!("{} (", millis / 1000)
        } else {
            format!("{millis}m (")
        };
        assert!(cpu.contains(&total), "{cpu} for {count} pods");
    }
}

#[test]
fn cordoned_and_tainted_nodes_get_no_new_pods() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&["cordon", "sim-node-1"]);
    assert_eq!(out.trim(), "node/sim-node-1 cordoned");
    let nodes = demo.ok(&["get", "nodes"]);
    assert_eq!(
        row(&nodes, "sim-node-1")[1],
        "Ready,SchedulingDisabled",
        "{nodes}"
    );
    // The node lifecycle controller taints it.
    let deadline = Instant::now() + LIMIT;
    while !jsonpath(&demo, "node/sim-node-1", "{.spec.taints}")
        .contains("node.kubernetes.io/unschedulable")
    {
        assert!(Instant::now() < deadline, "no unschedulable taint");
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = &described(&demo)["sim-node-1"];
    assert!(
        text.contains("Taints:             node.kubernetes.io/unschedulable:NoSchedule"),
        "{text}"
    );
    assert!(text.contains("Unschedulable:      true"), "{text}");
    assert!(text.contains("NodeNotSchedulable"), "{text}");

    // Memory pressure on the second: its taint follows, and describe says
    // so with the kubelet's words.
    demo.fault("/faults/node?node=sim-node-2&condition=MemoryPressure");
    let deadline = Instant::now() + LIMIT;
    while !jsonpath(&demo, "node/sim-node-2", "{.spec.taints}").contains("memory-pressure") {
        assert!(Instant::now() < deadline, "no memory-pressure taint");
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = &described(&demo)["sim-node-2"];
    let pressure = text
        .lines()
        .find(|l| l.trim_start().starts_with("MemoryPressure"))
        .unwrap();
    assert!(
        pressure.contains("True")
            && pressure.contains("KubeletHasInsufficientMemory")
            && pressure.contains("kubelet has insufficient memory available"),
        "{pressure}"
    );
    assert!(
        text.contains("node.kubernetes.io/memory-pressure:NoSchedule"),
        "{text}"
    );
    assert!(text.contains("NodeHasInsufficientMemory"), "{text}");

    // New pods go to the third node only.
    demo.ok(&["scale", "deploy/web-blue", "--replicas=6"]);
    nodes_of(&demo, "web,version=blue", 6);
    let new_ones = demo.ok(&[
        "get",
        "pods",
        "-l",
        "app=web,version=blue",
        "--sort-by=.metadata.creationTimestamp",
        "-o",
        "jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}",
    ]);
    let newest: Vec<&str> = new_ones.lines().skip(2).collect();
    assert_eq!(newest.len(), 4, "{new_ones}");
    assert!(
        newest.iter().all(|n| *n == "sim-node-3"),
        "new pods on {newest:?}"
    );

    // With the third not ready too, nothing fits: the scheduler says why.
    demo.fault("/faults/node?node=sim-node-3&condition=NotReady");
    let nodes = demo.ok(&["get", "nodes"]);
    assert_eq!(row(&nodes, "sim-node-3")[1], "NotReady", "{nodes}");
    demo.ok(&["scale", "deploy/web-green", "--replicas=3"]);
    let deadline = Instant::now() + LIMIT;
    let message = loop {
        let events = demo.ok(&[
            "get",
            "events",
            "--field-selector",
            "reason=FailedScheduling",
            "-o",
            "jsonpath={.items[*].message}",
        ]);
        if !events.is_empty() {
            break events;
        }
        assert!(Instant::now() < deadline, "no FailedScheduling event");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        message.contains("0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable."),
        "{message}"
    );
    let pending = demo.ok(&[
        "get",
        "pods",
        "-l",
        "app=web,version=green",
        "--field-selector",
        "status.phase=Pending",
        "-o",
        "name",
    ]);
    assert_eq!(pending.lines().count(), 1, "{pending}");

    // Uncordoned, the first takes it.
    let out = demo.ok(&["uncordon", "sim-node-1"]);
    assert_eq!(out.trim(), "node/sim-node-1 uncordoned");
    let green = nodes_of(&demo, "web,version=green", 3);
    assert!(green.contains(&"sim-node-1".to_string()), "{green:?}");
    let deadline = Instant::now() + LIMIT;
    while jsonpath(&demo, "node/sim-node-1", "{.spec.taints}").contains("unschedulable") {
        assert!(Instant::now() < deadline, "the taint stayed");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(row(&demo.ok(&["get", "nodes"]), "sim-node-1")[1], "Ready");
    demo.fault("/faults/node?node=sim-node-3&condition=NotReady&off=1");
    assert_eq!(row(&demo.ok(&["get", "nodes"]), "sim-node-3")[1], "Ready");
}

#[test]
fn a_deleted_pod_goes_after_its_grace_period_and_its_replica_set_replaces_it() {
    // The demo's pace: a pod takes 1.5 s to terminate.
    let demo = Demo::start(&[]);
    nodes_of(&demo, "web,version=green", 2);
    let before: BTreeSet<String> = demo
        .ok(&["get", "pods", "-l", "app=web,version=green", "-o", "name"])
        .lines()
        .map(String::from)
        .collect();
    let victim = before
        .iter()
        .next()
        .unwrap()
        .trim_start_matches("pod/")
        .to_string();
    let asked = Instant::now();
    let out = demo.ok(&["delete", "pod", &victim, "--wait=false"]);
    assert_eq!(out.trim(), format!("pod \"{victim}\" deleted"));
    let seen = demo.kubectl(&[
        "get",
        "pod",
        &victim,
        "-o",
        "jsonpath={.metadata.deletionTimestamp}",
    ]);
    if seen.status.success() {
        // Still there, terminating.
        assert!(!String::from_utf8_lossy(&seen.stdout).is_empty());
    } else {
        assert!(
            asked.elapsed() >= Duration::from_millis(1500),
            "gone before its grace period"
        );
    }
    // Then gone, and replaced.
    let deadline = Instant::now() + LIMIT;
    loop {
        let now: BTreeSet<String> = demo
            .ok(&["get", "pods", "-l", "app=web,version=green", "-o", "name"])
            .lines()
            .map(String::from)
            .collect();
        if !now.contains(&format!("pod/{victim}")) && now.len() == 2 {
            assert_eq!(now.difference(&before).count(), 1, "{now:?}");
            break;
        }
        assert!(Instant::now() < deadline, "not replaced: {now:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let gone = refused(&demo, &["get", "pod", &victim]);
    assert!(
        gone.contains(&format!("pods \"{victim}\" not found")),
        "{gone}"
    );
    demo.ok(&["rollout", "status", "deploy/web-green", "--timeout=60s"]);
    let events = demo.ok(&[
        "get",
        "events",
        "--field-selector",
        "reason=SuccessfulDelete",
    ]);
    assert!(
        events.contains(&format!("Deleted pod: {victim}")),
        "{events}"
    );
}

#[test]
fn all_namespaces_lists_with_a_namespace_column() {
    let demo = Demo::start(TWO_NAMESPACES);
    let deploys = demo.ok(&["get", "deploy", "-A"]);
    assert_eq!(
        columns(deploys.lines().next().unwrap()),
        [
            "NAMESPACE",
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE"
        ]
    );
    assert_eq!(
        row(&deploys, "gateway")[..3],
        ["payments", "gateway", "2/2"],
        "{deploys}"
    );
    assert_eq!(
        row(&deploys, "ledger")[..3],
        ["payments", "ledger", "1/1"],
        "{deploys}"
    );
    assert_eq!(
        row(&deploys, "worker")[..2],
        ["shop-prod", "worker"],
        "{deploys}"
    );
    let pods = demo.ok(&["get", "pods", "-A"]);
    assert_eq!(
        columns(pods.lines().next().unwrap())[..2],
        ["NAMESPACE", "NAME"]
    );
    let namespaces: BTreeSet<&str> = pods
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        namespaces,
        BTreeSet::from(["payments", "shop-prod"]),
        "{pods}"
    );
    // The default namespace holds only the shop.
    assert!(!demo.ok(&["get", "deploy"]).contains("gateway"));
    let ns = demo.ok(&["get", "namespaces"]);
    assert!(ns.contains("payments") && ns.contains("shop-prod"), "{ns}");
}

#[test]
fn a_resource_forbidden_in_one_namespace_is_forbidden_at_the_cluster_scope_too() {
    let demo = Demo::start(TWO_NAMESPACES);
    fn viewer<'a>(args: &[&'a str]) -> Vec<&'a str> {
        [&["--context", "demo-viewer"][..], args].concat()
    }
    demo.ok(&viewer(&["get", "deploy", "-A"]));
    demo.fault("/faults/forbid?resource=deployments&namespace=payments");
    let there = refused(&demo, &viewer(&["get", "deploy", "-n", "payments"]));
    assert!(
        there.contains(r#"deployments.apps is forbidden: User "viewer" cannot list resource "deployments" in API group "apps" in the namespace "payments""#),
        "{there}"
    );
    let one = refused(
        &demo,
        &viewer(&["get", "deploy", "gateway", "-n", "payments"]),
    );
    assert!(one.contains(r#"User "viewer" cannot get resource "deployments" in API group "apps" in the namespace "payments""#), "{one}");
    let everywhere = refused(&demo, &viewer(&["get", "deploy", "-A"]));
    assert!(
        everywhere.contains(r#"deployments.apps is forbidden: User "viewer" cannot list resource "deployments" in API group "apps" at the cluster scope"#),
        "{everywhere}"
    );
    // Elsewhere, and other resources, as before.
    let shop = demo.ok(&viewer(&["get", "deploy", "-n", "shop-prod"]));
    assert!(shop.contains("worker"), "{shop}");
    demo.ok(&viewer(&["get", "pods", "-A"]));
    demo.ok(&viewer(&["get", "pods", "-n", "payments"]));
    demo.fault("/faults/forbid?resource=deployments&namespace=payments&off=1");
    let back = demo.ok(&viewer(&["get", "deploy", "-A"]));
    assert!(back.contains("gateway"), "{back}");
}
