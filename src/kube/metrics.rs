//! Resource usage from the metrics API (`metrics.k8s.io/v1beta1`, served by
//! metrics-server), read the way `kubectl top` reads it: each pod's
//! containers' CPU and memory, and each node's. Asked every
//! `METRICS_EVERY` (metrics-server itself refreshes about every 15 s); a
//! cluster without the API is its own state, told once, never an error
//! that repeats.

use std::time::Duration;

use std::borrow::Cow;

use ::kube::Client;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::model::quantity_of;
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

/// A pod's container, or a node: its usage, the quantities borrowed from
/// the body.
#[derive(Deserialize, Default)]
struct Resources<'a> {
    #[serde(borrow, default)]
    cpu: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    memory: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Container<'a> {
    #[serde(borrow, default)]
    usage: Resources<'a>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow)]
    metadata: Meta<'a>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    /// A pod's containers.
    #[serde(borrow, default)]
    containers: Vec<Container<'a>>,
    /// A node's total.
    #[serde(borrow, default)]
    usage: Option<Resources<'a>>,
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    namespace: Option<Cow<'a, str>>,
}

impl Resources<'_> {
    /// CPU in cores, memory in bytes.
    fn read(&self) -> (f64, u64) {
        (
            self.cpu.as_deref().and_then(quantity_of).unwrap_or(0.0),
            self.memory
                .as_deref()
                .and_then(quantity_of)
                .map_or(0, |v| v.ceil() as u64),
        )
    }
}

/// kubectl top sums a pod's containers exactly, then rounds the CPU up to
/// whole millicores.
fn total<'a, 'b: 'a>(parts: impl Iterator<Item = &'a Resources<'b>>) -> Usage {
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
/// Each item is reduced to its name and usage as it is read, so that a
/// list of 100,000 pods is never held whole as structs.
pub fn parse_as(body: &[u8], qualify: bool) -> Result<(Named, Option<i64>), String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let read = ListSeed { qualify }
        .deserialize(&mut de)
        .and_then(|read| de.end().map(|()| read))
        .map_err(|e| format!("the metrics API answered with something else: {e}"))?;
    Ok(read)
}

/// The list: its `items`, reduced; every other field skipped.
struct ListSeed {
    qualify: bool,
}

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = (Named, Option<i64>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = (Named, Option<i64>);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a PodMetricsList or NodeMetricsList")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut read = (Vec::new(), None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "items" {
                read = map.next_value_seed(ItemsSeed {
                    qualify: self.qualify,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(read)
    }
}

struct ItemsSeed {
    qualify: bool,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed {
    type Value = (Named, Option<i64>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // `null` is an empty list, as the API server may write it.
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed {
    type Value = (Named, Option<i64>);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of metrics items")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok((Vec::new(), None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        let mut newest: Option<i64> = None;
        while let Some(item) = seq.next_element::<Item<'de>>()? {
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
            let name = match (&item.metadata.namespace, self.qualify) {
                (Some(ns), true) => super::model::qualified(ns, &item.metadata.name),
                _ => item.metadata.name.into_owned(),
            };
            items.push((name, usage));
        }
        Ok((items, newest))
    }
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
    let (mut pods, at) = match pods {
        Ok(read) => read,
        Err(report) => return report,
    };
    // Sorted here, off the screen's thread: the state joins them with its
    // pods in one pass.
    pods.sort_by(|a, b| a.0.cmp(&b.0));
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

    #[test]
    fn every_namespace_qualifies_the_names_and_odd_lists_read_as_the_api_means_them() {
        // Escaped text (not borrowed from the body), fields of no interest
        // anywhere, a null list.
        let body =
            br#"{"items":[{"metadata":{"name":"api-1","namespace":"shop","labels":{"a":"b"}},
            "containers":[{"name":"api","usage":{"cpu":"1","memory":"1Gi","nvidia.com/gpu":"1"}}],
            "extra":[1,{"x":null}]}],"metadata":{"resourceVersion":""}}"#;
        let (pods, at) = parse_as(body, true).unwrap();
        assert_eq!(
            pods,
            vec![(
                "shop/api-1".to_string(),
                Usage {
                    cpu: 1000,
                    memory: 1 << 30
                }
            )]
        );
        assert_eq!(at, None);
        assert_eq!(parse(br#"{"items":null}"#).unwrap(), (Vec::new(), None));
        assert_eq!(
            parse(br#"{"kind":"PodMetricsList"}"#).unwrap(),
            (Vec::new(), None)
        );
        // A quantity that is not one counts as nothing; a truncated body
        // or trailing text is an error.
        let (pods, _) = parse(
            br#"{"items":[{"metadata":{"name":"x"},"containers":[{"usage":{"cpu":"lots"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(pods, vec![("x".to_string(), Usage::default())]);
        assert!(parse(br#"{"items":[{"metadata":{"name":"x"}"#).is_err());
        assert!(parse(br#"{"items":[]} {"#).is_err());
    }
}
