//! Runbooks: the model, loading with positioned errors, and environment
//! selection.

pub mod check_ref;
pub mod duration;
pub mod import;
pub mod model;
mod rules;
pub mod secrets;
pub mod select;
pub mod threshold;
pub mod units;
pub mod usage;
pub mod vars;

use std::path::{Path, PathBuf};

pub use model::*;

use crate::position::Source;

/// One problem in a runbook, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a runbook could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RunbookError {
    #[error("{path}: cannot read the runbook: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: cannot import the guide: {message}")]
    Import { path: String, message: String },
    /// The first `MAX_DIAGNOSTICS` problems with their positions, and how
    /// many more there are.
    #[error("{}", render_diagnostics(.path, .diagnostics, *.more))]
    Invalid {
        path: String,
        diagnostics: Vec<Diagnostic>,
        more: usize,
    },
}

/// Problems reported with their positions; the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 100;

fn render_diagnostics(path: &str, diagnostics: &[Diagnostic], more: usize) -> String {
    let mut lines: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{path}:{}:{}: {}", d.line, d.column, d.message))
        .collect();
    if more > 0 {
        lines.push(format!(
            "{path}: and {} more error{}",
            crate::human::thousands(more),
            if more == 1 { "" } else { "s" }
        ));
    }
    lines.join("\n")
}

impl RunbookError {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            RunbookError::Read { .. } | RunbookError::Import { .. } => &[],
            RunbookError::Invalid { diagnostics, .. } => diagnostics,
        }
    }

    /// How many problems there are, those listed and those only counted.
    pub fn count(&self) -> usize {
        match self {
            RunbookError::Read { .. } | RunbookError::Import { .. } => 1,
            RunbookError::Invalid {
                diagnostics, more, ..
            } => diagnostics.len() + more,
        }
    }
}

/// A runbook that loaded and passed every check.
#[derive(Debug, Clone)]
pub struct Runbook {
    pub path: PathBuf,
    pub file: RunbookFile,
}

