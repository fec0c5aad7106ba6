//! The importer: a Markdown deployment guide in, a runbook (TOML text that
//! `ops-tui validate` accepts) out, starting with a comment block that
//! lists what was found, what was bound to checks and what needs a human.
//!
//! # Rules
//!
//! **Service**: the first H1 without generic words (production,
//! deployment, guide, readiness, …), slugged; when nothing is left, the
//! file name likewise ("vaultr-deployment.md" → `vaultr`).
//!
//! **Environments** (see `envs`): from what the guide states about where
//! it deploys, never from a word in one item: each namespace its commands
//! and manifests name is one, the most named first, with the context
//! when the guide uses one; with none named, its main target,
//! `production`. Each is `protected` unless its namespace, context and
//! clusters say plainly that it is not production (dev, test, staging, …)
//! and none says it is (`prod`, `live`); unsure is protected. Each gets
//! `prometheus = "${prometheus}"` with a placeholder variable when there
//! are signals or an item bound to `alerts`; the comment block says why
//! each was chosen and whether it is protected.
//!
//! **Phases and items**: the items come from one kind of list, the first
//! the guide has of: task lists (`- [ ]`, `- [x]`, `* [ ]`, nested ones
//! too); status lists (bullets that start or end with ✅ ❌ ⏳ 🔲 ☐ ☑ ✓ ✗
//! ⚠ and the like); numbered steps. A guide with a checklist (task or
//! status lists) means its checklist: its other bullets, and numbered
//! lists in sections with checklist items, are prose; but the numbered
//! steps of a section without checklist items (a rollback procedure, a
//! verification, an announcement) are items of their own phase. Each
//! heading with such items is a phase, named by the heading (a leading
//! "1.", "Step 2:" or "Phase 3 -" dropped; "Daily"/"Weekly"/"Hourly" in it makes
//! a recurring phase). An item's text is the list item's own text without
//! Markdown marks, nested lists or code blocks; mis-encoded UTF-8 (read as
//! Windows-1252 or Mac Roman, like "âœ…" or "‚úÖ") is repaired, then
//! emoji, check marks and other decorative symbols are dropped. Repeated
//! phase names get their parent heading or a number; repeated item ids
//! get an explicit `id`.
//!
//! **Probes**: `curl` commands in shell snippets (and inline code) with GET
//! or HEAD on a health-like path (a segment `health`, `healthz`, `ready`,
//! `readyz`, `live`, `livez`, `status`, `ping`, …); Kubernetes liveness,
//! readiness and startup probes (`httpGet.path`) against the guide's main
//! host; `curl -I` on `/` piped to `grep` is a headers probe (`has()` of
//! each security header the pattern names); a `curl` in a `for` loop of N
//! rounds is a rate-limit probe (`burst = N`, some 429). The most used
//! host becomes `${base}`, others `${base_<label>}`; with no host, `base`
//! is a placeholder. Health probes fail unless `[STATUS] == 200`; probes
//! on https hosts from the guide warn below 14 days of certificate, or
//! fail below the days the guide states for one (see `stated`). Security
//! headers the guide names anywhere join the headers probe, or make one
//! on the main host's `/`.
//!
//! **Workloads and namespaces**: `kubectl` commands (`-n`, `--namespace`,
//! `create namespace NAME`, and a workload as `TYPE/NAME` or `TYPE NAME`,
//! TYPE in any spelling `WorkloadKind::parse` takes: `deployment`,
//! `deploy`, `sts`, `statefulsets.apps`, `ds`, …) and Deployment,
//! StatefulSet, DaemonSet and Namespace manifests (each document of a
//! block; only top-level `kind` and `metadata`). A workload's kind is
//! written unless it is a Deployment. Manifests are read before commands;
//! a name met again as another kind keeps its first kind, and the
//! conflict is listed under "Needs a human". `kubectl patch service S -p
//! '{"spec":{"selector":{"L":…}}}'` gives `blue_green = { service = S,
//! label = L }` to the workloads named like S (or the only one).
//!
//! **Jobs and CronJobs**: `kubectl` commands naming `job/NAME`, `job NAME`,
//! `cronjob/NAME`, `cj NAME` (`jobs.batch`, …), `create job NAME
//! --from=cronjob/CRON` (the CronJob), and Job and CronJob manifests, are
//! listed in the comment block (the runbook has no table for them). A
//! checklist item gets `check = "job:NAME"` when its text names one of
//! them (or says "job" and the guide has one) and says it completed, or,
//! when no other check fits it, when its own code (a code block or inline
//! code in the item, or in a list nested in it) runs or looks at one
//! (`create job`, `wait`, `logs`, `get`, `describe`) or holds its
//! manifest: the first such, by the Job's name, or the CronJob's. These
//! checks are written only while `bind::job_checks()` holds.
//!
//! **Signals**: Prometheus alert rules (`alert:` and `expr:` in YAML, or
//! in prose);
//! the expression left of its last comparison is the query, the
//! comparison the `fail` threshold.
//!
//! **Checks** (see `bind`): an item binds when its text refers to
//! something the import created or found (a probe by its path or role, a
//! signal by its meaning and quantile, a workload by its name, the
//! certificate, headers, rate limit, a Job, the alert rules loaded or
//! none firing) and states a condition; its number becomes the check's
//! threshold in the check's unit (see `numbers`); steps that run a Job
//! (above); every other item is ticked by hand. The comment block gives
//! each binding's words.
//!
//! **Answers and prose rules** (see `bodies`): the answer a guide shows
//! for a health endpoint (after its curl, or in a sentence naming it)
//! becomes a `[BODY]` condition; an alert rule given in prose (a PromQL
//! expression in inline code ending in a comparison) becomes a signal.

