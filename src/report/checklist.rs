//! The report's summary (per phase: done, overridden, skipped, failing,
//! open) and its checklist: each item with who, when, its evidence and its
//! notes; then the earlier runs of recurring phases.

use std::collections::{BTreeMap, HashMap};

use super::summary::{CheckState, Summary};
use super::{cell, code, text, when};
use crate::runbook::Runbook;
use crate::runbook::check_ref::{CheckRef, Target};
use crate::state::checklist::{Check, ChecklistRow, ItemState, run_of};

/// The journaled state that makes an item's check failing, if any: the
/// named probe's, signal's or workload's rollout, or for `probe:*`,
/// `signal:*` and `rollout:*` the first of the runbook's that failed; an
/// `alerts` check's own journaled state (the dashboard journals it when
/// it changes).
fn failing<'a>(
    check: &CheckRef,
    runbook: &Runbook,
    states: &'a HashMap<String, CheckState>,
) -> Option<&'a CheckState> {
    let failed = |key: String| states.get(key.as_str()).filter(|s| s.status == "fail");
    match check {
        CheckRef::Probe(Target::Named(n)) => failed(format!("probe:{n}")),
        CheckRef::Signal(Target::Named(n)) => failed(format!("signal:{n}")),
        CheckRef::Probe(Target::All) => runbook
            .probes()
            .filter(|p| p.burst.is_none())
            .find_map(|p| failed(format!("probe:{}", p.name.get_ref()))),
        CheckRef::Signal(Target::All) => runbook
            .signals()
            .find_map(|s| failed(format!("signal:{}", s.name.get_ref()))),
        CheckRef::Rollout(Target::Named(n)) => failed(format!("rollout:{n}")),
        CheckRef::Rollout(Target::All) => runbook
            .workloads()
            .find_map(|w| failed(format!("rollout:{}", w.name.get_ref()))),
        CheckRef::Usage(Target::Named(n)) => failed(format!("usage:{n}")),
        CheckRef::Usage(Target::All) => runbook
            .workloads()
            .find_map(|w| failed(format!("usage:{}", w.name.get_ref()))),
        job @ CheckRef::Job(_) => failed(job.to_string()),
        alerts @ (CheckRef::Alerts(_) | CheckRef::AlertRules(_)) => failed(alerts.to_string()),
    }
}

#[derive(Clone, Copy)]
enum Count {
    Done,
    Overridden,
    Skipped,
    Failing,
    Open,
}

fn count(state: Option<&ItemState>, failing: bool) -> Count {
    match state {
        Some(ItemState::Done {
            reason: None,
            stale: false,
            ..
        }) => Count::Done,
        Some(ItemState::Done {
            reason: Some(_),
            stale: false,
            ..
        }) => Count::Overridden,
        Some(ItemState::Skipped { .. }) => Count::Skipped,
        // Open, or ticked before its text changed (verify it again).
        _ if failing => Count::Failing,
        _ => Count::Open,
    }
}

