//! The dialogs of actions: the scale input, confirmations (a protected
//! one typed), a refusal by RBAC, the steps of a request, outcome unknown,
//! the rollback picker and its diff, blue/green, the context picker, and
//! bursts, which run only once their dialog is confirmed.

use super::*;

#[test]
fn action_dialogs() {
    use ops_tui::kube::actions::Plan;
    use ops_tui::state::actions::Dialog;
    let mut s = example("prod");
    s.set_dialog(Some(Dialog::Scale {
        kind: ops_tui::kinds::WorkloadKind::Deployment,
        hpa: None,
        deployment: "payments-api".into(),
        current: 3,
        input: Box::new(ratatui_textarea::TextArea::new(vec!["3x".into()])),
        error: Some("\"x\": type a number of replicas".into()),
    }));
    assert_snapshot!("dialog_scale_input", render(&s, 100, 30));
    s.set_dialog(Some(Dialog::Confirm {
        plan: Plan::scale("payments", "payments-api", 3, 0),
        warning: Some("0 replicas stops every pod: the service will not answer".into()),
        type_to_confirm: Some("payments-api".into()),
        typed: "paym".into(),
        unready: None,
    }));
    assert_snapshot!("dialog_confirm_protected", render(&s, 100, 30));
    s.set_dialog(Some(Dialog::Refused {
        summary: "scale deployment/payments-api from 3 to 5 replicas".into(),
        message: "deployments.apps \"payments-api\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"payments\" (403 Forbidden)".into(),
    }));
    assert_snapshot!("dialog_refused_by_rbac", render(&s, 100, 30));
    // The steps between: dry run under way, an unprotected confirmation,
    // the request on its way, the revision history being read.
    let plan = Plan::restart("payments", "payments-api", "2026-11-23T06:00:00Z");
    s.set_dialog(Some(Dialog::Checking {
        id: 1,
        plan: plan.clone(),
        warning: None,
        unready: None,
    }));
    assert_snapshot!("dialog_checking", render(&s, 100, 30));
    s.set_dialog(Some(Dialog::Confirm {
        plan: plan.clone(),
        warning: None,
        type_to_confirm: None,
        typed: String::new(),
        unready: None,
    }));
    assert_snapshot!("dialog_confirm", render(&s, 100, 30));
    s.set_dialog(Some(Dialog::Running { id: 2, plan }));
    assert_snapshot!("dialog_running", render(&s, 100, 30));
    s.set_dialog(Some(Dialog::Loading {
        kind: ops_tui::kinds::WorkloadKind::Deployment,
        id: 3,
        deployment: "payments-api".into(),
        prefer: None,
        because: None,
    }));
    assert_snapshot!("dialog_loading_revisions", render(&s, 100, 30));
    s.set_dialog(Some(Dialog::Unanswered {
        summary: "scale deployment/payments-api from 3 to 5 replicas".into(),
        message: "sent, but the API server did not answer within 20 s: whether it applied is not known yet. ops-tui reads the object back and says (header and Timeline); do not send it again before then.".into(),
    }));
    assert_snapshot!("dialog_outcome_unknown", render(&s, 100, 30));
}

#[test]
fn delete_pod_dialogs() {
    use ops_tui::kube::actions::Plan;
    use ops_tui::kube::model::PodRow;
    use ops_tui::state::actions::Dialog;
    let mut s = example("prod");
    let pod = PodRow {
        name: "payments-api-7c9d5-x2k9q".into(),
        uid: "3f1c9a52-7d0e-4b8a-9c61-2a5e8f0d4b17".into(),
        grace_seconds: Some(30),
        ..PodRow::default()
    };
    let plan = Plan::delete_pod("payments", &pod, "deployment/payments-api", false);
    s.set_dialog(Some(Dialog::Checking {
        id: 1,
        plan: plan.clone(),
        warning: None,
        unready: None,
    }));
    assert_snapshot!("dialog_delete_pod_checking", render(&s, 100, 30));
    // A protected environment asks for the pod's name.
    s.set_dialog(Some(Dialog::Confirm {
        plan,
        warning: None,
        type_to_confirm: Some(pod.name.to_string()),
        typed: String::new(),
        unready: None,
    }));
    assert_snapshot!("dialog_delete_pod_confirm_protected", render(&s, 100, 30));
    assert_snapshot!("dialog_delete_pod_confirm_80x24", render(&s, 80, 24));
}

