//! The action dialogs: input (scale), server-side dry run, confirmation
//! (typed in a protected environment), execution, result. No action
//! happens from a keystroke without its dialog; the executor enforces
//! read-only again where requests are sent.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::action::Action;
use crate::config::keys::Key;
use crate::kube::actions::parse_range;
use crate::kube::actions::{Plan, parse_replicas};
use crate::kube::model::{HpaRow, WorkloadKind, WorkloadRow};

#[derive(Debug, Clone)]
pub enum Dialog {
    /// Typing the new replica count.
    Scale {
        kind: WorkloadKind,
        deployment: String,
        current: i32,
        /// The HorizontalPodAutoscaler that owns the count, if one does:
        /// the dialog warns, and `MIN-MAX` changes its range instead.
        hpa: Option<Box<HpaRow>>,
        input: Box<TextArea<'static>>,
        error: Option<String>,
    },
    /// The server-side dry run is under way; only the answer to request
    /// `id` moves it on.
    Checking {
        id: u64,
        plan: Plan,
        warning: Option<String>,
        unready: Option<String>,
    },
    /// The dry run passed: confirm (typing the name when protected).
    Confirm {
        plan: Plan,
        warning: Option<String>,
        /// The word to type, in a protected environment.
        type_to_confirm: Option<String>,
        typed: String,
        /// A blue-green target that is not fully ready: after this
        /// confirmation, a second one asks to type this colour.
        unready: Option<String>,
    },
    /// The second, explicit confirmation of a switch to a colour that is not
    /// fully ready: the colour must be typed.
    Unready {
        plan: Plan,
        warning: Option<String>,
        value: String,
        typed: String,
    },
    /// Choosing the colour a blue-green Service should select.
    PickColour { switch: Switch, selected: usize },
    /// Typing a reason or a note; what it becomes is in `purpose`.
    Text {
        purpose: TextPurpose,
        title: String,
        prompt: String,
        input: Box<TextArea<'static>>,
        error: Option<String>,
    },
    /// Confirming a probe's burst (it sends many requests to the service).
    Burst {
        probe: String,
        requests: u32,
        url: String,
        type_to_confirm: Option<String>,
        typed: String,
    },
    /// The API (or read-only mode) refused it; nothing to confirm.
    Refused { summary: String, message: String },
    /// Being executed (request `id`).
    Running { id: u64, plan: Plan },
    /// Sent, and no answer came in time: it may or may not have applied.
    Unanswered { summary: String, message: String },
    /// Fetching the revision history (request `id`).
    Loading {
        id: u64,
        kind: WorkloadKind,
        deployment: String,
        /// The revision to choose first (else the newest not current).
        prefer: Option<i64>,
        /// Why the rollback was opened: the regression it undoes.
        because: Option<String>,
    },
    /// Choosing the revision to roll back to, with the diff of each.
    PickRevision {
        kind: WorkloadKind,
        deployment: String,
        choices: Vec<RevisionChoice>,
        selected: usize,
        because: Option<String>,
    },
}

pub use crate::kube::rollback::RevisionChoice;

/// The most characters a text field holds (a note, a reason); a longer
/// paste is cut there, and the dialog says so.
pub const MAX_FIELD_CHARS: usize = 10_000;

fn field_chars(input: &TextArea<'_>) -> usize {
    input.lines().iter().map(|l| l.chars().count() + 1).sum()
}

/// Pasted text as a field takes it: control characters dropped, CR LF and
/// CR as newlines (or spaces in a one-line field), tabs as spaces, at most
/// `room` characters. Returns the text and whether it was cut.
pub fn clean_paste(text: &str, multi_line: bool, room: usize) -> (String, bool) {
    let mut out = String::with_capacity(text.len().min(room * 4));
    let mut count = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if count >= room {
            return (out, true);
        }
        let c = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                '\n'
            }
            '\t' => ' ',
            c => c,
        };
        match c {
            '\n' if multi_line => out.push('\n'),
            '\n' => out.push(' '),
            c if c.is_control() => continue,
            c => out.push(c),
        }
        count += 1;
    }
    (out, false)
}
use crate::state::bluegreen::Switch;

/// What the dialog asks of the loop. The number tags the answer: a dialog
/// takes only the answer to the request it made (`AppState::next_request`),
/// so a late answer to a cancelled dialog never moves another one on.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    DryRun(u64, Plan),
    Execute(u64, Plan),
    /// Fetch a workload's revisions for the rollback picker.
    Revisions(u64, WorkloadKind, String),
    /// Read what each node's pods request (every namespace).
    NodeLoad(u64),
    /// Read an object (its API path) for the object view.
    Object(u64, String),
    /// Run a probe's burst now.
    Burst(String),
    /// Append this to the journal.
    Record(crate::journal::Entry),
}

