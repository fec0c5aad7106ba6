//! Watchers (kube-runtime) for Deployments, StatefulSets, DaemonSets, their
//! revisions (ReplicaSets, ControllerRevisions), Jobs, CronJobs,
//! HorizontalPodAutoscalers, Pods, Events and Services in one namespace. Each sends slim projections to the UI loop; a relist arrives
//! as one `Reset`, so no stale row survives a reconnect.

use std::fmt::Debug;

use ::kube::runtime::watcher::{self, Event};
use ::kube::{Api, Resource as KubeResource};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event as KubeEvent, Node, Pod, Service};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use super::model::{
    EventRow, HpaRow, NodeRow, PodRow, Qualify, ReplicaSetRow, ServiceRow, WorkloadKind,
    WorkloadRow,
};
use super::{Change, Connection, KubeMsg, Out, Resource, WatchState};

/// Runs the watches until the task running this is aborted or the
/// UI loop is gone.
/// `pods` narrows the Pods and ReplicaSets watches to a label selector (a
/// runbook's workloads); None watches the whole namespace.
pub async fn watch_all<M: Send + 'static>(
    conn: &Connection,
    scope: &Scope,
    pods: Option<&str>,
    generation: u64,
    out: Out<M>,
) {
    let client = &conn.client;
    let qualify = scope.qualifies();
    let all = watcher::Config::default();
    let scoped = match pods {
        Some(selector) => watcher::Config::default().labels(selector),
        None => watcher::Config::default(),
    };
    futures::join!(
        run(
            api::<Deployment>(client, scope),
            all.clone(),
            Resource::Deployments,
            qualify,
            WorkloadRow::from,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::Deployment, c),
            generation,
            out.clone(),
        ),
        run(
            api::<StatefulSet>(client, scope),
            all.clone(),
            Resource::StatefulSets,
            qualify,
            WorkloadRow::from_statefulset,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::StatefulSet, c),
            generation,
            out.clone(),
        ),
        run(
            api::<DaemonSet>(client, scope),
            all.clone(),
            Resource::DaemonSets,
            qualify,
            WorkloadRow::from_daemonset,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::DaemonSet, c),
            generation,
            out.clone(),
        ),
        run(
            api::<Job>(client, scope),
            all.clone(),
            Resource::Jobs,
            qualify,
            WorkloadRow::from_job,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::Job, c),
            generation,
            out.clone(),
        ),
        run(
            api::<CronJob>(client, scope),
            all.clone(),
            Resource::CronJobs,
            qualify,
            WorkloadRow::from_cronjob,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::CronJob, c),
            generation,
            out.clone(),
        ),
        run(
            api::<HorizontalPodAutoscaler>(client, scope),
            all.clone(),
            Resource::Hpas,
            qualify,
            HpaRow::from,
            |row: &HpaRow| row.name.clone(),
            KubeMsg::Hpas,
            generation,
            out.clone(),
        ),
        run(
            api::<ControllerRevision>(client, scope),
            scoped.clone(),
            Resource::ControllerRevisions,
            qualify,
            ReplicaSetRow::from_controller_revision,
            |row: &ReplicaSetRow| row.name.clone(),
            KubeMsg::ControllerRevisions,
            generation,
            out.clone(),
        ),
        run(
            api::<ReplicaSet>(client, scope),
            scoped.clone(),
            Resource::ReplicaSets,
            qualify,
            ReplicaSetRow::from,
            |row: &ReplicaSetRow| row.name.clone(),
            KubeMsg::ReplicaSets,
            generation,
            out.clone(),
        ),
        run(
            api::<Pod>(client, scope),
            scoped,
            Resource::Pods,
            // The projection qualifies the pods' names itself.
            false,
            {
                let mut pool = super::model::Pool::default();
                move |pod: &Pod| PodRow::project(pod, &mut pool, qualify)
            },
            |row: &PodRow| row.name.to_string(),
            KubeMsg::Pods,
            generation,
            out.clone(),
        ),
        run(
            api::<KubeEvent>(client, scope),
            all.clone(),
            Resource::Events,
            qualify,
            EventRow::from,
            |row: &EventRow| row.name.clone(),
            KubeMsg::Events,
            generation,
            out.clone(),
        ),
        run(
            api::<Service>(client, scope),
            all.clone(),
            Resource::Services,
            qualify,
            ServiceRow::from,
            |row: &ServiceRow| row.name.clone(),
            KubeMsg::Services,
            generation,
            out.clone(),
        ),
    );
}

/// Which namespaces the watches cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The connection's namespace; names as they are.
    One(String),
    /// Every namespace at once (cluster-scoped lists); names qualified.
    All,
    /// One namespace of a view of every namespace (when lists across all
    /// of them are refused); names qualified.
    Part(String),
}

impl Scope {
    fn qualifies(&self) -> bool {
        !matches!(self, Scope::One(_))
    }
}

fn api<K>(client: &::kube::Client, scope: &Scope) -> Api<K>
where
    K: KubeResource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as KubeResource>::DynamicType: Default,
{
    match scope {
        Scope::All => Api::all(client.clone()),
        Scope::One(ns) | Scope::Part(ns) => Api::namespaced(client.clone(), ns),
    }
}

