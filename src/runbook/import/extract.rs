//! What the guide's code says: workloads, Jobs, CronJobs and namespaces
//! (`kubectl`, manifests), signals (alert rules), and probes (see
//! `probes`).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use indexmap::{IndexMap, IndexSet};

use super::JobKind;
use super::manifest::{self, Manifests, Object};
use super::markdown::Doc;
use super::phases::source_kind;
use super::probes::{collect_probes, guess_base};
use super::shell::{self, Commands, Kubectl};
use super::text::camel_slug;
use crate::kinds::WorkloadKind;
use crate::runbook::Unit;
use crate::runbook::threshold::Threshold;

use super::found::{Found, Job, Signal, Workload};

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn is_shell(lang: &str) -> bool {
    matches!(
        lang,
        "" | "bash" | "sh" | "shell" | "zsh" | "console" | "terminal" | "shell-session" | "fish"
    )
}

fn is_yaml(lang: &str, text: &str) -> bool {
    matches!(lang, "yaml" | "yml") || (lang.is_empty() && text.contains("apiVersion:"))
}

/// Collects what the guide's code says; an error when it holds more than
/// `MAX_COMMANDS` `curl` and `kubectl` commands or `MAX_MANIFESTS`
/// manifests and alert rules.
pub fn extract(doc: &Doc, service: &str) -> Result<Found, super::GuideError> {
    let mut commands = Commands::default();
    let mut manifests = Manifests::default();
    // The Jobs and CronJobs that list items' own code runs, looks at or
    // defines: (entry, name), in the guide's order.
    let mut item_jobs: Vec<(usize, String)> = Vec::new();
    for block in &doc.code {
        let (kubectls, objects) = (commands.kubectls.len(), manifests.objects.len());
        if is_shell(&block.lang) {
            shell::scan(&block.text, &mut commands);
        }
        if is_yaml(&block.lang, &block.text) {
            manifest::scan(&block.text, &mut manifests);
        }
        if let Some(item) = block.item {
            let new_kubectls = commands.kubectls.get(kubectls..).unwrap_or_default();
            let new_objects = manifests.objects.get(objects..).unwrap_or_default();
            item_jobs.extend(jobs_run(new_kubectls, new_objects).map(|name| (item, name)));
        }
    }
    for inline in &doc.inline_code {
        let kubectls = commands.kubectls.len();
        shell::scan(&inline.text, &mut commands);
        if let Some(item) = inline.item {
            let new_kubectls = commands.kubectls.get(kubectls..).unwrap_or_default();
            item_jobs.extend(jobs_run(new_kubectls, &[]).map(|name| (item, name)));
        }
    }
    let count = commands.curls.len() + commands.kubectls.len();
    if count > super::MAX_COMMANDS {
        return Err(super::GuideError::TooManyCommands(count));
    }
    let count = manifests.objects.len() + manifests.rules.len() + manifests.probes.len();
    if count > super::MAX_MANIFESTS {
        return Err(super::GuideError::TooManyManifests(count));
    }

    let mut found = Found::default();
    collect_kube(&commands, &manifests, &mut found);
    found.step_jobs = step_jobs(doc, item_jobs);
    collect_probes(&commands, &manifests, service, guess_base(doc), &mut found);
    collect_signals(&manifests, &mut found);
    Ok(found)
}

/// The names a `job:` check takes from a list item's code: the Job or
/// CronJob of commands that run or look at one, then Job and CronJob
/// manifests; valid names only.
fn jobs_run<'a>(
    kubectls: &'a [Kubectl],
    objects: &'a [Object],
) -> impl Iterator<Item = String> + 'a {
    let commands = kubectls.iter().filter_map(|k| k.watches_job.clone());
    let manifests = objects
        .iter()
        .filter(|o| job_kind(&o.kind).is_some())
        .map(|o| o.name.clone());
    commands
        .chain(manifests)
        .filter(|name| is_dns_subdomain(name))
}

/// Each checklist entry's Job: the first one its own code or that of the
/// lists nested in it names (an entry of another kind belongs to the
/// nearest checklist entry it is nested in). One pass over the entries.
fn step_jobs(doc: &Doc, item_jobs: Vec<(usize, String)>) -> HashMap<usize, String> {
    let checklist = source_kind(doc);
    let mut step_of: Vec<Option<usize>> = Vec::with_capacity(doc.entries.len());
    for (i, entry) in doc.entries.iter().enumerate() {
        let step = if Some(entry.kind) == checklist {
            Some(i)
        } else {
            // Parents come before their nested entries.
            entry.parent.and_then(|p| step_of.get(p).copied().flatten())
        };
        step_of.push(step);
    }
    let mut steps = HashMap::new();
    for (item, name) in item_jobs {
        if let Some(Some(step)) = step_of.get(item) {
            steps.entry(*step).or_insert(name);
        }
    }
    steps
}

