//! Container logs as the simulated kubelet writes them. Nothing is stored:
//! every line of a container instance follows from the pod's uid, the
//! container's name, image and restart number, and the instance's start
//! (and end) time, so line `i` is computed when it is asked for. Only the
//! newest [`MAX_LINES`] lines of an instance are kept, as if the kubelet
//! rotated its log files; memory does not grow with pods or with time.
//!
//! An instance writes a few startup lines, then one request (or job) line
//! every half second or so, some of them warnings, and errors with 5xx
//! statuses when its image serves errors. A crash-looping image stops
//! after its startup lines and writes a fatal error when it dies; a pod
//! being deleted writes shutdown lines from its SIGTERM. A Job's container
//! runs a script instead (a migration tool's steps for a `migrate` image,
//! batches for others) and ends with its result, or with an error and a
//! fatal line when its image fails.

mod pod;
mod text;

pub use pod::{LogError, container, instance};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// Lines of one container instance that are kept; older ones are rotated away.
pub const MAX_LINES: u64 = 2000;

/// Nanoseconds since the Unix epoch.
pub type Nanos = i128;

const MS: Nanos = 1_000_000;

/// When the startup lines are written, after the container starts.
const STARTUP_MS: [Nanos; 5] = [1, 6, 14, 23, 31];
/// When a Job's script lines are written, after its container starts.
const SCRIPT_MS: [Nanos; 8] = [1, 6, 14, 23, 40, 120, 150, 230];
/// A failing Job's script stops after this many lines.
const SCRIPT_FAILS_AFTER: usize = 5;
/// When the first request line can be written, after the container starts.
const REQUESTS_AFTER: Nanos = 100 * MS;

pub fn now() -> Nanos {
    jiff::Timestamp::now().as_nanosecond()
}

fn nanos(t: &Time) -> Nanos {
    t.0.as_nanosecond()
}

/// How an instance's last lines read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finals {
    /// Still running, not asked to stop: no last lines yet.
    None,
    /// Died with an error: an error line, then a fatal one.
    Crash,
    /// Stopped by SIGTERM: shutdown lines `step` apart.
    Shutdown { step: Nanos },
    /// A Job's container that exited 0: its result lines.
    Done,
}

/// One run of a container: what it writes and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    seed: u64,
    /// The restart number (0 for the first run).
    index: i32,
    app: String,
    version: String,
    namespace: String,
    worker: bool,
    errors: bool,
    /// A crash-looping image never gets past its startup (nor a failing
    /// Job's past the middle of its script).
    crashing: bool,
    /// A Job's container: a script, no requests.
    batch: bool,
    start: Nanos,
    /// When the process began to stop; nothing but the final lines is
    /// written from then on.
    stop: Option<Nanos>,
    finals: Finals,
    /// Whether the instance has exited (no line will ever be added).
    pub ended: bool,
}

/// Which part of an instance's output a line index falls in.
enum Part {
    Startup(usize),
    Request(u64),
    Final(usize),
}

impl Instance {
    /// Whether `other` is the same run of the same container (perhaps
    /// observed later, when more is known about its end).
    pub fn same(&self, other: &Instance) -> bool {
        self.seed == other.seed && self.index == other.index && self.start == other.start
    }

    fn startup_count(&self) -> usize {
        if self.batch {
            return if self.crashing {
                SCRIPT_FAILS_AFTER
            } else {
                SCRIPT_MS.len()
            };
        }
        if self.crashing {
            STARTUP_MS.len() - 1
        } else {
            STARTUP_MS.len()
        }
    }

    fn startup_time(&self, j: usize) -> Nanos {
        let jitter = (mix(self.seed ^ (j as u64 + 1)) % 900_000) as Nanos;
        let at = if self.batch {
            SCRIPT_MS[j]
        } else {
            STARTUP_MS[j]
        };
        self.start + at * MS + jitter
    }

    /// When script line `j` is written, in whole milliseconds after start.
    fn time_at(&self, j: usize) -> Nanos {
        (self.startup_time(j) - self.start) / MS
    }

    fn period(&self) -> Nanos {
        let base = if self.worker { 800 } else { 350 };
        (base + (self.seed % 300) as Nanos) * MS
    }

    fn jitter(&self, k: u64) -> Nanos {
        let r = mix(self.seed ^ k.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5bd1);
        (r % self.period() as u64) as Nanos
    }

    fn request_time(&self, k: u64) -> Nanos {
        self.start + REQUESTS_AFTER + k as Nanos * self.period() + self.jitter(k)
    }

    /// Request lines with a time at or before `t`, ignoring `stop`.
    fn requests_by(&self, t: Nanos) -> u64 {
        if self.crashing || self.batch {
            return 0;
        }
        let d = t - (self.start + REQUESTS_AFTER);
        if d < 0 {
            return 0;
        }
        let p = self.period();
        let m = (d / p) as u64;
        let rest = d - m as Nanos * p;
        m + u64::from(self.jitter(m) <= rest)
    }

    /// Startup lines written before `stop`, and request lines (None: no
    /// limit yet).
    fn parts(&self) -> (usize, Option<u64>) {
        match self.stop {
            None => (self.startup_count(), None),
            Some(stop) => (
                (0..self.startup_count())
                    .filter(|&j| self.startup_time(j) < stop)
                    .count(),
                Some(self.requests_by(stop - 1)),
            ),
        }
    }

    fn final_times(&self) -> Vec<Nanos> {
        let Some(stop) = self.stop else {
            return Vec::new();
        };
        match self.finals {
            Finals::None => Vec::new(),
            Finals::Crash | Finals::Done => vec![stop, stop + MS],
            Finals::Shutdown { step } => vec![stop, stop + step, stop + 2 * step],
        }
    }

