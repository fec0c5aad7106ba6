//! The condition language of probes: arbitrary text and grammar-built
//! conditions parse or fail with the error inside the text, and what
//! parses is judged against every kind of observation without a panic.

use super::*;

use std::collections::BTreeMap;

use crate::common::observations::OBSERVATIONS;
use ops_tui::condition::{Condition, ConditionError, Observed, judge};
use proptest::sample::select;
/// White space between tokens, none included.
pub(super) fn ws() -> impl Strategy<Value = &'static str> {
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
pub(super) fn valid_condition() -> BoxedStrategy<String> {
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
pub(super) fn condition_text() -> BoxedStrategy<String> {
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
