//! The Prometheus client against a real Prometheus server scraping the
//! simulator: the values shown are the ones the simulator emitted, alerts
//! go pending then firing, range queries give sparkline points, and a
//! dead server or a bad query give readable errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::prometheus::{NO_RULES, PromServer, get};
use ops_sim::cluster::Timing;
use ops_sim::scenario::ScenarioName;
use ops_sim::traffic::MEMORY_LIMIT;
use ops_sim::{Sim, SimOptions};
use ops_tui::prom::alerts::{self, AlertState};
use ops_tui::prom::poller::Tracker;
use ops_tui::prom::{Prom, PromError, Reading, SignalState};
use ops_tui::runbook::model::Unit;
use ops_tui::runbook::threshold::Threshold;
use ops_tui::runbook::units;

const NS: &str = "shop-prod";

const ALERT_RULES: &str = r#"groups:
  - name: ops-tui-test
    rules:
      - alert: ApiServerErrors
        expr: sum(rate(http_requests_total{service="api",status=~"5.."}[15s])) > 0
        for: 3s
        labels:
          severity: critical
        annotations:
          summary: api answers with 5xx errors
"#;

async fn go_live() -> Sim {
    common::sim::start_with(SimOptions {
        scenario: Some(ScenarioName::GoLive),
        timing: Timing::fast(),
        ..SimOptions::default()
    })
    .await
}

fn metrics_ports(sim: &Sim) -> Vec<u16> {
    sim.services().iter().map(|s| s.http_port).collect()
}

fn api_port(sim: &Sim) -> u16 {
    sim.service("api").expect("the api service").http_port
}

/// The value of one series in the simulator's `/metrics` text.
async fn scraped(port: u16, series: &str) -> f64 {
    let text = get(port, "/metrics").await.expect("GET /metrics");
    let line = text
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"));
    line[series.len()..].trim().parse().expect("a number")
}

