//! Rows and selections: how many rows a pane has, and the selections that
//! follow a workload, a pod or a Timeline entry as the rows re-sort.

use super::*;

impl AppState {
    /// How many selectable rows a pane has.
    pub fn row_count(&self, pane: Pane) -> usize {
        let rb = self.runbook.as_ref();
        match pane {
            Pane::Rollouts => self.cluster.rows.len(),
            Pane::Health => rb.map_or(0, |r| r.file.probes.len()),
            Pane::Signals => rb.map_or(0, |r| r.file.signals.len()),
            Pane::Checklist => self.checklist.len(),
            Pane::Timeline => self.timeline_rows().count(),
        }
    }

    /// The Timeline rows the filter lets through.
    pub fn timeline_rows(&self) -> impl Iterator<Item = &timeline::TimelineRow> {
        self.timeline
            .iter()
            .filter(|r| timeline::passes(r, self.timeline_filter.as_deref()))
    }

    /// Derives what the screen shows from the latest messages (once per
    /// batch, not per message): the Rollouts rows, and each re-sorting
    /// list's row from its selected identity.
    pub fn derive(&mut self) {
        self.cluster.refresh(self.now);
        self.anchor_rollouts();
        self.anchor_pod();
    }

    /// The Rollouts row follows the picked workload wherever it sorts;
    /// with nothing picked yet, the row in view is picked.
    pub(super) fn anchor_rollouts(&mut self) {
        let sel = self.selected[Pane::Rollouts.index()];
        match &self.picked {
            Some(id) => match self
                .cluster
                .rows
                .iter()
                .position(|r| r.name == id.name && r.kind == id.kind)
            {
                Some(i) => {
                    self.selected[Pane::Rollouts.index()] = i;
                    self.picked_gone = false;
                }
                None => self.picked_gone = true,
            },
            None => self.pick_rollout(sel),
        }
    }

    /// Picks the workload of the Rollouts row `index`.
    pub(super) fn pick_rollout(&mut self, index: usize) {
        let namespace = self.namespace();
        self.picked = self
            .cluster
            .rows
            .get(index)
            .map(|r| cluster::WorkloadId::new(r.kind, &namespace, &r.name));
        self.picked_gone = false;
    }

    /// The workload view's Pods row follows its selected pod.
    pub(super) fn anchor_pod(&mut self) {
        let Some(view) = self.workload() else { return };
        let Some(pod) = view.picked_pod.clone() else {
            return;
        };
        let derived = workload::view_of(&self.cluster, view);
        let index = derived.pods.iter().position(|p| p.name == pod);
        if let (Some(i), Some(view)) = (index, self.workload_mut()) {
            view.selected[workload::Section::Pods.index()] = i;
        }
    }

    /// The Timeline row follows its selected entry as new ones arrive.
    pub(super) fn anchor_timeline(&mut self) {
        let Some(key) = &self.timeline_pick else {
            return;
        };
        let found = self
            .timeline_rows()
            .position(|r| r.key.as_ref() == Some(key));
        if let Some(i) = found {
            self.selected[Pane::Timeline.index()] = i;
        }
    }
}
