//! The HorizontalPodAutoscaler controller, after the real one (Kubernetes
//! 1.32, `pkg/controller/podautoscaler`), for `autoscaling/v2` HPAs whose
//! metrics are `Resource` cpu targets (`Utilization` or `AverageValue`).
//!
//! Every `timing.hpa_sync` it reads the target's replicas and its pods'
//! CPU use, computes the replicas the metric asks for as the real replica
//! calculator does (`ceil(ready pods × usage / target)`, no change within
//! the 10% tolerance, unready pods counted as idle when scaling up),
//! keeps the highest recommendation of the scale-down stabilization window
//! (`timing.hpa_window`), clamps to `minReplicas`/`maxReplicas` and to the
//! scale-up limit, writes the target's `spec.replicas`, and reports status
//! and the `AbleToScale`, `ScalingActive` and `ScalingLimited` conditions
//! with the real reasons and messages.
//!
//! The pods' CPU is what the metrics API reports ([`super::usage`]): it
//! follows the simulated traffic (each ready pod behind a Service answers
//! its share of the Service's requests a second), so more replicas use
//! less each.

use std::time::{Duration, Instant};

use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus,
    MetricSpec, MetricStatus, MetricValueStatus, ResourceMetricStatus,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use serde_json::Value;

use super::kubelet::is_ready;
use super::usage;
use crate::cluster::Cluster;
use crate::memory::{HpaMemory, Scrape};
use crate::selector;
use crate::store::{Kind, Obj, Typed, now};

const COMPONENT: &str = "horizontal-pod-autoscaler";
/// Changes within this fraction of the target are not worth a scale.
pub const TOLERANCE: f64 = 0.1;

/// The kinds an HPA can scale, by `scaleTargetRef.kind`: each has
/// `spec.replicas`, `spec.selector` and `status.replicas`, as the scale
/// subresource reads them. A new kind is one more line.
const TARGETS: &[(&str, Kind)] = &[("Deployment", Kind::Deployment)];

/// Syncs every HPA that is due. Returns whether there is one (they need
/// the clock).
pub fn sync(cluster: &mut Cluster) -> bool {
    let hpas = cluster.store.list(Kind::HorizontalPodAutoscaler, None);
    let every = cluster.timing.hpa_sync;
    let now = Instant::now();
    let mut alive = Vec::new();
    for obj in &hpas {
        let Some(hpa) = HorizontalPodAutoscaler::peek(obj) else {
            continue;
        };
        let uid = hpa.metadata.uid.clone().unwrap_or_default();
        alive.push(uid.clone());
        let memory = cluster
            .memory
            .autoscaling
            .hpas
            .entry(uid.clone())
            .or_default();
        if memory.synced.is_some_and(|t| now.duration_since(t) < every) {
            continue;
        }
        memory.synced = Some(now);
        reconcile(cluster, hpa.clone(), &uid, now);
    }
    cluster
        .memory
        .autoscaling
        .hpas
        .retain(|uid, _| alive.contains(uid));
    !hpas.is_empty()
}

/// The target an HPA scales, as the scale subresource shows it.
struct Target {
    obj: Obj,
    replicas: i32,
    selector: Option<LabelSelector>,
}

fn find_target(cluster: &Cluster, hpa: &HorizontalPodAutoscaler) -> Result<Target, String> {
    let ns = hpa.metadata.namespace.as_deref().unwrap_or("");
    let r = &hpa.spec.scale_target_ref;
    let group = r
        .api_version
        .as_deref()
        .and_then(|v| v.split_once('/'))
        .map_or("", |(g, _)| g);
    let Some((_, kind)) = TARGETS
        .iter()
        .find(|(k, kind)| *k == r.kind && kind.group() == group)
    else {
        return Err(format!(
            "no matches for kind \"{}\" in group \"{group}\"",
            r.kind
        ));
    };
    let Some(obj) = cluster.store.get(*kind, ns, &r.name) else {
        return Err(format!("{} \"{}\" not found", kind.qualified(), r.name));
    };
    let value = obj.to_value();
    let replicas = value
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1) as i32;
    let selector = value
        .pointer("/spec/selector")
        .and_then(|s| serde_json::from_value(s.clone()).ok());
    Ok(Target {
        obj: (*obj).clone(),
        replicas,
        selector,
    })
}

