//! The parsed form of a condition, and the values runbooks write in it
//! (numbers, durations).

use std::fmt;

/// One step of a `[BODY]` path: `.key`, `["key"]` or `[index]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    Key(String),
    /// Negative counts from the end.
    Index(i64),
}

/// `[STATUS_COUNT].429` or `[STATUS_COUNT].4xx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CountKey {
    Code(u16),
    /// The first digit: 4 for 4xx.
    Class(u16),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Placeholder {
    Status,
    ResponseTime,
    Body(Vec<Segment>),
    Header(String),
    CertificateExpiration,
    Connected,
    Health,
    StatusCount(CountKey),
}

/// How the values of a side compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Number,
    Duration,
    Bool,
    Health,
    Text,
}

impl Placeholder {
    fn kind(&self) -> Kind {
        match self {
            Placeholder::Status | Placeholder::StatusCount(_) => Kind::Number,
            Placeholder::ResponseTime | Placeholder::CertificateExpiration => Kind::Duration,
            Placeholder::Connected => Kind::Bool,
            Placeholder::Health => Kind::Health,
            Placeholder::Body(_) | Placeholder::Header(_) => Kind::Text,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Literal {
    pub text: String,
    /// Quoted literals always compare as text.
    pub quoted: bool,
    pub at: usize,
    /// Milliseconds, when compared with a duration.
    pub ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Placeholder(Placeholder),
    Len(Placeholder),
    Has(Placeholder),
    Literal(Literal),
    Pat(String),
    /// Literals and patterns only.
    Any(Vec<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Side {
    pub operand: Operand,
    pub at: usize,
    /// The side as written.
    pub shown: String,
}

impl Side {
    /// The kind of a side that names a placeholder; None for values.
    pub(crate) fn kind(&self) -> Option<Kind> {
        match &self.operand {
            Operand::Placeholder(p) => Some(p.kind()),
            Operand::Len(_) => Some(Kind::Number),
            Operand::Has(_) => Some(Kind::Bool),
            Operand::Literal(_) | Operand::Pat(_) | Operand::Any(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub(crate) fn orders(self) -> bool {
        !matches!(self, Op::Eq | Op::Ne)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub left: Side,
    pub op: Op,
    pub right: Side,
}

/// A number as runbooks write them (no `inf`, `NaN`).
pub(crate) fn number(text: &str) -> Option<f64> {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ".-+eE".contains(c))
        && text.chars().any(|c| c.is_ascii_digit());
    if !plain {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A duration in milliseconds: a plain number is milliseconds, else
/// `300ms`, `10s`, `5m`, `48h`, `14d`, `1h30m` (humantime), optionally
/// negative. Errors: (character offset in `text`, message).
pub(crate) fn duration_ms(text: &str) -> std::result::Result<f64, (usize, String)> {
    if let Some(n) = number(text) {
        return Ok(n);
    }
    let (sign, body, skip) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest, 1),
        None => (1.0, text, 0),
    };
    let units = "use ms, s, m, h or d, as in 300ms, 48h, 14d or 1h30m";
    match humantime::parse_duration(body) {
        Ok(d) => Ok(sign * d.as_secs_f64() * 1000.0),
        Err(e) => {
            let byte = match &e {
                humantime::DurationError::InvalidCharacter(i)
                | humantime::DurationError::NumberExpected(i) => *i,
                humantime::DurationError::UnknownUnit { start, .. } => *start,
                _ => 0,
            };
            let chars = body.get(..byte).map_or(0, |b| b.chars().count());
            let why = match &e {
                humantime::DurationError::UnknownUnit { unit, .. } => {
                    format!("unknown unit \"{unit}\"")
                }
                other => other.to_string(),
            };
            Err((
                skip + chars,
                format!("invalid duration \"{text}\": {why} ({units})"),
            ))
        }
    }
}
