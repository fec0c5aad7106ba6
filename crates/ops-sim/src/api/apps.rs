//! What the API server does for StatefulSets and DaemonSets on a write:
//! their defaults (from `controller::admission`), validation,
//! `metadata.generation` (and a DaemonSet's template generation), the scale
//! subresource of a StatefulSet, and the deletion of what they own.

use std::collections::BTreeMap;

use hyper::StatusCode;
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec, ScaleStatus};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::write::{conflict, dry_run, invalid, precondition};
use super::{Api, not_found, status};
use crate::cluster::{Cluster, lock};
use crate::controller::admission::{default_daemonset, default_statefulset};
use crate::controller::{delete_pod, history::TEMPLATE_GENERATION, owned_by};
use crate::http::{Req, Resp, json};
use crate::patch::{self, PatchType};
use crate::store::{Kind, Obj, Typed};

/// Selector and template checks both kinds share.
fn check_template(selector: &LabelSelector, template: &PodTemplateSpec, causes: &mut Vec<String>) {
    let labels = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let wanted = selector.match_labels.clone().unwrap_or_default();
    if wanted.is_empty()
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
    {
        causes.push("spec.selector: Required value".to_string());
    } else if wanted.iter().any(|(k, v)| labels.get(k) != Some(v)) {
        causes.push(format!(
            "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
            serde_json::to_string(&labels).unwrap_or_default()
        ));
    }
    if template
        .spec
        .as_ref()
        .is_none_or(|s| s.containers.is_empty())
    {
        causes.push("spec.template.spec.containers: Required value".to_string());
    }
}

fn non_negative(field: &str, value: i64, causes: &mut Vec<String>) {
    if value < 0 {
        causes.push(format!(
            "{field}: Invalid value: {value}: must be greater than or equal to 0"
        ));
    }
}

/// Defaults and validates a StatefulSet or DaemonSet; other kinds pass.
pub fn validate(obj: &mut Obj, old: Option<&Obj>, causes: &mut Vec<String>) {
    match obj {
        Obj::StatefulSet(s) => {
            let spec = &mut s.spec;
            default_statefulset(spec);
            non_negative(
                "spec.replicas",
                i64::from(spec.replicas.unwrap_or(1)),
                causes,
            );
            check_template(&spec.selector, &spec.template, causes);
            let strategy = spec.update_strategy.clone().unwrap_or_default();
            match strategy.type_.as_deref() {
                Some("RollingUpdate") => {
                    if let Some(p) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
                        non_negative(
                            "spec.updateStrategy.rollingUpdate.partition",
                            i64::from(p),
                            causes,
                        );
                    }
                }
                Some("OnDelete") => {
                    if strategy.rolling_update.is_some() {
                        causes.push("spec.updateStrategy.rollingUpdate: Invalid value: \"rollingUpdate\": only allowed for updateStrategy 'RollingUpdate'".to_string());
                    }
                }
                other => causes.push(format!(
                    "spec.updateStrategy: Invalid value: \"{}\": must be 'RollingUpdate' or 'OnDelete'",
                    other.unwrap_or("")
                )),
            }
            if let Some(policy) = spec.pod_management_policy.as_deref()
                && policy != "OrderedReady"
                && policy != "Parallel"
            {
                causes.push(format!(
                    "spec.podManagementPolicy: Unsupported value: \"{policy}\": supported values: \"OrderedReady\", \"Parallel\""
                ));
            }
            if let Some(Obj::StatefulSet(old)) = old {
                // Only these may change once a StatefulSet exists.
                let frozen = |spec: &StatefulSetSpec| {
                    let mut spec = spec.clone();
                    spec.replicas = None;
                    spec.ordinals = None;
                    spec.template = PodTemplateSpec::default();
                    spec.update_strategy = None;
                    spec.revision_history_limit = None;
                    spec.persistent_volume_claim_retention_policy = None;
                    spec.min_ready_seconds = None;
                    spec
                };
                if frozen(spec) != frozen(&old.spec) {
                    causes.push("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden".to_string());
                }
            }
        }
        Obj::DaemonSet(d) => {
            let spec = &mut d.spec;
            default_daemonset(spec);
            check_template(&spec.selector, &spec.template, causes);
            let restart = spec
                .template
                .spec
                .as_ref()
                .and_then(|s| s.restart_policy.clone())
                .unwrap_or_default();
            if restart != "Always" {
                causes.push(format!(
                    "spec.template.spec.restartPolicy: Unsupported value: \"{restart}\": supported values: \"Always\""
                ));
            }
            let strategy = spec.update_strategy.clone().unwrap_or_default();
            match strategy.type_.as_deref() {
                Some("RollingUpdate") => {
                    let ru = strategy.rolling_update.unwrap_or_default();
                    let zero = |v: &Option<IntOrString>| match v {
                        Some(IntOrString::Int(n)) => *n == 0,
                        Some(IntOrString::String(s)) => s.trim_end_matches('%') == "0",
                        None => true,
                    };
                    if zero(&ru.max_unavailable) && zero(&ru.max_surge) {
                        causes.push("spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0".to_string());
                    }
                }
                Some("OnDelete") => {}
                other => causes.push(format!(
                    "spec.updateStrategy.type: Unsupported value: \"{}\": supported values: \"OnDelete\", \"RollingUpdate\"",
                    other.unwrap_or("")
                )),
            }
            if let Some(Obj::DaemonSet(old)) = old
                && old.spec.selector != spec.selector
            {
                causes.push("spec.selector: Invalid value: field is immutable".to_string());
            }
        }
        _ => {}
    }
}

