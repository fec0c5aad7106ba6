//! The CronJob controller, after the real one (Kubernetes 1.32,
//! `pkg/controller/cronjob`): at each scheduled time (real wall-clock
//! time, in the CronJob's `timeZone`, UTC without one) it creates a Job
//! named `<cronjob>-<scheduled time in minutes since the epoch>` from the
//! Job template, owned by the CronJob and annotated with its scheduled
//! time; it honours `suspend`, `concurrencyPolicy` (Allow, Forbid,
//! Replace) and `startingDeadlineSeconds`, keeps `status.active`,
//! `lastScheduleTime` and `lastSuccessfulTime`, deletes finished Jobs
//! beyond the history limits, and records the real events.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use k8s_openapi::api::batch::v1::{CronJob, CronJobStatus, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::admission::admit_new_job;
use super::job::finished;
use super::owner_ref;
use super::schedule::{Schedule, time_zone};
use crate::cluster::Cluster;
use crate::store::{Kind, Typed};

/// The annotation with a Job's scheduled time.
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";
const COMPONENT: &str = "cronjob-controller";
/// More missed start times than this get a warning.
const TOO_MANY_MISSED: usize = 100;

/// Syncs every CronJob. Returns whether one needs the clock (it is not
/// suspended).
pub fn sync(cluster: &mut Cluster) -> bool {
    // Jobs by the uid of the CronJob that controls them.
    let mut by_owner: HashMap<String, Vec<Job>> = HashMap::new();
    for obj in cluster.store.list(Kind::Job, None) {
        let Some(job) = Job::peek(&obj) else { continue };
        if let Some(o) = job
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true) && o.kind == "CronJob")
        {
            by_owner.entry(o.uid.clone()).or_default().push(job.clone());
        }
    }
    let now = Timestamp::now();
    let mut busy = false;
    let mut alive = HashSet::new();
    for obj in cluster.store.list(Kind::CronJob, None) {
        let Some(cj) = CronJob::peek(&obj) else {
            continue;
        };
        let uid = cj.metadata.uid.clone().unwrap_or_default();
        let jobs = by_owner.remove(&uid).unwrap_or_default();
        alive.insert(uid);
        busy |= sync_one(cluster, cj.clone(), jobs, now);
    }
    let reported = &mut cluster.memory.cron;
    reported.turned_down.retain(|uid, _| alive.contains(uid));
    reported.warned.retain(|(uid, _)| alive.contains(uid));
    busy
}

/// The name of the Job for a scheduled time.
pub fn job_name(cronjob: &str, scheduled: Timestamp) -> String {
    format!("{cronjob}-{}", scheduled.as_second().div_euclid(60))
}

