//! The ReplicaSet controller: creates and deletes pods to match each
//! ReplicaSet's replicas, and keeps its status.

use std::collections::HashMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::kubelet::ready_since;
use super::{owner_ref, random_suffix};
use crate::cluster::Cluster;
use crate::store::{Kind, Obj, Typed};

/// Pods created per ReplicaSet per tick, like the real controller's batches.
const CREATE_BURST: usize = 500;

/// Pods by the uid of the ReplicaSet that controls them.
pub fn pods_by_owner(cluster: &Cluster) -> HashMap<String, Vec<Arc<Obj>>> {
    let mut map: HashMap<String, Vec<Arc<Obj>>> = HashMap::new();
    for obj in cluster.store.list(Kind::Pod, None) {
        let owner = obj
            .meta()
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true))
            .map(|o| o.uid.clone());
        if let Some(uid) = owner {
            map.entry(uid).or_default().push(obj);
        }
    }
    map
}

pub fn sync(cluster: &mut Cluster) {
    let pods = pods_by_owner(cluster);
    for obj in cluster.store.list(Kind::ReplicaSet, None) {
        let Some(rs) = ReplicaSet::peek(&obj) else {
            continue;
        };
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        let owned: &[Arc<Obj>] = pods.get(&uid).map_or(&[], Vec::as_slice);
        let rs = rs.clone();
        sync_one(cluster, rs, owned);
    }
}

fn is_terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

fn sync_one(cluster: &mut Cluster, rs: ReplicaSet, owned: &[Arc<Obj>]) {
    let want = rs.spec.replicas.unwrap_or(1).max(0) as usize;
    let mut active: Vec<&Pod> = owned
        .iter()
        .filter_map(|o| Pod::peek(o))
        .filter(|p| !is_terminating(p))
        .collect();
    if active.len() < want {
        let n = (want - active.len()).min(CREATE_BURST);
        for _ in 0..n {
            create_pod(cluster, &rs);
        }
    } else if active.len() > want {
        // Delete the least useful first: unscheduled, then not ready, then newest.
        active.sort_by_key(|p| {
            let scheduled = p.spec.as_ref().is_some_and(|s| s.node_name.is_some());
            let ready = ready_since(p).is_some();
            let created = p
                .metadata
                .creation_timestamp
                .as_ref()
                .map_or(0, |t| t.0.as_millisecond());
            (scheduled, ready, std::cmp::Reverse(created))
        });
        let excess = active.len() - want;
        for pod in active.iter().take(excess) {
            delete_pod(cluster, pod);
        }
    }
    update_status(cluster, rs, owned);
}

fn create_pod(cluster: &mut Cluster, rs: &ReplicaSet) {
    let rs_name = rs.metadata.name.clone().unwrap_or_default();
    let template = rs.spec.template.clone().unwrap_or_default();
    let tmeta = template.metadata.unwrap_or_default();
    let name = format!("{rs_name}-{}", random_suffix());
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: rs.metadata.namespace.clone(),
            labels: tmeta.labels,
            annotations: tmeta.annotations,
            owner_references: Some(vec![owner_ref("ReplicaSet", "apps/v1", &rs.metadata)]),
            generate_name: Some(format!("{rs_name}-")),
            ..ObjectMeta::default()
        },
        spec: Some(template.spec.unwrap_or_default()),
        status: Some(PodStatus {
            phase: Some("Pending".into()),
            ..PodStatus::default()
        }),
    };
    cluster.store.put_typed(pod);
    cluster.event(
        Kind::ReplicaSet,
        &rs.metadata,
        "Normal",
        "SuccessfulCreate",
        format!("Created pod: {name}"),
        "replicaset-controller",
    );
}

/// Starts a pod's graceful deletion: it is gone after the grace period.
pub fn delete_pod(cluster: &mut Cluster, pod: &Pod) {
    let mut pod = pod.clone();
    let grace = cluster.timing.terminate;
    let at = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::try_from(grace).unwrap_or_default())
        .unwrap_or_else(|_| jiff::Timestamp::now());
    pod.metadata.deletion_timestamp = Some(Time(at));
    pod.metadata.deletion_grace_period_seconds = Some(grace.as_secs() as i64);
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true) && o.kind == "ReplicaSet")
        .map(|o| o.name.clone());
    let name = pod.metadata.name.clone().unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    cluster.store.put_typed(pod);
    if let Some(rs_name) = owner
        && let Some(rs) = cluster.store.get_typed::<ReplicaSet>(&ns, &rs_name)
    {
        cluster.event(
            Kind::ReplicaSet,
            &rs.metadata,
            "Normal",
            "SuccessfulDelete",
            format!("Deleted pod: {name}"),
            "replicaset-controller",
        );
    }
}

fn update_status(cluster: &mut Cluster, mut rs: ReplicaSet, owned: &[Arc<Obj>]) {
    let min_ready = rs.spec.min_ready_seconds.unwrap_or(0);
    let active: Vec<&Pod> = owned
        .iter()
        .filter_map(|o| Pod::peek(o))
        .filter(|p| !is_terminating(p))
        .collect();
    let ready = active.iter().filter(|p| ready_since(p).is_some()).count() as i32;
    let available = active
        .iter()
        .filter(|p| ready_since(p).is_some_and(|d| d.as_secs() >= min_ready as u64))
        .count() as i32;
    let status = ReplicaSetStatus {
        replicas: active.len() as i32,
        fully_labeled_replicas: Some(active.len() as i32),
        ready_replicas: Some(ready),
        available_replicas: Some(available),
        terminating_replicas: Some(owned.len() as i32 - active.len() as i32),
        observed_generation: rs.metadata.generation,
        conditions: None,
    };
    if rs.status.as_ref() != Some(&status) {
        rs.status = Some(status);
        cluster.store.put_typed(rs);
    }
}
