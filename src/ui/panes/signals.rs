//! The Signals pane: each signal's state, value (the worst series, in its
//! unit), sparkline and thresholds; below, the alerts firing and pending,
//! and whether Prometheus answers.

use ratatui::text::{Line, Span};

use unicode_width::UnicodeWidthStr;

use super::{Content, heading, note};
use crate::prom::alerts::AlertState;
use crate::prom::plan::status;
use crate::prom::poller::age_text;
use crate::state::AppState;
use crate::status::Status;
use crate::ui::fit::{Cell, columns, fit, pad};
use crate::ui::spark::sparkline;

pub fn content(state: &AppState, width: usize) -> Content {
    let theme = &state.theme;
    let all: Vec<_> = state.runbook.iter().flat_map(|r| r.signals()).collect();
    // The signals the filter lets through.
    let signals: Vec<_> = state
        .visible(crate::state::Pane::Signals)
        .into_iter()
        .filter_map(|i| all.get(i).copied())
        .collect();
    let has_prometheus = state
        .runbook
        .as_ref()
        .and_then(|r| {
            r.environments()
                .find(|(n, _)| Some(*n) == state.target.env.as_deref())
                .or_else(|| r.environments().next())
        })
        .is_some_and(|(_, e)| e.prometheus.is_some());
    if all.is_empty() && !has_prometheus {
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
    let name_width = signals
        .iter()
        .map(|s| s.name.get_ref().width())
        .max()
        .unwrap_or(0)
        .min(24);
    let mut unreachable = None;
    // Most needed first: state symbol, name and value always; then the
    // state's word, the sparkline and the thresholds.
    let rows: Vec<Vec<Cell>> = signals
        .iter()
        .map(|s| {
            let name = s.name.get_ref();
            let name_cell = Cell::keep(Span::styled(
                format!("{:<name_width$} ", fit(name, name_width)),
                theme.base(),
            ));
            // Thresholds in the signal's unit, as the value is shown.
            let mut thresholds = Vec::new();
            if let Some(w) = &s.warn_threshold {
                thresholds.push(format!("warn {}", w.shown(s.unit)));
            }
            if let Some(f) = &s.fail_threshold {
                thresholds.push(format!("fail {}", f.shown(s.unit)));
            }
            let known = state.signals.signals.get(name);
            let Some((reading, tracker)) =
                known.and_then(|k| k.reading.as_ref().map(|r| (r, &k.tracker)))
            else {
                return vec![
                    Cell::keep(Span::styled(
                        format!("{} ", Status::Unknown.symbol()),
                        theme.status(Status::Unknown),
                    )),
                    Cell::at(2, Span::styled("waiting  ", theme.status(Status::Unknown))),
                    name_cell,
                    Cell::keep(Span::raw("")),
                    Cell::at(2, Span::raw("")),
                    Cell::at(3, Span::raw("")),
                    Cell::flex(4, Span::styled(thresholds.join(" · "), theme.muted())),
                ];
            };
            use crate::prom::signal::SignalState as S;
            if let S::Unreachable(e) = &reading.state {
                unreachable = Some((e.clone(), tracker.age(state.now)));
            }
            let st = status(&reading.state);
            let word = reading.state.label().to_lowercase();
            let values: Vec<Option<f64>> = tracker.values().into_iter().map(Some).collect();
            // The last good value stays in view, marked, while Prometheus is
            // away; how many series the worst is of may go when narrow.
            let format = |v| crate::runbook::units::format(v, s.unit);
            let (value, series) = match (&reading.state, tracker.last_value) {
                (S::Unreachable(_) | S::Error(_), Some(v)) => (format!("({})", format(v)), None),
                _ => (
                    reading
                        .value
                        .map_or_else(|| reading.state.label().to_string(), format),
                    (reading.series > 1).then(|| format!("(worst of {})", reading.series)),
                ),
            };
            vec![
                Cell::keep(Span::styled(format!("{} ", st.symbol()), theme.status(st))),
                Cell::at(2, Span::styled(format!("{word:<8} "), theme.status(st))),
                name_cell,
                Cell::keep(Span::styled(format!("{value} "), theme.title(false))),
                Cell::at(
                    2,
                    Span::styled(
                        series.map(|s| format!("{s} ")).unwrap_or_default(),
                        theme.muted(),
                    ),
                ),
                Cell::at(
                    3,
                    Span::styled(format!("{} ", sparkline(&values, 16)), theme.accent()),
                ),
                Cell::flex(4, Span::styled(thresholds.join(" · "), theme.muted())),
            ]
        })
        .collect();
    // Values, series and sparklines line up.
    let mut rows = rows;
    for column in 3..6 {
        pad(&mut rows, column);
    }
    fit_sparklines(&mut rows, width);
    let rows = columns(rows, width);
    let mut notes = Vec::new();
    if let Some((error, age)) = unreachable {
        let since = age.map_or("no value yet".to_string(), |a| {
            format!("values shown are from {}", age_text(a))
        });
        notes.push(Line::styled(
            format!("{} {error}; {since}; retrying", Status::Fail.symbol()),
            theme.status(Status::Fail),
        ));
    }
    let alerts = &state.signals;
    match (&alerts.alerts_error, alerts.alerts_at) {
        (_, None) if !has_prometheus => {}
        (Some(e), None) => notes.push(Line::styled(
            format!("{} alerts unknown: {e}", Status::Unknown.symbol()),
            theme.status(Status::Unknown),
        )),
        (_, None) => notes.push(note(theme, "Alerts: reading…")),
        (error, Some(at)) => {
            let firing = alerts
                .alerts
                .iter()
                .filter(|a| a.state == AlertState::Firing)
                .count();
            let pending = alerts.alerts.len() - firing;
            let stale = error
                .as_ref()
                .map(|_| format!(" (as of {})", age_text(state.now - at)))
                .unwrap_or_default();
            let st = if firing > 0 {
                Status::Fail
            } else if pending > 0 {
                Status::Warn
            } else {
                Status::Ok
            };
            notes.push(Line::styled(
                format!(
                    "{} Alerts: {firing} firing, {pending} pending{stale}",
                    st.symbol()
                ),
                theme.status(st),
            ));
            for a in &alerts.alerts {
                let (symbol, word, st) = match a.state {
                    AlertState::Firing => (Status::Fail.symbol(), "firing ", Status::Fail),
                    AlertState::Pending => (Status::Warn.symbol(), "pending", Status::Warn),
                };
                let age = a
                    .active_at
                    .map(|t| crate::human::age(state.now - t))
                    .unwrap_or_default();
                // One line each, cut rather than wrapped.
                notes.extend(columns(
                    vec![vec![
                        Cell::keep(Span::styled(format!("  {symbol} "), theme.status(st))),
                        Cell::at(2, Span::styled(format!("{word} "), theme.status(st))),
                        Cell::keep(Span::styled(format!("{} ", a.name), theme.base())),
                        Cell::at(
                            3,
                            Span::styled(
                                format!("{} {age} ", a.severity.as_deref().unwrap_or("-")),
                                theme.muted(),
                            ),
                        ),
                        Cell::flex(
                            4,
                            Span::styled(a.summary.clone().unwrap_or_default(), theme.muted()),
                        ),
                    ]],
                    width,
                ));
            }
        }
    }
    Content { rows, notes }
}

/// The sparkline column (the sixth cell) shortened to its newest points
/// when the whole of it does not fit beside the cells before it, so that
/// a narrow pane keeps a shorter sparkline rather than none; below a few
/// points it is left whole, for `columns` to drop.
fn fit_sparklines(rows: &mut [Vec<Cell>], width: usize) {
    const SPARK: usize = 5;
    const FEWEST: usize = 4;
    let fixed = rows
        .iter()
        .map(|r| {
            r.iter()
                .take(SPARK)
                .map(|c| c.span.content.width())
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    let room = width.saturating_sub(fixed);
    if room < FEWEST + 1 {
        return;
    }
    for cell in rows.iter_mut().filter_map(|r| r.get_mut(SPARK)) {
        let points: Vec<char> = cell.span.content.trim_end().chars().collect();
        if points.len() + 1 > room {
            let kept: String = points[points.len() - (room - 1)..].iter().collect();
            cell.span.content = format!("{kept} ").into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spark_rows(spark: &str) -> Vec<Vec<Cell>> {
        vec![vec![
            Cell::keep(Span::raw("✓ ")),
            Cell::at(2, Span::raw("ok       ")),
            Cell::keep(Span::raw("error-rate ")),
            Cell::keep(Span::raw("15.2% ")),
            Cell::at(2, Span::raw("")),
            Cell::at(3, Span::raw(format!("{spark} "))),
            Cell::flex(4, Span::raw("warn > 1% · fail > 5%")),
        ]]
    }

    fn text(rows: Vec<Vec<Cell>>, width: usize) -> String {
        columns(rows, width)
            .into_iter()
            .map(|l| l.to_string())
            .collect()
    }

    #[test]
    fn a_narrow_pane_keeps_the_newest_points_of_the_sparkline() {
        // 28 columns before the sparkline; 16 points do not fit in 36.
        let mut rows = spark_rows("▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█");
        fit_sparklines(&mut rows, 36);
        let shown = text(rows, 36);
        assert!(shown.contains("15.2% ▂▃▄▅▆▇█"), "{shown}");
        assert!(!shown.contains("▁▂▃▄▅▆▇█▁"), "{shown}");
    }

    #[test]
    fn a_wide_pane_keeps_the_whole_sparkline_and_a_tiny_one_drops_it() {
        let whole = "▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█";
        let mut rows = spark_rows(whole);
        fit_sparklines(&mut rows, 80);
        assert!(text(rows, 80).contains(whole));
        let mut rows = spark_rows(whole);
        fit_sparklines(&mut rows, 30);
        let shown = text(rows, 30);
        assert!(!shown.contains('▇'), "{shown}");
        assert!(shown.contains("error-rate"), "{shown}");
    }
}
