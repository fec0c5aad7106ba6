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
    let banner = regression_banner(state, area.width);
    let [header_area, banner_area, warning_area, body, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner.len() as u16),
        Constraint::Length(u16::from(warning.is_some())),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, state, header_area);
    let banner: Vec<Line> = banner
        .into_iter()
        .map(|l| fit::fit_line(l, usize::from(banner_area.width)))
        .collect();
    frame.render_widget(Paragraph::new(banner), banner_area);
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

/// The regression banner, under the header on every screen while a
/// rollout's regression is open: the newest, naming the rollout, the time
/// since it began, the key that opens its rollback, the check, its value,
/// the baseline and why. One line where it fits, else two.
fn regression_banner(state: &AppState, width: u16) -> Vec<Line<'static>> {
    let open: Vec<_> = state.guard.open().collect();
    let Some((f, r)) = open.iter().max_by_key(|(_, r)| r.at) else {
        return Vec::new();
    };
    let theme = &state.theme;
    let fail = crate::status::Status::Fail;
    let undo = state
        .keymap
        .pane_key(crate::action::Action::UndoRegression)
        .map(|k| format!(" · {k} rolls back"))
        .unwrap_or_default();
    let more = match open.len() {
        1 => String::new(),
        n => format!(" (+{} more)", n - 1),
    };
    let split = r
        .split
        .as_ref()
        .filter(|_| !r.why.contains("new pods"))
        .map(|s| format!(" · {s}"))
        .unwrap_or_default();
    let head = vec![
        Span::styled(
            format!(" {} REGRESSION{more} ", fail.symbol()),
            theme.status(fail),
        ),
        Span::styled(format!(" {}", f.title()), theme.title(true)),
        Span::styled(
            format!(
                ", {} in{undo}",
                crate::checks::regress::ago(state.now - f.started)
            ),
            theme.base(),
        ),
    ];
    let what = fit::one_line(&format!(
        "{} {} (baseline {}): {}{split}",
        crate::checks::regress::check_words(&r.check),
        r.value,
        r.baseline,
        r.why,
    ))
    .into_owned();
    let one =
        Line::from(head.clone()).width() + 3 + unicode_width::UnicodeWidthStr::width(what.as_str());
    if one <= usize::from(width) {
        let mut spans = head;
        spans.push(Span::styled(format!(" · {what}"), theme.base()));
        vec![Line::from(spans)]
    } else {
        vec![
            Line::from(head),
            Line::from(vec![
                Span::styled("   ", theme.base()),
                Span::styled(what, theme.status(fail)),
            ]),
        ]
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
