//! Fitting text into a width: nothing is ever cut without a mark. Text that
//! does not fit ends with an ellipsis ("…"); rows of columns give up their
//! least important columns first; lists that scroll say how many rows are
//! above and below the edge.

use std::borrow::Cow;

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::config::theme::Theme;

pub const ELLIPSIS: &str = "…";

/// `s` in at most `width` columns: whole when it fits, else cut and ended
/// with an ellipsis (which takes one column).
pub fn fit(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    let mut buf = [0u8; 4];
    for c in s.chars() {
        // As the whole string is measured (a control character counts).
        let w = UnicodeWidthStr::width(&*c.encode_utf8(&mut buf));
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(ELLIPSIS);
    Cow::Owned(out)
}

/// `s` on one line: each run of line breaks and other control characters
/// (with the blanks around it) becomes one space, so text of several lines
/// reads on as one, to be fitted with `fit`.
pub fn one_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut pieces = s
        .split(char::is_control)
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(first) = pieces.next() {
        out.push_str(first);
    }
    for piece in pieces {
        out.push(' ');
        out.push_str(piece);
    }
    Cow::Owned(out)
}

/// `s` without its first `skip` columns, in at most `width` columns: an
/// ellipsis at the left when something was skipped, at the right when
/// something is cut.
pub fn window(s: &str, skip: usize, width: usize) -> String {
    if skip == 0 {
        return fit(s, width).into_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut rest = String::new();
    let mut dropped = 0;
    for c in s.chars() {
        if dropped < skip {
            dropped += c.width().unwrap_or(0);
            continue;
        }
        rest.push(c);
    }
    if rest.is_empty() {
        return ELLIPSIS.to_string();
    }
    format!("{ELLIPSIS}{}", fit(&rest, width - 1))
}

/// `s` cut into pieces of at most `width` columns (wrapping by character,
/// as a terminal does); an empty string is one empty piece.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut pieces = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            pieces.push(String::new());
            used = 0;
        }
        if let Some(last) = pieces.last_mut() {
            last.push(c);
        }
        used += w;
    }
    pieces
}

/// The line in at most `width` columns: spans past the edge go, the span
/// at the edge is cut, and the line ends with an ellipsis in the style of
/// the span it cut.
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let Line {
        spans,
        style,
        alignment,
    } = line;
    let mut out = Vec::new();
    let mut used = 0;
    for span in spans {
        let w = span.content.width();
        if used + w < width {
            used += w;
            out.push(span);
            continue;
        }
        // This span reaches the edge: it keeps what fits before the mark.
        let cut = fit(&span.content, width - used).into_owned();
        let cut = if cut.ends_with(ELLIPSIS) {
            cut
        } else {
            // The span fitted exactly but more follows: make room for the
            // mark at its end.
            fit(&format!("{cut}{ELLIPSIS}x"), width - used).into_owned()
        };
        out.push(Span::styled(cut, span.style));
        break;
    }
    let mut fitted = Line::from(out).style(style);
    fitted.alignment = alignment;
    fitted
}

/// One cell of a row of columns: a span, how dispensable it is (0 never
/// goes; higher levels go first), and whether it is free text that may be
/// cut rather than dropped.
pub struct Cell {
    pub span: Span<'static>,
    pub level: u8,
    pub flex: bool,
}

/// Columns of free text are kept when this many columns of them fit.
const FLEX_MIN: usize = 8;

impl Cell {
    /// A cell that is always shown.
    pub fn keep(span: Span<'static>) -> Cell {
        Cell {
            span,
            level: 0,
            flex: false,
        }
    }

    /// A cell dropped, with its column, when the row is too wide
    /// (higher levels first).
    pub fn at(level: u8, span: Span<'static>) -> Cell {
        Cell {
            span,
            level,
            flex: false,
        }
    }

    /// Free text at the end of a row: cut with an ellipsis when a few
    /// columns of it fit, dropped at its level when not.
    pub fn flex(level: u8, span: Span<'static>) -> Cell {
        Cell {
            span,
            level,
            flex: true,
        }
    }
}

fn needed(cells: &[Cell], dropped: u8) -> usize {
    cells
        .iter()
        .filter(|c| c.level < dropped || c.level == 0)
        .map(|c| {
            let w = c.span.content.width();
            if c.flex { w.min(FLEX_MIN) } else { w }
        })
        .sum()
}

