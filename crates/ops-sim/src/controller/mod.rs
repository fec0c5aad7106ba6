//! The controllers: a kubelet that walks pods through their lives, a
//! ReplicaSet controller that keeps pod counts, and a Deployment controller
//! that rolls out revisions like the real one, the StatefulSet and
//! DaemonSet controllers with their ControllerRevision history, and Job,
//! CronJob and HorizontalPodAutoscaler controllers. `tick` runs them all
//! once.

pub mod admission;
mod cronjob;
mod daemonset;
mod deployment;
pub mod history;
mod hpa;
mod job;
mod kubelet;
pub mod node;
mod replicaset;
mod schedule;
mod statefulset;
mod status;
pub mod taints;
pub mod usage;

pub use cronjob::{SCHEDULED_TIMESTAMP, job_name as cron_job_name};
pub use daemonset::pod_node;
pub use job::{
    CONTROLLER_UID, TRACKING_FINALIZER, finished as job_finished, generated_labels, owned_by_job,
};
pub use kubelet::{crashes, fails, is_ready, serves_errors, settle_finished_pod, settle_pod};
pub use replicaset::delete_pod;
pub use schedule::{Schedule, go_duration, time_zone};

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::cluster::{Cluster, Shared, lock};

pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const HASH_LABEL: &str = "pod-template-hash";
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// Runs every controller once. Returns whether something is still in
/// motion (pods starting or stopping, rollouts progressing).
pub fn tick(cluster: &mut Cluster) -> bool {
    let evicting = taints::sync(cluster);
    let pods_moving = kubelet::sync(cluster);
    replicaset::sync(cluster);
    let rolling = deployment::sync(cluster);
    let stateful = statefulset::sync(cluster);
    let daemons = daemonset::sync(cluster);
    let scheduling = cronjob::sync(cluster);
    let jobs = job::sync(cluster);
    let scaling = hpa::sync(cluster);
    evicting || pods_moving || rolling || stateful || daemons || scheduling || jobs || scaling
}

/// Deletes a Job and, in the background as the garbage collector does,
/// its pods (each through its grace period); the Job controller, finding
/// them orphaned, releases their tracking finalizer.
pub fn delete_job(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(obj) = cluster.store.delete(crate::store::Kind::Job, ns, name) else {
        return;
    };
    let uid = obj.meta().uid.clone().unwrap_or_default();
    for pod in cluster.store.list(crate::store::Kind::Pod, Some(ns)) {
        if !owned_by(pod.meta(), &uid) {
            continue;
        }
        if let Some(p) = <k8s_openapi::api::core::v1::Pod as crate::store::Typed>::peek(&pod) {
            let mut p = p.clone();
            job::untrack(&mut p);
            if p.metadata.deletion_timestamp.is_none() {
                delete_pod(cluster, &p);
            } else {
                cluster.store.put_typed(p);
            }
        }
    }
}

/// Deletes a CronJob and its Jobs (with their pods).
pub fn delete_cronjob(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(obj) = cluster.store.delete(crate::store::Kind::CronJob, ns, name) else {
        return;
    };
    let uid = obj.meta().uid.clone().unwrap_or_default();
    for job in cluster.store.list(crate::store::Kind::Job, Some(ns)) {
        if owned_by(job.meta(), &uid) {
            delete_job(cluster, ns, job.name());
        }
    }
}

/// Runs the controllers until the task is dropped. A tick runs when the
/// store changed or something is in motion; a cluster at rest costs nothing.
pub async fn run(shared: Shared) {
    let every = lock(&shared).timing.tick;
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut synced_at = 0;
    let mut busy = true;
    loop {
        interval.tick().await;
        let mut cluster = lock(&shared);
        if busy || cluster.store.resource_version() != synced_at {
            busy = tick(&mut cluster);
            synced_at = cluster.store.resource_version();
        }
    }
}

/// Whether `meta` is owned by the object with `uid`.
pub fn owned_by(meta: &ObjectMeta, uid: &str) -> bool {
    meta.owner_references
        .iter()
        .flatten()
        .any(|o| o.uid == uid && o.controller == Some(true))
}

pub fn owner_ref(kind: &str, api_version: &str, meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The revision annotation of an object, 0 if none.
pub fn revision(meta: &ObjectMeta) -> i64 {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// A template without its pod-template-hash label, for comparison.
fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(meta) = t.metadata.as_mut()
        && let Some(labels) = meta.labels.as_mut()
    {
        labels.remove(HASH_LABEL);
    }
    t
}

pub fn equal_ignoring_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    without_hash(a) == without_hash(b)
}

/// A short, stable hash of a template, in the alphabet Kubernetes uses.
pub fn template_hash(t: &PodTemplateSpec) -> String {
    let json = serde_json::to_string(&without_hash(t)).unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    json.hash(&mut h);
    let mut n = h.finish();
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut out = String::new();
    for _ in 0..10 {
        out.push(ALPHABET[(n % ALPHABET.len() as u64) as usize] as char);
        n /= ALPHABET.len() as u64;
    }
    out
}

/// Resolves maxSurge / maxUnavailable against a replica count: percentages
/// round up for surge and down for unavailable, as the real controller does.
pub fn resolve(
    value: Option<&IntOrString>,
    replicas: i32,
    default_percent: i32,
    round_up: bool,
) -> i32 {
    match value {
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            let pct: i32 = s.trim_end_matches('%').parse().unwrap_or(default_percent);
            percent_of(replicas, pct, round_up)
        }
        None => percent_of(replicas, default_percent, round_up),
    }
}

fn percent_of(replicas: i32, pct: i32, round_up: bool) -> i32 {
    let product = i64::from(replicas) * i64::from(pct);
    let v = if round_up {
        (product + 99) / 100
    } else {
        product / 100
    };
    v as i32
}

/// Labels with one more entry.
pub fn with_label(
    labels: Option<&BTreeMap<String, String>>,
    key: &str,
    value: &str,
) -> BTreeMap<String, String> {
    let mut out = labels.cloned().unwrap_or_default();
    out.insert(key.to_string(), value.to_string());
    out
}

/// Five random lowercase letters and digits, as generated names end.
pub fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surge_rounds_up_and_unavailable_rounds_down() {
        let pct = IntOrString::String("25%".into());
        assert_eq!(resolve(Some(&pct), 3, 25, true), 1);
        assert_eq!(resolve(Some(&pct), 3, 25, false), 0);
        assert_eq!(resolve(None, 10, 25, true), 3);
        assert_eq!(resolve(None, 10, 25, false), 2);
        assert_eq!(resolve(Some(&IntOrString::Int(2)), 10, 25, false), 2);
    }
}
