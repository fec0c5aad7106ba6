//! Server-side printing: the `Table` answers kubectl asks for
//! (`Accept: application/json;as=Table;...`), with the columns a real API
//! server gives each resource.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::store::Obj;

/// Whether the client asked for a Table.
pub fn wanted(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| a.contains("as=Table"))
}

/// kubectl's HumanDuration.
pub fn age(since: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> String {
    let Some(t) = since else {
        return "<unknown>".into();
    };
    let secs = (jiff::Timestamp::now().as_second() - t.0.as_second()).max(0);
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    match () {
        _ if secs < 120 => format!("{secs}s"),
        _ if m < 10 => format!("{m}m{}s", secs % 60),
        _ if m < 180 => format!("{m}m"),
        _ if h < 8 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 => format!("{d}d{}h", h % 24),
        _ if d < 730 => format!("{d}d"),
        _ => format!("{}y{}d", d / 365, d % 365),
    }
}

fn col(name: &str, type_: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": type_, "format": format, "description": "", "priority": priority})
}

fn columns(obj_kind: &str) -> Vec<Value> {
    match obj_kind {
        "Deployment" => vec![
            col("Name", "string", 0),
            col("Ready", "string", 0),
            col("Up-to-date", "integer", 0),
            col("Available", "integer", 0),
            col("Age", "string", 0),
            col("Containers", "string", 1),
            col("Images", "string", 1),
            col("Selector", "string", 1),
        ],
        "ReplicaSet" => vec![
            col("Name", "string", 0),
            col("Desired", "integer", 0),
            col("Current", "integer", 0),
            col("Ready", "integer", 0),
            col("Age", "string", 0),
            col("Containers", "string", 1),
            col("Images", "string", 1),
            col("Selector", "string", 1),
        ],
        "Pod" => vec![
            col("Name", "string", 0),
            col("Ready", "string", 0),
            col("Status", "string", 0),
            col("Restarts", "string", 0),
            col("Age", "string", 0),
            col("IP", "string", 1),
            col("Node", "string", 1),
        ],
        "Service" => vec![
            col("Name", "string", 0),
            col("Type", "string", 0),
            col("Cluster-IP", "string", 0),
            col("External-IP", "string", 0),
            col("Port(s)", "string", 0),
            col("Age", "string", 0),
            col("Selector", "string", 1),
        ],
        "Event" => vec![
            col("Last Seen", "string", 0),
            col("Type", "string", 0),
            col("Reason", "string", 0),
            col("Object", "string", 0),
            col("Message", "string", 0),
        ],
        "StatefulSet" => vec![
            col("Name", "string", 0),
            col("Ready", "string", 0),
            col("Age", "string", 0),
            col("Containers", "string", 1),
            col("Images", "string", 1),
        ],
        "DaemonSet" => vec![
            col("Name", "string", 0),
            col("Desired", "integer", 0),
            col("Current", "integer", 0),
            col("Ready", "integer", 0),
            col("Up-to-date", "integer", 0),
            col("Available", "integer", 0),
            col("Node Selector", "string", 0),
            col("Age", "string", 0),
            col("Containers", "string", 1),
            col("Images", "string", 1),
            col("Selector", "string", 1),
        ],
        "ControllerRevision" => vec![
            col("Name", "string", 0),
            col("Controller", "string", 0),
            col("Revision", "integer", 0),
            col("Age", "string", 0),
        ],
        _ => vec![
            col("Name", "string", 0),
            col("Status", "string", 0),
            col("Age", "string", 0),
        ],
    }
}

fn join_labels(map: Option<&std::collections::BTreeMap<String, String>>) -> String {
    map.map(|m| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    })
    .filter(|s| !s.is_empty())
    .unwrap_or_else(|| "<none>".into())
}

