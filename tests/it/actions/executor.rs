//! Actions against the simulator through the kube client: each one's dry
//! run, execution, resulting cluster state and journal entries; the
//! viewer's 403 before confirmation; read-only refused at the executor.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::sim::{NS, client, complete, create, deployment, start, wait_deployment};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use ops_tui::journal::{Entry, Journal, Step};
use ops_tui::kube::actions::{Action, ActionError, Plan};

const LIMIT: Duration = Duration::from_secs(20);

fn steps(journal: &Journal) -> Vec<(Step, Option<bool>)> {
    journal
        .read()
        .unwrap()
        .records
        .into_iter()
        .map(|r| match r.entry {
            Entry::Action { step, ok, .. } => (step, ok),
            other => panic!("not an action: {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn scale_dry_run_then_execute_with_every_step_journaled() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 2, "shop/api:1")).await;
    wait_deployment(&c, "api", LIMIT, "first rollout", complete).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan: Plan::scale(NS, "api", 2, 4),
        journal: &journal,
        kube_user: Some("admin".into()),
    };

    let preview = action.dry_run(&c, false).await.unwrap();
    assert_eq!(
        preview["spec"]["replicas"], 4,
        "the dry run answers with the result"
    );
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    assert_eq!(
        api.get("api").await.unwrap().spec.replicas,
        Some(2),
        "a dry run changed the cluster"
    );

    action.execute(&c, false).await.unwrap();
    let d = wait_deployment(&c, "api", LIMIT, "scaled", |d| {
        complete(d) && d.status.as_ref().unwrap().ready_replicas == Some(4)
    })
    .await;
    assert_eq!(d.spec.replicas, Some(4));
    assert_eq!(
        steps(&journal),
        [
            (Step::Preview, None),
            (Step::DryRun, Some(true)),
            (Step::Confirmed, None),
            (Step::Outcome, Some(true))
        ]
    );
    let records = journal.read().unwrap().records;
    assert_eq!(records[3].kube_user.as_deref(), Some("admin"));
    let Entry::Action {
        request, summary, ..
    } = &records[2].entry
    else {
        panic!("not an action")
    };
    assert_eq!(summary, "scale deployment/api from 2 to 4 replicas");
    assert_eq!(
        request.as_ref().unwrap()["path"],
        "/apis/apps/v1/namespaces/shop/deployments/api/scale"
    );
}

#[tokio::test]
async fn restart_and_pause_resume_change_the_cluster() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 1, "shop/api:1")).await;
    wait_deployment(&c, "api", LIMIT, "first rollout", complete).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let run = |plan: Plan| {
        let (c, journal) = (c.clone(), &journal);
        async move {
            let a = Action {
                plan,
                journal,
                kube_user: None,
            };
            a.dry_run(&c, false).await.unwrap();
            a.execute(&c, false).await.unwrap();
        }
    };
    run(Plan::restart(NS, "api", "2026-11-23T06:00:00Z")).await;
    let d = wait_deployment(&c, "api", LIMIT, "restarted", |d| {
        complete(d) && d.metadata.generation == Some(2)
    })
    .await;
    let annotations = d.spec.template.metadata.unwrap().annotations.unwrap();
    assert_eq!(
        annotations["kubectl.kubernetes.io/restartedAt"],
        "2026-11-23T06:00:00Z"
    );
    run(Plan::pause(NS, "api", true)).await;
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    assert_eq!(api.get("api").await.unwrap().spec.paused, Some(true));
    run(Plan::pause(NS, "api", false)).await;
    assert_eq!(api.get("api").await.unwrap().spec.paused, Some(false));
    assert_eq!(steps(&journal).len(), 12);
}

#[tokio::test]
async fn the_viewer_is_refused_at_the_dry_run_and_nothing_is_confirmed() {
    let sim = start().await;
    create(
        &client(&sim, "demo").await,
        &deployment("api", 1, "shop/api:1"),
    )
    .await;
    let viewer = client(&sim, "demo-viewer").await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan: Plan::scale(NS, "api", 1, 3),
        journal: &journal,
        kube_user: Some("viewer".into()),
    };
    match action.dry_run(&viewer, false).await.unwrap_err() {
        ActionError::Refused { code, message, .. } => {
            assert_eq!(code, 403);
            assert!(
                message.contains("User \"viewer\" cannot patch resource \"deployments/scale\""),
                "{message}"
            );
        }
        other => panic!("expected a 403, got {other:?}"),
    }
    assert_eq!(
        steps(&journal),
        [(Step::Preview, None), (Step::DryRun, Some(false))]
    );
}

