//! Request bodies in Kubernetes' protobuf encoding
//! (`application/vnd.kubernetes.protobuf`), which the clients generated for
//! built-in resources send: kubectl's `create job` and `create cronjob`
//! among them. A body is the magic `k8s\0` and a `runtime.Unknown` whose
//! `raw` is the object's message; it is read into the object's JSON form
//! with the field numbers and names of [`schema`].

mod schema;

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::store::Kind as ObjKind;

/// The media type of the protobuf encoding.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
const MAGIC: &[u8] = b"k8s\0";
/// Messages nest this deep at most (a PodSpec's deepest is about 10).
const MAX_DEPTH: usize = 32;
/// Go's zero time, which the encoder writes for an unset time.
const ZERO_TIME: i64 = -62_135_596_800;
/// Fields whose Go type is a pointer, where a zero or false is a value
/// the client set. Other fields are plain values, which the encoder
/// writes even when zero, and JSON leaves out when zero.
const POINTERS: &[&str] = &[
    "activeDeadlineSeconds",
    "allowPrivilegeEscalation",
    "automountServiceAccountToken",
    "backoffLimit",
    "backoffLimitPerIndex",
    "completions",
    "defaultMode",
    "enableServiceLinks",
    "failedJobsHistoryLimit",
    "fsGroup",
    "hostUsers",
    "manualSelector",
    "maxFailedIndexes",
    "mode",
    "optional",
    "parallelism",
    "priority",
    "privileged",
    "readOnlyRootFilesystem",
    "runAsGroup",
    "runAsNonRoot",
    "runAsUser",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "startingDeadlineSeconds",
    "successfulJobsHistoryLimit",
    "suspend",
    "terminationGracePeriodSeconds",
    "ttlSecondsAfterFinished",
];

/// Whether a decoded value is a plain field's zero, which JSON leaves out.
fn is_zero(name: &str, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b && !POINTERS.contains(&name),
        Value::Number(n) => n.as_f64() == Some(0.0) && !POINTERS.contains(&name),
        _ => false,
    }
}

pub struct Message {
    pub special: Special,
    pub fields: &'static [Field],
}

pub struct Field {
    pub tag: u32,
    /// The JSON name; empty for an embedded struct, whose fields are the
    /// outer object's.
    pub json: &'static str,
    pub kind: Kind,
    pub repeated: bool,
}

/// A field's type. The schema of Jobs and CronJobs uses only some of
/// them; the others are there for the schema generator's other messages.
#[allow(dead_code)]
pub enum Kind {
    Str,
    Bytes,
    Bool,
    Int32,
    Int64,
    Double,
    Float,
    Message(usize),
    Map(&'static Kind),
}

/// Messages with a JSON form of their own.
#[derive(PartialEq, Eq)]
#[allow(dead_code)]
pub enum Special {
    None,
    /// `{seconds, nanos}`: an RFC 3339 time.
    Time,
    /// `{string}`: the quantity's text.
    Quantity,
    /// `{type, intVal, strVal}`: a number or a string.
    IntOrString,
    /// `{raw}`: JSON bytes.
    Raw,
    /// `{duration}`: its text.
    Duration,
    /// Left out (managed fields).
    Skip,
}

/// Whether a request's body is protobuf.
pub fn is_protobuf(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| c.split(';').next().unwrap_or("").trim() == MEDIA_TYPE)
}

