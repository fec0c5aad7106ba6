//! The Timeline: journaled actions, every kind of entry, a star, the note
//! editor, and items verified and regressed among what happened to the
//! service.

use super::*;

#[test]
fn timeline_pane_with_journaled_actions() {
    use ops_tui::journal::{Entry, Record, Step};
    let mut s = example("staging");
    let rec = |id: &str, step, ok, at: &str, summary: &str, detail: Option<&str>| Record {
        entry_id: String::new(),
        at: at.into(),
        user: "oncall".into(),
        kube_user: Some("admin".into()),
        entry: Entry::Action {
            id: id.into(),
            step,
            summary: summary.into(),
            request: None,
            ok,
            detail: detail.map(String::from),
        },
    };
    let records = vec![
        rec(
            "a",
            Step::Outcome,
            Some(true),
            "2026-11-23T06:00:03Z",
            "scale deployment/payments-api from 3 to 5 replicas",
            None,
        ),
        rec(
            "b",
            Step::DryRun,
            Some(false),
            "2026-11-23T06:01:01Z",
            "restart deployment/payments-worker (a rollout of new pods)",
            Some("deployments.apps \"payments-worker\" is forbidden (403 Forbidden)"),
        ),
        rec(
            "c",
            Step::Preview,
            None,
            "2026-11-23T06:02:00Z",
            "pause deployment/payments-api",
            None,
        ),
    ];
    update(&mut s, Msg::Journal(records));
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('z'));
    assert_snapshot!(render(&s, 120, 24));
}

#[test]
fn timeline_with_every_kind_a_star_and_the_note_editor() {
    use ops_tui::journal::{Entry, Milestone, Record};
    let mut s = example("staging");
    s.now = "2026-11-23T06:15:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    let rec = |at: &str, user: &str, entry: Entry| Record {
        entry_id: String::new(),
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: None,
        entry,
    };
    let note = rec(
        "06:10:00",
        "ann",
        Entry::Note {
            text: "CDN purge requested".into(),
            item: None,
            happened_at: None,
            starred: false,
        },
    );
    let records = vec![
        rec(
            "06:00:00",
            "ann",
            Entry::Milestone {
                milestone: Milestone::Detected,
                happened_at: Some("2026-11-23T05:55:00Z".into()),
            },
        ),
        rec(
            "06:02:00",
            "bob",
            Entry::Tick {
                item: "pre-deployment/staging-rollout-complete".into(),
                text: "Staging rollout complete".into(),
                run: None,
                evidence: Vec::new(),
                reason: Some("verified by hand".into()),
            },
        ),
        rec(
            "06:03:00",
            "bob",
            Entry::Skip {
                item: "pre-deployment/database-migrations-reviewed".into(),
                text: "Database migrations reviewed".into(),
                run: None,
                reason: "no migrations".into(),
            },
        ),
        rec(
            "06:05:00",
            "oncall",
            Entry::Check {
                check: "probe:ready".into(),
                status: "fail".into(),
                text: "probe ready: failing (HTTP 503)".into(),
            },
        ),
        note.clone(),
        rec(
            "06:11:00",
            "ann",
            Entry::Star {
                key: note.key(),
                on: true,
            },
        ),
    ];
    update(&mut s, Msg::Journal(records));
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (120, 24);
    assert_snapshot!("timeline_every_kind", render(&s, 120, 24));
    press(&mut s, KeyCode::Char('n'));
    for c in "@-10m support saw 502s".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_snapshot!("dialog_note_editor", render(&s, 120, 24));
}

#[test]
fn timeline_with_verified_regressed_items_and_what_happened_to_the_service() {
    use ops_tui::journal::{Entry, EventKind, Evidence, Record};
    let mut s = example("staging");
    s.now = "2026-11-23T06:30:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    let rec = |at: &str, entry: Entry| Record {
        entry_id: String::new(),
        at: format!("2026-11-23T{at}Z"),
        user: "oncall".into(),
        kube_user: None,
        entry,
    };
    let event = |event, subject: &str, status: &str, text: &str| Entry::Event {
        event,
        subject: subject.into(),
        status: status.into(),
        text: text.into(),
    };
    let item = |regress: bool| {
        let (item, text) = (
            "post-deployment/error-rate-below-1".into(),
            "Error rate below 1%".into(),
        );
        let evidence = vec![Evidence {
            kind: "signal".into(),
            name: "error-rate".into(),
            status: if regress { "fail" } else { "ok" }.into(),
            value: if regress { "2%" } else { "0.1%" }.into(),
            detail: None,
            conditions: Vec::new(),
        }];
        if regress {
            Entry::Regress {
                item,
                text,
                run: None,
                evidence,
            }
        } else {
            Entry::Verify {
                item,
                text,
                run: None,
                evidence,
            }
        }
    };
    let records = vec![
        rec("06:00:00", item(false)),
        rec(
            "06:05:00",
            event(
                EventKind::Fault,
                "crash workload=api",
                "info",
                "fault injected in the demo: crash-loop the api Deployment (api now runs shop/api:2.4.1-crash)",
            ),
        ),
        rec(
            "06:06:00",
            event(
                EventKind::CrashLoop,
                "pod/api-7d9-x",
                "fail",
                "pod/api-7d9-x in CrashLoopBackOff (4 restarts, last: Error (exit 1))",
            ),
        ),
        rec(
            "06:08:00",
            event(
                EventKind::Alert,
                "HighErrorRate{severity=critical}",
                "fail",
                "alert HighErrorRate firing (critical): 5xx above 1%",
            ),
        ),
        rec("06:09:00", item(true)),
        rec(
            "06:15:00",
            event(
                EventKind::Rollout,
                "deployment/api",
                "fail",
                "rollout of deployment/api failed: deployment \"api\" exceeded its progress deadline",
            ),
        ),
        rec(
            "06:20:00",
            event(
                EventKind::Rollout,
                "deployment/api",
                "ok",
                "rollout of deployment/api recovered: complete",
            ),
        ),
        rec(
            "06:22:00",
            event(
                EventKind::Alert,
                "HighErrorRate{severity=critical}",
                "ok",
                "alert HighErrorRate{severity=critical} resolved",
            ),
        ),
    ];
    update(&mut s, Msg::Journal(records));
    press(&mut s, KeyCode::Char('5'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (140, 24);
    assert_snapshot!(
        "timeline_verified_regressed_and_events",
        render(&s, 140, 24)
    );
}
