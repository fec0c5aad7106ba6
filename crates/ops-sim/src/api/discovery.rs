//! Discovery documents: enough for kubectl and kube-rs to find the resources
//! and their verbs.

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::http::{Resp, json};

pub fn version() -> Resp {
    json(
        StatusCode::OK,
        &json!({
            "major": "1",
            "minor": "32",
            "gitVersion": "v1.32.0-ops-tui-sim",
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "go1.23.0",
            "compiler": "gc",
            "platform": "linux/amd64"
        }),
    )
}

pub fn api_versions(address: &str) -> Resp {
    json(
        StatusCode::OK,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]
        }),
    )
}

/// The API groups served, each with its one version.
pub const GROUPS: [(&str, &str); 4] = [
    ("apps", "v1"),
    ("batch", "v1"),
    ("autoscaling", "v2"),
    ("coordination.k8s.io", "v1"),
];

fn group_doc(name: &str, version: &str) -> Value {
    let gv = format!("{name}/{version}");
    json!({
        "name": name,
        "versions": [{"groupVersion": gv, "version": version}],
        "preferredVersion": {"groupVersion": gv, "version": version}
    })
}

/// The metrics API's group and version, as metrics-server registers them
/// (an aggregated API: listed only while served).
pub const METRICS: (&str, &str) = ("metrics.k8s.io", "v1beta1");

/// `/apis`: the groups served, the metrics API among them unless it is
/// off.
pub fn api_groups(metrics: bool) -> Resp {
    let mut groups: Vec<Value> = GROUPS.iter().map(|(g, v)| group_doc(g, v)).collect();
    if metrics {
        groups.push(group_doc(METRICS.0, METRICS.1));
    }
    json(
        StatusCode::OK,
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
    )
}

pub fn api_group(group: &str) -> Resp {
    let Some((name, version)) = GROUPS.iter().chain([&METRICS]).find(|(g, _)| *g == group) else {
        return super::status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource".into(),
            None,
        );
    };
    let mut g = group_doc(name, version);
    g["kind"] = json!("APIGroup");
    g["apiVersion"] = json!("v1");
    json(StatusCode::OK, &g)
}

fn resource(
    name: &str,
    singular: &str,
    kind: &str,
    namespaced: bool,
    verbs: &[&str],
    short: &[&str],
    all: bool,
) -> Value {
    let mut r = json!({
        "name": name,
        "singularName": singular,
        "namespaced": namespaced,
        "kind": kind,
        "verbs": verbs,
    });
    if !short.is_empty() {
        r["shortNames"] = json!(short);
    }
    if all {
        r["categories"] = json!(["all"]);
    }
    r
}

/// The scale subresource of a workload kind.
fn scale(of: &str) -> Value {
    let mut scale = resource(
        &format!("{of}/scale"),
        "",
        "Scale",
        true,
        &["get", "patch", "update"],
        &[],
        false,
    );
    scale["group"] = json!("autoscaling");
    scale["version"] = json!("v1");
    scale
}

pub fn resources(group: &str) -> Resp {
    const READ: &[&str] = &["get", "list", "watch"];
    const WRITE: &[&str] = &[
        "create", "delete", "get", "list", "patch", "update", "watch",
    ];
    let (group_version, resources) = match group {
        "" => (
            "v1",
            vec![
                resource(
                    "namespaces",
                    "namespace",
                    "Namespace",
                    false,
                    READ,
                    &["ns"],
                    false,
                ),
                resource(
                    "nodes",
                    "node",
                    "Node",
                    false,
                    &["get", "list", "patch", "update", "watch"],
                    &["no"],
                    false,
                ),
                resource(
                    "pods",
                    "pod",
                    "Pod",
                    true,
                    &["delete", "get", "list", "watch"],
                    &["po"],
                    true,
                ),
                resource(
                    "services",
                    "service",
                    "Service",
                    true,
                    WRITE,
                    &["svc"],
                    true,
                ),
                resource("secrets", "secret", "Secret", true, WRITE, &[], false),
                resource(
                    "configmaps",
                    "configmap",
                    "ConfigMap",
                    true,
                    WRITE,
                    &["cm"],
                    false,
                ),
                resource(
                    "events",
                    "event",
                    "Event",
                    true,
                    &["create", "get", "list", "watch"],
                    &["ev"],
                    false,
                ),
            ],
        ),
        "apps" => (
            "apps/v1",
            vec![
                resource(
                    "deployments",
                    "deployment",
                    "Deployment",
                    true,
                    WRITE,
                    &["deploy"],
                    true,
                ),
                scale("deployments"),
                resource(
                    "replicasets",
                    "replicaset",
                    "ReplicaSet",
                    true,
                    READ,
                    &["rs"],
                    true,
                ),
                resource(
                    "statefulsets",
                    "statefulset",
                    "StatefulSet",
                    true,
                    WRITE,
                    &["sts"],
                    true,
                ),
                scale("statefulsets"),
                resource(
                    "daemonsets",
                    "daemonset",
                    "DaemonSet",
                    true,
                    WRITE,
                    &["ds"],
                    true,
                ),
                resource(
                    "controllerrevisions",
                    "controllerrevision",
                    "ControllerRevision",
                    true,
                    READ,
                    &[],
                    false,
                ),
            ],
        ),
        "batch" => (
            "batch/v1",
            vec![
                resource("jobs", "job", "Job", true, WRITE, &[], true),
                resource("cronjobs", "cronjob", "CronJob", true, WRITE, &["cj"], true),
            ],
        ),
        "autoscaling" => (
            "autoscaling/v2",
            vec![resource(
                "horizontalpodautoscalers",
                "horizontalpodautoscaler",
                "HorizontalPodAutoscaler",
                true,
                WRITE,
                &["hpa"],
                true,
            )],
        ),
        "coordination.k8s.io" => (
            "coordination.k8s.io/v1",
            vec![resource(
                "leases",
                "lease",
                "Lease",
                true,
                WRITE,
                &[],
                false,
            )],
        ),
        "metrics.k8s.io" => (
            "metrics.k8s.io/v1beta1",
            vec![
                resource(
                    "nodes",
                    "",
                    "NodeMetrics",
                    false,
                    &["get", "list"],
                    &[],
                    false,
                ),
                resource("pods", "", "PodMetrics", true, &["get", "list"], &[], false),
            ],
        ),
        _ => {
            return super::status(
                StatusCode::NOT_FOUND,
                "NotFound",
                "the server could not find the requested resource".into(),
                None,
            );
        }
    };
    json(
        StatusCode::OK,
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }),
    )
}
