//! A shared journal's copy in the cluster (DESIGN.md section 3): its
//! entries kept in ConfigMaps ("segments") in the environment's
//! namespace, as the same JSON Lines the local file holds, each entry
//! with its id. A segment is filled up to a size well under the API's
//! object limit (1 MiB), then the next one is started. What is here is
//! pure: names, labels, and what goes into a segment; the requests are
//! `kube::share`'s.

use std::collections::BTreeMap;

use super::Record;

/// The key of a segment's entries in its ConfigMap's `data`.
pub const DATA_KEY: &str = "entries.jsonl";

/// A segment holds at most this many bytes of entries (a quarter of the
/// API server's object limit).
pub const MAX_SEGMENT_BYTES: usize = 256 * 1024;

/// The labels every object ops-tui keeps in a cluster carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "ops-tui");
pub const COMPONENT: &str = "app.kubernetes.io/component";
pub const SERVICE_LABEL: &str = "ops-tui/service";
pub const ENV_LABEL: &str = "ops-tui/env";

/// What a shared journal's objects are named and labelled after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    pub service: String,
    pub env: String,
}

/// A label value: at most 63 characters of `[a-z0-9-]`, starting and
/// ending with an alphanumeric (a longer one keeps its start and a hash
/// of the whole, so two long names stay apart).
pub fn label_value(s: &str) -> String {
    let ascii: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let slug = crate::runbook::slug(&ascii);
    let slug = if slug.is_empty() {
        "default".to_string()
    } else {
        slug
    };
    if slug.len() <= 63 {
        return slug;
    }
    let hash = format!("{:08x}", super::fnv1a(slug.as_bytes()) as u32);
    let head: String = slug.chars().take(63 - 9).collect();
    format!("{}-{hash}", head.trim_end_matches('-'))
}

impl Shared {
    pub fn new(service: &str, env: &str) -> Shared {
        Shared {
            service: label_value(service),
            env: label_value(env),
        }
    }

    /// The labels of the service's and environment's objects of
    /// `component` (journal, presence).
    pub fn labels(&self, component: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string()),
            (COMPONENT.to_string(), component.to_string()),
            (SERVICE_LABEL.to_string(), self.service.clone()),
            (ENV_LABEL.to_string(), self.env.clone()),
        ])
    }

    /// The label selector that finds them.
    pub fn selector(&self, component: &str) -> String {
        self.labels(component)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The name of segment `n` (from 1), which sorts in segment order.
    pub fn segment_name(&self, n: u32) -> String {
        format!("ops-tui-journal-{}-{}-{n:05}", self.service, self.env)
    }

    /// The number of a segment of this journal, from its name.
    pub fn segment_number(&self, name: &str) -> Option<u32> {
        let prefix = format!("ops-tui-journal-{}-{}-", self.service, self.env);
        name.strip_prefix(&prefix)?.parse().ok().filter(|n| *n > 0)
    }
}

/// One entry as a segment holds it: the record with its id, on one line.
pub fn line(record: &Record) -> String {
    let record = record.clone().with_id();
    let mut line = serde_json::to_string(&record).unwrap_or_default();
    line.push('\n');
    line
}

/// The lines that fit after `existing` bytes, from the start of `lines`:
/// how many. A segment always takes at least one line when empty (an
/// entry larger than a segment still goes somewhere).
pub fn fitting(existing: usize, lines: &[String], max: usize) -> usize {
    let mut size = existing;
    let mut n = 0;
    for l in lines {
        if size + l.len() > max && !(existing == 0 && n == 0) {
            break;
        }
        size += l.len();
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Entry;

    fn note(text: &str) -> Record {
        Record::now(
            None,
            Entry::Note {
                text: text.into(),
                item: None,
                happened_at: None,
                starred: false,
            },
        )
    }

    #[test]
    fn names_and_labels_are_valid_kubernetes_names_and_find_their_own() {
        let s = Shared::new("Credlink API", "prod/eu");
        assert_eq!(
            s.segment_name(1),
            "ops-tui-journal-credlink-api-prod-eu-00001"
        );
        assert_eq!(s.segment_number(&s.segment_name(12)), Some(12));
        assert_eq!(
            s.segment_number("ops-tui-journal-credlink-api-prod-eu-x"),
            None
        );
        assert_eq!(
            s.segment_number("ops-tui-journal-other-prod-eu-00001"),
            None
        );
        assert_eq!(
            s.selector("journal"),
            "app.kubernetes.io/component=journal,app.kubernetes.io/managed-by=ops-tui,ops-tui/env=prod-eu,ops-tui/service=credlink-api"
        );
        let long = "a".repeat(100);
        let other = format!("{}b", "a".repeat(99));
        let (a, b) = (label_value(&long), label_value(&other));
        assert!(a.len() <= 63 && b.len() <= 63);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        assert_eq!(label_value("  "), "default");
    }

    #[test]
    fn a_line_keeps_the_entry_id_and_reads_back_as_the_record() {
        let r = note("db failover done");
        let l = line(&r);
        assert!(l.ends_with('\n'));
        let back: Record = serde_json::from_str(l.trim_end()).unwrap();
        assert_eq!(back, r);
        // A record from before ids gets its derived id written out.
        let mut old = r.clone();
        old.entry_id.clear();
        let back: Record = serde_json::from_str(line(&old).trim_end()).unwrap();
        assert_eq!(back.entry_id, old.id());
    }

    #[test]
    fn lines_fit_up_to_the_limit_and_an_empty_segment_takes_one_at_least() {
        let lines: Vec<String> = ["aaaa\n", "bbbb\n", "cccc\n"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(fitting(0, &lines, 10), 2);
        assert_eq!(fitting(6, &lines, 10), 0);
        assert_eq!(fitting(5, &lines, 10), 1);
        assert_eq!(fitting(0, &lines, 3), 1);
        assert_eq!(fitting(0, &[], 3), 0);
    }
}
