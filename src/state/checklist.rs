//! Checklist rows derived from the runbook's phases.

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
    },
    Item {
        text: String,
        check: Option<String>,
    },
}

pub fn rows(runbook: &Runbook) -> Vec<ChecklistRow> {
    let mut rows = Vec::new();
    for phase in runbook.phases() {
        rows.push(ChecklistRow::Phase {
            name: phase.name.get_ref().clone(),
            total: phase.items.len(),
            auto: phase
                .items
                .iter()
                .filter(|i| i.get_ref().check.is_some())
                .count(),
            every: phase.every.map(|d| d.to_string()),
        });
        for item in &phase.items {
            let item = item.get_ref();
            rows.push(ChecklistRow::Item {
                text: item.text.clone(),
                check: item.check.as_ref().map(|c| c.get_ref().clone()),
            });
        }
    }
    rows
}
