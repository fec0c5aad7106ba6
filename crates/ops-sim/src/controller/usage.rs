//! What the containers use: the one model that the metrics API
//! (metrics.k8s.io, as metrics-server serves it), the HorizontalPodAutoscaler,
//! the service's `/metrics` and the kubelet's OOM killer all read, so that
//! their figures agree.
//!
//! Time is cut into metrics windows (`timing.metrics_window`, 15 s of
//! simulated time): within one window every figure is the same, as one
//! metrics-server scrape is; the noise in them is a hash of the pod, the
//! container and the window, not a random draw.
//!
//! - CPU follows the traffic: each ready pod behind a Service answers its
//!   share of the Service's requests a second ([`crate::traffic`]) and
//!   uses an idle floor plus a cost per request; other running pods idle.
//! - Memory is a baseline per container (70% of its request, a few MiB of
//!   noise; a release that serves errors holds 220 MiB more), plus what a
//!   memory leak injected into its workload has added since the leak began
//!   or the container last started. It never shows above the container's
//!   limit: there the kubelet OOM-kills it.
//! - A node uses what its pods use and a system overhead.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Container, Node, Pod, Service};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::kubelet::{is_ready, serves_errors};
use crate::cluster::{Cluster, Leak, Timing};
use crate::memory::{Scrape, ScrapedPod, Usage};
use crate::selector::LabelSelector;
use crate::store::{Kind, Typed};
use crate::traffic::{JITTER, cpu_millis, requests_per_pod};

pub const MIB: u64 = 1 << 20;
/// Simulated seconds in a metrics window: a leak's rate per minute grows
/// memory by a quarter of it each window.
const WINDOW_SECS: f64 = 15.0;
/// A request's memory when a container states none.
const DEFAULT_REQUEST: u64 = 128 * MIB;
/// What a release that serves errors holds on top (retries, buffers).
const BAD_EXTRA: u64 = 220 * MIB;
/// Noise on a container's memory, at most.
const MEMORY_NOISE: u64 = 8 * MIB;
/// A node's own use: kubelet, container runtime, system daemons.
const NODE_CPU_MILLIS: f64 = 120.0;
const NODE_MEMORY: u64 = 950 * MIB;

/// The number of the window `t` falls in (windows count from the epoch).
pub fn window_at(t: Timestamp, length: Duration) -> i64 {
    let ms = (length.as_millis() as i64).max(1);
    t.as_millisecond().div_euclid(ms)
}

/// The window now.
pub fn current_window(timing: &Timing) -> i64 {
    window_at(Timestamp::now(), timing.metrics_window)
}

/// When window `w` starts.
pub fn window_start(w: i64, length: Duration) -> Timestamp {
    let ms = (length.as_millis() as i64).max(1);
    Timestamp::from_millisecond(w.saturating_mul(ms)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A number in [0, 1) that is the same for the same key and window.
pub fn noise(key: &str, salt: &str, window: i64) -> f64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (key, salt, window).hash(&mut h);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Bytes in a memory quantity (`256Mi`, `1G`, `128974848`, `1.5Gi`).
pub fn bytes(q: &Quantity) -> Option<u64> {
    let s = q.0.trim();
    let split = s
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "m" => 1e-3,
        _ => return None,
    };
    let total = value * factor;
    (total.is_finite() && total >= 0.0).then_some(total.round() as u64)
}

/// A container's memory request or limit, in bytes.
pub fn memory_of(c: &Container, limit: bool) -> Option<u64> {
    let r = c.resources.as_ref()?;
    let list = if limit { &r.limits } else { &r.requests };
    list.as_ref()?.get("memory").and_then(bytes)
}

/// Requests a second the ready pods behind each Service of a namespace
/// answer: each Service's selector and how many ready pods it has.
pub struct Load {
    services: Vec<(LabelSelector, usize)>,
}

impl Load {
    pub fn of(cluster: &Cluster, ns: &str) -> Load {
        let pods = cluster.store.list(Kind::Pod, Some(ns));
        let services = cluster
            .store
            .list(Kind::Service, Some(ns))
            .iter()
            .filter_map(|o| Service::peek(o)?.spec.as_ref()?.selector.clone())
            .filter(|m| !m.is_empty())
            .map(|m| {
                let s = LabelSelector::from_map(&m);
                let serving = pods
                    .iter()
                    .filter_map(|o| Pod::peek(o))
                    .filter(|p| {
                        p.metadata.deletion_timestamp.is_none()
                            && is_ready(p)
                            && s.matches(p.metadata.labels.as_ref())
                    })
                    .count();
                (s, serving)
            })
            .collect();
        Load { services }
    }

    /// The requests a second a pod answers in a window: its share of every
    /// Service that selects it, and one to three more (0 when it is not
    /// ready or no Service selects it).
    pub fn rps(&self, pod: &Pod, window: i64) -> f64 {
        if pod.metadata.deletion_timestamp.is_some() || !is_ready(pod) {
            return 0.0;
        }
        let labels = pod.metadata.labels.as_ref();
        let shares: Vec<f64> = self
            .services
            .iter()
            .filter(|(s, _)| s.matches(labels))
            .map(|(_, n)| requests_per_pod(*n) as f64)
            .collect();
        if shares.is_empty() {
            return 0.0;
        }
        let uid = pod.metadata.uid.as_deref().unwrap_or("");
        let jitter = JITTER as f64 * (0.25 + 0.5 * noise(uid, "rps", window));
        shares.iter().sum::<f64>() + jitter
    }
}

fn first_image(pod: &Pod) -> &str {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.as_deref())
        .unwrap_or("")
}

