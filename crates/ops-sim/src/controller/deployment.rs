//! The Deployment controller, after the real one: a ReplicaSet per pod
//! template (an old one is reused, with the next revision, when the template
//! goes back to it), rolling updates within maxSurge and maxUnavailable,
//! Recreate, pause, revision history pruning, and status with the Available
//! and Progressing conditions.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::{
    CHANGE_CAUSE, HASH_LABEL, REVISION, REVISION_HISTORY, equal_ignoring_hash, owned_by, owner_ref,
    resolve, revision, template_hash, with_label,
};
use crate::cluster::Cluster;
use crate::store::{Kind, Typed};

const DEFAULT_HISTORY_LIMIT: i32 = 10;

/// Syncs every Deployment. Returns whether one is still progressing (its
/// progress deadline needs the clock).
pub fn sync(cluster: &mut Cluster) -> bool {
    let mut busy = false;
    // ReplicaSets by the uid of the Deployment that controls them.
    let mut by_owner: HashMap<String, Vec<ReplicaSet>> = HashMap::new();
    for obj in cluster.store.list(Kind::ReplicaSet, None) {
        if let Some(rs) = ReplicaSet::peek(&obj)
            && let Some(o) = rs
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
        {
            by_owner.entry(o.uid.clone()).or_default().push(rs.clone());
        }
    }
    for obj in cluster.store.list(Kind::Deployment, None) {
        let Some(d) = Deployment::peek(&obj) else {
            continue;
        };
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let owned = by_owner.remove(&uid).unwrap_or_default();
        let d = d.clone();
        busy |= sync_one(cluster, d, owned);
    }
    busy
}

pub(super) fn replicas_of(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(0)
}

fn available_of(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

fn pods_of(rs: &ReplicaSet) -> i32 {
    let s = rs.status.as_ref();
    s.map_or(0, |s| s.replicas + s.terminating_replicas.unwrap_or(0))
}

fn sync_one(cluster: &mut Cluster, d: Deployment, mut all: Vec<ReplicaSet>) -> bool {
    let spec = d.spec.clone();
    let want = spec.replicas.unwrap_or(1).max(0);
    let paused = spec.paused.unwrap_or(false);
    let uid = d.metadata.uid.clone().unwrap_or_default();
    all.retain(|rs| owned_by(&rs.metadata, &uid));
    let max_rev = all
        .iter()
        .map(|rs| revision(&rs.metadata))
        .max()
        .unwrap_or(0);
    let new_idx = all.iter().position(|rs| {
        rs.spec
            .template
            .as_ref()
            .is_some_and(|t| equal_ignoring_hash(t, &spec.template))
    });
    let mut progressed = false;

    // The ReplicaSet for the current template: found, revived, or created.
    let new_rs = match new_idx {
        Some(i) => {
            let mut rs = all.remove(i);
            let rev = revision(&rs.metadata);
            if rev < max_rev {
                // Rolling back to an old template: it takes the next revision.
                let ann = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
                let mut history: Vec<String> = ann
                    .get(REVISION_HISTORY)
                    .map(|h| h.split(',').map(String::from).collect())
                    .unwrap_or_default();
                history.push(rev.to_string());
                ann.insert(REVISION_HISTORY.into(), history.join(","));
                ann.insert(REVISION.into(), (max_rev + 1).to_string());
                copy_change_cause(&d, &mut rs);
                cluster.store.put_typed(rs.clone());
            }
            Some(rs)
        }
        None if paused => None,
        None => {
            let rs = create_rs(cluster, &d, max_rev + 1, &all, want);
            progressed = true;
            Some(rs)
        }
    };
    let old: Vec<ReplicaSet> = all;

    if let Some(new_rs) = &new_rs {
        if paused {
            // A paused Deployment still scales, but does not roll.
            if old.iter().all(|rs| replicas_of(rs) == 0) && replicas_of(new_rs) != want {
                scale(cluster, &d, new_rs, want);
            }
        } else {
            let rolling =
                spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) != Some("Recreate");
            progressed |= if rolling {
                rolling_update(cluster, &d, new_rs, &old, want)
            } else {
                recreate(cluster, &d, new_rs, &old, want)
            };
            cleanup(cluster, &d, new_rs, &old, want);
        }
    }
    super::status::update(cluster, d, new_rs.as_ref(), &old, progressed)
}

