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
        "Node" => vec![
            col("Name", "string", 0),
            col("Status", "string", 0),
            col("Roles", "string", 0),
            col("Age", "string", 0),
            col("Version", "string", 0),
            col("Internal-IP", "string", 1),
            col("External-IP", "string", 1),
            col("OS-Image", "string", 1),
            col("Kernel-Version", "string", 1),
            col("Container-Runtime", "string", 1),
        ],
        "Lease" => vec![
            col("Name", "string", 0),
            col("Holder", "string", 0),
            col("Age", "string", 0),
        ],
        "ConfigMap" => vec![
            col("Name", "string", 0),
            col("Data", "string", 0),
            col("Age", "string", 0),
        ],
        "Secret" => vec![
            col("Name", "string", 0),
            col("Type", "string", 0),
            col("Data", "string", 0),
            col("Age", "string", 0),
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
        "Job" => vec![
            col("Name", "string", 0),
            col("Status", "string", 0),
            col("Completions", "string", 0),
            col("Duration", "string", 0),
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
        "CronJob" => vec![
            col("Name", "string", 0),
            col("Schedule", "string", 0),
            col("Timezone", "string", 0),
            col("Suspend", "boolean", 0),
            col("Active", "integer", 0),
            col("Last Schedule", "string", 0),
            col("Age", "string", 0),
            col("Containers", "string", 1),
            col("Images", "string", 1),
            col("Selector", "string", 1),
        ],
        "HorizontalPodAutoscaler" => vec![
            col("Name", "string", 0),
            col("Reference", "string", 0),
            col("Targets", "string", 0),
            col("MinPods", "string", 0),
            col("MaxPods", "string", 0),
            col("Replicas", "string", 0),
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
    let status = p.status.as_ref();
    let phase = status
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    // A pod that ran to its end keeps showing how it ended, even while it
    // is being deleted.
    let terminal = phase == "Succeeded" || phase == "Failed";
    if p.metadata.deletion_timestamp.is_some() && !terminal {
        return "Terminating".into();
    }
    let waiting = status
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| {
            cs.iter().find_map(|c| {
                let state = c.state.as_ref()?;
                if let Some(w) = &state.waiting {
                    return w.reason.clone();
                }
                let t = state.terminated.as_ref()?;
                Some(t.reason.clone().unwrap_or_else(|| match t.signal {
                    Some(s) if s != 0 => format!("Signal:{s}"),
                    _ => format!("ExitCode:{}", t.exit_code),
                }))
            })
        });
    if let Some(reason) = waiting {
        return reason;
    }
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
        Obj::Lease(l) => vec![
            json!(obj.name()),
            json!(
                l.spec
                    .as_ref()
                    .and_then(|s| s.holder_identity.clone())
                    .unwrap_or_default()
            ),
            json!(age_of),
        ],
        Obj::ConfigMap(c) => vec![
            json!(obj.name()),
            json!(
                c.data.as_ref().map_or(0, |d| d.len())
                    + c.binary_data.as_ref().map_or(0, |d| d.len())
            ),
            json!(age_of),
        ],
        Obj::Secret(s) => vec![
            json!(obj.name()),
            json!(s.type_.clone().unwrap_or_else(|| "Opaque".into())),
            json!(s.data.as_ref().map_or(0, |d| d.len())),
            json!(age_of),
        ],
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
        Obj::Node(n) => node_cells(n, age_of),
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
        Obj::Job(j) => {
            let spec = j.spec.clone().unwrap_or_default();
            let (names, images) = containers(spec.template.spec.as_ref());
            vec![
                json!(obj.name()),
                json!(job_status(j)),
                json!(job_completions(j)),
                json!(job_duration(j)),
                json!(age_of),
                json!(names),
                json!(images),
                json!(format_selector(spec.selector.as_ref())),
            ]
        }
        Obj::CronJob(c) => {
            let spec = &c.spec;
            let status = c.status.clone().unwrap_or_default();
            let job = spec.job_template.spec.clone().unwrap_or_default();
            let (names, images) = containers(job.template.spec.as_ref());
            let suspend = match spec.suspend {
                Some(true) => "True",
                Some(false) => "False",
                None => "<unset>",
            };
            vec![
                json!(obj.name()),
                json!(spec.schedule),
                json!(spec.time_zone.clone().unwrap_or_else(|| "<none>".into())),
                json!(suspend),
                json!(status.active.as_ref().map_or(0, Vec::len)),
                json!(
                    status
                        .last_schedule_time
                        .as_ref()
                        .map_or_else(|| "<none>".to_string(), |t| age(Some(t)))
                ),
                json!(age_of),
                json!(names),
                json!(images),
                json!(format_selector(job.selector.as_ref())),
            ]
        }
        Obj::HorizontalPodAutoscaler(h) => {
            let r = &h.spec.scale_target_ref;
            let status = h.status.clone().unwrap_or_default();
            vec![
                json!(obj.name()),
                json!(format!("{}/{}", r.kind, r.name)),
                json!(hpa_targets(h)),
                json!(
                    h.spec
                        .min_replicas
                        .map_or_else(|| "<unset>".to_string(), |m| m.to_string())
                ),
                json!(h.spec.max_replicas),
                json!(status.current_replicas.unwrap_or(0)),
                json!(age_of),
            ]
        }
    }
}

