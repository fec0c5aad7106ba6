//! The Markdown importer: arbitrary text, grammar-built guides and the
//! guides in `../shared/guides`, mutated, import into runbooks that load,
//! or fail with an error; without the guides those tests skip in one line.

use super::*;

use std::path::Path;

use crate::common::guides;
use ops_tui::runbook::Runbook;
use ops_tui::runbook::import::import;
use proptest::sample::select;

/// Lines a deployment guide has: headings, checklists, status lists,
/// steps, shell and YAML in fences, tables, mojibake.
fn markdown_line() -> BoxedStrategy<String> {
    let word = "[A-Za-z0-9 ._/:\"'\\\\${}%#?=é✅-]{0,16}";
    prop_oneof![
        12 => select(vec![
            "# Shop API Production Deployment Guide",
            "# Production Deployment Guide",
            "# ",
            "#",
            "## Pre-Deployment",
            "## 1. Post-Deployment",
            "## Daily checks",
            "### Weekly",
            "## ✅ Done",
            "- [ ] All health endpoints responding",
            "- [x] Error rate below 1%",
            "  - [ ] nested task",
            "* [ ] TLS certificate valid for 14 days",
            "- [ ]",
            "- [ ] ",
            "- ✅ Security headers present",
            "- ❌ Rate limiting active",
            "- ⏳ Memory below 80%",
            "✅ status line",
            "1. Roll out the deployment",
            "2. Verify rollout complete",
            "1.",
            "```",
            "```bash",
            "```yaml",
            "```sh",
            "~~~",
            "curl -f https://api.example.com/health",
            "curl -fsS http://localhost:8080/healthz",
            "curl -I https://api.example.com/ | grep -i strict-transport-security",
            "curl -I https://x | grep -E \"(Strict-Transport|Content-Security|X-Frame)\"",
            "for i in $(seq 1 50); do curl -s https://api.example.com/api; done",
            "for i in {1..100}; do curl https://api.example.com/login; done",
            "curl -X POST https://api.example.com/health",
            "curl https://${HOST}/status",
            "curl \"https://api.example.com/ready\"",
            "curl -f https://[::1]:8443/livez",
            "curl -f https://exa mple.com/health",
            "kubectl -n prod rollout status deployment/api",
            "kubectl rollout status deploy api --namespace=prod",
            "kubectl create namespace shop-prod",
            "kubectl -n Bad_NS get pods",
            "kubectl patch service api -p '{\"spec\":{\"selector\":{\"version\":\"green\"}}}'",
            "kubectl patch service web -n prod -p '{\"spec\":{\"selector\":{\"\":\"x\"}}}'",
            "apiVersion: apps/v1",
            "kind: Deployment",
            "kind: Namespace",
            "metadata:",
            "  name: api",
            "  name: \"\"",
            "  namespace: prod",
            "livenessProbe:",
            "readinessProbe:",
            "  httpGet:",
            "    path: /healthz",
            "    port: 8080",
            "- alert: HighErrorRate",
            "  expr: rate(http_requests_total{status=~\"5..\"}[5m]) > 0.05",
            "  expr: up == 0",
            "  expr: x > ",
            "  expr: a > b < c >= 1e999",
            "- alert: ",
            "| Check | Status |",
            "|---|---|",
            "| Health | ✅ |",
            "> Note: production",
            "<!-- staging -->",
            "## ðŸ“‹ Overview",
            "- âœ… mis-encoded",
            "- ‚úÖ mac roman",
            "**bold** _em_ `code`",
            "`curl -f https://inline.example.com/ping`",
            "[link](https://example.com/health)",
            "curl -f 'https://api.example.com/he${x}alth'",
            "curl -f \"https://api.example.com/a\\\"b/health\"",
            "curl -f https://API.Example.COM:99999/health",
            "curl -f https://user:pass@api.example.com/health",
            "curl -f https://api.example.com/health#frag",
            "curl -f https://api.example.com/%zz/health",
            "curl -f https://ho_st.example.com/health",
            "curl -f https://api.example.com/health?x=\"'\\",
            "curl -f https://é.example.com/santé/health",
            "curl -f https://${HOST}:${PORT}/healthz",
            "curl -fsS $BASE_URL/health",
            "curl -f http://localhost/health; curl -f http://localhost/health",
            "curl -I https://api.example.com/ | grep -i \"x-frame'\"",
            "for i in $(seq 1 99999999999); do curl https://api.example.com/x; done",
            "for i in $(seq 1 0); do curl https://api.example.com/x; done",
            "kubectl -n \"\" get pods",
            "kubectl -n ${NS} rollout status deployment/${APP}",
            "kubectl rollout status deployment/API_Server -n Prod",
            "kubectl rollout status deployment/ -n",
            "kubectl create namespace a-very-long-namespace-name-that-is-longer-than-sixty-three-chars",
            "kubectl patch service w -p '{\"spec\":{\"selector\":{\"ver\\\"sion\":\"x\"}}}'",
            "  name: Api_Server",
            "  name: ${APP}",
            "  namespace: \"${NS}\"",
            "    path: \"/health z\"",
            "    path: health",
            "- alert: A",
            "- alert: é \"quoted\" ${x}",
            "  expr: a{x=\"'''\\\"\"} > 1",
            "  expr: up{job=\"${job}\"} == 0",
            "  expr: rate(x[5m]) > 1e400",
            "  expr: x > -inf",
            "- [ ] \"\"\" triple ''' quotes \\ backslash ${var} $$",
            "- [ ] tab\there and \u{1b}[31m escape \u{7f}",
            "- [ ] Error rate below 1% and p95 below 300ms and cert valid 14 days",
            "- [ ] Memory below 80% ${x}",
            "- [ ] All health endpoints return 200",
            "- [ ] Rate limiting returns 429 for bursts",
            "- [ ] Security headers (HSTS, X-Frame-Options) present",
            "- [ ] No critical alerts firing",
            "- [ ] Rollout complete for api",
            "## [x] heading with a box",
            "## ✅✅✅",
            "",
        ])
        .prop_map(String::from),
        2 => (select(vec!["# ", "## ", "- [ ] ", "- [x] ", "1. ", "- ✅ ", "    ", ""]), word)
            .prop_map(|(p, w)| format!("{p}{w}")),
        1 => (1usize..100).prop_map(|n| format!("- [ ] {}", "long item ".repeat(n))),
        2 => (select(vec!["http", "https", "ftp", ""]), word, word)
            .prop_map(|(s, h, p)| format!("curl -f {s}://{h}/{p}/health")),
        2 => junk_snippet(),
    ]
    .boxed()
}

