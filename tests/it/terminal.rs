//! The real binary in a pseudo-terminal: it draws the dashboard, answers
//! keys, and leaves the terminal as it found it on every way out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::Pty;

const WAIT: Duration = Duration::from_secs(20);

fn assert_restored(pty: &Pty) {
    let screen = pty.parser.screen();
    assert!(!screen.alternate_screen(), "still on the alternate screen");
    assert!(!screen.hide_cursor(), "the cursor is still hidden");
    // The last word on each: leaving the alternate screen, showing the
    // cursor.
    let last = |needle: &[u8]| pty.raw.windows(needle.len()).rposition(|w| w == needle);
    let (left, entered) = (last(b"\x1b[?1049l"), last(b"\x1b[?1049h"));
    assert!(left.is_some(), "never left the alternate screen");
    assert!(
        left > entered,
        "entered the alternate screen again after leaving it"
    );
    let (shown, hidden) = (last(b"\x1b[?25h"), last(b"\x1b[?25l"));
    assert!(shown.is_some(), "never showed the cursor");
    assert!(shown > hidden, "hid the cursor again after showing it");
}

/// Sends a signal as `kill -SIGNAL pid` from another terminal would.
fn kill(pty: &Pty, signal: &str) {
    let pid = pty.pid().expect("child pid");
    let killed = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -{signal} {pid}");
}

/// Every log file under `dir`, concatenated.
fn logs(dir: &std::path::Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return String::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect()
}

#[test]
fn opens_the_dashboard_shows_help_and_quits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(dir.path(), &[], &[], 100, 30);
    // The whole frame: header, every pane, the footer.
    for text in [
        "no runbook",
        "RW",
        "Rollouts",
        "Health",
        "Signals",
        "Checklist",
        "Timeline",
        "/ filter",
    ] {
        pty.wait_for(text, WAIT);
    }
    assert!(pty.parser.screen().alternate_screen());
    pty.send(b"?");
    pty.wait_for("Help: keymap default", WAIT);
    pty.send(b"q");
    let status = pty.wait_exit(WAIT);
    assert!(status.success(), "exit status {status:?}");
    assert_restored(&pty);
}

#[test]
fn runbook_theme_and_keymap_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let runbook = std::fs::canonicalize("runbooks/example.toml").unwrap();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--env",
        "prod",
        "--theme",
        "high-contrast",
        "--keymap",
        "vim",
    ];
    let mut pty = Pty::spawn(dir.path(), &args, &[], 120, 34);
    pty.wait_for("PROTECTED", WAIT);
    let screen = pty.screen_text();
    assert!(
        screen.contains("payments-api") && screen.contains("RO"),
        "{screen}"
    );
    // vim keymap: `l` moves focus to Health, `o` zooms it.
    pty.send(b"lo");
    pty.wait_for("[2] Health 4 ", WAIT);
    pty.wait_for("· zoomed", WAIT);
    pty.send(b"\x03"); // ctrl-c
    assert!(pty.wait_exit(WAIT).success());
    assert_restored(&pty);
}

