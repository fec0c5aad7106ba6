//! Signals and alerts of a runbook environment, ready to query: the
//! Prometheus client (token from the environment, never shown), each
//! signal's query with variables filled in and thresholds parsed, and the
//! environment's alert labels. Used by `check` and by the dashboard.
//! What Prometheus answers (errors quote the query, which may hold a value
//! from the process environment) is masked with the plan's secrets.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;

use crate::prom::alerts::Alert;
use crate::prom::client::{Prom, PromError};
use crate::prom::signal::{Reading, SignalState};
use crate::runbook::Runbook;
use crate::runbook::check_ref::CheckRef;
use crate::runbook::model::Unit;
use crate::runbook::select::lookup;
use crate::runbook::threshold::{Threshold, ThresholdError};
use crate::runbook::vars::{VarError, expand};
use crate::secrets::Secrets;
use crate::status::Status;

/// Why an environment's signals cannot be planned. Each names the signal
/// or the runbook field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A signal's `warn` or `fail` threshold (`text`) does not parse.
    #[error("signal {signal}: {which} \"{text}\": {}", .source.message)]
    Threshold {
        signal: String,
        which: &'static str,
        text: String,
        source: ThresholdError,
    },
    /// A signal's query names a variable that is not defined, or is
    /// malformed.
    #[error("signal {signal}: query: {}", .error.message)]
    Query { signal: String, error: VarError },
    #[error("prometheus_token: {}", .error.message)]
    Token { error: VarError },
    #[error("prometheus: {}", .error.message)]
    Url { error: VarError },
    /// The Prometheus client cannot be made (an invalid URL...); the
    /// message is masked with the plan's secrets.
    #[error("{0}")]
    Client(String),
}

/// A signal as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalView {
    pub name: String,
    pub status: Status,
    pub value: String,
    pub detail: Option<String>,
}

/// An alert as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertView {
    pub name: String,
    pub firing: bool,
    pub labels: std::collections::BTreeMap<String, String>,
    pub summary: Option<String>,
}

/// What the pollers report.
#[derive(Debug, Clone)]
pub enum SignalMsg {
    Reading {
        name: String,
        at: i64,
        reading: Reading,
    },
    Range {
        name: String,
        points: Vec<(i64, f64)>,
    },
    Alerts {
        at: i64,
        result: Result<Vec<Alert>, String>,
    },
    /// The names of the alerting rules loaded (read only when an item
    /// checks `alerts:configured`).
    AlertRules {
        at: i64,
        result: Result<Vec<String>, String>,
    },
}

/// How long one Prometheus request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct SignalSpec {
    pub name: String,
    pub query: String,
    pub unit: Option<Unit>,
    pub warn: Option<Threshold>,
    pub fail: Option<Threshold>,
    pub every: Duration,
    /// The label naming each series' pod, for the per-revision split.
    pub per_revision: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// None when the environment names no Prometheus.
    pub prom: Option<Prom>,
    pub signals: Vec<SignalSpec>,
    pub alert_labels: BTreeMap<String, String>,
    /// Why there is no client though signals exist.
    pub missing: Option<String>,
    /// Whether an item checks which alerting rules are loaded
    /// (`alerts:configured`): only then are the rules read.
    pub alert_rules: bool,
    /// The token, the URL's userinfo and query, and the values the URL,
    /// the token and the queries take from the process environment.
    pub secrets: Secrets,
}

impl Plan {
    pub fn has_prometheus(&self) -> bool {
        self.prom.is_some()
    }
}

