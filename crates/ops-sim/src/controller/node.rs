//! Nodes: the objects the kubelets register and report (capacity,
//! conditions, addresses, system info), and the conditions a fault makes
//! them report. The taints that follow, evictions and where pods fit are
//! in [`super::taints`].
//!
//! A node made `NotReady` (fault injection) reports `Ready=False` with
//! `KubeletNotReady`, as a kubelet whose container runtime's network is
//! not ready does: the kubelet still runs, so the pods already there keep
//! running and reporting, until the `NoExecute` taint evicts them after
//! `timing.eviction` (the default toleration of 300 s); a DaemonSet's pods
//! tolerate it and stay.

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Node, NodeCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::store::{Kind, now};

pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
pub const NOT_READY: &str = "node.kubernetes.io/not-ready";

/// A node's pressure conditions and the taint each brings: (condition,
/// taint, reason and message when true, when false, and the events the
/// kubelet records for each).
pub(super) const PRESSURES: [Pressure; 3] = [
    Pressure {
        condition: "MemoryPressure",
        taint: "node.kubernetes.io/memory-pressure",
        on: (
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
        ),
        off: (
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        events: ("NodeHasInsufficientMemory", "NodeHasSufficientMemory"),
    },
    Pressure {
        condition: "DiskPressure",
        taint: "node.kubernetes.io/disk-pressure",
        on: ("KubeletHasDiskPressure", "kubelet has disk pressure"),
        off: ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        events: ("NodeHasDiskPressure", "NodeHasNoDiskPressure"),
    },
    Pressure {
        condition: "PIDPressure",
        taint: "node.kubernetes.io/pid-pressure",
        on: (
            "KubeletHasInsufficientPID",
            "kubelet has insufficient PID available",
        ),
        off: (
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
        events: ("NodeHasInsufficientPID", "NodeHasSufficientPID"),
    },
];

pub(super) struct Pressure {
    pub(super) condition: &'static str,
    pub(super) taint: &'static str,
    on: (&'static str, &'static str),
    off: (&'static str, &'static str),
    events: (&'static str, &'static str),
}

const READY: (&str, &str) = ("KubeletReady", "kubelet is posting ready status");
const NOT_READY_REASON: (&str, &str) = (
    "KubeletNotReady",
    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
);

/// What each node offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSize {
    pub cpu_millis: u64,
    pub memory_mib: u64,
    pub pods: u64,
}

impl Default for NodeSize {
    /// 4 CPUs, 16 GiB, 110 pods: a common worker.
    fn default() -> NodeSize {
        NodeSize {
            cpu_millis: 4000,
            memory_mib: 16 * 1024,
            pods: 110,
        }
    }
}

impl NodeSize {
    /// Big enough for `pods` pods of the scenarios' requests (100m, 256Mi)
    /// with a quarter to spare, and never smaller than the default.
    pub fn for_pods(pods: usize) -> NodeSize {
        let d = NodeSize::default();
        let pods = pods as u64;
        NodeSize {
            cpu_millis: d.cpu_millis.max((pods * 125).div_ceil(1000) * 1000),
            memory_mib: d.memory_mib.max((pods * 320).div_ceil(1024) * 1024),
            pods: d.pods.max(pods + pods / 10),
        }
    }
}

/// The address of a node, from the number its name ends with.
pub fn host_ip(node: &str) -> String {
    let n: u32 = node
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    format!("192.168.49.{}", (n % 250) + 1)
}

fn condition(type_: &str, (reason, message): (&str, &str), value: &str, since: &Time) -> Value {
    json!({
        "type": type_,
        "status": value,
        "reason": reason,
        "message": message,
        "lastHeartbeatTime": now(),
        "lastTransitionTime": since,
    })
}

/// A node as its kubelet registers it, a week ago.
pub fn node_object(name: &str, index: usize, size: NodeSize) -> Node {
    let created = Time(Timestamp::now() - SignedDuration::from_hours(24 * 7));
    let capacity_ki = size.memory_mib * 1024 + 4100;
    let id = |salt: &str| {
        let half = |part: u8| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&(name, index, salt, part), &mut h);
            std::hash::Hasher::finish(&h)
        };
        format!("{:016x}{:016x}", half(0), half(1))
    };
    let machine = id("machine");
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &machine[0..8],
        &machine[8..12],
        &machine[12..16],
        &machine[16..20],
        &machine[20..32]
    );
    let mut conditions: Vec<Value> = PRESSURES
        .iter()
        .map(|p| condition(p.condition, p.off, "False", &created))
        .collect();
    conditions.push(condition("Ready", READY, "True", &created));
    let value = json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "creationTimestamp": created,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node-role.kubernetes.io/worker": "",
            },
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {
            "podCIDR": format!("10.244.{index}.0/24"),
            "podCIDRs": [format!("10.244.{index}.0/24")],
        },
        "status": {
            "capacity": {
                "cpu": (size.cpu_millis / 1000).to_string(),
                "ephemeral-storage": "101430960Ki",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": format!("{capacity_ki}Ki"),
                "pods": size.pods.to_string(),
            },
            "allocatable": {
                "cpu": format!("{}m", size.cpu_millis - 80),
                "ephemeral-storage": "93478772582",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": format!("{}Ki", capacity_ki - 100 * 1024),
                "pods": size.pods.to_string(),
            },
            "conditions": conditions,
            "addresses": [
                {"type": "InternalIP", "address": host_ip(name)},
                {"type": "Hostname", "address": name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": machine,
                "systemUUID": uuid,
                "bootID": id("boot"),
                "kernelVersion": "6.1.0-28-amd64",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "containerRuntimeVersion": "containerd://1.7.24",
                "kubeletVersion": "v1.32.0",
                "kubeProxyVersion": "v1.32.0",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    });
    serde_json::from_value(value).unwrap_or_default()
}