/// RFC 3339 in the time zone, as Go writes it (`Z` for UTC).
fn rfc3339(t: Timestamp, tz: &TimeZone) -> String {
    let z = t.to_zoned(tz.clone());
    if z.offset().seconds() == 0 {
        z.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// RFC 1123 with a numeric zone, in UTC, as the MissSchedule event says.
fn rfc1123z(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

fn succeeded(job: &Job) -> bool {
    finished(job) == Some("Complete")
}

fn event(cluster: &mut Cluster, cj: &CronJob, type_: &str, reason: &str, message: String) {
    cluster.event(
        Kind::CronJob,
        &cj.metadata,
        type_,
        reason,
        message,
        COMPONENT,
    );
}

fn sync_one(cluster: &mut Cluster, mut cj: CronJob, mut jobs: Vec<Job>, now: Timestamp) -> bool {
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let old_status = cj.status.clone();
    let mut status = old_status.clone().unwrap_or_default();
    let in_active = |status: &CronJobStatus, uid: &str| {
        status
            .active
            .iter()
            .flatten()
            .any(|r| r.uid.as_deref() == Some(uid))
    };

    for job in &jobs {
        let job_uid = job.metadata.uid.clone().unwrap_or_default();
        let job_name = job.metadata.name.clone().unwrap_or_default();
        let found = in_active(&status, &job_uid);
        if !found && finished(job).is_none() {
            if cluster.memory.cron.unexpected.insert(job_uid) {
                event(
                    cluster,
                    &cj,
                    "Warning",
                    "UnexpectedJob",
                    format!("Saw a job that the controller did not create or forgot: {job_name}"),
                );
            }
        } else if found && let Some(outcome) = finished(job) {
            remove_active(&mut status, &job_uid);
            event(
                cluster,
                &cj,
                "Normal",
                "SawCompletedJob",
                format!("Saw completed job: {job_name}, status: {outcome}"),
            );
        } else if succeeded(job)
            && let Some(done) = job.status.as_ref().and_then(|s| s.completion_time.clone())
            && status
                .last_successful_time
                .as_ref()
                .is_none_or(|last| done.0 > last.0)
        {
            status.last_successful_time = Some(done);
        }
    }
    // Active Jobs that are gone.
    let children: HashSet<String> = jobs.iter().filter_map(|j| j.metadata.uid.clone()).collect();
    for r in status.active.clone().unwrap_or_default() {
        let r_uid = r.uid.clone().unwrap_or_default();
        if !children.contains(&r_uid) {
            event(
                cluster,
                &cj,
                "Normal",
                "MissingJob",
                format!(
                    "Active job went missing: {}",
                    r.name.clone().unwrap_or_default()
                ),
            );
            remove_active(&mut status, &r_uid);
        }
    }

    let busy = match schedule_one(cluster, &cj, &mut status, &mut jobs, now) {
        Ok(busy) => busy,
        Err((reason, message)) => {
            if cluster.memory.cron.warned.insert((uid.clone(), reason)) {
                event(cluster, &cj, "Warning", reason, message);
            }
            false
        }
    };

    cleanup(cluster, &cj, &mut jobs);
    if status.active.as_ref().is_some_and(Vec::is_empty) {
        status.active = None;
    }
    let status = Some(status).filter(|s| *s != CronJobStatus::default() || old_status.is_some());
    if status != old_status {
        cj.status = status;
        cluster.store.put_typed(cj);
    }
    busy
}

fn remove_active(status: &mut CronJobStatus, uid: &str) {
    if let Some(active) = status.active.as_mut() {
        active.retain(|r| r.uid.as_deref() != Some(uid));
    }
}

/// Starts the Job of the most recent unmet scheduled time, if it is due.
/// Returns whether the CronJob needs the clock; the error is a warning
/// event's reason and message.
fn schedule_one(
    cluster: &mut Cluster,
    cj: &CronJob,
    status: &mut CronJobStatus,
    jobs: &mut Vec<Job>,
    now: Timestamp,
) -> Result<bool, (&'static str, String)> {
    let spec = &cj.spec;
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let name = cj.metadata.name.clone().unwrap_or_default();
    let tz = time_zone(spec.time_zone.as_deref()).map_err(|e| {
        (
            "UnknownTimeZone",
            format!(
                "invalid timeZone: {:?}: {e}",
                spec.time_zone.clone().unwrap_or_default()
            ),
        )
    })?;
    if spec.suspend == Some(true) {
        return Ok(false);
    }
    let schedule = Schedule::parse(&spec.schedule).map_err(|e| {
        (
            "UnparseableSchedule",
            format!("unparseable schedule: {:?} : {e}", spec.schedule),
        )
    })?;
    let created = cj.metadata.creation_timestamp.as_ref().map_or(now, |t| t.0);
    let mut earliest = status.last_schedule_time.as_ref().map_or(created, |t| t.0);
    if let Some(deadline) = spec.starting_deadline_seconds {
        let from = Timestamp::from_second(now.as_second() - deadline).unwrap_or(now);
        earliest = earliest.max(from);
    }
    let Some((scheduled, missed)) = schedule.last_between(earliest, now, &tz, TOO_MANY_MISSED + 1)
    else {
        return Ok(true);
    };
    let first_look = cluster.memory.cron.turned_down.get(&uid) != Some(&scheduled);
    if missed > TOO_MANY_MISSED && first_look {
        cluster.event(
            Kind::CronJob,
            &cj.metadata,
            "Warning",
            "TooManyMissedTimes",
            "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew".into(),
            COMPONENT,
        );
    }
    if let Some(deadline) = spec.starting_deadline_seconds
        && scheduled.as_second() + deadline < now.as_second()
    {
        if first_look {
            cluster.memory.cron.turned_down.insert(uid, scheduled);
            cluster.event(
                Kind::CronJob,
                &cj.metadata,
                "Warning",
                "MissSchedule",
                format!(
                    "Missed scheduled time to start a job: {}",
                    rfc1123z(scheduled)
                ),
                COMPONENT,
            );
        }
        return Ok(true);
    }
    let job_name = job_name(&name, scheduled);
    let done = status
        .active
        .iter()
        .flatten()
        .any(|r| r.name.as_deref() == Some(job_name.as_str()))
        || status.last_schedule_time.as_ref().map(|t| t.0) == Some(scheduled);
    if done {
        return Ok(true);
    }
    let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
    let active = status.active.clone().unwrap_or_default();
    if policy == "Forbid" && !active.is_empty() {
        if first_look {
            cluster.memory.cron.turned_down.insert(uid, scheduled);
            cluster.event(
                Kind::CronJob,
                &cj.metadata,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid".into(),
                COMPONENT,
            );
        }
        return Ok(true);
    }
    if policy == "Replace" {
        for r in &active {
            let r_name = r.name.clone().unwrap_or_default();
            let ns = r.namespace.clone().unwrap_or_default();
            super::delete_job(cluster, &ns, &r_name);
            jobs.retain(|j| j.metadata.uid != r.uid);
            remove_active(status, r.uid.as_deref().unwrap_or(""));
            cluster.event(
                Kind::CronJob,
                &cj.metadata,
                "Normal",
                "SuccessfulDelete",
                format!("Deleted job {r_name}"),
                COMPONENT,
            );
        }
    }

    let ns = cj.metadata.namespace.clone().unwrap_or_default();
    let job = match cluster.store.get_typed::<Job>(&ns, &job_name) {
        Some(existing) => {
            // Made earlier (or by someone else): only adopted into the
            // active list if this CronJob controls it.
            if !super::owned_by(&existing.metadata, &uid) {
                return Ok(true);
            }
            existing
        }
        None => {
            let job = job_from_template(cluster, cj, scheduled, &tz, &job_name);
            cluster.event(
                Kind::CronJob,
                &cj.metadata,
                "Normal",
                "SuccessfulCreate",
                format!("Created job {job_name}"),
                COMPONENT,
            );
            jobs.push(job.clone());
            job
        }
    };
    status
        .active
        .get_or_insert_with(Vec::new)
        .push(ObjectReference {
            api_version: Some("batch/v1".into()),
            kind: Some("Job".into()),
            name: job.metadata.name.clone(),
            namespace: job.metadata.namespace.clone(),
            uid: job.metadata.uid.clone(),
            resource_version: job.metadata.resource_version.clone(),
            ..ObjectReference::default()
        });
    status.last_schedule_time = Some(Time(scheduled));
    Ok(true)
}

/// Creates the Job of a scheduled time, as the API server stores it.
fn job_from_template(
    cluster: &mut Cluster,
    cj: &CronJob,
    scheduled: Timestamp,
    tz: &TimeZone,
    name: &str,
) -> Job {
    let template = cj.spec.job_template.clone();
    let tmeta = template.metadata.unwrap_or_default();
    let mut annotations: BTreeMap<String, String> = tmeta.annotations.unwrap_or_default();
    annotations.insert(SCHEDULED_TIMESTAMP.into(), rfc3339(scheduled, tz));
    let mut job = Job {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: cj.metadata.namespace.clone(),
            labels: tmeta.labels,
            annotations: Some(annotations),
            owner_references: Some(vec![owner_ref("CronJob", "batch/v1", &cj.metadata)]),
            ..ObjectMeta::default()
        },
        spec: template.spec,
        status: None,
    };
    admit_new_job(&mut cluster.store, &mut job);
    let stored = cluster.store.put_typed(job.clone());
    job.metadata = stored.meta().clone();
    job
}

/// Deletes the oldest finished Jobs beyond the history limits.
fn cleanup(cluster: &mut Cluster, cj: &CronJob, jobs: &mut Vec<Job>) {
    let limits = [
        ("Complete", cj.spec.successful_jobs_history_limit),
        ("Failed", cj.spec.failed_jobs_history_limit),
    ];
    for (outcome, limit) in limits {
        let Some(limit) = limit else { continue };
        let mut done: Vec<&Job> = jobs
            .iter()
            .filter(|j| finished(j) == Some(outcome))
            .collect();
        let excess = done.len().saturating_sub(limit.max(0) as usize);
        if excess == 0 {
            continue;
        }
        // Oldest start first; never started last; then by name.
        done.sort_by_key(|j| {
            let start = j
                .status
                .as_ref()
                .and_then(|s| s.start_time.as_ref())
                .map(|t| t.0);
            (start.is_none(), start, j.metadata.name.clone())
        });
        let names: Vec<String> = done
            .iter()
            .take(excess)
            .filter_map(|j| j.metadata.name.clone())
            .collect();
        let ns = cj.metadata.namespace.clone().unwrap_or_default();
        for name in names {
            super::delete_job(cluster, &ns, &name);
            jobs.retain(|j| j.metadata.name.as_deref() != Some(name.as_str()));
            cluster.event(
                Kind::CronJob,
                &cj.metadata,
                "Normal",
                "SuccessfulDelete",
                format!("Deleted job {name}"),
                COMPONENT,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::batch::v1::{JobCondition, JobStatus};
    use k8s_openapi::api::core::v1::Event;

    use super::*;
    use crate::cluster::Timing;

    fn cluster() -> Cluster {
        Cluster::new(Timing::fast(), 1000)
    }

    /// A CronJob made `age` ago, with changes to its spec.
    fn add_cronjob(c: &mut Cluster, schedule: &str, age: i64, change: impl FnOnce(&mut CronJob)) {
        let mut cj: CronJob = serde_json::from_value(serde_json::json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "report", "namespace": "shop", "generation": 1},
            "spec": {
                "schedule": schedule,
                "jobTemplate": {"spec": {"backoffLimit": 2, "template": {
                    "metadata": {"labels": {"app": "report"}},
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "containers": [{
                            "name": "report",
                            "image": "shop/report:1.0",
                            "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}, "requests": {"memory": "128Mi", "cpu": "100m"}}
                        }]
                    }
                }}}
            }
        }))
        .unwrap();
        super::super::admission::default_cronjob(&mut cj);
        cj.metadata.creation_timestamp = Some(Time(
            Timestamp::now() - jiff::SignedDuration::from_secs(age),
        ));
        change(&mut cj);
        c.store.put_typed(cj);
    }

    fn cronjob(c: &Cluster) -> CronJob {
        c.store.get_typed::<CronJob>("shop", "report").unwrap()
    }

    fn jobs(c: &Cluster) -> Vec<Job> {
        let mut jobs = c.store.list_typed::<Job>(Some("shop"));
        jobs.sort_by_key(|j| j.metadata.name.clone());
        jobs
    }

    fn reasons(c: &Cluster) -> Vec<String> {
        c.store
            .list_typed::<Event>(Some("shop"))
            .iter()
            .filter(|e| e.involved_object.kind.as_deref() == Some("CronJob"))
            .filter_map(|e| e.reason.clone())
            .collect()
    }

    /// The last time `*/5 * * * *` fired.
    fn last_five_minutes() -> Timestamp {
        let now = Timestamp::now().as_second();
        Timestamp::from_second(now - now.rem_euclid(300)).unwrap()
    }

    /// An earlier run of the CronJob, still running, in its active list.
    fn earlier_run(c: &mut Cluster, scheduled: Timestamp) {
        let cj = cronjob(c);
        let job = job_from_template(
            c,
            &cj,
            scheduled,
            &TimeZone::UTC,
            &job_name("report", scheduled),
        );
        let mut cj = cronjob(c);
        let status = cj.status.get_or_insert_with(CronJobStatus::default);
        status.active = Some(vec![ObjectReference {
            name: job.metadata.name.clone(),
            namespace: job.metadata.namespace.clone(),
            uid: job.metadata.uid.clone(),
            ..ObjectReference::default()
        }]);
        status.last_schedule_time = Some(Time(scheduled));
        c.store.put_typed(cj);
    }

    #[test]
    fn names_and_annotations_of_scheduled_jobs() {
        let t: Timestamp = "2026-03-10T03:00:00Z".parse().unwrap();
        assert_eq!(job_name("report-nightly", t), "report-nightly-29551860");
        assert_eq!(rfc3339(t, &TimeZone::UTC), "2026-03-10T03:00:00Z");
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(rfc3339(t, &berlin), "2026-03-10T04:00:00+01:00");
        assert_eq!(rfc1123z(t), "Tue, 10 Mar 2026 03:00:00 +0000");
    }

    #[test]
    fn a_job_for_the_last_scheduled_time() {
        let mut c = cluster();
        add_cronjob(&mut c, "*/5 * * * *", 720, |_| {});
        assert!(sync(&mut c));
        let t = last_five_minutes();
        let all = jobs(&c);
        assert_eq!(all.len(), 1);
        let job = &all[0];
        assert_eq!(
            job.metadata.name.as_deref(),
            Some(job_name("report", t).as_str())
        );
        assert_eq!(
            job.metadata
                .annotations
                .as_ref()
                .unwrap()
                .get(SCHEDULED_TIMESTAMP),
            Some(&rfc3339(t, &TimeZone::UTC))
        );
        let owner = &job.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.controller),
            ("CronJob", Some(true))
        );
        // The API server's defaults and generated selector.
        assert!(job.spec.as_ref().unwrap().selector.is_some());
        let status = cronjob(&c).status.unwrap();
        assert_eq!(status.last_schedule_time.map(|t| t.0), Some(t));
        let active = status.active.unwrap();
        assert_eq!(active[0].name, job.metadata.name);
        assert_eq!(active[0].kind.as_deref(), Some("Job"));
        assert_eq!(reasons(&c), ["SuccessfulCreate"]);
        // Once made, not again.
        sync(&mut c);
        assert_eq!(jobs(&c).len(), 1);
    }

    #[test]
    fn a_finished_job_leaves_the_active_list_and_counts_as_a_success() {
        let mut c = cluster();
        add_cronjob(&mut c, "*/5 * * * *", 720, |_| {});
        sync(&mut c);
        let mut job = jobs(&c).remove(0);
        let done = Time(Timestamp::now());
        job.status = Some(JobStatus {
            completion_time: Some(done.clone()),
            conditions: Some(vec![JobCondition {
                type_: "Complete".into(),
                status: "True".into(),
                ..JobCondition::default()
            }]),
            ..JobStatus::default()
        });
        c.store.put_typed(job);
        sync(&mut c);
        sync(&mut c);
        let status = cronjob(&c).status.unwrap();
        assert!(status.active.is_none());
        assert_eq!(status.last_successful_time, Some(done));
        assert!(reasons(&c).contains(&"SawCompletedJob".to_string()));
    }

    #[test]
    fn concurrency_policies() {
        let t = last_five_minutes();
        let before = t - jiff::SignedDuration::from_secs(300);
        for (policy, wanted, event) in [
            ("Allow", 2, "SuccessfulCreate"),
            ("Forbid", 1, "JobAlreadyActive"),
            ("Replace", 1, "SuccessfulDelete"),
        ] {
            let mut c = cluster();
            add_cronjob(&mut c, "*/5 * * * *", 720, |cj| {
                cj.spec.concurrency_policy = Some(policy.into());
            });
            earlier_run(&mut c, before);
            sync(&mut c);
            let names: Vec<String> = jobs(&c)
                .into_iter()
                .filter_map(|j| j.metadata.name)
                .collect();
            assert_eq!(names.len(), wanted, "{policy}: {names:?}");
            let expected = match policy {
                "Forbid" => job_name("report", before),
                _ => job_name("report", t),
            };
            assert!(names.contains(&expected), "{policy}: {names:?}");
            let active = cronjob(&c).status.unwrap().active.unwrap_or_default();
            assert_eq!(active.len(), wanted, "{policy}");
            assert!(
                reasons(&c).contains(&event.to_string()),
                "{policy}: {:?}",
                reasons(&c)
            );
        }
    }

    #[test]
    fn suspend_and_the_starting_deadline_hold_back_a_job() {
        let mut c = cluster();
        add_cronjob(&mut c, "*/5 * * * *", 720, |cj| {
            cj.spec.suspend = Some(true)
        });
        assert!(!sync(&mut c));
        assert!(jobs(&c).is_empty());

        // New Year's midnight has passed since the CronJob was made, but
        // longer ago than its starting deadline.
        let mut c = cluster();
        add_cronjob(&mut c, "0 0 1 1 *", 400 * 86_400, |cj| {
            cj.spec.starting_deadline_seconds = Some(60);
        });
        sync(&mut c);
        assert!(jobs(&c).is_empty());
        let mut c = cluster();
        add_cronjob(&mut c, "0 0 1 1 *", 400 * 86_400, |_| {});
        sync(&mut c);
        assert_eq!(jobs(&c).len(), 1);
    }

    #[test]
    fn the_time_zone_names_and_stamps_the_job() {
        let mut c = cluster();
        // 09:00 in Tokyo is midnight UTC.
        add_cronjob(&mut c, "0 9 * * *", 3 * 86_400, |cj| {
            cj.spec.time_zone = Some("Asia/Tokyo".into());
        });
        sync(&mut c);
        let now = Timestamp::now().as_second();
        let midnight = Timestamp::from_second(now - now.rem_euclid(86_400)).unwrap();
        let job = jobs(&c).remove(0);
        assert_eq!(job.metadata.name, Some(job_name("report", midnight)));
        let stamp = job.metadata.annotations.unwrap()[SCHEDULED_TIMESTAMP].clone();
        assert!(stamp.ends_with("T09:00:00+09:00"), "{stamp}");
    }

    #[test]
    fn finished_jobs_beyond_the_history_limits_are_deleted() {
        let mut c = cluster();
        add_cronjob(&mut c, "0 0 1 1 *", 60, |cj| {
            cj.spec.successful_jobs_history_limit = Some(1);
        });
        let cj = cronjob(&c);
        for (i, outcome) in ["Complete", "Complete", "Complete", "Failed"]
            .iter()
            .enumerate()
        {
            let scheduled = Timestamp::from_second(1_700_000_000 + i as i64 * 60).unwrap();
            let mut job = job_from_template(
                &mut c,
                &cj,
                scheduled,
                &TimeZone::UTC,
                &format!("report-{i}"),
            );
            job.status = Some(JobStatus {
                start_time: Some(Time(scheduled)),
                conditions: Some(vec![JobCondition {
                    type_: (*outcome).into(),
                    status: "True".into(),
                    ..JobCondition::default()
                }]),
                ..JobStatus::default()
            });
            c.store.put_typed(job);
        }
        sync(&mut c);
        let names: Vec<String> = jobs(&c)
            .into_iter()
            .filter_map(|j| j.metadata.name)
            .collect();
        // The newest success and the one failure (the limit of 1) stay.
        assert_eq!(names, ["report-2", "report-3"]);
        assert_eq!(
            reasons(&c)
                .iter()
                .filter(|r| *r == "SuccessfulDelete")
                .count(),
            2
        );
    }
}