/// A manifest's kind as a workload kind (Kubernetes' own spelling).
fn workload_kind(kind: &str) -> Option<WorkloadKind> {
    WorkloadKind::ALL
        .into_iter()
        .find(|k| !k.is_batch() && k.name() == kind)
}

/// A manifest's kind as a Job or CronJob (Kubernetes' own spelling).
fn job_kind(kind: &str) -> Option<JobKind> {
    [JobKind::Job, JobKind::CronJob]
        .into_iter()
        .find(|k| k.name() == kind)
}

/// Names in the order first seen, each with the first kind seen; a name
/// seen again as another kind is remembered once per other kind.
struct Named<K> {
    kinds: IndexMap<String, K>,
    conflicts: IndexSet<(String, K)>,
}

impl<K: Copy + Eq + Hash> Named<K> {
    fn new() -> Named<K> {
        Named {
            kinds: IndexMap::new(),
            conflicts: IndexSet::new(),
        }
    }

    fn add(&mut self, name: &str, kind: K) {
        if !is_dns_subdomain(name) {
            return;
        }
        match self.kinds.get(name) {
            None => {
                self.kinds.insert(name.to_string(), kind);
            }
            Some(first) if *first != kind => {
                self.conflicts.insert((name.to_string(), kind));
            }
            Some(_) => {}
        }
    }

    /// "… is a StatefulSet in one place of the guide and a Deployment in
    /// another: kept StatefulSet, …" for each name seen as two kinds.
    fn conflicts(&self, what: &str, display: impl Fn(K) -> &'static str) -> Vec<String> {
        self.conflicts
            .iter()
            .filter_map(|(name, other)| {
                let kept = display(*self.kinds.get(name)?);
                Some(format!(
                    "{what} {name} is a {kept} in one place of the guide and a {} in another: kept {kept} (the first seen); check which it is",
                    display(*other)
                ))
            })
            .collect()
    }
}

