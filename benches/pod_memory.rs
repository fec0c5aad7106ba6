//! Memory per pod: the bytes the dashboard's state holds for each watched
//! pod, measured with a counting allocator rather than timed.
//!
//! The simulator's `scale` scenario is seeded in the process (500
//! workloads and `PODS` pods, 100,000 by default, in `NAMESPACES`
//! namespaces, 1 by default); its Deployments, StatefulSets, DaemonSets,
//! ReplicaSets and ControllerRevisions are projected and given to a
//! connected dashboard's state as the watches give them. Then, `RUNS` times
//! (3 by default) on a fresh state:
//!
//! - the pods are projected as the Pods watch projects them (the `Reset`
//!   message a list becomes), and that message applied through `update`,
//!   then the rows derived: the bytes the state holds afterwards, less what
//!   it held before, per pod, are *held per pod*;
//! - churn: `ROUNDS` rounds (10 by default) of rollout restarts of 10
//!   Deployments each, every pod of each replaced by a new one of a new
//!   ReplicaSet (added, running, terminating, deleted), as the watch reports
//!   them; the held bytes are read after every round.
//!
//! Bytes are those the program asked the allocator for; *in use* (glibc
//! only) is what glibc's `mallinfo2` counts as allocated, with its chunk
//! headers and rounding, the figure closest to resident memory. Printed,
//! never asserted:
//!
//! ```sh
//! cargo bench --bench pod_memory
//! PODS=20000 RUNS=5 cargo bench --bench pod_memory
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use crossterm::event::Event;
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use ops_sim::cluster::{Cluster, Timing};
use ops_sim::controller::node::{NodeSize, register};
use ops_sim::scenario::{ScaleSize, ScenarioName, seed};
use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::Theme;
use ops_tui::kinds::WorkloadKind;
use ops_tui::kube::model::{PodRow, Pool, ReplicaSetRow, WorkloadRow};
use ops_tui::kube::{Change, KubeMsg};
use ops_tui::runbook::select::{Overrides, select};
use ops_tui::state::{AppState, Msg, update};

/// The system allocator, counting the bytes and blocks asked for.
struct Counting;

