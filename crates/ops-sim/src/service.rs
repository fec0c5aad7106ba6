//! The service the workloads run: for each Kubernetes Service of the
//! scenario, HTTP on 127.0.0.1 with health endpoints, security headers, CORS,
//! a rate-limited API and Prometheus metrics. Its answers come from the pods
//! the Service currently selects, so a `bad` release shows errors, a
//! rollback repairs them, and a blue-green switch changes who answers.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::{Method, StatusCode};
use k8s_openapi::api::core::v1::{Pod, Service};
use serde_json::json;
use tokio::sync::watch;

use super::cluster::{Shared, lock};
use super::controller::usage;
use super::controller::{is_ready, serves_errors};
use super::http::{self, Req, Resp, Tls};
use super::selector::LabelSelector;
use super::store::Typed;
use super::traffic::{MEMORY_LIMIT, PodLoad, Sample, Traffic, add_latencies, exposition};

/// The origin the CORS policy allows.
pub const ALLOWED_ORIGIN: &str = "https://shop.example.com";
/// Requests to /api/ allowed per second before 429.
pub const RATE_LIMIT: u32 = 30;
/// Samples kept for the Prometheus API (one a second: an hour).
const HISTORY: usize = 3600;
/// Longest a hanging endpoint holds a request.
const MAX_HANG: Duration = Duration::from_secs(600);

/// Faults injected into one service.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServiceFaults {
    /// Accept connections and never answer.
    pub hang: bool,
    /// Refuse connections (the listener is closed).
    pub refuse: bool,
    /// Added to every pod's error ratio.
    pub extra_errors: f64,
}

pub struct ServiceSim {
    pub name: String,
    pub namespace: String,
    cluster: Shared,
    traffic: Mutex<Traffic>,
    faults: watch::Sender<ServiceFaults>,
    pub http_port: u16,
    pub https_port: Option<u16>,
    tls: Option<Tls>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a serving pod behaves, in the current metrics window.
struct Serving {
    name: String,
    image: String,
    bad: bool,
    /// Requests a second it answers (the usage model's, which its CPU
    /// follows).
    rps: f64,
    /// Its main container's memory.
    memory: u64,
}

impl ServiceSim {
    /// Starts HTTP (and, with `cert_days`, HTTPS) listeners for a Service.
    pub async fn start(
        cluster: Shared,
        namespace: &str,
        name: &str,
        http_port: u16,
        https: Option<(u16, i64)>,
    ) -> std::io::Result<(Arc<ServiceSim>, Vec<tokio::task::JoinHandle<()>>)> {
        let listener = http::bind(http_port).await?;
        let http_port = listener.local_addr()?.port();
        let (tls, https_listener) = match https {
            Some((port, days)) => {
                let l = http::bind(port).await?;
                (
                    Some(Arc::new(std::sync::RwLock::new(super::tls::self_signed(
                        days,
                    )?))),
                    Some(l),
                )
            }
            None => (None, None),
        };
        let https_port = match &https_listener {
            Some(l) => Some(l.local_addr()?.port()),
            None => None,
        };
        let (faults, _) = watch::channel(ServiceFaults::default());
        let sim = Arc::new(ServiceSim {
            name: name.to_string(),
            namespace: namespace.to_string(),
            cluster,
            traffic: Mutex::new(Traffic::default()),
            faults,
            http_port,
            https_port,
            tls: tls.clone(),
        });
        let mut tasks = vec![
            tokio::spawn(listen(sim.clone(), listener, None)),
            tokio::spawn(simulate(sim.clone())),
        ];
        if let (Some(l), Some(tls)) = (https_listener, tls) {
            tasks.push(tokio::spawn(listen(sim.clone(), l, Some(tls))));
        }
        Ok((sim, tasks))
    }

    pub fn faults(&self) -> ServiceFaults {
        *self.faults.borrow()
    }

    pub fn set_faults(&self, f: impl FnOnce(&mut ServiceFaults)) {
        self.faults.send_modify(f);
    }

    /// Replaces the HTTPS certificate with one that expires in `days` (negative:
    /// already expired).
    pub fn set_certificate(&self, days: i64) -> std::io::Result<()> {
        if let Some(tls) = &self.tls {
            let config = super::tls::self_signed(days)?;
            *tls.write().unwrap_or_else(|e| e.into_inner()) = config;
        }
        Ok(())
    }

    pub fn traffic(&self) -> MutexGuard<'_, Traffic> {
        guard(&self.traffic)
    }

