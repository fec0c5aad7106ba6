//! The application state and the pure `update(state, msg)` that changes it.
//! Rendering reads this; only `update` writes it.

pub mod actions;
pub mod checklist;
pub mod cluster;
pub mod faults;
pub mod help;
pub mod pane;
pub mod timeline;

use crossterm::event::{Event, KeyEventKind};

use crate::action::Action;
use crate::config::keymap::{Dispatch, InputContext, Keymap, Mode};
use crate::config::keys::Key;
use crate::config::theme::Theme;
use crate::runbook::Runbook;
use crate::runbook::select::Target;
use checklist::ChecklistRow;
use help::HelpView;
pub use pane::Pane;

/// What `update` asks the loop to do outside the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Inject a fault into the demo's simulated environment.
    Inject(faults::Fault),
    /// Dry-run or execute an action on the cluster.
    Act(actions::Request),
}

/// Everything the loop receives: input, clock ticks, and (from later data
/// sources) their results.
#[derive(Debug, Clone)]
pub enum Msg {
    Input(Event),
    /// The clock: text for the header, and seconds since the epoch.
    Tick(String, i64),
    /// Something the operator should see, e.g. a bad user file.
    Warning(String),
    /// A passing message, e.g. the result of an injected fault.
    Notice(String),
    /// From the Kubernetes watches.
    Kube(crate::kube::KubeMsg),
    /// The server-side dry run of the open action answered.
    DryRun(Result<(), String>),
    /// The action was executed (the outcome is in the journal).
    Acted(Result<String, String>),
    /// The journal as read now.
    Journal(Vec<crate::journal::Record>),
    /// The revisions for the rollback picker.
    Revisions(Result<Vec<actions::RevisionChoice>, String>),
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
    /// The open action dialog.
    pub dialog: Option<actions::Dialog>,
    /// The demo's fault menu, when open.
    pub fault_menu: Option<faults::FaultMenu>,
    /// Running in `ops-tui demo`: the fault menu is available.
    pub demo: bool,
    /// The last notice, shown until the next key.
    pub notice: Option<String>,
    /// Effects for the loop to carry out, drained after each update.
    pub effects: Vec<Effect>,
    pub warnings: Vec<String>,
    pub warnings_hidden: bool,
    pub clock: String,
    /// Selected row of each pane, by `Pane::index`.
    pub selected: [usize; 5],
    /// Key hints for the footer, derived from the keymap and the focus.
    pub hints: Vec<(String, &'static str)>,
    /// Checklist rows, derived from the runbook.
    pub checklist: Vec<ChecklistRow>,
    /// Each probe's URL with the runbook's variables filled in (those from
    /// the process environment stay `${NAME}`: they may be secrets).
    pub probe_urls: Vec<String>,
    /// Terminal size, for paging.
    pub size: (u16, u16),
    /// The journal, newest first, derived when it is read.
    pub timeline: Vec<timeline::TimelineRow>,
    /// The cluster as the watches report it.
    pub cluster: cluster::ClusterState,
    /// Seconds since the epoch, from the clock tick (render never reads the clock).
    pub now: i64,
    pub quit: bool,
}

impl AppState {
    pub fn new(target: Target, runbook: Option<Runbook>, theme: Theme, keymap: Keymap) -> AppState {
        let checklist = runbook.as_ref().map(checklist::rows).unwrap_or_default();
        let probe_urls = runbook
            .as_ref()
            .map(|r| probe_urls(r, &target))
            .unwrap_or_default();
        let wanted: Vec<String> = runbook
            .iter()
            .flat_map(|r| r.workloads().map(|w| w.name.get_ref().clone()))
            .collect();
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
            dialog: None,
            fault_menu: None,
            demo: false,
            notice: None,
            effects: Vec::new(),
            warnings,
            warnings_hidden: false,
            clock: String::new(),
            selected: [0; 5],
            hints: Vec::new(),
            checklist,
            probe_urls,
            size: (80, 24),
            timeline: Vec::new(),
            cluster: cluster::ClusterState::new(wanted),
            now: 0,
            quit: false,
        };
        state.refresh_hints();
        state
    }

