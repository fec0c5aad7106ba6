//! The environment and context picker: the runbook's environments and the
//! kubeconfig's contexts; choosing one re-targets every watch.

use crate::runbook::Runbook;
use crate::runbook::select::{Overrides, Target, select};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// A runbook environment, with its context and namespace.
    Env(String),
    /// A kubeconfig context, outside the runbook's environments.
    Context(String),
    /// The current environment or context, every namespace at once (or,
    /// when it is already so, its one namespace again).
    AllNamespaces(bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub choice: Choice,
    /// What the row says: the name, and where it points.
    pub label: String,
    pub detail: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub entries: Vec<Entry>,
    pub selected: usize,
}

impl Picker {
    /// Environments first (file order), then contexts no environment uses.
    pub fn new(runbook: Option<&Runbook>, contexts: &[String], target: &Target) -> Picker {
        let mut entries = Vec::new();
        let mut used = Vec::new();
        for (name, env) in runbook.iter().flat_map(|r| r.environments()) {
            // The environment as selecting it resolves it (variables filled).
            let resolved = target_for(
                runbook,
                &Overrides::default(),
                target,
                &Choice::Env(name.into()),
            )
            .ok();
            let context = resolved.as_ref().and_then(|t| t.context.clone());
            let namespace = resolved.as_ref().and_then(|t| t.namespace.clone());
            used.extend(context.clone());
            let mut detail = format!(
                "context {} · namespace {}",
                context.as_deref().unwrap_or("(current)"),
                namespace.as_deref().unwrap_or("(the context's)")
            );
            if env.protected {
                detail.push_str(" · protected");
            }
            if env.read_only {
                detail.push_str(" · read-only");
            }
            entries.push(Entry {
                current: target.env.as_deref() == Some(name),
                choice: Choice::Env(name.to_string()),
                label: format!("env {name}"),
                detail,
            });
        }
        for ctx in contexts.iter().filter(|c| !used.contains(c)) {
            entries.push(Entry {
                current: target.env.is_none() && target.context.as_deref() == Some(ctx.as_str()),
                choice: Choice::Context(ctx.clone()),
                label: format!("context {ctx}"),
                detail: "kubeconfig context".into(),
            });
        }
        let all = target.all_namespaces;
        entries.push(Entry {
            current: false,
            choice: Choice::AllNamespaces(!all),
            label: if all {
                format!(
                    "namespace {}",
                    target.namespace.as_deref().unwrap_or("(the context's)")
                )
            } else {
                "all namespaces".to_string()
            },
            detail: if all {
                "back to the one namespace".into()
            } else {
                "every namespace you may list, here (as -A)".into()
            },
        });
        let selected = entries.iter().position(|e| e.current).unwrap_or(0);
        Picker { entries, selected }
    }
}

/// The target a choice leads to, keeping the command line's read-only and
/// write flags (and its namespace for a bare context).
pub fn target_for(
    runbook: Option<&Runbook>,
    overrides: &Overrides,
    current: &Target,
    choice: &Choice,
) -> Result<Target, crate::runbook::select::SelectError> {
    match choice {
        Choice::AllNamespaces(all) => Ok(Target {
            all_namespaces: *all,
            ..current.clone()
        }),
        Choice::Env(name) => select(
            runbook,
            &Overrides {
                env: Some(name.clone()),
                context: None,
                namespace: None,
                ..overrides.clone()
            },
        ),
        Choice::Context(ctx) => {
            // A context that a protected environment uses stays protected.
            let protected = runbook.is_some_and(|r| {
                r.environments().any(|(_, e)| {
                    e.protected && e.context.as_ref().is_some_and(|c| c.get_ref() == ctx)
                })
            });
            Ok(Target {
                service: runbook.map(|r| r.service_name().to_string()),
                env: None,
                context: Some(ctx.clone()),
                namespace: overrides.namespace.clone(),
                read_only: overrides.read_only,
                protected,
                all_namespaces: overrides.all_namespaces,
                warning: runbook.map(|_| {
                    format!(
                        "context {ctx} is not an environment of the runbook: its probes and \
                         signals belong to environments, so they are off here"
                    )
                }),
                share: None,
                events: !overrides.no_events,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_context_keeps_the_protection_of_its_environment_and_says_probes_are_off() {
        let text = "[service]\nname = \"api\"\n\n[env.prod]\ncontext = \"prod-ctx\"\nprotected = true\n\n[env.staging]\ncontext = \"staging-ctx\"\n";
        let rb = Runbook::parse(std::path::Path::new("r.toml"), text).unwrap();
        let o = Overrides::default();
        let prod = target_for(
            Some(&rb),
            &o,
            &Target::default(),
            &Choice::Context("prod-ctx".into()),
        )
        .unwrap();
        assert_eq!(prod.env, None);
        assert!(prod.protected, "the context a protected environment uses");
        assert!(
            prod.warning
                .as_deref()
                .unwrap()
                .contains("context prod-ctx is not an environment of the runbook"),
            "{prod:?}"
        );
        let other = target_for(
            Some(&rb),
            &o,
            &Target::default(),
            &Choice::Context("kind".into()),
        )
        .unwrap();
        assert!(!other.protected);
        let bare = target_for(
            None,
            &o,
            &Target::default(),
            &Choice::Context("kind".into()),
        )
        .unwrap();
        assert_eq!(
            bare.warning, None,
            "without a runbook there is nothing to turn off"
        );
    }
}
