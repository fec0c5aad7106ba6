//! Resource usage from the metrics API (`metrics.k8s.io/v1beta1`, served by
//! metrics-server), read the way `kubectl top` reads it: each pod's
//! containers' CPU and memory, and each node's. Asked every
//! `METRICS_EVERY` (metrics-server itself refreshes about every 15 s); a
//! cluster without the API is its own state, told once, never an error
//! that repeats.

use std::time::Duration;

use std::borrow::Cow;

use ::kube::Client;
use futures::AsyncBufReadExt;
use serde::Deserialize;

use super::items::Splitter;

use super::model::quantity_of;
use super::{KubeMsg, Out};

/// How often usage is read while the API answers.
pub const METRICS_EVERY: Duration = Duration::from_secs(15);
/// How often a cluster without the metrics API is asked again (it may be
/// installed meanwhile).
pub const ABSENT_EVERY: Duration = Duration::from_secs(60);
/// How long one read may take.
pub const METRICS_DEADLINE: Duration = Duration::from_secs(10);

/// CPU in millicores and memory in bytes, summed over a pod's containers
/// (or a node's total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu: u64,
    pub memory: u64,
}

impl Usage {
    pub fn plus(self, other: Usage) -> Usage {
        Usage {
            cpu: self.cpu.saturating_add(other.cpu),
            memory: self.memory.saturating_add(other.memory),
        }
    }
}

/// One read of the metrics API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageReport {
    /// The pods of the namespace (by name) and the nodes (by name; empty
    /// when nodes may not be read), as of `at` (seconds since the epoch,
    /// the newest sample's time).
    Read {
        at: Option<i64>,
        pods: Named,
        nodes: Named,
    },
    /// The cluster does not serve the metrics API (no metrics-server, or
    /// its APIService is unavailable).
    Absent(String),
    /// RBAC refuses reading it.
    Forbidden(String),
    /// Any other failure (timeout, connection, a body that is not metrics).
    Failed(String),
}

/// Whose pods' usage is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// One namespace; pods by name.
    One(String),
    /// Every namespace at once; pods by qualified name (`ns/name`).
    All,
    /// These namespaces, one by one; pods by qualified name.
    Some(Vec<String>),
}

/// A pod's container, or a node: its usage, the quantities borrowed from
/// the body.
#[derive(Deserialize, Default)]
struct Resources<'a> {
    #[serde(borrow, default)]
    cpu: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    memory: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Container<'a> {
    #[serde(borrow, default)]
    usage: Resources<'a>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow)]
    metadata: Meta<'a>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    /// A pod's containers.
    #[serde(borrow, default)]
    containers: Vec<Container<'a>>,
    /// A node's total.
    #[serde(borrow, default)]
    usage: Option<Resources<'a>>,
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    namespace: Option<Cow<'a, str>>,
}

/// A quantity's whole number and its suffix's factor, exactly, for the
/// forms metrics-server writes (`12345n`, `2m`, `1`, `102400Ki`); None
/// for any other form (a fraction, an exponent), which is read as a
/// decimal number instead.
fn exact(text: &str, factor: impl Fn(&str) -> Option<u64>) -> Option<u64> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let (number, suffix) = text.split_at(digits);
    number.parse::<u64>().ok()?.checked_mul(factor(suffix)?)
}

/// CPU in nanocores.
fn nanocores(text: &str) -> u64 {
    exact(text, |suffix| match suffix {
        "n" => Some(1),
        "u" => Some(1_000),
        "m" => Some(1_000_000),
        "" => Some(1_000_000_000),
        _ => None,
    })
    .unwrap_or_else(|| quantity_of(text).map_or(0, |cores| (cores * 1e9).ceil() as u64))
}

