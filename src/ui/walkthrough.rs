//! The walkthrough: one checklist item at a time, in order, with its check
//! live, the notes written on it, and the guide's text around it (when the
//! runbook came from one). A long text scrolls (page keys); what is below
//! the view is counted on the bottom border.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use crate::action::Action;
use crate::checks::{evaluate, worst};
use crate::state::checklist::{ChecklistRow, ItemState};
use crate::state::{AppState, Pane};
use crate::status::Status;

pub fn draw(frame: &mut Frame, state: &AppState, body: Rect) {
    let theme = &state.theme;
    // The items the Checklist shows (all of them, unless it is filtered).
    let index = state
        .selected_row(Pane::Checklist)
        .unwrap_or(state.checklist.len());
    let items: Vec<usize> = state
        .visible(Pane::Checklist)
        .into_iter()
        .filter(|i| matches!(state.checklist.get(*i), Some(ChecklistRow::Item { .. })))
        .collect();
    let position = items.iter().position(|i| *i == index).map_or(0, |p| p + 1);
    let phase = state.checklist[..index.min(state.checklist.len())]
        .iter()
        .rev()
        .find_map(|r| match r {
            ChecklistRow::Phase { name, .. } => Some(name.as_str()),
            ChecklistRow::Item { .. } => None,
        })
        .unwrap_or("");
    let settled = items
        .iter()
        .filter(|i| match &state.checklist[**i] {
            ChecklistRow::Item { id, .. } => matches!(
                state.items.get(id),
                Some(ItemState::Done { stale: false, .. } | ItemState::Skipped { .. })
            ),
            ChecklistRow::Phase { .. } => false,
        })
        .count();
    let mut lines = Vec::new();
    let Some(ChecklistRow::Item {
        id,
        text,
        check,
        guide,
        ..
    }) = state.checklist.get(index)
    else {
        return;
    };
    lines.push(Line::styled(
        format!(
            "{phase} · item {position} of {} · {settled} done or skipped",
            items.len()
        ),
        theme.muted(),
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled(text.clone(), theme.title(true)));
    lines.push(Line::styled(id.clone(), theme.muted()));
    lines.push(Line::raw(""));
    let (word, style) = match state.items.get(id) {
        Some(ItemState::Done {
            stale: false,
            regressed: Some(r),
            ..
        }) => (
            format!("[~] done, but regressed at {}: {}", r.at, r.why),
            theme.status(Status::Fail),
        ),
        Some(ItemState::Done {
            at,
            reason: None,
            stale: false,
            verified: true,
            ..
        }) => (
            format!("[✓] verified by its check at {at}"),
            theme.status(Status::Ok),
        ),
        Some(ItemState::Done {
            by,
            at,
            reason: None,
            stale: false,
            ..
        }) => (
            format!("[x] done by {by} at {at}"),
            theme.status(Status::Ok),
        ),
        Some(ItemState::Done {
            by,
            reason: Some(r),
            ..
        }) => (
            format!("[!] done by {by} despite its check: {r}"),
            theme.status(Status::Warn),
        ),
        Some(ItemState::Done { stale: true, .. }) => (
            "[?] ticked before its text changed: verify it again".into(),
            theme.status(Status::Warn),
        ),
        Some(ItemState::Skipped { by, reason, .. }) => {
            (format!("[-] skipped by {by}: {reason}"), theme.muted())
        }
        _ => ("[ ] to do".into(), theme.base()),
    };
    lines.push(Line::styled(word, style));
    // Another engineer on the same item.
    for p in state.team.on(&format!("item:{id}")) {
        let since = p.since.get(11..16).unwrap_or(&p.since);
        lines.push(Line::styled(
            format!(
                "◆ {} has this item open too (on the environment since {since})",
                p.user
            ),
            theme.accent(),
        ));
    }
    if let Some(check) = check {
        lines.push(Line::raw(""));
        let outcomes = evaluate(&check.names, &state.sources(), &state.cluster.wanted);
        let st = worst(&outcomes);
        lines.push(Line::styled(
            format!(
                "{} check {check}: {}",
                st.symbol(),
                crate::checks::report::status_word(st)
            ),
            theme.status(st),
        ));
        for o in &outcomes {
            let detail = o
                .detail
                .as_ref()
                .map(|d| format!(" · {d}"))
                .unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", o.status.symbol()), theme.status(o.status)),
                Span::styled(format!("{} {} ", o.kind.word(), o.name), theme.base()),
                Span::styled(format!("{}{detail}", o.value), theme.muted()),
            ]));
        }
    } else {
        lines.push(Line::styled(
            "A manual item: tick it when it is done.",
            theme.muted(),
        ));
    }
    if let Some(notes) = state.item_notes.get(id).filter(|n| !n.is_empty()) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Notes:", theme.muted()));
        for n in notes {
            let at = n.at.get(..16).unwrap_or(&n.at).replace('T', " ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {at} {} ", n.by), theme.muted()),
                Span::styled(n.text.clone(), theme.base()),
            ]));
        }
    }
    if let Some(guide) = guide {
        lines.push(Line::raw(""));
        lines.push(Line::styled("From the guide:", theme.muted()));
        for l in guide.lines() {
            lines.push(Line::styled(format!("  {l}"), theme.base()));
        }
    }
    let mut block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::styled(" Walkthrough ", theme.title(true)));
    let inner = block.inner(body);
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rows = u16::try_from(text.line_count(inner.width)).unwrap_or(u16::MAX);
    let scroll = state
        .walkthrough()
        .unwrap_or(0)
        .min(rows.saturating_sub(inner.height));
    let below = rows.saturating_sub(scroll.saturating_add(inner.height));
    let key = |action| {
        state
            .keymap
            .pane_key(action)
            .map(|k| format!(" ({k})"))
            .unwrap_or_default()
    };
    if below > 0 {
        block = block.title_bottom(Line::styled(
            format!(" … {below} more lines{} ", key(Action::PageDown)),
            theme.muted(),
        ));
    } else if scroll > 0 {
        block = block.title_bottom(Line::styled(
            format!(" {scroll} lines above{} ", key(Action::PageUp)),
            theme.muted(),
        ));
    }
    frame.render_widget(block, body);
    frame.render_widget(text.scroll((scroll, 0)), inner);
}
