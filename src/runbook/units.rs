//! Signal values as text, by the runbook's `unit`:
//!
//! | unit           | value      | shown      |
//! |----------------|------------|------------|
//! | `percent`      | 0.0052     | `0.52%`    |
//! | `ratio`        | 0.0052     | `0.0052`   |
//! | `seconds`      | 125        | `2m 5s`    |
//! | `milliseconds` | 340        | `340ms`    |
//! | `bytes`        | 12897484   | `12.3 MiB` |
//! | `per_second`   | 1234       | `1.2k/s`   |
//! | `count`        | 1234       | `1,234`    |
//! | none           | 0.12345    | `0.123`    |
//!
//! NaN is `NaN` and infinities `+Inf` and `-Inf`, as Prometheus writes them.

use serde::{Deserialize, Serialize};

/// The unit of a signal's values: how they are shown and how its
/// thresholds are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A ratio (0..1) shown as a percentage.
    Percent,
    Ratio,
    Seconds,
    #[serde(alias = "ms")]
    Milliseconds,
    Bytes,
    Count,
    #[serde(alias = "rps")]
    PerSecond,
}

impl Unit {
    pub const ALL: [Unit; 7] = [
        Unit::Percent,
        Unit::Ratio,
        Unit::Seconds,
        Unit::Milliseconds,
        Unit::Bytes,
        Unit::Count,
        Unit::PerSecond,
    ];
}

pub fn format(value: f64, unit: Option<Unit>) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    match unit {
        Some(Unit::Percent) => percent(value),
        Some(Unit::Ratio) => sig(value, 3),
        Some(Unit::Seconds) => seconds(value),
        Some(Unit::Milliseconds) => seconds(value / 1000.0),
        Some(Unit::Bytes) => bytes(value),
        Some(Unit::PerSecond) => format!("{}/s", compact(value)),
        Some(Unit::Count) => count(value),
        None => plain(value),
    }
}

/// `value` with `digits` significant digits (the whole part is never
/// rounded), without trailing zeros, and with an exponent only when it is
/// tiny or huge.
pub fn sig(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-5..15).contains(&magnitude) {
        let s = format!("{:.*e}", (digits - 1).max(0) as usize, value);
        return match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", trim(m)),
            None => s,
        };
    }
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let s = trim(&format!("{value:.decimals$}"));
    if s == "-0" { "0".into() } else { s }
}

/// Drops trailing zeros after a decimal point, and the point itself.
fn trim(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// `value` with at most `decimals` decimals, trailing zeros dropped.
fn fixed(value: f64, decimals: usize) -> String {
    let s = trim(&format!("{value:.decimals$}"));
    if s == "-0" { "0".into() } else { s }
}

fn percent(ratio: f64) -> String {
    let p = ratio * 100.0;
    let a = p.abs();
    if a > 0.0 && a < 0.01 {
        return if p > 0.0 { "<0.01%" } else { ">-0.01%" }.into();
    }
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else {
        2
    };
    format!("{}%", fixed(p, decimals))
}

fn seconds(s: f64) -> String {
    if s < 0.0 {
        return format!("-{}", seconds(-s));
    }
    if s == 0.0 {
        return "0s".into();
    }
    if s < 1e-3 {
        return format!("{}µs", sig(s * 1e6, 3));
    }
    if s < 1.0 {
        let ms = sig(s * 1e3, 3);
        // 999.7ms rounds to 1000ms: show it as a second.
        return if ms == "1000" {
            "1s".into()
        } else {
            format!("{ms}ms")
        };
    }
    if s < 59.95 {
        return format!("{}s", fixed(s, 1));
    }
    let total = s.round() as u64;
    let (d, h, m, sec) = (
        total / 86_400,
        total / 3600 % 24,
        total / 60 % 60,
        total % 60,
    );
    match (d, h) {
        (0, 0) => pair(m, "m", sec, "s"),
        (0, _) => pair(h, "h", m, "m"),
        _ => pair(d, "d", h, "h"),
    }
}

fn pair(a: u64, ua: &str, b: u64, ub: &str) -> String {
    if b == 0 {
        format!("{a}{ua}")
    } else {
        format!("{a}{ua} {b}{ub}")
    }
}

fn bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if b.abs() < 1024.0 {
        return format!("{} B", fixed(b, 1));
    }
    let mut v = b / 1024.0;
    let mut i = 0;
    while v.abs() >= 1023.95 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{} {}", fixed(v, 1), UNITS[i])
}

