//! Checklist rows derived from the runbook's phases, and each item's state
//! folded from the journal: to do, done (who, when; overridden when its
//! check did not pass), skipped (with the reason). A recurring phase
//! (`every = "1d"`) starts a fresh run each period; earlier runs stay in
//! the journal.

use std::collections::HashMap;

use crate::journal::{Entry, Record};
use crate::runbook::Runbook;
use crate::runbook::check_ref::CheckRef;

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
        /// Its phase's id (explicit, else a slug of the phase's name).
        phase: String,
        text: String,
        check: Option<Check>,
        /// The period of its phase, when recurring (seconds).
        period: Option<u64>,
        /// The guide's text around it, when the runbook came from a guide.
        guide: Option<String>,
    },
}

/// An item's `check`: as written in the runbook, and what it names (parsed
/// when the runbook was loaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub text: String,
    pub names: CheckRef,
}

/// As written.
impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

pub fn rows(runbook: &Runbook) -> Vec<ChecklistRow> {
    let mut rows = Vec::new();
    for phase in runbook.phases() {
        let phase_id = phase.id();
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
                phase: phase_id.clone(),
                text: item.text.clone(),
                // A loaded runbook has each check parsed (`check_ref`).
                check: item
                    .check
                    .as_ref()
                    .zip(item.check_ref.clone())
                    .map(|(text, names)| Check {
                        text: text.get_ref().clone(),
                        names,
                    }),
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

/// A done item's check failed: when (RFC 3339) and why (the failing
/// checks with their values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regression {
    pub at: String,
    pub why: String,
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
        /// Verified by its check (`by` is whoever's dashboard saw it pass).
        verified: bool,
        /// Its check failed after it was done: when and why. Still done.
        regressed: Option<Regression>,
    },
    Skipped {
        by: String,
        at: String,
        reason: String,
    },
}

