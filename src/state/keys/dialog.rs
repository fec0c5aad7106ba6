//! Keys while an action dialog is open: its steps, its confirm button
//! (armed a moment after the step appears), its text fields.

use crate::action::Action;
use crate::state::screen::Overlay;
use crate::state::{AppState, Effect, InFlight, actions};

impl AppState {
    pub(super) fn dialog_key(&mut self, action: Action) {
        let Some(Overlay::Action(dialog)) = self.overlay.take() else {
            return;
        };
        let confirming = matches!(action, Action::Confirm | Action::Submit);
        let running = match &dialog {
            actions::Dialog::Running { id, .. } => Some(*id),
            _ => None,
        };
        let (next, request) = match action {
            Action::Quit if !dialog.editing() => {
                self.quit = true;
                (Some(dialog), None)
            }
            _ if confirming && dialog.confirms_a_change() && !self.armed() => {
                self.notice = Some(
                    "not confirmed: the confirm key works a moment after the dialog appears; press it again"
                        .into(),
                );
                (Some(dialog), None)
            }
            _ => {
                self.next_request += 1;
                dialog.act(
                    action,
                    &self
                        .dialog_namespace
                        .clone()
                        .unwrap_or_else(|| self.namespace()),
                    self.next_request,
                )
            }
        };
        if next.is_none()
            && let Some(flight) = running.and_then(|id| self.in_flight.get(&id))
        {
            self.notice = Some(format!(
                "still in flight: {} (the header shows it until its outcome is known)",
                flight.summary
            ));
        }
        if let Some(actions::Request::Execute(id, plan)) = &request {
            self.in_flight.insert(
                *id,
                InFlight {
                    summary: plan.summary.clone(),
                    since: self.now,
                    unanswered: false,
                },
            );
        }
        if self.overlay.is_none() {
            self.overlay = next.map(Overlay::Action);
        }
        self.effects.extend(request.map(Effect::Act));
    }
}
