//! The nodes overlay: each node's health (Ready, pressure, cordoned), what
//! its pods request and use against what it offers, and its pods against
//! its capacity.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::human::{self, age, percent};
use crate::kube::cluster::{Metrics, per_mille};
use crate::kube::model::NodeRow;
use crate::kube::{Resource, WatchState};
use crate::state::AppState;
use crate::state::nodes::NodesView;
use crate::status::Status;
use crate::ui::fit::{Cell, columns, fit, fit_line, scrolled};

/// The status word with the pressure conditions that hold:
/// "Ready,MemoryPressure", "NotReady,SchedulingDisabled".
fn health_word(n: &NodeRow) -> String {
    let mut words = vec![
        match n.ready {
            Some(true) => "Ready",
            Some(false) => "NotReady",
            None => "Unknown",
        }
        .to_string(),
    ];
    words.extend(n.pressure.iter().cloned());
    if n.unschedulable {
        words.push("SchedulingDisabled".into());
    }
    words.join(",")
}

fn node_cells(
    state: &AppState,
    view: &NodesView,
    n: &NodeRow,
    (name_width, status_width): (usize, usize),
) -> Vec<Cell> {
    let theme = &state.theme;
    let health = if n.ready != Some(true) {
        Status::Fail
    } else if !n.pressure.is_empty() || n.unschedulable {
        Status::Warn
    } else {
        Status::Ok
    };
    let load = view
        .load
        .as_ref()
        .and_then(|l| l.as_ref().ok())
        .map(|l| l.get(&n.name).copied().unwrap_or_default());
    let used = state.cluster.usage.nodes.get(&n.name);
    let alloc = n.allocatable;
    let share = |v: Option<u64>, of: u64| match v {
        Some(v) => percent(per_mille(v, Some(of))),
        None => "?".to_string(),
    };
    vec![
        Cell::keep(Span::styled(
            format!("{} ", health.symbol()),
            theme.status(health),
        )),
        Cell::keep(Span::styled(
            format!("{:<name_width$} ", fit(&n.name, name_width)),
            theme.base(),
        )),
        Cell::keep(Span::styled(
            format!("{:<status_width$} ", fit(&health_word(n), status_width)),
            theme.status(health),
        )),
        Cell::at(
            1,
            Span::styled(
                format!(
                    "cpu {:>4}/{:<4} ",
                    share(used.map(|u| u.cpu), alloc.cpu),
                    share(load.map(|l| l.cpu_requests), alloc.cpu),
                ),
                theme.base(),
            ),
        ),
        Cell::at(
            1,
            Span::styled(
                format!(
                    "mem {:>4}/{:<4} ",
                    share(used.map(|u| u.memory), alloc.memory),
                    share(load.map(|l| l.memory_requests), alloc.memory),
                ),
                theme.base(),
            ),
        ),
        Cell::at(
            2,
            Span::styled(
                format!(
                    "pods {:>4}/{:<4} ",
                    load.map_or("?".to_string(), |l| l.pods.to_string()),
                    alloc.pods
                ),
                theme.base(),
            ),
        ),
        Cell::at(
            3,
            Span::styled(
                format!(
                    "of {:>6} {:>7} ",
                    human::cpu(alloc.cpu),
                    human::memory(alloc.memory)
                ),
                theme.muted(),
            ),
        ),
        Cell::at(
            4,
            Span::styled(
                format!(
                    "{:<5} {}",
                    n.created_at.map_or("-".into(), |t| age(state.now - t)),
                    n.kubelet
                ),
                theme.muted(),
            ),
        ),
    ]
}

/// What the figures rest on: the requests' read, the metrics API.
fn sources_line(state: &AppState, view: &NodesView) -> String {
    let requests = match (&view.load, view.pending) {
        (None, _) => "requests: reading the pods of every namespace…".to_string(),
        (Some(Err(e)), _) => format!("requests unknown: {e}"),
        (Some(Ok(_)), _) => match view.loaded_at {
            Some(at) => format!("requests read {} ago", age(state.now - at)),
            None => "requests read".to_string(),
        },
    };
    let usage = match &state.cluster.usage.metrics {
        Metrics::Live => "use: the metrics API".to_string(),
        Metrics::NotRead => "use: reading the metrics API…".to_string(),
        Metrics::Absent(_) => "use unknown: the cluster has no metrics API".to_string(),
        Metrics::Forbidden(_) => "use unknown: the metrics API is forbidden".to_string(),
        Metrics::Failed(e) => format!("use: the metrics API fails ({e})"),
    };
    format!("% of allocatable: use/requests · {requests} · {usage}")
}

pub fn draw(frame: &mut Frame, state: &AppState, view: &NodesView, body: Rect) {
    let theme = &state.theme;
    let nodes: Vec<&NodeRow> = state.cluster.nodes.values().collect();
    let unhealthy = nodes.iter().filter(|n| !n.healthy()).count();
    let cordoned = nodes.iter().filter(|n| n.unschedulable).count();
    let mut title = format!(" Nodes {}", nodes.len());
    if unhealthy > 0 {
        title.push_str(&format!(" · {unhealthy} unhealthy"));
    }
    if cordoned > 0 {
        title.push_str(&format!(" · {cordoned} cordoned"));
    }
    title.push(' ');
    let width = body.width.saturating_sub(4).clamp(20, 150);
    let height = (nodes.len() as u16 + 6).clamp(8, body.height);
    let area = super::centered(body, width, height);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .style(theme.base())
        .title(Line::styled(title, theme.title(true)));
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let mut lines = vec![
        fit_line(
            Line::styled(sources_line(state, view), theme.muted()),
            width,
        ),
        Line::raw(""),
    ];
    let failing = state
        .cluster
        .watches
        .get(&Resource::Nodes)
        .and_then(|(w, _)| match w {
            WatchState::Failing { error, .. } => Some(error.clone()),
            WatchState::Live => None,
        });
    if nodes.is_empty() {
        let why = match failing {
            Some(e) => format!("The nodes cannot be listed: {e}"),
            None => "No nodes listed yet.".to_string(),
        };
        lines.push(fit_line(Line::styled(why, theme.muted()), width));
    } else {
        let name_width = nodes
            .iter()
            .map(|n| n.name.len())
            .max()
            .unwrap_or(0)
            .min(40);
        let status_width = nodes
            .iter()
            .map(|n| health_word(n).len())
            .max()
            .unwrap_or(0)
            .min(40);
        let rows = nodes
            .iter()
            .map(|n| node_cells(state, view, n, (name_width, status_width)))
            .collect();
        let rows = columns(rows, width);
        lines.extend(scrolled(
            theme,
            rows,
            Some(view.selected),
            width,
            usize::from(inner.height.saturating_sub(2)),
        ));
    }
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
