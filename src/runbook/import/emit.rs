//! The runbook text: a comment block (found, bound, needs a human), then
//! [service], [env.NAME], [[workload]], [[probe]], [[signal]], [[phase]].
//! Strings are written by the `toml` crate, so quotes, backslashes and
//! control characters are escaped.

use std::fmt::Write as _;

use super::bind::cert_watched;
use super::found::{Found, Probe, ProbeKind};
use super::phases::Phase;
use super::text::comment_safe;
use super::{Imported, Summary};
use crate::kinds::WorkloadKind;

pub struct Input<'a> {
    pub source: &'a str,
    pub title: Option<String>,
    pub service: &'a str,
    /// The environments, the main one first.
    pub envs: &'a [super::envs::Env],
    pub items_from: &'a str,
    pub found: &'a Found,
    pub phases: &'a [Phase],
}

const PROMETHEUS_PLACEHOLDER: &str = "https://prometheus.example.com";

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A string array.
fn list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| q(v)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Text for a field that expands `${var}`: a literal `$` is `$$`.
fn literal_dollars(s: &str) -> String {
    s.replace('$', "$$")
}

fn probe_url(p: &Probe) -> String {
    format!("${{{}}}{}", p.var, literal_dollars(&p.path))
}

fn probe_conditions(found: &Found, p: &Probe) -> (Vec<String>, Vec<String>) {
    let mut fail = Vec::new();
    let mut warn = Vec::new();
    match &p.kind {
        ProbeKind::Health => {
            fail.push("[STATUS] == 200".to_string());
            // The answer the guide shows for it.
            match &p.expect {
                Some((field, value)) if field.is_empty() => {
                    fail.push(format!("[BODY] == {value}"));
                }
                Some((field, value)) => fail.push(format!("[BODY].{field} == {value}")),
                None => {}
            }
        }
        ProbeKind::Headers(names) => {
            fail.push("[STATUS] < 400".to_string());
            fail.extend(names.iter().map(|h| format!("has([HEADER].{h})")));
        }
        ProbeKind::Burst(_) => fail.push("[STATUS_COUNT].429 > 0".to_string()),
    }
    if let Some(ms) = p.below_ms {
        fail.push(format!("[RESPONSE_TIME] < {}", super::numbers::number(ms)));
    }
    if cert_watched(found, p) {
        match found.cert_days {
            // What the guide requires fails the probe.
            Some(days) => fail.push(format!("[CERTIFICATE_EXPIRATION] > {days}d")),
            None => warn.push("[CERTIFICATE_EXPIRATION] > 14d".to_string()),
        }
    }
    (fail, warn)
}

