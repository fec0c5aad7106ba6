#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property-based fuzzing of every parser that reads text a person wrote:
//! runbooks, conditions, thresholds, Markdown guides, keymaps, themes and
//! journals. Each property feeds arbitrary and structure-aware (mutated
//! real files, grammar-built) inputs and asserts that the call returns (no
//! panic, no hang) with a well-formed answer.
//!
//! Every call runs on its own thread and must answer within `HANG`; inputs
//! are bounded in size, so a slower answer means a hang or a blow-up.
//! `PROPTEST_CASES` overrides the number of cases of every property.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use ops_tui::action::Action;
use ops_tui::condition::{Condition, ConditionError, Observed, judge};
use ops_tui::config::keymap::{InputContext, Keymap, Mode};
use ops_tui::config::keys::Key;
use ops_tui::config::theme::{Status, Theme};
use ops_tui::import::import;
use ops_tui::journal::{Entry, Evidence, Journal, Milestone, Record, Step};
use ops_tui::prom::threshold::Threshold;
use ops_tui::runbook::{Runbook, RunbookError, Unit};
use proptest::prelude::*;
use proptest::sample::{Index, select};

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

// ---------------------------------------------------------------------------
// 1. Runbooks
// ---------------------------------------------------------------------------

const RUNBOOKS: [&str; 2] = [
    include_str!("../../../runbooks/example.toml"),
    include_str!("../../../runbooks/demo.toml"),
];

/// TOML and runbook fragments: delimiters, keys, tables, values.
fn toml_snippet() -> BoxedStrategy<String> {
    prop_oneof![
        select(vec![
            "\"\"\"",
            "'''",
            "[[",
            "]]",
            "[service]",
            "[env.x]",
            "[env.\"\"]",
            "[[workload]]",
            "[[probe]]",
            "[[signal]]",
            "[[phase]]",
            "name = \"\"",
            "name = \"a\"",
            "url = \"${base}/x\"",
            "url = \"${nope}\"",
            "url = \"${\"",
            "url = \"\\u00e9${ base }\"",
            "check = \"probe:*\"",
            "check = \"signal:\"",
            "check = \"rollout:nope\"",
            "fail = [\"[STATUS] == 200\"]",
            "fail = [\"[BODY].\"]",
            "warn = \"> 1%\"",
            "warn = \"=> x\"",
            "unit = \"bytes\"",
            "every = \"0s\"",
            "every = \"99999999999d\"",
            "timeout = \"-1s\"",
            "items = [",
            "{ text = \"t\", check = \"alerts\" }",
            "namespace = \"Bad_NS\"",
            "selector = \"\"",
            "blue_green = { service = \"\", label = \"\" }",
            "vars = { base = \"${base}\" }",
            "protected = 1",
            "1e400",
            "nan",
            "-inf",
            "0x",
            "1979-05-27T07:32:00Z",
            "\"\\",
            "\\\n",
        ])
        .prop_map(String::from),
        junk_snippet(),
    ]
    .boxed()
}

/// Strings for a runbook: conditions, thresholds, URLs, durations, checks
/// and names, in every string style.
fn runbook_string() -> BoxedStrategy<String> {
    let words = select(vec![
        "",
        " ",
        "x",
        "a b",
        "${base}",
        "${base}/health",
        "${ base }/x",
        "${nope}",
        "${",
        "${}",
        "$$",
        "https://example.com/health",
        "http://[::1]:80/",
        "ftp://x/",
        "not a url",
        "10s",
        "0s",
        "-1s",
        "1h30m",
        "99999999999999d",
        "300",
        "probe:*",
        "probe:",
        "signal:error-rate",
        "rollout:*",
        "rollout:nope",
        "alerts",
        "alerts:x",
        "app=api",
        "app in (a,b)",
        "payments",
        "Bad_NS",
        "percent",
        "bytes",
        "GET",
        "OPTIONS",
        "é",
        "🦀",
        "\t",
        "${base}é${base}",
    ])
    .prop_map(String::from);
    prop_oneof![
        3 => quoted(condition_text()),
        3 => quoted(valid_condition()),
        2 => quoted(threshold_text()),
        3 => quoted(words),
        1 => quoted(".{0,16}"),
    ]
    .boxed()
}

/// Values for a runbook's keys: conditions, thresholds, URLs, durations,
/// checks and names in every string style, and values of other types.
fn runbook_value() -> BoxedStrategy<String> {
    prop_oneof![
        3 => runbook_string(),
        2 => prop::collection::vec(quoted(prop_oneof![valid_condition(), condition_text()]), 0..3)
            .prop_map(|v| format!("[{}]", v.join(", "))),
        1 => select(vec![
            "0", "-1", "4294967296", "99999999999999999999", "1.5", "nan", "inf", "true",
            "false", "[]", "{}", "[[]]", "{ base = \"x\" }", "{ service = \"s\" }",
            "1979-05-27", "[\"a\", 1]", "{ text = \"t\", check = \"probe:*\" }",
        ])
        .prop_map(String::from),
    ]
    .boxed()
}

/// Keys for a runbook's lines: known ones, unknown ones, odd quoting.
fn runbook_key() -> BoxedStrategy<String> {
    prop_oneof![
        select(vec![
            "name",
            "url",
            "fail",
            "warn",
            "every",
            "timeout",
            "check",
            "items",
            "text",
            "id",
            "query",
            "unit",
            "namespace",
            "context",
            "prometheus",
            "vars",
            "protected",
            "read_only",
            "selector",
            "blue_green",
            "method",
            "headers",
            "burst",
            "insecure",
            "nope",
            "\"\"",
            "a.b",
            "\"a.b\"",
            "'x'",
        ])
        .prop_map(String::from),
        quoted_key(".{0,8}"),
    ]
    .boxed()
}

