//! The embedded simulated environment behind `ops-tui demo` and the tests: a
//! Kubernetes API server with a deployment controller, the service the
//! workloads run, and a Prometheus API. Everything binds 127.0.0.1 only.

pub mod api;
pub mod cluster;
pub mod controller;
pub mod http;
pub mod kubeconfig;
pub mod patch;
pub mod selector;
pub mod store;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use api::{Api, Tokens};
use cluster::{Cluster, Shared, Timing};

/// How long the API server stays down when restarted by fault injection.
const RESTART_DOWNTIME: Duration = Duration::from_millis(500);

pub struct SimOptions {
    pub timing: Timing,
    /// 0: any free port.
    pub api_port: u16,
    /// Changes kept for watches to resume from.
    pub history: usize,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            timing: Timing::demo(),
            api_port: 0,
            history: 20_000,
        }
    }
}

/// A running simulated environment. Dropping it stops everything.
pub struct Sim {
    pub cluster: Shared,
    pub api: Arc<Api>,
    pub api_url: String,
    restart: watch::Sender<u64>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sim {
    pub async fn start(options: SimOptions) -> std::io::Result<Sim> {
        let cluster: Shared = Arc::new(Mutex::new(Cluster::new(options.timing, options.history)));
        let listener = http::bind(options.api_port).await?;
        let addr = listener.local_addr()?;
        let (drop_watches, _) = watch::channel(0);
        let api = Arc::new(Api {
            cluster: cluster.clone(),
            tokens: Tokens::random(),
            drop_watches,
            address: addr.to_string(),
        });
        let (restart, restart_rx) = watch::channel(0u64);
        let server = tokio::spawn(serve_api(api.clone(), listener, restart_rx));
        let controller = tokio::spawn(controller::run(cluster.clone()));
        Ok(Sim {
            cluster,
            api,
            api_url: format!("http://{addr}"),
            restart,
            tasks: vec![server, controller],
        })
    }

    /// The kubeconfig text for this environment.
    pub fn kubeconfig(&self, namespace: &str) -> String {
        kubeconfig::render(&self.api_url, &self.api.tokens, namespace)
    }

    /// Ends every open watch; clients must resume.
    pub fn drop_watches(&self) {
        self.api.drop_watches.send_modify(|n| *n += 1);
    }

    /// Resets every connection and refuses new ones for a moment; the state
    /// is kept, as when a real API server restarts.
    pub fn restart_api(&self) {
        self.restart.send_modify(|n| *n += 1);
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
    restart: watch::Receiver<u64>,
) {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let mut listener = Some(listener);
    loop {
        let l = match listener.take() {
            Some(l) => l,
            None => {
                tokio::time::sleep(RESTART_DOWNTIME).await;
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
        http::serve(l, move |req| api::handle(api.clone(), req), restart.clone()).await;
    }
}
