//! The Rollouts pane: one row per Deployment, StatefulSet and DaemonSet,
//! problems first, with its rollout state (symbol and word), its kind, a
//! progress gauge, replica counts,
//! revision and image tag, pods by phase, recent restarts and the age of
//! the last change. The selected row's kubectl message is shown below.

use ratatui::text::{Line, Span};

use unicode_width::UnicodeWidthStr;

use super::{Content, heading, note};
use crate::checks::usage::memory_status;
use crate::config::theme::Theme;
use crate::human::age;
use crate::kube::cluster::{ClusterState, Link, RolloutRow};
use crate::kube::model::{BatchRow, PodPhase, WorkloadKind};
use crate::kube::rollout::Rollout;
use crate::kube::{Resource, WatchState};
use crate::state::AppState;
use crate::status::Status;
use crate::ui::fit::{Cell, columns, fit};

fn state_of(row: &RolloutRow, listed: bool) -> (&'static str, &'static str, Status) {
    match &row.rollout {
        None if !listed => ("?", "loading", Status::Unknown),
        None => ("✗", "missing", Status::Fail),
        Some(Rollout::Complete(_)) => ("✓", "complete", Status::Ok),
        Some(Rollout::Failed(_)) => ("✗", "failed", Status::Fail),
        Some(Rollout::Paused(_)) => ("‖", "paused", Status::Warn),
        Some(Rollout::OnDelete(_)) => ("○", "ondelete", Status::Warn),
        Some(Rollout::Running(_)) => ("▶", "running", Status::Warn),
        Some(Rollout::Suspended(_)) => ("‖", "suspend", Status::Warn),
        Some(Rollout::Scheduled(_)) => ("✓", "schedule", Status::Ok),
        Some(Rollout::Waiting) => ("▲", "waiting", Status::Warn),
        Some(Rollout::Progressing(_)) => ("▲", "rolling", Status::Warn),
    }
}

