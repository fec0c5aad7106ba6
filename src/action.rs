//! What keys map to. Keymap files name these in snake_case.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    FocusNext,
    FocusPrev,
    FocusRollouts,
    FocusHealth,
    FocusSignals,
    FocusChecklist,
    FocusTimeline,
    ToggleZoom,
    Back,
    MoveUp,
    MoveDown,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Confirm,
    Cancel,
    Submit,
    Faults,
    Scale,
    Restart,
    PauseResume,
    Rollback,
    UndoRegression,
    DeletePod,
    Sort,
    Nodes,
    Yaml,
    Describe,
    Open,
    Logs,
    Follow,
    Filter,
    FilterKind,
    PreviousLogs,
    NextContainer,
    BlueGreen,
    SwitchContext,
    RunBurst,
    Tick,
    SkipItem,
    Note,
    Milestone,
    Walkthrough,
    Star,
    Wrap,
    ScrollLeft,
    ScrollRight,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Help,
        Action::FocusNext,
        Action::FocusPrev,
        Action::FocusRollouts,
        Action::FocusHealth,
        Action::FocusSignals,
        Action::FocusChecklist,
        Action::FocusTimeline,
        Action::ToggleZoom,
        Action::Back,
        Action::MoveUp,
        Action::MoveDown,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Confirm,
        Action::Cancel,
        Action::Submit,
        Action::Faults,
        Action::Scale,
        Action::Restart,
        Action::PauseResume,
        Action::Rollback,
        Action::UndoRegression,
        Action::DeletePod,
        Action::Sort,
        Action::Nodes,
        Action::Yaml,
        Action::Describe,
        Action::Open,
        Action::Logs,
        Action::Follow,
        Action::Filter,
        Action::FilterKind,
        Action::PreviousLogs,
        Action::NextContainer,
        Action::BlueGreen,
        Action::SwitchContext,
        Action::RunBurst,
        Action::Tick,
        Action::SkipItem,
        Action::Note,
        Action::Milestone,
        Action::Walkthrough,
        Action::Star,
        Action::Wrap,
        Action::ScrollLeft,
        Action::ScrollRight,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::FocusRollouts => "focus_rollouts",
            Action::FocusHealth => "focus_health",
            Action::FocusSignals => "focus_signals",
            Action::FocusChecklist => "focus_checklist",
            Action::FocusTimeline => "focus_timeline",
            Action::ToggleZoom => "toggle_zoom",
            Action::Back => "back",
            Action::MoveUp => "move_up",
            Action::MoveDown => "move_down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Submit => "submit",
            Action::Faults => "faults",
            Action::Scale => "scale",
            Action::Restart => "restart",
            Action::PauseResume => "pause_resume",
            Action::Rollback => "rollback",
            Action::UndoRegression => "undo_regression",
            Action::DeletePod => "delete_pod",
            Action::Sort => "sort",
            Action::Nodes => "nodes",
            Action::Yaml => "yaml",
            Action::Describe => "describe",
            Action::Open => "open",
            Action::Logs => "logs",
            Action::Follow => "follow",
            Action::Filter => "filter",
            Action::FilterKind => "filter_kind",
            Action::PreviousLogs => "previous_logs",
            Action::NextContainer => "next_container",
            Action::BlueGreen => "blue_green",
            Action::SwitchContext => "switch_context",
            Action::RunBurst => "run_burst",
            Action::Tick => "tick",
            Action::SkipItem => "skip_item",
            Action::Note => "note",
            Action::Milestone => "milestone",
            Action::Walkthrough => "walkthrough",
            Action::Star => "star",
            Action::Wrap => "wrap",
            Action::ScrollLeft => "scroll_left",
            Action::ScrollRight => "scroll_right",
        }
    }

    /// Looks an action up by its keymap name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// One line for the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit ops-tui",
            Action::Help => "show or hide this help",
            Action::FocusNext => "focus the next pane",
            Action::FocusPrev => "focus the previous pane",
            Action::FocusRollouts => "focus the Rollouts pane",
            Action::FocusHealth => "focus the Health pane",
            Action::FocusSignals => "focus the Signals pane",
            Action::FocusChecklist => "focus the Checklist pane",
            Action::FocusTimeline => "focus the Timeline pane",
            Action::ToggleZoom => "zoom the focused pane to full screen, or back",
            Action::Back => "leave zoom, dismiss warnings",
            Action::MoveUp => "select the previous row",
            Action::MoveDown => "select the next row",
            Action::PageUp => "one page up, or scroll the walkthrough's text",
            Action::PageDown => "one page down, or scroll the walkthrough's text",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::Confirm => "confirm the dialog",
            Action::Cancel => "close the dialog or editor, changing nothing",
            Action::Submit => "save the text being edited",
            Action::Faults => "rehearse: inject a fault into the simulated environment (demo only)",
            Action::Scale => {
                "scale the selected workload (previewed, dry-run, confirmed, journaled)"
            }
            Action::Restart => {
                "restart the selected workload's pods (kubectl rollout restart); a CronJob: run it now"
            }
            Action::PauseResume => {
                "pause or resume a Deployment's rollout; suspend or resume a CronJob or Job"
            }
            Action::Rollback => "roll the selected workload back to a chosen revision, with a diff",
            Action::UndoRegression => "roll back the rollout that the regression banner names",
            Action::DeletePod => {
                "delete the selected pod (its controller replaces it), after its grace period"
            }
            Action::Sort => "workload view: order the pods by problems, memory use or CPU use",
            Action::Nodes => {
                "the cluster's nodes: health, pressure, cordoned, requests and use against what they offer"
            }
            Action::Yaml => {
                "the selected object's YAML (managedFields hidden, a Secret's values never shown)"
            }
            Action::Describe => {
                "the selected object described, as kubectl describe, with its events"
            }
            Action::Open => "open the selected item: a workload's view, a pod's logs",
            Action::Logs => {
                "show the logs of the selected pod (on a workload: its first pod, problems first)"
            }
            Action::Follow => "logs: follow new lines, or hold still",
            Action::Filter => {
                "filter the list as you type: words (all must match), !word, field:value, \"a phrase\"; logs: filter lines"
            }
            Action::FilterKind => {
                "Timeline: cycle the kind shown (everything, each kind, failures only)"
            }
            Action::PreviousLogs => {
                "logs: the previous container's logs (after a crash), or back to the current"
            }
            Action::NextContainer => "logs: the pod's next container",
            Action::BlueGreen => {
                "switch the selected workload's blue-green Service to another colour"
            }
            Action::SwitchContext => "switch to another runbook environment or kube context",
            Action::RunBurst => {
                "run the selected probe's burst (a rate-limit test: it loads the service), after confirming"
            }
            Action::Tick => {
                "checklist: mark the selected item done (or not done); a failing check asks for a reason"
            }
            Action::SkipItem => "checklist: skip the selected item, with a reason",
            Action::Note => {
                "write a timestamped note (on the selected item in the Checklist); start with @HH:MM or @-15m to backdate it"
            }
            Action::Milestone => {
                "incident: record the next milestone (detected, acknowledged, mitigated, resolved), now or backdated"
            }
            Action::Walkthrough => {
                "the guided go-live: one checklist item at a time with its check live (resumes where the team left off)"
            }
            Action::Star => "Timeline: star the selected entry for the report (or unstar it)",
            Action::Wrap => "logs: wrap long lines, or cut them (and scroll sideways)",
            Action::ScrollLeft => "logs, not wrapping: scroll left",
            Action::ScrollRight => "logs, not wrapping: scroll right",
        }
    }

    /// A word or two for the footer.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::FocusNext => "next pane",
            Action::FocusPrev => "prev pane",
            Action::FocusRollouts => "rollouts",
            Action::FocusHealth => "health",
            Action::FocusSignals => "signals",
            Action::FocusChecklist => "checklist",
            Action::FocusTimeline => "timeline",
            Action::ToggleZoom => "zoom",
            Action::Back => "back",
            Action::MoveUp => "up",
            Action::MoveDown => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Submit => "save",
            Action::Faults => "faults",
            Action::Scale => "scale",
            Action::Restart => "restart",
            Action::PauseResume => "pause",
            Action::Rollback => "rollback",
            Action::UndoRegression => "undo regression",
            Action::DeletePod => "delete pod",
            Action::Sort => "sort",
            Action::Nodes => "nodes",
            Action::Yaml => "yaml",
            Action::Describe => "describe",
            Action::Open => "open",
            Action::Logs => "logs",
            Action::Follow => "follow",
            Action::Filter => "filter",
            Action::FilterKind => "kind",
            Action::PreviousLogs => "previous",
            Action::NextContainer => "container",
            Action::BlueGreen => "switch",
            Action::SwitchContext => "context",
            Action::RunBurst => "run burst",
            Action::Tick => "tick",
            Action::SkipItem => "skip",
            Action::Note => "note",
            Action::Milestone => "milestone",
            Action::Walkthrough => "walkthrough",
            Action::Star => "star",
            Action::Wrap => "wrap",
            Action::ScrollLeft => "left",
            Action::ScrollRight => "right",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_names() {
        for action in Action::ALL {
            let json = serde_json::to_string(action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.name()));
            assert_eq!(Action::from_name(action.name()), Some(*action));
        }
    }
}
