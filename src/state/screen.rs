//! What is on screen, by construction: one [`Screen`] fills the body (the
//! dashboard, or a view in its place), and at most one [`Overlay`] is drawn
//! over it. [`AppState::layer`] is the one place that decides who takes
//! the keys; the keymap's input context, the footer's hints and the key
//! handlers (`state/keys/`) all follow it.

use super::actions::Dialog;
use super::faults::FaultMenu;
use super::help::HelpView;
use super::logs::LogView;
use super::picker::Picker;
use super::workload::WorkloadView;
use super::{AppState, Detail, View};
use crate::action::Action;
use crate::config::keymap::{InputContext, Mode};

/// What fills the body under the header.
#[derive(Debug, Clone, Default)]
pub enum Screen {
    #[default]
    Dashboard,
    /// A workload's pods, ReplicaSets and events; its log view, when
    /// open, takes its place.
    Workload(Box<WorkloadView>),
    /// The guided walkthrough of the checklist (its item is the Checklist
    /// pane's selection), its text scrolled by `scroll` lines.
    Walkthrough { scroll: u16 },
    /// A probe's or a signal's detail.
    Detail(Detail),
    /// One object's YAML or describe summary.
    Object(Box<super::object::ObjectView>),
}

/// What is drawn over the screen and takes the keys first.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help(HelpView),
    /// An action's dialog: its preview, dry run, confirmation, text fields.
    Action(Dialog),
    /// The environment and context picker.
    Picker(Picker),
    /// The demo's fault menu.
    Faults(FaultMenu),
    /// The cluster's nodes.
    Nodes(super::nodes::NodesView),
}

/// Who takes the keys now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// An action dialog; `editing` when its text field has focus.
    Action {
        editing: bool,
    },
    Picker,
    Faults,
    Nodes,
    Help,
    /// A view in the dashboard's place; `filtering` when its filter field
    /// has focus (the log view's, or a workload view section's).
    View(View, bool),
    /// The dashboard; `filtering` while the focused pane's filter is typed.
    Dashboard {
        filtering: bool,
    },
}

/// Hints of an overlay: what its keys do.
const HELP_HINTS: &[(&[Action], &str)] = &[
    (&[Action::MoveDown, Action::MoveUp], "scroll"),
    (&[Action::Cancel], "close"),
    (&[Action::Quit], "quit"),
];
const FAULT_HINTS: &[(&[Action], &str)] = &[
    (&[Action::MoveDown, Action::MoveUp], "choose"),
    (&[Action::Confirm], "inject"),
    (&[Action::Cancel], "close"),
];
const NODES_HINTS: &[(&[Action], &str)] = &[
    (&[Action::MoveDown, Action::MoveUp], "choose"),
    (&[Action::Cancel], "close"),
    (&[Action::Quit], "quit"),
];
const PICKER_HINTS: &[(&[Action], &str)] = &[
    (&[Action::MoveDown, Action::MoveUp], "choose"),
    (&[Action::Confirm], "switch"),
    (&[Action::Cancel], "close"),
];
const ACTION_HINTS: &[(&[Action], &str)] =
    &[(&[Action::Confirm], "go on"), (&[Action::Cancel], "cancel")];
const EDITING_HINTS: &[(&[Action], &str)] =
    &[(&[Action::Submit], "go on"), (&[Action::Cancel], "cancel")];
const SEARCHING_HINTS: &[(&[Action], &str)] =
    &[(&[Action::Submit], "search"), (&[Action::Cancel], "cancel")];
const FILTERING_HINTS: &[(&[Action], &str)] = &[
    (&[Action::Submit], "apply filter"),
    (&[Action::Cancel], "cancel"),
];
/// While a list's filter is typed: the list narrows as it changes.
const LIST_FILTERING_HINTS: &[(&[Action], &str)] = &[
    (&[Action::Submit], "keep filter"),
    (&[Action::Cancel], "cancel"),
];

/// Actions that change the cluster: not offered when read-only.
const MUTATING: &[Action] = &[
    Action::Scale,
    Action::Restart,
    Action::PauseResume,
    Action::Rollback,
    Action::UndoRegression,
    Action::BlueGreen,
];

