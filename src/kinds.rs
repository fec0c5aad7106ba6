//! The kinds of workload ops-tui watches and acts on, named every way
//! kubectl names them. The runbook, the cluster sources and the views all
//! speak of them.

/// The kinds of workload: the three that roll out (kubectl's `rollout`
/// commands cover them), and the batch kinds, Jobs and the CronJobs that
/// make them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadKind {
    #[default]
    Deployment,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 5] = [
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::CronJob,
        WorkloadKind::Job,
    ];

    /// The kind as Kubernetes spells it: `StatefulSet`.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::CronJob => "CronJob",
            WorkloadKind::Job => "Job",
        }
    }

    /// The resource as kubectl names it: `statefulset`.
    pub fn resource(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
            WorkloadKind::CronJob => "cronjob",
            WorkloadKind::Job => "job",
        }
    }

    /// kubectl's short name: `sts` (a Job has none: `job`).
    pub fn short(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deploy",
            WorkloadKind::StatefulSet => "sts",
            WorkloadKind::DaemonSet => "ds",
            WorkloadKind::CronJob => "cj",
            WorkloadKind::Job => "job",
        }
    }

    /// The API path segment: `statefulsets`.
    pub fn plural(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployments",
            WorkloadKind::StatefulSet => "statefulsets",
            WorkloadKind::DaemonSet => "daemonsets",
            WorkloadKind::CronJob => "cronjobs",
            WorkloadKind::Job => "jobs",
        }
    }

    /// The API group: `apps` or `batch`.
    pub fn group(self) -> &'static str {
        if self.is_batch() { "batch" } else { "apps" }
    }

    /// Whether it is a Job or CronJob (which run to completion rather than
    /// roll out).
    pub fn is_batch(self) -> bool {
        matches!(self, WorkloadKind::Job | WorkloadKind::CronJob)
    }

    /// The path of one object of this kind.
    pub fn path(self, namespace: &str, name: &str) -> String {
        format!(
            "/apis/{}/v1/namespaces/{namespace}/{}/{name}",
            self.group(),
            self.plural()
        )
    }

    /// Any of the spellings kubectl accepts (`StatefulSet`, `statefulset`,
    /// `statefulsets`, `sts`, `statefulsets.apps`, `cronjobs.batch`),
    /// case-insensitively.
    pub fn parse(text: &str) -> Option<WorkloadKind> {
        let t = text.trim().to_ascii_lowercase();
        let (t, group) = match t.split_once('.') {
            Some((t, group)) => (t, Some(group)),
            None => (t.as_str(), None),
        };
        WorkloadKind::ALL.into_iter().find(|k| {
            (t == k.resource() || t == k.plural() || t == k.short())
                && group.is_none_or(|g| g == k.group())
        })
    }
}

impl std::fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_as_kubectl_spells_them() {
        for (text, kind) in [
            ("StatefulSet", WorkloadKind::StatefulSet),
            ("statefulsets.apps", WorkloadKind::StatefulSet),
            ("sts", WorkloadKind::StatefulSet),
            ("ds", WorkloadKind::DaemonSet),
            ("DaemonSet", WorkloadKind::DaemonSet),
            ("deploy", WorkloadKind::Deployment),
            ("deployments", WorkloadKind::Deployment),
            ("Job", WorkloadKind::Job),
            ("jobs.batch", WorkloadKind::Job),
            ("cj", WorkloadKind::CronJob),
            ("CronJob", WorkloadKind::CronJob),
        ] {
            assert_eq!(WorkloadKind::parse(text), Some(kind), "{text}");
        }
        for bad in ["", "pod", "jobs.apps", "sts.batch", "deployment."] {
            assert_eq!(WorkloadKind::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn paths_are_the_api_servers() {
        assert_eq!(
            WorkloadKind::StatefulSet.path("shop", "db"),
            "/apis/apps/v1/namespaces/shop/statefulsets/db"
        );
        assert_eq!(
            WorkloadKind::CronJob.path("shop", "report"),
            "/apis/batch/v1/namespaces/shop/cronjobs/report"
        );
    }
}