/// Short form for rates: `950`, `1.2k`, `3.4M`, `0.25`.
fn compact(v: f64) -> String {
    const UNITS: [&str; 5] = ["k", "M", "G", "T", "P"];
    if v.abs() < 999.5 {
        return sig(v, 3);
    }
    let mut v = v / 1000.0;
    let mut i = 0;
    while v.abs() >= 999.95 && i + 1 < UNITS.len() {
        v /= 1000.0;
        i += 1;
    }
    format!("{}{}", fixed(v, 1), UNITS[i])
}

/// Whole counts below a million with thousands separators, larger ones
/// short; fractions (an average, a rate) with three significant digits.
fn count(v: f64) -> String {
    if v.fract() != 0.0 {
        return if v.abs() >= 1e6 {
            compact(v)
        } else {
            sig(v, 3)
        };
    }
    if v.abs() >= 1e6 {
        return compact(v);
    }
    let digits = format!("{}", v.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// No unit: whole numbers as they are, others with four significant digits.
fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        sig(v, 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        use Unit::*;
        let cases: &[(f64, Option<Unit>, &str)] = &[
            (f64::NAN, Some(Percent), "NaN"),
            (f64::INFINITY, Some(Seconds), "+Inf"),
            (f64::NEG_INFINITY, None, "-Inf"),
            // percent: a ratio shown as a percentage
            (0.0052, Some(Percent), "0.52%"),
            (0.0, Some(Percent), "0%"),
            (0.05, Some(Percent), "5%"),
            (0.125, Some(Percent), "12.5%"),
            (1.0, Some(Percent), "100%"),
            (0.999_99, Some(Percent), "100%"),
            (0.000_01, Some(Percent), "<0.01%"),
            (-0.02, Some(Percent), "-2%"),
            // ratio
            (0.0052, Some(Ratio), "0.0052"),
            (0.123_45, Some(Ratio), "0.123"),
            (1.0, Some(Ratio), "1"),
            (0.000_001_23, Some(Ratio), "1.23e-6"),
            // seconds
            (0.0, Some(Seconds), "0s"),
            (0.000_25, Some(Seconds), "250µs"),
            (0.34, Some(Seconds), "340ms"),
            (0.0125, Some(Seconds), "12.5ms"),
            (0.9999, Some(Seconds), "1s"),
            (1.2, Some(Seconds), "1.2s"),
            (1.23, Some(Seconds), "1.2s"),
            (5.0, Some(Seconds), "5s"),
            (59.9, Some(Seconds), "59.9s"),
            (59.97, Some(Seconds), "1m"),
            (125.0, Some(Seconds), "2m 5s"),
            (3600.0, Some(Seconds), "1h"),
            (3725.0, Some(Seconds), "1h 2m"),
            (97_200.0, Some(Seconds), "1d 3h"),
            (-1.5, Some(Seconds), "-1.5s"),
            // milliseconds
            (340.0, Some(Milliseconds), "340ms"),
            (1500.0, Some(Milliseconds), "1.5s"),
            (0.5, Some(Milliseconds), "500µs"),
            // bytes
            (0.0, Some(Bytes), "0 B"),
            (512.0, Some(Bytes), "512 B"),
            (1536.0, Some(Bytes), "1.5 KiB"),
            (12_897_484.0, Some(Bytes), "12.3 MiB"),
            (536_870_912.0, Some(Bytes), "512 MiB"),
            (1_073_741_823.0, Some(Bytes), "1 GiB"),
            (3.5 * 1_099_511_627_776.0, Some(Bytes), "3.5 TiB"),
            // per second
            (123.0, Some(PerSecond), "123/s"),
            (1234.0, Some(PerSecond), "1.2k/s"),
            (0.25, Some(PerSecond), "0.25/s"),
            (999.7, Some(PerSecond), "1k/s"),
            (3_400_000.0, Some(PerSecond), "3.4M/s"),
            (0.0, Some(PerSecond), "0/s"),
            // count
            (0.0, Some(Count), "0"),
            (7.0, Some(Count), "7"),
            (1234.0, Some(Count), "1,234"),
            (999_999.0, Some(Count), "999,999"),
            (-1234.0, Some(Count), "-1,234"),
            (1_234_567.0, Some(Count), "1.2M"),
            (2.5, Some(Count), "2.5"),
            // no unit
            (536_870_912.0, None, "536870912"),
            (0.123_46, None, "0.1235"),
            (-3.0, None, "-3"),
            (1e20, None, "1e20"),
        ];
        let mut wrong = Vec::new();
        for (value, unit, want) in cases {
            let got = format(*value, *unit);
            if got != *want {
                wrong.push(format!("{value} {unit:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig(0.0, 3), "0");
        assert_eq!(sig(123_456.0, 3), "123456");
        assert_eq!(sig(-0.000_123_4, 2), "-0.00012");
        assert_eq!(sig(9.996, 3), "10");
    }
}
