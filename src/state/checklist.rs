//! Checklist rows derived from the runbook's phases, and each item's state
//! folded from the journal: to do, done (who, when; overridden when its
//! check did not pass), skipped (with the reason). A recurring phase
//! (`every = "1d"`) starts a fresh run each period; earlier runs stay in
//! the journal.

use std::collections::HashMap;

use crate::journal::{Entry, Record};
use crate::runbook::Runbook;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChecklistRow {
    Phase {
        name: String,
        total: usize,
        /// Items that name a check and will verify themselves.
        auto: usize,
        /// The period of a recurring phase, e.g. "1day".
        every: Option<String>,
        /// Its length in seconds.
        period: Option<u64>,
    },
    Item {
        /// The stable id: explicit, else a slug of phase and text.
        id: String,
        text: String,
        check: Option<String>,
        /// The period of its phase, when recurring (seconds).
        period: Option<u64>,
        /// The guide's text around it, when the runbook came from a guide.
        guide: Option<String>,
    },
}

pub fn rows(runbook: &Runbook) -> Vec<ChecklistRow> {
    let mut rows = Vec::new();
    for phase in runbook.phases() {
        let period = phase.every.map(|d| d.0.as_secs()).filter(|s| *s > 0);
        rows.push(ChecklistRow::Phase {
            name: phase.name.get_ref().clone(),
            total: phase.items.len(),
            auto: phase
                .items
                .iter()
                .filter(|i| i.get_ref().check.is_some())
                .count(),
            every: phase.every.map(|d| d.to_string()),
            period,
        });
        for item in &phase.items {
            let item = item.get_ref();
            rows.push(ChecklistRow::Item {
                id: item.id(phase),
                text: item.text.clone(),
                check: item.check.as_ref().map(|c| c.get_ref().clone()),
                period,
                guide: item.guide.clone().or_else(|| phase.guide.clone()),
            });
        }
    }
    rows
}

/// The run of a recurring phase that `now` falls in: the start of its
/// period (UTC), e.g. "2026-11-23" for a daily phase. None when the phase
/// does not recur.
pub fn run_of(period: Option<u64>, now: i64) -> Option<String> {
    let p = i64::try_from(period?).ok().filter(|p| *p > 0)?;
    let start = now.div_euclid(p) * p;
    let t = jiff::Timestamp::from_second(start).ok()?;
    Some(if p % 86_400 == 0 {
        t.strftime("%Y-%m-%d").to_string()
    } else {
        t.strftime("%Y-%m-%d %H:%M").to_string()
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    Open,
    Done {
        by: String,
        at: String,
        /// Ticked although its check did not pass: the reason.
        reason: Option<String>,
        /// The item's text changed since it was ticked: verify it again.
        stale: bool,
    },
    Skipped {
        by: String,
        at: String,
        reason: String,
    },
}

/// Each item's state in its current run, folded over the journal in order.
pub fn fold(records: &[Record], rows: &[ChecklistRow], now: i64) -> HashMap<String, ItemState> {
    let items: HashMap<&str, (&str, Option<String>)> = rows
        .iter()
        .filter_map(|r| match r {
            ChecklistRow::Item {
                id, text, period, ..
            } => Some((id.as_str(), (text.as_str(), run_of(*period, now)))),
            ChecklistRow::Phase { .. } => None,
        })
        .collect();
    let mut states: HashMap<String, ItemState> = HashMap::new();
    for r in records {
        let (item, run) = match &r.entry {
            Entry::Tick { item, run, .. }
            | Entry::Untick { item, run }
            | Entry::Skip { item, run, .. } => (item, run),
            _ => continue,
        };
        let Some((current_text, current_run)) = items.get(item.as_str()) else {
            continue;
        };
        if run != current_run {
            continue;
        }
        let state = match &r.entry {
            Entry::Tick { text, reason, .. } => ItemState::Done {
                by: r.user.clone(),
                at: r.at.clone(),
                reason: reason.clone(),
                stale: text != current_text,
            },
            Entry::Skip { reason, .. } => ItemState::Skipped {
                by: r.user.clone(),
                at: r.at.clone(),
                reason: reason.clone(),
            },
            _ => ItemState::Open,
        };
        states.insert(item.clone(), state);
    }
    states
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(user: &str, at: &str, entry: Entry) -> Record {
        Record {
            at: at.into(),
            user: user.into(),
            kube_user: None,
            entry,
        }
    }

    fn item(id: &str, text: &str, period: Option<u64>) -> ChecklistRow {
        ChecklistRow::Item {
            id: id.into(),
            text: text.into(),
            check: None,
            period,
            guide: None,
        }
    }

    fn tick(item: &str, text: &str, run: Option<&str>, reason: Option<&str>) -> Entry {
        Entry::Tick {
            item: item.into(),
            text: text.into(),
            run: run.map(String::from),
            evidence: Vec::new(),
            reason: reason.map(String::from),
        }
    }

    #[test]
    fn ticks_unticks_skips_and_overrides_fold_in_order() {
        let rows = [
            item("a", "A", None),
            item("b", "B", None),
            item("c", "C", None),
        ];
        let records = [
            rec("ann", "2026-11-23T06:00:00Z", tick("a", "A", None, None)),
            rec(
                "bob",
                "2026-11-23T06:01:00Z",
                tick("b", "B", None, Some("flaky probe")),
            ),
            rec(
                "bob",
                "2026-11-23T06:02:00Z",
                Entry::Untick {
                    item: "a".into(),
                    run: None,
                },
            ),
            rec(
                "ann",
                "2026-11-23T06:03:00Z",
                Entry::Skip {
                    item: "c".into(),
                    text: "C".into(),
                    run: None,
                    reason: "not this release".into(),
                },
            ),
            rec(
                "ann",
                "2026-11-23T06:04:00Z",
                tick("gone", "Removed item", None, None),
            ),
        ];
        let s = fold(&records, &rows, 0);
        assert_eq!(s["a"], ItemState::Open);
        assert_eq!(
            s["b"],
            ItemState::Done {
                by: "bob".into(),
                at: "2026-11-23T06:01:00Z".into(),
                reason: Some("flaky probe".into()),
                stale: false
            }
        );
        assert!(
            matches!(&s["c"], ItemState::Skipped { reason, .. } if reason == "not this release")
        );
        assert!(
            !s.contains_key("gone"),
            "an item no longer in the runbook is ignored"
        );
    }

    #[test]
    fn a_changed_text_flags_the_tick_for_reverification() {
        let rows = [item("a", "Error rate below 0.5%", None)];
        let records = [rec(
            "ann",
            "t",
            tick("a", "Error rate below 1%", None, None),
        )];
        assert!(matches!(
            fold(&records, &rows, 0)["a"],
            ItemState::Done { stale: true, .. }
        ));
    }

    #[test]
    fn a_recurring_phase_starts_fresh_each_period() {
        let day = 86_400;
        let now = 1_763_856_000; // 2025-11-23T00:00:00Z
        assert_eq!(run_of(Some(day), now + 3600).as_deref(), Some("2025-11-23"));
        assert_eq!(run_of(None, now), None);
        let rows = [item("d", "Daily check", Some(day))];
        let records = [rec(
            "ann",
            "t",
            tick("d", "Daily check", Some("2025-11-23"), None),
        )];
        assert!(matches!(
            fold(&records, &rows, now + 60)["d"],
            ItemState::Done { .. }
        ));
        assert!(
            !fold(&records, &rows, now + 86_400 + 60).contains_key("d"),
            "yesterday's tick does not count today"
        );
    }
}
