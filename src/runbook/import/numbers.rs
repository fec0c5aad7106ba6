//! The number an item states as its condition: "below 1%", "under 500
//! ms", "p99 < 0.8s", "more than 30 days", "at least 21 days", and how it
//! reads in a signal's own unit.

use crate::runbook::Unit;

/// What the number is counted in, as the item writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumUnit {
    Percent,
    Millis,
    Seconds,
    Minutes,
    Hours,
    Days,
    /// Bytes, times this.
    Bytes(f64),
    PerSecond,
    /// A bare number.
    None,
}

/// A bound an item states: the value must stay below it (`upper`) or
/// above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stated {
    pub upper: bool,
    pub value: f64,
    pub unit: NumUnit,
    /// The words as the item has them ("below 1%").
    pub words: String,
}

/// Words that say "the value must stay below".
const BELOW: &[&str] = &[
    "less than",
    "lower than",
    "smaller than",
    "no more than",
    "not more than",
    "not exceed",
    "not exceeding",
    "at most",
    "below",
    "under",
    "within",
    "max",
    "maximum",
    "<=",
    "≤",
    "<",
];
/// Words that say "the value must stay above".
const ABOVE: &[&str] = &[
    "more than",
    "greater than",
    "longer than",
    "at least",
    "minimum",
    "above",
    "over",
    "min",
    ">=",
    "≥",
    ">",
];

