//! What is done to checklist items: tick, skip, star, and the guided
//! walkthrough over them.

use super::*;

impl AppState {
    /// The selected checklist item: id, text, check, and its current run.
    pub(super) fn selected_item(
        &self,
    ) -> Option<(String, String, Option<checklist::Check>, Option<String>)> {
        if self.focus != Pane::Checklist {
            return None;
        }
        match self.checklist.get(self.selected_row(Pane::Checklist)?)? {
            ChecklistRow::Item {
                id,
                text,
                check,
                period,
                ..
            } => Some((
                id.clone(),
                text.clone(),
                check.clone(),
                checklist::run_of(*period, self.now),
            )),
            ChecklistRow::Phase { .. } => None,
        }
    }

    /// Stars (or unstars) the selected Timeline entry.
    pub(super) fn star(&mut self) {
        if self.focus != Pane::Timeline {
            self.notice = Some("star: select an entry in the Timeline pane first".into());
            return;
        }
        let Some(row) = self
            .timeline_rows()
            .nth(self.selected[Pane::Timeline.index()])
        else {
            return;
        };
        if let Some(key) = &row.key {
            let entry = crate::journal::Entry::Star {
                key: key.clone(),
                on: !row.starred,
            };
            self.effects
                .push(Effect::Act(actions::Request::Record(entry)));
        }
    }

    /// The walkthrough starts at the first item neither done nor skipped:
    /// where the team left off, on any machine sharing the journal. With a
    /// filter on the Checklist, it walks the items the pane shows.
    pub(super) fn start_walkthrough(&mut self) {
        let shown = self.visible(Pane::Checklist);
        let rows: Vec<&ChecklistRow> = shown
            .iter()
            .filter_map(|i| self.checklist.get(*i))
            .collect();
        let first_item = rows
            .iter()
            .position(|r| matches!(r, ChecklistRow::Item { .. }));
        let Some(first_item) = first_item else {
            self.notice = Some(match self.no_match(Pane::Checklist) {
                Some(why) => format!("walkthrough: {why}"),
                None => "walkthrough: the runbook has no checklist items".into(),
            });
            return;
        };
        let open = rows.iter().position(|r| match r {
            ChecklistRow::Item { id, .. } => !matches!(
                self.items.get(id),
                Some(
                    checklist::ItemState::Done { stale: false, .. }
                        | checklist::ItemState::Skipped { .. }
                )
            ),
            ChecklistRow::Phase { .. } => false,
        });
        self.focus = Pane::Checklist;
        let place = open.unwrap_or(first_item);
        self.selected[Pane::Checklist.index()] = place;
        self.row_picks[Pane::Checklist.index()] = shown.get(place).copied();
        self.screen = screen::Screen::Walkthrough { scroll: 0 };
        if open.is_none() {
            self.notice = Some("every item is done or skipped".into());
        }
    }

    /// How far the walkthrough's text may scroll: its rows at the
    /// terminal's width (rather more than fewer: the screen stops at the
    /// real end) less the rows in view.
    pub(super) fn walkthrough_len(&self) -> u16 {
        let Some(ChecklistRow::Item {
            id, check, guide, ..
        }) = self
            .selected_row(Pane::Checklist)
            .and_then(|i| self.checklist.get(i))
        else {
            return 0;
        };
        let width = usize::from(self.size.0.saturating_sub(2)).max(1);
        let rows = |text: &str| text.chars().count().div_ceil(width).max(1);
        // The item, its id, its state: with blank lines, and some wrapping.
        let mut total = 8;
        total += match (check, &self.runbook) {
            (Some(_), Some(rb)) => {
                2 * (rb.file.probes.len() + rb.file.signals.len() + rb.file.workloads.len()) + 2
            }
            _ => 2,
        };
        if let Some(notes) = self.item_notes.get(id) {
            total += 2 + notes
                .iter()
                .map(|n| rows(&format!("  2026-11-23 06:00 {} {}", n.by, n.text)))
                .sum::<usize>();
        }
        if let Some(guide) = guide {
            total += 2 + guide
                .lines()
                .map(|l| rows(&format!("  {l}")))
                .sum::<usize>();
        }
        // Header, footer and the two borders are not text.
        let in_view = usize::from(self.size.1.saturating_sub(4));
        u16::try_from(total.saturating_sub(in_view)).unwrap_or(u16::MAX)
    }

