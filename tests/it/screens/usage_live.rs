//! The workload view's usage figures are the metrics API's: read through
//! the kube client from `ops-tui demo --serve`, shown by the workload
//! view, and compared with what the real `kubectl top pods` prints for
//! the same pods in the same scrape window.

use super::*;
use crate::common::demo::Demo;
use ops_tui::human;
use ops_tui::kinds::WorkloadKind;
use ops_tui::kube::metrics::{UsageReport, Where, read};
use ops_tui::kube::{Change, KubeMsg};

const NS: &str = "shop-prod";

/// kubectl top's NAME → (CPU, MEMORY) for the namespace's pods.
fn kubectl_top(demo: &Demo) -> std::collections::BTreeMap<String, (String, String)> {
    demo.ok(&["top", "pods", "--no-headers"])
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((
                w.next()?.to_string(),
                (w.next()?.to_string(), w.next()?.to_string()),
            ))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workload_views_figures_are_those_kubectl_top_prints() {
    let demo = Demo::start(&["--speed", "10"]);
    demo.wait_only_current_pods("api", std::time::Duration::from_secs(60));
    let conn = ops_tui::kube::connect(Some(&demo.kubeconfig), Some("demo"), None)
        .await
        .unwrap();
    // One scrape window: our read, kubectl's, our read again, equal.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (report, top) = loop {
        let before = read(&conn.client, &Where::One(NS.into())).await;
        let top = kubectl_top(&demo);
        let after = read(&conn.client, &Where::One(NS.into())).await;
        if let UsageReport::Read { pods, .. } = &before
            && before == after
            && pods.iter().filter(|(n, _)| n.starts_with("api-")).count() == 3
        {
            break (before, top);
        }
        assert!(std::time::Instant::now() < deadline, "no steady window");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let UsageReport::Read { pods: figures, .. } = &report else {
        unreachable!()
    };
    for (name, used) in figures.iter() {
        let (cpu, mem) = &top[name];
        assert_eq!(&human::cpu(used.cpu), cpu, "{name}");
        assert_eq!(&human::memory(used.memory), mem, "{name}");
    }

    // The dashboard's state from the same cluster and read.
    let mut s = empty("default");
    let generation = s.cluster.generation;
    let kube = |s: &mut AppState, msg| {
        update(s, Msg::Kube(generation, msg));
    };
    kube(
        &mut s,
        KubeMsg::Connected {
            context: "demo".into(),
            namespace: NS.into(),
            user: "admin".into(),
        },
    );
    let deployments = ops_tui::kube::list_workloads(&conn, WorkloadKind::Deployment)
        .await
        .unwrap();
    kube(
        &mut s,
        KubeMsg::Workloads(WorkloadKind::Deployment, Change::Reset(deployments)),
    );
    let (pods, replicasets) = ops_tui::kube::list_pods(&conn).await.unwrap();
    kube(&mut s, KubeMsg::ReplicaSets(Change::Reset(replicasets)));
    kube(&mut s, KubeMsg::Pods(Change::Reset(pods)));
    kube(&mut s, KubeMsg::Usage(report.clone()));
    s.derive();
    // The Rollouts row totals the api pods' figures.
    let api: Vec<_> = figures
        .iter()
        .filter(|(n, _)| n.starts_with("api-"))
        .map(|(_, u)| u)
        .collect();
    let total = api
        .iter()
        .fold(ops_tui::kube::metrics::Usage::default(), |t, u| t.plus(*u));
    let dashboard = render(&s, 200, 40);
    let api_row = dashboard
        .lines()
        .find(|l| l.contains(" api ") && l.contains("deploy"))
        .unwrap_or_else(|| panic!("no api row:\n{dashboard}"));
    assert!(
        api_row.contains(&format!(
            "cpu {} mem {}",
            human::cpu(total.cpu),
            human::memory(total.memory)
        )),
        "{api_row}"
    );
    let row = s.cluster.rows.iter().position(|r| r.name == "api").unwrap();
    s.selected[0] = row;
    s.picked = None;
    press(&mut s, KeyCode::Enter);
    assert!(s.workload().is_some_and(|v| v.name == "api"));
    let text = render(&s, 160, 40);
    for (name, _) in figures.iter().filter(|(n, _)| n.starts_with("api-")) {
        let line = text
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not shown:\n{text}"));
        let (cpu, mem) = &top[name];
        assert!(line.contains(&format!("mem {mem:>5}")), "{line}");
        assert!(line.contains(&format!("cpu {cpu:>5}")), "{line}");
    }
}
