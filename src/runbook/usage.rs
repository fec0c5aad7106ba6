//! What a workload's pods may use, for the `usage:WORKLOAD` check:
//! conditions such as `memory < 80% of limit`, `cpu < 90% of request` or
//! `memory < 1.5Gi`, each of which every pod must meet. A workload's
//! `usage = { warn = [...], fail = [...] }` sets them; without it, memory
//! warns from 80% and fails from 95% of the limit.

use std::fmt;

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Memory,
    Cpu,
}

/// What the figure is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The figure itself: bytes, or millicores.
    Absolute,
    /// Per mille of the pod's limit.
    OfLimit,
    /// Per mille of the pod's request.
    OfRequest,
}

impl Measure {
    pub fn word(self) -> &'static str {
        match self {
            Measure::Memory => "memory",
            Measure::Cpu => "cpu",
        }
    }
}

impl Basis {
    pub fn word(self) -> &'static str {
        match self {
            Basis::Absolute => "",
            Basis::OfLimit => "limit",
            Basis::OfRequest => "request",
        }
    }
}

/// One condition every pod must meet: `measure (< or <=) bound`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRule {
    pub measure: Measure,
    pub basis: Basis,
    /// `<=` rather than `<`.
    pub inclusive: bool,
    /// Bytes or millicores (Absolute), else per mille.
    pub bound: u64,
}

impl UsageRule {
    /// `memory < 80% of limit`, `cpu <= 90% of request`, `memory < 1.5Gi`,
    /// `cpu < 500m` (`mem` for memory; `the` before limit or request may
    /// be written).
    pub fn parse(text: &str) -> Result<UsageRule, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let expected = "expected MEASURE < VALUE, such as \"memory < 80% of limit\", \"cpu < 90% of request\" or \"memory < 1.5Gi\"";
        let (measure, op, value, rest) = match words.as_slice() {
            [m, op, v, rest @ ..] => (*m, *op, *v, rest),
            _ => return Err(expected.to_string()),
        };
        let measure = match measure.to_ascii_lowercase().as_str() {
            "memory" | "mem" => Measure::Memory,
            "cpu" => Measure::Cpu,
            other => {
                return Err(format!(
                    "unknown measure \"{other}\": expected memory or cpu"
                ));
            }
        };
        let inclusive = match op {
            "<" => false,
            "<=" => true,
            other => {
                return Err(format!(
                    "\"{other}\": usage is bounded from above, with < or <="
                ));
            }
        };
        let rest: Vec<String> = rest
            .iter()
            .map(|w| w.to_ascii_lowercase())
            .filter(|w| w != "the")
            .collect();
        if let Some(number) = value.strip_suffix('%') {
            let percent: f64 = number
                .parse()
                .ok()
                .filter(|p: &f64| p.is_finite() && *p > 0.0 && *p <= 10_000.0)
                .ok_or_else(|| format!("\"{value}\" is not a percentage above 0"))?;
            let basis = match rest
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["of", "limit" | "limits"] => Basis::OfLimit,
                ["of", "request" | "requests"] => Basis::OfRequest,
                _ => {
                    return Err(format!(
                        "a percentage needs \"of limit\" or \"of request\" after it: \"{text}\""
                    ));
                }
            };
            return Ok(UsageRule {
                measure,
                basis,
                inclusive,
                bound: (percent * 10.0).round() as u64,
            });
        }
        if !rest.is_empty() {
            return Err(format!("unexpected \"{}\" after {value}", rest.join(" ")));
        }
        let quantity = kube_quantity::ParsedQuantity::try_from(value)
            .ok()
            .and_then(|q| q.to_bytes_f64())
            .filter(|v| v.is_finite() && *v > 0.0)
            .ok_or_else(|| match measure {
                Measure::Memory => {
                    format!("\"{value}\" is not an amount of memory such as 512Mi or 1.5Gi")
                }
                Measure::Cpu => format!("\"{value}\" is not an amount of CPU such as 500m or 2"),
            })?;
        let bound = match measure {
            Measure::Memory => quantity.round() as u64,
            Measure::Cpu => (quantity * 1000.0).round() as u64,
        };
        Ok(UsageRule {
            measure,
            basis: Basis::Absolute,
            inclusive,
            bound,
        })
    }

    /// Whether a figure meets the rule.
    pub fn holds(&self, value: u64) -> bool {
        if self.inclusive {
            value <= self.bound
        } else {
            value < self.bound
        }
    }
}

