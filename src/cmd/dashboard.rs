//! The dashboard (no subcommand): the configuration loaded into the
//! first state, then the terminal loop.

use std::process::ExitCode;

use super::common::{EXIT_CONFIG, runbook_path, runtime, start_logging};
use crate::app::{Executor, run_dashboard_with};
use crate::cli::DashboardArgs;
use crate::config::Config;
use crate::config::keymap::Keymap;
use crate::config::paths::Paths;
use crate::config::theme::{Theme, no_color_requested};
use crate::runbook::Runbook;
use crate::runbook::select::{Overrides, select};
use crate::state::AppState;

/// Why the dashboard cannot start: a configuration error.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The runbook cannot be read or is invalid.
    #[error(transparent)]
    Runbook(#[from] crate::runbook::RunbookError),
    /// The environment, context or namespace cannot be chosen (the
    /// message names which and why).
    #[error(transparent)]
    Target(#[from] crate::runbook::select::SelectError),
}

/// Loads everything the dashboard needs. Errors are configuration errors.
pub fn build_state(args: &DashboardArgs, paths: &Paths) -> Result<AppState, StartError> {
    let runbook = match runbook_path(args.runbook.clone()) {
        Some(path) => Some(Runbook::load(&path)?),
        None => None,
    };
    let overrides = Overrides {
        env: args.env.clone(),
        context: args.context.clone(),
        namespace: args.namespace.clone(),
        read_only: args.read_only,
        write: args.write,
        all_namespaces: args.all_namespaces,
        no_events: args.no_events,
    };
    let target = select(runbook.as_ref(), &overrides)?;
    let config_dir = paths.config_dir.as_deref();
    let (config, mut warnings) = Config::load(config_dir);
    let theme_name = args
        .theme
        .clone()
        .or(config.theme)
        .unwrap_or_else(|| "default".into());
    let keymap_name = args
        .keymap
        .clone()
        .or(config.keymap)
        .unwrap_or_else(|| "default".into());
    let (theme, theme_warnings) = Theme::load(&theme_name, config_dir, no_color_requested());
    let (keymap, keymap_warnings) = Keymap::load(&keymap_name, config_dir);
    warnings.extend(theme_warnings);
    warnings.extend(keymap_warnings);
    let mut state = AppState::new(target, runbook, theme, keymap);
    state.overrides = overrides;
    // A longer wait before a confirm button takes a key, never a shorter one.
    if let Some(ms) = std::env::var("OPS_TUI_CONFIRM_DELAY_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        state.arm_ms = ms.clamp(crate::state::ARM_MS, 10_000);
    }
    state.contexts = kube_contexts(args.kubeconfig.as_deref());
    // Paths under the home directory as ~/..., so the screen shows the problem.
    let home = std::env::var("HOME").unwrap_or_default();
    state.warnings.extend(warnings.into_iter().map(|w| {
        if home.len() > 1 {
            w.replace(&home, "~")
        } else {
            w
        }
    }));
    Ok(state)
}

/// The kubeconfig's context names, for the picker (none if it cannot be
/// read: the connection reports why).
fn kube_contexts(path: Option<&std::path::Path>) -> Vec<String> {
    let config = match path {
        Some(p) => ::kube::config::Kubeconfig::read_from(p),
        None => ::kube::config::Kubeconfig::read(),
    };
    config
        .map(|c| c.contexts.into_iter().map(|c| c.name).collect())
        .unwrap_or_default()
}

pub fn dashboard(args: &DashboardArgs, paths: &Paths) -> ExitCode {
    let _log = start_logging(paths);
    // A kubeconfig or context named on the command line must be usable.
    if (args.kubeconfig.is_some() || args.context.is_some())
        && let Err(e) = crate::kube::preflight(args.kubeconfig.as_deref(), args.context.as_deref())
    {
        say!("error: {e}");
        return ExitCode::from(EXIT_CONFIG);
    }
    match runtime() {
        Ok(rt) => rt.block_on(run(args, paths, None, &[])),
        Err(e) => {
            say!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Loads the configuration and runs the dashboard, with an executor for
/// effects (the demo's fault injection).
pub async fn run(
    args: &DashboardArgs,
    paths: &Paths,
    executor: Option<Executor<'_>>,
    faults: &'static [crate::state::faults::Fault],
) -> ExitCode {
    match build_state(args, paths) {
        Ok(mut state) => {
            state.faults = faults;
            run_dashboard_with(state, args, paths, executor).await
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}
