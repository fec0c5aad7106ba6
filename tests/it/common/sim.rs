//! A simulated cluster for tests, reached through kube-rs over HTTP.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};
use ops_sim::cluster::Timing;
use ops_sim::{Sim, SimOptions};
use serde_json::json;

pub const NS: &str = "shop";

pub async fn start() -> Sim {
    start_with(SimOptions {
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await
}

pub async fn start_with(options: SimOptions) -> Sim {
    Sim::start(options).await.expect("start the simulator")
}

/// A client for a context of the simulator's kubeconfig (`demo` or
/// `demo-viewer`).
pub async fn client(sim: &Sim, context: &str) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&sim.kubeconfig(NS)).expect("parse the kubeconfig");
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .expect("kube config");
    Client::try_from(config).expect("kube client")
}

pub fn deployment(name: &str, replicas: i32, image: &str) -> Deployment {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image, "ports": [{"containerPort": 8080}]}]}
            }
        }
    }))
    .expect("a deployment")
}

/// Creates the namespace and a Deployment, as admin.
pub async fn create(client: &Client, d: &Deployment) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    if namespaces
        .get_opt(NS)
        .await
        .expect("get namespace")
        .is_none()
    {
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": NS}})).expect("ns");
        namespaces
            .create(&Default::default(), &ns)
            .await
            .expect("create namespace");
    }
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NS);
    deployments
        .create(&Default::default(), d)
        .await
        .expect("create deployment");
}

/// Polls until `cond` holds for the Deployment, or panics after `limit`.
pub async fn wait_deployment(
    client: &Client,
    name: &str,
    limit: Duration,
    what: &str,
    cond: impl Fn(&Deployment) -> bool,
) -> Deployment {
    wait_deployment_in(client, NS, name, limit, what, cond).await
}

/// `wait_deployment` in another namespace.
pub async fn wait_deployment_in(
    client: &Client,
    ns: &str,
    name: &str,
    limit: Duration,
    what: &str,
    cond: impl Fn(&Deployment) -> bool,
) -> Deployment {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let d = api.get(name).await.expect("get deployment");
        if cond(&d) {
            return d;
        }
        if tokio::time::Instant::now() > deadline {
            panic!(
                "{what}: not reached within {limit:?}; status: {:#?}",
                d.status
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The rollout is complete, as `kubectl rollout status` decides it.
pub fn complete(d: &Deployment) -> bool {
    let Some(s) = &d.status else { return false };
    let want = d.spec.replicas.unwrap_or(1);
    s.observed_generation >= d.metadata.generation
        && s.updated_replicas == Some(want)
        && s.replicas == Some(want)
        && s.available_replicas == Some(want)
}

/// Writes the simulator's kubeconfig (namespace `NS`) into `dir`, for
/// running kubectl against it.
pub fn write_kubeconfig(sim: &Sim, dir: &std::path::Path) -> std::path::PathBuf {
    ops_sim::kubeconfig::write(dir, &sim.kubeconfig(NS)).expect("write the kubeconfig")
}
