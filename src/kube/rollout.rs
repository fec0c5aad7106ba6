//! Rollout status, decided exactly as `kubectl rollout status` decides it
//! for each kind, plus paused (Deployments) and on-delete (StatefulSets and
//! DaemonSets, where kubectl gives no status); and the state of a Job (from
//! its conditions, as `kubectl wait --for=condition=complete` reads them)
//! and of a CronJob (from its newest Job). Pure functions over the slim
//! projection of a workload.

use super::model::{BatchRow, Strategy, WorkloadKind, WorkloadRow};
use crate::human::age;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollout {
    /// generation is newer than observedGeneration.
    Waiting,
    /// The rollout is under way; the text is kubectl's.
    Progressing(String),
    /// Progressing=False with reason ProgressDeadlineExceeded.
    Failed(String),
    /// spec.paused (with the rollout state underneath).
    Paused(String),
    /// An OnDelete StatefulSet or DaemonSet: its pods change only when
    /// deleted, and kubectl reports no rollout status for it.
    OnDelete(String),
    /// A Job running, or a CronJob with a Job running.
    Running(String),
    /// A suspended Job or CronJob.
    Suspended(String),
    /// A CronJob between runs, its last Job not failed.
    Scheduled(String),
    /// Done; the text is kubectl's.
    Complete(String),
}

impl Rollout {
    /// One word for the state.
    pub fn word(&self) -> &'static str {
        match self {
            Rollout::Waiting => "waiting",
            Rollout::Progressing(_) => "rolling",
            Rollout::Failed(_) => "failed",
            Rollout::Paused(_) => "paused",
            Rollout::OnDelete(_) => "on-delete",
            Rollout::Running(_) => "running",
            Rollout::Suspended(_) => "suspended",
            Rollout::Scheduled(_) => "scheduled",
            Rollout::Complete(_) => "complete",
        }
    }

    /// The sentence kubectl would print (for on-delete, what is known).
    pub fn message(&self, kind: WorkloadKind) -> String {
        match self {
            Rollout::Waiting => match kind {
                WorkloadKind::Deployment => "Waiting for deployment spec update to be observed...",
                WorkloadKind::StatefulSet => {
                    "Waiting for statefulset spec update to be observed..."
                }
                WorkloadKind::DaemonSet => "Waiting for daemon set spec update to be observed...",
                WorkloadKind::CronJob | WorkloadKind::Job => {
                    "Waiting for the spec to be observed..."
                }
            }
            .into(),
            Rollout::Progressing(m)
            | Rollout::Paused(m)
            | Rollout::Failed(m)
            | Rollout::OnDelete(m)
            | Rollout::Running(m)
            | Rollout::Suspended(m)
            | Rollout::Scheduled(m)
            | Rollout::Complete(m) => m.clone(),
        }
    }

    /// Whether the rollout is done (kubectl's status would exit 0), or a
    /// CronJob is between good runs.
    pub fn is_complete(&self) -> bool {
        matches!(self, Rollout::Complete(_) | Rollout::Scheduled(_))
    }

    /// How it counts on the screen and in checks: complete and scheduled
    /// are ok, failed fails, everything under way or held is a warning.
    pub fn health(&self) -> crate::status::Status {
        use crate::status::Status;
        match self {
            Rollout::Complete(_) | Rollout::Scheduled(_) => Status::Ok,
            Rollout::Failed(_) => Status::Fail,
            Rollout::Waiting
            | Rollout::Progressing(_)
            | Rollout::Paused(_)
            | Rollout::OnDelete(_)
            | Rollout::Running(_)
            | Rollout::Suspended(_) => Status::Warn,
        }
    }

    /// Problems first when sorting rows: failed, waiting/rolling/running,
    /// paused, on-delete and suspended, complete and scheduled.
    pub fn rank(&self) -> u8 {
        match self {
            Rollout::Failed(_) => 0,
            Rollout::Progressing(_) | Rollout::Waiting | Rollout::Running(_) => 1,
            Rollout::Paused(_) | Rollout::OnDelete(_) | Rollout::Suspended(_) => 2,
            Rollout::Complete(_) | Rollout::Scheduled(_) => 3,
        }
    }
}

