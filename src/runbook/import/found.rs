//! What the importer finds in a guide: hosts, probes, workloads, jobs,
//! namespaces, signals and switches. Filled by `extract` and `probes`,
//! read by the binding of checks and the writing of the runbook.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::JobKind;
use crate::kinds::WorkloadKind;
use crate::runbook::Unit;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    Health,
    /// A `curl -I` on `/` piped to `grep`: these headers must be present.
    Headers(Vec<String>),
    /// A `curl` in a loop: a rate-limit test of this many requests.
    Burst(u32),
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub name: String,
    /// The variable holding scheme and host.
    pub var: String,
    /// Path and query, as in the guide.
    pub path: String,
    pub kind: ProbeKind,
    /// Where it came from ("curl" or "livenessProbe" …).
    pub origin: String,
    /// The answer the guide shows for it: a JSON field and its value
    /// (`status`, `UP`), or an empty field and the whole body
    /// (`Healthy`).
    pub expect: Option<(String, String)>,
    /// The response time an item asks for, in milliseconds.
    pub below_ms: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Host {
    pub var: String,
    pub url: String,
    /// False for a placeholder the human must replace.
    pub known: bool,
    /// Where a guessed host came from, for the human to check.
    pub guessed_from: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub name: String,
    pub kind: WorkloadKind,
    pub blue_green: Option<(String, String)>,
}

/// A Job or CronJob the guide runs, watches or defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub kind: JobKind,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Signal {
    pub alert: String,
    pub name: String,
    pub query: String,
    pub fail: Option<String>,
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone, Default)]
pub struct Found {
    pub hosts: Vec<Host>,
    pub probes: Vec<Probe>,
    pub workloads: Vec<Workload>,
    pub jobs: Vec<Job>,
    /// For each checklist entry (an index into `Doc::entries`) whose own
    /// code (nested code blocks, inline code, nested lists' code) runs or
    /// looks at a Job or CronJob, or defines one, the first such name.
    pub step_jobs: HashMap<usize, String>,
    /// Names the guide gives two kinds, for a human to check.
    pub conflicts: Vec<String>,
    /// Namespaces with how often the guide names them.
    pub namespaces: IndexMap<String, usize>,
    /// Kube contexts the guide's commands use, in order.
    pub contexts: Vec<String>,
    /// For each namespace, the contexts the commands naming it run in.
    pub ns_contexts: IndexMap<String, Vec<String>>,
    /// Clusters whose credentials the guide fetches.
    pub clusters: Vec<String>,
    /// The days a certificate must stay valid, when the guide says.
    pub cert_days: Option<u32>,
    pub signals: Vec<Signal>,
    /// Service switches found: (service, label).
    pub switches: Vec<(String, String)>,
}

impl Found {
    pub fn host(&self, var: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.var == var)
    }
}
