//! Which check an item asks for, from what the runbook contains: an item
//! binds to a check when its text refers to something the import created
//! or found (a probe by its path or role, a signal by its meaning, a
//! workload by its name, the certificate, the headers, the rate limit, a
//! Job, the alert rules) and states a condition, so that "Configure rate
//! limiting" (a task) stays manual while "Rate limiting tested" (a state)
//! is bound. A number the item states ("below 1%", "under 500 ms", "more
//! than 30 days") becomes the check's threshold in the check's own unit;
//! where the guide's alert rule says otherwise, the item gets a signal of
//! its own at its number and the comment block says so. An item no rule
//! binds, whose own code runs or watches a Job or CronJob (or defines
//! one), is bound to that Job. Each binding keeps the words that caused
//! it, for the comment block.

use std::collections::{HashMap, HashSet};

use super::found::{Found, ProbeKind, Signal};
use super::numbers::{self, Stated};
use crate::runbook::check_ref::CheckRef;

/// Whether imported items may get `job:NAME` checks ("the newest Job of
/// that name, or of that CronJob, completed successfully"). With it on,
/// they are written as soon as the runbook's checks accept `job:` (see
/// [`job_checks`]); false keeps every such item ticked by hand.
pub const JOB_CHECKS: bool = true;

/// Whether this build writes `job:NAME` checks: [`JOB_CHECKS`] is on and
/// `validate` accepts them, so an imported runbook always loads.
pub fn job_checks() -> bool {
    JOB_CHECKS && CheckRef::parse("job:x").is_ok()
}

/// First words that make an item a task, not a state.
const SETUP_VERBS: &[&str] = &[
    "add",
    "build",
    "configure",
    "create",
    "define",
    "document",
    "enable",
    "generate",
    "implement",
    "install",
    "obtain",
    "prepare",
    "provision",
    "register",
    "set",
    "setup",
    "write",
];

/// A check for an item, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub check: String,
    /// The words of the item that caused it, and what they matched.
    pub because: String,
    /// A disagreement or a threshold taken from the item, for the comment
    /// block.
    pub note: Option<String>,
}

/// A change to what was found that an item's number asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Adjust {
    /// A signal of its own for the item: the guide's signal's query at
    /// the item's threshold.
    Signal {
        from: String,
        name: String,
        fail: String,
    },
    /// The signal had no threshold: the item's becomes it.
    SignalFail { name: String, fail: String },
    /// A response-time condition on a probe (milliseconds).
    ResponseTime { probe: String, below_ms: f64 },
    /// The certificate must stay valid this many days.
    CertDays(u32),
}

/// What a probe is for, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Ready,
    Live,
    Startup,
    Health,
}

pub fn role(path: &str) -> Role {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect();
    let any = |words: &[&str]| segments.iter().any(|s| words.contains(s));
    if any(&["ready", "readyz", "readiness"]) {
        Role::Ready
    } else if any(&["live", "livez", "liveness", "alive"]) {
        Role::Live
    } else if any(&["startup", "startupz", "started"]) {
        Role::Startup
    } else {
        Role::Health
    }
}

/// What a signal measures, from its alert's name and query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Meaning {
    Latency,
    Errors,
    Memory,
    Cpu,
    Traffic,
    Other,
}

fn meaning(alert: &str, query: &str) -> Meaning {
    let text = format!("{} {}", alert, query).to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["histogram_quantile"]) {
        Meaning::Latency
    } else if has(&["5..", "5xx", "error", "fail", "\"5", "=~\"5"]) {
        Meaning::Errors
    } else if has(&["latency", "duration", "response_time", "_bucket"]) {
        Meaning::Latency
    } else if has(&["memory", "heap", "rss", "oom"]) {
        Meaning::Memory
    } else if has(&["cpu"]) {
        Meaning::Cpu
    } else if has(&["request", "traffic", "throughput", "rps"]) {
        Meaning::Traffic
    } else {
        Meaning::Other
    }
}

/// The quantile a latency signal reads: `histogram_quantile(0.99, …)`, or
/// `P99` in its alert's name.
fn signal_quantile(alert: &str, query: &str) -> Option<u32> {
    let q = query.to_lowercase();
    if let Some(at) = q.find("histogram_quantile(") {
        let rest = q[at + 19..].trim_start();
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if let Ok(v) = number.parse::<f64>() {
            return Some((v * 1000.0).round() as u32);
        }
    }
    quantile_word(&alert.to_lowercase())
}

