//! The embedded simulated environment behind `ops-tui demo` and the tests: a
//! Kubernetes API server with a deployment controller, the service the
//! workloads run, container logs, a Prometheus API and a fault-injection
//! endpoint.
//! Everything binds 127.0.0.1 only.

pub mod api;
pub mod cluster;
pub mod control;
pub mod controller;
pub mod http;
#[cfg(test)]
mod imports;
pub mod kubeconfig;
pub mod logs;
pub mod memory;
pub mod patch;
pub mod prom;
pub mod scenario;
pub mod selector;
pub mod service;
pub mod store;
pub mod tls;
pub mod traffic;

pub use control::SimHandle;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::Service;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use api::{Api, Tokens};
use cluster::{Cluster, Shared, Timing, lock};
use scenario::{ScaleSize, ScenarioName};
use service::ServiceSim;

/// How long the API server stays down when restarted by fault injection.
pub(crate) const RESTART_DOWNTIME: Duration = Duration::from_millis(500);

/// Default first port of `demo --serve`; see [`Ports`].
pub const DEFAULT_PORT: u16 = 17080;

pub struct SimOptions {
    pub scenario: Option<ScenarioName>,
    pub size: ScaleSize,
    pub timing: Timing,
    /// First port of the layout; None: any free ports.
    pub port: Option<u16>,
    /// Changes kept for watches to resume from.
    pub history: usize,
    /// Days until the HTTPS certificate expires; None: the scenario's.
    pub cert_days: Option<i64>,
    /// How much faster than real time alert `for` durations and rate
    /// windows pass (pod timing is in `timing`).
    pub speed: f64,
    /// Whether the metrics API (metrics.k8s.io) is served, as
    /// metrics-server does; false: a cluster without it.
    pub metrics: bool,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            scenario: None,
            size: ScaleSize::default(),
            timing: Timing::demo(),
            port: None,
            history: 20_000,
            cert_days: None,
            speed: 1.0,
            metrics: true,
        }
    }
}

/// Where each endpoint listens, from the first port: API server, then
/// Prometheus, control, then each service's HTTP port and the HTTPS port.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    base: Option<u16>,
}

impl Ports {
    fn at(&self, offset: u16) -> u16 {
        self.base.map_or(0, |b| b.saturating_add(offset))
    }
}

/// A running simulated environment. Dropping it stops everything.
pub struct Sim {
    pub handle: Arc<SimHandle>,
    pub cluster: Shared,
    pub api: Arc<Api>,
    pub api_url: String,
    /// The CA that signed the API server's certificate.
    pub ca_pem: String,
    pub prometheus_url: String,
    pub control_url: String,
    tasks: Vec<JoinHandle<()>>,
}

