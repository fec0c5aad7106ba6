//! Every pane at the smallest size (80x24) and at 100x30, in every theme,
//! with a selected row: the data stays readable (values, states, counts),
//! text that does not fit ends with an ellipsis, lists that scroll say how
//! many rows are beyond the edge, and the selected row is legible.

use super::*;
use crate::common::snapshots::Place;
use ops_tui::journal::{Entry, Milestone, Record};
use ops_tui::prom::signal::SignalState;
use ops_tui::state::Pane;
use ratatui::layout::Rect;

/// These snapshots, as the `snapshots` test binary's module `width` wrote
/// them.
const SNAPSHOTS: Place = Place::new("tests/screens/snapshots", "snapshots__width");

/// payments-api mid-incident with probes, signals, alerts, a checklist
/// partly done and a timeline.
pub fn busy(theme: &str) -> AppState {
    let mut s = incident();
    s.theme = Theme::builtin(theme);
    add_probes(&mut s, false);
    add_signals(
        &mut s,
        [
            (Some(0.034), SignalState::Fail),
            (Some(0.42), SignalState::Warn),
        ],
        true,
    );
    let rec = |at: &str, user: &str, entry: Entry| Record {
        entry_id: String::new(),
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: None,
        entry,
    };
    let tick = |item: &str, text: &str, reason: Option<&str>| Entry::Tick {
        item: item.into(),
        text: text.into(),
        run: None,
        evidence: Vec::new(),
        reason: reason.map(String::from),
    };
    let note = rec(
        "06:10:00",
        "ann",
        Entry::Note {
            text: "CDN purge requested for the static assets of the checkout".into(),
            item: None,
            happened_at: None,
            starred: false,
        },
    );
    let records = vec![
        rec(
            "06:00:00",
            "ann",
            Entry::Milestone {
                milestone: Milestone::Detected,
                happened_at: Some("2026-11-23T05:55:00Z".into()),
            },
        ),
        rec(
            "06:01:00",
            "ann",
            tick(
                "pre-deployment/change-approved-and-announced-in-deploys",
                "Change approved and announced in #deploys",
                None,
            ),
        ),
        rec(
            "06:02:00",
            "bob",
            tick(
                "pre-deployment/staging-rollout-complete",
                "Staging rollout complete",
                Some("verified by hand"),
            ),
        ),
        rec(
            "06:03:00",
            "bob",
            Entry::Skip {
                item: "pre-deployment/database-migrations-reviewed".into(),
                text: "Database migrations reviewed".into(),
                run: None,
                reason: "no migrations in this release".into(),
            },
        ),
        rec(
            "06:05:00",
            "oncall",
            Entry::Check {
                check: "probe:ready".into(),
                status: "fail".into(),
                text: "probe ready: failing (HTTP 503)".into(),
            },
        ),
        note.clone(),
        rec(
            "06:11:00",
            "ann",
            Entry::Star {
                key: note.key(),
                on: true,
            },
        ),
    ];
    update(&mut s, Msg::Journal(records));
    s
}

/// The focus key of each pane and its name.
const PANES: [(char, &str); 5] = [
    ('1', "rollouts"),
    ('2', "health"),
    ('3', "signals"),
    ('4', "checklist"),
    ('5', "timeline"),
];

/// The busy dashboard with `pane` focused and its second row selected.
fn focused(theme: &str, key: char, width: u16, height: u16) -> AppState {
    let mut s = busy(theme);
    s.size = (width, height);
    press(&mut s, KeyCode::Char(key));
    press(&mut s, KeyCode::Down);
    s
}

fn buffer(state: &AppState, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ops_tui::ui::draw(f, state)).unwrap();
    terminal.backend().buffer().clone()
}

/// The panes' rectangles on the dashboard (no warning line).
fn pane_areas(state: &AppState, width: u16, height: u16) -> Vec<(Pane, Rect)> {
    let body = Rect::new(0, 1, width, height.saturating_sub(2));
    ops_tui::ui::layout::panes(body, state.zoomed, state.focus)
}

fn row_text(buffer: &Buffer, y: u16, from: u16, to: u16) -> String {
    (from..to).map(|x| buffer[(x, y)].symbol()).collect()
}