/// The JSON form of a protobuf body holding an object of `kind`.
pub fn decode(body: &[u8], kind: ObjKind) -> Result<Value, String> {
    let root = match kind {
        ObjKind::Job => schema::JOB,
        ObjKind::CronJob => schema::CRONJOB,
        other => {
            return Err(format!(
                "the simulator reads {} in JSON only",
                other.plural()
            ));
        }
    };
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or("the body does not start with the protobuf magic number")?;
    // runtime.Unknown: typeMeta (apiVersion, kind), raw, contentEncoding, contentType.
    let mut api_version = String::new();
    let mut type_kind = String::new();
    let mut raw: &[u8] = &[];
    let mut r = Reader(rest);
    while let Some((tag, wire)) = r.key()? {
        match (tag, wire) {
            (1, 2) => {
                let mut meta = Reader(r.bytes()?);
                while let Some((t, w)) = meta.key()? {
                    match (t, w) {
                        (1, 2) => api_version = meta.string()?,
                        (2, 2) => type_kind = meta.string()?,
                        _ => meta.skip(w)?,
                    }
                }
            }
            (2, 2) => raw = r.bytes()?,
            _ => r.skip(wire)?,
        }
    }
    let mut value = message(raw, root, 0)?;
    if let Value::Object(obj) = &mut value {
        obj.insert("apiVersion".into(), Value::String(api_version));
        obj.insert("kind".into(), Value::String(type_kind));
    }
    Ok(value)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first().ok_or("a varint runs past the end")?;
            self.0 = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a varint is too long".into())
    }

    /// The next field's number and wire type; None at the end.
    fn key(&mut self) -> Result<Option<(u32, u8)>, String> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let tag = u32::try_from(key >> 3).map_err(|_| "a field number is too large")?;
        Ok(Some((tag, (key & 7) as u8)))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.0.len() {
            return Err("a field runs past the end".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = usize::try_from(self.varint()?).map_err(|_| "a length is too large")?;
        self.take(n)
    }

    fn string(&mut self) -> Result<String, String> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| "a string is not UTF-8".into())
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let b = self.take(N)?;
        <[u8; N]>::try_from(b).map_err(|_| "a fixed-size field is cut".into())
    }

    fn skip(&mut self, wire: u8) -> Result<(), String> {
        match wire {
            0 => self.varint().map(|_| ()),
            1 => self.take(8).map(|_| ()),
            2 => self.bytes().map(|_| ()),
            5 => self.take(4).map(|_| ()),
            w => Err(format!("unknown wire type {w}")),
        }
    }
}

/// One scalar of a field: read by its wire type.
fn scalar(r: &mut Reader, kind: &Kind, wire: u8) -> Result<Value, String> {
    Ok(match (kind, wire) {
        (Kind::Str, 2) => Value::String(r.string()?),
        (Kind::Bytes, 2) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(r.bytes()?))
        }
        (Kind::Bool, 0) => Value::Bool(r.varint()? != 0),
        // Negative int32s are sent as ten-byte varints of their i64.
        (Kind::Int32, 0) => Value::from(r.varint()? as i64 as i32),
        (Kind::Int64, 0) => Value::from(r.varint()? as i64),
        (Kind::Double, 1) => serde_json::Number::from_f64(f64::from_le_bytes(r.fixed::<8>()?))
            .map_or(Value::Null, Value::Number),
        (Kind::Float, 5) => {
            serde_json::Number::from_f64(f64::from(f32::from_le_bytes(r.fixed::<4>()?)))
                .map_or(Value::Null, Value::Number)
        }
        _ => return Err(format!("wire type {wire} does not fit the field")),
    })
}

/// A field's values: one, or several when packed.
fn values(r: &mut Reader, kind: &Kind, wire: u8, depth: usize) -> Result<Vec<Value>, String> {
    match kind {
        Kind::Message(i) => {
            if wire != 2 {
                return Err("a message field is not length-delimited".into());
            }
            Ok(vec![message(r.bytes()?, *i, depth + 1)?])
        }
        Kind::Int32 | Kind::Int64 | Kind::Bool if wire == 2 => {
            let mut packed = Reader(r.bytes()?);
            let mut out = Vec::new();
            while !packed.0.is_empty() {
                out.push(scalar(&mut packed, kind, 0)?);
            }
            Ok(out)
        }
        _ => Ok(vec![scalar(r, kind, wire)?]),
    }
}