/// Checks a runbook error: it has diagnostics, each inside the text
/// (1-based line and column, the column at most one past its line's end).
fn check_diagnostics(text: &str, err: &RunbookError) -> Result<(), TestCaseError> {
    let diagnostics = err.diagnostics();
    prop_assert!(
        !diagnostics.is_empty(),
        "an error without diagnostics: {err}"
    );
    let lines: Vec<&str> = text.split('\n').collect();
    for d in diagnostics {
        prop_assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        prop_assert!(
            d.line <= text.lines().count() + 1,
            "{d:?} is past the last line"
        );
        let line = lines.get(d.line - 1).copied().unwrap_or("");
        prop_assert!(
            d.column <= line.chars().count() + 1,
            "{d:?} is past the end of line {:?}",
            line
        );
    }
    Ok(())
}

fn parse_runbook(text: &str) -> Result<(), TestCaseError> {
    let owned = text.to_string();
    let result = bounded("Runbook::parse", move || {
        Runbook::parse(Path::new("x.toml"), &owned).map(|_| ())
    });
    match result {
        Ok(()) => Ok(()),
        Err(e) => check_diagnostics(text, &e),
    }
}

#[test]
fn the_runbooks_mutated_here_load() {
    for text in RUNBOOKS {
        Runbook::parse(Path::new("x.toml"), text).unwrap();
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn runbook_arbitrary_text_is_ok_or_positioned_errors(text in arbitrary_text()) {
        parse_runbook(&text)?;
    }

    #[test]
    fn runbook_mutated_is_ok_or_positioned_errors(
        which in 0..RUNBOOKS.len(),
        edits in toml_mutations(toml_snippet(), runbook_value(), runbook_string(), runbook_key()),
    ) {
        parse_runbook(&mutate(RUNBOOKS[which], &edits))?;
    }
}

// ---------------------------------------------------------------------------
// 2. Conditions
// ---------------------------------------------------------------------------

/// White space between tokens, none included.
fn ws() -> impl Strategy<Value = &'static str> {
    select(vec!["", " ", " ", "  ", "\t", "\u{a0}", "\u{3000}", "\n"])
}

/// `[BODY]` path segments: keys, indexes, quoted keys, broken ones.
fn body_segment() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-zA-Z_0-9é-]{1,6}".prop_map(|k| format!(".{k}")),
        (-4i64..6).prop_map(|i| format!("[{i}]")),
        "[a-z. \"\\\\]{0,6}".prop_map(|k| format!("[\"{k}\"]")),
        "[a-z. ]{0,6}".prop_map(|k| format!("['{k}']")),
        select(vec![
            ".",
            "[",
            "]",
            "[]",
            "[-]",
            "[--1]",
            "[1-]",
            "[99999999999999999999]",
            "[-9223372036854775808]",
            "[9223372036854775807]",
            "['x]",
            "[\"x",
            ".a.b",
            ".odd.key",
            "..",
        ])
        .prop_map(String::from),
    ]
    .boxed()
}

fn placeholder() -> BoxedStrategy<String> {
    prop_oneof![
        select(vec![
            "[STATUS]",
            "[RESPONSE_TIME]",
            "[CERTIFICATE_EXPIRATION]",
            "[CONNECTED]",
            "[HEALTH]",
            "[BODY]",
            "[status]",
            "[STATUS",
            "[]",
            "[",
            "[BODDY]",
            "[HEADER].",
            "[HEADER]",
            "[STATUS_COUNT].",
            "[STATUS].x",
            "[HEALTH][0]",
        ])
        .prop_map(String::from),
        prop::collection::vec(body_segment(), 0..5).prop_map(|s| format!("[BODY]{}", s.concat())),
        "[A-Za-z0-9_.~'*+#$%&^|`-]{0,12}".prop_map(|h| format!("[HEADER].{h}")),
        select(vec![
            "429", "5xx", "5XX", "1xx", "6xx", "600", "099", "0429", "", "x", "99999"
        ])
        .prop_map(|k| format!("[STATUS_COUNT].{k}")),
    ]
    .boxed()
}

/// Literal values: numbers (huge ones too), durations, words, strings.
fn value() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        (
            0u32..100_000,
            select(vec![
                "ms", "s", "m", "h", "d", "w", "y", "us", "ns", "x", ""
            ])
        )
            .prop_map(|(n, u)| format!("{n}{u}")),
        select(vec![
            "200",
            "-0",
            "1e308",
            "1e309",
            "-1e309",
            "1e-400",
            "99999999999999999999999999",
            "0x10",
            "NaN",
            "inf",
            "1h30m",
            "-5m",
            "--5m",
            "18446744073709551615d",
            "9999999999999999999h",
            "1.5.3",
            "+",
            "e",
            "true",
            "false",
            "pass",
            "WARN",
            "fail",
            "UP",
            "healthy",
            "https://shop.example.com",
            "*",
            "?",
        ])
        .prop_map(String::from),
        "[a-zA-Z0-9_./:*?-]{1,12}",
        ".{0,10}".prop_map(|s| format!("\"{}\"", s.replace('"', "\\\""))),
        ".{0,10}".prop_map(|s| format!("'{s}'")),
        ".{0,10}".prop_map(|s| format!("\"{s}")),
    ]
    .boxed()
}

