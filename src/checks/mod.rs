//! Checks as one vocabulary: `probe:NAME`, `probe:*`, `signal:NAME`,
//! `signal:*`, `rollout:WORKLOAD`, `rollout:*`, `alerts` and
//! `alerts:LABEL=VALUE,...`, judged by one module that the dashboard, the
//! checklist and `ops-tui check` all use.

pub mod regress;
pub mod report;
pub mod usage;

pub use crate::prom::plan::{AlertView, SignalView};

use crate::kinds::WorkloadKind;
use crate::kube::cluster::{ClusterState, WorkloadKey};
use crate::kube::rollout::status as rollout_status;
use crate::probe::ProbeResult;
use crate::probe::status as probe_status;
use crate::runbook::check_ref::{CheckRef, Target};
use crate::status::Status;

/// What kind of thing a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Probe,
    Signal,
    Rollout,
    Usage,
    Job,
    Alerts,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Probe => "probe",
            Kind::Signal => "signal",
            Kind::Rollout => "rollout",
            Kind::Usage => "usage",
            Kind::Job => "job",
            Kind::Alerts => "alerts",
        }
    }
}

/// The verdict of one check, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub kind: Kind,
    pub name: String,
    /// Ok, Warn, Fail; Unknown when there is nothing to judge yet (no
    /// data, not run, unreachable): never a pass.
    pub status: Status,
    /// The value, as a person reads it: "200 in 34ms", "0.52%", "3/3 ready".
    pub value: String,
    /// Why it is not ok: the failing condition, the threshold crossed, the
    /// kubectl message, the firing alerts.
    pub detail: Option<String>,
}

impl Outcome {
    /// The outcome with `secrets` masked in its name, value and detail.
    pub fn masked(mut self, secrets: &crate::secrets::Secrets) -> Outcome {
        secrets.mask_in_place(&mut self.name);
        secrets.mask_in_place(&mut self.value);
        if let Some(d) = &mut self.detail {
            secrets.mask_in_place(d);
        }
        self
    }
}

/// Everything the checks judge.
pub struct Sources<'a> {
    /// Every runbook probe, with its last result if it ran.
    pub probes: Vec<(&'a str, Option<&'a ProbeResult>)>,
    /// Probes that run only on demand (bursts): `probe:*` leaves them out
    /// unless they have run.
    pub on_demand: Vec<&'a str>,
    pub signals: Vec<SignalView>,
    /// The cluster as known: its Deployments, whether they have been
    /// listed, the namespace, and the rows (refreshed: `rollout:*` without
    /// runbook workloads judges each row).
    pub cluster: Option<&'a ClusterState>,
    /// Why the cluster is not known, when `cluster` is None.
    pub cluster_error: Option<String>,
    /// The alerts (already filtered by the environment's labels), or why
    /// they are not known.
    pub alerts: Result<Vec<AlertView>, String>,
    /// The names of the alerting rules loaded, or why they are not known.
    pub alert_rules: Result<Vec<String>, String>,
    /// Each runbook workload's usage conditions (one not listed has the
    /// defaults).
    pub usage_rules: Vec<(String, crate::runbook::usage::UsageRules)>,
    /// Now, in seconds since the epoch: how old the usage figures are.
    pub now: i64,
}

impl Sources<'_> {
    fn rules_of(&self, name: &str) -> crate::runbook::usage::UsageRules {
        self.usage_rules
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }
}

fn probe_outcome(name: &str, result: Option<&ProbeResult>) -> Outcome {
    let Some(r) = result else {
        return Outcome {
            kind: Kind::Probe,
            name: name.to_string(),
            status: Status::Unknown,
            value: "not run yet".into(),
            detail: None,
        };
    };
    let value = match (r.observed.status, r.observed.response_time_ms) {
        (Some(code), Some(ms)) => format!("{code} in {ms:.0}ms"),
        (Some(code), None) => code.to_string(),
        _ => "no response".into(),
    };
    Outcome {
        kind: Kind::Probe,
        name: name.to_string(),
        status: probe_status(r),
        value,
        detail: r.failure.as_ref().map(ToString::to_string),
    }
}

/// The kind of the workload `rollout:NAME` judges: the runbook's, else
/// the first kind the cluster has by that name (Deployment first).
fn kind_of(name: &str, src: &Sources, workloads: &[WorkloadKey]) -> WorkloadKind {
    if let Some((kind, _)) = workloads.iter().find(|(_, n)| n == name) {
        return *kind;
    }
    src.cluster
        .and_then(|c| {
            WorkloadKind::ALL
                .into_iter()
                .find(|k| c.workload(*k, name).is_some())
        })
        .unwrap_or_default()
}

