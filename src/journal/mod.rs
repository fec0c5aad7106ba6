//! The journal (DESIGN.md section 3): one append-only JSON Lines file per
//! service and environment. Each record is one line written with a single
//! `write` to a file opened with O_APPEND, then fsynced, before the screen
//! says it happened; two writers never interleave within a line. A torn last
//! line (a crash mid-write) is skipped with a warning, never a failure.
//! Every secret the journal is given is masked in what it writes and in
//! what it reads back (a journal written before a secret was known), and
//! every text it writes is printable (control characters escaped).

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::secrets::Secrets;

mod cursor;
mod parse;
pub mod segments;
mod skim;
pub use cursor::{Batch, Cursor};

/// One step of an action's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Preview,
    DryRun,
    Confirmed,
    Outcome,
    /// Sent, but no answer came within its deadline: the outcome is not
    /// known until the object is read back.
    Unanswered,
    /// The object read back after an unanswered request: `ok` says whether
    /// the change is in it.
    ReadBack,
    /// The Kubernetes Event an executed action leaves on its object could
    /// not be created (`detail` says why); the action itself stands.
    KubeEvent,
}

/// A check's verdict at the moment an item was ticked: the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// probe, signal, rollout, alerts.
    pub kind: String,
    pub name: String,
    /// ok, warn, fail, unknown.
    pub status: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A probe's every condition with its resolved value, e.g.
    /// "✓ [STATUS] == 200 ([STATUS] = 200)"; warn-tier ones say "warn:".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// What an `Entry::Event` is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Rollout,
    CrashLoop,
    Alert,
    Fault,
    /// A rollout followed (its baseline), a regression it caused and its
    /// clearing, its soak passed.
    Regression,
}

impl EventKind {
    pub fn word(self) -> &'static str {
        match self {
            EventKind::Rollout => "rollout",
            EventKind::CrashLoop => "crash loop",
            EventKind::Alert => "alert",
            EventKind::Fault => "fault",
            EventKind::Regression => "regression",
        }
    }
}

impl Evidence {
    /// One line for a failing check: "probe health: fail (HTTP 503)".
    pub fn line(&self) -> String {
        let detail = self
            .detail
            .as_ref()
            .filter(|d| **d != self.value)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        format!("{} {}: {}{detail}", self.kind, self.name, self.value)
    }
}

/// Why an item regressed: its failing checks with their values.
pub fn regress_why(evidence: &[Evidence]) -> String {
    let failing: Vec<String> = evidence
        .iter()
        .filter(|e| e.status == "fail")
        .map(Evidence::line)
        .collect();
    if failing.is_empty() {
        "its check failed".into()
    } else {
        failing.join("; ")
    }
}

/// Incident milestones, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    Detected,
    Acknowledged,
    Mitigated,
    Resolved,
}

impl Milestone {
    pub const ALL: [Milestone; 4] = [
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Mitigated,
        Milestone::Resolved,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Mitigated => "mitigated",
            Milestone::Resolved => "resolved",
        }
    }
}

/// What a record says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// A checklist item done. `reason` set: ticked although its check did
    /// not pass (an override).
    Tick {
        item: String,
        /// The item's text when it was ticked (a later change flags it).
        text: String,
        /// The run of a recurring phase (its period's start), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        evidence: Vec<Evidence>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A checklist item verified by its check: every check it names
    /// passed (`evidence`: their values at that moment). Written once, by
    /// the first dashboard that saw it pass; counts as done.
    Verify {
        item: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        evidence: Vec<Evidence>,
    },
    /// A done item (verified, or ticked while its check passed) whose
    /// check failed since: `evidence` holds the failing checks and their
    /// values. It stays done, shown regressed, until its check passes
    /// again (a `Verify`) or someone ticks, unticks or skips it.
    Regress {
        item: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        evidence: Vec<Evidence>,
    },
    /// A tick taken back.
    Untick {
        item: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
    },
    Skip {
        item: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        reason: String,
    },
    /// A free note, on an item or on the whole; `happened_at` when it was
    /// backdated.
    Note {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        happened_at: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        starred: bool,
    },
    Milestone {
        milestone: Milestone,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        happened_at: Option<String>,
    },
    /// A check whose state changed while a dashboard watched it: `check`
    /// as items name it (`probe:health`, `signal:error-rate`), `status` one
    /// of ok, warn, fail, unknown, `text` what the Timeline says.
    Check {
        check: String,
        status: String,
        text: String,
    },
    /// Something that happened to the service while a dashboard watched
    /// it, journaled once per occurrence: a rollout failed or recovered, a
    /// pod went into a crash loop, an alert started or stopped firing, a
    /// fault was injected in the demo. `subject` identifies what it is
    /// about (`deployment/api`, `pod/api-1-x`, an alert with its labels, a
    /// fault); `status` is fail (failed, crash loop, firing), ok
    /// (recovered, resolved) or info.
    Event {
        event: EventKind,
        subject: String,
        status: String,
        text: String,
    },
    /// Marks (or unmarks) another record for the report: `key` is that
    /// record's `Record::key`.
    Star { key: String, on: bool },
    Action {
        /// Ties the steps of one action together.
        id: String,
        step: Step,
        /// e.g. "scale deployment/api from 3 to 5".
        summary: String,
        /// The exact request: verb, path, body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ok: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
}

/// A journal line: when, who, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// RFC 3339, UTC. A line whose `at` is not a timestamp is not a record.
    #[serde(deserialize_with = "rfc3339")]
    pub at: String,
    /// The operating-system user.
    pub user: String,
    /// The kubeconfig user, when connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_user: Option<String>,
    /// The entry's own id, kept wherever the entry is copied (a shared
    /// journal's segments): what makes replication idempotent. Empty in
    /// records written before ids: [`Record::id`] derives one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entry_id: String,
    #[serde(flatten)]
    pub entry: Entry,
}

