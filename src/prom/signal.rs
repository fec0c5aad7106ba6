//! A signal's value judged against its thresholds, and the reading shown
//! for a query that returns several series (the worst of them).

use super::client::PromError;
use crate::runbook::model::Unit;
use crate::runbook::threshold::Threshold;
use crate::runbook::units;

#[derive(Debug, Clone, PartialEq)]
pub enum SignalState {
    Ok,
    Warn,
    Fail,
    /// The query returned no series.
    NoData,
    NaN,
    /// Positive or negative infinity.
    Inf,
    /// Prometheus answered with an error (a rejected query, a bad answer).
    Error(String),
    /// Prometheus could not be reached.
    Unreachable(String),
}

impl SignalState {
    /// How bad the state is, for picking the worst series: unreachable and
    /// error, then fail, warn, infinity, NaN, no data, ok.
    pub fn severity(&self) -> u8 {
        match self {
            SignalState::Ok => 0,
            SignalState::NoData => 1,
            SignalState::NaN => 2,
            SignalState::Inf => 3,
            SignalState::Warn => 4,
            SignalState::Fail => 5,
            SignalState::Error(_) => 6,
            SignalState::Unreachable(_) => 7,
        }
    }

    /// A short word for the state.
    pub fn label(&self) -> &'static str {
        match self {
            SignalState::Ok => "OK",
            SignalState::Warn => "WARN",
            SignalState::Fail => "FAIL",
            SignalState::NoData => "NO DATA",
            SignalState::NaN => "NaN",
            SignalState::Inf => "Inf",
            SignalState::Error(_) => "ERROR",
            SignalState::Unreachable(_) => "UNREACHABLE",
        }
    }

    pub fn is_ok(&self) -> bool {
        *self == SignalState::Ok
    }
}

/// Judges one value: the fail threshold first, then warn. No value, NaN
/// and infinities are states of their own, never OK.
pub fn judge(
    value: Option<f64>,
    warn: Option<&Threshold>,
    fail: Option<&Threshold>,
) -> SignalState {
    let Some(v) = value else {
        return SignalState::NoData;
    };
    if v.is_nan() {
        return SignalState::NaN;
    }
    if v.is_infinite() {
        return SignalState::Inf;
    }
    if fail.is_some_and(|t| t.holds(v)) {
        SignalState::Fail
    } else if warn.is_some_and(|t| t.holds(v)) {
        SignalState::Warn
    } else {
        SignalState::Ok
    }
}

/// What a signal shows: the worst series' value and labels, how many
/// series the query returned, and the state.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub value: Option<f64>,
    pub series: usize,
    /// The labels of the series shown (empty for a single unlabelled one).
    pub worst_labels: String,
    pub state: SignalState,
    /// Each series' value by the pod its `per_revision` label names
    /// (empty unless the signal compares revisions).
    pub by_pod: Vec<(String, f64)>,
}

impl Reading {
    /// Judges every series and keeps the worst: the one whose state is
    /// worst; among equals the largest value when the thresholds trip on
    /// high values (`>`, `>=`, or no direction), the smallest when they
    /// trip on low ones (`<`, `<=`).
    pub fn judge(
        series: &[(String, f64)],
        warn: Option<&Threshold>,
        fail: Option<&Threshold>,
    ) -> Reading {
        let high_is_bad = fail
            .and_then(|t| t.op.high_is_bad())
            .or_else(|| warn.and_then(|t| t.op.high_is_bad()))
            .unwrap_or(true);
        let mut worst: Option<(usize, SignalState)> = None;
        for (i, (_, v)) in series.iter().enumerate() {
            let state = judge(Some(*v), warn, fail);
            let replace = match &worst {
                None => true,
                Some((w, ws)) => {
                    let wv = series[*w].1;
                    state.severity() > ws.severity()
                        || (state.severity() == ws.severity()
                            && if high_is_bad { *v > wv } else { *v < wv })
                }
            };
            if replace {
                worst = Some((i, state));
            }
        }
        match worst {
            Some((i, state)) => Reading {
                value: Some(series[i].1),
                series: series.len(),
                worst_labels: series[i].0.clone(),
                state,
                by_pod: Vec::new(),
            },
            None => Reading {
                value: None,
                series: 0,
                worst_labels: String::new(),
                state: SignalState::NoData,
                by_pod: Vec::new(),
            },
        }
    }

    /// The reading of a query that failed.
    pub fn failed(error: &PromError) -> Reading {
        let state = match error {
            PromError::Unreachable(reason) => SignalState::Unreachable(reason.clone()),
            other => SignalState::Error(other.to_string()),
        };
        Reading {
            value: None,
            series: 0,
            worst_labels: String::new(),
            state,
            by_pod: Vec::new(),
        }
    }

