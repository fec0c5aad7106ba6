//! Controller history, as the StatefulSet and DaemonSet controllers keep it:
//! one ControllerRevision per distinct pod template, holding the strategic
//! merge patch that restores that template
//! (`{"spec":{"template":{"$patch":"replace",...}}}`), numbered by
//! `revision`, owned by its workload, and trimmed to the workload's
//! revisionHistoryLimit without touching the revisions still in use.

use std::collections::{BTreeMap, HashMap, HashSet};

use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::{Value, json};

use super::owner_ref;
use crate::cluster::Cluster;
use crate::store::{Kind, Typed};

/// The label a StatefulSet's ControllerRevisions carry their hash in.
pub const REVISION_HASH_LABEL: &str = "controller.kubernetes.io/hash";
/// The label naming a pod's revision (StatefulSet: the revision's name;
/// DaemonSet: its hash); DaemonSet revisions carry their hash in it too.
pub const POD_REVISION_LABEL: &str = "controller-revision-hash";
/// The DaemonSet annotation that counts changes of its pod template.
pub const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";
/// History kept when a workload says nothing.
pub const DEFAULT_HISTORY_LIMIT: i32 = 10;

/// The characters generated names and hashes are made of.
const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-1 (32 bits) of `data`, the hash a StatefulSet's revisions are named by.
pub fn fnv1_32(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in data {
        h = h.wrapping_mul(0x0100_0193);
        h ^= u32::from(*b);
    }
    h
}