static BYTES: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
            BLOCKS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
            BLOCKS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) };
        BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        BLOCKS.fetch_sub(1, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            BYTES.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes and blocks asked for and not given back, and what glibc counts
/// as in use (0 elsewhere).
#[derive(Debug, Clone, Copy)]
struct Heap {
    bytes: isize,
    blocks: isize,
    in_use: isize,
}

impl Heap {
    fn now() -> Heap {
        Heap {
            bytes: BYTES.load(Ordering::Relaxed),
            blocks: BLOCKS.load(Ordering::Relaxed),
            in_use: glibc_in_use(),
        }
    }

    fn since(self, before: Heap) -> Heap {
        Heap {
            bytes: self.bytes - before.bytes,
            blocks: self.blocks - before.blocks,
            in_use: self.in_use - before.in_use,
        }
    }

    fn per(self, n: usize) -> (f64, f64, f64) {
        let n = n.max(1) as f64;
        (
            self.bytes as f64 / n,
            self.blocks as f64 / n,
            self.in_use as f64 / n,
        )
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn glibc_in_use() -> isize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let m = unsafe { libc::mallinfo2() };
    (m.uordblks + m.hblkhd) as isize
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn glibc_in_use() -> isize {
    0
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the simulator holds after seeding, as the watches would list it.
struct Seeded {
    namespace: String,
    deployments: Vec<Deployment>,
    statefulsets: Vec<StatefulSet>,
    daemonsets: Vec<DaemonSet>,
    replicasets: Vec<ReplicaSet>,
    revisions: Vec<ControllerRevision>,
    pods: Vec<Pod>,
}

fn seeded(deployments: usize, pods: usize, namespaces: usize) -> Seeded {
    let mut cluster = Cluster::new(Timing::demo(), 0);
    let nodes = cluster.node_names.len().max(1);
    register(&mut cluster, NodeSize::for_pods(pods.div_ceil(nodes)));
    seed(
        &mut cluster,
        ScenarioName::Scale,
        ScaleSize {
            deployments,
            pods,
            namespaces,
        },
    );
    let ns = ScenarioName::Scale.namespace();
    let store = &cluster.store;
    Seeded {
        namespace: ns.to_string(),
        deployments: store.list_typed(Some(ns)),
        statefulsets: store.list_typed(Some(ns)),
        daemonsets: store.list_typed(Some(ns)),
        replicasets: store.list_typed(Some(ns)),
        revisions: store.list_typed(Some(ns)),
        pods: store.list_typed(Some(ns)),
    }
}

fn kube(state: &mut AppState, msg: KubeMsg) {
    update(state, Msg::Kube(0, msg));
}

/// A connected dashboard with no runbook and every workload of the
/// scenario, its pods not yet listed.
fn dashboard(seeded: &Seeded, now: i64) -> AppState {
    let target = select(None, &Overrides::default()).unwrap();
    let mut state = AppState::new(
        target,
        None,
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    );
    update(&mut state, Msg::Input(Event::Resize(160, 48)));
    update(&mut state, Msg::Tick("12:00:00 UTC".into(), now));
    kube(
        &mut state,
        KubeMsg::Connected {
            context: "demo".into(),
            namespace: seeded.namespace.clone(),
            user: "admin".into(),
        },
    );
    let workloads = [
        (
            WorkloadKind::Deployment,
            seeded
                .deployments
                .iter()
                .map(WorkloadRow::from)
                .collect::<Vec<_>>(),
        ),
        (
            WorkloadKind::StatefulSet,
            seeded
                .statefulsets
                .iter()
                .map(WorkloadRow::from_statefulset)
                .collect(),
        ),
        (
            WorkloadKind::DaemonSet,
            seeded
                .daemonsets
                .iter()
                .map(WorkloadRow::from_daemonset)
                .collect(),
        ),
    ];
    for (kind, rows) in workloads {
        kube(&mut state, KubeMsg::Workloads(kind, Change::Reset(rows)));
    }
    kube(
        &mut state,
        KubeMsg::ReplicaSets(Change::Reset(
            seeded.replicasets.iter().map(ReplicaSetRow::from).collect(),
        )),
    );
    kube(
        &mut state,
        KubeMsg::ControllerRevisions(Change::Reset(
            seeded
                .revisions
                .iter()
                .map(ReplicaSetRow::from_controller_revision)
                .collect(),
        )),
    );
    state.derive();
    state
}

/// The pods as the Pods watch projects a list of them (its pool of shared
/// text lives as long as the watch).
fn project(pods: &[Pod], pool: &mut Pool) -> Vec<PodRow> {
    pods.iter()
        .map(|p| PodRow::project(p, pool, false))
        .collect()
}

/// A random lower-case hexadecimal uid, as the API server gives.
fn uid() -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..0x1000),
        fastrand::u16(..0x1000),
        fastrand::u64(..1 << 48)
    )
}

const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn suffix(len: usize) -> String {
    (0..len)
        .map(|_| char::from(CHARS[fastrand::usize(..CHARS.len())]))
        .collect()
}

/// The `j`th of a ReplicaSet's five-character pod name suffixes, from a
/// random start: distinct for every `j` of a ReplicaSet.
fn nth_suffix(start: usize, j: usize) -> String {
    let mut k = (start + j * 7_919) % CHARS.len().pow(5);
    (0..5)
        .map(|_| {
            let c = char::from(CHARS[k % CHARS.len()]);
            k /= CHARS.len();
            c
        })
        .collect()
}

/// A change the watches report.
enum Planned {
    ReplicaSet(ReplicaSet),
    Pod(Pod),
    PodGone(String),
    ReplicaSetGone(String),
}

impl Planned {
    /// As the watch sends it.
    fn message(&self, pool: &mut Pool) -> KubeMsg {
        match self {
            Planned::ReplicaSet(rs) => {
                KubeMsg::ReplicaSets(Change::Upsert(ReplicaSetRow::from(rs)))
            }
            Planned::Pod(p) => KubeMsg::Pods(Change::Upsert(PodRow::project(p, pool, false))),
            Planned::PodGone(name) => KubeMsg::Pods(Change::Delete(name.clone())),
            Planned::ReplicaSetGone(name) => KubeMsg::ReplicaSets(Change::Delete(name.clone())),
        }
    }
}

/// One round of churn: a rollout restart of each of `which`, as the
/// ReplicaSets and Pods watches report it. Every pod of the Deployment's
/// current ReplicaSet is replaced by a pod of a new one (added pending,
/// then running; the old one terminating, then deleted); the old
/// ReplicaSet goes. `current` holds each Deployment's current ReplicaSet
/// and its pods, and is updated.
fn restart(current: &mut [(ReplicaSet, Vec<Pod>)], which: &[usize], now: Time) -> Vec<Planned> {
    let mut plan = Vec::new();
    for &d in which {
        let (old_rs, old_pods) = &current[d];
        let hash = suffix(10);
        let owner = old_rs.metadata.owner_references.clone().unwrap_or_default();
        let deployment = owner.first().map_or("app", |o| o.name.as_str());
        let mut rs = old_rs.clone();
        rs.metadata.name = Some(format!("{deployment}-{hash}"));
        rs.metadata.uid = Some(uid());
        let rs_name = rs.metadata.name.clone().unwrap_or_default();
        let rs_uid = rs.metadata.uid.clone().unwrap_or_default();
        plan.push(Planned::ReplicaSet(rs.clone()));
        let mut new_pods = Vec::with_capacity(old_pods.len());
        let start = fastrand::usize(..);
        for (j, old) in old_pods.iter().enumerate() {
            let mut pod = old.clone();
            pod.metadata.name = Some(format!("{rs_name}-{}", nth_suffix(start, j)));
            pod.metadata.uid = Some(uid());
            for o in pod.metadata.owner_references.iter_mut().flatten() {
                o.uid.clone_from(&rs_uid);
                o.name.clone_from(&rs_name);
            }
            if let Some(labels) = pod.metadata.labels.as_mut() {
                labels.insert("pod-template-hash".into(), hash.clone());
            }
            let mut pending = pod.clone();
            if let Some(status) = pending.status.as_mut() {
                status.phase = Some("Pending".into());
                status.conditions = None;
                for c in status.container_statuses.iter_mut().flatten() {
                    c.ready = false;
                    c.state = Some(k8s_openapi::api::core::v1::ContainerState {
                        waiting: Some(k8s_openapi::api::core::v1::ContainerStateWaiting {
                            reason: Some("ContainerCreating".into()),
                            message: None,
                        }),
                        ..Default::default()
                    });
                }
            }
            plan.push(Planned::Pod(pending));
            plan.push(Planned::Pod(pod.clone()));
            let mut going = old.clone();
            going.metadata.deletion_timestamp = Some(now.clone());
            plan.push(Planned::Pod(going));
            plan.push(Planned::PodGone(
                old.metadata.name.clone().unwrap_or_default(),
            ));
            new_pods.push(pod);
        }
        plan.push(Planned::ReplicaSetGone(
            old_rs.metadata.name.clone().unwrap_or_default(),
        ));
        current[d] = (rs, new_pods);
    }
    plan
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let deployments = env("DEPLOYMENTS", 500);
    let pods = env("PODS", 100_000);
    let namespaces = env("NAMESPACES", 1);
    let runs = env("RUNS", 3).max(1);
    let rounds = env("ROUNDS", 10);
    let t = Instant::now();
    let seeded = seeded(deployments, pods, namespaces);
    let n = seeded.pods.len();
    println!(
        "pod memory: {deployments} workloads, {pods} pods over {namespaces} namespace(s); \
         {n} pods in `{}` (seeded in {:.1} s)",
        seeded.namespace,
        t.elapsed().as_secs_f64()
    );
    println!(
        "size_of::<PodRow>() = {} bytes",
        std::mem::size_of::<PodRow>()
    );
    let now = jiff::Timestamp::now();
    let now_secs = now.as_second();
    // Each Deployment's current ReplicaSet and its pods, for the churn.
    let by_rs = |rs: &ReplicaSet| {
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        seeded
            .pods
            .iter()
            .filter(|p| {
                p.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.uid == uid)
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    let start: Vec<(ReplicaSet, Vec<Pod>)> = seeded
        .replicasets
        .iter()
        .filter(|rs| rs.spec.replicas.unwrap_or(0) > 0)
        .map(|rs| (rs.clone(), by_rs(rs)))
        .collect();

    let (mut message, mut held, mut held_blocks, mut in_use, mut apply_ms) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut churn_max, mut churn_last) = (vec![], vec![]);
    for run in 1..=runs {
        fastrand::seed(run as u64);
        let mut state = dashboard(&seeded, now_secs);
        let before = Heap::now();
        let mut pool = Pool::default();
        let rows = project(&seeded.pods, &mut pool);
        let msg = Heap::now().since(before);
        let t = Instant::now();
        kube(&mut state, KubeMsg::Pods(Change::Reset(rows)));
        state.derive();
        let took = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(state.cluster.pods.len(), n);
        let after = Heap::now().since(before);
        let (m_bytes, m_blocks, _) = msg.per(n);
        let (bytes, blocks, glibc) = after.per(n);
        println!(
            "run {run}: the Reset message {m_bytes:.0} B/pod in {m_blocks:.1} blocks; \
             held {bytes:.0} B/pod in {blocks:.2} blocks, glibc in use {glibc:.0} B/pod; \
             Reset + derive {took:.0} ms"
        );
        message.push(m_bytes);
        held.push(bytes);
        held_blocks.push(blocks);
        in_use.push(glibc);
        apply_ms.push(took);

        // Churn: the held bytes after each round. What the state holds
        // changes by what it holds after applying a round's messages less
        // before, plus what the messages held (moved into it or freed).
        let mut current = start.clone();
        let mut series = Vec::new();
        let mut held_now = after.bytes;
        let per_round = 10.min(current.len());
        for round in 0..rounds {
            let which: Vec<usize> = (0..per_round)
                .map(|k| (round * per_round + k) * 7 % current.len())
                .collect();
            let plan = restart(&mut current, &which, Time(now));
            let m0 = Heap::now();
            let msgs: Vec<KubeMsg> = plan.iter().map(|p| p.message(&mut pool)).collect();
            let msgs_bytes = Heap::now().since(m0).bytes;
            let mark = Heap::now();
            for m in msgs {
                kube(&mut state, m);
            }
            state.derive();
            held_now += Heap::now().since(mark).bytes + msgs_bytes;
            series.push(held_now as f64 / n as f64);
        }
        if !series.is_empty() {
            println!(
                "run {run}: churn, {rounds} rounds of {per_round} rollout restarts: held B/pod {}",
                series
                    .iter()
                    .map(|b| format!("{b:.0}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            churn_max.push(series.iter().copied().fold(f64::MIN, f64::max));
            churn_last.push(series.last().copied().unwrap_or(f64::NAN));
        }
        assert_eq!(state.cluster.pods.len(), n);
        drop(state);
    }
    println!(
        "median of {runs}: held {:.0} B/pod ({:.2} blocks), glibc in use {:.0} B/pod, \
         Reset message {:.0} B/pod, Reset + derive {:.0} ms; under churn max {:.0}, last {:.0} B/pod",
        median(held),
        median(held_blocks),
        median(in_use),
        median(message),
        median(apply_ms),
        median(churn_max),
        median(churn_last),
    );
}
