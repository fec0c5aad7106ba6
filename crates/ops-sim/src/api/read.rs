//! get, list (selectors, pagination) and watch (resume from a version, 410
//! Gone when it is too old, bookmarks, timeouts).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::StatusCode;
use hyper::body::Frame;
use serde_json::json;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::{Api, not_found, status, table};
use crate::cluster::lock;
use crate::http::{Req, Resp, json};
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{Kind, Obj, watch_line};

/// Longest a watch stays open.
const MAX_WATCH: Duration = Duration::from_secs(1800);
const BOOKMARK_EVERY: Duration = Duration::from_secs(1);

pub fn get(api: &Api, req: &Req, kind: Kind, ns: &str, name: &str) -> Resp {
    let (obj, rv) = {
        let cluster = lock(&api.cluster);
        (
            cluster.store.get(kind, ns, name),
            cluster.store.resource_version(),
        )
    };
    match obj {
        Some(obj) if table::wanted(req.header("accept")) => {
            let include = req.param("includeObject").as_deref() == Some("Object");
            json(
                StatusCode::OK,
                &table::table(kind.name(), &[&obj], rv, include),
            )
        }
        Some(obj) => json(StatusCode::OK, &*obj),
        None => not_found(kind, name),
    }
}

struct Filter {
    kind: Kind,
    ns: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn from(req: &Req, kind: Kind, ns: Option<String>) -> Result<Filter, Box<Resp>> {
        let bad = |e: String| Box::new(status(StatusCode::BAD_REQUEST, "BadRequest", e, None));
        let labels =
            LabelSelector::parse(&req.param("labelSelector").unwrap_or_default()).map_err(bad)?;
        let fields =
            FieldSelector::parse(&req.param("fieldSelector").unwrap_or_default()).map_err(bad)?;
        Ok(Filter {
            kind,
            ns,
            labels,
            fields,
        })
    }

    fn matches(&self, obj: &Obj) -> bool {
        obj.kind() == self.kind
            && self
                .ns
                .as_deref()
                .is_none_or(|ns| ns.is_empty() || obj.namespace() == ns)
            && self.labels.matches(obj.meta().labels.as_ref())
            && self.fields.matches(obj)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Continue {
    rv: u64,
    after: (String, String),
}

pub fn list(api: &Api, req: &Req, kind: Kind, ns: Option<&str>) -> Resp {
    let filter = match Filter::from(req, kind, ns.map(String::from)) {
        Ok(f) => f,
        Err(resp) => return *resp,
    };
    let limit: usize = req
        .param("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let after = match req.param("continue").filter(|c| !c.is_empty()) {
        Some(token) => match URL_SAFE_NO_PAD
            .decode(token.as_bytes())
            .ok()
            .and_then(|b| serde_json::from_slice::<Continue>(&b).ok())
        {
            Some(c) => Some(c),
            None => {
                return status(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "invalid continue token".into(),
                    None,
                );
            }
        },
        None => None,
    };
    // Under the lock: the page (cheap Arc clones) and how many remain.
    let (page, remaining, rv) = {
        let cluster = lock(&api.cluster);
        let rv = after
            .as_ref()
            .map_or(cluster.store.resource_version(), |c| c.rv);
        let mut selected = cluster
            .store
            .iter_after(kind, ns.filter(|n| !n.is_empty()), after.map(|c| c.after))
            .filter(|o| filter.matches(o));
        let page: Vec<Arc<Obj>> = selected.by_ref().take(limit).cloned().collect();
        (page, selected.count(), rv)
    };
    let page: Vec<&Arc<Obj>> = page.iter().collect();
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if remaining > 0
        && let Some(last) = page.last()
    {
        let token = Continue {
            rv,
            after: (last.namespace().to_string(), last.name().to_string()),
        };
        let token = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).unwrap_or_default());
        metadata["continue"] = json!(token);
        metadata["remainingItemCount"] = json!(remaining);
    }
    if table::wanted(req.header("accept")) {
        let include = req.param("includeObject").as_deref() == Some("Object");
        let mut t = table::table(kind.name(), &page, rv, include);
        t["metadata"] = metadata;
        return json(StatusCode::OK, &t);
    }
    // Serialise items straight into the response, without a Value tree.
    let mut body = format!(
        "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
        kind.name(),
        kind.api_version(),
        metadata
    )
    .into_bytes();
    for (i, obj) in page.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let _ = serde_json::to_writer(&mut body, &***obj);
    }
    body.extend_from_slice(b"]}");
    let mut resp = hyper::Response::new(crate::http::full(body));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

