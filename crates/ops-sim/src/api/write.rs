//! Mutations: create, patch (three kinds), update, delete, and the scale
//! subresource. Every one is validated, honours `dryRun=All`, and checks a
//! given resourceVersion (409 Conflict when stale).

use std::collections::BTreeMap;

use hyper::StatusCode;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec, ScaleStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::{Api, not_found, status};
use crate::cluster::{Cluster, lock};
use crate::controller::admission::default_deployment;
use crate::controller::delete_pod;
use crate::http::{Req, Resp, json};
use crate::patch::{self, PatchType};
use crate::store::{Kind, Obj, Typed};

/// `dryRun=All` in the query, or (for DELETE) in the DeleteOptions body.
pub(super) fn dry_run(req: &Req) -> bool {
    if req.param("dryRun").is_some_and(|d| d == "All") {
        return true;
    }
    req.method == hyper::Method::DELETE
        && serde_json::from_slice::<Value>(&req.body)
            .ok()
            .and_then(|v| v.get("dryRun").cloned())
            .and_then(|d| d.as_array().cloned())
            .is_some_and(|d| d.iter().any(|x| x == "All"))
}

/// 422 Invalid: the message, and the details kubectl prints (`The Job
/// "x" is invalid: field: reason`), as the real API server words them.
pub(super) fn invalid(kind: Kind, name: &str, causes: &[String]) -> Resp {
    let group = match kind.group() {
        "" => String::new(),
        g => format!(".{g}"),
    };
    let listed = match causes {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let mut resp_causes = Vec::new();
    for cause in causes {
        let (field, message) = cause.split_once(": ").unwrap_or(("", cause.as_str()));
        let reason = match message {
            m if m.starts_with("Required value") => "FieldValueRequired",
            m if m.starts_with("Unsupported value") => "FieldValueNotSupported",
            m if m.starts_with("Forbidden") => "FieldValueForbidden",
            _ => "FieldValueInvalid",
        };
        resp_causes.push(serde_json::json!({"reason": reason, "message": message, "field": field}));
    }
    let mut body = serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("{}{group} \"{name}\" is invalid: {listed}", kind.name()),
        "reason": "Invalid",
        "details": {"name": name, "group": kind.group(), "kind": kind.name(), "causes": resp_causes},
        "code": 422,
    });
    if causes.is_empty() {
        body["details"]["causes"] = serde_json::Value::Null;
    }
    json(StatusCode::UNPROCESSABLE_ENTITY, &body)
}

pub(super) fn conflict(kind: Kind, name: &str) -> Resp {
    status(
        StatusCode::CONFLICT,
        "Conflict",
        format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            kind.qualified()
        ),
        Some((name, kind.group(), kind.plural())),
    )
}

fn bad_request(message: String) -> Resp {
    status(StatusCode::BAD_REQUEST, "BadRequest", message, None)
}

/// A create or update's body: JSON, or the protobuf encoding that
/// clients generated for built-in resources send.
fn body(req: &Req, kind: Kind) -> Result<Value, Box<Resp>> {
    let read = if super::proto::is_protobuf(req.header("content-type")) {
        super::proto::decode(&req.body, kind)
            .map_err(|e| format!("the body is not a protobuf {}: {e}", kind.name()))
    } else {
        serde_json::from_slice(&req.body).map_err(|e| format!("the body is not valid JSON: {e}"))
    };
    read.map_err(|e| Box::new(bad_request(e)))
}

