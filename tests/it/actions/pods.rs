//! Deleting a pod (the classic fix for a stuck one) through the kube
//! client against `ops-tui demo --serve`: dry run, execution and journal,
//! its ReplicaSet's replacement seen with the real kubectl, the uid
//! precondition, and read-only mode refusing it where it is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::common;

use common::demo::Demo;
use ops_tui::journal::{Entry, Journal, Step};
use ops_tui::kube::actions::{Action, ActionError, Plan};
use ops_tui::kube::model::PodRow;

const FAST: &[&str] = &["--speed", "10"];

async fn client(demo: &Demo) -> kube::Client {
    ops_tui::kube::connect(Some(&demo.kubeconfig), Some("demo"), None)
        .await
        .unwrap()
        .client
}

/// The api Deployment's pods as the product reads them.
fn api_pods(demo: &Demo) -> Vec<PodRow> {
    let list: serde_json::Value =
        serde_json::from_str(&demo.ok(&["get", "pods", "-l", "app=api", "-o", "json"])).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| PodRow::from(&serde_json::from_value(p.clone()).unwrap()))
        .collect()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pod_goes_through_its_grace_period_and_its_replicaset_replaces_it() {
    let demo = Demo::start(FAST);
    demo.wait_only_current_pods("api", Duration::from_secs(60));
    let c = client(&demo).await;
    let pods = api_pods(&demo);
    let victim = pods
        .iter()
        .min_by(|a, b| a.name.cmp(&b.name))
        .unwrap()
        .clone();
    assert!(!victim.uid.is_empty());
    assert_eq!(victim.grace_seconds, Some(30), "the simulator defaults it");
    assert_eq!(victim.resources.memory_limit, Some(512 * 1024 * 1024));
    assert_eq!(victim.resources.cpu_request, Some(100));

    let plan = Plan::delete_pod("shop-prod", &victim, "deployment/api", false);
    assert!(
        plan.summary.contains("after its grace period of 30 s"),
        "{}",
        plan.summary
    );
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan,
        journal: &journal,
        kube_user: Some("admin".into()),
    };
    let writes = demo.writes().len();
    action.dry_run(&c, false).await.unwrap();
    // The dry run reached the server as one, and left the pod alone.
    let sent = demo.writes();
    assert_eq!(sent.len(), writes + 1, "{sent:?}");
    assert!(sent[writes].starts_with("DELETE "), "{sent:?}");
    let still = api_pods(&demo);
    let same = still.iter().find(|p| p.name == victim.name).unwrap();
    assert_eq!(same.uid, victim.uid);
    assert_ne!(same.status, "Terminating");

    action.execute(&c, false).await.unwrap();
    let body: serde_json::Value =
        serde_json::from_str(&demo.write_bodies().last().unwrap().1).unwrap();
    assert_eq!(body["preconditions"]["uid"], victim.uid.to_string());
    assert_eq!(body["propagationPolicy"], "Background");

    // kubectl sees it terminating, then gone, and a new pod in its place.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = api_pods(&demo);
        let gone = now.iter().all(|p| p.uid != victim.uid);
        let ready = now.iter().filter(|p| p.ready).count();
        if gone && ready == pods.len() {
            assert!(now.iter().all(|p| p.name != victim.name));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the pod was not replaced: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        steps(&journal),
        vec![
            (Step::Preview, None),
            (Step::DryRun, Some(true)),
            (Step::Confirmed, None),
            (Step::Outcome, Some(true)),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_that_is_no_longer_the_one_seen_is_not_deleted_and_read_only_sends_nothing() {
    let demo = Demo::start(FAST);
    demo.wait_only_current_pods("api", Duration::from_secs(60));
    let c = client(&demo).await;
    let mut seen = api_pods(&demo).remove(0);
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");

    // Read-only: refused before anything is sent.
    let writes = demo.writes().len();
    let action = Action {
        plan: Plan::delete_pod("shop-prod", &seen, "deployment/api", false),
        journal: &journal,
        kube_user: None,
    };
    assert!(matches!(
        action.execute(&c, true).await,
        Err(ActionError::ReadOnly)
    ));
    assert!(matches!(
        action.dry_run(&c, true).await,
        Err(ActionError::ReadOnly)
    ));
    assert_eq!(demo.writes().len(), writes);

    // A pod of that name with another uid (one that replaced it) is left
    // alone: the server refuses the precondition.
    seen.uid = "00000000-0000-0000-0000-000000000000".into();
    let action = Action {
        plan: Plan::delete_pod("shop-prod", &seen, "deployment/api", false),
        journal: &journal,
        kube_user: None,
    };
    let err = action.execute(&c, false).await.unwrap_err();
    assert!(
        matches!(&err, ActionError::Refused { code: 409, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("Precondition failed"), "{err}");
    let after = api_pods(&demo);
    let same = after.iter().find(|p| p.name == seen.name).unwrap();
    assert_ne!(same.status, "Terminating");
}
