//! A kubelet for every node at once: pods go Pending → scheduled → Running
//! → Ready on the cluster's timing; an image whose tag contains `crash`
//! crash-loops with growing back-off; deleted pods disappear after their
//! grace period (and once no finalizer holds them). A Job's pod runs to
//! completion: its container exits after `timing.job_run`, with status 0,
//! or 1 when its image's tag contains `fail` (or `crash`); with
//! `restartPolicy: OnFailure` a failing one is restarted in place, with
//! back-off, like a crash loop. What the containers print is in
//! [`crate::logs`], computed from the statuses kept here.

use std::time::Duration;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Node, Pod, PodCondition, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::cluster::Cluster;
use crate::store::{Kind, Typed, now};

/// Whether an image crash-loops (its tag contains `crash`).
pub fn crashes(image: &str) -> bool {
    tag(image).contains("crash")
}

/// Whether a Job's container exits with an error (its image's tag
/// contains `fail`, or `crash`).
pub fn fails(image: &str) -> bool {
    let tag = tag(image);
    tag.contains("fail") || tag.contains("crash")
}

/// Whether an image serves errors (its tag contains `bad`).
pub fn serves_errors(image: &str) -> bool {
    tag(image).contains("bad")
}

fn tag(image: &str) -> &str {
    image.rsplit_once(':').map_or("", |(_, t)| t)
}

fn since(t: Option<&Time>) -> Duration {
    let Some(t) = t else { return Duration::ZERO };
    let ms = jiff::Timestamp::now().as_millisecond() - t.0.as_millisecond();
    Duration::from_millis(ms.max(0) as u64)
}

fn condition<'a>(status: &'a PodStatus, type_: &str) -> Option<&'a PodCondition> {
    status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == type_)
}

fn set_condition(status: &mut PodStatus, type_: &str, value: bool) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let value = if value { "True" } else { "False" };
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) if c.status == value => {}
        Some(c) => {
            c.status = value.to_string();
            c.last_transition_time = Some(now());
        }
        None => conditions.push(PodCondition {
            type_: type_.to_string(),
            status: value.to_string(),
            last_transition_time: Some(now()),
            ..PodCondition::default()
        }),
    }
}

/// A started container's status.
fn container_status(name: &str, image: &str, ready: bool, started: Time) -> ContainerStatus {
    ContainerStatus {
        name: name.to_string(),
        image: image.to_string(),
        image_id: format!("docker-pullable://{image}"),
        ready,
        started: Some(true),
        restart_count: 0,
        container_id: Some(format!("containerd://{:016x}", fastrand::u64(..))),
        state: Some(running(started)),
        ..ContainerStatus::default()
    }
}

fn running(started: Time) -> ContainerState {
    ContainerState {
        running: Some(ContainerStateRunning {
            started_at: Some(started),
        }),
        ..ContainerState::default()
    }
}

