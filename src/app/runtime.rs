//! The runtime: owns the data sources' tasks and clients, and carries out
//! the state's effects. What an effect answers at once comes back as a
//! message from [`Runtime::execute`]; what it answers later (a dry run, an
//! action, a burst, a log line) is sent on the loop's channel.
//!
//! Read-only is enforced here, where requests are sent, whatever the state
//! asked for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc;

use super::journal_feed::{self, Feed, Slot};
use crate::journal::{Entry, Journal, Record};
use crate::kube::logs::LogTask;
use crate::kube::watch::{Shared, WatchTask};
use crate::runbook::Runbook;
use crate::runbook::select::Target;
use crate::secrets::Secrets;
use crate::sink::Sink;
use crate::state::actions::Request;
use crate::state::{AppState, Effect, Msg};

/// Carries out the effects that the runtime does not know (the demo's
/// fault injection); the message (if any) goes back to the state.
pub type Executor<'a> = &'a (dyn Fn(Effect) -> Option<Msg> + Sync);

/// What the runtime needs from outside: where the kubeconfig and the data
/// directory are, and who hears the sources.
pub struct Setup<'a> {
    pub kubeconfig: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub tx: mpsc::Sender<Msg>,
    /// Effects the runtime does not carry out itself go here.
    pub extra: Option<Executor<'a>>,
}

pub struct Runtime<'a> {
    tx: mpsc::Sender<Msg>,
    kubeconfig: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    runbook: Option<Runbook>,
    pod_selector: Option<String>,
    secrets: Secrets,
    /// The connection of the current watches, for actions and logs.
    shared: Shared,
    read_only: bool,
    env: Option<String>,
    generation: u64,
    /// Dropping a task stops it; the fields are replaced on a switch.
    watches: WatchTask,
    logs: Option<LogTask>,
    probes: Option<crate::probe::ProbeTasks>,
    polls: Option<crate::prom::plan::PollTasks>,
    /// The current environment's journal, shared with its reader.
    journal: Slot,
    feed: Feed,
    _follow: super::AbortOnDrop,
    journal_writes: mpsc::UnboundedSender<(Journal, Record)>,
    bursts: crate::probe::InFlight,
    extra: Option<Executor<'a>>,
    /// The shared journal's replica and presence, where the runbook
    /// shares the journal.
    team: Option<super::team::Team>,
    /// Who leaves the Kubernetes Events of executed actions (None: off).
    events: Option<crate::kube::action_event::Actor>,
}

