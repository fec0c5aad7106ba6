//! The real kubectl against `ops-tui demo --serve` with Jobs, CronJobs and
//! HorizontalPodAutoscalers: what `get` prints, `describe`, `logs job/X`,
//! `create job --from=cronjob/X`, `wait`, `delete`, `patch`, the API
//! server's refusals, and the state the controllers reach.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::common;

use common::demo::Demo;

const FAST: &[&str] = &["--speed", "10"];
const LIMIT: Duration = Duration::from_secs(60);

fn jsonpath(demo: &Demo, resource: &str, path: &str) -> String {
    demo.ok(&["get", resource, "-o", &format!("jsonpath={path}")])
}

/// Waits (bounded) until `jsonpath` of `resource` is `wanted`.
fn wait_for(demo: &Demo, resource: &str, path: &str, wanted: &str) {
    let deadline = Instant::now() + LIMIT;
    loop {
        let got = jsonpath(demo, resource, path);
        if got == wanted {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{resource} {path} is {got:?}, never {wanted:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The row of `name` in kubectl's table output, split into its columns
/// (two spaces or more apart).
fn row(table: &str, name: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in:\n{table}"));
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

fn header(table: &str) -> Vec<String> {
    table
        .lines()
        .next()
        .unwrap_or_default()
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

/// Writes a manifest into the demo's directory, for `kubectl create -f`
/// (with `--validate=false`: the simulator serves no OpenAPI documents
/// for kubectl's client-side validation).
fn manifest(demo: &Demo, name: &str, yaml: &str) -> String {
    let path = demo.dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn get_prints_jobs_cronjobs_and_hpas_like_a_real_cluster() {
    let demo = Demo::start(FAST);

    let jobs = demo.ok(&["get", "jobs"]);
    assert_eq!(
        header(&jobs),
        ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    );
    let migrate = row(&jobs, "db-migrate");
    assert_eq!(&migrate[1..3], ["Complete", "1/1"], "{jobs}");
    assert!(migrate[3].ends_with('s'), "a duration: {jobs}");
    // The nightly report's last run, named after its scheduled minute.
    let report = jobs
        .lines()
        .find(|l| l.starts_with("report-nightly-"))
        .unwrap_or_else(|| panic!("no run of report-nightly in:\n{jobs}"));
    let minutes: i64 = report.split_whitespace().next().unwrap()["report-nightly-".len()..]
        .parse()
        .unwrap();
    assert_eq!(minutes * 60 % 86_400, 3 * 3600, "not at 03:00: {report}");
    assert!(report.contains("Complete"), "{report}");

    let cronjobs = demo.ok(&["get", "cronjobs"]);
    assert_eq!(
        header(&cronjobs),
        [
            "NAME",
            "SCHEDULE",
            "TIMEZONE",
            "SUSPEND",
            "ACTIVE",
            "LAST SCHEDULE",
            "AGE"
        ]
    );
    let cron = row(&cronjobs, "report-nightly");
    assert_eq!(
        &cron[1..5],
        ["0 3 * * *", "<none>", "False", "0"],
        "{cronjobs}"
    );
    let last = jsonpath(
        &demo,
        "cronjob/report-nightly",
        "{.status.lastScheduleTime}",
    );
    assert!(last.ends_with("T03:00:00Z"), "{last}");
    assert!(
        !jsonpath(
            &demo,
            "cronjob/report-nightly",
            "{.status.lastSuccessfulTime}"
        )
        .is_empty()
    );

    let hpas = demo.ok(&["get", "hpa"]);
    assert_eq!(
        header(&hpas),
        [
            "NAME",
            "REFERENCE",
            "TARGETS",
            "MINPODS",
            "MAXPODS",
            "REPLICAS",
            "AGE"
        ]
    );
    let worker = row(&hpas, "worker");
    assert_eq!(worker[1], "Deployment/worker", "{hpas}");
    let targets = worker[2]
        .strip_prefix("cpu: ")
        .unwrap_or_else(|| panic!("{hpas}"));
    let (current, target) = targets.split_once('/').unwrap();
    assert_eq!(target, "70%");
    let current: i32 = current.trim_end_matches('%').parse().unwrap();
    assert!((40..=70).contains(&current), "{hpas}");
    assert_eq!(&worker[3..6], ["2", "6", "2"], "{hpas}");
    // Under the scenario's load the autoscaler wants what worker has.
    assert_eq!(
        jsonpath(&demo, "hpa/worker", "{.status.desiredReplicas}"),
        "2"
    );
    assert_eq!(jsonpath(&demo, "deploy/worker", "{.spec.replicas}"), "2");
    assert_eq!(
        jsonpath(
            &demo,
            "hpa/worker",
            "{range .status.conditions[*]}{.type}={.reason} {end}"
        )
        .trim(),
        "AbleToScale=ReadyForNewScale ScalingActive=ValidMetricFound ScalingLimited=DesiredWithinRange"
    );

    // All three at once, and wide.
    let all = demo.ok(&["get", "jobs,cronjobs,hpa", "-o", "wide"]);
    for needle in [
        "job.batch/db-migrate",
        "cronjob.batch/report-nightly",
        "horizontalpodautoscaler.autoscaling/worker",
        "registry.example.com/shop/migrate:1.5.0",
        "batch.kubernetes.io/controller-uid=",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
    }
    // The Job's pod ran to completion.
    let pods = demo.ok(&["get", "pods", "-l", "job-name=db-migrate"]);
    let pod: Vec<&str> = pods.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&pod[1..3], ["0/1", "Completed"], "{pods}");

    // describe works for each, with what matters.
    let described = demo.ok(&["describe", "job", "db-migrate"]);
    assert!(described.contains("/ 1 Succeeded /"), "{described}");
    assert!(described.contains("Job completed"), "{described}");
    let described = demo.ok(&["describe", "cronjob", "report-nightly"]);
    assert!(described.contains("0 3 * * *"), "{described}");
    let described = demo.ok(&["describe", "hpa", "worker"]);
    assert!(
        described.contains("resource cpu on pods") && described.contains("/ 70%"),
        "{described}"
    );
    assert!(described.contains("ValidMetricFound"), "{described}");

    // The migration's log, through the Job.
    let log = demo.ok(&["logs", "job/db-migrate"]);
    assert!(
        log.contains("INFO applying migration 0042_add_refunds")
            && log.contains("INFO schema is up to date version=0043"),
        "{log}"
    );
}

#[test]
fn a_job_from_the_cronjob_runs_to_complete_and_deletes_with_its_pods() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&[
        "create",
        "job",
        "report-now",
        "--from=cronjob/report-nightly",
    ]);
    assert_eq!(out.trim(), "job.batch/report-now created");
    let out = demo.ok(&[
        "wait",
        "--for=condition=complete",
        "job/report-now",
        "--timeout=60s",
    ]);
    assert_eq!(out.trim(), "job.batch/report-now condition met");
    assert_eq!(
        jsonpath(
            &demo,
            "job/report-now",
            "{.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}"
        ),
        "manual"
    );
    assert_eq!(
        jsonpath(
            &demo,
            "job/report-now",
            "{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}"
        ),
        "CronJob/report-nightly"
    );
    assert_eq!(
        jsonpath(
            &demo,
            "job/report-now",
            "{range .status.conditions[*]}{.type}:{.reason} {end}"
        )
        .trim(),
        "SuccessCriteriaMet:CompletionsReached Complete:CompletionsReached"
    );
    assert_eq!(
        jsonpath(&demo, "job/report-now", "{.status.succeeded}"),
        "1"
    );
    let jobs = demo.ok(&["get", "job", "report-now"]);
    assert_eq!(&row(&jobs, "report-now")[1..3], ["Complete", "1/1"]);
    let log = demo.ok(&["logs", "job/report-now"]);
    assert!(log.contains("finished status=success"), "{log}");
    let events = demo.ok(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=report-now",
    ]);
    assert!(
        events.contains("SuccessfulCreate") && events.contains("Job completed"),
        "{events}"
    );

    let pods = || demo.ok(&["get", "pods", "-l", "job-name=report-now", "-o", "name"]);
    assert_eq!(pods().lines().count(), 1);
    let out = demo.ok(&["delete", "job", "report-now"]);
    assert_eq!(out.trim(), "job.batch \"report-now\" deleted");
    let deadline = Instant::now() + LIMIT;
    while !pods().trim().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the Job's pods stayed: {}",
            pods()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let gone = demo.kubectl(&["get", "job", "report-now"]);
    assert!(!gone.status.success());

    // Suspending the CronJob, as kubectl patch does it.
    let out = demo.ok(&[
        "patch",
        "cronjob",
        "report-nightly",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ]);
    assert_eq!(out.trim(), "cronjob.batch/report-nightly patched");
    let cronjobs = demo.ok(&["get", "cronjobs"]);
    assert_eq!(row(&cronjobs, "report-nightly")[3], "True", "{cronjobs}");
    // Its status is the controller's: a patch of the spec keeps it.
    assert!(
        !jsonpath(
            &demo,
            "cronjob/report-nightly",
            "{.status.lastScheduleTime}"
        )
        .is_empty()
    );
}

#[test]
fn failing_pods_back_off_to_the_limit_and_suspend_holds_a_job() {
    let demo = Demo::start(FAST);
    let flaky = manifest(
        &demo,
        "flaky.yaml",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: flaky
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: rebuild
        image: registry.example.com/shop/cache-rebuild:1.5.0-fail
"#,
    );
    demo.ok(&["create", "--validate=false", "-f", &flaky]);
    let out = demo.ok(&[
        "wait",
        "--for=condition=failed",
        "job/flaky",
        "--timeout=60s",
    ]);
    assert_eq!(out.trim(), "job.batch/flaky condition met");
    assert_eq!(
        jsonpath(
            &demo,
            "job/flaky",
            "{range .status.conditions[*]}{.type}:{.reason}:{.message};{end}"
        ),
        "FailureTarget:BackoffLimitExceeded:Job has reached the specified backoff limit;\
         Failed:BackoffLimitExceeded:Job has reached the specified backoff limit;"
    );
    assert_eq!(jsonpath(&demo, "job/flaky", "{.status.failed}"), "2");
    let jobs = demo.ok(&["get", "job", "flaky"]);
    assert_eq!(&row(&jobs, "flaky")[1..3], ["Failed", "0/1"], "{jobs}");
    // Two pods, each failed; the second after the first's back-off.
    let pods = demo.ok(&[
        "get",
        "pods",
        "-l",
        "job-name=flaky",
        "--sort-by=.metadata.creationTimestamp",
        "-o",
        "jsonpath={range .items[*]}{.status.phase} {.status.containerStatuses[0].state.terminated.finishedAt} {.metadata.creationTimestamp}{\"\\n\"}{end}",
    ]);
    let lines: Vec<Vec<&str>> = pods.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 2, "{pods}");
    assert!(lines.iter().all(|l| l[0] == "Failed"), "{pods}");
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    assert!(
        at(lines[1][2]) >= at(lines[0][1]),
        "the second pod came before the first failed: {pods}"
    );
    let table = demo.ok(&["get", "pods", "-l", "job-name=flaky"]);
    assert_eq!(table.matches("Error").count(), 2, "{table}");
    let events = demo.ok(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=flaky",
    ]);
    assert!(
        events.contains("BackoffLimitExceeded")
            && events.contains("Job has reached the specified backoff limit"),
        "{events}"
    );
    let log = demo.ok(&["logs", "job/flaky"]);
    assert!(log.contains(" FATAL "), "{log}");

    // A suspended Job waits with no pod until it is resumed.
    let held = manifest(
        &demo,
        "held.yaml",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: held
spec:
  suspend: true
  completions: 2
  parallelism: 2
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - name: report
        image: registry.example.com/shop/report:1.4.2
"#,
    );
    demo.ok(&["create", "--validate=false", "-f", &held]);
    wait_for(
        &demo,
        "job/held",
        "{.status.conditions[0].type}={.status.conditions[0].reason}",
        "Suspended=JobSuspended",
    );
    let jobs = demo.ok(&["get", "job", "held"]);
    assert_eq!(&row(&jobs, "held")[1..3], ["Suspended", "0/2"], "{jobs}");
    assert!(
        demo.ok(&["get", "pods", "-l", "job-name=held", "-o", "name"])
            .trim()
            .is_empty()
    );
    demo.ok(&[
        "patch",
        "job",
        "held",
        "-p",
        r#"{"spec":{"suspend":false}}"#,
    ]);
    demo.ok(&[
        "wait",
        "--for=condition=complete",
        "job/held",
        "--timeout=60s",
    ]);
    assert_eq!(jsonpath(&demo, "job/held", "{.status.succeeded}"), "2");
    assert_eq!(
        demo.ok(&["get", "pods", "-l", "job-name=held", "-o", "name"])
            .lines()
            .count(),
        2
    );
}

#[test]
fn the_api_server_refuses_what_the_real_one_refuses() {
    let demo = Demo::start(FAST);
    let always = manifest(
        &demo,
        "always.yaml",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: always
spec:
  template:
    spec:
      restartPolicy: Always
      containers:
      - name: app
        image: registry.example.com/shop/report:1.4.2
"#,
    );
    let out = demo.kubectl(&["create", "--validate=false", "-f", &always]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "The Job \"always\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
        ),
        "{stderr}"
    );
    let out = demo.kubectl(&[
        "create",
        "cronjob",
        "every-61",
        "--image=registry.example.com/shop/report:1.4.2",
        "--schedule=61 * * * *",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "error: failed to create cronjob: CronJob.batch \"every-61\" is invalid: spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"
        ),
        "{stderr}"
    );
    // A valid one, in protobuf from kubectl, gets the defaults.
    demo.ok(&[
        "create",
        "cronjob",
        "hourly",
        "--image=registry.example.com/shop/report:1.4.2",
        "--schedule=@hourly",
    ]);
    assert_eq!(
        jsonpath(
            &demo,
            "cronjob/hourly",
            "{.spec.concurrencyPolicy} {.spec.successfulJobsHistoryLimit} {.spec.failedJobsHistoryLimit} {.spec.suspend}"
        ),
        "Allow 3 1 false"
    );
    let out = demo.kubectl(&[
        "patch",
        "hpa",
        "worker",
        "-p",
        r#"{"spec":{"minReplicas":7}}"#,
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "spec.maxReplicas: Invalid value: 6: must be greater than or equal to `minReplicas`"
        ),
        "{stderr}"
    );
}