    /// The ready pods the Service selects now.
    fn serving(&self) -> Vec<Serving> {
        let cluster = lock(&self.cluster);
        let Some(svc) = cluster
            .store
            .get_typed::<Service>(&self.namespace, &self.name)
        else {
            return Vec::new();
        };
        let selector = svc
            .spec
            .as_ref()
            .and_then(|s| s.selector.clone())
            .unwrap_or_default();
        if selector.is_empty() {
            return Vec::new();
        }
        let selector = LabelSelector::from_map(&selector);
        let load = usage::Load::of(&cluster, &self.namespace);
        let window = usage::current_window(&cluster.timing);
        let length = cluster.timing.metrics_window;
        cluster
            .store
            .list(super::store::Kind::Pod, Some(&self.namespace))
            .iter()
            .filter_map(|o| Pod::peek(o))
            .filter(|p| {
                p.metadata.deletion_timestamp.is_none()
                    && is_ready(p)
                    && selector.matches(p.metadata.labels.as_ref())
            })
            .map(|p| {
                let image = p
                    .spec
                    .as_ref()
                    .and_then(|s| s.containers.first())
                    .and_then(|c| c.image.clone())
                    .unwrap_or_default();
                let memory = usage::memory(p, 0, &cluster.faults.leaks, window, length);
                Serving {
                    name: p.metadata.name.clone().unwrap_or_default(),
                    bad: serves_errors(&image),
                    image,
                    rps: load.rps(p, window),
                    memory: memory.min(MEMORY_LIMIT) / 1024 * 1024,
                }
            })
            .collect()
    }

    /// One second of traffic from the pods that serve now.
    fn step(&self) {
        let serving = self.serving();
        let extra = self.faults().extra_errors;
        let mut t = self.traffic();
        let mut pods = Vec::new();
        let mut by_pod = Vec::with_capacity(serving.len());
        for pod in &serving {
            let error_ratio = (if pod.bad { 0.12 } else { 0.002 } + extra).min(1.0);
            let requests = pod.rps.round() as u64;
            let errors = ((requests as f64) * error_ratio).round() as u64;
            t.counters.ok += requests - errors.min(requests);
            t.counters.errors += errors.min(requests);
            let mut count = t
                .by_pod
                .iter()
                .find(|c| c.pod == pod.name)
                .cloned()
                .unwrap_or_else(|| crate::traffic::PodCount {
                    pod: pod.name.clone(),
                    ..Default::default()
                });
            count.requests += requests;
            count.errors += errors.min(requests);
            by_pod.push(count);
            let mean = if pod.bad { 0.6 } else { 0.08 };
            add_latencies(&mut t.counters, requests, mean);
            pods.push(PodLoad {
                name: pod.name.clone(),
                memory: pod.memory,
            });
        }
        let memory_ratio = pods
            .iter()
            .map(|p| p.memory as f64 / MEMORY_LIMIT as f64)
            .fold(0.0, f64::max);
        t.pods = pods;
        t.by_pod = by_pod;
        let sample = Sample {
            at: jiff::Timestamp::now(),
            counters: t.counters.clone(),
            memory_ratio,
            by_pod: t.by_pod.clone(),
        };
        t.history.push_back(sample);
        while t.history.len() > HISTORY {
            t.history.pop_front();
        }
    }