/// What a typed text becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum TextPurpose {
    /// The reason to tick an item whose check does not pass.
    Override {
        item: String,
        text: String,
        run: Option<String>,
        evidence: Vec<crate::journal::Evidence>,
    },
    Skip {
        item: String,
        text: String,
        run: Option<String>,
    },
    /// A note (on an item); `now` is when the editor opened, for `@-15m`.
    Note { item: Option<String>, now: i64 },
    /// An incident milestone: empty for now, or `@HH:MM` / `@-10m`.
    Milestone {
        milestone: crate::journal::Milestone,
        now: i64,
    },
}

impl TextPurpose {
    /// The journal entry for the typed text, or why it cannot be one.
    pub fn entry(&self, typed: &str) -> Result<crate::journal::Entry, String> {
        use crate::journal::Entry;
        let typed = typed.trim();
        if let TextPurpose::Milestone { milestone, now } = self {
            let happened_at = if typed.is_empty() {
                None
            } else {
                backdate(&format!("{typed} ."), *now)?.0
            };
            return Ok(Entry::Milestone {
                milestone: *milestone,
                happened_at,
            });
        }
        if typed.is_empty() {
            return Err(match self {
                TextPurpose::Note { .. } => "type the note (esc cancels)".into(),
                _ => "a reason is required (esc cancels)".into(),
            });
        }
        Ok(match self {
            TextPurpose::Override {
                item,
                text,
                run,
                evidence,
            } => Entry::Tick {
                item: item.clone(),
                text: text.clone(),
                run: run.clone(),
                evidence: evidence.clone(),
                reason: Some(typed.to_string()),
            },
            TextPurpose::Skip { item, text, run } => Entry::Skip {
                item: item.clone(),
                text: text.clone(),
                run: run.clone(),
                reason: typed.to_string(),
            },
            TextPurpose::Milestone { .. } => return Err("unreachable".into()),
            TextPurpose::Note { item, now } => {
                let (happened_at, text) = backdate(typed, *now)?;
                Entry::Note {
                    text,
                    item: item.clone(),
                    happened_at,
                    starred: false,
                }
            }
        })
    }
}

/// A note's backdating prefix: `@-15m` (before `now`), or `@HH:MM` (today,
/// local time). Returns the time it happened (RFC 3339, UTC) and the text.
pub fn backdate(typed: &str, now: i64) -> Result<(Option<String>, String), String> {
    let Some(rest) = typed.strip_prefix('@') else {
        return Ok((None, typed.to_string()));
    };
    let (when, text) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let text = text.trim();
    if text.is_empty() {
        return Err("after the time, type what happened".into());
    }
    let at = if let Some(ago) = when.strip_prefix('-') {
        let d = humantime::parse_duration(ago)
            .map_err(|e| format!("\"@{when}\": {e} (e.g. @-15m or @09:40)"))?;
        now - i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
    } else {
        let (h, m) = when
            .split_once(':')
            .and_then(|(h, m)| Some((h.parse::<i8>().ok()?, m.parse::<i8>().ok()?)))
            .filter(|(h, m)| (0..24).contains(h) && (0..60).contains(m))
            .ok_or_else(|| format!("\"@{when}\": expected @HH:MM or @-15m"))?;
        let tz = jiff::tz::TimeZone::system();
        let today = jiff::Timestamp::from_second(now)
            .map_err(|e| e.to_string())?
            .to_zoned(tz.clone());
        let then = today
            .date()
            .at(h, m, 0, 0)
            .to_zoned(tz)
            .map_err(|e| e.to_string())?;
        then.timestamp().as_second()
    };
    if at > now {
        return Err(format!(
            "\"@{when}\" is in the future: a note can only be backdated"
        ));
    }
    let stamp = jiff::Timestamp::from_second(at).map_err(|e| e.to_string())?;
    Ok((Some(stamp.to_string()), text.to_string()))
}

impl Dialog {
    /// Whether keys are typed into the dialog rather than bound.
    pub fn editing(&self) -> bool {
        matches!(
            self,
            Dialog::Scale { .. }
                | Dialog::Text { .. }
                | Dialog::Unready { .. }
                | Dialog::Burst {
                    type_to_confirm: Some(_),
                    ..
                }
                | Dialog::Confirm {
                    type_to_confirm: Some(_),
                    ..
                }
        )
    }

