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
    EventRow, HpaRow, NodeRow, PodRow, ReplicaSetRow, ServiceRow, WorkloadKind, WorkloadRow,
};
use super::{Change, Connection, KubeMsg, Out, Resource, WatchState};

/// Runs the watches until the task running this is aborted or the
/// UI loop is gone.
/// `pods` narrows the Pods and ReplicaSets watches to a label selector (a
/// runbook's workloads); None watches the whole namespace.
pub async fn watch_all<M: Send + 'static>(
    conn: &Connection,
    pods: Option<&str>,
    generation: u64,
    out: Out<M>,
) {
    let ns = conn.namespace.as_str();
    let all = watcher::Config::default();
    let scoped = match pods {
        Some(selector) => watcher::Config::default().labels(selector),
        None => watcher::Config::default(),
    };
    futures::join!(
        run(
            Api::<Deployment>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::Deployments,
            WorkloadRow::from,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::Deployment, c),
            generation,
            out.clone(),
        ),
        run(
            Api::<StatefulSet>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::StatefulSets,
            WorkloadRow::from_statefulset,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::StatefulSet, c),
            generation,
            out.clone(),
        ),
        run(
            Api::<DaemonSet>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::DaemonSets,
            WorkloadRow::from_daemonset,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::DaemonSet, c),
            generation,
            out.clone(),
        ),
        run(
            Api::<Job>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::Jobs,
            WorkloadRow::from_job,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::Job, c),
            generation,
            out.clone(),
        ),
        run(
            Api::<CronJob>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::CronJobs,
            WorkloadRow::from_cronjob,
            |row: &WorkloadRow| row.name.clone(),
            |c| KubeMsg::Workloads(WorkloadKind::CronJob, c),
            generation,
            out.clone(),
        ),
        run(
            Api::<HorizontalPodAutoscaler>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::Hpas,
            HpaRow::from,
            |row: &HpaRow| row.name.clone(),
            KubeMsg::Hpas,
            generation,
            out.clone(),
        ),
        run(
            Api::<ControllerRevision>::namespaced(conn.client.clone(), ns),
            scoped.clone(),
            Resource::ControllerRevisions,
            ReplicaSetRow::from_controller_revision,
            |row: &ReplicaSetRow| row.name.clone(),
            KubeMsg::ControllerRevisions,
            generation,
            out.clone(),
        ),
        run(
            Api::<ReplicaSet>::namespaced(conn.client.clone(), ns),
            scoped.clone(),
            Resource::ReplicaSets,
            ReplicaSetRow::from,
            |row: &ReplicaSetRow| row.name.clone(),
            KubeMsg::ReplicaSets,
            generation,
            out.clone(),
        ),
        run(
            Api::<Pod>::namespaced(conn.client.clone(), ns),
            scoped,
            Resource::Pods,
            PodRow::from,
            |row: &PodRow| row.name.clone(),
            KubeMsg::Pods,
            generation,
            out.clone(),
        ),
        run(
            Api::<KubeEvent>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::Events,
            EventRow::from,
            |row: &EventRow| row.name.clone(),
            KubeMsg::Events,
            generation,
            out.clone(),
        ),
        run(
            Api::<Service>::namespaced(conn.client.clone(), ns),
            all.clone(),
            Resource::Services,
            ServiceRow::from,
            |row: &ServiceRow| row.name.clone(),
            KubeMsg::Services,
            generation,
            out.clone(),
        ),
        run(
            Api::<Node>::all(conn.client.clone()),
            all,
            Resource::Nodes,
            NodeRow::from,
            |row: &NodeRow| row.name.clone(),
            KubeMsg::Nodes,
            generation,
            out,
        ),
    );
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
    project: impl Fn(&K) -> T,
    key: impl Fn(&T) -> String,
    wrap: impl Fn(Change<T>) -> KubeMsg,
    generation: u64,
    out: Out<M>,
) where
    K: KubeResource + Clone + DeserializeOwned + Debug + Send + 'static,
    T: Send,
{
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
                    futures::join!(
                        watch_all(&conn, pods.as_deref(), generation, out.clone()),
                        super::metrics::poll(
                            &conn.client,
                            &conn.namespace,
                            generation,
                            out.clone()
                        ),
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
