//! Only a deliberate keystroke on the chosen workload acts: pasted text,
//! keys typed ahead of a dialog and rows that re-sort cannot; a silent
//! server and an unanswered mutation are shown as such.

use crossterm::event::{Event, KeyCode, KeyModifiers};

use super::tests::{char, key, press, state};
use super::*;
use crate::kube::model::WorkloadRow;
use crate::kube::{Change, KubeMsg};
use actions::{Dialog, Request};

fn paste(s: &mut AppState, text: &str) -> bool {
    update(s, Msg::Input(Event::Paste(text.into())))
}

/// A dashboard with no runbook, showing every Deployment: `names`, all
/// complete.
pub(crate) fn namespace_of(names: &[&str]) -> AppState {
    let target = crate::runbook::select::select(None, &Overrides::default()).unwrap();
    let mut s = AppState::new(
        target,
        None,
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    );
    s.now = 1_000;
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Connected {
                context: "kind".into(),
                namespace: "shop".into(),
                user: "admin".into(),
            },
        ),
    );
    let rows = names.iter().map(|n| complete(n)).collect();
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(crate::kinds::WorkloadKind::Deployment, Change::Reset(rows)),
        ),
    );
    s.derive();
    s
}

pub(crate) fn complete(name: &str) -> WorkloadRow {
    WorkloadRow {
        name: name.into(),
        uid: format!("uid-{name}"),
        generation: 1,
        observed_generation: 1,
        desired: 2,
        replicas: 2,
        updated: 2,
        ready: 2,
        available: 2,
        revision: 1,
        ..WorkloadRow::default()
    }
}