/// Rows of cells in `width` columns. The same levels go from every row,
/// so the columns stay aligned: the most dispensable level first, until
/// every row fits. Free text then takes the room left in its row, cut with
/// an ellipsis; a row that still does not fit is cut at the edge with one.
pub fn columns(rows: Vec<Vec<Cell>>, width: usize) -> Vec<Line<'static>> {
    let top = rows.iter().flatten().map(|c| c.level).max().unwrap_or(0);
    // Cells of a level below `keep` stay.
    let mut keep = top.saturating_add(1);
    while keep > 1 && rows.iter().any(|r| needed(r, keep) > width) {
        keep -= 1;
    }
    rows.into_iter()
        .map(|cells| {
            let mut cells: Vec<Cell> = cells
                .into_iter()
                .filter(|c| c.level < keep || c.level == 0)
                .collect();
            // Trailing blanks of a padded column are not worth an ellipsis.
            if let Some(last) = cells.last_mut() {
                let trimmed = last.span.content.trim_end().to_string();
                last.span.content = Cow::Owned(trimmed);
            }
            let fixed: usize = cells
                .iter()
                .filter(|c| !c.flex)
                .map(|c| c.span.content.width())
                .sum();
            let mut room = width.saturating_sub(fixed);
            // Each free text leaves the ones after it their share.
            let mut later: usize = cells
                .iter()
                .filter(|c| c.flex)
                .map(|c| c.span.content.width().min(FLEX_MIN))
                .sum();
            for cell in cells.iter_mut().filter(|c| c.flex) {
                later = later.saturating_sub(cell.span.content.width().min(FLEX_MIN));
                let share = room.saturating_sub(later);
                if share == 0 {
                    // No room at all: the line's own cut marks it.
                    break;
                }
                let cut = fit(&cell.span.content, share).into_owned();
                room = room.saturating_sub(cut.width());
                cell.span.content = Cow::Owned(cut);
            }
            fit_line(
                Line::from(cells.into_iter().map(|c| c.span).collect::<Vec<_>>()),
                width,
            )
        })
        .collect()
}

/// Pads the cells at `index` of every row to the widest of them, so the
/// columns after it line up.
pub fn pad(rows: &mut [Vec<Cell>], index: usize) {
    let widest = rows
        .iter()
        .filter_map(|r| r.get(index))
        .map(|c| c.span.content.width())
        .max()
        .unwrap_or(0);
    for cell in rows.iter_mut().filter_map(|r| r.get_mut(index)) {
        let w = cell.span.content.width();
        if w < widest {
            let padded = format!("{}{}", cell.span.content, " ".repeat(widest - w));
            cell.span.content = Cow::Owned(padded);
        }
    }
}

/// Which rows of a list of `total` are in view in `height` lines with
/// `selected` kept in view, and the marks that say what is beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub start: usize,
    pub end: usize,
    /// Rows above the first one shown (a mark line takes the top line).
    pub above: usize,
    /// Rows below the last one shown (a mark line takes the bottom line).
    pub below: usize,
}

/// The rows in view: all when they fit; else a mark line at the top when
/// rows are hidden above, one at the bottom when rows are hidden below,
/// and the selected row at the bottom of the rest once it has moved down.
pub fn view(total: usize, height: usize, selected: usize) -> View {
    let selected = selected.min(total.saturating_sub(1));
    if total <= height {
        return View {
            start: 0,
            end: total,
            above: 0,
            below: 0,
        };
    }
    // Too short for a mark and a row: the selected row alone, unmarked
    // beyond one line (there is no room to say more).
    if height < 3 {
        let start = selected.saturating_sub(height.saturating_sub(1));
        let end = (start + height).min(total);
        return View {
            start,
            end,
            above: 0,
            below: 0,
        };
    }
    let (start, end) = if selected < height - 1 {
        (0, height - 1)
    } else if selected >= total - (height - 1) {
        (total - (height - 1), total)
    } else {
        let start = selected + 1 - (height - 2);
        (start, selected + 1)
    };
    View {
        start,
        end,
        above: start,
        below: total - end,
    }
}

