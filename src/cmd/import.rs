//! `ops-tui import GUIDE.md`: a deployment guide becomes a runbook.

use super::common::{EXIT_CONFIG, print_out};
use crate::runbook::import::{import, read_guide};

/// `ops-tui import GUIDE.md [-o FILE]`: exit 0, 2 when the guide cannot be
/// read or yields nothing, 1 when the output cannot be written.
pub fn run(guide: &std::path::Path, output: Option<&std::path::Path>) -> std::process::ExitCode {
    use std::process::ExitCode;
    let text = match read_guide(guide) {
        Ok(text) => text,
        Err(e) => {
            say!("error: {}: {e}", guide.display());
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let name = guide
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("guide.md");
    let imported = match import(&text, name) {
        Ok(i) => i,
        Err(e) => {
            say!("error: {}: {e}", guide.display());
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let s = &imported.summary;
    let items: usize = s.phases.iter().map(|(_, n)| n).sum();
    say!(
        "{}: {} phases, {items} items ({} bound to checks), {} probes, {} workloads, {} jobs and cronjobs, {} signals; {} things need a human (listed at the top)",
        guide.display(),
        s.phases.len(),
        s.bound,
        s.probes.len(),
        s.workloads.len(),
        s.jobs.len(),
        s.signals.len(),
        s.needs_human.len()
    );
    match output {
        Some(path) => match std::fs::write(path, &imported.toml) {
            Ok(()) => {
                say!(
                    "wrote {}; check it with `ops-tui validate {}`",
                    path.display(),
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                say!("error: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        None => {
            print_out(&imported.toml);
            ExitCode::SUCCESS
        }
    }
}