/// Advances every pod that is not yet steady. Returns whether some pod is
/// still on its way (so the controller must keep ticking).
pub fn sync(cluster: &mut Cluster) -> bool {
    let timing = cluster.timing;
    // A leak needs the clock: memory grows each metrics window.
    let leaks = cluster.faults.leaks.clone();
    let window = super::usage::current_window(&timing);
    let mut busy = !leaks.is_empty();
    for obj in cluster.store.list(Kind::Pod, None) {
        let Some(pod) = Pod::peek(&obj) else { continue };
        if !leaks.is_empty() && pod.metadata.deletion_timestamp.is_none() {
            let killed = super::usage::over_limit(pod, &leaks, window, timing.metrics_window);
            if !killed.is_empty() {
                let mut pod = pod.clone();
                oom_kill(cluster, &mut pod, &killed);
                cluster.store.put_typed(pod);
                continue;
            }
        }
        let image = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.as_deref())
            .unwrap_or("");
        let job = super::job::owned_by_job(&pod.metadata);
        if pod.metadata.deletion_timestamp.is_none()
            && ((is_ready(pod) && !crashes(image) && !job) || finished(pod))
        {
            continue; // steady state: nothing to do
        }
        busy = true;
        if let Some(deleted) = &pod.metadata.deletion_timestamp {
            let held = pod
                .metadata
                .finalizers
                .as_ref()
                .is_some_and(|f| !f.is_empty());
            if jiff::Timestamp::now() >= deleted.0 && !held {
                cluster.store.delete(Kind::Pod, obj.namespace(), obj.name());
            }
            continue;
        }
        let image = image.to_string();
        let status = pod.status.clone().unwrap_or_default();
        let scheduled = condition(&status, "PodScheduled").is_some_and(|c| c.status == "True");
        let mut pod = pod.clone();
        if !scheduled {
            if since(pod.metadata.creation_timestamp.as_ref()) >= timing.schedule
                && schedule(cluster, &mut pod)
            {
                cluster.store.put_typed(pod);
            }
            continue;
        }
        let scheduled_at =
            condition(&status, "PodScheduled").and_then(|c| c.last_transition_time.clone());
        let container = status
            .container_statuses
            .as_ref()
            .and_then(|c| c.first())
            .cloned();
        match container {
            None => {
                if since(scheduled_at.as_ref()) >= timing.start {
                    start(cluster, &mut pod);
                    cluster.store.put_typed(pod);
                }
            }
            Some(cs) => {
                if step_container(cluster, &mut pod, &cs, &image) {
                    cluster.store.put_typed(pod);
                }
            }
        }
    }
    busy
}

/// Places a pod on a node the scheduler may use, or reports why there is
/// none. Returns whether the pod changed.
fn schedule(cluster: &mut Cluster, pod: &mut Pod) -> bool {
    // A pod bound or pinned to a node (a DaemonSet's) goes there.
    let node = match super::pod_node(pod) {
        Some(node) => node,
        None => match super::taints::feasible(cluster, pod) {
            Ok(nodes) if !nodes.is_empty() => nodes[fastrand::usize(..nodes.len())].clone(),
            Ok(_) => return false,
            Err(why) => return unschedulable(cluster, pod, why),
        },
    };
    if let Some(spec) = pod.spec.as_mut() {
        spec.node_name = Some(node.clone());
    }
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase = Some("Pending".into());
    set_condition(status, "PodScheduled", true);
    if let Some(c) = status
        .conditions
        .iter_mut()
        .flatten()
        .find(|c| c.type_ == "PodScheduled")
    {
        c.reason = None;
        c.message = None;
    }
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    cluster.event(
        Kind::Pod,
        &pod.metadata,
        "Normal",
        "Scheduled",
        format!("Successfully assigned {ns}/{name} to {node}"),
        "default-scheduler",
    );
    true
}

/// No node will take the pod: it stays Pending, `PodScheduled` False with
/// the scheduler's reason, and a `FailedScheduling` event each time the
/// reason changes. Returns whether the pod changed.
fn unschedulable(cluster: &mut Cluster, pod: &mut Pod, why: String) -> bool {
    let status = pod.status.get_or_insert_with(PodStatus::default);
    let same = condition(status, "PodScheduled")
        .is_some_and(|c| c.status == "False" && c.message.as_deref() == Some(why.as_str()));
    if same {
        return false;
    }
    status.phase = Some("Pending".into());
    set_condition(status, "PodScheduled", false);
    if let Some(c) = status
        .conditions
        .iter_mut()
        .flatten()
        .find(|c| c.type_ == "PodScheduled")
    {
        c.reason = Some("Unschedulable".into());
        c.message = Some(why.clone());
    }
    cluster.event(
        Kind::Pod,
        &pod.metadata,
        "Warning",
        "FailedScheduling",
        why,
        "default-scheduler",
    );
    true
}

