#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::manifest::{self, split_threshold};
use super::shell::{self, Commands};
use super::text::{camel_slug, clean, heading_name, repair, service_name};
use super::{Imported, import};
use crate::runbook::Runbook;

fn valid(imported: &Imported) -> Runbook {
    Runbook::parse(Path::new("x.toml"), &imported.toml)
        .unwrap_or_else(|e| panic!("{e}\n---\n{}", imported.toml))
}

fn items(runbook: &Runbook) -> Vec<(String, String, Option<String>)> {
    runbook
        .phases()
        .flat_map(|p| {
            p.items.iter().map(move |i| {
                let i = i.get_ref();
                (
                    p.name.get_ref().clone(),
                    i.text.clone(),
                    i.check.as_ref().map(|c| c.get_ref().clone()),
                )
            })
        })
        .collect()
}

#[test]
fn mojibake_is_repaired_then_decorations_dropped() {
    // UTF-8 read as Windows-1252.
    assert_eq!(repair("âœ… Done"), "✅ Done");
    assert_eq!(clean("ðŸ“‹ Overview"), "Overview");
    assert_eq!(clean("ðŸš¨ Prerequisites"), "Prerequisites");
    // A byte lost (0x8F is undefined in Windows-1252): the rest is dropped.
    assert_eq!(
        clean("â˜¸ï¸ Kubernetes Deployment"),
        "Kubernetes Deployment"
    );
    assert_eq!(
        clean("ðŸ” Security Configuration"),
        "Security Configuration"
    );
    // UTF-8 read as Mac Roman, with and without the lost 0xF0 lead.
    assert_eq!(clean("‚úÖ Already Implemented"), "Already Implemented");
    assert_eq!(clean("‚ö†Ô∏è Production-Only"), "Production-Only");
    assert_eq!(clean("üìã Production Checklist"), "Production Checklist");
    assert_eq!(
        clean("Deployment Guide: Development ‚Üí Production"),
        "Deployment Guide: Development → Production"
    );
    // Real emoji and check marks go; ordinary accented text stays.
    assert_eq!(clean("✅ **Done** ✓"), "**Done**");
    assert_eq!(clean("🔲 Pending ⏳"), "Pending");
    for plain in [
        "Café über naïve façade",
        "“Quoted” — dash… and ‘single’",
        "Zürich Ölfeld Ærø",
        "Straße für Größe",
    ] {
        assert_eq!(clean(plain), plain);
    }
}

#[test]
fn no_input_makes_it_panic_or_write_invalid_toml() {
    let alphabet = [
        'â', 'œ', '…', 'ð', 'Ÿ', '“', '‹', 'ï', '¸', '‚', 'ú', 'Ö', 'ü', 'ì', 'ã', '\u{81}', '"',
        '\\', '$', 'a', '\u{1}', '✅',
    ];
    let mut texts = Vec::new();
    for a in alphabet {
        for b in alphabet {
            for c in alphabet {
                texts.push(format!("{a}{b}{c}"));
            }
        }
    }
    for t in &texts {
        let _ = clean(t);
    }
    let markdown: String = texts
        .chunks(200)
        .enumerate()
        .map(|(i, chunk)| {
            let lines: Vec<String> = chunk.iter().map(|t| format!("- [ ] x {t}")).collect();
            format!("## Part {i} {}\n\n{}\n\n", chunk[0], lines.join("\n"))
        })
        .collect();
    let imported = import(&markdown, "fuzz.md").unwrap();
    let runbook = valid(&imported);
    assert_eq!(items(&runbook).len(), texts.len());
}

#[test]
fn nested_task_lists_give_every_item_its_own_text_in_order() {
    let md = "# Svc\n\n## Go-live\n\n- [ ] Parent **task**\n  - [x] Child `one`\n    * [ ] Grandchild\n  - [ ] Child two\n- [X] Last\n\n  continued paragraph\n";
    let imported = import(md, "svc.md").unwrap();
    let runbook = valid(&imported);
    let texts: Vec<String> = items(&runbook).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(
        texts,
        [
            "Parent task",
            "Child one",
            "Grandchild",
            "Child two",
            "Last"
        ]
    );
    assert_eq!(imported.summary.phases, vec![("Go-live".to_string(), 5)]);
}

