//! Keymap and theme loading: built-ins, user overrides per key and per
//! colour, and a specific warning for every kind of bad entry.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use crossterm::event::{KeyCode, KeyModifiers};
use ops_tui::action::Action;
use ops_tui::config::Config;
use ops_tui::config::keymap::{Dispatch, InputContext, Keymap, Mode};
use ops_tui::config::keys::Key;
use ops_tui::config::theme::{BUILTIN as THEMES, Theme};
use ratatui::style::{Color, Modifier};

fn key(name: &str) -> Key {
    Key::parse(name).unwrap()
}

const DASHBOARD: InputContext = InputContext {
    dialog_open: false,
    editor_focused: false,
    log_view: false,
};

fn action(keymap: &Keymap, ctx: InputContext, k: &str) -> Option<Action> {
    match keymap.dispatch(ctx, key(k)) {
        Dispatch::Action(a) => Some(a),
        _ => None,
    }
}

/// A config dir with one user file in `sub/name.toml`.
fn user_file(sub: &str, name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    std::fs::write(dir.path().join(sub).join(format!("{name}.toml")), text).unwrap();
    dir
}

#[test]
fn builtin_keymaps_load_without_warnings() {
    for name in ["default", "vim"] {
        let (keymap, warnings) = Keymap::load(name, None);
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_eq!(action(&keymap, DASHBOARD, "q"), Some(Action::Quit));
        assert_eq!(
            action(&keymap, DASHBOARD, "shift-tab"),
            Some(Action::FocusPrev)
        );
    }
    // vim extends default: its own keys and the inherited ones.
    let (vim, _) = Keymap::load("vim", None);
    assert_eq!(action(&vim, DASHBOARD, "G"), Some(Action::Bottom));
    assert_eq!(action(&vim, DASHBOARD, "ctrl-d"), Some(Action::PageDown));
    assert_eq!(action(&vim, DASHBOARD, "tab"), Some(Action::FocusNext));
    let (default, _) = Keymap::load("default", None);
    assert_eq!(action(&default, DASHBOARD, "G"), None);
}

#[test]
fn a_user_file_overrides_one_key_and_keeps_the_rest() {
    let dir = user_file(
        "keymaps",
        "default",
        "[dashboard]\nx = \"quit\"\nq = \"help\"\n",
    );
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(action(&keymap, DASHBOARD, "x"), Some(Action::Quit));
    assert_eq!(action(&keymap, DASHBOARD, "q"), Some(Action::Help));
    // Untouched bindings stay in force.
    assert_eq!(action(&keymap, DASHBOARD, "ctrl-c"), Some(Action::Quit));
    assert_eq!(action(&keymap, DASHBOARD, "tab"), Some(Action::FocusNext));
}

#[test]
fn a_user_file_can_unbind_a_key() {
    let dir = user_file("keymaps", "default", "[list]\nj = \"unbind\"\n");
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(action(&keymap, DASHBOARD, "j"), None);
    assert_eq!(action(&keymap, DASHBOARD, "down"), Some(Action::MoveDown));
    assert!(
        keymap
            .keys_for(Mode::List, Action::MoveDown)
            .iter()
            .all(|k| *k != key("j"))
    );
}

#[test]
fn an_unknown_action_is_a_specific_warning_and_the_default_stays() {
    let dir = user_file("keymaps", "default", "[dashboard]\nq = \"quti\"\n");
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    let path = dir.path().join("keymaps/default.toml");
    assert_eq!(
        warnings,
        [format!(
            "{}:2:5: [dashboard] key \"q\": unknown action \"quti\" (did you mean \"quit\"?); the default bindings stay in force",
            path.display()
        )]
    );
    assert_eq!(action(&keymap, DASHBOARD, "q"), Some(Action::Quit));
}

#[test]
fn an_unparsable_key_is_a_specific_warning() {
    let dir = user_file(
        "keymaps",
        "default",
        "[list]\n\"hyper-j\" = \"move_down\"\n",
    );
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].ends_with(
            "keymaps/default.toml:2:1: [list] cannot parse key \"hyper-j\": unknown modifier \"hyper\" (expected ctrl, alt or shift); the default bindings stay in force"
        ),
        "{}",
        warnings[0]
    );
    assert_eq!(action(&keymap, DASHBOARD, "j"), Some(Action::MoveDown));
}