#[test]
fn a_bad_user_keymap_is_a_warning_on_screen_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let keymaps = dir.path().join("config/keymaps");
    std::fs::create_dir_all(&keymaps).unwrap();
    std::fs::write(keymaps.join("default.toml"), "[dashboard]\nq = \"quti\"\n").unwrap();
    let mut pty = Pty::spawn(dir.path(), &[], &[], 160, 30);
    pty.wait_for("unknown action \"quti\"", WAIT);
    // The default binding is still in force.
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn config_toml_and_user_files_choose_theme_and_keymap() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("keymaps")).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "theme = \"light\"\nkeymap = \"mine\"\n",
    )
    .unwrap();
    std::fs::write(
        config.join("keymaps/mine.toml"),
        "extends = \"vim\"\n[dashboard]\nx = \"quit\"\nq = \"unbind\"\n",
    )
    .unwrap();
    let mut pty = Pty::spawn(dir.path(), &[], &[], 100, 30);
    // `q` is unbound, so the footer offers the next quit key.
    pty.wait_for("ctrl-c quit", WAIT);
    pty.send(b"?");
    pty.wait_for("Help: keymap mine", WAIT);
    pty.wait_for("esc close", WAIT);
    pty.send(b"\x1b");
    pty.wait_gone("Help: keymap", WAIT);
    // `q` is unbound here: nothing happens. The vim key `l` moves focus.
    pty.send(b"ql");
    pty.wait_for("┏ [2] Health", WAIT);
    // The light theme's header background.
    let header = pty.parser.screen().cell(0, 1).unwrap().bgcolor();
    assert_eq!(header, vt100::Color::Rgb(0xdf, 0xe6, 0xee));
    pty.send(b"x");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn a_panic_restores_the_terminal_before_reporting() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(
        dir.path(),
        &[],
        &[("OPS_TUI_DEBUG_PANIC", "1"), ("RUST_BACKTRACE", "0")],
        100,
        30,
    );
    let status = pty.wait_exit(WAIT);
    assert!(!status.success());
    assert_restored(&pty);
    // The report comes after the restore, so it is readable on the main screen.
    assert!(
        pty.screen_text().contains("OPS_TUI_DEBUG_PANIC is set"),
        "{}",
        pty.screen_text()
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(dir.path(), &[], &[], 100, 30);
    pty.wait_for("Rollouts", WAIT);
    let pid = pty.pid().expect("child pid");
    let killed = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(pty.wait_exit(WAIT).success());
    assert_restored(&pty);
}

#[test]
fn sigint_and_sigquit_from_outside_restore_the_terminal() {
    // In raw mode ctrl-c and ctrl-\ are keys; `kill -INT` and `kill -QUIT`
    // are signals, which end the dashboard like quit.
    for signal in ["INT", "QUIT"] {
        let dir = tempfile::tempdir().unwrap();
        let mut pty = Pty::spawn(dir.path(), &[], &[], 100, 30);
        pty.wait_for("Rollouts", WAIT);
        kill(&pty, signal);
        let status = pty.wait_exit(WAIT);
        assert!(status.success(), "SIG{signal}: exit status {status:?}");
        assert_restored(&pty);
    }
}

#[test]
fn sigint_ends_the_demo_restores_the_terminal_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut pty = Pty::spawn(
        dir.path(),
        &["demo", "--speed", "10"],
        &[("TMPDIR", tmp.to_str().unwrap())],
        120,
        34,
    );
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete worker", WAIT);
    kill(&pty, "INT");
    let status = pty.wait_exit(WAIT);
    assert!(status.success(), "exit status {status:?}");
    assert_restored(&pty);
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the demo left files behind"
    );
}

#[test]
fn a_terminal_that_goes_away_ends_the_dashboard_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut pty = Pty::spawn(
        dir.path(),
        &["demo", "--speed", "10"],
        &[("TMPDIR", tmp.to_str().unwrap()), ("RUST_BACKTRACE", "0")],
        120,
        34,
    );
    pty.wait_for("LIVE", WAIT);
    // The window is closed: the terminal hangs up, and every write to it
    // fails from then on, the restoring ones and any message included.
    pty.hang_up();
    let status = pty.wait_exit(WAIT);
    let log = logs(&dir.path().join("data/logs"));
    assert!(!log.is_empty(), "the log was written");
    assert!(!log.contains("panic"), "{log}");
    assert!(status.success(), "exit status {status:?}; the log:\n{log}");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the demo left files behind"
    );
}

#[test]
fn resizing_redraws_and_too_small_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(dir.path(), &[], &[], 100, 30);
    pty.wait_for("Rollouts", WAIT);
    pty.resize(60, 20);
    pty.wait_for("Terminal too small", WAIT);
    pty.resize(90, 26);
    pty.wait_for("Timeline", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn a_resize_storm_through_tiny_sizes_leaves_a_working_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut pty = Pty::spawn(
        dir.path(),
        &["demo", "--speed", "10"],
        &[("TMPDIR", tmp.to_str().unwrap())],
        120,
        34,
    );
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete worker", WAIT);
    // 300 resizes, a millisecond apart, through sizes down to one cell,
    // while the simulated cluster changes underneath.
    let sizes = [
        (1, 1),
        (2, 1),
        (1, 2),
        (3, 3),
        (10, 4),
        (40, 10),
        (79, 23),
        (80, 24),
        (250, 80),
        (120, 34),
    ];
    for i in 0..300 {
        let (cols, rows) = sizes[i % sizes.len()];
        pty.resize(cols, rows);
        std::thread::sleep(Duration::from_millis(1));
    }
    pty.resize(120, 34);
    // Still alive, drawing and reading keys: the key may overtake the last
    // resize event, and still meets the terminal's real size.
    pty.send(b"?");
    assert!(
        pty.shows_within("Help: keymap default", WAIT),
        "help never opened:\n{}",
        pty.screen_text()
    );
    pty.send(b"q");
    let status = pty.wait_exit(WAIT);
    assert!(status.success(), "exit status {status:?}");
    assert_restored(&pty);
    assert!(!pty.raw_contains(b"panicked"));
}

