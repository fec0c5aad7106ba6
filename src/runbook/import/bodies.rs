//! The answers a guide says its health endpoints give, as probe
//! conditions: `{"status":"UP"}` shown after a `curl` (in the same code
//! block, the next one, or the prose right after: "Expected:
//! `{"status":"healthy"}`", "should print `Healthy`"), or in a sentence
//! that names the endpoint's path or role ("A good readiness answer looks
//! like `{"status":"ready"}`"). A JSON `status` field becomes
//! `[BODY].status == VALUE`; a bare word after a command that prints the
//! whole body, `[BODY] == VALUE`.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::bind::{Role, role};
use super::found::{Found, ProbeKind};

/// Health words an expected status may hold.
const HEALTHY: &[&str] = &[
    "up", "ok", "healthy", "pass", "serving", "green", "ready", "alive",
];

/// How many chunks (paragraphs, code blocks) after a `curl` its answer
/// may still come.
const WITHIN: usize = 3;

/// Which probes an answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A curl's origin and path.
    Url(String, String),
    /// Every probe with this path.
    Path(String),
    /// Every probe of this role.
    Role(Role),
}

/// An answer a guide shows: the JSON field (None: the whole body) and its
/// value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub target: Target,
    pub field: Option<String>,
    pub value: String,
}

/// A paragraph (its text and inline code) or a code block.
enum Chunk {
    Prose { text: String, code: Vec<String> },
    Code(String),
}

