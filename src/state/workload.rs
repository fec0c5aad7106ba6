//! The workload view (Enter on a Deployment, StatefulSet or DaemonSet): its
//! pods, revision history (ReplicaSets, or ControllerRevisions), conditions
//! and recent events, derived from the watched projections by pure
//! functions; and the pod log view opened from it.

use std::collections::HashSet;

use super::cluster::ClusterState;
use super::logs::LogView;
use crate::kube::model::{EventRow, PodPhase, PodRow, ReplicaSetRow, WorkloadKind, WorkloadRow};

/// The parts of the workload view, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Pods,
    History,
    Conditions,
    Events,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Pods,
        Section::History,
        Section::Conditions,
        Section::Events,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Pods => "Pods",
            Section::History => "Revisions",
            Section::Conditions => "Conditions",
            Section::Events => "Events",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Section {
        Section::ALL[(self.index() + 1) % Section::ALL.len()]
    }

    pub fn prev(self) -> Section {
        Section::ALL[(self.index() + Section::ALL.len() - 1) % Section::ALL.len()]
    }
}

/// The open workload view.
#[derive(Debug, Clone)]
pub struct WorkloadView {
    pub kind: WorkloadKind,
    pub name: String,
    pub section: Section,
    /// The selected row of each section, by `Section::index`: its place
    /// among the rows the section's filter lets through.
    pub selected: [usize; 4],
    /// Each section's filter (`/`), by `Section::index`.
    pub filters: [super::list_filter::ListFilter; 4],
    /// The log view of one of its pods, when open.
    pub logs: Option<LogView>,
    /// The selected pod by name: the Pods rows re-sort (problems first),
    /// and the selection stays on the pod.
    pub picked_pod: Option<crate::kube::model::ArcStr>,
    /// The order of the Pods rows.
    pub order: PodOrder,
}

/// How the workload view orders its pods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PodOrder {
    /// Not running and ready first, then by name.
    #[default]
    Problems,
    /// The most memory first (as a share of the limit where there is one).
    Memory,
    /// The most CPU first.
    Cpu,
}

impl PodOrder {
    pub fn next(self) -> PodOrder {
        match self {
            PodOrder::Problems => PodOrder::Memory,
            PodOrder::Memory => PodOrder::Cpu,
            PodOrder::Cpu => PodOrder::Problems,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PodOrder::Problems => "problems first",
            PodOrder::Memory => "by memory",
            PodOrder::Cpu => "by CPU",
        }
    }
}

/// The open view's workload, its pods in the view's order.
pub fn view_of<'a>(cluster: &'a ClusterState, view: &WorkloadView) -> Workload<'a> {
    ordered(cluster, view.kind, &view.name, view.order)
}

/// A workload's view with its pods in `order`.
pub fn ordered<'a>(
    cluster: &'a ClusterState,
    kind: WorkloadKind,
    name: &str,
    order: PodOrder,
) -> Workload<'a> {
    let mut w = derive(cluster, kind, name);
    let used = |p: &PodRow| cluster.usage.pods.get(&p.name).copied();
    match order {
        PodOrder::Problems => {}
        // A pod without figures last; ties by name.
        PodOrder::Memory => w.pods.sort_by(|a, b| {
            let key = |p: &PodRow| {
                used(p).map(|u| {
                    (
                        crate::kube::cluster::per_mille(u.memory, p.resources.memory_limit),
                        u.memory,
                    )
                })
            };
            key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
        }),
        PodOrder::Cpu => w.pods.sort_by(|a, b| {
            let key = |p: &PodRow| used(p).map(|u| u.cpu);
            key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
        }),
    }
    w
}

impl WorkloadView {
    pub fn new(kind: WorkloadKind, name: String) -> WorkloadView {
        WorkloadView {
            kind,
            name,
            section: Section::Pods,
            selected: [0; 4],
            filters: Default::default(),
            logs: None,
            picked_pod: None,
            order: PodOrder::Problems,
        }
    }
}

