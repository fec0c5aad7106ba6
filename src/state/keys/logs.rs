//! Keys in the log view: scroll, follow, filter, wrap, another container
//! or the previous one's logs.

use crate::action::Action;
use crate::state::{AppState, Effect};

impl AppState {
    pub(super) fn logs_key(&mut self, action: Action) {
        let page = usize::from(self.size.1.saturating_sub(8)).max(1);
        let Some(logs) = self.log_view_mut() else {
            return;
        };
        let editing = logs.editor.is_some();
        let page = page as isize;
        match action {
            Action::Submit if editing => logs.end_filter(true),
            Action::Cancel if editing => logs.end_filter(false),
            Action::Quit => self.quit = true,
            Action::Help => self.open_help(),
            Action::Back | Action::Cancel => {
                if let Some(view) = self.workload_mut() {
                    view.logs = None;
                }
                self.effects.push(Effect::Logs(None));
            }
            Action::MoveUp => logs.scroll_by(1),
            Action::MoveDown => logs.scroll_by(-1),
            Action::PageUp => logs.scroll_by(page),
            Action::PageDown => logs.scroll_by(-page),
            Action::Top => logs.to_start(),
            Action::Bottom => logs.to_end(),
            Action::Follow if logs.follow => logs.follow = false,
            Action::Follow => logs.to_end(),
            Action::Filter => logs.start_filter(),
            Action::Wrap => logs.toggle_wrap(),
            Action::ScrollLeft => logs.scroll_sideways(-1),
            Action::ScrollRight => logs.scroll_sideways(1),
            Action::PreviousLogs => {
                logs.previous = !logs.previous;
                self.restart_logs();
            }
            Action::NextContainer if logs.containers.len() > 1 => {
                logs.container = (logs.container + 1) % logs.containers.len();
                self.restart_logs();
            }
            Action::NextContainer => {
                self.notice = Some(format!("pod {} has one container", logs.pod));
            }
            _ => {}
        }
    }
}
