//! The pod log view: the last lines of one container, following, in a
//! bounded buffer (memory does not grow with time), with a filter and the
//! previous container's logs for crash loops.

use std::collections::VecDeque;

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

/// Lines kept; older ones are dropped (and counted).
pub const MAX_LINES: usize = 5000;
/// Columns one sideways scroll moves by.
pub const SIDEWAYS_STEP: usize = 16;
/// Lines asked for when a stream starts.
pub const TAIL_LINES: i64 = 500;

/// Where the stream of the view is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogStatus {
    Connecting,
    Streaming,
    /// The stream ended (the container stopped, or `previous` has no more).
    Ended,
    Failed(String),
}

pub use crate::kube::logs::{LogEvent, LogRequest};

#[derive(Debug, Clone)]
pub struct LogView {
    pub pod: String,
    pub containers: Vec<String>,
    pub container: usize,
    pub previous: bool,
    /// Follow the end; off once the operator scrolls up.
    pub follow: bool,
    pub lines: VecDeque<String>,
    /// Lines dropped from the front to keep the buffer bounded.
    pub dropped: u64,
    /// Only lines containing this (case-insensitive) are shown.
    pub filter: String,
    /// The filter being typed.
    pub editor: Option<Box<TextArea<'static>>>,
    /// Lines from the end of the visible lines to the last one shown.
    pub scroll: usize,
    pub status: LogStatus,
    pub stream: u64,
    /// Long lines wrap; otherwise they are cut, marked, and the view
    /// scrolls sideways.
    pub wrap: bool,
    /// Columns scrolled sideways (when not wrapping).
    pub column: usize,
}

impl LogView {
    pub fn new(pod: String, containers: Vec<String>, stream: u64) -> LogView {
        LogView {
            pod,
            containers,
            container: 0,
            previous: false,
            follow: true,
            lines: VecDeque::new(),
            dropped: 0,
            filter: String::new(),
            editor: None,
            scroll: 0,
            status: LogStatus::Connecting,
            stream,
            wrap: false,
            column: 0,
        }
    }

    /// Wraps long lines, or cuts them again; wrapping starts at the left.
    pub fn toggle_wrap(&mut self) {
        self.wrap = !self.wrap;
        self.column = 0;
    }

    /// Scrolls sideways by `steps` steps (negative: left), not past the
    /// start of the longest visible line; nothing while wrapping.
    pub fn scroll_sideways(&mut self, steps: isize) {
        if self.wrap {
            return;
        }
        let longest = self
            .visible()
            .iter()
            .map(|l| unicode_width::UnicodeWidthStr::width(*l))
            .max()
            .unwrap_or(0);
        let max = longest.saturating_sub(1) / SIDEWAYS_STEP * SIDEWAYS_STEP;
        let delta = steps.saturating_mul(SIDEWAYS_STEP as isize);
        self.column = self.column.saturating_add_signed(delta).min(max);
    }

    pub fn container(&self) -> &str {
        self.containers
            .get(self.container)
            .map_or("", String::as_str)
    }

    /// The request for the current pod, container and previous flag, as a
    /// new stream; the buffer starts again.
    pub fn restart(&mut self, stream: u64) -> LogRequest {
        self.stream = stream;
        self.lines.clear();
        self.dropped = 0;
        self.scroll = 0;
        self.follow = true;
        self.status = LogStatus::Connecting;
        LogRequest {
            stream,
            pod: self.pod.clone(),
            container: self.container().to_string(),
            previous: self.previous,
            follow: !self.previous,
            tail: TAIL_LINES,
        }
    }

    /// Applies what the stream reported.
    pub fn receive(&mut self, event: LogEvent) {
        match event {
            LogEvent::Lines(lines) => {
                self.status = LogStatus::Streaming;
                let matching = lines.iter().filter(|l| self.matches(l)).count();
                for line in lines {
                    self.lines.push_back(line);
                }
                let excess = self.lines.len().saturating_sub(MAX_LINES);
                if excess > 0 {
                    self.lines.drain(..excess);
                    self.dropped += excess as u64;
                }
                // Scrolled back: the lines in view stay in view.
                if !self.follow {
                    self.scroll += matching;
                }
                self.scroll = self.scroll.min(self.visible().len().saturating_sub(1));
            }
            LogEvent::Ended => self.status = LogStatus::Ended,
            LogEvent::Failed(e) => self.status = LogStatus::Failed(e),
        }
    }

    fn matches(&self, line: &str) -> bool {
        self.filter.is_empty() || line.to_lowercase().contains(&self.filter.to_lowercase())
    }

    /// The lines the filter lets through, oldest first.
    pub fn visible(&self) -> Vec<&str> {
        if self.filter.is_empty() {
            return self.lines.iter().map(String::as_str).collect();
        }
        let needle = self.filter.to_lowercase();
        self.lines
            .iter()
            .filter(|l| l.to_lowercase().contains(&needle))
            .map(String::as_str)
            .collect()
    }

