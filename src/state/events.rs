//! What happened to the service, journaled as `Entry::Event` once per
//! occurrence: a rollout that failed (its progress deadline passed) and its
//! recovery, a pod's first crash loop, an alert that started firing and
//! its resolution, a fault injected in the demo. Like a check's change,
//! each is compared with the journal's fold (and with what this dashboard
//! sent and has not read back yet), so a restart or a second dashboard on
//! the same journal does not write it again.

use std::collections::{BTreeMap, BTreeSet};

use super::{AppState, Effect, actions, faults::Fault};
use crate::journal::{Entry, EventKind};
use crate::kube::rollout::Rollout;
use crate::runbook::check_ref::CheckRef;

/// The key of an event's subject in the journal's fold.
pub fn key(event: EventKind, subject: &str) -> String {
    format!("{}|{subject}", event.word())
}

/// An alert's identity: its name and its other labels, sorted.
fn alert_subject(name: &str, labels: &std::collections::BTreeMap<String, String>) -> String {
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "alertname")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if rest.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{}}}", rest.join(","))
    }
}

impl AppState {
    /// The last status journaled (or sent) for an event's subject.
    fn event_status(&self, k: &str) -> Option<String> {
        self.auto
            .sent(k, self.now)
            .map(String::from)
            .or_else(|| self.journal.event_statuses().get(k).cloned())
    }

    /// Journals an event unless its subject's last status is the same.
    pub(super) fn event_changed(
        &mut self,
        event: EventKind,
        subject: String,
        status: &str,
        text: String,
    ) {
        let k = key(event, &subject);
        let last = self.event_status(&k);
        if last.as_deref() == Some(status) {
            return;
        }
        // A recovery is news only after a journaled failure.
        if status == "ok" && last.as_deref() != Some("fail") {
            return;
        }
        self.auto.note_sent(k, status, self.now);
        self.effects
            .push(Effect::Act(actions::Request::Record(Entry::Event {
                event,
                subject,
                status: status.to_string(),
                text,
            })));
    }

    /// Rollouts that failed or recovered, and pods that went into a crash
    /// loop (the first time for each pod). On the clock tick, once the
    /// cluster is listed and live.
    pub(super) fn watch_cluster_events(&mut self) {
        if !self.auto_ready() || self.sources().cluster.is_none() {
            return;
        }
        // Nothing to find again while neither the cluster nor the journal
        // changed (a namespace of 100,000 pods is not scanned every second);
        // every SENT_FOR seconds regardless, as what was sent and not read
        // back ages (a write that failed is tried again).
        let seen = (
            self.cluster.generation,
            self.cluster.changes,
            self.journal.records(),
            self.now.div_euclid(super::verify::SENT_FOR),
        );
        if self.auto.cluster_seen == Some(seen) {
            return;
        }
        self.auto.cluster_seen = Some(seen);
        let mut found = Vec::new();
        for d in self.cluster.workloads.values() {
            let subject = format!("{}/{}", d.kind.resource(), d.name);
            match crate::kube::rollout::status(d) {
                Rollout::Failed(why) => found.push((
                    EventKind::Rollout,
                    subject.clone(),
                    "fail",
                    format!("rollout of {subject} failed: {why}"),
                )),
                other => found.push((
                    EventKind::Rollout,
                    subject.clone(),
                    "ok",
                    format!("rollout of {subject} recovered: {}", other.word()),
                )),
            }
        }
        for pod in self.cluster.pods.values() {
            if pod.status != "CrashLoopBackOff" {
                continue;
            }
            let last = pod
                .last_termination
                .as_ref()
                .map(|t| format!(", last: {t}"))
                .unwrap_or_default();
            found.push((
                EventKind::CrashLoop,
                format!("pod/{}", pod.name),
                "fail",
                format!(
                    "pod/{} in CrashLoopBackOff ({} restarts{last})",
                    pod.name, pod.restarts
                ),
            ));
        }
        for (event, subject, status, text) in found {
            // A crash loop is journaled once per pod, whatever follows.
            if event == EventKind::CrashLoop && self.event_status(&key(event, &subject)).is_some() {
                continue;
            }
            self.event_changed(event, subject, status, text);
        }
    }

    /// Alerts that started firing or resolved, from the list the Signals
    /// pane polls; and each `alerts` check the checklist names, journaled
    /// as a check when its state changes (for the report).
    pub(super) fn watch_alerts(&mut self) {
        if !self.auto_ready() {
            return;
        }
        let (firing, checks) = {
            let sources = self.sources();
            let Ok(alerts) = &sources.alerts else {
                return;
            };
            let firing: Vec<(String, String)> = alerts
                .iter()
                .filter(|a| a.firing)
                .map(|a| {
                    let summary = a
                        .summary
                        .as_ref()
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default();
                    let severity = a
                        .labels
                        .get("severity")
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default();
                    (
                        alert_subject(&a.name, &a.labels),
                        format!("alert {} firing{severity}{summary}", a.name),
                    )
                })
                .collect();
            // Each alerts check once, in the order of its text.
            let named: BTreeMap<&str, &CheckRef> = self
                .checklist
                .iter()
                .filter_map(|r| match r {
                    super::checklist::ChecklistRow::Item { check: Some(c), .. } => {
                        Some((c.text.as_str(), &c.names))
                    }
                    _ => None,
                })
                .collect();
            let checks: Vec<(String, crate::status::Status, String)> = named
                .into_values()
                .filter(|r| matches!(r, CheckRef::Alerts(_)))
                .flat_map(|r| crate::checks::evaluate(r, &sources, &self.cluster.wanted))
                .map(|o| {
                    let why = o.detail.map(|d| format!(" ({d})")).unwrap_or_default();
                    let text = format!("{}: {}{why}", o.name, o.value);
                    (o.name, o.status, text)
                })
                .collect();
            (firing, checks)
        };
        let prefix = key(EventKind::Alert, "");
        let mut journaled: BTreeSet<String> = self
            .journal
            .event_statuses()
            .iter()
            .filter(|(k, s)| k.starts_with(&prefix) && s.as_str() == "fail")
            .map(|(k, _)| k[prefix.len()..].to_string())
            .collect();
        journaled.extend(self.auto.sent_under(&prefix, "fail", self.now));
        for (subject, _) in &firing {
            journaled.remove(subject);
        }
        for (subject, text) in firing {
            self.event_changed(EventKind::Alert, subject, "fail", text);
        }
        for subject in journaled {
            let text = format!("alert {subject} resolved");
            self.event_changed(EventKind::Alert, subject, "ok", text);
        }
        for (check, status, text) in checks {
            self.check_changed(check, status, text);
        }
    }

    /// A fault injected in the demo (or not): said on screen, and once
    /// injected, journaled.
    pub(super) fn injected(&mut self, fault: Fault, result: Result<String, String>) {
        match result {
            Ok(done) => {
                self.notice = Some(format!(
                    "injected: {} ({done}); F again for more, \"clear\" to undo",
                    fault.label
                ));
                let params: Vec<String> = fault
                    .params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let subject = if params.is_empty() {
                    fault.name.to_string()
                } else {
                    format!("{} {}", fault.name, params.join(" "))
                };
                self.effects
                    .push(Effect::Act(actions::Request::Record(Entry::Event {
                        event: EventKind::Fault,
                        subject,
                        status: "info".into(),
                        text: format!("fault injected in the demo: {} ({done})", fault.label),
                    })));
            }
            Err(e) => self.notice = Some(format!("could not inject {}: {e}", fault.label)),
        }
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
