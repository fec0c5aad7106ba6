//! Slim projections of the watched objects: the fields the panes show, not
//! whole objects, so that memory stays small with tens of thousands of pods.

use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event, Pod, Service};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use arcstr::ArcStr;

/// Seconds since the epoch of a Kubernetes time.
fn secs(t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> Option<i64> {
    t.map(|t| t.0.as_second())
}

pub use crate::kinds::WorkloadKind;

/// How a workload replaces its pods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Deployment RollingUpdate, StatefulSet RollingUpdate (with its
    /// partition when the spec gives one), DaemonSet RollingUpdate.
    #[default]
    RollingUpdate,
    /// A StatefulSet RollingUpdate with `rollingUpdate` given; the
    /// partition is `None` when only the object is.
    Partitioned(Option<i32>),
    /// Deployment Recreate.
    Recreate,
    /// StatefulSet and DaemonSet OnDelete: pods change only when deleted.
    OnDelete,
}

/// The slim projection of a Deployment, StatefulSet or DaemonSet: the
/// fields the panes show and kubectl's rollout status rules read. For a
/// DaemonSet, `desired` is desiredNumberScheduled and the counts are of
/// scheduled pods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadRow {
    pub kind: WorkloadKind,
    pub name: String,
    pub uid: String,
    pub generation: i64,
    pub observed_generation: i64,
    pub desired: i32,
    pub replicas: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    pub paused: bool,
    pub progressing_reason: Option<String>,
    pub progressing_message: Option<String>,
    /// When the Progressing condition last changed, as the last change.
    pub changed_at: Option<i64>,
    pub revision: i64,
    pub images: Vec<String>,
    pub created_at: Option<i64>,
    /// Every status condition, for the workload view.
    pub conditions: Vec<ConditionRow>,
    /// The pod template's labels (blue-green reads its label here).
    pub template_labels: BTreeMap<String, String>,
    pub strategy: Strategy,
    /// StatefulSet: status.currentRevision and updateRevision (names of
    /// ControllerRevisions) and currentReplicas.
    pub current_revision: Option<String>,
    pub update_revision: Option<String>,
    pub current_replicas: i32,
    /// A Job's or CronJob's own fields; None for the other kinds.
    pub batch: Option<Box<BatchRow>>,
}

/// What a Job or CronJob has that the kinds that roll out do not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchRow {
    /// Job: spec.completions (None: any one pod's success completes it).
    pub completions: Option<i32>,
    pub parallelism: i32,
    pub backoff_limit: i32,
    pub active: i32,
    pub succeeded: i32,
    pub failed: i32,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// Job: the uid of the CronJob that made it.
    pub cronjob: Option<String>,
    /// CronJob: the schedule, its time zone, when it last made a Job and
    /// when one last succeeded, and how many of its Jobs run.
    pub schedule: String,
    pub time_zone: Option<String>,
    pub last_schedule: Option<i64>,
    pub last_successful: Option<i64>,
    /// CronJob: its newest Job, as the cluster state finds it.
    pub last_job: Option<LastJob>,
    /// CronJob: its job template, from which a Job is made to run it now.
    pub job_template: Option<serde_json::Value>,
}

/// A CronJob's newest Job: its name and how it stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LastJob {
    pub name: String,
    pub created_at: Option<i64>,
    /// `Complete`, `Failed` (with the condition's reason and message), or
    /// running (None).
    pub finished: Option<(bool, String)>,
}

/// A HorizontalPodAutoscaler: what it targets, its range, what it wants
/// and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HpaRow {
    pub name: String,
    /// The target's kind (as `scaleTargetRef` names it) and name.
    pub target_kind: String,
    pub target: String,
    pub min: i32,
    pub max: i32,
    pub current: i32,
    pub desired: i32,
    /// Each metric: name, current and target, as `kubectl get hpa` shows
    /// them (`cpu`, `45%`, `70%`).
    pub metrics: Vec<(String, String, String)>,
    pub conditions: Vec<ConditionRow>,
}

/// A Deployment status condition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConditionRow {
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub updated_at: Option<i64>,
}

