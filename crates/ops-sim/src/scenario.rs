//! Scenarios: what the simulated cluster holds when it starts.
//!
//! - `go-live`: `api`, `worker` and a blue-green `web` in `shop-prod`; a
//!   release of `api` is rolling out and the switch of `web` to green is
//!   pending. Beside them run the StatefulSet `db` (three PostgreSQL pods,
//!   two ControllerRevisions of history: 16.3, then 16.4) and the DaemonSet
//!   `log-agent` (a pod on each of the three nodes). The release's schema
//!   migration, the Job `db-migrate`, ran to completion before it; the
//!   CronJob `report-nightly` (03:00 UTC) has one successful run behind it;
//!   an HPA keeps `worker` between 2 and 6 replicas at 70% CPU (2 under the
//!   scenario's load).
//! - `incident`: a `bad` release of `api` has just rolled out; errors and
//!   latency climb until it is rolled back. `db` and `log-agent` as in
//!   `go-live`; of the release's Jobs, `db-migrate` completed and
//!   `cache-rebuild` failed (BackoffLimitExceeded).
//! - `scale`: many workloads and pods, for benchmarks: of every 25
//!   workloads one is a StatefulSet and one a DaemonSet, the rest
//!   Deployments.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::json;

use super::cluster::Cluster;
use super::controller::{self, CHANGE_CAUSE, admission};
use super::store::{Kind, Typed};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ScenarioName {
    GoLive,
    Incident,
    Scale,
}

impl ScenarioName {
    /// Days until the api's HTTPS certificate expires: in the incident it
    /// is close, so its probe warns.
    pub fn cert_days(self) -> i64 {
        match self {
            ScenarioName::Incident => 10,
            _ => 60,
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            ScenarioName::GoLive | ScenarioName::Incident => "shop-prod",
            ScenarioName::Scale => "scale",
        }
    }
}

/// Size of the `scale` scenario, and how many namespaces a scenario
/// spreads over.
#[derive(Debug, Clone, Copy)]
pub struct ScaleSize {
    /// Workloads: Deployments, with one StatefulSet and one DaemonSet in
    /// every 25.
    pub deployments: usize,
    pub pods: usize,
    /// Namespaces: `scale` spreads its workloads over this many (`scale`,
    /// then `scale-1` … `scale-<N-1>`, each a run of consecutive
    /// workloads); `go-live` and `incident` add the namespace `payments`
    /// (two Deployments) when it is 2 or more. 1 keeps one namespace.
    pub namespaces: usize,
}

/// The namespace the `scale` scenario puts its `i`th of `n` workloads in,
/// of `namespaces`.
pub fn scale_namespace(i: usize, n: usize, namespaces: usize) -> String {
    let namespaces = namespaces.max(1);
    match i * namespaces / n.max(1) {
        0 => ScenarioName::Scale.namespace().to_string(),
        k => format!("{}-{k}", ScenarioName::Scale.namespace()),
    }
}

/// The second namespace of `go-live` and `incident`, with more than one.
pub const PAYMENTS: &str = "payments";

/// What the `scale` scenario makes its `i`th workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleWorkload {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl ScaleWorkload {
    pub fn of(i: usize) -> ScaleWorkload {
        match i % 25 {
            12 => ScaleWorkload::StatefulSet,
            24 => ScaleWorkload::DaemonSet,
            _ => ScaleWorkload::Deployment,
        }
    }
}

impl Default for ScaleSize {
    fn default() -> ScaleSize {
        ScaleSize {
            deployments: 500,
            pods: 20_000,
            namespaces: 1,
        }
    }
}

