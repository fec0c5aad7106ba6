//! `GET /api/v1/namespaces/{ns}/pods/{name}/log`: a container's logs, with
//! the query parameters, validation and error messages of the real API
//! server and kubelet. `follow=true` streams lines as they are written,
//! until the container stops, the pod is deleted or the client goes away.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::StatusCode;
use hyper::body::Frame;
use k8s_openapi::api::core::v1::Pod;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::{Api, not_found, status};
use crate::cluster::{Cluster, lock};
use crate::http::{Body, Req, Resp, full};
use crate::logs::{self, Instance, MAX_LINES, Nanos};
use crate::store::{Change, EventType, Kind, Obj, Typed};

/// Longest a followed log stays open.
const MAX_FOLLOW: Duration = Duration::from_secs(3600);
/// Longest a follower sleeps between looks at the clock.
const MAX_WAIT: Duration = Duration::from_secs(1);

const NS_PER_SEC: Nanos = 1_000_000_000;

enum Since {
    Seconds(i64),
    Time(Nanos),
}

/// `PodLogOptions` from the query string.
struct Options {
    container: Option<String>,
    follow: bool,
    previous: bool,
    timestamps: bool,
    tail: Option<i64>,
    limit: Option<i64>,
    since: Option<Since>,
    both_since: bool,
}

fn bad_request(message: String) -> Box<Resp> {
    Box::new(status(StatusCode::BAD_REQUEST, "BadRequest", message, None))
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Result<bool, Box<Resp>> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(bad_request(format!(
            "strconv.ParseBool: parsing {v:?}: invalid syntax"
        ))),
    }
}

fn parse_int(v: &str) -> Result<i64, Box<Resp>> {
    v.parse()
        .map_err(|_| bad_request(format!("strconv.ParseInt: parsing {v:?}: invalid syntax")))
}

impl Options {
    fn parse(req: &Req) -> Result<Options, Box<Resp>> {
        let mut o = Options {
            container: None,
            follow: false,
            previous: false,
            timestamps: false,
            tail: None,
            limit: None,
            since: None,
            both_since: false,
        };
        let mut since_time = None;
        for (key, value) in req.query() {
            match key.as_str() {
                "container" => o.container = Some(value),
                "follow" => o.follow = parse_bool(&value)?,
                "previous" => o.previous = parse_bool(&value)?,
                "timestamps" => o.timestamps = parse_bool(&value)?,
                "tailLines" => o.tail = Some(parse_int(&value)?),
                "limitBytes" => o.limit = Some(parse_int(&value)?),
                "sinceSeconds" => o.since = Some(Since::Seconds(parse_int(&value)?)),
                "sinceTime" => {
                    let t = value.parse::<jiff::Timestamp>().map_err(|_| {
                        bad_request(format!(
                            "parsing time {value:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {value:?} as \"2006\""
                        ))
                    })?;
                    since_time = Some(t.as_nanosecond());
                }
                _ => {}
            }
        }
        if let Some(t) = since_time {
            o.both_since = o.since.is_some();
            o.since = o.since.or(Some(Since::Time(t)));
        }
        Ok(o)
    }

    /// The API server's validation of `PodLogOptions`: 422 Invalid.
    fn validate(&self, pod: &str) -> Result<(), Box<Resp>> {
        let mut causes = Vec::new();
        if let Some(t) = self.tail.filter(|t| *t < 0) {
            causes.push(format!(
                "tailLines: Invalid value: {t}: must be greater than or equal to 0"
            ));
        }
        if let Some(l) = self.limit.filter(|l| *l < 1) {
            causes.push(format!(
                "limitBytes: Invalid value: {l}: must be greater than 0"
            ));
        }
        if self.both_since {
            causes.push(
                ": Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"
                    .to_string(),
            );
        } else if let Some(Since::Seconds(s)) = &self.since
            && *s < 1
        {
            causes.push(format!(
                "sinceSeconds: Invalid value: {s}: must be greater than 0"
            ));
        }
        let message = match causes.as_slice() {
            [] => return Ok(()),
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        Err(Box::new(status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            format!("PodLogOptions \"{pod}\" is invalid: {message}"),
            Some((pod, "", "PodLogOptions")),
        )))
    }

    fn since(&self, now: Nanos) -> Option<Nanos> {
        match self.since.as_ref()? {
            Since::Seconds(s) => Some(now - Nanos::from(*s) * NS_PER_SEC),
            Since::Time(t) => Some(*t),
        }
    }
}

/// Lines `from..to` of an instance as sent, stopping at `budget` bytes
/// (which it lowers). Returns whether the budget ran out.
fn render(
    inst: &Instance,
    from: u64,
    to: u64,
    timestamps: bool,
    budget: &mut Option<u64>,
    out: &mut Vec<u8>,
) -> bool {
    for i in from..to {
        let mut line = inst.text(i);
        if timestamps {
            line = format!("{} {line}", logs::rfc3339_nano(inst.time(i)));
        }
        let bytes = line.as_bytes();
        match budget {
            Some(left) if (bytes.len() as u64) >= *left => {
                out.extend_from_slice(&bytes[..*left as usize]);
                *left = 0;
                return true;
            }
            Some(left) => *left -= bytes.len() as u64,
            None => {}
        }
        out.extend_from_slice(bytes);
    }
    false
}

fn plain(body: Body) -> Resp {
    let mut resp = hyper::Response::new(body);
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    resp
}

