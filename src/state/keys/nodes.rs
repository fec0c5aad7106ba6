//! Keys while the nodes overlay is open: move, close.

use crate::action::Action;
use crate::state::AppState;
use crate::state::nodes::{LOAD_EVERY, NodesView};
use crate::state::screen::Overlay;
use crate::state::{Effect, actions::Request};

impl AppState {
    pub(super) fn nodes_key(&mut self, action: Action) {
        let n = self.cluster.nodes.len();
        let page = usize::from(self.size.1.saturating_sub(10)).max(1);
        let Some(view) = self.nodes_view_mut() else {
            return;
        };
        let sel = &mut view.selected;
        match action {
            Action::Quit => self.quit = true,
            Action::Cancel | Action::Back | Action::Nodes => self.overlay = None,
            Action::Yaml => return self.open_object(crate::state::object::ObjectMode::Yaml),
            Action::Describe => {
                return self.open_object(crate::state::object::ObjectMode::Describe);
            }
            Action::MoveUp => *sel = sel.saturating_sub(1),
            Action::MoveDown => *sel += 1,
            Action::PageUp => *sel = sel.saturating_sub(page),
            Action::PageDown => *sel += page,
            Action::Top => *sel = 0,
            Action::Bottom => *sel = n,
            _ => {}
        }
        if let Some(view) = self.nodes_view_mut() {
            view.selected = view.selected.min(n.saturating_sub(1));
        }
    }

    /// Opens the nodes overlay and asks for what the nodes' pods request.
    pub(super) fn open_nodes(&mut self) {
        self.overlay = Some(Overlay::Nodes(NodesView::default()));
        self.reload_nodes();
    }

    /// Asks again for the nodes' load when the overlay is open, nothing is
    /// pending and the last answer is `LOAD_EVERY` old (or there is none).
    pub(in crate::state) fn reload_nodes(&mut self) {
        let now = self.now;
        let id = self.next_request + 1;
        let Some(view) = self.nodes_view_mut() else {
            return;
        };
        if view.pending.is_some() || view.loaded_at.is_some_and(|at| now - at < LOAD_EVERY) {
            return;
        }
        view.pending = Some(id);
        self.next_request = id;
        self.effects.push(Effect::Act(Request::NodeLoad(id)));
    }
}