fn markdown_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(markdown_line(), 0..60),
        select(vec!["\n", "\r\n", "\n\n"]),
    )
        .prop_map(|(lines, nl)| lines.join(nl))
}

fn markdown_snippet() -> BoxedStrategy<String> {
    prop_oneof![
        2 => markdown_line().prop_map(|l| format!("\n{l}\n")),
        1 => markdown_line(),
    ]
    .boxed()
}

fn guide_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("guide.md".to_string()),
        1 => select(vec![
            "",
            ".md",
            "-.md",
            "Ω.md",
            "${x}.md",
            "\"q\".md",
            "a\nb.md",
            "UPPER CASE GUIDE.MD",
            "deployment.md",
            "production-readiness.md",
        ])
        .prop_map(String::from),
        1 => ".{0,12}",
    ]
}

/// Imports a guide; whenever it succeeds, its runbook must load.
fn import_guide(markdown: &str, name: &str) -> Result<(), TestCaseError> {
    let (md, nm) = (markdown.to_string(), name.to_string());
    let result = bounded("import and Runbook::parse", move || {
        import(&md, &nm).map(|imported| {
            let parsed = Runbook::parse(Path::new("imported.toml"), &imported.toml)
                .map(|_| ())
                .map_err(|e| e.to_string());
            (imported.toml, parsed)
        })
    });
    if let Ok((toml, Err(e))) = result {
        prop_assert!(
            false,
            "the imported runbook does not load:\n{e}\n--- runbook ---\n{toml}"
        );
    }
    Ok(())
}