fn images(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> Vec<String> {
    spec.iter()
        .flat_map(|s| s.containers.iter().filter_map(|c| c.image.clone()))
        .collect()
}

fn template_labels(t: &k8s_openapi::api::core::v1::PodTemplateSpec) -> BTreeMap<String, String> {
    t.metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

/// A condition's type or status: a `String` in some kinds' condition
/// types, an `Option<String>` in others.
trait Text {
    fn text(&self) -> Option<&String>;
}

impl Text for String {
    fn text(&self) -> Option<&String> {
        Some(self)
    }
}

impl Text for Option<String> {
    fn text(&self) -> Option<&String> {
        self.as_ref()
    }
}

/// The conditions of a StatefulSet, DaemonSet, Job or HPA status, whose
/// condition types have the same fields.
macro_rules! condition_rows {
    ($conditions:expr) => {
        $conditions
            .iter()
            .flatten()
            .map(|c| {
                condition_row(
                    Text::text(&c.type_),
                    Text::text(&c.status),
                    c.reason.as_ref(),
                    c.message.as_ref(),
                    secs(c.last_transition_time.as_ref()),
                )
            })
            .collect()
    };
}

/// A condition of any of the three kinds (their condition types share
/// these fields; StatefulSet and DaemonSet conditions have no update time).
fn condition_row(
    type_: Option<&String>,
    status: Option<&String>,
    reason: Option<&String>,
    message: Option<&String>,
    at: Option<i64>,
) -> ConditionRow {
    ConditionRow {
        type_: type_.cloned().unwrap_or_default(),
        status: status.cloned().unwrap_or_default(),
        reason: reason.cloned(),
        message: message.cloned(),
        updated_at: at,
    }
}

impl WorkloadRow {
    pub fn from_statefulset(s: &StatefulSet) -> WorkloadRow {
        let spec = &s.spec;
        let status = s.status.clone().unwrap_or_default();
        let strategy = match spec.update_strategy.as_ref() {
            Some(u) if u.type_.as_deref() == Some("OnDelete") => Strategy::OnDelete,
            Some(u) => match &u.rolling_update {
                Some(r) => Strategy::Partitioned(r.partition),
                None => Strategy::RollingUpdate,
            },
            None => Strategy::RollingUpdate,
        };
        WorkloadRow {
            kind: WorkloadKind::StatefulSet,
            name: s.metadata.name.clone().unwrap_or_default(),
            uid: s.metadata.uid.clone().unwrap_or_default(),
            generation: s.metadata.generation.unwrap_or(0),
            observed_generation: status.observed_generation.unwrap_or(0),
            desired: spec.replicas.unwrap_or(1),
            replicas: status.replicas,
            updated: status.updated_replicas.unwrap_or(0),
            ready: status.ready_replicas.unwrap_or(0),
            available: status.available_replicas.unwrap_or(0),
            images: images(spec.template.spec.as_ref()),
            created_at: secs(s.metadata.creation_timestamp.as_ref()),
            conditions: condition_rows!(status.conditions),
            template_labels: template_labels(&spec.template),
            strategy,
            current_revision: status.current_revision.clone(),
            update_revision: status.update_revision.clone(),
            current_replicas: status.current_replicas.unwrap_or(0),
            ..WorkloadRow::default()
        }
    }

    pub fn from_daemonset(d: &DaemonSet) -> WorkloadRow {
        let spec = &d.spec;
        let status = d.status.clone().unwrap_or_default();
        let strategy = match spec
            .update_strategy
            .as_ref()
            .and_then(|u| u.type_.as_deref())
        {
            Some("OnDelete") => Strategy::OnDelete,
            _ => Strategy::RollingUpdate,
        };
        WorkloadRow {
            kind: WorkloadKind::DaemonSet,
            name: d.metadata.name.clone().unwrap_or_default(),
            uid: d.metadata.uid.clone().unwrap_or_default(),
            generation: d.metadata.generation.unwrap_or(0),
            observed_generation: status.observed_generation.unwrap_or(0),
            desired: status.desired_number_scheduled,
            replicas: status.current_number_scheduled,
            updated: status.updated_number_scheduled.unwrap_or(0),
            ready: status.number_ready,
            available: status.number_available.unwrap_or(0),
            images: images(spec.template.spec.as_ref()),
            created_at: secs(d.metadata.creation_timestamp.as_ref()),
            conditions: condition_rows!(status.conditions),
            template_labels: template_labels(&spec.template),
            strategy,
            ..WorkloadRow::default()
        }
    }

    pub fn from(d: &Deployment) -> WorkloadRow {
        let status = d.status.clone().unwrap_or_default();
        let progressing = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_.as_deref() == Some("Progressing"));
        WorkloadRow {
            name: d.metadata.name.clone().unwrap_or_default(),
            uid: d.metadata.uid.clone().unwrap_or_default(),
            generation: d.metadata.generation.unwrap_or(0),
            observed_generation: status.observed_generation.unwrap_or(0),
            desired: d.spec.replicas.unwrap_or(1),
            replicas: status.replicas.unwrap_or(0),
            updated: status.updated_replicas.unwrap_or(0),
            ready: status.ready_replicas.unwrap_or(0),
            available: status.available_replicas.unwrap_or(0),
            paused: d.spec.paused.unwrap_or(false),
            progressing_reason: progressing.and_then(|c| c.reason.clone()),
            progressing_message: progressing.and_then(|c| c.message.clone()),
            changed_at: progressing.and_then(|c| secs(c.last_update_time.as_ref())),
            revision: revision(d.metadata.annotations.as_ref()),
            images: images(d.spec.template.spec.as_ref()),
            created_at: secs(d.metadata.creation_timestamp.as_ref()),
            conditions: status
                .conditions
                .iter()
                .flatten()
                .map(|c| ConditionRow {
                    type_: c.type_.clone().unwrap_or_default(),
                    status: c.status.clone().unwrap_or_default(),
                    reason: c.reason.clone(),
                    message: c.message.clone(),
                    updated_at: secs(c.last_update_time.as_ref())
                        .or_else(|| secs(c.last_transition_time.as_ref())),
                })
                .collect(),
            template_labels: template_labels(&d.spec.template),
            strategy: match d.spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) {
                Some("Recreate") => Strategy::Recreate,
                _ => Strategy::RollingUpdate,
            },
            ..WorkloadRow::default()
        }
    }
}