/// A container's CPU in millicores at `rps` requests a second (the first
/// container answers them; the others idle).
pub fn cpu(pod: &Pod, index: usize, rps: f64, window: i64) -> f64 {
    let uid = pod.metadata.uid.as_deref().unwrap_or("");
    let n = noise(uid, &format!("cpu{index}"), window);
    if index > 0 {
        return 2.0 + 2.0 * n;
    }
    cpu_millis(rps, serves_errors(first_image(pod))) * (0.97 + 0.06 * n)
}

/// The leaks that hold a pod.
pub fn leaks_of<'a>(leaks: &'a [Leak], pod: &Pod) -> impl Iterator<Item = &'a Leak> + 'a {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    leaks.iter().filter(move |l| {
        l.namespace == ns && l.selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    })
}

/// The window a container last started in, if it runs.
fn started_window(pod: &Pod, name: &str, length: Duration) -> Option<i64> {
    let status = pod
        .status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .iter()
        .find(|c| c.name == name)?;
    let started = status
        .state
        .as_ref()?
        .running
        .as_ref()?
        .started_at
        .as_ref()?;
    Some(window_at(started.0, length))
}

/// What a leak has added to a container by window `w`.
pub fn leaked(leak: &Leak, started: i64, window: i64) -> u64 {
    let windows = (window - leak.since_window.max(started)).max(0) as f64;
    let mib = leak.mib_per_minute.max(0.0) * WINDOW_SECS / 60.0 * windows;
    (mib * MIB as f64) as u64
}

/// A running container's memory in window `w`, before the limit: its
/// baseline and what leaks have added since it started.
pub fn memory(pod: &Pod, index: usize, leaks: &[Leak], window: i64, length: Duration) -> u64 {
    let Some(c) = pod.spec.as_ref().and_then(|s| s.containers.get(index)) else {
        return 0;
    };
    let uid = pod.metadata.uid.as_deref().unwrap_or("");
    let request = memory_of(c, false)
        .or_else(|| memory_of(c, true).map(|l| l / 2))
        .unwrap_or(DEFAULT_REQUEST);
    let n = noise(uid, &format!("memory{index}"), window);
    let mut total = request / 10 * 7 + (MEMORY_NOISE as f64 * n) as u64;
    if index == 0 && serves_errors(first_image(pod)) {
        total += BAD_EXTRA;
    }
    let started = started_window(pod, &c.name, length).unwrap_or(window);
    total += leaks_of(leaks, pod)
        .map(|l| leaked(l, started, window))
        .sum::<u64>();
    total
}

/// The containers of a running pod whose memory has reached their limit
/// in window `w`: the kubelet OOM-kills them.
pub fn over_limit(pod: &Pod, leaks: &[Leak], window: i64, length: Duration) -> Vec<String> {
    if leaks_of(leaks, pod).next().is_none() {
        return Vec::new();
    }
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    spec.containers
        .iter()
        .enumerate()
        .filter(|(_, c)| started_window(pod, &c.name, length).is_some())
        .filter(|(i, c)| {
            memory_of(c, true).is_some_and(|limit| memory(pod, *i, leaks, window, length) >= limit)
        })
        .map(|(_, c)| c.name.clone())
        .collect()
}

