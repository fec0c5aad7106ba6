//! `ops-tui demo`: the simulated environment, with the dashboard on it or
//! (`--serve`) alone for other tools. Its kubeconfig (which holds tokens)
//! and runbook go to a temporary directory only its owner can enter, which
//! is removed on the way out; one left behind by a demo that was killed is
//! removed by the next demo (it names its process in a `pid` file).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ops_sim::scenario::{ScaleSize, ScenarioName};
use ops_sim::{DEFAULT_PORT, Sim, SimOptions, kubeconfig};

use super::common::{runtime, start_logging};
use crate::cli::{DashboardArgs, DemoArgs};
use crate::config::paths::Paths;
use crate::state::faults::Fault;
use crate::state::{Effect, Msg};

/// The demo runbook, with the addresses of `demo --serve` on its default ports.
/// What the fault menu offers in the demo: the simulator's control
/// endpoint's fault names and parameters.
pub const FAULTS: &[Fault] = &[
    Fault {
        label: "crash-loop the api Deployment",
        name: "crash",
        params: &[("workload", "api")],
    },
    Fault {
        label: "crash-loop the worker Deployment",
        name: "crash",
        params: &[("workload", "worker")],
    },
    Fault {
        label: "roll api out to a bad release (5xx: a regression)",
        name: "bad-release",
        params: &[("workload", "api")],
    },
    Fault {
        label: "raise the api error rate by 20%",
        name: "errors",
        params: &[("service", "api"), ("ratio", "0.2")],
    },
    Fault {
        label: "make api health endpoints hang",
        name: "hang",
        params: &[("service", "api")],
    },
    Fault {
        label: "make worker refuse connections",
        name: "refuse",
        params: &[("service", "worker")],
    },
    Fault {
        label: "expire the api TLS certificate",
        name: "expire-cert",
        params: &[("service", "api"), ("days", "-3")],
    },
    Fault {
        label: "leak memory in api (OOMKilled in about 5 minutes)",
        name: "memory-leak",
        params: &[("workload", "api"), ("rate", "64")],
    },
    Fault {
        label: "refuse list and watch of pods (RBAC)",
        name: "forbid",
        params: &[("resource", "pods")],
    },
    Fault {
        label: "drop every watch connection",
        name: "drop-watches",
        params: &[],
    },
    Fault {
        label: "restart the API server",
        name: "restart-api",
        params: &[],
    },
    Fault {
        label: "clear every service fault",
        name: "clear",
        params: &[],
    },
];

pub const DEMO_RUNBOOK: &str = include_str!("../../runbooks/demo.toml");

/// The demo runbook with its addresses changed to where this simulator
/// listens.
pub fn runbook_for(sim: &Sim) -> String {
    let mut text = DEMO_RUNBOOK.to_string();
    let mut map: Vec<(u16, u16)> = Vec::new();
    let port_of = |url: &str| {
        url.rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or(0)
    };
    map.push((DEFAULT_PORT + 1, port_of(&sim.prometheus_url)));
    let services = sim.services();
    for (i, svc) in services.iter().enumerate() {
        map.push((DEFAULT_PORT + 3 + i as u16, svc.http_port));
        if let Some(https) = svc.https_port {
            map.push((DEFAULT_PORT + 3 + services.len() as u16, https));
        }
    }
    for (from, to) in map {
        text = text.replace(&format!("127.0.0.1:{from}\""), &format!("127.0.0.1:{to}\""));
    }
    text
}

/// The files a demo writes: kubeconfig and runbook.
pub struct DemoFiles {
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub runbook: Option<PathBuf>,
}

/// How the demo's temporary directories are named.
pub const DIR_PREFIX: &str = "ops-tui-demo-";
/// The file in one that holds the id of the process that made it.
pub const PID_FILE: &str = "pid";