#[test]
fn the_demo_opens_on_a_simulated_go_live_injects_a_fault_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut pty = Pty::spawn(
        dir.path(),
        &["demo", "--speed", "10"],
        &[("TMPDIR", tmp.to_str().unwrap())],
        120,
        34,
    );
    for text in [
        "shop",
        "env demo",
        "ctx demo",
        "ns shop-prod",
        "PROTECTED",
        "web-blue",
        "Pre-Deployment",
    ] {
        pty.wait_for(text, WAIT);
    }
    // Live rollout state from the simulated cluster.
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete worker", WAIT);
    // The demo's kubeconfig and runbook are in one temporary directory.
    let demo_dirs: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(demo_dirs.len(), 1, "{demo_dirs:?}");
    assert!(demo_dirs[0].join("kubeconfig").exists() && demo_dirs[0].join("demo.toml").exists());
    pty.send(b"F");
    pty.wait_for("Rehearse an incident (demo)", WAIT);
    pty.send(b"j");
    pty.wait_for("▸ crash-loop the worker Deployment", WAIT);
    pty.send(b"\r");
    pty.wait_for("injected: crash-loop the worker Deployment", WAIT);
    // The Timeline, zoomed: the fault, then the worker's crash loop,
    // journaled as they happened.
    pty.send(b"5");
    pty.send(b"z");
    pty.wait_for(
        "fault injected in the demo: crash-loop the worker Deployment",
        WAIT,
    );
    pty.wait_for("in CrashLoopBackOff (", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
    assert_restored(&pty);
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the demo left files behind"
    );
}

#[test]
fn scale_a_deployment_with_keys_against_demo_serve_and_find_it_in_the_journal() {
    let demo = common::demo::Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let runbook = demo.dir.join("demo.toml");
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig,
        "--context",
        "demo",
    ];
    let mut pty = Pty::spawn(dir.path(), &args, &[("USER", "oncall")], 140, 36);
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete api", WAIT);
    // Problems sort first; once everything is complete, api is the first
    // row: every kind listed, home selects it.
    // (A runbook workload not listed yet sorts first, as loading.)
    pty.wait_for("✓ complete db-migrate", WAIT);
    pty.wait_for("✓ complete log-agent", WAIT);
    pty.select_first_row("deployment \"api\" successfully rolled out", WAIT);
    pty.send(b"s");
    pty.wait_for("Scale deployment/api", WAIT);
    pty.send(b"\x7f5\r"); // backspace the current 3, type 5, enter
    pty.wait_for("the server-side dry run passed", WAIT);
    // The demo environment is protected: type the name.
    pty.send(b"api");
    // A confirm button takes a key once its dialog has been on screen a moment.
    std::thread::sleep(std::time::Duration::from_millis(700));
    pty.send(b"\r");
    pty.wait_for("done: scale deployment/api from 3 to 5 replicas", WAIT);
    assert_eq!(
        demo.ok(&["get", "deploy/api", "-o", "jsonpath={.spec.replicas}"]),
        "5"
    );
    // The Timeline shows the journaled action.
    pty.wait_for("✓ oncall scale deployment/api", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
    let journal = ops_tui::journal::Journal::for_env(&dir.path().join("data"), "shop", "demo");
    let records = journal.read().unwrap().records;
    // The rest is what the dashboard journals on its own: the probes' and
    // signals' first states, items verified by their checks, events.
    let (actions, others): (Vec<_>, Vec<_>) = records
        .iter()
        .partition(|r| matches!(r.entry, ops_tui::journal::Entry::Action { .. }));
    assert!(
        others.iter().all(|r| matches!(
            r.entry,
            ops_tui::journal::Entry::Check { .. }
                | ops_tui::journal::Entry::Verify { .. }
                | ops_tui::journal::Entry::Event { .. }
        )),
        "{others:?}"
    );
    let steps: Vec<String> = actions
        .iter()
        .map(|r| match &r.entry {
            ops_tui::journal::Entry::Action { step, .. } => format!("{step:?}"),
            other => panic!("not an action: {other:?}"),
        })
        .collect();
    assert_eq!(steps, ["Preview", "DryRun", "Confirmed", "Outcome"]);
    assert!(
        actions
            .iter()
            .all(|r| r.user == "oncall" && r.kube_user.as_deref() == Some("admin"))
    );
}