fn revision(annotations: Option<&std::collections::BTreeMap<String, String>>) -> i64 {
    annotations
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaSetRow {
    pub name: String,
    pub uid: String,
    /// The uid of the Deployment that controls it.
    pub owner: String,
    pub revision: i64,
    pub desired: i32,
    pub ready: i32,
    pub images: Vec<String>,
    pub change_cause: Option<String>,
    pub created_at: Option<i64>,
}

impl ReplicaSetRow {
    pub fn from(rs: &ReplicaSet) -> ReplicaSetRow {
        ReplicaSetRow {
            name: rs.metadata.name.clone().unwrap_or_default(),
            uid: rs.metadata.uid.clone().unwrap_or_default(),
            owner: controller(&rs.metadata),
            revision: revision(rs.metadata.annotations.as_ref()),
            desired: rs.spec.replicas.unwrap_or(0),
            ready: rs
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0),
            images: rs
                .spec
                .template
                .iter()
                .flat_map(|t| t.spec.iter())
                .flat_map(|s| s.containers.iter().filter_map(|c| c.image.clone()))
                .collect(),
            change_cause: rs
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubernetes.io/change-cause").cloned()),
            created_at: secs(rs.metadata.creation_timestamp.as_ref()),
        }
    }
}

impl ReplicaSetRow {
    /// A ControllerRevision of a StatefulSet or DaemonSet, as a revision
    /// row: its number, owner and images (read from the template patch it
    /// stores). It has no replica counts of its own.
    pub fn from_controller_revision(cr: &ControllerRevision) -> ReplicaSetRow {
        let images = cr
            .data
            .0
            .pointer("/spec/template/spec/containers")
            .and_then(|c| c.as_array())
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c.get("image")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        ReplicaSetRow {
            name: cr.metadata.name.clone().unwrap_or_default(),
            uid: cr.metadata.uid.clone().unwrap_or_default(),
            owner: controller(&cr.metadata),
            revision: cr.revision.unwrap_or(0),
            images,
            change_cause: cr
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubernetes.io/change-cause").cloned()),
            created_at: secs(cr.metadata.creation_timestamp.as_ref()),
            ..ReplicaSetRow::default()
        }
    }
}

impl WorkloadRow {
    pub fn from_job(j: &Job) -> WorkloadRow {
        let spec = j.spec.clone().unwrap_or_default();
        let status = j.status.clone().unwrap_or_default();
        let conditions: Vec<ConditionRow> = condition_rows!(status.conditions);
        let cronjob = j
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true) && o.kind == "CronJob")
            .map(|o| o.uid.clone());
        WorkloadRow {
            kind: WorkloadKind::Job,
            name: j.metadata.name.clone().unwrap_or_default(),
            uid: j.metadata.uid.clone().unwrap_or_default(),
            generation: j.metadata.generation.unwrap_or(0),
            desired: spec.completions.unwrap_or(1),
            replicas: status.active.unwrap_or(0),
            updated: status.succeeded.unwrap_or(0),
            ready: status.ready.unwrap_or(0),
            available: status.succeeded.unwrap_or(0),
            paused: spec.suspend.unwrap_or(false),
            images: images(spec.template.spec.as_ref()),
            created_at: secs(j.metadata.creation_timestamp.as_ref()),
            conditions,
            template_labels: template_labels(&spec.template),
            batch: Some(Box::new(BatchRow {
                completions: spec.completions,
                parallelism: spec.parallelism.unwrap_or(1),
                backoff_limit: spec.backoff_limit.unwrap_or(6),
                active: status.active.unwrap_or(0),
                succeeded: status.succeeded.unwrap_or(0),
                failed: status.failed.unwrap_or(0),
                started_at: secs(status.start_time.as_ref()),
                completed_at: secs(status.completion_time.as_ref()),
                cronjob,
                ..BatchRow::default()
            })),
            ..WorkloadRow::default()
        }
    }

    pub fn from_cronjob(c: &CronJob) -> WorkloadRow {
        let spec = &c.spec;
        let status = c.status.clone().unwrap_or_default();
        let template = spec
            .job_template
            .spec
            .as_ref()
            .map(|s| s.template.clone())
            .unwrap_or_default();
        let active = status.active.iter().flatten().count() as i32;
        WorkloadRow {
            kind: WorkloadKind::CronJob,
            name: c.metadata.name.clone().unwrap_or_default(),
            uid: c.metadata.uid.clone().unwrap_or_default(),
            generation: c.metadata.generation.unwrap_or(0),
            replicas: active,
            paused: spec.suspend.unwrap_or(false),
            images: images(template.spec.as_ref()),
            created_at: secs(c.metadata.creation_timestamp.as_ref()),
            template_labels: template_labels(&template),
            batch: Some(Box::new(BatchRow {
                active,
                schedule: spec.schedule.clone(),
                time_zone: spec.time_zone.clone(),
                last_schedule: secs(status.last_schedule_time.as_ref()),
                last_successful: secs(status.last_successful_time.as_ref()),
                job_template: serde_json::to_value(&spec.job_template).ok(),
                ..BatchRow::default()
            })),
            ..WorkloadRow::default()
        }
    }
}

/// A metric's target and current value as `kubectl get hpa` prints them.
fn metric_values(
    target: Option<&k8s_openapi::api::autoscaling::v2::MetricTarget>,
    current: Option<&k8s_openapi::api::autoscaling::v2::MetricValueStatus>,
) -> (String, String) {
    let target_text = target.map_or_else(String::new, |t| {
        if let Some(u) = t.average_utilization {
            format!("{u}%")
        } else if let Some(v) = &t.average_value {
            v.0.clone()
        } else {
            t.value.as_ref().map_or_else(String::new, |v| v.0.clone())
        }
    });
    let current_text = current.map_or_else(
        || "<unknown>".to_string(),
        |c| {
            if let Some(u) = c.average_utilization {
                format!("{u}%")
            } else if let Some(v) = &c.average_value {
                v.0.clone()
            } else {
                c.value
                    .as_ref()
                    .map_or_else(|| "<unknown>".to_string(), |v| v.0.clone())
            }
        },
    );
    (current_text, target_text)
}