impl<'a> Runtime<'a> {
    /// Starts every source for the state's target and reads its journal
    /// into the state (whole, before the first frame; after that only what
    /// is appended). Must run inside a Tokio runtime.
    pub fn start(state: &mut AppState, setup: Setup<'a>) -> Runtime<'a> {
        let Setup {
            kubeconfig,
            data_dir,
            tx,
            extra,
        } = setup;
        let shared = Shared::default();
        let runbook = state.runbook.clone();
        let pod_selector = runbook.as_ref().and_then(Runbook::pod_selector);
        // Every secret known is masked in what the probes, Prometheus and
        // the journal give back, and in every text the state receives
        // (logs, API errors).
        let secrets = crate::kube::secrets::known(runbook.as_ref(), kubeconfig.as_deref());
        state.secrets = secrets.clone();
        let watches = crate::kube::watch::connect_and_watch(
            kubeconfig.clone(),
            state.target.clone(),
            pod_selector.clone(),
            0,
            Sink {
                tx: tx.clone(),
                wrap: Msg::Kube,
            },
            shared.clone(),
        );
        let env = state.target.env.clone();
        let (probes, warning) = start_probes(runbook.as_ref(), env.as_deref(), 0, &tx, &secrets);
        state.warnings.extend(warning);
        let (polls, warning) = start_signals(runbook.as_ref(), env.as_deref(), 0, &tx, &secrets);
        state.warnings.extend(warning);
        let journal = journal_for(&state.target, data_dir.as_deref())
            .map(|j| j.with_secrets(secrets.clone()));
        if state.demo
            && let Some(j) = &journal
        {
            state.notice = Some(format!("demo: the journal is {}", j.path.display()));
        }
        // Folded at the current time: a recurring phase's run is today's,
        // not the epoch's, or its items would look open and be verified
        // again.
        state.now = jiff::Timestamp::now().as_second();
        state.team.waiting_since = state.now;
        let cursor = journal
            .as_ref()
            .map(|j| journal_feed::first_read(state, j))
            .unwrap_or_default();
        let feed = Feed::default();
        let team = start_team(
            &state.target,
            journal.as_ref(),
            &shared,
            0,
            &feed,
            &tx,
            &secrets,
        );
        let journal: Slot = std::sync::Arc::new(std::sync::Mutex::new(journal));
        let follow = journal_feed::follow(journal.clone(), cursor, feed.clone(), tx.clone());
        let journal_writes = journal_feed::writer(tx.clone(), feed.clone());
        Runtime {
            team,
            events: actor(&state.target),
            read_only: state.target.read_only,
            env,
            generation: 0,
            tx,
            kubeconfig,
            data_dir,
            runbook,
            pod_selector,
            secrets,
            shared,
            watches,
            logs: None,
            probes,
            polls,
            journal,
            feed,
            _follow: follow,
            journal_writes,
            bursts: crate::probe::InFlight::default(),
            extra,
        }
    }

    /// Carries out one effect; the message (if any) is the answer the state
    /// gets at once.
    pub fn execute(&mut self, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::Act(Request::Burst(name)) => Some(self.burst(name)),
            Effect::Act(Request::Record(entry)) => self.record(entry),
            Effect::Act(request) => {
                spawn_action(
                    request,
                    self.shared.clone(),
                    self.current_journal(),
                    self.read_only,
                    self.tx.clone(),
                    self.feed.clone(),
                    self.events.clone().map(|a| (a, self.secrets.clone())),
                );
                None
            }
            Effect::Logs(request) => {
                // Replacing the task ends the stream before it.
                self.logs = request.map(|r| {
                    crate::kube::logs::spawn(
                        r,
                        self.shared.clone(),
                        Sink {
                            tx: self.tx.clone(),
                            wrap: Msg::Log,
                        },
                    )
                });
                None
            }
            Effect::Switch(target, generation) => self.switch(target, generation),
            other => self.extra.and_then(|e| e(other)),
        }
    }

    fn current_journal(&self) -> Option<Journal> {
        self.journal.lock().ok().and_then(|j| j.clone())
    }