pub async fn get(api: &Api, req: &Req, ns: &str, name: &str) -> Resp {
    let options = match Options::parse(req).and_then(|o| o.validate(name).map(|()| o)) {
        Ok(o) => o,
        Err(resp) => return *resp,
    };
    // Under one lock: the pod, and the subscription to its later changes.
    let (obj, grace, changes) = {
        let cluster = lock(&api.cluster);
        (
            cluster.store.get(Kind::Pod, ns, name),
            cluster.timing.terminate,
            options.follow.then(|| cluster.store.subscribe()),
        )
    };
    let Some(pod) = obj.as_deref().and_then(Pod::peek) else {
        return not_found(Kind::Pod, name);
    };
    let chosen = logs::container(pod, options.container.as_deref())
        .and_then(|c| logs::instance(pod, &c, options.previous, grace).map(|i| (c, i)));
    let (container, inst) = match chosen {
        Ok(found) => found,
        Err(e) => return *bad_request(e.to_string()),
    };

    let now = logs::now();
    let written = inst.written(now);
    let mut from = written.saturating_sub(MAX_LINES);
    if let Some(since) = options.since(now) {
        from = inst.first_since(since, from, written);
    }
    if let Some(tail) = options.tail {
        from = from.max(written.saturating_sub(tail.max(0) as u64));
    }
    let mut budget = options.limit.map(|l| l.max(0) as u64);
    let mut body = Vec::new();
    let exhausted = render(
        &inst,
        from,
        written,
        options.timestamps,
        &mut budget,
        &mut body,
    );
    let Some(changes) = changes.filter(|_| !exhausted) else {
        return plain(full(body));
    };

    let (tx, rx) = mpsc::channel::<Bytes>(16);
    let follower = Follower {
        cluster: Arc::downgrade(&api.cluster),
        ns: ns.to_string(),
        name: name.to_string(),
        container,
        grace,
        inst,
        cursor: written,
        timestamps: options.timestamps,
        budget,
    };
    tokio::spawn(follower.run(Bytes::from(body), changes, tx));
    let stream = ReceiverStream::new(rx).map(|b| Ok(Frame::data(b)));
    plain(BodyExt::boxed(StreamBody::new(stream)))
}

/// A followed log: sends each line once it is written.
struct Follower {
    cluster: Weak<Mutex<Cluster>>,
    ns: String,
    name: String,
    container: String,
    grace: Duration,
    inst: Instance,
    /// The next line to send.
    cursor: u64,
    timestamps: bool,
    budget: Option<u64>,
}

/// What a change to the pod means for a follower.
enum Seen {
    Same,
    Ended,
}

impl Follower {
    async fn run(
        mut self,
        first: Bytes,
        mut changes: broadcast::Receiver<Arc<Change>>,
        tx: mpsc::Sender<Bytes>,
    ) {
        if !first.is_empty() && tx.send(first).await.is_err() {
            return;
        }
        let deadline = tokio::time::sleep(MAX_FOLLOW);
        tokio::pin!(deadline);
        loop {
            if !self.send_written(&tx).await {
                return;
            }
            if self.inst.total().is_some_and(|t| self.cursor >= t) {
                return;
            }
            // Until the next line is due (it may never be, if the
            // container stops first).
            let ahead = self.inst.time(self.cursor).saturating_sub(logs::now());
            let wait = Duration::from_nanos(ahead.clamp(1_000_000, NS_PER_SEC) as u64);
            tokio::select! {
                () = tokio::time::sleep(wait.min(MAX_WAIT)) => {}
                change = changes.recv() => {
                    let seen = match change {
                        Ok(c) => self.changed(&c),
                        // Missed some changes: look at the pod itself.
                        Err(broadcast::error::RecvError::Lagged(_)) => self.reread(),
                        Err(broadcast::error::RecvError::Closed) => Seen::Ended,
                    };
                    if let Seen::Ended = seen {
                        let _ = self.send_written(&tx).await;
                        return;
                    }
                }
                () = &mut deadline => return,
                () = tx.closed() => return,
            }
        }
    }

    /// Sends the lines written since the cursor. Returns false when the
    /// stream must end (client gone, or the byte limit reached).
    async fn send_written(&mut self, tx: &mpsc::Sender<Bytes>) -> bool {
        let upto = self.inst.written(logs::now());
        if upto <= self.cursor {
            return true;
        }
        let mut out = Vec::new();
        let exhausted = render(
            &self.inst,
            self.cursor,
            upto,
            self.timestamps,
            &mut self.budget,
            &mut out,
        );
        self.cursor = upto;
        tx.send(Bytes::from(out)).await.is_ok() && !exhausted
    }

    fn changed(&mut self, change: &Change) -> Seen {
        let obj = &change.obj;
        if obj.kind() != Kind::Pod || obj.namespace() != self.ns || obj.name() != self.name {
            return Seen::Same;
        }
        let deleted = change.event == EventType::Deleted;
        match self.observe(obj) {
            Seen::Same if deleted => Seen::Ended,
            seen => seen,
        }
    }

    fn reread(&mut self) -> Seen {
        let Some(cluster) = self.cluster.upgrade() else {
            return Seen::Ended;
        };
        let obj = lock(&cluster).store.get(Kind::Pod, &self.ns, &self.name);
        match obj {
            Some(obj) => self.observe(&obj),
            None => Seen::Ended,
        }
    }

    /// Learns from the pod what became of the followed instance: the same
    /// run (perhaps now stopping), or a run that has ended.
    fn observe(&mut self, obj: &Obj) -> Seen {
        let Some(pod) = Pod::peek(obj) else {
            return Seen::Ended;
        };
        let found = [false, true].into_iter().find_map(|previous| {
            logs::instance(pod, &self.container, previous, self.grace)
                .ok()
                .filter(|i| i.same(&self.inst))
        });
        match found {
            Some(inst) => {
                self.inst = inst;
                if self.inst.ended {
                    Seen::Ended
                } else {
                    Seen::Same
                }
            }
            None => Seen::Ended,
        }
    }
}
