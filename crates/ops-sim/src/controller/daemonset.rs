//! The DaemonSet controller, after the real one: one pod per node that the
//! node selector admits, pinned to its node by a required node affinity
//! (the scheduler binds it there); a RollingUpdate within maxUnavailable
//! (or, with maxSurge, a new pod beside the old one until it is available),
//! or OnDelete; a ControllerRevision per pod template; and the status
//! counts per node.

use std::collections::{BTreeMap, HashMap, HashSet};

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{
    Affinity, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodStatus, Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::history::{
    self, DEFAULT_HISTORY_LIMIT, NewRevision, POD_REVISION_LABEL, TEMPLATE_GENERATION,
};
use super::kubelet::ready_since;
use super::replicaset::{delete_pod, pods_by_owner};
use super::{owner_ref, random_suffix};
use crate::cluster::Cluster;
use crate::store::{Kind, Typed};

/// The label with the template generation a DaemonSet pod was made from.
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";
const COMPONENT: &str = "daemonset-controller";
const MAX_COLLISIONS: i32 = 10;

/// The node a pod is bound to or pinned to by a required node affinity on
/// `metadata.name` (as the DaemonSet controller pins its pods).
pub fn pod_node(pod: &Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    if let Some(node) = spec.node_name.clone().filter(|n| !n.is_empty()) {
        return Some(node);
    }
    spec.affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms
        .iter()
        .flat_map(|t| t.match_fields.iter().flatten())
        .find(|r| r.key == "metadata.name" && r.operator == "In")
        .and_then(|r| r.values.as_ref()?.first().cloned())
}

/// The labels a simulated node carries.
fn node_labels(node: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("kubernetes.io/hostname".to_string(), node.to_string()),
        ("kubernetes.io/os".to_string(), "linux".to_string()),
    ])
}

fn should_run(ds: &DaemonSet, node: &str) -> bool {
    let labels = node_labels(node);
    ds.spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.as_ref())
        .is_none_or(|sel| sel.iter().all(|(k, v)| labels.get(k) == Some(v)))
}

/// Syncs every DaemonSet. Returns whether it changed something or waits
/// on the clock.
pub fn sync(cluster: &mut Cluster) -> bool {
    if cluster.store.count(Kind::DaemonSet) == 0 {
        return false;
    }
    let pods = pods_by_owner(cluster);
    let mut revisions = history::by_owner(cluster);
    let before = cluster.store.resource_version();
    let mut busy = false;
    for obj in cluster.store.list(Kind::DaemonSet, None) {
        let Some(ds) = DaemonSet::peek(&obj) else {
            continue;
        };
        let uid = ds.metadata.uid.clone().unwrap_or_default();
        let owned: Vec<Pod> = pods
            .get(&uid)
            .into_iter()
            .flatten()
            .filter_map(|o| Pod::peek(o).cloned())
            .collect();
        let revs = revisions.remove(&uid).unwrap_or_default();
        busy |= sync_one(cluster, ds.clone(), owned, revs);
    }
    // What changed here is seen by the next tick, which must come.
    busy || cluster.store.resource_version() != before
}

