//! One probe request, its redirects followed here rather than by reqwest:
//! within the probe's origin (scheme, host, port) everything is sent
//! again; once a redirect leaves it, the runbook's headers, the body, the
//! URL's userinfo and the original query's values stay behind, no Referer
//! is ever sent, and a redirect whose address still carries one of the
//! probe's secrets is not followed.

use std::time::Instant;

use reqwest::{Method, StatusCode, Url};

use super::{Failure, MAX_BODY, ProbeSpec};
use crate::condition::Observed;
use crate::secrets::percent_decode;

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 10;

/// Whether two URLs have the same origin: scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The address a cross-origin redirect goes to, without userinfo and
/// without the query parameters whose value came from the probe's URL or
/// is one of its secrets; None when a secret is still in it.
fn leaving(mut next: Url, original: &Url, spec: &ProbeSpec) -> Option<Url> {
    let _ = next.set_username("");
    let _ = next.set_password(None);
    let ours: Vec<String> = original
        .query_pairs()
        .map(|(_, v)| v.into_owned())
        .collect();
    let kept: Vec<(String, String)> = next
        .query_pairs()
        .filter(|(_, v)| !ours.iter().any(|o| o == v) && !spec.secrets.found_in(v))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        next.set_query(None);
    } else {
        next.query_pairs_mut().clear().extend_pairs(kept);
    }
    let clean = !spec.secrets.found_in(next.as_str())
        && !spec.secrets.found_in(&percent_decode(next.as_str()));
    clean.then_some(next)
}

/// One request of a probe, redirects followed: the observation, and the
/// certificate the first server presented (DER).
pub async fn request(
    client: &reqwest::Client,
    spec: &ProbeSpec,
) -> Result<(Observed, Option<Vec<u8>>), Failure> {
    let original = Url::parse(&spec.url)
        .map_err(|e| Failure::Other(format!("the probe's URL cannot be read: {e}")))?;
    let mut url = original.clone();
    let mut method = spec.method.clone();
    let mut body = spec.body.clone();
    let mut at_origin = true;
    let mut der = None;
    let started = Instant::now();
    for hop in 0..=MAX_REDIRECTS {
        let mut req = client.request(method.clone(), url.clone());
        if at_origin {
            for h in &spec.headers {
                req = req.header(&h.name, &h.value);
            }
        }
        if let Some(body) = &body {
            req = req.body(body.clone());
        }
        let mut response = req.send().await.map_err(|e| classify(&e.without_url()))?;
        if hop == 0 {
            der = response
                .extensions()
                .get::<reqwest::tls::TlsInfo>()
                .and_then(|i| i.peer_certificate())
                .map(<[u8]>::to_vec);
        }
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|l| l.to_str().map(str::to_string));
        if status.is_redirection()
            && let Some(location) = location
        {
            if hop == MAX_REDIRECTS {
                return Err(Failure::Other(format!(
                    "more than {MAX_REDIRECTS} redirects"
                )));
            }
            let next = location
                .ok()
                .and_then(|l| url.join(&l).ok())
                .ok_or_else(|| {
                    Failure::Other(format!(
                        "HTTP {} redirects to an address that cannot be read",
                        status.as_u16()
                    ))
                })?;
            (method, body) = redirected(status, method, body);
            url = if at_origin && same_origin(&original, &next) {
                next
            } else {
                at_origin = false;
                body = None;
                leaving(next, &original, spec).ok_or_else(|| {
                    Failure::Other(format!(
                        "HTTP {} redirects to another origin with a secret of the probe in the address: not followed",
                        status.as_u16()
                    ))
                })?
            };
            continue;
        }
        return read(&mut response, started)
            .await
            .map(|observed| (observed, der));
    }
    Err(Failure::Other(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

/// The method and body of the request after a redirect: 303 (and 301 or
/// 302 after a POST) turn it into a GET without a body, as browsers do.
fn redirected(
    status: StatusCode,
    method: Method,
    body: Option<String>,
) -> (Method, Option<String>) {
    match status.as_u16() {
        303 if method != Method::HEAD => (Method::GET, None),
        301 | 302 if method == Method::POST => (Method::GET, None),
        _ => (method, body),
    }
}

/// The response read into an observation (the body up to [`MAX_BODY`]).
async fn read(response: &mut reqwest::Response, started: Instant) -> Result<Observed, Failure> {
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
    let mut body = Vec::new();
    let mut ended = false;
    while body.len() <= MAX_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => {
                ended = true;
                break;
            }
            Err(e) => return Err(classify(&e.without_url())),
        }
    }
    let body_cut = !ended && body.len() > MAX_BODY;
    body.truncate(MAX_BODY);
    Ok(Observed {
        connected: true,
        status: Some(status),
        response_time_ms: Some(started.elapsed().as_secs_f64() * 1000.0),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        body_cut,
        ..Observed::default()
    })
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
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::BrokenPipe => {
                    return Failure::Other(format!("connection closed by the server ({io})"));
                }
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
        rustls::Error::InvalidCertificate(C::BadSignature) => {
            "certificate signature does not verify".into()
        }
        rustls::Error::InvalidCertificate(C::Revoked) => "certificate revoked".into(),
        rustls::Error::InvalidCertificate(C::InvalidPurpose)
        | rustls::Error::InvalidCertificate(C::InvalidPurposeContext { .. }) => {
            "certificate not valid for a server (its key usage)".into()
        }
        rustls::Error::InvalidCertificate(C::BadEncoding) => "certificate malformed".into(),
        // The verifier's own reasons arrive by name (`CaUsedAsEndEntity`).
        rustls::Error::InvalidCertificate(C::Other(other)) => match other.to_string().as_str() {
            "CaUsedAsEndEntity" => {
                "the server presents a CA certificate as its own: serve a certificate issued by that CA".into()
            }
            "EndEntityUsedAsCa" => {
                "the chain uses a server's certificate as a CA".into()
            }
            "UnsupportedSignatureAlgorithm" | "UnsupportedSignatureAlgorithmForPublicKey" => {
                "certificate signed with an algorithm not supported".into()
            }
            name => format!("certificate rejected ({name})"),
        },
        rustls::Error::InvalidCertificate(other) => format!("certificate rejected ({other:?})"),
        rustls::Error::AlertReceived(alert) => {
            format!("the server ended the handshake ({alert:?})")
        }
        rustls::Error::InvalidMessage(_) => {
            "the server did not answer in TLS (a plain HTTP port?)".into()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(same_origin(
            &u("http://a.example/x"),
            &u("http://A.example:80/y?z")
        ));
        assert!(!same_origin(
            &u("http://a.example/"),
            &u("https://a.example/")
        ));
        assert!(!same_origin(
            &u("http://a.example/"),
            &u("http://a.example:8080/")
        ));
        assert!(!same_origin(
            &u("http://a.example/"),
            &u("http://b.example/")
        ));
    }

    #[test]
    fn a_303_and_a_post_moved_become_a_get_without_a_body() {
        let body = Some("{}".to_string());
        let r =
            |code: u16, m: Method| redirected(StatusCode::from_u16(code).unwrap(), m, body.clone());
        assert_eq!(r(303, Method::PUT), (Method::GET, None));
        assert_eq!(r(302, Method::POST), (Method::GET, None));
        assert_eq!(r(307, Method::POST), (Method::POST, body.clone()));
        assert_eq!(r(303, Method::HEAD), (Method::HEAD, body.clone()));
    }
}