    /// The dialog for a keyed action on a workload, or why there is none;
    /// `id` tags the request it makes.
    pub fn open(
        action: Action,
        d: &WorkloadRow,
        hpa: Option<HpaRow>,
        ns: &str,
        at: &str,
        id: u64,
    ) -> Result<(Dialog, Option<Request>), String> {
        let what = format!("{}/{}", d.kind.resource(), d.name);
        match (action, d.kind) {
            (Action::Scale, WorkloadKind::DaemonSet) => Err(format!(
                "{what} runs one pod on each eligible node: a DaemonSet has no replica count to scale"
            )),
            (Action::Scale, WorkloadKind::Job | WorkloadKind::CronJob) => Err(format!(
                "{what} runs to completion: it has no replica count to scale (its parallelism is part of its spec)"
            )),
            (Action::PauseResume, WorkloadKind::Job | WorkloadKind::CronJob) => Ok(Self::check(
                Plan::suspend(d.kind, ns, &d.name, !d.paused),
                None,
                id,
            )),
            (Action::Rollback, WorkloadKind::Job | WorkloadKind::CronJob) => Err(format!(
                "{what} has no revisions to roll back to: a Job runs once; change a CronJob's job template instead"
            )),
            (Action::Restart, WorkloadKind::CronJob) => {
                match d.batch.as_deref().and_then(|b| b.job_template.as_ref()) {
                    Some(template) => Ok(Self::check(
                        Plan::trigger(ns, &d.name, &d.uid, template, &manual_suffix(at, id)),
                        None,
                        id,
                    )),
                    None => Err(format!("{what} has no job template to run")),
                }
            }
            (Action::PauseResume, WorkloadKind::StatefulSet | WorkloadKind::DaemonSet) => {
                Err(format!(
                    "{what} cannot be paused: Kubernetes has no pause for {}s (kubectl rollout pause supports Deployments only)",
                    d.kind.name()
                ))
            }
            _ => Self::open_deployment_action(action, d, hpa, ns, at, id),
        }
    }

    fn open_deployment_action(
        action: Action,
        d: &WorkloadRow,
        hpa: Option<HpaRow>,
        ns: &str,
        at: &str,
        id: u64,
    ) -> Result<(Dialog, Option<Request>), String> {
        match action {
            Action::Scale => {
                // Empty, so that what is typed is the whole number; the
                // current count is the placeholder.
                let mut input = TextArea::default();
                input.set_placeholder_text(format!("now {}", d.desired));
                Ok((
                    Dialog::Scale {
                        kind: d.kind,
                        hpa: hpa.map(Box::new),
                        deployment: d.name.clone(),
                        current: d.desired,
                        input: Box::new(input),
                        error: None,
                    },
                    None,
                ))
            }
            Action::Restart if d.paused => Err(format!(
                "deployment/{} is paused: resume it first (a paused Deployment does not roll out)",
                d.name
            )),
            Action::Restart => Ok(Self::check(
                Plan::restart_workload(d.kind, ns, &d.name, at),
                None,
                id,
            )),
            Action::PauseResume => Ok(Self::check(Plan::pause(ns, &d.name, !d.paused), None, id)),
            Action::Rollback => Ok((
                Dialog::Loading {
                    id,
                    kind: d.kind,
                    deployment: d.name.clone(),
                    prefer: None,
                    because: None,
                },
                Some(Request::Revisions(id, d.kind, d.name.clone())),
            )),
            _ => Err("not an action on a workload".into()),
        }
    }

    /// The colour picker of a blue-green switch; the other colour first.
    pub fn pick_colour(switch: Switch) -> Dialog {
        let selected = switch.colours.iter().position(|c| !c.current).unwrap_or(0);
        Dialog::PickColour { switch, selected }
    }

    fn check(plan: Plan, warning: Option<String>, id: u64) -> (Dialog, Option<Request>) {
        Self::check_unready(plan, warning, None, id)
    }

    /// A plan made elsewhere, on its way to the dry run.
    pub fn checked(plan: Plan, id: u64) -> (Dialog, Option<Request>) {
        Self::check(plan, None, id)
    }

    fn check_unready(
        plan: Plan,
        warning: Option<String>,
        unready: Option<String>,
        id: u64,
    ) -> (Dialog, Option<Request>) {
        (
            Dialog::Checking {
                id,
                plan: plan.clone(),
                warning,
                unready,
            },
            Some(Request::DryRun(id, plan)),
        )
    }

