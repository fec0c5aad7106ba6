//! The signal detail view: the query, the value, and a chart of the range
//! (the last 30 minutes) with the warn and fail thresholds as lines.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, BorderType, Chart, Dataset, GraphType, Paragraph, Wrap};

use crate::prom::plan::status;
use crate::runbook::threshold::Threshold;
use crate::runbook::units::format;
use crate::state::AppState;
use crate::status::Status;

pub fn draw(frame: &mut Frame, state: &AppState, name: &str, body: Rect) {
    let theme = &state.theme;
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::styled(format!(" Signal {name} "), theme.title(true)));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let spec = state
        .runbook
        .iter()
        .flat_map(|r| r.signals())
        .find(|s| s.name.get_ref() == name);
    let Some(spec) = spec else { return };
    let unit = spec.unit;
    let (warn, fail) = (&spec.warn_threshold, &spec.fail_threshold);
    let known = state.signals.signals.get(name);
    let mut lines = vec![Line::from(vec![
        Span::styled("query  ", theme.muted()),
        Span::styled(spec.query.get_ref().clone(), theme.base()),
    ])];
    let mut head = Vec::new();
    match known.and_then(|k| k.reading.as_ref()) {
        Some(r) => {
            let st = status(&r.state);
            head.push(Span::styled(
                format!("{} {} ", st.symbol(), r.state.label()),
                theme.status(st),
            ));
            // Without a value the state's word says it all.
            if r.value.is_some() {
                head.push(Span::styled(r.text(unit), theme.title(false)));
            }
            if !r.worst_labels.is_empty() {
                head.push(Span::styled(format!("  {}", r.worst_labels), theme.muted()));
            }
            use crate::prom::signal::SignalState as S;
            if let S::Unreachable(e) | S::Error(e) = &r.state {
                head.push(Span::styled(format!("  {e}"), theme.status(Status::Fail)));
            }
        }
        None => head.push(Span::styled("not queried yet", theme.muted())),
    }
    for (word, t, st) in [("warn", warn, Status::Warn), ("fail", fail, Status::Fail)] {
        if let Some(t) = t {
            head.push(Span::styled(
                format!("   {word} {}", t.shown(unit)),
                theme.status(st),
            ));
        }
    }
    lines.push(Line::from(head));
    let [text_area, chart_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);

    let points: Vec<(f64, f64)> = known
        .map(|k| {
            k.tracker
                .history
                .iter()
                .map(|(t, v)| ((*t - state.now) as f64 / 60.0, *v))
                .collect()
        })
        .unwrap_or_default();
    if points.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "No values in the last 30 minutes.",
                theme.muted(),
            )),
            chart_area,
        );
        return;
    }
    let x_min = -30.0_f64;
    let mut y_min = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut y_max = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    for t in [warn, fail].into_iter().flatten() {
        y_min = y_min.min(t.value);
        y_max = y_max.max(t.value);
    }
    y_min = y_min.min(0.0);
    if y_max <= y_min {
        y_max = y_min + 1.0;
    }
    let y_max = y_max * 1.1;
    let lines_of =
        |t: &Option<Threshold>| t.as_ref().map(|t| vec![(x_min, t.value), (0.0, t.value)]);
    let (warn_line, fail_line) = (lines_of(warn), lines_of(fail));
    let mut datasets = vec![
        Dataset::default()
            .name(name.to_string())
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.accent())
            .data(&points),
    ];
    if let Some(w) = &warn_line {
        datasets.push(
            Dataset::default()
                .name("warn")
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(theme.status(Status::Warn))
                .data(w),
        );
    }
    if let Some(f) = &fail_line {
        datasets.push(
            Dataset::default()
                .name("fail")
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(theme.status(Status::Fail))
                .data(f),
        );
    }
    // The thresholds are named above the chart, in their colours: a
    // legend inside it would cover the fail line drawn near its top.
    let chart = Chart::new(datasets)
        .legend_position(None)
        .x_axis(
            Axis::default()
                .title(Span::styled("minutes", theme.muted()))
                .style(theme.muted())
                .bounds([x_min, 0.0])
                .labels(["-30m", "-15m", "now"]),
        )
        .y_axis(
            Axis::default()
                .style(theme.muted())
                .bounds([y_min, y_max])
                .labels([
                    format(y_min, unit),
                    format((y_min + y_max) / 2.0, unit),
                    format(y_max, unit),
                ]),
        );
    frame.render_widget(chart, chart_area);
}
