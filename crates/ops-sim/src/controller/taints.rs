//! The node lifecycle controller and what the scheduler asks of nodes:
//! taints that follow each node's conditions and `spec.unschedulable`
//! (`node.kubernetes.io/unschedulable` for a cordoned node, the pressure
//! taints, `not-ready` with `NoSchedule` and `NoExecute`), the kubelet's
//! cordon events and periodic status report, evictions from a node that
//! is not ready once a pod's toleration has run out (a DaemonSet's pods
//! tolerate it), and which nodes a pod fits on.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Node, Pod, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::node::{NOT_READY, PRESSURES, UNSCHEDULABLE};
use crate::cluster::Cluster;
use crate::store::{Kind, Typed, now};

fn condition_is(node: &Node, type_: &str, value: &str) -> bool {
    node.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .any(|c| c.type_ == type_ && c.status == value)
}

fn unschedulable(node: &Node) -> bool {
    node.spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
}

fn taint(key: &str, effect: &str, added: Option<Time>) -> Taint {
    Taint {
        key: key.into(),
        effect: effect.into(),
        time_added: added,
        value: None,
    }
}

/// The taints the node lifecycle controller keeps on a node, keeping when
/// a `NoExecute` one was added.
fn wanted_taints(node: &Node, current: &[Taint]) -> Vec<Taint> {
    let mut out = Vec::new();
    if !condition_is(node, "Ready", "True") {
        out.push(taint(NOT_READY, "NoSchedule", None));
        let added = current
            .iter()
            .find(|t| t.key == NOT_READY && t.effect == "NoExecute")
            .and_then(|t| t.time_added.clone())
            .unwrap_or_else(now);
        out.push(taint(NOT_READY, "NoExecute", Some(added)));
    }
    for p in &PRESSURES {
        if condition_is(node, p.condition, "True") {
            out.push(taint(p.taint, "NoSchedule", None));
        }
    }
    if unschedulable(node) {
        out.push(taint(UNSCHEDULABLE, "NoSchedule", None));
    }
    out
}

/// Whether the kubelet's periodic status report is due (its Ready
/// condition's heartbeat is older than `every`).
fn heartbeat_due(node: &Node, every: std::time::Duration) -> bool {
    let last = node
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .find(|c| c.type_ == "Ready")
        .and_then(|c| c.last_heartbeat_time.as_ref().map(|t| t.0));
    let every = SignedDuration::try_from(every).unwrap_or(SignedDuration::MAX);
    last.is_some_and(|t| Timestamp::now().duration_since(t) >= every)
}

fn managed(key: &str) -> bool {
    key == UNSCHEDULABLE || key == NOT_READY || PRESSURES.iter().any(|p| p.taint == key)
}

/// Keeps every node's taints in step with its conditions and
/// `spec.unschedulable`, records cordons as the kubelet does, and evicts
/// pods from nodes tainted `not-ready:NoExecute` once their toleration
/// has run out. Returns whether an eviction is still to come.
pub fn sync(cluster: &mut Cluster) -> bool {
    let mut pending = false;
    for obj in cluster.store.list(Kind::Node, None) {
        let Some(node) = Node::peek(&obj) else {
            continue;
        };
        let current: Vec<Taint> = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.clone())
            .unwrap_or_default();
        let mut taints: Vec<Taint> = current
            .iter()
            .filter(|t| !managed(&t.key))
            .cloned()
            .collect();
        taints.extend(wanted_taints(node, &current));
        let was_cordoned = current.iter().any(|t| t.key == UNSCHEDULABLE);
        let report = heartbeat_due(node, cluster.timing.node_status);
        if taints != current || report {
            let mut node = node.clone();
            if report {
                let t = now();
                let status = node.status.get_or_insert_with(Default::default);
                for c in status.conditions.iter_mut().flatten() {
                    c.last_heartbeat_time = Some(t.clone());
                }
            }
            let name = node.metadata.name.clone().unwrap_or_default();
            let cordoned = unschedulable(&node);
            node.spec.get_or_insert_with(Default::default).taints =
                (!taints.is_empty()).then(|| taints.clone());
            let meta = node.metadata.clone();
            cluster.store.put_typed(node);
            if cordoned != was_cordoned {
                let event = if cordoned {
                    "NodeNotSchedulable"
                } else {
                    "NodeSchedulable"
                };
                cluster.event(
                    Kind::Node,
                    &meta,
                    "Normal",
                    event,
                    format!("Node {name} status is now: {event}"),
                    "kubelet",
                );
            }
        }
        if let Some(added) = taints
            .iter()
            .find(|t| t.key == NOT_READY && t.effect == "NoExecute")
            .and_then(|t| t.time_added.clone())
        {
            let name = obj.name().to_string();
            pending |= evict(cluster, &name, &added);
        }
    }
    pending
}

