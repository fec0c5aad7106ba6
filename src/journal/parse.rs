//! Reading one journal line into a record, fast: every field of every kind
//! read in one flat pass (strings borrowed from the line where they hold
//! no escapes), then the record built for its kind. The derived
//! `Deserialize` of `Record` gives the same records, buffering every
//! field first (its entry is flattened and tagged): several times slower
//! on a long journal.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::Error as _;

use super::{Entry, EventKind, Evidence, Milestone, Record, Step};

#[derive(Deserialize)]
struct Flat<'a> {
    #[serde(borrow)]
    at: Cow<'a, str>,
    #[serde(borrow)]
    user: Cow<'a, str>,
    #[serde(borrow, default)]
    kube_user: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    entry_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    item: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    run: Option<Cow<'a, str>>,
    #[serde(default)]
    evidence: Option<Vec<Evidence>>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    happened_at: Option<Cow<'a, str>>,
    #[serde(default)]
    starred: Option<bool>,
    #[serde(default)]
    milestone: Option<Milestone>,
    #[serde(borrow, default)]
    check: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    key: Option<Cow<'a, str>>,
    #[serde(default)]
    on: Option<bool>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(default)]
    step: Option<Step>,
    #[serde(borrow, default)]
    summary: Option<Cow<'a, str>>,
    #[serde(default)]
    request: Option<serde_json::Value>,
    #[serde(default)]
    ok: Option<bool>,
    #[serde(borrow, default)]
    detail: Option<Cow<'a, str>>,
    #[serde(default)]
    event: Option<EventKind>,
    #[serde(borrow, default)]
    subject: Option<Cow<'a, str>>,
}

fn need<T>(value: Option<T>, field: &'static str) -> serde_json::Result<T> {
    value.ok_or_else(|| serde_json::Error::missing_field(field))
}

fn own(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

fn req(s: Option<Cow<'_, str>>, field: &'static str) -> serde_json::Result<String> {
    need(s, field).map(Cow::into_owned)
}

/// The record on one journal line.
pub fn record(line: &str) -> serde_json::Result<Record> {
    let f: Flat<'_> = serde_json::from_str(line)?;
    if let Err(e) = f.at.parse::<jiff::Timestamp>() {
        return Err(serde_json::Error::custom(format!(
            "\"at\" is not an RFC 3339 timestamp: \"{}\" ({e})",
            f.at
        )));
    }
    let entry = match f.kind.as_ref() {
        "tick" => Entry::Tick {
            item: req(f.item, "item")?,
            text: req(f.text, "text")?,
            run: own(f.run),
            evidence: f.evidence.unwrap_or_default(),
            reason: own(f.reason),
        },
        "verify" => Entry::Verify {
            item: req(f.item, "item")?,
            text: req(f.text, "text")?,
            run: own(f.run),
            evidence: f.evidence.unwrap_or_default(),
        },
        "regress" => Entry::Regress {
            item: req(f.item, "item")?,
            text: req(f.text, "text")?,
            run: own(f.run),
            evidence: f.evidence.unwrap_or_default(),
        },
        "untick" => Entry::Untick {
            item: req(f.item, "item")?,
            run: own(f.run),
        },
        "skip" => Entry::Skip {
            item: req(f.item, "item")?,
            text: req(f.text, "text")?,
            run: own(f.run),
            reason: req(f.reason, "reason")?,
        },
        "note" => Entry::Note {
            text: req(f.text, "text")?,
            item: own(f.item),
            happened_at: own(f.happened_at),
            starred: f.starred.unwrap_or(false),
        },
        "milestone" => Entry::Milestone {
            milestone: need(f.milestone, "milestone")?,
            happened_at: own(f.happened_at),
        },
        "check" => Entry::Check {
            check: req(f.check, "check")?,
            status: req(f.status, "status")?,
            text: req(f.text, "text")?,
        },
        "event" => Entry::Event {
            event: need(f.event, "event")?,
            subject: req(f.subject, "subject")?,
            status: req(f.status, "status")?,
            text: req(f.text, "text")?,
        },
        "star" => Entry::Star {
            key: req(f.key, "key")?,
            on: need(f.on, "on")?,
        },
        "action" => Entry::Action {
            id: req(f.id, "id")?,
            step: need(f.step, "step")?,
            summary: req(f.summary, "summary")?,
            request: f.request,
            ok: f.ok,
            detail: own(f.detail),
        },
        other => {
            return Err(serde_json::Error::custom(format!("unknown kind `{other}`")));
        }
    };
    Ok(Record {
        at: f.at.into_owned(),
        user: f.user.into_owned(),
        kube_user: own(f.kube_user),
        entry_id: own(f.entry_id).unwrap_or_default(),
        entry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_as_the_derived_reader_does() {
        let lines = [
            r#"{"at":"2026-11-23T06:00:00Z","user":"ann","kube_user":"admin","kind":"tick","item":"a/b","text":"T \"q\" \u00e9","run":"2026-11-23","evidence":[{"kind":"probe","name":"h","status":"ok","value":"200","conditions":["x"]}],"reason":"why"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"untick","item":"a/b"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","entry_id":"19a-5f","kind":"untick","item":"a/b"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"skip","item":"a/b","text":"T","reason":"r","run":"x"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"note","text":"n","item":"a/b","happened_at":"h","starred":true}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"note","text":"n"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"milestone","milestone":"mitigated","happened_at":"h"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"check","check":"probe:h","status":"fail","text":"x"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"star","key":"k","on":false}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"verify","item":"a/b","text":"T","run":"r","evidence":[{"kind":"probe","name":"h","status":"ok","value":"200"}]}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"verify","item":"a/b","text":"T"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"regress","item":"a/b","text":"T","evidence":[{"kind":"signal","name":"e","status":"fail","value":"2%","detail":"> 1%"}]}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"event","event":"crash_loop","subject":"pod/p","status":"fail","text":"t"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"event","event":"alert","subject":"A{x=y}","status":"ok","text":"t"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"action","id":"a1","step":"read_back","summary":"s","request":{"kind":"Deployment","n":[1,2]},"ok":true,"detail":"d","extra":1}"#,
        ];
        for line in lines {
            let derived: Record = serde_json::from_str(line).unwrap();
            assert_eq!(record(line).unwrap(), derived, "{line}");
        }
        for bad in [
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"from_the_future","x":1}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"tick","item":"a/b"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"verify","text":"T"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"regress","item":"a/b"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"event","event":"alert","status":"ok","text":"t"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","user":"u","kind":"event","event":"quake","subject":"s","status":"ok","text":"t"}"#,
            r#"{"at":"2026-11-23T06:00:01Z","kind":"note","text":"n"}"#,
            r#"{"at":"2026-"#,
            r#"{"at":"not a date","user":"u","kind":"note","text":"n"}"#,
            r#"{"at":"2026-11-23 06:00","user":"u","kind":"note","text":"n"}"#,
        ] {
            assert!(serde_json::from_str::<Record>(bad).is_err(), "{bad}");
            assert!(record(bad).is_err(), "{bad}");
        }
    }
}
