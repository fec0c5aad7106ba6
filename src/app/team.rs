//! The team's side of the runtime, where the runbook shares the
//! environment's journal through the cluster: the replica of the journal
//! and this engineer's presence, started once the cluster is connected,
//! reporting to the loop as `Msg::Share` and `Msg::Presence`.

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::AbortOnDrop;
use super::journal_feed::Feed;
use crate::journal::Journal;
use crate::journal::segments::{MAX_SEGMENT_BYTES, Shared};
use crate::kube::presence::{Open, PresenceSetup};
use crate::kube::share::{Replica, ShareSetup};
use crate::runbook::select::Target;
use crate::secrets::Secrets;
use crate::state::Msg;

/// The team's tasks of one environment; dropping it stops them (the
/// presence Lease is left to lapse), [`Team::leave`] deletes the Lease.
pub struct Team {
    _share: AbortOnDrop,
    presence: Option<tokio::task::JoinHandle<()>>,
    open: Option<watch::Sender<Open>>,
}

impl Drop for Team {
    fn drop(&mut self) {
        if let Some(p) = &self.presence {
            p.abort();
        }
    }
}

/// How often the connection is looked for before the tasks start.
const WAIT: Duration = Duration::from_millis(200);

impl Team {
    /// Starts the team's tasks for `target` when its journal is shared;
    /// None otherwise. `feed` wakes the replica when the journal changed
    /// here, and is told when the replica appended others' entries.
    pub fn start(
        target: &Target,
        journal: Option<&Journal>,
        connection: crate::kube::watch::Shared,
        generation: u64,
        feed: &Feed,
        tx: mpsc::Sender<Msg>,
        secrets: Secrets,
    ) -> Option<Team> {
        let wake = feed.share_wake();
        let told = feed.clone();
        let imported = move || told.imported();
        let share = target.share.clone()?;
        let journal = journal?.clone();
        let service = target
            .service
            .clone()
            .unwrap_or_else(|| "no-runbook".into());
        let env = target.env.clone().unwrap_or_else(|| "default".into());
        let shared = Shared::new(&service, &env);
        let (open_tx, open_rx) = watch::channel(Open::default());
        let (presence_tx, presence_rx) = tokio::sync::oneshot::channel();
        let wanted_ns = share.namespace.clone().or_else(|| target.namespace.clone());
        let replica_tx = tx.clone();
        let task = tokio::spawn(async move {
            // The connection the watches made: its client, user and
            // namespace.
            let (client, _, context_ns) = loop {
                if let Some(c) = connection.lock().ok().and_then(|g| g.clone()) {
                    break c;
                }
                tokio::time::sleep(WAIT).await;
            };
            let namespace = wanted_ns.unwrap_or(context_ns);
            let _ = presence_tx.send(PresenceSetup {
                client: client.clone(),
                namespace: namespace.clone(),
                shared: shared.clone(),
                user: crate::journal::os_user(),
                secrets,
            });
            let setup = ShareSetup {
                client,
                namespace,
                shared,
                journal,
                max_bytes: MAX_SEGMENT_BYTES,
            };
            Replica::new(setup)
                .run(wake, imported, move |status, warnings| {
                    for w in warnings {
                        if replica_tx.try_send(Msg::Warning(w)).is_err() {
                            break;
                        }
                    }
                    // A full queue drops a status: the next one follows
                    // within a second.
                    !matches!(
                        replica_tx.try_send(Msg::Share(generation, status)),
                        Err(mpsc::error::TrySendError::Closed(_))
                    )
                })
                .await;
        });
        let presence = tokio::spawn(async move {
            let Ok(setup) = presence_rx.await else {
                return;
            };
            crate::kube::presence::run(setup, open_rx, move |status| {
                !matches!(
                    tx.try_send(Msg::Presence(generation, status)),
                    Err(mpsc::error::TrySendError::Closed(_))
                )
            })
            .await;
        });
        Some(Team {
            _share: AbortOnDrop(task),
            presence: Some(presence),
            open: Some(open_tx),
        })
    }

    /// What this engineer has open now, for the others to see.
    pub fn set_open(&self, open: Open) {
        if let Some(tx) = &self.open {
            tx.send_if_modified(|o| {
                let changed = *o != open;
                *o = open;
                changed
            });
        }
    }

    /// Leaves: the presence Lease is deleted (within a deadline).
    pub async fn leave(mut self) {
        self.open = None;
        if let Some(task) = self.presence.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}
