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

/// Why a runbook's probes cannot be made ready; each names the probe and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    #[error("no environment \"{0}\" in the runbook")]
    NoSuchEnv(String),
    #[error("the runbook has no environments")]
    NoEnvironments,
    /// A value (url, header, body) names a variable without a value.
    #[error("probe {probe}: {what}: {message}")]
    Variable {
        probe: String,
        what: String,
        message: String,
    },
    #[error("probe {probe}: \"{method}\" is not an HTTP method")]
    Method { probe: String, method: String },
    #[error("probe {probe}: condition \"{text}\": {error}")]
    Condition {
        probe: String,
        text: String,
        error: crate::condition::ConditionError,
    },
}

/// The probes of a runbook in an environment (None: the first). Errors
/// name the probe and what is wrong.
pub fn specs(runbook: &Runbook, env: Option<&str>) -> Result<Vec<ProbeSpec>, SpecError> {
    let (env_name, env) = match env {
        Some(name) => runbook
            .environments()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| SpecError::NoSuchEnv(name.to_string()))?,
        None => runbook
            .environments()
            .next()
            .ok_or(SpecError::NoEnvironments)?,
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
                expand(text, &send).map_err(|e| SpecError::Variable {
                    probe: name.clone(),
                    what: what.to_string(),
                    message: e.message,
                })
            };
            let shown = |text: &str| expand(text, &show).unwrap_or_else(|_| text.to_string());
            let method = reqwest::Method::from_bytes(p.method().to_ascii_uppercase().as_bytes())
                .map_err(|_| SpecError::Method {
                    probe: name.clone(),
                    method: p.method().to_string(),
                })?;
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
                .collect::<Result<Vec<_>, SpecError>>()?;
            let parse = |list: &[toml::Spanned<String>]| {
                list.iter()
                    .map(|c| {
                        Condition::parse(c.get_ref()).map_err(|error| SpecError::Condition {
                            probe: name.clone(),
                            text: c.get_ref().clone(),
                            error,
                        })
                    })
                    .collect::<Result<Vec<_>, SpecError>>()
            };
            let mut fail = parse(&p.fail)?;
            if fail.is_empty() {
                fail.push(Condition::parse(DEFAULT_FAIL).map_err(|error| {
                    SpecError::Condition {
                        probe: name.clone(),
                        text: DEFAULT_FAIL.to_string(),
                        error,
                    }
                })?);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn runbook(probe: &str) -> Runbook {
        let text = format!(
            "[service]\nname = \"shop\"\n\n[env.prod]\ncontext = \"prod\"\n\n[[probe]]\n{probe}\n"
        );
        Runbook::parse(std::path::Path::new("spec.toml"), &text).unwrap()
    }

    #[test]
    fn an_unknown_environment_is_a_kind_callers_can_tell_apart() {
        // Everything else a probe could lack is refused when the runbook
        // loads; the environment is chosen later.
        let rb = runbook("name = \"health\"\nurl = \"https://api.example.com/health\"");
        let unknown = specs(&rb, Some("qa")).unwrap_err();
        assert_eq!(unknown, SpecError::NoSuchEnv("qa".into()));
        assert_eq!(unknown.to_string(), "no environment \"qa\" in the runbook");
        let ready = specs(&rb, Some("prod")).unwrap();
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].url, "https://api.example.com/health");
    }
}