/// An RFC 3339 timestamp, kept as written.
fn rfc3339<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let at = String::deserialize(d)?;
    match at.parse::<jiff::Timestamp>() {
        Ok(_) => Ok(at),
        Err(e) => Err(serde::de::Error::custom(format!(
            "\"at\" is not an RFC 3339 timestamp: \"{at}\" ({e})"
        ))),
    }
}

impl Record {
    /// What identifies a record for a star: when and by whom.
    pub fn key(&self) -> String {
        format!("{}|{}", self.at, self.user)
    }

    pub fn now(kube_user: Option<String>, entry: Entry) -> Record {
        Record {
            at: jiff::Timestamp::now().to_string(),
            user: os_user(),
            kube_user,
            entry_id: new_entry_id(),
            entry,
        }
    }

    /// The entry's id: its own, else (a record written before ids) one
    /// derived from its content, the same wherever it is read.
    pub fn id(&self) -> std::borrow::Cow<'_, str> {
        if !self.entry_id.is_empty() {
            return std::borrow::Cow::Borrowed(&self.entry_id);
        }
        let line = serde_json::to_vec(self).unwrap_or_default();
        std::borrow::Cow::Owned(format!("h{:016x}", fnv1a(&line)))
    }

    /// The record with its id written out.
    pub fn with_id(mut self) -> Record {
        if self.entry_id.is_empty() {
            self.entry_id = self.id().into_owned();
        }
        self
    }

    /// When it was written, in nanoseconds (0 if `at` does not read,
    /// which a parsed record's never is).
    pub fn nanos(&self) -> i128 {
        self.at
            .parse::<jiff::Timestamp>()
            .map(|t| t.as_nanosecond())
            .unwrap_or(0)
    }
}

/// FNV-1a, 64 bits: a stable hash (the standard library's is not stable
/// across releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// An entry id unique across machines: the time in milliseconds and 64
/// random bits, in hex.
pub fn new_entry_id() -> String {
    format!(
        "{:x}-{:016x}",
        jiff::Timestamp::now().as_millisecond(),
        fastrand::u64(..)
    )
}

/// A short unique id: the time and a random part.
pub fn new_id() -> String {
    format!(
        "{:x}-{:04x}",
        jiff::Timestamp::now().as_millisecond(),
        fastrand::u16(..)
    )
}

/// The operating-system user, from the environment.
pub fn os_user() -> String {
    let from_env = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()));
    if let Some(user) = from_env {
        return user;
    }
    #[cfg(unix)]
    {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        passwd_name(uid).unwrap_or_else(|| format!("uid {uid}"))
    }
    #[cfg(not(unix))]
    {
        "unknown".into()
    }
}

