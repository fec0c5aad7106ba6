//! Runbook loading: a full example, and bad runbooks whose errors must say
//! exactly where the problem is.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use ops_tui::runbook::check_ref::{CheckRef, Target as CheckTarget};
use ops_tui::runbook::select::{Overrides, SelectError, select};
use ops_tui::runbook::{Runbook, RunbookError};

const MINIMAL: &str = r#"
[service]
name = "api"

[env.prod]
context = "prod-ctx"
namespace = "api"
"#;

fn load(text: &str) -> Result<Runbook, RunbookError> {
    Runbook::parse(Path::new("bad.toml"), text)
}

/// Asserts the runbook fails with an error at (line, column) whose message
/// contains `needle`.
fn assert_error_at(text: &str, line: usize, column: usize, needle: &str) {
    let err = load(text).expect_err("the runbook should be refused");
    let diags = err.diagnostics();
    assert!(
        diags
            .iter()
            .any(|d| d.line == line && d.column == column && d.message.contains(needle)),
        "expected an error at {line}:{column} containing {needle:?}, got:\n{err}"
    );
    // The rendered error names the file too.
    assert!(
        err.to_string()
            .contains(&format!("bad.toml:{line}:{column}: ")),
        "{err}"
    );
}

#[test]
fn the_full_example_loads_with_everything_in_it() {
    let rb = Runbook::load(Path::new("runbooks/example.toml")).unwrap();
    assert_eq!(rb.service_name(), "payments-api");
    let envs: Vec<&str> = rb.environments().map(|(n, _)| n).collect();
    assert_eq!(envs, ["staging", "prod"]);
    let (_, prod) = rb.environments().nth(1).unwrap();
    assert!(prod.protected && prod.read_only);
    assert_eq!(prod.vars["base"].get_ref(), "https://payments.example.com");
    let workloads: Vec<&str> = rb.workloads().map(|w| w.name.get_ref().as_str()).collect();
    assert_eq!(workloads, ["payments-api", "payments-worker"]);
    let bg = rb.workloads().next().unwrap().blue_green.as_ref().unwrap();
    assert_eq!(
        (bg.service.as_str(), bg.label.as_str()),
        ("payments-api", "version")
    );
    let health = rb.probes().next().unwrap();
    assert_eq!(health.every.0.as_secs(), 10);
    assert_eq!(health.timeout.0.as_secs(), 3);
    assert_eq!(health.fail.len(), 2);
    let cors = rb.probes().find(|p| p.name.get_ref() == "cors").unwrap();
    assert_eq!(cors.method(), "OPTIONS");
    assert_eq!(cors.headers["Origin"].get_ref(), "https://shop.example.com");
    // Defaults apply where the runbook is silent.
    let ready = rb.probes().find(|p| p.name.get_ref() == "ready").unwrap();
    assert_eq!(ready.method(), "GET");
    assert_eq!(ready.every.0.as_secs(), 30);
    assert_eq!(rb.signals().count(), 2);
    let phases: Vec<_> = rb.phases().collect();
    assert_eq!(phases.len(), 3);
    assert_eq!(phases[2].every.unwrap().0.as_secs(), 86_400);
    let post = phases[1];
    let ids: Vec<String> = post.items.iter().map(|i| i.get_ref().id(post)).collect();
    assert_eq!(ids[0], "post-deployment/all-health-endpoints-responding");
    assert_eq!(ids[3], "api-rollout");
    let check = post.items[1].get_ref().check.as_ref().unwrap();
    assert_eq!(
        CheckRef::parse(check.get_ref()).unwrap(),
        CheckRef::Signal(CheckTarget::Named("error-rate".into()))
    );
}

