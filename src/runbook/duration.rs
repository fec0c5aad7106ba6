//! Durations written as `300ms`, `10s`, `5m`, `48h`, `14d` (humantime).

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// Why a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error(
        "invalid duration \"{text}\" ({why}): expected a number and a unit, such as 300ms, 10s, 5m, 48h or 14d"
    )]
    Invalid { text: String, why: String },
    #[error("duration \"{text}\" must be greater than zero")]
    Zero { text: String },
}

/// A positive duration read from a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub Duration);

impl Dur {
    pub fn default_every() -> Dur {
        Dur(Duration::from_secs(30))
    }

    pub fn default_timeout() -> Dur {
        Dur(Duration::from_secs(5))
    }

    /// Parses `300ms`, `10s`, `1m30s`, `48h`, `14d`; zero is refused.
    pub fn parse(text: &str) -> Result<Dur, DurationError> {
        let d = humantime::parse_duration(text.trim()).map_err(|e| DurationError::Invalid {
            text: text.to_string(),
            why: e.to_string(),
        })?;
        if d.is_zero() {
            return Err(DurationError::Zero {
                text: text.to_string(),
            });
        }
        Ok(Dur(d))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Compact: 1d, 36h, 1m30s, 300ms.
        let mut ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ] {
            if ms >= size {
                write!(f, "{}{unit}", ms / size)?;
                ms %= size;
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Dur, D::Error> {
        struct DurVisitor;

        impl Visitor<'_> for DurVisitor {
            type Value = Dur;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration in quotes, such as \"10s\", \"300ms\" or \"48h\"")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Dur, E> {
                Dur::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(DurVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_units_runbooks_use() {
        assert_eq!(Dur::parse("300ms").unwrap().0, Duration::from_millis(300));
        assert_eq!(Dur::parse("10s").unwrap().0, Duration::from_secs(10));
        assert_eq!(Dur::parse("48h").unwrap().0, Duration::from_secs(48 * 3600));
        assert_eq!(
            Dur::parse("14d").unwrap().0,
            Duration::from_secs(14 * 86400)
        );
        assert_eq!(Dur::parse("1m30s").unwrap().0, Duration::from_secs(90));
    }

    #[test]
    fn displays_compactly() {
        assert_eq!(Dur::parse("1d").unwrap().to_string(), "1d");
        assert_eq!(Dur::parse("90s").unwrap().to_string(), "1m30s");
        assert_eq!(Dur::parse("300ms").unwrap().to_string(), "300ms");
    }

    #[test]
    fn refuses_nonsense_and_zero() {
        let no_unit = Dur::parse("10").unwrap_err();
        assert!(matches!(no_unit, DurationError::Invalid { ref text, .. } if text == "10"));
        assert!(no_unit.to_string().contains("expected a number and a unit"));
        assert!(
            Dur::parse("ten seconds")
                .unwrap_err()
                .to_string()
                .contains("invalid duration")
        );
        let zero = Dur::parse("0s").unwrap_err();
        assert_eq!(zero, DurationError::Zero { text: "0s".into() });
        assert!(zero.to_string().contains("greater than zero"));
    }
}
