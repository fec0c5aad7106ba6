//! `ops-tui report`: golden Markdown for a go-live and an incident, and
//! the command end to end over a journal in a data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::common::snapshots::{Place, assert_snapshot};

use std::path::Path;

use ops_tui::journal::{Entry, Evidence, Journal, Milestone, Record, Step};
use ops_tui::runbook::Runbook;

/// The report snapshots, as the `report` test binary wrote them.
const SNAPSHOTS: Place = Place::new("tests/snapshots", "report");

/// 2026-11-23T12:00:00Z
const NOW: i64 = 1_795_435_200;

fn rec(at: &str, user: &str, entry: Entry) -> Record {
    Record {
        entry_id: String::new(),
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: Some("admin".into()),
        entry,
    }
}

fn tick(item: &str, text: &str, evidence: Vec<Evidence>, reason: Option<&str>) -> Entry {
    Entry::Tick {
        item: item.into(),
        text: text.into(),
        run: None,
        evidence,
        reason: reason.map(String::from),
    }
}

fn ev(kind: &str, name: &str, status: &str, value: &str, detail: Option<&str>) -> Evidence {
    Evidence {
        kind: kind.into(),
        name: name.into(),
        status: status.into(),
        value: value.into(),
        detail: detail.map(String::from),
        conditions: Vec::new(),
    }
}

fn action(at: &str, id: &str, summary: &str, ok: bool) -> Vec<Record> {
    [Step::Preview, Step::DryRun, Step::Confirmed, Step::Outcome]
        .into_iter()
        .map(|step| {
            rec(
                at,
                "ann",
                Entry::Action {
                    id: id.into(),
                    step,
                    summary: summary.into(),
                    request: None,
                    ok: matches!(step, Step::DryRun | Step::Outcome).then_some(ok),
                    detail: (!ok)
                        .then(|| "deployments.apps \"api\" is forbidden (403 Forbidden)".into()),
                },
            )
        })
        .collect()
}

fn check(at: &str, check: &str, status: &str, text: &str) -> Record {
    Record {
        entry_id: String::new(),
        at: at.into(),
        user: "oncall".into(),
        kube_user: None,
        entry: Entry::Check {
            check: check.into(),
            status: status.into(),
            text: text.into(),
        },
    }
}

fn demo() -> Runbook {
    Runbook::load(Path::new("runbooks/demo.toml")).unwrap()
}