/// The rollout status of a workload of any kind.
pub fn status(w: &WorkloadRow) -> Rollout {
    match w.kind {
        WorkloadKind::Deployment => deployment_status(w),
        WorkloadKind::StatefulSet => statefulset_status(w),
        WorkloadKind::DaemonSet => daemonset_status(w),
        WorkloadKind::Job => job_status(w),
        WorkloadKind::CronJob => cronjob_status(w),
    }
}

/// Whether condition `type_` is True.
fn condition<'a>(w: &'a WorkloadRow, type_: &str) -> Option<&'a super::model::ConditionRow> {
    w.conditions
        .iter()
        .find(|c| c.type_ == type_ && c.status == "True")
}

/// "BackoffLimitExceeded: Job has reached the specified backoff limit".
fn why(c: &super::model::ConditionRow) -> String {
    match (&c.reason, &c.message) {
        (Some(r), Some(m)) if !m.is_empty() => format!("{r}: {m}"),
        (Some(r), _) => r.clone(),
        (None, Some(m)) => m.clone(),
        (None, None) => c.type_.clone(),
    }
}

/// A Job, from its conditions: Failed, then Complete, then FailureTarget
/// (failing, its pods terminating), then suspended, else running.
fn job_status(w: &WorkloadRow) -> Rollout {
    let name = super::model::split(&w.name).1;
    let b = w.batch.as_deref().cloned().unwrap_or_default();
    if let Some(c) = condition(w, "Failed").or_else(|| condition(w, "FailureTarget")) {
        return Rollout::Failed(format!("job \"{name}\" failed: {}", why(c)));
    }
    if condition(w, "Complete").is_some() {
        let took = match (b.started_at, b.completed_at) {
            (Some(start), Some(end)) => format!(" in {}", age(end - start)),
            _ => String::new(),
        };
        return Rollout::Complete(format!(
            "job \"{name}\" completed: {} succeeded{took}",
            counted(&b)
        ));
    }
    if w.paused {
        return Rollout::Suspended(format!("job \"{name}\" is suspended"));
    }
    Rollout::Running(format!(
        "job \"{name}\": {} active, {} succeeded, {} failed (backoff limit {})",
        b.active,
        counted(&b),
        b.failed,
        b.backoff_limit
    ))
}

/// Succeeded pods out of the completions wanted: `1/1`, or `2` when any
/// one success completes the Job.
fn counted(b: &BatchRow) -> String {
    match b.completions {
        Some(n) => format!("{}/{n}", b.succeeded),
        None => b.succeeded.to_string(),
    }
}

/// A CronJob: suspended, its newest Job failed, a Job running, or
/// scheduled.
fn cronjob_status(w: &WorkloadRow) -> Rollout {
    let name = super::model::split(&w.name).1;
    let b = w.batch.as_deref().cloned().unwrap_or_default();
    let schedule = match &b.time_zone {
        Some(tz) => format!("{} ({tz})", b.schedule),
        None => b.schedule.clone(),
    };
    if w.paused {
        return Rollout::Suspended(format!(
            "cronjob \"{name}\" is suspended (schedule {schedule})"
        ));
    }
    // kubectl's sentences name a Job without its namespace.
    let short = |job: &super::model::LastJob| super::model::split(&job.name).1.to_string();
    match &b.last_job {
        Some(job) if matches!(job.finished, Some((false, _))) => {
            let reason = job.finished.as_ref().map(|(_, r)| r.as_str()).unwrap_or("");
            Rollout::Failed(format!(
                "cronjob \"{name}\": its last Job {} failed: {reason}",
                short(job)
            ))
        }
        Some(job) if job.finished.is_none() || b.active > 0 => Rollout::Running(format!(
            "cronjob \"{name}\": Job {} is running (schedule {schedule})",
            short(job)
        )),
        Some(job) => Rollout::Scheduled(format!(
            "cronjob \"{name}\" runs on {schedule}; its last Job {} completed",
            short(job)
        )),
        None => Rollout::Scheduled(format!(
            "cronjob \"{name}\" runs on {schedule}; no Job of it is in the namespace"
        )),
    }
}

