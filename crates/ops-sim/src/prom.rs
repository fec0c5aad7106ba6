//! A Prometheus HTTP API for the demo: it answers the queries the scenario
//! registers (the demo runbook's signals) from the simulated services'
//! counters, and evaluates alert rules (pending, then firing after `for`).
//! Any other query gets a Prometheus-shaped error that says it is simulated.

use std::sync::Arc;
use std::time::Duration;

use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use super::http::{self, Req, Resp};
use super::service::ServiceSim;
use super::traffic::{BOUNDS, Sample};

/// What a registered query measures, over a service's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// 5xx requests over all requests.
    ErrorRatio,
    /// 95th percentile of request latency, in seconds.
    P95Latency,
    /// Highest pod memory use over its limit.
    MemoryRatio,
    /// Requests per second.
    RequestRate,
    /// 5xx requests over all requests of each pod: one series per pod,
    /// labelled `pod`.
    ErrorRatioByPod,
}

/// A query the simulated Prometheus answers.
#[derive(Debug, Clone)]
pub struct Registered {
    pub query: String,
    pub service: String,
    pub measure: Measure,
}

/// An alerting rule: `measure > threshold` for `for_`.
#[derive(Debug, Clone)]
pub struct AlertRule {
    pub name: String,
    pub service: String,
    pub measure: Measure,
    pub threshold: f64,
    pub for_: Duration,
    pub severity: String,
    pub summary: String,
}

/// Rates are computed over this window of samples (the simulated traffic
/// moves faster than a real service's, so a minute stands for `[5m]`).
pub const WINDOW: Duration = Duration::from_secs(60);

pub struct PromSim {
    pub services: Vec<Arc<ServiceSim>>,
    pub queries: Vec<Registered>,
    pub rules: Vec<AlertRule>,
    /// The window rates are computed over.
    pub window: Duration,
}

/// The last sample at or before `t` (unix seconds).
fn sample_at(history: &std::collections::VecDeque<Sample>, t: f64) -> Option<&Sample> {
    history
        .iter()
        .rev()
        .find(|s| (s.at.as_millisecond() as f64 / 1000.0) <= t)
}

fn normalise(q: &str) -> String {
    q.chars().filter(|c| !c.is_whitespace()).collect()
}

fn prom_error(code: StatusCode, kind: &str, message: String) -> Resp {
    http::json(
        code,
        &json!({"status": "error", "errorType": kind, "error": message}),
    )
}

/// Parses a Prometheus time (unix seconds, or RFC 3339).
fn parse_time(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().or_else(|| {
        s.parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond() as f64 / 1000.0)
    })
}

/// Parses a step: seconds as a number, or a duration such as `15s`.
fn parse_step(s: &str) -> Option<f64> {
    s.parse::<f64>()
        .ok()
        .or_else(|| humantime::parse_duration(s).ok().map(|d| d.as_secs_f64()))
        .filter(|s| *s > 0.0)
}

impl PromSim {
    fn service(&self, name: &str) -> Option<&Arc<ServiceSim>> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The value of a measure at time `t` (unix seconds), if there is data.
    pub fn value_at(&self, service: &str, measure: Measure, t: f64) -> Option<f64> {
        let svc = self.service(service)?;
        let traffic = svc.traffic();
        let at = |t: f64| sample_at(&traffic.history, t);
        let now = at(t)?;
        if measure == Measure::MemoryRatio {
            return Some(now.memory_ratio);
        }
        let before = at(t - self.window.as_secs_f64()).or_else(|| traffic.history.front())?;
        let dt = (now.at.as_millisecond() - before.at.as_millisecond()) as f64 / 1000.0;
        let (a, b) = (&before.counters, &now.counters);
        let total = (b.ok + b.errors).saturating_sub(a.ok + a.errors);
        match measure {
            Measure::ErrorRatio => {
                (total > 0).then(|| b.errors.saturating_sub(a.errors) as f64 / total as f64)
            }
            Measure::RequestRate => (dt > 0.0).then(|| b.count.saturating_sub(a.count) as f64 / dt),
            Measure::P95Latency => {
                let count = b.count.saturating_sub(a.count);
                if count == 0 {
                    return None;
                }
                let buckets: Vec<u64> = b
                    .buckets
                    .iter()
                    .zip(a.buckets.iter())
                    .map(|(x, y)| x.saturating_sub(*y))
                    .collect();
                Some(quantile(0.95, &buckets, count))
            }
            Measure::MemoryRatio => Some(now.memory_ratio),
            // Each pod's: see `series_at`; the worst of them here.
            Measure::ErrorRatioByPod => self
                .series_at(service, measure, t)
                .into_iter()
                .map(|(_, v)| v)
                .reduce(f64::max),
        }
    }

