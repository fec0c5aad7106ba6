//! The StatefulSet controller, after the real one: pods `<name>-<ordinal>`
//! with a stable identity; OrderedReady (one pod at a time, each after its
//! predecessors are Running and Ready, scale-down from the highest ordinal)
//! or Parallel management; a RollingUpdate that replaces one pod at a time
//! from the highest ordinal down to the partition, or OnDelete; a
//! ControllerRevision per pod template; and the status with the current and
//! update revisions.

use std::cmp::Reverse;
use std::collections::HashSet;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodStatus, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::history::{
    self, DEFAULT_HISTORY_LIMIT, NewRevision, POD_REVISION_LABEL, REVISION_HASH_LABEL,
};
use super::kubelet::ready_since;
use super::owner_ref;
use super::replicaset::{delete_pod, pods_by_owner};
use crate::cluster::Cluster;
use crate::store::{Kind, Typed};

pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
const COMPONENT: &str = "statefulset-controller";
/// Name collisions tried before giving up on a new revision this round.
const MAX_COLLISIONS: i32 = 10;

/// Syncs every StatefulSet. Returns whether it changed something or waits
/// on the clock (a pod ready but not yet available for minReadySeconds).
pub fn sync(cluster: &mut Cluster) -> bool {
    if cluster.store.count(Kind::StatefulSet) == 0 {
        return false;
    }
    let pods = pods_by_owner(cluster);
    let mut revisions = history::by_owner(cluster);
    let before = cluster.store.resource_version();
    let mut busy = false;
    for obj in cluster.store.list(Kind::StatefulSet, None) {
        let Some(set) = StatefulSet::peek(&obj) else {
            continue;
        };
        let uid = set.metadata.uid.clone().unwrap_or_default();
        let owned: Vec<Pod> = pods
            .get(&uid)
            .into_iter()
            .flatten()
            .filter_map(|o| Pod::peek(o).cloned())
            .collect();
        let revs = revisions.remove(&uid).unwrap_or_default();
        busy |= sync_one(cluster, set.clone(), owned, revs);
    }
    // What changed here is seen by the next tick, which must come.
    busy || cluster.store.resource_version() != before
}

/// The ordinal of a pod of the set named `set`, from its name.
pub fn ordinal(set: &str, pod: &str) -> Option<usize> {
    let digits = pod.strip_prefix(set)?.strip_prefix('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn is_created(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .is_some_and(|phase| !phase.is_empty())
}

fn is_terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

fn running_and_ready(p: &Pod) -> bool {
    p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
        && ready_since(p).is_some()
}

fn running_and_available(p: &Pod, min_ready: i32) -> bool {
    p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
        && ready_since(p).is_some_and(|d| d.as_secs() >= min_ready.max(0) as u64)
}

fn is_unavailable(p: &Pod, min_ready: i32) -> bool {
    !is_created(p) || is_terminating(p) || !running_and_available(p, min_ready)
}

fn pod_revision(p: &Pod) -> &str {
    p.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(POD_REVISION_LABEL))
        .map_or("", String::as_str)
}