/// `metadata.generation` of a StatefulSet or DaemonSet after a write: one
/// more on every change of its spec. A DaemonSet also counts the changes of
/// its pod template in an annotation.
pub fn generation(obj: &mut Obj, old: Option<&Obj>) {
    let previous = old.and_then(|o| o.meta().generation).unwrap_or(0);
    let bump = |meta: &mut ObjectMeta, changed: bool| {
        meta.generation = Some(if changed {
            previous + 1
        } else {
            previous.max(1)
        });
    };
    match (obj, old) {
        (Obj::StatefulSet(s), Some(Obj::StatefulSet(o))) => {
            let changed = s.spec != o.spec;
            bump(&mut s.metadata, changed);
        }
        (Obj::StatefulSet(s), _) => bump(&mut s.metadata, true),
        (Obj::DaemonSet(d), old) => {
            let (changed, template_generation) = match old {
                Some(Obj::DaemonSet(o)) => {
                    let kept = o
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get(TEMPLATE_GENERATION))
                        .and_then(|g| g.parse::<i64>().ok())
                        .unwrap_or(1);
                    let template_changed = o.spec.template != d.spec.template;
                    (o.spec != d.spec, kept + i64::from(template_changed))
                }
                _ => (true, 1),
            };
            bump(&mut d.metadata, changed);
            d.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(TEMPLATE_GENERATION.into(), template_generation.to_string());
        }
        _ => {}
    }
}

/// Deletes what a StatefulSet or DaemonSet owns, as the garbage collector
/// does after it: pods (gracefully) and ControllerRevisions.
pub fn cascade(cluster: &mut Cluster, ns: &str, uid: &str) {
    for pod in cluster.store.list(Kind::Pod, Some(ns)) {
        if owned_by(pod.meta(), uid)
            && let Some(p) = Pod::peek(&pod)
            && p.metadata.deletion_timestamp.is_none()
        {
            let p = p.clone();
            delete_pod(cluster, &p);
        }
    }
    for rev in cluster.store.list(Kind::ControllerRevision, Some(ns)) {
        if owned_by(rev.meta(), uid) {
            cluster
                .store
                .delete(Kind::ControllerRevision, ns, rev.name());
        }
    }
}

fn scale_of(s: &StatefulSet) -> Scale {
    let selector = s
        .spec
        .selector
        .match_labels
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    Scale {
        metadata: ObjectMeta {
            name: s.metadata.name.clone(),
            namespace: s.metadata.namespace.clone(),
            uid: s.metadata.uid.clone(),
            resource_version: s.metadata.resource_version.clone(),
            creation_timestamp: s.metadata.creation_timestamp.clone(),
            ..ObjectMeta::default()
        },
        spec: Some(ScaleSpec {
            replicas: s.spec.replicas,
        }),
        status: Some(ScaleStatus {
            replicas: s.status.as_ref().map_or(0, |st| st.replicas),
            selector: Some(selector),
        }),
    }
}

/// GET statefulsets/NAME/scale.
pub fn get_scale(api: &Api, ns: &str, name: &str) -> Resp {
    match lock(&api.cluster).store.get_typed::<StatefulSet>(ns, name) {
        Some(s) => json(StatusCode::OK, &scale_of(&s)),
        None => not_found(Kind::StatefulSet, name),
    }
}