fn chunks(markdown: &str) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut code: Vec<String> = Vec::new();
    let mut block: Option<String> = None;
    let flush = |out: &mut Vec<Chunk>, text: &mut String, code: &mut Vec<String>| {
        if !text.trim().is_empty() || !code.is_empty() {
            out.push(Chunk::Prose {
                text: std::mem::take(text),
                code: std::mem::take(code),
            });
        }
        text.clear();
    };
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut out, &mut text, &mut code);
                block = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(b) = block.take() {
                    out.push(Chunk::Code(b));
                }
            }
            Event::Text(t) => match &mut block {
                Some(b) => b.push_str(&t),
                None => text.push_str(&t),
            },
            Event::Code(c) => {
                text.push_str(&c);
                code.push(c.into_string());
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => {
                flush(&mut out, &mut text, &mut code);
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    flush(&mut out, &mut text, &mut code);
    out
}

/// The value of a JSON `"status"` field in a text: `{"status": "UP"}`.
pub fn status_value(text: &str) -> Option<String> {
    let at = text.find("\"status\"")?;
    let rest = text[at + 8..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let value: String = rest.chars().take_while(|c| *c != '"').collect();
    (!value.is_empty() && value.len() <= 32).then_some(value)
}

fn healthy(value: &str) -> bool {
    HEALTHY.contains(&value.to_ascii_lowercase().as_str())
}

/// An answer in a text: a JSON status (`status` field), or a bare health
/// word (`Healthy`, `"UP"`: the whole body, or the field a `jq .status`
/// prints).
fn answer_in(text: &str) -> Option<(bool, String)> {
    if let Some(v) = status_value(text) {
        return healthy(&v).then_some((true, v));
    }
    let word = text.trim().trim_matches('"');
    (healthy(word) && word.len() == text.trim().trim_matches('"').len())
        .then(|| (false, word.to_string()))
}

/// A health curl of a code line: its origin and path, and whether it
/// prints the status field (`| jq .status`).
fn curl_of(line: &str) -> Option<(String, String, bool)> {
    if !line.contains("curl") {
        return None;
    }
    let (origin, path) = line
        .split_whitespace()
        .map(|w| w.trim_matches(|c| matches!(c, '"' | '\'' | '`')))
        .find(|w| w.starts_with("http"))
        .and_then(super::probes::split_url)?;
    let jq_status = line.contains("jq") && line.contains(".status");
    Some((origin, path, jq_status))
}

/// The answers a guide shows for its health endpoints.
pub fn answers(markdown: &str) -> Vec<Answer> {
    let mut found = Vec::new();
    // The curls of the last code block (origin, path, prints the status
    // field, is a health path), and how many chunks ago.
    let mut pending: Vec<(String, String, bool, bool)> = Vec::new();
    let mut age = 0;
    for chunk in chunks(markdown) {
        age += 1;
        if age > WITHIN {
            pending.clear();
        }
        match chunk {
            Chunk::Code(text) => {
                let mut curls = Vec::new();
                let mut answered = false;
                for line in text.lines() {
                    if let Some((origin, path, jq)) = curl_of(line) {
                        let health = super::probes::is_health_path(&path);
                        curls.push((origin, path, jq, health));
                        continue;
                    }
                    // An answer on the lines after a curl: the last one's.
                    if let Some((origin, path, jq, true)) = curls.last()
                        && let Some((json, value)) = answer_in(line.trim_start_matches(['#', ' ']))
                    {
                        found.push(Answer {
                            target: Target::Url(origin.clone(), path.clone()),
                            field: (json || *jq).then(|| "status".to_string()),
                            value,
                        });
                        answered = true;
                        curls.clear();
                    }
                }
                if !curls.is_empty() {
                    pending = curls;
                    age = 0;
                } else if !answered
                    && let Some((origin, path, jq, true)) = pending.last()
                    && let Some((json, value)) = text.lines().find_map(|l| {
                        status_value(l)
                            .filter(|v| healthy(v))
                            .map(|v| (true, v))
                            .or_else(|| answer_in(l))
                    })
                {
                    // The answer in the next block: the last curl's.
                    found.push(Answer {
                        target: Target::Url(origin.clone(), path.clone()),
                        field: (json || *jq).then(|| "status".to_string()),
                        value,
                    });
                    pending.clear();
                }
            }
            Chunk::Prose { text, code } => {
                let values: Vec<(bool, String)> =
                    code.iter().filter_map(|c| answer_in(c)).collect();
                let Some((json, value)) = values.first().cloned() else {
                    continue;
                };
                // A sentence that names the endpoint: by its path, else its
                // role.
                let lower = text.to_lowercase();
                let path = code
                    .iter()
                    .find(|c| c.starts_with('/') && super::probes::is_health_path(c));
                let named_role = if lower.contains("readiness") {
                    Some(Role::Ready)
                } else if lower.contains("liveness") {
                    Some(Role::Live)
                } else {
                    None
                };
                if let Some(path) = path {
                    found.push(Answer {
                        target: Target::Path(path.clone()),
                        field: json.then(|| "status".to_string()),
                        value,
                    });
                    continue;
                }
                if pending.is_empty() {
                    if let Some(role) = named_role {
                        found.push(Answer {
                            target: Target::Role(role),
                            field: json.then(|| "status".to_string()),
                            value,
                        });
                    }
                    continue;
                }
                // "The last command should print `Healthy`".
                let the_last = lower.contains("last command") || lower.contains("last one");
                let curls: Vec<&(String, String, bool, bool)> = if the_last {
                    pending.last().into_iter().collect()
                } else if let Some(role) = named_role {
                    pending.iter().filter(|c| role_of(&c.1) == role).collect()
                } else {
                    pending.iter().collect()
                };
                // "You want `Healthy`, then `200`": the block's commands in
                // order, each value for the next.
                let mut values = code.iter().filter(|c| is_answer_like(c));
                for (origin, path, jq, health) in curls {
                    let Some(v) = values.next() else { break };
                    if !*health {
                        continue;
                    }
                    if let Some((json, value)) = answer_in(v) {
                        found.push(Answer {
                            target: Target::Url(origin.clone(), path.clone()),
                            field: (json || *jq).then(|| "status".to_string()),
                            value,
                        });
                    }
                }
                pending.clear();
            }
        }
    }
    found
}

fn role_of(path: &str) -> Role {
    role(path)
}

/// Whether inline code looks like what a command prints: an answer, a
/// status code, a header line.
fn is_answer_like(code: &str) -> bool {
    answer_in(code).is_some()
        || code.trim().parse::<u16>().is_ok()
        || code.trim_start().starts_with('{')
}

/// Gives each health probe the answer the guide shows for it (the first
/// found).
pub fn apply(markdown: &str, found: &mut Found) {
    for answer in answers(markdown) {
        let hosts: Vec<String> = match &answer.target {
            Target::Url(origin, _) => found
                .hosts
                .iter()
                .filter(|h| h.url == *origin)
                .map(|h| h.var.clone())
                .collect(),
            _ => Vec::new(),
        };
        for p in found
            .probes
            .iter_mut()
            .filter(|p| p.kind == ProbeKind::Health)
        {
            let fits = match &answer.target {
                Target::Url(_, path) => p.path == *path && hosts.contains(&p.var),
                Target::Path(path) => p.path == *path,
                Target::Role(r) => role(&p.path) == *r,
            };
            if fits {
                p.expect.get_or_insert((
                    answer.field.clone().unwrap_or_default(),
                    answer.value.clone(),
                ));
            }
        }
    }
}

/// Whether inline code reads as a PromQL alert expression: a function
/// call or a selector, ending in a comparison with a number.
fn is_alert_expr(code: &str) -> bool {
    let promql = [
        "rate(",
        "sum(",
        "histogram_quantile(",
        "avg(",
        "max(",
        "increase(",
        "{",
    ]
    .iter()
    .any(|w| code.contains(w));
    promql && super::manifest::split_threshold(code).is_some()
}

/// Alert rules a guide gives in its prose: an alert's name (a CamelCase
/// word after "alert" or "rule", else the last CamelCase word before the
/// expression) and a PromQL expression in inline code that ends in a
/// comparison ("The alert HighErrorRate fires when `sum(rate(…)) >
/// 0.02`").
pub fn prose_rules(markdown: &str) -> Vec<(String, String)> {
    let mut rules: Vec<(String, String)> = Vec::new();
    for chunk in chunks(markdown) {
        let Chunk::Prose { text, code } = chunk else {
            continue;
        };
        // Each expression's name is in the text since the one before.
        let mut from = 0;
        for expr in code.iter().filter(|c| is_alert_expr(c)) {
            let Some(at) = text.get(from..).and_then(|t| t.find(expr.as_str())) else {
                continue;
            };
            let before = &text[from..from + at];
            from += at + expr.len();
            let words: Vec<&str> = before
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            let camel = |w: &&str| {
                w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().skip(1).any(char::is_uppercase)
                    && w.chars().any(char::is_lowercase)
            };
            let after_word = words.windows(2).rev().find_map(|p| {
                matches!(p[0].to_lowercase().as_str(), "alert" | "rule" | "alertname")
                    .then_some(p[1])
                    .filter(|w| camel(w))
            });
            let name = after_word.or_else(|| words.iter().rev().find(|w| camel(w)).copied());
            if let Some(name) = name
                && !rules.iter().any(|(n, _)| n == name)
            {
                rules.push((name.to_string(), expr.clone()));
            }
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(md: &str) -> Vec<(Target, Option<String>, String)> {
        answers(md)
            .into_iter()
            .map(|a| (a.target, a.field, a.value))
            .collect()
    }

    fn url(path: &str) -> Target {
        Target::Url("https://x.example.com".into(), path.into())
    }

    #[test]
    fn answers_after_the_curl_in_the_block_the_next_block_or_the_prose() {
        let md = "```sh\ncurl -s https://x.example.com/ready\n```\n\nThe answer must be:\n\n```json\n{\"status\":\"UP\"}\n```\n\n\
                  ```sh\ncurl -fsS https://x.example.com/healthz\ncurl -I https://x.example.com/ | grep -i hsts\n```\n\nYou want `Healthy`, then `200`.\n\n\
                  ```sh\ncurl -s https://x.example.com/live | jq .status\n```\n\nwhich must print `\"UP\"`.\n";
        assert_eq!(
            targets(md),
            [
                (url("/ready"), Some("status".into()), "UP".into()),
                (url("/healthz"), None, "Healthy".into()),
                (url("/live"), Some("status".into()), "UP".into()),
            ]
        );
    }

    #[test]
    fn a_sentence_naming_the_path_or_role() {
        let md = "A healthy `/api/health` answers 200 with `{\"status\":\"healthy\"}`.\n\n\
                  A good readiness answer looks like `{\"status\":\"ready\",\"db\":\"ok\"}`.\n\n\
                  Good answer is `{\"status\":\"warn\"}`.\n";
        assert_eq!(
            targets(md),
            [
                (
                    Target::Path("/api/health".into()),
                    Some("status".into()),
                    "healthy".into()
                ),
                (
                    Target::Role(Role::Ready),
                    Some("status".into()),
                    "ready".into()
                ),
            ]
        );
    }

    #[test]
    fn alert_rules_in_prose() {
        let md = "The alert QuillHighErrorRate fires when `sum(rate(x{status=~\"5..\"}[5m])) / sum(rate(x[5m])) > 0.02`, and\n\
                  SlowAnswers: `histogram_quantile(0.95, sum by (le) (rate(y_bucket[5m]))) > 1.5`.\n\n\
                  Run `kubectl get pods` and `echo $((1 > 0))`.\n";
        let rules = prose_rules(md);
        let names: Vec<&str> = rules.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["QuillHighErrorRate", "SlowAnswers"]);
        assert!(rules[1].1.starts_with("histogram_quantile(0.95"));
    }

    #[test]
    fn an_answer_too_far_from_its_curl_is_nobody_s() {
        let md =
            "```sh\ncurl https://x.example.com/healthz\n```\n\none\n\ntwo\n\nthree\n\nfour: `UP`\n";
        assert!(targets(md).is_empty());
    }
}
