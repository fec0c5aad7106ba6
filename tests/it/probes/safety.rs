//! Probes against real HTTP(S) servers on 127.0.0.1: the certificate is
//! read afresh on every run (a replaced certificate shows at once), and
//! what the runbook sends (headers, the query, credentials) never follows
//! a redirect to another origin.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::https::{self, Server, TestCa, days_from_now, probes, respond, spec};
use ops_tui::config::theme::Status;
use ops_tui::probe::{Failure, ProbeResult, ProbeSpec};
use ops_tui::state::health::status;

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

const KEY: &str = "hdr-canary-7c41d9e2b5";
const QUERY: &str = "qry-canary-5e8a0f3d";

/// Every place a request can carry a secret: path, query, header values.
fn carries(seen: &https::Seen, secret: &str) -> bool {
    seen.path.contains(secret)
        || seen.query.as_deref().is_some_and(|q| q.contains(secret))
        || seen
            .headers
            .values()
            .any(|v| String::from_utf8_lossy(v.as_bytes()).contains(secret))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_runbook_sends_never_follows_a_redirect_to_another_origin() {
    // Another port is another origin.
    let other = Server::fixed(200, &[], "landed", None).await;
    let there = other.url("http");
    let origin = Server::start(
        move |seen| {
            let query = seen.query.clone().unwrap_or_default();
            match seen.path.as_str() {
                "/plain" => respond(302, &[("location", &format!("{there}/landing"))], ""),
                // The server hands the query on, as some login redirects do.
                "/echo" => respond(
                    302,
                    &[("location", &format!("{there}/landing?{query}&page=2"))],
                    "",
                ),
                "/in-path" => respond(
                    301,
                    &[("location", &format!("{there}/landing/{QUERY}"))],
                    "",
                ),
                "/same" => respond(307, &[("location", "/final")], ""),
                "/final" => respond(200, &[], "ok"),
                _ => respond(404, &[], ""),
            }
        },
        None,
    )
    .await;
    let var = format!("OPS_TUI_REDIRECT_TEST_KEY_{}", std::process::id());
    // SAFETY: a name nothing else reads; std takes its environment lock for
    // every read it makes (name lookups included).
    unsafe { std::env::set_var(&var, KEY) };
    let probe = |name: &str, path: &str| {
        format!(
            "[[probe]]\nname = \"{name}\"\nurl = \"${{base}}{path}?token={QUERY}\"\n\
             headers = {{ X-Api-Key = \"${{{var}}}\", Authorization = \"Bearer ${{{var}}}\", \
             Cookie = \"session=${{{var}}}\" }}\nfail = [\"[STATUS] == 200\"]\n"
        )
    };
    let (_dir, specs) = probes(
        &[("base", origin.url("http"))],
        &[
            probe("plain", "/plain"),
            probe("echo", "/echo"),
            probe("in-path", "/in-path"),
            probe("same", "/same"),
        ]
        .join("\n"),
    );

    let plain = https::run(spec(&specs, "plain")).await;
    assert_eq!(status(&plain), Status::Ok, "followed: {plain:#?}");
    assert_eq!(plain.observed.body, "landed");
    let echo = https::run(spec(&specs, "echo")).await;
    assert_eq!(status(&echo), Status::Ok, "followed: {echo:#?}");
    let in_path = https::run(spec(&specs, "in-path")).await;
    assert!(
        matches!(&in_path.failure, Some(Failure::Other(t)) if t.contains("not followed")),
        "a redirect whose address holds a secret is refused: {in_path:#?}"
    );
    let same = https::run(spec(&specs, "same")).await;
    assert_eq!(status(&same), Status::Ok, "{same:#?}");

    // Within the origin, the runbook's headers go along.
    let seen = origin.seen();
    let final_ = seen.iter().find(|s| s.path == "/final").unwrap();
    assert_eq!(final_.header("x-api-key"), Some(KEY));
    assert_eq!(
        final_.header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert!(seen.iter().all(|s| s.header("x-api-key") == Some(KEY)));

    // The other origin saw the two redirects that were followed, and
    // nothing of the runbook's.
    let landed = other.seen();
    assert_eq!(landed.len(), 2, "{landed:#?}");
    assert_eq!(
        landed.iter().map(|s| s.query.clone()).collect::<Vec<_>>(),
        [None, Some("page=2".to_string())],
        "the original query stays behind, the server's own goes on"
    );
    for s in &landed {
        assert!(!carries(s, KEY) && !carries(s, QUERY), "{s:#?}");
        assert_eq!(s.header("referer"), None, "{s:#?}");
        assert_eq!(s.header("authorization"), None, "{s:#?}");
        assert_eq!(s.header("cookie"), None, "{s:#?}");
    }
    origin.stop().await;
    other.stop().await;
}
