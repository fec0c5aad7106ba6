//! Start-up and the event loop: terminal input, messages from data sources
//! and a clock tick are applied to the state; the screen is drawn once after
//! each batch, at most ~30 times a second and only when something changed.

use std::process::ExitCode;
use std::time::Duration;

use crossterm::event::EventStream;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use crate::cli::DashboardArgs;
use crate::config::paths::Paths;
use crate::state::{AppState, Msg, update};
use crate::{term, ui};

mod journal_feed;
mod runtime;
mod team;
pub(crate) use runtime::journal_for;
#[cfg(test)]
mod runtime_tests;

const FRAME: Duration = Duration::from_millis(33);
/// Messages applied per batch before input is looked at again, so that a
/// flood from a data source can delay neither a key nor the screen.
const MAX_BATCH: usize = 256;
/// Queue size of the channel that data sources send on.
pub const CHANNEL_CAPACITY: usize = 4096;

pub use runtime::{Executor, Runtime, Setup};

/// Takes the terminal and runs the loop with the state loaded from the
/// configuration, and an executor for effects (the demo's fault
/// injection); restores the terminal on every way out.
pub async fn run_dashboard_with(
    mut state: AppState,
    args: &DashboardArgs,
    paths: &Paths,
    executor: Option<Executor<'_>>,
) -> ExitCode {
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
        let setup = Setup { kubeconfig: args.kubeconfig.clone(), data_dir: paths.data_dir.clone(), tx, extra: executor };
        let mut runtime = Runtime::start(&mut state, setup);
        let ran = run(&mut state, &mut guard.terminal, rx, &mut runtime)
            .await
            .map_err(|e| format!("ops-tui: terminal error: {e}"));
        // The others see this engineer leave at once.
        runtime.leave().await;
        ran
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

/// A background task that ends when this is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

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
    runtime: &mut Runtime<'_>,
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
    let mut derived_at = Instant::now() - FRAME;
    let started = Instant::now();

    loop {
        for effect in std::mem::take(&mut state.effects) {
            if let Some(msg) = runtime.execute(effect) {
                dirty |= step(state, msg, started);
            }
        }
        if state.quit {
            return Ok(());
        }
        runtime.set_open(|| state.presence_open());
        if dirty && (urgent || last_frame.elapsed() >= FRAME) {
            // Derived data at most once per `FRAME`: a keypress soon after
            // a frame is drawn at once, on the rows that frame showed, and
            // the rows follow in the next frame slot.
            let rows_due = derived_at.elapsed() >= FRAME;
            if rows_due {
                state.derive();
                derived_at = Instant::now();
            } else {
                state.derive_selection();
            }
            if let Err(e) = terminal.draw(|frame| ui::draw(frame, state)) {
                return term::ended(e);
            }
            last_frame = Instant::now();
            dirty = !rows_due && state.cluster.stale;
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
    let large = replaces_much(&msg);
    let usage_read = matches!(
        msg,
        Msg::Kube(
            _,
            crate::kube::KubeMsg::Usage(crate::kube::metrics::UsageReport::Read { .. })
        )
    );
    let changed = update(state, msg);
    // A read comes in parts: its size is known once it is in.
    if large || (usage_read && state.cluster.usage.pods.len() >= LARGE_CHANGE) {
        give_back_free_memory();
    }
    changed
}

/// Pods listed again or usage read, of a namespace this large or more,
/// leave enough freed memory behind to give it back.
const LARGE_CHANGE: usize = 10_000;

fn replaces_much(msg: &Msg) -> bool {
    use crate::kube::{Change, KubeMsg};
    match msg {
        Msg::Kube(_, KubeMsg::Pods(Change::Reset(pods))) => pods.len() >= LARGE_CHANGE,
        _ => false,
    }
}

/// A relist of 100,000 pods frees as much as it keeps, in blocks among
/// those kept; glibc keeps such pages resident until they are reused.
/// `malloc_trim` gives every whole free page back to the system (a few
/// milliseconds over a heap of 100 MB), so the resident memory stays what
/// the state holds.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_back_free_memory() {
    // SAFETY: malloc_trim only returns free pages of the allocator's own
    // heap to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back_free_memory() {}

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