fn name_of(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

/// The current and update revisions, creating or renumbering the update
/// revision as the template asks, and the collision count.
fn revisions(
    cluster: &mut Cluster,
    set: &StatefulSet,
    revs: &mut Vec<ControllerRevision>,
) -> (ControllerRevision, ControllerRevision, i32) {
    history::sort(revs);
    let mut collision = set
        .status
        .as_ref()
        .and_then(|s| s.collision_count)
        .unwrap_or(0);
    let next = revs.last().map_or(1, |r| history::number(r) + 1);
    let data = history::template_patch(&set.spec.template);
    let equal = revs
        .iter()
        .rposition(|r| history::data_of(r) == Some(&data));
    let update = match equal {
        Some(i) if i + 1 == revs.len() => revs[i].clone(),
        Some(i) => {
            // The template went back to an older revision: it becomes the newest.
            let r = history::renumber(cluster, &revs[i], next);
            revs[i] = r.clone();
            history::sort(revs);
            r
        }
        None => {
            let bytes = serde_json::to_vec(&data).unwrap_or_default();
            let set_name = name_of(&set.metadata).to_string();
            let ns = set.metadata.namespace.clone().unwrap_or_default();
            let mut created = None;
            for _ in 0..MAX_COLLISIONS {
                let mut probe = bytes.clone();
                probe.extend_from_slice(collision.to_string().as_bytes());
                let hash = history::safe_encode(history::fnv1_32(&probe));
                let name = format!("{set_name}-{hash}");
                if cluster
                    .store
                    .get(Kind::ControllerRevision, &ns, &name)
                    .is_some()
                {
                    collision += 1;
                    continue;
                }
                created = Some(history::create(
                    cluster,
                    NewRevision {
                        owner_kind: "StatefulSet",
                        owner: &set.metadata,
                        name,
                        hash_label: REVISION_HASH_LABEL,
                        hash,
                        template: &set.spec.template,
                        annotations: set.metadata.annotations.clone(),
                        revision: next,
                    },
                ));
                break;
            }
            match created {
                Some(r) => {
                    revs.push(r.clone());
                    r
                }
                // Every name taken: keep going with the newest known revision.
                None => match revs.last() {
                    Some(r) => r.clone(),
                    None => ControllerRevision::default(),
                },
            }
        }
    };
    let wanted = set
        .status
        .as_ref()
        .and_then(|s| s.current_revision.as_deref())
        .unwrap_or("");
    let current = revs
        .iter()
        .find(|r| name_of(&r.metadata) == wanted)
        .cloned()
        .unwrap_or_else(|| update.clone());
    (current, update, collision)
}

/// A pod of the set at `ordinal`, from `template`, labelled with `revision`.
fn new_pod(set: &StatefulSet, template: &PodTemplateSpec, revision: &str, ordinal: usize) -> Pod {
    let set_name = name_of(&set.metadata);
    let name = format!("{set_name}-{ordinal}");
    let tmeta = template.metadata.clone().unwrap_or_default();
    let mut labels = tmeta.labels.unwrap_or_default();
    labels.insert(POD_NAME_LABEL.into(), name.clone());
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
    labels.insert(POD_REVISION_LABEL.into(), revision.to_string());
    let mut spec = template.spec.clone().unwrap_or_default();
    spec.hostname = Some(name.clone());
    spec.subdomain = set.spec.service_name.clone().filter(|s| !s.is_empty());
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: set.metadata.namespace.clone(),
            generate_name: Some(format!("{set_name}-")),
            labels: Some(labels),
            annotations: tmeta.annotations,
            owner_references: Some(vec![owner_ref("StatefulSet", "apps/v1", &set.metadata)]),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: Some(PodStatus {
            phase: Some("Pending".into()),
            ..PodStatus::default()
        }),
    }
}

fn create_pod(cluster: &mut Cluster, set: &StatefulSet, pod: Pod) -> Pod {
    let name = name_of(&pod.metadata).to_string();
    let stored = cluster.store.put_typed(pod.clone());
    cluster.event(
        Kind::StatefulSet,
        &set.metadata,
        "Normal",
        "SuccessfulCreate",
        format!(
            "create Pod {name} in StatefulSet {} successful",
            name_of(&set.metadata)
        ),
        COMPONENT,
    );
    Pod::peek(&stored).cloned().unwrap_or(pod)
}

fn remove_pod(cluster: &mut Cluster, set: &StatefulSet, pod: &Pod) {
    delete_pod(cluster, pod);
    cluster.event(
        Kind::StatefulSet,
        &set.metadata,
        "Normal",
        "SuccessfulDelete",
        format!(
            "delete Pod {} in StatefulSet {} successful",
            name_of(&pod.metadata),
            name_of(&set.metadata)
        ),
        COMPONENT,
    );
}

fn rolling(set: &StatefulSet) -> bool {
    set.spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        .is_none_or(|t| t == "RollingUpdate")
}

fn partition(set: &StatefulSet) -> Option<i32> {
    set.spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref())
        .map(|r| r.partition.unwrap_or(0))
}