#[test]
fn protected_rollback_confirm_at_80x24_keeps_the_prompt_in_view() {
    use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
    use ops_tui::kube::rollback::rollback;
    use ops_tui::state::actions::Dialog;
    use serde_json::json;
    // A realistic pod template: the request body is long and wraps.
    let template = |image: &str, hash: Option<&str>| {
        let mut labels = json!({"app": "payments-api", "version": "blue"});
        if let Some(h) = hash {
            labels["pod-template-hash"] = json!(h);
        }
        json!({
            "metadata": {"labels": labels},
            "spec": {"containers": [{
                "name": "api",
                "image": format!("registry.example.com/payments/api:{image}"),
                "ports": [{"containerPort": 8080, "name": "http"}],
                "env": [{"name": "MODE", "value": "production"}, {"name": "LOG_LEVEL", "value": "info"}],
                "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
                "readinessProbe": {"httpGet": {"path": "/health/ready", "port": 8080}, "periodSeconds": 5},
                "livenessProbe": {"httpGet": {"path": "/health/live", "port": 8080}, "periodSeconds": 10},
            }, {
                "name": "proxy",
                "image": "envoyproxy/envoy:v1.31.2",
                "args": ["--config-path", "/etc/envoy/envoy.yaml", "--log-level", "warn"],
                "ports": [{"containerPort": 9901, "name": "admin"}],
            }]},
        })
    };
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "payments-api", "annotations": {"deployment.kubernetes.io/revision": "3"}},
        "spec": {"selector": {"matchLabels": {"app": "payments-api"}}, "template": template("2.1.0", None)},
    }))
    .unwrap();
    let revision: ReplicaSet = serde_json::from_value(json!({
        "metadata": {"name": "payments-api-7c9d", "annotations": {
            "deployment.kubernetes.io/revision": "2",
            "kubernetes.io/change-cause": "release 2.0.4",
        }},
        "spec": {"selector": {"matchLabels": {"app": "payments-api"}}, "template": template("2.0.4", Some("7c9d"))},
    }))
    .unwrap();
    let plan = rollback("payments", &deployment, &revision).unwrap();
    let mut s = example("prod");
    s.set_dialog(Some(Dialog::Confirm {
        plan,
        warning: None,
        type_to_confirm: Some("payments-api".into()),
        typed: "payments".into(),
        unready: None,
    }));
    let screen = render(&s, 80, 24);
    for visible in [
        "Confirm: roll back deployment/payments-api to revision 2",
        "PATCH /apis/apps/v1/namespaces/payments/deployments/payments-api",
        "PROTECTED environment: type \"payments-api\" and press enter",
        "> payments▏",
        "more lines of the body (the whole request is in the journal)",
    ] {
        assert!(
            screen.contains(visible),
            "{visible:?} is not in view:\n{screen}"
        );
    }
    assert_snapshot!("dialog_confirm_protected_rollback_80x24", screen);
}

#[test]
fn rollback_picker_with_its_diff() {
    use ops_tui::kube::actions::Plan;
    use ops_tui::state::actions::{Dialog, RevisionChoice};
    let mut s = example("prod");
    let choice = |revision, image: &str, current, plan: Result<Plan, String>| RevisionChoice {
        revision,
        images: vec![format!("registry.example.com/payments/api:{image}")],
        change_cause: Some(format!("release {image}")),
        current,
        diff: vec![format!(
            "api: image registry.example.com/payments/api:2.1.0 → registry.example.com/payments/api:{image}"
        )],
        plan,
    };
    let plan = Plan::pause("payments", "payments-api", true);
    s.set_dialog(Some(Dialog::PickRevision {
        kind: ops_tui::kinds::WorkloadKind::Deployment,
        deployment: "payments-api".into(),
        choices: vec![
            choice(
                3,
                "2.1.0",
                true,
                Err("skipped rollback: deployment/payments-api already runs revision 3".into()),
            ),
            choice(2, "2.0.4", false, Ok(plan)),
        ],
        selected: 1,
        because: None,
    }));
    assert_snapshot!(render(&s, 110, 30));
}