/// The plan for an environment (None: the first). A bad threshold or
/// query variable is an error naming the signal.
pub fn plan(runbook: &Runbook, env: Option<&str>) -> Result<Plan, PlanError> {
    let found = match env {
        Some(name) => runbook.environments().find(|(n, _)| *n == name),
        None => runbook.environments().next(),
    };
    let Some((env_name, env)) = found else {
        return Ok(Plan::default());
    };
    let service = runbook.service_name();
    let vars = lookup(service, env_name, env);
    let signals = runbook
        .signals()
        .map(|s| {
            let name = s.name.get_ref().clone();
            let threshold = |t: &Option<toml::Spanned<String>>, which: &'static str| {
                t.as_ref()
                    .map(|t| {
                        Threshold::parse_for(t.get_ref(), s.unit).map_err(|source| {
                            PlanError::Threshold {
                                signal: name.clone(),
                                which,
                                text: t.get_ref().clone(),
                                source,
                            }
                        })
                    })
                    .transpose()
            };
            Ok(SignalSpec {
                query: expand(s.query.get_ref(), &vars).map_err(|error| PlanError::Query {
                    signal: name.clone(),
                    error,
                })?,
                unit: s.unit,
                warn: threshold(&s.warn, "warn")?,
                fail: threshold(&s.fail, "fail")?,
                every: s.every.0,
                per_revision: s
                    .regression
                    .as_ref()
                    .and_then(|r| r.per_revision.as_ref())
                    .map(|l| l.get_ref().clone()),
                name,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    let token = env
        .prometheus_token
        .as_ref()
        .map(|t| expand(t.get_ref(), &vars).map_err(|error| PlanError::Token { error }))
        .transpose()?
        .filter(|t| !t.is_empty());
    let secrets = crate::runbook::secrets::prometheus(runbook, env_name, env);
    let (prom, missing) = match &env.prometheus {
        Some(url) => {
            let url = expand(url.get_ref(), &vars).map_err(|error| PlanError::Url { error })?;
            let prom = Prom::new(&url, token, REQUEST_TIMEOUT)
                .map_err(|e| PlanError::Client(secrets.mask(&e).into_owned()))?;
            (Some(prom), None)
        }
        None => (
            None,
            (!signals.is_empty())
                .then(|| format!("environment {env_name} names no prometheus URL")),
        ),
    };
    Ok(Plan {
        prom,
        signals,
        alert_labels: env
            .alert_labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        missing,
        alert_rules: runbook
            .phases()
            .flat_map(|p| p.items.iter())
            .any(|i| matches!(i.get_ref().check_ref, Some(CheckRef::AlertRules(_)))),
        secrets,
    })
}

/// The names of the alerting rules loaded, masked; empty when the
/// environment names no Prometheus.
pub async fn alert_rules(plan: &Plan) -> Result<Vec<String>, PromError> {
    let Some(prom) = &plan.prom else {
        return Ok(Vec::new());
    };
    let names = prom
        .alert_rules()
        .await
        .map_err(|e| masked(e, &plan.secrets))?;
    Ok(names
        .into_iter()
        .map(|n| plan.secrets.mask(&n).into_owned())
        .collect())
}

/// The status a signal state shows: no data, NaN, Inf, errors and an
/// unreachable Prometheus are unknown, never a pass.
pub fn status(state: &SignalState) -> Status {
    match state {
        SignalState::Ok => Status::Ok,
        SignalState::Warn => Status::Warn,
        SignalState::Fail => Status::Fail,
        _ => Status::Unknown,
    }
}

/// A reading as the checks see it.
pub fn view(spec: &SignalSpec, reading: &Reading) -> SignalView {
    SignalView {
        name: spec.name.clone(),
        status: status(&reading.state),
        value: reading.text(spec.unit),
        detail: detail(
            reading,
            spec.warn.as_ref().map(|t| t.shown(spec.unit)).as_deref(),
            spec.fail.as_ref().map(|t| t.shown(spec.unit)).as_deref(),
        ),
    }
}

/// Why a reading is not ok: the threshold it crossed (as the runbook
/// writes it), or what is wrong with the answer; and the worst series'
/// labels.
pub fn detail(reading: &Reading, warn: Option<&str>, fail: Option<&str>) -> Option<String> {
    let detail = match &reading.state {
        SignalState::Fail => fail.map(|t| format!("fail when {t}")),
        SignalState::Warn => warn.map(|t| format!("warn when {t}")),
        SignalState::NoData => Some("the query returned no series".into()),
        SignalState::NaN => Some("the value is NaN (e.g. 0/0: no traffic)".into()),
        SignalState::Inf => Some("the value is infinite (a division by zero)".into()),
        SignalState::Error(e) | SignalState::Unreachable(e) => Some(e.clone()),
        SignalState::Ok => None,
    };
    match (detail, reading.worst_labels.is_empty()) {
        (Some(d), false) => Some(format!("{d} · {}", reading.worst_labels)),
        (d, _) => d,
    }
}

/// One instant query, its answer masked with `secrets`.
pub async fn read(prom: &Prom, spec: &SignalSpec, secrets: &Secrets) -> Reading {
    let mut reading = match prom
        .instant_by(&spec.query, spec.per_revision.as_deref())
        .await
    {
        Ok((series, by_pod)) => Reading {
            by_pod,
            ..Reading::judge(&series, spec.warn.as_ref(), spec.fail.as_ref())
        },
        Err(e) => Reading::failed(&e),
    };
    secrets.mask_in_place(&mut reading.worst_labels);
    for (pod, _) in &mut reading.by_pod {
        secrets.mask_in_place(pod);
    }
    if let SignalState::Error(text) | SignalState::Unreachable(text) = &mut reading.state {
        secrets.mask_in_place(text);
    }
    reading
}

/// A signal's values over the last `RANGE` (its worst series), oldest
/// first; empty when Prometheus does not answer.
pub async fn history(prom: &Prom, spec: &SignalSpec) -> Vec<(i64, f64)> {
    let end = jiff::Timestamp::now().as_second();
    let start = end - RANGE.as_secs() as i64;
    match prom.range(&spec.query, start, end, STEP).await {
        Ok(series) => worst_series(&series, spec),
        Err(_) => Vec::new(),
    }
}

/// Alerts with `secrets` masked in their names, labels and summaries.
fn mask_alerts(mut alerts: Vec<Alert>, secrets: &Secrets) -> Vec<Alert> {
    for a in &mut alerts {
        secrets.mask_in_place(&mut a.name);
        if let Some(s) = &mut a.severity {
            secrets.mask_in_place(s);
        }
        if let Some(s) = &mut a.summary {
            secrets.mask_in_place(s);
        }
        a.labels = std::mem::take(&mut a.labels)
            .into_iter()
            .map(|(k, v)| (secrets.mask(&k).into_owned(), secrets.mask(&v).into_owned()))
            .collect();
    }
    alerts
}

/// Every signal once, concurrently.
pub async fn signals(plan: &Plan) -> Vec<SignalView> {
    let Some(prom) = &plan.prom else {
        let why = plan.missing.clone().unwrap_or_default();
        return timed_out(plan, &why);
    };
    join_all(
        plan.signals
            .iter()
            .map(|s| async move { view(s, &read(prom, s, &plan.secrets).await) }),
    )
    .await
}

/// Every signal as unknown, for the reason given.
pub fn timed_out(plan: &Plan, why: &str) -> Vec<SignalView> {
    plan.signals
        .iter()
        .map(|s| SignalView {
            name: s.name.clone(),
            status: Status::Unknown,
            value: "unknown".into(),
            detail: Some(why.to_string()),
        })
        .collect()
}

/// The alerts, filtered by the environment's labels.
pub async fn alerts(plan: &Plan) -> Result<Vec<AlertView>, PromError> {
    let Some(prom) = &plan.prom else {
        return Ok(Vec::new());
    };
    let all = prom.alerts().await.map_err(|e| masked(e, &plan.secrets))?;
    let chosen = crate::prom::alerts::filter(&all, &plan.alert_labels);
    Ok(mask_alerts(chosen, &plan.secrets)
        .into_iter()
        .map(|a| AlertView {
            firing: a.is_firing(),
            name: a.name,
            labels: a.labels,
            summary: a.summary,
        })
        .collect())
}

/// A Prometheus error, of the same kind, with `secrets` masked in its text
/// (an error may quote the query).
fn masked(e: PromError, secrets: &Secrets) -> PromError {
    let mask = |text: String| secrets.mask(&text).into_owned();
    match e {
        PromError::Unreachable(m) => PromError::Unreachable(mask(m)),
        PromError::Rejected(m) => PromError::Rejected(mask(m)),
        PromError::Other(m) => PromError::Other(mask(m)),
    }
}

/// The running pollers; dropping this stops them.
pub struct PollTasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for PollTasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// How far back the sparkline and chart reach, and their step.
pub const RANGE: Duration = Duration::from_secs(30 * 60);
pub const STEP: Duration = Duration::from_secs(30);
/// How often the range is read again.
const RANGE_EVERY: Duration = Duration::from_secs(120);
/// How often the alerts are read.
const ALERTS_EVERY: Duration = Duration::from_secs(15);
/// Seconds after the last answer about alerts from which the list is too
/// old to judge by (three reads missed).
pub const ALERTS_STALE_AFTER: i64 = 3 * ALERTS_EVERY.as_secs() as i64;

/// One poller per signal (instant value every `every`, the range every
/// two minutes) and one for the alerts; on failure each backs off (1 s
/// doubling to 30 s) and keeps retrying.
pub fn spawn<M: Send + 'static>(
    plan: &Plan,
    generation: u64,
    out: crate::sink::Sink<M, SignalMsg>,
) -> Option<PollTasks> {
    use crate::prom::poller::Backoff;
    let prom = plan.prom.clone()?;
    let mut tasks = Vec::new();
    for spec in plan.signals.clone() {
        let (prom, out, secrets) = (prom.clone(), out.clone(), plan.secrets.clone());
        tasks.push(tokio::spawn(async move {
            let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
            let mut range_at: Option<tokio::time::Instant> = None;
            loop {
                if range_at.is_none_or(|t| t.elapsed() >= RANGE_EVERY) {
                    let end = jiff::Timestamp::now().as_second();
                    let start = end - RANGE.as_secs() as i64;
                    if let Ok(series) = prom.range(&spec.query, start, end, STEP).await {
                        range_at = Some(tokio::time::Instant::now());
                        let points = worst_series(&series, &spec);
                        let msg = SignalMsg::Range {
                            name: spec.name.clone(),
                            points,
                        };
                        if !out.send(generation, msg).await {
                            return;
                        }
                    }
                }
                let reading = read(&prom, &spec, &secrets).await;
                let failed = matches!(
                    reading.state,
                    SignalState::Unreachable(_) | SignalState::Error(_)
                );
                let at = jiff::Timestamp::now().as_second();
                let msg = SignalMsg::Reading {
                    name: spec.name.clone(),
                    at,
                    reading,
                };
                if !out.send(generation, msg).await {
                    return;
                }
                let wait = if failed {
                    backoff.failed()
                } else {
                    backoff.succeeded();
                    spec.every.max(Duration::from_secs(1))
                };
                tokio::time::sleep(wait).await;
            }
        }));
    }
    let labels = plan.alert_labels.clone();
    let secrets = plan.secrets.clone();
    let rules = plan.alert_rules;
    tasks.push(tokio::spawn(async move {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        loop {
            let result = prom
                .alerts()
                .await
                .map(|all| mask_alerts(crate::prom::alerts::filter(&all, &labels), &secrets))
                .map_err(|e| secrets.mask(&e.to_string()).into_owned());
            let wait = if result.is_err() {
                backoff.failed()
            } else {
                backoff.succeeded();
                ALERTS_EVERY
            };
            let at = jiff::Timestamp::now().as_second();
            if !out.send(generation, SignalMsg::Alerts { at, result }).await {
                return;
            }
            if rules {
                let result = prom
                    .alert_rules()
                    .await
                    .map(|names| {
                        names
                            .into_iter()
                            .map(|n| secrets.mask(&n).into_owned())
                            .collect()
                    })
                    .map_err(|e| secrets.mask(&e.to_string()).into_owned());
                let msg = SignalMsg::AlertRules { at, result };
                if !out.send(generation, msg).await {
                    return;
                }
            }
            tokio::time::sleep(wait).await;
        }
    }));
    Some(PollTasks(tasks))
}

/// The points of the series the instant reading would show: the worst at
/// the last point.
fn worst_series(series: &[(String, Vec<(i64, f64)>)], spec: &SignalSpec) -> Vec<(i64, f64)> {
    let last: Vec<(String, f64)> = series
        .iter()
        .filter_map(|(labels, points)| points.last().map(|(_, v)| (labels.clone(), *v)))
        .collect();
    let reading = Reading::judge(&last, spec.warn.as_ref(), spec.fail.as_ref());
    series
        .iter()
        .find(|(labels, _)| *labels == reading.worst_labels)
        .map(|(_, p)| p.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_kinds_a_caller_can_match() {
        // A runbook that loads has its variables and thresholds checked:
        // these errors come when the process environment changed since.
        let error = expand("up{job=\"${nope}\"}", |_| None).unwrap_err();
        let err = PlanError::Query {
            signal: "errors".into(),
            error,
        };
        assert!(
            matches!(&err, PlanError::Query { signal, error } if signal == "errors" && error.name.as_deref() == Some("nope")),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "signal errors: query: undefined variable \"nope\""
        );
        let source = Threshold::parse_for("> lots", None).unwrap_err();
        let err = PlanError::Threshold {
            signal: "errors".into(),
            which: "warn",
            text: "> lots".into(),
            source,
        };
        assert!(matches!(err, PlanError::Threshold { which: "warn", .. }));
        assert!(
            err.to_string()
                .starts_with("signal errors: warn \"> lots\": "),
            "{err}"
        );
    }

    #[test]
    fn the_rules_are_read_only_when_an_item_checks_them() {
        let runbook = |check: &str| {
            let text = format!(
                "[service]\nname = \"api\"\n\n[env.prod]\nprometheus = \"http://127.0.0.1:9\"\n\n\
                 [[phase]]\nname = \"Go\"\nitems = [{{ text = \"x\", check = \"{check}\" }}]\n"
            );
            Runbook::parse(std::path::Path::new("x.toml"), &text).unwrap()
        };
        assert!(
            plan(&runbook("alerts:configured"), None)
                .unwrap()
                .alert_rules
        );
        assert!(!plan(&runbook("alerts"), None).unwrap().alert_rules);
    }

    #[test]
    fn a_masked_prometheus_error_keeps_its_kind() {
        let mut secrets = Secrets::default();
        secrets.add("hunter2");
        let e = masked(PromError::Rejected("bad query hunter2".into()), &secrets);
        assert!(
            matches!(&e, PromError::Rejected(m) if !m.contains("hunter2")),
            "{e:?}"
        );
    }
}