fn message(bytes: &[u8], index: usize, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("messages nest too deep".into());
    }
    let msg = schema::MESSAGES
        .get(index)
        .ok_or("the schema has no such message")?;
    let mut r = Reader(bytes);
    match msg.special {
        Special::None => {}
        Special::Skip => return Ok(Value::Null),
        _ => return special(&mut r, &msg.special),
    }
    let mut out = Map::new();
    while let Some((tag, wire)) = r.key()? {
        let Some(field) = msg.fields.iter().find(|f| f.tag == tag) else {
            r.skip(wire)?;
            continue;
        };
        if let Kind::Map(value_kind) = &field.kind {
            if wire != 2 {
                return Err("a map entry is not length-delimited".into());
            }
            let mut entry = Reader(r.bytes()?);
            let (mut key, mut value) = (String::new(), Value::Null);
            while let Some((t, w)) = entry.key()? {
                match t {
                    1 => key = entry.string()?,
                    2 => {
                        value = values(&mut entry, value_kind, w, depth)?
                            .pop()
                            .unwrap_or(Value::Null)
                    }
                    _ => entry.skip(w)?,
                }
            }
            let map = out
                .entry(field.json)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = map {
                map.insert(key, value);
            }
            continue;
        }
        let got = values(&mut r, &field.kind, wire, depth)?;
        if field.json.is_empty() {
            // An embedded struct: its fields are this object's.
            for v in got {
                if let Value::Object(inner) = v {
                    out.extend(inner);
                }
            }
        } else if field.repeated {
            let list = out
                .entry(field.json)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                list.extend(got);
            }
        } else if let Some(v) = got.into_iter().last() {
            out.insert(field.json.into(), v);
        }
    }
    out.retain(|k, v| !is_zero(k, v));
    Ok(Value::Object(out))
}