pub(crate) fn rows(s: &AppState) -> Vec<&str> {
    s.cluster.rows.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn a_paste_of_lines_and_action_keys_onto_a_pane_acts_on_nothing() {
    let mut s = namespace_of(&["api", "web"]);
    for pane in ['1', '2', '3', '4', '5'] {
        char(&mut s, pane);
        paste(&mut s, "checked worker logs, looks fine\nr\ns\n5\nu\n\n");
        assert!(s.dialog().is_none(), "{:?}", s.dialog());
        assert!(s.effects.is_empty(), "{:?}", s.effects);
        assert!(!s.quit);
        assert!(s.notice.as_deref().unwrap().contains("paste ignored"));
    }
}

#[test]
fn a_paste_into_a_note_is_text_and_submits_nothing() {
    let mut s = namespace_of(&["api", "web"]);
    char(&mut s, 'n');
    paste(&mut s, "checked worker logs, looks fine\r\nr\n\x1b[31mq\n");
    let Some(Dialog::Text { input, .. }) = s.dialog() else {
        panic!("the note closed: {:?}", s.dialog())
    };
    assert_eq!(
        input.lines(),
        ["checked worker logs, looks fine", "r", "[31mq", ""],
        "newlines stay text, control characters go"
    );
    assert!(s.effects.is_empty());
    assert!(!s.quit);
    // Only a real enter submits it: the note, nothing else.
    press(&mut s, KeyCode::Enter);
    assert!(s.dialog().is_none());
    assert!(
        matches!(
            s.effects.as_slice(),
            [Effect::Act(Request::Record(crate::journal::Entry::Note { text, .. }))]
                if text.starts_with("checked worker logs") && text.contains("\nr\n")
        ),
        "{:?}",
        s.effects
    );
}

#[test]
fn a_huge_paste_is_cut_to_what_a_field_holds_and_says_so() {
    let mut s = namespace_of(&["api"]);
    char(&mut s, 'n');
    paste(&mut s, &"x".repeat(actions::MAX_FIELD_CHARS * 3));
    let Some(Dialog::Text { input, .. }) = s.dialog() else {
        panic!("no note")
    };
    let kept = input.lines().concat().chars().count();
    assert!(kept <= actions::MAX_FIELD_CHARS);
    assert!(kept > actions::MAX_FIELD_CHARS - 10, "{kept}");
    assert_eq!(
        s.notice.as_deref().unwrap(),
        format!(
            "paste cut short: kept {kept} of {} characters (a field holds at most {})",
            actions::MAX_FIELD_CHARS * 3,
            actions::MAX_FIELD_CHARS
        )
    );
}

#[test]
fn a_paste_into_the_scale_box_takes_digits_only_and_never_confirms() {
    let mut s = namespace_of(&["api"]);
    char(&mut s, 's');
    paste(&mut s, "4\n");
    let Some(Dialog::Scale { input, .. }) = s.dialog() else {
        panic!("no scale box: {:?}", s.dialog())
    };
    assert_eq!(input.lines().concat(), "4", "the newline was not enter");
    paste(&mut s, "x-2");
    let Some(Dialog::Scale { input, error, .. }) = s.dialog() else {
        panic!("no scale box")
    };
    assert_eq!(input.lines().concat(), "4");
    assert!(error.as_deref().unwrap().contains("number"));
    assert!(s.effects.is_empty());
}

#[test]
fn a_paste_into_a_typed_confirmation_fills_it_but_does_not_confirm() {
    let mut s = namespace_of(&["api"]);
    s.target.protected = true;
    char(&mut s, 'r');
    let Some(Effect::Act(Request::DryRun(id, _))) = s.effects.pop() else {
        panic!("no dry run")
    };
    update(&mut s, Msg::DryRun(id, Ok(())));
    paste(&mut s, "api\n");
    let Some(Dialog::Confirm { typed, .. }) = s.dialog() else {
        panic!("not confirming: {:?}", s.dialog())
    };
    assert_eq!(typed, "api");
    assert!(s.effects.is_empty(), "nothing sent by the paste");
    press(&mut s, KeyCode::Enter);
    assert!(matches!(
        s.effects.as_slice(),
        [Effect::Act(Request::Execute(..))]
    ));
}

#[test]
fn a_confirm_key_before_the_dialog_is_armed_does_nothing() {
    let mut s = namespace_of(&["api"]);
    s.mono_ms = 10_000;
    update(&mut s, key(KeyCode::Char('r'), KeyModifiers::NONE));
    let Some(Effect::Act(Request::DryRun(id, _))) = s.effects.pop() else {
        panic!("no dry run")
    };
    s.mono_ms = 10_008;
    update(&mut s, Msg::DryRun(id, Ok(())));
    assert!(matches!(s.dialog(), Some(Dialog::Confirm { .. })));
    // 92 ms later: typed ahead (or a paste without bracketed paste).
    s.mono_ms = 10_100;
    update(&mut s, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(matches!(s.dialog(), Some(Dialog::Confirm { .. })));
    assert!(s.effects.is_empty());
    assert!(s.notice.as_deref().unwrap().contains("press it again"));
    // A key that came early starts the wait again: 300 ms after the
    // dialog opened is not enough when a key came 100 ms ago.
    s.mono_ms = 10_008 + ARM_MS + 10;
    update(&mut s, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(s.effects.is_empty());
    // A deliberate enter once the dialog has been quiet on screen.
    s.mono_ms += ARM_MS;
    update(&mut s, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(matches!(s.dialog(), Some(Dialog::Running { .. })));
    assert!(matches!(
        s.effects.as_slice(),
        [Effect::Act(Request::Execute(..))]
    ));
}

#[test]
fn ctrl_c_in_a_text_field_cancels_the_field_and_does_not_quit() {
    let mut s = namespace_of(&["api"]);
    char(&mut s, 'n');
    char(&mut s, 'h');
    update(&mut s, key(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(s.dialog().is_none());
    assert!(s.effects.is_empty());
    assert!(!s.quit);
    // Outside a field, ctrl-c quits (through the normal way out).
    update(&mut s, key(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(s.quit);
}

#[test]
fn the_selection_stays_on_its_workload_when_the_rows_re_sort() {
    let mut s = namespace_of(&["api", "web-blue", "web-green"]);
    assert_eq!(rows(&s), ["api", "web-blue", "web-green"]);
    char(&mut s, 'j');
    assert_eq!(s.picked.as_ref().unwrap().name, "web-blue");
    // web-green fails from outside: problems sort first.
    let mut broken = complete("web-green");
    broken.updated = 1;
    broken.available = 1;
    broken.ready = 1;
    broken.generation = 2;
    broken.observed_generation = 2;
    broken.progressing_reason = Some("ProgressDeadlineExceeded".into());
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Upsert(broken),
            ),
        ),
    );
    s.derive();
    assert_eq!(rows(&s)[0], "web-green", "{:?}", rows(&s));
    let at = s.selected[Pane::Rollouts.index()];
    assert_eq!(
        s.cluster.rows[at].name, "web-blue",
        "the highlight moved with it"
    );
    // Every action acts on web-blue.
    char(&mut s, 's');
    assert!(
        matches!(s.dialog(), Some(Dialog::Scale { deployment, .. }) if deployment == "web-blue"),
        "{:?}",
        s.dialog()
    );
}

#[test]
fn a_selected_workload_that_disappears_is_not_replaced_by_another() {
    let mut s = namespace_of(&["api", "web-blue", "web-green"]);
    char(&mut s, 'j');
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Delete("web-blue".into()),
            ),
        ),
    );
    s.derive();
    assert!(s.picked_gone);
    for action in ['s', 'r', 'u', 'p', 'b'] {
        char(&mut s, action);
        assert!(s.dialog().is_none(), "{action}: {:?}", s.dialog());
        assert!(s.effects.is_empty());
        assert!(
            s.notice
                .as_deref()
                .unwrap()
                .contains("deployment/web-blue is no longer"),
            "{:?}",
            s.notice
        );
    }
    // Moving picks the row moved to.
    char(&mut s, 'k');
    assert!(!s.picked_gone);
    assert_eq!(s.picked.as_ref().unwrap().name, "api");
}

#[test]
fn an_action_dialog_keeps_the_workload_it_was_opened_for() {
    let mut s = namespace_of(&["api", "web"]);
    char(&mut s, 'j');
    char(&mut s, 'r');
    // The rows re-sort while the dry run is under way.
    let mut broken = complete("api");
    broken.available = 0;
    broken.ready = 0;
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Upsert(broken),
            ),
        ),
    );
    s.derive();
    let Some(Dialog::Checking { plan, .. }) = s.dialog() else {
        panic!("no dry run: {:?}", s.dialog())
    };
    assert_eq!(plan.target, "web");
}

