//! What the API server does to Jobs, CronJobs and HorizontalPodAutoscalers
//! on their way in: the defaults of `batch/v1` and `autoscaling/v2` and a
//! new Job's generated selector and pod labels (from
//! `controller::admission`), validation with the real messages (the causes
//! of a 422), and `metadata.generation`.

use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricTarget};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use serde::Serialize;

use crate::controller::admission::{
    default_cronjob, default_hpa, default_job, generate_selector, go_value,
};
use crate::controller::{Schedule, time_zone};
use crate::store::{Obj, Store};

/// The longest CronJob name: its Jobs add 11 characters and must stay
/// within 63.
const MAX_CRONJOB_NAME: usize = 52;

/// Defaults, validates and (for a new Job) completes an object of these
/// kinds; returns the causes of a 422 (none: accepted). Other kinds pass.
pub fn admit(store: &mut Store, obj: &mut Obj, old: Option<&Obj>) -> Vec<String> {
    let mut causes = Vec::new();
    let previous = old.and_then(|o| o.meta().generation).unwrap_or(0);
    match (obj, old) {
        (Obj::Job(job), old) => {
            let old = match old {
                Some(Obj::Job(o)) => Some(o),
                _ => None,
            };
            default_job(job);
            match old {
                None => {
                    job.status = None;
                    generate_selector(store, job, &mut causes);
                }
                Some(o) => {
                    immutable(
                        &mut causes,
                        "spec.selector",
                        &spec_of(o).selector,
                        &spec_of(job).selector,
                    );
                    immutable(
                        &mut causes,
                        "spec.completions",
                        &spec_of(o).completions,
                        &spec_of(job).completions,
                    );
                    immutable(
                        &mut causes,
                        "spec.template",
                        &spec_of(o).template,
                        &spec_of(job).template,
                    );
                }
            }
            validate_job_spec(&mut causes, "spec", job.spec.as_ref());
            let changed = old.is_none_or(|o| o.spec != job.spec);
            job.metadata.generation = Some(next_generation(previous, changed));
        }
        (Obj::CronJob(cj), old) => {
            default_cronjob(cj);
            validate_cronjob(&mut causes, cj, old.is_none());
            let changed = match old {
                Some(Obj::CronJob(o)) => o.spec != cj.spec,
                _ => true,
            };
            if old.is_none() {
                cj.status = None;
            }
            cj.metadata.generation = Some(next_generation(previous, changed));
        }
        (Obj::HorizontalPodAutoscaler(hpa), old) => {
            default_hpa(hpa);
            validate_hpa(&mut causes, hpa);
            let changed = match old {
                Some(Obj::HorizontalPodAutoscaler(o)) => o.spec != hpa.spec,
                _ => true,
            };
            if old.is_none() {
                hpa.status = None;
            }
            hpa.metadata.generation = Some(next_generation(previous, changed));
        }
        _ => {}
    }
    causes
}

fn next_generation(previous: i64, changed: bool) -> i64 {
    if changed {
        previous + 1
    } else {
        previous.max(1)
    }
}

fn spec_of(job: &Job) -> JobSpec {
    job.spec.clone().unwrap_or_default()
}

fn immutable<T: PartialEq + Serialize>(causes: &mut Vec<String>, field: &str, old: &T, new: &T) {
    if old != new {
        causes.push(format!(
            "{field}: Invalid value: {}: field is immutable",
            go_value(new)
        ));
    }
}

fn nonnegative(causes: &mut Vec<String>, field: &str, value: Option<i64>) {
    if let Some(v) = value.filter(|v| *v < 0) {
        causes.push(format!(
            "{field}: Invalid value: {v}: must be greater than or equal to 0"
        ));
    }
}

