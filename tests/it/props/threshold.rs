//! Signal thresholds: arbitrary text and `op number suffix` with white
//! space around, for every unit, parse or fail with the error inside the
//! text.

use super::*;

use ops_tui::runbook::Unit;
use ops_tui::runbook::threshold::Threshold;
use proptest::sample::select;

use super::condition::ws;
/// No unit, then each unit.
fn units() -> impl Iterator<Item = Option<Unit>> {
    std::iter::once(None).chain(Unit::ALL.map(Some))
}

/// `op number suffix` with white space around, valid and not.
pub(super) fn threshold_text() -> BoxedStrategy<String> {
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