/// A label selector as the text a list request takes.
fn selector_text(s: &LabelSelector) -> String {
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    parts.join(",")
}

/// One pod's sample for the replica calculator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PodSample {
    /// The pod's CPU request, in millicores (0: none).
    pub request: i64,
    /// Its CPU use, in millicores; None while it is not ready.
    pub usage: Option<i64>,
    /// Whether its containers run (a running pod without a sample is
    /// unready; one that does not run yet has no metrics at all).
    pub running: bool,
}

/// What the replica calculator proposes for a utilization target.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub replicas: i32,
    /// Current utilization, percent of the requests (ready pods).
    pub utilization: i32,
    /// Current average use, millicores.
    pub average: i64,
}

/// Utilization (percent, truncated as the real one is) and its ratio to
/// the target, and the average use, of samples (use, request).
fn ratio_of(samples: &[(i64, i64)], target: i32) -> (f64, i32, i64) {
    let used: i64 = samples.iter().map(|(u, _)| u).sum();
    let requested: i64 = samples.iter().map(|(_, r)| r).sum();
    let utilization = (used * 100 / requested.max(1)) as i32;
    (
        f64::from(utilization) / f64::from(target.max(1)),
        utilization,
        used / samples.len().max(1) as i64,
    )
}

/// The real replica calculator for a resource utilization target.
pub fn utilization_replicas(
    current: i32,
    pods: &[PodSample],
    target: i32,
) -> Result<Proposal, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    if pods.iter().any(|p| p.request <= 0) {
        return Err("missing request for cpu".into());
    }
    let mut samples: Vec<(i64, i64)> = pods
        .iter()
        .filter_map(|p| Some((p.usage?, p.request)))
        .collect();
    if samples.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, utilization, average) = ratio_of(&samples, target);
    let proposal = |replicas| Proposal {
        replicas,
        utilization,
        average,
    };
    let unready: Vec<&PodSample> = pods
        .iter()
        .filter(|p| p.usage.is_none() && p.running)
        .collect();
    let missing: Vec<&PodSample> = pods
        .iter()
        .filter(|p| p.usage.is_none() && !p.running)
        .collect();
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok(proposal(current));
        }
        return Ok(proposal((ratio * samples.len() as f64).ceil() as i32));
    }
    // Pods without a sample: on a scale down, missing ones count as using
    // their whole request; on a scale up, as idle, and so do unready ones.
    if ratio < 1.0 {
        let fallback = i64::from(target.max(100));
        samples.extend(
            missing
                .iter()
                .map(|p| (p.request * fallback / 100, p.request)),
        );
    } else if ratio > 1.0 {
        samples.extend(missing.iter().map(|p| (0, p.request)));
    }
    if scale_up_with_unready {
        samples.extend(unready.iter().map(|p| (0, p.request)));
    }
    let (new_ratio, _, _) = ratio_of(&samples, target);
    if (1.0 - new_ratio).abs() <= TOLERANCE
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(proposal(current));
    }
    let replicas = (new_ratio * samples.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok(proposal(current));
    }
    Ok(proposal(replicas))
}

/// The real `convertDesiredReplicasWithRules`: the replicas allowed, and
/// the `ScalingLimited` reason and message.
pub fn limit(current: i32, desired: i32, min: i32, max: i32) -> (i32, &'static str, &'static str) {
    let scale_up_limit = (2 * current).max(4);
    let (maximum, reason, message) = if max > scale_up_limit {
        (
            scale_up_limit,
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate",
        )
    } else {
        (
            max,
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
        )
    };
    if desired < min {
        (
            min,
            "TooFewReplicas",
            "the desired replica count is less than the minimum replica count",
        )
    } else if desired > maximum {
        (maximum, reason, message)
    } else {
        (
            desired,
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        )
    }
}

/// Keeps `desired` among the recommendations of the window and returns
/// the highest of them (a scale down waits until the window has passed).
fn stabilize(memory: &mut HpaMemory, desired: i32, now: Instant, window: Duration) -> i32 {
    let mut highest = desired;
    let mut old = None;
    for (i, (t, r)) in memory.recommendations.iter().enumerate() {
        if now.duration_since(*t) > window {
            old = Some(i);
        } else if *r > highest {
            highest = *r;
        }
    }
    match old {
        Some(i) => memory.recommendations[i] = (now, desired),
        None => memory.recommendations.push((now, desired)),
    }
    highest
}

