//! Probes against real HTTP(S) servers on 127.0.0.1: the certificate is
//! read afresh on every run (a replaced certificate shows at once). That
//! what the runbook sends (headers, the query, credentials) never follows
//! a redirect to another origin is in `tests/setenv/probes.rs`: its secret
//! comes from the process environment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::https::{Server, TestCa, days_from_now, probes, spec};
use ops_tui::probe::status;
use ops_tui::probe::{ProbeResult, ProbeSpec};
use ops_tui::status::Status;

/// One run with the given client, bounded.
async fn run_with(client: &reqwest::Client, spec: &ProbeSpec) -> ProbeResult {
    let once = ops_tui::probe::run_once(client, spec, false);
    tokio::time::timeout(Duration::from_secs(20), once)
        .await
        .expect("a probe run ends")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_certificate_is_seen_on_the_next_run() {
    let ca = TestCa::new();
    let first = days_from_now(59);
    let tls = ca.swappable(first);
    let server = Server::fixed(200, &[], "ok", Some(tls.config.clone())).await;
    let (dir, specs) = probes(
        &[("base", server.url("https"))],
        r#"
[[probe]]
name = "tls"
url = "${base}/health"
ca = "ca.pem"
fail = ["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 0"]
warn = ["[CERTIFICATE_EXPIRATION] > 30d"]
"#,
    );
    std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
    let spec = spec(&specs, "tls");
    // One client for both runs, as the probe's task keeps it.
    let client = ops_tui::probe::client(spec).unwrap();

    let before = run_with(&client, spec).await;
    assert_eq!(status(&before), Status::Ok, "{before:#?}");
    assert_eq!(before.cert_not_after, Some(first.unix_timestamp()));

    let expired = days_from_now(-3);
    ca.swap(&tls, expired);
    let after = run_with(&client, spec).await;
    assert_eq!(
        after.cert_not_after,
        Some(expired.unix_timestamp()),
        "the second run reads the new certificate: {after:#?}"
    );
    assert!(
        after
            .observed
            .certificate_expiration
            .is_some_and(|d| d.is_negative()),
        "{after:#?}"
    );
    assert_eq!(status(&after), Status::Fail, "{after:#?}");
    server.stop().await;
}