fn sync_one(
    cluster: &mut Cluster,
    set: StatefulSet,
    pods: Vec<Pod>,
    mut revs: Vec<ControllerRevision>,
) -> bool {
    let (current, update, collision) = revisions(cluster, &set, &mut revs);
    let current_name = name_of(&current.metadata).to_string();
    let update_name = name_of(&update.metadata).to_string();
    let want = set.spec.replicas.unwrap_or(1).max(0) as usize;
    let min_ready = set.spec.min_ready_seconds.unwrap_or(0);
    let monotonic = set.spec.pod_management_policy.as_deref() != Some("Parallel");
    let set_name = name_of(&set.metadata).to_string();

    let mut status = count(&pods, min_ready, &current_name, &update_name);
    let busy = pods
        .iter()
        .any(|p| running_and_ready(p) && !running_and_available(p, min_ready));

    let mut slots: Vec<Option<Pod>> = vec![None; want];
    let mut condemned: Vec<Pod> = Vec::new();
    for pod in &pods {
        match ordinal(&set_name, name_of(&pod.metadata)) {
            Some(o) if o < want => slots[o] = Some(pod.clone()),
            Some(_) => condemned.push(pod.clone()),
            None => {}
        }
    }
    condemned.sort_by_key(|p| Reverse(ordinal(&set_name, name_of(&p.metadata))));
    let first_unhealthy: Option<String> = slots
        .iter()
        .enumerate()
        .find(|(_, p)| p.as_ref().is_none_or(|p| is_unavailable(p, min_ready)))
        .map(|(o, _)| format!("{set_name}-{o}"))
        .or_else(|| {
            condemned
                .iter()
                .rev()
                .find(|p| is_unavailable(p, min_ready))
                .map(|p| name_of(&p.metadata).to_string())
        });

    // The pods of [0, replicas): created in order, each waiting for its
    // predecessors when the policy is OrderedReady.
    let mut blocked = false;
    for (o, slot) in slots.iter_mut().enumerate() {
        match slot {
            None => {
                let in_current = match partition(&set) {
                    Some(p) => (o as i64) < i64::from(p),
                    None => {
                        rolling(&set)
                            && o < set
                                .status
                                .as_ref()
                                .and_then(|s| s.current_replicas)
                                .unwrap_or(0)
                                .max(0) as usize
                    }
                };
                let (template, revision) = if in_current {
                    (history::template_of(&current), &current_name)
                } else {
                    (history::template_of(&update), &update_name)
                };
                let pod = create_pod(cluster, &set, new_pod(&set, &template, revision, o));
                *slot = Some(pod);
                if monotonic {
                    blocked = true;
                    break;
                }
            }
            Some(p) => {
                if monotonic && (is_terminating(p) || !running_and_available(p, min_ready)) {
                    blocked = true;
                    break;
                }
            }
        }
    }

    // Pods beyond the replicas: deleted from the highest ordinal, one at a
    // time when ordered.
    if !blocked {
        for pod in &condemned {
            if is_terminating(pod) {
                if monotonic {
                    blocked = true;
                    break;
                }
                continue;
            }
            let first = first_unhealthy.as_deref() == Some(name_of(&pod.metadata));
            if monotonic && !running_and_available(pod, min_ready) && !first {
                blocked = true;
                break;
            }
            remove_pod(cluster, &set, pod);
            if monotonic {
                blocked = true;
                break;
            }
        }
    }

    // A rolling update: the highest pod not at the update revision goes,
    // once every pod above it is available again.
    if !blocked && rolling(&set) {
        let floor = partition(&set).unwrap_or(0).max(0) as usize;
        for o in (floor..want).rev() {
            let Some(pod) = &slots[o] else { break };
            if pod_revision(pod) != update_name && !is_terminating(pod) {
                remove_pod(cluster, &set, pod);
                status.current_replicas -= 1;
                break;
            }
            if is_unavailable(pod, min_ready) {
                break;
            }
        }
    }

    update_status(
        cluster,
        set.clone(),
        status,
        &current_name,
        &update_name,
        collision,
    );

    let mut live: HashSet<String> = HashSet::from([current_name, update_name]);
    live.extend(pods.iter().map(|p| pod_revision(p).to_string()));
    history::sort(&mut revs);
    let limit = set
        .spec
        .revision_history_limit
        .unwrap_or(DEFAULT_HISTORY_LIMIT);
    history::truncate(cluster, &revs, &live, limit);
    busy
}

/// Replica counts of the pods as listed.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    replicas: i32,
    ready: i32,
    available: i32,
    current_replicas: i32,
    updated: i32,
}

