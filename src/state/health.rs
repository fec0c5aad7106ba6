//! What the Health pane knows: each probe's last result, its recent
//! latencies (for the sparkline) and states (for the history).

use std::collections::{BTreeMap, VecDeque};

use crate::probe::ProbeResult;
use crate::status::Status;

/// Results remembered per probe.
pub const HISTORY: usize = 60;

#[derive(Debug, Clone, Default)]
pub struct ProbeState {
    pub last: Option<ProbeResult>,
    /// Latencies in ms, oldest first (0 when there was no response).
    pub latencies: VecDeque<u64>,
    /// (when, status), oldest first.
    pub history: VecDeque<(i64, Status)>,
}

/// Every condition of a verdict with its resolved value, for the evidence
/// of a tick: "✓ [STATUS] == 200 ([STATUS] = 200)", warn-tier ones
/// prefixed "warn:".
pub fn conditions(verdict: &crate::condition::Verdict) -> Vec<String> {
    verdict
        .evaluations
        .iter()
        .map(|(tier, e)| {
            let mark = if e.ok { "✓" } else { "✗" };
            let tier = if tier.is_fail() { "" } else { "warn: " };
            let why = e
                .error
                .as_ref()
                .map(|err| format!(": {err}"))
                .unwrap_or_default();
            format!("{mark} {tier}{} ({}{why})", e.condition, e.resolved)
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct Health {
    pub probes: BTreeMap<String, ProbeState>,
}

impl Health {
    pub fn record(&mut self, result: ProbeResult) {
        let entry = self.probes.entry(result.name.clone()).or_default();
        let ms = result
            .observed
            .response_time_ms
            .map_or(0, |ms| ms.round().max(0.0) as u64);
        entry.latencies.push_back(ms);
        entry
            .history
            .push_back((result.at, crate::probe::status(&result)));
        while entry.latencies.len() > HISTORY {
            entry.latencies.pop_front();
        }
        while entry.history.len() > HISTORY {
            entry.history.pop_front();
        }
        entry.last = Some(result);
    }

    pub fn get(&self, name: &str) -> Option<&ProbeState> {
        self.probes.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::{Condition, Observed, judge};

    #[test]
    fn the_evidence_names_every_condition_with_its_value() {
        let fail = [Condition::parse("[STATUS] == 200").unwrap()];
        let warn = [
            Condition::parse("[RESPONSE_TIME] < 100").unwrap(),
            Condition::parse("[BODY].status == UP").unwrap(),
        ];
        let observed = Observed {
            connected: true,
            status: Some(200),
            response_time_ms: Some(250.0),
            body: "not json".into(),
            ..Observed::default()
        };
        let lines = conditions(&judge(&fail, &warn, &observed));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0], "✓ [STATUS] == 200 ([STATUS] = 200)");
        assert!(
            lines[1].starts_with("✗ warn: [RESPONSE_TIME] < 100 ([RESPONSE_TIME] = 250"),
            "{lines:?}"
        );
        assert!(
            lines[2].starts_with("✗ warn: [BODY].status == UP (") && lines[2].contains("JSON"),
            "{lines:?}"
        );
    }
}
