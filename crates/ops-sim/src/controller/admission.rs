//! What the API server fills in for an object on its way in: the defaults
//! of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and
//! HorizontalPodAutoscalers (and of their pod templates), and a new Job's
//! uid, generated selector and pod labels. The controllers admit the Jobs
//! they create here, the scenarios and tests build their objects with
//! these defaults, and `api` adds validation and `metadata.generation`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    DaemonSetSpec, DaemonSetUpdateStrategy, DeploymentSpec, DeploymentStrategy,
    RollingUpdateDaemonSet, RollingUpdateDeployment, RollingUpdateStatefulSetStrategy,
    StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::api::core::v1::{
    PodSecurityContext, PodSpec, PodTemplateSpec, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

use super::job::{CONTROLLER_UID, generated_labels};
use crate::store::Store;

/// A new Job as the API server stores it: defaults, uid, and the
/// generated selector and labels. For Jobs made by a controller, whose
/// template was validated with its owner.
pub fn admit_new_job(store: &mut Store, job: &mut Job) {
    default_job(job);
    let mut causes = Vec::new();
    generate_selector(store, job, &mut causes);
    job.metadata.generation = Some(1);
}

/// The uid, and unless `manualSelector` is set, the selector and the pod
/// labels the API server generates for a new Job.
pub fn generate_selector(store: &mut Store, job: &mut Job, causes: &mut Vec<String>) {
    let uid = job
        .metadata
        .uid
        .get_or_insert_with(|| store.new_uid())
        .clone();
    let name = job.metadata.name.clone().unwrap_or_default();
    let spec = job.spec.get_or_insert_with(JobSpec::default);
    if spec.manual_selector == Some(true) {
        return;
    }
    let generated = generated_labels(&uid, &name);
    let tmeta = spec
        .template
        .metadata
        .get_or_insert_with(ObjectMeta::default);
    let labels = tmeta.labels.get_or_insert_with(BTreeMap::new);
    for (k, v) in &generated {
        labels.insert(k.clone(), v.clone());
    }
    match &spec.selector {
        None => {
            spec.selector = Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(CONTROLLER_UID.to_string(), uid.clone())])),
                match_expressions: None,
            });
        }
        Some(s) => causes.push(format!(
            "spec.selector: Invalid value: {}: `selector` not auto-generated",
            go_value(s)
        )),
    }
    // A Job without labels of its own shows its pods'.
    if job.metadata.labels.as_ref().is_none_or(BTreeMap::is_empty) {
        job.metadata.labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone());
    }
}

/// The defaults of a `batch/v1` Job.
pub fn default_job(job: &mut Job) {
    let spec = job.spec.get_or_insert_with(JobSpec::default);
    default_job_spec(spec);
    if job.metadata.labels.as_ref().is_none_or(BTreeMap::is_empty) {
        let labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone());
        if labels.as_ref().is_some_and(|l| !l.is_empty()) {
            job.metadata.labels = labels;
        }
    }
}

fn default_job_spec(spec: &mut JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    spec.backoff_limit.get_or_insert(6);
    spec.completion_mode
        .get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    spec.manual_selector.get_or_insert(false);
    spec.pod_replacement_policy.get_or_insert_with(|| {
        if spec.pod_failure_policy.is_some() {
            "Failed".into()
        } else {
            "TerminatingOrFailed".into()
        }
    });
    default_job_template(&mut spec.template);
}

/// The defaults of a Job's pod template (`restartPolicy` is left alone: a
/// Job must name one).
fn default_job_template(t: &mut PodTemplateSpec) {
    let Some(pod) = t.spec.as_mut() else { return };
    default_job_pod_spec(pod);
}

fn default_job_pod_spec(pod: &mut PodSpec) {
    for c in &mut pod.containers {
        for p in c.ports.iter_mut().flatten() {
            p.protocol.get_or_insert_with(|| "TCP".into());
        }
        let image = c.image.clone().unwrap_or_default();
        let tag = image
            .rsplit_once(':')
            .filter(|(_, t)| !t.contains('/'))
            .map(|(_, t)| t);
        c.image_pull_policy.get_or_insert_with(|| {
            if tag.is_none_or(|t| t == "latest") {
                "Always".into()
            } else {
                "IfNotPresent".into()
            }
        });
        c.termination_message_path
            .get_or_insert_with(|| "/dev/termination-log".into());
        c.termination_message_policy
            .get_or_insert_with(|| "File".into());
    }
    pod.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    pod.termination_grace_period_seconds.get_or_insert(30);
    pod.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
}

/// The defaults of a `batch/v1` CronJob.
pub fn default_cronjob(cj: &mut CronJob) {
    let spec = &mut cj.spec;
    spec.concurrency_policy
        .get_or_insert_with(|| "Allow".into());
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(3);
    spec.failed_jobs_history_limit.get_or_insert(1);
    if let Some(job) = spec.job_template.spec.as_mut() {
        default_job_template(&mut job.template);
    }
}