/// What kubectl says of an OnDelete workload, and how far its pods are.
fn on_delete(w: &WorkloadRow) -> Rollout {
    Rollout::OnDelete(format!(
        "{} \"{}\" updates pods only when they are deleted (OnDelete): {} of {} at the new revision",
        w.kind.resource(),
        super::model::split(&w.name).1,
        w.updated,
        w.desired
    ))
}

/// kubectl's StatefulSetStatusViewer.
fn statefulset_status(s: &WorkloadRow) -> Rollout {
    if s.strategy == Strategy::OnDelete {
        return on_delete(s);
    }
    if s.observed_generation == 0 || s.generation > s.observed_generation {
        return Rollout::Waiting;
    }
    if s.ready < s.desired {
        return Rollout::Progressing(format!(
            "Waiting for {} pods to be ready...",
            s.desired - s.ready
        ));
    }
    if let Strategy::Partitioned(partition) = s.strategy {
        if let Some(partition) = partition
            && s.updated < s.desired - partition
        {
            return Rollout::Progressing(format!(
                "Waiting for partitioned roll out to finish: {} out of {} new pods have been updated...",
                s.updated,
                s.desired - partition
            ));
        }
        return Rollout::Complete(format!(
            "partitioned roll out complete: {} new pods have been updated...",
            s.updated
        ));
    }
    let update = s.update_revision.as_deref().unwrap_or_default();
    if s.update_revision != s.current_revision {
        return Rollout::Progressing(format!(
            "waiting for statefulset rolling update to complete {} pods at revision {update}...",
            s.updated
        ));
    }
    Rollout::Complete(format!(
        "statefulset rolling update complete {} pods at revision {}...",
        s.current_replicas,
        s.current_revision.as_deref().unwrap_or_default()
    ))
}

/// kubectl's DaemonSetStatusViewer.
fn daemonset_status(d: &WorkloadRow) -> Rollout {
    if d.strategy == Strategy::OnDelete {
        return on_delete(d);
    }
    if d.generation > d.observed_generation {
        return Rollout::Waiting;
    }
    let name = super::model::split(&d.name).1;
    if d.updated < d.desired {
        return Rollout::Progressing(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {} out of {} new pods have been updated...",
            d.updated, d.desired
        ));
    }
    if d.available < d.desired {
        return Rollout::Progressing(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {} of {} updated pods are available...",
            d.available, d.desired
        ));
    }
    Rollout::Complete(format!("daemon set \"{name}\" successfully rolled out"))
}

/// kubectl's DeploymentStatusViewer, then paused on top.
fn deployment_status(d: &WorkloadRow) -> Rollout {
    let inner = kubectl_status(d);
    if d.paused {
        let under = match &inner {
            Rollout::Complete(_) => {
                format!(
                    "deployment \"{}\" is paused (rollout complete)",
                    super::model::split(&d.name).1
                )
            }
            other => format!("paused: {}", other.message(d.kind)),
        };
        return Rollout::Paused(under);
    }
    inner
}