pub fn emit(input: &Input<'_>) -> Imported {
    let found = input.found;
    let bound: Vec<(&str, &str)> = input
        .phases
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| i.check.as_deref().map(|c| (c, i.text.as_str())))
        .collect();
    let items: usize = input.phases.iter().map(|p| p.items.len()).sum();
    let needs_prometheus = !found.signals.is_empty() || bound.iter().any(|(c, _)| *c == "alerts");
    let main = input.envs.first();
    let namespace = main.and_then(|e| e.namespace.as_deref());
    let summary = Summary {
        service: input.service.to_string(),
        env: main.map(|e| e.name.clone()).unwrap_or_default(),
        items_from: input.items_from.to_string(),
        phases: input
            .phases
            .iter()
            .map(|p| (p.name.clone(), p.items.len()))
            .collect(),
        probes: found
            .probes
            .iter()
            .map(|p| {
                let host = found.host(&p.var).map_or("", |h| h.url.as_str());
                (p.name.clone(), format!("{host}{}", p.path))
            })
            .collect(),
        workloads: found.workloads.iter().map(|w| w.name.clone()).collect(),
        jobs: found
            .jobs
            .iter()
            .map(|j| (j.kind, j.name.clone()))
            .collect(),
        namespaces: found.namespaces.keys().cloned().collect(),
        alert_rules: found.signals.iter().map(|s| s.alert.clone()).collect(),
        signals: found.signals.iter().map(|s| s.name.clone()).collect(),
        bound: bound.len(),
        manual: items - bound.len(),
        needs_human: needs_human(
            input,
            namespace,
            needs_prometheus,
            &bound,
            items - bound.len(),
        ),
    };

    let mut out = String::new();
    header(&mut out, input, &summary, &bound);
    let _ = writeln!(out, "[service]\nname = {}", q(input.service));
    let description = match &input.title {
        Some(t) if !t.is_empty() => format!("Imported from {} ({t})", input.source),
        _ => format!("Imported from {}", input.source),
    };
    let _ = writeln!(out, "description = {}\n", q(&description));

    let mut vars: Vec<String> = found
        .hosts
        .iter()
        .map(|h| format!("{} = {}", h.var, q(&h.url)))
        .collect();
    if needs_prometheus {
        vars.push(format!("prometheus = {}", q(PROMETHEUS_PLACEHOLDER)));
    }
    for env in input.envs {
        let _ = writeln!(out, "[env.{}]", env.name);
        if let Some(context) = &env.context {
            let _ = writeln!(out, "context = {}", q(context));
        }
        if let Some(ns) = &env.namespace {
            let _ = writeln!(out, "namespace = {}", q(ns));
        }
        if needs_prometheus {
            let _ = writeln!(out, "prometheus = {}", q("${prometheus}"));
        }
        if !vars.is_empty() {
            let _ = writeln!(out, "vars = {{ {} }}", vars.join(", "));
        }
        if env.protected {
            let _ = writeln!(out, "protected = true");
        }
        out.push('\n');
    }

    for w in &found.workloads {
        let _ = writeln!(out, "[[workload]]\nname = {}", q(&w.name));
        if w.kind != WorkloadKind::Deployment {
            let _ = writeln!(out, "kind = {}", q(w.kind.name()));
        }
        if let Some((service, label)) = &w.blue_green {
            let _ = writeln!(
                out,
                "blue_green = {{ service = {}, label = {} }}",
                q(service),
                q(label)
            );
        }
        out.push('\n');
    }

    for p in &found.probes {
        let _ = writeln!(
            out,
            "[[probe]]\nname = {}\nurl = {}",
            q(&p.name),
            q(&probe_url(p))
        );
        if let ProbeKind::Burst(n) = p.kind {
            let _ = writeln!(out, "burst = {n}");
        }
        let (fail, warn) = probe_conditions(found, p);
        let _ = writeln!(out, "fail = {}", list(&fail));
        if !warn.is_empty() {
            let _ = writeln!(out, "warn = {}", list(&warn));
        }
        out.push('\n');
    }

    for s in &found.signals {
        let _ = writeln!(
            out,
            "[[signal]]\nname = {}\nquery = {}",
            q(&s.name),
            q(&literal_dollars(&s.query))
        );
        if let Some(unit) = s.unit.and_then(|u| toml::Value::try_from(u).ok()) {
            let _ = writeln!(out, "unit = {unit}");
        }
        if let Some(fail) = &s.fail {
            let _ = writeln!(out, "fail = {}", q(fail));
        }
        out.push('\n');
    }

    for phase in input.phases {
        let _ = writeln!(out, "[[phase]]\nname = {}", q(&phase.name));
        if let Some(id) = &phase.id {
            let _ = writeln!(out, "id = {}", q(id));
        }
        if let Some(guide) = &phase.guide {
            let _ = writeln!(out, "guide = {}", q(guide));
        }
        if let Some(every) = phase.every {
            let _ = writeln!(out, "every = {}", q(every));
        }
        out.push_str("items = [\n");
        for item in &phase.items {
            let mut fields = vec![format!("text = {}", q(&item.text))];
            if let Some(id) = &item.id {
                fields.push(format!("id = {}", q(id)));
            }
            if let Some(check) = &item.check {
                fields.push(format!("check = {}", q(check)));
            }
            if let Some(guide) = &item.guide {
                fields.push(format!("guide = {}", q(guide)));
            }
            if fields.len() == 1 {
                let _ = writeln!(out, "  {},", q(&item.text));
            } else {
                let _ = writeln!(out, "  {{ {} }},", fields.join(", "));
            }
        }
        out.push_str("]\n\n");
    }
    let toml = format!("{}\n", out.trim_end());
    Imported { toml, summary }
}

fn needs_human(
    input: &Input<'_>,
    namespace: Option<&str>,
    needs_prometheus: bool,
    bound: &[(&str, &str)],
    manual: usize,
) -> Vec<String> {
    let found = input.found;
    let main = input.envs.first();
    let env = main.map_or("production", |e| e.name.as_str());
    let mut needs = Vec::new();
    if manual > 0 {
        needs.push(format!(
            "{manual} items are ticked by hand: no check fits them"
        ));
    }
    for h in found.hosts.iter().filter(|h| !h.known) {
        needs.push(format!(
            "[env.{env}.vars] {} = \"{}\" is a placeholder: the guide names no host for its probes",
            h.var, h.url
        ));
    }
    for h in &found.hosts {
        if let Some(key) = &h.guessed_from {
            needs.push(format!(
                "[env.{env}.vars] {} = \"{}\" is taken from {key} in the guide: check that it serves the probes' paths",
                h.var, h.url
            ));
        }
    }
    if needs_prometheus {
        needs.push(format!(
            "[env.{env}.vars] prometheus = \"{PROMETHEUS_PLACEHOLDER}\" is a placeholder: set the Prometheus URL"
        ));
    }
    let job_checked = bound.iter().any(|(c, _)| c.starts_with("job:"));
    if (!found.workloads.is_empty() || !found.namespaces.is_empty() || job_checked)
        && main.is_some_and(|e| e.context.is_none())
    {
        needs.push(format!(
            "[env.{env}] has no context: the kubeconfig's current context is used; set context = \"…\""
        ));
    }
    if namespace.is_none() && !found.namespaces.is_empty() {
        let names: Vec<&str> = found.namespaces.keys().map(String::as_str).collect();
        needs.push(format!(
            "[env.{env}] has no namespace: the guide names several ({}); set namespace = \"…\"",
            names.join(", ")
        ));
    } else if namespace.is_none() && (!found.workloads.is_empty() || job_checked) {
        needs.push(format!(
            "[env.{env}] has no namespace: the guide names none; set namespace = \"…\""
        ));
    }
    needs.extend(found.conflicts.iter().cloned());
    for s in found.signals.iter().filter(|s| s.fail.is_none()) {
        needs.push(format!(
            "signal {} (alert {}) has no threshold: its expression ends in no comparison with a number",
            s.name, s.alert
        ));
    }
    for p in &found.probes {
        if matches!(&p.kind, ProbeKind::Headers(h) if h.is_empty()) {
            needs.push(format!(
                "probe {} checks no header: the guide's grep names none; add has([HEADER].Name) conditions",
                p.name
            ));
        }
    }
    needs
}

