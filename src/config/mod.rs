//! Configuration: paths, `config.toml`, themes and keymaps. Built-in files are
//! embedded; user files of the same name are layered on top of them.

pub mod keymap;
pub mod keys;
pub mod paths;
pub mod theme;

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::position::Source;

/// `<config dir>/config.toml`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Theme used when `--theme` is not given.
    pub theme: Option<String>,
    /// Keymap used when `--keymap` is not given.
    pub keymap: Option<String>,
}

impl Config {
    /// Reads `config.toml` from the config directory. A missing file is the
    /// defaults; a bad one is a warning and the defaults.
    pub fn load(config_dir: Option<&Path>) -> (Config, Vec<String>) {
        let Some(path) = config_dir.map(|d| d.join("config.toml")) else {
            return (Config::default(), Vec::new());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Config::default(), Vec::new());
            }
            Err(e) => {
                return (
                    Config::default(),
                    vec![format!("{}: cannot read: {e}", path.display())],
                );
            }
        };
        match toml::from_str(&text) {
            Ok(config) => (config, Vec::new()),
            Err(e) => {
                let origin = path.display().to_string();
                let src = Source::new(&origin, &text);
                let at = e.span().map_or(0, |s| s.start);
                let msg = format!("{}; using the defaults", e.message().trim_end());
                (Config::default(), vec![src.message(at, &msg)])
            }
        }
    }
}

/// One file of a layered theme or keymap, lowest first. Only files that
/// parse become layers.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The file path, or "built-in keymap vim".
    pub origin: String,
    pub text: String,
}

impl Layer {
    fn new(origin: String, text: String) -> Result<Layer, String> {
        let layer = Layer { origin, text };
        layer.parse()?;
        Ok(layer)
    }

    /// The file's tables with their positions.
    pub fn parse(&self) -> Result<Spanned<DeTable<'_>>, String> {
        DeTable::parse(&self.text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            self.source().message(at, e.message().trim_end())
        })
    }

    pub fn source(&self) -> Source<'_> {
        Source::new(&self.origin, &self.text)
    }

    /// The `extends = "name"` value, if any.
    fn extends(&self) -> Option<String> {
        let table = self.parse().ok()?;
        match table.get_ref().get("extends").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        }
    }
}

/// Collects the layers of a theme or keymap called `name`, lowest first:
/// the built-in chain (through `extends`), then the user's file.
pub fn load_layers(
    kind: &str,
    name: &str,
    builtins: &[(&str, &str)],
    user_dir: Option<&Path>,
) -> (Vec<Layer>, Vec<String>) {
    let mut warnings = Vec::new();
    let user_path = user_dir.map(|d| d.join(format!("{kind}s")).join(format!("{name}.toml")));
    let user_layer = match &user_path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => match Layer::new(path.display().to_string(), text) {
                Ok(layer) => Some(layer),
                Err(msg) => {
                    warnings.push(format!("{msg}; this file is ignored"));
                    None
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                warnings.push(format!("{}: cannot read: {e}", path.display()));
                None
            }
        },
        None => None,
    };

    let is_builtin = |n: &str| builtins.iter().any(|(b, _)| *b == n);
    let mut base = if is_builtin(name) {
        name.to_string()
    } else if let Some(layer) = &user_layer {
        match layer.extends() {
            Some(ext) if is_builtin(&ext) => ext,
            Some(ext) => {
                warnings.push(format!(
                    "{}: extends unknown {kind} \"{ext}\" (built in: {}); using default",
                    layer.origin,
                    builtin_names(builtins)
                ));
                "default".to_string()
            }
            None => "default".to_string(),
        }
    } else {
        let where_ = user_path
            .as_ref()
            .map(|p| format!(" and there is no {}", p.display()))
            .unwrap_or_default();
        warnings.push(format!(
            "unknown {kind} \"{name}\": built in are {}{where_}; using default",
            builtin_names(builtins)
        ));
        "default".to_string()
    };

    // The built-in chain, deepest base first. Bounded: built-ins are few.
    let mut chain = Vec::new();
    for _ in 0..builtins.len() {
        let Some((_, text)) = builtins.iter().find(|(b, _)| *b == base) else {
            break;
        };
        match Layer::new(format!("built-in {kind} {base}"), (*text).to_string()) {
            Ok(layer) => {
                let next = layer.extends();
                chain.push(layer);
                match next {
                    Some(next) if !chain.iter().any(|l| l.origin.ends_with(&next)) => base = next,
                    _ => break,
                }
            }
            Err(msg) => {
                warnings.push(msg);
                break;
            }
        }
    }
    chain.reverse();
    chain.extend(user_layer);
    (chain, warnings)
}

fn builtin_names(builtins: &[(&str, &str)]) -> String {
    builtins
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest known name to a misspelt one, if any is close.
pub fn suggest<'a>(wrong: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|n| (strsim::levenshtein(wrong, n), n))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Names of the files in `<user_dir>/<sub>/*.toml`, without the extension.
pub fn user_file_names(user_dir: Option<&Path>, sub: &str) -> Vec<String> {
    let Some(dir) = user_dir.map(|d| d.join(sub)) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "toml").then(|| path.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    names
}