#[test]
fn a_go_live_report() {
    let mut records = vec![
        rec(
            "09:00:00",
            "ann",
            tick(
                "pre-deployment/release-notes-reviewed-and-change-approved",
                "Release notes reviewed and change approved",
                vec![],
                None,
            ),
        ),
        rec(
            "09:02:00",
            "ann",
            tick(
                "pre-deployment/current-production-healthy-before-the-release",
                "Current production healthy before the release",
                vec![Evidence {
                    conditions: vec![
                        "✓ [STATUS] == 200 ([STATUS] = 200)".into(),
                        "✓ warn: [RESPONSE_TIME] < 300 ([RESPONSE_TIME] = 12ms)".into(),
                    ],
                    ..ev("probe", "api-health", "ok", "200 in 12ms", None)
                }],
                None,
            ),
        ),
        rec(
            "09:03:00",
            "bob",
            Entry::Skip {
                item: "pre-deployment/database-migrations-applied-and-verified-in-staging".into(),
                text: "Database migrations applied and verified in staging".into(),
                run: None,
                reason: "no schema change | in this release".into(),
            },
        ),
    ];
    records.extend(action(
        "09:10:00",
        "a1",
        "scale deployment/api from 3 to 5 replicas",
        true,
    ));
    records.push(rec(
        "09:20:00",
        "bob",
        tick(
            "post-deployment/error-rate-below-5",
            "Error rate below 5%",
            vec![ev(
                "signal",
                "error-rate",
                "fail",
                "6.2%",
                Some("fail when > 5%"),
            )],
            Some("a load test is running; real traffic is clean"),
        ),
    ));
    records.push(rec(
        "09:25:00",
        "ann",
        Entry::Note {
            text: "green serves 100% of traffic".into(),
            item: None,
            happened_at: None,
            starred: true,
        },
    ));
    // Yesterday's run of the daily phase stays in the report.
    records.push(rec(
        "09:30:00",
        "ann",
        Entry::Tick {
            item: "first-week/error-rate-within-budget".into(),
            text: "Error rate within budget".into(),
            run: Some("2026-11-22".into()),
            evidence: vec![],
            reason: None,
        },
    ));
    // The day before: the checks as the dashboard first saw them.
    records.insert(
        0,
        check(
            "2026-11-22T22:00:00Z",
            "signal:error-rate",
            "ok",
            "signal error-rate: ok",
        ),
    );
    records.insert(
        1,
        check(
            "2026-11-22T22:00:01Z",
            "probe:api-tls",
            "ok",
            "probe api-tls: ok",
        ),
    );
    records.extend([
        check(
            "2026-11-23T09:15:00Z",
            "signal:error-rate",
            "fail",
            "signal error-rate: failing",
        ),
        check(
            "2026-11-23T09:40:00Z",
            "probe:api-tls",
            "fail",
            "probe api-tls: failing (TLS: certificate expired)",
        ),
        // Ticked as "On-call engineer named"; the runbook's text (and so
        // its slug id) has changed since: verify again, counted open.
        rec(
            "09:41:00",
            "bob",
            tick(
                "pre-deployment/on-call-engineer-named",
                "On-call engineer named",
                vec![],
                None,
            ),
        ),
        // A note on an item, with HTML that must not reach the page.
        rec(
            "09:45:00",
            "bob",
            Entry::Note {
                text: "order 1042 placed <img src=x onerror=alert(1)>".into(),
                item: Some("post-deployment/smoke-test-place-a-test-order".into()),
                happened_at: None,
                starred: false,
            },
        ),
    ]);
    let report = ops_tui::report::render(&demo(), "demo", &records, NOW, false);
    assert!(
        report.contains("- run 2026-11-22:\n  - [x] Error rate within budget (done by ann"),
        "{report}"
    );
    for expected in [
        "| Phase | Done | Overridden | Skipped | Failing | Open | Total |",
        "| Pre-Deployment | 2 | 0 | 1 | 0 | 2 | 5 |",
        "| Post-Deployment | 0 | 1 | 0 | 2 | 7 | 10 |",
        "| First week (every 1d, run 2026-11-23) | 0 | 0 | 0 | 1 | 2 | 3 |",
        "| **Total** | 2 | 1 | 1 | 3 | 17 | 24 |",
        "- [ ] On-call engineer and rollback owner named — ticked by bob, 2026-11-23 09:41 UTC, but its text changed since: verify again",
        "- [ ] TLS certificate valid for more than 14 days `probe:api-tls` — **failing** since 2026-11-23 09:40 UTC: probe api-tls: failing (TLS: certificate expired)",
        "- [ ] Smoke test: place a test order\n  - note (bob, 2026-11-23 09:45 UTC): order 1042 placed &lt;img src=x onerror=alert(1)&gt;\n",
        "| 2026-11-22 22:00:00 | oncall | signal error-rate: ok |",
        "| 2026-11-23 09:40:00 | oncall | probe api-tls: failing (TLS: certificate expired) |",
    ] {
        assert!(
            report.contains(expected),
            "{expected:?} missing from:\n{report}"
        );
    }
    assert!(!report.contains("<img"), "raw HTML in:\n{report}");
    assert_snapshot!(report);
}

