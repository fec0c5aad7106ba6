//! The Markdown walk (pulldown-cmark): headings, list items (task, status,
//! numbered), fenced and indented code blocks, and inline code.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::text;

/// What a list item is, for choosing checklist items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `- [ ] text` or `- [x] text`.
    Task,
    /// A bullet marked with a status symbol (✅ ❌ ⏳ ☐ …).
    Status,
    /// An item of a numbered list.
    Step,
    /// Anything else.
    Plain,
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: Kind,
    /// The nearest heading above, as an index into `Doc::headings`.
    pub heading: Option<usize>,
    /// The item's own text (not its nested lists or code), as written.
    pub text: String,
    /// The list item this one is nested in, as an index into
    /// `Doc::entries` (always lower than this entry's own).
    pub parent: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct CodeBlock {
    /// The info string's first word, lowercase ("" when none).
    pub lang: String,
    pub text: String,
    /// The nearest heading above, as an index into `Doc::headings`.
    pub heading: Option<usize>,
    /// The innermost list item it is part of, as an index into
    /// `Doc::entries`.
    pub item: Option<usize>,
}

/// Inline code that holds a `kubectl` or `curl` command.
#[derive(Debug, Clone)]
pub struct InlineCode {
    pub text: String,
    /// The innermost list item it is part of, as an index into
    /// `Doc::entries`.
    pub item: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub headings: Vec<Heading>,
    pub entries: Vec<Entry>,
    pub code: Vec<CodeBlock>,
    pub inline_code: Vec<InlineCode>,
}

impl Doc {
    /// The first level-1 heading, as written.
    pub fn title(&self) -> Option<&str> {
        self.headings
            .iter()
            .find(|h| h.level == 1)
            .map(|h| h.text.as_str())
    }

    /// The heading above `index` of a lower level (its parent section).
    pub fn parent(&self, index: usize) -> Option<&Heading> {
        let level = self.headings.get(index)?.level;
        self.headings[..index]
            .iter()
            .rev()
            .find(|h| h.level < level)
    }
}

/// A table being read: its header cells and body rows.
#[derive(Default)]
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: String,
    in_head: bool,
}

/// Header words that name a table's status column.
const STATUS_HEADERS: &[&str] = &[
    "done",
    "status",
    "ok",
    "check",
    "checked",
    "sign-off",
    "signoff",
    "signed off",
    "✓",
    "✔",
    "☐",
    "✅",
];

/// Whether a cell is only a status mark (☐, ✅, [ ], [x]) or empty.
fn is_mark(cell: &str) -> bool {
    let t = text::repair(cell);
    let t = t.trim();
    t.is_empty()
        || matches!(t, "[ ]" | "[x]" | "[X]")
        || t.chars()
            .filter(|c| !matches!(*c, '\u{FE0F}' | '\u{FE0E}'))
            .all(text::is_status_symbol)
}

impl Table {
    /// The table's rows as checklist items, when it has a status column
    /// (a header such as Done or Status, or a column of marks): each
    /// row's first cell that is not a number or a mark.
    fn items(&self) -> Vec<String> {
        let header = |i: usize| {
            self.head
                .get(i)
                .map(|h| text::clean(h).to_lowercase())
                .unwrap_or_default()
        };
        let columns = self
            .head
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let status = (0..columns).find(|&i| {
            let h = header(i);
            STATUS_HEADERS.contains(&h.as_str())
                || (!self.rows.is_empty()
                    && self
                        .rows
                        .iter()
                        .all(|r| r.get(i).is_some_and(|c| is_mark(c)))
                    && self
                        .rows
                        .iter()
                        .any(|r| r.get(i).is_some_and(|c| !c.trim().is_empty())))
        });
        let Some(status) = status else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter_map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != status)
                    .map(|(_, c)| c.trim())
                    .find(|c| {
                        let number = c.trim_end_matches('.');
                        !is_mark(c) && number.parse::<u32>().is_err()
                    })
                    .map(str::to_string)
            })
            .collect()
    }
}

struct OpenItem {
    /// Its place in `Doc::entries`, kept from its start so that a parent
    /// comes before its nested items.
    index: usize,
    text: String,
    task: bool,
    ordered: bool,
    /// False once a nested list or code block starts: later text is not
    /// the item's own.
    own: bool,
}

