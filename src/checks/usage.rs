//! Resource usage judged: a pod's memory near its limit, and the
//! `usage:WORKLOAD` check.

use super::{Kind, Outcome, Sources};
use crate::kinds::WorkloadKind;
use crate::kube::cluster::{Metrics, OwnerUsage, Peak, peak_index};
use crate::runbook::usage::{Basis, Measure, UsageRule, UsageRules};
use crate::status::Status;

/// Figures older than this are not judged: the check is unknown.
pub const USAGE_STALE_AFTER: i64 = 90;

/// Memory use, as a per mille of the limit, from which a pod is shown as
/// near its limit (warn) and about to be OOM-killed (fail), unless the
/// runbook says otherwise.
pub const MEMORY_WARN: u32 = 800;
pub const MEMORY_FAIL: u32 = 950;

/// How memory use at `per_mille` of the limit is shown: None (no limit,
/// or no figures) is not judged.
pub fn memory_status(per_mille: Option<u32>) -> Option<Status> {
    match per_mille? {
        p if p >= MEMORY_FAIL => Some(Status::Fail),
        p if p >= MEMORY_WARN => Some(Status::Warn),
        _ => Some(Status::Ok),
    }
}

/// A peak as a person reads it: "memory 430Mi", "memory 84% of limit".
fn peak_text(measure: Measure, basis: Basis, value: u64) -> String {
    let figure = match (measure, basis) {
        (Measure::Memory, Basis::Absolute) => crate::human::memory(value),
        (Measure::Cpu, Basis::Absolute) => crate::human::cpu(value),
        (_, basis) => format!(
            "{} of {}",
            crate::human::percent(u32::try_from(value).ok()),
            basis.word()
        ),
    };
    format!("{} {figure}", measure.word())
}

/// Which of `rules` a workload's pods break: (the rule, its peak), and the
/// rules no pod can be judged by (no pod has that limit or request).
fn broken<'a>(
    rules: &'a [UsageRule],
    usage: &'a OwnerUsage,
) -> (Vec<(&'a UsageRule, &'a Peak)>, Vec<&'a UsageRule>) {
    let mut broken = Vec::new();
    let mut unjudged = Vec::new();
    for rule in rules {
        match &usage.peaks[peak_index(rule.measure, rule.basis)] {
            Some(peak) if !rule.holds(peak.value) => broken.push((rule, peak)),
            Some(_) => {}
            None => unjudged.push(rule),
        }
    }
    (broken, unjudged)
}