#[test]
fn blue_green_dialogs() {
    use ops_tui::state::actions::Dialog;
    let mut s = incident();
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-api")
        .unwrap();
    press(&mut s, KeyCode::Char('b'));
    assert!(
        matches!(s.dialog(), Some(Dialog::PickColour { .. })),
        "{:?}",
        s.notice
    );
    assert_snapshot!("dialog_blue_green_picker", render(&s, 120, 30));
    // Back to blue, which is rolling: not fully ready.
    press(&mut s, KeyCode::Up);
    assert_snapshot!("dialog_blue_green_current", render(&s, 120, 30));
}

#[test]
fn blue_green_second_confirmation() {
    use ops_tui::kube::actions::Plan;
    use ops_tui::state::actions::Dialog;
    let mut s = incident();
    s.set_dialog(Some(Dialog::Unready {
        plan: Plan::switch("payments-staging", "payments-api", "version", "blue", "green", "payments-api-green"),
        warning: Some("deployment/payments-api-green is not fully ready (1 of 3 available): the Service would send all traffic to it".into()),
        value: "green".into(),
        typed: "gr".into(),
    }));
    assert_snapshot!("dialog_blue_green_not_ready", render(&s, 120, 30));
}

#[test]
fn context_picker() {
    let mut s = incident();
    s.contexts = vec!["staging".into(), "prod".into(), "kind-local".into()];
    press(&mut s, KeyCode::Char('C'));
    assert_snapshot!("context_picker", render(&s, 120, 30));
}

#[test]
fn burst_confirmation_dialog() {
    let mut s = example("prod");
    s.set_dialog(Some(ops_tui::state::actions::Dialog::Burst {
        probe: "rate-limit".into(),
        requests: 50,
        url: "https://payments.example.com/api/v1/charges".into(),
        type_to_confirm: Some("rate-limit".into()),
        typed: "rate".into(),
    }));
    assert_snapshot!("dialog_burst_protected", render(&s, 110, 30));
}

#[test]
fn a_burst_runs_only_after_its_dialog_is_confirmed() {
    use ops_tui::state::Effect;
    use ops_tui::state::actions::{Dialog, Request};
    let rb = Runbook::load(Path::new("runbooks/demo.toml")).unwrap();
    let mut s = state(Some(rb), Some("demo"), "default", "default");
    press(&mut s, KeyCode::Char('2'));
    for _ in 0..4 {
        press(&mut s, KeyCode::Down);
    }
    // cors has no burst: R explains, and nothing is queued.
    press(&mut s, KeyCode::Char('R'));
    assert!(s.dialog().is_none());
    assert!(
        s.notice
            .as_deref()
            .unwrap()
            .contains("probe cors has no burst")
    );
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char('R'));
    assert!(
        matches!(
            s.dialog(),
            Some(Dialog::Burst { probe, requests: 40, type_to_confirm: Some(_), .. })
                if probe == "rate-limit"
        ),
        "{:?}",
        s.dialog()
    );
    assert!(s.effects.is_empty(), "opening the dialog sends nothing");
    // A protected environment: enter alone does not confirm.
    press(&mut s, KeyCode::Enter);
    assert!(s.dialog().is_some() && s.effects.is_empty());
    for c in "rate-limit".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    assert!(s.dialog().is_none());
    assert_eq!(
        s.effects,
        [Effect::Act(Request::Burst("rate-limit".into()))]
    );
    // Escape cancels without a request.
    s.effects.clear();
    press(&mut s, KeyCode::Char('R'));
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog().is_none() && s.effects.is_empty());
}
