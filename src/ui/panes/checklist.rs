use ratatui::text::{Line, Span};

use super::{Content, heading, note};
use crate::state::AppState;
use crate::state::checklist::ChecklistRow;

pub fn content(state: &AppState) -> Content {
    let theme = &state.theme;
    if state.runbook.is_none() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(theme, "No runbook loaded."),
                note(
                    theme,
                    "The go-live checklist comes from a runbook: pass --runbook PATH or create ./ops-tui.toml (check it with `ops-tui validate`).",
                ),
            ],
        };
    }
    if state.checklist.is_empty() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(theme, "No checklist in the runbook."),
                note(
                    theme,
                    "Add [[phase]] tables with items to walk a go-live here, phase by phase.",
                ),
            ],
        };
    }
    let rows = state
        .checklist
        .iter()
        .map(|row| match row {
            ChecklistRow::Phase {
                name,
                total,
                auto,
                every,
            } => {
                let mut spans = vec![
                    Span::styled(format!("{name}  "), theme.title(false)),
                    Span::styled(format!("0/{total} done"), theme.base()),
                ];
                if *auto > 0 {
                    spans.push(Span::styled(
                        format!(" · {auto} verify themselves"),
                        theme.muted(),
                    ));
                }
                if let Some(every) = every {
                    spans.push(Span::styled(format!(" · every {every}"), theme.muted()));
                }
                Line::from(spans)
            }
            ChecklistRow::Item { text, check } => {
                let mut spans = vec![
                    Span::styled("  [ ] ", theme.base()),
                    Span::styled(text.clone(), theme.base()),
                ];
                if let Some(check) = check {
                    spans.push(Span::styled(format!("  ({check})"), theme.muted()));
                }
                Line::from(spans)
            }
        })
        .collect();
    Content {
        rows,
        notes: Vec::new(),
    }
}
