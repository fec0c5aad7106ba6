//! Byte offsets to line and column, for errors that say where.
//!
//! The line starts are found once, on the first lookup, and the last
//! position found is kept: offsets asked for in order (as errors sorted by
//! position are) cost only the text between them, so placing every error of
//! a file is linear in its size, not in size × errors.

use std::cell::{Cell, OnceCell};

/// A text with the name of where it came from.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub origin: &'a str,
    pub text: &'a str,
    /// Byte offset of each line's start.
    line_starts: OnceCell<Vec<usize>>,
    /// The last position found: (byte offset, line index, column).
    last: Cell<(usize, usize, usize)>,
}

impl<'a> Source<'a> {
    pub fn new(origin: &'a str, text: &'a str) -> Source<'a> {
        Source {
            origin,
            text,
            line_starts: OnceCell::new(),
            last: Cell::new((0, 0, 1)),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 1-based line and column (in characters) of a byte offset; an offset
    /// inside a character counts as that character's start.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let line_start = starts.get(line).copied().unwrap_or(0);
        let (last_offset, last_line, last_column) = self.last.get();
        let (from, column) = if last_line == line && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (line_start, 1)
        };
        let column = column + self.text.get(from..offset).map_or(0, |s| s.chars().count());
        self.last.set((offset, line, column));
        (line + 1, column)
    }

    /// `origin:line:column: message`
    pub fn message(&self, offset: usize, message: &str) -> String {
        let (line, column) = self.line_col(offset);
        format!("{}:{line}:{column}: {message}", self.origin)
    }
}

/// The line and column of the first byte that is not UTF-8, when the bytes
/// are not valid UTF-8.
pub fn invalid_utf8(bytes: &[u8]) -> Option<(usize, usize)> {
    let valid_up_to = std::str::from_utf8(bytes).err()?.valid_up_to();
    let before = bytes.get(..valid_up_to)?;
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column =
        std::str::from_utf8(before.get(line_start..)?).map_or(0, |s| s.chars().count()) + 1;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters() {
        let src = Source::new("f", "ab\ncé d\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(3), (2, 1));
        // "é" is two bytes but one column.
        assert_eq!(src.line_col(6), (2, 3));
        assert_eq!(src.message(6, "x"), "f:2:3: x");
        assert_eq!(src.line_col(999), (3, 1));
        // Inside "é": its start.
        assert_eq!(src.line_col(5), (2, 2));
    }

    #[test]
    fn offsets_in_any_order_give_the_same_positions() {
        let text = "a = 1\nbé = \"x\"\n\nlong line with é and ü\nlast";
        let src = Source::new("f", text);
        let fresh = |o: usize| Source::new("f", text).line_col(o);
        let offsets: Vec<usize> = (0..=text.len()).collect();
        for &o in offsets.iter().chain(offsets.iter().rev()) {
            assert_eq!(src.line_col(o), fresh(o), "offset {o}");
        }
    }

    #[test]
    fn the_first_bad_byte_is_placed_by_line_and_column() {
        assert_eq!(invalid_utf8(b"ok\n"), None);
        assert_eq!(invalid_utf8(b"a\nb\xc3\xa9c\xff"), Some((2, 4)));
        assert_eq!(invalid_utf8(b"\xfe"), Some((1, 1)));
    }
}