#[test]
fn every_pane_at_80x24_and_100x30_in_every_theme_with_a_selected_row() {
    for (theme, _) in THEMES {
        for (key, pane) in PANES {
            for (w, h) in [(80, 24), (100, 30)] {
                let s = focused(theme, key, w, h);
                assert_snapshot!(format!("{pane}_{theme}_{w}x{h}"), render(&s, w, h));
            }
        }
    }
}

/// The selected row is drawn in the theme's selection colours from one
/// border to the other, every cell of it: no cell keeps its own (grey)
/// colour on the selection's background.
#[test]
fn the_selected_row_is_legible_in_every_theme() {
    for (theme, _) in THEMES {
        let colors = Theme::builtin(theme).colors;
        assert_ne!(colors.selection, colors.selection_text, "{theme}");
        for (key, pane) in PANES {
            for (w, h) in [(80, 24), (100, 30)] {
                let s = focused(theme, key, w, h);
                let buffer = buffer(&s, w, h);
                let (_, area) = pane_areas(&s, w, h)
                    .into_iter()
                    .find(|(p, _)| *p == s.focus)
                    .unwrap();
                let inner = Rect::new(area.x + 1, area.y + 1, area.width - 2, area.height - 2);
                let lit: Vec<u16> = (inner.y..inner.bottom())
                    .filter(|&y| buffer[(inner.x, y)].bg == colors.selection)
                    .collect();
                assert_eq!(lit.len(), 1, "{theme} {pane} {w}x{h}: one selected row");
                let y = lit[0];
                for x in inner.x..inner.right() {
                    let cell = &buffer[(x, y)];
                    assert_eq!(
                        (cell.fg, cell.bg),
                        (colors.selection_text, colors.selection),
                        "{theme} {pane} {w}x{h}: column {x} of the selected row {:?}",
                        row_text(&buffer, y, inner.x, inner.right())
                    );
                }
                assert!(
                    !row_text(&buffer, y, inner.x, inner.right())
                        .trim()
                        .is_empty(),
                    "{theme} {pane}: the selected row has text"
                );
            }
        }
    }
}

/// Every row of every pane, the lines of the workload view and the footer
/// either end before the edge or end with an ellipsis at the edge: nothing
/// is cut without a mark, with long names, messages, notes and alerts.
/// (Notes below a pane's rows wrap instead, and are not looked at here.)
#[test]
fn no_line_is_cut_without_an_ellipsis() {
    // A row that reaches the edge has been fitted: it ends with the mark,
    // or one of its columns was cut (with the mark) to make the rest fit;
    // or it is one of these, read and found whole, that fit exactly.
    const EXACT: &[&str] = &[
        "Post-Deployment  ░░░░░░░░ 0/6 done",
        "[ ] API rollout complete ▲ rolling · 2/3 available",
        "[ ] p95 latency below 1s ▲ 420ms",
        "✓ ok       headers 200   30ms ▁▂▃▄▅▆▇██    cert 60d left GET https://staging.payments.example.com/",
        "✗ failing  ready   503   12ms HTTP 503",
        "? waiting  cors    OPTIONS https://staging.payments.example.com/api/v1/charges",
        "✗ missing  payments-worker not found in the namespace",
        "? help  space tick  x skip  n note  w walkthrough  q quit  down/up move  tab/shift-tab pane  z zoom",
        "? help  enter detail  R burst  q quit  down/up move  tab/shift-tab pane  z zoom",
    ];
    let unmarked = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let check = |what: &str, buffer: &Buffer, area: Rect| {
        for y in area.y..area.bottom() {
            let last = buffer[(area.right() - 1, y)].symbol();
            let text = row_text(buffer, y, area.x, area.right());
            if !(last == " " || text.contains('…') || EXACT.contains(&text.trim())) {
                unmarked.borrow_mut().insert(format!("{what}: {text:?}"));
            }
        }
    };
    for (w, h) in [(80, 24), (100, 30), (120, 36)] {
        for (key, pane) in PANES {
            for zoom in [false, true] {
                let mut s = focused("default", key, w, h);
                if zoom {
                    press(&mut s, KeyCode::Char('z'));
                }
                let buffer = buffer(&s, w, h);
                for (p, area) in pane_areas(&s, w, h) {
                    let rows = (s.row_count(p) as u16).min(area.height - 2);
                    let inner = Rect::new(area.x + 1, area.y + 1, area.width - 2, rows);
                    check(&format!("{pane} {p:?} {w}x{h} zoom {zoom}"), &buffer, inner);
                }
                check(
                    &format!("footer of {pane} at {w}x{h}"),
                    &buffer,
                    Rect::new(0, h - 1, w, 1),
                );
            }
        }
        // The workload view, each section focused in turn: its summary
        // and the rows inside each section's borders.
        let mut s = busy("default");
        s.size = (w, h);
        s.selected[0] = s
            .cluster
            .rows
            .iter()
            .position(|r| r.name == "payments-api")
            .unwrap();
        press(&mut s, KeyCode::Enter);
        for section in 0..4 {
            let buffer = buffer(&s, w, h);
            let what = format!("workload view at {w}x{h}, section {section}");
            check(&what, &buffer, Rect::new(0, 1, w, 2));
            for y in 3..h - 1 {
                if ["│", "┃"].contains(&buffer[(0, y)].symbol()) {
                    check(&what, &buffer, Rect::new(1, y, w - 2, 1));
                }
            }
            press(&mut s, KeyCode::Tab);
        }
    }
    let unmarked = unmarked.into_inner();
    assert!(unmarked.is_empty(), "cut without a mark: {unmarked:#?}");
}

