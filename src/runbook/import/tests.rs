#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::manifest::{self, split_threshold};
use super::shell::{self, Commands};
use super::text::{camel_slug, clean, heading_name, repair, service_name};
use super::{Imported, JobKind, import};
use crate::kinds::WorkloadKind;
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
    let md = "# Svc\n\n## Done\n\n- ✅ Port isolation\n- Plain bullet\n- ❌ TLS\n- Secrets ⏳\n\n## Rollback\n\n1. Scale down\n2. Revert\n\n## Notes\n\n1. Kept for a week\n2. Owned by the team\n";
    let imported = import(md, "svc.md").unwrap();
    assert_eq!(
        imported.summary.items_from,
        "status lists, and numbered steps in sections without them"
    );
    // The numbered procedure of a section without status items is kept;
    // numbered notes are not a procedure.
    assert_eq!(
        imported.summary.phases,
        vec![("Done".to_string(), 3), ("Rollback".to_string(), 2)],
        "{}",
        imported.toml
    );
    assert!(
        imported
            .toml
            .contains("status lists, and numbered steps in sections without them")
    );
    let runbook = valid(&imported);
    let texts: Vec<String> = items(&runbook).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(
        texts,
        ["Port isolation", "TLS", "Secrets", "Scale down", "Revert"]
    );
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
        .flat_map(|k| k.workloads.iter().map(|(_, name)| name.as_str()))
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
        Some((
            "api".to_string(),
            vec![("color".to_string(), "green".to_string())]
        ))
    );
}

/// The imported runbook of a guide whose shell block is `sh`.
fn import_sh(sh: &str) -> (Imported, Runbook) {
    let md = format!("# Shop\n\n## Go\n\n- [ ] Done in staging first\n\n```sh\n{sh}\n```\n");
    let imported = import(&md, "guide.md").unwrap();
    let runbook = valid(&imported);
    (imported, runbook)
}

#[test]
fn the_blue_green_label_is_the_key_that_changes_not_the_first() {
    let label = |sh: &str| {
        let (imported, runbook) = import_sh(sh);
        let label = runbook
            .workloads()
            .find_map(|w| w.blue_green.as_ref().map(|b| b.label.clone()));
        (label, imported.toml)
    };
    // Two patches: the key whose value differs.
    let (l, _) = label(
        "kubectl patch service web -p '{\"spec\":{\"selector\":{\"app\":\"web\",\"slot\":\"green\"}}}'\n\
         kubectl patch service web -p '{\"spec\":{\"selector\":{\"app\":\"web\",\"slot\":\"blue\"}}}'\n\
         kubectl rollout status deployment/web",
    );
    assert_eq!(l.as_deref(), Some("slot"));
    // One patch: the key whose value reads as a colour or version.
    let (l, _) = label(
        "kubectl patch svc web -p '{\"spec\":{\"selector\":{\"app\":\"web\",\"version\":\"v2\"}}}'\n\
         kubectl rollout status deployment/web",
    );
    assert_eq!(l.as_deref(), Some("version"));
    // Nothing tells: the first, and the comment block says to check it.
    let (l, toml) = label(
        "kubectl patch svc web -p '{\"spec\":{\"selector\":{\"app\":\"web\",\"tier\":\"front\"}}}'\n\
         kubectl rollout status deployment/web",
    );
    assert_eq!(l.as_deref(), Some("app"));
    assert!(toml.contains("check which key names the colour"), "{toml}");
}