/// What a resource accepts, and its defaults.
fn validate(obj: &mut Obj, old: Option<&Obj>) -> Result<(), Vec<String>> {
    let mut causes = Vec::new();
    if let Obj::Deployment(d) = obj {
        let spec = &mut d.spec;
        default_deployment(spec);
        let replicas = spec.replicas.unwrap_or(1);
        if replicas < 0 {
            causes.push(format!(
                "spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            ));
        }
        let labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        let selector = spec.selector.match_labels.clone().unwrap_or_default();
        if selector.is_empty() {
            causes.push("spec.selector: Required value".to_string());
        } else if selector.iter().any(|(k, v)| labels.get(k) != Some(v)) {
            causes.push(format!(
                "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                serde_json::to_string(&labels).unwrap_or_default()
            ));
        }
        let containers = spec
            .template
            .spec
            .as_ref()
            .map_or(0, |s| s.containers.len());
        if containers == 0 {
            causes.push("spec.template.spec.containers: Required value".to_string());
        }
        if let Some(Obj::Deployment(old)) = old
            && old.spec.selector != spec.selector
        {
            causes.push("spec.selector: Invalid value: field is immutable".to_string());
        }
    }
    super::apps::validate(obj, old, &mut causes);
    if obj.name().is_empty() {
        causes.push("metadata.name: Required value: name or generateName is required".to_string());
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(causes)
    }
}

/// Validates and, unless dry-running, stores a changed object. Spec changes
/// bump metadata.generation.
fn commit(
    cluster: &mut Cluster,
    mut obj: Obj,
    old: Option<&Obj>,
    dry: bool,
    created: bool,
) -> Resp {
    let kind = obj.kind();
    let name = obj.name().to_string();
    let causes = super::batch::admit(&mut cluster.store, &mut obj, old);
    if !causes.is_empty() {
        return invalid(kind, &name, &causes);
    }
    if let Err(causes) = validate(&mut obj, old) {
        return invalid(kind, &name, &causes);
    }
    if let Obj::Deployment(d) = &mut obj {
        let spec_changed = match old {
            Some(Obj::Deployment(o)) => o.spec != d.spec,
            _ => true,
        };
        let previous = old.and_then(|o| o.meta().generation).unwrap_or(0);
        d.metadata.generation = Some(if spec_changed {
            previous + 1
        } else {
            previous.max(1)
        });
    }
    super::apps::generation(&mut obj, old);
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    if dry {
        return json(code, &obj);
    }
    let stored = cluster.store.put(obj);
    json(code, &*stored)
}

pub fn create(api: &Api, req: &Req, kind: Kind, ns: &str) -> Resp {
    if matches!(
        kind,
        Kind::Pod | Kind::ReplicaSet | Kind::ControllerRevision | Kind::Node
    ) {
        return super::status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("the simulator does not create {}", kind.plural()),
            None,
        );
    }
    let value = match body(req, kind) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let mut obj = match Obj::from_value(kind, value) {
        Ok(o) => o,
        Err(e) => return bad_request(format!("the body is not a {}: {e}", kind.name())),
    };
    let meta = obj.meta_mut();
    if kind.namespaced() {
        meta.namespace = Some(ns.to_string());
    }
    meta.resource_version = None;
    meta.uid = None;
    meta.creation_timestamp = None;
    store_string_data(&mut obj);
    let name = obj.name().to_string();
    let mut cluster = lock(&api.cluster);
    if cluster.store.get(kind, obj.namespace(), &name).is_some() {
        return status(
            StatusCode::CONFLICT,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", kind.qualified()),
            Some((&name, kind.group(), kind.plural())),
        );
    }
    if kind.namespaced()
        && cluster.store.get(Kind::Namespace, ns, ns).is_none()
        && cluster.store.get(Kind::Namespace, "", ns).is_none()
    {
        return not_found(Kind::Namespace, ns);
    }
    commit(&mut cluster, obj, None, dry_run(req), true)
}

/// A Secret's `stringData` goes into `data`, as the API server stores
/// it (write-only: it is never read back).
fn store_string_data(obj: &mut Obj) {
    if let Obj::Secret(s) = obj
        && let Some(strings) = s.string_data.take()
    {
        let data = s.data.get_or_insert_with(Default::default);
        for (k, v) in strings {
            data.insert(k, k8s_openapi::ByteString(v.into_bytes()));
        }
    }
}

/// The resourceVersion a request body asks to update from, if any.
pub(super) fn precondition(value: &Value) -> Option<String> {
    value
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(String::from)
}

pub fn patch(api: &Api, req: &Req, kind: Kind, ns: &str, name: &str) -> Resp {
    let Some(ptype) = req
        .header("content-type")
        .and_then(PatchType::from_content_type)
    else {
        return status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json".to_string(),
            None,
        );
    };
    let mut cluster = lock(&api.cluster);
    let Some(current) = cluster.store.get(kind, ns, name) else {
        return not_found(kind, name);
    };
    let doc = current.to_value();
    let patched = match patch::apply(&doc, ptype, &req.body) {
        Ok(v) => v,
        Err(e) => return invalid(kind, name, &[e]),
    };
    let asked_rv = precondition(&patched).filter(|rv| {
        Some(rv)
            != doc
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .map(String::from)
                .as_ref()
    });
    if asked_rv.is_some() {
        return conflict(kind, name);
    }
    let mut obj = match Obj::from_value(kind, patched) {
        Ok(o) => o,
        Err(e) => return invalid(kind, name, &[e.to_string()]),
    };
    keep_identity(&mut obj, &current);
    store_string_data(&mut obj);
    commit(&mut cluster, obj, Some(&current), dry_run(req), false)
}

