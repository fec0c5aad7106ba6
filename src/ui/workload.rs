//! The workload view: a Deployment's pods, revision history, conditions and
//! recent events (Warnings highlighted), each section a scrolling list; and
//! the log view of one of its pods.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::fit::{Cell, columns, fit, fit_line, scrolled, window, wrap};
use crate::checks::usage::memory_status;
use crate::config::theme::Theme;
use crate::human::{self, age, percent};
use crate::kube::cluster::{UsageState, per_mille};
use crate::kube::model::{PodRow, Strategy, WorkloadKind, WorkloadRow};
use crate::kube::rollout::status;
use crate::state::AppState;
use crate::state::logs::{LogStatus, LogView};
use crate::state::workload::{Section, Workload, WorkloadView};
use crate::status::Status;

pub fn draw(frame: &mut Frame, state: &AppState, view: &WorkloadView, body: Rect) {
    if let Some(logs) = &view.logs {
        draw_logs(frame, state, logs, body);
        return;
    }
    let theme = &state.theme;
    let w = crate::state::workload::view_of(&state.cluster, view);
    let summary: Vec<Line> = summary(state, &w, view.kind, &view.name)
        .into_iter()
        .map(|l| fit_line(l, usize::from(body.width)))
        .collect();
    let [
        summary_area,
        pods_area,
        history_area,
        conditions_area,
        events_area,
    ] = Layout::vertical([
        Constraint::Length(summary.len() as u16),
        // As tall as its pods, up to half the screen; events take the rest.
        Constraint::Length(section_height(
            view,
            &w,
            Section::Pods,
            usize::from(body.height / 2),
        )),
        Constraint::Length(section_height(view, &w, Section::History, 6)),
        Constraint::Length(section_height(view, &w, Section::Conditions, 5)),
        Constraint::Fill(1),
    ])
    .areas(body);
    frame.render_widget(Paragraph::new(summary), summary_area);
    let now = state.now;
    for (section, area) in [
        (Section::Pods, pods_area),
        (Section::History, history_area),
        (Section::Conditions, conditions_area),
        (Section::Events, events_area),
    ] {
        // Inside the borders.
        let width = usize::from(area.width.saturating_sub(2));
        let rows = match section {
            Section::Pods => pod_rows(theme, &w, now, &state.cluster),
            Section::History => history_rows(theme, &w, now),
            Section::Conditions => condition_rows(theme, &w, now),
            Section::Events => event_rows(theme, &w, now),
        };
        // The rows the section's filter lets through.
        let mut shown = vec![false; rows.len()];
        for i in view.visible(&w, section) {
            if let Some(s) = shown.get_mut(i) {
                *s = true;
            }
        }
        let rows: Vec<Vec<Cell>> = rows
            .into_iter()
            .zip(shown)
            .filter_map(|(row, shown)| shown.then_some(row))
            .collect();
        let rows = columns(rows, width);
        let empty = match section {
            Section::Pods => "No pods.",
            Section::History => match view.kind {
                WorkloadKind::Deployment => "No ReplicaSets: no revisions yet.",
                WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => {
                    "No ControllerRevisions: no revisions yet."
                }
                WorkloadKind::CronJob => "No Jobs of this CronJob in the namespace.",
                WorkloadKind::Job => "A Job has no revisions: it runs once.",
            },
            Section::Conditions => "No conditions reported yet.",
            Section::Events => "No recent events.",
        };
        let no_match = view.no_match(&w, section);
        let empty = no_match.as_deref().unwrap_or(empty);
        let mut title = section_title(view, &w, section);
        if section == Section::Pods {
            title.end.push(Span::styled(
                format!(" · {}", pods_note(state, view)),
                state.theme.muted(),
            ));
        }
        list(frame, state, view, section, (rows, title), empty, area);
    }
}

/// Rows shown plus borders, at most `max`.
fn section_height(view: &WorkloadView, w: &Workload, section: Section, max: usize) -> u16 {
    (view.visible(w, section).len().max(1) + 2).min(max) as u16
}

