//! The checks of a parsed condition: its sides fit each other and the
//! operator, and each literal reads as what it is compared with.

use super::ConditionError;
use super::ast::{Kind, Literal, Op, Operand, Side, duration_ms, number};
use super::error::{Result, fail};

/// Checks that the sides fit each other and the operator, and reads each
/// literal as what it is compared with (a number, a duration, …).
pub(crate) fn check(left: &mut Side, op: Op, op_at: usize, right: &mut Side) -> Result<()> {
    let (kind, placeholder, other) = match (left.kind(), right.kind()) {
        (None, None) => {
            return fail(
                left.at,
                "a condition compares a placeholder, such as [STATUS] or [BODY].path, with a value",
            );
        }
        (Some(a), Some(b)) => {
            for k in [a, b] {
                if op.orders() && matches!(k, Kind::Bool | Kind::Health) {
                    return fail(
                        op_at,
                        format!("{op} compares numbers and durations: use == or !="),
                    );
                }
            }
            return Ok(());
        }
        (Some(k), None) => (k, left.shown.clone(), right),
        (None, Some(k)) => (k, right.shown.clone(), left),
    };
    if op.orders() {
        if matches!(kind, Kind::Bool | Kind::Health) {
            return fail(
                op_at,
                format!("{placeholder} is compared with == or !=, not {op}"),
            );
        }
        if matches!(other.operand, Operand::Pat(_) | Operand::Any(_)) {
            return fail(
                op_at,
                format!("pat() and any() work with == and !=, not {op}"),
            );
        }
    }
    match &mut other.operand {
        Operand::Literal(lit) => typed(lit, kind, op, &placeholder),
        Operand::Pat(_) if kind == Kind::Duration => fail(
            other.at,
            format!("pat() cannot match the duration {placeholder}: compare it with < or >"),
        ),
        Operand::Any(values) => {
            for v in values {
                match v {
                    Operand::Literal(lit) => typed(lit, kind, op, &placeholder)?,
                    Operand::Pat(_) if kind == Kind::Duration => {
                        return fail(
                            other.at,
                            format!("pat() cannot match the duration {placeholder}"),
                        );
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Reads a literal as the kind of value it is compared with.
fn typed(lit: &mut Literal, kind: Kind, op: Op, placeholder: &str) -> Result<()> {
    let text = lit.text.as_str();
    match kind {
        Kind::Number if number(text).is_none() => fail(
            lit.at,
            format!("{placeholder} is a number, and \"{text}\" is not"),
        ),
        Kind::Duration => {
            lit.ms = Some(
                duration_ms(text).map_err(|(offset, message)| ConditionError {
                    at: lit.at + usize::from(lit.quoted) + offset,
                    message,
                })?,
            );
            Ok(())
        }
        Kind::Bool if text != "true" && text != "false" => fail(
            lit.at,
            format!("{placeholder} is true or false, not \"{text}\""),
        ),
        Kind::Health => {
            let lower = text.to_ascii_lowercase();
            if !matches!(lower.as_str(), "pass" | "warn" | "fail") {
                return fail(
                    lit.at,
                    format!("[HEALTH] is pass, warn or fail, not \"{text}\""),
                );
            }
            lit.text = lower;
            Ok(())
        }
        Kind::Text if op.orders() && (lit.quoted || number(text).is_none()) => fail(
            lit.at,
            format!("{op} compares numbers, and \"{text}\" is not one"),
        ),
        _ => Ok(()),
    }
}
