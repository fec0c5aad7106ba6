//! Issue 13 at 80x24: the notice and warning line under the header is
//! fitted with an ellipsis (on one line, however many lines the text has),
//! and the lists in dialogs say how many rows are above and below the edge.

use super::*;
use crate::common::snapshots::Place;
use ops_tui::kube::actions::Plan;
use ops_tui::state::actions::{Dialog, RevisionChoice};
use ops_tui::state::bluegreen::{Colour, Switch};

/// These snapshots, as the `snapshots` test binary's module `marks` wrote
/// them.
const SNAPSHOTS: Place = Place::new("tests/screens/snapshots", "snapshots__marks");

/// The screen's text, one string per row, without the style runs.
fn screen_rows(screen: &str) -> Vec<String> {
    screen
        .split("\n-- styles")
        .next()
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// The number in "↑ N more above" / "↓ N more below" on a row, if any.
fn mark(row: &str, arrow: char) -> Option<usize> {
    let (_, rest) = row.split_once(arrow)?;
    rest.split_whitespace().next()?.parse().ok()
}

#[test]
fn a_long_notice_is_cut_with_an_ellipsis_on_one_line_at_80x24() {
    let mut s = example("staging");
    // Short: whole, with no mark.
    update(
        &mut s,
        Msg::Notice("tick: select an item in the Checklist pane first".into()),
    );
    let screen = render(&s, 80, 24);
    let row = &screen_rows(&screen)[1];
    assert_eq!(
        row.trim_end(),
        " ● tick: select an item in the Checklist pane first"
    );
    // Longer than the screen, and of several lines (an API server's
    // message): one row, read on across the line breaks, cut with a mark.
    update(
        &mut s,
        Msg::Notice(
            "dry run refused: a webhook denied the request:\n\
             spec.template.spec.containers[0].image must come from registry.example.com\n\
             (see the cluster's admission policy)"
                .into(),
        ),
    );
    let screen = render(&s, 80, 24);
    let rows = screen_rows(&screen);
    let row = &rows[1];
    assert!(row.ends_with('…'), "{row:?}");
    assert_eq!(row.chars().count(), 80, "{row:?}");
    assert!(
        row.contains("denied the request: spec.template.spec"),
        "the line break reads as a space: {row:?}"
    );
    // The panes start right below: the notice took one row.
    assert!(
        rows[2].starts_with('┏') || rows[2].starts_with('┌'),
        "{rows:#?}"
    );
    assert_snapshot!("notice_cut_80x24", screen);
}

#[test]
fn a_long_warning_is_cut_with_an_ellipsis_at_80x24() {
    let mut s = empty("default");
    update(
        &mut s,
        Msg::Warning(
            "/home/x/.config/ops-tui/keymaps/default.toml:2:5: [dashboard] key \"q\": unknown action \"quti\"".into(),
        ),
    );
    let screen = render(&s, 80, 24);
    let row = &screen_rows(&screen)[1];
    assert!(row.starts_with(" ▲ warning "), "{row:?}");
    assert!(row.contains("/home/x/.config/ops-tui/keymaps/"), "{row:?}");
    assert!(row.ends_with('…'), "{row:?}");
    assert_eq!(row.chars().count(), 80, "{row:?}");
}

/// A rollback of payments-api with `count` revisions, newest first, the
/// current one at the top and `selected` chosen.
fn many_revisions(count: i64, selected: usize) -> AppState {
    let mut s = example("prod");
    let choices = (0..count)
        .map(|i| {
            let revision = count - i;
            RevisionChoice {
                revision,
                images: vec![format!("registry.example.com/payments/api:2.{revision}.0")],
                change_cause: Some(format!("release 2.{revision}.0")),
                current: i == 0,
                diff: vec![format!(
                    "api: image registry.example.com/payments/api:2.{count}.0 → registry.example.com/payments/api:2.{revision}.0"
                )],
                plan: if i == 0 {
                    Err("already current".into())
                } else {
                    Ok(Plan::pause("payments", "payments-api", true))
                },
            }
        })
        .collect();
    s.set_dialog(Some(Dialog::PickRevision {
        kind: ops_tui::kinds::WorkloadKind::Deployment,
        deployment: "payments-api".into(),
        choices,
        selected,
        because: None,
    }));
    s
}

/// The revisions shown on the screen, in order.
fn revisions_shown(rows: &[String]) -> Vec<i64> {
    rows.iter()
        .filter_map(|r| {
            let (_, rest) = r.split_once("revision ")?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .collect()
}

#[test]
fn a_long_revision_list_marks_what_is_above_and_below_at_80x24() {
    // At the top: nothing above, the rest counted below.
    let s = many_revisions(30, 1);
    let screen = render(&s, 80, 24);
    let rows = screen_rows(&screen);
    let shown = revisions_shown(&rows);
    assert_eq!(shown.first(), Some(&30), "{rows:#?}");
    assert!(shown.contains(&29), "the selected revision is in view");
    assert!(!rows.iter().any(|r| r.contains("more above")), "{rows:#?}");
    let below = rows
        .iter()
        .find_map(|r| mark(r, '↓'))
        .expect("a mark below");
    assert_eq!(shown.len() + below, 30, "{rows:#?}");
    // The diff of the chosen revision and the list both fit below it.
    assert!(
        rows.iter()
            .any(|r| r.contains("What changes going back to revision 29:")),
        "{rows:#?}"
    );

    // In the middle: marks at both ends that count every row not shown,
    // the chosen one in view and highlighted.
    let s = many_revisions(30, 15);
    let screen = render(&s, 80, 24);
    let rows = screen_rows(&screen);
    let shown = revisions_shown(&rows);
    let above = rows
        .iter()
        .find_map(|r| mark(r, '↑'))
        .expect("a mark above");
    let below = rows
        .iter()
        .find_map(|r| mark(r, '↓'))
        .expect("a mark below");
    assert_eq!(above + shown.len() + below, 30, "{rows:#?}");
    // Newest first: the rows above are the newer revisions.
    assert_eq!(shown.first(), Some(&(30 - above as i64)), "{rows:#?}");
    assert!(shown.contains(&15), "{rows:#?}");
    assert!(
        rows.iter().any(|r| r.contains("▸ revision 15")),
        "{rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("What changes going back to revision 15:")),
        "{rows:#?}"
    );
    assert_snapshot!("rollback_revisions_scrolled_80x24", screen);

    // At the end: the oldest revision is the last row, nothing below.
    let s = many_revisions(30, 29);
    let rows = screen_rows(&render(&s, 80, 24));
    let shown = revisions_shown(&rows);
    assert_eq!(shown.last(), Some(&1), "{rows:#?}");
    assert!(!rows.iter().any(|r| r.contains("more below")), "{rows:#?}");
    let above = rows
        .iter()
        .find_map(|r| mark(r, '↑'))
        .expect("a mark above");
    assert_eq!(above + shown.len(), 30, "{rows:#?}");
}

#[test]
fn a_short_revision_list_has_no_marks() {
    let s = many_revisions(3, 1);
    let rows = screen_rows(&render(&s, 80, 24));
    assert_eq!(revisions_shown(&rows), [3, 2, 1], "{rows:#?}");
    assert!(
        !rows
            .iter()
            .any(|r| r.contains("more above") || r.contains("more below"))
    );
}

#[test]
fn a_long_blue_green_list_marks_what_is_below_at_80x24() {
    let mut s = incident();
    let colours: Vec<Colour> = (0..25)
        .map(|i| Colour {
            value: format!("c{i:02}"),
            deployment: format!("payments-api-c{i:02}"),
            desired: 3,
            available: 3,
            ready: true,
            why_not: None,
            current: i == 0,
        })
        .collect();
    s.set_dialog(Some(Dialog::PickColour {
        switch: Switch {
            service: "payments-api".into(),
            label: "version".into(),
            current: Some("c00".into()),
            colours,
        },
        selected: 2,
    }));
    let rows = screen_rows(&render(&s, 80, 24));
    let shown: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains("→ deployment/"))
        .collect();
    assert!(
        shown.iter().any(|r| r.contains("▸ version=c02")),
        "{rows:#?}"
    );
    let below = rows
        .iter()
        .find_map(|r| mark(r, '↓'))
        .expect("a mark below");
    assert_eq!(shown.len() + below, 25, "{rows:#?}");
    // Each row is cut at the dialog's edge with a mark, not wrapped.
    assert!(shown.iter().all(|r| r.contains('…')), "{shown:#?}");
}

#[test]
fn a_long_context_picker_marks_what_is_above_and_below_at_80x24() {
    let mut s = incident();
    s.contexts = (0..40).map(|i| format!("cluster-{i:02}")).collect();
    press(&mut s, KeyCode::Char('C'));
    for _ in 0..20 {
        press(&mut s, KeyCode::Down);
    }
    let rows = screen_rows(&render(&s, 80, 24));
    let shown = rows.iter().filter(|r| r.contains("cluster-")).count();
    let above = rows
        .iter()
        .find_map(|r| mark(r, '↑'))
        .expect("a mark above");
    let below = rows
        .iter()
        .find_map(|r| mark(r, '↓'))
        .expect("a mark below");
    let Some(picker) = s.picker() else {
        panic!("no picker")
    };
    assert_eq!(above + shown + below, picker.entries.len(), "{rows:#?}");
}
