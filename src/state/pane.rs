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
        const MOVE: (&[Action], &str) = (&[Action::MoveDown, Action::MoveUp], "move");
        const COMMON: [(&[Action], &str); 4] = [
            (&[Action::FocusNext, Action::FocusPrev], "pane"),
            (&[Action::ToggleZoom], "zoom"),
            (&[Action::Help], "help"),
            (&[Action::Quit], "quit"),
        ];
        match self {
            Pane::Timeline => &COMMON,
            _ => &[MOVE, COMMON[0], COMMON[1], COMMON[2], COMMON[3]],
        }
    }
}
