//! The crate's layers, checked: every top-level module has a layer, a
//! module imports only from its own layer or those below, and no chain of
//! imports between top-level modules comes back to where it started.
//!
//! The imports are read from the source (`crate::name` paths, including
//! `use crate::{a, b}` groups), test code included, so that a circle
//! cannot hide in a test module either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first. A module may import from its own layer and the layers
/// before it.
pub const LAYERS: &[(&str, &[&str])] = &[
    (
        "base: text, figures, status, secrets, reporting channels, the lists' filter language",
        &[
            "printable",
            "position",
            "human",
            "status",
            "kinds",
            "filter",
            "secrets",
            "action",
            "sink",
            "logging",
            "term",
        ],
    ),
    (
        "domain: runbook, condition language, journal, configuration, command line",
        &["condition", "runbook", "journal", "config", "cli"],
    ),
    (
        "data sources: cluster, probes, Prometheus",
        &["kube", "probe", "prom"],
    ),
    ("judging: the checks' one vocabulary", &["checks"]),
    ("state: update(state, msg) and its effects", &["state"]),
    ("views: the screen and the report", &["ui", "report"]),
    ("runtime: the dashboard loop and effect runner", &["app"]),
    ("subcommands", &["cmd"]),
];

/// Where one module imports another: the first file and line found.
type Edges = BTreeMap<String, BTreeMap<String, String>>;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The top-level module names a line of source refers to with `crate::`.
fn referenced(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        // `$crate::` in a macro counts; identifiers that end in "crate"
        // are not paths.
        let before = &rest[..at];
        let ident_before = before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if ident_before {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Names at the group's first level: `{a, b::c, d::{e, f}}`.
            let mut depth = 0;
            let mut name = String::new();
            let mut head = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !name.is_empty() {
                            found.push(std::mem::take(&mut name));
                        }
                        head = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && head {
                    if c.is_alphanumeric() || c == '_' {
                        name.push(c);
                    } else if !name.is_empty() || c == ':' {
                        head = false;
                    }
                }
            }
            if !name.is_empty() {
                found.push(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

/// The imports between top-level modules under `src`.
fn edges(src: &Path) -> Edges {
    let mut edges = Edges::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Ok(rel) = path.strip_prefix(src) else {
                continue;
            };
            let first = rel
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            let from = first.trim_end_matches(".rs").to_string();
            // This file's tests quote imports as examples.
            if from == "lib" || from == "main" || from == "layers" {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for to in referenced(code) {
                    if to != from && to != "self" && to != "super" {
                        edges
                            .entry(from.clone())
                            .or_default()
                            .entry(to)
                            .or_insert_with(|| format!("{}:{}", rel.display(), n + 1));
                    }
                }
            }
        }
    }
    edges
}

/// A circle of imports, if there is one: the modules in order, the first
/// repeated at the end.
fn circle(edges: &Edges) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &Edges,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(found) = visit(next, edges, done, path) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(found) = visit(node, edges, &mut done, &mut Vec::new()) {
            return Some(found);
        }
    }
    None
}

/// Everything wrong with the imports: modules without a layer, imports
/// from a higher layer, a circle.
pub fn problems(src: &Path) -> Vec<String> {
    let edges = edges(src);
    let mut problems = Vec::new();
    let mut modules: BTreeSet<&String> = edges.keys().collect();
    modules.extend(edges.values().flat_map(|m| m.keys()));
    for module in modules {
        if layer_of(module).is_none() {
            problems.push(format!(
                "module `{module}` has no layer: add it to LAYERS in src/layers.rs"
            ));
        }
    }
    for (from, tos) in &edges {
        for (to, at) in tos {
            if let (Some(a), Some(b)) = (layer_of(from), layer_of(to))
                && b > a
            {
                problems.push(format!(
                    "{at}: `{from}` ({}) imports `{to}` ({}), a layer above it",
                    LAYERS[a].0, LAYERS[b].0
                ));
            }
        }
    }
    if let Some(found) = circle(&edges) {
        let hops: Vec<String> = found
            .windows(2)
            .map(|w| {
                let at = edges
                    .get(&w[0])
                    .and_then(|m| m.get(&w[1]))
                    .cloned()
                    .unwrap_or_default();
                format!("{} -> {} ({at})", w[0], w[1])
            })
            .collect();
        problems.push(format!("import circle: {}", hops.join(", ")));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crate_has_no_upward_import_and_no_circle() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let problems = problems(&src);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn paths_and_groups_name_their_top_level_modules() {
        assert_eq!(referenced("use crate::state::Msg;"), ["state"]);
        assert_eq!(
            referenced("use crate::{term, ui::draw, kube::{a, b}};"),
            ["term", "ui", "kube"]
        );
        assert_eq!(
            referenced("let x = crate::human::age(1) + crate::status::Status::Ok;"),
            ["human", "status"]
        );
        assert_eq!(referenced("$crate::printable::printable(x)"), ["printable"]);
        assert!(referenced("let kcrate::x = 1;").is_empty());
    }

    #[test]
    fn a_circle_and_an_upward_import_are_reported_with_where_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path();
        std::fs::create_dir_all(src.join("state")).unwrap();
        std::fs::write(src.join("state/mod.rs"), "use crate::ui::draw;\n").unwrap();
        std::fs::write(src.join("ui.rs"), "use crate::state::AppState;\n").unwrap();
        std::fs::write(src.join("status.rs"), "use crate::{kube};\n").unwrap();
        std::fs::write(src.join("kube.rs"), "// crate::nothing\n").unwrap();
        let found = problems(src);
        assert!(
            found.iter().any(|p| p
                == "state/mod.rs:1: `state` (state: update(state, msg) and its effects) imports `ui` (views: the screen and the report), a layer above it"),
            "{found:?}"
        );
        assert!(
            found.iter().any(|p| p.starts_with("status.rs:1: `status`")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p == "import circle: state -> ui (state/mod.rs:1), ui -> state (ui.rs:1)"),
            "{found:?}"
        );
        assert!(!found.iter().any(|p| p.contains("nothing")), "{found:?}");
    }

    #[test]
    fn a_module_without_a_layer_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gadget.rs"), "use crate::state::X;\n").unwrap();
        let found = problems(dir.path());
        assert!(
            found.contains(
                &"module `gadget` has no layer: add it to LAYERS in src/layers.rs".into()
            ),
            "{found:?}"
        );
    }
}
