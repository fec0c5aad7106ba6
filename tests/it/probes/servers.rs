//! Probes against real servers on 127.0.0.1: plain HTTP, security headers,
//! HTTPS with a private CA, expired and self-signed certificates,
//! refused connections, unknown names, timeouts, redirects, bursts, and
//! probes that run side by side without waiting for each other. Each probe
//! is built as the product builds it: from a runbook on disk.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::https::{
    Server, TestCa, assert_evidence, days_from_now, eval, passes, probes, resolved, respond, run,
    self_signed, spec,
};
use ops_tui::condition::{State, Tier};
use ops_tui::probe::status;
use ops_tui::probe::{Failure, ProbeResult, ProbeSpec, client, run_once};
use ops_tui::status::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_json_endpoint_passes_with_every_value_in_the_evidence() {
    const BODY: &str =
        r#"{"status":"UP","checks":[{"name":"db","status":"UP"},{"name":"cache","status":"UP"}]}"#;
    let server = Server::fixed(200, &[("content-type", "application/json")], BODY, None).await;
    let (_dir, specs) = probes(
        &[("base", server.url("http"))],
        r#"
[[probe]]
name = "health"
url = "${base}/health"
fail = ["[STATUS] == 200", "[BODY].status == UP", "len([BODY].checks) == 2", "[HEALTH] == pass", "[CONNECTED] == true"]
warn = ["[RESPONSE_TIME] < 5s"]
"#,
    );
    let r = run(spec(&specs, "health")).await;
    assert_eq!(r.verdict.state, State::Pass, "{r:#?}");
    assert_eq!((&r.failure, status(&r)), (&None, Status::Ok));
    assert_eq!(r.verdict.evaluations.len(), 6);
    assert!(r.verdict.evaluations.iter().all(|(_, e)| e.ok), "{r:#?}");
    assert_evidence(
        &r,
        &[
            ("[STATUS] == 200", "[STATUS] = 200"),
            ("[BODY].status == UP", r#"[BODY].status = "UP""#),
            ("len([BODY].checks) == 2", "len([BODY].checks) = 2"),
            (
                "[HEALTH] == pass",
                r#"[HEALTH] = pass (body status "UP", HTTP 200)"#,
            ),
            ("[CONNECTED] == true", "[CONNECTED] = true"),
        ],
    );
    let (tier, rt) = eval(&r, "[RESPONSE_TIME] < 5s");
    assert_eq!(tier, Tier::Warn);
    let ms = r.observed.response_time_ms.unwrap();
    assert!(ms < 5000.0);
    assert_eq!(rt.resolved, format!("[RESPONSE_TIME] = {ms:.0}ms"));
    // What was observed: one plain-HTTP request, no certificate.
    assert!(r.observed.connected);
    assert_eq!(
        (r.observed.status, r.observed.body.as_str()),
        (Some(200), BODY)
    );
    let ct = r.observed.headers.iter().find(|(k, _)| k == "content-type");
    assert_eq!(ct.map(|(_, v)| v.as_str()), Some("application/json"));
    assert_eq!((r.requests, r.cert_not_after), (1, None));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), &*seen[0].path),
        ("GET", "/health")
    );
    assert!(
        seen[0]
            .header("user-agent")
            .unwrap()
            .starts_with("ops-tui/")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_fails_as_http_503_and_health_says_fail() {
    let json = &[("content-type", "application/json")];
    let server = Server::fixed(503, json, r#"{"status":"DOWN"}"#, None).await;
    let (_dir, specs) = probes(
        &[("base", server.url("http"))],
        r#"
[[probe]]
name = "health"
url = "${base}/health"
fail = ["[STATUS] == 200", "[HEALTH] == pass"]
"#,
    );
    let r = run(spec(&specs, "health")).await;
    assert_eq!(r.failure, Some(Failure::Http(503)), "{r:#?}");
    assert_eq!(r.verdict.state, State::Fail);
    assert_eq!(r.verdict.first_failing, Some(0));
    assert_eq!(status(&r), Status::Fail);
    assert!(!passes(&r, "[HEALTH] == pass"));
    assert_evidence(
        &r,
        &[
            ("[STATUS] == 200", "[STATUS] = 503"),
            (
                "[HEALTH] == pass",
                r#"[HEALTH] = fail (body status "DOWN", HTTP 503)"#,
            ),
        ],
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_are_found_in_any_case_and_missing_ones_are_named() {
    const HEADERS: &[(&str, &str)] = &[
        ("Strict-Transport-Security", "max-age=63072000"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
    ];
    let hardened = Server::fixed(200, HEADERS, "<html></html>", None).await;
    let bare = Server::fixed(200, &[], "<html></html>", None).await;
    const HSTS: &str = "has([HEADER].Strict-Transport-Security)";
    const XFO: &str = "[HEADER].x-frame-options == DENY";
    const XCTO: &str = "[HEADER].X-CONTENT-TYPE-OPTIONS == nosniff";
    let fail = format!("fail = [{HSTS:?}, {XFO:?}, {XCTO:?}]");
    let (_dir, specs) = probes(
        &[("good", hardened.url("http")), ("bare", bare.url("http"))],
        &format!(
            "[[probe]]\nname = \"hardened\"\nurl = \"${{good}}/\"\n{fail}\n\n\
             [[probe]]\nname = \"bare\"\nurl = \"${{bare}}/\"\n{fail}\n"
        ),
    );

    let good = run(spec(&specs, "hardened")).await;
    assert_eq!(good.verdict.state, State::Pass, "{good:#?}");
    assert_eq!((&good.failure, status(&good)), (&None, Status::Ok));
    assert_evidence(
        &good,
        &[
            (HSTS, "has([HEADER].Strict-Transport-Security) = true"),
            (XFO, r#"[HEADER].x-frame-options = "DENY""#),
            (XCTO, r#"[HEADER].X-CONTENT-TYPE-OPTIONS = "nosniff""#),
        ],
    );

    let bad = run(spec(&specs, "bare")).await;
    assert_eq!(
        (bad.verdict.state, status(&bad)),
        (State::Fail, Status::Fail)
    );
    assert!(
        bad.verdict.evaluations.iter().all(|(_, e)| !e.ok),
        "{bad:#?}"
    );
    assert_evidence(
        &bad,
        &[
            (HSTS, "has([HEADER].Strict-Transport-Security) = false"),
            (
                XFO,
                "[HEADER].x-frame-options: no x-frame-options header in the response",
            ),
            (
                XCTO,
                "[HEADER].X-CONTENT-TYPE-OPTIONS: no X-CONTENT-TYPE-OPTIONS header in the response",
            ),
        ],
    );
    // The failure names the first failing condition and its evidence.
    assert_eq!(
        bad.failure,
        Some(Failure::Condition(format!(
            "{HSTS} (has([HEADER].Strict-Transport-Security) = false)"
        )))
    );
    hardened.stop().await;
    bare.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_private_ca_reads_the_certificate_expiry() {
    let ca = TestCa::new();
    let not_after = days_from_now(20);
    let server = Server::fixed(200, &[], "ok", Some(ca.server(not_after))).await;
    let (dir, specs) = probes(
        &[("base", server.url("https"))],
        r#"
[[probe]]
name = "tls"
url = "${base}/health"
ca = "ca.pem"
fail = ["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 14d"]
warn = ["[CERTIFICATE_EXPIRATION] > 30d"]
"#,
    );
    std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
    let tls = spec(&specs, "tls");
    assert_eq!(tls.ca.as_deref(), Some(&*dir.path().join("ca.pem")));
    let r = run(tls).await;
    assert_eq!(r.observed.status, Some(200), "{r:#?}");
    let read = r.cert_not_after.expect("the certificate's notAfter");
    assert!(
        (read - not_after.unix_timestamp()).abs() <= 60,
        "{read} vs {not_after}"
    );
    assert!(passes(&r, "[CERTIFICATE_EXPIRATION] > 14d"));
    assert!(!passes(&r, "[CERTIFICATE_EXPIRATION] > 30d"));
    let shown = resolved(&r, "[CERTIFICATE_EXPIRATION] > 30d");
    assert!(
        shown.starts_with("[CERTIFICATE_EXPIRATION] = 19d 23h")
            || shown.starts_with("[CERTIFICATE_EXPIRATION] = 20d"),
        "{shown}"
    );
    // Only a warn condition fails: degraded, not failed.
    assert_eq!((r.verdict.state, status(&r)), (State::Warn, Status::Warn));
    assert!(
        matches!(&r.failure, Some(Failure::Condition(t)) if t.starts_with("[CERTIFICATE_EXPIRATION] > 30d")),
        "{r:#?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_fails_as_tls_and_still_says_when_it_expired() {
    let ca = TestCa::new();
    let not_after = days_from_now(-3);
    let server = Server::fixed(200, &[], "ok", Some(ca.server(not_after))).await;
    let (dir, specs) = probes(
        &[("base", server.url("https"))],
        r#"
[[probe]]
name = "expired"
url = "${base}/health"
ca = "ca.pem"
fail = ["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 14d"]
"#,
    );
    std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
    let r = run(spec(&specs, "expired")).await;
    assert_eq!(
        r.failure,
        Some(Failure::Tls("certificate expired".into())),
        "{r:#?}"
    );
    assert!(!r.observed.connected);
    assert_eq!(status(&r), Status::Fail);
    assert!(server.seen().is_empty());
    // The presented certificate was read anyway: expired 3 days ago.
    let read = r
        .cert_not_after
        .expect("the expired certificate's notAfter");
    assert!((read - not_after.unix_timestamp()).abs() <= 60);
    assert_eq!((r.at - read) / 86_400, 3, "expired 3 days ago");
    assert!(r.observed.certificate_expiration.unwrap().is_negative());
    let shown = resolved(&r, "[CERTIFICATE_EXPIRATION] > 14d");
    assert!(
        shown.starts_with("[CERTIFICATE_EXPIRATION] = -3d"),
        "{shown}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_certificate_is_an_unknown_authority_unless_insecure() {
    let not_after = days_from_now(90);
    let server = Server::fixed(200, &[], "ok", Some(self_signed(not_after))).await;
    let (_dir, specs) = probes(
        &[("base", server.url("https"))],
        r#"
[[probe]]
name = "strict"
url = "${base}/"

[[probe]]
name = "insecure"
url = "${base}/"
insecure = true
fail = ["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 60d"]
"#,
    );
    let strict = run(spec(&specs, "strict")).await;
    let Some(Failure::Tls(reason)) = &strict.failure else {
        panic!("expected a TLS failure: {strict:#?}");
    };
    assert!(reason.contains("unknown authority"), "{reason}");
    assert_eq!(status(&strict), Status::Fail);
    let read = strict.cert_not_after.expect("read even when untrusted");
    assert!((read - not_after.unix_timestamp()).abs() <= 60);
    // The default condition, judged without a response.
    let default = ops_tui::probe::spec::DEFAULT_FAIL;
    assert_eq!(resolved(&strict, default), "[STATUS]: no response");

    let insecure = run(spec(&specs, "insecure")).await;
    assert_eq!(insecure.failure, None, "{insecure:#?}");
    assert_eq!(
        (insecure.verdict.state, status(&insecure)),
        (State::Pass, Status::Ok)
    );
    let read = insecure.cert_not_after.expect("the session's notAfter");
    assert!((read - not_after.unix_timestamp()).abs() <= 60);
    // Only the insecure probe got a response out of the server.
    assert_eq!(server.seen().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_failures_say_what_is_wrong_in_words() {
    // A CA certificate served as the server's own.
    let (pem, config) = common::https::ca_as_leaf();
    let ca_leaf = Server::fixed(200, &[], "ok", Some(config)).await;
    // A server that accepts and closes at once, and a plain HTTP server.
    let closing = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closing_at = closing.local_addr().unwrap();
    let closer = std::thread::spawn(move || {
        for _ in 0..2 {
            if let Ok((conn, _)) = closing.accept() {
                drop(conn);
            }
        }
    });
    let plain = Server::fixed(200, &[], "ok", None).await;
    let (dir, specs) = probes(
        &[
            ("ca_leaf", ca_leaf.url("https")),
            ("closing", format!("https://{closing_at}")),
            ("plain", plain.url("http").replacen("http:", "https:", 1)),
        ],
        r#"
[[probe]]
name = "ca-leaf"
url = "${ca_leaf}/"
ca = "ca.pem"
timeout = "3s"

[[probe]]
name = "closing"
url = "${closing}/"
timeout = "3s"

[[probe]]
name = "plain"
url = "${plain}/"
timeout = "3s"
"#,
    );
    std::fs::write(dir.path().join("ca.pem"), &pem).unwrap();
    let words = |r: &ProbeResult| {
        r.failure
            .as_ref()
            .map(|f| f.to_string())
            .unwrap_or_default()
    };
    let r = run(spec(&specs, "ca-leaf")).await;
    let text = words(&r);
    assert!(
        text.starts_with("TLS: ") && text.contains("a CA certificate"),
        "{text}"
    );
    assert!(!text.contains("Other("), "{text}");
    for name in ["closing", "plain"] {
        let r = run(spec(&specs, name)).await;
        let text = words(&r);
        assert!(
            text.starts_with("TLS: ") || text.starts_with("connection"),
            "{name}: {text}"
        );
        assert!(
            !text.contains("client error (Connect)") && !text.contains("Other("),
            "{name}: {text}"
        );
        assert_eq!(status(&r), Status::Fail);
    }
    let _ = closer.join();
    ca_leaf.stop().await;
    plain.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_beyond_the_limit_is_said_to_be_cut_not_to_be_not_json() {
    // Valid JSON of 2 MiB: its first MiB alone is not.
    let padding = "x".repeat(2 << 20);
    let body: &'static str =
        Box::leak(format!(r#"{{"status":"ok","pad":"{padding}"}}"#).into_boxed_str());
    let small: &'static str = r#"{"status":"ok"}"#;
    let big = Server::fixed(200, &[], body, None).await;
    let fine = Server::fixed(200, &[], small, None).await;
    let (_dir, specs) = probes(
        &[("big", big.url("http")), ("fine", fine.url("http"))],
        r#"
[[probe]]
name = "big"
url = "${big}/"
fail = ["[STATUS] == 200", "[BODY].status == ok"]

[[probe]]
name = "fine"
url = "${fine}/"
fail = ["[STATUS] == 200", "[BODY].status == ok"]
"#,
    );
    let r = run(spec(&specs, "big")).await;
    assert!(r.observed.body_cut, "{:?}", r.observed.body.len());
    assert_eq!(r.observed.body.len(), ops_tui::probe::MAX_BODY);
    let shown = resolved(&r, "[BODY].status == ok");
    assert!(
        shown.contains("larger than the 1 MiB a probe reads"),
        "{shown}"
    );
    assert!(!shown.contains("not JSON:"), "{shown}");
    assert_eq!(status(&r), Status::Fail);
    let r = run(spec(&specs, "fine")).await;
    assert!(!r.observed.body_cut);
    assert_eq!(status(&r), Status::Ok, "{r:#?}");
    big.stop().await;
    fine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_refused_and_an_unknown_name_is_dns() {
    // A port just freed: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // `.invalid` never resolves (RFC 6761): the local resolver says so.
    let (_dir, specs) = probes(
        &[("closed", format!("http://{closed}"))],
        r#"
[[probe]]
name = "refused"
url = "${closed}/health"
timeout = "3s"

[[probe]]
name = "nowhere"
url = "http://ops-tui-probe-test.invalid/health"
timeout = "3s"
fail = ["[CONNECTED] == true"]
"#,
    );
    let started = Instant::now();
    let refused = run(spec(&specs, "refused")).await;
    assert!(
        matches!(refused.failure, Some(Failure::Refused(_))),
        "{refused:#?}"
    );
    assert_eq!(status(&refused), Status::Fail);
    assert!(!refused.observed.connected);

    let nowhere = run(spec(&specs, "nowhere")).await;
    assert!(
        matches!(nowhere.failure, Some(Failure::Dns(_))),
        "{nowhere:#?}"
    );
    assert_eq!(status(&nowhere), Status::Fail);
    assert_eq!(
        resolved(&nowhere, "[CONNECTED] == true"),
        "[CONNECTED] = false"
    );
    // Neither waited for its timeout.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out_in_bounded_time() {
    let server = Server::hang().await;
    let (_dir, specs) = probes(
        &[("http", server.url("http")), ("https", server.url("https"))],
        &["http", "https"]
            .map(|n| format!("[[probe]]\nname = {n:?}\nurl = \"${{{n}}}/\"\ntimeout = \"300ms\"\n"))
            .join("\n"),
    );
    for name in ["http", "https"] {
        let probe = spec(&specs, name);
        assert_eq!(probe.timeout, Duration::from_millis(300));
        let started = Instant::now();
        let r = run(probe).await;
        let took = started.elapsed();
        assert_eq!(r.failure, Some(Failure::Timeout), "{name}: {r:#?}");
        assert_eq!(status(&r), Status::Fail);
        assert!(took >= Duration::from_millis(250), "{name}: {took:?}");
        assert!(took < Duration::from_secs(3), "{name}: took {took:?}");
    }
    server.stop().await;
}

/// What the probes' own tasks report within `limit`; the tasks stop then.
async fn reported_within(specs: Vec<ProbeSpec>, limit: Duration) -> Vec<ProbeResult> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let tasks = ops_tui::probe::spawn(specs, tx, |r| r);
    let deadline = tokio::time::Instant::now() + limit;
    let mut results = Vec::new();
    while let Ok(Some(r)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        results.push(r);
    }
    drop(tasks);
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_probe_does_not_delay_the_others() {
    let hanging = Server::hang().await;
    let fast = Server::fixed(200, &[], "ok", None).await;
    let (_dir, specs) = probes(
        &[("slow", hanging.url("http")), ("fast", fast.url("http"))],
        &["slow", "fast"]
            .map(|n| format!("[[probe]]\nname = {n:?}\nurl = \"${{{n}}}/\"\nevery = \"200ms\"\ntimeout = \"2s\"\n"))
            .join("\n"),
    );
    let results = reported_within(specs, Duration::from_millis(1500)).await;
    let count = |name: &str| results.iter().filter(|r| r.name == name).count();
    assert!(count("fast") >= 3, "fast reported {} times", count("fast"));
    assert!(count("slow") <= 1, "slow reported {} times", count("slow"));
    let fast_ok = |r: &&ProbeResult| r.name != "fast" || status(r) == Status::Ok;
    assert!(results.iter().all(|r| fast_ok(&r)), "{results:#?}");
    assert_eq!(fast.seen().len(), count("fast"));
    hanging.stop().await;
    fast.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_and_a_redirect_loop_ends_in_a_failure() {
    let server = Server::start(
        |seen| match seen.path.as_str() {
            "/old" => respond(302, &[("location", "/new")], ""),
            "/new" => respond(200, &[], "ok"),
            _ => respond(302, &[("location", "/loop")], ""),
        },
        None,
    )
    .await;
    let (_dir, specs) = probes(
        &[("base", server.url("http"))],
        r#"
[[probe]]
name = "moved"
url = "${base}/old"
fail = ["[STATUS] == 200", "[BODY] == ok"]

[[probe]]
name = "loop"
url = "${base}/loop"
timeout = "5s"
fail = ["[STATUS] == 200"]
"#,
    );
    let moved = run(spec(&specs, "moved")).await;
    assert_eq!(moved.failure, None, "{moved:#?}");
    assert_eq!(moved.observed.status, Some(200));
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/old", "/new"]);

    let started = Instant::now();
    let looped = run(spec(&specs, "loop")).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
    // Ten redirects are followed, then the probe gives up and says why.
    assert!(
        matches!(&looped.failure, Some(Failure::Other(t)) if t.contains("redirect")),
        "{looped:#?}"
    );
    // The failure's text never carries the URL (which may hold a secret).
    let text = looped
        .failure
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        !text.contains("/loop") && !text.contains("127.0.0.1"),
        "{text}"
    );
    assert_eq!(status(&looped), Status::Fail);
    assert_eq!(server.seen().len() - 2, 1 + 10);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_counts_statuses_and_a_plain_run_sends_one_request() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let server = Server::start(
        move |_| match counter.fetch_add(1, Ordering::SeqCst) {
            0..5 => respond(200, &[], "ok"),
            _ => respond(429, &[("retry-after", "1")], "Too Many Requests"),
        },
        None,
    )
    .await;
    let (_dir, specs) = probes(
        &[("base", server.url("http"))],
        r#"
[[probe]]
name = "rate-limit"
url = "${base}/api"
burst = 20
fail = ["[STATUS_COUNT].429 > 0"]
warn = ["[STATUS_COUNT].2xx >= 5"]
"#,
    );
    let probe = spec(&specs, "rate-limit");
    assert_eq!(probe.burst, Some(20));
    let client = client(probe).unwrap();
    let limit = Duration::from_secs(20);
    let burst = tokio::time::timeout(limit, run_once(&client, probe, true))
        .await
        .unwrap();
    assert_eq!((burst.requests, hits.load(Ordering::SeqCst)), (20, 20));
    assert_eq!(
        burst.observed.status_counts,
        BTreeMap::from([(200, 5), (429, 15)])
    );
    assert_eq!(
        (burst.verdict.state, status(&burst)),
        (State::Pass, Status::Ok),
        "{burst:#?}"
    );
    assert_evidence(
        &burst,
        &[
            (
                "[STATUS_COUNT].429 > 0",
                "[STATUS_COUNT].429 = 15 of 20 responses",
            ),
            (
                "[STATUS_COUNT].2xx >= 5",
                "[STATUS_COUNT].2xx = 5 of 20 responses",
            ),
        ],
    );

    let once = tokio::time::timeout(limit, run_once(&client, probe, false))
        .await
        .unwrap();
    assert_eq!((once.requests, hits.load(Ordering::SeqCst)), (1, 21));
    assert_eq!(once.observed.status_counts, BTreeMap::from([(429, 1)]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_probe_never_runs_on_the_timer() {
    let plain = Server::fixed(200, &[], "ok", None).await;
    let bursty = Server::fixed(200, &[], "ok", None).await;
    let (_dir, specs) = probes(
        &[("plain", plain.url("http")), ("bursty", bursty.url("http"))],
        r#"
[[probe]]
name = "plain"
url = "${plain}/"
every = "200ms"

[[probe]]
name = "bursty"
url = "${bursty}/"
every = "200ms"
burst = 5
fail = ["[STATUS_COUNT].429 > 0"]
"#,
    );
    let results = reported_within(specs, Duration::from_millis(1200)).await;
    assert!(
        results.iter().filter(|r| r.name == "plain").count() >= 3,
        "the plain probe runs on its timer: {results:#?}"
    );
    assert!(
        results.iter().all(|r| r.name != "bursty"),
        "a burst only runs on request: {results:#?}"
    );
    assert_eq!(
        bursty.seen().len(),
        0,
        "the burst's server was never called"
    );
    plain.stop().await;
    bursty.stop().await;
}