#[test]
fn at_80x24_every_pane_shows_its_data() {
    let s = focused("default", '1', 80, 24);
    let screen = render(&s, 80, 24);
    let screen = screen.split("\n-- styles").next().unwrap();
    for needed in [
        // Rollouts: state symbol, name, ready count and restarts.
        "✗ payments-api    2/3 1 restarts/1h",
        // Health: status code and latency in full.
        "▲ health  200  420ms",
        "✗ ready   503   12ms",
        // Signals: values.
        "✗ error-rate  3.4%",
        "▲ p95-latency 420ms",
        // Checklist: what each check says now, and what is below the edge.
        "✗ 3.4% (worst of 3)",
        "↓ 5 more below",
        // Timeline: time, outcome and the text, cut with a mark.
        "11-23 06:05 ✗ probe read…",
    ] {
        assert!(screen.contains(needed), "{needed:?} is missing:\n{screen}");
    }
}

#[test]
fn the_timeline_title_shows_its_kind_and_its_filter() {
    let mut s = focused("default", '5', 100, 30);
    press(&mut s, KeyCode::Char('z'));
    let total = s.timeline.len();
    press(&mut s, KeyCode::Char('t'));
    let kind = s.timeline_filter.clone().unwrap();
    let shown = s.row_count(ops_tui::state::Pane::Timeline);
    let screen = render(&s, 100, 30);
    assert!(
        screen.contains(&format!("[5] Timeline kind:{kind} {shown} of {total} ")),
        "{screen}"
    );
    press(&mut s, KeyCode::Char('/'));
    for c in "probe".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    let shown = s.row_count(ops_tui::state::Pane::Timeline);
    let screen = render(&s, 100, 30);
    assert!(
        screen.contains(&format!(
            "[5] Timeline kind:{kind} /probe {shown} of {total} "
        )),
        "{screen}"
    );
}

/// The footer shows the focused pane's keys as the keymap binds them:
/// rebinding one changes the footer.
#[test]
fn the_footer_shows_the_keys_the_keymap_binds() {
    let footer = |s: &AppState| {
        let screen = render(s, 120, 24);
        screen.lines().nth(23).unwrap().to_string()
    };
    let mut s = busy("default");
    press(&mut s, KeyCode::Char('4'));
    let default = footer(&s);
    assert!(
        default.contains("space tick  x skip  n note  w walkthrough"),
        "{default}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("keymaps")).unwrap();
    std::fs::write(
        dir.path().join("keymaps/default.toml"),
        "[dashboard]\nspace = \"unbind\"\nT = \"tick\"\nx = \"unbind\"\nX = \"skip_item\"\n",
    )
    .unwrap();
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    assert!(warnings.is_empty(), "{warnings:?}");
    s.keymap = keymap;
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('4'));
    let rebound = footer(&s);
    assert!(rebound.contains("T tick  X skip  n note"), "{rebound}");
    assert!(!rebound.contains("space"), "{rebound}");
    // Timeline and Health have their own keys.
    press(&mut s, KeyCode::Char('5'));
    assert!(
        footer(&s).contains("/ filter  t kind  * star"),
        "{}",
        footer(&s)
    );
    press(&mut s, KeyCode::Char('2'));
    assert!(
        footer(&s).contains("enter detail  R burst"),
        "{}",
        footer(&s)
    );
}

