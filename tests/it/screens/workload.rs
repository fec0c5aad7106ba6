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
