//! `ops-tui guard WORKLOAD`: follows a workload's current or next rollout
//! to completion and through its soak window, judging its probes, signals,
//! alerts and crash loops against the baseline from before it
//! (`checks::regress`, as the dashboard does). Prints a line for each
//! thing that happens; exits 0 when the rollout completed and soaked with
//! no regression, 1 on a regression, a failed rollout or no rollout (each
//! named), 2 for a configuration error. `--rollback-on-fail` rolls back to
//! the revision before it, as the dashboard's rollback does: dry run
//! first, journaled with the reason.

mod rollback;
mod watch;

use std::process::ExitCode;

use super::common::{EXIT_CONFIG, print_out, runbook_path};
use crate::checks::regress::{Rules, check_words};
use crate::checks::{Kind, Outcome, report};
use crate::cli::{CheckFormat, DashboardArgs, GuardArgs};
use crate::config::paths::Paths;
use crate::kinds::WorkloadKind;
use crate::runbook::Runbook;
use crate::runbook::select::{Overrides, Target, select};
use crate::status::Status;

/// Everything `guard` needs, read and checked before it connects.
pub(super) struct Setup {
    pub runbook: Option<Runbook>,
    pub target: Target,
    pub kind: WorkloadKind,
    pub name: String,
    pub probes: Vec<crate::probe::ProbeSpec>,
    pub plan: crate::prom::plan::Plan,
    pub rules: Rules,
    pub journal: Option<crate::journal::Journal>,
    pub secrets: crate::secrets::Secrets,
    pub kubeconfig: Option<std::path::PathBuf>,
    pub format: CheckFormat,
}

impl Setup {
    fn new(args: &GuardArgs, dash: &DashboardArgs, paths: &Paths) -> Result<Setup, String> {
        if dash.kubeconfig.is_some() || dash.context.is_some() {
            crate::kube::preflight(dash.kubeconfig.as_deref(), dash.context.as_deref())
                .map_err(|e| e.to_string())?;
        }
        let runbook = match runbook_path(dash.runbook.clone()) {
            Some(path) => Some(Runbook::load(&path).map_err(|e| e.to_string())?),
            None => None,
        };
        let overrides = Overrides {
            env: dash.env.clone(),
            context: dash.context.clone(),
            namespace: dash.namespace.clone(),
            read_only: dash.read_only,
            write: dash.write,
            all_namespaces: false,
            no_events: dash.no_events,
        };
        let target = select(runbook.as_ref(), &overrides).map_err(|e| e.to_string())?;
        let (kind, name) = workload(&args.workload, runbook.as_ref())?;
        if args.rollback_on_fail && target.read_only {
            return Err(
                "--rollback-on-fail in a read-only environment: pass --write to allow the rollback (--read-only always refuses it)"
                    .into(),
            );
        }
        let env = target.env.clone();
        let (probes, plan) = match &runbook {
            Some(r) => (
                crate::probe::specs(r, env.as_deref())
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    // A burst loads the service: never while guarding.
                    .filter(|s| s.burst.is_none())
                    .collect(),
                crate::prom::plan::plan(r, env.as_deref()).map_err(|e| e.to_string())?,
            ),
            None => (Vec::new(), crate::prom::plan::Plan::default()),
        };
        let mut rules = runbook
            .as_ref()
            .map(Rules::from_runbook)
            .unwrap_or_default();
        rules.soak_override = args.soak.map(|d| d.as_secs() as i64);
        let mut secrets = crate::kube::secrets::known(runbook.as_ref(), dash.kubeconfig.as_deref());
        secrets.extend(&plan.secrets);
        let journal = crate::app::journal_for(&target, paths.data_dir.as_deref())
            .map(|j| j.with_secrets(secrets.clone()));
        if args.rollback_on_fail && journal.is_none() {
            return Err(
                "--rollback-on-fail needs a data directory for the journal (set OPS_TUI_DATA_DIR)"
                    .into(),
            );
        }
        Ok(Setup {
            runbook,
            target,
            kind,
            name,
            probes,
            plan,
            rules,
            journal,
            secrets,
            kubeconfig: dash.kubeconfig.clone(),
            format: args.format,
        })
    }

