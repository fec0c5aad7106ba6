//! Rollback, as `kubectl rollout undo --to-revision` does it for each kind
//! (a Deployment from its ReplicaSets, a StatefulSet or DaemonSet from its
//! ControllerRevisions), and the diff of pod templates shown before
//! confirming it.

use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};
use serde_json::{Value, json};

use super::actions::{Plan, deployment_path, workload_path};
use crate::journal::new_id;
use crate::kinds::WorkloadKind;

/// Why a Deployment's revisions cannot be listed, or a rollback is refused.
#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    /// The API server refused or did not answer a read.
    #[error("{0}")]
    Api(#[source] ::kube::Error),
    /// No ReplicaSet or ControllerRevision of the workload is left to go
    /// back to.
    #[error("{workload} has no revision history")]
    NoHistory {
        /// As kubectl names it: `statefulset/db`.
        workload: String,
    },
    #[error("deployment/{deployment} is paused: resume it before rolling back")]
    Paused { deployment: String },
    /// The revision chosen is the one running.
    #[error("skipped rollback: deployment/{deployment} already runs revision {revision}")]
    AlreadyCurrent {
        deployment: String,
        revision: String,
    },
    /// Jobs and CronJobs have no revisions.
    #[error(
        "{workload} has no revisions to roll back to: a Job runs once; change a CronJob's job template instead"
    )]
    NotRollable { workload: String },
    /// A StatefulSet's or DaemonSet's template already matches the
    /// revision (kubectl's words).
    #[error("skipped rollback: {workload} (current template already matches revision {revision})")]
    TemplateMatches { workload: String, revision: i64 },
}

/// A revision the rollback picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionChoice {
    pub revision: i64,
    pub images: Vec<String>,
    pub change_cause: Option<String>,
    pub current: bool,
    /// What changes from the current template, in lines.
    pub diff: Vec<String>,
    /// The rollback, or why it is refused (paused, already current), as
    /// the picker shows it.
    pub plan: Result<Plan, String>,
}

/// A workload's revisions, newest first, each with its diff from the
/// current template and its rollback plan.
pub async fn revisions(
    client: &::kube::Client,
    kind: WorkloadKind,
    ns: &str,
    name: &str,
) -> Result<Vec<RevisionChoice>, RollbackError> {
    use ::kube::Api;
    match kind {
        WorkloadKind::Deployment => deployment_revisions(client, ns, name).await,
        WorkloadKind::StatefulSet => {
            let sts = Api::<StatefulSet>::namespaced(client.clone(), ns)
                .get(name)
                .await
                .map_err(RollbackError::Api)?;
            let owner = Owner {
                kind,
                name: name.to_string(),
                uid: sts.metadata.uid.clone().unwrap_or_default(),
                template: sts.spec.template.clone(),
                update_revision: sts.status.as_ref().and_then(|s| s.update_revision.clone()),
            };
            controller_revisions(client, ns, &owner).await
        }
        WorkloadKind::DaemonSet => {
            let ds = Api::<DaemonSet>::namespaced(client.clone(), ns)
                .get(name)
                .await
                .map_err(RollbackError::Api)?;
            let owner = Owner {
                kind,
                name: name.to_string(),
                uid: ds.metadata.uid.clone().unwrap_or_default(),
                template: ds.spec.template.clone(),
                update_revision: None,
            };
            controller_revisions(client, ns, &owner).await
        }
        WorkloadKind::Job | WorkloadKind::CronJob => Err(RollbackError::NotRollable {
            workload: format!("{}/{name}", kind.resource()),
        }),
    }
}

/// What a StatefulSet's or DaemonSet's rollback needs of it.
#[derive(Debug, Clone)]
pub struct Owner {
    pub kind: WorkloadKind,
    pub name: String,
    pub uid: String,
    pub template: PodTemplateSpec,
    /// A StatefulSet's status.updateRevision.
    pub update_revision: Option<String>,
}

impl Owner {
    fn id(&self) -> String {
        format!("{}/{}", self.kind.resource(), self.name)
    }
}