/// The checks of a Job's spec (or a CronJob's Job template), under `at`.
fn validate_job_spec(causes: &mut Vec<String>, at: &str, spec: Option<&JobSpec>) {
    let Some(spec) = spec else {
        causes.push(format!("{at}.template.spec.containers: Required value"));
        return;
    };
    nonnegative(
        causes,
        &format!("{at}.parallelism"),
        spec.parallelism.map(i64::from),
    );
    nonnegative(
        causes,
        &format!("{at}.completions"),
        spec.completions.map(i64::from),
    );
    nonnegative(
        causes,
        &format!("{at}.backoffLimit"),
        spec.backoff_limit.map(i64::from),
    );
    nonnegative(
        causes,
        &format!("{at}.activeDeadlineSeconds"),
        spec.active_deadline_seconds,
    );
    let pod = spec.template.spec.as_ref();
    if pod.is_none_or(|p| p.containers.is_empty()) {
        causes.push(format!("{at}.template.spec.containers: Required value"));
    }
    let restart = pod.and_then(|p| p.restart_policy.as_deref());
    if !matches!(restart, Some("OnFailure" | "Never")) {
        causes.push(format!(
            "{at}.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
        ));
    }
    if let Some(mode) = spec.completion_mode.as_deref()
        && !matches!(mode, "NonIndexed" | "Indexed")
    {
        causes.push(format!(
            "{at}.completionMode: Unsupported value: {mode:?}: supported values: \"NonIndexed\", \"Indexed\""
        ));
    }
    if let Some(selector) = &spec.selector {
        let labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        let wanted = selector.match_labels.clone().unwrap_or_default();
        if wanted.iter().any(|(k, v)| labels.get(k) != Some(v)) {
            causes.push(format!(
                "{at}.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                go_value(&labels)
            ));
        }
    }
}

fn validate_cronjob(causes: &mut Vec<String>, cj: &CronJob, created: bool) {
    let spec = &cj.spec;
    let name = cj.metadata.name.clone().unwrap_or_default();
    if created && name.len() > MAX_CRONJOB_NAME {
        causes.push(format!(
            "metadata.name: Invalid value: {name:?}: must be no more than {MAX_CRONJOB_NAME} characters"
        ));
    }
    if spec.schedule.is_empty() {
        causes.push("spec.schedule: Required value".into());
    } else if spec.schedule.contains("TZ") {
        causes.push(format!(
            "spec.schedule: Invalid value: {:?}: cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            spec.schedule
        ));
    } else if let Err(e) = Schedule::parse(&spec.schedule) {
        causes.push(format!(
            "spec.schedule: Invalid value: {:?}: {e}",
            spec.schedule
        ));
    }
    if let Some(tz) = &spec.time_zone {
        if tz.is_empty() {
            causes.push(
                "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"
                    .into(),
            );
        } else if tz.eq_ignore_ascii_case("local") {
            causes.push(format!(
                "spec.timeZone: Invalid value: {tz:?}: timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
            ));
        } else if let Err(e) = time_zone(Some(tz)) {
            causes.push(format!("spec.timeZone: Invalid value: {tz:?}: {e}"));
        }
    }
    nonnegative(
        causes,
        "spec.startingDeadlineSeconds",
        spec.starting_deadline_seconds,
    );
    match spec.concurrency_policy.as_deref() {
        Some("Allow" | "Forbid" | "Replace") => {}
        Some(other) => causes.push(format!(
            "spec.concurrencyPolicy: Unsupported value: {other:?}: supported values: \"Allow\", \"Forbid\", \"Replace\""
        )),
        None => causes.push("spec.concurrencyPolicy: Required value".into()),
    }
    nonnegative(
        causes,
        "spec.successfulJobsHistoryLimit",
        spec.successful_jobs_history_limit.map(i64::from),
    );
    nonnegative(
        causes,
        "spec.failedJobsHistoryLimit",
        spec.failed_jobs_history_limit.map(i64::from),
    );
    let job = spec.job_template.spec.as_ref();
    validate_job_spec(causes, "spec.jobTemplate.spec", job);
    if let Some(selector) = job.and_then(|j| j.selector.as_ref()) {
        causes.push(format!(
            "spec.jobTemplate.spec.selector: Invalid value: {}: `selector` will be auto-generated",
            go_value(selector)
        ));
    }
    if job.and_then(|j| j.manual_selector) == Some(true) {
        causes.push(
            "spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: \"nil\", \"false\""
                .into(),
        );
    }
}

