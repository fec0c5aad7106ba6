//! The first read of a long journal, before its last lines: only what can
//! still count is parsed. Records are written compactly with `at`, `user`
//! and `kube_user` first, then `kind` (see `Record`), and a quote inside a
//! string is escaped, so a key found by its bytes (`"check":"`) is a key
//! and the first `"kind":"` is the record's. A line that does not read
//! this way is parsed as usual.
//!
//! Before the last lines:
//! - an action, or a note on the whole, folds into nothing but the
//!   Timeline, whose newest rows it cannot reach: passed over;
//! - of a check's statuses only the last counts: the last line is kept;
//! - of an item's ticks, verifications, unticks and skips in one run,
//!   only its first (its order among items), its last tick or
//!   verification (the text ticked), its last word, and a regression
//!   after that last word count: those lines are kept;
//! - of an event's subject (a rollout, a pod's crash loop, an alert, a
//!   fault), only its last status counts: the last line is kept;
//! - of the milestones, those before the last `resolved` or `detected`
//!   count for nothing: that one, the first after it and the last are
//!   kept.
//!
//! The kept lines are parsed, in the journal's order, when the last lines
//! begin. Everything else (notes on items, stars, unknown kinds, lines
//! that do not read) is parsed where it stands.

use std::collections::HashMap;

use memchr::memmem;

/// What to do with a line before the last lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Take {
    /// Passed over, or kept for later.
    Taken,
    /// Parsed now: it folds into nothing kept.
    Independent,
    /// Parsed now, after the lines kept so far (it may fold into what
    /// they decide).
    Ordered,
}

/// A line kept for later: where it starts, its line number, its bytes.
#[derive(Debug, Clone)]
pub(super) struct Held {
    pub offset: u64,
    pub line: usize,
    pub text: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
struct Kept {
    first: Option<Held>,
    tick: Option<Held>,
    last: Option<Held>,
    regress: Option<Held>,
}

/// The lines kept while skimming, by what they decide.
#[derive(Debug, Clone, Default)]
pub(super) struct Skim {
    /// Where each key's lines are in `slots`: one lookup a line.
    kept: HashMap<Vec<u8>, usize>,
    slots: Vec<Kept>,
    /// The key being looked up (its buffer reused).
    key: Vec<u8>,
}

/// Finders for the keys looked for, built once.
struct Keys {
    kind: memmem::Finder<'static>,
    check: memmem::Finder<'static>,
    item: memmem::Finder<'static>,
    run: memmem::Finder<'static>,
    milestone: memmem::Finder<'static>,
    event: memmem::Finder<'static>,
    subject: memmem::Finder<'static>,
}

static KEYS: std::sync::LazyLock<Keys> = std::sync::LazyLock::new(|| Keys {
    kind: memmem::Finder::new(b"\"kind\":\""),
    check: memmem::Finder::new(b"\"check\":\""),
    item: memmem::Finder::new(b"\"item\":\""),
    run: memmem::Finder::new(b"\"run\":\""),
    milestone: memmem::Finder::new(b"\"milestone\":\""),
    event: memmem::Finder::new(b"\"event\":\""),
    subject: memmem::Finder::new(b"\"subject\":\""),
});

/// The value of a string field found by `key` (`"name":"`, the first such
/// key on the line): None when absent; Err when it holds an escape (then
/// the line is parsed).
fn string_field<'a>(line: &'a [u8], key: &memmem::Finder<'_>) -> Result<Option<&'a [u8]>, ()> {
    let Some(at) = key.find(line) else {
        return Ok(None);
    };
    let rest = &line[at + key.needle().len()..];
    let end = memchr::memchr2(b'"', b'\\', rest).ok_or(())?;
    if rest[end] == b'\\' {
        return Err(());
    }
    Ok(Some(&rest[..end]))
}

/// `slot` holds `line` now (its buffer reused).
fn hold(slot: &mut Option<Held>, line: &[u8], offset: u64, number: usize) {
    match slot {
        Some(h) => {
            h.offset = offset;
            h.line = number;
            h.text.clear();
            h.text.extend_from_slice(line);
        }
        None => {
            *slot = Some(Held {
                offset,
                line: number,
                text: line.to_vec(),
            });
        }
    }
}

impl Skim {
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The kept lines under the key being built (added when new).
    fn slot(&mut self) -> &mut Kept {
        let at = match self.kept.get(self.key.as_slice()) {
            Some(&at) => at,
            None => {
                self.slots.push(Kept::default());
                self.kept.insert(self.key.clone(), self.slots.len() - 1);
                self.slots.len() - 1
            }
        };
        &mut self.slots[at]
    }

