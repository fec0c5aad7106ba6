//! The five panes. Each returns its rows (selectable) and notes (below
//! them, explaining an empty or partial state); this module draws the frame.

mod checklist;
pub mod health;
mod rollouts;

mod signals;
mod timeline;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use super::fit::{fit, fit_line, scrolled};
use crate::action::Action;
use crate::config::theme::Theme;
use crate::state::{AppState, Pane};

/// What a pane shows: selectable rows, then explanatory notes.
pub struct Content {
    pub rows: Vec<Line<'static>>,
    pub notes: Vec<Line<'static>>,
}

pub fn draw(frame: &mut Frame, state: &AppState, pane: Pane, area: Rect) {
    let theme = &state.theme;
    let focused = state.focus == pane;
    let key = state
        .keymap
        .pane_key(pane.focus_action())
        .map(|k| format!("[{k}] "))
        .unwrap_or_default();
    let mut title = vec![
        Span::styled(" ", theme.border(focused)),
        Span::styled(key, theme.muted()),
        Span::styled(pane.title(), theme.title(focused)),
        Span::styled(" ", theme.border(focused)),
    ];
    if pane == Pane::Timeline
        && let Some(kind) = &state.timeline_filter
    {
        title.push(Span::styled(format!(" /{kind} "), theme.accent()));
    }
    if focused && state.zoomed {
        title.push(Span::styled("zoomed ", theme.muted()));
    }
    if pane == Pane::Rollouts && !state.cluster.rows.is_empty() {
        title.extend(rollout_counts(state));
    }
    if pane == Pane::Rollouts
        && let Some(silent) = state.cluster.stale_for(state.now)
    {
        title.push(Span::styled(
            format!(" STALE: as of {} ago ", crate::human::age(silent)),
            theme.status(crate::status::Status::Fail),
        ));
    }
    let title_room = usize::from(area.width.saturating_sub(2));
    let block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(fit_line(Line::from(title), title_room));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let width = usize::from(inner.width);
    let content = match pane {
        Pane::Rollouts => rollouts::content(state, width),
        Pane::Health => health::content(state, width),
        Pane::Signals => signals::content(state, width),
        Pane::Checklist => checklist::content(state, width),
        Pane::Timeline => timeline::content(state, width),
    };
    // A selected workload that is gone highlights no other row.
    let focused = focused && !(pane == Pane::Rollouts && state.picked_gone);
    let selected = focused.then_some(state.selected[pane.index()]);
    let height = usize::from(inner.height);
    // Rows that fill the pane leave a line for the notes below them.
    let room = if !content.notes.is_empty() && content.rows.len() >= height && height >= 4 {
        height - 1
    } else {
        height
    };
    let rows = scrolled(theme, content.rows, selected, width, room);
    let rows_height = rows.len() as u16;
    // A blank line between rows and notes, unless the rows fill the pane
    // (it would push the selected last row out of view).
    let gap = rows_height > 0 && usize::from(rows_height) + 1 < height;
    let [rows_area, _gap, notes_area] = Layout::vertical([
        Constraint::Length(rows_height),
        Constraint::Length(u16::from(gap)),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(rows), rows_area);
    draw_notes(frame, state, content.notes, notes_area);
}

/// Notes wrap; those that do not fit end with a mark saying how many lines
/// are below and which key zooms the pane.
fn draw_notes(frame: &mut Frame, state: &AppState, notes: Vec<Line<'static>>, area: Rect) {
    if notes.is_empty() || area.height == 0 {
        return;
    }
    let notes = Paragraph::new(notes).wrap(Wrap { trim: false });
    let lines = notes.line_count(area.width);
    let height = usize::from(area.height);
    if lines <= height {
        frame.render_widget(notes, area);
        return;
    }
    let [text_area, mark_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    frame.render_widget(notes, text_area);
    let hidden = lines - usize::from(text_area.height);
    let room = usize::from(area.width);
    let mut text = format!("↓ {hidden} more lines below");
    if let Some(k) = state.keymap.pane_key(Action::ToggleZoom) {
        let zoom = format!(" ({k} zooms)");
        if text.width() + zoom.width() <= room {
            text.push_str(&zoom);
        }
    }
    frame.render_widget(
        Paragraph::new(Line::styled(
            fit(&text, room).into_owned(),
            state.theme.muted(),
        )),
        mark_area,
    );
}

/// A heading line for an empty state.
fn heading(theme: &Theme, text: impl Into<String>) -> Line<'static> {
    Line::styled(text.into(), theme.base())
}

/// An explanatory line in the muted style.
fn note(theme: &Theme, text: impl Into<String>) -> Line<'static> {
    Line::styled(text.into(), theme.muted())
}

/// How many rows the Rollouts pane has and how many need attention:
/// failing (failed or missing), in progress, held (paused, suspended,
/// OnDelete). Only the kinds of trouble there are.
fn rollout_counts(state: &AppState) -> Vec<Span<'static>> {
    use crate::kube::rollout::Rollout;
    use crate::status::Status;
    let theme = &state.theme;
    let (mut failing, mut moving, mut held) = (0, 0, 0);
    for row in &state.cluster.rows {
        match &row.rollout {
            None if state.cluster.is_listed(row.kind) => failing += 1,
            Some(Rollout::Failed(_)) => failing += 1,
            Some(Rollout::Waiting | Rollout::Progressing(_) | Rollout::Running(_)) => moving += 1,
            Some(Rollout::Paused(_) | Rollout::OnDelete(_) | Rollout::Suspended(_)) => held += 1,
            _ => {}
        }
    }
    let mut spans = vec![Span::styled(
        format!("{} ", state.cluster.rows.len()),
        theme.muted(),
    )];
    for (n, word, status) in [
        (failing, "failing", Status::Fail),
        (moving, "in progress", Status::Warn),
        (held, "held", Status::Warn),
    ] {
        if n > 0 {
            spans.push(Span::styled("· ", theme.muted()));
            spans.push(Span::styled(format!("{n} {word} "), theme.status(status)));
        }
    }
    spans
}
