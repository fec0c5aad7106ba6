//! Keymaps and themes: user files, text or raw bytes mutated from the
//! built-in ones, load with warnings and never fail; one that is not TOML
//! says so and changes nothing.

use super::*;

use ops_tui::action::Action;
use ops_tui::config::keymap::{InputContext, Keymap, Mode};
use ops_tui::config::keys::Key;
use ops_tui::config::theme::Theme;
use ops_tui::status::Status;
use proptest::sample::select;

use super::runbook::toml_snippet;
const KEYMAP: &str = include_str!("../../../keymaps/default.toml");
const THEME: &str = include_str!("../../../themes/default.toml");

/// A user file: text, or raw bytes (which may not be UTF-8).
#[derive(Debug, Clone)]
enum UserFile {
    Text(String),
    Bytes(Vec<u8>),
}

impl UserFile {
    fn bytes(&self) -> &[u8] {
        match self {
            UserFile::Text(t) => t.as_bytes(),
            UserFile::Bytes(b) => b,
        }
    }

    /// Whether the file is UTF-8 text that parses as a TOML document
    /// (values left unconverted, as the loaders read them).
    fn is_toml(&self) -> bool {
        std::str::from_utf8(self.bytes()).is_ok_and(|t| toml::de::DeTable::parse(t).is_ok())
    }
}

fn user_file(base: &'static str) -> impl Strategy<Value = UserFile> {
    let extra = prop_oneof![
        select(vec![
            "[dashboard]",
            "[list]",
            "[dialog]",
            "[editor]",
            "[colors]",
            "[nope]",
            "extends = \"vim\"",
            "extends = \"default\"",
            "extends = \"light\"",
            "extends = \"custom\"",
            "extends = 1",
            "q = \"unbind\"",
            "q = \"quitt\"",
            "ctrl-alt-shift-f99 = \"quit\"",
            "\"\" = \"quit\"",
            "\"ctrl-\" = \"quit\"",
            "x = 1",
            "x = { a = 1 }",
            "text = \"#zzzzzz\"",
            "text = \"256\"",
            "text = \"#fff\"",
            "text = \"\"",
            "colors = 1",
            "[colors.text]",
            "dashboard = \"x\"",
        ])
        .prop_map(|s| format!("\n{s}\n")),
    ]
    .boxed();
    let snippet = prop_oneof![2 => extra, 1 => toml_snippet()].boxed();
    let string = prop_oneof![
        3 => quoted(select(vec![
            "quit", "unbind", "help", "focus_next", "quitt", "", "red", "lightblue", "reset",
            "#ff0000", "#FFF", "#gggggg", "0", "255", "256", "-1", "vim", "default", "é",
        ]).prop_map(String::from)),
        1 => quoted(".{0,12}"),
    ]
    .boxed();
    let value = prop_oneof![
        2 => string.clone(),
        1 => select(vec!["1", "true", "[]", "{}", "[\"q\"]", "{ q = \"quit\" }", "1e400"])
            .prop_map(String::from),
    ]
    .boxed();
    let key = prop_oneof![
        quoted_key(
            select(vec![
                "q",
                "ctrl-c",
                "ctrl-",
                "shift-tab",
                "f1",
                "f24",
                "f25",
                "f0",
                "alt-shift-ctrl-x",
                "super-x",
                "space",
                "é",
                "🦀",
                "",
                " ",
                "ctrl-ctrl-x",
                "enter",
                "text",
                "colors",
                "extends",
                "accent",
                "nope",
            ])
            .prop_map(String::from)
        ),
        quoted_key(".{0,6}"),
    ]
    .boxed();
    prop_oneof![
        3 => toml_mutations(snippet, value, string, key).prop_map(move |m| UserFile::Text(mutate(base, &m))),
        1 => arbitrary_text().prop_map(UserFile::Text),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(UserFile::Bytes),
    ]
}

/// Every binding of a keymap, mode by mode.
fn keymap_bindings(keymap: &Keymap) -> Vec<(Mode, Key, Action)> {
    Mode::ALL
        .iter()
        .flat_map(|m| keymap.bindings(*m).map(move |(k, a)| (*m, k, a)))
        .collect()
}

/// A config dir holding `sub/name.toml`.
fn user_dir(sub: &str, name: &str, file: &UserFile) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    std::fs::write(
        dir.path().join(sub).join(format!("{name}.toml")),
        file.bytes(),
    )
    .unwrap();
    dir
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn keymap_user_files_load_with_warnings(
        file in user_file(KEYMAP),
        name in select(vec!["default", "vim", "custom"]),
    ) {
        let dir = user_dir("keymaps", name, &file);
        let path = dir.path().to_path_buf();
        let (bindings, warnings) = bounded("Keymap::load", move || {
            let (keymap, warnings) = Keymap::load(name, Some(&path));
            let ctx = InputContext { dialog_open: false, editor_focused: false, log_view: false };
            for k in ["q", "tab", "ctrl-c", "esc", "enter"] {
                keymap.dispatch(ctx, Key::parse(k).unwrap());
            }
            (keymap_bindings(&keymap), warnings)
        });
        if !file.is_toml() {
            prop_assert!(!warnings.is_empty(), "a file that is not TOML loaded silently");
            let (builtin, _) = Keymap::load(name, None);
            prop_assert_eq!(
                bindings,
                keymap_bindings(&builtin),
                "a file that is not TOML changed the bindings"
            );
        }
    }

    #[test]
    fn theme_user_files_load_with_warnings(
        file in user_file(THEME),
        name in select(vec!["default", "light", "custom"]),
        no_color in any::<bool>(),
    ) {
        let dir = user_dir("themes", name, &file);
        let path = dir.path().to_path_buf();
        let (colors, warnings) = bounded("Theme::load", move || {
            let (theme, warnings) = Theme::load(name, Some(&path), no_color);
            for s in [Status::Ok, Status::Warn, Status::Fail, Status::Unknown] {
                theme.status(s);
            }
            theme.base();
            theme.selection();
            (theme.colors, warnings)
        });
        if !file.is_toml() {
            prop_assert!(!warnings.is_empty(), "a file that is not TOML loaded silently");
            prop_assert_eq!(
                colors,
                Theme::load(name, None, no_color).0.colors,
                "a file that is not TOML changed the colours"
            );
        }
    }
}
