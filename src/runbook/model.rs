//! The runbook as written in `ops-tui.toml` (DESIGN.md section 2). Fields
//! whose position matters for later errors keep it (`Spanned`).

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use super::check_ref::CheckRef;
use super::duration::Dur;
use super::threshold::Threshold;
pub use super::units::Unit;

#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a runbook: [service], [env.NAME], [[workload]], [[probe]], [[signal]] and [[phase]] tables"
)]
pub struct RunbookFile {
    pub service: Spanned<Service>,
    #[serde(default)]
    pub env: Option<Spanned<IndexMap<String, Spanned<Environment>>>>,
    #[serde(default, rename = "workload")]
    pub workloads: Vec<Spanned<Workload>>,
    #[serde(default, rename = "probe")]
    pub probes: Vec<Spanned<Probe>>,
    #[serde(default, rename = "signal")]
    pub signals: Vec<Spanned<Signal>>,
    #[serde(default, rename = "phase")]
    pub phases: Vec<Spanned<Phase>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [service] table with name")]
pub struct Service {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [env.NAME] table (context, namespace, prometheus, prometheus_token, alert_labels, vars, protected, read_only)"
)]
pub struct Environment {
    /// kube context; `--context` overrides.
    pub context: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    /// Prometheus base URL.
    pub prometheus: Option<Spanned<String>>,
    /// Bearer token for Prometheus, usually `${NAME}` of an environment
    /// variable (never shown or logged).
    #[serde(default)]
    pub prometheus_token: Option<Spanned<String>>,
    /// Only alerts with these labels count (e.g. `{ namespace = "shop" }`).
    #[serde(default)]
    pub alert_labels: IndexMap<String, String>,
    /// Values for `${name}` in URLs, headers, bodies and queries.
    #[serde(default)]
    pub vars: IndexMap<String, Spanned<String>>,
    /// Typed confirmation for every action.
    #[serde(default)]
    pub protected: bool,
    /// Actions off unless `--write`.
    #[serde(default)]
    pub read_only: bool,
    /// Where the journal is kept: on this machine (the default), or
    /// shared with the team through the cluster (`[env.NAME.journal]`).
    #[serde(default)]
    pub journal: Option<JournalSharing>,
    /// Each executed action also leaves a Kubernetes Event on the object
    /// it changed (default true; `--no-events` turns it off too).
    #[serde(default)]
    pub events: Option<bool>,
}

/// `[env.NAME.journal]`: `share = "cluster"` keeps the journal's entries
/// in ConfigMaps in the environment's namespace (or `namespace`) too, so
/// every engineer on the environment sees everyone's; `"local"` keeps it
/// on this machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [env.NAME.journal] table with share = \"cluster\" or \"local\""
)]
pub struct JournalSharing {
    pub share: Spanned<String>,
    #[serde(default)]
    pub namespace: Option<Spanned<String>>,
}

