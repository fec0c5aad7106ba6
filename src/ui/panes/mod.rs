//! The five panes. Each returns its rows (selectable) and notes (below
//! them, explaining an empty or partial state); this module draws the frame.

mod checklist;
pub mod health;
mod rollouts;

pub use rollouts::age;
mod signals;
mod timeline;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

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
    if focused && state.zoomed {
        title.push(Span::styled("zoomed ", theme.muted()));
    }
    if pane == Pane::Rollouts
        && let Some(silent) = state.cluster.stale_for(state.now)
    {
        title.push(Span::styled(
            format!(" STALE: as of {} ago ", age(silent)),
            theme.status(crate::config::theme::Status::Fail),
        ));
    }
    let block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let content = match pane {
        Pane::Rollouts => rollouts::content(state),
        Pane::Health => health::content(state),
        Pane::Signals => signals::content(state),
        Pane::Checklist => checklist::content(state),
        Pane::Timeline => timeline::content(state),
    };
    // Rows are cut at the pane's edge; notes below them wrap.
    let selected = state.selected[pane.index()];
    // A selected workload that is gone highlights no other row.
    let focused = focused && !(pane == Pane::Rollouts && state.picked_gone);
    let height = usize::from(inner.height);
    let offset = selected.saturating_sub(height.saturating_sub(1));
    let rows: Vec<Line> = content
        .rows
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, line)| {
            if focused && i == selected {
                line.patch_style(theme.selection())
            } else {
                line
            }
        })
        .collect();
    let rows_height = rows.len() as u16;
    // A blank line between rows and notes, unless the rows fill the pane
    // (it would push the selected last row out of view).
    let gap = rows_height > 0 && rows_height < inner.height;
    let [rows_area, _gap, notes_area] = Layout::vertical([
        Constraint::Length(rows_height),
        Constraint::Length(u16::from(gap)),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(rows), rows_area);
    frame.render_widget(
        Paragraph::new(content.notes).wrap(Wrap { trim: false }),
        notes_area,
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
