//! Resource usage from the metrics API (`metrics.k8s.io/v1beta1`, served by
//! metrics-server), read the way `kubectl top` reads it: each pod's
//! containers' CPU and memory, and each node's. Asked every
//! `METRICS_EVERY` (metrics-server itself refreshes about every 15 s); a
//! cluster without the API is its own state, told once, never an error
//! that repeats.

use std::time::Duration;

use ::kube::Client;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde::Deserialize;

use super::model::{bytes, quantity};
use super::{KubeMsg, Out};

/// How often usage is read while the API answers.
pub const METRICS_EVERY: Duration = Duration::from_secs(15);
/// How often a cluster without the metrics API is asked again (it may be
/// installed meanwhile).
pub const ABSENT_EVERY: Duration = Duration::from_secs(60);
/// How long one read may take.
pub const METRICS_DEADLINE: Duration = Duration::from_secs(10);

/// CPU in millicores and memory in bytes, summed over a pod's containers
/// (or a node's total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu: u64,
    pub memory: u64,
}

impl Usage {
    pub fn plus(self, other: Usage) -> Usage {
        Usage {
            cpu: self.cpu.saturating_add(other.cpu),
            memory: self.memory.saturating_add(other.memory),
        }
    }
}

/// One read of the metrics API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageReport {
    /// The pods of the namespace (by name) and the nodes (by name; empty
    /// when nodes may not be read), as of `at` (seconds since the epoch,
    /// the newest sample's time).
    Read {
        at: Option<i64>,
        pods: Vec<(String, Usage)>,
        nodes: Vec<(String, Usage)>,
    },
    /// The cluster does not serve the metrics API (no metrics-server, or
    /// its APIService is unavailable).
    Absent(String),
    /// RBAC refuses reading it.
    Forbidden(String),
    /// Any other failure (timeout, connection, a body that is not metrics).
    Failed(String),
}

#[derive(Deserialize)]
struct List {
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    metadata: Meta,
    #[serde(default)]
    timestamp: Option<String>,
    /// A pod's containers.
    #[serde(default)]
    containers: Vec<Container>,
    /// A node's total.
    #[serde(default)]
    usage: Option<Resources>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

/// Whose pods' usage is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// One namespace; pods by name.
    One(String),
    /// Every namespace at once; pods by qualified name (`ns/name`).
    All,
    /// These namespaces, one by one; pods by qualified name.
    Some(Vec<String>),
}

#[derive(Deserialize)]
struct Container {
    #[serde(default)]
    usage: Resources,
}

#[derive(Deserialize, Default)]
struct Resources {
    cpu: Option<Quantity>,
    memory: Option<Quantity>,
}

impl Resources {
    /// CPU in cores, memory in bytes.
    fn read(&self) -> (f64, u64) {
        (
            self.cpu.as_ref().and_then(quantity).unwrap_or(0.0),
            self.memory.as_ref().and_then(bytes).unwrap_or(0),
        )
    }
}

/// kubectl top sums a pod's containers exactly, then rounds the CPU up to
/// whole millicores.
fn total<'a>(parts: impl Iterator<Item = &'a Resources>) -> Usage {
    let (cores, memory) = parts.fold((0.0, 0u64), |(c, m), r| {
        let (rc, rm) = r.read();
        (c + rc, m.saturating_add(rm))
    });
    Usage {
        cpu: (cores * 1000.0 - 1e-9).ceil().max(0.0) as u64,
        memory,
    }
}

/// Usage by pod or node name.
pub type Named = Vec<(String, Usage)>;

/// A PodMetricsList or NodeMetricsList: (name, usage) of each item and
/// the newest sample's time.
pub fn parse(body: &[u8]) -> Result<(Named, Option<i64>), String> {
    parse_as(body, false)
}

/// As `parse`, each pod's name qualified by its namespace when `qualify`.
pub fn parse_as(body: &[u8], qualify: bool) -> Result<(Named, Option<i64>), String> {
    let list: List = serde_json::from_slice(body)
        .map_err(|e| format!("the metrics API answered with something else: {e}"))?;
    let mut newest: Option<i64> = None;
    let items = list
        .items
        .into_iter()
        .map(|item| {
            let at = item
                .timestamp
                .as_deref()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|t| t.as_second());
            newest = newest.max(at);
            let usage = match &item.usage {
                Some(node) => total(std::iter::once(node)),
                None => total(item.containers.iter().map(|c| &c.usage)),
            };
            let name = match (&item.metadata.namespace, qualify) {
                (Some(ns), true) => super::model::qualified(ns, &item.metadata.name),
                _ => item.metadata.name,
            };
            (name, usage)
        })
        .collect();
    Ok((items, newest))
}

enum Got {
    Body(Vec<u8>),
    Absent(String),
    Forbidden(String),
    Failed(String),
}

