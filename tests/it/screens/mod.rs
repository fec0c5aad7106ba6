//! Snapshots of every screen, drawn by `ui::draw` into ratatui's
//! `TestBackend` from states built with `update` as the app builds them:
//! the dashboard, each pane, the workload view and its logs, the dialogs
//! and the walkthrough, in every built-in theme where themes differ, and
//! every pane at 80x24 and 100x30 (`width`, `marks`). Each snapshot holds
//! the text and, below it, the style runs, so a theme change shows up too.
//! The files are in `tests/snapshots/` and `tests/screens/snapshots/` (see
//! `common::snapshots`); after an intended change,
//! `INSTA_UPDATE=always cargo test --test it screens::` writes them anew.

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

mod checklist;
mod dashboard;
mod dialogs;
mod filter;
mod fixtures;
mod health;
mod kinds;
mod marks;
mod nodes;
mod object;
mod regression;
mod rollouts;
mod signals;
mod team;
mod timeline;
mod usage_live;
mod walkthrough;
mod width;
mod workload;

use fixtures::*;

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
