//! The lists' filters in the state: which rows each pane (and each section
//! of the workload view) shows, the selection that stays on its row while
//! the filter or the data change which rows show (else moves to the first
//! match), and why nothing can be acted on when nothing matches.
//!
//! `selected[pane]` is a place among the rows shown; what a key acts on is
//! the row there ([`AppState::selected_row`]), never one the filter hides.

use super::list_filter::ListFilter;
use super::search::{ChecklistItem, ProbeItem, RolloutItem, SignalItem, TimelineItem};
use super::workload::{Section, Workload, WorkloadView};
use super::*;
use crate::filter::{Field, Searchable};

impl AppState {
    /// The fields a `field:value` term may name in a pane.
    pub fn fields(pane: Pane) -> &'static [Field] {
        match pane {
            Pane::Rollouts => RolloutItem::FIELDS,
            Pane::Health => ProbeItem::FIELDS,
            Pane::Signals => SignalItem::FIELDS,
            Pane::Checklist => ChecklistItem::FIELDS,
            Pane::Timeline => TimelineItem::FIELDS,
        }
    }

    /// A pane's filter.
    pub fn filter(&self, pane: Pane) -> &ListFilter {
        &self.filters[pane.index()]
    }

    /// The namespace the rows are in, for `ns:`.
    fn rows_namespace(&self) -> &str {
        self.cluster
            .namespace
            .as_deref()
            .or(self.target.namespace.as_deref())
            .unwrap_or("")
    }

    /// The rows a pane shows, as places in its whole list (the Rollouts
    /// rows, the runbook's probes or signals, the checklist's rows, the
    /// Timeline): those its filter (and the Timeline's kind) lets through.
    /// A checklist phase shows when one of its items does.
    pub fn visible(&self, pane: Pane) -> Vec<usize> {
        let filter = &self.filters[pane.index()].filter;
        let all = |n: usize| (0..n).collect();
        match pane {
            Pane::Timeline => self
                .timeline
                .iter()
                .enumerate()
                .filter(|(_, r)| self.timeline_passes(r))
                .map(|(i, _)| i)
                .collect(),
            _ if filter.is_empty() => all(self.total_rows(pane)),
            Pane::Rollouts => {
                let namespace = self.rows_namespace();
                self.cluster
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, row)| {
                        filter.passes(&RolloutItem {
                            row,
                            listed: self.cluster.is_listed(row.kind),
                            namespace,
                        })
                    })
                    .map(|(i, _)| i)
                    .collect()
            }
            Pane::Health => self
                .runbook
                .iter()
                .flat_map(|r| r.probes())
                .enumerate()
                .filter(|(i, p)| {
                    let name = p.name.get_ref();
                    filter.passes(&ProbeItem {
                        name,
                        url: self.probe_urls.get(*i).map_or("", String::as_str),
                        last: self.health.get(name).and_then(|h| h.last.as_ref()),
                        on_demand: p.burst.is_some(),
                    })
                })
                .map(|(i, _)| i)
                .collect(),
            Pane::Signals => self
                .runbook
                .iter()
                .flat_map(|r| r.signals())
                .enumerate()
                .filter(|(_, s)| {
                    let name = s.name.get_ref();
                    filter.passes(&SignalItem {
                        name,
                        query: s.query.get_ref(),
                        reading: self
                            .signals
                            .signals
                            .get(name)
                            .and_then(|k| k.reading.as_ref()),
                    })
                })
                .map(|(i, _)| i)
                .collect(),
            Pane::Checklist => {
                let mut shown = Vec::new();
                let (mut phase_at, mut phase_name, mut phase_shown) = (None, "", false);
                for (i, row) in self.checklist.iter().enumerate() {
                    match row {
                        ChecklistRow::Phase { name, .. } => {
                            (phase_at, phase_name, phase_shown) = (Some(i), name.as_str(), false);
                        }
                        ChecklistRow::Item {
                            id, text, check, ..
                        } => {
                            let item = ChecklistItem {
                                id,
                                text,
                                phase: phase_name,
                                check: check.as_ref().map(|c| c.text.as_str()),
                                state: self.items.get(id),
                            };
                            if !filter.passes(&item) {
                                continue;
                            }
                            if !phase_shown {
                                shown.extend(phase_at);
                                phase_shown = true;
                            }
                            shown.push(i);
                        }
                    }
                }
                shown
            }
        }
    }

    /// Whether a Timeline entry passes its kind and its filter.
    pub(super) fn timeline_passes(&self, row: &timeline::TimelineRow) -> bool {
        timeline::passes(row, self.timeline_filter.as_deref())
            && self.filters[Pane::Timeline.index()]
                .filter
                .passes(&TimelineItem(row))
    }

    /// How many rows a pane's whole list has.
    pub fn total_rows(&self, pane: Pane) -> usize {
        let rb = self.runbook.as_ref();
        match pane {
            Pane::Rollouts => self.cluster.rows.len(),
            Pane::Health => rb.map_or(0, |r| r.file.probes.len()),
            Pane::Signals => rb.map_or(0, |r| r.file.signals.len()),
            Pane::Checklist => self.checklist.len(),
            Pane::Timeline => self.timeline.len(),
        }
    }

    /// Whether rows of the pane are left out: a filter that narrows (no
    /// problem with its fields), or the Timeline's kind.
    pub fn narrowed(&self, pane: Pane) -> bool {
        self.filters[pane.index()].narrows(AppState::fields(pane))
            || (pane == Pane::Timeline && self.timeline_filter.is_some())
    }

    /// The filter as the pane's title and notices say it: `kind:action
    /// /api`.
    pub fn filter_words(&self, pane: Pane) -> String {
        let mut words = Vec::new();
        if pane == Pane::Timeline
            && let Some(kind) = &self.timeline_filter
        {
            words.push(timeline::filter_label(kind));
        }
        let f = &self.filters[pane.index()];
        if f.is_set() {
            words.push(format!("/{}", f.filter.text().trim()));
        }
        words.join(" ")
    }

    /// The place in the pane's whole list of the selected row; None when
    /// the pane shows no row.
    pub fn selected_row(&self, pane: Pane) -> Option<usize> {
        self.visible(pane).get(self.selected[pane.index()]).copied()
    }

    /// Why the pane has nothing to act on: its filter (or the Timeline's
    /// kind) matches no row, and the key that changes that.
    pub fn no_match(&self, pane: Pane) -> Option<String> {
        if !self.narrowed(pane) || self.total_rows(pane) == 0 || !self.visible(pane).is_empty() {
            return None;
        }
        let key = |action: Action| {
            self.keymap
                .pane_key(action)
                .map_or_else(|| action.name().to_string(), |k| k.to_string())
        };
        let how = if self.filters[pane.index()].is_set() {
            format!("{} clears the filter", key(Action::Back))
        } else {
            format!("{} shows the next kind", key(Action::FilterKind))
        };
        Some(format!("no match for {} ({how})", self.filter_words(pane)))
    }

    /// Changes a pane's filter with `change`; the selection stays on its
    /// row while the row shows, else moves to the first match.
    pub(super) fn refilter(&mut self, pane: Pane, change: impl FnOnce(&mut ListFilter)) {
        self.remember_pick(pane);
        change(&mut self.filters[pane.index()]);
        self.anchor(pane);
    }

    /// Notes which row is selected before the rows shown change.
    pub(super) fn remember_pick(&mut self, pane: Pane) {
        let sel = self.selected[pane.index()];
        match pane {
            Pane::Rollouts if self.picked.is_none() => self.pick_rollout(sel),
            Pane::Rollouts => {}
            Pane::Timeline => {
                if self.timeline_pick.is_none() {
                    let key = self.timeline_rows().nth(sel).and_then(|r| r.key.clone());
                    self.timeline_pick = key;
                }
            }
            _ => {
                if let Some(row) = self.visible(pane).get(sel) {
                    self.row_picks[pane.index()] = Some(*row);
                }
            }
        }
    }

    /// The selection back on its row after the rows shown changed: where
    /// the row is now, else the first match (nothing matching, it stays
    /// picked for when the filter changes again).
    pub(super) fn anchor(&mut self, pane: Pane) {
        match pane {
            Pane::Rollouts => self.anchor_rollouts(),
            Pane::Timeline => self.anchor_timeline(),
            _ => self.anchor_row(pane, true),
        }
    }

    /// The selected probe, signal or checklist row, by its place in the
    /// runbook (which does not move); `refiltered` when the filter has
    /// just changed.
    fn anchor_row(&mut self, pane: Pane, refiltered: bool) {
        let visible = self.visible(pane);
        // A phase shown for its items is no match of its own: a filter
        // that narrows moves the selection on to its first item.
        let heading = |r: usize| {
            refiltered
                && pane == Pane::Checklist
                && matches!(self.checklist.get(r), Some(ChecklistRow::Phase { .. }))
                && self.filters[pane.index()].narrows(AppState::fields(pane))
        };
        let at = self.row_picks[pane.index()]
            .filter(|r| !heading(*r))
            .and_then(|r| visible.iter().position(|v| *v == r));
        let place = match at {
            Some(place) => place,
            None if visible.is_empty() => 0,
            None => {
                let first = self.first_match(pane, &visible);
                self.row_picks[pane.index()] = visible.get(first).copied();
                first
            }
        };
        self.selected[pane.index()] = place;
    }

    /// Where the first match is: the first row, or in the checklist the
    /// first item (not its phase).
    pub(super) fn first_match(&self, pane: Pane, visible: &[usize]) -> usize {
        if pane != Pane::Checklist {
            return 0;
        }
        visible
            .iter()
            .position(|i| matches!(self.checklist.get(*i), Some(ChecklistRow::Item { .. })))
            .unwrap_or(0)
    }

    /// Keeps each filtered pane's selection on its row as the data change
    /// which rows match (a probe turning `state:failing`, say).
    pub(super) fn anchor_filtered(&mut self) {
        for pane in [Pane::Health, Pane::Signals, Pane::Checklist] {
            if self.filters[pane.index()].narrows(AppState::fields(pane)) {
                self.anchor_row(pane, false);
            }
        }
    }

    /// The section's filter of the open workload view, changed by
    /// `change`; the selection stays on its row (a pod by name) while it
    /// shows, else moves to the first match.
    pub(super) fn refilter_section(&mut self, change: impl FnOnce(&mut ListFilter)) {
        let Some(view) = self.workload() else { return };
        let section = view.section;
        let w = workload::derive(&self.cluster, view.kind, &view.name);
        let before = view.visible(&w, section);
        let row = before.get(view.selected[section.index()]).copied();
        let pod = row.and_then(|i| w.pods.get(i)).map(|p| p.name.clone());
        let mut view = view.clone();
        change(&mut view.filters[section.index()]);
        let after = view.visible(&w, section);
        let place = match section {
            Section::Pods => {
                let wanted = view.picked_pod.clone().or(pod);
                after
                    .iter()
                    .position(|i| w.pods.get(*i).map(|p| &p.name) == wanted.as_ref())
            }
            _ => row.and_then(|r| after.iter().position(|i| *i == r)),
        }
        .unwrap_or(0);
        view.selected[section.index()] = place;
        if section == Section::Pods {
            view.picked_pod = after
                .get(place)
                .and_then(|i| w.pods.get(*i))
                .map(|p| p.name.clone())
                .or(view.picked_pod);
        }
        drop(w);
        if let Some(open) = self.workload_mut() {
            *open = view;
        }
    }
}