#[test]
fn every_sample_runbook_is_valid() {
    for entry in std::fs::read_dir("runbooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            Runbook::load(&path).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn unknown_key() {
    let text = format!("{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"https://x\"\nretries = 3\n");
    assert_error_at(&text, 12, 1, "unknown field `retries`");
}

#[test]
fn wrong_type() {
    let text = format!("{MINIMAL}protected = \"yes\"\n");
    assert_error_at(
        &text,
        8,
        13,
        "invalid type: string \"yes\", expected a boolean",
    );
}

#[test]
fn bad_duration() {
    let text = format!(
        "{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"https://x\"\nevery = \"10 parsecs\"\n"
    );
    assert_error_at(&text, 12, 9, "invalid duration \"10 parsecs\"");
}

#[test]
fn duration_without_unit() {
    let text = format!("{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"https://x\"\ntimeout = 5\n");
    assert_error_at(&text, 12, 11, "expected a duration in quotes");
}

#[test]
fn undefined_variable() {
    let text = format!("{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"${{base}}/health\"\n");
    assert_error_at(&text, 11, 8, "undefined variable \"base\"");
}

#[test]
fn check_naming_a_missing_probe() {
    let text = format!(
        "{MINIMAL}\n[[probe]]\nname = \"health\"\nurl = \"https://x/health\"\n\n[[phase]]\nname = \"Go\"\nitems = [{{ text = \"ok\", check = \"probe:helth\" }}]\n"
    );
    assert_error_at(&text, 15, 33, "names no probe \"helth\" (known: health)");
}

#[test]
fn check_with_unknown_kind() {
    let text = format!(
        "{MINIMAL}\n[[phase]]\nname = \"Go\"\nitems = [{{ text = \"ok\", check = \"pods:api\" }}]\n"
    );
    assert_error_at(&text, 11, 33, "unknown check kind \"pods\"");
}

#[test]
fn duplicate_probe_names() {
    let text = format!(
        "{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"https://a\"\n\n[[probe]]\nname = \"h\"\nurl = \"https://b\"\n"
    );
    assert_error_at(&text, 14, 8, "duplicate probe name \"h\"");
}

#[test]
fn duplicate_item_ids() {
    let text =
        format!("{MINIMAL}\n[[phase]]\nname = \"Go\"\nitems = [\"Check logs\", \"check logs!\"]\n");
    assert_error_at(&text, 11, 24, "duplicate item id \"go/check-logs\"");
}

#[test]
fn no_environments() {
    assert_error_at("[service]\nname = \"api\"\n", 1, 1, "no environments");
}

#[test]
fn empty_environment_table() {
    assert_error_at(
        "env = {}\n\n[service]\nname = \"api\"\n",
        1,
        7,
        "no environments",
    );
}

#[test]
fn missing_service() {
    assert_error_at(
        "[env.prod]\ncontext = \"x\"\n",
        1,
        1,
        "missing field `service`",
    );
}

#[test]
fn bad_url_scheme() {
    let text = format!("{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"ftp://x\"\n");
    assert_error_at(&text, 11, 7, "scheme \"ftp\": expected http or https");
}

#[test]
fn bad_workload_name() {
    let text = format!("{MINIMAL}\n[[workload]]\nname = \"Payments_API\"\n");
    assert_error_at(&text, 10, 8, "not a valid Deployment name");
}

#[test]
fn unknown_method() {
    let text =
        format!("{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"https://x\"\nmethod = \"FETCH\"\n");
    assert_error_at(&text, 12, 10, "unknown method \"FETCH\"");
}

#[test]
fn toml_syntax_error() {
    let text = "[service]\nname = \"api\n";
    assert_error_at(text, 2, 12, "invalid basic string");
}

#[test]
fn several_problems_are_all_reported() {
    let text = format!(
        "{MINIMAL}\n[[workload]]\nname = \"a\"\n\n[[workload]]\nname = \"a\"\n\n[[phase]]\nname = \"Go\"\nitems = [{{ text = \"x\", check = \"signal:nope\" }}]\n"
    );
    let err = load(&text).unwrap_err();
    assert_eq!(err.diagnostics().len(), 2, "{err}");
}

#[test]
fn variables_come_from_vars_builtins_and_the_process_environment() {
    // PATH is set wherever tests run; `namespace` and `service` are built in.
    let text = format!(
        "{MINIMAL}vars = {{ base = \"https://example.org\" }}\n\n[[probe]]\nname = \"h\"\nurl = \"${{base}}/${{namespace}}/${{service}}\"\nheaders = {{ X-Path = \"${{PATH}}\" }}\n"
    );
    load(&text).unwrap();
}

fn overrides() -> Overrides {
    Overrides::default()
}

#[test]
fn environment_selection_follows_the_rules() {
    let rb = Runbook::load(Path::new("runbooks/example.toml")).unwrap();
    // No flags: the first environment.
    let t = select(Some(&rb), &overrides()).unwrap();
    assert_eq!(t.env.as_deref(), Some("staging"));
    assert_eq!(t.context.as_deref(), Some("staging"));
    assert!(!t.read_only && !t.protected);
    // --context picks the environment with that context.
    let t = select(
        Some(&rb),
        &Overrides {
            context: Some("prod".into()),
            ..overrides()
        },
    )
    .unwrap();
    assert_eq!(t.env.as_deref(), Some("prod"));
    assert!(t.protected);
    // prod is read_only = true: read-only unless --write.
    assert!(t.read_only);
    let t = select(
        Some(&rb),
        &Overrides {
            env: Some("prod".into()),
            write: true,
            ..overrides()
        },
    )
    .unwrap();
    assert!(!t.read_only);
    // --read-only always wins.
    let t = select(
        Some(&rb),
        &Overrides {
            env: Some("staging".into()),
            read_only: true,
            ..overrides()
        },
    )
    .unwrap();
    assert!(t.read_only);
    // --context and --namespace override the runbook's.
    let t = select(
        Some(&rb),
        &Overrides {
            env: Some("prod".into()),
            context: Some("other".into()),
            namespace: Some("ns2".into()),
            ..overrides()
        },
    )
    .unwrap();
    assert_eq!(
        (t.context.as_deref(), t.namespace.as_deref()),
        (Some("other"), Some("ns2"))
    );
    // A context no environment has: the first, with a warning.
    let t = select(
        Some(&rb),
        &Overrides {
            context: Some("kind".into()),
            ..overrides()
        },
    )
    .unwrap();
    assert_eq!(t.env.as_deref(), Some("staging"));
    assert!(
        t.warning
            .unwrap()
            .contains("no runbook environment has context \"kind\"")
    );
    // An unknown --env names the ones there are.
    let err = select(
        Some(&rb),
        &Overrides {
            env: Some("qa".into()),
            ..overrides()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, SelectError::NoSuchEnv { ref wanted, .. } if wanted == "qa"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("no environment \"qa\" (the runbook has: staging, prod)"),
        "{err}"
    );
    // No runbook: --env is an error, the rest pass through.
    assert_eq!(
        select(
            None,
            &Overrides {
                env: Some("x".into()),
                ..overrides()
            }
        ),
        Err(SelectError::NeedsRunbook("x".into()))
    );
    let t = select(
        None,
        &Overrides {
            namespace: Some("n".into()),
            ..overrides()
        },
    )
    .unwrap();
    assert_eq!((t.env, t.namespace.as_deref()), (None, Some("n")));
}

#[test]
fn variables_in_an_environments_own_settings_are_checked_in_that_environment() {
    let text =
        "[service]\nname = \"api\"\n\n[env.prod]\ncontext = \"prod\"\nnamespace = \"${ns}\"\n";
    assert_error_at(
        text,
        6,
        14,
        "undefined variable \"ns\": define it under [env.prod.vars]",
    );
    // Defined in its own environment only: fine, even if another lacks it.
    let ok = "[service]\nname = \"api\"\n\n[env.prod]\nnamespace = \"${ns}\"\nvars = { ns = \"api-prod\" }\n\n[env.qa]\nnamespace = \"qa\"\n";
    load(ok).unwrap();
}

#[test]
fn variable_positions_survive_escapes_wide_characters_and_multi_line_strings() {
    let text = format!(
        "{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"https://x\"\nheaders = {{ X = \"\\téééé${{nope}}\" }}\n"
    );
    assert_error_at(&text, 12, 24, "undefined variable \"nope\"");
    let text = format!(
        "{MINIMAL}\n[[probe]]\nname = \"h\"\nurl = \"https://x\"\nmethod = \"POST\"\nbody = \"\"\"\n{{\n  \"a\": \"${{nope2}}\"\n}}\"\"\"\n"
    );
    assert_error_at(&text, 15, 9, "undefined variable \"nope2\"");
}

#[test]
fn rollout_star_without_workloads_means_every_deployment() {
    let text = format!(
        "{MINIMAL}\n[[phase]]\nname = \"Go\"\nitems = [{{ text = \"rolled\", check = \"rollout:*\" }}]\n"
    );
    load(&text).unwrap();
}

#[test]
fn errors_name_what_was_expected_in_words() {
    let text = "[service]\nname = \"api\"\n\n[env.prod]\nnamespace = \"api\"\n\n[[workload]]\nname = \"api\"\nblue_green = \"yes\"\n";
    let err = load(text).unwrap_err().to_string();
    assert!(
        err.contains("expected a table: { service = \"NAME\", label = \"LABEL\" }"),
        "{err}"
    );
    assert!(!err.contains("struct"), "{err}");
}

#[test]
fn a_bad_signal_threshold_is_an_error_at_its_character() {
    let text = r#"[service]
name = "s"

[env.prod]
prometheus = "http://127.0.0.1:9090"

[[signal]]
name = "error-rate"
query = "sum(rate(x[5m]))"
unit = "percent"
warn = "> 0.5%"
fail = ">> 1%"
"#;
    let err = Runbook::parse(std::path::Path::new("t.toml"), text).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("t.toml:12:10:"), "{msg}");
    assert!(msg.contains("invalid fail threshold \">> 1%\""), "{msg}");
}

#[test]
fn signal_units_take_their_short_names_too() {
    use ops_tui::runbook::model::Unit;
    let text = format!(
        "{MINIMAL}\n[[signal]]\nname = \"p99\"\nquery = \"x\"\nunit = \"ms\"\n\n[[signal]]\nname = \"rate\"\nquery = \"y\"\nunit = \"rps\"\n"
    );
    let rb = load(&text).unwrap();
    let units: Vec<Option<Unit>> = rb.signals().map(|s| s.unit).collect();
    assert_eq!(units, [Some(Unit::Milliseconds), Some(Unit::PerSecond)]);
    let text = format!("{MINIMAL}\n[[signal]]\nname = \"p99\"\nquery = \"x\"\nunit = \"msec\"\n");
    assert_error_at(&text, 12, 8, "unknown variant `msec`");
}

const GUARDED: &str = r#"
[[workload]]
name = "api"
soak = "3m"

[[signal]]
name = "errors"
query = "sum(rate(errors[1m]))"
unit = "percent"
fail = "> 5%"
regression = { worse = 3, margin = "0.5%", per_revision = "pod" }
"#;

#[test]
fn regression_options_and_soak_are_loaded_typed() {
    let rb = load(&format!("{MINIMAL}{GUARDED}")).unwrap();
    let rules = ops_tui::checks::regress::Rules::from_runbook(&rb);
    assert_eq!(rules.soak_of("api"), 180);
    assert_eq!(
        rules.soak_of("other"),
        ops_tui::checks::regress::DEFAULT_SOAK
    );
    let errors = &rules.signals[0];
    assert_eq!(errors.worse, Some(3.0));
    assert!((errors.margin - 0.005).abs() < 1e-12, "{}", errors.margin);
    assert_eq!(errors.per_revision.as_deref(), Some("pod"));
    assert!(errors.high_is_bad());
}

#[test]
fn bad_regression_options_are_refused_where_they_are() {
    let with = |options: &str| {
        format!(
            "{MINIMAL}{}",
            GUARDED.replace(
                r#"worse = 3, margin = "0.5%", per_revision = "pod""#,
                options
            )
        )
    };
    assert_error_at(
        &with("worse = 1"),
        18,
        24,
        "regression.worse must be a factor above 1",
    );
    assert_error_at(
        &with("worse = 2, margin = \"-1%\""),
        18,
        37,
        "must be zero or more",
    );
    assert_error_at(
        &with("worse = 2, margin = \"lots\""),
        18,
        37,
        "invalid regression.margin \"lots\"",
    );
    assert_error_at(
        &with("per_revision = \"pod name\""),
        18,
        32,
        "is not a Prometheus label name",
    );
    assert_error_at(&with("wrose = 2"), 18, 16, "unknown field `wrose`");
    let long = format!("{MINIMAL}{}", GUARDED.replace("\"3m\"", "\"48h\""));
    assert_error_at(&long, 11, 8, "soak 2days is longer than the longest, 24h");
}
