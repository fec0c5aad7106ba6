//! What a message does to the state: input (routed by the layer that
//! takes it), the clock, and what each data source reports.

use super::*;

pub(super) fn apply_msg(state: &mut AppState, msg: Msg) -> bool {
    match msg {
        Msg::Input(Event::Key(key)) => {
            if key.kind == KeyEventKind::Release {
                return false;
            }
            let too_small = state.size.0 < MIN_WIDTH || state.size.1 < MIN_HEIGHT;
            match state
                .keymap
                .dispatch(state.input_context(), Key::from_event(&key))
            {
                // Nothing else is on screen to act on.
                Dispatch::Action(action) if too_small && action != Action::Quit => false,
                Dispatch::Action(action) => {
                    state.apply(action);
                    true
                }
                Dispatch::Editor(key) => state.type_key(key),
                Dispatch::Ignored => false,
            }
        }
        Msg::Input(Event::Paste(text)) => {
            state.paste(&text);
            true
        }
        Msg::Input(Event::Resize(w, h)) => {
            state.size = (w, h);
            true
        }
        Msg::Input(_) => false,
        Msg::Tick(clock, now) => {
            let changed = clock != state.clock;
            state.clock = clock;
            // A recurring phase's run may have ended: fold again.
            if !state.journal.is_empty() && now / 60 != state.now / 60 {
                state.journal.prune(&state.checklist, now);
                state.items = state.journal.items(&state.checklist, now);
            }
            state.now = now;
            state.rollout_checks_changed();
            state.reload_nodes();
            changed
        }
        Msg::Warning(w) => {
            state.warnings.push(w);
            state.warnings_hidden = false;
            true
        }
        Msg::Notice(n) => {
            state.notice = Some(n);
            true
        }
        Msg::Kube(generation, k) => {
            if generation != state.cluster.generation {
                return false;
            }
            // Every namespace, but some may not be listed: said once, on
            // the warning line.
            if let crate::kube::KubeMsg::Denied { namespaces, note } = &k {
                if !namespaces.is_empty() {
                    state.warnings.push(format!(
                        "not shown: {} namespace{} you may not list ({})",
                        namespaces.len(),
                        if namespaces.len() == 1 { "" } else { "s" },
                        namespaces.join(", ")
                    ));
                }
                state.warnings.extend(note.clone());
                state.warnings_hidden = false;
            }
            state.cluster.update(k, state.now);
            true
        }
        Msg::Revisions(id, result) => {
            state.map_dialog(|d| d.revisions_loaded(id, result));
            true
        }
        Msg::Object(id, result) => match state.object_view_mut() {
            Some(view) if view.pending == Some(id) => {
                view.pending = None;
                view.text = Some(result);
                true
            }
            _ => false,
        },
        Msg::NodeLoad(id, result) => {
            let now = state.now;
            match state.nodes_view_mut() {
                Some(view) if view.pending == Some(id) => {
                    view.pending = None;
                    view.load = Some(result);
                    view.loaded_at = Some(now);
                    true
                }
                _ => false,
            }
        }
        Msg::Probe(generation, result) => {
            if generation != state.cluster.generation {
                return false;
            }
            let after = crate::probe::status(&result);
            let why = result
                .failure
                .as_ref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            state.check_changed(
                format!("probe:{}", result.name),
                after,
                format!("probe {}: {}{why}", result.name, word(after)),
            );
            // A burst's result replaces the notice that it is running.
            let running = format!("running the burst of probe {}", result.name);
            if result.requests > 1
                && state
                    .notice
                    .as_deref()
                    .is_some_and(|n| n.starts_with(&running))
            {
                state.notice = Some(format!(
                    "burst of probe {}: {} requests sent, {}{why}",
                    result.name,
                    result.requests,
                    word(after)
                ));
            }
            state.health.record(*result);
            true
        }
        Msg::Signal(generation, msg) => {
            if generation != state.cluster.generation {
                return false;
            }
            if let signals::SignalMsg::Reading { name, reading, .. } = &msg {
                use crate::prom::signal::SignalState;
                let check = format!("signal:{name}");
                let label = reading.state.label().to_lowercase();
                let text = match &reading.state {
                    // Prometheus answered with an error, or could not be
                    // reached: the signal's state (unknown, never a pass),
                    // news even as the first after start, with what was said.
                    SignalState::Error(e) | SignalState::Unreachable(e) => {
                        state.auto.known.insert(check.clone());
                        format!("signal {name}: {label} ({e})")
                    }
                    _ => format!("signal {name}: {label}"),
                };
                state.check_changed(check, crate::prom::plan::status(&reading.state), text);
            }
            state.signals.update(msg);
            true
        }
        Msg::Log(stream, event) => match state.log_view_mut() {
            Some(logs) if logs.stream == stream => {
                logs.receive(event);
                true
            }
            _ => false,
        },
        Msg::Journal(records) => {
            state.journal_read(records, true);
            true
        }
        Msg::JournalRead => {
            state.auto.ready = true;
            false
        }
        Msg::Injected(fault, result) => {
            state.injected(fault, result);
            true
        }
        Msg::Share(generation, status) => {
            if generation != state.cluster.generation || state.team.share.as_ref() == Some(&status)
            {
                return false;
            }
            state.share_changed(status);
            true
        }
        Msg::Presence(generation, status) => {
            if generation != state.cluster.generation {
                return false;
            }
            let changed =
                state.team.peers != status.peers || state.team.presence_error != status.error;
            state.presence_changed(status);
            changed
        }
        Msg::JournalMore(records) => {
            state.journal_read(records, false);
            true
        }
        Msg::DryRun(id, result) => {
            let protected = state.target.protected;
            state.map_dialog(|d| d.dry_run_done(id, result, protected));
            true
        }
        Msg::Unanswered(id) => {
            let Some(flight) = state.in_flight.get_mut(&id) else {
                return false;
            };
            flight.unanswered = true;
            let summary = flight.summary.clone();
            let message = format!(
                "sent, but the API server did not answer within {} s: whether it applied is not known yet. \
                 ops-tui reads the object back and says (header and Timeline); do not send it again before then.",
                crate::kube::actions::EXECUTE_DEADLINE.as_secs()
            );
            if matches!(state.dialog(), Some(actions::Dialog::Running { id: asked, .. }) if *asked == id)
            {
                state.set_dialog(Some(actions::Dialog::Unanswered { summary, message }));
            } else {
                state.notice = Some(format!("{summary}: {message}"));
            }
            true
        }
        Msg::ReadBack(id, outcome) => {
            let Some(flight) = state.in_flight.remove(&id) else {
                return false;
            };
            state.notice = Some(match outcome {
                Some(true) => format!("{}: read back, it applied (journaled)", flight.summary),
                Some(false) => format!(
                    "{}: read back, it did not apply (journaled)",
                    flight.summary
                ),
                None => format!(
                    "{}: the API server never answered; the outcome is still unknown (check with kubectl)",
                    flight.summary
                ),
            });
            true
        }
        Msg::Acted(id, result) => {
            state.in_flight.remove(&id);
            // The dialog that sent it, if still open (esc closes a running one).
            let running = match state.dialog() {
                Some(actions::Dialog::Running { id: asked, plan }) if *asked == id => {
                    Some(plan.summary.clone())
                }
                _ => None,
            };
            match (result, running) {
                (Ok(summary), running) => {
                    if running.is_some() {
                        state.set_dialog(None);
                    }
                    state.notice = Some(format!("done: {summary} (journaled)"));
                }
                (Err(message), Some(summary)) => {
                    state.set_dialog(Some(actions::Dialog::Refused { summary, message }));
                }
                // Another dialog is open now: leave it, and say what failed.
                (Err(message), None) => {
                    state.notice = Some(format!(
                        "an earlier action failed: {message} (see the Timeline)"
                    ));
                }
            }
            true
        }
    }
}