#[test]
fn an_incident_report() {
    let mut records = vec![
        rec(
            "10:05:00",
            "ann",
            Entry::Milestone {
                milestone: Milestone::Detected,
                happened_at: Some("2026-11-23T09:58:00Z".into()),
            },
        ),
        rec(
            "10:05:30",
            "ann",
            Entry::Note {
                text: "support reports 502s on checkout".into(),
                item: None,
                happened_at: Some("2026-11-23T09:55:00Z".into()),
                starred: true,
            },
        ),
        rec(
            "10:06:00",
            "ann",
            Entry::Milestone {
                milestone: Milestone::Acknowledged,
                happened_at: None,
            },
        ),
    ];
    records.extend(action(
        "10:09:00",
        "a2",
        "roll back deployment/api to revision 1",
        true,
    ));
    records.extend(action(
        "10:08:00",
        "a3",
        "restart deployment/api (a rollout of new pods)",
        false,
    ));
    records.push(check(
        "2026-11-23T09:57:00Z",
        "probe:api-health",
        "fail",
        "probe api-health: failing (HTTP 502)",
    ));
    records.push(rec(
        "10:12:00",
        "ann",
        Entry::Milestone {
            milestone: Milestone::Mitigated,
            happened_at: None,
        },
    ));
    records.push(check(
        "2026-11-23T10:11:30Z",
        "probe:api-health",
        "ok",
        "probe api-health: ok",
    ));
    records.push(rec(
        "10:40:00",
        "bob",
        Entry::Milestone {
            milestone: Milestone::Resolved,
            happened_at: None,
        },
    ));
    let report = ops_tui::report::render(&demo(), "demo", &records, NOW, false);
    assert!(
        report.contains("| 2026-11-23 09:57:00 | oncall | probe api-health: failing (HTTP 502) |"),
        "{report}"
    );
    assert!(
        report.contains("- [ ] Current production healthy before the release `probe:api-health`\n"),
        "ok again: not failing\n{report}"
    );
    assert_snapshot!(report);
    let starred = ops_tui::report::render(&demo(), "demo", &records, NOW, true);
    let timeline = starred.split("## Timeline (starred)").nth(1).unwrap();
    assert!(timeline.contains("support reports 502s"), "{timeline}");
    assert!(timeline.contains("incident resolved"), "{timeline}");
    assert!(
        !timeline.contains("roll back"),
        "only starred notes and milestones: {timeline}"
    );
}

#[test]
fn a_missing_workload_journaled_by_the_dashboard_counts_as_failing() {
    let missing = "rollout api: missing (deployment/api missing in namespace shop-prod)";
    let records = vec![
        check(
            "2026-11-23T09:00:00Z",
            "rollout:api",
            "ok",
            "rollout api: complete · 3/3 available",
        ),
        check("2026-11-23T09:30:00Z", "rollout:api", "fail", missing),
    ];
    let report = ops_tui::report::render(&demo(), "demo", &records, NOW, false);
    for expected in [
        format!(
            "- [ ] api rollout complete `rollout:api` — **failing** since 2026-11-23 09:30 UTC: {missing}"
        ),
        format!(
            "- [ ] All workloads rolled out `rollout:*` — **failing** since 2026-11-23 09:30 UTC: {missing}"
        ),
        format!("| 2026-11-23 09:30:00 | oncall | {missing} |"),
    ] {
        assert!(
            report.contains(&expected),
            "{expected:?} missing from:\n{report}"
        );
    }
    assert!(
        report.contains("- [ ] worker rollout complete `rollout:worker`\n"),
        "another workload is not failing:\n{report}"
    );
}

