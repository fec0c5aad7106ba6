//! The workload view (pods, revisions, conditions, events) and its pod
//! logs: following, typing a filter, filtered and held, and a previous
//! container's logs that are not there.

use super::*;

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

/// The usage the metrics API reports for the incident's running pods: one
/// pod near its memory limit, one about to be OOM-killed.
fn usage_read(s: &mut AppState) {
    use ops_tui::kube::KubeMsg;
    use ops_tui::kube::metrics::{Usage, UsageReport};
    let pods = vec![
        (
            "payments-api-6b7c-aaaaa".to_string(),
            Usage {
                cpu: 42,
                memory: 430 << 20,
            },
        ),
        (
            "payments-api-6b7c-bbbbb".to_string(),
            Usage {
                cpu: 7,
                memory: 120 << 20,
            },
        ),
        (
            "payments-api-7c9d-ccccc".to_string(),
            Usage {
                cpu: 480,
                memory: 500 << 20,
            },
        ),
    ];
    let generation = s.cluster.generation;
    let now = s.now;
    update(
        s,
        Msg::Kube(
            generation,
            KubeMsg::Usage(UsageReport::Read {
                at: Some(now),
                pods: pods.into(),
                nodes: Default::default(),
            }),
        ),
    );
    s.derive();
}

#[test]
fn pod_usage_with_its_share_of_requests_and_limits_sorted_and_highlighted() {
    let mut s = incident();
    open_workload(&mut s);
    usage_read(&mut s);
    s.size = (150, 40);
    assert_snapshot!("workload_view_usage_150x40", render(&s, 150, 40));
    // Sorted by memory: the pod at 98% of its limit first, then 84%.
    press(&mut s, KeyCode::Char('O'));
    let text = render(&s, 150, 40);
    let at = |name: &str| text.find(name).unwrap();
    assert!(at("payments-api-7c9d-ccccc") < at("payments-api-6b7c-aaaaa"));
    assert!(at("payments-api-6b7c-aaaaa") < at("payments-api-6b7c-bbbbb"));
    assert!(text.contains("by memory"), "{text}");
    s.size = (80, 24);
    assert_snapshot!("workload_view_usage_by_memory_80x24", render(&s, 80, 24));
    // By CPU, in another theme (the highlight's colours).
    press(&mut s, KeyCode::Char('O'));
    s.theme = ops_tui::config::theme::Theme::builtin("light");
    assert_snapshot!(
        "workload_view_usage_by_cpu_light_120x30",
        render(&s, 120, 30)
    );
}

#[test]
fn a_cluster_without_the_metrics_api_says_so_once_in_the_pods_title() {
    use ops_tui::kube::KubeMsg;
    use ops_tui::kube::metrics::UsageReport;
    let mut s = incident();
    open_workload(&mut s);
    let generation = s.cluster.generation;
    update(
        &mut s,
        Msg::Kube(
            generation,
            KubeMsg::Usage(UsageReport::Absent(
                "the cluster does not serve the metrics API (metrics.k8s.io): no metrics-server"
                    .into(),
            )),
        ),
    );
    s.size = (120, 30);
    let text = render(&s, 120, 30);
    assert_eq!(text.matches("no metrics API").count(), 1, "{text}");
    assert_snapshot!("workload_view_no_metrics_api_120x30", text);
}

#[test]
fn a_rollouts_row_totals_its_pods_usage_and_flags_memory_near_the_limit() {
    let mut s = incident();
    usage_read(&mut s);
    let text = render(&s, 160, 30);
    let row = text
        .lines()
        .find(|l| l.contains("payments-api ") && l.contains(" deploy"))
        .unwrap_or_default();
    // 500Mi of a 512Mi limit: 98%, the worst of its pods; the totals of
    // the three pods with figures.
    assert!(row.contains("mem 98%L"), "{row}");
    // Zoomed, the row has room for the totals.
    press(&mut s, KeyCode::Char('z'));
    let text = render(&s, 160, 30);
    let row = text
        .lines()
        .find(|l| l.contains("payments-api ") && l.contains(" deploy"))
        .unwrap_or_default();
    assert!(row.contains("cpu 529m mem 1050Mi"), "{row}");
    assert_snapshot!("rollouts_usage_zoomed_160x30", text);
    // At 80 columns (zoomed) the memory warning stays; the totals go.
    let narrow = render(&s, 80, 24);
    let row = narrow
        .lines()
        .find(|l| l.contains("payments-api") && l.starts_with('┃'))
        .unwrap_or_default();
    assert!(row.contains("mem 98%L") && !row.contains("1050Mi"), "{row}");
}

#[test]
fn conditions_keep_their_columns_when_a_type_is_longer_than_most() {
    use ops_tui::kinds::WorkloadKind;
    use ops_tui::kube::model::ConditionRow;
    use ops_tui::kube::{Change, KubeMsg};
    let mut s = incident();
    let key = (WorkloadKind::Deployment, "payments-api".to_string());
    let mut w = (*s.cluster.workloads[&key]).clone();
    // A Job's condition type, longer than the column's usual width.
    w.conditions.push(ConditionRow {
        type_: "SuccessCriteriaMet".into(),
        status: "False".into(),
        reason: Some("Testing".into()),
        message: None,
        updated_at: Some(1_000_000 - 60),
    });
    let generation = s.cluster.generation;
    update(
        &mut s,
        Msg::Kube(
            generation,
            KubeMsg::Workloads(WorkloadKind::Deployment, Change::Upsert(w)),
        ),
    );
    open_workload(&mut s);
    let text = render(&s, 150, 40);
    let columns: Vec<usize> = ["Available ", "Progressing ", "SuccessCriteriaMet "]
        .iter()
        .map(|t| {
            let line = text
                .lines()
                .find(|l| l.contains(t))
                .unwrap_or_else(|| panic!("no {t}:\n{text}"));
            let at = line.find(t).unwrap_or_default();
            line[at..]
                .find(" True")
                .or(line[at..].find(" False"))
                .unwrap_or_default()
                + line[..at].chars().count()
        })
        .collect();
    assert!(
        columns.iter().all(|c| *c == columns[0]),
        "{columns:?}\n{text}"
    );
}