/// The row of `kubectl get nodes`: STATUS is `Ready` or `NotReady` (or
/// `Unknown`), with `,SchedulingDisabled` when cordoned; ROLES from the
/// `node-role.kubernetes.io/` labels.
fn node_cells(n: &k8s_openapi::api::core::v1::Node, age_of: String) -> Vec<Value> {
    let status = n.status.clone().unwrap_or_default();
    let mut state: Vec<String> = status
        .conditions
        .iter()
        .flatten()
        .filter(|c| c.type_ == "Ready")
        .map(|c| {
            if c.status == "True" {
                "Ready".to_string()
            } else {
                "NotReady".to_string()
            }
        })
        .collect();
    if state.is_empty() {
        state.push("Unknown".into());
    }
    if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        state.push("SchedulingDisabled".into());
    }
    let mut roles: Vec<String> = n
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, v)| match k.strip_prefix("node-role.kubernetes.io/") {
            Some(role) if !role.is_empty() => Some(role.to_string()),
            _ if k == "kubernetes.io/role" && !v.is_empty() => Some(v.clone()),
            _ => None,
        })
        .collect();
    roles.sort();
    roles.dedup();
    let address = |t: &str| {
        status
            .addresses
            .iter()
            .flatten()
            .find(|a| a.type_ == t)
            .map_or_else(|| "<none>".to_string(), |a| a.address.clone())
    };
    let info = status.node_info.clone().unwrap_or_default();
    vec![
        json!(n.metadata.name.clone().unwrap_or_default()),
        json!(state.join(",")),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        json!(age_of),
        json!(info.kubelet_version),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(info.os_image),
        json!(info.kernel_version),
        json!(info.container_runtime_version),
    ]
}

/// Go's `duration.HumanDuration`, as the Job's DURATION column shows it.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let secs = secs.max(0);
    let (minutes, hours) = (secs / 60, secs / 3600);
    let with = |n: i64, unit: &str, rest: i64, rest_unit: &str| {
        if rest == 0 {
            format!("{n}{unit}")
        } else {
            format!("{n}{unit}{rest}{rest_unit}")
        }
    };
    match () {
        _ if secs < 120 => format!("{secs}s"),
        _ if minutes < 10 => with(minutes, "m", secs % 60, "s"),
        _ if minutes < 180 => format!("{minutes}m"),
        _ if hours < 8 => with(hours, "h", minutes % 60, "m"),
        _ if hours < 48 => format!("{hours}h"),
        _ if hours < 24 * 8 => with(hours / 24, "d", hours % 24, "h"),
        _ if hours < 24 * 365 * 2 => format!("{}d", hours / 24),
        _ if hours < 24 * 365 * 8 => with(hours / 24 / 365, "y", (hours / 24) % 365, "d"),
        _ => format!("{}y", hours / 24 / 365),
    }
}

