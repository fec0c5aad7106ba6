//! The keys reference, `docs/keys.md`, generated from the keymaps: every
//! binding by mode with the help overlay's words for it, the hints each
//! pane's and view's footer offers, and what the vim keymap changes. A
//! test keeps the file in step (`UPDATE_DOCS=1` rewrites it).

use std::fmt::Write as _;

use super::pane::{Pane, View};
use crate::action::Action;
use crate::config::keymap::{Keymap, Mode};
use crate::status::Status;

/// Where the reference lives, from the repository's root.
pub const PATH: &str = "docs/keys.md";

/// The reference for `keymap` (the default), with `vim`'s differences.
pub fn markdown(keymap: &Keymap, vim: &Keymap) -> String {
    let mut out = String::new();
    out.push_str(PREAMBLE);
    modes(&mut out, keymap);
    footers(&mut out, keymap);
    vim_differences(&mut out, keymap, vim);
    actions(&mut out, keymap);
    states(&mut out);
    out
}

const PREAMBLE: &str = "\
# Keys

<!-- Generated from keymaps/default.toml and the actions' descriptions by
     src/state/keys_doc.rs. Do not edit: run `UPDATE_DOCS=1 cargo test --lib keys_doc`. -->

Every binding of the default keymap ([`keymaps/default.toml`](../keymaps/default.toml)), in
the words of the help overlay: `?` shows the same for the keymap in use, including your own
overrides. How to change a key: [configuration](configuration.md#keymaps).

## How a key is read

A keymap has one section per mode, and a key is looked up where the screen is:

1. while a text field has focus (a note, a reason, the scale box, a typed confirmation, a
   list's or the log view's filter): in `[editor]`; any other key is typed into the field, so
   `q` in a note is a `q` (in a filter, `ctrl-u` clears what is before the cursor);
2. while a dialog or overlay is open (an action dialog, help, the environment picker, the
   fault menu): in `[dialog]` only;
3. otherwise in `[logs]` while the log view is open, then in `[list]` (the focused pane or
   view), then in `[dashboard]`. A key bound in `[list]` is never seen by `[dashboard]`.

The same action can mean something a little different in a view: in the walkthrough
`down`/`up` (and `enter`) move to the next or previous item, in the workload view `tab` moves
between its sections, and `esc` leaves the view it is in. `/` filters the focused pane or
the workload view's section (the [filter language](dashboard.md#finding-rows-the-filter)),
or the log view's lines; `esc` clears a pane's or section's filter before it does anything
else.
";

/// One table per mode: each action with all its keys, in the order the
/// help overlay lists them (`Action::ALL`).
fn modes(out: &mut String, keymap: &Keymap) {
    for mode in Mode::ALL {
        let _ = write!(
            out,
            "\n## `[{}]`: {}\n\n| keys | action | what it does |\n|---|---|---|\n",
            mode.name(),
            mode.description()
        );
        for &action in Action::ALL {
            let keys: Vec<String> = keymap
                .keys_for(mode, action)
                .iter()
                .map(|k| code(&k.to_string()))
                .collect();
            if keys.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |",
                keys.join(", "),
                action.name(),
                cell(action.description())
            );
        }
    }
}

/// The footer's hints for each pane and view, as `refresh_hints` makes them.
fn footers(out: &mut String, keymap: &Keymap) {
    out.push_str(
        "\n## The footer\n\n\
         The footer always shows the keys of where you are, read from the keymap in use, so a \
         rebinding shows there too. When the terminal is narrow, hints give way from the end and \
         `…` says some did. In read-only mode the actions that change the cluster are left out \
         and `RO` comes right after help; on a paused Deployment `pause` reads `resume`. With \
         the default keymap:\n\n\
         | where | footer |\n|---|---|\n",
    );
    let dashboard = [Mode::List, Mode::Dashboard];
    for pane in Pane::ALL {
        let _ = writeln!(
            out,
            "| {} pane | {} |",
            pane.title(),
            hints(keymap, pane.hints(), &dashboard)
        );
    }
    for view in View::ALL {
        let _ = writeln!(
            out,
            "| {} | {} |",
            view.title(),
            hints(keymap, view.hints(), view.modes())
        );
    }
}