#[test]
fn a_silent_api_server_makes_the_data_stale_and_its_checks_unknown() {
    let mut s = namespace_of(&["api"]);
    let rollout = crate::runbook::check_ref::CheckRef::parse("rollout:api").unwrap();
    let judged = |s: &AppState| crate::checks::evaluate(&rollout, &s.sources(), &s.cluster.wanted);
    assert_eq!(crate::checks::worst(&judged(&s)), crate::status::Status::Ok);
    update(
        &mut s,
        Msg::Tick("x".into(), 1_000 + cluster::STALE_AFTER - 1),
    );
    assert_eq!(s.cluster.stale_for(s.now), None);
    update(&mut s, Msg::Tick("x".into(), 1_042));
    assert_eq!(s.cluster.stale_for(s.now), Some(42));
    let outcomes = judged(&s);
    assert_eq!(
        crate::checks::worst(&outcomes),
        crate::status::Status::Unknown,
        "{outcomes:?}"
    );
    // What a frozen server makes of the other sources is no word from
    // it: a usage read that timed out, a watch failing, a namespace list
    // refused.
    for failure in [
        KubeMsg::Usage(crate::kube::metrics::UsageReport::Failed(
            "the metrics API did not answer within 10 s".into(),
        )),
        KubeMsg::Watch {
            resource: crate::kube::Resource::Pods,
            state: crate::kube::WatchState::Failing {
                error: "timed out".into(),
                forbidden: false,
            },
        },
        KubeMsg::Denied {
            namespaces: Vec::new(),
            note: Some("timed out".into()),
        },
    ] {
        update(&mut s, Msg::Kube(0, failure));
        assert_eq!(s.cluster.stale_for(s.now), Some(42));
    }
    // A heartbeat answered: live again.
    update(&mut s, Msg::Kube(0, KubeMsg::Heard));
    assert_eq!(s.cluster.stale_for(s.now), None);
}

