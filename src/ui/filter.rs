//! What every filtered list draws the same way: its title (name, filter,
//! how many rows of how many, the counts that need attention, markers),
//! fitted so that the least needed parts go first; the filter's input on
//! the bottom border while it is typed; and the note when nothing matches
//! or the filter names a field the list does not have.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::fit::{Cell, ELLIPSIS, columns};
use crate::config::theme::Theme;
use crate::state::list_filter::LineInput;
use crate::status::Status;

/// The parts of a list's title.
pub struct Title {
    /// The key that focuses it (`[1] `), given up first when narrow.
    pub key: String,
    pub name: String,
    /// The filter as typed (`/api`), and the Timeline's kind before it.
    pub filter: String,
    /// Rows shown, and of how many (`1 of 500` when rows are left out).
    pub shown: usize,
    pub total: usize,
    pub narrowed: bool,
    /// A field the filter names that the list does not have, in short
    /// (`unknown field foo`).
    pub problem: Option<String>,
    /// Rows that need attention: how many, the word, the status (only
    /// those there are show).
    pub counts: Vec<(usize, &'static str, Status)>,
    pub zoomed: bool,
    /// Always shown at the end (the Rollouts pane's STALE).
    pub end: Vec<Span<'static>>,
}

impl Title {
    pub fn new(name: impl Into<String>) -> Title {
        Title {
            key: String::new(),
            name: name.into(),
            filter: String::new(),
            shown: 0,
            total: 0,
            narrowed: false,
            problem: None,
            counts: Vec::new(),
            zoomed: false,
            end: Vec::new(),
        }
    }

    /// The title in `width` columns: the key goes first, then the zoom
    /// marker, then the counts but the first; the filter and a problem
    /// are cut with an ellipsis.
    pub fn line(self, theme: &Theme, focused: bool, width: usize) -> Line<'static> {
        let border = theme.border(focused);
        // Each part after the name starts with its blank, so that what
        // `columns` measures is what is drawn.
        let mut cells = vec![
            Cell::keep(Span::styled(" ", border)),
            Cell::at(4, Span::styled(self.key, theme.muted())),
            Cell::keep(Span::styled(self.name, theme.title(focused))),
        ];
        if !self.filter.is_empty() {
            // Whole while the parts that must stay fit beside it (the key
            // and the counts give way first), else cut.
            let filter = Span::styled(format!(" {}", self.filter), theme.accent());
            let must: usize = cells
                .iter()
                .filter(|c| c.level == 0)
                .map(|c| c.span.content.width())
                .sum::<usize>()
                + filter.content.width()
                + format!(" {} of {}", self.shown, self.total).width()
                + self.end.iter().map(|s| s.content.width()).sum::<usize>();
            cells.push(if must <= width {
                Cell::keep(filter)
            } else {
                Cell::flex(0, filter)
            });
        }
        let counted = self.total > 0 || self.narrowed;
        if counted {
            let count = if self.narrowed {
                format!(" {} of {}", self.shown, self.total)
            } else {
                format!(" {}", self.total)
            };
            cells.push(Cell::keep(Span::styled(count, theme.muted())));
        }
        if let Some(problem) = self.problem {
            cells.push(Cell::flex(
                0,
                Span::styled(
                    format!(" · {} {problem}", Status::Fail.symbol()),
                    theme.status(Status::Fail),
                ),
            ));
        }
        // The first count there is stays longest; the others, then the
        // zoom marker, then the key go before it.
        let mut dot = counted;
        for (i, (n, word, status)) in self.counts.into_iter().filter(|c| c.0 > 0).enumerate() {
            let level = if i == 0 { 1 } else { 2 };
            cells.push(Cell::at(level, Span::styled(" · ", theme.muted())));
            cells.push(Cell::at(
                level,
                Span::styled(format!("{n} {word}"), theme.status(status)),
            ));
            dot = true;
        }
        if self.zoomed {
            let text = if dot { " · zoomed" } else { " zoomed" };
            cells.push(Cell::at(3, Span::styled(text, theme.muted())));
        }
        cells.extend(self.end.into_iter().map(Cell::keep));
        // A blank before the border when there is room for it.
        let mut line = columns(vec![cells], width).pop().unwrap_or_default();
        if line.width() < width {
            line.spans.push(Span::styled(" ", border));
        }
        line
    }
}

