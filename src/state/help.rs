//! The help overlay: every binding of every mode, generated from the keymap.

use crate::action::Action;
use crate::config::keymap::{Keymap, Mode};
use crate::status::Status;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Section {
        name: &'static str,
        description: &'static str,
    },
    Binding {
        keys: String,
        description: &'static str,
    },
}

#[derive(Debug, Clone)]
pub struct HelpView {
    pub keymap: String,
    pub lines: Vec<HelpLine>,
    pub scroll: usize,
}

impl HelpView {
    pub fn new(keymap: &Keymap) -> HelpView {
        let mut lines = Vec::new();
        for mode in Mode::ALL {
            lines.push(HelpLine::Section {
                name: mode.name(),
                description: mode.description(),
            });
            // One line per action, with all its keys, in the order actions are listed.
            for &action in Action::ALL {
                let keys = keymap.keys_for(mode, action);
                if keys.is_empty() {
                    continue;
                }
                let keys = keys
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                lines.push(HelpLine::Binding {
                    keys,
                    description: action.description(),
                });
            }
        }
        lines.push(HelpLine::Section {
            name: "states",
            description: "every state has a symbol and a word, not only a colour",
        });
        for status in [Status::Ok, Status::Warn, Status::Fail, Status::Unknown] {
            lines.push(HelpLine::Binding {
                keys: status.symbol().to_string(),
                description: status.meaning(),
            });
        }
        HelpView {
            keymap: keymap.name.clone(),
            lines,
            scroll: 0,
        }
    }
}