#[test]
fn an_unanswered_mutation_stays_in_flight_until_it_is_read_back() {
    let mut s = namespace_of(&["api"]);
    char(&mut s, 'r');
    let Some(Effect::Act(Request::DryRun(id, _))) = s.effects.pop() else {
        panic!("no dry run")
    };
    update(&mut s, Msg::DryRun(id, Ok(())));
    press(&mut s, KeyCode::Enter);
    let Some(Effect::Act(Request::Execute(id, _))) = s.effects.pop() else {
        panic!("not sent")
    };
    assert_eq!(s.in_flight.len(), 1);
    // Closing the running dialog says the request is still on its way.
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog().is_none());
    assert!(s.notice.as_deref().unwrap().contains("still in flight"));
    assert!(update(&mut s, Msg::Unanswered(id)));
    assert!(s.in_flight[&id].unanswered);
    assert!(s.notice.as_deref().unwrap().contains("not known yet"));
    update(&mut s, Msg::ReadBack(id, Some(true)));
    assert!(s.in_flight.is_empty());
    assert!(s.notice.as_deref().unwrap().contains("it applied"));
}

#[test]
fn the_unanswered_dialog_replaces_the_running_one() {
    let mut s = namespace_of(&["api"]);
    char(&mut s, 'p');
    let Some(Effect::Act(Request::DryRun(id, _))) = s.effects.pop() else {
        panic!("no dry run")
    };
    update(&mut s, Msg::DryRun(id, Ok(())));
    press(&mut s, KeyCode::Enter);
    let Some(Effect::Act(Request::Execute(id, _))) = s.effects.pop() else {
        panic!("not sent")
    };
    update(&mut s, Msg::Unanswered(id));
    assert!(matches!(s.dialog(), Some(Dialog::Unanswered { .. })));
    // A late answer to a finished request changes nothing.
    assert!(!update(&mut s, Msg::ReadBack(id + 100, Some(true))));
}

#[test]
fn read_only_refuses_a_burst_before_any_dialog() {
    let mut s = state();
    s.target.read_only = true;
    char(&mut s, '2');
    char(&mut s, 'R');
    assert!(s.dialog().is_none());
    assert!(s.effects.is_empty());
    assert!(s.notice.as_deref().unwrap().contains("read-only"));
}

#[test]
fn alerts_last_read_long_ago_are_unknown_not_a_pass() {
    let mut s = state();
    s.now = 2_000;
    update(
        &mut s,
        Msg::Signal(
            0,
            signals::SignalMsg::Alerts {
                at: 2_000,
                result: Ok(Vec::new()),
            },
        ),
    );
    let alerts = crate::runbook::check_ref::CheckRef::parse("alerts").unwrap();
    let judged = |s: &AppState| {
        crate::checks::worst(&crate::checks::evaluate(
            &alerts,
            &s.sources(),
            &s.cluster.wanted,
        ))
    };
    assert_eq!(judged(&s), crate::status::Status::Ok);
    update(
        &mut s,
        Msg::Tick("x".into(), 2_000 + crate::prom::plan::ALERTS_STALE_AFTER),
    );
    assert_eq!(judged(&s), crate::status::Status::Unknown);
}

