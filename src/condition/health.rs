//! `[HEALTH]`: pass, warn or fail, normalised from what a health endpoint
//! answered.
//!
//! The body is read first, for a word it says about health:
//! - a JSON object's `status` member (`"status"`, else any case of it): a
//!   word below, or `true` (pass) / `false` (fail). This covers Spring Boot
//!   actuator (`UP`, `DOWN`, `OUT_OF_SERVICE`, `UNKNOWN`), the common
//!   `healthy` / `unhealthy` / `degraded`, and `application/health+json`
//!   (`pass`, `warn`, `fail`);
//! - a JSON string, or a plain-text body of at most 32 characters: the
//!   whole text as a word (`ok`, `healthy`, `UP`, …).
//!
//! | word (any case)                                                    | health |
//! |--------------------------------------------------------------------|--------|
//! | `up`, `pass`, `ok`, `healthy`, `serving`, `green`                  | pass   |
//! | `warn`, `warning`, `degraded`, `unknown`, `yellow`                 | warn   |
//! | `down`, `fail`, `error`, `unhealthy`, `out_of_service`, `not_serving`, `red` | fail |
//!
//! The status code gives its own health: 2xx pass; 3xx warn (the endpoint
//! answered with a redirect, not with its health); 429 warn (the service is
//! up and throttling the probe, which says nothing of its health); any
//! other code (404, 401, 1xx, 5xx, …) fail: the health endpoint did not
//! answer as one, so it cannot count as healthy.
//!
//! The result is the worse of the two (pass < warn < fail), so neither can
//! hide a problem the other reports: `{"status":"UP"}` with 503 is fail,
//! with 429 warn; `{"status":"DOWN"}` with 200 is fail. A body that says
//! nothing recognisable leaves the status code alone. No response is fail.

use std::fmt;

use serde_json::Value;

use super::Observed;

/// Normalised health, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Health {
    Pass,
    Warn,
    Fail,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Pass => "pass",
            Health::Warn => "warn",
            Health::Fail => "fail",
        }
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalised health and what it was read from, e.g.
/// `body status "DOWN", HTTP 503`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub health: Health,
    pub basis: String,
}

/// The health a word says, if it is one of the table's.
pub fn word(text: &str) -> Option<Health> {
    match text.trim().to_ascii_lowercase().as_str() {
        "up" | "pass" | "ok" | "healthy" | "serving" | "green" => Some(Health::Pass),
        "warn" | "warning" | "degraded" | "unknown" | "yellow" => Some(Health::Warn),
        "down" | "fail" | "error" | "unhealthy" | "out_of_service" | "not_serving" | "red" => {
            Some(Health::Fail)
        }
        _ => None,
    }
}

/// The health a status code says on its own.
pub fn from_status(code: u16) -> Health {
    match code {
        200..=299 => Health::Pass,
        300..=399 | 429 => Health::Warn,
        _ => Health::Fail,
    }
}

/// The health of an observation: the worse of what the body and the
/// status code say; fail without a response.
pub fn normalise(o: &Observed) -> Reading {
    let Some(code) = o.status.filter(|_| o.connected) else {
        return Reading {
            health: Health::Fail,
            basis: "no response".into(),
        };
    };
    let by_code = from_status(code);
    match body_says(&o.body) {
        Some((said, health)) => Reading {
            health: health.max(by_code),
            basis: format!("{said}, HTTP {code}"),
        },
        None => Reading {
            health: by_code,
            basis: format!("HTTP {code}"),
        },
    }
}