    /// A bound action while the dialog is open. Returns the next dialog (None
    /// closes it) and what to ask of the loop; `id` tags that request.
    pub fn act(self, action: Action, ns: &str, id: u64) -> (Option<Dialog>, Option<Request>) {
        match (self, action) {
            (_, Action::Cancel | Action::Back) => (None, None),
            (
                Dialog::Scale {
                    kind,
                    deployment,
                    current,
                    input,
                    hpa,
                    ..
                },
                Action::Submit | Action::Confirm,
            ) => {
                let text = input.lines().join("");
                // With an HPA, `MIN-MAX` changes its range instead.
                if let Some(h) = hpa.as_deref()
                    && let Some(range) = parse_range(&text)
                {
                    return match range {
                        Ok((min, max)) if (min, max) == (h.min, h.max) => (
                            Some(Dialog::Scale {
                                kind,
                                deployment,
                                current,
                                error: Some(format!(
                                    "hpa/{} already scales between {min} and {max}",
                                    h.name
                                )),
                                input,
                                hpa,
                            }),
                            None,
                        ),
                        Ok((min, max)) => {
                            let (d, r) = Self::check(
                                Plan::hpa_range(ns, &h.name, (h.min, h.max), (min, max)),
                                None,
                                id,
                            );
                            (Some(d), r)
                        }
                        Err(e) => (
                            Some(Dialog::Scale {
                                kind,
                                deployment,
                                current,
                                input,
                                hpa,
                                error: Some(e),
                            }),
                            None,
                        ),
                    };
                }
                if text.trim().is_empty() {
                    let error = Some(format!(
                        "type the number of replicas ({}/{deployment} has {current} now)",
                        kind.resource()
                    ));
                    return (
                        Some(Dialog::Scale {
                            kind,
                            deployment,
                            current,
                            input,
                            hpa,
                            error,
                        }),
                        None,
                    );
                }
                match parse_replicas(&text, current) {
                    Ok((n, _)) if n == current => {
                        let error = Some(format!(
                            "{}/{deployment} already has {current} replicas",
                            kind.resource()
                        ));
                        (
                            Some(Dialog::Scale {
                                kind,
                                deployment,
                                current,
                                input,
                                hpa,
                                error,
                            }),
                            None,
                        )
                    }
                    Ok((n, warning)) => {
                        // The HPA would put its own count back.
                        let warning = match hpa.as_deref() {
                            Some(h) => Some(format!(
                                "hpa/{} scales {}/{deployment} between {} and {}: it will set its own count again within a minute{}",
                                h.name,
                                kind.resource(),
                                h.min,
                                h.max,
                                warning.map_or(String::new(), |w| format!("; {w}"))
                            )),
                            None => warning,
                        };
                        let (d, r) = Self::check(
                            Plan::scale_workload(kind, ns, &deployment, current, n),
                            warning,
                            id,
                        );
                        (Some(d), r)
                    }
                    Err(e) => (
                        Some(Dialog::Scale {
                            kind,
                            deployment,
                            current,
                            input,
                            hpa,
                            error: Some(e),
                        }),
                        None,
                    ),
                }
            }
            (
                Dialog::Confirm {
                    plan,
                    warning,
                    type_to_confirm,
                    typed,
                    unready,
                },
                Action::Submit | Action::Confirm,
            ) => match (&type_to_confirm, unready) {
                (Some(word), unready) if typed.trim() != word => {
                    let d = Dialog::Confirm {
                        plan,
                        warning,
                        type_to_confirm,
                        typed,
                        unready,
                    };
                    (Some(d), None)
                }
                (_, Some(value)) => (
                    Some(Dialog::Unready {
                        plan,
                        warning,
                        value,
                        typed: String::new(),
                    }),
                    None,
                ),
                (_, None) => (
                    Some(Dialog::Running {
                        id,
                        plan: plan.clone(),
                    }),
                    Some(Request::Execute(id, plan)),
                ),
            },
            (
                Dialog::Unready {
                    plan,
                    warning,
                    value,
                    typed,
                },
                Action::Submit | Action::Confirm,
            ) => {
                if typed.trim() == value {
                    (
                        Some(Dialog::Running {
                            id,
                            plan: plan.clone(),
                        }),
                        Some(Request::Execute(id, plan)),
                    )
                } else {
                    let d = Dialog::Unready {
                        plan,
                        warning,
                        value,
                        typed,
                    };
                    (Some(d), None)
                }
            }
            (Dialog::PickColour { switch, selected }, Action::MoveUp | Action::MoveDown) => {
                let selected = if action == Action::MoveUp {
                    selected.saturating_sub(1)
                } else {
                    (selected + 1).min(switch.colours.len().saturating_sub(1))
                };
                (Some(Dialog::PickColour { switch, selected }), None)
            }
            (Dialog::PickColour { switch, selected }, Action::Confirm | Action::Submit) => {
                let Some(to) = switch.colours.get(selected) else {
                    return (None, None);
                };
                let label = &switch.label;
                if to.current {
                    return (
                        Some(Dialog::Refused {
                            summary: format!("switch service/{}", switch.service),
                            message: format!(
                                "service/{} already selects {label}={} (deployment/{}): nothing to switch",
                                switch.service, to.value, to.deployment
                            ),
                        }),
                        None,
                    );
                }
                let from = switch.current.as_deref().unwrap_or("(none)");
                let plan =
                    Plan::switch(ns, &switch.service, label, from, &to.value, &to.deployment);
                let warning = (!to.ready).then(|| {
                    format!(
                        "deployment/{} is not fully ready ({}): the Service would send all traffic to it",
                        to.deployment,
                        to.why_not.as_deref().unwrap_or("not ready")
                    )
                });
                let unready = (!to.ready).then(|| to.value.clone());
                let (d, r) = Self::check_unready(plan, warning, unready, id);
                (Some(d), r)
            }
            (
                Dialog::Refused { .. } | Dialog::Unanswered { .. },
                Action::Confirm | Action::Submit,
            ) => (None, None),
            (
                Dialog::Text {
                    purpose,
                    title,
                    prompt,
                    input,
                    ..
                },
                Action::Confirm | Action::Submit,
            ) => match purpose.entry(&input.lines().join("\n")) {
                Ok(entry) => (None, Some(Request::Record(entry))),
                Err(error) => (
                    Some(Dialog::Text {
                        purpose,
                        title,
                        prompt,
                        input,
                        error: Some(error),
                    }),
                    None,
                ),
            },
            (
                Dialog::Burst {
                    probe,
                    requests,
                    url,
                    type_to_confirm,
                    typed,
                },
                Action::Confirm | Action::Submit,
            ) => match &type_to_confirm {
                Some(word) if typed.trim() != word => (
                    Some(Dialog::Burst {
                        probe,
                        requests,
                        url,
                        type_to_confirm,
                        typed,
                    }),
                    None,
                ),
                _ => (None, Some(Request::Burst(probe))),
            },
            (
                Dialog::PickRevision {
                    kind,
                    deployment,
                    choices,
                    selected,
                    because,
                },
                Action::MoveUp | Action::MoveDown,
            ) => {
                let selected = if action == Action::MoveUp {
                    selected.saturating_sub(1)
                } else {
                    (selected + 1).min(choices.len().saturating_sub(1))
                };
                (
                    Some(Dialog::PickRevision {
                        kind,
                        deployment,
                        choices,
                        selected,
                        because,
                    }),
                    None,
                )
            }
            (
                Dialog::PickRevision {
                    choices, selected, ..
                },
                Action::Confirm | Action::Submit,
            ) => match choices.get(selected).map(|c| c.plan.clone()) {
                Some(Ok(plan)) => {
                    let (d, r) = Self::check(plan, None, id);
                    (Some(d), r)
                }
                Some(Err(message)) => (
                    Some(Dialog::Refused {
                        summary: "roll back".into(),
                        message,
                    }),
                    None,
                ),
                None => (None, None),
            },
            (d, _) => (Some(d), None),
        }
    }

