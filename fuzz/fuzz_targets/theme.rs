//! The theme loader, given a user file of any content under each of the
//! names `default`, `light` (built in) and `custom` (not), with and
//! without colour: it loads with warnings and styles without a panic, and
//! a file that is not TOML warns and leaves the colours as built in.

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use ops_tui::config::theme::{Colors, Theme};
use ops_tui::status::Status;

const NAMES: [&str; 3] = ["default", "light", "custom"];

/// A config dir for the whole process, holding `themes/`; the directory
/// is left in place when the process ends (scripts/fuzz.sh runs the
/// targets with TMPDIR set to a directory it removes afterwards).
static CONFIG_DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = tempfile::Builder::new()
        .prefix("ops-tui-fuzz-theme-")
        .tempdir()
        .expect("a temporary directory")
        .keep();
    std::fs::create_dir_all(dir.join("themes")).expect("the themes directory");
    dir
});

/// The colours of each name without a user file, in the order of `NAMES`:
/// with colour, then without.
static BUILTIN: LazyLock<Vec<[Colors; 2]>> = LazyLock::new(|| {
    NAMES
        .iter()
        .map(|name| [false, true].map(|no_color| Theme::load(name, None, no_color).0.colors))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let dir = CONFIG_DIR.as_path();
    let is_toml = std::str::from_utf8(data).is_ok_and(|t| toml::de::DeTable::parse(t).is_ok());
    for (name, builtin) in NAMES.iter().zip(BUILTIN.iter()) {
        let path = dir.join("themes").join(format!("{name}.toml"));
        std::fs::write(&path, data).expect("the user theme is written");
        for (no_color, builtin_colors) in [false, true].into_iter().zip(builtin) {
            let (theme, warnings) = Theme::load(name, Some(dir), no_color);
            for s in [Status::Ok, Status::Warn, Status::Fail, Status::Unknown] {
                theme.status(s);
            }
            theme.base();
            theme.selection();
            if !is_toml {
                assert!(
                    !warnings.is_empty(),
                    "{name}: a file that is not TOML loaded silently"
                );
                assert_eq!(
                    &theme.colors, builtin_colors,
                    "{name}: a file that is not TOML changed the colours"
                );
            }
        }
    }
});
