//! Resource usage judged: a pod's memory near its limit, and the
//! `usage:WORKLOAD` check.

use crate::status::Status;

/// Memory use, as a per mille of the limit, from which a pod is shown as
/// near its limit (warn) and about to be OOM-killed (fail), unless the
/// runbook says otherwise.
pub const MEMORY_WARN: u32 = 800;
pub const MEMORY_FAIL: u32 = 950;

/// How memory use at `per_mille` of the limit is shown: None (no limit,
/// or no figures) is not judged.
pub fn memory_status(per_mille: Option<u32>) -> Option<Status> {
    match per_mille? {
        p if p >= MEMORY_FAIL => Some(Status::Fail),
        p if p >= MEMORY_WARN => Some(Status::Warn),
        _ => Some(Status::Ok),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_warns_at_80_and_fails_at_95_percent_of_the_limit() {
        assert_eq!(memory_status(None), None);
        assert_eq!(memory_status(Some(799)), Some(Status::Ok));
        assert_eq!(memory_status(Some(800)), Some(Status::Warn));
        assert_eq!(memory_status(Some(949)), Some(Status::Warn));
        assert_eq!(memory_status(Some(950)), Some(Status::Fail));
        assert_eq!(memory_status(Some(1200)), Some(Status::Fail));
    }
}
