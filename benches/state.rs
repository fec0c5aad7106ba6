//! State benchmarks at scale: applying watch events to a dashboard holding
//! 500 Deployments and 20,000 pods through `update`, then deriving the
//! Rollouts rows with `refresh`, as the app does once per batch. Figures
//! are printed by criterion, never asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::Event;
use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::Theme;
use ops_tui::kube::model::{PodPhase, PodRow, ReplicaSetRow, WorkloadRow};
use ops_tui::kube::{Change, KubeMsg};
use ops_tui::runbook::select::{Overrides, select};
use ops_tui::state::{AppState, Msg, update};

const DEPLOYMENTS: usize = 500;
const PODS: usize = 20_000;
/// Pods per Deployment.
const PER: usize = PODS / DEPLOYMENTS;
/// Seconds since the epoch the state is built at.
const NOW: i64 = 1_800_000_000;

fn deployment(i: usize) -> WorkloadRow {
    WorkloadRow {
        name: format!("app-{i:04}"),
        uid: format!("d-{i}"),
        generation: 2,
        observed_generation: 2,
        desired: PER as i32,
        replicas: PER as i32,
        updated: PER as i32,
        ready: PER as i32,
        available: PER as i32,
        progressing_reason: Some("NewReplicaSetAvailable".into()),
        progressing_message: Some(format!(
            "ReplicaSet \"app-{i:04}-2\" has successfully progressed."
        )),
        changed_at: Some(NOW - 600),
        revision: 2,
        images: vec!["registry.example.com/scale/app:1.2".into()],
        created_at: Some(NOW - 86_400),
        ..WorkloadRow::default()
    }
}

/// Two ReplicaSets per Deployment: the previous revision and the current.
fn replicasets(i: usize) -> [ReplicaSetRow; 2] {
    [1, 2].map(|revision| ReplicaSetRow {
        name: format!("app-{i:04}-{revision}"),
        uid: format!("rs-{i}-{revision}"),
        owner: format!("d-{i}"),
        revision,
        desired: if revision == 2 { PER as i32 } else { 0 },
        ready: if revision == 2 { PER as i32 } else { 0 },
        images: vec![format!("registry.example.com/scale/app:1.{revision}")],
        change_cause: Some(format!("release 1.{revision}")),
        created_at: Some(NOW - 3_600 * (3 - revision)),
    })
}

/// Pod `j` of Deployment `i`; `restarts` varies so an upsert changes it.
fn pod(i: usize, j: usize, restarts: i32) -> PodRow {
    PodRow {
        name: format!("app-{i:04}-2-{j:05}").into(),
        owner: format!("rs-{i}-2").into(),
        phase: if restarts % 2 == 1 {
            PodPhase::Failing
        } else {
            PodPhase::Running
        },
        ready: restarts % 2 == 0,
        restarts,
        last_restart_at: (restarts > 0).then_some(NOW - 60),
        last_termination: (restarts > 0).then(|| "Error".to_string()).map(Into::into),
        node: Some(format!("node-{}", (i + j) % 40).into()),
        started_at: Some(NOW - 3_000),
        containers: vec!["app".into()].into(),
        status: if restarts % 2 == 1 {
            "CrashLoopBackOff"
        } else {
            "Running"
        }
        .into(),
        ready_containers: u32::from(restarts % 2 == 0),
        revision_hash: None,
        uid: format!("uid-{i}-{j}").into(),
        grace_seconds: Some(30),
        resources: Default::default(),
    }
}

fn all_pods(restarts: i32) -> Vec<PodRow> {
    (0..DEPLOYMENTS)
        .flat_map(|i| (0..PER).map(move |j| pod(i, j, restarts)))
        .collect()
}

fn kube(state: &mut AppState, msg: KubeMsg) {
    update(state, Msg::Kube(0, msg));
}

/// A connected dashboard with no runbook, 500 Deployments and 20,000 pods,
/// derived rows refreshed.
fn state() -> AppState {
    let target = select(None, &Overrides::default()).unwrap();
    let mut state = AppState::new(
        target,
        None,
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    );
    update(&mut state, Msg::Input(Event::Resize(160, 48)));
    update(&mut state, Msg::Tick("12:00:00 UTC".into(), NOW));
    kube(
        &mut state,
        KubeMsg::Connected {
            context: "demo".into(),
            namespace: "scale".into(),
            user: "admin".into(),
        },
    );
    kube(
        &mut state,
        KubeMsg::Workloads(
            ops_tui::kinds::WorkloadKind::Deployment,
            Change::Reset((0..DEPLOYMENTS).map(deployment).collect()),
        ),
    );
    kube(
        &mut state,
        KubeMsg::ReplicaSets(Change::Reset(
            (0..DEPLOYMENTS).flat_map(replicasets).collect(),
        )),
    );
    kube(&mut state, KubeMsg::Pods(Change::Reset(all_pods(0))));
    state.cluster.refresh(NOW);
    assert_eq!(state.cluster.rows.len(), DEPLOYMENTS);
    assert_eq!(state.cluster.pods.len(), PODS);
    state
}

/// 1,000 upserts of existing pods, spread over 25 Deployments (a rollout
/// restart of each), the `n`th batch of a cycle.
fn upserts(n: usize) -> Vec<KubeMsg> {
    let restarts = (n % 4) as i32 + 1;
    let first = (n * 25) % DEPLOYMENTS;
    (first..first + 25)
        .flat_map(|i| (0..PER).map(move |j| pod(i % DEPLOYMENTS, j, restarts)))
        .map(|p| KubeMsg::Pods(Change::Upsert(p)))
        .collect()
}

fn apply(c: &mut Criterion) {
    let mut group = c.benchmark_group("state 500 deployments, 20000 pods");
    let mut s = state();

    // One event and the derivation after it: what a quiet batch costs.
    let mut n = 0;
    group.bench_function("1 pod upsert + refresh", |b| {
        b.iter_batched(
            || {
                n += 1;
                pod(n % DEPLOYMENTS, 0, (n % 4) as i32)
            },
            |p| {
                kube(&mut s, KubeMsg::Pods(Change::Upsert(p)));
                s.cluster.refresh(black_box(NOW));
            },
            BatchSize::SmallInput,
        )
    });

    let mut n = 0;
    group.bench_function("1000 pod upserts + refresh", |b| {
        b.iter_batched(
            || {
                n += 1;
                upserts(n)
            },
            |msgs| {
                for m in msgs {
                    kube(&mut s, m);
                }
                s.cluster.refresh(black_box(NOW));
            },
            BatchSize::SmallInput,
        )
    });

    // A reconnect: the Pods watch relists and replaces all 20,000.
    let mut n = 0;
    group.bench_function("relist: Reset of 20000 pods + refresh", |b| {
        b.iter_batched(
            || {
                n += 1;
                all_pods(n % 2)
            },
            |pods| {
                kube(&mut s, KubeMsg::Pods(Change::Reset(pods)));
                s.cluster.refresh(black_box(NOW));
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
    assert_eq!(s.cluster.pods.len(), PODS);
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
    targets = apply
}
criterion_main!(benches);