impl Runbook {
    /// Reads and checks a runbook file. A Markdown deployment guide
    /// (`.md`) is imported in memory first (`ops-tui import` writes it out).
    pub fn load(path: &Path) -> Result<Runbook, RunbookError> {
        let read = |source| RunbookError::Read {
            path: path.display().to_string(),
            source,
        };
        let markdown = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
        if markdown {
            // Guides may hold mis-encoded bytes: read them leniently.
            let text =
                crate::runbook::import::read_guide(path).map_err(|e| RunbookError::Import {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("guide.md");
            let imported =
                crate::runbook::import::import(&text, name).map_err(|e| RunbookError::Import {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
            // Positions refer to the imported runbook's text.
            let origin = path.with_extension("md (imported)");
            return Runbook::parse(&origin, &imported.toml).map(|mut r| {
                r.path = path.to_path_buf();
                r
            });
        }
        let bytes = std::fs::read(path).map_err(read)?;
        match String::from_utf8(bytes) {
            Ok(text) => Runbook::parse(path, &text),
            Err(e) => {
                let bytes = e.as_bytes();
                let (line, column) = crate::position::invalid_utf8(bytes).unwrap_or((1, 1));
                let at = e.utf8_error().valid_up_to();
                let byte = bytes.get(at).copied().unwrap_or(0);
                Err(RunbookError::Invalid {
                    path: path.display().to_string(),
                    diagnostics: vec![Diagnostic {
                        line,
                        column,
                        message: format!(
                            "not valid UTF-8 (byte 0x{byte:02X}): a runbook is UTF-8 text"
                        ),
                    }],
                    more: 0,
                })
            }
        }
    }

    /// Parses and checks runbook text; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Runbook, RunbookError> {
        let origin = path.display().to_string();
        let src = Source::new(&origin, text);
        let invalid = |diagnostics, more| RunbookError::Invalid {
            path: origin.clone(),
            diagnostics,
            more,
        };
        let mut file: RunbookFile = toml::from_str(text).map_err(|e| {
            let (line, column) = src.line_col(e.span().map_or(0, |s| s.start));
            invalid(
                vec![Diagnostic {
                    line,
                    column,
                    message: e.message().trim_end().to_string(),
                }],
                0,
            )
        })?;
        let (problems, resolved) = rules::check(&file, text);
        if !problems.is_empty() {
            // Sorted by position, so placing them is one pass over the text.
            let more = problems.len().saturating_sub(MAX_DIAGNOSTICS);
            let diagnostics = problems
                .into_iter()
                .take(MAX_DIAGNOSTICS)
                .map(|(offset, message)| {
                    let (line, column) = src.line_col(offset);
                    Diagnostic {
                        line,
                        column,
                        message,
                    }
                })
                .collect();
            return Err(invalid(diagnostics, more));
        }
        // Every threshold and check reference parsed: state and rendering
        // use them typed and never parse.
        resolved.apply(&mut file);
        Ok(Runbook {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn service_name(&self) -> &str {
        self.file.service.get_ref().name.get_ref()
    }

    /// Environments in file order.
    pub fn environments(&self) -> impl Iterator<Item = (&str, &Environment)> {
        self.file
            .env
            .iter()
            .flat_map(|m| m.get_ref().iter())
            .map(|(name, env)| (name.as_str(), env.get_ref()))
    }

    pub fn workloads(&self) -> impl Iterator<Item = &Workload> {
        self.file.workloads.iter().map(|w| w.get_ref())
    }

    /// One label selector covering every workload's pods, when each
    /// workload names its pods' `selector`: the same selector for all, or
    /// `key=value` selectors of one key, as `key in (v1,v2)`. None: the
    /// pods of the whole namespace are watched.
    pub fn pod_selector(&self) -> Option<String> {
        let selectors = self
            .workloads()
            .map(|w| w.selector.as_ref().map(|s| s.get_ref().trim().to_string()))
            .collect::<Option<Vec<String>>>()?;
        pod_selector(&selectors)
    }

    pub fn probes(&self) -> impl Iterator<Item = &Probe> {
        self.file.probes.iter().map(|p| p.get_ref())
    }

    pub fn signals(&self) -> impl Iterator<Item = &Signal> {
        self.file.signals.iter().map(|s| s.get_ref())
    }

    pub fn phases(&self) -> impl Iterator<Item = &Phase> {
        self.file.phases.iter().map(|p| p.get_ref())
    }
}

impl Phase {
    /// Explicit `id`, else a slug of the name.
    pub fn id(&self) -> String {
        self.id.clone().unwrap_or_else(|| slug(self.name.get_ref()))
    }
}

impl Item {
    /// Explicit `id`, else a slug of the phase and the text.
    pub fn id(&self, phase: &Phase) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => format!("{}/{}", phase.id(), slug(&self.text)),
        }
    }
}

/// Lowercase letters and digits, other runs become one `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn pod_selector(selectors: &[String]) -> Option<String> {
    let first = selectors.first()?;
    if selectors.iter().all(|s| s == first) {
        return Some(first.clone());
    }
    let plain = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    };
    let mut key = None;
    let mut values: Vec<&str> = Vec::new();
    for s in selectors {
        let (k, v) = s.split_once('=')?;
        let (k, v) = (k.trim(), v.trim());
        if !plain(k) || !plain(v) || key.is_some_and(|key| key != k) {
            return None;
        }
        key = Some(k);
        if !values.contains(&v) {
            values.push(v);
        }
    }
    Some(format!("{} in ({})", key?, values.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_selector_covers_the_workloads_pods_or_none_does() {
        let sel =
            |list: &[&str]| pod_selector(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(sel(&["app=api"]).as_deref(), Some("app=api"));
        assert_eq!(
            sel(&["tier=web,env=prod", "tier=web,env=prod"]).as_deref(),
            Some("tier=web,env=prod")
        );
        assert_eq!(
            sel(&["app=api", "app=worker", "app=api"]).as_deref(),
            Some("app in (api,worker)")
        );
        assert_eq!(
            sel(&["app=api", "name=worker"]),
            None,
            "two keys cannot be or-ed"
        );
        assert_eq!(sel(&["app=api", "app!=worker"]), None);
        assert_eq!(sel(&["app=api,tier=x", "app=worker"]), None);
        assert_eq!(sel(&[]), None);
    }

    /// Every signal's thresholds and every item's check as parsed from
    /// their text: what state and rendering use, never parsing again.
    fn assert_resolved(runbook: &Runbook) {
        for s in runbook.signals() {
            let parsed = |t: &Option<toml::Spanned<String>>| {
                t.as_ref()
                    .map(|t| threshold::Threshold::parse_for(t.get_ref(), s.unit).unwrap())
            };
            assert_eq!(s.warn_threshold, parsed(&s.warn), "{}", s.name.get_ref());
            assert_eq!(s.fail_threshold, parsed(&s.fail), "{}", s.name.get_ref());
        }
        for phase in runbook.phases() {
            for item in &phase.items {
                let item = item.get_ref();
                let parsed = item
                    .check
                    .as_ref()
                    .map(|c| check_ref::CheckRef::parse(c.get_ref()).unwrap());
                assert_eq!(item.check_ref, parsed, "{}", item.text);
            }
        }
    }

    #[test]
    fn usage_conditions_load_typed_and_bad_ones_are_placed() {
        let text = r#"
[service]
name = "shop"

[env.prod]
context = "prod"
namespace = "shop"

[[workload]]
name = "api"
usage = { warn = ["cpu < 90% of request"], fail = ["memory < 1Gi"] }

[[workload]]
name = "db"
kind = "StatefulSet"

[[phase]]
name = "After"
items = [
  { text = "memory within limits", check = "usage:api" },
  { text = "all of them", check = "usage:*" },
]
"#;
        let runbook = Runbook::parse(Path::new("r.toml"), text).unwrap();
        let mut workloads = runbook.workloads();
        let api = workloads.next().unwrap().usage_rules();
        assert_eq!(api.warn[0].to_string(), "cpu < 90% of request");
        assert_eq!(api.fail[0].to_string(), "memory < 1024Mi");
        // Without `usage`, the defaults.
        let db = workloads.next().unwrap().usage_rules();
        assert_eq!(db, usage::UsageRules::default());
        let items = &runbook.phases().next().unwrap().items;
        assert_eq!(
            items[0].get_ref().check_ref,
            Some(check_ref::CheckRef::Usage(check_ref::Target::Named(
                "api".into()
            )))
        );

        let bad = text
            .replace("cpu < 90% of request", "cpu > 90%")
            .replace("usage:api", "usage:web");
        let err = Runbook::parse(Path::new("r.toml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("r.toml:11:") && err.contains("invalid usage condition \"cpu > 90%\""),
            "{err}"
        );
        assert!(
            err.contains("check \"usage:web\" names no workload \"web\""),
            "{err}"
        );
    }

    #[test]
    fn a_loaded_runbook_carries_its_thresholds_and_checks_parsed() {
        let text = r#"
[service]
name = "shop"

[env.prod]
context = "prod"
namespace = "shop"
prometheus = "http://prometheus:9090"

[[workload]]
name = "api"

[[probe]]
name = "health"
url = "http://api/healthz"

[[signal]]
name = "latency"
query = "histogram_quantile(0.99, rate(x[5m]))"
unit = "milliseconds"
warn = "> 300ms"
fail = " >= 1s "

[[signal]]
name = "errors"
query = "rate(errors[5m])"
unit = "percent"
fail = "> 1%"

[[signal]]
name = "plain"
query = "up"

[[phase]]
name = "Deploy"
items = [
  "by hand",
  { text = "healthy", check = " probe: health " },
  { text = "rolled out", check = "rollout:*" },
  { text = "quiet", check = "alerts:severity=critical" },
  { text = "signals", check = "signal:*" },
]
"#;
        let runbook = Runbook::parse(Path::new("r.toml"), text).unwrap();
        assert_resolved(&runbook);
        let latency = runbook.signals().next().unwrap();
        assert_eq!(latency.warn_threshold.as_ref().unwrap().value, 300.0);
        assert_eq!(latency.fail_threshold.as_ref().unwrap().value, 1000.0);
        let plain = runbook.signals().nth(2).unwrap();
        assert_eq!(
            (&plain.warn_threshold, &plain.fail_threshold),
            (&None, &None)
        );
        let items = &runbook.phases().next().unwrap().items;
        assert_eq!(items[0].get_ref().check_ref, None);
        assert_eq!(
            items[1].get_ref().check_ref,
            Some(check_ref::CheckRef::Probe(check_ref::Target::Named(
                "health".into()
            )))
        );

        for name in ["demo.toml", "example.toml"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("runbooks")
                .join(name);
            assert_resolved(&Runbook::load(&path).unwrap());
        }
    }

    #[test]
    fn slugs_are_stable_and_readable() {
        assert_eq!(slug("Post-Deployment"), "post-deployment");
        assert_eq!(
            slug("  All health endpoints: responding!  "),
            "all-health-endpoints-responding"
        );
        assert_eq!(slug("Error rates < 1%"), "error-rates-1");
    }
}
