//! The action dialogs: scale input, dry run under way, confirmation with the
//! exact request (and typed confirmation when protected), refusal, running.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::config::theme::Status;
use crate::state::AppState;
use crate::state::actions::Dialog;

pub fn draw(frame: &mut Frame, state: &AppState, dialog: &Dialog, body: Rect) {
    let theme = &state.theme;
    let fail = theme.status(Status::Fail);
    let warn = theme.status(Status::Warn);
    let request_lines = |plan: &crate::kube::actions::Plan| {
        vec![
            Line::styled("The request:", theme.muted()),
            Line::styled(format!("  {} {}", plan.verb, plan.path), theme.accent()),
            Line::styled(
                format!("  {}: {}", plan.content_type, plan.body),
                theme.base(),
            ),
        ]
    };
    let (title, mut lines): (String, Vec<Line>) = match dialog {
        Dialog::Scale {
            deployment,
            current,
            input,
            error,
        } => {
            let typed = input.lines().join("");
            let mut l = vec![
                Line::from(vec![
                    Span::styled(
                        format!("deployment/{deployment}: {current} → "),
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
            if let Some(e) = error {
                l.push(Line::styled(format!("{} {e}", Status::Fail.symbol()), fail));
            }
            (format!(" Scale deployment/{deployment} "), l)
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
            l.extend(request_lines(plan));
            l.push(Line::raw(""));
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
                None if unready.is_some() => l.push(Line::styled(
                    "enter: go on to a second confirmation (the target is not fully ready) · esc: cancel",
                    theme.muted(),
                )),
                None => l.push(Line::styled("enter: do it · esc: cancel", theme.muted())),
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
            let mut l = vec![Line::styled(prompt.clone(), theme.base()), Line::raw("")];
            for line in input.lines() {
                l.push(Line::from(vec![
                    Span::raw("> "),
                    Span::styled(line.clone(), theme.selection()),
                ]));
            }
            if let Some(last) = l.last_mut() {
                last.push_span(Span::styled("▏", theme.selection()));
            }
            l.push(Line::raw(""));
            if let Some(e) = error {
                l.push(Line::styled(format!("{} {e}", Status::Fail.symbol()), fail));
            }
            l.push(Line::styled(
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
            let mut l = vec![
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
                l.push(if i == *selected {
                    line.patch_style(theme.selection())
                } else {
                    line.style(theme.base())
                });
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
        Dialog::Loading { deployment, .. } => (
            format!(" Roll back deployment/{deployment} "),
            vec![Line::styled("Reading the revision history…", theme.muted())],
        ),
        Dialog::PickRevision {
            deployment,
            choices,
            selected,
        } => {
            let mut l = vec![
                Line::styled(
                    "Choose the revision to go back to (up/down, enter):",
                    theme.muted(),
                ),
                Line::raw(""),
            ];
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
                l.push(if i == *selected {
                    line.patch_style(theme.selection())
                } else {
                    line.style(theme.base())
                });
            }
            if let Some(c) = choices.get(*selected) {
                l.push(Line::raw(""));
                match &c.plan {
                    Ok(_) => {
                        l.push(Line::styled(
                            format!("What changes going back to revision {}:", c.revision),
                            theme.muted(),
                        ));
                        l.extend(
                            c.diff
                                .iter()
                                .map(|d| Line::styled(format!("  {d}"), theme.accent())),
                        );
                    }
                    Err(why) => l.push(Line::styled(
                        format!("{} {why}", Status::Warn.symbol()),
                        warn,
                    )),
                }
            }
            (format!(" Roll back deployment/{deployment} "), l)
        }
        Dialog::Running { plan, .. } => (
            " Running ".to_string(),
            vec![
                Line::styled(plan.summary.clone(), theme.base()),
                Line::raw(""),
                Line::styled("Sending…", theme.muted()),
            ],
        ),
    };
    lines.truncate(usize::from(body.height.saturating_sub(2)));
    // Wide enough for the longest line (a colour or revision row), within reason.
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let width = (widest + 4).clamp(76, 110);
    let height = lines.len() as u16 + 4;
    let area = super::centered(body, width, height);
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
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
