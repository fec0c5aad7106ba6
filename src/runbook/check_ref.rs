//! What a checklist item's `check` names: `probe:NAME`, `probe:*`,
//! `signal:NAME`, `signal:*`, `rollout:WORKLOAD`, `rollout:*`,
//! `usage:WORKLOAD`, `usage:*`, `job:NAME`,
//! `alerts`, `alerts:FILTER`, `alerts:configured`,
//! `alerts:configured=NAME,NAME`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    All,
    Named(String),
}

/// Why a check reference was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckRefError {
    #[error(
        "unknown check \"{0}\": expected probe:NAME, probe:*, signal:NAME, signal:*, rollout:WORKLOAD, rollout:*, usage:WORKLOAD, usage:*, job:NAME, alerts or alerts:configured"
    )]
    Unknown(String),
    #[error("check \"{text}\" names nothing after \"{kind}:\"")]
    Empty { text: String, kind: String },
    #[error("unknown check kind \"{0}\": expected probe, signal, rollout, usage, job or alerts")]
    UnknownKind(String),
    #[error("check \"{0}\": job:* is not a check; name the Job or CronJob")]
    AllJobs(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckRef {
    Probe(Target),
    Signal(Target),
    Rollout(Target),
    /// The newest Job of that name, or made by the CronJob of that name,
    /// completed successfully.
    Job(String),
    /// No alert firing; the optional filter narrows which alerts count.
    Alerts(Option<String>),
    /// The named alerting rules (any one, when none is named) are loaded
    /// in Prometheus: `alerts:configured`, `alerts:configured=A,B`.
    AlertRules(Vec<String>),
    /// Every pod of the workload within its usage conditions (memory and
    /// CPU, from the metrics API).
    Usage(Target),
}

impl CheckRef {
    pub fn parse(text: &str) -> Result<CheckRef, CheckRefError> {
        let text = text.trim();
        if text == "alerts" {
            return Ok(CheckRef::Alerts(None));
        }
        let Some((kind, rest)) = text.split_once(':') else {
            return Err(CheckRefError::Unknown(text.to_string()));
        };
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(CheckRefError::Empty {
                text: text.to_string(),
                kind: kind.to_string(),
            });
        }
        let target = if rest == "*" {
            Target::All
        } else {
            Target::Named(rest.to_string())
        };
        match kind {
            "probe" => Ok(CheckRef::Probe(target)),
            "signal" => Ok(CheckRef::Signal(target)),
            "rollout" => Ok(CheckRef::Rollout(target)),
            "usage" => Ok(CheckRef::Usage(target)),
            "job" => match target {
                Target::All => Err(CheckRefError::AllJobs(text.to_string())),
                Target::Named(name) => Ok(CheckRef::Job(name)),
            },
            "alerts" => {
                Ok(alert_rules(rest).unwrap_or_else(|| CheckRef::Alerts(Some(rest.to_string()))))
            }
            other => Err(CheckRefError::UnknownKind(other.to_string())),
        }
    }
}

/// `configured` or `configured=A,B` after `alerts:`: the rules that must
/// be loaded (none named: any).
fn alert_rules(rest: &str) -> Option<CheckRef> {
    let names = match rest.split_once('=') {
        Some((word, names)) if word.trim() == "configured" => names,
        None if rest == "configured" => "",
        _ => return None,
    };
    Some(CheckRef::AlertRules(
        names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect(),
    ))
}

impl fmt::Display for CheckRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, target) = match self {
            CheckRef::Probe(t) => ("probe", t),
            CheckRef::Signal(t) => ("signal", t),
            CheckRef::Rollout(t) => ("rollout", t),
            CheckRef::Usage(t) => ("usage", t),
            CheckRef::Job(name) => return write!(f, "job:{name}"),
            CheckRef::Alerts(None) => return f.write_str("alerts"),
            CheckRef::Alerts(Some(filter)) => return write!(f, "alerts:{filter}"),
            CheckRef::AlertRules(names) if names.is_empty() => {
                return f.write_str("alerts:configured");
            }
            CheckRef::AlertRules(names) => {
                return write!(f, "alerts:configured={}", names.join(","));
            }
        };
        match target {
            Target::All => write!(f, "{kind}:*"),
            Target::Named(name) => write!(f, "{kind}:{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_and_round_trips() {
        for text in [
            "probe:health",
            "probe:*",
            "signal:error-rate",
            "signal:*",
            "rollout:api",
            "rollout:*",
            "job:db-migrate",
            "alerts",
            "alerts:severity=critical",
            "alerts:configured",
            "alerts:configured=HighErrorRate,HighLatency",
        ] {
            assert_eq!(CheckRef::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            CheckRef::parse("alerts:configured= A , B,").unwrap(),
            CheckRef::AlertRules(vec!["A".into(), "B".into()])
        );
        assert_eq!(
            CheckRef::parse("alerts:configured").unwrap(),
            CheckRef::AlertRules(Vec::new())
        );
        assert_eq!(
            CheckRef::parse("alerts:severity=page").unwrap(),
            CheckRef::Alerts(Some("severity=page".into()))
        );
        assert_eq!(
            CheckRef::parse("probe:health").unwrap(),
            CheckRef::Probe(Target::Named("health".into()))
        );
    }

    #[test]
    fn refuses_unknown_kinds_and_empty_names() {
        let kind = CheckRef::parse("prob:x").unwrap_err();
        assert_eq!(kind, CheckRefError::UnknownKind("prob".into()));
        assert!(kind.to_string().contains("unknown check kind \"prob\""));
        assert!(matches!(
            CheckRef::parse("job:*"),
            Err(CheckRefError::AllJobs(_))
        ));
        let empty = CheckRef::parse("probe:").unwrap_err();
        assert!(matches!(empty, CheckRefError::Empty { ref kind, .. } if kind == "probe"));
        assert!(empty.to_string().contains("names nothing"));
        assert!(
            CheckRef::parse("health")
                .unwrap_err()
                .to_string()
                .contains("unknown check \"health\"")
        );
    }
}