fn name_of(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

fn label<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

fn is_terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

fn phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

fn is_available(p: &Pod, min_ready: i32) -> bool {
    ready_since(p).is_some_and(|d| d.as_secs() >= min_ready.max(0) as u64)
}

/// The template generation the API server keeps in an annotation.
pub fn template_generation(ds: &DaemonSet) -> Option<i64> {
    ds.metadata
        .annotations
        .as_ref()?
        .get(TEMPLATE_GENERATION)?
        .parse()
        .ok()
}

/// Whether a pod runs the DaemonSet's current template.
fn is_updated(p: &Pod, hash: &str, generation: Option<i64>) -> bool {
    let hash_matches = !hash.is_empty() && label(&p.metadata, POD_REVISION_LABEL) == Some(hash);
    let generation_matches = generation.is_some_and(|g| {
        label(&p.metadata, TEMPLATE_GENERATION_LABEL) == Some(g.to_string().as_str())
    });
    hash_matches || generation_matches
}

/// Oldest first, scheduled before unscheduled, as the controller ranks a
/// node's pods.
fn by_age(pods: &mut [&Pod]) {
    pods.sort_by_key(|p| {
        (
            p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none(),
            p.metadata
                .creation_timestamp
                .as_ref()
                .map_or(0, |t| t.0.as_nanosecond()),
            p.metadata.name.clone().unwrap_or_default(),
        )
    });
}

/// The current revision (created, or renumbered to be the newest) and the
/// others.
fn history(
    cluster: &mut Cluster,
    ds: &mut DaemonSet,
    revs: Vec<ControllerRevision>,
) -> (Option<ControllerRevision>, Vec<ControllerRevision>) {
    let data = history::template_patch(&ds.spec.template);
    let (mut same, old): (Vec<_>, Vec<_>) = revs
        .into_iter()
        .partition(|r| history::data_of(r) == Some(&data));
    let next = old.iter().map(history::number).max().unwrap_or(0) + 1;
    history::sort(&mut same);
    // Duplicates of the current template: the newest stays.
    let keep = same.pop();
    for dup in &same {
        let ns = dup.metadata.namespace.as_deref().unwrap_or("");
        cluster
            .store
            .delete(Kind::ControllerRevision, ns, name_of(&dup.metadata));
    }
    let cur = match keep {
        Some(r) if history::number(&r) < next => Some(history::renumber(cluster, &r, next)),
        Some(r) => Some(r),
        None => snapshot(cluster, ds, next),
    };
    (cur, old)
}

/// A new revision of the DaemonSet's template, named by its hash.
fn snapshot(
    cluster: &mut Cluster,
    ds: &mut DaemonSet,
    revision: i64,
) -> Option<ControllerRevision> {
    let template = serde_json::to_vec(&ds.spec.template).unwrap_or_default();
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    for _ in 0..MAX_COLLISIONS {
        let mut bytes = template.clone();
        if let Some(c) = ds.status.as_ref().and_then(|s| s.collision_count) {
            bytes.extend_from_slice(&(c as u32).to_le_bytes());
        }
        let hash = history::safe_encode(history::fnv1a_32(&bytes));
        let name = format!("{}-{hash}", name_of(&ds.metadata));
        if cluster
            .store
            .get(Kind::ControllerRevision, &ns, &name)
            .is_some()
        {
            let status = ds.status.get_or_insert_with(DaemonSetStatus::default);
            status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
            continue;
        }
        return Some(history::create(
            cluster,
            NewRevision {
                owner_kind: "DaemonSet",
                owner: &ds.metadata,
                name,
                hash_label: POD_REVISION_LABEL,
                hash,
                template: &ds.spec.template,
                annotations: ds.metadata.annotations.clone(),
                revision,
            },
        ));
    }
    None
}

/// The pod the DaemonSet runs on `node`.
fn new_pod(ds: &DaemonSet, node: &str, hash: &str, generation: Option<i64>) -> Pod {
    let ds_name = name_of(&ds.metadata);
    let template = &ds.spec.template;
    let tmeta = template.metadata.clone().unwrap_or_default();
    let mut labels = tmeta.labels.unwrap_or_default();
    if let Some(g) = generation {
        labels.insert(TEMPLATE_GENERATION_LABEL.into(), g.to_string());
    }
    if !hash.is_empty() {
        labels.insert(POD_REVISION_LABEL.into(), hash.to_string());
    }
    let mut spec = template.spec.clone().unwrap_or_default();
    pin(&mut spec.affinity, node);
    add_tolerations(&mut spec.tolerations, spec.host_network.unwrap_or(false));
    Pod {
        metadata: ObjectMeta {
            name: Some(format!("{ds_name}-{}", random_suffix())),
            generate_name: Some(format!("{ds_name}-")),
            namespace: ds.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: tmeta.annotations,
            owner_references: Some(vec![owner_ref("DaemonSet", "apps/v1", &ds.metadata)]),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: Some(PodStatus {
            phase: Some("Pending".into()),
            ..PodStatus::default()
        }),
    }
}

/// Requires the node by name: every required term matches that node only.
fn pin(affinity: &mut Option<Affinity>, node: &str) {
    let by_name = NodeSelectorRequirement {
        key: "metadata.name".into(),
        operator: "In".into(),
        values: Some(vec![node.to_string()]),
    };
    let node_affinity = affinity
        .get_or_insert_with(Affinity::default)
        .node_affinity
        .get_or_insert_with(NodeAffinity::default);
    let required = node_affinity
        .required_during_scheduling_ignored_during_execution
        .get_or_insert_with(NodeSelector::default);
    if required.node_selector_terms.is_empty() {
        required
            .node_selector_terms
            .push(NodeSelectorTerm::default());
    }
    for term in &mut required.node_selector_terms {
        term.match_fields = Some(vec![by_name.clone()]);
    }
}

/// The tolerations every DaemonSet pod gets, so that it stays on a node in
/// trouble.
fn add_tolerations(tolerations: &mut Option<Vec<Toleration>>, host_network: bool) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let list = tolerations.get_or_insert_with(Vec::new);
    for (key, effect) in wanted {
        if list
            .iter()
            .any(|t| t.key.as_deref() == Some(key) && t.effect.as_deref() == Some(effect))
        {
            continue;
        }
        list.push(Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Toleration::default()
        });
    }
}