/// Every value the api's counters have held: (ok, ok + errors).
fn counter_history(sim: &Sim) -> Vec<(f64, f64)> {
    let svc = sim.service("api").expect("the api service");
    let t = svc.traffic();
    let mut held = vec![(0.0, 0.0)];
    held.extend(t.history.iter().map(|s| {
        let c = &s.counters;
        (c.ok as f64, (c.ok + c.errors) as f64)
    }));
    held
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_values_match_what_the_simulator_emitted() {
    let sim = go_live().await;
    let targets = metrics_ports(&sim);
    let server = PromServer::start(&targets, NO_RULES).await;
    server.wait_targets_up(targets.len()).await;
    let prom = server.client();

    // A gauge the simulator keeps constant: every api pod's memory limit.
    let limits = prom
        .instant(&format!(
            r#"kube_pod_container_resource_limits{{namespace="{NS}",container="api",resource="memory"}}"#
        ))
        .await
        .unwrap();
    assert!(!limits.is_empty(), "no memory limits");
    for (labels, v) in &limits {
        assert_eq!(*v, MEMORY_LIMIT as f64, "{labels}");
        assert!(
            labels.starts_with("kube_pod_container_resource_limits{")
                && labels.contains("pod=\"api-"),
            "{labels}"
        );
    }
    let fail = Threshold::parse_for("> 400MiB", Some(Unit::Bytes)).unwrap();
    let reading = Reading::judge(&limits, None, Some(&fail));
    assert_eq!(reading.state, SignalState::Fail);
    assert_eq!(reading.series, limits.len());
    assert_eq!(
        units::format(reading.value.unwrap(), Some(Unit::Bytes)),
        "512 MiB"
    );

    // A counter: read from /metrics, then from Prometheus once it has
    // scraped at least that much, then from /metrics again.
    let ok_series = format!(
        r#"http_requests_total{{namespace="{NS}",service="api",method="GET",status="200"}}"#
    );
    let query = format!(r#"http_requests_total{{namespace="{NS}",service="api",status="200"}}"#);
    let before = scraped(api_port(&sim), &ok_series).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let seen = loop {
        let series = prom.instant(&query).await.unwrap();
        assert_eq!(series.len(), 1, "{series:?}");
        if series[0].1 >= before {
            break series[0].1;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus still has {} < {before}",
            series[0].1
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let after = scraped(api_port(&sim), &ok_series).await;
    assert!(
        before <= seen && seen <= after,
        "{before} <= {seen} <= {after}"
    );
    let held = counter_history(&sim);
    assert!(
        held.iter().any(|(ok, _)| *ok == seen),
        "Prometheus shows {seen}, a value the simulator never had"
    );
    assert_eq!(
        units::format(seen, Some(Unit::Count)),
        units::format(seen.round(), Some(Unit::Count))
    );

    // A range query gives the sparkline: points a second apart, each a
    // total the simulator had (ok + errors, summed by Prometheus).
    let total = format!(r#"sum(http_requests_total{{namespace="{NS}",service="api"}})"#);
    let deadline = Instant::now() + Duration::from_secs(30);
    let points = loop {
        let end = now();
        let range = prom
            .range(&total, end - 60, end, Duration::from_secs(1))
            .await
            .unwrap();
        assert!(range.len() <= 1, "{range:?}");
        let points = range.into_iter().next().map(|(_, p)| p).unwrap_or_default();
        if points.len() >= 4 {
            break points;
        }
        assert!(Instant::now() < deadline, "only {points:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let held = counter_history(&sim);
    for w in points.windows(2) {
        assert_eq!(w[1].0 - w[0].0, 1, "{points:?}");
        assert!(w[1].1 >= w[0].1, "a counter went down: {points:?}");
    }
    for (t, v) in &points {
        assert!(
            held.iter().any(|(_, total)| total == v),
            "point {t} = {v} is not a total the simulator had"
        );
    }
    let mut tracker = Tracker::new(60);
    tracker.seed(&points);
    assert_eq!(tracker.values().len(), points.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_alert_goes_pending_then_firing() {
    let sim = go_live().await;
    let targets = metrics_ports(&sim);
    let server = PromServer::start(&targets, ALERT_RULES).await;
    server.wait_targets_up(targets.len()).await;
    let prom = server.client();
    assert_eq!(
        prom.alerts().await.unwrap(),
        vec![],
        "an alert before any error"
    );

    let injected_at = now();
    ops_sim::control::inject(&sim.handle, "errors", |p| match p {
        "service" => Some("api".into()),
        "ratio" => Some("0.5".into()),
        _ => None,
    })
    .expect("inject errors");

    let mut pending_at = None;
    let mut firing = None;
    let deadline = Instant::now() + Duration::from_secs(90);
    while firing.is_none() {
        assert!(
            Instant::now() < deadline,
            "no firing alert (pending seen: {pending_at:?})\n{}",
            server.log()
        );
        for a in prom.alerts().await.unwrap() {
            assert_eq!(a.name, "ApiServerErrors");
            match a.state {
                AlertState::Pending => pending_at = pending_at.or(Some(Instant::now())),
                AlertState::Firing => firing = Some((a, Instant::now())),
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let (alert, fired_at) = firing.unwrap();
    let pending_at = pending_at.expect("the alert was never seen pending before firing");
    assert!(pending_at < fired_at);
    assert_eq!(alert.severity.as_deref(), Some("critical"));
    assert_eq!(
        alert.summary.as_deref(),
        Some("api answers with 5xx errors")
    );
    assert_eq!(
        alert.labels.get("alertname").map(String::as_str),
        Some("ApiServerErrors")
    );
    let active_at = alert.active_at.expect("activeAt");
    assert!(
        active_at >= injected_at - 1 && active_at <= now(),
        "active at {active_at}, errors injected at {injected_at}"
    );
    assert!(alert.value > 0.0);

    let by = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
    let all = prom.alerts().await.unwrap();
    assert_eq!(alerts::filter(&all, &by("severity", "critical")).len(), 1);
    assert!(alerts::filter(&all, &by("severity", "warning")).is_empty());

    // The error ratio as a runbook signal: about half the requests fail.
    let ratio = prom
        .instant(
            r#"sum(rate(http_requests_total{service="api",status=~"5.."}[15s])) / sum(rate(http_requests_total{service="api"}[15s]))"#,
        )
        .await
        .unwrap();
    let warn = Threshold::parse_for("> 0.5%", Some(Unit::Percent)).unwrap();
    let fail = Threshold::parse_for("> 1%", Some(Unit::Percent)).unwrap();
    let reading = Reading::judge(&ratio, Some(&warn), Some(&fail));
    assert_eq!(reading.state, SignalState::Fail, "{reading:?}");
    let v = reading.value.unwrap();
    assert!((0.05..0.8).contains(&v), "error ratio {v}");
    assert!(reading.text(Some(Unit::Percent)).ends_with('%'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_rejects_a_bad_query_and_when_dead_is_unreachable() {
    let mut server = PromServer::start(&[], NO_RULES).await;
    let prom = server.client();
    // Prometheus's own answer: its time series need no targets.
    let up = prom.instant("1 + 1").await.unwrap();
    assert_eq!(up, vec![(String::new(), 2.0)]);

    match prom.instant("sum(rate(x[5m]").await {
        Err(PromError::Rejected(m)) => {
            assert!(m.contains("parse error"), "{m}");
            assert!(!m.contains('\n'), "{m}");
        }
        other => panic!("not rejected: {other:?}"),
    }
    match prom
        .range("rate(", now() - 60, now(), Duration::from_secs(5))
        .await
    {
        Err(PromError::Rejected(m)) => assert!(m.contains("parse error"), "{m}"),
        other => panic!("not rejected: {other:?}"),
    }
    match prom.instant("up[1m]").await {
        Err(PromError::Other(m)) => assert!(m.contains("range vector"), "{m}"),
        other => panic!("a range vector accepted: {other:?}"),
    }

    server.stop();
    let err = prom.instant("up").await.unwrap_err();
    let PromError::Unreachable(reason) = &err else {
        panic!("not unreachable: {err:?}");
    };
    let port = server.port;
    assert!(
        reason.starts_with(&format!("cannot connect to 127.0.0.1:{port}: "))
            && reason.to_lowercase().contains("connection refused"),
        "{err}"
    );
    assert!(
        !reason.contains('\n') && !reason.contains("os error"),
        "{err}"
    );
    assert!(matches!(
        prom.alerts().await,
        Err(PromError::Unreachable(_))
    ));
    let reading = Reading::failed(&err);
    assert!(matches!(reading.state, SignalState::Unreachable(_)));
}

#[tokio::test]
async fn prom_client_gives_up_on_a_server_that_never_answers() {
    // The kernel accepts the connection; nobody reads or answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let prom = Prom::new(
        &format!("http://127.0.0.1:{port}"),
        None,
        Duration::from_millis(500),
    )
    .unwrap();
    let started = Instant::now();
    let err = prom.instant("up").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        err,
        PromError::Unreachable(format!("no answer within 500ms from 127.0.0.1:{port}"))
    );
    drop(silent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prom_client_verifies_tls_certificates() {
    // The simulated api's HTTPS listener has a self-signed certificate.
    let sim = go_live().await;
    let port = sim
        .service("api")
        .and_then(|s| s.https_port)
        .expect("the api's HTTPS port");
    let prom = Prom::new(
        &format!("https://127.0.0.1:{port}"),
        Some("s3cr3t-token".into()),
        Duration::from_secs(5),
    )
    .unwrap();
    let err = prom.instant("up").await.unwrap_err();
    let PromError::Unreachable(reason) = &err else {
        panic!("a self-signed certificate was accepted: {err:?}");
    };
    assert!(
        reason.starts_with(&format!("cannot connect to 127.0.0.1:{port}: "))
            && reason.to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(!err.to_string().contains("s3cr3t"));
}

/// Answers one request on `listener` with `status`, `content_type` and
/// `body`; gives back the request's head.
async fn answer_once(
    listener: &tokio::net::TcpListener,
    status: &str,
    content_type: &str,
    body: &str,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut s, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
        .await
        .expect("a request within 10s")
        .unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .expect("the request within 5s")
            .unwrap();
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(response.as_bytes()).await.unwrap();
    s.shutdown().await.ok();
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn prom_client_sends_the_bearer_token_and_never_shows_it() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let prom = Prom::new(
        &format!("http://127.0.0.1:{port}/prom"),
        Some("s3cr3t-token".into()),
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(!format!("{prom:?}").contains("s3cr3t"));

    let query = tokio::spawn({
        let prom = prom.clone();
        async move { prom.instant("up").await }
    });
    let head = answer_once(
        &listener,
        "200 OK",
        "application/json",
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"x"},"value":[1700000000.5,"1"]}]}}"#,
    )
    .await;
    assert!(
        head.starts_with("GET /prom/api/v1/query?query=up "),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\nauthorization: bearer s3cr3t-token\r\n"),
        "{head}"
    );
    let series = query.await.unwrap().unwrap();
    assert_eq!(series, vec![("up{job=\"x\"}".to_string(), 1.0)]);

    // A proxy that refuses the token: not the API's JSON.
    let query = tokio::spawn({
        let prom = prom.clone();
        async move { prom.instant("up").await }
    });
    answer_once(&listener, "401 Unauthorized", "text/plain", "no").await;
    let err = query.await.unwrap().unwrap_err();
    assert_eq!(
        err,
        PromError::Other(
            "the server answered HTTP 401 Unauthorized (check the bearer token)".into()
        )
    );
    assert!(!err.to_string().contains("s3cr3t"));
}

/// `alerts:configured` against a real Prometheus: its rules API lists the
/// loaded alerting rules, and `ops-tui check` passes an item naming a
/// loaded rule and fails one naming a rule that is not loaded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_configured_reads_the_rules_prometheus_has_loaded() {
    let server = PromServer::start(&[], ALERT_RULES).await;
    assert_eq!(
        server.client().alert_rules().await.unwrap(),
        ["ApiServerErrors"]
    );
    let empty = PromServer::start(&[], NO_RULES).await;
    assert!(empty.client().alert_rules().await.unwrap().is_empty());

    let check = |url: &str, check: &str| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ops-tui.toml");
        let runbook = format!(
            "[service]\nname = \"api\"\n\n[env.prod]\nprometheus = \"{url}\"\n\n\
             [[phase]]\nname = \"Go-live\"\nitems = [{{ text = \"Alerting configured\", check = \"{check}\" }}]\n"
        );
        std::fs::write(&path, runbook).unwrap();
        let out = std::process::Command::new(common::BIN)
            .args([
                "check",
                "--runbook",
                path.to_str().unwrap(),
                "--format",
                "json",
            ])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let found = doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == check)
            .unwrap_or_else(|| panic!("no {check} in {doc:#}"))
            .clone();
        (out.status.code(), found)
    };
    let (code, found) = check(&server.url, "alerts:configured=ApiServerErrors");
    assert_eq!(
        (code, &found["status"]),
        (Some(0), &"ok".into()),
        "{found:#}"
    );
    let (code, found) = check(&server.url, "alerts:configured=ApiServerErrors,ApiSlow");
    assert_eq!(code, Some(1), "{found:#}");
    assert_eq!(found["status"], "fail");
    assert_eq!(found["detail"], "not loaded: ApiSlow");
    let (code, found) = check(&empty.url, "alerts:configured");
    assert_eq!(
        (code, &found["status"]),
        (Some(1), &"fail".into()),
        "{found:#}"
    );
    assert_eq!(found["value"], "no alerting rules loaded");
}