/// "p99", "p95", "p999", "99th percentile": the quantile in thousandths.
fn quantile_word(lower: &str) -> Option<u32> {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(n) = w.strip_prefix('p')
            && (2..=3).contains(&n.len())
            && let Ok(v) = n.parse::<u32>()
        {
            return Some(if n.len() == 2 { v * 10 } else { v });
        }
        if let Some(n) = w.strip_suffix("th")
            && let Ok(v) = n.parse::<u32>()
            && words
                .get(i + 1)
                .is_some_and(|n| n.starts_with("percentile"))
            && (50..100).contains(&v)
        {
            return Some(v * 10);
        }
    }
    // An alert named `LatencyP99High` reads "latencyp99high".
    for (at, _) in lower.match_indices('p') {
        let digits: String = lower[at + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if (digits.len() == 2 || digits.len() == 3) && at > 0 {
            let v: u32 = digits.parse().ok()?;
            return Some(if digits.len() == 2 { v * 10 } else { v });
        }
    }
    None
}

struct ProbeTarget {
    name: String,
    path: String,
    role: Role,
    base: bool,
    /// The words of its host ("lumen", "rehearsal", "staging", …).
    host_words: Vec<String>,
}

struct SignalTarget {
    name: String,
    alert: String,
    /// The telling words of its alert's name ("consumer", "lag").
    words: Vec<String>,
    meaning: Meaning,
    quantile: Option<u32>,
    ratio: bool,
    unit: Option<crate::runbook::Unit>,
    fail: Option<String>,
}

/// What the runbook offers to bind items to.
pub struct Targets {
    probes: Vec<ProbeTarget>,
    /// Whether every probe but the bursts is a health probe.
    only_health: bool,
    signals: Vec<SignalTarget>,
    /// A probe on a known https URL that watches the certificate.
    certificate: Option<String>,
    /// The days the guide says a certificate must stay valid.
    cert_days: Option<u32>,
    /// The headers probe, when it names headers.
    headers: Option<String>,
    /// The rate-limit (burst) probe.
    rate_limit: Option<String>,
    workloads: Vec<String>,
    /// Whether the guide names a namespace (so `rollout:*` has something).
    namespaces: bool,
    /// The alert rules' names.
    alerts: Vec<String>,
    /// The words of the workloads' names: they tell no alert apart.
    service_words: Vec<String>,
    /// The signals of each meaning, by index.
    by_meaning: HashMap<Meaning, Vec<usize>>,
    /// The signals whose alert's name has each word, by index.
    by_word: HashMap<String, Vec<usize>>,
    /// The alert rules by their lowercase names.
    alert_names: HashMap<String, String>,
    /// Whether `job:` checks are written (see [`job_checks`]).
    job_checks: bool,
    /// The names of the guide's Jobs and CronJobs.
    jobs: HashSet<String>,
    /// The guide's one Job or CronJob name.
    only_job: Option<String>,
    /// Each checklist entry's Job (see `Found::step_jobs`).
    step_jobs: HashMap<usize, String>,
}

/// The most alert rules an `alerts:configured=…` check names; beyond
/// that, any rule loaded will do.
const MAX_NAMED_RULES: usize = 20;

/// Signals a word may be in and still tell one apart.
const MAX_SHARING: usize = 64;

/// Words that say a Job ran to its end.
const JOB_DONE: &[&str] = &["complete", "succeeded", "successful", "finished"];

/// Words that say a probe answers as it should.
const ANSWERS: &[&str] = &[
    "200",
    "2xx",
    "respond",
    "answer",
    "return",
    "give",
    "pass",
    "ok",
    " up",
    "green",
    "healthy",
    "reachable",
    "succeed",
    "success",
    "work",
    "available",
    "fine",
    "reply",
    "serving",
];

/// First words that make an item a verification of what it names.
const VERIFY_VERBS: &[&str] = &[
    "check", "verify", "confirm", "ensure", "test", "validate", "curl", "probe", "smoke",
];

/// Words that say a workload finished rolling out.
const ROLLED: &[&str] = &[
    "complete",
    "finished",
    "done",
    "succeeded",
    "successful",
    "success",
    "available",
    "ready",
    "healthy",
    "up to date",
    "up-to-date",
    "updated",
    "running",
    "stable",
    "rolled out",
];

/// Words that say a signal is within bounds.
const WITHIN: &[&str] = &[
    "below",
    "under",
    "within",
    "less",
    "low",
    "normal",
    "stable",
    "acceptable",
    "nominal",
    "baseline",
    "no spike",
    "not spik",
    "excessive",
    "ok",
    "healthy",
    "fine",
    "flat",
    "no increase",
    "no errors",
    "<",
];

/// Whether `word` is in `lower` standing alone (not inside another word).
fn has_word(lower: &str, word: &str) -> bool {
    let bytes = lower.as_bytes();
    let edge = |c: Option<&u8>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'-'));
    lower.match_indices(word).any(|(at, _)| {
        edge(at.checked_sub(1).and_then(|i| bytes.get(i))) && edge(bytes.get(at + word.len()))
    })
}

/// The first of `words` in `t`, as found.
fn first<'w>(t: &str, words: &[&'w str]) -> Option<&'w str> {
    words.iter().find(|w| t.contains(**w)).copied()
}