/// `job:NAME`: the Job of that name, else the newest Job the CronJob of
/// that name made, completed successfully. Running or suspended is a
/// warning, failed or never run a failure; before Jobs and CronJobs are
/// listed, unknown.
fn job_outcome(name: &str, src: &Sources) -> Outcome {
    let outcome = |status: Status, value: String, detail: Option<String>| Outcome {
        kind: Kind::Job,
        name: name.to_string(),
        status,
        value,
        detail,
    };
    let Some(cluster) = src.cluster else {
        let why = src
            .cluster_error
            .clone()
            .unwrap_or_else(|| "not connected to the cluster".into());
        return outcome(Status::Unknown, "unknown".into(), Some(why));
    };
    let job = match cluster.workload(WorkloadKind::Job, name) {
        Some(job) => Some(job),
        None => cluster
            .workload(WorkloadKind::CronJob, name)
            .and_then(|cronjob| {
                cluster
                    .workloads
                    .values()
                    .filter(|j| {
                        j.batch
                            .as_ref()
                            .and_then(|b| b.cronjob.as_deref())
                            .is_some_and(|uid| uid == cronjob.uid)
                    })
                    .max_by(|a, b| (a.created_at, &a.name).cmp(&(b.created_at, &b.name)))
                    .map(|j| &**j)
            }),
    };
    let Some(job) = job else {
        if !(cluster.is_listed(WorkloadKind::Job) && cluster.is_listed(WorkloadKind::CronJob)) {
            return outcome(
                Status::Unknown,
                "unknown".into(),
                Some("waiting for the first list of Jobs and CronJobs".into()),
            );
        }
        let place = cluster
            .namespace
            .as_ref()
            .map_or_else(String::new, |ns| format!(" in namespace {ns}"));
        let detail = if cluster.workload(WorkloadKind::CronJob, name).is_some() {
            format!("cronjob/{name} has no Job{place}: it has not run (or its Jobs were deleted)")
        } else {
            format!("no Job or CronJob named {name}{place}")
        };
        return outcome(Status::Fail, "missing".into(), Some(detail));
    };
    let state = rollout_status(job);
    let status = state.health();
    let value = if job.name == name {
        state.word().to_string()
    } else {
        format!("{} · {}", state.word(), job.name)
    };
    outcome(
        status,
        value,
        (status != Status::Ok).then(|| state.message(WorkloadKind::Job)),
    )
}

fn rollout_outcome(kind: WorkloadKind, name: &str, src: &Sources) -> Outcome {
    let unknown = |why: String| Outcome {
        kind: Kind::Rollout,
        name: name.to_string(),
        status: Status::Unknown,
        value: "unknown".into(),
        detail: Some(why),
    };
    let Some(cluster) = src.cluster else {
        return unknown(
            src.cluster_error
                .clone()
                .unwrap_or_else(|| "not connected to the cluster".into()),
        );
    };
    // The workload itself, not the derived rows, which may be a batch
    // behind.
    let Some(d) = cluster.workload(kind, name) else {
        if !cluster.is_listed(kind) {
            return unknown("waiting for the first list".into());
        }
        // Listed, and not there: deleted, or never created.
        let place = match &cluster.namespace {
            Some(ns) => format!(" in namespace {ns}"),
            None => String::new(),
        };
        return Outcome {
            kind: Kind::Rollout,
            name: name.to_string(),
            status: Status::Fail,
            value: "missing".into(),
            detail: Some(format!("{}/{name} missing{place}", kind.resource())),
        };
    };
    let rollout = &cluster.rollout(d);
    let status = rollout.health();
    Outcome {
        kind: Kind::Rollout,
        name: name.to_string(),
        status,
        value: format!(
            "{} · {}/{} available",
            rollout.word(),
            d.available,
            d.desired
        ),
        detail: (status != Status::Ok).then(|| rollout.message(kind)),
    }
}

/// `alerts:severity=critical,team=pay`: label equality, all must hold.
fn alert_matches(alert: &AlertView, filter: Option<&str>) -> bool {
    let Some(filter) = filter else { return true };
    filter
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .all(|pair| match pair.split_once('=') {
            Some((k, v)) => alert.labels.get(k.trim()).map(String::as_str) == Some(v.trim()),
            None => alert.name == pair.trim(),
        })
}

