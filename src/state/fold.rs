//! The checklist's fold over the journal, kept as records arrive: each
//! item's last word in each run, not the records themselves. Its states
//! are those of [`fold`] over the same records.

use std::collections::HashMap;

use super::checklist::{ChecklistRow, ItemState, Regression, adopt, run_of};
use crate::journal::{Entry, Record, regress_why};

/// An item's last tick, untick or skip in one run.
#[derive(Debug, Clone)]
enum Last {
    Tick {
        by: String,
        at: String,
        reason: Option<String>,
        text: String,
        /// Verified by its check rather than ticked by someone.
        by_check: bool,
        /// Its check failed since: when, and why.
        regressed: Option<Regression>,
    },
    Untick,
    Skip {
        by: String,
        at: String,
        reason: String,
    },
}

#[derive(Debug, Clone)]
struct RunState {
    /// When the item was first seen in this run (the order of records).
    first: u64,
    /// When its last word was written, and its entry id: a record that
    /// comes later but was written earlier (another engineer's, replicated
    /// late) does not override it; at the same instant the greater id
    /// wins, so every machine folds the union alike.
    written: (i128, String),
    last: Last,
    /// The text of its last tick in this run.
    ticked: Option<String>,
}

/// Each item's last word per run, folded record by record.
#[derive(Debug, Clone, Default)]
pub struct ChecklistFold {
    runs: HashMap<(String, Option<String>), RunState>,
    seen: u64,
}

impl ChecklistFold {
    pub fn add(&mut self, r: &Record) {
        let (item, run, last) = match &r.entry {
            Entry::Tick {
                item,
                run,
                text,
                reason,
                ..
            } => (
                item,
                run,
                Last::Tick {
                    by: r.user.clone(),
                    at: r.at.clone(),
                    reason: reason.clone(),
                    text: text.clone(),
                    by_check: false,
                    regressed: None,
                },
            ),
            Entry::Verify {
                item, run, text, ..
            } => (
                item,
                run,
                Last::Tick {
                    by: r.user.clone(),
                    at: r.at.clone(),
                    reason: None,
                    text: text.clone(),
                    by_check: true,
                    regressed: None,
                },
            ),
            Entry::Regress {
                item,
                run,
                evidence,
                ..
            } => {
                // Only a done item regresses; it stays done.
                if let Some(RunState {
                    last: Last::Tick { regressed, .. },
                    written,
                    ..
                }) = self.runs.get_mut(&(item.clone(), run.clone()))
                    && r.nanos() >= written.0
                {
                    *regressed = Some(Regression {
                        at: r.at.clone(),
                        why: regress_why(evidence),
                    });
                }
                return;
            }
            Entry::Untick { item, run } => (item, run, Last::Untick),
            Entry::Skip {
                item, run, reason, ..
            } => (
                item,
                run,
                Last::Skip {
                    by: r.user.clone(),
                    at: r.at.clone(),
                    reason: reason.clone(),
                },
            ),
            _ => return,
        };
        self.seen += 1;
        let first = self.seen;
        let written = (r.nanos(), r.id().into_owned());
        let state = self
            .runs
            .entry((item.clone(), run.clone()))
            .or_insert(RunState {
                first,
                written: (i128::MIN, String::new()),
                last: Last::Untick,
                ticked: None,
            });
        // The union of several engineers' journals: the last word is the
        // one written last, whatever order the records arrive in. Records
        // whose time does not read (0) keep the order they came in.
        let earlier = written.0 < state.written.0
            || (written.0 == state.written.0 && written.0 != 0 && written.1 < state.written.1);
        if earlier {
            return;
        }
        state.written = written;
        if let Last::Tick { text, .. } = &last {
            state.ticked = Some(text.clone());
        }
        state.last = last;
    }

    /// Each item's state in its current run (as [`fold`]).
    pub fn states(&self, rows: &[ChecklistRow], now: i64) -> HashMap<String, ItemState> {
        let mut states = HashMap::new();
        let mut current: HashMap<&str, ()> = HashMap::new();
        for row in rows {
            let ChecklistRow::Item {
                id, text, period, ..
            } = row
            else {
                continue;
            };
            current.insert(id.as_str(), ());
            let key = (id.clone(), run_of(*period, now));
            if let Some(s) = self.runs.get(&key) {
                states.insert(id.clone(), state_of(&s.last, Some(text)));
            }
        }
        let phase_runs = phase_runs(rows, now);
        let mut orphans: HashMap<&str, (u64, ItemState, &str)> = HashMap::new();
        for ((item, run), s) in &self.runs {
            if current.contains_key(item.as_str()) {
                continue;
            }
            let Some(phase_run) = item
                .split_once('/')
                .and_then(|(phase, _)| phase_runs.get(phase))
            else {
                continue;
            };
            if phase_run != run {
                continue;
            }
            orphans.insert(
                item.as_str(),
                (
                    s.first,
                    state_of(&s.last, None),
                    s.ticked.as_deref().unwrap_or(""),
                ),
            );
        }
        adopt(&mut states, orphans, rows);
        states
    }

    /// How many (item, run) pairs are kept.
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Forgets the runs of recurring phases that ended before `now`'s.
    pub fn prune(&mut self, rows: &[ChecklistRow], now: i64) {
        let phase_runs = phase_runs(rows, now);
        self.runs.retain(|(item, run), _| {
            let (Some(run), Some((phase, _))) = (run, item.split_once('/')) else {
                return true;
            };
            match phase_runs.get(phase) {
                Some(Some(current)) => !(run.len() == current.len() && run < current),
                _ => true,
            }
        });
    }
}

/// Each phase's current run.
fn phase_runs(rows: &[ChecklistRow], now: i64) -> HashMap<&str, Option<String>> {
    rows.iter()
        .filter_map(|r| match r {
            ChecklistRow::Item { phase, period, .. } => {
                Some((phase.as_str(), run_of(*period, now)))
            }
            ChecklistRow::Phase { .. } => None,
        })
        .collect()
}

/// An item's state from its last word; `current` is its text in the
/// runbook (None: an orphan).
fn state_of(last: &Last, current: Option<&String>) -> ItemState {
    match last {
        Last::Tick {
            by,
            at,
            reason,
            text,
            by_check,
            regressed,
        } => ItemState::Done {
            by: by.clone(),
            at: at.clone(),
            reason: reason.clone(),
            stale: current.is_none_or(|c| c != text),
            verified: *by_check,
            regressed: regressed.clone(),
        },
        Last::Skip { by, at, reason } => ItemState::Skipped {
            by: by.clone(),
            at: at.clone(),
            reason: reason.clone(),
        },
        Last::Untick => ItemState::Open,
    }
}

/// Each item's state in its current run, folded over the journal in order.
///
/// A tick or skip whose item id is no longer in the runbook (its text was
/// edited, so its slug id changed) is an orphan. An orphan left done in
/// its phase's current run is adopted by the most similar item of the same
/// phase that has no journal state of its own (word sets at least half
/// shared), which then shows done but stale: verify it again.
pub fn fold(records: &[Record], rows: &[ChecklistRow], now: i64) -> HashMap<String, ItemState> {
    let mut fold = ChecklistFold::default();
    for r in records {
        fold.add(r);
    }
    fold.states(rows, now)
}
