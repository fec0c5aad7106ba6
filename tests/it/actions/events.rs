//! Kubernetes Events for executed actions, through the dashboard's own
//! runtime against the simulator: after each action kind the real kubectl
//! lists the Event and `describe` shows it on the object; a refused Event
//! never fails the action and is journaled; `events = false` leaves none.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use k8s_openapi::api::core::v1::Service;
use kube::Api;
use ops_tui::app::{Runtime, Setup};
use ops_tui::config::keymap::Keymap;
use ops_tui::config::theme::Theme;
use ops_tui::journal::{Entry, Journal, Step};
use ops_tui::kube::KubeMsg;
use ops_tui::kube::actions::Plan;
use ops_tui::runbook::Runbook;
use ops_tui::runbook::select::{Overrides, select};
use ops_tui::state::actions::Request;
use ops_tui::state::{AppState, Effect, Msg};
use tokio::sync::mpsc;

use crate::common::demo::kubectl;
use crate::common::sim::{
    NS, client, complete, create, deployment, start, wait_deployment, write_kubeconfig,
};

const WAIT: Duration = Duration::from_secs(20);

fn runbook(events: bool) -> Runbook {
    let text = format!(
        "[service]\nname = \"shop\"\n\n[env.prod]\ncontext = \"demo\"\nnamespace = \"{NS}\"\nevents = {events}\n"
    );
    Runbook::parse(Path::new("events.toml"), &text).unwrap()
}

async fn next<T>(rx: &mut mpsc::Receiver<Msg>, mut pick: impl FnMut(Msg) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(msg)) => {
                if let Some(t) = pick(msg) {
                    return t;
                }
            }
            _ => panic!("no such message within {WAIT:?}"),
        }
    }
}

struct Console {
    runtime: Runtime<'static>,
    rx: mpsc::Receiver<Msg>,
    journal: Journal,
    next_id: u64,
}