fn alerts_outcome(filter: Option<&str>, src: &Sources) -> Outcome {
    let name = match filter {
        Some(f) => format!("alerts:{f}"),
        None => "alerts".into(),
    };
    let alerts = match &src.alerts {
        Ok(a) => a,
        Err(why) => return unknown_alerts(name, why),
    };
    let chosen: Vec<&AlertView> = alerts.iter().filter(|a| alert_matches(a, filter)).collect();
    let firing: Vec<&str> = chosen
        .iter()
        .filter(|a| a.firing)
        .map(|a| a.name.as_str())
        .collect();
    let pending: Vec<&str> = chosen
        .iter()
        .filter(|a| !a.firing)
        .map(|a| a.name.as_str())
        .collect();
    let (status, detail) = if !firing.is_empty() {
        (Status::Fail, Some(format!("firing: {}", firing.join(", "))))
    } else if !pending.is_empty() {
        (
            Status::Warn,
            Some(format!("pending: {}", pending.join(", "))),
        )
    } else {
        (Status::Ok, None)
    };
    Outcome {
        kind: Kind::Alerts,
        name,
        status,
        value: format!("{} firing, {} pending", firing.len(), pending.len()),
        detail,
    }
}

/// An alerts check that cannot be judged, and why.
fn unknown_alerts(name: String, why: &str) -> Outcome {
    Outcome {
        kind: Kind::Alerts,
        name,
        status: Status::Unknown,
        value: "unknown".into(),
        detail: Some(why.to_string()),
    }
}

/// Whether the named alerting rules (any, when none is named) are loaded.
fn alert_rules_outcome(names: &[String], src: &Sources) -> Outcome {
    let name = CheckRef::AlertRules(names.to_vec()).to_string();
    let loaded = match &src.alert_rules {
        Ok(loaded) => loaded,
        Err(why) => return unknown_alerts(name, why),
    };
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !loaded.contains(n))
        .map(String::as_str)
        .collect();
    let rules = |n: usize| format!("{n} alerting rule{}", if n == 1 { "" } else { "s" });
    let (status, value, detail) = if loaded.is_empty() {
        (
            Status::Fail,
            "no alerting rules loaded".to_string(),
            Some("Prometheus has no alerting rule loaded".to_string()),
        )
    } else if !missing.is_empty() {
        (
            Status::Fail,
            format!("{} of {} loaded", names.len() - missing.len(), names.len()),
            Some(format!("not loaded: {}", missing.join(", "))),
        )
    } else if names.is_empty() {
        (Status::Ok, format!("{} loaded", rules(loaded.len())), None)
    } else {
        (
            Status::Ok,
            format!("{} of {} loaded", names.len(), names.len()),
            None,
        )
    };
    Outcome {
        kind: Kind::Alerts,
        name,
        status,
        value,
        detail,
    }
}

fn signal_outcome(name: &str, src: &Sources) -> Outcome {
    match src.signals.iter().find(|s| s.name == name) {
        Some(s) => Outcome {
            kind: Kind::Signal,
            name: s.name.clone(),
            status: s.status,
            value: s.value.clone(),
            detail: s.detail.clone(),
        },
        None => Outcome {
            kind: Kind::Signal,
            name: name.to_string(),
            status: Status::Unknown,
            value: "not queried yet".into(),
            detail: None,
        },
    }
}

/// The outcomes a check reference names (several for `*`). A wildcard
/// that finds nothing to judge (no probe has run, no signal answered, no
/// Deployment seen) is one Unknown outcome, never an empty pass.
pub fn evaluate(check: &CheckRef, src: &Sources, workloads: &[WorkloadKey]) -> Vec<Outcome> {
    let outcomes = evaluate_all(check, src, workloads);
    if !outcomes.is_empty() {
        return outcomes;
    }
    let (kind, detail) = match check {
        CheckRef::Probe(_) => (Kind::Probe, "no probe has a result yet".to_string()),
        CheckRef::Signal(_) => (Kind::Signal, "no signal has been queried yet".into()),
        CheckRef::Rollout(_) => (
            Kind::Rollout,
            match &src.cluster_error {
                Some(e) => format!("the cluster is not known: {e}"),
                None => "no Deployment seen yet".into(),
            },
        ),
        CheckRef::Usage(_) => (
            Kind::Usage,
            match &src.cluster_error {
                Some(e) => format!("the cluster is not known: {e}"),
                None => "no workload seen yet".into(),
            },
        ),
        CheckRef::Job(_) => (Kind::Job, "no Job seen yet".into()),
        CheckRef::Alerts(_) | CheckRef::AlertRules(_) => {
            (Kind::Alerts, "no answer from Prometheus yet".into())
        }
    };
    vec![Outcome {
        kind,
        name: format!("{}:*", kind.word()),
        status: Status::Unknown,
        value: "nothing to judge".into(),
        detail: Some(detail),
    }]
}

