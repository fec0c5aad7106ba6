//! Judging a parsed condition against what a probe observed: each side
//! resolved to a value (or the reason it cannot be), then compared.

use serde_json::Value;

use super::ast::{CountKey, Expr, Kind, Literal, Op, Operand, Placeholder, Segment, Side, number};
use super::{Evaluation, Observed, health};

/// Why one side of a condition could not be resolved, or the two sides
/// compared. The message is the evidence's: it follows the side it is
/// about (`[BODY].status: body is not JSON: "<html>…"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// `<`, `>`, `<=`, `>=` between values of which one is not a number.
    #[error("{op} compares numbers, and {text:?} is not a number")]
    NotNumber { op: String, text: String },
    /// A pattern or a list of values stands where a value is needed.
    #[error("{side} has no value")]
    NoValue { side: String },
    /// The probe got no response (connection refused, timeout...).
    #[error("no response")]
    NoResponse,
    #[error("no response time")]
    NoResponseTime,
    /// `[CERTIFICATE_EXPIRATION]` of a plain-HTTP endpoint.
    #[error("no certificate: plain HTTP")]
    PlainHttp,
    /// `[CERTIFICATE_EXPIRATION]` when no TLS connection was made.
    #[error("no certificate: no TLS connection was made")]
    NoTls,
    /// `[STATUS_COUNT...]` before any response was counted.
    #[error("no status counts: no response was counted")]
    NoCounts,
    /// `len()` of a placeholder other than the body or a header.
    #[error("len() takes [BODY] or [HEADER].Name")]
    LenArgument,
    /// `has()` of a placeholder other than the body or a header.
    #[error("has() takes [BODY].path or [HEADER].Name")]
    HasArgument,
    #[error("no {name} header in the response")]
    NoHeader { name: String },
    #[error("body is empty, not JSON")]
    EmptyBody,
    /// The body was cut at the size a probe reads.
    #[error("body is larger than the {mib} MiB a probe reads: not judged as JSON")]
    BodyTooLarge { mib: usize },
    /// `start` is the body's beginning, as shown.
    #[error("body is not JSON: {start:?}")]
    NotJson { start: String },
    /// A key looked up in something other than an object, at `at`
    /// (`[BODY].items[0]`); `found` says what it is (`a string`).
    #[error("path not found: {at} is {found}, not an object")]
    NotObject { at: String, found: &'static str },
    /// An index looked up in something other than an array.
    #[error("path not found: {at} is {found}, not an array")]
    NotArray { at: String, found: &'static str },
    /// An index past the end of the array at `at`.
    #[error("path not found: {at} has {len} elements")]
    OutOfRange { at: String, len: usize },
    /// The object at `at` has no `step` (`.status`, `["a b"]`).
    #[error("path not found: {at} has no {step}")]
    Missing { at: String, step: String },
}

type Result<T> = std::result::Result<T, EvalError>;

/// Values in the evidence are cut to this many characters.
const SHORT: usize = 120;

/// A resolved side.
struct Val {
    /// Compared for equality and by pat().
    text: String,
    /// Set when the text reads as a number (never for a quoted literal).
    number: Option<f64>,
    /// Milliseconds, for durations.
    ms: Option<f64>,
    /// As shown in the evidence.
    shown: String,
}

impl Val {
    fn number(n: f64) -> Val {
        Val {
            text: n.to_string(),
            number: Some(n),
            ms: None,
            shown: n.to_string(),
        }
    }

    fn bool(b: bool) -> Val {
        Val {
            text: b.to_string(),
            number: None,
            ms: None,
            shown: b.to_string(),
        }
    }

    fn duration(ms: f64, shown: String) -> Val {
        Val {
            text: shown.clone(),
            number: Some(ms),
            ms: Some(ms),
            shown,
        }
    }

    fn text(text: String) -> Val {
        Val {
            number: number(text.trim()),
            ms: None,
            shown: format!("{:?}", short(&text, SHORT)),
            text,
        }
    }

    fn literal(l: &Literal) -> Val {
        Val {
            text: l.text.clone(),
            number: if l.quoted { None } else { number(&l.text) },
            ms: l.ms,
            shown: l.text.clone(),
        }
    }

    fn json(v: &Value) -> Val {
        match v {
            Value::String(s) => Val::text(s.clone()),
            Value::Number(n) => Val {
                text: n.to_string(),
                number: n.as_f64(),
                ms: None,
                shown: n.to_string(),
            },
            other => {
                let text = other.to_string();
                Val {
                    shown: short(&text, SHORT),
                    text,
                    number: None,
                    ms: None,
                }
            }
        }
    }
}

pub(crate) fn evaluate(text: &str, e: &Expr, o: &Observed) -> Evaluation {
    let result = |ok: bool, resolved: String, error: Option<String>| Evaluation {
        condition: text.to_string(),
        ok,
        resolved,
        error,
    };
    // The evidence describes the side naming a placeholder (the left when
    // both do).
    let main_is_left = e.left.kind().is_some();
    let (main, other) = if main_is_left {
        (&e.left, &e.right)
    } else {
        (&e.right, &e.left)
    };
    let main_val = match resolve(main, o) {
        Ok(v) => v,
        Err(reason) => {
            return result(
                false,
                format!("{}: {reason}", main.shown),
                Some(reason.to_string()),
            );
        }
    };
    let resolved = format!("{} = {}", main.shown, main_val.shown);
    let duration = [&e.left, &e.right]
        .iter()
        .any(|s| s.kind() == Some(Kind::Duration));
    let outcome = match &other.operand {
        Operand::Pat(p) => Ok(glob(p, &main_val.text)),
        Operand::Any(values) => Ok(values.iter().any(|v| match v {
            Operand::Pat(p) => glob(p, &main_val.text),
            Operand::Literal(l) => {
                compare(&main_val, Op::Eq, &Val::literal(l), duration).unwrap_or(false)
            }
            _ => false,
        })),
        _ => {
            let other_val = match resolve(other, o) {
                Ok(v) => v,
                Err(reason) => {
                    let resolved = format!("{resolved}, {}: {reason}", other.shown);
                    return result(false, resolved, Some(reason.to_string()));
                }
            };
            if main_is_left {
                compare(&main_val, e.op, &other_val, duration)
            } else {
                compare(&other_val, e.op, &main_val, duration)
            }
        }
    };
    let outcome = match (&other.operand, e.op, outcome) {
        (Operand::Pat(_) | Operand::Any(_), Op::Ne, Ok(matched)) => Ok(!matched),
        (_, _, outcome) => outcome,
    };
    match outcome {
        Ok(ok) => result(ok, resolved, None),
        Err(error) => result(false, resolved, Some(error.to_string())),
    }
}

fn compare(l: &Val, op: Op, r: &Val, duration: bool) -> Result<bool> {
    let pair = if duration {
        l.ms.or(l.number).zip(r.ms.or(r.number))
    } else {
        l.number.zip(r.number)
    };
    if let Some((a, b)) = pair {
        let ord = a.partial_cmp(&b);
        use std::cmp::Ordering::{Equal, Greater, Less};
        return Ok(match op {
            Op::Eq => ord == Some(Equal),
            Op::Ne => ord != Some(Equal),
            Op::Lt => ord == Some(Less),
            Op::Le => matches!(ord, Some(Less | Equal)),
            Op::Gt => ord == Some(Greater),
            Op::Ge => matches!(ord, Some(Greater | Equal)),
        });
    }
    match op {
        Op::Eq => Ok(l.text == r.text),
        Op::Ne => Ok(l.text != r.text),
        _ => {
            let not = if l.number.is_none() { l } else { r };
            Err(EvalError::NotNumber {
                op: op.to_string(),
                text: short(&not.text, SHORT),
            })
        }
    }
}

fn resolve(side: &Side, o: &Observed) -> Result<Val> {
    match &side.operand {
        Operand::Placeholder(p) => placeholder(p, o),
        Operand::Len(p) => len(p, o).map(|n| Val::number(n as f64)),
        Operand::Has(p) => has(p, o).map(Val::bool),
        Operand::Literal(l) => Ok(Val::literal(l)),
        Operand::Pat(_) | Operand::Any(_) => Err(EvalError::NoValue {
            side: side.shown.clone(),
        }),
    }
}

fn response(o: &Observed) -> Result<()> {
    if o.connected {
        Ok(())
    } else {
        Err(EvalError::NoResponse)
    }
}

fn placeholder(p: &Placeholder, o: &Observed) -> Result<Val> {
    match p {
        Placeholder::Status => {
            response(o)?;
            o.status
                .map(|s| Val::number(f64::from(s)))
                .ok_or(EvalError::NoResponse)
        }
        Placeholder::ResponseTime => {
            response(o)?;
            o.response_time_ms
                .map(|ms| Val::duration(ms, format!("{ms:.0}ms")))
                .ok_or(EvalError::NoResponseTime)
        }
        Placeholder::CertificateExpiration => match o.certificate_expiration {
            Some(d) => {
                let ms = d.as_millis_f64();
                Ok(Val::duration(ms, span(ms)))
            }
            None if o.connected => Err(EvalError::PlainHttp),
            None => Err(EvalError::NoTls),
        },
        Placeholder::Connected => Ok(Val::bool(o.connected)),
        Placeholder::Health => {
            let reading = health::normalise(o);
            Ok(Val {
                text: reading.health.to_string(),
                number: None,
                ms: None,
                shown: format!("{} ({})", reading.health, reading.basis),
            })
        }
        Placeholder::StatusCount(key) => {
            // In u64: counts near u32::MAX must not overflow the total.
            let total: u64 = o.status_counts.values().map(|n| u64::from(*n)).sum();
            if total == 0 {
                return Err(EvalError::NoCounts);
            }
            let n: u64 = match key {
                CountKey::Code(c) => o.status_counts.get(c).copied().map_or(0, u64::from),
                CountKey::Class(k) => o
                    .status_counts
                    .iter()
                    .filter(|(code, _)| **code / 100 == *k)
                    .map(|(_, n)| u64::from(*n))
                    .sum(),
            };
            let mut v = Val::number(n as f64);
            v.shown = format!("{n} of {total} responses");
            Ok(v)
        }
        Placeholder::Body(path) if path.is_empty() => {
            response(o)?;
            let mut v = Val::text(o.body.trim().to_string());
            v.shown = format!("{:?}", short(&o.body, SHORT));
            Ok(v)
        }
        Placeholder::Body(path) => {
            let root = body_json(o)?;
            lookup(&root, path).map(Val::json)
        }
        Placeholder::Header(name) => header(name, o).map(Val::text),
    }
}

fn len(p: &Placeholder, o: &Observed) -> Result<usize> {
    match p {
        Placeholder::Body(path) if path.is_empty() => {
            response(o)?;
            Ok(o.body.chars().count())
        }
        Placeholder::Body(path) => {
            let root = body_json(o)?;
            Ok(match lookup(&root, path)? {
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                Value::String(s) => s.chars().count(),
                other => other.to_string().chars().count(),
            })
        }
        Placeholder::Header(name) => header(name, o).map(|v| v.chars().count()),
        _ => Err(EvalError::LenArgument),
    }
}

fn has(p: &Placeholder, o: &Observed) -> Result<bool> {
    match p {
        Placeholder::Body(path) => {
            let root = body_json(o)?;
            Ok(lookup(&root, path).is_ok())
        }
        Placeholder::Header(name) => {
            response(o)?;
            Ok(o.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)))
        }
        _ => Err(EvalError::HasArgument),
    }
}

