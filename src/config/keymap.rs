//! Keymaps: built-in files embedded in the binary, user files layered on top
//! per key and per mode. A bad entry is a warning; the defaults stay in force.

use std::path::Path;

use indexmap::IndexMap;
use toml::de::{DeTable, DeValue};

use super::keys::Key;
use super::{Layer, cap_warnings, load_layers, suggest};
use crate::action::Action;
use crate::position::Source;

/// Built-in keymaps: (name, file text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

/// Where a key is read. See `keymaps/default.toml` for the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Dashboard,
    List,
    Dialog,
    Editor,
    Logs,
}

impl Mode {
    pub const ALL: [Mode; 5] = [
        Mode::Dashboard,
        Mode::List,
        Mode::Dialog,
        Mode::Editor,
        Mode::Logs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Dashboard => "dashboard",
            Mode::List => "list",
            Mode::Dialog => "dialog",
            Mode::Editor => "editor",
            Mode::Logs => "logs",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Mode::Dashboard => "anywhere on the dashboard",
            Mode::List => "in the focused pane",
            Mode::Dialog => "while a dialog or overlay is open",
            Mode::Editor => "while typing text (other keys are typed)",
            Mode::Logs => "in the log view (before [list] and [dashboard])",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// What the input context needs to know to route a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputContext {
    pub dialog_open: bool,
    pub editor_focused: bool,
    /// The log view is open: its [logs] keys come first.
    pub log_view: bool,
}

/// Where a key went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    Action(Action),
    /// The focused editor receives the key as text input.
    Editor(Key),
    Ignored,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub name: String,
    bindings: [IndexMap<Key, Action>; 5],
}

impl Keymap {
    /// Loads a keymap by name: the built-in of that name (or `extends`, or
    /// `default`) with the user's file of that name layered on top.
    pub fn load(name: &str, user_dir: Option<&Path>) -> (Keymap, Vec<String>) {
        let (layers, mut warnings) = load_layers("keymap", name, BUILTIN, user_dir);
        let mut keymap = Keymap {
            name: name.to_string(),
            ..Keymap::default()
        };
        for layer in &layers {
            let from = warnings.len();
            keymap.apply(layer, &mut warnings);
            cap_warnings(&layer.origin, &mut warnings, from);
        }
        // A user's [dashboard] key that [list] also binds never reaches the
        // dashboard while a pane has focus: say so.
        if let Some(user) = layers.last().filter(|l| !l.origin.starts_with("built-in"))
            && let Ok(table) = user.parse()
            && let Some(DeValue::Table(dash)) =
                table.get_ref().get("dashboard").map(|v| v.get_ref())
        {
            let src = user.source();
            let from = warnings.len();
            for (key_name, _) in dash.iter() {
                let text = key_name.get_ref().as_ref();
                let Ok(key) = Key::parse(text) else { continue };
                if let (Some(list), Some(dash)) = (
                    keymap.bindings[Mode::List.index()].get(&key),
                    keymap.bindings[Mode::Dashboard.index()].get(&key),
                ) && list != dash
                {
                    warnings.push(src.message(
                        key_name.span().start,
                        &format!(
                            "[dashboard] key \"{text}\" is also bound in [list] (to {}), which comes first while a pane has focus; add [list] {text} = \"unbind\" to use it here",
                            list.name()
                        ),
                    ));
                }
            }
            cap_warnings(&user.origin, &mut warnings, from);
        }
        (keymap, warnings)
    }