pub async fn watch(api: &Api, req: &Req, kind: Kind, ns: Option<String>) -> Resp {
    let filter = match Filter::from(req, kind, ns) {
        Ok(f) => f,
        Err(resp) => return *resp,
    };
    let bookmarks = req
        .param("allowWatchBookmarks")
        .is_some_and(|b| b == "true");
    let timeout = req
        .param("timeoutSeconds")
        .and_then(|t| t.parse().ok())
        .map_or(MAX_WATCH, Duration::from_secs)
        .min(MAX_WATCH);
    let from = req.param("resourceVersion").unwrap_or_default();
    let mut drop_watches = api.drop_watches.subscribe();

    // Under one lock: what to send first, and the subscription after it.
    let (first, changes, mut last_rv) = {
        let cluster = lock(&api.cluster);
        let store = &cluster.store;
        let current = store.resource_version();
        let first: Vec<Bytes> = match from.as_str() {
            "" | "0" => store
                .list(kind, filter.ns.as_deref().filter(|n| !n.is_empty()))
                .iter()
                .filter(|o| filter.matches(o))
                .map(|o| watch_line("ADDED", &**o))
                .collect(),
            n => match n.parse::<u64>() {
                Ok(rv) => match store.changes_since(rv) {
                    Some(changes) => changes
                        .iter()
                        .filter(|c| filter.matches(&c.obj))
                        .map(|c| c.line())
                        .collect(),
                    None => vec![expired(rv, store.oldest_watchable())],
                },
                Err(_) => {
                    return status(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        format!("invalid resourceVersion {n:?}"),
                        None,
                    );
                }
            },
        };
        (first, store.subscribe(), current)
    };

    let (tx, rx) = mpsc::channel::<Bytes>(1024);
    tokio::spawn(async move {
        let expired = first.len() == 1 && first[0].starts_with(b"{\"type\":\"ERROR\"");
        for line in first {
            if tx.send(line).await.is_err() {
                return;
            }
        }
        if expired {
            return;
        }
        let mut changes = changes;
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut bookmark = tokio::time::interval(BOOKMARK_EVERY);
        bookmark.tick().await;
        loop {
            tokio::select! {
                change = changes.recv() => match change {
                    Ok(c) => {
                        if c.rv <= last_rv {
                            continue;
                        }
                        last_rv = c.rv;
                        if filter.matches(&c.obj) && tx.send(c.line()).await.is_err() {
                            return;
                        }
                    }
                    // Too slow to keep up, or the store is gone: end the
                    // watch; the client resumes from its last version.
                    Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = bookmark.tick(), if bookmarks => {
                    let line = bookmark_line(filter.kind, last_rv);
                    if tx.send(line).await.is_err() {
                        return;
                    }
                }
                () = &mut deadline => return,
                _ = drop_watches.changed() => return,
                () = tx.closed() => return,
            }
        }
    });
    let stream = ReceiverStream::new(rx).map(|b| Ok(Frame::data(b)));
    let mut resp = hyper::Response::new(BodyExt::boxed(StreamBody::new(stream)));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

fn expired(rv: u64, oldest: u64) -> Bytes {
    let status = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("too old resource version: {rv} ({oldest})"),
        "reason": "Expired",
        "code": 410
    });
    watch_line("ERROR", &status)
}

fn bookmark_line(kind: Kind, rv: u64) -> Bytes {
    let obj = json!({
        "kind": kind.name(),
        "apiVersion": kind.api_version(),
        "metadata": {"resourceVersion": rv.to_string()}
    });
    watch_line("BOOKMARK", &obj)
}
