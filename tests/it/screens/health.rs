//! The Health pane and the probe detail, in every state of a probe.

use super::*;

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
