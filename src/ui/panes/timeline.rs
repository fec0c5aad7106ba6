//! The Timeline pane: the journal, newest first.

use ratatui::text::{Line, Span};

use super::{Content, heading, note};
use crate::config::theme::Status;
use crate::state::AppState;

pub fn content(state: &AppState) -> Content {
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
    let rows: Vec<Line> = state
        .timeline_rows()
        .map(|r| {
            let (symbol, status) = match r.ok {
                Some(true) => (Status::Ok.symbol(), Status::Ok),
                Some(false) => (Status::Fail.symbol(), Status::Fail),
                None => ("·", Status::Unknown),
            };
            Line::from(vec![
                Span::styled(format!("{} ", r.time), theme.muted()),
                Span::styled(format!("{symbol} "), theme.status(status)),
                Span::styled(
                    if r.starred { "★ " } else { "" },
                    theme.status(Status::Warn),
                ),
                Span::styled(format!("{} ", r.user), theme.accent()),
                Span::styled(r.text.clone(), theme.base()),
            ])
        })
        .collect();
    let notes = match (&state.timeline_filter, rows.is_empty()) {
        (Some(kind), true) => vec![note(
            theme,
            format!("Nothing of kind \"{kind}\": press / for the next filter."),
        )],
        _ => Vec::new(),
    };
    Content { rows, notes }
}
