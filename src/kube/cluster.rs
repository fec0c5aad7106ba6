//! What the dashboard knows of the cluster: slim projections by name, the
//! state of each watch, and the Rollouts rows derived from them once per
//! batch of messages.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::metrics::{Named, Usage, UsageReport};
use super::model::{
    ArcStr, EventRow, HpaRow, LastJob, NodeRow, PodPhase, PodRow, ReplicaSetRow, ServiceRow,
    WorkloadKind, WorkloadRow,
};
use super::rollout::{Rollout, status};
use super::{Change, KubeMsg, Resource, WatchState};
use crate::runbook::usage::{Basis, Measure};

/// The connection, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Link {
    #[default]
    Connecting,
    Connected,
    /// No connection could be made at all.
    Failed(String),
}

/// Which of a workload's pods are of its current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionsOf {
    /// A Deployment: the uids of its ReplicaSet of its revision, and of
    /// its other ReplicaSets.
    ReplicaSets { new: Vec<String>, old: Vec<String> },
    /// A StatefulSet or DaemonSet: its uid, and the ControllerRevision
    /// whose hash its new pods carry.
    Hash { owner: String, revision: String },
}

impl RevisionsOf {
    /// Whether the pod is of the current revision (None: not the
    /// workload's pod).
    pub fn is_new(&self, pod: &PodRow) -> Option<bool> {
        match self {
            RevisionsOf::ReplicaSets { new, old } => {
                if new.iter().any(|u| u.as_str() == pod.owner.as_str()) {
                    Some(true)
                } else if old.iter().any(|u| u.as_str() == pod.owner.as_str()) {
                    Some(false)
                } else {
                    None
                }
            }
            RevisionsOf::Hash { owner, revision } => {
                if owner.as_str() != pod.owner.as_str() {
                    return None;
                }
                // A StatefulSet's pods carry the revision's name; a
                // DaemonSet's the hash its name ends with.
                Some(pod.revision_hash.as_deref().is_some_and(|hash| {
                    hash == revision.as_str()
                        || revision
                            .strip_suffix(hash)
                            .is_some_and(|r| r.ends_with('-'))
                }))
            }
        }
    }
}

/// A workload's identity: what a selection and an action dialog hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadId {
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
}

impl WorkloadId {
    pub fn new(kind: WorkloadKind, namespace: &str, name: &str) -> WorkloadId {
        WorkloadId {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    pub fn deployment(namespace: &str, name: &str) -> WorkloadId {
        WorkloadId::new(WorkloadKind::Deployment, namespace, name)
    }
}

impl std::fmt::Display for WorkloadId {
    /// As kubectl names it: `statefulset/db`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.resource(), self.name)
    }
}

/// A workload the dashboard shows: its kind and name.
pub type WorkloadKey = (WorkloadKind, String);

/// One row of the Rollouts pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutRow {
    pub kind: WorkloadKind,
    pub name: String,
    /// None: the runbook names a workload the cluster does not have.
    pub workload: Option<Arc<WorkloadRow>>,
    pub rollout: Option<Rollout>,
    /// The HorizontalPodAutoscaler that scales it, if one does.
    pub hpa: Option<HpaRow>,
    pub pods: BTreeMap<PodPhase, usize>,
    /// Restarts of pods that restarted in the last hour.
    pub recent_restarts: i32,
    /// Its pods' CPU and memory, from the metrics API's last read.
    pub usage: Option<OwnerUsage>,
}

/// What the metrics API has said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Metrics {
    /// Not asked yet, or no answer yet.
    #[default]
    NotRead,
    Live,
    /// The cluster does not serve it: no usage figures, and no error.
    Absent(String),
    Forbidden(String),
    /// The last read failed; figures read before are kept, and age.
    Failed(String),
}

/// Resource usage from the metrics API: each pod's and node's, and each
/// pod owner's total (computed when a read arrives, so that deriving the
/// rows costs as much as there are owners).
#[derive(Debug, Clone, Default)]
pub struct UsageState {
    pub metrics: Metrics,
    /// By pod name.
    pub pods: UsageByPod,
    /// By node name.
    pub nodes: HashMap<String, Usage>,
    /// When figures were last read (seconds since the epoch), and the
    /// newest sample's own time.
    pub read_at: Option<i64>,
    pub sampled_at: Option<i64>,
    by_owner: HashMap<ArcStr, OwnerUsage>,
    /// The pods' figures of a read in progress, each keyed by the pod's
    /// own name where the pod is known, in the order they came.
    pending: Option<Vec<(ArcStr, Usage)>>,
}

/// Pods' figures, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageByPod(Vec<(ArcStr, Usage)>);

impl UsageByPod {
    pub fn get(&self, name: &str) -> Option<&Usage> {
        let i = self
            .0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()?;
        self.0.get(i).map(|(_, u)| u)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&ArcStr, &Usage)> {
        self.0.iter().map(|(k, u)| (k, u))
    }

    pub fn keys(&self) -> impl Iterator<Item = &ArcStr> {
        self.0.iter().map(|(k, _)| k)
    }
}

/// The usage of a workload's (or a ReplicaSet's) pods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerUsage {
    /// The sum over its pods with figures.
    pub total: Usage,
    /// How many pods the figures cover.
    pub pods: usize,
    /// The highest memory use of a pod as a per mille of its memory limit
    /// (None: no pod with figures has a limit).
    pub worst_memory: Option<u32>,
    /// The highest figure of a pod in each measure and basis
    /// ([`peak_index`]), and which pod has it: what a `usage:` condition is
    /// held against (None: no pod with figures has that limit or request).
    pub peaks: [Option<Peak>; 6],
}

/// A pod's figure that is the highest of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peak {
    /// Bytes or millicores, or a per mille of a limit or request.
    pub value: u64,
    pub pod: ArcStr,
}

/// Where a measure and basis are kept in [`OwnerUsage::peaks`].
pub fn peak_index(measure: Measure, basis: Basis) -> usize {
    let m = match measure {
        Measure::Memory => 0,
        Measure::Cpu => 3,
    };
    m + match basis {
        Basis::Absolute => 0,
        Basis::OfLimit => 1,
        Basis::OfRequest => 2,
    }
}

impl OwnerUsage {
    fn add(&mut self, other: &OwnerUsage) {
        self.total = self.total.plus(other.total);
        self.pods += other.pods;
        self.worst_memory = self.worst_memory.max(other.worst_memory);
        for (mine, theirs) in self.peaks.iter_mut().zip(&other.peaks) {
            if let Some(t) = theirs
                && mine.as_ref().is_none_or(|m| t.value > m.value)
            {
                *mine = Some(t.clone());
            }
        }
    }

    /// One pod's figures.
    fn of_pod(pod: &PodRow, used: Usage) -> OwnerUsage {
        let r = &pod.resources;
        let peak = |value: Option<u64>| {
            value.map(|value| Peak {
                value,
                pod: pod.name.clone(),
            })
        };
        let share = |used: u64, of: Option<u64>| peak(per_mille(used, of).map(u64::from));
        OwnerUsage {
            total: used,
            pods: 1,
            worst_memory: per_mille(used.memory, r.memory_limit),
            peaks: [
                peak(Some(used.memory)),
                share(used.memory, r.memory_limit),
                share(used.memory, r.memory_request),
                peak(Some(used.cpu)),
                share(used.cpu, r.cpu_limit),
                share(used.cpu, r.cpu_request),
            ],
        }
    }
}

/// `used` as a per mille of `of` (None when there is nothing to compare
/// with).
pub fn per_mille(used: u64, of: Option<u64>) -> Option<u32> {
    let of = of.filter(|o| *o > 0)?;
    Some(
        ((u128::from(used) * 1000 + u128::from(of) / 2) / u128::from(of)).min(u128::from(u32::MAX))
            as u32,
    )
}

