//! Fault injection over HTTP, for rehearsing incidents and for tests:
//! `POST /faults/NAME?...`, `GET /` lists them and the current state.

use std::sync::{Arc, Weak};

use std::collections::BTreeMap;

use hyper::{Method, StatusCode};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Node;
use serde_json::json;
use tokio::sync::watch;

use super::api::Api;
use super::cluster::{Leak, Shared, lock};
use super::http::{self, Req, Resp};
use super::scenario::set_image;
use super::service::ServiceSim;
use super::store::Kind;

pub const FAULTS: &[(&str, &str)] = &[
    (
        "crash?workload=NAME",
        "crash-loop a Deployment (its image gets a -crash tag)",
    ),
    (
        "bad-release?workload=NAME",
        "roll a Deployment out to a bad release (its image gets a -bad tag: its pods run, and serve 5xx and slow answers)",
    ),
    (
        "hang?service=NAME[&off]",
        "the service accepts connections and never answers",
    ),
    (
        "refuse?service=NAME[&off]",
        "the service refuses connections",
    ),
    (
        "expire-cert?service=NAME[&days=-3]",
        "the HTTPS certificate expires (days from now)",
    ),
    (
        "errors?service=NAME&ratio=0.2",
        "add to the service's 5xx ratio (0 clears)",
    ),
    (
        "forbid?resource=pods[&namespace=NS][&off]",
        "list and watch of a resource get 403 Forbidden (with a namespace: there, and at the cluster scope)",
    ),
    (
        "node?node=NAME&condition=MemoryPressure|DiskPressure|PIDPressure|NotReady[&off]",
        "a node reports the condition (NotReady: Ready False, KubeletNotReady); its taints follow",
    ),
    (
        "memory-leak?workload=NAME[&rate=MIB_PER_MIN][&namespace=NS][&off]",
        "the workload's containers' memory climbs to their limit, then each is OOMKilled and starts again",
    ),
    (
        "metrics[?off]",
        "serve the metrics API (metrics.k8s.io), or with off remove it, as on a cluster without metrics-server",
    ),
    ("drop-watches", "end every open watch"),
    (
        "restart-api[?seconds=S]",
        "restart the API server: connections reset, new ones refused for S seconds (default 0.5), state kept",
    ),
    (
        "clear",
        "clear every fault: services, forbidden resources, node conditions, memory leaks, the metrics API as it started",
    ),
];

/// MiB a minute a memory leak adds when the fault names no rate.
pub const DEFAULT_LEAK: f64 = 32.0;

/// The kind and pod labels of a workload that runs pods: a Deployment, a
/// StatefulSet or a DaemonSet of that name.
fn workload_selector(
    cluster: &crate::cluster::Cluster,
    ns: &str,
    name: &str,
) -> Option<(Kind, BTreeMap<String, String>)> {
    for kind in [Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet] {
        if let Some(obj) = cluster.store.get(kind, ns, name) {
            let labels = obj
                .to_value()
                .pointer("/spec/selector/matchLabels")
                .and_then(|m| serde_json::from_value(m.clone()).ok())
                .unwrap_or_default();
            return Some((kind, labels));
        }
    }
    None
}

/// What the control endpoint and the `Sim` share.
pub struct SimHandle {
    pub cluster: Shared,
    pub api: Arc<Api>,
    pub services: Vec<Arc<ServiceSim>>,
    pub namespace: String,
    /// Restarts of the API server, with how long it stays down.
    pub(crate) restart: watch::Sender<(u64, std::time::Duration)>,
    /// Whether the simulator started with the metrics API (what `clear`
    /// returns to).
    pub(crate) serve_metrics: bool,
}

impl SimHandle {
    pub fn drop_watches(&self) {
        self.api.drop_watches.send_modify(|n| *n += 1);
    }

    pub fn restart_api(&self) {
        self.stop_api_for(crate::RESTART_DOWNTIME);
    }

    /// Resets every connection and refuses new ones for `down`, then
    /// serves again with the state kept: an API server that is stopped
    /// and started.
    pub fn stop_api_for(&self, down: std::time::Duration) {
        self.restart.send_modify(|(n, d)| {
            *n += 1;
            *d = down;
        });
    }
}

fn ok(message: String) -> Resp {
    http::json(StatusCode::OK, &json!({"ok": true, "message": message}))
}

fn bad(message: String) -> Resp {
    http::json(
        StatusCode::BAD_REQUEST,
        &json!({"ok": false, "error": message}),
    )
}

