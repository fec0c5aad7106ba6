//! `ops-tui guard`, the real binary, against `ops-tui demo --serve` at real
//! speed with the real Prometheus scraping the simulated api's `/metrics`:
//! a bad release is a regression (exit 1, named, per revision), rolled back
//! with `--rollback-on-fail` (checked with kubectl, journaled with the
//! reason); a good release passes its soak (exit 0, no false alarm); a
//! crash loop fails within 30 s; configuration errors exit 2; JSON and
//! JUnit parse.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common;
use common::demo::Demo;
use common::prometheus::{NO_RULES, PromServer};
use serde_json::Value;

/// The test's runbook: the api workload, its health probe, and its error
/// rate as a whole and by pod over short windows (the real Prometheus
/// scrapes every second).
fn runbook(dir: &Path, prometheus: &str) -> PathBuf {
    let path = dir.join("ops-tui.toml");
    std::fs::write(&path, runbook_text(prometheus)).unwrap();
    path
}

fn runbook_text(prometheus: &str) -> String {
    format!(
        r#"[service]
name = "shop"

[env.demo]
context = "demo"
namespace = "shop-prod"
prometheus = "{prometheus}"

[[workload]]
name = "api"
soak = "15s"

[[probe]]
name = "api-health"
url = "{api}/health"
fail = ["[STATUS] == 200"]

[[signal]]
name = "error-rate"
query = 'sum(rate(http_requests_total{{namespace="shop-prod",service="api",status=~"5.."}}[30s])) / sum(rate(http_requests_total{{namespace="shop-prod",service="api"}}[30s]))'
unit = "percent"
warn = "> 0.01"
fail = "> 0.05"
regression = {{ worse = 3, margin = "1%" }}

[[signal]]
name = "pod-error-rate"
query = 'sum by (pod) (rate(http_pod_requests_total{{namespace="shop-prod",service="api",status=~"5.."}}[30s])) / sum by (pod) (rate(http_pod_requests_total{{namespace="shop-prod",service="api"}}[30s]))'
unit = "percent"
warn = "> 0.01"
fail = "> 0.05"
regression = {{ per_revision = "pod", worse = 3, margin = "1%" }}
"#,
        api = "${api}",
    )
}

/// The runbook with the api service's address for `${api}`.
fn with_api(path: &Path, demo: &Demo) {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.replace(
        "prometheus = ",
        &format!(
            "vars = {{ api = \"{}\" }}\nprometheus = ",
            demo.service("api")
        ),
    );
    std::fs::write(path, text).unwrap();
}

struct Rig {
    demo: Demo,
    prom: PromServer,
    dir: tempfile::TempDir,
    runbook: PathBuf,
}

/// The demo with api's own rollout done, Prometheus scraping api.
async fn rig() -> Rig {
    rig_with(|text| text).await
}

