//! One object read whole, for the YAML and describe views: fetched on
//! demand, cleaned of what nobody reads (managedFields) and of what must
//! never be shown (a Secret's data, last-applied copies that may hold it),
//! then written as YAML and as a describe-style summary.

use serde_json::Value;

use crate::kinds::WorkloadKind;

/// An object by kind, name and API path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// As Kubernetes names the kind: "Pod", "Deployment", "Node".
    pub kind: String,
    pub name: String,
    pub path: String,
}

/// A name qualified by its namespace (a view of every namespace) is in
/// that namespace; another is in `ns`.
fn place<'a>(ns: &'a str, name: &'a str) -> (&'a str, &'a str) {
    let (own, short) = super::model::split(name);
    (own.unwrap_or(ns), short)
}

impl ObjectRef {
    pub fn workload(kind: WorkloadKind, ns: &str, name: &str) -> ObjectRef {
        let (ns, name) = place(ns, name);
        ObjectRef {
            kind: kind.name().to_string(),
            name: name.to_string(),
            path: kind.path(ns, name),
        }
    }

    fn core(kind: &str, plural: &str, ns: &str, name: &str) -> ObjectRef {
        let (ns, name) = place(ns, name);
        ObjectRef {
            kind: kind.to_string(),
            name: name.to_string(),
            path: format!("/api/v1/namespaces/{ns}/{plural}/{name}"),
        }
    }

    pub fn pod(ns: &str, name: &str) -> ObjectRef {
        ObjectRef::core("Pod", "pods", ns, name)
    }

    pub fn service(ns: &str, name: &str) -> ObjectRef {
        ObjectRef::core("Service", "services", ns, name)
    }

    pub fn secret(ns: &str, name: &str) -> ObjectRef {
        ObjectRef::core("Secret", "secrets", ns, name)
    }

    pub fn node(name: &str) -> ObjectRef {
        ObjectRef {
            kind: "Node".into(),
            name: name.to_string(),
            path: format!("/api/v1/nodes/{name}"),
        }
    }

    pub fn replicaset(ns: &str, name: &str) -> ObjectRef {
        let (ns, name) = place(ns, name);
        ObjectRef {
            kind: "ReplicaSet".into(),
            name: name.to_string(),
            path: format!("/apis/apps/v1/namespaces/{ns}/replicasets/{name}"),
        }
    }

    pub fn controller_revision(ns: &str, name: &str) -> ObjectRef {
        let (ns, name) = place(ns, name);
        ObjectRef {
            kind: "ControllerRevision".into(),
            name: name.to_string(),
            path: format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions/{name}"),
        }
    }

    pub fn hpa(ns: &str, name: &str) -> ObjectRef {
        let (ns, name) = place(ns, name);
        ObjectRef {
            kind: "HorizontalPodAutoscaler".into(),
            name: name.to_string(),
            path: format!("/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers/{name}"),
        }
    }

    /// "pod/api-1", as kubectl names objects.
    pub fn label(&self) -> String {
        format!("{}/{}", self.kind.to_ascii_lowercase(), self.name)
    }
}

/// Annotations that copy an object whole (so a Secret's data with it).
const COPIES: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// The object without managedFields, with a Secret's values (and any
/// annotation that copies the object) replaced by their size.
pub fn clean(mut object: Value) -> Value {
    let hidden = |v: &Value| {
        let len = v.as_str().map_or(0, str::len);
        Value::String(format!("<hidden: {len} bytes>"))
    };
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            for key in COPIES {
                if let Some(v) = annotations.get_mut(*key) {
                    *v = hidden(v);
                }
            }
        }
    }
    if object.get("kind").and_then(Value::as_str) == Some("Secret") {
        for field in ["data", "stringData"] {
            if let Some(map) = object.get_mut(field).and_then(Value::as_object_mut) {
                for v in map.values_mut() {
                    *v = hidden(v);
                }
            }
        }
    }
    object
}

/// The object as YAML, a line each.
pub fn to_yaml(object: &Value) -> Vec<String> {
    match serde_yaml_ng::to_string(object) {
        Ok(text) => text.lines().map(str::to_string).collect(),
        Err(e) => vec![format!("(cannot be written as YAML: {e})")],
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "<none>".into(),
        Some(other) => other.to_string(),
    }
}

fn pairs(map: Option<&Value>) -> String {
    match map.and_then(Value::as_object) {
        Some(m) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", "),
        _ => "<none>".into(),
    }
}

