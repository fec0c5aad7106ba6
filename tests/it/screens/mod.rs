//! Snapshots of every screen: the empty dashboard at 80x24 and 160x48 in
//! each built-in theme, a runbook's dashboard, a zoomed pane, the help
//! overlay, a warning, and the "too small" screen. Each snapshot holds the
//! text and, below it, the style runs, so a theme change shows up too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::Path;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::{BUILTIN as THEMES, Theme};
use ops_tui::runbook::Runbook;
use ops_tui::runbook::select::{Overrides, select};
use ops_tui::state::{AppState, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use crate::common::snapshots::{Place, assert_snapshot};

mod width;

mod marks;

/// The snapshots of the screens, as the `snapshots` test binary wrote them.
const SNAPSHOTS: Place = Place::new("tests/snapshots", "snapshots");

fn state(runbook: Option<Runbook>, env: Option<&str>, theme: &str, keymap: &str) -> AppState {
    let overrides = Overrides {
        env: env.map(String::from),
        ..Overrides::default()
    };
    let target = select(runbook.as_ref(), &overrides).unwrap();
    let mut state = AppState::new(
        target,
        runbook,
        Theme::builtin(theme),
        Keymap::load(keymap, None).0,
    );
    state.clock = "12:00:00 UTC".to_string();
    state
}

fn empty(theme: &str) -> AppState {
    state(None, None, theme, "default")
}

fn example(env: &str) -> AppState {
    let rb = Runbook::load(Path::new("runbooks/example.toml")).unwrap();
    state(Some(rb), Some(env), "default", "default")
}

fn press(state: &mut AppState, code: KeyCode) {
    // A second after the key before: every confirm button is armed.
    state.mono_ms += 1000;
    let msg = Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    assert!(update(state, msg), "{code:?} changed nothing");
}

fn render(state: &AppState, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ops_tui::ui::draw(f, state)).unwrap();
    describe(terminal.backend().buffer())
}

/// The screen's text, then each row's runs of one style.
fn describe(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut text = String::new();
    let mut styles = String::from("\n-- styles (row: columns fg/bg/modifiers) --\n");
    for y in 0..area.height {
        let mut line = String::new();
        let mut runs: Vec<(u16, u16, String)> = Vec::new();
        for x in 0..area.width {
            let cell = &buffer[(x, y)];
            line.push_str(cell.symbol());
            let style = format!("{:?}/{:?}/{:?}", cell.fg, cell.bg, cell.modifier);
            match runs.last_mut() {
                Some((_, end, s)) if *s == style => *end = x,
                _ => runs.push((x, x, style)),
            }
        }
        let _ = writeln!(text, "{}", line.trim_end());
        let runs: Vec<String> = runs
            .into_iter()
            .map(|(a, b, s)| format!("{a}-{b} {s}"))
            .collect();
        let _ = writeln!(styles, "{y:>2}: {}", runs.join("  "));
    }
    text + &styles
}

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
                s.dialog = Some(Dialog::Confirm {
                    plan: Plan::scale("payments", "payments-api", 3, 0),
                    warning: Some("0 replicas stops every pod".into()),
                    type_to_confirm: Some("payments-api".into()),
                    typed: "paym".into(),
                    unready: None,
                });
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
    press(&mut s, KeyCode::Char('F'));
    press(&mut s, KeyCode::Down);
    assert_snapshot!(render(&s, 100, 30));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.effects.len(), 1);
    assert!(s.fault_menu.is_none());
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
    assert!(s.fault_menu.is_none());
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
    assert!(s.help.is_none());
    press(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn rollouts_pane_in_every_state() {
    use ops_tui::kube::model::{DeploymentRow, PodPhase, PodRow, ReplicaSetRow};
    use ops_tui::kube::{Change, KubeMsg};
    let text = "[service]\nname = \"shop\"\n\n[env.prod]\nnamespace = \"shop-prod\"\n\n[[workload]]\nname = \"api\"\n\n[[workload]]\nname = \"worker\"\n\n[[workload]]\nname = \"web\"\n\n[[workload]]\nname = \"cron\"\n\n[[workload]]\nname = \"batch\"\n\n[[workload]]\nname = \"ghost\"\n";
    let rb = Runbook::parse(Path::new("states.toml"), text).unwrap();
    let mut s = state(Some(rb), None, "default", "default");
    s.now = 1_000_000;
    let d = |name: &str, f: &dyn Fn(&mut DeploymentRow)| {
        let mut row = DeploymentRow {
            name: name.into(),
            uid: format!("uid-{name}"),
            generation: 2,
            observed_generation: 2,
            desired: 3,
            replicas: 3,
            updated: 3,
            ready: 3,
            available: 3,
            revision: 2,
            images: vec![format!("registry.example.com/shop/{name}:1.5.0")],
            changed_at: Some(1_000_000 - 300),
            ..DeploymentRow::default()
        };
        f(&mut row);
        row
    };
    let rows = vec![
        d("api", &|_| {}),
        d("worker", &|r| {
            r.updated = 1;
            r.replicas = 4;
            r.available = 2;
        }),
        d("web", &|r| {
            r.progressing_reason = Some("ProgressDeadlineExceeded".into());
            r.updated = 1;
        }),
        d("cron", &|r| r.paused = true),
        d("batch", &|r| r.generation = 3),
    ];
    let msgs = vec![
        KubeMsg::Connected {
            context: "prod".into(),
            namespace: "shop-prod".into(),
            user: "admin".into(),
        },
        KubeMsg::Deployments(Change::Reset(rows)),
        KubeMsg::ReplicaSets(Change::Reset(vec![ReplicaSetRow {
            name: "web-1".into(),
            uid: "rs-web".into(),
            owner: "uid-web".into(),
            ..ReplicaSetRow::default()
        }])),
        KubeMsg::Pods(Change::Reset(vec![
            PodRow {
                name: "web-1-a".into(),
                owner: "rs-web".into(),
                phase: PodPhase::Running,
                ..PodRow::default()
            },
            PodRow {
                name: "web-1-b".into(),
                owner: "rs-web".into(),
                phase: PodPhase::Failing,
                restarts: 7,
                last_restart_at: Some(1_000_000 - 60),
                ..PodRow::default()
            },
        ])),
    ];
    for m in msgs {
        update(&mut s, Msg::Kube(0, m));
    }
    s.cluster.refresh(s.now);
    s.size = (140, 30);
    s.zoomed = true;
    assert_snapshot!(render(&s, 140, 30));
    // At 80 columns, fewer columns.
    s.size = (80, 24);
    s.zoomed = false;
    assert_snapshot!("rollouts_pane_80x24", render(&s, 80, 24));
}

#[test]
fn rollouts_pane_without_a_cluster_and_with_a_forbidden_watch() {
    use ops_tui::kube::{KubeMsg, Resource, WatchState};
    let mut s = example("prod");
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::NoConnection(
                "kubeconfig /home/x/.kube/config: No such file or directory".into(),
            ),
        ),
    );
    assert_snapshot!("rollouts_no_cluster", render(&s, 100, 24));
    let mut s = example("prod");
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Connected {
                context: "prod".into(),
                namespace: "payments".into(),
                user: "viewer".into(),
            },
        ),
    );
    let error = "pods is forbidden: User \"viewer\" cannot list resource \"pods\" in API group \"\" in the namespace \"payments\"".to_string();
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Watch {
                resource: Resource::Pods,
                state: WatchState::Failing {
                    error,
                    forbidden: true,
                },
            },
        ),
    );
    s.cluster.refresh(0);
    let screen = render(&s, 100, 24);
    assert!(
        !screen.contains("runbook but not"),
        "missing before the first list:\n{screen}"
    );
    assert_snapshot!("rollouts_forbidden", render(&s, 100, 24));
    // The Deployments forbidden too: still not known to be missing.
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Watch {
                resource: Resource::Deployments,
                state: WatchState::Failing {
                    error: "deployments.apps is forbidden".into(),
                    forbidden: true,
                },
            },
        ),
    );
    s.cluster.refresh(0);
    let screen = render(&s, 100, 24);
    assert!(
        screen.contains("? unknown  payments-api    list forbidden"),
        "{screen}"
    );
    assert!(screen.contains("is not known yet"), "{screen}");
    assert!(!screen.contains("runbook but not"), "{screen}");
    assert!(!screen.contains("missing"), "{screen}");
    // Listed, and the runbook's Deployments are not there: now they are missing.
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Watch {
                resource: Resource::Deployments,
                state: WatchState::Live,
            },
        ),
    );
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Deployments(ops_tui::kube::Change::Reset(Vec::new())),
        ),
    );
    s.cluster.refresh(0);
    let screen = render(&s, 100, 24);
    assert!(
        screen.contains("Deployment \"payments-api\" is in the runbook but not"),
        "{screen}"
    );
    assert!(screen.contains("✗ missing"), "{screen}");
}

