//! The Prometheus HTTP API client: instant and range queries and the
//! active alerts, with errors sorted into unreachable, rejected and other.
//!
//! TLS certificates are always verified. The bearer token, when given, is
//! sent on every request and never shown: not in `Debug`, not in errors.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use prometheus_http_query::{Client, Error as ApiError, response::Data};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use super::alerts::Alert;

/// Why a request to Prometheus failed. Messages are one line, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromError {
    /// No answer: connection refused, name not found, TLS failure, timeout.
    #[error("Prometheus is unreachable: {0}")]
    Unreachable(String),
    /// Prometheus answered with an error, such as a PromQL parse error.
    #[error("Prometheus rejected the query: {0}")]
    Rejected(String),
    /// Anything else: an answer that is not the Prometheus API's, a
    /// result of an unexpected type.
    #[error("{0}")]
    Other(String),
}

/// Series of an instant query: labels as text, and the value.
pub type Instant = Vec<(String, f64)>;
/// Series of a range query: labels as text, and (unix seconds, value) points.
pub type Range = Vec<(String, Vec<(i64, f64)>)>;

#[derive(Clone)]
pub struct Prom {
    client: Client,
    base_url: String,
    has_token: bool,
    timeout: Duration,
}

impl fmt::Debug for Prom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prom")
            .field("base_url", &self.base_url)
            .field("token", &if self.has_token { "(hidden)" } else { "none" })
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Prom {
    /// A client for the Prometheus at `base_url` (`http` or `https`, with
    /// a path prefix if it sits behind one). Every request, connecting
    /// included, gives up after `timeout`.
    pub fn new(
        base_url: &str,
        bearer_token: Option<String>,
        timeout: Duration,
    ) -> Result<Prom, String> {
        let url = reqwest::Url::parse(base_url)
            .map_err(|e| format!("invalid Prometheus URL \"{base_url}\": {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "invalid Prometheus URL \"{base_url}\": it must start with http:// or https:// and name a host"
            ));
        }
        let mut headers = HeaderMap::new();
        let token = bearer_token.filter(|t| !t.trim().is_empty());
        let has_token = token.is_some();
        if let Some(token) = token {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.trim())).map_err(|_| {
                    "the Prometheus bearer token contains characters an HTTP header cannot carry"
                        .to_string()
                })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("ops-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up an HTTP client: {}", root_cause(&e)))?;
        let client = Client::from(http, base_url)
            .map_err(|e| format!("invalid Prometheus URL \"{base_url}\": {e}"))?;
        Ok(Prom {
            client,
            base_url: base_url.to_string(),
            has_token,
            timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// An instant query, evaluated now: one entry per series. A scalar
    /// result is one series without labels.
    pub async fn instant(&self, query: &str) -> Result<Instant, PromError> {
        Ok(self.instant_by(query, None).await?.0)
    }

    /// An instant query, and each series' value by the value of its
    /// `label` (series without it left out) when one is given.
    pub async fn instant_by(
        &self,
        query: &str,
        label: Option<&str>,
    ) -> Result<(Instant, Vec<(String, f64)>), PromError> {
        let result = self
            .client
            .query(query)
            .get()
            .await
            .map_err(|e| self.classify(e))?;
        match result.into_inner().0 {
            Data::Vector(v) => {
                let mut by = Vec::new();
                let series = v
                    .into_iter()
                    .map(|s| {
                        let (labels, sample) = s.into_inner();
                        if let Some(value) = label.and_then(|l| labels.get(l)) {
                            by.push((value.clone(), sample.value()));
                        }
                        (labels_text(&labels), sample.value())
                    })
                    .collect();
                Ok((series, by))
            }
            Data::Scalar(s) => Ok((vec![(String::new(), s.value())], Vec::new())),
            Data::Matrix(_) => Err(PromError::Other(
                "the query gives a range vector, which has no single value: wrap it in a function such as rate()"
                    .into(),
            )),
        }
    }

    /// A range query from `start` to `end` (unix seconds), a point every
    /// `step`: one entry per series, points oldest first.
    pub async fn range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: Duration,
    ) -> Result<Range, PromError> {
        let step = step.as_secs_f64().max(0.001);
        let result = self
            .client
            .query_range(query, start, end, step)
            .get()
            .await
            .map_err(|e| self.classify(e))?;
        let point =
            |s: &prometheus_http_query::response::Sample| (s.timestamp().floor() as i64, s.value());
        match result.into_inner().0 {
            Data::Matrix(m) => Ok(m
                .into_iter()
                .map(|s| {
                    let (labels, samples) = s.into_inner();
                    (labels_text(&labels), samples.iter().map(point).collect())
                })
                .collect()),
            Data::Scalar(s) => Ok(vec![(String::new(), vec![point(&s)])]),
            Data::Vector(v) => Ok(v
                .into_iter()
                .map(|s| {
                    let (labels, sample) = s.into_inner();
                    (labels_text(&labels), vec![point(&sample)])
                })
                .collect()),
        }
    }

    /// The active alerts, pending and firing.
    pub async fn alerts(&self) -> Result<Vec<Alert>, PromError> {
        let alerts = self
            .client
            .alerts()
            .await
            .map_err(|e| match self.classify(e) {
                PromError::Rejected(m) => {
                    PromError::Other(format!("Prometheus refused the alerts request: {m}"))
                }
                other => other,
            })?;
        Ok(alerts.iter().filter_map(Alert::from_api).collect())
    }

    /// The names of the alerting rules loaded, in the order Prometheus
    /// lists them.
    pub async fn alert_rules(&self) -> Result<Vec<String>, PromError> {
        let groups = self
            .client
            .rules()
            .kind(prometheus_http_query::RuleKind::Alerting)
            .get()
            .await
            .map_err(|e| match self.classify(e) {
                PromError::Rejected(m) => {
                    PromError::Other(format!("Prometheus refused the rules request: {m}"))
                }
                other => other,
            })?;
        Ok(groups
            .iter()
            .flat_map(|g| g.rules())
            .filter_map(|r| r.as_alerting())
            .map(|r| r.name().to_string())
            .collect())
    }

    fn classify(&self, e: ApiError) -> PromError {
        classify(e, self.timeout)
    }
}

