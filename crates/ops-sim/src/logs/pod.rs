//! Which container and which run of it a log request reads, decided from
//! the pod as the API server and the kubelet decide it, with their errors.

use std::time::Duration;

use k8s_openapi::api::core::v1::{ContainerStateTerminated, ContainerStatus, Pod};

use super::{Finals, Instance, MS, Nanos, hash, mix, nanos, now};
use crate::controller::{crashes, fails, owned_by_job, serves_errors};

/// Why a container's logs cannot be read: the kubelet's and API server's
/// messages, all answered with 400 Bad Request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("a container name must be specified for pod {pod}")]
    NoContainers { pod: String },
    #[error("a container name must be specified for pod {pod}, choose one of: [{}]{}", .names.join(" "), init_names(.init))]
    ChooseContainer {
        pod: String,
        names: Vec<String>,
        init: Vec<String>,
    },
    #[error("container {container} is not valid for pod {pod}")]
    InvalidContainer { pod: String, container: String },
    #[error("previous terminated container \"{container}\" in pod \"{pod}\" not found")]
    NoPrevious { pod: String, container: String },
    #[error("container \"{container}\" in pod \"{pod}\" is waiting to start: {reason}")]
    Waiting {
        pod: String,
        container: String,
        reason: String,
    },
    #[error("container \"{container}\" in pod \"{pod}\" is not available")]
    NotAvailable { pod: String, container: String },
}

fn init_names(init: &[String]) -> String {
    if init.is_empty() {
        String::new()
    } else {
        format!(" or one of the init containers: [{}]", init.join(" "))
    }
}

/// `registry.example.com/shop/api:1.4.2` → (`shop-api`, `v1.4.2`).
fn app_and_version(image: &str) -> (String, String) {
    let (path, tag) = match image.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, t),
        _ => (image, "latest"),
    };
    let path = path.split('@').next().unwrap_or(path);
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 && (parts[0].contains('.') || parts[0].contains(':')) {
        parts.remove(0);
    }
    let app = if parts.is_empty() {
        "app".to_string()
    } else {
        parts.join("-")
    };
    let version = if tag.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v{tag}")
    } else {
        tag.to_string()
    };
    (app, version)
}

/// The names of a pod's containers, then of its init containers.
fn names(pod: &Pod) -> (Vec<String>, Vec<String>) {
    let spec = pod.spec.as_ref();
    let of = |list: Option<&Vec<k8s_openapi::api::core::v1::Container>>| {
        list.into_iter()
            .flatten()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    (
        of(spec.map(|s| &s.containers)),
        of(spec.and_then(|s| s.init_containers.as_ref())),
    )
}

/// The container a log request names, as the API server validates it: a
/// pod with one container needs no name.
pub fn container(pod: &Pod, wanted: Option<&str>) -> Result<String, LogError> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let (names, init) = names(pod);
    match wanted.filter(|w| !w.is_empty()) {
        Some(w) if names.iter().chain(&init).any(|n| n == w) => Ok(w.to_string()),
        Some(w) => Err(LogError::InvalidContainer {
            pod: pod_name,
            container: w.to_string(),
        }),
        None => match names.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(LogError::NoContainers { pod: pod_name }),
            _ => Err(LogError::ChooseContainer {
                pod: pod_name,
                names,
                init,
            }),
        },
    }
}

/// The instance whose logs a request reads, as the kubelet chooses it:
/// with `previous`, the last terminated run; otherwise the running one, or
/// the last terminated one while the container waits to restart.
/// `grace` is how long a deleted pod takes to go.
pub fn instance(
    pod: &Pod,
    container: &str,
    previous: bool,
    grace: Duration,
) -> Result<Instance, LogError> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let status = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|all| all.iter().find(|c| c.name == container));
    let waiting = |reason: &str| LogError::Waiting {
        pod: pod_name.clone(),
        container: container.to_string(),
        reason: reason.to_string(),
    };
    let Some(cs) = status else {
        let (names, _) = names(pod);
        return Err(if names.iter().any(|n| n == container) {
            waiting("ContainerCreating")
        } else {
            LogError::NotAvailable {
                pod: pod_name,
                container: container.to_string(),
            }
        });
    };
    let state = cs.state.clone().unwrap_or_default();
    let last = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref());
    let image = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.image.clone())
        .unwrap_or_else(|| cs.image.clone());
    let base = Base {
        pod,
        cs,
        image: &image,
    };
    if previous {
        return match last {
            Some(t) => Ok(base.terminated(t, cs.restart_count - 1)),
            None => Err(LogError::NoPrevious {
                pod: pod_name,
                container: container.to_string(),
            }),
        };
    }
    if let Some(run) = &state.running {
        let start = run.started_at.as_ref().map_or_else(now, nanos);
        let mut inst = base.instance(cs.restart_count, start);
        if let Some(deleted) = &pod.metadata.deletion_timestamp {
            let grace = grace.as_nanos() as Nanos;
            inst.stop = Some((nanos(deleted) - grace).max(start));
            inst.finals = Finals::Shutdown {
                step: (grace / 4).max(MS),
            };
        }
        return Ok(inst);
    }
    if let Some(t) = &state.terminated {
        return Ok(base.terminated(t, cs.restart_count));
    }
    if let Some(t) = last {
        return Ok(base.terminated(t, cs.restart_count - 1));
    }
    let reason = state
        .waiting
        .as_ref()
        .and_then(|w| w.reason.clone())
        .unwrap_or_else(|| "ContainerCreating".to_string());
    Err(waiting(&reason))
}

/// What every instance of a container shares.
struct Base<'a> {
    pod: &'a Pod,
    cs: &'a ContainerStatus,
    image: &'a str,
}

impl Base<'_> {
    fn instance(&self, index: i32, start: Nanos) -> Instance {
        let uid = self.pod.metadata.uid.as_deref().unwrap_or("");
        let ns = self.pod.metadata.namespace.as_deref().unwrap_or("default");
        let (app, version) = app_and_version(self.image);
        let batch = owned_by_job(&self.pod.metadata);
        Instance {
            seed: mix(hash(&[uid, &self.cs.name]) ^ index as u64),
            index,
            worker: app.contains("worker"),
            app,
            version,
            namespace: ns.to_string(),
            errors: serves_errors(self.image),
            crashing: if batch {
                fails(self.image)
            } else {
                crashes(self.image)
            },
            batch,
            start,
            stop: None,
            finals: Finals::None,
            ended: false,
        }
    }

    fn terminated(&self, t: &ContainerStateTerminated, index: i32) -> Instance {
        let start = t.started_at.as_ref().map_or_else(now, nanos);
        let end = t.finished_at.as_ref().map_or(start, nanos).max(start);
        let mut inst = self.instance(index.max(0), start);
        let (finals, last) = if t.exit_code != 0 {
            (Finals::Crash, MS)
        } else if inst.batch {
            (Finals::Done, MS)
        } else {
            (Finals::Shutdown { step: MS }, 2 * MS)
        };
        inst.stop = Some((end - last).max(start));
        inst.finals = finals;
        inst.ended = true;
        inst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_become_app_and_version() {
        assert_eq!(
            app_and_version("registry.example.com/shop/api:1.4.2"),
            ("shop-api".to_string(), "v1.4.2".to_string())
        );
        assert_eq!(
            app_and_version("localhost:5000/worker"),
            ("worker".to_string(), "latest".to_string())
        );
        assert_eq!(
            app_and_version("nginx:stable"),
            ("nginx".to_string(), "stable".to_string())
        );
    }
}