impl AppState {
    /// Who takes the keys: the overlay, else the screen.
    pub fn layer(&self) -> Layer {
        match &self.overlay {
            Some(Overlay::Action(d)) => Layer::Action {
                editing: d.editing(),
            },
            Some(Overlay::Picker(_)) => Layer::Picker,
            Some(Overlay::Faults(_)) => Layer::Faults,
            Some(Overlay::Nodes(_)) => Layer::Nodes,
            Some(Overlay::Help(_)) => Layer::Help,
            None => match self.view() {
                Some(View::Logs) => Layer::View(
                    View::Logs,
                    self.log_view().is_some_and(|l| l.editor.is_some()),
                ),
                Some(View::Object) => Layer::View(
                    View::Object,
                    self.object_view().is_some_and(|o| o.editor.is_some()),
                ),
                Some(View::Workload) => Layer::View(
                    View::Workload,
                    self.workload()
                        .is_some_and(|w| w.filters[w.section.index()].editing()),
                ),
                Some(view) => Layer::View(view, false),
                None => Layer::Dashboard {
                    filtering: self.filters[self.focus.index()].editing(),
                },
            },
        }
    }

    /// The view in the dashboard's place, if any.
    pub fn view(&self) -> Option<View> {
        match &self.screen {
            Screen::Dashboard => None,
            Screen::Workload(w) if w.logs.is_some() => Some(View::Logs),
            Screen::Workload(_) => Some(View::Workload),
            Screen::Walkthrough { .. } => Some(View::Walkthrough),
            Screen::Detail(_) => Some(View::Detail),
            Screen::Object(_) => Some(View::Object),
        }
    }

    /// How the keymap routes a key in this layer.
    pub fn input_context(&self) -> InputContext {
        let layer = self.layer();
        InputContext {
            dialog_open: matches!(
                layer,
                Layer::Action { .. } | Layer::Picker | Layer::Faults | Layer::Nodes | Layer::Help
            ),
            editor_focused: matches!(
                layer,
                Layer::Action { editing: true }
                    | Layer::View(View::Logs | View::Workload | View::Object, true)
                    | Layer::Dashboard { filtering: true }
            ),
            log_view: self.log_view().is_some(),
        }
    }

    /// The footer's key hints: the layer's, with the keys the keymap binds.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        let layer = self.layer();
        let (groups, modes): (&[(&[Action], &str)], &[Mode]) = match layer {
            Layer::Action { editing: true } => (EDITING_HINTS, &[Mode::Editor]),
            Layer::Action { editing: false } => (ACTION_HINTS, &[Mode::Dialog]),
            Layer::Faults => (FAULT_HINTS, &[Mode::Dialog]),
            Layer::Nodes => (NODES_HINTS, &[Mode::Dialog]),
            Layer::Picker => (PICKER_HINTS, &[Mode::Dialog]),
            Layer::Help => (HELP_HINTS, &[Mode::Dialog]),
            Layer::View(View::Logs, true) => (FILTERING_HINTS, &[Mode::Editor]),
            Layer::View(View::Object, true) => (SEARCHING_HINTS, &[Mode::Editor]),
            Layer::View(View::Workload, true) | Layer::Dashboard { filtering: true } => {
                (LIST_FILTERING_HINTS, &[Mode::Editor])
            }
            Layer::View(view, _) => (view.hints(), view.modes()),
            Layer::Dashboard { .. } => (self.focus.hints(), &[Mode::List, Mode::Dashboard]),
        };
        // Read-only: the actions are not offered; the footer says why.
        let read_only = self.target.read_only;
        let mut offered: Vec<(&[Action], &'static str)> = groups
            .iter()
            .filter(|(actions, _)| !(read_only && actions.iter().any(|a| MUTATING.contains(a))))
            .copied()
            .collect();
        // A filter set in the list: esc clears it, said after `/`.
        let filter_set = match layer {
            Layer::Dashboard { filtering: false } => self.filters[self.focus.index()].is_set(),
            Layer::View(View::Workload, false) => self
                .workload()
                .is_some_and(|w| w.filters[w.section.index()].is_set()),
            _ => false,
        };
        if filter_set {
            // Where esc goes back, it clears the filter first: said so.
            match offered.iter().position(|(a, _)| a.contains(&Action::Back)) {
                Some(back) => offered[back].1 = "clear filter",
                None => {
                    let at = offered
                        .iter()
                        .position(|(actions, _)| actions.contains(&Action::Filter))
                        .map_or(offered.len(), |i| i + 1);
                    offered.insert(at, (&[Action::Back], "clear filter"));
                }
            }
        }
        let mut hints = super::pane::bound_hints(&self.keymap, &offered, modes);
        if read_only && !matches!(layer, Layer::Action { .. } | Layer::Help) {
            hints.push(("RO".into(), "actions off (read-only)"));
        }
        hints
    }