/// The revisions of a StatefulSet or DaemonSet from the ControllerRevisions
/// it controls.
async fn controller_revisions(
    client: &::kube::Client,
    ns: &str,
    owner: &Owner,
) -> Result<Vec<RevisionChoice>, RollbackError> {
    use ::kube::Api;
    let list = Api::<ControllerRevision>::namespaced(client.clone(), ns)
        .list(&Default::default())
        .await
        .map_err(RollbackError::Api)?;
    let mut choices: Vec<RevisionChoice> = list
        .items
        .iter()
        .filter(|cr| {
            cr.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == owner.uid && o.controller == Some(true))
        })
        .map(|cr| controller_revision_choice(ns, owner, cr))
        .collect();
    if choices.is_empty() {
        return Err(RollbackError::NoHistory {
            workload: owner.id(),
        });
    }
    choices.sort_by_key(|c| std::cmp::Reverse(c.revision));
    Ok(choices)
}

/// The pod template a ControllerRevision stores, in the patch it holds
/// (`{"spec":{"template":{..., "$patch":"replace"}}}`).
pub fn stored_template(cr: &ControllerRevision) -> PodTemplateSpec {
    let mut template = cr
        .data
        .0
        .pointer("/spec/template")
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(t) = template.as_object_mut() {
        t.remove("$patch");
    }
    serde_json::from_value(template).unwrap_or_default()
}

/// One ControllerRevision as a choice: its diff from the running template
/// and the rollback `kubectl rollout undo` sends, a strategic merge patch of
/// the revision's stored data; refused when the template already matches.
pub fn controller_revision_choice(
    ns: &str,
    owner: &Owner,
    cr: &ControllerRevision,
) -> RevisionChoice {
    let template = stored_template(cr);
    let revision = cr.revision.unwrap_or(0);
    let matches = template == owner.template;
    let current = match &owner.update_revision {
        Some(update) => cr.metadata.name.as_deref() == Some(update.as_str()),
        None => matches,
    };
    let plan = if matches {
        Err(RollbackError::TemplateMatches {
            workload: owner.id(),
            revision,
        }
        .to_string())
    } else {
        Ok(Plan {
            id: new_id(),
            summary: format!("roll back {} to revision {revision}", owner.id()),
            target: owner.name.clone(),
            verb: "PATCH",
            reason: "OpsTuiRolledBack",
            path: workload_path(owner.kind, ns, &owner.name),
            content_type: "application/strategic-merge-patch+json",
            body: cr.data.0.clone(),
        })
    };
    RevisionChoice {
        revision,
        images: template
            .spec
            .iter()
            .flat_map(|s| s.containers.iter().filter_map(|c| c.image.clone()))
            .collect(),
        change_cause: cr
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("kubernetes.io/change-cause").cloned()),
        current,
        diff: template_diff(&owner.template, &template),
        plan,
    }
}

/// A Deployment's revisions, from the ReplicaSets it controls.
async fn deployment_revisions(
    client: &::kube::Client,
    ns: &str,
    name: &str,
) -> Result<Vec<RevisionChoice>, RollbackError> {
    use ::kube::Api;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let d = deployments.get(name).await.map_err(RollbackError::Api)?;
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
    let list = sets
        .list(&Default::default())
        .await
        .map_err(RollbackError::Api)?;
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
                plan: rollback(ns, &d, rs).map_err(|e| e.to_string()),
            }
        })
        .collect();
    if choices.is_empty() {
        return Err(RollbackError::NoHistory {
            workload: format!("deployment/{name}"),
        });
    }
    choices.sort_by_key(|c| std::cmp::Reverse(c.revision));
    Ok(choices)
}

/// Annotations kubectl keeps from the Deployment and does not copy from the
/// ReplicaSet when rolling back (kubectl's `annotationsToSkip`).
const ROLLBACK_SKIP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// `kubectl rollout undo --to-revision`: the chosen ReplicaSet's pod
/// template without `pod-template-hash`, and the annotations kubectl
/// computes: only the Deployment's annotations in kubectl's skip list, then
/// the ReplicaSet's except those in it (any other annotation of the
/// Deployment is dropped), as one JSON patch. Refused for a paused
/// Deployment, and when the revision is already current (the templates
/// compared without `pod-template-hash`).
pub fn rollback(
    ns: &str,
    deployment: &Deployment,
    target: &ReplicaSet,
) -> Result<Plan, RollbackError> {
    let name = deployment.metadata.name.clone().unwrap_or_default();
    if deployment.spec.paused == Some(true) {
        return Err(RollbackError::Paused { deployment: name });
    }
    let revision = target
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .cloned()
        .unwrap_or_default();
    let template = without_hash(target.spec.template.clone().unwrap_or_default());
    if template == without_hash(deployment.spec.template.clone()) {
        return Err(RollbackError::AlreadyCurrent {
            deployment: name,
            revision,
        });
    }
    let kept = deployment.metadata.annotations.iter().flatten();
    let mut annotations: std::collections::BTreeMap<String, String> = kept
        .filter(|(k, _)| ROLLBACK_SKIP.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
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
        reason: "OpsTuiRolledBack",
        path: deployment_path(ns, &name),
        content_type: "application/json-patch+json",
        body: json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ]),
    })
}

