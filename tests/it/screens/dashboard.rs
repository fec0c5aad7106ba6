//! The dashboard as a whole: empty and with a runbook, in every theme and
//! without colour, a zoomed pane, the help overlay, warnings, the header
//! (long names, an open incident), the demo's fault menu, and the "too
//! small" screen: at any size nothing panics, and behind it keys do nothing
//! but quit.

use super::*;

#[test]
fn empty_dashboard_in_every_theme_at_80x24_and_160x48() {
    for (theme, _) in THEMES {
        let s = empty(theme);
        assert_snapshot!(format!("empty_{theme}_80x24"), render(&s, 80, 24));
        assert_snapshot!(format!("empty_{theme}_160x48"), render(&s, 160, 48));
    }
}

#[test]
fn empty_dashboard_without_colour() {
    let mut s = empty("default");
    s.theme.no_color = true;
    assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn runbook_dashboard_protected_and_read_only() {
    assert_snapshot!(render(&example("prod"), 120, 36));
}

#[test]
fn runbook_dashboard_at_80x24_with_a_selected_row() {
    let mut s = example("staging");
    press(&mut s, KeyCode::Char('4'));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn zoomed_pane() {
    let mut s = example("staging");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char('z'));
    assert!(s.zoomed);
    assert_snapshot!(render(&s, 80, 24));
    // Back from zoom.
    press(&mut s, KeyCode::Esc);
    assert!(!s.zoomed);
}

#[test]
fn help_overlay_default_keymap() {
    let mut s = empty("default");
    press(&mut s, KeyCode::Char('?'));
    assert_snapshot!(render(&s, 100, 40));
    // Scrolled to the end at 80x24.
    press(&mut s, KeyCode::End);
    assert_snapshot!("help_overlay_scrolled_80x24", render(&s, 80, 24));
}

#[test]
fn help_overlay_vim_keymap() {
    let mut s = state(None, None, "default", "vim");
    press(&mut s, KeyCode::Char('?'));
    assert_snapshot!(render(&s, 100, 60));
}

#[test]
fn warning_strip() {
    let mut s = empty("default");
    update(&mut s, Msg::Warning("/home/x/.config/ops-tui/keymaps/default.toml:2:5: [dashboard] key \"q\": unknown action \"quti\"".into()));
    update(&mut s, Msg::Warning("second warning".into()));
    assert_snapshot!(render(&s, 100, 24));
}

#[test]
fn too_small_screen() {
    let s = empty("default");
    assert_snapshot!("too_small_79x24", render(&s, 79, 24));
    assert_snapshot!("too_small_40x10", render(&s, 40, 10));
}

#[test]
fn tiny_terminals_never_panic() {
    let s = example("prod");
    for (w, h) in [
        (0, 0),
        (1, 1),
        (2, 80),
        (200, 1),
        (80, 23),
        (79, 24),
        (80, 24),
    ] {
        render(&s, w, h);
    }
}

/// Every view (panes, zoom, help, the workload view and its logs, a
/// confirmation dialog) at every size up to 45x15, and some long and thin
/// ones: nothing panics, whatever the terminal is resized to.
#[test]
fn every_view_at_every_small_size_never_panics() {
    use ops_tui::kube::actions::Plan;
    use ops_tui::state::actions::Dialog;
    type Make = Box<dyn Fn() -> AppState>;
    let views: Vec<(&str, Make)> = vec![
        ("example", Box::new(|| example("prod"))),
        ("incident", Box::new(incident)),
        ("probes", Box::new(|| with_probes(true))),
        (
            "help",
            Box::new(|| {
                let mut s = empty("default");
                press(&mut s, KeyCode::Char('?'));
                s
            }),
        ),
        (
            "zoomed",
            Box::new(|| {
                let mut s = incident();
                press(&mut s, KeyCode::Char('z'));
                s
            }),
        ),
        (
            "workload",
            Box::new(|| {
                let mut s = incident();
                open_workload(&mut s);
                s
            }),
        ),
        (
            "dialog",
            Box::new(|| {
                let mut s = incident();
                s.set_dialog(Some(Dialog::Confirm {
                    plan: Plan::scale("payments", "payments-api", 3, 0),
                    warning: Some("0 replicas stops every pod".into()),
                    type_to_confirm: Some("payments-api".into()),
                    typed: "paym".into(),
                    unready: None,
                }));
                s
            }),
        ),
    ];
    let mut sizes: Vec<(u16, u16)> = (0..=45)
        .flat_map(|w| (0..=15).map(move |h| (w, h)))
        .collect();
    sizes.extend([(300, 2), (2, 120), (500, 200), (81, 25)]);
    for (name, make) in &views {
        let mut s = make();
        for &(w, h) in &sizes {
            s.size = (w, h);
            let screen = render(&s, w, h);
            // Below 80x24 the screen says so (where it fits), never a
            // squeezed dashboard.
            let small = w < 80 || h < 24;
            if small && w >= 20 && h >= 5 {
                assert!(
                    screen.contains("Terminal too small"),
                    "{name} {w}x{h}:\n{screen}"
                );
            }
            if !small {
                assert!(!screen.contains("Terminal too small"), "{name} {w}x{h}");
            }
        }
    }
}

#[test]
fn fault_menu_and_notice_in_the_demo() {
    let mut s = example("staging");
    s.demo = true;
    s.faults = ops_tui::cmd::demo::FAULTS;
    press(&mut s, KeyCode::Char('F'));
    press(&mut s, KeyCode::Down);
    assert_snapshot!(render(&s, 100, 30));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.effects.len(), 1);
    assert!(s.fault_menu().is_none());
    update(
        &mut s,
        Msg::Notice("injected: crash-loop the worker Deployment".into()),
    );
    assert_snapshot!("fault_notice", render(&s, 100, 30));
}