/// Hints as `key label` pairs; the keys of one hint joined by `/`.
fn hints(keymap: &Keymap, hints: &[(&[Action], &'static str)], modes: &[Mode]) -> String {
    super::pane::bound_hints(keymap, hints, modes)
        .into_iter()
        .map(|(keys, label)| format!("{} {label}", code(&keys)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What `--keymap vim` binds differently, mode by mode.
fn vim_differences(out: &mut String, keymap: &Keymap, vim: &Keymap) {
    let _ = write!(
        out,
        "\n## The `vim` keymap\n\n\
         `--keymap vim` ([`keymaps/vim.toml`](../keymaps/vim.toml)) is the default keymap with \
         these keys added or changed:\n\n\
         | mode | key | with `vim` | with `default` |\n|---|---|---|---|\n"
    );
    for mode in Mode::ALL {
        for (key, action) in vim.bindings(mode) {
            let before = keymap
                .bindings(mode)
                .find(|(k, _)| *k == key)
                .map(|(_, a)| a);
            if before == Some(action) {
                continue;
            }
            let _ = writeln!(
                out,
                "| `[{}]` | {} | `{}` | {} |",
                mode.name(),
                code(&key.to_string()),
                action.name(),
                before.map_or_else(|| "unbound".to_string(), |a| format!("`{}`", a.name()))
            );
        }
        for (key, action) in keymap.bindings(mode) {
            if !vim.bindings(mode).any(|(k, _)| k == key) {
                let _ = writeln!(
                    out,
                    "| `[{}]` | {} | unbound | `{}` |",
                    mode.name(),
                    code(&key.to_string()),
                    action.name()
                );
            }
        }
    }
}

/// The actions no mode of the keymap binds (a user keymap may).
fn actions(out: &mut String, keymap: &Keymap) {
    let unbound: Vec<Action> = Action::ALL
        .iter()
        .copied()
        .filter(|&a| Mode::ALL.iter().all(|&m| keymap.keys_for(m, a).is_empty()))
        .collect();
    out.push_str("\n## Action names\n\n");
    if unbound.is_empty() {
        out.push_str(
            "A keymap file maps a key to one of the action names in the tables above (or to \
             `\"unbind\"`); the default keymap binds every action there is.\n",
        );
        return;
    }
    out.push_str(
        "A keymap file maps a key to one of the action names in the tables above (or to \
         `\"unbind\"`). The default keymap binds no key to these:\n\n\
         | action | what it does |\n|---|---|\n",
    );
    for a in unbound {
        let _ = writeln!(out, "| `{}` | {} |", a.name(), cell(a.description()));
    }
}

/// The state symbols, as the help overlay ends with them.
fn states(out: &mut String) {
    out.push_str(
        "\n## States\n\nEvery state has a symbol and a word, not only a colour:\n\n\
         | symbol | meaning |\n|---|---|\n",
    );
    for status in [Status::Ok, Status::Warn, Status::Fail, Status::Unknown] {
        let _ = writeln!(
            out,
            "| {} | {} |",
            code(status.symbol()),
            cell(status.meaning())
        );
    }
}

/// Text as inline code in a table cell: a backtick inside takes a longer
/// fence, and `|` is escaped so it does not end the cell.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Text in a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::keys::Key;

    /// A key as the reference writes it.
    fn shown(key: &str) -> String {
        code(&Key::parse(key).unwrap().to_string())
    }

    fn builtin(name: &str) -> Keymap {
        let (keymap, warnings) = Keymap::load(name, None);
        assert!(warnings.is_empty(), "{warnings:?}");
        keymap
    }

    /// `docs/keys.md` is what the keymaps generate. `UPDATE_DOCS=1`
    /// writes it instead of comparing.
    #[test]
    fn keys_doc_matches_the_keymap() {
        let expected = markdown(&builtin("default"), &builtin("vim"));
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
        if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
            std::fs::write(&path, &expected).unwrap();
            return;
        }
        let actual = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        if actual == expected {
            return;
        }
        let (line, (was, now)) = actual
            .lines()
            .chain(std::iter::repeat(""))
            .zip(expected.lines().chain(std::iter::repeat("")))
            .enumerate()
            .find(|(_, (a, e))| a != e)
            .unwrap_or((0, ("", "")));
        panic!(
            "{PATH} is stale: it no longer matches keymaps/default.toml, keymaps/vim.toml and \
             the actions' descriptions.\nFirst difference, line {}:\n  in the file: {was}\n  \
             generated:   {now}\nRegenerate it with `UPDATE_DOCS=1 cargo test --lib keys_doc` \
             and commit it.",
            line + 1
        );
    }

    #[test]
    fn every_binding_of_every_mode_is_in_the_reference() {
        let keymap = builtin("default");
        let doc = markdown(&keymap, &builtin("vim"));
        for mode in Mode::ALL {
            let at = doc
                .find(&format!("## `[{}]`", mode.name()))
                .unwrap_or_else(|| panic!("no section for [{}]", mode.name()));
            let section = &doc[at..];
            let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
            for (key, action) in keymap.bindings(mode) {
                let row = section
                    .lines()
                    .find(|l| l.contains(&format!("| `{}` |", action.name())))
                    .unwrap_or_else(|| {
                        panic!("[{}] has no row for {}", mode.name(), action.name())
                    });
                assert!(
                    row.contains(&code(&key.to_string())),
                    "[{}] {key} is missing from: {row}",
                    mode.name()
                );
                assert!(row.contains(action.description()), "{row}");
            }
        }
    }

    #[test]
    fn keys_that_break_a_table_are_escaped() {
        assert_eq!(shown("|"), "`\\|`");
        assert_eq!(shown("`"), "`` ` ``");
        assert_eq!(shown("ctrl-c"), "`ctrl-c`");
    }

    #[test]
    fn the_footer_table_reads_the_keymap() {
        let doc = markdown(&builtin("default"), &builtin("vim"));
        assert!(
            doc.contains(
                "| Rollouts pane | `?` help · `/` filter · `enter` open · `l` logs · `s` scale"
            ),
            "{doc}"
        );
        assert!(doc.contains("| Walkthrough | `?` help · `esc` leave · `down/up` next/prev"));
        // Vim moves panes with h and l, so logs lose l.
        assert!(doc.contains("| `[dashboard]` | `l` | `focus_next` | `logs` |"));
    }
}
