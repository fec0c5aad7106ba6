#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property-based fuzzing of every parser that reads text a person wrote:
//! runbooks, conditions, thresholds, Markdown guides, keymaps, themes and
//! journals. Each property feeds arbitrary and structure-aware (mutated
//! real files, grammar-built) inputs and asserts that the call returns (no
//! panic, no hang) with a well-formed answer.
//!
//! Every call runs on its own thread and must answer within `HANG`; inputs
//! are bounded in size, so a slower answer means a hang or a blow-up.
//! `PROPTEST_CASES` overrides the number of cases of every property
//! (`PROPTEST_CASES=4000 cargo test --test it props::` runs them longer).
//!
//! The properties are in a module per parser; this one holds the bound on
//! each call and the arbitrary text and mutations they share.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::{Index, select};

mod condition;
mod config;
mod import;
mod journal;
mod runbook;
mod threshold;

/// The longest any single call may take.
const HANG: Duration = Duration::from_secs(2);

/// Cases per property: `default`, or `PROPTEST_CASES` when set. Failures
/// are not persisted to files; shrinking is bounded.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        max_shrink_iters: 256,
        max_shrink_time: 30_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Runs `f` on a thread of its own and returns its result; fails when it
/// takes longer than `HANG`, and re-raises its panic when it panics.
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(HANG) {
        Ok(value) => {
            let _ = handle.join();
            value
        }
        Err(RecvTimeoutError::Timeout) => {
            panic!("{what}: no answer within {HANG:?} (a hang, or a blow-up)")
        }
        Err(RecvTimeoutError::Disconnected) => match handle.join() {
            Err(payload) => std::panic::resume_unwind(payload),
            Ok(()) => panic!("{what}: the thread ended without an answer"),
        },
    }
}

// ---------------------------------------------------------------------------
// Arbitrary text and mutations
// ---------------------------------------------------------------------------

/// Arbitrary text up to about 2 KB: any characters, printable ASCII with
/// line breaks, or bytes decoded leniently (replacement characters).
fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..512).prop_map(String::from_iter),
        "[ -~\t\n]{0,2048}",
        prop::collection::vec(any::<u8>(), 0..2048)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// One edit of a text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Deletes up to `len` characters from a position.
    Delete(Index, usize),
    /// Inserts text at a position.
    Insert(Index, String),
    /// Replaces the character at a position with text.
    Replace(Index, String),
    /// Repeats a line right after itself.
    DuplicateLine(Index),
    /// Removes a line.
    DeleteLine(Index),
    /// Exchanges two lines.
    SwapLines(Index, Index),
    /// Replaces what follows the first `=` of a `key = value` line.
    SetValue(Index, String),
    /// Replaces what precedes the first `=` of a `key = value` line.
    SetKey(Index, String),
    /// Replaces a one-line string literal (`"…"` or `'…'`) with text.
    SetString(Index, String),
}

/// Characters and bytes that upset parsers, whatever the format.
fn junk_snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "\"",
            "'",
            "`",
            "[",
            "]",
            "{",
            "}",
            "(",
            ")",
            "${",
            "${x}",
            "$$",
            "$",
            "\\",
            "\\u",
            "\\U0010FFFF",
            "\\x",
            "\n",
            "\r\n",
            "\r",
            "\t",
            "\u{0}",
            "\u{7f}",
            "\u{feff}",
            "\u{202e}",
            "\u{2028}",
            "\u{FFFD}",
            "\u{FFFD}\u{FFFD}",
            "Ã©",
            "âœ…",
            "‚úÖ",
            "é",
            "🦀",
            "👍🏽",
            "\u{301}",
            "#",
            "=",
            ",",
            ".",
            "-",
            "*",
            "|",
            ">",
            "<",
            ":",
        ])
        .prop_map(String::from),
        ".{0,8}",
        prop::collection::vec(any::<u8>(), 0..8)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// A mutation whose inserted text comes from `snippet`.
