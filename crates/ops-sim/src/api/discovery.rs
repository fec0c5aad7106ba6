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

fn apps_group() -> Value {
    json!({
        "name": "apps",
        "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}
    })
}

pub fn api_groups() -> Resp {
    json(
        StatusCode::OK,
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [apps_group()]}),
    )
}

pub fn api_group(group: &str) -> Resp {
    if group != "apps" {
        return super::status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource".into(),
            None,
        );
    }
    let mut g = apps_group();
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

pub fn resources(group: &str) -> Resp {
    const READ: &[&str] = &["get", "list", "watch"];
    let body = if group.is_empty() {
        json!({
            "kind": "APIResourceList",
            "groupVersion": "v1",
            "resources": [
                resource("namespaces", "namespace", "Namespace", false, READ, &["ns"], false),
                resource("pods", "pod", "Pod", true, &["delete", "get", "list", "watch"], &["po"], true),
                resource("services", "service", "Service", true, &["create", "delete", "get", "list", "patch", "update", "watch"], &["svc"], true),
                resource("events", "event", "Event", true, READ, &["ev"], false),
            ]
        })
    } else {
        let mut scale = resource(
            "deployments/scale",
            "",
            "Scale",
            true,
            &["get", "patch", "update"],
            &[],
            false,
        );
        scale["group"] = json!("autoscaling");
        scale["version"] = json!("v1");
        json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "apps/v1",
            "resources": [
                resource("deployments", "deployment", "Deployment", true, &["create", "delete", "get", "list", "patch", "update", "watch"], &["deploy"], true),
                scale,
                resource("replicasets", "replicaset", "ReplicaSet", true, READ, &["rs"], true),
            ]
        })
    };
    json(StatusCode::OK, &body)
}
