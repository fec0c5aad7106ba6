//! The metrics API (`metrics.k8s.io/v1beta1`) as metrics-server serves it
//! through the API server, for `kubectl top` and autoscalers: PodMetrics
//! of running pods (every running container) and NodeMetrics, from the
//! current scrape of [`crate::controller::usage`], with label and field
//! selectors. With the metrics API off (fault injection, or a simulator
//! started without it), the group is not served at all: its paths are 404,
//! as on a cluster without metrics-server.

use std::sync::Arc;
use std::time::Duration;

use hyper::{Method, StatusCode};
use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::{Value, json};

use super::{Api, discovery, status, table};
use crate::cluster::lock;
use crate::controller::usage;
use crate::http::{Req, Resp, json};
use crate::memory::{Scrape, Usage};
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{Kind, Obj, Typed, now};

/// Where the group's paths begin.
pub const PREFIX: &str = "/apis/metrics.k8s.io";
const API_VERSION: &str = "metrics.k8s.io/v1beta1";

fn not_served() -> Resp {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource".into(),
        None,
    )
}

fn not_found(resource: &str, name: &str) -> Resp {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{resource}.metrics.k8s.io \"{name}\" not found"),
        Some((name, "metrics.k8s.io", resource)),
    )
}

/// A request under [`PREFIX`]; `rest` is the path after it.
pub fn handle(api: &Api, req: &Req, rest: &str) -> Resp {
    if lock(&api.cluster).faults.metrics_off {
        return not_served();
    }
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if req.method != Method::GET {
        return status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".into(),
            None,
        );
    }
    let selected = match Selected::from(req) {
        Ok(s) => s,
        Err(e) => return status(StatusCode::BAD_REQUEST, "BadRequest", e, None),
    };
    let wants_table = table::wanted(req.header("accept"));
    match segs.as_slice() {
        [] => discovery::api_group(discovery::METRICS.0),
        ["v1beta1"] => discovery::resources(discovery::METRICS.0),
        ["v1beta1", "pods"] => pods(api, None, None, &selected, wants_table),
        ["v1beta1", "namespaces", ns, "pods"] => pods(api, Some(ns), None, &selected, wants_table),
        ["v1beta1", "namespaces", ns, "pods", name] => {
            pods(api, Some(ns), Some(name), &selected, wants_table)
        }
        ["v1beta1", "nodes"] => nodes(api, None, &selected, wants_table),
        ["v1beta1", "nodes", name] => nodes(api, Some(name), &selected, wants_table),
        _ => not_served(),
    }
}

struct Selected {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Selected {
    fn from(req: &Req) -> Result<Selected, String> {
        Ok(Selected {
            labels: LabelSelector::parse(&req.param("labelSelector").unwrap_or_default())?,
            fields: FieldSelector::parse(&req.param("fieldSelector").unwrap_or_default())?,
        })
    }

    fn matches(&self, obj: &Obj) -> bool {
        self.labels.matches(obj.meta().labels.as_ref()) && self.fields.matches(obj)
    }
}

/// Go's `time.Duration` text of a window (`15s`, `1.5s`, `300ms`).
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        let text = format!("{:.3}", d.as_secs_f64());
        format!("{}s", text.trim_end_matches('0'))
    }
}

fn usage_of(u: &Usage) -> Value {
    json!({"cpu": format!("{}n", u.cpu_nanos), "memory": format!("{}Ki", u.memory / 1024)})
}

fn stamp(scrape: &Scrape) -> (Value, Value) {
    (
        json!(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            scrape.at
        )),
        json!(go_duration(scrape.length)),
    )
}