impl UsageState {
    fn apply(&mut self, report: UsageReport, now: i64, pods: &BTreeMap<ArcStr, PodRow>) {
        match report {
            UsageReport::Read {
                at,
                pods: rest,
                nodes,
            } => {
                self.metrics = Metrics::Live;
                self.add_part(&rest, pods);
                let mut read = self.pending.take().unwrap_or_default();
                // The old figures go first (no frame is drawn in between),
                // so that the read is not held twice.
                self.pods = UsageByPod::default();
                self.by_owner.clear();
                // By name; a name read twice keeps its first figures.
                read.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                read.dedup_by(|b, a| a.0 == b.0);
                // The owners' totals: joined with the pods in one pass.
                let mut held = pods.iter().peekable();
                for (name, used) in &read {
                    while held.next_if(|(k, _)| k.as_str() < name.as_str()).is_some() {}
                    if let Some((_, pod)) = held.next_if(|(k, _)| k.as_str() == name.as_str()) {
                        self.by_owner
                            .entry(pod.owner.clone())
                            .or_default()
                            .add(&OwnerUsage::of_pod(pod, *used));
                    }
                }
                self.pods = UsageByPod(read);
                self.nodes = nodes
                    .iter()
                    .map(|(name, used)| (name.to_string(), used))
                    .collect();
                self.read_at = Some(now);
                self.sampled_at = at;
            }
            UsageReport::Absent(why) => {
                *self = UsageState {
                    metrics: Metrics::Absent(why),
                    ..UsageState::default()
                }
            }
            UsageReport::Forbidden(why) => {
                *self = UsageState {
                    metrics: Metrics::Forbidden(why),
                    ..UsageState::default()
                }
            }
            UsageReport::Failed(why) => {
                // A read that broke off: its parts go.
                self.pending = None;
                self.metrics = Metrics::Failed(why);
            }
        }
    }

    /// Holds a part of a read in progress aside. Each figure is keyed by
    /// the pod's own name where the pod is known (no copy of the name).
    fn add_part(&mut self, part: &Named, pods: &BTreeMap<ArcStr, PodRow>) {
        if part.is_empty() && self.pending.is_none() {
            self.pending = Some(Vec::new());
            return;
        }
        let room = self.pods.0.len() + self.pods.0.len() / 16;
        let pending = self
            .pending
            .get_or_insert_with(|| Vec::with_capacity(room.max(part.len())));
        for (name, used) in part.iter() {
            let key = match pods.get_key_value(name) {
                Some((key, _)) => key.clone(),
                None => ArcStr::from(name),
            };
            pending.push((key, used));
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ClusterState {
    pub link: Link,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub user: Option<String>,
    /// Deployments, StatefulSets and DaemonSets by kind and name.
    /// Shared with the Rollouts rows, which hold them without a copy.
    pub workloads: BTreeMap<WorkloadKey, Arc<WorkloadRow>>,
    pub replicasets: BTreeMap<String, ReplicaSetRow>,
    /// The ControllerRevisions of StatefulSets and DaemonSets, by name.
    pub controller_revisions: BTreeMap<String, ReplicaSetRow>,
    /// HorizontalPodAutoscalers, by name.
    pub hpas: BTreeMap<String, HpaRow>,
    pub pods: BTreeMap<ArcStr, PodRow>,
    /// The most recent events, at most `MAX_EVENTS`.
    pub events: BTreeMap<String, EventRow>,
    pub services: BTreeMap<String, ServiceRow>,
    /// The cluster's nodes, by name (empty when they may not be listed).
    pub nodes: BTreeMap<String, NodeRow>,
    /// Each watch's state and since when (seconds since the epoch).
    pub watches: BTreeMap<Resource, (WatchState, i64)>,
    /// Whether the first list of Deployments has arrived: the dashboard
    /// shows what the cluster holds.
    pub listed: bool,
    /// The kinds whose first list has arrived (before it, a runbook
    /// workload of that kind is not yet known to be missing).
    pub listed_kinds: BTreeSet<WorkloadKind>,
    /// Which workloads to show; empty: all of them.
    pub wanted: Vec<WorkloadKey>,
    /// Derived: the Rollouts rows, problems first.
    pub rows: Vec<RolloutRow>,
    /// Whether `rows` needs recomputing.
    pub stale: bool,
    /// Which connection this state is of: bumped on every switch, so that
    /// messages of the one before are dropped.
    pub generation: u64,
    /// Bumped by every message that changes the workloads, their pods or
    /// the watches: what is derived from them is current while it stays.
    pub changes: u64,
    /// The pods counted by owner, kept current as pods change.
    tally: Tally,
    /// When `rows` were last derived.
    refreshed_at: i64,
    /// When the API server was last heard from (seconds since the epoch).
    pub heard_at: i64,
    /// CPU and memory use, from the metrics API.
    pub usage: UsageState,
    /// A view of every namespace: names are qualified (`ns/name`) and
    /// `namespace` is the runbook's (and the actions' default).
    pub all_namespaces: bool,
    /// In a view of every namespace, those that may not be listed, and why
    /// none could be, if so.
    pub denied: Vec<String>,
    pub denied_note: Option<String>,
}

/// Seconds without a word from the API server (no event, no answered
/// heartbeat) after which what the screen shows is stale.
pub const STALE_AFTER: i64 = 15;

/// Pods counted by the ReplicaSet that owns them, updated pod by pod, so
/// that deriving the rows costs as much as there are ReplicaSets, not pods.
#[derive(Debug, Clone, Default)]
struct Tally {
    /// Owner uid → pods by phase.
    by_owner: HashMap<ArcStr, BTreeMap<PodPhase, usize>>,
    /// Restarts within the last hour, by pod name.
    restarted: HashMap<ArcStr, Restarts>,
    /// The pods that cannot run (`stuck`), by name: few, so that a
    /// rollout is judged against them without a pass over every pod.
    stuck: BTreeMap<ArcStr, &'static str>,
}

/// Why a pod cannot run however long it is given: a container in a
/// crash loop, an image that cannot be pulled, a configuration that
/// cannot be made, or killed for memory again and again. None for a pod
/// that may yet start.
pub fn stuck(pod: &PodRow) -> Option<&'static str> {
    const REASONS: [&str; 5] = [
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "ErrImagePull",
        "CreateContainerConfigError",
        "InvalidImageName",
    ];
    if let Some(reason) = REASONS.iter().find(|r| **r == pod.status.as_str()) {
        return Some(reason);
    }
    (pod.last_termination.as_deref() == Some("OOMKilled") && pod.restarts >= 2)
        .then_some("OOMKilled again and again")
}

/// Observations kept per pod (older ones are folded together).
const MAX_RESTART_MARKS: usize = 16;

/// A pod's restarts as seen: Kubernetes keeps only a total and the time of
/// the last one, so the restarts in the last hour are the increases of the
/// total seen while watching, plus one for a pod whose last restart was
/// already within the hour when it was first seen (a lower bound: how
/// many came before is unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Restarts {
    owner: ArcStr,
    /// (when, how many), oldest first.
    marks: std::collections::VecDeque<(i64, i32)>,
}

impl Restarts {
    fn first_seen(pod: &PodRow, now: i64) -> Restarts {
        let mut r = Restarts {
            owner: pod.owner.clone(),
            marks: Default::default(),
        };
        if let Some(at) = pod.last_restart_at
            && pod.restarts > 0
            && now - at < 3600
        {
            r.marks.push_back((at, 1));
        }
        r
    }

    /// The pod again: a higher total is that many more restarts, at its
    /// last restart time (or now).
    fn seen_again(&mut self, old: &PodRow, pod: &PodRow, now: i64) {
        self.owner.clone_from(&pod.owner);
        let more = pod.restarts.saturating_sub(old.restarts);
        if more > 0 {
            self.marks
                .push_back((pod.last_restart_at.unwrap_or(now), more));
        }
        while self.marks.len() > MAX_RESTART_MARKS {
            if let (Some((_, a)), Some(next)) = (self.marks.pop_front(), self.marks.front_mut()) {
                next.1 = next.1.saturating_add(a);
            }
        }
    }

