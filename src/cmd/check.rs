//! `ops-tui check`: every check once, concurrently, with an overall
//! timeout; a table, JSON or JUnit; exit 0 (go), 1 (no-go) or 2
//! (configuration error).

use std::process::ExitCode;
use std::time::Duration;

use futures::future::join_all;

use super::common::{EXIT_CONFIG, print_out, runbook_path};
use crate::checks::{Outcome, Sources, evaluate, report};
use crate::cli::{CheckArgs, CheckFormat, CheckKind, DashboardArgs};
use crate::kinds::WorkloadKind;
use crate::kube::cluster::{ClusterState, WorkloadKey};
use crate::kube::{Change, KubeMsg};
use crate::probe::{ProbeResult, ProbeSpec};
use crate::runbook::Runbook;
use crate::runbook::check_ref::{CheckRef, Target as All};
use crate::runbook::select::{Overrides, Target, select};

/// Exit code when a check fails the gate.
pub const EXIT_NO_GO: u8 = 1;

pub fn run(args: &CheckArgs, dash: &DashboardArgs) -> ExitCode {
    if (dash.kubeconfig.is_some() || dash.context.is_some())
        && let Err(e) = crate::kube::preflight(dash.kubeconfig.as_deref(), dash.context.as_deref())
    {
        say!("error: {e}");
        return ExitCode::from(EXIT_CONFIG);
    }
    let Some(path) = runbook_path(dash.runbook.clone()) else {
        say!("error: check needs a runbook: pass --runbook PATH, or run where ops-tui.toml is");
        return ExitCode::from(EXIT_CONFIG);
    };
    let runbook = match Runbook::load(&path) {
        Ok(r) => r,
        Err(e) => {
            for line in e.to_string().lines() {
                say!("error: {line}");
            }
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let overrides = Overrides {
        env: dash.env.clone(),
        context: dash.context.clone(),
        namespace: dash.namespace.clone(),
        read_only: true,
        write: false,
        // The gate judges the runbook's own namespace.
        all_namespaces: false,
        no_events: true,
    };
    let target = match select(Some(&runbook), &overrides) {
        Ok(t) => t,
        Err(e) => {
            say!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if let Some(w) = &target.warning {
        say!("warning: {w}");
    }
    let specs = match crate::probe::specs(&runbook, target.env.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            say!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let signal_plan = match crate::prom::plan::plan(&runbook, target.env.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            say!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let rt = match super::common::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            say!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let wants = |k: CheckKind| args.only.is_empty() || args.only.contains(&k);
    // A burst loads the service: only on request.
    let (specs, bursts): (Vec<ProbeSpec>, Vec<ProbeSpec>) = specs
        .into_iter()
        .partition(|s| args.include_bursts || s.burst.is_none());
    let skipped: Vec<String> = if wants(CheckKind::Probes) {
        bursts.iter().map(|s| s.name.clone()).collect()
    } else {
        Vec::new()
    };
    // A gate that checks nothing must not say go.
    let has_workloads = runbook.workloads().next().is_some();
    let has_jobs = !job_checks(&runbook).is_empty();
    let has_usage = !usage_checks(&runbook).is_empty();
    let nothing = |kind: CheckKind| -> Option<String> {
        match kind {
            CheckKind::Probes if specs.is_empty() => Some(if skipped.is_empty() {
                "the runbook has no [[probe]] for this environment".to_string()
            } else {
                format!(
                    "its only probes send bursts ({}): pass --include-bursts to run them",
                    skipped.join(", ")
                )
            }),
            CheckKind::Signals if signal_plan.signals.is_empty() => {
                Some("the runbook has no [[signal]]".into())
            }
            CheckKind::Rollouts if !has_workloads => {
                Some("the runbook lists no [[workload]]".into())
            }
            CheckKind::Jobs if !has_jobs => Some("no checklist item has a job:NAME check".into()),
            CheckKind::Usage if !has_usage => {
                Some("no checklist item has a usage:WORKLOAD check".into())
            }
            CheckKind::Alerts if !signal_plan.has_prometheus() => {
                Some("the environment names no Prometheus".into())
            }
            _ => None,
        }
    };
    for kind in &args.only {
        if let Some(why) = nothing(*kind) {
            say!("error: --only {}: nothing to check: {why}", kind.word());
            return ExitCode::from(EXIT_CONFIG);
        }
    }
    let all = [
        CheckKind::Probes,
        CheckKind::Signals,
        CheckKind::Rollouts,
        CheckKind::Jobs,
        CheckKind::Usage,
        CheckKind::Alerts,
    ];
    if args.only.is_empty() && all.iter().all(|k| nothing(*k).is_some()) {
        say!(
            "error: nothing to check: the runbook has no probes, signals, workloads or Prometheus{}",
            if skipped.is_empty() {
                String::new()
            } else {
                " (its burst probes run only with --include-bursts)".to_string()
            }
        );
        return ExitCode::from(EXIT_CONFIG);
    }
    let outcomes = rt.block_on(gather(
        &runbook,
        &target,
        dash.kubeconfig.as_deref(),
        &specs,
        &signal_plan,
        args,
        &wants,
    ));
    // Every secret known is masked in what is printed, whatever echoed it.
    let secrets = crate::kube::secrets::known(Some(&runbook), dash.kubeconfig.as_deref());
    let outcomes: Vec<Outcome> = outcomes.into_iter().map(|o| o.masked(&secrets)).collect();
    let service = runbook.service_name();
    let env = target.env.clone().unwrap_or_default();
    let text = match args.format {
        CheckFormat::Text => report::text(
            &outcomes,
            &format!("ops-tui check: {service} / {env}"),
            args.strict,
            &skipped,
        ),
        CheckFormat::Json => report::json(&outcomes, service, &env, args.strict, &skipped),
        CheckFormat::Junit => report::junit(&outcomes, service, &env, args.strict, &skipped),
    };
    print_out(&secrets.mask(&text));
    if report::fails(&outcomes, args.strict) {
        ExitCode::from(EXIT_NO_GO)
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs a future with the deadline; `None` when it ran out.
async fn within<T>(limit: Duration, f: impl std::future::Future<Output = T>) -> Option<T> {
    tokio::time::timeout(limit, f).await.ok()
}

/// Every probe once, concurrently, each within `limit` on its own: one
/// that hangs is a timeout and the others keep their results.
pub(super) async fn run_probes(
    specs: &[ProbeSpec],
    bursts: bool,
    limit: Duration,
) -> Vec<(String, Result<ProbeResult, String>)> {
    let timed_out = format!("no answer within {}", humantime::format_duration(limit));
    join_all(specs.iter().map(|spec| {
        let timed_out = timed_out.clone();
        async move {
            let result = match crate::probe::client(spec) {
                Ok(client) => within(
                    limit,
                    crate::probe::run_once(&client, spec, bursts && spec.burst.is_some()),
                )
                .await
                .ok_or(timed_out),
                Err(e) => Err(e.to_string()),
            };
            (spec.name.clone(), result)
        }
    }))
    .await
}

/// The Jobs and CronJobs the checklist's `job:NAME` checks name.
fn job_checks(runbook: &Runbook) -> Vec<String> {
    let names: std::collections::BTreeSet<String> = runbook
        .phases()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| match &i.get_ref().check_ref {
            Some(CheckRef::Job(name)) => Some(name.clone()),
            _ => None,
        })
        .collect();
    names.into_iter().collect()
}

/// The `usage:` checks the checklist names, once each.
fn usage_checks(runbook: &Runbook) -> Vec<CheckRef> {
    let mut refs: Vec<CheckRef> = Vec::new();
    for item in runbook.phases().flat_map(|p| p.items.iter()) {
        if let Some(r @ CheckRef::Usage(_)) = &item.get_ref().check_ref
            && !refs.contains(r)
        {
            refs.push(r.clone());
        }
    }
    refs
}

/// The cluster's workloads, as the Rollouts pane would show them: the
/// kinds the runbook names (all of them when it names none), and Jobs and
/// CronJobs when `jobs` (for `job:NAME` checks).
async fn cluster(
    kubeconfig: Option<&std::path::Path>,
    target: &Target,
    workloads: Vec<WorkloadKey>,
    jobs: bool,
    usage: bool,
) -> Result<ClusterState, String> {
    let conn = crate::kube::connect(
        kubeconfig,
        target.context.as_deref(),
        target.namespace.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?;
    read_cluster(&conn, workloads, jobs, usage).await
}

/// The cluster as one read of the connection's namespace gives it: the
/// workloads' kinds, their pods and owners (usage when asked).
pub(super) async fn read_cluster(
    conn: &crate::kube::Connection,
    workloads: Vec<WorkloadKey>,
    jobs: bool,
    usage: bool,
) -> Result<ClusterState, String> {
    let kinds: Vec<WorkloadKind> = WorkloadKind::ALL
        .into_iter()
        .filter(|k| {
            workloads.iter().any(|(kind, _)| kind == k)
                || (jobs && k.is_batch())
                || (workloads.is_empty() && !jobs)
        })
        .collect();
    let mut state = ClusterState::new(workloads);
    // A missing workload is reported with its namespace.
    state.namespace = Some(conn.namespace.clone());
    for &kind in &kinds {
        let rows = crate::kube::list_workloads(conn, kind)
            .await
            .map_err(|e| match e {
                kube::Error::Api(s) => s.message,
                other => other.to_string(),
            })?;
        state.update(KubeMsg::Workloads(kind, Change::Reset(rows)), 0);
    }
    let now = jiff::Timestamp::now().as_second();
    let rollouts = kinds.iter().any(|k| !k.is_batch());
    if usage || rollouts {
        // Pods and their owners: a rollout whose new pods cannot run fails
        // at once, and usage is joined with them. Without usage checks a
        // user who may not list pods still gets kubectl's judgement.
        let listed = async {
            let (pods, replicasets) = crate::kube::list_pods(conn).await?;
            let revisions = if kinds
                .iter()
                .any(|k| matches!(k, WorkloadKind::DaemonSet | WorkloadKind::StatefulSet))
            {
                crate::kube::list_controller_revisions(conn).await?
            } else {
                Vec::new()
            };
            Ok::<_, kube::Error>((pods, replicasets, revisions))
        }
        .await;
        match listed {
            Ok((pods, replicasets, revisions)) => {
                state.update(KubeMsg::ReplicaSets(Change::Reset(replicasets)), now);
                state.update(KubeMsg::ControllerRevisions(Change::Reset(revisions)), now);
                state.update(KubeMsg::Pods(Change::Reset(pods)), now);
            }
            Err(e) if usage => {
                return Err(match e {
                    kube::Error::Api(s) => s.message,
                    other => other.to_string(),
                });
            }
            Err(e) => tracing::warn!("pods not listed, rollouts judged without them: {e}"),
        }
    }
    if usage {
        // One read of the metrics API.
        let report = crate::kube::metrics::read(
            &conn.client,
            &crate::kube::metrics::Where::One(conn.namespace.clone()),
        )
        .await;
        state.update(KubeMsg::Usage(report), now);
    }
    state.refresh(now);
    Ok(state)
}

#[allow(clippy::too_many_arguments)]
async fn gather(
    runbook: &Runbook,
    target: &Target,
    kubeconfig: Option<&std::path::Path>,
    specs: &[ProbeSpec],
    signal_plan: &crate::prom::plan::Plan,
    args: &CheckArgs,
    wants: &dyn Fn(CheckKind) -> bool,
) -> Vec<Outcome> {
    let limit = args.timeout;
    let workloads: Vec<WorkloadKey> = runbook
        .workloads()
        .map(|w| (w.kind(), w.name.get_ref().clone()))
        .collect();
    let probes = async {
        if wants(CheckKind::Probes) {
            run_probes(specs, args.include_bursts, limit).await
        } else {
            Vec::new()
        }
    };
    let signals = async {
        if wants(CheckKind::Signals) {
            within(limit, crate::prom::plan::signals(signal_plan)).await
        } else {
            Some(Vec::new())
        }
    };
    let alerts = async {
        if wants(CheckKind::Alerts) {
            within(limit, crate::prom::plan::alerts(signal_plan))
                .await
                .map(|r| r.map_err(|e| e.to_string()))
        } else {
            Some(Ok(Vec::new()))
        }
    };
    // The `alerts:configured` checks the checklist names.
    let rule_checks: Vec<CheckRef> = if wants(CheckKind::Alerts) && signal_plan.has_prometheus() {
        let mut refs: Vec<CheckRef> = Vec::new();
        for r in runbook
            .phases()
            .flat_map(|p| p.items.iter())
            .filter_map(|i| i.get_ref().check_ref.clone())
        {
            if matches!(r, CheckRef::AlertRules(_)) && !refs.contains(&r) {
                refs.push(r);
            }
        }
        refs
    } else {
        Vec::new()
    };
    let alert_rules = async {
        if rule_checks.is_empty() {
            Some(Ok(Vec::new()))
        } else {
            within(limit, crate::prom::plan::alert_rules(signal_plan))
                .await
                .map(|r| r.map_err(|e| e.to_string()))
        }
    };
    let jobs = if wants(CheckKind::Jobs) {
        job_checks(runbook)
    } else {
        Vec::new()
    };
    let usage = if wants(CheckKind::Usage) {
        usage_checks(runbook)
    } else {
        Vec::new()
    };
    let rollouts = async {
        let rollouts = wants(CheckKind::Rollouts) && !workloads.is_empty();
        if rollouts || !jobs.is_empty() || !usage.is_empty() {
            let named = if rollouts || !usage.is_empty() {
                workloads.clone()
            } else {
                Vec::new()
            };
            within(
                limit,
                cluster(
                    kubeconfig,
                    target,
                    named,
                    !jobs.is_empty(),
                    !usage.is_empty(),
                ),
            )
            .await
        } else {
            None
        }
    };
    let (probes, signals, alerts, alert_rules, rollouts) =
        futures::join!(probes, signals, alerts, alert_rules, rollouts);
    let timed_out = format!("no answer within {}", humantime::format_duration(limit));
    let probe_results: Vec<(String, Option<ProbeResult>)> = probes
        .into_iter()
        .map(|(name, r)| match r {
            Ok(r) => (name, Some(r)),
            Err(e) => {
                let spec = specs.iter().find(|s| s.name == name);
                (name, spec.map(|s| crate::probe::broken(s, e)))
            }
        })
        .collect();
    let (cluster_state, cluster_error) = match rollouts {
        Some(Ok(c)) => (Some(c), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, Some(timed_out.clone())),
    };
    let sources = Sources {
        probes: probe_results
            .iter()
            .map(|(n, r)| (n.as_str(), r.as_ref()))
            .collect(),
        on_demand: Vec::new(),
        signals: signals.unwrap_or_else(|| crate::prom::plan::timed_out(signal_plan, &timed_out)),
        cluster: cluster_state.as_ref(),
        cluster_error,
        alerts: alerts.unwrap_or(Err(timed_out.clone())),
        alert_rules: alert_rules.unwrap_or(Err(timed_out.clone())),
        usage_rules: runbook
            .workloads()
            .map(|w| (w.name.get_ref().clone(), w.usage_rules()))
            .collect(),
        now: jiff::Timestamp::now().as_second(),
    };
    // Only kinds with something to check: `run` has refused an `--only`
    // kind that has nothing.
    let mut refs = Vec::new();
    if wants(CheckKind::Probes) && !specs.is_empty() {
        refs.push(CheckRef::Probe(All::All));
    }
    if wants(CheckKind::Signals) && !signal_plan.signals.is_empty() {
        refs.push(CheckRef::Signal(All::All));
    }
    if wants(CheckKind::Rollouts) && !workloads.is_empty() {
        refs.push(CheckRef::Rollout(All::All));
    }
    refs.extend(jobs.into_iter().map(CheckRef::Job));
    refs.extend(usage);
    if wants(CheckKind::Alerts) && signal_plan.has_prometheus() {
        refs.push(CheckRef::Alerts(None));
    }
    refs.extend(rule_checks);
    refs.iter()
        .flat_map(|r| evaluate(r, &sources, &workloads))
        .collect()
}
