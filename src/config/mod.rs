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

use crate::human::thousands;
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

/// Why a theme or keymap file is not TOML, with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}:{column}: {message}")]
pub struct SyntaxError {
    /// The file path, or "built-in keymap vim".
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a user theme or keymap file is not used, or a theme or keymap
/// named on the command line does not exist. `kind` is "theme" or
/// "keymap", `origin` the file's path.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{kind} {origin}: cannot read: {source}")]
    Unreadable {
        kind: String,
        origin: String,
        source: std::io::Error,
    },
    #[error("{kind} {origin}: larger than {} KiB; this file is ignored", MAX_FILE_BYTES / 1024)]
    TooLarge { kind: String, origin: String },
    #[error("{origin}:{line}:{column}: not valid UTF-8; this file is ignored")]
    NotUtf8 {
        origin: String,
        line: usize,
        column: usize,
    },
    #[error("{0}; this file is ignored")]
    Syntax(#[source] SyntaxError),
    /// More than [`MAX_KEYS`] keys (a theme's colours, a keymap's entries).
    #[error(
        "{kind} {origin}: more than {} {}; this file is ignored",
        thousands(MAX_KEYS),
        key_word(kind)
    )]
    TooManyKeys { kind: String, origin: String },
    /// A theme or keymap named on the command line that is neither built in
    /// nor a user file; `available` lists those that are ("name (yours)"
    /// for a user file).
    #[error("unknown {kind} \"{name}\": available are {}", .available.join(", "))]
    Unknown {
        kind: String,
        name: String,
        available: Vec<String>,
    },
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
    fn new(origin: String, text: String) -> Result<Layer, SyntaxError> {
        let layer = Layer { origin, text };
        layer.parse()?;
        Ok(layer)
    }

    /// The file's tables with their positions.
    pub fn parse(&self) -> Result<Spanned<DeTable<'_>>, SyntaxError> {
        DeTable::parse(&self.text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            let (line, column) = self.source().line_col(at);
            SyntaxError {
                origin: self.origin.clone(),
                line,
                column,
                message: e.message().trim_end().to_string(),
            }
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

/// The largest user theme or keymap file read.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The most keys (a theme's colours, a keymap's entries) a user file may
/// hold; a larger one is ignored with a warning.
pub const MAX_KEYS: usize = 10_000;
/// Problems listed per file; the rest are counted.
pub const MAX_WARNINGS: usize = 50;

/// What a theme's or keymap's keys are called in messages.
fn key_word(kind: &str) -> &'static str {
    if kind == "keymap" { "entries" } else { "keys" }
}

/// Reads a user theme or keymap: at most `MAX_FILE_BYTES`, valid UTF-8,
/// TOML, at most `MAX_KEYS` keys. None when the file does not exist; the
/// reason as a warning when it cannot be used.
fn read_user_layer(kind: &str, path: &Path) -> Result<Option<Layer>, ConfigError> {
    use std::io::Read as _;
    let origin = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ConfigError::Unreadable {
                kind: kind.to_string(),
                origin,
                source,
            });
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ConfigError::Unreadable {
            kind: kind.to_string(),
            origin: origin.clone(),
            source,
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ConfigError::TooLarge {
            kind: kind.to_string(),
            origin,
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = crate::position::invalid_utf8(e.as_bytes()).unwrap_or((1, 1));
        ConfigError::NotUtf8 {
            origin: origin.clone(),
            line,
            column,
        }
    })?;
    let layer = Layer::new(origin, text).map_err(ConfigError::Syntax)?;
    let keys = layer.parse().map_or(0, |table| {
        table
            .get_ref()
            .iter()
            .map(|(_, v)| match v.get_ref() {
                DeValue::Table(t) => t.len().max(1),
                _ => 1,
            })
            .sum()
    });
    if keys > MAX_KEYS {
        return Err(ConfigError::TooManyKeys {
            kind: kind.to_string(),
            origin: layer.origin,
        });
    }
    Ok(Some(layer))
}

/// Keeps the first `MAX_WARNINGS` of the warnings added since `from`, and
/// counts the rest in one line.
pub fn cap_warnings(origin: &str, warnings: &mut Vec<String>, from: usize) {
    let added = warnings.len().saturating_sub(from);
    if added > MAX_WARNINGS {
        warnings.truncate(from + MAX_WARNINGS);
        warnings.push(format!(
            "{origin}: and {} more problems",
            thousands(added - MAX_WARNINGS)
        ));
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
        Some(path) => read_user_layer(kind, path).unwrap_or_else(|e| {
            warnings.push(e.to_string());
            None
        }),
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
    } else if user_path.as_ref().is_some_and(|p| p.exists()) {
        // The user's file is there but unusable: its warning says why.
        "default".to_string()
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
            Err(e) => {
                warnings.push(e.to_string());
                break;
            }
        }
    }
    chain.reverse();
    chain.extend(user_layer);
    (chain, warnings)
}

/// A theme or keymap named on the command line must exist, built in or as a
/// user file: otherwise a one-line error listing the available ones (a
/// name from `config.toml` stays a warning, as a bad user file does).
pub fn check_named(
    kind: &str,
    name: &str,
    builtins: &[(&str, &str)],
    user_dir: Option<&Path>,
) -> Result<(), ConfigError> {
    let user = user_file_names(user_dir, &format!("{kind}s"));
    if builtins.iter().any(|(b, _)| *b == name) || user.iter().any(|u| u == name) {
        return Ok(());
    }
    let mut available: Vec<String> = builtins.iter().map(|(b, _)| b.to_string()).collect();
    available.extend(user.into_iter().map(|u| format!("{u} (yours)")));
    Err(ConfigError::Unknown {
        kind: kind.to_string(),
        name: name.to_string(),
        available,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_kinds_a_caller_can_match() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "colours = [\n").unwrap();
        let err = read_user_layer("theme", &path).unwrap_err();
        assert!(
            matches!(
                &err,
                ConfigError::Syntax(SyntaxError {
                    line: 1,
                    column: 12,
                    ..
                })
            ),
            "{err:?}"
        );
        assert!(err.to_string().ends_with("; this file is ignored"), "{err}");

        std::fs::write(&path, b"a = \"\xff\"\n").unwrap();
        let err = read_user_layer("theme", &path).unwrap_err();
        assert!(
            matches!(
                &err,
                ConfigError::NotUtf8 {
                    line: 1,
                    column: 6,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(matches!(
            read_user_layer("theme", &dir.path().join("none.toml")),
            Ok(None)
        ));

        let err = check_named("theme", "nope", &[("default", "")], Some(dir.path())).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Unknown { name, available, .. } if name == "nope" && available == &["default"]),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "unknown theme \"nope\": available are default"
        );
    }
}