/// How long the probes of what may be listed may take.
const PROBE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether Deployments may be listed in `namespace` (None: across all).
async fn may_list(client: &::kube::Client, namespace: Option<&str>) -> Result<(), String> {
    use ::kube::api::ListParams;
    let api: Api<Deployment> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    match tokio::time::timeout(PROBE_DEADLINE, api.list(&ListParams::default().limit(1))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(::kube::Error::Api(s))) if s.code == 403 => Err(s.message),
        // Anything else is the watches' to report, as they retry.
        Ok(Err(_)) | Err(_) => Ok(()),
    }
}

/// The scopes of a view of every namespace: all at once when the user may
/// list across namespaces; else each namespace they may list, one by one,
/// with those refused reported (and, when namespaces cannot be listed
/// either, the connection's namespace alone).
async fn every_namespace(conn: &Connection) -> (Vec<Scope>, KubeMsg) {
    use ::kube::api::ListParams;
    use k8s_openapi::api::core::v1::Namespace;
    if may_list(&conn.client, None).await.is_ok() {
        return (
            vec![Scope::All],
            KubeMsg::Denied {
                namespaces: Vec::new(),
                note: None,
            },
        );
    }
    let api: Api<Namespace> = Api::all(conn.client.clone());
    let names = match tokio::time::timeout(PROBE_DEADLINE, api.list(&ListParams::default())).await {
        Ok(Ok(list)) => list
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect::<Vec<_>>(),
        Ok(Err(e)) => {
            let why = match e {
                ::kube::Error::Api(s) => s.message,
                other => other.to_string(),
            };
            return (
                vec![Scope::Part(conn.namespace.clone())],
                KubeMsg::Denied {
                    namespaces: Vec::new(),
                    note: Some(format!(
                        "namespaces cannot be listed ({why}): showing {} only",
                        conn.namespace
                    )),
                },
            );
        }
        Err(_) => {
            return (
                vec![Scope::Part(conn.namespace.clone())],
                KubeMsg::Denied {
                    namespaces: Vec::new(),
                    note: Some(format!(
                        "namespaces were not listed within {} s: showing {} only",
                        PROBE_DEADLINE.as_secs(),
                        conn.namespace
                    )),
                },
            );
        }
    };
    let checked = futures::future::join_all(
        names
            .iter()
            .map(|ns| async move { (ns.clone(), may_list(&conn.client, Some(ns)).await) }),
    )
    .await;
    let mut scopes = Vec::new();
    let mut denied = Vec::new();
    for (ns, allowed) in checked {
        match allowed {
            Ok(()) => scopes.push(Scope::Part(ns)),
            Err(_) => denied.push(ns),
        }
    }
    (
        scopes,
        KubeMsg::Denied {
            namespaces: denied,
            note: None,
        },
    )
}

/// The cluster's nodes (cluster-scoped: one watch whatever the scope).
pub async fn watch_nodes<M: Send + 'static>(conn: &Connection, generation: u64, out: Out<M>) {
    run(
        Api::<Node>::all(conn.client.clone()),
        watcher::Config::default(),
        Resource::Nodes,
        false,
        NodeRow::from,
        |row: &NodeRow| row.name.clone(),
        KubeMsg::Nodes,
        generation,
        out,
    )
    .await;
}

