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
    let rows = state
        .timeline
        .iter()
        .map(|r| {
            let (symbol, status) = match r.ok {
                Some(true) => (Status::Ok.symbol(), Status::Ok),
                Some(false) => (Status::Fail.symbol(), Status::Fail),
                None => ("·", Status::Unknown),
            };
            Line::from(vec![
                Span::styled(format!("{} ", r.time), theme.muted()),
                Span::styled(format!("{symbol} "), theme.status(status)),
                Span::styled(format!("{} ", r.user), theme.accent()),
                Span::styled(r.text.clone(), theme.base()),
            ])
        })
        .collect();
    Content {
        rows,
        notes: Vec::new(),
    }
}