fn evaluate_all(check: &CheckRef, src: &Sources, workloads: &[WorkloadKey]) -> Vec<Outcome> {
    match check {
        CheckRef::Probe(Target::All) => src
            .probes
            .iter()
            .filter(|(n, r)| r.is_some() || !src.on_demand.contains(n))
            .map(|(n, r)| probe_outcome(n, *r))
            .collect(),
        CheckRef::Probe(Target::Named(name)) => {
            let result = src
                .probes
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, r)| *r);
            vec![probe_outcome(name, result)]
        }
        CheckRef::Signal(Target::All) => src
            .signals
            .iter()
            .map(|s| signal_outcome(&s.name, src))
            .collect(),
        CheckRef::Signal(Target::Named(name)) => vec![signal_outcome(name, src)],
        CheckRef::Rollout(Target::All) => {
            let keys: Vec<WorkloadKey> = if workloads.is_empty() {
                src.cluster
                    .map(|c| c.rows.iter().map(|r| (r.kind, r.name.clone())).collect())
                    .unwrap_or_default()
            } else {
                workloads.to_vec()
            };
            keys.iter()
                .map(|(kind, name)| rollout_outcome(*kind, name, src))
                .collect()
        }
        CheckRef::Rollout(Target::Named(name)) => {
            vec![rollout_outcome(kind_of(name, src, workloads), name, src)]
        }
        CheckRef::Usage(Target::All) => {
            let keys: Vec<WorkloadKey> = if workloads.is_empty() {
                src.cluster
                    .map(|c| {
                        c.rows
                            .iter()
                            .filter(|r| !r.kind.is_batch())
                            .map(|r| (r.kind, r.name.clone()))
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                workloads.to_vec()
            };
            keys.iter()
                .map(|(kind, name)| usage::usage_outcome(*kind, name, &src.rules_of(name), src))
                .collect()
        }
        CheckRef::Usage(Target::Named(name)) => vec![usage::usage_outcome(
            kind_of(name, src, workloads),
            name,
            &src.rules_of(name),
            src,
        )],
        CheckRef::Job(name) => vec![job_outcome(name, src)],
        CheckRef::Alerts(filter) => vec![alerts_outcome(filter.as_deref(), src)],
        CheckRef::AlertRules(names) => vec![alert_rules_outcome(names, src)],
    }
}