/// The error text, and whether RBAC refused the request.
fn describe(e: &watcher::Error) -> (String, bool) {
    let api = match e {
        watcher::Error::InitialListFailed(::kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(::kube::Error::Api(s))
        | watcher::Error::WatchFailed(::kube::Error::Api(s)) => Some((s.code, s.message.clone())),
        watcher::Error::WatchError(s) => Some((s.code, s.message.clone())),
        _ => None,
    };
    match api {
        Some((403, message)) => (message, true),
        Some((_, message)) => (message, false),
        None => (e.to_string(), false),
    }
}

#[allow(clippy::too_many_arguments)]
async fn run<K, T, M: Send + 'static>(
    api: Api<K>,
    config: watcher::Config,
    resource: Resource,
    qualify: bool,
    mut project: impl FnMut(&K) -> T,
    key: impl Fn(&T) -> String,
    wrap: impl Fn(Change<T>) -> KubeMsg,
    generation: u64,
    out: Out<M>,
) where
    K: KubeResource + Clone + DeserializeOwned + Debug + Send + 'static,
    T: Send + Qualify,
{
    // In a view of every namespace, names carry their namespace.
    let mut project = |obj: &K| {
        let mut row = project(obj);
        if qualify && let Some(ns) = obj.meta().namespace.as_deref() {
            row.qualify(ns);
        }
        row
    };
    let mut live = false;
    let mut pause = FIRST_PAUSE;
    // After a failure the watch starts over with a list: a watch that
    // resumed quietly would send nothing, and the header would say
    // RECONNECTING until the next change; the list proves the connection
    // and replaces the state.
    loop {
        let mut stream = watcher::watcher(api.clone(), config.clone()).boxed();
        let mut listing: Option<Vec<T>> = None;
        while let Some(event) = stream.next().await {
            let failed = event.is_err();
            let msg = match event {
                Ok(Event::Init) => {
                    listing = Some(Vec::new());
                    None
                }
                Ok(Event::InitApply(obj)) => {
                    if let Some(l) = listing.as_mut() {
                        l.push(project(&obj));
                    }
                    None
                }
                Ok(Event::InitDone) => {
                    Some(wrap(Change::Reset(listing.take().unwrap_or_default())))
                }
                Ok(Event::Apply(obj)) => Some(wrap(Change::Upsert(project(&obj)))),
                Ok(Event::Delete(obj)) => Some(wrap(Change::Delete(key(&project(&obj))))),
                Err(e) => {
                    live = false;
                    let (error, forbidden) = describe(&e);
                    tracing::warn!(resource = resource.name(), "watch failed: {error}");
                    Some(KubeMsg::Watch {
                        resource,
                        state: WatchState::Failing { error, forbidden },
                    })
                }
            };
            let Some(msg) = msg else { continue };
            if !out.send(generation, msg).await {
                return;
            }
            if failed {
                break;
            }
            pause = FIRST_PAUSE;
            if !live {
                live = true;
                let live_now = KubeMsg::Watch {
                    resource,
                    state: WatchState::Live,
                };
                if !out.send(generation, live_now).await {
                    return;
                }
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// The pause before a failed watch starts over, doubling up to `MAX_PAUSE`
/// while it keeps failing.
const FIRST_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);
const MAX_PAUSE: std::time::Duration = std::time::Duration::from_secs(30);

/// Connects in the background, then watches; the UI hears `Connected` or
/// `NoConnection`, then the watches. Everything stops when the returned
/// guard is dropped.
pub fn connect_and_watch<M: Send + 'static>(
    kubeconfig: Option<std::path::PathBuf>,
    target: crate::runbook::select::Target,
    pods: Option<String>,
    generation: u64,
    out: Out<M>,
    shared: Shared,
) -> WatchTask {
    let task = tokio::spawn(async move {
        match super::connect(
            kubeconfig.as_deref(),
            target.context.as_deref(),
            target.namespace.as_deref(),
        )
        .await
        {
            Ok(conn) => {
                if let Ok(mut s) = shared.lock() {
                    *s = Some((
                        conn.client.clone(),
                        conn.user.clone(),
                        conn.namespace.clone(),
                    ));
                }
                let hello = KubeMsg::Connected {
                    context: conn.context.clone(),
                    namespace: conn.namespace.clone(),
                    user: conn.user.clone(),
                };
                if out.send(generation, hello).await {
                    let scopes = if target.all_namespaces {
                        let (scopes, denied) = every_namespace(&conn).await;
                        if !out.send(generation, denied).await {
                            return;
                        }
                        scopes
                    } else {
                        vec![Scope::One(conn.namespace.clone())]
                    };
                    // Every namespace: the whole of each, not the runbook's
                    // pods only.
                    let pods = if target.all_namespaces { None } else { pods };
                    let metrics = match scopes.as_slice() {
                        [Scope::All] => super::metrics::Where::All,
                        [Scope::One(ns)] => super::metrics::Where::One(ns.clone()),
                        parts => super::metrics::Where::Some(
                            parts
                                .iter()
                                .filter_map(|s| match s {
                                    Scope::Part(ns) | Scope::One(ns) => Some(ns.clone()),
                                    Scope::All => None,
                                })
                                .collect(),
                        ),
                    };
                    futures::join!(
                        futures::future::join_all(scopes.iter().map(|scope| watch_all(
                            &conn,
                            scope,
                            pods.as_deref(),
                            generation,
                            out.clone()
                        ))),
                        watch_nodes(&conn, generation, out.clone()),
                        super::metrics::poll(&conn.client, &metrics, generation, out.clone()),
                        heartbeat(&conn.client, generation, out),
                    );
                }
            }
            Err(e) => {
                out.send(generation, KubeMsg::NoConnection(e.to_string()))
                    .await;
            }
        }
    });
    WatchTask(task)
}

/// How often the API server is asked for its version while the watches
/// are quiet, and how long an answer may take.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);

/// Asks the server for its version every `HEARTBEAT` (a cheap request),
/// so that a server that stops answering (frozen, partitioned) is seen as
/// silent, while a quiet but healthy one is not. Ends with the UI loop.
async fn heartbeat<M>(client: &::kube::Client, generation: u64, out: Out<M>) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let answered = tokio::time::timeout(HEARTBEAT, client.apiserver_version()).await;
        if let Ok(Ok(_)) = answered
            && !out.send(generation, KubeMsg::Heard).await
        {
            return;
        }
        if out.is_closed() {
            return;
        }
    }
}

/// The client and kube user, once connected, for the action executor.
/// (client, kube user, namespace)
pub type Shared = std::sync::Arc<std::sync::Mutex<Option<(::kube::Client, String, String)>>>;

/// The connection and its watches; aborted when dropped.
pub struct WatchTask(JoinHandle<()>);

impl Drop for WatchTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}
