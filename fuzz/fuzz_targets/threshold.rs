//! The threshold parser, for a signal of any unit and of each unit: a
//! parsed threshold has a finite value and keeps the trimmed text; an
//! error points inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ops_tui::runbook::threshold::Threshold;
use ops_tui::runbook::Unit;

/// No unit, then each unit.
fn units() -> impl Iterator<Item = Option<Unit>> {
    std::iter::once(None).chain(Unit::ALL.map(Some))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let chars = text.chars().count();
    for unit in units() {
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