/// A pod's running containers' usage in window `w`; None when it is not
/// running or none of its containers runs.
pub fn pod_usage(
    pod: &Pod,
    load: &Load,
    leaks: &[Leak],
    window: i64,
    length: Duration,
) -> Option<Vec<(String, Usage)>> {
    let status = pod.status.as_ref()?;
    if status.phase.as_deref() != Some("Running") {
        return None;
    }
    let spec = pod.spec.as_ref()?;
    let rps = load.rps(pod, window);
    let containers: Vec<(String, Usage)> = spec
        .containers
        .iter()
        .enumerate()
        .filter(|(_, c)| started_window(pod, &c.name, length).is_some())
        .map(|(i, c)| {
            let memory = memory(pod, i, leaks, window, length);
            let memory = memory_of(c, true).map_or(memory, |limit| memory.min(limit));
            let usage = Usage {
                cpu_nanos: (cpu(pod, i, rps, window) * 1e6).round() as u64,
                // metrics-server reports whole KiB.
                memory: memory / 1024 * 1024,
            };
            (c.name.clone(), usage)
        })
        .collect();
    (!containers.is_empty()).then_some(containers)
}

/// A node's own use in window `w`.
fn node_overhead(node: &str, window: i64) -> Usage {
    Usage {
        cpu_nanos: ((NODE_CPU_MILLIS + 60.0 * noise(node, "cpu", window)) * 1e6) as u64,
        memory: (NODE_MEMORY + (100.0 * MIB as f64 * noise(node, "memory", window)) as u64) / 1024
            * 1024,
    }
}

/// The scrape of window `w`: every running pod's containers and every
/// node.
pub fn compute(cluster: &Cluster, window: i64) -> Scrape {
    let length = cluster.timing.metrics_window;
    let leaks = &cluster.faults.leaks;
    let mut pods = std::collections::HashMap::new();
    let mut nodes: BTreeMap<String, Usage> = BTreeMap::new();
    let mut names: Vec<String> = cluster
        .store
        .list(Kind::Node, None)
        .iter()
        .filter_map(|o| Node::peek(o)?.metadata.name.clone())
        .collect();
    if names.is_empty() {
        names = cluster.node_names.clone();
    }
    for name in names {
        let overhead = node_overhead(&name, window);
        nodes.insert(name, overhead);
    }
    let namespaces: Vec<String> = cluster
        .store
        .list(Kind::Namespace, None)
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    for ns in namespaces {
        let load = Load::of(cluster, &ns);
        for obj in cluster.store.list(Kind::Pod, Some(&ns)) {
            let Some(pod) = Pod::peek(&obj) else { continue };
            let Some(containers) = pod_usage(pod, &load, leaks, window, length) else {
                continue;
            };
            let node = pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_default();
            let scraped = ScrapedPod {
                uid: pod.metadata.uid.clone().unwrap_or_default(),
                node: node.clone(),
                containers,
            };
            if let Some(n) = nodes.get_mut(&node) {
                let total = scraped.total();
                n.cpu_nanos += total.cpu_nanos;
                n.memory += total.memory;
            }
            pods.insert((ns.clone(), obj.name().to_string()), scraped);
        }
    }
    Scrape {
        window,
        at: window_start(window, length),
        length,
        pods,
        nodes,
    }
}

/// The scrape of the current window: the one already made in it, or a new
/// one.
pub fn scrape(cluster: &mut Cluster) -> Arc<Scrape> {
    let window = current_window(&cluster.timing);
    if let Some(s) = &cluster.memory.scrape
        && s.window == window
    {
        return s.clone();
    }
    let s = Arc::new(compute(cluster, window));
    cluster.memory.scrape = Some(s.clone());
    s
}

/// A pod's CPU in the scrape, in millicores (rounded up, as the HPA reads
/// a quantity), if the scrape has it.
pub fn cpu_millis_of(scrape: &Scrape, pod: &Pod) -> Option<i64> {
    let key = (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    );
    let scraped = scrape.pods.get(&key)?;
    if Some(&scraped.uid) != pod.metadata.uid.as_ref() {
        return None;
    }
    Some(scraped.total().cpu_nanos.div_ceil(1_000_000) as i64)
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
