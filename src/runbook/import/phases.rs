//! Checklist phases and items from the guide's lists.

use std::collections::{HashMap, HashSet};

use super::markdown::{Doc, Kind};
use super::text;
use crate::runbook::slug;

#[derive(Debug, Clone)]
pub struct Item {
    pub text: String,
    /// Set when the default id (phase and text) is taken.
    pub id: Option<String>,
    pub check: Option<String>,
    /// The words that bound it to its check, and what they matched.
    pub because: Option<String>,
    /// What the comment block says of its binding (a threshold taken from
    /// the item, a disagreement with the guide's alert rule).
    pub note: Option<String>,
    /// The guide's section that explains the item: its heading and
    /// commands, for the walkthrough.
    pub guide: Option<String>,
    /// The list item it comes from, as an index into `Doc::entries`.
    pub entry: usize,
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

/// What is known of the guide's sections, found once: each heading's
/// telling words, the headings each word appears in, and each section's
/// commands.
struct Sections<'d> {
    doc: &'d Doc,
    /// Telling words of each heading, by index.
    words: Vec<HashSet<String>>,
    /// For each word, the headings that have it, in order.
    index: HashMap<String, Vec<usize>>,
    /// Each heading's commands (see `guide_of`), computed when first asked.
    guides: HashMap<Option<usize>, Option<String>>,
    /// The code blocks under each heading, in order.
    code: HashMap<usize, Vec<usize>>,
}

impl<'d> Sections<'d> {
    fn new(doc: &'d Doc) -> Sections<'d> {
        let words: Vec<HashSet<String>> = doc.headings.iter().map(|h| words(&h.text)).collect();
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, set) in words.iter().enumerate() {
            for w in set {
                index.entry(w.clone()).or_default().push(i);
            }
        }
        let mut code: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, block) in doc.code.iter().enumerate() {
            if let Some(h) = block.heading {
                code.entry(h).or_default().push(i);
            }
        }
        Sections {
            doc,
            words,
            index,
            guides: HashMap::new(),
            code,
        }
    }

    /// The shell commands of a section's code blocks, at most `GUIDE_LINES`.
    fn guide_of(&mut self, heading: Option<usize>) -> Option<String> {
        let doc = self.doc;
        let code = &self.code;
        self.guides
            .entry(heading)
            .or_insert_with(|| {
                let blocks = heading.and_then(|h| code.get(&h))?;
                let lines: Vec<&str> = blocks
                    .iter()
                    .filter_map(|&i| doc.code.get(i))
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
            })
            .clone()
    }

    /// The section (other than the item's own) whose heading shares the
    /// most telling words with the item (at least two, or all of a
    /// one-word heading), as "## heading" and its commands; None when none
    /// has commands. Only the headings sharing a word are looked at.
    fn explaining(&mut self, item: &str, own: Option<usize>) -> Option<String> {
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for w in words(item) {
            let headings = self.index.get(&w).map_or(&[][..], Vec::as_slice);
            // A word in that many headings tells none of them apart (and
            // counting it for every item would cost items × headings).
            if headings.len() > MAX_SHARING {
                continue;
            }
            for &i in headings {
                *shared.entry(i).or_default() += 1;
            }
        }
        let (index, _) = shared
            .into_iter()
            .filter(|(i, _)| Some(*i) != own)
            .filter_map(|(i, shared)| {
                let len = self.words.get(i).map_or(0, HashSet::len);
                let enough = shared >= 2 || (shared == 1 && len == 1);
                // Most shared words, then the heading most about them.
                enough.then_some((i, (shared, shared * 100 / len.max(1))))
            })
            .max_by_key(|(i, score)| (*score, usize::MAX - i))?;
        let commands = self.guide_of(Some(index))?;
        let heading = self.doc.headings.get(index).map(|h| text::clean(&h.text))?;
        Some(format!("## {heading}\n{commands}"))
    }
}

/// Headings a word may appear in and still count as telling.
const MAX_SHARING: usize = 64;

/// Lines of guide text kept per phase.
const GUIDE_LINES: usize = 40;

/// Which lists the items came from.
pub fn source_kind(doc: &Doc) -> Option<Kind> {
    [Kind::Task, Kind::Status, Kind::Step]
        .into_iter()
        .find(|k| doc.entries.iter().any(|e| e.kind == *k))
}

/// Whether the guide has a checklist and numbered procedures in sections
/// without checklist items (which are then items too).
pub fn has_procedures(doc: &Doc) -> bool {
    !procedure_sections(doc).is_empty()
}

/// Words in a heading that say its numbered list is a procedure to walk.
const PROCEDURE_WORDS: &[&str] = &[
    "rollback",
    "roll back",
    "roll-back",
    "revert",
    "restore",
    "recover",
    "incident",
    "emergency",
    "verif",
    "validat",
    "smoke",
    "announce",
    "communicat",
    "comms",
    "cutover",
    "switch",
    "deploy",
    "rollout",
    "roll out",
    "release",
    "upgrade",
    "migrat",
    "procedure",
    "runbook",
    "go-live",
    "go live",
    "launch",
    "canary",
    "goes wrong",
    "fails",
    "failure",
    "abort",
];