fn count(pods: &[Pod], min_ready: i32, current: &str, update: &str) -> Counts {
    let mut c = Counts::default();
    for p in pods {
        if is_created(p) {
            c.replicas += 1;
        }
        if running_and_ready(p) {
            c.ready += 1;
            if running_and_available(p, min_ready) {
                c.available += 1;
            }
        }
        if is_created(p) && !is_terminating(p) {
            if pod_revision(p) == current {
                c.current_replicas += 1;
            }
            if pod_revision(p) == update {
                c.updated += 1;
            }
        }
    }
    c
}

/// Zero is left out, as the API server leaves out these empty fields.
fn nonzero(n: i32) -> Option<i32> {
    (n != 0).then_some(n)
}

fn update_status(
    cluster: &mut Cluster,
    mut set: StatefulSet,
    c: Counts,
    current: &str,
    update: &str,
    collision: i32,
) {
    let want = set.spec.replicas.unwrap_or(1);
    let mut current_replicas = c.current_replicas.max(0);
    let mut current_revision = current.to_string();
    // The rollout is complete when every wanted pod runs the update
    // revision and is ready: the update revision becomes the current one.
    if rolling(&set) && c.updated == want && c.ready == want && c.replicas == want {
        current_replicas = c.updated;
        current_revision = update.to_string();
    }
    let status = StatefulSetStatus {
        observed_generation: set.metadata.generation,
        replicas: c.replicas,
        ready_replicas: nonzero(c.ready),
        available_replicas: Some(c.available),
        current_replicas: nonzero(current_replicas),
        updated_replicas: nonzero(c.updated),
        current_revision: Some(current_revision),
        update_revision: Some(update.to_string()),
        collision_count: Some(collision),
        conditions: set.status.as_ref().and_then(|s| s.conditions.clone()),
    };
    if set.status.as_ref() != Some(&status) {
        set.status = Some(status);
        cluster.store.put_typed(set);
    }
}

#[cfg(test)]
mod tests {
    use super::super::CHANGE_CAUSE;
    use super::super::admission::default_statefulset;
    use super::super::history::testing::*;
    use super::*;
    use crate::cluster::Cluster;

    const V1: &str = "registry.example.com/shop/postgres:16.3";
    const V2: &str = "registry.example.com/shop/postgres:16.4";

