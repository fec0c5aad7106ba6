//! The filter language of every list (`/` in a pane or a workload view's
//! section): what was typed, split into terms, every one of which must
//! match a row (AND).
//!
//! - a bare term matches, case-insensitively, anywhere in any of the row's
//!   fields: `api` shows every row with "api" in its name, image, message...;
//! - `!term` matches the rows the term does not;
//! - `field:value` looks only in that field (`state:failed`, `ns:payments`,
//!   `node:node-2`, `image:1.4`); in a field of words (a kind's spellings,
//!   a state's words) the value must begin a word, so `kind:job` is a Job
//!   and not a CronJob, `kind:sts` a StatefulSet, `state:fail` failed or
//!   failing;
//! - `"quoted phrase"` keeps its spaces (and its colons: `"a:b"` is bare);
//!   `field:"two words"` too. A quote left open runs to the end.
//!
//! A field the list does not have is a problem to show, never a filter
//! that silently hides everything: [`Filter::problem`] says which fields
//! there are, and [`Filter::matches`] lets every row through meanwhile.
//! Parsing is one pass over the text; matching looks at each field once
//! per term.

use std::borrow::Cow;

/// A field that a `field:value` term may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// Other names for it (`namespace` for `ns`).
    pub aliases: &'static [&'static str],
    /// Its text is words (a kind's spellings, a state's words): a value
    /// matches the start of one of them. Otherwise a value matches
    /// anywhere in the text.
    pub words: bool,
}

impl Field {
    /// A field of free text: a value matches anywhere in it.
    pub const fn text(name: &'static str) -> Field {
        Field {
            name,
            aliases: &[],
            words: false,
        }
    }

    /// A field of words: a value matches the start of one of them.
    pub const fn words(name: &'static str) -> Field {
        Field {
            name,
            aliases: &[],
            words: true,
        }
    }

    /// The same field, also called `aliases`.
    pub const fn or(self, aliases: &'static [&'static str]) -> Field {
        Field { aliases, ..self }
    }

    fn named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

/// A row's texts, by field name (a field may come more than once).
pub type Texts<'a> = Vec<(&'static str, Cow<'a, str>)>;

/// What a list's rows offer the filter: the fields a `field:value` term may
/// name, and each row's texts by field.
pub trait Searchable {
    /// Every field of this kind of row, in the order a problem lists them.
    const FIELDS: &'static [Field];
    /// The row's texts by field; a bare term looks in all of them.
    fn texts(&self) -> Texts<'_>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    /// The field it looks in, lowercased; None: any.
    field: Option<String>,
    /// What it looks for, lowercased.
    needle: String,
    negate: bool,
}

/// A parsed filter: the text as typed and its terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    text: String,
    terms: Vec<Term>,
}

impl Filter {
    /// Parses a filter; every text is one (nothing is a syntax error).
    pub fn parse(text: &str) -> Filter {
        parse_counted(text).0
    }

    /// The text as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// No term to match: every row passes.
    pub fn is_empty(&self) -> bool {
        self.terms.iter().all(|t| t.needle.is_empty())
    }

    /// Whether a term names a field that none of `fields` is: the problem
    /// in words, with the fields there are
    /// ("unknown field foo: name, kind, state").
    pub fn problem(&self, fields: &[Field]) -> Option<String> {
        if self.knows(fields) {
            return None;
        }
        let mut seen = std::collections::HashSet::new();
        let unknown: Vec<&str> = self
            .terms
            .iter()
            .filter_map(|t| t.field.as_deref())
            .filter(|name| !fields.iter().any(|f| f.named(name)) && seen.insert(*name))
            .collect();
        let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
        Some(format!(
            "unknown field{} {}: {}",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.join(", "),
            known.join(", ")
        ))
    }

    /// Whether every field a term names is one of `fields`.
    pub fn knows(&self, fields: &[Field]) -> bool {
        self.terms
            .iter()
            .filter_map(|t| t.field.as_deref())
            .all(|name| fields.iter().any(|f| f.named(name)))
    }