fn create_pod(cluster: &mut Cluster, ds: &DaemonSet, node: &str, hash: &str) {
    let pod = new_pod(ds, node, hash, template_generation(ds));
    let name = name_of(&pod.metadata).to_string();
    cluster.store.put_typed(pod);
    cluster.event(
        Kind::DaemonSet,
        &ds.metadata,
        "Normal",
        "SuccessfulCreate",
        format!("Created pod: {name}"),
        COMPONENT,
    );
}

fn remove_pod(cluster: &mut Cluster, ds: &DaemonSet, pod: &Pod) {
    delete_pod(cluster, pod);
    cluster.event(
        Kind::DaemonSet,
        &ds.metadata,
        "Normal",
        "SuccessfulDelete",
        format!("Deleted pod: {}", name_of(&pod.metadata)),
        COMPONENT,
    );
}

fn rolling_update_params(ds: &DaemonSet) -> Option<(Option<IntOrString>, Option<IntOrString>)> {
    let strategy = ds.spec.update_strategy.as_ref();
    if strategy
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("RollingUpdate")
        != "RollingUpdate"
    {
        return None;
    }
    let ru = strategy.and_then(|s| s.rolling_update.as_ref());
    Some((
        ru.and_then(|r| r.max_surge.clone()),
        ru.and_then(|r| r.max_unavailable.clone()),
    ))
}

/// maxSurge or maxUnavailable against the number of nodes, percentages
/// rounded up as the DaemonSet controller rounds both.
fn scaled(value: Option<&IntOrString>, total: i32) -> i32 {
    match value {
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            ((i64::from(total) * pct + 99) / 100) as i32
        }
        None => 0,
    }
}

