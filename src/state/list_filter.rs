//! A list's filter, as each pane and each section of the workload view
//! holds its own: the filter in effect, and while `/` is being typed, the
//! one-line input (the list narrows as it changes) with the filter from
//! before, which esc goes back to.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::config::keys::Key;
use crate::filter::Filter;

/// Characters a filter holds at most.
pub const MAX_FILTER_CHARS: usize = 256;

/// One line of text being typed, with a cursor (a byte offset at a
/// character's start).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    cursor: usize,
}

impl LineInput {
    /// `text`, the cursor at its end.
    pub fn new(text: &str) -> LineInput {
        LineInput {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text before the cursor and from it on.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.cursor)
    }

    fn prev(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    /// Text typed or pasted at the cursor: control characters left out,
    /// at most `MAX_FILTER_CHARS` in all.
    pub fn insert(&mut self, text: &str) {
        let room = MAX_FILTER_CHARS.saturating_sub(self.text.chars().count());
        let kept: String = text
            .chars()
            .filter(|c| !c.is_control())
            .take(room)
            .collect();
        self.text.insert_str(self.cursor, &kept);
        self.cursor += kept.len();
    }

    /// A key: characters are typed; backspace and delete, left and right,
    /// home and end (ctrl-a, ctrl-e) as in a shell, ctrl-u deletes to the
    /// start, ctrl-k to the end, ctrl-w the word before. Returns whether
    /// the text changed.
    pub fn key(&mut self, key: Key) -> bool {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        let before = self.text.len();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.text.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char('k') if ctrl => self.text.truncate(self.cursor),
            KeyCode::Char('w') if ctrl => {
                let head = &self.text[..self.cursor];
                let start = head
                    .trim_end()
                    .rfind(char::is_whitespace)
                    .map_or(0, |i| i + 1);
                self.text.drain(start..self.cursor);
                self.cursor = start;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.text.len(),
            KeyCode::Char('h') if ctrl => self.backspace(),
            KeyCode::Char(c) if !ctrl && !key.mods.contains(KeyModifiers::ALT) => {
                self.insert(c.encode_utf8(&mut [0; 4]));
            }
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => {
                let end = self.next();
                self.text.drain(self.cursor..end);
            }
            KeyCode::Left => self.cursor = self.prev(),
            KeyCode::Right => self.cursor = self.next(),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.len(),
            _ => {}
        }
        self.text.len() != before
    }

    fn backspace(&mut self) {
        let start = self.prev();
        self.text.drain(start..self.cursor);
        self.cursor = start;
    }
}

/// The filter being typed, and the one in effect before (esc goes back).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editing {
    pub input: LineInput,
    pub before: Filter,
}

/// A list's filter: in effect (live while typed), and its input while
/// `/` is being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub filter: Filter,
    pub editing: Option<Editing>,
}

impl ListFilter {
    /// Some text is set (even a filter with a problem): esc clears it.
    pub fn is_set(&self) -> bool {
        !self.filter.text().trim().is_empty()
    }

    /// Rows are being filtered: a term to match and no problem with the
    /// list's `fields`.
    pub fn narrows(&self, fields: &[crate::filter::Field]) -> bool {
        !self.filter.is_empty() && self.filter.knows(fields)
    }

    pub fn editing(&self) -> bool {
        self.editing.is_some()
    }

    /// Opens the input on the filter in effect.
    pub fn start(&mut self) {
        self.editing = Some(Editing {
            input: LineInput::new(self.filter.text()),
            before: self.filter.clone(),
        });
    }

    /// Closes the input: keeps what was typed, or goes back to the filter
    /// from before.
    pub fn end(&mut self, keep: bool) {
        if let Some(editing) = self.editing.take()
            && !keep
        {
            self.filter = editing.before;
        }
    }

    pub fn clear(&mut self) {
        self.filter = Filter::default();
        self.editing = None;
    }

    /// A key typed into the input; the filter follows at once.
    pub fn type_key(&mut self, key: Key) {
        if let Some(editing) = &mut self.editing
            && editing.input.key(key)
        {
            self.filter = Filter::parse(editing.input.text());
        }
    }

    /// Pasted text into the input: its first line only.
    pub fn paste(&mut self, text: &str) -> bool {
        let Some(editing) = &mut self.editing else {
            return false;
        };
        let first = text.split(['\n', '\r']).next().unwrap_or("");
        editing.input.insert(&first.replace('\t', " "));
        self.filter = Filter::parse(editing.input.text());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    fn typed(f: &mut ListFilter, text: &str) {
        for c in text.chars() {
            f.type_key(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn typing_edits_the_filter_live_and_esc_goes_back() {
        let mut f = ListFilter::default();
        f.start();
        typed(&mut f, "api");
        assert_eq!(f.filter.text(), "api");
        f.type_key(key(KeyCode::Backspace));
        assert_eq!(f.filter.text(), "ap");
        f.end(true);
        assert!(!f.editing() && f.is_set());
        f.start();
        typed(&mut f, " x");
        assert_eq!(f.filter.text(), "ap x");
        f.end(false);
        assert_eq!(f.filter.text(), "ap");
        f.clear();
        assert!(!f.is_set());
    }

    #[test]
    fn ctrl_u_clears_to_the_start_and_the_cursor_moves() {
        let mut f = ListFilter::default();
        f.start();
        typed(&mut f, "state:failed api");
        f.type_key(ctrl('w'));
        assert_eq!(f.filter.text(), "state:failed ");
        f.type_key(key(KeyCode::Home));
        typed(&mut f, "!");
        assert_eq!(f.filter.text(), "!state:failed ");
        f.type_key(key(KeyCode::Right));
        f.type_key(ctrl('u'));
        assert_eq!(f.filter.text(), "tate:failed ");
        f.type_key(key(KeyCode::Delete));
        f.type_key(ctrl('e'));
        f.type_key(key(KeyCode::Left));
        f.type_key(ctrl('k'));
        assert_eq!(f.filter.text(), "ate:failed");
        f.type_key(ctrl('a'));
        f.type_key(ctrl('u'));
        assert_eq!(f.filter.text(), "ate:failed");
        f.type_key(ctrl('e'));
        f.type_key(ctrl('u'));
        assert_eq!(f.filter.text(), "");
    }

    #[test]
    fn a_paste_takes_its_first_line_and_never_more_than_fits() {
        let mut f = ListFilter::default();
        assert!(!f.paste("api"), "no input open");
        f.start();
        assert!(f.paste("app-0012\nrm -rf /\r\n"));
        assert_eq!(f.filter.text(), "app-0012");
        f.paste(&"x".repeat(1000));
        assert_eq!(f.filter.text().chars().count(), MAX_FILTER_CHARS);
        // Wide characters are whole characters.
        let mut g = ListFilter::default();
        g.start();
        g.paste("é\u{1b}[31mü");
        g.type_key(key(KeyCode::Backspace));
        g.type_key(key(KeyCode::Home));
        g.type_key(key(KeyCode::Delete));
        assert_eq!(g.filter.text(), "[31m");
    }
}