pub async fn handle(sim: Weak<SimHandle>, req: Req) -> Resp {
    let Some(sim) = sim.upgrade() else {
        return bad("the simulator is stopping".into());
    };
    let path = req.uri.path().to_string();
    if req.method == Method::GET && path == "/" {
        let services: Vec<_> = sim
            .services
            .iter()
            .map(|s| {
                let f = s.faults();
                json!({"service": s.name, "http": s.http_port, "https": s.https_port, "hang": f.hang, "refuse": f.refuse, "extra_errors": f.extra_errors})
            })
            .collect();
        let cluster_faults = lock(&sim.cluster).faults.clone();
        let forbidden: Vec<&str> = cluster_faults
            .forbidden
            .iter()
            .map(|k| k.plural())
            .collect();
        let forbidden_in: Vec<_> = cluster_faults
            .forbidden_in
            .iter()
            .map(|(k, ns)| json!({"resource": k.plural(), "namespace": ns}))
            .collect();
        let leaks: Vec<_> = cluster_faults
            .leaks
            .iter()
            .map(|l| json!({"namespace": l.namespace, "workload": l.workload, "kind": l.kind.name(), "mib_per_minute": l.mib_per_minute}))
            .collect();
        let faults: Vec<_> = FAULTS
            .iter()
            .map(|(f, d)| json!({"post": format!("/faults/{f}"), "does": d}))
            .collect();
        let bodies: Vec<_> = sim
            .api
            .write_bodies()
            .into_iter()
            .map(|(request, body)| json!({"request": request, "body": body}))
            .collect();
        return http::json(
            StatusCode::OK,
            &json!({"services": services, "forbidden": forbidden, "forbidden_in": forbidden_in, "memory_leaks": leaks, "metrics": !cluster_faults.metrics_off, "faults": faults, "writes": sim.api.writes(), "write_bodies": bodies}),
        );
    }
    if req.method != Method::POST {
        return bad("use POST /faults/NAME; GET / lists them".into());
    }
    let Some(name) = path.strip_prefix("/faults/") else {
        return bad(format!("unknown path {path}"));
    };
    match inject(&sim, name, |p| req.param(p)) {
        Ok(message) => ok(message),
        Err(message) => bad(message),
    }
}