    fn kube_user(&self) -> Option<String> {
        self.shared
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|c| c.1.clone()))
    }

    /// A rate-limit probe's burst: journaled, then sent, off the loop.
    fn burst(&mut self, name: String) -> Msg {
        if self.read_only {
            return Msg::Notice(format!(
                "read-only: the burst of probe {name} was not sent (it sends requests to the service)"
            ));
        }
        let Some(journal) = self.current_journal() else {
            return Msg::Notice("no data directory for the journal: the burst was not sent".into());
        };
        let spec = self
            .runbook
            .as_ref()
            .and_then(|r| crate::probe::specs(r, self.env.as_deref()).ok())
            .and_then(|specs| specs.into_iter().find(|s| s.name == name))
            .map(|s| s.with_secrets(&self.secrets));
        let Some(spec) = spec else {
            return Msg::Notice(format!(
                "probe {name} is not in this environment: the burst was not sent"
            ));
        };
        let Some(running) = self.bursts.try_start(&name) else {
            return Msg::Notice(format!("the burst of probe {name} is still running"));
        };
        let kube_user = self.kube_user();
        let (tx, feed, generation) = (self.tx.clone(), self.feed.clone(), self.generation);
        tokio::spawn(async move {
            let _running = running;
            tracing::info!(probe = %spec.name, requests = ?spec.burst, "burst");
            // Journaled like every action: who, when, how many requests;
            // nothing is sent if that cannot be written.
            let burst = crate::probe::BurstRecord::new(&spec, kube_user);
            if let Err(e) = journal.append(&burst.confirmed()) {
                let _ = tx
                    .send(Msg::Notice(format!("{e}: the burst was not sent")))
                    .await;
                return;
            }
            let result = match crate::probe::client(&spec) {
                Ok(client) => crate::probe::run_once(&client, &spec, true).await,
                Err(e) => crate::probe::broken(&spec, e.to_string()),
            };
            let ok = crate::probe::status(&result) != crate::status::Status::Fail;
            let _ = journal.append(&burst.outcome(&result, ok));
            let _ = tx.send(Msg::Probe(generation, Box::new(result))).await;
            feed.changed();
        });
        Msg::Notice(format!("running the burst of probe {name}…"))
    }

    /// A journal entry: appended and fsynced off the loop, in order, before
    /// the screen shows it.
    fn record(&mut self, entry: Entry) -> Option<Msg> {
        let Some(journal) = self.current_journal() else {
            // What the dashboard journals on its own (a check's change, an
            // item verified or regressed, an event) is recorded on the
            // side: no notice.
            if matches!(
                entry,
                Entry::Check { .. }
                    | Entry::Verify { .. }
                    | Entry::Regress { .. }
                    | Entry::Event { .. }
            ) {
                return None;
            }
            return Some(Msg::Notice(
                "no data directory for the journal: nothing was recorded".into(),
            ));
        };
        let record = Record::now(self.kube_user(), entry);
        let _ = self.journal_writes.send((journal, record));
        None
    }

    /// Re-targets everything to another environment: the old sources stop
    /// before the new ones start; the new ones tag their messages with
    /// `generation`.
    fn switch(&mut self, target: Target, generation: u64) -> Option<Msg> {
        tracing::info!(?target, "switching");
        self.read_only = target.read_only;
        self.env.clone_from(&target.env);
        self.generation = generation;
        if let Ok(mut s) = self.shared.lock() {
            *s = None;
        }
        self.logs = None;
        self.probes = None;
        self.polls = None;
        // A bare context has no environment, so no endpoints.
        if target.env.is_some() {
            let env = target.env.as_deref();
            let (probes, warning) = start_probes(
                self.runbook.as_ref(),
                env,
                generation,
                &self.tx,
                &self.secrets,
            );
            self.probes = probes;
            if let Some(w) = warning {
                let _ = self.tx.try_send(Msg::Warning(w));
            }
            let (polls, warning) = start_signals(
                self.runbook.as_ref(),
                env,
                generation,
                &self.tx,
                &self.secrets,
            );
            self.polls = polls;
            if let Some(w) = warning {
                let _ = self.tx.try_send(Msg::Warning(w));
            }
        }
        self.watches = crate::kube::watch::connect_and_watch(
            self.kubeconfig.clone(),
            target.clone(),
            self.pod_selector.clone(),
            generation,
            Sink {
                tx: self.tx.clone(),
                wrap: Msg::Kube,
            },
            self.shared.clone(),
        );
        let next = journal_for(&target, self.data_dir.as_deref())
            .map(|j| j.with_secrets(self.secrets.clone()));
        // The old environment's team is left (its presence Lease deleted,
        // in the background) before the new one's starts.
        if let Some(team) = self.team.take() {
            tokio::spawn(team.leave());
        }
        self.team = start_team(
            &target,
            next.as_ref(),
            &self.shared,
            generation,
            &self.feed,
            &self.tx,
            &self.secrets,
        );
        self.events = actor(&target);
        let none = next.is_none();
        if let Ok(mut j) = self.journal.lock() {
            *j = next;
        }
        // Read from its start by the journal's reader.
        self.feed.reread();
        none.then(|| Msg::Journal(Vec::new()))
    }

    /// The journal the effects write to now.
    pub fn journal_path(&self) -> Option<PathBuf> {
        self.current_journal().map(|j| j.path)
    }

    /// Tells the team what this engineer has open (asked only where the
    /// journal is shared).
    pub fn set_open(&self, open: impl FnOnce() -> crate::kube::presence::Open) {
        if let Some(team) = &self.team {
            team.set_open(open());
        }
    }

    /// Leaves the team: the presence Lease is deleted.
    pub async fn leave(&mut self) {
        if let Some(team) = self.team.take() {
            team.leave().await;
        }
    }
}

/// Starts the team's tasks where the target's journal is shared.
fn start_team(
    target: &Target,
    journal: Option<&Journal>,
    shared: &Shared,
    generation: u64,
    feed: &Feed,
    tx: &mpsc::Sender<Msg>,
    secrets: &Secrets,
) -> Option<super::team::Team> {
    super::team::Team::start(
        target,
        journal,
        shared.clone(),
        generation,
        feed,
        tx.clone(),
        secrets.clone(),
    )
}

/// Who the Events of executed actions name, where they are on.
fn actor(target: &Target) -> Option<crate::kube::action_event::Actor> {
    target.events.then(|| crate::kube::action_event::Actor {
        user: crate::journal::os_user(),
        kube_user: None,
        runbook: target.service.clone().zip(target.env.clone()),
    })
}

