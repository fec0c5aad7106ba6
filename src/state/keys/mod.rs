//! Keys, by the layer that takes them: [`AppState::apply`] asks
//! [`AppState::layer`] and hands the action to that layer's file here.
//! Text typed or pasted goes to the focused field the same way.

mod dashboard;
mod detail;
mod dialog;
mod faults;
mod help;
mod logs;
mod nodes;
mod object;
mod picker;
mod walkthrough;
mod workload;

use super::screen::{Layer, Overlay};
use super::{AppState, View};
use crate::action::Action;
use crate::config::keys::Key;

impl AppState {
    /// A bound action, handled by the layer that takes the keys.
    pub(super) fn apply(&mut self, action: Action) {
        self.notice = None;
        match self.layer() {
            Layer::Action { .. } => self.dialog_key(action),
            Layer::Faults => self.faults_key(action),
            Layer::Nodes => self.nodes_key(action),
            Layer::Picker => self.picker_key(action),
            Layer::Help => self.help_key(action),
            Layer::View(View::Logs, _) => self.logs_key(action),
            Layer::View(View::Workload, _) => self.workload_key(action),
            Layer::View(View::Walkthrough, _) => self.walkthrough_key(action),
            Layer::View(View::Detail, _) => self.detail_key(action),
            Layer::View(View::Object, _) => self.object_key(action),
            Layer::Dashboard { .. } => self.dashboard_key(action),
        }
    }

    /// A key typed into the focused text field; false when none has focus.
    pub(super) fn type_key(&mut self, key: Key) -> bool {
        match self.layer() {
            Layer::Action { .. } => {
                if let Some(dialog) = self.dialog_mut() {
                    dialog.type_key(key);
                }
                true
            }
            Layer::View(View::Logs, _) => {
                if let Some(logs) = self.log_view_mut() {
                    logs.type_key(crossterm::event::KeyEvent::new(key.code, key.mods));
                }
                true
            }
            Layer::View(View::Object, true) => {
                if let Some(view) = self.object_view_mut() {
                    view.type_key(crossterm::event::KeyEvent::new(key.code, key.mods));
                }
                true
            }
            Layer::View(View::Workload, true) => {
                self.refilter_section(|f| f.type_key(key));
                true
            }
            Layer::Dashboard { filtering: true } => {
                self.refilter(self.focus, |f| f.type_key(key));
                true
            }
            _ => false,
        }
    }

    /// Pasted text goes to the focused text field, as text; with no field
    /// focused it is dropped, and the notice says so.
    pub(super) fn paste(&mut self, text: &str) {
        let layer = self.layer();
        let taken = match (layer, &mut self.overlay) {
            (Layer::Action { editing: true }, Some(Overlay::Action(dialog))) => {
                Some(dialog.paste(text))
            }
            _ => None,
        };
        let taken = taken.or_else(|| {
            (matches!(layer, Layer::View(View::Logs, _))
                && self.log_view_mut().is_some_and(|l| l.paste(text)))
            .then_some(Ok(()))
        });
        let taken = taken.or_else(|| {
            (matches!(layer, Layer::View(View::Object, true))
                && self.object_view_mut().is_some_and(|o| o.paste(text)))
            .then_some(Ok(()))
        });
        // A list's filter takes the first line of what is pasted.
        let taken = taken.or_else(|| match layer {
            Layer::Dashboard { filtering: true } => {
                self.refilter(self.focus, |f| {
                    f.paste(text);
                });
                Some(Ok(()))
            }
            Layer::View(View::Workload, true) => {
                self.refilter_section(|f| {
                    f.paste(text);
                });
                Some(Ok(()))
            }
            _ => None,
        });
        let result = match taken {
            Some(result) => result,
            None => Err(format!(
                "paste ignored ({} characters): no text field has focus, and pasted text is never taken as keys",
                text.chars().count()
            )),
        };
        self.notice = result.err();
    }
}