pub fn write_files(sim: &Sim, scenario: ScenarioName) -> std::io::Result<DemoFiles> {
    let tmp = std::env::temp_dir();
    for stale in remove_stale(&tmp) {
        tracing::info!(dir = %stale.display(), "removed the directory of a demo that was killed");
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(DIR_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = builder.tempdir_in(&tmp)?;
    std::fs::write(dir.path().join(PID_FILE), std::process::id().to_string())?;
    let kubeconfig = kubeconfig::write(dir.path(), &sim.kubeconfig(sim.namespace()))?;
    let runbook = match scenario {
        ScenarioName::Scale => None,
        _ => {
            let path = dir.path().join("demo.toml");
            std::fs::write(&path, runbook_for(sim))?;
            Some(path)
        }
    };
    Ok(DemoFiles {
        dir,
        kubeconfig,
        runbook,
    })
}

/// Removes the directories in `tmp` that demos of this user left behind
/// when they were killed: named with [`DIR_PREFIX`], holding a [`PID_FILE`]
/// whose process is gone. Returns those removed.
#[cfg(unix)]
pub fn remove_stale(tmp: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(DIR_PREFIX));
        // A real directory of this user, never a link to elsewhere.
        let owned =
            std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_dir() && m.uid() == me);
        if !ours || !owned {
            continue;
        }
        // No pid file yet: a demo may be setting it up right now.
        let Some(pid) = std::fs::read_to_string(path.join(PID_FILE))
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
            .filter(|pid| *pid > 0)
        else {
            continue;
        };
        if !alive(pid) && std::fs::remove_dir_all(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

#[cfg(not(unix))]
pub fn remove_stale(_tmp: &Path) -> Vec<PathBuf> {
    Vec::new()
}

/// Whether a process with this id exists (one of another user counts).
#[cfg(unix)]
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists and may be
    // signalled; `pid` is positive, so it names one process, never a group.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// What `demo --serve` prints: where everything is and how to use it.
pub fn describe(sim: &Sim, files: &DemoFiles, scenario: ScenarioName) -> String {
    let mut out = String::new();
    let (_, pods) = sim.counts();
    let workloads: Vec<String> = sim
        .workload_counts()
        .into_iter()
        .map(|(kind, n)| {
            let plural = match kind {
                "HorizontalPodAutoscaler" => "HPAs".to_string(),
                k => format!("{k}s"),
            };
            match (kind, n) {
                ("HorizontalPodAutoscaler", 1) => "1 HPA".to_string(),
                (k, 1) => format!("1 {k}"),
                (_, n) => format!("{n} {plural}"),
            }
        })
        .collect();
    let name = match scenario {
        ScenarioName::GoLive => "go-live",
        ScenarioName::Incident => "incident",
        ScenarioName::Scale => "scale",
    };
    let _ = writeln!(
        out,
        "ops-tui demo: scenario {name}, namespace {}, {}, {pods} pods",
        sim.namespace(),
        workloads.join(", ")
    );
    let _ = writeln!(
        out,
        "  kubeconfig  {}  (contexts demo = admin, demo-viewer = read-only)",
        files.kubeconfig.display()
    );
    if let Some(r) = &files.runbook {
        let _ = writeln!(out, "  runbook     {}", r.display());
    }
    let _ = writeln!(out, "  api server  {}", sim.api_url);
    let _ = writeln!(
        out,
        "  prometheus  {}  (simulated: answers the demo runbook's queries)",
        sim.prometheus_url
    );
    let _ = writeln!(
        out,
        "  control     {}  (GET lists the faults; e.g. POST /faults/crash?workload=api)",
        sim.control_url
    );
    for svc in sim.services() {
        let https = svc
            .https_port
            .map(|p| format!("  https://127.0.0.1:{p}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  service     {:<8} http://127.0.0.1:{}{https}",
            svc.name, svc.http_port
        );
    }
    let k = files.kubeconfig.display();
    let _ = writeln!(
        out,
        "\nTry:\n  KUBECONFIG={k} kubectl get deploy,rs,pods,svc"
    );
    if let Some(r) = &files.runbook {
        let _ = writeln!(out, "  ops-tui --kubeconfig {k} --runbook {}", r.display());
    } else {
        let _ = writeln!(
            out,
            "  ops-tui --kubeconfig {k} --context demo -n {}",
            sim.namespace()
        );
    }
    let _ = writeln!(
        out,
        "Ctrl-C stops the simulator and removes {}",
        files.dir.path().display()
    );
    out
}

/// The demo's own data directory, under the data directory: its journals
/// are not those of real environments.
pub fn data_dir(paths: &Paths) -> Option<PathBuf> {
    paths.data_dir.as_ref().map(|d| d.join("demo"))
}

/// Starts the demo's journals afresh (its cluster starts fresh too): the
/// previous run's are moved to `journals.previous`, replacing older ones.
/// Returns the directory of the journals.
pub fn fresh_journals(data_dir: &Path, keep: bool) -> std::io::Result<PathBuf> {
    let journals = data_dir.join("journals");
    if !keep && journals.exists() {
        let previous = data_dir.join("journals.previous");
        if previous.exists() {
            std::fs::remove_dir_all(&previous)?;
        }
        std::fs::rename(&journals, &previous)?;
    }
    Ok(journals)
}

pub fn run(demo: &DemoArgs, dashboard: &DashboardArgs, paths: &Paths) -> ExitCode {
    let _log = start_logging(paths);
    // The dashboard of the demo journals into a directory of its own.
    let journals = match data_dir(paths) {
        Some(dir) if !demo.serve => match fresh_journals(&dir, demo.keep_journal) {
            Ok(j) => Some(j),
            Err(e) => {
                say!(
                    "ops-tui demo: cannot start a fresh journal in {}: {e}",
                    dir.display()
                );
                return ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    let paths = &Paths {
        data_dir: data_dir(paths),
        ..paths.clone()
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            say!("{e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async {
        let port = match (demo.port, demo.serve) {
            (Some(0), _) | (None, false) => None,
            (Some(p), _) => Some(p),
            (None, true) => Some(DEFAULT_PORT),
        };
        let options = SimOptions {
            scenario: Some(demo.scenario),
            size: ScaleSize {
                deployments: demo.deployments,
                pods: demo.pods,
                namespaces: demo.namespaces,
            },
            metrics: !demo.no_metrics,
            port,
            timing: ops_sim::cluster::Timing::demo().faster(demo.speed),
            speed: demo.speed,
            ..SimOptions::default()
        };
        let sim = match Sim::start(options).await {
            Ok(sim) => sim,
            Err(e) => {
                let hint = if port.is_some() {
                    " (is another demo running? --port 0 picks free ports)"
                } else {
                    ""
                };
                say!("ops-tui demo: cannot start the simulator: {e}{hint}");
                return ExitCode::FAILURE;
            }
        };
        let files = match write_files(&sim, demo.scenario) {
            Ok(f) => f,
            Err(e) => {
                say!("ops-tui demo: cannot write the kubeconfig and runbook: {e}");
                return ExitCode::FAILURE;
            }
        };
        if demo.serve {
            // The handlers first: a signal sent as soon as the banner is
            // read must stop the demo cleanly, not kill it.
            let stop = wait_for_stop();
            super::common::print_out(&describe(&sim, &files, demo.scenario));
            stop.await;
            say!(
                "ops-tui demo: stopped; removed {}",
                files.dir.path().display()
            );
            return ExitCode::SUCCESS;
        }
        let args = DashboardArgs {
            runbook: files.runbook.clone(),
            kubeconfig: Some(files.kubeconfig.clone()),
            context: Some("demo".into()),
            namespace: files.runbook.is_none().then(|| sim.namespace().to_string()),
            ..dashboard.clone()
        };
        let handle = sim.handle.clone();
        let inject = move |effect: Effect| {
            let Effect::Inject(fault) = effect else {
                return None;
            };
            let param = |name: &str| {
                fault
                    .params
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_string())
            };
            // Said on screen, and journaled once injected.
            let result = ops_sim::control::inject(&handle, fault.name, param);
            Some(Msg::Injected(fault, result))
        };
        let code = super::dashboard::run(&args, paths, Some(&inject), FAULTS).await;
        if let Some(j) = &journals {
            say!(
                "ops-tui demo: its journal is in {} (the next demo starts a fresh one; --keep-journal continues it)",
                j.display()
            );
        }
        code
    })
}

/// Ctrl-C, SIGTERM or SIGHUP. The handlers are installed when this is
/// called; the returned future waits for one of them.
fn wait_for_stop() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(int), Ok(term), Ok(hup)) => Some((int, term, hup)),
            _ => None,
        }
    };
    async move {
        #[cfg(unix)]
        if let Some((mut int, mut term, mut hup)) = signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