/// PATCH or PUT on statefulsets/NAME/scale.
pub fn change_scale(api: &Api, req: &Req, ns: &str, name: &str) -> Resp {
    let mut cluster = lock(&api.cluster);
    let Some(s) = cluster.store.get_typed::<StatefulSet>(ns, name) else {
        return not_found(Kind::StatefulSet, name);
    };
    let current = serde_json::to_value(scale_of(&s)).unwrap_or(Value::Null);
    let wanted = if req.method == hyper::Method::PUT {
        serde_json::from_slice::<Value>(&req.body)
            .map_err(|e| format!("the body is not valid JSON: {e}"))
    } else {
        let ptype = req
            .header("content-type")
            .and_then(PatchType::from_content_type)
            .unwrap_or(PatchType::Merge);
        patch::apply(&current, ptype, &req.body)
    };
    let wanted = match wanted {
        Ok(v) => v,
        Err(e) => return invalid(Kind::StatefulSet, name, &[e]),
    };
    if let Some(rv) = precondition(&wanted)
        && Some(rv.as_str()) != s.metadata.resource_version.as_deref()
    {
        return conflict(Kind::StatefulSet, name);
    }
    let replicas = match wanted.pointer("/spec/replicas").map(Value::as_i64) {
        Some(Some(n)) => n,
        _ => {
            return invalid(
                Kind::StatefulSet,
                name,
                &["spec.replicas: Required value".to_string()],
            );
        }
    };
    if replicas < 0 || replicas > i64::from(i32::MAX) {
        return status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            format!(
                "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            ),
            Some((name, "autoscaling", "Scale")),
        );
    }
    let old = s.clone().wrap();
    let mut updated = s;
    updated.spec.replicas = Some(replicas as i32);
    let mut obj = updated.wrap();
    generation(&mut obj, Some(&old));
    if dry_run(req)
        && let Obj::StatefulSet(s) = &obj
    {
        return json(StatusCode::OK, &scale_of(s));
    }
    let stored = cluster.store.put(obj);
    match &*stored {
        Obj::StatefulSet(s) => json(StatusCode::OK, &scale_of(s)),
        _ => json(StatusCode::OK, &BTreeMap::<String, String>::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sts(value: Value) -> Obj {
        Obj::StatefulSet(serde_json::from_value(value).unwrap())
    }

    fn minimal() -> Value {
        json!({
            "metadata": {"name": "db", "namespace": "ns"},
            "spec": {
                "selector": {"matchLabels": {"app": "db"}},
                "serviceName": "db",
                "template": {
                    "metadata": {"labels": {"app": "db"}},
                    "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}
                }
            }
        })
    }

    #[test]
    fn a_statefulset_gets_the_api_servers_defaults() {
        let mut obj = sts(minimal());
        let mut causes = Vec::new();
        validate(&mut obj, None, &mut causes);
        assert!(causes.is_empty(), "{causes:?}");
        generation(&mut obj, None);
        let v = obj.to_value();
        assert_eq!(
            v["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        );
        assert_eq!(v["spec"]["podManagementPolicy"], "OrderedReady");
        assert_eq!(v["spec"]["replicas"], 1);
        assert_eq!(v["spec"]["revisionHistoryLimit"], 10);
        assert_eq!(
            v["spec"]["persistentVolumeClaimRetentionPolicy"],
            json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
        );
        let container = &v["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["imagePullPolicy"], "IfNotPresent");
        assert_eq!(container["terminationMessagePolicy"], "File");
        assert_eq!(v["metadata"]["generation"], 1);

        // A changed spec bumps the generation; the selector cannot change.
        let old = obj.clone();
        if let Obj::StatefulSet(s) = &mut obj {
            s.spec.replicas = Some(3);
        }
        generation(&mut obj, Some(&old));
        assert_eq!(obj.meta().generation, Some(2));
        if let Obj::StatefulSet(s) = &mut obj {
            s.spec.service_name = Some("other".into());
        }
        let mut causes = Vec::new();
        validate(&mut obj, Some(&old), &mut causes);
        assert!(causes[0].starts_with("spec: Forbidden"), "{causes:?}");
    }

    #[test]
    fn on_delete_keeps_no_rolling_update_and_a_daemonset_counts_template_changes() {
        let mut value = minimal();
        value["spec"]["updateStrategy"] = json!({"type": "OnDelete"});
        let mut obj = sts(value);
        let mut causes = Vec::new();
        validate(&mut obj, None, &mut causes);
        assert!(causes.is_empty(), "{causes:?}");
        assert_eq!(
            obj.to_value()["spec"]["updateStrategy"],
            json!({"type": "OnDelete"})
        );

        let mut ds = minimal();
        ds["spec"].as_object_mut().unwrap().remove("serviceName");
        let mut obj = Obj::DaemonSet(serde_json::from_value(ds).unwrap());
        let mut causes = Vec::new();
        validate(&mut obj, None, &mut causes);
        assert!(causes.is_empty(), "{causes:?}");
        generation(&mut obj, None);
        let v = obj.to_value();
        assert_eq!(
            v["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
        assert_eq!(v["metadata"]["annotations"][TEMPLATE_GENERATION], "1");
        // A strategy change bumps the generation only; a template change both.
        let old = obj.clone();
        if let Obj::DaemonSet(d) = &mut obj {
            d.spec.min_ready_seconds = Some(5);
        }
        generation(&mut obj, Some(&old));
        assert_eq!(obj.meta().generation, Some(2));
        assert_eq!(
            obj.meta().annotations.as_ref().unwrap()[TEMPLATE_GENERATION],
            "1"
        );
        let old = obj.clone();
        if let Obj::DaemonSet(d) = &mut obj {
            d.spec.template.spec.as_mut().unwrap().containers[0].image = Some("postgres:17".into());
        }
        generation(&mut obj, Some(&old));
        assert_eq!(obj.meta().generation, Some(3));
        assert_eq!(
            obj.meta().annotations.as_ref().unwrap()[TEMPLATE_GENERATION],
            "2"
        );
    }
}
