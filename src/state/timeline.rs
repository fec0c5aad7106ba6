//! The Timeline: the journal, newest first, one line per action (its last
//! step), derived when the journal is read.

use std::collections::{BTreeMap, HashMap};

use crate::journal::{Entry, Record, Step};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    /// The journal entry's kind: action, tick, skip, note, milestone, check
    /// (a check that changed state).
    pub kind: &'static str,
    /// When it happened, RFC 3339 (UTC), for ordering.
    pub at: String,
    /// HH:MM:SS, UTC.
    pub time: String,
    /// The journal record's key, for starring.
    pub key: Option<String>,
    /// The journal entry's id (a shared journal marks those not yet in
    /// the cluster).
    pub id: String,
    pub starred: bool,
    pub user: String,
    pub text: String,
    /// None: under way (not yet executed); Some(ok) once it has an outcome
    /// or its dry run was refused.
    pub ok: Option<bool>,
}

/// Rows from journal records, newest first (a backdated note or milestone
/// sorts at the time it happened): one row per action (its last step),
/// tick, untick, skip, note, milestone and check change.
pub fn rows(records: &[Record]) -> Vec<TimelineRow> {
    let mut window = Window::new(usize::MAX);
    for r in records {
        window.add(r);
    }
    window.rows()
}

/// The newest rows of a journal, kept as its records arrive: at most
/// `cap` rows (one per action, at its last step), and the stars.
#[derive(Debug, Clone, Default)]
pub struct Window {
    cap: usize,
    /// Records seen, for ordering.
    seen: u64,
    /// Rows by arrival, each with its action's id and its note's own star.
    rows: BTreeMap<u64, (TimelineRow, Option<String>, bool)>,
    /// Each action's row, by the action's id.
    actions: HashMap<String, u64>,
    /// Stars, folded: the last word on each key counts.
    stars: HashMap<String, bool>,
    /// A runbook workload's rollout failing or recovering is told twice,
    /// by its `rollout:` check and by its event, about the same time: the
    /// first told, by deployment and outcome, with when and by which.
    rollouts: HashMap<(String, bool), (i64, bool)>,
}

/// How far apart a rollout's check and event may be to tell one thing.
const ROLLOUT_TWICE_SECS: i64 = 120;

/// A rollout's failure or recovery a record tells: the deployment, ok,
/// and whether it is the event (else the check).
fn rollout_told(r: &Record) -> Option<(&str, bool, bool)> {
    let (name, status, event) = match &r.entry {
        Entry::Check { check, status, .. } => (check.strip_prefix("rollout:")?, status, false),
        Entry::Event {
            event: crate::journal::EventKind::Rollout,
            subject,
            status,
            ..
        } => (subject.strip_prefix("deployment/")?, status, true),
        _ => return None,
    };
    match status.as_str() {
        "ok" => Some((name, true, event)),
        "fail" => Some((name, false, event)),
        _ => None,
    }
}

impl Window {
    pub fn new(cap: usize) -> Window {
        Window {
            cap,
            ..Window::default()
        }
    }

    pub fn add(&mut self, r: &Record) {
        self.seen += 1;
        let seq = self.seen;
        let (action, note_star) = match &r.entry {
            Entry::Star { key, on } => {
                self.stars.insert(key.clone(), *on);
                return;
            }
            // A refused Kubernetes Event is a row of its own: the
            // action's row keeps its outcome.
            Entry::Action {
                step: crate::journal::Step::KubeEvent,
                ..
            } => (None, false),
            Entry::Action { id, .. } => {
                // An action is one row, at its last step.
                if let Some(before) = self.actions.insert(id.clone(), seq) {
                    self.rows.remove(&before);
                }
                (Some(id.clone()), false)
            }
            Entry::Note { starred, .. } => (None, *starred),
            // An `alerts` check's changes ("1 firing") tell again what the
            // alert events tell by name: the Timeline shows the events (the
            // report, which counts the check, keeps both).
            Entry::Check { check, .. } if check == "alerts" || check.starts_with("alerts:") => {
                return;
            }
            _ if self.told_twice(r) => return,
            _ => (None, false),
        };
        self.rows.insert(seq, (row_of(r), action, note_star));
        while self.rows.len() > self.cap {
            let Some((old, (_, Some(id), _))) = self.rows.pop_first() else {
                continue;
            };
            if self.actions.get(&id) == Some(&old) {
                self.actions.remove(&id);
            }
        }
    }

