use ratatui::text::{Line, Span};

use super::{Content, heading, note};
use crate::checks::{evaluate, worst};
use crate::config::theme::Status;
use crate::runbook::check_ref::CheckRef;
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
    let sources = state.sources();
    let workloads = &state.cluster.wanted;
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
                    spans.push(Span::styled(format!("  ({check}"), theme.muted()));
                    // What the check says now (the item ticks itself later).
                    if let Ok(r) = CheckRef::parse(check) {
                        let outcomes = evaluate(&r, &sources, workloads);
                        let st = worst(&outcomes);
                        let value = match outcomes.as_slice() {
                            [one] => one.value.clone(),
                            many => format!(
                                "{}/{} ok",
                                many.iter().filter(|o| o.status == Status::Ok).count(),
                                many.len()
                            ),
                        };
                        spans.push(Span::styled(
                            format!(" {} {value}", st.symbol()),
                            theme.status(st),
                        ));
                    }
                    spans.push(Span::styled(")", theme.muted()));
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