/// A Deployment as the API server would store it after defaulting.
pub fn deployment(
    ns: &str,
    name: &str,
    replicas: i32,
    image: &str,
    labels: &[(&str, &str)],
    cause: &str,
) -> Deployment {
    let mut all: BTreeMap<String, String> = BTreeMap::from([(
        "app".to_string(),
        name.split('-').next().unwrap_or(name).to_string(),
    )]);
    for (k, v) in labels {
        all.insert((*k).to_string(), (*v).to_string());
    }
    let container = name.split('-').next().unwrap_or(name);
    let value = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": all,
            "annotations": {CHANGE_CAUSE: cause},
            "generation": 1
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": all},
            "template": {
                "metadata": {"labels": all},
                "spec": {"containers": [{
                    "name": container,
                    "image": image,
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                    "resources": {"limits": {"memory": "512Mi", "cpu": "500m"}, "requests": {"memory": "256Mi", "cpu": "100m"}}
                }]}
            }
        }
    });
    let mut d: Deployment = serde_json::from_value(value).unwrap_or_default();
    admission::default_deployment(&mut d.spec);
    d
}

/// A pod template of one container, labelled `app: <name>`.
fn pod_template(name: &str, image: &str, port: (&str, i32)) -> serde_json::Value {
    json!({
        "metadata": {"labels": {"app": name}},
        "spec": {"containers": [{
            "name": name,
            "image": image,
            "ports": [{"containerPort": port.1, "name": port.0, "protocol": "TCP"}],
            "resources": {"limits": {"memory": "512Mi", "cpu": "500m"}, "requests": {"memory": "256Mi", "cpu": "100m"}}
        }]}
    })
}

/// A StatefulSet as the API server would store it after defaulting.
pub fn statefulset(
    ns: &str,
    name: &str,
    replicas: i32,
    image: &str,
    port: (&str, i32),
    cause: &str,
) -> StatefulSet {
    let value = json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"app": name},
            "annotations": {CHANGE_CAUSE: cause},
            "generation": 1
        },
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": pod_template(name, image, port)
        }
    });
    let mut s: StatefulSet = serde_json::from_value(value).unwrap_or_default();
    admission::default_statefulset(&mut s.spec);
    s
}

/// A DaemonSet as the API server would store it after defaulting.
pub fn daemonset(ns: &str, name: &str, image: &str, port: (&str, i32)) -> DaemonSet {
    let value = json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"app": name},
            "annotations": {super::controller::history::TEMPLATE_GENERATION: "1"},
            "generation": 1
        },
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": pod_template(name, image, port)
        }
    });
    let mut d: DaemonSet = serde_json::from_value(value).unwrap_or_default();
    admission::default_daemonset(&mut d.spec);
    d
}

/// Changes a StatefulSet's image, as `kubectl set image` would.
pub fn set_statefulset_image(
    cluster: &mut Cluster,
    ns: &str,
    name: &str,
    image: &str,
    cause: &str,
) {
    if let Some(mut s) = cluster.store.get_typed::<StatefulSet>(ns, name) {
        if let Some(spec) = s.spec.template.spec.as_mut() {
            for c in &mut spec.containers {
                c.image = Some(image.to_string());
            }
        }
        s.metadata.generation = Some(s.metadata.generation.unwrap_or(1) + 1);
        s.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(CHANGE_CAUSE.into(), cause.into());
        cluster.store.put_typed(s);
    }
}

/// The database and the log agent of the shop scenarios: `db` has been
/// upgraded once, so it has two revisions. Leaves the cluster settled.
fn shop_stateful(cluster: &mut Cluster, ns: &str) {
    cluster.store.put_typed(statefulset(
        ns,
        "db",
        3,
        "registry.example.com/shop/postgres:16.3",
        ("postgres", 5432),
        "postgres 16.3",
    ));
    cluster.store.put_typed(daemonset(
        ns,
        "log-agent",
        "registry.example.com/platform/log-agent:3.2.1",
        ("metrics", 2020),
    ));
    settle(cluster);
    set_statefulset_image(
        cluster,
        ns,
        "db",
        "registry.example.com/shop/postgres:16.4",
        "postgres 16.4",
    );
    settle(cluster);
}

pub fn service(ns: &str, name: &str, selector: &[(&str, &str)]) -> Service {
    let selector: BTreeMap<&str, &str> = selector.iter().copied().collect();
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": selector,
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
            "type": "ClusterIP",
            "clusterIP": format!("10.96.{}.{}", fastrand::u8(1..250), fastrand::u8(1..250))
        }
    }))
    .unwrap_or_default()
}