/// Memory in bytes, rounded up.
fn memory_bytes(text: &str) -> u64 {
    exact(text, |suffix| match suffix {
        "" => Some(1),
        "k" => Some(1_000),
        "Ki" => Some(1 << 10),
        "M" => Some(1_000_000),
        "Mi" => Some(1 << 20),
        "G" => Some(1_000_000_000),
        "Gi" => Some(1 << 30),
        "Ti" => Some(1 << 40),
        _ => None,
    })
    .unwrap_or_else(|| quantity_of(text).map_or(0, |v| v.ceil() as u64))
}

/// kubectl top sums a pod's containers exactly, then rounds the CPU up to
/// whole millicores.
fn total<'a, 'b: 'a>(parts: impl Iterator<Item = &'a Resources<'b>>) -> Usage {
    let (nanos, memory) = parts.fold((0u64, 0u64), |(c, m), r| {
        (
            c.saturating_add(r.cpu.as_deref().map_or(0, nanocores)),
            m.saturating_add(r.memory.as_deref().map_or(0, memory_bytes)),
        )
    });
    Usage {
        cpu: nanos.div_ceil(1_000_000),
        memory,
    }
}

/// Usage by pod or node name, the names held in one text: a read of
/// 100,000 pods is two blocks of memory, not 100,001.
#[derive(Debug, Clone, Default)]
pub struct Named {
    text: String,
    /// Each name's start and length in `text`, and its usage.
    items: Vec<(u32, u32, Usage)>,
}

impl Named {
    /// Adds the name made of `parts` (a qualified name is its namespace,
    /// `/` and its name). A list whose names pass 4 GiB of text keeps
    /// what it had.
    pub fn push(&mut self, parts: &[&str], usage: Usage) {
        let Ok(start) = u32::try_from(self.text.len()) else {
            return;
        };
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let Ok(len32) = u32::try_from(len) else {
            return;
        };
        if start.checked_add(len32).is_none() {
            return;
        }
        for part in parts {
            self.text.push_str(part);
        }
        self.items.push((start, len32, usage));
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn name(&self, &(start, len, _): &(u32, u32, Usage)) -> &str {
        let start = start as usize;
        self.text
            .get(start..start + len as usize)
            .unwrap_or_default()
    }

    /// Each name and its usage, in the list's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Usage)> + '_ {
        self.items.iter().map(|item| (self.name(item), item.2))
    }

    /// Orders the list by name.
    pub fn sort(&mut self) {
        let mut items = std::mem::take(&mut self.items);
        items.sort_by(|a, b| self.name(a).cmp(self.name(b)));
        self.items = items;
    }

    pub fn is_sorted(&self) -> bool {
        self.items
            .windows(2)
            .all(|w| self.name(&w[0]) <= self.name(&w[1]))
    }

    /// Adds every item of `other`.
    pub fn append(&mut self, other: &Named) {
        for (name, usage) in other.iter() {
            self.push(&[name], usage);
        }
    }
}

/// Two lists are equal when they hold the same names and figures in the
/// same order, however their text is laid out.
impl PartialEq for Named {
    fn eq(&self, other: &Named) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Named {}

impl<S: AsRef<str>> PartialEq<Vec<(S, Usage)>> for Named {
    fn eq(&self, other: &Vec<(S, Usage)>) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other)
                .all(|((n, u), (m, v))| n == m.as_ref() && u == *v)
    }
}

impl<S: AsRef<str>> From<Vec<(S, Usage)>> for Named {
    fn from(items: Vec<(S, Usage)>) -> Named {
        items.into_iter().collect()
    }
}

impl<S: AsRef<str>> FromIterator<(S, Usage)> for Named {
    fn from_iter<I: IntoIterator<Item = (S, Usage)>>(items: I) -> Named {
        let mut list = Named::default();
        for (name, usage) in items {
            list.push(&[name.as_ref()], usage);
        }
        list
    }
}

/// A PodMetricsList or NodeMetricsList: (name, usage) of each item and
/// the newest sample's time.
pub fn parse(body: &[u8]) -> Result<(Named, Option<i64>), String> {
    parse_as(body, false)
}

