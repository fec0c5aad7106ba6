//! Which environment the console works on, after the command line has had
//! its say: `--env` picks one; otherwise the one whose context equals
//! `--context`, else the first. `--context` and `--namespace` override the
//! runbook; `--read-only` always wins; `read_only = true` needs `--write`.

use super::Runbook;
use super::model::Environment;

/// What the command line says about the target.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub env: Option<String>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub read_only: bool,
    pub write: bool,
    /// Every namespace the user may list (`-A`), not one.
    pub all_namespaces: bool,
    /// Executed actions leave no Kubernetes Event (`--no-events`).
    pub no_events: bool,
}

/// The environment the console works on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub service: Option<String>,
    /// The runbook environment, if there is a runbook.
    pub env: Option<String>,
    /// kube context; None means the kubeconfig's current context.
    pub context: Option<String>,
    /// None means the context's namespace.
    pub namespace: Option<String>,
    pub read_only: bool,
    pub protected: bool,
    /// Every namespace the user may list, with `namespace` the one a
    /// runbook's workloads are in.
    pub all_namespaces: bool,
    /// Something the operator should know about the choice.
    pub warning: Option<String>,
    /// The journal is shared through the cluster: in this namespace
    /// (None: the environment's).
    pub share: Option<Share>,
    /// Executed actions leave Kubernetes Events.
    pub events: bool,
}

/// A journal shared through the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// The namespace its segments are kept in (None: the environment's).
    pub namespace: Option<String>,
}

/// Why no environment could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("--env {0} needs a runbook: pass --runbook PATH or create ./ops-tui.toml")]
    NeedsRunbook(String),
    #[error("{path}: no environment \"{wanted}\" (the runbook has: {known})")]
    NoSuchEnv {
        path: String,
        wanted: String,
        known: String,
    },
    #[error("{0}: the runbook has no environments")]
    NoEnvironments(String),
    /// The environment's context or namespace names a variable that has
    /// no value.
    #[error("{0}")]
    Variable(String),
}

/// Picks the environment. The error names the environments there are.
pub fn select(runbook: Option<&Runbook>, o: &Overrides) -> Result<Target, SelectError> {
    let Some(runbook) = runbook else {
        if let Some(env) = &o.env {
            return Err(SelectError::NeedsRunbook(env.clone()));
        }
        return Ok(Target {
            service: None,
            env: None,
            context: o.context.clone(),
            namespace: o.namespace.clone(),
            read_only: o.read_only,
            protected: false,
            all_namespaces: o.all_namespaces,
            warning: None,
            share: None,
            events: !o.no_events,
        });
    };
    let envs: Vec<(&str, &Environment)> = runbook.environments().collect();
    let names = || envs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let mut warning = None;
    let chosen = match (&o.env, &o.context) {
        (Some(wanted), _) => {
            envs.iter()
                .find(|(n, _)| n == wanted)
                .ok_or_else(|| SelectError::NoSuchEnv {
                    path: runbook.path.display().to_string(),
                    wanted: wanted.clone(),
                    known: names(),
                })?
        }
        (None, Some(ctx)) => match envs
            .iter()
            .find(|(_, e)| e.context.as_ref().is_some_and(|c| c.get_ref() == ctx))
        {
            Some(found) => found,
            None => {
                let first = envs.first().ok_or_else(|| {
                    SelectError::NoEnvironments(runbook.path.display().to_string())
                })?;
                warning = Some(format!(
                    "no runbook environment has context \"{ctx}\": using the settings of \"{}\" (pass --env to choose)",
                    first.0
                ));
                first
            }
        },
        (None, None) => envs
            .first()
            .ok_or_else(|| SelectError::NoEnvironments(runbook.path.display().to_string()))?,
    };
    let (name, env) = *chosen;
    let service = runbook.service_name();
    let expand = |v: &toml::Spanned<String>| {
        super::vars::expand(v.get_ref(), lookup(service, name, env))
            .map_err(|e| SelectError::Variable(e.message))
    };
    let context = match &o.context {
        Some(c) => Some(c.clone()),
        None => env.context.as_ref().map(expand).transpose()?,
    };
    let namespace = match &o.namespace {
        Some(n) => Some(n.clone()),
        None => env.namespace.as_ref().map(expand).transpose()?,
    };
    Ok(Target {
        service: Some(service.to_string()),
        env: Some(name.to_string()),
        context,
        namespace,
        read_only: o.read_only || (env.read_only && !o.write),
        protected: env.protected,
        all_namespaces: o.all_namespaces,
        warning,
        share: env
            .journal
            .as_ref()
            .filter(|j| j.in_cluster())
            .map(|j| Share {
                namespace: j.namespace.as_ref().map(|n| n.get_ref().clone()),
            }),
        events: env.events.unwrap_or(true) && !o.no_events,
    })
}

/// How `${name}` resolves in an environment: its `vars`, then `service`,
/// `env`, `namespace` and `context`, then the process environment.
pub fn lookup<'a>(
    service: &'a str,
    env_name: &'a str,
    env: &'a Environment,
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        if let Some(v) = env.vars.get(name) {
            return Some(v.get_ref().clone());
        }
        let builtin = match name {
            "service" => Some(service),
            "env" => Some(env_name),
            "namespace" => env.namespace.as_ref().map(|n| n.get_ref().as_str()),
            "context" => env.context.as_ref().map(|c| c.get_ref().as_str()),
            _ => None,
        };
        builtin
            .map(String::from)
            .or_else(|| std::env::var(name).ok())
    }
}

/// Like [`lookup`], but a name that would come from the process
/// environment stays `${NAME}`: for showing URLs on screen without the
/// secrets environment variables may hold.
pub fn display_lookup<'a>(
    service: &'a str,
    env_name: &'a str,
    env: &'a Environment,
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        let runbook_only = Environment {
            vars: env.vars.clone(),
            namespace: env.namespace.clone(),
            context: env.context.clone(),
            ..Environment::default()
        };
        let known = env.vars.contains_key(name)
            || matches!(name, "service" | "env" | "namespace" | "context");
        if known {
            lookup(service, env_name, &runbook_only)(name)
        } else {
            Some(format!("${{{name}}}"))
        }
    }
}
