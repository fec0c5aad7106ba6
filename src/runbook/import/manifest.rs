//! YAML snippets read by a small line scan, for the few keys the importer
//! needs: a document's top-level `kind` and `metadata.name`/`namespace`,
//! `livenessProbe`/`readinessProbe`/`startupProbe` `httpGet` paths, and
//! Prometheus alert rules (`alert:` and `expr:`).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpProbe {
    /// `livenessProbe`, `readinessProbe` or `startupProbe`.
    pub kind: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    pub name: String,
    pub expr: String,
}

#[derive(Debug, Clone, Default)]
pub struct Manifests {
    pub objects: Vec<Object>,
    pub probes: Vec<HttpProbe>,
    pub rules: Vec<AlertRule>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '-']).len()
}

/// `key: value` of a line (a leading `- ` allowed), the value unquoted
/// and without a trailing comment.
fn key_value(line: &str) -> Option<(&str, String)> {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let (key, value) = t.split_once(':')?;
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    Some((key, scalar(value)))
}

fn scalar(value: &str) -> String {
    let v = value.trim();
    if let Some(q) = v.chars().next().filter(|q| *q == '"' || *q == '\'')
        && let Some(end) = v[1..].find(q)
    {
        return v[1..=end].to_string();
    }
    let v = match v.find(" #") {
        Some(at) => &v[..at],
        None => v,
    };
    v.trim().to_string()
}

fn blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Reads one YAML snippet into `out`.
pub fn scan(text: &str, out: &mut Manifests) {
    let mut doc: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim_end() == "---" {
            scan_document(&doc, out);
            doc.clear();
        } else {
            doc.push(line);
        }
    }
    scan_document(&doc, out);
}

fn scan_document(lines: &[&str], out: &mut Manifests) {
    let mut kind = None;
    let mut name = None;
    let mut namespace = None;
    for (i, line) in lines.iter().enumerate() {
        if blank(line) || line.starts_with([' ', '\t', '-']) {
            continue;
        }
        match key_value(line) {
            Some(("kind", v)) => kind = Some(v),
            Some(("metadata", _)) => {
                let block = nested(&lines[i + 1..], 0);
                let top = block.iter().map(|l| indent(l)).min().unwrap_or(0);
                for l in block.iter().filter(|l| indent(l) == top) {
                    match key_value(l) {
                        Some(("name", v)) => name = Some(v),
                        Some(("namespace", v)) => namespace = Some(v),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if let (Some(kind), Some(name)) = (kind, name) {
        out.objects.push(Object {
            kind,
            name,
            namespace,
        });
    }
    scan_probes(lines, out);
    scan_rules(lines, out);
}

/// The non-blank lines after a key at `at` that are indented deeper.
fn nested<'a>(lines: &[&'a str], at: usize) -> Vec<&'a str> {
    lines
        .iter()
        .take_while(|l| blank(l) || indent(l) > at)
        .filter(|l| !blank(l))
        .copied()
        .collect()
}

fn scan_probes(lines: &[&str], out: &mut Manifests) {
    for (i, line) in lines.iter().enumerate() {
        let Some((key, _)) = key_value(line) else {
            continue;
        };
        if !matches!(key, "livenessProbe" | "readinessProbe" | "startupProbe") {
            continue;
        }
        let block = nested(&lines[i + 1..], indent(line));
        let path = block
            .iter()
            .filter_map(|l| key_value(l))
            .find(|(k, _)| *k == "path")
            .map(|(_, v)| v);
        if let Some(path) = path.filter(|p| p.starts_with('/')) {
            out.probes.push(HttpProbe {
                kind: key.to_string(),
                path,
            });
        }
    }
}

fn scan_rules(lines: &[&str], out: &mut Manifests) {
    for (i, line) in lines.iter().enumerate() {
        let Some(("alert", name)) = key_value(line) else {
            continue;
        };
        let at = indent(line);
        let rest = &lines[i + 1..];
        let block_end = rest
            .iter()
            .position(|l| {
                !blank(l)
                    && (indent(l) < at
                        || (l.trim_start().starts_with('-') && indent(l) <= at)
                        || matches!(key_value(l), Some(("alert", _))))
            })
            .unwrap_or(rest.len());
        let block = &rest[..block_end];
        let Some(j) = block
            .iter()
            .position(|l| matches!(key_value(l), Some(("expr", _))))
        else {
            continue;
        };
        let Some((_, value)) = key_value(block[j]) else {
            continue;
        };
        let expr = if matches!(value.as_str(), "|" | "|-" | ">" | ">-" | "|+" | ">+") {
            nested(&block[j + 1..], indent(block[j]))
                .iter()
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            value
        };
        if !name.is_empty() && !expr.is_empty() {
            out.rules.push(AlertRule { name, expr });
        }
    }
}

/// Splits an alert expression at its last top-level comparison with a
/// number: `rate(x[5m]) > 0.05` → (`rate(x[5m])`, `> 0.05`).
pub fn split_threshold(expr: &str) -> Option<(String, String)> {
    let bytes = expr.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut last: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
        } else {
            match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'>' | b'<' | b'=' | b'!' if depth == 0 => {
                    let two = bytes.get(i + 1) == Some(&b'=');
                    if two {
                        last = Some((i, 2));
                        i += 1;
                    } else if b == b'>' || b == b'<' {
                        last = Some((i, 1));
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    let (at, len) = last?;
    let op = expr.get(at..at + len)?;
    let right = expr.get(at + len..)?.trim();
    let right = right.strip_prefix("bool ").unwrap_or(right).trim();
    let number: f64 = right.parse().ok()?;
    let left = expr.get(..at)?.trim();
    if left.is_empty() || !number.is_finite() {
        return None;
    }
    Some((left.to_string(), format!("{op} {right}")))
}