fn namespace(cluster: &mut Cluster, name: &str) {
    let ns: Namespace = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    }))
    .unwrap_or_default();
    cluster.store.put_typed(ns);
}

/// Changes a Deployment's image, as `kubectl set image` would.
pub fn set_image(cluster: &mut Cluster, ns: &str, name: &str, image: &str, cause: &str) {
    if let Some(mut d) = cluster.store.get_typed::<Deployment>(ns, name) {
        if let Some(spec) = d.spec.template.spec.as_mut() {
            for c in &mut spec.containers {
                c.image = Some(image.to_string());
            }
        }
        d.metadata.generation = Some(d.metadata.generation.unwrap_or(1) + 1);
        d.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(CHANGE_CAUSE.into(), cause.into());
        cluster.store.put_typed(d);
    }
}

/// Runs the controllers with every pod made ready at once, until nothing
/// changes: the state a cluster reaches when left alone for a while.
pub fn settle(cluster: &mut Cluster) {
    for _ in 0..50 {
        let before = cluster.store.resource_version();
        controller::tick(cluster);
        for obj in cluster.store.list(Kind::Pod, None) {
            let Some(pod) = Pod::peek(&obj) else { continue };
            if pod.metadata.deletion_timestamp.is_some() {
                cluster.store.delete(Kind::Pod, obj.namespace(), obj.name());
            } else if controller::owned_by_job(&pod.metadata) {
                settle_job_pod(cluster, pod);
            } else if !controller::is_ready(pod) {
                let mut pod = pod.clone();
                let ip = cluster.next_pod_ip();
                let node = controller::pod_node(&pod).unwrap_or_else(|| {
                    cluster.node_names[fastrand::usize(..cluster.node_names.len())].clone()
                });
                controller::settle_pod(&mut pod, ip, node);
                cluster.store.put_typed(pod);
            }
        }
        controller::tick(cluster);
        if cluster.store.resource_version() == before {
            return;
        }
    }
}

/// How long a settled Job's pod ran, and the pause before the next one.
const JOB_POD_RUN: i64 = 9;
const JOB_POD_EVERY: i64 = 15;

/// Finishes a Job's pod as if it had run ten minutes ago, each of a Job's
/// pods after the one before (so that a failed one's back-off has passed).
fn settle_job_pod(cluster: &mut Cluster, pod: &Pod) {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    if matches!(phase, Some("Succeeded" | "Failed")) {
        return;
    }
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .map(|o| o.uid.clone())
        .next()
        .unwrap_or_default();
    let earlier = cluster
        .store
        .list_typed::<Pod>(pod.metadata.namespace.as_deref())
        .iter()
        .filter(|p| controller::owned_by(&p.metadata, &owner))
        .filter(|p| {
            matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .count() as i64;
    let started =
        jiff::Timestamp::now() - jiff::SignedDuration::from_secs(600 - earlier * JOB_POD_EVERY);
    let ended = started + jiff::SignedDuration::from_secs(JOB_POD_RUN);
    let mut pod = pod.clone();
    let ip = cluster.next_pod_ip();
    let node = cluster.node_names[fastrand::usize(..cluster.node_names.len())].clone();
    controller::settle_finished_pod(&mut pod, ip, node, Time(started), Time(ended));
    cluster.store.put_typed(pod);
}

/// A container's name from its image: `registry/shop/migrate:1.5.0` is
/// `migrate`.
fn container_of(image: &str) -> &str {
    let path = image.rsplit_once(':').map_or(image, |(p, _)| p);
    path.rsplit('/').next().unwrap_or(path)
}

/// A Job as the API server stores it after defaulting.
pub fn job(
    cluster: &mut Cluster,
    ns: &str,
    name: &str,
    image: &str,
    restart: &str,
    backoff_limit: i32,
) -> Job {
    let container = container_of(image);
    let value = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "backoffLimit": backoff_limit,
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "restartPolicy": restart,
                    "containers": [{
                        "name": container,
                        "image": image,
                        "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}, "requests": {"memory": "128Mi", "cpu": "100m"}}
                    }]
                }
            }
        }
    });
    let mut j: Job = serde_json::from_value(value).unwrap_or_default();
    admission::admit_new_job(&mut cluster.store, &mut j);
    j
}