mod bind;
mod bodies;
mod emit;
mod envs;
mod extract;
mod found;
mod manifest;
mod markdown;
mod numbers;
mod phases;
mod probes;
mod shell;
mod stated;
mod text;

#[cfg(test)]
mod tests;

/// The kinds of batch object a guide may run or watch: a `job:NAME`
/// check names either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    Job,
    CronJob,
}

impl JobKind {
    /// The kind as Kubernetes spells it: `CronJob`.
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Job => "Job",
            JobKind::CronJob => "CronJob",
        }
    }

    /// Any of the spellings kubectl accepts (`CronJob`, `cronjob`,
    /// `cronjobs`, `cj`, `cronjobs.batch`), case-insensitively.
    pub fn parse(text: &str) -> Option<JobKind> {
        let t = text.trim().to_ascii_lowercase();
        let t = t.strip_suffix(".batch").unwrap_or(&t);
        match t {
            "job" | "jobs" => Some(JobKind::Job),
            "cronjob" | "cronjobs" | "cj" => Some(JobKind::CronJob),
            _ => None,
        }
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the importer found, in numbers and names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub service: String,
    pub env: String,
    /// Which lists the items came from: "task lists", "status lists",
    /// "numbered steps" or "none"; the first two followed by ", and
    /// numbered steps in sections without them" when such procedures are
    /// items too.
    pub items_from: String,
    /// Each phase with its number of items.
    pub phases: Vec<(String, usize)>,
    /// Each probe's name and URL, variables filled in.
    pub probes: Vec<(String, String)>,
    pub workloads: Vec<String>,
    /// The Jobs and CronJobs the guide runs, watches or defines.
    pub jobs: Vec<(JobKind, String)>,
    pub namespaces: Vec<String>,
    /// The alert rules' names, one signal each.
    pub alert_rules: Vec<String>,
    pub signals: Vec<String>,
    /// Items bound to a check.
    pub bound: usize,
    /// Items ticked by hand.
    pub manual: usize,
    /// What a human must fill in or decide.
    pub needs_human: Vec<String>,
}

impl Summary {
    pub fn items(&self) -> usize {
        self.phases.iter().map(|(_, n)| n).sum()
    }
}

/// An imported runbook.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The runbook TOML text, starting with a comment block listing what
    /// was found, what was bound to checks, and what needs a human.
    pub toml: String,
    pub summary: Summary,
}

/// The largest guide imported.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// The most `curl` and `kubectl` commands a guide may hold.
pub const MAX_COMMANDS: usize = 10_000;
/// The most manifests (objects, container probes, alert rules).
pub const MAX_MANIFESTS: usize = 10_000;
/// The most checklist items (list items of the kind chosen).
pub const MAX_ITEMS: usize = 20_000;
/// The most headings.
pub const MAX_HEADINGS: usize = 10_000;

/// Why a guide cannot be imported (without naming it: see [`ImportError`]).
#[derive(Debug, thiserror::Error)]
pub enum GuideError {
    #[error("{0}")]
    Unreadable(#[from] std::io::Error),
    #[error("larger than {} MiB; a guide this large is not a go-live checklist", MAX_INPUT_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("more than {} headings ({})", thousands(MAX_HEADINGS), thousands(*.0))]
    TooManyHeadings(usize),
    #[error("more than {} checklist items ({})", thousands(MAX_ITEMS), thousands(*.0))]
    TooManyItems(usize),
    #[error(
        "more than {} curl and kubectl commands ({}); a guide this large is not a go-live checklist",
        thousands(MAX_COMMANDS),
        thousands(*.0)
    )]
    TooManyCommands(usize),
    #[error("more than {} manifests, probes and alert rules ({})", thousands(MAX_MANIFESTS), thousands(*.0))]
    TooManyManifests(usize),
    #[error(
        "nothing to import: no task list (- [ ] …), status list (✅ …), numbered steps, health endpoint, workload or alert rule"
    )]
    Nothing,
}

