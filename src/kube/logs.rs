//! Pod logs: one stream at a time (the log view's), read line by line and
//! sent to the UI loop in batches. The stream ends when the container
//! stops, when the view asks for another, or when the view closes.

use std::time::Duration;

use ::kube::Api;
use ::kube::api::LogParams;
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use tokio::task::JoinHandle;

use super::watch::Shared;
use crate::sink::Sink;

/// Lines sent to the loop at most at once.
const BATCH: usize = 256;
/// How long a batch waits for more lines before it is sent.
const GATHER: Duration = Duration::from_millis(25);
/// How long the API server may take to start a log stream.
const OPEN_DEADLINE: Duration = Duration::from_secs(15);
/// Longer lines are cut here (a log line is for reading, not for memory).
pub const MAX_LINE: usize = 4096;

/// What the log view asks the loop to stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    /// Ties answers to this request; answers of older streams are dropped.
    pub stream: u64,
    pub pod: String,
    pub container: String,
    pub previous: bool,
    /// Keep the stream open for new lines (not for previous logs: that
    /// container is gone).
    pub follow: bool,
    pub tail: i64,
}

/// What a log stream reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    Lines(Vec<String>),
    Ended,
    Failed(String),
}

/// The running stream; dropping it ends it.
pub struct LogTask(JoinHandle<()>);

impl Drop for LogTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts streaming a container's logs.
pub fn spawn<M: Send + 'static>(
    request: LogRequest,
    shared: Shared,
    out: Sink<M, LogEvent>,
) -> LogTask {
    let connected = shared.lock().ok().and_then(|g| g.clone());
    LogTask(tokio::spawn(async move {
        let stream = request.stream;
        let Some((client, _, ns)) = connected else {
            out.send(
                stream,
                LogEvent::Failed("not connected to the cluster".into()),
            )
            .await;
            return;
        };
        let end = match read(client, &ns, &request, &out).await {
            Ok(()) => LogEvent::Ended,
            Err(e) => LogEvent::Failed(e),
        };
        out.send(stream, end).await;
    }))
}

fn cut(mut line: String) -> String {
    if line.len() > MAX_LINE {
        let mut at = MAX_LINE;
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        line.truncate(at);
        line.push_str(" …");
    }
    line
}

/// What the API said, without the Rust wrapping.
fn describe(e: ::kube::Error) -> String {
    match e {
        ::kube::Error::Api(s) => s.message,
        other => other.to_string(),
    }
}

async fn read<M>(
    client: ::kube::Client,
    ns: &str,
    request: &LogRequest,
    out: &Sink<M, LogEvent>,
) -> Result<(), String> {
    // A pod of a view of every namespace names its own.
    let (own, pod) = super::model::split(&request.pod);
    let api: Api<Pod> = Api::namespaced(client, own.unwrap_or(ns));
    let params = LogParams {
        container: Some(request.container.clone()).filter(|c| !c.is_empty()),
        follow: request.follow,
        previous: request.previous,
        tail_lines: Some(request.tail),
        ..LogParams::default()
    };
    // The stream must start within the deadline; once it runs, a quiet
    // container is not an error.
    let reader = tokio::time::timeout(OPEN_DEADLINE, api.log_stream(pod, &params))
        .await
        .map_err(|_| {
            format!(
                "the API server did not answer within {} s",
                OPEN_DEADLINE.as_secs()
            )
        })?
        .map_err(describe)?;
    let mut lines = reader.lines();
    loop {
        let mut batch = Vec::new();
        match lines.next().await {
            None => return Ok(()),
            Some(Err(e)) => return Err(e.to_string()),
            Some(Ok(line)) => batch.push(cut(line)),
        }
        let mut ended = false;
        while batch.len() < BATCH {
            match tokio::time::timeout(GATHER, lines.next()).await {
                Ok(Some(Ok(line))) => batch.push(cut(line)),
                Ok(Some(Err(e))) => return Err(e.to_string()),
                Ok(None) => {
                    ended = true;
                    break;
                }
                Err(_) => break,
            }
        }
        if !out.send(request.stream, LogEvent::Lines(batch)).await {
            return Ok(());
        }
        if ended {
            return Ok(());
        }
    }
}
