//! Kubernetes: the connection from the kubeconfig, watchers that send slim
//! projections to the UI loop, and the pure rollout logic.

pub mod action_event;
pub mod actions;
pub mod cluster;
pub mod items;
pub mod logs;
pub mod metrics;
pub mod model;
pub mod nodes;
pub mod object;
pub mod presence;
pub mod rollback;
pub mod rollout;
pub mod secrets;
pub mod share;
pub mod watch;

/// `f` within `deadline`; an API error as the server's message, no answer
/// in time as such.
pub(crate) async fn within<T>(
    deadline: std::time::Duration,
    f: impl std::future::Future<Output = Result<T, ::kube::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(deadline, f).await {
        Ok(r) => r.map_err(|e| match e {
            ::kube::Error::Api(s) => s.message,
            other => other.to_string(),
        }),
        Err(_) => Err(format!(
            "the API server did not answer within {} s",
            deadline.as_secs()
        )),
    }
}

use std::path::Path;

use ::kube::config::{KubeConfigOptions, Kubeconfig};
use ::kube::{Client, Config};

use model::{
    EventRow, HpaRow, NodeRow, PodRow, ReplicaSetRow, ServiceRow, WorkloadKind, WorkloadRow,
};

/// Where the watches report.
pub type Out<M> = crate::sink::Sink<M, KubeMsg>;

/// A watched resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Deployments,
    ReplicaSets,
    StatefulSets,
    DaemonSets,
    ControllerRevisions,
    Jobs,
    CronJobs,
    Hpas,
    Pods,
    Events,
    Services,
    /// Cluster-scoped, and optional: a user who may not list nodes still
    /// sees everything else.
    Nodes,
}

impl Resource {
    pub fn name(self) -> &'static str {
        match self {
            Resource::Deployments => "deployments",
            Resource::ReplicaSets => "replicasets",
            Resource::StatefulSets => "statefulsets",
            Resource::DaemonSets => "daemonsets",
            Resource::ControllerRevisions => "controllerrevisions",
            Resource::Jobs => "jobs",
            Resource::CronJobs => "cronjobs",
            Resource::Hpas => "horizontalpodautoscalers",
            Resource::Pods => "pods",
            Resource::Events => "events",
            Resource::Services => "services",
            Resource::Nodes => "nodes",
        }
    }
}

/// A change to one kind of object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// A complete (re)list: replaces everything known.
    Reset(Vec<T>),
    Upsert(T),
    Delete(String),
}

/// How a watch is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchState {
    Live,
    /// Failing and retrying; `forbidden` when RBAC refused it.
    Failing {
        error: String,
        forbidden: bool,
    },
}

/// What the Kubernetes sources tell the UI loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeMsg {
    /// Connected: the context, namespace and user in use.
    Connected {
        context: String,
        namespace: String,
        user: String,
    },
    /// Could not connect at all (kubeconfig, context, credentials).
    NoConnection(String),
    /// Deployments, StatefulSets or DaemonSets: the rows of one kind.
    Workloads(WorkloadKind, Change<WorkloadRow>),
    ReplicaSets(Change<ReplicaSetRow>),
    /// The revision history of StatefulSets and DaemonSets.
    ControllerRevisions(Change<ReplicaSetRow>),
    /// HorizontalPodAutoscalers.
    Hpas(Change<HpaRow>),
    Pods(Change<PodRow>),
    Events(Change<EventRow>),
    Services(Change<ServiceRow>),
    Nodes(Change<NodeRow>),
    Watch {
        resource: Resource,
        state: WatchState,
    },
    /// The API server answered a heartbeat: it is alive even when nothing
    /// changes.
    Heard,
    /// A read of the metrics API. A large read comes first in parts, as
    /// it is parsed (`UsagePart`), then its end (`Usage`, with the rest).
    Usage(metrics::UsageReport),
    /// Pods' usage of a read in progress: held aside until the read ends.
    UsagePart(metrics::Named),
    /// In a view of every namespace: the namespaces that may not be
    /// listed (not shown), or why none could be listed.
    Denied {
        namespaces: Vec<String>,
        note: Option<String>,
    },
}

