//! The environment and context picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::state::AppState;
use crate::state::picker::Picker;

pub fn draw(frame: &mut Frame, state: &AppState, picker: &Picker, body: Rect) {
    let theme = &state.theme;
    let mut lines: Vec<Line> = vec![
        Line::styled(
            "Every watch is re-established for the one chosen (up/down, enter):",
            theme.muted(),
        ),
        Line::raw(""),
    ];
    let label_width = picker
        .entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0);
    for (i, e) in picker.entries.iter().enumerate() {
        let marker = if i == picker.selected { "▸ " } else { "  " };
        let current = if e.current { "  (current)" } else { "" };
        let line = Line::from(vec![
            Span::raw(format!("{marker}{:<label_width$}  ", e.label)),
            Span::styled(e.detail.clone(), theme.muted()),
            Span::styled(current, theme.accent()),
        ]);
        lines.push(if i == picker.selected {
            line.patch_style(theme.selection())
        } else {
            line.style(theme.base())
        });
    }
    let height = (lines.len() as u16 + 2).min(body.height);
    let area = super::centered(body, 90, height);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .style(theme.base())
        .title(Line::styled(
            " Switch environment or context ",
            theme.title(true),
        ));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
