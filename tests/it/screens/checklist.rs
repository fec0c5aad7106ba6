//! The checklist: items done, overridden with a reason, skipped and stale,
//! the reason editor, and in every theme items verified by their checks
//! and regressed.

use super::*;

#[test]
fn checklist_with_done_overridden_skipped_and_stale_items_and_the_reason_editor() {
    use ops_tui::journal::{Entry, Record};
    let mut s = example("staging");
    s.now = 1_000_000;
    let rec = |at: &str, user: &str, entry: Entry| Record {
        entry_id: String::new(),
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: None,
        entry,
    };
    let tick = |item: &str, text: &str, reason: Option<&str>| Entry::Tick {
        item: item.into(),
        text: text.into(),
        run: None,
        evidence: Vec::new(),
        reason: reason.map(String::from),
    };
    update(
        &mut s,
        Msg::Journal(vec![
            rec(
                "06:00:00",
                "ann",
                tick(
                    "pre-deployment/change-approved-and-announced-in-deploys",
                    "Change approved and announced in #deploys",
                    None,
                ),
            ),
            rec(
                "06:05:00",
                "bob",
                tick(
                    "pre-deployment/staging-rollout-complete",
                    "Staging rollout complete",
                    Some("checked by hand"),
                ),
            ),
            rec(
                "06:06:00",
                "bob",
                Entry::Skip {
                    item: "pre-deployment/database-migrations-reviewed".into(),
                    text: "Database migrations reviewed".into(),
                    run: None,
                    reason: "no migrations".into(),
                },
            ),
            rec(
                "06:07:00",
                "ann",
                tick(
                    "post-deployment/documentation-updated",
                    "Docs updated",
                    None,
                ),
            ),
        ]),
    );
    press(&mut s, KeyCode::Char('4'));
    press(&mut s, KeyCode::Char('z'));
    s.size = (140, 24);
    assert_snapshot!("checklist_item_states", render(&s, 140, 24));
    // The reason editor of an override.
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    press(&mut s, KeyCode::Char('x'));
    for c in "not in this release".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_snapshot!("dialog_reason_editor", render(&s, 120, 24));
}

#[test]
fn checklist_with_verified_and_regressed_items_in_every_theme() {
    use ops_tui::journal::{Entry, Evidence, Record};
    let rec = |at: &str, user: &str, entry: Entry| Record {
        entry_id: String::new(),
        at: format!("2026-11-23T{at}Z"),
        user: user.into(),
        kube_user: None,
        entry,
    };
    let journal = vec![
        rec(
            "06:00:00",
            "ann",
            Entry::Verify {
                item: "post-deployment/error-rate-below-1".into(),
                text: "Error rate below 1%".into(),
                run: None,
                evidence: Vec::new(),
            },
        ),
        rec(
            "06:01:00",
            "bob",
            Entry::Tick {
                item: "post-deployment/all-health-endpoints-responding".into(),
                text: "All health endpoints responding".into(),
                run: None,
                evidence: Vec::new(),
                reason: None,
            },
        ),
        rec(
            "06:12:00",
            "ann",
            Entry::Regress {
                item: "post-deployment/all-health-endpoints-responding".into(),
                text: "All health endpoints responding".into(),
                run: None,
                evidence: vec![Evidence {
                    kind: "probe".into(),
                    name: "ready".into(),
                    status: "fail".into(),
                    value: "failing".into(),
                    detail: Some("HTTP 503".into()),
                    conditions: Vec::new(),
                }],
            },
        ),
    ];
    for (theme, _) in THEMES {
        let rb = Runbook::load(Path::new("runbooks/example.toml")).unwrap();
        let mut s = state(Some(rb), Some("staging"), theme, "default");
        s.now = 1_000_000;
        update(&mut s, Msg::Journal(journal.clone()));
        press(&mut s, KeyCode::Char('4'));
        press(&mut s, KeyCode::Char('z'));
        s.size = (140, 24);
        let screen = render(&s, 140, 24);
        assert!(screen.contains("[✓] Error rate below 1%"), "{screen}");
        assert!(
            screen.contains("regressed 06:12: probe ready: failing (HTTP 503)"),
            "{screen}"
        );
        assert_snapshot!(format!("checklist_verified_and_regressed_{theme}"), screen);
    }
}