impl WorkloadView {
    /// The fields a `field:value` term may name in a section.
    pub fn fields(section: Section) -> &'static [Field] {
        use crate::kube::model::{ConditionRow, EventRow, PodRow};
        match section {
            Section::Pods => PodRow::FIELDS,
            Section::History => workload::RevisionRow::FIELDS,
            Section::Conditions => ConditionRow::FIELDS,
            Section::Events => EventRow::FIELDS,
        }
    }

    /// The rows a section shows, as places in its whole list.
    pub fn visible(&self, w: &Workload, section: Section) -> Vec<usize> {
        let filter = &self.filters[section.index()].filter;
        fn pass<T: Searchable>(filter: &crate::filter::Filter, rows: &[T]) -> Vec<usize> {
            rows.iter()
                .enumerate()
                .filter(|(_, r)| filter.passes(*r))
                .map(|(i, _)| i)
                .collect()
        }
        if filter.is_empty() {
            return (0..w.count(section)).collect();
        }
        match section {
            Section::Pods => w
                .pods
                .iter()
                .enumerate()
                .filter(|(_, p)| filter.passes(**p))
                .map(|(i, _)| i)
                .collect(),
            Section::History => pass(filter, &w.history),
            Section::Conditions => pass(filter, w.workload.map_or(&[][..], |d| &d.conditions)),
            Section::Events => w
                .events
                .iter()
                .enumerate()
                .filter(|(_, e)| filter.passes(**e))
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// Whether the section's filter leaves rows out.
    pub fn narrowed(&self, section: Section) -> bool {
        self.filters[section.index()].narrows(WorkloadView::fields(section))
    }

    /// Why the section has nothing to act on: its filter matches no row.
    pub fn no_match(&self, w: &Workload, section: Section) -> Option<String> {
        (self.narrowed(section) && w.count(section) > 0 && self.visible(w, section).is_empty())
            .then(|| {
                format!(
                    "no match for /{} in {} (esc clears the filter)",
                    self.filters[section.index()].filter.text().trim(),
                    section.title()
                )
            })
    }
}