    /// "deployment/api".
    pub fn title(&self) -> String {
        format!("{}/{}", self.kind.resource(), self.name)
    }

    /// A progress line: on standard output for text, else on standard
    /// error (the document goes to standard output); secrets masked.
    pub fn say(&self, line: &str) {
        let line = self.secrets.mask(line);
        let at = jiff::Zoned::now().strftime("%H:%M:%S");
        match self.format {
            CheckFormat::Text => print_out(&format!("{at} {line}\n")),
            _ => say!("{at} {line}"),
        }
    }
}

/// `NAME` or `KIND/NAME`: a bare name is the runbook's workload of that
/// name (with its kind), else a Deployment.
fn workload(text: &str, runbook: Option<&Runbook>) -> Result<(WorkloadKind, String), String> {
    let (kind, name) = match text.split_once('/') {
        Some((kind, name)) => {
            let kind = WorkloadKind::parse(kind).ok_or_else(|| {
                format!("\"{kind}\" in {text}: expected deployment, statefulset or daemonset")
            })?;
            (Some(kind), name)
        }
        None => (None, text),
    };
    if name.is_empty() {
        return Err(format!(
            "\"{text}\": name the workload, e.g. deployment/api"
        ));
    }
    let kind = kind
        .or_else(|| {
            runbook?
                .workloads()
                .find(|w| w.name.get_ref() == name)
                .map(|w| w.kind())
        })
        .unwrap_or_default();
    if kind.is_batch() {
        return Err(format!(
            "{}/{name} runs to completion and has no rollout to guard",
            kind.resource()
        ));
    }
    Ok((kind, name.to_string()))
}

/// How a guard ended.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Verdict {
    /// Complete and soaked with no regression open.
    Passed { revision: String },
    Regressed {
        revision: String,
        outcome: Box<Outcome>,
    },
    /// The rollout failed (its progress deadline, a pod of the new
    /// revision that cannot run), or the workload went away.
    Failed { revision: String, why: String },
    /// No rollout started within --wait.
    NoRollout { waited: String },
    /// The rollout did not complete within --timeout.
    TimedOut { revision: String, why: String },
}

/// What was done about a failure with --rollback-on-fail.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RolledBack {
    pub summary: String,
    /// Whether it was executed; else why not.
    pub result: Result<String, String>,
}

