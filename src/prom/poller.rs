//! Bookkeeping for a task that polls Prometheus: when to retry after a
//! failure (bounded exponential backoff), how old the last good value is,
//! and the recent values for a sparkline. Pure: times are passed in.

use std::collections::VecDeque;
use std::time::Duration;

/// Retry delays after consecutive failures: `first`, doubling, never more
/// than `max`. A success starts over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    failures: u32,
}

impl Default for Backoff {
    /// 1s, 2s, 4s, … up to 30s.
    fn default() -> Backoff {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max: max.max(first),
            failures: 0,
        }
    }

    /// Records a failure; the delay before the next attempt.
    pub fn failed(&mut self) -> Duration {
        let shift = self.failures.min(20);
        self.failures = self.failures.saturating_add(1);
        self.first
            .checked_mul(1u32 << shift)
            .map_or(self.max, |d| d.min(self.max))
    }

    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// Failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// What a signal's poller knows between polls: the last good value and
/// when it came, the last error, and recent values (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Tracker {
    /// Unix seconds of the last successful query.
    pub last_good_at: Option<i64>,
    pub last_value: Option<f64>,
    /// The error of the last query, cleared by a success.
    pub last_error: Option<String>,
    pub history: VecDeque<(i64, f64)>,
    capacity: usize,
}

impl Tracker {
    /// A tracker keeping at most `capacity` recent values.
    pub fn new(capacity: usize) -> Tracker {
        Tracker {
            last_good_at: None,
            last_value: None,
            last_error: None,
            history: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// A successful query at `now`; `value` is `None` when it returned no
    /// data (still an answer: the age restarts, nothing joins the history).
    pub fn good(&mut self, now: i64, value: Option<f64>) {
        self.last_good_at = Some(now);
        self.last_value = value;
        self.last_error = None;
        if let Some(v) = value {
            // A finite value only: NaN and infinities cannot be drawn.
            if v.is_finite() {
                self.history.push_back((now, v));
                while self.history.len() > self.capacity {
                    self.history.pop_front();
                }
            }
        }
    }

    /// A failed query: the last good value is kept, and ages.
    pub fn bad(&mut self, error: impl Into<String>) {
        self.last_error = Some(error.into());
    }

    /// Seconds since the last good answer; `None` before the first.
    pub fn age(&self, now: i64) -> Option<i64> {
        self.last_good_at.map(|t| (now - t).max(0))
    }

    /// Whether the last good answer is older than `limit` (or there has
    /// been none).
    pub fn is_stale(&self, now: i64, limit: Duration) -> bool {
        self.age(now).is_none_or(|a| a as u64 > limit.as_secs())
    }

    /// Replaces the history with points from a range query, keeping the
    /// newest `capacity` finite ones.
    pub fn seed(&mut self, points: &[(i64, f64)]) {
        self.history = points
            .iter()
            .copied()
            .filter(|(_, v)| v.is_finite())
            .collect();
        while self.history.len() > self.capacity {
            self.history.pop_front();
        }
    }

    /// The recent values, oldest first, for a sparkline.
    pub fn values(&self) -> Vec<f64> {
        self.history.iter().map(|(_, v)| *v).collect()
    }
}

/// An age as the screen shows it: `just now`, `12s ago`, `3m ago`.
pub fn age_text(seconds: i64) -> String {
    match seconds {
        s if s < 2 => "just now".into(),
        s if s < 120 => format!("{s}s ago"),
        s if s < 7200 => format!("{}m ago", s / 60),
        s => format!("{}h ago", s / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_bound_and_resets() {
        let mut b = Backoff::default();
        let secs: Vec<u64> = (0..8).map(|_| b.failed().as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(b.failures(), 8);
        for _ in 0..100 {
            assert_eq!(b.failed(), Duration::from_secs(30));
        }
        b.succeeded();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.failed(), Duration::from_secs(1));
        let mut odd = Backoff::new(Duration::from_millis(300), Duration::from_millis(100));
        assert_eq!(odd.failed(), Duration::from_millis(300));
        assert_eq!(odd.failed(), Duration::from_millis(300));
    }

    #[test]
    fn tracker_ages_and_keeps_the_last_good_value() {
        let mut t = Tracker::new(3);
        assert_eq!(t.age(100), None);
        assert!(t.is_stale(100, Duration::from_secs(30)));
        t.good(100, Some(0.5));
        assert_eq!(t.age(112), Some(12));
        assert!(!t.is_stale(112, Duration::from_secs(30)));
        t.bad("Prometheus is unreachable: connection refused");
        assert_eq!(t.last_value, Some(0.5));
        assert_eq!(t.last_good_at, Some(100));
        assert!(t.last_error.is_some());
        assert!(t.is_stale(131, Duration::from_secs(30)));
        t.good(140, None);
        assert_eq!((t.last_value, t.last_error.clone()), (None, None));
        assert_eq!(t.age(140), Some(0));
        for (i, v) in [1.0, f64::NAN, 2.0, 3.0, 4.0].iter().enumerate() {
            t.good(200 + i as i64, Some(*v));
        }
        assert_eq!(t.values(), [2.0, 3.0, 4.0]);
        t.seed(&[(1, 9.0), (2, f64::INFINITY), (3, 8.0)]);
        assert_eq!(t.values(), [9.0, 8.0]);
        // A clock that went back does not give a negative age.
        assert_eq!(t.age(0), Some(0));
    }

    #[test]
    fn ages() {
        assert_eq!(age_text(0), "just now");
        assert_eq!(age_text(12), "12s ago");
        assert_eq!(age_text(180), "3m ago");
        assert_eq!(age_text(10_800), "3h ago");
    }
}
