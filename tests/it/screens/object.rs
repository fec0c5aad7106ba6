//! The object view: a pod's YAML, its describe summary with its events, a
//! search with its matches, the related objects of a workload.

use super::*;
use ops_tui::state::actions::Request;
use ops_tui::state::object::ObjectText;
use ops_tui::state::{Effect, Msg};

fn pod_json() -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "payments-api-7c9d-ccccc", "namespace": "payments-staging",
            "labels": {"app": "payments-api"},
            "managedFields": [{"manager": "kubelet"}],
            "ownerReferences": [{"kind": "ReplicaSet", "name": "payments-api-7c9d"}]},
        "spec": {"nodeName": "node-2", "terminationGracePeriodSeconds": 30,
            "containers": [{"name": "api", "image": "registry.example.com/payments/api:2.2.0-crash",
                "resources": {"limits": {"memory": "512Mi", "cpu": "500m"}, "requests": {"memory": "256Mi", "cpu": "100m"}},
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "payments-db", "key": "password"}}}]}]},
        "status": {"phase": "Running", "podIP": "10.0.0.7",
            "containerStatuses": [{"name": "api", "ready": false, "restartCount": 5,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}}],
            "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}]}
    })
}

/// The incident's workload view with the crash-looping pod selected, and
/// its object view open and answered.
fn pod_view(mode: char) -> AppState {
    let mut s = incident();
    open_workload(&mut s);
    s.effects.clear();
    press(&mut s, KeyCode::Char(mode));
    let Some(Effect::Act(Request::Object(id, path))) = s.effects.pop() else {
        panic!("no read of the object: {:?}", s.effects)
    };
    assert_eq!(
        path,
        "/api/v1/namespaces/payments-staging/pods/payments-api-7c9d-ccccc"
    );
    let object = ops_tui::kube::object::clean(pod_json());
    update(
        &mut s,
        Msg::Object(
            id,
            Ok(ObjectText {
                yaml: ops_tui::kube::object::to_yaml(&object),
                describe: ops_tui::kube::object::describe(&object),
            }),
        ),
    );
    s
}

#[test]
fn a_pods_yaml_and_its_description_with_events() {
    let mut s = pod_view('y');
    let text = render(&s, 100, 30);
    assert!(!text.contains("managedFields"), "{text}");
    assert_snapshot!("object_view_pod_yaml_100x30", text);
    press(&mut s, KeyCode::Char('d'));
    let text = render(&s, 120, 40);
    assert!(text.contains("DB_PASSWORD: <set to the key 'password' in secret 'payments-db'>"));
    assert!(
        text.contains("Back-off restarting failed container"),
        "{text}"
    );
    assert_snapshot!("object_view_pod_describe_120x40", text);
    // esc: back to the workload view it was opened from.
    press(&mut s, KeyCode::Esc);
    assert!(s.workload().is_some() && s.object_view().is_none());
}

#[test]
fn a_search_marks_its_lines_and_enter_goes_to_the_next() {
    let mut s = pod_view('y');
    press(&mut s, KeyCode::Char('/'));
    for c in "memory".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_snapshot!("object_view_searching_80x24", render(&s, 80, 24));
    press(&mut s, KeyCode::Enter);
    let first = s.object_view().unwrap().scroll;
    assert!(s.object_view().unwrap().lines()[first].contains("memory"));
    press(&mut s, KeyCode::Enter);
    let second = s.object_view().unwrap().scroll;
    assert!(second > first, "{first} {second}");
    assert!(s.object_view().unwrap().lines()[second].contains("memory"));
    assert_snapshot!("object_view_searched_80x24", render(&s, 80, 24));
}

#[test]
fn a_failed_read_says_why_and_a_late_answer_is_dropped() {
    let mut s = incident();
    open_workload(&mut s);
    s.effects.clear();
    press(&mut s, KeyCode::Char('y'));
    let Some(Effect::Act(Request::Object(id, _))) = s.effects.pop() else {
        panic!("no read")
    };
    update(&mut s, Msg::Object(id + 1, Err("late".into())));
    assert!(s.object_view().unwrap().text.is_none());
    update(
        &mut s,
        Msg::Object(
            id,
            Err("pods \"payments-api-7c9d-ccccc\" is forbidden: User \"viewer\" cannot get resource \"pods\" (403)".into()),
        ),
    );
    assert_snapshot!("object_view_forbidden_100x20", render(&s, 100, 20));
}
