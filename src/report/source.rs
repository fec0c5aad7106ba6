//! Where the report's records come from: passes over a journal in order,
//! each record with a position it can be read again at. A file is read
//! with a `Cursor` (bounded memory, whatever its length); records already
//! in memory serve the tests and callers that hold them.

use std::cell::RefCell;
use std::fs::File;

use crate::journal::{Cursor, Journal, JournalError, Record};

pub trait Source {
    /// Calls `f` with each record, in the journal's order, and its
    /// position.
    fn pass(&self, f: &mut dyn FnMut(u64, &Record)) -> Result<(), JournalError>;
    /// The record at a position a pass gave.
    fn get(&self, at: u64) -> Result<Option<Record>, JournalError>;
}

/// Records already read.
pub struct InMemory<'a>(pub &'a [Record]);

impl Source for InMemory<'_> {
    fn pass(&self, f: &mut dyn FnMut(u64, &Record)) -> Result<(), JournalError> {
        for (i, r) in self.0.iter().enumerate() {
            f(i as u64, r);
        }
        Ok(())
    }

    fn get(&self, at: u64) -> Result<Option<Record>, JournalError> {
        Ok(usize::try_from(at)
            .ok()
            .and_then(|i| self.0.get(i))
            .cloned())
    }
}

/// A journal file; positions are byte offsets of lines.
pub struct FileSource<'a> {
    journal: &'a Journal,
    /// Lines that could not be read, from the first pass.
    pub warnings: RefCell<Vec<String>>,
    file: RefCell<Option<File>>,
}

/// Records per read.
const BATCH: usize = 4_096;

impl<'a> FileSource<'a> {
    pub fn new(journal: &'a Journal) -> FileSource<'a> {
        FileSource {
            journal,
            warnings: RefCell::new(Vec::new()),
            file: RefCell::new(None),
        }
    }

    fn error(&self, source: std::io::Error) -> JournalError {
        JournalError::Read {
            path: self.journal.path.display().to_string(),
            source,
        }
    }
}

impl Source for FileSource<'_> {
    fn pass(&self, f: &mut dyn FnMut(u64, &Record)) -> Result<(), JournalError> {
        let first = self.warnings.borrow().is_empty();
        let mut warnings = Vec::new();
        Cursor::new().read_all(self.journal, BATCH, |batch| {
            if first {
                warnings.extend(batch.warnings);
            }
            for (at, r) in &batch.records {
                f(*at, r);
            }
        })?;
        self.warnings.borrow_mut().extend(warnings);
        Ok(())
    }

    fn get(&self, at: u64) -> Result<Option<Record>, JournalError> {
        let mut slot = self.file.borrow_mut();
        let file = match slot.as_mut() {
            Some(f) => f,
            None => slot.insert(File::open(&self.journal.path).map_err(|e| self.error(e))?),
        };
        let line = read_line_at(file, at).map_err(|e| self.error(e))?;
        let text = String::from_utf8_lossy(&line);
        Ok(self.journal.parse(text.trim()).ok())
    }
}

/// The line starting at `at`, without its newline.
fn read_line_at(file: &mut File, at: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{BufRead, BufReader, Seek, SeekFrom};
    file.seek(SeekFrom::Start(at))?;
    let mut line = Vec::new();
    BufReader::with_capacity(4096, &mut *file).read_until(b'\n', &mut line)?;
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    Ok(line)
}