    fn within_hour(&self, now: i64) -> i32 {
        self.marks
            .iter()
            .filter(|(at, _)| now - at < 3600)
            .fold(0i32, |sum, (_, n)| sum.saturating_add(*n))
    }
}

impl Tally {
    fn add(&mut self, pod: &PodRow) {
        if let Some(why) = stuck(pod) {
            self.stuck.insert(pod.name.clone(), why);
        }
        *self
            .by_owner
            .entry(pod.owner.clone())
            .or_default()
            .entry(pod.phase)
            .or_default() += 1;
    }

    fn remove(&mut self, pod: &PodRow) {
        self.stuck.remove(pod.name.as_str());
        if let Some(phases) = self.by_owner.get_mut(pod.owner.as_str()) {
            if let Some(n) = phases.get_mut(&pod.phase) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    phases.remove(&pod.phase);
                }
            }
            if phases.is_empty() {
                self.by_owner.remove(pod.owner.as_str());
            }
        }
    }
}

fn apply<T>(map: &mut BTreeMap<String, T>, change: Change<T>, key: impl Fn(&T) -> &str) {
    match change {
        Change::Reset(items) => {
            map.clear();
            map.extend(items.into_iter().map(|i| (key(&i).to_string(), i)));
        }
        Change::Upsert(item) => {
            map.insert(key(&item).to_string(), item);
        }
        Change::Delete(name) => {
            map.remove(&name);
        }
    }
}

/// Events kept: a namespace can hold many, and only the recent ones are
/// shown.
pub const MAX_EVENTS: usize = 2000;

/// Events over `MAX_EVENTS` that one at a time may add before the oldest
/// are dropped: the events are ordered by age once per this many, not
/// once per event.
pub const EVENT_SLACK: usize = MAX_EVENTS / 10;

/// Drops the oldest events beyond `MAX_EVENTS`, once they are more than
/// `slack` beyond it.
fn trim_events(events: &mut BTreeMap<String, EventRow>, slack: usize) {
    if events.len() <= MAX_EVENTS + slack {
        return;
    }
    let excess = events.len() - MAX_EVENTS;
    let mut by_age: Vec<(Option<i64>, &str)> = events
        .values()
        .map(|e| (e.last_seen, e.name.as_str()))
        .collect();
    by_age.select_nth_unstable(excess - 1);
    let oldest: Vec<String> = by_age[..excess]
        .iter()
        .map(|(_, name)| (*name).to_string())
        .collect();
    for name in oldest {
        events.remove(&name);
    }
}

impl ClusterState {
    pub fn new(wanted: Vec<WorkloadKey>) -> ClusterState {
        ClusterState {
            wanted,
            stale: true,
            ..ClusterState::default()
        }
    }

    /// Applies a message from the Kubernetes sources; `now` is seconds
    /// since the epoch.
    pub fn update(&mut self, msg: KubeMsg, now: i64) {
        if msg.proves_connection() {
            self.heard_at = now;
        }
        match msg {
            KubeMsg::Heard => return,
            KubeMsg::Usage(report) => self.usage.apply(report, now, &self.pods),
            KubeMsg::UsagePart(part) => {
                // Shown when the read ends.
                self.usage.add_part(&part, &self.pods);
                return;
            }
            KubeMsg::Connected {
                context,
                namespace,
                user,
            } => {
                self.link = Link::Connected;
                self.context = Some(context);
                self.namespace = Some(namespace);
                self.user = Some(user);
            }
            KubeMsg::NoConnection(e) => self.link = Link::Failed(e),
            KubeMsg::Denied { namespaces, note } => {
                self.denied = namespaces;
                self.denied_note = note;
                return;
            }
            KubeMsg::Workloads(kind, c) => {
                if matches!(c, Change::Reset(_)) {
                    self.listed |= kind == WorkloadKind::Deployment;
                    self.listed_kinds.insert(kind);
                }
                self.apply_workloads(kind, c);
            }
            KubeMsg::ReplicaSets(c) => apply(&mut self.replicasets, c, |r| &r.name),
            KubeMsg::ControllerRevisions(c) => {
                apply(&mut self.controller_revisions, c, |r| &r.name)
            }
            KubeMsg::Hpas(c) => apply(&mut self.hpas, c, |h| &h.name),
            KubeMsg::Pods(c) => self.apply_pods(c, now),
            KubeMsg::Events(c) => {
                let slack = if matches!(c, Change::Reset(_)) {
                    0
                } else {
                    EVENT_SLACK
                };
                apply(&mut self.events, c, |e| &e.name);
                trim_events(&mut self.events, slack);
                // Events are not in the rows.
                return;
            }
            KubeMsg::Services(c) => {
                apply(&mut self.services, c, |s| &s.name);
                return;
            }
            KubeMsg::Nodes(c) => {
                apply(&mut self.nodes, c, |n| &n.name);
                return;
            }
            KubeMsg::Watch { resource, state } => {
                let since = match self.watches.get(&resource) {
                    Some((old, since))
                        if std::mem::discriminant(old) == std::mem::discriminant(&state) =>
                    {
                        *since
                    }
                    _ => now,
                };
                self.watches.insert(resource, (state, since));
            }
        }
        self.stale = true;
        self.changes = self.changes.wrapping_add(1);
    }

    /// Applies a change of one kind of workload: a relist replaces only
    /// that kind's rows.
    fn apply_workloads(&mut self, kind: WorkloadKind, change: Change<WorkloadRow>) {
        match change {
            Change::Reset(items) => {
                self.workloads.retain(|(k, _), _| *k != kind);
                self.workloads.extend(items.into_iter().map(|mut w| {
                    w.kind = kind;
                    ((kind, w.name.clone()), Arc::new(w))
                }));
            }
            Change::Upsert(mut w) => {
                w.kind = kind;
                self.workloads.insert((kind, w.name.clone()), Arc::new(w));
            }
            Change::Delete(name) => {
                self.workloads.remove(&(kind, name));
            }
        }
    }

    /// The workload of `kind` named `name`, if the cluster has it.
    /// A workload by name; in a view of every namespace, an unqualified
    /// name (a runbook's) is one of the connection's namespace.
    pub fn workload(&self, kind: WorkloadKind, name: &str) -> Option<&WorkloadRow> {
        self.workloads
            .get(&(kind, self.qualify(name)))
            .or_else(|| {
                // Not qualified after all (a state built before it connected).
                self.workloads.get(&(kind, name.to_string()))
            })
            .map(|w| &**w)
    }

    /// The state of a view of every namespace, or of one.
    pub fn across(mut self, all_namespaces: bool) -> ClusterState {
        self.all_namespaces = all_namespaces;
        self
    }

    /// `name` as the maps key it: qualified by the connection's namespace
    /// in a view of every namespace, unless it already is.
    pub fn qualify(&self, name: &str) -> String {
        match (&self.namespace, self.all_namespaces && !name.contains('/')) {
            (Some(ns), true) => super::model::qualified(ns, name),
            _ => name.to_string(),
        }
    }

    /// Whether the cluster is known to lack a workload of this kind: its
    /// kind has been listed.
    pub fn is_listed(&self, kind: WorkloadKind) -> bool {
        self.listed_kinds.contains(&kind)
    }

