use ratatui::text::{Line, Span};

use super::{Content, heading, note};
use crate::config::theme::Status;
use crate::state::AppState;

pub fn content(state: &AppState) -> Content {
    let theme = &state.theme;
    let probes: Vec<_> = state.runbook.iter().flat_map(|r| r.probes()).collect();
    if probes.is_empty() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(theme, "No probes in the runbook."),
                note(
                    theme,
                    "Add [[probe]] tables (name, url, fail and warn conditions) to watch the service's health endpoints here.",
                ),
            ],
        };
    }
    let rows = probes
        .iter()
        .zip(state.probe_urls.iter())
        .map(|(p, url)| {
            Line::from(vec![
                Span::styled(
                    format!("{} unknown  ", Status::Unknown.symbol()),
                    theme.status(Status::Unknown),
                ),
                Span::styled(p.name.get_ref().clone(), theme.base()),
                Span::styled(format!("  {} {url}", p.method()), theme.muted()),
            ])
        })
        .collect();
    Content {
        rows,
        notes: vec![note(
            theme,
            "Not probed: health probing is not available in this version.",
        )],
    }
}
