//! The application state and the pure `update(state, msg)` that changes it.
//! Rendering reads this; only `update` writes it.

pub mod checklist;
pub mod help;
pub mod pane;

use crossterm::event::{Event, KeyEventKind};

use crate::action::Action;
use crate::config::keymap::{Dispatch, InputContext, Keymap};
use crate::config::keys::Key;
use crate::config::theme::Theme;
use crate::runbook::Runbook;
use crate::runbook::select::Target;
use checklist::ChecklistRow;
use help::HelpView;
pub use pane::Pane;

/// Everything the loop receives: input, clock ticks, and (from later data
/// sources) their results.
#[derive(Debug, Clone)]
pub enum Msg {
    Input(Event),
    /// The clock text for the header.
    Tick(String),
    /// Something the operator should see, e.g. a bad user file.
    Warning(String),
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub target: Target,
    pub runbook: Option<Runbook>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub focus: Pane,
    pub zoomed: bool,
    pub help: Option<HelpView>,
    pub warnings: Vec<String>,
    pub warnings_hidden: bool,
    pub clock: String,
    /// Selected row of each pane, by `Pane::index`.
    pub selected: [usize; 5],
    /// Key hints for the footer, derived from the keymap and the focus.
    pub hints: Vec<(Key, &'static str)>,
    /// Checklist rows, derived from the runbook.
    pub checklist: Vec<ChecklistRow>,
    /// Terminal size, for paging.
    pub size: (u16, u16),
    pub quit: bool,
}

impl AppState {
    pub fn new(target: Target, runbook: Option<Runbook>, theme: Theme, keymap: Keymap) -> AppState {
        let checklist = runbook.as_ref().map(checklist::rows).unwrap_or_default();
        let mut warnings = Vec::new();
        warnings.extend(target.warning.clone());
        let mut state = AppState {
            target,
            runbook,
            theme,
            keymap,
            focus: Pane::Rollouts,
            zoomed: false,
            help: None,
            warnings,
            warnings_hidden: false,
            clock: String::new(),
            selected: [0; 5],
            hints: Vec::new(),
            checklist,
            size: (80, 24),
            quit: false,
        };
        state.refresh_hints();
        state
    }

    /// How many selectable rows a pane has.
    pub fn row_count(&self, pane: Pane) -> usize {
        let rb = self.runbook.as_ref();
        match pane {
            Pane::Rollouts => rb.map_or(0, |r| r.file.workloads.len()),
            Pane::Health => rb.map_or(0, |r| r.file.probes.len()),
            Pane::Signals => rb.map_or(0, |r| r.file.signals.len()),
            Pane::Checklist => self.checklist.len(),
            Pane::Timeline => 0,
        }
    }

    fn input_context(&self) -> InputContext {
        InputContext {
            dialog_open: self.help.is_some(),
            editor_focused: false,
        }
    }

    fn refresh_hints(&mut self) {
        let actions: &[Action] = if self.help.is_some() {
            &[Action::MoveDown, Action::MoveUp, Action::Cancel, Action::Quit]
        } else {
            self.focus.hint_actions()
        };
        let mode_keys = |a: Action| {
            if self.help.is_some() {
                self.keymap
                    .keys_for(crate::config::keymap::Mode::Dialog, a)
                    .into_iter()
                    .next()
            } else {
                self.keymap.pane_key(a)
            }
        };
        self.hints = actions
            .iter()
            .filter_map(|&a| mode_keys(a).map(|k| (k, a.hint())))
            .collect();
    }

    fn apply(&mut self, action: Action) {
        if let Some(help) = &mut self.help {
            let page = usize::from(self.size.1.saturating_sub(6)).max(1);
            match action {
                Action::Quit => self.quit = true,
                Action::Help | Action::Cancel | Action::Confirm | Action::Back => self.help = None,
                Action::MoveUp => help.scroll = help.scroll.saturating_sub(1),
                Action::MoveDown => help.scroll += 1,
                Action::PageUp => help.scroll = help.scroll.saturating_sub(page),
                Action::PageDown => help.scroll += page,
                Action::Top => help.scroll = 0,
                Action::Bottom => help.scroll = help.lines.len(),
                _ => {}
            }
            if let Some(help) = &mut self.help {
                help.scroll = help.scroll.min(help.lines.len().saturating_sub(1));
            }
            self.refresh_hints();
            return;
        }
        let rows = self.row_count(self.focus);
        let page = usize::from(self.size.1 / 2).max(1);
        let sel = &mut self.selected[self.focus.index()];
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = Some(HelpView::new(&self.keymap)),
            Action::FocusNext => self.focus = self.focus.next(),
            Action::FocusPrev => self.focus = self.focus.prev(),
            Action::FocusRollouts
            | Action::FocusHealth
            | Action::FocusSignals
            | Action::FocusChecklist
            | Action::FocusTimeline => {
                if let Some(p) = Pane::ALL.into_iter().find(|p| p.focus_action() == action) {
                    self.focus = p;
                }
            }
            Action::ToggleZoom => self.zoomed = !self.zoomed,
            Action::Back => {
                if self.zoomed {
                    self.zoomed = false;
                } else {
                    self.warnings_hidden = true;
                }
            }
            Action::MoveUp => *sel = sel.saturating_sub(1),
            Action::MoveDown => *sel += 1,
            Action::PageUp => *sel = sel.saturating_sub(page),
            Action::PageDown => *sel += page,
            Action::Top => *sel = 0,
            Action::Bottom => *sel = rows,
            Action::Confirm | Action::Cancel | Action::Submit => {}
        }
        let max = self.row_count(self.focus).saturating_sub(1);
        let sel = &mut self.selected[self.focus.index()];
        *sel = (*sel).min(max);
        self.refresh_hints();
    }
}

/// Applies a message. Returns whether anything visible changed.
pub fn update(state: &mut AppState, msg: Msg) -> bool {
    match msg {
        Msg::Input(Event::Key(key)) => {
            if key.kind == KeyEventKind::Release {
                return false;
            }
            match state.keymap.dispatch(state.input_context(), Key::from_event(&key)) {
                Dispatch::Action(action) => {
                    state.apply(action);
                    true
                }
                Dispatch::Editor(_) | Dispatch::Ignored => false,
            }
        }
        Msg::Input(Event::Resize(w, h)) => {
            state.size = (w, h);
            true
        }
        Msg::Input(_) => false,
        Msg::Tick(clock) => {
            let changed = clock != state.clock;
            state.clock = clock;
            changed
        }
        Msg::Warning(w) => {
            state.warnings.push(w);
            state.warnings_hidden = false;
            true
        }
    }
}
