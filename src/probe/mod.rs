//! HTTP(S) health probes: one task per probe, at most one request in
//! flight each, so a hanging endpoint never delays the others or the UI.
//! Each result keeps what was observed, how it failed (DNS, refused,
//! timeout, TLS with the reason, HTTP status, condition) and every
//! condition's resolved value: the evidence.

mod burst;
pub mod cert;
mod request;
pub mod spec;

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::condition::{Observed, Verdict, judge};
use crate::secrets::Secrets;
pub use burst::BurstRecord;
pub use request::{MAX_REDIRECTS, classify, same_origin};
pub use spec::{ProbeSpec, SpecError, specs};

pub use crate::condition::MAX_BODY;
/// Requests a burst sends at most, whatever the runbook says.
pub const MAX_BURST: u32 = 1000;

/// How a probe failed before its conditions could be judged, or which
/// condition failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Dns(String),
    Refused(String),
    Timeout,
    Tls(String),
    /// The response's status failed a `[STATUS]` condition.
    Http(u16),
    /// A condition failed (its text and resolved value).
    Condition(String),
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Dns(e) => write!(f, "DNS: {e}"),
            // The OS's own words say it again: "Connection refused (os error 111)".
            Failure::Refused(e) if e.to_ascii_lowercase().starts_with("connection refused") => {
                f.write_str("connection refused")
            }
            Failure::Refused(e) => write!(f, "connection refused: {e}"),
            Failure::Timeout => f.write_str("timed out"),
            Failure::Tls(e) => write!(f, "TLS: {e}"),
            Failure::Http(code) => write!(f, "HTTP {code}"),
            Failure::Condition(c) => f.write_str(c),
            Failure::Other(e) => f.write_str(e),
        }
    }
}

/// One run of a probe.
#[derive(Debug, Clone)]
pub struct ProbeResult {
    pub name: String,
    /// When it finished (seconds since the epoch).
    pub at: i64,
    pub observed: Observed,
    pub verdict: Verdict,
    /// Set when it did not pass: the transport failure, or the first
    /// failing condition.
    pub failure: Option<Failure>,
    /// The presented certificate's notAfter (seconds since the epoch).
    pub cert_not_after: Option<i64>,
    /// Requests sent (more than one for a burst).
    pub requests: u32,
}

impl Failure {
    /// The failure with `secrets` masked in its text.
    pub fn masked(self, secrets: &Secrets) -> Failure {
        let mask = |mut text: String| {
            secrets.mask_in_place(&mut text);
            text
        };
        match self {
            Failure::Dns(e) => Failure::Dns(mask(e)),
            Failure::Refused(e) => Failure::Refused(mask(e)),
            Failure::Tls(e) => Failure::Tls(mask(e)),
            Failure::Condition(c) => Failure::Condition(mask(c)),
            Failure::Other(e) => Failure::Other(mask(e)),
            other @ (Failure::Timeout | Failure::Http(_)) => other,
        }
    }
}

/// Why a probe's HTTP client could not be built: the probe cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The probe's `ca` file cannot be read.
    #[error("probe {probe}: ca {}: {source}", .path.display())]
    CaUnreadable {
        probe: String,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The probe's `ca` file holds no valid PEM certificate.
    #[error("probe {probe}: ca {}: {source}", .path.display())]
    CaInvalid {
        probe: String,
        path: std::path::PathBuf,
        source: reqwest::Error,
    },
    /// The client itself (TLS backend...) could not be built.
    #[error("probe {probe}: {source}")]
    Build {
        probe: String,
        source: reqwest::Error,
    },
}

/// The HTTP client of one probe: its timeout, TLS settings and extra CA.
/// No connection is kept between requests, so every run connects (and
/// verifies the certificate) afresh; redirects are followed by
/// [`request`], which decides what a redirect to another origin may carry.
pub fn client(spec: &ProbeSpec) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder()
        .timeout(spec.timeout)
        .connect_timeout(spec.timeout)
        .tls_info(true)
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .user_agent(concat!("ops-tui/", env!("CARGO_PKG_VERSION")));
    if spec.insecure {
        builder = builder.danger_accept_invalid_certs(true);
    }
    if let Some(path) = &spec.ca {
        let pem = std::fs::read(path).map_err(|source| ClientError::CaUnreadable {
            probe: spec.name.clone(),
            path: path.clone(),
            source,
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| {
            ClientError::CaInvalid {
                probe: spec.name.clone(),
                path: path.clone(),
                source,
            }
        })?;
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|source| ClientError::Build {
        probe: spec.name.clone(),
        source,
    })
}