#[test]
fn the_guides_import_into_runbooks_that_load() {
    let Some(guides) = guides::all() else { return };
    for (name, text) in guides {
        import_guide(text, name).unwrap();
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn import_arbitrary_text(text in arbitrary_text(), name in guide_name()) {
        import_guide(&text, &name)?;
    }

    #[test]
    fn import_grammar_built_guides(text in markdown_text(), name in guide_name()) {
        import_guide(&text, &name)?;
    }
}

#[test]
fn import_mutated_guides() {
    // Outside the property, so that a missing directory is one skip or one
    // failure, not one per case.
    let Some(guides) = guides::all() else { return };
    proptest!(config(96), |(which in 0..guides.len(), edits in mutations(markdown_snippet()))| {
        let (name, text) = &guides[which];
        import_guide(&mutate(text, &edits), name)?;
    });
}

/// Without `../shared/guides` the two tests above skip in one line, and
/// fail when `OPS_TUI_REQUIRE_SHARED=1`.
#[test]
fn the_guide_tests_skip_without_the_guides_unless_required() {
    guides::assert_skip_and_require(
        module_path!(),
        &[
            "the_guides_import_into_runbooks_that_load",
            "import_mutated_guides",
        ],
    );
}

/// A name a guide may deploy to: words for production, for not
/// production, and neither, joined as teams join them.
fn place_name() -> impl Strategy<Value = String> {
    let word = select(vec![
        "prod",
        "production",
        "PROD",
        "live",
        "prd",
        "staging",
        "stage",
        "dev",
        "qa",
        "test",
        "sandbox",
        "shop",
        "payments",
        "eu",
        "us-east-1",
        "green",
        "blue",
        "gke",
        "v2",
        "produs",
        "delivery",
        "golive",
    ]);
    (
        proptest::collection::vec(word, 1..4),
        select(vec!["-", "_", "."]),
    )
        .prop_map(|(words, sep)| words.join(sep))
}

/// A guide that deploys with kubectl to some namespaces, with contexts and
/// clusters, and says "staging" somewhere in an item.
fn deploying_guide() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(place_name(), 0..4),
        proptest::collection::vec(place_name(), 0..3),
        proptest::collection::vec(place_name(), 0..2),
    )
        .prop_map(|(namespaces, contexts, clusters)| {
            let mut md = String::from(
                "# Shop rollout\n\n## Deploy\n\n- [ ] Verified in staging first\n- [ ] Rollout complete\n\n```sh\n",
            );
            for c in &clusters {
                md.push_str(&format!("gcloud container clusters get-credentials {c} --region eu\n"));
            }
            for c in &contexts {
                md.push_str(&format!("kubectl config use-context {c}\n"));
            }
            for (i, ns) in namespaces.iter().enumerate() {
                let context = contexts.get(i).map(|c| format!(" --context {c}")).unwrap_or_default();
                md.push_str(&format!("kubectl{context} -n {ns} rollout status deployment/api\n"));
            }
            md.push_str("```\n");
            md
        })
}

/// What an environment is known by: its name, context and namespace.
fn names_of(env_name: &str, env: &ops_tui::runbook::model::Environment) -> Vec<String> {
    let mut names = vec![env_name.to_string()];
    names.extend(env.context.as_ref().map(|c| c.get_ref().clone()));
    names.extend(env.namespace.as_ref().map(|n| n.get_ref().clone()));
    names
}

proptest! {
    #![proptest_config(config(256))]

    /// No import yields an unprotected environment whose name, context or
    /// namespace says prod, production or live.
    #[test]
    fn production_is_never_left_unprotected(md in deploying_guide()) {
        let imported = import(&md, "guide.md").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let runbook = Runbook::parse(Path::new("imported.toml"), &imported.toml)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", imported.toml)))?;
        for (name, env) in runbook.environments() {
            let names = names_of(name, env);
            let production = names.iter().any(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("prod") || n.contains("production") || n.contains("live")
            });
            prop_assert!(
                env.protected || !production,
                "[env.{name}] is not protected though {names:?} says production:\n{}",
                imported.toml
            );
        }
    }
}
