//! Actions on StatefulSets and DaemonSets through the kube client against
//! `ops-tui demo --serve`: restart, scale and rollback, each dry-run then
//! executed and journaled, the state that results read with the real
//! kubectl, and the rollback's patch compared with the one `kubectl rollout
//! undo` sends for the same objects.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::demo::Demo;
use ops_tui::journal::{Entry, Journal, Step};
use ops_tui::kinds::WorkloadKind;
use ops_tui::kube::actions::{Action, Plan};
use ops_tui::kube::rollback::revisions;

const FAST: &[&str] = &["--speed", "10"];
const NS: &str = "shop-prod";

async fn client(demo: &Demo) -> kube::Client {
    ops_tui::kube::connect(Some(&demo.kubeconfig), Some("demo"), None)
        .await
        .unwrap()
        .client
}

fn steps(journal: &Journal) -> Vec<(Step, Option<bool>)> {
    journal
        .read()
        .unwrap()
        .records
        .into_iter()
        .filter_map(|r| match r.entry {
            Entry::Action { step, ok, .. } => Some((step, ok)),
            _ => None,
        })
        .collect()
}

/// Dry run (which must change nothing kubectl can see), then execution,
/// both journaled.
async fn run(
    demo: &Demo,
    c: &kube::Client,
    plan: Plan,
    watched: (&str, &str),
) -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan,
        journal: &journal,
        kube_user: Some("admin".into()),
    };
    let before = demo.ok(&["get", watched.0, "-o", &format!("jsonpath={}", watched.1)]);
    action.dry_run(c, false).await.unwrap();
    assert_eq!(
        demo.ok(&["get", watched.0, "-o", &format!("jsonpath={}", watched.1)]),
        before,
        "the dry run changed {}",
        watched.0
    );
    action.execute(c, false).await.unwrap();
    (dir, journal)
}

