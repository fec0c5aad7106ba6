//! The kinds of workload ops-tui watches and acts on, named every way
//! kubectl names them. The runbook, the cluster sources and the views all
//! speak of them.

/// The kinds of workload that roll out: kubectl's `rollout` commands
/// cover these three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadKind {
    #[default]
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 3] = [
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
    ];

    /// The kind as Kubernetes spells it: `StatefulSet`.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
        }
    }

    /// The resource as kubectl names it: `statefulset`.
    pub fn resource(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
        }
    }

    /// kubectl's short name: `sts`.
    pub fn short(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deploy",
            WorkloadKind::StatefulSet => "sts",
            WorkloadKind::DaemonSet => "ds",
        }
    }

    /// The API path segment: `statefulsets`.
    pub fn plural(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployments",
            WorkloadKind::StatefulSet => "statefulsets",
            WorkloadKind::DaemonSet => "daemonsets",
        }
    }

    /// Any of the spellings kubectl accepts (`StatefulSet`, `statefulset`,
    /// `statefulsets`, `sts`, `statefulsets.apps`), case-insensitively.
    pub fn parse(text: &str) -> Option<WorkloadKind> {
        let t = text.trim().to_ascii_lowercase();
        let t = t.strip_suffix(".apps").unwrap_or(&t);
        WorkloadKind::ALL
            .into_iter()
            .find(|k| t == k.resource() || t == k.plural() || t == k.short())
    }
}

impl std::fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