fn containers(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> (String, String) {
    let cs = spec.map(|s| s.containers.as_slice()).unwrap_or(&[]);
    (
        cs.iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .filter_map(|c| c.image.clone())
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// The STATUS column of `kubectl get pods`.
pub fn pod_status(p: &k8s_openapi::api::core::v1::Pod) -> String {
    if p.metadata.deletion_timestamp.is_some() {
        return "Terminating".into();
    }
    let status = p.status.as_ref();
    let waiting = status
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| {
            cs.iter()
                .find_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
        });
    if let Some(reason) = waiting {
        return reason;
    }
    let phase = status
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    let scheduled = p.spec.as_ref().is_some_and(|s| s.node_name.is_some());
    if phase == "Pending" && scheduled {
        return "ContainerCreating".into();
    }
    phase
}

fn cells(obj: &Obj) -> Vec<Value> {
    let age_of = age(obj.meta().creation_timestamp.as_ref());
    match obj {
        Obj::Deployment(d) => {
            let s = d.status.clone().unwrap_or_default();
            let want = d.spec.replicas.unwrap_or(1);
            let (names, images) = containers(d.spec.template.spec.as_ref());
            vec![
                json!(obj.name()),
                json!(format!("{}/{want}", s.ready_replicas.unwrap_or(0))),
                json!(s.updated_replicas.unwrap_or(0)),
                json!(s.available_replicas.unwrap_or(0)),
                json!(age_of),
                json!(names),
                json!(images),
                json!(join_labels(d.spec.selector.match_labels.as_ref())),
            ]
        }
        Obj::ReplicaSet(rs) => {
            let s = rs.status.clone().unwrap_or_default();
            let (names, images) =
                containers(rs.spec.template.as_ref().and_then(|t| t.spec.as_ref()));
            vec![
                json!(obj.name()),
                json!(rs.spec.replicas.unwrap_or(0)),
                json!(s.replicas),
                json!(s.ready_replicas.unwrap_or(0)),
                json!(age_of),
                json!(names),
                json!(images),
                json!(join_labels(rs.spec.selector.match_labels.as_ref())),
            ]
        }
        Obj::Pod(p) => {
            let statuses = p
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.clone())
                .unwrap_or_default();
            let total = p.spec.as_ref().map_or(0, |s| s.containers.len());
            let ready = statuses.iter().filter(|c| c.ready).count();
            let restarts: i32 = statuses.iter().map(|c| c.restart_count).sum();
            let last = statuses
                .iter()
                .filter_map(|c| {
                    c.last_state
                        .as_ref()?
                        .terminated
                        .as_ref()?
                        .finished_at
                        .clone()
                })
                .max_by_key(|t| t.0);
            let restarts = match (restarts, last) {
                (n, Some(t)) if n > 0 => format!("{n} ({} ago)", age(Some(&t))),
                (n, _) => n.to_string(),
            };
            vec![
                json!(obj.name()),
                json!(format!("{ready}/{total}")),
                json!(pod_status(p)),
                json!(restarts),
                json!(age_of),
                json!(
                    p.status
                        .as_ref()
                        .and_then(|s| s.pod_ip.clone())
                        .unwrap_or_else(|| "<none>".into())
                ),
                json!(
                    p.spec
                        .as_ref()
                        .and_then(|s| s.node_name.clone())
                        .unwrap_or_else(|| "<none>".into())
                ),
            ]
        }
        Obj::Service(s) => {
            let spec = s.spec.clone().unwrap_or_default();
            let ports = spec
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    format!(
                        "{}/{}",
                        p.port,
                        p.protocol.clone().unwrap_or_else(|| "TCP".into())
                    )
                })
                .collect::<Vec<_>>()
                .join(",");
            vec![
                json!(obj.name()),
                json!(spec.type_.unwrap_or_else(|| "ClusterIP".into())),
                json!(spec.cluster_ip.unwrap_or_else(|| "None".into())),
                json!("<none>"),
                json!(ports),
                json!(age_of),
                json!(join_labels(spec.selector.as_ref())),
            ]
        }
        Obj::Event(e) => {
            let io = &e.involved_object;
            vec![
                json!(age(e
                    .last_timestamp
                    .as_ref()
                    .or(e.first_timestamp.as_ref()))),
                json!(e.type_.clone().unwrap_or_default()),
                json!(e.reason.clone().unwrap_or_default()),
                json!(format!(
                    "{}/{}",
                    io.kind.clone().unwrap_or_default().to_lowercase(),
                    io.name.clone().unwrap_or_default()
                )),
                json!(e.message.clone().unwrap_or_default()),
            ]
        }
        Obj::Namespace(n) => vec![
            json!(obj.name()),
            json!(
                n.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_else(|| "Active".into())
            ),
            json!(age_of),
        ],
        Obj::StatefulSet(s) => {
            let ready = s
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0);
            let (names, images) = containers(s.spec.template.spec.as_ref());
            vec![
                json!(obj.name()),
                json!(format!("{ready}/{}", s.spec.replicas.unwrap_or(1))),
                json!(age_of),
                json!(names),
                json!(images),
            ]
        }
        Obj::DaemonSet(d) => {
            let s = d.status.clone().unwrap_or_default();
            let (names, images) = containers(d.spec.template.spec.as_ref());
            vec![
                json!(obj.name()),
                json!(s.desired_number_scheduled),
                json!(s.current_number_scheduled),
                json!(s.number_ready),
                json!(s.updated_number_scheduled.unwrap_or(0)),
                json!(s.number_available.unwrap_or(0)),
                json!(join_labels(
                    d.spec
                        .template
                        .spec
                        .as_ref()
                        .and_then(|s| s.node_selector.as_ref())
                )),
                json!(age_of),
                json!(names),
                json!(images),
                json!(join_labels(d.spec.selector.match_labels.as_ref())),
            ]
        }
        Obj::ControllerRevision(r) => {
            // The controller as kubectl names resources: kind.group/name.
            let controller = r
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
                .map_or_else(
                    || "<none>".to_string(),
                    |o| {
                        let group = o.api_version.rsplit_once('/').map_or("", |(g, _)| g);
                        let kind = o.kind.to_lowercase();
                        match group {
                            "" => format!("{kind}/{}", o.name),
                            g => format!("{kind}.{g}/{}", o.name),
                        }
                    },
                );
            vec![
                json!(obj.name()),
                json!(controller),
                json!(r.revision.unwrap_or(0)),
                json!(age_of),
            ]
        }
        // Kinds without columns of their own yet: name, no status, age.
        _ => vec![json!(obj.name()), json!(""), json!(age_of)],
    }
}

/// A Table of `items`; each row carries the object's metadata (or the whole
/// object with `includeObject=Object`).
pub fn table(kind_name: &str, items: &[&Arc<Obj>], rv: u64, include_object: bool) -> Value {
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let object = if include_object {
                o.to_value()
            } else {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o.meta()})
            };
            json!({"cells": cells(o), "object": object})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": columns(kind_name),
        "rows": rows
    })
}
