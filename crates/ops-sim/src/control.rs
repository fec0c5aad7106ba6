//! Fault injection over HTTP, for rehearsing incidents and for tests:
//! `POST /faults/NAME?...`, `GET /` lists them and the current state.

use std::sync::{Arc, Weak};

use hyper::{Method, StatusCode};
use k8s_openapi::api::apps::v1::Deployment;
use serde_json::json;
use tokio::sync::watch;

use super::api::Api;
use super::cluster::{Shared, lock};
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
        "forbid?resource=pods[&off]",
        "list and watch of a resource get 403 Forbidden",
    ),
    ("drop-watches", "end every open watch"),
    (
        "restart-api",
        "restart the API server: connections reset, state kept",
    ),
    ("clear", "clear every service fault and forbidden resource"),
];

/// What the control endpoint and the `Sim` share.
pub struct SimHandle {
    pub cluster: Shared,
    pub api: Arc<Api>,
    pub services: Vec<Arc<ServiceSim>>,
    pub namespace: String,
    pub(crate) restart: watch::Sender<u64>,
}

impl SimHandle {
    pub fn drop_watches(&self) {
        self.api.drop_watches.send_modify(|n| *n += 1);
    }

    pub fn restart_api(&self) {
        self.restart.send_modify(|n| *n += 1);
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
        let forbidden: Vec<&str> = lock(&sim.cluster)
            .faults
            .forbidden
            .iter()
            .map(|k| k.plural())
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
            &json!({"services": services, "forbidden": forbidden, "faults": faults, "writes": sim.api.writes(), "write_bodies": bodies}),
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
        "crash" => {
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
            let crashing = if image.contains(':') {
                format!("{image}-crash")
            } else {
                format!("{image}:crash")
            };
            set_image(
                &mut cluster,
                &ns,
                &workload,
                &crashing,
                "fault injection: crash loop",
            );
            Ok(format!("{workload} now runs {crashing}"))
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
            cluster.faults.forbidden.retain(|k| *k != kind);
            if !off {
                cluster.faults.forbidden.push(kind);
            }
            Ok(format!(
                "{resource} {}",
                if off { "allowed again" } else { "forbidden" }
            ))
        }
        "drop-watches" => {
            sim.drop_watches();
            Ok("every watch was ended".into())
        }
        "restart-api" => {
            sim.restart_api();
            Ok("the API server is restarting".into())
        }
        "clear" => {
            for s in &sim.services {
                s.set_faults(|f| *f = Default::default());
            }
            lock(&sim.cluster).faults.forbidden.clear();
            Ok("every fault cleared".into())
        }
        other => Err(format!("unknown fault {other:?}; GET / lists them")),
    }
}
