//! Rollback, as `kubectl rollout undo --to-revision` does it, and the diff
//! of pod templates shown before confirming it.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};
use serde_json::json;

use super::actions::{Plan, deployment_path, new_id};

/// A revision the rollback picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionChoice {
    pub revision: i64,
    pub images: Vec<String>,
    pub change_cause: Option<String>,
    pub current: bool,
    /// What changes from the current template, in lines.
    pub diff: Vec<String>,
    /// The rollback, or why it is refused (paused, already current).
    pub plan: Result<Plan, String>,
}

/// A Deployment's revisions, newest first, each with its diff from the
/// current template and its rollback plan.
pub async fn revisions(
    client: &::kube::Client,
    ns: &str,
    name: &str,
) -> Result<Vec<RevisionChoice>, String> {
    use ::kube::Api;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let d = deployments.get(name).await.map_err(|e| e.to_string())?;
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
    let list = sets
        .list(&Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let current_revision = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .cloned();
    let mut choices: Vec<RevisionChoice> = list
        .items
        .iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == uid && o.controller == Some(true))
        })
        .map(|rs| {
            let annotations = rs.metadata.annotations.clone().unwrap_or_default();
            let revision = annotations
                .get("deployment.kubernetes.io/revision")
                .cloned();
            let template = rs.spec.template.clone().unwrap_or_default();
            RevisionChoice {
                revision: revision
                    .as_deref()
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(0),
                images: template
                    .spec
                    .iter()
                    .flat_map(|s| s.containers.iter().filter_map(|c| c.image.clone()))
                    .collect(),
                change_cause: annotations.get("kubernetes.io/change-cause").cloned(),
                current: revision.is_some() && revision == current_revision,
                diff: template_diff(&d.spec.template, &template),
                plan: rollback(ns, &d, rs),
            }
        })
        .collect();
    if choices.is_empty() {
        return Err(format!("deployment/{name} has no revision history"));
    }
    choices.sort_by_key(|c| std::cmp::Reverse(c.revision));
    Ok(choices)
}

/// Annotations kubectl does not copy from the ReplicaSet when rolling back.
const ROLLBACK_SKIP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// `kubectl rollout undo --to-revision`: the chosen ReplicaSet's pod
/// template without `pod-template-hash`, and the Deployment's annotations
/// with the ReplicaSet's copied over (except kubectl's skip list), as one
/// JSON patch. Refused for a paused Deployment, and when the revision is
/// already current.
pub fn rollback(ns: &str, deployment: &Deployment, target: &ReplicaSet) -> Result<Plan, String> {
    let name = deployment.metadata.name.clone().unwrap_or_default();
    if deployment.spec.paused == Some(true) {
        return Err(format!(
            "deployment/{name} is paused: resume it before rolling back"
        ));
    }
    let revision = target
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .cloned()
        .unwrap_or_default();
    let mut template = target.spec.template.clone().unwrap_or_default();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove("pod-template-hash");
    }
    if template == deployment.spec.template {
        return Err(format!(
            "skipped rollback: deployment/{name} already runs revision {revision}"
        ));
    }
    let mut annotations = deployment.metadata.annotations.clone().unwrap_or_default();
    for (k, v) in target.metadata.annotations.iter().flatten() {
        if !ROLLBACK_SKIP.contains(&k.as_str()) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    Ok(Plan {
        id: new_id(),
        summary: format!("roll back deployment/{name} to revision {revision}"),
        target: name.clone(),
        verb: "PATCH",
        path: deployment_path(ns, &name),
        content_type: "application/json-patch+json",
        body: json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ]),
    })
}

/// What changes between two pod templates, in lines a person reads:
/// images, environment variable names, resources, probes, ports, commands.
pub fn template_diff(from: &PodTemplateSpec, to: &PodTemplateSpec) -> Vec<String> {
    let containers = |t: &PodTemplateSpec| {
        t.spec
            .as_ref()
            .map(|s| s.containers.clone())
            .unwrap_or_default()
    };
    let (a, b) = (containers(from), containers(to));
    let mut lines = Vec::new();
    for c in &b {
        let Some(old) = a.iter().find(|o| o.name == c.name) else {
            lines.push(format!(
                "container {}: added ({})",
                c.name,
                c.image.clone().unwrap_or_default()
            ));
            continue;
        };
        let n = &c.name;
        if old.image != c.image {
            lines.push(format!(
                "{n}: image {} → {}",
                old.image.clone().unwrap_or_default(),
                c.image.clone().unwrap_or_default()
            ));
        }
        let env = |c: &Container| {
            c.env
                .iter()
                .flatten()
                .map(|e| e.name.clone())
                .collect::<Vec<_>>()
        };
        if env(old) != env(c) {
            lines.push(format!("{n}: environment {:?} → {:?}", env(old), env(c)));
        }
        for (what, x, y) in [
            (
                "resources",
                serde_json::to_value(&old.resources).unwrap_or_default(),
                serde_json::to_value(&c.resources).unwrap_or_default(),
            ),
            (
                "readiness probe",
                serde_json::to_value(&old.readiness_probe).unwrap_or_default(),
                serde_json::to_value(&c.readiness_probe).unwrap_or_default(),
            ),
            (
                "liveness probe",
                serde_json::to_value(&old.liveness_probe).unwrap_or_default(),
                serde_json::to_value(&c.liveness_probe).unwrap_or_default(),
            ),
            (
                "ports",
                serde_json::to_value(&old.ports).unwrap_or_default(),
                serde_json::to_value(&c.ports).unwrap_or_default(),
            ),
            (
                "command",
                serde_json::to_value((&old.command, &old.args)).unwrap_or_default(),
                serde_json::to_value((&c.command, &c.args)).unwrap_or_default(),
            ),
        ] {
            if x != y {
                lines.push(format!("{n}: {what} {x} → {y}"));
            }
        }
    }
    for c in &a {
        if !b.iter().any(|n| n.name == c.name) {
            lines.push(format!("container {}: removed", c.name));
        }
    }
    if lines.is_empty() && from != to {
        lines.push("pod template metadata (labels or annotations) differs".into());
    }
    lines
}