#[test]
fn fault_key_outside_the_demo_explains_itself() {
    let mut s = example("staging");
    press(&mut s, KeyCode::Char('F'));
    assert!(s.fault_menu().is_none());
    assert!(s.notice.as_deref().unwrap().contains("ops-tui demo"));
}

#[test]
fn header_with_long_names_at_80_columns_keeps_the_namespace() {
    let text = "[service]\nname = \"credlink-api\"\n\n[env.production]\ncontext = \"gke-prod-eu-west1\"\nnamespace = \"credlink-production\"\nprotected = true\n";
    let rb = Runbook::parse(Path::new("long.toml"), text).unwrap();
    let s = state(Some(rb), None, "default", "default");
    let screen = render(&s, 80, 24);
    let header = screen.lines().next().unwrap();
    // Where the console acts stays whole: environment, context, namespace;
    // the clock and the badges' words give way first.
    for whole in [
        "production",
        "gke-prod-eu-west1",
        "credlink-production",
        "PROT",
    ] {
        assert!(header.contains(whole), "{whole}: {header}");
    }
    assert_snapshot!(screen);
    // With every badge at once (a mutation without an answer, an incident,
    // a silent server), still whole.
    let mut s = s;
    s.in_flight.insert(
        1,
        ops_tui::state::InFlight {
            summary: "scale".into(),
            since: 0,
            unanswered: true,
        },
    );
    for width in [100, 120] {
        let screen = render(&s, width, 24);
        let header = screen.lines().next().unwrap();
        for whole in [
            "production",
            "gke-prod-eu-west1",
            "credlink-production",
            "UNKNOWN",
        ] {
            assert!(header.contains(whole), "{width}: {whole}: {header}");
        }
    }
    // At 80 columns something must give: the context, never the namespace.
    let screen = render(&s, 80, 24);
    let header = screen.lines().next().unwrap();
    for whole in ["production", "credlink-production", "UNKNOWN", "PROT"] {
        assert!(header.contains(whole), "80: {whole}: {header}");
    }
}

#[test]
fn keys_do_nothing_behind_the_too_small_screen_but_quit() {
    let mut s = empty("default");
    update(&mut s, Msg::Input(Event::Resize(60, 20)));
    let msg = Msg::Input(Event::Key(KeyEvent::new(
        KeyCode::Char('?'),
        KeyModifiers::NONE,
    )));
    assert!(!update(&mut s, msg));
    assert!(s.help().is_none());
    press(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn the_header_shows_an_open_incident_and_the_time_since_detection() {
    use ops_tui::journal::{Entry, Milestone, Record};
    let mut s = example("staging");
    let detected: jiff::Timestamp = "2026-11-23T05:48:00Z".parse().unwrap();
    s.now = detected.as_second() + 720;
    let milestone = |m, at: &str| Record {
        entry_id: String::new(),
        at: at.into(),
        user: "ann".into(),
        kube_user: None,
        entry: Entry::Milestone {
            milestone: m,
            happened_at: None,
        },
    };
    update(
        &mut s,
        Msg::Journal(vec![
            milestone(Milestone::Detected, "2026-11-23T05:48:00Z"),
            milestone(Milestone::Acknowledged, "2026-11-23T05:51:00Z"),
        ]),
    );
    press(&mut s, KeyCode::Char('5'));
    assert_snapshot!("header_open_incident", render(&s, 140, 24));
}