/// As `parse`, each pod's name qualified by its namespace when `qualify`.
pub fn parse_as(body: &[u8], qualify: bool) -> Result<(Named, Option<i64>), String> {
    let mut list = ListReader::new(qualify);
    list.feed(body)?;
    list.finish()
}

/// Reads a metrics list piece by piece, reducing each item to its name and
/// usage as it ends: a list of 100,000 pods is never held whole, neither
/// as text nor as structs.
struct ListReader {
    split: Splitter,
    qualify: bool,
    items: Named,
    newest: Option<i64>,
    /// The last sample time read, and its text: the items of one list
    /// mostly share it.
    last_stamp: (String, Option<i64>),
}

impl ListReader {
    fn new(qualify: bool) -> ListReader {
        ListReader {
            split: Splitter::new(),
            qualify,
            items: Named::default(),
            newest: None,
            last_stamp: (String::new(), None),
        }
    }

    fn feed(&mut self, piece: &[u8]) -> Result<(), String> {
        let ListReader {
            split,
            qualify,
            items,
            newest,
            last_stamp,
        } = self;
        split
            .feed(piece, &mut |bytes: &[u8]| {
                let item: Item = serde_json::from_slice(bytes)?;
                if let Some(t) = item.timestamp.as_deref() {
                    if t != last_stamp.0 {
                        *last_stamp = (
                            t.to_string(),
                            t.parse::<jiff::Timestamp>().ok().map(|t| t.as_second()),
                        );
                    }
                    *newest = (*newest).max(last_stamp.1);
                }
                let usage = match &item.usage {
                    Some(node) => total(std::iter::once(node)),
                    None => total(item.containers.iter().map(|c| &c.usage)),
                };
                match (&item.metadata.namespace, *qualify) {
                    (Some(ns), true) => items.push(&[ns, "/", &item.metadata.name], usage),
                    _ => items.push(&[&item.metadata.name], usage),
                }
                Ok::<(), serde_json::Error>(())
            })
            .map_err(|e| format!("the metrics API answered with something else: {e}"))
    }

    fn finish(self) -> Result<(Named, Option<i64>), String> {
        self.split
            .finish()
            .map_err(|e| format!("the metrics API answered with something else: {e}"))?;
        Ok((self.items, self.newest))
    }
}

/// What a refused or failed request means here.
fn failure(error: ::kube::Error) -> UsageReport {
    match error {
        ::kube::Error::Api(status) => {
            let message = status.message.clone();
            match status.code {
                404 => UsageReport::Absent(
                    "the cluster does not serve the metrics API (metrics.k8s.io): no metrics-server"
                        .into(),
                ),
                503 => UsageReport::Absent(format!(
                    "the metrics API (metrics.k8s.io) is unavailable: {message}"
                )),
                403 => UsageReport::Forbidden(message),
                code => UsageReport::Failed(format!("{message} ({code})")),
            }
        }
        e => UsageReport::Failed(e.to_string()),
    }
}

/// Items of a read handed on in parts of this many or more (up to what
/// one piece of the answer holds besides), as they are parsed.
pub const PART: usize = 2048;

/// The list at `path`, read as it arrives (see `ListReader`), within
/// `METRICS_DEADLINE`; with `parts`, every `PART` items are sent on as
/// `KubeMsg::UsagePart` and the rest returned.
async fn list_at<M>(
    client: &Client,
    path: &str,
    qualify: bool,
    parts: Option<(&Out<M>, u64)>,
) -> Result<(Named, Option<i64>), UsageReport> {
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| UsageReport::Failed(e.to_string()))?;
    let read = async {
        let stream = client.request_stream(request).await.map_err(failure)?;
        let mut stream = std::pin::pin!(stream);
        let mut list = ListReader::new(qualify);
        loop {
            let piece = stream.fill_buf().await.map_err(|e| {
                UsageReport::Failed(format!("reading the metrics API's answer: {e}"))
            })?;
            if piece.is_empty() {
                break;
            }
            let n = piece.len();
            list.feed(piece).map_err(UsageReport::Failed)?;
            stream.consume_unpin(n);
            if let Some((out, generation)) = parts
                && list.items.len() >= PART
            {
                let part = std::mem::take(&mut list.items);
                if !out.send(generation, KubeMsg::UsagePart(part)).await {
                    return Err(UsageReport::Failed("the screen is gone".into()));
                }
            }
        }
        list.finish().map_err(UsageReport::Failed)
    };
    match tokio::time::timeout(METRICS_DEADLINE, read).await {
        Err(_) => Err(UsageReport::Failed(format!(
            "the metrics API did not answer within {} s",
            METRICS_DEADLINE.as_secs()
        ))),
        Ok(read) => read,
    }
}

