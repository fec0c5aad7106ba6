//! The simulated cluster's object store: typed Kubernetes objects, one
//! resourceVersion counter for all of them (as etcd has), and a bounded
//! history of changes that watches replay and stream from.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Node, Pod, Secret, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use tokio::sync::broadcast;

/// The resources the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Namespace,
    Node,
    Pod,
    Service,
    Secret,
    ConfigMap,
    Event,
    Lease,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    ControllerRevision,
    Job,
    CronJob,
    HorizontalPodAutoscaler,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::Namespace,
        Kind::Node,
        Kind::Pod,
        Kind::Service,
        Kind::Secret,
        Kind::ConfigMap,
        Kind::Event,
        Kind::Lease,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::ControllerRevision,
        Kind::Job,
        Kind::CronJob,
        Kind::HorizontalPodAutoscaler,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::Pod => "Pod",
            Kind::Service => "Service",
            Kind::Secret => "Secret",
            Kind::ConfigMap => "ConfigMap",
            Kind::Event => "Event",
            Kind::Lease => "Lease",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::ControllerRevision => "ControllerRevision",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Node => "nodes",
            Kind::Pod => "pods",
            Kind::Service => "services",
            Kind::Secret => "secrets",
            Kind::ConfigMap => "configmaps",
            Kind::Event => "events",
            Kind::Lease => "leases",
            Kind::Deployment => "deployments",
            Kind::ReplicaSet => "replicasets",
            Kind::StatefulSet => "statefulsets",
            Kind::DaemonSet => "daemonsets",
            Kind::ControllerRevision => "controllerrevisions",
            Kind::Job => "jobs",
            Kind::CronJob => "cronjobs",
            Kind::HorizontalPodAutoscaler => "horizontalpodautoscalers",
        }
    }

    /// "" for the core group.
    pub fn group(self) -> &'static str {
        match self {
            Kind::Deployment
            | Kind::ReplicaSet
            | Kind::StatefulSet
            | Kind::DaemonSet
            | Kind::ControllerRevision => "apps",
            Kind::Job | Kind::CronJob => "batch",
            Kind::HorizontalPodAutoscaler => "autoscaling",
            Kind::Lease => "coordination.k8s.io",
            Kind::Namespace
            | Kind::Node
            | Kind::Pod
            | Kind::Service
            | Kind::Secret
            | Kind::ConfigMap
            | Kind::Event => "",
        }
    }

    /// The one version served of the kind's group.
    pub fn version(self) -> &'static str {
        match self.group() {
            "autoscaling" => "v2",
            _ => "v1",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self.group() {
            "" => "v1",
            "apps" => "apps/v1",
            "batch" => "batch/v1",
            "coordination.k8s.io" => "coordination.k8s.io/v1",
            _ => "autoscaling/v2",
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Namespace | Kind::Node)
    }

    /// `deployments.apps`, as error messages name resources.
    pub fn qualified(self) -> String {
        match self.group() {
            "" => self.plural().to_string(),
            g => format!("{}.{g}", self.plural()),
        }
    }

    pub fn from_plural(group: &str, plural: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.group() == group && k.plural() == plural)
    }
}

/// A stored object. The store keeps each behind an `Arc`, so the size of
/// the largest variant is paid once per object, not per copy.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
pub enum Obj {
    Namespace(Namespace),
    Node(Node),
    Pod(Pod),
    Service(Service),
    Secret(Secret),
    ConfigMap(ConfigMap),
    Event(Event),
    Lease(Lease),
    Deployment(Deployment),
    ReplicaSet(ReplicaSet),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
    ControllerRevision(ControllerRevision),
    Job(Job),
    CronJob(CronJob),
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
}

macro_rules! typed {
    ($($t:ident),*) => {
        impl Obj {
            pub fn kind(&self) -> Kind {
                match self { $(Obj::$t(_) => Kind::$t,)* }
            }
            pub fn meta(&self) -> &ObjectMeta {
                match self { $(Obj::$t(o) => &o.metadata,)* }
            }
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $(Obj::$t(o) => &mut o.metadata,)* }
            }
            /// Reads an object of `kind` from JSON.
            pub fn from_value(kind: Kind, value: serde_json::Value) -> Result<Obj, serde_json::Error> {
                Ok(match kind { $(Kind::$t => Obj::$t(serde_json::from_value(value)?),)* })
            }
        }
        $(
            impl Typed for $t {
                const KIND: Kind = Kind::$t;
                fn wrap(self) -> Obj { Obj::$t(self) }
                fn peek(obj: &Obj) -> Option<&$t> {
                    match obj { Obj::$t(o) => Some(o), _ => None }
                }
            }
        )*
    };
}