/// "↑ N more above" / "↓ N more below", with the keys that scroll when
/// there is room for them.
pub fn mark(theme: &Theme, count: usize, below: bool, width: usize) -> Line<'static> {
    let text = if below {
        format!("↓ {count} more below")
    } else {
        format!("↑ {count} more above")
    };
    Line::styled(fit(&text, width).into_owned(), theme.muted())
}

/// The lines of a scrolled list in `height` lines: the rows in view, with
/// marks for the rows beyond; each row cut to `width`, the selected one
/// (when `selected` is Some) highlighted across the whole row.
pub fn scrolled(
    theme: &Theme,
    rows: Vec<Line<'static>>,
    selected: Option<usize>,
    width: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let total = rows.len();
    let v = view(total, height, selected.unwrap_or(0));
    let mut out = Vec::with_capacity(height);
    if v.above > 0 {
        out.push(mark(theme, v.above, false, width));
    }
    for (i, line) in rows
        .into_iter()
        .enumerate()
        .skip(v.start)
        .take(v.end - v.start)
    {
        let line = fit_line(line, width);
        out.push(if selected == Some(i) {
            highlight(theme, pad_line(line, width))
        } else {
            line
        });
    }
    if v.below > 0 {
        out.push(mark(theme, v.below, true, width));
    }
    out
}

