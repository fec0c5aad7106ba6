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
        insta::assert_snapshot!(format!("empty_{theme}_80x24"), render(&s, 80, 24));
        insta::assert_snapshot!(format!("empty_{theme}_160x48"), render(&s, 160, 48));
    }
}

#[test]
fn empty_dashboard_without_colour() {
    let mut s = empty("default");
    s.theme.no_color = true;
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn runbook_dashboard_protected_and_read_only() {
    insta::assert_snapshot!(render(&example("prod"), 120, 36));
}

#[test]
fn runbook_dashboard_at_80x24_with_a_selected_row() {
    let mut s = example("staging");
    press(&mut s, KeyCode::Char('4'));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn zoomed_pane() {
    let mut s = example("staging");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char('z'));
    assert!(s.zoomed);
    insta::assert_snapshot!(render(&s, 80, 24));
    // Back from zoom.
    press(&mut s, KeyCode::Esc);
    assert!(!s.zoomed);
}

#[test]
fn help_overlay_default_keymap() {
    let mut s = empty("default");
    press(&mut s, KeyCode::Char('?'));
    insta::assert_snapshot!(render(&s, 100, 40));
    // Scrolled to the end at 80x24.
    press(&mut s, KeyCode::End);
    insta::assert_snapshot!("help_overlay_scrolled_80x24", render(&s, 80, 24));
}

#[test]
fn help_overlay_vim_keymap() {
    let mut s = state(None, None, "default", "vim");
    press(&mut s, KeyCode::Char('?'));
    insta::assert_snapshot!(render(&s, 100, 60));
}

#[test]
fn warning_strip() {
    let mut s = empty("default");
    update(&mut s, Msg::Warning("/home/x/.config/ops-tui/keymaps/default.toml:2:5: [dashboard] key \"q\": unknown action \"quti\"".into()));
    update(&mut s, Msg::Warning("second warning".into()));
    insta::assert_snapshot!(render(&s, 100, 24));
}

#[test]
fn too_small_screen() {
    let s = empty("default");
    insta::assert_snapshot!("too_small_79x24", render(&s, 79, 24));
    insta::assert_snapshot!("too_small_40x10", render(&s, 40, 10));
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

#[test]
fn fault_menu_and_notice_in_the_demo() {
    let mut s = example("staging");
    s.demo = true;
    press(&mut s, KeyCode::Char('F'));
    press(&mut s, KeyCode::Down);
    insta::assert_snapshot!(render(&s, 100, 30));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.effects.len(), 1);
    assert!(s.fault_menu.is_none());
    update(
        &mut s,
        Msg::Notice("injected: crash-loop the worker Deployment".into()),
    );
    insta::assert_snapshot!("fault_notice", render(&s, 100, 30));
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
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("credlink-production"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
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
        update(&mut s, Msg::Kube(m));
    }
    s.cluster.refresh(s.now);
    s.size = (140, 30);
    s.zoomed = true;
    insta::assert_snapshot!(render(&s, 140, 30));
    // At 80 columns, fewer columns.
    s.size = (80, 24);
    s.zoomed = false;
    insta::assert_snapshot!("rollouts_pane_80x24", render(&s, 80, 24));
}

#[test]
fn rollouts_pane_without_a_cluster_and_with_a_forbidden_watch() {
    use ops_tui::kube::{KubeMsg, Resource, WatchState};
    let mut s = example("prod");
    update(
        &mut s,
        Msg::Kube(KubeMsg::NoConnection(
            "kubeconfig /home/x/.kube/config: No such file or directory".into(),
        )),
    );
    insta::assert_snapshot!("rollouts_no_cluster", render(&s, 100, 24));
    let mut s = example("prod");
    update(
        &mut s,
        Msg::Kube(KubeMsg::Connected {
            context: "prod".into(),
            namespace: "payments".into(),
            user: "viewer".into(),
        }),
    );
    let error = "pods is forbidden: User \"viewer\" cannot list resource \"pods\" in API group \"\" in the namespace \"payments\"".to_string();
    update(
        &mut s,
        Msg::Kube(KubeMsg::Watch {
            resource: Resource::Pods,
            state: WatchState::Failing {
                error,
                forbidden: true,
            },
        }),
    );
    s.cluster.refresh(0);
    insta::assert_snapshot!("rollouts_forbidden", render(&s, 100, 24));
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
    insta::assert_snapshot!("dialog_scale_input", render(&s, 100, 30));
    s.dialog = Some(Dialog::Confirm {
        plan: Plan::scale("payments", "payments-api", 3, 0),
        warning: Some("0 replicas stops every pod: the service will not answer".into()),
        type_to_confirm: Some("payments-api".into()),
        typed: "paym".into(),
    });
    insta::assert_snapshot!("dialog_confirm_protected", render(&s, 100, 30));
    s.dialog = Some(Dialog::Refused {
        summary: "scale deployment/payments-api from 3 to 5 replicas".into(),
        message: "deployments.apps \"payments-api\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"payments\" (403 Forbidden)".into(),
    });
    insta::assert_snapshot!("dialog_refused_by_rbac", render(&s, 100, 30));
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
    insta::assert_snapshot!(render(&s, 120, 24));
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
    insta::assert_snapshot!(render(&s, 110, 30));
}
