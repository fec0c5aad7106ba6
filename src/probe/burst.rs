//! A probe's burst as the journal keeps it: an action like the others
//! (who, when, how many requests, and how it ended), so that a rate-limit
//! test sent to a production service is on the record.

use serde_json::json;

use super::{ProbeResult, ProbeSpec};
use crate::journal::{Entry, Record, Step};

/// The journal records of one burst, tied together by one id.
pub struct BurstRecord {
    id: String,
    summary: String,
    requests: u32,
    probe: String,
    kube_user: Option<String>,
}

impl BurstRecord {
    pub fn new(spec: &ProbeSpec, kube_user: Option<String>) -> BurstRecord {
        let requests = spec.burst.unwrap_or(1).clamp(1, super::MAX_BURST);
        BurstRecord {
            id: crate::journal::new_id(),
            summary: format!("burst of probe {}: {requests} requests", spec.name),
            requests,
            probe: spec.name.clone(),
            kube_user,
        }
    }

    fn record(&self, step: Step, ok: Option<bool>, detail: Option<String>) -> Record {
        Record::now(
            self.kube_user.clone(),
            Entry::Action {
                id: self.id.clone(),
                step,
                summary: self.summary.clone(),
                // The probe by name: its URL may carry a secret.
                request: Some(json!({
                    "verb": "GET",
                    "probe": self.probe,
                    "requests": self.requests,
                })),
                ok,
                detail,
            },
        )
    }

    /// Written before the first request is sent.
    pub fn confirmed(&self) -> Record {
        self.record(Step::Confirmed, None, None)
    }

    /// How the burst ended: `ok` when its conditions held (the caller
    /// judges the result), else what failed.
    pub fn outcome(&self, result: &ProbeResult, ok: bool) -> Record {
        let detail = result
            .failure
            .as_ref()
            .map(|f| format!("{} requests sent; {f}", result.requests))
            .or_else(|| Some(format!("{} requests sent", result.requests)));
        self.record(Step::Outcome, Some(ok), detail)
    }
}