impl KubeMsg {
    /// Whether the message is a word from the API server (a change, a
    /// list, an answered heartbeat or metrics read) that proves the
    /// connection. A failure does not: a usage read that timed out while
    /// the server is frozen must not make stale data look live.
    pub fn proves_connection(&self) -> bool {
        use metrics::UsageReport;
        match self {
            KubeMsg::Connected { .. }
            | KubeMsg::Workloads(..)
            | KubeMsg::ReplicaSets(_)
            | KubeMsg::ControllerRevisions(_)
            | KubeMsg::Hpas(_)
            | KubeMsg::Pods(_)
            | KubeMsg::Events(_)
            | KubeMsg::Services(_)
            | KubeMsg::Nodes(_)
            | KubeMsg::Heard
            | KubeMsg::UsagePart(_)
            | KubeMsg::Watch {
                state: WatchState::Live,
                ..
            }
            | KubeMsg::Usage(
                UsageReport::Read { .. } | UsageReport::Absent(_) | UsageReport::Forbidden(_),
            ) => true,
            KubeMsg::NoConnection(_)
            | KubeMsg::Watch {
                state: WatchState::Failing { .. },
                ..
            }
            | KubeMsg::Usage(UsageReport::Failed(_))
            | KubeMsg::Denied { .. } => false,
        }
    }
}

/// One list of the pods and ReplicaSets of the connection's namespace.
pub async fn list_pods(
    conn: &Connection,
) -> Result<(Vec<PodRow>, Vec<ReplicaSetRow>), ::kube::Error> {
    use ::kube::Api;
    use ::kube::api::ListParams;
    use k8s_openapi::api::apps::v1::ReplicaSet;
    use k8s_openapi::api::core::v1::Pod;
    let all = &ListParams::default();
    let pods = Api::<Pod>::namespaced(conn.client.clone(), &conn.namespace)
        .list(all)
        .await?
        .items
        .iter()
        .map(PodRow::from)
        .collect();
    let replicasets = Api::<ReplicaSet>::namespaced(conn.client.clone(), &conn.namespace)
        .list(all)
        .await?
        .items
        .iter()
        .map(ReplicaSetRow::from)
        .collect();
    Ok((pods, replicasets))
}

/// One list of the ControllerRevisions of the connection's namespace (the
/// revisions of its StatefulSets and DaemonSets).
pub async fn list_controller_revisions(
    conn: &Connection,
) -> Result<Vec<ReplicaSetRow>, ::kube::Error> {
    use ::kube::Api;
    use ::kube::api::ListParams;
    use k8s_openapi::api::apps::v1::ControllerRevision;
    Ok(
        Api::<ControllerRevision>::namespaced(conn.client.clone(), &conn.namespace)
            .list(&ListParams::default())
            .await?
            .items
            .iter()
            .map(ReplicaSetRow::from_controller_revision)
            .collect(),
    )
}

/// One list of the workloads of `kind` in the connection's namespace.
pub async fn list_workloads(
    conn: &Connection,
    kind: WorkloadKind,
) -> Result<Vec<WorkloadRow>, ::kube::Error> {
    use ::kube::Api;
    use ::kube::api::ListParams;
    use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
    use k8s_openapi::api::batch::v1::{CronJob, Job};
    let (client, ns, all) = (
        conn.client.clone(),
        conn.namespace.as_str(),
        &ListParams::default(),
    );
    Ok(match kind {
        WorkloadKind::Deployment => Api::<Deployment>::namespaced(client, ns)
            .list(all)
            .await?
            .items
            .iter()
            .map(WorkloadRow::from)
            .collect(),
        WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(client, ns)
            .list(all)
            .await?
            .items
            .iter()
            .map(WorkloadRow::from_statefulset)
            .collect(),
        WorkloadKind::DaemonSet => Api::<DaemonSet>::namespaced(client, ns)
            .list(all)
            .await?
            .items
            .iter()
            .map(WorkloadRow::from_daemonset)
            .collect(),
        WorkloadKind::Job => Api::<Job>::namespaced(client, ns)
            .list(all)
            .await?
            .items
            .iter()
            .map(WorkloadRow::from_job)
            .collect(),
        WorkloadKind::CronJob => Api::<CronJob>::namespaced(client, ns)
            .list(all)
            .await?
            .items
            .iter()
            .map(WorkloadRow::from_cronjob)
            .collect(),
    })
}