/// Gives each orphan left done to the most similar item of its phase that
/// has no state of its own: each orphan and each item at most once, the
/// most similar pairs first.
pub(super) fn adopt(
    states: &mut HashMap<String, ItemState>,
    orphans: HashMap<&str, (u64, ItemState, &str)>,
    rows: &[ChecklistRow],
) {
    let mut pairs: Vec<(f64, u64, usize, ItemState)> = Vec::new();
    for (orphan_id, (order, state, ticked_text)) in &orphans {
        if !matches!(state, ItemState::Done { .. }) {
            continue;
        }
        let Some((orphan_phase, _)) = orphan_id.split_once('/') else {
            continue;
        };
        for (row, r) in rows.iter().enumerate() {
            let ChecklistRow::Item {
                id, phase, text, ..
            } = r
            else {
                continue;
            };
            if phase != orphan_phase || states.contains_key(id) {
                continue;
            }
            let score = similarity(ticked_text, text);
            if score >= ADOPT_SIMILARITY {
                pairs.push((score, *order, row, state.clone()));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_orphans = std::collections::HashSet::new();
    for (_, order, row, state) in pairs {
        let Some(ChecklistRow::Item { id, .. }) = rows.get(row) else {
            continue;
        };
        if states.contains_key(id) || used_orphans.contains(&order) {
            continue;
        }
        used_orphans.insert(order);
        let adopted = match state {
            ItemState::Done {
                by,
                at,
                reason,
                verified,
                ..
            } => ItemState::Done {
                by,
                at,
                reason,
                stale: true,
                verified,
                regressed: None,
            },
            other => other,
        };
        states.insert(id.clone(), adopted);
    }
}

/// A note written on a checklist item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemNote {
    pub by: String,
    /// When it happened (its backdated time, else when written), RFC 3339.
    pub at: String,
    pub text: String,
}

impl ItemNote {
    /// The note a record writes on an item, and that item's id.
    pub fn of(r: &Record) -> Option<(&str, ItemNote)> {
        let Entry::Note {
            text,
            item: Some(item),
            happened_at,
            ..
        } = &r.entry
        else {
            return None;
        };
        let note = ItemNote {
            by: r.user.clone(),
            at: happened_at.clone().unwrap_or_else(|| r.at.clone()),
            text: text.clone(),
        };
        Some((item, note))
    }

    /// Puts `self` into `list` in the order notes happened; equal times
    /// in the journal's.
    pub fn insert_into(self, list: &mut Vec<ItemNote>) {
        let at = list.partition_point(|n| n.at <= self.at);
        list.insert(at, self);
    }
}

/// The notes on each item, by item id, in the order they happened.
pub fn notes(records: &[Record]) -> HashMap<String, Vec<ItemNote>> {
    let mut notes: HashMap<String, Vec<ItemNote>> = HashMap::new();
    for (item, note) in records.iter().filter_map(ItemNote::of) {
        note.insert_into(notes.entry(item.to_string()).or_default());
    }
    notes
}

/// How alike two texts must be for an item to adopt an orphaned tick.
pub const ADOPT_SIMILARITY: f64 = 0.5;

/// Jaccard similarity of the texts' sets of lowercase alphanumeric words.
pub fn similarity(a: &str, b: &str) -> f64 {
    fn words(s: &str) -> std::collections::HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fold::fold;

    fn rec(user: &str, at: &str, entry: Entry) -> Record {
        Record {
            entry_id: String::new(),
            at: at.into(),
            user: user.into(),
            kube_user: None,
            entry,
        }
    }

    fn item(id: &str, text: &str, period: Option<u64>) -> ChecklistRow {
        ChecklistRow::Item {
            id: id.into(),
            phase: id.split_once('/').map_or("", |(p, _)| p).into(),
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
                stale: false,
                verified: false,
                regressed: None,
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

    #[test]
    fn a_tick_whose_item_text_was_edited_is_adopted_as_stale() {
        // The slug id changed with the text: the old tick is an orphan.
        let rows = [
            item("post/error-rate-below-0-5", "Error rate below 0.5%", None),
            item("post/smoke-test-passed", "Smoke test passed", None),
            item("pre/error-rate-below-0-5", "Error rate below 0.5%", None),
        ];
        let records = [rec(
            "ann",
            "2026-11-23T06:00:00Z",
            tick("post/error-rate-below-1", "Error rate below 1%", None, None),
        )];
        let s = fold(&records, &rows, 0);
        assert_eq!(
            s.get("post/error-rate-below-0-5"),
            Some(&ItemState::Done {
                by: "ann".into(),
                at: "2026-11-23T06:00:00Z".into(),
                reason: None,
                stale: true,
                verified: false,
                regressed: None,
            }),
            "{s:?}"
        );
        assert!(!s.contains_key("post/smoke-test-passed"), "not similar");
        assert!(
            !s.contains_key("pre/error-rate-below-0-5"),
            "another phase never adopts"
        );
        assert!(!s.contains_key("post/error-rate-below-1"));
    }

    #[test]
    fn an_orphan_is_adopted_once_by_the_most_similar_item_without_a_state() {
        let rows = [
            item("p/a", "Error rate below one percent now", None),
            item("p/b", "Error rate below one percent", None),
            item("p/c", "Error rate below one percent today, checked", None),
        ];
        let records = [
            // p/b has a state of its own (unticked): it adopts nothing.
            rec(
                "bob",
                "t0",
                tick("p/b", "Error rate below one percent", None, None),
            ),
            rec(
                "bob",
                "t1",
                Entry::Untick {
                    item: "p/b".into(),
                    run: None,
                },
            ),
            rec(
                "ann",
                "t2",
                tick("p/old", "Error rate below one percent", None, None),
            ),
        ];
        let s = fold(&records, &rows, 0);
        assert_eq!(s["p/b"], ItemState::Open);
        assert!(
            matches!(s.get("p/a"), Some(ItemState::Done { stale: true, .. })),
            "the most similar item adopts: {s:?}"
        );
        assert!(!s.contains_key("p/c"), "one orphan, one adopter: {s:?}");
    }

    #[test]
    fn unticked_skipped_and_earlier_run_orphans_are_not_adopted() {
        let day = 86_400;
        let now = 1_763_856_000 + 60; // 2025-11-23
        let rows = [
            item("p/release-notes-reviewed", "Release notes reviewed", None),
            item(
                "d/error-budget-checked-today",
                "Error budget checked today",
                Some(day),
            ),
        ];
        let records = [
            rec(
                "ann",
                "t0",
                tick(
                    "p/notes-reviewed",
                    "Release notes were reviewed",
                    None,
                    None,
                ),
            ),
            rec(
                "ann",
                "t1",
                Entry::Untick {
                    item: "p/notes-reviewed".into(),
                    run: None,
                },
            ),
            rec(
                "ann",
                "t2",
                tick(
                    "d/error-budget-checked",
                    "Error budget checked",
                    Some("2025-11-22"),
                    None,
                ),
            ),
        ];
        assert!(fold(&records, &rows, now).is_empty());
        // Today's run of the recurring phase adopts.
        let today = [rec(
            "ann",
            "t3",
            tick(
                "d/error-budget-checked",
                "Error budget checked",
                Some("2025-11-23"),
                None,
            ),
        )];
        assert!(matches!(
            fold(&today, &rows, now).get("d/error-budget-checked-today"),
            Some(ItemState::Done { stale: true, .. })
        ));
    }

    #[test]
    fn similarity_is_jaccard_over_lowercase_words() {
        assert_eq!(
            similarity("Error rate below 1%", "error RATE below 0.5%"),
            0.5
        );
        assert_eq!(similarity("a b", "a b"), 1.0);
        assert_eq!(similarity("", "!!"), 0.0);
    }
}