/// The login name of `uid` in the password database (`/etc/passwd`, or
/// whatever NSS serves), when it has one.
#[cfg(unix)]
fn passwd_name(uid: libc::uid_t) -> Option<String> {
    let mut buf: Vec<libc::c_char> = vec![0; 1024];
    // Grows the buffer while the entry does not fit (bounded).
    for _ in 0..6 {
        // SAFETY: passwd is plain data; all-zero is a valid value.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is to a live local of the right size;
        // getpwuid_r writes within `buf.len()` bytes.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
        if rc == libc::ERANGE {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name points to a NUL-terminated string in
        // `buf`, which outlives this borrow.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return name
            .to_str()
            .ok()
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
    }
    None
}

/// The last journaled status of each check (`probe:NAME`, `signal:NAME`).
pub fn check_statuses(records: &[Record]) -> HashMap<String, String> {
    let mut last = HashMap::new();
    for r in records {
        if let Entry::Check { check, status, .. } = &r.entry {
            last.insert(check.clone(), status.clone());
        }
    }
    last
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot write the journal {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read the journal {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct Journal {
    pub path: PathBuf,
    /// Masked in every record written and read.
    secrets: Secrets,
}

/// What reading a journal found: the records, and warnings about lines
/// that could not be read (with their line numbers).
#[derive(Debug, Default)]
pub struct Contents {
    pub records: Vec<Record>,
    pub warnings: Vec<String>,
}

fn file_part(s: &str) -> String {
    let slug = crate::runbook::slug(s);
    if slug.is_empty() {
        "default".into()
    } else {
        slug
    }
}

impl Journal {
    /// The journal of a service's environment under `data_dir`.
    pub fn for_env(data_dir: &Path, service: &str, env: &str) -> Journal {
        Journal {
            path: data_dir
                .join("journals")
                .join(file_part(service))
                .join(format!("{}.jsonl", file_part(env))),
            secrets: Secrets::new(),
        }
    }

    /// The journal, masking `secrets` in every record written and read.
    pub fn with_secrets(mut self, secrets: Secrets) -> Journal {
        self.secrets = secrets;
        self
    }

    /// Appends a record and fsyncs it. Only after this returns Ok may the
    /// screen say it happened.
    pub fn append(&self, record: &Record) -> Result<(), JournalError> {
        self.append_all(std::slice::from_ref(record))
    }

    /// Appends records with one write and one fsync (several: entries
    /// copied from a shared journal's segments). Only after this returns
    /// Ok may the screen say they happened.
    pub fn append_all(&self, records: &[Record]) -> Result<(), JournalError> {
        if records.is_empty() {
            return Ok(());
        }
        let err = |source| JournalError::Write {
            path: self.path.display().to_string(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let json = |e| err(std::io::Error::other(e));
        let mut lines = Vec::new();
        for record in records {
            // Masked, and printable: a text a server sent (an alert's
            // summary, an error) holds no control character once written.
            let mut value = serde_json::to_value(record).map_err(json)?;
            self.secrets.mask_json(&mut value);
            crate::printable::printable_json(&mut value);
            // Written in the record's own field order (`at`, `user`,
            // `kube_user`, `entry_id`, `kind`, then the entry's), not the
            // sorted order of a JSON value: people read it, and a long
            // journal's first read finds a record's kind before anything
            // nested.
            let record: Record = serde_json::from_value(value).map_err(json)?;
            serde_json::to_writer(&mut lines, &record).map_err(json)?;
            lines.push(b'\n');
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&self.path)
            .map_err(err)?;
        // After a torn last line (a crash mid-write), start on a line of
        // our own, so these records are not glued to the fragment.
        if !ends_with_newline(&mut file).map_err(err)? {
            lines.insert(0, b'\n');
        }
        file.write_all(&lines).map_err(err)?;
        file.sync_data().map_err(err)?;
        Ok(())
    }

    /// The record on the line that starts at byte `offset` (as a
    /// [`Cursor`] reported it), masked; None when no record is there
    /// (the file was replaced, or the line is not one).
    pub fn record_at(&self, offset: u64) -> Result<Option<Record>, JournalError> {
        use std::io::{BufRead, Read, Seek, SeekFrom};
        let err = |source| JournalError::Read {
            path: self.path.display().to_string(),
            source,
        };
        let mut file = std::fs::File::open(&self.path).map_err(err)?;
        file.seek(SeekFrom::Start(offset)).map_err(err)?;
        let mut line = Vec::new();
        // A line longer than this is not a record the journal wrote.
        std::io::BufReader::new(file)
            .take(64 * 1024 * 1024)
            .read_until(b'\n', &mut line)
            .map_err(err)?;
        let Ok(text) = std::str::from_utf8(&line) else {
            return Ok(None);
        };
        Ok(self.parse(text.trim_end()).ok())
    }

    /// Holds the journal's lock (a `.lock` file beside it) until the
    /// guard is dropped: instances that import entries into one file
    /// take it, so each entry is imported once. None: no lock could be
    /// taken (the import goes on; the fold drops duplicates).
    pub fn lock(&self) -> Option<std::fs::File> {
        let path = self.path.with_extension("lock");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).ok()?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .ok()?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: the descriptor is open for the call's duration;
            // the lock goes with the file when it is closed.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc != 0 {
                return None;
            }
        }
        Some(file)
    }

    /// A record from one line of the journal, masked: in the text when
    /// that still reads, else in the value read (as `Secrets::from_json`).
    pub fn parse(&self, line: &str) -> serde_json::Result<Record> {
        match self.secrets.mask(line) {
            std::borrow::Cow::Borrowed(_) => parse::record(line),
            std::borrow::Cow::Owned(masked) => {
                parse::record(&masked).or_else(|_| self.secrets.from_json::<Record>(line))
            }
        }
    }

    /// Reads every record; unreadable lines become warnings. Holds the
    /// whole journal: the dashboard and `report` read with a `Cursor`.
    pub fn read(&self) -> Result<Contents, JournalError> {
        let mut contents = Contents::default();
        Cursor::new().read_all(self, usize::MAX, |batch| {
            contents
                .records
                .extend(batch.records.into_iter().map(|(_, r)| r));
            contents.warnings.extend(batch.warnings);
        })?;
        Ok(contents)
    }
}

/// Whether the file is empty or ends with a newline.
fn ends_with_newline(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
mod tests;