/// A section's title: its name, its filter, how many rows it shows of how
/// many, and those that need attention (failing and unready pods, failing
/// conditions, Warning events).
fn section_title(view: &WorkloadView, w: &Workload, section: Section) -> super::filter::Title {
    use crate::state::search::{condition_bad, pod_status};
    let shown = view.visible(w, section);
    let filter = &view.filters[section.index()];
    let count = |f: &dyn Fn(usize) -> bool| shown.iter().filter(|i| f(**i)).count();
    let counts = match section {
        Section::Pods => {
            let status = |i: usize| w.pods.get(i).map(|p| pod_status(p));
            vec![
                (
                    count(&|i| status(i) == Some(Status::Fail)),
                    "failing",
                    Status::Fail,
                ),
                (
                    count(&|i| status(i) == Some(Status::Warn)),
                    "not ready",
                    Status::Warn,
                ),
            ]
        }
        Section::History => Vec::new(),
        Section::Conditions => vec![(
            count(&|i| {
                w.workload
                    .and_then(|d| d.conditions.get(i))
                    .is_some_and(condition_bad)
            }),
            "failing",
            Status::Fail,
        )],
        Section::Events => {
            let n = count(&|i| w.events.get(i).is_some_and(|e| e.warning));
            vec![(n, if n == 1 { "warning" } else { "warnings" }, Status::Fail)]
        }
    };
    let name = match (section, view.kind) {
        (Section::History, WorkloadKind::CronJob) => "Jobs",
        _ => section.title(),
    };
    super::filter::Title {
        filter: if filter.is_set() {
            format!("/{}", filter.filter.text().trim())
        } else {
            String::new()
        },
        shown: shown.len(),
        total: w.count(section),
        narrowed: view.narrowed(section),
        problem: filter
            .filter
            .problem(WorkloadView::fields(section))
            .map(|p| super::filter::problem_short(&p)),
        counts,
        ..super::filter::Title::new(name)
    }
}

/// What the Pods title adds: how usage reads (or why there is none) and
/// the order when it is not the usual one.
fn pods_note(state: &AppState, view: &WorkloadView) -> String {
    use crate::kube::cluster::Metrics;
    let usage = &state.cluster.usage;
    let mut note = String::new();
    if view.order != crate::state::workload::PodOrder::Problems {
        note.push_str(view.order.label());
        note.push_str(" · ");
    }
    note.push_str(&match &usage.metrics {
        Metrics::Live => "%L of limit, req % of requests".to_string(),
        Metrics::NotRead => "usage: reading the metrics API…".to_string(),
        Metrics::Absent(_) => "no usage: the cluster has no metrics API".to_string(),
        Metrics::Forbidden(_) => "no usage: reading the metrics API is forbidden".to_string(),
        Metrics::Failed(_) => match usage.read_at {
            Some(at) => format!("usage {} old: the metrics API fails", age(state.now - at)),
            None => "no usage: the metrics API fails".to_string(),
        },
    });
    note
}

/// How the workload replaces its pods, when that is not the usual
/// rolling update: a StatefulSet's partition, OnDelete, Recreate.
fn strategy_text(d: &WorkloadRow) -> String {
    match d.strategy {
        Strategy::Partitioned(Some(p)) if p > 0 => format!(" · partition {p}"),
        Strategy::OnDelete => " · OnDelete".into(),
        Strategy::Recreate => " · Recreate".into(),
        _ => String::new(),
    }
}

