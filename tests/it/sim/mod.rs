//! The simulator (`ops-tui demo`): its Kubernetes API server through
//! kube-rs and the real kubectl, Jobs, CronJobs and HPAs, pod logs, the
//! `scale` scenario, and the simulated service and Prometheus; nodes,
//! namespaces and the metrics API (`kubectl top`).

mod api_server;
mod batch;
mod kubectl;
mod logs;
mod metrics;
mod nodes;
mod scale;
mod service;
mod workloads;
