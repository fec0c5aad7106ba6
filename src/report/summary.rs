//! The report's first pass over the journal: folds and positions, not the
//! records. What it keeps grows with the runbook and with what people did
//! (overrides, backdated notes, stars, actions' positions), never with
//! the journal's check changes and notes.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use super::{text, when};
use crate::journal::{Entry, Evidence, Milestone, Record, Step};
use crate::state::checklist::{ChecklistRow, ItemNote, run_of};
use crate::state::fold::ChecklistFold;
use crate::state::timeline::{self, TimelineRow};

/// A check's last journaled state: its status, what it said, and when.
pub struct CheckState {
    pub status: String,
    pub text: String,
    pub at: String,
}

/// A regression of a rollout, as journaled.
pub struct Regressed {
    pub subject: String,
    pub at: String,
    pub text: String,
    pub cleared: Option<(String, String)>,
}

#[derive(Default)]
pub struct Summary {
    pub records: usize,
    pub checklist: ChecklistFold,
    pub checks: HashMap<String, CheckState>,
    /// The notes on each item, in the order they happened.
    pub notes: HashMap<String, Vec<ItemNote>>,
    /// The evidence of each checklist item's last tick.
    pub evidence: HashMap<String, Vec<Evidence>>,
    /// Earlier runs of recurring phases: each run's last word per item.
    pub earlier: BTreeMap<String, BTreeMap<String, String>>,
    /// Positions of the overrides and of the actions' outcomes.
    pub overrides: Vec<u64>,
    pub outcomes: Vec<u64>,
    pub milestones: Vec<(Milestone, String)>,
    /// Each rollout's regressions by subject (`deployment/api@7
    /// signal:error-rate`), in the order found: when and what was found,
    /// and when and how it cleared.
    pub regressions: Vec<Regressed>,
    /// Stars, folded: the last word on each key counts.
    pub stars: HashMap<String, bool>,
    /// Each action's last position, by its id's hash.
    last_step: HashMap<u64, u64>,
    /// Timeline rows that happened before one already seen (backdated, or
    /// from a clock behind), with their positions and actions' id hashes.
    early: Vec<(u64, TimelineRow, Option<u64>, bool)>,
    /// Their positions.
    early_at: HashSet<u64>,
    /// The latest time seen so far.
    latest: String,
    /// Each recurring item's current run; the checklist's item ids.
    recurring: HashMap<String, Option<String>>,
    items: HashSet<String>,
}

