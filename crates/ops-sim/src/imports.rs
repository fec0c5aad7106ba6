//! The test that keeps the crate's top-level modules free of import
//! circles: every `crate::name` path (and `super::name` that means the
//! same) outside comments is an edge from the module of its file to
//! `name`, and no chain of edges may come back to where it started.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Edges = BTreeMap<String, BTreeMap<String, String>>;

/// Top-level module names a line refers to through `prefix` (`crate::`,
/// `super::`, `super::super::`).
fn named(line: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

fn edges(src: &Path) -> Edges {
    let mut edges = Edges::new();
    let mut stack = vec![src.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(src).ok())
        .filter_map(|r| r.components().next())
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .filter(|m| m != "lib")
        .collect();
    for file in files {
        let Ok(relative) = file.strip_prefix(src) else {
            continue;
        };
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let module = parts[0].trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        // How `super::` climbs to the crate from this file.
        let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod.rs"));
        let to_crate = "super::".repeat(depth);
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut names = named(line, "crate::");
            names.extend(named(line, &to_crate));
            for name in names {
                if name != module && modules.contains(&name) {
                    edges
                        .entry(module.clone())
                        .or_default()
                        .entry(name)
                        .or_insert_with(|| format!("{}:{}", relative.display(), n + 1));
                }
            }
        }
    }
    edges
}

/// A circle of imports, if there is one.
fn circle(edges: &Edges) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &Edges,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
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
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|start| visit(start, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_modules_import_one_another_without_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    assert!(edges.contains_key("api") && edges["api"].contains_key("store"));
    if let Some(found) = circle(&edges) {
        let hops: Vec<String> = found
            .windows(2)
            .map(|w| format!("{} -> {} ({})", w[0], w[1], edges[&w[0]][&w[1]]))
            .collect();
        panic!("import circle: {}", hops.join(", "));
    }
}

#[test]
fn paths_name_their_top_level_modules() {
    assert_eq!(
        named("use crate::store::{Kind, Obj};", "crate::"),
        ["store"]
    );
    assert_eq!(
        named("x = $crate::a; y = crate::b::c", "crate::"),
        ["a", "b"]
    );
    assert!(named("use ops_crate::x;", "crate::").is_empty());
    assert_eq!(
        named("use super::super::cluster::lock;", "super::super::"),
        ["cluster"]
    );
    let mut edges = Edges::new();
    edges
        .entry("a".into())
        .or_default()
        .insert("b".into(), "a.rs:1".into());
    assert!(circle(&edges).is_none());
    edges
        .entry("b".into())
        .or_default()
        .insert("a".into(), "b.rs:1".into());
    assert_eq!(circle(&edges).unwrap(), ["a", "b", "a"]);
}