/// A CronJob as the API server stores it after defaulting.
pub fn cronjob(ns: &str, name: &str, schedule: &str, image: &str) -> CronJob {
    let container = container_of(image);
    let value = json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": ns, "generation": 1},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {"spec": {"backoffLimit": 2, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "containers": [{
                        "name": container,
                        "image": image,
                        "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}, "requests": {"memory": "128Mi", "cpu": "100m"}}
                    }]
                }
            }}}
        }
    });
    let mut c: CronJob = serde_json::from_value(value).unwrap_or_default();
    admission::default_cronjob(&mut c);
    c
}

/// An `autoscaling/v2` HPA on a Deployment's CPU, after defaulting.
pub fn hpa(ns: &str, name: &str, min: i32, max: i32, cpu: i32) -> HorizontalPodAutoscaler {
    let value = json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": ns, "generation": 1},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": min,
            "maxReplicas": max,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}}}]
        }
    });
    let mut h: HorizontalPodAutoscaler = serde_json::from_value(value).unwrap_or_default();
    admission::default_hpa(&mut h);
    h
}

fn shifted(t: &Option<Time>, by: jiff::SignedDuration) -> Option<Time> {
    t.as_ref().map(|t| Time(t.0 + by))
}

/// Gives a finished Job the times of its pods (it was created just before
/// the first and finished just after the last), then moves it and its
/// pods by `by`.
fn age_job(cluster: &mut Cluster, ns: &str, name: &str, by: jiff::SignedDuration) {
    let Some(mut job) = cluster.store.get_typed::<Job>(ns, name) else {
        return;
    };
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let pods: Vec<Pod> = cluster
        .store
        .list_typed::<Pod>(Some(ns))
        .into_iter()
        .filter(|p| controller::owned_by(&p.metadata, &uid))
        .collect();
    let first = pods
        .iter()
        .filter_map(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0))
        .min();
    let last = pods
        .iter()
        .flat_map(|p| {
            p.status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
        })
        .filter_map(|c| {
            c.state
                .as_ref()?
                .terminated
                .as_ref()?
                .finished_at
                .as_ref()
                .map(|t| t.0)
        })
        .max();
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    let second = jiff::SignedDuration::from_secs(1);
    job.metadata.creation_timestamp = Some(Time(first - second + by));
    if let Some(status) = job.status.as_mut() {
        status.start_time = Some(Time(first + by));
        let done = Time(last + second + by);
        if status.completion_time.is_some() {
            status.completion_time = Some(done.clone());
        }
        for c in status.conditions.iter_mut().flatten() {
            c.last_probe_time = Some(done.clone());
            c.last_transition_time = Some(done.clone());
        }
    }
    cluster.store.put_typed(job);
    for mut pod in pods {
        pod.metadata.creation_timestamp = shifted(&pod.metadata.creation_timestamp, by);
        if let Some(status) = pod.status.as_mut() {
            status.start_time = shifted(&status.start_time, by);
            for c in status.conditions.iter_mut().flatten() {
                c.last_transition_time = shifted(&c.last_transition_time, by);
            }
            for c in status.container_statuses.iter_mut().flatten() {
                if let Some(t) = c.state.as_mut().and_then(|s| s.terminated.as_mut()) {
                    t.started_at = shifted(&t.started_at, by);
                    t.finished_at = shifted(&t.finished_at, by);
                }
            }
        }
        cluster.store.put_typed(pod);
    }
}