fn summary(
    state: &AppState,
    w: &Workload,
    kind: WorkloadKind,
    qualified: &str,
) -> Vec<Line<'static>> {
    // In a view of every namespace: "deployment/api in payments".
    let name = match crate::kube::model::split(qualified) {
        (Some(ns), short) => format!("{short} in {ns}"),
        (None, short) => short.to_string(),
    };
    let name = name.as_str();
    let theme = &state.theme;
    let resource = kind.resource();
    let Some(d) = w.workload else {
        return vec![
            Line::styled(format!("{resource}/{name}"), theme.title(true)),
            Line::styled(
                format!(
                    "{} not found in namespace {} (esc goes back)",
                    Status::Fail.symbol(),
                    state.cluster.namespace.as_deref().unwrap_or("?")
                ),
                theme.status(Status::Fail),
            ),
        ];
    };
    let rollout = status(d);
    let st = rollout.health();
    let images = d.images.join(", ");
    let head = vec![
        Span::styled(format!("{resource}/{name} "), theme.title(true)),
        Span::styled(
            format!("{} {} ", st.symbol(), rollout.word()),
            theme.status(st),
        ),
    ];
    let mut lines = match (kind, d.batch.as_deref()) {
        (WorkloadKind::Job, Some(b)) => {
            let took = match (b.started_at, b.completed_at) {
                (Some(start), Some(end)) => format!(" · took {}", age(end - start)),
                (Some(start), None) => format!(" · running {}", age(state.now - start)),
                _ => String::new(),
            };
            let completions = b.completions.map_or("any".to_string(), |n| n.to_string());
            vec![Line::from(
                [
                    head,
                    vec![Span::styled(
                        format!(
                            "· {} of {completions} succeeded · {} active · {} failed (backoff limit {}) · parallelism {}{took} · {images}",
                            b.succeeded, b.active, b.failed, b.backoff_limit, b.parallelism
                        ),
                        theme.base(),
                    )],
                ]
                .concat(),
            )]
        }
        (WorkloadKind::CronJob, Some(b)) => {
            let when = |t: Option<i64>| {
                t.map_or("never".to_string(), |t| {
                    format!("{} ago", age(state.now - t))
                })
            };
            let zone = b
                .time_zone
                .as_ref()
                .map_or(String::new(), |z| format!(" ({z})"));
            vec![Line::from(
                [
                    head,
                    vec![Span::styled(
                        format!(
                            "· schedule {}{zone} · last scheduled {} · last succeeded {} · {} active · {images}",
                            b.schedule,
                            when(b.last_schedule),
                            when(b.last_successful),
                            b.active
                        ),
                        theme.base(),
                    )],
                ]
                .concat(),
            )]
        }
        _ => rollout_summary(d, w, kind, head, &images, theme),
    };
    lines.push(Line::styled(rollout.message(kind), theme.muted()));
    if let Some(hpa) = state
        .cluster
        .hpas
        .values()
        .find(|h| h.target_kind == kind.name() && h.target == qualified)
    {
        lines.push(hpa_line(hpa, theme));
    }
    lines
}