/// The defaults of an `autoscaling/v2` HorizontalPodAutoscaler.
pub fn default_hpa(hpa: &mut HorizontalPodAutoscaler) {
    let spec = &mut hpa.spec;
    spec.min_replicas.get_or_insert(1);
    if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
        spec.metrics = Some(vec![MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: "cpu".into(),
                target: MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(80),
                    ..MetricTarget::default()
                },
            }),
            ..MetricSpec::default()
        }]);
    }
    if let Some(b) = spec.behavior.as_mut() {
        let policy = |type_: &str, value, period| HPAScalingPolicy {
            type_: type_.into(),
            value,
            period_seconds: period,
        };
        let up = b.scale_up.get_or_insert_with(HPAScalingRules::default);
        up.stabilization_window_seconds.get_or_insert(0);
        up.select_policy.get_or_insert_with(|| "Max".into());
        up.policies
            .get_or_insert_with(|| vec![policy("Pods", 4, 15), policy("Percent", 100, 15)]);
        let down = b.scale_down.get_or_insert_with(HPAScalingRules::default);
        down.select_policy.get_or_insert_with(|| "Max".into());
        down.policies
            .get_or_insert_with(|| vec![policy("Percent", 100, 15)]);
    }
}

/// The defaults the API server gives the pod template of a StatefulSet or
/// DaemonSet.
fn default_pod_template(template: &mut PodTemplateSpec) {
    let Some(pod) = template.spec.as_mut() else {
        return;
    };
    for c in pod
        .containers
        .iter_mut()
        .chain(pod.init_containers.iter_mut().flatten())
    {
        for p in c.ports.iter_mut().flatten() {
            p.protocol.get_or_insert_with(|| "TCP".into());
        }
        let image = c.image.clone().unwrap_or_default();
        let tag = image
            .rsplit_once('/')
            .map_or(image.as_str(), |(_, last)| last)
            .split_once(':')
            .map(|(_, t)| t.to_string());
        c.image_pull_policy.get_or_insert_with(|| {
            if tag.is_none_or(|t| t == "latest") && !image.contains('@') {
                "Always".into()
            } else {
                "IfNotPresent".into()
            }
        });
        c.resources
            .get_or_insert_with(ResourceRequirements::default);
        c.termination_message_path
            .get_or_insert_with(|| "/dev/termination-log".into());
        c.termination_message_policy
            .get_or_insert_with(|| "File".into());
    }
    pod.restart_policy.get_or_insert_with(|| "Always".into());
    pod.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    pod.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    pod.security_context
        .get_or_insert_with(PodSecurityContext::default);
    pod.termination_grace_period_seconds.get_or_insert(30);
}

/// The defaults the API server fills in for a StatefulSet.
pub fn default_statefulset(spec: &mut StatefulSetSpec) {
    default_pod_template(&mut spec.template);
    let strategy = spec
        .update_strategy
        .get_or_insert_with(StatefulSetUpdateStrategy::default);
    if strategy.type_.as_deref().is_none_or(str::is_empty) {
        strategy.type_ = Some("RollingUpdate".into());
        strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
    }
    if strategy.type_.as_deref() == Some("RollingUpdate")
        && let Some(ru) = strategy.rolling_update.as_mut()
    {
        ru.partition.get_or_insert(0);
    }
    let retention = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
    retention
        .when_deleted
        .get_or_insert_with(|| "Retain".into());
    retention.when_scaled.get_or_insert_with(|| "Retain".into());
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    if spec
        .pod_management_policy
        .as_deref()
        .is_none_or(str::is_empty)
    {
        spec.pod_management_policy = Some("OrderedReady".into());
    }
}

/// The defaults the API server fills in for a DaemonSet.
pub fn default_daemonset(spec: &mut DaemonSetSpec) {
    default_pod_template(&mut spec.template);
    let strategy = spec
        .update_strategy
        .get_or_insert_with(DaemonSetUpdateStrategy::default);
    if strategy.type_.as_deref().is_none_or(str::is_empty) {
        strategy.type_ = Some("RollingUpdate".into());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDaemonSet::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
}

/// The defaults the API server fills in for a Deployment.
pub fn default_deployment(spec: &mut DeploymentSpec) {
    if let Some(pod) = spec.template.spec.as_mut() {
        for c in &mut pod.containers {
            for p in c.ports.iter_mut().flatten() {
                p.protocol.get_or_insert_with(|| "TCP".into());
            }
            c.image_pull_policy
                .get_or_insert_with(|| "IfNotPresent".into());
            c.termination_message_path
                .get_or_insert_with(|| "/dev/termination-log".into());
        }
        pod.restart_policy.get_or_insert_with(|| "Always".into());
        pod.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
        pod.termination_grace_period_seconds.get_or_insert(30);
    }
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    let strategy = spec
        .strategy
        .get_or_insert_with(DeploymentStrategy::default);
    let type_ = strategy
        .type_
        .get_or_insert_with(|| "RollingUpdate".into())
        .clone();
    if type_ == "RollingUpdate" {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_surge
            .get_or_insert(IntOrString::String("25%".into()));
        ru.max_unavailable
            .get_or_insert(IntOrString::String("25%".into()));
    }
}

/// A value as an error message shows it.
pub fn go_value(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