/// A header's value (several are joined with ", "), found by its name in
/// any case.
fn header(name: &str, o: &Observed) -> Result<String> {
    response(o)?;
    let values: Vec<&str> = o
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect();
    if values.is_empty() {
        return Err(EvalError::NoHeader {
            name: name.to_string(),
        });
    }
    Ok(values.join(", "))
}

fn body_json(o: &Observed) -> Result<Value> {
    response(o)?;
    if o.body.trim().is_empty() {
        return Err(EvalError::EmptyBody);
    }
    if o.body_cut {
        return Err(EvalError::BodyTooLarge {
            mib: super::MAX_BODY >> 20,
        });
    }
    serde_json::from_str(&o.body).map_err(|_| EvalError::NotJson {
        start: short(o.body.trim(), 40),
    })
}

fn lookup<'v>(root: &'v Value, path: &[Segment]) -> Result<&'v Value> {
    let mut at = String::from("[BODY]");
    let mut current = root;
    for segment in path {
        let next = match (segment, current) {
            (Segment::Key(k), Value::Object(map)) => map.get(k),
            (Segment::Key(k), Value::Array(items)) => {
                k.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            (Segment::Index(i), Value::Array(items)) => {
                let i = if *i < 0 { items.len() as i64 + i } else { *i };
                usize::try_from(i).ok().and_then(|i| items.get(i))
            }
            (Segment::Key(_), other) => {
                return Err(EvalError::NotObject {
                    at,
                    found: what(other),
                });
            }
            (Segment::Index(_), other) => {
                return Err(EvalError::NotArray {
                    at,
                    found: what(other),
                });
            }
        };
        let step = match segment {
            Segment::Key(k) if k.chars().all(|c| c.is_alphanumeric() || "_-".contains(c)) => {
                format!(".{k}")
            }
            Segment::Key(k) => format!("[{k:?}]"),
            Segment::Index(i) => format!("[{i}]"),
        };
        current = match next {
            Some(v) => v,
            None => {
                return Err(match current {
                    Value::Array(items) => EvalError::OutOfRange {
                        at,
                        len: items.len(),
                    },
                    _ => EvalError::Missing { at, step },
                });
            }
        };
        at.push_str(&step);
    }
    Ok(current)
}

