//! The checks a runbook must pass after it parses: names, references,
//! variables, URLs. Each problem is (byte offset, message); all are reported.
//! The values the checks parse (thresholds, check references) are kept,
//! so a loaded runbook carries them typed ([`Resolved::apply`]).

use std::collections::HashSet;
use std::ops::Range;

use indexmap::{IndexMap, IndexSet};
use toml::Spanned;

use super::check_ref::{CheckRef, Target};
use super::model::{Environment, RunbookFile};
use super::select::lookup;
use super::threshold::Threshold;
use super::vars::expand;
use crate::condition::Condition;

type Problems = Vec<(usize, String)>;

const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const MAX_BURST: u32 = 1000;
/// Names listed in a message about a reference to an unknown one.
const KNOWN_LISTED: usize = 10;

/// What the checks parsed, in file order: the typed values of a runbook
/// that passed them.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Each signal's warn and fail thresholds.
    thresholds: Vec<[Option<Threshold>; 2]>,
    /// Each phase's items' check references.
    checks: Vec<Vec<Option<CheckRef>>>,
    /// Each workload's usage conditions (None: none given).
    usage: Vec<Option<crate::runbook::usage::UsageRules>>,
    /// Each signal's regression margin in its unit.
    margins: Vec<Option<f64>>,
}

impl Resolved {
    /// Stores the parsed values on the runbook they were parsed from.
    pub fn apply(self, file: &mut RunbookFile) {
        for (signal, [warn, fail]) in file.signals.iter_mut().zip(self.thresholds) {
            let signal = signal.get_mut();
            signal.warn_threshold = warn;
            signal.fail_threshold = fail;
        }
        for (signal, margin) in file.signals.iter_mut().zip(self.margins) {
            signal.get_mut().margin_value = margin;
        }
        for (workload, rules) in file.workloads.iter_mut().zip(self.usage) {
            workload.get_mut().usage_rules = rules;
        }
        for (phase, checks) in file.phases.iter_mut().zip(self.checks) {
            for (item, check_ref) in phase.get_mut().items.iter_mut().zip(checks) {
                item.get_mut().check_ref = check_ref;
            }
        }
    }
}

/// The longest soak a workload may ask for.
const MAX_SOAK: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A signal's `regression` options: a factor above 1, a margin that
/// parses in the signal's unit, a label name. The margin, parsed.
fn check_regression(s: &super::model::Signal, text: &str, problems: &mut Problems) -> Option<f64> {
    let r = s.regression.as_ref()?;
    if let Some(w) = &r.worse
        && !(w.get_ref().is_finite() && *w.get_ref() > 1.0)
    {
        problems.push((
            w.span().start,
            format!(
                "regression.worse must be a factor above 1 (e.g. 2 for twice the baseline), not {}",
                w.get_ref()
            ),
        ));
    }
    if let Some(label) = &r.per_revision {
        let l = label.get_ref();
        let valid = l
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            problems.push((
                raw_char_position(label, text, 0),
                format!(
                    "regression.per_revision \"{l}\" is not a Prometheus label name (letters, digits and '_')"
                ),
            ));
        }
    }
    let m = r.margin.as_ref()?;
    match Threshold::parse_for(&format!("> {}", m.get_ref()), s.unit) {
        Ok(t) if t.value >= 0.0 && t.value.is_finite() => Some(t.value),
        Ok(_) => {
            problems.push((
                raw_char_position(m, text, 0),
                format!("regression.margin \"{}\" must be zero or more", m.get_ref()),
            ));
            None
        }
        Err(e) => {
            problems.push((
                raw_char_position(m, text, e.at.saturating_sub(2)),
                format!(
                    "invalid regression.margin \"{}\": {}",
                    m.get_ref(),
                    e.message
                ),
            ));
            None
        }
    }
}