fn set_condition(
    conditions: &mut Vec<HorizontalPodAutoscalerCondition>,
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
) {
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) => {
            if c.status != status {
                c.last_transition_time = Some(now());
            }
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message);
        }
        None => conditions.push(HorizontalPodAutoscalerCondition {
            type_: type_.into(),
            status: status.into(),
            reason: Some(reason.into()),
            message: Some(message),
            last_transition_time: Some(now()),
            ..HorizontalPodAutoscalerCondition::default()
        }),
    }
}

/// A cpu quantity in millicores (`100m`, `0.5`, `2`).
fn millicores(q: &Quantity) -> Option<i64> {
    let s = q.0.trim();
    match s.strip_suffix('m') {
        Some(m) => m.parse::<f64>().ok().map(|v| v.round() as i64),
        None => s.parse::<f64>().ok().map(|v| (v * 1000.0).round() as i64),
    }
}

fn milli_quantity(m: i64) -> Quantity {
    if m % 1000 == 0 {
        Quantity((m / 1000).to_string())
    } else {
        Quantity(format!("{m}m"))
    }
}

/// The CPU samples of the pods a target selects, from the metrics API's
/// scrape (what `kubectl top` shows): a ready pod's use, if the scrape has
/// it (one started since has none until the next).
fn samples(
    cluster: &Cluster,
    scrape: &Scrape,
    ns: &str,
    selector: &LabelSelector,
) -> Vec<PodSample> {
    let Ok(sel) = selector::LabelSelector::parse(&selector_text(selector)) else {
        return Vec::new();
    };
    cluster
        .store
        .list_typed::<Pod>(Some(ns))
        .into_iter()
        .filter(|p| sel.matches(p.metadata.labels.as_ref()))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Failed" | "Succeeded")
            )
        })
        .map(|p| {
            let spec = p.spec.clone().unwrap_or_default();
            let request: i64 = spec
                .containers
                .iter()
                .map(|c| {
                    c.resources
                        .as_ref()
                        .and_then(|r| r.requests.as_ref())
                        .and_then(|r| r.get("cpu"))
                        .and_then(millicores)
                        .unwrap_or(0)
                })
                .sum();
            let usage = if is_ready(&p) {
                usage::cpu_millis_of(scrape, &p)
            } else {
                None
            };
            let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
            PodSample {
                request,
                usage,
                running,
            }
        })
        .collect()
}

/// What the metrics ask for, with their statuses; the error is the
/// `ScalingActive` reason and message.
fn compute_metrics(
    cluster: &Cluster,
    scrape: &Scrape,
    hpa: &HorizontalPodAutoscaler,
    target: &Target,
) -> Result<(i32, String, Vec<MetricStatus>), (&'static str, String)> {
    let ns = hpa.metadata.namespace.as_deref().unwrap_or("");
    let metrics: Vec<MetricSpec> = hpa.spec.metrics.clone().unwrap_or_default();
    let selector = target.selector.clone().unwrap_or_default();
    let pods = samples(cluster, scrape, ns, &selector);
    let mut best: Option<(i32, String)> = None;
    let mut statuses = Vec::new();
    for spec in &metrics {
        let Some(resource) = spec.resource.as_ref().filter(|_| spec.type_ == "Resource") else {
            return Err((
                "FailedGetExternalMetric",
                format!(
                    "the HPA was unable to compute the replica count: unable to get metric of type {}: not served by the simulated metrics APIs",
                    spec.type_
                ),
            ));
        };
        if resource.name != "cpu" {
            return Err((
                "FailedGetResourceMetric",
                format!(
                    "the HPA was unable to compute the replica count: failed to get {0} utilization: unable to get metrics for resource {0}: no metrics returned from resource metrics API",
                    resource.name
                ),
            ));
        }
        let failed = |e: String| {
            (
                "FailedGetResourceMetric",
                format!(
                    "the HPA was unable to compute the replica count: failed to get cpu utilization: {e}"
                ),
            )
        };
        let (replicas, name, current) = match (
            resource.target.average_utilization,
            resource.target.average_value.as_ref().and_then(millicores),
        ) {
            (Some(util), _) => {
                let p = utilization_replicas(target.replicas, &pods, util).map_err(failed)?;
                (
                    p.replicas,
                    "cpu resource utilization (percentage of request)".to_string(),
                    MetricValueStatus {
                        average_utilization: Some(p.utilization),
                        average_value: Some(milli_quantity(p.average)),
                        value: None,
                    },
                )
            }
            (None, Some(value)) => {
                // An average value is a utilization of that value.
                let as_requests: Vec<PodSample> = pods
                    .iter()
                    .map(|p| PodSample {
                        request: value,
                        ..*p
                    })
                    .collect();
                let p = utilization_replicas(target.replicas, &as_requests, 100).map_err(failed)?;
                (
                    p.replicas,
                    "cpu resource".to_string(),
                    MetricValueStatus {
                        average_utilization: None,
                        average_value: Some(milli_quantity(p.average)),
                        value: None,
                    },
                )
            }
            (None, None) => {
                return Err((
                    "FailedGetResourceMetric",
                    "the HPA was unable to compute the replica count: invalid resource metric source: neither a utilization target nor a value target was set".into(),
                ));
            }
        };
        statuses.push(MetricStatus {
            type_: "Resource".into(),
            resource: Some(ResourceMetricStatus {
                name: "cpu".into(),
                current,
            }),
            ..MetricStatus::default()
        });
        if best.as_ref().is_none_or(|(r, _)| replicas > *r) {
            best = Some((replicas, name));
        }
    }
    match best {
        Some((replicas, name)) => Ok((replicas, name, statuses)),
        None => Err((
            "FailedGetResourceMetric",
            "the HPA was unable to compute the replica count: no metrics".into(),
        )),
    }
}

