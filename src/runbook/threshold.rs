//! Signal thresholds: `warn = "> 0.005"`, `fail = "< 99.5%"`.
//!
//! A threshold is an operator (`>`, `>=`, `<`, `<=`, `==`, `!=`) and a
//! number in the signal's own unit, optionally with a suffix:
//!
//! - `%` divides by 100, for ratios and `percent` signals (a ratio shown as
//!   a percentage): `> 1%` is `> 0.01`;
//! - durations `ms`, `s`, `m`, `h` give seconds (`> 300ms` is `> 0.3`), as
//!   Prometheus measures time; for a `milliseconds` signal they give
//!   milliseconds instead (see [`Threshold::parse_for`]);
//! - sizes `B`, `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024) and `kB`, `MB`,
//!   `GB`, `TB` (powers of 1000) give bytes.
//!
//! Errors carry the character offset of the problem in the text.

use std::fmt;

use crate::runbook::units::Unit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    /// Which way a value goes bad: `Some(true)` when high values trip the
    /// threshold (`>`, `>=`), `Some(false)` when low ones do, `None` for
    /// `==` and `!=`.
    pub fn high_is_bad(self) -> Option<bool> {
        match self {
            Op::Gt | Op::Ge => Some(true),
            Op::Lt | Op::Le => Some(false),
            Op::Eq | Op::Ne => None,
        }
    }
}

/// What a suffix measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suffix {
    Percent,
    Duration,
    Bytes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub op: Op,
    /// The bound, in the signal's unit (suffixes applied).
    pub value: f64,
    /// The text as written, trimmed.
    pub text: String,
}

/// Why a threshold cannot be parsed, and where: `at` counts characters
/// from the start of the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ThresholdError {
    pub at: usize,
    pub message: String,
}

fn err(at: usize, message: impl Into<String>) -> ThresholdError {
    ThresholdError {
        at,
        message: message.into(),
    }
}

const SUFFIXES: &[(&str, f64, Suffix)] = &[
    ("%", 0.01, Suffix::Percent),
    ("ms", 0.001, Suffix::Duration),
    ("s", 1.0, Suffix::Duration),
    ("m", 60.0, Suffix::Duration),
    ("h", 3600.0, Suffix::Duration),
    ("B", 1.0, Suffix::Bytes),
    ("KiB", 1024.0, Suffix::Bytes),
    ("MiB", 1048576.0, Suffix::Bytes),
    ("GiB", 1073741824.0, Suffix::Bytes),
    ("TiB", 1099511627776.0, Suffix::Bytes),
    ("kB", 1e3, Suffix::Bytes),
    ("MB", 1e6, Suffix::Bytes),
    ("GB", 1e9, Suffix::Bytes),
    ("TB", 1e12, Suffix::Bytes),
];

