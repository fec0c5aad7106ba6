//! Prometheus: signals (instant and range queries judged against
//! thresholds) and the alerts list.