#[test]
fn action_dialogs() {
    use ops_tui::kube::actions::Plan;
    use ops_tui::state::actions::Dialog;
    let mut s = example("prod");
    s.dialog = Some(Dialog::Scale {
        deployment: "payments-api".into(),
        current: 3,
        input: Box::new(ratatui_textarea::TextArea::new(vec!["3x".into()])),
        error: Some("\"x\": type a number of replicas".into()),
    });
    assert_snapshot!("dialog_scale_input", render(&s, 100, 30));
    s.dialog = Some(Dialog::Confirm {
        plan: Plan::scale("payments", "payments-api", 3, 0),
        warning: Some("0 replicas stops every pod: the service will not answer".into()),
        type_to_confirm: Some("payments-api".into()),
        typed: "paym".into(),
        unready: None,
    });
    assert_snapshot!("dialog_confirm_protected", render(&s, 100, 30));
    s.dialog = Some(Dialog::Refused {
        summary: "scale deployment/payments-api from 3 to 5 replicas".into(),
        message: "deployments.apps \"payments-api\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"payments\" (403 Forbidden)".into(),
    });
    assert_snapshot!("dialog_refused_by_rbac", render(&s, 100, 30));
    // The steps between: dry run under way, an unprotected confirmation,
    // the request on its way, the revision history being read.
    let plan = Plan::restart("payments", "payments-api", "2026-11-23T06:00:00Z");
    s.dialog = Some(Dialog::Checking {
        id: 1,
        plan: plan.clone(),
        warning: None,
        unready: None,
    });
    assert_snapshot!("dialog_checking", render(&s, 100, 30));
    s.dialog = Some(Dialog::Confirm {
        plan: plan.clone(),
        warning: None,
        type_to_confirm: None,
        typed: String::new(),
        unready: None,
    });
    assert_snapshot!("dialog_confirm", render(&s, 100, 30));
    s.dialog = Some(Dialog::Running { id: 2, plan });
    assert_snapshot!("dialog_running", render(&s, 100, 30));
    s.dialog = Some(Dialog::Loading {
        id: 3,
        deployment: "payments-api".into(),
    });
    assert_snapshot!("dialog_loading_revisions", render(&s, 100, 30));
    s.dialog = Some(Dialog::Unanswered {
        summary: "scale deployment/payments-api from 3 to 5 replicas".into(),
        message: "sent, but the API server did not answer within 20 s: whether it applied is not known yet. ops-tui reads the object back and says (header and Timeline); do not send it again before then.".into(),
    });
    assert_snapshot!("dialog_outcome_unknown", render(&s, 100, 30));
}

/// A connected namespace of three complete Deployments, `web` selected.
fn three_deployments(theme: &str) -> AppState {
    use ops_tui::kube::model::DeploymentRow;
    use ops_tui::kube::{Change, KubeMsg};
    let mut s = state(None, None, theme, "default");
    s.now = 1_000_000;
    let d = |name: &str| DeploymentRow {
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
        images: vec![format!("registry.example.com/shop/{name}:2.0.1")],
        changed_at: Some(1_000_000 - 600),
        ..DeploymentRow::default()
    };
    let msgs = [
        KubeMsg::Connected {
            context: "prod".into(),
            namespace: "shop-prod".into(),
            user: "admin".into(),
        },
        KubeMsg::Deployments(Change::Reset(vec![d("api"), d("web"), d("worker")])),
    ];
    for m in msgs {
        update(&mut s, Msg::Kube(0, m));
    }
    s.size = (100, 30);
    s.derive();
    press(&mut s, KeyCode::Down);
    s.derive();
    s
}

