//! `ops-tui report`: the checklist, its evidence and the timeline of an
//! environment as Markdown that renders cleanly on GitHub.

use std::fmt::Write as _;

use crate::journal::{Entry, Milestone, Record, Step};
use crate::runbook::Runbook;
use crate::state::checklist::{ChecklistRow, ItemState, fold, rows, run_of};
use crate::state::timeline;

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// "2026-11-23 06:00 UTC" from an RFC 3339 time.
fn when(at: &str) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => at.to_string(),
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
    let checklist = rows(runbook);
    let states = fold(records, &checklist, now);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} / {env}: go-live report\n",
        runbook.service_name()
    );
    let _ = writeln!(
        out,
        "Generated {} by ops-tui from the journal ({} entries).\n",
        when(
            &jiff::Timestamp::from_second(now)
                .map(|t| t.to_string())
                .unwrap_or_default()
        ),
        records.len()
    );

    // Summary per phase.
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "| Phase | Done | Overridden | Skipped | Open | Total |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    let mut phase: Option<(String, [usize; 5])> = None;
    let mut lines = Vec::new();
    let flush = |phase: &mut Option<(String, [usize; 5])>, lines: &mut Vec<String>| {
        if let Some((name, [done, over, skipped, open, total])) = phase.take() {
            lines.push(format!(
                "| {} | {done} | {over} | {skipped} | {open} | {total} |",
                cell(&name)
            ));
        }
    };
    for row in &checklist {
        match row {
            ChecklistRow::Phase {
                name,
                period,
                every,
                ..
            } => {
                flush(&mut phase, &mut lines);
                let name = match (every, run_of(*period, now)) {
                    (Some(e), Some(run)) => format!("{name} (every {e}, run {run})"),
                    _ => name.clone(),
                };
                phase = Some((name, [0; 5]));
            }
            ChecklistRow::Item { id, .. } => {
                if let Some((_, c)) = phase.as_mut() {
                    let i = match states.get(id) {
                        Some(ItemState::Done {
                            reason: None,
                            stale: false,
                            ..
                        }) => 0,
                        Some(ItemState::Done { .. }) => 1,
                        Some(ItemState::Skipped { .. }) => 2,
                        _ => 3,
                    };
                    c[i] += 1;
                    c[4] += 1;
                }
            }
        }
    }
    flush(&mut phase, &mut lines);
    for l in lines {
        let _ = writeln!(out, "{l}");
    }

    // Every item with who, when and its evidence.
    let _ = writeln!(out, "\n## Checklist\n");
    let last_tick = |id: &str| {
        records.iter().rev().find_map(|r| match &r.entry {
            Entry::Tick { item, evidence, .. } if item == id => Some(evidence.clone()),
            _ => None,
        })
    };
    for row in &checklist {
        match row {
            ChecklistRow::Phase { name, .. } => {
                let _ = writeln!(out, "\n### {name}\n");
            }
            ChecklistRow::Item {
                id, text, check, ..
            } => {
                let (mark, who) = match states.get(id) {
                    Some(ItemState::Done {
                        by,
                        at,
                        reason: None,
                        stale: false,
                    }) => ("x", format!(" — done by {by}, {}", when(at))),
                    Some(ItemState::Done {
                        by,
                        at,
                        reason: Some(r),
                        ..
                    }) => ("x", format!(" — **overridden** by {by}, {}: {r}", when(at))),
                    Some(ItemState::Done {
                        by,
                        at,
                        stale: true,
                        ..
                    }) => (
                        " ",
                        format!(
                            " — ticked by {by}, {}, but its text changed since: verify again",
                            when(at)
                        ),
                    ),
                    Some(ItemState::Skipped { by, at, reason }) => {
                        (" ", format!(" — *skipped* by {by}, {}: {reason}", when(at)))
                    }
                    _ => (" ", String::new()),
                };
                let check = check
                    .as_ref()
                    .map(|c| format!(" `{c}`"))
                    .unwrap_or_default();
                let _ = writeln!(out, "- [{mark}] {text}{check}{who}");
                if matches!(states.get(id), Some(ItemState::Done { .. })) {
                    for e in last_tick(id).unwrap_or_default() {
                        let detail = e.detail.map(|d| format!(" ({d})")).unwrap_or_default();
                        let _ = writeln!(
                            out,
                            "  - evidence: {} `{}` {}: {}{detail}",
                            e.kind, e.name, e.status, e.value
                        );
                    }
                }
            }
        }
    }

    // Earlier runs of recurring phases: each run's last word per item.
    let recurring: std::collections::HashMap<&str, Option<String>> = checklist
        .iter()
        .filter_map(|r| match r {
            ChecklistRow::Item {
                id,
                period: Some(p),
                ..
            } => Some((id.as_str(), run_of(Some(*p), now))),
            _ => None,
        })
        .collect();
    let mut earlier: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, String>,
    > = std::collections::BTreeMap::new();
    for r in records {
        let (item, run, line) = match &r.entry {
            Entry::Tick {
                item,
                run: Some(run),
                text,
                reason,
                ..
            } => {
                let how = if reason.is_some() {
                    "overridden"
                } else {
                    "done"
                };
                (
                    item,
                    run,
                    format!("[x] {text} ({how} by {}, {})", r.user, when(&r.at)),
                )
            }
            Entry::Skip {
                item,
                run: Some(run),
                text,
                reason,
            } => (
                item,
                run,
                format!("[-] {text} (skipped by {}: {reason})", r.user),
            ),
            Entry::Untick {
                item,
                run: Some(run),
            } => (item, run, String::new()),
            _ => continue,
        };
        let Some(current) = recurring.get(item.as_str()) else {
            continue;
        };
        if current.as_deref() == Some(run.as_str()) {
            continue;
        }
        let runs = earlier.entry(run.clone()).or_default();
        if line.is_empty() {
            runs.remove(item);
        } else {
            runs.insert(item.clone(), line);
        }
    }
    earlier.retain(|_, items| !items.is_empty());
    if !earlier.is_empty() {
        let _ = writeln!(out, "\n## Earlier runs of recurring phases\n");
        for (run, items) in earlier.iter().rev() {
            let _ = writeln!(out, "- run {run}:");
            for line in items.values() {
                let _ = writeln!(out, "  - {line}");
            }
        }
    }

    // Overrides with their reasons.
    let overrides: Vec<&Record> = records
        .iter()
        .filter(|r| {
            matches!(
                &r.entry,
                Entry::Tick {
                    reason: Some(_),
                    ..
                }
            )
        })
        .collect();
    if !overrides.is_empty() {
        let _ = writeln!(out, "\n## Overrides\n");
        let _ = writeln!(out, "| When | Who | Item | Reason |");
        let _ = writeln!(out, "|---|---|---|---|");
        for r in overrides {
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
    let outcomes: Vec<&Record> = records
        .iter()
        .filter(|r| {
            matches!(
                &r.entry,
                Entry::Action {
                    step: Step::Outcome,
                    ..
                }
            )
        })
        .collect();
    if !outcomes.is_empty() {
        let _ = writeln!(out, "\n## Actions\n");
        let _ = writeln!(out, "| When | Who | Action | Result |");
        let _ = writeln!(out, "|---|---|---|---|");
        for r in outcomes {
            if let Entry::Action {
                summary,
                ok,
                detail,
                ..
            } = &r.entry
            {
                let who = match &r.kube_user {
                    Some(k) => format!("{} (kube: {k})", r.user),
                    None => r.user.clone(),
                };
                let result = match ok {
                    Some(true) => "done".to_string(),
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
        }
    }

    // Milestones, with the time between them.
    let mut milestones: Vec<(Milestone, String)> = records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Milestone {
                milestone,
                happened_at,
            } => Some((
                *milestone,
                happened_at.clone().unwrap_or_else(|| r.at.clone()),
            )),
            _ => None,
        })
        .collect();
    milestones.sort_by(|a, b| a.1.cmp(&b.1));
    if !milestones.is_empty() {
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
        for (m, t) in &milestones {
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

    // The timeline, oldest first as a log reads.
    let mut events = timeline::rows(records);
    events.reverse();
    let events: Vec<_> = events
        .into_iter()
        .filter(|r| !starred_only || r.starred || r.kind == "milestone")
        .collect();
    let _ = writeln!(
        out,
        "\n## Timeline{}\n",
        if starred_only { " (starred)" } else { "" }
    );
    if events.is_empty() {
        let _ = writeln!(out, "Nothing recorded.");
    } else {
        let _ = writeln!(out, "| Time (UTC) | Who | What |");
        let _ = writeln!(out, "|---|---|---|");
        for e in events {
            let star = if e.starred { "★ " } else { "" };
            let _ = writeln!(
                out,
                "| {} | {} | {star}{} |",
                e.time,
                cell(&e.user),
                cell(&e.text)
            );
        }
    }
    out
}

/// `ops-tui report`: exit 0, or 2 for a configuration error (no runbook,
/// unknown environment, no data directory), 1 when the output cannot be
/// written.
pub fn run(
    args: &crate::cli::ReportArgs,
    dash: &crate::cli::DashboardArgs,
    paths: &crate::config::paths::Paths,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let config = ExitCode::from(crate::app::EXIT_CONFIG);
    let Some(path) = crate::app::runbook_path(dash.runbook.clone()) else {
        say!("error: report needs a runbook: pass --runbook PATH, or run where ops-tui.toml is");
        return config;
    };
    let runbook = match Runbook::load(&path) {
        Ok(r) => r,
        Err(e) => {
            say!("error: {e}");
            return config;
        }
    };
    let overrides = crate::runbook::select::Overrides {
        env: dash.env.clone(),
        context: dash.context.clone(),
        ..Default::default()
    };
    let target = match crate::runbook::select::select(Some(&runbook), &overrides) {
        Ok(t) => t,
        Err(e) => {
            say!("error: {e}");
            return config;
        }
    };
    let Some(data) = paths.data_dir.as_deref() else {
        say!("error: no data directory, so no journal (set OPS_TUI_DATA_DIR)");
        return config;
    };
    let env = target.env.clone().unwrap_or_else(|| "default".into());
    let journal = crate::journal::Journal::for_env(data, runbook.service_name(), &env);
    let contents = match journal.read() {
        Ok(c) => c,
        Err(e) => {
            say!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for w in &contents.warnings {
        say!("warning: {w}");
    }
    let text = render(
        &runbook,
        &env,
        &contents.records,
        jiff::Timestamp::now().as_second(),
        args.starred_only,
    );
    match &args.output {
        Some(file) => match std::fs::write(file, text) {
            Ok(()) => {
                say!("wrote {}", file.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                say!("error: cannot write {}: {e}", file.display());
                ExitCode::FAILURE
            }
        },
        None => {
            crate::app::print_out(&text);
            ExitCode::SUCCESS
        }
    }
}