fn function() -> BoxedStrategy<String> {
    prop_oneof![
        (
            select(vec!["len", "has", "LEN", "lenn", "size"]),
            ws(),
            placeholder(),
            ws(),
            select(vec![")", "", "))", ",)"])
        )
            .prop_map(|(f, a, p, b, close)| format!("{f}({a}{p}{b}{close}")),
        ("[a-z*?. \\[\\]\"'\\\\]{0,12}", select(vec![")", ""]))
            .prop_map(|(g, close)| format!("pat({g}{close}")),
        (
            prop::collection::vec(
                prop_oneof![
                    value(),
                    "[a-z*?]{0,6}".prop_map(|g| format!("pat({g})")),
                    Just("any(1)".to_string()),
                    Just("len([BODY])".to_string()),
                    placeholder()
                ],
                0..5
            ),
            select(vec![", ", ",", " ,"]),
            select(vec![")", "", ",)"])
        )
            .prop_map(|(vs, sep, close)| format!("any({}{close}", vs.join(sep))),
    ]
    .boxed()
}

fn operand() -> BoxedStrategy<String> {
    prop_oneof![3 => placeholder(), 2 => function(), 3 => value()].boxed()
}

fn operator() -> impl Strategy<Value = &'static str> {
    select(vec![
        "==", "!=", "<", "<=", ">", ">=", "=", "!", "===", "<>", "=>", "=<", "!==", "≥", "",
    ])
}

/// Well-formed conditions: each placeholder with an operator and a value
/// of its kind, either side first.
fn valid_condition() -> BoxedStrategy<String> {
    let number = prop_oneof![
        any::<i32>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        select(vec!["0", "200", "1e308", "-1e308", "0.5", "1e-300"]).prop_map(String::from),
    ];
    let duration = prop_oneof![
        (0u64..10_000_000, select(vec!["ms", "s", "m", "h", "d", ""]))
            .prop_map(|(n, u)| format!("{n}{u}")),
        select(vec![
            "1h30m",
            "-5m",
            "0",
            "18446744073709551615d",
            "1e308",
            "-1e308",
            "'10s'"
        ])
        .prop_map(String::from),
    ];
    let path = prop::collection::vec(
        select(vec![
            ".status",
            ".a",
            ".b",
            ".c",
            "[0]",
            "[1]",
            "[2]",
            "[-1]",
            "[-9]",
            "[\"odd.key\"]",
            ".items",
            ".n",
            ".big",
            ".neg",
            ".s",
            ".nested",
            "[\"\"]",
            ".STATUS",
        ]),
        0..4,
    )
    .prop_map(|p| p.concat());
    let header = select(vec!["X-Frame-Options", "content-type", "X-Odd", "Missing"]);
    let text = prop_oneof![
        "[A-Za-z0-9_.:/-]{1,10}",
        ".{0,10}".prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
        "[a-zA-Z*?]{1,8}".prop_map(|g| format!("pat({g})")),
        prop::collection::vec("[a-zA-Z0-9*?]{1,6}", 1..4)
            .prop_map(|v| format!("any({})", v.join(", "))),
    ];
    let all = select(vec!["==", "!=", "<", "<=", ">", ">="]);
    let eq = select(vec!["==", "!="]);
    let numeric = prop_oneof![
        Just("[STATUS]".to_string()),
        select(vec!["429", "5xx", "2XX", "100"]).prop_map(|k| format!("[STATUS_COUNT].{k}")),
        Just("len([BODY])".to_string()),
        path.clone().prop_map(|p| format!("len([BODY]{p})")),
        header.clone().prop_map(|h| format!("len([HEADER].{h})")),
    ];
    let timed = select(vec!["[RESPONSE_TIME]", "[CERTIFICATE_EXPIRATION]"]).prop_map(String::from);
    let textual = prop_oneof![
        path.clone().prop_map(|p| format!("[BODY]{p}")),
        header.clone().prop_map(|h| format!("[HEADER].{h}")),
    ];
    let sides = prop_oneof![
        (numeric, all.clone(), number.clone()),
        (timed, all.clone(), duration),
        (textual.clone(), eq.clone(), text),
        (textual, all, number),
        (
            Just("[CONNECTED]".to_string()),
            eq.clone(),
            select(vec!["true", "false"]).prop_map(String::from)
        ),
        (
            Just("[HEALTH]".to_string()),
            eq,
            select(vec!["pass", "WARN", "Fail"]).prop_map(String::from)
        ),
    ];
    let lone = prop_oneof![
        Just("[CONNECTED]".to_string()),
        path.prop_map(|p| format!("has([BODY]{p})")),
        header.prop_map(|h| format!("has([HEADER].{h})")),
    ];
    prop_oneof![
        4 => (sides, any::<bool>()).prop_map(|((p, op, v), swap)| {
            if swap { format!("{v} {op} {p}") } else { format!("{p} {op} {v}") }
        }),
        1 => lone,
    ]
    .boxed()
}

/// Conditions built from the grammar: `A op B`, lone operands, and token
/// soups (operands, operators and junk in any order).
fn condition_text() -> BoxedStrategy<String> {
    let token = prop_oneof![
        4 => operand(),
        2 => operator().prop_map(String::from),
        1 => junk_snippet(),
    ];
    prop_oneof![
        6 => (ws(), operand(), ws(), operator(), ws(), operand(), ws())
            .prop_map(|(a, l, b, op, c, r, d)| format!("{a}{l}{b}{op}{c}{r}{d}")),
        2 => (ws(), operand(), ws()).prop_map(|(a, o, b)| format!("{a}{o}{b}")),
        2 => (prop::collection::vec(token, 0..7), ws()).prop_map(|(t, w)| t.join(w)),
    ]
    .boxed()
}