    /// How many lines the instance has written by `t`.
    pub fn written(&self, t: Nanos) -> u64 {
        let stop = self.stop.unwrap_or(Nanos::MAX);
        let startup = (0..self.startup_count())
            .filter(|&j| {
                let at = self.startup_time(j);
                at <= t && at < stop
            })
            .count() as u64;
        let requests = self.requests_by(t.min(stop - 1));
        let finals = self.final_times().iter().filter(|&&f| f <= t).count() as u64;
        startup + requests + finals
    }

    /// Every line the instance will ever write, if it has stopped.
    pub fn total(&self) -> Option<u64> {
        let (startup, requests) = self.parts();
        Some(startup as u64 + requests? + self.final_times().len() as u64)
    }

    fn part(&self, i: u64) -> Part {
        let (startup, requests) = self.parts();
        if i < startup as u64 {
            return Part::Startup(i as usize);
        }
        let i = i - startup as u64;
        match requests {
            Some(n) if i >= n => Part::Final((i - n) as usize),
            _ => Part::Request(i),
        }
    }

    /// When line `i` is (or will be) written.
    pub fn time(&self, i: u64) -> Nanos {
        match self.part(i) {
            Part::Startup(j) => self.startup_time(j),
            Part::Request(k) => self.request_time(k),
            Part::Final(j) => self.final_times().get(j).copied().unwrap_or(Nanos::MAX),
        }
    }

    /// The first line at or after `since` among lines `from..to`.
    pub fn first_since(&self, since: Nanos, from: u64, to: u64) -> u64 {
        let (mut lo, mut hi) = (from, to);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.time(mid) < since {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Line `i` as the container printed it, with its newline.
    pub fn text(&self, i: u64) -> String {
        let at = self.time(i);
        let (level, message) = match self.part(i) {
            Part::Startup(j) => ("INFO", self.startup_line(j)),
            Part::Request(k) => self.request_line(k),
            Part::Final(j) => self.final_line(j),
        };
        format!("{} {level} {message}\n", app_time(at))
    }
}

/// `2026-11-23T10:00:00.123Z`: the application's own timestamp.
pub fn app_time(t: Nanos) -> String {
    jiff::Timestamp::from_nanosecond(t)
        .map(|t| format!("{t:.3}"))
        .unwrap_or_default()
}

/// RFC 3339 with nanoseconds, trailing zeros dropped, as the kubelet
/// prefixes lines with `timestamps=true`.
pub fn rfc3339_nano(t: Nanos) -> String {
    jiff::Timestamp::from_nanosecond(t)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// SplitMix64: a well-mixed 64-bit value from any 64-bit value.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over several strings, each followed by a separator.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controller::{crashes, serves_errors};

    fn running(image: &str) -> Instance {
        Instance {
            seed: 42,
            index: 0,
            app: "shop-api".into(),
            version: "v1.4.2".into(),
            namespace: "shop".into(),
            worker: false,
            errors: serves_errors(image),
            crashing: crashes(image),
            batch: false,
            start: 1_700_000_000 * 1_000_000_000,
            stop: None,
            finals: Finals::None,
            ended: false,
        }
    }

    #[test]
    fn lines_are_in_time_order_and_counted_exactly() {
        let inst = running("shop/api:1.0");
        let n = inst.written(inst.start + 60 * 1_000_000_000);
        assert!(n > 80, "{n}");
        for i in 1..n {
            assert!(inst.time(i - 1) < inst.time(i), "line {i}");
        }
        // `written` agrees with the line times at every boundary.
        for i in 0..n {
            let t = inst.time(i);
            assert_eq!(inst.written(t), i + 1, "at line {i}");
            assert_eq!(inst.written(t - 1), i, "before line {i}");
        }
        assert!(
            inst.text(0)
                .contains("INFO starting shop-api version=v1.4.2")
        );
        assert!(inst.text(4).contains("INFO listening on :8080"));
        assert_eq!(inst.total(), None);
        assert_eq!(inst.first_since(inst.time(10), 0, n), 10);
        assert_eq!(inst.first_since(inst.time(10) + 1, 0, n), 11);
    }

    #[test]
    fn a_crash_ends_with_a_fatal_line() {
        let mut inst = running("shop/api:1.0-crash");
        inst.stop = Some(inst.start + 100 * MS);
        inst.finals = Finals::Crash;
        inst.ended = true;
        let total = inst.total().unwrap();
        assert_eq!(total, 6);
        assert_eq!(inst.written(inst.start + 10_000 * MS), total);
        assert!(inst.text(total - 1).contains(" FATAL "));
        assert!(inst.text(total - 2).contains(" ERROR "));
    }

    #[test]
    fn bad_images_log_5xx_errors() {
        let inst = running("shop/api:1.0-bad");
        let n = inst.written(inst.start + 120 * 1_000_000_000);
        let errors = (0..n)
            .map(|i| inst.text(i))
            .filter(|l| l.contains(" ERROR ") && l.contains("status=5"))
            .count();
        assert!(errors > n as usize / 10, "{errors} of {n}");
        let good = running("shop/api:1.0");
        assert!((0..n).all(|i| !good.text(i).contains(" ERROR ")));
    }

    #[test]
    fn timestamps_look_like_the_kubelets_and_the_apps() {
        let t = 1_700_000_000 * 1_000_000_000 + 123_450_000;
        assert_eq!(rfc3339_nano(t), "2023-11-14T22:13:20.12345Z");
        assert_eq!(app_time(t), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            app_time(1_700_000_000 * 1_000_000_000),
            "2023-11-14T22:13:20.000Z"
        );
    }
}