#[test]
fn environments_come_from_where_the_guide_deploys_and_production_is_protected() {
    let envs = |runbook: &Runbook| -> Vec<(String, Option<String>, Option<String>, bool)> {
        runbook
            .environments()
            .map(|(name, e)| {
                (
                    name.to_string(),
                    e.context.as_ref().map(|c| c.get_ref().clone()),
                    e.namespace.as_ref().map(|n| n.get_ref().clone()),
                    e.protected,
                )
            })
            .collect()
    };
    // An item says staging; the guide deploys to production on a
    // production cluster, and to a green namespace beside it.
    let (imported, runbook) = import_sh(
        "gcloud container clusters get-credentials prod-eu-1 --region europe-west1\n\
         kubectl -n shop-production rollout status deployment/api\n\
         kubectl -n shop-production get pods\n\
         kubectl -n shop-green apply -f green.yaml",
    );
    assert_eq!(
        envs(&runbook),
        [
            (
                "shop-production".into(),
                None,
                Some("shop-production".into()),
                true
            ),
            ("shop-green".into(), None, Some("shop-green".into()), true),
        ]
    );
    assert!(
        imported
            .toml
            .contains("shop-green: namespace shop-green (named 1 time in the guide's commands and manifests); protected: \"prod-eu-1\" says production"),
        "{}",
        imported.toml
    );
    // A named context, on a staging namespace: not protected, and says why.
    let (imported, runbook) = import_sh(
        "kubectl config use-context kind-staging\n\
         kubectl -n shop-staging rollout status deployment/api",
    );
    assert_eq!(
        envs(&runbook),
        [(
            "shop-staging".into(),
            Some("kind-staging".into()),
            Some("shop-staging".into()),
            false
        )]
    );
    assert!(
        imported
            .toml
            .contains("not protected: \"shop-staging\" says it is not production")
    );
    // Nothing stated: the main target, production, protected.
    let (imported, runbook) = import_sh("echo deploy");
    assert_eq!(envs(&runbook), [("production".into(), None, None, true)]);
    assert!(
        imported
            .toml
            .contains("protected: nothing the guide states says it is not production")
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
    assert_eq!(heading_name("Phase 1: Setup"), "Setup");
    assert_eq!(heading_name("Step 2 — Full rollout"), "Full rollout");
    assert_eq!(heading_name("Stepping stones"), "Stepping stones");
    assert_eq!(heading_name("Step 3"), "Step 3");
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
        // The only health probe.
        Some("probe:health"),
        None,
        Some("rollout:shop-api"),
        // Configured, not "none firing": the rules are loaded.
        Some("alerts:configured"),
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
fn an_item_s_number_becomes_its_check_s_threshold_in_the_check_s_unit() {
    let md = r#"# Shop

```yaml
groups:
  - name: shop
    rules:
      - alert: ShopErrorRatio
        expr: sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
      - alert: ShopLatencyP95
        expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5
```

```bash
curl -fsS https://shop.example.com/healthz
```

## Go-live

- [ ] Error ratio below 1%
- [ ] p95 latency under 500 ms
- [ ] p99 latency under 800 ms
- [ ] Health endpoint answers within 300 ms
- [ ] Certificate valid for at least 45 days
"#;
    let imported = import(md, "shop.md").unwrap();
    let runbook = valid(&imported);
    let checks: Vec<Option<String>> = items(&runbook).into_iter().map(|(_, _, c)| c).collect();
    assert_eq!(
        checks,
        [
            // The alert fires at 5%: a signal of the item's own at 1%.
            Some("signal:shop-error-ratio-below-1pct".to_string()),
            // 500 ms is the alert's 0.5 s: the alert's own signal.
            Some("signal:shop-latency-p95".to_string()),
            // No rule reads the 99th percentile.
            None,
            Some("probe:healthz".to_string()),
            Some("probe:healthz".to_string()),
        ]
    );
    let own = runbook
        .signals()
        .find(|s| s.name.get_ref() == "shop-error-ratio-below-1pct")
        .unwrap();
    assert_eq!(
        own.fail.as_ref().map(|f| f.get_ref().as_str()),
        Some("> 0.01")
    );
    let ratio = runbook
        .signals()
        .find(|s| s.name.get_ref() == "shop-error-ratio")
        .unwrap();
    assert_eq!(own.query.get_ref(), ratio.query.get_ref());
    let healthz = runbook.probes().next().unwrap();
    let fail: Vec<&str> = healthz.fail.iter().map(|c| c.get_ref().as_str()).collect();
    assert_eq!(
        fail,
        [
            "[STATUS] == 200",
            "[RESPONSE_TIME] < 300",
            "[CERTIFICATE_EXPIRATION] > 45d"
        ]
    );
    for said in [
        "note: the item says below 1% (> 0.01 fails) where alert ShopErrorRatio fires at > 0.05",
        "not bound: it speaks of the p99 latency, and no alert rule of the guide reads that quantile",
        "note: probe healthz fails unless it answers in under 300ms, as the item says",
        "because \"latency\" + \"under 500 ms\": the latency signal of alert ShopLatencyP95",
    ] {
        assert!(imported.toml.contains(said), "{said}\n{}", imported.toml);
    }
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

/// The commands of one shell snippet.
fn kubectls(text: &str) -> Vec<shell::Kubectl> {
    let mut c = Commands::default();
    shell::scan(text, &mut c);
    c.kubectls
}

/// Every spelling kubectl has for a workload kind, as `WorkloadKind::parse`
/// takes them: name, resource, plural, short name, with its group, in any
/// case.
fn spellings(kind: WorkloadKind) -> Vec<String> {
    let mut all = vec![kind.name().to_string()];
    for base in [kind.resource(), kind.plural(), kind.short()] {
        all.push(base.to_string());
        all.push(base.to_uppercase());
    }
    all.push(format!("{}.{}", kind.resource(), kind.group()));
    all.push(format!("{}.{}", kind.plural(), kind.group()));
    all
}

#[test]
fn every_spelling_of_each_workload_kind_is_read_in_both_forms() {
    let verbs = [
        "rollout status",
        "rollout restart",
        "rollout undo",
        "rollout history",
        "scale --replicas=2",
        "scale --replicas 2",
        "set image",
        "get",
        "describe",
        "logs",
        "logs -f",
    ];
    let mut cases = 0;
    // Jobs and CronJobs are read as jobs, not workloads (their own test).
    for kind in WorkloadKind::ALL.into_iter().filter(|k| !k.is_batch()) {
        for spelling in spellings(kind) {
            assert_eq!(WorkloadKind::parse(&spelling), Some(kind), "{spelling}");
            for verb in verbs {
                let image = if verb == "set image" {
                    " app=img:2"
                } else {
                    ""
                };
                for resource in [format!("{spelling}/web"), format!("{spelling} web")] {
                    let line = format!("kubectl {verb} {resource}{image} -n shop");
                    let got = kubectls(&line);
                    assert_eq!(got.len(), 1, "{line}");
                    assert_eq!(got[0].workloads, [(kind, "web".to_string())], "{line}");
                    assert_eq!(got[0].namespace.as_deref(), Some("shop"), "{line}");
                    assert!(got[0].jobs.is_empty(), "{line}");
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 3 * 9 * verbs.len() * 2);
}

#[test]
fn words_that_are_not_resources_name_no_workload() {
    for line in [
        // A file path is not TYPE/NAME, nor a container's command.
        "kubectl apply -f statefulsets/db.yaml",
        "kubectl apply --filename jobs/migrate.yaml -n shop",
        "kubectl delete -k ds/overlay",
        "kubectl exec -it pod/x -- kubectl get sts db",
        // A resource type without a name, and kinds as other arguments.
        "kubectl get sts",
        "kubectl get deployments -o wide",
        "kubectl auth can-i list daemonsets",
        "kubectl explain statefulset.spec",
    ] {
        let got = kubectls(line);
        let named: Vec<_> = got
            .iter()
            .flat_map(|k| k.workloads.iter().map(|(_, n)| n.clone()))
            .collect();
        assert!(named.is_empty(), "{line}: {named:?}");
        assert!(got.iter().all(|k| k.jobs.is_empty()), "{line}");
    }
    // `-f` of `logs` follows; the resource after it is read.
    let got = kubectls("kubectl logs -f sts/db");
    assert_eq!(got[0].workloads, [(WorkloadKind::StatefulSet, "db".into())]);
}

#[test]
fn jobs_and_cronjobs_are_read_from_the_commands_that_run_and_watch_them() {
    let job = |n: &str| (JobKind::Job, n.to_string());
    let cron = |n: &str| (JobKind::CronJob, n.to_string());
    for (line, jobs, watches) in [
        (
            "kubectl create job migrate-1 --from=cronjob/db-migrate -n shop",
            vec![cron("db-migrate")],
            Some("db-migrate"),
        ),
        (
            "kubectl -n shop create job run-2 --from cj/db-migrate",
            vec![cron("db-migrate")],
            Some("db-migrate"),
        ),
        (
            "kubectl create job run-3 --from=cronjobs.batch/nightly",
            vec![cron("nightly")],
            Some("nightly"),
        ),
        (
            "kubectl create job seed --image=busybox -- echo hi",
            vec![job("seed")],
            Some("seed"),
        ),
        (
            "kubectl wait --for=condition=complete job/migrate --timeout=300s",
            vec![job("migrate")],
            Some("migrate"),
        ),
        (
            "kubectl wait --for condition=complete jobs.batch migrate",
            vec![job("migrate")],
            Some("migrate"),
        ),
        (
            "kubectl logs job/migrate",
            vec![job("migrate")],
            Some("migrate"),
        ),
        (
            "kubectl logs -f Job/migrate",
            vec![job("migrate")],
            Some("migrate"),
        ),
        (
            "kubectl get job migrate -o yaml",
            vec![job("migrate")],
            Some("migrate"),
        ),
        (
            "kubectl get jobs migrate",
            vec![job("migrate")],
            Some("migrate"),
        ),
        (
            "kubectl get cronjob nightly",
            vec![cron("nightly")],
            Some("nightly"),
        ),
        (
            "kubectl describe cronjobs/nightly",
            vec![cron("nightly")],
            Some("nightly"),
        ),
        (
            "kubectl describe job.batch/migrate",
            vec![job("migrate")],
            Some("migrate"),
        ),
        // Named, but neither run nor watched: found, not a step's Job.
        ("kubectl delete job migrate", vec![job("migrate")], None),
        (
            "kubectl wait --for=delete job/migrate",
            vec![job("migrate")],
            None,
        ),
        (
            "kubectl wait --for=condition=failed job/migrate",
            vec![job("migrate")],
            None,
        ),
        (
            "kubectl create cronjob nightly --image=busybox --schedule \"0 2 * * *\"",
            vec![cron("nightly")],
            None,
        ),
        (
            "kubectl patch cj nightly -p '{\"spec\":{\"suspend\":true}}'",
            vec![cron("nightly")],
            None,
        ),
        ("kubectl get jobs", vec![], None),
    ] {
        let got = kubectls(line);
        assert_eq!(got.len(), 1, "{line}");
        assert_eq!(got[0].jobs, jobs, "{line}");
        assert_eq!(got[0].watches_job.as_deref(), watches, "{line}");
        assert!(got[0].workloads.is_empty(), "{line}");
    }
    for spelling in ["job", "jobs", "job.batch", "jobs.batch", "Job", "JOBS"] {
        assert_eq!(JobKind::parse(spelling), Some(JobKind::Job), "{spelling}");
    }
    for spelling in ["cronjob", "cronjobs", "cj", "cronjobs.batch", "CronJob"] {
        assert_eq!(
            JobKind::parse(spelling),
            Some(JobKind::CronJob),
            "{spelling}"
        );
    }
    for other in ["jobs.apps", "cron", "batch", ""] {
        assert_eq!(JobKind::parse(other), None, "{other}");
    }
}

/// A guide's workloads as (name, kind) from the runbook, and the TOML's
/// `kind` lines.
fn workloads_of(imported: &Imported) -> Vec<(String, WorkloadKind)> {
    let runbook = valid(imported);
    runbook
        .workloads()
        .map(|w| (w.name.get_ref().clone(), w.kind()))
        .collect()
}

#[test]
fn manifests_of_each_kind_in_one_multi_document_block() {
    let md = r#"# Shop

- [ ] Go live

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: shop
spec:
  serviceName: db
---
# a comment between documents
apiVersion: apps/v1
kind: DaemonSet
metadata:
  labels:
    app: agent
  name: log-agent
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    metadata:
      name: not-this
    spec:
      template:
        spec:
          containers:
          - name: backup
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
rules:
  - apiGroups: ["apps", "batch"]
    resources: ["statefulsets", "daemonsets", "jobs"]
---
kind: HorizontalPodAutoscaler
metadata:
  name: db-hpa
spec:
  scaleTargetRef:
    kind: StatefulSet
    name: db
```
"#;
    let imported = import(md, "shop.md").unwrap();
    assert_eq!(
        workloads_of(&imported),
        [
            ("api".to_string(), WorkloadKind::Deployment),
            ("db".to_string(), WorkloadKind::StatefulSet),
            ("log-agent".to_string(), WorkloadKind::DaemonSet),
        ]
    );
    let toml = &imported.toml;
    assert!(
        toml.contains("[[workload]]\nname = \"api\"\n\n"),
        "a Deployment has no kind line:\n{toml}"
    );
    assert!(toml.contains("[[workload]]\nname = \"db\"\nkind = \"StatefulSet\"\n"));
    assert!(toml.contains("[[workload]]\nname = \"log-agent\"\nkind = \"DaemonSet\"\n"));
    assert!(!toml.contains("kind = \"Deployment\""));
    assert_eq!(
        imported.summary.jobs,
        [
            (JobKind::Job, "migrate".to_string()),
            (JobKind::CronJob, "nightly".to_string())
        ]
    );
    assert!(toml.contains("#   2 jobs and cronjobs: migrate (Job), nightly (CronJob)\n"));
    assert!(toml.contains("#   3 workloads: api, db (StatefulSet), log-agent (DaemonSet)\n"));
    assert_eq!(imported.summary.namespaces, ["shop"]);
    assert!(
        !imported
            .summary
            .needs_human
            .iter()
            .any(|n| n.contains(" kept ")),
        "{:?}",
        imported.summary.needs_human
    );
}

#[test]
fn commands_give_workloads_their_kind() {
    let md = "# Shop\n\n- [ ] Go live\n\n```bash\nkubectl rollout status sts/db -n shop\nkubectl rollout restart daemonset log-agent -n shop\nkubectl scale deploy api --replicas=3 -n shop\nkubectl get statefulsets.apps db -n shop\n```\n";
    let imported = import(md, "shop.md").unwrap();
    assert_eq!(
        workloads_of(&imported),
        [
            ("db".to_string(), WorkloadKind::StatefulSet),
            ("log-agent".to_string(), WorkloadKind::DaemonSet),
            ("api".to_string(), WorkloadKind::Deployment),
        ]
    );
    assert!(imported.summary.jobs.is_empty());
}

#[test]
fn a_name_seen_as_two_kinds_keeps_the_first_and_needs_a_human() {
    // The manifest is read before the commands; among commands, the first.
    let md = r#"# Shop

- [ ] Go live

```yaml
kind: StatefulSet
metadata:
  name: db
---
kind: Job
metadata:
  name: backup
```

```bash
kubectl rollout status deployment/db
kubectl get ds cache
kubectl rollout restart sts/cache
kubectl scale deploy cache --replicas=1
kubectl rollout status statefulset/db
kubectl get cronjob backup
```
"#;
    let imported = import(md, "shop.md").unwrap();
    assert_eq!(
        workloads_of(&imported),
        [
            ("db".to_string(), WorkloadKind::StatefulSet),
            ("cache".to_string(), WorkloadKind::DaemonSet),
        ]
    );
    assert_eq!(
        imported.summary.jobs,
        [(JobKind::Job, "backup".to_string())]
    );
    let kept: Vec<&String> = imported
        .summary
        .needs_human
        .iter()
        .filter(|n| n.contains(" kept "))
        .collect();
    assert_eq!(
        kept,
        [
            "workload db is a StatefulSet in one place of the guide and a Deployment in another: kept StatefulSet (the first seen); check which it is",
            "workload cache is a DaemonSet in one place of the guide and a StatefulSet in another: kept DaemonSet (the first seen); check which it is",
            "workload cache is a DaemonSet in one place of the guide and a Deployment in another: kept DaemonSet (the first seen); check which it is",
            "job backup is a Job in one place of the guide and a CronJob in another: kept Job (the first seen); check which it is",
        ]
    );
    // Listed at the top with the other things a human must decide.
    assert!(
        imported
            .toml
            .contains("#   - workload db is a StatefulSet in one place")
    );
}

/// Each item's text and check, imported with `job:` checks written.
fn job_checked(md: &str) -> Vec<(String, Option<String>)> {
    let imported = super::import_with(md, "svc.md", true).unwrap();
    // Until `validate` knows `job:` checks, the runbook is read as TOML.
    let value: toml::Value = toml::from_str(&imported.toml).unwrap();
    let mut out = Vec::new();
    for phase in value["phase"].as_array().unwrap() {
        for item in phase["items"].as_array().unwrap() {
            let text = item.get("text").and_then(|t| t.as_str()).unwrap();
            let check = item.get("check").and_then(|c| c.as_str());
            out.push((text.to_string(), check.map(String::from)));
        }
    }
    out
}

const JOB_STEPS: &str = r#"# Shop

```bash
curl -f https://shop.example.com/health
```

## Release

- [ ] Run the migration
  ```bash
  kubectl create job migrate-manual --from=cronjob/db-migrate -n shop
  kubectl wait --for=condition=complete job/migrate-manual -n shop
  ```
- [ ] Seed the data: `kubectl wait --for=condition=complete job/seed -n shop`
- [ ] Warm the cache
  ```yaml
  apiVersion: batch/v1
  kind: Job
  metadata:
    name: warmup
  ```
- [ ] Nightly backup in place
  - check it with `kubectl get cronjob backup -n shop`
- [ ] Clean up: `kubectl delete job seed -n shop`
- [ ] Health endpoints respond
  ```bash
  kubectl logs job/seed -n shop
  ```
- [ ] Restart the API: `kubectl rollout restart deployment/api -n shop`
- [ ] Seed job finished
- [ ] Warmup completed successfully
- [ ] Data loaded

```bash
kubectl wait --for=condition=complete job/after-the-list -n shop
```
"#;

#[test]
fn a_step_that_runs_or_watches_a_job_is_checked_by_it() {
    let got = job_checked(JOB_STEPS);
    let want = [
        // The CronJob of `--from=cronjob/…`, the first Job of the step.
        ("Run the migration", Some("job:db-migrate")),
        (
            "Seed the data: kubectl wait --for=condition=complete job/seed -n shop",
            Some("job:seed"),
        ),
        // A Job manifest in the step.
        ("Warm the cache", Some("job:warmup")),
        // The code of a list nested in the step.
        ("Nightly backup in place", Some("job:backup")),
        // Deleting a Job does not run it.
        ("Clean up: kubectl delete job seed -n shop", None),
        // What the text states comes first: the one health probe.
        ("Health endpoints respond", Some("probe:health")),
        (
            "Restart the API: kubectl rollout restart deployment/api -n shop",
            None,
        ),
        // A text that names a Job and says it completed.
        ("Seed job finished", Some("job:seed")),
        ("Warmup completed successfully", Some("job:warmup")),
        // Code after the list belongs to no step.
        ("Data loaded", None),
    ];
    let want: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(t, c)| (t.to_string(), c.map(String::from)))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn numbered_steps_with_their_commands_are_checked_by_their_job() {
    let md = "# Shop\n\n## Release\n\n1. Migrate the database:\n\n   ```bash\n   kubectl apply -f migrate.yaml\n   kubectl logs -f job/db-migrate\n   ```\n\n2. Deploy the API\n3. Job complete\n";
    let got = job_checked(md);
    assert_eq!(
        got,
        [
            (
                "Migrate the database".to_string(),
                Some("job:db-migrate".to_string())
            ),
            ("Deploy the API".to_string(), None),
            // The guide's one Job, when the text says "job" and names none.
            (
                "Job complete".to_string(),
                Some("job:db-migrate".to_string())
            ),
        ]
    );
    // With two Jobs, "job complete" names neither.
    let two = format!("{md}\n```bash\nkubectl get job other\n```\n");
    assert_eq!(job_checked(&two)[2].1, None);
}

#[test]
fn job_checks_are_written_only_when_on_and_the_runbook_loads_either_way() {
    // Off: every such item is ticked by hand, and the Jobs are still found.
    let off = super::import_with(JOB_STEPS, "svc.md", false).unwrap();
    assert!(!off.toml.contains("job:"), "{}", off.toml);
    valid(&off);
    assert_eq!(
        off.summary
            .jobs
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>(),
        // Manifests, then code blocks' commands, then inline code's.
        [
            "warmup",
            "db-migrate",
            "migrate-manual",
            "seed",
            "after-the-list",
            "backup"
        ]
    );
    // On: six items bound to Jobs, each counted as bound.
    let on = super::import_with(JOB_STEPS, "svc.md", true).unwrap();
    assert_eq!(on.summary.bound, off.summary.bound + 6, "{}", on.toml);
    assert!(
        on.toml
            .contains("#   job:db-migrate  <-  Run the migration\n")
    );
    // As built, `import` writes them when `validate` accepts them, and what
    // it writes always loads.
    let accepted = crate::runbook::check_ref::CheckRef::parse("job:x").is_ok();
    assert_eq!(
        super::bind::job_checks(),
        super::bind::JOB_CHECKS && accepted
    );
    let imported = import(JOB_STEPS, "svc.md").unwrap();
    valid(&imported);
    assert_eq!(
        imported.toml.contains("check = \"job:"),
        super::bind::job_checks()
    );
}

#[test]
fn many_job_steps_import_in_one_pass() {
    let mut md = String::from("# Svc\n\n## Jobs\n\n");
    for i in 0..5_000 {
        md.push_str(&format!(
            "- [ ] Step {i}: `kubectl wait --for=condition=complete job/j-{i}`\n  - [ ] nested {i}\n    ```bash\n    kubectl get sts s-{i}\n    ```\n"
        ));
    }
    let imported = super::import_with(&md, "svc.md", true).unwrap();
    assert_eq!(imported.summary.jobs.len(), 5_000);
    assert_eq!(imported.summary.workloads.len(), 5_000);
    assert!(imported.toml.contains("check = \"job:j-4999\""));
    assert_eq!(imported.summary.bound, 5_000);
}

#[test]
fn stated_headers_and_certificate_days_become_probe_conditions() {
    let md = "# Shop\n\n## Go\n\n- [ ] TLS certificate valid for more than 30 days\n- [ ] HSTS and X-Frame-Options set\n\n```sh\ncurl -fsS https://shop.example.com/healthz\n```\n";
    let imported = import(md, "guide.md").unwrap();
    let runbook = valid(&imported);
    let probe = |name: &str| {
        runbook
            .probes()
            .find(|p| p.name.get_ref() == name)
            .unwrap_or_else(|| panic!("no probe {name}:\n{}", imported.toml))
    };
    let fail = |name: &str| -> Vec<String> {
        probe(name)
            .fail
            .iter()
            .map(|c| c.get_ref().clone())
            .collect()
    };
    // The days the guide requires fail the probe, not the default warning.
    assert!(
        fail("healthz").contains(&"[CERTIFICATE_EXPIRATION] > 30d".to_string()),
        "{}",
        imported.toml
    );
    assert!(probe("healthz").warn.is_empty(), "{}", imported.toml);
    // The headers it names, on its host's root (https: its certificate too).
    assert_eq!(
        fail("headers"),
        [
            "[STATUS] < 400",
            "has([HEADER].Strict-Transport-Security)",
            "has([HEADER].X-Frame-Options)",
            "[CERTIFICATE_EXPIRATION] > 30d"
        ]
    );
    assert_eq!(probe("headers").url.get_ref(), "${base}/");
    let checks = items(&runbook);
    assert!(
        checks[0]
            .2
            .as_deref()
            .is_some_and(|c| c.starts_with("probe:")),
        "the certificate item is checked by a probe: {checks:?}"
    );
    assert_eq!(checks[1].2.as_deref(), Some("probe:headers"), "{checks:?}");
}

#[test]
fn the_answer_a_guide_shows_for_a_health_endpoint_is_a_condition() {
    let md = "# Shop\n\n## Verify\n\n- [ ] Health endpoint responding\n\n```sh\ncurl https://shop.example.com/actuator/health\n# Expected response:\n# {\"status\":\"UP\",\"components\":{}}\n\ncurl https://shop.example.com/ready\n# {\"status\": \"starting\"}\n```\n";
    let imported = import(md, "guide.md").unwrap();
    let runbook = valid(&imported);
    let fail = |name: &str| -> Vec<String> {
        runbook
            .probes()
            .find(|p| p.name.get_ref() == name)
            .unwrap_or_else(|| panic!("no probe {name}:\n{}", imported.toml))
            .fail
            .iter()
            .map(|c| c.get_ref().clone())
            .collect()
    };
    assert_eq!(
        fail("actuator-health"),
        ["[STATUS] == 200", "[BODY].status == UP"],
        "{}",
        imported.toml
    );
    // Not a healthy word: the status code alone.
    assert_eq!(fail("ready"), ["[STATUS] == 200"], "{}", imported.toml);
}
