//! Checklist phases and items from the guide's lists.

use std::collections::HashSet;

use super::markdown::{Doc, Kind};
use super::text;
use crate::runbook::slug;

#[derive(Debug, Clone)]
pub struct Item {
    pub text: String,
    /// Set when the default id (phase and text) is taken.
    pub id: Option<String>,
    pub check: Option<String>,
    /// The guide's section that explains the item: its heading and
    /// commands, for the walkthrough.
    pub guide: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Phase {
    pub name: String,
    /// Set when the default id (a slug of the name) is taken.
    pub id: Option<String>,
    pub every: Option<&'static str>,
    pub items: Vec<Item>,
    /// The commands of the guide's section, for the walkthrough.
    pub guide: Option<String>,
}

/// Words that say little about what a section is about.
const COMMON: &[&str] = &[
    "with",
    "from",
    "that",
    "this",
    "have",
    "been",
    "into",
    "when",
    "each",
    "before",
    "after",
    "check",
    "checks",
    "verify",
    "verified",
    "ensure",
    "configured",
    "working",
    "properly",
    "correctly",
    "expected",
    "production",
    "deployment",
    "steps",
    "step",
    "guide",
    "checklist",
];

/// Telling words, cut to five letters so that "switched" meets "switch".
fn words(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 && !COMMON.contains(w))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

/// The section (other than the item's own) whose heading shares the most
/// telling words with the item (at least two, or all of a one-word
/// heading), as "## heading" and its commands; None when none has commands.
fn explaining_section(doc: &Doc, item: &str, own: Option<usize>) -> Option<String> {
    let item_words = words(item);
    let (index, _) = doc
        .headings
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != own)
        .filter_map(|(i, h)| {
            let heading = words(&h.text);
            let shared = heading.intersection(&item_words).count();
            let enough = shared >= 2 || (shared == 1 && heading.len() == 1);
            // Most shared words, then the heading most about them.
            enough.then_some((i, (shared, shared * 100 / heading.len().max(1))))
        })
        .max_by_key(|(i, score)| (*score, usize::MAX - i))?;
    let commands = guide_of(doc, Some(index))?;
    let heading = doc.headings.get(index).map(|h| text::clean(&h.text))?;
    Some(format!("## {heading}\n{commands}"))
}

/// Lines of guide text kept per phase.
const GUIDE_LINES: usize = 40;

/// The shell commands of a section's code blocks, at most `GUIDE_LINES`.
fn guide_of(doc: &Doc, heading: Option<usize>) -> Option<String> {
    let lines: Vec<&str> = doc
        .code
        .iter()
        .filter(|c| c.heading == heading && heading.is_some())
        .filter(|c| {
            matches!(
                c.lang.as_str(),
                "" | "bash" | "sh" | "shell" | "console" | "zsh"
            )
        })
        .flat_map(|c| c.text.lines())
        .filter(|l| !l.trim().is_empty())
        .take(GUIDE_LINES)
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Which lists the items came from.
pub fn source_kind(doc: &Doc) -> Option<Kind> {
    [Kind::Task, Kind::Status, Kind::Step]
        .into_iter()
        .find(|k| doc.entries.iter().any(|e| e.kind == *k))
}

/// A recurring phase's period, from words in its heading.
fn period(heading: &str) -> Option<&'static str> {
    let lower = heading.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
    let has = |w: &str| words.contains(&w);
    if has("hourly") {
        Some("1h")
    } else if has("daily") || (has("day") && has("every")) {
        Some("1d")
    } else if has("weekly") {
        Some("7d")
    } else {
        None
    }
}

/// The phases: one per heading with items of the chosen kind, in order.
pub fn build(doc: &Doc) -> Vec<Phase> {
    let Some(kind) = source_kind(doc) else {
        return Vec::new();
    };
    // Heading index (None: before any heading) → phase index.
    let mut order: Vec<Option<usize>> = Vec::new();
    let mut phases: Vec<Phase> = Vec::new();
    for entry in doc.entries.iter().filter(|e| e.kind == kind) {
        let at = match order.iter().position(|h| *h == entry.heading) {
            Some(at) => at,
            None => {
                order.push(entry.heading);
                let heading = entry.heading.and_then(|i| doc.headings.get(i));
                let name = heading
                    .map(|h| text::heading_name(&h.text))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "Checklist".to_string());
                phases.push(Phase {
                    name,
                    id: None,
                    every: heading.and_then(|h| period(&text::clean(&h.text))),
                    items: Vec::new(),
                    guide: guide_of(doc, entry.heading),
                });
                phases.len() - 1
            }
        };
        let mut cleaned = text::clean(&entry.text);
        if cleaned.is_empty() {
            cleaned = entry.text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        if cleaned.is_empty() {
            continue;
        }
        if let Some(phase) = phases.get_mut(at) {
            phase.items.push(Item {
                guide: explaining_section(doc, &cleaned, entry.heading),
                text: cleaned,
                id: None,
                check: None,
            });
        }
    }
    unique_names(doc, &order, &mut phases);
    unique_ids(&mut phases);
    phases
}

/// Phase names must differ: a repeated name gets its parent heading, then
/// a number.
fn unique_names(doc: &Doc, order: &[Option<usize>], phases: &mut [Phase]) {
    let mut seen: HashSet<String> = HashSet::new();
    for (phase, heading) in phases.iter_mut().zip(order) {
        if seen.contains(&phase.name) {
            let parent = heading
                .and_then(|i| doc.parent(i))
                .map(|p| text::heading_name(&p.text))
                .filter(|p| !p.is_empty() && *p != phase.name);
            if let Some(parent) = parent {
                phase.name = format!("{} ({parent})", phase.name);
            }
        }
        let stem = phase.name.clone();
        let mut n = 2;
        while seen.contains(&phase.name) {
            phase.name = format!("{stem} {n}");
            n += 1;
        }
        seen.insert(phase.name.clone());
    }
}

/// Phase and item ids must differ too (the loader's default ids are
/// slugs, which can collide where the texts do not). Every item gets an
/// explicit id, so that editing its text later does not change it.
fn unique_ids(phases: &mut [Phase]) {
    let mut phase_ids: HashSet<String> = HashSet::new();
    let mut item_ids: HashSet<String> = HashSet::new();
    for phase in phases.iter_mut() {
        let stem = slug(&phase.name);
        let mut id = stem.clone();
        let mut n = 2;
        while phase_ids.contains(&id) {
            id = format!("{stem}-{n}");
            n += 1;
        }
        if id != stem {
            phase.id = Some(id.clone());
        }
        phase_ids.insert(id.clone());
        for item in &mut phase.items {
            let default = format!("{id}/{}", slug(&item.text));
            let mut item_id = default.clone();
            let mut n = 2;
            while item_ids.contains(&item_id) {
                item_id = format!("{default}-{n}");
                n += 1;
            }
            // Always explicit: an edit of the text in the runbook keeps
            // the item's identity (and its ticks).
            item.id = Some(item_id.clone());
            item_ids.insert(item_id);
        }
    }
}
