//! Keys in a probe's or signal's detail view.

use crate::action::Action;
use crate::state::AppState;

impl AppState {
    pub(super) fn detail_key(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.open_help(),
            Action::Back | Action::Cancel | Action::Open => self.close_view(),
            Action::RunBurst => self.open_burst(),
            _ => {}
        }
    }
}
