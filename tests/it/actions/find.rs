//! The real binary in a pseudo-terminal against `demo --serve` with the
//! `scale` scenario's 500 Deployments: `/` and a name find one of them,
//! and the scale dialog (preview, dry run, confirm) changes that one and
//! no other, as the simulated API server and kubectl tell.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::Pty;
use common::demo::Demo;

const WAIT: Duration = Duration::from_secs(30);

/// Longer than the arming delay of a confirm button.
const READ_THE_DIALOG: Duration = Duration::from_millis(700);

/// Every Deployment's name and spec.replicas, as kubectl reads them.
fn replicas(demo: &Demo) -> BTreeMap<String, String> {
    demo.ok(&[
        "get",
        "deployments",
        "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{\"\\n\"}{end}",
    ])
    .lines()
    .filter_map(|l| l.split_once('='))
    .map(|(name, n)| (name.to_string(), n.to_string()))
    .collect()
}

#[test]
fn slash_finds_one_of_five_hundred_deployments_and_scales_exactly_that_one() {
    let demo = Demo::start(&[
        "--scenario",
        "scale",
        "--deployments",
        "500",
        "--pods",
        "1000",
        "--speed",
        "10",
    ]);
    let before = replicas(&demo);
    assert_eq!(before.len(), 460, "the scenario's Deployments");
    let target = "app-0123";
    let was = before[target].clone();
    let writes_before = demo.writes().len();

    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = ["--kubeconfig", &kubeconfig, "--context", "demo"];
    let mut pty = Pty::spawn(dir.path(), &args, &[("USER", "oncall")], 80, 24);
    pty.wait_for("LIVE", WAIT);
    // Every workload listed: 460 Deployments, 20 StatefulSets, 20
    // DaemonSets.
    pty.wait_for("Rollouts 500", WAIT);
    pty.send(b"/");
    pty.wait_for("enter keep filter", WAIT);
    pty.send(target.as_bytes());
    pty.wait_for(&format!("Rollouts /{target} 1 of 500"), WAIT);
    pty.send(b"\r");
    pty.wait_for("esc clear filter", WAIT);
    pty.wait_for(
        &format!("deployment \"{target}\" successfully rolled"),
        WAIT,
    );
    // Scale: the preview with the exact request, the dry run, the confirm.
    pty.send(b"s");
    pty.wait_for(&format!("Scale deployment/{target}"), WAIT);
    pty.send(b"5\r");
    pty.wait_for("the server-side dry run passed", WAIT);
    std::thread::sleep(READ_THE_DIALOG);
    pty.send(b"\r");
    pty.wait_for(
        &format!("done: scale deployment/{target} from {was} to 5 replicas"),
        WAIT,
    );
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());

    // That Deployment's replicas changed, and no other's.
    let after = replicas(&demo);
    let changed: Vec<(&String, &String)> = after
        .iter()
        .filter(|(name, n)| before.get(*name) != Some(*n))
        .collect();
    assert_eq!(changed, [(&target.to_string(), &"5".to_string())]);
    // The API server was asked to change that Deployment alone: its dry
    // run, then the change (and the Event that records it).
    let writes: Vec<String> = demo.writes().split_off(writes_before);
    let touched: Vec<&String> = writes
        .iter()
        .filter(|w| w.contains("/deployments/"))
        .collect();
    assert_eq!(touched.len(), 2, "{writes:#?}");
    assert!(
        touched
            .iter()
            .all(|w| w.contains(&format!("/deployments/{target}/scale"))),
        "{writes:#?}"
    );
}
