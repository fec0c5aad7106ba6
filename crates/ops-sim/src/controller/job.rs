//! The Job controller, after the real one (Kubernetes 1.32,
//! `pkg/controller/job`): up to `parallelism` pods at a time until
//! `completions` of them succeed; failed pods count against `backoffLimit`
//! (restarts too, with `restartPolicy: OnFailure`) and are replaced after
//! an exponential back-off; `activeDeadlineSeconds`; `suspend`. Pods carry
//! the `batch.kubernetes.io/job-tracking` finalizer until the controller
//! has counted them. A finishing Job gets the interim condition first
//! (`SuccessCriteriaMet` or `FailureTarget`), then `Complete` or `Failed`
//! once none of its pods is terminating, with the real reasons, messages
//! and events.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{Pod, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::kubelet::is_ready;
use super::{owner_ref, random_suffix};
use crate::cluster::Cluster;
use crate::store::{Kind, Typed};

/// The finalizer that keeps a pod until the controller has counted it.
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
/// The label of the generated selector.
pub const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
pub const JOB_NAME: &str = "batch.kubernetes.io/job-name";
/// The older labels, still written beside the new ones.
pub const LEGACY_CONTROLLER_UID: &str = "controller-uid";
pub const LEGACY_JOB_NAME: &str = "job-name";

const COMPONENT: &str = "job-controller";
const DEFAULT_BACKOFF_LIMIT: i32 = 6;
/// Pods created for one Job in one sync, as the real controller caps them.
const MAX_CREATE: i32 = 500;
/// The back-off doubles at most this many times (10 s to 10 min).
const MAX_BACKOFF_FACTOR: u32 = 60;

pub const COMPLETIONS_REACHED: (&str, &str) = (
    "CompletionsReached",
    "Reached expected number of succeeded pods",
);
pub const BACKOFF_LIMIT_EXCEEDED: (&str, &str) = (
    "BackoffLimitExceeded",
    "Job has reached the specified backoff limit",
);
pub const DEADLINE_EXCEEDED: (&str, &str) = (
    "DeadlineExceeded",
    "Job was active longer than specified deadline",
);

/// Whether a pod's controller is a Job.
pub fn owned_by_job(meta: &ObjectMeta) -> bool {
    meta.owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && o.kind == "Job")
}

/// Whether a Job has finished: `Complete` or `Failed` is true.
pub fn finished(job: &Job) -> Option<&'static str> {
    let status = job.status.as_ref()?;
    ["Complete", "Failed"]
        .into_iter()
        .find(|t| has_condition(status, t))
}

fn has_condition(status: &JobStatus, type_: &str) -> bool {
    condition(status, type_).is_some_and(|c| c.status == "True")
}

fn condition<'a>(status: &'a JobStatus, type_: &str) -> Option<&'a JobCondition> {
    status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == type_)
}

/// How a Job finishes.
#[derive(Debug, Clone, PartialEq)]
enum Finish {
    Success(String, String),
    Failure(String, String),
}

fn phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

fn terminal(p: &Pod) -> bool {
    matches!(phase(p), "Succeeded" | "Failed")
}

fn deleting(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

/// A pod counts as failed when it failed, or (pods being replaced while
/// they terminate, `podReplacementPolicy: TerminatingOrFailed`) when it is
/// being deleted before it succeeded.
fn is_failed(p: &Pod) -> bool {
    phase(p) == "Failed" || (deleting(p) && phase(p) != "Succeeded")
}

fn tracked(p: &Pod) -> bool {
    p.metadata
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == TRACKING_FINALIZER)
}

/// When a finished pod stopped: its containers' end, else its deletion.
fn finish_time(p: &Pod) -> Option<Timestamp> {
    let ended = p
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .filter_map(|c| {
            let state = c.state.as_ref()?;
            let t = state
                .terminated
                .as_ref()
                .or_else(|| c.last_state.as_ref()?.terminated.as_ref())?;
            t.finished_at.as_ref().map(|t| t.0)
        })
        .max();
    ended.or_else(|| p.metadata.deletion_timestamp.as_ref().map(|t| t.0))
}