/// Sorts a client error into the three kinds, with a readable reason.
fn classify(e: ApiError, timeout: Duration) -> PromError {
    match e {
        ApiError::Prometheus(p) => {
            let kind = p.error_type().to_string();
            if kind == "bad_data" {
                PromError::Rejected(one_line(p.message()))
            } else {
                PromError::Rejected(format!("{kind}: {}", one_line(p.message())))
            }
        }
        ApiError::Client(c) => match c.inner() {
            Some(r) if r.is_timeout() => PromError::Unreachable(format!(
                "no answer within {}{}",
                humantime::format_duration(timeout),
                r.url()
                    .map(|u| format!(" from {}", host(u)))
                    .unwrap_or_default()
            )),
            Some(r) if r.is_connect() => PromError::Unreachable(match r.url() {
                Some(u) => format!("cannot connect to {}: {}", host(u), root_cause(r)),
                None => format!("cannot connect: {}", root_cause(r)),
            }),
            Some(r) if r.status().is_some() => {
                let status = r.status().map(|s| s.to_string()).unwrap_or_default();
                let hint = match r.status().map(|s| s.as_u16()) {
                    Some(401 | 403) => " (check the bearer token)",
                    Some(404) => " (is this the address of a Prometheus server?)",
                    _ => "",
                };
                PromError::Other(format!("the server answered HTTP {status}{hint}"))
            }
            Some(r) if r.is_decode() => PromError::Other(format!(
                "the answer is not a Prometheus API response: {}",
                root_cause(r)
            )),
            Some(r) if r.is_request() || r.is_body() => {
                PromError::Unreachable(format!("the connection failed: {}", root_cause(r)))
            }
            Some(r) => PromError::Other(root_cause(r)),
            None => PromError::Other(
                "the answer is not JSON: is this the address of a Prometheus server?".into(),
            ),
        },
        other => PromError::Other(one_line(&other.to_string())),
    }
}

fn host(u: &reqwest::Url) -> String {
    match (u.host_str(), u.port_or_known_default()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => u.as_str().to_string(),
    }
}

/// The innermost error's message (`Connection refused`), without the OS
/// error number.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let text = cur.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    one_line(text)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Labels as Prometheus writes them: `name{a="1", b="2"}`, keys sorted;
/// empty for a series without labels.
pub fn labels_text(labels: &HashMap<String, String>) -> String {
    let sorted: BTreeMap<&str, &str> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let name = labels.get("__name__").map_or("", String::as_str);
    if sorted.is_empty() {
        return name.to_string();
    }
    let inner: Vec<String> = sorted
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{name}{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_shown() {
        let p = Prom::new(
            "https://prom.example.com/",
            Some("s3cr3t-t0ken".into()),
            Duration::from_secs(3),
        )
        .unwrap();
        let debug = format!("{p:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("(hidden)"), "{debug}");
        let e = Prom::new(
            "http://x",
            Some("bad\ntoken".into()),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(!e.contains("bad"), "{e}");
        let blank = Prom::new("http://x", Some("  ".into()), Duration::from_secs(1)).unwrap();
        assert!(format!("{blank:?}").contains("\"none\""), "{blank:?}");
    }

    #[test]
    fn bad_urls() {
        for url in ["", "prom.example.com", "ftp://x", "http://"] {
            let e = Prom::new(url, None, Duration::from_secs(1)).unwrap_err();
            assert!(e.starts_with("invalid Prometheus URL"), "{url}: {e}");
        }
        assert!(Prom::new("http://127.0.0.1:9090/prom", None, Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn labels() {
        let m = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(labels_text(&m(&[])), "");
        assert_eq!(labels_text(&m(&[("__name__", "up")])), "up");
        assert_eq!(
            labels_text(&m(&[("pod", "b"), ("__name__", "up"), ("job", "a\"x")])),
            "up{job=\"a\\\"x\", pod=\"b\"}"
        );
        assert_eq!(labels_text(&m(&[("le", "0.5")])), "{le=\"0.5\"}");
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(one_line("a\n  b\tc"), "a b c");
        let e = PromError::Rejected("1:11: parse error: unclosed left parenthesis".into());
        assert_eq!(
            e.to_string(),
            "Prometheus rejected the query: 1:11: parse error: unclosed left parenthesis"
        );
    }
}
