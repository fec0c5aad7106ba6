//! The simulated cluster's shared state: the store, the timing of pod
//! lifecycles, the event recorder, and injected faults. One mutex guards it;
//! nobody awaits while holding it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::memory::Memory;
use super::store::{Kind, Store, now};

/// How long each step of a pod's life takes.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Created → scheduled on a node.
    pub schedule: Duration,
    /// Scheduled → containers running.
    pub start: Duration,
    /// Running → ready.
    pub ready: Duration,
    /// Deleted → gone.
    pub terminate: Duration,
    /// A crash-looping container runs this long before it dies.
    pub crash_after: Duration,
    /// First back-off before a crashed container restarts (doubles, capped).
    pub backoff: Duration,
    /// How often the controller runs.
    pub tick: Duration,
    /// How long a Job's container runs before it exits.
    pub job_run: Duration,
    /// The Job controller's first back-off before it replaces a failed pod
    /// (10 s on a real cluster; doubles with each failure, capped at 64
    /// times).
    pub job_backoff: Duration,
    /// How often the HorizontalPodAutoscaler controller looks at each HPA
    /// (15 s on a real cluster).
    pub hpa_sync: Duration,
    /// The HPA's scale-down stabilization window (300 s on a real cluster).
    pub hpa_window: Duration,
    /// How often the simulated metrics-server scrapes the kubelets: every
    /// pod's and node's usage is one value per window (15 s on a real
    /// cluster), and a memory leak grows by a window's worth each time.
    pub metrics_window: Duration,
    /// How long a pod stays on a node tainted `not-ready:NoExecute` before
    /// it is evicted (the default `tolerationSeconds`, 300 s).
    pub eviction: Duration,
    /// How often a kubelet reports its node's status when nothing changed
    /// (`nodeStatusReportFrequency`, 5 minutes): its conditions' heartbeat.
    pub node_status: Duration,
}

impl Timing {
    /// Slow enough to watch a rollout happen.
    pub fn demo() -> Timing {
        Timing {
            schedule: Duration::from_millis(300),
            start: Duration::from_millis(1200),
            ready: Duration::from_millis(1500),
            terminate: Duration::from_millis(1500),
            crash_after: Duration::from_millis(1500),
            backoff: Duration::from_secs(2),
            tick: Duration::from_millis(200),
            job_run: Duration::from_secs(4),
            job_backoff: Duration::from_secs(10),
            hpa_sync: Duration::from_secs(15),
            hpa_window: Duration::from_secs(300),
            metrics_window: Duration::from_secs(15),
            eviction: Duration::from_secs(300),
            node_status: Duration::from_secs(300),
        }
    }

    /// The demo pace divided by `speed` (2 is twice as fast).
    pub fn faster(self, speed: f64) -> Timing {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        let f = |d: Duration| d.div_f64(speed).max(Duration::from_millis(5));
        Timing {
            schedule: f(self.schedule),
            start: f(self.start),
            ready: f(self.ready),
            terminate: f(self.terminate),
            crash_after: f(self.crash_after),
            backoff: f(self.backoff),
            tick: f(self.tick).max(Duration::from_millis(10)),
            job_run: f(self.job_run),
            job_backoff: f(self.job_backoff),
            hpa_sync: f(self.hpa_sync),
            hpa_window: f(self.hpa_window),
            metrics_window: f(self.metrics_window).max(Duration::from_millis(50)),
            eviction: f(self.eviction),
            node_status: f(self.node_status),
        }
    }

    /// Fast, for tests.
    pub fn fast() -> Timing {
        Timing {
            schedule: Duration::from_millis(30),
            start: Duration::from_millis(60),
            ready: Duration::from_millis(60),
            terminate: Duration::from_millis(60),
            crash_after: Duration::from_millis(100),
            backoff: Duration::from_millis(200),
            tick: Duration::from_millis(20),
            job_run: Duration::from_millis(300),
            job_backoff: Duration::from_millis(200),
            hpa_sync: Duration::from_millis(300),
            hpa_window: Duration::from_secs(3),
            metrics_window: Duration::from_millis(300),
            eviction: Duration::from_secs(3),
            node_status: Duration::from_secs(3),
        }
    }
}

/// Faults injected while running.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Resources whose list and watch the viewer and admin are refused (403).
    pub forbidden: Vec<Kind>,
    /// Resources refused in one namespace (403 there, and at the cluster
    /// scope, as RBAC granted per namespace is), by namespace.
    pub forbidden_in: Vec<(Kind, String)>,
    /// The metrics API (metrics.k8s.io) is not served, as on a cluster
    /// without metrics-server.
    pub metrics_off: bool,
    /// Workloads whose containers leak memory.
    pub leaks: Vec<Leak>,
}

