//! The Rollouts pane: every state of a Deployment, no cluster, a forbidden
//! watch, and in every theme stale rows, a selection deleted from outside
//! and mutations in flight.

use super::*;

#[test]
fn rollouts_pane_in_every_state() {
    use ops_tui::kube::model::{PodPhase, PodRow, ReplicaSetRow, WorkloadRow};
    use ops_tui::kube::{Change, KubeMsg};
    let text = "[service]\nname = \"shop\"\n\n[env.prod]\nnamespace = \"shop-prod\"\n\n[[workload]]\nname = \"api\"\n\n[[workload]]\nname = \"worker\"\n\n[[workload]]\nname = \"web\"\n\n[[workload]]\nname = \"cron\"\n\n[[workload]]\nname = \"batch\"\n\n[[workload]]\nname = \"ghost\"\n";
    let rb = Runbook::parse(Path::new("states.toml"), text).unwrap();
    let mut s = state(Some(rb), None, "default", "default");
    s.now = 1_000_000;
    let d = |name: &str, f: &dyn Fn(&mut WorkloadRow)| {
        let mut row = WorkloadRow {
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
            ..WorkloadRow::default()
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
        KubeMsg::Workloads(
            ops_tui::kinds::WorkloadKind::Deployment,
            Change::Reset(rows),
        ),
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
        screen.contains("? unknown  payments-api    deploy list forbidden"),
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
            KubeMsg::Workloads(
                ops_tui::kinds::WorkloadKind::Deployment,
                ops_tui::kube::Change::Reset(Vec::new()),
            ),
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

/// A connected namespace of three complete Deployments, `web` selected.
fn three_deployments(theme: &str) -> AppState {
    use ops_tui::kube::model::WorkloadRow;
    use ops_tui::kube::{Change, KubeMsg};
    let mut s = state(None, None, theme, "default");
    s.now = 1_000_000;
    let d = |name: &str| WorkloadRow {
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
        ..WorkloadRow::default()
    };
    let msgs = [
        KubeMsg::Connected {
            context: "prod".into(),
            namespace: "shop-prod".into(),
            user: "admin".into(),
        },
        KubeMsg::Workloads(
            ops_tui::kinds::WorkloadKind::Deployment,
            Change::Reset(vec![d("api"), d("web"), d("worker")]),
        ),
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
            Msg::Kube(
                0,
                KubeMsg::Workloads(
                    ops_tui::kinds::WorkloadKind::Deployment,
                    Change::Delete("web".into()),
                ),
            ),
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
fn every_namespace_has_a_namespace_column_and_the_header_says_all() {
    use ops_tui::kube::model::WorkloadRow;
    use ops_tui::kube::{Change, KubeMsg};
    use ops_tui::runbook::select::Target;
    let target = Target {
        context: Some("prod".into()),
        all_namespaces: true,
        ..Target::default()
    };
    let mut s = AppState::new(
        target,
        None,
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    );
    s.clock = "12:00:00 UTC".to_string();
    s.now = 1_000_000;
    let generation = s.cluster.generation;
    update(
        &mut s,
        Msg::Kube(
            generation,
            KubeMsg::Connected {
                context: "prod".into(),
                namespace: "shop".into(),
                user: "admin".into(),
            },
        ),
    );
    let row = |name: &str, ready: i32| WorkloadRow {
        name: name.into(),
        uid: format!("uid-{name}"),
        generation: 1,
        observed_generation: 1,
        desired: 3,
        replicas: 3,
        updated: 3,
        ready,
        available: ready,
        revision: 4,
        ..WorkloadRow::default()
    };
    let rows = vec![
        row("shop/api", 3),
        row("shop/worker", 3),
        row("payments/gateway", 1),
        row("payments-staging/ledger", 3),
    ];
    update(
        &mut s,
        Msg::Kube(
            generation,
            KubeMsg::Workloads(
                ops_tui::kinds::WorkloadKind::Deployment,
                Change::Reset(rows),
            ),
        ),
    );
    s.derive();
    let wide = render(&s, 160, 30);
    assert!(wide.contains("ns all (shop)"), "{wide}");
    assert!(wide.contains("payments         gateway"), "{wide}");
    assert_snapshot!("rollouts_every_namespace_160x30", wide);
    assert_snapshot!("rollouts_every_namespace_80x24", render(&s, 80, 24));
}
