//! Filtering lists through keys: `/` narrows a pane or a section as it is
//! typed, the selection follows the rows shown, and every action acts on
//! the selected row among them, never on one the filter hides.

use crossterm::event::{Event, KeyCode, KeyModifiers};

use super::actions::Dialog;
use super::safety_tests::{complete, namespace_of};
use super::tests::{char, key, press, state, with_cluster};
use super::*;
use crate::kube::{Change, KubeMsg};

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        char(s, c);
    }
}

/// `/`, the text, enter.
fn filter(s: &mut AppState, text: &str) {
    char(s, '/');
    typed(s, text);
    press(s, KeyCode::Enter);
}

/// Deployments app-0000 to app-0499, all complete.
fn five_hundred() -> AppState {
    let names: Vec<String> = (0..500).map(|i| format!("app-{i:04}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    namespace_of(&names)
}

fn selected_rollout(s: &AppState) -> Option<&str> {
    s.rollout_rows()
        .get(s.selected[Pane::Rollouts.index()])
        .map(|r| r.name.as_str())
}

fn scale_target(s: &AppState) -> Option<&str> {
    match s.dialog() {
        Some(Dialog::Scale { deployment, .. }) => Some(deployment),
        _ => None,
    }
}

#[test]
fn slash_finds_one_deployment_of_five_hundred_and_scale_acts_on_it() {
    let mut s = five_hundred();
    assert_eq!(s.row_count(Pane::Rollouts), 500);
    char(&mut s, '/');
    assert!(s.filter(Pane::Rollouts).editing());
    // The list narrows as the name is typed.
    typed(&mut s, "app-01");
    assert_eq!(s.row_count(Pane::Rollouts), 100);
    typed(&mut s, "23");
    assert_eq!(s.row_count(Pane::Rollouts), 1);
    assert_eq!(selected_rollout(&s), Some("app-0123"));
    // Typed keys are text: s did not scale, q did not quit.
    assert!(s.dialog().is_none() && !s.quit);
    press(&mut s, KeyCode::Enter);
    assert!(!s.filter(Pane::Rollouts).editing());
    assert_eq!(s.filter(Pane::Rollouts).filter.text(), "app-0123");
    char(&mut s, 's');
    assert_eq!(scale_target(&s), Some("app-0123"));
}

#[test]
fn a_filter_that_hides_the_selected_row_moves_the_selection_to_the_first_match() {
    let mut s = namespace_of(&["api", "web", "worker"]);
    press(&mut s, KeyCode::End);
    assert_eq!(selected_rollout(&s), Some("worker"));
    filter(&mut s, "w");
    // worker still shows: the selection stays on it.
    assert_eq!(selected_rollout(&s), Some("worker"));
    press(&mut s, KeyCode::Esc);
    filter(&mut s, "api");
    assert_eq!(selected_rollout(&s), Some("api"));
    char(&mut s, 'r');
    assert!(
        matches!(s.dialog(), Some(Dialog::Checking { plan, .. }) if plan.summary.contains("deployment/api")),
        "{:?}",
        s.dialog()
    );
    press(&mut s, KeyCode::Esc);
    // Cleared, the selection stays on what was found.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.row_count(Pane::Rollouts), 3);
    assert_eq!(selected_rollout(&s), Some("api"));
}

#[test]
fn with_no_match_no_action_acts_and_the_notice_says_why() {
    let mut s = namespace_of(&["api", "web"]);
    filter(&mut s, "nothing-like-it");
    assert_eq!(s.row_count(Pane::Rollouts), 0);
    for c in ['s', 'r', 'p', 'u', 'b', 'l'] {
        char(&mut s, c);
        assert!(s.dialog().is_none(), "{c}: {:?}", s.dialog());
        assert!(s.effects.is_empty(), "{c}: {:?}", s.effects);
        assert!(
            s.notice
                .as_deref()
                .is_some_and(|n| n.contains("no match for /nothing-like-it")),
            "{c}: {:?}",
            s.notice
        );
    }
    press(&mut s, KeyCode::Enter);
    assert!(s.workload().is_none());
    // The picked row is remembered: clearing the filter shows it again.
    press(&mut s, KeyCode::Esc);
    assert_eq!(selected_rollout(&s), Some("api"));
}

#[test]
fn esc_while_typing_cancels_the_edit_and_esc_in_the_list_clears_the_filter() {
    let mut s = namespace_of(&["api", "web", "worker"]);
    filter(&mut s, "w");
    assert_eq!(s.row_count(Pane::Rollouts), 2);
    char(&mut s, '/');
    typed(&mut s, "eb");
    assert_eq!(s.row_count(Pane::Rollouts), 1);
    press(&mut s, KeyCode::Esc);
    assert!(!s.filter(Pane::Rollouts).editing());
    assert_eq!(s.filter(Pane::Rollouts).filter.text(), "w");
    assert_eq!(s.row_count(Pane::Rollouts), 2);
    // Esc in the list: the filter goes; zoom and warnings stay as they are.
    press(&mut s, KeyCode::Char('z'));
    press(&mut s, KeyCode::Esc);
    assert!(!s.filter(Pane::Rollouts).is_set() && s.zoomed);
    press(&mut s, KeyCode::Esc);
    assert!(!s.zoomed);
}

#[test]
fn backspace_ctrl_u_and_a_paste_of_lines_edit_the_filter() {
    let mut s = namespace_of(&["api", "web", "worker"]);
    char(&mut s, '/');
    typed(&mut s, "webx");
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.row_count(Pane::Rollouts), 1);
    update(&mut s, key(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert_eq!(s.filter(Pane::Rollouts).filter.text(), "");
    assert_eq!(s.row_count(Pane::Rollouts), 3);
    // A paste of several lines: the first line only, never keys.
    update(&mut s, Msg::Input(Event::Paste("worker\ns\nr\n".into())));
    assert_eq!(s.filter(Pane::Rollouts).filter.text(), "worker");
    assert!(s.dialog().is_none() && s.notice.is_none());
    press(&mut s, KeyCode::Enter);
    assert_eq!(selected_rollout(&s), Some("worker"));
}

#[test]
fn each_pane_holds_its_own_filter() {
    let mut s = state();
    filter(&mut s, "payments");
    char(&mut s, '2');
    assert!(!s.filter(Pane::Health).is_set());
    filter(&mut s, "ready");
    assert_eq!(s.filter(Pane::Rollouts).filter.text(), "payments");
    assert_eq!(s.filter(Pane::Health).filter.text(), "ready");
}

#[test]
fn an_unknown_field_filters_nothing_and_says_which_fields_there_are() {
    let mut s = namespace_of(&["api", "web"]);
    filter(&mut s, "foo:bar");
    assert_eq!(s.row_count(Pane::Rollouts), 2);
    assert_eq!(
        s.filter(Pane::Rollouts)
            .filter
            .problem(AppState::fields(Pane::Rollouts))
            .as_deref(),
        Some("unknown field foo: name, kind, state, ns, image, message")
    );
    assert!(s.no_match(Pane::Rollouts).is_none());
    // Fields, quotes and negation narrow the Rollouts rows.
    press(&mut s, KeyCode::Esc);
    filter(&mut s, "!name:web kind:deploy ns:shop");
    assert_eq!(s.row_count(Pane::Rollouts), 1);
    assert_eq!(selected_rollout(&s), Some("api"));
}

#[test]
fn a_row_that_stops_matching_gives_the_selection_to_the_first_match() {
    let mut s = namespace_of(&["api", "web", "worker"]);
    filter(&mut s, "state:complete");
    press(&mut s, KeyCode::End);
    assert_eq!(selected_rollout(&s), Some("worker"));
    // worker starts rolling: it no longer matches.
    let mut rolling = complete("worker");
    rolling.generation = 2;
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Upsert(rolling),
            ),
        ),
    );
    s.now += 1;
    s.derive();
    assert_eq!(s.row_count(Pane::Rollouts), 2);
    assert_eq!(selected_rollout(&s), Some("api"));
    char(&mut s, 's');
    assert_eq!(scale_target(&s), Some("api"));
}

