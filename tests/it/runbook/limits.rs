//! Caps on what the parsers and the importer accept: each ends in an error
//! that says what and where, and bytes that are not UTF-8 are placed by
//! line and column.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::Path;

use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::Theme;
use ops_tui::runbook::import::{GuideError, import};
use ops_tui::runbook::{Runbook, RunbookError};

/// A config dir with one user file in `sub/name.toml`.
fn user_file(sub: &str, name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    std::fs::write(dir.path().join(sub).join(format!("{name}.toml")), bytes).unwrap();
    dir
}

#[test]
fn a_theme_of_more_than_10000_keys_is_a_warning_and_the_defaults_stay() {
    let mut text = String::from("[colors]\nfocus = \"red\"\n");
    for i in 0..10_000 {
        writeln!(text, "unknown_{i} = \"red\"").unwrap();
    }
    let dir = user_file("themes", "big", text.as_bytes());
    let (theme, warnings) = Theme::load("big", Some(dir.path()), false);
    assert!(
        warnings.iter().any(
            |w| w.starts_with("theme ") && w.contains("themes/big.toml: more than 10,000 keys")
        ),
        "{warnings:?}"
    );
    assert_eq!(theme.colors, Theme::builtin("default").colors);
}

#[test]
fn a_keymap_of_more_than_10000_entries_is_a_warning_and_the_defaults_stay() {
    let mut text = String::from("[list]\n");
    for i in 0..10_001 {
        writeln!(text, "\"f{i}\" = \"quit\"").unwrap();
    }
    let dir = user_file("keymaps", "big", text.as_bytes());
    let (keymap, warnings) = Keymap::load("big", Some(dir.path()));
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("keymaps/big.toml: more than 10,000 entries")),
        "{warnings:?}"
    );
    let default = Keymap::load("default", None).0;
    let list = ops_tui::config::keymap::Mode::List;
    assert!(keymap.bindings(list).eq(default.bindings(list)));
}

#[test]
fn a_user_file_over_a_mebibyte_is_a_warning() {
    let text = format!("# {}\n[colors]\n", "x".repeat(1024 * 1024));
    let dir = user_file("themes", "huge", text.as_bytes());
    let (_, warnings) = Theme::load("huge", Some(dir.path()), false);
    assert!(
        warnings.iter().any(|w| w.contains("larger than 1024 KiB")),
        "{warnings:?}"
    );
}

#[test]
fn the_problems_of_one_theme_are_listed_up_to_50_and_counted_beyond() {
    let mut text = String::from("[colors]\n");
    for i in 0..120 {
        writeln!(text, "unknown_{i} = \"red\"").unwrap();
    }
    let dir = user_file("themes", "many", text.as_bytes());
    let (_, warnings) = Theme::load("many", Some(dir.path()), false);
    assert_eq!(warnings.len(), 51, "{warnings:?}");
    assert!(warnings[0].contains("many.toml:2:1: unknown colour name \"unknown_0\""));
    assert!(
        warnings[49].contains("many.toml:51:1: "),
        "{}",
        warnings[49]
    );
    assert!(
        warnings[50].ends_with("many.toml: and 70 more problems"),
        "{}",
        warnings[50]
    );
}

#[test]
fn a_theme_that_is_not_utf8_is_placed_by_line_and_column() {
    let dir = user_file("themes", "latin1", b"[colors]\nfocus = \"r\xe9d\"\n");
    let (theme, warnings) = Theme::load("latin1", Some(dir.path()), false);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("themes/latin1.toml:2:11: not valid UTF-8; this file is ignored"),
        "{}",
        warnings[0]
    );
    assert_eq!(theme.colors, Theme::builtin("default").colors);
}

#[test]
fn a_runbook_that_is_not_utf8_is_an_error_at_the_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ops-tui.toml");
    std::fs::write(&path, b"[service]\nname = \"caf\xe9\"\n").unwrap();
    let err = Runbook::load(&path).expect_err("not UTF-8");
    let d = &err.diagnostics()[0];
    assert_eq!((d.line, d.column), (2, 12), "{err}");
    assert!(
        err.to_string()
            .contains("ops-tui.toml:2:12: not valid UTF-8 (byte 0xE9)")
    );
}

/// A runbook with `n` items, each naming a probe it does not have.
fn runbook_with_errors(n: usize) -> String {
    let mut text = String::from(
        "[service]\nname = \"api\"\n\n[env.prod]\ncontext = \"c\"\nnamespace = \"api\"\n\n[[phase]]\nname = \"Go\"\nitems = [\n",
    );
    for i in 0..n {
        writeln!(
            text,
            "  {{ text = \"item {i}\", check = \"probe:nope-{i}\" }},"
        )
        .unwrap();
    }
    text.push_str("]\n");
    text
}

