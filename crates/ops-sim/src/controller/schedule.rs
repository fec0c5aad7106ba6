//! CronJob schedules as Kubernetes reads them: the standard five fields
//! (minute, hour, day of month, month, day of week, with names such as
//! `MON` and `JAN`, lists, ranges and steps) or a descriptor (`@yearly`,
//! `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`,
//! `@every 1h30m`). The checks and their error messages are those of the
//! parser the API server and the CronJob controller use (robfig/cron's
//! `ParseStandard`); the times a schedule fires at are computed by croner,
//! in the CronJob's time zone.

use std::time::Duration;

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A parsed schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Five fields or a calendar descriptor.
    Calendar(Box<Cron>),
    /// `@every DURATION`: a fixed interval, in whole seconds.
    Every(Duration),
}

/// One field's bounds and names.
struct Field {
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTE: Field = Field {
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Field = Field {
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const DOW: Field = Field {
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

/// The calendar descriptors and the five fields each stands for.
const DESCRIPTORS: [(&str, &str); 7] = [
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

impl Schedule {
    /// Parses a schedule; the error is the one the real parser gives.
    pub fn parse(spec: &str) -> Result<Schedule, String> {
        if spec.is_empty() {
            return Err("empty spec string".into());
        }
        if spec.starts_with('@') {
            return descriptor(spec);
        }
        let fields: Vec<&str> = spec.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: [{}]",
                fields.len(),
                fields.join(" ")
            ));
        }
        for (text, bounds) in fields.iter().zip([&MINUTE, &HOUR, &DOM, &MONTH, &DOW]) {
            check_field(text, bounds)?;
        }
        calendar(&fields.join(" "))
    }

    /// The first time the schedule fires strictly after `after`, reading
    /// the fields as wall-clock times in `tz`. None if it never does.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        match self {
            Schedule::Calendar(cron) => {
                // Whole seconds, as the real schedule starts from the next one.
                let start = Timestamp::from_second(after.as_second()).ok()?;
                let zoned = start.to_zoned(tz.clone());
                cron.find_next_occurrence(&zoned, false)
                    .ok()
                    .map(|z| z.timestamp())
            }
            Schedule::Every(every) => {
                let secs = i64::try_from(every.as_secs()).ok()?;
                Timestamp::from_second(after.as_second().checked_add(secs)?).ok()
            }
        }
    }
}

impl Schedule {
    /// The last time the schedule fires in `(after, at]`, and how many
    /// times it fires there (counted up to `count_to`).
    pub fn last_between(
        &self,
        after: Timestamp,
        at: Timestamp,
        tz: &TimeZone,
        count_to: usize,
    ) -> Option<(Timestamp, usize)> {
        let first = self.next_after(after, tz).filter(|t| *t <= at)?;
        let last = match self {
            Schedule::Calendar(cron) => {
                let end = Timestamp::from_second(at.as_second()).ok()?;
                cron.find_previous_occurrence(&end.to_zoned(tz.clone()), true)
                    .ok()
                    .map(|z| z.timestamp())
                    .filter(|t| *t >= first)
                    .unwrap_or(first)
            }
            Schedule::Every(every) => {
                let every = i64::try_from(every.as_secs()).ok()?.max(1);
                let steps = (at.as_second() - first.as_second()) / every;
                Timestamp::from_second(first.as_second() + steps * every).ok()?
            }
        };
        let mut count = 1;
        let mut t = first;
        while count < count_to {
            match self.next_after(t, tz) {
                Some(n) if n <= at => {
                    count += 1;
                    t = n;
                }
                _ => break,
            }
        }
        Some((last, count))
    }
}

fn calendar(fields: &str) -> Result<Schedule, String> {
    let parser = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .sloppy_ranges(true)
        .build();
    parser
        .parse(fields)
        .map(|c| Schedule::Calendar(Box::new(c)))
        .map_err(|e| e.to_string())
}

fn descriptor(spec: &str) -> Result<Schedule, String> {
    if let Some((_, fields)) = DESCRIPTORS.iter().find(|(d, _)| *d == spec) {
        return calendar(fields);
    }
    if let Some(text) = spec.strip_prefix("@every ") {
        let every =
            go_duration(text).map_err(|e| format!("failed to parse duration {spec}: {e}"))?;
        // Whole seconds, at least one.
        let every = Duration::from_secs(every.as_secs().max(1));
        return Ok(Schedule::Every(every));
    }
    Err(format!("unrecognized descriptor: {spec}"))
}