/// Values that name a colour or a version rather than an app.
fn colour_like(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    matches!(
        v.as_str(),
        "blue"
            | "green"
            | "canary"
            | "stable"
            | "primary"
            | "secondary"
            | "active"
            | "preview"
            | "a"
            | "b"
            | "old"
            | "new"
    ) || v
        .trim_start_matches('v')
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// The selector key a Service's patches switch: one whose value differs
/// between them; else one whose value names a colour or version; else the
/// only key. With none of these, the first key, and why it is unsure.
fn colour_key(sets: &[Vec<(String, String)>]) -> (String, Option<String>) {
    let keys: Vec<&String> = sets.iter().flatten().map(|(k, _)| k).collect();
    let values_of = |key: &str| -> IndexSet<&str> {
        sets.iter()
            .flatten()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    if let Some(k) = keys.iter().find(|k| values_of(k).len() > 1) {
        return ((*k).clone(), None);
    }
    if let Some(k) = keys
        .iter()
        .find(|k| values_of(k).iter().any(|v| colour_like(v)))
    {
        return ((*k).clone(), None);
    }
    let distinct: IndexSet<&String> = keys.iter().copied().collect();
    match distinct.into_iter().collect::<Vec<_>>().as_slice() {
        [only] => ((*only).clone(), None),
        [first, ..] => (
            (*first).clone(),
            Some("its patch sets several selector keys and none of their values reads as a colour or changes".into()),
        ),
        [] => (String::new(), Some("its patch sets no selector key".into())),
    }
}

fn collect_kube(commands: &Commands, manifests: &Manifests, found: &mut Found) {
    let add_ns = |found: &mut Found, ns: &str| {
        if is_dns_label(ns) {
            *found.namespaces.entry(ns.to_string()).or_default() += 1;
        }
    };
    // Manifests first: they define the objects that commands name.
    let mut workloads: Named<WorkloadKind> = Named::new();
    let mut jobs: Named<JobKind> = Named::new();
    for object in &manifests.objects {
        let kind = object.kind.as_str();
        if kind == "Namespace" {
            add_ns(found, &object.name);
            continue;
        }
        if let Some(k) = workload_kind(kind) {
            workloads.add(&object.name, k);
        } else if let Some(k) = job_kind(kind) {
            jobs.add(&object.name, k);
        } else {
            continue;
        }
        if let Some(ns) = &object.namespace {
            add_ns(found, ns);
        }
    }
    let mut switches: IndexSet<(String, String)> = found.switches.drain(..).collect();
    // Each Service's patches, in order: the key that switches is the one
    // whose value differs between them.
    let mut patches: IndexMap<String, Vec<Vec<(String, String)>>> = IndexMap::new();
    for c in &commands.clusters {
        if !found.clusters.contains(c) {
            found.clusters.push(c.clone());
        }
    }
    for k in &commands.kubectls {
        let context = k.in_context.as_ref().filter(|c| !c.contains('$'));
        for ns in k.namespace.iter().chain(k.creates_namespace.iter()) {
            add_ns(found, ns);
            if let Some(c) = context
                && is_dns_label(ns)
            {
                let contexts = found.ns_contexts.entry(ns.clone()).or_default();
                if !contexts.contains(c) {
                    contexts.push(c.clone());
                }
            }
        }
        if let Some(c) = context
            && !found.contexts.contains(c)
        {
            found.contexts.push(c.clone());
        }
        for (kind, name) in &k.workloads {
            workloads.add(name, *kind);
        }
        for (kind, name) in &k.jobs {
            jobs.add(name, *kind);
        }
        if let Some((service, labels)) = &k.switches {
            patches
                .entry(service.clone())
                .or_default()
                .push(labels.clone());
        }
    }
    let mut unsure_switches = Vec::new();
    for (service, sets) in &patches {
        let (label, unsure) = colour_key(sets);
        if let Some(why) = unsure {
            unsure_switches.push(format!(
                "blue_green of service {service}: {why}; kept {label}: check which key names the colour"
            ));
        }
        switches.insert((service.clone(), label));
    }
    found.switches = switches.into_iter().collect();
    found.conflicts = workloads.conflicts("workload", WorkloadKind::name);
    found.conflicts.extend(jobs.conflicts("job", JobKind::name));
    found.conflicts.extend(unsure_switches);
    found.workloads = workloads
        .kinds
        .into_iter()
        .map(|(name, kind)| Workload {
            name,
            kind,
            blue_green: None,
        })
        .collect();
    found.jobs = jobs
        .kinds
        .into_iter()
        .map(|(name, kind)| Job { kind, name })
        .collect();
    // A switch goes to the workloads whose names match its Service's (one
    // a prefix of the other, without a "-service"/"-svc" suffix), or to
    // the only workload.
    for (service, label) in found.switches.clone() {
        let base = service
            .trim_end_matches("-service")
            .trim_end_matches("-svc")
            .to_string();
        let matching: Vec<usize> = found
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.name.starts_with(&base) || base.starts_with(&w.name))
            .map(|(i, _)| i)
            .collect();
        let targets = if matching.is_empty() && found.workloads.len() == 1 {
            vec![0]
        } else {
            matching
        };
        for i in targets {
            if let Some(w) = found.workloads.get_mut(i)
                && w.blue_green.is_none()
            {
                w.blue_green = Some((service.clone(), label.clone()));
            }
        }
    }
}

/// A unit that reads naturally for an alert expression, when it is clear.
fn guess_unit(query: &str, threshold: &str) -> Option<Unit> {
    let number: f64 = threshold
        .trim_start_matches(['>', '<', '=', '!'])
        .trim()
        .parse()
        .ok()?;
    let q = query.to_lowercase();
    if q.contains("histogram_quantile") && q.contains("_seconds") {
        return Some(Unit::Seconds);
    }
    if q.contains('/') && (0.0..=1.0).contains(&number) {
        return Some(Unit::Percent);
    }
    if q.starts_with("rate(") || q.starts_with("irate(") || q.starts_with("sum(rate(") {
        return Some(Unit::PerSecond);
    }
    None
}

fn collect_signals(manifests: &Manifests, found: &mut Found) {
    let mut names: HashSet<String> = found.signals.iter().map(|s| s.name.clone()).collect();
    for rule in &manifests.rules {
        push_signal(found, &mut names, &rule.name, &rule.expr);
    }
}

/// A signal for an alert rule (its name and expression): the query left
/// of its last comparison, the comparison its `fail` threshold.
/// `names` holds the signal names taken (a set, so that thousands of
/// rules cost in proportion to their number).
pub fn push_signal(found: &mut Found, names: &mut HashSet<String>, alert: &str, expr: &str) {
    let stem = {
        let s = camel_slug(alert);
        if s.is_empty() { "alert".to_string() } else { s }
    };
    let mut name = stem.clone();
    let mut n = 2;
    while names.contains(&name) {
        name = format!("{stem}-{n}");
        n += 1;
    }
    names.insert(name.clone());
    let (query, fail) = match manifest::split_threshold(expr) {
        Some((q, t)) => (q, Some(t)),
        None => (expr.to_string(), None),
    };
    let unit = fail.as_deref().and_then(|t| guess_unit(&query, t));
    let fail = fail.filter(|t| Threshold::parse_for(t, unit).is_ok());
    found.signals.push(Signal {
        alert: alert.to_string(),
        name,
        query,
        fail,
        unit,
    });
}