/// The first bound the text states: a comparison word, then a number and
/// its unit. A number after "for" or "during" (a duration of the
/// condition: "for 15 min") is not a bound.
pub fn stated(text: &str) -> Option<Stated> {
    let lower = text.to_lowercase();
    let mut best: Option<(usize, Stated)> = None;
    for (words, upper) in [(BELOW, true), (ABOVE, false)] {
        for w in words {
            let mut from = 0;
            while let Some(at) = lower.get(from..).and_then(|r| r.find(w)) {
                let start = from + at;
                let end = start + w.len();
                from = end;
                // A word must stand alone ("under" not in "thunder").
                let alpha = w.chars().next().is_some_and(char::is_alphabetic);
                let before = lower[..start].chars().next_back();
                if alpha && before.is_some_and(char::is_alphanumeric) {
                    continue;
                }
                let Some((value, unit, len)) = number_at(&lower[end..]) else {
                    continue;
                };
                if best.as_ref().is_some_and(|(b, _)| *b <= start) {
                    continue;
                }
                let words = text.get(start..end + len).unwrap_or(w).trim().to_string();
                best = Some((
                    start,
                    Stated {
                        upper,
                        value,
                        unit,
                        words,
                    },
                ));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// A number right after `rest`'s spaces, with its unit, and how many
/// bytes of `rest` they take.
fn number_at(rest: &str) -> Option<(f64, NumUnit, usize)> {
    let skipped = rest.len() - rest.trim_start().len();
    let s = &rest[skipped..];
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let number = digits.trim_end_matches(['.', ',']);
    if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // "1,5" is a decimal comma; "1,000" groups thousands.
    let plain = match number.split_once(',') {
        Some((a, b)) if b.len() == 3 && !b.contains(',') => format!("{a}{b}"),
        Some((a, b)) => format!("{a}.{b}"),
        None => number.to_string(),
    };
    let value: f64 = plain.parse().ok()?;
    let after = &s[number.len()..];
    let unit_text = after.trim_start();
    let gap = after.len() - unit_text.len();
    let word: String = unit_text
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '%' || *c == '/')
        .collect();
    let unit = match word.as_str() {
        "%" | "percent" | "pct" => NumUnit::Percent,
        "ms" | "msec" | "millisecond" | "milliseconds" => NumUnit::Millis,
        "s" | "sec" | "secs" | "second" | "seconds" => NumUnit::Seconds,
        "d" | "day" | "days" => NumUnit::Days,
        "kb" | "kib" | "ki" => NumUnit::Bytes(1024.0),
        "mb" | "mib" | "mi" => NumUnit::Bytes(1024.0 * 1024.0),
        "gb" | "gib" | "gi" => NumUnit::Bytes(1024.0 * 1024.0 * 1024.0),
        "rps" | "req/s" | "/s" => NumUnit::PerSecond,
        "min" | "mins" | "minute" | "minutes" | "m" => NumUnit::Minutes,
        "h" | "hour" | "hours" => NumUnit::Hours,
        _ => NumUnit::None,
    };
    let len = skipped
        + number.len()
        + if unit == NumUnit::None {
            0
        } else {
            gap + word.len()
        };
    Some((value, unit, len))
}

impl Stated {
    /// The bound in a signal's unit (ratio for percent signals, seconds for
    /// seconds), or None when the item's unit does not fit the signal's
    /// (a percentage is not a rate per second).
    pub fn in_unit(&self, unit: Option<Unit>, ratio: bool) -> Option<f64> {
        let v = self.value;
        match (unit, self.unit) {
            (Some(Unit::Percent | Unit::Ratio), NumUnit::Percent) => Some(v / 100.0),
            (Some(Unit::Percent | Unit::Ratio), NumUnit::None) if v <= 1.0 => Some(v),
            (Some(Unit::Seconds), NumUnit::Millis) => Some(v / 1000.0),
            (Some(Unit::Seconds), NumUnit::Seconds) => Some(v),
            (Some(Unit::Seconds) | None, NumUnit::Minutes) => Some(v * 60.0),
            (Some(Unit::Seconds) | None, NumUnit::Hours) => Some(v * 3600.0),
            (Some(Unit::Milliseconds), NumUnit::Millis) => Some(v),
            (Some(Unit::Milliseconds), NumUnit::Seconds) => Some(v * 1000.0),
            (Some(Unit::Bytes), NumUnit::Bytes(m)) => Some(v * m),
            (Some(Unit::PerSecond | Unit::Count), NumUnit::None | NumUnit::PerSecond) => Some(v),
            (Some(_), _) => None,
            (None, NumUnit::Percent) if ratio => Some(v / 100.0),
            (None, NumUnit::Percent) => None,
            (None, NumUnit::Bytes(m)) => Some(v * m),
            (None, NumUnit::Millis) => Some(v / 1000.0),
            (None, NumUnit::None | NumUnit::Seconds | NumUnit::PerSecond) => Some(v),
            (None, NumUnit::Days) => None,
        }
    }

    /// The `fail` threshold that holds the item's bound: `> 0.01` for
    /// "below 1%".
    pub fn fail_threshold(&self, value: f64) -> String {
        format!("{} {}", if self.upper { ">" } else { "<" }, number(value))
    }

    /// The bound in milliseconds, for a response time.
    pub fn millis(&self) -> Option<f64> {
        match self.unit {
            NumUnit::Millis => Some(self.value),
            NumUnit::Seconds => Some(self.value * 1000.0),
            _ => None,
        }
    }

    /// The bound in whole days, for a certificate.
    pub fn days(&self) -> Option<u32> {
        (self.unit == NumUnit::Days && self.value >= 1.0 && self.value <= 3650.0)
            .then_some(self.value as u32)
    }

    /// A slug of the words, for a name: "below-1pct".
    pub fn slug(&self) -> String {
        crate::runbook::slug(&self.words.replace('%', "pct").replace('<', "below"))
    }
}

/// A number as a threshold writes it: no trailing zeros, no float noise.
pub fn number(v: f64) -> String {
    let rounded = (v * 1e9).round() / 1e9;
    let text = format!("{rounded}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Option<(bool, f64, NumUnit, String)> {
        stated(text).map(|s| (s.upper, s.value, s.unit, s.words))
    }

    #[test]
    fn bounds_as_items_state_them() {
        assert_eq!(
            s("Error rates below 1%"),
            Some((true, 1.0, NumUnit::Percent, "below 1%".into()))
        );
        assert_eq!(
            s("p99 under 800ms for 15 min"),
            Some((true, 800.0, NumUnit::Millis, "under 800ms".into()))
        );
        assert_eq!(
            s("p95 latency < 0.3 s during 10 minutes"),
            Some((true, 0.3, NumUnit::Seconds, "< 0.3 s".into()))
        );
        assert_eq!(
            s("Certificate valid for more than 30 days"),
            Some((false, 30.0, NumUnit::Days, "more than 30 days".into()))
        );
        assert_eq!(
            s("Heap stays under 1,5 GiB"),
            Some((
                true,
                1.5,
                NumUnit::Bytes(1024.0 * 1024.0 * 1024.0),
                "under 1,5 GiB".into()
            ))
        );
        assert_eq!(s("Stable for 15 minutes"), None, "no comparison");
        assert_eq!(
            s("Queue latency below 2 minutes"),
            Some((true, 2.0, NumUnit::Minutes, "below 2 minutes".into()))
        );
        assert_eq!(s("Thunder 5"), None);
    }

    #[test]
    fn bounds_in_the_signal_unit() {
        let pct = stated("below 1%").unwrap();
        assert_eq!(pct.in_unit(Some(Unit::Percent), true), Some(0.01));
        assert_eq!(pct.in_unit(None, true), Some(0.01));
        assert_eq!(
            pct.in_unit(Some(Unit::PerSecond), false),
            None,
            "a percentage is not a rate"
        );
        assert_eq!(pct.in_unit(None, false), None);
        assert_eq!(pct.fail_threshold(0.01), "> 0.01");
        let ms = stated("under 800 ms").unwrap();
        assert_eq!(ms.in_unit(Some(Unit::Seconds), false), Some(0.8));
        assert_eq!(ms.millis(), Some(800.0));
        assert_eq!(stated("at least 21 days").unwrap().days(), Some(21));
        assert_eq!(
            stated("at least 21 days").unwrap().fail_threshold(3.0),
            "< 3"
        );
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(pct.slug(), "below-1pct");
    }
}