    /// The series of a measure at time `t`: one unlabelled series, or for
    /// a measure by pod one per pod (labelled `pod`) that answered
    /// requests in the window.
    pub fn series_at(&self, service: &str, measure: Measure, t: f64) -> Vec<(Value, f64)> {
        if measure != Measure::ErrorRatioByPod {
            return self
                .value_at(service, measure, t)
                .map(|v| vec![(json!({}), v)])
                .unwrap_or_default();
        }
        let Some(svc) = self.service(service) else {
            return Vec::new();
        };
        let traffic = svc.traffic();
        let at = |t: f64| sample_at(&traffic.history, t);
        let (Some(now), Some(before)) = (
            at(t),
            at(t - self.window.as_secs_f64()).or_else(|| traffic.history.front()),
        ) else {
            return Vec::new();
        };
        now.by_pod
            .iter()
            .filter_map(|p| {
                let (requests, errors) = before
                    .by_pod
                    .iter()
                    .find(|b| b.pod == p.pod)
                    .map_or((0, 0), |b| (b.requests, b.errors));
                let total = p.requests.saturating_sub(requests);
                (total > 0).then(|| {
                    (
                        json!({"pod": p.pod}),
                        p.errors.saturating_sub(errors) as f64 / total as f64,
                    )
                })
            })
            .collect()
    }

    fn now() -> f64 {
        jiff::Timestamp::now().as_millisecond() as f64 / 1000.0
    }

    fn find(&self, query: &str) -> Option<&Registered> {
        let q = normalise(query);
        self.queries.iter().find(|r| normalise(&r.query) == q)
    }

    fn unknown(query: &str) -> Resp {
        prom_error(
            StatusCode::BAD_REQUEST,
            "bad_data",
            format!(
                "ops-tui demo: this Prometheus is simulated and answers only the demo runbook's queries; not {query:?}"
            ),
        )
    }