    /// Takes a line before the last lines: `Taken` when it is passed over
    /// or kept for later; otherwise it is to be parsed now, after the kept
    /// lines when it may fold into what they decide (`Ordered`).
    pub fn take(&mut self, line: &[u8], offset: u64, number: usize) -> Take {
        let keys = &*KEYS;
        let Some(at) = keys.kind.find(line) else {
            return Take::Ordered;
        };
        // A kind found after something nested may be a nested one (keys
        // written in another order): the line is parsed, in order.
        if memchr::memchr2(b'{', b'[', line.get(1..at).unwrap_or_default()).is_some() {
            return Take::Ordered;
        }
        let Ok(Some(kind)) = string_field(&line[at..], &keys.kind) else {
            return Take::Ordered;
        };
        match kind {
            // Notes on items and stars fold into nothing kept here.
            b"note" if keys.item.find(line).is_some() => Take::Independent,
            b"star" => Take::Independent,
            _ if self.keep(kind, line, offset, number) => Take::Taken,
            _ => Take::Ordered,
        }
    }

    /// Passes over or keeps a line of `kind`: false when it cannot.
    fn keep(&mut self, kind: &[u8], line: &[u8], offset: u64, number: usize) -> bool {
        let keys = &*KEYS;
        match kind {
            b"action" => true,
            b"note" => true,
            b"check" => {
                let Ok(Some(name)) = string_field(line, &keys.check) else {
                    return false;
                };
                self.key.clear();
                self.key.push(b'c');
                self.key.extend_from_slice(name);
                hold(&mut self.slot().last, line, offset, number);
                true
            }
            b"event" => {
                let (Ok(Some(event)), Ok(Some(subject))) = (
                    string_field(line, &keys.event),
                    string_field(line, &keys.subject),
                ) else {
                    return false;
                };
                self.key.clear();
                self.key.push(b'e');
                self.key.extend_from_slice(event);
                self.key.push(0);
                self.key.extend_from_slice(subject);
                hold(&mut self.slot().last, line, offset, number);
                true
            }
            b"tick" | b"verify" | b"untick" | b"skip" | b"regress" => {
                let (Ok(Some(item)), Ok(run)) = (
                    string_field(line, &keys.item),
                    string_field(line, &keys.run),
                ) else {
                    return false;
                };
                self.key.clear();
                self.key.push(b't');
                self.key.extend_from_slice(item);
                // A byte no JSON string holds unescaped separates the run.
                self.key.push(0);
                match run {
                    Some(run) => self.key.extend_from_slice(run),
                    None => self.key.push(0),
                }
                let kept = self.slot();
                if kind == b"regress" {
                    // It marks the last word, when that is a tick.
                    hold(&mut kept.regress, line, offset, number);
                    return true;
                }
                if kept.first.is_none() {
                    hold(&mut kept.first, line, offset, number);
                }
                if kind == b"tick" || kind == b"verify" {
                    hold(&mut kept.tick, line, offset, number);
                }
                hold(&mut kept.last, line, offset, number);
                kept.regress = None;
                true
            }
            b"milestone" => {
                let Ok(Some(milestone)) = string_field(line, &keys.milestone) else {
                    return false;
                };
                self.key.clear();
                self.key.push(b'm');
                match milestone {
                    // It closes the incident, whatever was read before
                    // (lines already parsed too): it is kept, as a detected
                    // one would be.
                    b"resolved" | b"detected" => {
                        let kept = self.slot();
                        kept.tick = None;
                        kept.last = None;
                        hold(&mut kept.first, line, offset, number);
                    }
                    // The first after it (when the incident was seen
                    // first, after a resolved one) and the last.
                    _ => {
                        let kept = self.slot();
                        if kept.first.is_none() {
                            hold(&mut kept.first, line, offset, number);
                        } else if kept.tick.is_none() {
                            hold(&mut kept.tick, line, offset, number);
                        } else {
                            hold(&mut kept.last, line, offset, number);
                        }
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// The kept lines in the journal's order (each once); the skim is
    /// emptied.
    pub fn drain(&mut self) -> Vec<Held> {
        self.kept.clear();
        let mut lines: Vec<Held> = std::mem::take(&mut self.slots)
            .into_iter()
            .flat_map(|k| [k.first, k.tick, k.last, k.regress])
            .flatten()
            .collect();
        lines.sort_by_key(|h| h.offset);
        lines.dedup_by_key(|h| h.offset);
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_by_key_and_an_escape_sends_the_line_to_the_parser() {
        let line =
            br#"{"at":"t","user":"a \"kind\":\"x","kind":"check","check":"probe:h","status":"ok"}"#;
        let k = &*KEYS;
        assert_eq!(string_field(line, &k.kind), Ok(Some(b"check".as_slice())));
        assert_eq!(
            string_field(line, &k.check),
            Ok(Some(b"probe:h".as_slice()))
        );
        assert_eq!(string_field(line, &k.run), Ok(None));
        let escaped = br#"{"kind":"check","check":"a\"b"}"#;
        assert_eq!(string_field(escaped, &k.check), Err(()));
    }

    #[test]
    fn only_the_lines_that_still_count_are_kept() {
        let mut s = Skim::default();
        let lines: [&[u8]; 9] = [
            br#"{"at":"t","user":"u","kind":"check","check":"probe:h","status":"ok","text":"1"}"#,
            br#"{"at":"t","user":"u","kind":"tick","item":"a/b","text":"T"}"#,
            br#"{"at":"t","user":"u","kind":"action","id":"1","step":"preview","summary":"s"}"#,
            br#"{"at":"t","user":"u","kind":"note","text":"whole"}"#,
            br#"{"at":"t","user":"u","kind":"untick","item":"a/b"}"#,
            br#"{"at":"t","user":"u","kind":"check","check":"probe:h","status":"fail","text":"2"}"#,
            br#"{"at":"t","user":"u","kind":"untick","item":"a/b"}"#,
            br#"{"at":"t","user":"u","kind":"note","text":"on","item":"a/b"}"#,
            br#"{"at":"t","user":"u","kind":"star","key":"k","on":true}"#,
        ];
        let taken: Vec<Take> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| s.take(l, i as u64 * 100, i + 1))
            .collect();
        use Take::*;
        assert_eq!(
            taken,
            [
                Taken,
                Taken,
                Taken,
                Taken,
                Taken,
                Taken,
                Taken,
                Independent,
                Independent
            ]
        );
        let kept: Vec<usize> = s.drain().iter().map(|h| h.line).collect();
        // The tick (first and last tick), the last untick, the last check.
        assert_eq!(kept, [2, 6, 7]);
        assert!(s.is_empty());
    }

    #[test]
    fn a_kind_after_something_nested_or_an_escaped_name_is_parsed_in_order() {
        let mut s = Skim::default();
        // Keys in sorted order: the first kind is the evidence's.
        let sorted = br#"{"at":"t","evidence":[{"kind":"probe","name":"h"}],"item":"a/b","kind":"tick","text":"T","user":"u"}"#;
        assert_eq!(s.take(sorted, 0, 1), Take::Ordered);
        let escaped =
            br#"{"at":"t","user":"u","kind":"check","check":"a\"b","status":"ok","text":"x"}"#;
        assert_eq!(s.take(escaped, 1, 2), Take::Ordered);
        let unknown = br#"{"at":"t","user":"u","kind":"from_the_future"}"#;
        assert_eq!(s.take(unknown, 2, 3), Take::Ordered);
    }

    #[test]
    fn milestones_before_the_last_resolved_count_for_nothing() {
        let m = |name: &str| {
            format!(r#"{{"at":"t","user":"u","kind":"milestone","milestone":"{name}"}}"#)
        };
        let mut s = Skim::default();
        for (i, name) in [
            "detected",
            "acknowledged",
            "resolved",
            "acknowledged",
            "detected",
            "acknowledged",
            "mitigated",
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(s.take(m(name).as_bytes(), i as u64, i + 1), Take::Taken);
        }
        let kept: Vec<usize> = s.drain().iter().map(|h| h.line).collect();
        // The last detected, the first milestone after it and the last.
        assert_eq!(kept, [5, 6, 7]);
        for (i, name) in ["detected", "resolved"].iter().enumerate() {
            s.take(m(name).as_bytes(), i as u64, i + 1);
        }
        let kept: Vec<usize> = s.drain().iter().map(|h| h.line).collect();
        assert_eq!(kept, [2], "the resolved line closes what was parsed before");
    }
}