pub fn run(args: &GuardArgs, dash: &DashboardArgs, paths: &Paths) -> ExitCode {
    let setup = match Setup::new(args, dash, paths) {
        Ok(s) => s,
        Err(e) => {
            for line in e.lines() {
                say!("error: {line}");
            }
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if let Some(w) = &setup.target.warning {
        say!("warning: {w}");
    }
    let rt = match super::common::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            say!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let ended = rt.block_on(watch::follow(&setup, args));
    let (verdict, checks, rolled_back) = match ended {
        Ok(ended) => ended,
        Err(config) => {
            say!("error: {}", setup.secrets.mask(&config));
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let outcomes = outcomes(&setup, &verdict, checks, rolled_back.as_ref());
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|o| o.masked(&setup.secrets))
        .collect();
    let service = setup
        .runbook
        .as_ref()
        .map_or("no-runbook", Runbook::service_name);
    let env = setup.target.env.clone().unwrap_or_default();
    let text = match args.format {
        CheckFormat::Text => verdict_text(&setup, &verdict, rolled_back.as_ref()),
        CheckFormat::Json => {
            let mut doc = report::json_doc(&outcomes, service, &env, false, &[]);
            doc["workload"] = setup.title().into();
            doc["result"] = verdict_word(&verdict).into();
            doc["rolled_back"] = match &rolled_back {
                None => serde_json::Value::Null,
                Some(r) => serde_json::json!({
                    "summary": r.summary,
                    "ok": r.result.is_ok(),
                    "detail": match &r.result { Ok(d) | Err(d) => d },
                }),
            };
            report::json_text(&doc)
        }
        CheckFormat::Junit => {
            report::junit_of("ops-tui guard", &outcomes, service, &env, false, &[])
        }
    };
    print_out(&setup.secrets.mask(&text));
    match verdict {
        Verdict::Passed { .. } if !report::fails(&outcomes, false) => ExitCode::SUCCESS,
        _ => ExitCode::from(super::check::EXIT_NO_GO),
    }
}

fn verdict_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Passed { .. } => "passed",
        Verdict::Regressed { .. } => "regression",
        Verdict::Failed { .. } => "failed",
        Verdict::NoRollout { .. } => "no rollout",
        Verdict::TimedOut { .. } => "timed out",
    }
}

/// The last line(s) of the text output.
fn verdict_text(setup: &Setup, v: &Verdict, rolled_back: Option<&RolledBack>) -> String {
    let title = setup.title();
    let mut text = match v {
        Verdict::Passed { revision } => {
            format!("GO: {title} revision {revision} completed and soaked with no regression\n")
        }
        Verdict::Regressed { revision, outcome } => format!(
            "NO-GO: regression of {title} revision {revision}: {} {} ({})\n",
            check_words(&format!("{}:{}", outcome.kind.word(), outcome.name)),
            outcome.value,
            outcome.detail.clone().unwrap_or_default()
        ),
        Verdict::Failed { revision, why } => {
            format!("NO-GO: the rollout of {title} revision {revision} failed: {why}\n")
        }
        Verdict::NoRollout { waited } => {
            format!("NO-GO: no rollout of {title} started within {waited}: nothing was judged\n")
        }
        Verdict::TimedOut { revision, why } => format!(
            "NO-GO: the rollout of {title} revision {revision} did not complete in time: {why}\n"
        ),
    };
    if let Some(r) = rolled_back {
        text.push_str(&match &r.result {
            Ok(done) => format!("rolled back: {} ({done})\n", r.summary),
            Err(why) => format!("NOT rolled back: {}: {why}\n", r.summary),
        });
    }
    text
}

/// The verdict as outcomes (one for the rollout, one per check), for the
/// JSON and JUnit documents.
fn outcomes(
    setup: &Setup,
    v: &Verdict,
    checks: Vec<Outcome>,
    rolled_back: Option<&RolledBack>,
) -> Vec<Outcome> {
    let (status, value, detail) = match v {
        Verdict::Passed { revision } => (
            Status::Ok,
            format!("revision {revision} complete and soaked"),
            None,
        ),
        Verdict::Regressed { revision, outcome } => (
            Status::Fail,
            format!("revision {revision} regressed"),
            Some(format!(
                "{} {}",
                check_words(&format!("{}:{}", outcome.kind.word(), outcome.name)),
                outcome.value
            )),
        ),
        Verdict::Failed { revision, why } | Verdict::TimedOut { revision, why } => (
            Status::Fail,
            format!("revision {revision} {}", verdict_word(v)),
            Some(why.clone()),
        ),
        Verdict::NoRollout { waited } => (
            Status::Unknown,
            "no rollout".into(),
            Some(format!("none started within {waited}")),
        ),
    };
    let rolled = rolled_back.map(|r| match &r.result {
        Ok(_) => format!("; rolled back: {}", r.summary),
        Err(why) => format!("; not rolled back: {why}"),
    });
    let detail = match (detail, rolled) {
        (Some(d), Some(r)) => Some(format!("{d}{r}")),
        (None, Some(r)) => Some(r.trim_start_matches("; ").to_string()),
        (d, None) => d,
    };
    let mut all = vec![Outcome {
        kind: Kind::Rollout,
        name: setup.title(),
        status,
        value,
        detail,
    }];
    all.extend(checks);
    all
}
