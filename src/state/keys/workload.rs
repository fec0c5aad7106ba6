//! Keys in the workload view: its sections, logs, and the actions on it.

use crate::action::Action;
use crate::state::{AppState, workload};

impl AppState {
    pub(super) fn workload_key(&mut self, action: Action) {
        let page = usize::from(self.size.1.saturating_sub(8)).max(1);
        let Some(view) = self.workload() else { return };
        let section = view.section;
        let count = workload::view_of(&self.cluster, view).count(section);
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.open_help(),
            Action::Back | Action::Cancel => self.close_workload(),
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
                    let pod = workload::ordered(&self.cluster, kind, &name, order)
                        .pods
                        .get(index)
                        .map(|p| p.name.clone());
                    if let Some(view) = self.workload_mut() {
                        view.picked_pod = pod;
                    }
                }
            }
        }
    }
}