/// One revision of a workload, as `kubectl rollout history` lists it,
/// with what the view adds: age, images, pods, and which is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    pub revision: i64,
    /// The ReplicaSet (Deployment) or ControllerRevision (StatefulSet,
    /// DaemonSet) that holds it.
    pub replicaset: String,
    pub created_at: Option<i64>,
    pub images: Vec<String>,
    pub change_cause: Option<String>,
    /// Pods the ReplicaSet controls now, and how many it wants.
    pub pods: usize,
    pub desired: i32,
    pub ready: i32,
    pub current: bool,
}

/// The ReplicaSets a Deployment controls.
pub fn replicasets_of<'a>(cluster: &'a ClusterState, d: &WorkloadRow) -> Vec<&'a ReplicaSetRow> {
    cluster
        .replicasets
        .values()
        .filter(|rs| !d.uid.is_empty() && rs.owner == d.uid)
        .collect()
}

/// The pods of a Deployment (through its ReplicaSets): problems first
/// (not running and ready), then by name.
pub fn pods_of<'a>(cluster: &'a ClusterState, rss: &[&ReplicaSetRow]) -> Vec<&'a PodRow> {
    let owners: HashSet<&str> = rss.iter().map(|rs| rs.uid.as_str()).collect();
    let mut pods: Vec<&PodRow> = cluster
        .pods
        .values()
        .filter(|p| owners.contains(p.owner.as_str()))
        .collect();
    problems_first(&mut pods);
    pods
}

/// Pods not running and ready first, then by name.
fn problems_first(pods: &mut [&PodRow]) {
    pods.sort_by(|a, b| {
        healthy(a)
            .cmp(&healthy(b))
            .then_with(|| a.name.cmp(&b.name))
    });
}

fn healthy(p: &PodRow) -> bool {
    p.phase == PodPhase::Running && p.ready
}

/// The revision history, newest first. Every ReplicaSet the Deployment
/// controls is a revision (kubectl lists a ReplicaSet without the revision
/// annotation as revision 0, and so does this); the current one is the
/// revision the Deployment carries.
pub fn history(d: &WorkloadRow, rss: &[&ReplicaSetRow], pods: &[&PodRow]) -> Vec<RevisionRow> {
    let mut rows: Vec<RevisionRow> = rss
        .iter()
        .filter(|rs| rs.owner == d.uid)
        .map(|rs| RevisionRow {
            revision: rs.revision,
            replicaset: rs.name.clone(),
            created_at: rs.created_at,
            images: rs.images.clone(),
            change_cause: rs.change_cause.clone(),
            pods: pods.iter().filter(|p| p.owner == rs.uid).count(),
            desired: rs.desired,
            ready: rs.ready,
            current: d.revision > 0 && rs.revision == d.revision,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.revision
            .cmp(&a.revision)
            .then_with(|| a.replicaset.cmp(&b.replicaset))
    });
    rows
}

/// The ControllerRevisions a StatefulSet or DaemonSet owns.
pub fn controller_revisions_of<'a>(
    cluster: &'a ClusterState,
    w: &WorkloadRow,
) -> Vec<&'a ReplicaSetRow> {
    cluster
        .controller_revisions
        .values()
        .filter(|cr| !w.uid.is_empty() && cr.owner == w.uid)
        .collect()
}

/// The pods a StatefulSet or DaemonSet owns: problems first, then by name.
pub fn owned_pods<'a>(cluster: &'a ClusterState, w: &WorkloadRow) -> Vec<&'a PodRow> {
    let mut pods: Vec<&PodRow> = cluster
        .pods
        .values()
        .filter(|p| !w.uid.is_empty() && p.owner == w.uid)
        .collect();
    problems_first(&mut pods);
    pods
}