/// The filter's input, for the bottom border: `/` and the text with its
/// cursor, its end in view when it is longer than `width`.
pub fn input_line(theme: &Theme, input: &LineInput, width: usize) -> Line<'static> {
    let (before, after) = input.split();
    let text = format!("{before}▏{after}");
    // " /" before it and " " after: the border's corners keep a column.
    let room = width.saturating_sub(4).max(1);
    let shown = if text.width() > room {
        let mut tail: Vec<char> = Vec::new();
        let mut used = 1;
        for c in text.chars().rev() {
            let w = UnicodeWidthStr::width(c.encode_utf8(&mut [0; 4]) as &str);
            if used + w > room {
                break;
            }
            used += w;
            tail.push(c);
        }
        format!("{ELLIPSIS}{}", tail.into_iter().rev().collect::<String>())
    } else {
        text
    };
    Line::from(vec![
        Span::styled(" /", theme.accent()),
        Span::styled(shown, theme.selection()),
        Span::styled(" ", theme.muted()),
    ])
}

/// The line above a list's rows while its filter names a field the list
/// does not have: the problem with the fields there are, cut to `width`.
pub fn problem_line(theme: &Theme, problem: &str, width: usize) -> Line<'static> {
    super::fit::fit_line(
        Line::styled(
            format!(
                "{} {problem} (nothing is filtered until it is fixed)",
                Status::Warn.symbol()
            ),
            theme.status(Status::Warn),
        ),
        width,
    )
}

/// The problem as the title says it: the unknown fields, without the
/// list of those there are.
pub fn problem_short(problem: &str) -> String {
    problem
        .split_once(':')
        .map_or(problem, |(head, _)| head)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn rollouts() -> Title {
        Title {
            key: "[1] ".into(),
            filter: "/api".into(),
            shown: 1,
            total: 500,
            narrowed: true,
            counts: vec![
                (1, "failing", Status::Fail),
                (0, "in progress", Status::Warn),
            ],
            zoomed: true,
            ..Title::new("Rollouts")
        }
    }

    #[test]
    fn the_title_counts_before_the_zoom_marker() {
        let theme = Theme::builtin("default");
        let line = rollouts().line(&theme, true, 80);
        assert_eq!(
            text(&line),
            " [1] Rollouts /api 1 of 500 · 1 failing · zoomed "
        );
    }

    #[test]
    fn a_narrow_title_gives_up_the_key_then_the_counts() {
        let theme = Theme::builtin("default");
        assert_eq!(
            text(&rollouts().line(&theme, true, 40)),
            " Rollouts /api 1 of 500 · 1 failing "
        );
        assert_eq!(
            text(&rollouts().line(&theme, true, 26)),
            " Rollouts /api 1 of 500 "
        );
        let long = Title {
            filter: "/a-very-long-filter-indeed".into(),
            ..rollouts()
        };
        let cut = text(&long.line(&theme, true, 30));
        assert!(cut.contains(ELLIPSIS) && cut.ends_with("1 of 500"), "{cut}");
        assert!(cut.width() <= 30, "{cut}");
    }

    #[test]
    fn the_input_keeps_its_cursor_and_end_in_view() {
        let theme = Theme::builtin("default");
        let mut input = LineInput::new("state:failed");
        assert_eq!(text(&input_line(&theme, &input, 40)), " /state:failed▏ ");
        input.insert(&"x".repeat(60));
        let shown = text(&input_line(&theme, &input, 20));
        assert!(
            shown.starts_with(" /…") && shown.ends_with("x▏ "),
            "{shown}"
        );
        assert!(shown.width() <= 20, "{shown}");
    }
}
