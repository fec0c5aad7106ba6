//! The Health pane: one row per probe with its state, status code,
//! latency and latency sparkline, certificate days left, and the first
//! failing condition (or how the request failed).

use ratatui::text::{Line, Span};

use super::{Content, heading, note};
use crate::config::theme::Status;
use crate::state::AppState;
use crate::state::health::status;
use crate::ui::spark::sparkline;

/// Days (or hours, when less than two days) until a certificate expires.
pub fn cert_left(secs: i64) -> String {
    match secs {
        s if s < 0 => format!("expired {} ago", super::age(-s)),
        s if s < 172_800 => format!("{}h left", s / 3600),
        s => format!("{}d left", s / 86_400),
    }
}

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
    let name_width = probes
        .iter()
        .map(|p| p.name.get_ref().chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let wide = state.size.0 >= 120;
    let rows = probes
        .iter()
        .zip(state.probe_urls.iter())
        .map(|(p, url)| {
            let name = p.name.get_ref();
            let mut spans = Vec::new();
            let Some(last) = state.health.get(name).and_then(|h| h.last.as_ref()) else {
                // A burst probe is never run on a timer: it waits for
                // no one.
                let word = if p.burst.is_some() {
                    "on demand"
                } else {
                    "waiting"
                };
                spans.push(Span::styled(
                    format!("{} {word:<8} ", Status::Unknown.symbol()),
                    theme.status(Status::Unknown),
                ));
                spans.push(Span::styled(format!("{name:<name_width$} "), theme.base()));
                spans.push(Span::styled(format!("{} {url}", p.method()), theme.muted()));
                return Line::from(spans);
            };
            let st = status(last);
            let word = match st {
                Status::Ok => "ok",
                Status::Warn => "degraded",
                Status::Fail => "failing",
                Status::Unknown => "unknown",
            };
            spans.push(Span::styled(
                format!("{} {word:<8} ", st.symbol()),
                theme.status(st),
            ));
            spans.push(Span::styled(format!("{name:<name_width$} "), theme.base()));
            let code = last
                .observed
                .status
                .map_or("---".to_string(), |s| s.to_string());
            spans.push(Span::styled(format!("{code} "), theme.base()));
            let ms = last
                .observed
                .response_time_ms
                .map_or("    -".to_string(), |ms| format!("{:>4.0}ms", ms));
            spans.push(Span::styled(format!("{ms} "), theme.muted()));
            if let Some(h) = state.health.get(name) {
                let values: Vec<Option<f64>> =
                    h.latencies.iter().map(|v| Some(*v as f64)).collect();
                spans.push(Span::styled(
                    format!("{:<12} ", sparkline(&values, 12)),
                    theme.accent(),
                ));
            }
            // On a narrow screen only a certificate that needs attention
            // (within 30 days, or expired) takes the room.
            if let Some(at) = last.cert_not_after
                && let left = at - state.now.max(last.at)
                && (wide || left < 30 * 86_400)
            {
                let style = if left < 14 * 86_400 {
                    theme.status(Status::Warn)
                } else {
                    theme.muted()
                };
                spans.push(Span::styled(format!("cert {} ", cert_left(left)), style));
            }
            match &last.failure {
                Some(f) => spans.push(Span::styled(f.to_string(), theme.status(st))),
                None => spans.push(Span::styled(format!("{} {url}", p.method()), theme.muted())),
            }
            Line::from(spans)
        })
        .collect();
    let mut notes = Vec::new();
    let insecure: Vec<&str> = probes
        .iter()
        .filter(|p| p.insecure)
        .map(|p| p.name.get_ref().as_str())
        .collect();
    if !insecure.is_empty() {
        notes.push(Line::styled(
            format!(
                "{} TLS verification is off for: {} (insecure = true in the runbook)",
                Status::Warn.symbol(),
                insecure.join(", ")
            ),
            theme.status(Status::Warn),
        ));
    }
    Content { rows, notes }
}
