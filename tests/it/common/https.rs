//! Real HTTP(S) servers on 127.0.0.1 for probe tests, certificates made
//! with rcgen (a test CA, leaves with a chosen notAfter, self-signed ones),
//! and runbooks written to a temporary directory.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use ops_tui::condition::{Evaluation, Tier};
use ops_tui::probe::{ProbeResult, ProbeSpec};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub type Resp = Response<Full<Bytes>>;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: hyper::Method,
    pub path: String,
    /// The query as sent (percent-encoded), if any.
    pub query: Option<String>,
    pub headers: hyper::HeaderMap,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Resp + Send + Sync>;

/// A server on 127.0.0.1 that stops (every connection with it) when
/// dropped or stopped.
pub struct Server {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<watch::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `handler` over HTTP/1.1, over TLS when `tls` is given.
    pub async fn start(
        handler: impl Fn(&Seen) -> Resp + Send + Sync + 'static,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Server {
        let handler: Handler = Arc::new(handler);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = seen.clone();
        Server::run(
            move |listener, kill| async move {
                accept_loop(listener, kill, handler, recorded, tls).await;
            },
            seen,
        )
        .await
    }

    /// Answers every request with the same response.
    pub async fn fixed(
        status: u16,
        headers: &'static [(&'static str, &'static str)],
        body: &'static str,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Server {
        Server::start(move |_| respond(status, headers, body), tls).await
    }

    /// Accepts connections and never answers (nor reads) until stopped.
    pub async fn hang() -> Server {
        Server::run(
            |listener, mut kill| async move {
                let mut held = Vec::new();
                loop {
                    tokio::select! {
                        accepted = listener.accept() => match accepted {
                            Ok((stream, _)) if held.len() < 1000 => held.push(stream),
                            _ => {}
                        },
                        _ = kill.changed() => return,
                    }
                }
            },
            Arc::default(),
        )
        .await
    }

    async fn run<F, Fut>(body: F, seen: Arc<Mutex<Vec<Seen>>>) -> Server
    where
        F: FnOnce(TcpListener, watch::Receiver<()>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the bound address");
        let (stop, kill) = watch::channel(());
        let task = tokio::spawn(body(listener, kill));
        Server {
            addr,
            seen,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `scheme://127.0.0.1:port`.
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port())
    }

    /// Every request answered so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("the request log").clone()
    }

    /// Stops accepting, drops every connection and waits (bounded) for the
    /// accept loop to end.
    pub async fn stop(mut self) {
        self.stop.take();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .expect("the server stops within 5s")
                .expect("the server task ends cleanly");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    mut kill: watch::Receiver<()>,
    handler: Handler,
    seen: Arc<Mutex<Vec<Seen>>>,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = kill.changed() => return,
        };
        let (handler, seen, tls) = (handler.clone(), seen.clone(), tls.clone());
        let mut conn_kill = kill.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let s = Seen {
                    method: req.method().clone(),
                    path: req.uri().path().to_string(),
                    query: req.uri().query().map(String::from),
                    headers: req.headers().clone(),
                };
                let resp = handler(&s);
                seen.lock().expect("the request log").push(s);
                async move { Ok::<_, Infallible>(resp) }
            });
            let http = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(config) => {
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    let handshake = tokio::select! {
                        h = tokio::time::timeout(Duration::from_secs(5), acceptor.accept(stream)) => h,
                        _ = conn_kill.changed() => return,
                    };
                    // A client refusing the certificate ends here.
                    let Ok(Ok(stream)) = handshake else { return };
                    tokio::select! {
                        _ = http.serve_connection(TokioIo::new(stream), service) => {}
                        _ = conn_kill.changed() => {}
                    }
                }
                None => {
                    tokio::select! {
                        _ = http.serve_connection(TokioIo::new(stream), service) => {}
                        _ = conn_kill.changed() => {}
                    }
                }
            }
        });
    }
}

/// A response with a status, headers and a body.
pub fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut builder = Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

/// A point `days` days from now (negative: in the past), whole seconds.
pub fn days_from_now(days: i64) -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    t.replace_nanosecond(0).expect("zero nanoseconds")
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn server_config(cert: &rcgen::Certificate, key: &KeyPair) -> Arc<rustls::ServerConfig> {
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .expect("a server certificate");
    Arc::new(config)
}

/// Parameters of a leaf for 127.0.0.1 valid until `not_after`.
fn leaf(not_after: time::OffsetDateTime) -> CertificateParams {
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("leaf parameters");
    params.not_after = not_after;
    params.not_before = not_after.min(time::OffsetDateTime::now_utc()) - time::Duration::days(30);
    params
        .distinguished_name
        .push(DnType::CommonName, "probe test server");
    params
}

