//! The Timeline's events end to end: the simulator over HTTP, the real
//! watches, the dashboard's state, a real journal file. A fault injected
//! as the demo's fault menu does (crash-looping the api Deployment) is
//! journaled, and so is the first crash loop of each of its pods, once,
//! with its restart count; a dashboard started again on that journal does
//! not write them again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use ops_sim::SimOptions;
use ops_sim::cluster::Timing;
use ops_sim::scenario::ScenarioName;
use ops_tui::cmd::demo::FAULTS;
use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::Theme;
use ops_tui::journal::{Entry, EventKind, Journal, Record};
use ops_tui::kube::watch;
use ops_tui::runbook::select::{Overrides, select};
use ops_tui::state::actions::Request;
use ops_tui::state::{AppState, Effect, Msg, update};
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(30);

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A dashboard with no runbook on the simulator's namespace: every
/// Deployment is watched.
fn dashboard(ns: &str) -> AppState {
    let overrides = Overrides {
        context: Some("demo".into()),
        namespace: Some(ns.into()),
        ..Overrides::default()
    };
    let target = select(None, &overrides).unwrap();
    AppState::new(
        target,
        None,
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    )
}

/// Appends what the state asked to journal, as the loop does.
fn write_effects(s: &mut AppState, journal: &Journal) -> Vec<Entry> {
    let mut written = Vec::new();
    for effect in s.effects.drain(..) {
        if let Effect::Act(Request::Record(entry)) = effect {
            journal
                .append(&Record::now(None, entry.clone()))
                .expect("append");
            written.push(entry);
        }
    }
    written
}

/// Applies the watches' messages and a clock tick a second (as the loop
/// does), journaling what the state asks, until `done` holds.
async fn run_until(
    rx: &mut mpsc::Receiver<Msg>,
    s: &mut AppState,
    journal: &Journal,
    what: &str,
    done: impl Fn(&AppState, &[Entry]) -> bool,
) -> Vec<Entry> {
    let deadline = tokio::time::Instant::now() + LIMIT;
    let mut written = Vec::new();
    loop {
        update(s, Msg::Tick(String::new(), now()));
        s.derive();
        written.extend(write_effects(s, journal));
        if done(s, &written) {
            return written;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {LIMIT:?}; journaled: {written:#?}"
        );
        let wait = tokio::time::sleep(Duration::from_millis(200));
        tokio::pin!(wait);
        loop {
            tokio::select! {
                m = rx.recv() => match m {
                    Some(m) => { update(s, m); }
                    None => panic!("the watches ended"),
                },
                () = &mut wait => break,
            }
        }
    }
}

fn crash_loops(entries: &[Entry]) -> Vec<(String, String)> {
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Event {
                event: EventKind::CrashLoop,
                subject,
                text,
                ..
            } => Some((subject.clone(), text.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_crash_loop_reaches_the_timeline_once() {
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::GoLive),
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    let ns = sim.namespace().to_string();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = ops_sim::kubeconfig::write(dir.path(), &sim.kubeconfig(&ns)).unwrap();
    let journal = Journal::for_env(dir.path(), "demo", "demo");

    let (tx, mut rx) = mpsc::channel(4096);
    let mut s = dashboard(&ns);
    s.now = now();
    update(&mut s, Msg::Journal(Vec::new()));
    let _watches = watch::connect_and_watch(
        Some(kubeconfig.clone()),
        s.target.clone(),
        None,
        0,
        ops_tui::sink::Sink {
            tx: tx.clone(),
            wrap: Msg::Kube,
        },
        watch::Shared::default(),
    );
    // The release in progress settles: nothing crash-loops yet.
    run_until(&mut rx, &mut s, &journal, "the api listed", |s, _| {
        s.cluster.listed
            && s.cluster
                .workload(ops_tui::kinds::WorkloadKind::Deployment, "api")
                .is_some()
    })
    .await;

    // The demo's fault menu: its first entry crash-loops the api.
    let fault = FAULTS[0];
    let result = ops_sim::control::inject(&sim.handle, fault.name, |p| {
        fault
            .params
            .iter()
            .find(|(k, _)| *k == p)
            .map(|(_, v)| (*v).to_string())
    });
    assert!(result.is_ok(), "{result:?}");
    update(&mut s, Msg::Injected(fault, result));
    let written = run_until(
        &mut rx,
        &mut s,
        &journal,
        "a crash loop journaled",
        |_, w| !crash_loops(w).is_empty(),
    )
    .await;
    assert!(
        written.iter().any(
            |e| matches!(e, Entry::Event { event: EventKind::Fault, text, .. }
            if text.starts_with("fault injected in the demo: crash-loop the api Deployment"))
        ),
        "{written:#?}"
    );
    let (pod, text) = crash_loops(&written).remove(0);
    assert!(pod.starts_with("pod/api-"), "{pod}");
    assert!(
        text.starts_with(&format!("{pod} in CrashLoopBackOff (")) && text.contains(" restarts"),
        "{text}"
    );

    // Read back from the file: the Timeline shows both.
    let records = journal.read().unwrap().records;
    update(&mut s, Msg::Journal(records.clone()));
    let kinds: Vec<(&str, &str)> = s
        .timeline
        .iter()
        .map(|r| (r.kind, r.text.as_str()))
        .collect();
    assert!(kinds.contains(&("crash loop", text.as_str())), "{kinds:?}");
    assert!(kinds.iter().any(|(k, _)| *k == "fault"), "{kinds:?}");

    // The pod keeps restarting; a second dashboard on the same journal
    // writes nothing for it.
    let (tx2, mut rx2) = mpsc::channel(4096);
    let mut other = dashboard(&ns);
    other.now = now();
    update(&mut other, Msg::Journal(records));
    let _watches2 = watch::connect_and_watch(
        Some(kubeconfig),
        other.target.clone(),
        None,
        0,
        ops_tui::sink::Sink {
            tx: tx2,
            wrap: Msg::Kube,
        },
        watch::Shared::default(),
    );
    let pod_name = pod.trim_start_matches("pod/").to_string();
    let again = run_until(
        &mut rx2,
        &mut other,
        &journal,
        "the pod seen again",
        |_, _| true,
    )
    .await;
    assert!(crash_loops(&again).is_empty(), "{again:#?}");
    // Wait until the second dashboard has seen that pod crash-looping.
    let deadline = tokio::time::Instant::now() + LIMIT;
    let looping = |s: &AppState| {
        s.cluster
            .pods
            .get(pod_name.as_str())
            .is_some_and(|p| p.status == "CrashLoopBackOff")
    };
    while !looping(&other) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{pod_name} not seen"
        );
        if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), rx2.recv()).await {
            update(&mut other, m);
        }
        update(&mut other, Msg::Tick(String::new(), now()));
        let more = write_effects(&mut other, &journal);
        assert!(
            !crash_loops(&more).iter().any(|(p, _)| *p == pod),
            "{more:#?}"
        );
    }
}