fn reconcile(cluster: &mut Cluster, hpa: HorizontalPodAutoscaler, uid: &str, now: Instant) {
    let old_status = hpa.status.clone();
    let mut status = old_status.clone().unwrap_or_default();
    let mut conditions = status.conditions.clone().unwrap_or_default();
    let target = match find_target(cluster, &hpa) {
        Ok(t) => t,
        Err(e) => {
            set_condition(
                &mut conditions,
                "AbleToScale",
                "False",
                "FailedGetScale",
                format!("the HPA controller was unable to get the target's current scale: {e}"),
            );
            cluster.event(
                Kind::HorizontalPodAutoscaler,
                &hpa.metadata,
                "Warning",
                "FailedGetScale",
                e,
                COMPONENT,
            );
            status.conditions = Some(conditions);
            write_status(cluster, hpa, status, old_status);
            return;
        }
    };
    set_condition(
        &mut conditions,
        "AbleToScale",
        "True",
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale".into(),
    );
    let current = target.replicas;
    let window = cluster.timing.hpa_window;
    {
        let memory = cluster
            .memory
            .autoscaling
            .hpas
            .entry(uid.to_string())
            .or_default();
        if memory.recommendations.is_empty() {
            memory.recommendations.push((now, current));
        }
    }
    let min = hpa.spec.min_replicas.unwrap_or(1);
    let max = hpa.spec.max_replicas;
    let mut metric_statuses = None;
    let mut reason = String::new();
    let (desired, rescale) = if current == 0 && min != 0 {
        set_condition(
            &mut conditions,
            "ScalingActive",
            "False",
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero".into(),
        );
        (0, false)
    } else if current > max {
        reason = "Current number of replicas above Spec.MaxReplicas".into();
        (max, true)
    } else if current < min {
        reason = "Current number of replicas below Spec.MinReplicas".into();
        (min, true)
    } else {
        let scrape = usage::scrape(cluster);
        match compute_metrics(cluster, &scrape, &hpa, &target) {
            Err((why, message)) => {
                set_condition(
                    &mut conditions,
                    "ScalingActive",
                    "False",
                    why,
                    message.clone(),
                );
                status.current_replicas = Some(current);
                status.conditions = Some(conditions);
                cluster.event(
                    Kind::HorizontalPodAutoscaler,
                    &hpa.metadata,
                    "Warning",
                    "FailedComputeMetricsReplicas",
                    message,
                    COMPONENT,
                );
                write_status(cluster, hpa, status, old_status);
                return;
            }
            Ok((proposed, metric, statuses)) => {
                set_condition(
                    &mut conditions,
                    "ScalingActive",
                    "True",
                    "ValidMetricFound",
                    format!(
                        "the HPA was able to successfully calculate a replica count from {metric}"
                    ),
                );
                metric_statuses = Some(statuses);
                if proposed > current {
                    reason = format!("{metric} above target");
                } else if proposed < current {
                    reason = "All metrics below target".into();
                }
                let memory = cluster
                    .memory
                    .autoscaling
                    .hpas
                    .entry(uid.to_string())
                    .or_default();
                let stable = stabilize(memory, proposed, now, window);
                if stable != proposed {
                    set_condition(
                        &mut conditions,
                        "AbleToScale",
                        "True",
                        "ScaleDownStabilized",
                        "recent recommendations were higher than current one, applying the highest recent recommendation".into(),
                    );
                } else {
                    set_condition(
                        &mut conditions,
                        "AbleToScale",
                        "True",
                        "ReadyForNewScale",
                        "recommended size matches current size".into(),
                    );
                }
                let (allowed, why, message) = limit(current, stable, min, max);
                let limited = if allowed == stable { "False" } else { "True" };
                set_condition(
                    &mut conditions,
                    "ScalingLimited",
                    limited,
                    why,
                    message.into(),
                );
                (allowed, allowed != current)
            }
        }
    };
    if rescale {
        scale_target(cluster, target.obj, desired);
        set_condition(
            &mut conditions,
            "AbleToScale",
            "True",
            "SucceededRescale",
            format!("the HPA controller was able to update the target scale to {desired}"),
        );
        cluster.event(
            Kind::HorizontalPodAutoscaler,
            &hpa.metadata,
            "Normal",
            "SuccessfulRescale",
            format!("New size: {desired}; reason: {reason}"),
            COMPONENT,
        );
        status.last_scale_time = Some(Time(jiff::Timestamp::now()));
    }
    status.current_replicas = Some(current);
    status.desired_replicas = if rescale { desired } else { current };
    status.current_metrics = metric_statuses;
    status.conditions = Some(conditions);
    status.observed_generation = hpa.metadata.generation;
    write_status(cluster, hpa, status, old_status);
}