impl Console {
    async fn open(kubeconfig: &Path, data: &Path, events: bool) -> Console {
        let rb = runbook(events);
        let target = select(
            Some(&rb),
            &Overrides {
                env: Some("prod".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        let mut state = AppState::new(
            target,
            Some(rb),
            Theme::builtin("default"),
            Keymap::load("default", None).0,
        );
        let (tx, mut rx) = mpsc::channel(256);
        let runtime = Runtime::start(
            &mut state,
            Setup {
                kubeconfig: Some(kubeconfig.to_path_buf()),
                data_dir: Some(data.to_path_buf()),
                tx,
                extra: None,
            },
        );
        next(&mut rx, |m| match m {
            Msg::Kube(_, KubeMsg::Connected { .. }) => Some(()),
            Msg::Kube(_, KubeMsg::NoConnection(e)) => panic!("{e}"),
            _ => None,
        })
        .await;
        Console {
            runtime,
            rx,
            journal: Journal::for_env(data, "shop", "prod"),
            next_id: 0,
        }
    }

    async fn act(&mut self, plan: Plan) {
        self.next_id += 1;
        let id = self.next_id;
        let summary = plan.summary.clone();
        self.runtime
            .execute(Effect::Act(Request::Execute(id, plan)));
        let outcome = next(&mut self.rx, |m| match m {
            Msg::Acted(n, r) if n == id => Some(r),
            _ => None,
        })
        .await;
        assert!(outcome.is_ok(), "{summary}: {outcome:?}");
    }
}

fn events(kubeconfig: &Path) -> Vec<serde_json::Value> {
    let out = std::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "events", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["items"].as_array().cloned().unwrap_or_default()
}

/// The Events ops-tui left, oldest first.
fn ours(kubeconfig: &Path) -> Vec<(String, String, String)> {
    let mut mine: Vec<serde_json::Value> = events(kubeconfig)
        .into_iter()
        .filter(|e| e["source"]["component"] == "ops-tui")
        .collect();
    mine.sort_by_key(|e| {
        e["eventTime"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    });
    mine.into_iter()
        .map(|e| {
            (
                e["reason"].as_str().unwrap_or("").to_string(),
                format!(
                    "{}/{}",
                    e["involvedObject"]["kind"].as_str().unwrap_or(""),
                    e["involvedObject"]["name"].as_str().unwrap_or("")
                ),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_kind_leaves_an_event_that_kubectl_shows() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 2, "shop/api:1")).await;
    wait_deployment(&c, "api", WAIT, "first rollout", complete).await;
    let services: Api<Service> = Api::namespaced(c.clone(), NS);
    let svc: Service = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web", "namespace": NS},
        "spec": {"selector": {"app": "api", "version": "blue"}, "ports": [{"port": 80}]}
    }))
    .unwrap();
    services.create(&Default::default(), &svc).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(&sim, dir.path());
    let mut console = Console::open(&kubeconfig, &dir.path().join("data"), true).await;

    console.act(Plan::scale(NS, "api", 2, 3)).await;
    console
        .act(Plan::restart(NS, "api", "2026-12-03T10:00:00Z"))
        .await;
    wait_deployment(&c, "api", WAIT, "restarted", complete).await;
    console.act(Plan::pause(NS, "api", true)).await;
    console.act(Plan::pause(NS, "api", false)).await;
    console
        .act(Plan::switch(NS, "web", "version", "blue", "green", "api"))
        .await;
    let choices =
        ops_tui::kube::rollback::revisions(&c, ops_tui::kinds::WorkloadKind::Deployment, NS, "api")
            .await
            .unwrap();
    let back = choices
        .iter()
        .find_map(|c| c.plan.clone().ok())
        .expect("an older revision to roll back to");
    console.act(back).await;

    let seen = ours(&kubeconfig);
    let reasons: Vec<&str> = seen.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "OpsTuiScaled",
            "OpsTuiRestarted",
            "OpsTuiPaused",
            "OpsTuiResumed",
            "OpsTuiSwitched",
            "OpsTuiRolledBack"
        ],
        "{seen:?}"
    );
    assert_eq!(seen[4].1, "Service/web");
    assert!(seen.iter().take(4).all(|(_, o, _)| o == "Deployment/api"));
    let user = ops_tui::journal::os_user();
    assert!(
        seen[0]
            .2
            .starts_with("scale deployment/api from 2 to 3 replicas by ")
            && seen[0].2.contains(&user)
            && seen[0].2.ends_with("runbook shop, environment prod"),
        "{}",
        seen[0].2
    );
    // kubectl describe shows them on the object.
    let out = std::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["describe", "deployment", "api"])
        .output()
        .unwrap();
    let described = String::from_utf8_lossy(&out.stdout);
    for reason in ["OpsTuiScaled", "OpsTuiPaused", "OpsTuiRolledBack"] {
        assert!(described.contains(reason), "{reason}: {described}");
    }
    // A refused Event: the action stands, the refusal is journaled.
    let control = reqwest::Client::new();
    let answer = control
        .post(format!("{}/faults/forbid?resource=events", sim.control_url))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
    console.act(Plan::scale(NS, "api", 3, 2)).await;
    wait_deployment(&c, "api", WAIT, "scaled down", |d| {
        d.spec.replicas == Some(2)
    })
    .await;
    let records = console.journal.read().unwrap().records;
    let refused = records.iter().find_map(|r| match &r.entry {
        Entry::Action {
            step: Step::KubeEvent,
            summary,
            detail,
            ..
        } => Some((summary.clone(), detail.clone().unwrap_or_default())),
        _ => None,
    });
    let (summary, why) = refused.expect("the refused Event journaled");
    assert_eq!(summary, "scale deployment/api from 3 to 2 replicas");
    assert!(why.contains("forbidden"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_false_leaves_none() {
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 2, "shop/api:1")).await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(&sim, dir.path());
    let mut console = Console::open(&kubeconfig, &dir.path().join("data"), false).await;
    console.act(Plan::scale(NS, "api", 2, 3)).await;
    wait_deployment(&c, "api", WAIT, "scaled", |d| d.spec.replicas == Some(3)).await;
    assert_eq!(ours(&kubeconfig), Vec::new());
}

/// No secret ops-tui knows reaches an Event, whatever names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_an_event() {
    use ops_tui::kube::action_event::{Actor, record};
    let sim = start().await;
    let c = client(&sim, "demo").await;
    create(&c, &deployment("api", 2, "shop/api:1")).await;
    let secret = "tok-3nv-s3cr3t";
    let mut secrets = ops_tui::secrets::Secrets::new();
    secrets.add(secret);
    let actor = Actor {
        user: format!("ann-{secret}"),
        kube_user: Some(format!("admin {secret}")),
        runbook: Some(("shop".into(), format!("prod-{secret}"))),
    };
    record(&c, &Plan::scale(NS, "api", 2, 3), &actor, &secrets)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(&sim, dir.path());
    let all = serde_json::to_string(&events(&kubeconfig)).unwrap();
    assert!(all.contains("OpsTuiScaled"), "{all}");
    assert!(!all.contains(secret), "{all}");
}