    /// How many selectable rows a pane has.
    pub fn row_count(&self, pane: Pane) -> usize {
        let rb = self.runbook.as_ref();
        match pane {
            Pane::Rollouts => self.cluster.rows.len(),
            Pane::Health => rb.map_or(0, |r| r.file.probes.len()),
            Pane::Signals => rb.map_or(0, |r| r.file.signals.len()),
            Pane::Checklist => self.checklist.len(),
            Pane::Timeline => self.timeline.len(),
        }
    }

    fn input_context(&self) -> InputContext {
        InputContext {
            dialog_open: self.help.is_some() || self.fault_menu.is_some() || self.dialog.is_some(),
            editor_focused: self.dialog.as_ref().is_some_and(actions::Dialog::editing),
        }
    }

    fn refresh_hints(&mut self) {
        const DIALOG: &[(&[Action], &str)] = &[
            (&[Action::MoveDown, Action::MoveUp], "scroll"),
            (&[Action::Cancel], "close"),
            (&[Action::Quit], "quit"),
        ];
        const MENU: &[(&[Action], &str)] = &[
            (&[Action::MoveDown, Action::MoveUp], "choose"),
            (&[Action::Confirm], "inject"),
            (&[Action::Cancel], "close"),
        ];
        const ACTION: &[(&[Action], &str)] =
            &[(&[Action::Confirm], "go on"), (&[Action::Cancel], "cancel")];
        const EDITING: &[(&[Action], &str)] =
            &[(&[Action::Submit], "go on"), (&[Action::Cancel], "cancel")];
        let (groups, modes): (&[(&[Action], &str)], &[Mode]) = if let Some(d) = &self.dialog {
            if d.editing() {
                (EDITING, &[Mode::Editor])
            } else {
                (ACTION, &[Mode::Dialog])
            }
        } else if self.fault_menu.is_some() {
            (MENU, &[Mode::Dialog])
        } else if self.help.is_some() {
            (DIALOG, &[Mode::Dialog])
        } else {
            (self.focus.hints(), &[Mode::List, Mode::Dashboard])
        };
        self.hints = groups
            .iter()
            .filter_map(|(actions, label)| {
                let keys: Vec<String> = actions
                    .iter()
                    .filter_map(|&a| {
                        modes
                            .iter()
                            .find_map(|&m| self.keymap.keys_for(m, a).into_iter().next())
                    })
                    .map(|k| k.to_string())
                    .collect();
                (!keys.is_empty()).then(|| (keys.join("/"), *label))
            })
            .collect();
    }

    /// The namespace actions go to: the connection's, else the target's.
    fn namespace(&self) -> String {
        self.cluster
            .namespace
            .clone()
            .or_else(|| self.target.namespace.clone())
            .unwrap_or_else(|| "default".into())
    }

    /// Opens the dialog of a keyed action on the selected Deployment.
    fn open_action(&mut self, action: Action) {
        if self.focus != Pane::Rollouts {
            self.notice = Some(format!(
                "{}: select a Deployment in the Rollouts pane first",
                action.hint()
            ));
            return;
        }
        if self.target.read_only {
            self.notice = Some("read-only: actions are off (--read-only, or the environment is read_only without --write)".into());
            return;
        }
        let row = self.cluster.rows.get(self.selected[Pane::Rollouts.index()]);
        let Some(d) = row.and_then(|r| r.deployment.clone()) else {
            self.notice = Some("no Deployment selected".into());
            return;
        };
        let at = jiff::Timestamp::from_second(self.now)
            .map(|t| t.to_string())
            .unwrap_or_default();
        match actions::Dialog::open(action, &d, &self.namespace(), &at) {
            Ok((dialog, request)) => {
                self.dialog = Some(dialog);
                self.effects.extend(request.map(Effect::Act));
            }
            Err(why) => self.notice = Some(why),
        }
    }