/// `rig`, with the runbook changed by `edit`.
async fn rig_with(edit: impl Fn(String) -> String) -> Rig {
    let demo = Demo::start(&[]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=90s"]);
    demo.wait_only_current_pods("api", Duration::from_secs(60));
    let port: u16 = demo
        .service("api")
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .expect("the api port");
    let prom = PromServer::start(&[port], NO_RULES).await;
    prom.wait_targets_up(1).await;
    let dir = tempfile::tempdir().unwrap();
    let runbook = runbook(dir.path(), &prom.url);
    let text = edit(std::fs::read_to_string(&runbook).unwrap());
    std::fs::write(&runbook, text).unwrap();
    with_api(&runbook, &demo);
    // A baseline: half a minute of the good release's traffic.
    tokio::time::sleep(Duration::from_secs(20)).await;
    Rig {
        demo,
        prom,
        dir,
        runbook,
    }
}

impl Rig {
    /// `ops-tui guard ARGS` with the rig's runbook, kubeconfig and data
    /// directory, bounded by `limit`.
    async fn guard(&self, args: &[&str], limit: Duration) -> (Output, Duration) {
        let mut cmd = Command::new(common::BIN);
        cmd.arg("guard")
            .args(args)
            .args(["--runbook", self.runbook.to_str().unwrap()])
            .args(["--kubeconfig", self.demo.kubeconfig.to_str().unwrap()])
            .args(["--every", "2s"])
            .env("OPS_TUI_DATA_DIR", self.dir.path().join("data"))
            .env("NO_COLOR", "1");
        let started = Instant::now();
        let out = tokio::time::timeout(limit, tokio::task::spawn_blocking(move || cmd.output()))
            .await
            .expect("guard ended within its bound")
            .unwrap()
            .expect("run ops-tui guard");
        (out, started.elapsed())
    }

    fn image(&self) -> String {
        self.demo.ok(&[
            "get",
            "deploy/api",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ])
    }

    /// Every journal line written under the data directory.
    fn journal(&self) -> String {
        let mut files = Vec::new();
        common::leaky::files(&self.dir.path().join("data"), &mut files);
        files
            .into_iter()
            .filter(|(name, _)| name.ends_with(".jsonl"))
            .map(|(_, body)| String::from_utf8_lossy(&body).into_owned())
            .collect()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_release_is_a_regression_rolled_back_and_journaled() {
    let rig = rig().await;
    let before = rig.image();
    rig.demo.ok(&[
        "set",
        "image",
        "deploy/api",
        "api=registry.example.com/shop/api:1.6.0-bad",
    ]);
    let (out, took) = rig
        .guard(
            &["api", "--rollback-on-fail", "--format", "json"],
            Duration::from_secs(240),
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out)));
    assert_eq!(doc["result"], "regression", "{doc:#}");
    assert_eq!(doc["workload"], "deployment/api");
    assert_eq!(doc["passed"], false);
    // The rollout's outcome names the signal; the signal's, its baseline.
    let checks = doc["checks"].as_array().unwrap();
    let rollout = &checks[0];
    assert_eq!(rollout["kind"], "rollout");
    assert_eq!(rollout["status"], "fail");
    let failing: Vec<&Value> = checks[1..]
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(failing.len(), 1, "{doc:#}");
    let signal = failing[0];
    assert_eq!(signal["kind"], "signal", "{doc:#}");
    assert!(
        signal["value"].as_str().unwrap().contains("(baseline "),
        "{signal}"
    );
    // The split is reported whichever signal tripped first.
    if signal["name"] == "pod-error-rate" {
        assert!(
            signal["detail"].as_str().unwrap().contains("new pods"),
            "{signal}"
        );
    }
    assert!(took < Duration::from_secs(200), "took {took:?}");
    // Rolled back: kubectl sees the good image again, and the rollback's
    // own rollout completed.
    assert_eq!(doc["rolled_back"]["ok"], true, "{doc:#}");
    assert!(
        doc["rolled_back"]["detail"]
            .as_str()
            .unwrap()
            .ends_with("complete"),
        "{doc:#}"
    );
    assert_eq!(rig.image(), before);
    rig.demo
        .ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    // Journaled: the baseline, the regression, and the rollback with why.
    let journal = rig.journal();
    assert!(journal.contains("\"event\":\"regression\""), "{journal}");
    assert!(
        journal.contains("following the rollout of deployment/api"),
        "{journal}"
    );
    let regression = journal
        .lines()
        .find(|l| l.contains("\"status\":\"fail\"") && l.contains("regression of deployment/api"))
        .unwrap_or_else(|| panic!("no regression in:\n{journal}"));
    assert!(regression.contains("(baseline "), "{regression}");
    let outcome = journal
        .lines()
        .find(|l| l.contains("\"step\":\"outcome\""))
        .unwrap_or_else(|| panic!("no rollback outcome in:\n{journal}"));
    assert!(outcome.contains("\"ok\":true"), "{outcome}");
    assert!(
        outcome.contains("(guard: regression of revision"),
        "{outcome}"
    );
    assert!(
        journal.contains("\"step\":\"dry_run\""),
        "the dry run comes first: {journal}"
    );
    drop(rig.prom);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_release_passes_its_soak_with_no_false_alarm() {
    let rig = rig().await;
    rig.demo.ok(&[
        "set",
        "image",
        "deploy/api",
        "api=registry.example.com/shop/api:1.6.0",
    ]);
    let (out, _) = rig
        .guard(&["api", "--format", "junit"], Duration::from_secs(240))
        .await;
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The JUnit parses: one suite, a testcase per check, no failure.
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let root = doc.root_element();
    assert_eq!(root.attribute("name"), Some("ops-tui guard"));
    assert_eq!(root.attribute("failures"), Some("0"), "{xml}");
    let cases: Vec<&str> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    for name in [
        "deployment/api",
        "api-health",
        "error-rate",
        "pod-error-rate",
        "alerts",
    ] {
        assert!(cases.contains(&name), "{name} not in {cases:?}");
    }
    assert_eq!(
        root.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0,
        "{xml}"
    );
    // Progress lines went to standard error: the rollout, then its soak.
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(
        progress.contains("following the rollout of deployment/api"),
        "{progress}"
    );
    assert!(progress.contains("complete; soaking"), "{progress}");
    assert!(!progress.contains("REGRESSION"), "{progress}");
    assert!(!rig.journal().contains("\"status\":\"fail\""));
    assert!(
        rig.journal()
            .contains("passed its soak with no regression open")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_loop_fails_the_guard_within_30_seconds_naming_the_pod() {
    let rig = rig().await;
    rig.demo.fault("/faults/crash?workload=api");
    let started = Instant::now();
    let (out, _) = rig.guard(&["api"], Duration::from_secs(120)).await;
    let took = started.elapsed();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let verdict = String::from_utf8_lossy(&out.stdout);
    let line = verdict
        .lines()
        .find(|l| l.starts_with("NO-GO"))
        .unwrap_or_else(|| panic!("no verdict: {said}"));
    assert!(
        line.contains("failed: pod api-") && line.contains("CrashLoopBackOff"),
        "{line}"
    );
    // From the fault itself, so within 30 s of the first CrashLoopBackOff.
    assert!(took < Duration::from_secs(30), "took {took:?}: {said}");
    // Not asked to roll back: it did not.
    assert!(rig.image().ends_with("-crash"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_exit_2_and_no_rollout_exits_1() {
    let rig = rig().await;
    for (args, says) in [
        (
            vec!["nope"],
            "deployment/nope does not exist in namespace shop-prod",
        ),
        (
            vec!["job/x"],
            "runs to completion and has no rollout to guard",
        ),
        (vec!["api", "--env", "nowhere"], "nowhere"),
        (
            vec!["api", "--read-only", "--rollback-on-fail"],
            "--rollback-on-fail",
        ),
    ] {
        let (out, _) = rig.guard(&args, Duration::from_secs(60)).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
    let (out, _) = rig
        .guard(
            &["api", "--soak", "5m", "--wait", "banana"],
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // api's rollout completed more than a second ago: nothing to follow
    // with a 1 s soak, and none starts.
    let (out, _) = rig
        .guard(
            &["api", "--soak", "1s", "--wait", "4s", "--format", "json"],
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["result"], "no rollout", "{doc:#}");
    assert_eq!(doc["checks"][0]["status"], "unknown", "{doc:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_revisions_pods_are_compared_with_the_old_ones() {
    // Only the by-pod signal, and a fail threshold no pod reaches: what
    // makes the regression is the split, new pods against old.
    let rig = rig_with(|text| {
        let by_pod = text.find("[[signal]]\nname = \"pod-error-rate\"").unwrap();
        let first = text.find("[[signal]]").unwrap();
        let mut text = format!("{}{}", &text[..first], &text[by_pod..]);
        text = text.replace("fail = \"> 0.05\"", "fail = \"> 0.5\"");
        // No factor over the baseline either (the good pods' 0% makes any
        // error one): the split's own factor, 2.
        text = text.replace(
            "per_revision = \"pod\", worse = 3, ",
            "per_revision = \"pod\", ",
        );
        text.replace("warn = \"> 0.01\"\n", "")
    })
    .await;
    rig.demo.ok(&[
        "set",
        "image",
        "deploy/api",
        "api=registry.example.com/shop/api:1.6.0-bad",
    ]);
    let (out, _) = rig
        .guard(&["api", "--format", "json"], Duration::from_secs(180))
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let signal = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "pod-error-rate")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(signal["status"], "fail", "{doc:#}");
    let detail = signal["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("the new revision's pods are worse: new pods "),
        "{detail}"
    );
    // New pods at about 12%, old ones at about 0.2%.
    let numbers: Vec<f64> = detail
        .split(['%', ' '])
        .filter_map(|w| w.parse::<f64>().ok())
        .collect();
    assert!(
        numbers.len() >= 2 && numbers[0] > 3.0 * numbers[1],
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_the_regression_and_u_rolls_it_back() {
    const WAIT: Duration = Duration::from_secs(30);
    let rig = rig().await;
    let before = rig.image();
    let revision = rig.demo.ok(&[
        "get",
        "deploy/api",
        "-o",
        "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}",
    ]);
    let runbook = rig.runbook.to_str().unwrap().to_string();
    let kubeconfig = rig.demo.kubeconfig.to_str().unwrap().to_string();
    let dir = rig.dir.path().to_path_buf();
    let kubectl_demo = &rig.demo;
    let mut pty = common::Pty::spawn(
        &dir,
        &[
            "--runbook",
            &runbook,
            "--kubeconfig",
            &kubeconfig,
            "--context",
            "demo",
        ],
        &[("USER", "oncall")],
        200,
        50,
    );
    pty.wait_for("✓ complete api", WAIT);
    // The signals answer before the release: its baseline.
    pty.wait_for("pod-error-rate", WAIT);
    std::thread::sleep(Duration::from_secs(8));
    kubectl_demo.ok(&[
        "set",
        "image",
        "deploy/api",
        "api=registry.example.com/shop/api:1.6.0-bad",
    ]);
    pty.wait_for("REGRESSION", Duration::from_secs(150));
    let screen = pty.screen_text();
    let next: i64 = revision.parse::<i64>().unwrap() + 1;
    assert!(
        screen.contains(&format!("deployment/api revision {next}")),
        "{screen}"
    );
    assert!(
        screen.contains("signal error-rate") || screen.contains("signal pod-error-rate"),
        "{screen}"
    );
    assert!(screen.contains("U rolls back"), "{screen}");
    // U: the rollback of api, the revision before the bad one chosen.
    pty.send(b"U");
    pty.wait_for("Roll back deployment/api", WAIT);
    pty.wait_for(&format!("▸ revision {revision}"), WAIT);
    pty.wait_for(
        &format!("regression of deployment/api revision {next}"),
        WAIT,
    );
    pty.send(b"\r");
    pty.wait_for("the server-side dry run passed", WAIT);
    std::thread::sleep(Duration::from_millis(700));
    pty.send(b"\r");
    pty.wait_for(
        &format!("done: roll back deployment/api to revision {revision}"),
        WAIT,
    );
    // The error rate falls: the regression clears, and the banner goes.
    pty.wait_gone("REGRESSION", Duration::from_secs(150));
    // The Timeline, zoomed, says so; the rollback's own rollout is not
    // blamed for the error rate it started with.
    pty.send(b"5");
    pty.send(b"z");
    pty.wait_for(
        &format!("regression of deployment/api revision {next} cleared"),
        WAIT,
    );
    let timeline = pty.screen_text();
    assert!(
        !timeline.contains(&format!(
            "regression of deployment/api revision {}:",
            next + 1
        )),
        "{timeline}"
    );
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
    assert_eq!(rig.image(), before);
    let journal = rig.journal();
    let events: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains("\"event\":\"regression\""))
        .collect();
    assert!(
        events.iter().any(|l| l.contains("\"status\":\"fail\"")),
        "{journal}"
    );
    assert!(
        events
            .iter()
            .any(|l| l.contains("\"status\":\"ok\"")
                && l.contains(&format!("revision {next} cleared"))),
        "{journal}"
    );
    assert!(
        journal.lines().any(|l| l.contains("\"step\":\"outcome\"")
            && l.contains("\"ok\":true")
            && l.contains("roll back deployment/api")),
        "{journal}"
    );
}