/// Runs a probe once (or its burst, when `burst` is set) and judges it.
/// What it observed is masked with the probe's secrets before it is
/// returned: a server may echo a header or the query back.
pub async fn run_once(client: &reqwest::Client, spec: &ProbeSpec, burst: bool) -> ProbeResult {
    let count = if burst {
        spec.burst.unwrap_or(1).clamp(1, MAX_BURST)
    } else {
        1
    };
    let requests = async {
        let mut observed = Observed::default();
        let mut transport: Option<Failure> = None;
        let mut counts: BTreeMap<u16, u32> = BTreeMap::new();
        let mut der = None;
        for _ in 0..count {
            match request::request(client, spec).await {
                Ok((o, presented)) => {
                    if let Some(s) = o.status {
                        *counts.entry(s).or_default() += 1;
                    }
                    observed = o;
                    der = presented.or(der);
                    transport = None;
                }
                Err(f) => {
                    transport = Some(f);
                    if count == 1 {
                        break;
                    }
                }
            }
        }
        observed.status_counts = counts;
        (observed, transport, der)
    };
    // The certificate is read by a handshake of its own on every run,
    // even when the request failed (an expired or untrusted certificate is
    // why, and its dates say how): a resumed TLS session presents none, so
    // the request's own may be from before the certificate was replaced.
    let ((mut observed, transport, der), fresh) = futures::join!(requests, presented(spec));
    let cert_not_after = fresh.or_else(|| der.as_deref().and_then(cert::not_after));
    let now = jiff::Timestamp::now().as_second();
    observed.certificate_expiration =
        cert_not_after.map(|t| jiff::SignedDuration::from_secs(t - now));
    let verdict = judge(&spec.fail, &spec.warn, &observed);
    let failure = match transport {
        Some(f) => Some(f),
        None => verdict.first_failing().map(|e| {
            match (
                observed.status,
                e.condition.trim_start().starts_with("[STATUS]"),
            ) {
                (Some(code), true) => Failure::Http(code),
                _ => Failure::Condition(format!("{} ({})", e.condition, e.resolved)),
            }
        }),
    };
    masked(
        ProbeResult {
            name: spec.name.clone(),
            at: now,
            observed,
            verdict,
            failure,
            cert_not_after,
            requests: count,
        },
        &spec.secrets,
    )
}

/// The notAfter of the certificate an `https` probe's server presents
/// now; None for `http`, or when it cannot be read.
async fn presented(spec: &ProbeSpec) -> Option<i64> {
    let url = reqwest::Url::parse(&spec.url).ok()?;
    if url.scheme() != "https" {
        return None;
    }
    let port = url.port_or_known_default().unwrap_or(443);
    // An IPv6 literal comes bracketed (`[::1]`); connecting and the
    // server name want the bare address.
    let host = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    cert::presented_not_after(host, port, spec.timeout)
        .await
        .ok()
}

/// A result with `secrets` masked in everything observed and judged.
pub fn masked(mut r: ProbeResult, secrets: &Secrets) -> ProbeResult {
    if secrets.is_empty() {
        return r;
    }
    for (name, value) in &mut r.observed.headers {
        secrets.mask_in_place(name);
        secrets.mask_in_place(value);
    }
    secrets.mask_in_place(&mut r.observed.body);
    for (_, e) in &mut r.verdict.evaluations {
        secrets.mask_in_place(&mut e.condition);
        secrets.mask_in_place(&mut e.resolved);
        if let Some(err) = &mut e.error {
            secrets.mask_in_place(err);
        }
    }
    r.failure = r.failure.map(|f| f.masked(secrets));
    r
}

/// The running probes; dropping this stops them.
pub struct ProbeTasks(Vec<JoinHandle<()>>);

