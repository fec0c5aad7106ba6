//! The condition language: an error points inside the text; a parsed
//! condition is evaluated and judged against observations of every kind
//! (nothing, JSON, HTML, mangled bytes, extreme numbers) without a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ops_tui::condition::{Condition, judge};

#[path = "../../tests/it/common/observations.rs"]
mod observations;
use observations::OBSERVATIONS;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let c = match Condition::parse(text) {
        Ok(c) => c,
        Err(e) => {
            let chars = text.chars().count();
            assert!(
                e.at <= chars,
                "error at {} is past the end ({chars} characters): {e}",
                e.at
            );
            return;
        }
    };
    for o in OBSERVATIONS.iter() {
        let e = c.evaluate(o);
        assert_eq!(e.condition, text, "the evaluation names another condition");
        assert!(
            e.ok || e.error.is_some() || !e.resolved.is_empty(),
            "a false evaluation without a reason: {e:?}"
        );
        judge(std::slice::from_ref(&c), std::slice::from_ref(&c), o);
    }
});