/// One read: the pods (of one namespace, of all, or of several one by
/// one), then the nodes (whose refusal or absence leaves the pods'
/// figures standing).
pub async fn read(client: &Client, place: &Where) -> UsageReport {
    read_in_parts::<KubeMsg>(client, place, None).await
}

/// As `read`; with `parts`, the pods' figures are sent on in parts as they
/// are parsed, and the report holds the rest: only a part of a large read
/// is in flight at a time.
pub async fn read_in_parts<M>(
    client: &Client,
    place: &Where,
    parts: Option<(&Out<M>, u64)>,
) -> UsageReport {
    const PODS: &str = "/apis/metrics.k8s.io/v1beta1";
    let pods = match place {
        Where::One(ns) => {
            list_at(
                client,
                &format!("{PODS}/namespaces/{ns}/pods"),
                false,
                parts,
            )
            .await
        }
        Where::All => list_at(client, &format!("{PODS}/pods"), true, parts).await,
        Where::Some(namespaces) => {
            let mut all = Named::default();
            let mut newest = None;
            let mut failure = None;
            let mut read_one = false;
            for ns in namespaces {
                match list_at(client, &format!("{PODS}/namespaces/{ns}/pods"), true, parts).await {
                    Ok((pods, at)) => {
                        all.append(&pods);
                        newest = newest.max(at);
                        read_one = true;
                    }
                    Err(e) => failure = failure.or(Some(e)),
                }
            }
            match failure {
                Some(e) if !read_one => Err(e),
                _ => Ok((all, newest)),
            }
        }
    };
    let (mut pods, at) = match pods {
        Ok(read) => read,
        Err(report) => return report,
    };
    // Sorted here, off the screen's thread: the state joins them with its
    // pods in one pass.
    pods.sort();
    let nodes = list_at::<M>(client, &format!("{PODS}/nodes"), false, None)
        .await
        .map(|(n, _)| n)
        .unwrap_or_default();
    UsageReport::Read { at, pods, nodes }
}

/// How much longer than a read took to process the pause after it is at
/// least: reading usage keeps to about a quarter percent of a core. With
/// tens of thousands of pods a read takes tens of milliseconds, and usage
/// is read less often than every `METRICS_EVERY`.
pub const PAUSE_PER_BUSY: u32 = 400;
/// The longest pause between reads that the cost of a read makes: figures
/// older than 90 s are too old for a `usage:` check.
pub const LONGEST_PAUSE: Duration = Duration::from_secs(60);

/// Runs `work`, adding the time spent inside its polls (its processing,
/// not its waits for the network) to `busy`.
pub async fn timed<F: std::future::Future>(work: F, busy: &mut Duration) -> F::Output {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(|cx| {
        let started = std::time::Instant::now();
        let polled = work.as_mut().poll(cx);
        *busy += started.elapsed();
        polled
    })
    .await
}

/// The pause before the next read, after one that took `busy` to
/// process.
pub fn pause_after(report: &UsageReport, busy: Duration) -> Duration {
    match report {
        UsageReport::Read { .. } | UsageReport::Failed(_) => busy
            .saturating_mul(PAUSE_PER_BUSY)
            .clamp(METRICS_EVERY, LONGEST_PAUSE),
        UsageReport::Absent(_) | UsageReport::Forbidden(_) => ABSENT_EVERY,
    }
}

