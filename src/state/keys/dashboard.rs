//! Keys on the dashboard: focus and zoom, the focused pane's selection
//! and filter, and what can be started from it (actions, views, the
//! walkthrough, checklist entries).

use crate::action::Action;
use crate::state::list_filter::ListFilter;
use crate::state::screen::{Overlay, Screen};
use crate::state::{AppState, Detail, Pane, faults, timeline};

/// Whether an action acts on the focused pane's selected row.
fn on_row(pane: Pane, action: Action) -> bool {
    match pane {
        Pane::Rollouts => matches!(
            action,
            Action::Open
                | Action::Logs
                | Action::Scale
                | Action::Restart
                | Action::PauseResume
                | Action::Rollback
                | Action::BlueGreen
        ),
        Pane::Health => matches!(action, Action::Open | Action::RunBurst),
        Pane::Signals => action == Action::Open,
        Pane::Checklist => matches!(
            action,
            Action::Tick | Action::SkipItem | Action::Note | Action::Walkthrough
        ),
        Pane::Timeline => action == Action::Star,
    }
}

impl AppState {
    pub(super) fn dashboard_key(&mut self, action: Action) {
        let pane = self.focus;
        // The filter being typed: enter keeps it, esc goes back to the
        // one before (other keys were typed into it).
        if self.filters[pane.index()].editing() {
            match action {
                Action::Submit | Action::Confirm => self.refilter(pane, |f| f.end(true)),
                Action::Cancel | Action::Back => self.refilter(pane, |f| f.end(false)),
                _ => {}
            }
            return;
        }
        // Nothing matches: nothing to act on, and the notice says why.
        if on_row(pane, action)
            && let Some(why) = self.no_match(pane)
        {
            self.notice = Some(format!("{}: {why}", action.hint()));
            return;
        }
        let rows = self.row_count(self.focus);
        let page = usize::from(self.size.1 / 2).max(1);
        let sel = &mut self.selected[self.focus.index()];
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.open_help(),
            Action::FocusNext => self.focus = self.focus.next(),
            Action::FocusPrev => self.focus = self.focus.prev(),
            Action::FocusRollouts
            | Action::FocusHealth
            | Action::FocusSignals
            | Action::FocusChecklist
            | Action::FocusTimeline => {
                if let Some(p) = Pane::ALL.into_iter().find(|p| p.focus_action() == action) {
                    self.focus = p;
                }
            }
            Action::ToggleZoom => self.zoomed = !self.zoomed,
            Action::Back if self.filters[pane.index()].is_set() => {
                self.refilter(pane, ListFilter::clear);
            }
            Action::Back => {
                if self.zoomed {
                    self.zoomed = false;
                } else {
                    self.warnings_hidden = true;
                }
            }
            Action::MoveUp => *sel = sel.saturating_sub(1),
            Action::MoveDown => *sel += 1,
            Action::PageUp => *sel = sel.saturating_sub(page),
            Action::PageDown => *sel += page,
            Action::Top => *sel = 0,
            Action::Bottom => *sel = rows,
            Action::Faults if !self.faults.is_empty() => {
                self.overlay = Some(Overlay::Faults(faults::FaultMenu::default()));
            }
            Action::Faults => {
                self.notice = Some(if cfg!(feature = "demo") {
                    "fault injection is for rehearsals: run `ops-tui demo`".into()
                } else {
                    "fault injection is for rehearsals in `ops-tui demo`, which this build leaves out".into()
                });
            }
            Action::Scale
            | Action::Restart
            | Action::PauseResume
            | Action::Rollback
            | Action::BlueGreen => self.open_action(action),
            Action::UndoRegression => self.undo_regression(),
            Action::Open if self.focus == Pane::Rollouts => {
                self.open_workload();
            }
            Action::Open if matches!(self.focus, Pane::Health | Pane::Signals) => {
                let index = self.selected_row(self.focus);
                let name = index.and_then(|index| {
                    self.runbook.as_ref().and_then(|r| match self.focus {
                        Pane::Health => r.probes().nth(index).map(|p| p.name.get_ref().clone()),
                        _ => r.signals().nth(index).map(|s| s.name.get_ref().clone()),
                    })
                });
                if let Some(n) = name {
                    self.screen = Screen::Detail(match self.focus {
                        Pane::Health => Detail::Probe(n),
                        _ => Detail::Signal(n),
                    });
                }
            }
            Action::Logs if self.focus == Pane::Rollouts => {
                if self.open_workload() {
                    self.open_logs();
                }
            }
            Action::Logs => {
                self.notice = Some("logs: select a Deployment in the Rollouts pane first".into());
            }
            Action::Filter => self.refilter(pane, ListFilter::start),
            Action::FilterKind if self.focus == Pane::Timeline => {
                self.timeline_filter =
                    timeline::next_filter(&self.timeline, self.timeline_filter.as_deref());
                self.selected[Pane::Timeline.index()] = 0;
                self.timeline_pick = None;
            }
            Action::Nodes => self.open_nodes(),
            Action::Yaml => self.open_object(crate::state::object::ObjectMode::Yaml),
            Action::Describe => self.open_object(crate::state::object::ObjectMode::Describe),
            Action::Sort => {
                self.notice = Some("sort: the pods of a workload view (enter in Rollouts) sort by problems, memory or CPU".into());
            }
            Action::DeletePod => {
                self.notice = Some(
                    "delete pod: open a workload (enter in Rollouts), select its pod, then press the key again".into(),
                );
            }
            Action::FilterKind => {
                self.notice = Some(format!(
                    "{}: the Timeline's kinds of entry; focus the Timeline first",
                    action.hint()
                ));
            }
            Action::SwitchContext => self.open_picker(),
            Action::RunBurst => self.open_burst(),
            Action::Tick => self.tick(),
            Action::SkipItem => self.skip_item(),
            Action::Note => self.open_note(),
            Action::Milestone => self.open_milestone(),
            Action::Walkthrough => self.start_walkthrough(),
            Action::Star => self.star(),
            Action::Open
            | Action::Follow
            | Action::PreviousLogs
            | Action::NextContainer
            | Action::Wrap
            | Action::ScrollLeft
            | Action::ScrollRight
            | Action::Confirm
            | Action::Cancel
            | Action::Submit => {}
        }
        let max = self.row_count(self.focus).saturating_sub(1);
        let sel = &mut self.selected[self.focus.index()];
        *sel = (*sel).min(max);
        let sel = *sel;
        let moved = matches!(
            action,
            Action::MoveUp
                | Action::MoveDown
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
        );
        match self.focus {
            _ if !moved => {}
            Pane::Rollouts => self.pick_rollout(sel),
            Pane::Timeline => {
                let key = self.timeline_rows().nth(sel).and_then(|r| r.key.clone());
                self.timeline_pick = key;
            }
            Pane::Health | Pane::Signals | Pane::Checklist => {
                if let Some(row) = self.visible(self.focus).get(sel) {
                    self.row_picks[self.focus.index()] = Some(*row);
                }
            }
        }
    }
}
