//! The environments of an imported runbook, from what the guide states
//! about where it deploys (the namespaces, kube contexts and clusters its
//! commands and manifests name), never from a word in one item. Every
//! namespace it deploys to is an environment, the most named first. An
//! environment is protected unless what names it says plainly that it is
//! not production (dev, test, staging, …) and nothing in it says it is;
//! when the guide states nothing, the environment is its main target,
//! `production`, protected.

use indexmap::IndexMap;

/// An environment as the import writes it, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Env {
    pub name: String,
    pub namespace: Option<String>,
    pub context: Option<String>,
    pub protected: bool,
    /// Why it was chosen and why it is (not) protected, for the comment
    /// block.
    pub why: String,
}

/// Words that say production.
const PROD: &[&str] = &["prod", "production", "prd", "live"];
/// Words that say plainly: not production.
const NOT_PROD: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "testing",
    "staging",
    "stage",
    "stg",
    "qa",
    "uat",
    "sandbox",
    "preview",
    "demo",
    "local",
    "kind",
    "minikube",
    "rehearsal",
];

/// The words of a name: split at anything not a letter or digit.
fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Whether a name says production: a word of it is one of PROD, or it
/// contains `prod` or `live` at all (`eu-prod1`, `golive`): a name that
/// might is taken to.
pub fn says_production(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("prod")
        || lower.contains("live")
        || words(name).iter().any(|w| PROD.contains(&w.as_str()))
}

pub fn says_not_production(name: &str) -> bool {
    words(name).iter().any(|w| NOT_PROD.contains(&w.as_str()))
}

/// Whether an environment named by `names` (its namespace, context and
/// clusters) is protected, and why.
fn protection(names: &[&str]) -> (bool, String) {
    if let Some(n) = names.iter().find(|n| says_production(n)) {
        return (true, format!("protected: \"{n}\" says production"));
    }
    match names.iter().find(|n| says_not_production(n)) {
        Some(n) => (
            false,
            format!("not protected: \"{n}\" says it is not production"),
        ),
        None => (
            true,
            "protected: nothing the guide states says it is not production".into(),
        ),
    }
}

/// A name TOML takes as a bare key, from a namespace or context.
fn key(name: &str) -> String {
    let k: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let k = k.trim_matches('-').to_string();
    if k.is_empty() { "production".into() } else { k }
}