    fn apply(&mut self, action: Action) {
        self.notice = None;
        if let Some(dialog) = self.dialog.take() {
            let (next, request) = match action {
                Action::Quit if !dialog.editing() => {
                    self.quit = true;
                    (Some(dialog), None)
                }
                _ => dialog.act(action, &self.namespace()),
            };
            self.dialog = next;
            self.effects.extend(request.map(Effect::Act));
            self.refresh_hints();
            return;
        }
        if let Some(menu) = &mut self.fault_menu {
            let n = faults::FAULTS.len();
            match action {
                Action::Quit => self.quit = true,
                Action::Cancel | Action::Back | Action::Faults => self.fault_menu = None,
                Action::MoveUp => menu.selected = menu.selected.saturating_sub(1),
                Action::MoveDown => menu.selected = (menu.selected + 1).min(n - 1),
                Action::Top | Action::PageUp => menu.selected = 0,
                Action::Bottom | Action::PageDown => menu.selected = n - 1,
                Action::Confirm => {
                    if let Some(fault) = faults::FAULTS.get(menu.selected) {
                        self.effects.push(Effect::Inject(*fault));
                    }
                    self.fault_menu = None;
                }
                _ => {}
            }
            self.refresh_hints();
            return;
        }
        if let Some(help) = &mut self.help {
            // Header, footer, the overlay's margin and borders.
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
                help.scroll = help.scroll.min(help.lines.len().saturating_sub(page));
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
            Action::Faults if self.demo => self.fault_menu = Some(faults::FaultMenu::default()),
            Action::Faults => {
                self.notice = Some("fault injection is for rehearsals: run `ops-tui demo`".into());
            }
            Action::Scale | Action::Restart | Action::PauseResume | Action::Rollback => {
                self.open_action(action)
            }
            Action::Confirm | Action::Cancel | Action::Submit => {}
        }
        let max = self.row_count(self.focus).saturating_sub(1);
        let sel = &mut self.selected[self.focus.index()];
        *sel = (*sel).min(max);
        self.refresh_hints();
    }
}

/// The smallest terminal the dashboard lays out in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

fn probe_urls(runbook: &Runbook, target: &Target) -> Vec<String> {
    let env = target
        .env
        .as_deref()
        .and_then(|name| runbook.environments().find(|(n, _)| *n == name));
    runbook
        .probes()
        .map(|p| {
            let raw = p.url.get_ref();
            match env {
                Some((name, env)) => crate::runbook::vars::expand(
                    raw,
                    crate::runbook::select::display_lookup(runbook.service_name(), name, env),
                )
                .unwrap_or_else(|_| raw.clone()),
                None => raw.clone(),
            }
        })
        .collect()
}