fn sync_one(
    cluster: &mut Cluster,
    mut ds: DaemonSet,
    pods: Vec<Pod>,
    revs: Vec<ControllerRevision>,
) -> bool {
    let status_before = ds.status.clone();
    let (cur, old) = history(cluster, &mut ds, revs);
    let hash = cur
        .as_ref()
        .and_then(|r| label(&r.metadata, POD_REVISION_LABEL))
        .unwrap_or("")
        .to_string();
    let generation = template_generation(&ds);
    let min_ready = ds.spec.min_ready_seconds.unwrap_or(0);
    let nodes = cluster.node_names.clone();

    // The DaemonSet's pods by node; terminal pods already deleted do not count.
    let mut by_node: HashMap<String, Vec<&Pod>> = HashMap::new();
    for p in &pods {
        let terminal = matches!(phase(p), "Failed" | "Succeeded");
        if terminal && is_terminating(p) {
            continue;
        }
        if let Some(node) = pod_node(p) {
            by_node.entry(node).or_default().push(p);
        }
    }
    let surge_allowed = rolling_update_params(&ds)
        .is_some_and(|(surge, _)| scaled(surge.as_ref(), nodes.len() as i32) > 0);

    // Every node that should run a pod has one, and only one unless surging.
    let mut acted = false;
    for node in &nodes {
        let on_node: Vec<&Pod> = by_node.get(node).cloned().unwrap_or_default();
        if !should_run(&ds, node) {
            for p in on_node.iter().filter(|p| !is_terminating(p)) {
                remove_pod(cluster, &ds, p);
                acted = true;
            }
            continue;
        }
        if on_node.is_empty() {
            create_pod(cluster, &ds, node, &hash);
            acted = true;
            continue;
        }
        let mut running: Vec<&Pod> = Vec::new();
        for p in on_node.into_iter().filter(|p| !is_terminating(p)) {
            if phase(p) == "Failed" {
                remove_pod(cluster, &ds, p);
                acted = true;
            } else {
                running.push(p);
            }
        }
        if running.len() <= 1 {
            continue;
        }
        by_age(&mut running);
        if !surge_allowed {
            for p in &running[1..] {
                remove_pod(cluster, &ds, p);
                acted = true;
            }
            continue;
        }
        // Surging: the oldest new pod may stand beside the oldest old one
        // until it is available (or the old one is not ready).
        let mut oldest_new: Option<&Pod> = None;
        let mut oldest_old: Option<&Pod> = None;
        for p in running {
            let slot = if label(&p.metadata, POD_REVISION_LABEL) == Some(hash.as_str()) {
                &mut oldest_new
            } else {
                &mut oldest_old
            };
            if slot.is_none() {
                *slot = Some(p);
            } else {
                remove_pod(cluster, &ds, p);
                acted = true;
            }
        }
        if let (Some(new), Some(old)) = (oldest_new, oldest_old)
            && (ready_since(old).is_none() || is_available(new, min_ready))
        {
            remove_pod(cluster, &ds, old);
            acted = true;
        }
    }

    // The rolling update, once what was asked above has happened.
    if !acted && let Some((surge, unavailable)) = rolling_update_params(&ds) {
        rolling_update(
            cluster,
            &ds,
            &nodes,
            &by_node,
            &hash,
            generation,
            (surge, unavailable),
        );
    }

    cleanup(cluster, &ds, &pods, cur.as_ref(), old);
    update_status(
        cluster,
        ds,
        status_before,
        &by_node,
        &nodes,
        &hash,
        generation,
    );
    pods.iter()
        .any(|p| ready_since(p).is_some() && !is_available(p, min_ready))
}