/// Starts the probes of the runbook in its environment; a runbook whose
/// probes cannot be made ready is a warning on screen.
fn start_probes(
    runbook: Option<&Runbook>,
    env: Option<&str>,
    generation: u64,
    tx: &mpsc::Sender<Msg>,
    secrets: &Secrets,
) -> (Option<crate::probe::ProbeTasks>, Option<String>) {
    let Some(runbook) = runbook else {
        return (None, None);
    };
    match crate::probe::specs(runbook, env) {
        Ok(specs) if specs.is_empty() => (None, None),
        Ok(specs) => (
            Some(crate::probe::spawn(
                specs.into_iter().map(|s| s.with_secrets(secrets)).collect(),
                tx.clone(),
                move |r| Msg::Probe(generation, Box::new(r)),
            )),
            None,
        ),
        Err(e) => (None, Some(format!("probes are off: {e}"))),
    }
}

/// Starts polling the signals and alerts of the runbook's environment.
fn start_signals(
    runbook: Option<&Runbook>,
    env: Option<&str>,
    generation: u64,
    tx: &mpsc::Sender<Msg>,
    secrets: &Secrets,
) -> (Option<crate::prom::plan::PollTasks>, Option<String>) {
    let Some(runbook) = runbook else {
        return (None, None);
    };
    match crate::prom::plan::plan(runbook, env) {
        Ok(mut plan) => {
            plan.secrets.extend(secrets);
            let warning = plan
                .missing
                .clone()
                .map(|m| format!("signals are off: {m}"));
            let out = Sink {
                tx: tx.clone(),
                wrap: Msg::Signal,
            };
            (crate::prom::plan::spawn(&plan, generation, out), warning)
        }
        Err(e) => (None, Some(format!("signals are off: {e}"))),
    }
}

/// The journal of the service's environment, if there is a data directory.
pub(crate) fn journal_for(target: &Target, data_dir: Option<&Path>) -> Option<Journal> {
    let dir = data_dir?;
    let service = target
        .service
        .clone()
        .unwrap_or_else(|| "no-runbook".into());
    let env = target
        .env
        .clone()
        .or_else(|| target.context.clone())
        .unwrap_or_else(|| "default".into());
    Some(Journal::for_env(dir, &service, &env))
}

