//! The condition language of probes (DESIGN.md section 2): placeholders,
//! operators, functions and durations, parsed once when the runbook loads,
//! and judged against what a probe observed.

use std::collections::BTreeMap;

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
}