impl Targets {
    pub fn new(found: &Found, job_checks: bool) -> Targets {
        let probes = found
            .probes
            .iter()
            .filter(|p| p.kind == ProbeKind::Health)
            .map(|p| ProbeTarget {
                name: p.name.clone(),
                path: p.path.clone(),
                role: role(&p.path),
                base: p.var == "base",
                host_words: found
                    .host(&p.var)
                    .map(|h| {
                        let host = h.url.split("://").nth(1).unwrap_or(&h.url);
                        host.split(['.', '-', ':'])
                            .filter(|w| w.len() > 2 && !w.chars().all(|c| c.is_ascii_digit()))
                            .map(str::to_lowercase)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let certificate = found
            .probes
            .iter()
            .filter(|p| cert_watched(found, p))
            .min_by_key(|p| {
                (
                    p.var != "base",
                    p.kind != ProbeKind::Health,
                    p.path != "/health",
                )
            })
            .map(|p| p.name.clone());
        let headers = found
            .probes
            .iter()
            .find(|p| matches!(&p.kind, ProbeKind::Headers(h) if !h.is_empty()))
            .map(|p| p.name.clone());
        let rate_limit = found
            .probes
            .iter()
            .find(|p| matches!(p.kind, ProbeKind::Burst(_)))
            .map(|p| p.name.clone());
        let signals: Vec<SignalTarget> = found.signals.iter().map(signal_target).collect();
        let by_meaning = {
            let mut m: HashMap<Meaning, Vec<usize>> = HashMap::new();
            for (i, s) in signals.iter().enumerate() {
                m.entry(s.meaning).or_default().push(i);
            }
            m
        };
        let by_word = {
            let mut m: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, s) in signals.iter().enumerate() {
                for w in &s.words {
                    let at = m.entry(w.clone()).or_default();
                    if at.last() != Some(&i) {
                        at.push(i);
                    }
                }
            }
            m
        };
        let jobs: HashSet<String> = found.jobs.iter().map(|j| j.name.clone()).collect();
        let only_job = match found.jobs.as_slice() {
            [one] => Some(one.name.clone()),
            _ => None,
        };
        Targets {
            probes,
            only_health: found
                .probes
                .iter()
                .all(|p| matches!(p.kind, ProbeKind::Health | ProbeKind::Burst(_))),
            signals,
            certificate,
            cert_days: found.cert_days,
            headers,
            rate_limit,
            workloads: found.workloads.iter().map(|w| w.name.clone()).collect(),
            namespaces: !found.namespaces.is_empty(),
            alerts: found.signals.iter().map(|s| s.alert.clone()).collect(),
            by_meaning,
            by_word,
            alert_names: found
                .signals
                .iter()
                .map(|s| (s.alert.to_lowercase(), s.alert.clone()))
                .collect(),
            service_words: found
                .workloads
                .iter()
                .flat_map(|w| w.name.split('-'))
                .map(str::to_lowercase)
                .collect(),
            job_checks,
            jobs,
            only_job,
            step_jobs: found.step_jobs.clone(),
        }
    }

    /// The check for a checklist item: what its text asks for, else the
    /// Job its own code runs or watches.
    pub fn bind_item(&self, item: &super::phases::Item) -> Option<(Binding, Option<Adjust>)> {
        self.bind(&item.text).or_else(|| {
            let job = self
                .step_jobs
                .get(&item.entry)
                .filter(|_| self.job_checks)?;
            Some(plain(
                format!("job:{job}"),
                format!("its commands run or watch {job}"),
            ))
        })
    }

    /// Why an item that speaks of a signal is not bound to one, when that
    /// is the reason (for the comment block).
    pub fn why_manual(&self, text: &str) -> Option<String> {
        let t = text.to_lowercase();
        match self.bind_signal(&t, numbers::stated(text).as_ref()) {
            Some(Err(why)) => Some(why),
            _ => None,
        }
    }

    /// The Job an item's text (lowercase) says completed: one it names, or
    /// the guide's only one when it says "job".
    fn job_done(&self, t: &str) -> Option<(String, &'static str)> {
        if !self.job_checks {
            return None;
        }
        let done = first(t, JOB_DONE)?;
        let mut says_job = false;
        for word in t.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.')) {
            let word = word.trim_matches('.');
            if self.jobs.contains(word) {
                return Some((word.to_string(), done));
            }
            says_job |= matches!(word, "job" | "jobs" | "cronjob" | "cronjobs");
        }
        if says_job {
            self.only_job.clone().map(|j| (j, done))
        } else {
            None
        }
    }

    /// The check for an item, if its text clearly asks for one, with a
    /// change its number asks of what was found.
    pub fn bind(&self, text: &str) -> Option<(Binding, Option<Adjust>)> {
        let t = text.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        // An item that starts with a set-up verb is a task, not a state.
        let first_word = t
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| !w.is_empty())
            .unwrap_or("");
        if SETUP_VERBS.contains(&first_word) {
            return None;
        }
        let stated = numbers::stated(text);
        let bound = |check: String, because: String| {
            Some((
                Binding {
                    check,
                    because,
                    note: None,
                },
                None,
            ))
        };

        // The certificate.
        if let Some(subject) = first(&t, &["certificat", "tls", "ssl", " cert "])
            && let Some(state) = first(&t, &["valid", "verified", "expir", "renew", "days"])
        {
            let probe = self.certificate.as_ref()?;
            let because = format!("\"{subject}\" + \"{state}\"");
            let days = stated.as_ref().and_then(Stated::days);
            return Some(match days {
                Some(days) if Some(days) != self.cert_days => (
                    Binding {
                        check: format!("probe:{probe}"),
                        because,
                        note: Some(format!(
                            "the item asks for {days} days of certificate: the https probes fail below {days}d"
                        )),
                    },
                    Some(Adjust::CertDays(days)),
                ),
                _ => (
                    Binding {
                        check: format!("probe:{probe}"),
                        because,
                        note: None,
                    },
                    None,
                ),
            });
        }
        // Security headers, or a header by any of its names (HSTS, CSP,
        // X-Frame-Options) that the headers probe checks.
        let header = super::stated::headers(text).into_iter().next();
        let header_subject = if has(&["security header"]) {
            Some("security header".to_string())
        } else {
            header
        };
        let header_state = [
            "configured",
            "present",
            "set",
            "enabled",
            "correct",
            "sent",
            "returned",
            "in place",
        ]
        .into_iter()
        .find(|w| has_word(&t, w));
        if let Some(subject) = header_subject
            && let Some(state) = header_state
            && !has(&["violation", "report"])
        {
            let probe = self.headers.as_ref()?;
            return bound(
                format!("probe:{probe}"),
                format!("\"{subject}\" + \"{state}\""),
            );
        }
        if let Some(subject) = first(&t, &["rate limit", "rate-limit", "ratelimit", "throttl"])
            && let Some(state) = first(
                &t,
                &[
                    "working",
                    "works",
                    "tested",
                    "test ",
                    "functioning",
                    "verified",
                    "enforced",
                    "429",
                    "active",
                ],
            )
        {
            let probe = self.rate_limit.as_ref()?;
            return bound(
                format!("probe:{probe}"),
                format!("\"{subject}\" + \"{state}\""),
            );
        }
        // The alerts: none firing, or the rules loaded.
        if let Some(found) = self.bind_alerts(&t) {
            return Some(found);
        }
        if let Some(found) = self.bind_signal(&t, stated.as_ref()) {
            return found.ok();
        }
        if let Some(found) = self.bind_probe(&t, first_word, stated.as_ref()) {
            return Some(found);
        }
        if let Some((job, done)) = self.job_done(&t) {
            return bound(format!("job:{job}"), format!("\"{job}\" + \"{done}\""));
        }
        self.bind_rollout(&t)
    }

    fn bind_alerts(&self, t: &str) -> Option<(Binding, Option<Adjust>)> {
        let subject = t.split(|c: char| !c.is_alphanumeric()).find(|w| {
            matches!(
                *w,
                "alert" | "alerts" | "alerting" | "monitoring" | "alertmanager"
            )
        })?;
        // Where alerts go and what people look at are not the rules.
        if [
            "dashboard",
            "pagerduty",
            "slack",
            "on-call",
            "oncall",
            "rotation",
            "email",
        ]
        .iter()
        .any(|w| t.contains(w))
        {
            return None;
        }
        // The alert rules it names, looked up word by word.
        let mut named: Vec<&String> = Vec::new();
        for word in t.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')) {
            if let Some(alert) = self.alert_names.get(word)
                && !named.contains(&alert)
            {
                named.push(alert);
            }
        }
        let names = named
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let firing = first(
            t,
            &[
                "firing",
                "no alert",
                "no active",
                "zero alert",
                "nothing fir",
                "quiet",
                "silent",
                "pending",
                "no critical",
                "no new alert",
                "clear",
            ],
        );
        if let Some(state) = firing {
            let check = if names.is_empty() {
                "alerts".to_string()
            } else {
                format!("alerts:{names}")
            };
            return Some((
                Binding {
                    check,
                    because: format!("\"{subject}\" + \"{state}\": none firing"),
                    note: None,
                },
                None,
            ));
        }
        // Alertmanager's routing is not the rules.
        if subject == "alertmanager" {
            return None;
        }
        let state = first(
            t,
            &[
                "configured",
                "loaded",
                "in place",
                "active",
                "deployed",
                "present",
                "enabled",
                "applied",
                "exist",
                "set up",
                "defined",
            ],
        )?;
        let check = if !names.is_empty() {
            format!("alerts:configured={names}")
        } else if !self.alerts.is_empty() && self.alerts.len() <= MAX_NAMED_RULES {
            format!("alerts:configured={}", self.alerts.join(","))
        } else {
            "alerts:configured".to_string()
        };
        Some((
            Binding {
                check,
                because: format!("\"{subject}\" + \"{state}\": the rules are loaded"),
                note: None,
            },
            None,
        ))
    }

