//! Prometheus: signals (instant and range queries judged against
//! thresholds) and the alerts list.
//!
//! - [`signal`]: a value judged against the runbook's thresholds
//!   ([`crate::runbook::threshold`]), and the worst of several series;
//! - [`client`]: the HTTP API client (instant, range, alerts) and its errors;
//! - [`alerts`]: active alerts and their filtering by labels;
//! - [`poller`]: retry backoff and the age of the last good value.

pub mod alerts;
pub mod client;
pub mod plan;
pub mod poller;
pub mod signal;

pub use alerts::{Alert, AlertState};
pub use client::{Prom, PromError};
pub use signal::{Reading, SignalState, judge};
