//! The application state and the pure `update(state, msg)` that changes it.
//! Rendering reads this; only `update` writes it.

pub mod actions;
pub mod bluegreen;
pub mod checklist;
pub use crate::kube::cluster;
pub mod events;
pub mod faults;
pub mod fold;
pub mod health;
pub mod help;
pub mod journal_view;
mod keys;
pub mod keys_doc;
pub mod logs;
mod mask;
pub mod pane;
pub mod picker;
pub mod screen;
pub mod signals;
pub mod timeline;
pub mod verify;
pub mod workload;

use crossterm::event::{Event, KeyEventKind};

use crate::action::Action;
use crate::config::keymap::{Dispatch, Keymap};
use crate::config::keys::Key;
use crate::config::theme::Theme;
use crate::kube::model::DeploymentRow;
use crate::runbook::Runbook;
use crate::runbook::select::{Overrides, Target};
use checklist::ChecklistRow;
pub use pane::{Pane, View};

/// What `update` asks the loop to do outside the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Inject a fault into the demo's simulated environment.
    Inject(faults::Fault),
    /// Dry-run or execute an action on the cluster.
    Act(actions::Request),
    /// Stream a pod's logs (ending any stream before it), or stop.
    Logs(Option<logs::LogRequest>),
    /// Re-target every watch (and the journal) to another environment; the
    /// number tags the new connection's messages.
    Switch(Target, u64),
}

/// Everything the loop receives: input, clock ticks, and (from later data
/// sources) their results.
#[derive(Debug, Clone)]
// A Deployment's projection makes `Kube` the largest; messages are moved
// once through a channel whose blocks are allocated as they fill.
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    Input(Event),
    /// The clock: text for the header, and seconds since the epoch.
    Tick(String, i64),
    /// Something the operator should see, e.g. a bad user file.
    Warning(String),
    /// A passing message, e.g. the result of an injected fault.
    Notice(String),
    /// From the Kubernetes watches of connection number N (see
    /// `ClusterState::generation`); an older connection's are dropped.
    Kube(u64, crate::kube::KubeMsg),
    /// The server-side dry run of request N answered.
    DryRun(u64, Result<(), String>),
    /// The action of request N was executed (the outcome is in the journal).
    Acted(u64, Result<String, String>),
    /// The action of request N was sent and no answer came in time: its
    /// outcome is unknown until it is read back.
    Unanswered(u64),
    /// The object of unanswered request N was read back: whether the change
    /// is in it (None: the server never answered).
    ReadBack(u64, Option<bool>),
    /// The journal as read from its start (what was folded before is
    /// dropped); more may follow as `JournalMore`.
    Journal(Vec<crate::journal::Record>),
    /// Records appended to the journal since those already received.
    JournalMore(Vec<crate::journal::Record>),
    /// The journal's read from its start (after a switch) is complete:
    /// what the dashboard journals on its own may be decided again.
    JournalRead,
    /// The revisions for the rollback picker, answering request N.
    Revisions(u64, Result<Vec<actions::RevisionChoice>, String>),
    /// From the log stream with this number.
    Log(u64, logs::LogEvent),
    /// A probe ran (boxed: results carry bodies and evaluations), for the
    /// environment of connection number N (older ones are dropped).
    Probe(u64, Box<crate::probe::ProbeResult>),
    /// From the Prometheus pollers of connection number N.
    Signal(u64, signals::SignalMsg),
    /// The demo injected a fault (what it did), or could not.
    Injected(faults::Fault, Result<String, String>),
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub target: Target,
    pub runbook: Option<Runbook>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub focus: Pane,
    pub zoomed: bool,
    /// What fills the body: the dashboard, or a view in its place.
    pub screen: screen::Screen,
    /// What is drawn over it and takes the keys first.
    pub overlay: Option<screen::Overlay>,
    /// Running in `ops-tui demo`: the fault menu is available.
    pub demo: bool,
    /// The last notice, shown until the next key.
    pub notice: Option<String>,
    /// Effects for the loop to carry out, drained after each update.
    pub effects: Vec<Effect>,
    pub warnings: Vec<String>,
    pub warnings_hidden: bool,
    pub clock: String,
    /// Selected row of each pane, by `Pane::index`: where the selection
    /// is drawn. Lists that re-sort keep an identity below, and the row
    /// follows it.
    pub selected: [usize; 5],
    /// The Rollouts pane's selection: a workload's identity, never a row
    /// number (rows move as problems sort first).
    pub picked: Option<cluster::WorkloadId>,
    /// The picked workload is no longer in the list: nothing is selected,
    /// and the pane says so rather than moving onto another row.
    pub picked_gone: bool,
    /// The Timeline's selection: the key of its entry (new entries arrive
    /// at the top).
    pub timeline_pick: Option<String>,
    /// Checklist rows, derived from the runbook.
    pub checklist: Vec<ChecklistRow>,
    /// Each probe's URL with the runbook's variables filled in (those from
    /// the process environment stay `${NAME}`: they may be secrets), its
    /// userinfo and query values masked.
    pub probe_urls: Vec<String>,
    /// Terminal size, for paging.
    pub size: (u16, u16),
    /// The Timeline: the journal (with the checks that changed state),
    /// newest first, derived when it is read.
    pub timeline: Vec<timeline::TimelineRow>,
    /// The last journaled status of each check (`probe:NAME`,
    /// `signal:NAME`): a check's change is journaled only when it differs.
    pub check_statuses: std::collections::HashMap<String, String>,
    /// What is kept of the journal: folds over its records, and the
    /// newest Timeline rows.
    pub journal: journal_view::JournalView,
    /// What the dashboard journals on its own (items verified and
    /// regressed, events) and has not read back yet.
    pub auto: verify::Auto,
    /// Each checklist item's state in its current run, folded from the journal.
    pub items: std::collections::HashMap<String, checklist::ItemState>,
    /// The notes written on each checklist item, oldest first.
    pub item_notes: std::collections::HashMap<String, Vec<checklist::ItemNote>>,
    /// The cluster as the watches report it.
    pub cluster: cluster::ClusterState,
    /// Seconds since the epoch, from the clock tick (render never reads the clock).
    pub now: i64,
    /// Numbers log streams, so that a late line of an old one is dropped.
    pub next_stream: u64,
    /// Numbers the action dialogs' requests (dry run, execution, revision
    /// history), so that the answer to a cancelled dialog's request never
    /// moves on a dialog opened since.
    pub next_request: u64,
    /// The command line's say on the target, for the picker.
    pub overrides: Overrides,
    /// The kubeconfig's contexts, for the picker.
    pub contexts: Vec<String>,
    /// The Timeline shows only this kind (or "failed"); None: everything.
    pub timeline_filter: Option<String>,
    /// The probes' results.
    pub health: health::Health,
    /// The signals' readings and the alerts.
    pub signals: signals::Signals,
    /// Mutations sent and not yet answered, by request number: the header
    /// shows them, whatever dialog is open or closed.
    pub in_flight: std::collections::BTreeMap<u64, InFlight>,
    /// Milliseconds on a monotonic clock, set by the loop before each
    /// message (tests set it by hand): the arming of confirm buttons.
    pub mono_ms: u64,
    /// When the open dialog reached its current step, and when a key last
    /// arrived before its confirm button was armed (`mono_ms`).
    pub dialog_since: u64,
    pub dialog_early_key: u64,
    /// Every secret ops-tui knows (kubeconfig credentials, the runbook's
    /// tokens and environment values): masked in every text a message
    /// brings before the state keeps it.
    pub secrets: crate::secrets::Secrets,
    /// How long a confirm dialog waits before its button is armed: at
    /// least `ARM_MS` (`OPS_TUI_CONFIRM_DELAY_MS` may make it longer).
    pub arm_ms: u64,
    pub quit: bool,
}

/// A mutation on its way: what it does, since when (seconds since the
/// epoch), and whether its deadline passed with no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    pub summary: String,
    pub since: i64,
    pub unanswered: bool,
}

/// A confirm button takes a key only once its dialog has been on screen
/// this long with no key pressed: keys typed ahead, or a stream of them
/// from a paste in a terminal without bracketed paste, never confirm.
pub const ARM_MS: u64 = 300;