async fn get(client: &Client, path: &str) -> Got {
    let request = match http::Request::get(path).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return Got::Failed(e.to_string()),
    };
    match tokio::time::timeout(METRICS_DEADLINE, client.request_text(request)).await {
        Err(_) => Got::Failed(format!(
            "the metrics API did not answer within {} s",
            METRICS_DEADLINE.as_secs()
        )),
        Ok(Ok(text)) => Got::Body(text.into_bytes()),
        Ok(Err(::kube::Error::Api(status))) => {
            let message = status.message.clone();
            match status.code {
                404 => Got::Absent(
                    "the cluster does not serve the metrics API (metrics.k8s.io): no metrics-server"
                        .into(),
                ),
                503 => Got::Absent(format!(
                    "the metrics API (metrics.k8s.io) is unavailable: {message}"
                )),
                403 => Got::Forbidden(message),
                code => Got::Failed(format!("{message} ({code})")),
            }
        }
        Ok(Err(e)) => Got::Failed(e.to_string()),
    }
}

/// The pods of one path, parsed.
async fn pods_at(
    client: &Client,
    path: &str,
    qualify: bool,
) -> Result<(Named, Option<i64>), UsageReport> {
    match get(client, path).await {
        Got::Body(body) => parse_as(&body, qualify).map_err(UsageReport::Failed),
        Got::Absent(why) => Err(UsageReport::Absent(why)),
        Got::Forbidden(why) => Err(UsageReport::Forbidden(why)),
        Got::Failed(why) => Err(UsageReport::Failed(why)),
    }
}

/// One read: the pods (of one namespace, of all, or of several one by
/// one), then the nodes (whose refusal or absence leaves the pods'
/// figures standing).
pub async fn read(client: &Client, place: &Where) -> UsageReport {
    const PODS: &str = "/apis/metrics.k8s.io/v1beta1";
    let pods = match place {
        Where::One(ns) => pods_at(client, &format!("{PODS}/namespaces/{ns}/pods"), false).await,
        Where::All => pods_at(client, &format!("{PODS}/pods"), true).await,
        Where::Some(namespaces) => {
            let mut all: Named = Vec::new();
            let mut newest = None;
            let mut failure = None;
            for ns in namespaces {
                match pods_at(client, &format!("{PODS}/namespaces/{ns}/pods"), true).await {
                    Ok((pods, at)) => {
                        all.extend(pods);
                        newest = newest.max(at);
                    }
                    Err(e) => failure = failure.or(Some(e)),
                }
            }
            match failure {
                Some(e) if all.is_empty() => Err(e),
                _ => Ok((all, newest)),
            }
        }
    };
    let (pods, at) = match pods {
        Ok(read) => read,
        Err(report) => return report,
    };
    let nodes = match get(client, "/apis/metrics.k8s.io/v1beta1/nodes").await {
        Got::Body(body) => parse(&body).map(|(n, _)| n).unwrap_or_default(),
        _ => Vec::new(),
    };
    UsageReport::Read { at, pods, nodes }
}

/// Reads usage every `METRICS_EVERY` (every `ABSENT_EVERY` while the API
/// is absent or refused) until the UI loop is gone.
pub async fn poll<M>(client: &Client, place: &Where, generation: u64, out: Out<M>) {
    loop {
        let report = read(client, place).await;
        let pause = match report {
            UsageReport::Read { .. } | UsageReport::Failed(_) => METRICS_EVERY,
            UsageReport::Absent(_) | UsageReport::Forbidden(_) => ABSENT_EVERY,
        };
        if !out.send(generation, KubeMsg::Usage(report)).await {
            return;
        }
        tokio::time::sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pods_containers_are_summed_and_rounded_as_kubectl_top_does() {
        let body = br#"{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},
            "items":[
              {"metadata":{"name":"api-1","namespace":"shop"},"timestamp":"2026-12-03T10:00:00Z","window":"15s",
               "containers":[{"name":"api","usage":{"cpu":"12500001n","memory":"102400Ki"}},
                             {"name":"proxy","usage":{"cpu":"2m","memory":"16Mi"}}]},
              {"metadata":{"name":"api-2","namespace":"shop"},"timestamp":"2026-12-03T10:00:05Z","window":"15s",
               "containers":[]}
            ]}"#;
        let (pods, at) = parse(body).unwrap();
        assert_eq!(
            pods,
            vec![
                (
                    "api-1".to_string(),
                    Usage {
                        cpu: 15,
                        memory: (100 + 16) << 20
                    }
                ),
                ("api-2".to_string(), Usage::default()),
            ]
        );
        assert_eq!(at, Some(1_796_292_005));
    }

    #[test]
    fn a_node_has_its_total_and_a_body_that_is_not_metrics_is_an_error() {
        let body = br#"{"kind":"NodeMetricsList","items":[{"metadata":{"name":"node-1"},
            "timestamp":"2026-12-03T10:00:00Z","window":"20s","usage":{"cpu":"1500m","memory":"4Gi"}}]}"#;
        let (nodes, _) = parse(body).unwrap();
        assert_eq!(
            nodes,
            vec![(
                "node-1".to_string(),
                Usage {
                    cpu: 1500,
                    memory: 4 << 30
                }
            )]
        );
        let err = parse(b"<html>proxy</html>").unwrap_err();
        assert!(err.contains("something else"), "{err}");
    }
}
