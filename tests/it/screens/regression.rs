//! A rollout's regression on screen: the banner under the header (every
//! theme, 80 and 200 columns), the Rollouts row's mark, and the rollback
//! dialog that `U` opens, with the regression it undoes.

use super::*;
use ops_tui::checks::regress::{Baseline, Followed, Regression};
use ops_tui::kinds::WorkloadKind;
use ops_tui::kube::cluster::WorkloadId;
use ops_tui::status::Status;

/// The incident dashboard with payments-api's revision 3 followed since
/// 95 s ago and the error rate regressed 5 s ago.
fn regressed(theme: &str) -> AppState {
    let mut s = incident();
    s.theme = Theme::builtin(theme);
    let id = WorkloadId::new(WorkloadKind::Deployment, &s.namespace(), "payments-api");
    let check = "signal:error-rate".to_string();
    s.guard.followed.push(Followed {
        id,
        revision: "3".into(),
        previous: Some("2".into()),
        started: s.now - 95,
        since: s.now - 95,
        completed: None,
        superseded: None,
        soak: 600,
        baselines: [(
            check.clone(),
            Baseline {
                status: Status::Ok,
                value: Some(0.001),
                text: "0.1%".into(),
            },
        )]
        .into(),
        open: [(
            check.clone(),
            Regression {
                check,
                why: "went from ok to fail".into(),
                value: "4.2%".into(),
                baseline: "0.1%".into(),
                split: Some("new pods 8.3% vs old 0.1% (2 new, 2 old)".into()),
                at: s.now - 5,
            },
        )]
        .into(),
        found: 1,
    });
    s.derive();
    s
}

#[test]
fn the_regression_banner_and_the_marked_row_in_every_theme() {
    for (theme, _) in THEMES {
        let s = regressed(theme);
        assert_snapshot!(format!("regression_banner_{theme}"), render(&s, 120, 30));
    }
    let s = regressed("default");
    let narrow = render(&s, 80, 24);
    assert!(narrow.contains("REGRESSION"), "{narrow}");
    assert_snapshot!("regression_banner_80x24", narrow);
    assert_snapshot!("regression_banner_200x40", render(&s, 200, 40));
}

#[test]
fn u_opens_the_rollback_with_the_regression_it_undoes() {
    use ops_tui::kube::rollback::RevisionChoice;
    use ops_tui::state::actions::Dialog;
    let mut s = regressed("default");
    press(&mut s, KeyCode::Char('U'));
    let Some(Dialog::Loading { id, prefer, .. }) = s.dialog().cloned() else {
        panic!("{:?} {:?}", s.dialog(), s.notice);
    };
    assert_eq!(prefer, Some(2));
    assert_snapshot!("regression_rollback_loading", render(&s, 100, 30));
    let choice = |revision: i64, image: &str, current: bool| RevisionChoice {
        revision,
        images: vec![format!("registry.example.com/payments/api:{image}")],
        change_cause: None,
        current,
        diff: if current {
            Vec::new()
        } else {
            vec![format!("image: api:2.2.0-crash → api:{image}")]
        },
        plan: if current {
            Err("already current".into())
        } else {
            Ok(ops_tui::kube::actions::Plan::pause(
                "payments",
                "payments-api",
                true,
            ))
        },
    };
    update(
        &mut s,
        Msg::Revisions(
            id,
            Ok(vec![
                choice(3, "2.2.0-crash", true),
                choice(1, "2.0.9", false),
                choice(2, "2.1.4", false),
            ]),
        ),
    );
    let screen = render(&s, 100, 30);
    assert!(screen.contains("▸ revision 2"), "{screen}");
    assert_snapshot!("regression_rollback_picker", screen);
}