/// The kernel kills containers that reached their memory limit: each is
/// terminated `OOMKilled` with exit code 137 and, as any container that
/// dies, restarted after the kubelet's back-off (the crash loop's
/// `CrashLoopBackOff`). The node's kernel monitor reports the kill.
fn oom_kill(cluster: &mut Cluster, pod: &mut Pod, names: &[String]) {
    let timing = cluster.timing;
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let status = pod.status.get_or_insert_with(PodStatus::default);
    for c in status.container_statuses.iter_mut().flatten() {
        if !names.contains(&c.name) {
            continue;
        }
        let started = c
            .state
            .as_ref()
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.clone());
        c.restart_count += 1;
        c.ready = false;
        c.started = Some(false);
        c.last_state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 137,
                reason: Some("OOMKilled".into()),
                started_at: started,
                finished_at: Some(now()),
                container_id: c.container_id.clone(),
                ..ContainerStateTerminated::default()
            }),
            ..ContainerState::default()
        });
        let backoff = backoff(timing.backoff, c.restart_count);
        c.state = Some(ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some("CrashLoopBackOff".into()),
                message: Some(format!(
                    "back-off {}s restarting failed container={} pod={pod_name}",
                    backoff.as_secs().max(1),
                    c.name
                )),
            }),
            ..ContainerState::default()
        });
    }
    set_condition(status, "ContainersReady", false);
    set_condition(status, "Ready", false);
    for name in names {
        cluster.event(
            Kind::Pod,
            &pod.metadata,
            "Warning",
            "BackOff",
            format!("Back-off restarting failed container {name} in pod {pod_name}"),
            "kubelet",
        );
    }
    if let Some(node) = node.and_then(|n| cluster.store.get_typed::<Node>("", &n)) {
        for name in names {
            cluster.event(
                Kind::Node,
                &node.metadata,
                "Warning",
                "OOMKilling",
                format!(
                    "Memory cgroup out of memory: Killed process {} ({name}) total-vm:1048576kB, anon-rss:524288kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1200kB oom_score_adj:999",
                    1000 + fastrand::u32(..30000)
                ),
                "kernel-monitor",
            );
        }
    }
}

fn start(cluster: &mut Cluster, pod: &mut Pod) {
    let ip = cluster.next_pod_ip();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let names: Vec<(String, String)> = pod
        .spec
        .iter()
        .flat_map(|s| {
            s.containers
                .iter()
                .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        })
        .collect();
    let t = now();
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase = Some("Running".into());
    status.start_time = Some(t.clone());
    status.pod_ip = Some(ip);
    status.host_ip = node.map(|n| super::node::host_ip(&n));
    status.qos_class = Some("Burstable".into());
    set_condition(status, "Initialized", true);
    set_condition(status, "ContainersReady", false);
    set_condition(status, "Ready", false);
    status.container_statuses = Some(
        names
            .iter()
            .map(|(name, image)| container_status(name, image, false, t.clone()))
            .collect(),
    );
    for (name, image) in &names {
        cluster.event(
            Kind::Pod,
            &pod.metadata,
            "Normal",
            "Pulled",
            format!("Container image \"{image}\" already present on machine"),
            "kubelet",
        );
        cluster.event(
            Kind::Pod,
            &pod.metadata,
            "Normal",
            "Created",
            format!("Created container: {name}"),
            "kubelet",
        );
        cluster.event(
            Kind::Pod,
            &pod.metadata,
            "Normal",
            "Started",
            format!("Started container {name}"),
            "kubelet",
        );
    }
}