impl HpaRow {
    pub fn from(h: &HorizontalPodAutoscaler) -> HpaRow {
        let spec = &h.spec;
        let status = h.status.clone().unwrap_or_default();
        let current_metrics = status.current_metrics.clone().unwrap_or_default();
        let metrics = spec
            .metrics
            .iter()
            .flatten()
            .map(|m| {
                let (name, target, current) = if let Some(r) = &m.resource {
                    let current = current_metrics
                        .iter()
                        .filter_map(|c| c.resource.as_ref())
                        .find(|c| c.name == r.name)
                        .map(|c| &c.current);
                    (r.name.clone(), Some(&r.target), current)
                } else if let Some(p) = &m.pods {
                    let current = current_metrics
                        .iter()
                        .filter_map(|c| c.pods.as_ref())
                        .find(|c| c.metric.name == p.metric.name)
                        .map(|c| &c.current);
                    (p.metric.name.clone(), Some(&p.target), current)
                } else if let Some(o) = &m.object {
                    let current = current_metrics
                        .iter()
                        .filter_map(|c| c.object.as_ref())
                        .find(|c| c.metric.name == o.metric.name)
                        .map(|c| &c.current);
                    (o.metric.name.clone(), Some(&o.target), current)
                } else if let Some(e) = &m.external {
                    let current = current_metrics
                        .iter()
                        .filter_map(|c| c.external.as_ref())
                        .find(|c| c.metric.name == e.metric.name)
                        .map(|c| &c.current);
                    (e.metric.name.clone(), Some(&e.target), current)
                } else {
                    (m.type_.clone(), None, None)
                };
                let (current, target) = metric_values(target, current);
                (name, current, target)
            })
            .collect();
        HpaRow {
            name: h.metadata.name.clone().unwrap_or_default(),
            target_kind: spec.scale_target_ref.kind.clone(),
            target: spec.scale_target_ref.name.clone(),
            min: spec.min_replicas.unwrap_or(1),
            max: spec.max_replicas,
            current: status.current_replicas.unwrap_or(0),
            desired: status.desired_replicas,
            metrics,
            conditions: condition_rows!(status.conditions),
        }
    }

    /// Its metrics as `kubectl get hpa` shows TARGETS: `cpu: 45%/70%`.
    pub fn targets(&self) -> String {
        self.metrics
            .iter()
            .map(|(name, current, target)| format!("{name}: {current}/{target}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn controller(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    controller_uid(meta).to_string()
}

fn controller_uid(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map_or("", |o| o.uid.as_str())
}

/// A pod's phase as the Rollouts pane counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PodPhase {
    #[default]
    Pending,
    Running,
    /// Waiting in CrashLoopBackOff or another error state.
    Failing,
    Terminating,
    Succeeded,
    Failed,
}

/// A pod as the screen needs it. The text that many pods share (their
/// owner, node, state, containers, requests and limits) is held once
/// ([`Pool`]); a pod of a namespace of 100,000 costs about a quarter of a
/// kilobyte.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodRow {
    pub name: ArcStr,
    /// The uid of the ReplicaSet (or other controller) that controls it.
    pub owner: ArcStr,
    pub phase: PodPhase,
    pub ready: bool,
    pub restarts: i32,
    /// When a container last terminated (seconds since the epoch).
    pub last_restart_at: Option<i64>,
    pub last_termination: Option<ArcStr>,
    pub node: Option<ArcStr>,
    pub started_at: Option<i64>,
    /// The container names, in the pod's order.
    pub containers: Arc<[ArcStr]>,
    /// What `kubectl get pods` shows in STATUS: Running, ContainerCreating,
    /// CrashLoopBackOff, Terminating, …
    pub status: ArcStr,
    pub ready_containers: u32,
    /// The `controller-revision-hash` label of a StatefulSet's or
    /// DaemonSet's pod: which ControllerRevision it runs.
    pub revision_hash: Option<ArcStr>,
    /// Its uid: a deletion names it as a precondition, so that a new pod
    /// of the same name (a StatefulSet's) is never the one deleted.
    pub uid: Uid,
    /// `terminationGracePeriodSeconds`: how long its containers get to stop.
    pub grace_seconds: Option<i64>,
    /// Its containers' requests and limits, summed.
    pub resources: Arc<Resources>,
}

/// An object's uid: sixteen bytes when it is a UUID, as the API server
/// makes them, else its text as given.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Uid {
    Uuid([u8; 16]),
    Text(ArcStr),
}

impl Default for Uid {
    fn default() -> Uid {
        Uid::Text(ArcStr::new())
    }
}

impl Uid {
    pub fn parse(text: &str) -> Uid {
        let hex: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
        let canonical = text.len() == 36
            && hex.len() == 32
            && [8, 13, 18, 23].iter().all(|i| text.as_bytes()[*i] == b'-');
        let digit = |b: u8| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        };
        let mut bytes = [0u8; 16];
        if canonical {
            for (i, pair) in hex.chunks(2).enumerate() {
                match (digit(pair[0]), digit(pair[1])) {
                    (Some(hi), Some(lo)) => bytes[i] = hi << 4 | lo,
                    _ => return Uid::Text(text.into()),
                }
            }
            Uid::Uuid(bytes)
        } else {
            Uid::Text(text.into())
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Uid::Text(t) if t.is_empty())
    }
}