#[test]
fn a_paste_into_every_reason_and_milestone_field_is_text_only() {
    let mut s = state();
    s.now = 1_000_000;
    char(&mut s, '4');
    char(&mut s, 'j');
    // The skip reason, the override reason, the milestone's time: each
    // keeps the pasted text and stays open until a real enter.
    for key in ['x', 'M', 'n'] {
        char(&mut s, key);
        assert!(s.dialog().is_some_and(Dialog::editing), "{key}");
        paste(&mut s, "no schema change\nq\ny\n");
        let Some(Dialog::Text { input, .. }) = s.dialog() else {
            panic!("{key}: the field closed: {:?}", s.dialog())
        };
        assert_eq!(input.lines()[0], "no schema change");
        assert!(s.effects.is_empty(), "{key}: {:?}", s.effects);
        assert!(!s.quit);
        press(&mut s, KeyCode::Esc);
        assert!(s.dialog().is_none());
    }
    // An override reason: ticking an item whose check cannot pass.
    char(&mut s, 'j');
    char(&mut s, 'j');
    char(&mut s, ' ');
    assert!(
        matches!(s.dialog(), Some(Dialog::Text { .. })),
        "{:?}",
        s.notice
    );
    paste(&mut s, "verified by hand\n\n");
    assert!(s.effects.is_empty());
    assert!(matches!(s.dialog(), Some(Dialog::Text { .. })));
}

/// `web` with one ReplicaSet and two running pods, its workload view open.
fn web_view() -> AppState {
    use crate::kube::model::{PodPhase, PodRow, ReplicaSetRow};
    let mut s = namespace_of(&["api", "web"]);
    let rs = ReplicaSetRow {
        name: "web-5d9f".into(),
        uid: "uid-rs-web".into(),
        owner: "uid-web".into(),
        revision: 1,
        desired: 2,
        ready: 2,
        ..ReplicaSetRow::default()
    };
    update(
        &mut s,
        Msg::Kube(0, KubeMsg::ReplicaSets(Change::Reset(vec![rs]))),
    );
    let pod = |name: &str| PodRow {
        name: name.into(),
        uid: format!("uid-{name}").into(),
        owner: "uid-rs-web".into(),
        phase: PodPhase::Running,
        ready: true,
        status: "Running".into(),
        containers: vec!["web".into()].into(),
        grace_seconds: Some(45),
        ..PodRow::default()
    };
    let pods = vec![pod("web-5d9f-aaaaa"), pod("web-5d9f-bbbbb")];
    update(&mut s, Msg::Kube(0, KubeMsg::Pods(Change::Reset(pods))));
    s.derive();
    char(&mut s, 'j');
    press(&mut s, KeyCode::Enter);
    assert!(s.workload().is_some_and(|v| v.name == "web"));
    s
}

#[test]
fn delete_pod_previews_the_selected_pod_by_uid_and_waits_for_its_dry_run() {
    let mut s = web_view();
    char(&mut s, 'j');
    char(&mut s, 'D');
    let Some(Dialog::Checking { plan, id, .. }) = s.dialog().cloned() else {
        panic!("no dry run: {:?}", s.dialog())
    };
    assert_eq!(plan.verb, "DELETE");
    assert_eq!(plan.path, "/api/v1/namespaces/shop/pods/web-5d9f-bbbbb");
    assert_eq!(plan.body["preconditions"]["uid"], "uid-web-5d9f-bbbbb");
    assert!(
        plan.summary.contains("grace period of 45 s") && plan.summary.contains("deployment/web"),
        "{}",
        plan.summary
    );
    // Only the dry run is asked for: nothing is deleted without a confirm.
    assert!(matches!(
        s.effects.as_slice(),
        [Effect::Act(Request::DryRun(i, p))] if *i == id && p.path == plan.path
    ));
}

#[test]
fn delete_pod_is_refused_in_read_only_outside_the_pods_and_on_the_dashboard() {
    let mut s = web_view();
    s.target.read_only = true;
    char(&mut s, 'D');
    assert!(s.dialog().is_none() && s.effects.is_empty());
    assert!(s.notice.as_deref().unwrap().contains("read-only"));

    let mut s = web_view();
    press(&mut s, KeyCode::Tab);
    char(&mut s, 'D');
    assert!(s.dialog().is_none() && s.effects.is_empty());
    assert!(
        s.notice.as_deref().unwrap().contains("Pods section"),
        "{:?}",
        s.notice
    );

    let mut s = namespace_of(&["api"]);
    char(&mut s, 'D');
    assert!(s.dialog().is_none() && s.effects.is_empty());
    assert!(s.notice.as_deref().unwrap().contains("select its pod"));
}

