//! Rendering: pure functions of `&AppState`. Nothing here does I/O or
//! changes state.

mod detail;
mod dialogs;
pub mod filter;
pub mod fit;
mod footer;
mod header;
pub mod layout;
mod object;
pub mod panes;
mod signal_detail;
pub mod spark;
mod walkthrough;
mod workload;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::state::AppState;
use crate::state::screen::{Overlay, Screen};

pub use crate::state::{MIN_HEIGHT, MIN_WIDTH};

pub fn draw(frame: &mut Frame, state: &AppState) {
    let area = frame.area();
    frame.render_widget(Block::new().style(state.theme.base()), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, state, area);
        return;
    }
    let warning = visible_warning(state);
    let [header_area, warning_area, body, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(warning.is_some())),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, state, header_area);
    if let Some(line) = warning {
        let line = fit::fit_line(line, usize::from(warning_area.width));
        frame.render_widget(Paragraph::new(line), warning_area);
    }
    match &state.screen {
        Screen::Workload(view) => workload::draw(frame, state, view, body),
        Screen::Walkthrough { .. } => walkthrough::draw(frame, state, body),
        Screen::Detail(detail) => detail::draw(frame, state, detail, body),
        Screen::Object(view) => object::draw(frame, state, view, body),
        Screen::Dashboard => {
            for (pane, rect) in layout::panes(body, state.zoomed, state.focus) {
                panes::draw(frame, state, pane, rect);
            }
        }
    }
    footer::draw(frame, state, footer_area);
    match &state.overlay {
        None => {}
        Some(Overlay::Help(help)) => dialogs::help::draw(frame, state, help, body),
        Some(Overlay::Faults(menu)) => dialogs::faults::draw(frame, state, menu, body),
        Some(Overlay::Nodes(view)) => dialogs::nodes::draw(frame, state, view, body),
        Some(Overlay::Picker(picker)) => dialogs::picker::draw(frame, state, picker, body),
        Some(Overlay::Action(dialog)) => dialogs::action::draw(frame, state, dialog, body),
    }
}

/// The line under the header: the notice, else the first warning; one
/// line, cut with an ellipsis at the edge (`draw` fits it).
fn visible_warning(state: &AppState) -> Option<Line<'static>> {
    if let Some(notice) = &state.notice {
        return Some(Line::from(vec![
            Span::styled(" ● ", state.theme.info()),
            Span::styled(fit::one_line(notice).into_owned(), state.theme.base()),
        ]));
    }
    if state.warnings_hidden {
        return None;
    }
    let first = state.warnings.first()?;
    let theme = &state.theme;
    let count = match state.warnings.len() {
        1 => " ▲ warning ".to_string(),
        n => format!(" ▲ {n} warnings, `ops-tui validate` lists them "),
    };
    Some(Line::from(vec![
        Span::styled(count, theme.status(crate::status::Status::Warn)),
        Span::styled(" esc hides · ", theme.muted()),
        Span::styled(fit::one_line(first).into_owned(), theme.base()),
    ]))
}

fn too_small(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let text = vec![
        Line::styled("Terminal too small", theme.title(true)),
        Line::raw(""),
        Line::styled(
            format!(
                "{}x{} here; ops-tui needs at least {MIN_WIDTH}x{MIN_HEIGHT}.",
                area.width, area.height
            ),
            theme.base(),
        ),
        Line::styled("Enlarge the window, or press q to quit.", theme.muted()),
    ];
    // Lines wrap in a narrow terminal: count the rows they take.
    let width = usize::from(area.width.max(1));
    let rows: usize = text.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    let height = (rows as u16).min(area.height);
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        middle,
    );
}

#[cfg(test)]
mod label_tests;
