//! A journal shared with the team: the header's badge for each state of
//! the sharing (in every theme, its colour says whether it is trouble),
//! who else is on the environment, the Timeline's entries only on this
//! machine, the warning when RBAC keeps them here, and the walkthrough
//! when another engineer is on the same item.

use super::*;
use ops_tui::journal::{Entry, Record};
use ops_tui::kube::presence::{Open, Peer, PresenceStatus};
use ops_tui::kube::share::{ShareState, ShareStatus};

fn status(state: ShareState, local_only: &[&str]) -> ShareStatus {
    ShareStatus {
        namespace: "payments".into(),
        state,
        pending: local_only.len(),
        local_only: local_only.iter().map(|s| s.to_string()).collect(),
        entries: 40,
        segments: 1,
    }
}

fn peers(open: Option<Open>) -> PresenceStatus {
    PresenceStatus {
        peers: vec![
            Peer {
                user: "bob".into(),
                since: "2026-11-23T05:42:00Z".into(),
                open,
            },
            Peer {
                user: "cid".into(),
                since: "2026-11-23T05:50:00Z".into(),
                open: None,
            },
        ],
        error: None,
    }
}

fn shared(theme: &str) -> AppState {
    let rb = Runbook::load(Path::new("runbooks/example.toml")).unwrap();
    let mut s = state(Some(rb), Some("prod"), theme, "default");
    assert!(
        s.target.share.is_some(),
        "example.toml shares prod's journal"
    );
    update(&mut s, Msg::Share(0, status(ShareState::Starting, &[])));
    update(&mut s, Msg::Share(0, status(ShareState::Shared, &[])));
    update(
        &mut s,
        Msg::Presence(
            0,
            peers(Some(Open {
                key: "workload:deployment/payments-api".into(),
                text: "deployment/payments-api".into(),
            })),
        ),
    );
    s
}

#[test]
fn a_shared_journal_and_who_else_is_on_in_every_theme() {
    for (theme, _) in THEMES {
        let s = shared(theme);
        assert_snapshot!(format!("team_shared_{theme}_200x24"), render(&s, 200, 24));
    }
    // At 80 columns the badge is short and the others give way.
    assert_snapshot!("team_shared_80x24", render(&shared("default"), 80, 24));
}

fn note(id: &str, at: &str, user: &str, text: &str) -> Record {
    Record {
        entry_id: id.into(),
        at: at.into(),
        user: user.into(),
        kube_user: None,
        entry: Entry::Note {
            text: text.into(),
            item: None,
            happened_at: None,
            starred: false,
        },
    }
}

#[test]
fn entries_only_on_this_machine_are_marked_while_the_cluster_is_unreachable() {
    let mut s = shared("default");
    update(
        &mut s,
        Msg::Journal(vec![
            note("a1", "2026-11-23T05:44:00Z", "bob", "canary at 5%"),
            note("a2", "2026-11-23T05:46:00Z", "ann", "error rate flat"),
            note("a3", "2026-11-23T05:47:00Z", "ann", "canary at 25%"),
        ]),
    );
    update(
        &mut s,
        Msg::Share(
            0,
            status(
                ShareState::Offline("client error (Connect)".into()),
                &["a2", "a3"],
            ),
        ),
    );
    press(&mut s, KeyCode::Char('5'));
    assert_snapshot!("team_offline_local_only", render(&s, 120, 30));
}

#[test]
fn a_viewer_is_told_its_entries_stay_on_this_machine() {
    let mut s = shared("default");
    update(
        &mut s,
        Msg::Share(
            0,
            status(
                ShareState::ReadOnly(
                    "configmaps \"ops-tui-journal-payments-api-prod-00001\" is forbidden: User \"viewer\" cannot update resource \"configmaps\" in API group \"\" in the namespace \"payments\"".into(),
                ),
                &["a1"],
            ),
        ),
    );
    assert_snapshot!("team_read_only_warning", render(&s, 120, 24));
}

#[test]
fn the_walkthrough_says_who_else_is_on_the_item() {
    let mut s = shared("default");
    press(&mut s, KeyCode::Char('w'));
    let open = s.presence_open();
    assert!(open.key.starts_with("item:"), "{open:?}");
    update(&mut s, Msg::Presence(0, peers(Some(open))));
    assert_snapshot!("team_walkthrough_same_item", render(&s, 120, 24));
}

#[test]
fn an_engineer_the_others_cannot_see_is_told_once() {
    let mut s = shared("default");
    let refused = PresenceStatus {
        error: Some(
            "leases.coordination.k8s.io \"ops-tui-presence-payments-api-prod-vic\" is forbidden: User \"viewer\" cannot create resource \"leases\"".into(),
        ),
        ..peers(None)
    };
    update(&mut s, Msg::Presence(0, refused.clone()));
    update(&mut s, Msg::Presence(0, refused));
    let told: Vec<&String> = s
        .warnings
        .iter()
        .filter(|w| w.starts_with("presence: the others on this environment cannot see you"))
        .collect();
    assert_eq!(told.len(), 1, "{:?}", s.warnings);
    // The others are still shown.
    assert_eq!(s.team.peers.len(), 2);
}
