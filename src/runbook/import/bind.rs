//! Which check an item's text clearly asks for. Each rule needs both a
//! subject and a state word, so that "Configure rate limiting" (a task)
//! stays manual while "Rate limiting tested" (a state) is bound.

use super::extract::{Found, ProbeKind};

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
}

impl Targets {
    pub fn new(found: &Found) -> Targets {
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
        Targets {
            health,
            certificate,
            headers,
            rate_limit,
            error_signal: signal("error"),
            memory_signal: signal("memory"),
            rollout,
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
        if has(&["security header"]) && has(&["configured", "present", "set", "enabled", "correct"])
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
pub fn cert_watched(found: &Found, p: &super::extract::Probe) -> bool {
    !matches!(p.kind, ProbeKind::Burst(_))
        && found
            .host(&p.var)
            .is_some_and(|h| h.known && h.url.starts_with("https://"))
}