fn resources(r: Option<&Value>) -> Vec<String> {
    let mut lines = Vec::new();
    for part in ["limits", "requests"] {
        if let Some(m) = r.and_then(|r| r.get(part)).and_then(Value::as_object) {
            let values: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
                .collect();
            lines.push(format!("      {}: {}", capital(part), values.join(", ")));
        }
    }
    lines
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A container's environment as kubectl describe words it: a value from a
/// Secret is named, never read.
fn env(container: &Value) -> Vec<String> {
    let Some(vars) = container.get("env").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut lines = vec!["    Environment:".to_string()];
    for var in vars {
        let name = text(var.get("name"));
        let from = var.get("valueFrom");
        let value = if let Some(s) = from.and_then(|f| f.get("secretKeyRef")) {
            format!(
                "<set to the key '{}' in secret '{}'>",
                text(s.get("key")),
                text(s.get("name"))
            )
        } else if let Some(c) = from.and_then(|f| f.get("configMapKeyRef")) {
            format!(
                "<set to the key '{}' of config map '{}'>",
                text(c.get("key")),
                text(c.get("name"))
            )
        } else if let Some(f) = from.and_then(|f| f.get("fieldRef")) {
            format!("({})", text(f.get("fieldPath")))
        } else {
            text(var.get("value"))
        };
        lines.push(format!("      {name}: {value}"));
    }
    lines
}

fn containers(spec: Option<&Value>, statuses: Option<&Value>) -> Vec<String> {
    let Some(list) = spec
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut lines = vec!["Containers:".to_string()];
    for c in list {
        let name = text(c.get("name"));
        lines.push(format!("  {name}:"));
        lines.push(format!("    Image: {}", text(c.get("image"))));
        let status = statuses
            .and_then(Value::as_array)
            .and_then(|all| all.iter().find(|s| s.get("name") == c.get("name")));
        if let Some(st) = status {
            let state = st
                .get("state")
                .and_then(Value::as_object)
                .and_then(|m| m.iter().next());
            if let Some((word, detail)) = state {
                let reason = detail
                    .get("reason")
                    .map(|r| format!(" ({})", text(Some(r))))
                    .unwrap_or_default();
                lines.push(format!("    State: {}{reason}", capital(word)));
            }
            if let Some(last) = st.pointer("/lastState/terminated").filter(|t| !t.is_null()) {
                lines.push(format!(
                    "    Last State: Terminated ({}, exit code {})",
                    text(last.get("reason")),
                    text(last.get("exitCode"))
                ));
            }
            lines.push(format!("    Ready: {}", text(st.get("ready"))));
            lines.push(format!(
                "    Restart Count: {}",
                text(st.get("restartCount"))
            ));
        }
        let r = resources(c.get("resources"));
        if !r.is_empty() {
            lines.push("    Resources:".into());
            lines.extend(r);
        }
        lines.extend(env(c));
    }
    lines
}

fn conditions(status: Option<&Value>) -> Vec<String> {
    let Some(list) = status
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut lines = vec!["Conditions:".to_string()];
    for c in list {
        let why = [c.get("reason"), c.get("message")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(": ");
        lines.push(format!(
            "  {:<22} {:<7} {why}",
            text(c.get("type")),
            text(c.get("status"))
        ));
    }
    lines
}

/// A describe-style summary of a cleaned object: who it is, what it runs,
/// how it is doing (its events are the caller's to add).
pub fn describe(object: &Value) -> Vec<String> {
    let meta = object.get("metadata");
    let field = |p: &str| object.pointer(p);
    let kind = text(object.get("kind"));
    let mut lines = vec![
        format!("Name:         {}", text(meta.and_then(|m| m.get("name")))),
        format!("Kind:         {kind}"),
    ];
    if let Some(ns) = meta.and_then(|m| m.get("namespace")) {
        lines.push(format!("Namespace:    {}", text(Some(ns))));
    }
    lines.push(format!(
        "Created:      {}",
        text(meta.and_then(|m| m.get("creationTimestamp")))
    ));
    lines.push(format!(
        "Labels:       {}",
        pairs(meta.and_then(|m| m.get("labels")))
    ));
    if let Some(owner) = meta
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .and_then(|o| o.first())
    {
        lines.push(format!(
            "Controlled By: {}/{}",
            text(owner.get("kind")),
            text(owner.get("name"))
        ));
    }
    match kind.as_str() {
        "Pod" => {
            lines.push(format!("Node:         {}", text(field("/spec/nodeName"))));
            lines.push(format!("Status:       {}", text(field("/status/phase"))));
            lines.push(format!("IP:           {}", text(field("/status/podIP"))));
            lines.push(format!(
                "Grace:        {} s",
                text(field("/spec/terminationGracePeriodSeconds"))
            ));
            lines.extend(containers(
                object.get("spec"),
                field("/status/containerStatuses"),
            ));
        }
        "Node" => {
            lines.push(format!(
                "Unschedulable: {}",
                text(field("/spec/unschedulable").or(Some(&Value::Bool(false))))
            ));
            for part in ["capacity", "allocatable"] {
                if let Some(m) = field(&format!("/status/{part}")).and_then(Value::as_object) {
                    lines.push(format!("{}:", capital(part)));
                    lines.extend(
                        m.iter()
                            .map(|(k, v)| format!("  {k}: {}", v.as_str().unwrap_or_default())),
                    );
                }
            }
            if let Some(info) = field("/status/nodeInfo").and_then(Value::as_object) {
                lines.push("System Info:".into());
                for key in [
                    "kubeletVersion",
                    "osImage",
                    "containerRuntimeVersion",
                    "architecture",
                ] {
                    if let Some(v) = info.get(key) {
                        lines.push(format!("  {key}: {}", text(Some(v))));
                    }
                }
            }
        }
        "Secret" => {
            lines.push(format!("Type:         {}", text(object.get("type"))));
            lines.push("Data (sizes only; values are never shown):".into());
            if let Some(m) = object.get("data").and_then(Value::as_object) {
                lines.extend(m.iter().map(|(k, v)| format!("  {k}: {}", text(Some(v)))));
            }
        }
        "Service" => {
            lines.push(format!("Type:         {}", text(field("/spec/type"))));
            lines.push(format!("Selector:     {}", pairs(field("/spec/selector"))));
            lines.push(format!("Cluster IP:   {}", text(field("/spec/clusterIP"))));
            if let Some(ports) = field("/spec/ports").and_then(Value::as_array) {
                for p in ports {
                    lines.push(format!(
                        "Port:         {} {}/{} → {}",
                        text(p.get("name")),
                        text(p.get("port")),
                        text(p.get("protocol")),
                        text(p.get("targetPort"))
                    ));
                }
            }
        }
        "HorizontalPodAutoscaler" => {
            lines.push(format!(
                "Target:       {}/{}",
                text(field("/spec/scaleTargetRef/kind")),
                text(field("/spec/scaleTargetRef/name"))
            ));
            lines.push(format!(
                "Replicas:     {} current, {} desired, {}-{}",
                text(field("/status/currentReplicas")),
                text(field("/status/desiredReplicas")),
                text(field("/spec/minReplicas")),
                text(field("/spec/maxReplicas"))
            ));
        }
        _ => {
            if let Some(r) = field("/spec/replicas") {
                lines.push(format!("Replicas:     {} desired", text(Some(r))));
            }
            if let Some(s) = field("/spec/selector/matchLabels") {
                lines.push(format!("Selector:     {}", pairs(Some(s))));
            }
            if let Some(s) = field("/spec/strategy/type").or(field("/spec/updateStrategy/type")) {
                lines.push(format!("Strategy:     {}", text(Some(s))));
            }
            if let Some(s) = field("/spec/schedule") {
                lines.push(format!("Schedule:     {}", text(Some(s))));
            }
            let template = field("/spec/template/spec")
                .or(field("/spec/jobTemplate/spec/template/spec"))
                .or(field("/data/spec/template/spec"));
            if template.is_some() {
                lines.push("Pod Template:".into());
                lines.extend(
                    containers(template, None)
                        .into_iter()
                        .map(|l| format!("  {l}")),
                );
            }
        }
    }
    lines.extend(conditions(object.get("status")));
    lines
}

/// Reads an object (GET on its path), cleaned.
pub async fn fetch(client: &::kube::Client, path: &str) -> Result<Value, String> {
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| e.to_string())?;
    let text = client.request_text(request).await.map_err(|e| match e {
        ::kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
        other => other.to_string(),
    })?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("the API server answered with something else: {e}"))?;
    Ok(clean(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_secret_shows_sizes_never_values_and_managed_fields_are_gone() {
        let secret = json!({
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": "db", "namespace": "shop",
                "managedFields": [{"manager": "kubectl"}],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                    "{\"data\":{\"password\":\"aHVudGVyMg==\"}}"}},
            "data": {"password": "aHVudGVyMg=="},
            "stringData": {"token": "s3cr3t-t0ken"}
        });
        let cleaned = clean(secret);
        let yaml = to_yaml(&cleaned).join("\n");
        let summary = describe(&cleaned).join("\n");
        for text in [&yaml, &summary] {
            assert!(!text.contains("aHVudGVyMg"), "{text}");
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(!text.contains("managedFields"), "{text}");
        }
        assert!(yaml.contains("password: '<hidden: 12 bytes>'"), "{yaml}");
        assert!(
            summary.contains("password: <hidden: 12 bytes>"),
            "{summary}"
        );
    }

    #[test]
    fn a_pods_secret_reference_is_named_and_its_containers_described() {
        let pod = json!({
            "kind": "Pod",
            "metadata": {"name": "api-1", "namespace": "shop", "labels": {"app": "api"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7c9d"}]},
            "spec": {"nodeName": "node-2", "terminationGracePeriodSeconds": 30,
                "containers": [{"name": "api", "image": "api:2.1",
                    "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m"}},
                    "env": [
                        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                        {"name": "MODE", "value": "live"}]}]},
            "status": {"phase": "Running", "podIP": "10.0.0.7",
                "containerStatuses": [{"name": "api", "ready": true, "restartCount": 2,
                    "state": {"running": {"startedAt": "2026-12-03T10:00:00Z"}},
                    "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}],
                "conditions": [{"type": "Ready", "status": "True"}]}
        });
        let lines = describe(&clean(pod)).join("\n");
        for want in [
            "Controlled By: ReplicaSet/api-7c9d",
            "Node:         node-2",
            "State: Running",
            "Last State: Terminated (OOMKilled, exit code 137)",
            "Restart Count: 2",
            "Limits: memory: 512Mi",
            "DB_PASSWORD: <set to the key 'password' in secret 'db'>",
            "MODE: live",
            "Ready                  True",
        ] {
            assert!(lines.contains(want), "{want}:\n{lines}");
        }
    }
}
