//! Filtered lists: a pane narrowed by `/` with its count in the title, the
//! filter's input on the bottom border while it is typed, nothing
//! matching, a field the list does not have, the Timeline's kind with a
//! filter, and a workload view's sections; at 80x24 and 160x40, in every
//! theme where colours tell something (the filter, the input, the counts).

use super::*;
use ops_tui::kube::model::WorkloadRow;
use ops_tui::kube::{Change, KubeMsg};
use ops_tui::state::Pane;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 40)];

/// A namespace of 500 Deployments: three api ones (checkout-api failed,
/// payments-api rolling), payments-worker, and app-0004 to app-0499.
fn five_hundred(theme: &str) -> AppState {
    let mut s = empty(theme);
    s.now = 1_000_000;
    let d = |name: String| WorkloadRow {
        uid: format!("uid-{name}"),
        generation: 1,
        observed_generation: 1,
        desired: 2,
        replicas: 2,
        updated: 2,
        ready: 2,
        available: 2,
        revision: 1,
        images: vec![format!("registry.example.com/shop/{name}:1.4.2")],
        name,
        ..WorkloadRow::default()
    };
    let mut rows: Vec<WorkloadRow> = (4..500).map(|i| d(format!("app-{i:04}"))).collect();
    let mut failed = d("checkout-api".into());
    failed.progressing_reason = Some("ProgressDeadlineExceeded".into());
    failed.updated = 1;
    let mut rolling = d("payments-api".into());
    rolling.updated = 1;
    rolling.images = vec!["registry.example.com/shop/payments-api:1.5.0".into()];
    rows.extend([
        failed,
        rolling,
        d("orders-api".into()),
        d("payments-worker".into()),
    ]);
    for m in [
        KubeMsg::Connected {
            context: "prod".into(),
            namespace: "shop-prod".into(),
            user: "admin".into(),
        },
        KubeMsg::Workloads(
            ops_tui::kinds::WorkloadKind::Deployment,
            Change::Reset(rows),
        ),
    ] {
        update(&mut s, Msg::Kube(0, m));
    }
    s.derive();
    s
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

fn title_line(screen: &str) -> &str {
    screen.lines().nth(1).unwrap()
}

#[test]
fn a_filtered_pane_counts_its_matches_in_every_theme() {
    for (theme, _) in THEMES {
        for (w, h) in SIZES {
            let mut s = five_hundred(theme);
            s.size = (w, h);
            press(&mut s, KeyCode::Char('/'));
            typed(&mut s, "api");
            press(&mut s, KeyCode::Enter);
            let screen = render(&s, w, h);
            assert!(
                title_line(&screen).contains("Rollouts /api 3 of 500 · 1 failing"),
                "{screen}"
            );
            assert_snapshot!(format!("filter_rollouts_{theme}_{w}x{h}"), screen);
        }
    }
}

#[test]
fn the_filter_input_while_typing_in_every_theme() {
    for (theme, _) in THEMES {
        for (w, h) in SIZES {
            let mut s = five_hundred(theme);
            s.size = (w, h);
            press(&mut s, KeyCode::Char('/'));
            typed(&mut s, "state:fail");
            let screen = render(&s, w, h);
            assert!(
                title_line(&screen).contains("Rollouts /state:fail 1 of 500 · 1 failing"),
                "{screen}"
            );
            assert!(screen.contains(" /state:fail▏ "), "{screen}");
            assert!(screen.contains("enter keep filter  esc cancel"), "{screen}");
            assert_snapshot!(format!("filter_typing_{theme}_{w}x{h}"), screen);
        }
    }
}

#[test]
fn nothing_matching_and_an_unknown_field() {
    for (w, h) in SIZES {
        let mut s = five_hundred("default");
        s.size = (w, h);
        press(&mut s, KeyCode::Char('/'));
        typed(&mut s, "no-such-thing");
        press(&mut s, KeyCode::Enter);
        let screen = render(&s, w, h);
        assert!(
            screen.contains("no match for /no-such-thing (esc clears"),
            "{screen}"
        );
        assert!(title_line(&screen).contains("0 of 500"), "{screen}");
        assert_snapshot!(format!("filter_no_match_{w}x{h}"), screen);

        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::Char('/'));
        typed(&mut s, "owner:bob");
        press(&mut s, KeyCode::Enter);
        let screen = render(&s, w, h);
        assert!(
            title_line(&screen).contains("Rollouts /owner:bob 500 · ✗ unknown field owner")
                || w < 100,
            "{screen}"
        );
        assert!(
            screen.contains("▲ unknown field owner: name, kind, state"),
            "{screen}"
        );
        assert!(
            screen.contains("app-0004"),
            "nothing is filtered:\n{screen}"
        );
        assert_snapshot!(format!("filter_unknown_field_{w}x{h}"), screen);
    }
}

#[test]
fn every_pane_filtered_at_80x24() {
    use super::width::busy;
    for (key, pane, text) in [
        ('2', Pane::Health, "state:fail"),
        ('3', Pane::Signals, "latency"),
        ('4', Pane::Checklist, "rollout"),
    ] {
        let mut s = busy("default");
        s.size = (80, 24);
        press(&mut s, KeyCode::Char(key));
        press(&mut s, KeyCode::Char('z'));
        press(&mut s, KeyCode::Char('/'));
        typed(&mut s, text);
        press(&mut s, KeyCode::Enter);
        let screen = render(&s, 80, 24);
        let name = pane.title();
        assert!(
            title_line(&screen).contains(&format!("{name} /{text} ")),
            "{screen}"
        );
        assert_snapshot!(format!("filter_{}_80x24", name.to_lowercase()), screen);
    }
    // The Timeline: its kind, then its text, both in the title.
    let mut s = busy("default");
    s.size = (80, 24);
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('z'));
    press(&mut s, KeyCode::Char('t'));
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "cdn");
    press(&mut s, KeyCode::Enter);
    let screen = render(&s, 80, 24);
    let kind = s.timeline_filter.clone().unwrap();
    assert!(
        title_line(&screen).contains(&format!("Timeline kind:{kind} /cdn ")),
        "{screen}"
    );
    assert_snapshot!("filter_timeline_80x24", screen);
}

#[test]
fn a_workload_views_sections_filter_and_count() {
    for (w, h) in [(80, 24), (150, 40)] {
        let mut s = incident();
        open_workload(&mut s);
        s.size = (w, h);
        // Events: the Warnings only, typed.
        for _ in 0..3 {
            press(&mut s, KeyCode::Tab);
        }
        press(&mut s, KeyCode::Char('/'));
        typed(&mut s, "type:warn");
        let screen = render(&s, w, h);
        assert!(
            screen.contains("Events /type:warn 1 of 4 · 1 warning"),
            "{screen}"
        );
        assert!(screen.contains(" /type:warn▏ "), "{screen}");
        assert_snapshot!(format!("filter_workload_events_typing_{w}x{h}"), screen);
        press(&mut s, KeyCode::Enter);
        // Pods: one that is not there.
        press(&mut s, KeyCode::Tab);
        press(&mut s, KeyCode::Char('/'));
        typed(&mut s, "nothing");
        press(&mut s, KeyCode::Enter);
        let screen = render(&s, w, h);
        assert!(screen.contains("Pods /nothing 0 of 4"), "{screen}");
        assert!(screen.contains("no match for /nothing in Pods"), "{screen}");
        assert_snapshot!(format!("filter_workload_no_pod_{w}x{h}"), screen);
    }
}
