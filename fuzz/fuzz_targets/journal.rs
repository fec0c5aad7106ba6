//! The journal reader, given a file of any bytes: it reads without a
//! panic or an error, and every line that is not blank becomes a record or
//! a warning.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use ops_tui::journal::Journal;

/// The journal of one environment under a data dir for the whole process;
/// the directory is left in place when the process ends (scripts/fuzz.sh
/// runs the targets with TMPDIR set to a directory it removes afterwards).
static JOURNAL: LazyLock<Journal> = LazyLock::new(|| {
    let dir = tempfile::Builder::new()
        .prefix("ops-tui-fuzz-journal-")
        .tempdir()
        .expect("a temporary directory")
        .keep();
    let journal = Journal::for_env(&dir, "shop", "prod");
    if let Some(parent) = journal.path.parent() {
        std::fs::create_dir_all(parent).expect("the journal's directory");
    }
    journal
});

fuzz_target!(|data: &[u8]| {
    let journal = &*JOURNAL;
    std::fs::write(&journal.path, data).expect("the journal is written");
    let contents = match journal.read() {
        Ok(contents) => contents,
        Err(e) => panic!("a readable journal file failed to read: {e}"),
    };
    let non_blank = String::from_utf8_lossy(data)
        .split('\n')
        .filter(|line| !line.trim().is_empty())
        .count();
    assert_eq!(
        contents.records.len() + contents.warnings.len(),
        non_blank,
        "a line that is not blank is neither a record nor a warning: {:?}",
        contents.warnings
    );
});