fn copy_change_cause(d: &Deployment, rs: &mut ReplicaSet) {
    if let Some(cause) = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CHANGE_CAUSE))
    {
        rs.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(CHANGE_CAUSE.into(), cause.clone());
    }
}

fn create_rs(
    cluster: &mut Cluster,
    d: &Deployment,
    rev: i64,
    old: &[ReplicaSet],
    want: i32,
) -> ReplicaSet {
    let spec = d.spec.clone();
    let hash = template_hash(&spec.template);
    let name = format!("{}-{hash}", d.metadata.name.clone().unwrap_or_default());
    let mut template = spec.template.clone();
    let tmeta = template.metadata.get_or_insert_with(ObjectMeta::default);
    tmeta.labels = Some(with_label(tmeta.labels.as_ref(), HASH_LABEL, &hash));
    let selector = LabelSelector {
        match_labels: Some(with_label(
            spec.selector.match_labels.as_ref(),
            HASH_LABEL,
            &hash,
        )),
        match_expressions: spec.selector.match_expressions.clone(),
    };
    let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
    // The first ReplicaSet of a Deployment starts at full size.
    let initial = if old
        .iter()
        .all(|rs| replicas_of(rs) == 0 && pods_of(rs) == 0)
        && !recreate
    {
        want
    } else {
        0
    };
    let mut annotations = BTreeMap::from([
        (REVISION.to_string(), rev.to_string()),
        (
            "deployment.kubernetes.io/desired-replicas".to_string(),
            want.to_string(),
        ),
    ]);
    if let Some(cause) = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CHANGE_CAUSE))
    {
        annotations.insert(CHANGE_CAUSE.into(), cause.clone());
    }
    let mut rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: d.metadata.namespace.clone(),
            labels: Some(with_label(tmeta.labels.as_ref(), HASH_LABEL, &hash)),
            annotations: Some(annotations),
            owner_references: Some(vec![owner_ref("Deployment", "apps/v1", &d.metadata)]),
            generation: Some(1),
            ..ObjectMeta::default()
        },
        spec: ReplicaSetSpec {
            replicas: Some(initial),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        },
        status: None,
    };
    let stored = cluster.store.put_typed(rs.clone());
    rs.metadata = stored.meta().clone();
    if initial > 0 {
        cluster.event(
            Kind::Deployment,
            &d.metadata,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled up replica set {name} from 0 to {initial}"),
            "deployment-controller",
        );
    }
    rs
}

/// Sets a ReplicaSet's replicas, with the event the real controller records.
fn scale(cluster: &mut Cluster, d: &Deployment, rs: &ReplicaSet, to: i32) {
    let from = replicas_of(rs);
    if from == to {
        return;
    }
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let name = rs.metadata.name.clone().unwrap_or_default();
    // Re-read: this ReplicaSet may have changed earlier in the tick.
    let Some(mut current) = cluster.store.get_typed::<ReplicaSet>(&ns, &name) else {
        return;
    };
    current.spec.replicas = Some(to);
    let want = d.spec.replicas.unwrap_or(1);
    current
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(
            "deployment.kubernetes.io/desired-replicas".into(),
            want.to_string(),
        );
    current.metadata.generation = Some(current.metadata.generation.unwrap_or(1) + 1);
    cluster.store.put_typed(current);
    let verb = if to > from { "up" } else { "down" };
    cluster.event(
        Kind::Deployment,
        &d.metadata,
        "Normal",
        "ScalingReplicaSet",
        format!("Scaled {verb} replica set {name} from {from} to {to}"),
        "deployment-controller",
    );
}