/// The CronJob's past runs, moved to the times they were scheduled at.
fn age_cronjob(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(mut cj) = cluster.store.get_typed::<CronJob>(ns, name) else {
        return;
    };
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let mut last_success: Option<Time> = None;
    for job in cluster.store.list_typed::<Job>(Some(ns)) {
        if !controller::owned_by(&job.metadata, &uid) {
            continue;
        }
        let scheduled = job
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(controller::SCHEDULED_TIMESTAMP))
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        let pods_start = cluster
            .store
            .list_typed::<Pod>(Some(ns))
            .iter()
            .filter(|p| {
                controller::owned_by(&p.metadata, job.metadata.uid.as_deref().unwrap_or(""))
            })
            .filter_map(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0))
            .min();
        let (Some(scheduled), Some(start)) = (scheduled, pods_start) else {
            continue;
        };
        let by = scheduled.duration_since(start) + jiff::SignedDuration::from_secs(2);
        age_job(cluster, ns, job.metadata.name.as_deref().unwrap_or(""), by);
        if let Some(done) = cluster
            .store
            .get_typed::<Job>(ns, job.metadata.name.as_deref().unwrap_or(""))
            .and_then(|j| j.status?.completion_time)
        {
            last_success = Some(
                last_success.map_or(done.clone(), |l: Time| if done.0 > l.0 { done } else { l }),
            );
        }
    }
    if let Some(status) = cj.status.as_mut() {
        if last_success.is_some() {
            status.last_successful_time = last_success;
        }
        cluster.store.put_typed(cj);
    }
}

/// Makes everything look a few minutes old, as a cluster found running.
fn backdate(cluster: &mut Cluster) {
    let earlier = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        jiff::Timestamp::now() - jiff::SignedDuration::from_secs(300),
    );
    for kind in [
        Kind::Namespace,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::ControllerRevision,
        Kind::Service,
        Kind::HorizontalPodAutoscaler,
    ] {
        for obj in cluster.store.list(kind, None) {
            let mut obj = (*obj).clone();
            obj.meta_mut().creation_timestamp = Some(earlier.clone());
            cluster.store.put(obj);
        }
    }
    for obj in cluster.store.list(Kind::Event, None) {
        if let super::store::Obj::Event(e) = &*obj {
            let mut e = e.clone();
            e.first_timestamp = Some(earlier.clone());
            e.last_timestamp = Some(earlier.clone());
            cluster.store.put_typed(e);
        }
    }
}

