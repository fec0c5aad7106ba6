//! Runbooks: arbitrary text, and the repository's runbooks mutated with
//! TOML fragments and with runbook keys and values (conditions,
//! thresholds, URLs, durations, checks, names) load, or fail with every
//! diagnostic inside the text.

use super::*;

use std::path::Path;

use ops_tui::runbook::{Runbook, RunbookError};
use proptest::sample::select;

use super::condition::{condition_text, valid_condition};
use super::threshold::threshold_text;
const RUNBOOKS: [&str; 2] = [
    include_str!("../../../runbooks/example.toml"),
    include_str!("../../../runbooks/demo.toml"),
];

/// TOML and runbook fragments: delimiters, keys, tables, values.
pub(super) fn toml_snippet() -> BoxedStrategy<String> {
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