/// Registers a Node for each of the cluster's node names.
pub fn register(cluster: &mut Cluster, size: NodeSize) {
    for (i, name) in cluster.node_names.clone().iter().enumerate() {
        if cluster.store.get(Kind::Node, "", name).is_none() {
            cluster.store.put_typed(node_object(name, i, size));
        }
    }
}

/// The conditions a fault can set.
pub const FAULT_CONDITIONS: [&str; 4] =
    ["MemoryPressure", "DiskPressure", "PIDPressure", "NotReady"];

/// Sets (or, with `on` false, clears) a node's condition as its kubelet
/// reports it: a pressure condition True, or Ready False (`NotReady`).
/// The taints follow at the next sync.
pub fn set_condition(
    cluster: &mut Cluster,
    name: &str,
    which: &str,
    on: bool,
) -> Result<String, String> {
    let Some(mut node) = cluster.store.get_typed::<Node>("", name) else {
        let names: Vec<String> = cluster
            .store
            .list(Kind::Node, None)
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        return Err(format!(
            "no node {name:?} (there are: {})",
            names.join(", ")
        ));
    };
    let (type_, value, (reason, message), event) = if which == "NotReady" {
        let (value, reason, event) = if on {
            ("False", NOT_READY_REASON, "NodeNotReady")
        } else {
            ("True", READY, "NodeReady")
        };
        ("Ready", value, reason, event)
    } else {
        let Some(p) = PRESSURES.iter().find(|p| p.condition == which) else {
            return Err(format!(
                "unknown condition {which:?} (one of: {})",
                FAULT_CONDITIONS.join(", ")
            ));
        };
        if on {
            (p.condition, "True", p.on, p.events.0)
        } else {
            (p.condition, "False", p.off, p.events.1)
        }
    };
    let status = node.status.get_or_insert_with(Default::default);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let t = now();
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) => {
            if c.status != value {
                c.last_transition_time = Some(t.clone());
            }
            c.status = value.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_heartbeat_time = Some(t);
        }
        None => conditions.push(NodeCondition {
            type_: type_.into(),
            status: value.into(),
            reason: Some(reason.into()),
            message: Some(message.into()),
            last_heartbeat_time: Some(t.clone()),
            last_transition_time: Some(t),
        }),
    }
    let meta = node.metadata.clone();
    cluster.store.put_typed(node);
    cluster.event(
        Kind::Node,
        &meta,
        if on { "Warning" } else { "Normal" },
        event,
        format!("Node {name} status is now: {event}"),
        "kubelet",
    );
    Ok(format!("{name}: {type_} is {value} ({reason})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Timing;

    fn cluster() -> Cluster {
        let mut c = Cluster::new(Timing::fast(), 1000);
        register(&mut c, NodeSize::default());
        c
    }

    fn node(c: &Cluster, name: &str) -> Node {
        c.store.get_typed::<Node>("", name).unwrap()
    }

    #[test]
    fn nodes_register_ready_with_capacity_and_room_to_spare() {
        let c = cluster();
        let n = node(&c, "sim-node-2");
        let status = n.status.unwrap();
        assert_eq!(status.capacity.as_ref().unwrap()["cpu"].0, "4");
        assert_eq!(status.allocatable.as_ref().unwrap()["cpu"].0, "3920m");
        assert_eq!(status.capacity.as_ref().unwrap()["pods"].0, "110");
        let types: Vec<(String, String)> = status
            .conditions
            .unwrap()
            .into_iter()
            .map(|c| (c.type_, c.reason.unwrap()))
            .collect();
        assert_eq!(
            types,
            [
                ("MemoryPressure".into(), "KubeletHasSufficientMemory".into()),
                ("DiskPressure".into(), "KubeletHasNoDiskPressure".into()),
                ("PIDPressure".into(), "KubeletHasSufficientPID".into()),
                ("Ready".into(), "KubeletReady".into()),
            ]
        );
        assert_eq!(status.addresses.unwrap()[0].address, "192.168.49.3");
        assert_eq!(n.spec.unwrap().pod_cidr.unwrap(), "10.244.1.0/24");
        let big = NodeSize::for_pods(6667);
        assert!(big.pods >= 6667 && big.cpu_millis >= 667_000, "{big:?}");
        assert_eq!(NodeSize::for_pods(10), NodeSize::default());
    }
}
