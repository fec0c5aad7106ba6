#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The importer on the five real guides in `../shared/guides`. Item
//! counts are taken from the Markdown here with a plain line scan, not
//! with the importer's parser: task lines (`- [ ] `, `* [x] `, nested
//! too) under each heading; for a guide without any, bullet lines that
//! start with a status symbol (✅ ❌ ⏳ …). Endpoints, workloads,
//! namespaces and alert rules are the ones read off each guide by hand.

use std::path::Path;

use ops_tui::kinds::WorkloadKind;
use ops_tui::runbook::Runbook;
use ops_tui::runbook::import::{Imported, import};
use ops_tui::runbook::select::lookup;
use ops_tui::runbook::vars::expand;

use crate::common::guides;

/// A guide's text and file name, or `None` when `../shared/guides` is
/// absent and the tests skip.
fn guide(name: &str) -> Option<(String, String)> {
    Some((guides::read(name)?, name.to_string()))
}

/// Per heading (in order, headings with none left out), how many lines
/// the predicate accepts; code fences are skipped.
fn count_by_heading(markdown: &str, counts: impl Fn(&str) -> bool) -> Vec<(String, usize)> {
    with_procedures(markdown, counts, &[])
}

/// `count_by_heading`, also counting the numbered lines (`1. `, nested
/// too) under the headings `procedures` names (the heading itself, or a
/// part of one that does not start with a number): the sections without
/// checklist items whose numbered steps are a procedure, read off each
/// guide by hand.
fn with_procedures(
    markdown: &str,
    counts: impl Fn(&str) -> bool,
    procedures: &[&str],
) -> Vec<(String, usize)> {
    let numbered = |line: &str| {
        let t = line.trim_start();
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && t[digits..].starts_with(". ")
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut heading = String::new();
    let mut fenced = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim().to_string();
            continue;
        }
        let numbered_heading = heading.starts_with(|c: char| c.is_ascii_digit());
        let procedure = procedures
            .iter()
            .any(|p| heading == *p || (!numbered_heading && heading.contains(p)));
        if counts(line) || (procedure && numbered(line)) {
            match out.last_mut() {
                Some((h, n)) if *h == heading => *n += 1,
                _ => out.push((heading.clone(), 1)),
            }
        }
    }
    out
}

fn is_task_line(line: &str) -> bool {
    let t = line.trim_start();
    [
        "- [ ] ", "- [x] ", "- [X] ", "* [ ] ", "* [x] ", "* [X] ", "+ [ ] ", "+ [x] ", "+ [X] ",
    ]
    .iter()
    .any(|m| t.starts_with(m))
}

fn is_status_line(line: &str) -> bool {
    let t = line.trim_start();
    let Some(rest) = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .or_else(|| t.strip_prefix("+ "))
    else {
        return false;
    };
    ["✅", "❌", "⏳", "🔲", "☐", "☑", "✓", "✗", "✔", "⚠"]
        .iter()
        .any(|s| rest.starts_with(s))
}

/// The runbook validates, and its phases have the scanned counts under
/// headings that contain the phase names.
fn check_phases(imported: &Imported, expected: &[(String, usize)]) -> Runbook {
    let runbook = Runbook::parse(Path::new("x.toml"), &imported.toml).unwrap_or_else(|e| {
        panic!(
            "the imported runbook does not validate:\n{e}\n---\n{}",
            imported.toml
        )
    });
    let got: Vec<(String, usize)> = runbook
        .phases()
        .map(|p| (p.name.get_ref().clone(), p.items.len()))
        .collect();
    assert_eq!(got, imported.summary.phases);
    assert_eq!(
        got.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        expected.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        "items per phase: importer {got:?}, scan {expected:?}"
    );
    for ((name, _), (heading, _)) in got.iter().zip(expected) {
        // A repeated name has its parent heading after it: "X (Parent)".
        let own = name.split(" (").next().unwrap_or(name);
        assert!(
            heading.contains(own),
            "phase {name:?} is not heading {heading:?}"
        );
    }
    let bound = runbook
        .phases()
        .flat_map(|p| p.items.iter())
        .filter(|i| i.get_ref().check.is_some())
        .count();
    assert_eq!(bound, imported.summary.bound);
    assert_eq!(bound + imported.summary.manual, imported.summary.items());
    runbook
}