impl Drop for ProbeTasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// Starts one task per probe: run, report, wait the probe's interval.
/// Bursts are never run on the timer. `report` wraps a result into the
/// loop's message.
pub fn spawn<M: Send + 'static>(
    specs: Vec<ProbeSpec>,
    tx: mpsc::Sender<M>,
    report: impl Fn(ProbeResult) -> M + Clone + Send + 'static,
) -> ProbeTasks {
    let tasks = specs
        .into_iter()
        .filter(|spec| spec.burst.is_none())
        .map(|spec| {
            let tx = tx.clone();
            let report = report.clone();
            tokio::spawn(async move {
                let client = match client(&spec) {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = tx.send(report(broken(&spec, e.to_string()))).await;
                        return;
                    }
                };
                loop {
                    let result = run_once(&client, &spec, false).await;
                    if tx.send(report(result)).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(spec.every.max(Duration::from_millis(200))).await;
                }
            })
        })
        .collect();
    ProbeTasks(tasks)
}

/// The result of a probe that cannot run at all (e.g. an unreadable CA).
/// Probes with a run under way, so that a probe never has two at once
/// (a burst confirmed twice runs once).
#[derive(Debug, Clone, Default)]
pub struct InFlight(std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>);

/// Holds a probe's place in [`InFlight`] until dropped.
#[derive(Debug)]
pub struct Running {
    set: InFlight,
    name: String,
}

impl InFlight {
    /// The probe's place, or None while another run of it is under way.
    pub fn try_start(&self, name: &str) -> Option<Running> {
        let mut set = self.0.lock().ok()?;
        set.insert(name.to_string()).then(|| Running {
            set: self.clone(),
            name: name.to_string(),
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.0.lock() {
            set.remove(&self.name);
        }
    }
}

pub fn broken(spec: &ProbeSpec, reason: String) -> ProbeResult {
    let observed = Observed::default();
    let result = ProbeResult {
        name: spec.name.clone(),
        at: jiff::Timestamp::now().as_second(),
        verdict: judge(&spec.fail, &spec.warn, &observed),
        observed,
        failure: Some(Failure::Other(reason)),
        cert_not_after: None,
        requests: 0,
    };
    masked(result, &spec.secrets)
}

/// The status a result shows: a transport failure fails whatever the
/// conditions say.
pub fn status(r: &ProbeResult) -> crate::status::Status {
    use crate::condition::State;
    use crate::status::Status;
    match &r.failure {
        Some(Failure::Http(_) | Failure::Condition(_)) | None => match r.verdict.state {
            State::Pass => Status::Ok,
            State::Warn => Status::Warn,
            State::Fail => Status::Fail,
        },
        Some(_) => Status::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_ca_is_a_kind_that_names_the_probe_and_the_file() {
        let spec = ProbeSpec {
            name: "api".into(),
            method: reqwest::Method::GET,
            url: "https://127.0.0.1:1/".into(),
            shown_url: "https://127.0.0.1:1/".into(),
            headers: Vec::new(),
            body: None,
            every: Duration::from_secs(10),
            timeout: Duration::from_secs(1),
            insecure: false,
            ca: Some("/nonexistent/ca.pem".into()),
            burst: None,
            fail: Vec::new(),
            warn: Vec::new(),
            secrets: Secrets::default(),
        };
        let err = client(&spec).unwrap_err();
        match &err {
            ClientError::CaUnreadable {
                probe,
                path,
                source,
            } => {
                assert_eq!(probe, "api");
                assert_eq!(path, std::path::Path::new("/nonexistent/ca.pem"));
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("not CaUnreadable: {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("probe api: ca /nonexistent/ca.pem: "),
            "{err}"
        );
    }

    #[test]
    fn a_probe_has_one_run_in_flight_at_most() {
        let bursts = InFlight::default();
        let first = bursts.try_start("rate-limit");
        assert!(first.is_some());
        assert!(
            bursts.try_start("rate-limit").is_none(),
            "a second run waits"
        );
        assert!(bursts.try_start("other").is_some(), "other probes are free");
        drop(first);
        assert!(
            bursts.try_start("rate-limit").is_some(),
            "free again once done"
        );
    }
}
