//! The runtime against real parts on this machine: a journal in a
//! temporary directory, a kubeconfig that does not exist (the watches say
//! they cannot connect), and a service on 127.0.0.1 that accepts and never
//! answers (a burst stays running).

use std::path::Path;
use std::time::Duration;

use tokio::sync::mpsc;

use super::runtime::{Runtime, Setup};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::journal::{Entry, Journal};
use crate::kube::KubeMsg;
use crate::runbook::Runbook;
use crate::runbook::select::{Overrides, Target, select};
use crate::state::actions::Request;
use crate::state::{AppState, Effect, Msg};

/// How long a test waits for an answer from a background task.
const WAIT: Duration = Duration::from_secs(20);

fn runbook(port: u16) -> Runbook {
    let text = format!(
        r#"
[service]
name = "shop"

[env.prod]
context = "prod"
namespace = "shop"

[env.viewer]
context = "viewer"
namespace = "shop"
read_only = true

[[probe]]
name = "rate-limit"
url = "http://127.0.0.1:{port}/orders"
burst = 5
fail = ["[STATUS_COUNT].429 > 0"]
"#
    );
    Runbook::parse(Path::new("runtime.toml"), &text).unwrap()
}

fn target(rb: &Runbook, env: &str) -> Target {
    let overrides = Overrides {
        env: Some(env.into()),
        ..Overrides::default()
    };
    select(Some(rb), &overrides).unwrap()
}

fn state(rb: &Runbook, env: &str) -> AppState {
    AppState::new(
        target(rb, env),
        Some(rb.clone()),
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    )
}

struct Rig {
    dir: tempfile::TempDir,
    rb: Runbook,
    state: AppState,
    rx: mpsc::Receiver<Msg>,
    /// Accepts connections and never answers them.
    _silent: tokio::net::TcpListener,
}

async fn rig(env: &str, data: bool) -> (Rig, Setup<'static>) {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let rb = runbook(port);
    let state = state(&rb, env);
    let (tx, rx) = mpsc::channel(64);
    let setup = Setup {
        kubeconfig: Some(dir.path().join("no-such-kubeconfig")),
        data_dir: data.then(|| dir.path().join("data")),
        tx,
        extra: None,
    };
    let rig = Rig {
        dir,
        rb,
        state,
        rx,
        _silent: silent,
    };
    (rig, setup)
}

/// The next message that `pick` accepts, within `WAIT`.
async fn next<T>(rx: &mut mpsc::Receiver<Msg>, mut pick: impl FnMut(Msg) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("no such message in time")
            .expect("channel closed");
        if let Some(found) = pick(msg) {
            return found;
        }
    }
}

fn notice(msg: Option<Msg>) -> String {
    match msg {
        Some(Msg::Notice(text)) => text,
        other => panic!("expected a notice, got {other:?}"),
    }
}

fn note(text: &str) -> Entry {
    Entry::Note {
        text: text.into(),
        item: None,
        happened_at: None,
        starred: false,
    }
}