fn or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn header(out: &mut String, input: &Input<'_>, s: &Summary, bound: &[(&str, &str)]) {
    let mut lines: Vec<String> = Vec::new();
    lines.push(format!("Runbook imported from {}.", input.source));
    lines.push(format!(
        "Checklist items come from the guide's {}.",
        input.items_from
    ));
    lines.push(String::new());
    lines.push("Found:".into());
    let phases: Vec<String> = s.phases.iter().map(|(n, c)| format!("{n} ({c})")).collect();
    lines.push(format!(
        "  {} phases, {} items: {}",
        s.phases.len(),
        s.items(),
        phases.join(", ")
    ));
    lines.push(format!("  {} environments:", input.envs.len()));
    for e in input.envs {
        lines.push(format!("    {}: {}", e.name, e.why));
    }
    lines.push(format!("  {} probes:", s.probes.len()));
    for (p, (name, url)) in input.found.probes.iter().zip(&s.probes) {
        lines.push(format!("    {name}  {url}  (from {})", p.origin));
    }
    let workloads: Vec<String> = input
        .found
        .workloads
        .iter()
        .map(|w| {
            let kind = match w.kind {
                WorkloadKind::Deployment => String::new(),
                other => format!(" ({other})"),
            };
            match &w.blue_green {
                Some((svc, label)) => {
                    format!(
                        "{}{kind} (blue-green: service {svc}, label {label})",
                        w.name
                    )
                }
                None => format!("{}{kind}", w.name),
            }
        })
        .collect();
    lines.push(format!(
        "  {} workloads: {}",
        workloads.len(),
        or_none(&workloads)
    ));
    let jobs: Vec<String> = s
        .jobs
        .iter()
        .map(|(kind, name)| format!("{name} ({kind})"))
        .collect();
    lines.push(format!(
        "  {} jobs and cronjobs: {}",
        jobs.len(),
        or_none(&jobs)
    ));
    let namespaces: Vec<String> = input
        .found
        .namespaces
        .iter()
        .map(|(n, c)| format!("{n} ({c}x)"))
        .collect();
    lines.push(format!(
        "  {} namespaces: {}",
        namespaces.len(),
        or_none(&namespaces)
    ));
    lines.push(format!("  {} alert rules:", s.alert_rules.len()));
    for sig in &input.found.signals {
        let fail = sig.fail.as_deref().unwrap_or("no threshold");
        lines.push(format!("    {} -> signal {} ({fail})", sig.alert, sig.name));
    }
    lines.push(String::new());
    lines.push(format!(
        "Bound to checks: {} of {} items",
        s.bound,
        s.items()
    ));
    let items = || input.phases.iter().flat_map(|p| p.items.iter());
    for item in items().filter(|i| i.check.is_some()) {
        let check = item.check.as_deref().unwrap_or_default();
        lines.push(format!("  {check}  <-  {}", item.text));
        if let Some(because) = &item.because {
            lines.push(format!("      because {because}"));
        }
        if let Some(note) = &item.note {
            lines.push(format!("      note: {note}"));
        }
    }
    let _ = bound;
    lines.push(String::new());
    lines.push(format!("Ticked by hand: {} items", s.manual));
    for item in items().filter(|i| i.check.is_none()) {
        lines.push(format!("  {}", item.text));
        if let Some(note) = &item.note {
            lines.push(format!("      not bound: {note}"));
        }
    }
    lines.push(String::new());
    lines.push("Needs a human:".into());
    for need in &s.needs_human {
        lines.push(format!("  - {need}"));
    }
    for line in lines {
        let line = comment_safe(&line);
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {line}");
        }
    }
    out.push('\n');
}