use crate::common::observations::OBSERVATIONS;

/// Parses a condition and, when it parses, judges it against every
/// observation; errors must point inside the text.
fn parse_condition(text: &str) -> Result<(), TestCaseError> {
    let owned = text.to_string();
    let result: Result<(), ConditionError> = bounded("Condition::parse and evaluate", move || {
        let c = Condition::parse(&owned)?;
        for o in OBSERVATIONS.iter() {
            let e = c.evaluate(o);
            assert_eq!(e.condition, owned);
            assert!(e.ok || e.error.is_some() || !e.resolved.is_empty());
            judge(std::slice::from_ref(&c), std::slice::from_ref(&c), o);
        }
        Ok(())
    });
    if let Err(e) = result {
        prop_assert!(
            e.at <= text.chars().count(),
            "error at {} is past the end ({} characters): {e}",
            e.at,
            text.chars().count()
        );
    }
    Ok(())
}

#[test]
fn the_observations_are_judged_without_panicking() {
    // Every placeholder, against every observation, once.
    for text in [
        "[STATUS] == 200",
        "[RESPONSE_TIME] < 1s",
        "[CERTIFICATE_EXPIRATION] > 14d",
        "[CONNECTED]",
        "[HEALTH] == pass",
        "[BODY] == pat(*UP*)",
        "[BODY].a.b[-1].c == x",
        "len([BODY].items) > 0",
        "has([HEADER].X-Frame-Options)",
        "[STATUS_COUNT].429 > 0",
        "[STATUS_COUNT].5xx == 0",
    ] {
        parse_condition(text).unwrap();
    }
}

/// Status count totals past u32::MAX are taken without overflow.
#[test]
fn status_counts_past_u32_max_do_not_panic() {
    let o = Observed {
        connected: true,
        status: Some(200),
        status_counts: BTreeMap::from([(200, u32::MAX), (429, 1)]),
        ..Observed::default()
    };
    Condition::parse("[STATUS_COUNT].429 == 0")
        .unwrap()
        .evaluate(&o);
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn condition_arbitrary_text_parses_or_errs_inside(text in prop_oneof![
        arbitrary_text(),
        "[\\[\\]().,=!<>\"' a-zA-Z0-9_*?\\\\-]{0,64}",
    ]) {
        parse_condition(&text)?;
    }

    #[test]
    fn condition_grammar_parses_or_errs_inside(text in prop_oneof![
        condition_text(),
        valid_condition(),
    ]) {
        parse_condition(&text)?;
    }
}

// ---------------------------------------------------------------------------
// 3. Thresholds
// ---------------------------------------------------------------------------

/// No unit, then each unit.
fn units() -> impl Iterator<Item = Option<Unit>> {
    std::iter::once(None).chain(Unit::ALL.map(Some))
}

/// `op number suffix` with white space around, valid and not.
fn threshold_text() -> BoxedStrategy<String> {
    let op = select(vec![
        ">", ">=", "<", "<=", "==", "!=", "=", "=>", "<>", "!", "≥", "", ">>",
    ]);
    let number = prop_oneof![
        "[-+]?[0-9_]{0,6}(\\.[0-9_]{0,4})?([eE][-+]?[0-9]{0,4})?",
        any::<f64>().prop_map(|n| n.to_string()),
        select(vec![
            "1e308",
            "1e309",
            "-1e309",
            "1.7976931348623157e308",
            "0.0",
            "-0",
            ".",
            "..",
            "_",
            "1__0",
            "1e",
            "1e+",
            "+",
            "-",
            "NaN",
            "inf",
            "٣",
        ])
        .prop_map(String::from),
        (1usize..400).prop_map(|n| "9".repeat(n)),
    ];
    let suffix = prop_oneof![
        select(vec![
            "", "%", "ms", "s", "m", "h", "B", "KiB", "MiB", "GiB", "TiB", "kB", "MB", "GB", "TB",
            "KB", "%%", "µs", "d", "b", "S", "ms ms", "é",
        ])
        .prop_map(String::from),
        junk_snippet(),
    ];
    let any_parts = (ws(), op, ws(), number, ws(), suffix, ws())
        .prop_map(|(a, op, b, n, c, s, d)| format!("{a}{op}{b}{n}{c}{s}{d}"));
    let valid_parts = (
        select(vec![">", ">=", "<", "<=", "==", "!="]),
        ws(),
        "-?[0-9]{1,6}(\\.[0-9]{1,3})?(e-?[0-9]{1,3})?",
        ws(),
        select(vec![
            "", "%", "ms", "s", "m", "h", "B", "KiB", "MiB", "GiB", "TiB", "kB", "MB", "GB", "TB",
        ]),
    )
        .prop_map(|(op, a, n, b, s)| format!("{op}{a}{n}{b}{s}"));
    prop_oneof![any_parts, valid_parts].boxed()
}