/// Whether a pod runs a ControllerRevision: a StatefulSet's pods carry
/// the revision's name in `controller-revision-hash`, a DaemonSet's the
/// hash that ends it.
fn runs(pod: &PodRow, revision: &str) -> bool {
    pod.revision_hash.as_deref().is_some_and(|h| {
        h == revision
            || revision
                .strip_suffix(h)
                .is_some_and(|rest| rest.ends_with('-'))
    })
}

/// The revision history of a StatefulSet or DaemonSet, newest first, from
/// its ControllerRevisions. The current revision is the one the spec asks
/// for: a StatefulSet's updateRevision, a DaemonSet's newest (its
/// controller renumbers the revision matching the template to the top).
pub fn controller_history(
    w: &WorkloadRow,
    crs: &[&ReplicaSetRow],
    pods: &[&PodRow],
) -> Vec<RevisionRow> {
    let newest = crs.iter().map(|cr| cr.revision).max().unwrap_or(0);
    let mut rows: Vec<RevisionRow> = crs
        .iter()
        .filter(|cr| cr.owner == w.uid)
        .map(|cr| {
            let mine: Vec<&&PodRow> = pods.iter().filter(|p| runs(p, &cr.name)).collect();
            let current = match &w.update_revision {
                Some(update) => *update == cr.name,
                None => cr.revision == newest,
            };
            RevisionRow {
                revision: cr.revision,
                replicaset: cr.name.clone(),
                created_at: cr.created_at,
                images: cr.images.clone(),
                change_cause: cr.change_cause.clone(),
                pods: mine.len(),
                // An older revision keeps its pods through a partitioned
                // or OnDelete update: what it has is what it holds.
                desired: if current {
                    w.desired
                } else {
                    mine.len() as i32
                },
                ready: mine.iter().filter(|p| healthy(p)).count() as i32,
                current,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.revision
            .cmp(&a.revision)
            .then_with(|| a.replicaset.cmp(&b.replicaset))
    });
    rows
}

/// Events at most shown in the view.
pub const MAX_SHOWN_EVENTS: usize = 200;

/// The recent events of the workload, its ReplicaSets and their pods
/// (pods are matched by name, `<owner>-<suffix>`, so events of pods
/// already gone still show), newest first. A StatefulSet's or DaemonSet's
/// pods are named after it.
pub fn events_of<'a>(
    cluster: &'a ClusterState,
    kind: WorkloadKind,
    name: &str,
    rss: &[&ReplicaSetRow],
    jobs: &[&str],
) -> Vec<&'a EventRow> {
    let mut pod_owners: HashSet<&str> = rss.iter().map(|rs| rs.name.as_str()).collect();
    if kind != WorkloadKind::Deployment {
        pod_owners.insert(name);
    }
    pod_owners.extend(jobs.iter().copied());
    let mut events: Vec<&EventRow> = cluster
        .events
        .values()
        .filter(|e| match e.kind.as_str() {
            k if k == kind.name() => e.object == name,
            "ReplicaSet" => {
                kind == WorkloadKind::Deployment && pod_owners.contains(e.object.as_str())
            }
            "Job" => jobs.contains(&e.object.as_str()),
            "Pod" => e
                .object
                .rsplit_once('-')
                .is_some_and(|(owner, _)| pod_owners.contains(owner)),
            _ => false,
        })
        .collect();
    events.sort_by(|a, b| {
        b.last_seen
            .cmp(&a.last_seen)
            .then_with(|| a.name.cmp(&b.name))
    });
    events.truncate(MAX_SHOWN_EVENTS);
    events
}