/// Evicts the pods on a node that do not tolerate its `not-ready`
/// `NoExecute` taint for longer than it has been there. Returns whether
/// some are still waiting for theirs to run out.
fn evict(cluster: &mut Cluster, node: &str, added: &Time) -> bool {
    let waited = Timestamp::now().duration_since(added.0);
    let grace = SignedDuration::try_from(cluster.timing.eviction).unwrap_or_default();
    let mut waiting = false;
    for obj in cluster.store.list(Kind::Pod, None) {
        let Some(pod) = Pod::peek(&obj) else { continue };
        let on_node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node);
        if !on_node || pod.metadata.deletion_timestamp.is_some() || tolerates_not_ready(pod) {
            continue;
        }
        if matches!(
            pod.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded" | "Failed")
        ) {
            continue;
        }
        if waited < grace {
            waiting = true;
            continue;
        }
        let pod = pod.clone();
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        cluster.event(
            Kind::Pod,
            &pod.metadata,
            "Normal",
            "TaintManagerEviction",
            format!("Marking for deletion Pod {ns}/{name}"),
            "taint-eviction-controller",
        );
        super::delete_pod(cluster, &pod);
    }
    waiting
}

/// A DaemonSet's pods tolerate `not-ready:NoExecute` for ever (the
/// DaemonSet controller adds the toleration); so does a pod that says so.
fn tolerates_not_ready(pod: &Pod) -> bool {
    let daemon = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.kind == "DaemonSet" && o.controller == Some(true));
    daemon
        || pod
            .spec
            .iter()
            .flat_map(|s| s.tolerations.iter().flatten())
            .any(|t| {
                tolerates(t, &taint(NOT_READY, "NoExecute", None)) && t.toleration_seconds.is_none()
            })
}

fn tolerates(t: &k8s_openapi::api::core::v1::Toleration, taint: &Taint) -> bool {
    let effect = t.effect.as_deref().unwrap_or("");
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = t.key.as_deref().unwrap_or("");
    match t.operator.as_deref().unwrap_or("Equal") {
        "Exists" => key.is_empty() || key == taint.key,
        _ => {
            key == taint.key
                && t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("")
        }
    }
}