/// Every problem of the runbook, sorted by position, and the values that
/// parsed.
pub fn check(file: &RunbookFile, text: &str) -> (Problems, Resolved) {
    let mut problems = Problems::new();
    let mut resolved = Resolved::default();
    let service = file.service.get_ref();
    if service.name.get_ref().trim().is_empty() {
        problems.push((
            service.name.span().start,
            "service.name must not be empty".into(),
        ));
    }
    let envs = check_environments(file, &mut problems);
    let service_name = service.name.get_ref().as_str();
    // Every string that may hold ${var} must expand: an environment's own
    // settings in that environment, the rest in every environment.
    let mut expandable: Vec<(&Spanned<String>, bool)> = Vec::new();
    for (i, (_, env)) in envs.iter().enumerate() {
        let own = &envs[i..=i];
        if let Some(p) = &env.prometheus {
            check_expansion(p, true, service_name, own, text, &mut problems);
        }
        for v in env.context.iter().chain(env.namespace.iter()) {
            check_expansion(v, false, service_name, own, text, &mut problems);
        }
    }

    let mut workload_names = Names::new("workload");
    for w in &file.workloads {
        let w = w.get_ref();
        workload_names.add(&w.name, &mut problems);
        if let Some(kind) = &w.kind
            && crate::kinds::WorkloadKind::parse(kind.get_ref()).is_none()
        {
            problems.push((
                kind.span().start,
                format!(
                    "unknown workload kind \"{}\": expected Deployment, StatefulSet or DaemonSet",
                    kind.get_ref()
                ),
            ));
        }
        if !is_dns_subdomain(w.name.get_ref()) {
            problems.push((
                w.name.span().start,
                format!(
                    "workload name \"{}\" is not a valid {} name (lowercase letters, digits, '-' and '.')",
                    w.name.get_ref(),
                    w.kind().name()
                ),
            ));
        }
        if let Some(soak) = &w.soak
            && soak.get_ref().0 > MAX_SOAK
        {
            problems.push((
                soak.span().start,
                format!(
                    "workload {}: soak {} is longer than the longest, 24h",
                    w.name.get_ref(),
                    humantime::format_duration(soak.get_ref().0)
                ),
            ));
        }
        if let Some(sel) = &w.selector
            && sel.get_ref().trim().is_empty()
        {
            problems.push((sel.span().start, "selector must not be empty".into()));
        }
        resolved.usage.push(w.usage.as_ref().map(|limits| {
            let mut parse = |texts: &[Spanned<String>]| -> Vec<crate::runbook::usage::UsageRule> {
                texts
                    .iter()
                    .filter_map(|t| {
                        crate::runbook::usage::UsageRule::parse(t.get_ref())
                            .map_err(|e| {
                                problems.push((
                                    t.span().start,
                                    format!("invalid usage condition \"{}\": {e}", t.get_ref()),
                                ))
                            })
                            .ok()
                    })
                    .collect()
            };
            crate::runbook::usage::UsageRules {
                warn: parse(&limits.warn),
                fail: parse(&limits.fail),
            }
        }));
    }

    let mut probe_names = Names::new("probe");
    for p in &file.probes {
        let p = p.get_ref();
        probe_names.add(&p.name, &mut problems);
        for c in p.fail.iter().chain(&p.warn) {
            if let Err(e) = Condition::parse(c.get_ref()) {
                problems.push((
                    raw_char_position(c, text, e.at),
                    format!("invalid condition \"{}\": {}", c.get_ref(), e.message),
                ));
            }
        }
        expandable.push((&p.url, true));
        expandable.extend(p.headers.values().map(|v| (v, false)));
        expandable.extend(p.body.iter().map(|v| (v, false)));
        if let Some(m) = &p.method
            && !METHODS.contains(&m.get_ref().as_str())
        {
            problems.push((
                m.span().start,
                format!(
                    "unknown method \"{}\": expected one of {}",
                    m.get_ref(),
                    METHODS.join(", ")
                ),
            ));
        }
        if let Some(b) = &p.burst
            && !(1..=MAX_BURST).contains(b.get_ref())
        {
            problems.push((
                b.span().start,
                format!("burst must be between 1 and {MAX_BURST}"),
            ));
        }
    }

    let mut signal_names = Names::new("signal");
    for s in &file.signals {
        let s = s.get_ref();
        signal_names.add(&s.name, &mut problems);
        if s.query.get_ref().trim().is_empty() {
            problems.push((s.query.span().start, "query must not be empty".into()));
        }
        let mut thresholds = [None, None];
        for (parsed, (which, t)) in thresholds
            .iter_mut()
            .zip([("warn", &s.warn), ("fail", &s.fail)])
        {
            let Some(t) = t else { continue };
            match Threshold::parse_for(t.get_ref(), s.unit) {
                Ok(threshold) => *parsed = Some(threshold),
                Err(e) => problems.push((
                    raw_char_position(t, text, e.at),
                    format!(
                        "invalid {which} threshold \"{}\": {}",
                        t.get_ref(),
                        e.message
                    ),
                )),
            }
        }
        resolved.thresholds.push(thresholds);
        resolved
            .margins
            .push(check_regression(s, text, &mut problems));
        expandable.push((&s.query, false));
    }

    for (value, is_url) in expandable {
        check_expansion(value, is_url, service_name, &envs, text, &mut problems);
    }

    let mut phase_names = Names::new("phase");
    let mut item_ids: HashSet<String> = HashSet::new();
    for phase_spanned in &file.phases {
        let phase = phase_spanned.get_ref();
        phase_names.add(&phase.name, &mut problems);
        let mut checks = Vec::with_capacity(phase.items.len());
        for item in &phase.items {
            let at = item.span().start;
            let item = item.get_ref();
            if item.text.trim().is_empty() {
                problems.push((at, "item text must not be empty".into()));
            }
            let id = item.id(phase);
            if !item_ids.insert(id.clone()) {
                problems.push((
                    at,
                    format!("duplicate item id \"{id}\": give one of the items an explicit `id`"),
                ));
            }
            if let Some(check) = &item.check {
                let known = Known {
                    probes: &probe_names,
                    signals: &signal_names,
                    workloads: &workload_names,
                };
                match check_reference(check.get_ref(), &known) {
                    Ok(check_ref) => checks.push(Some(check_ref)),
                    Err(msg) => {
                        problems.push((check.span().start, msg));
                        checks.push(None);
                    }
                }
            } else {
                checks.push(None);
            }
        }
        resolved.checks.push(checks);
    }
    problems.sort_by_key(|(offset, _)| *offset);
    (problems, resolved)
}

