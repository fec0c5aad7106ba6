//! A runbook probe made ready to run in one environment: variables filled
//! in (and a displayable form in which values from the process
//! environment, which may be secrets, stay `${NAME}`, and userinfo, query
//! values and sensitive header values are masked), conditions parsed, and
//! the probe's secret values gathered for masking what it observes.

use std::path::PathBuf;
use std::time::Duration;

use crate::condition::Condition;
use crate::runbook::Runbook;
use crate::runbook::select::{display_lookup, lookup};
use crate::runbook::vars::expand;
use crate::secrets::{Secrets, sensitive_header, shown_header_value, shown_url};

#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    /// The value sent.
    pub value: String,
    /// The value shown: process-environment values stay `${NAME}`; the
    /// literal parts of a sensitive header's value are masked.
    pub shown: String,
    /// Whether the value came (in part) from the process environment.
    pub from_environment: bool,
}

impl Header {
    /// Whether the value is a secret: a sensitive header (by its name) or
    /// one filled from the process environment.
    pub fn secret(&self) -> bool {
        self.from_environment || sensitive_header(&self.name)
    }
}

#[derive(Clone)]
pub struct ProbeSpec {
    pub name: String,
    pub method: reqwest::Method,
    /// The URL requested.
    pub url: String,
    /// The URL shown.
    pub shown_url: String,
    pub headers: Vec<Header>,
    pub body: Option<String>,
    pub every: Duration,
    pub timeout: Duration,
    pub insecure: bool,
    pub ca: Option<PathBuf>,
    pub burst: Option<u32>,
    pub fail: Vec<Condition>,
    pub warn: Vec<Condition>,
    /// Values that must not be shown or written: what the probe observes
    /// is masked with them.
    pub secrets: Secrets,
}

impl ProbeSpec {
    /// The probe, masking `more` secrets too (e.g. a kubeconfig's) in
    /// what it observes.
    pub fn with_secrets(mut self, more: &Secrets) -> ProbeSpec {
        self.secrets.extend(more);
        self
    }
}

// Header values and URLs may hold secrets: Debug shows what the screen does.
impl std::fmt::Debug for ProbeSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeSpec")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("url", &self.shown_url)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|h| format!("{}: {}", h.name, h.shown))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The condition every probe without `fail` conditions gets.
pub const DEFAULT_FAIL: &str = "[STATUS] < 400";

/// The probes of a runbook in an environment (None: the first). Errors
/// name the probe and what is wrong.
pub fn specs(runbook: &Runbook, env: Option<&str>) -> Result<Vec<ProbeSpec>, String> {
    let (env_name, env) = match env {
        Some(name) => runbook
            .environments()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| format!("no environment \"{name}\" in the runbook"))?,
        None => runbook
            .environments()
            .next()
            .ok_or("the runbook has no environments")?,
    };
    let service = runbook.service_name();
    let send = lookup(service, env_name, env);
    let show = display_lookup(service, env_name, env);
    let base = runbook.path.parent().map(PathBuf::from).unwrap_or_default();
    runbook
        .probes()
        .map(|p| {
            let name = p.name.get_ref().clone();
            let fill = |text: &str, what: &str| {
                expand(text, &send).map_err(|e| format!("probe {name}: {what}: {}", e.message))
            };
            let shown = |text: &str| expand(text, &show).unwrap_or_else(|_| text.to_string());
            let method = reqwest::Method::from_bytes(p.method().to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("probe {name}: \"{}\" is not an HTTP method", p.method()))?;
            let headers = p
                .headers
                .iter()
                .map(|(k, v)| {
                    let shown = shown(v.get_ref());
                    Ok(Header {
                        name: k.clone(),
                        value: fill(v.get_ref(), &format!("header {k}"))?,
                        shown: if sensitive_header(k) || v.get_ref().contains("${") {
                            shown_header_value(&shown)
                        } else {
                            shown
                        },
                        from_environment: crate::runbook::secrets::uses_process(env, v.get_ref()),
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let parse = |list: &[toml::Spanned<String>]| {
                list.iter()
                    .map(|c| {
                        Condition::parse(c.get_ref()).map_err(|e| {
                            format!("probe {name}: condition \"{}\": {e}", c.get_ref())
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()
            };
            let mut fail = parse(&p.fail)?;
            if fail.is_empty() {
                fail.push(
                    Condition::parse(DEFAULT_FAIL).map_err(|e| format!("probe {name}: {e}"))?,
                );
            }
            Ok(ProbeSpec {
                method,
                url: fill(p.url.get_ref(), "url")?,
                shown_url: shown_url(&shown(p.url.get_ref())),
                headers,
                body: p
                    .body
                    .as_ref()
                    .map(|b| fill(b.get_ref(), "body"))
                    .transpose()?,
                every: p.every.0,
                timeout: p.timeout.0,
                insecure: p.insecure,
                ca: p.ca.as_ref().map(|c| base.join(c.get_ref())),
                burst: p.burst.as_ref().map(|b| *b.get_ref()),
                fail,
                warn: parse(&p.warn)?,
                secrets: crate::runbook::secrets::probe(service, env_name, env, p),
                name,
            })
        })
        .collect()
}