/// Fills the cluster for a scenario.
pub fn seed(cluster: &mut Cluster, scenario: ScenarioName, size: ScaleSize) {
    let ns = scenario.namespace();
    namespace(cluster, "default");
    namespace(cluster, ns);
    if size.namespaces > 1 && scenario != ScenarioName::Scale {
        payments(cluster);
    }
    match scenario {
        ScenarioName::GoLive => {
            for d in [
                deployment(
                    ns,
                    "api",
                    3,
                    "registry.example.com/shop/api:1.4.2",
                    &[],
                    "release 1.4.2",
                ),
                deployment(
                    ns,
                    "worker",
                    2,
                    "registry.example.com/shop/worker:1.4.2",
                    &[],
                    "release 1.4.2",
                ),
                deployment(
                    ns,
                    "web-blue",
                    2,
                    "registry.example.com/shop/web:2.3.0",
                    &[("version", "blue")],
                    "release 2.3.0",
                ),
                deployment(
                    ns,
                    "web-green",
                    2,
                    "registry.example.com/shop/web:2.4.0",
                    &[("version", "green")],
                    "release 2.4.0",
                ),
            ] {
                cluster.store.put_typed(d);
            }
            for s in [
                service(ns, "api", &[("app", "api")]),
                service(ns, "worker", &[("app", "worker")]),
                service(ns, "web", &[("app", "web"), ("version", "blue")]),
            ] {
                cluster.store.put_typed(s);
            }
            let migrate = job(
                cluster,
                ns,
                "db-migrate",
                "registry.example.com/shop/migrate:1.5.0",
                "Never",
                6,
            );
            cluster.store.put_typed(migrate);
            // Made two days ago, so that it has run at the last 03:00.
            let mut report = cronjob(
                ns,
                "report-nightly",
                "0 3 * * *",
                "registry.example.com/shop/report:1.4.2",
            );
            report.metadata.creation_timestamp = Some(Time(
                jiff::Timestamp::now() - jiff::SignedDuration::from_hours(48),
            ));
            cluster.store.put_typed(report);
            settle(cluster);
            shop_stateful(cluster, ns);
            // The autoscaler, once worker's pods run: its first look finds
            // them.
            cluster.store.put_typed(hpa(ns, "worker", 2, 6, 70));
            settle(cluster);
            age_job(cluster, ns, "db-migrate", jiff::SignedDuration::ZERO);
            age_cronjob(cluster, ns, "report-nightly");
            backdate(cluster);
            // The release being rolled out when the console opens.
            set_image(
                cluster,
                ns,
                "api",
                "registry.example.com/shop/api:1.5.0",
                "release 1.5.0",
            );
        }
        ScenarioName::Incident => {
            for d in [
                deployment(
                    ns,
                    "api",
                    3,
                    "registry.example.com/shop/api:1.4.2",
                    &[],
                    "release 1.4.2",
                ),
                deployment(
                    ns,
                    "worker",
                    2,
                    "registry.example.com/shop/worker:1.4.2",
                    &[],
                    "release 1.4.2",
                ),
                deployment(
                    ns,
                    "web",
                    2,
                    "registry.example.com/shop/web:2.3.0",
                    &[],
                    "release 2.3.0",
                ),
            ] {
                cluster.store.put_typed(d);
            }
            for s in [
                service(ns, "api", &[("app", "api")]),
                service(ns, "worker", &[("app", "worker")]),
                service(ns, "web", &[("app", "web")]),
            ] {
                cluster.store.put_typed(s);
            }
            // The release's schema migration ran; its cache rebuild failed
            // three times.
            let migrate = job(
                cluster,
                ns,
                "db-migrate",
                "registry.example.com/shop/migrate:1.5.0",
                "Never",
                6,
            );
            cluster.store.put_typed(migrate);
            let rebuild = job(
                cluster,
                ns,
                "cache-rebuild",
                "registry.example.com/shop/cache-rebuild:1.5.0-fail",
                "Never",
                2,
            );
            cluster.store.put_typed(rebuild);
            settle(cluster);
            shop_stateful(cluster, ns);
            age_job(cluster, ns, "cache-rebuild", jiff::SignedDuration::ZERO);
            age_job(cluster, ns, "db-migrate", jiff::SignedDuration::ZERO);
            backdate(cluster);
            // The bad release has just finished rolling out.
            set_image(
                cluster,
                ns,
                "api",
                "registry.example.com/shop/api:1.5.0-bad",
                "release 1.5.0",
            );
            settle(cluster);
        }
        ScenarioName::Scale => {
            let n = size.deployments.max(1);
            // A DaemonSet runs a pod on each node; the other workloads
            // share the rest of the pods.
            let daemons = (0..n)
                .filter(|i| ScaleWorkload::of(*i) == ScaleWorkload::DaemonSet)
                .count();
            let pods = size.pods.saturating_sub(daemons * cluster.node_names.len());
            let shared = (n - daemons).max(1);
            let mut k = 0;
            for i in 0..n {
                let kind = ScaleWorkload::of(i);
                let replicas = if kind == ScaleWorkload::DaemonSet {
                    0
                } else {
                    k += 1;
                    pods / shared + usize::from(k - 1 < pods % shared)
                };
                let ns = &scale_namespace(i, n, size.namespaces);
                if cluster.store.get(Kind::Namespace, "", ns).is_none() {
                    namespace(cluster, ns);
                }
                match kind {
                    ScaleWorkload::Deployment => {
                        let name = format!("app-{i:04}");
                        cluster.store.put_typed(deployment(
                            ns,
                            &name,
                            replicas as i32,
                            "registry.example.com/scale/app:1.0",
                            &[("app", &name)],
                            "initial",
                        ));
                    }
                    ScaleWorkload::StatefulSet => {
                        let mut s = statefulset(
                            ns,
                            &format!("store-{i:04}"),
                            replicas as i32,
                            "registry.example.com/scale/store:1.0",
                            ("data", 7000),
                            "initial",
                        );
                        s.spec.pod_management_policy = Some("Parallel".into());
                        cluster.store.put_typed(s);
                    }
                    ScaleWorkload::DaemonSet => {
                        cluster.store.put_typed(daemonset(
                            ns,
                            &format!("agent-{i:04}"),
                            "registry.example.com/scale/agent:1.0",
                            ("metrics", 9100),
                        ));
                    }
                }
            }
            settle(cluster);
            backdate(cluster);
        }
    }
}