fn what(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A glob: `*` any run of characters, `?` one character, the rest itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it matched up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A duration in its two largest units: `12d 3h`, `5h 20m`, `45s`, `300ms`.
pub(crate) fn span(ms: f64) -> String {
    let sign = if ms < 0.0 { "-" } else { "" };
    let total = ms.abs();
    if total < 1000.0 {
        return format!("{sign}{total:.0}ms");
    }
    let secs = (total / 1000.0) as u64;
    let parts = [
        (secs / 86_400, "d"),
        (secs / 3600 % 24, "h"),
        (secs / 60 % 60, "m"),
        (secs % 60, "s"),
    ];
    let first = parts.iter().position(|(n, _)| *n > 0).unwrap_or(3);
    let mut out = format!("{sign}{}{}", parts[first].0, parts[first].1);
    if let Some((n, unit)) = parts.get(first + 1)
        && *n > 0
    {
        out.push_str(&format!(" {n}{unit}"));
    }
    out
}

/// At most `max` characters, with `…` when cut.
pub(crate) fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(body: &str) -> Observed {
        Observed {
            connected: true,
            status: Some(200),
            body: body.to_string(),
            ..Observed::default()
        }
    }

    #[test]
    fn errors_are_kinds_a_caller_can_match() {
        assert_eq!(body_json(&Observed::default()), Err(EvalError::NoResponse));
        assert_eq!(body_json(&observed("  ")), Err(EvalError::EmptyBody));
        let not_json = body_json(&observed("<html>")).unwrap_err();
        assert!(matches!(&not_json, EvalError::NotJson { start } if start == "<html>"));
        assert_eq!(not_json.to_string(), r#"body is not JSON: "<html>""#);

        let root: Value = serde_json::json!({"items": [1, 2], "name": "a"});
        let path = [Segment::Key("items".into()), Segment::Index(5)];
        assert_eq!(
            lookup(&root, &path),
            Err(EvalError::OutOfRange {
                at: "[BODY].items".into(),
                len: 2
            })
        );
        let path = [Segment::Key("status".into())];
        let missing = lookup(&root, &path).unwrap_err();
        assert!(
            matches!(&missing, EvalError::Missing { at, step } if at == "[BODY]" && step == ".status")
        );
        assert_eq!(missing.to_string(), "path not found: [BODY] has no .status");
        let path = [Segment::Key("name".into()), Segment::Index(0)];
        assert!(matches!(
            lookup(&root, &path),
            Err(EvalError::NotArray {
                found: "a string",
                ..
            })
        ));
        assert!(matches!(
            header("X-Id", &observed("")),
            Err(EvalError::NoHeader { name }) if name == "X-Id"
        ));
    }
}
