//! The usage model's unit tests.

use super::*;
use serde_json::json;

fn pod(uid: &str, image: &str, started: &str, ready: bool) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": format!("api-{uid}"), "namespace": "shop", "uid": uid, "labels": {"app": "api"}},
        "spec": {"nodeName": "sim-node-1", "containers": [
            {"name": "api", "image": image, "resources": {"requests": {"memory": "256Mi", "cpu": "100m"}, "limits": {"memory": "512Mi", "cpu": "500m"}}},
            {"name": "proxy", "image": "envoy:1.31"}
        ]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
            "containerStatuses": [
                {"name": "api", "image": image, "imageID": "", "ready": ready, "restartCount": 0, "state": {"running": {"startedAt": started}}},
                {"name": "proxy", "image": "envoy:1.31", "imageID": "", "ready": ready, "restartCount": 0, "state": {"running": {"startedAt": started}}}
            ]
        }
    }))
    .unwrap()
}

fn leak(rate: f64, since: i64) -> Leak {
    Leak {
        namespace: "shop".into(),
        workload: "api".into(),
        kind: Kind::Deployment,
        selector: BTreeMap::from([("app".to_string(), "api".to_string())]),
        mib_per_minute: rate,
        since_window: since,
    }
}

const LENGTH: Duration = Duration::from_secs(15);
/// Started in window 0, before every window the tests use.
const LONG_AGO: &str = "1970-01-01T00:00:00Z";

#[test]
fn quantities_read_as_kubernetes_writes_them() {
    for (q, b) in [
        ("256Mi", 256 * MIB),
        ("1Gi", 1024 * MIB),
        ("1.5Gi", 1536 * MIB),
        ("128974848", 128_974_848),
        ("1G", 1_000_000_000),
        ("512k", 512_000),
        ("123456Ki", 123_456 * 1024),
    ] {
        assert_eq!(bytes(&Quantity(q.into())), Some(b), "{q}");
    }
    assert_eq!(bytes(&Quantity("lots".into())), None);
    assert_eq!(bytes(&Quantity("-1Mi".into())), None);
}

#[test]
fn figures_hold_within_a_window_and_change_between_windows() {
    let p = pod("u1", "api:1.0", LONG_AGO, true);
    let a = memory(&p, 0, &[], 100, LENGTH);
    assert_eq!(a, memory(&p, 0, &[], 100, LENGTH));
    let changed = (101..110).any(|w| memory(&p, 0, &[], w, LENGTH) != a);
    assert!(changed, "memory never changed between windows");
    assert_eq!(cpu(&p, 0, 20.0, 7), cpu(&p, 0, 20.0, 7));
    assert!(noise("x", "y", 1) >= 0.0 && noise("x", "y", 1) < 1.0);
}

#[test]
fn memory_is_a_baseline_of_the_request_and_more_for_a_bad_release() {
    let good = pod("u1", "api:1.0", LONG_AGO, true);
    let m = memory(&good, 0, &[], 5, LENGTH);
    // 70% of 256 MiB, and at most 8 MiB of noise.
    assert!((179 * MIB..188 * MIB).contains(&m), "{m}");
    // The sidecar has no request: 70% of the default.
    let side = memory(&good, 1, &[], 5, LENGTH);
    assert!((89 * MIB..98 * MIB).contains(&side), "{side}");
    let bad = pod("u1", "api:1.0-bad", LONG_AGO, true);
    assert_eq!(memory(&bad, 0, &[], 5, LENGTH), m + BAD_EXTRA);
}

#[test]
fn cpu_follows_the_requests_and_idles_without_them() {
    let p = pod("u1", "api:1.0", LONG_AGO, true);
    let idle = cpu(&p, 0, 0.0, 3);
    let busy = cpu(&p, 0, 20.0, 3);
    assert!((7.5..8.5).contains(&idle), "{idle}");
    // 8m idle and 2.2m a request, within 3%.
    assert!((50.0 * 0.97..=52.0 * 1.03).contains(&busy), "{busy}");
    let bad = cpu(&pod("u1", "api:1.0-bad", LONG_AGO, true), 0, 20.0, 3);
    assert!(bad > busy * 1.3, "{bad} vs {busy}");
    assert!(cpu(&p, 1, 20.0, 3) < 4.0);
}

#[test]
fn a_leak_grows_from_its_start_or_the_containers_last_start() {
    let p = pod("u1", "api:1.0", LONG_AGO, true);
    let leaks = [leak(60.0, 100)];
    let before = memory(&p, 0, &leaks, 100, LENGTH);
    assert_eq!(before, memory(&p, 0, &[], 100, LENGTH));
    // 60 MiB a minute: 15 MiB a window.
    let later = memory(&p, 0, &leaks, 104, LENGTH);
    let base = memory(&p, 0, &[], 104, LENGTH);
    assert_eq!(later - base, 60 * MIB);
    // A container that started after the leak began starts from its
    // baseline.
    let restarted_at = window_start(103, LENGTH).to_string();
    let r = pod("u1", "api:1.0", &restarted_at, true);
    assert_eq!(
        memory(&r, 0, &leaks, 104, LENGTH) - memory(&r, 0, &[], 104, LENGTH),
        15 * MIB
    );
    // Only the workload's pods leak.
    let mut other = p.clone();
    other.metadata.labels = Some(BTreeMap::from([("app".into(), "web".into())]));
    assert_eq!(
        memory(&other, 0, &leaks, 104, LENGTH),
        memory(&other, 0, &[], 104, LENGTH)
    );
}

