//! The simulated Kubernetes API server: routing, bearer-token users, and
//! errors as Kubernetes `Status` objects.

mod apps;
mod batch;
mod discovery;
mod lease;
mod log;
pub mod metrics;
mod proto;
mod read;
pub mod table;
mod write;

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::json;
use tokio::sync::watch;

use super::cluster::{Shared, lock};
use super::http::{Req, Resp, json};
use super::store::Kind;

/// The two users of the generated kubeconfig.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub admin: String,
    pub viewer: String,
}

impl Tokens {
    pub fn random() -> Tokens {
        let token = || {
            (0..32)
                .map(|_| fastrand::alphanumeric())
                .collect::<String>()
        };
        Tokens {
            admin: token(),
            viewer: token(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum User {
    Admin,
    Viewer,
}

impl User {
    fn name(self) -> &'static str {
        match self {
            User::Admin => "admin",
            User::Viewer => "viewer",
        }
    }
}

pub struct Api {
    pub cluster: Shared,
    pub tokens: Tokens,
    /// Changing this ends every open watch (fault injection).
    pub drop_watches: watch::Sender<u64>,
    /// host:port, for discovery documents.
    pub address: String,
    /// Every request that is not a read (method and path with its query),
    /// oldest first, at most `MAX_WRITES`: what tests check to prove that
    /// nothing was sent.
    pub writes: std::sync::Mutex<std::collections::VecDeque<String>>,
    /// The same requests with their bodies (as text, cut at
    /// `MAX_BODY` bytes), at most `MAX_WRITES`: what tests check to see
    /// exactly what a client sent.
    pub write_bodies: std::sync::Mutex<std::collections::VecDeque<(String, String)>>,
}

/// Write requests the log keeps.
const MAX_WRITES: usize = 1_000;
/// Bytes of a write's body the log keeps.
const MAX_BODY: usize = 64 * 1024;

impl Api {
    /// The write requests seen so far.
    pub fn writes(&self) -> Vec<String> {
        self.writes
            .lock()
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The write requests seen so far with their bodies.
    pub fn write_bodies(&self) -> Vec<(String, String)> {
        self.write_bodies
            .lock()
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn log_write(&self, req: &Req) {
        if req.method == Method::GET {
            return;
        }
        let request = format!("{} {}", req.method, req.uri);
        if let Ok(mut writes) = self.writes.lock() {
            if writes.len() >= MAX_WRITES {
                writes.pop_front();
            }
            writes.push_back(request.clone());
        }
        if let Ok(mut bodies) = self.write_bodies.lock() {
            if bodies.len() >= MAX_WRITES {
                bodies.pop_front();
            }
            let body = &req.body[..req.body.len().min(MAX_BODY)];
            bodies.push_back((request, String::from_utf8_lossy(body).into_owned()));
        }
    }
}

/// What a path names.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Version,
    ApiVersions,
    ApiGroups,
    Group(String),
    Resources(String),
    Collection {
        kind: Kind,
        ns: Option<String>,
    },
    Item {
        kind: Kind,
        ns: String,
        name: String,
        sub: Option<String>,
    },
}

fn route(path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (group, rest) = match segs.as_slice() {
        ["version"] => return Some(Route::Version),
        ["api"] => return Some(Route::ApiVersions),
        ["apis"] => return Some(Route::ApiGroups),
        ["apis", group] if discovery::GROUPS.iter().any(|(g, _)| g == group) => {
            return Some(Route::Group(group.to_string()));
        }
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", group, version, rest @ ..] if discovery::GROUPS.contains(&(*group, *version)) => {
            (*group, rest)
        }
        _ => return None,
    };
    let kind = |plural: &str| Kind::from_plural(group, plural);
    Some(match rest {
        [] => Route::Resources(group.to_string()),
        [plural] => Route::Collection {
            kind: kind(plural)?,
            ns: None,
        },
        ["namespaces", name] if group.is_empty() => Route::Item {
            kind: Kind::Namespace,
            ns: String::new(),
            name: name.to_string(),
            sub: None,
        },
        // A cluster-scoped object (a node), and its subresources.
        [plural, name, sub @ ..] if sub.len() <= 1 && *plural != "namespaces" => {
            let kind = kind(plural).filter(|k| !k.namespaced())?;
            Route::Item {
                kind,
                ns: String::new(),
                name: name.to_string(),
                sub: sub.first().map(|s| s.to_string()),
            }
        }
        ["namespaces", ns, plural] => Route::Collection {
            kind: kind(plural).filter(|k| k.namespaced())?,
            ns: Some(ns.to_string()),
        },
        ["namespaces", ns, plural, name] => Route::Item {
            kind: kind(plural).filter(|k| k.namespaced())?,
            ns: ns.to_string(),
            name: name.to_string(),
            sub: None,
        },
        ["namespaces", ns, plural, name, sub] => Route::Item {
            kind: kind(plural).filter(|k| k.namespaced())?,
            ns: ns.to_string(),
            name: name.to_string(),
            sub: Some(sub.to_string()),
        },
        _ => return None,
    })
}

/// A Kubernetes `Status` error.
pub fn status(
    code: StatusCode,
    reason: &str,
    message: String,
    details: Option<(&str, &str, &str)>,
) -> Resp {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code.as_u16(),
    });
    if let Some((name, group, kind)) = details {
        body["details"] = json!({"name": name, "group": group, "kind": kind});
    }
    json(code, &body)
}

pub fn not_found(kind: Kind, name: &str) -> Resp {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{} \"{name}\" not found", kind.qualified()),
        Some((name, kind.group(), kind.plural())),
    )
}