/// The nodes the scheduler may place `pod` on (Ready, schedulable, every
/// `NoSchedule` and `NoExecute` taint tolerated), or, when there is none,
/// why not, as the scheduler's `FailedScheduling` message says it.
pub fn feasible(cluster: &Cluster, pod: &Pod) -> Result<Vec<String>, String> {
    let nodes: Vec<Node> = cluster.store.list_typed::<Node>(None);
    if nodes.is_empty() {
        return Ok(cluster.node_names.clone());
    }
    let tolerations = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.clone())
        .unwrap_or_default();
    let mut fits = Vec::new();
    let mut why: BTreeMap<String, usize> = BTreeMap::new();
    for node in &nodes {
        let name = node.metadata.name.clone().unwrap_or_default();
        if unschedulable(node) {
            *why.entry("node(s) were unschedulable".into()).or_default() += 1;
            continue;
        }
        let untolerated = node
            .spec
            .iter()
            .flat_map(|s| s.taints.iter().flatten())
            .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
            .find(|t| !tolerations.iter().any(|tol| tolerates(tol, t)));
        if let Some(t) = untolerated {
            let value = t.value.clone().unwrap_or_default();
            *why.entry(format!(
                "node(s) had untolerated taint {{{}: {value}}}",
                t.key
            ))
            .or_default() += 1;
            continue;
        }
        fits.push(name);
    }
    if !fits.is_empty() {
        return Ok(fits);
    }
    let n = nodes.len();
    let reasons: Vec<String> = why.iter().map(|(r, k)| format!("{k} {r}")).collect();
    Err(format!(
        "0/{n} nodes are available: {}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling.",
        reasons.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Timing;
    use crate::controller::node::{NodeSize, register, set_condition};
    use serde_json::json;

    fn cluster() -> Cluster {
        let mut c = Cluster::new(Timing::fast(), 1000);
        register(&mut c, NodeSize::default());
        c
    }

    fn node(c: &Cluster, name: &str) -> Node {
        c.store.get_typed::<Node>("", name).unwrap()
    }

    fn taints(c: &Cluster, name: &str) -> Vec<(String, String)> {
        node(c, name)
            .spec
            .and_then(|s| s.taints)
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.effect))
            .collect()
    }

    #[test]
    fn conditions_bring_their_taints_and_cordons_theirs() {
        let mut c = cluster();
        set_condition(&mut c, "sim-node-1", "MemoryPressure", true).unwrap();
        set_condition(&mut c, "sim-node-2", "NotReady", true).unwrap();
        let mut n3 = node(&c, "sim-node-3");
        n3.spec.get_or_insert_with(Default::default).unschedulable = Some(true);
        c.store.put_typed(n3);
        sync(&mut c);
        assert_eq!(
            taints(&c, "sim-node-1"),
            [(
                "node.kubernetes.io/memory-pressure".into(),
                "NoSchedule".into()
            )]
        );
        assert_eq!(
            taints(&c, "sim-node-2"),
            [
                (NOT_READY.into(), "NoSchedule".into()),
                (NOT_READY.into(), "NoExecute".into())
            ]
        );
        assert_eq!(
            taints(&c, "sim-node-3"),
            [(UNSCHEDULABLE.into(), "NoSchedule".into())]
        );
        let ready = node(&c, "sim-node-2").status.unwrap().conditions.unwrap();
        let ready = ready.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_deref()),
            ("False", Some("KubeletNotReady"))
        );

        let pod = Pod::default();
        let err = feasible(&c, &pod).unwrap_err();
        assert_eq!(
            err,
            "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        );
        set_condition(&mut c, "sim-node-1", "MemoryPressure", false).unwrap();
        sync(&mut c);
        assert!(taints(&c, "sim-node-1").is_empty());
        assert_eq!(feasible(&c, &pod).unwrap(), ["sim-node-1"]);
        assert!(set_condition(&mut c, "sim-node-9", "NotReady", true).is_err());
        assert!(set_condition(&mut c, "sim-node-1", "Sleepy", true).is_err());
    }

    fn pod_on(name: &str, node: &str, owner: &str) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "shop", "uid": name,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner, "name": "x", "uid": "x", "controller": true}]},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i:1"}]},
            "status": {"phase": "Running"}
        }))
        .unwrap()
    }

    #[test]
    fn a_node_not_ready_evicts_its_pods_once_their_toleration_runs_out() {
        let mut c = Cluster::new(
            Timing {
                eviction: std::time::Duration::from_secs(3600),
                ..Timing::fast()
            },
            1000,
        );
        register(&mut c, NodeSize::default());
        c.store.put_typed(pod_on("app", "sim-node-2", "ReplicaSet"));
        c.store
            .put_typed(pod_on("agent", "sim-node-2", "DaemonSet"));
        c.store
            .put_typed(pod_on("elsewhere", "sim-node-1", "ReplicaSet"));
        set_condition(&mut c, "sim-node-2", "NotReady", true).unwrap();
        // Within the toleration: nothing yet, and the controller waits.
        assert!(sync(&mut c));
        let deleting = |c: &Cluster, name: &str| {
            c.store
                .get_typed::<Pod>("shop", name)
                .unwrap()
                .metadata
                .deletion_timestamp
                .is_some()
        };
        assert!(!deleting(&c, "app"));
        c.timing.eviction = std::time::Duration::ZERO;
        assert!(!sync(&mut c));
        assert!(deleting(&c, "app"));
        assert!(!deleting(&c, "agent") && !deleting(&c, "elsewhere"));
        let events = c
            .store
            .list_typed::<k8s_openapi::api::core::v1::Event>(Some("shop"));
        assert!(
            events
                .iter()
                .any(|e| e.reason.as_deref() == Some("TaintManagerEviction")
                    && e.message.as_deref() == Some("Marking for deletion Pod shop/app"))
        );
        // The node's own events are kept in `default`.
        let node_events = c
            .store
            .list_typed::<k8s_openapi::api::core::v1::Event>(Some("default"));
        let not_ready = node_events
            .iter()
            .find(|e| e.reason.as_deref() == Some("NodeNotReady"))
            .unwrap();
        assert_eq!(not_ready.involved_object.kind.as_deref(), Some("Node"));
        assert_eq!(not_ready.involved_object.namespace, None);
    }

    #[test]
    fn tolerations_match_as_the_scheduler_matches_them() {
        let t = taint("node.kubernetes.io/memory-pressure", "NoSchedule", None);
        let tol = |json: serde_json::Value| serde_json::from_value(json).unwrap();
        assert!(tolerates(&tol(json!({"operator": "Exists"})), &t));
        assert!(tolerates(
            &tol(json!({"key": t.key, "operator": "Exists", "effect": "NoSchedule"})),
            &t
        ));
        assert!(!tolerates(
            &tol(json!({"key": t.key, "operator": "Exists", "effect": "NoExecute"})),
            &t
        ));
        assert!(!tolerates(
            &tol(json!({"key": "other", "operator": "Exists"})),
            &t
        ));
        assert!(tolerates(&tol(json!({"key": t.key, "value": ""})), &t));
    }
}