    /// Whether a row passes: every term matches it. A filter with a
    /// problem (an unknown field) lets every row through.
    pub fn matches(&self, fields: &[Field], texts: &[(&'static str, Cow<'_, str>)]) -> bool {
        if self.is_empty() || !self.knows(fields) {
            return true;
        }
        // Each text lowercased once, whatever the number of terms.
        let lower: Vec<(&str, String)> = texts
            .iter()
            .map(|(field, text)| (*field, text.to_lowercase()))
            .collect();
        self.terms
            .iter()
            .filter(|t| !t.needle.is_empty())
            .all(|term| term.matches(fields, &lower) != term.negate)
    }

    /// Whether a row of a [`Searchable`] list passes.
    pub fn passes<R: Searchable>(&self, row: &R) -> bool {
        self.is_empty() || self.matches(R::FIELDS, &row.texts())
    }
}

impl Term {
    fn matches(&self, fields: &[Field], lower: &[(&str, String)]) -> bool {
        let Some(name) = &self.field else {
            return lower.iter().any(|(_, text)| text.contains(&self.needle));
        };
        let Some(field) = fields.iter().find(|f| f.named(name)) else {
            return true;
        };
        lower
            .iter()
            .filter(|(f, _)| *f == field.name)
            .any(|(_, text)| {
                if field.words {
                    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                        .any(|w| w.starts_with(&self.needle))
                } else {
                    text.contains(&self.needle)
                }
            })
    }
}

