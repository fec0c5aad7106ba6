//! Reading a journal incrementally: from the byte offset read last, never
//! the whole file again. A file that shrank or was replaced (another
//! inode) is read from the start, and the batch says so. An incomplete
//! last line (a write cut short, or still under way) is left unread and
//! read again once it is complete; it is warned about once.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use super::skim::{Skim, Take};
use super::{Journal, JournalError, Record};

/// Where a journal was read up to.
#[derive(Debug, Default, Clone)]
pub struct Cursor {
    /// The byte just after the last complete line read.
    offset: u64,
    /// The number of lines before `offset`.
    line: usize,
    /// The file's identity (device, inode) when it was read.
    identity: Option<(u64, u64)>,
    /// The offset of an incomplete last line already warned about.
    warned_tail: Option<u64>,
    /// Until this offset, lines are skimmed (see `skim`): a dashboard
    /// shows only the newest Timeline rows.
    skim_until: u64,
    /// The lines kept while skimming, parsed where the last lines begin.
    skim: Skim,
    /// The last line read was a whole record without its newline (the
    /// file's end): `offset` is not just after a newline, and the newline
    /// that may follow reads as a blank line.
    unterminated: bool,
}

/// What one read found.
#[derive(Debug, Default)]
pub struct Batch {
    /// The file was read from its start again (it shrank or was replaced):
    /// everything read before no longer holds.
    pub reset: bool,
    /// The records, each with the byte offset its line starts at.
    pub records: Vec<(u64, Record)>,
    /// Lines that could not be read, with their line numbers.
    pub warnings: Vec<String>,
    /// Nothing more to read for now.
    pub done: bool,
}

/// The largest read buffer.
const BUFFER: usize = 1 << 20;

impl Cursor {
    pub fn new() -> Cursor {
        Cursor::default()
    }

    /// Before this offset, lines were skimmed.
    pub fn skimmed_until(&self) -> u64 {
        self.skim_until
    }

