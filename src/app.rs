//! Start-up and the event loop: terminal input, messages from data sources
//! and a clock tick are applied to the state; the screen is drawn once after
//! each batch, at most ~30 times a second and only when something changed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crossterm::event::EventStream;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use crate::cli::{Cli, Command, DashboardArgs};
use crate::config::Config;
use crate::config::keymap::Keymap;
use crate::config::paths::Paths;
use crate::config::theme::{Theme, no_color_requested};
use crate::runbook::Runbook;
use crate::runbook::select::{Overrides, select};
use crate::state::{AppState, Effect, Msg, update};
use crate::{term, ui};

mod journal_feed;

/// Exit code for a configuration error (bad runbook, unknown environment).
pub const EXIT_CONFIG: u8 = 2;

const FRAME: Duration = Duration::from_millis(33);
/// Messages applied per batch before input is looked at again, so that a
/// flood from a data source can delay neither a key nor the screen.
const MAX_BATCH: usize = 256;
/// Queue size of the channel that data sources send on.
pub const CHANNEL_CAPACITY: usize = 4096;

pub fn main(cli: Cli) -> ExitCode {
    let paths = Paths::discover();
    if !matches!(
        cli.command,
        Some(Command::Completions { .. } | Command::Paths)
    ) && let Err(e) = crate::cli::check_named(&cli.dashboard, paths.config_dir.as_deref())
    {
        say!("error: {e}");
        return ExitCode::from(EXIT_CONFIG);
    }
    match cli.command {
        Some(Command::Validate { path }) => crate::validate::run(
            path.or(cli.dashboard.runbook.clone()),
            &cli.dashboard,
            &paths,
        ),
        Some(Command::Check(check)) => crate::checks::command::run(&check, &cli.dashboard),
        Some(Command::Import { guide, output }) => crate::import::run(&guide, output.as_deref()),
        Some(Command::Report(report)) => crate::report::run(&report, &cli.dashboard, &paths),
        #[cfg(feature = "demo")]
        Some(Command::Demo(demo)) => crate::demo::run(&demo, &cli.dashboard, &paths),
        Some(Command::Paths) => {
            print_out(&paths.describe());
            ExitCode::SUCCESS
        }
        Some(Command::Completions { shell }) => {
            print_out(&crate::cli::completions(shell));
            ExitCode::SUCCESS
        }
        None => dashboard(&cli.dashboard, &paths),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not worth a panic.
pub fn print_out(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
}

/// The runbook to use: `--runbook`, else `./ops-tui.toml` if it exists.
pub fn runbook_path(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| {
        let default = PathBuf::from("ops-tui.toml");
        default.exists().then_some(default)
    })
}

/// Loads everything the dashboard needs. Errors are configuration errors.
pub fn build_state(args: &DashboardArgs, paths: &Paths) -> Result<AppState, String> {
    let runbook = match runbook_path(args.runbook.clone()) {
        Some(path) => Some(Runbook::load(&path).map_err(|e| e.to_string())?),
        None => None,
    };
    let overrides = Overrides {
        env: args.env.clone(),
        context: args.context.clone(),
        namespace: args.namespace.clone(),
        read_only: args.read_only,
        write: args.write,
    };
    let target = select(runbook.as_ref(), &overrides)?;
    let config_dir = paths.config_dir.as_deref();
    let (config, mut warnings) = Config::load(config_dir);
    let theme_name = args
        .theme
        .clone()
        .or(config.theme)
        .unwrap_or_else(|| "default".into());
    let keymap_name = args
        .keymap
        .clone()
        .or(config.keymap)
        .unwrap_or_else(|| "default".into());
    let (theme, theme_warnings) = Theme::load(&theme_name, config_dir, no_color_requested());
    let (keymap, keymap_warnings) = Keymap::load(&keymap_name, config_dir);
    warnings.extend(theme_warnings);
    warnings.extend(keymap_warnings);
    let mut state = AppState::new(target, runbook, theme, keymap);
    state.overrides = overrides;
    // A longer wait before a confirm button takes a key, never a shorter one.
    if let Some(ms) = std::env::var("OPS_TUI_CONFIRM_DELAY_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        state.arm_ms = ms.clamp(crate::state::ARM_MS, 10_000);
    }
    state.contexts = kube_contexts(args.kubeconfig.as_deref());
    // Paths under the home directory as ~/..., so the screen shows the problem.
    let home = std::env::var("HOME").unwrap_or_default();
    state.warnings.extend(warnings.into_iter().map(|w| {
        if home.len() > 1 {
            w.replace(&home, "~")
        } else {
            w
        }
    }));
    Ok(state)
}

/// The kubeconfig's context names, for the picker (none if it cannot be
/// read: the connection reports why).
fn kube_contexts(path: Option<&std::path::Path>) -> Vec<String> {
    let config = match path {
        Some(p) => ::kube::config::Kubeconfig::read_from(p),
        None => ::kube::config::Kubeconfig::read(),
    };
    config
        .map(|c| c.contexts.into_iter().map(|c| c.name).collect())
        .unwrap_or_default()
}

/// A multi-threaded runtime with two workers: the UI loop and the sources.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("ops-tui: cannot start the runtime: {e}"))
}