/// Reads usage every `METRICS_EVERY`, or less often when a read costs
/// much (see `pause_after`); every `ABSENT_EVERY` while the API is absent
/// or refused; until the UI loop is gone.
pub async fn poll<M>(client: &Client, place: &Where, generation: u64, out: Out<M>) {
    loop {
        let mut busy = Duration::ZERO;
        let report = timed(
            read_in_parts(client, place, Some((&out, generation))),
            &mut busy,
        )
        .await;
        let pause = pause_after(&report, busy);
        if matches!(report, UsageReport::Read { .. }) && pause > METRICS_EVERY {
            tracing::debug!(
                "usage read in {} ms of processing: the next in {} s",
                busy.as_millis(),
                pause.as_secs()
            );
        }
        if !out.send(generation, KubeMsg::Usage(report)).await {
            return;
        }
        tokio::time::sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pods_containers_are_summed_and_rounded_as_kubectl_top_does() {
        let body = br#"{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},
            "items":[
              {"metadata":{"name":"api-1","namespace":"shop"},"timestamp":"2026-12-03T10:00:00Z","window":"15s",
               "containers":[{"name":"api","usage":{"cpu":"12500001n","memory":"102400Ki"}},
                             {"name":"proxy","usage":{"cpu":"2m","memory":"16Mi"}}]},
              {"metadata":{"name":"api-2","namespace":"shop"},"timestamp":"2026-12-03T10:00:05Z","window":"15s",
               "containers":[]}
            ]}"#;
        let (pods, at) = parse(body).unwrap();
        assert_eq!(
            pods,
            vec![
                (
                    "api-1".to_string(),
                    Usage {
                        cpu: 15,
                        memory: (100 + 16) << 20
                    }
                ),
                ("api-2".to_string(), Usage::default()),
            ]
        );
        assert_eq!(at, Some(1_796_292_005));
    }

    #[test]
    fn a_node_has_its_total_and_a_body_that_is_not_metrics_is_an_error() {
        let body = br#"{"kind":"NodeMetricsList","items":[{"metadata":{"name":"node-1"},
            "timestamp":"2026-12-03T10:00:00Z","window":"20s","usage":{"cpu":"1500m","memory":"4Gi"}}]}"#;
        let (nodes, _) = parse(body).unwrap();
        assert_eq!(
            nodes,
            vec![(
                "node-1".to_string(),
                Usage {
                    cpu: 1500,
                    memory: 4 << 30
                }
            )]
        );
        let err = parse(b"<html>proxy</html>").unwrap_err();
        assert!(err.contains("something else"), "{err}");
    }

    #[test]
    fn every_namespace_qualifies_the_names_and_odd_lists_read_as_the_api_means_them() {
        // Escaped text (not borrowed from the body), fields of no interest
        // anywhere, a null list.
        let body =
            br#"{"items":[{"metadata":{"name":"api-1","namespace":"shop","labels":{"a":"b"}},
            "containers":[{"name":"api","usage":{"cpu":"1","memory":"1Gi","nvidia.com/gpu":"1"}}],
            "extra":[1,{"x":null}]}],"metadata":{"resourceVersion":""}}"#;
        let (pods, at) = parse_as(body, true).unwrap();
        assert_eq!(
            pods,
            vec![(
                "shop/api-1".to_string(),
                Usage {
                    cpu: 1000,
                    memory: 1 << 30
                }
            )]
        );
        assert_eq!(at, None);
        assert_eq!(
            parse(br#"{"items":null}"#).unwrap(),
            (Named::default(), None)
        );
        assert_eq!(
            parse(br#"{"kind":"PodMetricsList"}"#).unwrap(),
            (Named::default(), None)
        );
        // A quantity that is not one counts as nothing; a truncated body
        // or trailing text is an error.
        let (pods, _) = parse(
            br#"{"items":[{"metadata":{"name":"x"},"containers":[{"usage":{"cpu":"lots"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(pods, vec![("x".to_string(), Usage::default())]);
        assert!(parse(br#"{"items":[{"metadata":{"name":"x"}"#).is_err());
        assert!(parse(br#"{"items":[]} {"#).is_err());
    }

    #[test]
    fn every_form_of_a_quantity_reads_as_kubectl_reads_it() {
        for (text, nanos) in [
            ("12500001n", 12_500_001),
            ("250u", 250_000),
            ("1500m", 1_500_000_000),
            ("2", 2_000_000_000),
            ("1.5", 1_500_000_000),
            ("0.0000001", 100),
            ("lots", 0),
        ] {
            assert_eq!(nanocores(text), nanos, "{text}");
        }
        for (text, bytes) in [
            ("102400Ki", 100 << 20),
            ("16Mi", 16 << 20),
            ("1Gi", 1 << 30),
            ("100M", 100_000_000),
            ("1e3", 1000),
            ("0.5Gi", 1 << 29),
            ("1500m", 2),
            // Beyond u64: as large as it gets.
            ("99999999999999999999", u64::MAX),
        ] {
            assert_eq!(memory_bytes(text), bytes, "{text}");
        }
    }

    #[test]
    fn a_costly_read_makes_the_next_wait_longer_within_bounds() {
        let read = UsageReport::Read {
            at: None,
            pods: Default::default(),
            nodes: Default::default(),
        };
        let ms = Duration::from_millis;
        assert_eq!(pause_after(&read, ms(1)), METRICS_EVERY);
        assert_eq!(
            pause_after(&read, ms(80)),
            ms(80 * u64::from(PAUSE_PER_BUSY))
        );
        assert!(pause_after(&read, ms(80)) > METRICS_EVERY);
        assert_eq!(pause_after(&read, Duration::from_secs(5)), LONGEST_PAUSE);
        assert_eq!(
            pause_after(&UsageReport::Failed("x".into()), ms(1)),
            METRICS_EVERY
        );
        assert_eq!(
            pause_after(&UsageReport::Absent("x".into()), ms(1)),
            ABSENT_EVERY
        );
        assert_eq!(
            pause_after(&UsageReport::Forbidden("x".into()), ms(900)),
            ABSENT_EVERY
        );
    }

    #[tokio::test]
    async fn the_time_counted_is_the_work_not_the_wait() {
        let mut busy = Duration::ZERO;
        let waited = std::time::Instant::now();
        let got = timed(
            async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                7
            },
            &mut busy,
        )
        .await;
        assert_eq!(got, 7);
        assert!(waited.elapsed() >= Duration::from_millis(300));
        assert!(busy < Duration::from_millis(300), "{busy:?}");
    }

    #[test]
    fn a_list_of_names_in_one_text_sorts_appends_and_compares_by_content() {
        let u = |cpu| Usage { cpu, memory: 0 };
        let mut list = Named::default();
        list.push(&["shop", "/", "web-1"], u(1));
        list.push(&["api-2"], u(2));
        list.push(&["shop", "/", "api-1"], u(3));
        assert_eq!(list.len(), 3);
        assert!(!list.is_sorted());
        list.sort();
        assert!(list.is_sorted());
        assert_eq!(
            list.iter().collect::<Vec<_>>(),
            [("api-2", u(2)), ("shop/api-1", u(3)), ("shop/web-1", u(1))]
        );
        // Equal to the same names and figures however they were laid out.
        let same: Named = vec![("api-2", u(2)), ("shop/api-1", u(3)), ("shop/web-1", u(1))].into();
        assert_eq!(list, same);
        assert_ne!(list, Named::from(vec![("api-2", u(2))]));
        let mut more = Named::from(vec![("x", u(9))]);
        more.append(&list);
        assert_eq!(more.len(), 4);
        assert_eq!(more.iter().last(), Some(("shop/web-1", u(1))));
    }
}