/// Name, namespace, uid and creation time cannot change; status is the
/// controller's.
fn keep_identity(obj: &mut Obj, current: &Obj) {
    let cm = current.meta().clone();
    let m = obj.meta_mut();
    m.name = cm.name;
    m.namespace = cm.namespace;
    m.uid = cm.uid;
    m.creation_timestamp = cm.creation_timestamp;
    m.resource_version = cm.resource_version;
    m.generation = cm.generation;
    match (obj, current) {
        (Obj::Deployment(d), Obj::Deployment(c)) => d.status = c.status.clone(),
        (Obj::Pod(p), Obj::Pod(c)) => p.status = c.status.clone(),
        (Obj::Node(n), Obj::Node(c)) => n.status = c.status.clone(),
        (Obj::Service(s), Obj::Service(c)) => s.status = c.status.clone(),
        (Obj::StatefulSet(s), Obj::StatefulSet(c)) => s.status = c.status.clone(),
        (Obj::DaemonSet(d), Obj::DaemonSet(c)) => d.status = c.status.clone(),
        (Obj::Job(j), Obj::Job(c)) => j.status = c.status.clone(),
        (Obj::CronJob(j), Obj::CronJob(c)) => j.status = c.status.clone(),
        (Obj::HorizontalPodAutoscaler(h), Obj::HorizontalPodAutoscaler(c)) => {
            h.status = c.status.clone()
        }
        _ => {}
    }
}

pub fn update(api: &Api, req: &Req, kind: Kind, ns: &str, name: &str) -> Resp {
    let value = match body(req, kind) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let mut cluster = lock(&api.cluster);
    let Some(current) = cluster.store.get(kind, ns, name) else {
        return not_found(kind, name);
    };
    if let Some(rv) = precondition(&value)
        && Some(rv.as_str()) != current.meta().resource_version.as_deref()
    {
        return conflict(kind, name);
    }
    let mut obj = match Obj::from_value(kind, value) {
        Ok(o) => o,
        Err(e) => return invalid(kind, name, &[e.to_string()]),
    };
    if obj.name() != name {
        return bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            obj.name()
        ));
    }
    keep_identity(&mut obj, &current);
    store_string_data(&mut obj);
    commit(&mut cluster, obj, Some(&current), dry_run(req), false)
}

pub fn delete(api: &Api, req: &Req, kind: Kind, ns: &str, name: &str) -> Resp {
    let dry = dry_run(req);
    let mut cluster = lock(&api.cluster);
    let Some(current) = cluster.store.get(kind, ns, name) else {
        return not_found(kind, name);
    };
    if kind == Kind::Node {
        return status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the simulator does not delete nodes".into(),
            None,
        );
    }
    // DeleteOptions' preconditions, as the API server checks them: the
    // object must still be the one the client saw.
    let options: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let meta = current.meta();
    for (field, have) in [
        ("uid", meta.uid.as_deref()),
        ("resourceVersion", meta.resource_version.as_deref()),
    ] {
        if let Some(want) = options
            .pointer(&format!("/preconditions/{field}"))
            .and_then(Value::as_str)
            && Some(want) != have
        {
            let label = if field == "uid" {
                "UID"
            } else {
                "ResourceVersion"
            };
            return status(
                StatusCode::CONFLICT,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: {label} in precondition: {want}, {label} in object meta: {}",
                    kind.qualified(),
                    have.unwrap_or_default()
                ),
                Some((name, kind.group(), kind.plural())),
            );
        }
    }
    if dry {
        return json(StatusCode::OK, &*current);
    }
    match &*current {
        // A pod goes through its grace period; its ReplicaSet replaces it.
        Obj::Pod(p) => {
            delete_pod(&mut cluster, p);
            let after = cluster.store.get(kind, ns, name).unwrap_or(current.clone());
            json(StatusCode::OK, &*after)
        }
        Obj::Deployment(d) => {
            let uid = d.metadata.uid.clone().unwrap_or_default();
            cascade(&mut cluster, ns, &uid);
            cluster.store.delete(kind, ns, name);
            json(StatusCode::OK, &*current)
        }
        // The garbage collector removes what they own.
        Obj::StatefulSet(_) | Obj::DaemonSet(_) => {
            let uid = current.meta().uid.clone().unwrap_or_default();
            super::apps::cascade(&mut cluster, ns, &uid);
            cluster.store.delete(kind, ns, name);
            json(StatusCode::OK, &*current)
        }
        // A Job's pods, a CronJob's Jobs: deleted in the background.
        Obj::Job(_) => {
            crate::controller::delete_job(&mut cluster, ns, name);
            json(StatusCode::OK, &*current)
        }
        Obj::CronJob(_) => {
            crate::controller::delete_cronjob(&mut cluster, ns, name);
            json(StatusCode::OK, &*current)
        }
        _ => {
            cluster.store.delete(kind, ns, name);
            json(StatusCode::OK, &*current)
        }
    }
}