fn write_status(
    cluster: &mut Cluster,
    mut hpa: HorizontalPodAutoscaler,
    status: HorizontalPodAutoscalerStatus,
    old: Option<HorizontalPodAutoscalerStatus>,
) {
    if old.as_ref() != Some(&status) {
        hpa.status = Some(status);
        cluster.store.put_typed(hpa);
    }
}

/// Writes the target's `spec.replicas`, as an update of its scale does.
fn scale_target(cluster: &mut Cluster, target: Obj, replicas: i32) {
    let kind = target.kind();
    let mut value = target.to_value();
    if let Some(spec) = value.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("replicas".into(), Value::from(replicas));
    }
    if let Ok(mut obj) = Obj::from_value(kind, value) {
        let meta = obj.meta_mut();
        meta.generation = Some(meta.generation.unwrap_or(1) + 1);
        cluster.store.put(obj);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A selector of `matchLabels` only.
    fn match_labels(labels: &[(&str, &str)]) -> LabelSelector {
        LabelSelector {
            match_labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            match_expressions: None,
        }
    }

    fn ready(usage: i64) -> PodSample {
        PodSample {
            request: 100,
            usage: Some(usage),
            running: true,
        }
    }

    fn unready() -> PodSample {
        PodSample {
            request: 100,
            usage: None,
            running: true,
        }
    }

    fn pending() -> PodSample {
        PodSample {
            request: 100,
            usage: None,
            running: false,
        }
    }

    #[test]
    fn desired_replicas_follow_the_usage_ratio() {
        // 2 pods at 90% of their request, target 60%: ceil(2 × 1.5) = 3.
        let p = utilization_replicas(2, &[ready(90), ready(90)], 60).unwrap();
        assert_eq!(
            p,
            Proposal {
                replicas: 3,
                utilization: 90,
                average: 90
            }
        );
        // 4 pods at 20%, target 70%: ceil(4 × 0.285) = 2.
        let p = utilization_replicas(4, &[ready(20); 4], 70).unwrap();
        assert_eq!(p.replicas, 2);
        assert_eq!(p.utilization, 20);
        // Utilization is the sum of use over the sum of requests.
        let p = utilization_replicas(2, &[ready(30), ready(100)], 70).unwrap();
        assert_eq!(p.utilization, 65);
    }

    #[test]
    fn a_change_within_the_tolerance_keeps_the_current_count() {
        // 75% against 70%: a ratio of 1.07, within 10%: stays at 3 even
        // though ceil(3 × 1.07) would be 4.
        let p = utilization_replicas(3, &[ready(75); 3], 70).unwrap();
        assert_eq!(p.replicas, 3);
        // 63% against 70% (0.9): the edge of the tolerance, still kept.
        assert_eq!(
            utilization_replicas(3, &[ready(63); 3], 70)
                .unwrap()
                .replicas,
            3
        );
        // 62%: outside, ceil(3 × 0.885) = 3 anyway; 50%: ceil(2.14) = 3...
        assert_eq!(
            utilization_replicas(4, &[ready(50); 4], 70)
                .unwrap()
                .replicas,
            3
        );
    }

    #[test]
    fn pods_without_samples_push_against_the_change() {
        // One ready pod at 100%, one starting: counting the starting one as
        // idle leaves 50% of 70%, the other way: no scale up.
        assert_eq!(
            utilization_replicas(2, &[ready(100), unready()], 70)
                .unwrap()
                .replicas,
            2
        );
        // At 200% the idle one still leaves 100% > 70%: ceil(2 × 1.43) = 3.
        assert_eq!(
            utilization_replicas(2, &[ready(200), unready()], 70)
                .unwrap()
                .replicas,
            3
        );
        // Scaling down, a pod without metrics counts as using its whole
        // request: (20 + 100) / 200 = 60%, a ratio of 0.857 to 70%, so
        // ceil(2 × 0.857) = 2 rather than ceil(1 × 0.29) = 1.
        assert_eq!(
            utilization_replicas(3, &[ready(20), pending()], 70)
                .unwrap()
                .replicas,
            2
        );
        let err = utilization_replicas(1, &[unready()], 70).unwrap_err();
        assert_eq!(
            err,
            "did not receive metrics for targeted pods (pods might be unready)"
        );
        let no_request = PodSample {
            request: 0,
            ..ready(5)
        };
        assert_eq!(
            utilization_replicas(1, &[no_request], 70).unwrap_err(),
            "missing request for cpu"
        );
    }

    #[test]
    fn limits_clamp_and_name_their_reason() {
        assert_eq!(
            limit(2, 1, 2, 6),
            (
                2,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count"
            )
        );
        assert_eq!(
            limit(4, 9, 2, 6),
            (
                6,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count"
            )
        );
        // From 2, at most max(2 × 2, 4) = 4 at once.
        assert_eq!(
            limit(2, 9, 1, 10),
            (
                4,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate"
            )
        );
        assert_eq!(
            limit(3, 4, 2, 6),
            (
                4,
                "DesiredWithinRange",
                "the desired count is within the acceptable range"
            )
        );
    }

    #[test]
    fn scale_down_waits_for_the_stabilization_window() {
        let start = Instant::now();
        let window = Duration::from_secs(300);
        let mut m = HpaMemory::default();
        m.recommendations.push((start, 4));
        // Within the window, 2 is held at the earlier 4.
        assert_eq!(
            stabilize(&mut m, 2, start + Duration::from_secs(60), window),
            4
        );
        // A scale up is never held.
        assert_eq!(
            stabilize(&mut m, 5, start + Duration::from_secs(90), window),
            5
        );
        // Once the higher ones are older than the window, 2 it is.
        assert_eq!(
            stabilize(&mut m, 2, start + Duration::from_secs(400), window),
            2
        );
    }

    #[test]
    fn selectors_become_list_selectors() {
        let mut s = match_labels(&[("app", "worker")]);
        assert_eq!(selector_text(&s), "app=worker");
        s.match_expressions = Some(vec![
            k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement {
                key: "tier".into(),
                operator: "In".into(),
                values: Some(vec!["a".into(), "b".into()]),
            },
        ]);
        assert_eq!(selector_text(&s), "app=worker,tier in (a,b)");
        assert_eq!(millicores(&Quantity("250m".into())), Some(250));
        assert_eq!(millicores(&Quantity("0.5".into())), Some(500));
        assert_eq!(milli_quantity(1000), Quantity("1".into()));
        assert_eq!(milli_quantity(59), Quantity("59m".into()));
    }
}