fn parse_threshold(text: &str, unit: Option<Unit>) -> Result<(), TestCaseError> {
    let owned = text.to_string();
    let result = bounded("Threshold::parse_for", move || {
        Threshold::parse_for(&owned, unit)
    });
    match result {
        Ok(t) => {
            prop_assert!(t.value.is_finite(), "{t:?}");
            prop_assert_eq!(t.text.as_str(), text.trim());
        }
        Err(e) => prop_assert!(
            e.at <= text.chars().count(),
            "error at {} is past the end ({} characters): {e}",
            e.at,
            text.chars().count()
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn threshold_arbitrary_text_parses_or_errs_inside(
        text in arbitrary_text(),
        unit in select(units().collect::<Vec<_>>()),
    ) {
        parse_threshold(&text, unit)?;
    }

    #[test]
    fn threshold_op_number_suffix_parses_or_errs_inside(text in threshold_text()) {
        for unit in units() {
            parse_threshold(&text, unit)?;
        }
    }
}

// ---------------------------------------------------------------------------
// 4. The Markdown importer
// ---------------------------------------------------------------------------

use crate::common::guides;

/// Lines a deployment guide has: headings, checklists, status lists,
/// steps, shell and YAML in fences, tables, mojibake.
fn markdown_line() -> BoxedStrategy<String> {
    let word = "[A-Za-z0-9 ._/:\"'\\\\${}%#?=é✅-]{0,16}";
    prop_oneof![
        12 => select(vec![
            "# Shop API Production Deployment Guide",
            "# Production Deployment Guide",
            "# ",
            "#",
            "## Pre-Deployment",
            "## 1. Post-Deployment",
            "## Daily checks",
            "### Weekly",
            "## ✅ Done",
            "- [ ] All health endpoints responding",
            "- [x] Error rate below 1%",
            "  - [ ] nested task",
            "* [ ] TLS certificate valid for 14 days",
            "- [ ]",
            "- [ ] ",
            "- ✅ Security headers present",
            "- ❌ Rate limiting active",
            "- ⏳ Memory below 80%",
            "✅ status line",
            "1. Roll out the deployment",
            "2. Verify rollout complete",
            "1.",
            "```",
            "```bash",
            "```yaml",
            "```sh",
            "~~~",
            "curl -f https://api.example.com/health",
            "curl -fsS http://localhost:8080/healthz",
            "curl -I https://api.example.com/ | grep -i strict-transport-security",
            "curl -I https://x | grep -E \"(Strict-Transport|Content-Security|X-Frame)\"",
            "for i in $(seq 1 50); do curl -s https://api.example.com/api; done",
            "for i in {1..100}; do curl https://api.example.com/login; done",
            "curl -X POST https://api.example.com/health",
            "curl https://${HOST}/status",
            "curl \"https://api.example.com/ready\"",
            "curl -f https://[::1]:8443/livez",
            "curl -f https://exa mple.com/health",
            "kubectl -n prod rollout status deployment/api",
            "kubectl rollout status deploy api --namespace=prod",
            "kubectl create namespace shop-prod",
            "kubectl -n Bad_NS get pods",
            "kubectl patch service api -p '{\"spec\":{\"selector\":{\"version\":\"green\"}}}'",
            "kubectl patch service web -n prod -p '{\"spec\":{\"selector\":{\"\":\"x\"}}}'",
            "apiVersion: apps/v1",
            "kind: Deployment",
            "kind: Namespace",
            "metadata:",
            "  name: api",
            "  name: \"\"",
            "  namespace: prod",
            "livenessProbe:",
            "readinessProbe:",
            "  httpGet:",
            "    path: /healthz",
            "    port: 8080",
            "- alert: HighErrorRate",
            "  expr: rate(http_requests_total{status=~\"5..\"}[5m]) > 0.05",
            "  expr: up == 0",
            "  expr: x > ",
            "  expr: a > b < c >= 1e999",
            "- alert: ",
            "| Check | Status |",
            "|---|---|",
            "| Health | ✅ |",
            "> Note: production",
            "<!-- staging -->",
            "## ðŸ“‹ Overview",
            "- âœ… mis-encoded",
            "- ‚úÖ mac roman",
            "**bold** _em_ `code`",
            "`curl -f https://inline.example.com/ping`",
            "[link](https://example.com/health)",
            "curl -f 'https://api.example.com/he${x}alth'",
            "curl -f \"https://api.example.com/a\\\"b/health\"",
            "curl -f https://API.Example.COM:99999/health",
            "curl -f https://user:pass@api.example.com/health",
            "curl -f https://api.example.com/health#frag",
            "curl -f https://api.example.com/%zz/health",
            "curl -f https://ho_st.example.com/health",
            "curl -f https://api.example.com/health?x=\"'\\",
            "curl -f https://é.example.com/santé/health",
            "curl -f https://${HOST}:${PORT}/healthz",
            "curl -fsS $BASE_URL/health",
            "curl -f http://localhost/health; curl -f http://localhost/health",
            "curl -I https://api.example.com/ | grep -i \"x-frame'\"",
            "for i in $(seq 1 99999999999); do curl https://api.example.com/x; done",
            "for i in $(seq 1 0); do curl https://api.example.com/x; done",
            "kubectl -n \"\" get pods",
            "kubectl -n ${NS} rollout status deployment/${APP}",
            "kubectl rollout status deployment/API_Server -n Prod",
            "kubectl rollout status deployment/ -n",
            "kubectl create namespace a-very-long-namespace-name-that-is-longer-than-sixty-three-chars",
            "kubectl patch service w -p '{\"spec\":{\"selector\":{\"ver\\\"sion\":\"x\"}}}'",
            "  name: Api_Server",
            "  name: ${APP}",
            "  namespace: \"${NS}\"",
            "    path: \"/health z\"",
            "    path: health",
            "- alert: A",
            "- alert: é \"quoted\" ${x}",
            "  expr: a{x=\"'''\\\"\"} > 1",
            "  expr: up{job=\"${job}\"} == 0",
            "  expr: rate(x[5m]) > 1e400",
            "  expr: x > -inf",
            "- [ ] \"\"\" triple ''' quotes \\ backslash ${var} $$",
            "- [ ] tab\there and \u{1b}[31m escape \u{7f}",
            "- [ ] Error rate below 1% and p95 below 300ms and cert valid 14 days",
            "- [ ] Memory below 80% ${x}",
            "- [ ] All health endpoints return 200",
            "- [ ] Rate limiting returns 429 for bursts",
            "- [ ] Security headers (HSTS, X-Frame-Options) present",
            "- [ ] No critical alerts firing",
            "- [ ] Rollout complete for api",
            "## [x] heading with a box",
            "## ✅✅✅",
            "",
        ])
        .prop_map(String::from),
        2 => (select(vec!["# ", "## ", "- [ ] ", "- [x] ", "1. ", "- ✅ ", "    ", ""]), word)
            .prop_map(|(p, w)| format!("{p}{w}")),
        1 => (1usize..100).prop_map(|n| format!("- [ ] {}", "long item ".repeat(n))),
        2 => (select(vec!["http", "https", "ftp", ""]), word, word)
            .prop_map(|(s, h, p)| format!("curl -f {s}://{h}/{p}/health")),
        2 => junk_snippet(),
    ]
    .boxed()
}

fn markdown_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(markdown_line(), 0..60),
        select(vec!["\n", "\r\n", "\n\n"]),
    )
        .prop_map(|(lines, nl)| lines.join(nl))
}

