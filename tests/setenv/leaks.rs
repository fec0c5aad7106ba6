//! The rendered dashboard and probe detail show no secret nor control
//! character, with the canaries a runbook reads from the process
//! environment set in it. The other leak tests are in
//! `tests/it/security/leaks.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::leaky::{ENV, WAIT, assert_no_secret, setup};
use ops_tui::secrets::MASK;

#[test]
fn the_rendered_dashboard_and_probe_detail_show_no_secret_nor_control_character() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use ops_tui::state::{AppState, Msg, update};
    let s = setup("");
    for (k, v) in ENV {
        // SAFETY: names only these tests use, set to the same values by
        // every test that sets them.
        unsafe { std::env::set_var(k, v) };
    }
    let runbook = ops_tui::runbook::Runbook::load(&s.runbook).unwrap();
    let specs = ops_tui::probe::specs(&runbook, Some("prod")).unwrap();
    let plan = ops_tui::prom::plan::plan(&runbook, Some("prod")).unwrap();
    let rt = &s.rt;
    let results: Vec<_> = specs
        .iter()
        .map(|spec| {
            let client = ops_tui::probe::client(spec).unwrap();
            rt.block_on(ops_tui::probe::run_once(&client, spec, false))
        })
        .collect();
    // The signal's reading and the alerts as the dashboard's pollers send
    // them.
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let polls = rt.block_on(async {
        ops_tui::prom::plan::spawn(
            &plan,
            0,
            ops_tui::sink::Sink {
                tx,
                wrap: ops_tui::state::Msg::Signal,
            },
        )
    });
    let messages = rt.block_on(async {
        let mut got = Vec::new();
        let (mut reading, mut alerts) = (false, false);
        while !(reading && alerts) {
            let msg = tokio::time::timeout(WAIT, rx.recv())
                .await
                .unwrap()
                .unwrap();
            if let Msg::Signal(_, m) = &msg {
                use ops_tui::state::signals::SignalMsg;
                reading |= matches!(m, SignalMsg::Reading { .. });
                alerts |= matches!(m, SignalMsg::Alerts { .. });
            }
            got.push(msg);
        }
        got
    });
    drop(polls);
    let target = ops_tui::runbook::select::select(
        Some(&runbook),
        &ops_tui::runbook::select::Overrides::default(),
    )
    .unwrap();
    let mut state = AppState::new(
        target,
        Some(runbook),
        ops_tui::config::theme::Theme::builtin("default"),
        ops_tui::config::keymap::Keymap::load("default", None).0,
    );
    for r in results {
        update(&mut state, Msg::Probe(0, Box::new(r)));
    }
    for msg in messages {
        update(&mut state, msg);
    }
    let alerts = rt.block_on(ops_tui::prom::plan::alerts(&plan)).unwrap();
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0]
            .summary
            .as_deref()
            .is_some_and(|t| t.contains(MASK)),
        "{alerts:?}"
    );
    let screen = |state: &AppState| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45)).unwrap();
        terminal.draw(|f| ops_tui::ui::draw(f, state)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        let symbols: Vec<String> = buffer
            .content()
            .iter()
            .map(|c| c.symbol().to_string())
            .collect();
        assert!(
            symbols.iter().all(|s| !s.chars().any(char::is_control)),
            "a control character reached the screen"
        );
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let press = |state: &mut AppState, code: KeyCode| {
        update(
            state,
            Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
        );
    };
    let mut shown = vec![("dashboard".to_string(), screen(&state).into_bytes())];
    press(&mut state, KeyCode::Char('2'));
    press(&mut state, KeyCode::Enter);
    let auth = screen(&state);
    assert!(
        auth.contains(&format!("Authorization: Bearer {MASK}")),
        "{auth}"
    );
    assert!(auth.contains(MASK), "{auth}");
    shown.push(("auth detail".into(), auth.into_bytes()));
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    let key = screen(&state);
    assert!(key.contains("X-Api-Key: ${OPS_LEAK_KEY}"), "{key}");
    shown.push(("key detail".into(), key.into_bytes()));
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('3'));
    press(&mut state, KeyCode::Enter);
    shown.push(("signal detail".into(), screen(&state).into_bytes()));
    assert_no_secret(&shown);
}