fn special(r: &mut Reader, special: &Special) -> Result<Value, String> {
    let (mut int, mut text, mut seconds, mut kind) = (0i64, None::<String>, 0i64, 0u64);
    let mut raw: &[u8] = &[];
    while let Some((tag, wire)) = r.key()? {
        match (special, tag, wire) {
            (Special::Time, 1, 0) => seconds = r.varint()? as i64,
            (Special::IntOrString, 1, 0) => kind = r.varint()?,
            (Special::IntOrString, 2, 0) => int = i64::from(r.varint()? as i64 as i32),
            (Special::IntOrString, 3, 2) => text = Some(r.string()?),
            (Special::Quantity | Special::Duration, 1, 2) => text = Some(r.string()?),
            (Special::Raw, 1, 2) => raw = r.bytes()?,
            _ => r.skip(wire)?,
        }
    }
    Ok(match special {
        // Whole seconds, as the API server writes times.
        Special::Time if seconds == ZERO_TIME => Value::Null,
        Special::Time => jiff::Timestamp::from_second(seconds)
            .map(|t| Value::String(t.to_string()))
            .unwrap_or(Value::Null),
        Special::IntOrString if kind == 1 => Value::String(text.unwrap_or_default()),
        Special::IntOrString => Value::from(int),
        Special::Raw => serde_json::from_slice(raw).unwrap_or(Value::Null),
        _ => text.map_or(Value::Null, Value::String),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A protobuf writer for the tests.
    #[derive(Default)]
    struct W(Vec<u8>);

    impl W {
        fn varint(&mut self, mut v: u64) -> &mut Self {
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    self.0.push(b);
                    return self;
                }
                self.0.push(b | 0x80);
            }
        }
        fn key(&mut self, tag: u32, wire: u8) -> &mut Self {
            self.varint(u64::from(tag) << 3 | u64::from(wire))
        }
        fn bytes(&mut self, tag: u32, b: &[u8]) -> &mut Self {
            self.key(tag, 2).varint(b.len() as u64);
            self.0.extend_from_slice(b);
            self
        }
        fn str(&mut self, tag: u32, s: &str) -> &mut Self {
            self.bytes(tag, s.as_bytes())
        }
        fn int(&mut self, tag: u32, v: i64) -> &mut Self {
            self.key(tag, 0).varint(v as u64)
        }
        fn msg(&mut self, tag: u32, m: &W) -> &mut Self {
            self.bytes(tag, &m.0)
        }
    }

    #[test]
    fn a_job_as_kubectl_sends_it() {
        // ObjectMeta: name, annotations, ownerReferences (kind, name, uid,
        // apiVersion, controller).
        let mut annotation = W::default();
        annotation
            .str(1, "cronjob.kubernetes.io/instantiate")
            .str(2, "manual");
        let mut owner = W::default();
        owner
            .str(1, "CronJob")
            .str(3, "report-nightly")
            .str(4, "uid-1")
            .str(5, "batch/v1")
            .int(6, 1);
        let mut meta = W::default();
        let mut zero_time = W::default();
        zero_time.int(1, ZERO_TIME);
        // Plain fields come even when empty or zero; JSON leaves them out.
        meta.str(1, "manual-1")
            .str(2, "")
            .int(7, 0)
            .msg(8, &zero_time)
            .msg(12, &annotation)
            .msg(13, &owner);
        // A container with a cpu request and a port by name.
        let mut quantity = W::default();
        quantity.str(1, "100m");
        let mut request = W::default();
        request.str(1, "cpu").msg(2, &quantity);
        let mut resources = W::default();
        resources.msg(2, &request);
        let mut port = W::default();
        port.int(1, 1).str(3, "http");
        let mut probe_http = W::default();
        probe_http.str(1, "/health").msg(2, &port);
        let mut handler = W::default();
        handler.msg(2, &probe_http);
        let mut probe = W::default();
        probe.msg(1, &handler).int(2, 5);
        let mut container = W::default();
        container
            .str(1, "report")
            .str(2, "shop/report:1.4.2")
            .str(3, "/report")
            .str(3, "--all")
            .int(16, 0)
            .msg(8, &resources)
            .msg(10, &probe);
        let mut pod = W::default();
        pod.msg(2, &container).str(3, "OnFailure").int(4, 30);
        let mut template = W::default();
        template.msg(2, &pod);
        let mut spec = W::default();
        spec.int(7, -1).int(1, 0).msg(6, &template);
        let mut job = W::default();
        job.msg(1, &meta).msg(2, &spec);
        let mut type_meta = W::default();
        type_meta.str(1, "batch/v1").str(2, "Job");
        let mut unknown = W::default();
        unknown.msg(1, &type_meta).msg(2, &job);
        let mut body = MAGIC.to_vec();
        body.extend(unknown.0);

        let value = decode(&body, ObjKind::Job).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {
                    "name": "manual-1",
                    "annotations": {"cronjob.kubernetes.io/instantiate": "manual"},
                    "ownerReferences": [{"kind": "CronJob", "name": "report-nightly", "uid": "uid-1", "apiVersion": "batch/v1", "controller": true}]
                },
                "spec": {
                    "backoffLimit": -1,
                    "parallelism": 0,
                    "template": {"spec": {
                        "containers": [{
                            "name": "report",
                            "image": "shop/report:1.4.2",
                            "command": ["/report", "--all"],
                            "resources": {"requests": {"cpu": "100m"}},
                            "livenessProbe": {"httpGet": {"path": "/health", "port": "http"}, "initialDelaySeconds": 5}
                        }],
                        "restartPolicy": "OnFailure",
                        "terminationGracePeriodSeconds": 30
                    }}
                }
            })
        );
        let job: k8s_openapi::api::batch::v1::Job = serde_json::from_value(value).unwrap();
        assert_eq!(job.metadata.name.as_deref(), Some("manual-1"));
    }

    #[test]
    fn broken_bodies_are_refused() {
        assert!(decode(b"{}", ObjKind::Job).is_err());
        let mut body = MAGIC.to_vec();
        body.extend([0x12, 0x05, 0x0a]);
        assert!(decode(&body, ObjKind::Job).is_err());
        assert!(decode(MAGIC, ObjKind::Pod).is_err());
    }
}
