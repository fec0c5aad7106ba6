//! Key names as written in keymap files: `q`, `?`, `ctrl-c`, `shift-tab`,
//! `alt-enter`, `f5`, `pgdown`. Parsing and display round-trip.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, normalised so that a binding read from a file
/// compares equal to the event a terminal sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

/// Why a key name in a keymap does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("empty key name")]
    Empty,
    #[error("unknown modifier \"{modifier}\" (expected ctrl, alt or shift)")]
    UnknownModifier { modifier: String },
    /// `ctrl-` with nothing after it; `text` is the name as written.
    #[error("\"{text}\" has a modifier but no key after it")]
    NoKey { text: String },
    #[error(
        "unknown key \"{key}\" (expected a single character, a name such as enter, esc, tab, space, up, pgdown, or f1..f24)"
    )]
    UnknownKey { key: String },
    /// `shift-` with a character that is not a letter (`shift-1`).
    #[error(
        "\"{text}\": write the shifted character itself (for example \"!\" rather than \"shift-1\")"
    )]
    ShiftedSymbol { text: String },
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already says whether shift was held.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        Key::new(ev.code, ev.modifiers)
    }

    /// Parses a key name; the error says what was wrong.
    pub fn parse(text: &str) -> Result<Key, KeyError> {
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        // A lone "-" is the minus key; otherwise "-" separates modifiers.
        while let Some(idx) = rest.find('-') {
            if idx == 0 || rest.len() == 1 {
                break;
            }
            let (modifier, tail) = (&rest[..idx], &rest[idx + 1..]);
            let m = match modifier.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
                "alt" | "meta" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                other => {
                    return Err(KeyError::UnknownModifier {
                        modifier: other.to_string(),
                    });
                }
            };
            if tail.is_empty() {
                return Err(KeyError::NoKey {
                    text: text.to_string(),
                });
            }
            mods |= m;
            rest = tail;
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdown" | "pagedown" => KeyCode::PageDown,
            "minus" => KeyCode::Char('-'),
            lower => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => match lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                        Some(n @ 1..=24) => KeyCode::F(n),
                        _ => {
                            return Err(KeyError::UnknownKey {
                                key: rest.to_string(),
                            });
                        }
                    },
                }
            }
        };
        // shift-g is G; shift with other characters depends on the keyboard
        // layout, so the character itself must be written.
        if let KeyCode::Char(c) = code
            && mods.contains(KeyModifiers::SHIFT)
        {
            if c.is_ascii_alphabetic() {
                mods.remove(KeyModifiers::SHIFT);
                return Ok(Key::new(KeyCode::Char(c.to_ascii_uppercase()), mods));
            }
            return Err(KeyError::ShiftedSymbol {
                text: text.to_string(),
            });
        }
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdown"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_round_trip() {
        for name in [
            "q",
            "?",
            "ctrl-c",
            "shift-tab",
            "alt-enter",
            "f5",
            "pgdown",
            "space",
            "G",
            "-",
            "ctrl-alt-x",
            "esc",
            "up",
        ] {
            let key = Key::parse(name).unwrap();
            assert_eq!(Key::parse(&key.to_string()).unwrap(), key, "{name}");
        }
    }

    #[test]
    fn normalises_terminal_events() {
        // Terminals send BackTab with SHIFT, and uppercase letters with SHIFT.
        let backtab = Key::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(backtab, Key::parse("shift-tab").unwrap());
        let upper_g = Key::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(upper_g, Key::parse("G").unwrap());
        assert_ne!(upper_g, Key::parse("g").unwrap());
        assert_eq!(upper_g, Key::parse("shift-g").unwrap());
        let ctrl_c = Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(ctrl_c, Key::parse("ctrl-c").unwrap());
    }

    #[test]
    fn rejects_bad_names_with_a_reason() {
        assert_eq!(Key::parse(""), Err(KeyError::Empty));
        assert!(matches!(
            Key::parse("hyper-x"),
            Err(KeyError::UnknownModifier { modifier }) if modifier == "hyper"
        ));
        assert!(matches!(
            Key::parse("shift-1"),
            Err(KeyError::ShiftedSymbol { .. })
        ));
        assert!(Key::parse("").unwrap_err().to_string().contains("empty"));
        assert!(
            Key::parse("hyper-x")
                .unwrap_err()
                .to_string()
                .contains("unknown modifier")
        );
        assert!(
            Key::parse("ctrl-")
                .unwrap_err()
                .to_string()
                .contains("no key")
        );
        assert!(
            Key::parse("banana")
                .unwrap_err()
                .to_string()
                .contains("unknown key \"banana\"")
        );
        assert!(
            Key::parse("f99")
                .unwrap_err()
                .to_string()
                .contains("unknown key")
        );
        assert!(
            Key::parse("shift-1")
                .unwrap_err()
                .to_string()
                .contains("shifted character itself")
        );
    }
}
