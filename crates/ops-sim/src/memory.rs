//! What the controllers remember between their syncs, as the real ones
//! keep it in memory rather than in the objects. The cluster holds it;
//! the HorizontalPodAutoscaler and CronJob controllers read and update it.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use jiff::Timestamp;

/// Everything the controllers remember.
#[derive(Debug, Default)]
pub struct Memory {
    pub(crate) autoscaling: Autoscaling,
    pub(crate) cron: Reported,
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
