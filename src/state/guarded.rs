//! Guarded rollouts in the dashboard: the runbook's workloads' rollouts
//! are followed (`checks::regress`), fed the probes, signals and alerts as
//! they arrive; what it finds is journaled as `regression` events (the
//! baseline when a rollout is followed, each regression and its clearing,
//! the soak passed), which the Timeline and the report show. The banner
//! and the Rollouts row's mark read `AppState::guard`; nothing is rolled
//! back on its own: `U` opens the rollback dialog.

use std::collections::HashMap;

use super::AppState;
use crate::checks::evaluate;
use crate::checks::regress::{
    Change, RolloutSeen, Seen, Stage, cleared_text, following_text, passed_text, regressed_text,
};
use crate::journal::EventKind;
use crate::kube::cluster::{ClusterState, RevisionsOf, WorkloadId};
use crate::runbook::check_ref::{CheckRef, Target as All};

impl AppState {
    /// `U`: the rollback dialog of the workload whose rollout caused the
    /// newest open regression, the revision before it chosen, the
    /// regression shown. Dry run and confirmation follow as for every
    /// rollback; nothing rolls back on its own.
    pub(super) fn undo_regression(&mut self) {
        let Some((f, r)) = self.guard.open().max_by_key(|(_, r)| r.at) else {
            self.notice = Some(
                "no regression open: U rolls back a rollout that caused one (the red banner says when)"
                    .into(),
            );
            return;
        };
        if let Some(now) = self
            .guard
            .current(&f.id)
            .filter(|c| c.revision != f.revision)
        {
            self.notice = Some(format!(
                "{} has been followed by revision {} already: its regression clears when {} recovers",
                f.title(),
                now.revision,
                crate::checks::regress::check_words(&r.check)
            ));
            return;
        }
        let prefer = f.previous.as_deref().and_then(|p| match f.id.kind {
            crate::kinds::WorkloadKind::Deployment => p.parse::<i64>().ok(),
            crate::kinds::WorkloadKind::StatefulSet => self
                .cluster
                .controller_revisions
                .get(p)
                .map(|cr| cr.revision),
            _ => None,
        });
        let because = format!(
            "regression of {}: {} {} (baseline {}), {}",
            f.title(),
            crate::checks::regress::check_words(&r.check),
            r.value,
            r.baseline,
            r.why
        );
        let key = (f.id.kind, self.cluster.qualify(&f.id.name));
        self.open_action_for(crate::action::Action::Rollback, Some(key));
        if let Some(super::actions::Dialog::Loading {
            prefer: p,
            because: b,
            ..
        }) = self.dialog_mut()
        {
            *p = prefer;
            *b = Some(because);
        }
    }

    /// The checks as the guard sees them: every probe, signal (with its
    /// recent values and per-pod values) and the alerts.
    fn guard_checks(&self) -> Vec<Seen> {
        let Some(runbook) = &self.runbook else {
            return Vec::new();
        };
        let sources = self.sources();
        let mut seen: Vec<Seen> = evaluate(&CheckRef::Probe(All::All), &sources, &[])
            .into_iter()
            .chain(evaluate(&CheckRef::Alerts(None), &sources, &[]))
            .map(|o| Seen::of_outcome(&o))
            .collect();
        for view in &sources.signals {
            let state = self.signals.signals.get(&view.name);
            let reading = state.and_then(|s| s.reading.as_ref());
            let unit = runbook
                .signals()
                .find(|s| *s.name.get_ref() == view.name)
                .and_then(|s| s.unit);
            seen.push(Seen {
                check: format!("signal:{}", view.name),
                status: view.status,
                value: reading.and_then(|r| r.value),
                text: crate::checks::regress::value_text(
                    reading.and_then(|r| r.value),
                    unit,
                    &view.value,
                ),
                history: state
                    .map(|s| s.tracker.history.iter().copied().collect())
                    .unwrap_or_default(),
                by_pod: reading.map(|r| r.by_pod.clone()).unwrap_or_default(),
            });
        }
        // Signals that have not answered yet are unknown.
        for s in runbook.signals() {
            let check = format!("signal:{}", s.name.get_ref());
            if !seen.iter().any(|c| c.check == check) {
                seen.push(Seen {
                    check,
                    status: crate::status::Status::Unknown,
                    value: None,
                    text: "not read yet".into(),
                    history: Vec::new(),
                    by_pod: Vec::new(),
                });
            }
        }
        seen
    }