/// The new and the old pod on a node; None when there are more than one of
/// either (the manage step deals with the node first).
fn updated_and_old<'a>(
    pods: &[&'a Pod],
    hash: &str,
    generation: Option<i64>,
) -> Option<(Option<&'a Pod>, Option<&'a Pod>)> {
    let mut new = None;
    let mut old = None;
    for p in pods.iter().filter(|p| !is_terminating(p)) {
        let slot = if is_updated(p, hash, generation) {
            &mut new
        } else {
            &mut old
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(*p);
    }
    Some((new, old))
}

fn rolling_update(
    cluster: &mut Cluster,
    ds: &DaemonSet,
    nodes: &[String],
    by_node: &HashMap<String, Vec<&Pod>>,
    hash: &str,
    generation: Option<i64>,
    (surge, unavailable): (Option<IntOrString>, Option<IntOrString>),
) {
    let min_ready = ds.spec.min_ready_seconds.unwrap_or(0);
    let desired = nodes.iter().filter(|n| should_run(ds, n)).count() as i32;
    let max_surge = scaled(surge.as_ref(), desired);
    let mut max_unavailable = scaled(unavailable.as_ref(), desired);
    if desired > 0 && max_surge == 0 && max_unavailable == 0 {
        max_unavailable = 1;
    }
    let none: Vec<&Pod> = Vec::new();
    let node_pods = |n: &String| by_node.get(n).unwrap_or(&none).clone();
    if max_surge == 0 {
        // Delete old pods within maxUnavailable; the next sync creates
        // their replacements once they are gone.
        let mut unavailable_now = 0;
        let mut replace: Vec<&Pod> = Vec::new();
        let mut candidates: Vec<&Pod> = Vec::new();
        for node in nodes {
            let pods = node_pods(node);
            let Some((new, old)) = updated_and_old(&pods, hash, generation) else {
                unavailable_now += 1;
                continue;
            };
            match (new, old) {
                (None, None) | (Some(_), Some(_)) => unavailable_now += 1,
                (Some(new), None) => {
                    if !is_available(new, min_ready) {
                        unavailable_now += 1;
                    }
                }
                (None, Some(old)) => {
                    if !is_available(old, min_ready) {
                        replace.push(old);
                    } else if unavailable_now < max_unavailable {
                        candidates.push(old);
                    }
                }
            }
        }
        let room = (max_unavailable - unavailable_now).clamp(0, candidates.len() as i32) as usize;
        for p in replace.into_iter().chain(candidates.into_iter().take(room)) {
            remove_pod(cluster, ds, p);
        }
        return;
    }
    // Surging: a new pod beside each old one, within maxSurge; the old one
    // goes once the new one is available.
    let mut surging = 0;
    let mut delete: Vec<&Pod> = Vec::new();
    let mut must: Vec<&String> = Vec::new();
    let mut may: Vec<&String> = Vec::new();
    for node in nodes {
        let pods = node_pods(node);
        let Some((new, old)) = updated_and_old(&pods, hash, generation) else {
            surging += 1;
            continue;
        };
        match (new, old) {
            (_, None) => {}
            (None, Some(old)) => {
                if !is_available(old, min_ready) {
                    must.push(node);
                } else if surging < max_surge {
                    may.push(node);
                }
            }
            (Some(new), Some(old)) => {
                if is_available(new, min_ready) {
                    delete.push(old);
                } else {
                    surging += 1;
                }
            }
        }
    }
    let room = (max_surge - surging).clamp(0, may.len() as i32) as usize;
    for node in must.into_iter().chain(may.into_iter().take(room)) {
        create_pod(cluster, ds, node, hash);
    }
    for p in delete {
        remove_pod(cluster, ds, p);
    }
}

/// Old revisions beyond revisionHistoryLimit go, oldest first, except those
/// some pod still runs.
fn cleanup(
    cluster: &mut Cluster,
    ds: &DaemonSet,
    pods: &[Pod],
    cur: Option<&ControllerRevision>,
    mut old: Vec<ControllerRevision>,
) {
    let limit = ds
        .spec
        .revision_history_limit
        .unwrap_or(DEFAULT_HISTORY_LIMIT)
        .max(0) as usize;
    let cur_name = cur.map(|r| name_of(&r.metadata));
    old.retain(|r| Some(name_of(&r.metadata)) != cur_name);
    let mut excess = old.len().saturating_sub(limit);
    if excess == 0 {
        return;
    }
    let live: HashSet<&str> = pods
        .iter()
        .filter_map(|p| label(&p.metadata, POD_REVISION_LABEL))
        .collect();
    history::sort(&mut old);
    for rev in &old {
        if excess == 0 {
            break;
        }
        if label(&rev.metadata, POD_REVISION_LABEL).is_some_and(|h| live.contains(h)) {
            continue;
        }
        let ns = rev.metadata.namespace.as_deref().unwrap_or("");
        cluster
            .store
            .delete(Kind::ControllerRevision, ns, name_of(&rev.metadata));
        excess -= 1;
    }
}

fn nonzero(n: i32) -> Option<i32> {
    (n != 0).then_some(n)
}

fn update_status(
    cluster: &mut Cluster,
    mut ds: DaemonSet,
    before: Option<DaemonSetStatus>,
    by_node: &HashMap<String, Vec<&Pod>>,
    nodes: &[String],
    hash: &str,
    generation: Option<i64>,
) {
    let min_ready = ds.spec.min_ready_seconds.unwrap_or(0);
    let (mut desired, mut current, mut ready, mut available, mut updated, mut misscheduled) =
        (0, 0, 0, 0, 0, 0);
    for node in nodes {
        let mut pods: Vec<&Pod> = by_node.get(node).cloned().unwrap_or_default();
        if !should_run(&ds, node) {
            if !pods.is_empty() {
                misscheduled += 1;
            }
            continue;
        }
        desired += 1;
        if pods.is_empty() {
            continue;
        }
        current += 1;
        by_age(&mut pods);
        let pod = pods[0];
        if ready_since(pod).is_some() {
            ready += 1;
            if is_available(pod, min_ready) {
                available += 1;
            }
        }
        if is_updated(pod, hash, generation) {
            updated += 1;
        }
    }
    let status = DaemonSetStatus {
        collision_count: ds.status.as_ref().and_then(|s| s.collision_count),
        conditions: before.as_ref().and_then(|s| s.conditions.clone()),
        current_number_scheduled: current,
        desired_number_scheduled: desired,
        number_available: nonzero(available),
        number_misscheduled: misscheduled,
        number_ready: ready,
        number_unavailable: nonzero(desired - available),
        observed_generation: ds.metadata.generation,
        updated_number_scheduled: nonzero(updated),
    };
    if before.as_ref() != Some(&status) {
        ds.status = Some(status);
        cluster.store.put_typed(ds);
    }
}

#[cfg(test)]
mod tests {
    use super::super::admission::default_daemonset;
    use super::super::history::testing::{
        cluster, finish_deletions, image, make_ready, names, pod_template, pods,
    };
    use super::*;
    use crate::cluster::Cluster;

    fn label(p: &Pod, key: &str) -> String {
        super::label(&p.metadata, key).unwrap_or("").to_string()
    }

    const V1: &str = "registry.example.com/platform/log-agent:3.2.1";
    const V2: &str = "registry.example.com/platform/log-agent:3.3.0";

    /// The DaemonSet `log-agent`, as the API server stores it after
    /// defaulting.
    fn create(cluster: &mut Cluster, edit: impl FnOnce(&mut DaemonSet)) {
        let mut ds: DaemonSet = serde_json::from_value(serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {
                "name": "log-agent",
                "namespace": "ns",
                "labels": {"app": "log-agent"},
                "annotations": {TEMPLATE_GENERATION: "1"},
                "generation": 1
            },
            "spec": {
                "selector": {"matchLabels": {"app": "log-agent"}},
                "template": pod_template("log-agent", V1, ("metrics", 2020))
            }
        }))
        .unwrap();
        default_daemonset(&mut ds.spec);
        edit(&mut ds);
        cluster.store.put_typed(ds);
    }

    fn ds(cluster: &Cluster) -> DaemonSet {
        cluster
            .store
            .get_typed::<DaemonSet>("ns", "log-agent")
            .unwrap()
    }

    /// A new image, as the API server stores it: both generations move.
    fn set_image(cluster: &mut Cluster, image: &str) {
        let mut d = ds(cluster);
        d.spec.template.spec.as_mut().unwrap().containers[0].image = Some(image.into());
        d.metadata.generation = Some(d.metadata.generation.unwrap_or(1) + 1);
        let next = template_generation(&d).unwrap_or(1) + 1;
        d.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(TEMPLATE_GENERATION.into(), next.to_string());
        cluster.store.put_typed(d);
    }

    fn settle(cluster: &mut Cluster) {
        for _ in 0..50 {
            let before = cluster.store.resource_version();
            sync(cluster);
            make_ready(cluster);
            finish_deletions(cluster);
            if cluster.store.resource_version() == before {
                return;
            }
        }
        panic!("the DaemonSet never settled: {:?}", names(cluster));
    }

    /// Node → images of the pods there (sorted), terminating ones marked `*`.
    fn by_node(cluster: &Cluster) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in pods(cluster) {
            let mut img = image(&p);
            if p.metadata.deletion_timestamp.is_some() {
                img.push('*');
            }
            out.entry(pod_node(&p).unwrap()).or_default().push(img);
        }
        for images in out.values_mut() {
            images.sort();
        }
        out
    }

    #[test]
    fn one_pod_per_node_pinned_and_labelled() {
        let mut c = cluster();
        create(&mut c, |_| {});
        sync(&mut c);
        let nodes = by_node(&c);
        assert_eq!(
            nodes.keys().collect::<Vec<_>>(),
            ["sim-node-1", "sim-node-2", "sim-node-3"]
        );
        assert!(nodes.values().all(|v| v == &[V1.to_string()]));
        let p = &pods(&c)[0];
        assert_eq!(
            p.spec.as_ref().unwrap().node_name,
            None,
            "the scheduler binds it"
        );
        assert_eq!(label(p, TEMPLATE_GENERATION_LABEL), "1");
        let rev = c.store.list_typed::<ControllerRevision>(None).remove(0);
        assert_eq!(
            label(p, POD_REVISION_LABEL),
            rev.metadata.labels.as_ref().unwrap()[POD_REVISION_LABEL]
        );
        assert_eq!(
            rev.metadata.name.unwrap(),
            format!("log-agent-{}", label(p, POD_REVISION_LABEL))
        );
        let tolerations = p.spec.as_ref().unwrap().tolerations.as_ref().unwrap();
        assert!(
            tolerations
                .iter()
                .any(|t| t.key.as_deref() == Some("node.kubernetes.io/unreachable"))
        );
        make_ready(&mut c);
        sync(&mut c);
        let s = ds(&c).status.unwrap();
        assert_eq!(
            (
                s.desired_number_scheduled,
                s.current_number_scheduled,
                s.number_ready,
                s.updated_number_scheduled,
                s.number_available,
                s.number_unavailable
            ),
            (3, 3, 3, Some(3), Some(3), None)
        );
        // A pod deleted by hand comes back on its node.
        let gone = pods(&c).remove(0);
        let node = pod_node(&gone).unwrap();
        delete_pod(&mut c, &gone);
        sync(&mut c);
        assert_eq!(pods(&c).len(), 3, "replaced before the old one was gone");
        settle(&mut c);
        assert_eq!(by_node(&c)[&node], [V1.to_string()]);
    }

    #[test]
    fn a_rolling_update_stays_within_max_unavailable() {
        for max_unavailable in [1, 2] {
            let mut c = cluster();
            create(&mut c, |d| {
                d.spec
                    .update_strategy
                    .as_mut()
                    .unwrap()
                    .rolling_update
                    .as_mut()
                    .unwrap()
                    .max_unavailable = Some(IntOrString::Int(max_unavailable));
            });
            settle(&mut c);
            set_image(&mut c, V2);
            let mut most_down = 0;
            for _ in 0..30 {
                sync(&mut c);
                let down = c.node_names.len()
                    - pods(&c)
                        .iter()
                        .filter(|p| {
                            p.metadata.deletion_timestamp.is_none()
                                && crate::controller::is_ready(p)
                        })
                        .count();
                most_down = most_down.max(down);
                finish_deletions(&mut c);
                sync(&mut c);
                make_ready(&mut c);
            }
            assert_eq!(
                most_down, max_unavailable as usize,
                "maxUnavailable {max_unavailable}"
            );
            assert!(
                by_node(&c).values().all(|v| v == &[V2.to_string()]),
                "{:?}",
                by_node(&c)
            );
            let s = ds(&c).status.unwrap();
            assert_eq!(s.updated_number_scheduled, Some(3));
            assert_eq!(s.observed_generation, Some(2));
        }
    }

    #[test]
    fn max_surge_starts_the_new_pod_beside_the_old_one() {
        let mut c = cluster();
        create(&mut c, |d| {
            let ru = d
                .spec
                .update_strategy
                .as_mut()
                .unwrap()
                .rolling_update
                .as_mut()
                .unwrap();
            ru.max_unavailable = Some(IntOrString::Int(0));
            ru.max_surge = Some(IntOrString::Int(1));
        });
        settle(&mut c);
        set_image(&mut c, V2);
        sync(&mut c);
        sync(&mut c);
        let nodes = by_node(&c);
        let surged: Vec<_> = nodes.values().filter(|v| v.len() == 2).collect();
        assert_eq!(surged.len(), 1, "{nodes:?}");
        assert_eq!(surged[0], &[V1.to_string(), V2.to_string()]);
        make_ready(&mut c);
        sync(&mut c);
        let nodes = by_node(&c);
        assert!(
            nodes
                .values()
                .any(|v| v == &[format!("{V1}*"), V2.to_string()]),
            "{nodes:?}"
        );
        settle(&mut c);
        assert!(by_node(&c).values().all(|v| v == &[V2.to_string()]));
    }

    #[test]
    fn on_delete_waits_and_history_is_reused_and_trimmed() {
        let mut c = cluster();
        create(&mut c, |d| {
            d.spec.revision_history_limit = Some(1);
            d.spec.update_strategy = Some(k8s_openapi::api::apps::v1::DaemonSetUpdateStrategy {
                type_: Some("OnDelete".into()),
                rolling_update: None,
            });
        });
        settle(&mut c);
        set_image(&mut c, V2);
        settle(&mut c);
        assert!(by_node(&c).values().all(|v| v == &[V1.to_string()]));
        let s = ds(&c).status.unwrap();
        assert_eq!(s.updated_number_scheduled, None);
        // Old pods keep revision 1 alive; a third template may not delete it.
        set_image(&mut c, "registry.example.com/platform/log-agent:3.4.0");
        settle(&mut c);
        let mut revs = c.store.list_typed::<ControllerRevision>(None);
        history::sort(&mut revs);
        let images: Vec<_> = revs
            .iter()
            .map(|r| {
                history::template_of(r).spec.unwrap().containers[0]
                    .image
                    .clone()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            images,
            [V1, "registry.example.com/platform/log-agent:3.4.0"]
        );
        // Back to the first template: its revision is renumbered.
        set_image(&mut c, V1);
        settle(&mut c);
        let mut revs = c.store.list_typed::<ControllerRevision>(None);
        history::sort(&mut revs);
        assert_eq!(history::number(revs.last().unwrap()), 4);
        assert_eq!(
            history::template_of(revs.last().unwrap())
                .spec
                .unwrap()
                .containers[0]
                .image
                .as_deref(),
            Some(V1)
        );
        assert_eq!(ds(&c).status.unwrap().updated_number_scheduled, Some(3));
    }

    #[test]
    fn percentages_round_up() {
        assert_eq!(scaled(Some(&IntOrString::String("10%".into())), 3), 1);
        assert_eq!(scaled(Some(&IntOrString::String("50%".into())), 3), 2);
        assert_eq!(scaled(Some(&IntOrString::Int(2)), 3), 2);
        assert_eq!(scaled(None, 3), 0);
    }

    #[test]
    fn a_pinned_pod_names_its_node() {
        let mut spec = k8s_openapi::api::core::v1::PodSpec::default();
        pin(&mut spec.affinity, "sim-node-2");
        let pod = Pod {
            spec: Some(spec),
            ..Pod::default()
        };
        assert_eq!(pod_node(&pod).as_deref(), Some("sim-node-2"));
    }
}
