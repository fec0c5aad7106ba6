//! The command line: validate, paths, completions, and the exit codes of
//! configuration errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ops-tui");

fn run(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("OPS_TUI_CONFIG_DIR", dir.join("config"))
        .env("OPS_TUI_DATA_DIR", dir.join("data"))
        .env("KUBECONFIG", dir.join("no-kubeconfig"))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn example() -> String {
    std::fs::canonicalize("runbooks/example.toml")
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn validate_prints_a_summary_of_a_good_runbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["validate", &example()], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for line in [
        "service       payments-api",
        "environments  2 (staging, prod [protected, read-only])",
        "workloads     2 (payments-api, payments-worker)",
        "probes        4 (health, ready, headers, cors)",
        "signals       2 (error-rate, p95-latency)",
        "phases        3, 11 items (7 verify themselves)",
        "First week                   2 items, every 1d",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}

#[test]
fn validate_finds_ops_tui_toml_in_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(example(), dir.path().join("ops-tui.toml")).unwrap();
    let out = run(&["validate"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("ops-tui.toml: valid"));
}

#[test]
fn validate_prints_every_error_with_its_position_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[service]\nname = \"api\"\n\n[env.prod]\nnamespace = \"api\"\n\n[[probe]]\nname = \"h\"\nurl = \"${base}/health\"\n\n[[phase]]\nname = \"Go\"\nitems = [{ text = \"ok\", check = \"signal:nope\" }]\n",
    )
    .unwrap();
    let out = run(&["validate", path.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let p = path.display();
    assert!(
        stderr.contains(&format!("error: {p}:9:8: undefined variable \"base\"")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "error: {p}:13:33: check \"signal:nope\" names no signal"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("2 errors"), "{stderr}");
}

#[test]
fn validate_without_a_runbook_says_how_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["validate"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no runbook"));
}

#[test]
fn validate_reports_user_keymap_and_theme_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("keymaps")).unwrap();
    std::fs::create_dir_all(config.join("themes")).unwrap();
    std::fs::write(
        config.join("keymaps/vim.toml"),
        "[list]\nj = \"mvoe_down\"\n",
    )
    .unwrap();
    std::fs::write(
        config.join("themes/light.toml"),
        "[colors]\nok = \"nope\"\n",
    )
    .unwrap();
    let out = run(&["validate", &example()], dir.path());
    // Warnings do not make a runbook invalid.
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("keymaps/vim.toml:2:5: [list] key \"j\": unknown action \"mvoe_down\" (did you mean \"move_down\"?)"), "{stderr}");
    assert!(
        stderr.contains("themes/light.toml:2:6: cannot parse the colour for \"ok\""),
        "{stderr}"
    );
}

#[test]
fn the_dashboard_refuses_a_bad_runbook_before_touching_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ops-tui.toml"), "[service]\nname = 3\n").unwrap();
    let out = run(&[], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("ops-tui.toml:2:8: invalid type: integer `3`, expected a string"),
        "{stderr}"
    );
    assert!(
        !text(&out.stdout).contains("\x1b[?1049h"),
        "entered the alternate screen"
    );
}

#[test]
fn an_unknown_environment_is_exit_2_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--runbook", &example(), "--env", "qa"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("no environment \"qa\" (the runbook has: staging, prod)"));
}

#[test]
fn read_only_and_write_cannot_be_combined() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--read-only", "--write"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot be used with"));
}

#[test]
fn paths_shows_each_location() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["paths"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let config = dir.path().join("config");
    assert!(
        stdout.contains(&format!("config dir    {}", config.display())),
        "{stdout}"
    );
    assert!(stdout.contains(&format!(
        "user keymaps  {}",
        config.join("keymaps").display()
    )));
    assert!(stdout.contains(&format!(
        "data dir      {}",
        dir.path().join("data").display()
    )));
}

#[test]
fn completions_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef ops-tui"),
        ("fish", "complete -c ops-tui"),
    ] {
        let out = run(&["completions", shell], dir.path());
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("validate"),
            "{shell} completes no subcommand"
        );
    }
}