#[test]
fn a_runbook_lists_its_first_100_errors_with_positions_and_counts_the_rest() {
    let err = Runbook::parse(Path::new("bad.toml"), &runbook_with_errors(250)).unwrap_err();
    assert!(
        matches!(err, RunbookError::Invalid { more: 150, .. }),
        "{err}"
    );
    assert_eq!(err.diagnostics().len(), 100);
    assert_eq!(err.count(), 250);
    let d = &err.diagnostics()[99];
    assert_eq!((d.line, d.column), (110, 31));
    assert!(d.message.contains("\"probe:nope-99\""), "{}", d.message);
    let text = err.to_string();
    assert_eq!(text.lines().count(), 101);
    assert!(text.ends_with("\nbad.toml: and 150 more errors"), "{text}");
}

#[test]
fn an_unknown_name_lists_ten_known_ones_and_counts_the_rest() {
    let mut text = runbook_with_errors(1);
    for i in 0..25 {
        write!(
            text,
            "\n[[probe]]\nname = \"p{i}\"\nurl = \"https://x.example/health\"\n"
        )
        .unwrap();
    }
    let err = Runbook::parse(Path::new("bad.toml"), &text).unwrap_err();
    assert!(
        err.to_string()
            .contains("(known: p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 and 15 more)"),
        "{err}"
    );
}

#[test]
fn a_guide_over_16_mib_is_refused() {
    let text = format!("# Svc\n\n- [ ] one\n\n{}", "x".repeat(16 * 1024 * 1024));
    let err = import(&text, "big.md").unwrap_err();
    assert!(matches!(err.error, GuideError::TooLarge), "{err:?}");
    assert_eq!(
        err.to_string(),
        "big.md: larger than 16 MiB; a guide this large is not a go-live checklist"
    );
    // Read from a file, it is refused before it is read whole.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.md");
    std::fs::write(&path, &text).unwrap();
    let err = ops_tui::runbook::import::read_guide(&path).unwrap_err();
    assert!(err.to_string().starts_with("larger than 16 MiB"), "{err}");
    let err = Runbook::load(&path).unwrap_err();
    assert!(
        err.to_string()
            .contains("big.md: cannot import the guide: larger than 16 MiB")
    );
}

#[test]
fn a_guide_of_more_than_10000_commands_is_refused() {
    let mut text = String::from("# Svc\n\n- [ ] Health responds\n\n```bash\n");
    for i in 0..10_001 {
        writeln!(text, "curl -s https://api.example.com/health/{i}").unwrap();
    }
    text.push_str("```\n");
    let err = import(&text, "curls.md").unwrap_err();
    assert!(
        matches!(err.error, GuideError::TooManyCommands(10_001)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "curls.md: more than 10,000 curl and kubectl commands (10,001); a guide this large is not a go-live checklist"
    );
    // 10,000 are imported, each its own probe with a name of its own.
    let mut text = String::from("# Svc\n\n- [ ] Health responds\n\n```bash\n");
    for i in 0..10_000 {
        writeln!(text, "curl -s https://api{}.example.com/health", i % 3).unwrap();
        writeln!(text, "curl -s https://api.example.com/x/{i}/health").unwrap();
    }
    text.push_str("```\n");
    let err = import(&text, "curls.md").unwrap_err();
    assert!(err.to_string().contains("(20,000)"), "{err}");
}

#[test]
fn a_guide_of_more_than_20000_items_or_10000_headings_is_refused() {
    let items = "- [ ] step\n".repeat(20_001);
    let err = import(&format!("# Svc\n\n{items}"), "items.md").unwrap_err();
    assert_eq!(
        err.to_string(),
        "items.md: more than 20,000 checklist items (20,001)"
    );
    let headings = "## Part\n\n".repeat(10_001);
    let err = import(&format!("# Svc\n\n- [ ] one\n\n{headings}"), "h.md").unwrap_err();
    assert_eq!(err.to_string(), "h.md: more than 10,000 headings (10,002)");
}

#[test]
fn many_probes_with_one_name_get_numbers_in_order() {
    let mut text = String::from("# Svc\n\n- [ ] Health responds\n\n```bash\n");
    for i in 0..3_000 {
        writeln!(text, "curl -s https://api.example.com/health?n={i}").unwrap();
    }
    text.push_str("```\n");
    let imported = import(&text, "svc.md").unwrap();
    let runbook = Runbook::parse(Path::new("svc.toml"), &imported.toml).unwrap();
    let names: Vec<&str> = runbook
        .probes()
        .map(|p| p.name.get_ref().as_str())
        .collect();
    assert_eq!(names.len(), 3_000);
    assert_eq!(&names[..3], ["health", "health-2", "health-3"]);
    assert_eq!(names[2_999], "health-3000");
}
