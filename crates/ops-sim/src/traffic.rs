//! The simulated traffic of a service: cumulative counters as a Prometheus
//! client library keeps them, one-second samples for the Prometheus API,
//! and the text exposition of `/metrics`.

use std::collections::VecDeque;
use std::fmt::Write as _;

/// Histogram bucket bounds of `http_request_duration_seconds`, in seconds.
pub const BOUNDS: [f64; 10] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0];
/// Every pod's memory limit.
pub const MEMORY_LIMIT: u64 = 512 * 1024 * 1024;
/// Requests a second that a Service's ready pods share between them.
pub const OFFERED_RPS: u64 = 40;
/// Each pod answers `0..=JITTER` requests a second more than its share.
pub const JITTER: u64 = 4;

/// The requests a second each of `serving` pods answers before jitter:
/// its share of the offered load, and one more.
pub fn requests_per_pod(serving: usize) -> u64 {
    match serving {
        0 => 0,
        n => OFFERED_RPS / n as u64 + 1,
    }
}

/// The CPU a serving pod uses, in millicores, at `rps` requests a second:
/// an idle floor and a cost per request (a bad release's requests cost
/// more: they wait on timeouts and retries).
pub fn cpu_millis(rps: f64, bad: bool) -> f64 {
    const IDLE: f64 = 8.0;
    const PER_REQUEST: f64 = 2.2;
    IDLE + rps * PER_REQUEST * if bad { 1.5 } else { 1.0 }
}

/// Cumulative counters, as a Prometheus client library keeps them.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    pub ok: u64,
    pub errors: u64,
    /// Requests with latency ≤ BOUNDS[i].
    pub buckets: [u64; BOUNDS.len()],
    pub count: u64,
    pub sum: f64,
}

/// One sample of the counters, a second apart.
#[derive(Debug, Clone)]
pub struct Sample {
    pub at: jiff::Timestamp,
    pub counters: Counters,
    /// Highest memory use of a serving pod over its limit.
    pub memory_ratio: f64,
    /// Each serving pod's requests and errors so far.
    pub by_pod: Vec<PodCount>,
}

/// A pod's requests answered and the 5xx among them, so far (counters as
/// the pod's own client library keeps them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodCount {
    pub pod: String,
    pub requests: u64,
    pub errors: u64,
}

#[derive(Debug, Clone)]
pub struct PodLoad {
    pub name: String,
    pub memory: u64,
}

#[derive(Debug, Default)]
pub struct Traffic {
    pub counters: Counters,
    pub pods: Vec<PodLoad>,
    /// Each serving pod's counters (a pod that stops serving leaves).
    pub by_pod: Vec<PodCount>,
    pub history: VecDeque<Sample>,
    /// Requests to /api/ in the current second, for rate limiting.
    pub window: (i64, u32),
}

/// Adds `n` requests with latencies spread around `mean` seconds.
pub fn add_latencies(c: &mut Counters, n: u64, mean: f64) {
    const SHAPE: [(f64, f64); 6] = [
        (0.5, 0.15),
        (0.8, 0.25),
        (1.0, 0.3),
        (1.3, 0.15),
        (2.0, 0.1),
        (3.0, 0.05),
    ];
    let mut given = 0;
    for (i, (factor, share)) in SHAPE.iter().enumerate() {
        let k = if i + 1 == SHAPE.len() {
            n - given
        } else {
            ((n as f64) * share).round() as u64
        };
        let k = k.min(n - given);
        given += k;
        let latency = mean * factor;
        for (b, bound) in BOUNDS.iter().enumerate() {
            if latency <= *bound {
                c.buckets[b] += k;
            }
        }
        c.sum += latency * k as f64;
    }
    c.count += n;
}

/// The Prometheus text exposition of a service's counters and its pods'
/// memory.
pub fn exposition(ns: &str, svc: &str, t: &Traffic) -> String {
    let c = &t.counters;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP http_requests_total Requests served, by status."
    );
    let _ = writeln!(out, "# TYPE http_requests_total counter");
    let _ = writeln!(
        out,
        "http_requests_total{{namespace=\"{ns}\",service=\"{svc}\",method=\"GET\",status=\"200\"}} {}",
        c.ok
    );
    let _ = writeln!(
        out,
        "http_requests_total{{namespace=\"{ns}\",service=\"{svc}\",method=\"GET\",status=\"500\"}} {}",
        c.errors
    );
    let _ = writeln!(
        out,
        "# HELP http_pod_requests_total Requests served by each pod, by status."
    );
    let _ = writeln!(out, "# TYPE http_pod_requests_total counter");
    for p in &t.by_pod {
        for (status, n) in [
            ("200", p.requests - p.errors.min(p.requests)),
            ("500", p.errors),
        ] {
            let _ = writeln!(
                out,
                "http_pod_requests_total{{namespace=\"{ns}\",service=\"{svc}\",pod=\"{}\",status=\"{status}\"}} {n}",
                p.pod
            );
        }
    }
    let _ = writeln!(out, "# HELP http_request_duration_seconds Request latency.");
    let _ = writeln!(out, "# TYPE http_request_duration_seconds histogram");
    for (bound, n) in BOUNDS.iter().zip(c.buckets.iter()) {
        let _ = writeln!(
            out,
            "http_request_duration_seconds_bucket{{namespace=\"{ns}\",service=\"{svc}\",le=\"{bound}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "http_request_duration_seconds_bucket{{namespace=\"{ns}\",service=\"{svc}\",le=\"+Inf\"}} {}",
        c.count
    );
    let _ = writeln!(
        out,
        "http_request_duration_seconds_sum{{namespace=\"{ns}\",service=\"{svc}\"}} {:.6}",
        c.sum
    );
    let _ = writeln!(
        out,
        "http_request_duration_seconds_count{{namespace=\"{ns}\",service=\"{svc}\"}} {}",
        c.count
    );
    let _ = writeln!(
        out,
        "# HELP container_memory_working_set_bytes Memory in use."
    );
    let _ = writeln!(out, "# TYPE container_memory_working_set_bytes gauge");
    for p in &t.pods {
        let _ = writeln!(
            out,
            "container_memory_working_set_bytes{{namespace=\"{ns}\",pod=\"{}\",container=\"{svc}\"}} {}",
            p.name, p.memory
        );
    }
    let _ = writeln!(
        out,
        "# HELP kube_pod_container_resource_limits Container limits."
    );
    let _ = writeln!(out, "# TYPE kube_pod_container_resource_limits gauge");
    for p in &t.pods {
        let _ = writeln!(
            out,
            "kube_pod_container_resource_limits{{namespace=\"{ns}\",pod=\"{}\",container=\"{svc}\",resource=\"memory\",unit=\"byte\"}} {MEMORY_LIMIT}",
            p.name
        );
    }
    out
}