fn kubectl_status(d: &WorkloadRow) -> Rollout {
    if d.generation > d.observed_generation {
        return Rollout::Waiting;
    }
    if d.progressing_reason.as_deref() == Some("ProgressDeadlineExceeded") {
        return Rollout::Failed(format!(
            "deployment \"{}\" exceeded its progress deadline",
            super::model::split(&d.name).1
        ));
    }
    let name = super::model::split(&d.name).1;
    if d.updated < d.desired {
        return Rollout::Progressing(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} out of {} new replicas have been updated...",
            d.updated, d.desired
        ));
    }
    if d.replicas > d.updated {
        return Rollout::Progressing(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
            d.replicas - d.updated
        ));
    }
    if d.available < d.updated {
        return Rollout::Progressing(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...",
            d.available, d.updated
        ));
    }
    Rollout::Complete(format!("deployment \"{name}\" successfully rolled out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> WorkloadRow {
        WorkloadRow {
            name: "api".into(),
            generation: 2,
            observed_generation: 2,
            desired: 3,
            replicas: 3,
            updated: 3,
            ready: 3,
            available: 3,
            ..WorkloadRow::default()
        }
    }

    #[test]
    fn complete() {
        assert!(status(&row()).is_complete());
        assert_eq!(
            status(&row()).message(WorkloadKind::Deployment),
            "deployment \"api\" successfully rolled out"
        );
    }

    #[test]
    fn spec_not_yet_observed() {
        let d = WorkloadRow {
            generation: 3,
            ..row()
        };
        assert_eq!(status(&d), Rollout::Waiting);
        assert_eq!(
            status(&d).message(WorkloadKind::Deployment),
            "Waiting for deployment spec update to be observed..."
        );
    }

    #[test]
    fn progress_deadline_exceeded() {
        let d = WorkloadRow {
            progressing_reason: Some("ProgressDeadlineExceeded".into()),
            updated: 1,
            ..row()
        };
        assert_eq!(
            status(&d),
            Rollout::Failed("deployment \"api\" exceeded its progress deadline".into())
        );
    }

    #[test]
    fn new_replicas_not_all_updated() {
        let d = WorkloadRow {
            updated: 1,
            replicas: 4,
            ..row()
        };
        assert_eq!(
            status(&d).message(WorkloadKind::Deployment),
            "Waiting for deployment \"api\" rollout to finish: 1 out of 3 new replicas have been updated..."
        );
    }

    #[test]
    fn old_replicas_pending_termination() {
        let d = WorkloadRow {
            replicas: 4,
            ..row()
        };
        assert_eq!(
            status(&d).message(WorkloadKind::Deployment),
            "Waiting for deployment \"api\" rollout to finish: 1 old replicas are pending termination..."
        );
    }

    #[test]
    fn updated_replicas_not_all_available() {
        let d = WorkloadRow {
            available: 2,
            ..row()
        };
        assert_eq!(
            status(&d).message(WorkloadKind::Deployment),
            "Waiting for deployment \"api\" rollout to finish: 2 of 3 updated replicas are available..."
        );
    }

    #[test]
    fn paused_wraps_the_state_underneath() {
        let d = WorkloadRow {
            paused: true,
            ..row()
        };
        assert_eq!(
            status(&d),
            Rollout::Paused("deployment \"api\" is paused (rollout complete)".into())
        );
        let d = WorkloadRow {
            paused: true,
            updated: 1,
            ..row()
        };
        assert!(
            status(&d).message(WorkloadKind::Deployment).starts_with(
                "paused: Waiting for deployment \"api\" rollout to finish: 1 out of 3"
            )
        );
    }

    #[test]
    fn problems_sort_first() {
        let mut states = [
            Rollout::Complete(String::new()),
            Rollout::OnDelete(String::new()),
            Rollout::Paused(String::new()),
            Rollout::Waiting,
            Rollout::Failed(String::new()),
        ];
        states.sort_by_key(Rollout::rank);
        assert_eq!(states[0].word(), "failed");
        assert_eq!(states[4].word(), "complete");
    }

    fn sts() -> WorkloadRow {
        WorkloadRow {
            kind: WorkloadKind::StatefulSet,
            name: "db".into(),
            generation: 4,
            observed_generation: 4,
            desired: 3,
            replicas: 3,
            updated: 3,
            ready: 3,
            available: 3,
            strategy: Strategy::RollingUpdate,
            current_revision: Some("db-7c9f".into()),
            update_revision: Some("db-7c9f".into()),
            current_replicas: 3,
            ..WorkloadRow::default()
        }
    }

    #[test]
    fn statefulset_on_delete_is_not_a_rollout_kubectl_can_follow() {
        let s = WorkloadRow {
            strategy: Strategy::OnDelete,
            updated: 1,
            generation: 9,
            ..sts()
        };
        // OnDelete wins over everything else, as in kubectl (which errors).
        assert_eq!(
            status(&s),
            Rollout::OnDelete(
                "statefulset \"db\" updates pods only when they are deleted (OnDelete): 1 of 3 at the new revision".into()
            )
        );
        assert_eq!(status(&s).word(), "on-delete");
    }

    #[test]
    fn statefulset_spec_not_observed() {
        for s in [
            WorkloadRow {
                observed_generation: 0,
                ..sts()
            },
            WorkloadRow {
                generation: 5,
                ..sts()
            },
        ] {
            assert_eq!(status(&s), Rollout::Waiting);
            assert_eq!(
                status(&s).message(WorkloadKind::StatefulSet),
                "Waiting for statefulset spec update to be observed..."
            );
        }
    }

    #[test]
    fn statefulset_pods_not_ready() {
        let s = WorkloadRow { ready: 1, ..sts() };
        assert_eq!(
            status(&s),
            Rollout::Progressing("Waiting for 2 pods to be ready...".into())
        );
    }

    #[test]
    fn statefulset_partitioned_rollout() {
        let s = WorkloadRow {
            strategy: Strategy::Partitioned(Some(1)),
            updated: 1,
            ..sts()
        };
        assert_eq!(
            status(&s),
            Rollout::Progressing(
                "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated..."
                    .into()
            )
        );
        let s = WorkloadRow {
            strategy: Strategy::Partitioned(Some(1)),
            updated: 2,
            ..sts()
        };
        assert_eq!(
            status(&s),
            Rollout::Complete(
                "partitioned roll out complete: 2 new pods have been updated...".into()
            )
        );
        // rollingUpdate given without a partition: complete at once, even
        // with revisions apart (kubectl's rule, not a judgement).
        let s = WorkloadRow {
            strategy: Strategy::Partitioned(None),
            updated: 0,
            update_revision: Some("db-new".into()),
            ..sts()
        };
        assert_eq!(
            status(&s),
            Rollout::Complete(
                "partitioned roll out complete: 0 new pods have been updated...".into()
            )
        );
    }

    #[test]
    fn statefulset_revisions_apart_then_together() {
        let s = WorkloadRow {
            updated: 2,
            update_revision: Some("db-new".into()),
            ..sts()
        };
        assert_eq!(
            status(&s),
            Rollout::Progressing(
                "waiting for statefulset rolling update to complete 2 pods at revision db-new..."
                    .into()
            )
        );
        assert_eq!(
            status(&sts()),
            Rollout::Complete(
                "statefulset rolling update complete 3 pods at revision db-7c9f...".into()
            )
        );
    }

    fn ds() -> WorkloadRow {
        WorkloadRow {
            kind: WorkloadKind::DaemonSet,
            name: "log-agent".into(),
            generation: 2,
            observed_generation: 2,
            desired: 3,
            replicas: 3,
            updated: 3,
            ready: 3,
            available: 3,
            ..WorkloadRow::default()
        }
    }

    #[test]
    fn daemonset_every_branch() {
        let on_delete = WorkloadRow {
            strategy: Strategy::OnDelete,
            updated: 2,
            ..ds()
        };
        assert_eq!(status(&on_delete).word(), "on-delete");
        assert!(
            status(&on_delete)
                .message(WorkloadKind::DaemonSet)
                .contains("2 of 3")
        );
        let unobserved = WorkloadRow {
            generation: 3,
            ..ds()
        };
        assert_eq!(status(&unobserved), Rollout::Waiting);
        assert_eq!(
            status(&unobserved).message(WorkloadKind::DaemonSet),
            "Waiting for daemon set spec update to be observed..."
        );
        let updating = WorkloadRow { updated: 1, ..ds() };
        assert_eq!(
            status(&updating),
            Rollout::Progressing(
                "Waiting for daemon set \"log-agent\" rollout to finish: 1 out of 3 new pods have been updated..."
                    .into()
            )
        );
        let unavailable = WorkloadRow {
            available: 2,
            ..ds()
        };
        assert_eq!(
            status(&unavailable),
            Rollout::Progressing(
                "Waiting for daemon set \"log-agent\" rollout to finish: 2 of 3 updated pods are available..."
                    .into()
            )
        );
        assert_eq!(
            status(&ds()),
            Rollout::Complete("daemon set \"log-agent\" successfully rolled out".into())
        );
        // A DaemonSet's observedGeneration of 0 with generation 0 is
        // observed (kubectl compares only generation > observed).
        let fresh = WorkloadRow {
            generation: 0,
            observed_generation: 0,
            ..ds()
        };
        assert!(status(&fresh).is_complete());
    }

    fn job(f: &dyn Fn(&mut WorkloadRow, &mut BatchRow)) -> WorkloadRow {
        let mut b = BatchRow {
            completions: Some(2),
            parallelism: 1,
            backoff_limit: 6,
            ..BatchRow::default()
        };
        let mut w = WorkloadRow {
            kind: WorkloadKind::Job,
            name: "db-migrate".into(),
            ..WorkloadRow::default()
        };
        f(&mut w, &mut b);
        w.batch = Some(Box::new(b));
        w
    }

    fn condition(type_: &str, reason: &str, message: &str) -> super::super::model::ConditionRow {
        super::super::model::ConditionRow {
            type_: type_.into(),
            status: "True".into(),
            reason: Some(reason.into()),
            message: Some(message.into()),
            updated_at: None,
        }
    }

    #[test]
    fn a_job_is_failed_complete_suspended_or_running_by_its_conditions() {
        let failed = job(&|w, _| {
            w.conditions = vec![condition(
                "Failed",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            )]
        });
        assert_eq!(
            status(&failed),
            Rollout::Failed(
                "job \"db-migrate\" failed: BackoffLimitExceeded: Job has reached the specified backoff limit".into()
            )
        );
        // FailureTarget comes before Failed, while the pods terminate.
        let failing = job(&|w, _| {
            w.conditions = vec![condition(
                "FailureTarget",
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            )]
        });
        assert_eq!(status(&failing).word(), "failed");
        let complete = job(&|w, b| {
            w.conditions = vec![condition("Complete", "CompletionsReached", "")];
            b.succeeded = 2;
            b.started_at = Some(1_000);
            b.completed_at = Some(1_042);
        });
        assert_eq!(
            status(&complete),
            Rollout::Complete("job \"db-migrate\" completed: 2/2 succeeded in 42s".into())
        );
        let suspended = job(&|w, _| w.paused = true);
        assert_eq!(status(&suspended).word(), "suspended");
        let running = job(&|_, b| {
            b.active = 1;
            b.succeeded = 1;
            b.failed = 2;
        });
        assert_eq!(
            status(&running),
            Rollout::Running(
                "job \"db-migrate\": 1 active, 1/2 succeeded, 2 failed (backoff limit 6)".into()
            )
        );
        assert_eq!(status(&running).health(), crate::status::Status::Warn);
    }

    #[test]
    fn a_cronjob_is_suspended_failed_running_or_scheduled_by_its_newest_job() {
        use super::super::model::LastJob;
        let cronjob = |paused: bool, last: Option<LastJob>, active: i32| WorkloadRow {
            kind: WorkloadKind::CronJob,
            name: "report".into(),
            paused,
            batch: Some(Box::new(BatchRow {
                schedule: "0 3 * * *".into(),
                time_zone: Some("Europe/Paris".into()),
                active,
                last_job: last,
                ..BatchRow::default()
            })),
            ..WorkloadRow::default()
        };
        let last = |finished: Option<(bool, &str)>| {
            Some(LastJob {
                name: "report-29".into(),
                created_at: None,
                finished: finished.map(|(ok, why)| (ok, why.to_string())),
            })
        };
        assert_eq!(
            status(&cronjob(true, last(Some((false, "x"))), 0)),
            Rollout::Suspended(
                "cronjob \"report\" is suspended (schedule 0 3 * * * (Europe/Paris))".into()
            )
        );
        assert_eq!(
            status(&cronjob(
                false,
                last(Some((false, "BackoffLimitExceeded"))),
                0
            ))
            .word(),
            "failed"
        );
        assert_eq!(status(&cronjob(false, last(None), 1)).word(), "running");
        let fine = status(&cronjob(false, last(Some((true, ""))), 0));
        assert_eq!(
            fine,
            Rollout::Scheduled(
                "cronjob \"report\" runs on 0 3 * * * (Europe/Paris); its last Job report-29 completed"
                    .into()
            )
        );
        assert!(fine.is_complete());
        assert_eq!(status(&cronjob(false, None, 0)).word(), "scheduled");
        // Every namespace shown: the Job's name is qualified, the sentence
        // names it as kubectl does.
        let qualified = Some(LastJob {
            name: "shop-prod/report-29".into(),
            created_at: None,
            finished: Some((false, "DeadlineExceeded".into())),
        });
        assert_eq!(
            status(&cronjob(false, qualified, 0)).message(WorkloadKind::CronJob),
            "cronjob \"report\": its last Job report-29 failed: DeadlineExceeded"
        );
    }
}
