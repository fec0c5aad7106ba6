//! The keymap loader, given a user file of any content under each of the
//! names `default`, `vim` (built in) and `custom` (not): it loads with
//! warnings and dispatches keys without a panic, and a file that is not
//! TOML warns and leaves the bindings as built in.

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use ops_tui::action::Action;
use ops_tui::config::keymap::{InputContext, Keymap, Mode};
use ops_tui::config::keys::Key;

const NAMES: [&str; 3] = ["default", "vim", "custom"];

/// A config dir for the whole process, holding `keymaps/`; the directory
/// is left in place when the process ends (scripts/fuzz.sh runs the
/// targets with TMPDIR set to a directory it removes afterwards).
static CONFIG_DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = tempfile::Builder::new()
        .prefix("ops-tui-fuzz-keymap-")
        .tempdir()
        .expect("a temporary directory")
        .keep();
    std::fs::create_dir_all(dir.join("keymaps")).expect("the keymaps directory");
    dir
});

/// Every binding of a keymap, mode by mode.
fn bindings(keymap: &Keymap) -> Vec<(Mode, Key, Action)> {
    Mode::ALL
        .iter()
        .flat_map(|m| keymap.bindings(*m).map(move |(k, a)| (*m, k, a)))
        .collect()
}

/// The bindings of each name without a user file, in the order of `NAMES`.
static BUILTIN: LazyLock<Vec<Vec<(Mode, Key, Action)>>> = LazyLock::new(|| {
    NAMES
        .iter()
        .map(|name| bindings(&Keymap::load(name, None).0))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let dir = CONFIG_DIR.as_path();
    let is_toml = std::str::from_utf8(data).is_ok_and(|t| toml::de::DeTable::parse(t).is_ok());
    for (name, builtin) in NAMES.iter().zip(BUILTIN.iter()) {
        let path = dir.join("keymaps").join(format!("{name}.toml"));
        std::fs::write(&path, data).expect("the user keymap is written");
        let (keymap, warnings) = Keymap::load(name, Some(dir));
        for ctx in [
            InputContext {
                dialog_open: false,
                editor_focused: false,
                log_view: false,
            },
            InputContext {
                dialog_open: true,
                editor_focused: false,
                log_view: false,
            },
            InputContext {
                dialog_open: false,
                editor_focused: true,
                log_view: false,
            },
            InputContext {
                dialog_open: false,
                editor_focused: false,
                log_view: true,
            },
        ] {
            for k in ["q", "tab", "ctrl-c", "esc", "enter", "j", "?"] {
                if let Ok(key) = Key::parse(k) {
                    keymap.dispatch(ctx, key);
                }
            }
        }
        if !is_toml {
            assert!(
                !warnings.is_empty(),
                "{name}: a file that is not TOML loaded silently"
            );
            assert_eq!(
                &bindings(&keymap),
                builtin,
                "{name}: a file that is not TOML changed the bindings"
            );
        }
    }
});