impl Sim {
    pub async fn start(options: SimOptions) -> std::io::Result<Sim> {
        let ports = Ports { base: options.port };
        let mut cluster = Cluster::new(options.timing, options.history);
        cluster.faults.metrics_off = !options.metrics;
        // The nodes, big enough for the scale scenario's pods.
        let node_size = match options.scenario {
            Some(ScenarioName::Scale) => controller::node::NodeSize::for_pods(
                options.size.pods.div_ceil(cluster.node_names.len().max(1)),
            ),
            _ => controller::node::NodeSize::default(),
        };
        controller::node::register(&mut cluster, node_size);
        let namespace = options
            .scenario
            .map_or("default", |s| s.namespace())
            .to_string();
        if let Some(scenario) = options.scenario {
            scenario::seed(&mut cluster, scenario, options.size);
        }
        let service_names: Vec<String> = cluster
            .store
            .list_typed::<Service>(Some(&namespace))
            .iter()
            .filter_map(|s| s.metadata.name.clone())
            .collect();
        let cluster: Shared = Arc::new(Mutex::new(cluster));
        let mut tasks = Vec::new();

        let listener = http::bind(ports.at(0)).await?;
        let addr = listener.local_addr()?;
        let (drop_watches, _) = watch::channel(0);
        let api = Arc::new(Api {
            cluster: cluster.clone(),
            tokens: Tokens::random(),
            drop_watches,
            address: addr.to_string(),
            writes: Default::default(),
            write_bodies: Default::default(),
        });
        let (restart, restart_rx) = watch::channel((0u64, RESTART_DOWNTIME));
        let api_tls = tls::api_server()?;
        let api_config: http::Tls = Arc::new(std::sync::RwLock::new(api_tls.config.clone()));
        tasks.push(tokio::spawn(serve_api(
            api.clone(),
            listener,
            restart_rx,
            api_config,
        )));
        tasks.push(tokio::spawn(controller::run(cluster.clone())));

        // The services, each on its own port; `api` also speaks HTTPS.
        let mut services = Vec::new();
        let https_port = ports.at(3 + service_names.len() as u16);
        for (i, name) in service_names.iter().enumerate() {
            let days = options
                .cert_days
                .unwrap_or_else(|| options.scenario.map_or(60, |s| s.cert_days()));
            let https = (name == "api").then_some((https_port, days));
            let (svc, t) = ServiceSim::start(
                cluster.clone(),
                &namespace,
                name,
                ports.at(3 + i as u16),
                https,
            )
            .await?;
            services.push(svc);
            tasks.extend(t);
        }

        let prom = Arc::new(prom::PromSim {
            services: services.clone(),
            queries: scenario::queries(&namespace),
            rules: scenario::rules(options.speed),
            window: prom::WINDOW.div_f64(options.speed.max(0.01)),
        });
        let prom_listener = http::bind(ports.at(1)).await?;
        let prometheus_url = format!("http://{}", prom_listener.local_addr()?);
        let (_never, never_rx) = watch::channel(0u64);
        let never_rx2 = never_rx.clone();
        tasks.push(tokio::spawn(async move {
            let _keep = _never;
            http::serve(
                prom_listener,
                move |req| prom.clone().handle(req),
                never_rx,
                None,
            )
            .await;
        }));

        let handle = Arc::new(SimHandle {
            cluster: cluster.clone(),
            api: api.clone(),
            services,
            namespace,
            restart,
            serve_metrics: options.metrics,
        });
        let control_listener = http::bind(ports.at(2)).await?;
        let control_url = format!("http://{}", control_listener.local_addr()?);
        let weak = Arc::downgrade(&handle);
        tasks.push(tokio::spawn(async move {
            http::serve(
                control_listener,
                move |req| control::handle(weak.clone(), req),
                never_rx2,
                None,
            )
            .await;
        }));

        Ok(Sim {
            handle,
            cluster,
            api,
            api_url: format!("https://{addr}"),
            ca_pem: api_tls.ca_pem,
            prometheus_url,
            control_url,
            tasks,
        })
    }

    /// The kubeconfig text for this environment.
    pub fn kubeconfig(&self, namespace: &str) -> String {
        kubeconfig::render(&self.api_url, &self.ca_pem, &self.api.tokens, namespace)
    }

    pub fn namespace(&self) -> &str {
        &self.handle.namespace
    }

    pub fn services(&self) -> &[Arc<ServiceSim>] {
        &self.handle.services
    }

    pub fn service(&self, name: &str) -> Option<&Arc<ServiceSim>> {
        self.handle.services.iter().find(|s| s.name == name)
    }

    /// Ends every open watch; clients must resume.
    pub fn drop_watches(&self) {
        self.handle.drop_watches();
    }

    /// Resets every connection and refuses new ones for a moment; the state
    /// is kept, as when a real API server restarts.
    pub fn restart_api(&self) {
        self.handle.restart_api();
    }

    /// Stops the API server for `down` (connections reset, new ones
    /// refused), then serves again with the state kept.
    pub fn stop_api_for(&self, down: Duration) {
        self.handle.stop_api_for(down);
    }

    /// Counts for a summary line: Deployments and pods.
    pub fn counts(&self) -> (usize, usize) {
        let c = lock(&self.cluster);
        (
            c.store.count(store::Kind::Deployment),
            c.store.count(store::Kind::Pod),
        )
    }

    /// How many objects of each workload kind the cluster holds, in the
    /// order a summary names them, with the kinds it has none of left out.
    pub fn workload_counts(&self) -> Vec<(&'static str, usize)> {
        let c = lock(&self.cluster);
        [
            store::Kind::Deployment,
            store::Kind::StatefulSet,
            store::Kind::DaemonSet,
            store::Kind::CronJob,
            store::Kind::Job,
            store::Kind::HorizontalPodAutoscaler,
        ]
        .into_iter()
        .map(|k| (k.name(), c.store.count(k)))
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn serve_api(
    api: Arc<Api>,
    listener: tokio::net::TcpListener,
    mut restart: watch::Receiver<(u64, Duration)>,
    tls: http::Tls,
) {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let mut listener = Some(listener);
    loop {
        // Serve until the next restart, not the one just handled.
        let down = restart.borrow_and_update().1;
        let l = match listener.take() {
            Some(l) => l,
            None => {
                tokio::time::sleep(down).await;
                match http::bind(port).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(
                            "the simulated API server cannot bind port {port} again: {e}"
                        );
                        continue;
                    }
                }
            }
        };
        let api = api.clone();
        http::serve(
            l,
            move |req| api::handle(api.clone(), req),
            restart.clone(),
            Some(tls.clone()),
        )
        .await;
    }
}