    /// The value as text in `unit` (`0.52%`), the state's word when there
    /// is none, and how many series when more than one: `0.52% (worst of 3)`.
    pub fn text(&self, unit: Option<Unit>) -> String {
        let value = match self.value {
            Some(v) => units::format(v, unit),
            None => self.state.label().to_string(),
        };
        if self.series > 1 {
            format!("{value} (worst of {})", self.series)
        } else {
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Threshold {
        Threshold::parse(s).unwrap()
    }

    #[test]
    fn judge_every_state() {
        let warn = t("> 0.005");
        let fail = t("> 0.01");
        let (w, f) = (Some(&warn), Some(&fail));
        assert_eq!(judge(Some(0.001), w, f), SignalState::Ok);
        assert_eq!(judge(Some(0.005), w, f), SignalState::Ok);
        assert_eq!(judge(Some(0.007), w, f), SignalState::Warn);
        assert_eq!(judge(Some(0.02), w, f), SignalState::Fail);
        assert_eq!(judge(None, w, f), SignalState::NoData);
        assert_eq!(judge(Some(f64::NAN), w, f), SignalState::NaN);
        assert_eq!(judge(Some(f64::INFINITY), w, f), SignalState::Inf);
        assert_eq!(judge(Some(f64::NEG_INFINITY), w, f), SignalState::Inf);
        // No thresholds: any finite value is fine, missing ones are not.
        assert_eq!(judge(Some(1e9), None, None), SignalState::Ok);
        assert_eq!(judge(None, None, None), SignalState::NoData);
        assert_eq!(judge(Some(f64::NAN), None, None), SignalState::NaN);
        // Fail wins over warn when both hold; either may be absent.
        assert_eq!(judge(Some(0.5), Some(&t("> 0")), f), SignalState::Fail);
        assert_eq!(judge(Some(0.007), w, None), SignalState::Warn);
        assert_eq!(judge(Some(0.02), None, f), SignalState::Fail);
        // Low values can be the bad ones.
        let low_warn = t("< 0.999");
        let low_fail = t("< 0.99");
        assert_eq!(
            judge(Some(0.995), Some(&low_warn), Some(&low_fail)),
            SignalState::Warn
        );
        assert_eq!(
            judge(Some(0.95), Some(&low_warn), Some(&low_fail)),
            SignalState::Fail
        );
        // The two failure states come from errors, not values.
        let unreachable = Reading::failed(&PromError::Unreachable("connection refused".into()));
        assert_eq!(
            unreachable.state,
            SignalState::Unreachable("connection refused".into())
        );
        let rejected = Reading::failed(&PromError::Rejected("parse error".into()));
        assert!(matches!(rejected.state, SignalState::Error(ref m) if m.contains("parse error")));
        assert_eq!(rejected.value, None);
        assert!(!rejected.state.is_ok() && !unreachable.state.is_ok());
    }

    fn series(values: &[f64]) -> Vec<(String, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{{pod=\"p{i}\"}}"), *v))
            .collect()
    }

    #[test]
    fn worst_series() {
        let warn = t("> 0.5");
        let fail = t("> 0.9");
        let r = Reading::judge(&series(&[0.1, 0.95, 0.6]), Some(&warn), Some(&fail));
        assert_eq!(r.state, SignalState::Fail);
        assert_eq!(r.value, Some(0.95));
        assert_eq!(r.worst_labels, "{pod=\"p1\"}");
        assert_eq!(r.series, 3);
        // All OK: the largest value, since high values are the bad ones.
        let r = Reading::judge(&series(&[0.1, 0.3, 0.2]), Some(&warn), Some(&fail));
        assert_eq!((r.state, r.value), (SignalState::Ok, Some(0.3)));
        // Two failing: the larger.
        let r = Reading::judge(&series(&[0.91, 0.99, 0.95]), None, Some(&fail));
        assert_eq!(r.value, Some(0.99));
        // `<`-style thresholds: the smallest.
        let low = t("< 0.99");
        let r = Reading::judge(&series(&[0.999, 0.98, 0.97, 0.995]), None, Some(&low));
        assert_eq!((r.state, r.value), (SignalState::Fail, Some(0.97)));
        assert_eq!(r.worst_labels, "{pod=\"p2\"}");
        let r = Reading::judge(&series(&[0.999, 0.995]), Some(&t("<= 1")), None);
        assert_eq!((r.state, r.value), (SignalState::Warn, Some(0.995)));
        // NaN and infinity are never hidden behind OK series.
        let r = Reading::judge(&series(&[0.1, f64::NAN, 0.2]), Some(&warn), Some(&fail));
        assert_eq!(r.state, SignalState::NaN);
        assert_eq!(r.worst_labels, "{pod=\"p1\"}");
        let r = Reading::judge(&series(&[f64::NAN, f64::INFINITY]), Some(&warn), None);
        assert_eq!(r.state, SignalState::Inf);
        // But a failing series is worse than NaN.
        let r = Reading::judge(&series(&[f64::NAN, 0.95]), Some(&warn), Some(&fail));
        assert_eq!(r.state, SignalState::Fail);
        // No thresholds: the largest.
        let r = Reading::judge(&series(&[3.0, 7.0, 5.0]), None, None);
        assert_eq!(r.value, Some(7.0));
        // No series: no data.
        let r = Reading::judge(&[], Some(&warn), Some(&fail));
        assert_eq!(r.state, SignalState::NoData);
        assert_eq!((r.value, r.series), (None, 0));
    }

    #[test]
    fn text() {
        let warn = t("> 0.005");
        let one = Reading::judge(&[(String::new(), 0.0052)], Some(&warn), None);
        assert_eq!(one.text(Some(Unit::Percent)), "0.52%");
        let many = Reading::judge(&series(&[0.001, 0.0052, 0.002]), Some(&warn), None);
        assert_eq!(many.text(Some(Unit::Percent)), "0.52% (worst of 3)");
        let none = Reading::judge(&[], Some(&warn), None);
        assert_eq!(none.text(Some(Unit::Percent)), "NO DATA");
        let nan = Reading::judge(&[(String::new(), f64::NAN)], Some(&warn), None);
        assert_eq!(nan.text(Some(Unit::Percent)), "NaN");
        let down = Reading::failed(&PromError::Unreachable("x".into()));
        assert_eq!(down.text(None), "UNREACHABLE");
    }
}
