//! What the guide's code says: workloads and namespaces (`kubectl`,
//! manifests), signals (alert rules), and probes (see `probes`).

use std::collections::HashSet;

use indexmap::{IndexMap, IndexSet};

use super::manifest::{self, Manifests};
use super::markdown::Doc;
use super::probes::{collect_probes, guess_base};
use super::shell::{self, Commands};
use super::text::camel_slug;
use crate::runbook::Unit;
use crate::runbook::threshold::Threshold;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    Health,
    /// A `curl -I` on `/` piped to `grep`: these headers must be present.
    Headers(Vec<String>),
    /// A `curl` in a loop: a rate-limit test of this many requests.
    Burst(u32),
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub name: String,
    /// The variable holding scheme and host.
    pub var: String,
    /// Path and query, as in the guide.
    pub path: String,
    pub kind: ProbeKind,
    /// Where it came from ("curl" or "livenessProbe" …).
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct Host {
    pub var: String,
    pub url: String,
    /// False for a placeholder the human must replace.
    pub known: bool,
    /// Where a guessed host came from, for the human to check.
    pub guessed_from: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub name: String,
    pub blue_green: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Signal {
    pub alert: String,
    pub name: String,
    pub query: String,
    pub fail: Option<String>,
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone, Default)]
pub struct Found {
    pub hosts: Vec<Host>,
    pub probes: Vec<Probe>,
    pub workloads: Vec<Workload>,
    /// Namespaces with how often the guide names them.
    pub namespaces: IndexMap<String, usize>,
    pub signals: Vec<Signal>,
    /// Service switches found: (service, label).
    pub switches: Vec<(String, String)>,
}

impl Found {
    pub fn host(&self, var: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.var == var)
    }

    /// The one namespace the guide clearly works in: the only one, or one
    /// named at least twice as often as any other.
    pub fn main_namespace(&self) -> Option<&str> {
        let mut counts: Vec<(&String, &usize)> = self.namespaces.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1));
        match counts.as_slice() {
            [(name, _)] => Some(name.as_str()),
            [(name, first), (_, second), ..] if **first >= 2 * **second => Some(name.as_str()),
            _ => None,
        }
    }
}

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
    for block in &doc.code {
        if is_shell(&block.lang) {
            shell::scan(&block.text, &mut commands);
        }
        if is_yaml(&block.lang, &block.text) {
            manifest::scan(&block.text, &mut manifests);
        }
    }
    for inline in &doc.inline_code {
        shell::scan(inline, &mut commands);
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
    collect_probes(&commands, &manifests, service, guess_base(doc), &mut found);
    collect_signals(&manifests, &mut found);
    Ok(found)
}

fn collect_kube(commands: &Commands, manifests: &Manifests, found: &mut Found) {
    let add_ns = |found: &mut Found, ns: &str| {
        if is_dns_label(ns) {
            *found.namespaces.entry(ns.to_string()).or_default() += 1;
        }
    };
    let mut workloads: IndexSet<String> = IndexSet::new();
    let mut add_workload = |name: &str| {
        if is_dns_subdomain(name) && !workloads.contains(name) {
            workloads.insert(name.to_string());
        }
    };
    for object in &manifests.objects {
        match object.kind.as_str() {
            "Deployment" => {
                add_workload(&object.name);
                if let Some(ns) = &object.namespace {
                    add_ns(found, ns);
                }
            }
            "Namespace" => add_ns(found, &object.name),
            _ => {}
        }
    }
    let mut switches: IndexSet<(String, String)> = found.switches.drain(..).collect();
    for k in &commands.kubectls {
        for ns in k.namespace.iter().chain(k.creates_namespace.iter()) {
            add_ns(found, ns);
        }
        for d in &k.deployments {
            add_workload(d);
        }
        if let Some(switch) = &k.switches
            && !switches.contains(switch)
        {
            switches.insert(switch.clone());
        }
    }
    found.switches = switches.into_iter().collect();
    found.workloads = workloads
        .into_iter()
        .map(|name| Workload {
            name,
            blue_green: None,
        })
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
        let stem = {
            let s = camel_slug(&rule.name);
            if s.is_empty() { "alert".to_string() } else { s }
        };
        let mut name = stem.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{stem}-{n}");
            n += 1;
        }
        names.insert(name.clone());
        let (query, fail) = match manifest::split_threshold(&rule.expr) {
            Some((q, t)) => (q, Some(t)),
            None => (rule.expr.clone(), None),
        };
        let unit = fail.as_deref().and_then(|t| guess_unit(&query, t));
        let fail = fail.filter(|t| Threshold::parse_for(t, unit).is_ok());
        found.signals.push(Signal {
            alert: rule.name.clone(),
            name,
            query,
            fail,
            unit,
        });
    }
}