    /// Applies a change of pods, keeping the tally current.
    fn apply_pods(&mut self, change: Change<PodRow>, now: i64) {
        match change {
            Change::Reset(items) => {
                self.tally.by_owner.clear();
                self.tally.stuck.clear();
                // A relist keeps what was seen of the pods still there.
                let mut restarted = HashMap::with_capacity(self.tally.restarted.len());
                for pod in &items {
                    let r = match (
                        self.pods.get(pod.name.as_str()),
                        self.tally.restarted.remove(pod.name.as_str()),
                    ) {
                        (Some(old), r) => {
                            let mut r = r.unwrap_or_default();
                            r.seen_again(old, pod, now);
                            r
                        }
                        (None, _) => Restarts::first_seen(pod, now),
                    };
                    if !r.marks.is_empty() {
                        restarted.insert(pod.name.clone(), r);
                    }
                }
                self.tally.restarted = restarted;
                for pod in &items {
                    self.tally.add(pod);
                }
                // The old map goes before the new one is built, so that a
                // relist does not hold both. Built at once (sorted, then
                // packed into full nodes): a map filled one insert at a
                // time leaves its nodes about half empty.
                self.pods = BTreeMap::new();
                self.pods = items
                    .into_iter()
                    .map(|pod| (pod.name.clone(), pod))
                    .collect();
            }
            Change::Upsert(pod) => {
                match self.pods.get(pod.name.as_str()) {
                    Some(old) => {
                        self.tally.remove(old);
                        if pod.restarts > old.restarts {
                            self.tally
                                .restarted
                                .entry(pod.name.clone())
                                .or_default()
                                .seen_again(old, &pod, now);
                        }
                    }
                    None => {
                        let r = Restarts::first_seen(&pod, now);
                        if !r.marks.is_empty() {
                            self.tally.restarted.insert(pod.name.clone(), r);
                        }
                    }
                }
                self.tally.add(&pod);
                self.pods.insert(pod.name.clone(), pod);
            }
            Change::Delete(name) => {
                if let Some(old) = self.pods.remove(name.as_str()) {
                    self.tally.remove(&old);
                }
                self.tally.restarted.remove(name.as_str());
            }
        }
    }