#[test]
fn the_nodes_overlay_reads_the_load_once_and_again_after_30_s_and_drops_stale_answers() {
    let mut s = namespace_of(&["api"]);
    s.effects.clear();
    char(&mut s, 'N');
    let Some(Effect::Act(Request::NodeLoad(first))) = s.effects.pop() else {
        panic!("no read of the nodes' load: {:?}", s.effects)
    };
    assert_eq!(s.nodes_view().unwrap().pending, Some(first));
    // A tick within 30 s asks nothing more while one is pending.
    let soon = s.now + 1;
    update(&mut s, Msg::Tick("00:00:01".into(), soon));
    assert!(s.effects.is_empty());
    // An answer to another request is not this overlay's.
    update(&mut s, Msg::NodeLoad(first + 7, Err("old".into())));
    assert!(s.nodes_view().unwrap().load.is_none());
    update(&mut s, Msg::NodeLoad(first, Ok(Default::default())));
    let view = s.nodes_view().unwrap();
    assert!(view.pending.is_none() && matches!(view.load, Some(Ok(_))));
    let at = s.now;
    update(&mut s, Msg::Tick("00:00:29".into(), at + 29));
    assert!(s.effects.is_empty());
    update(&mut s, Msg::Tick("00:00:30".into(), at + 30));
    assert!(matches!(
        s.effects.as_slice(),
        [Effect::Act(Request::NodeLoad(n))] if *n > first
    ));
    // Closed, it asks nothing.
    s.effects.clear();
    press(&mut s, KeyCode::Esc);
    assert!(s.nodes_view().is_none());
    update(&mut s, Msg::Tick("00:01:30".into(), at + 90));
    assert!(s.effects.is_empty());
}

#[test]
fn yaml_of_a_workload_reaches_its_hpa_and_services_with_tab_and_esc_goes_back() {
    use crate::kube::model::{HpaRow, ServiceRow};
    let mut s = namespace_of(&["api"]);
    let mut api = complete("api");
    api.template_labels = [("app".to_string(), "api".to_string())].into();
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(crate::kinds::WorkloadKind::Deployment, Change::Upsert(api)),
        ),
    );
    let hpa = HpaRow {
        name: "api-hpa".into(),
        target_kind: "Deployment".into(),
        target: "api".into(),
        ..HpaRow::default()
    };
    update(
        &mut s,
        Msg::Kube(0, KubeMsg::Hpas(Change::Reset(vec![hpa]))),
    );
    let service = |name: &str, app: &str| ServiceRow {
        name: name.into(),
        selector: [("app".to_string(), app.to_string())].into(),
    };
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Services(Change::Reset(vec![
                service("api", "api"),
                service("web", "web"),
            ])),
        ),
    );
    s.derive();
    s.effects.clear();
    char(&mut s, 'y');
    let paths: Vec<String> = s
        .object_view()
        .unwrap()
        .targets
        .iter()
        .map(|t| t.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/apis/apps/v1/namespaces/shop/deployments/api",
            "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/api-hpa",
            "/api/v1/namespaces/shop/services/api",
        ]
    );
    let Some(Effect::Act(Request::Object(first, path))) = s.effects.pop() else {
        panic!("no read")
    };
    assert_eq!(path, paths[0]);
    press(&mut s, KeyCode::Tab);
    let Some(Effect::Act(Request::Object(second, path))) = s.effects.pop() else {
        panic!("no read of the HPA")
    };
    assert!(second > first && path.contains("horizontalpodautoscalers/api-hpa"));
    // The first answer comes late: not shown as the HPA's.
    update(&mut s, Msg::Object(first, Err("late".into())));
    assert!(s.object_view().unwrap().text.is_none());
    press(&mut s, KeyCode::Esc);
    assert!(
        s.object_view().is_none() && matches!(s.screen, crate::state::screen::Screen::Dashboard)
    );
}