/// Applies a message. Returns whether anything visible changed.
pub fn update(state: &mut AppState, msg: Msg) -> bool {
    match msg {
        Msg::Input(Event::Key(key)) => {
            if key.kind == KeyEventKind::Release {
                return false;
            }
            let too_small = state.size.0 < MIN_WIDTH || state.size.1 < MIN_HEIGHT;
            match state
                .keymap
                .dispatch(state.input_context(), Key::from_event(&key))
            {
                // Nothing else is on screen to act on.
                Dispatch::Action(action) if too_small && action != Action::Quit => false,
                Dispatch::Action(action) => {
                    state.apply(action);
                    true
                }
                Dispatch::Editor(key) => match state.dialog.as_mut() {
                    Some(dialog) => {
                        dialog.type_key(key);
                        true
                    }
                    None => false,
                },
                Dispatch::Ignored => false,
            }
        }
        Msg::Input(Event::Resize(w, h)) => {
            state.size = (w, h);
            true
        }
        Msg::Input(_) => false,
        Msg::Tick(clock, now) => {
            let changed = clock != state.clock;
            state.clock = clock;
            state.now = now;
            changed
        }
        Msg::Warning(w) => {
            state.warnings.push(w);
            state.warnings_hidden = false;
            true
        }
        Msg::Notice(n) => {
            state.notice = Some(n);
            true
        }
        Msg::Kube(k) => {
            state.cluster.update(k, state.now);
            true
        }
        Msg::Revisions(result) => {
            state.dialog = state.dialog.take().and_then(|d| d.revisions_loaded(result));
            state.refresh_hints();
            true
        }
        Msg::Journal(records) => {
            state.timeline = timeline::rows(&records);
            true
        }
        Msg::DryRun(result) => {
            let protected = state.target.protected;
            state.dialog = state
                .dialog
                .take()
                .and_then(|d| d.dry_run_done(result, protected));
            state.refresh_hints();
            true
        }
        Msg::Acted(result) => {
            match result {
                Ok(summary) => {
                    state.dialog = None;
                    state.notice = Some(format!("done: {summary} (journaled)"));
                }
                Err(message) => {
                    let summary = match &state.dialog {
                        Some(actions::Dialog::Running { plan }) => plan.summary.clone(),
                        _ => "the action".into(),
                    };
                    state.dialog = Some(actions::Dialog::Refused { summary, message });
                }
            }
            state.refresh_hints();
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyEventState, KeyModifiers};

    use super::*;
    use crate::runbook::select::{Overrides, select};

    fn state() -> AppState {
        let rb = Runbook::load(std::path::Path::new("runbooks/example.toml")).unwrap();
        let target = select(Some(&rb), &Overrides::default()).unwrap();
        AppState::new(
            target,
            Some(rb),
            Theme::builtin("default"),
            Keymap::load("default", None).0,
        )
    }

    fn key(code: KeyCode, mods: KeyModifiers) -> Msg {
        Msg::Input(Event::Key(KeyEvent::new(code, mods)))
    }

    fn press(s: &mut AppState, code: KeyCode) -> bool {
        update(s, key(code, KeyModifiers::NONE))
    }

    #[test]
    fn tab_cycles_every_pane_and_shift_tab_goes_back() {
        let mut s = state();
        let mut seen = vec![s.focus];
        for _ in 0..5 {
            press(&mut s, KeyCode::Tab);
            seen.push(s.focus);
        }
        assert_eq!(
            seen,
            [
                Pane::Rollouts,
                Pane::Health,
                Pane::Signals,
                Pane::Checklist,
                Pane::Timeline,
                Pane::Rollouts
            ]
        );
        update(&mut s, key(KeyCode::BackTab, KeyModifiers::SHIFT));
        assert_eq!(s.focus, Pane::Timeline);
        press(&mut s, KeyCode::Char('3'));
        assert_eq!(s.focus, Pane::Signals);
    }

    #[test]
    fn zoom_toggles_and_esc_leaves_it_then_hides_warnings() {
        let mut s = state();
        s.warnings.push("w".into());
        press(&mut s, KeyCode::Char('z'));
        assert!(s.zoomed);
        press(&mut s, KeyCode::Esc);
        assert!(!s.zoomed && !s.warnings_hidden);
        press(&mut s, KeyCode::Esc);
        assert!(s.warnings_hidden);
    }

    #[test]
    fn help_takes_keys_while_open() {
        let mut s = state();
        press(&mut s, KeyCode::Char('?'));
        assert!(s.help.is_some());
        // Tab is not a dialog key: focus does not move behind the overlay.
        assert!(!press(&mut s, KeyCode::Tab));
        assert_eq!(s.focus, Pane::Rollouts);
        press(&mut s, KeyCode::Down);
        assert_eq!(s.help.as_ref().unwrap().scroll, 1);
        press(&mut s, KeyCode::Esc);
        assert!(s.help.is_none() && !s.quit);
        assert!(s.hints.iter().any(|h| h.1 == "quit"));
    }

    #[test]
    fn selection_stays_within_the_rows() {
        let mut s = state();
        press(&mut s, KeyCode::Char('4'));
        press(&mut s, KeyCode::End);
        assert_eq!(s.selected[Pane::Checklist.index()], s.checklist.len() - 1);
        for _ in 0..100 {
            press(&mut s, KeyCode::Down);
        }
        assert_eq!(s.selected[Pane::Checklist.index()], s.checklist.len() - 1);
        press(&mut s, KeyCode::Home);
        assert_eq!(s.selected[Pane::Checklist.index()], 0);
    }

    #[test]
    fn releases_and_unchanged_ticks_do_not_redraw() {
        let mut s = state();
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        release.state = KeyEventState::NONE;
        assert!(!update(&mut s, Msg::Input(Event::Key(release))));
        assert!(!s.quit);
        assert!(update(&mut s, Msg::Tick("10:00:00 UTC".into(), 36000)));
        assert!(!update(&mut s, Msg::Tick("10:00:00 UTC".into(), 36000)));
        assert_eq!(s.now, 36000);
        assert!(update(&mut s, Msg::Input(Event::Resize(100, 40))));
        assert_eq!(s.size, (100, 40));
        press(&mut s, KeyCode::Char('q'));
        assert!(s.quit);
    }
}