/// A private CA for the tests.
pub struct TestCa {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let key = KeyPair::generate().expect("a CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "probe test CA");
        params.not_before = days_from_now(-365);
        params.not_after = days_from_now(3650);
        let cert = params.self_signed(&key).expect("the CA certificate");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server configuration with a leaf for 127.0.0.1 this CA signed.
    pub fn server(&self, not_after: time::OffsetDateTime) -> Arc<rustls::ServerConfig> {
        let key = KeyPair::generate().expect("a leaf key");
        let cert = leaf(not_after)
            .signed_by(&key, &self.issuer)
            .expect("a signed leaf");
        server_config(&cert, &key)
    }
}

/// A server configuration whose certificate can be replaced while it
/// serves (sessions it has handed out stay resumable).
pub struct Swappable {
    pub config: Arc<rustls::ServerConfig>,
    current: Arc<Mutex<Arc<rustls::sign::CertifiedKey>>>,
}

#[derive(Debug)]
struct Current(Arc<Mutex<Arc<rustls::sign::CertifiedKey>>>);

impl rustls::server::ResolvesServerCert for Current {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.0.lock().ok().map(|c| c.clone())
    }
}

impl TestCa {
    fn certified(&self, not_after: time::OffsetDateTime) -> Arc<rustls::sign::CertifiedKey> {
        let key = KeyPair::generate().expect("a leaf key");
        let cert = leaf(not_after)
            .signed_by(&key, &self.issuer)
            .expect("a signed leaf");
        let der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let certified =
            rustls::sign::CertifiedKey::from_der(vec![cert.der().clone()], der, &provider())
                .expect("a certified key");
        Arc::new(certified)
    }

    /// A server configuration with a leaf valid until `not_after`, which
    /// [`Swappable::swap`] replaces.
    pub fn swappable(&self, not_after: time::OffsetDateTime) -> Swappable {
        let current = Arc::new(Mutex::new(self.certified(not_after)));
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Current(current.clone())));
        Swappable {
            config: Arc::new(config),
            current,
        }
    }

    /// Replaces the certificate of `server` by a new leaf valid until
    /// `not_after`.
    pub fn swap(&self, server: &Swappable, not_after: time::OffsetDateTime) {
        *server.current.lock().expect("the current certificate") = self.certified(not_after);
    }
}

/// A CA certificate for 127.0.0.1 served as the server's own certificate
/// (a common mistake): its PEM, to trust it as a `ca`, and the server's
/// configuration.
pub fn ca_as_leaf() -> (String, Arc<rustls::ServerConfig>) {
    let key = KeyPair::generate().expect("a key");
    let mut params = leaf(days_from_now(90));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("a CA certificate");
    (cert.pem(), server_config(&cert, &key))
}

/// A server configuration with a self-signed certificate for 127.0.0.1.
pub fn self_signed(not_after: time::OffsetDateTime) -> Arc<rustls::ServerConfig> {
    let key = KeyPair::generate().expect("a key");
    let cert = leaf(not_after)
        .self_signed(&key)
        .expect("a self-signed leaf");
    server_config(&cert, &key)
}

/// Writes `ops-tui.toml` into a new temporary directory: a service,
/// `[env.test]` with `vars`, then `probes` (TOML `[[probe]]` tables); loads
/// it as the product does and returns the directory and the probes of
/// `test`.
pub fn probes(vars: &[(&str, String)], probes: &str) -> (TempDir, Vec<ProbeSpec>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let vars = vars
        .iter()
        .map(|(k, v)| format!("{k} = {v:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "[service]\nname = \"probe-test\"\n\n[env.test]\ncontext = \"test\"\n\
         namespace = \"test\"\nvars = {{ {vars} }}\n\n{probes}"
    );
    let path = dir.path().join("ops-tui.toml");
    std::fs::write(&path, text).expect("write the runbook");
    let runbook = ops_tui::runbook::Runbook::load(&path).expect("the runbook loads");
    let specs = ops_tui::probe::specs(&runbook, Some("test")).expect("the probes build");
    (dir, specs)
}

/// The probe named `name`.
pub fn spec<'a>(specs: &'a [ProbeSpec], name: &str) -> &'a ProbeSpec {
    specs
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no probe {name}"))
}

/// Runs a probe once, as the product does (bounded: 20s at most).
pub async fn run(spec: &ProbeSpec) -> ProbeResult {
    let client = ops_tui::probe::client(spec).expect("the probe's client");
    let once = ops_tui::probe::run_once(&client, spec, false);
    tokio::time::timeout(Duration::from_secs(20), once)
        .await
        .expect("a probe run ends")
}

/// The evaluation of `condition`, with its tier.
pub fn eval<'a>(r: &'a ProbeResult, condition: &str) -> (Tier, &'a Evaluation) {
    r.verdict
        .evaluations
        .iter()
        .find(|(_, e)| e.condition == condition)
        .map(|(t, e)| (*t, e))
        .unwrap_or_else(|| panic!("no evaluation of {condition:?} in {:#?}", r.verdict))
}

/// The evidence of `condition`.
pub fn resolved<'a>(r: &'a ProbeResult, condition: &str) -> &'a str {
    &eval(r, condition).1.resolved
}

pub fn passes(r: &ProbeResult, condition: &str) -> bool {
    eval(r, condition).1.ok
}

/// Asserts each condition's evidence is exactly the text given.
pub fn assert_evidence(r: &ProbeResult, expected: &[(&str, &str)]) {
    for (condition, text) in expected {
        assert_eq!(resolved(r, condition), *text, "the evidence of {condition}");
    }
}
