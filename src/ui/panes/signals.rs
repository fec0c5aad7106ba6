use ratatui::text::{Line, Span};

use super::{Content, heading, note};
use crate::config::theme::Status;
use crate::state::AppState;

pub fn content(state: &AppState) -> Content {
    let theme = &state.theme;
    let signals: Vec<_> = state.runbook.iter().flat_map(|r| r.signals()).collect();
    if signals.is_empty() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(theme, "No signals in the runbook."),
                note(
                    theme,
                    "Add [[signal]] tables (a PromQL query with warn and fail thresholds) and a prometheus URL to see error rates and latency here.",
                ),
            ],
        };
    }
    let rows = signals
        .iter()
        .map(|s| {
            let mut thresholds = Vec::new();
            if let Some(w) = &s.warn {
                thresholds.push(format!("warn {}", w.get_ref()));
            }
            if let Some(f) = &s.fail {
                thresholds.push(format!("fail {}", f.get_ref()));
            }
            Line::from(vec![
                Span::styled(
                    format!("{} no data  ", Status::Unknown.symbol()),
                    theme.status(Status::Unknown),
                ),
                Span::styled(s.name.get_ref().clone(), theme.base()),
                Span::styled(format!("  {}", thresholds.join(", ")), theme.muted()),
            ])
        })
        .collect();
    let env = state.target.env.clone().unwrap_or_default();
    let has_prometheus = state
        .runbook
        .iter()
        .flat_map(|r| r.environments())
        .any(|(name, e)| name == env && e.prometheus.is_some());
    let why = if has_prometheus {
        "Not queried: Prometheus signals are not available in this version.".to_string()
    } else {
        format!(
            "No Prometheus URL for environment {env}: set prometheus = \"https://...\" under [env.{env}]."
        )
    };
    Content {
        rows,
        notes: vec![note(theme, why)],
    }
}
