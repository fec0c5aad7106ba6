//! Which check an item clearly asks for. Each rule on its text needs both
//! a subject and a state word, so that "Configure rate limiting" (a task)
//! stays manual while "Rate limiting tested" (a state) is bound. An item
//! no rule binds, whose own code runs or watches a Job or CronJob (or
//! defines one), is bound to that Job.

use std::collections::{HashMap, HashSet};

use super::found::{Found, ProbeKind};
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

/// What the runbook offers to bind items to.
pub struct Targets {
    /// The health probe items about health endpoints name; `*` when every
    /// probe is a health probe.
    health: Option<String>,
    /// A probe on a known https URL with a certificate-expiry warning.
    certificate: Option<String>,
    /// The headers probe, when it names headers.
    headers: Option<String>,
    /// The rate-limit (burst) probe.
    rate_limit: Option<String>,
    error_signal: Option<String>,
    memory_signal: Option<String>,
    /// The one workload, `*` for several.
    rollout: Option<String>,
    /// Whether `job:` checks are written (see [`job_checks`]).
    job_checks: bool,
    /// The names of the guide's Jobs and CronJobs.
    jobs: HashSet<String>,
    /// The guide's one Job or CronJob name.
    only_job: Option<String>,
    /// Each checklist entry's Job (see `Found::step_jobs`).
    step_jobs: HashMap<usize, String>,
}

/// Words that say a Job ran to its end.
const JOB_DONE: &[&str] = &["complete", "succeeded", "successful", "finished"];

impl Targets {
    pub fn new(found: &Found, job_checks: bool) -> Targets {
        let health_probes: Vec<&str> = found
            .probes
            .iter()
            .filter(|p| p.kind == ProbeKind::Health)
            .map(|p| p.name.as_str())
            .collect();
        let health = if !health_probes.is_empty() && health_probes.len() == found.probes.len() {
            Some("*".to_string())
        } else {
            found
                .probes
                .iter()
                .filter(|p| p.kind == ProbeKind::Health)
                .min_by_key(|p| (p.var != "base", p.path != "/health"))
                .map(|p| p.name.clone())
        };
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
        let signal = |word: &str| {
            found
                .signals
                .iter()
                .find(|s| s.name.contains(word) && s.fail.is_some())
                .map(|s| s.name.clone())
        };
        let rollout = match found.workloads.as_slice() {
            [] if found.namespaces.is_empty() => None,
            [one] => Some(one.name.clone()),
            _ => Some("*".to_string()),
        };
        let jobs: HashSet<String> = found.jobs.iter().map(|j| j.name.clone()).collect();
        let only_job = match found.jobs.as_slice() {
            [one] => Some(one.name.clone()),
            _ => None,
        };
        Targets {
            health,
            certificate,
            headers,
            rate_limit,
            error_signal: signal("error"),
            memory_signal: signal("memory"),
            rollout,
            job_checks,
            jobs,
            only_job,
            step_jobs: found.step_jobs.clone(),
        }
    }

    /// The check for a checklist item: what its text asks for, else the
    /// Job its own code runs or watches.
    pub fn bind_item(&self, item: &super::phases::Item) -> Option<String> {
        self.bind(&item.text).or_else(|| {
            let job = self
                .step_jobs
                .get(&item.entry)
                .filter(|_| self.job_checks)?;
            Some(format!("job:{job}"))
        })
    }

    /// The Job an item's text (lowercase) says completed: one it names, or
    /// the guide's only one when it says "job".
    fn job_done(&self, t: &str) -> Option<String> {
        if !self.job_checks || !JOB_DONE.iter().any(|w| t.contains(w)) {
            return None;
        }
        let mut says_job = false;
        for word in t.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.')) {
            let word = word.trim_matches('.');
            if self.jobs.contains(word) {
                return Some(word.to_string());
            }
            says_job |= matches!(word, "job" | "jobs" | "cronjob" | "cronjobs");
        }
        if says_job {
            self.only_job.clone()
        } else {
            None
        }
    }

    /// The check for an item, if its text clearly asks for one.
    pub fn bind(&self, text: &str) -> Option<String> {
        let t = text.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        // An item that starts with a set-up verb is a task, not a state.
        let first = t.split_whitespace().next().unwrap_or("");
        let setup = SETUP_VERBS.contains(&first);
        if has(&["certificat"]) && has(&["valid", "verified", "expir", "renew"]) && !setup {
            return self.certificate.as_ref().map(|p| format!("probe:{p}"));
        }
        // Security headers, or a header by any of its names (HSTS, CSP,
        // X-Frame-Options) that the headers probe checks.
        let names_header = !setup && !super::stated::headers(text).is_empty();
        if (has(&["security header"]) || names_header)
            && has(&["configured", "present", "set", "enabled", "correct"])
        {
            return self.headers.as_ref().map(|p| format!("probe:{p}"));
        }
        if has(&["rate limit"])
            && has(&[
                "working",
                "tested",
                "test ",
                "functioning",
                "verified",
                "enforced",
            ])
        {
            return self.rate_limit.as_ref().map(|p| format!("probe:{p}"));
        }
        if has(&["error rate"])
            && has(&["below", "under", "<", "low", "excessive", "no ", "within"])
        {
            return self.error_signal.as_ref().map(|s| format!("signal:{s}"));
        }
        if has(&["memory"]) && has(&["within", "below", "under", "<", "limit"]) && !setup {
            return self.memory_signal.as_ref().map(|s| format!("signal:{s}"));
        }
        if has(&["health"])
            && has(&[
                "respond", "pass", "return", " ok", "200", "green", "verify", "endpoint",
            ])
            && !setup
        {
            return self.health.as_ref().map(|p| format!("probe:{p}"));
        }
        if !setup && let Some(job) = self.job_done(&t) {
            return Some(format!("job:{job}"));
        }
        if has(&["rollout", "rolled out", "deployment"])
            && has(&[
                "complete",
                "successful",
                "succeeded",
                "finished",
                "available",
            ])
            && !setup
        {
            return self.rollout.as_ref().map(|w| format!("rollout:{w}"));
        }
        let alert_word = t
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| matches!(w, "alert" | "alerts" | "alerting"));
        if alert_word && has(&["configured", "firing", "no active", "active"]) {
            return Some("alerts".into());
        }
        None
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