#[test]
fn the_header_shows_reconnecting_through_an_api_restart_and_the_rows_come_back_once() {
    let demo = common::demo::Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = ["--kubeconfig", &kubeconfig, "--context", "demo"];
    let mut pty = Pty::spawn(dir.path(), &args, &[], 140, 36);
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete worker", WAIT);
    let rows = |pty: &Pty| pty.screen_text().matches(" worker ").count();
    assert_eq!(rows(&pty), 1, "{}", pty.screen_text());
    demo.fault("/faults/restart-api");
    pty.wait_for("RECONNECTING", WAIT);
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete worker", WAIT);
    assert_eq!(rows(&pty), 1, "{}", pty.screen_text());
    // RBAC refuses one resource: the Rollouts pane says which, the header
    // says FORBIDDEN, and the rows already known stay.
    demo.fault("/faults/forbid?resource=pods");
    demo.fault("/faults/drop-watches");
    pty.wait_for("FORBIDDEN", WAIT);
    pty.wait_for("forbidden", WAIT);
    assert_eq!(rows(&pty), 1, "{}", pty.screen_text());
    demo.fault("/faults/forbid?resource=pods&off");
    pty.wait_for("LIVE", Duration::from_secs(60));
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

/// The X-Version header of a plain HTTP GET to `url` (http://127.0.0.1:PORT).
fn served_version(url: &str) -> Option<String> {
    use std::io::{Read, Write};
    let addr = url.strip_prefix("http://")?;
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("x-version: ")
            .map(|v| v.trim().to_string())
    })
}