    /// Scrolls by `delta` lines (positive: back in time); at the end, it
    /// follows again.
    pub fn scroll_by(&mut self, delta: isize) {
        let max = self.visible().len().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
        self.follow = self.scroll == 0;
    }

    pub fn to_end(&mut self) {
        self.scroll = 0;
        self.follow = true;
    }

    pub fn to_start(&mut self) {
        self.scroll = self.visible().len().saturating_sub(1);
        self.follow = false;
    }

    pub fn start_filter(&mut self) {
        let mut editor = TextArea::new(vec![self.filter.clone()]);
        editor.move_cursor(ratatui_textarea::CursorMove::End);
        self.editor = Some(Box::new(editor));
    }

    /// Applies the typed filter (`keep`) or leaves the old one.
    pub fn end_filter(&mut self, keep: bool) {
        if let Some(editor) = self.editor.take()
            && keep
        {
            self.filter = editor.lines().concat().trim().to_string();
            self.to_end();
        }
    }

    /// Pasted text into the filter being typed (one line); false when no
    /// filter is being typed.
    pub fn paste(&mut self, text: &str) -> bool {
        let Some(editor) = &mut self.editor else {
            return false;
        };
        let room = 1_000usize.saturating_sub(editor.lines().concat().chars().count());
        let (text, _) = super::actions::clean_paste(text, false, room);
        editor.insert_str(text);
        true
    }

    pub fn type_key(&mut self, key: KeyEvent) {
        if let Some(editor) = &mut self.editor {
            editor.input(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(range: std::ops::Range<usize>) -> LogEvent {
        LogEvent::Lines(range.map(|i| format!("line {i}")).collect())
    }

    #[test]
    fn the_buffer_is_bounded_and_counts_what_it_dropped() {
        let mut v = LogView::new("p".into(), vec!["app".into()], 1);
        for chunk in 0..20 {
            v.receive(lines(chunk * 1000..(chunk + 1) * 1000));
        }
        assert_eq!(v.lines.len(), MAX_LINES);
        assert_eq!(v.dropped, 20_000 - MAX_LINES as u64);
        assert_eq!(v.lines.back().map(String::as_str), Some("line 19999"));
        assert_eq!(v.status, LogStatus::Streaming);
    }

    #[test]
    fn scrolled_back_the_view_holds_still_and_the_end_follows_again() {
        let mut v = LogView::new("p".into(), vec!["app".into()], 1);
        v.receive(lines(0..100));
        v.scroll_by(10);
        assert!(!v.follow);
        v.receive(lines(100..105));
        assert_eq!(v.scroll, 15, "the same lines stay in view");
        v.scroll_by(-100);
        assert!(v.follow && v.scroll == 0);
    }

    #[test]
    fn the_filter_is_case_insensitive_and_cancel_keeps_the_old_one() {
        let mut v = LogView::new("p".into(), vec!["app".into()], 1);
        v.receive(LogEvent::Lines(vec![
            "INFO ready".into(),
            "ERROR db down".into(),
            "WARN slow".into(),
        ]));
        v.start_filter();
        for c in "error".chars() {
            v.type_key(KeyEvent::from(crossterm::event::KeyCode::Char(c)));
        }
        v.end_filter(true);
        assert_eq!(v.visible(), ["ERROR db down"]);
        v.start_filter();
        v.type_key(KeyEvent::from(crossterm::event::KeyCode::Char('x')));
        v.end_filter(false);
        assert_eq!(v.filter, "error");
    }

    #[test]
    fn sideways_scrolling_stops_at_the_longest_line_and_wrapping_resets_it() {
        let mut v = LogView::new("p".into(), vec!["app".into()], 1);
        v.receive(LogEvent::Lines(vec!["x".repeat(40), "short".into()]));
        v.scroll_sideways(-1);
        assert_eq!(v.column, 0);
        v.scroll_sideways(1);
        assert_eq!(v.column, SIDEWAYS_STEP);
        // Never past the start of the longest line's last step.
        v.scroll_sideways(10);
        assert_eq!(v.column, 32);
        v.toggle_wrap();
        assert!(v.wrap && v.column == 0);
        v.scroll_sideways(1);
        assert_eq!(v.column, 0, "no sideways scroll while wrapping");
    }

    #[test]
    fn a_restart_asks_for_previous_logs_without_following() {
        let mut v = LogView::new("p".into(), vec!["app".into(), "sidecar".into()], 1);
        v.receive(lines(0..3));
        v.previous = true;
        v.container = 1;
        let req = v.restart(2);
        assert_eq!(
            (req.container.as_str(), req.previous, req.follow, req.stream),
            ("sidecar", true, false, 2)
        );
        assert!(v.lines.is_empty() && v.status == LogStatus::Connecting);
    }
}
