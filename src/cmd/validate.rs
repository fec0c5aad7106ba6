//! `ops-tui validate [PATH]`: checks a runbook and the user's themes and
//! keymaps; prints a summary or every error. Exit 0, or 2 on errors.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::common::{EXIT_CONFIG, runbook_path};
use crate::cli::DashboardArgs;
use crate::config::keymap::Keymap;
use crate::config::paths::Paths;
use crate::config::theme::Theme;
use crate::config::{Config, user_file_names};
use crate::runbook::Runbook;

pub fn run(path: Option<PathBuf>, args: &DashboardArgs, paths: &Paths) -> ExitCode {
    let config_warnings = config_warnings(args, paths);
    for w in &config_warnings {
        say!("warning: {w}");
    }
    let Some(path) = runbook_path(path) else {
        say!("error: no runbook: pass a PATH, or run in a directory with ops-tui.toml");
        return ExitCode::from(EXIT_CONFIG);
    };
    match Runbook::load(&path) {
        Ok(runbook) => {
            // Names come from the runbook: no escape sequence in them
            // reaches the terminal.
            super::common::print_out(&crate::printable::printable(&summary(&runbook)));
            ExitCode::SUCCESS
        }
        Err(e) => {
            for line in e.to_string().lines() {
                say!("error: {line}");
            }
            let n = e.count();
            say!(
                "{}: {} error{}",
                path.display(),
                crate::human::thousands(n),
                if n == 1 { "" } else { "s" }
            );
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

/// Warnings from config.toml and from every user theme and keymap, plus the
/// ones chosen on the command line.
pub fn config_warnings(args: &DashboardArgs, paths: &Paths) -> Vec<String> {
    let dir = paths.config_dir.as_deref();
    let (config, mut warnings) = Config::load(dir);
    let mut themes = user_file_names(dir, "themes");
    themes.extend(args.theme.clone().or(config.theme));
    let mut keymaps = user_file_names(dir, "keymaps");
    keymaps.extend(args.keymap.clone().or(config.keymap));
    themes.sort();
    themes.dedup();
    keymaps.sort();
    keymaps.dedup();
    for name in themes {
        warnings.extend(Theme::load(&name, dir, false).1);
    }
    for name in keymaps {
        warnings.extend(Keymap::load(&name, dir).1);
    }
    warnings
}

/// The short summary of a valid runbook.
pub fn summary(runbook: &Runbook) -> String {
    let mut out = String::new();
    let envs: Vec<String> = runbook
        .environments()
        .map(|(name, e)| {
            let mut flags = Vec::new();
            if e.protected {
                flags.push("protected");
            }
            if e.read_only {
                flags.push("read-only");
            }
            if flags.is_empty() {
                name.to_string()
            } else {
                format!("{name} [{}]", flags.join(", "))
            }
        })
        .collect();
    let names = |v: Vec<&str>| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.join(", "))
        }
    };
    let workloads: Vec<&str> = runbook
        .workloads()
        .map(|w| w.name.get_ref().as_str())
        .collect();
    let probes: Vec<&str> = runbook
        .probes()
        .map(|p| p.name.get_ref().as_str())
        .collect();
    let signals: Vec<&str> = runbook
        .signals()
        .map(|s| s.name.get_ref().as_str())
        .collect();
    let phases: Vec<_> = runbook.phases().collect();
    let items: usize = phases.iter().map(|p| p.items.len()).sum();
    let auto: usize = phases
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| i.get_ref().check.is_some())
        .count();
    let _ = writeln!(out, "{}: valid", runbook.path.display());
    let _ = writeln!(out, "  service       {}", runbook.service_name());
    let _ = writeln!(out, "  environments  {} ({})", envs.len(), envs.join(", "));
    let _ = writeln!(
        out,
        "  workloads     {}{}",
        workloads.len(),
        names(workloads.clone())
    );
    let _ = writeln!(
        out,
        "  probes        {}{}",
        probes.len(),
        names(probes.clone())
    );
    let _ = writeln!(
        out,
        "  signals       {}{}",
        signals.len(),
        names(signals.clone())
    );
    let _ = writeln!(
        out,
        "  phases        {}, {items} items ({auto} verify themselves)",
        phases.len()
    );
    for phase in phases {
        let every = phase
            .every
            .map(|d| format!(", every {d}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {:<28} {} items{every}",
            phase.name.get_ref(),
            phase.items.len()
        );
    }
    out
}
