//! The five dashboard panes and their focus order.

use crate::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Rollouts,
    Health,
    Signals,
    Checklist,
    Timeline,
}

impl Pane {
    /// Focus order for Tab.
    pub const ALL: [Pane; 5] = [
        Pane::Rollouts,
        Pane::Health,
        Pane::Signals,
        Pane::Checklist,
        Pane::Timeline,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Rollouts => "Rollouts",
            Pane::Health => "Health",
            Pane::Signals => "Signals",
            Pane::Checklist => "Checklist",
            Pane::Timeline => "Timeline",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::ALL.len()]
    }

    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }

    /// The action that focuses this pane.
    pub fn focus_action(self) -> Action {
        match self {
            Pane::Rollouts => Action::FocusRollouts,
            Pane::Health => Action::FocusHealth,
            Pane::Signals => Action::FocusSignals,
            Pane::Checklist => Action::FocusChecklist,
            Pane::Timeline => Action::FocusTimeline,
        }
    }

    /// Footer hints while this pane has focus: the actions of each hint and
    /// its label.
    pub fn hints(self) -> &'static [(&'static [Action], &'static str)] {
        // Help and quit first: a narrow footer cuts from the end.
        const HELP: (&[Action], &str) = (&[Action::Help], "help");
        const QUIT: (&[Action], &str) = (&[Action::Quit], "quit");
        const MOVE: (&[Action], &str) = (&[Action::MoveDown, Action::MoveUp], "move");
        const PANE: (&[Action], &str) = (&[Action::FocusNext, Action::FocusPrev], "pane");
        const ZOOM: (&[Action], &str) = (&[Action::ToggleZoom], "zoom");
        match self {
            Pane::Rollouts => &[
                HELP,
                QUIT,
                MOVE,
                (&[Action::Scale], "scale"),
                (&[Action::Restart], "restart"),
                (&[Action::PauseResume], "pause"),
                (&[Action::Rollback], "rollback"),
                PANE,
                ZOOM,
            ],
            Pane::Timeline => &[HELP, QUIT, PANE, ZOOM],
            _ => &[HELP, QUIT, MOVE, PANE, ZOOM],
        }
    }
}