/// `usage:NAME`: every pod of the workload with figures meets its `fail`
/// conditions (else fail) and its `warn` ones (else warn). Unknown, never
/// a pass, while there is nothing to judge: no metrics API, figures not
/// read yet or too old, no pod with figures, or no pod with the limit or
/// request a condition is a share of.
pub fn usage_outcome(kind: WorkloadKind, name: &str, rules: &UsageRules, src: &Sources) -> Outcome {
    let outcome = |status: Status, value: String, detail: Option<String>| Outcome {
        kind: Kind::Usage,
        name: name.to_string(),
        status,
        value,
        detail,
    };
    let unknown = |why: String| outcome(Status::Unknown, "unknown".into(), Some(why));
    let Some(cluster) = src.cluster else {
        return unknown(
            src.cluster_error
                .clone()
                .unwrap_or_else(|| "not connected to the cluster".into()),
        );
    };
    if cluster.workload(kind, name).is_none() {
        if !cluster.is_listed(kind) {
            return unknown("waiting for the first list".into());
        }
        let place = cluster
            .namespace
            .as_ref()
            .map_or(String::new(), |ns| format!(" in namespace {ns}"));
        return outcome(
            Status::Fail,
            "missing".into(),
            Some(format!("{}/{name} missing{place}", kind.resource())),
        );
    }
    let usage = &cluster.usage;
    match &usage.metrics {
        Metrics::Absent(why) | Metrics::Forbidden(why) => {
            return unknown(format!("usage cannot be judged: {why}"));
        }
        Metrics::NotRead => return unknown("the metrics API has not been read yet".into()),
        Metrics::Failed(why) if usage.read_at.is_none() => {
            return unknown(format!("the metrics API fails: {why}"));
        }
        Metrics::Failed(_) | Metrics::Live => {}
    }
    if let Some(at) = usage.read_at
        && src.now - at > USAGE_STALE_AFTER
    {
        return unknown(format!(
            "the figures are {} old: the metrics API has not answered since",
            crate::human::age(src.now - at)
        ));
    }
    let Some(used) = cluster
        .rows
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .and_then(|r| r.usage.as_ref())
        .filter(|u| u.pods > 0)
    else {
        return unknown(format!(
            "no figures for the pods of {}/{name} yet (none running, or not measured yet)",
            kind.resource()
        ));
    };
    let (failed, unjudged_fail) = broken(&rules.fail, used);
    let (warned, unjudged_warn) = broken(&rules.warn, used);
    let judged = rules.fail.len() + rules.warn.len() - unjudged_fail.len() - unjudged_warn.len();
    let explain = |list: &[(&UsageRule, &Peak)]| {
        list.iter()
            .map(|(rule, peak)| {
                format!(
                    "pod {}: {}, not {rule}",
                    peak.pod,
                    peak_text(rule.measure, rule.basis, peak.value)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    // The value: the figure of the first condition that speaks.
    let first = failed
        .first()
        .or(warned.first())
        .map(|(rule, peak)| (rule.measure, rule.basis, peak.value))
        .or_else(|| {
            rules.fail.iter().chain(&rules.warn).find_map(|r| {
                let p = used.peaks[peak_index(r.measure, r.basis)].as_ref()?;
                Some((r.measure, r.basis, p.value))
            })
        });
    let pods = match used.pods {
        1 => "1 pod".to_string(),
        n => format!("{n} pods"),
    };
    let value = match first {
        Some((m, b, v)) => format!("{} at most, {pods}", peak_text(m, b, v)),
        None => pods,
    };
    let missing = unjudged_fail
        .iter()
        .chain(&unjudged_warn)
        .map(|r| format!("{r} (no pod has a {} {})", r.measure.word(), r.basis.word()))
        .collect::<Vec<_>>();
    if !failed.is_empty() {
        return outcome(Status::Fail, value, Some(explain(&failed)));
    }
    if judged == 0 {
        return unknown(format!("nothing to judge by: {}", missing.join("; ")));
    }
    if !warned.is_empty() {
        return outcome(Status::Warn, value, Some(explain(&warned)));
    }
    let detail = (!missing.is_empty()).then(|| format!("not judged: {}", missing.join("; ")));
    outcome(Status::Ok, value, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::cluster::ClusterState;
    use crate::kube::metrics::{Usage, UsageReport};
    use crate::kube::model::{PodPhase, PodRow, ReplicaSetRow, Resources, WorkloadRow};
    use crate::kube::{Change, KubeMsg};

    /// `api` (a Deployment) with two pods, limits 512Mi and 500m, requests
    /// 256Mi and 100m; the metrics API read at 100 with `memory` MiB and
    /// `cpu` millicores for each.
    fn cluster(figures: &[(u64, u64)]) -> ClusterState {
        let mut c = ClusterState::new(vec![(WorkloadKind::Deployment, "api".into())]);
        c.namespace = Some("shop".into());
        let api = WorkloadRow {
            name: "api".into(),
            uid: "u-api".into(),
            ..WorkloadRow::default()
        };
        c.update(
            KubeMsg::Workloads(WorkloadKind::Deployment, Change::Reset(vec![api])),
            0,
        );
        let rs = ReplicaSetRow {
            name: "api-1".into(),
            uid: "rs".into(),
            owner: "u-api".into(),
            ..ReplicaSetRow::default()
        };
        c.update(KubeMsg::ReplicaSets(Change::Reset(vec![rs])), 0);
        let pods = (0..figures.len())
            .map(|i| PodRow {
                name: format!("api-1-{i}").into(),
                owner: "rs".into(),
                phase: PodPhase::Running,
                resources: Resources {
                    cpu_request: Some(100),
                    cpu_limit: Some(500),
                    memory_request: Some(256 << 20),
                    memory_limit: Some(512 << 20),
                }
                .into(),
                ..PodRow::default()
            })
            .collect();
        c.update(KubeMsg::Pods(Change::Reset(pods)), 0);
        let read = figures
            .iter()
            .enumerate()
            .map(|(i, (mem, cpu))| {
                (
                    format!("api-1-{i}"),
                    Usage {
                        cpu: *cpu,
                        memory: mem << 20,
                    },
                )
            })
            .collect();
        c.update(
            KubeMsg::Usage(UsageReport::Read {
                at: Some(100),
                pods: read,
                nodes: Default::default(),
            }),
            100,
        );
        c.refresh(100);
        c
    }

    fn judge(c: &ClusterState, rules: &UsageRules, now: i64) -> Outcome {
        let src = Sources {
            probes: Vec::new(),
            on_demand: Vec::new(),
            signals: Vec::new(),
            cluster: Some(c),
            cluster_error: None,
            alerts: Ok(Vec::new()),
            alert_rules: Ok(Vec::new()),
            usage_rules: Vec::new(),
            now,
        };
        usage_outcome(WorkloadKind::Deployment, "api", rules, &src)
    }

    #[test]
    fn usage_passes_warns_and_fails_across_the_default_thresholds() {
        let defaults = UsageRules::default();
        // 300 of 512 MiB is 59%: ok.
        let o = judge(&cluster(&[(300, 50), (200, 10)]), &defaults, 110);
        assert_eq!(o.status, Status::Ok, "{o:?}");
        assert_eq!(o.value, "memory 59% of limit at most, 2 pods");
        // 420 MiB is 82%: a warning naming the pod.
        let o = judge(&cluster(&[(300, 50), (420, 10)]), &defaults, 110);
        assert_eq!(o.status, Status::Warn, "{o:?}");
        assert_eq!(
            o.detail.as_deref(),
            Some("pod api-1-1: memory 82% of limit, not memory < 80% of limit")
        );
        // 500 MiB is 98%: it fails.
        let o = judge(&cluster(&[(500, 50), (420, 10)]), &defaults, 110);
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(
            o.detail
                .unwrap()
                .contains("pod api-1-0: memory 98% of limit")
        );
    }

    #[test]
    fn a_runbooks_conditions_on_cpu_requests_and_amounts_are_judged() {
        let rules = UsageRules {
            warn: vec![UsageRule::parse("cpu < 90% of request").unwrap()],
            fail: vec![UsageRule::parse("memory < 400Mi").unwrap()],
        };
        let o = judge(&cluster(&[(300, 50), (200, 95)]), &rules, 110);
        assert_eq!(o.status, Status::Warn, "{o:?}");
        assert_eq!(
            o.detail.as_deref(),
            Some("pod api-1-1: cpu 95% of request, not cpu < 90% of request")
        );
        let o = judge(&cluster(&[(450, 50)]), &rules, 110);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.value, "memory 450Mi at most, 1 pod");
    }

    #[test]
    fn no_metrics_api_old_figures_and_no_pods_are_unknown_never_a_pass() {
        let defaults = UsageRules::default();
        let mut c = cluster(&[(100, 10)]);
        // Figures older than 90 s.
        let o = judge(&c, &defaults, 100 + USAGE_STALE_AFTER + 1);
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        assert!(o.detail.unwrap().contains("old"));
        c.update(
            KubeMsg::Usage(UsageReport::Absent("no metrics-server".into())),
            120,
        );
        c.refresh(120);
        let o = judge(&c, &defaults, 120);
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.detail.as_deref(),
            Some("usage cannot be judged: no metrics-server")
        );
        // Read, but no pod has figures.
        let c = cluster(&[]);
        let o = judge(&c, &defaults, 110);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.detail.unwrap().contains("no figures"));
    }

    #[test]
    fn a_share_of_a_limit_no_pod_has_cannot_be_judged() {
        let mut c = cluster(&[(300, 50)]);
        let mut pod = c.pods["api-1-0"].clone();
        pod.resources = Resources::default().into();
        c.update(KubeMsg::Pods(Change::Upsert(pod)), 100);
        c.update(
            KubeMsg::Usage(UsageReport::Read {
                at: Some(100),
                pods: vec![(
                    "api-1-0",
                    Usage {
                        cpu: 50,
                        memory: 300 << 20,
                    },
                )]
                .into(),
                nodes: Default::default(),
            }),
            100,
        );
        c.refresh(100);
        let o = judge(&c, &UsageRules::default(), 110);
        assert_eq!(o.status, Status::Unknown, "{o:?}");
        assert!(
            o.detail
                .as_deref()
                .unwrap()
                .contains("no pod has a memory limit"),
            "{o:?}"
        );
        // An absolute bound still judges it.
        let rules = UsageRules {
            warn: Vec::new(),
            fail: vec![UsageRule::parse("memory < 1Gi").unwrap()],
        };
        assert_eq!(judge(&c, &rules, 110).status, Status::Ok);
    }

    #[test]
    fn memory_warns_at_80_and_fails_at_95_percent_of_the_limit() {
        assert_eq!(memory_status(None), None);
        assert_eq!(memory_status(Some(799)), Some(Status::Ok));
        assert_eq!(memory_status(Some(800)), Some(Status::Warn));
        assert_eq!(memory_status(Some(949)), Some(Status::Warn));
        assert_eq!(memory_status(Some(950)), Some(Status::Fail));
        assert_eq!(memory_status(Some(1200)), Some(Status::Fail));
    }
}