fn mutation(snippet: BoxedStrategy<String>) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), snippet.clone()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<Index>(), snippet).prop_map(|(i, s)| Mutation::Replace(i, s)),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        any::<Index>().prop_map(Mutation::DeleteLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

/// A few mutations, their snippets drawn from `snippet` or junk.
fn mutations(snippet: BoxedStrategy<String>) -> impl Strategy<Value = Vec<Mutation>> {
    let mixed = prop_oneof![3 => snippet, 2 => junk_snippet()].boxed();
    prop::collection::vec(mutation(mixed), 1..6)
}

/// Mutations of a TOML file: edits of the text, and new values and keys
/// on its `key = value` lines (which mostly keep the file TOML).
fn toml_mutations(
    snippet: BoxedStrategy<String>,
    value: BoxedStrategy<String>,
    string: BoxedStrategy<String>,
    key: BoxedStrategy<String>,
) -> impl Strategy<Value = Vec<Mutation>> {
    let mixed = prop_oneof![3 => snippet, 2 => junk_snippet()].boxed();
    let one = prop_oneof![
        2 => mutation(mixed),
        1 => (any::<Index>(), value).prop_map(|(i, v)| Mutation::SetValue(i, v)),
        4 => (any::<Index>(), string).prop_map(|(i, v)| Mutation::SetString(i, v)),
        1 => (any::<Index>(), key).prop_map(|(i, k)| Mutation::SetKey(i, k)),
    ];
    prop::collection::vec(one, 1..5)
}

/// `text` as a TOML string in one of several styles: basic, literal,
/// multi-line with every non-ASCII character escaped, or multi-line
/// starting with a line-ending backslash.
fn toml_string(text: &str, style: u8) -> String {
    let escaped = || {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\t' => out.push_str("\\t"),
                c if c.is_ascii() && !c.is_control() => out.push(c),
                c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
            }
        }
        out
    };
    match style % 4 {
        1 if !text.contains(['\'', '\n', '\r']) && !text.chars().any(char::is_control) => {
            format!("'{text}'")
        }
        2 => format!("\"\"\"\n{}\"\"\"", escaped()),
        3 => format!("\"\"\"\\\n    {}\"\"\"", escaped()),
        _ => toml::Value::String(text.to_string()).to_string(),
    }
}

/// A TOML key: `text` as a basic or a literal string.
fn quoted_key(text: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (text, 0u8..2).prop_map(|(t, style)| toml_string(&t, style))
}

/// A TOML string of text from `text`, in any style.
fn quoted(text: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (text, any::<u8>()).prop_map(|(t, style)| toml_string(&t, style))
}

/// Byte ranges of the one-line string literals of a TOML text, quotes
/// included (triple-quoted strings are skipped).
fn string_literals(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let quote = bytes[i];
        if quote == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if quote != b'"' && quote != b'\'' {
            i += 1;
            continue;
        }
        if bytes[i..].starts_with(&[quote; 3]) {
            i += 3;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && bytes[j] != quote && bytes[j] != b'\n' {
            j += if quote == b'"' && bytes[j] == b'\\' {
                2
            } else {
                1
            };
        }
        if j < bytes.len() && bytes[j] == quote {
            found.push(i..j + 1);
        }
        i = j + 1;
    }
    found
}

/// Applies the mutations in order.
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in mutations {
        text = match m {
            Mutation::Delete(at, len) => {
                let mut chars: Vec<char> = text.chars().collect();
                if !chars.is_empty() {
                    let start = at.index(chars.len());
                    let end = (start + len).min(chars.len());
                    chars.drain(start..end);
                }
                chars.into_iter().collect()
            }
            Mutation::Insert(at, s) => {
                let mut chars: Vec<char> = text.chars().collect();
                let pos = at.index(chars.len() + 1);
                chars.splice(pos..pos, s.chars());
                chars.into_iter().collect()
            }
            Mutation::Replace(at, s) => {
                let mut chars: Vec<char> = text.chars().collect();
                if chars.is_empty() {
                    s.clone()
                } else {
                    let pos = at.index(chars.len());
                    chars.splice(pos..=pos, s.chars());
                    chars.into_iter().collect()
                }
            }
            Mutation::DuplicateLine(at) => {
                let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let i = at.index(lines.len());
                    lines.insert(i, lines[i]);
                }
                lines.concat()
            }
            Mutation::DeleteLine(at) => {
                let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    lines.remove(at.index(lines.len()));
                }
                lines.concat()
            }
            Mutation::SwapLines(a, b) => {
                let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                    lines.swap(a, b);
                }
                lines.concat()
            }
            Mutation::SetString(at, new) => {
                let literals = string_literals(&text);
                if literals.is_empty() {
                    text
                } else {
                    let range = literals[at.index(literals.len())].clone();
                    let mut out = text.clone();
                    out.replace_range(range, new);
                    out
                }
            }
            Mutation::SetValue(at, new) | Mutation::SetKey(at, new) => {
                let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
                let assignments: Vec<usize> = (0..lines.len())
                    .filter(|i| !lines[*i].trim_start().starts_with('#') && lines[*i].contains('='))
                    .collect();
                if !assignments.is_empty() {
                    let i = assignments[at.index(assignments.len())];
                    let line = &lines[i];
                    let eq = line.find('=').unwrap_or(0);
                    let newline = if line.ends_with('\n') { "\n" } else { "" };
                    lines[i] = if matches!(m, Mutation::SetValue(..)) {
                        format!("{}= {new}{newline}", &line[..eq])
                    } else {
                        format!("{new} {}", &line[eq..])
                    };
                }
                lines.concat()
            }
        };
    }
    text
}
