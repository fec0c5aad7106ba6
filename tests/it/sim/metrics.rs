//! The metrics API (`metrics.k8s.io/v1beta1`) with the real kubectl against
//! `ops-tui demo --serve`: `kubectl top pods` (one namespace, a label
//! selector, all namespaces) and `top nodes` print what the API serves,
//! the HPA reads the same figures, a memory leak climbs between scrapes
//! and ends in an OOM kill, and a cluster without the metrics API makes
//! `top` fail as on a real one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;

use common::demo::Demo;

const FAST: &[&str] = &["--speed", "10"];
const LIMIT: Duration = Duration::from_secs(60);
const MI: u64 = 1 << 20;

fn raw(demo: &Demo, path: &str) -> Value {
    serde_json::from_str(&demo.ok(&["get", "--raw", path])).unwrap()
}

/// A quantity's value in its smallest unit: nanocores for `…n`, bytes for
/// `…Ki` (what metrics-server writes).
fn amount(q: &Value) -> u64 {
    let s = q.as_str().unwrap();
    if let Some(n) = s.strip_suffix('n') {
        n.parse().unwrap()
    } else if let Some(k) = s.strip_suffix("Ki") {
        k.parse::<u64>().unwrap() * 1024
    } else {
        s.parse().unwrap()
    }
}

/// What `kubectl top` prints for usage: millicores rounded up
/// (`MilliValue`) and whole MiB rounded down.
fn as_kubectl(cpu_nanos: u64, memory: u64) -> (String, String) {
    (
        format!("{}m", cpu_nanos.div_ceil(1_000_000)),
        format!("{}Mi", memory / MI),
    )
}

/// Pods' usage: (namespace, name) → (cpu nanocores, memory bytes).
type Figures = BTreeMap<(String, String), (u64, u64)>;

/// A PodMetricsList's figures, summed over each pod's containers.
fn pod_metrics(list: &Value) -> Figures {
    let mut out = BTreeMap::new();
    for item in list["items"].as_array().unwrap() {
        let total = item["containers"]
            .as_array()
            .unwrap()
            .iter()
            .fold((0, 0), |(c, m), x| {
                (
                    c + amount(&x["usage"]["cpu"]),
                    m + amount(&x["usage"]["memory"]),
                )
            });
        let key = (
            item["metadata"]["namespace"].as_str().unwrap().to_string(),
            item["metadata"]["name"].as_str().unwrap().to_string(),
        );
        out.insert(key, total);
    }
    out
}

/// Runs `top` between two reads of the API at `path` until what kubectl
/// printed is what one of them serves (it reads a scrape between the
/// two; when they straddle more than one window, again), bounded.
/// Returns that read and what kubectl printed.
fn top_and_api(
    demo: &Demo,
    top: &[&str],
    path: &str,
    namespaced: bool,
    expect: fn(&Value, bool) -> Rows,
) -> (Value, String) {
    let deadline = Instant::now() + LIMIT;
    loop {
        let before = raw(demo, path);
        let printed = demo.ok(top);
        let after = raw(demo, path);
        let got = rows(&printed, namespaced);
        for read in [before, after.clone()] {
            if expect(&read, namespaced) == got {
                return (read, printed);
            }
        }
        assert!(
            Instant::now() < deadline,
            "kubectl printed {got:?}, the API serves {:?}",
            expect(&after, namespaced)
        );
    }
}

/// Rows of a table by name (or namespace/name).
type Rows = BTreeMap<String, Vec<String>>;

/// The rows `kubectl top pods` prints for a PodMetricsList.
fn pod_rows(list: &Value, namespaced: bool) -> Rows {
    pod_metrics(list)
        .into_iter()
        .map(|((ns, name), (cpu, memory))| {
            let (c, m) = as_kubectl(cpu, memory);
            let key = if namespaced {
                format!("{ns}/{name}")
            } else {
                name
            };
            (key, vec![c, m])
        })
        .collect()
}

