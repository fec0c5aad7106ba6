//! Probes whose runbook takes a secret from the process environment: a
//! CORS preflight sends it and never shows it, and it never follows a
//! redirect to another origin. The other probe tests are in
//! `tests/it/probes/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::https::{self, Server, probes, resolved, respond, run, spec};
use ops_tui::condition::State;
use ops_tui::probe::Failure;
use ops_tui::probe::status;
use ops_tui::status::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cors_preflight_sends_its_headers_and_never_shows_a_secret() {
    const ALLOWED: &str = "https://shop.example.com";
    let server = Server::start(
        |seen| match (seen.method.as_str(), seen.header("origin")) {
            ("OPTIONS", Some(ALLOWED)) => respond(
                204,
                &[
                    ("Access-Control-Allow-Origin", ALLOWED),
                    ("Access-Control-Allow-Methods", "GET, POST"),
                ],
                "",
            ),
            ("OPTIONS", _) => respond(204, &[], ""),
            _ => respond(405, &[], ""),
        },
        None,
    )
    .await;
    let var = format!("OPS_TUI_PROBE_TEST_TOKEN_{}", std::process::id());
    let secret = "s3cr3t-token-that-must-not-show";
    // SAFETY: a name nothing else reads; std takes its environment lock for
    // every read it makes (name lookups included).
    unsafe { std::env::set_var(&var, secret) };
    let acao = format!("[HEADER].Access-Control-Allow-Origin == {ALLOWED}");
    let (_dir, specs) = probes(
        &[("base", server.url("http"))],
        &format!(
            r#"
[[probe]]
name = "cors"
url = "${{base}}/api/v1/charges"
method = "OPTIONS"
headers = {{ Origin = "{ALLOWED}", X-Api-Key = "Token ${{{var}}}" }}
fail = ["[STATUS] == 204", "{acao}"]

[[probe]]
name = "cors-other-origin"
url = "${{base}}/api/v1/charges"
method = "OPTIONS"
headers = {{ Origin = "https://evil.example.com" }}
fail = ["{acao}"]
"#
        ),
    );
    let cors = spec(&specs, "cors");
    let key = cors.headers.iter().find(|h| h.name == "X-Api-Key").unwrap();
    assert_eq!(key.value, format!("Token {secret}"));
    assert_eq!(key.shown, format!("Token ${{{var}}}"));
    assert!(key.secret());
    let debug = format!("{cors:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(
        debug.contains(&format!("X-Api-Key: Token ${{{var}}}")),
        "{debug}"
    );

    let r = run(cors).await;
    assert_eq!(
        (r.verdict.state, status(&r)),
        (State::Pass, Status::Ok),
        "{r:#?}"
    );
    let want = format!("[HEADER].Access-Control-Allow-Origin = \"{ALLOWED}\"");
    assert_eq!(resolved(&r, &acao), want);
    let other = run(spec(&specs, "cors-other-origin")).await;
    assert_eq!(other.verdict.state, State::Fail);
    assert!(
        matches!(&other.failure, Some(Failure::Condition(t))
            if t.contains("no Access-Control-Allow-Origin header in the response")),
        "{other:#?}"
    );
    // The server saw the preflights as sent, the secret included.
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].method.as_str(), &*seen[0].path),
        ("OPTIONS", "/api/v1/charges")
    );
    assert_eq!(seen[0].header("origin"), Some(ALLOWED));
    assert_eq!(
        seen[0].header("x-api-key"),
        Some(&*format!("Token {secret}"))
    );
    assert_eq!(seen[1].header("origin"), Some("https://evil.example.com"));
    assert_eq!(seen[1].header("x-api-key"), None);
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