    /// A signal by its meaning; `Some(None)` when the item is about one but
    /// the runbook's does not fit (no such quantile, a percentage of a
    /// rate): then nothing else binds it either.
    #[allow(clippy::option_option)]
    fn bind_signal(
        &self,
        t: &str,
        stated: Option<&Stated>,
    ) -> Option<Result<(Binding, Option<Adjust>), String>> {
        let (meaning, subject) = if let Some(w) = first(
            t,
            &["latency", "response time", "percentile", "slow request"],
        )
        .or_else(|| quantile_word(t).map(|_| "pNN"))
        {
            (Meaning::Latency, w)
        } else if let Some(w) = first(
            t,
            &[
                "5xx",
                "error rate",
                "error ratio",
                "error-rate",
                "errors rate",
                "error percentage",
                "failure rate",
                "failed requests",
                "http 5",
                "server errors",
            ],
        ) {
            (Meaning::Errors, w)
        } else if let Some(w) = first(t, &["memory", "heap", "rss"]) {
            (Meaning::Memory, w)
        } else if has_word(t, "cpu") {
            (Meaning::Cpu, "cpu")
        } else if let Some(w) = first(t, &["request rate", "traffic", "throughput", " rps"]) {
            (Meaning::Traffic, w)
        } else {
            // What an alert's name says it watches ("consumer lag", "queue
            // backlog"): the one signal with the most of those words.
            let signal = self.by_words(t, None)?;
            (signal.meaning, "its alert's words")
        };
        let state = stated.map(|s| s.words.clone()).or_else(|| {
            WITHIN
                .iter()
                .find(|w| has_word(t, w) || (**w == "<" && t.contains('<')))
                .map(|w| w.to_string())
        })?;
        let of_meaning = self.by_meaning.get(&meaning).map_or(&[][..], Vec::as_slice);
        // More than that many tells none apart (and would cost items ×
        // signals).
        if of_meaning.len() > MAX_SHARING {
            return Some(Err(format!(
                "it speaks of {} and the guide has {} such alert rules: none is told apart",
                meaning_word(meaning),
                of_meaning.len()
            )));
        }
        let candidates: Vec<&SignalTarget> = of_meaning
            .iter()
            .filter_map(|&i| self.signals.get(i))
            .collect();
        let chosen = match meaning {
            _ if subject == "its alert's words" => self.by_words(t, None),
            Meaning::Latency => match quantile_word(t) {
                Some(q) => candidates.iter().find(|s| s.quantile == Some(q)).copied(),
                None => match candidates.as_slice() {
                    [one] => Some(*one),
                    many => self.by_words(t, Some(many)),
                },
            },
            Meaning::Errors => {
                let percent = stated.is_some_and(|s| s.unit == numbers::NumUnit::Percent)
                    || t.contains("ratio")
                    || t.contains("%");
                candidates
                    .iter()
                    .find(|s| s.ratio == percent)
                    .or_else(|| candidates.first())
                    .copied()
            }
            _ => match candidates.as_slice() {
                [one] => Some(*one),
                many => self.by_words(t, Some(many)),
            },
        };
        let Some(signal) = chosen else {
            return Some(Err(match (meaning, quantile_word(t)) {
                (Meaning::Latency, Some(q)) => format!(
                    "it speaks of the p{} latency, and no alert rule of the guide reads that quantile",
                    q / 10
                ),
                _ if candidates.is_empty() => format!(
                    "it speaks of {} and the guide has no such alert rule",
                    meaning_word(meaning)
                ),
                _ => format!(
                    "it speaks of {} and nothing tells which of the guide's {} such alert rules",
                    meaning_word(meaning),
                    candidates.len()
                ),
            }));
        };
        let because = format!(
            "\"{subject}\" + \"{state}\": the {} signal of alert {}",
            meaning_word(meaning),
            signal.alert
        );
        let Some(stated) = stated else {
            return Some(Ok((
                Binding {
                    check: format!("signal:{}", signal.name),
                    because,
                    note: None,
                },
                None,
            )));
        };
        // The item's number, in the signal's unit.
        let Some(value) = stated.in_unit(signal.unit, signal.ratio) else {
            return Some(Err(format!(
                "its \"{}\" does not fit signal {} (alert {}: {})",
                stated.words,
                signal.name,
                signal.alert,
                if signal.ratio {
                    "a ratio".to_string()
                } else {
                    match signal.unit {
                        Some(crate::runbook::Unit::PerSecond) => "a rate per second".to_string(),
                        Some(crate::runbook::Unit::Seconds) => "in seconds".to_string(),
                        Some(crate::runbook::Unit::Milliseconds) => "in milliseconds".to_string(),
                        Some(crate::runbook::Unit::Bytes) => "in bytes".to_string(),
                        Some(_) => "a count".to_string(),
                        None => "a number without a unit".to_string(),
                    }
                }
            )));
        };
        let fail = stated.fail_threshold(value);
        let same = signal
            .fail
            .as_deref()
            .and_then(|f| crate::runbook::threshold::Threshold::parse_for(f, signal.unit).ok())
            .is_some_and(|f| {
                f.op.as_str()
                    .starts_with(if stated.upper { '>' } else { '<' })
                    && (f.value - value).abs() <= 1e-9 * value.abs().max(1.0)
            });
        Some(Ok(match &signal.fail {
            _ if same => (
                Binding {
                    check: format!("signal:{}", signal.name),
                    because,
                    note: None,
                },
                None,
            ),
            None => (
                Binding {
                    check: format!("signal:{}", signal.name),
                    because,
                    note: Some(format!(
                        "signal {} takes the item's threshold ({}): the alert rule has none",
                        signal.name, stated.words
                    )),
                },
                Some(Adjust::SignalFail {
                    name: signal.name.clone(),
                    fail,
                }),
            ),
            Some(theirs) => {
                let name = format!("{}-{}", signal.name, stated.slug());
                (
                    Binding {
                        check: format!("signal:{name}"),
                        because,
                        note: Some(format!(
                            "the item says {} ({fail} fails) where alert {} fires at {theirs}: signal {name} holds the item's threshold",
                            stated.words, signal.alert
                        )),
                    },
                    Some(Adjust::Signal {
                        from: signal.name.clone(),
                        name,
                        fail,
                    }),
                )
            }
        }))
    }