    fn headers(resp: &mut Resp) {
        let h = resp.headers_mut();
        for (k, v) in [
            (
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            ),
            ("x-frame-options", "DENY"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("content-security-policy", "default-src 'self'"),
        ] {
            h.insert(k, hyper::header::HeaderValue::from_static(v));
        }
    }

    async fn handle(self: Arc<Self>, req: Req) -> Resp {
        if self.faults().hang {
            let mut faults = self.faults.subscribe();
            let _ = tokio::time::timeout(MAX_HANG, faults.wait_for(|f| !f.hang)).await;
        }
        let serving = self.serving();
        let mut resp = self.answer(&req, &serving);
        Self::headers(&mut resp);
        if let Some(pod) = serving.get(fastrand::usize(..serving.len().max(1))) {
            let h = resp.headers_mut();
            if let Ok(v) = hyper::header::HeaderValue::from_str(&pod.name) {
                h.insert("x-served-by", v);
            }
            let version = pod.image.rsplit_once(':').map_or("", |(_, t)| t);
            if let Ok(v) = hyper::header::HeaderValue::from_str(version) {
                h.insert("x-version", v);
            }
        }
        resp
    }

    fn answer(&self, req: &Req, serving: &[Serving]) -> Resp {
        let path = req.uri.path();
        if req.method == Method::OPTIONS {
            return cors_preflight(req);
        }
        let ready = serving.len();
        let bad = serving.iter().filter(|p| p.bad).count();
        let degraded = ready > 0 && bad * 2 >= ready;
        match path {
            "/health" => self.health(ready, degraded),
            "/health/live" => http::json(StatusCode::OK, &json!({"status": "UP"})),
            "/health/ready" => {
                if ready > 0 {
                    http::json(
                        StatusCode::OK,
                        &json!({"status": "ready", "ready_pods": ready}),
                    )
                } else {
                    http::json(
                        StatusCode::SERVICE_UNAVAILABLE,
                        &json!({"status": "not ready", "ready_pods": 0}),
                    )
                }
            }
            "/metrics" => {
                let mut resp = http::text(StatusCode::OK, self.metrics());
                resp.headers_mut().insert(
                    hyper::header::CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static(
                        "text/plain; version=0.0.4; charset=utf-8",
                    ),
                );
                resp
            }
            "/" => {
                let mut resp = http::text(
                    StatusCode::OK,
                    format!(
                        "<!doctype html><title>{}</title><h1>{}</h1>\n",
                        self.name, self.name
                    ),
                );
                resp.headers_mut().insert(
                    hyper::header::CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
                );
                resp
            }
            p if p.starts_with("/api/") => self.api(ready, bad),
            _ => http::json(StatusCode::NOT_FOUND, &json!({"error": "not found"})),
        }
    }

    /// `/health` in the style of each kind of service: `api` answers
    /// healthy/unhealthy, `worker` Spring's UP/DOWN, others
    /// application/health+json pass/warn/fail.
    fn health(&self, ready: usize, degraded: bool) -> Resp {
        let (code, body, health_json) = match self.name.as_str() {
            "api" => match (ready, degraded) {
                (0, _) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"status": "unhealthy", "checks": {"database": "unknown"}}),
                    false,
                ),
                (_, true) => (
                    StatusCode::OK,
                    json!({"status": "degraded", "checks": {"database": "ok", "errors": "elevated"}}),
                    false,
                ),
                _ => (
                    StatusCode::OK,
                    json!({"status": "healthy", "checks": {"database": "ok", "cache": "ok"}}),
                    false,
                ),
            },
            "worker" => match ready {
                0 => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"status": "DOWN"}),
                    false,
                ),
                _ => (
                    StatusCode::OK,
                    json!({"status": "UP", "components": {"queue": {"status": "UP"}}}),
                    false,
                ),
            },
            _ => match (ready, degraded) {
                (0, _) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"status": "fail"}),
                    true,
                ),
                (_, true) => (StatusCode::OK, json!({"status": "warn"}), true),
                _ => (StatusCode::OK, json!({"status": "pass"}), true),
            },
        };
        let mut resp = http::json(code, &body);
        if health_json {
            resp.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/health+json"),
            );
        }
        resp
    }

    fn api(&self, ready: usize, bad: usize) -> Resp {
        let now = jiff::Timestamp::now().as_second();
        {
            let mut t = self.traffic();
            if t.window.0 != now {
                t.window = (now, 0);
            }
            t.window.1 += 1;
            if t.window.1 > RATE_LIMIT {
                let mut resp = http::json(
                    StatusCode::TOO_MANY_REQUESTS,
                    &json!({"error": "rate limit exceeded"}),
                );
                resp.headers_mut()
                    .insert("retry-after", hyper::header::HeaderValue::from_static("1"));
                return resp;
            }
        }
        if ready == 0 {
            return http::json(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({"error": "no ready pods"}),
            );
        }
        let error_ratio = (bad as f64 / ready as f64) * 0.12 + self.faults().extra_errors;
        if fastrand::f64() < error_ratio {
            return http::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({"error": "internal error"}),
            );
        }
        http::json(StatusCode::OK, &json!({"ok": true}))
    }

    /// The Prometheus text exposition of this service.
    pub fn metrics(&self) -> String {
        exposition(&self.namespace, &self.name, &self.traffic())
    }
}

fn cors_preflight(req: &Req) -> Resp {
    let mut resp = http::text(StatusCode::NO_CONTENT, "");
    if req.header("origin") == Some(ALLOWED_ORIGIN) {
        let h = resp.headers_mut();
        h.insert(
            "access-control-allow-origin",
            hyper::header::HeaderValue::from_static(ALLOWED_ORIGIN),
        );
        h.insert(
            "access-control-allow-methods",
            hyper::header::HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        h.insert(
            "access-control-allow-headers",
            hyper::header::HeaderValue::from_static("Content-Type, Authorization"),
        );
        h.insert(
            "access-control-max-age",
            hyper::header::HeaderValue::from_static("600"),
        );
    }
    resp
}

/// Serves while connections are accepted; closes the listener while the
/// service refuses connections and binds the same port again after.
async fn listen(sim: Arc<ServiceSim>, listener: tokio::net::TcpListener, tls: Option<Tls>) {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let mut listener = Some(listener);
    let mut faults = sim.faults.subscribe();
    loop {
        if faults.borrow().refuse {
            listener = None;
            if faults.wait_for(|f| !f.refuse).await.is_err() {
                return;
            }
            continue;
        }
        let l = match listener.take() {
            Some(l) => l,
            None => match http::bind(port).await {
                Ok(l) => l,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
        };
        // Serve until the refuse flag is raised.
        let (kill_tx, kill_rx) = watch::channel(0u64);
        let mut watch_faults = sim.faults.subscribe();
        let stop = tokio::spawn(async move {
            let _ = watch_faults.wait_for(|f| f.refuse).await;
            kill_tx.send_modify(|n| *n += 1);
        });
        let handler_sim = sim.clone();
        http::serve(
            l,
            move |req| handler_sim.clone().handle(req),
            kill_rx,
            tls.clone(),
        )
        .await;
        stop.abort();
    }
}

async fn simulate(sim: Arc<ServiceSim>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        sim.step();
    }
}