    /// Whether `r` tells a rollout's failure or recovery that its check or
    /// event (the other one) told just before.
    fn told_twice(&mut self, r: &Record) -> bool {
        let Some((name, ok, event)) = rollout_told(r) else {
            return false;
        };
        let Ok(at) = r.at.parse::<jiff::Timestamp>().map(|t| t.as_second()) else {
            return false;
        };
        let key = (name.to_string(), ok);
        match self.rollouts.get(&key) {
            Some(&(then, by_event))
                if by_event != event && (at - then).abs() <= ROLLOUT_TWICE_SECS =>
            {
                self.rollouts.remove(&key);
                true
            }
            _ => {
                self.rollouts.insert(key, (at, event));
                false
            }
        }
    }

    /// The rows, newest first, with their stars.
    pub fn rows(&self) -> Vec<TimelineRow> {
        let mut chosen: Vec<(&str, u64, &TimelineRow, bool)> = self
            .rows
            .iter()
            .map(|(seq, (row, _, star))| (row.at.as_str(), *seq, row, *star))
            .collect();
        chosen.sort_unstable_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
        chosen
            .into_iter()
            .map(|(_, _, row, note_star)| {
                let mut row = row.clone();
                row.starred = row
                    .key
                    .as_ref()
                    .and_then(|k| self.stars.get(k))
                    .copied()
                    .unwrap_or(note_star);
                row
            })
            .collect()
    }
}

/// When a record's event happened: its backdated time, else when written.
fn when(r: &Record) -> &str {
    match &r.entry {
        Entry::Note {
            happened_at: Some(t),
            ..
        }
        | Entry::Milestone {
            happened_at: Some(t),
            ..
        } => t,
        _ => &r.at,
    }
}

/// A record's row, with its key (its stars are not known from it alone).
pub fn row_of(r: &Record) -> TimelineRow {
    let mut row = row(r);
    row.key = Some(r.key());
    row.id = r.id().into_owned();
    row
}

fn row(r: &Record) -> TimelineRow {
    let at = when(r);
    let time = at.get(11..19).unwrap_or(at).to_string();
    let (kind, text, ok): (&'static str, String, Option<bool>) = match &r.entry {
        Entry::Action {
            step,
            summary,
            ok,
            detail,
            ..
        } => {
            let (text, ok) = match (step, ok) {
                (Step::Outcome, Some(true)) => (summary.clone(), Some(true)),
                (Step::Unanswered, _) => (
                    format!(
                        "{summary}: sent, outcome unknown (no answer in time; reading it back)"
                    ),
                    None,
                ),
                (Step::ReadBack, Some(true)) => (
                    format!("{summary} (the answer was lost; read back: applied)"),
                    Some(true),
                ),
                (Step::ReadBack, _) => (
                    format!(
                        "{summary}: {}",
                        detail
                            .clone()
                            .unwrap_or_else(|| "read back: not applied".into())
                    ),
                    Some(false),
                ),
                (Step::Outcome, _) | (Step::DryRun, Some(false)) => (
                    format!(
                        "{summary}: {}",
                        detail.clone().unwrap_or_else(|| "failed".into())
                    ),
                    Some(false),
                ),
                (Step::KubeEvent, _) => (
                    format!(
                        "{summary}: no Kubernetes Event was left on it ({})",
                        detail.clone().unwrap_or_else(|| "refused".into())
                    ),
                    None,
                ),
                (Step::Confirmed, _) => {
                    (format!("{summary} (confirmed; no outcome recorded)"), None)
                }
                _ => (format!("{summary} (previewed, not confirmed)"), None),
            };
            ("action", text, ok)
        }
        Entry::Tick {
            text, reason: None, ..
        } => ("tick", format!("done: {text}"), Some(true)),
        Entry::Tick {
            text,
            reason: Some(why),
            ..
        } => (
            "tick",
            format!("done despite its check (override): {text} — {why}"),
            None,
        ),
        Entry::Verify { text, evidence, .. } => {
            let by: Vec<String> = evidence
                .iter()
                .map(|e| format!("{} {}", e.kind, e.name))
                .collect();
            let by = if by.is_empty() {
                String::new()
            } else {
                format!(" ({})", by.join(", "))
            };
            (
                "tick",
                format!("verified by its check: {text}{by}"),
                Some(true),
            )
        }
        Entry::Regress { text, evidence, .. } => (
            "tick",
            format!(
                "regressed: {text} — {}",
                crate::journal::regress_why(evidence)
            ),
            Some(false),
        ),
        Entry::Event {
            event,
            status,
            text,
            ..
        } => (
            event.word(),
            text.clone(),
            match status.as_str() {
                "ok" => Some(true),
                "fail" => Some(false),
                _ => None,
            },
        ),
        Entry::Untick { item, .. } => ("tick", format!("not done after all: {item}"), None),
        Entry::Skip { text, reason, .. } => ("skip", format!("skipped: {text} — {reason}"), None),
        Entry::Note { text, item, .. } => {
            let on = item.as_ref().map(|i| format!(" [{i}]")).unwrap_or_default();
            ("note", format!("note{on}: {text}"), None)
        }
        Entry::Milestone { milestone, .. } => {
            ("milestone", format!("incident {}", milestone.word()), None)
        }
        Entry::Check { status, text, .. } => (
            "check",
            text.clone(),
            match status.as_str() {
                "ok" => Some(true),
                "fail" => Some(false),
                _ => None,
            },
        ),
        Entry::Star { key, .. } => ("star", format!("starred {key}"), None),
    };
    TimelineRow {
        kind,
        at: at.to_string(),
        key: None,
        id: String::new(),
        starred: false,
        time,
        user: r.user.clone(),
        text,
        ok,
    }
}

