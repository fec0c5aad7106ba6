//! Guarded rollouts: each rollout of a watched workload is followed from
//! the moment its new revision starts rolling (whoever started it) until a
//! soak window after it completes. What each probe, signal and the alerts
//! said just before it started is its baseline. During the rollout and the
//! soak, a check that goes from ok or warn to fail, a signal that worsens
//! past its runbook's factor over the baseline, or a signal whose new
//! pods are worse than the old ones by that factor, is a **regression of
//! that rollout**. A regression clears when what made it no longer holds.
//!
//! Pure: the dashboard and `ops-tui guard` feed it what they see, with
//! the time, and act on the changes it returns.

use std::collections::BTreeMap;

use crate::kube::cluster::WorkloadId;
use crate::runbook::threshold::Threshold;
use crate::runbook::units::{Unit, format};
use crate::status::Status;

/// How long after a rollout completes it is still watched, unless its
/// workload says otherwise.
pub const DEFAULT_SOAK: i64 = 600;
/// How far back a signal's recent values reach for its baseline.
pub const BASELINE_WINDOW: i64 = 300;
/// A check not known when following began takes its first known state as
/// its baseline, within this many seconds.
pub const BASELINE_GRACE: i64 = 30;
/// The factor a new revision's pods must be worse than the old ones' by,
/// when the signal names none.
pub const SPLIT_FACTOR: f64 = 2.0;
/// A revision made longer than this before its rollout completed was
/// made for an earlier rollout (a rollback reuses it).
pub const REUSED: i64 = 1800;
/// How long a superseded rollout's open regression is still followed (a
/// rollback's error rate takes a while to fall).
pub const OPEN_FOR: i64 = 1800;
/// Rollouts followed at once; beyond it the oldest is dropped.
pub const MAX_FOLLOWED: usize = 64;

/// What the runbook says of one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalRule {
    pub name: String,
    pub unit: Option<Unit>,
    pub warn: Option<Threshold>,
    pub fail: Option<Threshold>,
    /// A value this many times worse than its baseline is a regression.
    pub worse: Option<f64>,
    /// ... when it differs from the baseline by more than this.
    pub margin: f64,
    /// The series label that names the pod (new vs old revision).
    pub per_revision: Option<String>,
}

impl SignalRule {
    /// Whether high values are bad (the thresholds' direction; high when
    /// they give none).
    pub fn high_is_bad(&self) -> bool {
        self.fail
            .as_ref()
            .and_then(|t| t.op.high_is_bad())
            .or_else(|| self.warn.as_ref().and_then(|t| t.op.high_is_bad()))
            .unwrap_or(true)
    }

    fn show(&self, v: f64) -> String {
        format(v, self.unit)
    }

    /// The state a value would have had.
    fn status_of(&self, v: f64) -> Status {
        crate::prom::plan::status(&crate::prom::signal::judge(
            Some(v),
            self.warn.as_ref(),
            self.fail.as_ref(),
        ))
    }

    /// `v` is worse than `base` by more than the factor and the margin.
    fn worse_than(&self, v: f64, base: f64, factor: f64) -> bool {
        if !(v.is_finite() && base.is_finite()) || (v - base).abs() <= self.margin {
            return false;
        }
        if self.high_is_bad() {
            v > base * factor && v > base
        } else {
            v * factor < base
        }
    }
}

/// The rules: the runbook's signals, and each workload's soak.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    pub signals: Vec<SignalRule>,
    /// Soak by workload name (seconds); DEFAULT_SOAK for the others.
    pub soak: BTreeMap<String, i64>,
    /// Overrides every workload's soak (`guard --soak`).
    pub soak_override: Option<i64>,
}

impl Rules {
    /// The rules a runbook gives: each signal's thresholds and regression
    /// options, each workload's soak.
    pub fn from_runbook(runbook: &crate::runbook::Runbook) -> Rules {
        Rules {
            signals: runbook
                .signals()
                .map(|s| {
                    let r = s.regression.as_ref();
                    SignalRule {
                        name: s.name.get_ref().clone(),
                        unit: s.unit,
                        warn: s.warn_threshold.clone(),
                        fail: s.fail_threshold.clone(),
                        worse: r.and_then(|r| r.worse.as_ref()).map(|w| *w.get_ref()),
                        margin: s.margin_value.unwrap_or(0.0),
                        per_revision: r
                            .and_then(|r| r.per_revision.as_ref())
                            .map(|l| l.get_ref().clone()),
                    }
                })
                .collect(),
            soak: runbook
                .workloads()
                .filter_map(|w| {
                    let soak = w.soak.as_ref()?;
                    Some((w.name.get_ref().clone(), soak.get_ref().0.as_secs() as i64))
                })
                .collect(),
            soak_override: None,
        }
    }

