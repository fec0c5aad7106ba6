//! The help overlay: every binding of every mode of the active keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::state::AppState;
use crate::state::help::{HelpLine, HelpView};

pub fn draw(frame: &mut Frame, state: &AppState, help: &HelpView, body: Rect) {
    let theme = &state.theme;
    let width = body.width.saturating_sub(8).min(76);
    let height = body.height.saturating_sub(2);
    let area = super::centered(body, width, height);
    let key_width = help
        .lines
        .iter()
        .filter_map(|l| match l {
            HelpLine::Binding { keys, .. } => Some(keys.chars().count()),
            HelpLine::Section { .. } => None,
        })
        .max()
        .unwrap_or(0)
        .min(24);
    let shown = usize::from(area.height.saturating_sub(2));
    let scroll = help.scroll.min(help.lines.len().saturating_sub(shown));
    let lines: Vec<Line> = help
        .lines
        .iter()
        .skip(scroll)
        .map(|line| match line {
            HelpLine::Section { name, description } => Line::from(vec![
                Span::styled(format!("[{name}]"), theme.title(true)),
                Span::styled(format!("  {description}"), theme.muted()),
            ]),
            HelpLine::Binding { keys, description } => Line::from(vec![
                Span::styled(format!("  {keys:<key_width$}  "), theme.accent()),
                Span::styled(*description, theme.base()),
            ]),
        })
        .collect();
    let position = if help.lines.len() > shown {
        format!(
            " {}-{} of {} ",
            scroll + 1,
            (scroll + shown).min(help.lines.len()),
            help.lines.len()
        )
    } else {
        String::new()
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .style(theme.base())
        .title(Line::styled(
            format!(" Help: keymap {} ", help.keymap),
            theme.title(true),
        ))
        .title_bottom(Line::styled(position, theme.muted()).right_aligned());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