impl std::fmt::Display for Uid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Uid::Text(t) => f.write_str(t),
            Uid::Uuid(b) => {
                for (i, byte) in b.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        f.write_str("-")?;
                    }
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::fmt::Debug for Uid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}", self = self.to_string())
    }
}

impl From<&str> for Uid {
    fn from(text: &str) -> Uid {
        Uid::parse(text)
    }
}

impl From<String> for Uid {
    fn from(text: String) -> Uid {
        Uid::parse(&text)
    }
}

impl PartialEq<str> for Uid {
    fn eq(&self, other: &str) -> bool {
        *self == Uid::parse(other)
    }
}

impl PartialEq<&str> for Uid {
    fn eq(&self, other: &&str) -> bool {
        *self == Uid::parse(other)
    }
}

/// The text many pods share, each value held once: incoming pods are
/// given the pool's copy of their owner, node, state, container names and
/// resources. Values no pod holds any more are dropped as the pool grows.
#[derive(Debug, Clone, Default)]
pub struct Pool {
    texts: std::collections::HashSet<ArcStr>,
    containers: std::collections::HashSet<Arc<[ArcStr]>>,
    resources: std::collections::HashSet<Arc<Resources>>,
    /// Values held after the last sweep: the next sweep waits until the
    /// pool has doubled.
    swept_at: usize,
}

impl Pool {
    /// The pool's copy of `text`, made only when it holds none.
    pub fn intern(&mut self, text: &str) -> ArcStr {
        match self.texts.get(text) {
            Some(held) => held.clone(),
            None => {
                let t = ArcStr::from(text);
                self.texts.insert(t.clone());
                t
            }
        }
    }

    fn intern_containers(&mut self, names: &[ArcStr]) -> Arc<[ArcStr]> {
        match self.containers.get(names) {
            Some(held) => held.clone(),
            None => {
                let c: Arc<[ArcStr]> = names.into();
                self.containers.insert(c.clone());
                c
            }
        }
    }

    fn intern_resources(&mut self, r: Resources) -> Arc<Resources> {
        match self.resources.get(&r) {
            Some(held) => held.clone(),
            None => {
                let r = Arc::new(r);
                self.resources.insert(r.clone());
                r
            }
        }
    }

    /// Sweeps when the pool has doubled since the last sweep.
    fn maybe_sweep(&mut self) {
        if self.len() > 2 * self.swept_at.max(512) {
            self.sweep();
        }
    }

    /// Drops the values that only the pool holds.
    pub fn sweep(&mut self) {
        // The container lists first: they hold texts of the pool.
        self.containers.retain(|c| Arc::strong_count(c) > 1);
        self.resources.retain(|r| Arc::strong_count(r) > 1);
        self.texts
            .retain(|t| ArcStr::strong_count(t).is_none_or(|n| n > 1));
        self.swept_at = self.texts.len() + self.containers.len() + self.resources.len();
    }