fn markdown_snippet() -> BoxedStrategy<String> {
    prop_oneof![
        2 => markdown_line().prop_map(|l| format!("\n{l}\n")),
        1 => markdown_line(),
    ]
    .boxed()
}

fn guide_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("guide.md".to_string()),
        1 => select(vec![
            "",
            ".md",
            "-.md",
            "Ω.md",
            "${x}.md",
            "\"q\".md",
            "a\nb.md",
            "UPPER CASE GUIDE.MD",
            "deployment.md",
            "production-readiness.md",
        ])
        .prop_map(String::from),
        1 => ".{0,12}",
    ]
}

/// Imports a guide; whenever it succeeds, its runbook must load.
fn import_guide(markdown: &str, name: &str) -> Result<(), TestCaseError> {
    let (md, nm) = (markdown.to_string(), name.to_string());
    let result = bounded("import and Runbook::parse", move || {
        import(&md, &nm).map(|imported| {
            let parsed = Runbook::parse(Path::new("imported.toml"), &imported.toml)
                .map(|_| ())
                .map_err(|e| e.to_string());
            (imported.toml, parsed)
        })
    });
    if let Ok((toml, Err(e))) = result {
        prop_assert!(
            false,
            "the imported runbook does not load:\n{e}\n--- runbook ---\n{toml}"
        );
    }
    Ok(())
}

