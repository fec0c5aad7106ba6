//! Labels that say the true thing: the footer's pause key on a paused
//! Deployment, a burst's notice once it has run.

use crate::kube::{Change, KubeMsg};
use crate::state::safety_tests::{complete, namespace_of, rows};
use crate::state::tests::{char, press, state};
use crate::state::*;
use crossterm::event::KeyCode;

fn footer(s: &AppState, width: u16, height: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| crate::ui::draw(f, s)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..width)
        .map(|x| buffer[(x, height - 1)].symbol().to_string())
        .collect()
}

#[test]
fn the_pause_key_reads_resume_on_a_paused_deployment() {
    let mut s = namespace_of(&["api", "web"]);
    assert!(!s.target_paused());
    let mut paused = complete("api");
    paused.paused = true;
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Upsert(paused),
            ),
        ),
    );
    s.derive();
    let at = rows(&s).iter().position(|n| *n == "api").unwrap();
    s.selected[Pane::Rollouts.index()] = at;
    s.picked = Some(cluster::WorkloadId::deployment("shop", "api"));
    assert!(s.target_paused());
    let text = footer(&s, 120, 30);
    assert!(text.contains("p resume"), "{text}");
}

#[test]
fn a_burst_result_replaces_the_notice_that_it_is_running() {
    let mut s = state();
    s.notice = Some("running the burst of probe ready…".into());
    let observed = crate::condition::Observed {
        connected: true,
        status: Some(429),
        ..Default::default()
    };
    let result = crate::probe::ProbeResult {
        name: "ready".into(),
        at: 1_000,
        verdict: crate::condition::judge(&[], &[], &observed),
        observed,
        failure: None,
        cert_not_after: None,
        requests: 40,
    };
    update(&mut s, Msg::Probe(0, Box::new(result)));
    let notice = s.notice.as_deref().unwrap();
    assert!(
        notice.starts_with("burst of probe ready: 40 requests sent"),
        "{notice}"
    );
    // The notice goes with the next key, as every notice does.
    char(&mut s, 'j');
    press(&mut s, KeyCode::Up);
    assert!(s.notice.is_none());
}

#[test]
fn the_scale_box_starts_empty_and_refuses_what_is_not_a_number() {
    let mut s = namespace_of(&["api"]);
    char(&mut s, 's');
    for c in "5".chars() {
        char(&mut s, c);
    }
    press(&mut s, KeyCode::Enter);
    let Some(actions::Dialog::Checking { plan, .. }) = s.dialog() else {
        panic!("not checking: {:?}", s.dialog())
    };
    assert_eq!(plan.summary, "scale deployment/api from 2 to 5 replicas");
    press(&mut s, KeyCode::Esc);
    s.effects.clear();
    char(&mut s, 's');
    for c in "x-2".chars() {
        char(&mut s, c);
    }
    press(&mut s, KeyCode::Enter);
    let Some(actions::Dialog::Scale { input, error, .. }) = s.dialog() else {
        panic!("the box closed: {:?}", s.dialog())
    };
    assert_eq!(input.lines().concat(), "x-2", "kept as typed");
    assert!(
        error
            .as_deref()
            .unwrap()
            .contains("\"x-2\" is not a number"),
        "{error:?}"
    );
    assert!(s.effects.is_empty());
    // Enter on an empty box says what to type.
    char(&mut s, 's');
    press(&mut s, KeyCode::Esc);
    char(&mut s, 's');
    press(&mut s, KeyCode::Enter);
    let Some(actions::Dialog::Scale { error, .. }) = s.dialog() else {
        panic!("the box closed")
    };
    assert!(error.as_deref().unwrap().contains("has 2 now"), "{error:?}");
}