/// The namespace `payments` beside the shop: a `gateway` of two replicas
/// and a `ledger` of one, settled.
fn payments(cluster: &mut Cluster) {
    namespace(cluster, PAYMENTS);
    for d in [
        deployment(
            PAYMENTS,
            "gateway",
            2,
            "registry.example.com/payments/gateway:3.1.0",
            &[],
            "release 3.1.0",
        ),
        deployment(
            PAYMENTS,
            "ledger",
            1,
            "registry.example.com/payments/ledger:2.0.4",
            &[],
            "release 2.0.4",
        ),
    ] {
        cluster.store.put_typed(d);
    }
    settle(cluster);
}

/// The queries the demo runbook's signals send, in namespace `ns`, and what
/// they measure. `runbooks/demo.toml` writes the same text with
/// `${namespace}`; a test keeps the two in step.
pub fn queries(ns: &str) -> Vec<super::prom::Registered> {
    use super::prom::{Measure, Registered};
    let q = |query: String, measure| Registered {
        query,
        service: "api".into(),
        measure,
    };
    vec![
        q(
            format!(
                "sum(rate(http_requests_total{{namespace=\"{ns}\",service=\"api\",status=~\"5..\"}}[5m])) / sum(rate(http_requests_total{{namespace=\"{ns}\",service=\"api\"}}[5m]))"
            ),
            Measure::ErrorRatio,
        ),
        q(
            format!(
                "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{namespace=\"{ns}\",service=\"api\"}}[5m])))"
            ),
            Measure::P95Latency,
        ),
        q(
            format!(
                "max(container_memory_working_set_bytes{{namespace=\"{ns}\",container=\"api\"}} / on(namespace, pod, container) kube_pod_container_resource_limits{{namespace=\"{ns}\",container=\"api\",resource=\"memory\"}})"
            ),
            Measure::MemoryRatio,
        ),
        q(
            format!("sum(rate(http_requests_total{{namespace=\"{ns}\",service=\"api\"}}[5m]))"),
            Measure::RequestRate,
        ),
        q(
            format!(
                "sum by (pod) (rate(http_pod_requests_total{{namespace=\"{ns}\",service=\"api\",status=~\"5..\"}}[5m])) / sum by (pod) (rate(http_pod_requests_total{{namespace=\"{ns}\",service=\"api\"}}[5m]))"
            ),
            Measure::ErrorRatioByPod,
        ),
    ]
}

/// The alert rules of the demo's Prometheus; `for` durations pass `speed`
/// times faster.
pub fn rules(speed: f64) -> Vec<super::prom::AlertRule> {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    use super::prom::{AlertRule, Measure};
    use std::time::Duration;
    let rule = |name: &str, measure, threshold, secs, severity: &str, summary: &str| AlertRule {
        name: name.into(),
        service: "api".into(),
        measure,
        threshold,
        for_: Duration::from_secs(secs).div_f64(speed),
        severity: severity.into(),
        summary: summary.into(),
    };
    vec![
        rule(
            "ApiHighErrorRate",
            Measure::ErrorRatio,
            0.05,
            30,
            "critical",
            "api: more than 5% of requests fail",
        ),
        rule(
            "ApiHighLatency",
            Measure::P95Latency,
            1.0,
            60,
            "warning",
            "api: p95 latency above 1s",
        ),
        rule(
            "ApiMemoryHigh",
            Measure::MemoryRatio,
            0.9,
            120,
            "warning",
            "api: a pod uses more than 90% of its memory limit",
        ),
    ]
}