/// The rows `kubectl top nodes` prints for a NodeMetricsList: usage, and
/// its share of the nodes' allocatable 3920m and 16678916Ki, truncated.
fn node_rows(list: &Value, _: bool) -> Rows {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let name = item["metadata"]["name"].as_str().unwrap().to_string();
            let cpu = amount(&item["usage"]["cpu"]);
            let memory = amount(&item["usage"]["memory"]);
            let (c, m) = as_kubectl(cpu, memory);
            let cpu_pct = (cpu.div_ceil(1_000_000) as f64 / 3920.0 * 100.0) as u64;
            let mem_pct = (memory as f64 / (16_678_916.0 * 1024.0) * 100.0) as u64;
            (
                name,
                vec![c, format!("{cpu_pct}%"), m, format!("{mem_pct}%")],
            )
        })
        .collect()
}

/// kubectl's rows as name (or namespace/name with -A) → columns.
fn rows(printed: &str, namespaced: bool) -> Rows {
    printed
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .map(|w| {
            if namespaced {
                (format!("{}/{}", w[0], w[1]), w[2..].to_vec())
            } else {
                (w[0].clone(), w[1..].to_vec())
            }
        })
        .collect()
}

#[test]
fn top_pods_prints_what_the_metrics_api_serves() {
    let demo = Demo::start(&["--speed", "10", "--namespaces", "2"]);
    let groups = demo.ok(&["get", "--raw", "/apis"]);
    assert!(groups.contains("\"metrics.k8s.io\""), "{groups}");
    let resources = raw(&demo, "/apis/metrics.k8s.io/v1beta1");
    let names: Vec<(&str, &str, bool)> = resources["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["namespaced"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("nodes", "NodeMetrics", false),
            ("pods", "PodMetrics", true)
        ]
    );

    // One namespace.
    let (api, printed) = top_and_api(
        &demo,
        &["top", "pods"],
        "/apis/metrics.k8s.io/v1beta1/namespaces/shop-prod/pods",
        false,
        pod_rows,
    );
    let header: Vec<&str> = printed.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "CPU(cores)", "MEMORY(bytes)"]);
    let figures = pod_metrics(&api);
    let printed = rows(&printed, false);
    assert_eq!(printed.len(), figures.len(), "{printed:?}");
    assert!(figures.len() >= 13, "{figures:?}");
    for ((ns, name), (cpu, memory)) in &figures {
        assert_eq!(ns, "shop-prod");
        let (c, m) = as_kubectl(*cpu, *memory);
        assert_eq!(printed[name], [c, m], "{name}");
        // A baseline of 70% of the 256Mi request, and the CPU of a pod
        // that serves a share of 40 requests a second at most.
        assert!((170 * MI..200 * MI).contains(memory), "{name}: {memory}");
        assert!((5_000_000..100_000_000).contains(cpu), "{name}: {cpu}");
    }
    let item = &api["items"][0];
    assert_eq!(item["kind"], "PodMetrics");
    assert_eq!(item["apiVersion"], "metrics.k8s.io/v1beta1");
    assert_eq!(item["window"], "1.5s");
    assert!(item["metadata"]["labels"]["app"].is_string(), "{item}");

    // A label selector, and one pod.
    let (api, printed) = top_and_api(
        &demo,
        &["top", "pods", "-l", "app=worker"],
        "/apis/metrics.k8s.io/v1beta1/namespaces/shop-prod/pods?labelSelector=app%3Dworker",
        false,
        pod_rows,
    );
    let figures = pod_metrics(&api);
    let printed = rows(&printed, false);
    assert_eq!(figures.len(), 2);
    assert!(
        printed.keys().all(|k| k.starts_with("worker-")),
        "{printed:?}"
    );
    let (key, _) = figures.iter().next().unwrap();
    let one = raw(
        &demo,
        &format!(
            "/apis/metrics.k8s.io/v1beta1/namespaces/shop-prod/pods/{}",
            key.1
        ),
    );
    assert_eq!(one["metadata"]["name"], key.1.as_str());
    let missing = demo.kubectl(&["top", "pod", "nosuch"]);
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("pods.metrics.k8s.io \"nosuch\" not found"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );

    // Every namespace.
    let (api, printed) = top_and_api(
        &demo,
        &["top", "pods", "-A"],
        "/apis/metrics.k8s.io/v1beta1/pods",
        true,
        pod_rows,
    );
    let header: Vec<&str> = printed.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"]);
    let figures = pod_metrics(&api);
    let printed = rows(&printed, true);
    assert_eq!(printed.len(), figures.len());
    assert!(
        figures.keys().any(|(ns, _)| ns == "payments"),
        "{figures:?}"
    );
    for ((ns, name), (cpu, memory)) in &figures {
        let (c, m) = as_kubectl(*cpu, *memory);
        assert_eq!(printed[&format!("{ns}/{name}")], [c, m], "{ns}/{name}");
    }
}

