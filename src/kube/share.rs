//! The journal shared through the cluster (DESIGN.md section 3), where a
//! runbook turns it on: this instance's entries are copied from the
//! local file (the write-ahead log) into ConfigMap segments, and every
//! other instance's entries are copied from the segments into the local
//! file, where the dashboard's reader folds them like its own. Both
//! copies go by entry id, so replication is idempotent: an entry already
//! in the cluster is not appended again, one already in the file is not
//! imported again.
//!
//! Appends replace the last segment with a resourceVersion
//! precondition: a writer that lost the race (409 Conflict) reads the
//! segment again and retries, so concurrent writers never overwrite each
//! other's entries. A segment that is full is followed by the next.
//!
//! Refusals and outages lose nothing: what cannot be sent stays in the
//! local file and is sent, in order, when the cluster takes it.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::Duration;

use ::kube::Api;
use ::kube::api::{ListParams, ObjectMeta, PostParams};
use ::kube::runtime::watcher::{self, Event};
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;

use crate::journal::segments::{self, DATA_KEY, Shared};
use crate::journal::{Cursor, Journal, Record};

/// Each request's deadline.
const DEADLINE: Duration = Duration::from_secs(5);
/// Attempts of one round of appends (each conflict costs one).
const ATTEMPTS: u32 = 40;
/// A refused append is tried again after this long (RBAC may change).
const RETRY_REFUSED: Duration = Duration::from_secs(30);
/// Local-only entry ids the status lists (the Timeline marks them).
const LISTED: usize = 2_000;

/// Where the shared journal lives and what it is.
#[derive(Clone)]
pub struct ShareSetup {
    pub client: ::kube::Client,
    pub namespace: String,
    pub shared: Shared,
    /// The local journal (masked with every secret known).
    pub journal: Journal,
    /// A segment's size limit ([`segments::MAX_SEGMENT_BYTES`]).
    pub max_bytes: usize,
}

/// Whether this instance's entries reach the cluster, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareState {
    /// The cluster's copy is being read.
    Starting,
    /// Shared: everyone's entries here, this instance's there.
    Shared,
    /// RBAC lets it read the segments but not write them: everyone's
    /// entries are read, this instance's stay on this machine.
    ReadOnly(String),
    /// RBAC refuses the segments: the journal is local.
    Local(String),
    /// The cluster cannot be reached: entries wait on this machine.
    Offline(String),
}

/// What the dashboard shows of the sharing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareStatus {
    pub namespace: String,
    pub state: ShareState,
    /// This machine's entries not yet in the cluster.
    pub pending: usize,
    /// Their ids (at most `LISTED`, the oldest).
    pub local_only: Vec<String>,
    /// Entries in the cluster's copy, and in how many segments.
    pub entries: usize,
    pub segments: usize,
}

/// Why a request failed.
#[derive(Debug)]
enum Failure {
    Forbidden(String),
    Conflict,
    Gone,
    Unreachable(String),
}

fn failure(e: ::kube::Error) -> Failure {
    match e {
        ::kube::Error::Api(s) if s.code == 403 => Failure::Forbidden(s.message),
        ::kube::Error::Api(s) if s.code == 409 => Failure::Conflict,
        ::kube::Error::Api(s) if s.code == 404 => Failure::Gone,
        other => Failure::Unreachable(other.to_string()),
    }
}

async fn timed<T>(
    f: impl std::future::Future<Output = Result<T, ::kube::Error>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(DEADLINE, f).await {
        Ok(r) => r.map_err(failure),
        Err(_) => Err(Failure::Unreachable(format!(
            "the API server did not answer within {} s",
            DEADLINE.as_secs()
        ))),
    }
}

/// A segment as last read.
#[derive(Debug, Clone)]
struct Segment {
    name: String,
    rv: String,
    text: String,
}

/// The hash an id is remembered by.
fn key(id: &str) -> u64 {
    crate::journal::fnv1a(id.as_bytes())
}

