//! The object view: an object's YAML, or its describe-style summary with
//! its events, scrolled, the search's matches marked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::human::age;
use crate::state::AppState;
use crate::state::object::{ObjectMode, ObjectView};
use crate::status::Status;
use crate::ui::fit::fit_line;

/// The events about the object, newest first, as describe ends with them.
fn events(state: &AppState, view: &ObjectView) -> Vec<String> {
    let Some(target) = view.target() else {
        return Vec::new();
    };
    let mut events: Vec<_> = state
        .cluster
        .events
        .values()
        .filter(|e| e.kind == target.kind && e.object == target.name)
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
    let mut lines = vec!["Events:".to_string()];
    if events.is_empty() {
        lines.push("  <none seen since ops-tui started watching>".into());
    }
    lines.extend(events.iter().map(|e| {
        let count = if e.count > 1 {
            format!(" (x{})", e.count)
        } else {
            String::new()
        };
        format!(
            "  {:<5} {:<7} {:<20} {}{count}",
            e.last_seen.map_or("-".into(), |t| age(state.now - t)),
            if e.warning { "Warning" } else { "Normal" },
            e.reason,
            e.message
        )
    }));
    lines
}

pub fn draw(frame: &mut Frame, state: &AppState, view: &ObjectView, body: Rect) {
    let theme = &state.theme;
    let mut lines: Vec<String> = view.lines().to_vec();
    if view.mode == ObjectMode::Describe && matches!(view.text, Some(Ok(_))) {
        lines.push(String::new());
        lines.extend(events(state, view));
    }
    let matches = view.matches(&lines);
    let label = view.target().map_or_else(String::new, |t| t.label());
    let mode = match view.mode {
        ObjectMode::Yaml => "YAML",
        ObjectMode::Describe => "describe",
    };
    let mut title = format!(" {label} · {mode} ");
    if view.targets.len() > 1 {
        title.push_str(&format!(
            "· {} of {} (tab: its HPA, Services) ",
            view.index + 1,
            view.targets.len()
        ));
    }
    if !view.query.is_empty() {
        title.push_str(&format!("· \"{}\": {} lines ", view.query, matches.len()));
    }
    if matches!(view.text, Some(Ok(_))) && !lines.is_empty() {
        title.push_str(&format!(
            "· line {} of {} ",
            (view.scroll + 1).min(lines.len()),
            lines.len()
        ));
    }
    let [search_area, text_area] = Layout::vertical([
        Constraint::Length(u16::from(view.editor.is_some())),
        Constraint::Fill(1),
    ])
    .areas(body);
    if let Some(editor) = &view.editor {
        let typed = editor.lines().concat();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("search: ", theme.accent()),
                Span::styled(format!("{typed}▏"), theme.base()),
            ])),
            search_area,
        );
    }
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::styled(title, theme.title(true)));
    let inner = block.inner(text_area);
    let width = usize::from(inner.width);
    let shown: Vec<Line> = match &view.text {
        None => vec![Line::styled(format!("Reading {label}…"), theme.muted())],
        Some(Err(e)) => vec![Line::styled(
            format!("{label} could not be read: {e}"),
            theme.status(Status::Fail),
        )],
        Some(Ok(_)) => lines
            .iter()
            .enumerate()
            .skip(view.scroll)
            .take(usize::from(inner.height))
            .map(|(i, l)| {
                let style = if matches.binary_search(&i).is_ok() {
                    theme.status(Status::Warn)
                } else if l.ends_with(':') && !l.starts_with(' ') {
                    theme.title(false)
                } else {
                    theme.base()
                };
                fit_line(Line::styled(l.clone(), style), width)
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(shown).block(block), text_area);
}