/// The line with blanks after it up to `width` columns, so that a style
/// given to it covers the whole row.
pub fn pad_line(mut line: Line<'static>, width: usize) -> Line<'static> {
    let w = line.width();
    if w < width {
        line.spans.push(Span::raw(" ".repeat(width - w)));
    }
    line
}

/// The selected row: every span in the theme's selection colours (which
/// override each cell's own, so nothing is grey on grey), bold and colour
/// modifiers kept, dim taken off; the line's style fills the whole row.
pub fn highlight(theme: &Theme, line: Line<'static>) -> Line<'static> {
    let selection = theme.selection();
    let spans = line
        .spans
        .into_iter()
        .map(|s| {
            let style = Style {
                fg: selection.fg,
                bg: selection.bg,
                ..s.style
            }
            .remove_modifier(Modifier::DIM)
            .add_modifier(selection.add_modifier);
            Span::styled(s.content, style)
        })
        .collect::<Vec<_>>();
    Line::from(spans).style(selection)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn control_characters_are_measured_as_the_whole_string_is() {
        for width in 1..12 {
            let s = "a\u{7}b\u{1b}[31mred\tx";
            let cut = fit(s, width);
            assert!(cut.width() <= width, "{width}: {cut:?}");
        }
        // A free column of such text never takes more than the row has.
        let rows = vec![vec![
            Cell::keep(Span::raw("ab")),
            Cell::flex(3, Span::raw("\u{7}\u{7}\u{7}\u{7}\u{7}\u{7}")),
        ]];
        for line in columns(rows, 5) {
            assert!(line.width() <= 5, "{line:?}");
        }
    }

    #[test]
    fn text_that_does_not_fit_ends_with_an_ellipsis() {
        assert_eq!(fit("payments-api", 20), "payments-api");
        assert_eq!(fit("payments-api", 8), "payment…");
        assert_eq!(fit("payments-api", 1), "…");
        assert_eq!(fit("payments-api", 0), "");
        // Wide characters count two columns.
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("日本語テキスト", 7).width(), 7);
    }

    #[test]
    fn text_of_several_lines_reads_on_one() {
        assert_eq!(one_line("dry run refused"), "dry run refused");
        assert_eq!(
            one_line("dry run refused:\n  admission webhook\r\n\tdenied it\n"),
            "dry run refused: admission webhook denied it"
        );
        assert_eq!(one_line("\n\n"), "");
    }

    #[test]
    fn a_window_marks_both_sides() {
        assert_eq!(window("abcdefghij", 0, 5), "abcd…");
        assert_eq!(window("abcdefghij", 3, 5), "…def…");
        assert_eq!(window("abcdefghij", 6, 5), "…ghij");
        assert_eq!(window("abc", 5, 5), "…");
    }

    #[test]
    fn wrapping_keeps_every_character() {
        assert_eq!(wrap("abcdefg", 3), ["abc", "def", "g"]);
        assert_eq!(wrap("", 3), [""]);
        assert_eq!(wrap("日本語", 4), ["日本", "語"]);
    }

    #[test]
    fn a_line_cut_at_the_edge_ends_with_an_ellipsis() {
        let line = Line::from(vec![Span::raw("abc "), Span::raw("defgh")]);
        assert_eq!(text(&fit_line(line.clone(), 20)), "abc defgh");
        assert_eq!(text(&fit_line(line.clone(), 7)), "abc de…");
        // The first span fits exactly, the second does not: the mark
        // takes the last column.
        assert_eq!(text(&fit_line(line.clone(), 4)), "abc…");
        assert_eq!(fit_line(line, 4).width(), 4);
    }

    #[test]
    fn columns_drop_the_most_dispensable_level_in_every_row() {
        let row = |a: &str, b: &str, c: &str| {
            vec![
                Cell::keep(Span::raw(a.to_string())),
                Cell::at(2, Span::raw(b.to_string())),
                Cell::at(1, Span::raw(c.to_string())),
            ]
        };
        let rows = || vec![row("one ", "bbbb ", "cc"), row("two ", "b ", "cccccc")];
        let wide: Vec<String> = columns(rows(), 40).iter().map(text).collect();
        assert_eq!(wide, ["one bbbb cc", "two b cccccc"]);
        // Level 2 goes from both rows, though only the first needed it.
        let narrow: Vec<String> = columns(rows(), 10).iter().map(text).collect();
        assert_eq!(narrow, ["one cc", "two cccccc"]);
        // Kept cells that still do not fit are cut with a mark.
        let tiny: Vec<String> = columns(rows(), 2).iter().map(text).collect();
        assert_eq!(tiny, ["o…", "t…"]);
    }

    #[test]
    fn free_text_is_cut_rather_than_dropped() {
        let rows = vec![vec![
            Cell::keep(Span::raw("name ")),
            Cell::flex(1, Span::raw("a long message that does not fit")),
        ]];
        let lines: Vec<String> = columns(rows, 20).iter().map(text).collect();
        assert_eq!(lines, ["name a long message…"]);
        // Free text in the middle of a row gives way to what follows it.
        let rows = vec![vec![
            Cell::keep(Span::raw("[ ] ")),
            Cell::flex(0, Span::raw("All health endpoints responding")),
            Cell::at(1, Span::raw(" ✓ 4/4 ok")),
        ]];
        let lines: Vec<String> = columns(rows, 24).iter().map(text).collect();
        assert_eq!(lines, ["[ ] All health… ✓ 4/4 ok"]);
    }

    #[test]
    fn a_long_list_marks_what_is_above_and_below() {
        // Everything fits: no marks.
        assert_eq!(view(3, 5, 2).below, 0);
        // At the top: rows 0..4 and a mark for the 6 below.
        let v = view(10, 5, 0);
        assert_eq!((v.start, v.end, v.above, v.below), (0, 4, 0, 6));
        // In the middle: marks at both ends, the selection in view.
        let v = view(10, 5, 5);
        assert_eq!((v.start, v.end, v.above, v.below), (3, 6, 3, 4));
        // At the end: the last rows and a mark for those above.
        let v = view(10, 5, 9);
        assert_eq!((v.start, v.end, v.above, v.below), (6, 10, 6, 0));
        // Every row and mark fits in the height.
        for total in 0..12 {
            for height in 0..8 {
                for selected in 0..total.max(1) {
                    let v = view(total, height, selected);
                    let lines =
                        v.end - v.start + usize::from(v.above > 0) + usize::from(v.below > 0);
                    assert!(lines <= height.max(1), "{total} {height} {selected} {v:?}");
                    if total > 0 && height > 0 {
                        assert!((v.start..v.end).contains(&selected), "{v:?}");
                    }
                    if height >= 3 || total <= height {
                        assert_eq!(v.above + (v.end - v.start) + v.below, total, "{v:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_highlight_covers_every_span_and_the_row() {
        let theme = Theme::builtin("default");
        let line = Line::from(vec![
            Span::styled("dim ", theme.muted()),
            Span::styled("ok", theme.status(crate::status::Status::Ok)),
        ]);
        let lit = highlight(&theme, line);
        let selection = theme.selection();
        assert_eq!(lit.style, selection);
        for span in &lit.spans {
            assert_eq!((span.style.fg, span.style.bg), (selection.fg, selection.bg));
        }
    }
}
