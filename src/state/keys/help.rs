//! Keys while the help overlay is open: scroll, close.

use crate::action::Action;
use crate::state::AppState;
use crate::state::screen::Overlay;

impl AppState {
    pub(super) fn help_key(&mut self, action: Action) {
        // Header, footer, the overlay's margin and borders.
        let page = usize::from(self.size.1.saturating_sub(6)).max(1);
        if matches!(
            action,
            Action::Help | Action::Cancel | Action::Confirm | Action::Back
        ) {
            self.overlay = None;
            return;
        }
        if action == Action::Quit {
            self.quit = true;
            return;
        }
        let Some(Overlay::Help(help)) = &mut self.overlay else {
            return;
        };
        match action {
            Action::MoveUp => help.scroll = help.scroll.saturating_sub(1),
            Action::MoveDown => help.scroll += 1,
            Action::PageUp => help.scroll = help.scroll.saturating_sub(page),
            Action::PageDown => help.scroll += page,
            Action::Top => help.scroll = 0,
            Action::Bottom => help.scroll = help.lines.len(),
            _ => {}
        }
        help.scroll = help.scroll.min(help.lines.len().saturating_sub(page));
    }
}