    pub fn len(&self) -> usize {
        self.texts.len() + self.containers.len() + self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A pod's CPU (millicores) and memory (bytes) requests and limits, summed
/// over its containers as `kubectl top` and `kubectl describe node` count
/// them. A limit is None when any container has none (the pod is then
/// unbounded); a request is None when no container has one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Resources {
    pub cpu_request: Option<u64>,
    pub cpu_limit: Option<u64>,
    pub memory_request: Option<u64>,
    pub memory_limit: Option<u64>,
}

/// A Kubernetes quantity as a number in its base unit ("250m" → 0.25,
/// "128Mi" → 134217728); None when it is not a quantity.
pub fn quantity(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Option<f64> {
    quantity_of(&q.0)
}

/// A quantity's text as a number in its base unit.
pub fn quantity_of(text: &str) -> Option<f64> {
    kube_quantity::ParsedQuantity::try_from(text.trim())
        .ok()?
        .to_bytes_f64()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// CPU in millicores, rounded up as kubectl rounds it.
pub fn millicores(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Option<u64> {
    quantity(q).map(|v| (v * 1000.0).ceil() as u64)
}

/// Memory in bytes, rounded up.
pub fn bytes(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Option<u64> {
    quantity(q).map(|v| v.ceil() as u64)
}

impl Resources {
    pub fn of(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> Resources {
        let containers = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
        // A request or limit of each container: Some only when every
        // container has it (`all`), else the sum of those present.
        let sum =
            |get: &dyn Fn(&k8s_openapi::api::core::v1::ResourceRequirements) -> Option<u64>,
             all: bool| {
                let mut total: Option<u64> = None;
                for c in containers {
                    match c.resources.as_ref().and_then(get) {
                        Some(v) => total = Some(total.unwrap_or(0).saturating_add(v)),
                        None if all => return None,
                        None => {}
                    }
                }
                total
            };
        let pick = |map: Option<
            &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
        >,
                    key: &str,
                    cpu: bool| {
            let q = map?.get(key)?;
            if cpu { millicores(q) } else { bytes(q) }
        };
        Resources {
            cpu_request: sum(&|r| pick(r.requests.as_ref(), "cpu", true), false),
            cpu_limit: sum(&|r| pick(r.limits.as_ref(), "cpu", true), true),
            memory_request: sum(&|r| pick(r.requests.as_ref(), "memory", false), false),
            memory_limit: sum(&|r| pick(r.limits.as_ref(), "memory", false), true),
        }
    }
}

impl PodRow {
    pub fn from(p: &Pod) -> PodRow {
        PodRow::project(p, &mut Pool::default(), false)
    }

    /// The pod as a row, what it shares with other pods taken from the
    /// pool (nothing of it is allocated when the pool holds it already),
    /// its name qualified by its namespace when `qualify`: a list of
    /// 100,000 pods leaves one small block per pod (its name), not a
    /// handful of them freed later among those kept.
    pub fn project(p: &Pod, pool: &mut Pool, qualify: bool) -> PodRow {
        let none = k8s_openapi::api::core::v1::PodStatus::default();
        let status = p.status.as_ref().unwrap_or(&none);
        let containers = status.container_statuses.as_deref().unwrap_or_default();
        let waiting_error = containers.iter().any(|c| {
            c.state
                .as_ref()
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.as_deref())
                .is_some_and(|r| r != "ContainerCreating" && r != "PodInitializing")
        });
        let phase = if p.metadata.deletion_timestamp.is_some() {
            PodPhase::Terminating
        } else if waiting_error {
            PodPhase::Failing
        } else {
            match status.phase.as_deref() {
                Some("Running") => PodPhase::Running,
                Some("Succeeded") => PodPhase::Succeeded,
                Some("Failed") => PodPhase::Failed,
                _ => PodPhase::Pending,
            }
        };
        let last = containers
            .iter()
            .filter_map(|c| c.last_state.as_ref()?.terminated.as_ref())
            .max_by_key(|t| secs(t.finished_at.as_ref()));
        let waiting_reason = containers.iter().find_map(|c| {
            c.state
                .as_ref()
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.as_deref())
        });
        let status_text = if p.metadata.deletion_timestamp.is_some() {
            "Terminating"
        } else if let Some(reason) = waiting_reason {
            reason
        } else {
            status.phase.as_deref().unwrap_or("Pending")
        };
        let short = p.metadata.name.as_deref().unwrap_or_default();
        let name = match (qualify, p.metadata.namespace.as_deref()) {
            (true, Some(ns)) => ArcStr::from(qualified(ns, short)),
            _ => ArcStr::from(short),
        };
        let mut container_names: Vec<ArcStr> = Vec::new();
        for c in p.spec.iter().flat_map(|s| &s.containers) {
            container_names.push(pool.intern(&c.name));
        }
        let row = PodRow {
            name,
            owner: pool.intern(controller_uid(&p.metadata)),
            phase,
            ready: status
                .conditions
                .iter()
                .flatten()
                .any(|c| c.type_ == "Ready" && c.status == "True"),
            restarts: containers.iter().map(|c| c.restart_count).sum(),
            last_restart_at: last.and_then(|t| secs(t.finished_at.as_ref())),
            last_termination: last
                .and_then(|t| t.reason.as_deref())
                .map(|r| pool.intern(r)),
            node: p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .map(|n| pool.intern(n)),
            started_at: secs(status.start_time.as_ref()),
            containers: pool.intern_containers(&container_names),
            status: pool.intern(status_text),
            ready_containers: containers.iter().filter(|c| c.ready).count() as u32,
            revision_hash: p
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("controller-revision-hash"))
                .map(|h| pool.intern(h)),
            uid: Uid::parse(p.metadata.uid.as_deref().unwrap_or_default()),
            grace_seconds: p
                .spec
                .as_ref()
                .and_then(|s| s.termination_grace_period_seconds),
            resources: pool.intern_resources(Resources::of(p.spec.as_ref())),
        };
        pool.maybe_sweep();
        row
    }
}

/// A Node, for the nodes overlay and the pods' health: Ready, the
/// pressure conditions, cordoned, and what it offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeRow {
    pub name: String,
    /// The Ready condition: Some(true) Ready, Some(false) NotReady, None
    /// Unknown (the node stopped reporting) or not reported.
    pub ready: Option<bool>,
    /// Why it is not Ready (the condition's reason and message).
    pub not_ready: Option<String>,
    /// The pressure conditions that are True: MemoryPressure,
    /// DiskPressure, PIDPressure (and NetworkUnavailable).
    pub pressure: Vec<String>,
    /// Cordoned: `spec.unschedulable`.
    pub unschedulable: bool,
    /// Allocatable CPU (millicores), memory (bytes) and pods.
    pub allocatable: Capacity,
    pub capacity: Capacity,
    pub kubelet: String,
    pub created_at: Option<i64>,
}

/// CPU in millicores, memory in bytes, and a number of pods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capacity {
    pub cpu: u64,
    pub memory: u64,
    pub pods: u64,
}

impl Capacity {
    fn of(
        map: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    ) -> Capacity {
        let get = |key: &str| map.and_then(|m| m.get(key));
        Capacity {
            cpu: get("cpu").and_then(millicores).unwrap_or(0),
            memory: get("memory").and_then(bytes).unwrap_or(0),
            pods: get("pods").and_then(quantity).map_or(0, |p| p as u64),
        }
    }
}

impl NodeRow {
    pub fn from(n: &k8s_openapi::api::core::v1::Node) -> NodeRow {
        let status = n.status.as_ref();
        let conditions = status
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default();
        let ready = conditions.iter().find(|c| c.type_ == "Ready");
        NodeRow {
            name: n.metadata.name.clone().unwrap_or_default(),
            ready: ready.and_then(|c| match c.status.as_str() {
                "True" => Some(true),
                "False" => Some(false),
                _ => None,
            }),
            not_ready: ready.filter(|c| c.status != "True").map(|c| {
                let reason = c.reason.as_deref().unwrap_or("NotReady");
                match c.message.as_deref().filter(|m| !m.is_empty()) {
                    Some(m) => format!("{reason}: {m}"),
                    None => reason.to_string(),
                }
            }),
            pressure: conditions
                .iter()
                .filter(|c| c.type_ != "Ready" && c.status == "True")
                .map(|c| c.type_.clone())
                .collect(),
            unschedulable: n
                .spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false),
            allocatable: Capacity::of(status.and_then(|s| s.allocatable.as_ref())),
            capacity: Capacity::of(status.and_then(|s| s.capacity.as_ref())),
            kubelet: status
                .and_then(|s| s.node_info.as_ref())
                .map(|i| i.kubelet_version.clone())
                .unwrap_or_default(),
            created_at: secs(n.metadata.creation_timestamp.as_ref()),
        }
    }

