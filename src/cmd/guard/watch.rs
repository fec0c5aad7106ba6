//! The guard's loop: every `--every`, one read of the workload with its
//! pods and owners, every probe once, every signal once and the alerts,
//! given to `checks::regress::Guard`; then the rollback, when asked for.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use futures::future::join_all;

use super::{RolledBack, Setup, Verdict};
use crate::checks::regress::{
    Change, Guard, RolloutSeen, Seen, Stage, ago, cleared_text, following_text, passed_text,
    regressed_text,
};
use crate::checks::{Kind, Outcome, Sources, evaluate};
use crate::cli::GuardArgs;
use crate::journal::{Entry, EventKind, Record};
use crate::kube::cluster::{ClusterState, WorkloadId};
use crate::runbook::check_ref::{CheckRef, Target as All};
use crate::status::Status;

/// Points of a signal's history kept (with one every 10 s, over an hour).
const HISTORY: usize = 400;
/// Reads of the cluster that may fail in a row before the guard gives up.
const READ_FAILURES: u32 = 30;

type Ended = (Verdict, Vec<Outcome>, Option<RolledBack>);

/// Follows the rollout until it passes, fails or regresses; Err: a
/// configuration error (the workload does not exist, the kubeconfig).
pub(super) async fn follow(setup: &Setup, args: &GuardArgs) -> Result<Ended, String> {
    let conn = crate::kube::connect(
        setup.kubeconfig.as_deref(),
        setup.target.context.as_deref(),
        setup.target.namespace.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let id = WorkloadId::new(setup.kind, &conn.namespace, &setup.name);
    let title = setup.title();
    // Each signal's last half hour: the baseline of a rollout under way.
    let mut history: HashMap<String, Vec<(i64, f64)>> = HashMap::new();
    if let Some(prom) = &setup.plan.prom {
        let read =
            join_all(setup.plan.signals.iter().map(|s| async move {
                (s.name.clone(), crate::prom::plan::history(prom, s).await)
            }))
            .await;
        history.extend(read);
    }
    let mut guard = Guard::new(setup.rules.clone());
    let mut last: BTreeMap<String, Seen> = BTreeMap::new();
    let mut said = String::new();
    let mut soak_said: Option<i64> = None;
    let mut failures = 0;
    let began = Instant::now();
    let limit = args.wait + args.timeout + Duration::from_secs(24 * 3600);
    setup.say(&format!(
        "guarding {title} in {} ({} probes, {} signals{})",
        conn.namespace,
        setup.probes.len(),
        setup.plan.signals.len(),
        if setup.plan.has_prometheus() {
            ", alerts"
        } else {
            ""
        }
    ));
    let verdict = loop {
        if began.elapsed() > limit {
            break Verdict::TimedOut {
                revision: String::new(),
                why: "the guard ran longer than it may".into(),
            };
        }
        let first = said.is_empty() && failures == 0;
        let cluster = match super::super::check::read_cluster(
            &conn,
            vec![(setup.kind, setup.name.clone())],
            false,
            false,
        )
        .await
        {
            Ok(c) => {
                failures = 0;
                c
            }
            Err(e) if failures >= READ_FAILURES => {
                break Verdict::Failed {
                    revision: String::new(),
                    why: format!("the cluster could not be read {failures} times in a row: {e}"),
                };
            }
            Err(e) => {
                failures += 1;
                setup.say(&format!("cannot read the cluster ({e}); trying again"));
                tokio::time::sleep(args.every).await;
                continue;
            }
        };
        let Some(w) = cluster.workload(setup.kind, &setup.name) else {
            let gone = format!("{title} does not exist in namespace {}", conn.namespace);
            if first {
                return Err(gone);
            }
            break Verdict::Failed {
                revision: String::new(),
                why: gone,
            };
        };
        let rollout = cluster.rollout(w);
        let revision = ClusterState::revision_key(w).unwrap_or_default();
        let seen = look(setup, &cluster, &mut history).await;
        let revisions = cluster.revisions_of(w);
        let is_new = |_: &WorkloadId, pod: &str| -> Option<bool> {
            revisions.as_ref()?.is_new(cluster.pods.get(pod)?)
        };
        let now = jiff::Timestamp::now().as_second();
        let stage = Stage::of(&rollout);
        let changes = guard.observe(
            &[RolloutSeen {
                id: id.clone(),
                revision: revision.clone(),
                stage,
                started: cluster.revision_made(w),
                completed: ClusterState::completed_at(w),
            }],
            &seen,
            &is_new,
            now,
        );
        for s in seen {
            if s.status != Status::Unknown || !last.contains_key(&s.check) {
                last.insert(s.check.clone(), s);
            }
        }
        let line = format!(
            "{title} revision {revision}: {} ({})",
            rollout.word(),
            rollout.message(setup.kind)
        );
        if line != said {
            setup.say(&line);
            said = line;
        }
        let mut ended = None;
        for change in changes {
            if let Some(v) = tell(setup, &guard, change, now) {
                ended.get_or_insert(v);
            }
        }
        if let Some(v) = ended {
            break v;
        }
        let current = guard.current(&id).cloned();
        match (&current, stage) {
            (Some(f), Stage::Failed) => {
                break Verdict::Failed {
                    revision: f.revision.clone(),
                    why: rollout.message(setup.kind),
                };
            }
            (Some(f), _)
                if f.completed.is_none() && now - f.since > args.timeout.as_secs() as i64 =>
            {
                break Verdict::TimedOut {
                    revision: f.revision.clone(),
                    why: format!(
                        "not complete {} after it was seen rolling: {}",
                        ago(now - f.since),
                        rollout.message(setup.kind)
                    ),
                };
            }
            (Some(f), Stage::Complete) => {
                // How much of the soak is left, once a minute.
                let left = (f.completed.unwrap_or(now) + f.soak - now).max(0);
                let minute = Some(left / 60);
                if minute != soak_said {
                    soak_said = minute;
                    setup.say(&format!(
                        "{title} revision {}: complete; soaking, {} left",
                        f.revision,
                        ago(left)
                    ));
                }
            }
            (None, _) if began.elapsed() > args.wait => {
                break Verdict::NoRollout {
                    waited: humantime::format_duration(args.wait).to_string(),
                };
            }
            (None, _) if first => setup.say(&format!(
                "no rollout of {title} under way or within its soak: waiting up to {} for one",
                humantime::format_duration(args.wait)
            )),
            _ => {}
        }
        tokio::time::sleep(args.every).await;
    };
    let checks = judged(&guard, &verdict, &last);
    let rolled_back = match (&verdict, args.rollback_on_fail) {
        (Verdict::Regressed { .. } | Verdict::Failed { .. }, true)
            if !guard.followed.is_empty() =>
        {
            Some(super::rollback::undo(setup, &conn, &guard, &id, &verdict, args).await)
        }
        _ => None,
    };
    Ok((verdict, checks, rolled_back))
}

/// Every probe, signal and the alerts, once each, as the guard sees them;
/// each signal's reading joins its history.
async fn look(
    setup: &Setup,
    cluster: &ClusterState,
    history: &mut HashMap<String, Vec<(i64, f64)>>,
) -> Vec<Seen> {
    let limit = Duration::from_secs(10);
    let probes = super::super::check::run_probes(&setup.probes, false, limit);
    let signals = async {
        match &setup.plan.prom {
            Some(prom) => {
                join_all(setup.plan.signals.iter().map(|s| async move {
                    (
                        s,
                        crate::prom::plan::read(prom, s, &setup.plan.secrets).await,
                    )
                }))
                .await
            }
            None => Vec::new(),
        }
    };
    let alerts = async {
        if setup.plan.has_prometheus() {
            Some(
                crate::prom::plan::alerts(&setup.plan)
                    .await
                    .map_err(|e| e.to_string()),
            )
        } else {
            None
        }
    };
    let (probes, signals, alerts) = futures::join!(probes, signals, alerts);
    let now = jiff::Timestamp::now().as_second();
    let probe_results: Vec<(String, Option<crate::probe::ProbeResult>)> = probes
        .into_iter()
        .map(|(name, r)| {
            let spec = setup.probes.iter().find(|s| s.name == name);
            let r = r
                .ok()
                .or_else(|| spec.map(|s| crate::probe::broken(s, "no answer".into())));
            (name, r)
        })
        .collect();
    let sources = Sources {
        probes: probe_results
            .iter()
            .map(|(n, r)| (n.as_str(), r.as_ref()))
            .collect(),
        on_demand: Vec::new(),
        signals: signals
            .iter()
            .map(|(spec, reading)| crate::prom::plan::view(spec, reading))
            .collect(),
        cluster: Some(cluster),
        cluster_error: None,
        alerts: alerts.clone().unwrap_or(Ok(Vec::new())),
        alert_rules: Err("not read by the guard".into()),
        usage_rules: Vec::new(),
        now,
    };
    let mut refs = vec![CheckRef::Probe(All::All)];
    if alerts.is_some() {
        refs.push(CheckRef::Alerts(None));
    }
    let mut seen: Vec<Seen> = refs
        .iter()
        .flat_map(|r| evaluate(r, &sources, &[]))
        .map(|o| Seen::of_outcome(&o))
        .collect();
    for (spec, reading) in &signals {
        let points = history.entry(spec.name.clone()).or_default();
        if let Some(v) = reading.value.filter(|v| v.is_finite()) {
            points.push((now, v));
            let extra = points.len().saturating_sub(HISTORY);
            points.drain(..extra);
        }
        let view = crate::prom::plan::view(spec, reading);
        seen.push(Seen {
            check: format!("signal:{}", spec.name),
            status: view.status,
            value: reading.value,
            text: crate::checks::regress::value_text(reading.value, spec.unit, &view.value),
            history: points.clone(),
            by_pod: reading.by_pod.clone(),
        });
    }
    seen
}

/// Says (and journals) what changed; the verdict when it ends the guard.
fn tell(setup: &Setup, guard: &Guard, change: Change, now: i64) -> Option<Verdict> {
    let find = |id: &WorkloadId, revision: &str| {
        guard
            .followed
            .iter()
            .find(|f| &f.id == id && f.revision == revision)
    };
    match change {
        Change::Following { id, revision } => {
            let f = find(&id, &revision)?;
            let text = following_text(f);
            setup.say(&text);
            journal(setup, format!("{} baseline", f.subject("")), "info", text);
            None
        }
        Change::Regressed {
            id,
            revision,
            regression,
            ..
        } => {
            let f = find(&id, &revision)?;
            let text = regressed_text(f, &regression);
            setup.say(&format!("REGRESSION: {text}"));
            journal(setup, f.subject(&regression.check), "fail", text);
            let (kind, name) = regression
                .check
                .split_once(':')
                .unwrap_or((regression.check.as_str(), ""));
            let kind = match kind {
                "probe" => Kind::Probe,
                "signal" => Kind::Signal,
                _ => Kind::Alerts,
            };
            let split = regression
                .split
                .as_ref()
                .map(|s| format!("; {s}"))
                .unwrap_or_default();
            Some(Verdict::Regressed {
                revision,
                outcome: Box::new(Outcome {
                    kind,
                    name: if name.is_empty() { "alerts" } else { name }.to_string(),
                    status: Status::Fail,
                    value: format!("{} (baseline {})", regression.value, regression.baseline),
                    detail: Some(format!(
                        "{}, {} after the rollout began{split}",
                        regression.why,
                        ago(now - f.started)
                    )),
                }),
            })
        }
        Change::Cleared {
            id,
            revision,
            check,
            value,
        } => {
            let text = cleared_text(&id, &revision, &check, &value);
            setup.say(&text);
            let subject = crate::checks::regress::subject(&id, &revision, &check);
            journal(setup, subject, "ok", text);
            None
        }
        Change::Passed { id, revision } => {
            let subject = crate::checks::regress::subject(&id, &revision, "");
            journal(setup, subject, "info", passed_text(&id, &revision));
            Some(Verdict::Passed { revision })
        }
    }
}

/// Each check's last known state, judged against the rollout's baseline:
/// the regression that ended it failed, the others held.
fn judged(guard: &Guard, verdict: &Verdict, last: &BTreeMap<String, Seen>) -> Vec<Outcome> {
    if matches!(verdict, Verdict::NoRollout { .. }) {
        return Vec::new();
    }
    let regressed = match verdict {
        Verdict::Regressed { outcome, .. } => Some(outcome.as_ref()),
        _ => None,
    };
    let baseline = |check: &str| {
        guard
            .followed
            .last()
            .and_then(|f| f.baselines.get(check))
            .map(|b| b.text.clone())
    };
    last.values()
        .map(|s| {
            let (kind, name) = match s.check.split_once(':') {
                Some(("probe", n)) => (Kind::Probe, n),
                Some((_, n)) => (Kind::Signal, n),
                None => (Kind::Alerts, "alerts"),
            };
            if let Some(o) = regressed.filter(|o| o.kind == kind && o.name == name) {
                return o.clone();
            }
            let status = if s.status == Status::Unknown {
                Status::Unknown
            } else {
                Status::Ok
            };
            Outcome {
                kind,
                name: name.to_string(),
                status,
                value: match baseline(&s.check) {
                    Some(b) => format!("{} (baseline {b})", s.text),
                    None => s.text.clone(),
                },
                detail: (status == Status::Unknown).then(|| "never known while guarding".into()),
            }
        })
        .collect()
}

/// Journals a guard event (where there is a journal).
pub(super) fn journal(setup: &Setup, subject: String, status: &str, text: String) {
    let Some(j) = &setup.journal else { return };
    let record = Record::now(
        None,
        Entry::Event {
            event: EventKind::Regression,
            subject,
            status: status.to_string(),
            text,
        },
    );
    if let Err(e) = j.append(&record) {
        setup.say(&format!("the journal could not be written: {e}"));
    }
}
