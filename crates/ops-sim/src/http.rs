//! A small HTTP/1.1 server on 127.0.0.1 for the simulator's endpoints, with
//! a switch that resets every open connection (fault injection).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub type Body = BoxBody<Bytes, Infallible>;
pub type Resp = Response<Body>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Resp {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// Binds 127.0.0.1:`port` (0 for any free port).
pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await
}

/// A request with its body read (bounded), for handlers.
pub struct Req {
    pub method: hyper::Method,
    pub uri: hyper::Uri,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// The query string's parameters, decoded.
    pub fn query(&self) -> Vec<(String, String)> {
        let q = self.uri.query().unwrap_or("");
        url_decode_pairs(q)
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn url_decode_pairs(q: &str) -> Vec<(String, String)> {
    url::Url::parse(&format!("http://x/?{q}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Largest request body accepted.
const MAX_BODY: usize = 8 << 20;

/// A TLS configuration that can be replaced while serving (a new
/// certificate applies to the next connection).
pub type Tls = Arc<std::sync::RwLock<Arc<rustls::ServerConfig>>>;

/// Serves `handler` on `listener` (over TLS when `tls` is given) until
/// `kill` changes; then every open connection is dropped (reset) and the
/// function returns.
pub async fn serve<H, F, K>(
    listener: TcpListener,
    handler: H,
    mut kill: watch::Receiver<K>,
    tls: Option<Tls>,
) where
    K: Send + Sync + 'static,
    H: Fn(Req) -> F + Send + Sync + 'static,
    F: Future<Output = Resp> + Send + 'static,
{
    let handler = Arc::new(handler);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = kill.changed() => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let handler = handler.clone();
        let mut conn_kill = kill.clone();
        let tls = tls.as_ref().map(|t| {
            t.read()
                .map(|c| c.clone())
                .unwrap_or_else(|e| e.into_inner().clone())
        });
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let handler = handler.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    let limited = http_body_util::Limited::new(body, MAX_BODY);
                    let body = match limited.collect().await {
                        Ok(b) => b.to_bytes(),
                        Err(_) => {
                            return Ok::<_, Infallible>(text(
                                StatusCode::PAYLOAD_TOO_LARGE,
                                "request body too large",
                            ));
                        }
                    };
                    let req = Req {
                        method: parts.method,
                        uri: parts.uri,
                        headers: parts.headers,
                        body,
                    };
                    Ok::<_, Infallible>(handler(req).await)
                }
            });
            let builder = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(config) => {
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    let handshake = tokio::time::timeout(
                        std::time::Duration::from_secs(10),
                        acceptor.accept(stream),
                    );
                    let Ok(Ok(stream)) = handshake.await else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_kill.changed() => {}
                    }
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_kill.changed() => {}
                    }
                }
            }
        });
    }
}