/// Checks one field: a comma-separated list of `*`, `?`, `N`, `N-M`, each
/// with an optional `/STEP`.
fn check_field(field: &str, bounds: &Field) -> Result<(), String> {
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        check_range(expr, bounds)?;
    }
    Ok(())
}

fn check_range(expr: &str, bounds: &Field) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let (start, mut end) = if low_and_high[0] == "*" || low_and_high[0] == "?" {
        (bounds.min, bounds.max)
    } else {
        let start = int_or_name(low_and_high[0], bounds.names)?;
        let end = match low_and_high.len() {
            1 => start,
            2 => int_or_name(low_and_high[1], bounds.names)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
        (start, end)
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = int(range_and_step[1])?;
            if low_and_high.len() == 1 {
                end = bounds.max;
            }
            step
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < bounds.min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            bounds.min
        ));
    }
    if end > bounds.max {
        return Err(format!(
            "end of range ({end}) above maximum ({}): {expr}",
            bounds.max
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(())
}

fn int_or_name(expr: &str, names: &[&str]) -> Result<u32, String> {
    let lower = expr.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        // Months count from 1, weekdays from 0 (Sunday).
        let first = if names.len() == 12 { 1 } else { 0 };
        return Ok(i as u32 + first);
    }
    int(expr)
}

/// Go's `strconv.Atoi`, with the parser's wording around its errors.
fn int(expr: &str) -> Result<u32, String> {
    let digits = expr.strip_prefix(['+', '-']).unwrap_or(expr);
    let negative = expr.starts_with('-');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing {expr:?}: invalid syntax"
        ));
    }
    let value: i64 = match digits.parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            return Err(format!(
                "failed to parse int from {expr}: strconv.Atoi: parsing {expr:?}: value out of range"
            ));
        }
    };
    if negative && value != 0 {
        return Err(format!("negative number (-{value}) not allowed: {expr}"));
    }
    u32::try_from(value).map_err(|_| {
        format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing {expr:?}: value out of range"
        )
    })
}

/// Go's `time.ParseDuration`: a sequence of decimal numbers with units
/// (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `1h30m` or `1.5h`.
pub fn go_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.starts_with('-') {
        return Err(invalid());
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let nanos = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            other => return Err(format!("time: unknown unit {other:?} in duration {text:?}")),
        };
        total += value * nanos;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > 9.2e18 {
        return Err(invalid());
    }
    Ok(Duration::from_nanos(total as u64))
}

