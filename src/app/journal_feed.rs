//! The journal as the dashboard reads it: incrementally, by one reader.
//! The first read (at start and after a switch) goes from the start of the
//! file, in batches; after that only what was appended since is read and
//! sent as `Msg::JournalMore`, once a second (another instance's appends)
//! and at once when this instance has appended.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};

use crate::journal::{Cursor, Journal, Record};
use crate::state::journal_view::TIMELINE_ROWS;
use crate::state::{AppState, Msg};

/// Records per message.
const BATCH: usize = 5_000;

/// Before its last this many lines, the journal's action records are
/// passed over unread: the Timeline shows only the newest rows, and
/// nothing else is folded from actions.
const SKIM_KEEP: usize = TIMELINE_ROWS * 4;

/// The journal messages waiting in the channel are kept to about this
/// many, so that a long journal is not queued whole.
const QUEUED: usize = 16;

/// The journal of the current environment, shared by the loop's effects.
pub type Slot = Arc<std::sync::Mutex<Option<Journal>>>;

/// Tells the reader that the journal changed.
#[derive(Clone, Default)]
pub struct Feed {
    notify: Arc<Notify>,
    reread: Arc<AtomicBool>,
    /// The shared journal's replica, told too.
    share: Arc<Notify>,
}

impl Feed {
    /// This instance appended: read what is new now (and send it to the
    /// cluster, where the journal is shared).
    pub fn changed(&self) {
        self.notify.notify_one();
        self.share.notify_one();
    }

    /// Entries from the team were appended: read them now.
    pub fn imported(&self) {
        self.notify.notify_one();
    }

    /// What wakes the shared journal's replica.
    pub fn share_wake(&self) -> Arc<Notify> {
        self.share.clone()
    }

    /// The journal was switched: read it from its start.
    pub fn reread(&self) {
        self.reread.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// Reads on from `cursor` until nothing more is waiting, handing each
/// message to `send` (false: stop). `fresh`: the first message replaces
/// what the state holds, even when empty; warnings are sent only then
/// (those of a first read), so a line being written is not a warning.
fn read(
    cursor: &mut Cursor,
    journal: &Journal,
    fresh: bool,
    mut send: impl FnMut(Msg) -> bool,
) -> Result<(), crate::journal::JournalError> {
    let mut first = fresh;
    let mut open = true;
    let result = cursor.read_all(journal, BATCH, |batch| {
        if !open {
            return;
        }
        let warn = first || batch.reset;
        let records: Vec<Record> = batch.records.into_iter().map(|(_, r)| r).collect();
        if warn {
            for w in batch.warnings {
                open = open && send(Msg::Warning(w));
            }
        }
        let msg = if first || batch.reset {
            Msg::Journal(records)
        } else if records.is_empty() {
            return;
        } else {
            Msg::JournalMore(records)
        };
        first = false;
        open = open && send(msg);
    });
    // A journal read from its start is folded whole: only now may the
    // dashboard decide what to journal on its own.
    if fresh && open && result.is_ok() {
        send(Msg::JournalRead);
    }
    result
}

/// The first read, at start, into the state itself (before the first
/// frame): records folded as they are read, what the screen shows derived
/// once at the end. The cursor then goes to `follow`.
pub fn first_read(state: &mut AppState, journal: &Journal) -> Cursor {
    let mut cursor = Cursor::new();
    if let Err(e) = cursor.skim_before_last(journal, SKIM_KEEP) {
        state.warnings.push(e.to_string());
    }
    let old = cursor.skimmed_until();
    state.journal = crate::state::journal_view::JournalView::default();
    let result = cursor.read_all(journal, BATCH, |batch| {
        state.warnings.extend(batch.warnings);
        if batch.reset {
            state.journal = crate::state::journal_view::JournalView::default();
        }
        for (at, r) in &batch.records {
            if *at < old {
                state.journal.add_old(r);
            } else {
                state.journal.add(r);
            }
        }
    });
    if let Err(e) = result {
        state.warnings.push(e.to_string());
    }
    state.journal_derive();
    cursor
}

/// Reads what is appended to the journal in `slot`, once a second and
/// whenever `feed` says so; reads a switched journal from its start.
pub fn follow(slot: Slot, cursor: Cursor, feed: Feed, tx: mpsc::Sender<Msg>) -> super::AbortOnDrop {
    super::AbortOnDrop(tokio::spawn(async move {
        let mut cursor = Some(cursor);
        let mut path = slot
            .lock()
            .ok()
            .and_then(|j| j.as_ref().map(|j| j.path.clone()));
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = feed.notify.notified() => {}
            }
            let Some(journal) = slot.lock().ok().and_then(|j| j.clone()) else {
                continue;
            };
            let fresh = feed.reread.swap(false, Ordering::SeqCst)
                || path.as_ref() != Some(&journal.path)
                || cursor.is_none();
            path = Some(journal.path.clone());
            let mut current = match cursor.take() {
                Some(c) if !fresh => c,
                _ => {
                    let mut c = Cursor::new();
                    let _ = c.skim_before_last(&journal, SKIM_KEEP);
                    c
                }
            };
            let tx = tx.clone();
            let done = tokio::task::spawn_blocking(move || {
                let mut open = true;
                let result = read(&mut current, &journal, fresh, |msg| {
                    // Queue little: the loop folds as fast as it can.
                    while tx.max_capacity() - tx.capacity() > QUEUED && !tx.is_closed() {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    open = tx.blocking_send(msg).is_ok();
                    open
                });
                if let Err(e) = result {
                    tracing::warn!("{e}");
                }
                (current, open)
            })
            .await;
            match done {
                Ok((c, true)) => cursor = Some(c),
                Ok((_, false)) => return,
                // The next read starts afresh.
                Err(_) => cursor = None,
            }
        }
    }))
}

/// Appends journal entries off the UI loop, one after another in the order
/// they were sent (each fsynced, then read back for the screen through
/// `feed`), so that entries made in quick succession keep their order.
pub fn writer(tx: mpsc::Sender<Msg>, feed: Feed) -> mpsc::UnboundedSender<(Journal, Record)> {
    let (writes, mut pending) = mpsc::unbounded_channel::<(Journal, Record)>();
    tokio::spawn(async move {
        while let Some((journal, record)) = pending.recv().await {
            let written = tokio::task::spawn_blocking(move || journal.append(&record)).await;
            let failed = match written {
                Ok(Ok(())) => {
                    feed.changed();
                    continue;
                }
                Ok(Err(e)) => format!("{e}: nothing was recorded"),
                Err(e) => format!("the journal writer failed ({e}): nothing was recorded"),
            };
            if tx.send(Msg::Notice(failed)).await.is_err() {
                return;
            }
        }
    });
    writes
}