#[test]
fn stale_rows_a_gone_selection_and_mutations_in_flight_in_every_theme() {
    use ops_tui::kube::{Change, KubeMsg};
    use ops_tui::state::InFlight;
    for (theme, _) in THEMES {
        // The API server silent for 42 s: STALE, rows with their age.
        let mut s = three_deployments(theme);
        update(&mut s, Msg::Tick("12:00:42 UTC".into(), 1_000_042));
        assert_snapshot!(format!("rollouts_stale_{theme}"), render(&s, 100, 30));
        // The selected Deployment deleted from outside: nothing selected.
        let mut s = three_deployments(theme);
        update(
            &mut s,
            Msg::Kube(0, KubeMsg::Deployments(Change::Delete("web".into()))),
        );
        s.derive();
        assert_snapshot!(
            format!("rollouts_selection_gone_{theme}"),
            render(&s, 100, 30)
        );
        // A mutation on its way, then one whose answer never came.
        let mut s = three_deployments(theme);
        let flight = |unanswered| InFlight {
            summary: "scale deployment/web from 2 to 4 replicas".into(),
            since: 1_000_000 - 3,
            unanswered,
        };
        s.in_flight.insert(7, flight(false));
        assert_snapshot!(format!("header_sending_{theme}"), render(&s, 100, 30));
        s.in_flight.insert(8, flight(true));
        assert_snapshot!(
            format!("header_outcome_unknown_{theme}"),
            render(&s, 100, 30)
        );
    }
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
    s.dialog = Some(Dialog::Confirm {
        plan,
        warning: None,
        type_to_confirm: Some("payments-api".into()),
        typed: "payments".into(),
        unready: None,
    });
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
fn timeline_pane_with_journaled_actions() {
    use ops_tui::journal::{Entry, Record, Step};
    let mut s = example("staging");
    let rec = |id: &str, step, ok, at: &str, summary: &str, detail: Option<&str>| Record {
        at: at.into(),
        user: "oncall".into(),
        kube_user: Some("admin".into()),
        entry: Entry::Action {
            id: id.into(),
            step,
            summary: summary.into(),
            request: None,
            ok,
            detail: detail.map(String::from),
        },
    };
    let records = vec![
        rec(
            "a",
            Step::Outcome,
            Some(true),
            "2026-11-23T06:00:03Z",
            "scale deployment/payments-api from 3 to 5 replicas",
            None,
        ),
        rec(
            "b",
            Step::DryRun,
            Some(false),
            "2026-11-23T06:01:01Z",
            "restart deployment/payments-worker (a rollout of new pods)",
            Some("deployments.apps \"payments-worker\" is forbidden (403 Forbidden)"),
        ),
        rec(
            "c",
            Step::Preview,
            None,
            "2026-11-23T06:02:00Z",
            "pause deployment/payments-api",
            None,
        ),
    ];
    update(&mut s, Msg::Journal(records));
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('z'));
    assert_snapshot!(render(&s, 120, 24));
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
    s.dialog = Some(Dialog::PickRevision {
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
    });
    assert_snapshot!(render(&s, 110, 30));
}

