#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The importer on the project's own deployment guides (`tests/guides`),
//! each written in another team's style, against the outline written by
//! hand from reading it (`NAME.outline.toml`, format in
//! `tests/guides/OUTLINE.md`): the service, every environment with its
//! context and protection, workloads with their blue-green key, probes
//! with their conditions, signals with their thresholds, phases with their
//! item counts, and the items' bindings. Of the items the outline says
//! should bind, at least 80% must, each to the right check; no item may
//! bind to a wrong one, nor one the outline leaves manual.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use ops_tui::runbook::Runbook;
use ops_tui::runbook::import::{Imported, import};
use ops_tui::runbook::select::lookup;
use ops_tui::runbook::threshold::Threshold;
use ops_tui::runbook::vars::expand;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Outline {
    service: String,
    #[serde(default)]
    env: Vec<Env>,
    #[serde(default)]
    workload: Vec<Workload>,
    #[serde(default)]
    probe: Vec<Probe>,
    #[serde(default)]
    signal: Vec<Signal>,
    #[serde(default)]
    phase: Vec<Phase>,
    #[serde(default)]
    item: Vec<Item>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Env {
    namespace: Option<String>,
    context: Option<String>,
    protected: bool,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Workload {
    name: String,
    kind: String,
    blue_green: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Probe {
    url: String,
    kind: String,
    body: Option<String>,
    cert_days: Option<u32>,
    #[serde(default)]
    headers: Vec<String>,
    burst: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signal {
    alert: String,
    fail: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone)]
#[serde(deny_unknown_fields)]
struct Phase {
    name: String,
    items: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    text: String,
    check: String,
    url: Option<String>,
    alert: Option<String>,
    threshold: Option<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guides")
}

/// What the import gave, read back from the runbook it wrote.
struct Got {
    imported: Imported,
    runbook: Runbook,
    /// Each probe's name and URL (the main environment's variables).
    probe_urls: BTreeMap<String, String>,
    /// Each signal's name and alert rule.
    alerts: Vec<(String, String)>,
}

fn import_guide(name: &str) -> Got {
    let bytes = std::fs::read(dir().join(format!("{name}.md"))).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let imported = import(&text, &format!("{name}.md")).unwrap();
    let runbook = Runbook::parse(Path::new("x.toml"), &imported.toml).unwrap_or_else(|e| {
        panic!(
            "{name}: the imported runbook does not validate:\n{e}\n---\n{}",
            imported.toml
        )
    });
    let probe_urls = {
        let (env_name, env) = runbook.environments().next().unwrap();
        let vars = lookup(runbook.service_name(), env_name, env);
        runbook
            .probes()
            .map(|p| {
                (
                    p.name.get_ref().clone(),
                    expand(p.url.get_ref(), &vars).unwrap(),
                )
            })
            .collect()
    };
    let alerts = imported
        .summary
        .signals
        .iter()
        .cloned()
        .zip(imported.summary.alert_rules.iter().cloned())
        .collect();
    Got {
        imported,
        runbook,
        probe_urls,
        alerts,
    }
}

/// A probe as the outline describes it, from the runbook's.
fn probe_of(got: &Got, p: &ops_tui::runbook::model::Probe) -> Probe {
    let fail: Vec<&str> = p.fail.iter().map(|c| c.get_ref().as_str()).collect();
    let headers: Vec<String> = fail
        .iter()
        .filter_map(|c| c.strip_prefix("has([HEADER]."))
        .map(|h| h.trim_end_matches(')').to_string())
        .collect();
    let burst = p.burst.as_ref().map(|b| *b.get_ref());
    Probe {
        url: got.probe_urls[p.name.get_ref()].clone(),
        kind: if burst.is_some() {
            "burst"
        } else if !headers.is_empty() {
            "headers"
        } else {
            "health"
        }
        .into(),
        body: fail
            .iter()
            .find_map(|c| {
                c.strip_prefix("[BODY].status == ")
                    .or_else(|| c.strip_prefix("[BODY] == "))
            })
            .map(String::from),
        cert_days: fail.iter().find_map(|c| {
            c.strip_prefix("[CERTIFICATE_EXPIRATION] > ")
                .and_then(|d| d.strip_suffix('d'))
                .and_then(|d| d.parse().ok())
        }),
        headers,
        burst,
    }
}

/// Whether two thresholds say the same (`> 0.01` and `> 1%` for a
/// percent signal).
fn same_threshold(a: &str, b: &str, unit: Option<ops_tui::runbook::model::Unit>) -> bool {
    match (Threshold::parse_for(a, unit), Threshold::parse_for(b, unit)) {
        (Ok(a), Ok(b)) => {
            a.op == b.op && (a.value - b.value).abs() <= 1e-9 * a.value.abs().max(1.0)
        }
        _ => false,
    }
}

/// The `fail` threshold that holds an item's "stays below/above" bound:
/// `< 0.01` → `> 0.01`.
fn failing(threshold: &str) -> String {
    let t = threshold.trim();
    if let Some(v) = t.strip_prefix("<=") {
        format!(">{v}")
    } else if let Some(v) = t.strip_prefix(">=") {
        format!("<{v}")
    } else if let Some(v) = t.strip_prefix('<') {
        format!(">{v}")
    } else if let Some(v) = t.strip_prefix('>') {
        format!("<{v}")
    } else {
        t.to_string()
    }
}

/// Why an item's check is not the one the outline expects, if it is not.
fn wrong_check(got: &Got, want: &Item, check: Option<&str>) -> Option<String> {
    let probe = |name: &str| got.runbook.probes().find(|p| p.name.get_ref() == name);
    let said = || format!("bound to {check:?}");
    if want.check != "manual" && check.is_none() {
        return Some("not bound".into());
    }
    match want.check.as_str() {
        "manual" => check.map(|c| format!("should be manual, is bound to {c}")),
        "probe" => {
            let url = want.url.as_deref().unwrap_or_default();
            let name = check.and_then(|c| c.strip_prefix("probe:"));
            match name.and_then(|n| got.probe_urls.get(n)) {
                Some(u) if u == url => None,
                _ => Some(format!("should be the probe on {url}, {}", said())),
            }
        }
        "certificate" | "headers" | "burst" => {
            let p = check.and_then(|c| c.strip_prefix("probe:")).and_then(probe);
            let ok = p.is_some_and(|p| {
                let p = probe_of(got, p);
                match want.check.as_str() {
                    "certificate" => p.cert_days.is_some() || probe_warns_cert(got, &p.url),
                    "headers" => p.kind == "headers",
                    _ => p.kind == "burst",
                }
            });
            (!ok).then(|| format!("should be the {} probe, {}", want.check, said()))
        }
        "signal" => {
            let alert = want.alert.as_deref().unwrap_or_default();
            let Some(name) = check.and_then(|c| c.strip_prefix("signal:")) else {
                return Some(format!("should be alert {alert}'s signal, {}", said()));
            };
            let Some(signal) = got.runbook.signals().find(|s| s.name.get_ref() == name) else {
                return Some(format!("no signal {name}"));
            };
            let of_alert = got.alerts.iter().find(|(_, a)| a == alert);
            let query_of = |n: &str| {
                got.runbook
                    .signals()
                    .find(|s| s.name.get_ref() == n)
                    .map(|s| s.query.get_ref().clone())
            };
            let same_query =
                of_alert.and_then(|(n, _)| query_of(n)) == Some(signal.query.get_ref().clone());
            if !same_query {
                return Some(format!("should be alert {alert}'s signal, {}", said()));
            }
            let threshold = want.threshold.as_deref()?;
            let fail = signal.fail.as_ref().map(|f| f.get_ref().clone());
            match fail {
                Some(f) if same_threshold(&f, &failing(threshold), signal.unit) => None,
                other => Some(format!(
                    "signal {name} should fail at {} (the item's {threshold}), fails at {other:?}",
                    failing(threshold)
                )),
            }
        }
        "alerts:configured" => match check {
            Some(c) if c.starts_with("alerts:configured") => None,
            _ => Some(format!("should be alerts:configured, {}", said())),
        },
        exact => (check != Some(exact)).then(|| format!("should be {exact}, {}", said())),
    }
}

/// Whether the probe on `url` warns of an expiring certificate.
fn probe_warns_cert(got: &Got, url: &str) -> bool {
    got.runbook.probes().any(|p| {
        got.probe_urls[p.name.get_ref()] == url
            && p.warn
                .iter()
                .any(|c| c.get_ref().starts_with("[CERTIFICATE_EXPIRATION]"))
    })
}

/// Compares the import of `tests/guides/NAME.md` with its outline; every
/// difference is listed, then the test fails if there is any.
fn compare(name: &str) {
    let outline: Outline = toml::from_str(
        &std::fs::read_to_string(dir().join(format!("{name}.outline.toml"))).unwrap(),
    )
    .unwrap_or_else(|e| panic!("{name}.outline.toml: {e}"));
    let got = import_guide(name);
    let mut diffs: Vec<String> = Vec::new();
    let differ = |diffs: &mut Vec<String>, what: &str, want: String, got: String| {
        if want != got {
            diffs.push(format!("{what}:\n    expected {want}\n    imported {got}"));
        }
    };

    differ(
        &mut diffs,
        "service",
        outline.service.clone(),
        got.runbook.service_name().to_string(),
    );

    let mut want_envs = outline.env.clone();
    want_envs.sort();
    let mut got_envs: Vec<Env> = got
        .runbook
        .environments()
        .map(|(_, e)| Env {
            namespace: e.namespace.as_ref().map(|n| n.get_ref().clone()),
            context: e.context.as_ref().map(|c| c.get_ref().clone()),
            protected: e.protected,
        })
        .collect();
    got_envs.sort();
    differ(
        &mut diffs,
        "environments",
        format!("{want_envs:?}"),
        format!("{got_envs:?}"),
    );

    let mut want_workloads = outline.workload.clone();
    want_workloads.sort();
    let mut got_workloads: Vec<Workload> = got
        .runbook
        .workloads()
        .map(|w| Workload {
            name: w.name.get_ref().clone(),
            kind: w.kind().name().to_string(),
            blue_green: w.blue_green.as_ref().map(|b| b.label.clone()),
        })
        .collect();
    got_workloads.sort();
    differ(
        &mut diffs,
        "workloads",
        format!("{want_workloads:?}"),
        format!("{got_workloads:?}"),
    );

    let mut want_probes = outline.probe.clone();
    want_probes.sort();
    let mut got_probes: Vec<Probe> = got.runbook.probes().map(|p| probe_of(&got, p)).collect();
    got_probes.sort();
    differ(
        &mut diffs,
        "probes",
        format!("{want_probes:#?}"),
        format!("{got_probes:#?}"),
    );

    for want in &outline.signal {
        let signal = got
            .alerts
            .iter()
            .find(|(_, a)| *a == want.alert)
            .and_then(|(n, _)| got.runbook.signals().find(|s| s.name.get_ref() == n));
        match (signal, &want.fail) {
            (None, _) => diffs.push(format!("no signal for alert {}", want.alert)),
            (Some(s), Some(fail)) => {
                let theirs = s.fail.as_ref().map(|f| f.get_ref().clone());
                if !theirs
                    .as_deref()
                    .is_some_and(|t| same_threshold(t, fail, s.unit))
                {
                    diffs.push(format!(
                        "signal of alert {}: expected fail {fail}, imported {theirs:?}",
                        want.alert
                    ));
                }
            }
            (Some(_), None) => {}
        }
    }
    let mut got_rules: Vec<&String> = Vec::new();
    for rule in &got.imported.summary.alert_rules {
        if !got_rules.contains(&rule) {
            got_rules.push(rule);
        }
    }
    let want_rules: Vec<&String> = outline.signal.iter().map(|s| &s.alert).collect();
    differ(
        &mut diffs,
        "alert rules",
        format!("{want_rules:?}"),
        format!("{got_rules:?}"),
    );

    let got_phases: Vec<Phase> = got
        .runbook
        .phases()
        .map(|p| Phase {
            name: p.name.get_ref().clone(),
            items: p.items.len(),
        })
        .collect();
    differ(
        &mut diffs,
        "phases",
        format!("{:?}", outline.phase),
        format!("{got_phases:?}"),
    );

    // The bindings.
    let items: Vec<(String, Option<String>)> = got
        .runbook
        .phases()
        .flat_map(|p| p.items.iter())
        .map(|i| {
            let i = i.get_ref();
            (
                i.text.clone(),
                i.check.as_ref().map(|c| c.get_ref().clone()),
            )
        })
        .collect();
    let mut listed = vec![false; items.len()];
    let (mut bindable, mut right, mut wrong) = (0, 0, 0);
    for want in &outline.item {
        let needle = want.text.to_lowercase();
        let matching: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, (t, _))| t.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        let [at] = matching.as_slice() else {
            diffs.push(format!(
                "item {:?} matches {} items, not one",
                want.text,
                matching.len()
            ));
            continue;
        };
        listed[*at] = true;
        let (text, check) = &items[*at];
        let bind = want.check != "manual";
        bindable += usize::from(bind);
        match wrong_check(&got, want, check.as_deref()) {
            None => right += usize::from(bind),
            // Left manual: not bound, not wrong either.
            Some(_) if bind && check.is_none() => {
                eprintln!("{name}: not bound: {text:?} (expected {})", want.check);
            }
            Some(why) => {
                wrong += 1;
                diffs.push(format!("item {text:?}: {why}"));
            }
        }
    }
    for (i, (text, check)) in items.iter().enumerate() {
        if let (false, Some(check)) = (listed[i], check) {
            wrong += 1;
            diffs.push(format!(
                "item {text:?} is bound to {check}; the outline leaves it manual"
            ));
        }
    }
    eprintln!("{name}: {right} of {bindable} bindable items bound right, {wrong} wrong");
    if right * 10 < bindable * 8 {
        diffs.push(format!(
            "only {right} of {bindable} bindable items are bound (at least 80% must be)"
        ));
    }
    assert!(
        diffs.is_empty(),
        "{name}: the import differs from the outline:\n  {}\n--- imported runbook:\n{}",
        diffs.join("\n  "),
        got.imported.toml
    );
}

macro_rules! guides {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                compare($name);
            }
        )*

        /// Every guide in `tests/guides` has its test, and there are at
        /// least ten.
        #[test]
        fn every_guide_has_an_outline_and_a_test() {
            let tested = [$($name),*];
            let mut found: Vec<String> = std::fs::read_dir(dir())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter_map(|n| n.strip_suffix(".outline.toml").map(String::from))
                .collect();
            found.sort();
            let mut tested: Vec<String> = tested.iter().map(|s| s.to_string()).collect();
            tested.sort();
            assert_eq!(found, tested);
            assert!(tested.len() >= 10, "{tested:?}");
            for name in &tested {
                assert!(dir().join(format!("{name}.md")).is_file(), "{name}.md");
            }
        }
    };
}

guides! {
    bramble_quarkus => "bramble-quarkus",
    finch_fastapi => "finch-fastapi",
    harbormaster_dotnet => "harbormaster-dotnet",
    ledgerline_spring => "ledgerline-spring",
    lumen_laravel => "lumen-laravel",
    meridian_grpc => "meridian-grpc",
    parcelbay_node => "parcelbay-node",
    petrel_phoenix => "petrel-phoenix",
    quillstack_django => "quillstack-django",
    tramway_rails => "tramway-rails",
}
