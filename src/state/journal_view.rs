//! What the dashboard keeps of the journal (DESIGN.md section 3): not its
//! records but folds over them, taken as they arrive: each checklist
//! item's last word per run, the notes on items, the last journaled
//! status of each check, the incident's milestones, the stars, and the
//! newest Timeline rows. Its memory does not grow with the journal's
//! length, only with what people wrote (notes, stars) and the runbook.

use std::collections::HashMap;

use super::checklist::{ChecklistRow, ItemNote, ItemState};
use super::fold::ChecklistFold;
use super::timeline::{TimelineRow, Window};
use super::{AppState, Effect, actions, checklist};
use crate::journal::{Entry, Milestone, Record};

/// How many Timeline rows the dashboard keeps (the newest).
pub const TIMELINE_ROWS: usize = 2_000;

/// How many notes it keeps on each item (those that happened last).
pub const NOTES_PER_ITEM: usize = 100;

#[derive(Debug, Clone)]
pub struct JournalView {
    pub(super) checklist: ChecklistFold,
    notes: HashMap<String, Vec<ItemNote>>,
    checks: HashMap<String, String>,
    /// The last journaled status of each event's subject (`Event::key`):
    /// rollouts, crash-looping pods, alerts still firing.
    events: HashMap<String, String>,
    timeline: Window,
    /// The open incident: when it was detected (None: a time that does
    /// not read) and its latest milestone.
    incident: Option<(Option<i64>, Milestone)>,
    /// Records folded in.
    records: u64,
}

impl Default for JournalView {
    fn default() -> JournalView {
        JournalView::new(TIMELINE_ROWS)
    }
}

impl JournalView {
    /// How many records have been folded in: changes whenever the journal
    /// does.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// A view keeping at most `rows` Timeline rows.
    pub fn new(rows: usize) -> JournalView {
        JournalView {
            checklist: ChecklistFold::default(),
            notes: HashMap::new(),
            checks: HashMap::new(),
            events: HashMap::new(),
            timeline: Window::new(rows),
            incident: None,
            records: 0,
        }
    }

    /// Folds in one record, the next in the journal's order.
    pub fn add(&mut self, r: &Record) {
        self.timeline.add(r);
        self.fold(r);
    }

    /// Folds in a record too old to be among the newest Timeline rows
    /// (its stars still count).
    pub fn add_old(&mut self, r: &Record) {
        if matches!(r.entry, Entry::Star { .. }) {
            self.timeline.add(r);
        }
        self.fold(r);
    }

    fn fold(&mut self, r: &Record) {
        self.records += 1;
        self.checklist.add(r);
        match &r.entry {
            Entry::Note { item: Some(_), .. } => {
                let Some((item, note)) = ItemNote::of(r) else {
                    return;
                };
                let list = self.notes.entry(item.to_string()).or_default();
                note.insert_into(list);
                if list.len() > NOTES_PER_ITEM {
                    list.remove(0);
                }
            }
            Entry::Check { check, status, .. } => {
                self.checks.insert(check.clone(), status.clone());
            }
            Entry::Event {
                event,
                subject,
                status,
                ..
            } => {
                let key = super::events::key(*event, subject);
                // A resolved alert needs no memory: not firing is the default.
                if *event == crate::journal::EventKind::Alert && status != "fail" {
                    self.events.remove(&key);
                } else {
                    self.events.insert(key, status.clone());
                }
            }
            Entry::Milestone {
                milestone,
                happened_at,
            } => {
                let at = happened_at
                    .as_deref()
                    .unwrap_or(&r.at)
                    .parse::<jiff::Timestamp>()
                    .map(|t| t.as_second())
                    .ok();
                self.incident = match (milestone, self.incident) {
                    (Milestone::Resolved, _) => None,
                    (Milestone::Detected, _) => Some((at, Milestone::Detected)),
                    (m, Some((detected, _))) => Some((detected, *m)),
                    (m, None) => Some((at, *m)),
                };
            }
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Each item's state in its current run.
    pub fn items(&self, rows: &[ChecklistRow], now: i64) -> HashMap<String, ItemState> {
        self.checklist.states(rows, now)
    }

    /// Forgets the runs of recurring phases that have ended.
    pub fn prune(&mut self, rows: &[ChecklistRow], now: i64) {
        self.checklist.prune(rows, now);
    }

    pub fn notes(&self) -> &HashMap<String, Vec<ItemNote>> {
        &self.notes
    }

    pub fn check_statuses(&self) -> &HashMap<String, String> {
        &self.checks
    }

    /// The last journaled status of each event's subject, by
    /// `events::key` (an alert is there only while journaled firing).
    pub fn event_statuses(&self) -> &HashMap<String, String> {
        &self.events
    }

    /// The newest Timeline rows, newest first.
    pub fn timeline(&self) -> Vec<TimelineRow> {
        self.timeline.rows()
    }

    /// The open incident: when it was detected (`now` for a time that
    /// does not read) and its latest milestone.
    pub fn incident(&self, now: i64) -> Option<(i64, Milestone)> {
        self.incident.map(|(at, m)| (at.unwrap_or(now), m))
    }
}

impl AppState {
    /// Folds records read from the journal into the state; `reset`: they
    /// are the journal from its start (everything folded before is
    /// dropped). Derives the checklist, the notes, the check statuses and
    /// the Timeline, and moves the walkthrough on once its item settles.
    pub(super) fn journal_read(&mut self, records: Vec<Record>, reset: bool) {
        if reset {
            self.journal = JournalView::default();
        }
        for r in &records {
            self.journal.add(r);
        }
        self.journal_derive();
    }

    /// Derives what the screen shows from the journal's folds.
    pub fn journal_derive(&mut self) {
        self.timeline = self.journal.timeline();
        self.check_statuses
            .clone_from(self.journal.check_statuses());
        // A change still on its way to the journal counts as recorded.
        for effect in &self.effects {
            if let Effect::Act(actions::Request::Record(Entry::Check { check, status, .. })) =
                effect
            {
                self.check_statuses.insert(check.clone(), status.clone());
            }
        }
        self.anchor_timeline();
        self.item_notes.clone_from(self.journal.notes());
        let before = self
            .walkthrough()
            .is_some()
            .then(|| self.selected_item().map(|i| i.0))
            .flatten();
        let was = before.as_ref().and_then(|id| self.items.get(id).cloned());
        self.items = self.journal.items(&self.checklist, self.now);
        // The walkthrough moves on once its item is done or skipped (not
        // when it regresses: that needs looking at).
        if let Some(id) = before {
            let now = self.items.get(&id);
            let settled = matches!(
                now,
                Some(
                    checklist::ItemState::Done {
                        stale: false,
                        regressed: None,
                        ..
                    } | checklist::ItemState::Skipped { .. }
                )
            );
            if settled && now != was.as_ref() {
                self.step_item(1);
            }
        }
    }
}

#[cfg(test)]
#[path = "journal_view_tests.rs"]
mod tests;