    /// Of several signals, the one with the most of the words its alert's
    /// name has that the item has too (not the workloads' names, which
    /// tell none apart); none when that is a tie or zero.
    /// Of `among` (all the signals when None), the one with the most of
    /// the words its alert's name has that the item has too (not the
    /// workloads' names, which tell none apart, nor a word that many
    /// alerts share); none when that is a tie or zero. Looked up word by
    /// word, so that many signals cost no more per item.
    fn by_words(&self, t: &str, among: Option<&[&SignalTarget]>) -> Option<&SignalTarget> {
        let mut score: HashMap<usize, usize> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for word in t.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
            if self.service_words.iter().any(|w| w == word) || !seen.insert(word) {
                continue;
            }
            let Some(at) = self.by_word.get(word) else {
                continue;
            };
            if at.len() > MAX_SHARING {
                continue;
            }
            for &i in at {
                *score.entry(i).or_default() += 1;
            }
        }
        let allowed = |i: usize| {
            among.is_none_or(|c| {
                c.iter()
                    .any(|s| self.signals.get(i).is_some_and(|t| t.name == s.name))
            })
        };
        let best = score
            .iter()
            .filter(|(i, _)| allowed(**i))
            .map(|(_, n)| *n)
            .max()?;
        let top: Vec<usize> = score
            .iter()
            .filter(|(i, n)| **n == best && allowed(**i))
            .map(|(i, _)| *i)
            .collect();
        match top.as_slice() {
            [one] => self.signals.get(*one),
            _ => None,
        }
    }

    fn bind_probe(
        &self,
        t: &str,
        first_word: &str,
        stated: Option<&Stated>,
    ) -> Option<(Binding, Option<Adjust>)> {
        // A probe's own path, the longest named.
        let by_path = self
            .probes
            .iter()
            .filter(|p| p.path.len() > 1 && t.contains(&p.path.to_lowercase()))
            .max_by_key(|p| p.path.len());
        let (chosen, subject): (Vec<&ProbeTarget>, String) = if let Some(p) = by_path {
            (vec![p], p.path.clone())
        } else {
            let role_word = |words: &[&'static str], nouns: bool| role_word(t, words, nouns);
            let (role, word) = if let Some(w) =
                role_word(&["readiness", "readyz"], false).or_else(|| role_word(&["ready"], true))
            {
                (Role::Ready, w)
            } else if let Some(w) =
                role_word(&["liveness", "livez"], false).or_else(|| role_word(&["live"], true))
            {
                (Role::Live, w)
            } else if let Some(w) = role_word(&["startup"], true) {
                (Role::Startup, w)
            } else if let Some(w) = first(t, &["healthcheck", "health-check", "health"]) {
                (Role::Health, w)
            } else {
                return None;
            };
            // "Both health groups (readiness and liveness)": each role
            // named; `probe:*` when that is every probe.
            let live_too =
                role == Role::Ready && role_word(&["liveness", "livez"], false).is_some();
            if live_too {
                let both: Vec<&ProbeTarget> = self
                    .probes
                    .iter()
                    .filter(|p| matches!(p.role, Role::Ready | Role::Live))
                    .collect();
                if self.only_health && both.len() == self.probes.len() && both.len() > 1 {
                    let state = first(t, ANSWERS)
                        .or(VERIFY_VERBS.contains(&first_word).then_some(first_word))?;
                    let paths: Vec<&str> = both.iter().map(|p| p.path.as_str()).collect();
                    return Some(plain(
                        "probe:*".into(),
                        format!(
                            "\"readiness\" and \"liveness\" + \"{}\": {}",
                            state.trim(),
                            paths.join(", ")
                        ),
                    ));
                }
                return None;
            }
            let of_role: Vec<&ProbeTarget> =
                self.probes.iter().filter(|p| p.role == role).collect();
            let all = has(t, &["all ", "every", "each", "endpoints", "checks "]);
            let chosen = if role == Role::Health && all && self.probes.len() > 1 && self.only_health
            {
                // "All health endpoints": every probe, when all are health
                // probes (`probe:*` takes the headers probe too).
                self.probes.iter().collect()
            } else {
                // A host the item names by a word only it has ("the
                // rehearsal health endpoint"), else the main host; a path
                // with the item's word ("health") before a shorter one.
                let distinct = |p: &ProbeTarget| {
                    p.host_words.iter().any(|w| {
                        has_word(t, w)
                            && !of_role
                                .iter()
                                .any(|o| o.host_words != p.host_words && o.host_words.contains(w))
                    })
                };
                let best = of_role
                    .iter()
                    .min_by_key(|p| {
                        (
                            !distinct(p),
                            !p.base,
                            !p.path.to_lowercase().contains(word),
                            p.path.len(),
                        )
                    })
                    .copied();
                best.into_iter().collect()
            };
            (chosen, word.to_string())
        };
        if chosen.is_empty() {
            return None;
        }
        // "Health check on staging": an environment no chosen probe's host
        // names is not what the probe checks.
        let elsewhere = t
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| super::envs::says_not_production(w))
            .any(|w| !chosen.iter().any(|p| p.host_words.iter().any(|h| h == w)));
        if elsewhere {
            return None;
        }
        // A probe declared in a manifest is a task, not an answer.
        if has(
            t,
            &["configured", "defined", "added", "declared", "manifest"],
        ) {
            return None;
        }
        let state = first(t, ANSWERS)
            .or(VERIFY_VERBS.contains(&first_word).then_some(first_word))
            .or(stated.map(|_| "a time"))?;
        let check = if chosen.len() > 1 {
            "probe:*".to_string()
        } else {
            format!("probe:{}", chosen[0].name)
        };
        let paths: Vec<&str> = chosen.iter().map(|p| p.path.as_str()).collect();
        let because = format!("\"{subject}\" + \"{}\": {}", state.trim(), paths.join(", "));
        let millis = stated
            .and_then(Stated::millis)
            .filter(|_| stated.is_some_and(|s| s.upper));
        Some(match (millis, chosen.as_slice()) {
            (Some(ms), [one]) => (
                Binding {
                    check,
                    because,
                    note: Some(format!(
                        "probe {} fails unless it answers in under {}ms, as the item says",
                        one.name,
                        numbers::number(ms)
                    )),
                },
                Some(Adjust::ResponseTime {
                    probe: one.name.clone(),
                    below_ms: ms,
                }),
            ),
            _ => (
                Binding {
                    check,
                    because,
                    note: None,
                },
                None,
            ),
        })
    }

    fn bind_rollout(&self, t: &str) -> Option<(Binding, Option<Adjust>)> {
        // A workload it names, the longest name first ("api-canary" before
        // "api").
        let named = self
            .workloads
            .iter()
            .filter(|w| has_word(t, &w.to_lowercase()))
            .max_by_key(|w| w.len());
        let state = first(t, ROLLED)?;
        if let Some(w) = named {
            return Some(plain(
                format!("rollout:{w}"),
                format!("\"{w}\" + \"{state}\""),
            ));
        }
        let subject = first(
            t,
            &[
                "rollout",
                "rolled out",
                "roll-out",
                "deployment",
                "deployed",
                "workloads",
                "pods",
                "replicas",
                "statefulset",
                "daemonset",
            ],
        )?;
        let all = has(
            t,
            &[
                "all ",
                "every",
                "each",
                "workloads",
                "deployments",
                "services",
            ],
        );
        let target = match self.workloads.as_slice() {
            [] if self.namespaces => "*".to_string(),
            [] => return None,
            [one] => one.clone(),
            _ if all => "*".to_string(),
            _ => return None,
        };
        Some(plain(
            format!("rollout:{target}"),
            format!("\"{subject}\" + \"{state}\""),
        ))
    }
}