#[tokio::test]
async fn read_only_is_refused_at_the_executor_before_anything_is_sent() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 1, "shop/api:1")).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan: Plan::scale(NS, "api", 1, 3),
        journal: &journal,
        kube_user: None,
    };
    // Called directly, as a future code path might.
    assert_eq!(
        action.execute(&c, true).await.unwrap_err(),
        ActionError::ReadOnly
    );
    assert_eq!(
        ops_tui::kube::actions::send(&c, &action.plan, false, true)
            .await
            .unwrap_err(),
        ActionError::ReadOnly
    );
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    assert_eq!(api.get("api").await.unwrap().spec.replicas, Some(1));
    assert!(
        steps(&journal).is_empty(),
        "a read-only refusal is not an action"
    );
}

#[tokio::test]
async fn an_unwritable_journal_refuses_the_action_before_the_cluster_changes() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 1, "shop/api:1")).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("journals"),
        "a file where the directory should be",
    )
    .unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan: Plan::scale(NS, "api", 1, 3),
        journal: &journal,
        kube_user: None,
    };
    match action.execute(&c, false).await.unwrap_err() {
        ActionError::Journal(m) => assert!(
            m.contains("cannot write the journal") && m.ends_with("nothing was changed"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    assert_eq!(api.get("api").await.unwrap().spec.replicas, Some(1));
}

#[tokio::test]
async fn a_full_disk_refuses_the_action_before_the_cluster_changes() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 1, "shop/api:1")).await;
    let dir = tempfile::tempdir().unwrap();
    // A first action is journaled in full.
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let first = Action {
        plan: Plan::scale(NS, "api", 1, 2),
        journal: &journal,
        kube_user: None,
    };
    first.execute(&c, false).await.unwrap();
    // The disk fills: every write to the journal now fails with ENOSPC.
    std::fs::remove_file(&journal.path).unwrap();
    std::os::unix::fs::symlink("/dev/full", &journal.path).unwrap();
    let second = Action {
        plan: Plan::scale(NS, "api", 2, 5),
        journal: &journal,
        kube_user: None,
    };
    match second.execute(&c, false).await.unwrap_err() {
        ActionError::Journal(m) => assert!(
            m.contains("cannot write the journal")
                && m.contains("No space left on device")
                && m.ends_with("nothing was changed"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    assert_eq!(api.get("api").await.unwrap().spec.replicas, Some(2));
}

/// Applies watch messages to a cluster state until `cond` holds (bounded).
async fn watched_until(
    rx: &mut tokio::sync::mpsc::Receiver<ops_tui::state::Msg>,
    state: &mut ops_tui::state::cluster::ClusterState,
    what: &str,
    cond: impl Fn(&ops_tui::state::cluster::ClusterState) -> bool,
) {
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        state.refresh(jiff::Timestamp::now().as_second());
        if cond(state) {
            return;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(ops_tui::state::Msg::Kube(_, m))) => {
                state.update(m, jiff::Timestamp::now().as_second())
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watches ended"),
            Err(_) => panic!("{what}: not within {LIMIT:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_green_switch_from_the_watched_state_moves_the_traffic_and_is_journaled() {
    use ops_sim::SimOptions;
    use ops_sim::cluster::Timing;
    use ops_sim::scenario::ScenarioName;
    use ops_tui::state::bluegreen;
    let sim = common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::GoLive),
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await;
    let ns = sim.namespace().to_string();
    let c = client(&sim, "demo").await;
    let conn = ops_tui::kube::Connection {
        client: c.clone(),
        context: "demo".into(),
        namespace: ns.clone(),
        user: "admin".into(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
    let task = tokio::spawn(async move {
        ops_tui::kube::watch::watch_all(
            &conn,
            &ops_tui::kube::watch::Scope::One(conn.namespace.clone()),
            None,
            0,
            ops_tui::sink::Sink {
                tx,
                wrap: ops_tui::state::Msg::Kube,
            },
        )
        .await
    });
    let mut state = ops_tui::state::cluster::ClusterState::new(Vec::new());
    watched_until(&mut rx, &mut state, "both colours ready", |s| {
        bluegreen::switch(s, "web", "version")
            .is_ok_and(|sw| sw.colours.len() == 2 && sw.colours.iter().all(|c| c.ready))
    })
    .await;
    let switch = bluegreen::switch(&state, "web", "version").unwrap();
    assert_eq!(switch.current.as_deref(), Some("blue"));
    let green = switch.colours.iter().find(|c| !c.current).unwrap();
    assert_eq!(
        (green.value.as_str(), green.deployment.as_str()),
        ("green", "web-green")
    );

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let web = format!(
        "http://127.0.0.1:{}/",
        sim.service("web").unwrap().http_port
    );
    let version = || async {
        let r = http.get(&web).send().await.unwrap();
        r.headers()["x-version"].to_str().unwrap().to_string()
    };
    assert_eq!(version().await, "2.3.0");

    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let plan = Plan::switch(
        &ns,
        "web",
        "version",
        "blue",
        &green.value,
        &green.deployment,
    );
    // The viewer is refused at the dry run.
    let viewer = client(&sim, "demo-viewer").await;
    let refused = Action {
        plan: plan.clone(),
        journal: &journal,
        kube_user: Some("viewer".into()),
    }
    .dry_run(&viewer, false)
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused { code: 403, message, .. } if message.contains("services")),
        "{refused}"
    );
    let action = Action {
        plan,
        journal: &journal,
        kube_user: Some("admin".into()),
    };
    action.dry_run(&c, false).await.unwrap();
    assert_eq!(version().await, "2.3.0", "a dry run moved the traffic");
    action.execute(&c, false).await.unwrap();
    assert_eq!(version().await, "2.4.0");
    // The watched state sees the Service select green.
    watched_until(&mut rx, &mut state, "the Service selects green", |s| {
        bluegreen::switch(s, "web", "version")
            .is_ok_and(|sw| sw.current.as_deref() == Some("green"))
    })
    .await;
    let records = journal.read().unwrap().records;
    let Entry::Action {
        summary, request, ..
    } = &records.last().unwrap().entry
    else {
        panic!("not an action")
    };
    assert_eq!(
        summary,
        "switch service/web from version=blue to version=green (deployment/web-green)"
    );
    assert_eq!(
        request.as_ref().unwrap()["path"],
        format!("/api/v1/namespaces/{ns}/services/web")
    );
    task.abort();
}

/// A new image through the API, as `kubectl set image` would (a new revision).
async fn set_image(c: &kube::Client, name: &str, image: &str) {
    use kube::api::{Patch, PatchParams};
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let patch = serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": name, "image": image}]}}}});
    api.patch(name, &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
}

fn image(d: &Deployment) -> String {
    d.spec.template.spec.as_ref().unwrap().containers[0]
        .image
        .clone()
        .unwrap()
}

/// Deployment `api` with two revisions (images shop/api:1, then :2), both
/// rolled out.
async fn api_with_two_revisions(c: &kube::Client, replicas: i32) {
    create(c, &deployment("api", replicas, "shop/api:1")).await;
    wait_deployment(c, "api", LIMIT, "first rollout", complete).await;
    set_image(c, "api", "shop/api:2").await;
    wait_deployment(c, "api", LIMIT, "second rollout", |d| {
        complete(d) && image(d) == "shop/api:2"
    })
    .await;
}

#[tokio::test]
async fn rollback_from_the_revision_history_restores_the_old_image_and_is_journaled() {
    use ops_tui::kube::rollback::revisions;
    let sim = start().await;
    let c = client(&sim, "demo").await;
    api_with_two_revisions(&c, 2).await;

    // The picker's choices: newest first, the current one refused.
    let choices = revisions(&c, ops_tui::kinds::WorkloadKind::Deployment, NS, "api")
        .await
        .unwrap();
    let seen: Vec<_> = choices.iter().map(|c| (c.revision, c.current)).collect();
    assert_eq!(seen, [(2, true), (1, false)]);
    assert!(
        choices[0]
            .plan
            .as_ref()
            .unwrap_err()
            .starts_with("skipped rollback: deployment/api already runs revision 2")
    );
    assert_eq!(choices[1].diff, ["api: image shop/api:2 → shop/api:1"]);
    let plan = choices[1].plan.clone().unwrap();
    assert_eq!(plan.summary, "roll back deployment/api to revision 1");

    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let action = Action {
        plan: plan.clone(),
        journal: &journal,
        kube_user: Some("admin".into()),
    };
    let preview = action.dry_run(&c, false).await.unwrap();
    assert_eq!(
        image(&serde_json::from_value(preview).unwrap()),
        "shop/api:1",
        "the dry run answers with the result"
    );
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    assert_eq!(
        image(&api.get("api").await.unwrap()),
        "shop/api:2",
        "a dry run changed the cluster"
    );
    action.execute(&c, false).await.unwrap();
    let d = wait_deployment(&c, "api", LIMIT, "rolled back", |d| {
        complete(d) && image(d) == "shop/api:1"
    })
    .await;
    let labels = d.spec.template.metadata.unwrap().labels.unwrap();
    assert!(
        !labels.contains_key("pod-template-hash"),
        "the template keeps the ReplicaSet's hash label: {labels:?}"
    );
    assert_eq!(
        steps(&journal),
        [
            (Step::Preview, None),
            (Step::DryRun, Some(true)),
            (Step::Confirmed, None),
            (Step::Outcome, Some(true))
        ]
    );
    let records = journal.read().unwrap().records;
    let Entry::Action {
        id,
        request,
        summary,
        ..
    } = &records[2].entry
    else {
        panic!("not an action")
    };
    assert_eq!(id, &plan.id);
    assert_eq!(summary, "roll back deployment/api to revision 1");
    let request = request.as_ref().unwrap();
    assert_eq!(
        request["path"],
        "/apis/apps/v1/namespaces/shop/deployments/api"
    );
    assert_eq!(request["content_type"], "application/json-patch+json");
    assert_eq!(request["body"][0]["path"], "/spec/template");
    // Rolled back, revision 1 is current again (as revision 3).
    let after = revisions(&c, ops_tui::kinds::WorkloadKind::Deployment, NS, "api")
        .await
        .unwrap();
    let current: Vec<_> = after
        .iter()
        .filter(|c| c.current)
        .map(|c| c.revision)
        .collect();
    assert_eq!(current, [3]);
}

#[tokio::test]
async fn a_paused_deployment_is_refused_a_restart_and_a_rollback() {
    use ops_tui::kube::model::WorkloadRow;
    use ops_tui::kube::rollback::revisions;
    use ops_tui::state::actions::Dialog;
    let sim = start().await;
    let c = client(&sim, "demo").await;
    api_with_two_revisions(&c, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let pause = Action {
        plan: Plan::pause(NS, "api", true),
        journal: &journal,
        kube_user: None,
    };
    pause.dry_run(&c, false).await.unwrap();
    pause.execute(&c, false).await.unwrap();
    let api: Api<Deployment> = Api::namespaced(c.clone(), NS);
    let row = WorkloadRow::from(&api.get("api").await.unwrap());
    assert!(row.paused);

    // Restart: no dialog, no request; the reason instead.
    let why = Dialog::open(
        ops_tui::action::Action::Restart,
        &row,
        None,
        NS,
        "2026-11-23T06:00:00Z",
        1,
    )
    .unwrap_err();
    assert!(
        why.contains("deployment/api is paused: resume it first"),
        "{why}"
    );
    // Rollback: every revision refused, with the reason.
    for choice in revisions(&c, ops_tui::kinds::WorkloadKind::Deployment, NS, "api")
        .await
        .unwrap()
    {
        let why = choice.plan.unwrap_err();
        assert!(why.contains("is paused"), "{why}");
    }
    // Nothing but the pause was sent.
    assert_eq!(steps(&journal).len(), 4);
    let d = api.get("api").await.unwrap();
    assert_eq!(image(&d), "shop/api:2");
    assert!(
        d.spec
            .template
            .metadata
            .and_then(|m| m.annotations)
            .is_none_or(|a| !a.contains_key("kubectl.kubernetes.io/restartedAt"))
    );
}
