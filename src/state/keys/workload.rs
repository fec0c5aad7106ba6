//! Keys in the workload view: its sections and their filters, logs, and
//! the actions on it.

use crate::action::Action;
use crate::state::list_filter::ListFilter;
use crate::state::{AppState, workload};

impl AppState {
    pub(super) fn workload_key(&mut self, action: Action) {
        let page = usize::from(self.size.1.saturating_sub(8)).max(1);
        let Some(view) = self.workload() else { return };
        let section = view.section;
        let filter = &view.filters[section.index()];
        // The section's filter being typed: enter keeps it, esc goes back
        // to the one before (other keys were typed into it).
        if filter.editing() {
            match action {
                Action::Submit | Action::Confirm => self.refilter_section(|f| f.end(true)),
                Action::Cancel | Action::Back => self.refilter_section(|f| f.end(false)),
                _ => {}
            }
            return;
        }
        let filter_set = filter.is_set();
        let derived = workload::view_of(&self.cluster, view);
        let count = view.visible(&derived, section).len();
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.open_help(),
            Action::Back | Action::Cancel if filter_set => {
                self.refilter_section(ListFilter::clear);
            }
            Action::Back | Action::Cancel => self.close_workload(),
            Action::Filter => self.refilter_section(ListFilter::start),
            Action::Open | Action::Logs
                if action == Action::Logs || section == workload::Section::Pods =>
            {
                self.open_logs()
            }
            Action::Scale
            | Action::Restart
            | Action::PauseResume
            | Action::Rollback
            | Action::BlueGreen => self.open_action(action),
            Action::UndoRegression => self.undo_regression(),
            Action::DeletePod => self.open_delete_pod(),
            Action::Nodes => self.open_nodes(),
            Action::Yaml => self.open_object(crate::state::object::ObjectMode::Yaml),
            Action::Describe => self.open_object(crate::state::object::ObjectMode::Describe),
            Action::Sort => {
                if let Some(view) = self.workload_mut() {
                    view.order = view.order.next();
                    view.section = workload::Section::Pods;
                }
                self.anchor_pod();
            }
            Action::SwitchContext => self.open_picker(),
            _ => {
                let Some(view) = self.workload_mut() else {
                    return;
                };
                let sel = &mut view.selected[section.index()];
                match action {
                    Action::FocusNext => view.section = section.next(),
                    Action::FocusPrev => view.section = section.prev(),
                    Action::MoveUp => *sel = sel.saturating_sub(1),
                    Action::MoveDown => *sel += 1,
                    Action::PageUp => *sel = sel.saturating_sub(page),
                    Action::PageDown => *sel += page,
                    Action::Top => *sel = 0,
                    Action::Bottom => *sel = count,
                    _ => {}
                }
                *sel = (*sel).min(count.saturating_sub(1));
                if section == workload::Section::Pods {
                    let index = *sel;
                    let (kind, name, order) = (view.kind, view.name.clone(), view.order);
                    let derived = workload::ordered(&self.cluster, kind, &name, order);
                    let pod = self
                        .workload()
                        .and_then(|v| {
                            v.visible(&derived, workload::Section::Pods)
                                .get(index)
                                .copied()
                        })
                        .and_then(|i| derived.pods.get(i))
                        .map(|p| p.name.clone());
                    if let Some(view) = self.workload_mut() {
                        view.picked_pod = pod;
                    }
                }
            }
        }
    }
}