/// Deletes a Deployment's ReplicaSets and their pods.
fn cascade(cluster: &mut Cluster, ns: &str, uid: &str) {
    for rs in cluster.store.list(Kind::ReplicaSet, Some(ns)) {
        if !crate::controller::owned_by(rs.meta(), uid) {
            continue;
        }
        let rs_uid = rs.meta().uid.clone().unwrap_or_default();
        for pod in cluster.store.list(Kind::Pod, Some(ns)) {
            if crate::controller::owned_by(pod.meta(), &rs_uid)
                && let Some(p) = Pod::peek(&pod)
            {
                let p = p.clone();
                delete_pod(cluster, &p);
            }
        }
        cluster.store.delete(Kind::ReplicaSet, ns, rs.name());
    }
}

fn scale_of(d: &Deployment) -> Scale {
    let selector = d
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
            name: d.metadata.name.clone(),
            namespace: d.metadata.namespace.clone(),
            uid: d.metadata.uid.clone(),
            resource_version: d.metadata.resource_version.clone(),
            creation_timestamp: d.metadata.creation_timestamp.clone(),
            ..ObjectMeta::default()
        },
        spec: Some(ScaleSpec {
            replicas: d.spec.replicas,
        }),
        status: Some(ScaleStatus {
            replicas: d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0),
            selector: Some(selector),
        }),
    }
}

pub fn get_scale(api: &Api, ns: &str, name: &str) -> Resp {
    match lock(&api.cluster).store.get_typed::<Deployment>(ns, name) {
        Some(d) => json(StatusCode::OK, &scale_of(&d)),
        None => not_found(Kind::Deployment, name),
    }
}

/// PATCH or PUT on deployments/NAME/scale.
pub fn change_scale(api: &Api, req: &Req, ns: &str, name: &str) -> Resp {
    let mut cluster = lock(&api.cluster);
    let Some(d) = cluster.store.get_typed::<Deployment>(ns, name) else {
        return not_found(Kind::Deployment, name);
    };
    let current = serde_json::to_value(scale_of(&d)).unwrap_or(Value::Null);
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
        Err(e) => return invalid(Kind::Deployment, name, &[e]),
    };
    if let Some(rv) = precondition(&wanted)
        && Some(rv.as_str()) != d.metadata.resource_version.as_deref()
    {
        return conflict(Kind::Deployment, name);
    }
    let replicas = match wanted.pointer("/spec/replicas").map(Value::as_i64) {
        Some(Some(n)) => n,
        _ => {
            return invalid(
                Kind::Deployment,
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
    let old = d.clone().wrap();
    let mut updated = d;
    updated.spec.replicas = Some(replicas as i32);
    let dry = dry_run(req);
    let mut obj = updated.wrap();
    let _ = validate(&mut obj, Some(&old));
    if let Obj::Deployment(d) = &mut obj {
        d.metadata.generation = Some(d.metadata.generation.unwrap_or(1) + 1);
    }
    if dry && let Obj::Deployment(d) = &obj {
        return json(StatusCode::OK, &scale_of(d));
    }
    let stored = cluster.store.put(obj);
    match &*stored {
        Obj::Deployment(d) => json(StatusCode::OK, &scale_of(d)),
        _ => json(StatusCode::OK, &BTreeMap::<String, String>::new()),
    }
}