/// Probe (name, URL with variables filled in, burst).
fn probes(runbook: &Runbook) -> Vec<(String, String, Option<u32>)> {
    let (env_name, env) = runbook.environments().next().unwrap();
    let vars = lookup(runbook.service_name(), env_name, env);
    runbook
        .probes()
        .map(|p| {
            (
                p.name.get_ref().clone(),
                expand(p.url.get_ref(), &vars).unwrap(),
                p.burst.as_ref().map(|b| *b.get_ref()),
            )
        })
        .collect()
}

fn probe(name: &str, url: &str) -> (String, String, Option<u32>) {
    (name.to_string(), url.to_string(), None)
}

fn workloads(runbook: &Runbook) -> Vec<String> {
    runbook
        .workloads()
        .map(|w| w.name.get_ref().clone())
        .collect()
}

fn namespace(runbook: &Runbook) -> Option<String> {
    let (_, env) = runbook.environments().next().unwrap();
    env.namespace.as_ref().map(|n| n.get_ref().clone())
}

/// The `fail` conditions of the probe named `name`.
fn fail_of(runbook: &Runbook, name: &str) -> Vec<String> {
    runbook
        .probes()
        .find(|p| p.name.get_ref() == name)
        .unwrap_or_else(|| panic!("no probe {name}"))
        .fail
        .iter()
        .map(|c| c.get_ref().clone())
        .collect()
}

fn check_of(runbook: &Runbook, text: &str) -> Option<String> {
    runbook
        .phases()
        .flat_map(|p| p.items.iter())
        .map(|i| i.get_ref())
        .find(|i| i.text == text)
        .unwrap_or_else(|| panic!("no item {text:?}"))
        .check
        .as_ref()
        .map(|c| c.get_ref().clone())
}

#[test]
fn imports_credlink() {
    let Some((md, name)) = guide("credlink-deployment.md") else {
        return;
    };
    let imported = import(&md, &name).unwrap();
    let runbook = check_phases(&imported, &with_procedures(&md, is_task_line, &["Support"]));
    let s = &imported.summary;
    assert_eq!(s.service, "credlink");
    assert_eq!(
        s.items_from,
        "task lists, and numbered steps in sections without them"
    );
    assert_eq!(
        probes(&runbook),
        [
            probe("staging-health", "https://staging.credlink.com/health"),
            probe("health", "https://credlink.com/health"),
            probe("api-v1-status", "https://credlink.com/api/v1/status"),
            probe("api-v1-health", "https://credlink.com/api/v1/health"),
            probe("headers", "https://credlink.com/"),
            (
                "rate-limit".into(),
                "https://credlink.com/health".into(),
                Some(110)
            ),
        ]
    );
    assert_eq!(
        fail_of(&runbook, "headers"),
        [
            "[STATUS] < 400",
            "has([HEADER].Strict-Transport-Security)",
            "has([HEADER].Content-Security-Policy)",
            "has([HEADER].X-Frame-Options)"
        ]
    );
    assert_eq!(workloads(&runbook), ["credlink-api"]);
    let bg = runbook
        .workloads()
        .next()
        .unwrap()
        .blue_green
        .clone()
        .unwrap();
    assert_eq!(
        (bg.service.as_str(), bg.label.as_str()),
        ("credlink-api-service", "version")
    );
    assert_eq!(s.namespaces, ["credlink-production", "credlink-green"]);
    assert_eq!(namespace(&runbook).as_deref(), Some("credlink-production"));
    assert_eq!(
        s.alert_rules,
        ["CredLinkAPIHighErrorRate", "CredLinkAPIHighMemoryUsage"]
    );
    let signals: Vec<(String, String, String)> = runbook
        .signals()
        .map(|sig| {
            (
                sig.name.get_ref().clone(),
                sig.query.get_ref().clone(),
                sig.fail.as_ref().unwrap().get_ref().clone(),
            )
        })
        .collect();
    assert_eq!(
        signals,
        [
            (
                "cred-link-api-high-error-rate".to_string(),
                r#"rate(http_requests_total{status=~"5.."}[5m])"#.to_string(),
                "> 0.1".to_string()
            ),
            (
                "cred-link-api-high-memory-usage".to_string(),
                "container_memory_usage_bytes / container_spec_memory_limit_bytes".to_string(),
                "> 0.9".to_string()
            ),
        ]
    );
    for (text, check) in [
        (
            "All health endpoints responding correctly",
            Some("probe:health"),
        ),
        // A percentage is not the alert's rate of errors per second.
        ("Error rates below 1%", None),
        (
            "Memory usage within limits",
            Some("signal:cred-link-api-high-memory-usage"),
        ),
        (
            "Security headers properly configured",
            Some("probe:headers"),
        ),
        (
            "Rate limiting working as expected",
            Some("probe:rate-limit"),
        ),
        // Configured: the guide's alert rules are loaded.
        (
            "Monitoring alerts configured",
            Some("alerts:configured=CredLinkAPIHighErrorRate,CredLinkAPIHighMemoryUsage"),
        ),
        (
            "SSL certificates installed and verified",
            Some("probe:health"),
        ),
        ("Documentation updated", None),
        ("Traffic switched to green environment", None),
    ] {
        assert_eq!(check_of(&runbook, text).as_deref(), check, "{text}");
    }
    assert_eq!((s.bound, s.manual), (8, 15));
    // The comment block says why the error-rate item is left manual.
    assert!(
        imported.toml.contains(
            "not bound: its \"below 1%\" does not fit signal cred-link-api-high-error-rate (alert CredLinkAPIHighErrorRate: a rate per second)"
        ),
        "{}",
        imported.toml
    );
    assert!(
        imported
            .toml
            .starts_with("# Runbook imported from credlink-deployment.md.")
    );
    assert!(
        !imported.toml.contains("ðŸ"),
        "mojibake headings are cleaned"
    );
}