/// The journal's records, once it holds `count` (bounded wait).
async fn records(journal: &Journal, count: usize) -> Vec<Entry> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let entries: Vec<Entry> = journal
            .read()
            .map(|c| c.records.into_iter().map(|r| r.entry).collect())
            .unwrap_or_default();
        if entries.len() >= count || tokio::time::Instant::now() > deadline {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_watches_report_with_the_connection_number_of_their_switch() {
    let (mut rig, setup) = rig("prod", true).await;
    let mut runtime = Runtime::start(&mut rig.state, setup);
    let first = next(&mut rig.rx, |m| match m {
        Msg::Kube(n, KubeMsg::NoConnection(e)) => Some((n, e)),
        _ => None,
    })
    .await;
    assert_eq!(first.0, 0);
    assert!(first.1.contains("no-such-kubeconfig"), "{}", first.1);
    let answer = runtime.execute(Effect::Switch(target(&rig.rb, "viewer"), 7));
    assert!(answer.is_none(), "{answer:?}");
    let n = next(&mut rig.rx, |m| match m {
        Msg::Kube(n, KubeMsg::NoConnection(_)) => Some(n),
        _ => None,
    })
    .await;
    assert_eq!(n, 7);
}

#[tokio::test]
async fn a_switch_moves_the_journal_and_read_only_with_the_environment() {
    let (mut rig, setup) = rig("prod", true).await;
    let mut runtime = Runtime::start(&mut rig.state, setup);
    let prod = runtime.journal_path().unwrap();
    runtime.execute(Effect::Switch(target(&rig.rb, "viewer"), 1));
    let viewer = runtime.journal_path().unwrap();
    assert_ne!(prod, viewer);
    assert!(viewer.starts_with(rig.dir.path().join("data")));
    // The viewer environment is read-only: the burst is refused where it
    // would be sent.
    let refused = notice(runtime.execute(Effect::Act(Request::Burst("rate-limit".into()))));
    assert!(
        refused.starts_with("read-only: the burst of probe rate-limit was not sent"),
        "{refused}"
    );
    // Back to prod: allowed again.
    runtime.execute(Effect::Switch(target(&rig.rb, "prod"), 2));
    assert_eq!(runtime.journal_path().unwrap(), prod);
    let running = notice(runtime.execute(Effect::Act(Request::Burst("rate-limit".into()))));
    assert_eq!(running, "running the burst of probe rate-limit…");
}

#[tokio::test]
async fn read_only_refuses_a_burst_and_journals_nothing() {
    let (mut rig, setup) = rig("viewer", true).await;
    let mut runtime = Runtime::start(&mut rig.state, setup);
    let refused = notice(runtime.execute(Effect::Act(Request::Burst("rate-limit".into()))));
    assert!(refused.contains("was not sent"), "{refused}");
    let journal = Journal::for_env(&rig.dir.path().join("data"), "shop", "viewer");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(records(&journal, 0).await.is_empty());
}

#[tokio::test]
async fn a_burst_is_journaled_before_it_is_sent_and_runs_once_at_a_time() {
    let (mut rig, setup) = rig("prod", true).await;
    let mut runtime = Runtime::start(&mut rig.state, setup);
    let first = notice(runtime.execute(Effect::Act(Request::Burst("rate-limit".into()))));
    assert_eq!(first, "running the burst of probe rate-limit…");
    let journal = Journal::for_env(&rig.dir.path().join("data"), "shop", "prod");
    let written = records(&journal, 1).await;
    assert!(
        matches!(
            written.first(),
            Some(Entry::Action { step: crate::journal::Step::Confirmed, summary, .. }) if summary.contains("rate-limit")
        ),
        "{written:?}"
    );
    // The service never answers: the first burst is still running.
    let second = notice(runtime.execute(Effect::Act(Request::Burst("rate-limit".into()))));
    assert_eq!(second, "the burst of probe rate-limit is still running");
    let unknown = notice(runtime.execute(Effect::Act(Request::Burst("nope".into()))));
    assert!(unknown.contains("not in this environment"), "{unknown}");
}

#[tokio::test]
async fn entries_are_appended_in_the_order_they_were_made() {
    let (mut rig, setup) = rig("prod", true).await;
    let mut runtime = Runtime::start(&mut rig.state, setup);
    for i in 0..20 {
        let answer = runtime.execute(Effect::Act(Request::Record(note(&format!("n{i}")))));
        assert!(answer.is_none(), "{answer:?}");
    }
    let journal = Journal::for_env(&rig.dir.path().join("data"), "shop", "prod");
    let texts: Vec<String> = records(&journal, 20)
        .await
        .into_iter()
        .filter_map(|e| match e {
            Entry::Note { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    let expected: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
    assert_eq!(texts, expected);
}

#[tokio::test]
async fn without_a_data_directory_only_what_the_operator_asked_for_is_refused_aloud() {
    let (mut rig, setup) = rig("prod", false).await;
    let mut runtime = Runtime::start(&mut rig.state, setup);
    let automatic = Entry::Check {
        check: "probe:x".into(),
        status: "fail".into(),
        text: "down".into(),
    };
    assert!(
        runtime
            .execute(Effect::Act(Request::Record(automatic)))
            .is_none()
    );
    let refused = notice(runtime.execute(Effect::Act(Request::Record(note("hello")))));
    assert_eq!(
        refused,
        "no data directory for the journal: nothing was recorded"
    );
    let burst = notice(runtime.execute(Effect::Act(Request::Burst("rate-limit".into()))));
    assert_eq!(
        burst,
        "no data directory for the journal: the burst was not sent"
    );
    // After a switch the state is told the journal is empty.
    let answer = runtime.execute(Effect::Switch(target(&rig.rb, "viewer"), 1));
    assert!(
        matches!(answer, Some(Msg::Journal(ref r)) if r.is_empty()),
        "{answer:?}"
    );
}

#[tokio::test]
async fn an_action_while_not_connected_fails_with_its_request_number() {
    let (mut rig, setup) = rig("prod", true).await;
    let mut runtime = Runtime::start(&mut rig.state, setup);
    let plan = crate::kube::actions::Plan::scale("shop", "api", 2, 3);
    assert!(
        runtime
            .execute(Effect::Act(Request::DryRun(41, plan.clone())))
            .is_none()
    );
    let (id, answer) = next(&mut rig.rx, |m| match m {
        Msg::DryRun(id, answer) => Some((id, answer)),
        _ => None,
    })
    .await;
    assert_eq!(id, 41);
    assert_eq!(answer, Err("not connected to the cluster".into()));
    runtime.execute(Effect::Act(Request::Execute(42, plan)));
    let (id, answer) = next(&mut rig.rx, |m| match m {
        Msg::Acted(id, answer) => Some((id, answer)),
        _ => None,
    })
    .await;
    assert_eq!(
        (id, answer),
        (42, Err("not connected to the cluster".into()))
    );
    runtime.execute(Effect::Act(Request::Revisions(
        43,
        crate::kinds::WorkloadKind::Deployment,
        "api".into(),
    )));
    let id = next(&mut rig.rx, |m| match m {
        Msg::Revisions(id, Err(_)) => Some(id),
        _ => None,
    })
    .await;
    assert_eq!(id, 43);
}

#[tokio::test]
async fn effects_it_does_not_know_go_to_the_extra_executor() {
    let (mut rig, mut setup) = rig("prod", true).await;
    let fault = crate::state::faults::Fault {
        label: "crash-loop the api Deployment",
        name: "crash",
        params: &[("workload", "api")],
    };
    assert!(
        Runtime::start(&mut rig.state, setup_clone(&setup))
            .execute(Effect::Inject(fault))
            .is_none()
    );
    let extra = |effect: Effect| match effect {
        Effect::Inject(f) => Some(Msg::Notice(format!("injected {}", f.name))),
        _ => None,
    };
    setup.extra = Some(&extra);
    let mut runtime = Runtime::start(&mut rig.state, setup);
    let answer = notice(runtime.execute(Effect::Inject(fault)));
    assert_eq!(answer, format!("injected {}", fault.name));
}

fn setup_clone<'a>(setup: &Setup<'a>) -> Setup<'a> {
    Setup {
        kubeconfig: setup.kubeconfig.clone(),
        data_dir: setup.data_dir.clone(),
        tx: setup.tx.clone(),
        extra: setup.extra,
    }
}
