//! `ops-tui report`: the journal as a Markdown report, written as it is made.

use super::common::{EXIT_CONFIG, runbook_path};
use crate::report::{FileSource, render_to};
use crate::runbook::Runbook;

/// `ops-tui report`: exit 0, or 2 for a configuration error (no runbook,
/// unknown environment, no data directory), 1 when the output cannot be
/// written.
pub fn run(
    args: &crate::cli::ReportArgs,
    dash: &crate::cli::DashboardArgs,
    paths: &crate::config::paths::Paths,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let config = ExitCode::from(EXIT_CONFIG);
    let Some(path) = runbook_path(dash.runbook.clone()) else {
        say!("error: report needs a runbook: pass --runbook PATH, or run where ops-tui.toml is");
        return config;
    };
    let runbook = match Runbook::load(&path) {
        Ok(r) => r,
        Err(e) => {
            say!("error: {e}");
            return config;
        }
    };
    let overrides = crate::runbook::select::Overrides {
        env: dash.env.clone(),
        context: dash.context.clone(),
        ..Default::default()
    };
    let target = match crate::runbook::select::select(Some(&runbook), &overrides) {
        Ok(t) => t,
        Err(e) => {
            say!("error: {e}");
            return config;
        }
    };
    let Some(data) = paths.data_dir.as_deref() else {
        say!("error: no data directory, so no journal (set OPS_TUI_DATA_DIR)");
        return config;
    };
    let env = target.env.clone().unwrap_or_else(|| "default".into());
    // Every secret known is masked in the records read and in the report.
    let secrets = crate::kube::secrets::known(Some(&runbook), dash.kubeconfig.as_deref());
    let journal = crate::journal::Journal::for_env(data, runbook.service_name(), &env)
        .with_secrets(secrets.clone());
    if target.share.is_some() {
        from_the_cluster(
            &target,
            dash.kubeconfig.as_deref(),
            (runbook.service_name(), &env),
            &journal,
            &secrets,
        );
    }
    let source = FileSource::new(&journal);
    let now = jiff::Timestamp::now().as_second();
    let written = match &args.output {
        Some(file) => std::fs::File::create(file)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))
            .and_then(|f| {
                let mut out = Lines::new(std::io::BufWriter::new(f), &secrets);
                render_to(&mut out, &runbook, &env, &source, now, args.starred_only)
                    .map_err(|e| e.to_string())?;
                out.finish()
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))
            }),
        None => {
            let mut out = Lines::new(std::io::stdout().lock(), &secrets);
            render_to(&mut out, &runbook, &env, &source, now, args.starred_only)
                .map_err(|e| e.to_string())
                .map(|()| {
                    // A closed pipe (`| head`) is not a failure.
                    let _ = out.finish();
                })
        }
    };
    for w in source.warnings.borrow().iter() {
        say!("warning: {w}");
    }
    match (written, &args.output) {
        (Ok(()), Some(file)) => {
            say!("wrote {}", file.display());
            ExitCode::SUCCESS
        }
        (Ok(()), None) => ExitCode::SUCCESS,
        (Err(e), _) => {
            say!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where the journal is shared through the cluster, its entries there
/// that this machine lacks are copied into the local journal first, so
/// that the report holds the whole team's. A cluster that cannot be read
/// is a warning: the report is then this machine's alone.
fn from_the_cluster(
    target: &crate::runbook::select::Target,
    kubeconfig: Option<&std::path::Path>,
    (service, env): (&str, &str),
    journal: &crate::journal::Journal,
    secrets: &crate::secrets::Secrets,
) {
    let Some(share) = &target.share else { return };
    let shared = crate::journal::segments::Shared::new(service, env);
    let read = super::common::runtime()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(async {
                let conn = crate::kube::connect(
                    kubeconfig,
                    target.context.as_deref(),
                    target.namespace.as_deref(),
                )
                .await
                .map_err(|e| e.to_string())?;
                let ns = share
                    .namespace
                    .clone()
                    .unwrap_or_else(|| conn.namespace.clone());
                crate::kube::share::import_into(conn.client, &ns, &shared, journal)
                    .await
                    .map(|(n, warnings)| (n, warnings, ns))
            })
        });
    match read {
        Ok((n, warnings, ns)) => {
            for w in warnings {
                say!("warning: the cluster's copy: {}", secrets.mask(&w));
            }
            if n > 0 {
                say!("read {n} entries of the team's journal from ConfigMaps in {ns}");
            }
        }
        Err(e) => say!(
            "warning: the team's journal in the cluster could not be read ({}): the report holds this machine's entries only",
            secrets.mask(&e)
        ),
    }
}

/// Writes the report line by line as it is made: every secret known
/// masked, control characters from the journal or the runbook written as
/// visible escapes (the report may be printed on a terminal).
struct Lines<'a, W: std::io::Write> {
    out: W,
    line: String,
    secrets: &'a crate::secrets::Secrets,
    error: Option<std::io::Error>,
}

impl<'a, W: std::io::Write> Lines<'a, W> {
    fn new(out: W, secrets: &'a crate::secrets::Secrets) -> Self {
        Lines {
            out,
            line: String::new(),
            secrets,
            error: None,
        }
    }

    fn flush_line(&mut self) {
        let text = crate::printable::printable(&self.secrets.mask(&self.line)).into_owned();
        self.line.clear();
        if self.error.is_none()
            && let Err(e) = self.out.write_all(text.as_bytes())
        {
            self.error = Some(e);
        }
    }

    /// Writes what is left; the first write error, if any.
    fn finish(mut self) -> std::io::Result<()> {
        self.flush_line();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}

impl<W: std::io::Write> std::fmt::Write for Lines<'_, W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let mut rest = s;
        while let Some(i) = rest.find('\n') {
            self.line.push_str(&rest[..=i]);
            self.flush_line();
            rest = &rest[i + 1..];
        }
        self.line.push_str(rest);
        Ok(())
    }
}