#[test]
fn imports_go_services() {
    let Some((md, name)) = guide("go-services-dev-to-prod.md") else {
        return;
    };
    let imported = import(&md, &name).unwrap();
    let runbook = check_phases(
        &imported,
        &with_procedures(&md, is_task_line, &["Week 1", "Week 2", "Week 3"]),
    );
    let s = &imported.summary;
    assert_eq!(s.service, "go-services");
    // Only Kubernetes probe paths, no host: `base` is a placeholder.
    assert_eq!(
        probes(&runbook),
        [
            probe("health-live", "https://go-services.example.com/health/live"),
            probe(
                "health-ready",
                "https://go-services.example.com/health/ready"
            ),
        ]
    );
    assert!(s.needs_human.iter().any(|n| n.contains("placeholder")));
    assert!(workloads(&runbook).is_empty());
    assert!(s.namespaces.is_empty());
    assert!(s.alert_rules.is_empty());
    assert_eq!(namespace(&runbook), None);
    assert_eq!((s.bound, s.manual), (0, 38));
    assert!(
        imported.toml.contains("Development → Production"),
        "Mac Roman mojibake repaired"
    );
}

#[test]
fn imports_keyforge() {
    let Some((md, name)) = guide("keyforge-deployment.md") else {
        return;
    };
    assert!(
        count_by_heading(&md, is_task_line).is_empty(),
        "keyforge has no task list"
    );
    let imported = import(&md, &name).unwrap();
    let runbook = check_phases(
        &imported,
        &with_procedures(
            &md,
            is_status_line,
            &[
                "Option 1: Managed Database",
                "Database Security",
                "3. Disaster Recovery",
                "Failed Provisioning",
                "Database Connection Pool",
            ],
        ),
    );
    let s = &imported.summary;
    assert_eq!(s.service, "keyforge");
    assert_eq!(
        s.items_from,
        "status lists, and numbered steps in sections without them"
    );
    // The host comes from VITE_API_BASE, the path from the Deployment's
    // probes; the headers its checklist names make a headers probe.
    assert_eq!(
        probes(&runbook),
        [
            probe("health", "https://api.keyforge.example.com/health"),
            probe("headers", "https://api.keyforge.example.com/"),
        ]
    );
    assert_eq!(workloads(&runbook), ["keyforge-api"]);
    assert_eq!(s.namespaces, ["keyforge"]);
    assert_eq!(namespace(&runbook).as_deref(), Some("keyforge"));
    assert!(s.alert_rules.is_empty());
    // The one item that states something checkable is a recovery step.
    assert_eq!((s.bound, s.manual), (1, 50));
    assert_eq!(
        check_of(&runbook, "Verify health checks").as_deref(),
        Some("probe:health")
    );
    let security = runbook
        .phases()
        .find(|p| p.name.get_ref() == "Database Security (Security Considerations)")
        .unwrap();
    assert_eq!(
        security.items[0].get_ref().text,
        "Use strong, unique passwords (32+ characters)"
    );
}