/// The filter that shows only failures.
pub const FAILED: &str = "failed";

/// The kind filter as the title says it, in the words of the filter
/// language: `kind:action`, or `state:failed` for failures only.
pub fn filter_label(filter: &str) -> String {
    match filter {
        FAILED => "state:failed".into(),
        kind => format!("kind:{kind}"),
    }
}

/// Whether a row passes the Timeline's filter (a kind, or `FAILED`).
pub fn passes(row: &TimelineRow, filter: Option<&str>) -> bool {
    match filter {
        None => true,
        Some(FAILED) => row.ok == Some(false),
        Some(kind) => row.kind == kind,
    }
}

/// The filter after `current`: everything, then each kind the rows have (in
/// order of first appearance), then failures only, then everything again.
pub fn next_filter(rows: &[TimelineRow], current: Option<&str>) -> Option<String> {
    let mut cycle: Vec<&str> = Vec::new();
    for row in rows {
        if !cycle.contains(&row.kind) {
            cycle.push(row.kind);
        }
    }
    cycle.push(FAILED);
    match current {
        None => cycle.first().map(|k| k.to_string()),
        Some(now) => {
            let at = cycle.iter().position(|k| *k == now)?;
            cycle.get(at + 1).map(|k| k.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_cycles_through_kinds_then_failures_then_everything() {
        let row = |kind, ok| TimelineRow {
            id: String::new(),
            kind,
            at: String::new(),
            key: None,
            starred: false,
            time: String::new(),
            user: String::new(),
            text: String::new(),
            ok,
        };
        let rows = [
            row("action", Some(true)),
            row("note", None),
            row("action", Some(false)),
        ];
        let mut seen = Vec::new();
        let mut filter: Option<String> = None;
        for _ in 0..4 {
            filter = next_filter(&rows, filter.as_deref());
            let shown = rows.iter().filter(|r| passes(r, filter.as_deref())).count();
            seen.push((filter.clone(), shown));
        }
        assert_eq!(
            seen,
            [
                (Some("action".to_string()), 2),
                (Some("note".to_string()), 1),
                (Some(FAILED.to_string()), 1),
                (None, 3)
            ]
        );
    }

    #[test]
    fn an_alerts_check_change_is_told_by_the_alert_events_alone() {
        let at = |m: u32| format!("2026-11-23T06:{m:02}:00Z");
        let r = |m, entry| Record {
            entry_id: String::new(),
            at: at(m),
            user: "oncall".into(),
            kube_user: None,
            entry,
        };
        let records = [
            r(
                1,
                Entry::Event {
                    event: crate::journal::EventKind::Alert,
                    subject: "HighErrorRate".into(),
                    status: "fail".into(),
                    text: "alert HighErrorRate firing (critical)".into(),
                },
            ),
            r(
                1,
                Entry::Check {
                    check: "alerts".into(),
                    status: "fail".into(),
                    text: "alerts: 1 firing, 0 pending (firing: HighErrorRate)".into(),
                },
            ),
            r(
                2,
                Entry::Check {
                    check: "alerts:severity=critical".into(),
                    status: "fail".into(),
                    text: "alerts:severity=critical: 1 firing".into(),
                },
            ),
            r(
                3,
                Entry::Check {
                    check: "probe:health".into(),
                    status: "fail".into(),
                    text: "probe health: failing (HTTP 503)".into(),
                },
            ),
        ];
        let texts: Vec<String> = rows(&records).into_iter().map(|r| r.text).collect();
        assert_eq!(
            texts,
            [
                "probe health: failing (HTTP 503)",
                "alert HighErrorRate firing (critical)"
            ]
        );
    }

    #[test]
    fn a_runbook_workloads_rollout_failing_and_recovering_is_told_once() {
        let r = |t: &str, entry| Record {
            entry_id: String::new(),
            at: format!("2026-11-23T{t}Z"),
            user: "oncall".into(),
            kube_user: None,
            entry,
        };
        let check = |status: &str, text: &str| Entry::Check {
            check: "rollout:api".into(),
            status: status.into(),
            text: text.into(),
        };
        let event = |subject: &str, status: &str, text: &str| Entry::Event {
            event: crate::journal::EventKind::Rollout,
            subject: subject.into(),
            status: status.into(),
            text: text.into(),
        };
        let records = [
            r(
                "06:00:00",
                event("deployment/api", "fail", "rollout of deployment/api failed"),
            ),
            r("06:00:01", check("fail", "rollout api: failing")),
            // Another deployment's event has no check to repeat.
            r(
                "06:01:00",
                event(
                    "deployment/worker",
                    "fail",
                    "rollout of deployment/worker failed",
                ),
            ),
            r("06:10:00", check("ok", "rollout api: complete")),
            r(
                "06:10:02",
                event(
                    "deployment/api",
                    "ok",
                    "rollout of deployment/api recovered",
                ),
            ),
            // Much later, a new failure is told again.
            r("07:00:00", check("fail", "rollout api: failing again")),
        ];
        let texts: Vec<String> = rows(&records).into_iter().map(|r| r.text).collect();
        assert_eq!(
            texts,
            [
                "rollout api: failing again",
                "rollout api: complete",
                "rollout of deployment/worker failed",
                "rollout of deployment/api failed",
            ]
        );
    }

    fn rec(id: &str, step: Step, ok: Option<bool>, at: &str) -> Record {
        Record {
            entry_id: String::new(),
            at: at.into(),
            user: "oncall".into(),
            kube_user: None,
            entry: Entry::Action {
                id: id.into(),
                step,
                summary: format!("action {id}"),
                request: None,
                ok,
                detail: Some("403 Forbidden".into()),
            },
        }
    }

    #[test]
    fn one_row_per_action_newest_first_with_its_last_step() {
        let records = vec![
            rec("a", Step::Preview, None, "2026-11-23T06:00:00Z"),
            rec("a", Step::DryRun, Some(true), "2026-11-23T06:00:01Z"),
            rec("a", Step::Confirmed, None, "2026-11-23T06:00:02Z"),
            rec("a", Step::Outcome, Some(true), "2026-11-23T06:00:03Z"),
            rec("b", Step::Preview, None, "2026-11-23T06:01:00Z"),
            rec("b", Step::DryRun, Some(false), "2026-11-23T06:01:01Z"),
            rec("c", Step::Preview, None, "2026-11-23T06:02:00Z"),
        ];
        let rows = rows(&records);
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].time.as_str(), rows[0].ok), ("06:02:00", None));
        assert!(rows[0].text.ends_with("(previewed, not confirmed)"));
        assert_eq!(rows[1].text, "action b: 403 Forbidden");
        assert_eq!(rows[1].ok, Some(false));
        assert_eq!(
            (rows[2].text.as_str(), rows[2].ok),
            ("action a", Some(true))
        );
    }
}
