//! Keys in the guided walkthrough of the checklist.

use crate::action::Action;
use crate::state::screen::Screen;
use crate::state::{AppState, WALKTHROUGH_PAGE};

impl AppState {
    pub(super) fn walkthrough_key(&mut self, action: Action) {
        let len = self.walkthrough_len();
        let scroll = match &mut self.screen {
            Screen::Walkthrough { scroll } => scroll,
            _ => return,
        };
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.open_help(),
            Action::Back | Action::Cancel | Action::Walkthrough => self.close_view(),
            Action::MoveDown | Action::Open => self.step_item(1),
            Action::MoveUp => self.step_item(-1),
            // The text of a long item (its guide) scrolls; the view stops
            // at its end.
            Action::PageDown => *scroll = scroll.saturating_add(WALKTHROUGH_PAGE).min(len),
            Action::PageUp => *scroll = scroll.saturating_sub(WALKTHROUGH_PAGE),
            Action::Top => *scroll = 0,
            Action::Bottom => *scroll = len,
            Action::Tick => self.tick(),
            Action::SkipItem => self.skip_item(),
            Action::Note => self.open_note(),
            Action::Milestone => self.open_milestone(),
            _ => {}
        }
    }
}
