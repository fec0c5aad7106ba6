//! The threshold parser, for a signal of any unit and of each unit: a
//! parsed threshold has a finite value and keeps the trimmed text; an
//! error points inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ops_tui::prom::threshold::Threshold;
use ops_tui::runbook::Unit;

const UNITS: [Option<Unit>; 8] = [
    None,
    Some(Unit::Percent),
    Some(Unit::Ratio),
    Some(Unit::Seconds),
    Some(Unit::Milliseconds),
    Some(Unit::Bytes),
    Some(Unit::Count),
    Some(Unit::PerSecond),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let chars = text.chars().count();
    for unit in UNITS {
        match Threshold::parse_for(text, unit) {
            Ok(t) => {
                assert!(
                    t.value.is_finite(),
                    "{unit:?}: a value that is not finite: {t:?}"
                );
                assert_eq!(t.text, text.trim(), "{unit:?}: the text is not kept");
            }
            Err(e) => assert!(
                e.at <= chars,
                "{unit:?}: error at {} is past the end ({chars} characters): {}",
                e.at,
                e.message
            ),
        }
    }
});
