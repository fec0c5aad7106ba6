//! The Signals pane with its alerts, and the signal detail with its chart,
//! in every state of a reading.

use super::*;

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
