//! The state of anything checked: ok, warn, fail or unknown.

/// The state of anything checked, always shown with a symbol and a word as
/// well as a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Unknown,
}

impl Status {
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Warn => "▲",
            Status::Fail => "✗",
            Status::Unknown => "?",
        }
    }

    /// What the state means, for the help overlay.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Ok => "ok: passing, healthy, complete",
            Status::Warn => "warn: degraded or progressing; look soon",
            Status::Fail => "fail: failing or stalled; act now",
            Status::Unknown => "unknown: no data yet, or not connected",
        }
    }
}