    /// Feeds the guard what is seen now, and journals what it found.
    pub(super) fn watch_rollouts(&mut self) {
        let has_checks = self
            .runbook
            .as_ref()
            .is_some_and(|r| r.probes().next().is_some() || r.signals().next().is_some());
        if !self.auto_ready() || self.cluster.wanted.is_empty() || !has_checks {
            return;
        }
        // While the API server is silent no rollout is taken as started or
        // completed, and those followed are still judged.
        let live = self.sources().cluster.is_some();
        let namespace = self.namespace();
        let mut rollouts = Vec::new();
        let mut revisions: HashMap<WorkloadId, RevisionsOf> = HashMap::new();
        for (kind, name) in self.cluster.wanted.iter().filter(|_| live) {
            let Some(w) = self.cluster.workload(*kind, name) else {
                continue;
            };
            let Some(revision) = ClusterState::revision_key(w) else {
                continue;
            };
            let id = WorkloadId::new(*kind, &namespace, name);
            if let Some(r) = self.cluster.revisions_of(w) {
                revisions.insert(id.clone(), r);
            }
            rollouts.push(RolloutSeen {
                id,
                revision,
                stage: Stage::of(&self.cluster.rollout(w)),
                started: self.cluster.revision_made(w),
                completed: ClusterState::completed_at(w),
            });
        }
        if rollouts.is_empty() && self.guard.followed.is_empty() {
            return;
        }
        let checks = self.guard_checks();
        let pods = &self.cluster.pods;
        let is_new = |id: &WorkloadId, pod: &str| -> Option<bool> {
            revisions.get(id)?.is_new(pods.get(pod)?)
        };
        let changes = self.guard.observe(&rollouts, &checks, &is_new, self.now);
        for change in changes {
            self.journal_guard(change);
        }
    }

    fn journal_guard(&mut self, change: Change) {
        let find = |guard: &crate::checks::regress::Guard, id: &WorkloadId, revision: &str| {
            guard
                .followed
                .iter()
                .find(|f| &f.id == id && f.revision == revision)
                .cloned()
        };
        match change {
            Change::Following { id, revision } => {
                let Some(f) = find(&self.guard, &id, &revision) else {
                    return;
                };
                let subject = format!("{} baseline", f.subject(""));
                self.event_changed(EventKind::Regression, subject, "info", following_text(&f));
            }
            Change::Regressed {
                id,
                revision,
                regression,
                ..
            } => {
                let Some(f) = find(&self.guard, &id, &revision) else {
                    return;
                };
                let text = regressed_text(&f, &regression);
                self.event_changed(
                    EventKind::Regression,
                    f.subject(&regression.check),
                    "fail",
                    text,
                );
            }
            Change::Cleared {
                id,
                revision,
                check,
                value,
            } => {
                let subject = crate::checks::regress::subject(&id, &revision, &check);
                let text = cleared_text(&id, &revision, &check, &value);
                self.event_changed(EventKind::Regression, subject, "ok", text);
            }
            Change::Passed { id, revision } => {
                let subject = crate::checks::regress::subject(&id, &revision, "");
                let text = passed_text(&id, &revision);
                self.event_changed(EventKind::Regression, subject, "info", text);
            }
        }
    }
}

#[cfg(test)]
#[path = "guarded_tests.rs"]
mod tests;
