//! The nodes overlay (health, pressure, cordoned, requests and use against
//! what each node offers) and a pod's unhealthy node in the workload view.

use super::*;
use ops_tui::kube::model::{Capacity, NodeLoad, NodeRow};
use ops_tui::kube::{Change, KubeMsg};

fn node(name: &str) -> NodeRow {
    NodeRow {
        name: name.into(),
        ready: Some(true),
        allocatable: Capacity {
            cpu: 3_800,
            memory: 15 << 30,
            pods: 110,
        },
        capacity: Capacity {
            cpu: 4_000,
            memory: 16 << 30,
            pods: 110,
        },
        kubelet: "v1.34.1".into(),
        created_at: Some(1_000_000 - 86_400 * 40),
        ..NodeRow::default()
    }
}

/// Three nodes: node-1 healthy, node-2 under memory pressure (the
/// incident's pods run there), node-3 NotReady and cordoned.
fn with_nodes(s: &mut AppState) {
    let mut pressed = node("node-2");
    pressed.pressure = vec!["MemoryPressure".into()];
    let mut down = node("node-3");
    down.ready = None;
    down.not_ready = Some("NodeStatusUnknown: Kubelet stopped posting node status.".into());
    down.unschedulable = true;
    let generation = s.cluster.generation;
    update(
        s,
        Msg::Kube(
            generation,
            KubeMsg::Nodes(Change::Reset(vec![node("node-1"), pressed, down])),
        ),
    );
    s.derive();
}

#[test]
fn the_nodes_overlay_with_health_requests_and_use() {
    use ops_tui::kube::metrics::{Usage, UsageReport};
    let mut s = incident();
    with_nodes(&mut s);
    let generation = s.cluster.generation;
    let now = s.now;
    update(
        &mut s,
        Msg::Kube(
            generation,
            KubeMsg::Usage(UsageReport::Read {
                at: Some(now),
                pods: Default::default(),
                nodes: vec![
                    (
                        "node-1",
                        Usage {
                            cpu: 950,
                            memory: 6 << 30,
                        },
                    ),
                    (
                        "node-2",
                        Usage {
                            cpu: 3_100,
                            memory: 14 << 30,
                        },
                    ),
                ]
                .into(),
            }),
        ),
    );
    press(&mut s, KeyCode::Char('N'));
    // Before the requests are read.
    assert_snapshot!("nodes_overlay_reading_120x30", render(&s, 120, 30));
    let Some(id) = s.nodes_view().and_then(|v| v.pending) else {
        panic!("no request for the nodes' load")
    };
    let load = [
        ("node-1", 1_900, 6 << 30, 31),
        ("node-2", 3_500, 13 << 30, 58),
    ]
    .into_iter()
    .map(|(n, cpu, mem, pods)| {
        (
            n.to_string(),
            NodeLoad {
                cpu_requests: cpu,
                memory_requests: mem,
                pods,
            },
        )
    })
    .collect();
    update(&mut s, Msg::NodeLoad(id, Ok(load)));
    let text = render(&s, 160, 30);
    assert!(
        text.contains("Nodes 3 · 2 unhealthy · 1 cordoned"),
        "{text}"
    );
    assert!(text.contains("Unknown,SchedulingDisabled"), "{text}");
    assert_snapshot!("nodes_overlay_160x30", text);
    assert_snapshot!("nodes_overlay_80x24", render(&s, 80, 24));
    // Requests that may not be read.
    press(&mut s, KeyCode::Esc);
    assert!(s.nodes_view().is_none());
    press(&mut s, KeyCode::Char('N'));
    let id = s.nodes_view().and_then(|v| v.pending).unwrap();
    update(
        &mut s,
        Msg::NodeLoad(
            id,
            Err("listing pods in every namespace is forbidden: pods is forbidden: User \"viewer\" cannot list resource \"pods\" in API group \"\" at the cluster scope".into()),
        ),
    );
    assert_snapshot!(
        "nodes_overlay_requests_forbidden_120x30",
        render(&s, 120, 30)
    );
}

#[test]
fn a_pod_on_an_unhealthy_node_says_so_in_the_workload_view() {
    let mut s = incident();
    open_workload(&mut s);
    with_nodes(&mut s);
    let text = render(&s, 150, 40);
    assert!(text.contains("node-2 ✗ MemoryPressure"), "{text}");
    assert_snapshot!("workload_view_pods_on_a_pressed_node_150x40", text);
}