#[test]
fn roll_back_through_the_revision_picker_and_see_the_previous_image_serving() {
    let demo = common::demo::Demo::start(&["--speed", "10"]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    let dir = tempfile::tempdir().unwrap();
    let runbook = demo.dir.join("demo.toml");
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig,
        "--context",
        "demo",
    ];
    let mut pty = Pty::spawn(dir.path(), &args, &[], 140, 40);
    pty.wait_for("✓ complete api", WAIT);
    pty.send(b"u");
    pty.wait_for("Roll back deployment/api", WAIT);
    // The previous revision is chosen, with its diff.
    pty.wait_for("▸ revision 1", WAIT);
    pty.wait_for("api: image registry.example.com/shop/api:1.5.0 →", WAIT);
    pty.send(b"\r");
    pty.wait_for("the server-side dry run passed", WAIT);
    pty.send(b"api");
    // A confirm button takes a key once its dialog has been on screen a moment.
    std::thread::sleep(std::time::Duration::from_millis(700));
    pty.send(b"\r");
    pty.wait_for("done: roll back deployment/api to revision 1", WAIT);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    // The service answers from the old image again.
    let url = demo.service("api").to_string();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if served_version(&url).as_deref() == Some("1.4.2") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still serving {:?}",
            served_version(&url)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn workload_view_pod_logs_blue_green_and_the_environment_picker_against_demo_serve() {
    let demo = common::demo::Demo::start(&["--speed", "10"]);
    demo.ok(&["rollout", "status", "deploy/api", "--timeout=60s"]);
    // The logs asked for below are those of the first pod listed; a pod of
    // the previous revision would be deleted under them.
    demo.wait_only_current_pods("api", WAIT);
    let dir = tempfile::tempdir().unwrap();
    let runbook = demo.dir.join("demo.toml");
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig,
        "--context",
        "demo",
    ];
    let mut pty = Pty::spawn(dir.path(), &args, &[], 140, 40);
    pty.wait_for("✓ complete api", WAIT);
    // Enter: the workload view of api, its pods and revisions.
    pty.send(b"\r");
    pty.wait_for("deployment/api ✓ complete", WAIT);
    pty.wait_for("Revisions 2 ", WAIT);
    pty.wait_for("● current", WAIT);
    // A watch that relisted under load shows its pods again first.
    pty.wait_for(" Running ", WAIT);
    // l: the first pod's logs, streamed from the simulated kubelet.
    pty.send(b"l");
    pty.wait_for("Logs pod/api-", WAIT);
    pty.wait_for("following", WAIT);
    pty.wait_for("INFO", WAIT);
    // Back to the dashboard.
    pty.send(b"\x1b");
    pty.wait_for("Revisions 2 ", WAIT);
    pty.send(b"\x1b");
    pty.wait_for("[1] Rollouts", WAIT);
    // b on web-blue: the colour picker shows where each colour points.
    // All complete: rows sort by name (api, db, db-migrate, log-agent,
    // web-blue), and web-blue is the fifth.
    pty.send(b"jjjjb");
    pty.wait_for("Blue-green: service/web", WAIT);
    pty.wait_for("deployment/web-green", WAIT);
    pty.send(b"\x1b");
    pty.wait_gone("Blue-green: service/web", WAIT);
    // C: the picker; choosing demo-viewer re-targets the header at once.
    pty.send(b"C");
    pty.wait_for("Switch environment or context", WAIT);
    pty.send(b"j\r");
    pty.wait_for("env demo-viewer", WAIT);
    pty.wait_for("RO", WAIT);
    pty.wait_for("LIVE", WAIT);
    pty.wait_for("✓ complete api", WAIT);
    pty.send(b"s");
    pty.wait_for("read-only: actions are off", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());
}

#[test]
fn tick_an_auto_passing_a_manual_and_an_overridden_item_add_a_note_restart_and_report() {
    let demo = common::demo::Demo::start(&["--speed", "10"]);
    let dir = tempfile::tempdir().unwrap();
    let runbook = demo.dir.join("demo.toml");
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig,
        "--context",
        "demo",
    ];
    let mut pty = Pty::spawn(dir.path(), &args, &[("USER", "oncall")], 160, 45);
    pty.wait_for("LIVE", WAIT);
    pty.send(b"4z");
    // The probe behind item 4 has answered: its check passes.
    pty.wait_for("(probe:api-health ✓ 200", WAIT);
    // Items whose checks pass verify themselves: every probe answers, so
    // the health endpoints item is verified (journaled) with no keystroke.
    pty.wait_for("[✓] No alerts firing before the release", WAIT);
    pty.wait_for("[✓] All health endpoints responding", WAIT);
    // The walkthrough: a manual item, then (two further on) the
    // auto-passing one, with its check live.
    pty.send(b"w");
    pty.wait_for("Pre-Deployment · item 1 of", WAIT);
    pty.wait_for("A manual item", WAIT);
    pty.send(b" ");
    pty.wait_for("Pre-Deployment · item 2 of", WAIT);
    pty.send(b"jj");
    pty.wait_for("✓ check probe:api-health: ok", WAIT);
    pty.send(b" ");
    pty.wait_for("item 5 of", WAIT);
    pty.send(b"\x1b");
    pty.wait_for("[x] Release notes reviewed and change approved", WAIT);
    pty.wait_for("[x] Current production healthy before the release", WAIT);
    // Back to the fourth row's item in the pane (the selection followed
    // the walkthrough to item 5).
    pty.send(b"k");
    // A failing check: the worker refuses connections. The verified
    // item regresses on its own (journaled); space on it unticks it, and
    // ticking it again while its check fails asks why: an override.
    demo.fault("/faults/refuse?service=worker");
    pty.send(b"jjjjjjjjjj");
    pty.wait_for("(probe:* ✗", WAIT);
    pty.wait_for("[~] All health endpoints responding", WAIT);
    pty.send(b" ");
    pty.wait_for("[ ] All health endpoints responding", WAIT);
    pty.send(b" ");
    pty.wait_for("Override a check", WAIT);
    pty.send(b"worker is being replaced\r");
    pty.wait_for("[!] All health endpoints responding", WAIT);
    // A note on the item.
    pty.send(b"n");
    pty.wait_for("A note on", WAIT);
    pty.send(b"rollback owner is bob\r");
    pty.wait_gone("A note on", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());

    // Restarted: the same state, from the journal.
    let mut pty = Pty::spawn(dir.path(), &args, &[("USER", "oncall")], 160, 45);
    pty.send(b"4z");
    pty.wait_for("[x] Release notes reviewed and change approved", WAIT);
    pty.wait_for("[x] Current production healthy before the release", WAIT);
    pty.wait_for("[!] All health endpoints responding", WAIT);
    pty.wait_for("override: worker is being replaced", WAIT);
    pty.send(b"q");
    assert!(pty.wait_exit(WAIT).success());

    // The report holds all of it, with the evidence.
    let out = std::process::Command::new(common::BIN)
        .args([
            "report",
            "--runbook",
            runbook.to_str().unwrap(),
            "--env",
            "demo",
        ])
        .env("OPS_TUI_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "- [x] Release notes reviewed and change approved — done by oncall",
        "- [x] Current production healthy before the release `probe:api-health` — done by oncall",
        "  - evidence: probe `api-health` ok: 200 in",
        "- [x] No alerts firing before the release `alerts` — verified by its check",
        "regressed: All health endpoints responding",
        "**overridden** by oncall",
        "worker is being replaced",
        "rollback owner is bob",
    ] {
        assert!(
            report.contains(expected),
            "{expected:?} missing from:\n{report}"
        );
    }
}