/// The one PATCH kubectl sent to `path` since write number `from`.
fn patch_body(demo: &Demo, from: usize, path: &str) -> serde_json::Value {
    let bodies = demo.write_bodies();
    let patches: Vec<&(String, String)> = bodies[from..]
        .iter()
        .filter(|(r, _)| r.starts_with("PATCH ") && r.contains(path))
        .collect();
    assert_eq!(patches.len(), 1, "{bodies:?}");
    serde_json::from_str(&patches[0].1).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statefulset_is_restarted_scaled_and_rolled_back_as_kubectl_would() {
    let demo = Demo::start(FAST);
    let c = client(&demo).await;

    // Restart: a new template annotation rolls every pod, highest first.
    let old = demo.ok(&["get", "sts/db", "-o", "jsonpath={.status.updateRevision}"]);
    let (_dir, journal) = run(
        &demo,
        &c,
        Plan::restart_workload(WorkloadKind::StatefulSet, NS, "db", "2026-12-03T06:00:00Z"),
        ("sts/db", "{.spec.template.metadata.annotations}"),
    )
    .await;
    assert_eq!(
        steps(&journal),
        [
            (Step::Preview, None),
            (Step::DryRun, Some(true)),
            (Step::Confirmed, None),
            (Step::Outcome, Some(true))
        ]
    );
    demo.ok(&["rollout", "status", "sts/db", "--timeout=90s"]);
    assert_eq!(
        demo.ok(&[
            "get",
            "sts/db",
            "-o",
            "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}"
        ]),
        "2026-12-03T06:00:00Z"
    );
    let new = demo.ok(&["get", "sts/db", "-o", "jsonpath={.status.currentRevision}"]);
    assert_ne!(new, old, "the restart made no new revision");

    // Scale through the scale subresource.
    run(
        &demo,
        &c,
        Plan::scale_workload(WorkloadKind::StatefulSet, NS, "db", 3, 4),
        ("sts/db", "{.spec.replicas}"),
    )
    .await;
    demo.ok(&["rollout", "status", "sts/db", "--timeout=90s"]);
    assert_eq!(
        demo.ok(&["get", "sts/db", "-o", "jsonpath={.status.readyReplicas}"]),
        "4"
    );

    // Rollback: the picker's choice for the first revision sends what
    // kubectl rollout undo --to-revision=1 sends.
    let choices = revisions(&c, WorkloadKind::StatefulSet, NS, "db")
        .await
        .unwrap();
    let seen: Vec<(i64, bool)> = choices.iter().map(|c| (c.revision, c.current)).collect();
    assert_eq!(seen, [(3, true), (2, false), (1, false)]);
    assert!(choices[0].plan.is_err(), "the running revision is offered");
    let first = choices.iter().find(|c| c.revision == 1).unwrap();
    assert_eq!(
        first.diff,
        [
            "db: image registry.example.com/shop/postgres:16.4 → registry.example.com/shop/postgres:16.3"
        ]
    );
    let plan = first.plan.clone().unwrap();
    let from = demo.write_bodies().len();
    demo.ok(&[
        "rollout",
        "undo",
        "sts/db",
        "--to-revision=1",
        "--dry-run=server",
    ]);
    let kubectls = patch_body(&demo, from, "/namespaces/shop-prod/statefulsets/db");
    assert_eq!(plan.body, kubectls, "not the patch kubectl sends");
    assert_eq!(plan.content_type, "application/strategic-merge-patch+json");
    run(
        &demo,
        &c,
        plan,
        ("sts/db", "{.spec.template.spec.containers[0].image}"),
    )
    .await;
    demo.ok(&["rollout", "status", "sts/db", "--timeout=120s"]);
    assert_eq!(
        demo.ok(&[
            "get",
            "pods",
            "-l",
            "app=db",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}"
        ])
        .split_whitespace()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>(),
        ["registry.example.com/shop/postgres:16.3"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemonset_is_restarted_and_rolled_back_and_refuses_a_scale() {
    let demo = Demo::start(FAST);
    let c = client(&demo).await;
    let nodes_before = demo.ok(&[
        "get",
        "pods",
        "-l",
        "app=log-agent",
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]);
    run(
        &demo,
        &c,
        Plan::restart_workload(
            WorkloadKind::DaemonSet,
            NS,
            "log-agent",
            "2026-12-03T06:00:00Z",
        ),
        ("ds/log-agent", "{.spec.template.metadata.annotations}"),
    )
    .await;
    demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=90s"]);
    let nodes_after = demo.ok(&[
        "get",
        "pods",
        "-l",
        "app=log-agent",
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]);
    assert_ne!(nodes_before, nodes_after, "no pod was replaced");

    // A new image, then back: the previous revision's patch is kubectl's.
    demo.ok(&[
        "set",
        "image",
        "ds/log-agent",
        "log-agent=registry.example.com/platform/log-agent:3.3.0",
    ]);
    demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=90s"]);
    let choices = revisions(&c, WorkloadKind::DaemonSet, NS, "log-agent")
        .await
        .unwrap();
    assert!(choices[0].current, "{choices:?}");
    let previous = &choices[1];
    let plan = previous.plan.clone().unwrap();
    let from = demo.write_bodies().len();
    demo.ok(&[
        "rollout",
        "undo",
        "ds/log-agent",
        &format!("--to-revision={}", previous.revision),
        "--dry-run=server",
    ]);
    let kubectls = patch_body(&demo, from, "/namespaces/shop-prod/daemonsets/log-agent");
    assert_eq!(plan.body, kubectls, "not the patch kubectl sends");
    run(
        &demo,
        &c,
        plan,
        ("ds/log-agent", "{.spec.template.spec.containers[0].image}"),
    )
    .await;
    demo.ok(&["rollout", "status", "ds/log-agent", "--timeout=90s"]);
    assert_eq!(
        demo.ok(&[
            "get",
            "ds/log-agent",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}"
        ]),
        previous.images[0]
    );

    // Scale has no meaning for a DaemonSet: the dialog refuses it.
    let row = ops_tui::kube::list_workloads(
        &ops_tui::kube::connect(Some(&demo.kubeconfig), Some("demo"), None)
            .await
            .unwrap(),
        WorkloadKind::DaemonSet,
    )
    .await
    .unwrap()
    .into_iter()
    .find(|w| w.name == "log-agent")
    .unwrap();
    let why = ops_tui::state::actions::Dialog::open(
        ops_tui::action::Action::Scale,
        &row,
        None,
        NS,
        "2026-12-03T06:00:00Z",
        1,
    )
    .unwrap_err();
    assert!(why.contains("no replica count"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cronjob_is_suspended_resumed_and_run_now_and_an_hpas_range_is_changed() {
    let demo = Demo::start(FAST);
    let c = client(&demo).await;
    let conn = ops_tui::kube::connect(Some(&demo.kubeconfig), Some("demo"), None)
        .await
        .unwrap();

    // Suspend, then resume: spec.suspend as kubectl reads it.
    let (_dir, journal) = run(
        &demo,
        &c,
        Plan::suspend(WorkloadKind::CronJob, NS, "report-nightly", true),
        ("cronjob/report-nightly", "{.spec.suspend}"),
    )
    .await;
    assert_eq!(steps(&journal).last(), Some(&(Step::Outcome, Some(true))));
    assert_eq!(
        demo.ok(&[
            "get",
            "cronjob/report-nightly",
            "-o",
            "jsonpath={.spec.suspend}"
        ]),
        "true"
    );
    run(
        &demo,
        &c,
        Plan::suspend(WorkloadKind::CronJob, NS, "report-nightly", false),
        ("cronjob/report-nightly", "{.spec.suspend}"),
    )
    .await;
    assert_eq!(
        demo.ok(&[
            "get",
            "cronjob/report-nightly",
            "-o",
            "jsonpath={.spec.suspend}"
        ]),
        "false"
    );

    // Run now: the Job made from the CronJob's row runs to completion,
    // owned by the CronJob and marked manual, as kubectl create job
    // --from=cronjob/... makes it.
    let cronjob = ops_tui::kube::list_workloads(&conn, WorkloadKind::CronJob)
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.name == "report-nightly")
        .unwrap();
    let template = cronjob
        .batch
        .as_ref()
        .unwrap()
        .job_template
        .clone()
        .unwrap();
    let plan = Plan::trigger(NS, &cronjob.name, &cronjob.uid, &template, "t3st1");
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan,
        journal: &journal,
        kube_user: Some("admin".into()),
    };
    action.dry_run(&c, false).await.unwrap();
    assert!(
        demo.kubectl(&["get", "job/report-nightly-manual-t3st1"])
            .stderr
            .starts_with(b"Error from server (NotFound)"),
        "the dry run created the Job"
    );
    action.execute(&c, false).await.unwrap();
    demo.ok(&[
        "wait",
        "--for=condition=complete",
        "job/report-nightly-manual-t3st1",
        "--timeout=60s",
    ]);
    assert_eq!(
        demo.ok(&[
            "get",
            "job/report-nightly-manual-t3st1",
            "-o",
            "jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}"
        ]),
        "manual CronJob/report-nightly"
    );
    // The check of the CronJob now judges that Job, its newest.
    let jobs = ops_tui::kube::list_workloads(&conn, WorkloadKind::Job)
        .await
        .unwrap();
    assert!(jobs.iter().any(|j| j.name == "report-nightly-manual-t3st1"
        && j.batch.as_ref().and_then(|b| b.cronjob.as_deref()) == Some(cronjob.uid.as_str())));

    // The HPA's range: a minimum above worker's count scales it up.
    run(
        &demo,
        &c,
        Plan::hpa_range(NS, "worker", (2, 6), (3, 6)),
        ("hpa/worker", "{.spec.minReplicas}"),
    )
    .await;
    assert_eq!(
        demo.ok(&[
            "get",
            "hpa/worker",
            "-o",
            "jsonpath={.spec.minReplicas}-{.spec.maxReplicas}"
        ]),
        "3-6"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while demo.ok(&["get", "deploy/worker", "-o", "jsonpath={.spec.replicas}"]) != "3" {
        assert!(
            std::time::Instant::now() < deadline,
            "the HPA never scaled worker to its new minimum"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}
