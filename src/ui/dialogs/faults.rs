//! The demo's fault menu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::state::AppState;
use crate::state::faults::{FAULTS, FaultMenu};

pub fn draw(frame: &mut Frame, state: &AppState, menu: &FaultMenu, body: Rect) {
    let theme = &state.theme;
    let height = (FAULTS.len() as u16 + 5).min(body.height);
    let width = 60.min(body.width);
    let area = super::centered(body, width, height);
    let mut lines: Vec<Line> = vec![
        Line::styled("Break the simulated environment on purpose:", theme.muted()),
        Line::raw(""),
    ];
    for (i, fault) in FAULTS.iter().enumerate() {
        let marker = if i == menu.selected { "▸ " } else { "  " };
        let line = Line::from(vec![Span::raw(marker), Span::raw(fault.label)]);
        lines.push(if i == menu.selected {
            crate::ui::fit::highlight(theme, line)
        } else {
            line.style(theme.base())
        });
    }
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .style(theme.base())
        .title(Line::styled(
            " Rehearse an incident (demo) ",
            theme.title(true),
        ));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