fn check_environments<'f>(
    file: &'f RunbookFile,
    problems: &mut Problems,
) -> Vec<(&'f str, &'f Environment)> {
    let empty_at = match &file.env {
        None => Some(file.service.span().start),
        Some(map) if map.get_ref().is_empty() => Some(map.span().start),
        Some(_) => None,
    };
    if let Some(at) = empty_at {
        problems.push((
            at,
            "the runbook has no environments: add at least one [env.NAME] table with its context and namespace"
                .into(),
        ));
    }
    let envs: Vec<(&str, &Environment)> = file
        .env
        .iter()
        .flat_map(|m| m.get_ref().iter())
        .map(|(name, env)| (name.as_str(), env.get_ref()))
        .collect();
    for (_, env) in &envs {
        if let Some(j) = &env.journal {
            if !matches!(j.share.get_ref().as_str(), "cluster" | "local") {
                problems.push((
                    j.share.span().start,
                    format!(
                        "journal.share \"{}\" is not a place: expected \"cluster\" (shared with the team through ConfigMaps) or \"local\" (this machine only)",
                        j.share.get_ref()
                    ),
                ));
            }
            if let Some(ns) = &j.namespace
                && !is_dns_label(ns.get_ref())
            {
                problems.push((
                    ns.span().start,
                    format!(
                        "journal.namespace \"{}\" is not a valid Kubernetes namespace (lowercase letters, digits and '-', at most 63)",
                        ns.get_ref()
                    ),
                ));
            }
        }
        if let Some(ns) = &env.namespace
            && !ns.get_ref().contains("${")
            && !is_dns_label(ns.get_ref())
        {
            problems.push((
                ns.span().start,
                format!(
                    "namespace \"{}\" is not a valid Kubernetes namespace (lowercase letters, digits and '-', at most 63)",
                    ns.get_ref()
                ),
            ));
        }
    }
    envs
}

