//! The team, where the journal is shared through the cluster: whether
//! this instance's entries reach the others (and which are still only on
//! this machine), who else is on the environment, and what this engineer
//! has open for them to see.

use std::collections::HashSet;

use super::AppState;
use super::checklist::ChecklistRow;
use crate::kube::presence::{Open, Peer, PresenceStatus};
use crate::kube::share::{ShareState, ShareStatus};

#[derive(Debug, Clone, Default)]
pub struct Team {
    /// The replica's last word; None: the journal is not shared.
    pub share: Option<ShareStatus>,
    /// The ids of the entries only on this machine (the Timeline marks
    /// them).
    pub local_only: HashSet<String>,
    pub peers: Vec<Peer>,
    /// Why presence is not known, or this instance's Lease not kept.
    pub presence_error: Option<String>,
    /// Since when (seconds) the team's copy has been awaited, and when
    /// it was first read: what the dashboard journals on its own waits
    /// for the others' entries, so that two dashboards opened together
    /// do not both record the same verification.
    pub waiting_since: i64,
    pub settled_at: Option<i64>,
}

/// How long after the team's copy is read (or, with no answer, after
/// the start) the dashboard journals on its own.
const SETTLE_SECS: i64 = 2;
const GIVE_UP_SECS: i64 = 15;

impl Team {
    /// A short word on the sharing, for the header, and whether it is
    /// trouble: None when the journal is not shared.
    pub fn badge(&self, compact: bool) -> Option<(String, bool)> {
        let s = self.share.as_ref()?;
        let pending = |n: usize| {
            if compact {
                format!(" {n} LOCAL ")
            } else {
                format!(" JOURNAL: {n} LOCAL ONLY ")
            }
        };
        Some(match &s.state {
            ShareState::Starting => (
                if compact {
                    " JRNL… "
                } else {
                    " JOURNAL: READING "
                }
                .into(),
                false,
            ),
            ShareState::Shared if s.pending > 0 => (pending(s.pending), false),
            ShareState::Shared => (
                if compact {
                    " SHARED "
                } else {
                    " JOURNAL: SHARED "
                }
                .into(),
                false,
            ),
            ShareState::ReadOnly(_) | ShareState::Offline(_) if s.pending > 0 => {
                (pending(s.pending), true)
            }
            ShareState::ReadOnly(_) => (
                if compact {
                    " READ-ONLY "
                } else {
                    " JOURNAL: READ ONLY "
                }
                .into(),
                true,
            ),
            ShareState::Offline(_) => (
                if compact {
                    " OFFLINE "
                } else {
                    " JOURNAL: OFFLINE "
                }
                .into(),
                true,
            ),
            ShareState::Local(_) => (
                if compact {
                    " LOCAL "
                } else {
                    " JOURNAL: LOCAL "
                }
                .into(),
                true,
            ),
        })
    }