    /// The open action dialog.
    pub fn dialog(&self) -> Option<&Dialog> {
        match &self.overlay {
            Some(Overlay::Action(d)) => Some(d),
            _ => None,
        }
    }

    pub fn dialog_mut(&mut self) -> Option<&mut Dialog> {
        match &mut self.overlay {
            Some(Overlay::Action(d)) => Some(d),
            _ => None,
        }
    }

    /// Opens an action dialog (or closes it: None), over whatever else.
    pub fn set_dialog(&mut self, dialog: Option<Dialog>) {
        match dialog {
            Some(d) => self.overlay = Some(Overlay::Action(d)),
            None if self.dialog().is_some() => self.overlay = None,
            None => {}
        }
    }

    /// Opens an action dialog over the screen.
    pub(super) fn dialog_open(&mut self, dialog: Dialog) {
        self.overlay = Some(Overlay::Action(dialog));
        self.dialog_namespace = None;
    }

    /// The open dialog, changed by `f` (None closes it); nothing when no
    /// dialog is open.
    pub(super) fn map_dialog(&mut self, f: impl FnOnce(Dialog) -> Option<Dialog>) {
        if let Some(Overlay::Action(d)) = self.overlay.take() {
            self.overlay = f(d).map(Overlay::Action);
        } else if let Some(other) = self.overlay.take() {
            self.overlay = Some(other);
        }
    }

    pub fn help(&self) -> Option<&HelpView> {
        match &self.overlay {
            Some(Overlay::Help(h)) => Some(h),
            _ => None,
        }
    }

    pub fn picker(&self) -> Option<&Picker> {
        match &self.overlay {
            Some(Overlay::Picker(p)) => Some(p),
            _ => None,
        }
    }

    pub fn object_view(&self) -> Option<&super::object::ObjectView> {
        match &self.screen {
            Screen::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn object_view_mut(&mut self) -> Option<&mut super::object::ObjectView> {
        match &mut self.screen {
            Screen::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn nodes_view(&self) -> Option<&super::nodes::NodesView> {
        match &self.overlay {
            Some(Overlay::Nodes(v)) => Some(v),
            _ => None,
        }
    }

    pub fn nodes_view_mut(&mut self) -> Option<&mut super::nodes::NodesView> {
        match &mut self.overlay {
            Some(Overlay::Nodes(v)) => Some(v),
            _ => None,
        }
    }

    pub fn fault_menu(&self) -> Option<&FaultMenu> {
        match &self.overlay {
            Some(Overlay::Faults(m)) => Some(m),
            _ => None,
        }
    }

    /// The open workload view (also under its log view).
    pub fn workload(&self) -> Option<&WorkloadView> {
        match &self.screen {
            Screen::Workload(w) => Some(w),
            _ => None,
        }
    }

    pub fn workload_mut(&mut self) -> Option<&mut WorkloadView> {
        match &mut self.screen {
            Screen::Workload(w) => Some(w),
            _ => None,
        }
    }

    /// The open log view.
    pub fn log_view(&self) -> Option<&LogView> {
        self.workload().and_then(|w| w.logs.as_ref())
    }

    pub(super) fn log_view_mut(&mut self) -> Option<&mut LogView> {
        self.workload_mut().and_then(|w| w.logs.as_mut())
    }

    /// The open detail view.
    pub fn detail(&self) -> Option<&Detail> {
        match &self.screen {
            Screen::Detail(d) => Some(d),
            _ => None,
        }
    }

    /// The walkthrough is on: how far its text is scrolled.
    pub fn walkthrough(&self) -> Option<u16> {
        match self.screen {
            Screen::Walkthrough { scroll } => Some(scroll),
            _ => None,
        }
    }

    /// Opens the help overlay.
    pub(super) fn open_help(&mut self) {
        self.overlay = Some(Overlay::Help(HelpView::new(&self.keymap)));
    }

    /// Back to the dashboard, with the pane that was focused.
    pub(super) fn close_view(&mut self) {
        self.screen = Screen::Dashboard;
    }
}
