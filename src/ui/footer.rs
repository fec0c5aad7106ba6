//! The footer: key hints for the focused pane (or the open dialog),
//! generated from the active keymap. Hints that do not fit go whole, from
//! the end, and an ellipsis says some did.

use crate::kinds::WorkloadKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::fit::{ELLIPSIS, fit_line};
use crate::state::AppState;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    frame.render_widget(Paragraph::new(line(state, usize::from(area.width))), area);
}

/// The hints in `width` columns.
pub fn line(state: &AppState, width: usize) -> Line<'static> {
    let theme = &state.theme;
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    let paused = state.target_paused();
    let kind = state.target_workload().map(|d| d.kind);
    let all = state.hints();
    let count = all.len();
    // Read-only says so right after help, before any hint can give way.
    let mut hints: Vec<&(String, &str)> = all.iter().collect();
    if let Some(at) = hints.iter().position(|(k, _)| k == "RO") {
        let ro = hints.remove(at);
        hints.insert(1.min(hints.len()), ro);
    }
    for (i, (key, hint)) in hints.into_iter().enumerate() {
        // p pauses a running Deployment and resumes a paused one, and
        // suspends a Job or CronJob; r runs a CronJob now.
        let hint = match (*hint, kind) {
            ("pause", _) if paused => "resume",
            ("pause", Some(WorkloadKind::Job | WorkloadKind::CronJob)) => "suspend",
            ("restart", Some(WorkloadKind::CronJob)) => "run now",
            ("restart", Some(WorkloadKind::Job)) => "retry pod",
            (hint, _) => hint,
        };
        let gap = if i > 0 { "  " } else { "" };
        let text = format!(" {hint}");
        let w = gap.width() + key.width() + text.width();
        // Room for this hint, and for the mark if more follow.
        let mark = if i + 1 < count { 2 } else { 0 };
        if used + w + mark > width {
            spans.push(Span::styled(format!(" {ELLIPSIS}"), theme.muted()));
            break;
        }
        used += w;
        spans.push(Span::styled(gap, theme.muted()));
        spans.push(Span::styled(key.clone(), theme.accent()));
        spans.push(Span::styled(text, theme.muted()));
    }
    fit_line(Line::from(spans), width)
}
