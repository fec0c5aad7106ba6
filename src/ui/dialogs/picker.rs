//! The environment and context picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::state::AppState;
use crate::state::picker::Picker;
use crate::ui::fit::{fit_line, scrolled};

pub fn draw(frame: &mut Frame, state: &AppState, picker: &Picker, body: Rect) {
    let theme = &state.theme;
    let intro = Line::styled(
        "Every watch is re-established for the one chosen (up/down, enter):",
        theme.muted(),
    );
    let label_width = picker
        .entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0);
    let entries: Vec<Line<'static>> = picker
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let marker = if i == picker.selected { "▸ " } else { "  " };
            let current = if e.current { "  (current)" } else { "" };
            Line::from(vec![
                Span::styled(format!("{marker}{:<label_width$}  ", e.label), theme.base()),
                Span::styled(e.detail.clone(), theme.muted()),
                Span::styled(current, theme.accent()),
            ])
        })
        .collect();
    let height = (entries.len() as u16 + 4).min(body.height);
    let area = super::centered(body, 90, height);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .style(theme.base())
        .title(Line::styled(
            " Switch environment or context ",
            theme.title(true),
        ));
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let mut lines = vec![fit_line(intro, width), Line::raw("")];
    lines.extend(scrolled(
        theme,
        entries,
        Some(picker.selected),
        width,
        usize::from(inner.height.saturating_sub(2)),
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
