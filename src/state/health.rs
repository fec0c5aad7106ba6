//! What the Health pane knows: each probe's last result, its recent
//! latencies (for the sparkline) and states (for the history).

use std::collections::{BTreeMap, VecDeque};

use crate::condition::State;
use crate::config::theme::Status;
use crate::probe::{Failure, ProbeResult};

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

/// The status a result shows: a transport failure fails whatever the
/// conditions say.
pub fn status(r: &ProbeResult) -> Status {
    match &r.failure {
        Some(Failure::Http(_) | Failure::Condition(_)) | None => match r.verdict.state {
            State::Pass => Status::Ok,
            State::Warn => Status::Warn,
            State::Fail => Status::Fail,
        },
        Some(_) => Status::Fail,
    }
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
        entry.history.push_back((result.at, status(&result)));
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
