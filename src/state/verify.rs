//! Checklist items that verify themselves: an item with a check is
//! journaled verified (`Entry::Verify`, with its evidence) the moment every
//! check it names passes, and regressed (`Entry::Regress`, with the
//! failing checks and their values) when its check fails after it was
//! done. Each is decided from the journal's fold, so a restart or a second
//! dashboard that has read the entry writes nothing again; an entry on its
//! way to the journal counts as written.

use std::collections::{HashMap, HashSet};

use super::checklist::{ChecklistRow, ItemState, run_of};
use super::{AppState, Effect, actions};
use crate::checks::{Kind, Outcome, evaluate, worst};
use crate::journal::{Entry, Evidence};
use crate::status::Status;

/// How long an automatic entry sent to the journal counts as written
/// before it is read back (a failed write is tried again after this).
pub const SENT_FOR: i64 = 30;

/// What the dashboard wrote to the journal on its own and has not read
/// back yet, and what it has seen since it started.
#[derive(Debug, Clone)]
pub struct Auto {
    /// By key (`item:ID` or an event's key): what was written, and when.
    sent: HashMap<String, (String, i64)>,
    /// Checks whose state has been known (not unknown) since start: only
    /// these journal a change to unknown.
    pub(super) known: HashSet<String>,
    /// The journal of the current environment has been read whole:
    /// nothing is journaled on its own before (after a switch, until its
    /// reader says `Msg::JournalRead`; at start it is read before the
    /// first message).
    pub ready: bool,
    /// The cluster's generation and changes, the journal's records and
    /// the SENT_FOR period when the cluster's events were last looked for.
    pub(super) cluster_seen: Option<(u64, u64, u64, i64)>,
}

impl Default for Auto {
    fn default() -> Auto {
        Auto {
            sent: HashMap::new(),
            known: HashSet::new(),
            ready: true,
            cluster_seen: None,
        }
    }
}

impl Auto {
    /// Whether `what` was written under `key` in the last `SENT_FOR` s.
    pub(super) fn was_sent(&self, key: &str, what: &str, now: i64) -> bool {
        self.sent
            .get(key)
            .is_some_and(|(w, at)| w == what && now - at < SENT_FOR)
    }

    /// What was written under `key` in the last `SENT_FOR` s.
    pub(super) fn sent(&self, key: &str, now: i64) -> Option<&str> {
        self.sent
            .get(key)
            .filter(|(_, at)| now - at < SENT_FOR)
            .map(|(w, _)| w.as_str())
    }

    /// The rest of each key under `prefix` whose last word sent (in the
    /// last `SENT_FOR` s) was `what`.
    pub(super) fn sent_under(&self, prefix: &str, what: &str, now: i64) -> Vec<String> {
        self.sent
            .iter()
            .filter(|(k, (w, at))| k.starts_with(prefix) && w == what && now - at < SENT_FOR)
            .map(|(k, _)| k[prefix.len()..].to_string())
            .collect()
    }

    pub(super) fn note_sent(&mut self, key: String, what: &str, now: i64) {
        self.sent.retain(|_, (_, at)| now - *at < SENT_FOR);
        self.sent.insert(key, (what.to_string(), now));
    }
}

/// What an item's check says to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Verify,
    Regress,
}

impl Decision {
    fn word(self) -> &'static str {
        match self {
            Decision::Verify => "verify",
            Decision::Regress => "regress",
        }
    }
}

/// Verified when nothing was said of it in this run, or it regressed and
/// passes again; regressed when done with a passing check (verified, or
/// ticked with no override) and its check fails. Someone's untick, skip
/// or override stands: the check does not overrule a person.
fn decide(state: Option<&ItemState>, status: Status) -> Option<Decision> {
    let passes = matches!(status, Status::Ok | Status::Warn);
    match state {
        None if passes => Some(Decision::Verify),
        Some(ItemState::Done {
            reason: None,
            stale: false,
            regressed,
            ..
        }) => match (regressed, passes, status) {
            (Some(_), true, _) => Some(Decision::Verify),
            (None, _, Status::Fail) => Some(Decision::Regress),
            _ => None,
        },
        _ => None,
    }
}

