//! HTTP(S) health probes: one task per probe, at most one request in
//! flight each, so a hanging endpoint never delays the others or the UI.
//! Each result keeps what was observed, how it failed (DNS, refused,
//! timeout, TLS with the reason, HTTP status, condition) and every
//! condition's resolved value: the evidence.

mod burst;
pub mod cert;
pub mod spec;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::condition::{Observed, Verdict, judge};
pub use burst::BurstRecord;
pub use spec::{ProbeSpec, specs};

/// The most of a body read (the rest is not needed to judge it).
pub const MAX_BODY: usize = 1 << 20;
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

/// The HTTP client of one probe: its timeout, TLS settings and extra CA.
pub fn client(spec: &ProbeSpec) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(spec.timeout)
        .connect_timeout(spec.timeout)
        .tls_info(true)
        .redirect(reqwest::redirect::Policy::limited(10))
        .user_agent(concat!("ops-tui/", env!("CARGO_PKG_VERSION")));
    if spec.insecure {
        builder = builder.danger_accept_invalid_certs(true);
    }
    if let Some(path) = &spec.ca {
        let pem = std::fs::read(path)
            .map_err(|e| format!("probe {}: ca {}: {e}", spec.name, path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("probe {}: ca {}: {e}", spec.name, path.display()))?;
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| format!("probe {}: {e}", spec.name))
}

/// Classifies a request error by walking its causes. Callers pass the
/// error `without_url()`: a URL can carry a secret (a token in the query),
/// and the failure's text reaches the screen, the journal and the report.
pub fn classify(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::Timeout;
    }
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut deepest = e.to_string();
    while let Some(err) = source {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Failure::Tls(tls_reason(tls));
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    return Failure::Refused(io.to_string());
                }
                std::io::ErrorKind::TimedOut => return Failure::Timeout,
                _ => {}
            }
        }
        let text = err.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Failure::Dns(text);
        }
        deepest = text;
        // An io::Error's source() skips the error it wraps (it returns the
        // wrapped error's own source), and rustls's errors arrive wrapped
        // in one: step into it rather than past it.
        source = match err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => Some(inner as &dyn std::error::Error),
            None => err.source(),
        };
    }
    Failure::Other(deepest)
}

/// rustls's reason in words.
fn tls_reason(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::Expired) => "certificate expired".into(),
        rustls::Error::InvalidCertificate(C::ExpiredContext { .. }) => {
            "certificate expired".into()
        }
        rustls::Error::InvalidCertificate(C::NotValidYet) => "certificate not valid yet".into(),
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "certificate signed by an unknown authority (self-signed or a private CA: set `ca` or `insecure` on the probe)".into()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName)
        | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            "certificate not valid for this host name".into()
        }
        other => other.to_string(),
    }
}

/// Runs a probe once (or its burst, when `burst` is set) and judges it.
pub async fn run_once(client: &reqwest::Client, spec: &ProbeSpec, burst: bool) -> ProbeResult {
    let count = if burst {
        spec.burst.unwrap_or(1).clamp(1, MAX_BURST)
    } else {
        1
    };
    let mut observed = Observed::default();
    let mut transport: Option<Failure> = None;
    let mut counts: BTreeMap<u16, u32> = BTreeMap::new();
    let mut tls_info = None;
    for _ in 0..count {
        match request(client, spec).await {
            Ok((o, info)) => {
                if let Some(s) = o.status {
                    *counts.entry(s).or_default() += 1;
                }
                observed = o;
                tls_info = info.or(tls_info);
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
    let now = jiff::Timestamp::now().as_second();
    let mut cert_not_after = tls_info.as_deref().and_then(cert::not_after);
    if cert_not_after.is_none()
        && let Ok(url) = reqwest::Url::parse(&spec.url)
        && url.scheme() == "https"
        && let Some(host) = url.host_str()
    {
        // Read it anyway: an expired or untrusted certificate is the
        // reason the request failed, and its dates say how.
        let port = url.port_or_known_default().unwrap_or(443);
        // An IPv6 literal comes bracketed (`[::1]`); connecting and the
        // server name want the bare address.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        cert_not_after = cert::presented_not_after(host, port, spec.timeout)
            .await
            .ok();
    }
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
    ProbeResult {
        name: spec.name.clone(),
        at: now,
        observed,
        verdict,
        failure,
        cert_not_after,
        requests: count,
    }
}

/// One request: the observation, and the presented certificate (DER).
async fn request(
    client: &reqwest::Client,
    spec: &ProbeSpec,
) -> Result<(Observed, Option<Vec<u8>>), Failure> {
    let mut req = client.request(spec.method.clone(), &spec.url);
    for h in &spec.headers {
        req = req.header(&h.name, &h.value);
    }
    if let Some(body) = &spec.body {
        req = req.body(body.clone());
    }
    let started = Instant::now();
    let mut response = req.send().await.map_err(|e| classify(&e.without_url()))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let der = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate())
        .map(<[u8]>::to_vec);
    let mut body = Vec::new();
    while body.len() < MAX_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return Err(classify(&e.without_url())),
        }
    }
    body.truncate(MAX_BODY);
    let elapsed = started.elapsed();
    Ok((
        Observed {
            connected: true,
            status: Some(status),
            response_time_ms: Some(elapsed.as_secs_f64() * 1000.0),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            ..Observed::default()
        },
        der,
    ))
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
                        let _ = tx.send(report(broken(&spec, e))).await;
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
    ProbeResult {
        name: spec.name.clone(),
        at: jiff::Timestamp::now().as_second(),
        verdict: judge(&spec.fail, &spec.warn, &observed),
        observed,
        failure: Some(Failure::Other(reason)),
        cert_not_after: None,
        requests: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