/// Applies a fault by name with its parameters; the message says what
/// happened, the error what was wrong.
pub fn inject(
    sim: &SimHandle,
    name: &str,
    param: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let off = param("off").is_some();
    let service = || {
        let wanted = param("service").unwrap_or_default();
        sim.services
            .iter()
            .find(|s| s.name == wanted)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = sim.services.iter().map(|s| s.name.as_str()).collect();
                format!("no service {wanted:?} (there are: {})", names.join(", "))
            })
    };
    match name {
        "crash" | "bad-release" => {
            let workload = param("workload").unwrap_or_default();
            let mut cluster = lock(&sim.cluster);
            let ns = sim.namespace.clone();
            let Some(d) = cluster.store.get_typed::<Deployment>(&ns, &workload) else {
                return Err(format!("no Deployment {workload:?} in {ns}"));
            };
            let image = d
                .spec
                .template
                .spec
                .as_ref()
                .and_then(|s| s.containers.first())
                .and_then(|c| c.image.clone())
                .unwrap_or_default();
            let (tag, cause) = if name == "crash" {
                ("crash", "fault injection: crash loop")
            } else {
                ("bad", "fault injection: a bad release")
            };
            let faulty = if image.contains(':') {
                format!("{image}-{tag}")
            } else {
                format!("{image}:{tag}")
            };
            set_image(&mut cluster, &ns, &workload, &faulty, cause);
            Ok(format!("{workload} now runs {faulty}"))
        }
        "hang" | "refuse" => {
            let s = service()?;
            s.set_faults(|f| {
                if name == "hang" {
                    f.hang = !off
                } else {
                    f.refuse = !off
                }
            });
            Ok(format!(
                "{name} {} for {}",
                if off { "off" } else { "on" },
                s.name
            ))
        }
        "expire-cert" => {
            let s = service()?;
            if s.https_port.is_none() {
                return Err(format!("{} has no HTTPS listener", s.name));
            }
            let days = param("days").and_then(|d| d.parse().ok()).unwrap_or(-3);
            s.set_certificate(days)
                .map_err(|e| format!("cannot make a certificate: {e}"))?;
            Ok(format!(
                "{} now presents a certificate expiring in {days} days",
                s.name
            ))
        }
        "errors" => {
            let s = service()?;
            let ratio = param("ratio")
                .and_then(|r| r.parse::<f64>().ok())
                .unwrap_or(0.2)
                .clamp(0.0, 1.0);
            s.set_faults(|f| f.extra_errors = if off { 0.0 } else { ratio });
            Ok(format!("{} error ratio raised by {ratio}", s.name))
        }
        "forbid" => {
            let resource = param("resource").unwrap_or_default();
            let Some(kind) = Kind::ALL.into_iter().find(|k| k.plural() == resource) else {
                return Err(format!("unknown resource {resource:?}"));
            };
            let mut cluster = lock(&sim.cluster);
            let state = if off { "allowed again" } else { "forbidden" };
            match param("namespace").filter(|n| !n.is_empty()) {
                Some(ns) => {
                    if !kind.namespaced() {
                        return Err(format!("{resource} are not namespaced"));
                    }
                    cluster
                        .faults
                        .forbidden_in
                        .retain(|(k, n)| !(*k == kind && *n == ns));
                    if !off {
                        cluster.faults.forbidden_in.push((kind, ns.clone()));
                    }
                    Ok(format!(
                        "{resource} {state} in {ns} (and at the cluster scope while any namespace refuses them)"
                    ))
                }
                None => {
                    cluster.faults.forbidden.retain(|k| *k != kind);
                    if !off {
                        cluster.faults.forbidden.push(kind);
                    }
                    Ok(format!("{resource} {state}"))
                }
            }
        }
        "node" => {
            let node = param("node").unwrap_or_default();
            let condition = param("condition").unwrap_or_default();
            let mut cluster = lock(&sim.cluster);
            crate::controller::node::set_condition(&mut cluster, &node, &condition, !off)
        }
        "memory-leak" => {
            let workload = param("workload").unwrap_or_default();
            let ns = param("namespace")
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| sim.namespace.clone());
            let mut cluster = lock(&sim.cluster);
            if off {
                let before = cluster.faults.leaks.len();
                cluster
                    .faults
                    .leaks
                    .retain(|l| !(l.workload == workload && l.namespace == ns));
                return if cluster.faults.leaks.len() < before {
                    Ok(format!("{workload} no longer leaks memory"))
                } else {
                    Err(format!("{workload} in {ns} was not leaking memory"))
                };
            }
            let rate = match param("rate") {
                None => DEFAULT_LEAK,
                Some(r) => match r.parse::<f64>() {
                    Ok(r) if r.is_finite() && r > 0.0 => r,
                    _ => {
                        return Err(format!(
                            "rate {r:?} is not a positive number of MiB a minute"
                        ));
                    }
                },
            };
            let Some((kind, selector)) = workload_selector(&cluster, &ns, &workload) else {
                return Err(format!(
                    "no Deployment, StatefulSet or DaemonSet {workload:?} in {ns}"
                ));
            };
            let since_window = crate::controller::usage::current_window(&cluster.timing);
            cluster
                .faults
                .leaks
                .retain(|l| !(l.workload == workload && l.namespace == ns));
            cluster.faults.leaks.push(Leak {
                namespace: ns.clone(),
                workload: workload.clone(),
                kind,
                selector,
                mib_per_minute: rate,
                since_window,
            });
            Ok(format!(
                "{} {workload} leaks {rate} MiB a minute in each container",
                kind.name()
            ))
        }
        "metrics" => {
            lock(&sim.cluster).faults.metrics_off = off;
            Ok(if off {
                "the metrics API is no longer served".into()
            } else {
                "the metrics API is served".into()
            })
        }
        "drop-watches" => {
            sim.drop_watches();
            Ok("every watch was ended".into())
        }
        "restart-api" => {
            match param("seconds").map(|s| s.parse::<f64>()) {
                None => sim.restart_api(),
                Some(Ok(s)) if (0.0..=3600.0).contains(&s) => {
                    sim.stop_api_for(std::time::Duration::from_secs_f64(s));
                }
                Some(_) => return Err("seconds must be a number from 0 to 3600".into()),
            }
            Ok("the API server is restarting".into())
        }
        "clear" => {
            for s in &sim.services {
                s.set_faults(|f| *f = Default::default());
            }
            let mut cluster = lock(&sim.cluster);
            cluster.faults = Default::default();
            cluster.faults.metrics_off = !sim.serve_metrics;
            for node in cluster.store.list_typed::<Node>(None) {
                let name = node.metadata.name.clone().unwrap_or_default();
                for (type_, fault, healthy) in [
                    ("MemoryPressure", "MemoryPressure", "False"),
                    ("DiskPressure", "DiskPressure", "False"),
                    ("PIDPressure", "PIDPressure", "False"),
                    ("Ready", "NotReady", "True"),
                ] {
                    let faulty = node
                        .status
                        .iter()
                        .flat_map(|s| s.conditions.iter().flatten())
                        .any(|c| c.type_ == type_ && c.status != healthy);
                    if faulty {
                        let _ = crate::controller::node::set_condition(
                            &mut cluster,
                            &name,
                            fault,
                            false,
                        );
                    }
                }
            }
            Ok("every fault cleared".into())
        }
        other => Err(format!("unknown fault {other:?}; GET / lists them")),
    }
}