/// A field's value in a diff line: JSON, or "none" when it is not set.
fn shown(v: &serde_json::Value) -> String {
    if v.is_null() {
        "none".into()
    } else {
        v.to_string()
    }
}

/// A container's command and arguments as one line, or what runs when
/// neither is set.
fn command_line(c: &Container) -> String {
    let words: Vec<&str> = c
        .command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .map(String::as_str)
        .collect();
    if words.is_empty() {
        "(the image's entrypoint)".into()
    } else {
        words.join(" ")
    }
}

/// A pod template without the `pod-template-hash` label the controller adds
/// to its ReplicaSet's copy.
fn without_hash(mut template: PodTemplateSpec) -> PodTemplateSpec {
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove("pod-template-hash");
    }
    template
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
        ] {
            if x != y {
                lines.push(format!("{n}: {what} {} → {}", shown(&x), shown(&y)));
            }
        }
        if (&old.command, &old.args) != (&c.command, &c.args) {
            let (x, y) = (command_line(old), command_line(c));
            if x == y {
                // The same words, split differently between command and args.
                let split = |c: &Container| {
                    format!(
                        "command {:?} args {:?}",
                        c.command.as_deref().unwrap_or_default(),
                        c.args.as_deref().unwrap_or_default()
                    )
                };
                lines.push(format!("{n}: {} → {}", split(old), split(c)));
            } else {
                lines.push(format!("{n}: command {x} → {y}"));
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

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn deployment(annotations: Value, template: Value) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "api", "uid": "d1", "annotations": annotations},
            "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": template},
        }))
        .unwrap()
    }

    fn replica_set(annotations: Value, template: Value) -> ReplicaSet {
        serde_json::from_value(json!({
            "metadata": {"name": "api-1", "annotations": annotations},
            "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": template},
        }))
        .unwrap()
    }

    fn template(hash: Option<&str>, container: Value) -> Value {
        let mut labels = json!({"app": "api"});
        if let Some(h) = hash {
            labels["pod-template-hash"] = json!(h);
        }
        json!({"metadata": {"labels": labels}, "spec": {"containers": [container]}})
    }

    fn container(image: &str) -> Value {
        json!({"name": "api", "image": image})
    }

    #[test]
    fn annotations_are_kubectls_the_deployments_skip_list_then_the_replica_sets() {
        let d = deployment(
            json!({
                "deployment.kubernetes.io/revision": "3",
                "kubectl.kubernetes.io/last-applied-configuration": "{\"applied\":true}",
                "kubernetes.io/change-cause": "release 3",
                "team": "payments",
            }),
            template(None, container("shop/api:3")),
        );
        let rs = replica_set(
            json!({
                "deployment.kubernetes.io/revision": "1",
                "deployment.kubernetes.io/desired-replicas": "2",
                "deployment.kubernetes.io/max-replicas": "3",
                "kubernetes.io/change-cause": "release 1",
                "owner": "checkout",
            }),
            template(Some("5d8f7c"), container("shop/api:1")),
        );
        let plan = rollback("shop", &d, &rs).unwrap();
        assert_eq!(plan.summary, "roll back deployment/api to revision 1");
        assert_eq!(plan.content_type, "application/json-patch+json");
        assert_eq!(plan.path, "/apis/apps/v1/namespaces/shop/deployments/api");
        assert_eq!(
            plan.body,
            json!([
                {"op": "replace", "path": "/spec/template", "value": template(None, container("shop/api:1"))},
                {"op": "replace", "path": "/metadata/annotations", "value": {
                    // Kept from the Deployment: in the skip list.
                    "deployment.kubernetes.io/revision": "3",
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"applied\":true}",
                    // Copied from the ReplicaSet: not in it. "team", the
                    // Deployment's own, is dropped as kubectl drops it.
                    "kubernetes.io/change-cause": "release 1",
                    "owner": "checkout",
                }},
            ])
        );
    }

    #[test]
    fn no_annotations_anywhere_replace_them_with_an_empty_map() {
        let d = deployment(
            json!({"team": "payments"}),
            template(None, container("a:2")),
        );
        let rs = replica_set(json!(null), template(Some("h"), container("a:1")));
        let plan = rollback("shop", &d, &rs).unwrap();
        assert_eq!(plan.body[1]["value"], json!({}));
    }

    #[test]
    fn refused_when_paused_or_already_current_ignoring_the_hash_label() {
        let d = deployment(
            json!({"deployment.kubernetes.io/revision": "2"}),
            template(None, container("a:2")),
        );
        let current = replica_set(
            json!({"deployment.kubernetes.io/revision": "2"}),
            template(Some("abc"), container("a:2")),
        );
        let err = rollback("shop", &d, &current).unwrap_err();
        assert!(
            matches!(&err, RollbackError::AlreadyCurrent { deployment, revision }
                if deployment == "api" && revision == "2"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "skipped rollback: deployment/api already runs revision 2"
        );
        // A hash label on the Deployment's own template is ignored too.
        let hashed = deployment(json!({}), template(Some("zzz"), container("a:2")));
        assert!(rollback("shop", &hashed, &current).is_err());
        let mut paused = d.clone();
        paused.spec.paused = Some(true);
        let old = replica_set(json!({}), template(Some("h"), container("a:1")));
        let err = rollback("shop", &paused, &old).unwrap_err();
        assert!(matches!(&err, RollbackError::Paused { deployment } if deployment == "api"));
        assert!(err.to_string().contains("is paused: resume it"));
    }

    fn pod_template(containers: Value) -> PodTemplateSpec {
        serde_json::from_value(
            json!({"metadata": {"labels": {"app": "api"}}, "spec": {"containers": containers}}),
        )
        .unwrap()
    }

    /// The diff of one container changed by `change` (merged into it).
    fn diff_of(change: Value) -> Vec<String> {
        let base = json!({"name": "api", "image": "a:1"});
        let mut changed = base.clone();
        for (k, v) in change.as_object().unwrap() {
            changed[k] = v.clone();
        }
        template_diff(
            &pod_template(json!([base])),
            &pod_template(json!([changed])),
        )
    }

    #[test]
    fn the_diff_names_each_kind_of_change() {
        assert_eq!(diff_of(json!({"image": "a:2"})), ["api: image a:1 → a:2"]);
        assert_eq!(
            diff_of(json!({"env": [{"name": "MODE", "value": "x"}, {"name": "DEBUG"}]})),
            [r#"api: environment [] → ["MODE", "DEBUG"]"#]
        );
        assert_eq!(
            diff_of(json!({"resources": {"limits": {"memory": "256Mi"}}})),
            [r#"api: resources none → {"limits":{"memory":"256Mi"}}"#]
        );
        assert_eq!(
            diff_of(json!({"readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}})),
            [r#"api: readiness probe none → {"httpGet":{"path":"/ready","port":8080}}"#]
        );
        assert_eq!(
            diff_of(json!({"livenessProbe": {"tcpSocket": {"port": 8080}}})),
            [r#"api: liveness probe none → {"tcpSocket":{"port":8080}}"#]
        );
        assert_eq!(
            diff_of(json!({"ports": [{"containerPort": 8080}]})),
            [r#"api: ports none → [{"containerPort":8080}]"#]
        );
        assert_eq!(
            diff_of(json!({"command": ["/api"], "args": ["--debug"]})),
            ["api: command (the image's entrypoint) → /api --debug"]
        );
        // The same words split differently between command and args.
        assert_eq!(
            template_diff(
                &pod_template(json!([{"name": "api", "command": ["/api", "--debug"]}])),
                &pod_template(json!([{"name": "api", "command": ["/api"], "args": ["--debug"]}])),
            ),
            [r#"api: command ["/api", "--debug"] args [] → command ["/api"] args ["--debug"]"#]
        );
        // Several at once, in a fixed order.
        assert_eq!(
            diff_of(json!({"image": "a:2", "ports": [{"containerPort": 1}]})).len(),
            2
        );
    }

    #[test]
    fn the_diff_names_added_and_removed_containers_and_metadata_only_changes() {
        let one = pod_template(json!([{"name": "api", "image": "a:1"}]));
        let two = pod_template(json!([
            {"name": "api", "image": "a:1"},
            {"name": "proxy", "image": "envoy:1"},
        ]));
        assert_eq!(
            template_diff(&one, &two),
            ["container proxy: added (envoy:1)"]
        );
        assert_eq!(template_diff(&two, &one), ["container proxy: removed"]);
        assert!(template_diff(&one, &one).is_empty());
        let mut relabelled = one.clone();
        if let Some(m) = relabelled.metadata.as_mut() {
            m.annotations = Some([("note".to_string(), "x".to_string())].into());
        }
        assert_eq!(
            template_diff(&one, &relabelled),
            ["pod template metadata (labels or annotations) differs"]
        );
    }

    fn db_template(image: &str) -> Value {
        json!({
            "metadata": {"labels": {"app": "db"}},
            "spec": {"containers": [{"name": "postgres", "image": image}]}
        })
    }

    /// A ControllerRevision as the StatefulSet controller stores it: the
    /// template in a patch that replaces the whole template.
    fn controller_revision(name: &str, revision: i64, image: &str) -> ControllerRevision {
        let mut template = db_template(image);
        template["$patch"] = json!("replace");
        serde_json::from_value(json!({
            "metadata": {
                "name": name,
                "annotations": {"kubernetes.io/change-cause": format!("postgres {image}")},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "s1", "controller": true}]
            },
            "revision": revision,
            "data": {"spec": {"template": template}}
        }))
        .unwrap()
    }

    fn db(image: &str, update_revision: Option<&str>) -> Owner {
        Owner {
            kind: WorkloadKind::StatefulSet,
            name: "db".into(),
            uid: "s1".into(),
            template: serde_json::from_value(db_template(image)).unwrap(),
            update_revision: update_revision.map(String::from),
        }
    }

    #[test]
    fn a_controller_revision_rolls_back_with_its_stored_patch_as_kubectl_does() {
        let cr = controller_revision("db-5c9d7b", 1, "postgres:16.3");
        let choice =
            controller_revision_choice("shop", &db("postgres:16.4", Some("db-6f8b4c")), &cr);
        assert_eq!(choice.revision, 1);
        assert!(!choice.current);
        assert_eq!(choice.images, ["postgres:16.3"]);
        assert_eq!(
            choice.change_cause.as_deref(),
            Some("postgres postgres:16.3")
        );
        assert_eq!(
            choice.diff,
            ["postgres: image postgres:16.4 → postgres:16.3"]
        );
        let plan = choice.plan.unwrap();
        assert_eq!(plan.summary, "roll back statefulset/db to revision 1");
        assert_eq!(plan.path, "/apis/apps/v1/namespaces/shop/statefulsets/db");
        assert_eq!(plan.content_type, "application/strategic-merge-patch+json");
        // The body is the revision's data, byte for byte what kubectl sends.
        assert_eq!(plan.body, cr.data.0);
        assert_eq!(plan.body["spec"]["template"]["$patch"], "replace");
    }

    #[test]
    fn a_revision_whose_template_runs_is_refused_in_kubectls_words() {
        let cr = controller_revision("db-6f8b4c", 2, "postgres:16.4");
        let choice =
            controller_revision_choice("shop", &db("postgres:16.4", Some("db-6f8b4c")), &cr);
        assert!(choice.current);
        assert!(choice.diff.is_empty());
        assert_eq!(
            choice.plan.unwrap_err(),
            "skipped rollback: statefulset/db (current template already matches revision 2)"
        );
        // A DaemonSet has no updateRevision: the revision whose template
        // runs is the current one.
        let ds = Owner {
            kind: WorkloadKind::DaemonSet,
            update_revision: None,
            ..db("postgres:16.4", None)
        };
        assert!(controller_revision_choice("shop", &ds, &cr).current);
        let old = controller_revision("db-5c9d7b", 1, "postgres:16.3");
        let choice = controller_revision_choice("shop", &ds, &old);
        assert!(!choice.current);
        assert_eq!(
            choice.plan.unwrap().path,
            "/apis/apps/v1/namespaces/shop/daemonsets/db"
        );
    }

    #[test]
    fn the_stored_template_drops_the_replace_directive() {
        let cr = controller_revision("db-1", 1, "postgres:16.3");
        let t = stored_template(&cr);
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            db_template("postgres:16.3")
        );
        let empty: ControllerRevision = serde_json::from_value(json!({
            "metadata": {"name": "x"}, "revision": 1, "data": null
        }))
        .unwrap_or_default();
        assert_eq!(stored_template(&empty), PodTemplateSpec::default());
    }
}
