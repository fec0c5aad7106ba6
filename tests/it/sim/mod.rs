//! The simulator (`ops-tui demo`): its Kubernetes API server through
//! kube-rs and the real kubectl, pod logs, the `scale` scenario, and the
//! simulated service and Prometheus.

mod api_server;
mod kubectl;
mod logs;
mod scale;
mod service;
mod workloads;