/// The time zone a CronJob names (None: UTC, the controller's own zone);
/// the error is Go's `time.LoadLocation`'s.
pub fn time_zone(name: Option<&str>) -> Result<TimeZone, String> {
    match name {
        None | Some("") | Some("UTC") => Ok(TimeZone::UTC),
        Some(n) if n.eq_ignore_ascii_case("local") => Ok(TimeZone::UTC),
        Some(n) => TimeZone::get(n).map_err(|_| format!("unknown time zone {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn next(spec: &str, after: &str, tz: &str) -> String {
        let tz = time_zone(Some(tz)).unwrap();
        Schedule::parse(spec)
            .unwrap()
            .next_after(at(after), &tz)
            .unwrap()
            .to_string()
    }

    #[test]
    fn next_times_in_utc() {
        assert_eq!(
            next("0 3 * * *", "2026-03-10T02:59:59Z", "UTC"),
            "2026-03-10T03:00:00Z"
        );
        // Strictly after: a time that fires now gives the next one.
        assert_eq!(
            next("0 3 * * *", "2026-03-10T03:00:00Z", "UTC"),
            "2026-03-11T03:00:00Z"
        );
        assert_eq!(
            next("*/15 * * * *", "2026-03-10T10:07:30Z", "UTC"),
            "2026-03-10T10:15:00Z"
        );
        assert_eq!(
            next("@hourly", "2026-03-10T10:07:30Z", "UTC"),
            "2026-03-10T11:00:00Z"
        );
        // 2026-03-10 is a Tuesday; names and ranges of weekdays.
        assert_eq!(
            next("30 9 * * MON-FRI", "2026-03-13T10:00:00Z", "UTC"),
            "2026-03-16T09:30:00Z"
        );
        assert_eq!(
            next("0 0 1 JAN *", "2026-03-10T00:00:00Z", "UTC"),
            "2027-01-01T00:00:00Z"
        );
        // N/step means N to the maximum by step.
        assert_eq!(
            next("5/20 * * * *", "2026-03-10T10:26:00Z", "UTC"),
            "2026-03-10T10:45:00Z"
        );
        assert_eq!(
            next("@every 90m", "2026-03-10T10:00:00.400Z", "UTC"),
            "2026-03-10T11:30:00Z"
        );
    }

    #[test]
    fn the_last_time_in_a_span_and_how_many() {
        let s = Schedule::parse("*/10 * * * *").unwrap();
        let (last, n) = s
            .last_between(
                at("2026-03-10T10:00:00Z"),
                at("2026-03-10T10:35:00Z"),
                &TimeZone::UTC,
                101,
            )
            .unwrap();
        assert_eq!((last.to_string().as_str(), n), ("2026-03-10T10:30:00Z", 3));
        // None in the span (the start is excluded).
        assert!(
            s.last_between(
                at("2026-03-10T10:00:00Z"),
                at("2026-03-10T10:09:59Z"),
                &TimeZone::UTC,
                101
            )
            .is_none()
        );
        // Counting stops at the limit; the last one is still found.
        let (last, n) = Schedule::parse("* * * * *")
            .unwrap()
            .last_between(
                at("2026-03-01T00:00:00Z"),
                at("2026-03-10T10:35:30Z"),
                &TimeZone::UTC,
                101,
            )
            .unwrap();
        assert_eq!(
            (last.to_string().as_str(), n),
            ("2026-03-10T10:35:00Z", 101)
        );
        let (last, n) = Schedule::parse("@every 2h")
            .unwrap()
            .last_between(
                at("2026-03-10T00:00:00Z"),
                at("2026-03-10T07:00:00Z"),
                &TimeZone::UTC,
                101,
            )
            .unwrap();
        assert_eq!((last.to_string().as_str(), n), ("2026-03-10T06:00:00Z", 3));
    }

    #[test]
    fn day_of_month_and_weekday_are_either_when_both_are_set() {
        // The 13th, or any Friday: the Friday 2026-03-13 and 2026-03-20.
        assert_eq!(
            next("0 0 13 * FRI", "2026-03-10T00:00:00Z", "UTC"),
            "2026-03-13T00:00:00Z"
        );
        assert_eq!(
            next("0 0 13 * FRI", "2026-03-13T00:00:00Z", "UTC"),
            "2026-03-20T00:00:00Z"
        );
    }

    #[test]
    fn next_times_in_a_time_zone() {
        // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer.
        assert_eq!(
            next("0 3 * * *", "2026-01-15T12:00:00Z", "Europe/Berlin"),
            "2026-01-16T02:00:00Z"
        );
        assert_eq!(
            next("0 3 * * *", "2026-07-15T12:00:00Z", "Europe/Berlin"),
            "2026-07-16T01:00:00Z"
        );
        // New York: 09:30 local is 14:30 UTC in winter.
        assert_eq!(
            next("30 9 * * *", "2026-01-15T15:00:00Z", "America/New_York"),
            "2026-01-16T14:30:00Z"
        );
        assert_eq!(
            time_zone(Some("Mars/Olympus")).unwrap_err(),
            "unknown time zone Mars/Olympus"
        );
    }

    #[test]
    fn errors_read_like_the_real_parsers() {
        let err = |s: &str| Schedule::parse(s).unwrap_err();
        assert_eq!(err("bad"), "expected exactly 5 fields, found 1: [bad]");
        assert_eq!(
            err("* * * *"),
            "expected exactly 5 fields, found 4: [* * * *]"
        );
        assert_eq!(
            err("60 * * * *"),
            "end of range (60) above maximum (59): 60"
        );
        assert_eq!(
            err("* * 0 * *"),
            "beginning of range (0) below minimum (1): 0"
        );
        assert_eq!(err("* * * * 7"), "end of range (7) above maximum (6): 7");
        assert_eq!(
            err("5-2 * * * *"),
            "beginning of range (5) beyond end of range (2): 5-2"
        );
        assert_eq!(
            err("*/0 * * * *"),
            "step of range should be a positive number: */0"
        );
        assert_eq!(
            err("x * * * *"),
            "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(err("1-2-3 * * * *"), "too many hyphens: 1-2-3");
        assert_eq!(err("@fortnightly"), "unrecognized descriptor: @fortnightly");
        assert_eq!(
            err("@every 1d"),
            "failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(err(""), "empty spec string");
        for ok in [
            "0 3 * * *",
            "@daily",
            "*/5 1-3,7 ? jan-mar sun",
            "@every 1h30m",
        ] {
            assert!(Schedule::parse(ok).is_ok(), "{ok}");
        }
    }
}
