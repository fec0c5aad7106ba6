//! Keys while the environment and context picker is open.

use crate::action::Action;
use crate::state::AppState;
use crate::state::screen::Overlay;

impl AppState {
    pub(super) fn picker_key(&mut self, action: Action) {
        let Some(Overlay::Picker(picker)) = &mut self.overlay else {
            return;
        };
        let n = picker.entries.len();
        match action {
            Action::Quit => self.quit = true,
            Action::Cancel | Action::Back | Action::SwitchContext => self.overlay = None,
            Action::MoveUp => picker.selected = picker.selected.saturating_sub(1),
            Action::MoveDown => picker.selected = (picker.selected + 1).min(n - 1),
            Action::Top | Action::PageUp => picker.selected = 0,
            Action::Bottom | Action::PageDown => picker.selected = n - 1,
            Action::Confirm => {
                let choice = picker
                    .entries
                    .get(picker.selected)
                    .map(|e| e.choice.clone());
                self.overlay = None;
                if let Some(choice) = choice {
                    self.switch_to(&choice);
                }
            }
            _ => {}
        }
    }
}