/// One shared journal's replica: what is known of both copies.
pub struct Replica {
    setup: ShareSetup,
    api: Api<ConfigMap>,
    /// Ids in the local file, and in the cluster's copy.
    local: HashSet<u64>,
    remote: HashSet<u64>,
    /// The segments by number, as last read.
    segments: BTreeMap<u32, Segment>,
    /// Where the local file has been read to.
    cursor: Cursor,
    /// Local entries not yet in the cluster, in the file's order: id and
    /// where its line starts in the file (read again when it is sent, so
    /// that a long history waiting to be sent is not held in memory).
    pending: VecDeque<(String, u64)>,
    state: ShareState,
}

impl Replica {
    pub fn new(setup: ShareSetup) -> Replica {
        let api = Api::namespaced(setup.client.clone(), &setup.namespace);
        Replica {
            setup,
            api,
            local: HashSet::new(),
            remote: HashSet::new(),
            segments: BTreeMap::new(),
            cursor: Cursor::new(),
            pending: VecDeque::new(),
            state: ShareState::Starting,
        }
    }

    pub fn status(&self) -> ShareStatus {
        ShareStatus {
            namespace: self.setup.namespace.clone(),
            state: self.state.clone(),
            pending: self.pending.len(),
            local_only: self
                .pending
                .iter()
                .take(LISTED)
                .map(|(id, _)| id.clone())
                .collect(),
            entries: self.remote.len(),
            segments: self.segments.len(),
        }
    }

    /// Reads what was appended to the local file since the last call:
    /// each entry not in the cluster waits to be sent.
    fn read_local(&mut self) {
        let journal = self.setup.journal.clone();
        let (local, remote, pending) = (&mut self.local, &self.remote, &mut self.pending);
        let result = self.cursor.read_all(&journal, 10_000, |batch| {
            if batch.reset {
                // Replaced: its entries are read again, from its start.
                local.clear();
                pending.clear();
            }
            for (at, r) in batch.records {
                let id = r.id().into_owned();
                let k = key(&id);
                if local.insert(k) && !remote.contains(&k) {
                    pending.push_back((id, at));
                }
            }
        });
        if let Err(e) = result {
            tracing::warn!("shared journal: {e}");
        }
    }