/// A CronJob's view: the pods of its Jobs, its Jobs newest first in the
/// history section (each with its state), and the events of it, its Jobs
/// and their pods.
fn cronjob_view<'a>(cluster: &'a ClusterState, cronjob: &'a WorkloadRow) -> Workload<'a> {
    let mut jobs: Vec<&WorkloadRow> = cluster
        .workloads
        .values()
        .filter(|j| {
            j.batch
                .as_ref()
                .and_then(|b| b.cronjob.as_deref())
                .is_some_and(|uid| !uid.is_empty() && uid == cronjob.uid)
        })
        .map(|j| &**j)
        .collect();
    jobs.sort_by(|a, b| (b.created_at, &b.name).cmp(&(a.created_at, &a.name)));
    let uids: HashSet<&str> = jobs.iter().map(|j| j.uid.as_str()).collect();
    let mut pods: Vec<&PodRow> = cluster
        .pods
        .values()
        .filter(|p| uids.contains(p.owner.as_str()))
        .collect();
    problems_first(&mut pods);
    let history = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let b = j.batch.as_deref();
            RevisionRow {
                revision: 0,
                replicaset: j.name.clone(),
                created_at: j.created_at,
                images: j.images.clone(),
                change_cause: Some(crate::kube::rollout::status(j).message(WorkloadKind::Job)),
                pods: pods.iter().filter(|p| p.owner == j.uid).count(),
                desired: b.and_then(|b| b.completions).unwrap_or(1),
                ready: b.map_or(0, |b| b.succeeded),
                current: i == 0,
            }
        })
        .collect();
    let names: Vec<&str> = jobs.iter().map(|j| j.name.as_str()).collect();
    Workload {
        workload: Some(cronjob),
        history,
        events: events_of(cluster, WorkloadKind::CronJob, &cronjob.name, &[], &names),
        pods,
    }
}

/// Everything the view shows, derived at once.
pub struct Workload<'a> {
    pub workload: Option<&'a WorkloadRow>,
    pub pods: Vec<&'a PodRow>,
    pub history: Vec<RevisionRow>,
    pub events: Vec<&'a EventRow>,
}

pub fn derive<'a>(cluster: &'a ClusterState, kind: WorkloadKind, name: &str) -> Workload<'a> {
    let Some(d) = cluster.workload(kind, name) else {
        return Workload {
            workload: None,
            pods: Vec::new(),
            history: Vec::new(),
            events: Vec::new(),
        };
    };
    if kind == WorkloadKind::CronJob {
        return cronjob_view(cluster, d);
    }
    if kind != WorkloadKind::Deployment {
        let crs = controller_revisions_of(cluster, d);
        let pods = owned_pods(cluster, d);
        return Workload {
            workload: Some(d),
            history: controller_history(d, &crs, &pods),
            events: events_of(cluster, kind, name, &[], &[]),
            pods,
        };
    }
    let rss = replicasets_of(cluster, d);
    let pods = pods_of(cluster, &rss);
    Workload {
        workload: Some(d),
        history: history(d, &rss, &pods),
        events: events_of(cluster, kind, name, &rss, &[]),
        pods,
    }
}