/// The line of the HorizontalPodAutoscaler that scales the workload: its
/// range, what it has and wants, each metric against its target, and the
/// conditions that are not as they should be.
pub fn hpa_line(hpa: &crate::kube::model::HpaRow, theme: &Theme) -> Line<'static> {
    let limited = hpa
        .conditions
        .iter()
        .filter(|c| {
            (c.type_ == "ScalingLimited" && c.status == "True")
                || (c.type_ != "ScalingLimited" && c.status == "False")
        })
        .map(|c| {
            format!(
                "{} {}: {}",
                c.type_,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>();
    let mut spans = vec![
        Span::styled(format!("hpa/{} ", hpa.name), theme.accent()),
        Span::styled(
            format!(
                "scales it between {} and {} · {} now, wants {} · {}",
                hpa.min,
                hpa.max,
                hpa.current,
                hpa.desired,
                hpa.targets()
            ),
            theme.base(),
        ),
    ];
    if !limited.is_empty() {
        spans.push(Span::styled(
            format!(" · {}", limited.join(" · ")),
            theme.status(Status::Warn),
        ));
    }
    Line::from(spans)
}

/// The first line of a Deployment's, StatefulSet's or DaemonSet's summary.
fn rollout_summary(
    d: &WorkloadRow,
    w: &Workload,
    kind: WorkloadKind,
    head: Vec<Span<'static>>,
    images: &str,
    theme: &Theme,
) -> Vec<Line<'static>> {
    // A StatefulSet's or DaemonSet's revision is its current
    // ControllerRevision's number.
    let revision = match kind {
        WorkloadKind::Deployment => d.revision,
        _ => w
            .history
            .iter()
            .find(|r| r.current)
            .map_or(0, |r| r.revision),
    };
    // A DaemonSet's desired count is the nodes it should run on.
    let ready = format!("{}/{} ready", d.ready, d.desired);
    let mut spans = head;
    spans.push(Span::styled(
        format!(
            "· {ready} · updated {} · available {} · revision {revision}{} · {images}",
            d.updated,
            d.available,
            strategy_text(d)
        ),
        theme.base(),
    ));
    vec![Line::from(spans)]
}

fn list(
    frame: &mut Frame,
    state: &AppState,
    view: &WorkloadView,
    section: Section,
    (rows, title): (Vec<Line<'static>>, super::filter::Title),
    empty: &str,
    area: Rect,
) {
    let theme = &state.theme;
    let focused = view.section == section;
    let room = usize::from(area.width.saturating_sub(2));
    let mut block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(title.line(theme, focused, room));
    if let Some(editing) = &view.filters[section.index()].editing {
        block = block.title_bottom(fit_line(
            super::filter::input_line(theme, &editing.input, room),
            room,
        ));
    }
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    // A filter naming a field the section does not have: said above.
    if let Some(problem) = view.filters[section.index()]
        .filter
        .problem(WorkloadView::fields(section))
        && inner.height > 2
    {
        let [line, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(
            Paragraph::new(super::filter::problem_line(
                theme,
                &problem,
                usize::from(inner.width),
            )),
            line,
        );
        inner = rest;
    }
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(empty.to_string(), theme.muted())),
            inner,
        );
        return;
    }
    let selected = view.selected[section.index()].min(rows.len() - 1);
    let lines = scrolled(
        theme,
        rows,
        focused.then_some(selected),
        usize::from(inner.width),
        usize::from(inner.height),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A pod's memory and CPU from the metrics API, each with its share of
/// the limit ("mem 430Mi 84%L"), then the shares of the requests; memory
/// near the limit in the warning colour, about to be OOM-killed in the
/// failure colour. No cells while there are no figures at all.
fn usage_cells(theme: &Theme, p: &PodRow, usage: &UsageState) -> Vec<Cell> {
    if usage.read_at.is_none() {
        return Vec::new();
    }
    let Some(u) = usage.pods.get(&p.name) else {
        // The same columns as a pod with figures, so that they line up.
        return vec![
            Cell::at(1, Span::styled(format!("{:<15} ", "mem -"), theme.muted())),
            Cell::at(2, Span::styled(format!("{:<15} ", "cpu -"), theme.muted())),
            Cell::at(5, Span::styled(format!("{:<16} ", ""), theme.muted())),
        ];
    };
    let r = &p.resources;
    let of_limit = per_mille(u.memory, r.memory_limit);
    let mem_style = memory_status(of_limit).map_or(theme.base(), |s| match s {
        Status::Ok => theme.base(),
        s => theme.status(s),
    });
    let share = |pm: Option<u32>, mark: &str| match pm {
        Some(_) => format!("{}{mark}", percent(pm)),
        None => "-".to_string(),
    };
    vec![
        Cell::at(
            1,
            Span::styled(
                format!(
                    "mem {:>5} {:>5} ",
                    human::memory(u.memory),
                    share(of_limit, "L")
                ),
                mem_style,
            ),
        ),
        Cell::at(
            2,
            Span::styled(
                format!(
                    "cpu {:>5} {:>5} ",
                    human::cpu(u.cpu),
                    share(per_mille(u.cpu, r.cpu_limit), "L")
                ),
                theme.base(),
            ),
        ),
        Cell::at(
            5,
            Span::styled(
                format!(
                    "req {:>5} {:>5} ",
                    share(per_mille(u.memory, r.memory_request), "M"),
                    share(per_mille(u.cpu, r.cpu_request), "C")
                ),
                theme.muted(),
            ),
        ),
    ]
}

/// The pod's node, and what is wrong with the node when something is
/// ("node-2 ✗ NotReady", "node-3 ✗ MemoryPressure").
fn node_cell(theme: &Theme, p: &PodRow, cluster: &crate::kube::cluster::ClusterState) -> Cell {
    let name = p.node.as_deref().unwrap_or("-");
    match p
        .node
        .as_ref()
        .and_then(|n| cluster.nodes.get(n.as_str()))
        .and_then(|n| n.trouble())
    {
        Some(trouble) => Cell::at(
            1,
            Span::styled(
                format!("{:<12} ", format!("{name} ✗ {trouble}")),
                theme.status(Status::Fail),
            ),
        ),
        None => Cell::at(3, Span::styled(format!("{name:<12} "), theme.muted())),
    }
}

/// A name without the namespace a view of every namespace qualifies it
/// with (the workload view is of one workload, in one namespace).
fn short(name: &str) -> &str {
    crate::kube::model::split(name).1
}

fn pod_rows(
    theme: &Theme,
    w: &Workload,
    now: i64,
    cluster: &crate::kube::cluster::ClusterState,
) -> Vec<Vec<Cell>> {
    let usage = &cluster.usage;
    let name_width = w
        .pods
        .iter()
        .map(|p| short(&p.name).len())
        .max()
        .unwrap_or(0)
        .min(44);
    w.pods
        .iter()
        .map(|p| {
            let st = crate::state::search::pod_status(p);
            let used = usage_cells(theme, p, usage);
            let last = match (&p.last_termination, p.last_restart_at) {
                (Some(reason), Some(at)) => format!("last: {reason} {} ago", age(now - at)),
                (Some(reason), None) => format!("last: {reason}"),
                _ => String::new(),
            };
            let mut cells = vec![
                Cell::keep(Span::styled(format!("{} ", st.symbol()), theme.status(st))),
                Cell::keep(Span::styled(
                    format!("{:<name_width$} ", fit(short(&p.name), name_width)),
                    theme.base(),
                )),
                Cell::keep(Span::styled(format!("{:<17} ", p.status), theme.status(st))),
                Cell::keep(Span::styled(
                    format!("{}/{} ", p.ready_containers, p.containers.len()),
                    theme.base(),
                )),
                Cell::keep(Span::styled(
                    format!("{:>3} restarts ", p.restarts),
                    if p.restarts > 0 {
                        theme.status(Status::Warn)
                    } else {
                        theme.muted()
                    },
                )),
            ];
            cells.extend(used);
            cells.extend([
                Cell::at(
                    3,
                    Span::styled(
                        format!("{:<5} ", p.started_at.map_or("-".into(), |t| age(now - t))),
                        theme.muted(),
                    ),
                ),
                node_cell(theme, p, cluster),
                Cell::flex(2, Span::styled(last, theme.status(Status::Warn))),
            ]);
            cells
        })
        .collect()
}

fn tags(images: &[String]) -> String {
    images
        .iter()
        .map(|i| i.rsplit('/').next().unwrap_or(i).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn history_rows(theme: &Theme, w: &Workload, now: i64) -> Vec<Vec<Cell>> {
    if w.workload.is_some_and(|d| d.kind == WorkloadKind::CronJob) {
        return job_rows(theme, w, now);
    }
    w.history
        .iter()
        .map(|r| {
            let mark = if r.current {
                "● current"
            } else {
                "         "
            };
            vec![
                Cell::keep(Span::styled(format!("r{:<4} ", r.revision), theme.accent())),
                Cell::keep(Span::styled(format!("{mark} "), theme.status(Status::Ok))),
                Cell::at(
                    3,
                    Span::styled(
                        format!("{:<5} ", r.created_at.map_or("-".into(), |t| age(now - t))),
                        theme.muted(),
                    ),
                ),
                Cell::keep(Span::styled(
                    format!("{:<28} ", fit(&tags(&r.images), 28)),
                    theme.base(),
                )),
                Cell::at(
                    2,
                    Span::styled(format!("pods {}/{} ", r.pods, r.desired), theme.muted()),
                ),
                Cell::flex(
                    1,
                    Span::styled(r.change_cause.clone().unwrap_or_default(), theme.base()),
                ),
            ]
        })
        .collect()
}

/// A CronJob's Jobs, newest first: name, age, succeeded of completions,
/// and the Job's state in a sentence.
fn job_rows(theme: &Theme, w: &Workload, now: i64) -> Vec<Vec<Cell>> {
    w.history
        .iter()
        .map(|r| {
            let mark = if r.current { "● newest" } else { "        " };
            vec![
                Cell::keep(Span::styled(
                    format!("{:<24} ", fit(short(&r.replicaset), 24)),
                    theme.accent(),
                )),
                Cell::keep(Span::styled(format!("{mark} "), theme.status(Status::Ok))),
                Cell::at(
                    3,
                    Span::styled(
                        format!("{:<5} ", r.created_at.map_or("-".into(), |t| age(now - t))),
                        theme.muted(),
                    ),
                ),
                Cell::at(
                    2,
                    Span::styled(format!("done {}/{} ", r.ready, r.desired), theme.muted()),
                ),
                Cell::flex(
                    1,
                    Span::styled(r.change_cause.clone().unwrap_or_default(), theme.base()),
                ),
            ]
        })
        .collect()
}

fn condition_rows(theme: &Theme, w: &Workload, now: i64) -> Vec<Vec<Cell>> {
    let Some(d) = w.workload else {
        return Vec::new();
    };
    let mut rows: Vec<Vec<Cell>> = d
        .conditions
        .iter()
        .map(|c| {
            let bad = crate::state::search::condition_bad(c);
            let st = if bad { Status::Fail } else { Status::Ok };
            vec![
                Cell::keep(Span::styled(format!("{} ", st.symbol()), theme.status(st))),
                // Padded below to the longest type (a Job's
                // SuccessCriteriaMet is longer than most).
                Cell::keep(Span::styled(format!("{:<15} ", c.type_), theme.base())),
                Cell::keep(Span::styled(format!("{:<6} ", c.status), theme.base())),
                Cell::keep(Span::styled(
                    format!("{:<26} ", c.reason.as_deref().unwrap_or("")),
                    theme.accent(),
                )),
                Cell::at(
                    2,
                    Span::styled(
                        format!(
                            "{} ",
                            c.updated_at
                                .map_or(String::new(), |t| format!("{} ago", age(now - t)))
                        ),
                        theme.muted(),
                    ),
                ),
                Cell::flex(
                    1,
                    Span::styled(c.message.clone().unwrap_or_default(), theme.base()),
                ),
            ]
        })
        .collect();
    crate::ui::fit::pad(&mut rows, 1);
    rows
}

fn event_rows(theme: &Theme, w: &Workload, now: i64) -> Vec<Vec<Cell>> {
    w.events
        .iter()
        .map(|e| {
            let (word, style) = if e.warning {
                ("Warning", theme.status(Status::Fail))
            } else {
                ("Normal ", theme.muted())
            };
            let count = if e.count > 1 {
                format!(" (x{})", e.count)
            } else {
                String::new()
            };
            vec![
                Cell::keep(Span::styled(
                    format!("{:<5} ", e.last_seen.map_or("-".into(), |t| age(now - t))),
                    theme.muted(),
                )),
                Cell::keep(Span::styled(format!("{word} "), style)),
                Cell::keep(Span::styled(
                    format!("{:<20} ", e.reason),
                    if e.warning { style } else { theme.accent() },
                )),
                Cell::at(
                    2,
                    Span::styled(
                        format!("{}/{} ", e.kind.to_lowercase(), short(&e.object)),
                        theme.muted(),
                    ),
                ),
                Cell::flex(
                    0,
                    Span::styled(
                        format!("{}{count}", e.message),
                        if e.warning { style } else { theme.base() },
                    ),
                ),
            ]
        })
        .collect()
}

/// The style of a log line: errors and warnings stand out.
fn line_style(theme: &Theme, line: &str) -> ratatui::style::Style {
    let upper = line
        .get(..line.len().min(64))
        .unwrap_or(line)
        .to_ascii_uppercase();
    if ["ERROR", "FATAL", "PANIC", "CRIT"]
        .iter()
        .any(|w| upper.contains(w))
    {
        theme.status(Status::Fail)
    } else if upper.contains("WARN") {
        theme.status(Status::Warn)
    } else {
        theme.base()
    }
}

fn draw_logs(frame: &mut Frame, state: &AppState, logs: &LogView, body: Rect) {
    let theme = &state.theme;
    let mut title = vec![
        Span::styled(" Logs ", theme.title(true)),
        Span::styled(format!("pod/{} ", logs.pod), theme.base()),
        Span::styled(format!("· {} ", logs.container()), theme.accent()),
    ];
    if logs.previous {
        title.push(Span::styled(
            "· previous container ",
            theme.status(Status::Warn),
        ));
    }
    // Following only while lines can still come.
    title.push(Span::styled(
        match (&logs.status, logs.follow) {
            (LogStatus::Ended, _) => "· stream ended ",
            (LogStatus::Failed(_), _) => "· stream failed ",
            (_, true) => "· following ",
            (_, false) => "· held ",
        },
        theme.muted(),
    ));
    if !logs.filter.is_empty() {
        title.push(Span::styled(
            format!("· filter \"{}\" ", logs.filter),
            theme.accent(),
        ));
    }
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(fit_line(
            Line::from(title),
            usize::from(body.width.saturating_sub(2)),
        ));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let [text_area, status_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    let visible = logs.visible();
    let height = usize::from(text_area.height);
    let width = usize::from(text_area.width);
    let end = visible.len().saturating_sub(logs.scroll);
    // From the last line in view upwards, until the view is full: a
    // wrapped line takes as many rows as it needs (the top one may show
    // only its end); a cut one takes one row, marked where it is cut.
    let mut rows: Vec<Line> = Vec::with_capacity(height);
    let mut start = end;
    while start > 0 && rows.len() < height {
        start -= 1;
        let line = visible[start];
        let style = line_style(theme, line);
        if logs.wrap {
            let pieces = wrap(line, width);
            let count = pieces.len();
            for (i, piece) in pieces.into_iter().enumerate().rev() {
                if rows.len() == height {
                    break;
                }
                // The top row of a line whose start is above the view
                // begins with the mark.
                let piece = if i > 0 && rows.len() + 1 == height && count > 1 {
                    window(&piece, 1, width)
                } else {
                    piece
                };
                rows.push(Line::styled(piece, style));
            }
        } else {
            rows.push(Line::styled(window(line, logs.column, width), style));
        }
    }
    rows.reverse();
    let above = start;
    frame.render_widget(Paragraph::new(rows), text_area);
    let status = if let Some(editor) = &logs.editor {
        Line::from(vec![
            Span::styled("filter: ", theme.accent()),
            Span::styled(format!("{}▏", editor.lines().concat()), theme.selection()),
            Span::styled("  enter applies · esc cancels", theme.muted()),
        ])
    } else {
        let (text, style) = match &logs.status {
            LogStatus::Connecting => ("connecting…".to_string(), theme.muted()),
            LogStatus::Streaming if logs.lines.is_empty() => ("no lines yet".into(), theme.muted()),
            LogStatus::Streaming => (
                format!("{} of {} lines", visible.len(), logs.lines.len()),
                theme.muted(),
            ),
            LogStatus::Ended => (
                format!("stream ended ({} lines)", logs.lines.len()),
                theme.status(Status::Warn),
            ),
            LogStatus::Failed(e) => (
                format!("{} {e}", Status::Fail.symbol()),
                theme.status(Status::Fail),
            ),
        };
        let mut spans = vec![Span::styled(text, style)];
        if logs.dropped > 0 {
            spans.push(Span::styled(
                format!(
                    " · {} older lines dropped (buffer keeps {})",
                    logs.dropped,
                    crate::state::logs::MAX_LINES
                ),
                theme.muted(),
            ));
        }
        if logs.wrap {
            spans.push(Span::styled(" · wrapping", theme.muted()));
        } else if logs.column > 0 {
            spans.push(Span::styled(
                format!(" · from column {}", logs.column + 1),
                theme.muted(),
            ));
        }
        if above > 0 {
            spans.push(Span::styled(
                format!(" · ↑ {above} more above"),
                theme.muted(),
            ));
        }
        if logs.scroll > 0 {
            spans.push(Span::styled(
                format!(" · ↓ {} more below (end or f follows again)", logs.scroll),
                theme.muted(),
            ));
        }
        Line::from(spans)
    };
    frame.render_widget(
        Paragraph::new(fit_line(status, usize::from(status_area.width))),
        status_area,
    );
}
