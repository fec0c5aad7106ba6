//! The condition language of probes (DESIGN.md section 2): placeholders,
//! operators, functions and durations, parsed once when the runbook loads,
//! and judged against what a probe observed.
//!
//! A condition is `LEFT OP RIGHT`, or a lone `has(…)` / `[CONNECTED]`
//! meaning `== true`. Each side is a placeholder, a function or a value;
//! at least one side names a placeholder.
//!
//! Placeholders:
//! - `[STATUS]`: the HTTP status code (a number);
//! - `[RESPONSE_TIME]`: milliseconds to the end of the body (a duration);
//! - `[CERTIFICATE_EXPIRATION]`: time left on the server certificate
//!   (a duration, negative once expired);
//! - `[BODY]`: the body as text (white space around it ignored), and
//!   `[BODY].a.b[0]["odd.key"][-1]`, a path into the JSON body (`[-1]` is
//!   the last element);
//! - `[HEADER].Name`: a response header, its name in any case (several
//!   values are joined with `, `);
//! - `[CONNECTED]`: `true` or `false`;
//! - `[HEALTH]`: `pass`, `warn` or `fail`, see [`health`];
//! - `[STATUS_COUNT].429`, `[STATUS_COUNT].5xx`: how many responses of a
//!   burst had that status (0 when none did).
//!
//! Operators: `==`, `!=`, `<`, `<=`, `>`, `>=`. Functions: `len(X)` (length
//! of a string, array or object, X being `[BODY]`, `[BODY].path` or
//! `[HEADER].Name`), `has(X)` (whether `[BODY].path` or `[HEADER].Name`
//! exists), `pat(GLOB)` (`*` and `?`, on either side, with `==` / `!=`),
//! `any(V, …)` (equal to one of the values or patterns, with `==` / `!=`).
//!
//! Values: numbers; durations (`300ms`, `10s`, `5m`, `48h`, `14d`,
//! `1h30m`; a plain number is milliseconds); bare words up to white space
//! (`UP`, `https://shop.example.com`); strings in `"…"` or `'…'` (with `\`
//! escapes), which always compare as text.
//!
//! Comparison: against `[RESPONSE_TIME]` or `[CERTIFICATE_EXPIRATION]` as
//! durations; otherwise as numbers when both sides read as numbers;
//! otherwise `==` / `!=` compare text and `<`, `>` … are an error. Values
//! are checked when parsed: a status is a number, `[CONNECTED]` is
//! `true`/`false`, `[HEALTH]` is `pass`/`warn`/`fail`, `<` … need numbers.
//!
//! A placeholder that cannot be resolved (no response, body not JSON, path
//! not found, no header, no certificate, no status counts) makes the
//! condition false, with the reason.

mod ast;
mod check;
mod error;
mod eval;
pub mod health;
mod parse;
#[cfg(test)]
mod tests;

pub use eval::EvalError;

use std::collections::BTreeMap;
use std::fmt;

/// The most of a body a probe reads (the rest is not needed to judge it).
pub const MAX_BODY: usize = 1 << 20;

/// What a probe observed: the facts its conditions are judged on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// A connection was made and an HTTP response came back.
    pub connected: bool,
    pub status: Option<u16>,
    /// Milliseconds from sending the request to the end of the body.
    pub response_time_ms: Option<f64>,
    /// Response headers as sent (lookups are case-insensitive).
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), at most the probe's body limit.
    pub body: String,
    /// Time left until the server certificate's notAfter (negative once
    /// expired); HTTPS only, and read even when verification failed.
    pub certificate_expiration: Option<jiff::SignedDuration>,
    /// A burst probe: how many responses had each status code.
    pub status_counts: BTreeMap<u16, u32>,
    /// The body was longer than the probe reads (`body` is its start).
    pub body_cut: bool,
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    text: String,
    expr: ast::Expr,
}

/// Why a condition does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at column {}: {message}", .at + 1)]
pub struct ConditionError {
    /// Character offset into the condition text (0-based; the column shown
    /// is one more).
    pub at: usize,
    pub message: String,
}

/// One condition judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The condition's text.
    pub condition: String,
    pub ok: bool,
    /// The placeholder side resolved, for the evidence: `[STATUS] = 503`,
    /// `[BODY].status = "DOWN"`, `[CERTIFICATE_EXPIRATION] = 12d 3h`; or
    /// with the reason it could not be: `[BODY].status: body is not JSON`.
    pub resolved: String,
    /// Why it is false when it could not even be compared.
    pub error: Option<String>,
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, ConditionError> {
        Ok(Condition {
            text: text.to_string(),
            expr: parse::parse(text)?,
        })
    }

    pub fn evaluate(&self, o: &Observed) -> Evaluation {
        eval::evaluate(&self.text, &self.expr, o)
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Condition {
    type Err = ConditionError;

    fn from_str(text: &str) -> Result<Condition, ConditionError> {
        Condition::parse(text)
    }
}

/// The list a condition is in: any `fail` condition false fails the
/// probe; any `warn` condition false degrades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    Fail,
    Warn,
}

impl Tier {
    pub fn is_fail(self) -> bool {
        self == Tier::Fail
    }

    /// `fail` or `warn`, as the runbook names the list.
    pub fn word(self) -> &'static str {
        match self {
            Tier::Fail => "fail",
            Tier::Warn => "warn",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A probe's state from its conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Pass,
    Warn,
    Fail,
}

/// Every condition of a probe judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub state: State,
    /// The `fail` conditions, then the `warn` ones, in runbook order.
    pub evaluations: Vec<(Tier, Evaluation)>,
    /// Index into `evaluations` of the condition that decided a state
    /// other than pass: the first false `fail` condition, else the first
    /// false `warn` one.
    pub first_failing: Option<usize>,
}

impl Verdict {
    /// The evaluation at `first_failing`.
    pub fn first_failing(&self) -> Option<&Evaluation> {
        self.first_failing
            .and_then(|i| self.evaluations.get(i))
            .map(|(_, e)| e)
    }
}

/// Judges a probe: any `fail` condition false → Fail; else any `warn`
/// condition false → Warn; else Pass.
pub fn judge(fail: &[Condition], warn: &[Condition], o: &Observed) -> Verdict {
    let evaluations: Vec<(Tier, Evaluation)> = fail
        .iter()
        .map(|c| (Tier::Fail, c.evaluate(o)))
        .chain(warn.iter().map(|c| (Tier::Warn, c.evaluate(o))))
        .collect();
    let first = |tier: Tier| evaluations.iter().position(|(t, e)| *t == tier && !e.ok);
    let (state, first_failing) = match (first(Tier::Fail), first(Tier::Warn)) {
        (Some(i), _) => (State::Fail, Some(i)),
        (None, Some(i)) => (State::Warn, Some(i)),
        (None, None) => (State::Pass, None),
    };
    Verdict {
        state,
        evaluations,
        first_failing,
    }
}
