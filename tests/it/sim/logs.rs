//! Pod logs from the simulated API server over HTTPS: kube-rs (`logs`,
//! `log_stream` with follow) and the real `kubectl logs`, with the query
//! parameters, the error messages of a real cluster, and a crash loop's
//! previous logs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::sim::{NS, client, complete, create, deployment, start, start_with, wait_deployment};
use futures::{AsyncBufReadExt, TryStreamExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{DeleteParams, ListParams, LogParams};
use kube::{Api, Client};
use ops_sim::SimOptions;
use ops_sim::cluster::Timing;
use serde_json::json;

const LIMIT: Duration = Duration::from_secs(30);
const GOOD: &str = "registry.example.com/shop/api:1.4.2";
const CRASH: &str = "registry.example.com/shop/worker:1.5.0-crash";

fn pods(c: &Client) -> Api<Pod> {
    Api::namespaced(c.clone(), NS)
}

/// Polls the pods labelled `app=<app>` until one satisfies `cond`.
async fn wait_pod(c: &Client, app: &str, what: &str, cond: impl Fn(&Pod) -> bool) -> Pod {
    let deadline = Instant::now() + LIMIT;
    loop {
        let list = pods(c)
            .list(&ListParams::default().labels(&format!("app={app}")))
            .await
            .unwrap();
        if let Some(p) = list.items.into_iter().find(|p| cond(p)) {
            return p;
        }
        assert!(Instant::now() < deadline, "{what}: no such pod of {app}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn running(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .is_some_and(|cs| {
                !cs.is_empty()
                    && cs
                        .iter()
                        .all(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()))
            })
}

fn restarts(p: &Pod) -> i32 {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.first())
        .map_or(0, |c| c.restart_count)
}

/// A Deployment `app` of one pod, rolled out; the name of its pod.
async fn running_pod(c: &Client, app: &str, image: &str) -> String {
    create(c, &deployment(app, 1, image)).await;
    wait_deployment(c, app, LIMIT, "rolled out", complete).await;
    let pod = wait_pod(c, app, "running", running).await;
    pod.metadata.name.unwrap()
}

