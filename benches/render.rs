//! Rendering benchmarks at scale: the whole dashboard, the Rollouts pane and
//! the workload view, with 500 Deployments and 20,000 pods, drawn into a
//! 160x48 `TestBackend` as `ops-tui` draws into the terminal. Figures are
//! printed by criterion, never asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::Theme;
use ops_tui::kube::model::{PodPhase, PodRow, ReplicaSetRow, WorkloadRow};
use ops_tui::kube::{Change, KubeMsg};
use ops_tui::runbook::select::{Overrides, select};
use ops_tui::state::{AppState, Msg, Pane, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const DEPLOYMENTS: usize = 500;
const PODS: usize = 20_000;
/// Seconds since the epoch the state is built at.
const NOW: i64 = 1_800_000_000;
const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;

/// A Deployment with `replicas` pods; every 50th is mid-rollout.
fn deployment(i: usize, replicas: i32) -> WorkloadRow {
    let rolling = i % 50 == 7;
    let revision = if rolling { 3 } else { 2 };
    WorkloadRow {
        name: format!("app-{i:04}"),
        uid: format!("d-{i}"),
        generation: 2,
        observed_generation: 2,
        desired: replicas,
        replicas,
        updated: if rolling { replicas / 2 } else { replicas },
        ready: replicas,
        available: replicas,
        progressing_reason: Some(if rolling {
            "ReplicaSetUpdated".into()
        } else {
            "NewReplicaSetAvailable".into()
        }),
        progressing_message: Some(format!("ReplicaSet \"app-{i:04}-{revision}\" progressing")),
        changed_at: Some(NOW - 600),
        revision,
        images: vec![format!("registry.example.com/scale/app:1.{revision}")],
        created_at: Some(NOW - 86_400),
        ..WorkloadRow::default()
    }
}

/// Two ReplicaSets per Deployment: the previous revision and the current.
fn replicasets(i: usize, replicas: i32) -> [ReplicaSetRow; 2] {
    [1, 2].map(|revision| ReplicaSetRow {
        name: format!("app-{i:04}-{revision}"),
        uid: format!("rs-{i}-{revision}"),
        owner: format!("d-{i}"),
        revision,
        desired: if revision == 2 { replicas } else { 0 },
        ready: if revision == 2 { replicas } else { 0 },
        images: vec![format!("registry.example.com/scale/app:1.{revision}")],
        change_cause: Some(format!("release 1.{revision}")),
        created_at: Some(NOW - 3_600 * (3 - revision)),
    })
}

/// Pod `j` of Deployment `i`; one pod in 100 is crash-looping.
fn pod(i: usize, j: usize) -> PodRow {
    let failing = (i * 31 + j).is_multiple_of(100);
    PodRow {
        name: format!("app-{i:04}-2-{j:05}").into(),
        owner: format!("rs-{i}-2").into(),
        phase: if failing {
            PodPhase::Failing
        } else {
            PodPhase::Running
        },
        ready: !failing,
        restarts: if failing { 4 } else { 0 },
        last_restart_at: failing.then_some(NOW - 120),
        last_termination: failing.then(|| "Error".into()),
        node: Some(format!("node-{}", (i + j) % 40).into()),
        started_at: Some(NOW - 3_000),
        containers: vec!["app".into()].into(),
        status: if failing {
            "CrashLoopBackOff"
        } else {
            "Running"
        }
        .into(),
        ready_containers: u32::from(!failing),
        revision_hash: None,
        uid: format!("uid-{i}-{j}").into(),
        grace_seconds: Some(30),
        resources: Default::default(),
    }
}

fn kube(state: &mut AppState, msg: KubeMsg) {
    update(state, Msg::Kube(0, msg));
}

fn press(state: &mut AppState, code: KeyCode) {
    let key = Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    assert!(update(state, key), "{code:?} changed nothing");
}

/// A connected dashboard with no runbook, `deployments` Deployments and
/// `pods` pods spread over them, derived rows refreshed.
fn state(deployments: usize, pods: usize) -> AppState {
    let target = select(None, &Overrides::default()).unwrap();
    let mut state = AppState::new(
        target,
        None,
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    );
    update(&mut state, Msg::Input(Event::Resize(WIDTH, HEIGHT)));
    update(&mut state, Msg::Tick("12:00:00 UTC".into(), NOW));
    kube(
        &mut state,
        KubeMsg::Connected {
            context: "demo".into(),
            namespace: "scale".into(),
            user: "admin".into(),
        },
    );
    let per = |i: usize| pods / deployments + usize::from(i < pods % deployments);
    kube(
        &mut state,
        KubeMsg::Workloads(
            ops_tui::kinds::WorkloadKind::Deployment,
            Change::Reset(
                (0..deployments)
                    .map(|i| deployment(i, per(i) as i32))
                    .collect(),
            ),
        ),
    );
    kube(
        &mut state,
        KubeMsg::ReplicaSets(Change::Reset(
            (0..deployments)
                .flat_map(|i| replicasets(i, per(i) as i32))
                .collect(),
        )),
    );
    kube(
        &mut state,
        KubeMsg::Pods(Change::Reset(
            (0..deployments)
                .flat_map(|i| (0..per(i)).map(move |j| pod(i, j)))
                .collect(),
        )),
    );
    state.cluster.refresh(NOW);
    assert_eq!(state.cluster.rows.len(), deployments);
    assert_eq!(state.cluster.pods.len(), pods);
    state
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap()
}

fn render(c: &mut Criterion) {
    let mut dashboard = state(DEPLOYMENTS, PODS);
    let mut group = c.benchmark_group("render 500 deployments, 20000 pods");

    // The frame as the app draws it in steady state: every widget rendered
    // into the buffer, then diffed against the previous (identical) frame.
    let mut term = terminal();
    group.bench_function("dashboard", |b| {
        b.iter(|| {
            term.draw(|f| ops_tui::ui::draw(f, black_box(&dashboard)))
                .unwrap();
        })
    });

    // Moving the selection each frame, so the diff has cells to send.
    let mut term = terminal();
    let mut down = true;
    group.bench_function("dashboard, selection moving", |b| {
        b.iter(|| {
            press(
                &mut dashboard,
                if down { KeyCode::Down } else { KeyCode::Up },
            );
            down = !down;
            term.draw(|f| ops_tui::ui::draw(f, black_box(&dashboard)))
                .unwrap();
        })
    });

    // Filtered by `/app-01`: 100 of the 500 rows match, each judged
    // every frame.
    let mut filtered = state(DEPLOYMENTS, PODS);
    press(&mut filtered, KeyCode::Char('/'));
    for c in "app-01".chars() {
        press(&mut filtered, KeyCode::Char(c));
    }
    press(&mut filtered, KeyCode::Enter);
    assert_eq!(filtered.row_count(Pane::Rollouts), 100);
    let mut term = terminal();
    group.bench_function("dashboard, filtered to 100 of 500", |b| {
        b.iter(|| {
            term.draw(|f| ops_tui::ui::draw(f, black_box(&filtered)))
                .unwrap();
        })
    });

    let mut term = terminal();
    group.bench_function("rollouts pane, full screen", |b| {
        b.iter(|| {
            term.draw(|f| {
                let area = f.area();
                ops_tui::ui::panes::draw(f, black_box(&dashboard), Pane::Rollouts, area);
            })
            .unwrap();
        })
    });

    let mut workload = state(DEPLOYMENTS, PODS);
    // A Deployment in the middle of the sorted rows, with its 40 pods.
    workload.selected[Pane::Rollouts.index()] = DEPLOYMENTS / 2;
    press(&mut workload, KeyCode::Enter);
    assert!(
        workload.workload().is_some(),
        "the workload view did not open"
    );
    let mut term = terminal();
    group.bench_function("workload view", |b| {
        b.iter(|| {
            term.draw(|f| ops_tui::ui::draw(f, black_box(&workload)))
                .unwrap();
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = render
}
criterion_main!(benches);