/// Parses, counting the steps taken (each a character looked at), so that
/// a test can hold parsing to linear time.
fn parse_counted(text: &str) -> (Filter, usize) {
    let mut steps = 0;
    let mut terms = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        // Blanks between terms.
        while chars.next_if(|c| c.is_whitespace()).is_some() {
            steps += 1;
        }
        let Some(&first) = chars.peek() else { break };
        let negate = first == '!';
        if negate {
            chars.next();
            steps += 1;
        }
        // One term: up to a blank outside quotes. The first colon outside
        // quotes, after a name of letters, digits, '-' or '_', ends a field.
        let mut raw = String::new();
        let mut quoted = false;
        let mut seen_quote = false;
        // Whether `raw` is a name so far (kept as it grows, not re-read).
        let mut name = true;
        let mut field: Option<String> = None;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() && !quoted {
                break;
            }
            chars.next();
            steps += 1;
            match c {
                '"' => {
                    quoted = !quoted;
                    seen_quote = true;
                }
                ':' if !quoted && !seen_quote && field.is_none() && name && !raw.is_empty() => {
                    field = Some(std::mem::take(&mut raw).to_lowercase());
                }
                c => {
                    name &= c.is_alphanumeric() || c == '-' || c == '_';
                    raw.push(c);
                }
            }
        }
        if raw.is_empty() && field.is_none() {
            continue;
        }
        terms.push(Term {
            field,
            needle: raw.to_lowercase(),
            negate,
        });
    }
    (
        Filter {
            text: text.to_string(),
            terms,
        },
        steps,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[
        Field::text("name"),
        Field::words("kind"),
        Field::words("state"),
        Field::text("ns").or(&["namespace"]),
        Field::text("image"),
    ];

    fn row(name: &str, kind: &str, state: &str, ns: &str, image: &str) -> Texts<'static> {
        vec![
            ("name", Cow::Owned(name.to_string())),
            ("kind", Cow::Owned(kind.to_string())),
            ("state", Cow::Owned(state.to_string())),
            ("ns", Cow::Owned(ns.to_string())),
            ("image", Cow::Owned(image.to_string())),
        ]
    }

    fn rows() -> Vec<Texts<'static>> {
        vec![
            row(
                "api",
                "Deployment deployment deployments deploy",
                "complete ok",
                "payments",
                "shop/api:1.4.2",
            ),
            row(
                "api-worker",
                "StatefulSet statefulset statefulsets sts",
                "failed failing fail",
                "payments",
                "shop/worker:1.5.0",
            ),
            row(
                "report",
                "CronJob cronjob cronjobs cj",
                "schedule ok",
                "batch",
                "shop/report:1.4.0",
            ),
            row(
                "migrate",
                "Job job jobs",
                "complete ok",
                "batch",
                "shop/migrate:2.0",
            ),
        ]
    }

    /// The names of the rows a filter lets through.
    fn shown(text: &str) -> Vec<String> {
        let f = Filter::parse(text);
        rows()
            .iter()
            .filter(|r| f.matches(FIELDS, r))
            .map(|r| r[0].1.to_string())
            .collect()
    }

    #[test]
    fn a_bare_term_matches_any_field_anywhere_case_insensitively() {
        assert_eq!(shown("api"), ["api", "api-worker"]);
        assert_eq!(shown("API"), ["api", "api-worker"]);
        assert_eq!(shown("1.4"), ["api", "report"]);
        assert_eq!(shown("BATCH"), ["report", "migrate"]);
        assert_eq!(shown("nothing-like-it"), Vec::<String>::new());
    }

    #[test]
    fn every_term_must_match() {
        assert_eq!(shown("api 1.5"), ["api-worker"]);
        assert_eq!(shown("  api   payments  "), ["api", "api-worker"]);
        assert_eq!(shown("api batch"), Vec::<String>::new());
    }

    #[test]
    fn a_bang_negates_a_term() {
        assert_eq!(shown("!api"), ["report", "migrate"]);
        assert_eq!(shown("api !worker"), ["api"]);
        assert_eq!(shown("!kind:job"), ["api", "api-worker", "report"]);
        // A lone bang is no term.
        assert_eq!(shown("!").len(), 4);
    }

    #[test]
    fn a_field_term_looks_only_in_its_field() {
        // "payments" is a namespace, not a name.
        assert_eq!(shown("name:payments"), Vec::<String>::new());
        assert_eq!(shown("ns:payments"), ["api", "api-worker"]);
        assert_eq!(shown("namespace:BATCH"), ["report", "migrate"]);
        assert_eq!(shown("image:1.4"), ["api", "report"]);
        assert_eq!(shown("State:Failed"), ["api-worker"]);
    }

    #[test]
    fn a_field_of_words_matches_the_start_of_a_word() {
        assert_eq!(shown("kind:sts"), ["api-worker"]);
        assert_eq!(shown("kind:deploy"), ["api"]);
        // A Job, not a CronJob; bare, "job" is in both.
        assert_eq!(shown("kind:job"), ["migrate"]);
        assert_eq!(shown("job"), ["report", "migrate"]);
        assert_eq!(shown("state:fail"), ["api-worker"]);
        assert_eq!(shown("state:ail"), Vec::<String>::new());
    }

    #[test]
    fn quotes_keep_spaces_and_colons() {
        let f = Filter::parse("\"shop/api:1.4\" name:\"api\"");
        assert_eq!(f.terms.len(), 2);
        assert_eq!(f.terms[0].field, None);
        assert_eq!(f.terms[0].needle, "shop/api:1.4");
        assert_eq!(f.terms[1].field.as_deref(), Some("name"));
        let phrase = vec![("name", Cow::Borrowed("rollout of api failed"))];
        let fields = &[Field::text("name")];
        assert!(Filter::parse("\"of api\"").matches(fields, &phrase));
        assert!(!Filter::parse("\"api of\"").matches(fields, &phrase));
        assert!(Filter::parse("name:\"api failed\"").matches(fields, &phrase));
        // Open to the end.
        assert!(Filter::parse("\"api fai").matches(fields, &phrase));
        assert!(!Filter::parse("!\"of api\"").matches(fields, &phrase));
    }

    #[test]
    fn an_unknown_field_is_a_problem_and_filters_nothing() {
        let f = Filter::parse("foo:x api");
        assert_eq!(
            f.problem(FIELDS).as_deref(),
            Some("unknown field foo: name, kind, state, ns, image")
        );
        assert_eq!(shown("foo:x api").len(), 4);
        assert_eq!(
            Filter::parse("foo:1 bar:2 foo:3")
                .problem(FIELDS)
                .as_deref(),
            Some("unknown fields foo, bar: name, kind, state, ns, image")
        );
        assert_eq!(Filter::parse("ns:x namespace:y").problem(FIELDS), None);
    }

    #[test]
    fn a_field_with_no_value_yet_filters_nothing() {
        // As typed, before the value: every row stays.
        assert_eq!(shown("state:").len(), 4);
        assert_eq!(shown("!state:").len(), 4);
        assert!(Filter::parse("state: ").is_empty());
        assert!(Filter::parse("   ").is_empty());
        assert!(!Filter::parse("a").is_empty());
    }

    #[test]
    fn what_is_not_a_field_name_is_text() {
        // Nothing before the colon, or more than a name.
        let f = Filter::parse(":x a.b:c \"q\":r");
        let terms: Vec<(Option<&str>, &str)> = f
            .terms
            .iter()
            .map(|t| (t.field.as_deref(), t.needle.as_str()))
            .collect();
        assert_eq!(terms, [(None, ":x"), (None, "a.b:c"), (None, "q:r")]);
        // The first colon ends the field; later ones are the value's.
        let f = Filter::parse("image:registry:5000/api");
        assert_eq!(f.terms[0].field.as_deref(), Some("image"));
        assert_eq!(f.terms[0].needle, "registry:5000/api");
        assert_eq!(f.text(), "image:registry:5000/api");
    }

    #[test]
    fn a_searchable_row_says_its_fields() {
        struct Pod(&'static str, &'static str);
        impl Searchable for Pod {
            const FIELDS: &'static [Field] = &[Field::text("name"), Field::text("node")];
            fn texts(&self) -> Texts<'_> {
                vec![("name", self.0.into()), ("node", self.1.into())]
            }
        }
        let pods = [Pod("api-1", "node-1"), Pod("api-2", "node-2")];
        let f = Filter::parse("node:node-2");
        let names: Vec<&str> = pods.iter().filter(|p| f.passes(*p)).map(|p| p.0).collect();
        assert_eq!(names, ["api-2"]);
        assert_eq!(
            Filter::parse("kind:x").problem(Pod::FIELDS).as_deref(),
            Some("unknown field kind: name, node")
        );
    }

    proptest::proptest! {
        #[test]
        fn parsing_and_matching_never_panic(text in "\\PC{0,64}", hay in "\\PC{0,32}") {
            let f = Filter::parse(&text);
            let texts = vec![("name", Cow::Borrowed(hay.as_str()))];
            let _ = f.matches(FIELDS, &texts);
            let _ = f.problem(FIELDS);
            proptest::prop_assert_eq!(f.text(), text.as_str());
        }

        #[test]
        fn parsing_is_linear_in_the_input(
            piece in "[!\": a-z]{1,12}",
            times in 1usize..400,
        ) {
            let text = piece.repeat(times);
            let (_, steps) = parse_counted(&text);
            proptest::prop_assert!(steps <= text.chars().count());
        }

        #[test]
        fn a_term_and_its_negation_split_the_rows(word in "[a-z0-9.]{1,6}") {
            for r in rows() {
                let yes = Filter::parse(&word).matches(FIELDS, &r);
                let no = Filter::parse(&format!("!{word}")).matches(FIELDS, &r);
                proptest::prop_assert_ne!(yes, no);
            }
        }
    }

    #[test]
    fn a_long_hostile_filter_parses_at_once() {
        let text = "!\"a:b c:\"d:".repeat(50_000);
        let started = std::time::Instant::now();
        let (f, steps) = parse_counted(&text);
        assert!(steps <= text.len());
        let texts = vec![("name", Cow::Owned("x".repeat(10_000)))];
        let _ = f.matches(FIELDS, &texts);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
