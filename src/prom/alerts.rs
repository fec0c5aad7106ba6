//! Active alerts as Prometheus reports them, and the filtering the
//! `alerts` check uses (label equality).

use std::collections::BTreeMap;

use prometheus_http_query::response::Alert as ApiAlert;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertState {
    Pending,
    Firing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The `alertname` label.
    pub name: String,
    pub state: AlertState,
    /// The `severity` label.
    pub severity: Option<String>,
    /// Every label, `alertname` and `severity` included.
    pub labels: BTreeMap<String, String>,
    /// The `summary` annotation, else `description`.
    pub summary: Option<String>,
    /// When the alert became active (pending), unix seconds.
    pub active_at: Option<i64>,
    /// The value of the rule's expression when last evaluated.
    pub value: f64,
}

impl Alert {
    /// Converts the API's alert; inactive ones give `None`.
    pub(crate) fn from_api(a: &ApiAlert) -> Option<Alert> {
        let state = match a.state() {
            s if s.is_firing() => AlertState::Firing,
            s if s.is_pending() => AlertState::Pending,
            _ => return None,
        };
        let labels: BTreeMap<String, String> = a
            .labels()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let annotation = |k: &str| {
            a.annotations()
                .get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let active_at = a.active_at().unix_timestamp();
        Some(Alert {
            name: labels.get("alertname").cloned().unwrap_or_default(),
            state,
            severity: labels.get("severity").cloned(),
            summary: annotation("summary").or_else(|| annotation("description")),
            active_at: (active_at > 0).then_some(active_at),
            value: a.value(),
            labels,
        })
    }

    pub fn is_firing(&self) -> bool {
        self.state == AlertState::Firing
    }

    /// Whether every matcher's label has exactly the matcher's value.
    pub fn matches(&self, matchers: &BTreeMap<String, String>) -> bool {
        matchers
            .iter()
            .all(|(k, v)| self.labels.get(k).is_some_and(|l| l == v))
    }
}

/// The alerts whose labels equal every matcher (all of them when there
/// are no matchers).
pub fn filter(alerts: &[Alert], matchers: &BTreeMap<String, String>) -> Vec<Alert> {
    alerts
        .iter()
        .filter(|a| a.matches(matchers))
        .cloned()
        .collect()
}

fn severity_rank(s: Option<&str>) -> u8 {
    match s.map(str::to_ascii_lowercase).as_deref() {
        Some("critical" | "page" | "error") => 0,
        Some("warning" | "warn") => 1,
        Some(_) => 2,
        None => 3,
    }
}

/// Orders alerts for display: firing first, then by severity (critical,
/// warning, others, none), then oldest first, then by name.
pub fn sort(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        b.state
            .cmp(&a.state)
            .then(severity_rank(a.severity.as_deref()).cmp(&severity_rank(b.severity.as_deref())))
            .then(a.active_at.cmp(&b.active_at))
            .then(a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(name: &str, state: AlertState, severity: Option<&str>, at: i64) -> Alert {
        let mut labels = BTreeMap::from([
            ("alertname".to_string(), name.to_string()),
            ("service".to_string(), "api".to_string()),
        ]);
        if let Some(s) = severity {
            labels.insert("severity".into(), s.into());
        }
        Alert {
            name: name.into(),
            state,
            severity: severity.map(String::from),
            labels,
            summary: None,
            active_at: Some(at),
            value: 1.0,
        }
    }

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn filter_by_label_equality() {
        let all = vec![
            alert("A", AlertState::Firing, Some("critical"), 10),
            alert("B", AlertState::Pending, Some("warning"), 20),
            alert("C", AlertState::Firing, None, 30),
        ];
        assert_eq!(filter(&all, &m(&[])).len(), 3);
        let crit = filter(&all, &m(&[("severity", "critical")]));
        assert_eq!(crit.len(), 1);
        assert_eq!(crit[0].name, "A");
        assert_eq!(filter(&all, &m(&[("service", "api")])).len(), 3);
        assert_eq!(filter(&all, &m(&[("alertname", "C")]))[0].name, "C");
        // A missing label never equals a value, not even the empty one.
        assert!(filter(&all, &m(&[("severity", "")])).is_empty());
        assert!(filter(&all, &m(&[("service", "api"), ("severity", "page")])).is_empty());
    }

    #[test]
    fn sorted_for_display() {
        let mut all = vec![
            alert("W", AlertState::Pending, Some("critical"), 1),
            alert("Z", AlertState::Firing, None, 1),
            alert("Y", AlertState::Firing, Some("warning"), 5),
            alert("X", AlertState::Firing, Some("critical"), 9),
            alert("V", AlertState::Firing, Some("critical"), 3),
        ];
        sort(&mut all);
        let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["V", "X", "Y", "Z", "W"]);
        assert!(all[0].is_firing() && !all[4].is_firing());
    }
}