impl Workload<'_> {
    /// Rows in a section.
    pub fn count(&self, section: Section) -> usize {
        match section {
            Section::Pods => self.pods.len(),
            Section::History => self.history.len(),
            Section::Conditions => self.workload.map_or(0, |d| d.conditions.len()),
            Section::Events => self.events.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::Change;
    use crate::kube::KubeMsg;

    fn deployment(revision: i64) -> WorkloadRow {
        WorkloadRow {
            name: "api".into(),
            uid: "d1".into(),
            revision,
            ..WorkloadRow::default()
        }
    }

    fn rs(name: &str, uid: &str, owner: &str, revision: i64) -> ReplicaSetRow {
        ReplicaSetRow {
            name: name.into(),
            uid: uid.into(),
            owner: owner.into(),
            revision,
            images: vec![format!("shop/api:v{revision}")],
            ..ReplicaSetRow::default()
        }
    }

    fn pod(name: &str, owner: &str, phase: PodPhase, ready: bool) -> PodRow {
        PodRow {
            name: name.into(),
            owner: owner.into(),
            phase,
            ready,
            ..PodRow::default()
        }
    }

    #[test]
    fn history_is_newest_first_marks_the_current_revision_and_counts_pods() {
        let d = deployment(2);
        let (a, b, c) = (
            rs("api-a", "r1", "d1", 1),
            rs("api-b", "r2", "d1", 3),
            rs("api-c", "r3", "d1", 2),
        );
        let p = [
            pod("api-c-1", "r3", PodPhase::Running, true),
            pod("api-c-2", "r3", PodPhase::Running, true),
            pod("api-b-1", "r2", PodPhase::Pending, false),
        ];
        let pods: Vec<&PodRow> = p.iter().collect();
        let rows = history(&d, &[&a, &b, &c], &pods);
        let revs: Vec<(i64, bool, usize)> = rows
            .iter()
            .map(|r| (r.revision, r.current, r.pods))
            .collect();
        assert_eq!(revs, [(3, false, 1), (2, true, 2), (1, false, 0)]);
        assert_eq!(rows[1].images, ["shop/api:v2"]);
    }

    #[test]
    fn history_keeps_only_owned_sets_and_an_unannotated_one_as_revision_zero() {
        let d = deployment(1);
        let mine = rs("api-a", "r1", "d1", 1);
        let theirs = rs("web-a", "r9", "d9", 5);
        let bare = rs("api-old", "r0", "d1", 0);
        let rows = history(&d, &[&mine, &theirs, &bare], &[]);
        let names: Vec<&str> = rows.iter().map(|r| r.replicaset.as_str()).collect();
        assert_eq!(names, ["api-a", "api-old"]);
        assert_eq!(rows[1].revision, 0);
        assert!(!rows[1].current);
    }

    #[test]
    fn nothing_is_current_before_the_deployment_has_a_revision() {
        let d = deployment(0);
        let bare = rs("api-a", "r1", "d1", 0);
        let rows = history(&d, &[&bare], &[]);
        assert!(
            !rows[0].current,
            "revision 0 is not a revision the Deployment carries"
        );
    }

    #[test]
    fn the_view_gathers_pods_problems_first_and_events_of_its_objects() {
        let mut c = ClusterState::new(Vec::new());
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![deployment(1)]),
            ),
            0,
        );
        c.update(
            KubeMsg::ReplicaSets(Change::Reset(vec![
                rs("api-5d8f", "r1", "d1", 1),
                rs("web-77aa", "r7", "d7", 1),
            ])),
            0,
        );
        c.update(
            KubeMsg::Pods(Change::Reset(vec![
                pod("api-5d8f-aaaaa", "r1", PodPhase::Running, true),
                pod("api-5d8f-bbbbb", "r1", PodPhase::Failing, false),
                pod("web-77aa-ccccc", "r7", PodPhase::Running, true),
            ])),
            0,
        );
        let event = |name: &str, kind: &str, object: &str, at: i64| EventRow {
            name: name.into(),
            kind: kind.into(),
            object: object.into(),
            last_seen: Some(at),
            ..EventRow::default()
        };
        c.update(
            KubeMsg::Events(Change::Reset(vec![
                event("e1", "Deployment", "api", 10),
                event("e2", "ReplicaSet", "api-5d8f", 30),
                event("e3", "Pod", "api-5d8f-zzzzz", 20),
                event("e4", "Pod", "web-77aa-ccccc", 40),
                event("e5", "Deployment", "web", 50),
            ])),
            0,
        );
        let w = derive(&c, WorkloadKind::Deployment, "api");
        let pods: Vec<&str> = w.pods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(pods, ["api-5d8f-bbbbb", "api-5d8f-aaaaa"]);
        let events: Vec<&str> = w.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(events, ["e2", "e3", "e1"], "a gone pod's event still shows");
        assert!(
            derive(&c, WorkloadKind::Deployment, "ghost")
                .workload
                .is_none()
        );
    }
}