    fn apply(&mut self, layer: &Layer, warnings: &mut Vec<String>) {
        let src = layer.source();
        // Layers are parsed when they are collected; this cannot fail.
        let Ok(table) = layer.parse() else { return };
        for (section, value) in table.get_ref().iter() {
            let section_name = section.get_ref().as_ref();
            if section_name == "extends" {
                continue;
            }
            let Some(mode) = Mode::from_name(section_name) else {
                warnings.push(src.message(
                    section.span().start,
                    &format!(
                        "unknown section [{section_name}] (expected dashboard, list, dialog, editor or logs); ignored"
                    ),
                ));
                continue;
            };
            let DeValue::Table(entries) = value.get_ref() else {
                warnings.push(src.message(
                    value.span().start,
                    &format!("[{section_name}] must be a table of key = \"action\""),
                ));
                continue;
            };
            self.apply_section(mode, entries, &src, warnings);
        }
    }

    fn apply_section(
        &mut self,
        mode: Mode,
        entries: &DeTable<'_>,
        src: &Source<'_>,
        warnings: &mut Vec<String>,
    ) {
        let map = &mut self.bindings[mode.index()];
        for (key_name, value) in entries.iter() {
            let key_text = key_name.get_ref().as_ref();
            let at = key_name.span().start;
            let key = match Key::parse(key_text) {
                Ok(key) => key,
                Err(reason) => {
                    warnings.push(src.message(
                        at,
                        &format!(
                            "[{}] cannot parse key \"{key_text}\": {reason}; the default bindings stay in force",
                            mode.name()
                        ),
                    ));
                    continue;
                }
            };
            let DeValue::String(action_name) = value.get_ref() else {
                warnings.push(src.message(
                    value.span().start,
                    &format!(
                        "[{}] key \"{key_text}\": expected an action name in quotes, or \"unbind\"",
                        mode.name()
                    ),
                ));
                continue;
            };
            let action_name = action_name.as_ref();
            if action_name == "unbind" {
                map.shift_remove(&key);
                continue;
            }
            match Action::from_name(action_name) {
                Some(action) => {
                    map.insert(key, action);
                }
                None => {
                    let names = Action::ALL.iter().map(|a| a.name());
                    let hint = suggest(action_name, names)
                        .map(|s| format!(" (did you mean \"{s}\"?)"))
                        .unwrap_or_default();
                    warnings.push(src.message(
                        value.span().start,
                        &format!(
                            "[{}] key \"{key_text}\": unknown action \"{action_name}\"{hint}; the default bindings stay in force",
                            mode.name()
                        ),
                    ));
                }
            }
        }
    }

    /// Routes a key: dialogs read only their own bindings, a focused editor
    /// takes keys before anything else, otherwise the log view (when it is
    /// open), the pane and then the dashboard.
    pub fn dispatch(&self, ctx: InputContext, key: Key) -> Dispatch {
        let lookup = |mode: Mode| self.bindings[mode.index()].get(&key).copied();
        if ctx.dialog_open && !ctx.editor_focused {
            return lookup(Mode::Dialog).map_or(Dispatch::Ignored, Dispatch::Action);
        }
        if ctx.editor_focused {
            return lookup(Mode::Editor).map_or(Dispatch::Editor(key), Dispatch::Action);
        }
        ctx.log_view
            .then(|| lookup(Mode::Logs))
            .flatten()
            .or_else(|| lookup(Mode::List))
            .or_else(|| lookup(Mode::Dashboard))
            .map_or(Dispatch::Ignored, Dispatch::Action)
    }

    /// Every binding of a mode, in file order.
    pub fn bindings(&self, mode: Mode) -> impl Iterator<Item = (Key, Action)> + '_ {
        self.bindings[mode.index()].iter().map(|(k, a)| (*k, *a))
    }

    /// The keys bound to an action in a mode, in file order.
    pub fn keys_for(&self, mode: Mode, action: Action) -> Vec<Key> {
        self.bindings(mode)
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k)
            .collect()
    }

    /// The first key for an action in the pane's modes (list, then dashboard).
    pub fn pane_key(&self, action: Action) -> Option<Key> {
        [Mode::List, Mode::Dashboard]
            .into_iter()
            .find_map(|mode| self.keys_for(mode, action).into_iter().next())
    }
}
