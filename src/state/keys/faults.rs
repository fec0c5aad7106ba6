//! Keys while the demo's fault menu is open: choose a fault, inject it.

use crate::action::Action;
use crate::state::screen::Overlay;
use crate::state::{AppState, Effect};

impl AppState {
    pub(super) fn faults_key(&mut self, action: Action) {
        let n = self.faults.len();
        let Some(Overlay::Faults(menu)) = &mut self.overlay else {
            return;
        };
        match action {
            Action::Quit => self.quit = true,
            Action::Cancel | Action::Back | Action::Faults => self.overlay = None,
            Action::MoveUp => menu.selected = menu.selected.saturating_sub(1),
            Action::MoveDown => menu.selected = (menu.selected + 1).min(n - 1),
            Action::Top | Action::PageUp => menu.selected = 0,
            Action::Bottom | Action::PageDown => menu.selected = n - 1,
            Action::Confirm => {
                if let Some(fault) = self.faults.get(menu.selected) {
                    self.effects.push(Effect::Inject(*fault));
                }
                self.overlay = None;
            }
            _ => {}
        }
    }
}