#[test]
fn other_bad_keymap_entries_each_say_what_is_wrong() {
    let dir = user_file(
        "keymaps",
        "default",
        "[sidebar]\nq = \"quit\"\n\n[list]\nj = 3\n",
    );
    let (_, warnings) = Keymap::load("default", Some(dir.path()));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains(
        ":1:2: unknown section [sidebar] (expected dashboard, list, dialog, editor or logs)"
    ));
    assert!(
        warnings[1]
            .contains(":5:5: [list] key \"j\": expected an action name in quotes, or \"unbind\"")
    );
}

#[test]
fn a_keymap_file_that_is_not_toml_is_ignored_with_its_position() {
    let dir = user_file("keymaps", "default", "[dashboard]\nq = quit\n");
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("keymaps/default.toml:2:5: "),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].ends_with("; this file is ignored"),
        "{}",
        warnings[0]
    );
    assert_eq!(action(&keymap, DASHBOARD, "q"), Some(Action::Quit));
}

#[test]
fn a_new_user_keymap_extends_a_builtin() {
    let dir = user_file(
        "keymaps",
        "mine",
        "extends = \"vim\"\n[dashboard]\nQ = \"quit\"\n",
    );
    let (keymap, warnings) = Keymap::load("mine", Some(dir.path()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(action(&keymap, DASHBOARD, "Q"), Some(Action::Quit));
    assert_eq!(action(&keymap, DASHBOARD, "G"), Some(Action::Bottom));
}

#[test]
fn an_unknown_keymap_name_falls_back_to_default_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (keymap, warnings) = Keymap::load("emacs", Some(dir.path()));
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .starts_with("unknown keymap \"emacs\": built in are default, vim and there is no ")
    );
    assert_eq!(action(&keymap, DASHBOARD, "q"), Some(Action::Quit));
}

#[test]
fn a_focused_editor_takes_keys_before_any_binding() {
    let (keymap, _) = Keymap::load("default", None);
    let editing = InputContext {
        dialog_open: true,
        editor_focused: true,
        log_view: false,
    };
    // `q` is typed, not quit; esc and ctrl-s are the editor's own.
    assert_eq!(
        keymap.dispatch(editing, key("q")),
        Dispatch::Editor(key("q"))
    );
    assert_eq!(
        keymap.dispatch(editing, key("tab")),
        Dispatch::Editor(key("tab"))
    );
    assert_eq!(action(&keymap, editing, "esc"), Some(Action::Cancel));
    assert_eq!(action(&keymap, editing, "ctrl-s"), Some(Action::Submit));
    // A dialog reads only its own section: tab does nothing there.
    let dialog = InputContext {
        dialog_open: true,
        editor_focused: false,
        log_view: false,
    };
    assert_eq!(keymap.dispatch(dialog, key("tab")), Dispatch::Ignored);
    assert_eq!(action(&keymap, dialog, "esc"), Some(Action::Cancel));
}

#[test]
fn terminal_events_match_bindings() {
    let (keymap, _) = Keymap::load("default", None);
    let backtab = Key::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(
        keymap.dispatch(DASHBOARD, backtab),
        Dispatch::Action(Action::FocusPrev)
    );
    let ctrl_c = Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        keymap.dispatch(DASHBOARD, ctrl_c),
        Dispatch::Action(Action::Quit)
    );
}

#[test]
fn builtin_themes_load_and_differ() {
    let mut seen = Vec::new();
    for (name, _) in THEMES {
        let (theme, warnings) = Theme::load(name, None, false);
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_ne!(
            theme.colors.ok, theme.colors.fail,
            "{name}: ok and fail look alike"
        );
        assert!(
            !seen.contains(&theme.colors),
            "{name} repeats another theme"
        );
        seen.push(theme.colors);
    }
}

#[test]
fn a_user_theme_may_override_only_some_colours() {
    let dir = user_file("themes", "default", "[colors]\nok = \"#00ff00\"\n");
    let (theme, warnings) = Theme::load("default", Some(dir.path()), false);
    assert!(warnings.is_empty(), "{warnings:?}");
    let builtin = Theme::builtin("default");
    assert_eq!(theme.colors.ok, Color::Rgb(0, 255, 0));
    assert_eq!(theme.colors.fail, builtin.colors.fail);
    assert_eq!(theme.colors.header, builtin.colors.header);
}

