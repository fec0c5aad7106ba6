//! Byte offsets to line and column, for errors that say where.

/// A text with the name of where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub origin: &'a str,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    pub fn new(origin: &'a str, text: &'a str) -> Source<'a> {
        Source { origin, text }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// `origin:line:column: message`
    pub fn message(&self, offset: usize, message: &str) -> String {
        let (line, column) = self.line_col(offset);
        format!("{}:{line}:{column}: {message}", self.origin)
    }
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
    }
}