/// Syncs every Job. Returns whether one is unfinished (its pods, back-off
/// or deadline need the clock).
pub fn sync(cluster: &mut Cluster) -> bool {
    let jobs = cluster.store.list(Kind::Job, None);
    if jobs.is_empty() {
        return false;
    }
    let by_owner = super::replicaset::pods_by_owner(cluster);
    let mut busy = false;
    for obj in jobs {
        let Some(job) = Job::peek(&obj) else { continue };
        let uid = job.metadata.uid.clone().unwrap_or_default();
        let pods: Vec<Pod> = by_owner
            .get(&uid)
            .into_iter()
            .flatten()
            .filter_map(|o| Pod::peek(o).cloned())
            .collect();
        busy |= sync_one(cluster, job.clone(), pods);
    }
    busy
}

/// Lets a pod go: removes the tracking finalizer (of a pod counted, or
/// whose Job is gone).
pub fn untrack(pod: &mut Pod) {
    if let Some(f) = pod.metadata.finalizers.as_mut() {
        f.retain(|f| f != TRACKING_FINALIZER);
        if f.is_empty() {
            pod.metadata.finalizers = None;
        }
    }
}

fn sync_one(cluster: &mut Cluster, mut job: Job, pods: Vec<Pod>) -> bool {
    if finished(&job).is_some() {
        return false;
    }
    let now = Timestamp::now();
    let spec = job.spec.clone().unwrap_or_default();
    let old_status = job.status.clone().unwrap_or_default();
    let mut status = old_status.clone();
    let suspended = spec.suspend == Some(true);
    let backoff_limit = spec.backoff_limit.unwrap_or(DEFAULT_BACKOFF_LIMIT);

    // Pods finished since the last sync: they still carry the finalizer.
    let new_succeeded: Vec<&Pod> = pods
        .iter()
        .filter(|p| tracked(p) && phase(p) == "Succeeded")
        .collect();
    let new_failed: Vec<&Pod> = pods.iter().filter(|p| tracked(p) && is_failed(p)).collect();
    let succeeded = old_status.succeeded.unwrap_or(0) + new_succeeded.len() as i32;
    let mut failed = old_status.failed.unwrap_or(0) + new_failed.len() as i32;
    let mut active: Vec<&Pod> = pods
        .iter()
        .filter(|p| !terminal(p) && !deleting(p))
        .collect();
    let mut terminating = pods.iter().filter(|p| deleting(p) && !terminal(p)).count() as i32;
    let mut counted: HashSet<String> = new_succeeded
        .iter()
        .chain(&new_failed)
        .filter_map(|p| p.metadata.name.clone())
        .collect();

    if status.start_time.is_none() && !suspended {
        status.start_time = Some(Time(now));
    }

    let mut finish = if let Some(c) = condition(&status, "SuccessCriteriaMet") {
        Some(Finish::Success(
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default(),
        ))
    } else if let Some(c) = condition(&status, "FailureTarget").filter(|c| c.status == "True") {
        Some(Finish::Failure(
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default(),
        ))
    } else if failed > backoff_limit || past_backoff_on_failure(&spec, &pods, backoff_limit) {
        Some(failure(BACKOFF_LIMIT_EXCEEDED))
    } else if past_deadline(&spec, &status, suspended, now) {
        Some(failure(DEADLINE_EXCEEDED))
    } else {
        None
    };

    let mut deletions: Vec<&Pod> = Vec::new();
    let mut creations = 0;
    let mut suspend_change: Option<bool> = None;
    if let Some(Finish::Failure(..)) = &finish {
        // A failing Job's pods are stopped; every unfinished one counts as
        // failed.
        for p in active.drain(..) {
            deletions.push(p);
            terminating += 1;
        }
        for p in pods
            .iter()
            .filter(|p| tracked(p) && phase(p) != "Succeeded")
        {
            let name = p.metadata.name.clone().unwrap_or_default();
            if counted.insert(name) {
                failed += 1;
            }
        }
    } else {
        if suspended {
            // Suspending deletes the running pods without counting them.
            for p in active.drain(..) {
                deletions.push(p);
                terminating += 1;
            }
        } else {
            let parallelism = spec.parallelism.unwrap_or(1).max(0);
            let want = match spec.completions {
                None if succeeded > 0 => active.len() as i32,
                None => parallelism,
                Some(c) => (c - succeeded).min(parallelism).max(0),
            };
            let have = active.len() as i32;
            if have > want {
                // The least useful first: not ready before ready, newest first.
                active.sort_by_key(|p| {
                    let created = p
                        .metadata
                        .creation_timestamp
                        .as_ref()
                        .map_or(0, |t| t.0.as_millisecond());
                    (is_ready(p), std::cmp::Reverse(created))
                });
                for p in active.drain(..(have - want) as usize) {
                    deletions.push(p);
                    terminating += 1;
                }
            } else if have < want
                && backoff_remaining(&pods, now, cluster.timing.job_backoff).is_zero()
            {
                creations = (want - have).min(MAX_CREATE);
            }
        }
        let active_after = active.len() as i32 + creations;
        let complete = match spec.completions {
            None => succeeded > 0 && active_after == 0,
            Some(c) => succeeded >= c && active_after == 0,
        };
        if complete {
            finish = Some(Finish::Success(
                COMPLETIONS_REACHED.0.into(),
                COMPLETIONS_REACHED.1.into(),
            ));
        } else {
            suspend_change = Some(suspended);
        }
    }

    // Count and release the finished pods, then stop those to be stopped
    // (whose finalizer goes first, counted or not).
    for pod in &pods {
        let name = pod.metadata.name.as_deref().unwrap_or("");
        let delete = deletions
            .iter()
            .any(|d| d.metadata.name == pod.metadata.name);
        if delete {
            let mut pod = pod.clone();
            untrack(&mut pod);
            super::delete_pod(cluster, &pod);
            cluster.event(
                Kind::Job,
                &job.metadata,
                "Normal",
                "SuccessfulDelete",
                format!("Deleted pod: {name}"),
                COMPONENT,
            );
        } else if tracked(pod) && counted.contains(name) {
            let mut pod = pod.clone();
            untrack(&mut pod);
            cluster.store.put_typed(pod);
        }
    }
    for _ in 0..creations {
        create_pod(cluster, &job);
    }

    let ready = active.iter().filter(|p| is_ready(p)).count() as i32;
    status.active = Some(active.len() as i32 + creations).filter(|n| *n > 0);
    status.ready = Some(ready);
    status.terminating = Some(terminating);
    status.succeeded = Some(succeeded).filter(|n| *n > 0);
    status.failed = Some(failed).filter(|n| *n > 0);
    status.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());

    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let mut finished_now: Option<Finish> = None;
    match &finish {
        Some(Finish::Success(reason, message)) => {
            if !conditions.iter().any(|c| c.type_ == "SuccessCriteriaMet") {
                conditions.push(new_condition("SuccessCriteriaMet", reason, message, now));
            }
            if terminating == 0 {
                conditions.push(new_condition("Complete", reason, message, now));
                status.completion_time = Some(Time(now));
                finished_now = finish.clone();
            }
        }
        Some(Finish::Failure(reason, message)) => {
            if !conditions.iter().any(|c| c.type_ == "FailureTarget") {
                conditions.push(new_condition("FailureTarget", reason, message, now));
            }
            if terminating == 0 {
                conditions.push(new_condition("Failed", reason, message, now));
                finished_now = finish.clone();
            }
        }
        None => {}
    }
    let suspension = match suspend_change {
        Some(true) => Some(("True", "JobSuspended", "Job suspended", "Suspended")),
        Some(false) => Some(("False", "JobResumed", "Job resumed", "Resumed")),
        None => None,
    };
    if let Some((value, reason, message, event)) = suspension
        && ensure_condition(conditions, "Suspended", value, reason, message, now)
    {
        cluster.event(
            Kind::Job,
            &job.metadata,
            "Normal",
            event,
            message.into(),
            COMPONENT,
        );
        if value == "False" {
            // The deadline counts from the resumption.
            status.start_time = Some(Time(now));
        }
    }
    if status.conditions.as_ref().is_some_and(Vec::is_empty) {
        status.conditions = None;
    }

    if job.status.as_ref() != Some(&status) {
        job.status = Some(status);
        let stored = cluster.store.put_typed(job.clone());
        job.metadata = stored.meta().clone();
    }
    match finished_now {
        Some(Finish::Success(..)) => {
            cluster.event(
                Kind::Job,
                &job.metadata,
                "Normal",
                "Completed",
                "Job completed".into(),
                COMPONENT,
            );
            false
        }
        Some(Finish::Failure(reason, message)) => {
            cluster.event(
                Kind::Job,
                &job.metadata,
                "Warning",
                &reason,
                message,
                COMPONENT,
            );
            false
        }
        None => true,
    }
}