/// Checks what the command line named explicitly before anything starts:
/// the kubeconfig can be read, the context exists, and the files its
/// cluster and user name (certificates, keys) can be read. The error is one
/// line saying what and where. Credentials are never part of it.
pub fn preflight(kubeconfig: Option<&Path>, context: Option<&str>) -> Result<(), KubeconfigError> {
    let config = read_kubeconfig(kubeconfig)?;
    let file = kubeconfig.map_or_else(|| "the kubeconfig".to_string(), |p| p.display().to_string());
    let current = context
        .map(String::from)
        .or_else(|| config.current_context.clone())
        .ok_or_else(|| KubeconfigError::NoCurrentContext { file: file.clone() })?;
    let named = config
        .contexts
        .iter()
        .find(|c| c.name == current)
        .and_then(|c| c.context.as_ref())
        .ok_or_else(|| KubeconfigError::NoContext {
            name: current.clone(),
            file,
            known: config.contexts.iter().map(|c| c.name.clone()).collect(),
        })?;
    let readable = |what: &'static str, file: Option<&String>| match file {
        Some(f) if std::fs::metadata(f).is_err() => Err(KubeconfigError::FileUnreadable {
            context: current.clone(),
            what,
            file: f.clone(),
        }),
        _ => Ok(()),
    };
    if let Some(cluster) = config
        .clusters
        .iter()
        .find(|c| c.name == named.cluster)
        .and_then(|c| c.cluster.as_ref())
    {
        readable(
            "certificate-authority",
            cluster.certificate_authority.as_ref(),
        )?;
    }
    if let Some(user) = named.user.as_ref().and_then(|u| {
        config
            .auth_infos
            .iter()
            .find(|a| &a.name == u)
            .and_then(|a| a.auth_info.as_ref())
    }) {
        readable("client-certificate", user.client_certificate.as_ref())?;
        readable("client-key", user.client_key.as_ref())?;
        if user.exec.is_some() {
            // The plugin must give a credential now, not fail later behind
            // a RECONNECTING header: run it as the connection will.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(KubeconfigError::Runtime)?;
            rt.block_on(connect(kubeconfig, Some(&current), None))?;
        }
    }
    Ok(())
}

/// Why a kubeconfig cannot be used, or no client made from it. Each
/// message is one line that says what is wrong and where (the file, the
/// context); credentials are never part of it.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    /// The kubeconfig (`path`, or the default one when None) cannot be
    /// read or parsed.
    #[error("kubeconfig{}: {source}", .path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Unreadable {
        path: Option<std::path::PathBuf>,
        source: ::kube::config::KubeconfigError,
    },
    /// No `--context` and no current context; `file` is the path, or
    /// "the kubeconfig".
    #[error("{file} has no current context: pass --context")]
    NoCurrentContext { file: String },
    /// The context named is not in the kubeconfig (`known` are those that are).
    #[error("no context \"{name}\" in {file} (it has: {})", .known.join(", "))]
    NoContext {
        name: String,
        file: String,
        known: Vec<String>,
    },
    /// A file the context's cluster or user names (`what`:
    /// certificate-authority, client-certificate, client-key) cannot be read.
    #[error("context \"{context}\": cannot read the {what} file {file}")]
    FileUnreadable {
        context: String,
        what: &'static str,
        file: String,
    },
    /// The runtime that runs an exec plugin cannot start.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The context cannot be made into a client configuration.
    #[error("context \"{context}\": {source}")]
    Config {
        context: String,
        source: ::kube::config::KubeconfigError,
    },
    /// The client cannot be made (an exec plugin failed...): `message` is
    /// the one line of [`client_error`].
    #[error("context \"{context}\": {message}")]
    Client { context: String, message: String },
}

/// The kubeconfig at `path`, else as `kubectl` finds it.
fn read_kubeconfig(path: Option<&Path>) -> Result<Kubeconfig, KubeconfigError> {
    match path {
        Some(p) => Kubeconfig::read_from(p),
        None => Kubeconfig::read(),
    }
    .map_err(|source| KubeconfigError::Unreadable {
        path: path.map(Path::to_path_buf),
        source,
    })
}