fn validate_hpa(causes: &mut Vec<String>, hpa: &HorizontalPodAutoscaler) {
    let spec = &hpa.spec;
    if let Some(min) = spec.min_replicas.filter(|m| *m < 1) {
        causes.push(format!(
            "spec.minReplicas: Invalid value: {min}: must be greater than or equal to 1"
        ));
    }
    if spec.max_replicas < 1 {
        causes.push(format!(
            "spec.maxReplicas: Invalid value: {}: must be greater than 0",
            spec.max_replicas
        ));
    }
    if let Some(min) = spec.min_replicas
        && spec.max_replicas < min
    {
        causes.push(format!(
            "spec.maxReplicas: Invalid value: {}: must be greater than or equal to `minReplicas`",
            spec.max_replicas
        ));
    }
    let target = &spec.scale_target_ref;
    if target.kind.is_empty() {
        causes.push("spec.scaleTargetRef.kind: Required value".into());
    }
    if target.name.is_empty() {
        causes.push("spec.scaleTargetRef.name: Required value".into());
    }
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        let at = format!("spec.metrics[{i}]");
        match m.type_.as_str() {
            "Resource" => match &m.resource {
                None => causes.push(format!(
                    "{at}.resource: Required value: must populate information for the given metric source"
                )),
                Some(r) => {
                    if r.name.is_empty() {
                        causes.push(format!("{at}.resource.name: Required value: must specify a resource name"));
                    }
                    validate_target(causes, &format!("{at}.resource.target"), &r.target);
                }
            },
            "Pods" | "Object" | "External" | "ContainerResource" => {}
            "" => causes.push(format!("{at}.type: Required value: must specify a metric source type")),
            other => causes.push(format!(
                "{at}.type: Unsupported value: {other:?}: supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\""
            )),
        }
    }
}