/// What bash's completion offers for the words of a command line (the
/// last one being completed), with the script `ops-tui completions bash`
/// printed sourced; also what `complete -p ops-tui` says.
fn bash_completes(script: &std::path::Path, words: &[&str]) -> (String, Vec<String>) {
    // The words go in as arguments, never into the script's text.
    let program = r#"
        source "$1" || exit 3
        shift
        spec=$(complete -p ops-tui) || exit 4
        echo "$spec"
        fn=$(sed -n 's/.* -F \([^ ]*\) .*/\1/p' <<< "$spec")
        declare -F "$fn" > /dev/null || exit 5
        COMP_WORDS=("$@")
        COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        prev=""
        (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
        "$fn" ops-tui "${COMP_WORDS[COMP_CWORD]}" "$prev"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(program)
        .arg("bash")
        .arg(script)
        .args(words)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{words:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    let spec = lines.next().unwrap_or_default().to_string();
    let mut offered: Vec<String> = lines.filter(|l| !l.is_empty()).map(String::from).collect();
    offered.sort();
    (spec, offered)
}

#[test]
fn bash_completes_subcommands_their_options_and_the_formats_of_check() {
    use clap::{CommandFactory, ValueEnum};
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: bash is absent, so its completion cannot be tried");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["completions", "bash"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let script = dir.path().join("ops-tui.bash");
    std::fs::write(&script, &out.stdout).unwrap();

    // `check --format ` offers every format clap declares for it.
    let (spec, offered) = bash_completes(&script, &["ops-tui", "check", "--format", ""]);
    // The function the script defines completes ops-tui.
    assert!(
        spec.starts_with("complete ")
            && spec.contains(" -F _ops__tui ")
            && spec.ends_with(" ops-tui"),
        "{spec}"
    );
    let mut formats: Vec<String> = ops_tui::cli::CheckFormat::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect();
    formats.sort();
    assert_eq!(formats, ["json", "junit", "text"]);
    assert_eq!(offered, formats);
    // And only those that begin as typed.
    let (_, offered) = bash_completes(&script, &["ops-tui", "check", "--format", "j"]);
    assert_eq!(offered, ["json", "junit"]);

    // A subcommand's name: `che` is check, and nothing else.
    let (_, offered) = bash_completes(&script, &["ops-tui", "che"]);
    let subcommands: Vec<String> = ops_tui::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|name| name.starts_with("che"))
        .collect();
    assert_eq!(subcommands, ["check"]);
    assert_eq!(offered, subcommands);
    let (_, offered) = bash_completes(&script, &["ops-tui", "val"]);
    assert_eq!(offered, ["validate"]);
    // A subcommand's own options follow it.
    let (_, offered) = bash_completes(&script, &["ops-tui", "check", "--for"]);
    assert_eq!(offered, ["--format"]);
    let (_, offered) = bash_completes(&script, &["ops-tui", "demo", "--scen"]);
    assert_eq!(offered, ["--scenario"]);
}

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--version"], dir.path());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("ops-tui {}", env!("CARGO_PKG_VERSION"))
    );
    let out = run(&["--help"], dir.path());
    let help = text(&out.stdout);
    for flag in [
        "--runbook",
        "--env",
        "--context",
        "--namespace",
        "--kubeconfig",
        "--read-only",
        "--write",
        "--theme",
        "--keymap",
        "validate",
        "completions",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn theme_and_keymap_options_work_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "validate",
            &example(),
            "--keymap",
            "vim",
            "--theme",
            "light",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn an_unknown_theme_or_keymap_on_the_command_line_is_exit_2_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let themes = dir.path().join("config/themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(themes.join("mine.toml"), "[colors]\nok = \"green\"\n").unwrap();
    for args in [
        vec!["--theme", "nope"],
        vec!["validate", &example(), "--theme", "nope"],
        vec!["demo", "--theme", "nope"],
    ] {
        let out = run(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            text(&out.stderr),
            "error: unknown theme \"nope\": available are default, light, high-contrast, colorblind, mine (yours)\n",
            "{args:?}"
        );
    }
    let out = run(&["validate", &example(), "--keymap", "emacs"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: unknown keymap \"emacs\": available are default, vim\n"
    );
    // A user theme of that name is fine, and so is a bad one: a warning.
    let out = run(&["validate", &example(), "--theme", "mine"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    std::fs::write(themes.join("bad.toml"), "[colors\n").unwrap();
    let out = run(&["validate", &example(), "--theme", "bad"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("bad.toml:1:8: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["completions", "fish"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_kubeconfig_or_context_named_on_the_command_line_must_be_usable() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: dev\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    certificate-authority: {0}/ca.pem\ncontexts:\n- name: dev\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: sekrit-token-value\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let k = kubeconfig.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--kubeconfig", "/nonexistent/kubeconfig"],
            "kubeconfig /nonexistent/kubeconfig:",
        ),
        (
            &["--kubeconfig", k, "--context", "prod"],
            "no context \"prod\"",
        ),
        (
            &["--kubeconfig", k],
            "cannot read the certificate-authority file",
        ),
        (
            &[
                "check",
                "--runbook",
                &example(),
                "--kubeconfig",
                k,
                "--context",
                "prod",
            ],
            "no context \"prod\"",
        ),
    ];
    for (args, expected) in cases {
        let out = run(args, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(
            !err.contains("sekrit") && !err.contains("panicked"),
            "{err}"
        );
    }
}

#[test]
fn a_failing_exec_plugin_is_one_line_and_exit_2_without_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = |command: &str, args: &str| {
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: dev\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: dev\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: {command}\n      args: {args}\n      interactiveMode: Never\n"
        )
    };
    // A plugin that prints a credential-looking line and fails, one that
    // does not exist, and one that prints something that is not a credential.
    let cases = [
        (
            plugin(
                "sh",
                r#"["-c", "echo '{\"status\":{\"token\":\"sekrit-exec-token\"}}'; echo first >&2; echo 'sso: login required' >&2; exit 3"]"#,
            ),
            "failed (exit status: 3): sso: login required",
        ),
        (
            plugin("/nonexistent/kube-login", "[]"),
            "cannot run the exec plugin",
        ),
        (
            plugin("sh", r#"["-c", "echo sekrit-exec-token"]"#),
            "not an ExecCredential",
        ),
    ];
    for (i, (config, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("kubeconfig-{i}"));
        std::fs::write(&path, config).unwrap();
        let k = path.to_str().unwrap();
        for args in [
            vec!["--kubeconfig", k],
            vec![
                "check",
                "--runbook",
                &example(),
                "--kubeconfig",
                k,
                "--context",
                "dev",
            ],
        ] {
            let out = run(&args, dir.path());
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(expected), "{args:?}: {err}");
            assert!(err.contains("context \"dev\""), "{err}");
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
            assert!(
                !err.contains("sekrit") && !err.contains("panicked"),
                "{err}"
            );
        }
    }
}

#[test]
fn a_zero_check_timeout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for zero in ["0s", "0ms", "0"] {
        let out = run(
            &["check", "--timeout", zero, "--runbook", &example()],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{zero}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("\"{zero}\": must be more than zero")),
            "{stderr}"
        );
    }
}