fn hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl Summary {
    pub fn new(checklist: &[ChecklistRow], now: i64) -> Summary {
        let mut s = Summary::default();
        for row in checklist {
            if let ChecklistRow::Item { id, period, .. } = row {
                s.items.insert(id.clone());
                if period.is_some() {
                    s.recurring.insert(id.clone(), run_of(*period, now));
                }
            }
        }
        s
    }

    pub fn add(&mut self, at: u64, r: &Record) {
        self.records += 1;
        self.checklist.add(r);
        match &r.entry {
            Entry::Check {
                check,
                status,
                text,
            } => {
                self.checks.insert(
                    check.clone(),
                    CheckState {
                        status: status.clone(),
                        text: text.clone(),
                        at: r.at.clone(),
                    },
                );
            }
            Entry::Note { item: Some(_), .. } => {
                if let Some((item, note)) = ItemNote::of(r) {
                    note.insert_into(self.notes.entry(item.to_string()).or_default());
                }
            }
            Entry::Tick {
                item,
                evidence,
                reason,
                ..
            } => {
                if self.items.contains(item) {
                    self.evidence.insert(item.clone(), evidence.clone());
                }
                if reason.is_some() {
                    self.overrides.push(at);
                }
            }
            Entry::Verify { item, evidence, .. } if self.items.contains(item) => {
                self.evidence.insert(item.clone(), evidence.clone());
            }
            // A refused Kubernetes Event is listed with the actions; the
            // action's own last step stays its outcome.
            Entry::Action {
                step: Step::KubeEvent,
                ..
            } => self.outcomes.push(at),
            Entry::Action { id, step, .. } => {
                self.last_step.insert(hash(id), at);
                if matches!(step, Step::Outcome | Step::Unanswered | Step::ReadBack) {
                    self.outcomes.push(at);
                }
            }
            Entry::Milestone {
                milestone,
                happened_at,
            } => self.milestones.push((
                *milestone,
                happened_at.clone().unwrap_or_else(|| r.at.clone()),
            )),
            Entry::Star { key, on } => {
                self.stars.insert(key.clone(), *on);
            }
            Entry::Event {
                event: crate::journal::EventKind::Regression,
                subject,
                status,
                text,
            } => match status.as_str() {
                "fail" => self.regressions.push(Regressed {
                    subject: subject.clone(),
                    at: r.at.clone(),
                    text: text.clone(),
                    cleared: None,
                }),
                "ok" => {
                    if let Some(open) = self
                        .regressions
                        .iter_mut()
                        .rev()
                        .find(|g| g.subject == *subject && g.cleared.is_none())
                    {
                        open.cleared = Some((r.at.clone(), text.clone()));
                    }
                }
                _ => {}
            },
            _ => {}
        }
        self.earlier_run(r);
        if !matches!(r.entry, Entry::Star { .. }) {
            let row = timeline::row_of(r);
            if row.at < self.latest {
                let action = match &r.entry {
                    Entry::Action { id, .. } => Some(hash(id)),
                    _ => None,
                };
                self.early.push((at, row, action, note_star(r)));
            } else {
                self.latest.clone_from(&row.at);
            }
        }
    }

    fn earlier_run(&mut self, r: &Record) {
        let (item, run, line) = match &r.entry {
            Entry::Tick {
                item,
                run: Some(run),
                text: ticked,
                reason,
                ..
            } => {
                let how = if reason.is_some() {
                    "overridden"
                } else {
                    "done"
                };
                let line = format!(
                    "[x] {} ({how} by {}, {})",
                    text(ticked),
                    text(&r.user),
                    when(&r.at)
                );
                (item, run, line)
            }
            Entry::Verify {
                item,
                run: Some(run),
                text: verified,
                ..
            } => {
                let line = format!(
                    "[x] {} (verified by its check, {})",
                    text(verified),
                    when(&r.at)
                );
                (item, run, line)
            }
            Entry::Skip {
                item,
                run: Some(run),
                text: skipped,
                reason,
            } => {
                let line = format!(
                    "[-] {} (skipped by {}: {})",
                    text(skipped),
                    text(&r.user),
                    text(reason)
                );
                (item, run, line)
            }
            Entry::Untick {
                item,
                run: Some(run),
            } => (item, run, String::new()),
            _ => return,
        };
        let Some(current) = self.recurring.get(item.as_str()) else {
            return;
        };
        if current.as_deref() == Some(run.as_str()) {
            return;
        }
        let runs = self.earlier.entry(run.clone()).or_default();
        if line.is_empty() {
            runs.remove(item);
        } else {
            runs.insert(item.clone(), line);
        }
    }

    /// Call after the first pass: drops what is not needed after it.
    pub fn finish(&mut self) {
        self.earlier.retain(|_, items| !items.is_empty());
        let last_step = &self.last_step;
        self.early
            .retain(|(at, _, action, _)| action.is_none_or(|h| last_step.get(&h) == Some(at)));
        self.early
            .sort_by(|a, b| (a.1.at.as_str(), a.0).cmp(&(b.1.at.as_str(), b.0)));
        self.early_at = self.early.iter().map(|(at, ..)| *at).collect();
    }

    /// The Timeline row of the record at `at`, oldest first, in a second
    /// pass: None for records that make no row of their own there (stars,
    /// an action's earlier steps, rows already given out of order).
    pub fn row(&self, at: u64, r: &Record) -> Option<TimelineRow> {
        match &r.entry {
            Entry::Star { .. } => return None,
            Entry::Action { id, .. } if self.last_step.get(&hash(id)) != Some(&at) => return None,
            _ => {}
        }
        if self.early_at.contains(&at) {
            return None;
        }
        Some(self.starred(timeline::row_of(r), note_star(r)))
    }

    /// The rows that happened before `row` among those out of order, in
    /// order, from `next` on; returns where the next call starts.
    pub fn early_before(
        &self,
        next: usize,
        bound: Option<(&str, u64)>,
        f: &mut dyn FnMut(TimelineRow),
    ) -> usize {
        let mut i = next;
        while let Some((at, row, _, star)) = self.early.get(i) {
            if bound.is_some_and(|b| (row.at.as_str(), *at) > b) {
                break;
            }
            f(self.starred(row.clone(), *star));
            i += 1;
        }
        i
    }

    fn starred(&self, mut row: TimelineRow, note_star: bool) -> TimelineRow {
        row.starred = row
            .key
            .as_ref()
            .and_then(|k| self.stars.get(k))
            .copied()
            .unwrap_or(note_star);
        row
    }
}

fn note_star(r: &Record) -> bool {
    matches!(r.entry, Entry::Note { starred: true, .. })
}