/// The pods asked for, with the scrape: (pod, its metrics).
fn pods(
    api: &Api,
    ns: Option<&str>,
    name: Option<&str>,
    selected: &Selected,
    wants_table: bool,
) -> Resp {
    let (scrape, found) = {
        let mut cluster = lock(&api.cluster);
        let scrape = usage::scrape(&mut cluster);
        let candidates: Vec<Arc<Obj>> = match name {
            Some(name) => cluster
                .store
                .get(Kind::Pod, ns.unwrap_or(""), name)
                .into_iter()
                .collect(),
            None => cluster.store.list(Kind::Pod, ns.filter(|n| !n.is_empty())),
        };
        (scrape, candidates)
    };
    let mut items = Vec::new();
    let (timestamp, window) = stamp(&scrape);
    for obj in &found {
        let Some(pod) = Pod::peek(obj) else { continue };
        if name.is_none() && !selected.matches(obj) {
            continue;
        }
        let key = (obj.namespace().to_string(), obj.name().to_string());
        let Some(scraped) = scrape.pods.get(&key) else {
            continue;
        };
        if Some(&scraped.uid) != pod.metadata.uid.as_ref() {
            continue;
        }
        let containers: Vec<Value> = scraped
            .containers
            .iter()
            .map(|(name, u)| json!({"name": name, "usage": usage_of(u)}))
            .collect();
        items.push(json!({
            "kind": "PodMetrics",
            "apiVersion": API_VERSION,
            "metadata": {
                "name": obj.name(),
                "namespace": obj.namespace(),
                "creationTimestamp": now(),
                "labels": pod.metadata.labels.clone().unwrap_or_default(),
            },
            "timestamp": timestamp,
            "window": window,
            "containers": containers,
        }));
    }
    if let Some(name) = name {
        return match items.into_iter().next() {
            Some(item) if wants_table => json(StatusCode::OK, &table_of(&[item])),
            Some(item) => json(StatusCode::OK, &item),
            None => not_found("pods", name),
        };
    }
    if wants_table {
        return json(StatusCode::OK, &table_of(&items));
    }
    json(
        StatusCode::OK,
        &json!({"kind": "PodMetricsList", "apiVersion": API_VERSION, "metadata": {}, "items": items}),
    )
}

fn nodes(api: &Api, name: Option<&str>, selected: &Selected, wants_table: bool) -> Resp {
    let (scrape, found) = {
        let mut cluster = lock(&api.cluster);
        let scrape = usage::scrape(&mut cluster);
        let candidates: Vec<Arc<Obj>> = match name {
            Some(name) => cluster
                .store
                .get(Kind::Node, "", name)
                .into_iter()
                .collect(),
            None => cluster.store.list(Kind::Node, None),
        };
        (scrape, candidates)
    };
    let (timestamp, window) = stamp(&scrape);
    let mut items = Vec::new();
    for obj in &found {
        let Some(node) = Node::peek(obj) else {
            continue;
        };
        if name.is_none() && !selected.matches(obj) {
            continue;
        }
        let Some(u) = scrape.nodes.get(obj.name()) else {
            continue;
        };
        items.push(json!({
            "kind": "NodeMetrics",
            "apiVersion": API_VERSION,
            "metadata": {
                "name": obj.name(),
                "creationTimestamp": now(),
                "labels": node.metadata.labels.clone().unwrap_or_default(),
            },
            "timestamp": timestamp,
            "window": window,
            "usage": usage_of(u),
        }));
    }
    if let Some(name) = name {
        return match items.into_iter().next() {
            Some(item) if wants_table => json(StatusCode::OK, &table_of(&[item])),
            Some(item) => json(StatusCode::OK, &item),
            None => not_found("nodes", name),
        };
    }
    if wants_table {
        return json(StatusCode::OK, &table_of(&items));
    }
    json(
        StatusCode::OK,
        &json!({"kind": "NodeMetricsList", "apiVersion": API_VERSION, "metadata": {}, "items": items}),
    )
}

/// The Table metrics-server prints: name, CPU, memory, window.
fn table_of(items: &[Value]) -> Value {
    let col = |name: &str, format: &str| json!({"name": name, "type": "string", "format": format, "description": "", "priority": 0});
    let rows: Vec<Value> = items
        .iter()
        .map(|item| {
            let (cpu, memory) = match item.get("usage") {
                Some(u) => (u["cpu"].clone(), u["memory"].clone()),
                None => {
                    let total = item["containers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .fold((0u64, 0u64), |(c, m), x| {
                            let n = |v: &Value, suffix: &str| {
                                v.as_str()
                                    .and_then(|s| s.strip_suffix(suffix))
                                    .and_then(|s| s.parse::<u64>().ok())
                                    .unwrap_or(0)
                            };
                            (
                                c + n(&x["usage"]["cpu"], "n"),
                                m + n(&x["usage"]["memory"], "Ki"),
                            )
                        });
                    (json!(format!("{}n", total.0)), json!(format!("{}Ki", total.1)))
                }
            };
            json!({
                "cells": [item["metadata"]["name"], cpu, memory, item["window"]],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item["metadata"]},
            })
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": [col("Name", "name"), col("CPU", ""), col("Memory", ""), col("Window", "")],
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_go_writes_durations() {
        assert_eq!(go_duration(Duration::from_secs(15)), "15s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_millis(300)), "300ms");
        assert_eq!(go_duration(Duration::from_millis(10_250)), "10.25s");
    }
}