/// payments-api mid-incident: a crash-looping new revision, three
/// revisions, conditions and events (some Warnings).
fn incident() -> AppState {
    use ops_tui::kube::model::{
        ConditionRow, DeploymentRow, EventRow, PodPhase, PodRow, ReplicaSetRow, ServiceRow,
    };
    use ops_tui::kube::{Change, KubeMsg};
    let mut s = example("staging");
    s.now = 1_000_000;
    let labels = |colour: &str| {
        [("app", "payments-api"), ("version", colour)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let deployment = |name: &str, uid: &str, colour: &str, available| DeploymentRow {
        name: name.into(),
        uid: uid.into(),
        generation: 4,
        observed_generation: 4,
        desired: 3,
        replicas: 4,
        updated: 2,
        ready: available,
        available,
        revision: 3,
        images: vec!["registry.example.com/payments/api:2.2.0-crash".into()],
        template_labels: labels(colour),
        conditions: vec![
            ConditionRow {
                type_: "Available".into(),
                status: "True".into(),
                reason: Some("MinimumReplicasAvailable".into()),
                message: Some("Deployment has minimum availability.".into()),
                updated_at: Some(1_000_000 - 3600),
            },
            ConditionRow {
                type_: "Progressing".into(),
                status: "True".into(),
                reason: Some("ReplicaSetUpdated".into()),
                message: Some("ReplicaSet \"payments-api-7c9d\" is progressing.".into()),
                updated_at: Some(1_000_000 - 240),
            },
        ],
        ..DeploymentRow::default()
    };
    let rs = |name: &str, uid: &str, revision, image: &str, desired, cause: Option<&str>| {
        ReplicaSetRow {
            name: name.into(),
            uid: uid.into(),
            owner: "d1".into(),
            revision,
            desired,
            ready: desired,
            images: vec![format!("registry.example.com/payments/api:{image}")],
            change_cause: cause.map(String::from),
            created_at: Some(1_000_000 - 86_400 / revision),
        }
    };
    let pod =
        |name: &str, owner: &str, phase, status: &str, ready, restarts, last: Option<&str>| {
            PodRow {
                name: name.into(),
                owner: owner.into(),
                phase,
                ready,
                restarts,
                last_restart_at: last.map(|_| 1_000_000 - 30),
                last_termination: last.map(String::from),
                node: Some("node-2".into()),
                started_at: Some(1_000_000 - 600),
                containers: vec!["api".into()],
                status: status.into(),
                ready_containers: usize::from(ready),
            }
        };
    let event =
        |name: &str, warning, reason: &str, kind: &str, object: &str, message: &str, count, ago| {
            EventRow {
                name: name.into(),
                kind: kind.into(),
                object: object.into(),
                warning,
                reason: reason.into(),
                message: message.into(),
                count,
                last_seen: Some(1_000_000 - i64::from(ago)),
            }
        };
    let msgs = vec![
        KubeMsg::Connected {
            context: "staging".into(),
            namespace: "payments-staging".into(),
            user: "admin".into(),
        },
        KubeMsg::Deployments(Change::Reset(vec![
            deployment("payments-api", "d1", "blue", 2),
            {
                let mut green = deployment("payments-api-green", "d2", "green", 3);
                green.updated = 3;
                green.replicas = 3;
                green.ready = 3;
                green
            },
        ])),
        KubeMsg::ReplicaSets(Change::Reset(vec![
            rs("payments-api-5f6a", "r1", 1, "2.0.4", 0, None),
            rs(
                "payments-api-6b7c",
                "r2",
                2,
                "2.1.0",
                2,
                Some("release 2.1.0"),
            ),
            rs(
                "payments-api-7c9d",
                "r3",
                3,
                "2.2.0-crash",
                2,
                Some("release 2.2.0"),
            ),
        ])),
        KubeMsg::Pods(Change::Reset(vec![
            pod(
                "payments-api-6b7c-aaaaa",
                "r2",
                PodPhase::Running,
                "Running",
                true,
                0,
                None,
            ),
            pod(
                "payments-api-6b7c-bbbbb",
                "r2",
                PodPhase::Running,
                "Running",
                true,
                0,
                None,
            ),
            pod(
                "payments-api-7c9d-ccccc",
                "r3",
                PodPhase::Failing,
                "CrashLoopBackOff",
                false,
                5,
                Some("Error"),
            ),
            pod(
                "payments-api-7c9d-ddddd",
                "r3",
                PodPhase::Pending,
                "ContainerCreating",
                false,
                0,
                None,
            ),
        ])),
        KubeMsg::Events(Change::Reset(vec![
            event(
                "e1",
                false,
                "ScalingReplicaSet",
                "Deployment",
                "payments-api",
                "Scaled up replica set payments-api-7c9d to 2",
                1,
                300,
            ),
            event(
                "e2",
                true,
                "BackOff",
                "Pod",
                "payments-api-7c9d-ccccc",
                "Back-off restarting failed container api in pod payments-api-7c9d-ccccc",
                12,
                20,
            ),
            event(
                "e3",
                false,
                "Pulled",
                "Pod",
                "payments-api-7c9d-ccccc",
                "Container image \"registry.example.com/payments/api:2.2.0-crash\" already present on machine",
                6,
                60,
            ),
            event(
                "e4",
                false,
                "SuccessfulCreate",
                "ReplicaSet",
                "payments-api-7c9d",
                "Created pod: payments-api-7c9d-ddddd",
                1,
                200,
            ),
        ])),
        KubeMsg::Services(Change::Reset(vec![ServiceRow {
            name: "payments-api".into(),
            selector: labels("blue"),
        }])),
    ];
    for m in msgs {
        update(&mut s, Msg::Kube(0, m));
    }
    s.cluster.refresh(s.now);
    s
}

fn open_workload(s: &mut AppState) {
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-api")
        .unwrap();
    press(s, KeyCode::Enter);
}

#[test]
fn workload_view_with_pods_revisions_conditions_and_events() {
    let mut s = incident();
    open_workload(&mut s);
    s.size = (150, 40);
    assert_snapshot!("workload_view_150x40", render(&s, 150, 40));
    // Events focused, at the smallest size.
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    s.size = (80, 24);
    assert_snapshot!("workload_view_80x24_events", render(&s, 80, 24));
}

#[test]
fn log_view_following_filtered_and_held() {
    use ops_tui::state::logs::LogEvent;
    let mut s = incident();
    open_workload(&mut s);
    press(&mut s, KeyCode::Char('l'));
    let stream = s.next_stream;
    let lines: Vec<String> = (0..40)
        .map(|i| match i % 10 {
            3 => format!("2026-11-23T06:00:{i:02}Z WARN slow upstream payments-db latency_ms=812"),
            7 => {
                format!("2026-11-23T06:00:{i:02}Z ERROR charge failed: connection reset (req {i})")
            }
            _ => format!("2026-11-23T06:00:{i:02}Z INFO POST /v1/charges 201 34ms"),
        })
        .collect();
    update(&mut s, Msg::Log(stream, LogEvent::Lines(lines)));
    s.size = (120, 24);
    assert_snapshot!("log_view_following", render(&s, 120, 24));
    press(&mut s, KeyCode::Char('/'));
    for c in "error".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_snapshot!("log_view_typing_a_filter", render(&s, 120, 24));
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Up);
    assert_snapshot!("log_view_filtered_and_held", render(&s, 120, 24));
    press(&mut s, KeyCode::Char('P'));
    let stream = s.next_stream;
    update(
        &mut s,
        Msg::Log(stream, LogEvent::Failed("previous terminated container \"api\" in pod \"payments-api-7c9d-ccccc\" not found".into())),
    );
    assert_snapshot!("log_view_previous_failed", render(&s, 120, 24));
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
        matches!(s.dialog, Some(Dialog::PickColour { .. })),
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
    s.dialog = Some(Dialog::Unready {
        plan: Plan::switch("payments-staging", "payments-api", "version", "blue", "green", "payments-api-green"),
        warning: Some("deployment/payments-api-green is not fully ready (1 of 3 available): the Service would send all traffic to it".into()),
        value: "green".into(),
        typed: "gr".into(),
    });
    assert_snapshot!("dialog_blue_green_not_ready", render(&s, 120, 30));
}

#[test]
fn context_picker() {
    let mut s = incident();
    s.contexts = vec!["staging".into(), "prod".into(), "kind-local".into()];
    press(&mut s, KeyCode::Char('C'));
    assert_snapshot!("context_picker", render(&s, 120, 30));
}

/// A probe result as the probe module makes it: the conditions judged on
/// what was observed.
fn probe_result(
    s: &AppState,
    name: &str,
    observed: ops_tui::condition::Observed,
    failure: Option<ops_tui::probe::Failure>,
    cert_not_after: Option<i64>,
) -> ops_tui::probe::ProbeResult {
    use ops_tui::condition::{Condition, judge};
    let p = s
        .runbook
        .as_ref()
        .unwrap()
        .probes()
        .find(|p| p.name.get_ref() == name)
        .unwrap();
    let parse = |list: &[toml::Spanned<String>]| {
        list.iter()
            .map(|c| Condition::parse(c.get_ref()).unwrap())
            .collect::<Vec<_>>()
    };
    let verdict = judge(&parse(&p.fail), &parse(&p.warn), &observed);
    let failure = failure.or_else(|| {
        verdict.first_failing().map(|e| {
            ops_tui::probe::Failure::Condition(format!("{} ({})", e.condition, e.resolved))
        })
    });
    ops_tui::probe::ProbeResult {
        name: name.into(),
        at: s.now,
        observed,
        verdict,
        failure,
        cert_not_after,
        requests: 1,
    }
}

fn observed(
    status: u16,
    ms: f64,
    body: &str,
    headers: &[(&str, &str)],
) -> ops_tui::condition::Observed {
    ops_tui::condition::Observed {
        connected: true,
        status: Some(status),
        response_time_ms: Some(ms),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
        ..Default::default()
    }
}

fn with_probes(failing: bool) -> AppState {
    let mut s = example("staging");
    s.now = 1_000_000;
    add_probes(&mut s, failing);
    s
}

/// Probe results (with a little history) for the example's probes.
fn add_probes(s: &mut AppState, failing: bool) {
    use ops_tui::probe::Failure;
    let s = &mut *s;
    let day = 86_400;
    let results = if !failing {
        let mut slow = observed(200, 420.0, r#"{"status":"healthy"}"#, &[]);
        slow.certificate_expiration = Some(jiff::SignedDuration::from_secs(60 * day));
        vec![
            probe_result(s, "health", slow, None, Some(s.now + 60 * day)),
            probe_result(
                s,
                "ready",
                observed(503, 12.0, "not ready", &[]),
                Some(Failure::Http(503)),
                None,
            ),
            probe_result(
                s,
                "headers",
                observed(
                    200,
                    30.0,
                    "",
                    &[
                        ("Strict-Transport-Security", "max-age=63072000"),
                        ("X-Frame-Options", "DENY"),
                    ],
                ),
                None,
                Some(s.now + 60 * day),
            ),
        ]
    } else {
        let none = ops_tui::condition::Observed::default();
        vec![
            probe_result(
                s,
                "health",
                none.clone(),
                Some(Failure::Tls("certificate expired".into())),
                Some(s.now - 3 * day),
            ),
            probe_result(s, "ready", none.clone(), Some(Failure::Timeout), None),
            probe_result(s, "headers", observed(200, 25.0, "", &[]), None, None),
            probe_result(
                s,
                "cors",
                none,
                Some(Failure::Refused("Connection refused (os error 111)".into())),
                None,
            ),
        ]
    };
    for mut r in results {
        // A little history for the sparklines.
        for k in 0..8u32 {
            let mut past = r.clone();
            past.observed.response_time_ms = r
                .observed
                .response_time_ms
                .map(|ms| ms * f64::from(k + 1) / 8.0);
            past.at = s.now - i64::from(8 - k) * 10;
            update(s, Msg::Probe(0, Box::new(past)));
        }
        r.at = s.now;
        update(s, Msg::Probe(0, Box::new(r)));
    }
}

#[test]
fn health_pane_in_every_state_and_the_probe_detail() {
    let mut s = with_probes(false);
    press(&mut s, KeyCode::Char('2'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (140, 24);
    assert_snapshot!("health_ok_degraded_http_waiting", render(&s, 140, 24));
    let mut s = with_probes(true);
    press(&mut s, KeyCode::Char('2'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (140, 24);
    assert_snapshot!("health_tls_timeout_condition_refused", render(&s, 140, 24));
    // Narrower, a certificate that needs attention keeps its place.
    s.size = (100, 24);
    let narrow = render(&s, 100, 24);
    assert!(narrow.contains("cert expired"), "{narrow}");
    s.size = (140, 24);
    // The detail of the expired certificate, then of a failing condition.
    press(&mut s, KeyCode::Enter);
    assert_snapshot!("probe_detail_expired_certificate", render(&s, 140, 30));
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Enter);
    assert_snapshot!("probe_detail_failing_condition", render(&s, 140, 30));
}

#[test]
fn the_probe_detail_in_every_state() {
    let mut s = with_probes(false);
    // An unknown host for cors: a DNS failure.
    let dns = probe_result(
        &s,
        "cors",
        ops_tui::condition::Observed::default(),
        Some(ops_tui::probe::Failure::Dns(
            "failed to lookup address information: Name or service not known".into(),
        )),
        None,
    );
    press(&mut s, KeyCode::Char('2'));
    // degraded, HTTP 503, ok, not run yet
    for (row, name) in [
        (0, "probe_detail_degraded"),
        (1, "probe_detail_http_503"),
        (2, "probe_detail_ok"),
        (3, "probe_detail_not_run_yet"),
    ] {
        s.selected[1] = row;
        press(&mut s, KeyCode::Enter);
        assert_snapshot!(name, render(&s, 140, 30));
        press(&mut s, KeyCode::Esc);
    }
    update(&mut s, Msg::Probe(0, Box::new(dns)));
    s.selected[1] = 3;
    press(&mut s, KeyCode::Enter);
    assert_snapshot!("probe_detail_dns", render(&s, 140, 30));
}

fn with_signals(
    values: [(Option<f64>, ops_tui::prom::signal::SignalState); 2],
    alerts: bool,
) -> AppState {
    let mut s = example("staging");
    s.now = 1_000_000;
    add_signals(&mut s, values, alerts);
    s
}

/// Readings, their history and the alerts for the example's signals.
fn add_signals(
    s: &mut AppState,
    values: [(Option<f64>, ops_tui::prom::signal::SignalState); 2],
    alerts: bool,
) {
    use ops_tui::prom::alerts::{Alert, AlertState};
    use ops_tui::prom::signal::Reading;
    use ops_tui::state::signals::SignalMsg;
    for (name, (value, state)) in ["error-rate", "p95-latency"].into_iter().zip(values) {
        let points: Vec<(i64, f64)> = (0..60)
            .map(|i| {
                (
                    s.now - 1800 + i * 30,
                    value.unwrap_or(0.0) * (0.5 + f64::from(i as i32 % 7) / 10.0),
                )
            })
            .collect();
        update(
            s,
            Msg::Signal(
                0,
                SignalMsg::Range {
                    name: name.into(),
                    points,
                },
            ),
        );
        update(
            s,
            Msg::Signal(
                0,
                SignalMsg::Reading {
                    name: name.into(),
                    at: 1_000_000 - 40,
                    reading: Reading {
                        value: value.filter(|_| {
                            !matches!(state, ops_tui::prom::signal::SignalState::Unreachable(_))
                        }),
                        series: if name == "error-rate" { 3 } else { 1 },
                        worst_labels: if name == "error-rate" {
                            "{route=\"/v1/charges\"}".into()
                        } else {
                            String::new()
                        },
                        state,
                    },
                },
            ),
        );
    }
    let alert = |name: &str, state, summary: &str| Alert {
        name: name.into(),
        state,
        severity: Some("critical".into()),
        labels: [("alertname".to_string(), name.to_string())]
            .into_iter()
            .collect(),
        summary: Some(summary.into()),
        active_at: Some(1_000_000 - 300),
        value: 1.0,
    };
    let list = if alerts {
        vec![
            alert(
                "HighErrorRate",
                AlertState::Firing,
                "5xx above 1% for 5 minutes",
            ),
            alert("SlowCheckout", AlertState::Pending, "p95 above 1s"),
        ]
    } else {
        Vec::new()
    };
    update(
        s,
        Msg::Signal(
            0,
            SignalMsg::Alerts {
                at: 1_000_000 - 10,
                result: Ok(list),
            },
        ),
    );
}

#[test]
fn signals_pane_in_every_state_and_the_signal_detail() {
    use ops_tui::prom::signal::SignalState as S;
    let shots = [
        (
            "signals_ok_and_warn",
            [(Some(0.001), S::Ok), (Some(0.42), S::Warn)],
            false,
        ),
        (
            "signals_fail_and_no_data_with_alerts",
            [(Some(0.034), S::Fail), (None, S::NoData)],
            true,
        ),
        (
            "signals_nan_and_inf",
            [(Some(f64::NAN), S::NaN), (Some(f64::INFINITY), S::Inf)],
            false,
        ),
        (
            "signals_unreachable_and_rejected",
            [
                (
                    Some(0.002),
                    S::Unreachable("Prometheus is unreachable: connection refused".into()),
                ),
                (
                    None,
                    S::Error("Prometheus rejected the query: parse error at char 12".into()),
                ),
            ],
            false,
        ),
    ];
    for (name, values, alerts) in shots {
        let mut s = with_signals(values, alerts);
        press(&mut s, KeyCode::Char('3'));
        press(&mut s, KeyCode::Char('z'));
        s.size = (140, 24);
        assert_snapshot!(name, render(&s, 140, 24));
    }
    let mut s = with_signals([(Some(0.034), S::Fail), (Some(0.42), S::Warn)], true);
    press(&mut s, KeyCode::Char('3'));
    press(&mut s, KeyCode::Enter);
    assert_snapshot!("signal_detail_chart", render(&s, 120, 30));
}

#[test]
fn the_signal_detail_in_every_state() {
    use ops_tui::prom::signal::SignalState as S;
    let shots = [
        (
            "signal_detail_ok_and_warn",
            [(Some(0.001), S::Ok), (Some(0.42), S::Warn)],
        ),
        (
            "signal_detail_no_data",
            [(None, S::NoData), (Some(0.1), S::Ok)],
        ),
        (
            "signal_detail_nan_and_inf",
            [(Some(f64::NAN), S::NaN), (Some(f64::INFINITY), S::Inf)],
        ),
        (
            "signal_detail_unreachable_and_rejected",
            [
                (
                    Some(0.002),
                    S::Unreachable("Prometheus is unreachable: connection refused".into()),
                ),
                (
                    None,
                    S::Error("Prometheus rejected the query: parse error at char 12".into()),
                ),
            ],
        ),
    ];
    for (name, values) in shots {
        let mut s = with_signals(values, false);
        press(&mut s, KeyCode::Char('3'));
        press(&mut s, KeyCode::Enter);
        let first = render(&s, 120, 30);
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::Down);
        press(&mut s, KeyCode::Enter);
        let second = render(&s, 120, 30);
        assert_snapshot!(name, format!("{first}\n{second}"));
    }
}

#[test]
fn burst_confirmation_dialog() {
    let mut s = example("prod");
    s.dialog = Some(ops_tui::state::actions::Dialog::Burst {
        probe: "rate-limit".into(),
        requests: 50,
        url: "https://payments.example.com/api/v1/charges".into(),
        type_to_confirm: Some("rate-limit".into()),
        typed: "rate".into(),
    });
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
    assert!(s.dialog.is_none());
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
            &s.dialog,
            Some(Dialog::Burst { probe, requests: 40, type_to_confirm: Some(_), .. })
                if probe == "rate-limit"
        ),
        "{:?}",
        s.dialog
    );
    assert!(s.effects.is_empty(), "opening the dialog sends nothing");
    // A protected environment: enter alone does not confirm.
    press(&mut s, KeyCode::Enter);
    assert!(s.dialog.is_some() && s.effects.is_empty());
    for c in "rate-limit".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    assert!(s.dialog.is_none());
    assert_eq!(
        s.effects,
        [Effect::Act(Request::Burst("rate-limit".into()))]
    );
    // Escape cancels without a request.
    s.effects.clear();
    press(&mut s, KeyCode::Char('R'));
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none() && s.effects.is_empty());
}

#[test]
fn checklist_with_done_overridden_skipped_and_stale_items_and_the_reason_editor() {
    use ops_tui::journal::{Entry, Record};
    let mut s = example("staging");
    s.now = 1_000_000;
    let rec = |at: &str, user: &str, entry: Entry| Record {
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: None,
        entry,
    };
    let tick = |item: &str, text: &str, reason: Option<&str>| Entry::Tick {
        item: item.into(),
        text: text.into(),
        run: None,
        evidence: Vec::new(),
        reason: reason.map(String::from),
    };
    update(
        &mut s,
        Msg::Journal(vec![
            rec(
                "06:00:00",
                "ann",
                tick(
                    "pre-deployment/change-approved-and-announced-in-deploys",
                    "Change approved and announced in #deploys",
                    None,
                ),
            ),
            rec(
                "06:05:00",
                "bob",
                tick(
                    "pre-deployment/staging-rollout-complete",
                    "Staging rollout complete",
                    Some("checked by hand"),
                ),
            ),
            rec(
                "06:06:00",
                "bob",
                Entry::Skip {
                    item: "pre-deployment/database-migrations-reviewed".into(),
                    text: "Database migrations reviewed".into(),
                    run: None,
                    reason: "no migrations".into(),
                },
            ),
            rec(
                "06:07:00",
                "ann",
                tick(
                    "post-deployment/documentation-updated",
                    "Docs updated",
                    None,
                ),
            ),
        ]),
    );
    press(&mut s, KeyCode::Char('4'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (140, 24);
    assert_snapshot!("checklist_item_states", render(&s, 140, 24));
    // The reason editor of an override.
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    press(&mut s, KeyCode::Char('x'));
    for c in "not in this release".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_snapshot!("dialog_reason_editor", render(&s, 120, 24));
}

#[test]
fn the_header_shows_an_open_incident_and_the_time_since_detection() {
    use ops_tui::journal::{Entry, Milestone, Record};
    let mut s = example("staging");
    let detected: jiff::Timestamp = "2026-11-23T05:48:00Z".parse().unwrap();
    s.now = detected.as_second() + 720;
    let milestone = |m, at: &str| Record {
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

#[test]
fn walkthrough_of_an_item_with_a_live_check() {
    let mut s = with_probes(false);
    press(&mut s, KeyCode::Char('w'));
    // The first item with a check in Post-Deployment: all health endpoints.
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    assert_snapshot!("walkthrough_live_check", render(&s, 120, 24));
}

#[test]
fn walkthrough_with_notes_and_a_long_guide_scrolls_at_80x24() {
    use ops_tui::journal::{Entry, Record};
    let guide: Vec<String> = (1..=40)
        .map(|i| format!("{i:02}. kubectl -n shop get pods  # step {i}"))
        .collect();
    let toml = format!(
        "[service]\nname = \"shop\"\n\n[env.prod]\ncontext = \"prod\"\n\n[[phase]]\nname = \"Go-live\"\nitems = [\n  {{ text = \"Pods running\", guide = {} }},\n  \"Announce the release\",\n]\n",
        serde_json::to_string(&guide.join("\n")).unwrap()
    );
    let rb = Runbook::parse(Path::new("ops-tui.toml"), &toml).unwrap();
    let mut s = state(Some(rb), Some("prod"), "default", "default");
    let note = |at: &str, user: &str, text: &str, happened_at: Option<&str>| Record {
        at: at.into(),
        user: user.into(),
        kube_user: None,
        entry: Entry::Note {
            text: text.into(),
            item: Some("go-live/pods-running".into()),
            happened_at: happened_at.map(String::from),
            starred: false,
        },
    };
    update(
        &mut s,
        Msg::Journal(vec![
            note(
                "2026-11-23T06:10:00Z",
                "ann",
                "two pods pending on node-3",
                None,
            ),
            note(
                "2026-11-23T06:12:00Z",
                "bob",
                "node-3 was cordoned",
                Some("2026-11-23T06:05:00Z"),
            ),
        ]),
    );
    press(&mut s, KeyCode::Char('w'));
    let first = render(&s, 80, 24);
    assert!(
        first.contains("2026-11-23 06:05 bob node-3 was cordoned"),
        "{first}"
    );
    assert!(first.contains("more lines (pgdown)"), "{first}");
    assert!(!first.contains("40. kubectl"), "{first}");
    assert_snapshot!("walkthrough_notes_and_guide_80x24", first);
    for _ in 0..5 {
        press(&mut s, KeyCode::PageDown);
    }
    let end = render(&s, 80, 24);
    assert!(
        end.contains("40. kubectl -n shop get pods  # step 40"),
        "{end}"
    );
    assert!(!end.contains("more lines"), "{end}");
    assert_snapshot!("walkthrough_guide_scrolled_to_the_end_80x24", end);
    // From the end, one page up moves at once.
    press(&mut s, KeyCode::PageUp);
    let up = render(&s, 80, 24);
    assert!(!up.contains("# step 40"), "{up}");
    assert!(up.contains("more lines (pgdown)"), "{up}");
    // The next item starts at its top.
    press(&mut s, KeyCode::Down);
    assert_eq!(s.walkthrough_scroll, 0);
}

#[test]
fn timeline_with_every_kind_a_star_and_the_note_editor() {
    use ops_tui::journal::{Entry, Milestone, Record};
    let mut s = example("staging");
    s.now = "2026-11-23T06:15:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    let rec = |at: &str, user: &str, entry: Entry| Record {
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: None,
        entry,
    };
    let note = rec(
        "06:10:00",
        "ann",
        Entry::Note {
            text: "CDN purge requested".into(),
            item: None,
            happened_at: None,
            starred: false,
        },
    );
    let records = vec![
        rec(
            "06:00:00",
            "ann",
            Entry::Milestone {
                milestone: Milestone::Detected,
                happened_at: Some("2026-11-23T05:55:00Z".into()),
            },
        ),
        rec(
            "06:02:00",
            "bob",
            Entry::Tick {
                item: "pre-deployment/staging-rollout-complete".into(),
                text: "Staging rollout complete".into(),
                run: None,
                evidence: Vec::new(),
                reason: Some("verified by hand".into()),
            },
        ),
        rec(
            "06:03:00",
            "bob",
            Entry::Skip {
                item: "pre-deployment/database-migrations-reviewed".into(),
                text: "Database migrations reviewed".into(),
                run: None,
                reason: "no migrations".into(),
            },
        ),
        rec(
            "06:05:00",
            "oncall",
            Entry::Check {
                check: "probe:ready".into(),
                status: "fail".into(),
                text: "probe ready: failing (HTTP 503)".into(),
            },
        ),
        note.clone(),
        rec(
            "06:11:00",
            "ann",
            Entry::Star {
                key: note.key(),
                on: true,
            },
        ),
    ];
    update(&mut s, Msg::Journal(records));
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (120, 24);
    assert_snapshot!("timeline_every_kind", render(&s, 120, 24));
    press(&mut s, KeyCode::Char('n'));
    for c in "@-10m support saw 502s".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_snapshot!("dialog_note_editor", render(&s, 120, 24));
}

#[test]
fn checklist_with_verified_and_regressed_items_in_every_theme() {
    use ops_tui::journal::{Entry, Evidence, Record};
    let rec = |at: &str, user: &str, entry: Entry| Record {
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: None,
        entry,
    };
    let journal = vec![
        rec(
            "06:00:00",
            "ann",
            Entry::Verify {
                item: "post-deployment/error-rate-below-1".into(),
                text: "Error rate below 1%".into(),
                run: None,
                evidence: Vec::new(),
            },
        ),
        rec(
            "06:01:00",
            "bob",
            Entry::Tick {
                item: "post-deployment/all-health-endpoints-responding".into(),
                text: "All health endpoints responding".into(),
                run: None,
                evidence: Vec::new(),
                reason: None,
            },
        ),
        rec(
            "06:12:00",
            "ann",
            Entry::Regress {
                item: "post-deployment/all-health-endpoints-responding".into(),
                text: "All health endpoints responding".into(),
                run: None,
                evidence: vec![Evidence {
                    kind: "probe".into(),
                    name: "ready".into(),
                    status: "fail".into(),
                    value: "failing".into(),
                    detail: Some("HTTP 503".into()),
                    conditions: Vec::new(),
                }],
            },
        ),
    ];
    for (theme, _) in THEMES {
        let rb = Runbook::load(Path::new("runbooks/example.toml")).unwrap();
        let mut s = state(Some(rb), Some("staging"), theme, "default");
        s.now = 1_000_000;
        update(&mut s, Msg::Journal(journal.clone()));
        press(&mut s, KeyCode::Char('4'));
        press(&mut s, KeyCode::Char('z'));
        s.size = (140, 24);
        let screen = render(&s, 140, 24);
        assert!(screen.contains("[✓] Error rate below 1%"), "{screen}");
        assert!(
            screen.contains("regressed 06:12: probe ready: failing (HTTP 503)"),
            "{screen}"
        );
        assert_snapshot!(format!("checklist_verified_and_regressed_{theme}"), screen);
    }
}

#[test]
fn timeline_with_verified_regressed_items_and_what_happened_to_the_service() {
    use ops_tui::journal::{Entry, EventKind, Evidence, Record};
    let mut s = example("staging");
    s.now = "2026-11-23T06:30:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    let rec = |at: &str, entry: Entry| Record {
        at: format!("2026-11-23T{at}Z"),
        user: "oncall".into(),
        kube_user: None,
        entry,
    };
    let event = |event, subject: &str, status: &str, text: &str| Entry::Event {
        event,
        subject: subject.into(),
        status: status.into(),
        text: text.into(),
    };
    let item = |regress: bool| {
        let (item, text) = (
            "post-deployment/error-rate-below-1".into(),
            "Error rate below 1%".into(),
        );
        let evidence = vec![Evidence {
            kind: "signal".into(),
            name: "error-rate".into(),
            status: if regress { "fail" } else { "ok" }.into(),
            value: if regress { "2%" } else { "0.1%" }.into(),
            detail: None,
            conditions: Vec::new(),
        }];
        if regress {
            Entry::Regress {
                item,
                text,
                run: None,
                evidence,
            }
        } else {
            Entry::Verify {
                item,
                text,
                run: None,
                evidence,
            }
        }
    };
    let records = vec![
        rec("06:00:00", item(false)),
        rec(
            "06:05:00",
            event(
                EventKind::Fault,
                "crash workload=api",
                "info",
                "fault injected in the demo: crash-loop the api Deployment (api now runs shop/api:2.4.1-crash)",
            ),
        ),
        rec(
            "06:06:00",
            event(
                EventKind::CrashLoop,
                "pod/api-7d9-x",
                "fail",
                "pod/api-7d9-x in CrashLoopBackOff (4 restarts, last: Error (exit 1))",
            ),
        ),
        rec(
            "06:08:00",
            event(
                EventKind::Alert,
                "HighErrorRate{severity=critical}",
                "fail",
                "alert HighErrorRate firing (critical): 5xx above 1%",
            ),
        ),
        rec("06:09:00", item(true)),
        rec(
            "06:15:00",
            event(
                EventKind::Rollout,
                "deployment/api",
                "fail",
                "rollout of deployment/api failed: deployment \"api\" exceeded its progress deadline",
            ),
        ),
        rec(
            "06:20:00",
            event(
                EventKind::Rollout,
                "deployment/api",
                "ok",
                "rollout of deployment/api recovered: complete",
            ),
        ),
        rec(
            "06:22:00",
            event(
                EventKind::Alert,
                "HighErrorRate{severity=critical}",
                "ok",
                "alert HighErrorRate{severity=critical} resolved",
            ),
        ),
    ];
    update(&mut s, Msg::Journal(records));
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (140, 24);
    assert_snapshot!(
        "timeline_verified_regressed_and_events",
        render(&s, 140, 24)
    );
}