    /// The StatefulSet `db`, as the API server stores it after defaulting.
    fn create(cluster: &mut Cluster, replicas: i32, edit: impl FnOnce(&mut StatefulSet)) {
        let mut set: StatefulSet = serde_json::from_value(serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {
                "name": "db",
                "namespace": "ns",
                "labels": {"app": "db"},
                "annotations": {CHANGE_CAUSE: "v1"},
                "generation": 1
            },
            "spec": {
                "replicas": replicas,
                "serviceName": "db",
                "selector": {"matchLabels": {"app": "db"}},
                "template": pod_template("db", V1, ("postgres", 5432))
            }
        }))
        .unwrap();
        default_statefulset(&mut set.spec);
        edit(&mut set);
        cluster.store.put_typed(set);
    }

    fn set(cluster: &Cluster) -> StatefulSet {
        cluster.store.get_typed::<StatefulSet>("ns", "db").unwrap()
    }

    fn edit(cluster: &mut Cluster, f: impl FnOnce(&mut StatefulSet)) {
        let mut s = set(cluster);
        f(&mut s);
        s.metadata.generation = Some(s.metadata.generation.unwrap_or(1) + 1);
        cluster.store.put_typed(s);
    }

    fn set_image(cluster: &mut Cluster, image: &str) {
        edit(cluster, |s| {
            s.spec.template.spec.as_mut().unwrap().containers[0].image = Some(image.into());
        });
    }

    /// Syncs, makes the new pods ready and finishes deletions until nothing
    /// changes (bounded).
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
        panic!("the StatefulSet never settled: {:?}", names(cluster));
    }

    fn revisions(cluster: &Cluster) -> Vec<(String, i64)> {
        let mut revs = cluster.store.list_typed::<ControllerRevision>(None);
        history::sort(&mut revs);
        revs.iter()
            .map(|r| (r.metadata.name.clone().unwrap(), history::number(r)))
            .collect()
    }

    #[test]
    fn ordered_ready_creates_one_pod_at_a_time_in_order() {
        let mut c = cluster();
        create(&mut c, 3, |_| {});
        sync(&mut c);
        assert_eq!(names(&c), ["db-0"]);
        sync(&mut c);
        assert_eq!(names(&c), ["db-0"], "db-1 came before db-0 was ready");
        make_ready(&mut c);
        sync(&mut c);
        assert_eq!(names(&c), ["db-0", "db-1"]);
        make_ready(&mut c);
        sync(&mut c);
        assert_eq!(names(&c), ["db-0", "db-1", "db-2"]);
        let p = pod(&c, "db-2").unwrap();
        assert_eq!(label(&p, POD_NAME_LABEL), "db-2");
        assert_eq!(label(&p, POD_INDEX_LABEL), "2");
        let status = set(&c).status.unwrap();
        assert_eq!(
            label(&p, POD_REVISION_LABEL),
            status.update_revision.unwrap()
        );
        assert_eq!(p.spec.as_ref().unwrap().hostname.as_deref(), Some("db-2"));
        assert_eq!(p.spec.as_ref().unwrap().subdomain.as_deref(), Some("db"));
        assert_eq!(status.replicas, 2, "counted from the pods as listed");
        make_ready(&mut c);
        sync(&mut c);
        let status = set(&c).status.unwrap();
        assert_eq!(
            (
                status.replicas,
                status.ready_replicas,
                status.current_replicas
            ),
            (3, Some(3), Some(3))
        );
        assert_eq!(status.current_revision, status.update_revision);
        let events: Vec<String> = c
            .store
            .list_typed::<k8s_openapi::api::core::v1::Event>(None)
            .into_iter()
            .filter_map(|e| e.message)
            .collect();
        assert!(
            events.contains(&"create Pod db-0 in StatefulSet db successful".to_string()),
            "{events:?}"
        );
    }

    #[test]
    fn parallel_creates_every_pod_and_scale_down_goes_from_the_top() {
        let mut c = cluster();
        create(&mut c, 3, |s| {
            s.spec.pod_management_policy = Some("Parallel".into())
        });
        sync(&mut c);
        assert_eq!(names(&c), ["db-0", "db-1", "db-2"]);

        let mut c = cluster();
        create(&mut c, 3, |_| {});
        settle(&mut c);
        edit(&mut c, |s| s.spec.replicas = Some(1));
        sync(&mut c);
        assert_eq!(names(&c), ["db-0", "db-1", "db-2*"]);
        sync(&mut c);
        assert_eq!(
            names(&c),
            ["db-0", "db-1", "db-2*"],
            "db-1 went before db-2 was gone"
        );
        finish_deletions(&mut c);
        sync(&mut c);
        assert_eq!(names(&c), ["db-0", "db-1*"]);
    }

    #[test]
    fn a_partitioned_rolling_update_goes_down_from_the_highest_ordinal_and_stops() {
        let mut c = cluster();
        create(&mut c, 3, |_| {});
        settle(&mut c);
        let first = set(&c).status.unwrap().current_revision.unwrap();
        edit(&mut c, |s| {
            s.spec
                .update_strategy
                .as_mut()
                .unwrap()
                .rolling_update
                .as_mut()
                .unwrap()
                .partition = Some(1);
        });
        set_image(&mut c, V2);
        let mut order = Vec::new();
        for _ in 0..20 {
            sync(&mut c);
            for p in pods(&c) {
                let name = p.metadata.name.clone().unwrap();
                if p.metadata.deletion_timestamp.is_some() && !order.contains(&name) {
                    order.push(name);
                }
            }
            // One pod at a time: never more than one missing or not ready.
            let down = pods(&c)
                .iter()
                .filter(|p| {
                    p.metadata.deletion_timestamp.is_some() || !crate::controller::is_ready(p)
                })
                .count()
                + 3usize.saturating_sub(pods(&c).len());
            assert!(down <= 1, "{:?}", names(&c));
            finish_deletions(&mut c);
            sync(&mut c);
            make_ready(&mut c);
        }
        assert_eq!(order, ["db-2", "db-1"]);
        assert_eq!(image(&pod(&c, "db-0").unwrap()), V1);
        assert_eq!(image(&pod(&c, "db-1").unwrap()), V2);
        assert_eq!(image(&pod(&c, "db-2").unwrap()), V2);
        let status = set(&c).status.unwrap();
        assert_eq!(status.current_revision.as_deref(), Some(first.as_str()));
        assert_ne!(status.update_revision, status.current_revision);
        assert_eq!(
            (status.updated_replicas, status.current_replicas),
            (Some(2), Some(1))
        );

        // Partition 0 finishes it, and the update revision becomes current.
        edit(&mut c, |s| {
            s.spec
                .update_strategy
                .as_mut()
                .unwrap()
                .rolling_update
                .as_mut()
                .unwrap()
                .partition = Some(0);
        });
        settle(&mut c);
        assert_eq!(image(&pod(&c, "db-0").unwrap()), V2);
        let status = set(&c).status.unwrap();
        assert_eq!(status.current_revision, status.update_revision);
        assert_eq!(status.current_replicas, Some(3));
        assert_eq!(status.observed_generation, set(&c).metadata.generation);
    }

    #[test]
    fn on_delete_changes_a_pod_only_when_it_is_deleted() {
        let mut c = cluster();
        create(&mut c, 3, |s| {
            s.spec.update_strategy = Some(k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy {
                type_: Some("OnDelete".into()),
                rolling_update: None,
            });
        });
        settle(&mut c);
        set_image(&mut c, V2);
        settle(&mut c);
        assert!(pods(&c).iter().all(|p| image(p) == V1), "{:?}", names(&c));
        let db1 = pod(&c, "db-1").unwrap();
        delete_pod(&mut c, &db1);
        settle(&mut c);
        assert_eq!(image(&pod(&c, "db-1").unwrap()), V2);
        assert_eq!(image(&pod(&c, "db-0").unwrap()), V1);
        let status = set(&c).status.unwrap();
        assert_eq!(
            (status.updated_replicas, status.current_replicas),
            (Some(1), Some(2))
        );
        assert_ne!(status.current_revision, status.update_revision);
    }

    #[test]
    fn history_is_trimmed_and_an_old_template_reuses_its_revision() {
        let mut c = cluster();
        create(&mut c, 0, |s| s.spec.revision_history_limit = Some(2));
        settle(&mut c);
        for tag in ["a", "b", "c", "d"] {
            set_image(&mut c, &format!("postgres:{tag}"));
            settle(&mut c);
        }
        // Five templates; the current one and the two newest others stay.
        let revs = revisions(&c);
        assert_eq!(revs.iter().map(|r| r.1).collect::<Vec<_>>(), [3, 4, 5]);
        let c_name = revs[1].0.clone();
        assert!(c_name.starts_with("db-"));
        let rev = c
            .store
            .get_typed::<ControllerRevision>("ns", &c_name)
            .unwrap();
        assert_eq!(
            history::template_of(&rev).spec.unwrap().containers[0]
                .image
                .as_deref(),
            Some("postgres:c")
        );
        assert_eq!(
            label_of(&rev, REVISION_HASH_LABEL),
            c_name.trim_start_matches("db-")
        );
        assert_eq!(label_of(&rev, "app"), "db");
        assert_eq!(
            rev.metadata.owner_references.as_ref().unwrap()[0].kind,
            "StatefulSet"
        );
        assert_eq!(
            rev.data
                .0
                .pointer("/spec/template/$patch")
                .and_then(|v| v.as_str()),
            Some("replace")
        );

        // Back to "c": its revision takes the next number; nothing is created.
        set_image(&mut c, "postgres:c");
        settle(&mut c);
        let revs = revisions(&c);
        assert_eq!(revs.len(), 3);
        assert_eq!(revs.last().unwrap(), &(c_name.clone(), 6));
        assert_eq!(
            set(&c).status.unwrap().update_revision.as_deref(),
            Some(c_name.as_str())
        );
    }

    fn label_of(rev: &ControllerRevision, key: &str) -> String {
        rev.metadata.labels.as_ref().unwrap()[key].clone()
    }

    #[test]
    fn ordinals_come_from_names() {
        assert_eq!(ordinal("db", "db-0"), Some(0));
        assert_eq!(ordinal("db", "db-12"), Some(12));
        assert_eq!(ordinal("db", "db-x"), None);
        assert_eq!(ordinal("db", "db-"), None);
        assert_eq!(ordinal("db", "dbx-1"), None);
        assert_eq!(ordinal("web", "db-1"), None);
    }
}