#[test]
fn the_checklist_ticks_and_walks_the_filtered_items() {
    let mut s = state();
    char(&mut s, '4');
    let all = s.row_count(Pane::Checklist);
    filter(&mut s, "rollout complete");
    // Two items, each under its phase.
    let shown = s.visible(Pane::Checklist);
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert!(all > 4);
    // The first match is an item, not its phase.
    let (id, text, ..) = s.selected_item().expect("an item is selected");
    assert_eq!(text, "Staging rollout complete");
    char(&mut s, 'x');
    assert!(
        matches!(s.dialog(), Some(Dialog::Text { purpose: actions::TextPurpose::Skip { item, .. }, .. }) if *item == id),
        "{:?}",
        s.dialog()
    );
    press(&mut s, KeyCode::Esc);
    // The walkthrough walks what the pane shows.
    char(&mut s, 'w');
    assert_eq!(s.walkthrough(), Some(0));
    assert_eq!(s.selected_item().map(|i| i.0), Some(id));
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Esc);
    filter(&mut s, "no-such-item");
    for c in [' ', 'x', 'n', 'w'] {
        char(&mut s, c);
        assert!(s.dialog().is_none(), "{c}");
        assert!(s.notice.as_deref().is_some_and(|n| n.contains("no match")));
    }
}