fn gauge(done: i32, total: i32, width: usize) -> String {
    let total = total.max(0) as usize;
    // Nothing wanted counts as full.
    let filled = (done.max(0) as usize * width)
        .checked_div(total)
        .map_or(width, |f| f.min(width));
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

fn pods_text(row: &RolloutRow) -> String {
    let words = [
        (PodPhase::Running, "run"),
        (PodPhase::Pending, "pend"),
        (PodPhase::Failing, "crash"),
        (PodPhase::Terminating, "term"),
        (PodPhase::Succeeded, "done"),
        (PodPhase::Failed, "failed"),
    ];
    let parts: Vec<String> = words
        .iter()
        .filter_map(|(phase, word)| {
            row.pods
                .get(phase)
                .filter(|n| **n > 0)
                .map(|n| format!("{n} {word}"))
        })
        .collect();
    if parts.is_empty() {
        "no pods".into()
    } else {
        parts.join(" ")
    }
}

fn tag(image: &str) -> &str {
    image.rsplit_once(':').map_or(image, |(_, t)| t)
}

/// The watch of a kind of workload.
fn resource_of(kind: WorkloadKind) -> Resource {
    match kind {
        WorkloadKind::Deployment => Resource::Deployments,
        WorkloadKind::StatefulSet => Resource::StatefulSets,
        WorkloadKind::DaemonSet => Resource::DaemonSets,
        WorkloadKind::Job => Resource::Jobs,
        WorkloadKind::CronJob => Resource::CronJobs,
    }
}

/// Before the first list of a kind (a runbook workload is not known to be
/// missing until it has come): the state's word, why in a few words for
/// the row, and in a sentence for the note.
fn unlisted(cluster: &ClusterState, kind: WorkloadKind) -> (&'static str, &'static str, String) {
    let failing = match cluster.watches.get(&resource_of(kind)) {
        Some((WatchState::Failing { forbidden, .. }, _)) => Some(*forbidden),
        _ => None,
    };
    match failing {
        Some(true) => (
            "unknown",
            "list forbidden",
            format!("listing {}s is forbidden", kind.name()),
        ),
        Some(false) => (
            "loading",
            "list failing, retrying",
            format!("listing {}s is failing, retrying", kind.name()),
        ),
        None => (
            "loading",
            "waiting for the first list",
            "waiting for the first list".into(),
        ),
    }
}

/// A row's cells, most needed first: state symbol, name and ready count
/// always; then the state's word, the kind and recent restarts; then the
/// updated and available counts, the gauge, revision and image, pods by phase, and
/// the age of the last change.
fn row_cells(
    row: &RolloutRow,
    theme: &Theme,
    (ns_width, name_width): (usize, usize),
    now: i64,
    cluster: &ClusterState,
    regressed: bool,
) -> Vec<Cell> {
    let (ns, short) = crate::kube::model::split(&row.name);
    let listed = cluster.is_listed(row.kind);
    let (symbol, mut word, status) = state_of(row, listed);
    if row.rollout.is_none() && !listed {
        word = unlisted(cluster, row.kind).0;
    }
    let mut cells = vec![
        Cell::keep(Span::styled(format!("{symbol} "), theme.status(status))),
        Cell::at(2, Span::styled(format!("{word:<8} "), theme.status(status))),
        Cell::at(
            1,
            Span::styled(
                match ns {
                    Some(ns) => format!("{:<ns_width$} ", fit(ns, ns_width)),
                    None => String::new(),
                },
                theme.muted(),
            ),
        ),
        Cell::keep(Span::styled(
            format!("{:<name_width$} ", fit(short, name_width)),
            theme.base(),
        )),
    ];
    if regressed {
        // Its rollout caused a regression (the banner says which).
        cells.push(Cell::keep(Span::styled(
            "REGRESSION ",
            theme.status(Status::Fail),
        )));
    }
    cells.push(Cell::at(
        2,
        Span::styled(format!("{:<6} ", row.kind.short()), theme.muted()),
    ));
    let Some(d) = &row.workload else {
        let why = if listed {
            "not found in the namespace"
        } else {
            unlisted(cluster, row.kind).1
        };
        cells.push(Cell::flex(1, Span::styled(why, theme.muted())));
        return cells;
    };
    let muted = theme.muted();
    if let Some(b) = d.batch.as_deref() {
        batch_cells(&mut cells, row, d, b, theme, status, now);
        return cells;
    }
    // Progress as kubectl counts it: replicas both updated and available
    // (during a rollout the old pods are available but not updated).
    cells.push(Cell::at(
        4,
        Span::styled(
            format!("{} ", gauge(d.updated.min(d.available), d.desired, 8)),
            theme.status(status),
        ),
    ));
    cells.push(Cell::keep(Span::styled(
        format!("{}/{} ", d.ready, d.desired),
        theme.base(),
    )));
    cells.push(Cell::at(
        3,
        Span::styled(format!("upd {} avl {} ", d.updated, d.available), muted),
    ));
    cells.push(Cell::at(
        5,
        Span::styled(format!("r{} ", d.revision), muted),
    ));
    let image = d.images.first().map_or("", |i| tag(i));
    cells.push(Cell::at(
        5,
        Span::styled(format!("{} ", fit(image, 20)), theme.base()),
    ));
    cells.push(Cell::at(
        6,
        Span::styled(format!("{} ", pods_text(row)), muted),
    ));
    if row.recent_restarts > 0 {
        cells.push(Cell::at(
            1,
            Span::styled(
                format!("{} restarts/1h ", row.recent_restarts),
                theme.status(Status::Warn),
            ),
        ));
    }
    if let Some(u) = &row.usage {
        // A pod near its memory limit shows even on a narrow screen.
        if let Some(st) = memory_status(u.worst_memory).filter(|s| *s != Status::Ok) {
            cells.push(Cell::at(
                1,
                Span::styled(
                    format!("mem {}L ", crate::human::percent(u.worst_memory)),
                    theme.status(st),
                ),
            ));
        }
        // The pods' total use goes before their count does.
        cells.push(Cell::at(
            7,
            Span::styled(
                format!(
                    "cpu {} mem {} ",
                    crate::human::cpu(u.total.cpu),
                    crate::human::memory(u.total.memory)
                ),
                muted,
            ),
        ));
    }
    if let Some(hpa) = &row.hpa {
        cells.push(Cell::at(
            4,
            Span::styled(format!("hpa {}-{} ", hpa.min, hpa.max), theme.accent()),
        ));
    }
    if let Some(at) = d.changed_at {
        // The least needed: it goes before the pods' usage does.
        cells.push(Cell::at(
            8,
            Span::styled(format!("changed {} ago", age(now - at)), muted),
        ));
    }
    cells
}

/// A Job's cells: progress to its completions, succeeded of completions,
/// active and failed pods, how long it ran; a CronJob's: its schedule,
/// when it last ran and succeeded, its newest Job.
fn batch_cells(
    cells: &mut Vec<Cell>,
    row: &RolloutRow,
    d: &crate::kube::model::WorkloadRow,
    b: &BatchRow,
    theme: &Theme,
    status: Status,
    now: i64,
) {
    let muted = theme.muted();
    if d.kind == WorkloadKind::CronJob {
        cells.push(Cell::at(
            3,
            Span::styled(format!("{} ", fit(&b.schedule, 16)), theme.base()),
        ));
        let when =
            |t: Option<i64>| t.map_or("never".to_string(), |t| format!("{} ago", age(now - t)));
        cells.push(Cell::at(
            3,
            Span::styled(format!("last {} ", when(b.last_schedule)), muted),
        ));
        cells.push(Cell::at(
            4,
            Span::styled(format!("ok {} ", when(b.last_successful)), muted),
        ));
        if let Some(job) = &b.last_job {
            cells.push(Cell::at(5, Span::styled(format!("{} ", job.name), muted)));
        }
    } else {
        let wanted = b.completions.unwrap_or(1);
        cells.push(Cell::at(
            4,
            Span::styled(
                format!("{} ", gauge(b.succeeded, wanted, 8)),
                theme.status(status),
            ),
        ));
        cells.push(Cell::keep(Span::styled(
            format!("{}/{} ", b.succeeded, wanted),
            theme.base(),
        )));
        cells.push(Cell::at(
            3,
            Span::styled(format!("act {} fail {} ", b.active, b.failed), muted),
        ));
        let took = match (b.started_at, b.completed_at) {
            (Some(start), Some(end)) => Some(format!("took {} ", age(end - start))),
            (Some(start), None) => Some(format!("for {} ", age(now - start))),
            _ => None,
        };
        if let Some(took) = took {
            cells.push(Cell::at(5, Span::styled(took, muted)));
        }
    }
    let image = d.images.first().map_or("", |i| tag(i));
    cells.push(Cell::at(
        5,
        Span::styled(format!("{} ", fit(image, 20)), theme.base()),
    ));
    cells.push(Cell::at(
        6,
        Span::styled(format!("{} ", pods_text(row)), muted),
    ));
}

/// Rows fitted to `width`, the Jobs' and CronJobs' apart from the
/// others': their columns after the kind differ, and a long CronJob row
/// must not take the pods' usage from every Deployment's row.
fn columns_by_shape(rows: Vec<(bool, Vec<Cell>)>, width: usize) -> Vec<Line<'static>> {
    let shapes: Vec<bool> = rows.iter().map(|(batch, _)| *batch).collect();
    let (batch, other): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(batch, _)| *batch);
    let mut batch = columns(batch.into_iter().map(|(_, c)| c).collect(), width).into_iter();
    let mut other = columns(other.into_iter().map(|(_, c)| c).collect(), width).into_iter();
    shapes
        .into_iter()
        .filter_map(|b| if b { batch.next() } else { other.next() })
        .collect()
}

