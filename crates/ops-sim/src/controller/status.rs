//! A Deployment's status after a sync, as the real controller computes it:
//! replica counts from its ReplicaSets, and the Available and Progressing
//! conditions with their real reasons, including the progress deadline.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};

use super::deployment::replicas_of;
use super::{REVISION, resolve, revision};
use crate::cluster::Cluster;
use crate::store::now;

const DEFAULT_PROGRESS_DEADLINE: i32 = 600;

fn condition(status: &DeploymentStatus, type_: &str) -> Option<DeploymentCondition> {
    status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_.as_deref() == Some(type_))
        .cloned()
}

fn set_condition(
    conditions: &mut Vec<DeploymentCondition>,
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    touch: bool,
) {
    let t = now();
    match conditions
        .iter_mut()
        .find(|c| c.type_.as_deref() == Some(type_))
    {
        Some(c) => {
            if c.status.as_deref() != Some(status) {
                c.last_transition_time = Some(t.clone());
            }
            if c.status.as_deref() != Some(status) || c.reason.as_deref() != Some(reason) || touch {
                c.last_update_time = Some(t);
            }
            c.status = Some(status.to_string());
            c.reason = Some(reason.to_string());
            c.message = Some(message);
        }
        None => conditions.push(DeploymentCondition {
            type_: Some(type_.to_string()),
            status: Some(status.to_string()),
            reason: Some(reason.to_string()),
            message: Some(message),
            last_transition_time: Some(t.clone()),
            last_update_time: Some(t),
        }),
    }
}

pub(super) fn update(
    cluster: &mut Cluster,
    mut d: Deployment,
    new_rs: Option<&ReplicaSet>,
    old: &[ReplicaSet],
    progressed: bool,
) -> bool {
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let spec = d.spec.clone();
    let want = spec.replicas.unwrap_or(1);
    // Fresh ReplicaSet statuses (the ReplicaSet controller ran this tick).
    let fresh = |rs: &ReplicaSet| {
        cluster
            .store
            .get_typed::<ReplicaSet>(&ns, rs.metadata.name.as_deref().unwrap_or(""))
            .unwrap_or_else(|| rs.clone())
    };
    let new_rs = new_rs.map(fresh);
    let all: Vec<ReplicaSet> = old.iter().map(fresh).chain(new_rs.clone()).collect();
    let status_of = |rs: &ReplicaSet| rs.status.clone().unwrap_or_default();
    let replicas: i32 = all.iter().map(|rs| status_of(rs).replicas).sum();
    let ready: i32 = all
        .iter()
        .map(|rs| status_of(rs).ready_replicas.unwrap_or(0))
        .sum();
    let available: i32 = all
        .iter()
        .map(|rs| status_of(rs).available_replicas.unwrap_or(0))
        .sum();
    let updated = new_rs.as_ref().map_or(0, |rs| status_of(rs).replicas);
    let spec_total: i32 = all.iter().map(replicas_of).sum();
    let old_status = d.status.clone().unwrap_or_default();

    let strategy = spec
        .strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref());
    let max_unavailable = resolve(
        strategy.and_then(|r| r.max_unavailable.as_ref()),
        want,
        25,
        false,
    );
    let mut conditions = old_status.conditions.clone().unwrap_or_default();
    if available >= want - max_unavailable {
        set_condition(
            &mut conditions,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
            false,
        );
    } else {
        set_condition(
            &mut conditions,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
            false,
        );
    }

    let rs_name = new_rs
        .as_ref()
        .and_then(|rs| rs.metadata.name.clone())
        .unwrap_or_default();
    let complete = updated == want
        && replicas == want
        && available == want
        && new_rs.as_ref().is_some_and(|rs| replicas_of(rs) == want)
        && old.iter().all(|rs| status_of(&fresh(rs)).replicas == 0);
    let counts_moved = old_status.updated_replicas != Some(updated)
        || old_status.ready_replicas != Some(ready)
        || old_status.available_replicas != Some(available)
        || old_status.replicas != Some(replicas);
    let paused = spec.paused.unwrap_or(false);
    let previous = condition(&old_status, "Progressing");
    if paused {
        set_condition(
            &mut conditions,
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".into(),
            false,
        );
    } else if complete {
        set_condition(
            &mut conditions,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
            false,
        );
    } else if previous
        .as_ref()
        .is_some_and(|c| c.reason.as_deref() == Some("DeploymentPaused"))
    {
        set_condition(
            &mut conditions,
            "Progressing",
            "Unknown",
            "DeploymentResumed",
            "Deployment is resumed".into(),
            true,
        );
    } else if progressed
        || counts_moved
        || previous.is_none()
        || previous
            .as_ref()
            .is_some_and(|c| c.reason.as_deref() == Some("NewReplicaSetAvailable"))
    {
        let (reason, msg) = if progressed && new_rs.as_ref().is_some_and(|rs| rs.status.is_none()) {
            (
                "NewReplicaSetCreated",
                format!("Created new replica set \"{rs_name}\""),
            )
        } else {
            (
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{rs_name}\" is progressing."),
            )
        };
        set_condition(&mut conditions, "Progressing", "True", reason, msg, true);
    } else if let Some(p) = &previous
        && p.reason.as_deref() != Some("ProgressDeadlineExceeded")
    {
        let deadline = spec
            .progress_deadline_seconds
            .unwrap_or(DEFAULT_PROGRESS_DEADLINE);
        let last = p.last_update_time.as_ref().map_or(0, |t| t.0.as_second());
        if jiff::Timestamp::now().as_second() - last > i64::from(deadline) {
            set_condition(
                &mut conditions,
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                true,
            );
        }
    }
    // Keep Available before Progressing, as the real controller orders them.
    conditions.sort_by_key(|c| c.type_.as_deref() != Some("Available"));

    let status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: Some(replicas),
        updated_replicas: Some(updated),
        ready_replicas: Some(ready),
        available_replicas: Some(available),
        unavailable_replicas: Some((spec_total.max(want) - available).max(0)),
        terminating_replicas: None,
        collision_count: None,
        conditions: Some(conditions),
    };
    let new_revision = new_rs.as_ref().map(|rs| revision(&rs.metadata));
    let annotations_change = new_revision.is_some_and(|r| r != revision(&d.metadata) && r > 0);
    // Still progressing: the clock matters until it completes, pauses or
    // misses its deadline.
    let settled = status.conditions.iter().flatten().any(|c| {
        c.type_.as_deref() == Some("Progressing")
            && matches!(
                c.reason.as_deref(),
                Some("NewReplicaSetAvailable" | "DeploymentPaused" | "ProgressDeadlineExceeded")
            )
    });
    if d.status.as_ref() != Some(&status) || annotations_change {
        if let Some(r) = new_revision.filter(|r| *r > 0) {
            d.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(REVISION.into(), r.to_string());
        }
        d.status = Some(status);
        cluster.store.put_typed(d);
    }
    !settled
}