#[test]
fn the_health_pane_opens_the_detail_of_the_filtered_probe() {
    let mut s = state();
    char(&mut s, '2');
    let names: Vec<String> = s
        .runbook
        .iter()
        .flat_map(|r| r.probes())
        .map(|p| p.name.get_ref().clone())
        .collect();
    let last = names.last().expect("probes").clone();
    filter(&mut s, &format!("name:{last}"));
    assert_eq!(s.selected_row(Pane::Health), Some(names.len() - 1));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.detail(), Some(&Detail::Probe(last)));
}

#[test]
fn the_workload_views_pods_filter_by_node_and_logs_open_the_match() {
    use crate::kube::model::PodRow;
    let mut s = with_cluster();
    let pod = |name: &str, node: &str| PodRow {
        name: name.into(),
        owner: "r1".into(),
        node: Some(node.into()),
        containers: vec!["api".into()].into(),
        ..PodRow::default()
    };
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Pods(Change::Reset(vec![
                pod("payments-api-1-aaaaa", "node-1"),
                pod("payments-api-1-bbbbb", "node-2"),
                pod("payments-api-1-ccccc", "node-3"),
            ])),
        ),
    );
    s.cluster.refresh(1);
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-api")
        .unwrap();
    press(&mut s, KeyCode::Enter);
    filter(&mut s, "node:node-2");
    let view = s.workload().unwrap();
    let w = workload::derive(&s.cluster, view.kind, &view.name);
    assert_eq!(view.visible(&w, workload::Section::Pods), [1]);
    char(&mut s, 'l');
    let Some(Effect::Logs(Some(req))) = s.effects.pop() else {
        panic!("no logs: {:?}", s.notice)
    };
    assert_eq!(req.pod, "payments-api-1-bbbbb");
    press(&mut s, KeyCode::Esc);
    // Esc clears the section's filter before it leaves the view.
    press(&mut s, KeyCode::Esc);
    assert!(s.workload().is_some());
    assert!(!s.workload().unwrap().filters[0].is_set());
    filter(&mut s, "node:node-9");
    s.effects.clear();
    char(&mut s, 'l');
    assert!(s.effects.is_empty());
    assert!(s.notice.as_deref().is_some_and(|n| n.contains("no match")));
    // Each section has its own filter.
    press(&mut s, KeyCode::Tab);
    assert!(!s.workload().unwrap().filters[1].is_set());
    press(&mut s, KeyCode::Esc);
    assert!(s.workload().is_none());
}

#[test]
fn the_footer_offers_the_filter_and_while_typing_keep_or_cancel() {
    let mut s = namespace_of(&["api"]);
    let hints = |s: &AppState| -> Vec<(String, &'static str)> { s.hints() };
    assert!(hints(&s).contains(&("/".into(), "filter")));
    char(&mut s, '/');
    assert_eq!(
        hints(&s),
        [
            ("enter".to_string(), "keep filter"),
            ("esc".to_string(), "cancel")
        ]
    );
    typed(&mut s, "api");
    press(&mut s, KeyCode::Enter);
    assert!(hints(&s).contains(&("esc".into(), "clear filter")));
}