#[test]
fn imports_proofpass() {
    let Some((md, name)) = guide("proofpass-production-readiness.md") else {
        return;
    };
    let imported = import(&md, &name).unwrap();
    let runbook = check_phases(
        &imported,
        &with_procedures(&md, is_task_line, &["Disaster Recovery Plan"]),
    );
    let s = &imported.summary;
    assert_eq!(s.service, "proofpass");
    assert_eq!(
        probes(&runbook),
        [
            probe("health", "https://api.proofpass.com/health"),
            probe("headers", "https://api.proofpass.com/"),
            (
                "rate-limit".into(),
                "https://api.proofpass.com/health".into(),
                Some(150)
            ),
        ]
    );
    assert!(workloads(&runbook).is_empty());
    assert!(s.namespaces.is_empty());
    assert!(s.alert_rules.is_empty());
    for (text, check) in [
        ("SSL certificates valid", Some("probe:health")),
        ("Rate limiting tested", Some("probe:rate-limit")),
        (
            "Monitoring and alerting configured",
            Some("alerts:configured"),
        ),
        ("Configure rate limiting thresholds", None),
        ("Monitor error rates daily", None),
    ] {
        assert_eq!(check_of(&runbook, text).as_deref(), check, "{text}");
    }
    // The answer its Step 7 shows for /health.
    let health = runbook
        .probes()
        .find(|p| p.name.get_ref() == "health")
        .unwrap();
    assert!(
        health
            .fail
            .iter()
            .any(|c| c.get_ref() == "[BODY].status == healthy"),
        "{:?}",
        health.fail
    );
    // Its grep names no header, but its text names HSTS and CSP: those.
    assert_eq!(
        fail_of(&runbook, "headers"),
        [
            "[STATUS] < 400",
            "has([HEADER].Strict-Transport-Security)",
            "has([HEADER].Content-Security-Policy)"
        ]
    );
    assert!(
        !s.needs_human
            .iter()
            .any(|n| n.contains("probe headers checks no header")),
        "{:?}",
        s.needs_human
    );
}

#[test]
fn imports_vaultr() {
    let Some((md, name)) = guide("vaultr-deployment.md") else {
        return;
    };
    let imported = import(&md, &name).unwrap();
    let runbook = check_phases(
        &imported,
        &with_procedures(&md, is_task_line, &["Incident Response"]),
    );
    let s = &imported.summary;
    assert_eq!(s.service, "vaultr");
    // The host comes from NEXT_PUBLIC_BASE_URL, the path from the
    // Deployment's probes; the headers it names make a headers probe.
    assert_eq!(
        probes(&runbook),
        [
            probe("api-health", "https://vaultr.app/api/health"),
            probe("headers", "https://vaultr.app/"),
        ]
    );
    assert_eq!(workloads(&runbook), ["vaultr", "vaultr-new", "vaultr-old"]);
    for w in runbook.workloads() {
        let bg = w.blue_green.clone().unwrap();
        assert_eq!(
            (bg.service.as_str(), bg.label.as_str()),
            ("vaultr", "version")
        );
    }
    assert!(s.namespaces.is_empty());
    assert!(s.alert_rules.is_empty());
    let daily = runbook
        .phases()
        .find(|p| p.name.get_ref() == "Daily Checks")
        .unwrap();
    assert!(daily.every.is_some(), "Daily Checks recurs");
    // The health probe itself, now that there is another (headers).
    assert_eq!(
        check_of(&runbook, "Health check endpoint returns 200").as_deref(),
        Some("probe:api-health")
    );
    assert_eq!(
        check_of(&runbook, "Monitoring/alerting configured").as_deref(),
        Some("alerts:configured")
    );
}