/// What a message may have changed that the dashboard journals on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Watch {
    Nothing,
    /// A probe's or signal's reading, or the journal: items' checks.
    Checks,
    /// The clock tick: the cluster's events (once a second) and items.
    Cluster,
    /// The alerts were read: alert events, and items.
    Alerts,
}

impl Watch {
    pub(super) fn of(msg: &super::Msg) -> Watch {
        use super::{Msg, signals::SignalMsg};
        match msg {
            Msg::Tick(..) => Watch::Cluster,
            Msg::Signal(_, SignalMsg::Alerts { .. }) => Watch::Alerts,
            Msg::Probe(..)
            | Msg::Signal(..)
            | Msg::Journal(_)
            | Msg::JournalMore(_)
            | Msg::JournalRead => Watch::Checks,
            _ => Watch::Nothing,
        }
    }
}

impl AppState {
    /// Journals what a message brought news of (see `Watch`).
    pub(super) fn watch(&mut self, watch: Watch) {
        match watch {
            Watch::Nothing => return,
            Watch::Cluster => self.watch_cluster_events(),
            Watch::Alerts => self.watch_alerts(),
            Watch::Checks => {}
        }
        self.watch_rollouts();
        self.verify_items();
    }

    /// A check's outcomes as the journal keeps them: each check's status
    /// and value (a probe's every condition with its resolved value).
    pub(super) fn evidence_of(&self, outcomes: &[Outcome]) -> Vec<Evidence> {
        outcomes
            .iter()
            .map(|o| Evidence {
                kind: o.kind.word().into(),
                name: o.name.clone(),
                status: crate::checks::report::status_word(o.status).into(),
                value: o.value.clone(),
                detail: o.detail.clone(),
                conditions: match o.kind {
                    Kind::Probe => self
                        .health
                        .get(&o.name)
                        .and_then(|h| h.last.as_ref())
                        .map(|r| super::health::conditions(&r.verdict))
                        .unwrap_or_default(),
                    _ => Vec::new(),
                },
            })
            .collect()
    }

    /// Journals each item whose check verifies it or that regressed.
    pub(super) fn verify_items(&mut self) {
        if !self.auto_ready() || self.checklist.is_empty() {
            return;
        }
        let mut entries = Vec::new();
        {
            let sources = self.sources();
            for row in &self.checklist {
                let ChecklistRow::Item {
                    id,
                    text,
                    check: Some(check),
                    period,
                    ..
                } = row
                else {
                    continue;
                };
                let outcomes = evaluate(&check.names, &sources, &self.cluster.wanted);
                if outcomes.is_empty() {
                    continue;
                }
                let Some(decision) = decide(self.items.get(id), worst(&outcomes)) else {
                    continue;
                };
                let key = format!("item:{id}");
                if self.auto.was_sent(&key, decision.word(), self.now) {
                    continue;
                }
                entries.push((key, decision, id, text, run_of(*period, self.now), outcomes));
            }
        }
        let now = self.now;
        let mut made = Vec::new();
        for (key, decision, id, text, run, outcomes) in entries {
            let evidence = self.evidence_of(&outcomes);
            let (item, text) = (id.clone(), text.clone());
            let entry = match decision {
                Decision::Verify => Entry::Verify {
                    item,
                    text,
                    run,
                    evidence,
                },
                Decision::Regress => Entry::Regress {
                    item,
                    text,
                    run,
                    evidence: evidence
                        .into_iter()
                        .filter(|e| e.status == "fail")
                        .collect(),
                },
            };
            made.push((key, decision, entry));
        }
        for (key, decision, entry) in made {
            self.auto.note_sent(key, decision.word(), now);
            self.effects
                .push(Effect::Act(actions::Request::Record(entry)));
        }
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
