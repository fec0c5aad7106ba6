//! The demo's fault menu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::state::AppState;
use crate::state::faults::FaultMenu;
use crate::ui::fit::{fit_line, scrolled};

pub fn draw(frame: &mut Frame, state: &AppState, menu: &FaultMenu, body: Rect) {
    let theme = &state.theme;
    let height = (state.faults.len() as u16 + 5).min(body.height);
    let width = 60.min(body.width);
    let area = super::centered(body, width, height);
    let rows: Vec<Line<'static>> = state
        .faults
        .iter()
        .enumerate()
        .map(|(i, fault)| {
            let marker = if i == menu.selected { "▸ " } else { "  " };
            Line::from(vec![Span::raw(marker), Span::raw(fault.label)]).style(theme.base())
        })
        .collect();
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .style(theme.base())
        .title(Line::styled(
            " Rehearse an incident (demo) ",
            theme.title(true),
        ));
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let mut lines = vec![
        fit_line(
            Line::styled("Break the simulated environment on purpose:", theme.muted()),
            width,
        ),
        Line::raw(""),
    ];
    // On a short screen the faults scroll, with marks for those beyond.
    lines.extend(scrolled(
        theme,
        rows,
        Some(menu.selected),
        width,
        usize::from(inner.height.saturating_sub(2)),
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
