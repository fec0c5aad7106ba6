//! Text safe to print on a terminal. Runbooks, servers and the cluster
//! supply names and messages; an escape sequence in one (a colour, a
//! window title, a cursor move) must not act on the operator's terminal.
//! Control characters are written as visible escapes instead (`\x1b`).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal as it is: C0 controls,
/// DEL, C1 controls, and the bidirectional overrides that reorder what
/// is displayed.
fn unsafe_char(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_newlines,
        c if c.is_control() => true,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

fn replace(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| unsafe_char(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !unsafe_char(c, keep_newlines) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character except newline and tab written
/// as a visible escape.
pub fn printable(text: &str) -> Cow<'_, str> {
    replace(text, true)
}

/// Like [`printable`], for text that must stay on one line (a table
/// cell, a name): newlines and tabs are escaped too.
pub fn printable_line(text: &str) -> Cow<'_, str> {
    replace(text, false)
}

/// Every string of a JSON value made [`printable`] (keys are field
/// names and stay): what a record writes can act on no terminal that
/// shows it, whatever a server put in it.
pub fn printable_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let Cow::Owned(safe) = printable(s) {
                *s = safe;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(printable_json),
        Value::Object(map) => map.values_mut().for_each(printable_json),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_written_visibly() {
        let hostile = "api\x1b]0;pwned\x07 \x1b[31mred\u{9b}2J\r\u{202E}x";
        let safe = printable(hostile);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
        assert_eq!(
            safe,
            "api\\x1b]0;pwned\\x07 \\x1b[31mred\\x9b2J\\x0d\\u{202e}x"
        );
    }

    #[test]
    fn every_string_of_a_json_value_is_made_printable() {
        let mut v = serde_json::json!({"text": "a\x1b[31mb\nc", "list": ["\x07"], "n": 1});
        printable_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"text": "a\\x1b[31mb\nc", "list": ["\\x07"], "n": 1})
        );
    }

    #[test]
    fn newlines_and_tabs_stay_unless_one_line() {
        assert!(matches!(printable("a\n\tb"), Cow::Borrowed("a\n\tb")));
        assert_eq!(printable_line("a\n\tb"), "a\\x0a\\x09b");
        assert!(matches!(printable_line("plain ✓ text"), Cow::Borrowed(_)));
    }
}