    /// Takes in a segment as read: its entries that the local file does
    /// not hold are appended to it (under the journal's lock, so two
    /// instances sharing a data directory import each entry once).
    fn take_segment(&mut self, cm: &ConfigMap) -> Vec<String> {
        let mut warnings = Vec::new();
        let Some(name) = cm.metadata.name.clone() else {
            return warnings;
        };
        let Some(n) = self.setup.shared.segment_number(&name) else {
            return warnings;
        };
        let text = cm
            .data
            .as_ref()
            .and_then(|d| d.get(DATA_KEY))
            .cloned()
            .unwrap_or_default();
        let mut new = Vec::new();
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            match self.setup.journal.parse(l) {
                Ok(r) => {
                    let k = key(&r.id());
                    self.remote.insert(k);
                    if !self.local.contains(&k) {
                        new.push(r);
                    }
                }
                Err(e) => warnings.push(format!(
                    "shared journal: configmap {name}, line {}: {e}: skipped",
                    i + 1
                )),
            }
        }
        self.segments.insert(
            n,
            Segment {
                name,
                rv: cm.metadata.resource_version.clone().unwrap_or_default(),
                text,
            },
        );
        if !new.is_empty() {
            // What another instance on this machine imported meanwhile.
            self.read_local_locked(new, &mut warnings);
        }
        // Entries that reached the cluster some other way (an earlier
        // append whose answer was lost) are no longer pending.
        let remote = &self.remote;
        self.pending.retain(|(id, _)| !remote.contains(&key(id)));
        warnings
    }

    fn read_local_locked(&mut self, new: Vec<Record>, warnings: &mut Vec<String>) {
        let lock = self.setup.journal.lock();
        self.read_local();
        let missing: Vec<Record> = new
            .into_iter()
            .filter(|r| !self.local.contains(&key(&r.id())))
            .collect();
        match self.setup.journal.append_all(&missing) {
            Ok(()) => {
                for r in &missing {
                    self.local.insert(key(&r.id()));
                }
            }
            Err(e) => warnings.push(format!("shared journal: {e}")),
        }
        // Read past what was just appended (all of it known already).
        self.read_local();
        drop(lock);
    }

    /// Sends the pending entries: appended to the last segment, or to a
    /// new one when it is full. A conflict reads the segment again and
    /// retries; a refusal or an outage leaves them pending.
    async fn push(&mut self) -> Vec<String> {
        let mut warnings = Vec::new();
        for attempt in 0..ATTEMPTS {
            if self.pending.is_empty() {
                self.state = ShareState::Shared;
                return warnings;
            }
            let max = self.setup.max_bytes;
            let lines = match self.lines(max) {
                Ok(lines) => lines,
                Err(e) => {
                    warnings.push(format!("shared journal: {e}"));
                    return warnings;
                }
            };
            if lines.is_empty() {
                continue;
            }
            let last = self
                .segments
                .iter()
                .next_back()
                .map(|(n, s)| (*n, s.clone()));
            let result = match last {
                Some((n, seg)) => {
                    let fit = segments::fitting(seg.text.len(), &lines, max);
                    if fit == 0 {
                        self.create(n + 1, &lines, max).await
                    } else {
                        self.append(n, &seg, &lines[..fit]).await
                    }
                }
                None => self.create(1, &lines, max).await,
            };
            match result {
                // The segment as written holds the entries sent: taking
                // it in drops them from the pending.
                Ok(cm) => warnings.extend(self.take_segment(&cm)),
                Err((n, Failure::Conflict | Failure::Gone)) => {
                    // Another writer got there first: read what it wrote.
                    match timed(self.api.get_opt(&self.setup.shared.segment_name(n))).await {
                        Ok(Some(cm)) => warnings.extend(self.take_segment(&cm)),
                        Ok(None) => {
                            self.segments.remove(&n);
                        }
                        Err(f) => {
                            self.refused(f);
                            return warnings;
                        }
                    }
                    // Writers that collide keep apart.
                    let pause = fastrand::u64(0..=(5 * u64::from(attempt + 1)).min(100));
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                Err((_, f)) => {
                    self.refused(f);
                    return warnings;
                }
            }
        }
        warnings
    }

    /// The lines of the first pending entries, read again from the local
    /// file: as many as a segment holds, at most 1,000. An entry whose
    /// line no longer reads (the file was replaced) is dropped from the
    /// pending; the file's new contents are read as new.
    fn lines(&mut self, max: usize) -> Result<Vec<String>, crate::journal::JournalError> {
        let mut lines = Vec::new();
        let mut bytes = 0;
        let mut i = 0;
        while i < self.pending.len() && lines.len() < 1_000 && bytes <= max {
            let (id, at) = &self.pending[i];
            match self.setup.journal.record_at(*at)? {
                Some(r) if r.id() == id.as_str() => {
                    let line = segments::line(&r);
                    bytes += line.len();
                    lines.push(line);
                    i += 1;
                }
                _ => {
                    self.pending.remove(i);
                }
            }
        }
        Ok(lines)
    }

    fn refused(&mut self, f: Failure) {
        self.state = match f {
            Failure::Forbidden(m) => ShareState::ReadOnly(m),
            Failure::Unreachable(m) => ShareState::Offline(m),
            Failure::Conflict | Failure::Gone => ShareState::Offline(
                "the segments kept changing: the entries are sent again shortly".into(),
            ),
        };
    }

    /// Replaces segment `n` with its entries and `lines`, if nobody
    /// changed it since it was read.
    async fn append(
        &self,
        n: u32,
        seg: &Segment,
        lines: &[String],
    ) -> Result<ConfigMap, (u32, Failure)> {
        let mut text = seg.text.clone();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.extend(lines.iter().map(String::as_str));
        let cm = self.segment(&seg.name, Some(seg.rv.clone()), text);
        timed(self.api.replace(&seg.name, &PostParams::default(), &cm))
            .await
            .map_err(|f| (n, f))
    }

    /// Creates segment `n` with as many of `lines` as fit.
    async fn create(
        &self,
        n: u32,
        lines: &[String],
        max: usize,
    ) -> Result<ConfigMap, (u32, Failure)> {
        let fit = segments::fitting(0, lines, max);
        let name = self.setup.shared.segment_name(n);
        let cm = self.segment(&name, None, lines[..fit].concat());
        timed(self.api.create(&PostParams::default(), &cm))
            .await
            .map_err(|f| (n, f))
    }

    fn segment(&self, name: &str, rv: Option<String>, text: String) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(self.setup.namespace.clone()),
                labels: Some(self.setup.shared.labels("journal")),
                resource_version: rv,
                ..Default::default()
            },
            data: Some(BTreeMap::from([(DATA_KEY.to_string(), text)])),
            ..Default::default()
        }
    }

    /// Keeps both copies in step until dropped: the segments watched,
    /// the local file read whenever `wake` says it changed (and every
    /// second), each change reported through `report`. `imported` is
    /// told when entries were imported into the local file.
    pub async fn run(
        mut self,
        wake: std::sync::Arc<tokio::sync::Notify>,
        imported: impl Fn(),
        report: impl Fn(ShareStatus, Vec<String>) -> bool,
    ) {
        let journal = self.setup.journal.clone();
        // The local file first (off the loop: it may be long).
        let mut cursor = std::mem::take(&mut self.cursor);
        let mut local = std::mem::take(&mut self.local);
        let mut first = Vec::new();
        let read = tokio::task::spawn_blocking(move || {
            let _ = cursor.read_all(&journal, 10_000, |batch| {
                for (at, r) in batch.records {
                    if local.insert(key(&r.id())) {
                        first.push((r.id().into_owned(), at));
                    }
                }
            });
            (cursor, local, first)
        })
        .await;
        let Ok((cursor, local, first)) = read else {
            return;
        };
        self.cursor = cursor;
        self.local = local;
        self.pending = first.into();
        let config = watcher::Config::default().labels(&self.setup.shared.selector("journal"));
        let mut pause = Duration::from_millis(500);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut retry_at: Option<std::time::Instant> = None;
        loop {
            let mut stream = watcher::watcher(self.api.clone(), config.clone()).boxed();
            let mut listed = false;
            loop {
                let mut warnings = Vec::new();
                let mut failed = None;
                let mut ended = false;
                tokio::select! {
                    event = stream.next() => match event {
                        Some(Ok(Event::Apply(cm) | Event::InitApply(cm))) => {
                            let before = self.local.len();
                            warnings.extend(self.take_segment(&cm));
                            if self.local.len() != before {
                                imported();
                            }
                        }
                        Some(Ok(Event::InitDone)) => {
                            listed = true;
                            pause = Duration::from_millis(500);
                        }
                        Some(Ok(Event::Delete(cm))) => {
                            if let Some(n) = cm.metadata.name.as_deref()
                                .and_then(|n| self.setup.shared.segment_number(n)) {
                                self.segments.remove(&n);
                            }
                        }
                        Some(Ok(Event::Init)) => {}
                        Some(Err(e)) => failed = Some(e),
                        None => ended = true,
                    },
                    () = wake.notified() => {}
                    _ = tick.tick() => {}
                }
                if let Some(e) = failed {
                    self.state = match watch_failure(&e) {
                        Failure::Forbidden(m) => ShareState::Local(m),
                        Failure::Unreachable(m) => ShareState::Offline(m),
                        _ => ShareState::Offline(e.to_string()),
                    };
                    let _ = report(self.status(), warnings);
                    break;
                }
                if ended {
                    break;
                }
                self.read_local();
                // A refusal is asked again now and then, not every second.
                let due = match &self.state {
                    ShareState::ReadOnly(_) => {
                        retry_at.is_none_or(|t| std::time::Instant::now() >= t)
                    }
                    _ => true,
                };
                if listed && due {
                    warnings.extend(self.push().await);
                    retry_at = matches!(self.state, ShareState::ReadOnly(_))
                        .then(|| std::time::Instant::now() + RETRY_REFUSED);
                }
                if !report(self.status(), warnings) {
                    return;
                }
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(10));
            // Entries written meanwhile are still sent once back.
            self.read_local();
        }
    }
}