/// First words that make a step an instruction.
const IMPERATIVE: &[&str] = &[
    "add",
    "announce",
    "apply",
    "assess",
    "contact",
    "detect",
    "document",
    "escalate",
    "follow",
    "identify",
    "increase",
    "investigate",
    "keep",
    "mitigate",
    "provision",
    "pull",
    "resolve",
    "review",
    "use",
    "ask",
    "back",
    "call",
    "cancel",
    "check",
    "clean",
    "close",
    "confirm",
    "cordon",
    "create",
    "delete",
    "deploy",
    "disable",
    "drain",
    "email",
    "enable",
    "ensure",
    "flip",
    "inform",
    "kill",
    "let",
    "log",
    "make",
    "merge",
    "monitor",
    "move",
    "notify",
    "open",
    "page",
    "pause",
    "ping",
    "post",
    "promote",
    "push",
    "put",
    "reapply",
    "remove",
    "rerun",
    "restart",
    "restore",
    "resume",
    "revert",
    "roll",
    "rollback",
    "run",
    "scale",
    "send",
    "set",
    "ship",
    "start",
    "stop",
    "switch",
    "tag",
    "take",
    "tell",
    "test",
    "tick",
    "update",
    "upgrade",
    "validate",
    "verify",
    "wait",
    "watch",
    "write",
];

/// The sections (by heading) whose numbered steps are items beside a
/// checklist: no checklist item of their own, no table of contents (steps
/// that are links), and a heading that speaks of a procedure or steps
/// that are mostly instructions.
fn procedure_sections(doc: &Doc) -> HashSet<Option<usize>> {
    let Some(kind @ (Kind::Task | Kind::Status)) = source_kind(doc) else {
        return HashSet::new();
    };
    let listed: HashSet<Option<usize>> = doc
        .entries
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.heading)
        .collect();
    let mut steps: HashMap<Option<usize>, Vec<&str>> = HashMap::new();
    for e in doc.entries.iter().filter(|e| e.kind == Kind::Step) {
        if !listed.contains(&e.heading) {
            steps.entry(e.heading).or_default().push(e.text.as_str());
        }
    }
    steps
        .into_iter()
        .filter(|(heading, texts)| {
            let links = texts
                .iter()
                .any(|t| t.trim_start().starts_with('[') && t.contains("]("));
            let heading = heading
                .and_then(|h| doc.headings.get(h))
                .map(|h| h.text.to_lowercase())
                .unwrap_or_default();
            let named = PROCEDURE_WORDS.iter().any(|w| heading.contains(w));
            let imperative = texts
                .iter()
                .filter(|t| {
                    let first = t
                        .split(|c: char| !c.is_alphanumeric())
                        .find(|w| !w.is_empty())
                        .unwrap_or("")
                        .to_lowercase();
                    IMPERATIVE.contains(&first.as_str())
                })
                .count();
            !links && (named || imperative * 10 >= texts.len() * 6)
        })
        .map(|(heading, _)| heading)
        .collect()
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
    let mut sections = Sections::new(doc);
    // Heading index (None: before any heading) of each phase, in order, and
    // the phase of each heading.
    let mut order: Vec<Option<usize>> = Vec::new();
    let mut phase_of: HashMap<Option<usize>, usize> = HashMap::new();
    let mut phases: Vec<Phase> = Vec::new();
    // With a checklist, the numbered procedures of sections without
    // checklist items (rollback, verification, announcements) are items
    // of their own phases too.
    let procedures = procedure_sections(doc);
    for (index, entry) in doc.entries.iter().enumerate() {
        let procedure = entry.kind == Kind::Step && procedures.contains(&entry.heading);
        if entry.kind != kind && !procedure {
            continue;
        }
        let at = match phase_of.get(&entry.heading) {
            Some(&at) => at,
            None => {
                order.push(entry.heading);
                phase_of.insert(entry.heading, phases.len());
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
                    guide: sections.guide_of(entry.heading),
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
                guide: sections.explaining(&cleaned, entry.heading),
                text: cleaned,
                id: None,
                check: None,
                because: None,
                note: None,
                entry: index,
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
    let mut next: HashMap<String, usize> = HashMap::new();
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
        phase.name = unique(&mut seen, &mut next, &phase.name, " ");
    }
}

/// `stem` when no earlier name has it, else `stem{sep}N` with the lowest
/// free N from 2; remembered in `seen`. `next` keeps, per stem, the number
/// to try next (every lower one is taken), so many repeats of one name
/// cost one step each rather than a scan of all the numbers before.
fn unique(
    seen: &mut HashSet<String>,
    next: &mut HashMap<String, usize>,
    stem: &str,
    sep: &str,
) -> String {
    let mut name = stem.to_string();
    if seen.contains(&name) {
        let n = next.entry(format!("{stem}{sep}")).or_insert(2);
        loop {
            name = format!("{stem}{sep}{n}");
            *n += 1;
            if !seen.contains(&name) {
                break;
            }
        }
    }
    seen.insert(name.clone());
    name
}

/// Phase and item ids must differ too (the loader's default ids are
/// slugs, which can collide where the texts do not). Every item gets an
/// explicit id, so that editing its text later does not change it.
fn unique_ids(phases: &mut [Phase]) {
    let mut phase_ids: HashSet<String> = HashSet::new();
    let mut item_ids: HashSet<String> = HashSet::new();
    let mut next: HashMap<String, usize> = HashMap::new();
    for phase in phases.iter_mut() {
        let stem = slug(&phase.name);
        let id = unique(&mut phase_ids, &mut next, &stem, "-");
        if id != stem {
            phase.id = Some(id.clone());
        }
        for item in &mut phase.items {
            let default = format!("{id}/{}", slug(&item.text));
            // Always explicit: an edit of the text in the runbook keeps
            // the item's identity (and its ticks).
            item.id = Some(unique(&mut item_ids, &mut next, &default, "-"));
        }
    }
}