/// The pod's log once it has at least `n` lines.
async fn wait_lines(api: &Api<Pod>, pod: &str, n: usize) -> String {
    let deadline = Instant::now() + LIMIT;
    loop {
        let text = api.logs(pod, &LogParams::default()).await.unwrap();
        if text.lines().count() >= n {
            return text;
        }
        assert!(Instant::now() < deadline, "fewer than {n} lines:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The API error of a failed call: (code, reason, message).
fn api_error<T: std::fmt::Debug>(result: kube::Result<T>) -> (u16, String, String) {
    match result {
        Err(kube::Error::Api(s)) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// `2026-11-23T10:00:00.123Z LEVEL message`: the line's time and level.
fn parse_line(line: &str) -> (Timestamp, &str) {
    let mut words = line.splitn(3, ' ');
    let stamp: Timestamp = words
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("no timestamp in {line:?}: {e}"));
    let level = words.next().unwrap_or("");
    assert!(
        ["INFO", "WARN", "ERROR", "FATAL"].contains(&level),
        "no level in {line:?}"
    );
    (stamp, level)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_with_tail_timestamps_limits_and_since() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    let pod = running_pod(&c, "api", GOOD).await;
    let api = pods(&c);

    let all = wait_lines(&api, &pod, 10).await;
    let lines: Vec<&str> = all.lines().collect();
    assert!(
        lines[0].contains(" INFO starting shop-api version=v1.4.2 "),
        "{all}"
    );
    assert!(all.contains(" INFO listening on :8080"), "{all}");
    assert!(all.contains(" request method="), "{all}");
    assert!(
        !all.contains(" ERROR "),
        "a good image logged errors:\n{all}"
    );
    let mut previous = None;
    for line in &lines {
        let (t, _) = parse_line(line);
        assert!(previous.is_none_or(|p| p <= t), "out of order: {line}");
        previous = Some(t);
    }

    // tailLines: the last lines, which the log keeps as they are.
    let tail = api
        .logs(
            &pod,
            &LogParams {
                tail_lines: Some(3),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let tail: Vec<&str> = tail.lines().collect();
    assert_eq!(tail.len(), 3, "{tail:?}");
    let later = api.logs(&pod, &LogParams::default()).await.unwrap();
    assert!(later.starts_with(&all), "the log was rewritten");
    let later: Vec<&str> = later.lines().collect();
    let at = later.iter().position(|l| *l == tail[0]).unwrap();
    assert_eq!(&later[at..at + 3], tail.as_slice());

    // timestamps: each line prefixed with its RFC 3339 time, which the
    // application's own (millisecond) timestamp agrees with.
    let stamped = api
        .logs(
            &pod,
            &LogParams {
                timestamps: true,
                tail_lines: Some(5),
                container: Some("api".into()),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(stamped.lines().count(), 5);
    for line in stamped.lines() {
        let (stamp, rest) = line.split_once(' ').unwrap();
        let t: Timestamp = stamp.parse().unwrap();
        assert!(
            rest.starts_with(&format!("{t:.3} ")),
            "{stamp} against {rest}"
        );
        parse_line(rest);
    }

    // limitBytes: exactly that many bytes from the start.
    let limited = api
        .logs(
            &pod,
            &LogParams {
                limit_bytes: Some(100),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(limited.len(), 100);
    assert!(all.starts_with(&limited));

    // sinceSeconds: only lines of the last second; the startup is older.
    let before = Timestamp::now();
    let recent = api
        .logs(
            &pod,
            &LogParams {
                since_seconds: Some(1),
                timestamps: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert!(!recent.contains("starting shop-api"), "{recent}");
    for line in recent.lines() {
        let t: Timestamp = line.split_once(' ').unwrap().0.parse().unwrap();
        assert!(t >= before - jiff::SignedDuration::from_secs(1), "{line}");
    }

    // The viewer may read logs.
    let viewer = client(&sim, "demo-viewer").await;
    let one = pods(&viewer)
        .logs(
            &pod,
            &LogParams {
                tail_lines: Some(1),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(one.lines().count(), 1);

    // The API server validates the options.
    let (code, reason, message) = api_error(
        api.logs(
            &pod,
            &LogParams {
                tail_lines: Some(-1),
                ..LogParams::default()
            },
        )
        .await,
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert_eq!(
        message,
        format!(
            "PodLogOptions \"{pod}\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_streams_new_lines_until_the_pod_is_deleted() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    let pod = running_pod(&c, "api", GOOD).await;
    let api = pods(&c);

    let before = Timestamp::now();
    let stream = api
        .log_stream(
            &pod,
            &LogParams {
                follow: true,
                tail_lines: Some(0),
                timestamps: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let mut lines = stream.lines();
    for _ in 0..3 {
        let line = tokio::time::timeout(LIMIT, lines.try_next())
            .await
            .expect("a new line within the limit")
            .unwrap()
            .expect("the stream goes on");
        let t: Timestamp = line.split_once(' ').unwrap().0.parse().unwrap();
        assert!(t > before, "{line} was written before the call");
    }

    // Deleting the pod ends the stream, after its shutdown lines.
    api.delete(&pod, &DeleteParams::default()).await.unwrap();
    let rest: Vec<String> = tokio::time::timeout(LIMIT, lines.try_collect())
        .await
        .expect("the stream ends when the pod is gone")
        .unwrap();
    assert!(
        rest.iter().any(|l| l.contains(" INFO received SIGTERM")),
        "{rest:#?}"
    );
    assert!(
        rest.last().unwrap().ends_with("shop-api shutdown complete"),
        "{rest:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_log_ends_when_the_simulator_stops() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    let pod = running_pod(&c, "api", GOOD).await;
    let stream = pods(&c)
        .log_stream(
            &pod,
            &LogParams {
                follow: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let mut lines = stream.lines();
    let first = tokio::time::timeout(LIMIT, lines.try_next())
        .await
        .expect("a line within the limit")
        .unwrap()
        .unwrap();
    assert!(first.contains(" INFO starting shop-api "), "{first}");
    drop(sim);
    // The connection is closed: the stream ends (cleanly or with an error).
    let end = tokio::time::timeout(LIMIT, async {
        while let Ok(Some(_)) = lines.try_next().await {}
    })
    .await;
    assert!(end.is_ok(), "the stream outlived the simulator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_loop_keeps_its_previous_logs() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("worker", 1, CRASH)).await;
    let pod = wait_pod(&c, "worker", "restarted", |p| restarts(p) >= 1).await;
    let pod = pod.metadata.name.unwrap();
    let api = pods(&c);

    let previous = api
        .logs(
            &pod,
            &LogParams {
                previous: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let lines: Vec<&str> = previous.lines().collect();
    assert!(
        lines[0].contains(" INFO starting shop-worker version=v1.5.0-crash "),
        "{previous}"
    );
    let last = lines.last().unwrap();
    assert_eq!(parse_line(last).1, "FATAL", "{previous}");
    assert!(last.contains("exiting with status 1"), "{previous}");
    assert!(!previous.contains("job done"), "{previous}");

    // Following the current run ends when it dies (or at once, while the
    // container waits to restart), with its fatal line.
    let stream = api
        .log_stream(
            &pod,
            &LogParams {
                follow: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let followed: Vec<String> = tokio::time::timeout(LIMIT, stream.lines().try_collect())
        .await
        .expect("the stream ends when the container dies")
        .unwrap();
    assert_eq!(
        parse_line(followed.last().unwrap()).1,
        "FATAL",
        "{followed:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_the_api_servers() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 1, GOOD)).await;
    let api = pods(&c);

    let (code, reason, message) = api_error(api.logs("nosuch", &LogParams::default()).await);
    assert_eq!((code, reason.as_str()), (404, "NotFound"));
    assert_eq!(message, "pods \"nosuch\" not found");

    // A pod of two containers.
    let mut two = deployment("two", 1, GOOD);
    let spec = two.spec.template.spec.as_mut().unwrap();
    spec.containers[0].name = "app".into();
    spec.containers.push(
        serde_json::from_value(json!({"name": "proxy", "image": "envoyproxy/envoy:v1.31.0"}))
            .unwrap(),
    );
    create(&c, &two).await;
    let pod = wait_pod(&c, "two", "running", running).await;
    let two = pod.metadata.name.unwrap();
    let two = two.as_str();
    let bad_request = |r: kube::Result<String>| {
        let (code, reason, message) = api_error(r);
        assert_eq!((code, reason.as_str()), (400, "BadRequest"), "{message}");
        message
    };
    assert_eq!(
        bad_request(api.logs(two, &LogParams::default()).await),
        format!("a container name must be specified for pod {two}, choose one of: [app proxy]")
    );
    let container = |name: &str| LogParams {
        container: Some(name.into()),
        ..LogParams::default()
    };
    assert_eq!(
        bad_request(api.logs(two, &container("XYZ")).await),
        format!("container XYZ is not valid for pod {two}")
    );
    assert_eq!(
        bad_request(
            api.logs(
                two,
                &LogParams {
                    previous: true,
                    ..container("app")
                }
            )
            .await
        ),
        format!("previous terminated container \"app\" in pod \"{two}\" not found")
    );
    let proxy = wait_lines_of(&api, two, "proxy").await;
    assert!(
        proxy.contains(" INFO starting envoyproxy-envoy version=v1.31.0 "),
        "{proxy}"
    );

    // A pod whose containers have not started yet.
    let slow = start_with(SimOptions {
        timing: Timing {
            start: Duration::from_secs(3600),
            ..Timing::fast()
        },
        ..SimOptions::default()
    })
    .await;
    let sc = client(&slow, "demo").await;
    create(&sc, &deployment("api", 1, GOOD)).await;
    let pending = wait_pod(&sc, "api", "created", |_| true).await;
    let name = pending.metadata.name.unwrap();
    let (code, reason, message) = api_error(pods(&sc).logs(&name, &LogParams::default()).await);
    assert_eq!((code, reason.as_str()), (400, "BadRequest"));
    assert_eq!(
        message,
        format!("container \"api\" in pod \"{name}\" is waiting to start: ContainerCreating")
    );
}

async fn wait_lines_of(api: &Api<Pod>, pod: &str, container: &str) -> String {
    let deadline = Instant::now() + LIMIT;
    let params = LogParams {
        container: Some(container.into()),
        ..LogParams::default()
    };
    loop {
        let text = api.logs(pod, &params).await.unwrap();
        if !text.is_empty() {
            return text;
        }
        assert!(Instant::now() < deadline, "no lines from {container}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs kubectl against the kubeconfig, bounded by its request timeout.
async fn kubectl(kubeconfig: &Path, args: &[&str]) -> Output {
    let kubeconfig = kubeconfig.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(common::demo::kubectl())
            .env("KUBECONFIG", &kubeconfig)
            .arg("--request-timeout=20s")
            .args(&args)
            .output()
            .expect("run kubectl")
    })
    .await
    .unwrap()
}

fn stdout_ok(args: &[&str], out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kubectl {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn stderr_failed(args: &[&str], out: &Output) -> String {
    assert!(!out.status.success(), "kubectl {args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `kubectl logs -f` as a child process whose lines arrive on a channel.
struct Follow {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Follow {
    fn start(kubeconfig: &Path, args: &[&str]) -> Follow {
        let mut child = Command::new(common::demo::kubectl())
            .env("KUBECONFIG", kubeconfig)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kubectl");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Follow { child, lines }
    }

    /// The next line, or None when kubectl has closed its output.
    async fn next(&self) -> Option<String> {
        let deadline = Instant::now() + LIMIT;
        loop {
            match self.lines.try_recv() {
                Ok(line) => return Some(line),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
            }
            assert!(Instant::now() < deadline, "kubectl logs -f printed nothing");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (bounded) for kubectl to exit by itself.
    async fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "kubectl logs -f did not end");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_logs_tail_previous_and_follow() {
    let sim = start().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig: PathBuf = common::sim::write_kubeconfig(&sim, dir.path());
    let c = client(&sim, "demo").await;
    let pod = running_pod(&c, "api", GOOD).await;
    create(&c, &deployment("worker", 1, CRASH)).await;
    let api = pods(&c);
    wait_lines(&api, &pod, 8).await;

    let args = ["logs", &pod, "--tail=5"];
    let out = stdout_ok(&args, &kubectl(&kubeconfig, &args).await);
    assert_eq!(out.lines().count(), 5, "{out}");
    out.lines().for_each(|l| {
        parse_line(l);
    });
    let args = ["--context", "demo-viewer", "logs", &pod, "--tail=1"];
    let out = stdout_ok(&args, &kubectl(&kubeconfig, &args).await);
    assert_eq!(out.lines().count(), 1, "{out}");

    // Errors as kubectl prints them (it gets the pod first, and checks the
    // container name itself).
    let args = ["logs", "nosuch"];
    let err = stderr_failed(&args, &kubectl(&kubeconfig, &args).await);
    assert!(
        err.contains(
            "error from server (NotFound): pods \"nosuch\" not found in namespace \"shop\""
        ),
        "{err}"
    );
    let args = ["logs", &pod, "-c", "XYZ"];
    let err = stderr_failed(&args, &kubectl(&kubeconfig, &args).await);
    assert!(
        err.contains(&format!("container XYZ is not valid for pod {pod}")),
        "{err}"
    );
    let args = ["logs", &pod, "--previous"];
    let err = stderr_failed(&args, &kubectl(&kubeconfig, &args).await);
    assert!(
        err.contains(&format!(
            "Error from server (BadRequest): previous terminated container \"api\" in pod \"{pod}\" not found"
        )),
        "{err}"
    );

    // --previous of a crash loop ends with its fatal line.
    let crashed = wait_pod(&c, "worker", "restarted", |p| restarts(p) >= 1).await;
    let crashed = crashed.metadata.name.unwrap();
    let args = ["logs", &crashed, "--previous"];
    let out = stdout_ok(&args, &kubectl(&kubeconfig, &args).await);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .contains(" INFO starting shop-worker "),
        "{out}"
    );
    assert_eq!(parse_line(out.lines().last().unwrap()).1, "FATAL", "{out}");

    // -f prints lines as they are written; killed after a few.
    let follow = Follow::start(&kubeconfig, &["logs", "-f", &pod, "--tail=0"]);
    for _ in 0..3 {
        let line = follow.next().await.expect("kubectl logs -f went on");
        parse_line(&line);
    }
    drop(follow);

    // -f ends by itself when the pod is deleted, after the shutdown lines.
    let mut follow = Follow::start(&kubeconfig, &["logs", "-f", &pod, "--tail=1"]);
    follow.next().await.expect("the last line");
    api.delete(&pod, &DeleteParams::default()).await.unwrap();
    let status = follow.wait_exit().await;
    assert!(status.success(), "{status:?}");
    let mut rest = Vec::new();
    while let Some(line) = follow.next().await {
        rest.push(line);
    }
    assert!(
        rest.iter().any(|l| l.contains("received SIGTERM")),
        "{rest:#?}"
    );
}

/// Messages of one log stream of the console, until it reports the end.
async fn console_stream(
    c: &Client,
    request: ops_tui::state::logs::LogRequest,
    stop_after: usize,
) -> (Vec<String>, Option<ops_tui::state::logs::LogEvent>) {
    use ops_tui::state::Msg;
    use ops_tui::state::logs::LogEvent;
    let shared = ops_tui::kube::watch::Shared::default();
    *shared.lock().unwrap() = Some((c.clone(), "admin".into(), NS.into()));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let stream = request.stream;
    let task =
        ops_tui::kube::logs::spawn(request, shared, ops_tui::sink::Sink { tx, wrap: Msg::Log });
    let mut lines = Vec::new();
    let deadline = tokio::time::Instant::now() + LIMIT;
    let end = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(Msg::Log(s, LogEvent::Lines(batch)))) => {
                assert_eq!(s, stream, "every message carries its stream's number");
                lines.extend(batch);
                if lines.len() >= stop_after {
                    break None;
                }
            }
            Ok(Some(Msg::Log(_, end))) => break Some(end),
            Ok(Some(_)) => {}
            Ok(None) => break None,
            Err(_) => panic!("the log stream said nothing within {LIMIT:?}"),
        }
    };
    drop(task);
    (lines, end)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_log_stream_follows_and_reports_the_apis_refusals() {
    use ops_tui::state::logs::{LogEvent, LogRequest};
    let sim = start().await;
    let c = client(&sim, "demo").await;
    let pod = running_pod(&c, "api", GOOD).await;
    let request = |previous: bool, tail: i64| LogRequest {
        stream: 7,
        pod: pod.clone(),
        container: "api".into(),
        previous,
        follow: !previous,
        tail,
    };
    // Following: the tail, then lines written after the call.
    let started = Timestamp::now();
    let (lines, end) = console_stream(&c, request(false, 2), 5).await;
    assert_eq!(end, None, "a followed stream of a running pod goes on");
    assert!(lines.len() >= 5);
    assert!(lines.iter().any(|l| parse_line(l).0 > started), "{lines:?}");
    // No previous container: the API's message, as the view shows it.
    let (lines, end) = console_stream(&c, request(true, 10), 1).await;
    assert!(lines.is_empty());
    assert_eq!(
        end,
        Some(LogEvent::Failed(format!(
            "previous terminated container \"api\" in pod \"{pod}\" not found"
        )))
    );
}