/// FNV-1a (32 bits) of `data`, the hash a DaemonSet's pod templates are named by.
pub fn fnv1a_32(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in data {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A hash as Kubernetes writes it in names: the decimal digits of the
/// number, each mapped into an alphabet without vowels.
pub fn safe_encode(n: u32) -> String {
    n.to_string()
        .bytes()
        .map(|b| SAFE_ALPHABET[usize::from(b) % SAFE_ALPHABET.len()] as char)
        .collect()
}

/// The patch stored in a revision: the pod template as the API server
/// encodes it (an unset creationTimestamp is written as null), marked to
/// replace the whole template when applied.
pub fn template_patch(template: &PodTemplateSpec) -> Value {
    let mut t = serde_json::to_value(template).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut t {
        let meta = map.entry("metadata").or_insert_with(|| json!({}));
        if let Value::Object(m) = meta {
            m.entry("creationTimestamp").or_insert(Value::Null);
        }
        map.entry("spec").or_insert_with(|| json!({}));
        map.insert("$patch".into(), json!("replace"));
    }
    json!({"spec": {"template": t}})
}

/// The pod template a revision restores.
pub fn template_of(rev: &ControllerRevision) -> PodTemplateSpec {
    let mut t = rev
        .data
        .0
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Value::Object(map) = &mut t {
        map.remove("$patch");
    }
    serde_json::from_value(t).unwrap_or_default()
}

/// The data of a revision, for comparison.
pub fn data_of(rev: &ControllerRevision) -> Option<&Value> {
    Some(&rev.data.0).filter(|d| !d.is_null())
}

/// A revision's number (0 if it has none).
pub fn number(rev: &ControllerRevision) -> i64 {
    rev.revision.unwrap_or(0)
}

/// A workload's revisions sorted as the controllers sort them: by
/// revision, then creation, then name.
pub fn sort(revs: &mut [ControllerRevision]) {
    revs.sort_by(|a, b| {
        let key = |r: &ControllerRevision| {
            (
                number(r),
                r.metadata
                    .creation_timestamp
                    .as_ref()
                    .map_or(0, |t| t.0.as_nanosecond()),
                r.metadata.name.clone().unwrap_or_default(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// ControllerRevisions by the uid of the object that controls them.
pub fn by_owner(cluster: &Cluster) -> HashMap<String, Vec<ControllerRevision>> {
    let mut map: HashMap<String, Vec<ControllerRevision>> = HashMap::new();
    for obj in cluster.store.list(Kind::ControllerRevision, None) {
        let Some(rev) = ControllerRevision::peek(&obj) else {
            continue;
        };
        if let Some(o) = rev
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true))
        {
            map.entry(o.uid.clone()).or_default().push(rev.clone());
        }
    }
    map
}

/// What a new revision is made of.
pub struct NewRevision<'a> {
    pub owner_kind: &'static str,
    pub owner: &'a ObjectMeta,
    pub name: String,
    pub hash_label: &'static str,
    pub hash: String,
    pub template: &'a PodTemplateSpec,
    pub annotations: Option<BTreeMap<String, String>>,
    pub revision: i64,
}

/// Stores a new revision and returns it as stored.
pub fn create(cluster: &mut Cluster, new: NewRevision<'_>) -> ControllerRevision {
    let mut labels = new
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(new.hash_label.to_string(), new.hash);
    let rev = ControllerRevision {
        metadata: ObjectMeta {
            name: Some(new.name),
            namespace: new.owner.namespace.clone(),
            labels: Some(labels),
            annotations: new.annotations.filter(|a| !a.is_empty()),
            owner_references: Some(vec![owner_ref(new.owner_kind, "apps/v1", new.owner)]),
            ..ObjectMeta::default()
        },
        data: RawExtension(template_patch(new.template)),
        revision: Some(new.revision),
    };
    let stored = cluster.store.put_typed(rev.clone());
    ControllerRevision::peek(&stored).cloned().unwrap_or(rev)
}

/// Gives an existing revision a new number (a template came back to it);
/// returns it as stored.
pub fn renumber(
    cluster: &mut Cluster,
    rev: &ControllerRevision,
    revision: i64,
) -> ControllerRevision {
    let mut rev = rev.clone();
    rev.revision = Some(revision);
    let stored = cluster.store.put_typed(rev.clone());
    ControllerRevision::peek(&stored).cloned().unwrap_or(rev)
}

/// Deletes the oldest revisions that are neither in `live` nor among the
/// newest `limit` of the others. `revs` must be sorted.
pub fn truncate(
    cluster: &mut Cluster,
    revs: &[ControllerRevision],
    live: &HashSet<String>,
    limit: i32,
) {
    if limit < 0 {
        return;
    }
    let old: Vec<&ControllerRevision> = revs
        .iter()
        .filter(|r| !live.contains(r.metadata.name.as_deref().unwrap_or("")))
        .collect();
    let excess = old.len().saturating_sub(limit as usize);
    for rev in old.into_iter().take(excess) {
        let ns = rev.metadata.namespace.as_deref().unwrap_or("");
        let name = rev.metadata.name.as_deref().unwrap_or("");
        cluster.store.delete(Kind::ControllerRevision, ns, name);
    }
}

/// Helpers for the controllers' tests: a cluster, and pods moved through
/// their lives by hand instead of by the kubelet's clock.
#[cfg(test)]
pub(super) mod testing {
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    use crate::cluster::{Cluster, Timing};
    use crate::store::Kind;

    pub fn cluster() -> Cluster {
        Cluster::new(Timing::fast(), 10_000)
    }

    /// A pod template of one container, labelled `app: <name>`.
    pub fn pod_template(name: &str, image: &str, port: (&str, i32)) -> serde_json::Value {
        json!({
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{
                "name": name,
                "image": image,
                "ports": [{"containerPort": port.1, "name": port.0, "protocol": "TCP"}],
                "resources": {"limits": {"memory": "512Mi", "cpu": "500m"}, "requests": {"memory": "256Mi", "cpu": "100m"}}
            }]}
        })
    }

    pub fn pods(cluster: &Cluster) -> Vec<Pod> {
        cluster.store.list_typed::<Pod>(None)
    }

    pub fn pod(cluster: &Cluster, name: &str) -> Option<Pod> {
        cluster.store.get_typed::<Pod>("ns", name)
    }

    /// Names of the pods, sorted, with `*` after those being deleted.
    pub fn names(cluster: &Cluster) -> Vec<String> {
        let mut out: Vec<String> = pods(cluster)
            .iter()
            .map(|p| {
                let name = p.metadata.name.clone().unwrap_or_default();
                if p.metadata.deletion_timestamp.is_some() {
                    format!("{name}*")
                } else {
                    name
                }
            })
            .collect();
        out.sort();
        out
    }

    /// Makes every pod that is not being deleted Running and Ready.
    pub fn make_ready(cluster: &mut Cluster) {
        for mut p in pods(cluster) {
            if p.metadata.deletion_timestamp.is_none() && !super::super::is_ready(&p) {
                let node = super::super::pod_node(&p).unwrap_or_else(|| "sim-node-1".into());
                let created = p.metadata.creation_timestamp.clone();
                super::super::settle_pod(&mut p, "10.244.0.9".into(), node);
                p.metadata.creation_timestamp = created;
                cluster.store.put_typed(p);
            }
        }
    }

    /// Ends the grace period of every pod being deleted.
    pub fn finish_deletions(cluster: &mut Cluster) {
        for p in pods(cluster) {
            if p.metadata.deletion_timestamp.is_some() {
                let name = p.metadata.name.clone().unwrap_or_default();
                cluster.store.delete(Kind::Pod, "ns", &name);
            }
        }
    }

    /// A label of a pod.
    pub fn label(p: &Pod, key: &str) -> String {
        p.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(key).cloned())
            .unwrap_or_default()
    }

    pub fn image(p: &Pod) -> String {
        p.spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_values() {
        // Published test vectors of FNV-1 and FNV-1a, 32 bits.
        assert_eq!(fnv1_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1_32(b"a"), 0x050c_5d7e);
        assert_eq!(fnv1a_32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a_32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn hashes_are_encoded_digit_by_digit() {
        // '0' is byte 48, 48 % 27 = 21 → '4'; '1' → '5'; '9' → 'f'.
        assert_eq!(safe_encode(0), "4");
        assert_eq!(safe_encode(1909), "5f4f");
    }

    #[test]
    fn the_patch_replaces_the_template_and_reads_back() {
        let template: PodTemplateSpec = serde_json::from_value(json!({
            "metadata": {"labels": {"app": "db"}},
            "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}
        }))
        .unwrap();
        let patch = template_patch(&template);
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"db"}},"spec":{"containers":[{"image":"postgres:16","name":"db"}]}}}}"#
        );
        let rev = ControllerRevision {
            data: RawExtension(patch),
            ..ControllerRevision::default()
        };
        assert_eq!(template_of(&rev), template);
    }
}
