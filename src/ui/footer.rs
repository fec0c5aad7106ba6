//! The footer: key hints for the focused pane (or the open dialog),
//! generated from the active keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::state::AppState;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let mut spans = vec![Span::raw(" ")];
    let paused = state.target_paused();
    for (i, (key, hint)) in state.hints.iter().enumerate() {
        // p pauses a running Deployment and resumes a paused one.
        let hint = if *hint == "pause" && paused {
            "resume"
        } else {
            hint
        };
        if i > 0 {
            spans.push(Span::styled("  ", theme.muted()));
        }
        spans.push(Span::styled(key.clone(), theme.accent()));
        spans.push(Span::styled(format!(" {hint}"), theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