pub async fn handle(api: Arc<Api>, req: Req) -> Resp {
    api.log_write(&req);
    let user = match req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
    {
        Some(t) if t == api.tokens.admin => User::Admin,
        Some(t) if t == api.tokens.viewer => User::Viewer,
        _ => {
            return status(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Unauthorized".into(),
                None,
            );
        }
    };
    if let Some(rest) = req.uri.path().strip_prefix(metrics::PREFIX)
        && (rest.is_empty() || rest.starts_with('/'))
    {
        return metrics::handle(&api, &req, rest);
    }
    // The nodes' leases are made from the nodes; every other Lease is
    // stored.
    if let Some(rest) = req.uri.path().strip_prefix(lease::PREFIX)
        && rest.starts_with(lease::NODE_LEASES)
    {
        return lease::handle(&api, &req, rest);
    }
    let Some(route) = route(req.uri.path()) else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource".into(),
            None,
        );
    };
    match route {
        Route::Version => discovery::version(),
        Route::ApiVersions => discovery::api_versions(&api.address),
        Route::ApiGroups => discovery::api_groups(!lock(&api.cluster).faults.metrics_off),
        Route::Group(g) => discovery::api_group(&g),
        Route::Resources(g) => discovery::resources(&g),
        Route::Collection { kind, ns } => {
            let watching = req.param("watch").is_some_and(|w| w == "true" || w == "1");
            let verb = match (&req.method, watching) {
                (&Method::GET, true) => "watch",
                (&Method::GET, false) => "list",
                (&Method::POST, _) => "create",
                _ => return method_not_allowed(),
            };
            if let Some(denied) = authorize(&api, user, verb, kind, None, ns.as_deref(), None) {
                return denied;
            }
            match verb {
                "watch" => read::watch(&api, &req, kind, ns).await,
                "list" => read::list(&api, &req, kind, ns.as_deref()),
                _ => write::create(&api, &req, kind, ns.as_deref().unwrap_or("default")),
            }
        }
        Route::Item {
            kind,
            ns,
            name,
            sub,
        } => {
            let verb = match req.method {
                Method::GET => "get",
                Method::PATCH => "patch",
                Method::PUT => "update",
                Method::DELETE => "delete",
                _ => return method_not_allowed(),
            };
            if let Some(denied) = authorize(
                &api,
                user,
                verb,
                kind,
                sub.as_deref(),
                Some(&ns),
                Some(&name),
            ) {
                return denied;
            }
            match (verb, sub.as_deref()) {
                ("get", None) => read::get(&api, &req, kind, &ns, &name),
                ("get", Some("scale")) if kind == Kind::Deployment => {
                    write::get_scale(&api, &ns, &name)
                }
                ("patch" | "update", Some("scale")) if kind == Kind::Deployment => {
                    write::change_scale(&api, &req, &ns, &name)
                }
                ("get", Some("scale")) if kind == Kind::StatefulSet => {
                    apps::get_scale(&api, &ns, &name)
                }
                ("patch" | "update", Some("scale")) if kind == Kind::StatefulSet => {
                    apps::change_scale(&api, &req, &ns, &name)
                }
                ("get", Some("log")) if kind == Kind::Pod => log::get(&api, &req, &ns, &name).await,
                ("patch", None) => write::patch(&api, &req, kind, &ns, &name),
                ("update", None) => write::update(&api, &req, kind, &ns, &name),
                ("delete", None) => write::delete(&api, &req, kind, &ns, &name),
                _ => status(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    "the server could not find the requested resource".into(),
                    None,
                ),
            }
        }
    }
}