impl fmt::Display for UsageRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.inclusive { "<=" } else { "<" };
        let measure = self.measure.word();
        match self.basis {
            Basis::Absolute => match self.measure {
                Measure::Memory => write!(f, "{measure} {op} {}", crate::human::memory(self.bound)),
                Measure::Cpu => write!(f, "{measure} {op} {}", crate::human::cpu(self.bound)),
            },
            basis => write!(
                f,
                "{measure} {op} {}% of {}",
                per_mille_text(self.bound),
                basis.word()
            ),
        }
    }
}

/// 800 as "80", 825 as "82.5".
fn per_mille_text(pm: u64) -> String {
    if pm.is_multiple_of(10) {
        format!("{}", pm / 10)
    } else {
        format!("{}.{}", pm / 10, pm % 10)
    }
}

/// A workload's usage conditions: each pod must meet every `fail` one to
/// pass, every `warn` one not to be degraded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRules {
    pub warn: Vec<UsageRule>,
    pub fail: Vec<UsageRule>,
}

impl Default for UsageRules {
    /// Memory warns from 80% of the limit and fails from 95%.
    fn default() -> UsageRules {
        let of_limit = |bound| UsageRule {
            measure: Measure::Memory,
            basis: Basis::OfLimit,
            inclusive: false,
            bound,
        };
        UsageRules {
            warn: vec![of_limit(800)],
            fail: vec![of_limit(950)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_limits_and_requests_and_amounts_parse() {
        let r = UsageRule::parse("memory < 80% of limit").unwrap();
        assert_eq!(
            (r.measure, r.basis, r.inclusive, r.bound),
            (Measure::Memory, Basis::OfLimit, false, 800)
        );
        let r = UsageRule::parse("CPU <= 92.5% of the request").unwrap();
        assert_eq!(
            (r.measure, r.basis, r.inclusive, r.bound),
            (Measure::Cpu, Basis::OfRequest, true, 925)
        );
        assert_eq!(r.to_string(), "cpu <= 92.5% of request");
        let r = UsageRule::parse("mem < 1.5Gi").unwrap();
        assert_eq!((r.basis, r.bound), (Basis::Absolute, 1_610_612_736));
        assert_eq!(r.to_string(), "memory < 1536Mi");
        let r = UsageRule::parse("cpu < 500m").unwrap();
        assert_eq!(r.bound, 500);
        let r = UsageRule::parse("cpu < 2").unwrap();
        assert_eq!(r.bound, 2000);
        assert!(r.holds(1999) && !r.holds(2000));
        assert!(UsageRule::parse("cpu <= 2").unwrap().holds(2000));
    }

    #[test]
    fn what_is_not_a_usage_rule_says_why() {
        for (text, says) in [
            ("memory", "expected MEASURE < VALUE"),
            ("disk < 80% of limit", "unknown measure \"disk\""),
            ("memory > 80% of limit", "bounded from above"),
            ("memory < 80%", "\"of limit\" or \"of request\""),
            ("memory < 80% of budget", "\"of limit\" or \"of request\""),
            ("memory < -5% of limit", "not a percentage"),
            ("memory < lots", "not an amount of memory"),
            ("cpu < 0", "not an amount of CPU"),
            ("memory < 512Mi please", "unexpected \"please\""),
        ] {
            let err = UsageRule::parse(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn by_default_memory_warns_at_80_and_fails_at_95_percent_of_the_limit() {
        let rules = UsageRules::default();
        assert_eq!(rules.warn[0].to_string(), "memory < 80% of limit");
        assert_eq!(rules.fail[0].to_string(), "memory < 95% of limit");
    }
}