/// What a detail view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Probe(String),
    Signal(String),
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
        AppState {
            target,
            runbook,
            theme,
            keymap,
            focus: Pane::Rollouts,
            zoomed: false,
            screen: screen::Screen::Dashboard,
            overlay: None,
            demo: false,
            notice: None,
            effects: Vec::new(),
            warnings,
            warnings_hidden: false,
            clock: String::new(),
            selected: [0; 5],
            picked: None,
            picked_gone: false,
            timeline_pick: None,
            checklist,
            probe_urls,
            size: (80, 24),
            timeline: Vec::new(),
            check_statuses: std::collections::HashMap::new(),
            journal: journal_view::JournalView::default(),
            auto: verify::Auto::default(),
            items: std::collections::HashMap::new(),
            item_notes: std::collections::HashMap::new(),
            cluster: cluster::ClusterState::new(wanted),
            now: 0,
            next_stream: 0,
            next_request: 0,
            overrides: Overrides::default(),
            contexts: Vec::new(),
            timeline_filter: None,
            health: health::Health::default(),
            signals: signals::Signals::default(),
            in_flight: std::collections::BTreeMap::new(),
            mono_ms: 0,
            dialog_since: 0,
            dialog_early_key: 0,
            arm_ms: ARM_MS,
            secrets: crate::secrets::Secrets::new(),
            quit: false,
        }
    }

    /// How many selectable rows a pane has.
    pub fn row_count(&self, pane: Pane) -> usize {
        let rb = self.runbook.as_ref();
        match pane {
            Pane::Rollouts => self.cluster.rows.len(),
            Pane::Health => rb.map_or(0, |r| r.file.probes.len()),
            Pane::Signals => rb.map_or(0, |r| r.file.signals.len()),
            Pane::Checklist => self.checklist.len(),
            Pane::Timeline => self.timeline_rows().count(),
        }
    }

    /// The Timeline rows the filter lets through.
    pub fn timeline_rows(&self) -> impl Iterator<Item = &timeline::TimelineRow> {
        self.timeline
            .iter()
            .filter(|r| timeline::passes(r, self.timeline_filter.as_deref()))
    }

    /// What the checks judge, as the dashboard knows it now.
    pub fn sources(&self) -> crate::checks::Sources<'_> {
        use crate::checks::{AlertView, SignalView};
        let probes = self
            .runbook
            .iter()
            .flat_map(|r| r.probes())
            .map(|p| {
                let name = p.name.get_ref().as_str();
                (name, self.health.get(name).and_then(|h| h.last.as_ref()))
            })
            .collect();
        let signals = self
            .runbook
            .iter()
            .flat_map(|r| r.signals())
            .filter_map(|s| {
                let name = s.name.get_ref();
                let reading = self.signals.signals.get(name)?.reading.as_ref()?;
                Some(SignalView {
                    name: name.clone(),
                    status: crate::prom::plan::status(&reading.state),
                    value: reading.text(s.unit),
                    detail: crate::prom::plan::detail(
                        reading,
                        s.warn_threshold
                            .as_ref()
                            .map(|t| t.shown(s.unit))
                            .as_deref(),
                        s.fail_threshold
                            .as_ref()
                            .map(|t| t.shown(s.unit))
                            .as_deref(),
                    ),
                })
            })
            .collect();
        let stale = self.cluster.stale_for(self.now);
        let connected =
            self.cluster.link == cluster::Link::Connected && self.cluster.listed && stale.is_none();
        let alerts = match (&self.signals.alerts_at, &self.signals.alerts_error) {
            // An old list of alerts says nothing about now.
            (Some(at), _) if self.now - at >= crate::prom::plan::ALERTS_STALE_AFTER => {
                Err(format!(
                    "stale: the alerts were last read {} ago{}",
                    crate::human::age(self.now - at),
                    self.signals
                        .alerts_error
                        .as_ref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ))
            }
            (Some(_), _) => Ok(self
                .signals
                .alerts
                .iter()
                .map(|a| AlertView {
                    name: a.name.clone(),
                    firing: a.is_firing(),
                    labels: a.labels.clone(),
                    summary: a.summary.clone(),
                })
                .collect()),
            (None, Some(e)) => Err(e.clone()),
            (None, None) => Err("not read yet".into()),
        };
        let on_demand = self
            .runbook
            .iter()
            .flat_map(|r| r.probes())
            .filter(|p| p.burst.is_some())
            .map(|p| p.name.get_ref().as_str())
            .collect();
        crate::checks::Sources {
            probes,
            on_demand,
            signals,
            cluster: connected.then_some(&self.cluster),
            cluster_error: (!connected).then(|| match (&self.cluster.link, stale) {
                (cluster::Link::Failed(e), _) => e.clone(),
                (_, Some(silent)) => format!(
                    "stale: no answer from the API server for {}",
                    crate::human::age(silent)
                ),
                _ => "connecting to the cluster".into(),
            }),
            alerts,
        }
    }

    /// The namespace actions go to: the connection's, else the target's.
    fn namespace(&self) -> String {
        self.cluster
            .namespace
            .clone()
            .or_else(|| self.target.namespace.clone())
            .unwrap_or_else(|| "default".into())
    }

    /// The Deployment an action applies to: the workload view's, else the
    /// selected row of the Rollouts pane.
    fn action_deployment(&self, action: Action) -> Result<DeploymentRow, String> {
        let name = match self.workload() {
            Some(view) => view.name.clone(),
            None if self.focus == Pane::Rollouts => self.picked_name()?,
            None => {
                return Err(format!(
                    "{}: select a Deployment in the Rollouts pane first",
                    action.hint()
                ));
            }
        };
        self.cluster.deployments.get(&name).cloned().ok_or_else(|| {
            format!(
                "deployment/{name} does not exist in namespace {}",
                self.namespace()
            )
        })
    }

    /// Opens the dialog of a keyed action on the selected Deployment.
    fn open_action(&mut self, action: Action) {
        if self.target.read_only {
            self.notice = Some("read-only: actions are off (--read-only, or the environment is read_only without --write)".into());
            return;
        }
        let d = match self.action_deployment(action) {
            Ok(d) => d,
            Err(why) => {
                self.notice = Some(why);
                return;
            }
        };
        if action == Action::BlueGreen {
            self.open_switch(&d);
            return;
        }
        let at = jiff::Timestamp::from_second(self.now)
            .map(|t| t.to_string())
            .unwrap_or_default();
        self.next_request += 1;
        match actions::Dialog::open(action, &d, &self.namespace(), &at, self.next_request) {
            Ok((dialog, request)) => {
                self.dialog_open(dialog);
                self.effects.extend(request.map(Effect::Act));
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// The blue-green switch of a workload the runbook gives `blue_green`.
    fn open_switch(&mut self, d: &DeploymentRow) {
        let config = self
            .runbook
            .as_ref()
            .and_then(|r| r.workloads().find(|w| w.name.get_ref() == &d.name))
            .and_then(|w| w.blue_green.clone());
        let Some(bg) = config else {
            self.notice = Some(format!(
                "deployment/{} has no blue_green in the runbook: add blue_green = {{ service = \"NAME\", label = \"LABEL\" }} to its [[workload]]",
                d.name
            ));
            return;
        };
        match bluegreen::switch(&self.cluster, &bg.service, &bg.label) {
            Ok(switch) => self.dialog_open(actions::Dialog::pick_colour(switch)),
            Err(why) => self.notice = Some(why),
        }
    }

    /// Opens the workload view of the selected Rollouts row.
    fn open_workload(&mut self) -> bool {
        match self.picked_name() {
            Ok(name) => {
                self.screen = screen::Screen::Workload(Box::new(workload::WorkloadView::new(name)));
                true
            }
            Err(why) => {
                self.notice = Some(why);
                false
            }
        }
    }

    /// The name of the workload selected in the Rollouts pane, or why none
    /// is (never another row's: a selection that is gone says so).
    fn picked_name(&self) -> Result<String, String> {
        match &self.picked {
            Some(id) if self.picked_gone => Err(format!(
                "{} is no longer in namespace {} (deleted?): select another with up/down",
                id, id.namespace
            )),
            Some(id) => Ok(id.name.clone()),
            // Nothing picked since the rows arrived: the row in view.
            None => self
                .cluster
                .rows
                .get(self.selected[Pane::Rollouts.index()])
                .map(|r| r.name.clone())
                .ok_or_else(|| "no Deployment selected".into()),
        }
    }

    /// Whether the Deployment the keyed actions would act on now is paused
    /// (the footer offers "resume" rather than "pause").
    pub fn target_paused(&self) -> bool {
        let name = match self.workload() {
            Some(view) => Some(view.name.clone()),
            None if self.focus == Pane::Rollouts => self.picked_name().ok(),
            None => None,
        };
        name.and_then(|n| self.cluster.deployments.get(&n))
            .is_some_and(|d| d.paused)
    }

    /// Derives what the screen shows from the latest messages (once per
    /// batch, not per message): the Rollouts rows, and each re-sorting
    /// list's row from its selected identity.
    pub fn derive(&mut self) {
        self.cluster.refresh(self.now);
        self.anchor_rollouts();
        self.anchor_pod();
    }

    /// The Rollouts row follows the picked workload wherever it sorts;
    /// with nothing picked yet, the row in view is picked.
    fn anchor_rollouts(&mut self) {
        let sel = self.selected[Pane::Rollouts.index()];
        match &self.picked {
            Some(id) => match self.cluster.rows.iter().position(|r| r.name == id.name) {
                Some(i) => {
                    self.selected[Pane::Rollouts.index()] = i;
                    self.picked_gone = false;
                }
                None => self.picked_gone = true,
            },
            None => self.pick_rollout(sel),
        }
    }

    /// Picks the workload of the Rollouts row `index`.
    fn pick_rollout(&mut self, index: usize) {
        let namespace = self.namespace();
        self.picked = self
            .cluster
            .rows
            .get(index)
            .map(|r| cluster::WorkloadId::deployment(&namespace, &r.name));
        self.picked_gone = false;
    }

    /// The workload view's Pods row follows its selected pod.
    fn anchor_pod(&mut self) {
        let Some(view) = self.workload() else { return };
        let Some(pod) = view.picked_pod.clone() else {
            return;
        };
        let derived = workload::derive(&self.cluster, &view.name);
        let index = derived.pods.iter().position(|p| p.name == pod);
        if let (Some(i), Some(view)) = (index, self.workload_mut()) {
            view.selected[workload::Section::Pods.index()] = i;
        }
    }

    /// The Timeline row follows its selected entry as new ones arrive.
    fn anchor_timeline(&mut self) {
        let Some(key) = &self.timeline_pick else {
            return;
        };
        let found = self
            .timeline_rows()
            .position(|r| r.key.as_ref() == Some(key));
        if let Some(i) = found {
            self.selected[Pane::Timeline.index()] = i;
        }
    }

    /// Opens the log view of a pod of the workload view: the selected one
    /// in the Pods section, else the first (problems sort first).
    fn open_logs(&mut self) {
        let Some(view) = self.workload() else { return };
        let index = if view.section == workload::Section::Pods {
            view.selected[workload::Section::Pods.index()]
        } else {
            0
        };
        let derived = workload::derive(&self.cluster, &view.name);
        let Some(pod) = derived.pods.get(index) else {
            self.notice = Some(format!("deployment/{} has no pods", view.name));
            return;
        };
        if pod.containers.is_empty() {
            self.notice = Some(format!("pod {} has no containers yet", pod.name));
            return;
        }
        let (name, containers) = (pod.name.clone(), pod.containers.clone());
        self.next_stream += 1;
        let mut logs = logs::LogView::new(name, containers, self.next_stream);
        let request = logs.restart(self.next_stream);
        if let Some(view) = self.workload_mut() {
            view.logs = Some(logs);
        }
        self.effects.push(Effect::Logs(Some(request)));
    }

    /// Starts the log stream again (another container, or previous).
    fn restart_logs(&mut self) {
        self.next_stream += 1;
        let stream = self.next_stream;
        if let Some(logs) = self.log_view_mut() {
            let request = logs.restart(stream);
            self.effects.push(Effect::Logs(Some(request)));
        }
    }

    fn close_workload(&mut self) {
        if self.log_view().is_some() {
            self.effects.push(Effect::Logs(None));
        }
        if self.workload().is_some() {
            self.close_view();
        }
    }

    /// Re-targets the console: the header changes at once, the cluster state
    /// starts empty, and the loop re-establishes every watch and the journal.
    fn switch_to(&mut self, choice: &picker::Choice) {
        let target = match picker::target_for(self.runbook.as_ref(), &self.overrides, choice) {
            Ok(t) => t,
            Err(e) => {
                self.notice = Some(e);
                return;
            }
        };
        if target == self.target {
            self.notice = Some("already there: nothing changed".into());
            return;
        }
        self.close_workload();
        let wanted = std::mem::take(&mut self.cluster.wanted);
        let generation = self.cluster.generation + 1;
        self.cluster = cluster::ClusterState::new(wanted);
        self.cluster.generation = generation;
        self.cluster.context = target.context.clone();
        self.cluster.namespace = target.namespace.clone();
        self.probe_urls = self
            .runbook
            .as_ref()
            .map(|r| probe_urls(r, &target))
            .unwrap_or_default();
        self.timeline.clear();
        self.check_statuses.clear();
        self.journal = journal_view::JournalView::default();
        // Nothing is journaled on its own until that journal is read.
        self.auto = verify::Auto::default();
        self.auto.ready = false;
        self.items.clear();
        self.item_notes.clear();
        self.health = health::Health::default();
        self.signals = signals::Signals::default();
        self.close_view();
        self.selected = [0; 5];
        self.picked = None;
        self.picked_gone = false;
        self.timeline_pick = None;
        self.warnings.extend(target.warning.clone());
        self.notice = Some(format!(
            "switched to {}: reconnecting",
            match choice {
                picker::Choice::Env(e) => format!("environment {e}"),
                picker::Choice::Context(c) => format!("context {c}"),
            }
        ));
        self.target = target.clone();
        self.effects.push(Effect::Switch(target, generation));
    }

    /// The selected checklist item: id, text, check, and its current run.
    fn selected_item(&self) -> Option<(String, String, Option<checklist::Check>, Option<String>)> {
        if self.focus != Pane::Checklist {
            return None;
        }
        match self.checklist.get(self.selected[Pane::Checklist.index()])? {
            ChecklistRow::Item {
                id,
                text,
                check,
                period,
                ..
            } => Some((
                id.clone(),
                text.clone(),
                check.clone(),
                checklist::run_of(*period, self.now),
            )),
            ChecklistRow::Phase { .. } => None,
        }
    }

    /// Journals a check's state when it differs from the last journaled
    /// one (so a restart, or a second instance that has read the first's
    /// entry, records nothing new). The Timeline shows it once the journal
    /// is read back.
    fn check_changed(&mut self, check: String, status: crate::status::Status, text: String) {
        let word = crate::checks::report::status_word(status);
        // Unknown is a change only from a state seen since start: "no
        // data" before the first answer is not news. (A signal whose query
        // Prometheus refused is known: its error is its state.)
        if status == crate::status::Status::Unknown {
            if !self.auto.known.contains(&check) {
                return;
            }
        } else if !self.auto.known.contains(&check) {
            self.auto.known.insert(check.clone());
        }
        if !self.auto.ready || self.check_statuses.get(&check).map(String::as_str) == Some(word) {
            return;
        }
        self.check_statuses.insert(check.clone(), word.to_string());
        self.effects.push(Effect::Act(actions::Request::Record(
            crate::journal::Entry::Check {
                check,
                status: word.to_string(),
                text,
            },
        )));
    }

    /// Journals each runbook workload's rollout check that changed state,
    /// once the Deployments are known (a workload that is not there is
    /// missing, a failure). Checked on the clock tick: the Deployments
    /// change in bursts, and one look a second is enough for the Timeline.
    fn rollout_checks_changed(&mut self) {
        use crate::runbook::check_ref::{CheckRef, Target as CheckTarget};
        if self.cluster.wanted.is_empty() {
            return;
        }
        let outcomes: Vec<crate::checks::Outcome> = {
            let sources = self.sources();
            if sources.cluster.is_none() {
                return;
            }
            self.cluster
                .wanted
                .iter()
                .flat_map(|w| {
                    let check = CheckRef::Rollout(CheckTarget::Named(w.clone()));
                    crate::checks::evaluate(&check, &sources, &self.cluster.wanted)
                })
                .collect()
        };
        for o in outcomes {
            let why = match (&o.detail, o.status) {
                (Some(d), crate::status::Status::Fail) => format!(" ({d})"),
                _ => String::new(),
            };
            self.check_changed(
                format!("rollout:{}", o.name),
                o.status,
                format!("rollout {}: {}{why}", o.name, o.value),
            );
        }
    }

    /// Stars (or unstars) the selected Timeline entry.
    fn star(&mut self) {
        if self.focus != Pane::Timeline {
            self.notice = Some("star: select an entry in the Timeline pane first".into());
            return;
        }
        let Some(row) = self
            .timeline_rows()
            .nth(self.selected[Pane::Timeline.index()])
        else {
            return;
        };
        if let Some(key) = &row.key {
            let entry = crate::journal::Entry::Star {
                key: key.clone(),
                on: !row.starred,
            };
            self.effects
                .push(Effect::Act(actions::Request::Record(entry)));
        }
    }

    /// The walkthrough starts at the first item neither done nor skipped:
    /// where the team left off, on any machine sharing the journal.
    fn start_walkthrough(&mut self) {
        let first_item = self
            .checklist
            .iter()
            .position(|r| matches!(r, ChecklistRow::Item { .. }));
        let Some(first_item) = first_item else {
            self.notice = Some("walkthrough: the runbook has no checklist items".into());
            return;
        };
        let open = self.checklist.iter().position(|r| match r {
            ChecklistRow::Item { id, .. } => !matches!(
                self.items.get(id),
                Some(
                    checklist::ItemState::Done { stale: false, .. }
                        | checklist::ItemState::Skipped { .. }
                )
            ),
            ChecklistRow::Phase { .. } => false,
        });
        self.focus = Pane::Checklist;
        self.selected[Pane::Checklist.index()] = open.unwrap_or(first_item);
        self.screen = screen::Screen::Walkthrough { scroll: 0 };
        if open.is_none() {
            self.notice = Some("every item is done or skipped".into());
        }
    }

    /// How far the walkthrough's text may scroll: its rows at the
    /// terminal's width (rather more than fewer: the screen stops at the
    /// real end) less the rows in view.
    fn walkthrough_len(&self) -> u16 {
        let Some(ChecklistRow::Item {
            id, check, guide, ..
        }) = self.checklist.get(self.selected[Pane::Checklist.index()])
        else {
            return 0;
        };
        let width = usize::from(self.size.0.saturating_sub(2)).max(1);
        let rows = |text: &str| text.chars().count().div_ceil(width).max(1);
        // The item, its id, its state: with blank lines, and some wrapping.
        let mut total = 8;
        total += match (check, &self.runbook) {
            (Some(_), Some(rb)) => {
                2 * (rb.file.probes.len() + rb.file.signals.len() + rb.file.workloads.len()) + 2
            }
            _ => 2,
        };
        if let Some(notes) = self.item_notes.get(id) {
            total += 2 + notes
                .iter()
                .map(|n| rows(&format!("  2026-11-23 06:00 {} {}", n.by, n.text)))
                .sum::<usize>();
        }
        if let Some(guide) = guide {
            total += 2 + guide
                .lines()
                .map(|l| rows(&format!("  {l}")))
                .sum::<usize>();
        }
        // Header, footer and the two borders are not text.
        let in_view = usize::from(self.size.1.saturating_sub(4));
        u16::try_from(total.saturating_sub(in_view)).unwrap_or(u16::MAX)
    }

    /// Moves the walkthrough to the next (or previous) item.
    fn step_item(&mut self, direction: isize) {
        let mut i = self.selected[Pane::Checklist.index()] as isize;
        loop {
            i += direction;
            match self.checklist.get(usize::try_from(i).unwrap_or(usize::MAX)) {
                None => return,
                Some(ChecklistRow::Item { .. }) => {
                    self.selected[Pane::Checklist.index()] = i as usize;
                    if let screen::Screen::Walkthrough { scroll } = &mut self.screen {
                        *scroll = 0;
                    }
                    return;
                }
                Some(ChecklistRow::Phase { .. }) => {}
            }
        }
    }

    /// Ticks the selected item (with its check's evidence), or unticks it.
    /// A check that does not pass asks for the reason of the override. An
    /// item verified by its check is ticked by the person (a second
    /// `space` unticks it); a regressed one is unticked.
    fn tick(&mut self) {
        let Some((item, text, check, run)) = self.selected_item() else {
            self.notice = Some("tick: select an item in the Checklist pane first".into());
            return;
        };
        // A done item is unticked; one verified by its check (and not
        // regressed) is ticked by the person, confirming it.
        if matches!(
            self.items.get(&item),
            Some(
                checklist::ItemState::Done {
                    stale: false,
                    verified: false,
                    ..
                } | checklist::ItemState::Done {
                    stale: false,
                    regressed: Some(_),
                    ..
                }
            )
        ) {
            self.effects.push(Effect::Act(actions::Request::Record(
                crate::journal::Entry::Untick { item, run },
            )));
            return;
        }
        let outcomes = check
            .map(|c| crate::checks::evaluate(&c.names, &self.sources(), &self.cluster.wanted))
            .unwrap_or_default();
        let evidence = self.evidence_of(&outcomes);
        let worst = crate::checks::worst(&outcomes);
        let passing = outcomes.is_empty()
            || matches!(
                worst,
                crate::status::Status::Ok | crate::status::Status::Warn
            );
        if passing {
            self.effects.push(Effect::Act(actions::Request::Record(
                crate::journal::Entry::Tick {
                    item,
                    text,
                    run,
                    evidence,
                    reason: None,
                },
            )));
            return;
        }
        let why = outcomes
            .iter()
            .find(|o| o.status == worst)
            .map(|o| {
                format!(
                    "{} {}: {}",
                    o.kind.word(),
                    o.name,
                    o.detail.clone().unwrap_or_else(|| o.value.clone())
                )
            })
            .unwrap_or_default();
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Override {
                item,
                text: text.clone(),
                run,
                evidence,
            },
            " Override a check ".into(),
            format!(
                "\"{text}\": its check does not pass ({why}). Ticking it anyway is an override, shown as such everywhere. Why?"
            ),
        ));
    }

    fn skip_item(&mut self) {
        let Some((item, text, _, run)) = self.selected_item() else {
            self.notice = Some("skip: select an item in the Checklist pane first".into());
            return;
        };
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Skip {
                item,
                text: text.clone(),
                run,
            },
            " Skip an item ".into(),
            format!("Skip \"{text}\": why?"),
        ));
    }

    /// The open incident: when it was detected and its latest milestone
    /// (None once resolved, or before any).
    pub fn incident(&self) -> Option<(i64, crate::journal::Milestone)> {
        self.journal.incident(self.now)
    }

    fn open_milestone(&mut self) {
        use crate::journal::Milestone;
        let next = match self.incident() {
            None => Milestone::Detected,
            Some((_, Milestone::Detected)) => Milestone::Acknowledged,
            Some((_, Milestone::Acknowledged)) => Milestone::Mitigated,
            Some((_, _)) => Milestone::Resolved,
        };
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Milestone {
                milestone: next,
                now: self.now,
            },
            format!(" Incident {} ", next.word()),
            format!(
                "Record the incident as {}: enter for now, or type @HH:MM or @-10m for when it happened.",
                next.word()
            ),
        ));
    }

    fn open_note(&mut self) {
        let item = self.selected_item().map(|(id, ..)| id);
        let prompt = match &item {
            Some(id) => format!("A note on {id} (start with @HH:MM or @-15m to backdate it):"),
            None => "A note for the timeline (start with @HH:MM or @-15m to backdate it):".into(),
        };
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Note {
                item,
                now: self.now,
            },
            " Note ".into(),
            prompt,
        ));
    }

    /// The confirmation of the selected (or detailed) probe's burst.
    fn open_burst(&mut self) {
        if self.target.read_only {
            self.notice = Some(
                "read-only: a burst sends requests to the service, so it is off (--read-only, or the environment is read_only without --write)"
                    .into(),
            );
            return;
        }
        let name = match self.detail() {
            Some(Detail::Probe(name)) => Some(name.clone()),
            Some(Detail::Signal(_)) => None,
            None if self.focus == Pane::Health => self
                .runbook
                .as_ref()
                .and_then(|r| r.probes().nth(self.selected[Pane::Health.index()]))
                .map(|p| p.name.get_ref().clone()),
            None => None,
        };
        let Some(name) = name else {
            self.notice = Some("run burst: select a probe in the Health pane first".into());
            return;
        };
        let probe = self.runbook.as_ref().and_then(|r| {
            r.probes()
                .position(|p| p.name.get_ref() == &name)
                .map(|i| (r, i))
        });
        let Some((runbook, index)) = probe else {
            return;
        };
        let Some(p) = runbook.probes().nth(index) else {
            return;
        };
        let Some(requests) = p.burst.as_ref().map(|b| *b.get_ref()) else {
            self.notice = Some(format!(
                "probe {name} has no burst: add burst = N to its [[probe]] for a rate-limit test"
            ));
            return;
        };
        self.dialog_open(actions::Dialog::Burst {
            url: self.probe_urls.get(index).cloned().unwrap_or_default(),
            requests: requests.min(crate::probe::MAX_BURST),
            type_to_confirm: self.target.protected.then(|| name.clone()),
            typed: String::new(),
            probe: name,
        });
    }

    fn open_picker(&mut self) {
        let picker = picker::Picker::new(self.runbook.as_ref(), &self.contexts, &self.target);
        if picker.entries.is_empty() {
            self.notice =
                Some("no environments in the runbook and no contexts in the kubeconfig".into());
            return;
        }
        self.overlay = Some(screen::Overlay::Picker(picker));
    }

    /// Whether the open dialog's confirm button is armed now; a key that
    /// finds it unarmed starts the wait again.
    fn armed(&mut self) -> bool {
        let quiet_since = self.dialog_since.max(self.dialog_early_key);
        if self.mono_ms.saturating_sub(quiet_since) >= self.arm_ms.max(ARM_MS) {
            return true;
        }
        self.dialog_early_key = self.mono_ms;
        false
    }
}

