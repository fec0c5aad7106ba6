//! Command-line definitions.

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand};
use clap_complete::Shell;
#[cfg(feature = "demo")]
use ops_sim::scenario::ScenarioName;

/// The examples after `--help`, with `ops-tui demo` where the demo is
/// built in.
macro_rules! examples {
    ($demo:literal) => {
        concat!(
            "Examples:\n  \
            ops-tui                          open the dashboard with ./ops-tui.toml, if present\n  \
            ops-tui --env prod               use the runbook's `prod` environment\n  \
            ops-tui --context kind-dev -n api  no runbook: watch every Deployment in `api`\n  ",
            $demo,
            "ops-tui validate runbooks/example.toml\n  \
            ops-tui paths                    where configuration, themes, keymaps and logs live\n\n\
            Press ? in the dashboard for every key."
        )
    };
}
#[cfg(feature = "demo")]
const AFTER_HELP: &str =
    examples!("ops-tui demo                     try it on a simulated cluster\n  ");
#[cfg(not(feature = "demo"))]
const AFTER_HELP: &str = examples!("");

/// A terminal operations console for on-call engineers: rollouts, health,
/// signals, the go-live checklist and a journal of every action, in one screen.
#[derive(Debug, Parser)]
#[command(
    name = "ops-tui",
    version,
    about,
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub dashboard: DashboardArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// This process's command line, or its exit as clap's `parse` does (on
    /// an error, `--help`, `--version`). A build without the `demo` feature
    /// says so when asked for `demo`, which it does not have.
    pub fn from_env() -> Cli {
        match Cli::try_parse() {
            Ok(cli) => cli,
            #[cfg(not(feature = "demo"))]
            Err(e) if asks_for_demo(&e) => {
                say!(
                    "error: unrecognized subcommand 'demo': this ops-tui was built without the `demo` \
                     feature, so it has no simulated cluster (the default features include it)"
                );
                std::process::exit(2)
            }
            Err(e) => e.exit(),
        }
    }
}

/// Whether clap refused `demo` as an unknown subcommand.
#[cfg(not(feature = "demo"))]
fn asks_for_demo(e: &clap::Error) -> bool {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    e.kind() == ErrorKind::InvalidSubcommand
        && matches!(
            e.get(ContextKind::InvalidSubcommand),
            Some(ContextValue::String(word)) if word == "demo"
        )
}

/// Options of the dashboard (the default command).
#[derive(Debug, Clone, Default, Args)]
pub struct DashboardArgs {
    /// Runbook to load [default: ./ops-tui.toml when it exists]
    #[arg(long, value_name = "PATH", global = true)]
    pub runbook: Option<PathBuf>,

    /// Runbook environment to use [default: the one whose context matches --context, else the first]
    #[arg(long = "env", value_name = "NAME", global = true)]
    pub env: Option<String>,

    /// Kubernetes context (overrides the runbook environment's)
    #[arg(long, value_name = "CTX", global = true)]
    pub context: Option<String>,

    /// Kubernetes namespace (overrides the runbook environment's)
    #[arg(short = 'n', long, value_name = "NS", global = true)]
    pub namespace: Option<String>,

    /// Every namespace you may list, with a namespace column (the runbook's
    /// workloads stay those of its environment's namespace)
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,

    /// kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]
    #[arg(long, value_name = "PATH", global = true)]
    pub kubeconfig: Option<PathBuf>,

    /// Never change anything: every action is refused (always wins)
    #[arg(long, conflicts_with = "write", global = true)]
    pub read_only: bool,

    /// Allow actions in an environment the runbook marks read_only
    #[arg(long, global = true)]
    pub write: bool,

    /// Executed actions leave no Kubernetes Event on the object they change
    #[arg(long, global = true)]
    pub no_events: bool,

    /// Colour theme: default, light, high-contrast, colorblind, or a user theme
    #[arg(long, value_name = "NAME", global = true)]
    pub theme: Option<String>,