/// Runs a dry run or an execution in the background; its answer comes back
/// as a message.
fn spawn_action(
    request: crate::state::actions::Request,
    shared: crate::kube::watch::Shared,
    journal: Option<crate::journal::Journal>,
    read_only: bool,
    tx: mpsc::Sender<Msg>,
    feed: journal_feed::Feed,
    events: Option<(crate::kube::action_event::Actor, Secrets)>,
) {
    use crate::kube::actions::Action;
    let connected = shared.lock().ok().and_then(|g| g.clone());
    tokio::spawn(async move {
        let failed = |e: String| match &request {
            Request::DryRun(id, _) => Msg::DryRun(*id, Err(e)),
            Request::Execute(id, _) => Msg::Acted(*id, Err(e)),
            Request::Revisions(id, ..) => Msg::Revisions(*id, Err(e)),
            Request::NodeLoad(id) => Msg::NodeLoad(*id, Err(e)),
            Request::Object(id, _) => Msg::Object(*id, Err(e)),
            Request::Burst(_) | Request::Record(_) => Msg::Notice(e),
        };
        let Some((client, user, ns)) = connected else {
            let _ = tx.send(failed("not connected to the cluster".into())).await;
            return;
        };
        if let Request::Object(id, path) = &request {
            let deadline = crate::kube::actions::READ_DEADLINE;
            let answer = tokio::time::timeout(deadline, crate::kube::object::fetch(&client, path))
                .await
                .unwrap_or_else(|_| {
                    Err(format!(
                        "the API server did not answer within {} s",
                        deadline.as_secs()
                    ))
                })
                .map(|object| crate::state::object::ObjectText {
                    yaml: crate::kube::object::to_yaml(&object),
                    describe: crate::kube::object::describe(&object),
                });
            let _ = tx.send(Msg::Object(*id, answer)).await;
            return;
        }
        if let Request::NodeLoad(id) = &request {
            let deadline = crate::kube::actions::READ_DEADLINE;
            let answer = tokio::time::timeout(deadline, crate::kube::nodes::load(&client))
                .await
                .map_or_else(
                    |_| {
                        Err(format!(
                            "the API server did not answer within {} s",
                            deadline.as_secs()
                        ))
                    },
                    |read| {
                        read.map_err(|e| match e {
                            ::kube::Error::Api(s) if s.code == 403 => format!(
                                "listing pods in every namespace is forbidden: {}",
                                s.message
                            ),
                            other => other.to_string(),
                        })
                    },
                );
            let _ = tx.send(Msg::NodeLoad(*id, answer)).await;
            return;
        }
        if let Request::Revisions(id, kind, name) = &request {
            let deadline = crate::kube::actions::READ_DEADLINE;
            let answer = tokio::time::timeout(deadline, {
                let (own, short) = crate::kube::model::split(name);
                let ns = own.unwrap_or(&ns).to_string();
                let short = short.to_string();
                let client = client.clone();
                async move { crate::kube::rollback::revisions(&client, *kind, &ns, &short).await }
            })
            .await
            .map_or_else(
                |_| {
                    Err(format!(
                        "the API server did not answer within {} s",
                        deadline.as_secs()
                    ))
                },
                |listed| listed.map_err(|e| e.to_string()),
            );
            let _ = tx.send(Msg::Revisions(*id, answer)).await;
            return;
        }
        let Some(journal) = journal else {
            let _ = tx
                .send(failed(
                    "no data directory for the journal: nothing was changed".into(),
                ))
                .await;
            return;
        };
        let answer = match &request {
            Request::DryRun(id, plan) => {
                let action = Action {
                    plan: plan.clone(),
                    journal: &journal,
                    kube_user: Some(user),
                };
                Msg::DryRun(
                    *id,
                    action
                        .dry_run(&client, read_only)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                )
            }
            Request::Execute(id, plan) => {
                let action = Action {
                    plan: plan.clone(),
                    journal: &journal,
                    kube_user: Some(user.clone()),
                };
                let result = action.execute(&client, read_only).await;
                if result.is_ok()
                    && let Some((mut actor, secrets)) = events
                {
                    actor.kube_user = Some(user);
                    leave_event(&client, plan, &actor, &secrets, &journal).await;
                }
                tracing::info!(summary = %plan.summary, ok = result.is_ok(), "action");
                if let Err(crate::kube::actions::ActionError::Unanswered(_)) = &result {
                    // Sent, no answer: say so now, then read the object
                    // back until the server answers.
                    let _ = tx.send(Msg::Unanswered(*id)).await;
                    feed.changed();
                    let outcome = action
                        .read_back(&client, READ_BACK_ATTEMPTS, READ_BACK_PAUSE)
                        .await;
                    Msg::ReadBack(*id, outcome)
                } else {
                    Msg::Acted(
                        *id,
                        result
                            .map(|_| plan.summary.clone())
                            .map_err(|e| e.to_string()),
                    )
                }
            }
            // Answered above, before the journal is needed; bursts are run
            // by the loop, not here.
            Request::Revisions(..)
            | Request::NodeLoad(_)
            | Request::Object(..)
            | Request::Burst(_)
            | Request::Record(_) => return,
        };
        let _ = tx.send(answer).await;
        // The Timeline shows what the journal now holds.
        feed.changed();
    });
}

/// Leaves the Kubernetes Event of an executed action on its object; a
/// refusal is journaled, never a failure of the action.
async fn leave_event(
    client: &::kube::Client,
    plan: &crate::kube::actions::Plan,
    actor: &crate::kube::action_event::Actor,
    secrets: &Secrets,
    journal: &Journal,
) {
    let Err(why) = crate::kube::action_event::record(client, plan, actor, secrets).await else {
        return;
    };
    tracing::warn!(summary = %plan.summary, "no Kubernetes Event: {why}");
    let record = Record::now(
        actor.kube_user.clone(),
        Entry::Action {
            id: plan.id.clone(),
            step: crate::journal::Step::KubeEvent,
            summary: plan.summary.clone(),
            request: None,
            ok: Some(false),
            detail: Some(why),
        },
    );
    if let Err(e) = journal.append(&record) {
        tracing::warn!("{e}");
    }
}

/// An unanswered mutation's object is read back this often, at most this
/// many times (about ten minutes), until the server answers.
const READ_BACK_ATTEMPTS: u32 = 60;
const READ_BACK_PAUSE: Duration = Duration::from_secs(5);