/// The first of `words` in `t` (with a noun such as "endpoint" or
/// "probe" right after it, when `nouns`).
fn role_word(t: &str, words: &[&'static str], nouns: bool) -> Option<&'static str> {
    words.iter().copied().find(|w| {
        t.match_indices(w).any(|(at, _)| {
            let after = t[at + w.len()..].trim_start();
            let noun = ["endpoint", "check", "probe", "route", "url", "path", "api"]
                .iter()
                .any(|n| after.starts_with(n));
            !nouns || noun
        })
    })
}

/// Words of an alert's name that say what it watches: its CamelCase parts
/// without the generic ones ("BrambleConsumerLag" → bramble, consumer,
/// lag; "High", "Alert", "Too" dropped).
fn alert_words(alert: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in alert.chars() {
        if (!c.is_alphanumeric() || (c.is_uppercase() && prev_lower)) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    const GENERIC: &[&str] = &[
        "high", "low", "too", "alert", "warning", "critical", "rate", "ratio", "above", "below",
        "exceeded", "exceeds", "slow", "many", "increase", "drop", "down",
    ];
    words.retain(|w| w.len() > 2 && !GENERIC.contains(&w.as_str()));
    words
}

/// A binding with nothing to change in what was found.
fn plain(check: String, because: String) -> (Binding, Option<Adjust>) {
    (
        Binding {
            check,
            because,
            note: None,
        },
        None,
    )
}

fn has(t: &str, words: &[&str]) -> bool {
    words.iter().any(|w| t.contains(w))
}

fn meaning_word(m: Meaning) -> &'static str {
    match m {
        Meaning::Latency => "latency",
        Meaning::Errors => "error",
        Meaning::Memory => "memory",
        Meaning::Cpu => "CPU",
        Meaning::Traffic => "traffic",
        Meaning::Other => "",
    }
}

fn signal_target(s: &Signal) -> SignalTarget {
    SignalTarget {
        name: s.name.clone(),
        alert: s.alert.clone(),
        words: alert_words(&s.alert),
        meaning: meaning(&s.alert, &s.query),
        quantile: signal_quantile(&s.alert, &s.query),
        ratio: s.query.contains('/')
            || matches!(
                s.unit,
                Some(crate::runbook::Unit::Percent | crate::runbook::Unit::Ratio)
            ),
        unit: s.unit,
        fail: s.fail.clone(),
    }
}

/// Applies what items' numbers ask: signals of their own, thresholds,
/// response-time conditions, certificate days.
pub fn apply(found: &mut Found, adjusts: &[Adjust]) {
    for a in adjusts {
        match a {
            Adjust::Signal { from, name, fail } => {
                if found.signals.iter().any(|s| &s.name == name) {
                    continue;
                }
                if let Some(s) = found.signals.iter().find(|s| &s.name == from).cloned() {
                    found.signals.push(Signal {
                        name: name.clone(),
                        fail: Some(fail.clone()),
                        ..s
                    });
                }
            }
            Adjust::SignalFail { name, fail } => {
                if let Some(s) = found.signals.iter_mut().find(|s| &s.name == name) {
                    s.fail.get_or_insert_with(|| fail.clone());
                }
            }
            Adjust::ResponseTime { probe, below_ms } => {
                if let Some(p) = found.probes.iter_mut().find(|p| &p.name == probe) {
                    let ms = *below_ms;
                    if p.below_ms.is_none_or(|b| ms < b) {
                        p.below_ms = Some(ms);
                    }
                }
            }
            Adjust::CertDays(days) => {
                found.cert_days = Some(found.cert_days.map_or(*days, |d| d.max(*days)));
            }
        }
    }
}

/// Whether a probe watches a certificate: a health or headers probe on
/// an https host the guide names.
pub fn cert_watched(found: &Found, p: &super::found::Probe) -> bool {
    !matches!(p.kind, ProbeKind::Burst(_))
        && found
            .host(&p.var)
            .is_some_and(|h| h.known && h.url.starts_with("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_meanings_and_quantiles() {
        assert_eq!(role("/actuator/health/readiness"), Role::Ready);
        assert_eq!(role("/q/health/live"), Role::Live);
        assert_eq!(role("/healthz"), Role::Health);
        assert_eq!(
            meaning(
                "LatencyHigh",
                "histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le))"
            ),
            Meaning::Latency
        );
        assert_eq!(
            meaning(
                "Errors",
                r#"sum(rate(x{status=~"5.."}[5m]))/sum(rate(x[5m]))"#
            ),
            Meaning::Errors
        );
        assert_eq!(
            meaning("HeapHigh", "jvm_memory_used_bytes"),
            Meaning::Memory
        );
        assert_eq!(
            signal_quantile("X", "histogram_quantile( 0.95, y)"),
            Some(950)
        );
        assert_eq!(signal_quantile("LatencyP99High", "y"), Some(990));
        assert_eq!(quantile_word("p999 below 2s"), Some(999));
        assert_eq!(quantile_word("the 95th percentile"), Some(950));
        assert_eq!(quantile_word("step 12"), None);
    }
}