#[test]
fn repeated_texts_and_headings_get_unique_ids_and_names() {
    let md = "# Svc\n\n## Before\n\n### Checks\n\n- [ ] Tests pass\n- [ ] Tests pass\n- [ ] Tests   pass!\n\n## After\n\n### Checks\n\n- [ ] Tests pass\n\n### Checks\n\n- [ ] Tests pass\n\n### Pre Deploy\n\n- [ ] a\n\n### Pre-Deploy\n\n- [ ] a\n";
    let imported = import(md, "svc.md").unwrap();
    let runbook = valid(&imported);
    let names: Vec<&str> = runbook
        .phases()
        .map(|p| p.name.get_ref().as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Checks",
            "Checks (After)",
            "Checks (After) 2",
            "Pre Deploy",
            "Pre-Deploy"
        ]
    );
    let mut ids = std::collections::HashSet::new();
    for phase in runbook.phases() {
        for item in &phase.items {
            assert!(ids.insert(item.get_ref().id(phase)), "unique ids");
        }
    }
    assert_eq!(ids.len(), 7);
}

#[test]
fn every_item_gets_an_explicit_id_so_an_edited_text_keeps_its_identity() {
    let md = "# Svc\n\n## Go-live\n\n- [ ] Error rate below 1%\n- [ ] Docs updated\n";
    let imported = import(md, "svc.md").unwrap();
    let runbook = valid(&imported);
    for phase in runbook.phases() {
        for item in &phase.items {
            let item = item.get_ref();
            assert_eq!(
                item.id.as_deref(),
                Some(format!("{}/{}", phase.id(), crate::runbook::slug(&item.text)).as_str()),
                "the slug it would have had, written out:\n{}",
                imported.toml
            );
        }
    }
    // The team edits a text: the id (and so its ticks) stays.
    let edited = imported
        .toml
        .replace("Error rate below 1%", "Error rate below 0.5%");
    let runbook = Runbook::parse(Path::new("x.toml"), &edited).unwrap();
    let phase = runbook.phases().next().unwrap();
    let first = phase.items[0].get_ref();
    assert_eq!(first.text, "Error rate below 0.5%");
    assert_eq!(first.id(phase), "go-live/error-rate-below-1");
}