fn method_not_allowed() -> Resp {
    status(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource".into(),
        None,
    )
}

/// RBAC: the viewer may only read; a resource made forbidden by fault
/// injection refuses everyone. The message is the one a real API server
/// gives.
fn authorize(
    api: &Api,
    user: User,
    verb: &str,
    kind: Kind,
    sub: Option<&str>,
    ns: Option<&str>,
    name: Option<&str>,
) -> Option<Resp> {
    let reads = matches!(verb, "get" | "list" | "watch");
    let refused = (!reads && user == User::Viewer) || lock(&api.cluster).faults.refuses(kind, ns);
    if !refused {
        return None;
    }
    let resource = match sub {
        Some(sub) => format!("{}/{sub}", kind.plural()),
        None => kind.plural().to_string(),
    };
    let subject = match name {
        Some(n) => format!("{} \"{n}\"", kind.qualified()),
        None => kind.qualified(),
    };
    let scope = match ns {
        Some(ns) if !ns.is_empty() => format!("in the namespace \"{ns}\""),
        _ => "at the cluster scope".to_string(),
    };
    let message = format!(
        "{subject} is forbidden: User \"{}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
        user.name(),
        kind.group()
    );
    Some(status(
        StatusCode::FORBIDDEN,
        "Forbidden",
        message,
        Some((name.unwrap_or(""), kind.group(), kind.plural())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_core_and_apps_paths() {
        assert_eq!(
            route("/api/v1/namespaces"),
            Some(Route::Collection {
                kind: Kind::Namespace,
                ns: None
            })
        );
        assert_eq!(
            route("/api/v1/namespaces/shop"),
            Some(Route::Item {
                kind: Kind::Namespace,
                ns: String::new(),
                name: "shop".into(),
                sub: None
            })
        );
        assert_eq!(
            route("/apis/apps/v1/namespaces/shop/deployments/api/scale"),
            Some(Route::Item {
                kind: Kind::Deployment,
                ns: "shop".into(),
                name: "api".into(),
                sub: Some("scale".into())
            })
        );
        assert_eq!(
            route("/api/v1/pods"),
            Some(Route::Collection {
                kind: Kind::Pod,
                ns: None
            })
        );
        assert_eq!(
            route("/apis/batch/v1/namespaces/shop/jobs"),
            Some(Route::Collection {
                kind: Kind::Job,
                ns: Some("shop".into())
            })
        );
        assert_eq!(
            route("/apis/autoscaling/v2/horizontalpodautoscalers"),
            Some(Route::Collection {
                kind: Kind::HorizontalPodAutoscaler,
                ns: None
            })
        );
        assert_eq!(route("/apis/batch"), Some(Route::Group("batch".into())));
        assert_eq!(
            route("/api/v1/nodes/sim-node-1"),
            Some(Route::Item {
                kind: Kind::Node,
                ns: String::new(),
                name: "sim-node-1".into(),
                sub: None
            })
        );
        assert_eq!(
            route("/api/v1/nodes"),
            Some(Route::Collection {
                kind: Kind::Node,
                ns: None
            })
        );
        assert_eq!(route("/api/v1/pods/x"), None);
        assert_eq!(route("/api/v1/namespaces/shop/nodes"), None);
        assert_eq!(route("/apis/apps/v1/pods"), None);
        assert_eq!(route("/apis/apps/v1/jobs"), None);
        assert_eq!(route("/apis/policy/v1"), None);
        assert_eq!(route("/apis/batch/v2/jobs"), None);
    }
}
