//! The action dialogs: scale input, dry run under way, confirmation with the
//! exact request (and typed confirmation when protected), refusal, running.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::state::AppState;
use crate::state::actions::Dialog;
use crate::status::Status;
use crate::ui::fit::fit;

/// A list shown in a dialog keeps at least this many rows (a mark above,
/// three rows, a mark below) when the screen is short.
const LIST_MIN: u16 = 5;

pub fn draw(frame: &mut Frame, state: &AppState, dialog: &Dialog, body: Rect) {
    let theme = &state.theme;
    let fail = theme.status(Status::Fail);
    let warn = theme.status(Status::Warn);
    // The Confirm dialog's request body (which may be long: a rollback's is
    // the whole pod template) and what must stay in view below it.
    let mut request_body: Vec<Line> = Vec::new();
    let mut tail: Vec<Line> = Vec::new();
    // A list to choose from (revisions, colours) and its selected row:
    // scrolled, with marks for the rows beyond, between the head and the
    // body.
    let mut list: Vec<Line<'static>> = Vec::new();
    let mut list_selected = 0;
    // What the mark below a cut body says it left out, and whether the
    // body shows its end (a text being typed: the cursor is there) rather
    // than its start.
    let mut body_more: fn(u16) -> String = |more| {
        format!(
            "  … {more} more {} of the body (the whole request is in the journal)",
            if more == 1 { "line" } else { "lines" }
        )
    };
    let mut keep_end = false;
    let (title, lines): (String, Vec<Line>) = match dialog {
        Dialog::Scale {
            kind,
            deployment,
            current,
            input,
            hpa,
            error,
        } => {
            let typed = input.lines().join("");
            let resource = kind.resource();
            let mut l = vec![
                Line::from(vec![
                    Span::styled(
                        format!("{resource}/{deployment}: {current} → "),
                        theme.base(),
                    ),
                    Span::styled(format!("{typed}▏"), theme.selection()),
                    Span::styled(" replicas", theme.base()),
                ]),
                Line::raw(""),
                Line::styled(
                    "Type the new count; enter runs a server-side dry run first.",
                    theme.muted(),
                ),
            ];
            if let Some(h) = hpa {
                l.push(Line::raw(""));
                l.push(Line::styled(
                    format!(
                        "{} hpa/{} scales it between {} and {} ({} now, wants {}; {}): a count typed here is overridden within a minute.",
                        Status::Warn.symbol(),
                        h.name,
                        h.min,
                        h.max,
                        h.current,
                        h.desired,
                        h.targets()
                    ),
                    theme.status(Status::Warn),
                ));
                l.push(Line::styled(
                    "Type MIN-MAX (e.g. 3-8) to change the HPA's range instead.",
                    theme.base(),
                ));
            }
            if let Some(e) = error {
                l.push(Line::styled(format!("{} {e}", Status::Fail.symbol()), fail));
            }
            (format!(" Scale {resource}/{deployment} "), l)
        }
        Dialog::Checking { plan, .. } => (
            " Checking ".to_string(),
            vec![
                Line::styled(plan.summary.clone(), theme.base()),
                Line::raw(""),
                Line::styled("Running the server-side dry run…", theme.muted()),
            ],
        ),
        Dialog::Confirm {
            plan,
            warning,
            type_to_confirm,
            typed,
            unready,
        } => {
            let mut l = vec![
                Line::styled(format!("Confirm: {}", plan.summary), theme.title(true)),
                Line::raw(""),
            ];
            l.push(Line::styled(
                format!("{} the server-side dry run passed", Status::Ok.symbol()),
                theme.status(Status::Ok),
            ));
            if let Some(w) = warning {
                l.push(Line::styled(format!("{} {w}", Status::Warn.symbol()), warn));
            }
            l.push(Line::raw(""));
            l.push(Line::styled("The request:", theme.muted()));
            l.push(Line::styled(
                format!("  {} {}", plan.verb, plan.path),
                theme.accent(),
            ));
            request_body.push(Line::styled(
                format!("  {}: {}", plan.content_type, plan.body),
                theme.base(),
            ));
            tail.push(Line::raw(""));
            match type_to_confirm {
                Some(word) => {
                    tail.push(Line::styled(
                        format!("PROTECTED environment: type \"{word}\" and press enter"),
                        theme.danger(),
                    ));
                    tail.push(Line::from(vec![
                        Span::raw("> "),
                        Span::styled(format!("{typed}▏"), theme.selection()),
                    ]));
                }
                None if unready.is_some() => tail.push(Line::styled(
                    "enter: go on to a second confirmation (the target is not fully ready) · esc: cancel",
                    theme.muted(),
                )),
                None => tail.push(Line::styled("enter: do it · esc: cancel", theme.muted())),
            }
            (" Confirm ".to_string(), l)
        }
        Dialog::Unready {
            plan,
            warning,
            value,
            typed,
        } => {
            let mut l = vec![
                Line::styled(
                    format!("Confirm again: {}", plan.summary),
                    theme.title(true),
                ),
                Line::raw(""),
            ];
            if let Some(w) = warning {
                l.push(Line::styled(format!("{} {w}", Status::Warn.symbol()), warn));
            }
            l.push(Line::raw(""));
            l.push(Line::styled(
                format!("To switch anyway, type \"{value}\" and press enter; esc cancels."),
                theme.danger(),
            ));
            l.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(format!("{typed}▏"), theme.selection()),
            ]));
            (" Target not ready ".to_string(), l)
        }
        Dialog::Text {
            title,
            prompt,
            input,
            error,
            ..
        } => {
            let l = vec![Line::styled(prompt.clone(), theme.base()), Line::raw("")];
            // The text typed is the body: cut from the top when it is too
            // long for the screen, so the end (where the cursor is) and the
            // keys below stay in view.
            for line in input.lines() {
                request_body.push(Line::from(vec![
                    Span::raw("> "),
                    Span::styled(line.clone(), theme.selection()),
                ]));
            }
            if let Some(last) = request_body.last_mut() {
                last.push_span(Span::styled("▏", theme.selection()));
            }
            body_more = |more| {
                format!(
                    "  … {more} more {} above",
                    if more == 1 { "line" } else { "lines" }
                )
            };
            keep_end = true;
            tail.push(Line::raw(""));
            if let Some(e) = error {
                tail.push(Line::styled(format!("{} {e}", Status::Fail.symbol()), fail));
            }
            tail.push(Line::styled(
                "enter saves it to the journal · esc cancels",
                theme.muted(),
            ));
            (title.clone(), l)
        }
        Dialog::Burst {
            probe,
            requests,
            url,
            type_to_confirm,
            typed,
        } => {
            let mut l = vec![
                Line::styled(
                    format!("Run the burst of probe {probe}: {requests} requests to {url}"),
                    theme.title(true),
                ),
                Line::raw(""),
                Line::styled(
                    format!(
                        "{} This loads the service (it is a rate-limit test); the result shows in the Health pane.",
                        Status::Warn.symbol()
                    ),
                    warn,
                ),
                Line::raw(""),
            ];
            match type_to_confirm {
                Some(word) => {
                    l.push(Line::styled(
                        format!("PROTECTED environment: type \"{word}\" and press enter"),
                        theme.danger(),
                    ));
                    l.push(Line::from(vec![
                        Span::raw("> "),
                        Span::styled(format!("{typed}▏"), theme.selection()),
                    ]));
                }
                None => l.push(Line::styled("enter: run it · esc: cancel", theme.muted())),
            }
            (" Run a burst ".to_string(), l)
        }
        Dialog::PickColour { switch, selected } => {
            let l = vec![
                Line::styled(
                    format!(
                        "service/{} selects {}={} now. Choose the colour to send traffic to (up/down, enter):",
                        switch.service,
                        switch.label,
                        switch.current.as_deref().unwrap_or("(none)")
                    ),
                    theme.muted(),
                ),
                Line::raw(""),
            ];
            list_selected = *selected;
            for (i, c) in switch.colours.iter().enumerate() {
                let marker = if i == *selected { "▸ " } else { "  " };
                let (symbol, readiness) = if c.ready {
                    (Status::Ok.symbol(), "fully ready")
                } else {
                    (Status::Warn.symbol(), "NOT fully ready")
                };
                let current = if c.current { "  (current)" } else { "" };
                let line = Line::from(vec![
                    Span::raw(format!(
                        "{marker}{}={:<8} → deployment/{:<22} ",
                        switch.label, c.value, c.deployment
                    )),
                    Span::styled(
                        format!(
                            "{symbol} {}/{} available, {readiness}",
                            c.available, c.desired
                        ),
                        theme.status(if c.ready { Status::Ok } else { Status::Warn }),
                    ),
                    Span::raw(current),
                ]);
                list.push(line.style(theme.base()));
            }
            (format!(" Blue-green: service/{} ", switch.service), l)
        }
        Dialog::Refused { summary, message } => (
            " Refused ".to_string(),
            vec![
                Line::styled(summary.clone(), theme.base()),
                Line::raw(""),
                Line::styled(format!("{} {message}", Status::Fail.symbol()), fail),
                Line::raw(""),
                Line::styled(
                    "Nothing was changed. enter or esc closes this.",
                    theme.muted(),
                ),
            ],
        ),
        Dialog::Loading {
            kind, deployment, ..
        } => (
            format!(" Roll back {}/{deployment} ", kind.resource()),
            vec![Line::styled("Reading the revision history…", theme.muted())],
        ),
        Dialog::PickRevision {
            kind,
            deployment,
            choices,
            selected,
            because,
        } => {
            let mut l = Vec::new();
            if let Some(why) = because {
                l.push(Line::styled(
                    format!("{} {why}", Status::Fail.symbol()),
                    theme.status(Status::Fail),
                ));
            }
            l.push(Line::styled(
                "Choose the revision to go back to (up/down, enter):",
                theme.muted(),
            ));
            l.push(Line::raw(""));
            list_selected = *selected;
            for (i, c) in choices.iter().enumerate() {
                let image = c
                    .images
                    .first()
                    .map_or("", |im| im.rsplit_once(':').map_or(im.as_str(), |(_, t)| t));
                let cause = c.change_cause.clone().unwrap_or_default();
                let current = if c.current { "  (current)" } else { "" };
                let marker = if i == *selected { "▸ " } else { "  " };
                let line = Line::raw(format!(
                    "{marker}revision {:<4} {image:<16} {cause}{current}",
                    c.revision
                ));
                list.push(line.style(theme.base()));
            }
            // What the chosen revision changes: the body, below the list.
            if let Some(c) = choices.get(*selected) {
                request_body.push(Line::raw(""));
                match &c.plan {
                    Ok(_) => {
                        request_body.push(Line::styled(
                            format!("What changes going back to revision {}:", c.revision),
                            theme.muted(),
                        ));
                        request_body.extend(
                            c.diff
                                .iter()
                                .map(|d| Line::styled(format!("  {d}"), theme.accent())),
                        );
                    }
                    Err(why) => request_body.push(Line::styled(
                        format!("{} {why}", Status::Warn.symbol()),
                        warn,
                    )),
                }
            }
            body_more = |more| {
                format!(
                    "  … {more} more {} of the change",
                    if more == 1 { "line" } else { "lines" }
                )
            };
            (format!(" Roll back {}/{deployment} ", kind.resource()), l)
        }
        Dialog::Running { plan, .. } => (
            " Running ".to_string(),
            vec![
                Line::styled(plan.summary.clone(), theme.base()),
                Line::raw(""),
                Line::styled(
                    format!(
                        "Sending… an answer is due within {} s.",
                        crate::kube::actions::EXECUTE_DEADLINE.as_secs()
                    ),
                    theme.muted(),
                ),
                Line::styled(
                    "esc closes this; the request stays in flight, and the header shows it.",
                    theme.muted(),
                ),
            ],
        ),
        Dialog::Unanswered { summary, message } => (
            " Outcome unknown ".to_string(),
            vec![
                Line::styled(summary.clone(), theme.base()),
                Line::raw(""),
                Line::styled(
                    format!("{} {message}", Status::Warn.symbol()),
                    theme.status(Status::Warn),
                ),
                Line::raw(""),
                Line::styled("enter or esc closes this.", theme.muted()),
            ],
        ),
    };
    // Wide enough for the longest line (a colour or revision row), within
    // reason.
    let widest = lines
        .iter()
        .chain(&list)
        .chain(&request_body)
        .chain(&tail)
        .map(Line::width)
        .max()
        .unwrap_or(0);
    let width = (u16::try_from(widest).unwrap_or(u16::MAX).saturating_add(4))
        .clamp(76, 110)
        .min(body.width);
    let inner = width.saturating_sub(2);
    let room = body.height.saturating_sub(2);
    let rows = |l: &[Line]| -> u16 {
        let n = Paragraph::new(l.to_vec())
            .wrap(Wrap { trim: false })
            .line_count(inner);
        u16::try_from(n).unwrap_or(u16::MAX)
    };
    // What must stay in view comes first: the prompt and the hint at the
    // bottom, then the change in words at the top; then the list (one row
    // each), at least a few rows of it; the body gets the rows left, cut
    // short with how many more there are.
    let tail_rows = rows(&tail).min(room);
    let head_rows = rows(&lines).min(room - tail_rows);
    let mut left = room - tail_rows - head_rows;
    let body_rows = rows(&request_body);
    let list_len = u16::try_from(list.len()).unwrap_or(u16::MAX);
    let list_rows = if list_len.saturating_add(body_rows) <= left {
        list_len
    } else {
        list_len.min(left.saturating_sub(body_rows).max(LIST_MIN.min(left)))
    };
    left -= list_rows;
    let (shown_rows, more) = if body_rows <= left {
        (body_rows, None)
    } else {
        let shown = left.saturating_sub(1);
        (shown, Some(body_rows - shown))
    };
    let more_rows = u16::from(more.is_some() && left > 0);
    let needed = head_rows + list_rows + shown_rows + more_rows + tail_rows;
    // Two spare rows below, as there always were, when there is room.
    let spare = u16::try_from(lines.len() + list.len() + request_body.len() + tail.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let area = super::centered(body, width, needed.max(spare).saturating_add(2));
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(if matches!(dialog, Dialog::Refused { .. }) {
            fail
        } else {
            theme.border(true)
        })
        .style(theme.base())
        .title(Line::styled(title, theme.title(true)));
    frame.render_widget(Clear, area);
    let content = block.inner(area);
    frame.render_widget(block, area);
    let (body_constraint, more_constraint) = (
        Constraint::Length(shown_rows),
        Constraint::Length(more_rows),
    );
    // The mark goes on the side where the body was cut.
    let [head_area, list_area, first, second, tail_area] = Layout::vertical([
        Constraint::Length(head_rows),
        Constraint::Length(list_rows),
        if keep_end {
            more_constraint
        } else {
            body_constraint
        },
        if keep_end {
            body_constraint
        } else {
            more_constraint
        },
        Constraint::Length(tail_rows),
    ])
    .areas(content);
    let (body_area, more_area) = if keep_end {
        (second, first)
    } else {
        (first, second)
    };
    let wrap = Wrap { trim: false };
    frame.render_widget(Paragraph::new(lines).wrap(wrap), head_area);
    let list = crate::ui::fit::scrolled(
        theme,
        list,
        Some(list_selected),
        usize::from(list_area.width),
        usize::from(list_area.height),
    );
    frame.render_widget(Paragraph::new(list), list_area);
    // Shown from its start, or (keep_end) from the row that leaves its end
    // at the bottom.
    let skip = if keep_end {
        body_rows.saturating_sub(shown_rows)
    } else {
        0
    };
    frame.render_widget(
        Paragraph::new(request_body).wrap(wrap).scroll((skip, 0)),
        body_area,
    );
    if let Some(more) = more {
        frame.render_widget(
            Line::styled(
                fit(&body_more(more), usize::from(inner)).into_owned(),
                theme.muted(),
            ),
            more_area,
        );
    }
    frame.render_widget(Paragraph::new(tail).wrap(wrap), tail_area);
}