#[test]
fn quotes_backslashes_and_dollars_survive_toml() {
    let md = r#"# Svc "quoted" \ name

## Say "hi" \ there

- [ ] Run `grep "a\b" C:\path` with 'single' and """triple"""
- [ ] Cost is $5 and ${not_a_var}
- [ ] Tab	inside

```bash
curl -f 'https://example.com/health?q=$x&r="y"'
```
"#;
    let imported = import(md, "svc.md").unwrap();
    let runbook = valid(&imported);
    let all = items(&runbook);
    assert_eq!(all[0].0, r#"Say "hi" \ there"#);
    assert_eq!(
        all[0].1,
        r#"Run grep "a\b" C:\path with 'single' and """triple""""#
    );
    assert_eq!(all[1].1, "Cost is $5 and ${not_a_var}");
    assert_eq!(all[2].1, "Tab inside");
    let probe = runbook.probes().next().unwrap();
    // A literal `$` in a URL is written `$$`, so it is not a variable.
    assert_eq!(probe.url.get_ref(), "${base}/health?q=$$x&r=%22y%22");
}

#[test]
fn status_lists_are_used_when_there_is_no_task_list() {
    let md = "# Svc\n\n## Done\n\n- ✅ Port isolation\n- Plain bullet\n- ❌ TLS\n- Secrets ⏳\n\n## Steps\n\n1. First\n2. Second\n";
    let imported = import(md, "svc.md").unwrap();
    assert_eq!(imported.summary.items_from, "status lists");
    assert_eq!(
        imported.summary.phases,
        vec![("Done".to_string(), 3)],
        "{}",
        imported.toml
    );
    let runbook = valid(&imported);
    let texts: Vec<String> = items(&runbook).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(texts, ["Port isolation", "TLS", "Secrets"]);
}

#[test]
fn numbered_steps_are_used_when_there_is_nothing_else() {
    let md = "# Svc\n\n## 2. Deploy\n\n1. Build\n2. Push\n   - a detail\n3. Verify health checks respond\n\n## Notes\n\n- plain\n";
    let imported = import(md, "svc.md").unwrap();
    assert_eq!(imported.summary.items_from, "numbered steps");
    assert_eq!(imported.summary.phases, vec![("Deploy".to_string(), 3)]);
    valid(&imported);
}

#[test]
fn a_daily_heading_makes_a_recurring_phase() {
    let md = "# Svc\n\n### Daily Checks\n\n- [ ] Backups done\n";
    let runbook = valid(&import(md, "svc.md").unwrap());
    let phase = runbook.phases().next().unwrap();
    assert!(phase.every.is_some());
}

#[test]
fn curl_and_kubectl_commands_are_read() {
    let mut c = Commands::default();
    shell::scan(
        r#"# comment with curl https://nope.example.com/health
curl -fsS -H "Accept: application/json" https://a.example.com/healthz | jq .
curl -X POST https://a.example.com/api/health -d '{}'
curl -I https://a.example.com | grep -E "(Strict-Transport|X-Frame)"
for i in {1..20}; do
  curl -s -o /dev/null -w "%{http_code}\n" https://a.example.com/ping
done
kubectl rollout status deployment/api -n shop
kubectl scale deploy worker --replicas=0 --namespace=shop
kubectl create namespace shop-green
kubectl logs -f deployment/api -n shop -- ignored deployment/x
kubectl patch svc api -n shop \
  -p '{"spec":{"selector":{"color":"green"}}}'
"#,
        &mut c,
    );
    let urls: Vec<(&str, &str, bool, Option<u32>)> = c
        .curls
        .iter()
        .map(|c| (c.url.as_str(), c.method.as_str(), c.head, c.repeat))
        .collect();
    assert_eq!(
        urls,
        [
            ("https://a.example.com/healthz", "GET", false, None),
            ("https://a.example.com/api/health", "POST", false, None),
            ("https://a.example.com", "GET", true, None),
            ("https://a.example.com/ping", "GET", false, Some(20)),
        ]
    );
    assert_eq!(
        c.curls[2].grep.as_deref(),
        Some("(Strict-Transport|X-Frame)")
    );
    let deployments: Vec<&str> = c
        .kubectls
        .iter()
        .flat_map(|k| k.deployments.iter().map(String::as_str))
        .collect();
    assert_eq!(deployments, ["api", "worker", "api"]);
    let namespaces: Vec<&str> = c
        .kubectls
        .iter()
        .filter_map(|k| k.namespace.as_deref().or(k.creates_namespace.as_deref()))
        .collect();
    assert_eq!(namespaces, ["shop", "shop", "shop-green", "shop", "shop"]);
    assert_eq!(
        c.kubectls.last().unwrap().switches,
        Some(("api".to_string(), "color".to_string()))
    );
}

#[test]
fn manifests_give_objects_probes_and_alert_rules() {
    let mut m = manifest::Manifests::default();
    manifest::scan(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    name: not-this
spec:
  template:
    metadata:
      name: nor-this
    spec:
      containers:
      - name: api
        livenessProbe:
          httpGet:
            path: /livez
            port: 8080
        readinessProbe:
          httpGet:
            port: 8080
            path: "/readyz"
---
kind: HorizontalPodAutoscaler
metadata:
  name: api-hpa
spec:
  scaleTargetRef:
    kind: Deployment
    name: api
---
kind: PrometheusRule
spec:
  groups:
  - name: x
    rules:
    - alert: HighErrorRate
      expr: sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m])) > 0.05
      for: 5m
    - alert: LatencyMultiLine
      expr: |
        histogram_quantile(0.95, sum by (le) (rate(h_seconds_bucket[5m])))
          > 0.5
    - alert: Absent
      expr: absent(up{job="api"})
