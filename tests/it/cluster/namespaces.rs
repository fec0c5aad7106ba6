//! A view of every namespace (`-A`) through the real connection and
//! watches against `ops-tui demo --serve --namespaces 2`: the rows of both
//! namespaces, names qualified and the runbook's workload found in its
//! own; an action on a row of the other namespace goes to that namespace;
//! a namespace the user may not list is reported and the rest shown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common;

use common::demo::Demo;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::Theme;
use ops_tui::kube::actions::Action;
use ops_tui::kube::watch::connect_and_watch;
use ops_tui::runbook::select::Target;
use ops_tui::state::actions::{Dialog, Request};
use ops_tui::state::{AppState, Effect, Msg, update};
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(30);

/// A dashboard of every namespace, with `api` as the runbook's workload
/// would be, fed by the real sources.
fn every_namespace(demo: &Demo) -> (AppState, mpsc::Receiver<Msg>, impl Drop) {
    let target = Target {
        context: Some("demo".into()),
        all_namespaces: true,
        ..Target::default()
    };
    let mut state = AppState::new(
        target.clone(),
        None,
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    );
    state.cluster.wanted = vec![(ops_tui::kinds::WorkloadKind::Deployment, "api".into())];
    let (tx, rx) = mpsc::channel(4096);
    let task = connect_and_watch(
        Some(demo.kubeconfig.clone()),
        target,
        None,
        0,
        ops_tui::sink::Sink {
            tx,
            wrap: Msg::Kube,
        },
        Default::default(),
    );
    (state, rx, task)
}

/// Applies messages until `cond` holds (bounded).
async fn until(
    rx: &mut mpsc::Receiver<Msg>,
    state: &mut AppState,
    what: &str,
    cond: impl Fn(&AppState) -> bool,
) {
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        state.now = jiff::Timestamp::now().as_second();
        state.derive();
        if cond(state) {
            return;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(msg)) => {
                update(state, msg);
            }
            Ok(None) => panic!("the watches ended"),
            Err(_) => panic!(
                "{what}: not within {LIMIT:?}; rows: {:?}; warnings: {:?}",
                state
                    .cluster
                    .rows
                    .iter()
                    .map(|r| &r.name)
                    .collect::<Vec<_>>(),
                state.warnings
            ),
        }
    }
}

fn has(state: &AppState, name: &str) -> bool {
    state
        .cluster
        .rows
        .iter()
        .any(|r| r.name == name && r.workload.is_some())
}

fn press(state: &mut AppState, code: KeyCode) {
    state.mono_ms += 1000;
    update(
        state,
        Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_namespace_is_watched_and_an_action_goes_to_its_rows_namespace() {
    let demo = Demo::start(&["--speed", "10", "--namespaces", "2"]);
    let (mut state, mut rx, _task) = every_namespace(&demo);
    until(&mut rx, &mut state, "both namespaces", |s| {
        has(s, "shop-prod/api") && has(s, "payments/gateway") && has(s, "payments/ledger")
    })
    .await;
    // The runbook's api is shop-prod's: found, not missing.
    assert!(state.cluster.rows.iter().all(|r| r.name != "api"));
    assert!(
        state
            .cluster
            .workload(ops_tui::kinds::WorkloadKind::Deployment, "api")
            .is_some()
    );
    // Pods and their usage are keyed in their namespaces too.
    until(&mut rx, &mut state, "usage of payments' pods", |s| {
        s.cluster
            .usage
            .pods
            .keys()
            .any(|k| k.starts_with("payments/gateway-"))
    })
    .await;

    // Scale payments/gateway from its row: the request is payments'.
    let at = state
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments/gateway")
        .unwrap();
    state.picked = None;
    state.selected[0] = at;
    state.effects.clear();
    press(&mut state, KeyCode::Char('s'));
    assert!(
        matches!(state.dialog(), Some(Dialog::Scale { .. })),
        "{:?}",
        state.notice
    );
    press(&mut state, KeyCode::Char('3'));
    press(&mut state, KeyCode::Enter);
    let Some(Effect::Act(Request::DryRun(_, plan))) = state.effects.pop() else {
        panic!("no dry run: {:?} {:?}", state.effects, state.dialog())
    };
    assert_eq!(
        plan.path,
        "/apis/apps/v1/namespaces/payments/deployments/gateway/scale"
    );
    assert_eq!(plan.target, "gateway");
    let client = ops_tui::kube::connect(Some(&demo.kubeconfig), Some("demo"), None)
        .await
        .unwrap()
        .client;
    let dir = tempfile::tempdir().unwrap();
    let journal = ops_tui::journal::Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan,
        journal: &journal,
        kube_user: Some("admin".into()),
    };
    action.dry_run(&client, false).await.unwrap();
    action.execute(&client, false).await.unwrap();
    assert_eq!(
        demo.ok(&[
            "get",
            "deploy",
            "gateway",
            "-n",
            "payments",
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "3"
    );
    assert_eq!(
        demo.ok(&[
            "get",
            "deploy",
            "api",
            "-n",
            "shop-prod",
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "3",
        "shop-prod's api is untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_that_may_not_be_listed_is_reported_and_the_rest_shown() {
    let demo = Demo::start(&["--speed", "10", "--namespaces", "2"]);
    demo.fault("/faults/forbid?resource=deployments&namespace=payments");
    let (mut state, mut rx, _task) = every_namespace(&demo);
    until(&mut rx, &mut state, "shop-prod without payments", |s| {
        has(s, "shop-prod/api") && !s.cluster.denied.is_empty()
    })
    .await;
    assert_eq!(state.cluster.denied, ["payments"]);
    assert!(
        state
            .warnings
            .iter()
            .any(|w| w == "not shown: 1 namespace you may not list (payments)"),
        "{:?}",
        state.warnings
    );
    assert!(
        state
            .cluster
            .rows
            .iter()
            .all(|r| !r.name.starts_with("payments/"))
    );
    // No watch of the namespaces shown fails: the header is not FORBIDDEN.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(msg) = rx.try_recv() {
        update(&mut state, msg);
    }
    assert!(
        state.cluster.trouble().is_none(),
        "{:?}",
        state.cluster.trouble()
    );
}