impl JournalSharing {
    /// Whether the journal is shared through the cluster.
    pub fn in_cluster(&self) -> bool {
        self.share.get_ref() == "cluster"
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[workload]] table with name")]
pub struct Workload {
    /// A workload in the environment's namespace.
    pub name: Spanned<String>,
    /// Its kind: Deployment (the default), StatefulSet or DaemonSet, in
    /// any spelling kubectl accepts.
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    /// Label selector for its pods (default: the Deployment's own selector).
    #[serde(default)]
    pub selector: Option<Spanned<String>>,
    #[serde(default)]
    pub blue_green: Option<BlueGreen>,
    /// What its pods may use, for `usage:NAME` checks.
    #[serde(default)]
    pub usage: Option<UsageLimits>,
    /// `usage` parsed when the runbook is loaded (which refuses a
    /// condition that does not parse); None: the defaults.
    #[serde(skip)]
    pub usage_rules: Option<crate::runbook::usage::UsageRules>,
    /// How long after a rollout completes its regressions are still
    /// watched for (default 10 minutes).
    #[serde(default)]
    pub soak: Option<Spanned<Dur>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table: { warn = [\"memory < 80% of limit\"], fail = [\"memory < 95% of limit\"] }"
)]
pub struct UsageLimits {
    #[serde(default)]
    pub warn: Vec<Spanned<String>>,
    #[serde(default)]
    pub fail: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table: { service = \"NAME\", label = \"LABEL\" }"
)]
pub struct BlueGreen {
    /// The Service whose selector is switched.
    pub service: String,
    /// The selector label that names the colour (e.g. `version`).
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[probe]] table with name and url")]
pub struct Probe {
    pub name: Spanned<String>,
    pub url: Spanned<String>,
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    #[serde(default)]
    pub headers: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    pub body: Option<Spanned<String>>,
    #[serde(default = "Dur::default_every")]
    pub every: Dur,
    #[serde(default = "Dur::default_timeout")]
    pub timeout: Dur,
    /// Any false → the probe fails.
    #[serde(default)]
    pub fail: Vec<Spanned<String>>,
    /// Any false → the probe is degraded.
    #[serde(default)]
    pub warn: Vec<Spanned<String>>,
    /// Skip TLS verification for this endpoint only.
    #[serde(default)]
    pub insecure: bool,
    /// A PEM file of extra CA certificates to trust (e.g. a private CA),
    /// relative to the runbook's directory.
    #[serde(default)]
    pub ca: Option<Spanned<String>>,
    /// Send this many requests when run on demand (rate-limit tests).
    #[serde(default)]
    pub burst: Option<Spanned<u32>>,
}

impl Probe {
    pub fn method(&self) -> &str {
        self.method.as_ref().map_or("GET", |m| m.get_ref().as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [[signal]] table with name and query"
)]
pub struct Signal {
    pub name: Spanned<String>,
    pub query: Spanned<String>,
    #[serde(default)]
    pub unit: Option<Unit>,
    #[serde(default)]
    pub warn: Option<Spanned<String>>,
    #[serde(default)]
    pub fail: Option<Spanned<String>>,
    #[serde(default = "Dur::default_every")]
    pub every: Dur,
    /// `warn` in the signal's unit: parsed when the runbook is loaded
    /// ([`crate::runbook::Runbook::parse`]), which refuses one that does
    /// not parse.
    #[serde(skip)]
    pub warn_threshold: Option<Threshold>,
    /// `fail` in the signal's unit, parsed as `warn_threshold` is.
    #[serde(skip)]
    pub fail_threshold: Option<Threshold>,
    /// When a rollout makes this signal a regression besides its turning
    /// to fail: a factor over its baseline, and a comparison of the new
    /// revision's pods with the old ones'.
    #[serde(default)]
    pub regression: Option<Regression>,
    /// `regression.margin` in the signal's unit, parsed when the runbook
    /// is loaded.
    #[serde(skip)]
    pub margin_value: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table: { worse = 2, margin = \"0.5%\", per_revision = \"pod\" }"
)]
pub struct Regression {
    /// A value this many times worse than the baseline (higher, or lower
    /// when the thresholds trip on low values) is a regression.
    #[serde(default)]
    pub worse: Option<Spanned<f64>>,
    /// ... but only when it differs from the baseline by more than this,
    /// in the signal's unit (default: any difference).
    #[serde(default)]
    pub margin: Option<Spanned<String>>,
    /// The label of the query's series that names the pod: the new
    /// revision's pods are compared with the old revision's.
    #[serde(default)]
    pub per_revision: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [[phase]] table with name and items"
)]
pub struct Phase {
    pub name: Spanned<String>,
    #[serde(default)]
    pub id: Option<String>,
    /// A recurring phase: each period starts a fresh run of its items.
    #[serde(default)]
    pub every: Option<Dur>,
    /// The guide's commands for this phase (from `import`), shown
    /// read-only in the walkthrough.
    #[serde(default)]
    pub guide: Option<String>,
    #[serde(default)]
    pub items: Vec<Spanned<Item>>,
}

/// A checklist item: a plain string, or a table with `text`, `id`, `check`.
#[derive(Debug, Clone)]
pub struct Item {
    pub text: String,
    pub id: Option<String>,
    pub check: Option<Spanned<String>>,
    /// What `check` names: parsed when the runbook is loaded
    /// ([`crate::runbook::Runbook::parse`]), which refuses one that does
    /// not parse or names nothing in the runbook.
    pub check_ref: Option<CheckRef>,
    /// The guide's text and commands around the item (from `import`),
    /// shown read-only in the walkthrough.
    pub guide: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemTable {
    text: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    check: Option<Spanned<String>>,
    #[serde(default)]
    guide: Option<String>,
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Item, D::Error> {
        struct ItemVisitor;

        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = Item;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an item: a string, or a table with `text` and optionally `id`, `check` and `guide`",
                )
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Item, E> {
                Ok(Item {
                    text: text.to_string(),
                    id: None,
                    check: None,
                    check_ref: None,
                    guide: None,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Item, A::Error> {
                let table = ItemTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Item {
                    text: table.text,
                    id: table.id,
                    check: table.check,
                    check_ref: None,
                    guide: table.guide,
                })
            }
        }

        deserializer.deserialize_any(ItemVisitor)
    }
}

impl Workload {
    /// The workload's kind; an unknown one (which `validate` reports)
    /// reads as a Deployment.
    pub fn kind(&self) -> crate::kinds::WorkloadKind {
        self.kind
            .as_ref()
            .and_then(|k| crate::kinds::WorkloadKind::parse(k.get_ref()))
            .unwrap_or_default()
    }

    /// Its usage conditions: the runbook's, else the defaults (memory
    /// warns from 80% and fails from 95% of the limit).
    pub fn usage_rules(&self) -> crate::runbook::usage::UsageRules {
        self.usage_rules.clone().unwrap_or_default()
    }
}