fn suffix_list() -> String {
    SUFFIXES
        .iter()
        .map(|(s, _, _)| *s)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Threshold {
    /// Parses a threshold for a signal of any unit.
    pub fn parse(text: &str) -> Result<Threshold, ThresholdError> {
        Threshold::parse_for(text, None)
    }

    /// Parses a threshold for a signal of `unit`: a suffix that does not
    /// fit the unit (`%` on a bytes signal) is an error, and durations are
    /// milliseconds for a `milliseconds` signal.
    pub fn parse_for(text: &str, unit: Option<Unit>) -> Result<Threshold, ThresholdError> {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let skip_ws = |i: &mut usize| {
            while *i < chars.len() && chars[*i].is_whitespace() {
                *i += 1;
            }
        };
        skip_ws(&mut i);
        if i == chars.len() {
            return Err(err(
                i,
                "empty threshold: write an operator and a number, like `> 0.01`",
            ));
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let (op, len) = match (two.as_str(), chars[i]) {
            (">=", _) => (Op::Ge, 2),
            ("<=", _) => (Op::Le, 2),
            ("==", _) => (Op::Eq, 2),
            ("!=", _) => (Op::Ne, 2),
            (_, '>') => (Op::Gt, 1),
            (_, '<') => (Op::Lt, 1),
            (_, '=') => return Err(err(i, "`=` is not an operator: write `==`")),
            _ => {
                return Err(err(i, "expected an operator first: one of > >= < <= == !="));
            }
        };
        i += len;
        skip_ws(&mut i);
        let start = i;
        if i < chars.len() && (chars[i] == '-' || chars[i] == '+') {
            i += 1;
        }
        let digits_from = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_') {
            i += 1;
        }
        // An exponent, only when digits follow it (`1e-3`, not `1e`).
        if i > digits_from && i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
            let mut j = i + 1;
            if j < chars.len() && (chars[j] == '-' || chars[j] == '+') {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        let number: String = chars[start..i].iter().filter(|c| **c != '_').collect();
        if i == digits_from {
            return Err(err(
                start,
                format!("expected a number after `{}`", op.as_str()),
            ));
        }
        let mut value: f64 = number
            .parse()
            .map_err(|_| err(start, format!("`{number}` is not a number")))?;
        let suffix_at = i;
        let rest: String = chars[i..].iter().collect();
        let rest = rest.trim_end();
        if !rest.is_empty() {
            let word = rest.trim_start();
            let at = suffix_at + (rest.chars().count() - word.chars().count());
            let Some((_, factor, kind)) = SUFFIXES.iter().find(|(s, _, _)| *s == word) else {
                return Err(err(
                    at,
                    format!(
                        "unknown suffix `{word}`: use a plain number or one of {}",
                        suffix_list()
                    ),
                ));
            };
            value *= factor;
            if let Some(unit) = unit {
                value = fit(word, *kind, unit, value).map_err(|m| err(at, m))?;
            }
        }
        if !value.is_finite() {
            return Err(err(start, "the number is too large"));
        }
        Ok(Threshold {
            op,
            value,
            text: text.trim().to_string(),
        })
    }

    /// Whether `value` trips the threshold. NaN never does.
    pub fn holds(&self, value: f64) -> bool {
        match self.op {
            Op::Gt => value > self.value,
            Op::Ge => value >= self.value,
            Op::Lt => value < self.value,
            Op::Le => value <= self.value,
            Op::Eq => value == self.value,
            Op::Ne => !value.is_nan() && value != self.value,
        }
    }
}

/// Checks a suffix against the signal's unit; a duration for a
/// milliseconds signal is given in milliseconds.
fn fit(word: &str, kind: Suffix, unit: Unit, value: f64) -> Result<f64, String> {
    let fits = match kind {
        Suffix::Percent => matches!(unit, Unit::Percent | Unit::Ratio),
        Suffix::Duration => matches!(unit, Unit::Seconds | Unit::Milliseconds),
        Suffix::Bytes => unit == Unit::Bytes,
    };
    if !fits {
        return Err(format!(
            "`{word}` does not fit a signal in {}",
            unit_name(unit)
        ));
    }
    Ok(match (kind, unit) {
        (Suffix::Duration, Unit::Milliseconds) => value * 1000.0,
        _ => value,
    })
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "percent",
        Unit::Ratio => "ratio",
        Unit::Seconds => "seconds",
        Unit::Milliseconds => "milliseconds",
        Unit::Bytes => "bytes",
        Unit::Count => "count",
        Unit::PerSecond => "per_second",
    }
}

impl Threshold {
    /// The threshold as values of its signal are shown: `> 1%` for a
    /// percent signal whether the runbook wrote `> 1%` or `> 0.01`.
    pub fn shown(&self, unit: Option<Unit>) -> String {
        format!(
            "{} {}",
            self.op.as_str(),
            super::units::format(self.value, unit)
        )
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> (Op, f64) {
        let t = Threshold::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        (t.op, t.value)
    }

    fn bad(text: &str) -> ThresholdError {
        match Threshold::parse(text) {
            Ok(t) => panic!("{text:?} parsed as {t:?}"),
            Err(e) => e,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn operators_and_numbers() {
        for (text, op, value) in [
            ("> 0.01", Op::Gt, 0.01),
            (">=1", Op::Ge, 1.0),
            ("< -2.5", Op::Lt, -2.5),
            ("<= +3", Op::Le, 3.0),
            ("== 0", Op::Eq, 0.0),
            ("!= 1e-3", Op::Ne, 0.001),
            ("  >   1_000  ", Op::Gt, 1000.0),
            ("> .5", Op::Gt, 0.5),
            ("> 2E3", Op::Gt, 2000.0),
        ] {
            let (o, v) = ok(text);
            assert_eq!(o, op, "{text}");
            assert!(close(v, value), "{text}: {v} != {value}");
        }
    }

    #[test]
    fn suffixes() {
        for (text, value) in [
            ("> 1%", 0.01),
            ("< 99.5 %", 0.995),
            ("> 300ms", 0.3),
            ("> 2s", 2.0),
            ("> 5m", 300.0),
            ("> 1h", 3600.0),
            ("> 512B", 512.0),
            ("> 1KiB", 1024.0),
            ("> 400MiB", 400.0 * 1048576.0),
            ("> 2GiB", 2.0 * 1073741824.0),
            ("> 1TiB", 1099511627776.0),
            ("> 3kB", 3000.0),
            ("> 3MB", 3e6),
            ("> 1GB", 1e9),
            ("> 1TB", 1e12),
        ] {
            let (_, v) = ok(text);
            assert!(close(v, value), "{text}: {v} != {value}");
        }
    }

    #[test]
    fn errors_say_where() {
        for (text, at, says) in [
            ("", 0, "empty threshold"),
            ("   ", 3, "empty threshold"),
            ("0.01", 0, "expected an operator"),
            ("  ~ 1", 2, "expected an operator"),
            ("= 1", 0, "`=` is not an operator"),
            (">", 1, "expected a number after `>`"),
            (">= abc", 3, "expected a number after `>=`"),
            ("> -", 2, "expected a number"),
            ("> 1.2.3", 2, "`1.2.3` is not a number"),
            ("> 5 apples", 4, "unknown suffix `apples`"),
            ("> 5xs", 3, "unknown suffix `xs`"),
            ("> 1e999", 2, "too large"),
        ] {
            let e = bad(text);
            assert_eq!(e.at, at, "{text:?}: {e:?}");
            assert!(e.message.contains(says), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let e = bad("  ≥ 1");
        assert_eq!(e.at, 2);
        let e = bad("> 1 µs");
        assert_eq!(e.at, 4);
    }

    #[test]
    fn suffix_must_fit_the_unit() {
        let t = Threshold::parse_for("> 250ms", Some(Unit::Milliseconds)).unwrap();
        assert!(close(t.value, 250.0));
        let t = Threshold::parse_for("> 1s", Some(Unit::Seconds)).unwrap();
        assert!(close(t.value, 1.0));
        let t = Threshold::parse_for("> 1%", Some(Unit::Percent)).unwrap();
        assert_eq!(t.shown(Some(Unit::Percent)), "> 1%");
        let bare = Threshold::parse_for("> 0.01", Some(Unit::Percent)).unwrap();
        assert_eq!(
            bare.shown(Some(Unit::Percent)),
            "> 1%",
            "as the values are shown"
        );
        let ms = Threshold::parse_for(">= 250", Some(Unit::Milliseconds)).unwrap();
        assert_eq!(ms.shown(Some(Unit::Milliseconds)), ">= 250ms");
        assert!(close(t.value, 0.01));
        let t = Threshold::parse_for("> 1%", Some(Unit::Ratio)).unwrap();
        assert!(close(t.value, 0.01));
        let e = Threshold::parse_for("> 1%", Some(Unit::Bytes)).unwrap_err();
        assert_eq!(e.at, 3);
        assert_eq!(e.message, "`%` does not fit a signal in bytes");
        let e = Threshold::parse_for(">  2 MiB", Some(Unit::Seconds)).unwrap_err();
        assert_eq!(e.at, 5);
        assert!(e.message.contains("seconds"), "{e:?}");
        let e = Threshold::parse_for("> 1s", Some(Unit::Count)).unwrap_err();
        assert!(e.message.contains("count"), "{e:?}");
        // Plain numbers fit every unit.
        assert!(Threshold::parse_for("> 3", Some(Unit::PerSecond)).is_ok());
    }

    #[test]
    fn holds() {
        let t = |s: &str| Threshold::parse(s).unwrap();
        assert!(t("> 1").holds(1.5));
        assert!(!t("> 1").holds(1.0));
        assert!(t(">= 1").holds(1.0));
        assert!(t("< 1").holds(0.5));
        assert!(!t("< 1").holds(1.0));
        assert!(t("<= 1").holds(1.0));
        assert!(t("== 0").holds(0.0));
        assert!(!t("== 0").holds(0.1));
        assert!(t("!= 0").holds(0.1));
        assert!(!t("!= 0").holds(0.0));
        for s in ["> 1", ">= 1", "< 1", "<= 1", "== 1", "!= 1"] {
            assert!(!t(s).holds(f64::NAN), "{s} holds for NaN");
        }
        assert!(t("> 1").holds(f64::INFINITY));
        assert!(t("< 1").holds(f64::NEG_INFINITY));
    }

    #[test]
    fn display_and_direction() {
        let t = Threshold::parse("  >  0.5%  ").unwrap();
        assert_eq!(t.to_string(), ">  0.5%");
        assert_eq!(Op::Gt.high_is_bad(), Some(true));
        assert_eq!(Op::Le.high_is_bad(), Some(false));
        assert_eq!(Op::Ne.high_is_bad(), None);
    }
}