    /// Keymap: default, vim, or a user keymap
    #[arg(long, value_name = "NAME", global = true)]
    pub keymap: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a runbook (and your themes and keymaps) and print a summary or every error
    Validate {
        /// Runbook to check [default: --runbook, else ./ops-tui.toml]
        path: Option<PathBuf>,
    },
    /// Run every check once (probes, signals, rollouts, jobs, alerts): the go/no-go gate for a pipeline
    ///
    /// Exit 0 when nothing fails, 1 when something fails (or warns, with --strict), 2 for a
    /// configuration error.
    Check(CheckArgs),
    /// Follow a workload's current or next rollout to completion and through its soak window,
    /// failing on a regression: the progressive-delivery gate after `kubectl apply` or `set image`
    ///
    /// Exit 0 when the rollout completed and soaked with no regression, 1 on a regression, a
    /// failed rollout, or no rollout within --wait (each named), 2 for a configuration error.
    Guard(GuardArgs),
    /// Turn a Markdown deployment guide into a runbook (what was found, bound and needs a human is listed at its top)
    Import {
        /// The guide (Markdown)
        guide: PathBuf,
        /// Write the runbook here instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the checklist, its evidence, the actions and the timeline of an environment as Markdown
    Report(ReportArgs),
    /// Try everything on a simulated cluster, service and Prometheus (no cluster needed)
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Print where configuration, user themes and keymaps, data and logs live
    Paths,
    /// Print a shell completion script (e.g. `ops-tui completions bash > ~/.local/share/bash-completion/completions/ops-tui`)
    Completions {
        /// Shell to generate for
        shell: Shell,
    },
}

/// Kinds of checks `check --only` can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum CheckKind {
    Probes,
    Signals,
    Rollouts,
    /// The `job:NAME` checks the checklist names.
    Jobs,
    /// The `usage:WORKLOAD` checks the checklist names.
    Usage,
    Alerts,
}

impl CheckKind {
    /// Its name on the command line.
    pub fn word(self) -> &'static str {
        match self {
            CheckKind::Probes => "probes",
            CheckKind::Signals => "signals",
            CheckKind::Rollouts => "rollouts",
            CheckKind::Jobs => "jobs",
            CheckKind::Usage => "usage",
            CheckKind::Alerts => "alerts",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Junit,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Only these kinds of checks (comma-separated) [default: all]
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS")]
    pub only: Vec<CheckKind>,

    /// Output: a table, JSON (documented in docs/checks.md), or JUnit XML for CI
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,

    /// Warnings (degraded, rolling, pending alerts) fail too
    #[arg(long)]
    pub strict: bool,

    /// Give up on whatever has not answered after this long (e.g. 30s, 2m)
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,

    /// Also send the bursts of rate-limit probes (they load the service)
    #[arg(long)]
    pub include_bursts: bool,
}

/// Why a duration on the command line does not parse; clap shows it after
/// the option's name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurationError {
    #[error("\"{text}\": {source} (e.g. 30s, 2m)")]
    Invalid {
        text: String,
        source: humantime::DurationError,
    },
    /// A timeout of zero would give up before asking.
    #[error("\"{text}\": must be more than zero (e.g. 30s, 2m)")]
    Zero { text: String },
}

fn parse_duration(text: &str) -> Result<std::time::Duration, DurationError> {
    humantime::parse_duration(text).map_err(|source| DurationError::Invalid {
        text: text.to_string(),
        source,
    })
}

/// A duration to wait: more than zero, which would give up before asking.
fn parse_timeout(text: &str) -> Result<std::time::Duration, DurationError> {
    let d = parse_duration(text)?;
    if d.is_zero() {
        return Err(DurationError::Zero {
            text: text.to_string(),
        });
    }
    Ok(d)
}