#[test]
fn the_hpa_scales_its_target_to_a_raised_minimum() {
    let demo = Demo::start(FAST);
    let out = demo.ok(&[
        "patch",
        "hpa",
        "worker",
        "-p",
        r#"{"spec":{"minReplicas":2,"maxReplicas":6}}"#,
    ]);
    assert_eq!(
        out.trim(),
        "horizontalpodautoscaler.autoscaling/worker patched"
    );
    assert_eq!(jsonpath(&demo, "deploy/worker", "{.spec.replicas}"), "2");

    demo.ok(&[
        "patch",
        "hpa",
        "worker",
        "-p",
        r#"{"spec":{"minReplicas":3,"maxReplicas":6}}"#,
    ]);
    wait_for(&demo, "deploy/worker", "{.spec.replicas}", "3");
    demo.ok(&["rollout", "status", "deploy/worker", "--timeout=60s"]);
    let hpas = demo.ok(&["get", "hpa", "worker"]);
    assert_eq!(&row(&hpas, "worker")[3..4], ["3"], "{hpas}");
    // The load alone would want 2: the minimum holds it at 3.
    wait_for(
        &demo,
        "hpa/worker",
        "{.status.conditions[?(@.type==\"ScalingLimited\")].reason}",
        "TooFewReplicas",
    );
    assert_eq!(
        jsonpath(
            &demo,
            "hpa/worker",
            "{.status.conditions[?(@.type==\"ScalingLimited\")].message}"
        ),
        "the desired replica count is less than the minimum replica count"
    );
    wait_for(&demo, "hpa/worker", "{.status.currentReplicas}", "3");
    assert!(!jsonpath(&demo, "hpa/worker", "{.status.lastScaleTime}").is_empty());
    let events = demo.ok(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=worker,reason=SuccessfulRescale",
    ]);
    assert!(
        events.contains("New size: 3; reason: Current number of replicas below Spec.MinReplicas"),
        "{events}"
    );
}

#[test]
fn the_incident_holds_a_job_that_failed() {
    let demo = Demo::start(&["--speed", "10", "--scenario", "incident"]);
    let jobs = demo.ok(&["get", "jobs"]);
    assert_eq!(
        &row(&jobs, "cache-rebuild")[1..3],
        ["Failed", "0/1"],
        "{jobs}"
    );
    assert_eq!(
        jsonpath(
            &demo,
            "job/cache-rebuild",
            "{.status.conditions[?(@.type==\"Failed\")].reason}"
        ),
        "BackoffLimitExceeded"
    );
    assert_eq!(
        jsonpath(&demo, "job/cache-rebuild", "{.status.failed}"),
        "3"
    );
    let log = demo.ok(&["logs", "job/cache-rebuild"]);
    assert!(log.contains(" ERROR ") && log.contains(" FATAL "), "{log}");
}