/// What the body says about health: (where it said it, the health).
fn body_says(body: &str) -> Option<(String, Health)> {
    let text = body.trim();
    if text.is_empty() {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => {
            let status = map.get("status").or_else(|| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("status"))
                    .map(|(_, v)| v)
            })?;
            match status {
                Value::String(s) => word(s).map(|h| (format!("body status {s:?}"), h)),
                Value::Bool(true) => Some(("body status true".into(), Health::Pass)),
                Value::Bool(false) => Some(("body status false".into(), Health::Fail)),
                _ => None,
            }
        }
        Ok(Value::String(s)) => word(&s).map(|h| (format!("body {s:?}"), h)),
        Ok(_) => None,
        Err(_) if text.chars().count() <= 32 => word(text).map(|h| (format!("body {text:?}"), h)),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Health::{Fail, Pass, Warn};

    fn observed(status: Option<u16>, body: &str) -> Observed {
        Observed {
            connected: status.is_some(),
            status,
            body: body.into(),
            ..Observed::default()
        }
    }

    #[test]
    fn the_normalisation_table() {
        let table: &[(Option<u16>, &str, Health, &str)] = &[
            // Spring Boot actuator.
            (
                Some(200),
                r#"{"status":"UP"}"#,
                Pass,
                r#"body status "UP", HTTP 200"#,
            ),
            (
                Some(503),
                r#"{"status":"DOWN"}"#,
                Fail,
                r#"body status "DOWN", HTTP 503"#,
            ),
            (
                Some(503),
                r#"{"status":"OUT_OF_SERVICE"}"#,
                Fail,
                "OUT_OF_SERVICE",
            ),
            (Some(200), r#"{"status":"UNKNOWN"}"#, Warn, "UNKNOWN"),
            (
                Some(200),
                r#"{"status":"UP","components":{"db":{"status":"UP"}}}"#,
                Pass,
                "UP",
            ),
            // healthy / unhealthy / degraded.
            (Some(200), r#"{"status":"healthy"}"#, Pass, "healthy"),
            (Some(200), r#"{"status":"unhealthy"}"#, Fail, "unhealthy"),
            (
                Some(200),
                r#"{"status":"degraded","checks":[]}"#,
                Warn,
                "degraded",
            ),
            // application/health+json (IETF draft).
            (
                Some(200),
                r#"{"status":"pass","version":"1"}"#,
                Pass,
                "pass",
            ),
            (Some(200), r#"{"status":"ok"}"#, Pass, "ok"),
            (Some(200), r#"{"status":"warn"}"#, Warn, "warn"),
            (Some(503), r#"{"status":"fail"}"#, Fail, "fail"),
            (Some(200), r#"{"status":"error"}"#, Fail, "error"),
            (Some(200), r#"{"Status":"Down"}"#, Fail, "Down"),
            (Some(200), r#"{"status":true}"#, Pass, "true"),
            (Some(200), r#"{"status":false}"#, Fail, "false"),
            // Plain text and JSON strings.
            (Some(200), "ok\n", Pass, r#"body "ok", HTTP 200"#),
            (Some(200), "healthy", Pass, "healthy"),
            (Some(200), "UP", Pass, "UP"),
            (Some(200), "\"OK\"", Pass, "OK"),
            (Some(200), "DOWN", Fail, "DOWN"),
            // The worse of body and code.
            (
                Some(503),
                r#"{"status":"UP"}"#,
                Fail,
                r#"body status "UP", HTTP 503"#,
            ),
            (Some(429), "ok", Warn, r#"body "ok", HTTP 429"#),
            (Some(404), r#"{"status":"UP"}"#, Fail, "HTTP 404"),
            // Bodies that say nothing: the status code.
            (Some(200), "", Pass, "HTTP 200"),
            (Some(204), "", Pass, "HTTP 204"),
            (Some(200), r#"{"status":"teapot"}"#, Pass, "HTTP 200"),
            (Some(200), r#"{"status":200}"#, Pass, "HTTP 200"),
            (Some(200), "<html>all systems go</html>", Pass, "HTTP 200"),
            (Some(301), "", Warn, "HTTP 301"),
            (Some(429), "Too Many Requests", Warn, "HTTP 429"),
            (Some(404), "Not Found", Fail, "HTTP 404"),
            (Some(401), "", Fail, "HTTP 401"),
            (Some(500), "", Fail, "HTTP 500"),
            (Some(503), "Service Unavailable", Fail, "HTTP 503"),
            (None, "", Fail, "no response"),
        ];
        for (status, body, want, basis) in table {
            let got = normalise(&observed(*status, body));
            assert_eq!(got.health, *want, "{status:?} {body:?}: {got:?}");
            assert!(
                got.basis.contains(basis),
                "{status:?} {body:?}: basis {:?} lacks {basis:?}",
                got.basis
            );
        }
    }

    #[test]
    fn a_status_without_a_connection_is_no_response() {
        let o = Observed {
            connected: false,
            status: Some(200),
            body: "ok".into(),
            ..Observed::default()
        };
        assert_eq!(normalise(&o).health, Fail);
    }

    #[test]
    fn health_orders_from_best_to_worst() {
        assert!(Pass < Warn && Warn < Fail);
        assert_eq!(Pass.max(Fail), Fail);
        assert_eq!(Warn.to_string(), "warn");
    }
}