/// Lines one page key scrolls the walkthrough's text by.
pub const WALKTHROUGH_PAGE: u16 = 10;

fn word(status: crate::status::Status) -> &'static str {
    use crate::status::Status;
    match status {
        Status::Ok => "ok",
        Status::Warn => "degraded",
        Status::Fail => "failing",
        Status::Unknown => "unknown",
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
            let url = match env {
                Some((name, env)) => crate::runbook::vars::expand(
                    raw,
                    crate::runbook::select::display_lookup(runbook.service_name(), name, env),
                )
                .unwrap_or_else(|_| raw.clone()),
                None => raw.clone(),
            };
            crate::secrets::shown_url(&url)
        })
        .collect()
}

/// Applies a message. Returns whether anything visible changed.
pub fn update(state: &mut AppState, msg: Msg) -> bool {
    let step = state.dialog().map(std::mem::discriminant);
    let msg = mask::masked(&state.secrets, msg);
    let watch = verify::Watch::of(&msg);
    let changed = apply_msg(state, msg);
    // A dialog that moved to another step (or opened) starts the wait
    // before its confirm button is armed.
    if state.dialog().map(std::mem::discriminant) != step {
        state.dialog_since = state.mono_ms;
        state.dialog_early_key = 0;
    }
    state.watch(watch);
    changed
}

