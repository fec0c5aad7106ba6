//! The secret values of a runbook: the values it takes from the process
//! environment (`${NAME}` not defined by the environment's `vars` nor
//! built in), the values of sensitive headers and of headers filled from
//! the process environment, the userinfo and query values of probe and
//! Prometheus URLs, and Prometheus tokens. The process environment is read
//! as `${NAME}` expansion reads it.

use super::Runbook;
use super::model::{Environment, Probe};
use super::select::lookup;
use super::vars::{expand, references};
use crate::secrets::{Secrets, sensitive_header};

/// The value of `${name}` when it comes from the process environment.
pub fn from_process(env: &Environment, name: &str) -> Option<String> {
    if env.vars.contains_key(name) {
        return None;
    }
    let builtin = match name {
        "service" | "env" => true,
        "namespace" => env.namespace.is_some(),
        "context" => env.context.is_some(),
        _ => false,
    };
    if builtin {
        None
    } else {
        std::env::var(name).ok()
    }
}

/// Whether `text` takes a value from the process environment.
pub fn uses_process(env: &Environment, text: &str) -> bool {
    references(text)
        .iter()
        .any(|name| from_process(env, name).is_some())
}

/// Adds the process-environment values `text` refers to.
fn add_process_values(secrets: &mut Secrets, env: &Environment, text: &str) {
    for name in references(text) {
        if let Some(value) = from_process(env, &name) {
            secrets.add(&value);
        }
    }
}

/// The secrets of one probe in one environment.
pub fn probe(service: &str, env_name: &str, env: &Environment, probe: &Probe) -> Secrets {
    let vars = lookup(service, env_name, env);
    let mut secrets = Secrets::new();
    let url = probe.url.get_ref();
    add_process_values(&mut secrets, env, url);
    if let Ok(expanded) = expand(url, &vars) {
        secrets.add_url(&expanded);
    }
    if let Some(body) = &probe.body {
        add_process_values(&mut secrets, env, body.get_ref());
    }
    for (name, value) in &probe.headers {
        let raw = value.get_ref();
        add_process_values(&mut secrets, env, raw);
        if (sensitive_header(name) || uses_process(env, raw))
            && let Ok(expanded) = expand(raw, &vars)
        {
            secrets.add_header_value(&expanded);
        }
    }
    secrets
}

/// The secrets of an environment's Prometheus: its URL's userinfo and
/// query, its token, and the process-environment values in the URL, the
/// token and the runbook's signal queries.
pub fn prometheus(runbook: &Runbook, env_name: &str, env: &Environment) -> Secrets {
    let vars = lookup(runbook.service_name(), env_name, env);
    let mut secrets = Secrets::new();
    if let Some(url) = &env.prometheus {
        add_process_values(&mut secrets, env, url.get_ref());
        if let Ok(expanded) = expand(url.get_ref(), &vars) {
            secrets.add_url(&expanded);
        }
    }
    if let Some(token) = &env.prometheus_token {
        add_process_values(&mut secrets, env, token.get_ref());
        if let Ok(expanded) = expand(token.get_ref(), &vars) {
            secrets.add_header_value(&expanded);
        }
    }
    for signal in runbook.signals() {
        add_process_values(&mut secrets, env, signal.query.get_ref());
    }
    secrets
}

/// Every secret of the runbook, in every environment.
pub fn all(runbook: &Runbook) -> Secrets {
    let mut secrets = Secrets::new();
    let service = runbook.service_name();
    for (env_name, env) in runbook.environments() {
        for p in runbook.probes() {
            secrets.extend(&probe(service, env_name, env, p));
        }
        secrets.extend(&prometheus(runbook, env_name, env));
    }
    secrets
}