#[test]
fn top_nodes_adds_up_the_pods_and_compares_with_allocatable() {
    let demo = Demo::start(FAST);
    let (api, printed) = top_and_api(
        &demo,
        &["top", "nodes"],
        "/apis/metrics.k8s.io/v1beta1/nodes",
        false,
        node_rows,
    );
    let header: Vec<&str> = printed.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    );
    let printed = rows(&printed, false);
    let items = api["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        assert_eq!(item["kind"], "NodeMetrics");
        let name = item["metadata"]["name"].as_str().unwrap();
        let cpu = amount(&item["usage"]["cpu"]);
        let memory = amount(&item["usage"]["memory"]);
        // Allocatable: 3920m and 16678916Ki.
        assert_eq!(printed[name], node_rows(&api, false)[name], "{name}");
        assert!(printed[name][1].ends_with('%') && printed[name][3].ends_with('%'));
        // The system's own use and at least one pod's.
        assert!(
            cpu > 130_000_000 && memory > 1100 * MI,
            "{name}: {cpu} {memory}"
        );
    }
}

#[test]
fn the_autoscaler_reads_the_figures_the_metrics_api_serves() {
    let demo = Demo::start(FAST);
    let deadline = Instant::now() + LIMIT;
    loop {
        let before = raw(
            &demo,
            "/apis/metrics.k8s.io/v1beta1/namespaces/shop-prod/pods?labelSelector=app%3Dworker",
        );
        let hpa = demo.ok(&[
            "get",
            "hpa",
            "worker",
            "-o",
            "jsonpath={.status.currentMetrics[0].resource.current.averageValue}",
        ]);
        let after = raw(
            &demo,
            "/apis/metrics.k8s.io/v1beta1/namespaces/shop-prod/pods?labelSelector=app%3Dworker",
        );
        let figures = pod_metrics(&after);
        if pod_metrics(&before) == figures && figures.len() == 2 {
            // The HPA's average, rounded up per pod as it reads them.
            let average: u64 = figures
                .values()
                .map(|(c, _)| c.div_ceil(1_000_000))
                .sum::<u64>()
                / 2;
            if hpa == format!("{average}m") {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the HPA never read what the metrics API served (HPA {hpa:?}, API {after})"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The api pods' main container: (name, memory bytes, scrape time).
fn api_memory(demo: &Demo) -> Vec<(String, u64, String)> {
    let list = raw(
        demo,
        "/apis/metrics.k8s.io/v1beta1/namespaces/shop-prod/pods?labelSelector=app%3Dapi",
    );
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| {
            let api = i["containers"]
                .as_array()?
                .iter()
                .find(|c| c["name"] == "api")?;
            Some((
                i["metadata"]["name"].as_str()?.to_string(),
                amount(&api["usage"]["memory"]),
                i["timestamp"].as_str()?.to_string(),
            ))
        })
        .collect()
}

#[test]
fn a_memory_leak_climbs_between_scrapes_and_ends_in_an_oom_kill() {
    let demo = Demo::start(FAST);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    demo.wait_only_current_pods("api", LIMIT);
    // New pods have figures from their first scrape on, as with
    // metrics-server: wait for it (bounded).
    let deadline = Instant::now() + LIMIT;
    let first = loop {
        let first = api_memory(&demo);
        if first.len() == 3 {
            break first;
        }
        assert!(
            Instant::now() < deadline,
            "api's pods never scraped: {first:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // 120 MiB a minute: 30 MiB each 15 s window.
    demo.fault("/faults/memory-leak?workload=api&rate=120");
    let deadline = Instant::now() + LIMIT;
    loop {
        let now = api_memory(&demo);
        let grown = now.iter().all(|(name, memory, stamp)| {
            first
                .iter()
                .any(|(n, m, s)| n == name && s != stamp && *memory >= m + 50 * MI)
        });
        if now.len() == 3 && grown {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "memory did not climb: {first:?} then {now:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    // Fast enough to pass the 512Mi limit in two windows.
    demo.fault("/faults/memory-leak?workload=api&rate=2000");
    let deadline = Instant::now() + LIMIT;
    let (victim, restarts) = loop {
        let out = demo.ok(&[
            "get",
            "pods",
            "-l",
            "app=api",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}{\"\\n\"}{end}",
        ]);
        let killed = out.lines().find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.len() == 4 && w[2] == "OOMKilled" && w[3] == "137")
                .then(|| (w[0].to_string(), w[1].parse::<u32>().unwrap()))
        });
        if let Some(k) = killed {
            break k;
        }
        assert!(Instant::now() < deadline, "no OOM kill:\n{out}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(restarts >= 1);
    let pods = demo.ok(&["get", "pods", "-l", "app=api"]);
    let line = pods.lines().find(|l| l.starts_with(&victim)).unwrap();
    assert!(
        line.split_whitespace()
            .nth(3)
            .unwrap()
            .parse::<u32>()
            .unwrap()
            >= 1,
        "{pods}"
    );
    let events = demo.ok(&[
        "get",
        "events",
        "--field-selector",
        &format!("involvedObject.name={victim},reason=BackOff"),
    ]);
    assert!(
        events.contains("Back-off restarting failed container api"),
        "{events}"
    );
    let kernel = demo.ok(&[
        "get",
        "events",
        "-A",
        "--field-selector",
        "reason=OOMKilling",
    ]);
    assert!(
        kernel.contains("Memory cgroup out of memory: Killed process") && kernel.contains("(api)"),
        "{kernel}"
    );
    // It keeps being killed, and starts again from its baseline each time.
    let deadline = Instant::now() + LIMIT;
    loop {
        let count: u32 = demo
            .ok(&[
                "get",
                "pod",
                &victim,
                "-o",
                "jsonpath={.status.containerStatuses[0].restartCount}",
            ])
            .parse()
            .unwrap();
        if count > restarts {
            break;
        }
        assert!(Instant::now() < deadline, "{victim} was killed once only");
        std::thread::sleep(Duration::from_millis(200));
    }
    demo.fault("/faults/memory-leak?workload=api&off=1");
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    let deadline = Instant::now() + LIMIT;
    loop {
        let now = api_memory(&demo);
        if now.len() == 3 && now.iter().all(|(_, m, _)| *m < 200 * MI) {
            break;
        }
        assert!(Instant::now() < deadline, "memory stayed high: {now:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn without_the_metrics_api_top_fails_as_on_a_cluster_without_metrics_server() {
    let demo = Demo::start(FAST);
    demo.ok(&["top", "pods"]);
    demo.fault("/faults/metrics?off=1");
    for args in [
        &["top", "pods"][..],
        &["top", "nodes"],
        &["top", "pods", "-A"],
    ] {
        let out = demo.kubectl(args);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("error: Metrics API not available"),
            "{args:?}: {stderr}"
        );
    }
    let groups = demo.ok(&["get", "--raw", "/apis"]);
    assert!(
        !groups.contains("metrics.k8s.io") && groups.contains("\"apps\""),
        "{groups}"
    );
    let out = demo.kubectl(&["get", "--raw", "/apis/metrics.k8s.io/v1beta1/pods"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the server could not find the requested resource"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    demo.fault("/faults/metrics");
    let back = demo.ok(&["top", "pods"]);
    assert!(back.contains("CPU(cores)"), "{back}");
    // `clear` serves it again too.
    demo.fault("/faults/metrics?off=1");
    demo.fault("/faults/clear");
    demo.ok(&["top", "nodes"]);

    // A simulator started without it.
    let bare = Demo::start(&["--speed", "10", "--no-metrics"]);
    let out = bare.kubectl(&["top", "nodes"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Metrics API not available"));
    assert!(
        !bare
            .ok(&["get", "--raw", "/apis"])
            .contains("metrics.k8s.io")
    );
    // Clearing the faults does not give it one.
    bare.fault("/faults/clear");
    assert!(
        !bare
            .ok(&["get", "--raw", "/apis"])
            .contains("metrics.k8s.io")
    );
}
