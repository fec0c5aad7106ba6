//! The object view: one object's YAML (managedFields hidden, a Secret's
//! values never shown) or a describe-style summary with its events,
//! scrollable and searchable, in place of the screen it was opened from.

use ratatui_textarea::TextArea;

use super::screen::Screen;
use crate::kube::object::ObjectRef;

/// The object's text, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectText {
    pub yaml: Vec<String>,
    pub describe: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectMode {
    Yaml,
    Describe,
}

#[derive(Debug, Clone)]
pub struct ObjectView {
    /// The object, then those related to it that `tab` moves to (a
    /// workload's HorizontalPodAutoscaler and Services).
    pub targets: Vec<ObjectRef>,
    pub index: usize,
    pub mode: ObjectMode,
    /// The request whose answer is awaited.
    pub pending: Option<u64>,
    pub text: Option<Result<ObjectText, String>>,
    /// The first line shown.
    pub scroll: usize,
    /// The search being typed, when it has focus.
    pub editor: Option<Box<TextArea<'static>>>,
    /// The search applied (case-insensitive).
    pub query: String,
    /// Where `esc` goes back to.
    pub back: Box<Screen>,
}

impl ObjectView {
    pub fn new(targets: Vec<ObjectRef>, mode: ObjectMode, back: Screen) -> ObjectView {
        ObjectView {
            targets,
            index: 0,
            mode,
            pending: None,
            text: None,
            scroll: 0,
            editor: None,
            query: String::new(),
            back: Box::new(back),
        }
    }

    pub fn target(&self) -> Option<&ObjectRef> {
        self.targets.get(self.index)
    }

    /// The lines of the mode shown (without events).
    pub fn lines(&self) -> &[String] {
        match &self.text {
            Some(Ok(t)) => match self.mode {
                ObjectMode::Yaml => &t.yaml,
                ObjectMode::Describe => &t.describe,
            },
            _ => &[],
        }
    }

    /// The lines that hold the query, by index.
    pub fn matches(&self, lines: &[String]) -> Vec<usize> {
        if self.query.is_empty() {
            return Vec::new();
        }
        let q = self.query.to_lowercase();
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.to_lowercase().contains(&q))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn start_search(&mut self) {
        let mut editor = TextArea::new(vec![self.query.clone()]);
        editor.move_cursor(ratatui_textarea::CursorMove::End);
        self.editor = Some(Box::new(editor));
    }

    /// Ends the search's editing: applied (`keep`) or left as it was.
    pub fn end_search(&mut self, keep: bool) {
        if let Some(editor) = self.editor.take()
            && keep
        {
            self.query = editor.lines().concat().trim().to_string();
        }
    }

    /// The first match after the top line shown (wrapping), if any.
    pub fn next_match(&self, lines: &[String]) -> Option<usize> {
        let found = self.matches(lines);
        found
            .iter()
            .copied()
            .find(|&i| i > self.scroll)
            .or_else(|| found.first().copied())
    }

    pub fn type_key(&mut self, key: crossterm::event::KeyEvent) {
        if let Some(editor) = &mut self.editor {
            editor.input(key);
        }
    }

    /// Pasted text into the search: its first line, within 200 characters.
    pub fn paste(&mut self, text: &str) -> bool {
        let Some(editor) = &mut self.editor else {
            return false;
        };
        let line: String = text
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        editor.insert_str(line);
        true
    }
}
