//! The runbook loader: any text either loads or fails with diagnostics
//! whose 1-based line and column lie inside the text (the column at most
//! one past its line's end).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ops_tui::runbook::Runbook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Err(err) = Runbook::parse(Path::new("x.toml"), text) else {
        return;
    };
    let diagnostics = err.diagnostics();
    assert!(
        !diagnostics.is_empty(),
        "an error without diagnostics: {err}"
    );
    let lines: Vec<&str> = text.split('\n').collect();
    let line_count = text.lines().count();
    for d in diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "{d:?} is not 1-based");
        assert!(
            d.line <= line_count + 1,
            "{d:?} is past the last line ({line_count} lines)"
        );
        let line = lines.get(d.line - 1).copied().unwrap_or("");
        assert!(
            d.column <= line.chars().count() + 1,
            "{d:?} is past the end of line {line:?}"
        );
    }
});
