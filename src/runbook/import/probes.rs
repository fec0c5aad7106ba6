//! Probes from `curl` commands and Kubernetes probe paths, and the host
//! variables their URLs use.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::found::{Found, Host, Probe, ProbeKind};
use super::manifest::Manifests;
use super::markdown::Doc;
use super::shell::{Commands, Curl};
use crate::runbook::slug;

/// Path segments that make a URL a health endpoint.
const HEALTH_SEGMENTS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "ready",
    "readyz",
    "readiness",
    "live",
    "livez",
    "liveness",
    "alive",
    "ping",
    "status",
    "heartbeat",
    "up",
];

/// Security headers a `grep` after `curl -I` may look for, by prefix.
const SECURITY_HEADERS: &[&str] = &[
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "X-XSS-Protection",
    "Referrer-Policy",
    "Permissions-Policy",
];

pub(super) fn is_health_path(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .any(|seg| HEALTH_SEGMENTS.contains(&seg.to_ascii_lowercase().as_str()))
}

fn header_names(pattern: &str) -> Vec<String> {
    let mut names = Vec::new();
    for part in pattern.split(['|', '(', ')', ' ']) {
        let part = part.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        if part.len() < 5 {
            continue;
        }
        for h in SECURITY_HEADERS {
            if h.to_lowercase().starts_with(&part.to_lowercase()) && !names.iter().any(|n| n == h) {
                names.push(h.to_string());
            }
        }
    }
    names
}

/// (scheme://host[:port], path and query) of a URL.
pub(super) fn split_url(url: &str) -> Option<(String, String)> {
    let parsed = reqwest::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let origin = parsed.origin().ascii_serialization();
    let mut path = parsed.path().to_string();
    if let Some(q) = parsed.query() {
        path = format!("{path}?{q}");
    }
    Some((origin, path))
}

fn classify(curl: &Curl, path: &str) -> Option<ProbeKind> {
    if !matches!(curl.method.as_str(), "GET" | "HEAD") {
        return None;
    }
    if let Some(n) = curl.repeat.filter(|n| *n > 1) {
        return Some(ProbeKind::Burst(n.min(1000)));
    }
    if is_health_path(path) {
        return Some(ProbeKind::Health);
    }
    if curl.head && (path.is_empty() || path == "/") && curl.grep.is_some() {
        let names = header_names(curl.grep.as_deref().unwrap_or(""));
        return Some(ProbeKind::Headers(names));
    }
    None
}

/// Names of settings whose value is the service's own URL.
const BASE_KEYS: &[&str] = &["BASE_URL", "API_BASE", "API_URL", "APP_URL", "PUBLIC_URL"];

/// The service's URL from a setting like `NEXT_PUBLIC_BASE_URL` or
/// `VITE_API_BASE` in the guide's code, for a guide whose health
/// endpoints have no host: (origin, setting).
pub fn guess_base(doc: &Doc) -> Option<(String, String)> {
    for block in &doc.code {
        let text = block.text.as_str();
        for (at, key) in BASE_KEYS
            .iter()
            .flat_map(|k| text.match_indices(k))
            .collect::<std::collections::BTreeMap<_, _>>()
        {
            let before = text[..at].chars().next_back();
            if before.is_some_and(char::is_alphanumeric) {
                continue;
            }
            let start = text[..at]
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let after = &text[at + key.len()..];
            let window: String = after.chars().take(40).collect();
            let Some(url_at) = window.find("http") else {
                continue;
            };
            let url: String = after[url_at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ',' | ')' | '`'))
                .collect();
            if let Some((origin, _)) = split_url(&url)
                && !origin.contains("localhost")
                && !origin.contains("127.0.0.1")
            {
                return Some((origin, text[start..at + key.len()].to_string()));
            }
        }
    }
    None
}

