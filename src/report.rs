//! `ops-tui report`: the checklist, its evidence and the timeline of an
//! environment as Markdown that renders cleanly on GitHub.

use std::fmt::Write as _;

use crate::journal::{Entry, Milestone, Record, Step};
use crate::runbook::Runbook;
use crate::state::timeline;

mod checklist;

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
        records.len()
    );

    checklist::write(&mut out, runbook, records, now);

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
                    step: Step::Outcome | Step::Unanswered | Step::ReadBack,
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
                step,
                ..
            } = &r.entry
            {
                let who = match &r.kube_user {
                    Some(k) => format!("{} (kube: {k})", r.user),
                    None => r.user.clone(),
                };
                let result = match (step, ok) {
                    (Step::Unanswered, _) => {
                        "sent, outcome unknown (no answer in time)".to_string()
                    }
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
    // Every secret known is masked in the records read and in the report.
    let secrets = crate::kube::secrets::known(Some(&runbook), dash.kubeconfig.as_deref());
    let journal = crate::journal::Journal::for_env(data, runbook.service_name(), &env)
        .with_secrets(secrets.clone());
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
    // Control characters from the journal or the runbook are written as
    // visible escapes: the report may be printed on a terminal.
    let text = crate::printable::printable(&secrets.mask(&text)).into_owned();
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