/// Advances a started container. Returns whether the pod changed.
fn step_container(cluster: &mut Cluster, pod: &mut Pod, cs: &ContainerStatus, image: &str) -> bool {
    let timing = cluster.timing;
    let state = cs.state.clone().unwrap_or_default();
    let job = super::job::owned_by_job(&pod.metadata);
    let restarts_in_place =
        !job || pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) == Some("OnFailure");
    let status = pod.status.get_or_insert_with(PodStatus::default);
    // A sidecar that died alone (OOM-killed) restarts after its own
    // back-off; the first container's restart brings every one back.
    if state.running.is_some() {
        for c in status.container_statuses.iter_mut().flatten().skip(1) {
            let waiting = c.state.as_ref().is_some_and(|s| s.waiting.is_some());
            let finished = c
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .and_then(|t| t.finished_at.clone());
            if waiting && since(finished.as_ref()) >= backoff(timing.backoff, c.restart_count) {
                c.state = Some(running(now()));
                c.started = Some(true);
                return true;
            }
        }
    }
    if let Some(run) = &state.running {
        let up = since(run.started_at.as_ref());
        let error = if job { fails(image) } else { crashes(image) };
        if job && up >= timing.job_run && !(error && restarts_in_place) {
            exit(status, run.started_at.clone(), if error { 1 } else { 0 });
            return true;
        }
        if error && restarts_in_place {
            let lives = if job {
                timing.job_run
            } else {
                timing.crash_after
            };
            if up < lives {
                return false;
            }
            // The container dies; the kubelet backs off before restarting it.
            let restarts = cs.restart_count + 1;
            let name = cs.name.clone();
            let backoff = backoff(timing.backoff, restarts);
            let pod_name = pod.metadata.name.clone().unwrap_or_default();
            let containers = status.container_statuses.get_or_insert_with(Vec::new);
            for c in containers.iter_mut() {
                c.restart_count = restarts;
                c.ready = false;
                c.started = Some(false);
                c.last_state = Some(ContainerState {
                    terminated: Some(ContainerStateTerminated {
                        exit_code: 1,
                        reason: Some("Error".into()),
                        started_at: run.started_at.clone(),
                        finished_at: Some(now()),
                        ..ContainerStateTerminated::default()
                    }),
                    ..ContainerState::default()
                });
                c.state = Some(ContainerState {
                    waiting: Some(ContainerStateWaiting {
                        reason: Some("CrashLoopBackOff".into()),
                        message: Some(format!(
                            "back-off {}s restarting failed container={name} pod={pod_name}",
                            backoff.as_secs().max(1)
                        )),
                    }),
                    ..ContainerState::default()
                });
            }
            set_condition(status, "ContainersReady", false);
            set_condition(status, "Ready", false);
            cluster.event(
                Kind::Pod,
                &pod.metadata,
                "Warning",
                "BackOff",
                format!("Back-off restarting failed container {name} in pod {pod_name}"),
                "kubelet",
            );
            cluster.event(Kind::Pod, &pod.metadata, "Warning", "Unhealthy", "Readiness probe failed: Get \"http://10.244.0.1:8080/health/ready\": dial tcp 10.244.0.1:8080: connect: connection refused".to_string(), "kubelet");
            return true;
        }
        if up >= timing.ready {
            for c in status.container_statuses.iter_mut().flatten() {
                c.ready = true;
            }
            set_condition(status, "ContainersReady", true);
            set_condition(status, "Ready", true);
            return true;
        }
        return false;
    }
    if state.waiting.is_some() {
        let finished = cs
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.clone());
        if since(finished.as_ref()) >= backoff(timing.backoff, cs.restart_count) {
            for c in status.container_statuses.iter_mut().flatten() {
                c.state = Some(running(now()));
                c.started = Some(true);
            }
            let name = cs.name.clone();
            cluster.event(
                Kind::Pod,
                &pod.metadata,
                "Normal",
                "Started",
                format!("Started container {name}"),
                "kubelet",
            );
            return true;
        }
    }
    false
}

/// Whether a pod has run to its end (Succeeded or Failed).
fn finished(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .is_some_and(|p| p == "Succeeded" || p == "Failed")
}