fn watch_failure(e: &watcher::Error) -> Failure {
    match e {
        watcher::Error::InitialListFailed(::kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(::kube::Error::Api(s))
        | watcher::Error::WatchFailed(::kube::Error::Api(s))
            if s.code == 403 =>
        {
            Failure::Forbidden(s.message.clone())
        }
        watcher::Error::WatchError(s) if s.code == 403 => Failure::Forbidden(s.message.clone()),
        other => Failure::Unreachable(other.to_string()),
    }
}

/// Every entry of the cluster's copy, in segment order: what `report`
/// reads on a machine that never ran the dashboard. Unreadable lines
/// become warnings.
pub async fn read_all(
    client: ::kube::Client,
    namespace: &str,
    shared: &Shared,
    journal: &Journal,
) -> Result<(Vec<Record>, Vec<String>), String> {
    let api: Api<ConfigMap> = Api::namespaced(client, namespace);
    let params = ListParams::default().labels(&shared.selector("journal"));
    let list = timed(api.list(&params)).await.map_err(|f| match f {
        Failure::Forbidden(m) | Failure::Unreachable(m) => m,
        other => format!("{other:?}"),
    })?;
    let mut segs: Vec<(u32, ConfigMap)> = list
        .items
        .into_iter()
        .filter_map(|cm| {
            let n = shared.segment_number(cm.metadata.name.as_deref()?)?;
            Some((n, cm))
        })
        .collect();
    segs.sort_by_key(|(n, _)| *n);
    let mut records = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = HashSet::new();
    for (_, cm) in segs {
        let name = cm.metadata.name.clone().unwrap_or_default();
        let text = cm
            .data
            .as_ref()
            .and_then(|d| d.get(DATA_KEY))
            .map(String::as_str)
            .unwrap_or("");
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            match journal.parse(l) {
                Ok(r) => {
                    if seen.insert(key(&r.id())) {
                        records.push(r);
                    }
                }
                Err(e) => warnings.push(format!("configmap {name}, line {}: {e}: skipped", i + 1)),
            }
        }
    }
    Ok((records, warnings))
}

/// Copies into the local journal the entries of the cluster's copy it
/// does not hold (what `report` does on a machine that never ran the
/// dashboard, or has not since): how many were copied, and warnings
/// about lines that could not be read.
pub async fn import_into(
    client: ::kube::Client,
    namespace: &str,
    shared: &Shared,
    journal: &Journal,
) -> Result<(usize, Vec<String>), String> {
    let (records, warnings) = read_all(client, namespace, shared, journal).await?;
    let journal = journal.clone();
    tokio::task::spawn_blocking(move || {
        let _lock = journal.lock();
        let mut local = HashSet::new();
        Cursor::new()
            .read_all(&journal, 10_000, |batch| {
                local.extend(batch.records.iter().map(|(_, r)| key(&r.id())));
            })
            .map_err(|e| e.to_string())?;
        let missing: Vec<Record> = records
            .into_iter()
            .filter(|r| !local.contains(&key(&r.id())))
            .collect();
        journal.append_all(&missing).map_err(|e| e.to_string())?;
        Ok((missing.len(), warnings))
    })
    .await
    .map_err(|e| e.to_string())?
}