    pub fn soak_of(&self, name: &str) -> i64 {
        self.soak_override
            .or_else(|| self.soak.get(name).copied())
            .unwrap_or(DEFAULT_SOAK)
    }

    fn signal(&self, check: &str) -> Option<&SignalRule> {
        let name = check.strip_prefix("signal:")?;
        self.signals.iter().find(|s| s.name == name)
    }
}

/// Where a workload's rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Under way (or waiting for its controller).
    Rolling,
    Complete,
    /// Failed (its deadline passed, or a new pod cannot run).
    Failed,
    /// Paused, on-delete: followed, neither rolling nor complete.
    Held,
}

impl Stage {
    /// A rollout's stage as the guard sees it.
    pub fn of(rollout: &crate::kube::rollout::Rollout) -> Stage {
        use crate::kube::rollout::Rollout;
        match rollout {
            Rollout::Waiting | Rollout::Progressing(_) => Stage::Rolling,
            Rollout::Complete(_) => Stage::Complete,
            Rollout::Failed(_) => Stage::Failed,
            _ => Stage::Held,
        }
    }
}

/// A workload as the guard sees it: its current revision and stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutSeen {
    pub id: WorkloadId,
    /// What names its revision: a Deployment's number, a StatefulSet's
    /// update revision, a DaemonSet's newest ControllerRevision.
    pub revision: String,
    pub stage: Stage,
    /// When this revision started rolling, when known (its ReplicaSet's
    /// or ControllerRevision's creation).
    pub started: Option<i64>,
    /// When it completed, when known and complete (a Deployment's
    /// Progressing condition, NewReplicaSetAvailable).
    pub completed: Option<i64>,
}

/// One check as the guard sees it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// As items name it: `probe:health`, `signal:error-rate`, `alerts`.
    pub check: String,
    pub status: Status,
    /// A signal's value.
    pub value: Option<f64>,
    /// The value as shown.
    pub text: String,
    /// A signal's recent values, oldest first (seconds since the epoch).
    pub history: Vec<(i64, f64)>,
    /// A per-revision signal's value for each pod.
    pub by_pod: Vec<(String, f64)>,
}

impl Seen {
    /// A probe's or the alerts' outcome as the guard sees it.
    pub fn of_outcome(o: &crate::checks::Outcome) -> Seen {
        Seen {
            check: match o.kind {
                crate::checks::Kind::Alerts => "alerts".to_string(),
                kind => format!("{}:{}", kind.word(), o.name),
            },
            status: o.status,
            value: None,
            text: shown(o),
            history: Vec::new(),
            by_pod: Vec::new(),
        }
    }
}

/// A check's state before a rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub status: Status,
    pub value: Option<f64>,
    pub text: String,
}

/// A regression of a rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    pub check: String,
    /// What made it one: "went from ok to fail", "3.2× its baseline",
    /// "new pods 4.1% vs old 0.2%".
    pub why: String,
    /// The value now, and the baseline, as shown.
    pub value: String,
    pub baseline: String,
    /// The new revision's pods against the old ones', when split.
    pub split: Option<String>,
    /// When it was found.
    pub at: i64,
}

/// A rollout being followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub id: WorkloadId,
    pub revision: String,
    /// The revision before it, when seen.
    pub previous: Option<String>,
    pub started: i64,
    /// When following began.
    pub since: i64,
    pub completed: Option<i64>,
    /// A newer revision started since.
    pub superseded: Option<i64>,
    pub soak: i64,
    pub baselines: BTreeMap<String, Baseline>,
    /// Regressions that hold now, by check.
    pub open: BTreeMap<String, Regression>,
    /// Regressions found, open or cleared (for `guard`'s report).
    pub found: usize,
}