#[test]
fn log_lines_are_cut_with_marks_scroll_sideways_and_wrap() {
    use ops_tui::state::logs::LogEvent;
    let mut s = busy("default");
    s.size = (80, 24);
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-api")
        .unwrap();
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('l'));
    let stream = s.next_stream;
    let lines: Vec<String> = (0..30)
        .map(|i| match i % 3 {
            0 => format!("2026-11-23T06:00:{i:02}Z ERROR charge failed: upstream payments-db reset the connection after 30s (request {i}, attempt 3 of 3, giving up)"),
            _ => format!("2026-11-23T06:00:{i:02}Z INFO ok {i}"),
        })
        .collect();
    update(&mut s, Msg::Log(stream, LogEvent::Lines(lines)));
    let cut = render(&s, 80, 24);
    assert_snapshot!("log_view_cut_80x24", cut);
    let text = cut.split("\n-- styles").next().unwrap();
    assert!(
        text.contains("ERROR charge failed: upstream payments-db reset the conn…"),
        "{text}"
    );
    assert!(text.contains("↑ 11 more above"), "{text}");
    // The footer offers wrap and sideways scrolling with the keymap's keys
    // (at 80 columns, some of the hints give way, marked).
    for hint in [("w", "wrap"), ("left/right", "sideways")] {
        assert!(
            s.hints().iter().any(|(k, l)| (k.as_str(), *l) == hint),
            "{:?}",
            s.hints()
        );
    }
    assert!(text.contains(" w wrap …"), "{text}");

    press(&mut s, KeyCode::Right);
    press(&mut s, KeyCode::Right);
    let sideways = render(&s, 80, 24);
    assert_snapshot!("log_view_scrolled_sideways_80x24", sideways);
    let text = sideways.split("\n-- styles").next().unwrap();
    assert!(text.contains("from column 33"), "{text}");
    // Cut at both ends, each marked.
    assert!(
        text.contains(
            "┃…e failed: upstream payments-db reset the connection after 30s (request 12, a…┃"
        ),
        "{text}"
    );
    // A short line scrolled past entirely is a mark alone.
    assert!(text.contains("┃…      "), "{text}");

    press(&mut s, KeyCode::Char('w'));
    assert!(s.walkthrough().is_none(), "w wraps in the log view");
    let wrapped = render(&s, 80, 24);
    assert_snapshot!("log_view_wrapped_80x24", wrapped);
    let text = wrapped.split("\n-- styles").next().unwrap();
    assert!(
        text.contains("giving up)"),
        "the end of a long line is in view:\n{text}"
    );
    assert!(text.contains("wrapping"), "{text}");
    assert!(!text.contains("from column"), "{text}");
}

#[test]
fn help_fits_80x24_and_spreads_at_160_columns() {
    let mut s = busy("default");
    press(&mut s, KeyCode::Char('?'));
    s.size = (160, 48);
    let wide = render(&s, 160, 48);
    assert_snapshot!("help_160x48", wide);
    let text = wide.split("\n-- styles").next().unwrap();
    let inside: Vec<&str> = text.lines().filter_map(|l| l.split('║').nth(1)).collect();
    assert!(inside.len() > 40, "{text}");
    assert!(
        inside.iter().all(|l| !l.contains('…')),
        "nothing is cut at 160 columns:\n{text}"
    );
    assert!(text.contains("more below"), "{text}");
    s.size = (80, 24);
    let narrow = render(&s, 80, 24);
    assert_snapshot!("help_80x24", narrow);
    let text = narrow.split("\n-- styles").next().unwrap();
    assert!(text.contains("more below"), "{text}");
    assert!(
        text.contains('…'),
        "long descriptions are cut with a mark:\n{text}"
    );
    press(&mut s, KeyCode::End);
    let end = render(&s, 80, 24);
    let text = end.split("\n-- styles").next().unwrap();
    assert!(text.contains("more above"), "{text}");
    assert!(!text.contains("more below"), "{text}");
    assert!(
        text.contains("unknown: no data yet"),
        "the last line is in view:\n{text}"
    );
}