/// The worst of several outcomes: Fail, then Unknown, then Warn, then Ok
/// (nothing: Unknown).
pub fn worst(outcomes: &[Outcome]) -> Status {
    let rank = |s: Status| match s {
        Status::Fail => 3,
        Status::Unknown => 2,
        Status::Warn => 1,
        Status::Ok => 0,
    };
    outcomes
        .iter()
        .map(|o| o.status)
        .max_by_key(|s| rank(*s))
        .unwrap_or(Status::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::model::WorkloadRow;
    use crate::kube::{Change, KubeMsg};

    fn empty() -> Sources<'static> {
        Sources {
            probes: Vec::new(),
            on_demand: Vec::new(),
            signals: Vec::new(),
            cluster: None,
            cluster_error: None,
            alerts: Ok(Vec::new()),
            alert_rules: Ok(Vec::new()),
            usage_rules: Vec::new(),
            now: 0,
        }
    }

    #[test]
    fn alert_rules_configured_passes_only_when_the_named_rules_are_loaded() {
        let judge = |check: &str, loaded: Result<Vec<&str>, &str>| {
            let src = Sources {
                alert_rules: loaded
                    .map(|l| l.into_iter().map(String::from).collect())
                    .map_err(String::from),
                ..empty()
            };
            let check = CheckRef::parse(check).unwrap();
            let [o] = evaluate(&check, &src, &[]).try_into().unwrap();
            (o.status, o.value, o.detail)
        };
        assert_eq!(
            judge("alerts:configured", Ok(vec!["A", "B"])),
            (Status::Ok, "2 alerting rules loaded".into(), None)
        );
        assert_eq!(judge("alerts:configured", Ok(vec![])).0, Status::Fail);
        assert_eq!(
            judge("alerts:configured=A,C", Ok(vec!["A", "B"])),
            (
                Status::Fail,
                "1 of 2 loaded".into(),
                Some("not loaded: C".into())
            )
        );
        assert_eq!(
            judge("alerts:configured=B", Ok(vec!["A", "B"])).0,
            Status::Ok
        );
        let (status, _, detail) = judge("alerts:configured", Err("cannot connect"));
        assert_eq!(
            (status, detail.as_deref()),
            (Status::Unknown, Some("cannot connect"))
        );
    }

    #[test]
    fn a_wildcard_with_nothing_to_judge_is_unknown_never_a_pass() {
        let src = empty();
        for (check, kind) in [
            (CheckRef::Probe(Target::All), Kind::Probe),
            (CheckRef::Signal(Target::All), Kind::Signal),
            (CheckRef::Rollout(Target::All), Kind::Rollout),
            (CheckRef::Usage(Target::All), Kind::Usage),
        ] {
            let outcomes = evaluate(&check, &src, &[]);
            assert_eq!(outcomes.len(), 1, "{check:?}");
            assert_eq!(outcomes[0].kind, kind);
            assert_eq!(outcomes[0].status, Status::Unknown, "{check:?}");
            assert_eq!(worst(&outcomes), Status::Unknown);
        }
        let src = Sources {
            cluster_error: Some("connection refused".into()),
            ..empty()
        };
        let outcomes = evaluate(&CheckRef::Rollout(Target::All), &src, &[]);
        assert_eq!(
            outcomes[0].detail.as_deref(),
            Some("the cluster is not known: connection refused")
        );
    }

    #[test]
    fn a_workload_is_missing_once_the_deployments_are_listed_and_unknown_before() {
        use crate::kube::model::WorkloadRow;
        use crate::kube::{Change, KubeMsg};
        let deployment = |name: &str| WorkloadRow {
            name: name.into(),
            uid: format!("uid-{name}"),
            desired: 2,
            replicas: 2,
            updated: 2,
            ready: 2,
            available: 2,
            ..WorkloadRow::default()
        };
        let workloads = vec![
            (WorkloadKind::Deployment, "api".to_string()),
            (WorkloadKind::Deployment, "web".to_string()),
        ];
        let mut cluster = ClusterState::new(workloads.clone());
        cluster.update(
            KubeMsg::Connected {
                context: "prod".into(),
                namespace: "shop".into(),
                user: "ann".into(),
            },
            0,
        );
        cluster.refresh(0);
        let judge = |cluster: &ClusterState, check: CheckRef| {
            let src = Sources {
                cluster: Some(cluster),
                ..empty()
            };
            evaluate(&check, &src, &workloads)
        };
        let api = || CheckRef::Rollout(Target::Named("api".into()));

        // Before the first list: nothing is known to be missing.
        let before = judge(&cluster, api());
        assert_eq!(before[0].status, Status::Unknown);
        assert_eq!(
            before[0].detail.as_deref(),
            Some("waiting for the first list")
        );

        // Listed without `api`: it never existed.
        cluster.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![deployment("web")]),
            ),
            0,
        );
        cluster.refresh(0);
        let never = judge(&cluster, api());
        assert_eq!(
            (never[0].status, never[0].value.as_str()),
            (Status::Fail, "missing")
        );
        assert_eq!(
            never[0].detail.as_deref(),
            Some("deployment/api missing in namespace shop")
        );
        // `rollout:*` over the runbook's workloads fails on it too.
        let all = judge(&cluster, CheckRef::Rollout(Target::All));
        assert_eq!(
            all.iter()
                .map(|o| (o.name.as_str(), o.status))
                .collect::<Vec<_>>(),
            vec![("api", Status::Fail), ("web", Status::Ok)]
        );
        assert_eq!(worst(&all), Status::Fail);

        // Created, then deleted: missing again, with or without the rows
        // derived since.
        cluster.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Upsert(deployment("api")),
            ),
            0,
        );
        cluster.refresh(0);
        assert_eq!(judge(&cluster, api())[0].status, Status::Ok);
        cluster.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Delete("api".into()),
            ),
            0,
        );
        for _ in 0..2 {
            let deleted = judge(&cluster, api());
            assert_eq!(
                (deleted[0].status, deleted[0].detail.as_deref()),
                (
                    Status::Fail,
                    Some("deployment/api missing in namespace shop")
                )
            );
            cluster.refresh(0);
        }
    }

    #[test]
    fn a_wildcard_judges_each_thing_it_finds() {
        let src = Sources {
            signals: vec![SignalView {
                name: "errors".into(),
                status: Status::Ok,
                value: "0.1%".into(),
                detail: None,
            }],
            ..empty()
        };
        let outcomes = evaluate(&CheckRef::Signal(Target::All), &src, &[]);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(
            (outcomes[0].name.as_str(), outcomes[0].status),
            ("errors", Status::Ok)
        );
        // No alerts at all is a pass: nothing is firing.
        let alerts = evaluate(&CheckRef::Alerts(None), &src, &[]);
        assert_eq!(alerts[0].status, Status::Ok);
    }

    fn job(
        name: &str,
        uid: &str,
        cronjob: Option<&str>,
        created: i64,
        outcome: &str,
    ) -> WorkloadRow {
        use crate::kube::model::{BatchRow, ConditionRow};
        let conditions = match outcome {
            "Complete" | "Failed" => vec![ConditionRow {
                type_: outcome.into(),
                status: "True".into(),
                reason: (outcome == "Failed").then(|| "BackoffLimitExceeded".into()),
                message: (outcome == "Failed")
                    .then(|| "Job has reached the specified backoff limit".into()),
                updated_at: None,
            }],
            _ => Vec::new(),
        };
        WorkloadRow {
            kind: WorkloadKind::Job,
            name: name.into(),
            uid: uid.into(),
            created_at: Some(created),
            conditions,
            batch: Some(Box::new(BatchRow {
                completions: Some(1),
                succeeded: i32::from(outcome == "Complete"),
                active: i32::from(outcome == "running"),
                backoff_limit: 6,
                cronjob: cronjob.map(String::from),
                ..BatchRow::default()
            })),
            ..WorkloadRow::default()
        }
    }

    #[test]
    fn a_job_check_judges_the_job_or_the_cronjobs_newest_job() {
        use crate::kube::model::BatchRow;
        let mut cluster = ClusterState::new(Vec::new());
        cluster.namespace = Some("shop".into());
        let judge = |cluster: &ClusterState, name: &str| {
            let src = Sources {
                cluster: Some(cluster),
                ..empty()
            };
            evaluate(&CheckRef::Job(name.into()), &src, &[])
                .pop()
                .unwrap()
        };
        // Not listed yet: unknown, never missing.
        let before = judge(&cluster, "db-migrate");
        assert_eq!(before.status, Status::Unknown);
        let cronjob = WorkloadRow {
            kind: WorkloadKind::CronJob,
            name: "report".into(),
            uid: "cj1".into(),
            batch: Some(Box::new(BatchRow {
                schedule: "0 3 * * *".into(),
                ..BatchRow::default()
            })),
            ..WorkloadRow::default()
        };
        cluster.update(
            KubeMsg::Workloads(
                WorkloadKind::Job,
                Change::Reset(vec![
                    job("db-migrate", "j1", None, 10, "Complete"),
                    job("cache-rebuild", "j2", None, 10, "Failed"),
                    job("report-100", "j3", Some("cj1"), 100, "Complete"),
                    job("report-200", "j4", Some("cj1"), 200, "running"),
                ]),
            ),
            0,
        );
        // Jobs listed, CronJobs not yet: a Job found is judged, a name
        // that may be a CronJob's is not known yet.
        assert_eq!(judge(&cluster, "db-migrate").status, Status::Ok);
        assert_eq!(judge(&cluster, "report").status, Status::Unknown);
        cluster.update(
            KubeMsg::Workloads(WorkloadKind::CronJob, Change::Reset(vec![cronjob])),
            0,
        );
        let done = judge(&cluster, "db-migrate");
        assert_eq!((done.status, done.value.as_str()), (Status::Ok, "complete"));
        assert_eq!(done.detail, None);
        let failed = judge(&cluster, "cache-rebuild");
        assert_eq!(failed.status, Status::Fail);
        assert_eq!(
            failed.detail.as_deref(),
            Some(
                "job \"cache-rebuild\" failed: BackoffLimitExceeded: Job has reached the specified backoff limit"
            )
        );
        // A CronJob's newest Job counts: report-200 is still running.
        let running = judge(&cluster, "report");
        assert_eq!(
            (running.status, running.value.as_str()),
            (Status::Warn, "running · report-200")
        );
        let missing = judge(&cluster, "ghost");
        assert_eq!(
            (missing.status, missing.value.as_str()),
            (Status::Fail, "missing")
        );
        assert_eq!(
            missing.detail.as_deref(),
            Some("no Job or CronJob named ghost in namespace shop")
        );
    }
}