#[test]
fn the_guides_import_into_runbooks_that_load() {
    let Some(guides) = guides::all() else { return };
    for (name, text) in guides {
        import_guide(text, name).unwrap();
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn import_arbitrary_text(text in arbitrary_text(), name in guide_name()) {
        import_guide(&text, &name)?;
    }

    #[test]
    fn import_grammar_built_guides(text in markdown_text(), name in guide_name()) {
        import_guide(&text, &name)?;
    }
}

#[test]
fn import_mutated_guides() {
    // Outside the property, so that a missing directory is one skip or one
    // failure, not one per case.
    let Some(guides) = guides::all() else { return };
    proptest!(config(96), |(which in 0..guides.len(), edits in mutations(markdown_snippet()))| {
        let (name, text) = &guides[which];
        import_guide(&mutate(text, &edits), name)?;
    });
}

/// Without `../shared/guides` the two tests above skip in one line, and
/// fail when `OPS_TUI_REQUIRE_SHARED=1`.
#[test]
fn the_guide_tests_skip_without_the_guides_unless_required() {
    guides::assert_skip_and_require(
        module_path!(),
        &[
            "the_guides_import_into_runbooks_that_load",
            "import_mutated_guides",
        ],
    );
}

// ---------------------------------------------------------------------------
// 5. Keymaps and themes
// ---------------------------------------------------------------------------

const KEYMAP: &str = include_str!("../../../keymaps/default.toml");
const THEME: &str = include_str!("../../../themes/default.toml");

/// A user file: text, or raw bytes (which may not be UTF-8).
#[derive(Debug, Clone)]
enum UserFile {
    Text(String),
    Bytes(Vec<u8>),
}

impl UserFile {
    fn bytes(&self) -> &[u8] {
        match self {
            UserFile::Text(t) => t.as_bytes(),
            UserFile::Bytes(b) => b,
        }
    }

    /// Whether the file is UTF-8 text that parses as a TOML document
    /// (values left unconverted, as the loaders read them).
    fn is_toml(&self) -> bool {
        std::str::from_utf8(self.bytes()).is_ok_and(|t| toml::de::DeTable::parse(t).is_ok())
    }
}

fn user_file(base: &'static str) -> impl Strategy<Value = UserFile> {
    let extra = prop_oneof![
        select(vec![
            "[dashboard]",
            "[list]",
            "[dialog]",
            "[editor]",
            "[colors]",
            "[nope]",
            "extends = \"vim\"",
            "extends = \"default\"",
            "extends = \"light\"",
            "extends = \"custom\"",
            "extends = 1",
            "q = \"unbind\"",
            "q = \"quitt\"",
            "ctrl-alt-shift-f99 = \"quit\"",
            "\"\" = \"quit\"",
            "\"ctrl-\" = \"quit\"",
            "x = 1",
            "x = { a = 1 }",
            "text = \"#zzzzzz\"",
            "text = \"256\"",
            "text = \"#fff\"",
            "text = \"\"",
            "colors = 1",
            "[colors.text]",
            "dashboard = \"x\"",
        ])
        .prop_map(|s| format!("\n{s}\n")),
    ]
    .boxed();
    let snippet = prop_oneof![2 => extra, 1 => toml_snippet()].boxed();
    let string = prop_oneof![
        3 => quoted(select(vec![
            "quit", "unbind", "help", "focus_next", "quitt", "", "red", "lightblue", "reset",
            "#ff0000", "#FFF", "#gggggg", "0", "255", "256", "-1", "vim", "default", "é",
        ]).prop_map(String::from)),
        1 => quoted(".{0,12}"),
    ]
    .boxed();
    let value = prop_oneof![
        2 => string.clone(),
        1 => select(vec!["1", "true", "[]", "{}", "[\"q\"]", "{ q = \"quit\" }", "1e400"])
            .prop_map(String::from),
    ]
    .boxed();
    let key = prop_oneof![
        quoted_key(
            select(vec![
                "q",
                "ctrl-c",
                "ctrl-",
                "shift-tab",
                "f1",
                "f24",
                "f25",
                "f0",
                "alt-shift-ctrl-x",
                "super-x",
                "space",
                "é",
                "🦀",
                "",
                " ",
                "ctrl-ctrl-x",
                "enter",
                "text",
                "colors",
                "extends",
                "accent",
                "nope",
            ])
            .prop_map(String::from)
        ),
        quoted_key(".{0,6}"),
    ]
    .boxed();
    prop_oneof![
        3 => toml_mutations(snippet, value, string, key).prop_map(move |m| UserFile::Text(mutate(base, &m))),
        1 => arbitrary_text().prop_map(UserFile::Text),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(UserFile::Bytes),
    ]
}

/// Every binding of a keymap, mode by mode.
fn keymap_bindings(keymap: &Keymap) -> Vec<(Mode, Key, Action)> {
    Mode::ALL
        .iter()
        .flat_map(|m| keymap.bindings(*m).map(move |(k, a)| (*m, k, a)))
        .collect()
}

/// A config dir holding `sub/name.toml`.
fn user_dir(sub: &str, name: &str, file: &UserFile) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    std::fs::write(
        dir.path().join(sub).join(format!("{name}.toml")),
        file.bytes(),
    )
    .unwrap();
    dir
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn keymap_user_files_load_with_warnings(
        file in user_file(KEYMAP),
        name in select(vec!["default", "vim", "custom"]),
    ) {
        let dir = user_dir("keymaps", name, &file);
        let path = dir.path().to_path_buf();
        let (bindings, warnings) = bounded("Keymap::load", move || {
            let (keymap, warnings) = Keymap::load(name, Some(&path));
            let ctx = InputContext { dialog_open: false, editor_focused: false, log_view: false };
            for k in ["q", "tab", "ctrl-c", "esc", "enter"] {
                keymap.dispatch(ctx, Key::parse(k).unwrap());
            }
            (keymap_bindings(&keymap), warnings)
        });
        if !file.is_toml() {
            prop_assert!(!warnings.is_empty(), "a file that is not TOML loaded silently");
            let (builtin, _) = Keymap::load(name, None);
            prop_assert_eq!(
                bindings,
                keymap_bindings(&builtin),
                "a file that is not TOML changed the bindings"
            );
        }
    }

    #[test]
    fn theme_user_files_load_with_warnings(
        file in user_file(THEME),
        name in select(vec!["default", "light", "custom"]),
        no_color in any::<bool>(),
    ) {
        let dir = user_dir("themes", name, &file);
        let path = dir.path().to_path_buf();
        let (colors, warnings) = bounded("Theme::load", move || {
            let (theme, warnings) = Theme::load(name, Some(&path), no_color);
            for s in [Status::Ok, Status::Warn, Status::Fail, Status::Unknown] {
                theme.status(s);
            }
            theme.base();
            theme.selection();
            (theme.colors, warnings)
        });
        if !file.is_toml() {
            prop_assert!(!warnings.is_empty(), "a file that is not TOML loaded silently");
            prop_assert_eq!(
                colors,
                Theme::load(name, None, no_color).0.colors,
                "a file that is not TOML changed the colours"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 6. The journal
// ---------------------------------------------------------------------------

/// One line of a journal file.
#[derive(Debug, Clone)]
enum JournalLine {
    /// A record as `append` writes it, with text around it (white space
    /// that JSON allows: spaces, tabs, a carriage return).
    Record(Record, &'static str, &'static str),
    /// Bytes without a newline: garbage, invalid UTF-8.
    Junk(Vec<u8>),
    /// A record cut short.
    Torn(Record, Index),
    /// A very long line of one byte.
    Long(u8, usize),
}

fn text_field() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => ".{0,24}",
        1 => Just(String::new()),
        1 => (1usize..5_000).prop_map(|n| "é".repeat(n)),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    let entry = prop_oneof![
        (
            text_field(),
            text_field(),
            prop::option::of(text_field()),
            prop::option::of(text_field()),
            prop::collection::vec((text_field(), text_field()), 0..2)
        )
            .prop_map(|(item, text, run, reason, ev)| Entry::Tick {
                item,
                text,
                run,
                evidence: ev
                    .into_iter()
                    .map(|(name, value)| Evidence {
                        kind: "probe".into(),
                        name,
                        status: "ok".into(),
                        value,
                        detail: None,
                        conditions: Vec::new(),
                    })
                    .collect(),
                reason,
            }),
        (text_field(), prop::option::of(text_field()))
            .prop_map(|(item, run)| Entry::Untick { item, run }),
        (text_field(), text_field(), text_field()).prop_map(|(item, text, reason)| Entry::Skip {
            item,
            text,
            run: None,
            reason
        }),
        (text_field(), prop::option::of(text_field()), any::<bool>()).prop_map(
            |(text, item, starred)| Entry::Note {
                text,
                item,
                happened_at: None,
                starred
            }
        ),
        select(Milestone::ALL.to_vec()).prop_map(|milestone| Entry::Milestone {
            milestone,
            happened_at: None
        }),
        (text_field(), any::<bool>()).prop_map(|(key, on)| Entry::Star { key, on }),
        (text_field(), text_field(), text_field()).prop_map(|(check, status, text)| {
            Entry::Check {
                check,
                status,
                text,
            }
        }),
        (
            text_field(),
            select(vec![
                Step::Preview,
                Step::DryRun,
                Step::Confirmed,
                Step::Outcome
            ]),
            text_field(),
            prop::option::of(any::<bool>()),
            prop::option::of(text_field())
        )
            .prop_map(|(id, step, summary, ok, detail)| Entry::Action {
                id,
                step,
                summary: summary.clone(),
                request: Some(serde_json::json!({ "verb": "PATCH", "path": summary, "n": -1 })),
                ok,
                detail,
            }),
    ]
    // On the heap: the union of every kind's value tree is too big for a
    // test thread's stack in a debug build.
    .boxed();
    // `at` is a timestamp, or the line is not a record (see
    // `an_entry_whose_time_is_not_a_timestamp_is_skipped_with_a_warning`).
    let at = (0i64..4_102_444_800, 0i32..1_000_000_000).prop_map(|(s, ns)| {
        jiff::Timestamp::new(s, ns)
            .map(|t| t.to_string())
            .unwrap_or_default()
    });
    (at, text_field(), prop::option::of(text_field()), entry).prop_map(
        |(at, user, kube_user, entry)| Record {
            at,
            user,
            kube_user,
            entry,
        },
    )
}

fn journal_line() -> impl Strategy<Value = JournalLine> {
    prop_oneof![
        4 => (record(), select(vec!["", " ", "\t"]), select(vec!["", " ", "\r", " \t\r"]))
            .prop_map(|(r, before, after)| JournalLine::Record(r, before, after)),
        3 => prop::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..64)
            .prop_map(JournalLine::Junk),
        2 => (record(), any::<Index>()).prop_map(|(r, i)| JournalLine::Torn(r, i)),
        1 => (select(vec![b'x', b'{', b' ', 0xff, b'"']), 1usize..300_000)
            .prop_map(|(b, n)| JournalLine::Long(b, n)),
    ]
}

impl JournalLine {
    fn bytes(&self) -> Vec<u8> {
        match self {
            JournalLine::Record(r, before, after) => {
                let mut out = before.as_bytes().to_vec();
                out.extend(serde_json::to_vec(r).unwrap());
                out.extend(after.as_bytes());
                out
            }
            JournalLine::Junk(b) => b.clone(),
            JournalLine::Torn(r, i) => {
                let full = serde_json::to_vec(r).unwrap();
                full[..i.index(full.len())].to_vec()
            }
            JournalLine::Long(b, n) => vec![*b; *n],
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn journal_reads_every_record_among_junk(
        lines in prop::collection::vec(journal_line(), 0..12),
        trailing_newline in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::for_env(dir.path(), "shop", "prod");
        std::fs::create_dir_all(journal.path.parent().unwrap()).unwrap();
        let encoded: Vec<Vec<u8>> = lines.iter().map(JournalLine::bytes).collect();
        let mut file = encoded.join(&b'\n');
        if trailing_newline && !file.is_empty() {
            file.push(b'\n');
        }
        std::fs::write(&journal.path, &file).unwrap();

        let reader = journal.clone();
        let contents = bounded("Journal::read", move || reader.read())
            .map_err(|e| TestCaseError::fail(format!("read failed: {e}")))?;

        // Each written record comes back, in order (junk that happens to be
        // a record may come back too).
        let mut read = contents.records.iter();
        for line in &lines {
            if let JournalLine::Record(r, _, _) = line {
                prop_assert!(
                    read.any(|got| got == r),
                    "record not read back: {r:?}\nwarnings: {:?}",
                    contents.warnings
                );
            }
        }
        // Every line that is not blank is a record or a warning.
        let non_blank = encoded
            .iter()
            .filter(|b| !String::from_utf8_lossy(b).trim().is_empty())
            .count();
        prop_assert_eq!(
            contents.records.len() + contents.warnings.len(),
            non_blank,
            "warnings: {:?}",
            contents.warnings
        );
        // A record appended after whatever the file ends with reads back
        // last, and the records before it are unchanged.
        let appended = Record {
            at: "2026-11-23T06:00:00Z".into(),
            user: "fuzz".into(),
            kube_user: None,
            entry: Entry::Note {
                text: "appended".into(),
                item: None,
                happened_at: None,
                starred: false,
            },
        };
        journal.append(&appended).unwrap();
        let after = journal.read().unwrap();
        prop_assert_eq!(after.records.last(), Some(&appended));
        prop_assert_eq!(&after.records[..after.records.len() - 1], &contents.records[..]);
    }
}
