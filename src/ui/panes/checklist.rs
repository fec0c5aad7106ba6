use ratatui::text::Span;

use super::{Content, heading, note};
use crate::checks::{evaluate, worst};
use crate::state::AppState;
use crate::state::checklist::{ChecklistRow, ItemState, run_of};
use crate::status::Status;
use crate::ui::fit::{Cell, columns};

pub fn content(state: &AppState, width: usize) -> Content {
    let theme = &state.theme;
    if state.runbook.is_none() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(theme, "No runbook loaded."),
                note(
                    theme,
                    "The go-live checklist comes from a runbook: pass --runbook PATH or create ./ops-tui.toml (check it with `ops-tui validate`).",
                ),
            ],
        };
    }
    if state.checklist.is_empty() {
        return Content {
            rows: Vec::new(),
            notes: vec![
                heading(theme, "No checklist in the runbook."),
                note(
                    theme,
                    "Add [[phase]] tables with items to walk a go-live here, phase by phase.",
                ),
            ],
        };
    }
    let sources = state.sources();
    let workloads = &state.cluster.wanted;
    let rows = state
        .visible(crate::state::Pane::Checklist)
        .into_iter()
        .filter_map(|i| Some((i, state.checklist.get(i)?)))
        .map(|(i, row)| match row {
            ChecklistRow::Phase {
                name,
                total,
                auto,
                every,
                period,
            } => {
                // Done items of this phase: the items up to the next phase.
                let done = state.checklist[i + 1..]
                    .iter()
                    .take_while(|r| matches!(r, ChecklistRow::Item { .. }))
                    .filter(|r| match r {
                        ChecklistRow::Item { id, .. } => {
                            matches!(
                                state.items.get(id),
                                Some(ItemState::Done { stale: false, .. })
                            )
                        }
                        ChecklistRow::Phase { .. } => false,
                    })
                    .count();
                let st = if done == *total {
                    Status::Ok
                } else {
                    Status::Unknown
                };
                // The phase's name and its count first; then the gauge,
                // its period and how many items verify themselves.
                let mut cells = vec![
                    Cell::keep(Span::styled(format!("{name}  "), theme.title(false))),
                    Cell::at(
                        2,
                        Span::styled(format!("{} ", gauge(done, *total, 8)), theme.status(st)),
                    ),
                    Cell::keep(Span::styled(format!("{done}/{total} done"), theme.base())),
                ];
                if let Some(every) = every {
                    let run = run_of(*period, state.now).unwrap_or_default();
                    cells.push(Cell::flex(
                        3,
                        Span::styled(format!(" · every {every}, this run {run}"), theme.muted()),
                    ));
                }
                if *auto > 0 {
                    cells.push(Cell::at(
                        4,
                        Span::styled(format!(" · {auto} verify themselves"), theme.muted()),
                    ));
                }
                cells
            }
            ChecklistRow::Item {
                id, text, check, ..
            } => {
                let item = state.items.get(id);
                let (mark, style) = match item {
                    Some(ItemState::Done {
                        stale: false,
                        regressed: Some(_),
                        ..
                    }) => ("[~]", theme.status(Status::Fail)),
                    Some(ItemState::Done {
                        reason: None,
                        stale: false,
                        verified: true,
                        ..
                    }) => ("[✓]", theme.status(Status::Ok)),
                    Some(ItemState::Done {
                        reason: None,
                        stale: false,
                        ..
                    }) => ("[x]", theme.status(Status::Ok)),
                    Some(ItemState::Done { stale: true, .. }) => {
                        ("[?]", theme.status(Status::Warn))
                    }
                    Some(ItemState::Done {
                        reason: Some(_), ..
                    }) => ("[!]", theme.status(Status::Warn)),
                    Some(ItemState::Skipped { .. }) => ("[-]", theme.muted()),
                    Some(ItemState::Open) | None => ("[ ]", theme.base()),
                };
                // The mark, the text (cut to make room) and what its check
                // says now first; then the check's name; then who did it.
                let mut cells = vec![
                    Cell::keep(Span::styled(format!("  {mark} "), style)),
                    Cell::flex(0, Span::styled(text.clone(), theme.base())),
                ];
                if let Some(check) = check {
                    cells.push(Cell::at(
                        2,
                        Span::styled(format!("  ({check}"), theme.muted()),
                    ));
                    // What the check says now.
                    let outcomes = evaluate(&check.names, &sources, workloads);
                    let st = worst(&outcomes);
                    let value = match outcomes.as_slice() {
                        [one] => one.value.clone(),
                        many => format!(
                            "{}/{} ok",
                            many.iter().filter(|o| o.status == Status::Ok).count(),
                            many.len()
                        ),
                    };
                    cells.push(Cell::at(
                        1,
                        Span::styled(format!(" {} {value}", st.symbol()), theme.status(st)),
                    ));
                    cells.push(Cell::at(2, Span::styled(")", theme.muted())));
                }
                match item {
                    Some(ItemState::Done {
                        by,
                        at,
                        reason,
                        stale,
                        verified,
                        regressed,
                    }) => {
                        let when = at.get(11..16).unwrap_or(at);
                        // A regression first: it is what matters now.
                        if let Some(r) = regressed {
                            let at = r.at.get(11..16).unwrap_or(&r.at);
                            cells.push(Cell::flex(
                                1,
                                Span::styled(format!("  regressed {at}: {} ·", r.why), style),
                            ));
                        }
                        let gap = if regressed.is_some() { " " } else { "  " };
                        let who = if *verified {
                            format!("{gap}verified by its check {when}")
                        } else {
                            format!("{gap}{by} {when}")
                        };
                        cells.push(Cell::at(3, Span::styled(who, style)));
                        let mut text = String::new();
                        if let Some(r) = reason {
                            text.push_str(&format!(" · override: {r}"));
                        }
                        if *stale {
                            text.push_str(" · the text changed since: verify again");
                        }
                        if !text.is_empty() {
                            cells.push(Cell::flex(4, Span::styled(text, style)));
                        }
                    }
                    Some(ItemState::Skipped { by, reason, .. }) => {
                        cells.push(Cell::at(
                            3,
                            Span::styled(format!("  skipped by {by}"), theme.muted()),
                        ));
                        cells.push(Cell::flex(
                            4,
                            Span::styled(format!(": {reason}"), theme.muted()),
                        ));
                    }
                    _ => {}
                }
                cells
            }
        })
        // Each row on its own: rows of a checklist are not columns.
        .flat_map(|cells| columns(vec![cells], width))
        .collect();
    Content {
        rows,
        notes: Vec::new(),
    }
}

fn gauge(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width)
        .checked_div(total)
        .map_or(width, |f| f.min(width));
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}
