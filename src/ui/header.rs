//! The header: service, environment, context and namespace, RW/RO and
//! PROTECTED badges, the clock. Badges and clock always fit; the left part
//! is cut when the terminal is narrow.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::config::theme::Status;
use crate::state::AppState;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let t = &state.target;
    let sep = || Span::styled(" │ ", theme.header());
    let field = |label: &'static str, value: String| {
        vec![
            Span::styled(label, theme.header()),
            Span::styled(
                value,
                theme.header().add_modifier(ratatui::style::Modifier::BOLD),
            ),
        ]
    };
    let mut left = vec![Span::styled(" ", theme.header())];
    left.extend(field(
        "",
        t.service
            .clone()
            .unwrap_or_else(|| "no runbook".to_string()),
    ));
    if let Some(env) = &t.env {
        left.push(sep());
        left.extend(field("env ", env.clone()));
    }
    left.push(sep());
    left.extend(field(
        "ctx ",
        t.context.clone().unwrap_or_else(|| "(current)".to_string()),
    ));
    left.push(sep());
    left.extend(field(
        "ns ",
        t.namespace
            .clone()
            .unwrap_or_else(|| "(context default)".to_string()),
    ));

    let mut right = Vec::new();
    if t.protected {
        right.push(Span::styled(" PROTECTED ", theme.danger()));
        right.push(Span::styled(" ", theme.header()));
    }
    if t.read_only {
        right.push(Span::styled(
            " RO ",
            theme
                .status(Status::Ok)
                .add_modifier(ratatui::style::Modifier::REVERSED),
        ));
    } else {
        right.push(Span::styled(
            " RW ",
            theme
                .status(Status::Warn)
                .add_modifier(ratatui::style::Modifier::REVERSED),
        ));
    }
    right.push(Span::styled(format!(" {} ", state.clock), theme.header()));
    let right = Line::from(right);
    let right_width = right.width() as u16;
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(left)).style(theme.header()),
        left_area,
    );
    frame.render_widget(Paragraph::new(right).style(theme.header()), right_area);
}