    pub async fn handle(self: Arc<Self>, req: Req) -> Resp {
        // Parameters come in the query string, or as a form for POST.
        let mut params = req.query();
        if req.method == Method::POST {
            let form = String::from_utf8_lossy(&req.body).to_string();
            params.extend(
                url::Url::parse(&format!("http://x/?{form}"))
                    .map(|u| {
                        u.query_pairs()
                            .map(|(k, v)| (k.into_owned(), v.into_owned()))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
            );
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        match req.uri.path() {
            "/-/healthy" => http::text(StatusCode::OK, "Prometheus Server is Healthy.\n"),
            "/-/ready" => http::text(StatusCode::OK, "Prometheus Server is Ready.\n"),
            "/api/v1/query" => {
                let Some(query) = param("query") else {
                    return prom_error(
                        StatusCode::BAD_REQUEST,
                        "bad_data",
                        "invalid parameter \"query\": missing".into(),
                    );
                };
                let t = param("time")
                    .and_then(|t| parse_time(&t))
                    .unwrap_or_else(Self::now);
                let Some(reg) = self.find(&query) else {
                    return Self::unknown(&query);
                };
                let result: Vec<Value> = self
                    .series_at(&reg.service, reg.measure, t)
                    .into_iter()
                    .map(|(metric, v)| json!({"metric": metric, "value": [t, format_value(v)]}))
                    .collect();
                http::json(
                    StatusCode::OK,
                    &json!({"status": "success", "data": {"resultType": "vector", "result": result}}),
                )
            }
            "/api/v1/query_range" => {
                let Some(query) = param("query") else {
                    return prom_error(
                        StatusCode::BAD_REQUEST,
                        "bad_data",
                        "invalid parameter \"query\": missing".into(),
                    );
                };
                let (Some(start), Some(end), Some(step)) = (
                    param("start").and_then(|t| parse_time(&t)),
                    param("end").and_then(|t| parse_time(&t)),
                    param("step").and_then(|s| parse_step(&s)),
                ) else {
                    return prom_error(
                        StatusCode::BAD_REQUEST,
                        "bad_data",
                        "invalid parameter: start, end and step are required".into(),
                    );
                };
                if end < start || (end - start) / step > 11_000.0 {
                    return prom_error(
                        StatusCode::BAD_REQUEST,
                        "bad_data",
                        "exceeded maximum resolution of 11,000 points per timeseries".into(),
                    );
                }
                let Some(reg) = self.find(&query) else {
                    return Self::unknown(&query);
                };
                // One series per label set, its points in time order.
                let mut series: Vec<(Value, Vec<Value>)> = Vec::new();
                let mut t = start;
                while t <= end {
                    for (metric, v) in self.series_at(&reg.service, reg.measure, t) {
                        let point = json!([t, format_value(v)]);
                        match series.iter_mut().find(|(m, _)| *m == metric) {
                            Some((_, values)) => values.push(point),
                            None => series.push((metric, vec![point])),
                        }
                    }
                    t += step;
                }
                let result: Vec<Value> = series
                    .into_iter()
                    .map(|(metric, values)| json!({"metric": metric, "values": values}))
                    .collect();
                http::json(
                    StatusCode::OK,
                    &json!({"status": "success", "data": {"resultType": "matrix", "result": result}}),
                )
            }
            "/api/v1/alerts" => {
                let alerts: Vec<Value> = self.rules.iter().filter_map(|r| self.alert(r)).collect();
                http::json(
                    StatusCode::OK,
                    &json!({"status": "success", "data": {"alerts": alerts}}),
                )
            }
            "/api/v1/rules" => {
                // Evaluated every second, as `interval` says: the last
                // evaluation is now, in the RFC 3339 form Prometheus uses.
                let evaluated = jiff::Timestamp::now().to_string();
                let rules: Vec<Value> = self
                    .rules
                    .iter()
                    .map(|r| {
                        let alert = self.alert(r);
                        let state = alert
                            .as_ref()
                            .and_then(|a| a["state"].as_str().map(String::from))
                            .unwrap_or_else(|| "inactive".into());
                        json!({
                            "name": r.name,
                            "query": self.rule_query(r),
                            "duration": r.for_.as_secs(),
                            "labels": {"severity": r.severity},
                            "annotations": {"summary": r.summary},
                            "alerts": alert.into_iter().collect::<Vec<_>>(),
                            "health": "ok",
                            "type": "alerting",
                            "state": state,
                            "evaluationTime": 0.0001,
                            "lastEvaluation": evaluated,
                            "keepFiringFor": 0
                        })
                    })
                    .collect();
                http::json(
                    StatusCode::OK,
                    &json!({"status": "success", "data": {"groups": [{
                        "name": "ops-tui-demo",
                        "file": "demo.rules",
                        "rules": rules,
                        "interval": 1,
                        "limit": 0,
                        "evaluationTime": 0.0002,
                        "lastEvaluation": evaluated
                    }]}}),
                )
            }
            _ => prom_error(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("unknown endpoint {}", req.uri.path()),
            ),
        }
    }

    fn rule_query(&self, r: &AlertRule) -> String {
        self.queries
            .iter()
            .find(|q| q.service == r.service && q.measure == r.measure)
            .map_or_else(
                || format!("{:?}({})", r.measure, r.service),
                |q| format!("{} > {}", q.query, r.threshold),
            )
    }

    /// The alert of a rule, if pending or firing: the condition held at every
    /// sample since `activeAt`.
    fn alert(&self, r: &AlertRule) -> Option<Value> {
        let svc = self.service(&r.service)?;
        let times: Vec<f64> = svc
            .traffic()
            .history
            .iter()
            .map(|s| s.at.as_millisecond() as f64 / 1000.0)
            .collect();
        let mut active_at = None;
        let mut value = 0.0;
        for t in times.iter().rev() {
            match self.value_at(&r.service, r.measure, *t) {
                Some(v) if v > r.threshold => {
                    if active_at.is_none() {
                        value = v;
                    }
                    active_at = Some(*t);
                }
                _ => break,
            }
        }
        let active_at = active_at?;
        let firing = Self::now() - active_at >= r.for_.as_secs_f64();
        let at = jiff::Timestamp::from_millisecond((active_at * 1000.0) as i64).ok()?;
        Some(json!({
            "labels": {"alertname": r.name, "severity": r.severity, "service": r.service},
            "annotations": {"summary": r.summary},
            "state": if firing { "firing" } else { "pending" },
            "activeAt": at.to_string(),
            "value": format_value(value)
        }))
    }
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// histogram_quantile over cumulative bucket counts, with linear
/// interpolation inside the bucket, as Prometheus does.
fn quantile(q: f64, buckets: &[u64], count: u64) -> f64 {
    let rank = q * count as f64;
    let mut prev_bound = 0.0;
    let mut prev_count = 0.0;
    for (bound, c) in BOUNDS.iter().zip(buckets.iter()) {
        let c = *c as f64;
        if c >= rank {
            if c == prev_count {
                return *bound;
            }
            return prev_bound + (bound - prev_bound) * (rank - prev_count) / (c - prev_count);
        }
        prev_bound = *bound;
        prev_count = c;
    }
    // In the +Inf bucket: Prometheus answers the highest finite bound.
    BOUNDS[BOUNDS.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_like_prometheus() {
        // 100 requests: 50 ≤ 0.05s, 90 ≤ 0.1s, 100 ≤ 0.2s.
        let buckets = [50, 90, 100, 100, 100, 100, 100, 100, 100, 100];
        let p95 = quantile(0.95, &buckets, 100);
        assert!((p95 - 0.15).abs() < 1e-9, "{p95}");
        let p50 = quantile(0.5, &buckets, 100);
        assert!((p50 - 0.05).abs() < 1e-9, "{p50}");
    }
}
