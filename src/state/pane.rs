//! The five dashboard panes and their focus order.

use crate::action::Action;
use crate::config::keymap::Mode;

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
    /// its label. Help first, then the pane's own keys: a narrow footer
    /// gives up hints from the end.
    pub fn hints(self) -> &'static [(&'static [Action], &'static str)] {
        const HELP: (&[Action], &str) = (&[Action::Help], "help");
        const QUIT: (&[Action], &str) = (&[Action::Quit], "quit");
        const MOVE: (&[Action], &str) = (&[Action::MoveDown, Action::MoveUp], "move");
        const PANE: (&[Action], &str) = (&[Action::FocusNext, Action::FocusPrev], "pane");
        const ZOOM: (&[Action], &str) = (&[Action::ToggleZoom], "zoom");
        const FILTER: (&[Action], &str) = (&[Action::Filter], "filter");
        match self {
            Pane::Rollouts => &[
                HELP,
                FILTER,
                (&[Action::Open], "open"),
                (&[Action::Logs], "logs"),
                (&[Action::Scale], "scale"),
                (&[Action::Restart], "restart"),
                (&[Action::PauseResume], "pause"),
                (&[Action::Rollback], "rollback"),
                (&[Action::BlueGreen], "blue-green"),
                QUIT,
                MOVE,
                PANE,
                ZOOM,
            ],
            Pane::Health => &[
                HELP,
                FILTER,
                (&[Action::Open], "detail"),
                (&[Action::RunBurst], "burst"),
                QUIT,
                MOVE,
                PANE,
                ZOOM,
            ],
            Pane::Signals => &[
                HELP,
                FILTER,
                (&[Action::Open], "detail"),
                QUIT,
                MOVE,
                PANE,
                ZOOM,
            ],
            Pane::Checklist => &[
                HELP,
                FILTER,
                (&[Action::Tick], "tick"),
                (&[Action::SkipItem], "skip"),
                (&[Action::Note], "note"),
                (&[Action::Walkthrough], "walkthrough"),
                QUIT,
                MOVE,
                PANE,
                ZOOM,
            ],
            Pane::Timeline => &[
                HELP,
                FILTER,
                (&[Action::FilterKind], "kind"),
                (&[Action::Star], "star"),
                (&[Action::Note], "note"),
                QUIT,
                MOVE,
                PANE,
                ZOOM,
            ],
        }
    }
}

/// A view that takes the dashboard's place (or, for the log view, the
/// workload view's) and has footer hints of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Workload,
    Logs,
    Walkthrough,
    Detail,
    Object,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Workload,
        View::Logs,
        View::Walkthrough,
        View::Detail,
        View::Object,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Workload => "Workload view",
            View::Logs => "Log view",
            View::Walkthrough => "Walkthrough",
            View::Detail => "Probe or signal detail",
            View::Object => "YAML and describe view",
        }
    }

    /// The keymap modes its keys are read from, first first.
    pub fn modes(self) -> &'static [Mode] {
        match self {
            View::Logs => &[Mode::Logs, Mode::List, Mode::Dashboard],
            View::Workload | View::Walkthrough | View::Detail | View::Object => {
                &[Mode::List, Mode::Dashboard]
            }
        }
    }

    /// Footer hints while this view is open, as `Pane::hints`.
    pub fn hints(self) -> &'static [(&'static [Action], &'static str)] {
        match self {
            View::Workload => &[
                (&[Action::Help], "help"),
                (&[Action::Back], "back"),
                (&[Action::Filter], "filter"),
                (&[Action::FocusNext], "section"),
                (&[Action::Open, Action::Logs], "logs"),
                (&[Action::DeletePod], "delete pod"),
                (&[Action::Sort], "sort"),
                (&[Action::Scale], "scale"),
                (&[Action::Restart], "restart"),
                (&[Action::Rollback], "rollback"),
                (&[Action::PauseResume], "pause"),
            ],
            View::Object => &[
                (&[Action::Help], "help"),
                (&[Action::Back], "back"),
                (&[Action::MoveUp, Action::MoveDown], "scroll"),
                (&[Action::Yaml], "yaml"),
                (&[Action::Describe], "describe"),
                (&[Action::Filter], "search"),
                (&[Action::Open], "next match"),
                (&[Action::FocusNext], "related"),
            ],
            View::Logs => &[
                (&[Action::Help], "help"),
                (&[Action::Back], "back"),
                (&[Action::MoveUp, Action::MoveDown], "scroll"),
                (&[Action::Follow], "follow"),
                (&[Action::Filter], "filter"),
                (&[Action::Wrap], "wrap"),
                (&[Action::ScrollLeft, Action::ScrollRight], "sideways"),
                (&[Action::PreviousLogs], "previous"),
                (&[Action::NextContainer], "container"),
            ],
            View::Walkthrough => &[
                (&[Action::Help], "help"),
                (&[Action::Back], "leave"),
                (&[Action::MoveDown, Action::MoveUp], "next/prev"),
                (&[Action::Tick], "done"),
                (&[Action::SkipItem], "skip"),
                (&[Action::Note], "note"),
                (&[Action::PageDown, Action::PageUp], "scroll"),
            ],
            View::Detail => &[
                (&[Action::Help], "help"),
                (&[Action::Back], "back"),
                (&[Action::Quit], "quit"),
            ],
        }
    }
}

/// Hints with the keys the keymap binds to their actions (the first key
/// of each action, looked up in `modes` in order; the keys of one hint
/// joined by `/`); a hint whose actions have no key is left out.
pub fn bound_hints(
    keymap: &crate::config::keymap::Keymap,
    hints: &[(&[Action], &'static str)],
    modes: &[Mode],
) -> Vec<(String, &'static str)> {
    hints
        .iter()
        .filter_map(|(actions, label)| {
            let keys: Vec<String> = actions
                .iter()
                .filter_map(|&a| {
                    modes
                        .iter()
                        .find_map(|&m| keymap.keys_for(m, a).into_iter().next())
                })
                .map(|k| k.to_string())
                .collect();
            (!keys.is_empty()).then(|| (keys.join("/"), *label))
        })
        .collect()
}