impl Followed {
    /// "deployment/api revision 7".
    pub fn title(&self) -> String {
        format!(
            "{}/{} revision {}",
            self.id.kind.resource(),
            self.id.name,
            self.revision
        )
    }

    /// The journal's subject of a regression: the rollout and the check.
    pub fn subject(&self, check: &str) -> String {
        subject(&self.id, &self.revision, check)
    }

    /// Whether the soak window is over (`now` past completion + soak).
    pub fn soaked(&self, now: i64) -> bool {
        self.completed.is_some_and(|c| now >= c + self.soak)
    }
}

/// What changed, for the caller to show and journal.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A rollout is followed from now: its title and baselines.
    Following { id: WorkloadId, revision: String },
    Regressed {
        id: WorkloadId,
        revision: String,
        started: i64,
        regression: Regression,
    },
    Cleared {
        id: WorkloadId,
        revision: String,
        check: String,
        value: String,
    },
    /// The rollout completed and soaked with no regression open.
    Passed { id: WorkloadId, revision: String },
}

/// Every followed rollout, and the last revision seen of each workload.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub rules: Rules,
    pub followed: Vec<Followed>,
    revisions: BTreeMap<WorkloadId, String>,
}

/// The median of the points in `[from, to)`.
fn median_between(points: &[(i64, f64)], from: i64, to: i64) -> Option<f64> {
    let mut v: Vec<f64> = points
        .iter()
        .filter(|(t, v)| *t >= from && *t < to && v.is_finite())
        .map(|(_, v)| *v)
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// The worse of two known states (unknown counts as neither).
fn worse_status(a: Status, b: Status) -> Status {
    let rank = |s: Status| match s {
        Status::Ok => 1,
        Status::Warn => 2,
        Status::Fail => 3,
        Status::Unknown => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn word(s: Status) -> &'static str {
    crate::checks::report::status_word(s)
}

impl Guard {
    pub fn new(rules: Rules) -> Guard {
        Guard {
            rules,
            ..Guard::default()
        }
    }

    /// Regressions open now, oldest rollout first.
    pub fn open(&self) -> impl Iterator<Item = (&Followed, &Regression)> {
        self.followed
            .iter()
            .flat_map(|f| f.open.values().map(move |r| (f, r)))
    }

    /// The followed rollout of a workload at its current revision.
    pub fn current(&self, id: &WorkloadId) -> Option<&Followed> {
        self.followed
            .iter()
            .rev()
            .find(|f| &f.id == id && f.superseded.is_none())
    }

    /// Whether a workload has a regression open (of any of its rollouts).
    pub fn regressed(&self, id: &WorkloadId) -> bool {
        self.followed
            .iter()
            .any(|f| &f.id == id && !f.open.is_empty())
    }

    /// A check's baseline for a rollout that started at `started`: a
    /// signal's median over the window before it (judged by its
    /// thresholds), else what it shows now when following starts with the
    /// rollout.
    fn baseline(&self, seen: &Seen, started: i64, now: i64) -> Baseline {
        let rule = self.rules.signal(&seen.check);
        // Following began with the rollout: what shows now is from before
        // it. Else what shows now may already be its doing.
        let at_start = now - started <= BASELINE_GRACE;
        if let Some(rule) = rule
            && let Some(v) = median_between(&seen.history, started - BASELINE_WINDOW, started)
        {
            let median = Baseline {
                status: rule.status_of(v),
                value: Some(v),
                text: rule.show(v),
            };
            // A rollout that starts while the signal is already worse than
            // its recent median (a rollback during a regression) is judged
            // against how it stood when it started.
            return match (at_start, seen.value) {
                (true, Some(now_value))
                    if now_value.is_finite() && rule.worse_than(now_value, v, 1.0) =>
                {
                    Baseline {
                        status: worse_status(median.status, seen.status),
                        value: Some(now_value),
                        text: seen.text.clone(),
                    }
                }
                (true, _) => Baseline {
                    status: worse_status(median.status, seen.status),
                    ..median
                },
                (false, _) => median,
            };
        }
        if !at_start {
            return Baseline {
                status: Status::Unknown,
                value: None,
                text: "not known".into(),
            };
        }
        Baseline {
            status: seen.status,
            value: seen.value,
            text: seen.text.clone(),
        }
    }

    /// Takes in what is seen now; returns what changed.
    ///
    /// `is_new(id, pod)`: whether a pod belongs to the workload's current
    /// revision (None: not one of its pods).
    pub fn observe(
        &mut self,
        rollouts: &[RolloutSeen],
        checks: &[Seen],
        is_new: &dyn Fn(&WorkloadId, &str) -> Option<bool>,
        now: i64,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        for r in rollouts {
            self.track(r, checks, now, &mut changes);
        }
        for f in &mut self.followed {
            Self::judge(&self.rules, f, checks, is_new, now, &mut changes);
        }
        // Done with: soaked with nothing open, or superseded with nothing
        // open (a regression still open is followed until it clears, for
        // at most OPEN_FOR after it was superseded).
        self.followed.retain(|f| {
            let done = if let Some(s) = f.superseded {
                f.open.is_empty() || now >= s + f.soak.max(OPEN_FOR)
            } else {
                f.soaked(now) && f.open.is_empty()
            };
            if done && f.superseded.is_none() {
                changes.push(Change::Passed {
                    id: f.id.clone(),
                    revision: f.revision.clone(),
                });
            }
            !done
        });
        if self.followed.len() > MAX_FOLLOWED {
            let extra = self.followed.len() - MAX_FOLLOWED;
            self.followed.drain(..extra);
        }
        changes
    }

    /// Starts following a rollout when its revision changes (or, on first
    /// sight, when it is rolling or completed within its soak); notes its
    /// completion.
    fn track(&mut self, r: &RolloutSeen, checks: &[Seen], now: i64, changes: &mut Vec<Change>) {
        let last = self.revisions.insert(r.id.clone(), r.revision.clone());
        let soak = self.rules.soak_of(&r.id.name);
        let start = match &last {
            Some(prev) if *prev == r.revision => None,
            // A new revision, seen as it came: it started now (a rollback
            // to an old ReplicaSet keeps that ReplicaSet's creation time).
            Some(prev) => Some((now, Some(prev.clone()))),
            None => {
                let started = r.started.filter(|s| *s <= now).unwrap_or(now);
                match (r.stage, r.completed.filter(|c| *c <= now)) {
                    (Stage::Rolling | Stage::Held, _) => Some((started, None)),
                    // Completed within its soak: followed for the rest of
                    // it. A ReplicaSet made long before it completed was
                    // reused (a rollback): the rollout began after it was
                    // made, at most at its completion.
                    (Stage::Complete, Some(done)) if now - done < soak => {
                        let started = if done - started < REUSED {
                            started
                        } else {
                            done
                        };
                        Some((started, None))
                    }
                    _ => None,
                }
            }
        };
        if let Some((started, previous)) = start {
            let completed = if last.is_none() && r.stage == Stage::Complete {
                r.completed
            } else {
                None
            };
            for f in &mut self.followed {
                if f.id == r.id && f.superseded.is_none() {
                    f.superseded = Some(now);
                }
            }
            let baselines = checks
                .iter()
                .map(|c| (c.check.clone(), self.baseline(c, started, now)))
                .collect();
            self.followed.push(Followed {
                id: r.id.clone(),
                revision: r.revision.clone(),
                previous,
                started,
                since: now,
                completed,
                superseded: None,
                soak,
                baselines,
                open: BTreeMap::new(),
                found: 0,
            });
            changes.push(Change::Following {
                id: r.id.clone(),
                revision: r.revision.clone(),
            });
        }
        if let Some(f) = self
            .followed
            .iter_mut()
            .rev()
            .find(|f| f.id == r.id && f.superseded.is_none())
        {
            match r.stage {
                Stage::Complete if f.completed.is_none() => f.completed = Some(now),
                Stage::Rolling => f.completed = None,
                _ => {}
            }
        }
    }

    /// Judges each check against a followed rollout's baselines.
    fn judge(
        rules: &Rules,
        f: &mut Followed,
        checks: &[Seen],
        is_new: &dyn Fn(&WorkloadId, &str) -> Option<bool>,
        now: i64,
        changes: &mut Vec<Change>,
    ) {
        let watching = !f.soaked(now) || !f.open.is_empty();
        if !watching {
            return;
        }
        for seen in checks {
            let base = match f.baselines.get(&seen.check) {
                Some(b) if b.status != Status::Unknown || b.value.is_some() => b.clone(),
                _ => {
                    // Not known when following began: a signal's values
                    // from before the rollout (its history may arrive
                    // after the rollout is seen), else the first known
                    // state within the grace period, is the baseline.
                    if let Some(rule) = rules.signal(&seen.check)
                        && let Some(v) =
                            median_between(&seen.history, f.started - BASELINE_WINDOW, f.started)
                    {
                        f.baselines.insert(
                            seen.check.clone(),
                            Baseline {
                                status: rule.status_of(v),
                                value: Some(v),
                                text: rule.show(v),
                            },
                        );
                    } else if seen.status != Status::Unknown && now - f.started <= BASELINE_GRACE {
                        f.baselines.insert(
                            seen.check.clone(),
                            Baseline {
                                status: seen.status,
                                value: seen.value,
                                text: seen.text.clone(),
                            },
                        );
                    }
                    continue;
                }
            };
            let rule = rules.signal(&seen.check);
            // The split compares pods of this rollout's revision: only
            // while it is the workload's current one.
            let split = match (rule, f.superseded) {
                (Some(rule), None) if rule.per_revision.is_some() => {
                    split(&seen.by_pod, |pod| is_new(&f.id, pod))
                }
                _ => None,
            };
            let found = regression(rule, &base, seen, split);
            match (found, f.open.contains_key(&seen.check)) {
                (Some((why, split_text)), false) => {
                    // New regressions only while the rollout is watched.
                    if f.soaked(now) {
                        continue;
                    }
                    let regression = Regression {
                        check: seen.check.clone(),
                        why,
                        value: seen.text.clone(),
                        baseline: base.text.clone(),
                        split: split_text,
                        at: now,
                    };
                    f.found += 1;
                    f.open.insert(seen.check.clone(), regression.clone());
                    changes.push(Change::Regressed {
                        id: f.id.clone(),
                        revision: f.revision.clone(),
                        started: f.started,
                        regression,
                    });
                }
                (Some((why, split_text)), true) => {
                    if let Some(open) = f.open.get_mut(&seen.check) {
                        open.value = seen.text.clone();
                        open.why = why;
                        open.split = split_text;
                    }
                }
                (None, true) => {
                    // Unknown says nothing: it is not a recovery.
                    if seen.status == Status::Unknown {
                        continue;
                    }
                    f.open.remove(&seen.check);
                    changes.push(Change::Cleared {
                        id: f.id.clone(),
                        revision: f.revision.clone(),
                        check: seen.check.clone(),
                        value: seen.text.clone(),
                    });
                }
                (None, false) => {}
            }
        }
    }
}

/// The mean of the new revision's pods and of the old ones', with how
/// many of each, when both have values.
fn split(
    by_pod: &[(String, f64)],
    is_new: impl Fn(&str) -> Option<bool>,
) -> Option<[(f64, usize); 2]> {
    let mut sums = [(0.0, 0usize); 2];
    for (pod, v) in by_pod {
        if !v.is_finite() {
            continue;
        }
        let Some(new) = is_new(pod) else { continue };
        let s = &mut sums[usize::from(!new)];
        s.0 += v;
        s.1 += 1;
    }
    let [new, old] = sums;
    (new.1 > 0 && old.1 > 0).then(|| [(new.0 / new.1 as f64, new.1), (old.0 / old.1 as f64, old.1)])
}

/// Whether `seen` is a regression against `base`: why, and the split as
/// text when there is one.
fn regression(
    rule: Option<&SignalRule>,
    base: &Baseline,
    seen: &Seen,
    split: Option<[(f64, usize); 2]>,
) -> Option<(String, Option<String>)> {
    let split_text = match (rule, split) {
        (Some(rule), Some([(new, n), (old, o)])) => Some(format!(
            "new pods {} vs old {} ({n} new, {o} old)",
            rule.show(new),
            rule.show(old)
        )),
        _ => None,
    };
    if matches!(base.status, Status::Ok | Status::Warn) && seen.status == Status::Fail {
        return Some((
            format!("went from {} to fail", word(base.status)),
            split_text,
        ));
    }
    let rule = rule?;
    if let (Some(factor), Some(v), Some(b)) = (rule.worse, seen.value, base.value)
        && rule.worse_than(v, b, factor)
    {
        let why = if b == 0.0 {
            format!("up from {}", rule.show(b))
        } else if rule.high_is_bad() {
            format!("{}× its baseline", crate::runbook::units::sig(v / b, 2))
        } else {
            format!(
                "1/{} of its baseline",
                crate::runbook::units::sig(b / v.max(f64::MIN_POSITIVE), 2)
            )
        };
        return Some((why, split_text));
    }
    if let Some([(new, _), (old, _)]) = split
        && rule.worse_than(new, old, rule.worse.unwrap_or(SPLIT_FACTOR))
    {
        let text = split_text.clone().unwrap_or_default();
        return Some((
            format!("the new revision's pods are worse: {text}"),
            split_text,
        ));
    }
    None
}

/// "1m30s": how long, as the banner and the journal say it.
pub fn ago(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 if s % 60 == 0 => format!("{}m", s / 60),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ if s % 3600 == 0 => format!("{}h", s / 3600),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

/// A probe's or the alerts' outcome as a regression shows it: the value,
/// and why it is not ok.
pub fn shown(o: &crate::checks::Outcome) -> String {
    match (&o.detail, o.status) {
        (Some(d), Status::Warn | Status::Fail) if *d != o.value => format!("{} ({d})", o.value),
        _ => o.value.clone(),
    }
}

/// A signal's value as a regression shows it: the number alone (not
/// "worst of N"), else what the reading says instead.
pub fn value_text(value: Option<f64>, unit: Option<Unit>, shown: &str) -> String {
    match value {
        Some(v) if v.is_finite() => format(v, unit),
        _ => shown.to_string(),
    }
}

/// `signal:error-rate` as a sentence says it: "signal error-rate".
pub fn check_words(check: &str) -> String {
    check.replacen(':', " ", 1)
}

/// The journal's subject of a rollout (`deployment/api@7`), or of one of
/// its checks (`deployment/api@7 signal:error-rate`).
pub fn subject(id: &WorkloadId, revision: &str, check: &str) -> String {
    let rollout = format!("{}/{}@{revision}", id.kind.resource(), id.name);
    if check.is_empty() {
        rollout
    } else {
        format!("{rollout} {check}")
    }
}

/// What the journal says when a rollout is followed: its baselines.
pub fn following_text(f: &Followed) -> String {
    let (known, unknown): (Vec<_>, Vec<_>) = f
        .baselines
        .iter()
        .partition(|(_, b)| b.status != Status::Unknown);
    let known: Vec<String> = known
        .iter()
        .map(|(check, b)| format!("{} {}", check_words(check), b.text))
        .collect();
    let unknown = match unknown.len() {
        0 => String::new(),
        1 => "; 1 check not known yet".into(),
        n => format!("; {n} checks not known yet"),
    };
    format!(
        "following the rollout of {} (soak {}); baseline: {}{unknown}",
        f.title(),
        ago(f.soak),
        if known.is_empty() {
            "none known".to_string()
        } else {
            known.join(", ")
        }
    )
}

/// What the journal says of a regression.
pub fn regressed_text(f: &Followed, r: &Regression) -> String {
    let split = r
        .split
        .as_ref()
        .filter(|_| !r.why.contains("new pods"))
        .map(|s| format!("; {s}"))
        .unwrap_or_default();
    format!(
        "regression of {}: {} {} (baseline {}), {}{split}, {} after the rollout began",
        f.title(),
        check_words(&r.check),
        r.value,
        r.baseline,
        r.why,
        ago(r.at - f.started)
    )
}

/// What the journal says when a regression clears.
pub fn cleared_text(id: &WorkloadId, revision: &str, check: &str, value: &str) -> String {
    format!(
        "regression of {}/{} revision {revision} cleared: {} {value}",
        id.kind.resource(),
        id.name,
        check_words(check)
    )
}

/// What the journal says when a rollout passed its soak.
pub fn passed_text(id: &WorkloadId, revision: &str) -> String {
    format!(
        "rollout of {}/{} revision {revision} passed its soak with no regression open",
        id.kind.resource(),
        id.name
    )
}

#[cfg(test)]
#[path = "regress_tests.rs"]
mod tests;
