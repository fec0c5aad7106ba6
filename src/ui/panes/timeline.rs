//! The Timeline pane: the journal, newest first.

use ratatui::text::Span;

use super::{Content, heading, note};
use crate::state::AppState;
use crate::status::Status;
use crate::ui::fit::{Cell, columns};

pub fn content(state: &AppState, width: usize) -> Content {
    let theme = &state.theme;
    if state.timeline.is_empty() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(theme, "Nothing recorded yet."),
                note(
                    theme,
                    "Actions taken, items ticked, notes and checks that change state appear here, newest first.",
                ),
            ],
        };
    }
    let today = jiff::Timestamp::from_second(state.now)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    // Time, outcome and what happened first; who did it goes before the
    // text is cut short.
    let rows: Vec<Vec<Cell>> = state
        .timeline_rows()
        .map(|r| {
            let (symbol, status) = match r.ok {
                Some(true) => (Status::Ok.symbol(), Status::Ok),
                Some(false) => (Status::Fail.symbol(), Status::Fail),
                None => ("·", Status::Unknown),
            };
            vec![
                Cell::keep(Span::styled(
                    format!("{} ", stamp(&r.at, &r.time, &today)),
                    theme.muted(),
                )),
                Cell::keep(Span::styled(format!("{symbol} "), theme.status(status))),
                Cell::keep(Span::styled(
                    if r.starred { "★ " } else { "" },
                    theme.status(Status::Warn),
                )),
                // Not yet in the cluster's copy of a shared journal.
                Cell::keep(if state.team.local_only.contains(&r.id) {
                    Span::styled("(local) ", theme.status(Status::Warn))
                } else {
                    Span::raw("")
                }),
                Cell::at(1, Span::styled(format!("{} ", r.user), theme.accent())),
                Cell::flex(0, Span::styled(r.text.clone(), theme.base())),
            ]
        })
        .collect();
    Content {
        rows: columns(rows, width),
        notes: Vec::new(),
    }
}

/// HH:MM:SS for today (UTC); "MM-DD HH:MM" for another day, so entries of
/// a journal that spans days do not look alike.
fn stamp<'a>(at: &str, time: &'a str, today: &str) -> std::borrow::Cow<'a, str> {
    match (at.get(..10), at.get(5..10), at.get(11..16)) {
        (Some(day), Some(month_day), Some(hh_mm)) if day != today => {
            format!("{month_day} {hh_mm}").into()
        }
        _ => time.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::stamp;

    #[test]
    fn another_day_shows_its_date() {
        let today = "2026-11-23";
        assert_eq!(stamp("2026-11-23T09:01:02Z", "09:01:02", today), "09:01:02");
        assert_eq!(
            stamp("2026-11-22T09:01:02Z", "09:01:02", today),
            "11-22 09:01"
        );
        assert_eq!(stamp("garbage", "garbage", today), "garbage");
    }
}