/// The environments for the namespaces (with how often the guide names
/// each, and the contexts the commands naming each run in), contexts and
/// clusters the guide names. A namespace its commands use in one context
/// gets that context, and only that context (not the guide's other
/// clusters) says whether it is production.
pub fn choose(
    namespaces: &IndexMap<String, usize>,
    ns_contexts: &IndexMap<String, Vec<String>>,
    contexts: &[String],
    clusters: &[String],
) -> Vec<Env> {
    let context = match contexts {
        [one] => Some(one.clone()),
        _ => None,
    };
    let context_why = match contexts {
        [] => String::new(),
        [one] => format!(", context {one} (the one the guide uses)"),
        many => format!(
            ", no context (the guide uses {}: set the right one)",
            many.join(", ")
        ),
    };
    let mut ordered: Vec<(&String, &usize)> = namespaces.iter().collect();
    // The most named first; between equals, not one that says it is not
    // production (the guide's main target), then in the guide's order.
    ordered.sort_by(|a, b| {
        b.1.cmp(a.1)
            .then(says_not_production(a.0).cmp(&says_not_production(b.0)))
    });
    let mut envs: Vec<Env> = Vec::new();
    for (ns, count) in ordered {
        let own = ns_contexts.get(ns).map_or(&[][..], Vec::as_slice);
        let mut names: Vec<&str> = vec![ns.as_str()];
        let (context, context_why) = match own {
            [one] => {
                names.push(one);
                (
                    Some(one.clone()),
                    format!(", context {one} (its commands run there)"),
                )
            }
            [] => {
                names.extend(contexts.iter().map(String::as_str));
                names.extend(clusters.iter().map(String::as_str));
                (context.clone(), context_why.clone())
            }
            many => {
                names.extend(many.iter().map(String::as_str));
                (
                    None,
                    format!(
                        ", no context (its commands run in {}: one environment per context is yours to add)",
                        many.join(", ")
                    ),
                )
            }
        };
        let (protected, protection) = protection(&names);
        let mut name = key(ns);
        if envs.iter().any(|e| e.name == name) {
            name = format!("{name}-{}", envs.len() + 1);
        }
        envs.push(Env {
            name,
            namespace: Some(ns.clone()),
            context,
            protected,
            why: format!(
                "namespace {ns} (named {count} time{} in the guide's commands and manifests){context_why}; {protection}",
                if *count == 1 { "" } else { "s" }
            ),
        });
    }
    if envs.is_empty() {
        let name = context.as_deref().map_or_else(|| "production".into(), key);
        // The environment's own name counts: `production` when nothing
        // else names it.
        let mut names: Vec<&str> = vec![name.as_str()];
        names.extend(contexts.iter().map(String::as_str));
        names.extend(clusters.iter().map(String::as_str));
        let (protected, protection) = if names.len() == 1 {
            (
                true,
                "protected: nothing the guide states says it is not production".to_string(),
            )
        } else {
            protection(&names)
        };
        envs.push(Env {
            name,
            namespace: None,
            context,
            protected,
            why: format!(
                "the guide's main target: it names no namespace{context_why}; {protection}"
            ),
        });
    }
    envs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(pairs: &[(&str, usize)]) -> IndexMap<String, usize> {
        pairs.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    }

    #[test]
    fn every_namespace_is_an_environment_and_production_is_protected() {
        let envs = choose(
            &ns(&[("shop-staging", 2), ("shop-production", 5), ("green", 1)]),
            &IndexMap::new(),
            &[],
            &["prod-eu-1".into()],
        );
        let names: Vec<(&str, bool)> = envs
            .iter()
            .map(|e| (e.name.as_str(), e.protected))
            .collect();
        // The cluster says production: every namespace on it is protected.
        assert_eq!(
            names,
            [
                ("shop-production", true),
                ("shop-staging", true),
                ("green", true)
            ]
        );
        let envs = choose(
            &ns(&[("shop-staging", 2), ("green", 1)]),
            &IndexMap::new(),
            &[],
            &[],
        );
        assert_eq!(
            envs.iter().map(|e| e.protected).collect::<Vec<_>>(),
            [false, true],
            "{envs:#?}"
        );
        assert!(
            envs[1]
                .why
                .contains("nothing the guide states says it is not production")
        );
    }

    #[test]
    fn each_namespace_takes_the_context_its_commands_run_in() {
        let contexts: IndexMap<String, Vec<String>> = [
            ("shop".to_string(), vec!["prod-eu".to_string()]),
            (
                "shop-rehearsal".to_string(),
                vec!["staging-cluster".to_string()],
            ),
            (
                "shop-edge".to_string(),
                vec!["prod-eu".to_string(), "prod-us".to_string()],
            ),
        ]
        .into_iter()
        .collect();
        let envs = choose(
            &ns(&[("shop-rehearsal", 2), ("shop", 2), ("shop-edge", 1)]),
            &contexts,
            &["prod-eu".into(), "staging-cluster".into(), "prod-us".into()],
            &["prod-cluster".into()],
        );
        let got: Vec<(&str, Option<&str>, bool)> = envs
            .iter()
            .map(|e| (e.name.as_str(), e.context.as_deref(), e.protected))
            .collect();
        // Production first between equals; the rehearsal is judged by its
        // own context, not by the guide's production cluster; a namespace
        // in two contexts gets neither, and the comment says so.
        assert_eq!(
            got,
            [
                ("shop", Some("prod-eu"), true),
                ("shop-rehearsal", Some("staging-cluster"), false),
                ("shop-edge", None, true),
            ]
        );
        assert!(envs[2].why.contains("prod-eu, prod-us"), "{}", envs[2].why);
    }

    #[test]
    fn a_guide_that_names_nothing_targets_production_protected() {
        let envs = choose(&IndexMap::new(), &IndexMap::new(), &[], &[]);
        assert_eq!(envs.len(), 1);
        assert_eq!(envs[0].name, "production");
        assert!(envs[0].protected);
        let envs = choose(
            &IndexMap::new(),
            &IndexMap::new(),
            &["kind-dev".into()],
            &[],
        );
        assert_eq!(
            (envs[0].name.as_str(), envs[0].protected),
            ("kind-dev", false)
        );
        assert_eq!(envs[0].context.as_deref(), Some("kind-dev"));
    }

    #[test]
    fn a_word_for_production_anywhere_wins() {
        for n in [
            "prod",
            "eu-prod1",
            "payments-live",
            "PRODUCTION",
            "staging-prod",
        ] {
            assert!(protection(&[n]).0, "{n}");
        }
        for n in ["staging", "dev-eu", "qa"] {
            assert!(!protection(&[n]).0, "{n}");
        }
        assert!(protection(&["shop"]).0, "unsure protects");
    }
}