#[derive(Debug, Clone, Args)]
pub struct GuardArgs {
    /// The workload: NAME (a runbook workload, else a Deployment) or KIND/NAME
    /// (deployment/api, statefulset/db, daemonset/agent)
    #[arg(value_name = "WORKLOAD")]
    pub workload: String,

    /// How long to keep watching after the rollout completes [default: the runbook
    /// workload's `soak`, else 10m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub soak: Option<std::time::Duration>,

    /// How long to wait for a rollout to start when none is under way or recent
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub wait: std::time::Duration,

    /// Give up when the rollout has not completed this long after it started
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,

    /// How often to look at the rollout, the probes, the signals and the alerts
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    pub every: std::time::Duration,

    /// On a regression or a failed rollout, roll back to the revision before it (dry run
    /// first, journaled with the reason): the decision to act, taken in advance
    #[arg(long)]
    pub rollback_on_fail: bool,

    /// Output: progress lines and a verdict, or JSON or JUnit XML at the end (progress lines
    /// then go to standard error)
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Write to this file instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Only the starred notes and the milestones in the timeline
    #[arg(long)]
    pub starred_only: bool,
}

#[cfg(feature = "demo")]
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// What the simulated cluster holds
    #[arg(long, value_enum, default_value = "go-live")]
    pub scenario: ScenarioName,

    /// Run only the simulated environment, until Ctrl-C, for kubectl and other tools
    #[arg(long)]
    pub serve: bool,

    /// First port: API server, then Prometheus, control, services [default: 17080 with --serve, else any free ports; 0: any free ports]
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,

    /// How much faster than the demo pace pods start and alerts fire (e.g. 10)
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    pub speed: f64,

    /// Deployments of the `scale` scenario
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub deployments: usize,

    /// Pods of the `scale` scenario, spread over its Deployments
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub pods: usize,

    /// Namespaces: `scale` spreads its workloads over N; `go-live` and `incident` add `payments` when N is 2 or more
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u16).range(1..=1000), usize::from))]
    pub namespaces: usize,

    /// Serve no metrics API (metrics.k8s.io), as a cluster without metrics-server: `kubectl top` fails
    #[arg(long)]
    pub no_metrics: bool,

    /// Continue the previous demo's journal (each demo starts a fresh one by default: its cluster starts fresh)
    #[arg(long)]
    pub keep_journal: bool,
}

/// The completion script for a shell. clap_complete's bash script names
/// its functions after the binary with `-` as `__` (`ops__tui`), but its
/// case labels with `-` as `__subcmd__` (`ops__subcmd__tui__subcmd__check`),
/// so no subcommand's options completed: the labels are given the
/// functions' spelling.
pub fn completions(shell: clap_complete::Shell) -> String {
    const BIN: &str = "ops-tui";
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        script.replace(
            &format!("{}__subcmd__", BIN.replace('-', "__subcmd__")),
            &format!("{}__subcmd__", BIN.replace('-', "__")),
        )
    } else {
        script
    }
}

/// `--theme` and `--keymap` name a theme and keymap that exist.
pub fn check_named(
    args: &DashboardArgs,
    dir: Option<&Path>,
) -> Result<(), crate::config::ConfigError> {
    if let Some(name) = &args.theme {
        crate::config::check_named("theme", name, crate::config::theme::BUILTIN, dir)?;
    }
    if let Some(name) = &args.keymap {
        crate::config::check_named("keymap", name, crate::config::keymap::BUILTIN, dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_errors_are_kinds_a_caller_can_match() {
        assert_eq!(
            parse_timeout("0s"),
            Err(DurationError::Zero { text: "0s".into() })
        );
        let err = parse_timeout("soon").unwrap_err();
        assert!(
            matches!(&err, DurationError::Invalid { text, .. } if text == "soon"),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("\"soon\": "), "{err}");
        assert!(err.to_string().ends_with(" (e.g. 30s, 2m)"), "{err}");
    }
}