/// A container that does not restart exits: the pod ends Succeeded (exit
/// code 0) or Failed.
fn exit(status: &mut PodStatus, started: Option<Time>, code: i32) {
    let t = now();
    for c in status.container_statuses.iter_mut().flatten() {
        c.ready = false;
        c.started = Some(false);
        c.state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: code,
                reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
                started_at: started.clone(),
                finished_at: Some(t.clone()),
                container_id: c.container_id.clone(),
                ..ContainerStateTerminated::default()
            }),
            ..ContainerState::default()
        });
    }
    status.phase = Some(if code == 0 { "Succeeded" } else { "Failed" }.into());
    for type_ in ["ContainersReady", "Ready"] {
        set_condition(status, type_, false);
        if let Some(c) = status
            .conditions
            .iter_mut()
            .flatten()
            .find(|c| c.type_ == type_)
        {
            c.reason = Some("PodCompleted".into());
        }
    }
}

/// Back-off doubles with each restart, capped at 16 times the first.
fn backoff(first: Duration, restarts: i32) -> Duration {
    first * 2u32.pow(restarts.clamp(1, 5) as u32 - 1)
}

/// Whether a pod counts as ready and (with `min_ready`) available.
pub fn ready_since(pod: &Pod) -> Option<Duration> {
    let status = pod.status.as_ref()?;
    let c = condition(status, "Ready")?;
    (c.status == "True").then(|| since(c.last_transition_time.as_ref()))
}

pub fn is_ready(pod: &Pod) -> bool {
    ready_since(pod).is_some()
}

/// Makes a pod look as if it had been running and ready for a few minutes.
pub fn settle_pod(pod: &mut Pod, ip: String, node: String) {
    let earlier = Time(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(300));
    let names: Vec<(String, String)> = pod
        .spec
        .iter()
        .flat_map(|s| {
            s.containers
                .iter()
                .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        })
        .collect();
    let host_ip = super::node::host_ip(&node);
    if let Some(spec) = pod.spec.as_mut() {
        spec.node_name = Some(node);
    }
    pod.metadata.creation_timestamp = Some(earlier.clone());
    let condition = |t: &str| PodCondition {
        type_: t.to_string(),
        status: "True".into(),
        last_transition_time: Some(earlier.clone()),
        ..PodCondition::default()
    };
    pod.status = Some(PodStatus {
        phase: Some("Running".into()),
        pod_ip: Some(ip),
        host_ip: Some(host_ip),
        start_time: Some(earlier.clone()),
        qos_class: Some("Burstable".into()),
        conditions: Some(
            ["PodScheduled", "Initialized", "ContainersReady", "Ready"]
                .map(condition)
                .to_vec(),
        ),
        container_statuses: Some(
            names
                .into_iter()
                .map(|(name, image)| container_status(&name, &image, true, earlier.clone()))
                .collect(),
        ),
        ..PodStatus::default()
    });
}

/// Makes a Job's pod look as if it had run from `started` to `ended` and
/// exited: status 0, or 1 when its image fails.
pub fn settle_finished_pod(pod: &mut Pod, ip: String, node: String, started: Time, ended: Time) {
    let image = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    settle_pod(pod, ip, node);
    pod.metadata.creation_timestamp = Some(Time(started.0 - jiff::SignedDuration::from_secs(1)));
    let Some(status) = pod.status.as_mut() else {
        return;
    };
    status.start_time = Some(started.clone());
    for c in status.conditions.iter_mut().flatten() {
        c.last_transition_time = Some(started.clone());
    }
    for c in status.container_statuses.iter_mut().flatten() {
        c.state = Some(running(started.clone()));
    }
    exit(status, Some(started), if fails(&image) { 1 } else { 0 });
    for c in status.conditions.iter_mut().flatten() {
        if c.type_ == "Ready" || c.type_ == "ContainersReady" {
            c.last_transition_time = Some(ended.clone());
        }
    }
    for c in status.container_statuses.iter_mut().flatten() {
        if let Some(t) = c.state.as_mut().and_then(|s| s.terminated.as_mut()) {
            t.finished_at = Some(ended.clone());
        }
    }
}