    /// The others on the environment, for the header: "bob (since 10:42,
    /// on Smoke tests pass), cid".
    pub fn others(&self) -> Option<String> {
        if self.peers.is_empty() {
            return None;
        }
        Some(
            self.peers
                .iter()
                .map(|p| {
                    let since = p.since.get(11..16).unwrap_or(&p.since);
                    match &p.open {
                        Some(o) if !o.text.is_empty() => {
                            format!("{} (since {since}, on {})", p.user, o.text)
                        }
                        _ => format!("{} (since {since})", p.user),
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
        )
    }

    /// The others who have `key` open.
    pub fn on(&self, key: &str) -> Vec<&Peer> {
        self.peers
            .iter()
            .filter(|p| p.open.as_ref().is_some_and(|o| o.key == key))
            .collect()
    }
}

/// What a change of the sharing's state says once, as a warning or a
/// notice: None when nothing worth saying changed.
fn said(before: Option<&ShareState>, after: &ShareStatus) -> Option<(String, bool)> {
    let kind = |s: &ShareState| std::mem::discriminant(s);
    if before.is_some_and(|b| kind(b) == kind(&after.state)) {
        return None;
    }
    let ns = &after.namespace;
    match &after.state {
        ShareState::ReadOnly(why) => Some((
            format!(
                "shared journal: you may read the team's entries in {ns} but not write them, so yours stay on this machine ({why})"
            ),
            true,
        )),
        ShareState::Local(why) => Some((
            format!(
                "shared journal: the cluster refuses its ConfigMaps in {ns}, so the journal is local to this machine ({why})"
            ),
            true,
        )),
        ShareState::Offline(why) => Some((
            format!(
                "shared journal: the cluster cannot be reached; entries are kept here and sent when it is back ({why})"
            ),
            false,
        )),
        ShareState::Shared if before.is_some_and(|b| *b != ShareState::Starting) => Some((
            format!("shared journal: in step with the team again (ConfigMaps in {ns})"),
            false,
        )),
        _ => None,
    }
}

impl AppState {
    /// Whether the dashboard may journal on its own: its journal is read,
    /// and where it is shared, the team's entries are in it.
    pub fn auto_ready(&self) -> bool {
        if !self.auto.ready {
            return false;
        }
        if self.target.share.is_none() {
            return true;
        }
        match self.team.settled_at {
            Some(at) => self.now >= at + SETTLE_SECS,
            None => self.now >= self.team.waiting_since + GIVE_UP_SECS,
        }
    }

    pub(super) fn share_changed(&mut self, status: ShareStatus) {
        if status.state != ShareState::Starting && self.team.settled_at.is_none() {
            self.team.settled_at = Some(self.now);
        }
        let before = self.team.share.as_ref().map(|s| s.state.clone());
        if let Some((text, warning)) = said(before.as_ref(), &status) {
            if warning {
                if !self.warnings.contains(&text) {
                    self.warnings.push(text);
                }
            } else {
                self.notice = Some(text);
            }
        }
        self.team.local_only = status.local_only.iter().cloned().collect();
        self.team.share = Some(status);
    }

    pub(super) fn presence_changed(&mut self, status: PresenceStatus) {
        // Said once: the others cannot see this engineer (RBAC on Leases).
        if let Some(why) = &status.error
            && self.team.presence_error.is_none()
            && why.contains("forbidden")
        {
            let text = format!("presence: the others on this environment cannot see you ({why})");
            if !self.warnings.contains(&text) {
                self.warnings.push(text);
            }
        }
        self.team.peers = status.peers;
        self.team.presence_error = status.error;
    }

    /// What this engineer has open, for the others: the walkthrough's
    /// item, else the open workload, else the workload picked in the
    /// Rollouts pane.
    pub fn presence_open(&self) -> Open {
        if self.walkthrough().is_some()
            && let Some(ChecklistRow::Item { id, text, .. }) = self
                .selected_row(super::Pane::Checklist)
                .and_then(|i| self.checklist.get(i))
        {
            return Open {
                key: format!("item:{id}"),
                text: text.clone(),
            };
        }
        let workload = self
            .workload()
            .map(|w| format!("{}/{}", w.kind.resource(), w.name))
            .or_else(|| {
                self.picked
                    .as_ref()
                    .map(|p| format!("{}/{}", p.kind.resource(), p.name))
            });
        match workload {
            Some(w) => Open {
                key: format!("workload:{w}"),
                text: w,
            },
            None => Open::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: ShareState, pending: usize) -> ShareStatus {
        ShareStatus {
            namespace: "shop".into(),
            state,
            pending,
            local_only: (0..pending).map(|i| format!("id{i}")).collect(),
            entries: 3,
            segments: 1,
        }
    }

    #[test]
    fn each_change_of_the_sharing_is_said_once_and_plainly() {
        let viewer = status(ShareState::ReadOnly("configmaps is forbidden".into()), 1);
        let (text, warning) = said(Some(&ShareState::Starting), &viewer).unwrap();
        assert!(warning);
        assert!(text.contains("yours stay on this machine"), "{text}");
        assert!(text.contains("configmaps is forbidden"), "{text}");
        assert_eq!(said(Some(&viewer.state), &viewer), None);
        let (text, warning) = said(
            Some(&ShareState::Shared),
            &status(ShareState::Offline("connection refused".into()), 2),
        )
        .unwrap();
        assert!(!warning);
        assert!(text.contains("sent when it is back"), "{text}");
        assert!(said(Some(&ShareState::Starting), &status(ShareState::Shared, 0)).is_none());
        assert!(
            said(
                Some(&ShareState::Offline("x".into())),
                &status(ShareState::Shared, 0)
            )
            .is_some()
        );
    }

    #[test]
    fn the_badge_counts_what_is_only_here() {
        let team = |s| Team {
            share: Some(s),
            ..Team::default()
        };
        assert_eq!(
            team(status(ShareState::Shared, 0)).badge(false),
            Some((" JOURNAL: SHARED ".into(), false))
        );
        assert_eq!(
            team(status(ShareState::Offline("x".into()), 4)).badge(false),
            Some((" JOURNAL: 4 LOCAL ONLY ".into(), true))
        );
        assert_eq!(
            team(status(ShareState::Local("x".into()), 0)).badge(true),
            Some((" LOCAL ".into(), true))
        );
        assert_eq!(Team::default().badge(false), None);
    }
}