    /// Ready, and under no pressure.
    pub fn healthy(&self) -> bool {
        self.ready == Some(true) && self.pressure.is_empty()
    }

    /// What is wrong with it, in a few words: "NotReady", "MemoryPressure",
    /// "Unknown" (None when it is healthy). Cordoned is not unhealthy.
    pub fn trouble(&self) -> Option<String> {
        let mut words: Vec<String> = Vec::new();
        match self.ready {
            Some(true) => {}
            Some(false) => words.push("NotReady".into()),
            None => words.push("Unknown".into()),
        }
        words.extend(self.pressure.iter().cloned());
        (!words.is_empty()).then(|| words.join(","))
    }
}

/// The requests of the pods a node runs (every namespace), as `kubectl
/// describe node` sums them under "Allocated resources".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeLoad {
    pub cpu_requests: u64,
    pub memory_requests: u64,
    pub pods: u64,
}

/// An Event, for the workload view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRow {
    pub name: String,
    /// The object it is about: kind and name.
    pub kind: String,
    pub object: String,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    pub count: i32,
    /// When it was last seen (seconds since the epoch).
    pub last_seen: Option<i64>,
}

impl EventRow {
    pub fn from(e: &Event) -> EventRow {
        let last_seen = secs(e.last_timestamp.as_ref())
            .or_else(|| e.event_time.as_ref().map(|t| t.0.as_second()))
            .or_else(|| secs(e.first_timestamp.as_ref()))
            .or_else(|| secs(e.metadata.creation_timestamp.as_ref()));
        EventRow {
            name: e.metadata.name.clone().unwrap_or_default(),
            kind: e.involved_object.kind.clone().unwrap_or_default(),
            object: e.involved_object.name.clone().unwrap_or_default(),
            warning: e.type_.as_deref() == Some("Warning"),
            reason: e.reason.clone().unwrap_or_default(),
            message: e.message.clone().unwrap_or_default(),
            count: e.count.unwrap_or(1).max(1),
            last_seen,
        }
    }
}

/// A Service: its selector, for the blue-green switch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceRow {
    pub name: String,
    pub selector: BTreeMap<String, String>,
}

impl ServiceRow {
    pub fn from(s: &Service) -> ServiceRow {
        ServiceRow {
            name: s.metadata.name.clone().unwrap_or_default(),
            selector: s
                .spec
                .as_ref()
                .and_then(|s| s.selector.clone())
                .unwrap_or_default(),
        }
    }
}

/// In a view of every namespace, a namespaced object's name is qualified
/// by its namespace (`payments/api`): names stay unique keys, and the
/// namespace travels with them to wherever a request is built. A
/// Kubernetes name never holds a `/`, so the split is unambiguous.
pub trait Qualify {
    fn qualify(&mut self, namespace: &str);
}

/// `ns/name`.
pub fn qualified(namespace: &str, name: &str) -> String {
    let mut q = String::with_capacity(namespace.len() + 1 + name.len());
    q.push_str(namespace);
    q.push('/');
    q.push_str(name);
    q
}

/// A possibly qualified name's namespace (None: unqualified) and name.
pub fn split(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((ns, short)) => (Some(ns), short),
        None => (None, name),
    }
}

impl Qualify for WorkloadRow {
    fn qualify(&mut self, namespace: &str) {
        self.name = qualified(namespace, &self.name);
    }
}

impl Qualify for ReplicaSetRow {
    fn qualify(&mut self, namespace: &str) {
        self.name = qualified(namespace, &self.name);
    }
}

impl Qualify for HpaRow {
    fn qualify(&mut self, namespace: &str) {
        self.name = qualified(namespace, &self.name);
        // Its target is in its namespace.
        self.target = qualified(namespace, &self.target);
    }
}

impl Qualify for PodRow {
    fn qualify(&mut self, namespace: &str) {
        self.name = qualified(namespace, &self.name).into();
    }
}

impl Qualify for EventRow {
    fn qualify(&mut self, namespace: &str) {
        self.name = qualified(namespace, &self.name);
        // An event about a node (cluster-scoped) names it alone.
        if self.kind != "Node" {
            self.object = qualified(namespace, &self.object);
        }
    }
}

