//! The help overlay: every binding of every mode of the active keymap, as
//! wide as the screen allows (up to its longest line) and as tall; lines
//! that still do not fit end with an ellipsis, and marks say how many
//! lines are above and below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::state::AppState;
use crate::state::help::{HelpLine, HelpView};
use crate::ui::fit::{fit_line, mark};

pub fn draw(frame: &mut Frame, state: &AppState, help: &HelpView, body: Rect) {
    let theme = &state.theme;
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
    let lines: Vec<Line> = help
        .lines
        .iter()
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
    let longest = lines.iter().map(Line::width).max().unwrap_or(0);
    let title = format!(" Help: keymap {} ", help.keymap);
    // Borders and a column of margin each side.
    let wanted = longest.max(title.chars().count()) + 4;
    let width = body
        .width
        .saturating_sub(4)
        .min(u16::try_from(wanted).unwrap_or(u16::MAX));
    let height = body.height.saturating_sub(2);
    let area = super::centered(body, width, height);
    let room = usize::from(area.width.saturating_sub(4));
    let rows = usize::from(area.height.saturating_sub(2));
    let total = lines.len();
    // The first line shown; at the end, the last lines fill the view.
    let scroll = help.scroll.min(total.saturating_sub(rows));
    let mut shown: Vec<Line> = Vec::with_capacity(rows);
    if total <= rows {
        shown.extend(lines.into_iter().map(|l| fit_line(l, room)));
    } else if rows > 0 {
        // A mark takes the place of the first line when lines are above,
        // and of the last when lines are below.
        let first = if scroll > 0 { scroll + 1 } else { 0 };
        let mut space = rows - usize::from(scroll > 0);
        let below = first + space < total;
        if below {
            space = space.saturating_sub(1);
        }
        if scroll > 0 {
            shown.push(mark(theme, first, false, room));
        }
        shown.extend(
            lines
                .into_iter()
                .skip(first)
                .take(space)
                .map(|l| fit_line(l, room)),
        );
        if below {
            shown.push(mark(theme, total - first - space, true, room));
        }
    }
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .style(theme.base())
        .title(Line::styled(title, theme.title(true)));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    // A column of margin each side.
    let text = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    frame.render_widget(Paragraph::new(shown), text);
}
