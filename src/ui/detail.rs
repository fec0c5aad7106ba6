//! Detail views: a probe's every condition with its resolved value and
//! its recent history; a signal's chart over the range with its thresholds.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use crate::probe::status;
use crate::secrets::{sensitive_header, shown_header_value};
use crate::state::{AppState, Detail};
use crate::status::Status;
use crate::ui::panes::health::cert_left;
use crate::ui::spark::sparkline;

pub fn draw(frame: &mut Frame, state: &AppState, detail: &Detail, body: Rect) {
    match detail {
        Detail::Probe(name) => probe(frame, state, name, body),
        Detail::Signal(name) => super::signal_detail::draw(frame, state, name, body),
    }
}

fn probe(frame: &mut Frame, state: &AppState, name: &str, body: Rect) {
    let theme = &state.theme;
    let mut lines: Vec<Line> = Vec::new();
    let index = state
        .runbook
        .iter()
        .flat_map(|r| r.probes())
        .position(|p| p.name.get_ref() == name);
    let spec = state
        .runbook
        .iter()
        .flat_map(|r| r.probes())
        .find(|p| p.name.get_ref() == name);
    if let (Some(p), Some(url)) = (spec, index.and_then(|i| state.probe_urls.get(i))) {
        // A burst probe runs only when asked, never on a timer.
        let cadence = if p.burst.is_some() {
            match state.keymap.pane_key(crate::action::Action::RunBurst) {
                Some(key) => format!("on demand ({key} runs it)"),
                None => "on demand".to_string(),
            }
        } else {
            format!("every {}", humantime::format_duration(p.every.0))
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", p.method()), theme.accent()),
            Span::styled(url.clone(), theme.base()),
            Span::styled(
                format!(
                    "   {cadence} · timeout {}",
                    humantime::format_duration(p.timeout.0)
                ),
                theme.muted(),
            ),
        ]));
        for (k, v) in &p.headers {
            // As the runbook writes it (a value from the process
            // environment stays `${NAME}`); the literal part of a
            // sensitive header's value, or of one that takes a variable
            // (maybe from the environment), is masked.
            let value = if sensitive_header(k) || v.get_ref().contains("${") {
                shown_header_value(v.get_ref())
            } else {
                v.get_ref().clone()
            };
            lines.push(Line::styled(format!("  {k}: {value}"), theme.muted()));
        }
        if p.insecure {
            lines.push(Line::styled(
                format!(
                    "{} TLS verification is off for this endpoint (insecure = true)",
                    Status::Warn.symbol()
                ),
                theme.status(Status::Warn),
            ));
        }
        if let Some(n) = &p.burst {
            lines.push(Line::styled(
                format!(
                    "burst of {} requests: run only on demand (`ops-tui check --include-bursts`)",
                    n.get_ref()
                ),
                theme.muted(),
            ));
        }
    }
    lines.push(Line::raw(""));
    let history = state.health.get(name);
    match history.and_then(|h| h.last.as_ref()) {
        None => lines.push(Line::styled("Not run yet.", theme.muted())),
        Some(last) => {
            let st = status(last);
            let mut head = vec![Span::styled(format!("{} ", st.symbol()), theme.status(st))];
            head.push(Span::styled(
                format!(
                    "{} · {} · {}",
                    last.observed
                        .status
                        .map_or("no response".to_string(), |s| format!("HTTP {s}")),
                    last.observed
                        .response_time_ms
                        .map_or("-".to_string(), |ms| format!("{ms:.0}ms")),
                    crate::human::age(state.now.max(last.at) - last.at) + " ago",
                ),
                theme.base(),
            ));
            if let Some(at) = last.cert_not_after {
                let date = jiff::Timestamp::from_second(at)
                    .map(|t| t.strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                head.push(Span::styled(
                    format!(" · certificate until {date} ({})", cert_left(at - last.at)),
                    theme.muted(),
                ));
            }
            lines.push(Line::from(head));
            if let Some(f) = &last.failure {
                lines.push(Line::styled(
                    format!("{} {f}", Status::Fail.symbol()),
                    theme.status(st),
                ));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Conditions (the evidence; a \"must\" that fails fails the probe, a \"should\" warns):",
                theme.muted(),
            ));
            for (tier, e) in last.verdict.evaluations.iter() {
                let (symbol, style) = match (e.ok, tier.is_fail()) {
                    (true, _) => (Status::Ok.symbol(), theme.status(Status::Ok)),
                    (false, true) => (Status::Fail.symbol(), theme.status(Status::Fail)),
                    (false, false) => (Status::Warn.symbol(), theme.status(Status::Warn)),
                };
                let mut spans = vec![
                    Span::styled(format!("  {symbol} "), style),
                    Span::styled(
                        if tier.is_fail() { "must   " } else { "should " },
                        theme.muted(),
                    ),
                    Span::styled(format!("{:<44} ", e.condition), theme.base()),
                    Span::styled(e.resolved.clone(), theme.accent()),
                ];
                if let Some(err) = e
                    .error
                    .as_ref()
                    .filter(|err| !e.resolved.contains(err.as_str()))
                {
                    spans.push(Span::styled(format!("  ({err})"), theme.muted()));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    if let Some(h) = history {
        lines.push(Line::raw(""));
        let values: Vec<Option<f64>> = h.latencies.iter().map(|v| Some(*v as f64)).collect();
        let max = h.latencies.iter().max().copied().unwrap_or(0);
        lines.push(Line::from(vec![
            Span::styled("latency  ", theme.muted()),
            Span::styled(sparkline(&values, 60), theme.accent()),
            Span::styled(format!("  max {max}ms"), theme.muted()),
        ]));
        let states: Vec<Span> = h
            .history
            .iter()
            .map(|(_, s)| Span::styled(s.symbol(), theme.status(*s)))
            .collect();
        let mut row = vec![Span::styled("history  ", theme.muted())];
        row.extend(states);
        row.push(Span::styled(
            format!("  last {} runs, oldest first", h.history.len()),
            theme.muted(),
        ));
        lines.push(Line::from(row));
    }
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::styled(format!(" Probe {name} "), theme.title(true)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        body,
    );
}