#[test]
fn the_limit_caps_what_is_shown_and_marks_the_oom_kill() {
    let p = pod("u1", "api:1.0", LONG_AGO, true);
    let leaks = [leak(240.0, 0)];
    // 60 MiB a window: 512 MiB is passed by the sixth window.
    assert!(over_limit(&p, &leaks, 4, LENGTH).is_empty());
    assert_eq!(over_limit(&p, &leaks, 6, LENGTH), ["api"]);
    let load = Load { services: vec![] };
    let shown = pod_usage(&p, &load, &leaks, 6, LENGTH).unwrap();
    assert_eq!(shown[0].1.memory, 512 * MIB);
    assert_eq!(shown[0].1.memory % 1024, 0);
    // No leak, no kill; a container without a limit is never killed.
    assert!(over_limit(&p, &[], 6, LENGTH).is_empty());
    assert!(!over_limit(&p, &leaks, 60, LENGTH).contains(&"proxy".to_string()));
}

#[test]
fn only_running_containers_are_reported() {
    let mut p = pod("u1", "api:1.0", LONG_AGO, true);
    let load = Load { services: vec![] };
    assert_eq!(pod_usage(&p, &load, &[], 1, LENGTH).unwrap().len(), 2);
    if let Some(cs) = p
        .status
        .as_mut()
        .and_then(|s| s.container_statuses.as_mut())
    {
        cs[0].state = Some(Default::default());
    }
    let only = pod_usage(&p, &load, &[], 1, LENGTH).unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].0, "proxy");
    p.status.as_mut().unwrap().phase = Some("Pending".into());
    assert!(pod_usage(&p, &load, &[], 1, LENGTH).is_none());
}

#[test]
fn requests_are_shared_by_the_ready_pods_of_a_service() {
    let load = Load {
        services: vec![(LabelSelector::parse("app=api").unwrap(), 3)],
    };
    let ready = pod("u1", "api:1.0", LONG_AGO, true);
    let rps = load.rps(&ready, 9);
    // 40 / 3 + 1 = 14, and 1 to 3 more.
    assert!((15.0..=17.0).contains(&rps), "{rps}");
    assert_eq!(load.rps(&pod("u2", "api:1.0", LONG_AGO, false), 9), 0.0);
}

#[test]
fn a_scrape_has_every_running_pod_and_each_node_adds_up_its_pods() {
    let mut c = Cluster::new(crate::cluster::Timing::fast(), 1000);
    super::super::node::register(&mut c, super::super::node::NodeSize::default());
    let ns: k8s_openapi::api::core::v1::Namespace =
        serde_json::from_value(json!({"metadata": {"name": "shop"}})).unwrap();
    c.store.put_typed(ns);
    c.store.put_typed(pod("u1", "api:1.0", LONG_AGO, true));
    let mut pending = pod("u2", "api:1.0", LONG_AGO, false);
    pending.status.as_mut().unwrap().phase = Some("Pending".into());
    c.store.put_typed(pending);
    let s = compute(&c, 42);
    assert_eq!(s.pods.len(), 1);
    let scraped = &s.pods[&("shop".to_string(), "api-u1".to_string())];
    assert_eq!(scraped.node, "sim-node-1");
    assert_eq!(scraped.containers.len(), 2);
    let pod_total = scraped.total();
    let one = s.nodes["sim-node-1"];
    let two = s.nodes["sim-node-2"];
    assert_eq!(
        one.cpu_nanos - pod_total.cpu_nanos,
        node_overhead("sim-node-1", 42).cpu_nanos
    );
    assert_eq!(
        one.memory - pod_total.memory,
        node_overhead("sim-node-1", 42).memory
    );
    assert_eq!(two, node_overhead("sim-node-2", 42));
    assert_eq!(s.nodes.len(), 3);
    // The scrape of this window is kept; the HPA reads its CPU.
    let kept = scrape(&mut c);
    assert!(Arc::ptr_eq(&kept, &scrape(&mut c)));
    let p = c.store.get_typed::<Pod>("shop", "api-u1").unwrap();
    let millis = cpu_millis_of(&kept, &p).unwrap();
    assert_eq!(
        millis as u64,
        kept.pods[&("shop".into(), "api-u1".into())]
            .total()
            .cpu_nanos
            .div_ceil(1_000_000)
    );
}

#[test]
fn windows_count_from_the_epoch() {
    let t: Timestamp = "2026-01-01T00:00:07Z".parse().unwrap();
    let w = window_at(t, LENGTH);
    assert_eq!(window_start(w, LENGTH).to_string(), "2026-01-01T00:00:00Z");
    assert_eq!(window_at(window_start(w + 1, LENGTH), LENGTH), w + 1);
}
