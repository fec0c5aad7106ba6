//! `ops-tui report`: the checklist, its evidence and the timeline of an
//! environment as Markdown that renders cleanly on GitHub.

use crate::journal::{Entry, Milestone, Record, Step};
use crate::runbook::Runbook;
use crate::state::timeline::TimelineRow;

mod checklist;
mod source;
mod summary;

pub use source::{FileSource, InMemory, Source};
use summary::Summary;

/// User text (notes, reasons, item texts, names) safe in Markdown: no raw
/// HTML (`<` and `>` become entities) and on one line.
fn text(s: &str) -> String {
    s.replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    text(s).replace('|', "\\|")
}

/// Text inside a code span (where entities are not read): no backticks.
fn code(s: &str) -> String {
    s.replace('`', "'").replace(['\n', '\r'], " ")
}

/// "2026-11-23 06:00 UTC" from an RFC 3339 time.
fn when(at: &str) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => text(at),
    }
}

fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        _ => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

/// The report of `env`'s journal; `now` decides the current run of each
/// recurring phase.
pub fn render(
    runbook: &Runbook,
    env: &str,
    records: &[Record],
    now: i64,
    starred_only: bool,
) -> String {
    let mut out = String::new();
    // Records in memory cannot fail to read.
    let _ = render_to(
        &mut out,
        runbook,
        env,
        &InMemory(records),
        now,
        starred_only,
    );
    out
}

/// The report, written as it is made: two passes over `source` (folds
/// and positions first, then the Timeline in order), so that its memory
/// does not grow with the journal's length.
pub fn render_to(
    out: &mut dyn std::fmt::Write,
    runbook: &Runbook,
    env: &str,
    source: &dyn Source,
    now: i64,
    starred_only: bool,
) -> Result<(), crate::journal::JournalError> {
    let rows = crate::state::checklist::rows(runbook);
    let mut summary = Summary::new(&rows, now);
    source.pass(&mut |at, r| summary.add(at, r))?;
    summary.finish();
    let _ = writeln!(
        out,
        "# {} / {}: go-live report\n",
        text(runbook.service_name()),
        text(env)
    );
    let _ = writeln!(
        out,
        "Generated {} by ops-tui from the journal ({} entries).\n",
        when(
            &jiff::Timestamp::from_second(now)
                .map(|t| t.to_string())
                .unwrap_or_default()
        ),
        summary.records
    );

    checklist::write(out, runbook, &rows, &summary, now);

    // Overrides with their reasons.
    if !summary.overrides.is_empty() {
        let _ = writeln!(out, "\n## Overrides\n");
        let _ = writeln!(out, "| When | Who | Item | Reason |");
        let _ = writeln!(out, "|---|---|---|---|");
        for at in &summary.overrides {
            let Some(r) = source.get(*at)? else { continue };
            if let Entry::Tick {
                text,
                reason: Some(why),
                ..
            } = &r.entry
            {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    when(&r.at),
                    cell(&r.user),
                    cell(text),
                    cell(why)
                );
            }
        }
    }

    // Actions: each one's outcome.
    if !summary.outcomes.is_empty() {
        let _ = writeln!(out, "\n## Actions\n");
        let _ = writeln!(out, "| When | Who | Action | Result |");
        let _ = writeln!(out, "|---|---|---|---|");
        for at in &summary.outcomes {
            let Some(r) = source.get(*at)? else { continue };
            action_row(out, &r);
        }
    }

    // Rollouts' regressions, and whether each cleared.
    if !summary.regressions.is_empty() {
        let _ = writeln!(out, "\n## Regressions\n");
        let _ = writeln!(out, "| Found | Regression | Cleared |");
        let _ = writeln!(out, "|---|---|---|");
        for g in &summary.regressions {
            let cleared = match &g.cleared {
                Some((at, _)) => when(at),
                None => "**not cleared**".to_string(),
            };
            let _ = writeln!(out, "| {} | {} | {cleared} |", when(&g.at), cell(&g.text));
        }
    }

    milestones(out, &mut summary.milestones);

    // The timeline, oldest first as a log reads: in the journal's order,
    // with the rows that happened earlier than their place merged in.
    let _ = writeln!(
        out,
        "\n## Timeline{}\n",
        if starred_only { " (starred)" } else { "" }
    );
    let mut shown = 0usize;
    let mut event = |e: TimelineRow| {
        if starred_only && !e.starred && e.kind != "milestone" {
            return;
        }
        if shown == 0 {
            let _ = writeln!(out, "| Time (UTC) | Who | What |");
            let _ = writeln!(out, "|---|---|---|");
        }
        shown += 1;
        let star = if e.starred { "★ " } else { "" };
        let time = match e.at.parse::<jiff::Timestamp>() {
            Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            Err(_) => e.at.clone(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {star}{} |",
            cell(&time),
            cell(&e.user),
            cell(&e.text)
        );
    };
    let mut next = 0;
    source.pass(&mut |at, r| {
        if let Some(row) = summary.row(at, r) {
            next = summary.early_before(next, Some((row.at.as_str(), at)), &mut event);
            event(row);
        }
    })?;
    summary.early_before(next, None, &mut event);
    if shown == 0 {
        let _ = writeln!(out, "Nothing recorded.");
    }
    Ok(())
}

fn action_row(out: &mut dyn std::fmt::Write, r: &Record) {
    let Entry::Action {
        summary,
        ok,
        detail,
        step,
        ..
    } = &r.entry
    else {
        return;
    };
    let who = match &r.kube_user {
        Some(k) => format!("{} (kube: {k})", r.user),
        None => r.user.clone(),
    };
    let result = match (step, ok) {
        (Step::Unanswered, _) => "sent, outcome unknown (no answer in time)".to_string(),
        (Step::KubeEvent, _) => format!(
            "done; no Kubernetes Event was left on the object: {}",
            detail.clone().unwrap_or_default()
        ),
        (Step::ReadBack, Some(true)) => "done (read back after no answer)".to_string(),
        (Step::ReadBack, _) => format!(
            "not applied (read back after no answer): {}",
            detail.clone().unwrap_or_default()
        ),
        (_, Some(true)) => "done".to_string(),
        _ => format!("failed: {}", detail.clone().unwrap_or_default()),
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |",
        when(&r.at),
        cell(&who),
        cell(summary),
        cell(&result)
    );
}

/// Milestones, with the time between them.
fn milestones(out: &mut dyn std::fmt::Write, milestones: &mut [(Milestone, String)]) {
    milestones.sort_by(|a, b| a.1.cmp(&b.1));
    if milestones.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Incident milestones\n");
    let _ = writeln!(
        out,
        "| Milestone | When | Since the one before | Since detected |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|");
    let secs = |t: &str| t.parse::<jiff::Timestamp>().map(|t| t.as_second()).ok();
    let detected = milestones
        .iter()
        .find(|(m, _)| *m == Milestone::Detected)
        .and_then(|(_, t)| secs(t));
    let mut before: Option<i64> = None;
    for (m, t) in milestones.iter() {
        let at = secs(t);
        let since_before = match (before, at) {
            (Some(b), Some(a)) => duration(a - b),
            _ => "—".into(),
        };
        let since_detected = match (detected, at) {
            (Some(d), Some(a)) => duration(a - d),
            _ => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {since_before} | {since_detected} |",
            m.word(),
            when(t)
        );
        before = at.or(before);
    }
}
