//! The Markdown importer: whatever guide it accepts, the runbook it writes
//! loads.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ops_tui::runbook::import::import;
use ops_tui::runbook::Runbook;

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(imported) = import(markdown, "guide") else {
        return;
    };
    if let Err(e) = Runbook::parse(Path::new("imported.toml"), &imported.toml) {
        panic!(
            "the imported runbook does not load:\n{e}\n--- runbook ---\n{}",
            imported.toml
        );
    }
});
