//! The simulated service and Prometheus API, over real HTTP(S): answers move
//! with the rollout, faults take effect, and the demo runbook's queries are
//! the ones the simulated Prometheus answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use kube::Api;
use kube::api::{Patch, PatchParams};
use ops_sim::cluster::Timing;
use ops_sim::scenario::ScenarioName;
use ops_sim::{Sim, SimOptions};
use ops_tui::runbook::Runbook;
use ops_tui::runbook::select::{Overrides, select};
use serde_json::{Value, json};

const LIMIT: Duration = Duration::from_secs(30);

async fn sim(scenario: ScenarioName) -> Sim {
    common::sim::start_with(SimOptions {
        scenario: Some(scenario),
        timing: Timing::fast(),
        speed: 20.0,
        ..SimOptions::default()
    })
    .await
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn url(sim: &Sim, service: &str, path: &str) -> String {
    format!(
        "http://127.0.0.1:{}{path}",
        sim.service(service).unwrap().http_port
    )
}

/// Polls `f` every 100ms until it returns Some, or panics after LIMIT.
async fn eventually<T, F, Fut>(what: &str, f: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn prom_query(sim: &Sim, query: &str) -> Value {
    http()
        .get(format!("{}/api/v1/query", sim.prometheus_url))
        .query(&[("query", query)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn counter(metrics: &str, status: &str) -> u64 {
    metrics
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{") && l.contains(&format!("status=\"{status}\""))
        })
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn health_headers_cors_rate_limit_and_metrics() {
    let sim = sim(ScenarioName::GoLive).await;
    let c = http();
    let resp = c.get(url(&sim, "api", "/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    for (h, v) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(resp.headers()[h], v);
    }
    assert!(resp.headers().contains_key("strict-transport-security"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "healthy");
    // Each kind of service speaks its own health dialect.
    let worker: Value = c
        .get(url(&sim, "worker", "/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(worker["status"], "UP");
    let web = c.get(url(&sim, "web", "/health")).send().await.unwrap();
    assert_eq!(web.headers()["content-type"], "application/health+json");
    assert_eq!(web.json::<Value>().await.unwrap()["status"], "pass");
    assert_eq!(
        c.get(url(&sim, "api", "/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // CORS preflight: the shop's origin is allowed, another is not.
    let pre = c
        .request(reqwest::Method::OPTIONS, url(&sim, "api", "/api/v1/orders"))
        .header("Origin", "https://shop.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        "https://shop.example.com"
    );
    let other = c
        .request(reqwest::Method::OPTIONS, url(&sim, "api", "/api/v1/orders"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    // A burst past the limit gets 429s.
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(
            c.get(url(&sim, "api", "/api/v1/orders"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");

    // Counters only grow.
    let first = c
        .get(url(&sim, "api", "/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(first.contains("# TYPE http_request_duration_seconds histogram"));
    assert!(
        first.contains("container_memory_working_set_bytes{namespace=\"shop-prod\",pod=\"api-")
    );
    let before = counter(&first, "200");
    let after = eventually("requests counted", || async {
        let m = c
            .get(url(&sim, "api", "/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let n = counter(&m, "200");
        (n > before).then_some(n)
    })
    .await;
    assert!(after > before);
}

#[tokio::test]
async fn a_bad_release_serves_errors_and_a_rollback_repairs_it() {
    let sim = sim(ScenarioName::Incident).await;
    let c = http();
    let kube = common::sim::client(&sim, "demo").await;
    // The bad release is out: health degraded, the error ratio climbs, the alert fires.
    let body: Value = c
        .get(url(&sim, "api", "/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "degraded");
    let error_query = &ops_sim::scenario::queries("shop-prod")[0].query;
    let ratio = eventually("a high error ratio", || async {
        let v = prom_query(&sim, error_query).await;
        let r: f64 = v["data"]["result"][0]["value"][1].as_str()?.parse().ok()?;
        (r > 0.05).then_some(r)
    })
    .await;
    assert!(ratio > 0.05 && ratio < 0.5, "{ratio}");
    let alert = eventually("the error-rate alert", || async {
        let v: Value = c
            .get(format!("{}/api/v1/alerts", sim.prometheus_url))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        v["data"]["alerts"]
            .as_array()?
            .iter()
            .find(|a| a["labels"]["alertname"] == "ApiHighErrorRate")
            .cloned()
    })
    .await;
    assert!(["pending", "firing"].contains(&alert["state"].as_str().unwrap()));
    eventually("the alert firing", || async {
        let v: Value = c
            .get(format!("{}/api/v1/alerts", sim.prometheus_url))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        v["data"]["alerts"]
            .as_array()?
            .iter()
            .any(|a| a["labels"]["alertname"] == "ApiHighErrorRate" && a["state"] == "firing")
            .then_some(())
    })
    .await;

    // Roll back: the old image again.
    let api: Api<Deployment> = Api::namespaced(kube.clone(), "shop-prod");
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": "registry.example.com/shop/api:1.4.2"}]}}}});
    api.patch("api", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    eventually("healthy again", || async {
        let b: Value = c
            .get(url(&sim, "api", "/health"))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (b["status"] == "healthy").then_some(())
    })
    .await;
    eventually("the error ratio back down", || async {
        let v = prom_query(&sim, error_query).await;
        let r: f64 = v["data"]["result"][0]["value"][1].as_str()?.parse().ok()?;
        (r < 0.01).then_some(())
    })
    .await;
}

#[tokio::test]
async fn switching_the_blue_green_selector_changes_who_answers() {
    let sim = sim(ScenarioName::GoLive).await;
    let c = http();
    let version = || async {
        c.get(url(&sim, "web", "/")).send().await.unwrap().headers()["x-version"]
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(version().await, "2.3.0");
    let kube = common::sim::client(&sim, "demo").await;
    let svc: Api<Service> = Api::namespaced(kube, "shop-prod");
    svc.patch(
        "web",
        &PatchParams::default(),
        &Patch::Strategic(json!({"spec": {"selector": {"version": "green"}}})),
    )
    .await
    .unwrap();
    assert_eq!(version().await, "2.4.0");
}

#[tokio::test]
async fn readiness_follows_the_pods() {
    let sim = sim(ScenarioName::GoLive).await;
    let kube = common::sim::client(&sim, "demo").await;
    let api: Api<Deployment> = Api::namespaced(kube, "shop-prod");
    api.patch_scale(
        "worker",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 0}})),
    )
    .await
    .unwrap();
    let c = http();
    eventually("worker not ready", || async {
        let r = c
            .get(url(&sim, "worker", "/health/ready"))
            .send()
            .await
            .ok()?;
        (r.status() == 503).then_some(())
    })
    .await;
    let body: Value = c
        .get(url(&sim, "worker", "/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "DOWN");
}

/// The certificate the server presents, whatever it is.
async fn peer_certificate(port: u16) -> Vec<u8> {
    #[derive(Debug)]
    struct AcceptAny(Arc<std::sync::Mutex<Vec<u8>>>);
    impl rustls::client::danger::ServerCertVerifier for AcceptAny {
        fn verify_server_cert(
            &self,
            end: &rustls::pki_types::CertificateDer<'_>,
            _: &[rustls::pki_types::CertificateDer<'_>],
            _: &rustls::pki_types::ServerName<'_>,
            _: &[u8],
            _: rustls::pki_types::UnixTime,
        ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
            *self.0.lock().unwrap() = end.to_vec();
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
        }
        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            rustls::crypto::aws_lc_rs::default_provider()
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let config = rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny(seen.clone())))
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let _tls = connector.connect(name, tcp).await.unwrap();
    seen.lock().unwrap().clone()
}

fn days_left(der: &[u8]) -> i64 {
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    (cert.validity().not_after.timestamp() - jiff::Timestamp::now().as_second()) / 86400
}

#[tokio::test]
async fn faults_hang_refuse_errors_and_expire_the_certificate() {
    let sim = sim(ScenarioName::GoLive).await;
    let c = http();
    let control = |path: &str| {
        let c = c.clone();
        let url = format!("{}{path}", sim.control_url);
        async move {
            c.post(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let https = sim.service("api").unwrap().https_port.unwrap();
    assert!((58..=60).contains(&days_left(&peer_certificate(https).await)));
    assert_eq!(
        control("/faults/expire-cert?service=api&days=-3").await["ok"],
        true
    );
    assert_eq!(days_left(&peer_certificate(https).await), -3);

    // Refused connections, then back.
    assert_eq!(control("/faults/refuse?service=worker").await["ok"], true);
    eventually("refused", || async {
        c.get(url(&sim, "worker", "/health"))
            .send()
            .await
            .err()
            .filter(|e| e.is_connect())
            .map(|_| ())
    })
    .await;
    control("/faults/refuse?service=worker&off").await;
    eventually("accepted again", || async {
        c.get(url(&sim, "worker", "/health"))
            .send()
            .await
            .ok()
            .map(|_| ())
    })
    .await;

    // A hanging endpoint: the request times out, the others still answer.
    control("/faults/hang?service=web").await;
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    assert!(
        quick
            .get(url(&sim, "web", "/health"))
            .send()
            .await
            .unwrap_err()
            .is_timeout()
    );
    assert_eq!(
        quick
            .get(url(&sim, "api", "/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    control("/faults/clear").await;
    assert_eq!(
        quick
            .get(url(&sim, "web", "/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A raised error rate shows in the metrics.
    control("/faults/errors?service=api&ratio=0.5").await;
    let query = &ops_sim::scenario::queries("shop-prod")[0].query;
    eventually("errors raised", || async {
        let v = prom_query(&sim, query).await;
        let r: f64 = v["data"]["result"][0]["value"][1].as_str()?.parse().ok()?;
        (r > 0.3).then_some(())
    })
    .await;
    // Unknown faults and services say so.
    assert!(
        control("/faults/explode").await["error"]
            .as_str()
            .unwrap()
            .contains("unknown fault")
    );
    assert!(
        control("/faults/hang?service=nope").await["error"]
            .as_str()
            .unwrap()
            .contains("no service \"nope\"")
    );
}

#[tokio::test]
async fn the_demo_runbook_asks_exactly_what_the_simulated_prometheus_answers() {
    let sim = sim(ScenarioName::GoLive).await;
    let runbook = Runbook::parse(
        std::path::Path::new("demo.toml"),
        ops_tui::cmd::demo::DEMO_RUNBOOK,
    )
    .unwrap();
    let target = select(Some(&runbook), &Overrides::default()).unwrap();
    let (_, env) = runbook
        .environments()
        .find(|(n, _)| Some(*n) == target.env.as_deref())
        .unwrap();
    let registered = ops_sim::scenario::queries("shop-prod");
    for signal in runbook.signals() {
        let query = ops_tui::runbook::vars::expand(
            signal.query.get_ref(),
            ops_tui::runbook::select::lookup("shop", "demo", env),
        )
        .unwrap();
        assert!(
            registered.iter().any(|r| r.query == query),
            "{} is not registered: {query}",
            signal.name.get_ref()
        );
        // And the simulated Prometheus answers it with data.
        let v = eventually("a value", || async {
            let v = prom_query(&sim, &query).await;
            (v["status"] == "success" && !v["data"]["result"].as_array()?.is_empty()).then_some(v)
        })
        .await;
        assert_eq!(v["data"]["resultType"], "vector");
    }
    // A range query gives a matrix; an unknown query a Prometheus-shaped error.
    let now = jiff::Timestamp::now().as_second();
    let range: Value = http()
        .get(format!("{}/api/v1/query_range", sim.prometheus_url))
        .query(&[
            ("query", registered[0].query.as_str()),
            ("start", &(now - 60).to_string()),
            ("end", &now.to_string()),
            ("step", "5s"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(range["data"]["resultType"], "matrix");
    let bad = prom_query(&sim, "up").await;
    assert_eq!(bad["status"], "error");
    assert!(bad["error"].as_str().unwrap().contains("simulated"));
    let rules: Value = http()
        .get(format!("{}/api/v1/rules", sim.prometheus_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        rules["data"]["groups"][0]["rules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // The client reads them as it reads a real Prometheus's.
    let prom =
        ops_tui::prom::Prom::new(&sim.prometheus_url, None, std::time::Duration::from_secs(5))
            .unwrap();
    let names = prom.alert_rules().await.unwrap();
    let listed: Vec<&str> = rules["data"]["groups"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, listed);
}