fn level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Parses a guide.
pub fn parse(markdown: &str) -> Doc {
    let options =
        Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut doc = Doc::default();
    let mut heading: Option<Heading> = None;
    let mut lists: Vec<bool> = Vec::new();
    let mut items: Vec<OpenItem> = Vec::new();
    let mut code: Option<CodeBlock> = None;
    let mut table: Option<Table> = None;
    for event in Parser::new_ext(markdown, options) {
        // A table's cells gather their text; its rows become items at its
        // end.
        if let Some(t) = table.as_mut() {
            match &event {
                Event::Start(Tag::TableHead) => t.in_head = true,
                Event::End(TagEnd::TableCell) => {
                    let cell = std::mem::take(&mut t.cell);
                    t.row.push(cell);
                }
                Event::End(TagEnd::TableHead) => {
                    t.head = std::mem::take(&mut t.row);
                    t.in_head = false;
                }
                Event::End(TagEnd::TableRow) => {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                }
                Event::Text(x) | Event::Code(x) => t.cell.push_str(x),
                Event::SoftBreak | Event::HardBreak => t.cell.push(' '),
                Event::End(TagEnd::Table) => {
                    let heading_at = doc.headings.len().checked_sub(1);
                    for text in t.items() {
                        doc.entries.push(Entry {
                            kind: Kind::Task,
                            heading: heading_at,
                            text,
                            parent: None,
                        });
                    }
                    table = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Table(_)) => table = Some(Table::default()),
            Event::Start(Tag::Heading { level: l, .. }) => {
                heading = Some(Heading {
                    level: level(l),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    doc.headings.push(h);
                }
            }
            Event::Start(Tag::List(first)) => {
                if let Some(item) = items.last_mut() {
                    item.own = false;
                }
                lists.push(first.is_some());
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                let parent = items.last().map(|open| open.index);
                items.push(OpenItem {
                    index: doc.entries.len(),
                    text: String::new(),
                    task: false,
                    ordered: lists.last().copied().unwrap_or(false),
                    own: true,
                });
                doc.entries.push(Entry {
                    kind: Kind::Plain,
                    heading: doc.headings.len().checked_sub(1),
                    text: String::new(),
                    parent,
                });
            }
            Event::End(TagEnd::Item) => {
                if let Some(item) = items.pop()
                    && let Some(entry) = doc.entries.get_mut(item.index)
                {
                    entry.kind = kind(&item);
                    entry.text = item.text;
                }
            }
            Event::TaskListMarker(_) => {
                if let Some(item) = items.last_mut() {
                    item.task = true;
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                if let Some(item) = items.last_mut() {
                    item.own = false;
                }
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some(CodeBlock {
                    lang,
                    text: String::new(),
                    heading: doc.headings.len().checked_sub(1),
                    item: items.last().map(|open| open.index),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = code.take() {
                    doc.code.push(block);
                }
            }
            Event::Text(t) => {
                if let Some(block) = code.as_mut() {
                    block.text.push_str(&t);
                } else {
                    push_text(&mut heading, &mut items, &t);
                }
            }
            Event::Code(t) => {
                let trimmed = t.trim();
                if trimmed.starts_with("kubectl ") || trimmed.starts_with("curl ") {
                    doc.inline_code.push(InlineCode {
                        text: trimmed.to_string(),
                        item: items.last().map(|open| open.index),
                    });
                }
                push_text(&mut heading, &mut items, &t);
            }
            Event::End(TagEnd::Paragraph) => {
                // An item's own text is its first paragraph.
                if let Some(item) = items.last_mut()
                    && !item.text.trim().is_empty()
                {
                    item.own = false;
                }
            }
            Event::SoftBreak | Event::HardBreak => push_text(&mut heading, &mut items, " "),
            _ => {}
        }
    }
    doc
}

fn push_text(heading: &mut Option<Heading>, items: &mut [OpenItem], t: &str) {
    if let Some(h) = heading.as_mut() {
        h.text.push_str(t);
    } else if let Some(item) = items.last_mut()
        && item.own
    {
        item.text.push_str(t);
    }
}

fn kind(item: &OpenItem) -> Kind {
    if item.task {
        Kind::Task
    } else if text::has_status_mark(&text::repair(&item.text)) {
        Kind::Status
    } else if item.ordered {
        Kind::Step
    } else {
        Kind::Plain
    }
}