/// `metav1.FormatLabelSelector`.
fn format_selector(
    s: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
) -> String {
    let Some(s) = s else {
        return "<none>".into();
    };
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

fn has_job_condition(j: &k8s_openapi::api::batch::v1::Job, type_: &str) -> bool {
    j.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .any(|c| c.type_ == type_ && c.status == "True")
}

/// The STATUS column of `kubectl get jobs`.
fn job_status(j: &k8s_openapi::api::batch::v1::Job) -> &'static str {
    if has_job_condition(j, "Complete") {
        "Complete"
    } else if has_job_condition(j, "Failed") {
        "Failed"
    } else if j.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if has_job_condition(j, "Suspended") {
        "Suspended"
    } else if has_job_condition(j, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

/// The COMPLETIONS column: succeeded of wanted.
fn job_completions(j: &k8s_openapi::api::batch::v1::Job) -> String {
    let spec = j.spec.clone().unwrap_or_default();
    let succeeded = j.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0);
    match spec.completions {
        Some(c) => format!("{succeeded}/{c}"),
        None => match spec.parallelism.unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    }
}

/// The DURATION column: from start to completion, or to now.
fn job_duration(j: &k8s_openapi::api::batch::v1::Job) -> String {
    let status = j.status.clone().unwrap_or_default();
    let Some(start) = status.start_time else {
        return String::new();
    };
    let end = status
        .completion_time
        .map_or_else(|| jiff::Timestamp::now().as_second(), |t| t.0.as_second());
    human_duration(end - start.0.as_second())
}

/// The TARGETS column of `kubectl get hpa`: each metric's current value
/// and target, at most two, as kubectl 1.32 writes them (`cpu: 45%/70%`).
fn hpa_targets(h: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler) -> String {
    let specs = h.spec.metrics.clone().unwrap_or_default();
    if specs.is_empty() {
        return "<none>".into();
    }
    let statuses = h
        .status
        .as_ref()
        .and_then(|s| s.current_metrics.clone())
        .unwrap_or_default();
    const UNKNOWN: &str = "<unknown>";
    let q = |v: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
        v.map(|q| q.0.clone())
    };
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let status = statuses.get(i);
            match spec.type_.as_str() {
                "Resource" | "ContainerResource" => {
                    let (name, target, current) = match spec.type_.as_str() {
                        "Resource" => {
                            let Some(r) = spec.resource.as_ref() else {
                                return "<unknown type>".into();
                            };
                            (
                                r.name.clone(),
                                r.target.clone(),
                                status
                                    .and_then(|s| s.resource.as_ref())
                                    .map(|r| r.current.clone()),
                            )
                        }
                        _ => {
                            let Some(r) = spec.container_resource.as_ref() else {
                                return "<unknown type>".into();
                            };
                            (
                                r.name.clone(),
                                r.target.clone(),
                                status
                                    .and_then(|s| s.container_resource.as_ref())
                                    .map(|r| r.current.clone()),
                            )
                        }
                    };
                    if let Some(avg) = target.average_value.as_ref() {
                        let current = current
                            .and_then(|c| q(c.average_value.as_ref()))
                            .unwrap_or_else(|| UNKNOWN.into());
                        format!("{name}: {current}/{}", avg.0)
                    } else {
                        let current = current
                            .and_then(|c| c.average_utilization)
                            .map_or_else(|| UNKNOWN.into(), |u| format!("{u}%"));
                        let target = target
                            .average_utilization
                            .map_or_else(|| "<auto>".into(), |u| format!("{u}%"));
                        format!("{name}: {current}/{target}")
                    }
                }
                "Pods" => {
                    let target = spec
                        .pods
                        .as_ref()
                        .and_then(|p| q(p.target.average_value.as_ref()))
                        .unwrap_or_default();
                    let current = status
                        .and_then(|s| s.pods.as_ref())
                        .and_then(|p| q(p.current.average_value.as_ref()))
                        .unwrap_or_else(|| UNKNOWN.into());
                    format!("{current}/{target}")
                }
                "Object" | "External" => {
                    let target = spec
                        .object
                        .as_ref()
                        .map(|o| o.target.clone())
                        .or_else(|| spec.external.as_ref().map(|e| e.target.clone()))
                        .unwrap_or_default();
                    let current = status.and_then(|s| {
                        s.object
                            .as_ref()
                            .map(|o| o.current.clone())
                            .or_else(|| s.external.as_ref().map(|e| e.current.clone()))
                    });
                    match target.average_value.as_ref() {
                        Some(avg) => format!(
                            "{}/{} (avg)",
                            current
                                .and_then(|c| q(c.average_value.as_ref()))
                                .unwrap_or_else(|| UNKNOWN.into()),
                            avg.0
                        ),
                        None => format!(
                            "{}/{}",
                            current
                                .and_then(|c| q(c.value.as_ref()))
                                .unwrap_or_else(|| UNKNOWN.into()),
                            q(target.value.as_ref()).unwrap_or_default()
                        ),
                    }
                }
                _ => "<unknown type>".into(),
            }
        })
        .collect();
    if list.len() > 2 {
        format!("{} + {} more...", list[..2].join(", "), list.len() - 2)
    } else {
        list.join(", ")
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
