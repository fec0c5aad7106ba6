//! Rows and selections: how many rows a pane has, and the selections that
//! follow a workload, a pod or a Timeline entry as the rows re-sort.

use super::*;

impl AppState {
    /// How many selectable rows a pane shows (those its filter lets
    /// through).
    pub fn row_count(&self, pane: Pane) -> usize {
        match pane {
            Pane::Timeline => self.timeline_rows().count(),
            _ => self.visible(pane).len(),
        }
    }

    /// The Timeline rows its kind and its filter let through.
    pub fn timeline_rows(&self) -> impl Iterator<Item = &timeline::TimelineRow> {
        self.timeline.iter().filter(|r| self.timeline_passes(r))
    }

    /// The Rollouts rows the filter lets through.
    pub fn rollout_rows(&self) -> Vec<&cluster::RolloutRow> {
        self.visible(Pane::Rollouts)
            .into_iter()
            .filter_map(|i| self.cluster.rows.get(i))
            .collect()
    }

    /// Derives what the screen shows from the latest messages (once per
    /// batch, not per message): the Rollouts rows, and each re-sorting or
    /// filtered list's row from its selected identity.
    pub fn derive(&mut self) {
        self.cluster.refresh(self.now);
        self.derive_selection();
    }

    /// As `derive`, on the Rollouts rows derived last: for a keypress
    /// drawn right after a frame, which acts on the rows that frame showed.
    pub fn derive_selection(&mut self) {
        self.anchor_rollouts();
        self.anchor_pod();
        self.anchor_filtered();
    }

    /// The Rollouts row follows the picked workload wherever it sorts;
    /// with nothing picked yet, the row in view is picked. A picked
    /// workload the filter hides gives way to the first match.
    pub(super) fn anchor_rollouts(&mut self) {
        let sel = self.selected[Pane::Rollouts.index()];
        let Some(id) = &self.picked else {
            self.pick_rollout(sel);
            return;
        };
        // A runbook workload picked before it was listed: in a view of
        // every namespace its row's name is qualified once it is.
        let qualified = self.cluster.qualify(&id.name);
        let Some(row) = self
            .cluster
            .rows
            .iter()
            .position(|r| (r.name == id.name || r.name == qualified) && r.kind == id.kind)
        else {
            self.picked_gone = true;
            return;
        };
        if let Some(id) = self.picked.as_mut() {
            id.name.clone_from(&self.cluster.rows[row].name);
        }
        self.picked_gone = false;
        let visible = self.visible(Pane::Rollouts);
        match visible.iter().position(|i| *i == row) {
            Some(place) => self.selected[Pane::Rollouts.index()] = place,
            // Nothing matches: it stays picked for when the filter changes.
            None if visible.is_empty() => self.selected[Pane::Rollouts.index()] = 0,
            None => {
                self.selected[Pane::Rollouts.index()] = 0;
                self.pick_rollout(0);
            }
        }
    }

    /// Picks the workload of the Rollouts row shown at `index`.
    pub(super) fn pick_rollout(&mut self, index: usize) {
        let namespace = self.namespace();
        let row = self
            .visible(Pane::Rollouts)
            .get(index)
            .and_then(|i| self.cluster.rows.get(*i));
        self.picked = row.map(|r| cluster::WorkloadId::new(r.kind, &namespace, &r.name));
        self.picked_gone = false;
    }

    /// The workload view's Pods row follows its selected pod; a pod the
    /// filter hides gives way to the first match.
    pub(super) fn anchor_pod(&mut self) {
        let Some(view) = self.workload() else { return };
        let Some(pod) = view.picked_pod.clone() else {
            return;
        };
        let derived = workload::view_of(&self.cluster, view);
        let visible = view.visible(&derived, workload::Section::Pods);
        let place = visible
            .iter()
            .position(|i| derived.pods.get(*i).is_some_and(|p| p.name == pod));
        let hidden = place.is_none() && derived.pods.iter().any(|p| p.name == pod);
        let first = visible
            .first()
            .and_then(|i| derived.pods.get(*i))
            .map(|p| p.name.clone());
        let Some(view) = self.workload_mut() else {
            return;
        };
        let sel = &mut view.selected[workload::Section::Pods.index()];
        match place {
            Some(i) => *sel = i,
            None if hidden && first.is_some() => {
                *sel = 0;
                view.picked_pod = first;
            }
            None => {}
        }
    }

    /// The Timeline row follows its selected entry as new ones arrive; an
    /// entry the filter hides gives way to the first match.
    pub(super) fn anchor_timeline(&mut self) {
        let Some(key) = &self.timeline_pick else {
            return;
        };
        let found = self
            .timeline_rows()
            .position(|r| r.key.as_ref() == Some(key));
        match found {
            Some(i) => self.selected[Pane::Timeline.index()] = i,
            None if self.timeline.iter().any(|r| r.key.as_ref() == Some(key)) => {
                self.selected[Pane::Timeline.index()] = 0;
                let first = self.timeline_rows().next().map(|r| r.key.clone());
                if let Some(first) = first {
                    self.timeline_pick = first;
                }
            }
            None => {}
        }
    }
}