fn failure((reason, message): (&str, &str)) -> Finish {
    Finish::Failure(reason.into(), message.into())
}

fn new_condition(type_: &str, reason: &str, message: &str, now: Timestamp) -> JobCondition {
    JobCondition {
        type_: type_.into(),
        status: "True".into(),
        reason: Some(reason.into()).filter(|r: &String| !r.is_empty()),
        message: Some(message.into()).filter(|m: &String| !m.is_empty()),
        last_probe_time: Some(Time(now)),
        last_transition_time: Some(Time(now)),
    }
}

/// Sets a condition's status, as the real `ensureJobConditionStatus`: a
/// missing condition is added only when true. Returns whether it changed.
fn ensure_condition(
    conditions: &mut Vec<JobCondition>,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: Timestamp,
) -> bool {
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) if c.status == status => false,
        Some(c) => {
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_probe_time = Some(Time(now));
            c.last_transition_time = Some(Time(now));
            true
        }
        None if status == "True" => {
            conditions.push(new_condition(type_, reason, message, now));
            true
        }
        None => false,
    }
}

/// With `restartPolicy: OnFailure`, a pod's restarts count against the
/// back-off limit.
fn past_backoff_on_failure(
    spec: &k8s_openapi::api::batch::v1::JobSpec,
    pods: &[Pod],
    limit: i32,
) -> bool {
    let policy = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref());
    if policy != Some("OnFailure") {
        return false;
    }
    let restarts: i32 = pods
        .iter()
        .filter(|p| matches!(phase(p), "Running" | "Pending"))
        .flat_map(|p| {
            p.status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
        })
        .map(|c| c.restart_count)
        .sum();
    if limit == 0 {
        restarts > 0
    } else {
        restarts >= limit
    }
}