/// Two engineers on two machines (two data directories) walk the same
/// go-live: one ticks an item in her dashboard, and the other's shows it
/// ticked with her name, and her presence in his header.
#[test]
fn two_dashboards_on_two_machines_see_each_others_ticks_and_presence() {
    let demo = common::demo::Demo::start(&["--speed", "10"]);
    let runbook = demo.dir.join("demo.toml");
    let kubeconfig = demo.kubeconfig.to_str().unwrap().to_string();
    let args = [
        "--runbook",
        runbook.to_str().unwrap(),
        "--kubeconfig",
        &kubeconfig,
        "--context",
        "demo",
    ];
    let (ann_dir, bob_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ann = Pty::spawn(ann_dir.path(), &args, &[("USER", "ann")], 160, 40);
    let mut bob = Pty::spawn(bob_dir.path(), &args, &[("USER", "bob")], 160, 40);
    for pty in [&mut ann, &mut bob] {
        pty.wait_for("JOURNAL: SHARED", WAIT);
    }
    // Each sees the other on the environment.
    bob.wait_for("with ann (since", WAIT);
    ann.wait_for("with bob (since", WAIT);
    // Ann ticks the first checklist item (below its phase's row).
    ann.send(b"4");
    ann.wait_for("[ ] Release notes reviewed", WAIT);
    ann.send(b"\x1b[B");
    std::thread::sleep(Duration::from_millis(200));
    ann.send(b" ");
    ann.wait_for("[x] Release notes reviewed and change approved  ann", WAIT);
    bob.wait_for(
        "[x] Release notes reviewed and change approved  ann",
        Duration::from_secs(10),
    );
    // Her entry is in his journal (copied from the cluster), with her name.
    let journal = ops_tui::journal::Journal::for_env(&bob_dir.path().join("data"), "shop", "demo");
    let records = journal.read().unwrap().records;
    assert!(records.iter().any(|r| r.user == "ann"
        && matches!(&r.entry, ops_tui::journal::Entry::Tick { text, .. } if text == "Release notes reviewed and change approved")));
    // Ann quits; bob's header drops her.
    ann.send(b"q");
    assert!(ann.wait_exit(WAIT).success());
    bob.wait_gone("with ann", WAIT);
    bob.send(b"q");
    assert!(bob.wait_exit(WAIT).success());
    // kubectl lists the journal's segments.
    let segments = demo.ok(&[
        "get",
        "configmaps",
        "-l",
        "app.kubernetes.io/managed-by=ops-tui",
    ]);
    assert!(
        segments.contains("ops-tui-journal-shop-demo-00001"),
        "{segments}"
    );
}