    /// Recomputes the derived rows if anything changed.
    pub fn refresh(&mut self, now: i64) {
        // Restarts age out of the last hour: recount each minute regardless.
        if !self.stale && now - self.refreshed_at < 60 {
            return;
        }
        self.stale = false;
        self.refreshed_at = now;
        // The rows share the workloads: dropped first, each workload has
        // one holder again and is changed below without a copy.
        self.rows = Vec::new();
        self.note_last_jobs();
        self.note_revisions();
        // Pods by workload: a Deployment's through its ReplicaSets, a
        // StatefulSet's and a DaemonSet's directly.
        let by_uid: HashMap<&str, &WorkloadKey> = self
            .workloads
            .iter()
            .map(|(key, w)| (w.uid.as_str(), key))
            .collect();
        let mut owner_of: HashMap<&str, &WorkloadKey> = self
            .replicasets
            .values()
            .filter_map(|rs| Some((rs.uid.as_str(), *by_uid.get(rs.owner.as_str())?)))
            .collect();
        owner_of.extend(
            by_uid
                .iter()
                .filter(|(_, (kind, _))| *kind != WorkloadKind::Deployment),
        );
        // A CronJob's Jobs are shown in its row: their pods count there.
        let made_by_cronjob: HashMap<&str, &WorkloadKey> = self
            .workloads
            .values()
            .filter_map(|w| {
                let cronjob = w.batch.as_ref()?.cronjob.as_deref()?;
                Some((w.uid.as_str(), *by_uid.get(cronjob)?))
            })
            .collect();
        owner_of.extend(made_by_cronjob.iter().map(|(k, v)| (*k, *v)));
        let mut usage: HashMap<&WorkloadKey, OwnerUsage> = HashMap::new();
        for (owner, used) in &self.usage.by_owner {
            if let Some(d) = owner_of.get(owner.as_str()) {
                usage.entry(d).or_default().add(used);
            }
        }
        let mut pods: HashMap<&WorkloadKey, (BTreeMap<PodPhase, usize>, i32)> = HashMap::new();
        for (owner, phases) in &self.tally.by_owner {
            let Some(d) = owner_of.get(owner.as_str()) else {
                continue;
            };
            let entry = pods.entry(d).or_default();
            for (phase, n) in phases {
                *entry.0.entry(*phase).or_default() += n;
            }
        }
        // Forget what has left the hour; count the rest.
        self.tally
            .restarted
            .retain(|_, r| r.marks.back().is_some_and(|(at, _)| now - at < 3600));
        for r in self.tally.restarted.values() {
            if let Some(d) = owner_of.get(r.owner.as_str()) {
                let e = &mut pods.entry(d).or_default().1;
                *e = e.saturating_add(r.within_hour(now));
            }
        }
        let keys: Vec<WorkloadKey> = if self.wanted.is_empty() || self.all_namespaces {
            // A CronJob's Jobs are in its row, not rows of their own.
            let mut keys: Vec<WorkloadKey> = self
                .workloads
                .iter()
                .filter(|(_, w)| !made_by_cronjob.contains_key(w.uid.as_str()))
                .map(|(k, _)| k.clone())
                .collect();
            // Every namespace: everything, and a runbook workload the
            // cluster lacks shows as missing.
            keys.extend(
                self.wanted
                    .iter()
                    .map(|(kind, name)| (*kind, self.qualify(name)))
                    .filter(|k| !self.workloads.contains_key(k)),
            );
            keys
        } else {
            self.wanted.clone()
        };
        // The autoscaler of each target: the first by name when several
        // claim it.
        let mut hpas: HashMap<(&str, &str), &HpaRow> = HashMap::new();
        for h in self.hpas.values() {
            hpas.entry((h.target_kind.as_str(), h.target.as_str()))
                .or_insert(h);
        }
        let mut rows: Vec<RolloutRow> = keys
            .into_iter()
            .map(|key| {
                let workload = self.workloads.get(&key).cloned();
                let (phases, restarts) = pods.remove(&key).unwrap_or_default();
                let used = usage.remove(&key);
                let (kind, name) = key;
                let hpa = hpas
                    .get(&(kind.name(), name.as_str()))
                    .map(|h| (*h).clone());
                RolloutRow {
                    rollout: workload.as_deref().map(|w| self.rollout(w)),
                    hpa,
                    workload,
                    kind,
                    name,
                    pods: phases,
                    recent_restarts: restarts,
                    usage: used,
                }
            })
            .collect();
        // Problems first: missing, failed, rolling, paused, complete; then
        // by name and kind.
        rows.sort_by(|a, b| {
            let rank = |r: &RolloutRow| r.rollout.as_ref().map_or(0, |s| s.rank() + 1);
            rank(a)
                .cmp(&rank(b))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.kind.cmp(&b.kind))
        });
        self.rows = rows;
    }

    /// The workload's rollout as kubectl judges it, except that a rollout
    /// under way fails at once when a pod of its new revision cannot run
    /// (see `stuck`), rather than when its progress deadline passes;
    /// kubectl's message is kept after the reason.
    pub fn rollout(&self, w: &WorkloadRow) -> Rollout {
        let judged = status(w);
        if !matches!(judged, Rollout::Progressing(_) | Rollout::Waiting) {
            return judged;
        }
        match self.new_pod_stuck(w) {
            Some((pod, why)) => Rollout::Failed(format!(
                "pod {pod} of the new revision: {why} ({})",
                judged.message(w.kind)
            )),
            None => judged,
        }
    }

    /// A pod of the workload's new revision that cannot run, and why: of
    /// a Deployment, a pod of its ReplicaSet of its revision; of a
    /// StatefulSet, a pod of its update revision; of a DaemonSet, a pod
    /// of its newest ControllerRevision.
    pub fn new_pod_stuck(&self, w: &WorkloadRow) -> Option<(&str, &'static str)> {
        if self.tally.stuck.is_empty() {
            return None;
        }
        let of = self.revisions_of(w)?;
        // A Deployment's pods are named after it (its ReplicaSet's name
        // and a suffix; a long name's start): only theirs are looked up.
        let stem = w.name.get(..40).unwrap_or(&w.name);
        self.tally.stuck.iter().find_map(|(name, why)| {
            if w.kind == WorkloadKind::Deployment && !name.starts_with(stem) {
                return None;
            }
            let pod = self.pods.get(name.as_str())?;
            (of.is_new(pod) == Some(true)).then_some((pod.name.as_str(), *why))
        })
    }

    /// What tells the workload's pods of its current revision from its
    /// older ones (None: a Job or CronJob, or a DaemonSet whose revisions
    /// are not known).
    pub fn revisions_of(&self, w: &WorkloadRow) -> Option<RevisionsOf> {
        match w.kind {
            WorkloadKind::Deployment => {
                let mut new = Vec::new();
                let mut old = Vec::new();
                for rs in self.replicasets.values().filter(|rs| rs.owner == w.uid) {
                    if rs.revision == w.revision {
                        new.push(rs.uid.clone());
                    } else {
                        old.push(rs.uid.clone());
                    }
                }
                Some(RevisionsOf::ReplicaSets { new, old })
            }
            WorkloadKind::StatefulSet => Some(RevisionsOf::Hash {
                owner: w.uid.clone(),
                revision: w.update_revision.clone()?,
            }),
            WorkloadKind::DaemonSet => {
                let newest = self
                    .controller_revisions
                    .values()
                    .filter(|cr| cr.owner == w.uid)
                    .max_by_key(|cr| cr.revision)?;
                Some(RevisionsOf::Hash {
                    owner: w.uid.clone(),
                    revision: newest.name.clone(),
                })
            }
            WorkloadKind::Job | WorkloadKind::CronJob => None,
        }
    }

    /// What names the workload's current revision: a Deployment's
    /// revision number, a StatefulSet's update revision, a DaemonSet's
    /// generation (a change to its template makes a new one).
    pub fn revision_key(w: &WorkloadRow) -> Option<String> {
        match w.kind {
            WorkloadKind::Deployment => (w.revision > 0).then(|| w.revision.to_string()),
            WorkloadKind::StatefulSet => w.update_revision.clone(),
            WorkloadKind::DaemonSet => Some(format!("generation {}", w.generation)),
            WorkloadKind::Job | WorkloadKind::CronJob => None,
        }
    }

    /// When a Deployment's rollout completed: its Progressing condition's
    /// last update, once its reason is NewReplicaSetAvailable.
    pub fn completed_at(w: &WorkloadRow) -> Option<i64> {
        (w.kind == WorkloadKind::Deployment
            && w.progressing_reason.as_deref() == Some("NewReplicaSetAvailable"))
        .then_some(w.changed_at)
        .flatten()
    }

    /// When the workload's current revision was made: its ReplicaSet's or
    /// ControllerRevision's creation.
    pub fn revision_made(&self, w: &WorkloadRow) -> Option<i64> {
        match w.kind {
            WorkloadKind::Deployment => self
                .replicasets
                .values()
                .find(|rs| rs.owner == w.uid && rs.revision == w.revision)
                .and_then(|rs| rs.created_at),
            WorkloadKind::StatefulSet => self
                .controller_revisions
                .get(w.update_revision.as_deref()?)
                .and_then(|cr| cr.created_at),
            _ => None,
        }
    }

    /// Gives each CronJob its newest Job, so that its state can be judged
    /// from its row alone.
    fn note_last_jobs(&mut self) {
        let last: HashMap<String, LastJob> = self
            .last_jobs()
            .into_iter()
            .map(|(uid, job)| (uid.to_string(), job))
            .collect();
        for w in self.workloads.values_mut() {
            if w.kind == WorkloadKind::CronJob
                && let Some(b) = w.batch.as_ref()
            {
                let job = last.get(&w.uid);
                if b.last_job.as_ref() != job
                    && let Some(b) = Arc::make_mut(w).batch.as_mut()
                {
                    b.last_job = job.cloned();
                }
            }
        }
    }

    /// Gives each StatefulSet and DaemonSet the number of the
    /// ControllerRevision it is updating to (a StatefulSet's
    /// updateRevision, a DaemonSet's newest) as its revision.
    fn note_revisions(&mut self) {
        let mut revisions: HashMap<&str, Vec<(&str, i64)>> = HashMap::new();
        for cr in self.controller_revisions.values() {
            revisions
                .entry(cr.owner.as_str())
                .or_default()
                .push((cr.name.as_str(), cr.revision));
        }
        for w in self.workloads.values_mut() {
            if !matches!(w.kind, WorkloadKind::StatefulSet | WorkloadKind::DaemonSet) {
                continue;
            }
            let revision = revisions.get(w.uid.as_str()).map_or(0, |r| {
                w.update_revision
                    .as_deref()
                    .and_then(|u| r.iter().find(|(name, _)| *name == u))
                    .map_or_else(|| r.iter().map(|(_, n)| *n).max().unwrap_or(0), |(_, n)| *n)
            });
            if w.revision != revision {
                Arc::make_mut(w).revision = revision;
            }
        }
    }

    /// Each CronJob's newest Job (by creation, then name), by the CronJob's
    /// uid.
    fn last_jobs(&self) -> HashMap<&str, LastJob> {
        let mut newest: HashMap<&str, &WorkloadRow> = HashMap::new();
        for job in self.workloads.values() {
            let Some(cronjob) = job.batch.as_ref().and_then(|b| b.cronjob.as_deref()) else {
                continue;
            };
            let entry = newest.entry(cronjob).or_insert(job);
            if (job.created_at, &job.name) > (entry.created_at, &entry.name) {
                *entry = job;
            }
        }
        newest
            .into_iter()
            .map(|(cronjob, job)| {
                let done = |t: &str| {
                    job.conditions
                        .iter()
                        .find(|c| c.type_ == t && c.status == "True")
                };
                let finished = if let Some(c) = done("Failed") {
                    let why = [c.reason.as_deref(), c.message.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(": ");
                    Some((false, why))
                } else {
                    done("Complete").map(|_| (true, String::new()))
                };
                (
                    cronjob,
                    LastJob {
                        name: job.name.clone(),
                        created_at: job.created_at,
                        finished,
                    },
                )
            })
            .collect()
    }

    /// The first failing watch, for the header.
    /// How long the API server has been silent, once that is longer than
    /// `STALE_AFTER` on a connection that was live: the data on screen is
    /// that old.
    pub fn stale_for(&self, now: i64) -> Option<i64> {
        let silent = now - self.heard_at;
        (self.link == Link::Connected && self.heard_at > 0 && silent >= STALE_AFTER)
            .then_some(silent)
    }

    /// The nodes watch is optional (a namespace's user may not list nodes):
    /// its failure is the nodes overlay's to tell, not the header's.
    pub fn trouble(&self) -> Option<(Resource, &str, bool, i64)> {
        self.watches
            .iter()
            .filter(|(r, _)| **r != Resource::Nodes)
            .find_map(|(r, (state, since))| match state {
                WatchState::Failing { error, forbidden } => {
                    Some((*r, error.as_str(), *forbidden, *since))
                }
                WatchState::Live => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(name: &str, uid: &str, desired: i32, available: i32) -> WorkloadRow {
        WorkloadRow {
            name: name.into(),
            uid: uid.into(),
            generation: 1,
            observed_generation: 1,
            desired,
            replicas: desired,
            updated: desired,
            ready: available,
            available,
            ..WorkloadRow::default()
        }
    }

    #[test]
    fn a_relist_replaces_everything_and_problems_sort_first() {
        let mut c = ClusterState::new(Vec::new());
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![deployment("old", "u0", 1, 1)]),
            ),
            0,
        );
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![
                    deployment("api", "u1", 3, 3),
                    deployment("web", "u2", 3, 1),
                ]),
            ),
            0,
        );
        c.refresh(0);
        let names: Vec<&str> = c.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["web", "api"],
            "no stale row, and the rolling one first"
        );
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Delete("web".into()),
            ),
            0,
        );
        c.refresh(0);
        assert_eq!(c.rows.len(), 1);
    }

    #[test]
    fn a_rollout_fails_at_once_when_a_pod_of_its_new_revision_cannot_run() {
        let mut c = ClusterState::new(Vec::new());
        // api rolls from revision 1 to 2: 1 of 3 updated, 2 available.
        let mut api = deployment("api", "u-api", 3, 2);
        api.updated = 1;
        api.revision = 2;
        let mut db = deployment("db", "u-db", 2, 1);
        db.updated = 1;
        db.update_revision = Some("db-new".into());
        let mut agent = deployment("agent", "u-agent", 2, 1);
        agent.updated = 1;
        c.update(
            KubeMsg::Workloads(WorkloadKind::Deployment, Change::Reset(vec![api])),
            0,
        );
        c.update(
            KubeMsg::Workloads(WorkloadKind::StatefulSet, Change::Reset(vec![db])),
            0,
        );
        c.update(
            KubeMsg::Workloads(WorkloadKind::DaemonSet, Change::Reset(vec![agent])),
            0,
        );
        let revision = |name: &str, uid: &str, owner: &str, revision| ReplicaSetRow {
            name: name.into(),
            uid: uid.into(),
            owner: owner.into(),
            revision,
            ..ReplicaSetRow::default()
        };
        c.update(
            KubeMsg::ReplicaSets(Change::Reset(vec![
                revision("api-1", "rs1", "u-api", 1),
                revision("api-2", "rs2", "u-api", 2),
            ])),
            0,
        );
        c.update(
            KubeMsg::ControllerRevisions(Change::Reset(vec![
                revision("agent-5f6d8", "cr1", "u-agent", 1),
                revision("agent-7c9b4", "cr2", "u-agent", 2),
            ])),
            0,
        );
        let pod = |name: &str, owner: &str, hash: Option<&str>, status: &str| PodRow {
            name: name.into(),
            owner: owner.into(),
            phase: PodPhase::Failing,
            status: status.into(),
            revision_hash: hash.map(Into::into),
            ..PodRow::default()
        };
        let judge = |c: &mut ClusterState| {
            c.refresh(0);
            c.rows
                .iter()
                .map(|r| (r.name.clone(), r.rollout.clone()))
                .collect::<BTreeMap<_, _>>()
        };
        // Old pods that cannot run are not the rollout's doing; a new pod
        // that is merely starting is not stuck.
        c.update(
            KubeMsg::Pods(Change::Reset(vec![
                pod("api-1-a", "rs1", None, "CrashLoopBackOff"),
                pod("api-2-a", "rs2", None, "ContainerCreating"),
                pod("db-0", "u-db", Some("db-old"), "ImagePullBackOff"),
                pod("agent-x", "u-agent", Some("5f6d8"), "ErrImagePull"),
            ])),
            0,
        );
        let rows = judge(&mut c);
        for name in ["api", "db", "agent"] {
            assert!(
                matches!(rows[name], Some(Rollout::Progressing(_))),
                "{name}: {:?}",
                rows[name]
            );
        }
        // Pods of each new revision that cannot run: failed now, naming
        // the pod and why, with kubectl's message after.
        for p in [
            pod("api-2-a", "rs2", None, "CrashLoopBackOff"),
            pod("db-1", "u-db", Some("db-new"), "CreateContainerConfigError"),
            pod("agent-y", "u-agent", Some("7c9b4"), "ImagePullBackOff"),
        ] {
            c.update(KubeMsg::Pods(Change::Upsert(p)), 0);
        }
        let rows = judge(&mut c);
        for (name, pod, why) in [
            ("api", "api-2-a", "CrashLoopBackOff"),
            ("db", "db-1", "CreateContainerConfigError"),
            ("agent", "agent-y", "ImagePullBackOff"),
        ] {
            let Some(Rollout::Failed(message)) = &rows[name] else {
                panic!("{name}: {:?}", rows[name]);
            };
            assert!(
                message.starts_with(&format!(
                    "pod {pod} of the new revision: {why} (Waiting for "
                )),
                "{message}"
            );
        }
        // Killed for memory once is not stuck; again and again is.
        let mut oom = pod("api-2-a", "rs2", None, "Running");
        oom.phase = PodPhase::Running;
        oom.last_termination = Some("OOMKilled".into());
        oom.restarts = 1;
        c.update(KubeMsg::Pods(Change::Upsert(oom.clone())), 0);
        assert!(matches!(
            judge(&mut c)["api"],
            Some(Rollout::Progressing(_))
        ));
        oom.restarts = 2;
        c.update(KubeMsg::Pods(Change::Upsert(oom)), 0);
        let Some(Rollout::Failed(message)) = &judge(&mut c)["api"] else {
            panic!("api not failed");
        };
        assert!(message.contains("OOMKilled again and again"), "{message}");
        // The pod gone: kubectl's judgement again. A complete rollout is
        // never failed by a pod.
        c.update(KubeMsg::Pods(Change::Delete("api-2-a".into())), 0);
        assert!(matches!(
            judge(&mut c)["api"],
            Some(Rollout::Progressing(_))
        ));
        let done = deployment("api", "u-api", 3, 3);
        c.update(
            KubeMsg::Workloads(WorkloadKind::Deployment, Change::Upsert(done)),
            0,
        );
        c.update(
            KubeMsg::Pods(Change::Upsert(pod(
                "api-2-b",
                "rs2",
                None,
                "CrashLoopBackOff",
            ))),
            0,
        );
        assert!(matches!(judge(&mut c)["api"], Some(Rollout::Complete(_))));
    }

    #[test]
    fn usage_is_totalled_per_workload_through_its_replicasets_and_kept_while_reads_fail() {
        use crate::kube::metrics::{Usage, UsageReport};
        use crate::kube::model::Resources;
        let mut c = ClusterState::new(Vec::new());
        let mut db = deployment("db", "u-db", 1, 1);
        db.kind = WorkloadKind::StatefulSet;
        c.update(
            KubeMsg::Workloads(
                WorkloadKind::Deployment,
                Change::Reset(vec![deployment("api", "u-api", 2, 2)]),
            ),
            0,
        );
        c.update(
            KubeMsg::Workloads(WorkloadKind::StatefulSet, Change::Reset(vec![db])),
            0,
        );
        let rs = |name: &str, uid: &str| ReplicaSetRow {
            name: name.into(),
            uid: uid.into(),
            owner: "u-api".into(),
            ..ReplicaSetRow::default()
        };
        c.update(
            KubeMsg::ReplicaSets(Change::Reset(vec![rs("api-1", "rs1"), rs("api-2", "rs2")])),
            0,
        );
        let limit = |mib: u64| Resources {
            memory_limit: Some(mib << 20),
            ..Resources::default()
        };
        let pod = |name: &str, owner: &str, resources| PodRow {
            name: name.into(),
            owner: owner.into(),
            phase: PodPhase::Running,
            resources,
            ..PodRow::default()
        };
        c.update(
            KubeMsg::Pods(Change::Reset(vec![
                pod("api-1-a", "rs1", limit(100).into()),
                pod("api-2-b", "rs2", limit(200).into()),
                pod("db-0", "u-db", Resources::default().into()),
            ])),
            0,
        );
        let used = |cpu, mib: u64| Usage {
            cpu,
            memory: mib << 20,
        };
        c.update(
            KubeMsg::Usage(UsageReport::Read {
                at: Some(5),
                // In any order; a name twice keeps its first figures.
                pods: vec![
                    ("gone", used(1, 1)),
                    ("db-0", used(300, 700)),
                    ("api-1-a", used(10, 90)),
                    ("api-2-b", used(20, 50)),
                    ("api-1-a", used(99, 99)),
                ]
                .into(),
                nodes: vec![("node-1", used(2000, 4096))].into(),
            }),
            10,
        );
        c.refresh(10);
        fn row(c: &ClusterState, name: &str) -> RolloutRow {
            c.rows.iter().find(|r| r.name == name).unwrap().clone()
        }
        let api = row(&c, "api").usage.unwrap();
        assert_eq!((api.total, api.pods), (used(30, 140), 2));
        // 90 of 100 MiB is the worst share; 50 of 200 is not.
        assert_eq!(api.worst_memory, Some(900));
        let db = row(&c, "db").usage.unwrap();
        assert_eq!((db.total, db.worst_memory), (used(300, 700), None));
        assert_eq!(c.usage.nodes["node-1"], used(2000, 4096));
        assert_eq!(c.usage.metrics, Metrics::Live);
        assert_eq!(c.usage.pods.len(), 4);
        assert_eq!(c.usage.pods.get("api-1-a"), Some(&used(10, 90)));
        assert_eq!(c.usage.pods.get("db-0"), Some(&used(300, 700)));
        assert_eq!(c.usage.pods.get("gone"), Some(&used(1, 1)));
        assert_eq!(c.usage.pods.get("api-3"), None);
        // A failed read keeps the figures (they age); an absent API drops
        // them.
        c.update(KubeMsg::Usage(UsageReport::Failed("timeout".into())), 30);
        c.refresh(30);
        assert_eq!(c.usage.read_at, Some(10));
        assert!(row(&c, "api").usage.is_some());
        // A large read comes in parts: the figures shown stay the last
        // read's until it ends, then are the whole read's.
        let part = |items: Vec<(&str, Usage)>| KubeMsg::UsagePart(items.into());
        c.update(
            part(vec![("db-0", used(1, 1)), ("api-2-b", used(5, 5))]),
            31,
        );
        c.update(
            part(vec![("api-1-a", used(7, 7)), ("new-pod", used(2, 2))]),
            32,
        );
        c.refresh(32);
        assert_eq!(row(&c, "api").usage.unwrap().total, used(30, 140));
        assert_eq!(c.usage.pods.get("new-pod"), None);
        c.update(
            KubeMsg::Usage(UsageReport::Read {
                at: Some(33),
                pods: vec![("api-1-a", used(8, 8))].into(),
                nodes: Named::default(),
            }),
            33,
        );
        c.refresh(33);
        let api = row(&c, "api").usage.unwrap();
        assert_eq!(
            (api.total, api.pods),
            (used(12, 12), 2),
            "api-1-a's first figures"
        );
        assert_eq!(row(&c, "db").usage.unwrap().total, used(1, 1));
        assert_eq!(c.usage.pods.len(), 4);
        assert_eq!(c.usage.pods.get("new-pod"), Some(&used(2, 2)));
        assert_eq!(c.usage.pods.get("gone"), None);
        // A read that broke off leaves nothing of its parts behind.
        c.update(part(vec![("db-0", used(900, 900))]), 34);
        c.update(KubeMsg::Usage(UsageReport::Failed("timeout".into())), 35);
        c.update(
            KubeMsg::Usage(UsageReport::Read {
                at: Some(36),
                pods: vec![("db-0", used(3, 3))].into(),
                nodes: Named::default(),
            }),
            36,
        );
        c.refresh(36);
        assert_eq!(row(&c, "db").usage.unwrap().total, used(3, 3));
        assert_eq!(c.usage.pods.len(), 1);
        c.update(
            KubeMsg::Usage(UsageReport::Absent("no metrics-server".into())),
            40,
        );
        c.refresh(40);
        assert!(row(&c, "api").usage.is_none() && c.usage.pods.is_empty());
        assert!(matches!(c.usage.metrics, Metrics::Absent(_)));
    }

    #[test]
    fn runbook_workloads_that_do_not_exist_are_shown_missing() {
        let mut c = ClusterState::new(vec![
            (WorkloadKind::Deployment, "api".into()),
            (WorkloadKind::Deployment, "ghost".into()),
        ]);
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![deployment("api", "u1", 1, 1)]),
            ),
            0,
        );
        c.refresh(0);
        assert_eq!(c.rows[0].name, "ghost");
        assert!(c.rows[0].workload.is_none());
    }

    #[test]
    fn pods_are_counted_by_phase_through_their_replica_sets() {
        let mut c = ClusterState::new(Vec::new());
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![deployment("api", "d1", 2, 1)]),
            ),
            0,
        );
        let rs = ReplicaSetRow {
            name: "api-1".into(),
            uid: "r1".into(),
            owner: "d1".into(),
            ..ReplicaSetRow::default()
        };
        c.update(KubeMsg::ReplicaSets(Change::Reset(vec![rs])), 0);
        let pod = |name: &str, phase, restarts, at| PodRow {
            name: name.into(),
            owner: "r1".into(),
            phase,
            restarts,
            last_restart_at: at,
            ..PodRow::default()
        };
        c.update(
            KubeMsg::Pods(Change::Reset(vec![
                pod("a", PodPhase::Running, 0, None),
                pod("b", PodPhase::Failing, 4, Some(5000)),
                pod("c", PodPhase::Running, 9, Some(0)),
            ])),
            0,
        );
        c.refresh(6000);
        let row = &c.rows[0];
        assert_eq!(row.pods[&PodPhase::Running], 2);
        assert_eq!(row.pods[&PodPhase::Failing], 1);
        // b restarted 4 times, the last within the hour: at least once in
        // it; c's last restart is older than an hour.
        assert_eq!(row.recent_restarts, 1, "first sight counts what is known");

        // Seen while watching: b restarts twice more, c once.
        c.update(
            KubeMsg::Pods(Change::Upsert(pod("b", PodPhase::Failing, 6, Some(6100)))),
            6100,
        );
        c.update(
            KubeMsg::Pods(Change::Upsert(pod("c", PodPhase::Running, 10, Some(6200)))),
            6200,
        );
        c.refresh(6300);
        assert_eq!(c.rows[0].recent_restarts, 4);
        // A relist keeps what was seen, and counts what it brings.
        c.update(
            KubeMsg::Pods(Change::Reset(vec![
                pod("a", PodPhase::Running, 0, None),
                pod("b", PodPhase::Failing, 7, Some(6400)),
                pod("c", PodPhase::Running, 10, Some(6200)),
            ])),
            6400,
        );
        c.refresh(6400);
        assert_eq!(c.rows[0].recent_restarts, 5);
        // An hour on, only what happened within it counts: b's restarts at
        // 6100 and 6400 and c's at 6200 age out in turn.
        c.refresh(5000 + 3600 + 1);
        assert_eq!(
            c.rows[0].recent_restarts, 4,
            "the first sight at 5000 is gone"
        );
        c.refresh(6200 + 3600 + 61);
        assert_eq!(
            c.rows[0].recent_restarts, 1,
            "only b's restart at 6400 is left"
        );
        c.refresh(6400 + 3600 + 61);
        assert_eq!(c.rows[0].recent_restarts, 0);
        // A deleted pod takes its restarts with it.
        c.update(
            KubeMsg::Pods(Change::Upsert(pod("b", PodPhase::Failing, 9, Some(10_100)))),
            10_100,
        );
        c.refresh(10_200);
        assert_eq!(c.rows[0].recent_restarts, 2);
        c.update(KubeMsg::Pods(Change::Delete("b".into())), 10_300);
        c.refresh(10_300);
        assert_eq!(c.rows[0].recent_restarts, 0);
    }

    #[test]
    fn a_pod_restarting_all_hour_keeps_a_bounded_record_and_an_exact_count() {
        let mut r = Restarts::default();
        let pod = |restarts, at| PodRow {
            name: "p".into(),
            restarts,
            last_restart_at: Some(at),
            ..PodRow::default()
        };
        for i in 0..100 {
            r.seen_again(
                &pod(i, i64::from(i) * 30),
                &pod(i + 1, i64::from(i + 1) * 30),
                0,
            );
        }
        assert!(r.marks.len() <= MAX_RESTART_MARKS);
        assert_eq!(r.within_hour(3000), 100, "folding keeps the total");
    }

    /// The tally kept pod by pod agrees with a count of every pod after any
    /// sequence of upserts, moves between owners, deletes and relists.
    #[test]
    fn the_running_tally_matches_a_full_count() {
        let phases = [
            PodPhase::Pending,
            PodPhase::Running,
            PodPhase::Failing,
            PodPhase::Terminating,
        ];
        let mut c = ClusterState::new(Vec::new());
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![
                    deployment("a", "da", 1, 1),
                    deployment("b", "db", 1, 1),
                ]),
            ),
            0,
        );
        let rs = |name: &str, uid: &str, owner: &str| ReplicaSetRow {
            name: name.into(),
            uid: uid.into(),
            owner: owner.into(),
            ..ReplicaSetRow::default()
        };
        c.update(
            KubeMsg::ReplicaSets(Change::Reset(vec![
                rs("a-1", "ra1", "da"),
                rs("a-2", "ra2", "da"),
                rs("b-1", "rb1", "db"),
            ])),
            0,
        );
        let owners = ["ra1", "ra2", "rb1", "orphan"];
        // A small linear congruential generator: the same sequence every run.
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            usize::try_from((seed >> 33) % n).unwrap_or(0)
        };
        let now = 10_000;
        for step in 0..3000 {
            let name = format!("p{}", next(60));
            let change = match next(20) {
                0..=11 => Change::Upsert(PodRow {
                    name: name.into(),
                    owner: owners[next(4)].into(),
                    phase: phases[next(4)],
                    restarts: i32::try_from(next(5)).unwrap_or(0),
                    last_restart_at: [None, Some(now - 100), Some(now - 7200)][next(3)],
                    ..PodRow::default()
                }),
                12..=18 => Change::Delete(name),
                _ => Change::Reset(c.pods.values().filter(|_| next(2) == 0).cloned().collect()),
            };
            c.update(KubeMsg::Pods(change), now);
            c.refresh(now);
            // The count the tally replaces: every pod, through its owner.
            let mut want: BTreeMap<&str, BTreeMap<PodPhase, usize>> = BTreeMap::new();
            for p in c.pods.values() {
                let d = match p.owner.as_str() {
                    "ra1" | "ra2" => "a",
                    "rb1" => "b",
                    _ => continue,
                };
                *want.entry(d).or_default().entry(p.phase).or_default() += 1;
            }
            for row in &c.rows {
                let pods = want.remove(row.name.as_str()).unwrap_or_default();
                assert_eq!(&row.pods, &pods, "{} after step {step}", row.name);
            }
            // Restarts are kept only for pods that are there.
            assert!(
                c.tally
                    .restarted
                    .keys()
                    .all(|name| c.pods.contains_key(name)),
                "after step {step}"
            );
        }
    }

    #[test]
    fn events_are_bounded_keeping_the_newest() {
        let mut c = ClusterState::new(Vec::new());
        let events: Vec<EventRow> = (0..MAX_EVENTS as i64 + 50)
            .map(|i| EventRow {
                name: format!("e{i}"),
                last_seen: Some(i),
                ..EventRow::default()
            })
            .collect();
        c.update(KubeMsg::Events(Change::Reset(events)), 0);
        assert_eq!(c.events.len(), MAX_EVENTS);
        assert!(!c.events.contains_key("e49") && c.events.contains_key("e50"));
        // One at a time, up to `EVENT_SLACK` more are kept; the next
        // drops the oldest down to `MAX_EVENTS`, never the newest.
        let event = |i: i64| {
            KubeMsg::Events(Change::Upsert(EventRow {
                name: format!("new{i}"),
                last_seen: Some(1_000_000 + i),
                ..EventRow::default()
            }))
        };
        for i in 0..EVENT_SLACK as i64 {
            c.update(event(i), 0);
        }
        assert_eq!(c.events.len(), MAX_EVENTS + EVENT_SLACK);
        c.update(event(EVENT_SLACK as i64), 0);
        assert_eq!(c.events.len(), MAX_EVENTS);
        assert!((0..=EVENT_SLACK as i64).all(|i| c.events.contains_key(&format!("new{i}"))));
        assert!(!c.events.contains_key("e250") && c.events.contains_key("e251"));
    }

    #[test]
    fn watch_trouble_keeps_its_start_time() {
        let mut c = ClusterState::new(Vec::new());
        let failing = || WatchState::Failing {
            error: "connection refused".into(),
            forbidden: false,
        };
        c.update(
            KubeMsg::Watch {
                resource: Resource::Pods,
                state: failing(),
            },
            100,
        );
        c.update(
            KubeMsg::Watch {
                resource: Resource::Pods,
                state: failing(),
            },
            130,
        );
        assert_eq!(c.trouble().map(|t| t.3), Some(100));
        c.update(
            KubeMsg::Watch {
                resource: Resource::Pods,
                state: WatchState::Live,
            },
            140,
        );
        assert!(c.trouble().is_none());
    }

    #[test]
    fn a_cronjobs_jobs_are_in_its_row_and_its_newest_job_decides_it() {
        use crate::kube::model::{BatchRow, ConditionRow, HpaRow};
        let job = |name: &str, uid: &str, created: i64, failed: bool| WorkloadRow {
            kind: WorkloadKind::Job,
            name: name.into(),
            uid: uid.into(),
            created_at: Some(created),
            conditions: vec![ConditionRow {
                type_: if failed { "Failed" } else { "Complete" }.into(),
                status: "True".into(),
                reason: failed.then(|| "DeadlineExceeded".into()),
                message: failed.then(|| "Job was active longer than specified deadline".into()),
                updated_at: None,
            }],
            batch: Some(Box::new(BatchRow {
                cronjob: Some("cj1".into()),
                ..BatchRow::default()
            })),
            ..WorkloadRow::default()
        };
        let mut c = ClusterState::new(Vec::new());
        c.update(
            KubeMsg::Workloads(
                WorkloadKind::CronJob,
                Change::Reset(vec![WorkloadRow {
                    kind: WorkloadKind::CronJob,
                    name: "report".into(),
                    uid: "cj1".into(),
                    batch: Some(Box::new(BatchRow {
                        schedule: "0 3 * * *".into(),
                        ..BatchRow::default()
                    })),
                    ..WorkloadRow::default()
                }]),
            ),
            0,
        );
        c.update(
            KubeMsg::Workloads(
                WorkloadKind::Job,
                Change::Reset(vec![
                    job("report-1", "j1", 100, false),
                    job("report-2", "j2", 200, true),
                ]),
            ),
            0,
        );
        c.update(
            KubeMsg::Workloads(
                WorkloadKind::Deployment,
                Change::Reset(vec![deployment("worker", "d1", 3, 3)]),
            ),
            0,
        );
        c.update(
            KubeMsg::Hpas(Change::Reset(vec![HpaRow {
                name: "worker".into(),
                target_kind: "Deployment".into(),
                target: "worker".into(),
                min: 2,
                max: 6,
                ..HpaRow::default()
            }])),
            0,
        );
        c.update(
            KubeMsg::Pods(Change::Reset(vec![PodRow {
                name: "report-2-x".into(),
                owner: "j2".into(),
                phase: PodPhase::Failed,
                ..PodRow::default()
            }])),
            0,
        );
        c.refresh(0);
        let rows: Vec<(WorkloadKind, &str, &str)> = c
            .rows
            .iter()
            .map(|r| {
                (
                    r.kind,
                    r.name.as_str(),
                    r.rollout.as_ref().map_or("", Rollout::word),
                )
            })
            .collect();
        // The Jobs are not rows of their own; the newest one failed.
        assert_eq!(
            rows,
            [
                (WorkloadKind::CronJob, "report", "failed"),
                (WorkloadKind::Deployment, "worker", "complete")
            ]
        );
        assert_eq!(
            c.rows[0]
                .rollout
                .as_ref()
                .unwrap()
                .message(WorkloadKind::CronJob),
            "cronjob \"report\": its last Job report-2 failed: DeadlineExceeded: Job was active longer than specified deadline"
        );
        // The failed Job's pod counts in the CronJob's row.
        assert_eq!(c.rows[0].pods.get(&PodPhase::Failed), Some(&1));
        // The HPA is on the row of what it scales, and only there.
        assert_eq!(c.rows[1].hpa.as_ref().map(|h| h.max), Some(6));
        assert!(c.rows[0].hpa.is_none());
    }
}