#[test]
fn the_commands_import_a_guide_and_open_it_directly() {
    let bin = env!("CARGO_BIN_EXE_ops-tui");
    let out = std::process::Command::new(bin)
        .args(["import", "no-such-guide.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let Some(dir) = guides::dir() else { return };
    let out_dir = tempfile::tempdir().unwrap();
    for name in ["credlink-deployment.md", "vaultr-deployment.md"] {
        let guide = dir.join(name);
        let runbook = out_dir.path().join(name.replace(".md", ".toml"));
        let out = std::process::Command::new(bin)
            .arg("import")
            .arg(&guide)
            .arg("-o")
            .arg(&runbook)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("phases") && said.contains("wrote"), "{said}");
        // What import wrote validates, and the guide opens directly too.
        for path in [&runbook, &guide] {
            let out = std::process::Command::new(bin)
                .arg("validate")
                .arg(path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn items_carry_the_guide_section_that_explains_them_for_the_walkthrough() {
    let Some((text, name)) = guide("credlink-deployment.md") else {
        return;
    };
    let imported = import(&text, &name).unwrap();
    let runbook = Runbook::parse(Path::new("credlink.toml"), &imported.toml).unwrap();
    let item = |wanted: &str| {
        runbook
            .phases()
            .flat_map(|p| p.items.iter().map(|i| i.get_ref()))
            .find(|i| i.text == wanted)
            .unwrap_or_else(|| panic!("no item {wanted:?}"))
            .clone()
    };
    let switch = item("Traffic switched to green environment").guide.unwrap();
    assert!(switch.starts_with("## 2. Switch Traffic"), "{switch}");
    assert!(
        switch.contains("kubectl patch service credlink-api-service"),
        "{switch}"
    );
    let security = item("Security validations passed").guide.unwrap();
    assert!(
        security.contains("curl -I https://credlink.com"),
        "{security}"
    );
    // An item no section explains has none.
    assert!(item("Documentation updated").guide.is_none());
}

#[test]
fn the_guides_workloads_are_deployments_and_they_run_no_job() {
    let Some(all) = guides::all() else { return };
    let mut named = Vec::new();
    for (name, text) in all {
        let imported = import(text, name).unwrap();
        let runbook = Runbook::parse(Path::new("x.toml"), &imported.toml).unwrap();
        // Role rules listing `statefulsets`, an autoscaler's target kind, a
        // crontab and `kubectl apply -f FILE` name no workload or Job.
        for w in runbook.workloads() {
            assert_eq!(
                w.kind(),
                WorkloadKind::Deployment,
                "{name}: {}",
                w.name.get_ref()
            );
            assert!(w.kind.is_none(), "{name}: a Deployment has no kind line");
            named.push(w.name.get_ref().clone());
        }
        let s = &imported.summary;
        assert!(s.jobs.is_empty(), "{name}: {:?}", s.jobs);
        assert!(
            imported.toml.contains("\n#   0 jobs and cronjobs: none\n"),
            "{name}"
        );
        assert!(!imported.toml.contains("job:"), "{name}");
        assert!(
            !s.needs_human.iter().any(|n| n.contains(" kept ")),
            "{name}: {:?}",
            s.needs_human
        );
    }
    assert_eq!(
        named,
        [
            "credlink-api",
            "keyforge-api",
            "vaultr",
            "vaultr-new",
            "vaultr-old"
        ]
    );
}

/// Without `../shared/guides` the tests above skip in one line, and fail
/// when `OPS_TUI_REQUIRE_SHARED=1`.
#[test]
fn the_guide_tests_skip_without_the_guides_unless_required() {
    guides::assert_skip_and_require(
        module_path!(),
        &[
            "imports_credlink",
            "imports_go_services",
            "imports_keyforge",
            "imports_proofpass",
            "imports_vaultr",
            "the_commands_import_a_guide_and_open_it_directly",
            "items_carry_the_guide_section_that_explains_them_for_the_walkthrough",
            "the_guides_workloads_are_deployments_and_they_run_no_job",
        ],
    );
}