fn past_deadline(
    spec: &k8s_openapi::api::batch::v1::JobSpec,
    status: &JobStatus,
    suspended: bool,
    now: Timestamp,
) -> bool {
    let (Some(deadline), Some(start)) = (spec.active_deadline_seconds, &status.start_time) else {
        return false;
    };
    !suspended && now.as_second() - start.0.as_second() >= deadline
}

/// How long the controller still waits before it replaces a failed pod:
/// `first` doubled for each failure since the last success, from the
/// last failure.
fn backoff_remaining(pods: &[Pod], now: Timestamp, first: Duration) -> Duration {
    let mut finished: Vec<(Timestamp, bool)> = pods
        .iter()
        .filter(|p| phase(p) == "Succeeded" || is_failed(p))
        .filter_map(|p| Some((finish_time(p)?, phase(p) == "Succeeded")))
        .collect();
    finished.sort_by_key(|(t, _)| *t);
    let failures = finished.iter().rev().take_while(|(_, ok)| !ok).count() as u32;
    let Some((last, _)) = finished.last().filter(|_| failures > 0) else {
        return Duration::ZERO;
    };
    let delay = first * 2u32.saturating_pow(failures - 1).min(MAX_BACKOFF_FACTOR);
    let since = Duration::from_millis((now.as_millisecond() - last.as_millisecond()).max(0) as u64);
    delay.saturating_sub(since)
}