    /// A dialog to type a reason or note.
    pub fn text(purpose: TextPurpose, title: String, prompt: String) -> Dialog {
        Dialog::Text {
            purpose,
            title,
            prompt,
            input: Box::new(TextArea::default()),
            error: None,
        }
    }

    /// Whether confirming this dialog sends a request that changes
    /// something (so the confirm key must wait until it is armed).
    pub fn confirms_a_change(&self) -> bool {
        matches!(
            self,
            Dialog::Confirm { .. } | Dialog::Unready { .. } | Dialog::Burst { .. }
        )
    }

    /// Pasted text, into the dialog's text field: only ever typed, never a
    /// key (a pasted newline submits nothing). Returns why it was refused.
    pub fn paste(&mut self, text: &str) -> Result<(), String> {
        match self {
            Dialog::Text { input, error, .. } => {
                *error = None;
                let room = MAX_FIELD_CHARS.saturating_sub(field_chars(input));
                let (kept, cut) = clean_paste(text, true, room);
                let kept_chars = kept.chars().count();
                input.insert_str(kept);
                if cut {
                    return Err(format!(
                        "paste cut short: kept {kept_chars} of {} characters (a field holds at most {MAX_FIELD_CHARS})",
                        text.chars().count()
                    ));
                }
                Ok(())
            }
            Dialog::Scale { input, error, .. } => {
                let (text, _) = clean_paste(text, false, 12);
                let text = text.trim();
                if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
                    let why = format!("pasted \"{text}\": type a number of replicas");
                    *error = Some(why.clone());
                    return Err(why);
                }
                *error = None;
                input.insert_str(text);
                Ok(())
            }
            Dialog::Confirm {
                type_to_confirm: Some(_),
                typed,
                ..
            }
            | Dialog::Unready { typed, .. }
            | Dialog::Burst {
                type_to_confirm: Some(_),
                typed,
                ..
            } => {
                let room = 256usize.saturating_sub(typed.chars().count());
                let (text, _) = clean_paste(text, false, room);
                typed.push_str(text.trim());
                Ok(())
            }
            _ => Err("paste ignored: this dialog has no text field".into()),
        }
    }

    /// A key typed into the dialog.
    pub fn type_key(&mut self, key: Key) {
        match self {
            Dialog::Text { input, error, .. } => {
                *error = None;
                input.input(KeyEvent::new(key.code, key.mods));
            }
            Dialog::Scale { input, error, .. } => {
                // Whatever is typed stays visible; enter checks the whole
                // text (so "x-2" is refused as such, never read as 2).
                *error = None;
                input.input(KeyEvent::new(key.code, key.mods));
            }
            Dialog::Confirm { typed, .. }
            | Dialog::Unready { typed, .. }
            | Dialog::Burst { typed, .. } => match key.code {
                KeyCode::Char(c) if !key.mods.contains(KeyModifiers::CONTROL) => typed.push(c),
                KeyCode::Backspace => {
                    typed.pop();
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// The revision history asked for by request `id` arrived; an answer
    /// to another request (a dialog since cancelled) changes nothing.
    pub fn revisions_loaded(
        self,
        id: u64,
        result: Result<Vec<RevisionChoice>, String>,
    ) -> Option<Dialog> {
        let (kind, deployment, prefer, because) = match self {
            Dialog::Loading {
                id: asked,
                kind,
                deployment,
                prefer,
                because,
            } if asked == id => (kind, deployment, prefer, because),
            other => return Some(other),
        };
        Some(match result {
            Ok(choices) => {
                // The revision asked for, else the previous one: the first
                // that is not current.
                let selected = prefer
                    .and_then(|p| choices.iter().position(|c| c.revision == p && !c.current))
                    .or_else(|| choices.iter().position(|c| !c.current))
                    .unwrap_or(0);
                Dialog::PickRevision {
                    kind,
                    deployment,
                    choices,
                    selected,
                    because,
                }
            }
            Err(message) => Dialog::Refused {
                summary: format!("roll back {}/{deployment}", kind.resource()),
                message,
            },
        })
    }

    /// The answer to dry run `id` arrived; an answer to another request (a
    /// dialog since cancelled) changes nothing.
    pub fn dry_run_done(
        self,
        id: u64,
        result: Result<(), String>,
        protected: bool,
    ) -> Option<Dialog> {
        let (plan, warning, unready) = match self {
            Dialog::Checking {
                id: asked,
                plan,
                warning,
                unready,
            } if asked == id => (plan, warning, unready),
            other => return Some(other),
        };
        Some(match result {
            Ok(()) => Dialog::Confirm {
                type_to_confirm: protected.then(|| plan.target.clone()),
                plan,
                warning,
                typed: String::new(),
                unready,
            },
            Err(message) => Dialog::Refused {
                summary: plan.summary,
                message,
            },
        })
    }
}

/// The suffix of a Job made from a CronJob by hand: five letters and
/// digits from the time and the request, as kubectl users often name them.
fn manual_suffix(at: &str, id: u64) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (at, id).hash(&mut h);
    let mut n = h.finish();
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| {
            let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
            n /= ALPHABET.len() as u64;
            c
        })
        .collect()
}