fn apply_msg(state: &mut AppState, msg: Msg) -> bool {
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
                Dispatch::Editor(key) => state.type_key(key),
                Dispatch::Ignored => false,
            }
        }
        Msg::Input(Event::Paste(text)) => {
            state.paste(&text);
            true
        }
        Msg::Input(Event::Resize(w, h)) => {
            state.size = (w, h);
            true
        }
        Msg::Input(_) => false,
        Msg::Tick(clock, now) => {
            let changed = clock != state.clock;
            state.clock = clock;
            // A recurring phase's run may have ended: fold again.
            if !state.journal.is_empty() && now / 60 != state.now / 60 {
                state.journal.prune(&state.checklist, now);
                state.items = state.journal.items(&state.checklist, now);
            }
            state.now = now;
            state.rollout_checks_changed();
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
        Msg::Kube(generation, k) => {
            if generation != state.cluster.generation {
                return false;
            }
            state.cluster.update(k, state.now);
            true
        }
        Msg::Revisions(id, result) => {
            state.map_dialog(|d| d.revisions_loaded(id, result));
            true
        }
        Msg::Probe(generation, result) => {
            if generation != state.cluster.generation {
                return false;
            }
            let after = crate::probe::status(&result);
            let why = result
                .failure
                .as_ref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            state.check_changed(
                format!("probe:{}", result.name),
                after,
                format!("probe {}: {}{why}", result.name, word(after)),
            );
            // A burst's result replaces the notice that it is running.
            let running = format!("running the burst of probe {}", result.name);
            if result.requests > 1
                && state
                    .notice
                    .as_deref()
                    .is_some_and(|n| n.starts_with(&running))
            {
                state.notice = Some(format!(
                    "burst of probe {}: {} requests sent, {}{why}",
                    result.name,
                    result.requests,
                    word(after)
                ));
            }
            state.health.record(*result);
            true
        }
        Msg::Signal(generation, msg) => {
            if generation != state.cluster.generation {
                return false;
            }
            if let signals::SignalMsg::Reading { name, reading, .. } = &msg {
                use crate::prom::signal::SignalState;
                let check = format!("signal:{name}");
                let label = reading.state.label().to_lowercase();
                let text = match &reading.state {
                    // Prometheus answered with an error, or could not be
                    // reached: the signal's state (unknown, never a pass),
                    // news even as the first after start, with what was said.
                    SignalState::Error(e) | SignalState::Unreachable(e) => {
                        state.auto.known.insert(check.clone());
                        format!("signal {name}: {label} ({e})")
                    }
                    _ => format!("signal {name}: {label}"),
                };
                state.check_changed(check, crate::prom::plan::status(&reading.state), text);
            }
            state.signals.update(msg);
            true
        }
        Msg::Log(stream, event) => match state.log_view_mut() {
            Some(logs) if logs.stream == stream => {
                logs.receive(event);
                true
            }
            _ => false,
        },
        Msg::Journal(records) => {
            state.journal_read(records, true);
            true
        }
        Msg::JournalRead => {
            state.auto.ready = true;
            false
        }
        Msg::Injected(fault, result) => {
            state.injected(fault, result);
            true
        }
        Msg::JournalMore(records) => {
            state.journal_read(records, false);
            true
        }
        Msg::DryRun(id, result) => {
            let protected = state.target.protected;
            state.map_dialog(|d| d.dry_run_done(id, result, protected));
            true
        }
        Msg::Unanswered(id) => {
            let Some(flight) = state.in_flight.get_mut(&id) else {
                return false;
            };
            flight.unanswered = true;
            let summary = flight.summary.clone();
            let message = format!(
                "sent, but the API server did not answer within {} s: whether it applied is not known yet. \
                 ops-tui reads the object back and says (header and Timeline); do not send it again before then.",
                crate::kube::actions::EXECUTE_DEADLINE.as_secs()
            );
            if matches!(state.dialog(), Some(actions::Dialog::Running { id: asked, .. }) if *asked == id)
            {
                state.set_dialog(Some(actions::Dialog::Unanswered { summary, message }));
            } else {
                state.notice = Some(format!("{summary}: {message}"));
            }
            true
        }
        Msg::ReadBack(id, outcome) => {
            let Some(flight) = state.in_flight.remove(&id) else {
                return false;
            };
            state.notice = Some(match outcome {
                Some(true) => format!("{}: read back, it applied (journaled)", flight.summary),
                Some(false) => format!(
                    "{}: read back, it did not apply (journaled)",
                    flight.summary
                ),
                None => format!(
                    "{}: the API server never answered; the outcome is still unknown (check with kubectl)",
                    flight.summary
                ),
            });
            true
        }
        Msg::Acted(id, result) => {
            state.in_flight.remove(&id);
            // The dialog that sent it, if still open (esc closes a running one).
            let running = match state.dialog() {
                Some(actions::Dialog::Running { id: asked, plan }) if *asked == id => {
                    Some(plan.summary.clone())
                }
                _ => None,
            };
            match (result, running) {
                (Ok(summary), running) => {
                    if running.is_some() {
                        state.set_dialog(None);
                    }
                    state.notice = Some(format!("done: {summary} (journaled)"));
                }
                (Err(message), Some(summary)) => {
                    state.set_dialog(Some(actions::Dialog::Refused { summary, message }));
                }
                // Another dialog is open now: leave it, and say what failed.
                (Err(message), None) => {
                    state.notice = Some(format!(
                        "an earlier action failed: {message} (see the Timeline)"
                    ));
                }
            }
            true
        }
    }
}