/// A Kubernetes type the store holds.
pub trait Typed: Sized + Clone {
    const KIND: Kind;
    fn wrap(self) -> Obj;
    fn peek(obj: &Obj) -> Option<&Self>;
}

typed!(
    Namespace,
    Node,
    Pod,
    Service,
    Secret,
    ConfigMap,
    Event,
    Lease,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    ControllerRevision,
    Job,
    CronJob,
    HorizontalPodAutoscaler
);

impl Obj {
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// A field for field selectors; None when the resource has no such field.
    pub fn field(&self, path: &str) -> Option<String> {
        match path {
            "metadata.name" => return Some(self.name().to_string()),
            "metadata.namespace" => return Some(self.namespace().to_string()),
            _ => {}
        }
        match self {
            Obj::Pod(p) => match path {
                "spec.nodeName" => Some(p.spec.as_ref()?.node_name.clone().unwrap_or_default()),
                "status.phase" => Some(p.status.as_ref()?.phase.clone().unwrap_or_default()),
                _ => None,
            },
            Obj::Node(n) => match path {
                "spec.unschedulable" => Some(
                    n.spec
                        .as_ref()
                        .and_then(|s| s.unschedulable)
                        .unwrap_or(false)
                        .to_string(),
                ),
                _ => None,
            },
            Obj::Event(e) => {
                let io = &e.involved_object;
                match path {
                    "involvedObject.kind" => Some(io.kind.clone().unwrap_or_default()),
                    "involvedObject.name" => Some(io.name.clone().unwrap_or_default()),
                    "involvedObject.namespace" => Some(io.namespace.clone().unwrap_or_default()),
                    "involvedObject.uid" => Some(io.uid.clone().unwrap_or_default()),
                    "reason" => Some(e.reason.clone().unwrap_or_default()),
                    "type" => Some(e.type_.clone().unwrap_or_default()),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn name(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches stream it.
#[derive(Debug)]
pub struct Change {
    pub rv: u64,
    pub event: EventType,
    pub obj: Arc<Obj>,
    line: OnceLock<Bytes>,
}

impl Change {
    /// The watch line, `{"type":"ADDED","object":{...}}\n`, made once.
    pub fn line(&self) -> Bytes {
        self.line
            .get_or_init(|| watch_line(self.event.name(), &*self.obj))
            .clone()
    }
}

pub fn watch_line(event: &str, obj: &impl Serialize) -> Bytes {
    #[derive(Serialize)]
    struct Line<'a, T: Serialize> {
        #[serde(rename = "type")]
        type_: &'a str,
        object: &'a T,
    }
    let mut out = serde_json::to_vec(&Line {
        type_: event,
        object: obj,
    })
    .unwrap_or_default();
    out.push(b'\n');
    Bytes::from(out)
}

type Key = (String, String);

pub struct Store {
    rv: u64,
    objects: BTreeMap<Kind, BTreeMap<Key, Arc<Obj>>>,
    history: VecDeque<Arc<Change>>,
    history_limit: usize,
    changes: broadcast::Sender<Arc<Change>>,
    uid_counter: u64,
}

impl Store {
    pub fn new(history_limit: usize) -> Store {
        let (changes, _) = broadcast::channel(history_limit.clamp(1024, 1 << 16));
        Store {
            rv: 1,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            history_limit,
            changes,
            uid_counter: 0,
        }
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// The oldest version a watch can still start from.
    pub fn oldest_watchable(&self) -> u64 {
        self.history.front().map_or(self.rv, |c| c.rv - 1)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.changes.subscribe()
    }

    /// Changes after `rv`, oldest first; None if some were already dropped.
    pub fn changes_since(&self, rv: u64) -> Option<Vec<Arc<Change>>> {
        if rv < self.oldest_watchable() {
            return None;
        }
        Some(self.history.iter().filter(|c| c.rv > rv).cloned().collect())
    }

    pub fn get(&self, kind: Kind, ns: &str, name: &str) -> Option<Arc<Obj>> {
        self.objects
            .get(&kind)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    pub fn get_typed<T: Typed>(&self, ns: &str, name: &str) -> Option<T> {
        self.get(T::KIND, ns, name)
            .and_then(|o| T::peek(&o).cloned())
    }

    /// Objects of a kind, in one namespace or (None) all, by namespace and name.
    pub fn list(&self, kind: Kind, ns: Option<&str>) -> Vec<Arc<Obj>> {
        let Some(map) = self.objects.get(&kind) else {
            return Vec::new();
        };
        match ns {
            Some(ns) => map
                .range((ns.to_string(), String::new())..)
                .take_while(|((n, _), _)| n == ns)
                .map(|(_, o)| o.clone())
                .collect(),
            None => map.values().cloned().collect(),
        }
    }

    /// Objects of a kind after the key `after` (exclusive), in one namespace
    /// or all, in key order: the pages of a paginated list.
    pub fn iter_after<'a>(
        &'a self,
        kind: Kind,
        ns: Option<&'a str>,
        after: Option<(String, String)>,
    ) -> impl Iterator<Item = &'a Arc<Obj>> + 'a {
        use std::ops::Bound;
        let start = match (after, ns) {
            (Some(key), _) => Bound::Excluded(key),
            (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        self.objects
            .get(&kind)
            .into_iter()
            .flat_map(move |map| map.range((start.clone(), Bound::Unbounded)))
            .take_while(move |((n, _), _)| ns.is_none_or(|ns| n == ns))
            .map(|(_, o)| o)
    }

    pub fn list_typed<T: Typed>(&self, ns: Option<&str>) -> Vec<T> {
        self.list(T::KIND, ns)
            .iter()
            .filter_map(|o| T::peek(o).cloned())
            .collect()
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.objects.get(&kind).map_or(0, BTreeMap::len)
    }

    pub fn new_uid(&mut self) -> String {
        self.uid_counter += 1;
        let n = self.uid_counter;
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            fastrand::u32(..),
            fastrand::u16(..),
            n & 0xfff,
            fastrand::u16(..0x1000),
            n
        )
    }

    /// Stores an object (creating or replacing), gives it the next
    /// resourceVersion, and tells the watchers. Returns the stored object.
    pub fn put(&mut self, mut obj: Obj) -> Arc<Obj> {
        self.rv += 1;
        let rv = self.rv;
        let kind = obj.kind();
        let key = (obj.namespace().to_string(), obj.name().to_string());
        let meta = obj.meta_mut();
        meta.resource_version = Some(rv.to_string());
        if meta.uid.is_none() {
            meta.uid = Some(self.new_uid());
        }
        if meta.creation_timestamp.is_none() {
            meta.creation_timestamp = Some(now());
        }
        let obj = Arc::new(obj);
        let previous = self
            .objects
            .entry(kind)
            .or_default()
            .insert(key, obj.clone());
        let event = if previous.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.record(rv, event, obj.clone());
        obj
    }

    pub fn put_typed<T: Typed>(&mut self, obj: T) -> Arc<Obj> {
        self.put(obj.wrap())
    }

    /// Removes an object; watchers see DELETED with a new resourceVersion.
    pub fn delete(&mut self, kind: Kind, ns: &str, name: &str) -> Option<Arc<Obj>> {
        let removed = self
            .objects
            .get_mut(&kind)?
            .remove(&(ns.to_string(), name.to_string()))?;
        self.rv += 1;
        let mut obj = (*removed).clone();
        obj.meta_mut().resource_version = Some(self.rv.to_string());
        let obj = Arc::new(obj);
        self.record(self.rv, EventType::Deleted, obj.clone());
        Some(obj)
    }

    fn record(&mut self, rv: u64, event: EventType, obj: Arc<Obj>) {
        let change = Arc::new(Change {
            rv,
            event,
            obj,
            line: OnceLock::new(),
        });
        self.history.push_back(change.clone());
        while self.history.len() > self.history_limit {
            self.history.pop_front();
        }
        // No receivers is fine.
        let _ = self.changes.send(change);
    }

    /// Forgets the history so that every earlier version is too old (fault
    /// injection: the next watch resume gets 410 Gone).
    pub fn compact(&mut self) {
        self.history.clear();
    }
}

pub fn now() -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(jiff::Timestamp::now())
}
