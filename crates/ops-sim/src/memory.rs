//! What the controllers remember between their syncs, as the real ones
//! keep it in memory rather than in the objects. The cluster holds it;
//! the HorizontalPodAutoscaler and CronJob controllers read and update it,
//! and the simulated metrics-server keeps its last scrape here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;

/// Everything the controllers remember.
#[derive(Debug, Default)]
pub struct Memory {
    pub(crate) autoscaling: Autoscaling,
    pub(crate) cron: Reported,
    /// The metrics-server's last scrape, made at the first look in its
    /// window.
    pub(crate) scrape: Option<Arc<Scrape>>,
}

/// What one scrape of the kubelets found: the usage of every running
/// container and of every node, as of one metrics window.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    /// The window's number (its start divided by its length, since the
    /// epoch).
    pub window: i64,
    /// When the window started.
    pub at: Timestamp,
    /// Its length.
    pub length: Duration,
    /// By (namespace, name).
    pub pods: HashMap<(String, String), ScrapedPod>,
    /// By node name.
    pub nodes: BTreeMap<String, Usage>,
}

/// A pod's containers' usage in a scrape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScrapedPod {
    pub uid: String,
    pub node: String,
    /// Its running containers, by name, in the pod's order.
    pub containers: Vec<(String, Usage)>,
}

impl ScrapedPod {
    /// The pod's total.
    pub fn total(&self) -> Usage {
        self.containers
            .iter()
            .fold(Usage::default(), |a, (_, u)| Usage {
                cpu_nanos: a.cpu_nanos + u.cpu_nanos,
                memory: a.memory + u.memory,
            })
    }
}

/// CPU (nanocores: a core is 10^9) and memory (bytes) in use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_nanos: u64,
    pub memory: u64,
}

/// What the HPA controller keeps between its syncs, by HPA uid: when it
/// last synced, and its recent recommendations (for the stabilization
/// window).
#[derive(Debug, Default)]
pub struct Autoscaling {
    pub(crate) hpas: HashMap<String, HpaMemory>,
}

/// What the HPA controller keeps of one HPA.
#[derive(Debug, Default)]
pub struct HpaMemory {
    pub(crate) synced: Option<Instant>,
    pub(crate) recommendations: Vec<(Instant, i32)>,
}

/// What the CronJob controller has already reported, so that a state that
/// lasts is reported once (the real controller syncs at scheduled times,
/// not at every tick): per CronJob uid, the scheduled time last turned
/// down, and the Jobs seen that it did not create.
#[derive(Debug, Default)]
pub struct Reported {
    pub(crate) turned_down: HashMap<String, Timestamp>,
    pub(crate) unexpected: HashSet<String>,
    pub(crate) warned: HashSet<(String, &'static str)>,
}
