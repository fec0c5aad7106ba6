//! The YAML and describe views never show a Secret's data: read through
//! the kube client from `ops-tui demo --serve`, a Secret applied with
//! kubectl (so its last-applied annotation copies the value too) and a pod
//! whose environment takes the value from it by secretKeyRef.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::common;

use common::demo::Demo;
use ops_tui::kube::object::{ObjectRef, describe, fetch, to_yaml};

const NS: &str = "shop-prod";
const VALUE: &str = "hunter2-not-for-screens";

fn apply(demo: &Demo, dir: &std::path::Path, name: &str, manifest: &str) {
    let path = dir.join(name);
    std::fs::write(&path, manifest).unwrap();
    // The simulator serves no OpenAPI document to validate against.
    let out = demo.kubectl(&["apply", "--validate=false", "-f", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_and_a_pod_that_reads_it_show_no_value_in_yaml_or_describe() {
    let demo = Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    apply(
        &demo,
        dir.path(),
        "secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: vault\n  namespace: {NS}\ntype: Opaque\nstringData:\n  password: {VALUE}\n"
        ),
    );
    apply(
        &demo,
        dir.path(),
        "reader.yaml",
        &format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: reader\n  namespace: {NS}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: reader}}\n  template:\n    metadata:\n      labels: {{app: reader}}\n    spec:\n      containers:\n      - name: reader\n        image: registry.example.com/reader:1\n        env:\n        - name: PASSWORD\n          valueFrom:\n            secretKeyRef: {{name: vault, key: password}}\n"
        ),
    );
    // The value is really there: kubectl reads it back, base64-encoded.
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(VALUE)
    };
    let raw = demo.ok(&["get", "secret", "vault", "-o", "yaml"]);
    assert!(raw.contains(&encoded), "{raw}");
    assert!(raw.contains("last-applied-configuration"), "{raw}");

    let client = ops_tui::kube::connect(Some(&demo.kubeconfig), Some("demo"), None)
        .await
        .unwrap()
        .client;
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&demo.kubeconfig).unwrap()).unwrap();
    let token = config["users"][0]["user"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let never = [VALUE, encoded.as_str(), token.as_str()];
    let secret = fetch(&client, &ObjectRef::secret(NS, "vault").path)
        .await
        .unwrap();
    let shown = [to_yaml(&secret), describe(&secret)].concat().join("\n");
    for word in never {
        assert!(!shown.contains(word), "{word} shown:\n{shown}");
    }
    assert!(shown.contains("password: '<hidden: "), "{shown}");

    // The pod that reads it names the Secret and key, and nothing else.
    let deadline = Instant::now() + Duration::from_secs(60);
    let pod = loop {
        let name = demo.ok(&[
            "get",
            "pods",
            "-l",
            "app=reader",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ]);
        if !name.trim().is_empty() {
            break name.trim().to_string();
        }
        assert!(Instant::now() < deadline, "no reader pod");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let object = fetch(&client, &ObjectRef::pod(NS, &pod).path)
        .await
        .unwrap();
    let shown = [to_yaml(&object), describe(&object)].concat().join("\n");
    for word in never {
        assert!(!shown.contains(word), "{word} shown:\n{shown}");
    }
    assert!(
        shown.contains("PASSWORD: <set to the key 'password' in secret 'vault'>"),
        "{shown}"
    );
    assert!(!shown.contains("managedFields"), "{shown}");
}
