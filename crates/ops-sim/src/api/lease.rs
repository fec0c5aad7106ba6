//! The nodes' heartbeats: each kubelet's Lease in `kube-node-lease`
//! (`coordination.k8s.io/v1`), renewed every 10 s, which `kubectl describe
//! node` shows. They are made from the nodes when asked for, not stored.

use hyper::{Method, StatusCode};
use k8s_openapi::api::core::v1::Node;
use serde_json::{Value, json};

use super::{Api, status};
use crate::cluster::lock;
use crate::http::{Req, Resp, json};

/// Where the group's paths begin.
pub const PREFIX: &str = "/apis/coordination.k8s.io";
pub const GROUP: (&str, &str) = ("coordination.k8s.io", "v1");
const NAMESPACE: &str = "kube-node-lease";
/// The paths (after [`PREFIX`]) of the nodes' leases.
pub const NODE_LEASES: &str = "/v1/namespaces/kube-node-lease/";

fn not_found(name: &str) -> Resp {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("leases.coordination.k8s.io \"{name}\" not found"),
        Some((name, GROUP.0, "leases")),
    )
}

/// A node's Lease, last renewed within the past 10 s.
fn lease(node: &Node, rv: u64) -> Value {
    let name = node.metadata.name.clone().unwrap_or_default();
    let uid = node.metadata.uid.clone().unwrap_or_default();
    let now = jiff::Timestamp::now();
    let renewed = now - jiff::SignedDuration::from_millis(now.as_millisecond().rem_euclid(10_000));
    json!({
        "kind": "Lease",
        "apiVersion": "coordination.k8s.io/v1",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "uid": format!("1ea5e000{}", uid.get(8..).unwrap_or("")),
            "resourceVersion": rv.to_string(),
            "creationTimestamp": node.metadata.creation_timestamp,
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name, "uid": uid}],
        },
        "spec": {
            "holderIdentity": name,
            "leaseDurationSeconds": 40,
            "renewTime": format!(
                "{}.{:06}Z",
                renewed.strftime("%Y-%m-%dT%H:%M:%S"),
                renewed.subsec_microsecond()
            ),
        },
    })
}

/// A request under [`PREFIX`]; `rest` is the path after it.
pub fn handle(api: &Api, req: &Req, rest: &str) -> Resp {
    if req.method != Method::GET {
        return status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the simulator serves only the nodes' leases, to read".into(),
            None,
        );
    }
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let (nodes, rv) = {
        let cluster = lock(&api.cluster);
        (
            cluster.store.list_typed::<Node>(None),
            cluster.store.resource_version(),
        )
    };
    match segs.as_slice() {
        [] => super::discovery::api_group(GROUP.0),
        ["v1"] => super::discovery::resources(GROUP.0),
        ["v1", "namespaces", ns, "leases"] => {
            let items: Vec<Value> = if *ns == NAMESPACE {
                nodes.iter().map(|n| lease(n, rv)).collect()
            } else {
                Vec::new()
            };
            json(
                StatusCode::OK,
                &json!({"kind": "LeaseList", "apiVersion": "coordination.k8s.io/v1", "metadata": {"resourceVersion": rv.to_string()}, "items": items}),
            )
        }
        ["v1", "namespaces", ns, "leases", name] => {
            match nodes
                .iter()
                .filter(|_| *ns == NAMESPACE)
                .find(|n| n.metadata.name.as_deref() == Some(name))
            {
                Some(n) => json(StatusCode::OK, &lease(n, rv)),
                None => not_found(name),
            }
        }
        _ => status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource".into(),
            None,
        ),
    }
}