fn dashboard(args: &DashboardArgs, paths: &Paths) -> ExitCode {
    let _log = start_logging(paths);
    // A kubeconfig or context named on the command line must be usable.
    if (args.kubeconfig.is_some() || args.context.is_some())
        && let Err(e) = crate::kube::preflight(args.kubeconfig.as_deref(), args.context.as_deref())
    {
        say!("error: {e}");
        return ExitCode::from(EXIT_CONFIG);
    }
    match runtime() {
        Ok(rt) => rt.block_on(run_dashboard(args, paths)),
        Err(e) => {
            say!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Starts logging; the guard flushes the log when dropped.
pub fn start_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    crate::logging::init(paths.log_dir.as_deref()).ok()
}

/// Loads the configuration, takes the terminal and runs the loop; restores
/// the terminal on every way out.
pub async fn run_dashboard(args: &DashboardArgs, paths: &Paths) -> ExitCode {
    run_dashboard_with(args, paths, None).await
}

/// Carries out an effect; the message (if any) goes back to the state.
pub type Executor<'a> = &'a (dyn Fn(Effect) -> Option<Msg> + Sync);

/// The dashboard, with an executor for effects (the demo's fault injection).
pub async fn run_dashboard_with(
    args: &DashboardArgs,
    paths: &Paths,
    executor: Option<Executor<'_>>,
) -> ExitCode {
    let mut state = match build_state(args, paths) {
        Ok(state) => state,
        Err(e) => {
            say!("{e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if paths.log_dir.is_none() {
        state
            .warnings
            .push("logging is off: no directory for the log file".into());
    }
    state.demo = executor.is_some();
    tracing::info!(target = ?state.target, "starting the dashboard");
    let result = async {
        let mut guard = term::enter().map_err(|e| {
            format!("ops-tui needs an interactive terminal ({e}); for a non-interactive check use `ops-tui validate`")
        })?;
        if std::env::var_os("OPS_TUI_DEBUG_PANIC").is_some() {
            // Lets the terminal restoration on panic be checked end to end.
            guard.terminal.draw(|frame| ui::draw(frame, &state)).map_err(|e| e.to_string())?;
            panic!("OPS_TUI_DEBUG_PANIC is set");
        }
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let shared = crate::kube::watch::Shared::default();
        let pod_selector = state.runbook.as_ref().and_then(Runbook::pod_selector);
        let watches = std::sync::Mutex::new(crate::kube::watch::connect_and_watch(args.kubeconfig.clone(), state.target.clone(), pod_selector.clone(), 0, tx.clone(), shared.clone()));
        let logs = std::sync::Mutex::new(None::<crate::kube::logs::LogTask>);
        let runbook = state.runbook.clone();
        // Every secret known is masked in what the probes, Prometheus and
        // the journal give back.
        let secrets = crate::kube::secrets::known(runbook.as_ref(), args.kubeconfig.as_deref());
        // And in every text the state receives (logs, API errors).
        state.secrets = secrets.clone();
        let (first_probes, warning) = start_probes(runbook.as_ref(), state.target.env.as_deref(), 0, tx.clone(), &secrets);
        state.warnings.extend(warning);
        let probes = std::sync::Mutex::new(first_probes);
        let (first_polls, warning) = start_signals(runbook.as_ref(), state.target.env.as_deref(), 0, tx.clone(), &secrets);
        state.warnings.extend(warning);
        let polls = std::sync::Mutex::new(first_polls);
        let journal = journal_for(&state.target, paths).map(|j| j.with_secrets(secrets.clone()));
        if state.demo
            && let Some(j) = &journal
        {
            state.notice = Some(format!("demo: the journal is {}", j.path.display()));
        }
        // Read whole before the first frame, then only what is appended;
        // folded at the current time (a recurring phase's run is today's,
        // not the epoch's, or its items would look open and be verified
        // again).
        state.now = jiff::Timestamp::now().as_second();
        let cursor = journal.as_ref().map(|j| journal_feed::first_read(&mut state, j)).unwrap_or_default();
        let journal: journal_feed::Slot = std::sync::Arc::new(std::sync::Mutex::new(journal));
        let feed = journal_feed::Feed::default();
        let _follow = journal_feed::follow(journal.clone(), cursor, feed.clone(), tx.clone());
        let read_only = std::sync::atomic::AtomicBool::new(state.target.read_only);
        let env_now = std::sync::Mutex::new(state.target.env.clone());
        let generation_now = std::sync::atomic::AtomicU64::new(0);
        let bursts = crate::probe::InFlight::default();
        let journal_writes = journal_feed::writer(tx.clone(), feed.clone());
        let composite = |effect: Effect| match effect {
            Effect::Act(crate::state::actions::Request::Burst(name)) => {
                // Read-only is enforced here, where the requests are sent.
                if read_only.load(std::sync::atomic::Ordering::SeqCst) {
                    return Some(Msg::Notice(format!("read-only: the burst of probe {name} was not sent (it sends requests to the service)")));
                }
                let Some(journal) = journal.lock().ok().and_then(|j| j.clone()) else {
                    return Some(Msg::Notice("no data directory for the journal: the burst was not sent".into()));
                };
                let kube_user = shared.lock().ok().and_then(|g| g.as_ref().map(|c| c.1.clone()));
                let env = env_now.lock().ok().and_then(|e| e.clone());
                let spec = runbook
                    .as_ref()
                    .and_then(|r| crate::probe::specs(r, env.as_deref()).ok())
                    .and_then(|specs| specs.into_iter().find(|s| s.name == name))
                    .map(|s| s.with_secrets(&secrets));
                let tx = tx.clone();
                let feed = feed.clone();
                let generation = generation_now.load(std::sync::atomic::Ordering::SeqCst);
                let Some(running) = bursts.try_start(&name) else {
                    return Some(Msg::Notice(format!("the burst of probe {name} is still running")));
                };
                tokio::spawn(async move {
                    let _running = running;
                    let Some(spec) = spec else { return };
                    tracing::info!(probe = %spec.name, requests = ?spec.burst, "burst");
                    // Journaled like every action: who, when, how many
                    // requests; nothing is sent if that cannot be written.
                    let burst = crate::probe::BurstRecord::new(&spec, kube_user);
                    if let Err(e) = journal.append(&burst.confirmed()) {
                        let _ = tx.send(Msg::Notice(format!("{e}: the burst was not sent"))).await;
                        return;
                    }
                    let result = match crate::probe::client(&spec) {
                        Ok(client) => crate::probe::run_once(&client, &spec, true).await,
                        Err(e) => crate::probe::broken(&spec, e),
                    };
                    let ok = crate::state::health::status(&result) != crate::config::theme::Status::Fail;
                    let _ = journal.append(&burst.outcome(&result, ok));
                    let _ = tx.send(Msg::Probe(generation, Box::new(result))).await;
                    feed.changed();
                });
                Some(Msg::Notice(format!("running the burst of probe {name}…")))
            }
            Effect::Act(crate::state::actions::Request::Record(entry)) => {
                // Appended and fsynced before the screen shows it.
                let journal = journal.lock().ok().and_then(|j| j.clone());
                let kube_user = shared.lock().ok().and_then(|g| g.as_ref().map(|c| c.1.clone()));
                let Some(journal) = journal else {
                    // What the dashboard journals on its own (a check's
                    // change, an item verified or regressed, an event) is
                    // recorded on the side: no notice.
                    use crate::journal::Entry;
                    if matches!(entry, Entry::Check { .. } | Entry::Verify { .. } | Entry::Regress { .. } | Entry::Event { .. }) {
                        return None;
                    }
                    return Some(Msg::Notice("no data directory for the journal: nothing was recorded".into()));
                };
                let record = crate::journal::Record::now(kube_user, entry);
                // The append, its fsync and the read back run off the UI
                // loop, in the order the entries were made.
                let _ = journal_writes.send((journal, record));
                None
            }
            Effect::Act(request) => {
                let journal = journal.lock().ok().and_then(|j| j.clone());
                spawn_action(request, shared.clone(), journal, read_only.load(std::sync::atomic::Ordering::SeqCst), tx.clone(), feed.clone());
                None
            }
            Effect::Logs(request) => {
                let task = request.map(|r| crate::kube::logs::spawn(r, shared.clone(), tx.clone()));
                // Replacing the task ends the stream before it.
                if let Ok(mut slot) = logs.lock() {
                    *slot = task;
                }
                None
            }
            Effect::Switch(target, generation) => {
                tracing::info!(?target, "switching");
                read_only.store(target.read_only, std::sync::atomic::Ordering::SeqCst);
                if let Ok(mut e) = env_now.lock() {
                    e.clone_from(&target.env);
                }
                generation_now.store(generation, std::sync::atomic::Ordering::SeqCst);
                if let Ok(mut s) = shared.lock() {
                    *s = None;
                }
                if let Ok(mut slot) = logs.lock() {
                    *slot = None;
                }
                if let Ok(mut p) = probes.lock() {
                    // The old environment's probes stop before the new ones start.
                    *p = None;
                    // A bare context has no environment, so no endpoints.
                    let (next, warning) = if target.env.is_some() { start_probes(runbook.as_ref(), target.env.as_deref(), generation, tx.clone(), &secrets) } else { (None, None) };
                    *p = next;
                    if let Some(w) = warning {
                        let _ = tx.try_send(Msg::Warning(w));
                    }
                }
                if let Ok(mut p) = polls.lock() {
                    *p = None;
                    let (next, warning) = if target.env.is_some() { start_signals(runbook.as_ref(), target.env.as_deref(), generation, tx.clone(), &secrets) } else { (None, None) };
                    *p = next;
                    if let Some(w) = warning {
                        let _ = tx.try_send(Msg::Warning(w));
                    }
                }
                if let Ok(mut w) = watches.lock() {
                    *w = crate::kube::watch::connect_and_watch(args.kubeconfig.clone(), target.clone(), pod_selector.clone(), generation, tx.clone(), shared.clone());
                }
                let next = journal_for(&target, paths).map(|j| j.with_secrets(secrets.clone()));
                let none = next.is_none();
                if let Ok(mut j) = journal.lock() {
                    *j = next;
                }
                // Read from its start by the journal's reader.
                feed.reread();
                none.then(|| Msg::Journal(Vec::new()))
            }
            other => executor.and_then(|e| e(other)),
        };
        run(&mut state, &mut guard.terminal, rx, &composite)
            .await
            .map_err(|e| format!("ops-tui: terminal error: {e}"))
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            say!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the probes of the state's runbook in its environment; a runbook
/// whose probes cannot be made ready is a warning on screen.
fn start_probes(
    runbook: Option<&Runbook>,
    env: Option<&str>,
    generation: u64,
    tx: mpsc::Sender<Msg>,
    secrets: &crate::secrets::Secrets,
) -> (Option<crate::probe::ProbeTasks>, Option<String>) {
    let Some(runbook) = runbook else {
        return (None, None);
    };
    match crate::probe::specs(runbook, env) {
        Ok(specs) if specs.is_empty() => (None, None),
        Ok(specs) => (
            Some(crate::probe::spawn(
                specs.into_iter().map(|s| s.with_secrets(secrets)).collect(),
                tx,
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
    tx: mpsc::Sender<Msg>,
    secrets: &crate::secrets::Secrets,
) -> (Option<crate::checks::prom::PollTasks>, Option<String>) {
    let Some(runbook) = runbook else {
        return (None, None);
    };
    match crate::checks::prom::plan(runbook, env) {
        Ok(mut plan) => {
            plan.secrets.extend(secrets);
            let warning = plan
                .missing
                .clone()
                .map(|m| format!("signals are off: {m}"));
            (crate::checks::prom::spawn(&plan, generation, tx), warning)
        }
        Err(e) => (None, Some(format!("signals are off: {e}"))),
    }
}

/// A background task that ends when this is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The journal of the service's environment, if there is a data directory.
fn journal_for(
    target: &crate::runbook::select::Target,
    paths: &Paths,
) -> Option<crate::journal::Journal> {
    let dir = paths.data_dir.as_deref()?;
    let service = target
        .service
        .clone()
        .unwrap_or_else(|| "no-runbook".into());
    let env = target
        .env
        .clone()
        .or_else(|| target.context.clone())
        .unwrap_or_else(|| "default".into());
    Some(crate::journal::Journal::for_env(dir, &service, &env))
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
) {
    use crate::kube::actions::Action;
    use crate::state::actions::Request;
    let connected = shared.lock().ok().and_then(|g| g.clone());
    tokio::spawn(async move {
        let failed = |e: String| match &request {
            Request::DryRun(id, _) => Msg::DryRun(*id, Err(e)),
            Request::Execute(id, _) => Msg::Acted(*id, Err(e)),
            Request::Revisions(id, _) => Msg::Revisions(*id, Err(e)),
            Request::Burst(_) | Request::Record(_) => Msg::Notice(e),
        };
        let Some((client, user, ns)) = connected else {
            let _ = tx.send(failed("not connected to the cluster".into())).await;
            return;
        };
        if let Request::Revisions(id, name) = &request {
            let deadline = crate::kube::actions::READ_DEADLINE;
            let answer = tokio::time::timeout(
                deadline,
                crate::kube::rollback::revisions(&client, &ns, name),
            )
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "the API server did not answer within {} s",
                    deadline.as_secs()
                ))
            });
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
                    kube_user: Some(user),
                };
                let result = action.execute(&client, read_only).await;
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
            Request::Revisions(..) | Request::Burst(_) | Request::Record(_) => return,
        };
        let _ = tx.send(answer).await;
        // The Timeline shows what the journal now holds.
        feed.changed();
    });
}

/// An unanswered mutation's object is read back this often, at most this
/// many times (about ten minutes), until the server answers.
const READ_BACK_ATTEMPTS: u32 = 60;
const READ_BACK_PAUSE: Duration = Duration::from_secs(5);

/// The clock text for the header, in local time.
pub fn clock_now() -> String {
    jiff::Zoned::now().strftime("%H:%M:%S %Z").to_string()
}

/// The loop. Returns when the state asks to quit, on SIGTERM/SIGHUP, or when
/// the terminal's input ends.
pub async fn run(
    state: &mut AppState,
    terminal: &mut term::Tui,
    mut rx: mpsc::Receiver<Msg>,
    executor: Executor<'_>,
) -> std::io::Result<()> {
    if let Ok(size) = terminal.size() {
        state.size = (size.width, size.height);
    }
    state.clock = clock_now();
    state.now = jiff::Timestamp::now().as_second();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut terminate = Terminate::new();
    let mut dirty = true;
    // A keypress is drawn at once; changes from the sources wait for the
    // next frame slot, so churn costs at most one frame per `FRAME`.
    let mut urgent = false;
    let mut last_frame = Instant::now() - FRAME;
    let started = Instant::now();

    loop {
        for effect in std::mem::take(&mut state.effects) {
            if let Some(msg) = executor(effect) {
                dirty |= step(state, msg, started);
            }
        }
        if state.quit {
            return Ok(());
        }
        if dirty && (urgent || last_frame.elapsed() >= FRAME) {
            // Derived data, once per batch of messages, never per frame.
            state.derive();
            if let Err(e) = terminal.draw(|frame| ui::draw(frame, state)) {
                return term::ended(e);
            }
            last_frame = Instant::now();
            dirty = false;
            urgent = false;
        }
        tokio::select! {
            // Input first: a busy stream of cluster changes never delays a key.
            biased;
            () = terminate.recv() => return Ok(()),
            event = events.next() => match event {
                Some(Ok(event)) => {
                    let event = match event {
                        // After a burst of resizes the last event can carry
                        // a size the terminal no longer has: ask it.
                        crossterm::event::Event::Resize(w, h) => {
                            let (w, h) = crossterm::terminal::size().unwrap_or((w, h));
                            crossterm::event::Event::Resize(w, h)
                        }
                        other => other,
                    };
                    // A key that overtakes the last resize would meet a
                    // screen the terminal no longer has (and, if that was
                    // too small, be ignored): take the size first.
                    if let crossterm::event::Event::Key(_) = event
                        && let Ok((w, h)) = crossterm::terminal::size()
                        && (w, h) != state.size
                    {
                        dirty |= step(state, Msg::Input(crossterm::event::Event::Resize(w, h)), started);
                    }
                    let changed = step(state, Msg::Input(event), started);
                    dirty |= changed;
                    urgent |= changed;
                }
                Some(Err(e)) => return term::ended(e),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => {
                dirty |= step(state, msg, started);
                for _ in 0..MAX_BATCH {
                    match rx.try_recv() {
                        Ok(msg) => dirty |= step(state, msg, started),
                        Err(_) => break,
                    }
                }
            }
            _ = tick.tick() => dirty |= step(state, Msg::Tick(clock_now(), jiff::Timestamp::now().as_second()), started),
            () = tokio::time::sleep_until(last_frame + FRAME), if dirty => {}
        }
    }
}

/// Applies a message with the monotonic clock read just before, so that a
/// dialog knows how long it has been on screen.
fn step(state: &mut AppState, msg: Msg, started: Instant) -> bool {
    state.mono_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    update(state, msg)
}

/// SIGINT, SIGQUIT, SIGTERM and SIGHUP end the loop like `quit`, so the
/// terminal is restored. (In raw mode ctrl-c and ctrl-\ are keys; these
/// are the signals sent from elsewhere, or by a terminal that hangs up.)
struct Terminate {
    #[cfg(unix)]
    signals: Vec<tokio::signal::unix::Signal>,
}

impl Terminate {
    fn new() -> Terminate {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = [
                SignalKind::interrupt(),
                SignalKind::quit(),
                SignalKind::terminate(),
                SignalKind::hangup(),
            ]
            .into_iter()
            .filter_map(|kind| match signal(kind) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!("cannot handle signal {}: {e}", kind.as_raw_value());
                    None
                }
            })
            .collect();
            Terminate { signals }
        }
        #[cfg(not(unix))]
        Terminate {}
    }

    /// Waits for any of the signals.
    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            std::future::poll_fn(|cx| {
                for signal in &mut self.signals {
                    if signal.poll_recv(cx).is_ready() {
                        return std::task::Poll::Ready(());
                    }
                }
                std::task::Poll::Pending
            })
            .await;
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await;
    }
}
