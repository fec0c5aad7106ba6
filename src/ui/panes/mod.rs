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
    let title_room = usize::from(area.width.saturating_sub(2));
    let filter = state.filter(pane);
    let mut block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(title(state, pane).line(theme, focused, title_room));
    if let Some(editing) = &filter.editing {
        block = block.title_bottom(fit_line(
            super::filter::input_line(theme, &editing.input, title_room),
            title_room,
        ));
    }
    let mut inner = block.inner(area);
    frame.render_widget(block, area);

    let width = usize::from(inner.width);
    // A filter naming a field the pane does not have: said above the rows.
    if let Some(problem) = filter.filter.problem(AppState::fields(pane))
        && inner.height > 2
    {
        let [line, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(
            Paragraph::new(super::filter::problem_line(theme, &problem, width)),
            line,
        );
        inner = rest;
    }
    // A selected workload that is gone highlights no other row.
    let focused = focused && !(pane == Pane::Rollouts && state.picked_gone);
    let selected = focused.then_some(state.selected[pane.index()]);
    let height = usize::from(inner.height);
    let mut content = match pane {
        Pane::Rollouts => rollouts::content(state, width, (height, selected)),
        Pane::Health => health::content(state, width),
        Pane::Signals => signals::content(state, width),
        Pane::Checklist => checklist::content(state, width),
        Pane::Timeline => timeline::content(state, width),
    };
    // Nothing matching is said first.
    if let Some(why) = state.no_match(pane) {
        content.notes.insert(0, Line::styled(why, theme.muted()));
    }
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

/// A pane's title: its name, its filter, how many rows it shows of how
/// many, and those that need attention.
fn title(state: &AppState, pane: Pane) -> super::filter::Title {
    let focused = state.focus == pane;
    let filter = state.filter(pane);
    let shown = state.visible(pane);
    let (shown_count, total) = match pane {
        // Items are counted, not the phases between them.
        Pane::Checklist => {
            let items = |rows: &mut dyn Iterator<Item = usize>| {
                rows.filter(|i| {
                    matches!(
                        state.checklist.get(*i),
                        Some(crate::state::checklist::ChecklistRow::Item { .. })
                    )
                })
                .count()
            };
            (
                items(&mut shown.iter().copied()),
                items(&mut (0..state.checklist.len())),
            )
        }
        _ => (shown.len(), state.total_rows(pane)),
    };
    let mut end = Vec::new();
    if pane == Pane::Rollouts
        && let Some(silent) = state.cluster.stale_for(state.now)
    {
        end.push(Span::styled(
            format!(" STALE: as of {} ago", crate::human::age(silent)),
            state.theme.status(crate::status::Status::Fail),
        ));
    }
    super::filter::Title {
        key: state
            .keymap
            .pane_key(pane.focus_action())
            .map(|k| format!("[{k}] "))
            .unwrap_or_default(),
        filter: state.filter_words(pane),
        shown: shown_count,
        total,
        narrowed: state.narrowed(pane),
        problem: filter
            .filter
            .problem(AppState::fields(pane))
            .map(|p| super::filter::problem_short(&p)),
        counts: counts(state, pane, &shown),
        zoomed: focused && state.zoomed,
        end,
        ..super::filter::Title::new(pane.title())
    }
}

/// The rows shown that need attention, by kind of trouble (only the kinds
/// there are show): the Rollouts pane's failing (failed or missing), in
/// progress and held (paused, suspended, OnDelete); failing and degraded
/// probes; signals breaching a threshold; checklist items done and
/// regressed; failures in the Timeline.
fn counts(
    state: &AppState,
    pane: Pane,
    shown: &[usize],
) -> Vec<(usize, &'static str, crate::status::Status)> {
    use crate::kube::rollout::Rollout;
    use crate::state::checklist::{ChecklistRow, ItemState};
    use crate::status::Status;
    let count = |f: &dyn Fn(usize) -> bool| shown.iter().filter(|i| f(**i)).count();
    match pane {
        Pane::Rollouts => {
            let (mut failing, mut moving, mut held) = (0, 0, 0);
            for row in shown.iter().filter_map(|i| state.cluster.rows.get(*i)) {
                match &row.rollout {
                    None if state.cluster.is_listed(row.kind) => failing += 1,
                    Some(Rollout::Failed(_)) => failing += 1,
                    Some(Rollout::Waiting | Rollout::Progressing(_) | Rollout::Running(_)) => {
                        moving += 1
                    }
                    Some(Rollout::Paused(_) | Rollout::OnDelete(_) | Rollout::Suspended(_)) => {
                        held += 1
                    }
                    _ => {}
                }
            }
            vec![
                (failing, "failing", Status::Fail),
                (moving, "in progress", Status::Warn),
                (held, "held", Status::Warn),
            ]
        }
        Pane::Health => {
            let status = |i: usize| {
                let name = state.runbook.as_ref()?.probes().nth(i)?.name.get_ref();
                let last = state.health.get(name)?.last.as_ref()?;
                Some(crate::probe::status(last))
            };
            vec![
                (
                    count(&|i| status(i) == Some(Status::Fail)),
                    "failing",
                    Status::Fail,
                ),
                (
                    count(&|i| status(i) == Some(Status::Warn)),
                    "degraded",
                    Status::Warn,
                ),
            ]
        }
        Pane::Signals => {
            let breaching = count(&|i| {
                let reading = state
                    .runbook
                    .as_ref()
                    .and_then(|r| r.signals().nth(i))
                    .and_then(|s| state.signals.signals.get(s.name.get_ref()))
                    .and_then(|k| k.reading.as_ref());
                crate::state::search::breaching(reading)
            });
            vec![(breaching, "breaching", Status::Fail)]
        }
        Pane::Checklist => {
            let state_of = |i: usize| match state.checklist.get(i) {
                Some(ChecklistRow::Item { id, .. }) => state.items.get(id),
                _ => None,
            };
            vec![
                (
                    count(&|i| matches!(state_of(i), Some(ItemState::Done { stale: false, .. }))),
                    "done",
                    Status::Ok,
                ),
                (
                    count(&|i| {
                        matches!(
                            state_of(i),
                            Some(ItemState::Done {
                                stale: false,
                                regressed: Some(_),
                                ..
                            })
                        )
                    }),
                    "regressed",
                    Status::Fail,
                ),
            ]
        }
        Pane::Timeline => vec![(
            count(&|i| state.timeline.get(i).is_some_and(|r| r.ok == Some(false))),
            "failed",
            Status::Fail,
        )],
    }
}
