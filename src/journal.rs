//! The journal (DESIGN.md section 3): one append-only JSON Lines file per
//! service and environment. Each record is one line written with a single
//! `write` to a file opened with O_APPEND, then fsynced, before the screen
//! says it happened; two writers never interleave within a line. A torn last
//! line (a crash mid-write) is skipped with a warning, never a failure.
//! Every secret the journal is given is masked in what it writes and in
//! what it reads back (a journal written before a secret was known).

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::secrets::Secrets;

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
            entry,
        }
    }
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
        format!("uid {}", unsafe { libc::getuid() })
    }
    #[cfg(not(unix))]
    {
        "unknown".into()
    }
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
        let err = |source| JournalError::Write {
            path: self.path.display().to_string(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut line = self
            .secrets
            .to_json(record)
            .map_err(|e| err(std::io::Error::other(e)))?;
        line.push(b'\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&self.path)
            .map_err(err)?;
        // After a torn last line (a crash mid-write), start on a line of
        // our own, so this record is not glued to the fragment.
        if !ends_with_newline(&mut file).map_err(err)? {
            line.insert(0, b'\n');
        }
        file.write_all(&line).map_err(err)?;
        file.sync_data().map_err(err)?;
        Ok(())
    }

    /// Reads every record; unreadable lines become warnings.
    pub fn read(&self) -> Result<Contents, JournalError> {
        let text = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
            Err(source) => {
                return Err(JournalError::Read {
                    path: self.path.display().to_string(),
                    source,
                });
            }
        };
        let complete = text.ends_with(b"\n");
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.split('\n').collect();
        let mut contents = Contents::default();
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match self.secrets.from_json::<Record>(line) {
                Ok(r) => contents.records.push(r),
                Err(_) if i == last && !complete => contents.warnings.push(format!(
                    "{}:{}: the last line is incomplete (a write was cut short) and is skipped",
                    self.path.display(),
                    i + 1
                )),
                Err(e2) => contents.warnings.push(format!(
                    "{}:{}: skipped an unreadable line: {e2}",
                    self.path.display(),
                    i + 1
                )),
            }
        }
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
mod tests {
    use super::*;

    #[test]
    fn an_append_after_a_torn_line_starts_on_its_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::for_env(dir.path(), "shop", "prod");
        j.append(&action(Step::Preview)).unwrap();
        let mut f = OpenOptions::new().append(true).open(&j.path).unwrap();
        f.write_all(b"{\"at\":\"2026-").unwrap();
        j.append(&action(Step::Outcome)).unwrap();
        let c = j.read().unwrap();
        assert_eq!(c.records.len(), 2, "the record after the fragment is kept");
        assert_eq!(
            c.warnings.len(),
            1,
            "the fragment is reported: {:?}",
            c.warnings
        );
    }

    #[test]
    fn every_kind_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::for_env(dir.path(), "shop", "prod");
        let entries = vec![
            Entry::Tick {
                item: "post/errors".into(),
                text: "Error rate below 1%".into(),
                run: Some("2026-11-23".into()),
                evidence: vec![Evidence {
                    kind: "signal".into(),
                    name: "error-rate".into(),
                    status: "fail".into(),
                    value: "2.1%".into(),
                    detail: Some("fail when > 1%".into()),
                    conditions: vec!["✗ [STATUS] == 200 ([STATUS] = 503)".into()],
                }],
                reason: Some("known spike from a load test".into()),
            },
            Entry::Untick {
                item: "post/errors".into(),
                run: None,
            },
            Entry::Skip {
                item: "pre/docs".into(),
                text: "Docs".into(),
                run: None,
                reason: "no user-facing change".into(),
            },
            Entry::Note {
                text: "paged by the CDN team".into(),
                item: None,
                happened_at: Some("2026-11-23T05:40:00Z".into()),
                starred: true,
            },
            Entry::Milestone {
                milestone: Milestone::Mitigated,
                happened_at: None,
            },
            Entry::Check {
                check: "probe:health".into(),
                status: "fail".into(),
                text: "probe health: failing (HTTP 503)".into(),
            },
            Entry::Star {
                key: "2026-11-23T06:00:00Z|ann".into(),
                on: true,
            },
        ];
        for e in &entries {
            j.append(&Record::now(None, e.clone())).unwrap();
        }
        let read: Vec<Entry> = j
            .read()
            .unwrap()
            .records
            .into_iter()
            .map(|r| r.entry)
            .collect();
        assert_eq!(read, entries);
    }

    fn action(step: Step) -> Record {
        Record::now(
            Some("admin".into()),
            Entry::Action {
                id: "a1".into(),
                step,
                summary: "scale deployment/api from 3 to 5".into(),
                request: None,
                ok: None,
                detail: None,
            },
        )
    }

    #[test]
    fn appends_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::for_env(dir.path(), "Shop API", "prod");
        assert!(j.path.ends_with("journals/shop-api/prod.jsonl"));
        j.append(&action(Step::Preview)).unwrap();
        j.append(&action(Step::Outcome)).unwrap();
        let c = j.read().unwrap();
        assert_eq!(c.records.len(), 2);
        assert!(c.warnings.is_empty());
        assert_eq!(
            c.records[1],
            action(Step::Outcome).clone_with_at(&c.records[1].at)
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::for_env(dir.path(), "shop", "prod");
        j.append(&action(Step::Preview)).unwrap();
        let mut f = OpenOptions::new().append(true).open(&j.path).unwrap();
        f.write_all(b"{\"at\":\"2026-").unwrap();
        let c = j.read().unwrap();
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.warnings.len(), 1);
        assert!(
            c.warnings[0].contains(":2: the last line is incomplete"),
            "{}",
            c.warnings[0]
        );
    }

    #[test]
    fn an_unwritable_directory_is_an_error_that_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("journals");
        std::fs::write(&blocker, "not a directory").unwrap();
        let j = Journal::for_env(dir.path(), "shop", "prod");
        let e = j.append(&action(Step::Confirmed)).unwrap_err().to_string();
        assert!(e.starts_with("cannot write the journal"), "{e}");
        assert!(e.contains("prod.jsonl"), "{e}");
    }

    impl Record {
        fn clone_with_at(&self, at: &str) -> Record {
            Record {
                at: at.to_string(),
                ..self.clone()
            }
        }
    }

    #[test]
    fn older_journals_read_and_a_newer_kind_is_a_warning_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::for_env(dir.path(), "shop", "prod");
        std::fs::create_dir_all(j.path.parent().unwrap()).unwrap();
        std::fs::write(
            &j.path,
            concat!(
                r#"{"at":"2026-11-23T06:00:00Z","user":"ann","kind":"note","text":"old"}"#,
                "\n",
                r#"{"at":"2026-11-23T06:01:00Z","user":"ann","kind":"from_the_future","x":1}"#,
                "\n",
                r#"{"at":"2026-11-23T06:02:00Z","user":"ann","kind":"check","check":"probe:health","status":"ok","text":"probe health: ok"}"#,
                "\n",
            ),
        )
        .unwrap();
        let c = j.read().unwrap();
        assert_eq!(c.records.len(), 2);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains(":2: skipped"), "{:?}", c.warnings);
        assert_eq!(
            check_statuses(&c.records)
                .get("probe:health")
                .map(String::as_str),
            Some("ok")
        );
    }
}