    /// Where the next read starts.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads the complete lines appended since the last read, at most
    /// `max` records (`done` is false when more is waiting). A missing
    /// file is an empty journal.
    pub fn read(&mut self, journal: &Journal, max: usize) -> Result<Batch, JournalError> {
        let err = |source| JournalError::Read {
            path: journal.path.display().to_string(),
            source,
        };
        let mut batch = Batch::default();
        let mut file = match File::open(&journal.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if self.offset > 0 || self.identity.is_some() {
                    *self = Cursor::new();
                    batch.reset = true;
                }
                batch.done = true;
                return Ok(batch);
            }
            Err(e) => return Err(err(e)),
        };
        let meta = file.metadata().map_err(err)?;
        let identity = identity(&meta);
        let replaced = self.identity.is_some_and(|id| Some(id) != identity)
            || meta.len() < self.offset
            || (!self.unterminated && !ends_line_at(&mut file, self.offset).map_err(err)?);
        if replaced {
            *self = Cursor::new();
            batch.reset = true;
        }
        self.identity = identity;
        if meta.len() == self.offset {
            batch.done = true;
            return Ok(batch);
        }
        file.seek(SeekFrom::Start(self.offset)).map_err(err)?;
        let mut reader = BufReader::with_capacity(BUFFER, file);
        let mut line = Vec::new();
        while batch.records.len() < max {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(err)?;
            if n == 0 {
                batch.done = true;
                break;
            }
            let start = self.offset;
            if start >= self.skim_until && !self.skim.is_empty() {
                self.parse_skimmed(journal, &mut batch);
            }
            if line.last() != Some(&b'\n') {
                // A whole record without its newline (a file written by
                // hand, or the newline not yet there) is read.
                let text = String::from_utf8_lossy(&line);
                if text.trim().is_empty() {
                    // Blank: nothing to read, nothing to warn about.
                    batch.done = true;
                    break;
                }
                if let Ok(r) = journal.parse(text.trim()) {
                    batch.records.push((start, r));
                    self.offset += n as u64;
                    self.line += 1;
                    self.unterminated = true;
                    batch.done = true;
                    break;
                }
                // An incomplete last line: read again once it is complete.
                if self.warned_tail != Some(start) {
                    self.warned_tail = Some(start);
                    batch.warnings.push(format!(
                        "{}:{}: the last line is incomplete (a write was cut short) and is skipped",
                        journal.path.display(),
                        self.line + 1
                    ));
                }
                batch.done = true;
                break;
            }
            self.offset += n as u64;
            self.line += 1;
            self.unterminated = false;
            if start < self.skim_until {
                match self.skim.take(&line, start, self.line) {
                    Take::Taken => continue,
                    Take::Independent => {}
                    Take::Ordered => self.parse_skimmed(journal, &mut batch),
                }
            }
            self.parse_line(journal, &line, start, self.line, &mut batch);
        }
        if batch.done && !self.skim.is_empty() {
            self.parse_skimmed(journal, &mut batch);
        }
        Ok(batch)
    }

    /// Parses one complete line into the batch (a record, or a warning
    /// naming its line number).
    fn parse_line(
        &self,
        journal: &Journal,
        line: &[u8],
        start: u64,
        number: usize,
        batch: &mut Batch,
    ) {
        let text = match std::str::from_utf8(line) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(line),
        };
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        match journal.parse(text) {
            Ok(r) => batch.records.push((start, r)),
            // A fragment already reported as an incomplete last line,
            // now followed by another record.
            Err(_) if self.warned_tail == Some(start) => {}
            Err(e) => batch.warnings.push(format!(
                "{}:{number}: skipped an unreadable line: {e}",
                journal.path.display(),
            )),
        }
    }

    /// Parses the lines kept while skimming, in the journal's order.
    fn parse_skimmed(&mut self, journal: &Journal, batch: &mut Batch) {
        for held in self.skim.drain() {
            self.parse_line(journal, &held.text, held.offset, held.line, batch);
        }
    }

    /// Reads on until nothing more is waiting, handing each batch to `f`.
    pub fn read_all(
        &mut self,
        journal: &Journal,
        max: usize,
        mut f: impl FnMut(Batch),
    ) -> Result<(), JournalError> {
        loop {
            let batch = self.read(journal, max)?;
            let done = batch.done;
            f(batch);
            if done {
                return Ok(());
            }
        }
    }

    /// From the start of the file up to its last `keep` lines, lines are
    /// skimmed (see `skim`): only what can still count is parsed.
    pub fn skim_before_last(&mut self, journal: &Journal, keep: usize) -> Result<(), JournalError> {
        let err = |source| JournalError::Read {
            path: journal.path.display().to_string(),
            source,
        };
        let mut file = match File::open(&journal.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(err(e)),
        };
        self.skim_until = start_of_last_lines(&mut file, keep).map_err(err)?;
        Ok(())
    }
}

/// The offset the last `keep` lines start at (0 when there are fewer).
fn start_of_last_lines(file: &mut File, keep: usize) -> std::io::Result<u64> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut newlines = 0usize;
    let mut block = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(block.len() as u64);
        let size = usize::try_from(end - start).unwrap_or(block.len());
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut block[..size])?;
        for i in (0..size).rev() {
            // The newline ending the last line starts no line.
            if block[i] != b'\n' || start + i as u64 + 1 == len {
                continue;
            }
            newlines += 1;
            if newlines == keep {
                return Ok(start + i as u64 + 1);
            }
        }
        end = start;
    }
    Ok(0)
}

/// Whether `offset` is the start of a line: the start of the file, or
/// just after a newline. A file rewritten under the cursor seldom is.
fn ends_line_at(file: &mut File, offset: u64) -> std::io::Result<bool> {
    if offset == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(offset - 1))?;
    let mut byte = [0u8; 1];
    match file.read_exact(&mut byte) {
        Ok(()) => Ok(byte[0] == b'\n'),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
#[path = "cursor_tests.rs"]
mod tests;
