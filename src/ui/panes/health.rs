//! The Health pane: one row per probe with its state, status code,
//! latency and latency sparkline, certificate days left, and the first
//! failing condition (or how the request failed).

use ratatui::text::{Line, Span};

use unicode_width::UnicodeWidthStr;

use super::{Content, heading, note};
use crate::probe::status;
use crate::state::AppState;
use crate::status::Status;
use crate::ui::fit::{Cell, columns, fit};
use crate::ui::spark::sparkline;

/// Days (or hours, when less than two days) until a certificate expires.
pub fn cert_left(secs: i64) -> String {
    match secs {
        s if s < 0 => format!("expired {} ago", crate::human::age(-s)),
        s if s < 172_800 => format!("{}h left", s / 3600),
        s => format!("{}d left", s / 86_400),
    }
}

pub fn content(state: &AppState, width: usize) -> Content {
    let theme = &state.theme;
    let all: Vec<_> = state.runbook.iter().flat_map(|r| r.probes()).collect();
    if all.is_empty() {
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
    // The probes the filter lets through, with their URLs.
    let probes: Vec<_> = state
        .visible(crate::state::Pane::Health)
        .into_iter()
        .filter_map(|i| Some((*all.get(i)?, state.probe_urls.get(i)?)))
        .collect();
    let name_width = probes
        .iter()
        .map(|(p, _)| p)
        .map(|p| p.name.get_ref().width())
        .max()
        .unwrap_or(0)
        .min(24)
        // The name gives way (cut with an ellipsis) before the status code
        // and latency: symbol 2, code 4, latency 7.
        .min(width.saturating_sub(13 + 1).max(6));
    // Most needed first: state symbol, name, status code and latency
    // always; then why it fails, a certificate that needs attention, the
    // state's word, the sparkline, any certificate, and the URL.
    let rows = probes
        .iter()
        .map(|&(p, url)| {
            let name = p.name.get_ref();
            let name_cell = Cell::keep(Span::styled(
                format!("{:<name_width$} ", fit(name, name_width)),
                theme.base(),
            ));
            let Some(last) = state.health.get(name).and_then(|h| h.last.as_ref()) else {
                // A burst probe is never run on a timer: it waits for
                // no one.
                let word = if p.burst.is_some() {
                    "on demand"
                } else {
                    "waiting"
                };
                return vec![
                    Cell::keep(Span::styled(
                        format!("{} ", Status::Unknown.symbol()),
                        theme.status(Status::Unknown),
                    )),
                    Cell::at(
                        3,
                        Span::styled(format!("{word:<8} "), theme.status(Status::Unknown)),
                    ),
                    name_cell,
                    Cell::flex(
                        6,
                        Span::styled(format!("{} {url}", p.method()), theme.muted()),
                    ),
                ];
            };
            let st = status(last);
            let word = match st {
                Status::Ok => "ok",
                Status::Warn => "degraded",
                Status::Fail => "failing",
                Status::Unknown => "unknown",
            };
            let mut cells = vec![
                Cell::keep(Span::styled(format!("{} ", st.symbol()), theme.status(st))),
                Cell::at(3, Span::styled(format!("{word:<8} "), theme.status(st))),
                name_cell,
            ];
            let code = last
                .observed
                .status
                .map_or("---".to_string(), |s| s.to_string());
            cells.push(Cell::keep(Span::styled(format!("{code} "), theme.base())));
            let ms = last
                .observed
                .response_time_ms
                .map_or("    -".to_string(), |ms| format!("{:>4.0}ms", ms));
            cells.push(Cell::keep(Span::styled(format!("{ms} "), theme.muted())));
            if let Some(h) = state.health.get(name) {
                let values: Vec<Option<f64>> =
                    h.latencies.iter().map(|v| Some(*v as f64)).collect();
                cells.push(Cell::at(
                    4,
                    Span::styled(format!("{:<12} ", sparkline(&values, 12)), theme.accent()),
                ));
            }
            // A certificate that needs attention (within 30 days, or
            // expired) stays longer than one that does not.
            if let Some(at) = last.cert_not_after {
                let left = at - state.now.max(last.at);
                let style = if left < 14 * 86_400 {
                    theme.status(Status::Warn)
                } else {
                    theme.muted()
                };
                let level = if left < 30 * 86_400 { 2 } else { 5 };
                cells.push(Cell::at(
                    level,
                    Span::styled(format!("cert {} ", cert_left(left)), style),
                ));
            }
            match &last.failure {
                Some(f) => cells.push(Cell::flex(1, Span::styled(f.to_string(), theme.status(st)))),
                None => cells.push(Cell::flex(
                    6,
                    Span::styled(format!("{} {url}", p.method()), theme.muted()),
                )),
            }
            cells
        })
        .collect();
    let rows = columns(rows, width);
    let mut notes = Vec::new();
    let insecure: Vec<&str> = all
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