/// One step of a rolling update. Returns whether anything was scaled.
fn rolling_update(
    cluster: &mut Cluster,
    d: &Deployment,
    new_rs: &ReplicaSet,
    old: &[ReplicaSet],
    want: i32,
) -> bool {
    let strategy = d
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref());
    let surge = resolve(strategy.and_then(|r| r.max_surge.as_ref()), want, 25, true);
    let mut unavailable = resolve(
        strategy.and_then(|r| r.max_unavailable.as_ref()),
        want,
        25,
        false,
    );
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    let mut changed = false;

    // Scale the new ReplicaSet up, within the surge.
    let new_replicas = replicas_of(new_rs);
    let total: i32 = old.iter().map(replicas_of).sum::<i32>() + new_replicas;
    if new_replicas > want {
        scale(cluster, d, new_rs, want);
        changed = true;
    } else if new_replicas < want {
        let room = want + surge - total;
        if room > 0 {
            scale(
                cluster,
                d,
                new_rs,
                new_replicas + room.min(want - new_replicas),
            );
            changed = true;
        }
    }

    // Scale old ReplicaSets down, keeping enough pods available.
    let old_total: i32 = old.iter().map(replicas_of).sum();
    if old_total == 0 {
        return changed;
    }
    let new_replicas = cluster
        .store
        .get_typed::<ReplicaSet>(
            new_rs.metadata.namespace.as_deref().unwrap_or(""),
            new_rs.metadata.name.as_deref().unwrap_or(""),
        )
        .map_or(new_replicas, |rs| replicas_of(&rs));
    let all_pods = old_total + new_replicas;
    let min_available = want - unavailable;
    let new_unavailable = (new_replicas - available_of(new_rs)).max(0);
    let mut budget = all_pods - min_available - new_unavailable;
    if budget <= 0 {
        return changed;
    }
    let mut old_sorted: Vec<&ReplicaSet> = old.iter().filter(|rs| replicas_of(rs) > 0).collect();
    old_sorted.sort_by_key(|rs| revision(&rs.metadata));
    // First the old pods that are not available anyway.
    let mut scaled: HashMap<String, i32> = HashMap::new();
    for rs in &old_sorted {
        if budget <= 0 {
            break;
        }
        let unhealthy = (replicas_of(rs) - available_of(rs)).max(0).min(budget);
        if unhealthy > 0 {
            let to = replicas_of(rs) - unhealthy;
            scale(cluster, d, rs, to);
            scaled.insert(rs.metadata.name.clone().unwrap_or_default(), to);
            budget -= unhealthy;
            changed = true;
        }
    }
    // Then available ones, as far as availability allows.
    let available: i32 = old.iter().map(available_of).sum::<i32>() + available_of(new_rs);
    let mut removable = (available - min_available).min(budget);
    for rs in &old_sorted {
        if removable <= 0 {
            break;
        }
        let current = scaled
            .get(rs.metadata.name.as_deref().unwrap_or(""))
            .copied()
            .unwrap_or_else(|| replicas_of(rs));
        let down = current.min(removable);
        if down > 0 {
            scale(cluster, d, rs, current - down);
            removable -= down;
            changed = true;
        }
    }
    changed
}

/// Recreate: every old pod goes before any new one starts.
fn recreate(
    cluster: &mut Cluster,
    d: &Deployment,
    new_rs: &ReplicaSet,
    old: &[ReplicaSet],
    want: i32,
) -> bool {
    let mut changed = false;
    for rs in old.iter().filter(|rs| replicas_of(rs) > 0) {
        scale(cluster, d, rs, 0);
        changed = true;
    }
    let old_pods: i32 = old.iter().map(pods_of).sum();
    if !changed && old_pods == 0 && replicas_of(new_rs) != want {
        scale(cluster, d, new_rs, want);
        changed = true;
    }
    changed
}

/// Once a rollout is complete, old empty ReplicaSets beyond
/// revisionHistoryLimit are deleted, oldest first.
fn cleanup(
    cluster: &mut Cluster,
    d: &Deployment,
    new_rs: &ReplicaSet,
    old: &[ReplicaSet],
    want: i32,
) {
    let limit = d
        .spec
        .revision_history_limit
        .unwrap_or(DEFAULT_HISTORY_LIMIT)
        .max(0) as usize;
    if replicas_of(new_rs) != want || available_of(new_rs) != want {
        return;
    }
    let mut empty: Vec<&ReplicaSet> = old
        .iter()
        .filter(|rs| replicas_of(rs) == 0 && pods_of(rs) == 0)
        .collect();
    if empty.len() <= limit {
        return;
    }
    empty.sort_by_key(|rs| revision(&rs.metadata));
    let excess = empty.len() - limit;
    for rs in empty.into_iter().take(excess) {
        let ns = rs.metadata.namespace.as_deref().unwrap_or("");
        let name = rs.metadata.name.as_deref().unwrap_or("");
        cluster.store.delete(Kind::ReplicaSet, ns, name);
    }
}