"#,
        &mut m,
    );
    let kinds: Vec<(&str, &str, Option<&str>)> = m
        .objects
        .iter()
        .map(|o| (o.kind.as_str(), o.name.as_str(), o.namespace.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Deployment", "api", Some("shop")),
            ("HorizontalPodAutoscaler", "api-hpa", None)
        ]
    );
    let paths: Vec<&str> = m.probes.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["/livez", "/readyz"]);
    let rules: Vec<&str> = m.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rules, ["HighErrorRate", "LatencyMultiLine", "Absent"]);
    assert!(m.rules[1].expr.ends_with("> 0.5"));
}

#[test]
fn alert_expressions_split_at_their_last_comparison() {
    let split = split_threshold;
    assert_eq!(
        split(r#"rate(http_requests_total{status=~"5.."}[5m]) > 0.1"#),
        Some((
            r#"rate(http_requests_total{status=~"5.."}[5m])"#.to_string(),
            "> 0.1".to_string()
        ))
    );
    assert_eq!(
        split("a / b >= 0.9"),
        Some(("a / b".into(), ">= 0.9".into()))
    );
    assert_eq!(split("up == 0"), Some(("up".into(), "== 0".into())));
    assert_eq!(split("x > bool 5"), Some(("x".into(), "> 5".into())));
    assert_eq!(split(r#"absent(up{job="a>b"})"#), None);
    assert_eq!(split("a > b"), None);
}

#[test]
fn names_read_well() {
    assert_eq!(
        camel_slug("CredLinkAPIHighErrorRate"),
        "cred-link-api-high-error-rate"
    );
    assert_eq!(camel_slug("HighP95Latency"), "high-p95-latency");
    assert_eq!(heading_name("1. ✅ Port Isolation"), "Port Isolation");
    assert_eq!(heading_name("Phase 1: Setup"), "Phase 1: Setup");
    assert_eq!(
        service_name(Some("CredLink Production Deployment Guide"), "x.md"),
        "credlink"
    );
    assert_eq!(
        service_name(Some("Deployment"), "vaultr-deployment.md"),
        "vaultr"
    );
    assert_eq!(
        service_name(
            Some("Deployment Guide: Development ‚Üí Production"),
            "go-services-dev-to-prod.md"
        ),
        "go-services"
    );
    assert_eq!(service_name(None, "deployment.md"), "deployment");
}

#[test]
fn checks_are_bound_only_where_the_text_states_a_condition() {
    let md = r#"# Shop API

```bash
curl -f https://shop.example.com/health
kubectl rollout status deployment/shop-api -n shop
```

## Post

- [ ] All health endpoints responding
- [ ] Configure health checks
- [ ] Rollout complete
- [ ] Monitoring and alerting configured
- [ ] Alertmanager configured with Slack
- [ ] SSL certificates valid
- [ ] Error rate below 1%
- [ ] Documentation updated
"#;
    let runbook = valid(&import(md, "shop.md").unwrap());
    let checks: Vec<Option<String>> = items(&runbook).into_iter().map(|(_, _, c)| c).collect();
    let expected = [
        Some("probe:*"),
        None,
        Some("rollout:shop-api"),
        Some("alerts"),
        None,
        Some("probe:health"),
        None,
        None,
    ];
    assert_eq!(checks, expected.map(|c| c.map(String::from)).to_vec());
    assert_eq!(
        runbook
            .environments()
            .next()
            .unwrap()
            .1
            .namespace
            .as_ref()
            .unwrap()
            .get_ref(),
        "shop"
    );
}

#[test]
fn a_guide_with_nothing_to_import_is_an_error() {
    let prose = import("# Title\n\nJust prose.\n", "x.md").unwrap_err();
    assert!(
        matches!(prose.error, super::GuideError::Nothing),
        "{prose:?}"
    );
    assert_eq!(prose.guide, "x.md");
    assert!(
        prose.to_string().starts_with("x.md: nothing to import"),
        "{prose}"
    );
    assert!(import("", "x.md").is_err());
}