    /// Moves the walkthrough to the next (or previous) item the Checklist
    /// shows.
    pub(super) fn step_item(&mut self, direction: isize) {
        let shown = self.visible(Pane::Checklist);
        let mut i = self.selected[Pane::Checklist.index()] as isize;
        loop {
            i += direction;
            let row = usize::try_from(i).ok().and_then(|i| shown.get(i));
            match row.and_then(|r| self.checklist.get(*r)) {
                None => return,
                Some(ChecklistRow::Item { .. }) => {
                    self.selected[Pane::Checklist.index()] = i as usize;
                    self.row_picks[Pane::Checklist.index()] = row.copied();
                    if let screen::Screen::Walkthrough { scroll } = &mut self.screen {
                        *scroll = 0;
                    }
                    return;
                }
                Some(ChecklistRow::Phase { .. }) => {}
            }
        }
    }

    /// Ticks the selected item (with its check's evidence), or unticks it.
    /// A check that does not pass asks for the reason of the override. An
    /// item verified by its check is ticked by the person (a second
    /// `space` unticks it); a regressed one is unticked.
    pub(super) fn tick(&mut self) {
        let Some((item, text, check, run)) = self.selected_item() else {
            self.notice = Some("tick: select an item in the Checklist pane first".into());
            return;
        };
        // A done item is unticked; one verified by its check (and not
        // regressed) is ticked by the person, confirming it.
        if matches!(
            self.items.get(&item),
            Some(
                checklist::ItemState::Done {
                    stale: false,
                    verified: false,
                    ..
                } | checklist::ItemState::Done {
                    stale: false,
                    regressed: Some(_),
                    ..
                }
            )
        ) {
            self.effects.push(Effect::Act(actions::Request::Record(
                crate::journal::Entry::Untick { item, run },
            )));
            return;
        }
        let outcomes = check
            .map(|c| crate::checks::evaluate(&c.names, &self.sources(), &self.cluster.wanted))
            .unwrap_or_default();
        let evidence = self.evidence_of(&outcomes);
        let worst = crate::checks::worst(&outcomes);
        let passing = outcomes.is_empty()
            || matches!(
                worst,
                crate::status::Status::Ok | crate::status::Status::Warn
            );
        if passing {
            self.effects.push(Effect::Act(actions::Request::Record(
                crate::journal::Entry::Tick {
                    item,
                    text,
                    run,
                    evidence,
                    reason: None,
                },
            )));
            return;
        }
        let why = outcomes
            .iter()
            .find(|o| o.status == worst)
            .map(|o| {
                format!(
                    "{} {}: {}",
                    o.kind.word(),
                    o.name,
                    o.detail.clone().unwrap_or_else(|| o.value.clone())
                )
            })
            .unwrap_or_default();
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Override {
                item,
                text: text.clone(),
                run,
                evidence,
            },
            " Override a check ".into(),
            format!(
                "\"{text}\": its check does not pass ({why}). Ticking it anyway is an override, shown as such everywhere. Why?"
            ),
        ));
    }

    pub(super) fn skip_item(&mut self) {
        let Some((item, text, _, run)) = self.selected_item() else {
            self.notice = Some("skip: select an item in the Checklist pane first".into());
            return;
        };
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Skip {
                item,
                text: text.clone(),
                run,
            },
            " Skip an item ".into(),
            format!("Skip \"{text}\": why?"),
        ));
    }

    /// The open incident: when it was detected and its latest milestone
    /// (None once resolved, or before any).
    pub fn incident(&self) -> Option<(i64, crate::journal::Milestone)> {
        self.journal.incident(self.now)
    }
}
