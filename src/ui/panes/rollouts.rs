use ratatui::text::{Line, Span};

use super::{Content, heading, note};
use crate::config::theme::Status;
use crate::state::AppState;

pub fn content(state: &AppState) -> Content {
    let theme = &state.theme;
    let unknown = theme.status(Status::Unknown);
    let ns = state
        .target
        .namespace
        .clone()
        .unwrap_or_else(|| "the context's namespace".to_string());
    let workloads: Vec<_> = state.runbook.iter().flat_map(|r| r.workloads()).collect();
    if workloads.is_empty() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(
                    theme,
                    format!("Every Deployment in {ns} is listed here, with its rollout state."),
                ),
                note(
                    theme,
                    "Not connected to Kubernetes: live rollout state is not available in this version.",
                ),
                note(
                    theme,
                    "To watch only some, add [[workload]] tables to the runbook.",
                ),
            ],
        };
    }
    let rows = workloads
        .iter()
        .map(|w| {
            let mut spans = vec![
                Span::styled(format!("{} unknown  ", Status::Unknown.symbol()), unknown),
                Span::styled(w.name.get_ref().clone(), theme.base()),
            ];
            if let Some(bg) = &w.blue_green {
                spans.push(Span::styled(
                    format!("  blue-green via {}", bg.service),
                    theme.muted(),
                ));
            }
            Line::from(spans)
        })
        .collect();
    Content {
        rows,
        notes: vec![note(
            theme,
            format!(
                "Workloads from the runbook, in {ns}. Not connected to Kubernetes: live rollout state is not available in this version."
            ),
        )],
    }
}