#[test]
fn the_command_reads_the_environments_journal() {
    let data = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(data.path(), "shop", "demo");
    journal
        .append(&rec(
            "09:00:00",
            "ann",
            tick(
                "deployment/switch-web-traffic-from-blue-to-green",
                "Switch web traffic from blue to green",
                vec![],
                None,
            ),
        ))
        .unwrap();
    let out_file = data.path().join("report.md");
    let out = std::process::Command::new(common::BIN)
        .args([
            "report",
            "--runbook",
            "runbooks/demo.toml",
            "--env",
            "demo",
            "-o",
        ])
        .arg(&out_file)
        .env("OPS_TUI_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(
        text.contains("- [x] Switch web traffic from blue to green — done by ann"),
        "{text}"
    );
    let out = std::process::Command::new(common::BIN)
        .args(["report", "--runbook", "runbooks/demo.toml", "--env", "nope"])
        .env("OPS_TUI_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The report streamed from the journal file lists the Timeline as the
/// whole journal in memory does: oldest first by when it happened
/// (backdated notes and a clock behind merged in), one row per action at
/// its last step, stars folded.
#[test]
fn the_streamed_report_orders_the_timeline_as_the_whole_journal_does() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::for_env(dir.path(), "shop", "demo");
    let note = |at: &str, text: &str, happened: Option<&str>| {
        rec(
            at,
            "ann",
            Entry::Note {
                text: text.into(),
                item: None,
                happened_at: happened.map(|h| format!("2026-11-23T{h}Z")),
                starred: false,
            },
        )
    };
    let mut records = vec![
        note("06:00:00", "first", None),
        note("06:10:00", "backdated to 06:05", Some("06:05:00")),
        note("06:20:00", "third", None),
        note("06:15:00", "a clock behind", None),
        note("06:30:00", "backdated before everything", Some("05:00:00")),
    ];
    records.extend(action("06:31:00", "a1", "scale api", true));
    records.push(note("06:40:00", "last", None));
    records.push(rec(
        "06:41:00",
        "bob",
        Entry::Star {
            key: records[2].key(),
            on: true,
        },
    ));
    for r in &records {
        journal.append(r).unwrap();
    }
    let mut streamed = String::new();
    ops_tui::report::render_to(
        &mut streamed,
        &demo(),
        "demo",
        &ops_tui::report::FileSource::new(&journal),
        NOW,
        false,
    )
    .unwrap();
    assert_eq!(
        streamed,
        ops_tui::report::render(&demo(), "demo", &records, NOW, false)
    );
    let timeline = streamed.split("## Timeline").nth(1).unwrap();
    let mut expected = ops_tui::state::timeline::rows(&records);
    expected.reverse();
    let shown: Vec<&str> = timeline
        .lines()
        .filter(|l| l.starts_with("| 2026"))
        .map(|l| l.rsplit(" | ").next().unwrap().trim_end_matches(" |"))
        .collect();
    let want: Vec<String> = expected
        .iter()
        .map(|r| format!("{}{}", if r.starred { "★ " } else { "" }, r.text))
        .collect();
    assert_eq!(shown, want);
    assert_eq!(shown[0], "note: backdated before everything");
    assert!(shown.contains(&"★ note: third"), "{shown:?}");
    assert_eq!(shown.iter().filter(|s| s.contains("scale api")).count(), 1);
}

#[test]
fn an_item_whose_alert_check_fails_counts_as_failing_and_verified_and_regressed_items_say_so() {
    let firing = "alerts: 1 firing, 0 pending (firing: HighErrorRate)";
    let records = vec![
        check(
            "2026-11-23T09:00:00Z",
            "alerts",
            "ok",
            "alerts: 0 firing, 0 pending",
        ),
        rec(
            "09:01:00",
            "oncall",
            Entry::Verify {
                item: "post-deployment/error-rate-below-5".into(),
                text: "Error rate below 5%".into(),
                run: None,
                evidence: vec![ev("signal", "error-rate", "ok", "0.4%", None)],
            },
        ),
        rec(
            "09:02:00",
            "ann",
            tick(
                "pre-deployment/current-production-healthy-before-the-release",
                "Current production healthy before the release",
                vec![ev("probe", "api-health", "ok", "200", None)],
                None,
            ),
        ),
        rec(
            "09:20:00",
            "oncall",
            Entry::Regress {
                item: "pre-deployment/current-production-healthy-before-the-release".into(),
                text: "Current production healthy before the release".into(),
                run: None,
                evidence: vec![ev(
                    "probe",
                    "api-health",
                    "fail",
                    "failing",
                    Some("HTTP 503"),
                )],
            },
        ),
        rec(
            "09:30:00",
            "oncall",
            Entry::Event {
                event: ops_tui::journal::EventKind::Alert,
                subject: "HighErrorRate{severity=critical}".into(),
                status: "fail".into(),
                text: "alert HighErrorRate firing (critical): 5xx above 1%".into(),
            },
        ),
        check("2026-11-23T09:30:00Z", "alerts", "fail", firing),
    ];
    let report = ops_tui::report::render(&demo(), "demo", &records, NOW, false);
    for expected in [
        format!(
            "- [ ] No alerts firing before the release `alerts` — **failing** since 2026-11-23 09:30 UTC: {firing}"
        ),
        format!(
            "- [ ] No critical alerts firing `alerts` — **failing** since 2026-11-23 09:30 UTC: {firing}"
        ),
        "- [x] Error rate below 5% `signal:error-rate` — verified by its check, 2026-11-23 09:01 UTC (seen by oncall)".into(),
        "- [x] Current production healthy before the release `probe:api-health` — done by ann, 2026-11-23 09:02 UTC — **regressed** 2026-11-23 09:20 UTC: probe api-health: failing (HTTP 503)".into(),
        "  - evidence: signal `error-rate` ok: 0.4%".into(),
        "| 2026-11-23 09:30:00 | oncall | alert HighErrorRate firing (critical): 5xx above 1% |".into(),
        // Pre-Deployment: one done (regressed), one failing, three open.
        "| Pre-Deployment | 1 | 0 | 0 | 1 | 3 | 5 |".into(),
    ] {
        assert!(
            report.contains(&expected),
            "{expected:?} missing from:\n{report}"
        );
    }
}
