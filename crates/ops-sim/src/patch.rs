//! The three patch types kubectl and kube-rs send: JSON patch (RFC 6902),
//! JSON merge patch (RFC 7386), and Kubernetes strategic merge patch (lists
//! of named things merge by their key instead of being replaced).

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
}

impl PatchType {
    pub fn from_content_type(ct: &str) -> Option<PatchType> {
        match ct.split(';').next().unwrap_or("").trim() {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            _ => None,
        }
    }
}

/// Applies a patch to a document. The error is the reason a real API server
/// would give in its 422 (or 400) answer.
pub fn apply(doc: &Value, kind: PatchType, body: &[u8]) -> Result<Value, String> {
    let patch: Value =
        serde_json::from_slice(body).map_err(|e| format!("the patch is not valid JSON: {e}"))?;
    match kind {
        PatchType::Json => {
            let ops: json_patch::Patch =
                serde_json::from_value(patch).map_err(|e| format!("invalid JSON patch: {e}"))?;
            let mut out = doc.clone();
            json_patch::patch(&mut out, &ops).map_err(|e| format!("the JSON patch failed: {e}"))?;
            Ok(out)
        }
        PatchType::Merge => {
            if !patch.is_object() {
                return Err("a merge patch must be a JSON object".into());
            }
            let mut out = doc.clone();
            json_patch::merge(&mut out, &patch);
            Ok(out)
        }
        PatchType::Strategic => {
            let Value::Object(patch) = patch else {
                return Err("a strategic merge patch must be a JSON object".into());
            };
            let Value::Object(doc) = doc.clone() else {
                return Err("the object is not a JSON object".into());
            };
            Ok(Value::Object(strategic_map(doc, patch)?))
        }
    }
}

/// The key that identifies an element of a list field, if the list merges.
fn merge_key(field: &str, sample: Option<&Value>) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "conditions" => Some("type"),
        "ports" => Some(if sample.and_then(|s| s.get("containerPort")).is_some() {
            "containerPort"
        } else {
            "port"
        }),
        _ => None,
    }
}

fn strategic_map(
    mut doc: Map<String, Value>,
    patch: Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut patch = patch;
            patch.remove("$patch");
            return Ok(patch);
        }
        Some("delete") => return Ok(Map::new()),
        Some(other) => return Err(format!("unknown patch directive {other:?}")),
        None => {}
    }
    for (key, value) in patch {
        // Ordering and retain-keys directives do not change content here.
        if key.starts_with("$setElementOrder/") || key == "$retainKeys" {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(remove)) = (doc.get_mut(field), &value) {
                list.retain(|v| !remove.contains(v));
            }
            continue;
        }
        match value {
            Value::Null => {
                doc.remove(&key);
            }
            Value::Object(p) => {
                let merged = match doc.remove(&key) {
                    Some(Value::Object(d)) => strategic_map(d, p)?,
                    _ => strategic_map(Map::new(), p)?,
                };
                doc.insert(key, Value::Object(merged));
            }
            Value::Array(items) => {
                let merged = match (merge_key(&key, items.first()), doc.remove(&key)) {
                    (Some(mk), Some(Value::Array(existing))) => merge_list(existing, items, mk)?,
                    (_, _) => items
                        .into_iter()
                        .filter(|i| i.get("$patch").is_none())
                        .collect(),
                };
                doc.insert(key, Value::Array(merged));
            }
            other => {
                doc.insert(key, other);
            }
        }
    }
    Ok(doc)
}

fn merge_list(
    mut existing: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
) -> Result<Vec<Value>, String> {
    for item in patch {
        let Value::Object(item) = item else {
            return Err(format!("list items merged by {key:?} must be objects"));
        };
        let id = item
            .get(key)
            .cloned()
            .ok_or_else(|| format!("a list item is missing its merge key {key:?}"))?;
        let pos = existing.iter().position(|e| e.get(key) == Some(&id));
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => {
                let Value::Object(current) = existing[i].take() else {
                    return Err("list item is not an object".into());
                };
                existing[i] = Value::Object(strategic_map(current, item)?);
            }
            (None, false) => existing.push(Value::Object(strategic_map(Map::new(), item)?)),
        }
    }
    Ok(existing)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn strategic(doc: Value, patch: Value) -> Value {
        apply(&doc, PatchType::Strategic, patch.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn containers_merge_by_name() {
        let doc = json!({"spec": {"containers": [
            {"name": "api", "image": "api:1", "ports": [{"containerPort": 80}]},
            {"name": "sidecar", "image": "proxy:1"}
        ]}});
        let out = strategic(
            doc,
            json!({"spec": {"containers": [{"name": "api", "image": "api:2"}]}}),
        );
        assert_eq!(out["spec"]["containers"][0]["image"], "api:2");
        assert_eq!(
            out["spec"]["containers"][0]["ports"][0]["containerPort"],
            80
        );
        assert_eq!(out["spec"]["containers"][1]["image"], "proxy:1");
    }

    #[test]
    fn null_deletes_and_directives_work() {
        let doc = json!({"metadata": {"annotations": {"a": "1", "b": "2"}}, "spec": {"env": [{"name": "X"}, {"name": "Y"}]}});
        let out = strategic(
            doc,
            json!({"metadata": {"annotations": {"a": null}}, "spec": {"env": [{"name": "X", "$patch": "delete"}], "$setElementOrder/env": [{"name": "Y"}]}}),
        );
        assert_eq!(out["metadata"]["annotations"], json!({"b": "2"}));
        assert_eq!(out["spec"]["env"], json!([{"name": "Y"}]));
    }

    #[test]
    fn lists_without_a_merge_key_are_replaced() {
        let out = strategic(json!({"args": ["a", "b"]}), json!({"args": ["c"]}));
        assert_eq!(out["args"], json!(["c"]));
    }

    #[test]
    fn merge_and_json_patches() {
        let doc = json!({"spec": {"replicas": 1, "paused": true}});
        let merged = apply(
            &doc,
            PatchType::Merge,
            br#"{"spec":{"replicas":3,"paused":null}}"#,
        )
        .unwrap();
        assert_eq!(merged, json!({"spec": {"replicas": 3}}));
        let patched = apply(
            &doc,
            PatchType::Json,
            br#"[{"op":"replace","path":"/spec/replicas","value":5}]"#,
        )
        .unwrap();
        assert_eq!(patched["spec"]["replicas"], 5);
        assert!(
            apply(
                &doc,
                PatchType::Json,
                br#"[{"op":"replace","path":"/nope/x","value":5}]"#
            )
            .is_err()
        );
        assert!(apply(&doc, PatchType::Merge, b"not json").is_err());
    }
}