fn check_expansion(
    value: &Spanned<String>,
    is_url: bool,
    service: &str,
    envs: &[(&str, &Environment)],
    text: &str,
    problems: &mut Problems,
) {
    // Failures grouped by position and message, listing the environments.
    let mut failures: IndexMap<(usize, String), Vec<&str>> = IndexMap::new();
    for (env_name, env) in envs {
        match expand(value.get_ref(), lookup(service, env_name, env)) {
            Ok(expanded) => {
                if is_url && let Err(msg) = check_url(&expanded) {
                    failures
                        .entry((value.span().start, msg))
                        .or_default()
                        .push(env_name);
                }
            }
            Err(e) => {
                let at = raw_position(value, text, e.offset);
                let msg = match &e.name {
                    Some(name) => format!("undefined variable \"{name}\""),
                    None => e.message,
                };
                failures.entry((at, msg)).or_default().push(env_name);
            }
        }
    }
    for ((at, msg), env_names) in failures {
        let hint = match (msg.starts_with("undefined variable"), env_names.as_slice()) {
            (true, [one]) => {
                format!(": define it under [env.{one}.vars] or in the process environment")
            }
            (true, _) => format!(
                ": define it under [env.NAME.vars] of environments {} or in the process environment",
                env_names.join(", ")
            ),
            (false, _) => format!(" (environment {})", env_names.join(", ")),
        };
        problems.push((at, format!("{msg}{hint}")));
    }
}

/// The position in the file of the `${` at byte `offset` of the decoded
/// string.
fn raw_position(value: &Spanned<String>, text: &str, offset: usize) -> usize {
    let chars = value
        .get_ref()
        .get(..offset)
        .map_or(0, |before| before.chars().count());
    raw_char_position(value, text, chars)
}

/// The position in the file of the character at `char_offset` of a string
/// value as decoded (its end when past it): the raw literal is walked, so
/// escapes, multi-byte characters and multi-line strings do not shift it.
/// The string's start when the literal does not decode to the value.
fn raw_char_position(value: &Spanned<String>, text: &str, char_offset: usize) -> usize {
    let span: Range<usize> = value.span();
    let decoded = text.get(span.clone()).and_then(decode_positions);
    match decoded {
        Some((chars, end)) if chars.iter().map(|(c, _)| *c).eq(value.get_ref().chars()) => {
            span.start + chars.get(char_offset).map_or(end, |(_, at)| *at)
        }
        _ => span.start,
    }
}

/// The characters a TOML string literal decodes to, each with its byte
/// offset in the literal, and the offset of the closing delimiter.
fn decode_positions(raw: &str) -> Option<(Vec<(char, usize)>, usize)> {
    let delim = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|d| raw.starts_with(d))?;
    let end = raw.len().checked_sub(delim.len())?;
    if end < delim.len() || !raw.ends_with(delim) {
        return None;
    }
    let body = raw.get(..end)?;
    let mut i = delim.len();
    if delim.len() == 3 {
        // A newline right after the opening delimiter is trimmed.
        if body[i..].starts_with("\r\n") {
            i += 2;
        } else if body[i..].starts_with('\n') {
            i += 1;
        }
    }
    let literal = delim.starts_with('\'');
    let mut out = Vec::new();
    while i < end {
        let c = body[i..].chars().next()?;
        if c != '\\' || literal {
            out.push((c, i));
            i += c.len_utf8();
            continue;
        }
        let escape = body[i + 1..].chars().next()?;
        let hex = |digits: usize| {
            let code = u32::from_str_radix(body.get(i + 2..i + 2 + digits)?, 16).ok()?;
            Some((char::from_u32(code)?, 2 + digits))
        };
        let (decoded, len) = match escape {
            'b' => ('\u{8}', 2),
            't' => ('\t', 2),
            'n' => ('\n', 2),
            'f' => ('\u{c}', 2),
            'r' => ('\r', 2),
            'e' => ('\u{1b}', 2),
            '"' => ('"', 2),
            '\\' => ('\\', 2),
            'x' => hex(2)?,
            'u' => hex(4)?,
            'U' => hex(8)?,
            // A line-ending backslash: the white space up to the next
            // non-white character is trimmed.
            w if w.is_whitespace() && delim.len() == 3 => {
                i += 1;
                while body[i..].starts_with(char::is_whitespace) {
                    i += body[i..].chars().next().map_or(1, char::len_utf8);
                }
                continue;
            }
            _ => return None,
        };
        out.push((decoded, i));
        i += len;
    }
    Some((out, end))
}

fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid URL \"{url}\": {e}"))?;
    match parsed.scheme() {
        "http" | "https" => Ok(()),
        other => Err(format!(
            "URL \"{url}\" has scheme \"{other}\": expected http or https"
        )),
    }
}

struct Known<'a> {
    probes: &'a Names,
    signals: &'a Names,
    workloads: &'a Names,
}

/// What a check names, when the runbook has it.
fn check_reference(text: &str, known: &Known<'_>) -> Result<CheckRef, String> {
    let check_ref = CheckRef::parse(text).map_err(|e| e.to_string())?;
    let (names, target) = match &check_ref {
        CheckRef::Probe(t) => (known.probes, t),
        CheckRef::Signal(t) => (known.signals, t),
        CheckRef::Rollout(t) | CheckRef::Usage(t) => (known.workloads, t),
        CheckRef::Alerts(_) | CheckRef::AlertRules(_) => return Ok(check_ref),
        // Jobs are not declared in the runbook: any Job or CronJob name.
        CheckRef::Job(name) if is_dns_subdomain(name) => return Ok(check_ref),
        CheckRef::Job(name) => {
            return Err(format!(
                "check \"{text}\": \"{name}\" is not a valid Job or CronJob name (lowercase letters, digits, '-' and '.')"
            ));
        }
    };
    match target {
        // Without workloads, rollout:* means every Deployment in the namespace.
        Target::All if names.kind == "workload" => Ok(check_ref),
        Target::All if names.seen.is_empty() => Err(format!(
            "check \"{text}\" needs at least one {}, and the runbook has none",
            names.kind
        )),
        Target::All => Ok(check_ref),
        Target::Named(name) if names.seen.contains(name) => Ok(check_ref),
        Target::Named(name) => {
            // At most KNOWN_LISTED names, so each message is short however
            // many the runbook has.
            let list: Vec<&str> = names
                .seen
                .iter()
                .take(KNOWN_LISTED)
                .map(String::as_str)
                .collect();
            let rest = names.seen.len().saturating_sub(KNOWN_LISTED);
            let known = match (list.is_empty(), rest) {
                (true, _) => "the runbook has none".to_string(),
                (false, 0) => format!("known: {}", list.join(", ")),
                (false, _) => format!("known: {} and {rest} more", list.join(", ")),
            };
            Err(format!(
                "check \"{text}\" names no {} \"{name}\" ({known})",
                names.kind
            ))
        }
    }
}

/// Names of one kind, for duplicate detection and reference checks.
struct Names {
    kind: &'static str,
    seen: IndexSet<String>,
}

impl Names {
    fn new(kind: &'static str) -> Names {
        Names {
            kind,
            seen: IndexSet::new(),
        }
    }

    fn add(&mut self, name: &Spanned<String>, problems: &mut Problems) {
        let at = name.span().start;
        if name.get_ref().trim().is_empty() {
            problems.push((at, format!("{} name must not be empty", self.kind)));
            return;
        }
        if self.seen.contains(name.get_ref()) {
            problems.push((
                at,
                format!("duplicate {} name \"{}\"", self.kind, name.get_ref()),
            ));
        } else {
            self.seen.insert(name.get_ref().clone());
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
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}
