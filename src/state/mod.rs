//! The application state and the pure `update(state, msg)` that changes it.
//! Rendering reads this; only `update` writes it.

pub mod actions;
pub mod bluegreen;
pub mod checklist;
pub use crate::kube::cluster;
pub mod events;
pub mod faults;
mod filtered;
pub mod fold;
pub mod guarded;
pub mod health;
pub mod help;
mod items;
pub mod journal_view;
mod keys;
pub mod keys_doc;
pub mod list_filter;
pub mod logs;
mod mask;
mod msgs;
pub mod nodes;
pub mod object;
mod open;
pub mod pane;
pub mod picker;
pub mod screen;
pub mod search;
mod selection;
pub mod signals;
pub mod team;
pub mod timeline;
pub mod verify;
pub mod workload;

use crossterm::event::{Event, KeyEventKind};

use crate::action::Action;
use crate::config::keymap::{Dispatch, Keymap};
use crate::config::keys::Key;
use crate::config::theme::Theme;
use crate::kube::model::WorkloadRow;
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
    /// An object's YAML and describe text, answering request N.
    Object(u64, Result<object::ObjectText, String>),
    /// What each node's pods request, answering request N.
    NodeLoad(
        u64,
        Result<std::collections::BTreeMap<String, crate::kube::model::NodeLoad>, String>,
    ),
    /// From the log stream with this number.
    Log(u64, logs::LogEvent),
    /// A probe ran (boxed: results carry bodies and evaluations), for the
    /// environment of connection number N (older ones are dropped).
    Probe(u64, Box<crate::probe::ProbeResult>),
    /// From the Prometheus pollers of connection number N.
    Signal(u64, signals::SignalMsg),
    /// The demo injected a fault (what it did), or could not.
    Injected(faults::Fault, Result<String, String>),
    /// Whether the shared journal is in step with the cluster's copy, for
    /// the environment of connection number N.
    Share(u64, crate::kube::share::ShareStatus),
    /// Who else is on the environment of connection number N.
    Presence(u64, crate::kube::presence::PresenceStatus),
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
    /// Running in `ops-tui demo`.
    pub demo: bool,
    /// The faults the fault menu offers (the demo's; none elsewhere).
    pub faults: &'static [faults::Fault],
    /// The last notice, shown until the next key.
    pub notice: Option<String>,
    /// Effects for the loop to carry out, drained after each update.
    pub effects: Vec<Effect>,
    pub warnings: Vec<String>,
    pub warnings_hidden: bool,
    pub clock: String,
    /// Selected row of each pane, by `Pane::index`: its place among the
    /// rows the pane shows (those its filter lets through), where the
    /// selection is drawn. Lists that re-sort or are filtered keep an
    /// identity below, and the row follows it.
    pub selected: [usize; 5],
    /// Each pane's filter (`/`), by `Pane::index`.
    pub filters: [list_filter::ListFilter; 5],
    /// The selected probe, signal or checklist row by its place in the
    /// runbook, by `Pane::index`: the selection follows it when a filter
    /// shows or hides rows.
    pub row_picks: [Option<usize>; 5],
    /// The Rollouts pane's selection: a workload's identity, never a row
    /// number (rows move as problems sort first).
    pub picked: Option<cluster::WorkloadId>,
    /// The namespace of the workload the open action dialog acts on (a
    /// view of every namespace acts in each row's own).
    pub dialog_namespace: Option<String>,
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
    /// The rollouts of the runbook's workloads being followed, with their
    /// baselines and regressions.
    pub guard: crate::checks::regress::Guard,
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
    /// The team on a shared journal: the sharing's state, who else is on.
    pub team: team::Team,
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
        let wanted: Vec<cluster::WorkloadKey> = runbook
            .iter()
            .flat_map(|r| r.workloads().map(|w| (w.kind(), w.name.get_ref().clone())))
            .collect();
        let mut warnings = Vec::new();
        warnings.extend(target.warning.clone());
        let all_namespaces = target.all_namespaces;
        let runbook_rules = runbook
            .as_ref()
            .map(crate::checks::regress::Rules::from_runbook);
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
            faults: &[],
            notice: None,
            effects: Vec::new(),
            warnings,
            warnings_hidden: false,
            clock: String::new(),
            selected: [0; 5],
            filters: Default::default(),
            row_picks: [None; 5],
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
            cluster: cluster::ClusterState::new(wanted).across(all_namespaces),
            guard: crate::checks::regress::Guard::new(runbook_rules.unwrap_or_default()),
            dialog_namespace: None,
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
            team: team::Team::default(),
            quit: false,
        }
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
        let s = &self.signals;
        let alert_rules = match (s.alert_rules_at, &s.alert_rules_error) {
            (Some(at), _) if self.now - at >= crate::prom::plan::ALERTS_STALE_AFTER => {
                Err(format!(
                    "stale: the rules were last read {} ago{}",
                    crate::human::age(self.now - at),
                    s.alert_rules_error
                        .as_ref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ))
            }
            (Some(_), _) => Ok(s.alert_rules.clone()),
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
            alert_rules,
            usage_rules: self
                .runbook
                .iter()
                .flat_map(|r| r.workloads())
                .map(|w| (w.name.get_ref().clone(), w.usage_rules()))
                .collect(),
            now: self.now,
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
        if !self.auto_ready() || self.check_statuses.get(&check).map(String::as_str) == Some(word) {
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
                .flat_map(|(_, name)| {
                    let check = CheckRef::Rollout(CheckTarget::Named(name.clone()));
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
    let changed = msgs::apply_msg(state, msg);
    // A dialog that moved to another step (or opened) starts the wait
    // before its confirm button is armed.
    if state.dialog().map(std::mem::discriminant) != step {
        state.dialog_since = state.mono_ms;
        state.dialog_early_key = 0;
    }
    state.watch(watch);
    changed
}

#[cfg(test)]
mod filter_tests;
#[cfg(test)]
pub(crate) mod safety_tests;
#[cfg(test)]
pub(crate) mod tests;