#[cfg(test)]
pub(crate) mod safety_tests;
#[cfg(test)]
pub(crate) mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyEventState, KeyModifiers};

    use super::*;
    use crate::runbook::select::select;

    pub(crate) fn state() -> AppState {
        let rb = Runbook::load(std::path::Path::new("runbooks/example.toml")).unwrap();
        let target = select(Some(&rb), &Overrides::default()).unwrap();
        AppState::new(
            target,
            Some(rb),
            Theme::builtin("default"),
            Keymap::load("default", None).0,
        )
    }

    pub(crate) fn key(code: KeyCode, mods: KeyModifiers) -> Msg {
        Msg::Input(Event::Key(KeyEvent::new(code, mods)))
    }

    /// A key pressed by a person: a second after the one before, so every
    /// confirm button is armed.
    pub(crate) fn press(s: &mut AppState, code: KeyCode) -> bool {
        s.mono_ms += 1000;
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
        assert!(s.help().is_some());
        // Tab is not a dialog key: focus does not move behind the overlay.
        assert!(!press(&mut s, KeyCode::Tab));
        assert_eq!(s.focus, Pane::Rollouts);
        press(&mut s, KeyCode::Down);
        assert_eq!(s.help().unwrap().scroll, 1);
        press(&mut s, KeyCode::Esc);
        assert!(s.help().is_none() && !s.quit);
        assert!(s.hints().iter().any(|h| h.1 == "quit"));
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

    /// The example runbook's staging environment with payments-api (and
    /// its blue and green Deployments) on the cluster.
    pub(crate) fn with_cluster() -> AppState {
        use crate::kube::model::{PodRow, ReplicaSetRow, ServiceRow};
        use crate::kube::{Change, KubeMsg};
        let rb = Runbook::load(std::path::Path::new("runbooks/example.toml")).unwrap();
        let overrides = Overrides {
            env: Some("staging".into()),
            ..Overrides::default()
        };
        let target = select(Some(&rb), &overrides).unwrap();
        let mut s = AppState::new(
            target,
            Some(rb),
            Theme::builtin("default"),
            Keymap::load("default", None).0,
        );
        s.overrides = overrides;
        s.contexts = vec!["staging".into(), "prod".into(), "kind-local".into()];
        let labels = |colour: &str| {
            [("app", "payments-api"), ("version", colour)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let d = |name: &str, uid: &str, colour: &str, available: i32| DeploymentRow {
            name: name.into(),
            uid: uid.into(),
            generation: 1,
            observed_generation: 1,
            desired: 2,
            replicas: 2,
            updated: 2,
            ready: available,
            available,
            revision: 1,
            template_labels: labels(colour),
            ..DeploymentRow::default()
        };
        let msgs = [
            KubeMsg::Deployments(Change::Reset(vec![
                d("payments-api", "d1", "blue", 2),
                d("payments-api-green", "d2", "green", 1),
            ])),
            KubeMsg::ReplicaSets(Change::Reset(vec![ReplicaSetRow {
                name: "payments-api-1".into(),
                uid: "r1".into(),
                owner: "d1".into(),
                revision: 1,
                ..ReplicaSetRow::default()
            }])),
            KubeMsg::Pods(Change::Reset(vec![PodRow {
                name: "payments-api-1-abcde".into(),
                owner: "r1".into(),
                containers: vec!["api".into(), "proxy".into()],
                ..PodRow::default()
            }])),
            KubeMsg::Services(Change::Reset(vec![ServiceRow {
                name: "payments-api".into(),
                selector: labels("blue"),
            }])),
        ];
        for m in msgs {
            update(&mut s, Msg::Kube(0, m));
        }
        s.cluster.refresh(0);
        s
    }

    pub(crate) fn char(s: &mut AppState, c: char) -> bool {
        press(s, KeyCode::Char(c))
    }

    #[test]
    fn enter_opens_the_workload_view_and_l_its_pods_logs_which_stream_until_closed() {
        let mut s = with_cluster();
        let row = s
            .cluster
            .rows
            .iter()
            .position(|r| r.name == "payments-api")
            .unwrap();
        s.selected[0] = row;
        press(&mut s, KeyCode::Enter);
        assert_eq!(s.workload().unwrap().name, "payments-api");
        press(&mut s, KeyCode::Tab);
        assert_eq!(s.workload().unwrap().section, workload::Section::History);
        char(&mut s, 'l');
        let Some(Effect::Logs(Some(req))) = s.effects.pop() else {
            panic!("no log stream asked for")
        };
        assert_eq!(
            (req.pod.as_str(), req.container.as_str(), req.follow),
            ("payments-api-1-abcde", "api", true)
        );
        // Lines of this stream show; a late line of an older one does not.
        assert!(update(
            &mut s,
            Msg::Log(req.stream, logs::LogEvent::Lines(vec!["hello".into()]))
        ));
        assert!(!update(
            &mut s,
            Msg::Log(req.stream - 1, logs::LogEvent::Lines(vec!["stale".into()]))
        ));
        assert_eq!(s.log_view().unwrap().visible(), ["hello"]);
        // Previous, then the next container: each a new stream.
        char(&mut s, 'P');
        let Some(Effect::Logs(Some(prev))) = s.effects.pop() else {
            panic!("no stream for the previous container")
        };
        assert!(prev.previous && !prev.follow && prev.stream > req.stream);
        char(&mut s, 'c');
        let Some(Effect::Logs(Some(next))) = s.effects.pop() else {
            panic!("no stream for the next container")
        };
        assert_eq!(next.container, "proxy");
        // The filter is typed: q is text here, not quit.
        char(&mut s, '/');
        char(&mut s, 'q');
        assert!(!s.quit);
        press(&mut s, KeyCode::Enter);
        assert_eq!(s.log_view().unwrap().filter, "q");
        press(&mut s, KeyCode::Esc);
        assert_eq!(s.effects.pop(), Some(Effect::Logs(None)));
        assert!(s.log_view().is_none() && s.workload().is_some());
        press(&mut s, KeyCode::Esc);
        assert!(s.workload().is_none());
    }

    #[test]
    fn blue_green_picks_the_other_colour_and_an_unready_one_needs_it_typed() {
        let mut s = with_cluster();
        s.selected[0] = s
            .cluster
            .rows
            .iter()
            .position(|r| r.name == "payments-api")
            .unwrap();
        char(&mut s, 'b');
        let Some(actions::Dialog::PickColour { switch, selected }) = s.dialog() else {
            panic!("no colour picker: {:?}", s.notice)
        };
        assert_eq!(switch.colours[*selected].value, "green");
        press(&mut s, KeyCode::Enter);
        let Some(Effect::Act(actions::Request::DryRun(id, plan))) = s.effects.pop() else {
            panic!("no dry run")
        };
        assert_eq!(
            plan.path,
            "/api/v1/namespaces/payments-staging/services/payments-api"
        );
        assert_eq!(plan.body["spec"]["selector"]["version"], "green");
        update(&mut s, Msg::DryRun(id, Ok(())));
        press(&mut s, KeyCode::Enter);
        assert!(
            matches!(s.dialog(), Some(actions::Dialog::Unready { .. })),
            "one enter is not enough for a target that is not ready"
        );
        assert!(s.effects.is_empty());
        for c in "gree".chars() {
            char(&mut s, c);
        }
        press(&mut s, KeyCode::Enter);
        assert!(s.effects.is_empty(), "a wrong word does nothing");
        char(&mut s, 'n');
        press(&mut s, KeyCode::Enter);
        assert!(matches!(
            s.effects.pop(),
            Some(Effect::Act(actions::Request::Execute(..)))
        ));
    }

    #[test]
    fn a_late_answer_to_a_cancelled_dialog_leaves_the_dialog_opened_since() {
        use crate::kube::{Change, KubeMsg};
        use actions::{Dialog, Request, RevisionChoice};
        let mut s = with_cluster();
        let worker = DeploymentRow {
            name: "payments-worker".into(),
            uid: "d3".into(),
            desired: 1,
            ..DeploymentRow::default()
        };
        update(
            &mut s,
            Msg::Kube(0, KubeMsg::Deployments(Change::Upsert(worker))),
        );
        s.cluster.refresh(0);
        let select = |s: &mut AppState, name: &str| {
            s.selected[0] = s.cluster.rows.iter().position(|r| r.name == name).unwrap();
        };
        // A restart's dry run is asked for, then the dialog is cancelled.
        select(&mut s, "payments-api");
        char(&mut s, 'r');
        let Some(Effect::Act(Request::DryRun(stale, _))) = s.effects.pop() else {
            panic!("no dry run: {:?}", s.notice)
        };
        press(&mut s, KeyCode::Esc);
        assert!(s.dialog().is_none());
        // Another action is opened: its own dry run is under way.
        select(&mut s, "payments-worker");
        char(&mut s, 'p');
        let Some(Effect::Act(Request::DryRun(fresh, _))) = s.effects.pop() else {
            panic!("no dry run")
        };
        assert_ne!(stale, fresh);
        let checking = |s: &AppState| {
            matches!(s.dialog(), Some(Dialog::Checking { plan, .. })
                if plan.summary == "pause deployment/payments-worker")
        };
        // The restart's answers, passed or refused, change nothing.
        update(&mut s, Msg::DryRun(stale, Ok(())));
        assert!(checking(&s), "a stale dry run confirmed: {:?}", s.dialog());
        update(&mut s, Msg::DryRun(stale, Err("forbidden".into())));
        assert!(checking(&s), "a stale refusal refused: {:?}", s.dialog());
        update(&mut s, Msg::DryRun(fresh, Ok(())));
        assert!(
            matches!(s.dialog(), Some(Dialog::Confirm { plan, .. })
                if plan.summary == "pause deployment/payments-worker"),
            "{:?}",
            s.dialog()
        );
        // Executed, then the running dialog closed and a rollback opened:
        // the execution's late failure is a notice, not the new dialog.
        press(&mut s, KeyCode::Enter);
        let Some(Effect::Act(Request::Execute(running, _))) = s.effects.pop() else {
            panic!("not executed: {:?}", s.dialog())
        };
        press(&mut s, KeyCode::Esc);
        select(&mut s, "payments-api");
        char(&mut s, 'u');
        let Some(Effect::Act(Request::Revisions(first, name))) = s.effects.pop() else {
            panic!("no revisions asked for")
        };
        assert_eq!(name, "payments-api");
        update(&mut s, Msg::Acted(running, Err("conflict".into())));
        assert!(
            matches!(s.dialog(), Some(Dialog::Loading { deployment, .. }) if deployment == "payments-api")
        );
        assert!(s.notice.as_deref().unwrap().contains("conflict"));
        // Cancelled, and the other Deployment's rollback opened: the first
        // one's revisions do not load into it.
        press(&mut s, KeyCode::Esc);
        select(&mut s, "payments-worker");
        char(&mut s, 'u');
        let Some(Effect::Act(Request::Revisions(second, _))) = s.effects.pop() else {
            panic!("no revisions asked for")
        };
        let choice = RevisionChoice {
            revision: 1,
            images: vec!["payments/api:1".into()],
            change_cause: None,
            current: false,
            diff: Vec::new(),
            plan: Err("for payments-api".into()),
        };
        update(&mut s, Msg::Revisions(first, Ok(vec![choice])));
        assert!(
            matches!(s.dialog(), Some(Dialog::Loading { deployment, .. }) if deployment == "payments-worker"),
            "{:?}",
            s.dialog()
        );
        update(&mut s, Msg::Revisions(second, Err("no history".into())));
        assert!(matches!(s.dialog(), Some(Dialog::Refused { .. })));
    }

    #[test]
    fn an_action_on_a_runbook_workload_missing_from_the_cluster_says_so() {
        let mut s = with_cluster();
        s.selected[0] = s
            .cluster
            .rows
            .iter()
            .position(|r| r.name == "payments-worker")
            .unwrap();
        char(&mut s, 'b');
        assert!(s.dialog().is_none());
        assert!(s.notice.as_deref().unwrap().contains("does not exist"));
    }

    #[test]
    fn switching_environment_retargets_at_once_and_drops_the_old_connections_messages() {
        use crate::kube::{Change, KubeMsg};
        let mut s = with_cluster();
        char(&mut s, 'C');
        let picker = s.picker().unwrap();
        let labels: Vec<&str> = picker.entries.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["env staging", "env prod", "context kind-local"]);
        assert_eq!(picker.selected, 0, "the current one is preselected");
        press(&mut s, KeyCode::Down);
        press(&mut s, KeyCode::Enter);
        assert_eq!(s.target.env.as_deref(), Some("prod"));
        assert_eq!(s.target.context.as_deref(), Some("prod"));
        assert!(s.target.read_only && s.target.protected);
        assert!(s.cluster.deployments.is_empty());
        let Some(Effect::Switch(target, generation)) = s.effects.pop() else {
            panic!("no switch effect")
        };
        assert_eq!((target, generation), (s.target.clone(), 1));
        let old = KubeMsg::Deployments(Change::Reset(vec![DeploymentRow {
            name: "stale".into(),
            ..DeploymentRow::default()
        }]));
        assert!(!update(&mut s, Msg::Kube(0, old.clone())));
        assert!(s.cluster.deployments.is_empty());
        assert!(update(&mut s, Msg::Kube(1, old)));
        assert!(s.cluster.deployments.contains_key("stale"));
    }

    #[test]
    fn slash_in_the_timeline_cycles_its_filter() {
        let mut s = with_cluster();
        s.timeline = vec![timeline::TimelineRow {
            kind: "action",
            at: String::new(),
            key: None,
            starred: false,
            time: "10:00:00".into(),
            user: "u".into(),
            text: "scale".into(),
            ok: Some(true),
        }];
        char(&mut s, '5');
        char(&mut s, '/');
        assert_eq!(s.timeline_filter.as_deref(), Some("action"));
        char(&mut s, '/');
        assert_eq!(s.timeline_filter.as_deref(), Some(timeline::FAILED));
        assert_eq!(s.row_count(Pane::Timeline), 0);
        char(&mut s, '/');
        assert_eq!(s.timeline_filter, None);
    }

    fn recorded(s: &mut AppState) -> crate::journal::Entry {
        match s.effects.pop() {
            Some(Effect::Act(actions::Request::Record(entry))) => entry,
            other => panic!("nothing to record: {other:?} ({:?})", s.notice),
        }
    }

    fn type_text(s: &mut AppState, text: &str) {
        for c in text.chars() {
            char(s, c);
        }
        press(s, KeyCode::Enter);
    }

    #[test]
    fn ticking_records_evidence_overrides_need_a_reason_and_the_journal_folds_back() {
        use crate::journal::{Entry, Record};
        let mut s = state();
        s.now = 1_000_000;
        char(&mut s, '4');
        // The first item of the first phase: manual.
        char(&mut s, 'j');
        char(&mut s, ' ');
        let tick = recorded(&mut s);
        let Entry::Tick {
            item,
            reason: None,
            evidence,
            ..
        } = &tick
        else {
            panic!("not a plain tick: {tick:?}")
        };
        assert_eq!(
            item,
            "pre-deployment/change-approved-and-announced-in-deploys"
        );
        assert!(evidence.is_empty(), "a manual item has no evidence");
        let at = |e: Entry| Record {
            at: "2026-11-23T06:00:00Z".into(),
            user: "ann".into(),
            kube_user: None,
            entry: e,
        };
        update(&mut s, Msg::Journal(vec![at(tick.clone())]));
        assert!(matches!(
            s.items.get(item.as_str()),
            Some(checklist::ItemState::Done { .. })
        ));
        // Space again: not done after all.
        char(&mut s, ' ');
        assert!(matches!(recorded(&mut s), Entry::Untick { .. }));
        // "Staging rollout complete (rollout:*)" cannot pass: not connected.
        char(&mut s, 'j');
        char(&mut s, 'j');
        char(&mut s, ' ');
        assert!(
            matches!(s.dialog(), Some(actions::Dialog::Text { .. })),
            "{:?}",
            s.notice
        );
        press(&mut s, KeyCode::Enter);
        assert!(s.effects.is_empty(), "an empty reason is refused");
        type_text(&mut s, "verified by hand in the staging console");
        let Entry::Tick {
            reason: Some(why),
            evidence,
            ..
        } = recorded(&mut s)
        else {
            panic!("not an override")
        };
        assert_eq!(why, "verified by hand in the staging console");
        assert!(
            evidence
                .iter()
                .all(|e| e.status == "unknown" && e.kind == "rollout")
        );
        // Skip with a reason; a backdated note.
        char(&mut s, 'x');
        type_text(&mut s, "no schema change");
        assert!(
            matches!(recorded(&mut s), Entry::Skip { reason, .. } if reason == "no schema change")
        );
        char(&mut s, 'n');
        type_text(&mut s, "@-15m support saw 502s");
        let Entry::Note {
            text,
            happened_at: Some(when),
            item: Some(_),
            ..
        } = recorded(&mut s)
        else {
            panic!("not a backdated note on the item")
        };
        assert_eq!(text, "support saw 502s");
        assert_eq!(
            when,
            jiff::Timestamp::from_second(1_000_000 - 900)
                .unwrap()
                .to_string()
        );
    }

    #[test]
    fn milestones_go_in_order_and_the_incident_closes_when_resolved() {
        use crate::journal::{Entry, Milestone, Record};
        let mut s = state();
        s.now = 1_000_000;
        let mut journal = Vec::new();
        for (expected, typed) in [
            (Milestone::Detected, "@-10m"),
            (Milestone::Acknowledged, ""),
            (Milestone::Mitigated, ""),
            (Milestone::Resolved, ""),
        ] {
            char(&mut s, 'M');
            type_text(&mut s, typed);
            let entry = recorded(&mut s);
            let Entry::Milestone {
                milestone,
                happened_at,
            } = &entry
            else {
                panic!("not a milestone: {entry:?}")
            };
            assert_eq!(*milestone, expected);
            assert_eq!(happened_at.is_some(), !typed.is_empty());
            journal.push(Record {
                at: jiff::Timestamp::from_second(s.now).unwrap().to_string(),
                user: "ann".into(),
                kube_user: None,
                entry,
            });
            update(&mut s, Msg::Journal(journal.clone()));
            if expected != Milestone::Resolved {
                assert_eq!(s.incident(), Some((1_000_000 - 600, expected)));
            }
        }
        assert_eq!(s.incident(), None, "resolved closes it");
    }

    #[test]
    fn the_walkthrough_resumes_at_the_first_open_item_and_moves_on_when_it_is_done() {
        use crate::journal::{Entry, Record};
        let mut s = state();
        let rec = |entry: Entry| Record {
            at: "2026-11-23T06:00:00Z".into(),
            user: "ann".into(),
            kube_user: None,
            entry,
        };
        let first = "pre-deployment/change-approved-and-announced-in-deploys";
        let journal = vec![rec(Entry::Tick {
            item: first.into(),
            text: "Change approved and announced in #deploys".into(),
            run: None,
            evidence: Vec::new(),
            reason: None,
        })];
        update(&mut s, Msg::Journal(journal.clone()));
        char(&mut s, 'w');
        assert!(s.walkthrough().is_some());
        let (id, ..) = s.selected_item().unwrap();
        assert_eq!(
            id, "pre-deployment/database-migrations-reviewed",
            "resumes after the done one"
        );
        char(&mut s, ' ');
        let tick = recorded(&mut s);
        let mut journal = journal;
        journal.push(rec(tick));
        update(&mut s, Msg::Journal(journal));
        let (next, ..) = s.selected_item().unwrap();
        assert_eq!(next, "pre-deployment/staging-rollout-complete", "moved on");
        char(&mut s, 'k');
        assert_eq!(s.selected_item().unwrap().0, id);
        press(&mut s, KeyCode::Esc);
        assert!(s.walkthrough().is_none());
    }

    #[test]
    fn stars_are_journaled_and_checks_that_change_state_join_the_timeline() {
        use crate::journal::{Entry, Record};
        let mut s = state();
        let note = Record {
            at: "2026-11-23T06:00:00Z".into(),
            user: "ann".into(),
            kube_user: None,
            entry: Entry::Note {
                text: "paged".into(),
                item: None,
                happened_at: None,
                starred: false,
            },
        };
        update(&mut s, Msg::Journal(vec![note.clone()]));
        char(&mut s, '5');
        char(&mut s, '*');
        let star = recorded(&mut s);
        assert_eq!(
            star,
            Entry::Star {
                key: note.key(),
                on: true
            }
        );
        let starred = Record {
            at: "2026-11-23T06:01:00Z".into(),
            entry: star,
            ..note.clone()
        };
        update(&mut s, Msg::Journal(vec![note.clone(), starred.clone()]));
        assert!(s.timeline[0].starred, "{:?}", s.timeline);
        let result = |status: u16, at: i64| {
            let observed = crate::condition::Observed {
                connected: true,
                status: Some(status),
                ..Default::default()
            };
            let fail = [crate::condition::Condition::parse("[STATUS] == 200").unwrap()];
            Box::new(crate::probe::ProbeResult {
                name: "health".into(),
                at,
                verdict: crate::condition::judge(&fail, &[], &observed),
                observed,
                failure: None,
                cert_not_after: None,
                requests: 1,
            })
        };
        // A probe's state is journaled when it differs from the last one
        // journaled: its first answer, then a change, never a repeat.
        update(&mut s, Msg::Probe(0, result(200, 1_795_400_000)));
        assert_eq!(
            recorded(&mut s),
            Entry::Check {
                check: "probe:health".into(),
                status: "ok".into(),
                text: "probe health: ok".into(),
            }
        );
        update(&mut s, Msg::Probe(0, result(200, 1_795_400_010)));
        assert!(s.effects.is_empty(), "no change, nothing recorded");
        update(&mut s, Msg::Probe(0, result(503, 1_795_500_000)));
        let change = recorded(&mut s);
        assert_eq!(
            change,
            Entry::Check {
                check: "probe:health".into(),
                status: "fail".into(),
                text: "probe health: failing".into(),
            }
        );
        // Read back from the journal: a Timeline row that can be starred.
        let journal = vec![
            note.clone(),
            starred.clone(),
            Record {
                at: "2026-11-23T06:02:00Z".into(),
                user: "bob".into(),
                entry: change,
                ..note.clone()
            },
        ];
        update(&mut s, Msg::Journal(journal.clone()));
        assert_eq!(s.timeline[0].kind, "check");
        assert_eq!(s.timeline[0].text, "probe health: failing");
        assert_eq!(s.timeline[0].ok, Some(false));
        s.selected[Pane::Timeline.index()] = 0;
        char(&mut s, '*');
        assert!(
            matches!(recorded(&mut s), Entry::Star { key, on: true } if key == journal[2].key()),
            "{:?}",
            s.notice
        );
        // Another instance (or a restart) that has read the journal does
        // not record the same state again, only a new one.
        let mut other = state();
        update(&mut other, Msg::Journal(journal));
        update(&mut other, Msg::Probe(0, result(503, 1_795_500_005)));
        assert!(other.effects.is_empty(), "{:?}", other.effects);
        update(&mut other, Msg::Probe(0, result(200, 1_795_500_010)));
        assert!(matches!(
            recorded(&mut other),
            Entry::Check { status, .. } if status == "ok"
        ));
    }

    #[test]
    fn a_runbook_workload_that_is_missing_is_journaled_as_a_failing_rollout_check() {
        use crate::journal::Entry;
        use crate::kube::{Change, KubeMsg};
        let mut s = state();
        let tick = |s: &mut AppState, now: i64| update(s, Msg::Tick(format!("{now}"), now));
        let worker = DeploymentRow {
            name: "payments-worker".into(),
            uid: "u1".into(),
            desired: 2,
            replicas: 2,
            updated: 2,
            ready: 2,
            available: 2,
            ..DeploymentRow::default()
        };
        update(
            &mut s,
            Msg::Kube(
                0,
                KubeMsg::Connected {
                    context: "prod".into(),
                    namespace: "payments".into(),
                    user: "ann".into(),
                },
            ),
        );
        // Not listed yet: nothing is known, nothing is journaled.
        tick(&mut s, 1_795_400_000);
        assert!(s.effects.is_empty(), "{:?}", s.effects);
        update(
            &mut s,
            Msg::Kube(0, KubeMsg::Deployments(Change::Reset(vec![worker.clone()]))),
        );
        tick(&mut s, 1_795_400_001);
        let mut entries: Vec<Entry> = std::iter::from_fn(|| match s.effects.pop() {
            Some(Effect::Act(actions::Request::Record(e))) => Some(e),
            _ => None,
        })
        .collect();
        entries.reverse();
        assert_eq!(
            entries,
            vec![
                Entry::Check {
                    check: "rollout:payments-api".into(),
                    status: "fail".into(),
                    text: "rollout payments-api: missing (deployment/payments-api missing in namespace payments)".into(),
                },
                Entry::Check {
                    check: "rollout:payments-worker".into(),
                    status: "ok".into(),
                    text: "rollout payments-worker: complete · 2/2 available".into(),
                },
            ]
        );
        // No change, nothing more; deleted, a failure again.
        tick(&mut s, 1_795_400_002);
        assert!(s.effects.is_empty(), "{:?}", s.effects);
        update(
            &mut s,
            Msg::Kube(0, KubeMsg::Deployments(Change::Delete(worker.name.clone()))),
        );
        tick(&mut s, 1_795_400_003);
        assert_eq!(
            recorded(&mut s),
            Entry::Check {
                check: "rollout:payments-worker".into(),
                status: "fail".into(),
                text: "rollout payments-worker: missing (deployment/payments-worker missing in namespace payments)".into(),
            }
        );
    }

    #[test]
    fn backdating_refuses_the_future_and_nonsense() {
        assert!(actions::backdate("@-5m x", 1_000_000).unwrap().0.is_some());
        assert_eq!(
            actions::backdate("plain", 1_000_000).unwrap(),
            (None, "plain".into())
        );
        assert!(actions::backdate("@25:00 x", 1_000_000).is_err());
        assert!(actions::backdate("@-5m", 1_000_000).is_err(), "no text");
        assert!(actions::backdate("@-soon x", 1_000_000).is_err());
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