/// A guide that cannot be imported, and which.
#[derive(Debug, thiserror::Error)]
#[error("{guide}: {error}")]
pub struct ImportError {
    /// The guide's file name.
    pub guide: String,
    pub error: GuideError,
}

use crate::human::thousands;

/// Reads a guide of at most `MAX_INPUT_BYTES`, mis-encoded bytes replaced
/// (guides may hold them). The error says why, without the path.
pub fn read_guide(path: &std::path::Path) -> Result<String, GuideError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(GuideError::TooLarge);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Turns a Markdown deployment guide into a runbook. `source` (the file
/// name) names the origin in the comment and gives the service name when
/// the title does not. Time and memory grow in proportion to the guide,
/// which may hold at most `MAX_INPUT_BYTES`, `MAX_COMMANDS` commands,
/// `MAX_ITEMS` items and `MAX_HEADINGS` headings.
pub fn import(markdown: &str, source: &str) -> Result<Imported, ImportError> {
    import_with(markdown, source, bind::job_checks())
}

/// [`import`], with `job:NAME` checks written or not.
fn import_with(markdown: &str, source: &str, job_checks: bool) -> Result<Imported, ImportError> {
    let refused = |error| ImportError {
        guide: source.to_string(),
        error,
    };
    if markdown.len() > MAX_INPUT_BYTES {
        return Err(refused(GuideError::TooLarge));
    }
    let doc = markdown::parse(markdown);
    if doc.headings.len() > MAX_HEADINGS {
        return Err(refused(GuideError::TooManyHeadings(doc.headings.len())));
    }
    let kind = phases::source_kind(&doc);
    let items = doc.entries.iter().filter(|e| Some(e.kind) == kind).count();
    if items > MAX_ITEMS {
        return Err(refused(GuideError::TooManyItems(items)));
    }
    let service = text::service_name(doc.title(), source);
    let mut found = extract::extract(&doc, &service).map_err(refused)?;
    stated::apply(markdown, &mut found);
    bodies::apply(markdown, &mut found);
    // Alert rules in prose, when the guide has none in YAML by that name.
    let mut names: std::collections::HashSet<String> =
        found.signals.iter().map(|s| s.name.clone()).collect();
    for (alert, expr) in bodies::prose_rules(markdown) {
        if !found.signals.iter().any(|s| s.alert == alert) {
            extract::push_signal(&mut found, &mut names, &alert, &expr);
        }
    }
    let envs = envs::choose(
        &found.namespaces,
        &found.ns_contexts,
        &found.contexts,
        &found.clusters,
    );
    let mut phases = phases::build(&doc);
    let targets = bind::Targets::new(&found, job_checks);
    let mut adjusts = Vec::new();
    for item in phases.iter_mut().flat_map(|p| p.items.iter_mut()) {
        if let Some((binding, adjust)) = targets.bind_item(item) {
            item.check = Some(binding.check);
            item.because = Some(binding.because);
            item.note = binding.note;
            adjusts.extend(adjust);
        } else {
            item.note = targets.why_manual(&item.text);
        }
    }
    bind::apply(&mut found, &adjusts);
    if phases.is_empty()
        && found.probes.is_empty()
        && found.workloads.is_empty()
        && found.signals.is_empty()
    {
        return Err(refused(GuideError::Nothing));
    }
    let procedures = phases::has_procedures(&doc);
    let items_from = match (phases::source_kind(&doc), procedures) {
        (Some(markdown::Kind::Task), false) => "task lists",
        (Some(markdown::Kind::Task), true) => {
            "task lists, and numbered steps in sections without them"
        }
        (Some(markdown::Kind::Status), false) => "status lists",
        (Some(markdown::Kind::Status), true) => {
            "status lists, and numbered steps in sections without them"
        }
        (Some(markdown::Kind::Step), _) => "numbered steps",
        _ => "none",
    };
    let input = emit::Input {
        source,
        title: doc.title().map(text::clean),
        service: &service,
        envs: &envs,
        items_from,
        found: &found,
        phases: &phases,
    };
    Ok(emit::emit(&input))
}