fn create_pod(cluster: &mut Cluster, job: &Job) {
    let job_name = job.metadata.name.clone().unwrap_or_default();
    let template = job.spec.clone().unwrap_or_default().template;
    let tmeta = template.metadata.unwrap_or_default();
    let name = format!("{job_name}-{}", random_suffix());
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            generate_name: Some(format!("{job_name}-")),
            namespace: job.metadata.namespace.clone(),
            labels: tmeta.labels,
            annotations: tmeta.annotations,
            finalizers: Some(vec![TRACKING_FINALIZER.to_string()]),
            owner_references: Some(vec![owner_ref("Job", "batch/v1", &job.metadata)]),
            ..ObjectMeta::default()
        },
        spec: Some(template.spec.unwrap_or_default()),
        status: Some(PodStatus {
            phase: Some("Pending".into()),
            ..PodStatus::default()
        }),
    };
    cluster.store.put_typed(pod);
    cluster.event(
        Kind::Job,
        &job.metadata,
        "Normal",
        "SuccessfulCreate",
        format!("Created pod: {name}"),
        COMPONENT,
    );
}

/// The labels the API server puts on a Job's pod template (and selects
/// by), for a Job with this uid and name.
pub fn generated_labels(uid: &str, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (CONTROLLER_UID.to_string(), uid.to_string()),
        (JOB_NAME.to_string(), name.to_string()),
        (LEGACY_CONTROLLER_UID.to_string(), uid.to_string()),
        (LEGACY_JOB_NAME.to_string(), name.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{ContainerState, ContainerStateTerminated, ContainerStatus};

    use super::*;
    use crate::cluster::Timing;

    fn cluster() -> Cluster {
        Cluster::new(Timing::fast(), 1000)
    }

    fn add_job(c: &mut Cluster, name: &str, spec: serde_json::Value) -> Job {
        let mut value = serde_json::json!({
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "app", "image": "shop/report:1.0"}]
            }}}
        });
        if let (Some(to), Some(from)) = (value["spec"].as_object_mut(), spec.as_object()) {
            to.extend(from.clone());
        }
        let mut job: Job = serde_json::from_value(value).unwrap();
        super::super::admission::admit_new_job(&mut c.store, &mut job);
        c.store.put_typed(job.clone());
        job
    }

    fn job(c: &Cluster, name: &str) -> Job {
        c.store.get_typed::<Job>("shop", name).unwrap()
    }

    fn status(c: &Cluster, name: &str) -> JobStatus {
        job(c, name).status.unwrap_or_default()
    }

    fn pods(c: &Cluster, name: &str) -> Vec<Pod> {
        let uid = job(c, name).metadata.uid.unwrap();
        c.store
            .list_typed::<Pod>(Some("shop"))
            .into_iter()
            .filter(|p| super::super::owned_by(&p.metadata, &uid))
            .collect()
    }

    /// Ends a pod's container `ago` before now, with an exit code.
    fn finish(c: &mut Cluster, pod: &Pod, code: i32, ago: Duration) {
        let mut pod = c
            .store
            .get_typed::<Pod>("shop", pod.metadata.name.as_deref().unwrap())
            .unwrap();
        let at = Timestamp::now() - jiff::SignedDuration::try_from(ago).unwrap();
        let status = pod.status.get_or_insert_with(PodStatus::default);
        status.phase = Some(if code == 0 { "Succeeded" } else { "Failed" }.into());
        status.container_statuses = Some(vec![ContainerStatus {
            name: "app".into(),
            state: Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: code,
                    finished_at: Some(Time(at)),
                    ..ContainerStateTerminated::default()
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        }]);
        c.store.put_typed(pod);
    }

    fn conditions(s: &JobStatus) -> Vec<String> {
        s.conditions
            .iter()
            .flatten()
            .map(|c| {
                format!(
                    "{}={}:{}",
                    c.type_,
                    c.status,
                    c.reason.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn pods_up_to_parallelism_until_completions_succeed() {
        let mut c = cluster();
        add_job(
            &mut c,
            "report",
            serde_json::json!({"completions": 3, "parallelism": 2}),
        );
        sync(&mut c);
        let first = pods(&c, "report");
        assert_eq!(first.len(), 2);
        for p in &first {
            assert!(p.metadata.name.as_deref().unwrap().starts_with("report-"));
            assert_eq!(
                p.metadata.finalizers.as_deref(),
                Some(&[TRACKING_FINALIZER.to_string()][..])
            );
            let labels = p.metadata.labels.clone().unwrap();
            assert_eq!(labels.get(JOB_NAME).map(String::as_str), Some("report"));
        }
        let s = status(&c, "report");
        assert_eq!(
            (s.active, s.ready, s.terminating),
            (Some(2), Some(0), Some(0))
        );
        assert!(s.start_time.is_some());
        assert_eq!(
            s.uncounted_terminated_pods,
            Some(UncountedTerminatedPods::default())
        );

        for p in &first {
            finish(&mut c, p, 0, Duration::ZERO);
        }
        sync(&mut c);
        let s = status(&c, "report");
        assert_eq!((s.succeeded, s.active), (Some(2), Some(1)));
        // Counted pods lose the finalizer; one more runs for the third.
        let now = pods(&c, "report");
        assert_eq!(now.len(), 3);
        assert_eq!(now.iter().filter(|p| tracked(p)).count(), 1);
        assert!(conditions(&s).is_empty());

        let last = now.iter().find(|p| tracked(p)).unwrap().clone();
        finish(&mut c, &last, 0, Duration::ZERO);
        sync(&mut c);
        let s = status(&c, "report");
        assert_eq!(
            conditions(&s),
            [
                "SuccessCriteriaMet=True:CompletionsReached",
                "Complete=True:CompletionsReached"
            ]
        );
        assert_eq!((s.succeeded, s.active, s.ready), (Some(3), None, Some(0)));
        assert!(s.completion_time.is_some());
        assert_eq!(finished(&job(&c, "report")), Some("Complete"));
        // A finished Job is left alone.
        let rv = c.store.resource_version();
        assert!(!sync(&mut c));
        assert_eq!(c.store.resource_version(), rv);
    }

    #[test]
    fn failures_back_off_then_exceed_the_limit() {
        let mut c = cluster();
        add_job(&mut c, "flaky", serde_json::json!({"backoffLimit": 1}));
        sync(&mut c);
        let first = pods(&c, "flaky").remove(0);
        finish(&mut c, &first, 1, Duration::ZERO);
        sync(&mut c);
        let s = status(&c, "flaky");
        assert_eq!((s.failed, s.active), (Some(1), None));
        // Within the back-off no replacement is made...
        assert_eq!(pods(&c, "flaky").len(), 1);
        // ...after it, one is.
        finish(&mut c, &first, 1, Duration::from_secs(1));
        sync(&mut c);
        let now = pods(&c, "flaky");
        assert_eq!(now.len(), 2);
        let second = now.into_iter().find(tracked).unwrap();
        finish(&mut c, &second, 1, Duration::ZERO);
        sync(&mut c);
        let s = status(&c, "flaky");
        assert_eq!(s.failed, Some(2));
        assert_eq!(
            conditions(&s),
            [
                "FailureTarget=True:BackoffLimitExceeded",
                "Failed=True:BackoffLimitExceeded"
            ]
        );
        let failed = s.conditions.unwrap().pop().unwrap();
        assert_eq!(failed.message.as_deref(), Some(BACKOFF_LIMIT_EXCEEDED.1));
        assert!(s.completion_time.is_none());
        let events: Vec<String> = c
            .store
            .list_typed::<k8s_openapi::api::core::v1::Event>(Some("shop"))
            .iter()
            .filter_map(|e| e.reason.clone())
            .collect();
        assert!(
            events.contains(&"BackoffLimitExceeded".to_string()),
            "{events:?}"
        );
    }

    #[test]
    fn the_backoff_doubles_with_each_failure_since_a_success() {
        let mut c = cluster();
        add_job(&mut c, "b", serde_json::json!({}));
        sync(&mut c);
        let pod = pods(&c, "b").remove(0);
        let at = |ago: u64, code: i32| {
            let mut p = pod.clone();
            let t = Timestamp::now() - jiff::SignedDuration::from_secs(ago as i64);
            p.status = Some(PodStatus {
                phase: Some(if code == 0 { "Succeeded" } else { "Failed" }.into()),
                container_statuses: Some(vec![ContainerStatus {
                    state: Some(ContainerState {
                        terminated: Some(ContainerStateTerminated {
                            exit_code: code,
                            finished_at: Some(Time(t)),
                            ..ContainerStateTerminated::default()
                        }),
                        ..ContainerState::default()
                    }),
                    ..ContainerStatus::default()
                }]),
                ..PodStatus::default()
            });
            p
        };
        let first = Duration::from_secs(10);
        let now = Timestamp::now();
        let left = |pods: &[Pod]| backoff_remaining(pods, now, first).as_secs_f64().round();
        assert_eq!(left(&[]), 0.0);
        // One failure 4 s ago: 10 s, 6 left.
        assert_eq!(left(&[at(4, 1)]), 6.0);
        // Three failures, the last 4 s ago: 40 s, 36 left.
        assert_eq!(left(&[at(100, 1), at(50, 1), at(4, 1)]), 36.0);
        // A success resets the count.
        assert_eq!(left(&[at(100, 1), at(50, 0), at(4, 1)]), 6.0);
        // Capped at 10 minutes.
        let many: Vec<Pod> = (0..12).map(|i| at(1000 - i, 1)).collect();
        assert!(left(&many) <= 600.0);
    }

    #[test]
    fn an_active_deadline_stops_the_job() {
        let mut c = cluster();
        add_job(
            &mut c,
            "slow",
            serde_json::json!({"activeDeadlineSeconds": 1}),
        );
        sync(&mut c);
        assert_eq!(pods(&c, "slow").len(), 1);
        let mut j = job(&c, "slow");
        j.status.as_mut().unwrap().start_time =
            Some(Time(Timestamp::now() - jiff::SignedDuration::from_secs(2)));
        c.store.put_typed(j);
        sync(&mut c);
        let s = status(&c, "slow");
        // The running pod is stopped and counted as failed; the Job fails
        // once it is gone.
        assert_eq!(conditions(&s), ["FailureTarget=True:DeadlineExceeded"]);
        assert_eq!(
            (s.failed, s.active, s.terminating),
            (Some(1), None, Some(1))
        );
        let pod = pods(&c, "slow").remove(0);
        assert!(pod.metadata.deletion_timestamp.is_some() && !tracked(&pod));
        c.store
            .delete(Kind::Pod, "shop", pod.metadata.name.as_deref().unwrap());
        sync(&mut c);
        let s = status(&c, "slow");
        assert_eq!(
            conditions(&s),
            [
                "FailureTarget=True:DeadlineExceeded",
                "Failed=True:DeadlineExceeded"
            ]
        );
        let failed = s.conditions.unwrap().pop().unwrap();
        assert_eq!(failed.message.as_deref(), Some(DEADLINE_EXCEEDED.1));
    }

    #[test]
    fn a_suspended_job_waits_and_resumes() {
        let mut c = cluster();
        add_job(&mut c, "held", serde_json::json!({"suspend": true}));
        sync(&mut c);
        assert!(pods(&c, "held").is_empty());
        let s = status(&c, "held");
        assert_eq!(conditions(&s), ["Suspended=True:JobSuspended"]);
        assert!(s.start_time.is_none());
        let mut j = job(&c, "held");
        j.spec.as_mut().unwrap().suspend = Some(false);
        c.store.put_typed(j);
        sync(&mut c);
        let s = status(&c, "held");
        assert_eq!(conditions(&s), ["Suspended=False:JobResumed"]);
        assert!(s.start_time.is_some());
        assert_eq!(pods(&c, "held").len(), 1);
        // Suspending again deletes the running pod without counting it.
        let mut j = job(&c, "held");
        j.spec.as_mut().unwrap().suspend = Some(true);
        c.store.put_typed(j);
        sync(&mut c);
        let s = status(&c, "held");
        assert_eq!(conditions(&s), ["Suspended=True:JobSuspended"]);
        assert_eq!((s.failed, s.active, s.terminating), (None, None, Some(1)));
    }
}