impl Qualify for ServiceRow {
    fn qualify(&mut self, namespace: &str) {
        self.name = qualified(namespace, &self.name);
    }
}

impl Qualify for NodeRow {
    /// Nodes belong to no namespace.
    fn qualify(&mut self, _namespace: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_is_held_in_sixteen_bytes_and_written_as_given() {
        let text = "4b1a2433-bde2-4631-898f-000000002631";
        let uid = Uid::parse(text);
        assert!(matches!(uid, Uid::Uuid(_)));
        assert_eq!(uid.to_string(), text);
        assert_eq!(uid, *text);
        assert_ne!(uid, *"4b1a2433-bde2-4631-898f-000000002632");
    }

    #[test]
    fn a_uid_that_is_no_lower_case_uuid_is_kept_as_text() {
        for text in [
            "",
            "uid-api",
            "4B1A2433-BDE2-4631-898F-000000002631",
            "4b1a2433bde24631898f000000002631",
            "4b1a2433-bde2-4631-898f-00000000263g",
            "4b1a2433-bde2-4631-898f-0000000026310",
            "ü-b1a2433-bde2-4631-898f-00000000263",
        ] {
            let uid = Uid::parse(text);
            assert!(matches!(uid, Uid::Text(_)), "{text}");
            assert_eq!(uid.to_string(), text);
            assert_eq!(uid, *text);
        }
        assert!(Uid::default().is_empty());
    }

    /// A pod made with the pool's copies, as a projection makes it.
    fn pod(pool: &mut Pool, name: &str, owner: String, node: &str) -> PodRow {
        let containers = [pool.intern("api")];
        let pod = PodRow {
            name: name.into(),
            owner: pool.intern(&owner),
            node: Some(pool.intern(node)),
            status: pool.intern("Running"),
            containers: pool.intern_containers(&containers),
            resources: pool.intern_resources(Resources {
                memory_limit: Some(512 << 20),
                ..Resources::default()
            }),
            ..PodRow::default()
        };
        pool.maybe_sweep();
        pod
    }

    #[test]
    fn pods_share_the_pools_copies_and_the_pool_forgets_what_no_pod_holds() {
        let mut pool = Pool::default();
        let a = pod(&mut pool, "api-1", "rs-1".to_string(), "node-1");
        let b = pod(&mut pool, "api-2", "rs-1".to_string(), "node-1");
        assert!(std::ptr::eq(a.owner.as_ptr(), b.owner.as_ptr()));
        assert!(std::ptr::eq(
            a.node.as_deref().unwrap_or_default().as_ptr(),
            b.node.as_deref().unwrap_or_default().as_ptr()
        ));
        assert!(Arc::ptr_eq(&a.containers, &b.containers));
        assert!(Arc::ptr_eq(&a.resources, &b.resources));
        assert_eq!(a.containers[0], "api");
        assert_eq!(b.resources.memory_limit, Some(512 << 20));
        // rs-1, node-1, Running, api; one container list; one resources.
        assert_eq!(pool.len(), 6);
        drop(b);
        pool.sweep();
        assert_eq!(pool.len(), 6, "a still holds them");
        drop(a);
        pool.sweep();
        assert!(pool.is_empty());
    }

    #[test]
    fn a_projection_takes_what_pods_share_from_the_pool_and_qualifies_the_name() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "api-7d9-x2x4z", "namespace": "shop", "uid": "4b1a2433-bde2-4631-898f-000000002631",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7d9",
                    "uid": "rs-uid", "controller": true}]},
            "spec": {"nodeName": "node-1", "containers": [{"name": "api"}, {"name": "proxy"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "api", "ready": true, "restartCount": 1, "image": "i", "imageID": "",
                 "state": {"running": {}}},
                {"name": "proxy", "ready": false, "restartCount": 2, "image": "i", "imageID": "",
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        }))
        .unwrap();
        let mut pool = Pool::default();
        let a = PodRow::project(&pod, &mut pool, true);
        let b = PodRow::project(&pod, &mut pool, false);
        assert_eq!(a.name, "shop/api-7d9-x2x4z");
        assert_eq!(b.name, "api-7d9-x2x4z");
        assert_eq!(
            PodRow {
                name: b.name.clone(),
                ..a.clone()
            },
            b
        );
        assert_eq!(b, PodRow::from(&pod));
        assert!(std::ptr::eq(a.owner.as_ptr(), b.owner.as_ptr()));
        assert!(Arc::ptr_eq(&a.containers, &b.containers));
        assert!(Arc::ptr_eq(&a.resources, &b.resources));
        assert_eq!(
            (
                a.owner.as_str(),
                a.status.as_str(),
                a.restarts,
                a.ready_containers
            ),
            ("rs-uid", "CrashLoopBackOff", 3, 1)
        );
        assert_eq!(a.phase, PodPhase::Failing);
        assert_eq!(a.uid.to_string(), "4b1a2433-bde2-4631-898f-000000002631");
    }

    #[test]
    fn the_pool_sweeps_itself_as_owners_come_and_go() {
        let mut pool = Pool::default();
        let mut held = Vec::new();
        for i in 0..20_000 {
            let p = pod(&mut pool, &format!("api-{i}"), format!("rs-{i}"), "node-1");
            // Only the last 100 pods live on.
            held.push(p);
            if held.len() > 100 {
                held.remove(0);
            }
        }
        assert!(pool.len() < 2_000, "{} values held", pool.len());
    }
}