/// A client error in one line: for a failing exec plugin, its program (not
/// its arguments or environment), exit status and the last line it wrote to
/// stderr (never its stdout, which is where a credential would be).
fn client_error(e: &::kube::Error, plugin: Option<&str>) -> String {
    use ::kube::client::AuthError;
    match e {
        ::kube::Error::Auth(AuthError::AuthExecRun { out, .. }) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| format!(": {}", l.chars().take(200).collect::<String>()))
                .unwrap_or_default();
            let cmd = plugin.unwrap_or("?");
            format!("the exec plugin `{cmd}` failed ({}){last}", out.status)
        }
        ::kube::Error::Auth(AuthError::AuthExecStart(io)) => {
            format!("cannot run the exec plugin: {io}")
        }
        ::kube::Error::Auth(AuthError::AuthExecParse(_) | AuthError::ExecPluginFailed) => {
            "the exec plugin's output is not an ExecCredential with a status".into()
        }
        other => other
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// A client for a kubeconfig context, and what it resolved to.
pub struct Connection {
    pub client: Client,
    pub context: String,
    pub namespace: String,
    pub user: String,
}

/// Connects as `kubectl` would: `--kubeconfig`, else `$KUBECONFIG`, else
/// the default file; `--context`, else the current context. The error is one
/// line that says what is wrong and where.
pub async fn connect(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
    namespace: Option<&str>,
) -> Result<Connection, KubeconfigError> {
    let config = read_kubeconfig(kubeconfig)?;
    let current = context
        .map(String::from)
        .or_else(|| config.current_context.clone())
        .ok_or_else(|| KubeconfigError::NoCurrentContext {
            file: "the kubeconfig".into(),
        })?;
    if !config.contexts.iter().any(|c| c.name == current) {
        return Err(KubeconfigError::NoContext {
            name: current,
            file: "the kubeconfig".into(),
            known: config.contexts.iter().map(|c| c.name.clone()).collect(),
        });
    }
    let user = config
        .contexts
        .iter()
        .find(|c| c.name == current)
        .and_then(|c| c.context.as_ref())
        .and_then(|c| c.user.clone())
        .unwrap_or_default();
    let plugin = config
        .auth_infos
        .iter()
        .find(|a| a.name == user)
        .and_then(|a| a.auth_info.as_ref())
        .and_then(|a| a.exec.as_ref())
        .and_then(|e| e.command.clone());
    let options = KubeConfigOptions {
        context: Some(current.clone()),
        ..KubeConfigOptions::default()
    };
    let cfg = Config::from_custom_kubeconfig(config, &options)
        .await
        .map_err(|source| KubeconfigError::Config {
            context: current.clone(),
            source,
        })?;
    let ns = namespace
        .map(String::from)
        .unwrap_or_else(|| cfg.default_namespace.clone());
    // An exec plugin runs here, once, for its first credential.
    let client = Client::try_from(cfg).map_err(|e| KubeconfigError::Client {
        context: current.clone(),
        message: client_error(&e, plugin.as_deref()),
    })?;
    Ok(Connection {
        client,
        context: current,
        namespace: ns,
        user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflight_errors_are_kinds_a_caller_can_match() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert!(matches!(
            preflight(Some(&missing), None),
            Err(KubeconfigError::Unreadable { path: Some(p), .. }) if p == missing
        ));

        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    certificate-authority: /nonexistent/ca.crt\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: dev\n  context:\n    cluster: c\n    user: u\n",
        )
        .unwrap();
        let err = preflight(Some(&path), None).unwrap_err();
        assert!(
            matches!(err, KubeconfigError::NoCurrentContext { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("{} has no current context: pass --context", path.display())
        );
        let err = preflight(Some(&path), Some("prod")).unwrap_err();
        assert!(
            matches!(&err, KubeconfigError::NoContext { name, known, .. } if name == "prod" && known == &["dev"]),
            "{err:?}"
        );
        let err = preflight(Some(&path), Some("dev")).unwrap_err();
        assert!(
            matches!(&err, KubeconfigError::FileUnreadable { context, what: "certificate-authority", .. } if context == "dev"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "context \"dev\": cannot read the certificate-authority file /nonexistent/ca.crt"
        );
    }
}