/// The pane's rows and notes. Only the rows that can be in view in a pane
/// of `window.0` lines with `window.1` selected are drawn (the others are
/// blank lines that scrolling skips): a namespace of thousands of
/// workloads costs a frame what one screenful does.
pub fn content(state: &AppState, width: usize, window: (usize, Option<usize>)) -> Content {
    let theme = &state.theme;
    let cluster = &state.cluster;
    let ns = cluster
        .namespace
        .clone()
        .or_else(|| state.target.namespace.clone())
        .unwrap_or_else(|| "the context's namespace".to_string());
    match &cluster.link {
        Link::Connecting => {
            let ctx = state
                .target
                .context
                .clone()
                .unwrap_or_else(|| "the current context".into());
            return Content {
                rows: Vec::new(),
                notes: vec![heading(theme, format!("Connecting to {ctx}…"))],
            };
        }
        Link::Failed(e) => {
            return Content {
                rows: Vec::new(),
                notes: vec![
                    Line::styled(
                        format!("{} Not connected: {e}", Status::Fail.symbol()),
                        theme.status(Status::Fail),
                    ),
                    note(
                        theme,
                        "Check --kubeconfig and --context (kubectl config get-contexts lists them).",
                    ),
                ],
            };
        }
        Link::Connected => {}
    }
    let mut notes = Vec::new();
    if let Some((resource, error, forbidden, _)) = cluster.trouble() {
        let what = if forbidden {
            "forbidden"
        } else {
            "failing, retrying"
        };
        notes.push(Line::styled(
            format!(
                "{} watch of {} {what}: {error}",
                Status::Fail.symbol(),
                resource.name()
            ),
            theme.status(Status::Fail),
        ));
    }
    if cluster.rows.is_empty() {
        let text = if cluster.listed {
            format!("No Deployments, StatefulSets or DaemonSets in {ns}.")
        } else {
            format!(
                "Workloads in {ns}: {}.",
                unlisted(cluster, WorkloadKind::Deployment).2
            )
        };
        notes.push(heading(theme, text));
        return Content {
            rows: Vec::new(),
            notes,
        };
    }
    let shown = state.rollout_rows();
    // Every namespace: the namespace in a column of its own before the name.
    let name_width = shown
        .iter()
        .map(|r| crate::kube::model::split(&r.name).1.width())
        .max()
        .unwrap_or(0)
        .min(28);
    let ns_width = shown
        .iter()
        .filter_map(|r| crate::kube::model::split(&r.name).0)
        .map(|ns| ns.width())
        .max()
        .unwrap_or(0)
        .min(20);
    let stale = cluster.stale_for(state.now);
    // In view: with a line kept for the notes below or not.
    let (height, picked) = window;
    let total = shown.len();
    let full = crate::ui::fit::view(total, height, picked.unwrap_or(0));
    let short = crate::ui::fit::view(total, height.saturating_sub(1), picked.unwrap_or(0));
    let in_view = full.start.min(short.start)..full.end.max(short.end);
    let rows: Vec<(bool, Vec<Cell>)> = shown
        .iter()
        .enumerate()
        .filter(|(i, _)| in_view.contains(i))
        .map(|(_, r)| {
            let batch = r.workload.as_ref().is_some_and(|w| w.batch.is_some());
            let regressed = !state.guard.followed.is_empty() && {
                let (ns, short) = crate::kube::model::split(&r.name);
                let ns = ns.map_or_else(|| state.namespace(), str::to_string);
                state
                    .guard
                    .regressed(&crate::kube::cluster::WorkloadId::new(r.kind, &ns, short))
            };
            let mut cells = row_cells(
                r,
                theme,
                (ns_width, name_width),
                state.now,
                cluster,
                regressed,
            );
            if let Some(silent) = stale {
                // Not live: each row says how old it is (and is dimmed).
                cells.insert(
                    0,
                    Cell::keep(Span::styled(
                        format!("[{} old] ", age(silent)),
                        theme.status(Status::Fail),
                    )),
                );
            }
            (batch, cells)
        })
        .collect();
    let drawn = columns_by_shape(rows, width)
        .into_iter()
        .map(|line| match stale {
            Some(_) => line.patch_style(theme.muted()),
            None => line,
        });
    // Blank lines stand for the rows out of view, so that scrolling
    // counts them.
    let rows = std::iter::repeat_with(Line::default)
        .take(in_view.start)
        .chain(drawn)
        .chain(std::iter::repeat_with(Line::default).take(total - in_view.end.min(total)))
        .collect();
    if let Some(silent) = stale {
        notes.push(Line::styled(
            format!(
                "{} No answer from the API server for {}: these rows are as they were then, and the checks that use them are unknown.",
                Status::Fail.symbol(),
                age(silent)
            ),
            theme.status(Status::Fail),
        ));
    }
    let selected = state.selected[crate::state::Pane::Rollouts.index()];
    if let (Some(id), true) = (&state.picked, state.picked_gone) {
        notes.push(Line::styled(
            format!(
                "{} {id}, which was selected, is no longer in {ns}: nothing is selected (up/down selects another).",
                Status::Warn.symbol()
            ),
            theme.status(Status::Warn),
        ));
    } else if let Some(row) = shown.get(selected) {
        let message = match &row.rollout {
            Some(r) => r.message(row.kind),
            None if cluster.is_listed(row.kind) => format!(
                "{} \"{}\" is in the runbook but not in {ns}.",
                row.kind.name(),
                row.name
            ),
            // Not known to be missing until its kind is listed.
            None => format!(
                "{} \"{}\" is in the runbook; whether it is in {ns} is not known yet: {}.",
                row.kind.name(),
                row.name,
                unlisted(cluster, row.kind).2
            ),
        };
        notes.push(note(theme, message));
    }
    Content { rows, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauges_fill_in_proportion() {
        assert_eq!(gauge(3, 3, 6), "██████");
        assert_eq!(gauge(1, 2, 6), "███░░░");
        assert_eq!(gauge(0, 0, 4), "████");
    }
}