/// Writes the summary, the checklist and the earlier runs.
pub(super) fn write(
    out: &mut dyn std::fmt::Write,
    runbook: &Runbook,
    checklist: &[ChecklistRow],
    summary: &Summary,
    now: i64,
) {
    let states = summary.checklist.states(checklist, now);
    let checks = &summary.checks;
    let failing_of = |check: &Option<Check>| {
        check
            .as_ref()
            .and_then(|c| failing(&c.names, runbook, checks))
    };

    // Summary per phase, and the total.
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "| Phase | Done | Overridden | Skipped | Failing | Open | Total |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    let mut phases: Vec<(String, [usize; 6])> = Vec::new();
    for row in checklist {
        match row {
            ChecklistRow::Phase {
                name,
                period,
                every,
                ..
            } => {
                let name = match (every, run_of(*period, now)) {
                    (Some(e), Some(run)) => format!("{name} (every {e}, run {run})"),
                    _ => name.clone(),
                };
                phases.push((name, [0; 6]));
            }
            ChecklistRow::Item { id, check, .. } => {
                if let Some((_, c)) = phases.last_mut() {
                    c[count(states.get(id), failing_of(check).is_some()) as usize] += 1;
                    c[5] += 1;
                }
            }
        }
    }
    let mut total = [0usize; 6];
    for (name, c) in &phases {
        let [done, over, skipped, failing, open, all] = c;
        let _ = writeln!(
            out,
            "| {} | {done} | {over} | {skipped} | {failing} | {open} | {all} |",
            cell(name)
        );
        for (t, n) in total.iter_mut().zip(c) {
            *t += n;
        }
    }
    let [done, over, skipped, failing, open, all] = total;
    let _ = writeln!(
        out,
        "| **Total** | {done} | {over} | {skipped} | {failing} | {open} | {all} |"
    );

    // Every item with who, when, its evidence and its notes.
    let _ = writeln!(out, "\n## Checklist\n");
    let item_notes = &summary.notes;
    let last_tick = |id: &str| summary.evidence.get(id).cloned();
    for row in checklist {
        match row {
            ChecklistRow::Phase { name, .. } => {
                let _ = writeln!(out, "\n### {}\n", text(name));
            }
            ChecklistRow::Item {
                id,
                text: item_text,
                check,
                ..
            } => {
                let state = states.get(id);
                let (mark, who) = match state {
                    Some(ItemState::Done {
                        by,
                        at,
                        reason: None,
                        stale: false,
                        verified,
                        regressed,
                    }) => {
                        let who = if *verified {
                            format!(
                                " — verified by its check, {} (seen by {})",
                                when(at),
                                text(by)
                            )
                        } else {
                            format!(" — done by {}, {}", text(by), when(at))
                        };
                        let regressed = regressed
                            .as_ref()
                            .map(|r| format!(" — **regressed** {}: {}", when(&r.at), text(&r.why)))
                            .unwrap_or_default();
                        ("x", format!("{who}{regressed}"))
                    }
                    Some(ItemState::Done {
                        by,
                        at,
                        reason: Some(r),
                        stale: false,
                        ..
                    }) => (
                        "x",
                        format!(
                            " — **overridden** by {}, {}: {}",
                            text(by),
                            when(at),
                            text(r)
                        ),
                    ),
                    Some(ItemState::Done {
                        by,
                        at,
                        stale: true,
                        ..
                    }) => (
                        " ",
                        format!(
                            " — ticked by {}, {}, but its text changed since: verify again",
                            text(by),
                            when(at)
                        ),
                    ),
                    Some(ItemState::Skipped { by, at, reason }) => (
                        " ",
                        format!(
                            " — *skipped* by {}, {}: {}",
                            text(by),
                            when(at),
                            text(reason)
                        ),
                    ),
                    _ => (" ", String::new()),
                };
                let failing = match count(state, failing_of(check).is_some()) {
                    Count::Failing => failing_of(check)
                        .map(|f| format!(" — **failing** since {}: {}", when(&f.at), text(&f.text)))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let check = check
                    .as_ref()
                    .map(|c| format!(" `{}`", code(&c.text)))
                    .unwrap_or_default();
                let _ = writeln!(out, "- [{mark}] {}{check}{who}{failing}", text(item_text));
                if matches!(state, Some(ItemState::Done { stale: false, .. })) {
                    for e in last_tick(id).unwrap_or_default() {
                        let detail = e
                            .detail
                            .map(|d| format!(" ({})", text(&d)))
                            .unwrap_or_default();
                        let _ = writeln!(
                            out,
                            "  - evidence: {} `{}` {}: {}{detail}",
                            text(&e.kind),
                            code(&e.name),
                            text(&e.status),
                            text(&e.value)
                        );
                        // A probe's every condition with its value.
                        for c in &e.conditions {
                            let _ = writeln!(out, "    - {}", text(c));
                        }
                    }
                }
                for n in item_notes.get(id).into_iter().flatten() {
                    let _ = writeln!(
                        out,
                        "  - note ({}, {}): {}",
                        text(&n.by),
                        when(&n.at),
                        text(&n.text)
                    );
                }
            }
        }
    }

    earlier_runs(out, &summary.earlier);
}

/// Earlier runs of recurring phases: each run's last word per item.
fn earlier_runs(
    out: &mut dyn std::fmt::Write,
    earlier: &BTreeMap<String, BTreeMap<String, String>>,
) {
    if !earlier.is_empty() {
        let _ = writeln!(out, "\n## Earlier runs of recurring phases\n");
        for (run, items) in earlier.iter().rev() {
            let _ = writeln!(out, "- run {}:", text(run));
            for line in items.values() {
                let _ = writeln!(out, "  - {line}");
            }
        }
    }
}