impl Faults {
    /// Whether `kind` is refused in namespace `ns` (None or "": at the
    /// cluster scope, refused once any namespace refuses it).
    pub fn refuses(&self, kind: Kind, ns: Option<&str>) -> bool {
        if self.forbidden.contains(&kind) {
            return true;
        }
        match ns.filter(|n| !n.is_empty()) {
            Some(ns) => self.forbidden_in.iter().any(|(k, n)| *k == kind && n == ns),
            None => kind.namespaced() && self.forbidden_in.iter().any(|(k, _)| *k == kind),
        }
    }
}

/// A memory leak injected into a workload: its containers' memory grows by
/// `mib_per_minute` (of simulated time: a metrics window is 15 s of it)
/// from `since_window`, or from their last start if later.
#[derive(Debug, Clone, PartialEq)]
pub struct Leak {
    pub namespace: String,
    /// The workload's name and kind, as the fault named it.
    pub workload: String,
    pub kind: Kind,
    /// Its pods, by their labels (the workload's selector).
    pub selector: std::collections::BTreeMap<String, String>,
    pub mib_per_minute: f64,
    pub since_window: i64,
}

/// Most events kept; older ones are removed, as the real TTL would.
const MAX_EVENTS: usize = 5000;

pub struct Cluster {
    pub store: Store,
    pub timing: Timing,
    pub faults: Faults,
    /// (involved uid, reason, message) → event name, for counting repeats.
    event_index: HashMap<(String, String, String), String>,
    event_order: std::collections::VecDeque<(String, String, (String, String, String))>,
    pub node_names: Vec<String>,
    next_ip: u32,
    /// What controllers remember between their syncs, as the real ones
    /// keep it in memory.
    pub memory: Memory,
}

pub type Shared = Arc<Mutex<Cluster>>;

/// Locks the cluster; a poisoned lock (a panic elsewhere) is still usable
/// because every update leaves the store consistent.
pub fn lock(shared: &Shared) -> MutexGuard<'_, Cluster> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

impl Cluster {
    pub fn new(timing: Timing, history_limit: usize) -> Cluster {
        Cluster {
            store: Store::new(history_limit),
            timing,
            faults: Faults::default(),
            event_index: HashMap::new(),
            event_order: std::collections::VecDeque::new(),
            node_names: (1..=3).map(|i| format!("sim-node-{i}")).collect(),
            next_ip: 0,
            memory: Default::default(),
        }
    }

    pub fn next_pod_ip(&mut self) -> String {
        self.next_ip = self.next_ip.wrapping_add(1);
        let n = self.next_ip;
        format!("10.244.{}.{}", (n / 250) % 250, n % 250 + 2)
    }

    /// Records an event about an object, counting repeats like the real
    /// event recorder.
    pub fn event(
        &mut self,
        kind: Kind,
        meta: &ObjectMeta,
        type_: &str,
        reason: &str,
        message: String,
        component: &str,
    ) {
        let uid = meta.uid.clone().unwrap_or_default();
        // Events about cluster-scoped objects (nodes) are kept in
        // `default`, as the real recorder does.
        let ns = if kind.namespaced() {
            meta.namespace.clone().unwrap_or_default()
        } else {
            "default".to_string()
        };
        let involved_ns = kind.namespaced().then(|| ns.clone());
        let key = (uid.clone(), reason.to_string(), message.clone());
        let t = now();
        if let Some(name) = self.event_index.get(&key)
            && let Some(mut ev) = self.store.get_typed::<Event>(&ns, name)
        {
            ev.count = Some(ev.count.unwrap_or(1) + 1);
            ev.last_timestamp = Some(t);
            self.store.put_typed(ev);
            return;
        }
        let obj_name = meta.name.clone().unwrap_or_default();
        let nanos = t.0.as_nanosecond();
        let name = format!("{obj_name}.{:x}", nanos as u64 ^ fastrand::u64(..0xffff));
        let ev = Event {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(ns.clone()),
                ..ObjectMeta::default()
            },
            involved_object: ObjectReference {
                api_version: Some(kind.api_version().to_string()),
                kind: Some(kind.name().to_string()),
                name: Some(obj_name),
                namespace: involved_ns,
                uid: Some(uid),
                resource_version: meta.resource_version.clone(),
                ..ObjectReference::default()
            },
            reason: Some(reason.to_string()),
            message: Some(message),
            type_: Some(type_.to_string()),
            count: Some(1),
            first_timestamp: Some(t.clone()),
            last_timestamp: Some(t),
            source: Some(EventSource {
                component: Some(component.to_string()),
                host: None,
            }),
            reporting_component: Some(component.to_string()),
            reporting_instance: Some(format!("{component}-sim")),
            ..Event::default()
        };
        self.store.put_typed(ev);
        self.event_index.insert(key.clone(), name.clone());
        self.event_order.push_back((ns, name, key));
        while self.event_order.len() > MAX_EVENTS {
            if let Some((ns, name, key)) = self.event_order.pop_front() {
                self.store.delete(Kind::Event, &ns, &name);
                self.event_index.remove(&key);
            }
        }
    }
}