pub fn collect_probes(
    commands: &Commands,
    manifests: &Manifests,
    service: &str,
    guess: Option<(String, String)>,
    found: &mut Found,
) {
    // Host variables: the most used host is `base`, the others
    // `base_<first label>`.
    let mut wanted: Vec<(String, String, ProbeKind, String)> = Vec::new();
    let mut host_uses: IndexMap<String, usize> = IndexMap::new();
    for curl in &commands.curls {
        let Some((origin, path)) = split_url(&curl.url) else {
            continue;
        };
        if let Some(kind) = classify(curl, &path) {
            *host_uses.entry(origin.clone()).or_default() += 1;
            wanted.push((origin, path, kind, "curl".into()));
        }
    }
    // The most used; between equals, not one that says it is not
    // production (staging, rehearsal, …), then the first.
    let primary = host_uses
        .iter()
        .max_by(|a, b| {
            let prod = |h: &str| !super::envs::says_not_production(h);
            a.1.cmp(b.1)
                .then(prod(a.0).cmp(&prod(b.0)))
                .then(std::cmp::Ordering::Greater)
        })
        .map(|(h, _)| h.clone());
    // Sets and counters rather than scans of what is already taken, so
    // that thousands of commands cost in proportion to their number.
    let mut host_vars: HashSet<String> = found.hosts.iter().map(|h| h.var.clone()).collect();
    let mut next_base = 2;
    for origin in host_uses.keys() {
        let var = if Some(origin) == primary.as_ref() {
            "base".to_string()
        } else {
            let host = origin.split("://").nth(1).unwrap_or(origin);
            let label = host.split(['.', ':']).next().unwrap_or(host);
            let mut var = format!("base_{}", slug(label).replace('-', "_"));
            while host_vars.contains(&var) || var == "base_" {
                var = format!("base{next_base}");
                next_base += 1;
            }
            var
        };
        host_vars.insert(var.clone());
        found.hosts.push(Host {
            var,
            url: origin.clone(),
            known: true,
            guessed_from: None,
        });
    }
    found.hosts.sort_by_key(|h| h.var != "base");
    if !manifests.probes.is_empty() && primary.is_none() {
        found.hosts.push(match guess {
            Some((url, key)) => Host {
                var: "base".into(),
                url,
                known: true,
                guessed_from: Some(key),
            },
            None => Host {
                var: "base".into(),
                url: format!("https://{service}.example.com"),
                known: false,
                guessed_from: None,
            },
        });
    }
    let main_host = found.host("base").map(|h| h.url.clone());
    for p in &manifests.probes {
        wanted.push((
            main_host.clone().unwrap_or_default(),
            p.path.clone(),
            ProbeKind::Health,
            p.kind.clone(),
        ));
    }

    // The first host of each URL (hosts are few, but built once all the same).
    let mut var_of: HashMap<&str, &str> = HashMap::new();
    for h in &found.hosts {
        var_of.entry(h.url.as_str()).or_insert(h.var.as_str());
    }
    let base_var = found
        .hosts
        .iter()
        .find(|h| h.var == "base")
        .map(|h| h.var.clone());
    let vars: Vec<String> = wanted
        .iter()
        .map(|(origin, ..)| {
            var_of
                .get(origin.as_str())
                .map(|v| v.to_string())
                .or_else(|| origin.is_empty().then(|| base_var.clone()).flatten())
                .unwrap_or_else(|| "base".into())
        })
        .collect();
    let mut seen: HashSet<(String, String, ProbeKind)> = found
        .probes
        .iter()
        .map(|p| (p.var.clone(), p.path.clone(), p.kind.clone()))
        .collect();
    let mut names: HashSet<String> = found.probes.iter().map(|p| p.name.clone()).collect();
    // The next number to try for a name stem: every lower one is taken.
    let mut next_number: HashMap<String, usize> = HashMap::new();
    for ((_, path, kind, source), var) in wanted.into_iter().zip(vars) {
        if !seen.insert((var.clone(), path.clone(), kind.clone())) {
            continue;
        }
        let stem = match &kind {
            ProbeKind::Headers(_) => "headers".to_string(),
            ProbeKind::Burst(_) => "rate-limit".to_string(),
            ProbeKind::Health => {
                let s = slug(path.split('?').next().unwrap_or(&path));
                if s.is_empty() { "root".into() } else { s }
            }
        };
        let stem = if var == "base" {
            stem
        } else {
            format!("{}-{stem}", slug(var.trim_start_matches("base")))
        };
        let mut name = stem.clone();
        if names.contains(&name) {
            let n = next_number.entry(stem.clone()).or_insert(2);
            loop {
                name = format!("{stem}-{n}");
                *n += 1;
                if !names.contains(&name) {
                    break;
                }
            }
        }
        names.insert(name.clone());
        found.probes.push(Probe {
            name,
            var,
            path,
            kind,
            origin: source,
            expect: None,
            below_ms: None,
        });
    }
}