#[test]
fn bad_theme_entries_each_say_what_is_wrong_and_keep_the_default() {
    let dir = user_file(
        "themes",
        "light",
        "[colors]\nok = \"greenish\"\nfial = \"red\"\n\n[fonts]\nsize = 3\n",
    );
    let (theme, warnings) = Theme::load("light", Some(dir.path()), false);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings[0].contains("themes/light.toml:2:6: cannot parse the colour for \"ok\""),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains(":3:1: unknown colour name \"fial\" (did you mean \"fail\"?)"),
        "{}",
        warnings[1]
    );
    assert!(
        warnings[2].contains(":5:2: unknown entry \"fonts\""),
        "{}",
        warnings[2]
    );
    assert_eq!(theme.colors.ok, Theme::builtin("light").colors.ok);
}

#[test]
fn a_new_user_theme_starts_from_default_or_what_it_extends() {
    let dir = user_file(
        "themes",
        "night",
        "extends = \"high-contrast\"\n[colors]\nfocus = \"magenta\"\n",
    );
    let (theme, warnings) = Theme::load("night", Some(dir.path()), false);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(theme.colors.focus, Color::Magenta);
    assert_eq!(
        theme.colors.background,
        Theme::builtin("high-contrast").colors.background
    );
}

#[test]
fn no_color_drops_every_colour_but_keeps_emphasis() {
    let (theme, _) = Theme::load("default", None, true);
    for style in [
        theme.base(),
        theme.header(),
        theme.danger(),
        theme.selection(),
        theme.border(true),
    ] {
        assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
    }
    assert!(theme.selection().add_modifier.contains(Modifier::REVERSED));
    assert!(theme.danger().add_modifier.contains(Modifier::BOLD));
}

#[test]
fn config_file_chooses_defaults_and_reports_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "theme = \"light\"\nkeymap = \"vim\"\n",
    )
    .unwrap();
    let (config, warnings) = Config::load(Some(dir.path()));
    assert!(warnings.is_empty());
    assert_eq!(
        (config.theme.as_deref(), config.keymap.as_deref()),
        (Some("light"), Some("vim"))
    );
    std::fs::write(dir.path().join("config.toml"), "colour = \"light\"\n").unwrap();
    let (config, warnings) = Config::load(Some(dir.path()));
    assert!(config.theme.is_none());
    assert!(
        warnings[0].contains("config.toml:1:1: unknown field `colour`"),
        "{}",
        warnings[0]
    );
    // A missing file is simply the defaults.
    let (_, warnings) = Config::load(Some(Path::new("/nonexistent/ops-tui")));
    assert!(warnings.is_empty());
}

#[test]
fn a_dashboard_key_shadowed_by_the_list_section_is_a_warning() {
    let dir = user_file("keymaps", "default", "[dashboard]\nk = \"quit\"\n");
    let (_, warnings) = Keymap::load("default", Some(dir.path()));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].ends_with(":2:1: [dashboard] key \"k\" is also bound in [list] (to move_up), which comes first while a pane has focus; add [list] k = \"unbind\" to use it here"),
        "{}",
        warnings[0]
    );
    let dir = user_file(
        "keymaps",
        "default",
        "[dashboard]\nk = \"quit\"\n[list]\nk = \"unbind\"\n",
    );
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(action(&keymap, DASHBOARD, "k"), Some(Action::Quit));
}

#[test]
fn shift_letter_is_the_capital_letter() {
    let dir = user_file("keymaps", "default", "[list]\nshift-g = \"bottom\"\n");
    let (keymap, warnings) = Keymap::load("default", Some(dir.path()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(action(&keymap, DASHBOARD, "G"), Some(Action::Bottom));
    assert_eq!(action(&keymap, DASHBOARD, "g"), None);
}

#[test]
fn the_log_view_reads_its_own_keys_first() {
    let (keymap, _) = Keymap::load("default", None);
    let logs = InputContext {
        dialog_open: false,
        editor_focused: false,
        log_view: true,
    };
    // w wraps in the log view and starts the walkthrough elsewhere.
    assert_eq!(action(&keymap, logs, "w"), Some(Action::Wrap));
    assert_eq!(action(&keymap, DASHBOARD, "w"), Some(Action::Walkthrough));
    assert_eq!(action(&keymap, logs, "right"), Some(Action::ScrollRight));
    assert_eq!(action(&keymap, DASHBOARD, "right"), None);
    // Keys the log view does not bind fall through to the pane's.
    assert_eq!(action(&keymap, logs, "down"), Some(Action::MoveDown));
    // vim adds h and l, which move between panes on the dashboard.
    let (vim, _) = Keymap::load("vim", None);
    assert_eq!(action(&vim, logs, "l"), Some(Action::ScrollRight));
    assert_eq!(action(&vim, DASHBOARD, "l"), Some(Action::FocusNext));
}