fn validate_target(causes: &mut Vec<String>, at: &str, t: &MetricTarget) {
    match t.type_.as_str() {
        "Utilization" => match t.average_utilization {
            None => causes.push(format!(
                "{at}.averageUtilization: Required value: must set either a target value or averageValue or averageUtilization"
            )),
            Some(u) if u <= 0 => causes.push(format!(
                "{at}.averageUtilization: Invalid value: {u}: must be greater than 0"
            )),
            Some(_) => {}
        },
        "Value" | "AverageValue" => {}
        "" => causes.push(format!("{at}.type: Required value: must specify a metric target type")),
        other => causes.push(format!(
            "{at}.type: Unsupported value: {other:?}: supported values: \"AverageValue\", \"Utilization\", \"Value\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::controller::generated_labels;

    fn job(value: serde_json::Value) -> Obj {
        Obj::Job(serde_json::from_value(value).unwrap())
    }

    fn template(restart: Option<&str>) -> serde_json::Value {
        let mut spec = json!({"containers": [{"name": "migrate", "image": "shop/migrate:1.5.0"}]});
        if let Some(r) = restart {
            spec["restartPolicy"] = json!(r);
        }
        json!({"spec": spec})
    }

    #[test]
    fn a_new_job_gets_defaults_a_selector_and_labels() {
        let mut store = Store::new(16);
        let mut obj = job(json!({
            "metadata": {"name": "db-migrate", "namespace": "shop"},
            "spec": {"template": template(Some("Never"))}
        }));
        assert!(admit(&mut store, &mut obj, None).is_empty());
        let Obj::Job(j) = &obj else { unreachable!() };
        let uid = j.metadata.uid.clone().unwrap();
        let spec = j.spec.clone().unwrap();
        assert_eq!(
            (spec.completions, spec.parallelism, spec.backoff_limit),
            (Some(1), Some(1), Some(6))
        );
        assert_eq!(spec.completion_mode.as_deref(), Some("NonIndexed"));
        assert_eq!(spec.suspend, Some(false));
        assert_eq!(spec.manual_selector, Some(false));
        assert_eq!(
            spec.pod_replacement_policy.as_deref(),
            Some("TerminatingOrFailed")
        );
        assert_eq!(
            spec.selector.unwrap().match_labels.unwrap(),
            BTreeMap::from([(
                "batch.kubernetes.io/controller-uid".to_string(),
                uid.clone()
            )])
        );
        let labels = spec.template.metadata.unwrap().labels.unwrap();
        assert_eq!(labels, generated_labels(&uid, "db-migrate"));
        assert_eq!(j.metadata.labels.as_ref(), Some(&labels));
        assert_eq!(j.metadata.generation, Some(1));
        let c = &spec.template.spec.unwrap().containers[0];
        assert_eq!(c.image_pull_policy.as_deref(), Some("IfNotPresent"));
    }

    #[test]
    fn a_job_must_name_a_restart_policy_that_ends() {
        let mut store = Store::new(16);
        for restart in [None, Some("Always")] {
            let mut obj = job(json!({
                "metadata": {"name": "x", "namespace": "shop"},
                "spec": {"template": template(restart)}
            }));
            assert_eq!(
                admit(&mut store, &mut obj, None),
                [
                    "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
                ]
            );
        }
        let mut obj = job(json!({
            "metadata": {"name": "x", "namespace": "shop"},
            "spec": {"template": template(Some("OnFailure")), "parallelism": -1}
        }));
        assert_eq!(
            admit(&mut store, &mut obj, None),
            ["spec.parallelism: Invalid value: -1: must be greater than or equal to 0"]
        );
    }

    #[test]
    fn a_job_keeps_its_selector_and_template() {
        let mut store = Store::new(16);
        let mut old = job(json!({
            "metadata": {"name": "x", "namespace": "shop"},
            "spec": {"template": template(Some("Never"))}
        }));
        assert!(admit(&mut store, &mut old, None).is_empty());
        let mut new = old.clone();
        if let Obj::Job(j) = &mut new {
            j.spec.as_mut().unwrap().suspend = Some(true);
        }
        assert!(admit(&mut store, &mut new, Some(&old)).is_empty());
        assert_eq!(new.meta().generation, Some(2));
        if let Obj::Job(j) = &mut new {
            j.spec.as_mut().unwrap().selector = None;
        }
        let causes = admit(&mut store, &mut new.clone(), Some(&old));
        assert_eq!(
            causes,
            ["spec.selector: Invalid value: null: field is immutable"]
        );
    }

    #[test]
    fn cronjobs_get_defaults_and_their_schedule_checked() {
        let mut store = Store::new(16);
        let cronjob = |schedule: &str, tz: Option<&str>| {
            let mut v = json!({
                "metadata": {"name": "report-nightly", "namespace": "shop"},
                "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": template(Some("OnFailure"))}}}
            });
            if let Some(tz) = tz {
                v["spec"]["timeZone"] = json!(tz);
            }
            Obj::CronJob(serde_json::from_value(v).unwrap())
        };
        let mut ok = cronjob("0 3 * * *", Some("Europe/Berlin"));
        assert!(admit(&mut store, &mut ok, None).is_empty());
        let Obj::CronJob(cj) = &ok else {
            unreachable!()
        };
        assert_eq!(cj.spec.concurrency_policy.as_deref(), Some("Allow"));
        assert_eq!(cj.spec.suspend, Some(false));
        assert_eq!(cj.spec.successful_jobs_history_limit, Some(3));
        assert_eq!(cj.spec.failed_jobs_history_limit, Some(1));
        assert_eq!(
            admit(&mut store, &mut cronjob("0 25 * * *", None), None),
            [
                "spec.schedule: Invalid value: \"0 25 * * *\": end of range (25) above maximum (23): 25"
            ]
        );
        assert_eq!(
            admit(
                &mut store,
                &mut cronjob("0 3 * * *", Some("Mars/Olympus")),
                None
            ),
            ["spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"]
        );
        assert_eq!(
            admit(
                &mut store,
                &mut cronjob("CRON_TZ=UTC 0 3 * * *", None),
                None
            ),
            [
                "spec.schedule: Invalid value: \"CRON_TZ=UTC 0 3 * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            ]
        );
    }

    #[test]
    fn hpas_get_defaults_and_their_bounds_checked() {
        let mut store = Store::new(16);
        let hpa = |min: Option<i32>, max: i32| {
            let mut v = json!({
                "metadata": {"name": "worker", "namespace": "shop"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"}, "maxReplicas": max}
            });
            if let Some(min) = min {
                v["spec"]["minReplicas"] = json!(min);
            }
            Obj::HorizontalPodAutoscaler(serde_json::from_value(v).unwrap())
        };
        let mut ok = hpa(None, 6);
        assert!(admit(&mut store, &mut ok, None).is_empty());
        let Obj::HorizontalPodAutoscaler(h) = &ok else {
            unreachable!()
        };
        assert_eq!(h.spec.min_replicas, Some(1));
        let m = &h.spec.metrics.as_ref().unwrap()[0];
        assert_eq!(
            m.resource.as_ref().unwrap().target.average_utilization,
            Some(80)
        );
        assert_eq!(
            admit(&mut store, &mut hpa(Some(7), 6), None),
            ["spec.maxReplicas: Invalid value: 6: must be greater than or equal to `minReplicas`"]
        );
        assert_eq!(
            admit(&mut store, &mut hpa(Some(0), 6), None),
            ["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"]
        );
    }
}
