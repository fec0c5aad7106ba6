//! Prometheus: signals (instant and range queries judged against
//! thresholds) and the alerts list.
//!
//! - [`threshold`]: `warn`/`fail` thresholds such as `> 0.01` or `< 99.5%`;
//! - [`signal`]: a value judged against them, and the worst of several series;
//! - [`units`]: values as text by the runbook's `unit`;
//! - [`client`]: the HTTP API client (instant, range, alerts) and its errors;
//! - [`alerts`]: active alerts and their filtering by labels;
//! - [`poller`]: retry backoff and the age of the last good value.

pub mod alerts;
pub mod client;
pub mod poller;
pub mod signal;
pub mod threshold;
pub mod units;

pub use alerts::{Alert, AlertState};
pub use client::{Prom, PromError};
pub use signal::{Reading, SignalState, judge};
pub use threshold::{Threshold, ThresholdError};
